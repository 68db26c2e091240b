//! PUT Object: a body ingested (`ingest.rs`), then committed under its key.

use super::commit::Cause;
use super::{ObjectMeta, ServiceError, ServiceResult, Store, WriteOptions};
use crate::bucket_config::notification::EventName;
use crate::meta::ObjectRecord;
use bytes::Bytes;
use futures_util::Stream;
use std::sync::Arc;

/// What a successful PUT reports.
#[derive(Debug, Clone)]
pub struct PutOutcome {
    pub record: ObjectRecord,
    /// The new version's id, when the bucket's versioning is set.
    pub version_id: Option<String>,
}

impl Store {
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
        if !self.bucket_exists(bucket)? {
            return Err(ServiceError::NoSuchBucket);
        }
        let cipher = opts.sse.as_ref().map(|s| Arc::clone(&s.cipher));
        let ingested = self.ingest(body, true, cipher).await?;
        if let Some(want) = opts.content_md5 {
            if want != ingested.digest.md5 {
                let ids: Vec<_> = ingested.layout.chunks().iter().map(|c| c.id).collect();
                self.release_uncommitted(ids).await?;
                return Err(ServiceError::BadDigest);
            }
        }
        let mut record = meta.into_record(
            &ingested.digest,
            ingested.layout.clone(),
            self.clock.now_ms(),
        );
        record.checksum = opts.checksum.and_then(|s| s.get().cloned());
        record.etag = super::object::etag_of(opts.sse.as_ref(), ingested.digest.md5);
        record.sse = opts.sse.map(|s| s.record);
        let condition = opts.condition;
        let cause = Cause::request(opts.event.unwrap_or(EventName::CreatedPut));
        let committed = if matches!(record.data, crate::meta::DataLayout::Inline(_)) {
            // A small object: the commit is two point reads and a log append, short enough
            // for the calling task (`Store::commit_here`).
            let rec = &mut record;
            self.commit_here(|store, lock| {
                store.check_condition(&condition, bucket, key)?;
                store.commit_locked(lock, bucket, key, Some(rec), cause)
            })
            .await
        } else {
            let (bucket, key, mut rec) = (bucket.to_string(), key.to_string(), record.clone());
            self.commit("commit", move |store, lock| {
                store.check_condition(&condition, &bucket, &key)?;
                let staged = store.commit_locked(lock, &bucket, &key, Some(&mut rec), cause)?;
                Ok((staged, rec))
            })
            .await
            .map(|(staged, rec)| {
                record = rec;
                staged
            })
        };
        let staged = match committed {
            Ok(staged) => staged,
            Err(e) => {
                let ids: Vec<_> = ingested.layout.chunks().iter().map(|c| c.id).collect();
                self.release_uncommitted(ids).await?;
                return Err(e);
            }
        };
        drop(ingested);
        Ok(PutOutcome {
            record,
            version_id: staged.version_id,
        })
    }
}
