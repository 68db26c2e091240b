//! Use cases on buckets and objects. Knows nothing of HTTP: takes typed inputs and byte streams,
//! returns records and `ServiceError`. Owns every write to the metadata keyspace.
//!
//! # Async, blocking and durability: one convention
//!
//! Every use case that writes, or that does blocking work (metadata scans under the commit
//! lock, chunk-file I/O), is an `async fn` on `self: &Arc<Store>`, and the service owns every
//! `spawn_blocking` and every durability wait; callers (request handlers, the background
//! collector, tests) just `.await` it. Inside, the blocking part runs in
//! [`Store::blocking`] (or [`Store::commit`], the same holding the commit lock): a closure on
//! tokio's blocking pool that takes the commit lock (`lock_commits`, a `tokio` mutex taken
//! with `blocking_lock`, which panics on an async worker) and appends batches without waiting
//! for the disk, recording their tickets (a `CommitGuard` cannot be had without the record,
//! so no write escapes the wait); the lock is released, and then the method awaits
//! [`Store::durable`] for the last ticket, whether the work succeeded or not: a watch channel,
//! no thread parked, and one log sync serves every commit that appended meanwhile (group
//! commit). A failed log sync aborts the
//! process in the sync thread (`meta::rocks`), before any waiter could acknowledge. Streaming
//! writes (`put_object`, `upload_part`, `append_object`) ingest the body on the async task
//! (chunk stores and hashing on the blocking pool) and commit the same way. The one exception
//! is [`Store::commit_here`]: a small PUT whose bytes live in its record commits on its own
//! task, awaiting (never blocking on) the commit lock, because its commit is two point reads
//! and an append and the hop to the blocking pool cost small PUTs about an eighth of their
//! throughput (commit 57819ca).
//!
//! So no tokio worker ever blocks on the commit lock (held across metadata and chunk I/O) or
//! on the log's sync condvar. Point reads (`get_bucket`, `bucket_shared`, `head_object`,
//! `load_object`, `get_upload`, `list_objects`, `list_parts`, `list_uploads`, `slice_uploads`,
//! `dir_exists`, `list_buckets`, `read_stream`) stay plain `fn`s called inline: they are
//! point reads and page-bounded scans of the metadata store (mostly memtable and block cache)
//! or of the bucket cache, never take the commit lock and never wait on a condvar, and the
//! request pipeline and the authorizer call them from synchronous code; `read_stream`'s chunk
//! reads run on the blocking pool.
//!
//! Policy evaluation never runs under the commit lock: a copy is checked by its caller against
//! a snapshot of the source read outside the lock, and commits only if the source is still that
//! snapshot (see [`Store::copy_object`]).
//!
//! The offline maintenance API is separate and synchronous: [`Store::fsck`] (the `cosd fsck`
//! command, with the server stopped) and [`Store::close`] (shutdown) block the calling thread.
//!
//! # Errors
//!
//! An `std::io::Error` has no implicit conversion: a failure of this server's own storage
//! (chunk files, the metadata store) is [`ServiceError::Internal`] (500, logged at ERROR with
//! the request id), while a request body that fails to arrive is the client's
//! ([`ServiceError::body_read`], 400 `IncompleteBody`).

mod append;
pub mod archive;
mod bucket;
mod commit;
mod fsck;
mod gc;
mod ingest;
mod legacy;
mod lifecycle;
mod list;
mod list_versions;
mod multipart;
mod notify;
mod object;
mod read;
mod refs;
mod reset;
pub mod usage;
mod version;
mod write;

pub use append::AppendOutcome;
pub use archive::{is_readable, RestoreOutcome, RestoreRequest, RestoreTimings};
pub use fsck::FsckReport;
pub use gc::GcStats;
pub use legacy::SliceUpload;
pub use lifecycle::{LifecycleOptions, LifecycleStats};
pub use list::{ListEntry, ListPage, ListParams};
pub use list_versions::{VersionEntry, VersionListParams, VersionPage};
pub use multipart::{
    CompletePart, UploadEntry, UploadsPage, MAX_PART_NUMBER, MAX_PART_SIZE, MIN_PART_SIZE,
};
pub use object::{
    CopyParams, MetadataDirective, ObjectMeta, Reseal, SourceChanged, SseWrite, WriteCondition,
    WriteOptions, Written, COPY_ATTEMPTS,
};
pub use read::take_inline;
pub use refs::{RefHolder, RefScan};
pub use reset::ResetStats;
pub use version::{
    encode_version_id, version_id, GovernanceBypass, InvalidVersionId, RemovedVersion, Staged,
    VersionRef,
};
pub use write::PutOutcome;

use crate::chunk::{ChunkError, ChunkId, ChunkStore};
use crate::clock::Clock;
use crate::meta::{Kv, KvError, RecordError};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Condvar, Mutex};

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
    #[error("The specified version does not exist.")]
    NoSuchVersion,
    /// Object lock protects the version (403 AccessDenied).
    #[error("{0}")]
    ObjectLocked(String),
    /// The version named is a delete marker (its id given).
    #[error("the version is a delete marker")]
    DeleteMarker(String),
    #[error("{0}")]
    InvalidBucketState(String),
    /// The operation does not apply to the version's storage class (403), e.g. reading an
    /// unrestored archive or restoring a STANDARD object.
    #[error("{0}")]
    InvalidObjectState(String),
    #[error("Object restore is already in progress.")]
    RestoreAlreadyInProgress,
    #[error("{0}")]
    InvalidArgument(String),
    /// A request this server does not implement (501).
    #[error("{0}")]
    NotImplemented(String),
    #[error("internal error: {0}")]
    Internal(String),
}

