//! Object versions (docs/versioning.md): version ids, and the one place a write or a delete
//! decides what happens to the key's versions. The latest version of a key (an object or a
//! delete marker) is its `O` record; older ones are `V` records, newest first.

use super::commit::{count, Cause, CommitGuard, Deltas};
use super::notify::Change;
use super::{ServiceError, ServiceResult, Store};
use crate::bucket_config::notification::EventName;
use crate::bucket_config::object_lock::{protection, Protection};
use crate::bucket_config::versioning::VersioningStatus;
use crate::meta::{prefix_end, Batch, BucketRecord, DataLayout, Direction, KeyCodec};
use crate::meta::{ObjectRecord, VersionTag};
use base64::Engine;
use std::ops::Bound;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// A version as a request names it (`versionId`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VersionRef {
    /// `null`: the version written while the bucket was unversioned or Suspended.
    Null,
    /// A version written while the bucket was Enabled.
    Stamp(u64),
}

/// A `versionId` that cosd could not have made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvalidVersionId;

impl VersionRef {
    /// `""` is the latest version (None), as the seed defines (002:2295).
    pub fn parse(id: &str) -> Result<Option<VersionRef>, InvalidVersionId> {
        match id {
            "" => Ok(None),
            "null" => Ok(Some(VersionRef::Null)),
            _ => {
                let digits = base64::engine::general_purpose::STANDARD_NO_PAD
                    .decode(id.trim_end_matches('='))
                    .map_err(|_| InvalidVersionId)?;
                let text = std::str::from_utf8(&digits).map_err(|_| InvalidVersionId)?;
                if text.len() != 20 || !text.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(InvalidVersionId);
                }
                let inv: u64 = text.parse().map_err(|_| InvalidVersionId)?;
                Ok(Some(VersionRef::Stamp(u64::MAX - inv)))
            }
        }
    }

    /// Whether `rec` is the version this names.
    pub fn matches(self, rec: &ObjectRecord) -> bool {
        match self {
            VersionRef::Null => rec.is_null_version(),
            VersionRef::Stamp(s) => !rec.is_null_version() && rec.stamp() == s,
        }
    }
}

/// The id of a stamped version: COS's form, base64 of the 20-digit `u64::MAX - stamp`.
pub fn encode_version_id(stamp: u64) -> String {
    base64::engine::general_purpose::STANDARD_NO_PAD.encode(format!("{:020}", u64::MAX - stamp))
}

/// The `versionId` of a version.
pub fn version_id(rec: &ObjectRecord) -> String {
    if rec.is_null_version() {
        "null".to_string()
    } else {
        encode_version_id(rec.stamp())
    }
}

/// A delete marker with `tag`, made at `now_ms`.
fn marker(tag: VersionTag, now_ms: i64) -> ObjectRecord {
    ObjectRecord {
        size: 0,
        etag: String::new(),
        crc64: 0,
        mtime_ms: now_ms,
        content_type: None,
        cache_control: None,
        content_disposition: None,
        content_encoding: None,
        content_language: None,
        expires: None,
        meta: Vec::new(),
        storage_class: "STANDARD".into(),
        acl: None,
        grants: Vec::new(),
        appendable: false,
        checksum: None,
        biz_attr: None,
        sha1: None,
        ctime_ms: None,
        version: Some(tag),
        delete_marker: true,
        retention: None,
        legal_hold: None,
        sse: None,
        tags: Vec::new(),
        upload_id: None,
        part_sizes: Vec::new(),
        restore: None,
        data: DataLayout::Inline(Vec::new()),
    }
}

/// Issues version stamps: the time in ms shifted left 20 bits, plus a counter within one ms,
/// never repeating within a process.
#[derive(Default)]
pub(crate) struct Stamps(AtomicU64);

impl Stamps {
    /// A stamp after every one issued before and after `after` (the key's latest version).
    fn next(&self, now_ms: i64, after: Option<u64>) -> u64 {
        let floor = (now_ms.max(0) as u64) << 20;
        let min = after.map_or(0, |a| a.saturating_add(1));
        let mut issued = 0;
        let _ = self
            .0
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |last| {
                issued = floor.max(last.saturating_add(1)).max(min);
                Some(issued)
            });
        issued
    }
}

/// What a write or a delete did to the key's versions (for the answer's headers).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Staged {
    /// The latest version before, if it was an object (not a marker).
    pub old: Option<ObjectRecord>,
    /// The id of the version written, when the bucket's versioning is set.
    pub version_id: Option<String>,
    /// A delete marker was written.
    pub marker: bool,
}

/// What a delete of one version removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemovedVersion {
    pub version_id: String,
    pub marker: bool,
}

