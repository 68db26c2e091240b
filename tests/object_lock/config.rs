//! Buckets created with object lock, the bucket configuration (default retention, refused
//! bodies, versioning it needs), and lock headers on buckets without it.

use crate::common::*;
use crate::support::*;
use aws_sdk_s3::primitives::{ByteStream, DateTime};
use aws_sdk_s3::types::{
    BucketVersioningStatus, ObjectLockConfiguration, ObjectLockEnabled, ObjectLockMode,
    ObjectLockRetentionMode,
};

#[tokio::test]
async fn a_bucket_created_with_object_lock_is_versioned_and_cannot_be_suspended() {
    let (server, c, s3) = start().await;
    let v = s3.get_bucket_versioning().bucket(L).send().await.unwrap();
    assert_eq!(v.status(), Some(&BucketVersioningStatus::Enabled));
    let cfg = lock_config(&s3, L).await.unwrap();
    let cfg = cfg.object_lock_configuration().unwrap();
    assert_eq!(cfg.object_lock_enabled(), Some(&ObjectLockEnabled::Enabled));
    assert!(cfg.rule().is_none(), "no default retention yet");
    let f = set_versioning(&s3, L, BucketVersioningStatus::Suspended)
        .await
        .unwrap_err();
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
        lock_config(&s3, L)
            .await
            .unwrap()
            .object_lock_configuration()
            .and_then(|c| c.rule())
            .and_then(|r| r.default_retention())
            .map(|d| (d.mode().unwrap().as_str().to_string(), d.days(), d.years()))
    };
    set_default_retention(&s3, ObjectLockRetentionMode::Governance, Some(3), None).await;
    assert_eq!(get().await, Some(("GOVERNANCE".into(), Some(3), None)));
    set_default_retention(&s3, ObjectLockRetentionMode::Compliance, None, Some(1)).await;
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
        // S3's codes: a period of no days or years is InvalidRetentionPeriod.
        let want = if ["<Days>0<", "<Days>-1<", "<Years>0<"]
            .iter()
            .any(|p| bad.contains(p))
        {
            "InvalidRetentionPeriod"
        } else {
            "MalformedXML"
        };
        assert_eq!(r.code(), want, "{bad}: {}", r.text());
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
    let f = lock_config(&s3, B).await.unwrap_err();
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
    set_versioning(&s3, B, BucketVersioningStatus::Suspended)
        .await
        .unwrap();
    assert_fail(fail(enable().await.unwrap_err()), 409, "InvalidBucketState");
    assert_fail(
        lock_config(&s3, B).await.unwrap_err(),
        404,
        "ObjectLockConfigurationNotFoundError",
    );
    set_versioning(&s3, B, BucketVersioningStatus::Enabled)
        .await
        .unwrap();
    enable().await.unwrap();
    let got = lock_config(&s3, B).await.unwrap();
    assert_eq!(
        got.object_lock_configuration()
            .unwrap()
            .object_lock_enabled(),
        Some(&ObjectLockEnabled::Enabled)
    );
    // Now it is locked, it cannot be suspended.
    assert_fail(
        set_versioning(&s3, B, BucketVersioningStatus::Suspended)
            .await
            .unwrap_err(),
        409,
        "InvalidBucketState",
    );
    server.stop().await;
}

#[tokio::test]
async fn lock_headers_on_a_bucket_without_object_lock_are_invalid_requests() {
    let (server, c, s3) = start().await;
    // Versioned but without object lock, and plain.
    let versioned = "versioned-1250000000";
    s3.create_bucket().bucket(versioned).send().await.unwrap();
    set_versioning(&s3, versioned, BucketVersioningStatus::Enabled)
        .await
        .unwrap();
    let until = iso(now(&c) + DAY);
    for bucket in [B, versioned] {
        let r = c
            .send(lock_put(
                bucket,
                "k",
                Some("GOVERNANCE"),
                Some(&until),
                b"x",
            ))
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
