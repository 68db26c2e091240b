//! Server-side encryption end to end (docs/encryption.md): SSE-S3 / SSE-COS, SSE-KMS with the
//! admin API's key registry, SSE-C, through `aws-sdk-s3` and raw q-signed COS requests: ranges,
//! multipart, copies between modes, bucket default encryption, refusals that change nothing,
//! and the bytes on disk (chunk segments, the metadata log, RocksDB) never holding plaintext.

#![allow(clippy::unwrap_used)]

mod common;

use aws_sdk_s3::error::ProvideErrorMetadata;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{
    CompletedMultipartUpload, CompletedPart, ServerSideEncryption, ServerSideEncryptionByDefault,
    ServerSideEncryptionConfiguration, ServerSideEncryptionRule,
};
use aws_sdk_s3::Client as S3;
use base64::Engine;
use common::*;

fn b64(b: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(b)
}

fn key_md5(k: &[u8]) -> String {
    use md5::Digest;
    b64(&md5::Md5::digest(k))
}

/// A customer key and its MD5, as the SDK's three fields take them.
struct Ck {
    key: String,
    md5: String,
}

fn ck(seed: u8) -> Ck {
    let k = [seed; 32];
    Ck {
        key: b64(&k),
        md5: key_md5(&k),
    }
}

fn sdk(server: &TestServer) -> S3 {
    s3_client(server.addr, SID, SKEY, None)
}

async fn body(out: aws_sdk_s3::operation::get_object::GetObjectOutput) -> Vec<u8> {
    out.body.collect().await.unwrap().into_bytes().to_vec()
}

fn code<E: ProvideErrorMetadata>(e: &aws_sdk_s3::error::SdkError<E>) -> String {
    e.as_service_error()
        .and_then(|s| s.code())
        .unwrap_or("?")
        .to_string()
}

fn status<E>(e: &aws_sdk_s3::error::SdkError<E, aws_sdk_s3::config::http::HttpResponse>) -> u16 {
    e.raw_response().map_or(0, |r| r.status().as_u16())
}

#[tokio::test]
async fn sse_s3_round_trips_with_ranges_and_echoes_headers() {
    let (server, _c) = setup().await;
    let s3 = sdk(&server);
    // 256 KiB chunks in tests: 700,000 bytes is three chunks, 100 bytes is inline.
    for (key, n) in [("big", 700_000usize), ("small", 100)] {
        let data = random_bytes(n, 7);
        let put = s3
            .put_object()
            .bucket(B)
            .key(key)
            .server_side_encryption(ServerSideEncryption::Aes256)
            .body(ByteStream::from(data.clone()))
            .send()
            .await
            .unwrap();
        assert_eq!(
            put.server_side_encryption(),
            Some(&ServerSideEncryption::Aes256)
        );
        assert_eq!(
            put.e_tag(),
            Some(format!("\"{}\"", md5_hex(&data)).as_str())
        );
        let got = s3.get_object().bucket(B).key(key).send().await.unwrap();
        assert_eq!(
            got.server_side_encryption(),
            Some(&ServerSideEncryption::Aes256)
        );
        assert_eq!(body(got).await, data);
        for (s, e) in [
            (0, 0),
            (10, 60),
            (262_100, 262_200),
            (1, 524_300),
            (n - 1, n - 1),
        ] {
            if e >= n {
                continue;
            }
            let got = s3
                .get_object()
                .bucket(B)
                .key(key)
                .range(format!("bytes={s}-{e}"))
                .send()
                .await
                .unwrap();
            assert_eq!(body(got).await, &data[s..=e], "{key} {s}-{e}");
        }
        let head = s3.head_object().bucket(B).key(key).send().await.unwrap();
        assert_eq!(
            head.server_side_encryption(),
            Some(&ServerSideEncryption::Aes256)
        );
        assert_eq!(head.content_length(), Some(n as i64));
    }
}

#[tokio::test]
async fn sse_cos_headers_on_the_cos_dialect() {
    let (_server, c) = setup().await;
    let data = random_bytes(300_000, 3);
    let r = c
        .send(
            Req::new("PUT", Some(B), "cos.bin")
                .h("x-cos-server-side-encryption", "AES256")
                .body(data.clone()),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("x-cos-server-side-encryption"), Some("AES256"));
    let g = c.get(B, "cos.bin").await;
    assert_eq!(g.body, data);
    assert_eq!(g.header("x-cos-server-side-encryption"), Some("AES256"));
    assert_eq!(
        g.header("etag"),
        Some(format!("\"{}\"", md5_hex(&data)).as_str())
    );
    let bad = c
        .send(
            Req::new("PUT", Some(B), "bad.bin")
                .h("x-cos-server-side-encryption", "AES128")
                .body(b"x".to_vec()),
        )
        .await;
    assert_error(&bad, 400, "InvalidArgument");
    assert_eq!(c.get(B, "bad.bin").await.status, 404);
}

