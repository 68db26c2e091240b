//! Each action of a rule, carried out by a pass once it is due (10-second days).

use crate::common::*;
use crate::support::*;

const EXPIRE_1: &str = "<Expiration><Days>1</Days></Expiration>";

#[tokio::test]
async fn an_object_in_an_unversioned_bucket_expires_after_its_days() {
    let (s, c) = start().await;
    lifecycle(
        &c,
        &rule("tmp", "<Filter><Prefix>tmp/</Prefix></Filter>", EXPIRE_1),
    )
    .await;
    c.put(B, "tmp/a", b"short-lived").await;
    c.put(B, "keep/a", b"kept").await;
    advance(&s, 5);
    assert_eq!(pass(&s).await.expired, 0, "not due yet");
    assert_eq!(c.get(B, "tmp/a").await.status, 200);
    advance(&s, 6);
    let st = pass(&s).await;
    assert_eq!((st.expired, st.buckets, st.finished), (1, 1, true));
    assert_error(&c.get(B, "tmp/a").await, 404, "NoSuchKey");
    assert_eq!(c.get(B, "keep/a").await.status, 200);
    let report = s.state.store.fsck(false).unwrap();
    assert!(report.is_clean(), "{report:?}");
}

#[tokio::test]
async fn an_object_in_a_versioned_bucket_expires_under_a_delete_marker() {
    let (s, c) = start().await;
    enable_versioning(&c, B).await;
    lifecycle(&c, &rule("all", "<Filter/>", EXPIRE_1)).await;
    c.put(B, "k", b"v1").await;
    advance(&s, 11);
    assert_eq!(pass(&s).await.expired, 1);
    let r = c.get(B, "k").await;
    assert_error(&r, 404, "NoSuchKey");
    assert_eq!(r.header("x-cos-delete-marker"), Some("true"));
    let v = versions(&c, B, "k").await;
    assert_eq!(v.len(), 2, "{v:?}");
    assert!(v[0].1 && !v[1].1, "a marker over the kept version: {v:?}");
}

#[tokio::test]
async fn noncurrent_versions_expire_keeping_the_newest_ones_asked_for() {
    let (s, c) = start().await;
    enable_versioning(&c, B).await;
    lifecycle(
        &c,
        &rule(
            "old",
            "<Filter/>",
            "<NoncurrentVersionExpiration><NoncurrentDays>1</NoncurrentDays><NewerNoncurrentVersions>1</NewerNoncurrentVersions></NoncurrentVersionExpiration>",
        ),
    )
    .await;
    for body in [b"v1", b"v2", b"v3", b"v4"] {
        c.put(B, "k", body).await;
    }
    let before = versions(&c, B, "k").await;
    assert_eq!(before.len(), 4);
    advance(&s, 5);
    assert_eq!(
        pass(&s).await.versions_deleted,
        0,
        "not noncurrent long enough"
    );
    advance(&s, 6);
    let st = pass(&s).await;
    assert_eq!(st.versions_deleted, 2, "{st:?}");
    let after = versions(&c, B, "k").await;
    assert_eq!(
        after,
        before[..2].to_vec(),
        "the current and the newest noncurrent"
    );
    assert_eq!(c.get(B, "k").await.text(), "v4");
    assert!(s.state.store.fsck(false).unwrap().is_clean());
}

#[tokio::test]
async fn a_delete_marker_without_versions_behind_it_is_removed() {
    let (s, c) = start().await;
    enable_versioning(&c, B).await;
    lifecycle(
        &c,
        &rule(
            "markers",
            "<Filter/>",
            "<Expiration><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration><NoncurrentVersionExpiration><NoncurrentDays>1</NoncurrentDays></NoncurrentVersionExpiration>",
        ),
    )
    .await;
    c.put(B, "k", b"data").await;
    assert_eq!(c.send(Req::new("DELETE", Some(B), "k")).await.status, 204);
    assert_eq!(versions(&c, B, "k").await.len(), 2);
    // The marker has a version behind it: only that version goes once it is due.
    let st = pass(&s).await;
    assert_eq!((st.markers_removed, st.versions_deleted), (0, 0));
    advance(&s, 11);
    let st = pass(&s).await;
    assert_eq!(st.versions_deleted, 1, "{st:?}");
    assert_eq!(versions(&c, B, "k").await.len(), 1, "the marker alone");
    // Now it is an expired object delete marker.
    let st = pass(&s).await;
    assert_eq!(st.markers_removed, 1, "{st:?}");
    assert!(versions(&c, B, "k").await.is_empty());
}

