//! Slice uploads of the legacy JSON API (docs/json-api.md "slice upload"): init, data, list,
//! finish, with and without `uploadparts` (SHA-1 states computed here with `sha1::compress`),
//! instant uploads, unfinished sessions (`-4019`) and every slice error code.

#![allow(clippy::unwrap_used)]

mod common;
mod json_common;

use common::*;
use json_common::*;
use serde_json::{json, Value};

/// `uploadparts` for `data` in slices of `slice`: every slice but the last carries the SHA-1
/// state after it (five words, each little-endian, in hex); the last the file's SHA-1.
fn uploadparts(data: &[u8], slice: usize) -> Vec<Value> {
    use sha1::digest::generic_array::GenericArray;
    let mut state = [
        0x67452301u32,
        0xEFCDAB89,
        0x98BADCFE,
        0x10325476,
        0xC3D2E1F0,
    ];
    let mut out = Vec::new();
    let mut off = 0;
    while off < data.len() {
        let end = (off + slice).min(data.len());
        let datasha = if end == data.len() {
            sha1_hex(data)
        } else {
            let blocks: Vec<_> = data[off..end]
                .chunks_exact(64)
                .map(GenericArray::clone_from_slice)
                .collect();
            sha1::compress(&mut state, &blocks);
            hex::encode(
                state
                    .iter()
                    .flat_map(|w| w.to_le_bytes())
                    .collect::<Vec<u8>>(),
            )
        };
        out.push(json!({"offset": off, "datalen": end - off, "datasha": datasha}));
        off = end;
    }
    out
}

/// 1 MiB of `a` then 10 of `b`: the example of spec 06 §3.
fn spec_example() -> Vec<u8> {
    let mut d = vec![b'a'; MIB];
    d.extend_from_slice(b"bbbbbbbbbb");
    d
}

async fn init(c: &Client, path: &str, f: &[(&str, &str)]) -> Res {
    let mut all = vec![("op", "upload_slice_init")];
    all.extend_from_slice(f);
    J::new(path)
        .auth(multi(c, path))
        .form(&fields(&all))
        .send(c)
        .await
}

async fn put_slice(c: &Client, path: &str, session: &str, offset: usize, data: &[u8]) -> Res {
    let offset = offset.to_string();
    let f: [(&str, &[u8]); 4] = [
        ("op", b"upload_slice_data"),
        ("session", session.as_bytes()),
        ("offset", offset.as_bytes()),
        ("filecontent", data),
    ];
    J::new(path).auth(multi(c, path)).form(&f).send(c).await
}

async fn slice_list(c: &Client, path: &str) -> Res {
    J::new(path)
        .get()
        .q("op", "upload_slice_list")
        .auth(multi(c, path))
        .send(c)
        .await
}

async fn finish(c: &Client, path: &str, session: &str, f: Value) -> Res {
    let mut body = json!({"op": "upload_slice_finish", "session": session});
    for (k, v) in f.as_object().unwrap() {
        body[k] = v.clone();
    }
    J::new(path).auth(multi(c, path)).json(body).send(c).await
}

fn session_of(data: &Value) -> String {
    let s = data["session"].as_str().unwrap().to_string();
    assert!(!s.is_empty(), "{data}");
    s
}

#[track_caller]
fn assert_urls(c: &Client, d: &Value, path: &str) {
    assert_eq!(
        d["access_url"],
        format!("http://{}/{B}{path}", c.addr),
        "{d}"
    );
    assert_eq!(d["source_url"], d["access_url"]);
    assert_eq!(
        d["url"],
        format!("http://{}/files/v2/{APPID}/{SHORT}{path}", c.addr)
    );
    assert_eq!(d["resource_path"], format!("/{APPID}/{SHORT}{path}"));
    assert!(d.get("session").is_none(), "{d}");
}

#[test]
fn sha_states_follow_the_spec_example() {
    let parts = uploadparts(&spec_example(), MIB);
    assert_eq!(
        Value::Array(parts),
        json!([
            {"offset": 0, "datalen": 1048576, "datasha": "0a560be70dd43f123a08f3519016b87dfc0a1eb6"},
            {"offset": 1048576, "datalen": 10, "datasha": "a986b154d89d26927a8144a278bdf035cd0e2172"},
        ])
    );
    assert_eq!(
        sha1_hex(&spec_example()),
        "a986b154d89d26927a8144a278bdf035cd0e2172"
    );
}

