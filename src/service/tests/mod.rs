//! Service-level tests on MemKv and real chunk files.

use super::*;
use crate::chunk::FsChunkStore;
use crate::clock::OffsetClock;
use crate::meta::{KeyCodec, MemKv};
use crate::types::{BucketName, CannedAcl};
use bytes::Bytes;
use std::time::Duration;

struct Fixture {
    _dir: tempfile::TempDir,
    store: Arc<Store>,
    clock: Arc<OffsetClock>,
}

async fn fixture() -> Fixture {
    fixture_with(|dir| Arc::new(FsChunkStore::open(dir).unwrap())).await
}

/// A store over the chunk store `chunks` makes in the fixture's directory, with bucket `b-1`.
async fn fixture_with(chunks: impl FnOnce(&std::path::Path) -> Arc<dyn ChunkStore>) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(OffsetClock::default());
    let chunks = chunks(dir.path());
    let cfg = StoreConfig {
        inline_threshold: 16,
        chunk_size: 64 * 1024,
        max_object_size: 1 << 30,
        gc_grace_ms: 10_000,
        notify_targets: Vec::new(),
    };
    let store = Arc::new(Store::new(
        Arc::new(MemKv::new()),
        chunks,
        clock.clone(),
        cfg,
    ));
    store
        .create_bucket(
            &BucketName::parse("b-1").unwrap(),
            "1",
            "r",
            CannedAcl::Private,
            vec![],
            vec![],
        )
        .await
        .unwrap();
    Fixture {
        _dir: dir,
        store,
        clock,
    }
}

fn body(
    data: &[u8],
    piece: usize,
) -> impl futures_util::Stream<Item = Result<Bytes, ServiceError>> + Unpin + Send {
    let pieces: Vec<Result<Bytes, std::io::Error>> = data
        .chunks(piece.max(1))
        .map(|c| Ok(Bytes::copy_from_slice(c)))
        .collect();
    client_body(pieces)
}

/// PUTs `data` as `b-1/key`, sent in pieces of `piece` bytes, with default metadata.
async fn put(store: &Arc<Store>, key: &str, data: &[u8], piece: usize) {
    store
        .put_object(
            "b-1",
            key,
            body(data, piece),
            ObjectMeta::default(),
            WriteOptions::default(),
        )
        .await
        .unwrap();
}

/// A request body as the client sends it: a failure to read it is the client's.
fn client_body(
    pieces: Vec<Result<Bytes, std::io::Error>>,
) -> impl futures_util::Stream<Item = Result<Bytes, ServiceError>> + Unpin + Send {
    use futures_util::TryStreamExt;
    futures_util::stream::iter(pieces).map_err(ServiceError::body_read)
}

async fn read_all(
    store: &Arc<Store>,
    key: &str,
    range: Option<crate::types::ByteRange>,
) -> Vec<u8> {
    use futures_util::StreamExt;
    let rec = store.head_object("b-1", key).unwrap();
    let mut s = Box::pin(store.read_stream(&rec, range, None));
    let mut out = Vec::new();
    while let Some(b) = s.next().await {
        out.extend_from_slice(&b.unwrap());
    }
    out
}

fn refs(store: &Store, data: &[u8]) -> Option<u64> {
    let id = crate::chunk::chunk_id(data);
    store
        .kv
        .get(&KeyCodec::chunk(&id))
        .unwrap()
        .map(|v| crate::meta::ChunkRefcount::decode(&v).unwrap().refs)
}

fn payload(n: usize, seed: u8) -> Vec<u8> {
    (0..n)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
        .collect()
}

