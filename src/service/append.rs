//! Append Object: an appendable object grows by chunk-list concatenation; its CRC-64 is combined
//! from the old CRC and the appended bytes' CRC without re-reading the object.

use super::commit::Cause;
use super::{ObjectMeta, ServiceError, ServiceResult, Store, WriteOptions};
use crate::bucket_config::notification::EventName;
use crate::checksum::crc64_combine;
use crate::meta::{DataLayout, ObjectRecord};
use bytes::Bytes;
use futures_util::Stream;
use md5::{Digest, Md5};
use std::sync::Arc;

/// What an append reports.
pub struct AppendOutcome {
    pub record: ObjectRecord,
    /// MD5 of the appended bytes.
    pub appended_md5: [u8; 16],
}

fn check_position(existing: Option<&ObjectRecord>, position: u64) -> ServiceResult<()> {
    match existing {
        Some(o) if o.sse.is_some() => Err(ServiceError::NotImplemented(
            "Append Object to an encrypted object is not implemented.".into(),
        )),
        Some(o) if !o.appendable => Err(ServiceError::ObjectNotAppendable),
        Some(o) if o.size != position => Err(ServiceError::PositionNotEqualToLength(o.size)),
        None if position != 0 => Err(ServiceError::PositionNotEqualToLength(0)),
        _ => Ok(()),
    }
}

impl Store {
    pub async fn append_object<S, E>(
        self: &Arc<Self>,
        bucket: &str,
        key: &str,
        position: u64,
        body: S,
        meta: ObjectMeta,
        opts: WriteOptions,
    ) -> ServiceResult<AppendOutcome>
    where
        S: Stream<Item = Result<Bytes, E>> + Unpin + Send,
        E: Into<ServiceError>,
    {
        check_appendable_bucket(self, bucket)?;
        check_position(self.load_object(bucket, key)?.as_ref(), position)?;
        if opts.sse.is_some() {
            return Err(ServiceError::NotImplemented(
                "Append Object with server-side encryption is not implemented.".into(),
            ));
        }
        let ingested = self.ingest(body, false, None).await?;
        let ids: Vec<_> = ingested.layout.chunks().iter().map(|c| c.id).collect();
        let digest = ingested.digest;
        if digest.len == 0 {
            self.release_uncommitted(ids).await?;
            return Err(ServiceError::InvalidRequest(
                "An append must carry at least one byte.".into(),
            ));
        }
        if opts.content_md5.is_some_and(|m| m != digest.md5) {
            self.release_uncommitted(ids).await?;
            return Err(ServiceError::BadDigest);
        }
        let (bucket, key) = (bucket.to_string(), key.to_string());
        let new_chunks = ingested.layout.chunks().to_vec();
        let res = self
            .commit(
                "append",
                move |store, lock| -> ServiceResult<ObjectRecord> {
                    check_appendable_bucket(store, &bucket)?;
                    let old = store.load_object(&bucket, &key)?;
                    check_position(old.as_ref(), position)?;
                    let now = store.clock.now_ms();
                    let mut rec = match old {
                        Some(mut o) => {
                            o.crc64 = crc64_combine(o.crc64, digest.crc64, digest.len);
                            o.size += digest.len;
                            o.etag = hex::encode(
                                Md5::new()
                                    .chain_update(o.etag.as_bytes())
                                    .chain_update(digest.md5)
                                    .finalize(),
                            );
                            o.mtime_ms = now;
                            let mut chunks = o.data.chunks().to_vec();
                            chunks.extend(new_chunks);
                            o.data = DataLayout::Chunks(chunks);
                            o
                        }
                        None => {
                            let mut r =
                                meta.into_record(&digest, DataLayout::Chunks(new_chunks), now);
                            r.appendable = true;
                            r
                        }
                    };
                    store.commit_locked(
                        lock,
                        &bucket,
                        &key,
                        Some(&mut rec),
                        Cause::request(EventName::CreatedAppend),
                    )?;
                    Ok(rec)
                },
            )
            .await;
        match res {
            Ok(record) => {
                drop(ingested);
                Ok(AppendOutcome {
                    record,
                    appended_md5: digest.md5,
                })
            }
            Err(e) => {
                self.release_uncommitted(ids).await?;
                Err(e)
            }
        }
    }
}

/// Append Object needs an existing bucket whose versioning was never set: COS does not append
/// in versioned buckets (docs/versioning.md).
fn check_appendable_bucket(store: &Store, bucket: &str) -> ServiceResult<()> {
    match store.bucket_in_commit(bucket)? {
        None => Err(ServiceError::NoSuchBucket),
        Some(b) if b.versioning.is_some() => Err(ServiceError::InvalidBucketState(
            "Append Object is not supported in a bucket whose versioning has been set.".into(),
        )),
        Some(_) => Ok(()),
    }
}
