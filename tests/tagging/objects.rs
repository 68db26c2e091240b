//! PUT/GET/DELETE Object tagging, `x-cos-tagging-count`, and versions.

use crate::common::*;
use crate::support::*;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{BucketVersioningStatus, VersioningConfiguration};

#[tokio::test]
async fn tags_set_on_an_object_are_read_back_counted_on_get_and_head_and_deleted() {
    let (server, _c) = setup().await;
    let s3 = root(&server);
    s3.put_object()
        .bucket(B)
        .key("doc.txt")
        .body(ByteStream::from_static(b"hello"))
        .send()
        .await
        .unwrap();
    let head = s3
        .head_object()
        .bucket(B)
        .key("doc.txt")
        .send()
        .await
        .unwrap();
    assert_eq!(head.tag_count(), None, "no tags, no count");
    assert!(sdk_tags(&s3, B, "doc.txt", None).await.is_empty());

    let out = s3
        .put_object_tagging()
        .bucket(B)
        .key("doc.txt")
        .tagging(tagging(&[("team", "blue"), ("stage", "prod 2")]))
        .send()
        .await
        .unwrap();
    assert_eq!(
        out.version_id(),
        None,
        "an unversioned bucket names no version"
    );
    assert_eq!(
        sdk_tags(&s3, B, "doc.txt", None).await,
        pairs(&[("team", "blue"), ("stage", "prod 2")])
    );
    let head = s3
        .head_object()
        .bucket(B)
        .key("doc.txt")
        .send()
        .await
        .unwrap();
    assert_eq!(head.tag_count(), Some(2));
    let get = s3
        .get_object()
        .bucket(B)
        .key("doc.txt")
        .send()
        .await
        .unwrap();
    assert_eq!(get.tag_count(), Some(2));
    assert_eq!(
        get.body.collect().await.unwrap().into_bytes().as_ref(),
        b"hello",
        "tagging leaves the data alone"
    );

    // A new set replaces the old one whole.
    s3.put_object_tagging()
        .bucket(B)
        .key("doc.txt")
        .tagging(tagging(&[("only", "one")]))
        .send()
        .await
        .unwrap();
    assert_eq!(
        sdk_tags(&s3, B, "doc.txt", None).await,
        pairs(&[("only", "one")])
    );

    s3.delete_object_tagging()
        .bucket(B)
        .key("doc.txt")
        .send()
        .await
        .unwrap();
    assert!(sdk_tags(&s3, B, "doc.txt", None).await.is_empty());
    let head = s3
        .head_object()
        .bucket(B)
        .key("doc.txt")
        .send()
        .await
        .unwrap();
    assert_eq!(head.tag_count(), None);

    let missing = s3
        .get_object_tagging()
        .bucket(B)
        .key("nope")
        .send()
        .await
        .unwrap_err();
    assert_eq!(fail(missing), (404, "NoSuchKey".to_string()));
}

#[tokio::test]
async fn cos_clients_tag_objects_with_x_cos_headers() {
    let (_server, c) = setup().await;
    c.put(B, "a.txt", b"data").await;
    let r = put_raw_tagging(&c, B, "a.txt", &tagging_xml(&[("k1", "v1"), ("k2", "v2")])).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("x-cos-version-id"), None);
    assert_eq!(
        raw_tags(&c, B, "a.txt").await,
        pairs(&[("k1", "v1"), ("k2", "v2")])
    );
    let head = c.send(Req::new("HEAD", Some(B), "a.txt")).await;
    assert_eq!(head.header("x-cos-tagging-count"), Some("2"));
    assert_eq!(head.header("x-amz-tagging-count"), None);
    let get = c.get(B, "a.txt").await;
    assert_eq!(get.header("x-cos-tagging-count"), Some("2"));
    assert_eq!(get.body, b"data");

    let r = c
        .send(Req::new("DELETE", Some(B), "a.txt").q("tagging", ""))
        .await;
    assert_eq!(r.status, 204, "{}", r.text());
    let r = c
        .send(Req::new("GET", Some(B), "a.txt").q("tagging", ""))
        .await;
    assert_eq!(r.status, 200);
    assert!(r.text().contains("<TagSet"), "{}", r.text());
    assert!(!r.text().contains("<Tag>"), "{}", r.text());
    let head = c.send(Req::new("HEAD", Some(B), "a.txt")).await;
    assert_eq!(head.header("x-cos-tagging-count"), None);

    let r = put_raw_tagging(&c, B, "missing", &tagging_xml(&[("k", "v")])).await;
    assert_error(&r, 404, "NoSuchKey");
}

