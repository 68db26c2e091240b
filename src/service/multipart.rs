//! Multipart uploads. Parts are stored as chunks and referenced (counted) by their part records;
//! completing concatenates the parts' chunk lists into the object record in one atomic batch, so
//! no part byte is copied, and parts left out are released.

use super::commit::{count, Appended, CommitGuard, Deltas};
use super::notify::Change;
use super::{
    ObjectMeta, ServiceError, ServiceResult, Store, WriteCondition, WriteOptions, Written,
};
use crate::auth::payload::BodyError;
use crate::bucket_config::notification::EventName;
use crate::checksum::{crc64_combine, BodyDigest, ChecksumAlgorithm, ChecksumType, FlexChecksum};
use crate::meta::{
    prefix_end, Batch, DataLayout, Direction, KeyCodec, PartRecord, SliceSession, UploadRecord,
};
use bytes::Bytes;
use futures_util::Stream;
use md5::{Digest, Md5};
use std::ops::Bound;
use std::sync::Arc;

/// COS: every part but the last must be at least 1 MiB.
pub const MIN_PART_SIZE: u64 = 1024 * 1024;
pub const MAX_PART_NUMBER: u32 = 10_000;
pub const MAX_PART_SIZE: u64 = 5 * 1024 * 1024 * 1024;

/// One `<Part>` of a CompleteMultipartUpload request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompletePart {
    pub number: u32,
    /// As sent (quotes optional).
    pub etag: String,
    /// `<ChecksumCRC32>` etc. as sent: must equal the part's stored checksum.
    pub checksum: Option<String>,
}

#[derive(Debug, Clone)]
pub struct UploadEntry {
    pub key: String,
    pub upload_id: String,
    pub record: UploadRecord,
}

#[derive(Debug, Clone, Default)]
pub struct UploadsPage {
    pub uploads: Vec<UploadEntry>,
    pub common_prefixes: Vec<String>,
    pub truncated: bool,
    pub next_key_marker: Option<String>,
    pub next_upload_id_marker: Option<String>,
}

fn valid_upload_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_hexdigit())
}

impl Store {
    /// Starts an upload; the id sorts by initiation time.
    pub async fn initiate_upload(
        self: &Arc<Self>,
        bucket: &str,
        key: &str,
        meta: ObjectMeta,
        initiator_uin: &str,
        checksum: Option<(ChecksumAlgorithm, Option<ChecksumType>)>,
    ) -> ServiceResult<String> {
        self.initiate(bucket, key, meta, initiator_uin, checksum, None)
            .await
    }

    pub(super) async fn initiate(
        self: &Arc<Self>,
        bucket: &str,
        key: &str,
        meta: ObjectMeta,
        initiator_uin: &str,
        checksum: Option<(ChecksumAlgorithm, Option<ChecksumType>)>,
        slice: Option<SliceSession>,
    ) -> ServiceResult<String> {
        let (bucket, key) = (bucket.to_string(), key.to_string());
        let initiator_uin = initiator_uin.to_string();
        self.commit("initiate upload", move |store, lock| {
            store.initiate_locked(lock, &bucket, &key, meta, initiator_uin, checksum, slice)
        })
        .await
    }

    #[allow(clippy::too_many_arguments)]
    fn initiate_locked(
        &self,
        lock: &CommitGuard<'_>,
        bucket: &str,
        key: &str,
        meta: ObjectMeta,
        initiator_uin: String,
        checksum: Option<(ChecksumAlgorithm, Option<ChecksumType>)>,
        slice: Option<SliceSession>,
    ) -> ServiceResult<String> {
        if !self.bucket_exists(bucket)? {
            return Err(ServiceError::NoSuchBucket);
        }
        let now = self.clock.now_ms();
        let upload_id = format!("{:013x}{:016x}", now.max(0), rand::random::<u64>());
        let empty = BodyDigest {
            md5: [0; 16],
            crc64: 0,
            len: 0,
        };
        let template = meta.into_record(&empty, DataLayout::Chunks(Vec::new()), now);
        let rec = UploadRecord {
            initiated_ms: now,
            initiator_uin,
            template,
            checksum_algorithm: checksum.map(|c| c.0),
            checksum_type: checksum.and_then(|c| c.1),
            slice,
        };
        let mut b = Batch::default();
        b.put(KeyCodec::upload(bucket, key, &upload_id), rec.encode());
        lock.write(b)?;
        Ok(upload_id)
    }

