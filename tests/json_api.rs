//! The legacy v4 JSON API (`/files/v2/<appid>/<bucket>/<path>`, docs/json-api.md) over real
//! HTTP: every operation but slice uploads (tests/json_slices.rs), the request and path error codes
//! (signatures: tests/json_auth.rs), and the namespace shared with the XML API.

#![allow(clippy::unwrap_used)]

mod common;
mod json_common;

use common::*;
use json_common::*;
use serde_json::json;

fn near_now(c: &Client, t: &serde_json::Value) {
    let t = t.as_i64().unwrap();
    assert!((t - c.now()).abs() <= 5, "{t} vs {}", c.now());
}

#[tokio::test]
async fn directories_create_stat_update_list_delete() {
    let (server, c) = setup().await;
    let t0 = c.now();
    let data = mkdir(&c, "/docs/", Some("attr-1")).await;
    near_now(&c, &data.ok()["ctime"]);
    mkdir(&c, "/docs/sub/", None).await.ok();

    let st = stat(&c, "/docs/").await;
    let d = st.ok();
    assert_eq!(
        (d["name"].as_str(), d["biz_attr"].as_str()),
        (Some("docs/"), Some("attr-1"))
    );
    near_now(&c, &d["ctime"]);
    near_now(&c, &d["mtime"]);
    let root = stat(&c, "/").await;
    near_now(&c, &root.ok()["ctime"]);

    c.clock.advance(std::time::Duration::from_secs(100));
    update(&c, "/docs/", json!({"biz_attr": "attr-2"}))
        .await
        .ok();
    let st = stat(&c, "/docs/").await;
    let d = st.ok();
    assert_eq!(d["biz_attr"], "attr-2");
    assert!(
        d["mtime"].as_i64().unwrap() >= d["ctime"].as_i64().unwrap() + 99,
        "{d}"
    );

    let l = list(&c, "/docs/", &[]).await;
    let d = l.ok();
    assert_eq!(names(d), ["sub/"]);
    assert_eq!(
        (d["listover"].as_bool(), d["context"].as_str()),
        (Some(true), Some(""))
    );
    let ctime = d["infos"][0]["ctime"].as_i64().unwrap();
    assert!((ctime - t0).abs() <= 5, "{d}");

    // Only empty directories go; the root never does.
    upload(&c, "/docs/sub/f.txt", b"f", &[]).await.ok();
    delete(&c, "/docs/sub/").await.err(-173, 409);
    delete(&c, "/docs/sub/f.txt").await.ok();
    delete(&c, "/docs/sub/").await.ok();
    stat(&c, "/docs/sub/").await.err(-197, 404);
    delete(&c, "/docs/sub/").await.err(-197, 404);
    delete(&c, "/").await.err(-180, 400);
    update(&c, "/", json!({"biz_attr": "x"}))
        .await
        .err(-180, 400);
    server.stop().await;
}

