//! The ordered key-value seam under all metadata: the `Kv` trait, an in-memory `MemKv`, the
//! RocksDB implementation (`rocks.rs`, the only file that touches RocksDB), a read cache in
//! front of it (`cache.rs`), the key codec (`keys.rs`) and the versioned record formats
//! (`records.rs`).

mod cache;
mod keys;
mod log;
mod mem;
mod records;
mod rocks;

#[cfg(test)]
mod conformance;

pub use cache::CachedKv;
pub use keys::{KeyCodec, Table};
pub use mem::MemKv;
pub use records::{
    AccessKeyRecord, AccountRecord, BucketRecord, ChunkRef, ChunkRefcount, DataLayout, GcEntry,
    GroupRecord, LifecycleCursor, ObjectRecord, OnceSignatureRecord, OutboxEntry, PartRecord,
    RecordError, SlicePart, SliceSession, TempKeyRecord, UploadRecord, UserRecord, VersionTag,
    FORMAT_VERSION,
};
pub use rocks::RocksKv;

use std::ops::Bound;

#[derive(Debug, thiserror::Error)]
pub enum KvError {
    #[error("metadata store I/O error: {0}")]
    Io(String),
    #[error("corrupt metadata record: {0}")]
    Corrupt(String),
}

pub type KvResult<T> = Result<T, KvError>;

/// Scan direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Forward,
    Reverse,
}

/// One write in an atomic batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WriteOp {
    Put(Vec<u8>, Vec<u8>),
    Delete(Vec<u8>),
}

/// An atomic batch of writes: all of them become visible together or none does.
#[derive(Debug, Default, Clone)]
pub struct Batch {
    pub ops: Vec<WriteOp>,
}

impl Batch {
    pub fn put(&mut self, key: Vec<u8>, value: Vec<u8>) {
        self.ops.push(WriteOp::Put(key, value));
    }
    pub fn delete(&mut self, key: Vec<u8>) {
        self.ops.push(WriteOp::Delete(key));
    }
    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }
}

pub type Pair = (Vec<u8>, Vec<u8>);

/// Read operations, shared by the live store and its snapshots.
pub trait KvRead {
    fn get(&self, key: &[u8]) -> KvResult<Option<Vec<u8>>>;
    /// Up to `limit` pairs with keys in `(start, end)`, in key order (or reverse order).
    fn scan(
        &self,
        start: Bound<&[u8]>,
        end: Bound<&[u8]>,
        dir: Direction,
        limit: usize,
    ) -> KvResult<Vec<Pair>>;
}

/// An ordered key-value store with atomic batches and snapshot reads.
pub trait Kv: KvRead + Send + Sync {
    /// Applies the batch atomically (durably when the store is configured to sync).
    fn write(&self, batch: Batch) -> KvResult<()>;
    /// Applies the batch atomically without waiting for it to be durable; returns a ticket
    /// for [`Kv::wait_durable`]. Lets callers release their locks before the sync, so that one
    /// sync covers the batches of many writers (group commit).
    fn write_deferred(&self, batch: Batch) -> KvResult<u64> {
        self.write(batch).map(|()| 0)
    }
    /// Returns once every batch up to `ticket` is durable (as the store is configured).
    fn wait_durable(&self, _ticket: u64) -> KvResult<()> {
        Ok(())
    }
    /// For waiting without a thread: the highest durable ticket, updated after every group
    /// sync. None when nothing needs waiting for (writes are as durable as configured).
    fn durable_watch(&self) -> Option<tokio::sync::watch::Receiver<u64>> {
        None
    }
    /// Asks for every batch up to `ticket` to be made durable, without waiting (then watch
    /// [`Kv::durable_watch`]).
    fn request_sync(&self, _ticket: u64) {}
    /// Makes everything written so far persistent without the log, so the next open replays
    /// nothing (a clean shutdown). Writes may follow; they are logged as usual.
    fn close(&self) -> KvResult<()> {
        Ok(())
    }
    /// Runs `f` against a consistent point-in-time view of the store.
    fn with_snapshot(&self, f: &mut dyn FnMut(&dyn KvRead) -> KvResult<()>) -> KvResult<()>;
}

/// The smallest key greater than every key starting with `prefix` (None if there is none).
pub fn prefix_end(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < 0xff {
            end.push(last + 1);
            return Some(end);
        }
    }
    None
}

/// Scans every key that starts with `prefix`, in pages, calling `f` until it returns false.
pub fn scan_prefix(
    kv: &dyn KvRead,
    prefix: &[u8],
    page: usize,
    f: &mut dyn FnMut(&[u8], &[u8]) -> bool,
) -> KvResult<()> {
    let end = prefix_end(prefix);
    let mut start: Vec<u8> = prefix.to_vec();
    let mut inclusive = true;
    loop {
        let lo = if inclusive {
            Bound::Included(start.as_slice())
        } else {
            Bound::Excluded(start.as_slice())
        };
        let hi = end.as_deref().map_or(Bound::Unbounded, Bound::Excluded);
        let rows = kv.scan(lo, hi, Direction::Forward, page)?;
        let n = rows.len();
        for (k, v) in &rows {
            if !f(k, v) {
                return Ok(());
            }
        }
        if n < page {
            return Ok(());
        }
        start = rows.last().map(|(k, _)| k.clone()).unwrap_or_default();
        inclusive = false;
    }
}
