//! The lifecycle worker (docs/lifecycle.md): passes over every bucket with a lifecycle
//! configuration and carries out what `bucket_config::lifecycle::decide` says is due.
//!
//! A pass walks a bucket's keys in batches (`LifecycleOptions::batch`), each batch one task on
//! the blocking pool; between batches the worker yields and records its progress in the
//! bucket's `L` cursor, so a crash resumes where the last recorded batch ended. Every action is
//! decided again under the commit lock, on the records as they are then, and written in one
//! atomic batch through the same paths requests use (`Store::stage` for expirations,
//! `delete_version_locked` for removals, which refuses versions object lock protects,
//! `abort_locked` for uploads): repeating a batch after a crash, or running two passes, never
//! acts twice.

use super::commit::{Appended, Cause, CommitGuard};
use super::notify::Change;
use super::version::{check_removable, VersionRef};
use super::{ServiceError, ServiceResult, Store};
use crate::bucket_config::lifecycle::decide::{abort_due, due, may_apply, Due, Version};
use crate::bucket_config::lifecycle::LifecycleConfig;
use crate::bucket_config::notification::EventName;
use crate::bucket_config::versioning::VersioningStatus;
use crate::meta::{prefix_end, Batch, Direction, KeyCodec, LifecycleCursor, ObjectRecord};
use crate::meta::{BucketRecord, UploadRecord};
use std::ops::Bound;
use std::sync::Arc;

/// How a pass runs.
#[derive(Debug, Clone)]
pub struct LifecycleOptions {
    /// The length of a lifecycle "day" in seconds (`lifecycle_day_secs`).
    pub day_secs: u64,
    /// Keys per batch (each batch is one blocking task; progress is recorded after each).
    pub batch: usize,
    /// Stop after this many batches (tests: an interrupted pass). None: run to the end.
    pub max_batches: Option<usize>,
    /// Stop at the next batch once this says true (shutdown): the batch under way finishes,
    /// so nothing is left half-written when the store closes.
    pub cancel: Option<tokio::sync::watch::Receiver<bool>>,
    /// After each batch, wait as long as the batch took: the pass uses at most about half of
    /// one core, and requests keep the rest (the worker sets it; tests run flat out).
    pub paced: bool,
}

impl LifecycleOptions {
    pub fn new(day_secs: u64) -> LifecycleOptions {
        LifecycleOptions {
            day_secs: day_secs.max(1),
            batch: 1000,
            max_batches: None,
            cancel: None,
            paced: false,
        }
    }
}

/// What a pass did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LifecycleStats {
    /// Buckets with a lifecycle configuration visited.
    pub buckets: usize,
    /// Keys looked at.
    pub keys: usize,
    /// Current objects expired (deleted, or hidden under a new delete marker).
    pub expired: usize,
    /// Noncurrent versions removed.
    pub versions_deleted: usize,
    /// Delete markers with no noncurrent versions removed.
    pub markers_removed: usize,
    /// Versions moved to another storage class.
    pub transitioned: usize,
    /// Incomplete multipart uploads aborted.
    pub uploads_aborted: usize,
    /// Removals skipped because object lock protects the version.
    pub locked: usize,
    /// The pass reached the end of every bucket (false when `max_batches` stopped it).
    pub finished: bool,
}

impl LifecycleStats {
    fn add(&mut self, o: &LifecycleStats) {
        self.keys += o.keys;
        self.expired += o.expired;
        self.versions_deleted += o.versions_deleted;
        self.markers_removed += o.markers_removed;
        self.transitioned += o.transitioned;
        self.uploads_aborted += o.uploads_aborted;
        self.locked += o.locked;
    }

    fn acted(&self) -> usize {
        self.expired
            + self.versions_deleted
            + self.markers_removed
            + self.transitioned
            + self.uploads_aborted
    }
}

/// A key's noncurrent versions, newest first, with their stamps.
type Noncurrent = Vec<(u64, ObjectRecord)>;