    pub fn get_upload(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
    ) -> ServiceResult<UploadRecord> {
        if !valid_upload_id(upload_id) {
            return Err(ServiceError::NoSuchUpload);
        }
        match self.kv.get(&KeyCodec::upload(bucket, key, upload_id))? {
            Some(v) => Ok(UploadRecord::decode(&v)?),
            None => Err(ServiceError::NoSuchUpload),
        }
    }

    /// Stores one part (replacing an earlier part with the same number).
    pub async fn upload_part<S, E>(
        self: &Arc<Self>,
        bucket: &str,
        key: &str,
        upload_id: &str,
        number: u32,
        body: S,
        opts: WriteOptions,
    ) -> ServiceResult<PartRecord>
    where
        S: Stream<Item = Result<Bytes, E>> + Unpin + Send,
        E: Into<ServiceError>,
    {
        self.get_upload(bucket, key, upload_id)?;
        let cipher = opts.sse.as_ref().map(|s| Arc::clone(&s.cipher));
        let ingested = self.ingest(body, false, cipher).await?;
        let ids: Vec<_> = ingested.layout.chunks().iter().map(|c| c.id).collect();
        if opts
            .content_md5
            .is_some_and(|want| want != ingested.digest.md5)
        {
            self.release_uncommitted(ids).await?;
            return Err(ServiceError::BadDigest);
        }
        let part = PartRecord {
            size: ingested.digest.len,
            etag: super::object::etag_of(opts.sse.as_ref(), ingested.digest.md5),
            crc64: ingested.digest.crc64,
            mtime_ms: self.clock.now_ms(),
            checksum: opts.checksum.and_then(|s| s.get().cloned()),
            chunks: ingested.layout.chunks().to_vec(),
        };
        let (bucket, key, id, rec) = (
            bucket.to_string(),
            key.to_string(),
            upload_id.to_string(),
            part.clone(),
        );
        let res = self
            .commit("part commit", move |store, lock| {
                store.commit_part(lock, &bucket, &key, &id, number, &rec)
            })
            .await;
        if let Err(e) = res {
            self.release_uncommitted(ids).await?;
            return Err(e);
        }
        drop(ingested);
        Ok(part)
    }

    fn commit_part(
        &self,
        lock: &CommitGuard<'_>,
        bucket: &str,
        key: &str,
        upload_id: &str,
        number: u32,
        part: &PartRecord,
    ) -> ServiceResult<()> {
        if self
            .kv
            .get(&KeyCodec::upload(bucket, key, upload_id))?
            .is_none()
        {
            return Err(ServiceError::NoSuchUpload);
        }
        let pkey = KeyCodec::part(upload_id, number);
        let mut deltas = Deltas::new();
        count(&mut deltas, &part.chunks, 1);
        if let Some(old) = self.kv.get(&pkey)? {
            count(&mut deltas, &PartRecord::decode(&old)?.chunks, -1);
        }
        let mut batch = Batch::default();
        batch.put(pkey, part.encode());
        self.apply_refcounts(&mut batch, &deltas)?;
        lock.write(batch)?;
        Ok(())
    }

    /// Every part of an upload, in part-number order.
    fn all_parts(&self, upload_id: &str) -> ServiceResult<Vec<(u32, PartRecord)>> {
        let (parts, _) = self.list_parts(upload_id, 0, usize::MAX)?;
        Ok(parts)
    }

    /// Parts after `marker`, at most `max`; returns whether more exist.
    pub fn list_parts(
        &self,
        upload_id: &str,
        marker: u32,
        max: usize,
    ) -> ServiceResult<(Vec<(u32, PartRecord)>, bool)> {
        let prefix = KeyCodec::part_prefix(upload_id);
        let start = KeyCodec::part(upload_id, marker);
        let end = prefix_end(&prefix);
        let mut out = Vec::new();
        let mut lo = start;
        loop {
            let rows = self.kv.scan(
                Bound::Excluded(&lo),
                end.as_deref().map_or(Bound::Unbounded, Bound::Excluded),
                Direction::Forward,
                1000,
            )?;
            let n = rows.len();
            for (k, v) in &rows {
                if out.len() == max {
                    return Ok((out, true));
                }
                let num = KeyCodec::decode_part_number(k).unwrap_or(0);
                out.push((num, PartRecord::decode(v)?));
            }
            if n < 1000 {
                return Ok((out, false));
            }
            lo = rows.last().map(|(k, _)| k.clone()).unwrap_or_default();
        }
    }