#[tokio::test]
async fn put_get_ranges_inline_and_chunked() {
    let f = fixture().await;
    for (key, n) in [("small", 10usize), ("empty", 0), ("big", 200_000)] {
        let data = payload(n, 1);
        let out = f
            .store
            .put_object(
                "b-1",
                key,
                body(&data, 7000),
                ObjectMeta::default(),
                WriteOptions::default(),
            )
            .await
            .unwrap();
        assert_eq!(out.record.size, n as u64);
        assert_eq!(out.record.crc64, crate::checksum::crc64(&data));
        assert_eq!(read_all(&f.store, key, None).await, data);
        if n > 0 {
            let r = crate::types::ByteRange {
                start: (n / 3) as u64,
                len: (n / 2) as u64,
            };
            assert_eq!(
                read_all(&f.store, key, Some(r)).await,
                &data[n / 3..n / 3 + n / 2]
            );
        }
    }
    let big = f.store.head_object("b-1", "big").unwrap();
    assert_eq!(big.data.chunks().len(), 4, "200000 bytes in 64 KiB chunks");
    assert!(matches!(
        f.store.head_object("b-1", "small").unwrap().data,
        crate::meta::DataLayout::Inline(_)
    ));
}

/// A body of many chunks, more than the pipeline holds at once (queued for the hash chain and
/// stored concurrently): its chunks are listed in body order, its MD5 and CRC-64 are those of
/// the whole body, and a body that breaks after many chunks leaves nothing behind.
#[tokio::test]
async fn many_chunks_keep_their_order_and_whole_body_digests() {
    use md5::Digest;
    let f = fixture().await;
    let chunk = 64 * 1024;
    // Every chunk different (`payload` repeats every 256 bytes), so order shows in the ids.
    let mut data: Vec<u8> = (0..17u8).flat_map(|k| payload(chunk, k)).collect();
    data.extend_from_slice(&payload(123, 99));
    let out = f
        .store
        .put_object(
            "b-1",
            "many",
            body(&data, 7919),
            ObjectMeta::default(),
            WriteOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(out.record.etag, hex::encode(md5::Md5::digest(&data)));
    assert_eq!(out.record.crc64, crate::checksum::crc64(&data));
    let ids: Vec<_> = out.record.data.chunks().iter().map(|c| c.id).collect();
    let want: Vec<_> = data.chunks(chunk).map(crate::chunk::chunk_id).collect();
    assert_eq!(ids, want);
    assert_eq!(read_all(&f.store, "many", None).await, data);

    let broken: Vec<u8> = (0..10u8).flat_map(|k| payload(chunk, 50 + k)).collect();
    let mut pieces: Vec<Result<Bytes, std::io::Error>> = broken
        .chunks(chunk / 2)
        .map(|c| Ok(Bytes::copy_from_slice(c)))
        .collect();
    pieces.push(Err(std::io::Error::other("reset")));
    let err = f
        .store
        .put_object(
            "b-1",
            "broken",
            client_body(pieces),
            ObjectMeta::default(),
            WriteOptions::default(),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, ServiceError::IncompleteBody(_)));
    f.store.delete_object("b-1", "many").await.unwrap();
    f.clock.advance(Duration::from_secs(11));
    f.store.gc_once().await.unwrap();
    assert!(
        f.store.chunks.list().unwrap().is_empty(),
        "every chunk of the broken body is collected"
    );
}

/// A chunk store that fails every write after the first `ok` ones.
struct FailingAfter {
    inner: FsChunkStore,
    ok: std::sync::atomic::AtomicUsize,
}

impl crate::chunk::ChunkStore for FailingAfter {
    fn put(&self, id: &ChunkId, data: &[u8]) -> Result<bool, ChunkError> {
        let left = self.ok.load(std::sync::atomic::Ordering::SeqCst);
        if left == 0 {
            return Err(ChunkError::Io(std::io::Error::other("disk on fire")));
        }
        self.ok.store(left - 1, std::sync::atomic::Ordering::SeqCst);
        self.inner.put(id, data)
    }
    fn read(&self, id: &ChunkId, offset: u64, len: usize) -> Result<Vec<u8>, ChunkError> {
        self.inner.read(id, offset, len)
    }
    fn exists(&self, id: &ChunkId) -> bool {
        self.inner.exists(id)
    }
    fn delete(&self, id: &ChunkId) -> Result<(), ChunkError> {
        self.inner.delete(id)
    }
    fn list(&self) -> Result<Vec<(ChunkId, u64)>, ChunkError> {
        self.inner.list()
    }
}

