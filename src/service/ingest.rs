//! Streaming ingest of object bodies into chunks.
//!
//! The body is cut into chunks of `chunk_size`, each filled in a pooled, aligned buffer. Full
//! chunks go two ways at once:
//! - to the object's **hash chain**: one blocking task per body that runs MD5 over the chunks
//!   in order, fed through a short queue. MD5 cannot be split, so for a single stream its rate
//!   is the ceiling; the chain never waits for a chunk's store, only for data, and does nothing
//!   else. With several bodies in flight, the MD5 itself runs in the store's multi-buffer
//!   engine (`checksum/md5_engine.rs`);
//! - to a **store** task each (BLAKE3 names the chunk, its CRC-64 is taken, then it is written
//!   and synced; the object's CRC-64 is combined from the chunks' in order), at most
//!   [`STORES_IN_FLIGHT`] at a time. A store's wall time is mostly the device's (write, two
//!   syncs, a rename) and varies; letting stores trail the chain keeps a slow sync from
//!   stalling MD5.
//!
//! Reading the body stops whenever the queue to the chain or the stores are full, so an upload
//! holds at most the chunk being filled, [`HASH_QUEUE`] queued and one being hashed, and the
//! chunks whose stores still run: a few chunk sizes, whatever the body size.

use super::{InflightGuard, ServiceError, ServiceResult, Store};
use crate::checksum::{crc64, crc64_combine, BodyDigest, BodyHasher, BodyMd5, HashError};
use crate::chunk::{chunk_id, ChunkBuf};
use crate::crypto::ObjectCipher;
use crate::meta::{ChunkRef, DataLayout};
use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use std::collections::VecDeque;
use std::sync::Arc;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// Chunk stores that may run while the body is read further.
pub(crate) const STORES_IN_FLIGHT: usize = 2;
/// Full chunks waiting for the hash chain (besides the one it is hashing).
pub(crate) const HASH_QUEUE: usize = 1;

/// A body stored as chunks (or inline), not yet referenced by any object.
pub(crate) struct Ingested {
    pub digest: BodyDigest,
    pub layout: DataLayout,
    /// Keeps the chunks safe from the collector until the caller commits.
    pub _guards: Vec<InflightGuard>,
}

/// The MD5 of a body, as its chain ends.
type Md5Result = Result<[u8; 16], HashError>;

/// A stored chunk, the guard that keeps it from the collector, its plaintext's CRC-64 and
/// length.
type StoreTask = JoinHandle<ServiceResult<(ChunkRef, InflightGuard, u64, u64)>>;

/// The chunks of one body on their way to the hash chain and the chunk store.
struct Pipeline {
    store: Arc<Store>,
    /// MD5 of the chunks, in the chain's task until it ends.
    chain: Option<(mpsc::Sender<Bytes>, JoinHandle<Md5Result>)>,
    md5: Option<Md5Result>,
    stores: VecDeque<StoreTask>,
    /// CRC-64 and length of the chunks stored so far, in order.
    crc: u64,
    len: u64,
    refs: Vec<ChunkRef>,
    guards: Vec<InflightGuard>,
    /// Seals each chunk with the object's data key (server-side encryption).
    cipher: Option<Arc<ObjectCipher>>,
}

fn joined<T>(r: Result<T, tokio::task::JoinError>, what: &str) -> ServiceResult<T> {
    r.map_err(|e| ServiceError::Internal(format!("{what} task: {e}")))
}

impl Pipeline {
    fn new(store: &Arc<Store>, cipher: Option<Arc<ObjectCipher>>) -> Pipeline {
        Pipeline {
            store: Arc::clone(store),
            chain: None,
            md5: None,
            stores: VecDeque::new(),
            crc: 0,
            len: 0,
            refs: Vec::new(),
            guards: Vec::new(),
            cipher,
        }
    }

    /// Sends a full (or the last) chunk to the chain and to a store, first waiting for the
    /// oldest store when [`STORES_IN_FLIGHT`] are running.
    async fn push(&mut self, data: Bytes) -> ServiceResult<()> {
        while self.stores.len() >= STORES_IN_FLIGHT {
            self.finish_oldest_store().await?;
        }
        self.stores.push_back(self.spawn_store(data.clone()));
        let (tx, _) = self.chain.get_or_insert_with(|| {
            let (tx, mut rx) = mpsc::channel::<Bytes>(HASH_QUEUE);
            let mut md5 = self.store.md5.body(data.len());
            let task = tokio::task::spawn_blocking(move || {
                while let Some(chunk) = rx.blocking_recv() {
                    md5.update(&chunk);
                }
                md5.finish()
            });
            (tx, task)
        });
        tx.send(data)
            .await
            .map_err(|_| ServiceError::Internal("hash task ended early".into()))
    }

