//! `CachedKv`: a bounded cache of point reads in front of another `Kv`.
//!
//! A GET or HEAD reads one object record. RocksDB's lookup of it (super-version, memtable
//! skiplist, then table filters and blocks) was ~9% of a 4 KiB GET's server CPU, more than
//! the record's decoding and the whole authorization (docs/performance.md). The values of the
//! keys `cacheable` picks (object records, in the server) that `get` reads are kept here,
//! weighted by their size, up to a byte budget; quick_cache evicts by its scan-resistant
//! policy, so one listing-sized sweep does not flush the hot records.
//!
//! Coherence, without trusting callers: every batch written through this wrapper drops its
//! cacheable keys after the inner write returns, so before the writer can answer anyone, and
//! bumps a generation under the same lock. A reader notes the generation before it reads the
//! inner store and fills the cache only if it has not moved, so a value read before a
//! concurrent write can never be inserted after that write's invalidation. A write to the
//! inner store that bypasses this wrapper would go unseen: the server opens the store
//! through it and nothing else. Scans and snapshots read the inner store directly.

use super::{Batch, Direction, Kv, KvRead, KvResult, Pair, WriteOp};
use std::ops::Bound;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// Values larger than this are read through, never kept (inline bodies are at most 1 MiB).
const MAX_VALUE: usize = 256 * 1024;
/// What an entry costs besides its key and value (the map slot, the Arc, bookkeeping).
const ENTRY_OVERHEAD: u64 = 64;

#[derive(Clone)]
struct Bytes;

impl quick_cache::Weighter<Vec<u8>, Arc<[u8]>> for Bytes {
    fn weight(&self, key: &Vec<u8>, val: &Arc<[u8]>) -> u64 {
        key.len() as u64 + val.len() as u64 + ENTRY_OVERHEAD
    }
}

pub struct CachedKv<K> {
    inner: K,
    cacheable: fn(&[u8]) -> bool,
    cache: quick_cache::sync::Cache<Vec<u8>, Arc<[u8]>, Bytes>,
    /// Bumped (under `fill`) by every write that touches a cacheable key.
    generation: AtomicU64,
    /// Orders fills against invalidations (see the module docs).
    fill: Mutex<()>,
}

impl<K: Kv> CachedKv<K> {
    /// Caches the values of keys for which `cacheable` holds, up to `budget` bytes.
    pub fn new(inner: K, budget: u64, cacheable: fn(&[u8]) -> bool) -> CachedKv<K> {
        // quick_cache sizes its shards from the expected item count: records of a few KiB.
        let items = usize::try_from(budget / 4096).unwrap_or(usize::MAX).max(16);
        CachedKv {
            inner,
            cacheable,
            cache: quick_cache::sync::Cache::with_weighter(items, budget.max(1), Bytes),
            generation: AtomicU64::new(0),
            fill: Mutex::new(()),
        }
    }

    pub fn inner(&self) -> &K {
        &self.inner
    }

    fn invalidate(&self, batch_keys: &[&[u8]]) {
        let _g = self.fill.lock().unwrap_or_else(|p| p.into_inner());
        self.generation.fetch_add(1, Ordering::AcqRel);
        for k in batch_keys {
            self.cache.remove(*k);
        }
    }
}

/// The cacheable keys a batch writes.
fn touched(batch: &Batch, cacheable: fn(&[u8]) -> bool) -> Vec<Vec<u8>> {
    batch
        .ops
        .iter()
        .map(|op| match op {
            WriteOp::Put(k, _) | WriteOp::Delete(k) => k,
        })
        .filter(|k| cacheable(k))
        .cloned()
        .collect()
}

