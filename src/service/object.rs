//! Object use cases other than the streaming write: head, delete, copy.

use super::commit::Cause;
use super::{ServiceError, ServiceResult, Staged, Store, VersionRef};
use crate::bucket_config::notification::EventName;
use crate::bucket_config::object_lock::Retention;
use crate::checksum::{BodyDigest, ChecksumSlot};
use crate::meta::{DataLayout, ObjectRecord};
use crate::policy::acl::Grant;
use crate::types::{CannedAcl, StorageClass};
use std::sync::Arc;

/// Metadata given with an upload (or with a copy that replaces metadata).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ObjectMeta {
    pub content_type: Option<String>,
    pub cache_control: Option<String>,
    pub content_disposition: Option<String>,
    pub content_encoding: Option<String>,
    pub content_language: Option<String>,
    pub expires: Option<String>,
    /// (lower-cased suffix after `x-cos-meta-`, value)
    pub meta: Vec<(String, String)>,
    pub storage_class: Option<StorageClass>,
    pub acl: Option<CannedAcl>,
    /// `x-cos-grant-*` grants.
    pub grants: Vec<Grant>,
    /// JSON API `biz_attr`.
    pub biz_attr: Option<String>,
    /// SHA-1 (hex) of the content, when the writer computed it.
    pub sha1: Option<String>,
    /// Object lock retention asked for (else the bucket's default applies).
    pub retention: Option<Retention>,
    /// Object lock legal hold asked for (ON/OFF), if any.
    pub legal_hold: Option<bool>,
    /// Server-side encryption (a multipart upload's, kept on its template).
    pub sse: Option<crate::crypto::SseRecord>,
    /// Object tags (`x-cos-tagging`), checked by the caller.
    pub tags: Vec<(String, String)>,
}

/// Checks on an upload besides the body itself.
#[derive(Debug, Clone, Default)]
pub struct WriteOptions {
    /// `Content-MD5`, verified against the body.
    pub content_md5: Option<[u8; 16]>,
    /// Filled with the verified flexible checksum by the body verifier; stored on the record.
    pub checksum: Option<ChecksumSlot>,
    /// Conditions on the object being replaced.
    pub condition: WriteCondition,
    /// Server-side encryption of what is written.
    pub sse: Option<SseWrite>,
    /// The notification event the write is (None: `ObjectCreated:Put`).
    pub event: Option<crate::bucket_config::notification::EventName>,
}

/// How a write is encrypted: the record to store and the cipher of its data key.
#[derive(Debug, Clone)]
pub struct SseWrite {
    pub record: crate::crypto::SseRecord,
    pub cipher: Arc<crate::crypto::ObjectCipher>,
}

impl SseWrite {
    /// The ETag of a body of digest `md5` written so: the MD5 itself, except for SSE-C, whose
    /// ETag is that MD5 enciphered with the data key (docs/encryption.md).
    pub fn etag(&self, md5: [u8; 16]) -> String {
        match self.record.kind {
            crate::crypto::SseKind::Customer => hex::encode(self.cipher.seal_etag(md5)),
            _ => hex::encode(md5),
        }
    }
}

/// The ETag of a body written with `sse` (or without).
pub(crate) fn etag_of(sse: Option<&SseWrite>, md5: [u8; 16]) -> String {
    sse.map_or_else(|| hex::encode(md5), |s| s.etag(md5))
}

/// Conditional-write rules, evaluated under the commit lock so they hold at commit time.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WriteCondition {
    /// `If-None-Match: *`: only create.
    pub if_none_match_any: bool,
    /// `If-None-Match: "<etag>"`: not over an object with that ETag.
    pub if_none_match: Option<String>,
    /// `If-Match: "<etag>"` (or `*`): only replace that object.
    pub if_match: Option<String>,
    /// `x-cos-forbid-overwrite: true`: only create (409 instead of 412).
    pub forbid_overwrite: bool,
}

impl WriteCondition {
    /// True when no rule is set: any current object (or none) passes.
    pub fn is_unconditional(&self) -> bool {
        !self.forbid_overwrite
            && !self.if_none_match_any
            && self.if_none_match.is_none()
            && self.if_match.is_none()
    }