/// Which version of a key an action is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Which {
    Current,
    /// A noncurrent version: its `V` row's stamp, and the id a removal names it by.
    Noncurrent(u64, VersionRef),
}

/// One action to take on a key.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Planned {
    which: Which,
    due: Due,
    rule: String,
}

/// When a version stopped being current: the write time of the version that followed it
/// (its stamp's time; versions from before versioning carry none, then its `mtime`).
fn written_ms(rec: &ObjectRecord) -> i64 {
    match rec.stamp() >> 20 {
        0 => rec.mtime_ms,
        ms => ms as i64,
    }
}

/// A version as the rules see it (current; the caller fills in noncurrent details).
fn version_of<'a>(key: &'a str, rec: &'a ObjectRecord, sole: bool) -> Version<'a> {
    Version {
        key,
        size: rec.size,
        tags: &rec.tags,
        created_ms: rec.created_ms(),
        noncurrent_since_ms: None,
        newer_noncurrent: 0,
        delete_marker: rec.delete_marker,
        sole,
        storage_class: &rec.storage_class,
    }
}

/// Every action due now for a key whose latest version is `latest` and whose noncurrent
/// versions are `noncurrent` (newest first, with their stamps).
fn plan_key(
    config: &LifecycleConfig,
    key: &str,
    latest: &ObjectRecord,
    noncurrent: &[(u64, ObjectRecord)],
    now_ms: i64,
    day_secs: u64,
) -> Vec<Planned> {
    let mut out = Vec::new();
    let sole = noncurrent.is_empty();
    let current = version_of(key, latest, sole);
    if let Some((d, rule)) = due(config, &current, now_ms, day_secs) {
        out.push(Planned {
            which: Which::Current,
            due: d,
            rule: rule.to_string(),
        });
    }
    let mut newer = latest;
    for (i, (stamp, rec)) in noncurrent.iter().enumerate() {
        let v = Version {
            noncurrent_since_ms: Some(written_ms(newer)),
            newer_noncurrent: i,
            ..version_of(key, rec, sole)
        };
        if let Some((d, rule)) = due(config, &v, now_ms, day_secs) {
            let r = if rec.is_null_version() {
                VersionRef::Null
            } else {
                VersionRef::Stamp(*stamp)
            };
            out.push(Planned {
                which: Which::Noncurrent(*stamp, r),
                due: d,
                rule: rule.to_string(),
            });
        }
        newer = rec;
    }
    out
}

impl Store {
    /// One lifecycle pass over every bucket that has a configuration, at the store clock's
    /// now. Resumes each bucket from its recorded cursor.
    pub async fn lifecycle_pass(
        self: &Arc<Self>,
        opts: &LifecycleOptions,
    ) -> ServiceResult<LifecycleStats> {
        let buckets = self
            .blocking("lifecycle buckets", |store, _| store.lifecycle_buckets())
            .await?;
        let mut stats = LifecycleStats::default();
        let mut batches = 0usize;
        for name in buckets {
            stats.buckets += 1;
            let mut bucket_stats = LifecycleStats::default();
            loop {
                let cancelled = opts.cancel.as_ref().is_some_and(|c| *c.borrow());
                if cancelled || opts.max_batches.is_some_and(|m| batches >= m) {
                    stats.add(&bucket_stats);
                    return Ok(stats);
                }
                let (n, o) = (name.clone(), opts.clone());
                let started = std::time::Instant::now();
                let (s, done) = self
                    .blocking("lifecycle batch", move |store, appended| {
                        store.lifecycle_batch(appended, &n, &o)
                    })
                    .await?;
                batches += 1;
                bucket_stats.add(&s);
                if done {
                    break;
                }
                if opts.paced {
                    tokio::time::sleep(started.elapsed()).await;
                } else {
                    tokio::task::yield_now().await;
                }
            }
            let (n, o) = (name.clone(), opts.clone());
            let s = self
                .blocking("lifecycle uploads", move |store, appended| {
                    store.lifecycle_uploads(appended, &n, &o)
                })
                .await?;
            bucket_stats.add(&s);
            if bucket_stats.acted() + bucket_stats.locked > 0 {
                tracing::info!(
                    bucket = %name,
                    keys = bucket_stats.keys,
                    expired = bucket_stats.expired,
                    versions_deleted = bucket_stats.versions_deleted,
                    markers_removed = bucket_stats.markers_removed,
                    transitioned = bucket_stats.transitioned,
                    uploads_aborted = bucket_stats.uploads_aborted,
                    locked = bucket_stats.locked,
                    "lifecycle pass over bucket"
                );
            }
            stats.add(&bucket_stats);
        }
        stats.finished = true;
        Ok(stats)
    }

