//! The notification outbox: an event per matching change in its batch, sequence numbers that
//! never repeat across a reopen of the store (even once the outbox is empty), and nothing
//! queued for a bucket without a configuration or for a webhook not configured.

use super::*;
use crate::bucket_config::notification::{Destination, NotificationConfig, NotifyRule};

fn rule(target: &str) -> NotifyRule {
    NotifyRule {
        id: format!("to-{target}"),
        destination: Destination::Queue,
        arn: format!("arn:cosd:sqs::{target}:webhook"),
        target: target.into(),
        events: vec!["s3:ObjectCreated:*".into(), "s3:ObjectRemoved:*".into()],
        prefix: None,
        suffix: None,
    }
}

fn store_on(kv: Arc<MemKv>, dir: &std::path::Path) -> Arc<Store> {
    let cfg = StoreConfig {
        inline_threshold: 16,
        chunk_size: 64 * 1024,
        max_object_size: 1 << 30,
        gc_grace_ms: 10_000,
        notify_targets: vec!["h".into()],
    };
    let chunks = Arc::new(FsChunkStore::open(dir).unwrap());
    let store = Arc::new(Store::new(
        kv,
        chunks,
        Arc::new(OffsetClock::default()),
        cfg,
    ));
    store.open_outbox().unwrap();
    store
}

async fn seqs(store: &Arc<Store>, target: &str) -> Vec<u64> {
    let page = store.outbox_page(target, None, 100).await.unwrap();
    page.into_iter().map(|(s, _)| s).collect()
}

#[tokio::test]
async fn events_are_queued_in_order_and_sequence_numbers_survive_a_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let kv = Arc::new(MemKv::new());
    let store = store_on(Arc::clone(&kv), dir.path());
    let name = BucketName::parse("b-1").unwrap();
    store
        .create_bucket(&name, "1", "r", CannedAcl::Private, vec![], vec![])
        .await
        .unwrap();
    put(&store, "quiet", b"no configuration yet", 4).await;
    assert!(store.outbox_backlog().await.unwrap().is_empty());
    store
        .update_bucket("b-1", |r| {
            r.notification = Some(NotificationConfig {
                rules: vec![rule("h"), rule("unconfigured")],
            })
        })
        .await
        .unwrap();
    put(&store, "a", b"one", 4).await;
    store.delete_object("b-1", "a").await.unwrap();
    // Deleting nothing changes nothing.
    store.delete_object("b-1", "a").await.unwrap();
    assert_eq!(seqs(&store, "h").await, [1, 2]);
    assert!(seqs(&store, "unconfigured").await.is_empty());
    let page = store.outbox_page("h", None, 10).await.unwrap();
    let names: Vec<&str> = page
        .iter()
        .map(|(_, e)| e.as_ref().unwrap().event.as_str())
        .collect();
    assert_eq!(names, ["ObjectCreated:Put", "ObjectRemoved:Delete"]);
    assert_eq!(*store.outbox_ready().borrow(), 2);
    store.outbox_ack("h", vec![1, 2]).await.unwrap();
    assert!(store.outbox_backlog().await.unwrap().is_empty());

    // A new process on the same metadata: the counter goes on from where it was.
    drop(store);
    let store = store_on(kv, dir.path());
    assert_eq!(*store.outbox_ready().borrow(), 2);
    put(&store, "b", b"two", 4).await;
    assert_eq!(seqs(&store, "h").await, [3]);
    assert_eq!(store.outbox_page("h", Some(3), 10).await.unwrap().len(), 0);
}
