//! `MemKv`: an in-memory `Kv` on a `BTreeMap`, for tests and as the reference implementation.

use super::{Batch, Direction, Kv, KvRead, KvResult, Pair, WriteOp};
use std::collections::BTreeMap;
use std::ops::Bound;
use std::sync::RwLock;

#[derive(Default)]
pub struct MemKv {
    map: RwLock<BTreeMap<Vec<u8>, Vec<u8>>>,
}

impl MemKv {
    pub fn new() -> MemKv {
        MemKv::default()
    }
}

fn scan_map(
    map: &BTreeMap<Vec<u8>, Vec<u8>>,
    start: Bound<&[u8]>,
    end: Bound<&[u8]>,
    dir: Direction,
    limit: usize,
) -> Vec<Pair> {
    if let (Bound::Included(s) | Bound::Excluded(s), Bound::Included(e) | Bound::Excluded(e)) =
        (start, end)
    {
        if s > e {
            return Vec::new();
        }
    }
    let owned = |b: Bound<&[u8]>| match b {
        Bound::Included(k) => Bound::Included(k.to_vec()),
        Bound::Excluded(k) => Bound::Excluded(k.to_vec()),
        Bound::Unbounded => Bound::Unbounded,
    };
    let range = map.range::<Vec<u8>, _>((owned(start), owned(end)));
    let clone = |(k, v): (&Vec<u8>, &Vec<u8>)| (k.clone(), v.clone());
    match dir {
        Direction::Forward => range.take(limit).map(clone).collect(),
        Direction::Reverse => range.rev().take(limit).map(clone).collect(),
    }
}

impl KvRead for MemKv {
    fn get(&self, key: &[u8]) -> KvResult<Option<Vec<u8>>> {
        Ok(self
            .map
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(key)
            .cloned())
    }

    fn scan(
        &self,
        start: Bound<&[u8]>,
        end: Bound<&[u8]>,
        dir: Direction,
        limit: usize,
    ) -> KvResult<Vec<Pair>> {
        let map = self.map.read().unwrap_or_else(|p| p.into_inner());
        Ok(scan_map(&map, start, end, dir, limit))
    }
}

struct MapSnapshot(BTreeMap<Vec<u8>, Vec<u8>>);

impl KvRead for MapSnapshot {
    fn get(&self, key: &[u8]) -> KvResult<Option<Vec<u8>>> {
        Ok(self.0.get(key).cloned())
    }
    fn scan(
        &self,
        start: Bound<&[u8]>,
        end: Bound<&[u8]>,
        dir: Direction,
        limit: usize,
    ) -> KvResult<Vec<Pair>> {
        Ok(scan_map(&self.0, start, end, dir, limit))
    }
}

impl Kv for MemKv {
    fn write(&self, batch: Batch) -> KvResult<()> {
        let mut map = self.map.write().unwrap_or_else(|p| p.into_inner());
        for op in batch.ops {
            match op {
                WriteOp::Put(k, v) => {
                    map.insert(k, v);
                }
                WriteOp::Delete(k) => {
                    map.remove(&k);
                }
            }
        }
        Ok(())
    }

    fn with_snapshot(&self, f: &mut dyn FnMut(&dyn KvRead) -> KvResult<()>) -> KvResult<()> {
        // A copy is the simplest correct snapshot for an in-memory test store.
        let snap = MapSnapshot(self.map.read().unwrap_or_else(|p| p.into_inner()).clone());
        f(&snap)
    }
}