/// Permission to remove or shorten GOVERNANCE retention: only the authorizer makes one, after
/// checking `BypassGovernanceRetention` (`api::authz::governance_bypass`).
#[derive(Debug, Clone, Copy)]
pub struct GovernanceBypass(());

impl GovernanceBypass {
    pub(crate) fn granted() -> GovernanceBypass {
        GovernanceBypass(())
    }
}

/// Refuses the removal of a version that object lock protects at `now_ms`.
pub(crate) fn check_removable(
    rec: &ObjectRecord,
    now_ms: i64,
    bypass: Option<GovernanceBypass>,
) -> ServiceResult<()> {
    match protection(rec.retention.as_ref(), rec.legal_hold == Some(true), now_ms) {
        Protection::None => Ok(()),
        Protection::Governance if bypass.is_some() => Ok(()),
        _ => Err(ServiceError::ObjectLocked(
            "Access Denied because object protected by object lock.".into(),
        )),
    }
}

impl Store {
    /// The latest version of `bucket/key`, a delete marker included.
    pub(crate) fn load_latest(
        &self,
        bucket: &str,
        key: &str,
    ) -> ServiceResult<Option<ObjectRecord>> {
        match self.kv.get(&KeyCodec::object(bucket, key))? {
            Some(v) => Ok(Some(ObjectRecord::decode(&v)?)),
            None => Ok(None),
        }
    }

    /// The newest noncurrent version of a key (the one a removed latest hands over to).
    fn newest_noncurrent(
        &self,
        bucket: &str,
        key: &str,
    ) -> ServiceResult<Option<(u64, ObjectRecord)>> {
        let prefix = KeyCodec::version_prefix(bucket, key, false);
        let end = prefix_end(&prefix);
        let rows = self.kv.scan(
            Bound::Included(&prefix),
            end.as_deref().map_or(Bound::Unbounded, Bound::Excluded),
            Direction::Forward,
            1,
        )?;
        match rows.first() {
            Some((k, v)) => {
                let stamp = KeyCodec::decode_version(k).map_or(0, |(_, _, s)| s);
                Ok(Some((stamp, ObjectRecord::decode(v)?)))
            }
            None => Ok(None),
        }
    }

    /// Visits a key's noncurrent versions newest first, with their stamps, while `visit`
    /// says go on. A record that does not decode ends the walk with its error.
    pub(crate) fn for_each_noncurrent(
        &self,
        bucket: &str,
        key: &str,
        visit: &mut dyn FnMut(u64, ObjectRecord) -> bool,
    ) -> ServiceResult<()> {
        let prefix = KeyCodec::version_prefix(bucket, key, false);
        let mut err = None;
        crate::meta::scan_prefix(self.kv.as_ref(), &prefix, 256, &mut |k, v| {
            match ObjectRecord::decode(v) {
                Ok(rec) => visit(KeyCodec::decode_version(k).map_or(0, |(_, _, s)| s), rec),
                Err(e) => {
                    err = Some(e);
                    false
                }
            }
        })?;
        match err {
            Some(e) => Err(e.into()),
            None => Ok(()),
        }
    }

    /// The noncurrent `null` version of a key, if any: a scan of the key's versions (a key
    /// has at most one `null` version, which only a Suspended bucket's writes look for).
    fn noncurrent_null(
        &self,
        bucket: &str,
        key: &str,
    ) -> ServiceResult<Option<(u64, ObjectRecord)>> {
        let mut found = None;
        self.for_each_noncurrent(bucket, key, &mut |stamp, rec| {
            if rec.is_null_version() {
                found = Some((stamp, rec));
                return false;
            }
            true
        })?;
        Ok(found)
    }

    /// Finds one version: `(Some(stamp), rec)` for a noncurrent one, `(None, rec)` for the latest.
    pub(crate) fn find_version(
        &self,
        bucket: &str,
        key: &str,
        which: VersionRef,
    ) -> ServiceResult<Option<(Option<u64>, ObjectRecord)>> {
        if let Some(latest) = self.load_latest(bucket, key)? {
            if which.matches(&latest) {
                return Ok(Some((None, latest)));
            }
        }
        let found = match which {
            VersionRef::Null => self.noncurrent_null(bucket, key)?,
            VersionRef::Stamp(s) => match self.kv.get(&KeyCodec::version(bucket, key, s))? {
                Some(v) => {
                    let rec = ObjectRecord::decode(&v)?;
                    which.matches(&rec).then_some((s, rec))
                }
                None => None,
            },
        };
        Ok(found.map(|(s, rec)| (Some(s), rec)))
    }

    /// The latest version of a key, a delete marker included; `NoSuchKey` if it has none.
    pub fn latest_version(&self, bucket: &str, key: &str) -> ServiceResult<ObjectRecord> {
        self.load_latest(bucket, key)?
            .ok_or(ServiceError::NoSuchKey)
    }

