//! `?lifecycle`: PUT, GET and DELETE in both dialects, and every refusal leaving the stored
//! configuration as it was.

use crate::common::*;
use crate::support::*;
use aws_sdk_s3::error::ProvideErrorMetadata;
use aws_sdk_s3::types::{
    AbortIncompleteMultipartUpload, BucketLifecycleConfiguration, ExpirationStatus,
    LifecycleExpiration, LifecycleRule, LifecycleRuleAndOperator, LifecycleRuleFilter,
    NoncurrentVersionExpiration, NoncurrentVersionTransition, Tag, Transition,
    TransitionStorageClass,
};

async fn get(c: &Client) -> Resp {
    c.send(Req::new("GET", Some(B), "").q("lifecycle", ""))
        .await
}

#[tokio::test]
async fn a_configuration_is_stored_returned_and_deleted() {
    let (_s, c) = start().await;
    assert_error(&get(&c).await, 404, "NoSuchLifecycleConfiguration");
    let body = doc(&[
        rule("logs", "<Filter><Prefix>logs/</Prefix></Filter>", "<Transition><Days>30</Days><StorageClass>STANDARD_IA</StorageClass></Transition><Expiration><Days>90</Days></Expiration>"),
        rule("parts", "<Filter></Filter>", "<AbortIncompleteMultipartUpload><DaysAfterInitiation>7</DaysAfterInitiation></AbortIncompleteMultipartUpload>"),
    ].concat());
    let r = put_lifecycle(&c, B, &body).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let g = get(&c).await;
    assert_eq!(g.status, 200, "{}", g.text());
    assert_eq!(xml_all(&g.text(), "ID"), ["logs", "parts"]);
    assert_eq!(xml_all(&g.text(), "Prefix"), ["logs/"]);
    assert_eq!(xml_all(&g.text(), "StorageClass"), ["STANDARD_IA"]);
    assert_eq!(xml_all(&g.text(), "DaysAfterInitiation"), ["7"]);
    // A second PUT replaces the whole configuration.
    lifecycle(
        &c,
        &rule(
            "only",
            "<Prefix>x/</Prefix>",
            "<Expiration><Days>1</Days></Expiration>",
        ),
    )
    .await;
    let g = get(&c).await;
    assert_eq!(xml_all(&g.text(), "ID"), ["only"]);
    assert!(
        g.text().contains("<Rule><ID>only</ID><Prefix>x/</Prefix>"),
        "{}",
        g.text()
    );
    let d = c
        .send(Req::new("DELETE", Some(B), "").q("lifecycle", ""))
        .await;
    assert_eq!(d.status, 204);
    assert_error(&get(&c).await, 404, "NoSuchLifecycleConfiguration");
}

#[tokio::test]
async fn a_put_without_an_integrity_header_is_refused() {
    let (_s, c) = start().await;
    let body = doc(&rule(
        "r",
        "<Filter/>",
        "<Expiration><Days>1</Days></Expiration>",
    ));
    let r = c
        .send(
            Req::new("PUT", Some(B), "")
                .q("lifecycle", "")
                .body(body.as_bytes().to_vec()),
        )
        .await;
    assert_error(&r, 400, "InvalidRequest");
    let r = c
        .send(
            Req::new("PUT", Some(B), "")
                .q("lifecycle", "")
                .h("Content-MD5", &md5_b64(b"something else"))
                .body(body.as_bytes().to_vec()),
        )
        .await;
    assert_error(&r, 400, "BadDigest");
    assert_error(&get(&c).await, 404, "NoSuchLifecycleConfiguration");
}