    /// Completes an upload: validates the part list and atomically replaces the object.
    pub async fn complete_upload(
        self: &Arc<Self>,
        bucket: &str,
        key: &str,
        upload_id: &str,
        parts: &[CompletePart],
        condition: &WriteCondition,
        expected: Option<&FlexChecksum>,
    ) -> ServiceResult<Written> {
        let (bucket, key, upload_id) = (bucket.to_string(), key.to_string(), upload_id.to_string());
        let (parts, condition) = (parts.to_vec(), condition.clone());
        let expected = expected.cloned();
        self.commit("complete upload", move |store, lock| {
            store.complete_locked(
                lock,
                &bucket,
                &key,
                &upload_id,
                &parts,
                &condition,
                expected.as_ref(),
            )
        })
        .await
    }

    #[allow(clippy::too_many_arguments)]
    fn complete_locked(
        &self,
        lock: &CommitGuard<'_>,
        bucket: &str,
        key: &str,
        upload_id: &str,
        parts: &[CompletePart],
        condition: &WriteCondition,
        expected: Option<&FlexChecksum>,
    ) -> ServiceResult<Written> {
        let upload = match self.get_upload(bucket, key, upload_id) {
            Err(ServiceError::NoSuchUpload) => {
                return self.completed_before(bucket, key, upload_id, parts)
            }
            other => other?,
        };
        if parts.is_empty() {
            return Err(ServiceError::MalformedXml(
                "You must specify at least one part".into(),
            ));
        }
        if parts.windows(2).any(|w| w[0].number >= w[1].number) {
            return Err(ServiceError::InvalidPartOrder);
        }
        let stored = self.all_parts(upload_id)?;
        let mut chosen = Vec::with_capacity(parts.len());
        for (i, p) in parts.iter().enumerate() {
            let rec = stored
                .iter()
                .find(|(n, _)| *n == p.number)
                .map(|(_, r)| r)
                .filter(|r| r.etag == p.etag.trim().trim_matches('"'))
                .filter(|r| match (&p.checksum, &r.checksum) {
                    (Some(sent), Some(stored)) => sent.trim() == stored.value,
                    (Some(_), None) => false,
                    (None, _) => true,
                })
                .ok_or_else(|| {
                    ServiceError::InvalidPart(format!(
                        "One or more of the specified parts could not be found or its ETag did not match (part {}).",
                        p.number
                    ))
                })?;
            // A JSON API slice session sets its own slice size (64 KiB and up).
            let min = upload
                .slice
                .as_ref()
                .map_or(MIN_PART_SIZE, |s| s.slice_size.min(MIN_PART_SIZE));
            if i + 1 < parts.len() && rec.size < min {
                return Err(ServiceError::EntityTooSmall(format!(
                    "Your proposed upload is smaller than the minimum allowed size: part {} is {} bytes, parts but the last must be at least 1 MiB.",
                    p.number, rec.size
                )));
            }
            chosen.push(rec);
        }
        let mut md5s = Md5::new();
        let mut crc = 0u64;
        let mut size = 0u64;
        let mut chunks = Vec::new();
        for (i, rec) in chosen.iter().enumerate() {
            let bin = hex::decode(&rec.etag)
                .map_err(|_| ServiceError::Internal("part etag is not hex".into()))?;
            md5s.update(&bin);
            crc = if i == 0 {
                rec.crc64
            } else {
                crc64_combine(crc, rec.crc64, rec.size)
            };
            size += rec.size;
            chunks.extend(rec.chunks.iter().cloned());
        }
        let mut object = upload.template.clone();
        object.size = size;
        object.etag = format!("{}-{}", hex::encode(md5s.finalize()), chosen.len());
        object.crc64 = crc;
        object.mtime_ms = self.clock.now_ms();
        object.data = DataLayout::Chunks(chunks);
        object.checksum = multipart_checksum(&upload, &chosen)?;
        object.upload_id = Some(upload_id.to_string());
        object.part_sizes = chosen.iter().map(|p| p.size).collect();
        if let Some(want) = expected {
            match &object.checksum {
                Some(got) if got.algorithm == want.algorithm => {
                    if got.value != want.value {
                        return Err(ServiceError::Body(BodyError::ChecksumMismatch(
                            want.algorithm.name(),
                        )));
                    }
                }
                _ => {
                    return Err(ServiceError::InvalidRequest(format!(
                        "The upload was not created with the {} checksum algorithm.",
                        want.algorithm.name()
                    )))
                }
            }
        }

        // One batch: the new version (+1 per chunk) staged as the bucket's versioning says,
        // every part record (-1), the upload.
        condition.check(self.load_object(bucket, key)?.as_ref())?;
        let brec = self
            .bucket_in_commit(bucket)?
            .ok_or(ServiceError::NoSuchBucket)?;
        let mut deltas = Deltas::new();
        let mut batch = Batch::default();
        for (n, rec) in &stored {
            count(&mut deltas, &rec.chunks, -1);
            batch.delete(KeyCodec::part(upload_id, *n));
        }
        batch.delete(KeyCodec::upload(bucket, key, upload_id));
        let staged = self.stage(&mut batch, &mut deltas, &brec, key, Some(&mut object))?;
        self.apply_refcounts(&mut batch, &deltas)?;
        let change = Change {
            event: EventName::CreatedMultipart,
            key,
            record: Some(&object),
            version_id: staged.version_id.clone(),
        };
        self.notify_change(lock, &mut batch, &brec, change)?;
        lock.write(batch)?;
        Ok(Written {
            record: object,
            version_id: staged.version_id,
        })
    }