    pub fn check(&self, current: Option<&ObjectRecord>) -> ServiceResult<()> {
        if self.forbid_overwrite && current.is_some() {
            return Err(ServiceError::ObjectExists);
        }
        if self.if_none_match_any && current.is_some() {
            return Err(ServiceError::PreconditionFailed);
        }
        if let (Some(not), Some(r)) = (&self.if_none_match, current) {
            if not.trim().trim_matches('"') == r.etag {
                return Err(ServiceError::PreconditionFailed);
            }
        }
        if let Some(want) = &self.if_match {
            let want = want.trim().trim_matches('"');
            match current {
                None => return Err(ServiceError::NoSuchKey),
                Some(r) if want != "*" && want != r.etag => {
                    return Err(ServiceError::PreconditionFailed)
                }
                Some(_) => {}
            }
        }
        Ok(())
    }
}

impl ObjectMeta {
    pub(crate) fn into_record(
        self,
        digest: &BodyDigest,
        data: DataLayout,
        now_ms: i64,
    ) -> ObjectRecord {
        ObjectRecord {
            size: digest.len,
            etag: hex::encode(digest.md5),
            crc64: digest.crc64,
            mtime_ms: now_ms,
            content_type: self.content_type,
            cache_control: self.cache_control,
            content_disposition: self.content_disposition,
            content_encoding: self.content_encoding,
            content_language: self.content_language,
            expires: self.expires,
            meta: self.meta,
            storage_class: self
                .storage_class
                .unwrap_or(StorageClass::Standard)
                .as_str()
                .to_string(),
            acl: self.acl,
            grants: self.grants,
            appendable: false,
            checksum: None,
            biz_attr: self.biz_attr,
            sha1: self.sha1,
            ctime_ms: None,
            version: None,
            delete_marker: false,
            retention: self.retention,
            legal_hold: self.legal_hold,
            sse: self.sse,
            tags: self.tags,
            upload_id: None,
            part_sizes: Vec::new(),
            restore: None,
            data,
        }
    }

    fn apply_to(self, rec: &mut ObjectRecord) {
        rec.content_type = self.content_type;
        rec.cache_control = self.cache_control;
        rec.content_disposition = self.content_disposition;
        rec.content_encoding = self.content_encoding;
        rec.content_language = self.content_language;
        rec.expires = self.expires;
        rec.meta = self.meta;
    }
}

/// `x-cos-metadata-directive`.
#[derive(Debug, Clone, PartialEq)]
pub enum MetadataDirective {
    Copy,
    Replaced(Box<ObjectMeta>),
}

pub struct CopyParams<'a> {
    pub src_bucket: &'a str,
    pub src_key: &'a str,
    /// The source version (`?versionId=` of the copy source); None: the current object.
    pub src_version: Option<VersionRef>,
    pub dst_bucket: &'a str,
    pub dst_key: &'a str,
    pub directive: MetadataDirective,
    pub storage_class: Option<StorageClass>,
    pub acl: Option<CannedAcl>,
    pub grants: Vec<Grant>,
    /// Conditions on the destination (`x-cos-forbid-overwrite`).
    pub condition: WriteCondition,
    /// Object lock of the new version (else the bucket's default applies).
    pub retention: Option<Retention>,
    pub legal_hold: Option<bool>,
    /// Server-side encryption of the copy when the source's data key is kept (its chunks are
    /// shared) and wrapped anew: given the source record, the new record's encryption and
    /// ETag. None: the source's encryption (none) is kept as it is.
    pub reseal: Option<Reseal>,
    /// The new object's tags (`x-cos-tagging-directive: Replaced`); None: the source's.
    pub tags: Option<Vec<(String, String)>>,
}

/// See [`CopyParams::reseal`].
pub type Reseal = Arc<
    dyn Fn(&ObjectRecord) -> ServiceResult<(Option<crate::crypto::SseRecord>, String)>
        + Send
        + Sync,
>;

/// How often a copy re-reads and re-checks a source that changed between its check and its
/// commit before it gives up with [`SourceChanged`].
pub const COPY_ATTEMPTS: usize = 8;

/// The copy source changed between the caller's check and the commit, [`COPY_ATTEMPTS`] times
/// in a row: a transient conflict, for the caller to answer as "retry" (503).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SourceChanged;

