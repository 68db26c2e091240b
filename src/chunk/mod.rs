//! Content-addressed chunk storage: the `ChunkStore` trait and two stores of chunks named by
//! the BLAKE3 hash of their bytes: `SegmentStore`, which appends them to segment files (every
//! store created since it exists), and `FsChunkStore`, a file per chunk (older stores keep
//! it). Reference counts and deferred deletion live in the metadata store (see `service::gc`);
//! this layer only stores bytes.

mod buf;
mod fs;
mod segment;

pub use buf::{aligned_slice, BufPool, ChunkBuf, ALIGN};
pub use fs::FsChunkStore;
pub use segment::SegmentStore;

use std::path::Path;
use std::sync::Arc;

/// What `LAYOUT` says of a segment store.
const SEGMENTS: &str = "segments";

/// Opens the chunk store under `root`: a segment store when `LAYOUT` says so or the store is
/// new (which then says so, durably), else the file-per-chunk store it has been.
pub fn open_store(root: &Path) -> Result<Arc<dyn ChunkStore>, ChunkError> {
    std::fs::create_dir_all(root)?;
    let marker = root.join(fs::LAYOUT_FILE);
    match std::fs::read_to_string(&marker) {
        Ok(s) if s.trim() == SEGMENTS => return Ok(Arc::new(SegmentStore::open(root)?)),
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if fs::is_new(root)? {
                fs::write_layout(root, SEGMENTS)?;
                return Ok(Arc::new(SegmentStore::open(root)?));
            }
        }
        Err(e) => return Err(e.into()),
    }
    Ok(Arc::new(FsChunkStore::open(root)?))
}

/// A chunk id: the BLAKE3 hash of the chunk's bytes. BLAKE3 costs ~0.1 CPU-s/GiB here versus
/// ~0.5 for SHA-256 and it is a cryptographic hash, so distinct content never shares an id.
pub type ChunkId = [u8; 32];

pub fn chunk_id(data: &[u8]) -> ChunkId {
    *blake3::hash(data).as_bytes()
}

#[derive(Debug, thiserror::Error)]
pub enum ChunkError {
    #[error("chunk {0} is missing")]
    Missing(String),
    #[error("chunk store I/O error: {0}")]
    Io(#[from] std::io::Error),
}

/// Stores chunk bytes by id. All calls block; run them off the async reactor.
pub trait ChunkStore: Send + Sync {
    /// Stores `data` under `id` durably. Idempotent: returns false if it was already there.
    fn put(&self, id: &ChunkId, data: &[u8]) -> Result<bool, ChunkError>;
    /// Reads `len` bytes at `offset` of the chunk.
    fn read(&self, id: &ChunkId, offset: u64, len: usize) -> Result<Vec<u8>, ChunkError>;
    fn exists(&self, id: &ChunkId) -> bool;
    /// Removes the chunk (no error if it is already gone).
    fn delete(&self, id: &ChunkId) -> Result<(), ChunkError>;
    /// Every stored chunk id, with its length (for fsck).
    fn list(&self) -> Result<Vec<(ChunkId, u64)>, ChunkError>;
}
