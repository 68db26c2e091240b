//! The one place object records and chunk reference counts change, in a single atomic batch.

use super::notify::Change;
use super::{ServiceError, ServiceResult, Staged, Store, WriteCondition};
use crate::bucket_config::notification::EventName;
use crate::chunk::ChunkId;
use crate::meta::{Batch, ChunkRefcount, GcEntry, KeyCodec, ObjectRecord};
use crate::meta::{Kv, KvResult};
use std::cell::Cell;
use std::collections::HashMap;
use std::sync::Arc;

/// Which notification events a commit's changes are: a written record is `created`; a
/// removal is `ObjectRemoved:*`, or `LifecycleExpiration:*` when a lifecycle rule removes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Cause {
    pub created: EventName,
    pub lifecycle: bool,
}

impl Cause {
    pub(crate) const fn request(created: EventName) -> Cause {
        Cause {
            created,
            lifecycle: false,
        }
    }
    /// A DELETE request (nothing is created).
    pub(crate) const DELETE: Cause = Cause::request(EventName::CreatedPut);
    /// A lifecycle expiration.
    pub(crate) const LIFECYCLE: Cause = Cause {
        created: EventName::CreatedPut,
        lifecycle: true,
    };
}

/// Reference-count changes per chunk (delta, chunk length).
pub(crate) type Deltas = HashMap<ChunkId, (i64, u64)>;

/// Adds `sign` (+1 or -1) for every chunk in `chunks`.
pub(crate) fn count(deltas: &mut Deltas, chunks: &[crate::meta::ChunkRef], sign: i64) {
    for c in chunks {
        deltas.entry(c.id).or_insert((0, c.len)).0 += sign;
    }
}

/// What a unit of service work appended to the metadata log: the highest ticket, which must be
/// durable before anything written is acknowledged. Every `CommitGuard` borrows one, so no
/// write can be made without its ticket being recorded; only [`Store::blocking`] and
/// [`Store::commit_here`] make one, and both await its durability before they return.
/// It also keeps the highest notification sequence number appended (`service/notify.rs`),
/// published to the delivery worker once the work is durable.
#[derive(Default)]
pub(crate) struct Appended(Cell<Option<u64>>, Cell<Option<u64>>);

fn raise(cell: &Cell<Option<u64>>, v: u64) {
    cell.set(Some(cell.get().map_or(v, |t| t.max(v))));
}

impl Appended {
    fn record(&self, ticket: u64) {
        raise(&self.0, ticket);
    }

    fn ticket(&self) -> Option<u64> {
        self.0.get()
    }
}

/// The commit lock, held while a read-modify-write reads records and appends its batch.
/// Batches go to the metadata log without waiting for the disk; dropping the guard only
/// releases the lock. The ticket of every batch is recorded in the work's [`Appended`], whose
/// durability the service awaits (`Store::durable`, no thread parked) once the lock is
/// released: so concurrent commits share one log sync (group commit) while nothing is
/// acknowledged before it is durable.
pub(crate) struct CommitGuard<'a> {
    _guard: tokio::sync::MutexGuard<'a, ()>,
    kv: &'a dyn Kv,
    appended: &'a Appended,
}

impl CommitGuard<'_> {
    /// Appends `batch` (atomically visible at once; durable once the work's tickets are).
    pub(crate) fn write(&self, batch: Batch) -> KvResult<()> {
        let t = self.kv.write_deferred(batch)?;
        self.appended.record(t);
        Ok(())
    }

    /// Records that the batch about to be appended holds notification event `seq`.
    pub(crate) fn note_event(&self, seq: u64) {
        raise(&self.appended.1, seq);
    }
}

impl Store {
    /// Takes the commit lock on the blocking pool (inside [`Store::blocking`]): it may be held
    /// across metadata reads and chunk-file deletions, so no async worker ever waits for it
    /// this way (`blocking_lock` panics on one).
    pub(crate) fn lock_commits<'a>(&'a self, appended: &'a Appended) -> CommitGuard<'a> {
        CommitGuard {
            _guard: self.commit_lock.blocking_lock(),
            kv: self.kv.as_ref(),
            appended,
        }
    }

    /// Appends `batch` without the commit lock (records no read-modify-write depends on).
    pub(crate) fn append_unlocked(&self, appended: &Appended, batch: Batch) -> KvResult<()> {
        let t = self.kv.write_deferred(batch)?;
        appended.record(t);
        Ok(())
    }