/// For callers without a "retry" answer of their own (the HTTP APIs have one: 503).
impl From<SourceChanged> for ServiceError {
    fn from(_: SourceChanged) -> Self {
        ServiceError::Internal(format!(
            "the copy source changed {COPY_ATTEMPTS} times while it was being copied"
        ))
    }
}

/// What a copy or a multipart completion wrote.
#[derive(Debug, Clone)]
pub struct Written {
    pub record: ObjectRecord,
    /// The new version's id, when the destination bucket's versioning is set.
    pub version_id: Option<String>,
}

/// A copy's parameters, owned, for the commit on the blocking pool.
struct CopyJob {
    src_bucket: String,
    src_key: String,
    src_version: Option<VersionRef>,
    dst_bucket: String,
    dst_key: String,
    directive: MetadataDirective,
    storage_class: Option<StorageClass>,
    acl: Option<CannedAcl>,
    grants: Vec<Grant>,
    condition: WriteCondition,
    retention: Option<Retention>,
    legal_hold: Option<bool>,
    reseal: Option<Reseal>,
    tags: Option<Vec<(String, String)>>,
}

impl Store {
    pub fn head_object(&self, bucket: &str, key: &str) -> ServiceResult<ObjectRecord> {
        self.load_object(bucket, key)?
            .ok_or(ServiceError::NoSuchKey)
    }

    /// Deletes `bucket/key` without a version id: in an unversioned bucket the object goes
    /// (its chunks are queued for collection once nothing references them); in a versioned one
    /// a delete marker becomes the latest version (also when the key has no object).
    pub async fn delete_object(self: &Arc<Self>, bucket: &str, key: &str) -> ServiceResult<Staged> {
        let (bucket, key) = (bucket.to_string(), key.to_string());
        self.commit("delete", move |store, lock| {
            store.commit_locked(lock, &bucket, &key, None, Cause::DELETE)
        })
        .await
    }

    /// Replaces the ACL of an object version (PUT Object acl); the data and other metadata
    /// stay as they are.
    pub async fn set_object_acl(
        self: &Arc<Self>,
        bucket: &str,
        key: &str,
        which: Option<VersionRef>,
        acl: Option<CannedAcl>,
        grants: Vec<Grant>,
    ) -> ServiceResult<ObjectRecord> {
        self.modify_version(bucket, key, which, move |rec, _| {
            rec.acl = acl;
            rec.grants = grants;
            Ok(())
        })
        .await
    }

    /// Changes the current object's metadata in place (its data and chunk references stay);
    /// returns the new record.
    pub async fn modify_object(
        self: &Arc<Self>,
        bucket: &str,
        key: &str,
        change: impl FnOnce(&mut ObjectRecord) + Send + 'static,
    ) -> ServiceResult<ObjectRecord> {
        self.modify_version(bucket, key, None, move |rec, _| {
            change(rec);
            Ok(())
        })
        .await
    }

    /// Renames `src` to `dst` in one atomic batch (the chunks move with the record); `dst`
    /// must pass `condition`.
    pub async fn move_object(
        self: &Arc<Self>,
        bucket: &str,
        src: &str,
        dst: &str,
        condition: &WriteCondition,
    ) -> ServiceResult<ObjectRecord> {
        let (bucket, src, dst) = (bucket.to_string(), src.to_string(), dst.to_string());
        let condition = condition.clone();
        self.commit("move", move |store, lock| {
            let rec = store
                .load_object(&bucket, &src)?
                .ok_or(ServiceError::NoSuchKey)?;
            if src == dst {
                return Ok(rec);
            }
            store.check_condition(&condition, &bucket, &dst)?;
            let mut moved = rec.clone();
            store.commit_many_locked(
                lock,
                &bucket,
                vec![(&dst, Some(&mut moved)), (&src, None)],
                Cause::request(EventName::CreatedCopy),
            )?;
            Ok(moved)
        })
        .await
    }