    /// One version of an object, a delete marker included (the caller refuses markers as it
    /// must); `NoSuchVersion` if there is none.
    pub fn load_version(
        &self,
        bucket: &str,
        key: &str,
        which: VersionRef,
    ) -> ServiceResult<ObjectRecord> {
        self.find_version(bucket, key, which)?
            .map(|(_, rec)| rec)
            .ok_or(ServiceError::NoSuchVersion)
    }

    /// Stages a write (`Some`) or a delete without a version id (`None`) of `bucket/key` into
    /// `batch`, as the bucket's versioning decides (docs/versioning.md): unversioned, the
    /// record is replaced; Enabled, the new record or a delete marker becomes the latest and
    /// the previous latest is kept; Suspended, likewise with the `null` version replaced.
    /// `new` receives its version tag (and the bucket's default retention). Commit lock held.
    pub(crate) fn stage(
        &self,
        batch: &mut Batch,
        deltas: &mut Deltas,
        bucket: &BucketRecord,
        key: &str,
        new: Option<&mut ObjectRecord>,
    ) -> ServiceResult<Staged> {
        let okey = KeyCodec::object(&bucket.name, key);
        let prev = self.load_latest(&bucket.name, key)?;
        let old = prev.clone().filter(|p| !p.delete_marker);
        let Some(status) = bucket.versioning else {
            if let Some(p) = &prev {
                count(deltas, p.data.chunks(), -1);
            }
            match new {
                Some(n) => {
                    n.version = None;
                    count(deltas, n.data.chunks(), 1);
                    batch.put(okey, n.encode());
                }
                None if prev.is_some() => batch.delete(okey),
                None => {}
            }
            return Ok(Staged {
                old,
                version_id: None,
                marker: false,
            });
        };
        let now = self.clock.now_ms();
        let null = status == VersioningStatus::Suspended;
        let tag = VersionTag {
            stamp: self
                .stamps
                .next(now, prev.as_ref().map(ObjectRecord::stamp)),
            null,
        };
        let rec = match new {
            Some(n) => {
                n.version = Some(tag);
                if n.retention.is_none() {
                    if let Some(d) = bucket.object_lock.as_ref().and_then(|l| l.default) {
                        n.retention = Some(d.from(now));
                    }
                }
                n.clone()
            }
            None => marker(tag, now),
        };
        count(deltas, rec.data.chunks(), 1);
        let mut replaced_null = false;
        if let Some(p) = &prev {
            if null && p.is_null_version() {
                count(deltas, p.data.chunks(), -1);
                replaced_null = true;
            } else {
                batch.put(KeyCodec::version(&bucket.name, key, p.stamp()), p.encode());
            }
        }
        if null && !replaced_null {
            if let Some((stamp, n)) = self.noncurrent_null(&bucket.name, key)? {
                count(deltas, n.data.chunks(), -1);
                batch.delete(KeyCodec::version(&bucket.name, key, stamp));
            }
        }
        batch.put(okey, rec.encode());
        Ok(Staged {
            old,
            version_id: Some(version_id(&rec)),
            marker: rec.delete_marker,
        })
    }

    /// DELETE Object with a `versionId`: removes that version (or marker) for good; if it
    /// was the latest, the newest noncurrent version becomes the latest. `Ok(None)` when there
    /// is no such version. A version object lock protects is refused (`ObjectLocked`).
    pub async fn delete_version(
        self: &Arc<Self>,
        bucket: &str,
        key: &str,
        which: VersionRef,
        bypass: Option<GovernanceBypass>,
    ) -> ServiceResult<Option<RemovedVersion>> {
        let (bucket, key) = (bucket.to_string(), key.to_string());
        self.commit("delete version", move |store, lock| {
            store.delete_version_locked(lock, &bucket, &key, which, bypass, Cause::DELETE)
        })
        .await
    }

    pub(crate) fn delete_version_locked(
        &self,
        lock: &CommitGuard<'_>,
        bucket: &str,
        key: &str,
        which: VersionRef,
        bypass: Option<GovernanceBypass>,
        cause: Cause,
    ) -> ServiceResult<Option<RemovedVersion>> {
        let brec = self
            .bucket_in_commit(bucket)?
            .ok_or(ServiceError::NoSuchBucket)?;
        let Some((at, rec)) = self.find_version(bucket, key, which)? else {
            return Ok(None);
        };
        check_removable(&rec, self.clock.now_ms(), bypass)?;
        let mut batch = Batch::default();
        let mut deltas = Deltas::new();
        count(&mut deltas, rec.data.chunks(), -1);
        match at {
            Some(stamp) => batch.delete(KeyCodec::version(bucket, key, stamp)),
            None => {
                let okey = KeyCodec::object(bucket, key);
                match self.newest_noncurrent(bucket, key)? {
                    Some((stamp, next)) => {
                        batch.delete(KeyCodec::version(bucket, key, stamp));
                        batch.put(okey, next.encode());
                    }
                    None => batch.delete(okey),
                }
            }
        }
        self.apply_refcounts(&mut batch, &deltas)?;
        let change = Change {
            event: EventName::removed(cause.lifecycle, false),
            key,
            record: (!rec.delete_marker).then_some(&rec),
            version_id: Some(version_id(&rec)),
        };
        self.notify_change(lock, &mut batch, &brec, change)?;
        lock.write(batch)?;
        Ok(Some(RemovedVersion {
            version_id: version_id(&rec),
            marker: rec.delete_marker,
        }))
    }

