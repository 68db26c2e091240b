//! Multipart uploads in every mode, and copies (object and upload part) between modes.

use crate::common::*;
use crate::support::*;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{CompletedMultipartUpload, CompletedPart, ServerSideEncryption};
use aws_sdk_s3::Client as S3;

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