impl<K: Kv> KvRead for CachedKv<K> {
    fn get(&self, key: &[u8]) -> KvResult<Option<Vec<u8>>> {
        if !(self.cacheable)(key) {
            return self.inner.get(key);
        }
        if let Some(v) = self.cache.get(key) {
            return Ok(Some(v.to_vec()));
        }
        let seen = self.generation.load(Ordering::Acquire);
        let v = self.inner.get(key)?;
        if let Some(v) = v.as_deref().filter(|v| v.len() <= MAX_VALUE) {
            let _g = self.fill.lock().unwrap_or_else(|p| p.into_inner());
            if self.generation.load(Ordering::Acquire) == seen {
                self.cache.insert(key.to_vec(), Arc::from(v));
            }
        }
        Ok(v)
    }

    fn scan(
        &self,
        start: Bound<&[u8]>,
        end: Bound<&[u8]>,
        dir: Direction,
        limit: usize,
    ) -> KvResult<Vec<Pair>> {
        self.inner.scan(start, end, dir, limit)
    }
}

impl<K: Kv> Kv for CachedKv<K> {
    fn write(&self, batch: Batch) -> KvResult<()> {
        let keys = touched(&batch, self.cacheable);
        let res = self.inner.write(batch);
        // Failed or not: the batch is atomic, but dropping entries is always safe.
        if !keys.is_empty() {
            self.invalidate(&keys.iter().map(Vec::as_slice).collect::<Vec<_>>());
        }
        res
    }

    fn write_deferred(&self, batch: Batch) -> KvResult<u64> {
        let keys = touched(&batch, self.cacheable);
        let res = self.inner.write_deferred(batch);
        if !keys.is_empty() {
            self.invalidate(&keys.iter().map(Vec::as_slice).collect::<Vec<_>>());
        }
        res
    }

    fn wait_durable(&self, ticket: u64) -> KvResult<()> {
        self.inner.wait_durable(ticket)
    }

    fn durable_watch(&self) -> Option<tokio::sync::watch::Receiver<u64>> {
        self.inner.durable_watch()
    }

    fn request_sync(&self, ticket: u64) {
        self.inner.request_sync(ticket)
    }

    fn close(&self) -> KvResult<()> {
        self.inner.close()
    }

