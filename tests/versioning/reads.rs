//! Reads by version id (405 on a marker, refused and unknown ids), copies and multipart
//! uploads from versions, multi-object delete, and the COS dialect's `x-cos-*` headers.

use crate::common::*;
use crate::support::*;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{
    BucketVersioningStatus, CompletedMultipartUpload, CompletedPart, Delete, ObjectIdentifier,
};
use std::collections::BTreeMap;

#[tokio::test]
async fn a_marker_read_by_id_is_405_and_bad_ids_are_refused() {
    let (server, c) = setup().await;
    let s3 = root(&server);
    set_versioning(&s3, B, BucketVersioningStatus::Enabled).await;
    let v1 = put(&s3, B, "k", b"one").await;
    let (_, marker) = delete(&s3, B, "k", None).await;
    let marker = marker.unwrap();

    let f = get_fail(&s3, B, "k", Some(&marker)).await;
    assert_eq!((f.status, f.code.as_str()), (405, "MethodNotAllowed"));
    assert_eq!(f.delete_marker.as_deref(), Some("true"));
    assert!(f.last_modified.is_some(), "Last-Modified on the 405");
    let f = fail(
        s3.head_object()
            .bucket(B)
            .key("k")
            .version_id(&marker)
            .send()
            .await
            .unwrap_err(),
    );
    assert_eq!(f.status, 405);
    assert_eq!(f.delete_marker.as_deref(), Some("true"));
    assert!(f.last_modified.is_some());
    // COS dialect: the same, with x-cos-* headers.
    let r = send_version(&c, "GET", "k", &marker).await;
    assert_error(&r, 405, "MethodNotAllowed");
    assert_eq!(r.header("x-cos-delete-marker"), Some("true"));

    // An id cosd could not have made: 400 InvalidArgument.
    for bad in ["not-a-version", "MTIz", "%%%", "nul"] {
        let r = send_version(&c, "GET", "k", bad).await;
        assert_error(&r, 400, "InvalidArgument");
        let r = send_version(&c, "DELETE", "k", bad).await;
        assert_error(&r, 400, "InvalidArgument");
    }
    let f = get_fail(&s3, B, "k", Some("not-a-version")).await;
    assert_eq!((f.status, f.code.as_str()), (400, "InvalidArgument"));
    // A well-formed id naming no version: 404 NoSuchVersion.
    let unknown = neighbour_id(&v1);
    assert_ne!(unknown, v1);
    let f = get_fail(&s3, B, "k", Some(&unknown)).await;
    assert_eq!((f.status, f.code.as_str()), (404, "NoSuchVersion"));
    // "null" on a key without a null version.
    let r = send_version(&c, "GET", "k", "null").await;
    assert_error(&r, 404, "NoSuchVersion");
    server.stop().await;
}

#[tokio::test]
async fn copies_read_the_named_source_version() {
    let (server, _c) = setup().await;
    let s3 = root(&server);
    set_versioning(&s3, B, BucketVersioningStatus::Enabled).await;
    let v1 = put(&s3, B, "src", b"first").await;
    put(&s3, B, "src", b"second").await;

    let out = s3
        .copy_object()
        .bucket(B)
        .key("dst")
        .copy_source(format!("{B}/src?versionId={v1}"))
        .send()
        .await
        .unwrap();
    assert_eq!(out.copy_source_version_id(), Some(v1.as_str()));
    let dst_version = out
        .version_id()
        .expect("the copy is a new version")
        .to_string();
    assert_ne!(dst_version, v1);
    assert_eq!(get_body(&s3, B, "dst", None).await, b"first");
    assert_eq!(get_body(&s3, B, "dst", Some(&dst_version)).await, b"first");

    // A marker as the source is 400 InvalidRequest; a missing version 404 NoSuchVersion.
    let (_, marker) = delete(&s3, B, "src", None).await;
    let f = copy_fail(
        &s3,
        "dst2",
        format!("{B}/src?versionId={}", marker.unwrap()),
    )
    .await;
    assert_eq!((f.status, f.code.as_str()), (400, "InvalidRequest"));
    let f = copy_fail(
        &s3,
        "dst2",
        format!("{B}/src?versionId={}", neighbour_id(&v1)),
    )
    .await;
    assert_eq!((f.status, f.code.as_str()), (404, "NoSuchVersion"));
    // The latest of `src` is a marker: a plain copy finds nothing.
    let f = copy_fail(&s3, "dst2", format!("{B}/src")).await;
    assert_eq!(f.status, 404);

    // Upload Part - Copy from a version, and the completed upload is a new version.
    let up = s3
        .create_multipart_upload()
        .bucket(B)
        .key("mp")
        .send()
        .await
        .unwrap();
    let upload_id = up.upload_id().unwrap();
    let part = s3
        .upload_part_copy()
        .bucket(B)
        .key("mp")
        .upload_id(upload_id)
        .part_number(1)
        .copy_source(format!("{B}/src?versionId={v1}"))
        .send()
        .await
        .unwrap();
    assert_eq!(part.copy_source_version_id(), Some(v1.as_str()));
    let etag = part
        .copy_part_result()
        .unwrap()
        .e_tag()
        .unwrap()
        .to_string();
    let done = s3
        .complete_multipart_upload()
        .bucket(B)
        .key("mp")
        .upload_id(upload_id)
        .multipart_upload(
            CompletedMultipartUpload::builder()
                .parts(CompletedPart::builder().part_number(1).e_tag(etag).build())
                .build(),
        )
        .send()
        .await
        .unwrap();
    let mp_version = done
        .version_id()
        .expect("completing makes a version")
        .to_string();
    assert_ne!(mp_version, "null");
    assert_eq!(get_body(&s3, B, "mp", Some(&mp_version)).await, b"first");
    server.stop().await;
}

