//! SSE-S3 / SSE-COS / SSE-C round trips (ranges, echoed headers, the key on every read), and
//! bad keys refused without changing the stored object.

use crate::common::*;
use crate::support::*;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::ServerSideEncryption;

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