    /// A CompleteMultipartUpload retried after it succeeded (the client missed the answer):
    /// S3 answers it again as long as the key's current version is the one that upload made
    /// from the same part list; otherwise the upload is gone (NoSuchUpload).
    fn completed_before(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
        parts: &[CompletePart],
    ) -> ServiceResult<Written> {
        let Some(rec) = self.load_object(bucket, key)? else {
            return Err(ServiceError::NoSuchUpload);
        };
        let mut md5s = Md5::new();
        for p in parts {
            let bin = hex::decode(p.etag.trim().trim_matches('"'))
                .map_err(|_| ServiceError::NoSuchUpload)?;
            md5s.update(&bin);
        }
        let etag = format!("{}-{}", hex::encode(md5s.finalize()), parts.len());
        if rec.upload_id.as_deref() != Some(upload_id) || rec.etag != etag {
            return Err(ServiceError::NoSuchUpload);
        }
        let versioned = self
            .bucket_in_commit(bucket)?
            .is_some_and(|b| b.versioning.is_some());
        Ok(Written {
            version_id: versioned.then(|| super::version::version_id(&rec)),
            record: rec,
        })
    }

    /// Aborts an upload, releasing its parts.
    pub async fn abort_upload(
        self: &Arc<Self>,
        bucket: &str,
        key: &str,
        upload_id: &str,
    ) -> ServiceResult<()> {
        let (bucket, key, upload_id) = (bucket.to_string(), key.to_string(), upload_id.to_string());
        self.commit("abort upload", move |store, lock| {
            store.get_upload(&bucket, &key, &upload_id)?;
            store.abort_locked(lock, &bucket, &key, &upload_id)
        })
        .await
    }

    pub(crate) fn abort_locked(
        &self,
        lock: &CommitGuard<'_>,
        bucket: &str,
        key: &str,
        upload_id: &str,
    ) -> ServiceResult<()> {
        let mut deltas = Deltas::new();
        let mut batch = Batch::default();
        for (n, rec) in self.all_parts(upload_id)? {
            count(&mut deltas, &rec.chunks, -1);
            batch.delete(KeyCodec::part(upload_id, n));
        }
        batch.delete(KeyCodec::upload(bucket, key, upload_id));
        self.apply_refcounts(&mut batch, &deltas)?;
        lock.write(batch)?;
        Ok(())
    }