#[tokio::test]
async fn completing_a_multipart_upload_over_an_object_keeps_the_old_version() {
    let (server, c) = setup().await;
    let s3 = root(&server);
    set_versioning(&s3, B, BucketVersioningStatus::Enabled).await;
    let old = put(&s3, B, "big", b"old").await;
    let up = s3
        .create_multipart_upload()
        .bucket(B)
        .key("big")
        .send()
        .await
        .unwrap();
    let id = up.upload_id().unwrap();
    let data = random_bytes(300_000, 3);
    let part = s3
        .upload_part()
        .bucket(B)
        .key("big")
        .upload_id(id)
        .part_number(1)
        .body(ByteStream::from(data.clone()))
        .send()
        .await
        .unwrap();
    let done = s3
        .complete_multipart_upload()
        .bucket(B)
        .key("big")
        .upload_id(id)
        .multipart_upload(
            CompletedMultipartUpload::builder()
                .parts(
                    CompletedPart::builder()
                        .part_number(1)
                        .e_tag(part.e_tag().unwrap())
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    let new = done.version_id().unwrap().to_string();
    assert_ne!(new, old);
    assert_eq!(get_body(&s3, B, "big", None).await, data);
    assert_eq!(get_body(&s3, B, "big", Some(&old)).await, b"old");
    let ids: Vec<String> = list_raw(&c, B, "big")
        .await
        .into_iter()
        .map(|e| e.version)
        .collect();
    assert_eq!(ids, [new, old]);
    server.stop().await;
}

#[tokio::test]
async fn multi_object_delete_takes_version_ids_and_reports_markers() {
    let (server, c) = setup().await;
    let s3 = root(&server);
    set_versioning(&s3, B, BucketVersioningStatus::Enabled).await;
    let a1 = put(&s3, B, "a", b"a1").await;
    let a2 = put(&s3, B, "a", b"a2").await;
    put(&s3, B, "b", b"b1").await;
    let ids = vec![
        ObjectIdentifier::builder()
            .key("a")
            .version_id(&a1)
            .build()
            .unwrap(),
        ObjectIdentifier::builder().key("b").build().unwrap(),
    ];
    let out = s3
        .delete_objects()
        .bucket(B)
        .delete(Delete::builder().set_objects(Some(ids)).build().unwrap())
        .send()
        .await
        .unwrap();
    assert!(out.errors().is_empty(), "{:?}", out.errors());
    let by_key: BTreeMap<&str, _> = out
        .deleted()
        .iter()
        .map(|d| (d.key().unwrap(), d))
        .collect();
    let a = by_key["a"];
    assert_eq!(a.version_id(), Some(a1.as_str()));
    assert_ne!(a.delete_marker(), Some(true));
    let b = by_key["b"];
    assert_eq!(b.delete_marker(), Some(true));
    let b_marker = b
        .delete_marker_version_id()
        .expect("DeleteMarkerVersionId")
        .to_string();
    let listed = list_raw(&c, B, "").await;
    let got: Vec<(&str, &str, bool)> = listed
        .iter()
        .map(|e| (e.key.as_str(), e.version.as_str(), e.marker))
        .collect();
    assert_eq!(
        got,
        [
            ("a", a2.as_str(), false),
            ("b", b_marker.as_str(), true),
            ("b", got[2].1, false)
        ]
    );
    // Removing the marker by id through the same API brings `b` back.
    let ids = vec![ObjectIdentifier::builder()
        .key("b")
        .version_id(&b_marker)
        .build()
        .unwrap()];
    let out = s3
        .delete_objects()
        .bucket(B)
        .delete(Delete::builder().set_objects(Some(ids)).build().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(out.deleted()[0].version_id(), Some(b_marker.as_str()));
    assert_eq!(get_body(&s3, B, "b", None).await, b"b1");
    server.stop().await;
}

#[tokio::test]
async fn the_cos_dialect_sends_x_cos_version_headers() {
    let (server, c) = setup().await;
    // Unversioned: GET/HEAD still carry x-cos-version-id: null (003:2935).
    c.put(B, "plain", b"p").await;
    let r = c.get(B, "plain").await;
    assert_eq!(r.header("x-cos-version-id"), Some("null"));
    let r = c.send(Req::new("HEAD", Some(B), "plain")).await;
    assert_eq!(r.header("x-cos-version-id"), Some("null"));

    let body = "<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>";
    let r = put_versioning_raw(&c, B, body).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = c.put(B, "k", b"one").await;
    let v1 = r.header("x-cos-version-id").unwrap().to_string();
    assert_ne!(v1, "null");
    let r = c.put(B, "k", b"two").await;
    let v2 = r.header("x-cos-version-id").unwrap().to_string();
    let r = c.get(B, "k").await;
    assert_eq!(
        (r.text().as_str(), r.header("x-cos-version-id")),
        ("two", Some(v2.as_str()))
    );
    let r = send_version(&c, "GET", "k", &v1).await;
    assert_eq!(
        (r.status, r.text().as_str(), r.header("x-cos-version-id")),
        (200, "one", Some(v1.as_str()))
    );
    let r = c.send(Req::new("DELETE", Some(B), "k")).await;
    assert_eq!(r.status, 204);
    assert_eq!(r.header("x-cos-delete-marker"), Some("true"));
    let marker = r.header("x-cos-version-id").unwrap().to_string();
    let r = c.get(B, "k").await;
    assert_error(&r, 404, "NoSuchKey");
    assert_eq!(r.header("x-cos-delete-marker"), Some("true"));
    assert_eq!(r.header("x-cos-version-id"), Some(marker.as_str()));
    let r = send_version(&c, "DELETE", "k", &v1).await;
    assert_eq!(r.status, 204);
    assert_eq!(r.header("x-cos-version-id"), Some(v1.as_str()));
    assert_eq!(r.header("x-cos-delete-marker"), None);
    let r = send_version(&c, "DELETE", "k", &marker).await;
    assert_eq!(
        (r.status, r.header("x-cos-delete-marker")),
        (204, Some("true"))
    );
    assert_eq!(c.get(B, "k").await.text(), "two");

    // Copy in the COS dialect names the source version.
    let source = format!("{B}.cos.{REGION}.myqcloud.com/k?versionId={v2}");
    let r = c
        .send(Req::new("PUT", Some(B), "copy").h("x-cos-copy-source", &source))
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("x-cos-copy-source-version-id"), Some(v2.as_str()));
    assert!(r.header("x-cos-version-id").is_some());

    // The listing in the COS dialect.
    let r = c.send(Req::new("GET", Some(B), "").q("versions", "")).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(r.text().contains("<ListVersionsResult"), "{}", r.text());
    assert_eq!(r.xml("Name").as_deref(), Some(B));
    assert_eq!(r.xml("MaxKeys").as_deref(), Some("1000"));
    let e = entries(&r.text());
    let keys: Vec<(&str, &str)> = e
        .iter()
        .map(|e| (e.key.as_str(), e.version.as_str()))
        .collect();
    assert_eq!(
        keys,
        [
            ("copy", e[0].version.as_str()),
            ("k", v2.as_str()),
            ("plain", "null")
        ]
    );
    server.stop().await;
}
