//! `RocksKv`: the `Kv` trait on RocksDB. This is the only file in the crate that uses `rocksdb`.

use super::{Batch, Direction, Kv, KvError, KvRead, KvResult, Pair, WriteOp};
use rocksdb::{
    Direction as RDir, IteratorMode, Options, ReadOptions, WriteBatch, WriteOptions, DB,
};
use std::ops::Bound;
use std::path::Path;

pub struct RocksKv {
    db: DB,
    sync: bool,
}

fn io(e: rocksdb::Error) -> KvError {
    KvError::Io(e.to_string())
}

impl RocksKv {
    /// Opens (creating if needed) the database at `path`. With `sync`, every batch fsyncs the WAL.
    pub fn open(path: &Path, sync: bool) -> KvResult<RocksKv> {
        let mut opts = Options::default();
        opts.create_if_missing(true);
        opts.set_max_background_jobs(2);
        opts.set_keep_log_file_num(4);
        let db = DB::open(&opts, path).map_err(io)?;
        Ok(RocksKv { db, sync })
    }

    /// Flushes memtables so a clean shutdown leaves little WAL to replay.
    pub fn flush(&self) -> KvResult<()> {
        self.db.flush().map_err(io)
    }
}

/// Shared scan logic over any RocksDB iterator source.
fn collect(
    iter: rocksdb::DBIteratorWithThreadMode<'_, DB>,
    start: Bound<&[u8]>,
    end: Bound<&[u8]>,
    dir: Direction,
    limit: usize,
) -> KvResult<Vec<Pair>> {
    let mut out = Vec::new();
    for item in iter {
        if out.len() >= limit {
            break;
        }
        let (k, v) = item.map_err(io)?;
        let k: &[u8] = &k;
        let in_lower = match start {
            Bound::Included(s) => k >= s,
            Bound::Excluded(s) => k > s,
            Bound::Unbounded => true,
        };
        let in_upper = match end {
            Bound::Included(e) => k <= e,
            Bound::Excluded(e) => k < e,
            Bound::Unbounded => true,
        };
        match dir {
            Direction::Forward if !in_upper => break,
            Direction::Reverse if !in_lower => break,
            _ => {}
        }
        if in_lower && in_upper {
            out.push((k.to_vec(), v.to_vec()));
        }
    }
    Ok(out)
}

fn iter_mode<'a>(start: Bound<&'a [u8]>, end: Bound<&'a [u8]>, dir: Direction) -> IteratorMode<'a> {
    match dir {
        Direction::Forward => match start {
            Bound::Included(s) | Bound::Excluded(s) => IteratorMode::From(s, RDir::Forward),
            Bound::Unbounded => IteratorMode::Start,
        },
        Direction::Reverse => match end {
            Bound::Included(e) | Bound::Excluded(e) => IteratorMode::From(e, RDir::Reverse),
            Bound::Unbounded => IteratorMode::End,
        },
    }
}

impl KvRead for RocksKv {
    fn get(&self, key: &[u8]) -> KvResult<Option<Vec<u8>>> {
        self.db.get(key).map_err(io)
    }

    fn scan(
        &self,
        start: Bound<&[u8]>,
        end: Bound<&[u8]>,
        dir: Direction,
        limit: usize,
    ) -> KvResult<Vec<Pair>> {
        let iter = self.db.iterator(iter_mode(start, end, dir));
        collect(iter, start, end, dir, limit)
    }
}

struct RocksSnapshot<'a> {
    snap: rocksdb::Snapshot<'a>,
}

impl KvRead for RocksSnapshot<'_> {
    fn get(&self, key: &[u8]) -> KvResult<Option<Vec<u8>>> {
        self.snap.get(key).map_err(io)
    }

    fn scan(
        &self,
        start: Bound<&[u8]>,
        end: Bound<&[u8]>,
        dir: Direction,
        limit: usize,
    ) -> KvResult<Vec<Pair>> {
        let iter = self
            .snap
            .iterator_opt(iter_mode(start, end, dir), ReadOptions::default());
        collect(iter, start, end, dir, limit)
    }
}

impl Kv for RocksKv {
    fn write(&self, batch: Batch) -> KvResult<()> {
        let mut wb = WriteBatch::default();
        for op in batch.ops {
            match op {
                WriteOp::Put(k, v) => wb.put(k, v),
                WriteOp::Delete(k) => wb.delete(k),
            }
        }
        let mut wo = WriteOptions::default();
        wo.set_sync(self.sync);
        self.db.write_opt(wb, &wo).map_err(io)
    }

    fn with_snapshot(&self, f: &mut dyn FnMut(&dyn KvRead) -> KvResult<()>) -> KvResult<()> {
        let snap = RocksSnapshot {
            snap: self.db.snapshot(),
        };
        f(&snap)
    }
}