/// A chunk store failing in the middle of a body (chunks before it stored, the hash chain
/// running ahead): the upload fails cleanly, no object appears, the store keeps serving, and
/// every chunk it did write is collected after the grace period.
#[tokio::test]
async fn a_failing_chunk_store_mid_body_leaves_nothing() {
    let mut failing = None;
    let f = fixture_with(|dir| {
        let c = Arc::new(FailingAfter {
            inner: FsChunkStore::open(dir).unwrap(),
            ok: std::sync::atomic::AtomicUsize::new(3),
        });
        failing = Some(Arc::clone(&c));
        c
    })
    .await;
    let (store, clock, chunks) = (f.store, f.clock, failing.unwrap());
    // Distinct chunks (`payload` repeats every 256 bytes).
    let mut data: Vec<u8> = (0..10u8).flat_map(|k| payload(64 * 1024, k)).collect();
    data.extend_from_slice(&payload(77, 200));
    let err = store
        .put_object(
            "b-1",
            "k",
            body(&data, 10_000),
            ObjectMeta::default(),
            WriteOptions::default(),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, ServiceError::Internal(_)), "{err:?}");
    assert!(matches!(
        store.head_object("b-1", "k"),
        Err(ServiceError::NoSuchKey)
    ));
    assert_eq!(
        chunks.inner.list().unwrap().len(),
        3,
        "three chunks were written"
    );
    chunks.ok.store(100, std::sync::atomic::Ordering::SeqCst);
    let out = store
        .put_object(
            "b-1",
            "k",
            body(&data[..200_000], 10_000),
            ObjectMeta::default(),
            WriteOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(out.record.size, 200_000);
    store.delete_object("b-1", "k").await.unwrap();
    clock.advance(Duration::from_secs(11));
    store.gc_once().await.unwrap();
    assert!(chunks.inner.list().unwrap().is_empty(), "all collected");
}

#[tokio::test]
async fn identical_chunks_are_stored_once_and_collected_after_the_grace_period() {
    let f = fixture().await;
    let block = payload(64 * 1024, 9);
    let data: Vec<u8> = [block.clone(), block.clone(), payload(100, 3)].concat();
    put(&f.store, "a", &data, 10_000).await;
    put(&f.store, "b", &block, 10_000).await;
    assert_eq!(refs(&f.store, &block), Some(3));
    assert_eq!(f.store.chunks.list().unwrap().len(), 2);
    f.store.delete_object("b-1", "a").await.unwrap();
    assert_eq!(refs(&f.store, &block), Some(1));
    f.store.delete_object("b-1", "b").await.unwrap();
    assert_eq!(refs(&f.store, &block), None);
    assert_eq!(
        f.store.gc_once().await.unwrap().deleted,
        0,
        "grace period not over"
    );
    f.clock.advance(Duration::from_secs(11));
    assert_eq!(f.store.gc_once().await.unwrap().deleted, 2);
    assert!(f.store.chunks.list().unwrap().is_empty());
    assert!(f.store.fsck(false).unwrap().is_clean());
}

#[tokio::test]
async fn a_chunk_referenced_again_before_collection_is_kept() {
    let f = fixture().await;
    let data = payload(70_000, 5);
    put(&f.store, "a", &data, 70_000).await;
    f.store.delete_object("b-1", "a").await.unwrap();
    put(&f.store, "c", &data, 70_000).await;
    f.clock.advance(Duration::from_secs(11));
    let stats = f.store.gc_once().await.unwrap();
    assert_eq!(stats.deleted, 0);
    assert_eq!(stats.revived, 2);
    assert_eq!(read_all(&f.store, "c", None).await, data);
}

