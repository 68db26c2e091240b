//! Multipart upload, Upload Part - Copy and Append Object over real HTTP.

#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use md5::Digest;

const B: &str = "mp-1250000000";
const MIB: usize = 1024 * 1024;

async fn setup() -> (TestServer, Client) {
    let s = TestServer::start().await;
    let c = s.client();
    c.create_bucket(B).await;
    (s, c)
}

async fn initiate(c: &Client, key: &str) -> String {
    let r = c
        .send(
            Req::new("POST", Some(B), key)
                .q("uploads", "")
                .h("x-cos-meta-a", "1")
                .h("Content-Type", "text/x"),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    r.xml("UploadId").unwrap()
}

async fn part(c: &Client, key: &str, id: &str, n: u32, data: &[u8]) -> Resp {
    c.send(
        Req::new("PUT", Some(B), key)
            .q("partNumber", &n.to_string())
            .q("uploadId", id)
            .body(data.to_vec()),
    )
    .await
}

fn complete_body(parts: &[(u32, String)]) -> String {
    let mut s = String::from("<CompleteMultipartUpload>");
    for (n, e) in parts {
        s.push_str(&format!(
            "<Part><PartNumber>{n}</PartNumber><ETag>{}</ETag></Part>",
            e.replace('"', "&quot;")
        ));
    }
    s + "</CompleteMultipartUpload>"
}

async fn complete(c: &Client, key: &str, id: &str, parts: &[(u32, String)]) -> Resp {
    c.send(
        Req::new("POST", Some(B), key)
            .q("uploadId", id)
            .body(complete_body(parts)),
    )
    .await
}

#[tokio::test]
async fn upload_list_complete_without_copying_part_data() {
    let (s, c) = setup().await;
    let key = "dir/big file.bin";
    let id = initiate(&c, key).await;
    let datas = [
        random_bytes(MIB + 5, 1),
        random_bytes(MIB, 2),
        random_bytes(1000, 3),
    ];
    let mut etags = Vec::new();
    for (i, d) in datas.iter().enumerate() {
        let r = part(&c, key, &id, i as u32 + 1, d).await;
        assert_eq!(r.status, 200, "{}", r.text());
        assert_eq!(r.header("etag").unwrap(), format!("\"{}\"", md5_hex(d)));
        assert_eq!(
            r.header("x-cos-hash-crc64ecma").unwrap(),
            cosd::checksum::crc64(d).to_string()
        );
        etags.push((i as u32 + 1, r.header("etag").unwrap().to_string()));
    }
    let lp = c
        .send(
            Req::new("GET", Some(B), key)
                .q("uploadId", &id)
                .q("max-parts", "2"),
        )
        .await;
    assert_eq!(xml_all(&lp.text(), "PartNumber"), ["1", "2"]);
    assert_eq!(lp.xml("IsTruncated").as_deref(), Some("true"));
    assert_eq!(xml_all(&lp.text(), "Size")[0], (MIB + 5).to_string());
    let lp2 = c
        .send(Req::new("GET", Some(B), key).q("uploadId", &id).q(
            "part-number-marker",
            &lp.xml("NextPartNumberMarker").unwrap(),
        ))
        .await;
    assert_eq!(xml_all(&lp2.text(), "PartNumber"), ["3"]);
    let lu = c
        .send(
            Req::new("GET", Some(B), "")
                .q("uploads", "")
                .q("prefix", "dir/"),
        )
        .await;
    assert_eq!(xml_all(&lu.text(), "UploadId"), std::slice::from_ref(&id));
    assert!(lu.text().contains("<StorageClass>STANDARD</StorageClass>"));
    let chunks_before = s.state.store.fsck(false).unwrap().chunks_on_disk;
    let r = complete(&c, key, &id, &etags).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let whole: Vec<u8> = datas.concat();
    let mut h = md5::Md5::new();
    for d in &datas {
        h.update(md5::Md5::digest(d));
    }
    assert_eq!(
        r.xml("ETag").unwrap(),
        format!("\"{}-3\"", hex::encode(h.finalize()))
    );
    assert_eq!(r.xml("Key").as_deref(), Some(key));
    assert!(r.xml("Location").unwrap().ends_with("/dir/big%20file.bin"));
    assert_eq!(
        r.header("x-cos-hash-crc64ecma").unwrap(),
        cosd::checksum::crc64(&whole).to_string()
    );
    let g = c.get(B, key).await;
    assert!(g.body == whole);
    assert_eq!(g.header("x-cos-meta-a"), Some("1"));
    assert_eq!(g.header("content-type"), Some("text/x"));
    assert_eq!(
        g.header("x-cos-hash-crc64ecma").unwrap(),
        cosd::checksum::crc64(&whole).to_string()
    );
    let report = s.state.store.fsck(false).unwrap();
    assert_eq!(
        report.chunks_on_disk, chunks_before,
        "completion wrote no new chunk"
    );
    assert!(report.is_clean(), "{report}");
    assert_error_code(
        &c.send(Req::new("GET", Some(B), key).q("uploadId", &id))
            .await,
        404,
        "NoSuchUpload",
    );
}

fn assert_error_code(r: &Resp, status: u16, code: &str) {
    assert_eq!(
        (r.status, r.code().as_str()),
        (status, code),
        "{}",
        r.text()
    );
}

#[tokio::test]
async fn complete_validates_parts_and_abort_releases_them() {
    let (s, c) = setup().await;
    let id = initiate(&c, "k").await;
    let small = random_bytes(1000, 4);
    let big = random_bytes(MIB, 5);
    let e1 = part(&c, "k", &id, 1, &small)
        .await
        .header("etag")
        .unwrap()
        .to_string();
    let e2 = part(&c, "k", &id, 2, &big)
        .await
        .header("etag")
        .unwrap()
        .to_string();
    assert_error_code(
        &complete(&c, "k", &id, &[(1, "\"00\"".into())]).await,
        400,
        "InvalidPart",
    );
    assert_error_code(
        &complete(&c, "k", &id, &[(2, e2.clone()), (1, e1.clone())]).await,
        400,
        "InvalidPartOrder",
    );
    assert_error_code(
        &complete(&c, "k", &id, &[(1, e1.clone()), (2, e2.clone())]).await,
        400,
        "EntityTooSmall",
    );
    assert_error_code(
        &complete(&c, "k", &id, &[(3, e1.clone())]).await,
        400,
        "InvalidPart",
    );
    assert_error_code(
        &c.send(
            Req::new("POST", Some(B), "k")
                .q("uploadId", &id)
                .body("<Complete"),
        )
        .await,
        400,
        "MalformedXML",
    );
    for bad in ["0", "10001", "x"] {
        let r = c
            .send(
                Req::new("PUT", Some(B), "k")
                    .q("partNumber", bad)
                    .q("uploadId", &id)
                    .body(b"x".to_vec()),
            )
            .await;
        assert_error_code(&r, 400, "InvalidArgument");
    }
    assert_error_code(
        &part(&c, "k", "deadbeef", 1, b"x").await,
        404,
        "NoSuchUpload",
    );
    assert_error_code(
        &part(&c, "k", "not-hex!", 1, b"x").await,
        404,
        "NoSuchUpload",
    );
    // Re-uploading a part number replaces it.
    let e1b = part(&c, "k", &id, 1, &big)
        .await
        .header("etag")
        .unwrap()
        .to_string();
    let r = complete(&c, "k", &id, &[(1, e1b), (2, e2)]).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(c.get(B, "k").await.body == [big.clone(), big.clone()].concat());
    // Abort: parts released, upload gone.
    let id2 = initiate(&c, "k2").await;
    part(&c, "k2", &id2, 1, &random_bytes(300_000, 9)).await;
    assert_eq!(
        c.send(Req::new("DELETE", Some(B), "k2").q("uploadId", &id2))
            .await
            .status,
        204
    );
    assert_error_code(
        &c.send(Req::new("DELETE", Some(B), "k2").q("uploadId", &id2))
            .await,
        404,
        "NoSuchUpload",
    );
    assert_error_code(&part(&c, "k2", &id2, 2, b"x").await, 404, "NoSuchUpload");
    s.clock.advance(std::time::Duration::from_secs(601));
    s.state.store.gc_once().await.unwrap();
    let report = s.state.store.fsck(false).unwrap();
    assert_eq!(report.orphaned_chunks, 0, "{report}");
    assert!(report.is_clean());
}

#[tokio::test]
async fn complete_and_abort_racing_leave_one_outcome() {
    let (_s, c) = setup().await;
    for round in 0..5 {
        let key = format!("race{round}");
        let id = initiate(&c, &key).await;
        let e = part(&c, &key, &id, 1, b"only part")
            .await
            .header("etag")
            .unwrap()
            .to_string();
        let (c1, c2, k1, k2, i1, i2) = (
            c.clone(),
            c.clone(),
            key.clone(),
            key.clone(),
            id.clone(),
            id.clone(),
        );
        let done = tokio::spawn(async move { complete(&c1, &k1, &i1, &[(1, e)]).await.status });
        let aborted = tokio::spawn(async move {
            c2.send(Req::new("DELETE", Some(B), &k2).q("uploadId", &i2))
                .await
                .status
        });
        let (d, a) = (done.await.unwrap(), aborted.await.unwrap());
        let exists = c.get(B, &key).await.status == 200;
        match (d, a) {
            (200, 404) => assert!(exists),
            (404, 204) => assert!(!exists),
            other => panic!("both or neither won: {other:?}"),
        }
    }
}

#[tokio::test]
async fn concurrent_part_uploads_to_one_upload() {
    let (_s, c) = setup().await;
    let id = initiate(&c, "conc").await;
    // Four chunks and a tail each (2 MiB chunks), so every part's MD5 chain sees several pieces.
    let parts: Vec<Vec<u8>> = (0..8)
        .map(|i| random_bytes(9 * MIB + i * 4099, 20 + i as u64))
        .collect();
    let mut tasks = Vec::new();
    for (i, d) in parts.iter().enumerate() {
        let (c, id, d) = (c.clone(), id.clone(), d.clone());
        tasks.push(tokio::spawn(async move {
            (
                i as u32 + 1,
                part(&c, "conc", &id, i as u32 + 1, &d)
                    .await
                    .header("etag")
                    .unwrap()
                    .to_string(),
            )
        }));
    }
    let mut etags = Vec::new();
    for t in tasks {
        etags.push(t.await.unwrap());
    }
    etags.sort();
    // Parts hashed side by side (OpenSSL or the multi-buffer engine's lanes, as the load
    // decides) each carry their own MD5.
    for (n, etag) in &etags {
        let want = hex::encode(md5::Md5::digest(&parts[*n as usize - 1]));
        assert_eq!(etag.trim_matches('"'), want, "part {n}");
    }
    assert_eq!(complete(&c, "conc", &id, &etags).await.status, 200);
    assert!(c.get(B, "conc").await.body == parts.concat());
}

#[tokio::test]
async fn upload_part_copy_takes_a_range_of_an_object() {
    let (_s, c) = setup().await;
    let src = random_bytes(3 * MIB, 7);
    c.put(B, "src", &src).await;
    let id = initiate(&c, "dst").await;
    let source = format!("{B}.cos.{REGION}.myqcloud.com/src");
    let r = c
        .send(
            Req::new("PUT", Some(B), "dst")
                .q("partNumber", "1")
                .q("uploadId", &id)
                .h("x-cos-copy-source", &source)
                .h(
                    "x-cos-copy-source-range",
                    &format!("bytes=0-{}", MIB * 2 - 1),
                ),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let e1 = r.xml("ETag").unwrap();
    assert_eq!(e1, format!("\"{}\"", md5_hex(&src[..2 * MIB])));
    let tail = random_bytes(10, 8);
    let e2 = part(&c, "dst", &id, 2, &tail)
        .await
        .header("etag")
        .unwrap()
        .to_string();
    assert_eq!(
        complete(&c, "dst", &id, &[(1, e1), (2, e2)]).await.status,
        200
    );
    assert!(c.get(B, "dst").await.body == [&src[..2 * MIB], &tail[..]].concat());
    let r = c
        .send(
            Req::new("PUT", Some(B), "dst")
                .q("partNumber", "1")
                .q("uploadId", &initiate(&c, "dst").await)
                .h("x-cos-copy-source", &source)
                .h("x-cos-copy-source-range", "bytes=9999999-"),
        )
        .await;
    assert_error_code(&r, 400, "InvalidArgument");
}

#[tokio::test]
async fn append_object_grows_and_checks_positions() {
    let (_s, c) = setup().await;
    let r = c
        .send(
            Req::new("POST", Some(B), "log")
                .q("append", "")
                .q("position", "0")
                .body(b"hello ".to_vec()),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("x-cos-next-append-position"), Some("6"));
    assert_eq!(r.header("x-cos-content-sha1").unwrap(), md5_hex(b"hello "));
    let r = c
        .send(
            Req::new("POST", Some(B), "log")
                .q("append", "")
                .q("position", "6")
                .body(b"world".to_vec()),
        )
        .await;
    assert_eq!(r.header("x-cos-next-append-position"), Some("11"));
    assert_eq!(
        r.header("x-cos-hash-crc64ecma").unwrap(),
        cosd::checksum::crc64(b"hello world").to_string()
    );
    let h = c.send(Req::new("HEAD", Some(B), "log")).await;
    assert_eq!(h.header("x-cos-object-type"), Some("appendable"));
    assert_eq!(h.header("content-length"), Some("11"));
    assert_eq!(c.get(B, "log").await.body, b"hello world");
    let r = c
        .send(
            Req::new("POST", Some(B), "log")
                .q("append", "")
                .q("position", "3")
                .body(b"x".to_vec()),
        )
        .await;
    assert_error_code(&r, 409, "PositionNotEqualToLength");
    c.put(B, "plain", b"p").await;
    let r = c
        .send(
            Req::new("POST", Some(B), "plain")
                .q("append", "")
                .q("position", "1")
                .body(b"x".to_vec()),
        )
        .await;
    assert_error_code(&r, 409, "ObjectNotAppendable");
}

#[tokio::test]
async fn stale_uploads_are_aborted_by_age() {
    let (s, c) = setup().await;
    let id = initiate(&c, "old").await;
    part(&c, "old", &id, 1, &random_bytes(100_000, 3)).await;
    assert_eq!(
        s.state
            .store
            .abort_expired_uploads(3600 * 1000)
            .await
            .unwrap(),
        0
    );
    s.clock.advance(std::time::Duration::from_secs(7200));
    assert_eq!(
        s.state
            .store
            .abort_expired_uploads(3600 * 1000)
            .await
            .unwrap(),
        1
    );
    assert_error_code(
        &c.send(Req::new("GET", Some(B), "old").q("uploadId", &id))
            .await,
        404,
        "NoSuchUpload",
    );
}

#[tokio::test]
async fn fsck_counts_parts_of_open_uploads_and_repair_keeps_them() {
    let (s, c) = setup().await;
    let key = "open.bin";
    let id = initiate(&c, key).await;
    let datas = [random_bytes(3 * MIB, 21), random_bytes(3 * MIB, 22)];
    let mut etags = Vec::new();
    for (i, d) in datas.iter().enumerate() {
        let r = part(&c, key, &id, i as u32 + 1, d).await;
        assert_eq!(r.status, 200, "{}", r.text());
        etags.push((i as u32 + 1, r.header("etag").unwrap().to_string()));
    }
    let report = s.state.store.fsck(false).unwrap();
    assert_eq!(report.parts, 2, "{report}");
    assert_eq!(report.refcount_mismatches, 0, "{report}");
    assert_eq!(report.orphaned_chunks, 0, "{report}");
    assert!(report.is_clean(), "{report}");
    let repaired = s.state.store.fsck(true).unwrap();
    assert_eq!(repaired.repaired, 0, "{repaired}");
    // The sweep that runs at start-up queues nothing the parts reference either.
    assert_eq!(s.state.store.sweep_orphans().await.unwrap(), 0);
    s.clock.advance(std::time::Duration::from_secs(3600));
    s.state.store.gc_once().await.unwrap();

    let r = complete(&c, key, &id, &etags).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let g = c.get(B, key).await;
    assert_eq!(g.status, 200);
    assert!(
        g.body == datas.concat(),
        "the completed object has its bytes"
    );
}

#[tokio::test]
async fn a_retried_complete_answers_again_while_the_object_is_that_upload() {
    let (_s, c) = setup().await;
    let id = initiate(&c, "retry").await;
    let e = part(&c, "retry", &id, 1, b"the only part")
        .await
        .header("etag")
        .unwrap()
        .to_string();
    let first = complete(&c, "retry", &id, &[(1, e.clone())]).await;
    assert_eq!(first.status, 200, "{}", first.text());
    // The client missed the answer and retries: the same result, nothing rewritten.
    let again = complete(&c, "retry", &id, &[(1, e.clone())]).await;
    assert_eq!(again.status, 200, "{}", again.text());
    assert_eq!(again.xml("ETag"), first.xml("ETag"));
    assert_eq!(c.get(B, "retry").await.body, b"the only part");
    // A different part list, or an object since replaced, is a finished upload: NoSuchUpload.
    let other = complete(&c, "retry", &id, &[(1, format!("\"{}\"", "0".repeat(32)))]).await;
    assert_error_code(&other, 404, "NoSuchUpload");
    assert_eq!(c.put(B, "retry", b"replaced").await.status, 200);
    let late = complete(&c, "retry", &id, &[(1, e)]).await;
    assert_error_code(&late, 404, "NoSuchUpload");
    assert_eq!(c.get(B, "retry").await.body, b"replaced");
}

#[tokio::test]
async fn get_and_head_by_part_number_answer_that_parts_bytes() {
    let (_s, c) = setup().await;
    let id = initiate(&c, "parts").await;
    let one: Vec<u8> = (0..1024 * 1024).map(|i| (i % 251) as u8).collect();
    let two = b"the short last part".to_vec();
    let e1 = part(&c, "parts", &id, 1, &one)
        .await
        .header("etag")
        .unwrap()
        .to_string();
    let e2 = part(&c, "parts", &id, 2, &two)
        .await
        .header("etag")
        .unwrap()
        .to_string();
    assert_eq!(
        complete(&c, "parts", &id, &[(1, e1), (2, e2)]).await.status,
        200
    );
    let by_part =
        |n: &str, method: &'static str| Req::new(method, Some(B), "parts").q("partNumber", n);
    let r = c.send(by_part("1", "GET")).await;
    assert_eq!(r.status, 206);
    assert_eq!(r.body, one);
    assert_eq!(r.header("x-cos-mp-parts-count"), Some("2"));
    let r = c.send(by_part("2", "GET")).await;
    assert_eq!((r.status, r.body.as_slice()), (206, two.as_slice()));
    assert_eq!(
        r.header("content-range"),
        Some(
            format!(
                "bytes {}-{}/{}",
                one.len(),
                one.len() + two.len() - 1,
                one.len() + two.len()
            )
            .as_str()
        )
    );
    let h = c.send(by_part("2", "HEAD")).await;
    assert_eq!(
        h.header("content-length"),
        Some(two.len().to_string().as_str())
    );
    assert_error_code(&c.send(by_part("3", "GET")).await, 416, "InvalidPartNumber");
    assert_error_code(&c.send(by_part("0", "GET")).await, 400, "InvalidArgument");
    let both = c.send(by_part("1", "GET").h("Range", "bytes=0-1")).await;
    assert_error_code(&both, 400, "InvalidRequest");
    // An object written in one piece is its own part 1.
    assert_eq!(c.put(B, "single", b"whole").await.status, 200);
    let r = c
        .send(Req::new("GET", Some(B), "single").q("partNumber", "1"))
        .await;
    assert_eq!((r.status, r.body.as_slice()), (200, b"whole".as_slice()));
    let r = c
        .send(Req::new("GET", Some(B), "single").q("partNumber", "2"))
        .await;
    assert_error_code(&r, 416, "InvalidPartNumber");
}
