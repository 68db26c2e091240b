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
    let mut s = Box::pin(store.read_stream(&rec, range));
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
    f.store
        .put_object(
            "b-1",
            "a",
            body(&data, 10_000),
            ObjectMeta::default(),
            WriteOptions::default(),
        )
        .await
        .unwrap();
    f.store
        .put_object(
            "b-1",
            "b",
            body(&block, 10_000),
            ObjectMeta::default(),
            WriteOptions::default(),
        )
        .await
        .unwrap();
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
    f.store
        .put_object(
            "b-1",
            "a",
            body(&data, 70_000),
            ObjectMeta::default(),
            WriteOptions::default(),
        )
        .await
        .unwrap();
    f.store.delete_object("b-1", "a").await.unwrap();
    f.store
        .put_object(
            "b-1",
            "c",
            body(&data, 70_000),
            ObjectMeta::default(),
            WriteOptions::default(),
        )
        .await
        .unwrap();
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
        .unwrap();
    assert_eq!(copied.meta, vec![("a".to_string(), "1".to_string())]);
    assert_eq!(refs(&f.store, &data[..64 * 1024]), Some(2));
    let replaced = f
        .store
        .copy_object(
            base("dst2", MetadataDirective::Replaced(Box::default())),
            ok,
        )
        .await
        .unwrap();
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
    f.store
        .put_object(
            "b-1",
            "k",
            body(&data, 100_000),
            ObjectMeta::default(),
            WriteOptions::default(),
        )
        .await
        .unwrap();
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
    f.store
        .put_object(
            "b-1",
            "whole",
            body(&data, 100_000),
            ObjectMeta::default(),
            WriteOptions::default(),
        )
        .await
        .unwrap();
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

/// An IO error has no implicit conversion: a failure of this server's storage is Internal
/// (answered 500 InternalError), a request body that fails to arrive is the client's (400).
#[tokio::test]
async fn storage_io_failures_are_internal_and_body_read_failures_the_clients() {
    use crate::api::error::ApiError;
    use http::StatusCode;
    let status = |e: ServiceError| ApiError::from(e).code.status();
    // The explicit conversions.
    let disk = ServiceError::storage_io(std::io::Error::other("EIO"));
    assert!(matches!(disk, ServiceError::Internal(_)), "{disk:?}");
    assert_eq!(status(disk), StatusCode::INTERNAL_SERVER_ERROR);
    let client = ServiceError::body_read(std::io::Error::other("reset"));
    assert!(
        matches!(client, ServiceError::IncompleteBody(_)),
        "{client:?}"
    );
    assert_eq!(status(client), StatusCode::BAD_REQUEST);

    // A chunk store failing to write is a 500.
    let f = fixture_with(|dir| {
        Arc::new(FailingAfter {
            inner: FsChunkStore::open(dir).unwrap(),
            ok: std::sync::atomic::AtomicUsize::new(0),
        })
    })
    .await;
    let err = f
        .store
        .put_object(
            "b-1",
            "k",
            body_of(&payload(100_000, 1)),
            ObjectMeta::default(),
            WriteOptions::default(),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, ServiceError::Internal(_)), "{err:?}");
    assert_eq!(status(err), StatusCode::INTERNAL_SERVER_ERROR);

    // A client body that breaks off is a 400.
    let f = fixture().await;
    let err = f
        .store
        .put_object(
            "b-1",
            "k",
            client_body(vec![
                Ok(Bytes::from(vec![1u8; 100_000])),
                Err(std::io::Error::other("connection reset")),
            ]),
            ObjectMeta::default(),
            WriteOptions::default(),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, ServiceError::IncompleteBody(_)), "{err:?}");
    assert_eq!(status(err), StatusCode::BAD_REQUEST);

    // Reading a stored object's chunks as the body of another write (Upload Part - Copy):
    // a chunk that cannot be read is the server's failure, not the client's.
    let data = payload(100_000, 3);
    f.store
        .put_object(
            "b-1",
            "src",
            body(&data, 100_000),
            ObjectMeta::default(),
            WriteOptions::default(),
        )
        .await
        .unwrap();
    let rec = f.store.head_object("b-1", "src").unwrap();
    f.store.chunks.delete(&rec.data.chunks()[0].id).unwrap();
    let id = f
        .store
        .initiate_upload("b-1", "dst", ObjectMeta::default(), "1", None)
        .await
        .unwrap();
    let copied = {
        use futures_util::TryStreamExt;
        Box::pin(
            f.store
                .read_stream(&rec, None)
                .map_err(ServiceError::storage_io),
        )
    };
    let err = f
        .store
        .upload_part("b-1", "dst", &id, 1, copied, WriteOptions::default())
        .await
        .unwrap_err();
    assert!(matches!(err, ServiceError::Internal(_)), "{err:?}");
    assert_eq!(status(err), StatusCode::INTERNAL_SERVER_ERROR);
}