    /// THE way a service method does blocking work (metadata reads and writes under the commit
    /// lock, chunk-file I/O): `f` runs on tokio's blocking pool on a clone of the store, taking
    /// the commit lock as often as it needs through `lock_commits(appended)`; then, whether it
    /// succeeded or not, what it appended is awaited durable without holding a thread, and its
    /// result is returned.
    pub(crate) async fn blocking<T, F>(
        self: &Arc<Self>,
        what: &'static str,
        f: F,
    ) -> ServiceResult<T>
    where
        F: FnOnce(&Store, &Appended) -> ServiceResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let store = Arc::clone(self);
        let (res, ticket, event) = tokio::task::spawn_blocking(move || {
            let appended = Appended::default();
            let res = f(&store, &appended);
            (res, appended.ticket(), appended.1.get())
        })
        .await
        .map_err(|e| ServiceError::Internal(format!("{what} task: {e}")))?;
        if let Some(t) = ticket {
            self.durable(t).await?;
        }
        if let Some(seq) = event {
            self.outbox.publish(seq);
        }
        res
    }

    /// One read-modify-write under the commit lock: [`Store::blocking`] holding the lock for
    /// the whole of `f`.
    pub(crate) async fn commit<T, F>(self: &Arc<Self>, what: &'static str, f: F) -> ServiceResult<T>
    where
        F: FnOnce(&Store, &CommitGuard<'_>) -> ServiceResult<T> + Send + 'static,
        T: Send + 'static,
    {
        self.blocking(what, move |store, appended| {
            f(store, &store.lock_commits(appended))
        })
        .await
    }

    /// The one exception to [`Store::blocking`], for the hottest commit (a small object whose
    /// bytes live in its record): two point reads and a log append, run on the calling task.
    /// The lock is awaited, never blocked on, and the durability wait is the same; `f` must
    /// not do chunk I/O or take long. Saves the hop to the blocking pool and back, which cost
    /// small PUTs about an eighth of their throughput (commit 57819ca).
    pub(crate) async fn commit_here<T>(
        &self,
        f: impl FnOnce(&Store, &CommitGuard<'_>) -> ServiceResult<T>,
    ) -> ServiceResult<T> {
        let appended = Appended::default();
        let res = {
            let lock = CommitGuard {
                _guard: self.commit_lock.lock().await,
                kv: self.kv.as_ref(),
                appended: &appended,
            };
            f(self, &lock)
        };
        if let Some(t) = appended.ticket() {
            self.durable(t).await?;
        }
        if let Some(seq) = appended.1.get() {
            self.outbox.publish(seq);
        }
        res
    }

    /// Waits, without holding a thread, until every batch up to `ticket` is durable (the
    /// metadata store's sync thread publishes each group sync on a watch channel). A failed
    /// log sync never gets here: the sync thread aborts the process ("fsyncgate": after a
    /// failed fsync nothing written since can be trusted), and recovery replays what is
    /// durable.
    pub(crate) async fn durable(&self, ticket: u64) -> ServiceResult<()> {
        let Some(mut synced) = self.kv.durable_watch() else {
            return Ok(());
        };
        if *synced.borrow_and_update() >= ticket {
            return Ok(());
        }
        self.kv.request_sync(ticket);
        loop {
            if *synced.borrow_and_update() >= ticket {
                return Ok(());
            }
            if synced.changed().await.is_err() {
                return Err(ServiceError::Internal("the metadata store closed".into()));
            }
        }
    }
}

impl Store {
    /// Reads the current object at `bucket/key`: its latest version unless that is a delete
    /// marker (call with the commit lock held for a read-modify-write).
    pub(crate) fn load_object(
        &self,
        bucket: &str,
        key: &str,
    ) -> ServiceResult<Option<ObjectRecord>> {
        Ok(self.load_latest(bucket, key)?.filter(|r| !r.delete_marker))
    }

    /// Evaluates `condition` against the current object (call with the commit lock held).
    /// An unconditional write needs no read: the commit reads the old record anyway.
    pub(crate) fn check_condition(
        &self,
        condition: &WriteCondition,
        bucket: &str,
        key: &str,
    ) -> ServiceResult<()> {
        if condition.is_unconditional() {
            return Ok(());
        }
        condition.check(self.load_object(bucket, key)?.as_ref())
    }

    /// Writes `new` at `bucket/key`, or deletes the key (`None`; in a versioned bucket that
    /// adds a delete marker), with the chunk reference counts, in one batch: see
    /// [`Store::stage`]. `new` receives its version tag. The caller holds the commit lock
    /// (`lock` proves it) and appends through it.
    pub(crate) fn commit_locked(
        &self,
        lock: &CommitGuard<'_>,
        bucket: &str,
        key: &str,
        new: Option<&mut ObjectRecord>,
        cause: Cause,
    ) -> ServiceResult<Staged> {
        let mut staged = self.commit_many_locked(lock, bucket, vec![(key, new)], cause)?;
        Ok(staged.pop().unwrap_or_default())
    }

    /// Several such changes in one bucket as one atomic batch (a move is a put and a
    /// delete). Returns what each did, in order. The keys must differ. `cause` names the
    /// notification events (`service/notify.rs`) the changes are, which go in the same batch.
    pub(crate) fn commit_many_locked(
        &self,
        lock: &CommitGuard<'_>,
        bucket: &str,
        changes: Vec<(&str, Option<&mut ObjectRecord>)>,
        cause: Cause,
    ) -> ServiceResult<Vec<Staged>> {
        let rec = self
            .bucket_in_commit(bucket)?
            .ok_or(ServiceError::NoSuchBucket)?;
        let mut deltas = Deltas::new();
        let mut batch = Batch::default();
        let mut out = Vec::with_capacity(changes.len());
        for (key, mut new) in changes {
            let staged = self.stage(&mut batch, &mut deltas, &rec, key, new.as_deref_mut())?;
            if rec.notification.is_some() {
                let change = match new.as_deref() {
                    Some(written) => Some(Change {
                        event: cause.created,
                        key,
                        record: Some(written),
                        version_id: staged.version_id.clone(),
                    }),
                    // A delete of nothing in an unversioned bucket changes nothing.
                    None if staged.marker || staged.old.is_some() => Some(Change {
                        event: EventName::removed(cause.lifecycle, staged.marker),
                        key,
                        record: if staged.marker {
                            None
                        } else {
                            staged.old.as_ref()
                        },
                        version_id: staged.version_id.clone(),
                    }),
                    None => None,
                };
                if let Some(change) = change {
                    self.notify_change(lock, &mut batch, &rec, change)?;
                }
            }
            out.push(staged);
        }
        if batch.is_empty() {
            // Deleting a key that has nothing in an unversioned bucket.
            return Ok(out);
        }
        self.apply_refcounts(&mut batch, &deltas)?;
        lock.write(batch)?;
        Ok(out)
    }

    pub(crate) fn apply_refcounts(&self, batch: &mut Batch, deltas: &Deltas) -> ServiceResult<()> {
        let now = self.clock.now_ms();
        for (id, (delta, len)) in deltas {
            if *delta == 0 {
                continue;
            }
            let ckey = KeyCodec::chunk(id);
            let refs = match self.kv.get(&ckey)? {
                Some(v) => ChunkRefcount::decode(&v)?.refs as i64,
                None => 0,
            };
            let after = refs + delta;
            if after <= 0 {
                batch.delete(ckey);
                let due = (now + self.cfg.gc_grace_ms).max(0) as u64;
                batch.put(KeyCodec::gc(due, id), GcEntry { queued_ms: now }.encode());
            } else {
                batch.put(
                    ckey,
                    ChunkRefcount {
                        refs: after as u64,
                        len: *len,
                    }
                    .encode(),
                );
            }
        }
        Ok(())
    }

    /// Queues chunks written for a request that will not commit (bad digest, aborted body) for
    /// collection, unless something else references them.
    pub(crate) async fn release_uncommitted(
        self: &Arc<Self>,
        ids: Vec<ChunkId>,
    ) -> ServiceResult<()> {
        if ids.is_empty() {
            return Ok(());
        }
        self.commit("release", move |store, lock| {
            let now = store.clock.now_ms();
            let due = (now + store.cfg.gc_grace_ms).max(0) as u64;
            let mut batch = Batch::default();
            for id in &ids {
                if store.kv.get(&KeyCodec::chunk(id))?.is_none() {
                    batch.put(KeyCodec::gc(due, id), GcEntry { queued_ms: now }.encode());
                }
            }
            if !batch.is_empty() {
                lock.write(batch)?;
            }
            Ok(())
        })
        .await
    }
}
