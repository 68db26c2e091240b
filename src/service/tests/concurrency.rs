//! The service's concurrency contract: no tokio worker blocks on the commit lock or a
//! durability wait, storage IO failures are the server's, and a copy commits only the source
//! version it checked.

use super::*;

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
    put(&f.store, "src", &data, 100_000).await;
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
                .read_stream(&rec, None, None)
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
            notify_targets: Vec::new(),
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
                src_version: None,
                retention: None,
                legal_hold: None,
                reseal: None,
                tags: None,
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
        src_version: None,
        retention: None,
        legal_hold: None,
        reseal: None,
        tags: None,
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
        .unwrap()
        .record;
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
