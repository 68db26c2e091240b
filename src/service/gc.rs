//! The chunk collector: deletes chunks that have been unreferenced for the grace period, and at
//! start-up queues chunk files that no metadata knows about (left by a crash mid-upload).

use super::commit::Appended;
use super::{ServiceResult, Store};
use crate::meta::{scan_prefix, Batch, Direction, GcEntry, KeyCodec};
use std::collections::HashSet;
use std::ops::Bound;
use std::sync::Arc;

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct GcStats {
    /// Chunk files removed.
    pub deleted: usize,
    /// Queue entries dropped because the chunk is referenced again.
    pub revived: usize,
    /// Entries left for later because a writer is using the chunk right now.
    pub deferred: usize,
}

impl Store {
    /// One collection pass over queue entries that are due.
    pub async fn gc_once(self: &Arc<Self>) -> ServiceResult<GcStats> {
        self.blocking("chunk collection", Store::gc_pass).await
    }

    fn gc_pass(&self, appended: &Appended) -> ServiceResult<GcStats> {
        let now = self.clock.now_ms().max(0) as u64;
        let lo = KeyCodec::gc_prefix();
        let hi = KeyCodec::gc(now + 1, &[0u8; 32]);
        let mut stats = GcStats::default();
        loop {
            let rows = self.kv.scan(
                Bound::Included(&lo),
                Bound::Excluded(&hi),
                Direction::Forward,
                256,
            )?;
            if rows.is_empty() {
                break;
            }
            let mut progressed = false;
            for (k, _) in &rows {
                let Some((_, id)) = KeyCodec::decode_gc(k) else {
                    continue;
                };
                let lock = self.lock_commits(appended);
                let Some(deleting) = self.inflight.begin_delete(id) else {
                    stats.deferred += 1;
                    continue;
                };
                let mut batch = Batch::default();
                batch.delete(k.clone());
                if self.kv.get(&KeyCodec::chunk(&id))?.is_some() {
                    stats.revived += 1;
                } else {
                    self.chunks.delete(&id)?;
                    stats.deleted += 1;
                }
                drop(deleting);
                lock.write(batch)?;
                progressed = true;
            }
            if !progressed || rows.len() < 256 {
                break;
            }
        }
        Ok(stats)
    }

    /// Queues every chunk file that is neither referenced nor already queued. Run at start-up,
    /// before any request is served. Returns how many were queued.
    pub async fn sweep_orphans(self: &Arc<Self>) -> ServiceResult<usize> {
        self.blocking("orphan sweep", Store::sweep_pass).await
    }

    fn sweep_pass(&self, appended: &Appended) -> ServiceResult<usize> {
        let mut queued = HashSet::new();
        scan_prefix(
            self.kv.as_ref(),
            &KeyCodec::gc_prefix(),
            1000,
            &mut |k, _| {
                if let Some((_, id)) = KeyCodec::decode_gc(k) {
                    queued.insert(id);
                }
                true
            },
        )?;
        let now = self.clock.now_ms();
        let due = (now + self.cfg.gc_grace_ms).max(0) as u64;
        let mut candidates = Vec::new();
        for (id, _) in self.chunks.list()? {
            if queued.contains(&id) || self.kv.get(&KeyCodec::chunk(&id))?.is_some() {
                continue;
            }
            candidates.push(id);
        }
        if candidates.is_empty() {
            return Ok(0);
        }
        // A chunk without a refcount may still be named by a record (a refcount lost to a bug
        // or a damaged database): only the full enumeration of references can tell, and such a
        // chunk must never be queued for deletion.
        let mut referenced = HashSet::new();
        self.for_each_chunk_reference(&mut |_, c| {
            referenced.insert(c.id);
        })?;
        let lock = self.lock_commits(appended);
        let mut batch = Batch::default();
        let mut n = 0;
        for id in candidates {
            if referenced.contains(&id) {
                tracing::error!(
                    chunk = %hex::encode(id),
                    "a referenced chunk has no reference count; kept (run `cosd fsck --repair`)"
                );
                continue;
            }
            if self.kv.get(&KeyCodec::chunk(&id))?.is_some() {
                continue;
            }
            batch.put(KeyCodec::gc(due, &id), GcEntry { queued_ms: now }.encode());
            n += 1;
        }
        if !batch.is_empty() {
            lock.write(batch)?;
        }
        Ok(n)
    }
}
