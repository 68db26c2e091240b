//! The versioning states, version ids, delete markers, deletes by id and null versions.

use crate::common::*;
use crate::support::*;
use aws_sdk_s3::types::BucketVersioningStatus;
use std::collections::HashSet;

#[tokio::test]
async fn versioning_is_enabled_or_suspended_and_never_returns_to_unversioned() {
    let (server, c) = setup().await;
    let s3 = root(&server);
    let got = s3.get_bucket_versioning().bucket(B).send().await.unwrap();
    assert_eq!(got.status(), None, "a new bucket is unversioned");
    let r = c
        .send(Req::new("GET", Some(B), "").q("versioning", ""))
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(r.text().contains("VersioningConfiguration"), "{}", r.text());
    assert_eq!(r.xml("Status"), None, "{}", r.text());

    set_versioning(&s3, B, BucketVersioningStatus::Enabled).await;
    let got = s3.get_bucket_versioning().bucket(B).send().await.unwrap();
    assert_eq!(got.status(), Some(&BucketVersioningStatus::Enabled));
    set_versioning(&s3, B, BucketVersioningStatus::Suspended).await;
    let got = s3.get_bucket_versioning().bucket(B).send().await.unwrap();
    assert_eq!(got.status(), Some(&BucketVersioningStatus::Suspended));

    // Bad bodies are MalformedXML and change nothing.
    for bad in [
        "<VersioningConfiguration><Status>Off</Status></VersioningConfiguration>",
        "<VersioningConfiguration><Status>Disabled</Status></VersioningConfiguration>",
        "<LifecycleConfiguration><Status>Enabled</Status></LifecycleConfiguration>",
        "<VersioningConfiguration><Status>Enabled</Status>",
        "not xml at all",
    ] {
        assert_error(&put_versioning_raw(&c, B, bad).await, 400, "MalformedXML");
        let got = s3.get_bucket_versioning().bucket(B).send().await.unwrap();
        assert_eq!(
            got.status(),
            Some(&BucketVersioningStatus::Suspended),
            "{bad} changed the state"
        );
    }
    // No MFA in cosd: MfaDelete Enabled is refused, Disabled accepted.
    let r = put_versioning_raw(
        &c,
        B,
        "<VersioningConfiguration><Status>Enabled</Status><MfaDelete>Enabled</MfaDelete></VersioningConfiguration>",
    )
    .await;
    assert_error(&r, 501, "NotImplemented");
    let r = put_versioning_raw(
        &c,
        B,
        "<VersioningConfiguration><Status>Enabled</Status><MfaDelete>Disabled</MfaDelete></VersioningConfiguration>",
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = c
        .send(Req::new("GET", Some(B), "").q("versioning", ""))
        .await;
    assert_eq!(r.xml("Status").as_deref(), Some("Enabled"), "{}", r.text());
    server.stop().await;
}

#[tokio::test]
async fn every_write_makes_a_distinct_readable_version() {
    let (server, c) = setup().await;
    let s3 = root(&server);
    set_versioning(&s3, B, BucketVersioningStatus::Enabled).await;
    let mut ids = Vec::new();
    for i in 0..5 {
        ids.push(put(&s3, B, "doc.txt", format!("v{i}").as_bytes()).await);
    }
    let distinct: HashSet<&String> = ids.iter().collect();
    assert_eq!(distinct.len(), 5, "{ids:?}");
    assert!(ids.iter().all(|id| id != "null" && !id.is_empty()));
    for (i, id) in ids.iter().enumerate() {
        assert_eq!(
            get_body(&s3, B, "doc.txt", Some(id)).await,
            format!("v{i}").as_bytes()
        );
        let head = s3
            .head_object()
            .bucket(B)
            .key("doc.txt")
            .version_id(id)
            .send()
            .await
            .unwrap();
        assert_eq!(head.version_id(), Some(id.as_str()));
        assert_eq!(head.content_length(), Some(2));
    }
    let latest = s3
        .get_object()
        .bucket(B)
        .key("doc.txt")
        .send()
        .await
        .unwrap();
    assert_eq!(latest.version_id(), Some(ids[4].as_str()));
    assert_eq!(
        latest.body.collect().await.unwrap().into_bytes().as_ref(),
        b"v4"
    );
    // An empty versionId is the latest version.
    let r = c
        .send(Req::new("GET", Some(B), "doc.txt").q("versionId", ""))
        .await;
    assert_eq!((r.status, r.text().as_str()), (200, "v4"));
    // The listing has them newest first, the first one latest.
    let listed = list_raw(&c, B, "doc.txt").await;
    let want: Vec<String> = ids.iter().rev().cloned().collect();
    assert_eq!(
        listed.iter().map(|e| e.version.clone()).collect::<Vec<_>>(),
        want
    );
    assert_eq!(
        listed.iter().map(|e| e.latest).collect::<Vec<_>>(),
        [true, false, false, false, false]
    );
    server.stop().await;
}

#[tokio::test]
async fn delete_without_id_adds_a_marker_that_hides_the_object() {
    let (server, c) = setup().await;
    let s3 = root(&server);
    set_versioning(&s3, B, BucketVersioningStatus::Enabled).await;
    let v1 = put(&s3, B, "k", b"one").await;
    let (is_marker, marker) = delete(&s3, B, "k", None).await;
    assert!(is_marker, "x-amz-delete-marker: true");
    let marker = marker.expect("the marker's version id");
    assert_ne!(marker, v1);
    assert_ne!(marker, "null");

    let f = get_fail(&s3, B, "k", None).await;
    assert_eq!((f.status, f.code.as_str()), (404, "NoSuchKey"));
    assert_eq!(f.delete_marker.as_deref(), Some("true"));
    assert_eq!(f.version_id.as_deref(), Some(marker.as_str()));
    let f = fail(
        s3.head_object()
            .bucket(B)
            .key("k")
            .send()
            .await
            .unwrap_err(),
    );
    assert_eq!(f.status, 404);
    assert_eq!(f.delete_marker.as_deref(), Some("true"));
    // The old version is still there by id.
    assert_eq!(get_body(&s3, B, "k", Some(&v1)).await, b"one");

    // A marker on a key that never existed, and a second marker on top of the first.
    let (m, id) = delete(&s3, B, "never", None).await;
    assert!(m && id.is_some());
    let (m, second) = delete(&s3, B, "k", None).await;
    assert!(m);
    let listed = list_raw(&c, B, "k").await;
    assert_eq!(
        listed,
        [
            Entry {
                marker: true,
                key: "k".into(),
                version: second.unwrap(),
                latest: true
            },
            Entry {
                marker: true,
                key: "k".into(),
                version: marker,
                latest: false
            },
            Entry {
                marker: false,
                key: "k".into(),
                version: v1,
                latest: false
            },
        ]
    );
    // Plain listing does not show a key whose latest version is a marker.
    let plain = s3.list_objects_v2().bucket(B).send().await.unwrap();
    assert!(plain.contents().is_empty(), "{:?}", plain.contents());
    server.stop().await;
}

#[tokio::test]
async fn delete_by_id_is_permanent_and_removing_the_latest_marker_restores_the_object() {
    let (server, c) = setup().await;
    let s3 = root(&server);
    set_versioning(&s3, B, BucketVersioningStatus::Enabled).await;
    let v1 = put(&s3, B, "k", b"one").await;
    let v2 = put(&s3, B, "k", b"two").await;
    let v3 = put(&s3, B, "k", b"three").await;

    // A noncurrent version by id: gone for good, the latest unchanged.
    let (m, id) = delete(&s3, B, "k", Some(&v1)).await;
    assert_eq!((m, id.as_deref()), (false, Some(v1.as_str())));
    let f = get_fail(&s3, B, "k", Some(&v1)).await;
    assert_eq!((f.status, f.code.as_str()), (404, "NoSuchVersion"));
    assert_eq!(get_body(&s3, B, "k", None).await, b"three");
    // The latest by id: the next newest becomes the latest.
    delete(&s3, B, "k", Some(&v3)).await;
    assert_eq!(get_body(&s3, B, "k", None).await, b"two");
    // Deleting a version that is not there is 204, as S3 does.
    delete(&s3, B, "k", Some(&v3)).await;

    // A marker, then the marker removed by id: the object is back.
    let (_, marker) = delete(&s3, B, "k", None).await;
    let marker = marker.unwrap();
    assert_eq!(get_fail(&s3, B, "k", None).await.status, 404);
    let (m, id) = delete(&s3, B, "k", Some(&marker)).await;
    assert!(m, "removing a marker answers x-amz-delete-marker: true");
    assert_eq!(id.as_deref(), Some(marker.as_str()));
    let got = s3.get_object().bucket(B).key("k").send().await.unwrap();
    assert_eq!(got.version_id(), Some(v2.as_str()));
    assert_eq!(
        got.body.collect().await.unwrap().into_bytes().as_ref(),
        b"two"
    );
    let listed = list_raw(&c, B, "k").await;
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert!(listed[0].latest && !listed[0].marker && listed[0].version == v2);
    server.stop().await;
}

#[tokio::test]
async fn suspended_buckets_write_and_replace_the_null_version() {
    let (server, c) = setup().await;
    let s3 = root(&server);
    set_versioning(&s3, B, BucketVersioningStatus::Enabled).await;
    let v1 = put(&s3, B, "k", b"kept").await;
    set_versioning(&s3, B, BucketVersioningStatus::Suspended).await;
    assert_eq!(put(&s3, B, "k", b"null-1").await, "null");
    assert_eq!(put(&s3, B, "k", b"null-2").await, "null");
    let listed = list_raw(&c, B, "k").await;
    let versions: Vec<(&str, bool)> = listed
        .iter()
        .map(|e| (e.version.as_str(), e.latest))
        .collect();
    assert_eq!(
        versions,
        [("null", true), (v1.as_str(), false)],
        "one null version, replaced in place"
    );
    assert_eq!(get_body(&s3, B, "k", None).await, b"null-2");
    assert_eq!(get_body(&s3, B, "k", Some("null")).await, b"null-2");
    assert_eq!(get_body(&s3, B, "k", Some(&v1)).await, b"kept");

    // A delete in a Suspended bucket: the marker is the null version (it replaces the object).
    let (m, id) = delete(&s3, B, "k", None).await;
    assert_eq!((m, id.as_deref()), (true, Some("null")));
    let listed = list_raw(&c, B, "k").await;
    assert_eq!(listed.len(), 2, "{listed:?}");
    assert!(listed[0].marker && listed[0].version == "null" && listed[0].latest);
    assert_eq!(listed[1].version, v1);

    // Re-enabled: new ids again, and the null version stays where it is among them.
    set_versioning(&s3, B, BucketVersioningStatus::Enabled).await;
    let v3 = put(&s3, B, "k", b"three").await;
    assert_ne!(v3, "null");
    let ids: Vec<String> = list_raw(&c, B, "k")
        .await
        .into_iter()
        .map(|e| e.version)
        .collect();
    assert_eq!(ids, [v3, "null".to_string(), v1]);
    // With a noncurrent null version, a Suspended write replaces it wherever it is.
    set_versioning(&s3, B, BucketVersioningStatus::Suspended).await;
    put(&s3, B, "k", b"null-3").await;
    let listed = list_raw(&c, B, "k").await;
    assert_eq!(listed.len(), 3, "{listed:?}");
    assert_eq!(
        (listed[0].version.as_str(), listed[0].latest),
        ("null", true)
    );
    assert!(!listed[0].marker);
    assert!(listed.iter().filter(|e| e.version == "null").count() == 1);
    server.stop().await;
}

#[tokio::test]
async fn objects_written_before_versioning_are_the_null_version() {
    let (server, c) = setup().await;
    let s3 = root(&server);
    c.put(B, "old", b"before").await;
    set_versioning(&s3, B, BucketVersioningStatus::Enabled).await;
    let head = s3.head_object().bucket(B).key("old").send().await.unwrap();
    assert_eq!(head.version_id(), Some("null"));
    let v = put(&s3, B, "old", b"after").await;
    assert_eq!(get_body(&s3, B, "old", Some("null")).await, b"before");
    assert_eq!(get_body(&s3, B, "old", None).await, b"after");
    let listed = list_raw(&c, B, "old").await;
    let ids: Vec<(&str, bool)> = listed
        .iter()
        .map(|e| (e.version.as_str(), e.latest))
        .collect();
    assert_eq!(ids, [(v.as_str(), true), ("null", false)]);
    server.stop().await;
}
