//! Streaming ingest of object bodies into chunks, and PUT Object.
//!
//! The body is cut into chunks of `chunk_size`; each chunk is hashed (MD5 and CRC-64 of the
//! object continue across chunks; BLAKE3 names the chunk) and written on the blocking pool while
//! the next chunk is received, so at most two chunks are in memory per request.

use super::{InflightGuard, ObjectMeta, ServiceError, ServiceResult, Store, WriteOptions};
use crate::checksum::{BodyDigest, BodyHasher};
use crate::chunk::{chunk_id, ChunkBuf};
use crate::meta::{ChunkRef, DataLayout, ObjectRecord};
use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use std::sync::Arc;

/// A body stored as chunks (or inline), not yet referenced by any object.
pub(crate) struct Ingested {
    pub digest: BodyDigest,
    pub layout: DataLayout,
    /// Keeps the chunks safe from the collector until the caller commits.
    pub _guards: Vec<InflightGuard>,
}

/// What a successful PUT reports.
#[derive(Debug, Clone)]
pub struct PutOutcome {
    pub record: ObjectRecord,
}

type StoreTask = tokio::task::JoinHandle<ServiceResult<(ChunkRef, InflightGuard)>>;
type HashTask = tokio::task::JoinHandle<BodyHasher>;

/// The two jobs of one chunk, run side by side on the blocking pool: the object's running
/// MD5/CRC-64 (a chain from chunk to chunk) and naming + storing the chunk (independent). A
/// chunk then costs max(hash, store) instead of their sum.
struct ChunkTask {
    hash: HashTask,
    store: StoreTask,
}

async fn join(task: ChunkTask) -> ServiceResult<(BodyHasher, ChunkRef, InflightGuard)> {
    let stored = task
        .store
        .await
        .map_err(|e| ServiceError::Internal(format!("chunk task: {e}")));
    let hasher = task
        .hash
        .await
        .map_err(|e| ServiceError::Internal(format!("hash task: {e}")))?;
    let (r, g) = stored??;
    Ok((hasher, r, g))
}

impl Store {
    fn spawn_chunk(self: &Arc<Self>, hasher: BodyHasher, data: Bytes) -> ChunkTask {
        let store = Arc::clone(self);
        let for_hash = data.clone();
        let hash = tokio::task::spawn_blocking(move || {
            let mut hasher = hasher;
            hasher.update(&for_hash);
            hasher
        });
        let store = tokio::task::spawn_blocking(move || {
            let id = chunk_id(&data);
            let mut guard = InflightGuard::new(Arc::clone(&store.inflight));
            guard.register(id);
            store.chunks.put(&id, &data)?;
            Ok((
                ChunkRef {
                    id,
                    len: data.len() as u64,
                },
                guard,
            ))
        });
        ChunkTask { hash, store }
    }

