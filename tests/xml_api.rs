//! The COS XML API end to end over real HTTP against an in-process server.

#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[tokio::test]
async fn health_endpoint_answers_on_the_service_host() {
    let s = TestServer::start().await;
    let r = reqwest::get(format!("http://{}/_cosd/health", s.addr))
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("ok"));
}

#[tokio::test]
async fn bucket_lifecycle_and_conflicts() {
    let (_s, c) = setup().await;
    assert_error(
        &c.send(Req::new("PUT", Some(B), "")).await,
        409,
        "BucketAlreadyOwnedByYou",
    );
    let head = c.send(Req::new("HEAD", Some(B), "")).await;
    assert_eq!(head.status, 200);
    assert_eq!(head.header("x-cos-bucket-region"), Some(REGION));
    let list = c
        .send(
            Req::new("GET", None, "")
                .q("marker", "")
                .q("max-keys", "2000"),
        )
        .await;
    assert_eq!(list.status, 200, "{}", list.text());
    assert_eq!(xml_all(&list.text(), "Name"), [B]);
    assert_eq!(list.xml("Location").as_deref(), Some(REGION));
    assert_eq!(list.xml("IsTruncated").as_deref(), Some("false"));
    let loc = c.send(Req::new("GET", Some(B), "").q("location", "")).await;
    assert_eq!(loc.xml("LocationConstraint").as_deref(), Some(REGION));
    c.put(B, "k", b"x").await;
    assert_error(
        &c.send(Req::new("DELETE", Some(B), "")).await,
        409,
        "BucketNotEmpty",
    );
    assert_eq!(c.send(Req::new("DELETE", Some(B), "k")).await.status, 204);
    assert_eq!(c.send(Req::new("DELETE", Some(B), "")).await.status, 204);
    let gone = c.send(Req::new("HEAD", Some(B), "")).await;
    assert_eq!(gone.status, 404);
    assert!(gone.body.is_empty());
    assert_error(&c.get(B, "k").await, 404, "NoSuchBucket");
}

#[tokio::test]
async fn invalid_bucket_names_and_foreign_appids_are_rejected() {
    let (_s, c) = setup().await;
    for bad in [
        "Bad_Name-1250000000",
        "-x-1250000000",
        &format!("{}-1250000000", "a".repeat(51)),
    ] {
        let mut r = Req::new("PUT", None, "");
        r.path = format!("/{bad}");
        r.host = "127.0.0.1".into();
        assert_error(&c.send(r).await, 400, "InvalidBucketName");
    }
    let mut r = Req::new("PUT", None, "");
    r.path = "/nodash".into();
    r.host = "127.0.0.1".into();
    assert_error(&c.send(r).await, 400, "InvalidBucketName");
    assert_error(
        &c.send(Req::new("PUT", Some("other-1250000001"), "")).await,
        403,
        "AccessDenied",
    );
}

#[tokio::test]
async fn put_get_head_delete_with_metadata_and_checksums() {
    let (_s, c) = setup().await;
    let data = b"hello world";
    let r = c
        .send(
            Req::new("PUT", Some(B), "dir/a b+c.txt")
                .body(data.to_vec())
                .h("Content-Type", "text/plain")
                .h("Cache-Control", "max-age=60")
                .h("Content-Disposition", "attachment; filename=\"a.txt\"")
                .h("Content-Encoding", "identity")
                .h("Expires", "Wed, 21 Oct 2026 07:28:00 GMT")
                .h("x-cos-meta-foo", "bar baz")
                .h("x-cos-meta-Upper", "V"),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        r.header("etag"),
        Some("\"5eb63bbbe01eeed093cb22bb8f5acdc3\"")
    );
    assert_eq!(
        r.header("x-cos-hash-crc64ecma"),
        Some("5981764153023615706")
    );
    for method in ["GET", "HEAD"] {
        let g = c.send(Req::new(method, Some(B), "dir/a b+c.txt")).await;
        assert_eq!(g.status, 200);
        assert_eq!(g.header("content-type"), Some("text/plain"));
        assert_eq!(g.header("cache-control"), Some("max-age=60"));
        assert_eq!(
            g.header("content-disposition"),
            Some("attachment; filename=\"a.txt\"")
        );
        assert_eq!(g.header("content-encoding"), Some("identity"));
        assert_eq!(g.header("expires"), Some("Wed, 21 Oct 2026 07:28:00 GMT"));
        assert_eq!(g.header("x-cos-meta-foo"), Some("bar baz"));
        assert_eq!(g.header("x-cos-meta-upper"), Some("V"));
        assert_eq!(g.header("content-length"), Some("11"));
        assert_eq!(
            g.header("x-cos-hash-crc64ecma"),
            Some("5981764153023615706")
        );
        assert!(g.header("last-modified").is_some());
        assert!(g.header("date").is_some());
        if method == "GET" {
            assert_eq!(g.body, data);
        }
    }
    let o = c
        .send(
            Req::new("GET", Some(B), "dir/a b+c.txt")
                .q("response-content-type", "application/json")
                .q("response-cache-control", "no-cache")
                .q("response-content-disposition", "inline"),
        )
        .await;
    assert_eq!(o.header("content-type"), Some("application/json"));
    assert_eq!(o.header("cache-control"), Some("no-cache"));
    assert_eq!(o.header("content-disposition"), Some("inline"));
    assert_eq!(
        c.send(Req::new("DELETE", Some(B), "dir/a b+c.txt"))
            .await
            .status,
        204
    );
    assert_error(&c.get(B, "dir/a b+c.txt").await, 404, "NoSuchKey");
    assert_eq!(
        c.send(Req::new("DELETE", Some(B), "never-existed"))
            .await
            .status,
        204
    );
}

