//! Use cases on buckets and objects. Knows nothing of HTTP: takes typed inputs and byte streams,
//! returns records and `ServiceError`. Owns every write to the metadata keyspace.

mod append;
mod bucket;
mod commit;
mod fsck;
mod gc;
mod ingest;
mod legacy;
mod list;
mod multipart;
mod object;
mod read;
mod refs;
mod write;

pub use append::AppendOutcome;
pub use fsck::FsckReport;
pub use gc::GcStats;
pub use legacy::SliceUpload;
pub use list::{ListEntry, ListPage, ListParams};
pub use multipart::{
    CompletePart, UploadEntry, UploadsPage, MAX_PART_NUMBER, MAX_PART_SIZE, MIN_PART_SIZE,
};
pub use object::{CopyParams, MetadataDirective, ObjectMeta, WriteCondition, WriteOptions};
pub use read::take_inline;
pub use refs::{RefHolder, RefScan};
pub use write::PutOutcome;

use crate::chunk::{ChunkError, ChunkId, ChunkStore};
use crate::clock::Clock;
use crate::meta::{Kv, KvError, RecordError};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("the bucket does not exist")]
    NoSuchBucket,
    #[error("the object does not exist")]
    NoSuchKey,
    #[error("you already own this bucket")]
    BucketAlreadyOwnedByYou,
    #[error("the bucket name is taken")]
    BucketAlreadyExists,
    #[error("the bucket is not empty")]
    BucketNotEmpty,
    #[error("the Content-MD5 you specified did not match what was received")]
    BadDigest,
    #[error("the body is larger than the maximum allowed object size")]
    EntityTooLarge,
    #[error("the request body ended before Content-Length bytes were received: {0}")]
    IncompleteBody(String),
    #[error("a copy-source precondition failed")]
    PreconditionFailed,
    #[error("The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.")]
    NoSuchUpload,
    #[error("{0}")]
    InvalidPart(String),
    #[error("The list of parts was not in ascending order. Parts must be ordered by part number.")]
    InvalidPartOrder,
    #[error("{0}")]
    EntityTooSmall(String),
    #[error("{0}")]
    MalformedXml(String),
    #[error("The object is not appendable.")]
    ObjectNotAppendable,
    #[error("The position does not equal the object's length ({0}).")]
    PositionNotEqualToLength(u64),
    #[error("{0}")]
    InvalidRequest(String),
    #[error("The object already exists and overwriting it was forbidden.")]
    ObjectExists,
    #[error("{0}")]
    Body(#[from] crate::auth::payload::BodyError),
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<std::io::Error> for ServiceError {
    fn from(e: std::io::Error) -> Self {
        ServiceError::IncompleteBody(e.to_string())
    }
}

impl From<std::convert::Infallible> for ServiceError {
    fn from(e: std::convert::Infallible) -> Self {
        match e {}
    }
}

impl From<KvError> for ServiceError {
    fn from(e: KvError) -> Self {
        ServiceError::Internal(e.to_string())
    }
}

impl From<RecordError> for ServiceError {
    fn from(e: RecordError) -> Self {
        ServiceError::Internal(format!("metadata record: {e}"))
    }
}

impl From<ChunkError> for ServiceError {
    fn from(e: ChunkError) -> Self {
        ServiceError::Internal(e.to_string())
    }
}

pub type ServiceResult<T> = Result<T, ServiceError>;

/// Tunables of the storage service.
#[derive(Debug, Clone)]
pub struct StoreConfig {
    pub inline_threshold: usize,
    pub chunk_size: usize,
    pub max_object_size: u64,
    pub gc_grace_ms: i64,
}

/// Chunks being written whose references are not committed yet. The collector never deletes a
/// chunk listed here, and a writer registers a chunk before it checks or writes its file, so a
/// deduplicated write can never race a deletion of the same chunk.
#[derive(Default)]
pub(crate) struct Inflight {
    set: Mutex<HashMap<ChunkId, usize>>,
}

pub(crate) struct InflightGuard {
    inflight: Arc<Inflight>,
    ids: Vec<ChunkId>,
}

impl Inflight {
    pub(crate) fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<ChunkId, usize>> {
        self.set.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl InflightGuard {
    pub(crate) fn new(inflight: Arc<Inflight>) -> Self {
        InflightGuard {
            inflight,
            ids: Vec::new(),
        }
    }

    /// Registers `id`, then runs `f` (the chunk write) while holding the registry lock only for
    /// the registration itself.
    pub(crate) fn register(&mut self, id: ChunkId) {
        *self.inflight.lock().entry(id).or_insert(0) += 1;
        self.ids.push(id);
    }
}

impl Drop for InflightGuard {
    fn drop(&mut self) {
        let mut set = self.inflight.lock();
        for id in &self.ids {
            if let Some(n) = set.get_mut(id) {
                *n -= 1;
                if *n == 0 {
                    set.remove(id);
                }
            }
        }
    }
}

/// The storage service: metadata in a `Kv`, bytes in a `ChunkStore`.
pub struct Store {
    pub(crate) kv: Arc<dyn Kv>,
    pub(crate) chunks: Arc<dyn ChunkStore>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) cfg: StoreConfig,
    /// Serializes read-modify-write commits (object records and chunk refcounts). Held only for
    /// the metadata batch, never across I/O on object bytes.
    pub(crate) commit_lock: Mutex<()>,
    pub(crate) inflight: Arc<Inflight>,
    /// Bucket records as last read or written (every request reads its bucket).
    pub(crate) buckets: bucket::BucketCache,
    /// Reused, aligned chunk buffers for ingest.
    pub(crate) bufs: std::sync::Arc<crate::chunk::BufPool>,
    /// MD5 of bodies hashed side by side (`checksum/md5_engine.rs`).
    pub(crate) md5: crate::checksum::Md5Engine,
}

impl Store {
    /// A clean shutdown of the metadata store: everything written so far is persisted, so the
    /// next start replays no log. Writes may still follow (they are logged as usual).
    pub fn close(&self) -> ServiceResult<()> {
        Ok(self.kv.close()?)
    }

    pub fn new(
        kv: Arc<dyn Kv>,
        chunks: Arc<dyn ChunkStore>,
        clock: Arc<dyn Clock>,
        cfg: StoreConfig,
    ) -> Store {
        let cfg_chunk_size = cfg.chunk_size;
        Store {
            kv,
            chunks,
            clock,
            cfg,
            commit_lock: Mutex::new(()),
            inflight: Arc::default(),
            buckets: bucket::BucketCache::default(),
            // Enough for a single-stream upload's chunks in flight (filling, hashing and
            // storing); more concurrent uploads allocate the rest.
            bufs: crate::chunk::BufPool::new(cfg_chunk_size, 6),
            md5: crate::checksum::Md5Engine::default(),
        }
    }

    /// Takes the commit lock; writes through the guard become durable when it is dropped.
    pub(crate) fn lock_commits(&self) -> commit::CommitGuard<'_> {
        commit::CommitGuard::new(
            self.commit_lock.lock().unwrap_or_else(|p| p.into_inner()),
            self.kv.as_ref(),
        )
    }

    pub fn config(&self) -> &StoreConfig {
        &self.cfg
    }
}

#[cfg(test)]
mod tests;
