//! `RocksKv`: the `Kv` trait on RocksDB. This is the only file in the crate that uses `rocksdb`.

use super::log::{Opening, SegLog};
use super::{Batch, Direction, KeyCodec, Kv, KvError, KvRead, KvResult, Pair, WriteOp};
use rocksdb::{
    BlockBasedOptions, Cache, Direction as RDir, IteratorMode, Options, ReadOptions, WriteBatch,
    WriteOptions, DB,
};
use std::ops::Bound;
use std::path::Path;
use std::sync::Arc;

pub struct RocksKv {
    db: Arc<DB>,
    /// The write-ahead log: RocksDB's own WAL is off (see `log/mod.rs` for why).
    log: Arc<SegLog>,
    /// The flush thread and the sync thread (`log/group.rs`).
    threads: Vec<std::thread::JoinHandle<()>>,
}

fn io(e: rocksdb::Error) -> KvError {
    KvError::Io(e.to_string())
}

fn no_wal() -> WriteOptions {
    let mut wo = WriteOptions::default();
    wo.disable_wal(true);
    wo
}

/// A log lsn up to which the database holds every batch (0 for a database that never had
/// one). A lower bound: it is written just before each flush, not with every batch, and the
/// replay from it is idempotent (batches are blind puts and deletes, reapplied in order).
fn applied_lsn(db: &DB) -> KvResult<u64> {
    match db.get(KeyCodec::log_lsn()).map_err(io)? {
        None => Ok(0),
        Some(v) => v
            .as_slice()
            .try_into()
            .map(u64::from_be_bytes)
            .map_err(|_| KvError::Corrupt("malformed log lsn record".into())),
    }
}

impl RocksKv {
    /// Opens (creating if needed) the database at `path`, replaying its log (`path/cosd-log`)
    /// after a crash. With `sync`, every acknowledged batch is durable (fdatasync'd); without
    /// it, written to the page cache (survives a killed process, not a power loss).
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
        // ...but pinned for level 0 and the top level: a PUT's lookup of a new key otherwise
        // spent a third of its time fetching filter blocks through the LRU cache (perf).
        table.set_pin_l0_filter_and_index_blocks_in_cache(true);
        table.set_pin_top_level_index_and_filter(true);
        opts.set_block_based_table_factory(&table);
        opts.set_level_compaction_dynamic_level_bytes(true);
        // No block compression. Most bytes here are the bodies of small objects stored
        // inline, user data that is often already compressed (chunk files are not compressed
        // either), and RocksDB's default Snappy ran over them at every flush and compaction.
        // 4 KiB PUT c16, 30 s on one growing server, four pairs: flush and compaction took
        // 14.3-16.5 against 17.7-21.0 µs of CPU per PUT. (Throughput differences were within
        // the machine's run-to-run noise.)
        opts.set_compression_type(rocksdb::DBCompressionType::None);
        // A database written by an earlier cosd may still have RocksDB WAL files: open replays
        // and flushes them as usual; every write from here on bypasses that WAL.
        let db = Arc::new(DB::open(&opts, path).map_err(io)?);
        let persisted = applied_lsn(&db)?;
        let opening = Opening::read(&path.join("cosd-log"), persisted)?;
        if !opening.replay.is_empty() {
            tracing::info!(
                records = opening.replay.len(),
                from_lsn = persisted + 1,
                "replaying the metadata log"
            );
            for (_, batch) in &opening.replay {
                db.write_opt(write_batch(batch), &no_wal()).map_err(io)?;
            }
            // The new generation must not start before the replayed batches are persistent.
            let last = opening.replay.last().map_or(persisted, |(lsn, _)| *lsn);
            persist(&db, last)?;
        }
        let log = Arc::new(opening.start(sync, persisted)?);
        let spawn = |name: &str, f: Box<dyn FnOnce() + Send>| {
            std::thread::Builder::new()
                .name(name.into())
                .spawn(f)
                .map_err(|e| KvError::Io(format!("starting {name}: {e}")))
        };
        let (fdb, flog, slog) = (Arc::clone(&db), Arc::clone(&log), Arc::clone(&log));
        let threads = vec![
            spawn("cosd-log-flush", Box::new(move || flush_loop(&fdb, &flog)))?,
            spawn("cosd-log-sync", Box::new(move || sync_loop(&slog)))?,
        ];
        Ok(RocksKv { db, log, threads })
    }

    /// Flushes memtables: every batch so far becomes persistent without the log.
    pub fn flush(&self) -> KvResult<()> {
        persist(&self.db, self.log.last_lsn())
    }
}

#[cfg(test)]
impl RocksKv {
    /// A flush RocksDB makes on its own (a full memtable): the recorded lsn is not advanced.
    pub fn flush_tables_only(&self) -> KvResult<()> {
        self.db.flush().map_err(io)
    }
}

/// Flushes the memtable after recording that every batch up to `lsn` (all applied) is in it.
fn persist(db: &DB, lsn: u64) -> KvResult<()> {
    db.put_opt(KeyCodec::log_lsn(), lsn.to_be_bytes(), &no_wal())
        .map_err(io)?;
    db.flush().map_err(io)
}

/// Flushes the memtable whenever a log segment fills, so that segment can be reused.
fn flush_loop(db: &DB, log: &SegLog) {
    while let Some(upto) = log.next_flush() {
        if let Err(e) = persist(db, upto) {
            // Nothing is lost: the segments stay in use until a later flush succeeds.
            tracing::warn!(error = %e, "flushing the metadata memtable failed");
            continue;
        }
        log.flushed(upto);
    }
}

/// Makes appended batches durable (group commit). A failed log write or sync leaves nothing
/// trustworthy (the "fsyncgate" lesson: a retried fsync may report success for lost pages),
/// and writers are waiting to acknowledge: stop the process, and let recovery replay what is
/// durable.
fn sync_loop(log: &SegLog) {
    if let Err(e) = log.run_syncs() {
        tracing::error!(error = %e, "syncing the metadata log failed; aborting");
        // The log writer is a background thread that dies with us: say it directly too.
        eprintln!("cosd: syncing the metadata log failed ({e}); aborting");
        std::process::abort();
    }
}

impl Drop for RocksKv {
    fn drop(&mut self) {
        self.log.stop();
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
        // A clean close: persist everything so the next open reads no log.
        if let Err(e) = self.close() {
            tracing::warn!(error = %e, "final metadata flush failed; the log will be replayed");
        }
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
        if in_lower && in_upper && k != KeyCodec::log_lsn() {
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

fn write_batch(batch: &Batch) -> WriteBatch {
    let mut wb = WriteBatch::default();
    for op in &batch.ops {
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
        self.log.append(&batch, || {
            self.db
                .write_opt(write_batch(&batch), &no_wal())
                .map_err(io)
        })
    }

    fn wait_durable(&self, ticket: u64) -> KvResult<()> {
        self.log.wait_durable(ticket);
        Ok(())
    }

    fn durable_watch(&self) -> Option<tokio::sync::watch::Receiver<u64>> {
        self.log.durable_watch()
    }

    fn request_sync(&self, ticket: u64) {
        self.log.request_sync(ticket)
    }

    fn close(&self) -> KvResult<()> {
        if self.log.is_clean() {
            return Ok(());
        }
        let upto = self.log.last_lsn();
        persist(&self.db, upto)?;
        self.log.mark_clean(upto)
    }

    fn with_snapshot(&self, f: &mut dyn FnMut(&dyn KvRead) -> KvResult<()>) -> KvResult<()> {
        let snap = RocksSnapshot {
            snap: self.db.snapshot(),
        };
        f(&snap)
    }
}
