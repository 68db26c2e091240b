//! What a lock forbids: COMPLIANCE retention never shortened, GOVERNANCE shortened or deleted
//! only with the bypass header and its permission, locked versions kept from deletion by id
//! (root included) until the date passes.

use crate::common::*;
use crate::support::*;
use aws_sdk_s3::types::{ObjectLockMode, ObjectLockRetention, ObjectLockRetentionMode};
use aws_sdk_s3::Client as S3;

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
