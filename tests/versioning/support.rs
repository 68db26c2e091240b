//! Helpers shared by the versioning tests.

use crate::common::*;
use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{BucketVersioningStatus, VersioningConfiguration};
use aws_sdk_s3::Client as S3;
use base64::Engine as _;

pub(crate) fn root(server: &TestServer) -> S3 {
    s3_client(server.addr, SID, SKEY, None)
}

/// What an SDK error answer carried.
pub(crate) struct Fail {
    pub(crate) status: u16,
    pub(crate) code: String,
    pub(crate) delete_marker: Option<String>,
    pub(crate) version_id: Option<String>,
    pub(crate) last_modified: Option<String>,
}

pub(crate) fn fail<E: ProvideErrorMetadata>(e: SdkError<E>) -> Fail {
    let hdr = |n: &str| {
        e.raw_response()
            .and_then(|r| r.headers().get(n))
            .map(str::to_string)
    };
    Fail {
        status: e.raw_response().map_or(0, |r| r.status().as_u16()),
        code: e.code().unwrap_or_default().to_string(),
        delete_marker: hdr("x-amz-delete-marker"),
        version_id: hdr("x-amz-version-id"),
        last_modified: hdr("last-modified"),
    }
}

pub(crate) async fn set_versioning(s3: &S3, bucket: &str, status: BucketVersioningStatus) {
    s3.put_bucket_versioning()
        .bucket(bucket)
        .versioning_configuration(VersioningConfiguration::builder().status(status).build())
        .send()
        .await
        .unwrap();
}

/// A new bucket with versioning Enabled.
pub(crate) async fn versioned(s3: &S3, bucket: &str) {
    s3.create_bucket().bucket(bucket).send().await.unwrap();
    set_versioning(s3, bucket, BucketVersioningStatus::Enabled).await;
}

/// PUTs `body` and returns the version id the answer names.
pub(crate) async fn put(s3: &S3, bucket: &str, key: &str, body: &[u8]) -> String {
    let out = s3
        .put_object()
        .bucket(bucket)
        .key(key)
        .body(ByteStream::from(body.to_vec()))
        .send()
        .await
        .unwrap();
    out.version_id()
        .unwrap_or_else(|| panic!("PUT {key} names no version"))
        .to_string()
}

pub(crate) async fn get_body(s3: &S3, bucket: &str, key: &str, version: Option<&str>) -> Vec<u8> {
    let out = s3
        .get_object()
        .bucket(bucket)
        .key(key)
        .set_version_id(version.map(str::to_string))
        .send()
        .await
        .unwrap();
    out.body.collect().await.unwrap().into_bytes().to_vec()
}

/// Deletes `key` (a version of it with `version`); returns (x-amz-delete-marker, version id).
pub(crate) async fn delete(
    s3: &S3,
    bucket: &str,
    key: &str,
    version: Option<&str>,
) -> (bool, Option<String>) {
    let out = s3
        .delete_object()
        .bucket(bucket)
        .key(key)
        .set_version_id(version.map(str::to_string))
        .send()
        .await
        .unwrap();
    (
        out.delete_marker().unwrap_or(false),
        out.version_id().map(str::to_string),
    )
}

/// One `Version` or `DeleteMarker` entry of a `ListVersionsResult`, in document order.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Entry {
    pub(crate) marker: bool,
    pub(crate) key: String,
    pub(crate) version: String,
    pub(crate) latest: bool,
}

pub(crate) fn entries(xml: &str) -> Vec<Entry> {
    let mut out = Vec::new();
    let mut rest = xml;
    loop {
        let v = rest.find("<Version>");
        let m = rest.find("<DeleteMarker>");
        let (i, marker) = match (v, m) {
            (Some(a), Some(b)) => (a.min(b), b < a),
            (Some(a), None) => (a, false),
            (None, Some(b)) => (b, true),
            (None, None) => break,
        };
        let close = if marker {
            "</DeleteMarker>"
        } else {
            "</Version>"
        };
        let end = i + rest[i..].find(close).unwrap();
        let e = &rest[i..end];
        let one = |t: &str| xml_all(e, t).into_iter().next().unwrap_or_default();
        out.push(Entry {
            marker,
            key: one("Key"),
            version: one("VersionId"),
            latest: one("IsLatest") == "true",
        });
        rest = &rest[end + close.len()..];
    }
    out
}

/// Every entry of `GET /?versions` (raw, COS dialect) for `prefix`, one page of 1000.
pub(crate) async fn list_raw(c: &Client, bucket: &str, prefix: &str) -> Vec<Entry> {
    let r = c
        .send(
            Req::new("GET", Some(bucket), "")
                .q("versions", "")
                .q("prefix", prefix),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        r.xml("IsTruncated").as_deref(),
        Some("false"),
        "{}",
        r.text()
    );
    entries(&r.text())
}

fn md5_b64(data: &[u8]) -> String {
    use md5::Digest;
    base64::engine::general_purpose::STANDARD.encode(md5::Md5::digest(data))
}

/// A raw `PUT /?versioning` with `body`.
pub(crate) async fn put_versioning_raw(c: &Client, bucket: &str, body: &str) -> Resp {
    c.send(
        Req::new("PUT", Some(bucket), "")
            .q("versioning", "")
            .h("Content-MD5", &md5_b64(body.as_bytes()))
            .h("Content-Type", "application/xml")
            .body(body.as_bytes().to_vec()),
    )
    .await
}

/// A well-formed version id naming no version: `id` one stamp earlier (docs/versioning.md: the
/// base64 of the 20-digit decimal of `u64::MAX - stamp`).
pub(crate) fn neighbour_id(id: &str) -> String {
    let b64 = base64::engine::general_purpose::STANDARD_NO_PAD;
    let digits = String::from_utf8(b64.decode(id).expect("a version id is base64")).unwrap();
    assert_eq!(digits.len(), 20, "{id} decodes to {digits}");
    let n: u64 = digits.parse().unwrap();
    b64.encode(format!("{:020}", n + 1))
}

/// A GET of `key` (a version of it with `version`) that fails: what the answer carried.
pub(crate) async fn get_fail(s3: &S3, bucket: &str, key: &str, version: Option<&str>) -> Fail {
    fail(
        s3.get_object()
            .bucket(bucket)
            .key(key)
            .set_version_id(version.map(str::to_string))
            .send()
            .await
            .unwrap_err(),
    )
}

/// A copy to `key` of `B` from `source` (`bucket/key[?versionId=…]`) that fails.
pub(crate) async fn copy_fail(s3: &S3, key: &str, source: String) -> Fail {
    fail(
        s3.copy_object()
            .bucket(B)
            .key(key)
            .copy_source(source)
            .send()
            .await
            .unwrap_err(),
    )
}

/// A raw (q-sign, COS dialect) `method` on `version` of `key` in `B`.
pub(crate) async fn send_version(c: &Client, method: &str, key: &str, version: &str) -> Resp {
    c.send(Req::new(method, Some(B), key).q("versionId", version))
        .await
}
