//! The real `aws-sdk-s3` client against the in-process server, with its default settings
//! (flexible CRC32 checksums, SigV4) and with payload checksums turned off: CRUD, listing v1
//! and v2 with pagination, copy, multipart with and without checksum algorithms, presigned
//! URLs, conditional writes and wrong credentials.

#![allow(clippy::unwrap_used)]

mod common;

use aws_sdk_s3::config::{BehaviorVersion, Credentials, Region, RequestChecksumCalculation};
use aws_sdk_s3::error::ProvideErrorMetadata;
use aws_sdk_s3::operation::RequestId;
use aws_sdk_s3::presigning::PresigningConfig;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{
    ChecksumAlgorithm, ChecksumMode, CompletedMultipartUpload, CompletedPart, Delete,
    MetadataDirective, ObjectIdentifier,
};
use aws_sdk_s3::Client as S3;
use common::*;
use std::time::Duration;

fn s3_with(server: &TestServer, key: &str, secret: &str, region: &str, when_required: bool) -> S3 {
    let mut b = aws_sdk_s3::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .credentials_provider(Credentials::new(key, secret, None, None, "test"))
        .region(Region::new(region.to_string()))
        .endpoint_url(format!("http://{}", server.addr))
        .force_path_style(true)
        .http_client(aws_smithy_http_client::Builder::new().build_http());
    if when_required {
        b = b.request_checksum_calculation(RequestChecksumCalculation::WhenRequired);
    }
    S3::from_conf(b.build())
}

/// The two client configurations every flow runs under.
fn clients(server: &TestServer) -> Vec<(&'static str, S3)> {
    vec![
        ("defaults", s3_with(server, SID, SKEY, REGION, false)),
        (
            "when_required/us-east-2",
            s3_with(server, SID, SKEY, "us-east-2", true),
        ),
    ]
}

async fn body_of(out: aws_sdk_s3::operation::get_object::GetObjectOutput) -> Vec<u8> {
    out.body.collect().await.unwrap().into_bytes().to_vec()
}

#[tokio::test]
async fn crud_listing_and_copy() {
    let server = TestServer::start().await;
    for (i, (name, s3)) in clients(&server).into_iter().enumerate() {
        let bucket = format!("crud{i}-1250000000");
        s3.create_bucket().bucket(&bucket).send().await.unwrap();
        s3.head_bucket().bucket(&bucket).send().await.unwrap();
        let data = random_bytes(700_000, i as u64);
        let put = s3
            .put_object()
            .bucket(&bucket)
            .key("dir/a b.bin")
            .content_type("application/x-test")
            .metadata("color", "blue")
            .body(ByteStream::from(data.clone()))
            .send()
            .await
            .unwrap();
        assert_eq!(
            put.e_tag(),
            Some(format!("\"{}\"", md5_hex(&data)).as_str()),
            "{name}"
        );
        let got = s3
            .get_object()
            .bucket(&bucket)
            .key("dir/a b.bin")
            .send()
            .await
            .unwrap();
        assert_eq!(got.content_type(), Some("application/x-test"));
        assert_eq!(
            got.metadata().unwrap().get("color").map(String::as_str),
            Some("blue")
        );
        assert_eq!(body_of(got).await, data, "{name}");
        let ranged = s3
            .get_object()
            .bucket(&bucket)
            .key("dir/a b.bin")
            .range("bytes=10-19")
            .send()
            .await
            .unwrap();
        assert_eq!(body_of(ranged).await, &data[10..20]);

        for k in 0..23 {
            s3.put_object()
                .bucket(&bucket)
                .key(format!("list/{k:02}"))
                .body(ByteStream::from_static(b"x"))
                .send()
                .await
                .unwrap();
        }
        let mut pages = s3
            .list_objects_v2()
            .bucket(&bucket)
            .prefix("list/")
            .max_keys(5)
            .into_paginator()
            .send();
        let (mut keys, mut n_pages) = (Vec::new(), 0);
        while let Some(page) = pages.next().await {
            let page = page.unwrap();
            n_pages += 1;
            assert!(page.key_count().unwrap() <= 5);
            keys.extend(page.contents().iter().map(|o| o.key().unwrap().to_string()));
        }
        assert_eq!(n_pages, 5, "{name}");
        assert_eq!(keys.len(), 23);
        assert!(keys.windows(2).all(|w| w[0] < w[1]));
        let after = s3
            .list_objects_v2()
            .bucket(&bucket)
            .prefix("list/")
            .start_after("list/20")
            .fetch_owner(true)
            .send()
            .await
            .unwrap();
        assert_eq!(after.key_count(), Some(2));
        assert!(after.contents()[0].owner().is_some());
        let delim = s3
            .list_objects()
            .bucket(&bucket)
            .delimiter("/")
            .send()
            .await
            .unwrap();
        let prefixes: Vec<_> = delim
            .common_prefixes()
            .iter()
            .map(|p| p.prefix().unwrap())
            .collect();
        assert_eq!(prefixes, ["dir/", "list/"]);

        s3.copy_object()
            .bucket(&bucket)
            .key("copy.bin")
            .copy_source(format!("{bucket}/dir/a%20b.bin"))
            .metadata_directive(MetadataDirective::Replace)
            .metadata("color", "red")
            .send()
            .await
            .unwrap();
        let head = s3
            .head_object()
            .bucket(&bucket)
            .key("copy.bin")
            .send()
            .await
            .unwrap();
        assert_eq!(head.content_length(), Some(data.len() as i64));
        assert_eq!(
            head.metadata().unwrap().get("color").map(String::as_str),
            Some("red")
        );

        let ids: Vec<ObjectIdentifier> = (0..23)
            .map(|k| {
                ObjectIdentifier::builder()
                    .key(format!("list/{k:02}"))
                    .build()
                    .unwrap()
            })
            .collect();
        let del = s3
            .delete_objects()
            .bucket(&bucket)
            .delete(Delete::builder().set_objects(Some(ids)).build().unwrap())
            .send()
            .await
            .unwrap();
        assert_eq!(del.deleted().len(), 23, "{name}");
        for k in ["dir/a b.bin", "copy.bin"] {
            s3.delete_object()
                .bucket(&bucket)
                .key(k)
                .send()
                .await
                .unwrap();
        }
        let err = s3
            .get_object()
            .bucket(&bucket)
            .key("copy.bin")
            .send()
            .await
            .unwrap_err();
        assert_eq!(err.code(), Some("NoSuchKey"));
        s3.delete_bucket().bucket(&bucket).send().await.unwrap();
    }
    server.stop().await;
}