#[tokio::test]
async fn bad_digest_and_broken_bodies_store_nothing() {
    let f = fixture().await;
    let data = payload(150_000, 2);
    let err = f
        .store
        .put_object(
            "b-1",
            "k",
            body(&data, 50_000),
            ObjectMeta::default(),
            WriteOptions {
                content_md5: Some([0u8; 16]),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert!(matches!(err, ServiceError::BadDigest));
    assert!(matches!(
        f.store.head_object("b-1", "k"),
        Err(ServiceError::NoSuchKey)
    ));
    let broken = client_body(vec![
        Ok(Bytes::from(vec![1u8; 100_000])),
        Err(std::io::Error::other("reset")),
    ]);
    let err = f
        .store
        .put_object(
            "b-1",
            "k",
            broken,
            ObjectMeta::default(),
            WriteOptions::default(),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, ServiceError::IncompleteBody(_)));
    assert!(matches!(
        f.store.head_object("b-1", "k"),
        Err(ServiceError::NoSuchKey)
    ));
    f.clock.advance(Duration::from_secs(11));
    f.store.gc_once().await.unwrap();
    assert!(
        f.store.chunks.list().unwrap().is_empty(),
        "written chunks of failed uploads are collected"
    );
}

#[tokio::test]
async fn copy_shares_chunks_and_replaces_metadata() {
    let f = fixture().await;
    let data = payload(100_000, 4);
    let meta = ObjectMeta {
        content_type: Some("text/x".into()),
        meta: vec![("a".into(), "1".into())],
        ..Default::default()
    };
    f.store
        .put_object(
            "b-1",
            "src",
            body(&data, 100_000),
            meta,
            WriteOptions::default(),
        )
        .await
        .unwrap();
    let ok = |_: Option<&crate::meta::ObjectRecord>| Ok::<(), ServiceError>(());
    let base = |dst: &'static str, directive| CopyParams {
        src_bucket: "b-1",
        src_key: "src",
        src_version: None,
        retention: None,
        legal_hold: None,
        reseal: None,
        tags: None,
        dst_bucket: "b-1",
        dst_key: dst,
        directive,
        storage_class: None,
        acl: None,
        grants: vec![],
        condition: WriteCondition::default(),
    };
    let copied = f
        .store
        .copy_object(base("dst", MetadataDirective::Copy), ok)
        .await
        .unwrap()
        .record;
    assert_eq!(copied.meta, vec![("a".to_string(), "1".to_string())]);
    assert_eq!(refs(&f.store, &data[..64 * 1024]), Some(2));
    let replaced = f
        .store
        .copy_object(
            base("dst2", MetadataDirective::Replaced(Box::default())),
            ok,
        )
        .await
        .unwrap()
        .record;
    assert!(replaced.meta.is_empty() && replaced.content_type.is_none());
    assert!(matches!(
        f.store
            .copy_object(base("src", MetadataDirective::Copy), ok)
            .await,
        Err(ServiceError::InvalidRequest(_))
    ));
    f.store.delete_object("b-1", "src").await.unwrap();
    assert_eq!(read_all(&f.store, "dst", None).await, data);
}

