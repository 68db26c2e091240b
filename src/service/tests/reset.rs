//! `Store::remove_all_buckets`: every row goes with its references, across batches, and the
//! chunks are collected after the grace period.

use super::*;

#[tokio::test]
async fn removing_every_bucket_releases_every_reference_across_batches() {
    let f = fixture().await;
    // More objects than one batch, all naming the same chunk (20 bytes: above the inline
    // threshold), so the count drops to zero only in the last batch.
    let shared = payload(20, 1);
    for i in 0..2100 {
        put(&f.store, &format!("k{i:05}"), &shared, 20).await;
    }
    put(&f.store, "big", &payload(200 * 1024, 2), 64 * 1024).await;
    f.store
        .update_bucket("b-1", |r| {
            r.versioning = Some(crate::bucket_config::versioning::VersioningStatus::Enabled)
        })
        .await
        .unwrap();
    put(&f.store, "big", &payload(200 * 1024, 3), 64 * 1024).await;
    let upload = f
        .store
        .initiate_upload("b-1", "up", ObjectMeta::default(), "1", None)
        .await
        .unwrap();
    f.store
        .upload_part(
            "b-1",
            "up",
            &upload,
            1,
            body(&payload(100 * 1024, 4), 64 * 1024),
            WriteOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(refs(&f.store, &shared), Some(2100));

    let stats = f.store.remove_all_buckets().await.unwrap();
    assert_eq!(
        stats,
        crate::service::ResetStats {
            buckets: 1,
            objects: 2101,
            versions: 1,
            uploads: 1,
            parts: 1,
        }
    );
    assert_eq!(refs(&f.store, &shared), None);
    assert!(f.store.get_bucket("b-1").unwrap().is_none());
    assert!(matches!(
        f.store
            .put_object(
                "b-1",
                "late",
                body(b"x", 1),
                ObjectMeta::default(),
                WriteOptions::default()
            )
            .await,
        Err(ServiceError::NoSuchBucket)
    ));
    let report = f.store.fsck(false).unwrap();
    assert!(report.is_clean(), "{report:?}");
    assert_eq!((report.buckets, report.objects, report.parts), (0, 0, 0));
    let on_disk = f.store.chunks.list().unwrap().len();
    assert!(on_disk >= 7, "{on_disk}");
    f.clock.advance(Duration::from_secs(11));
    assert_eq!(f.store.gc_once().await.unwrap().deleted, on_disk);
    assert!(f.store.chunks.list().unwrap().is_empty());
}
