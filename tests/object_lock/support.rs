//! Helpers shared by the object lock tests.

use crate::common::*;
use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_s3::operation::get_object_lock_configuration::GetObjectLockConfigurationOutput;
use aws_sdk_s3::primitives::{ByteStream, DateTime};
use aws_sdk_s3::types::{
    BucketVersioningStatus, DefaultRetention, ObjectLockConfiguration, ObjectLockEnabled,
    ObjectLockMode, ObjectLockRetention, ObjectLockRetentionMode, ObjectLockRule,
    VersioningConfiguration,
};
use aws_sdk_s3::Client as S3;
use base64::Engine as _;

/// The bucket with object lock most tests use.
pub(crate) const L: &str = "locked-1250000000";
pub(crate) const DAY: i64 = 86_400;

pub(crate) fn root(server: &TestServer) -> S3 {
    s3_client(server.addr, SID, SKEY, None)
}

#[derive(Debug)]
pub(crate) struct Fail {
    pub(crate) status: u16,
    pub(crate) code: String,
}

pub(crate) fn fail<E: ProvideErrorMetadata>(e: SdkError<E>) -> Fail {
    Fail {
        status: e.raw_response().map_or(0, |r| r.status().as_u16()),
        code: e.code().unwrap_or_default().to_string(),
    }
}

#[track_caller]
pub(crate) fn assert_fail(f: Fail, status: u16, code: &str) {
    assert_eq!((f.status, f.code.as_str()), (status, code));
}

/// A server with `B` (plain) and `L` (created with object lock).
pub(crate) async fn start() -> (TestServer, Client, S3) {
    let (server, c) = setup().await;
    let s3 = root(&server);
    s3.create_bucket()
        .bucket(L)
        .object_lock_enabled_for_bucket(true)
        .send()
        .await
        .unwrap();
    (server, c, s3)
}

fn md5_b64(data: &[u8]) -> String {
    use md5::Digest;
    base64::engine::general_purpose::STANDARD.encode(md5::Md5::digest(data))
}

/// A raw PUT of an XML body to `?{sub}` of `key` (`""`: the bucket), with Content-MD5.
pub(crate) fn xml_put<'a>(bucket: &str, key: &str, sub: &str, body: &str) -> Req<'a> {
    Req::new("PUT", Some(bucket), key)
        .q(sub, "")
        .h("Content-MD5", &md5_b64(body.as_bytes()))
        .h("Content-Type", "application/xml")
        .body(body.as_bytes().to_vec())
}

fn rule(
    mode: ObjectLockRetentionMode,
    days: Option<i32>,
    years: Option<i32>,
) -> ObjectLockConfiguration {
    ObjectLockConfiguration::builder()
        .object_lock_enabled(ObjectLockEnabled::Enabled)
        .rule(
            ObjectLockRule::builder()
                .default_retention(
                    DefaultRetention::builder()
                        .mode(mode)
                        .set_days(days)
                        .set_years(years)
                        .build(),
                )
                .build(),
        )
        .build()
}

/// PUTs `L`'s object lock configuration with a default retention rule (`rule`).
pub(crate) async fn set_default_retention(
    s3: &S3,
    mode: ObjectLockRetentionMode,
    days: Option<i32>,
    years: Option<i32>,
) {
    s3.put_object_lock_configuration()
        .bucket(L)
        .object_lock_configuration(rule(mode, days, years))
        .send()
        .await
        .unwrap();
}

/// GET `bucket`'s object lock configuration.
pub(crate) async fn lock_config(
    s3: &S3,
    bucket: &str,
) -> Result<GetObjectLockConfigurationOutput, Fail> {
    s3.get_object_lock_configuration()
        .bucket(bucket)
        .send()
        .await
        .map_err(fail)
}

/// PUT `bucket`'s versioning status.
pub(crate) async fn set_versioning(
    s3: &S3,
    bucket: &str,
    status: BucketVersioningStatus,
) -> Result<(), Fail> {
    s3.put_bucket_versioning()
        .bucket(bucket)
        .versioning_configuration(VersioningConfiguration::builder().status(status).build())
        .send()
        .await
        .map(|_| ())
        .map_err(fail)
}

/// A raw PUT of `body` to `key` with the COS dialect's lock headers, each when given.
pub(crate) fn lock_put<'a>(
    bucket: &str,
    key: &str,
    mode: Option<&str>,
    until: Option<&str>,
    body: &[u8],
) -> Req<'a> {
    let mut r = Req::new("PUT", Some(bucket), key);
    if let Some(mode) = mode {
        r = r.h("x-cos-object-lock-mode", mode);
    }
    if let Some(until) = until {
        r = r.h("x-cos-object-lock-retain-until-date", until);
    }
    r.body(body.to_vec())
}

pub(crate) fn retention(mode: ObjectLockRetentionMode, until: i64) -> ObjectLockRetention {
    ObjectLockRetention::builder()
        .mode(mode)
        .retain_until_date(DateTime::from_secs(until))
        .build()
}

pub(crate) async fn put(s3: &S3, bucket: &str, key: &str) -> String {
    s3.put_object()
        .bucket(bucket)
        .key(key)
        .body(ByteStream::from_static(b"locked data"))
        .send()
        .await
        .unwrap()
        .version_id()
        .unwrap()
        .to_string()
}

pub(crate) async fn put_locked(
    s3: &S3,
    bucket: &str,
    key: &str,
    mode: ObjectLockMode,
    until: i64,
) -> String {
    s3.put_object()
        .bucket(bucket)
        .key(key)
        .object_lock_mode(mode)
        .object_lock_retain_until_date(DateTime::from_secs(until))
        .body(ByteStream::from_static(b"locked data"))
        .send()
        .await
        .unwrap()
        .version_id()
        .unwrap()
        .to_string()
}

/// The (mode, retain-until seconds) of a version.
pub(crate) async fn get_retention(s3: &S3, key: &str, version: &str) -> (String, i64) {
    let out = s3
        .get_object_retention()
        .bucket(L)
        .key(key)
        .version_id(version)
        .send()
        .await
        .unwrap();
    let r = out.retention().unwrap();
    (
        r.mode().unwrap().as_str().to_string(),
        r.retain_until_date().unwrap().secs(),
    )
}

pub(crate) async fn delete_version(
    s3: &S3,
    key: &str,
    version: &str,
    bypass: bool,
) -> Result<(), Fail> {
    let mut d = s3.delete_object().bucket(L).key(key).version_id(version);
    if bypass {
        d = d.bypass_governance_retention(true);
    }
    d.send().await.map(|_| ()).map_err(fail)
}

pub(crate) fn now(c: &Client) -> i64 {
    c.now()
}

pub(crate) fn iso(secs: i64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp(secs).unwrap();
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

pub(crate) fn parse_iso(s: &str) -> i64 {
    time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|e| panic!("{s}: {e}"))
        .unix_timestamp()
}