#[tokio::test]
async fn list_with_prefix_delimiter_and_markers() {
    let f = fixture().await;
    for k in ["a/1", "a/2", "a/b/3", "b", "c/1", "c/2", "d"] {
        f.store
            .put_object(
                "b-1",
                k,
                body(b"x", 1),
                ObjectMeta::default(),
                WriteOptions::default(),
            )
            .await
            .unwrap();
    }
    let keys = |p: &ListPage| -> (Vec<String>, Vec<String>) {
        (
            p.entries.iter().map(|e| e.key.clone()).collect(),
            p.common_prefixes.clone(),
        )
    };
    let lp = |prefix: &str, delim: Option<&str>, marker: Option<&str>, max: usize| ListParams {
        prefix: prefix.into(),
        delimiter: delim.map(Into::into),
        marker: marker.map(Into::into),
        max_keys: max,
    };
    let p = f
        .store
        .list_objects("b-1", &lp("", Some("/"), None, 1000))
        .unwrap();
    assert_eq!(
        keys(&p),
        (vec!["b".into(), "d".into()], vec!["a/".into(), "c/".into()])
    );
    assert!(!p.truncated);
    // Common prefixes count toward max-keys; paging by NextMarker never repeats a prefix.
    let p = f
        .store
        .list_objects("b-1", &lp("", Some("/"), None, 2))
        .unwrap();
    assert_eq!(keys(&p), (vec!["b".into()], vec!["a/".into()]));
    assert!(p.truncated);
    assert_eq!(p.next_marker.as_deref(), Some("b"));
    let p = f
        .store
        .list_objects("b-1", &lp("", Some("/"), Some("a/"), 1))
        .unwrap();
    assert_eq!(keys(&p), (vec!["b".into()], vec![]));
    let p = f
        .store
        .list_objects("b-1", &lp("", Some("/"), Some("b"), 1000))
        .unwrap();
    assert_eq!(keys(&p), (vec!["d".into()], vec!["c/".into()]));
    let p = f
        .store
        .list_objects("b-1", &lp("a/", Some("/"), None, 1000))
        .unwrap();
    assert_eq!(
        keys(&p),
        (vec!["a/1".into(), "a/2".into()], vec!["a/b/".into()])
    );
    let p = f
        .store
        .list_objects("b-1", &lp("a/", None, Some("a/1"), 1000))
        .unwrap();
    assert_eq!(keys(&p).0, ["a/2", "a/b/3"]);
    let p = f.store.list_objects("b-1", &lp("", None, None, 0)).unwrap();
    assert!(p.entries.is_empty() && !p.truncated);
    // Paging one by one visits every key once.
    let mut marker: Option<String> = None;
    let mut seen = Vec::new();
    loop {
        let p = f
            .store
            .list_objects("b-1", &lp("", None, marker.as_deref(), 3))
            .unwrap();
        seen.extend(p.entries.iter().map(|e| e.key.clone()));
        if !p.truncated {
            break;
        }
        marker = p.next_marker;
    }
    assert_eq!(seen, ["a/1", "a/2", "a/b/3", "b", "c/1", "c/2", "d"]);
}

#[tokio::test]
async fn buckets_create_conflicts_and_delete_only_when_empty() {
    let f = fixture().await;
    let name = BucketName::parse("b-1").unwrap();
    assert!(matches!(
        f.store
            .create_bucket(&name, "1", "r", CannedAcl::Private, vec![], vec![])
            .await,
        Err(ServiceError::BucketAlreadyOwnedByYou)
    ));
    assert!(matches!(
        f.store
            .create_bucket(&name, "2", "r", CannedAcl::Private, vec![], vec![])
            .await,
        Err(ServiceError::BucketAlreadyExists)
    ));
    f.store
        .put_object(
            "b-1",
            "k",
            body(b"x", 1),
            ObjectMeta::default(),
            WriteOptions::default(),
        )
        .await
        .unwrap();
    assert!(matches!(
        f.store.delete_bucket("b-1").await,
        Err(ServiceError::BucketNotEmpty)
    ));
    f.store.delete_object("b-1", "k").await.unwrap();
    f.store.delete_bucket("b-1").await.unwrap();
    assert!(f.store.get_bucket("b-1").unwrap().is_none());
    assert!(matches!(
        f.store
            .put_object(
                "b-1",
                "k",
                body(b"x", 1),
                ObjectMeta::default(),
                WriteOptions::default()
            )
            .await,
        Err(ServiceError::NoSuchBucket)
    ));
}