    /// The names of the buckets that have a lifecycle configuration.
    fn lifecycle_buckets(&self) -> ServiceResult<Vec<String>> {
        let mut names = Vec::new();
        let mut err = None;
        crate::meta::scan_prefix(
            self.kv.as_ref(),
            &KeyCodec::bucket_prefix(),
            256,
            &mut |_, v| match BucketRecord::decode(v) {
                Ok(b) => {
                    if b.lifecycle.is_some() {
                        names.push(b.name);
                    }
                    true
                }
                Err(e) => {
                    err = Some(e);
                    false
                }
            },
        )?;
        match err {
            Some(e) => Err(e.into()),
            None => Ok(names),
        }
    }

    /// The noncurrent versions of a key, newest first, with their stamps.
    fn noncurrent_versions(&self, bucket: &str, key: &str) -> ServiceResult<Noncurrent> {
        let mut out = Vec::new();
        self.for_each_noncurrent(bucket, key, &mut |stamp, rec| {
            out.push((stamp, rec));
            true
        })?;
        Ok(out)
    }

    /// A key's latest version and noncurrent versions (the latter only in a bucket whose
    /// versioning was ever set: others have none).
    fn key_state(
        &self,
        bucket: &BucketRecord,
        key: &str,
    ) -> ServiceResult<Option<(ObjectRecord, Noncurrent)>> {
        let Some(latest) = self.load_latest(&bucket.name, key)? else {
            return Ok(None);
        };
        let noncurrent = match bucket.versioning {
            Some(_) => self.noncurrent_versions(&bucket.name, key)?,
            None => Vec::new(),
        };
        Ok(Some((latest, noncurrent)))
    }

    fn set_cursor(&self, appended: &Appended, bucket: &str, c: Option<LifecycleCursor>) {
        let mut b = Batch::default();
        let k = KeyCodec::lifecycle_cursor(bucket);
        match c {
            Some(c) => b.put(k, c.encode()),
            None => b.delete(k),
        }
        if let Err(e) = self.append_unlocked(appended, b) {
            tracing::warn!(bucket, error = %e, "recording lifecycle progress failed");
        }
    }