#[tokio::test]
async fn tagging_a_noncurrent_version_changes_only_that_version_and_creates_none() {
    let (server, c) = setup().await;
    let s3 = root(&server);
    s3.put_bucket_versioning()
        .bucket(B)
        .versioning_configuration(
            VersioningConfiguration::builder()
                .status(BucketVersioningStatus::Enabled)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let put = |body: &'static [u8]| {
        let s3 = s3.clone();
        async move {
            s3.put_object()
                .bucket(B)
                .key("k")
                .body(ByteStream::from_static(body))
                .send()
                .await
                .unwrap()
                .version_id()
                .unwrap()
                .to_string()
        }
    };
    let v1 = put(b"one").await;
    let v2 = put(b"two").await;

    let out = s3
        .put_object_tagging()
        .bucket(B)
        .key("k")
        .version_id(&v1)
        .tagging(tagging(&[("old", "yes")]))
        .send()
        .await
        .unwrap();
    assert_eq!(out.version_id(), Some(v1.as_str()));
    assert_eq!(
        sdk_tags(&s3, B, "k", Some(&v1)).await,
        pairs(&[("old", "yes")])
    );
    assert!(
        sdk_tags(&s3, B, "k", None).await.is_empty(),
        "the current version is untouched"
    );
    let got = s3
        .get_object_tagging()
        .bucket(B)
        .key("k")
        .send()
        .await
        .unwrap();
    assert_eq!(got.version_id(), Some(v2.as_str()));

    let versions = s3.list_object_versions().bucket(B).send().await.unwrap();
    let ids: Vec<&str> = versions
        .versions()
        .iter()
        .filter_map(|v| v.version_id())
        .collect();
    assert_eq!(ids, vec![v2.as_str(), v1.as_str()], "no version was added");
    let old = s3
        .get_object()
        .bucket(B)
        .key("k")
        .version_id(&v1)
        .send()
        .await
        .unwrap();
    assert_eq!(old.tag_count(), Some(1));
    assert_eq!(
        old.body.collect().await.unwrap().into_bytes().as_ref(),
        b"one"
    );

    // The COS dialect names the version too; deleting v1's tags leaves v2's alone.
    let r = put_raw_tagging(&c, B, "k", &tagging_xml(&[("cur", "1")])).await;
    assert_eq!(r.header("x-cos-version-id"), Some(v2.as_str()));
    let r = c
        .send(
            Req::new("DELETE", Some(B), "k")
                .q("tagging", "")
                .q("versionId", &v1),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.text());
    assert_eq!(r.header("x-cos-version-id"), Some(v1.as_str()));
    assert!(sdk_tags(&s3, B, "k", Some(&v1)).await.is_empty());
    assert_eq!(sdk_tags(&s3, B, "k", None).await, pairs(&[("cur", "1")]));

    // A delete marker has no tags: 405 by id (as S3), 404 as the latest version.
    let marker = s3
        .delete_object()
        .bucket(B)
        .key("k")
        .send()
        .await
        .unwrap()
        .version_id()
        .unwrap()
        .to_string();
    let by_id = s3
        .get_object_tagging()
        .bucket(B)
        .key("k")
        .version_id(&marker)
        .send()
        .await
        .unwrap_err();
    assert_eq!(fail(by_id), (405, "MethodNotAllowed".to_string()));
    let put_marker = s3
        .put_object_tagging()
        .bucket(B)
        .key("k")
        .version_id(&marker)
        .tagging(tagging(&[("a", "b")]))
        .send()
        .await
        .unwrap_err();
    assert_eq!(fail(put_marker), (405, "MethodNotAllowed".to_string()));
    let latest = s3
        .get_object_tagging()
        .bucket(B)
        .key("k")
        .send()
        .await
        .unwrap_err();
    assert_eq!(fail(latest), (404, "NoSuchKey".to_string()));
    // The versions under the marker keep theirs.
    assert_eq!(
        sdk_tags(&s3, B, "k", Some(&v2)).await,
        pairs(&[("cur", "1")])
    );
}