#[tokio::test]
async fn list_pages_prefixes_and_implicit_directories() {
    let (server, c) = setup().await;
    mkdir(&c, "/l/", None).await.ok();
    for i in 0..5 {
        upload(&c, &format!("/l/f{i}"), format!("{i}").as_bytes(), &[])
            .await
            .ok();
    }
    mkdir(&c, "/l/sub/", None).await.ok();
    c.put(B, "l/x/y/z.txt", b"xml").await;
    c.put(B, "l/pre-1", b"1").await;

    let mut all = Vec::new();
    let mut context = String::new();
    let mut pages = 0;
    loop {
        let r = list(&c, "/l/", &[("num", "2"), ("context", &context)]).await;
        let d = r.ok().clone();
        assert!(d["infos"].as_array().unwrap().len() <= 2, "{d}");
        all.extend(names(&d));
        pages += 1;
        if d["listover"].as_bool().unwrap() {
            assert_eq!(d["context"], "");
            break;
        }
        context = d["context"].as_str().unwrap().to_string();
        assert!(!context.is_empty() && pages < 10, "{d}");
    }
    assert_eq!(all, ["f0", "f1", "f2", "f3", "f4", "pre-1", "sub/", "x/"]);
    assert!(pages >= 4);

    // One page with every field.
    let r = list(&c, "/l/", &[("num", "1000")]).await;
    let infos = r.ok()["infos"].as_array().unwrap().clone();
    let f0 = &infos[0];
    assert_eq!(
        (f0["filesize"].as_u64(), f0["filelen"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(f0["sha"], sha1_hex(b"0"));
    assert_eq!(f0["authority"], "eInvalid");
    assert_eq!(f0["access_url"], format!("http://{}/{B}/l/f0", c.addr));
    assert_eq!(f0["source_url"], f0["access_url"]);
    near_now(&c, &f0["ctime"]);
    near_now(&c, &f0["mtime"]);
    let x = infos.iter().find(|i| i["name"] == "x/").unwrap();
    assert_eq!(
        (x["ctime"].as_i64(), x["mtime"].as_i64()),
        (Some(0), Some(0))
    );
    assert_eq!(
        infos.iter().find(|i| i["name"] == "pre-1").unwrap()["sha"],
        ""
    );

    // A path ending in a prefix lists that prefix.
    let r = list(&c, "/l/f", &[]).await;
    assert_eq!(names(r.ok()), ["f0", "f1", "f2", "f3", "f4"]);
    // Implicit directories exist for stat and list, at every level.
    let r = list(&c, "/l/x/", &[]).await;
    assert_eq!(names(r.ok()), ["y/"]);
    let r = list(&c, "/l/x/y/", &[]).await;
    assert_eq!(names(r.ok()), ["z.txt"]);
    let st = stat(&c, "/l/x/y/").await;
    let d = st.ok();
    assert_eq!(
        (d["name"].as_str(), d["biz_attr"].as_str()),
        (Some("y/"), Some(""))
    );
    let r = list(&c, "/", &[]).await;
    assert_eq!(names(r.ok()), ["l/"]);
    list(&c, "/nothing/", &[]).await.err(-197, 404);
    // A directory above the path in f covers a multi-use signature.
    let r = J::new("/l/x/")
        .get()
        .q("op", "list")
        .auth(signature(
            SID,
            SKEY,
            APPID,
            SHORT,
            c.now() + 60,
            c.now(),
            &fid("/l/"),
        ))
        .send(&c)
        .await;
    assert_eq!(names(r.ok()), ["y/"]);
    // An implicit directory holding objects is not empty.
    delete(&c, "/l/x/").await.err(-173, 409);
    server.stop().await;
}

#[tokio::test]
async fn upload_stat_and_xml_download() {
    let (server, c) = setup().await;
    mkdir(&c, "/up/", None).await.ok();
    let data = random_bytes(70_000, 7);
    let sha = sha1_hex(&data);
    upload(&c, "/up/a.bin", &data, &[("sha", "0".repeat(40).as_str())])
        .await
        .err(-4016, 409);
    stat(&c, "/up/a.bin").await.err(-197, 404);

    let r = upload(
        &c,
        "/up/a.bin",
        &data,
        &[("sha", &sha.to_uppercase()), ("biz_attr", "b1")],
    )
    .await;
    let d = r.ok();
    let access = format!("http://{}/{B}/up/a.bin", c.addr);
    assert_eq!(d["access_url"], access);
    assert_eq!(d["source_url"], access);
    assert_eq!(
        d["url"],
        format!("http://{}/files/v2/{APPID}/{SHORT}/up/a.bin", c.addr)
    );
    assert_eq!(d["resource_path"], format!("/{APPID}/{SHORT}/up/a.bin"));

    let st = stat(&c, "/up/a.bin").await;
    let d = st.ok();
    assert_eq!(d["name"], "a.bin");
    assert_eq!(d["biz_attr"], "b1");
    assert_eq!(
        (d["filesize"].as_u64(), d["filelen"].as_u64()),
        (Some(70_000), Some(70_000))
    );
    assert_eq!(d["sha"], sha);
    assert_eq!(
        (d["slicesize"].as_u64(), d["forbid"].as_u64()),
        (Some(0), Some(0))
    );
    assert_eq!(
        (d["access_url"].as_str(), d["source_url"].as_str()),
        (Some(&*access), Some(&*access))
    );
    assert_eq!(d["authority"], "eInvalid");
    assert!(d["custom_headers"].is_object(), "{d}");
    near_now(&c, &d["ctime"]);
    near_now(&c, &d["mtime"]);

    // The XML API serves the bytes.
    let g = c.get(B, "up/a.bin").await;
    assert_eq!((g.status, g.body == data), (200, true));

    // insertOnly: 1 (the default) refuses other content, accepts the same; 0 replaces.
    upload(&c, "/up/a.bin", b"other", &[]).await.err(-177, 409);
    upload(&c, "/up/a.bin", b"other", &[("insertOnly", "1")])
        .await
        .err(-177, 409);
    upload(&c, "/up/a.bin", &data, &[]).await.ok();
    upload(&c, "/up/a.bin", b"other", &[("insert_only", "0")])
        .await
        .ok();
    assert_eq!(c.get(B, "up/a.bin").await.body, b"other");
    let st = stat(&c, "/up/a.bin").await;
    assert_eq!(st.ok()["sha"], sha1_hex(b"other"));

    // fileContent in a JSON body, other spellings; and the legacy file host.
    let r = J::new("/up/j.txt")
        .auth(multi(&c, "/up/j.txt"))
        .h("Host", "ap-guangzhou.file.myqcloud.com")
        .json(json!({"op": "upload", "fileContent": "json text", "bizAttr": "j"}))
        .send(&c)
        .await;
    assert_eq!(
        r.ok()["access_url"],
        format!("http://ap-guangzhou.file.myqcloud.com/{B}/up/j.txt")
    );
    assert_eq!(c.get(B, "up/j.txt").await.body, b"json text");
    assert_eq!(stat(&c, "/up/j.txt").await.ok()["biz_attr"], "j");

    // The signature in the JS SDK's `sign=` query form.
    let r = J::new("/up/a.bin")
        .get()
        .q("op", "stat")
        .q("sign", &multi(&c, "/up/a.bin"))
        .send(&c)
        .await;
    assert_eq!(r.ok()["filesize"], 5);
    server.stop().await;
}

#[tokio::test]
async fn update_file_biz_attr_authority_custom_headers() {
    let (server, c) = setup().await;
    upload(&c, "/u.txt", b"hello", &[]).await.ok();
    let anon = || c.send(Req::new("GET", Some(B), "u.txt").anonymous());
    let acl = || c.send(Req::new("GET", Some(B), "u.txt").q("acl", ""));
    const ALL_USERS: &str = "http://cam.qcloud.com/groups/global/AllUsers";
    assert_eq!(anon().await.status, 403);

    update(&c, "/u.txt", json!({"biz_attr": "new attr"}))
        .await
        .ok();
    assert_eq!(stat(&c, "/u.txt").await.ok()["biz_attr"], "new attr");

    update(&c, "/u.txt", json!({"authority": "eWPrivateRPublic"}))
        .await
        .ok();
    assert_eq!(
        stat(&c, "/u.txt").await.ok()["authority"],
        "eWPrivateRPublic"
    );
    let g = anon().await;
    assert_eq!((g.status, g.body.as_slice()), (200, b"hello".as_slice()));
    let a = acl().await;
    assert!(
        a.status == 200 && a.text().contains(ALL_USERS),
        "{}",
        a.text()
    );

    update(&c, "/u.txt", json!({"authority": "eWRPrivate"}))
        .await
        .ok();
    assert_eq!(stat(&c, "/u.txt").await.ok()["authority"], "eWRPrivate");
    assert_eq!(anon().await.status, 403);
    let a = acl().await;
    assert!(
        a.status == 200 && !a.text().contains(ALL_USERS),
        "{}",
        a.text()
    );
    update(&c, "/u.txt", json!({"authority": "eInvalid"}))
        .await
        .ok();
    assert_eq!(stat(&c, "/u.txt").await.ok()["authority"], "eInvalid");

    // custom_headers as a JSON object (in a JSON body), then as text (in a form).
    let headers = json!({"Content-Type": "text/x-test", "Cache-Control": "no-cache", "x-cos-meta-color": "blue"});
    update(&c, "/u.txt", json!({"custom_headers": headers}))
        .await
        .ok();
    let once_sig = once(&c, "/u.txt");
    let text = r#"{"x-cos-meta-size":"L","Content-Disposition":"attachment"}"#;
    let form = [("op", &b"update"[..]), ("customHeaders", text.as_bytes())];
    J::new("/u.txt")
        .auth(once_sig)
        .form(&form)
        .send(&c)
        .await
        .ok();
    let h = c.send(Req::new("HEAD", Some(B), "u.txt")).await;
    assert_eq!(h.status, 200);
    assert_eq!(h.header("content-type"), Some("text/x-test"));
    assert_eq!(h.header("cache-control"), Some("no-cache"));
    assert_eq!(h.header("content-disposition"), Some("attachment"));
    assert_eq!(h.header("x-cos-meta-color"), Some("blue"));
    assert_eq!(h.header("x-cos-meta-size"), Some("L"));
    let st = stat(&c, "/u.txt").await;
    let ch = &st.ok()["custom_headers"];
    assert_eq!(
        (ch["Content-Type"].as_str(), ch["x-cos-meta-color"].as_str()),
        (Some("text/x-test"), Some("blue"))
    );
    assert_eq!(ch["x-cos-meta-size"], "L");

    // Bad values change nothing.
    update(&c, "/u.txt", json!({"authority": "eWPublic"}))
        .await
        .err(-5999, 400);
    update(&c, "/u.txt", json!({"custom_headers": {"Host": "x"}}))
        .await
        .err(-5999, 400);
    update(&c, "/u.txt", json!({"custom_headers": "not json"}))
        .await
        .err(-5975, 400);
    update(&c, "/u.txt", json!({"biz_attr": "x".repeat(4097)}))
        .await
        .err(-5947, 400);
    update(&c, "/missing.txt", json!({"biz_attr": "x"}))
        .await
        .err(-197, 404);
    assert_eq!(stat(&c, "/u.txt").await.ok()["biz_attr"], "new attr");
    server.stop().await;
}

#[tokio::test]
async fn copy_and_move() {
    let (server, c) = setup().await;
    mkdir(&c, "/a/", None).await.ok();
    mkdir(&c, "/b/", None).await.ok();
    upload(&c, "/a/src.txt", b"source", &[("biz_attr", "s")])
        .await
        .ok();
    let copy = |dest: &str, extra: serde_json::Value| {
        let mut body = json!({"op": "copy", "dest_fileid": dest});
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        J::new("/a/src.txt")
            .auth(multi(&c, "/a/src.txt"))
            .json(body)
            .send(&c)
    };
    // Relative to the source's directory, absolute, and the full fileid form.
    copy("rel.txt", json!({})).await.ok();
    copy("/b/abs.txt", json!({})).await.ok();
    copy(&format!("/{APPID}/{SHORT}/b/full.txt"), json!({}))
        .await
        .ok();
    for key in ["a/rel.txt", "b/abs.txt", "b/full.txt"] {
        assert_eq!(c.get(B, key).await.body, b"source", "{key}");
    }
    let st = stat(&c, "/b/abs.txt").await;
    assert_eq!(
        (st.ok()["biz_attr"].as_str(), st.ok()["sha"].as_str()),
        (Some("s"), Some(&*sha1_hex(b"source")))
    );
    // to_over_write 0 (the default) refuses, 1 replaces.
    upload(&c, "/b/taken.txt", b"old", &[]).await.ok();
    copy("/b/taken.txt", json!({})).await.err(-177, 409);
    copy("/b/taken.txt", json!({"to_over_write": 0}))
        .await
        .err(-177, 409);
    copy("/a/src.txt", json!({})).await.err(-177, 409);
    copy("/b/taken.txt", json!({"to_over_write": 1})).await.ok();
    assert_eq!(c.get(B, "b/taken.txt").await.body, b"source");
    copy("/nodir/x.txt", json!({})).await.err(-166, 404);
    copy("/b/", json!({})).await.err(-5999, 400);
    J::new("/a/src.txt")
        .auth(multi(&c, "/a/src.txt"))
        .json(json!({"op": "copy"}))
        .send(&c)
        .await
        .err(-5999, 400);
    J::new("/a/none.txt")
        .auth(multi(&c, "/a/none.txt"))
        .json(json!({"op": "copy", "dest_fileid": "y"}))
        .send(&c)
        .await
        .err(-197, 404);
    // A once signature is fine for copy.
    let r = J::new("/a/src.txt")
        .auth(once(&c, "/a/src.txt"))
        .json(json!({"op": "copy", "dest_fileid": "once.txt"}))
        .send(&c)
        .await;
    r.ok();

    // move: query parameters, empty body, once signature bound to the source.
    let mv = |src: &str, dest: &str, over: &str| {
        J::new(src)
            .auth(once(&c, src))
            .q("op", "move")
            .q("dest_fileid", dest)
            .q("to_over_write", over)
            .send(&c)
    };
    mv("/a/rel.txt", "/b/taken.txt", "0").await.err(-177, 409);
    mv("/a/rel.txt", "/b/moved.txt", "0").await.ok();
    stat(&c, "/a/rel.txt").await.err(-197, 404);
    assert_eq!(c.get(B, "b/moved.txt").await.body, b"source");
    mv("/b/moved.txt", "/b/taken.txt", "1").await.ok();
    stat(&c, "/b/moved.txt").await.err(-197, 404);
    mv("/b/nothing.txt", "x.txt", "0").await.err(-197, 404);
    server.stop().await;
}

#[tokio::test]
async fn json_and_xml_share_one_namespace() {
    let (server, c) = setup().await;
    mkdir(&c, "/ns/", Some("dir attr")).await.ok();
    upload(&c, "/ns/j.txt", b"from json", &[]).await.ok();
    c.put(B, "ns/x.txt", b"from xml").await;
    assert_eq!(xml_keys(&c, "ns/").await, ["ns/", "ns/j.txt", "ns/x.txt"]);
    let h = c.send(Req::new("HEAD", Some(B), "ns/")).await;
    assert_eq!((h.status, h.header("content-length")), (200, Some("0")));

    let l = list(&c, "/ns/", &[]).await;
    assert_eq!(names(l.ok()), ["j.txt", "x.txt"]);
    let st = stat(&c, "/ns/x.txt").await;
    let d = st.ok();
    assert_eq!(
        (d["filesize"].as_u64(), d["sha"].as_str()),
        (Some(8), Some(""))
    );
    // An XML-written directory marker is a JSON directory; a JSON-deleted file is gone in XML.
    c.put(B, "xmldir/", b"").await;
    assert_eq!(stat(&c, "/xmldir/").await.ok()["name"], "xmldir/");
    mkdir(&c, "/xmldir/", None).await.err(-178, 409);
    delete(&c, "/ns/x.txt").await.ok();
    assert_eq!(c.get(B, "ns/x.txt").await.status, 404);
    server.stop().await;
}

#[tokio::test]
async fn request_errors() {
    let (server, c) = setup().await;
    mkdir(&c, "/e/", None).await.ok();
    let p = "/e/f.txt";
    let post = || J::new(p).auth(multi(&c, p));
    for m in ["PUT", "DELETE"] {
        J::new(p)
            .method(m)
            .auth(multi(&c, p))
            .json(json!({"op": "stat"}))
            .send(&c)
            .await
            .err(-5996, 405);
    }
    post()
        .json(json!({"biz_attr": "x"}))
        .send(&c)
        .await
        .err(-5980, 400);
    J::new(p)
        .get()
        .auth(multi(&c, p))
        .send(&c)
        .await
        .err(-5980, 400);
    post()
        .json(json!({"op": "frobnicate"}))
        .send(&c)
        .await
        .err(-5964, 400);
    post()
        .raw("application/json", "{\"op\": ")
        .send(&c)
        .await
        .err(-5975, 400);
    post()
        .raw("application/json", "[\"op\"]")
        .send(&c)
        .await
        .err(-5975, 400);
    post()
        .raw("text/plain", "op=upload")
        .send(&c)
        .await
        .err(-5999, 400);
    let bad_form = format!("multipart/form-data; boundary={BOUNDARY}");
    post()
        .raw(&bad_form, format!("--{BOUNDARY}\r\nbroken"))
        .send(&c)
        .await
        .err(-5993, 400);
    post()
        .raw("multipart/form-data", "x")
        .send(&c)
        .await
        .err(-5993, 400);
    post()
        .form(&[("op", &b"upload"[..])])
        .send(&c)
        .await
        .err(-5990, 400);
    upload(&c, p, b"x", &[("insertOnly", "2")])
        .await
        .err(-5999, 400);
    upload(&c, p, b"x", &[("sha", "not-a-sha")])
        .await
        .err(-5999, 400);
    let long = "b".repeat(4097);
    upload(&c, p, b"x", &[("biz_attr", &long)])
        .await
        .err(-5947, 400);
    mkdir(&c, "/e/long/", Some(&long)).await.err(-5947, 400);
    mkdir(&c, "/e/ok/", Some(&"b".repeat(4096))).await.ok();
    for num in ["abc", "0", "1001", "-1"] {
        list(&c, "/e/", &[("num", num)]).await.err(-5966, 400);
    }
    list(&c, "/e/", &[("num", "1000")]).await.ok();
    list(&c, "/e/", &[("context", "/zzz/elsewhere")])
        .await
        .err(-5999, 400);
    // Paths that are not /files/v2/<appid>/<bucket>/<path>.
    for bad in [
        "/files/v2/abc/examplebucket/x",
        "/files/v2/1250000000/Upper/x",
        "/files/v2/",
    ] {
        J::at(bad)
            .get()
            .q("op", "stat")
            .auth(multi(&c, "/x"))
            .send(&c)
            .await
            .err(-5994, 400);
    }
    server.stop().await;
}

#[tokio::test]
async fn path_errors() {
    let (server, c) = setup().await;
    mkdir(&c, "/d/", None).await.ok();
    mkdir(&c, "/d/", None).await.err(-178, 409);
    mkdir(&c, "/", None).await.err(-178, 409);
    c.put(B, "implicit/k.txt", b"k").await;
    mkdir(&c, "/implicit/", None).await.err(-178, 409);
    mkdir(&c, "/no/sub/", None).await.err(-166, 404);
    mkdir(&c, "/d/file", None).await.err(-161, 400);
    upload(&c, "/d/x/", b"x", &[]).await.err(-160, 400);
    upload(&c, "/no/x.txt", b"x", &[]).await.err(-166, 404);
    stat(&c, "/d/none.txt").await.err(-197, 404);
    stat(&c, "/none/").await.err(-197, 404);
    delete(&c, "/d/none.txt").await.err(-197, 404);
    let copy = J::new("/d/")
        .auth(multi(&c, "/d/"))
        .json(json!({"op": "copy", "dest_fileid": "x"}));
    copy.send(&c).await.err(-160, 400);
    upload(&c, "/d/f.txt", b"1", &[]).await.ok();
    upload(&c, "/d/f.txt", b"2", &[]).await.err(-177, 409);
    delete(&c, "/d/").await.err(-173, 409);
    delete(&c, "/implicit/").await.err(-173, 409);
    delete(&c, "/").await.err(-180, 400);
    server.stop().await;
}

#[tokio::test]
async fn simple_uploads_over_20_mb_are_refused() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let (server, c) = setup().await;
    let big = vec![b'z'; 20 * MIB + 1];
    upload(&c, "/big.bin", &big, &[]).await.err(-285, 413);
    stat(&c, "/big.bin").await.err(-197, 404);
    upload(&c, "/max.bin", &big[..20 * MIB], &[]).await.ok();

    // A declared body over the limit is answered before it is sent.
    let mut s = tokio::net::TcpStream::connect(c.addr).await.unwrap();
    let head = format!(
        "POST /files/v2/{APPID}/{SHORT}/huge.bin HTTP/1.1\r\nHost: {}\r\nAuthorization: {}\r\n\
         Content-Type: multipart/form-data; boundary={BOUNDARY}\r\nContent-Length: {}\r\n\r\n",
        c.addr,
        multi(&c, "/huge.bin"),
        64 * MIB
    );
    s.write_all(head.as_bytes()).await.unwrap();
    let mut buf = Vec::new();
    tokio::time::timeout(std::time::Duration::from_secs(10), s.read_to_end(&mut buf))
        .await
        .unwrap()
        .unwrap();
    let text = String::from_utf8_lossy(&buf);
    assert!(text.starts_with("HTTP/1.1 413"), "{text}");
    assert!(text.contains("\"code\":-285"), "{text}");
    server.stop().await;
}

#[tokio::test]
async fn names_with_spaces_plus_signs_and_unicode() {
    let (server, c) = setup().await;
    let dir = "/sp ace+/";
    let file = "/sp ace+/a b+中%.txt";
    mkdir(&c, dir, Some("d")).await.ok();
    let r = upload(&c, file, b"odd", &[]).await;
    let d = r.ok();
    let enc = "sp%20ace%2B/a%20b%2B%E4%B8%AD%25.txt";
    assert_eq!(d["access_url"], format!("http://{}/{B}/{enc}", c.addr));
    assert_eq!(d["resource_path"], format!("/{APPID}/{SHORT}{file}"));
    assert_eq!(stat(&c, file).await.ok()["name"], "a b+中%.txt");
    assert_eq!(names(list(&c, dir, &[]).await.ok()), ["a b+中%.txt"]);
    assert_eq!(names(list(&c, "/", &[]).await.ok()), ["sp ace+/"]);
    assert_eq!(c.get(B, "sp ace+/a b+中%.txt").await.body, b"odd");
    let r = J::new(file)
        .auth(multi(&c, file))
        .json(json!({"op": "copy", "dest_fileid": "c d+é.txt"}))
        .send(&c)
        .await;
    r.ok();
    assert_eq!(c.get(B, "sp ace+/c d+é.txt").await.body, b"odd");
    delete(&c, file).await.ok();
    update(&c, dir, json!({"biz_attr": "e"})).await.ok();
    assert_eq!(stat(&c, dir).await.ok()["biz_attr"], "e");
    server.stop().await;
}

#[tokio::test]
async fn body_parameters_override_the_query() {
    let (server, c) = setup().await;
    let r = J::new("/q/")
        .q("op", "stat")
        .auth(multi(&c, "/q/"))
        .json(json!({"op": "create", "biz_attr": "from body"}))
        .send(&c)
        .await;
    assert!(r.ok()["ctime"].is_i64());
    let form = [("op", &b"upload"[..]), ("filecontent", b"body")];
    let r = J::new("/q/f.txt")
        .q("op", "list")
        .q("biz_attr", "from query")
        .auth(multi(&c, "/q/f.txt"))
        .form(&form)
        .send(&c)
        .await;
    r.ok();
    let st = stat(&c, "/q/f.txt").await;
    assert_eq!(
        (st.ok()["biz_attr"].as_str(), st.ok()["filesize"].as_u64()),
        (Some("from query"), Some(4))
    );
    assert_eq!(stat(&c, "/q/").await.ok()["biz_attr"], "from body");
    // An implicit directory gets a marker when its biz_attr is set.
    c.put(B, "imp/k.txt", b"k").await;
    update(&c, "/imp/", json!({"biz_attr": "made"})).await.ok();
    assert_eq!(stat(&c, "/imp/").await.ok()["biz_attr"], "made");
    assert_eq!(xml_keys(&c, "imp/").await, ["imp/", "imp/k.txt"]);
    server.stop().await;
}