#[tokio::test]
async fn sse_c_needs_the_key_on_every_read() {
    let (server, c) = setup().await;
    let s3 = sdk(&server);
    let (k1, k2) = (ck(1), ck(2));
    for (key, n) in [("c-big", 600_000usize), ("c-small", 50)] {
        let data = random_bytes(n, 11);
        let put = s3
            .put_object()
            .bucket(B)
            .key(key)
            .sse_customer_algorithm("AES256")
            .sse_customer_key(&k1.key)
            .sse_customer_key_md5(&k1.md5)
            .body(ByteStream::from(data.clone()))
            .send()
            .await
            .unwrap();
        assert_eq!(put.sse_customer_algorithm(), Some("AES256"));
        assert_eq!(put.sse_customer_key_md5(), Some(k1.md5.as_str()));
        // The ETag is not the plaintext's MD5 (listings show it without the key).
        let etag = put.e_tag().unwrap().trim_matches('"').to_string();
        assert_ne!(etag, md5_hex(&data));
        assert_eq!(etag.len(), 32);

        // Without the key: 400 InvalidRequest, GET and HEAD alike.
        let e = s3.get_object().bucket(B).key(key).send().await.unwrap_err();
        assert_eq!((status(&e), code(&e).as_str()), (400, "InvalidRequest"));
        let e = s3
            .head_object()
            .bucket(B)
            .key(key)
            .send()
            .await
            .unwrap_err();
        assert_eq!(status(&e), 400);
        let raw = c.get(B, key).await;
        assert_error(&raw, 400, "InvalidRequest");
        assert!(!raw.body.windows(16).any(|w| w == &data[..16]));
        // Another key (with its own, right MD5): 403.
        let e = s3
            .get_object()
            .bucket(B)
            .key(key)
            .sse_customer_algorithm("AES256")
            .sse_customer_key(&k2.key)
            .sse_customer_key_md5(&k2.md5)
            .send()
            .await
            .unwrap_err();
        assert_eq!((status(&e), code(&e).as_str()), (403, "AccessDenied"));
        // The right key with a wrong MD5: 400 InvalidArgument.
        let e = s3
            .get_object()
            .bucket(B)
            .key(key)
            .sse_customer_algorithm("AES256")
            .sse_customer_key(&k1.key)
            .sse_customer_key_md5(&k2.md5)
            .send()
            .await
            .unwrap_err();
        assert_eq!((status(&e), code(&e).as_str()), (400, "InvalidArgument"));
        // The right key.
        let got = s3
            .get_object()
            .bucket(B)
            .key(key)
            .sse_customer_algorithm("AES256")
            .sse_customer_key(&k1.key)
            .sse_customer_key_md5(&k1.md5)
            .send()
            .await
            .unwrap();
        assert_eq!(got.sse_customer_key_md5(), Some(k1.md5.as_str()));
        assert_eq!(body(got).await, data);
        let (s, e) = (n / 3, n / 2 + n / 4);
        let got = s3
            .get_object()
            .bucket(B)
            .key(key)
            .range(format!("bytes={s}-{e}"))
            .sse_customer_algorithm("AES256")
            .sse_customer_key(&k1.key)
            .sse_customer_key_md5(&k1.md5)
            .send()
            .await
            .unwrap();
        assert_eq!(body(got).await, &data[s..=e]);
        let head = s3
            .head_object()
            .bucket(B)
            .key(key)
            .sse_customer_algorithm("AES256")
            .sse_customer_key(&k1.key)
            .sse_customer_key_md5(&k1.md5)
            .send()
            .await
            .unwrap();
        assert_eq!(head.content_length(), Some(n as i64));
    }
    // SSE-C parameters on an object that is not SSE-C: 400.
    c.put(B, "plain", b"plain").await;
    let e = s3
        .get_object()
        .bucket(B)
        .key("plain")
        .sse_customer_algorithm("AES256")
        .sse_customer_key(&k1.key)
        .sse_customer_key_md5(&k1.md5)
        .send()
        .await
        .unwrap_err();
    assert_eq!(status(&e), 400);
}

