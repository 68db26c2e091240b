//! Retention and legal hold on writes (headers on PutObject, multipart uploads and copies,
//! the default retention), dates in the past, and a legal hold blocking deletion.

use crate::common::*;
use crate::support::*;
use aws_sdk_s3::primitives::{ByteStream, DateTime};
use aws_sdk_s3::types::{
    ObjectLockLegalHold, ObjectLockLegalHoldStatus, ObjectLockMode, ObjectLockRetentionMode,
};

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
        .send(lock_put(L, "cos", Some("COMPLIANCE"), Some(&date), b"c"))
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let h = c.send(Req::new("HEAD", Some(L), "cos")).await;
    assert_eq!(h.header("x-cos-object-lock-mode"), Some("COMPLIANCE"));
    let got = h.header("x-cos-object-lock-retain-until-date").unwrap();
    assert_eq!(parse_iso(got), until + DAY, "{got}");

    // Mode and date go together.
    let r = c
        .send(lock_put(L, "half", Some("GOVERNANCE"), None, b"h"))
        .await;
    assert_eq!(r.status, 400, "{}", r.text());
    let r = c.send(lock_put(L, "half", None, Some(&date), b"h")).await;
    assert_eq!(r.status, 400, "{}", r.text());
    let r = c
        .send(lock_put(L, "half", Some("FOREVER"), Some(&date), b"h"))
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
    set_default_retention(&s3, ObjectLockRetentionMode::Compliance, Some(2), None).await;
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
    set_default_retention(&s3, ObjectLockRetentionMode::Governance, None, Some(1)).await;
    let v = put(&s3, L, "y").await;
    let (mode, until) = get_retention(&s3, "y", &v).await;
    assert_eq!(mode, "GOVERNANCE");
    let year = until - now(&c);
    assert!((365 * DAY - 10..=366 * DAY + 10).contains(&year), "{year}");
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
        .send(lock_put(
            L,
            "cos",
            Some("COMPLIANCE"),
            Some(&iso(past)),
            b"c",
        ))
        .await;
    assert_eq!(r.status, 400, "{}", r.text());
    server.stop().await;
}