    /// One batch of a bucket's keys from its cursor. Returns what it did and whether the
    /// bucket's keys are done for this pass.
    fn lifecycle_batch(
        &self,
        appended: &Appended,
        bucket: &str,
        opts: &LifecycleOptions,
    ) -> ServiceResult<(LifecycleStats, bool)> {
        let mut stats = LifecycleStats::default();
        let record = self.bucket_shared(bucket)?;
        let ckey = KeyCodec::lifecycle_cursor(bucket);
        let cursor = match self.kv.get(&ckey)? {
            Some(v) => Some(LifecycleCursor::decode(&v)?),
            None => None,
        };
        let Some((b, config)) = record.and_then(|b| {
            let c = b.lifecycle.clone()?;
            Some((b, c))
        }) else {
            if cursor.is_some() {
                self.set_cursor(appended, bucket, None);
            }
            return Ok((stats, true));
        };
        let now = self.clock.now_ms();
        let prefix = KeyCodec::object_prefix(bucket);
        let from = cursor.as_ref().map(|c| KeyCodec::object(bucket, &c.after));
        let lo = match &from {
            Some(k) => Bound::Excluded(k.as_slice()),
            None => Bound::Included(prefix.as_slice()),
        };
        let end = prefix_end(&prefix);
        let hi = end.as_deref().map_or(Bound::Unbounded, Bound::Excluded);
        let batch = opts.batch.max(1);
        let rows = self.kv.scan(lo, hi, Direction::Forward, batch)?;
        let mut last = None;
        for (k, v) in &rows {
            let Some((_, key)) = KeyCodec::decode_object(k) else {
                continue;
            };
            last = Some(key.to_string());
            stats.keys += 1;
            if !may_apply(&config, key) {
                continue;
            }
            let latest = ObjectRecord::decode(v)?;
            let noncurrent = match b.versioning {
                Some(_) => self.noncurrent_versions(bucket, key)?,
                None => Vec::new(),
            };
            if plan_key(&config, key, &latest, &noncurrent, now, opts.day_secs).is_empty() {
                continue;
            }
            // Decided again under the lock, on the records as they are now.
            let lock = self.lock_commits(appended);
            let Some((latest, noncurrent)) = self.key_state(&b, key)? else {
                continue;
            };
            let now = self.clock.now_ms();
            for p in plan_key(&config, key, &latest, &noncurrent, now, opts.day_secs) {
                self.apply(&lock, &b, key, &latest, &noncurrent, &p, now, &mut stats)?;
            }
        }
        let done = rows.len() < batch;
        match (done, last) {
            (false, Some(after)) => {
                let started = cursor.map_or(now, |c| c.pass_started_ms);
                let next = LifecycleCursor {
                    pass_started_ms: started,
                    after,
                };
                self.set_cursor(appended, bucket, Some(next));
            }
            // The walk is over: the next pass starts from the first key.
            _ if cursor.is_some() => self.set_cursor(appended, bucket, None),
            _ => {}
        }
        Ok((stats, done))
    }

    /// Carries out one planned action under the commit lock.
    #[allow(clippy::too_many_arguments)]
    fn apply(
        &self,
        lock: &CommitGuard<'_>,
        b: &BucketRecord,
        key: &str,
        latest: &ObjectRecord,
        noncurrent: &[(u64, ObjectRecord)],
        p: &Planned,
        now: i64,
        stats: &mut LifecycleStats,
    ) -> ServiceResult<()> {
        let bucket = b.name.as_str();
        let log = |action: &str| {
            tracing::debug!(bucket, key, rule = %p.rule, action, "lifecycle action");
        };
        match (&p.which, &p.due) {
            (Which::Current, Due::Expire) => {
                // Without versioning (or replacing the Suspended bucket's `null` version) the
                // data goes: object lock must allow it. With versioning a marker hides it.
                let removes_data = match b.versioning {
                    None => true,
                    Some(VersioningStatus::Suspended) => latest.is_null_version(),
                    Some(VersioningStatus::Enabled) => false,
                };
                if removes_data && check_removable(latest, now, None).is_err() {
                    stats.locked += 1;
                    return Ok(());
                }
                self.commit_locked(lock, bucket, key, None, Cause::LIFECYCLE)?;
                stats.expired += 1;
                log("Expiration");
            }
            (Which::Current, Due::RemoveMarker) => {
                let r = if latest.is_null_version() {
                    VersionRef::Null
                } else {
                    VersionRef::Stamp(latest.stamp())
                };
                if self.remove(lock, bucket, key, r, stats)? {
                    stats.markers_removed += 1;
                    log("ExpiredObjectDeleteMarker");
                }
            }
            (Which::Noncurrent(_, r), Due::DeleteVersion) => {
                let removed = self.remove(lock, bucket, key, *r, stats)?;
                if removed {
                    stats.versions_deleted += 1;
                    log("NoncurrentVersionExpiration");
                }
            }
            (which, Due::Transition(class)) => {
                let (k, mut rec) = match which {
                    Which::Current => (KeyCodec::object(bucket, key), latest.clone()),
                    Which::Noncurrent(stamp, _) => {
                        let Some((_, rec)) = noncurrent.iter().find(|(s, _)| s == stamp) else {
                            return Ok(());
                        };
                        (KeyCodec::version(bucket, key, *stamp), rec.clone())
                    }
                };
                // Records keep COS names (a rule may say S3's GLACIER).
                rec.storage_class = crate::types::StorageClass::of_stored(class)
                    .as_str()
                    .to_string();
                let mut batch = Batch::default();
                batch.put(k, rec.encode());
                let version_id = b.versioning.map(|_| super::version_id(&rec));
                let change = Change {
                    event: EventName::Transition,
                    key,
                    record: Some(&rec),
                    version_id,
                };
                self.notify_change(lock, &mut batch, b, change)?;
                lock.write(batch)?;
                stats.transitioned += 1;
                log(match which {
                    Which::Current => "Transition",
                    Which::Noncurrent(..) => "NoncurrentVersionTransition",
                });
            }
            // `due` pairs removals with the versions they apply to; nothing else is planned.
            _ => {}
        }
        Ok(())
    }