#[tokio::test]
async fn bad_keys_are_refused_and_change_nothing() {
    let (server, c) = setup().await;
    let s3 = sdk(&server);
    c.put(B, "k", b"original").await;
    let k1 = ck(1);
    let short = b64(&[1u8; 16]);
    type Case<'a> = (Vec<(&'a str, String)>, u16, &'a str);
    let cases: Vec<Case> = vec![
        // A 16-byte key.
        (
            vec![
                (
                    "x-amz-server-side-encryption-customer-algorithm",
                    "AES256".into(),
                ),
                ("x-amz-server-side-encryption-customer-key", short.clone()),
                (
                    "x-amz-server-side-encryption-customer-key-MD5",
                    key_md5(&[1u8; 16]),
                ),
            ],
            400,
            "InvalidArgument",
        ),
        // MD5 of another key.
        (
            vec![
                (
                    "x-amz-server-side-encryption-customer-algorithm",
                    "AES256".into(),
                ),
                ("x-amz-server-side-encryption-customer-key", k1.key.clone()),
                ("x-amz-server-side-encryption-customer-key-MD5", ck(2).md5),
            ],
            400,
            "InvalidArgument",
        ),
        // No MD5.
        (
            vec![
                (
                    "x-amz-server-side-encryption-customer-algorithm",
                    "AES256".into(),
                ),
                ("x-amz-server-side-encryption-customer-key", k1.key.clone()),
            ],
            400,
            "InvalidArgument",
        ),
        // Another algorithm.
        (
            vec![
                (
                    "x-amz-server-side-encryption-customer-algorithm",
                    "AES128".into(),
                ),
                ("x-amz-server-side-encryption-customer-key", k1.key.clone()),
                (
                    "x-amz-server-side-encryption-customer-key-MD5",
                    k1.md5.clone(),
                ),
            ],
            400,
            "InvalidArgument",
        ),
        // An unknown KMS key.
        (
            vec![
                ("x-amz-server-side-encryption", "aws:kms".into()),
                (
                    "x-amz-server-side-encryption-aws-kms-key-id",
                    "no-such-key".into(),
                ),
            ],
            400,
            "KMS.NotFoundException",
        ),
        (
            vec![("x-amz-server-side-encryption", "aws:kms:dsse".into())],
            400,
            "InvalidArgument",
        ),
    ];
    for (headers, st, cd) in cases {
        let mut r = Req::new("PUT", Some(B), "k").body(b"replacement".to_vec());
        for (n, v) in &headers {
            r = r.h(n, v);
        }
        let resp = c.send(r).await;
        assert_error(&resp, st, cd);
        let got = c.get(B, "k").await;
        assert_eq!(got.body, b"original", "{headers:?}");
    }
    let e = s3
        .put_object()
        .bucket(B)
        .key("k")
        .server_side_encryption(ServerSideEncryption::AwsKms)
        .ssekms_key_id("nope")
        .body(ByteStream::from_static(b"x"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        (status(&e), code(&e).as_str()),
        (400, "KMS.NotFoundException")
    );
    assert_eq!(c.get(B, "k").await.body, b"original");
}