fn body_of(
    data: &[u8],
) -> impl futures_util::Stream<Item = Result<Bytes, ServiceError>> + Unpin + Send {
    body(data, 10_000)
}

/// A metadata store whose log syncs only when the test says so (`publish`), like `RocksKv`
/// with `sync_writes`: appends are visible at once, durability comes later on a watch channel,
/// and `wait_durable` blocks the calling thread on a condvar until then.
struct HeldSyncKv {
    inner: MemKv,
    state: std::sync::Mutex<HeldState>,
    synced_cv: std::sync::Condvar,
    watch: tokio::sync::watch::Sender<u64>,
}

#[derive(Default)]
struct HeldState {
    appended: u64,
    synced: u64,
    /// Syncs at once (set-up).
    auto: bool,
    /// Group syncs published.
    syncs: usize,
}

impl HeldSyncKv {
    fn new() -> HeldSyncKv {
        HeldSyncKv {
            inner: MemKv::new(),
            state: Default::default(),
            synced_cv: Default::default(),
            watch: tokio::sync::watch::channel(0).0,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HeldState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// One group sync: everything appended so far becomes durable.
    fn publish(&self) {
        let mut st = self.lock();
        st.synced = st.appended;
        st.syncs += 1;
        self.watch.send_replace(st.synced);
        self.synced_cv.notify_all();
    }

    fn set_auto(&self, auto: bool) {
        self.lock().auto = auto;
        if auto {
            self.publish();
        }
    }
}

impl crate::meta::KvRead for HeldSyncKv {
    fn get(&self, key: &[u8]) -> crate::meta::KvResult<Option<Vec<u8>>> {
        self.inner.get(key)
    }
    fn scan(
        &self,
        start: std::ops::Bound<&[u8]>,
        end: std::ops::Bound<&[u8]>,
        dir: crate::meta::Direction,
        limit: usize,
    ) -> crate::meta::KvResult<Vec<crate::meta::Pair>> {
        self.inner.scan(start, end, dir, limit)
    }
}

impl Kv for HeldSyncKv {
    fn write(&self, batch: crate::meta::Batch) -> crate::meta::KvResult<()> {
        let t = self.write_deferred(batch)?;
        self.wait_durable(t)
    }
    fn write_deferred(&self, batch: crate::meta::Batch) -> crate::meta::KvResult<u64> {
        let mut st = self.lock();
        self.inner.write(batch)?;
        st.appended += 1;
        let t = st.appended;
        let auto = st.auto;
        drop(st);
        if auto {
            self.publish();
        }
        Ok(t)
    }
    fn wait_durable(&self, ticket: u64) -> crate::meta::KvResult<()> {
        let mut st = self.lock();
        while st.synced < ticket {
            st = self.synced_cv.wait(st).unwrap_or_else(|p| p.into_inner());
        }
        Ok(())
    }
    fn durable_watch(&self) -> Option<tokio::sync::watch::Receiver<u64>> {
        Some(self.watch.subscribe())
    }
    fn with_snapshot(
        &self,
        f: &mut dyn FnMut(&dyn crate::meta::KvRead) -> crate::meta::KvResult<()>,
    ) -> crate::meta::KvResult<()> {
        self.inner.with_snapshot(f)
    }
}

/// No tokio worker ever blocks on the commit lock or on a durability wait. On a runtime with a
/// single worker thread, commits of every kind (create bucket, bucket ACL, copy, small and
/// chunked PUTs, delete, once-signatures) pile up behind a commit lock held elsewhere and
/// then behind a log sync that has not happened, while the worker keeps running other tasks;
/// none is acknowledged before the sync, and one sync acknowledges them all (group commit).
/// Had any of them blocked the only worker, the timers below could not fire: a watchdog
/// thread then unblocks everything and the test fails instead of hanging.
#[tokio::test(flavor = "current_thread")]
async fn no_worker_blocks_on_the_commit_lock_or_a_durability_wait() {
    use std::sync::atomic::{AtomicBool, Ordering::SeqCst};
    let dir = tempfile::tempdir().unwrap();
    let kv = Arc::new(HeldSyncKv::new());
    kv.set_auto(true);
    let store = Arc::new(Store::new(
        Arc::clone(&kv) as Arc<dyn Kv>,
        Arc::new(FsChunkStore::open(dir.path()).unwrap()),
        Arc::new(OffsetClock::default()),
        StoreConfig {
            inline_threshold: 16,
            chunk_size: 64 * 1024,
            max_object_size: 1 << 30,
            gc_grace_ms: 10_000,
        },
    ));
    let bucket = |n: &str| BucketName::parse(n).unwrap();
    store
        .create_bucket(&bucket("b-1"), "1", "r", CannedAcl::Private, vec![], vec![])
        .await
        .unwrap();
    store
        .put_object(
            "b-1",
            "src",
            body(&payload(100_000, 9), 10_000),
            ObjectMeta::default(),
            WriteOptions::default(),
        )
        .await
        .unwrap();
    kv.set_auto(false);

    // Something else holds the commit lock (a long commit, the collector deleting a file).
    let (release_lock, lock_released) = std::sync::mpsc::channel::<()>();
    let (locked_tx, locked_rx) = std::sync::mpsc::channel::<()>();
    let holder = {
        let store = Arc::clone(&store);
        std::thread::spawn(move || {
            let _guard = store.commit_lock.blocking_lock();
            locked_tx.send(()).unwrap();
            let _ = lock_released.recv_timeout(Duration::from_secs(10));
        })
    };
    locked_rx.recv().unwrap();
    // Were the worker ever blocked, this thread frees it, and the test fails.
    let rescued = Arc::new(AtomicBool::new(false));
    let (done_tx, done_rx) = std::sync::mpsc::channel::<()>();
    let watchdog = {
        let (kv, rescued) = (Arc::clone(&kv), Arc::clone(&rescued));
        std::thread::spawn(move || {
            use std::sync::mpsc::RecvTimeoutError;
            while let Err(RecvTimeoutError::Timeout) = done_rx.recv_timeout(Duration::from_secs(10))
            {
                rescued.store(true, SeqCst);
                kv.set_auto(true);
            }
        })
    };

    let mut tasks = Vec::new();
    for i in 0..8 {
        let s = Arc::clone(&store);
        let name = bucket(&format!("new-{i}"));
        tasks.push(tokio::spawn(async move {
            s.create_bucket(&name, "1", "r", CannedAcl::Private, vec![], vec![])
                .await
                .map(drop)
        }));
        let s = Arc::clone(&store);
        tasks.push(tokio::spawn(async move {
            s.set_bucket_acl("b-1", CannedAcl::PublicRead, vec![]).await
        }));
        let s = Arc::clone(&store);
        tasks.push(tokio::spawn(async move {
            let dst = format!("copy-{i}");
            let p = CopyParams {
                src_bucket: "b-1",
                src_key: "src",
                dst_bucket: "b-1",
                dst_key: &dst,
                directive: MetadataDirective::Copy,
                storage_class: None,
                acl: None,
                grants: vec![],
                condition: WriteCondition::default(),
            };
            s.copy_object(p, |_| Ok::<(), ServiceError>(()))
                .await
                .map(drop)
        }));
        let s = Arc::clone(&store);
        tasks.push(tokio::spawn(async move {
            let (key, data) = (format!("small-{i}"), [i as u8; 8]);
            s.put_object(
                "b-1",
                &key,
                body(&data, 8),
                ObjectMeta::default(),
                WriteOptions::default(),
            )
            .await
            .map(drop)
        }));
        let s = Arc::clone(&store);
        tasks.push(tokio::spawn(async move {
            let (key, data) = (format!("big-{i}"), payload(70_000, i as u8));
            s.put_object(
                "b-1",
                &key,
                body(&data, 10_000),
                ObjectMeta::default(),
                WriteOptions::default(),
            )
            .await
            .map(drop)
        }));
        let s = Arc::clone(&store);
        tasks.push(tokio::spawn(async move {
            s.consume_once_signature(1_000 + i, &[i as u8; 20])
                .await
                .map(drop)
        }));
    }
    let commits = tasks.len() as u64;

    // The only worker is free while every commit waits for the lock.
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(
        tasks.iter().all(|t| !t.is_finished()),
        "nothing committed yet"
    );
    let appended_before = kv.lock().appended;
    release_lock.send(()).unwrap();
    holder.join().unwrap();

    // Every commit appends, then waits for the sync, and the worker still runs this loop.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while kv.lock().appended < appended_before + commits {
        assert!(
            tokio::time::Instant::now() < deadline,
            "commits did not append"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(
        tasks.iter().all(|t| !t.is_finished()),
        "nothing is acknowledged before it is durable"
    );
    let syncs = kv.lock().syncs;
    kv.publish();
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    assert_eq!(
        kv.lock().syncs,
        syncs + 1,
        "one log sync served every commit"
    );
    done_tx.send(()).unwrap();
    watchdog.join().unwrap();
    assert!(!rescued.load(SeqCst), "a tokio worker blocked");
    assert_eq!(
        store.get_bucket("b-1").unwrap().unwrap().acl,
        CannedAcl::PublicRead
    );
    assert!(store.head_object("b-1", "copy-7").is_ok());
}

/// A copy is checked outside the commit lock and commits only the source it checked: a source
/// replaced between the check and the commit is read and checked again, and the copy is of
/// the version that passed its check; one that keeps changing fails with `SourceChanged`.
#[tokio::test]
async fn a_copy_commits_only_the_source_version_it_checked() {
    let f = fixture().await;
    let put = |key: &'static str, data: Vec<u8>| {
        let store = Arc::clone(&f.store);
        async move {
            store
                .put_object(
                    "b-1",
                    key,
                    body(&data, 10_000),
                    ObjectMeta::default(),
                    WriteOptions::default(),
                )
                .await
                .unwrap()
                .record
        }
    };
    let v1 = put("src", payload(100, 1)).await;
    let v2 = put("other", payload(100, 2)).await;
    let params = |dst: &'static str| CopyParams {
        src_bucket: "b-1",
        src_key: "src",
        dst_bucket: "b-1",
        dst_key: dst,
        directive: MetadataDirective::Copy,
        storage_class: None,
        acl: None,
        grants: vec![],
        condition: WriteCondition::default(),
    };
    // Replaces the source with `v2`'s record, as a concurrent PUT would.
    let overwrite = |store: &Store| {
        let mut b = crate::meta::Batch::default();
        b.put(KeyCodec::object("b-1", "src"), v2.encode());
        store.kv.write(b).unwrap();
    };

    let mut seen = Vec::new();
    let copied = f
        .store
        .copy_object(params("dst"), |rec| {
            let rec = rec.unwrap();
            seen.push(rec.etag.clone());
            if seen.len() == 1 {
                overwrite(&f.store);
            }
            Ok::<(), ServiceError>(())
        })
        .await
        .unwrap();
    assert_eq!(seen, [v1.etag.clone(), v2.etag.clone()], "checked again");
    assert_eq!(copied.etag, v2.etag, "the version that passed the check");
    assert_eq!(f.store.head_object("b-1", "dst").unwrap().data, v2.data);

    // A check that refuses: nothing is written, and its own error comes back.
    let err = f
        .store
        .copy_object(params("denied"), |_| {
            Err::<(), ServiceError>(ServiceError::PreconditionFailed)
        })
        .await
        .unwrap_err();
    assert!(matches!(err, ServiceError::PreconditionFailed));
    assert!(f.store.head_object("b-1", "denied").is_err());

    // A source that changes after every check.
    let mut n = 0;
    let mut flip = |store: &Store| {
        n += 1;
        let rec = if n % 2 == 1 { &v1 } else { &v2 };
        let mut b = crate::meta::Batch::default();
        b.put(KeyCodec::object("b-1", "src"), rec.encode());
        store.kv.write(b).unwrap();
    };
    enum E {
        Service(ServiceError),
        Changed,
    }
    impl From<ServiceError> for E {
        fn from(e: ServiceError) -> E {
            E::Service(e)
        }
    }
    impl From<SourceChanged> for E {
        fn from(_: SourceChanged) -> E {
            E::Changed
        }
    }
    let mut checks = 0;
    let err = f
        .store
        .copy_object(params("busy"), |_| {
            checks += 1;
            flip(&f.store);
            Ok::<(), E>(())
        })
        .await
        .unwrap_err();
    if let E::Service(e) = err {
        panic!("expected SourceChanged, got {e:?}");
    }
    assert_eq!(checks, COPY_ATTEMPTS);
    assert!(f.store.head_object("b-1", "busy").is_err());
}