impl ServiceError {
    /// A request body that failed to arrive (its stream errored or ended early): the client's
    /// fault, answered 400 `IncompleteBody` as before.
    pub fn body_read(e: std::io::Error) -> Self {
        ServiceError::IncompleteBody(e.to_string())
    }

    /// A failure of this server's own storage (disk, chunk files): 500 `InternalError`.
    pub fn storage_io(e: std::io::Error) -> Self {
        ServiceError::Internal(format!("storage I/O: {e}"))
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
    /// The configured notification webhooks' ids (`notify_webhooks`).
    pub notify_targets: Vec<String>,
}

/// Chunks being written whose references are not committed yet. The collector never deletes a
/// chunk listed here, and a writer registers a chunk before it checks or writes its file, so a
/// deduplicated write can never race a deletion of the same chunk. The lock is never held
/// across I/O (guards are dropped on async workers): the collector marks a chunk as being
/// deleted, deletes its file without the lock, and a writer registering that chunk meanwhile
/// waits for the deletion on its blocking-pool thread.
#[derive(Default)]
pub(crate) struct Inflight {
    state: Mutex<InflightState>,
    /// Signalled when the collector is done deleting a chunk.
    deleted: Condvar,
}

#[derive(Default)]
struct InflightState {
    writers: HashMap<ChunkId, usize>,
    deleting: HashSet<ChunkId>,
}

pub(crate) struct InflightGuard {
    inflight: Arc<Inflight>,
    ids: Vec<ChunkId>,
}

impl Inflight {
    fn lock(&self) -> std::sync::MutexGuard<'_, InflightState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// For the collector: unless a writer has `id` in flight, marks it as being deleted and
    /// returns the mark, which ends the deletion when dropped.
    pub(crate) fn begin_delete(self: &Arc<Self>, id: ChunkId) -> Option<Deleting> {
        let mut st = self.lock();
        if st.writers.contains_key(&id) {
            return None;
        }
        st.deleting.insert(id);
        Some(Deleting {
            inflight: Arc::clone(self),
            id,
        })
    }
}

/// A chunk the collector is deleting (see [`Inflight::begin_delete`]).
pub(crate) struct Deleting {
    inflight: Arc<Inflight>,
    id: ChunkId,
}

impl Drop for Deleting {
    fn drop(&mut self) {
        self.inflight.lock().deleting.remove(&self.id);
        self.inflight.deleted.notify_all();
    }
}

impl InflightGuard {
    pub(crate) fn new(inflight: Arc<Inflight>) -> Self {
        InflightGuard {
            inflight,
            ids: Vec::new(),
        }
    }

    /// Registers `id` before its file is checked or written. Blocking-pool threads only: waits
    /// while the collector is deleting that very chunk.
    pub(crate) fn register(&mut self, id: ChunkId) {
        let mut st = self.inflight.lock();
        while st.deleting.contains(&id) {
            st = self
                .inflight
                .deleted
                .wait(st)
                .unwrap_or_else(|p| p.into_inner());
        }
        *st.writers.entry(id).or_insert(0) += 1;
        self.ids.push(id);
    }
}

impl Drop for InflightGuard {
    fn drop(&mut self) {
        let mut st = self.inflight.lock();
        for id in &self.ids {
            if let Some(n) = st.writers.get_mut(id) {
                *n -= 1;
                if *n == 0 {
                    st.writers.remove(id);
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
    /// Serializes read-modify-write commits (object records and chunk refcounts). Held for the
    /// metadata reads and batch of a commit (and by the collector across a chunk deletion), so
    /// it is taken on the blocking pool, or awaited (`Store::commit_here`); see the module doc.
    pub(crate) commit_lock: tokio::sync::Mutex<()>,
    pub(crate) inflight: Arc<Inflight>,
    /// Bucket records as last read or written (every request reads its bucket).
    pub(crate) buckets: bucket::BucketCache,
    /// Reused, aligned chunk buffers for ingest.
    pub(crate) bufs: std::sync::Arc<crate::chunk::BufPool>,
    /// MD5 of bodies hashed side by side (`checksum/md5_engine.rs`).
    pub(crate) md5: crate::checksum::Md5Engine,
    /// Version stamps (`version.rs`).
    pub(crate) stamps: version::Stamps,
    /// The notification outbox's counter and readiness (`notify.rs`).
    pub(crate) outbox: notify::Outbox,
    /// Held by a whole reset (`reset.rs`), removal and re-declaration, so two never interleave.
    pub(crate) resets: tokio::sync::Mutex<()>,
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
        let outbox = notify::Outbox::new(&cfg.notify_targets);
        Store {
            kv,
            chunks,
            clock,
            cfg,
            commit_lock: tokio::sync::Mutex::new(()),
            inflight: Arc::default(),
            buckets: bucket::BucketCache::default(),
            // Enough for a single-stream upload's chunks in flight (filling, hashing and
            // storing); more concurrent uploads allocate the rest.
            bufs: crate::chunk::BufPool::new(cfg_chunk_size, 6),
            md5: crate::checksum::Md5Engine::default(),
            stamps: version::Stamps::default(),
            outbox,
            resets: tokio::sync::Mutex::new(()),
        }
    }

    pub fn config(&self) -> &StoreConfig {
        &self.cfg
    }
}

#[cfg(test)]
mod tests;