    fn with_snapshot(&self, f: &mut dyn FnMut(&dyn KvRead) -> KvResult<()>) -> KvResult<()> {
        self.inner.with_snapshot(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::meta::MemKv;

    fn all(_: &[u8]) -> bool {
        true
    }

    fn only_o(k: &[u8]) -> bool {
        k.first() == Some(&b'O')
    }

    fn put(kv: &dyn Kv, k: &str, v: &str) {
        let mut b = Batch::default();
        b.put(k.as_bytes().to_vec(), v.as_bytes().to_vec());
        kv.write(b).unwrap();
    }

    fn get(kv: &dyn KvRead, k: &str) -> Option<String> {
        kv.get(k.as_bytes())
            .unwrap()
            .map(|v| String::from_utf8(v).unwrap())
    }

    #[test]
    fn reads_see_every_write_through_the_wrapper() {
        let kv = CachedKv::new(MemKv::new(), 1 << 20, all);
        put(&kv, "Oa", "1");
        assert_eq!(get(&kv, "Oa").as_deref(), Some("1"));
        assert_eq!(get(&kv, "Oa").as_deref(), Some("1"), "now from the cache");
        put(&kv, "Oa", "2");
        assert_eq!(get(&kv, "Oa").as_deref(), Some("2"));
        let mut b = Batch::default();
        b.delete(b"Oa".to_vec());
        kv.write_deferred(b).unwrap();
        assert_eq!(get(&kv, "Oa"), None);
        put(&kv, "Oa", "3");
        assert_eq!(get(&kv, "Oa").as_deref(), Some("3"));
    }

    #[test]
    fn only_cacheable_keys_are_kept() {
        let kv = CachedKv::new(MemKv::new(), 1 << 20, only_o);
        put(&kv, "Oa", "1");
        put(&kv, "Ba", "1");
        get(&kv, "Oa");
        get(&kv, "Ba");
        assert!(kv.cache.get(b"Oa".as_slice()).is_some());
        assert!(kv.cache.get(b"Ba".as_slice()).is_none());
        // A write to the inner store behind the wrapper's back shows for uncached keys only;
        // the server never does this (module docs), the test shows what is cached.
        put(kv.inner(), "Ba", "2");
        put(kv.inner(), "Oa", "2");
        assert_eq!(get(&kv, "Ba").as_deref(), Some("2"));
        assert_eq!(get(&kv, "Oa").as_deref(), Some("1"));
    }

    #[test]
    fn the_budget_bounds_what_is_kept() {
        let kv = CachedKv::new(MemKv::new(), 64 * 1024, all);
        let big = "x".repeat(1000);
        for i in 0..1000 {
            put(&kv, &format!("O{i:04}"), &big);
            get(&kv, &format!("O{i:04}"));
        }
        assert!(kv.cache.weight() <= 64 * 1024, "{}", kv.cache.weight());
        assert!(kv.cache.len() < 1000);
        for i in 0..1000 {
            assert_eq!(get(&kv, &format!("O{i:04}")).as_deref(), Some(big.as_str()));
        }
        // Values over MAX_VALUE are read through.
        let huge = "y".repeat(MAX_VALUE + 1);
        put(&kv, "Ohuge", &huge);
        assert_eq!(get(&kv, "Ohuge").map(|v| v.len()), Some(huge.len()));
        assert!(kv.cache.get(b"Ohuge".as_slice()).is_none());
    }

    /// A reader that read the old value before a write must not put it back afterwards.
    #[test]
    fn a_fill_that_raced_a_write_is_dropped() {
        let kv = CachedKv::new(MemKv::new(), 1 << 20, all);
        put(&kv, "Oa", "old");
        // The reader's first half: it notes the generation and reads the inner store.
        let seen = kv.generation.load(Ordering::Acquire);
        let stale = kv.inner.get(b"Oa").unwrap().unwrap();
        // The writer runs to completion in between.
        put(&kv, "Oa", "new");
        // The reader's second half, as `get` does it.
        {
            let _g = kv.fill.lock().unwrap();
            if kv.generation.load(Ordering::Acquire) == seen {
                kv.cache.insert(b"Oa".to_vec(), Arc::from(stale.as_slice()));
            }
        }
        assert_eq!(get(&kv, "Oa").as_deref(), Some("new"));
    }

    /// Readers and writers on threads: every read returns a value some write made, and once
    /// the writers stop every key reads its last value.
    #[test]
    fn concurrent_readers_and_writers_agree_at_the_end() {
        let kv = Arc::new(CachedKv::new(MemKv::new(), 1 << 20, all));
        let keys: Vec<String> = (0..8).map(|i| format!("O{i}")).collect();
        std::thread::scope(|s| {
            for w in 0..2u32 {
                let kv = Arc::clone(&kv);
                let keys = keys.clone();
                s.spawn(move || {
                    for n in 0..2000u32 {
                        let k = &keys[(n as usize + w as usize) % keys.len()];
                        put(&*kv, k, &format!("{w}-{n}"));
                    }
                });
            }
            for _ in 0..2 {
                let kv = Arc::clone(&kv);
                let keys = keys.clone();
                s.spawn(move || {
                    for n in 0..20000usize {
                        if let Some(v) = get(&*kv, &keys[n % keys.len()]) {
                            assert!(v.contains('-'), "{v}");
                        }
                    }
                });
            }
        });
        for k in &keys {
            assert_eq!(get(&*kv, k), get(kv.inner(), k), "{k}");
        }
    }

    #[test]
    fn cached_kv_conforms() {
        crate::meta::conformance::run_all(&CachedKv::new(MemKv::new(), 1 << 20, all));
        let dir = tempfile::tempdir().unwrap();
        let rocks = crate::meta::RocksKv::open(dir.path(), false).unwrap();
        crate::meta::conformance::run_all(&CachedKv::new(rocks, 1 << 20, all));
    }
}