    /// Lists uploads of `bucket` in (key, initiation) order after the markers.
    pub fn list_uploads(
        &self,
        bucket: &str,
        prefix: &str,
        delimiter: Option<&str>,
        key_marker: Option<&str>,
        upload_id_marker: Option<&str>,
        max: usize,
    ) -> ServiceResult<UploadsPage> {
        let mut page = UploadsPage::default();
        let base = KeyCodec::upload_prefix(bucket);
        let mut full_prefix = base.clone();
        full_prefix.extend_from_slice(prefix.as_bytes());
        let end = prefix_end(&full_prefix);
        let mut lo: (Vec<u8>, bool) = match (
            key_marker.filter(|k| !k.is_empty()),
            upload_id_marker.filter(|u| !u.is_empty()),
        ) {
            (Some(k), Some(u)) => (KeyCodec::upload(bucket, k, u), false),
            (Some(k), None) => {
                let mut after = base.clone();
                after.extend_from_slice(k.as_bytes());
                after.push(1);
                (after, true)
            }
            _ => (full_prefix.clone(), true),
        };
        if max == 0 {
            return Ok(page);
        }
        'scan: loop {
            let start = if lo.1 {
                Bound::Included(lo.0.as_slice())
            } else {
                Bound::Excluded(lo.0.as_slice())
            };
            let rows = self.kv.scan(
                start,
                end.as_deref().map_or(Bound::Unbounded, Bound::Excluded),
                Direction::Forward,
                1000,
            )?;
            let n = rows.len();
            for (k, v) in &rows {
                let Some((_, key, id)) = KeyCodec::decode_upload(k) else {
                    continue;
                };
                if let Some(d) = delimiter.filter(|d| !d.is_empty()) {
                    if let Some(pos) = key[prefix.len()..].find(d) {
                        let cp = &key[..prefix.len() + pos + d.len()];
                        if page.uploads.len() + page.common_prefixes.len() == max {
                            page.truncated = true;
                            break 'scan;
                        }
                        page.common_prefixes.push(cp.to_string());
                        page.next_key_marker = Some(cp.to_string());
                        let mut skip = base.clone();
                        skip.extend_from_slice(cp.as_bytes());
                        match prefix_end(&skip) {
                            Some(next) => lo = (next, true),
                            None => break 'scan,
                        }
                        continue 'scan;
                    }
                }
                if page.uploads.len() + page.common_prefixes.len() == max {
                    page.truncated = true;
                    break 'scan;
                }
                page.next_key_marker = Some(key.to_string());
                page.next_upload_id_marker = Some(id.to_string());
                page.uploads.push(UploadEntry {
                    key: key.to_string(),
                    upload_id: id.to_string(),
                    record: UploadRecord::decode(v)?,
                });
            }
            if n < 1000 {
                break;
            }
            lo = (
                rows.last().map(|(k, _)| k.clone()).unwrap_or_default(),
                false,
            );
        }
        if !page.truncated {
            page.next_key_marker = None;
            page.next_upload_id_marker = None;
        }
        Ok(page)
    }

    /// Aborts every upload initiated before `now - max_age_ms`. Returns how many.
    pub async fn abort_expired_uploads(self: &Arc<Self>, max_age_ms: i64) -> ServiceResult<usize> {
        self.blocking("abort expired uploads", move |store, appended| {
            store.abort_expired(appended, max_age_ms)
        })
        .await
    }

    fn abort_expired(&self, appended: &Appended, max_age_ms: i64) -> ServiceResult<usize> {
        let cutoff = self.clock.now_ms() - max_age_ms;
        let mut expired = Vec::new();
        crate::meta::scan_prefix(
            self.kv.as_ref(),
            &[crate::meta::Table::Upload as u8],
            1000,
            &mut |k, v| {
                if let (Some((b, key, id)), Ok(rec)) =
                    (KeyCodec::decode_upload(k), UploadRecord::decode(v))
                {
                    if rec.initiated_ms < cutoff {
                        expired.push((b.to_string(), key.to_string(), id.to_string()));
                    }
                }
                true
            },
        )?;
        let mut n = 0;
        for (b, key, id) in expired {
            let lock = self.lock_commits(appended);
            if self.kv.get(&KeyCodec::upload(&b, &key, &id))?.is_some() {
                self.abort_locked(&lock, &b, &key, &id)?;
                n += 1;
            }
        }
        Ok(n)
    }
}

/// The object checksum of a completed upload that declared a checksum algorithm: COMPOSITE
/// (checksum of the part checksums, `-<n>`) unless FULL_OBJECT was asked for or the algorithm
/// is CRC64NVME, whose multipart checksums S3 only forms as FULL_OBJECT (part CRCs combined).
fn multipart_checksum(
    upload: &UploadRecord,
    chosen: &[&PartRecord],
) -> ServiceResult<Option<FlexChecksum>> {
    let Some((algo, kind)) = upload.checksum_kind() else {
        return Ok(None);
    };
    let mut parts = Vec::with_capacity(chosen.len());
    for p in chosen {
        let raw = p
            .checksum
            .as_ref()
            .filter(|c| c.algorithm == algo)
            .and_then(|c| c.raw())
            .ok_or_else(|| {
                ServiceError::InvalidRequest(format!(
                    "A part of this upload has no {} checksum.",
                    algo.name()
                ))
            })?;
        parts.push((raw, p.size));
    }
    Ok(FlexChecksum::multipart(algo, kind, &parts))
}