#[tokio::test]
async fn refused_configurations_answer_s3s_codes_and_change_nothing() {
    let (_s, c) = start().await;
    let good = doc(&rule(
        "keep",
        "<Filter/>",
        "<Expiration><Days>5</Days></Expiration>",
    ));
    assert_eq!(put_lifecycle(&c, B, &good).await.status, 200);
    let before = get(&c).await.text();
    let e1 = "<Expiration><Days>1</Days></Expiration>";
    let cases: Vec<(String, &str)> = vec![
        ("<LifecycleConfiguration><Rule>".into(), "MalformedXML"),
        ("<Other/>".into(), "MalformedXML"),
        (doc(""), "MalformedXML"),
        (doc("<Rule><ID>s</ID><Filter/><Status>Maybe</Status><Expiration><Days>1</Days></Expiration></Rule>"), "MalformedXML"),
        (doc(&rule("p", "<Prefix>a</Prefix><Filter/>", e1)), "MalformedXML"),
        (doc(&(0..1001).map(|i| rule(&format!("r{i}"), "<Filter/>", e1)).collect::<String>()), "MalformedXML"),
        (doc(&rule(&"i".repeat(256), "<Filter/>", e1)), "InvalidArgument"),
        (doc(&[rule("dup", "<Filter/>", e1), rule("dup", "<Filter/>", e1)].concat()), "InvalidArgument"),
        (doc(&rule("d", "<Filter/>", "<Expiration><Days>0</Days></Expiration>")), "InvalidArgument"),
        (doc(&rule("d", "<Filter/>", "<Expiration><Days>1</Days><Date>2030-01-01T00:00:00Z</Date></Expiration>")), "InvalidArgument"),
        (doc(&rule("d", "<Filter/>", "<Expiration><Date>2030-01-01T08:00:00Z</Date></Expiration>")), "InvalidArgument"),
        (doc(&rule("d", "<Filter/>", "<Expiration><Days>1</Days><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration>")), "InvalidArgument"),
        (doc(&rule("t", "<Filter><Tag><Key>k</Key><Value>v</Value></Tag></Filter>", "<AbortIncompleteMultipartUpload><DaysAfterInitiation>1</DaysAfterInitiation></AbortIncompleteMultipartUpload>")), "InvalidRequest"),
        (doc(&rule("t", "<Filter><Tag><Key>k</Key><Value>v</Value></Tag></Filter>", "<Expiration><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration>")), "InvalidRequest"),
        (doc(&rule("t", "<Filter/>", "<Transition><Days>30</Days><StorageClass>ARCHIVE</StorageClass></Transition><Transition><Days>60</Days><StorageClass>STANDARD_IA</StorageClass></Transition>")), "InvalidArgument"),
        (doc(&rule("t", "<Filter/>", "<Transition><Days>30</Days><StorageClass>ARCHIVE</StorageClass></Transition><Expiration><Days>10</Days></Expiration>")), "InvalidArgument"),
        (doc(&rule("t", "<Filter/>", "<Transition><Days>30</Days><StorageClass>COLD</StorageClass></Transition>")), "InvalidArgument"),
        (doc(&rule("n", "<Filter/>", "<NoncurrentVersionExpiration><NoncurrentDays>1</NoncurrentDays><NewerNoncurrentVersions>0</NewerNoncurrentVersions></NoncurrentVersionExpiration>")), "InvalidArgument"),
        (doc(&rule("none", "<Filter/>", "")), "InvalidRequest"),
        (doc(&[rule("a", "<Prefix>a</Prefix>", e1), rule("b", "<Prefix>ab</Prefix>", e1)].concat()), "InvalidArgument"),
    ];
    for (body, code) in cases {
        let r = put_lifecycle(&c, B, &body).await;
        assert_error(&r, 400, code);
    }
    assert_eq!(get(&c).await.text(), before, "nothing stored changed");
}