    /// PUT Object - Copy. The new object shares the source's chunks (no bytes are copied).
    ///
    /// `check` is the caller's authorization and copy-source preconditions. It runs outside
    /// the commit lock, on the source as read then (`None`: it does not exist; after `check`
    /// passes, that is `NoSuchKey`). The commit then re-reads the source under the lock and
    /// copies it only if it is still exactly the record `check` passed (data, ETag, ACL and
    /// all), so a destination never pairs a check with content it did not see. If the source
    /// changed in between, the whole read and check run again, at most [`COPY_ATTEMPTS`]
    /// times, then the copy fails with [`SourceChanged`].
    pub async fn copy_object<E, F>(
        self: &Arc<Self>,
        p: CopyParams<'_>,
        mut check: F,
    ) -> Result<Written, E>
    where
        E: From<ServiceError> + From<SourceChanged>,
        F: FnMut(Option<&ObjectRecord>) -> Result<(), E>,
    {
        let job = Arc::new(CopyJob {
            src_bucket: p.src_bucket.to_string(),
            src_key: p.src_key.to_string(),
            src_version: p.src_version,
            dst_bucket: p.dst_bucket.to_string(),
            dst_key: p.dst_key.to_string(),
            directive: p.directive,
            storage_class: p.storage_class,
            acl: p.acl,
            grants: p.grants,
            condition: p.condition,
            retention: p.retention,
            legal_hold: p.legal_hold,
            reseal: p.reseal,
            tags: p.tags,
        });
        for _ in 0..COPY_ATTEMPTS {
            if !self.bucket_exists(&job.src_bucket)? {
                return Err(ServiceError::NoSuchBucket.into());
            }
            let src = self.copy_source(&job)?;
            check(src.as_ref())?;
            let src = src.ok_or(ServiceError::NoSuchKey)?;
            let job = Arc::clone(&job);
            let attempt = self
                .commit("copy", move |store, lock| {
                    store.copy_locked(lock, &job, src)
                })
                .await?;
            if let Some(rec) = attempt {
                return Ok(rec);
            }
        }
        Err(SourceChanged.into())
    }

    /// Commits a copy of `checked` if it is still the source (None: it changed).
    fn copy_locked(
        &self,
        lock: &super::commit::CommitGuard<'_>,
        p: &CopyJob,
        checked: ObjectRecord,
    ) -> ServiceResult<Option<Written>> {
        if !self.bucket_exists(&p.src_bucket)? {
            return Err(ServiceError::NoSuchBucket);
        }
        match self.copy_source(p)? {
            Some(now) if now == checked => {}
            _ => return Ok(None),
        }
        // Copying an older version over its key restores it, which is a change.
        let same =
            p.src_bucket == p.dst_bucket && p.src_key == p.dst_key && p.src_version.is_none();
        if same
            && p.directive == MetadataDirective::Copy
            && p.storage_class.is_none()
            && p.reseal.is_none()
        {
            return Err(ServiceError::InvalidRequest(
                "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class or encryption attributes.".into(),
            ));
        }
        let mut rec = checked;
        if let Some(reseal) = &p.reseal {
            (rec.sse, rec.etag) = reseal(&rec)?;
        }
        rec.mtime_ms = self.clock.now_ms();
        if let MetadataDirective::Replaced(meta) = &p.directive {
            (**meta).clone().apply_to(&mut rec);
        }
        if let Some(sc) = p.storage_class {
            rec.storage_class = sc.as_str().to_string();
        }
        // A copy is a new object: a restored copy of an archived source does not come along.
        rec.restore = None;
        rec.acl = p.acl;
        rec.grants = p.grants.clone();
        // A copy is a new version: it takes its retention from the request or the bucket.
        rec.retention = p.retention;
        rec.legal_hold = p.legal_hold;
        if let Some(tags) = &p.tags {
            rec.tags = tags.clone();
        }
        rec.version = None;
        rec.upload_id = None;
        self.check_condition(&p.condition, &p.dst_bucket, &p.dst_key)?;
        let staged = self.commit_locked(
            lock,
            &p.dst_bucket,
            &p.dst_key,
            Some(&mut rec),
            Cause::request(EventName::CreatedCopy),
        )?;
        Ok(Some(Written {
            record: rec,
            version_id: staged.version_id,
        }))
    }

    /// The copy source as it is now: the current object, or the version named (which may be
    /// a delete marker: the caller's check refuses it after authorization).
    fn copy_source(&self, p: &CopyJob) -> ServiceResult<Option<ObjectRecord>> {
        match p.src_version {
            None => self.load_object(&p.src_bucket, &p.src_key),
            Some(v) => Ok(self
                .find_version(&p.src_bucket, &p.src_key, v)?
                .map(|(_, rec)| rec)),
        }
    }
}
