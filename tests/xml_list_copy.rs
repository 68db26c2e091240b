//! Listing, copy and multi-delete over real HTTP against an in-process server.

#![allow(clippy::unwrap_used)]

mod common;

use common::*;

#[tokio::test]
async fn copy_object_in_and_across_buckets() {
    let (_s, c) = setup().await;
    let b2 = "second-1250000000";
    c.create_bucket(b2).await;
    c.send(
        Req::new("PUT", Some(B), "src dir/ü.txt")
            .body(b"copy me".to_vec())
            .h("x-cos-meta-k", "v")
            .h("Content-Type", "text/x"),
    )
    .await;
    let source = format!(
        "{B}.cos.{REGION}.myqcloud.com/{}",
        url_path("src dir/ü.txt")
    );
    let r = c
        .send(
            Req::new("PUT", Some(b2), "dst.txt")
                .h("x-cos-copy-source", &source)
                .h("x-cos-metadata-directive", "Copy"),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        r.xml("ETag").unwrap(),
        format!("\"{}\"", md5_hex(b"copy me"))
    );
    assert_eq!(
        r.xml("CRC64").unwrap(),
        cosd::checksum::crc64(b"copy me").to_string()
    );
    let g = c.get(b2, "dst.txt").await;
    assert_eq!(g.body, b"copy me");
    assert_eq!(g.header("x-cos-meta-k"), Some("v"));
    assert_eq!(g.header("content-type"), Some("text/x"));
    let r = c
        .send(
            Req::new("PUT", Some(B), "replaced")
                .h("x-cos-copy-source", &source)
                .h("x-cos-metadata-directive", "Replaced")
                .h("x-cos-meta-new", "1")
                .h("Content-Type", "text/y"),
        )
        .await;
    assert_eq!(r.status, 200);
    let g = c.get(B, "replaced").await;
    assert_eq!(
        (
            g.header("x-cos-meta-k"),
            g.header("x-cos-meta-new"),
            g.header("content-type")
        ),
        (None, Some("1"), Some("text/y"))
    );
    // Metadata update in place with Replaced; plain self-copy is refused.
    let self_copy = format!("{B}.cos.{REGION}.myqcloud.com/replaced");
    assert_eq!(
        c.send(
            Req::new("PUT", Some(B), "replaced")
                .h("x-cos-copy-source", &self_copy)
                .h("x-cos-metadata-directive", "Replaced")
                .h("x-cos-meta-z", "2")
        )
        .await
        .status,
        200
    );
    assert_error(
        &c.send(Req::new("PUT", Some(B), "replaced").h("x-cos-copy-source", &self_copy))
            .await,
        400,
        "InvalidRequest",
    );
    // S3 form, failing conditions, missing source, malformed source.
    assert_eq!(
        c.send(
            Req::new("PUT", Some(B), "s3form").h("x-cos-copy-source", &format!("/{b2}/dst.txt"))
        )
        .await
        .status,
        200
    );
    assert_error(
        &c.send(
            Req::new("PUT", Some(B), "x")
                .h("x-cos-copy-source", &source)
                .h("x-cos-copy-source-If-Match", "\"nope\""),
        )
        .await,
        412,
        "PreconditionFailed",
    );
    assert_error(
        &c.send(Req::new("PUT", Some(B), "x").h(
            "x-cos-copy-source",
            &format!("{B}.cos.{REGION}.myqcloud.com/missing"),
        ))
        .await,
        404,
        "NoSuchKey",
    );
    assert_error(
        &c.send(Req::new("PUT", Some(B), "x").h("x-cos-copy-source", "garbage"))
            .await,
        400,
        "InvalidArgument",
    );
    assert_error(
        &c.send(Req::new("PUT", Some(B), "x").h(
            "x-cos-copy-source",
            "nobucket-1250000000.cos.x.myqcloud.com/k",
        ))
        .await,
        404,
        "NoSuchBucket",
    );
    assert_error(
        &c.send(
            Req::new("PUT", Some(B), "x")
                .h("x-cos-copy-source", &source)
                .h("x-cos-metadata-directive", "Sideways"),
        )
        .await,
        400,
        "InvalidArgument",
    );
}