    fn spawn_store(&self, data: Bytes) -> StoreTask {
        let store = Arc::clone(&self.store);
        let cipher = self.cipher.clone();
        tokio::task::spawn_blocking(move || {
            let crc = crc64(&data);
            let plain_len = data.len() as u64;
            // An encrypted chunk is named by the hash of its sealed bytes (random nonce), so
            // it never deduplicates against another object's: docs/encryption.md.
            let stored: Bytes = match &cipher {
                Some(c) => Bytes::from(c.seal(&data)),
                None => data,
            };
            let id = chunk_id(&stored);
            let mut guard = InflightGuard::new(Arc::clone(&store.inflight));
            guard.register(id);
            store.chunks.put(&id, &stored)?;
            Ok((
                ChunkRef {
                    id,
                    len: stored.len() as u64,
                },
                guard,
                crc,
                plain_len,
            ))
        })
    }

    async fn finish_oldest_store(&mut self) -> ServiceResult<()> {
        if let Some(task) = self.stores.pop_front() {
            let (r, g, crc, plain_len) = joined(task.await, "chunk")??;
            self.crc = crc64_combine(self.crc, crc, plain_len);
            self.len += plain_len;
            self.refs.push(r);
            self.guards.push(g);
        }
        Ok(())
    }

    /// Waits for every store and for the chain; then the digest of what was pushed.
    async fn drain(&mut self) -> ServiceResult<BodyDigest> {
        // Tell the chain first that nothing more comes: it then finishes (and leaves the MD5
        // engine, which waits for the chunks of the bodies it counts) while the stores sync.
        let chain = self.chain.take().map(|(tx, task)| {
            drop(tx);
            task
        });
        let mut result = Ok(());
        while !self.stores.is_empty() {
            if let Err(e) = self.finish_oldest_store().await {
                result = result.and(Err(e));
            }
        }
        if let Some(task) = chain {
            match joined(task.await, "hash") {
                Ok(h) => self.md5 = Some(h),
                Err(e) => result = result.and(Err(e)),
            }
        }
        result?;
        let md5 = self
            .md5
            .take()
            .unwrap_or_else(|| BodyMd5::default().finish());
        Ok(BodyDigest {
            md5: md5.map_err(|e| ServiceError::Internal(e.to_string()))?,
            crc64: self.crc,
            len: self.len,
        })
    }

    /// After a failure: lets every task end and un-registers what was stored.
    async fn abandon(mut self) -> ServiceResult<()> {
        let _ = self.drain().await;
        let ids: Vec<_> = self.refs.iter().map(|r| r.id).collect();
        self.store.release_uncommitted(ids).await
    }
}

impl Store {
    /// Reads `body` to the end, storing it as chunks (or inline when small), each sealed with
    /// `cipher` when given (the digest is the plaintext's).
    pub(crate) async fn ingest<S, E>(
        self: &Arc<Self>,
        mut body: S,
        allow_inline: bool,
        cipher: Option<Arc<ObjectCipher>>,
    ) -> ServiceResult<Ingested>
    where
        S: Stream<Item = Result<Bytes, E>> + Unpin + Send,
        E: Into<ServiceError>,
    {
        let mut pipe = Pipeline::new(self, cipher);
        let mut buf: Option<ChunkBuf> = None;
        let mut total: u64 = 0;

        let read: ServiceResult<()> = async {
            while let Some(frame) = body.next().await {
                let frame = frame.map_err(Into::into)?;
                total += frame.len() as u64;
                if total > self.cfg.max_object_size {
                    return Err(ServiceError::EntityTooLarge);
                }
                let mut frame = &frame[..];
                while !frame.is_empty() {
                    let b = buf.get_or_insert_with(|| self.bufs.take());
                    let take = frame.len().min(b.room());
                    b.extend(&frame[..take]);
                    frame = &frame[take..];
                    if b.room() == 0 {
                        if let Some(full) = buf.take() {
                            pipe.push(full.freeze()).await?;
                        }
                    }
                }
            }
            Ok(())
        }
        .await;
        if let Err(e) = read {
            pipe.abandon().await?;
            return Err(e);
        }

        // Small enough to live in the record: nothing was spawned.
        let rest_len = buf.as_ref().map_or(0, ChunkBuf::len);
        if allow_inline && pipe.chain.is_none() && rest_len <= self.cfg.inline_threshold {
            let mut hasher = BodyHasher::default();
            let rest = buf.as_ref().map_or(&[][..], ChunkBuf::as_slice);
            hasher.update(rest);
            return Ok(Ingested {
                digest: hasher
                    .finish()
                    .map_err(|e| ServiceError::Internal(e.to_string()))?,
                layout: DataLayout::Inline(match &pipe.cipher {
                    Some(c) => c.seal(rest),
                    None => rest.to_vec(),
                }),
                _guards: Vec::new(),
            });
        }
        // The last, partial chunk; an empty body that may not be inline is one empty chunk.
        if rest_len > 0 || (pipe.chain.is_none() && !allow_inline) {
            let data = buf.take().map_or_else(Bytes::new, ChunkBuf::freeze);
            if let Err(e) = pipe.push(data).await {
                pipe.abandon().await?;
                return Err(e);
            }
        }
        match pipe.drain().await {
            Ok(digest) => Ok(Ingested {
                digest,
                layout: DataLayout::Chunks(std::mem::take(&mut pipe.refs)),
                _guards: std::mem::take(&mut pipe.guards),
            }),
            Err(e) => {
                pipe.abandon().await?;
                Err(e)
            }
        }
    }
}
