//! `RocksKv`: the `Kv` trait on RocksDB. This is the only file in the crate that uses `rocksdb`.

use super::{Batch, Direction, Kv, KvError, KvRead, KvResult, Pair, WriteOp};
use rocksdb::{
    BlockBasedOptions, Cache, Direction as RDir, IteratorMode, Options, ReadOptions, WriteBatch,
    WriteOptions, DB,
};
use std::ops::Bound;
use std::path::Path;

pub struct RocksKv {
    db: DB,
    sync: bool,
    group: GroupSync,
}

/// Group commit: writers append to the WAL without syncing, then wait here; whoever finds no
/// sync running syncs everything appended so far, and every writer whose batch that covers
/// returns. One `fsync` serves all the writers that arrived while the previous one ran.
struct GroupSync {
    state: std::sync::Mutex<SyncState>,
    done: std::sync::Condvar,
    /// `synced`, for async waiters (`Store::durable`): no thread parks per waiter.
    watch: tokio::sync::watch::Sender<u64>,
}

impl Default for GroupSync {
    fn default() -> Self {
        GroupSync {
            state: Default::default(),
            done: Default::default(),
            watch: tokio::sync::watch::channel(0).0,
        }
    }
}

#[derive(Default)]
struct SyncState {
    /// Every batch with a sequence number up to this one is durable.
    synced: u64,
    syncing: bool,
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
        // Point lookups dominate (object, bucket and refcount records on every write), and
        // most lookups of a new object's key miss: bloom filters answer those without reading
        // a block, and a block cache keeps the hot records in memory.
        let mut table = BlockBasedOptions::default();
        table.set_bloom_filter(10.0, false);
        table.set_block_cache(&Cache::new_lru_cache(64 << 20).map_err(io)?);
        table.set_cache_index_and_filter_blocks(true);
        opts.set_block_based_table_factory(&table);
        opts.set_level_compaction_dynamic_level_bytes(true);
        // With syncing on, every acknowledged batch is made durable by a group sync
        // (`wait_durable`), which also writes RocksDB's WAL buffer out; so the WAL need not be
        // written to the file per batch. Without syncing, each batch must reach the file (the
        // page cache) before it is acknowledged, or a killed process would lose it.
        opts.set_manual_wal_flush(sync);
        let db = DB::open(&opts, path).map_err(io)?;
        Ok(RocksKv {
            db,
            sync,
            group: GroupSync::default(),
        })
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

fn write_batch(batch: Batch) -> WriteBatch {
    let mut wb = WriteBatch::default();
    for op in batch.ops {
        match op {
            WriteOp::Put(k, v) => wb.put(k, v),
            WriteOp::Delete(k) => wb.delete(k),
        }
    }
    wb
}

impl Kv for RocksKv {
    fn write(&self, batch: Batch) -> KvResult<()> {
        let ticket = self.write_deferred(batch)?;
        self.wait_durable(ticket)
    }

    fn write_deferred(&self, batch: Batch) -> KvResult<u64> {
        let mut wo = WriteOptions::default();
        wo.set_sync(false);
        self.db.write_opt(write_batch(batch), &wo).map_err(io)?;
        // At least this batch's sequence number (later writers only raise it).
        Ok(self.db.latest_sequence_number())
    }

    fn wait_durable(&self, ticket: u64) -> KvResult<()> {
        if !self.sync {
            return Ok(());
        }
        let g = &self.group;
        let mut st = g.state.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            if st.synced >= ticket {
                return Ok(());
            }
            if st.syncing {
                st = g.done.wait(st).unwrap_or_else(|p| p.into_inner());
                continue;
            }
            st.syncing = true;
            let target = self.db.latest_sequence_number();
            drop(st);
            self.run_sync(target)?;
            st = g.state.lock().unwrap_or_else(|p| p.into_inner());
        }
    }

    fn durable_watch(&self) -> Option<tokio::sync::watch::Receiver<u64>> {
        self.sync.then(|| self.group.watch.subscribe())
    }

    fn begin_sync(&self) -> Option<u64> {
        if !self.sync {
            return None;
        }
        let mut st = self.group.state.lock().unwrap_or_else(|p| p.into_inner());
        if st.syncing {
            return None;
        }
        st.syncing = true;
        Some(self.db.latest_sequence_number())
    }

    fn run_sync(&self, target: u64) -> KvResult<()> {
        let g = &self.group;
        let res = self.db.flush_wal(true);
        let mut st = g.state.lock().unwrap_or_else(|p| p.into_inner());
        st.syncing = false;
        if res.is_ok() {
            st.synced = st.synced.max(target);
            g.watch.send_replace(st.synced);
        }
        drop(st);
        g.done.notify_all();
        res.map_err(io)
    }

    fn with_snapshot(&self, f: &mut dyn FnMut(&dyn KvRead) -> KvResult<()>) -> KvResult<()> {
        let snap = RocksSnapshot {
            snap: self.db.snapshot(),
        };
        f(&snap)
    }
}