#[tokio::test]
async fn a_transition_changes_the_storage_class_in_place() {
    let (s, c) = start().await;
    enable_versioning(&c, B).await;
    lifecycle(
        &c,
        &rule(
            "cool",
            "<Filter><Prefix>img/</Prefix></Filter>",
            "<Transition><Days>1</Days><StorageClass>STANDARD_IA</StorageClass></Transition><Transition><Days>3</Days><StorageClass>ARCHIVE</StorageClass></Transition>",
        ),
    )
    .await;
    c.put(B, "img/a", b"pixels").await;
    let before = versions(&c, B, "img/a").await;
    advance(&s, 11);
    assert_eq!(pass(&s).await.transitioned, 1);
    assert_eq!(storage_class(&c, B, "img/a").await, "STANDARD_IA");
    assert_eq!(pass(&s).await.transitioned, 0, "done once");
    advance(&s, 20);
    assert_eq!(pass(&s).await.transitioned, 1);
    assert_eq!(storage_class(&c, B, "img/a").await, "ARCHIVE");
    assert_eq!(versions(&c, B, "img/a").await, before, "no new version");
    // Archived by the rule, the object reads only after a restore (docs/storage-classes.md).
    let r = c.get(B, "img/a").await;
    assert_eq!((r.status, r.code().as_str()), (403, "InvalidObjectState"));
}

#[tokio::test]
async fn a_stale_multipart_upload_is_aborted_and_its_parts_freed() {
    let (s, c) = start().await;
    lifecycle(
        &c,
        &rule(
            "parts",
            "<Filter><Prefix>big/</Prefix></Filter>",
            "<AbortIncompleteMultipartUpload><DaysAfterInitiation>1</DaysAfterInitiation></AbortIncompleteMultipartUpload>",
        ),
    )
    .await;
    let mut ids = Vec::new();
    for key in ["big/a", "small/a"] {
        let init = c
            .send(Req::new("POST", Some(B), key).q("uploads", ""))
            .await;
        let id = init.xml("UploadId").unwrap();
        let part = c
            .send(
                Req::new("PUT", Some(B), key)
                    .q("partNumber", "1")
                    .q("uploadId", &id)
                    .body(random_bytes(300_000, 7)),
            )
            .await;
        assert_eq!(part.status, 200);
        ids.push(id);
    }
    assert_eq!(pass(&s).await.uploads_aborted, 0);
    advance(&s, 11);
    assert_eq!(pass(&s).await.uploads_aborted, 1);
    let list = c.send(Req::new("GET", Some(B), "").q("uploads", "")).await;
    assert_eq!(xml_all(&list.text(), "UploadId"), [ids[1].clone()]);
    let r = c
        .send(Req::new("GET", Some(B), "big/a").q("uploadId", &ids[0]))
        .await;
    assert_error(&r, 404, "NoSuchUpload");
    let report = s.state.store.fsck(false).unwrap();
    assert_eq!(
        report.parts, 1,
        "only the other upload's part is referenced"
    );
    assert!(report.is_clean(), "{report:?}");
}

#[tokio::test]
async fn size_and_tag_filters_choose_the_objects() {
    let (s, c) = start().await;
    lifecycle(
        &c,
        &[
            rule("big", "<Filter><And><Prefix>s/</Prefix><ObjectSizeGreaterThan>100</ObjectSizeGreaterThan></And></Filter>", EXPIRE_1),
            rule("tagged", "<Filter><Tag><Key>retention</Key><Value>short</Value></Tag></Filter>", EXPIRE_1),
        ]
        .concat(),
    )
    .await;
    c.put(B, "s/small", &[b'x'; 100]).await;
    c.put(B, "s/large", &[b'x'; 101]).await;
    c.put(B, "t/short", b"x").await;
    c.put(B, "t/long", b"x").await;
    set_tags(&s, "t/short", &[("retention", "short"), ("team", "a")]).await;
    set_tags(&s, "t/long", &[("retention", "long")]).await;
    // Tags given through the API on the write count the same.
    let r = c
        .send(
            Req::new("PUT", Some(B), "t/api")
                .h("x-cos-tagging", "retention=short")
                .body(b"x".to_vec()),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    advance(&s, 11);
    assert_eq!(pass(&s).await.expired, 3);
    assert_eq!(c.get(B, "t/api").await.status, 404);
    assert_eq!(c.get(B, "s/small").await.status, 200);
    assert_eq!(c.get(B, "s/large").await.status, 404);
    assert_eq!(c.get(B, "t/short").await.status, 404);
    assert_eq!(c.get(B, "t/long").await.status, 200);
}

#[tokio::test]
async fn disabled_rules_and_other_buckets_are_left_alone() {
    let (s, c) = start().await;
    let other = "otherbucket-1250000000";
    c.create_bucket(other).await;
    let r = put_lifecycle(
        &c,
        B,
        &doc("<Rule><ID>off</ID><Filter/><Status>Disabled</Status><Expiration><Days>1</Days></Expiration></Rule>"),
    )
    .await;
    assert_eq!(r.status, 200);
    c.put(B, "k", b"x").await;
    c.put(other, "k", b"x").await;
    advance(&s, 100);
    let st = pass(&s).await;
    assert_eq!((st.expired, st.buckets), (0, 1));
    assert_eq!(c.get(B, "k").await.status, 200);
    assert_eq!(c.get(other, "k").await.status, 200);
}
