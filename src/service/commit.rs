//! The one place object records and chunk reference counts change, in a single atomic batch.

use super::{ServiceError, ServiceResult, Store, WriteCondition};
use crate::chunk::ChunkId;
use crate::meta::{Batch, ChunkRefcount, GcEntry, KeyCodec, ObjectRecord};
use crate::meta::{Kv, KvResult};
use std::cell::Cell;
use std::collections::HashMap;
use std::sync::MutexGuard;

/// Reference-count changes per chunk (delta, chunk length).
pub(crate) type Deltas = HashMap<ChunkId, (i64, u64)>;

/// Adds `sign` (+1 or -1) for every chunk in `chunks`.
pub(crate) fn count(deltas: &mut Deltas, chunks: &[crate::meta::ChunkRef], sign: i64) {
    for c in chunks {
        deltas.entry(c.id).or_insert((0, c.len)).0 += sign;
    }
}

/// The commit lock, held while a read-modify-write reads records and appends its batch.
/// Batches go to the metadata log without waiting for the disk; dropping the guard first
/// releases the lock and then waits until the last batch appended under it is durable. So
/// concurrent commits share one log sync (group commit) while nothing is acknowledged before
/// it is durable: every caller drops its guard before it answers.
pub(crate) struct CommitGuard<'a> {
    guard: Option<MutexGuard<'a, ()>>,
    kv: &'a dyn Kv,
    ticket: Cell<Option<u64>>,
}

impl<'a> CommitGuard<'a> {
    pub(crate) fn new(guard: MutexGuard<'a, ()>, kv: &'a dyn Kv) -> CommitGuard<'a> {
        CommitGuard {
            guard: Some(guard),
            kv,
            ticket: Cell::new(None),
        }
    }

    /// Appends `batch` (atomically visible at once; durable when the guard is dropped).
    pub(crate) fn write(&self, batch: Batch) -> KvResult<()> {
        let t = self.kv.write_deferred(batch)?;
        self.ticket.set(Some(t));
        Ok(())
    }

    /// Releases the lock without waiting: the caller must `Store::durable(ticket).await`
    /// before it acknowledges anything written under it.
    pub(crate) fn release(mut self) -> Option<u64> {
        drop(self.guard.take());
        self.ticket.take()
    }
}

impl Store {
    /// Waits, without holding a thread, until every batch up to `ticket` is durable (the
    /// metadata store's sync thread publishes each group sync on a watch channel).
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

impl Drop for CommitGuard<'_> {
    fn drop(&mut self) {
        drop(self.guard.take());
        if let Some(t) = self.ticket.get() {
            if let Err(e) = self.kv.wait_durable(t) {
                // The batch is visible but may not survive a crash, and the caller is about to
                // acknowledge it. After a failed log sync nothing written since can be trusted
                // (the "fsyncgate" lesson): stop, and let recovery replay what is durable.
                tracing::error!(error = %e, "syncing the metadata log failed; aborting");
                // The log writer is a background thread that dies with us: say it directly too.
                eprintln!("cosd: syncing the metadata log failed ({e}); aborting");
                std::process::abort();
            }
        }
    }
}

impl Store {
    /// Reads the current record of `bucket/key` (call with the commit lock held for a
    /// read-modify-write).
    pub(crate) fn load_object(
        &self,
        bucket: &str,
        key: &str,
    ) -> ServiceResult<Option<ObjectRecord>> {
        match self.kv.get(&KeyCodec::object(bucket, key))? {
            Some(v) => Ok(Some(ObjectRecord::decode(&v)?)),
            None => Ok(None),
        }
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

    /// Replaces the object at `bucket/key` with `new` (None deletes it) and adjusts chunk
    /// reference counts in the same batch. Returns the previous record. The caller holds the
    /// commit lock (`lock` proves it) and appends through it.
    pub(crate) fn commit_locked(
        &self,
        lock: &CommitGuard<'_>,
        bucket: &str,
        key: &str,
        new: Option<&ObjectRecord>,
    ) -> ServiceResult<Option<ObjectRecord>> {
        let mut old = self.commit_many_locked(lock, bucket, &[(key, new)])?;
        Ok(old.pop().flatten())
    }

    /// Several object replacements in one bucket as one atomic batch (a move is a put and a
    /// delete). Returns the previous records in order. The keys must differ.
    pub(crate) fn commit_many_locked(
        &self,
        lock: &CommitGuard<'_>,
        bucket: &str,
        changes: &[(&str, Option<&ObjectRecord>)],
    ) -> ServiceResult<Vec<Option<ObjectRecord>>> {
        if self.get_bucket(bucket)?.is_none() {
            return Err(ServiceError::NoSuchBucket);
        }
        let mut deltas = Deltas::new();
        let mut batch = Batch::default();
        let mut olds = Vec::with_capacity(changes.len());
        for (key, new) in changes {
            let okey = KeyCodec::object(bucket, key);
            let old = self.load_object(bucket, key)?;
            if let Some(n) = new {
                count(&mut deltas, n.data.chunks(), 1);
            }
            if let Some(o) = &old {
                count(&mut deltas, o.data.chunks(), -1);
            }
            match new {
                Some(n) => batch.put(okey, n.encode()),
                None => batch.delete(okey),
            }
            olds.push(old);
        }
        self.apply_refcounts(&mut batch, &deltas)?;
        lock.write(batch)?;
        Ok(olds)
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
    pub(crate) fn release_uncommitted(&self, ids: &[ChunkId]) -> ServiceResult<()> {
        if ids.is_empty() {
            return Ok(());
        }
        let lock = self.lock_commits();
        let now = self.clock.now_ms();
        let due = (now + self.cfg.gc_grace_ms).max(0) as u64;
        let mut batch = Batch::default();
        for id in ids {
            if self.kv.get(&KeyCodec::chunk(id))?.is_none() {
                batch.put(KeyCodec::gc(due, id), GcEntry { queued_ms: now }.encode());
            }
        }
        if !batch.is_empty() {
            lock.write(batch)?;
        }
        Ok(())
    }
}