#[tokio::test]
async fn content_md5_is_verified_and_a_mismatch_stores_nothing() {
    let (_s, c) = setup().await;
    let ok = c
        .send(
            Req::new("PUT", Some(B), "m")
                .body(b"hello world".to_vec())
                .h("Content-MD5", "XrY7u+Ae7tCTyyK7j1rNww=="),
        )
        .await;
    assert_eq!(ok.status, 200, "{}", ok.text());
    let bad = c
        .send(
            Req::new("PUT", Some(B), "n")
                .body(b"hello world".to_vec())
                .h("Content-MD5", "mQ/fVh815F3k6TAUm8m0eg=="),
        )
        .await;
    assert_error(&bad, 400, "BadDigest");
    assert_eq!(c.get(B, "n").await.status, 404);
    let invalid = c
        .send(
            Req::new("PUT", Some(B), "n")
                .body(b"x".to_vec())
                .h("Content-MD5", "not-base64!"),
        )
        .await;
    assert_error(&invalid, 400, "InvalidDigest");
    // Overwriting with a bad digest keeps the old object intact.
    let bad = c
        .send(
            Req::new("PUT", Some(B), "m")
                .body(b"other".to_vec())
                .h("Content-MD5", "mQ/fVh815F3k6TAUm8m0eg=="),
        )
        .await;
    assert_eq!(bad.status, 400);
    assert_eq!(c.get(B, "m").await.body, b"hello world");
}

#[tokio::test]
async fn large_objects_stream_through_chunks_and_overwrite() {
    let (s, c) = setup().await;
    let data = random_bytes(3 * 1024 * 1024 + 17, 1);
    let r = c.put(B, "big.bin", &data).await;
    assert_eq!(r.header("etag").unwrap(), format!("\"{}\"", md5_hex(&data)));
    assert_eq!(
        r.header("x-cos-hash-crc64ecma").unwrap(),
        cosd::checksum::crc64(&data).to_string()
    );
    let g = c.get(B, "big.bin").await;
    assert_eq!(g.body.len(), data.len());
    assert!(g.body == data);
    let rg = c
        .send(Req::new("GET", Some(B), "big.bin").h("Range", "bytes=262000-600000"))
        .await;
    assert_eq!(rg.status, 206);
    assert!(rg.body == data[262000..=600000]);
    assert_eq!(
        rg.header("content-range"),
        Some(format!("bytes 262000-600000/{}", data.len()).as_str())
    );
    assert_eq!(
        rg.header("x-cos-hash-crc64ecma").unwrap(),
        cosd::checksum::crc64(&data).to_string(),
        "whole-object CRC on ranges"
    );
    let other = random_bytes(1000, 2);
    c.put(B, "big.bin", &other).await;
    assert_eq!(c.get(B, "big.bin").await.body, other);
    // Identical content under another key is stored once.
    c.put(B, "copy1.bin", &data).await;
    c.put(B, "copy2.bin", &data).await;
    let report = s.state.store.fsck(false).unwrap();
    assert!(report.is_clean(), "{report}");
    assert_eq!(
        report.chunks_on_disk, 13,
        "3 MiB in 256 KiB chunks, stored once for two keys"
    );
}