    /// Removes one version for good unless object lock protects it (counted, not an error).
    fn remove(
        &self,
        lock: &CommitGuard<'_>,
        bucket: &str,
        key: &str,
        r: VersionRef,
        stats: &mut LifecycleStats,
    ) -> ServiceResult<bool> {
        match self.delete_version_locked(lock, bucket, key, r, None, Cause::LIFECYCLE) {
            Ok(removed) => Ok(removed.is_some()),
            Err(ServiceError::ObjectLocked(_)) => {
                stats.locked += 1;
                Ok(false)
            }
            Err(e) => Err(e),
        }
    }

    /// Aborts the bucket's incomplete multipart uploads an `AbortIncompleteMultipartUpload`
    /// rule makes due, each through the path AbortMultipartUpload takes.
    fn lifecycle_uploads(
        &self,
        appended: &Appended,
        bucket: &str,
        opts: &LifecycleOptions,
    ) -> ServiceResult<LifecycleStats> {
        let mut stats = LifecycleStats::default();
        let Some(config) = self
            .bucket_shared(bucket)?
            .and_then(|b| b.lifecycle.clone())
        else {
            return Ok(stats);
        };
        if !config
            .rules
            .iter()
            .any(|r| r.enabled && r.abort_days.is_some())
        {
            return Ok(stats);
        }
        let now = self.clock.now_ms();
        let mut due_uploads = Vec::new();
        crate::meta::scan_prefix(
            self.kv.as_ref(),
            &KeyCodec::upload_prefix(bucket),
            1000,
            &mut |k, v| {
                if let (Some((_, key, id)), Ok(rec)) =
                    (KeyCodec::decode_upload(k), UploadRecord::decode(v))
                {
                    if let Some(rule) =
                        abort_due(&config, key, rec.initiated_ms, now, opts.day_secs)
                    {
                        due_uploads.push((key.to_string(), id.to_string(), rule.to_string()));
                    }
                }
                true
            },
        )?;
        for (key, id, rule) in due_uploads {
            let lock = self.lock_commits(appended);
            if self.kv.get(&KeyCodec::upload(bucket, &key, &id))?.is_some() {
                self.abort_locked(&lock, bucket, &key, &id)?;
                stats.uploads_aborted += 1;
                tracing::debug!(bucket, key, upload = %id, rule = %rule, action = "AbortIncompleteMultipartUpload", "lifecycle action");
            }
        }
        Ok(stats)
    }
}

#[cfg(test)]
#[path = "tests/lifecycle_plan.rs"]
mod plan_tests;