#[tokio::test]
async fn aws_sdk_configurations_round_trip() {
    let (s, _c) = start().await;
    let s3 = s3_client(s.addr, SID, SKEY, None);
    let config = BucketLifecycleConfiguration::builder()
        .rules(
            LifecycleRule::builder()
                .id("tiers")
                .status(ExpirationStatus::Enabled)
                .filter(
                    LifecycleRuleFilter::builder()
                        .and(
                            LifecycleRuleAndOperator::builder()
                                .prefix("img/")
                                .tags(Tag::builder().key("class").value("cold").build().unwrap())
                                .object_size_greater_than(1024)
                                .build(),
                        )
                        .build(),
                )
                .transitions(
                    Transition::builder()
                        .days(30)
                        .storage_class(TransitionStorageClass::StandardIa)
                        .build(),
                )
                .expiration(LifecycleExpiration::builder().days(365).build())
                .noncurrent_version_transitions(
                    NoncurrentVersionTransition::builder()
                        .noncurrent_days(10)
                        .storage_class(TransitionStorageClass::StandardIa)
                        .build(),
                )
                .noncurrent_version_expiration(
                    NoncurrentVersionExpiration::builder()
                        .noncurrent_days(40)
                        .newer_noncurrent_versions(3)
                        .build(),
                )
                .build()
                .unwrap(),
        )
        .rules(
            LifecycleRule::builder()
                .id("parts")
                .status(ExpirationStatus::Disabled)
                .filter(LifecycleRuleFilter::builder().prefix("").build())
                .abort_incomplete_multipart_upload(
                    AbortIncompleteMultipartUpload::builder()
                        .days_after_initiation(3)
                        .build(),
                )
                .expiration(
                    LifecycleExpiration::builder()
                        .expired_object_delete_marker(true)
                        .build(),
                )
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    s3.put_bucket_lifecycle_configuration()
        .bucket(B)
        .lifecycle_configuration(config.clone())
        .send()
        .await
        .unwrap();
    let got = s3
        .get_bucket_lifecycle_configuration()
        .bucket(B)
        .send()
        .await
        .unwrap();
    assert_eq!(got.rules(), config.rules());
    s3.delete_bucket_lifecycle().bucket(B).send().await.unwrap();
    let e = s3
        .get_bucket_lifecycle_configuration()
        .bucket(B)
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("NoSuchLifecycleConfiguration"));
    let bad = BucketLifecycleConfiguration::builder()
        .rules(
            LifecycleRule::builder()
                .id("zero")
                .status(ExpirationStatus::Enabled)
                .filter(LifecycleRuleFilter::builder().prefix("").build())
                .expiration(LifecycleExpiration::builder().days(0).build())
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    let e = s3
        .put_bucket_lifecycle_configuration()
        .bucket(B)
        .lifecycle_configuration(bad)
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("InvalidArgument"));
}

/// The seed's per-API policies (002:1134-1219): each lifecycle action is granted on its own.
#[tokio::test]
async fn each_lifecycle_action_is_granted_by_its_own_cam_action() {
    const SUB: &str = "100000000011";
    const SUB_ID: &str = "AKIDlifecycleSUBkey0000000000000000";
    const SUB_KEY: &str = "lifecycleSubSecretKey00000000000";
    let (s, c) = start().await;
    c.add_sub_account(SUB, SUB_ID, SUB_KEY).await;
    let mut sub = s.client();
    sub.sid = SUB_ID.into();
    sub.skey = SUB_KEY.into();
    let body = doc(&rule(
        "r",
        "<Filter/>",
        "<Expiration><Days>1</Days></Expiration>",
    ));
    let get = |who: &Client| {
        let who = who.clone();
        async move {
            who.send(Req::new("GET", Some(B), "").q("lifecycle", ""))
                .await
        }
    };
    assert_error(&put_lifecycle(&sub, B, &body).await, 403, "AccessDenied");
    let grant = |action: &str| {
        format!(
            r#"{{"version":"2.0","statement":[{{"action":["name/cos:{action}"],"effect":"allow","resource":["qcs::cos:{REGION}:uid/1250000000:{B}/"]}}]}}"#
        )
    };
    let r = c
        .admin(
            "PUT",
            &format!("users/{SUB}/policies/put"),
            &grant("PutBucketLifecycle"),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(put_lifecycle(&sub, B, &body).await.status, 200);
    assert_error(&get(&sub).await, 403, "AccessDenied");
    let del = Req::new("DELETE", Some(B), "").q("lifecycle", "");
    assert_error(&sub.send(del).await, 403, "AccessDenied");
    let r = c
        .admin(
            "PUT",
            &format!("users/{SUB}/policies/get"),
            &grant("GetBucketLifecycle"),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(get(&sub).await.status, 200);
    let r = c
        .admin(
            "PUT",
            &format!("users/{SUB}/policies/del"),
            &grant("DeleteBucketLifecycle"),
        )
        .await;
    assert_eq!(r.status, 200);
    let del = Req::new("DELETE", Some(B), "").q("lifecycle", "");
    assert_eq!(sub.send(del).await.status, 204);
}