#[tokio::test]
async fn slices_checked_against_uploadparts_arrive_in_any_order() {
    let (server, c) = setup().await;
    mkdir(&c, "/s/", None).await.ok();
    let path = "/s/spec.bin";
    let data = spec_example();
    let sha = sha1_hex(&data);
    let parts = Value::Array(uploadparts(&data, MIB)).to_string();
    let size = data.len().to_string();
    let decl = [
        ("filesize", size.as_str()),
        ("slice_size", "1048576"),
        ("sha", sha.as_str()),
        ("uploadparts", parts.as_str()),
        ("biz_attr", "sliced"),
    ];
    let r = init(&c, path, &decl).await;
    let d = r.ok();
    let session = session_of(d);
    assert_eq!(
        (
            d["slice_size"].as_u64(),
            d["serial_upload"].as_u64(),
            d["offset"].as_u64()
        ),
        (Some(MIB as u64), Some(0), Some(0))
    );

    // The same sha again: the unfinished session.
    let again = init(&c, path, &decl).await;
    let d = again.err(-4019, 409);
    assert_eq!(
        (d["session"].as_str(), d["slice_size"].as_u64()),
        (Some(session.as_str()), Some(MIB as u64))
    );
    assert_eq!(again.v["message"], "_ERROR_FILE_NOT_FINISH_UPLOAD");

    // The last slice first.
    let r = put_slice(&c, path, &session, MIB, &data[MIB..]).await;
    let d = r.ok();
    assert_eq!(
        (
            d["session"].as_str(),
            d["offset"].as_u64(),
            d["datalen"].as_u64()
        ),
        (Some(session.as_str()), Some(MIB as u64), Some(10))
    );
    // Resume: the list shows what arrived.
    let l = slice_list(&c, path).await;
    let d = l.ok();
    assert_eq!(d["session"], session.as_str());
    assert_eq!(
        (d["slice_size"].as_u64(), d["filesize"].as_u64()),
        (Some(MIB as u64), Some(data.len() as u64))
    );
    assert_eq!(d["sha"], sha);
    assert_eq!(d["listparts"], json!([{"offset": MIB, "datalen": 10}]));
    finish(&c, path, &session, json!({"filesize": data.len()}))
        .await
        .err(-29144, 400);

    put_slice(&c, path, &session, 0, &vec![b'c'; MIB])
        .await
        .err(-29138, 400);
    put_slice(&c, path, &session, MIB, b"bbbbbbbbbc")
        .await
        .err(-29138, 400);
    put_slice(&c, path, &session, 0, &data[..MIB]).await.ok();
    let l = slice_list(&c, path).await;
    assert_eq!(
        l.ok()["listparts"],
        json!([{"offset": 0, "datalen": MIB}, {"offset": MIB, "datalen": 10}])
    );

    finish(&c, path, &session, json!({})).await.err(-29104, 400);
    finish(&c, path, &session, json!({"filesize": data.len() + 1}))
        .await
        .err(-175, 400);
    finish(
        &c,
        path,
        &session,
        json!({"filesize": data.len(), "sha": "1".repeat(40)}),
    )
    .await
    .err(-4016, 409);
    let r = finish(
        &c,
        path,
        &session,
        json!({"filesize": data.len(), "sha": sha}),
    )
    .await;
    assert_urls(&c, r.ok(), path);

    let st = stat(&c, path).await;
    let d = st.ok();
    assert_eq!(
        (
            d["filesize"].as_u64(),
            d["sha"].as_str(),
            d["biz_attr"].as_str()
        ),
        (Some(data.len() as u64), Some(sha.as_str()), Some("sliced"))
    );
    assert!(c.get(B, "s/spec.bin").await.body == data);
    // No session left: the list answers the file.
    assert_urls(&c, slice_list(&c, path).await.ok(), path);
    finish(&c, path, &session, json!({"filesize": data.len()}))
        .await
        .err(-29096, 400);

    // The same content again is an instant upload; other content may not replace it.
    assert_urls(&c, init(&c, path, &decl).await.ok(), path);
    let other = [("filesize", "10"), ("slice_size", "65536")];
    init(&c, path, &other).await.err(-177, 409);
    // Through a JSON body, uploadparts may be a JSON array.
    let body = json!({"op": "upload_slice_init", "filesize": data.len(), "sha": sha,
                      "uploadparts": uploadparts(&data, MIB), "insertOnly": 0});
    let r = J::new(path).auth(multi(&c, path)).json(body).send(&c).await;
    assert_urls(&c, r.ok(), path);
    server.stop().await;
}