#[tokio::test]
async fn orphan_files_are_swept_and_fsck_reports_dangling_references() {
    let f = fixture().await;
    let stray = payload(1000, 8);
    let id = crate::chunk::chunk_id(&stray);
    f.store.chunks.put(&id, &stray).unwrap();
    assert_eq!(f.store.fsck(false).unwrap().orphaned_chunks, 1);
    assert_eq!(f.store.sweep_orphans().await.unwrap(), 1);
    assert_eq!(f.store.sweep_orphans().await.unwrap(), 0, "already queued");
    f.clock.advance(Duration::from_secs(11));
    assert_eq!(f.store.gc_once().await.unwrap().deleted, 1);
    let data = payload(100_000, 6);
    put(&f.store, "k", &data, 100_000).await;
    let rec = f.store.head_object("b-1", "k").unwrap();
    f.store.chunks.delete(&rec.data.chunks()[0].id).unwrap();
    let report = f.store.fsck(false).unwrap();
    assert_eq!(report.dangling_references.len(), 1);
    assert!(!report.is_clean());
}

#[tokio::test]
async fn fsck_repair_refuses_to_touch_chunks_when_a_record_is_corrupt() {
    let f = fixture().await;
    let data = payload(200_000, 9);
    put(&f.store, "whole", &data, 100_000).await;
    let mut batch = crate::meta::Batch::default();
    batch.put(KeyCodec::object("b-1", "broken"), vec![2, 0xc1]);
    f.store.kv.write(batch).unwrap();
    let report = f.store.fsck(true).unwrap();
    assert_eq!(report.corrupt_records, 1, "{report}");
    assert!(report.repair_refused && report.repaired == 0, "{report}");
    assert!(!report.is_clean());
    let rec = f.store.head_object("b-1", "whole").unwrap();
    for c in rec.data.chunks() {
        assert!(f
            .store
            .chunks
            .list()
            .unwrap()
            .iter()
            .any(|(id, _)| *id == c.id));
    }
}

#[tokio::test]
async fn every_kind_of_chunk_reference_is_enumerated() {
    let f = fixture().await;
    let part = crate::meta::PartRecord {
        size: 5,
        etag: "e".into(),
        crc64: 0,
        mtime_ms: 0,
        checksum: None,
        chunks: vec![crate::meta::ChunkRef {
            id: [7; 32],
            len: 5,
        }],
    };
    let mut batch = crate::meta::Batch::default();
    batch.put(KeyCodec::part("up1", 3), part.encode());
    f.store.kv.write(batch).unwrap();
    let mut seen = Vec::new();
    let scan = f
        .store
        .for_each_chunk_reference(&mut |h, c| seen.push((h.to_string(), c.id[0])))
        .unwrap();
    assert_eq!(seen, [("upload up1 part 3".to_string(), 7)]);
    assert_eq!((scan.objects, scan.parts, scan.corrupt_records), (0, 1, 0));
}

#[tokio::test]
async fn the_bucket_cache_follows_writes_and_never_takes_back_a_stale_read() {
    let f = fixture().await;
    let s = &f.store;
    assert_eq!(
        s.get_bucket("b-1").unwrap().unwrap().acl,
        CannedAcl::Private
    );
    s.set_bucket_acl("b-1", CannedAcl::PublicRead, vec![])
        .await
        .unwrap();
    assert_eq!(
        s.get_bucket("b-1").unwrap().unwrap().acl,
        CannedAcl::PublicRead
    );
    // A reader that started before a write must not put its old record back.
    let before = s.buckets.generation();
    let stale = s.get_bucket("b-1").unwrap().unwrap();
    s.set_bucket_tags("b-1", vec![("k".into(), "v".into())])
        .await
        .unwrap();
    s.buckets.fill("b-1", &stale, before);
    assert_eq!(s.get_bucket("b-1").unwrap().unwrap().tags.len(), 1);
    s.delete_bucket("b-1").await.unwrap();
    assert!(s.get_bucket("b-1").unwrap().is_none());
}

/// Durability waits, error mapping and copies racing their source.
mod concurrency;
mod notify;
mod reset;
mod versions;