#[tokio::test]
async fn ranges_single_suffix_open_ended_and_unsatisfiable() {
    let (_s, c) = setup().await;
    c.put(B, "r", b"0123456789").await;
    let cases = [
        ("bytes=2-5", 206, "2345", Some("bytes 2-5/10")),
        ("bytes=-3", 206, "789", Some("bytes 7-9/10")),
        ("bytes=5-", 206, "56789", Some("bytes 5-9/10")),
        ("bytes=8-100", 206, "89", Some("bytes 8-9/10")),
        ("bytes=junk", 200, "0123456789", None),
    ];
    for (range, status, body, cr) in cases {
        let r = c
            .send(Req::new("GET", Some(B), "r").h("Range", range))
            .await;
        assert_eq!(r.status, status, "{range}");
        assert_eq!(r.text(), body, "{range}");
        assert_eq!(r.header("content-range"), cr, "{range}");
    }
    let r = c
        .send(Req::new("GET", Some(B), "r").h("Range", "bytes=10-"))
        .await;
    assert_error(&r, 416, "InvalidRange");
    assert_eq!(r.header("content-range"), Some("bytes */10"));
}

#[tokio::test]
async fn conditional_get_and_head() {
    let (_s, c) = setup().await;
    let etag = c
        .put(B, "c", b"abc")
        .await
        .header("etag")
        .unwrap()
        .to_string();
    let past = "Sat, 01 Jan 2000 00:00:00 GMT";
    let future = httpdate::fmt_http_date(std::time::SystemTime::now() + Duration::from_secs(86400));
    let rows: &[(&str, &str, u16)] = &[
        ("If-Match", &etag, 200),
        ("If-Match", "\"0000\"", 412),
        ("If-None-Match", &etag, 304),
        ("If-None-Match", "\"0000\"", 200),
        ("If-Modified-Since", &future, 304),
        ("If-Modified-Since", past, 200),
        ("If-Unmodified-Since", past, 412),
        ("If-Unmodified-Since", &future, 200),
    ];
    for (h, v, status) in rows {
        for method in ["GET", "HEAD"] {
            let r = c.send(Req::new(method, Some(B), "c").h(h, v)).await;
            assert_eq!(r.status, *status, "{method} {h}: {v}");
            if *status == 304 {
                assert_eq!(r.header("etag"), Some(etag.as_str()));
                assert!(r.body.is_empty());
            }
        }
    }
    // If-Match true wins over If-Unmodified-Since false (RFC 7232 §6).
    let r = c
        .send(
            Req::new("GET", Some(B), "c")
                .h("If-Match", &etag)
                .h("If-Unmodified-Since", past),
        )
        .await;
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn response_header_names_are_spelled_as_the_python_sdk_reads_them() {
    let (s, c) = setup().await;
    c.put(B, "case.txt", b"abc").await;
    let now = c.now();
    let headers = vec![("Host".to_string(), vhost(B))];
    let auth = authorization(
        SID,
        SKEY,
        "GET",
        "/case.txt",
        &[],
        &headers,
        now - 60,
        now + 600,
    );
    let mut tcp = tokio::net::TcpStream::connect(s.addr).await.unwrap();
    let req = format!(
        "GET /case.txt HTTP/1.1\r\nHost: {}\r\nAuthorization: {auth}\r\nConnection: close\r\n\r\n",
        vhost(B)
    );
    tcp.write_all(req.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    tcp.read_to_end(&mut raw).await.unwrap();
    let text = String::from_utf8_lossy(&raw);
    let head = text.split("\r\n\r\n").next().unwrap();
    for exact in [
        "\r\nETag: \"",
        "\r\nContent-Length: 3",
        "\r\nLast-Modified: ",
        "\r\nContent-Type: ",
        "\r\nDate: ",
        "\r\nx-cos-hash-crc64ecma: ",
        "\r\nx-cos-request-id: ",
    ] {
        assert!(head.contains(exact), "missing {exact:?} in\n{head}");
    }
}

#[tokio::test]
async fn signatures_expiry_skew_and_wrong_keys() {
    let (s, c) = setup().await;
    c.put(B, "s.txt", b"sig").await;
    let mut wrong = s.client();
    wrong.skey = "wrong".into();
    assert_error(&wrong.get(B, "s.txt").await, 403, "SignatureDoesNotMatch");
    wrong.sid = "AKIDunknown".into();
    assert_error(&wrong.get(B, "s.txt").await, 403, "InvalidAccessKeyId");
    // Presigned query form (Python get_presigned_url shape).
    let now = c.now();
    let headers = vec![("Host".to_string(), vhost(B))];
    let auth = authorization(
        SID,
        SKEY,
        "GET",
        "/s.txt",
        &[],
        &headers,
        now - 60,
        now + 30,
    );
    let url = format!("http://{}/s.txt?{}", s.addr, auth.replace(';', "%3B"));
    let get = |url: String| async move {
        reqwest::Client::new()
            .get(url)
            .header("Host", vhost(B))
            .send()
            .await
            .unwrap()
    };
    let r = get(url.clone()).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.bytes().await.unwrap().as_ref(), b"sig");
    let tampered = url.replace("/s.txt?", "/t.txt?");
    assert_eq!(get(tampered).await.status(), 403);
    s.clock.advance(Duration::from_secs(120));
    let r = get(url).await;
    assert_eq!(r.status(), 403);
    let text = r.text().await.unwrap();
    assert!(
        text.contains("<Code>AccessDenied</Code>")
            && text.contains("<Message>Request has expired</Message>"),
        "{text}"
    );
    // A signature that starts far in the future.
    s.clock.set_offset_secs(-3600);
    let mut ahead = s.client();
    ahead.clock = std::sync::Arc::new(cosd::clock::OffsetClock::default());
    assert_error(&ahead.get(B, "s.txt").await, 403, "RequestTimeTooSkewed");
}

#[tokio::test]
async fn anonymous_access_follows_the_canned_acl() {
    let (_s, c) = setup().await;
    c.put(B, "private.txt", b"p").await;
    assert_error(
        &c.send(Req::new("GET", Some(B), "private.txt").anonymous())
            .await,
        403,
        "AccessDenied",
    );
    assert_error(
        &c.send(Req::new("GET", Some(B), "missing").anonymous())
            .await,
        403,
        "AccessDenied",
    );
    assert_error(
        &c.send(Req::new("GET", None, "").anonymous()).await,
        403,
        "AccessDenied",
    );
    let public = "public-1250000000";
    assert_eq!(
        c.send(Req::new("PUT", Some(public), "").h("x-cos-acl", "public-read"))
            .await
            .status,
        200
    );
    c.put(public, "p.txt", b"public").await;
    let r = c
        .send(Req::new("GET", Some(public), "p.txt").anonymous())
        .await;
    assert_eq!((r.status, r.body.as_slice()), (200, b"public".as_slice()));
    assert_eq!(
        c.send(Req::new("GET", Some(public), "").anonymous())
            .await
            .status,
        200
    );
    assert_error(
        &c.send(
            Req::new("PUT", Some(public), "new")
                .body(b"x".to_vec())
                .anonymous(),
        )
        .await,
        403,
        "AccessDenied",
    );
    assert_error(
        &c.send(Req::new("DELETE", Some(public), "").anonymous())
            .await,
        403,
        "AccessDenied",
    );
    assert_error(
        &c.send(Req::new("PUT", Some("bad-acl-1250000000"), "").h("x-cos-acl", "everyone"))
            .await,
        400,
        "InvalidArgument",
    );
    // An empty Authorization header is anonymous (Python's Anonymous=True).
    let r = c
        .send(
            Req::new("GET", Some(public), "p.txt")
                .anonymous()
                .h("Authorization", ""),
        )
        .await;
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn path_style_requests_signed_over_the_key_alone_are_refused() {
    let (_s, c) = setup().await;
    let mut r = Req::new("PUT", None, "dir/x.txt").body(b"ps".to_vec());
    r.host = "127.0.0.1".into();
    // Signed as /dir/x.txt (the COS SDKs' Domain path-style mode), sent as
    // /<bucket>/dir/x.txt: good in every bucket, so refused (docs/signatures.md).
    r.path = format!("/{B}/dir/x.txt");
    let now = c.now();
    let auth = authorization(
        SID,
        SKEY,
        "PUT",
        "/dir/x.txt",
        &[],
        &[
            ("Host".into(), "127.0.0.1".into()),
            ("Content-Length".into(), "2".into()),
        ],
        now - 60,
        now + 600,
    );
    r = r.h("Authorization", &auth).anonymous();
    let resp = c.send(r).await;
    assert_error(&resp, 403, "SignatureDoesNotMatch");
    assert!(
        resp.text().contains("/&lt;bucket&gt;/&lt;key&gt;"),
        "{}",
        resp.text()
    );
    assert_eq!(c.get(B, "dir/x.txt").await.status, 404);
}

#[tokio::test]
async fn bad_input_gets_cos_errors_and_changes_nothing() {
    let (s, c) = setup().await;
    c.put(B, "keep", b"keep").await;
    assert_error(
        &c.send(Req::new("PUT", Some(B), &"k".repeat(851)).body(b"x".to_vec()))
            .await,
        400,
        "KeyTooLong",
    );
    assert_eq!(
        c.send(Req::new("PUT", Some(B), &"k".repeat(850)).body(b"x".to_vec()))
            .await
            .status,
        200
    );
    assert_error(
        &c.send(
            Req::new("PUT", Some(B), "m")
                .body(b"x".to_vec())
                .h("x-cos-meta-big", &"v".repeat(2100)),
        )
        .await,
        400,
        "MetadataTooLarge",
    );
    assert_error(
        &c.send(
            Req::new("PUT", Some(B), "m")
                .body(b"x".to_vec())
                .h("x-cos-storage-class", "GOLD"),
        )
        .await,
        400,
        "InvalidArgument",
    );
    assert_error(
        &c.send(Req::new("GET", Some(B), "keep").q("torrent", ""))
            .await,
        501,
        "NotImplemented",
    );
    assert_error(
        &c.send(Req::new("PATCH", Some(B), "keep")).await,
        405,
        "MethodNotAllowed",
    );
    assert_error(
        &c.send(Req::new("PUT", Some(B), "").body("<Create")).await,
        400,
        "MalformedXML",
    );
    // A body shorter than its Content-Length, then the connection closes: nothing is stored.
    let now = c.now();
    let hdrs = vec![
        ("Host".to_string(), vhost(B)),
        ("Content-Length".to_string(), "100000".to_string()),
    ];
    let auth = authorization(
        SID,
        SKEY,
        "PUT",
        "/truncated",
        &[],
        &hdrs,
        now - 60,
        now + 600,
    );
    let mut tcp = tokio::net::TcpStream::connect(s.addr).await.unwrap();
    let head = format!("PUT /truncated HTTP/1.1\r\nHost: {}\r\nContent-Length: 100000\r\nAuthorization: {auth}\r\n\r\n", vhost(B));
    tcp.write_all(head.as_bytes()).await.unwrap();
    tcp.write_all(&[7u8; 5000]).await.unwrap();
    tcp.shutdown().await.unwrap();
    let mut sink = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), tcp.read_to_end(&mut sink)).await;
    assert_eq!(c.get(B, "truncated").await.status, 404);
    // A PUT without Content-Length or chunked framing.
    let mut tcp = tokio::net::TcpStream::connect(s.addr).await.unwrap();
    let hdrs = vec![("Host".to_string(), vhost(B))];
    let auth = authorization(SID, SKEY, "PUT", "/nolen", &[], &hdrs, now - 60, now + 600);
    tcp.write_all(
        format!(
            "PUT /nolen HTTP/1.1\r\nHost: {}\r\nAuthorization: {auth}\r\nConnection: close\r\n\r\n",
            vhost(B)
        )
        .as_bytes(),
    )
    .await
    .unwrap();
    let mut raw = Vec::new();
    tcp.read_to_end(&mut raw).await.unwrap();
    assert!(
        String::from_utf8_lossy(&raw).starts_with("HTTP/1.1 411"),
        "{}",
        String::from_utf8_lossy(&raw)
    );
    // Invalid percent-encoding in the path.
    let mut r = Req::new("GET", Some(B), "x");
    r.path = "/%FF%FE".into();
    assert_error(&c.send(r.anonymous()).await, 400, "InvalidURI");
    // A garbage Authorization header.
    assert_error(
        &c.send(
            Req::new("GET", Some(B), "keep")
                .anonymous()
                .h("Authorization", "Bearer abc"),
        )
        .await,
        403,
        "AccessDenied",
    );
    assert_error(
        &c.send(
            Req::new("GET", Some(B), "keep")
                .anonymous()
                .h("Authorization", "q-sign-algorithm=sha1&q-ak=x"),
        )
        .await,
        403,
        "AccessDenied",
    );
    assert_eq!(c.get(B, "keep").await.body, b"keep");
    assert!(s.state.store.fsck(false).unwrap().is_clean());
}
