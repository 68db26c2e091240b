//! What a versioned bucket refuses (append, the JSON API's writes, deleting it while versions
//! or markers remain), and the chunks released when every version is deleted.

use crate::common::*;
use crate::json_common;
use crate::support::*;
use aws_sdk_s3::types::BucketVersioningStatus;

#[tokio::test]
async fn append_is_refused_once_versioning_was_set() {
    let (server, c) = setup().await;
    let s3 = root(&server);
    let append = |key: &str| {
        Req::new("POST", Some(B), key)
            .q("append", "")
            .q("position", "0")
            .body(b"log".to_vec())
    };
    assert_eq!(c.send(append("before")).await.status, 200);
    set_versioning(&s3, B, BucketVersioningStatus::Enabled).await;
    let r = c.send(append("after")).await;
    assert_eq!(r.status, 409, "{}", r.text());
    assert_eq!(c.get(B, "after").await.status, 404);
    set_versioning(&s3, B, BucketVersioningStatus::Suspended).await;
    assert_eq!(c.send(append("suspended")).await.status, 409);
    server.stop().await;
}

#[tokio::test]
async fn the_json_api_refuses_writes_in_a_versioned_bucket() {
    use json_common::{mkdir, update, upload};
    let (server, c) = setup().await;
    upload(&c, "/before.txt", b"b", &[]).await.ok();
    set_versioning(&root(&server), B, BucketVersioningStatus::Enabled).await;
    upload(&c, "/after.txt", b"a", &[]).await.err(-46659, 409);
    json_common::delete(&c, "/before.txt")
        .await
        .err(-46659, 409);
    mkdir(&c, "/dir/", None).await.err(-46659, 409);
    update(&c, "/before.txt", serde_json::json!({"biz_attr": "x"}))
        .await
        .err(-46659, 409);
    // The XML API still reads it (the seed forbids the JSON API on such a bucket altogether,
    // so JSON reads are not asserted either way).
    assert_eq!(c.get(B, "before.txt").await.text(), "b");
    server.stop().await;
}

#[tokio::test]
async fn a_bucket_with_only_old_versions_or_markers_is_not_empty() {
    let (server, _c) = setup().await;
    let s3 = root(&server);
    let bucket = "versions-1250000000";
    versioned(&s3, bucket).await;
    let v = put(&s3, bucket, "k", &random_bytes(600_000, 1)).await;
    let (_, marker) = delete(&s3, bucket, "k", None).await;
    let f = fail(s3.delete_bucket().bucket(bucket).send().await.unwrap_err());
    assert_eq!((f.status, f.code.as_str()), (409, "BucketNotEmpty"));
    delete(&s3, bucket, "k", Some(&v)).await;
    let f = fail(s3.delete_bucket().bucket(bucket).send().await.unwrap_err());
    assert_eq!(
        (f.status, f.code.as_str()),
        (409, "BucketNotEmpty"),
        "a lone marker"
    );
    delete(&s3, bucket, "k", Some(&marker.unwrap())).await;
    s3.delete_bucket().bucket(bucket).send().await.unwrap();
    server.stop().await;
}

#[tokio::test]
async fn deleting_every_version_releases_every_chunk() {
    let (server, c) = setup().await;
    let s3 = root(&server);
    set_versioning(&s3, B, BucketVersioningStatus::Enabled).await;
    // Multi-chunk versions (256 KiB chunks), one shared by two versions and a copy.
    let shared = random_bytes(700_000, 7);
    put(&s3, B, "a", &shared).await;
    put(&s3, B, "a", &random_bytes(300_000, 8)).await;
    put(&s3, B, "a", &shared).await;
    s3.copy_object()
        .bucket(B)
        .key("b")
        .copy_source(format!("{B}/a"))
        .send()
        .await
        .unwrap();
    delete(&s3, B, "a", None).await;
    set_versioning(&s3, B, BucketVersioningStatus::Suspended).await;
    put(&s3, B, "c", b"null version").await;
    put(&s3, B, "c", &random_bytes(400_000, 9)).await;

    let report = server.state.store.fsck(false).unwrap();
    assert!(report.is_clean(), "{report}");
    assert_eq!(report.orphaned_chunks, 0, "{report}");
    assert!(report.chunk_references > 0);

    for e in list_raw(&c, B, "").await {
        delete(&s3, B, &e.key, Some(&e.version)).await;
    }
    assert!(list_raw(&c, B, "").await.is_empty());
    let report = server.state.store.fsck(false).unwrap();
    assert!(report.is_clean(), "{report}");
    assert_eq!(report.chunk_references, 0, "{report}");
    // Unreferenced chunks wait out the collector's grace period, then go.
    server.clock.advance(std::time::Duration::from_secs(3600));
    server.state.store.gc_once().await.unwrap();
    let report = server.state.store.fsck(false).unwrap();
    assert_eq!(
        (report.orphaned_chunks, report.chunks_on_disk),
        (0, 0),
        "{report}"
    );
    // The SDK signs with the real clock, now an hour behind the server's: q-sign.
    assert_eq!(c.send(Req::new("DELETE", Some(B), "")).await.status, 204);
    server.stop().await;
}
