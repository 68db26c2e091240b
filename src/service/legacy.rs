//! What the JSON API needs of the store beyond the XML API's use cases: the single-use
//! signature replay table, directory queries over the object namespace, and slice sessions
//! (multipart uploads carrying a `SliceSession`).

use super::{ListParams, ObjectMeta, ServiceError, ServiceResult, Store};
use crate::meta::{
    scan_prefix, Batch, Direction, KeyCodec, OnceSignatureRecord, SliceSession, UploadRecord,
};
use std::ops::Bound;
use std::sync::Arc;

/// An unfinished slice upload of a path.
#[derive(Debug, Clone)]
pub struct SliceUpload {
    pub upload_id: String,
    pub record: UploadRecord,
    pub session: SliceSession,
}

impl Store {
    /// Records a single-use signature (signed at `time`, with `mac`) as used. Returns false if
    /// it was used before. The record is written (durably, as the store is configured) before
    /// the caller acts on the signature.
    pub async fn consume_once_signature(
        self: &Arc<Self>,
        time: i64,
        mac: &[u8; 20],
    ) -> ServiceResult<bool> {
        let key = KeyCodec::once_sign(time.max(0) as u64, mac);
        self.commit("once signature", move |store, lock| {
            if store.kv.get(&key)?.is_some() {
                return Ok(false);
            }
            let mut b = Batch::default();
            b.put(
                key,
                OnceSignatureRecord {
                    used_ms: store.clock.now_ms(),
                }
                .encode(),
            );
            lock.write(b)?;
            Ok(true)
        })
        .await
    }

    /// Forgets used single-use signatures signed before `time` (they are refused as too old).
    /// Returns how many.
    pub async fn forget_once_signatures_before(
        self: &Arc<Self>,
        time: i64,
    ) -> ServiceResult<usize> {
        self.blocking("forget once signatures", move |store, appended| {
            let start = KeyCodec::once_sign_from(0);
            let end = KeyCodec::once_sign_from(time.max(0) as u64);
            let mut n = 0;
            loop {
                let rows = store.kv.scan(
                    Bound::Included(&start),
                    Bound::Excluded(&end),
                    Direction::Forward,
                    1000,
                )?;
                if rows.is_empty() {
                    return Ok(n);
                }
                let mut b = Batch::default();
                for (k, _) in &rows {
                    b.delete(k.clone());
                }
                n += rows.len();
                store.append_unlocked(appended, b)?;
            }
        })
        .await
    }

    /// Whether the directory `dir` (a key ending in `/`, or "" for the root) exists: the root
    /// always does; otherwise its marker object or any object under it.
    pub fn dir_exists(&self, bucket: &str, dir: &str) -> ServiceResult<bool> {
        if dir.is_empty() {
            return Ok(true);
        }
        self.has_objects_under(bucket, dir, None)
    }

    /// Whether any object other than `except` has a key starting with `prefix`.
    pub fn has_objects_under(
        &self,
        bucket: &str,
        prefix: &str,
        except: Option<&str>,
    ) -> ServiceResult<bool> {
        let page = self.list_objects(
            bucket,
            &ListParams {
                prefix: prefix.to_string(),
                delimiter: None,
                marker: None,
                max_keys: 2,
            },
        )?;
        Ok(page.entries.iter().any(|e| Some(e.key.as_str()) != except))
    }

    /// Starts a slice upload of `key`.
    pub async fn initiate_slice_upload(
        self: &Arc<Self>,
        bucket: &str,
        key: &str,
        meta: ObjectMeta,
        initiator_uin: &str,
        session: SliceSession,
    ) -> ServiceResult<String> {
        self.initiate(bucket, key, meta, initiator_uin, None, Some(session))
            .await
    }

    /// Unfinished slice uploads of exactly `key`, newest first.
    pub fn slice_uploads(&self, bucket: &str, key: &str) -> ServiceResult<Vec<SliceUpload>> {
        let mut prefix = KeyCodec::upload_prefix(bucket);
        prefix.extend_from_slice(key.as_bytes());
        prefix.push(0);
        let mut out = Vec::new();
        scan_prefix(self.kv.as_ref(), &prefix, 1000, &mut |k, v| {
            if let (Some((_, _, id)), Ok(record)) =
                (KeyCodec::decode_upload(k), UploadRecord::decode(v))
            {
                if let Some(session) = record.slice.clone() {
                    out.push(SliceUpload {
                        upload_id: id.to_string(),
                        record,
                        session,
                    });
                }
            }
            true
        })?;
        out.reverse();
        Ok(out)
    }

    /// The slice session `upload_id` of `key`.
    pub fn slice_upload(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
    ) -> ServiceResult<SliceUpload> {
        let record = self.get_upload(bucket, key, upload_id)?;
        let session = record.slice.clone().ok_or(ServiceError::NoSuchUpload)?;
        Ok(SliceUpload {
            upload_id: upload_id.to_string(),
            record,
            session,
        })
    }
}