#[tokio::test]
async fn checksums_are_verified_stored_and_returned() {
    let server = TestServer::start().await;
    let s3 = s3_with(&server, SID, SKEY, REGION, false);
    let bucket = "sums-1250000000";
    s3.create_bucket().bucket(bucket).send().await.unwrap();
    let data = random_bytes(300_000, 9);
    for algo in [
        ChecksumAlgorithm::Crc32,
        ChecksumAlgorithm::Crc32C,
        ChecksumAlgorithm::Crc64Nvme,
        ChecksumAlgorithm::Sha1,
        ChecksumAlgorithm::Sha256,
    ] {
        let key = format!("sum-{}", algo.as_str());
        let put = s3
            .put_object()
            .bucket(bucket)
            .key(&key)
            .checksum_algorithm(algo.clone())
            .body(ByteStream::from(data.clone()))
            .send()
            .await
            .unwrap();
        let sent = [
            put.checksum_crc32(),
            put.checksum_crc32_c(),
            put.checksum_crc64_nvme(),
            put.checksum_sha1(),
            put.checksum_sha256(),
        ]
        .into_iter()
        .flatten()
        .next()
        .map(str::to_string);
        assert!(sent.is_some(), "{algo:?} echoed on PUT");
        // The SDK validates the returned checksum against the body itself.
        let got = s3
            .get_object()
            .bucket(bucket)
            .key(&key)
            .checksum_mode(ChecksumMode::Enabled)
            .send()
            .await
            .unwrap();
        let back = [
            got.checksum_crc32(),
            got.checksum_crc32_c(),
            got.checksum_crc64_nvme(),
            got.checksum_sha1(),
            got.checksum_sha256(),
        ]
        .into_iter()
        .flatten()
        .next()
        .map(str::to_string);
        assert_eq!(back, sent, "{algo:?}");
        assert_eq!(body_of(got).await, data);
    }
    // A wrong explicit checksum is refused and nothing is stored.
    let err = s3
        .put_object()
        .bucket(bucket)
        .key("bad")
        .checksum_crc32("AAAAAA==")
        .body(ByteStream::from_static(b"hello world"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("BadDigest"));
    let err = s3
        .head_object()
        .bucket(bucket)
        .key("bad")
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_not_found());
    server.stop().await;
}