#[tokio::test]
async fn sse_kms_keys_from_the_admin_api() {
    let (server, c) = setup().await;
    let s3 = sdk(&server);
    let r = c
        .admin(
            "POST",
            "kms-keys",
            r#"{"id":"app-key","description":"tests"}"#,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(r.text().contains("\"enabled\":true"));
    assert!(!r.text().contains("material") && !r.text().contains("wrapped"));
    assert_eq!(
        c.admin("POST", "kms-keys", r#"{"id":"app-key"}"#)
            .await
            .status,
        409
    );
    assert_eq!(c.admin("GET", "kms-keys/app-key", "").await.status, 200);
    assert_eq!(c.admin("GET", "kms-keys/nope", "").await.status, 404);
    assert!(c
        .admin("GET", "kms-keys", "")
        .await
        .text()
        .contains("app-key"));

    let data = random_bytes(400_000, 5);
    let put = s3
        .put_object()
        .bucket(B)
        .key("kms")
        .server_side_encryption(ServerSideEncryption::AwsKms)
        .ssekms_key_id("arn:aws:kms:ap-guangzhou:1250000000:key/app-key")
        .body(ByteStream::from(data.clone()))
        .send()
        .await
        .unwrap();
    assert_eq!(
        put.server_side_encryption(),
        Some(&ServerSideEncryption::AwsKms)
    );
    assert_eq!(put.ssekms_key_id(), Some("app-key"));
    assert_eq!(
        put.e_tag(),
        Some(format!("\"{}\"", md5_hex(&data)).as_str())
    );
    let got = s3.get_object().bucket(B).key("kms").send().await.unwrap();
    assert_eq!(got.ssekms_key_id(), Some("app-key"));
    assert_eq!(body(got).await, data);

    // COS names: cos/kms and x-cos-server-side-encryption-cos-kms-key-id.
    let r = c
        .send(
            Req::new("PUT", Some(B), "kms-cos")
                .h("x-cos-server-side-encryption", "cos/kms")
                .h("x-cos-server-side-encryption-cos-kms-key-id", "app-key")
                .body(b"cos kms".to_vec()),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("x-cos-server-side-encryption"), Some("cos/kms"));
    assert_eq!(
        r.header("x-cos-server-side-encryption-cos-kms-key-id"),
        Some("app-key")
    );
    // Without a key id: the account's default key, made on first use.
    let r = c
        .send(
            Req::new("PUT", Some(B), "kms-default")
                .h("x-cos-server-side-encryption", "cos/kms")
                .body(b"default kms".to_vec()),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let default_id = r
        .header("x-cos-server-side-encryption-cos-kms-key-id")
        .unwrap()
        .to_string();
    assert_eq!(c.get(B, "kms-default").await.body, b"default kms");
    assert_eq!(
        c.admin("GET", &format!("kms-keys/{default_id}"), "")
            .await
            .status,
        200
    );

    // Disabled: no new objects, no reads; enabled again: both.
    let r = c
        .admin("PUT", "kms-keys/app-key", r#"{"enabled":false}"#)
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let e = s3
        .put_object()
        .bucket(B)
        .key("kms2")
        .server_side_encryption(ServerSideEncryption::AwsKms)
        .ssekms_key_id("app-key")
        .body(ByteStream::from_static(b"x"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        (status(&e), code(&e).as_str()),
        (400, "KMS.DisabledException")
    );
    assert_eq!(c.get(B, "kms2").await.status, 404);
    let r = c.get(B, "kms").await;
    assert_error(&r, 400, "KMS.DisabledException");
    assert_eq!(
        c.admin("PUT", "kms-keys/app-key", r#"{"enabled":true}"#)
            .await
            .status,
        200
    );
    assert_eq!(c.get(B, "kms").await.body, data);
}

#[tokio::test]
async fn bucket_default_encryption() {
    let (server, c) = setup().await;
    let s3 = sdk(&server);
    let e = s3
        .get_bucket_encryption()
        .bucket(B)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        (status(&e), code(&e).as_str()),
        (404, "ServerSideEncryptionConfigurationNotFoundError")
    );
    let conf = |alg: ServerSideEncryption, key: Option<&str>| {
        ServerSideEncryptionConfiguration::builder()
            .rules(
                ServerSideEncryptionRule::builder()
                    .apply_server_side_encryption_by_default(
                        ServerSideEncryptionByDefault::builder()
                            .sse_algorithm(alg)
                            .set_kms_master_key_id(key.map(Into::into))
                            .build()
                            .unwrap(),
                    )
                    .build(),
            )
            .build()
            .unwrap()
    };
    let e = s3
        .put_bucket_encryption()
        .bucket(B)
        .server_side_encryption_configuration(conf(ServerSideEncryption::AwsKms, Some("nope")))
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        (status(&e), code(&e).as_str()),
        (400, "KMS.NotFoundException")
    );
    s3.put_bucket_encryption()
        .bucket(B)
        .server_side_encryption_configuration(conf(ServerSideEncryption::Aes256, None))
        .send()
        .await
        .unwrap();
    let got = s3.get_bucket_encryption().bucket(B).send().await.unwrap();
    let rule = &got.server_side_encryption_configuration().unwrap().rules()[0];
    assert_eq!(
        rule.apply_server_side_encryption_by_default()
            .unwrap()
            .sse_algorithm(),
        &ServerSideEncryption::Aes256
    );
    // A plain PUT is encrypted by default; a PUT naming SSE-C keeps SSE-C.
    let data = random_bytes(300_000, 9);
    let put = s3
        .put_object()
        .bucket(B)
        .key("d")
        .body(ByteStream::from(data.clone()))
        .send()
        .await
        .unwrap();
    assert_eq!(
        put.server_side_encryption(),
        Some(&ServerSideEncryption::Aes256)
    );
    assert_eq!(
        body(s3.get_object().bucket(B).key("d").send().await.unwrap()).await,
        data
    );
    // Append into such a bucket is refused, not stored in plain.
    let r = c
        .send(
            Req::new("POST", Some(B), "app")
                .q("append", "")
                .q("position", "0")
                .body(b"abc".to_vec()),
        )
        .await;
    assert_error(&r, 501, "NotImplemented");
    // A KMS default with the account's key.
    c.admin("POST", "kms-keys", r#"{"id":"bk"}"#).await;
    s3.put_bucket_encryption()
        .bucket(B)
        .server_side_encryption_configuration(conf(ServerSideEncryption::AwsKms, Some("bk")))
        .send()
        .await
        .unwrap();
    let put = s3
        .put_object()
        .bucket(B)
        .key("d2")
        .body(ByteStream::from_static(b"kms by default"))
        .send()
        .await
        .unwrap();
    assert_eq!(put.ssekms_key_id(), Some("bk"));
    s3.delete_bucket_encryption()
        .bucket(B)
        .send()
        .await
        .unwrap();
    assert!(s3.get_bucket_encryption().bucket(B).send().await.is_err());
    let put = s3
        .put_object()
        .bucket(B)
        .key("d3")
        .body(ByteStream::from_static(b"plain"))
        .send()
        .await
        .unwrap();
    assert_eq!(put.server_side_encryption(), None);
    // Objects written under the default stay readable.
    assert_eq!(
        body(s3.get_object().bucket(B).key("d2").send().await.unwrap()).await,
        b"kms by default"
    );
}

#[tokio::test]
async fn multipart_in_every_mode() {
    let (server, _c) = setup().await;
    let s3 = sdk(&server);
    let k1 = ck(4);
    c_multipart(&s3, "mp-c", Some(&k1), None).await;
    c_multipart(&s3, "mp-s3", None, Some(ServerSideEncryption::Aes256)).await;
}

async fn c_multipart(s3: &S3, key: &str, ck: Option<&Ck>, sse: Option<ServerSideEncryption>) {
    let mut init = s3.create_multipart_upload().bucket(B).key(key);
    if let Some(k) = ck {
        init = init
            .sse_customer_algorithm("AES256")
            .sse_customer_key(&k.key)
            .sse_customer_key_md5(&k.md5);
    }
    if let Some(s) = sse.clone() {
        init = init.server_side_encryption(s);
    }
    let up = init.send().await.unwrap();
    let id = up.upload_id().unwrap().to_string();
    let parts_data = [random_bytes(1 << 20, 1), random_bytes(300_000, 2)];
    let mut done = Vec::new();
    for (i, d) in parts_data.iter().enumerate() {
        let n = i as i32 + 1;
        if ck.is_some() {
            // A part without the upload's key is refused.
            let e = s3
                .upload_part()
                .bucket(B)
                .key(key)
                .upload_id(&id)
                .part_number(n)
                .body(ByteStream::from(d.clone()))
                .send()
                .await
                .unwrap_err();
            assert_eq!(status(&e), 400, "{key}");
            let other = self::ck(99);
            let e = s3
                .upload_part()
                .bucket(B)
                .key(key)
                .upload_id(&id)
                .part_number(n)
                .sse_customer_algorithm("AES256")
                .sse_customer_key(&other.key)
                .sse_customer_key_md5(&other.md5)
                .body(ByteStream::from(d.clone()))
                .send()
                .await
                .unwrap_err();
            assert_eq!(status(&e), 403, "{key}");
        }
        let mut p = s3
            .upload_part()
            .bucket(B)
            .key(key)
            .upload_id(&id)
            .part_number(n)
            .body(ByteStream::from(d.clone()));
        if let Some(k) = ck {
            p = p
                .sse_customer_algorithm("AES256")
                .sse_customer_key(&k.key)
                .sse_customer_key_md5(&k.md5);
        }
        let out = p.send().await.unwrap();
        done.push(
            CompletedPart::builder()
                .part_number(n)
                .e_tag(out.e_tag().unwrap())
                .build(),
        );
    }
    let fin = s3
        .complete_multipart_upload()
        .bucket(B)
        .key(key)
        .upload_id(&id)
        .multipart_upload(
            CompletedMultipartUpload::builder()
                .set_parts(Some(done))
                .build(),
        )
        .send()
        .await
        .unwrap();
    if sse.is_some() {
        assert_eq!(fin.server_side_encryption(), sse.as_ref());
    }
    let all: Vec<u8> = parts_data.concat();
    let get = |range: Option<String>| {
        let mut g = s3.get_object().bucket(B).key(key).set_range(range);
        if let Some(k) = ck {
            g = g
                .sse_customer_algorithm("AES256")
                .sse_customer_key(&k.key)
                .sse_customer_key_md5(&k.md5);
        }
        g
    };
    assert_eq!(body(get(None).send().await.unwrap()).await, all);
    // A range across the part boundary.
    let (s, e) = ((1 << 20) - 1000, (1 << 20) + 5000);
    assert_eq!(
        body(get(Some(format!("bytes={s}-{e}"))).send().await.unwrap()).await,
        &all[s..=e]
    );
    if ck.is_some() {
        let e = s3.get_object().bucket(B).key(key).send().await.unwrap_err();
        assert_eq!(status(&e), 400);
    }
}

#[tokio::test]
async fn copies_between_modes() {
    let (server, c) = setup().await;
    let s3 = sdk(&server);
    let (k1, k2) = (ck(1), ck(2));
    let data = random_bytes(500_000, 21);
    s3.put_object()
        .bucket(B)
        .key("src-c")
        .sse_customer_algorithm("AES256")
        .sse_customer_key(&k1.key)
        .sse_customer_key_md5(&k1.md5)
        .body(ByteStream::from(data.clone()))
        .send()
        .await
        .unwrap();
    let src = format!("{B}/src-c");
    // Without the copy-source key: refused, nothing written.
    let e = s3
        .copy_object()
        .bucket(B)
        .key("dst1")
        .copy_source(&src)
        .send()
        .await
        .unwrap_err();
    assert_eq!((status(&e), code(&e).as_str()), (400, "InvalidRequest"));
    assert_eq!(c.get(B, "dst1").await.status, 404);
    // With a wrong copy-source key: 403.
    let e = s3
        .copy_object()
        .bucket(B)
        .key("dst1")
        .copy_source(&src)
        .copy_source_sse_customer_algorithm("AES256")
        .copy_source_sse_customer_key(&k2.key)
        .copy_source_sse_customer_key_md5(&k2.md5)
        .send()
        .await
        .unwrap_err();
    assert_eq!(status(&e), 403);
    // SSE-C -> SSE-S3 (the data key re-wrapped; the ETag becomes the MD5 again).
    let out = s3
        .copy_object()
        .bucket(B)
        .key("dst1")
        .copy_source(&src)
        .copy_source_sse_customer_algorithm("AES256")
        .copy_source_sse_customer_key(&k1.key)
        .copy_source_sse_customer_key_md5(&k1.md5)
        .server_side_encryption(ServerSideEncryption::Aes256)
        .send()
        .await
        .unwrap();
    assert_eq!(
        out.server_side_encryption(),
        Some(&ServerSideEncryption::Aes256)
    );
    assert_eq!(
        out.copy_object_result().unwrap().e_tag(),
        Some(format!("\"{}\"", md5_hex(&data)).as_str())
    );
    assert_eq!(c.get(B, "dst1").await.body, data);
    // SSE-C -> SSE-C under another key.
    s3.copy_object()
        .bucket(B)
        .key("dst2")
        .copy_source(&src)
        .copy_source_sse_customer_algorithm("AES256")
        .copy_source_sse_customer_key(&k1.key)
        .copy_source_sse_customer_key_md5(&k1.md5)
        .sse_customer_algorithm("AES256")
        .sse_customer_key(&k2.key)
        .sse_customer_key_md5(&k2.md5)
        .send()
        .await
        .unwrap();
    let got = s3
        .get_object()
        .bucket(B)
        .key("dst2")
        .sse_customer_algorithm("AES256")
        .sse_customer_key(&k2.key)
        .sse_customer_key_md5(&k2.md5)
        .send()
        .await
        .unwrap();
    assert_eq!(body(got).await, data);
    // SSE-C -> plain: the bytes are opened and written again.
    s3.copy_object()
        .bucket(B)
        .key("dst3")
        .copy_source(&src)
        .copy_source_sse_customer_algorithm("AES256")
        .copy_source_sse_customer_key(&k1.key)
        .copy_source_sse_customer_key_md5(&k1.md5)
        .send()
        .await
        .unwrap();
    let g = c.get(B, "dst3").await;
    assert_eq!(g.body, data);
    assert_eq!(g.header("x-cos-server-side-encryption"), None);
    // plain -> SSE-C, then SSE-S3 in place.
    let out = s3
        .copy_object()
        .bucket(B)
        .key("dst4")
        .copy_source(format!("{B}/dst3"))
        .sse_customer_algorithm("AES256")
        .sse_customer_key(&k2.key)
        .sse_customer_key_md5(&k2.md5)
        .send()
        .await
        .unwrap();
    assert_eq!(out.sse_customer_key_md5(), Some(k2.md5.as_str()));
    assert_eq!(c.get(B, "dst4").await.status, 400);
    s3.copy_object()
        .bucket(B)
        .key("dst3")
        .copy_source(format!("{B}/dst3"))
        .server_side_encryption(ServerSideEncryption::Aes256)
        .send()
        .await
        .unwrap();
    let g = c.get(B, "dst3").await;
    assert_eq!(
        (g.body.as_slice(), g.header("x-cos-server-side-encryption")),
        (data.as_slice(), Some("AES256"))
    );

    // Upload part copy from the SSE-C source into an SSE-S3 upload.
    let up = s3
        .create_multipart_upload()
        .bucket(B)
        .key("mpc")
        .server_side_encryption(ServerSideEncryption::Aes256)
        .send()
        .await
        .unwrap();
    let id = up.upload_id().unwrap();
    let e = s3
        .upload_part_copy()
        .bucket(B)
        .key("mpc")
        .upload_id(id)
        .part_number(1)
        .copy_source(&src)
        .send()
        .await
        .unwrap_err();
    assert_eq!(status(&e), 400);
    let part = s3
        .upload_part_copy()
        .bucket(B)
        .key("mpc")
        .upload_id(id)
        .part_number(1)
        .copy_source(&src)
        .copy_source_range("bytes=100-200099")
        .copy_source_sse_customer_algorithm("AES256")
        .copy_source_sse_customer_key(&k1.key)
        .copy_source_sse_customer_key_md5(&k1.md5)
        .send()
        .await
        .unwrap();
    let etag = part
        .copy_part_result()
        .unwrap()
        .e_tag()
        .unwrap()
        .to_string();
    s3.complete_multipart_upload()
        .bucket(B)
        .key("mpc")
        .upload_id(id)
        .multipart_upload(
            CompletedMultipartUpload::builder()
                .parts(CompletedPart::builder().part_number(1).e_tag(etag).build())
                .build(),
        )
        .send()
        .await
        .unwrap();
    let g = c.get(B, "mpc").await;
    assert_eq!(g.body, &data[100..200_100]);
    assert_eq!(g.header("x-cos-server-side-encryption"), Some("AES256"));
}

/// Every file under `dir`, recursively.
fn files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(files(&p));
        } else {
            out.push(p);
        }
    }
    out
}

fn on_disk(dir: &std::path::Path, needle: &[u8]) -> Vec<std::path::PathBuf> {
    files(dir)
        .into_iter()
        .filter(|p| {
            std::fs::read(p)
                .map(|b| b.windows(needle.len()).any(|w| w == needle))
                .unwrap_or(false)
        })
        .collect()
}

#[tokio::test]
async fn no_plaintext_on_disk() {
    let (server, c) = setup().await;
    let s3 = sdk(&server);
    let k1 = ck(7);
    c.admin("POST", "kms-keys", r#"{"id":"disk"}"#).await;
    // A distinctive plaintext per mode, inline (small) and chunked (large, many repeats).
    let mark = |m: &str| format!("<<cosd-sse-plaintext-marker-{m}>>");
    let big = |m: &str| mark(m).repeat(20_000).into_bytes();
    for (name, size) in [("small", false), ("big", true)] {
        let d = |m: &str| if size { big(m) } else { mark(m).into_bytes() };
        s3.put_object()
            .bucket(B)
            .key(format!("s3-{name}"))
            .server_side_encryption(ServerSideEncryption::Aes256)
            .body(ByteStream::from(d("s3")))
            .send()
            .await
            .unwrap();
        s3.put_object()
            .bucket(B)
            .key(format!("kms-{name}"))
            .server_side_encryption(ServerSideEncryption::AwsKms)
            .ssekms_key_id("disk")
            .body(ByteStream::from(d("kms")))
            .send()
            .await
            .unwrap();
        s3.put_object()
            .bucket(B)
            .key(format!("c-{name}"))
            .sse_customer_algorithm("AES256")
            .sse_customer_key(&k1.key)
            .sse_customer_key_md5(&k1.md5)
            .body(ByteStream::from(d("c")))
            .send()
            .await
            .unwrap();
        // The control: stored as it is, so the search below does see stored bytes.
        c.put(B, &format!("plain-{name}"), &d("plain")).await;
    }
    // Multipart, SSE-C.
    let up = s3
        .create_multipart_upload()
        .bucket(B)
        .key("mp")
        .sse_customer_algorithm("AES256")
        .sse_customer_key(&k1.key)
        .sse_customer_key_md5(&k1.md5)
        .send()
        .await
        .unwrap();
    let p = s3
        .upload_part()
        .bucket(B)
        .key("mp")
        .upload_id(up.upload_id().unwrap())
        .part_number(1)
        .sse_customer_algorithm("AES256")
        .sse_customer_key(&k1.key)
        .sse_customer_key_md5(&k1.md5)
        .body(ByteStream::from(big("mp")))
        .send()
        .await
        .unwrap();
    s3.complete_multipart_upload()
        .bucket(B)
        .key("mp")
        .upload_id(up.upload_id().unwrap())
        .multipart_upload(
            CompletedMultipartUpload::builder()
                .parts(
                    CompletedPart::builder()
                        .part_number(1)
                        .e_tag(p.e_tag().unwrap())
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    // Flush the metadata store too, so RocksDB's tables are on disk beside the log.
    server.state.store.close().unwrap();
    let dir = server.dir.path();
    for m in ["s3", "kms", "c", "mp"] {
        let found = on_disk(dir, mark(m).as_bytes());
        assert!(found.is_empty(), "plaintext of {m} found in {found:?}");
    }
    assert!(!on_disk(dir, mark("plain").as_bytes()).is_empty());
    // Nor is any key kept in the clear: the SSE-C key never, the master key only in its file.
    let raw_key = [7u8; 32];
    assert!(on_disk(dir, &raw_key).is_empty());
    assert!(on_disk(dir, k1.key.as_bytes()).is_empty());
}

#[tokio::test]
async fn altered_chunk_bytes_fail_the_read() {
    let (server, c) = setup().await;
    let s3 = sdk(&server);
    let mark = b"<<tamper-check>>".repeat(20_000);
    s3.put_object()
        .bucket(B)
        .key("t")
        .server_side_encryption(ServerSideEncryption::Aes256)
        .body(ByteStream::from(mark.clone()))
        .send()
        .await
        .unwrap();
    assert_eq!(c.get(B, "t").await.body, mark);
    // Flip one byte in the middle of every chunk segment file's data.
    let segs: Vec<_> = files(&server.dir.path().join("chunks"))
        .into_iter()
        .filter(|p| p.parent().is_some_and(|d| d.ends_with("seg")))
        .collect();
    assert!(!segs.is_empty());
    for p in &segs {
        let mut b = std::fs::read(p).unwrap();
        if b.len() > 8192 {
            let i = 4096 + (b.len() - 4096) / 2;
            b[i] ^= 0x01;
            std::fs::write(p, &b).unwrap();
        }
    }
    let r = c.get(B, "t").await;
    assert_ne!(r.body, mark);
    assert!(!r.body.windows(16).any(|w| w == b"<<tamper-check>>"));
    assert!(
        r.status == 500 || r.body.len() < mark.len(),
        "status {}",
        r.status
    );
}

#[tokio::test]
async fn object_attributes_of_an_sse_c_object_need_its_key() {
    let (server, _c) = setup().await;
    let s3 = sdk(&server);
    let k = ck(5);
    s3.put_object()
        .bucket(B)
        .key("attr")
        .sse_customer_algorithm("AES256")
        .sse_customer_key(&k.key)
        .sse_customer_key_md5(&k.md5)
        .body(ByteStream::from_static(b"attributes"))
        .send()
        .await
        .unwrap();
    let ask = || {
        s3.get_object_attributes()
            .bucket(B)
            .key("attr")
            .object_attributes(aws_sdk_s3::types::ObjectAttributes::ObjectSize)
    };
    let e = ask().send().await.unwrap_err();
    assert_eq!(status(&e), 400);
    let ok = ask()
        .sse_customer_algorithm("AES256")
        .sse_customer_key(&k.key)
        .sse_customer_key_md5(&k.md5)
        .send()
        .await
        .unwrap();
    assert_eq!(ok.object_size(), Some(10));
}
