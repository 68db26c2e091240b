//! Object lock end to end (docs/versioning.md, "Object lock"): buckets created with it, the
//! bucket configuration and its default retention, per-version retention and legal hold, what
//! a lock forbids (to the root account too), GOVERNANCE bypass and its permission, and the
//! condition keys `cos:object-lock-mode`, `cos:object-lock-retain-until-date` and
//! `cos:object-lock-remaining-retention-days` with the seed's policies (002:3417-3567) under
//! an injected clock.

#![allow(clippy::unwrap_used)]

mod common;

use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_s3::primitives::{ByteStream, DateTime};
use aws_sdk_s3::types::{
    BucketVersioningStatus, DefaultRetention, ObjectLockConfiguration, ObjectLockEnabled,
    ObjectLockLegalHold, ObjectLockLegalHoldStatus, ObjectLockMode, ObjectLockRetention,
    ObjectLockRetentionMode, ObjectLockRule, VersioningConfiguration,
};
use aws_sdk_s3::Client as S3;
use base64::Engine as _;
use common::*;

/// The bucket with object lock most tests use.
const L: &str = "locked-1250000000";
const DAY: i64 = 86_400;

fn root(server: &TestServer) -> S3 {
    s3_client(server.addr, SID, SKEY, None)
}

#[derive(Debug)]
struct Fail {
    status: u16,
    code: String,
}

fn fail<E: ProvideErrorMetadata>(e: SdkError<E>) -> Fail {
    Fail {
        status: e.raw_response().map_or(0, |r| r.status().as_u16()),
        code: e.code().unwrap_or_default().to_string(),
    }
}

#[track_caller]
fn assert_fail(f: Fail, status: u16, code: &str) {
    assert_eq!((f.status, f.code.as_str()), (status, code));
}