#[tokio::test]
async fn multipart_with_and_without_checksum_algorithms() {
    let server = TestServer::start().await;
    let s3 = s3_with(&server, SID, SKEY, REGION, false);
    let bucket = "mpu-1250000000";
    s3.create_bucket().bucket(bucket).send().await.unwrap();
    let parts_data = [random_bytes(1024 * 1024 + 5, 1), random_bytes(77_777, 2)];
    let whole: Vec<u8> = parts_data.concat();
    for algo in [
        None,
        Some(ChecksumAlgorithm::Crc32),
        Some(ChecksumAlgorithm::Sha256),
        Some(ChecksumAlgorithm::Crc64Nvme),
    ] {
        let key = format!("mpu-{}", algo.as_ref().map_or("none", |a| a.as_str()));
        let up = s3
            .create_multipart_upload()
            .bucket(bucket)
            .key(&key)
            .set_checksum_algorithm(algo.clone())
            .send()
            .await
            .unwrap();
        let id = up.upload_id().unwrap();
        let mut done = Vec::new();
        for (i, p) in parts_data.iter().enumerate() {
            let r = s3
                .upload_part()
                .bucket(bucket)
                .key(&key)
                .upload_id(id)
                .part_number(i as i32 + 1)
                .set_checksum_algorithm(algo.clone())
                .body(ByteStream::from(p.clone()))
                .send()
                .await
                .unwrap();
            assert_eq!(r.e_tag(), Some(format!("\"{}\"", md5_hex(p)).as_str()));
            done.push(
                CompletedPart::builder()
                    .part_number(i as i32 + 1)
                    .set_e_tag(r.e_tag().map(str::to_string))
                    .set_checksum_crc32(r.checksum_crc32().map(str::to_string))
                    .set_checksum_sha256(r.checksum_sha256().map(str::to_string))
                    .set_checksum_crc64_nvme(r.checksum_crc64_nvme().map(str::to_string))
                    .build(),
            );
        }
        let listed = s3
            .list_parts()
            .bucket(bucket)
            .key(&key)
            .upload_id(id)
            .send()
            .await
            .unwrap();
        assert_eq!(listed.parts().len(), 2);
        if algo == Some(ChecksumAlgorithm::Crc32) {
            assert!(listed.parts()[0].checksum_crc32().is_some());
        }
        let out = s3
            .complete_multipart_upload()
            .bucket(bucket)
            .key(&key)
            .upload_id(id)
            .multipart_upload(
                CompletedMultipartUpload::builder()
                    .set_parts(Some(done))
                    .build(),
            )
            .send()
            .await
            .unwrap();
        assert!(out.e_tag().unwrap().ends_with("-2\""), "{:?}", out.e_tag());
        match &algo {
            Some(ChecksumAlgorithm::Crc32) => {
                assert!(out.checksum_crc32().unwrap().ends_with("-2"))
            }
            Some(ChecksumAlgorithm::Sha256) => {
                assert!(out.checksum_sha256().unwrap().ends_with("-2"))
            }
            Some(ChecksumAlgorithm::Crc64Nvme) => {
                // Full-object: the SDK checks it against the body on the GET below.
                assert!(!out.checksum_crc64_nvme().unwrap().contains('-'))
            }
            _ => {}
        }
        let got = s3
            .get_object()
            .bucket(bucket)
            .key(&key)
            .checksum_mode(ChecksumMode::Enabled)
            .send()
            .await
            .unwrap();
        assert_eq!(body_of(got).await, whole, "{key}");
    }
    // Abort: the upload is gone.
    let up = s3
        .create_multipart_upload()
        .bucket(bucket)
        .key("aborted")
        .send()
        .await
        .unwrap();
    s3.abort_multipart_upload()
        .bucket(bucket)
        .key("aborted")
        .upload_id(up.upload_id().unwrap())
        .send()
        .await
        .unwrap();
    let err = s3
        .list_parts()
        .bucket(bucket)
        .key("aborted")
        .upload_id(up.upload_id().unwrap())
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("NoSuchUpload"));
    server.stop().await;
}

