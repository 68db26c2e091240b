//! Bucket use cases: create, get, delete, list.

use super::commit::CommitGuard;
use super::{ServiceError, ServiceResult, Store};
use crate::meta::{scan_prefix, Batch, BucketRecord, KeyCodec};
use crate::policy::acl::Grant;
use crate::types::{BucketName, CannedAcl};
use std::ops::Bound;
use std::sync::Arc;

impl Store {
    pub async fn create_bucket(
        self: &Arc<Self>,
        name: &BucketName,
        owner_uin: &str,
        region: &str,
        acl: CannedAcl,
        grants: Vec<Grant>,
        tags: Vec<(String, String)>,
    ) -> ServiceResult<BucketRecord> {
        let rec = BucketRecord::new(name.as_str(), owner_uin, region, acl, grants, tags);
        self.create_bucket_from(rec).await
    }

    /// Creates the bucket `rec` describes (its configuration included, e.g. object lock set
    /// at creation); `created_ms` is set here.
    pub async fn create_bucket_from(
        self: &Arc<Self>,
        rec: BucketRecord,
    ) -> ServiceResult<BucketRecord> {
        self.commit("create bucket", move |store, lock| {
            store.create_bucket_locked(lock, rec)
        })
        .await
    }

    fn create_bucket_locked(
        &self,
        lock: &CommitGuard<'_>,
        mut rec: BucketRecord,
    ) -> ServiceResult<BucketRecord> {
        let key = KeyCodec::bucket(&rec.name);
        if let Some(existing) = self.kv.get(&key)? {
            let existing = BucketRecord::decode(&existing)?;
            return Err(if existing.owner_uin == rec.owner_uin {
                ServiceError::BucketAlreadyOwnedByYou
            } else {
                ServiceError::BucketAlreadyExists
            });
        }
        rec.created_ms = self.clock.now_ms();
        let mut b = Batch::default();
        b.put(key, rec.encode());
        lock.write(b)?;
        self.buckets.set(&rec.name, Some(&rec));
        Ok(rec)
    }

    /// Replaces the bucket's ACL (PUT Bucket acl).
    pub async fn set_bucket_acl(
        self: &Arc<Self>,
        name: &str,
        acl: CannedAcl,
        grants: Vec<Grant>,
    ) -> ServiceResult<()> {
        self.update_bucket(name, move |rec| {
            rec.acl = acl;
            rec.grants = grants;
        })
        .await
    }

    /// Stores (Some) or removes (None) the bucket policy; the caller has validated it.
    pub async fn set_bucket_policy(
        self: &Arc<Self>,
        name: &str,
        policy: Option<String>,
    ) -> ServiceResult<()> {
        self.update_bucket(name, move |rec| rec.policy = policy)
            .await
    }

    /// Replaces the bucket's tags (an empty list removes them).
    pub async fn set_bucket_tags(
        self: &Arc<Self>,
        name: &str,
        tags: Vec<(String, String)>,
    ) -> ServiceResult<()> {
        self.update_bucket(name, move |rec| rec.tags = tags).await
    }

    /// Changes a bucket record under the commit lock (sub-resource configurations).
    pub async fn update_bucket(
        self: &Arc<Self>,
        name: &str,
        f: impl FnOnce(&mut BucketRecord) + Send + 'static,
    ) -> ServiceResult<()> {
        self.try_update_bucket(name, move |rec| {
            f(rec);
            Ok(())
        })
        .await
    }

    /// [`Store::update_bucket`] with a change that may refuse (nothing is written then).
    pub async fn try_update_bucket(
        self: &Arc<Self>,
        name: &str,
        f: impl FnOnce(&mut BucketRecord) -> ServiceResult<()> + Send + 'static,
    ) -> ServiceResult<()> {
        let name = name.to_string();
        self.commit("bucket update", move |store, lock| {
            let key = KeyCodec::bucket(&name);
            let mut rec = match store.kv.get(&key)? {
                Some(v) => BucketRecord::decode(&v)?,
                None => return Err(ServiceError::NoSuchBucket),
            };
            f(&mut rec)?;
            let mut b = Batch::default();
            b.put(key, rec.encode());
            lock.write(b)?;
            store.buckets.set(&name, Some(&rec));
            Ok(())
        })
        .await
    }