    /// Changes one version's metadata in place (ACL, retention, legal hold): the latest
    /// (`which` None) or the one named. Markers have no metadata to change (`NoSuchKey` for the
    /// latest, `MethodNotAllowed`-worthy `DeleteMarker` for one named).
    pub async fn modify_version(
        self: &Arc<Self>,
        bucket: &str,
        key: &str,
        which: Option<VersionRef>,
        change: impl FnOnce(&mut ObjectRecord, i64) -> ServiceResult<()> + Send + 'static,
    ) -> ServiceResult<ObjectRecord> {
        self.modify_version_as(bucket, key, which, None, change)
            .await
    }

    /// [`Store::modify_version`] whose change is notification event `event` (a restore).
    pub(crate) async fn modify_version_as(
        self: &Arc<Self>,
        bucket: &str,
        key: &str,
        which: Option<VersionRef>,
        event: Option<EventName>,
        change: impl FnOnce(&mut ObjectRecord, i64) -> ServiceResult<()> + Send + 'static,
    ) -> ServiceResult<ObjectRecord> {
        let (bucket, key) = (bucket.to_string(), key.to_string());
        self.commit("modify version", move |store, lock| {
            let (at, mut rec) = match which {
                None => (
                    None,
                    store
                        .load_object(&bucket, &key)?
                        .ok_or(ServiceError::NoSuchKey)?,
                ),
                Some(w) => store
                    .find_version(&bucket, &key, w)?
                    .ok_or(ServiceError::NoSuchVersion)?,
            };
            if rec.delete_marker {
                return Err(ServiceError::DeleteMarker(version_id(&rec)));
            }
            change(&mut rec, store.clock.now_ms())?;
            let k = match at {
                Some(stamp) => KeyCodec::version(&bucket, &key, stamp),
                None => KeyCodec::object(&bucket, &key),
            };
            let mut b = Batch::default();
            b.put(k, rec.encode());
            if let Some(event) = event {
                let brec = store
                    .bucket_in_commit(&bucket)?
                    .ok_or(ServiceError::NoSuchBucket)?;
                let version_id = brec.versioning.map(|_| version_id(&rec));
                let change = Change {
                    event,
                    key: &key,
                    record: Some(&rec),
                    version_id,
                };
                store.notify_change(lock, &mut b, &brec, change)?;
            }
            lock.write(b)?;
            Ok(rec)
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_ids_round_trip_and_refuse_what_cosd_never_made() {
        for stamp in [0u64, 1, 1_765_000_000_000 << 20, u64::MAX] {
            let id = encode_version_id(stamp);
            assert_eq!(
                VersionRef::parse(&id),
                Ok(Some(VersionRef::Stamp(stamp))),
                "{id}"
            );
        }
        // The seed's example id has COS's shape.
        assert_eq!(
            VersionRef::parse("MTg0NDUxNTc1NjIzMTQ1MDAwODg"),
            Ok(Some(VersionRef::Stamp(u64::MAX - 18445157562314500088)))
        );
        assert_eq!(VersionRef::parse(""), Ok(None));
        assert_eq!(VersionRef::parse("null"), Ok(Some(VersionRef::Null)));
        for bad in ["NULL", "v1", "!!", "MTIz", "bm90IGRpZ2l0cyBhdCBhbGwhISE"] {
            assert_eq!(VersionRef::parse(bad), Err(InvalidVersionId), "{bad}");
        }
    }

    #[test]
    fn stamps_grow_within_a_millisecond_and_past_the_latest_version() {
        let s = Stamps::default();
        let a = s.next(1000, None);
        let b = s.next(1000, None);
        assert_eq!(a, 1000 << 20);
        assert_eq!(b, a + 1);
        // A clock that went back still yields newer stamps.
        assert!(s.next(999, None) > b);
        // Always newer than the key's latest version, whatever the clock says.
        let far = (5000u64 << 20) + 7;
        assert_eq!(s.next(1000, Some(far)), far + 1);
    }
}