/// A server with `B` (plain) and `L` (created with object lock).
async fn start() -> (TestServer, Client, S3) {
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
fn xml_put<'a>(bucket: &str, key: &str, sub: &str, body: &str) -> Req<'a> {
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

fn retention(mode: ObjectLockRetentionMode, until: i64) -> ObjectLockRetention {
    ObjectLockRetention::builder()
        .mode(mode)
        .retain_until_date(DateTime::from_secs(until))
        .build()
}

async fn put(s3: &S3, bucket: &str, key: &str) -> String {
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

async fn put_locked(s3: &S3, bucket: &str, key: &str, mode: ObjectLockMode, until: i64) -> String {
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
async fn get_retention(s3: &S3, key: &str, version: &str) -> (String, i64) {
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

async fn delete_version(s3: &S3, key: &str, version: &str, bypass: bool) -> Result<(), Fail> {
    let mut d = s3.delete_object().bucket(L).key(key).version_id(version);
    if bypass {
        d = d.bypass_governance_retention(true);
    }
    d.send().await.map(|_| ()).map_err(fail)
}

fn now(c: &Client) -> i64 {
    c.now()
}

#[tokio::test]
async fn a_bucket_created_with_object_lock_is_versioned_and_cannot_be_suspended() {
    let (server, c, s3) = start().await;
    let v = s3.get_bucket_versioning().bucket(L).send().await.unwrap();
    assert_eq!(v.status(), Some(&BucketVersioningStatus::Enabled));
    let cfg = s3
        .get_object_lock_configuration()
        .bucket(L)
        .send()
        .await
        .unwrap();
    let cfg = cfg.object_lock_configuration().unwrap();
    assert_eq!(cfg.object_lock_enabled(), Some(&ObjectLockEnabled::Enabled));
    assert!(cfg.rule().is_none(), "no default retention yet");
    let f = fail(
        s3.put_bucket_versioning()
            .bucket(L)
            .versioning_configuration(
                VersioningConfiguration::builder()
                    .status(BucketVersioningStatus::Suspended)
                    .build(),
            )
            .send()
            .await
            .unwrap_err(),
    );
    assert_eq!((f.status, f.code.as_str()), (409, "InvalidBucketState"));

    // The COS dialect's header at creation does the same.
    let cos = "cosdialect-1250000000";
    let r = c
        .send(Req::new("PUT", Some(cos), "").h("x-cos-bucket-object-lock-enabled", "true"))
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = c
        .send(Req::new("GET", Some(cos), "").q("versioning", ""))
        .await;
    assert_eq!(r.xml("Status").as_deref(), Some("Enabled"), "{}", r.text());
    let r = c
        .send(Req::new("GET", Some(cos), "").q("object-lock", ""))
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.xml("ObjectLockEnabled").as_deref(), Some("Enabled"));
    server.stop().await;
}

#[tokio::test]
async fn object_lock_configuration_round_trips_and_bad_ones_are_refused() {
    let (server, c, s3) = start().await;
    let get = || async {
        s3.get_object_lock_configuration()
            .bucket(L)
            .send()
            .await
            .unwrap()
            .object_lock_configuration()
            .and_then(|c| c.rule())
            .and_then(|r| r.default_retention())
            .map(|d| (d.mode().unwrap().as_str().to_string(), d.days(), d.years()))
    };
    s3.put_object_lock_configuration()
        .bucket(L)
        .object_lock_configuration(rule(ObjectLockRetentionMode::Governance, Some(3), None))
        .send()
        .await
        .unwrap();
    assert_eq!(get().await, Some(("GOVERNANCE".into(), Some(3), None)));
    s3.put_object_lock_configuration()
        .bucket(L)
        .object_lock_configuration(rule(ObjectLockRetentionMode::Compliance, None, Some(1)))
        .send()
        .await
        .unwrap();
    assert_eq!(get().await, Some(("COMPLIANCE".into(), None, Some(1))));

    let wrap = |retention: &str| {
        format!(
            "<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention>{retention}</DefaultRetention></Rule></ObjectLockConfiguration>"
        )
    };
    for bad in [
        wrap("<Mode>GOVERNANCE</Mode><Days>1</Days><Years>1</Years>"),
        wrap("<Mode>GOVERNANCE</Mode><Days>0</Days>"),
        wrap("<Mode>GOVERNANCE</Mode><Years>0</Years>"),
        wrap("<Mode>GOVERNANCE</Mode><Days>-1</Days>"),
        wrap("<Mode>FOREVER</Mode><Days>1</Days>"),
        wrap("<Mode>GOVERNANCE</Mode>"),
        wrap("<Days>1</Days>"),
        "<ObjectLockConfiguration><ObjectLockEnabled>Disabled</ObjectLockEnabled></ObjectLockConfiguration>".into(),
        "<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled>".into(),
    ] {
        let r = c.send(xml_put(L, "", "object-lock", &bad)).await;
        assert_eq!(r.status, 400, "{bad}: {}", r.text());
        assert!(
            ["MalformedXML", "InvalidArgument"].contains(&r.code().as_str()),
            "{bad}: {}",
            r.text()
        );
        assert_eq!(
            get().await,
            Some(("COMPLIANCE".into(), None, Some(1))),
            "{bad} changed the configuration"
        );
    }
    // Without a rule, the default retention is cleared.
    let r = c
        .send(xml_put(
            L,
            "",
            "object-lock",
            "<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled></ObjectLockConfiguration>",
        ))
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(get().await, None);
    server.stop().await;
}

#[tokio::test]
async fn object_lock_needs_versioning_enabled_and_is_404_where_absent() {
    let (server, _c, s3) = start().await;
    let f = fail(
        s3.get_object_lock_configuration()
            .bucket(B)
            .send()
            .await
            .unwrap_err(),
    );
    assert_eq!(
        (f.status, f.code.as_str()),
        (404, "ObjectLockConfigurationNotFoundError")
    );
    let enable = || {
        s3.put_object_lock_configuration()
            .bucket(B)
            .object_lock_configuration(
                ObjectLockConfiguration::builder()
                    .object_lock_enabled(ObjectLockEnabled::Enabled)
                    .build(),
            )
            .send()
    };
    assert_fail(fail(enable().await.unwrap_err()), 409, "InvalidBucketState");
    let set = |status| {
        s3.put_bucket_versioning()
            .bucket(B)
            .versioning_configuration(VersioningConfiguration::builder().status(status).build())
            .send()
    };
    set(BucketVersioningStatus::Suspended).await.unwrap();
    assert_fail(fail(enable().await.unwrap_err()), 409, "InvalidBucketState");
    assert_fail(
        fail(
            s3.get_object_lock_configuration()
                .bucket(B)
                .send()
                .await
                .unwrap_err(),
        ),
        404,
        "ObjectLockConfigurationNotFoundError",
    );
    set(BucketVersioningStatus::Enabled).await.unwrap();
    enable().await.unwrap();
    let got = s3
        .get_object_lock_configuration()
        .bucket(B)
        .send()
        .await
        .unwrap();
    assert_eq!(
        got.object_lock_configuration()
            .unwrap()
            .object_lock_enabled(),
        Some(&ObjectLockEnabled::Enabled)
    );
    // Now it is locked, it cannot be suspended.
    assert_fail(
        fail(set(BucketVersioningStatus::Suspended).await.unwrap_err()),
        409,
        "InvalidBucketState",
    );
    server.stop().await;
}

#[tokio::test]
async fn retention_and_legal_hold_headers_on_put_object() {
    let (server, c, s3) = start().await;
    let until = now(&c) + 2 * DAY;
    let out = s3
        .put_object()
        .bucket(L)
        .key("k")
        .object_lock_mode(ObjectLockMode::Governance)
        .object_lock_retain_until_date(DateTime::from_secs(until))
        .object_lock_legal_hold_status(ObjectLockLegalHoldStatus::On)
        .body(ByteStream::from_static(b"x"))
        .send()
        .await
        .unwrap();
    let v = out.version_id().unwrap().to_string();
    assert_eq!(
        get_retention(&s3, "k", &v).await,
        ("GOVERNANCE".into(), until)
    );
    let hold = s3
        .get_object_legal_hold()
        .bucket(L)
        .key("k")
        .version_id(&v)
        .send()
        .await
        .unwrap();
    assert_eq!(
        hold.legal_hold().unwrap().status(),
        Some(&ObjectLockLegalHoldStatus::On)
    );
    let head = s3
        .head_object()
        .bucket(L)
        .key("k")
        .version_id(&v)
        .send()
        .await
        .unwrap();
    assert_eq!(head.object_lock_mode(), Some(&ObjectLockMode::Governance));
    assert_eq!(
        head.object_lock_retain_until_date().map(|d| d.secs()),
        Some(until)
    );
    assert_eq!(
        head.object_lock_legal_hold_status(),
        Some(&ObjectLockLegalHoldStatus::On)
    );

    // The COS dialect's headers.
    let date = iso(until + DAY);
    let r = c
        .send(
            Req::new("PUT", Some(L), "cos")
                .h("x-cos-object-lock-mode", "COMPLIANCE")
                .h("x-cos-object-lock-retain-until-date", &date)
                .body(b"c".to_vec()),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let h = c.send(Req::new("HEAD", Some(L), "cos")).await;
    assert_eq!(h.header("x-cos-object-lock-mode"), Some("COMPLIANCE"));
    let got = h.header("x-cos-object-lock-retain-until-date").unwrap();
    assert_eq!(parse_iso(got), until + DAY, "{got}");

    // Mode and date go together.
    let r = c
        .send(
            Req::new("PUT", Some(L), "half")
                .h("x-cos-object-lock-mode", "GOVERNANCE")
                .body(b"h".to_vec()),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.text());
    let r = c
        .send(
            Req::new("PUT", Some(L), "half")
                .h("x-cos-object-lock-retain-until-date", &date)
                .body(b"h".to_vec()),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.text());
    let r = c
        .send(
            Req::new("PUT", Some(L), "half")
                .h("x-cos-object-lock-mode", "FOREVER")
                .h("x-cos-object-lock-retain-until-date", &date)
                .body(b"h".to_vec()),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.text());
    assert_eq!(c.get(L, "half").await.status, 404);

    // A version without retention or hold: 404 NoSuchObjectLockConfiguration.
    let plain = put(&s3, L, "plain").await;
    let f = fail(
        s3.get_object_retention()
            .bucket(L)
            .key("plain")
            .version_id(&plain)
            .send()
            .await
            .unwrap_err(),
    );
    assert_eq!(
        (f.status, f.code.as_str()),
        (404, "NoSuchObjectLockConfiguration")
    );
    let f = fail(
        s3.get_object_legal_hold()
            .bucket(L)
            .key("plain")
            .version_id(&plain)
            .send()
            .await
            .unwrap_err(),
    );
    assert_eq!(
        (f.status, f.code.as_str()),
        (404, "NoSuchObjectLockConfiguration")
    );
    server.stop().await;
}

#[tokio::test]
async fn retention_headers_apply_to_multipart_uploads_and_copies() {
    let (server, c, s3) = start().await;
    let until = now(&c) + DAY;
    let up = s3
        .create_multipart_upload()
        .bucket(L)
        .key("mp")
        .object_lock_mode(ObjectLockMode::Compliance)
        .object_lock_retain_until_date(DateTime::from_secs(until))
        .send()
        .await
        .unwrap();
    let id = up.upload_id().unwrap();
    let part = s3
        .upload_part()
        .bucket(L)
        .key("mp")
        .upload_id(id)
        .part_number(1)
        .body(ByteStream::from_static(b"part"))
        .send()
        .await
        .unwrap();
    let done = s3
        .complete_multipart_upload()
        .bucket(L)
        .key("mp")
        .upload_id(id)
        .multipart_upload(
            aws_sdk_s3::types::CompletedMultipartUpload::builder()
                .parts(
                    aws_sdk_s3::types::CompletedPart::builder()
                        .part_number(1)
                        .e_tag(part.e_tag().unwrap())
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    let v = done.version_id().unwrap().to_string();
    assert_eq!(
        get_retention(&s3, "mp", &v).await,
        ("COMPLIANCE".into(), until)
    );

    let copy = s3
        .copy_object()
        .bucket(L)
        .key("copy")
        .copy_source(format!("{L}/mp"))
        .object_lock_mode(ObjectLockMode::Governance)
        .object_lock_retain_until_date(DateTime::from_secs(until + DAY))
        .send()
        .await
        .unwrap();
    let cv = copy.version_id().unwrap().to_string();
    assert_eq!(
        get_retention(&s3, "copy", &cv).await,
        ("GOVERNANCE".into(), until + DAY)
    );
    server.stop().await;
}

#[tokio::test]
async fn the_default_retention_applies_to_new_versions() {
    let (server, c, s3) = start().await;
    let before = put(&s3, L, "k").await;
    s3.put_object_lock_configuration()
        .bucket(L)
        .object_lock_configuration(rule(ObjectLockRetentionMode::Compliance, Some(2), None))
        .send()
        .await
        .unwrap();
    let t0 = now(&c);
    let v = put(&s3, L, "k").await;
    let t1 = now(&c);
    let (mode, until) = get_retention(&s3, "k", &v).await;
    assert_eq!(mode, "COMPLIANCE");
    assert!(
        (t0 + 2 * DAY - 1..=t1 + 2 * DAY + 1).contains(&until),
        "{until} vs {t0}+2 days"
    );
    // Explicit headers win over the default.
    let explicit = put_locked(&s3, L, "k", ObjectLockMode::Governance, t0 + 5 * DAY).await;
    assert_eq!(
        get_retention(&s3, "k", &explicit).await,
        ("GOVERNANCE".into(), t0 + 5 * DAY)
    );
    // The version written before the rule has none.
    let f = fail(
        s3.get_object_retention()
            .bucket(L)
            .key("k")
            .version_id(&before)
            .send()
            .await
            .unwrap_err(),
    );
    assert_eq!(f.status, 404);
    // Years.
    s3.put_object_lock_configuration()
        .bucket(L)
        .object_lock_configuration(rule(ObjectLockRetentionMode::Governance, None, Some(1)))
        .send()
        .await
        .unwrap();
    let v = put(&s3, L, "y").await;
    let (mode, until) = get_retention(&s3, "y", &v).await;
    assert_eq!(mode, "GOVERNANCE");
    let year = until - now(&c);
    assert!((365 * DAY - 10..=366 * DAY + 10).contains(&year), "{year}");
    server.stop().await;
}

#[tokio::test]
async fn compliance_retention_can_be_extended_but_never_shortened() {
    let (server, c, s3) = start().await;
    let t = now(&c);
    let v = put_locked(&s3, L, "k", ObjectLockMode::Compliance, t + 2 * DAY).await;
    let put_ret = |r: ObjectLockRetention, bypass: bool| {
        s3.put_object_retention()
            .bucket(L)
            .key("k")
            .version_id(&v)
            .retention(r)
            .set_bypass_governance_retention(bypass.then_some(true))
            .send()
    };
    put_ret(
        retention(ObjectLockRetentionMode::Compliance, t + 3 * DAY),
        false,
    )
    .await
    .unwrap();
    assert_eq!(
        get_retention(&s3, "k", &v).await,
        ("COMPLIANCE".into(), t + 3 * DAY)
    );
    for bypass in [false, true] {
        assert_fail(
            fail(
                put_ret(
                    retention(ObjectLockRetentionMode::Compliance, t + DAY),
                    bypass,
                )
                .await
                .unwrap_err(),
            ),
            403,
            "AccessDenied",
        );
        assert_fail(
            fail(
                put_ret(
                    retention(ObjectLockRetentionMode::Governance, t + 4 * DAY),
                    bypass,
                )
                .await
                .unwrap_err(),
            ),
            403,
            "AccessDenied",
        );
    }
    // Removing it (an empty Retention) is shortening too.
    let r = c
        .send(
            xml_put(L, "k", "retention", "<Retention/>")
                .q("versionId", &v)
                .h("x-cos-bypass-governance-retention", "true"),
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.text());
    assert_eq!(
        get_retention(&s3, "k", &v).await,
        ("COMPLIANCE".into(), t + 3 * DAY)
    );
    server.stop().await;
}

mod governance {
    use super::*;

    const SUB: &str = "100000000002";
    const SUB_ID: &str = "AKIDsubobjectlock0000000000000002";
    const SUB_KEY: &str = "subObjectLockSecret0000000000002";

    async fn grant(c: &Client, name: &str, actions: &[&str]) {
        let actions: Vec<String> = actions
            .iter()
            .map(|a| format!("\"name/cos:{a}\""))
            .collect();
        let doc = format!(
            r#"{{"version":"2.0","statement":[{{"effect":"allow","action":[{}],"resource":["qcs::cos:{REGION}:uid/1250000000:{L}/*"]}}]}}"#,
            actions.join(",")
        );
        let r = c
            .admin("PUT", &format!("users/{SUB}/policies/{name}"), &doc)
            .await;
        assert_eq!(r.status, 200, "{}", r.text());
    }

    #[tokio::test]
    async fn governance_is_shortened_only_with_bypass_and_its_permission() {
        let (server, c, s3) = start().await;
        c.add_sub_account(SUB, SUB_ID, SUB_KEY).await;
        grant(
            &c,
            "retention",
            &["PutObjectRetention", "GetObjectRetention", "DeleteObject"],
        )
        .await;
        let sub = s3_client(server.addr, SUB_ID, SUB_KEY, None);
        let t = now(&c);
        let v = put_locked(&s3, L, "k", ObjectLockMode::Governance, t + 3 * DAY).await;
        let shorten = |who: &S3, until: i64, bypass: bool| {
            who.put_object_retention()
                .bucket(L)
                .key("k")
                .version_id(&v)
                .retention(retention(ObjectLockRetentionMode::Governance, until))
                .set_bypass_governance_retention(bypass.then_some(true))
                .send()
        };
        // Without the bypass header nobody shortens it.
        assert_fail(
            fail(shorten(&s3, t + 2 * DAY, false).await.unwrap_err()),
            403,
            "AccessDenied",
        );
        assert_fail(
            fail(shorten(&sub, t + 2 * DAY, false).await.unwrap_err()),
            403,
            "AccessDenied",
        );
        // The sub-account may extend, but the header is not enough without the permission.
        shorten(&sub, t + 4 * DAY, false).await.unwrap();
        assert_fail(
            fail(shorten(&sub, t + 2 * DAY, true).await.unwrap_err()),
            403,
            "AccessDenied",
        );
        assert_eq!(get_retention(&s3, "k", &v).await.1, t + 4 * DAY);
        // ...nor may it delete the version with the header.
        assert_fail(
            delete_version(&sub, "k", &v, true).await.unwrap_err(),
            403,
            "AccessDenied",
        );
        // The root account has the permission.
        shorten(&s3, t + 3 * DAY, true).await.unwrap();
        assert_eq!(get_retention(&s3, "k", &v).await.1, t + 3 * DAY);
        // Granted BypassGovernanceRetention, the sub-account may too.
        grant(&c, "bypass", &["BypassGovernanceRetention"]).await;
        shorten(&sub, t + 2 * DAY, true).await.unwrap();
        assert_eq!(get_retention(&s3, "k", &v).await.1, t + 2 * DAY);
        // Deleting a GOVERNANCE-locked version: bypass header and permission.
        assert_fail(
            delete_version(&sub, "k", &v, false).await.unwrap_err(),
            403,
            "AccessDenied",
        );
        delete_version(&sub, "k", &v, true).await.unwrap();
        let f = fail(
            s3.head_object()
                .bucket(L)
                .key("k")
                .version_id(&v)
                .send()
                .await
                .unwrap_err(),
        );
        assert_eq!(f.status, 404);

        // Root removes GOVERNANCE retention with the bypass header (an empty Retention).
        let w = put_locked(&s3, L, "w", ObjectLockMode::Governance, t + DAY).await;
        let r = c
            .send(
                xml_put(L, "w", "retention", "<Retention/>")
                    .q("versionId", &w)
                    .h("x-cos-bypass-governance-retention", "true"),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text());
        delete_version(&s3, "w", &w, false).await.unwrap();
        server.stop().await;
    }
}

#[tokio::test]
async fn a_locked_version_cannot_be_deleted_by_id_even_by_root() {
    let (server, c, s3) = start().await;
    let t = now(&c);
    let v = put_locked(&s3, L, "k", ObjectLockMode::Compliance, t + DAY).await;
    for bypass in [false, true] {
        assert_fail(
            delete_version(&s3, "k", &v, bypass).await.unwrap_err(),
            403,
            "AccessDenied",
        );
    }
    // A delete without an id adds a marker; the version stays.
    let out = s3.delete_object().bucket(L).key("k").send().await.unwrap();
    assert_eq!(out.delete_marker(), Some(true));
    let marker = out.version_id().unwrap().to_string();
    let got = s3
        .get_object()
        .bucket(L)
        .key("k")
        .version_id(&v)
        .send()
        .await
        .unwrap();
    assert_eq!(
        got.body.collect().await.unwrap().into_bytes().as_ref(),
        b"locked data"
    );
    // Multi-object delete is held to the same rule.
    let out = s3
        .delete_objects()
        .bucket(L)
        .delete(
            aws_sdk_s3::types::Delete::builder()
                .objects(
                    aws_sdk_s3::types::ObjectIdentifier::builder()
                        .key("k")
                        .version_id(&v)
                        .build()
                        .unwrap(),
                )
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    assert!(out.deleted().is_empty());
    assert_eq!(out.errors()[0].code(), Some("AccessDenied"));
    // Once the date has passed (the injected clock, so the q-sign client), it may go.
    c.clock
        .advance(std::time::Duration::from_secs((DAY + 10) as u64));
    let r = c
        .send(Req::new("DELETE", Some(L), "k").q("versionId", &v))
        .await;
    assert_eq!(r.status, 204, "{}", r.text());
    let r = c
        .send(Req::new("DELETE", Some(L), "k").q("versionId", &marker))
        .await;
    assert_eq!(r.status, 204, "{}", r.text());
    let r = c.send(Req::new("GET", Some(L), "").q("versions", "")).await;
    assert!(xml_all(&r.text(), "Key").is_empty(), "{}", r.text());
    server.stop().await;
}

#[tokio::test]
async fn a_legal_hold_blocks_deletion_until_it_is_off() {
    let (server, _c, s3) = start().await;
    let v = put(&s3, L, "k").await;
    let hold = |status: ObjectLockLegalHoldStatus| {
        s3.put_object_legal_hold()
            .bucket(L)
            .key("k")
            .version_id(&v)
            .legal_hold(ObjectLockLegalHold::builder().status(status).build())
            .send()
    };
    let status = || async {
        s3.get_object_legal_hold()
            .bucket(L)
            .key("k")
            .version_id(&v)
            .send()
            .await
            .unwrap()
            .legal_hold()
            .unwrap()
            .status()
            .cloned()
    };
    hold(ObjectLockLegalHoldStatus::On).await.unwrap();
    assert_eq!(status().await, Some(ObjectLockLegalHoldStatus::On));
    for bypass in [false, true] {
        assert_fail(
            delete_version(&s3, "k", &v, bypass).await.unwrap_err(),
            403,
            "AccessDenied",
        );
    }
    hold(ObjectLockLegalHoldStatus::Off).await.unwrap();
    assert_eq!(status().await, Some(ObjectLockLegalHoldStatus::Off));
    delete_version(&s3, "k", &v, false).await.unwrap();
    server.stop().await;
}

#[tokio::test]
async fn a_retention_date_in_the_past_is_400() {
    let (server, c, s3) = start().await;
    let past = now(&c) - 3600;
    let f = fail(
        s3.put_object()
            .bucket(L)
            .key("k")
            .object_lock_mode(ObjectLockMode::Governance)
            .object_lock_retain_until_date(DateTime::from_secs(past))
            .body(ByteStream::from_static(b"x"))
            .send()
            .await
            .unwrap_err(),
    );
    assert_eq!(f.status, 400);
    let v = put(&s3, L, "k").await;
    let f = fail(
        s3.put_object_retention()
            .bucket(L)
            .key("k")
            .version_id(&v)
            .retention(retention(ObjectLockRetentionMode::Governance, past))
            .send()
            .await
            .unwrap_err(),
    );
    assert_eq!(f.status, 400);
    let r = c
        .send(
            Req::new("PUT", Some(L), "cos")
                .h("x-cos-object-lock-mode", "COMPLIANCE")
                .h("x-cos-object-lock-retain-until-date", &iso(past))
                .body(b"c".to_vec()),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.text());
    server.stop().await;
}

#[tokio::test]
async fn lock_headers_on_a_bucket_without_object_lock_are_invalid_requests() {
    let (server, c, s3) = start().await;
    // Versioned but without object lock, and plain.
    let versioned = "versioned-1250000000";
    s3.create_bucket().bucket(versioned).send().await.unwrap();
    s3.put_bucket_versioning()
        .bucket(versioned)
        .versioning_configuration(
            VersioningConfiguration::builder()
                .status(BucketVersioningStatus::Enabled)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let until = iso(now(&c) + DAY);
    for bucket in [B, versioned] {
        let r = c
            .send(
                Req::new("PUT", Some(bucket), "k")
                    .h("x-cos-object-lock-mode", "GOVERNANCE")
                    .h("x-cos-object-lock-retain-until-date", &until)
                    .body(b"x".to_vec()),
            )
            .await;
        assert_error(&r, 400, "InvalidRequest");
        let r = c
            .send(
                Req::new("PUT", Some(bucket), "k")
                    .h("x-cos-object-lock-legal-hold", "ON")
                    .body(b"x".to_vec()),
            )
            .await;
        assert_error(&r, 400, "InvalidRequest");
        assert_eq!(c.get(bucket, "k").await.status, 404, "nothing stored");
        let f = fail(
            s3.put_object()
                .bucket(bucket)
                .key("k")
                .object_lock_mode(ObjectLockMode::Governance)
                .object_lock_retain_until_date(DateTime::from_secs(now(&c) + DAY))
                .body(ByteStream::from_static(b"x"))
                .send()
                .await
                .unwrap_err(),
        );
        assert_eq!((f.status, f.code.as_str()), (400, "InvalidRequest"));
        // The per-version APIs too.
        c.put(bucket, "plain", b"p").await;
        let f = fail(
            s3.put_object_retention()
                .bucket(bucket)
                .key("plain")
                .retention(retention(
                    ObjectLockRetentionMode::Governance,
                    now(&c) + DAY,
                ))
                .send()
                .await
                .unwrap_err(),
        );
        assert_eq!(f.status, 400, "{}", f.code);
    }
    server.stop().await;
}

/// The seed's condition-key policies (002:3417-3567) as bucket policies of `L` for sub-account
/// 100000000002, evaluated at the injected clock's 2022-11-01T12:00:00Z.
mod condition_keys {
    use super::*;

    const SUB: &str = "100000000002";
    const SUB_ID: &str = "AKIDsublockconditions00000000002";
    const SUB_KEY: &str = "subLockConditionsSecret000000002";
    const NOW: &str = "2022-11-01T12:00:00Z";

    /// Sets the server's clock (shared with the q-sign clients) to `at` at the start of a
    /// wall-clock second: the requests that follow within the second see exactly `at`.
    async fn set_clock(c: &Client, at: &str) {
        at_start_of_second().await;
        let real = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64;
        c.clock.set_offset_secs(parse_iso(at) - real);
        assert_eq!(c.now(), parse_iso(at));
    }

    async fn set_policy(c: &Client, condition: &str) {
        let doc = format!(
            r#"{{"version":"2.0","statement":[{{"action":["name/cos:PutObject","name/cos:InitiateMultipartUpload","name/cos:PutObjectRetention"],"effect":"allow","principal":{{"qcs":["qcs::cam::uin/100000000001:uin/{SUB}"]}},"resource":["qcs::cos:{REGION}:uid/1250000000:{L}/*"],"condition":{condition}}}]}}"#
        );
        let r = c
            .send(
                Req::new("PUT", Some(L), "")
                    .q("policy", "")
                    .body(doc.into_bytes()),
            )
            .await;
        assert_eq!(r.status, 204, "{}", r.text());
    }

    async fn start_2022() -> (TestServer, Client, Client) {
        let server = TestServer::start().await;
        let c = server.client();
        server.clock.set_offset_secs(parse_iso(NOW) - now(&c));
        let r = c
            .send(Req::new("PUT", Some(L), "").h("x-cos-bucket-object-lock-enabled", "true"))
            .await;
        assert_eq!(r.status, 200, "{}", r.text());
        c.add_sub_account(SUB, SUB_ID, SUB_KEY).await;
        let sub = Client {
            sid: SUB_ID.into(),
            skey: SUB_KEY.into(),
            ..c.clone()
        };
        (server, c, sub)
    }

    /// PutObject with the lock headers (none when `mode` is empty).
    async fn put_with(who: &Client, key: &str, mode: &str, until: &str) -> u16 {
        let mut r = Req::new("PUT", Some(L), key).body(b"x".to_vec());
        if !mode.is_empty() {
            r = r
                .h("x-cos-object-lock-mode", mode)
                .h("x-cos-object-lock-retain-until-date", until);
        }
        let r = who.send(r).await;
        assert!(
            r.status == 200 || r.code() == "AccessDenied",
            "{}",
            r.text()
        );
        r.status
    }

    async fn initiate_with(who: &Client, key: &str, mode: &str, until: &str) -> u16 {
        let r = who
            .send(
                Req::new("POST", Some(L), key)
                    .q("uploads", "")
                    .h("x-cos-object-lock-mode", mode)
                    .h("x-cos-object-lock-retain-until-date", until),
            )
            .await;
        assert!(
            r.status == 200 || r.code() == "AccessDenied",
            "{}",
            r.text()
        );
        r.status
    }

    async fn put_retention(who: &Client, key: &str, version: &str, mode: &str, until: &str) -> u16 {
        let body = format!(
            "<Retention><Mode>{mode}</Mode><RetainUntilDate>{until}</RetainUntilDate></Retention>"
        );
        let r = who
            .send(xml_put(L, key, "retention", &body).q("versionId", version))
            .await;
        assert!(
            r.status == 200 || r.code() == "AccessDenied",
            "{}",
            r.text()
        );
        r.status
    }

    /// A version of `key` without retention, written by the root account (so that setting one
    /// is never a shortening).
    async fn root_version(c: &Client, key: &str) -> String {
        let r = c
            .send(Req::new("PUT", Some(L), key).body(b"root".to_vec()))
            .await;
        assert_eq!(r.status, 200, "{}", r.text());
        r.header("x-cos-version-id").unwrap().to_string()
    }

    #[tokio::test]
    async fn object_lock_mode_allows_compliance_only() {
        let (server, c, sub) = start_2022().await;
        set_policy(
            &c,
            r#"{"string_equal":{"cos:object-lock-mode":"COMPLIANCE"}}"#,
        )
        .await;
        let v = root_version(&c, "r").await;
        set_clock(&c, NOW).await;
        let until = "2022-11-10T00:00:00Z";
        assert_eq!(put_with(&sub, "a", "COMPLIANCE", until).await, 200);
        assert_eq!(put_with(&sub, "b", "GOVERNANCE", until).await, 403);
        assert_eq!(put_with(&sub, "c", "", "").await, 403, "no mode: no match");
        assert_eq!(initiate_with(&sub, "m", "COMPLIANCE", until).await, 200);
        assert_eq!(initiate_with(&sub, "n", "GOVERNANCE", until).await, 403);
        assert_eq!(put_retention(&sub, "r", &v, "GOVERNANCE", until).await, 403);
        assert_eq!(put_retention(&sub, "r", &v, "COMPLIANCE", until).await, 200);
        server.stop().await;
    }

    #[tokio::test]
    async fn remaining_retention_days_follow_the_seeds_table() {
        let (server, c, sub) = start_2022().await;
        // (operator, retain-until, allowed) at 2022-11-01T12:00:00Z: the seed's closed
        // intervals and the seconds just outside them.
        let table: &[(&str, &[(&str, bool)])] = &[
            (
                "numeric_equal",
                &[
                    ("2022-11-04T11:59:59Z", false),
                    ("2022-11-04T12:00:00Z", true),
                    ("2022-11-05T11:59:59Z", true),
                    ("2022-11-05T12:00:00Z", false),
                ],
            ),
            (
                "numeric_greater_than",
                &[
                    ("2022-11-05T11:59:59Z", false),
                    ("2022-11-05T12:00:00Z", true),
                    ("2023-11-05T12:00:00Z", true),
                ],
            ),
            (
                "numeric_less_than",
                &[
                    ("2022-11-01T12:00:01Z", true),
                    ("2022-11-04T11:59:59Z", true),
                    ("2022-11-04T12:00:00Z", false),
                ],
            ),
        ];
        for (i, (op, cases)) in table.iter().enumerate() {
            set_policy(
                &c,
                &format!(r#"{{"{op}":{{"cos:object-lock-remaining-retention-days":3}}}}"#),
            )
            .await;
            // PutObject headers.
            set_clock(&c, NOW).await;
            for (j, (until, allowed)) in cases.iter().enumerate() {
                let status = put_with(&sub, &format!("p{i}-{j}"), "GOVERNANCE", until).await;
                assert_eq!(status == 200, *allowed, "{op} 3, PutObject until {until}");
            }
            // InitiateMultipartUpload headers.
            set_clock(&c, NOW).await;
            for (j, (until, allowed)) in cases.iter().enumerate() {
                let status = initiate_with(&sub, &format!("m{i}-{j}"), "GOVERNANCE", until).await;
                assert_eq!(status == 200, *allowed, "{op} 3, Initiate until {until}");
            }
            // PutObjectRetention bodies, each on a fresh version (only extending).
            let mut versions = Vec::new();
            for j in 0..cases.len() {
                versions.push(root_version(&c, &format!("r{i}-{j}")).await);
            }
            set_clock(&c, NOW).await;
            for (j, (until, allowed)) in cases.iter().enumerate() {
                let status = put_retention(
                    &sub,
                    &format!("r{i}-{j}"),
                    &versions[j],
                    "GOVERNANCE",
                    until,
                )
                .await;
                assert_eq!(
                    status == 200,
                    *allowed,
                    "{op} 3, PutObjectRetention until {until}"
                );
            }
        }
        // The seed's worked examples: 2022-11-17T10:10:11 is 2 days from 2022-11-15T09:00:00
        // and 1 day from 2022-11-15T12:00:00.
        set_policy(
            &c,
            r#"{"numeric_equal":{"cos:object-lock-remaining-retention-days":2}}"#,
        )
        .await;
        set_clock(&c, "2022-11-15T09:00:00Z").await;
        assert_eq!(
            put_with(&sub, "ex1", "GOVERNANCE", "2022-11-17T10:10:11Z").await,
            200
        );
        set_clock(&c, "2022-11-15T12:00:00Z").await;
        assert_eq!(
            put_with(&sub, "ex2", "GOVERNANCE", "2022-11-17T10:10:11Z").await,
            403
        );
        server.stop().await;
    }

    #[tokio::test]
    async fn retain_until_date_must_be_after_the_policys_date() {
        let (server, c, sub) = start_2022().await;
        set_policy(
            &c,
            r#"{"date_greater_than":{"cos:object-lock-retain-until-date":"2022-11-11T12:00:00Z"}}"#,
        )
        .await;
        let v = root_version(&c, "r").await;
        set_clock(&c, NOW).await;
        assert_eq!(
            put_with(&sub, "a", "GOVERNANCE", "2022-11-11T12:00:00Z").await,
            403
        );
        assert_eq!(
            put_with(&sub, "b", "GOVERNANCE", "2022-11-11T12:00:01Z").await,
            200
        );
        assert_eq!(
            put_with(&sub, "c", "COMPLIANCE", "2022-11-10T00:00:00Z").await,
            403
        );
        assert_eq!(put_with(&sub, "d", "", "").await, 403);
        assert_eq!(
            initiate_with(&sub, "m", "GOVERNANCE", "2022-11-12T00:00:00Z").await,
            200
        );
        assert_eq!(
            put_retention(&sub, "r", &v, "GOVERNANCE", "2022-11-05T00:00:00Z").await,
            403
        );
        assert_eq!(
            put_retention(&sub, "r", &v, "GOVERNANCE", "2022-11-12T00:00:00Z").await,
            200
        );
        server.stop().await;
    }
}

fn iso(secs: i64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp(secs).unwrap();
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

fn parse_iso(s: &str) -> i64 {
    time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|e| panic!("{s}: {e}"))
        .unix_timestamp()
}