    /// How many bucket records were handed out since start (tests count a request's reads).
    pub fn bucket_record_reads(&self) -> u64 {
        self.buckets
            .reads
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Whether `name` exists: a probe of the cache, else of the key, without decoding or
    /// copying the record. Commits check it under the commit lock, so an object is never
    /// committed into a bucket a concurrent DELETE Bucket removed.
    pub(crate) fn bucket_exists(&self, name: &str) -> ServiceResult<bool> {
        if self.buckets.get(name).is_some() {
            return Ok(true);
        }
        Ok(self.kv.get(&KeyCodec::bucket(name))?.is_some())
    }

    pub fn get_bucket(&self, name: &str) -> ServiceResult<Option<BucketRecord>> {
        Ok(self.bucket_shared(name)?.map(|b| (*b).clone()))
    }

    /// The bucket record without copying it. The request pipeline reads it once per request
    /// and hands it to everything that needs it (referer, authorization, handler, CORS).
    pub fn bucket_shared(&self, name: &str) -> ServiceResult<Option<Arc<BucketRecord>>> {
        self.buckets
            .reads
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.bucket_in_commit(name)
    }

    /// The bucket record for a commit's own decisions (versioning, object lock), read under
    /// the commit lock so it is the state the batch is applied against; not counted among the
    /// request's reads (it is the cache's copy unless a change evicted it).
    pub(crate) fn bucket_in_commit(&self, name: &str) -> ServiceResult<Option<Arc<BucketRecord>>> {
        if let Some(hit) = self.buckets.get(name) {
            return Ok(Some(hit));
        }
        let generation = self.buckets.generation();
        match self.kv.get(&KeyCodec::bucket(name))? {
            Some(v) => {
                let rec = BucketRecord::decode(&v)?;
                self.buckets.fill(name, &rec, generation);
                Ok(Some(Arc::new(rec)))
            }
            None => Ok(None),
        }
    }

    pub async fn delete_bucket(self: &Arc<Self>, name: &str) -> ServiceResult<()> {
        let name = name.to_string();
        self.commit("delete bucket", move |store, lock| {
            store.delete_bucket_locked(lock, &name)
        })
        .await
    }

    fn delete_bucket_locked(&self, lock: &CommitGuard<'_>, name: &str) -> ServiceResult<()> {
        let key = KeyCodec::bucket(name);
        if self.kv.get(&key)?.is_none() {
            return Err(ServiceError::NoSuchBucket);
        }
        // Objects, delete markers and noncurrent versions all keep a bucket non-empty.
        for prefix in [
            KeyCodec::object_prefix(name),
            KeyCodec::version_bucket_prefix(name),
        ] {
            let end = crate::meta::prefix_end(&prefix);
            let any = self.kv.scan(
                Bound::Included(&prefix),
                end.as_deref().map_or(Bound::Unbounded, Bound::Excluded),
                crate::meta::Direction::Forward,
                1,
            )?;
            if !any.is_empty() {
                return Err(ServiceError::BucketNotEmpty);
            }
        }
        let mut b = Batch::default();
        b.delete(key);
        lock.write(b)?;
        self.buckets.set(name, None);
        Ok(())
    }

    /// Buckets owned by `owner_uin`, sorted by name.
    pub fn list_buckets(&self, owner_uin: &str) -> ServiceResult<Vec<BucketRecord>> {
        let mut out = Vec::new();
        let mut err = None;
        scan_prefix(
            self.kv.as_ref(),
            &KeyCodec::bucket_prefix(),
            1000,
            &mut |_, v| match BucketRecord::decode(v) {
                Ok(rec) => {
                    if rec.owner_uin == owner_uin {
                        out.push(rec);
                    }
                    true
                }
                Err(e) => {
                    err = Some(e);
                    false
                }
            },
        )?;
        if let Some(e) = err {
            return Err(e.into());
        }
        Ok(out)
    }
}

/// Bucket records in memory. Writers (under the commit lock) replace entries and bump the
/// generation; a reader that missed fills an entry only if no write happened since it began
/// reading, so a slow reader can never put back a record a writer has replaced.
#[derive(Default)]
pub(crate) struct BucketCache {
    inner: std::sync::RwLock<(u64, BucketMap)>,
    /// Bucket records handed out (`Store::bucket_shared`), for `Store::bucket_record_reads`.
    reads: std::sync::atomic::AtomicU64,
}

type BucketMap = std::collections::HashMap<String, Arc<BucketRecord>>;

impl BucketCache {
    fn read(&self) -> std::sync::RwLockReadGuard<'_, (u64, BucketMap)> {
        self.inner.read().unwrap_or_else(|p| p.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, (u64, BucketMap)> {
        self.inner.write().unwrap_or_else(|p| p.into_inner())
    }

    fn get(&self, name: &str) -> Option<Arc<BucketRecord>> {
        self.read().1.get(name).cloned()
    }

    pub(crate) fn generation(&self) -> u64 {
        self.read().0
    }

    pub(crate) fn fill(&self, name: &str, rec: &BucketRecord, generation: u64) {
        let mut c = self.write();
        if c.0 == generation {
            c.1.insert(name.to_string(), Arc::new(rec.clone()));
        }
    }

    /// After a write: the new record, or None when the bucket was deleted.
    pub(crate) fn set(&self, name: &str, rec: Option<&BucketRecord>) {
        let mut c = self.write();
        c.0 += 1;
        match rec {
            Some(r) => c.1.insert(name.to_string(), Arc::new(r.clone())),
            None => c.1.remove(name),
        };
    }
}