#[tokio::test]
async fn delete_multiple_objects_verbose_and_quiet() {
    let (_s, c) = setup().await;
    for k in ["a", "b", "c"] {
        c.put(B, k, b"x").await;
    }
    let body = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<Delete><Object><Key>a</Key></Object><Object><Key>missing</Key></Object><Quiet>false</Quiet></Delete>";
    let md5 = {
        use base64::Engine;
        use md5::Digest;
        base64::engine::general_purpose::STANDARD.encode(md5::Md5::digest(body.as_bytes()))
    };
    let r = c
        .send(
            Req::new("POST", Some(B), "")
                .q("delete", "")
                .body(body)
                .h("Content-MD5", &md5)
                .h("Content-Type", "application/xml"),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(xml_all(&r.text(), "Key"), ["a", "missing"]);
    let quiet = "<Delete xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Object><Key>b</Key></Object><Quiet>true</Quiet></Delete>";
    let r = c
        .send(Req::new("POST", Some(B), "").q("delete", "").body(quiet))
        .await;
    assert_eq!(r.status, 200);
    assert!(!r.text().contains("<Deleted>"));
    assert_eq!(c.get(B, "b").await.status, 404);
    assert_eq!(c.get(B, "c").await.status, 200);
    assert_error(
        &c.send(
            Req::new("POST", Some(B), "")
                .q("delete", "")
                .body("<Delete><Object>"),
        )
        .await,
        400,
        "MalformedXML",
    );
    assert_error(
        &c.send(
            Req::new("POST", Some(B), "")
                .q("delete", "")
                .body(body)
                .h("Content-MD5", "mQ/fVh815F3k6TAUm8m0eg=="),
        )
        .await,
        400,
        "BadDigest",
    );
}

#[tokio::test]
async fn list_objects_v1_paging_delimiter_and_url_encoding() {
    let (_s, c) = setup().await;
    let mut keys: Vec<String> = (0..1105).map(|i| format!("many/{i:05}")).collect();
    let mut tasks = Vec::new();
    for chunk in keys.chunks(100) {
        let (c, chunk) = (c.clone(), chunk.to_vec());
        tasks.push(tokio::spawn(async move {
            for k in chunk {
                c.put(B, &k, k.as_bytes()).await;
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    for k in ["dir/a b+c.txt", "dir/sub/x", "dir/目录.txt", "top"] {
        c.put(B, k, b"x").await;
        keys.push(k.to_string());
    }
    keys.sort();
    let mut seen = Vec::new();
    let mut marker = String::new();
    loop {
        let r = c
            .send(
                Req::new("GET", Some(B), "")
                    .q("prefix", "")
                    .q("delimiter", "")
                    .q("marker", &marker)
                    .q("max-keys", "1000")
                    .q("encoding-type", "url"),
            )
            .await;
        assert_eq!(r.status, 200);
        let text = r.text();
        seen.extend(
            xml_all(&text, "Key")
                .iter()
                .map(|k| cosd::auth::encode::decode_path(k).unwrap()),
        );
        match r.xml("IsTruncated").as_deref() {
            Some("true") => {
                marker = cosd::auth::encode::decode_path(&r.xml("NextMarker").unwrap()).unwrap()
            }
            Some("false") => break,
            other => panic!("IsTruncated {other:?}"),
        }
    }
    assert_eq!(seen, keys);
    let r = c
        .send(
            Req::new("GET", Some(B), "")
                .q("prefix", "dir/")
                .q("delimiter", "/")
                .q("encoding-type", "url"),
        )
        .await;
    let text = r.text();
    assert_eq!(
        xml_all(&text, "Key"),
        ["dir/a%20b%2Bc.txt", "dir/%E7%9B%AE%E5%BD%95.txt"]
    );
    assert_eq!(xml_all(&text, "Prefix"), ["dir/", "dir/sub/"]);
    assert_eq!(r.xml("EncodingType").as_deref(), Some("url"));
    let r = c
        .send(
            Req::new("GET", Some(B), "")
                .q("delimiter", "/")
                .q("max-keys", "2"),
        )
        .await;
    assert_eq!(r.xml("IsTruncated").as_deref(), Some("true"));
    assert_eq!(
        xml_all(&r.text(), "Prefix").len(),
        3,
        "Prefix element plus two common prefixes"
    );
    assert_error(
        &c.send(Req::new("GET", Some(B), "").q("max-keys", "-1"))
            .await,
        400,
        "InvalidArgument",
    );
    assert_error(
        &c.send(Req::new("GET", Some(B), "").q("encoding-type", "base64"))
            .await,
        400,
        "InvalidArgument",
    );
}

#[tokio::test]
async fn list_objects_v2_continuation() {
    let (_s, c) = setup().await;
    for i in 0..5 {
        c.put(B, &format!("k{i}"), b"x").await;
    }
    let r = c
        .send(
            Req::new("GET", Some(B), "")
                .q("list-type", "2")
                .q("max-keys", "2")
                .q("start-after", "k0"),
        )
        .await;
    assert_eq!(xml_all(&r.text(), "Key"), ["k1", "k2"]);
    assert_eq!(r.xml("KeyCount").as_deref(), Some("2"));
    assert_eq!(r.xml("StartAfter").as_deref(), Some("k0"));
    let token = r.xml("NextContinuationToken").unwrap();
    let r = c
        .send(
            Req::new("GET", Some(B), "")
                .q("list-type", "2")
                .q("continuation-token", &token)
                .q("fetch-owner", "true"),
        )
        .await;
    assert_eq!(xml_all(&r.text(), "Key"), ["k3", "k4"]);
    assert_eq!(r.xml("ContinuationToken").as_deref(), Some(token.as_str()));
    assert_eq!(r.xml("IsTruncated").as_deref(), Some("false"));
    assert!(r.text().contains("<Owner>"));
}