#[tokio::test]
async fn presigned_urls_valid_expired_and_tampered() {
    let server = TestServer::start().await;
    let s3 = s3_with(&server, SID, SKEY, REGION, false);
    let bucket = "presign-1250000000";
    s3.create_bucket().bucket(bucket).send().await.unwrap();
    let http = reqwest::Client::new();
    let cfg = || PresigningConfig::expires_in(Duration::from_secs(600)).unwrap();
    let put = s3
        .put_object()
        .bucket(bucket)
        .key("p/a b.txt")
        .presigned(cfg())
        .await
        .unwrap();
    let r = http
        .put(put.uri())
        .body("presigned body")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let get = s3
        .get_object()
        .bucket(bucket)
        .key("p/a b.txt")
        .presigned(cfg())
        .await
        .unwrap();
    let r = http.get(get.uri()).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.text().await.unwrap(), "presigned body");
    let tampered = get.uri().replace("X-Amz-Signature=", "X-Amz-Signature=0");
    let r = http.get(&tampered).send().await.unwrap();
    assert_eq!(r.status(), 400, "a 65-digit signature is malformed");
    let flipped = {
        let u = get.uri();
        let i = u.find("X-Amz-Signature=").unwrap() + "X-Amz-Signature=".len();
        let c = if &u[i..i + 1] == "a" { "b" } else { "a" };
        format!("{}{}{}", &u[..i], c, &u[i + 1..])
    };
    let r = http.get(&flipped).send().await.unwrap();
    assert_eq!(r.status(), 403);
    assert!(r.text().await.unwrap().contains("SignatureDoesNotMatch"));
    server.clock.advance(Duration::from_secs(601));
    let r = http.get(get.uri()).send().await.unwrap();
    assert_eq!(r.status(), 403);
    assert!(r.text().await.unwrap().contains("expired"));
    server.stop().await;
}

#[tokio::test]
async fn conditional_writes() {
    let server = TestServer::start().await;
    let s3 = s3_with(&server, SID, SKEY, REGION, false);
    let bucket = "cond-1250000000";
    s3.create_bucket().bucket(bucket).send().await.unwrap();
    let first = s3
        .put_object()
        .bucket(bucket)
        .key("k")
        .if_none_match("*")
        .body(ByteStream::from_static(b"one"))
        .send()
        .await
        .unwrap();
    let err = s3
        .put_object()
        .bucket(bucket)
        .key("k")
        .if_none_match("*")
        .body(ByteStream::from_static(b"two"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("PreconditionFailed"));
    let err = s3
        .put_object()
        .bucket(bucket)
        .key("k")
        .if_match("\"00000000000000000000000000000000\"")
        .body(ByteStream::from_static(b"two"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("PreconditionFailed"));
    s3.put_object()
        .bucket(bucket)
        .key("k")
        .if_match(first.e_tag().unwrap())
        .body(ByteStream::from_static(b"two"))
        .send()
        .await
        .unwrap();
    // COS's x-cos-forbid-overwrite answers 409 on an existing key.
    let err = s3
        .put_object()
        .bucket(bucket)
        .key("k")
        .body(ByteStream::from_static(b"three"))
        .customize()
        .mutate_request(|r| {
            r.headers_mut().insert("x-cos-forbid-overwrite", "true");
        })
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("FileAlreadyExists"));
    assert_eq!(err.raw_response().unwrap().status().as_u16(), 409);
    // Complete Multipart Upload honours If-None-Match too.
    let up = s3
        .create_multipart_upload()
        .bucket(bucket)
        .key("k")
        .send()
        .await
        .unwrap();
    let p = s3
        .upload_part()
        .bucket(bucket)
        .key("k")
        .upload_id(up.upload_id().unwrap())
        .part_number(1)
        .body(ByteStream::from_static(b"part"))
        .send()
        .await
        .unwrap();
    let err = s3
        .complete_multipart_upload()
        .bucket(bucket)
        .key("k")
        .upload_id(up.upload_id().unwrap())
        .if_none_match("*")
        .multipart_upload(
            CompletedMultipartUpload::builder()
                .parts(
                    CompletedPart::builder()
                        .part_number(1)
                        .set_e_tag(p.e_tag().map(str::to_string))
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("PreconditionFailed"));
    let got = s3
        .get_object()
        .bucket(bucket)
        .key("k")
        .send()
        .await
        .unwrap();
    assert_eq!(body_of(got).await, b"two");
    server.stop().await;
}

#[tokio::test]
async fn wrong_credentials_are_refused() {
    let server = TestServer::start().await;
    let good = s3_with(&server, SID, SKEY, REGION, false);
    good.create_bucket()
        .bucket("creds-1250000000")
        .send()
        .await
        .unwrap();
    let wrong_secret = s3_with(&server, SID, "not-the-secret", REGION, false);
    let err = wrong_secret
        .list_objects_v2()
        .bucket("creds-1250000000")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("SignatureDoesNotMatch"));
    let err = wrong_secret
        .put_object()
        .bucket("creds-1250000000")
        .key("x")
        .body(ByteStream::from_static(b"x"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("SignatureDoesNotMatch"));
    let unknown = s3_with(&server, "AKIDnobody", SKEY, REGION, false);
    let err = unknown
        .list_objects_v2()
        .bucket("creds-1250000000")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("InvalidAccessKeyId"));
    assert!(err.request_id().is_some_and(|r| !r.is_empty()));
    server.stop().await;
}