    /// Reads `body` to the end, storing it as chunks (or inline when small).
    pub(crate) async fn ingest<S, E>(
        self: &Arc<Self>,
        mut body: S,
        allow_inline: bool,
    ) -> ServiceResult<Ingested>
    where
        S: Stream<Item = Result<Bytes, E>> + Unpin + Send,
        E: Into<ServiceError>,
    {
        // Each chunk is filled in its own pooled, aligned buffer, so a request holds at most the
        // chunk being filled and the one being written: 2 x chunk_size, whatever the body size.
        let mut buf: Option<ChunkBuf> = None;
        let mut hasher = Some(BodyHasher::default());
        let mut pending: Option<ChunkTask> = None;
        let mut refs: Vec<ChunkRef> = Vec::new();
        let mut guards: Vec<InflightGuard> = Vec::new();
        let mut total: u64 = 0;

        let result: ServiceResult<()> = async {
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
                    if b.room() > 0 {
                        continue;
                    }
                    let Some(data) = buf.take().map(ChunkBuf::freeze) else {
                        continue;
                    };
                    let h = match pending.take() {
                        Some(task) => {
                            let (h, r, g) = join(task).await?;
                            refs.push(r);
                            guards.push(g);
                            h
                        }
                        None => hasher.take().unwrap_or_default(),
                    };
                    pending = Some(self.spawn_chunk(h, data));
                }
            }
            if let Some(task) = pending.take() {
                let (h, r, g) = join(task).await?;
                refs.push(r);
                guards.push(g);
                hasher = Some(h);
            }
            Ok(())
        }
        .await;
        if let Err(e) = result {
            if let Some(task) = pending.take() {
                if let Ok((_, r, g)) = join(task).await {
                    refs.push(r);
                    guards.push(g);
                }
            }
            let ids: Vec<_> = refs.iter().map(|r| r.id).collect();
            self.release_uncommitted(&ids)?;
            return Err(e);
        }

        let mut hasher = hasher.unwrap_or_default();
        let rest: &[u8] = buf.as_ref().map_or(&[], ChunkBuf::as_slice);
        if allow_inline && refs.is_empty() && rest.len() <= self.cfg.inline_threshold {
            hasher.update(rest);
            return Ok(Ingested {
                digest: hasher
                    .finish()
                    .map_err(|e| ServiceError::Internal(e.to_string()))?,
                layout: DataLayout::Inline(rest.to_vec()),
                _guards: guards,
            });
        }
        if !rest.is_empty() || (refs.is_empty() && !allow_inline) {
            let data = buf.map_or_else(Bytes::new, ChunkBuf::freeze);
            let (h, r, g) = join(self.spawn_chunk(hasher, data)).await?;
            hasher = h;
            refs.push(r);
            guards.push(g);
        }
        let digest = match hasher.finish() {
            Ok(d) => d,
            Err(e) => {
                let ids: Vec<_> = refs.iter().map(|r| r.id).collect();
                self.release_uncommitted(&ids)?;
                return Err(ServiceError::Internal(e.to_string()));
            }
        };
        Ok(Ingested {
            digest,
            layout: DataLayout::Chunks(refs),
            _guards: guards,
        })
    }

    /// PUT Object: stores `body` as `bucket/key` with `meta`, verifying `content_md5` if given.
    /// The object becomes visible atomically once every byte is durable.
    pub async fn put_object<S, E>(
        self: &Arc<Self>,
        bucket: &str,
        key: &str,
        body: S,
        meta: ObjectMeta,
        opts: WriteOptions,
    ) -> ServiceResult<PutOutcome>
    where
        S: Stream<Item = Result<Bytes, E>> + Unpin + Send,
        E: Into<ServiceError>,
    {
        if self.get_bucket(bucket)?.is_none() {
            return Err(ServiceError::NoSuchBucket);
        }
        let ingested = self.ingest(body, true).await?;
        if let Some(want) = opts.content_md5 {
            if want != ingested.digest.md5 {
                let ids: Vec<_> = ingested.layout.chunks().iter().map(|c| c.id).collect();
                self.release_uncommitted(&ids)?;
                return Err(ServiceError::BadDigest);
            }
        }
        let mut record = meta.into_record(
            &ingested.digest,
            ingested.layout.clone(),
            self.clock.now_ms(),
        );
        record.checksum = opts.checksum.and_then(|s| s.get().cloned());
        let condition = opts.condition;
        let committed = if matches!(record.data, crate::meta::DataLayout::Inline(_)) {
            // A small object: the commit is two point reads and a log append, short enough
            // for the async thread; the durability wait parks no thread.
            let ticket = {
                let lock = self.lock_commits();
                self.check_condition(&condition, bucket, key)
                    .and_then(|()| self.commit_locked(&lock, bucket, key, Some(&record)))
                    .map(|_| lock.release())
            };
            match ticket {
                Ok(Some(t)) => self.durable(t).await,
                Ok(None) => Ok(()),
                Err(e) => Err(e),
            }
        } else {
            let store = Arc::clone(self);
            let (bucket, key, rec) = (bucket.to_string(), key.to_string(), record.clone());
            tokio::task::spawn_blocking(move || {
                let lock = store.lock_commits();
                store.check_condition(&condition, &bucket, &key)?;
                store
                    .commit_locked(&lock, &bucket, &key, Some(&rec))
                    .map(|_| ())
            })
            .await
            .map_err(|e| ServiceError::Internal(format!("commit task: {e}")))?
        };
        if let Err(e) = committed {
            let ids: Vec<_> = ingested.layout.chunks().iter().map(|c| c.id).collect();
            self.release_uncommitted(&ids)?;
            return Err(e);
        }
        drop(ingested);
        Ok(PutOutcome { record })
    }
}