#[tokio::test]
async fn slices_without_uploadparts_are_checked_at_finish() {
    let (server, c) = setup().await;
    let path = "/plain.bin";
    let data = random_bytes(200_000, 3);
    let sha = sha1_hex(&data);
    let r = init(&c, path, &[("filesize", "200000"), ("slice_size", "65536")]).await;
    let session = session_of(r.ok());
    for off in [131072, 0, 196608, 65536] {
        let end = (off + 65536).min(data.len());
        let r = put_slice(&c, path, &session, off, &data[off..end]).await;
        assert_eq!(r.ok()["datalen"].as_u64(), Some((end - off) as u64));
    }
    let l = slice_list(&c, path).await;
    let d = l.ok();
    assert_eq!(
        (d["sha"].as_str(), d["filesize"].as_u64()),
        (Some(""), Some(200_000))
    );
    let offsets: Vec<u64> = d["listparts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["offset"].as_u64().unwrap())
        .collect();
    assert_eq!(offsets, [0, 65536, 131072, 196608]);
    // A slice sent again replaces itself.
    put_slice(&c, path, &session, 65536, &data[65536..131072])
        .await
        .ok();

    finish(
        &c,
        path,
        &session,
        json!({"filesize": 200000, "sha": sha1_hex(b"x")}),
    )
    .await
    .err(-4016, 409);
    let r = finish(&c, path, &session, json!({"filesize": "200000"})).await;
    assert_urls(&c, r.ok(), path);
    assert_eq!(stat(&c, path).await.ok()["sha"], sha);
    assert!(c.get(B, "plain.bin").await.body == data);

    // insertOnly 0 lets a slice upload replace the file.
    let r = init(
        &c,
        path,
        &[
            ("filesize", "3"),
            ("slice_size", "65536"),
            ("insertOnly", "0"),
        ],
    )
    .await;
    let session = session_of(r.ok());
    put_slice(&c, path, &session, 0, b"new").await.ok();
    finish(
        &c,
        path,
        &session,
        json!({"filesize": 3, "sha": sha1_hex(b"new")}),
    )
    .await
    .ok();
    assert_eq!(c.get(B, "plain.bin").await.body, b"new");
    server.stop().await;
}

#[tokio::test]
async fn instant_uploads_and_unfinished_sessions() {
    let (server, c) = setup().await;
    let data = random_bytes(100, 9);
    let sha = sha1_hex(&data);
    upload(&c, "/i.bin", &data, &[]).await.ok();
    let parts = Value::Array(uploadparts(&data, 65536)).to_string();
    let decl = [
        ("filesize", "100"),
        ("slice_size", "65536"),
        ("sha", sha.as_str()),
        ("uploadparts", parts.as_str()),
    ];
    assert_urls(&c, init(&c, "/i.bin", &decl).await.ok(), "/i.bin");
    // Without sha, the last datasha is the file's.
    let short = [
        ("filesize", "100"),
        ("slice_size", "65536"),
        ("uploadparts", parts.as_str()),
    ];
    assert_urls(&c, init(&c, "/i.bin", &short).await.ok(), "/i.bin");

    let r = init(&c, "/j.bin", &decl).await;
    let session = session_of(r.ok());
    let d = init(&c, "/j.bin", &short).await.err(-4019, 409).clone();
    assert_eq!(d["session"], session.as_str());
    assert_eq!(
        (d["serial_upload"].as_u64(), d["offset"].as_u64()),
        (Some(0), Some(0))
    );
    // A session belongs to its file.
    put_slice(&c, "/i.bin", &session, 0, &data)
        .await
        .err(-29096, 400);
    put_slice(&c, "/j.bin", &session, 0, &data).await.ok();
    finish(&c, "/j.bin", &session, json!({"filesize": 100}))
        .await
        .ok();
    assert!(c.get(B, "j.bin").await.body == data);
    slice_list(&c, "/k.bin").await.err(-197, 404);
    server.stop().await;
}

#[tokio::test]
async fn slice_errors() {
    let (server, c) = setup().await;
    mkdir(&c, "/x/", None).await.ok();
    let p = "/x/f.bin";
    init(&c, p, &[("slice_size", "65536")])
        .await
        .err(-5971, 400);
    init(&c, p, &[("filesize", "68719476737")])
        .await
        .err(-29105, 400);
    init(
        &c,
        p,
        &[("filesize", "68719476736"), ("slice_size", "3145728")],
    )
    .await
    .ok();
    for bad in ["1000", "65537", "4194304", "1114112", "0"] {
        init(&c, p, &[("filesize", "10"), ("slice_size", bad)])
            .await
            .err(-284, 400);
    }
    init(
        &c,
        "/x/two.bin",
        &[("filesize", "10"), ("slice_size", "2097152")],
    )
    .await
    .ok();
    init(&c, p, &[("filesize", "x")]).await.err(-5999, 400);

    let data = random_bytes(150_000, 5);
    let sha = sha1_hex(&data);
    let size = "150000";
    let parts = uploadparts(&data, 65536);
    let text = |v: &[Value]| Value::Array(v.to_vec()).to_string();
    init(&c, p, &[("filesize", size), ("sha", &sha)])
        .await
        .err(-29133, 400);
    let bad_parts = [
        (size, "131072", text(&parts)),
        ("150001", "65536", text(&parts)),
        (size, "65536", text(&parts[..2])),
        (
            size,
            "65536",
            text(&[parts[1].clone(), parts[0].clone(), parts[2].clone()]),
        ),
        (size, "65536", text(&[])),
    ];
    for (fsize, slice, up) in &bad_parts {
        let r = init(
            &c,
            p,
            &[
                ("filesize", fsize),
                ("slice_size", slice),
                ("sha", &sha),
                ("uploadparts", up),
            ],
        )
        .await;
        r.err(-29134, 400);
    }
    let wrong_last = [
        ("filesize", size),
        ("slice_size", "65536"),
        ("sha", &sha1_hex(b"x")),
        ("uploadparts", &text(&parts)),
    ];
    init(&c, p, &wrong_last).await.err(-29134, 400);
    init(&c, p, &[("filesize", size), ("uploadparts", "[x")])
        .await
        .err(-5975, 400);

    init(&c, "/x/dir/", &[("filesize", "1")])
        .await
        .err(-160, 400);
    init(&c, "/nodir/f.bin", &[("filesize", "1")])
        .await
        .err(-166, 404);
    upload(&c, "/x/exists.bin", b"e", &[]).await.ok();
    init(&c, "/x/exists.bin", &[("filesize", "1")])
        .await
        .err(-177, 409);

    let up = text(&parts);
    let r = init(
        &c,
        "/x/s.bin",
        &[
            ("filesize", size),
            ("slice_size", "65536"),
            ("sha", &sha),
            ("uploadparts", &up),
        ],
    )
    .await;
    let s = session_of(r.ok());
    let q = "/x/s.bin";
    put_slice(&c, q, "no-such-session", 0, &data[..65536])
        .await
        .err(-29096, 400);
    let missing = [
        ("op", &b"upload_slice_data"[..]),
        ("offset", b"0"),
        ("filecontent", &data[..65536]),
    ];
    J::new(q)
        .auth(multi(&c, q))
        .form(&missing)
        .send(&c)
        .await
        .err(-29096, 400);
    let no_offset = [
        ("op", &b"upload_slice_data"[..]),
        ("session", s.as_bytes()),
        ("filecontent", b"x"),
    ];
    J::new(q)
        .auth(multi(&c, q))
        .form(&no_offset)
        .send(&c)
        .await
        .err(-5999, 400);
    let no_content = [
        ("op", &b"upload_slice_data"[..]),
        ("session", s.as_bytes()),
        ("offset", b"0"),
    ];
    J::new(q)
        .auth(multi(&c, q))
        .form(&no_content)
        .send(&c)
        .await
        .err(-5990, 400);
    put_slice(&c, q, &s, 1000, &data[..65536])
        .await
        .err(-29095, 400);
    put_slice(&c, q, &s, 196608, &data[..10])
        .await
        .err(-29095, 400);
    put_slice(&c, q, &s, 0, &data[..65535])
        .await
        .err(-29136, 400);
    put_slice(&c, q, &s, 131072, &data[131072..149999])
        .await
        .err(-29136, 400);
    put_slice(&c, q, &s, 65536, &data[..65536])
        .await
        .err(-29138, 400);
    put_slice(&c, q, &s, 131072, &data[..150_000 - 131_072])
        .await
        .err(-29138, 400);
    finish(&c, q, "no-such-session", json!({"filesize": 150000}))
        .await
        .err(-29096, 400);
    finish(&c, q, &s, json!({"filesize": 150000}))
        .await
        .err(-29144, 400);
    for off in [0, 65536, 131072] {
        let end = (off + 65536).min(data.len());
        put_slice(&c, q, &s, off, &data[off..end]).await.ok();
    }
    finish(&c, q, &s, json!({"filesize": 149999}))
        .await
        .err(-175, 400);
    assert_urls(
        &c,
        finish(&c, q, &s, json!({"filesize": 150000})).await.ok(),
        q,
    );
    assert_eq!(stat(&c, q).await.ok()["sha"], sha);
    server.stop().await;
}

#[tokio::test]
async fn the_list_shows_the_newest_session_and_empty_files_upload() {
    let (server, c) = setup().await;
    let p = "/n.bin";
    let first = session_of(init(&c, p, &[("filesize", "5")]).await.ok());
    c.clock.advance(std::time::Duration::from_secs(5));
    let second = session_of(init(&c, p, &[("filesize", "6")]).await.ok());
    assert_ne!(first, second);
    let l = slice_list(&c, p).await;
    assert_eq!(
        (l.ok()["session"].as_str(), l.ok()["filesize"].as_u64()),
        (Some(second.as_str()), Some(6))
    );
    // Both stay usable.
    put_slice(&c, p, &first, 0, b"12345").await.ok();
    finish(&c, p, &first, json!({"filesize": 5})).await.ok();
    assert_eq!(c.get(B, "n.bin").await.body, b"12345");

    let e = "/empty.bin";
    let s = session_of(init(&c, e, &[("filesize", "0")]).await.ok());
    finish(&c, e, &s, json!({"filesize": 0}))
        .await
        .err(-29144, 400);
    put_slice(&c, e, &s, 0, b"").await.ok();
    finish(&c, e, &s, json!({"filesize": 0, "sha": sha1_hex(b"")}))
        .await
        .ok();
    let st = stat(&c, e).await;
    assert_eq!(
        (st.ok()["filesize"].as_u64(), st.ok()["sha"].as_str()),
        (Some(0), Some(&*sha1_hex(b"")))
    );
    server.stop().await;
}

/// One rule for every operation that creates a file (docs/json-api.md): its directory must
/// exist when the file is created, so upload, slice init, slice finish, copy and move all
/// answer -166 into a missing directory, and nothing is created.
#[tokio::test]
async fn every_file_creating_operation_needs_an_existing_directory() {
    let (server, c) = setup().await;
    upload(&c, "/src.txt", b"source", &[]).await.ok();
    upload(&c, "/gone/x.txt", b"x", &[]).await.err(-166, 404);
    init(
        &c,
        "/gone/s.bin",
        &[("filesize", "3"), ("slice_size", "65536")],
    )
    .await
    .err(-166, 404);
    for op in ["copy", "move"] {
        J::new("/src.txt")
            .auth(once(&c, "/src.txt"))
            .json(json!({"op": op, "dest_fileid": "/gone/y.txt"}))
            .send(&c)
            .await
            .err(-166, 404);
        J::new("/src.txt")
            .auth(once(&c, "/src.txt"))
            .json(json!({"op": op, "dest_fileid": "gone/y.txt"}))
            .send(&c)
            .await
            .err(-166, 404);
    }
    assert_eq!(c.get(B, "src.txt").await.body, b"source");

    // A session begun in an existing directory cannot finish once the directory is deleted.
    mkdir(&c, "/tmpdir/", None).await.ok();
    let r = init(
        &c,
        "/tmpdir/s.bin",
        &[("filesize", "3"), ("slice_size", "65536")],
    )
    .await;
    let session = session_of(r.ok());
    put_slice(&c, "/tmpdir/s.bin", &session, 0, b"abc")
        .await
        .ok();
    delete(&c, "/tmpdir/").await.ok();
    finish(&c, "/tmpdir/s.bin", &session, json!({"filesize": 3}))
        .await
        .err(-166, 404);
    assert_eq!(xml_keys(&c, "").await, ["src.txt"]);
    server.stop().await;
}
