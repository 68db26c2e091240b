//! cosd's write-ahead log for the metadata store, in place of RocksDB's own WAL.
//!
//! Why: a small PUT is acknowledged only once its batch is durable, and on ext4 an append to a
//! growing file plus `fdatasync` costs ~383 µs (size and extent metadata must be written too),
//! against ~153 µs to overwrite blocks already allocated. RocksDB 7.8 can reuse WAL files
//! (`recycle_log_file_num`) but silently turns that off under point-in-time recovery, the only
//! safe mode. So the store writes RocksDB with its WAL disabled and logs every batch here, in
//! pre-zeroed segment files (`segment.rs`) that are overwritten in place, with group commit.
//!
//! Ordering: a batch gets its lsn and is applied to RocksDB's memtable under one lock, so the
//! log order is the database order. Before each memtable flush the store records the last
//! applied lsn under `KeyCodec::log_lsn`, so after a crash the database itself says from where
//! to replay the log (`recover.rs`). That lsn may lag behind the tables (RocksDB also flushes
//! on its own), which is harmless: batches are blind puts and deletes, so reapplying a run of
//! them in order over a state that already holds them changes nothing. A segment is reused
//! only after a flush that recorded an lsn at or beyond its last batch.

mod direct;
mod group;
mod record;
mod recover;
mod segment;

use crate::meta::{Batch, KvError, KvResult};
use group::GroupSync;
use segment::{GenState, Segment};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

fn io(what: &str, e: std::io::Error) -> KvError {
    KvError::Io(format!("metadata log: {what}: {e}"))
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Bytes appended but not yet written to their segment (written at the next group sync).
struct Pending {
    seg: Arc<Segment>,
    off: u64,
    bytes: Vec<u8>,
}

struct State {
    gen: u64,
    next_lsn: u64,
    cur: Arc<Segment>,
    off: u64,
    /// Full segments, with the last lsn written to each: reusable once that lsn is flushed.
    sealed: Vec<(Arc<Segment>, u64)>,
    free: Vec<Arc<Segment>>,
    pending: Vec<Pending>,
    next_id: u64,
    /// GEN says "clean": the next append must first say "dirty" again.
    clean: bool,
}

#[derive(Default)]
struct FlushState {
    /// Sealed segments hold `FLUSH_AT` bytes: a memtable flush would let them be reused.
    wanted: bool,
    /// No free segment is left: prepare one before the current one fills.
    spare: bool,
    stop: bool,
}

/// Sealed segments are freed by a memtable flush once they hold this much: RocksDB's default
/// memtable size, so the log asks for flushes about as often as RocksDB would make them.
const FLUSH_AT: u64 = 64 << 20;

pub struct SegLog {
    dir: PathBuf,
    sync: bool,
    flush_at: u64,
    state: Mutex<State>,
    group: GroupSync,
    /// Used by the sync thread only.
    direct: Mutex<direct::DirectWriter>,
    flush: Mutex<FlushState>,
    flush_cv: Condvar,
}

/// The size of a new segment: as large as all the others together (the log doubles while it
/// grows to what the write rate needs between flushes), at least 1 MiB, at most 64 MiB.
fn next_size(st: &State) -> u64 {
    let total = st.cur.size
        + st.free.iter().map(|s| s.size).sum::<u64>()
        + st.sealed.iter().map(|(s, _)| s.size).sum::<u64>();
    total.clamp(segment::FIRST_SIZE, segment::MAX_SIZE)
}

/// A log read at open: the batches to replay before [`Opening::start`].
pub struct Opening {
    dir: PathBuf,
    gen: u64,
    segments: Vec<Segment>,
    pub replay: Vec<(u64, Batch)>,
}

impl Opening {
    /// Reads the log in `dir` and finds the batches after `persisted`, the last lsn the
    /// database's flushed tables hold.
    pub fn read(dir: &Path, persisted: u64) -> KvResult<Opening> {
        let segments = segment::open_all(dir).map_err(|e| io("opening segments", e))?;
        let gen = segment::read_gen(dir).map_err(|e| io("reading GEN", e))?;
        let replay = match gen {
            None if !segments.is_empty() => {
                return Err(KvError::Corrupt(format!(
                    "metadata log {} has segments but no GEN file",
                    dir.display()
                )))
            }
            None | Some(GenState { clean: true, .. }) => Vec::new(),
            Some(GenState { gen, clean: false }) => {
                let data = segments
                    .iter()
                    .map(|s| s.read_all().map_err(|e| io("reading a segment", e)));
                recover::chain(data, gen, persisted)?
            }
        };
        Ok(Opening {
            dir: dir.to_path_buf(),
            gen: gen.map_or(0, |g| g.gen),
            segments,
            replay,
        })
    }

    /// Starts a new generation (durably, before any record of it is written) and returns
    /// the log, ready to append. Call once the replayed batches are persistent (flushed).
    pub fn start(self, sync: bool, persisted: u64) -> KvResult<SegLog> {
        let last = self.replay.last().map_or(persisted, |(lsn, _)| *lsn);
        let gen = self.gen + 1;
        let dir = self.dir;
        segment::write_gen(&dir, GenState { gen, clean: false })
            .map_err(|e| io("writing GEN", e))?;
        let mut segments: Vec<Arc<Segment>> = self.segments.into_iter().map(Arc::new).collect();
        let next_id = segments.iter().map(|s| s.id).max().unwrap_or(0) + 1;
        segments.sort_by_key(|s| s.size);
        let cur = match segments.pop() {
            Some(s) => s,
            None => Arc::new(
                segment::create(&dir, next_id, segment::FIRST_SIZE)
                    .map_err(|e| io("creating a segment", e))?,
            ),
        };
        let state = State {
            gen,
            next_lsn: last.max(persisted) + 1,
            next_id: next_id.max(cur.id + 1),
            cur,
            off: 0,
            sealed: Vec::new(),
            free: segments,
            pending: Vec::new(),
            clean: false,
        };
        Ok(SegLog {
            dir,
            sync,
            flush_at: FLUSH_AT,
            state: Mutex::new(state),
            group: GroupSync::default(),
            direct: Mutex::default(),
            flush: Mutex::default(),
            flush_cv: Condvar::new(),
        })
    }
}

impl SegLog {
    /// Logs `batch` and, under the same lock (so the database applies batches in log order),
    /// calls `apply`. Returns the lsn: a ticket for [`SegLog::wait_durable`]. The
    /// record reaches its segment at the next group sync.
    pub fn append(&self, batch: &Batch, apply: impl FnOnce() -> KvResult<()>) -> KvResult<u64> {
        let len = record::encoded_len(batch) as u64;
        let mut st = lock(&self.state);
        if st.clean {
            self.set_clean(&mut st, false)?;
        }
        if st.off + len > st.cur.size {
            self.rotate(&mut st, len)?;
        }
        let lsn = st.next_lsn;
        let st = &mut *st;
        if !self.sync {
            // Not durable, but written to the page cache before it is acknowledged, so a
            // killed process loses nothing: write it now, no group sync to wait for.
            let mut bytes = Vec::with_capacity(len as usize);
            record::encode(st.gen, lsn, batch, &mut bytes);
            st.cur
                .write_at(&bytes, st.off)
                .map_err(|e| io("writing", e))?;
            if let Err(e) = apply() {
                // Unlog it (best effort: the next record overwrites it anyway).
                let _ = st.cur.write_at(&[0; 4], st.off);
                return Err(e);
            }
        } else {
            apply()?;
            match st.pending.last_mut() {
                Some(p)
                    if p.off + p.bytes.len() as u64 == st.off && Arc::ptr_eq(&p.seg, &st.cur) =>
                {
                    record::encode(st.gen, lsn, batch, &mut p.bytes)
                }
                _ => {
                    let mut bytes = Vec::with_capacity(len as usize);
                    record::encode(st.gen, lsn, batch, &mut bytes);
                    let seg = Arc::clone(&st.cur);
                    st.pending.push(Pending {
                        seg,
                        off: st.off,
                        bytes,
                    });
                }
            }
        }
        st.next_lsn += 1;
        st.off += len;
        Ok(lsn)
    }

    /// Moves to the largest free segment that fits `need` bytes (creating one if there is
    /// none), and asks the flush thread for a flush or a spare segment as needed.
    fn rotate(&self, st: &mut State, need: u64) -> KvResult<()> {
        let fits = (0..st.free.len())
            .filter(|&i| st.free[i].size >= need)
            .max_by_key(|&i| st.free[i].size);
        let next = match fits {
            Some(i) => st.free.swap_remove(i),
            None => {
                let size = need.max(next_size(st));
                let seg = segment::create(&self.dir, st.next_id, size)
                    .map_err(|e| io("creating a segment", e))?;
                st.next_id += 1;
                Arc::new(seg)
            }
        };
        let full = std::mem::replace(&mut st.cur, next);
        if st.off > 0 {
            st.sealed.push((full, st.next_lsn - 1));
        } else {
            st.free.push(full);
        }
        st.off = 0;
        let sealed: u64 = st.sealed.iter().map(|(s, _)| s.size).sum();
        let mut f = lock(&self.flush);
        f.wanted |= sealed >= self.flush_at;
        f.spare |= st.free.is_empty();
        drop(f);
        self.flush_cv.notify_all();
        Ok(())
    }

    /// For the flush thread: prepares spare segments when asked, and blocks until the sealed
    /// segments call for a flush; then returns the last lsn applied so far (a flush started
    /// after this call makes it persistent). None: stop.
    pub fn next_flush(&self) -> Option<u64> {
        let mut f = lock(&self.flush);
        loop {
            if f.stop {
                return None;
            }
            if f.spare {
                f.spare = false;
                drop(f);
                if let Err(e) = self.add_spare() {
                    // The writer creates one itself when it finds none free.
                    tracing::warn!(error = %e, "preparing a metadata log segment failed");
                }
                f = lock(&self.flush);
                continue;
            }
            if f.wanted {
                f.wanted = false;
                drop(f);
                return Some(lock(&self.state).next_lsn - 1);
            }
            f = self.flush_cv.wait(f).unwrap_or_else(|p| p.into_inner());
        }
    }

    fn add_spare(&self) -> KvResult<()> {
        let (id, size) = {
            let mut st = lock(&self.state);
            if !st.free.is_empty() {
                return Ok(());
            }
            st.next_id += 1;
            (st.next_id - 1, next_size(&st))
        };
        let seg = segment::create(&self.dir, id, size).map_err(|e| io("creating a segment", e))?;
        lock(&self.state).free.push(Arc::new(seg));
        Ok(())
    }

    /// For the flush thread: every batch up to `upto` is persistent in the database; the
    /// segments it covers are free again.
    pub fn flushed(&self, upto: u64) {
        let mut st = lock(&self.state);
        let (done, keep): (Vec<_>, Vec<_>) =
            st.sealed.drain(..).partition(|(_, last)| *last <= upto);
        st.sealed = keep;
        st.free.extend(done.into_iter().map(|(s, _)| s));
    }

    /// Ends [`SegLog::next_flush`] waits and [`SegLog::run_syncs`].
    pub fn stop(&self) {
        lock(&self.flush).stop = true;
        self.flush_cv.notify_all();
        self.group.stop();
    }

    /// Records that every batch is persistent in the database (after a final flush at a clean
    /// close), so the next open needs no scan.
    /// `persisted_upto` is the lsn the flush recorded: a batch appended since keeps it dirty.
    pub fn mark_clean(&self, persisted_upto: u64) -> KvResult<()> {
        let mut st = lock(&self.state);
        if st.next_lsn - 1 != persisted_upto {
            return Ok(());
        }
        self.set_clean(&mut st, true)
    }

    /// Says in GEN (durably) whether every batch is persistent in the database.
    fn set_clean(&self, st: &mut State, clean: bool) -> KvResult<()> {
        segment::write_gen(&self.dir, GenState { gen: st.gen, clean })
            .map_err(|e| io("writing GEN", e))?;
        st.clean = clean;
        Ok(())
    }

    /// True after [`SegLog::mark_clean`] until the next append.
    pub fn is_clean(&self) -> bool {
        lock(&self.state).clean
    }

    /// Writes out every pending record and makes it durable.
    fn write_pending(&self) -> KvResult<()> {
        let pending = std::mem::take(&mut lock(&self.state).pending);
        let mut touched: Vec<&Arc<Segment>> = Vec::new();
        let mut direct = lock(&self.direct);
        for p in &pending {
            direct
                .write_or_buffered(&p.seg, p.off, &p.bytes)
                .map_err(|e| io("writing", e))?;
            if !touched.iter().any(|s| Arc::ptr_eq(s, &p.seg)) {
                touched.push(&p.seg);
            }
        }
        for seg in touched {
            seg.sync_data().map_err(|e| io("syncing", e))?;
        }
        Ok(())
    }

    /// The last lsn handed out (what a sync claimed now would cover; every batch up to it is
    /// applied).
    pub fn last_lsn(&self) -> u64 {
        lock(&self.state).next_lsn - 1
    }

    /// Blocks until every batch up to `ticket` is durable.
    pub fn wait_durable(&self, ticket: u64) {
        if self.sync {
            self.group.wait(ticket);
        }
    }

    /// None without `sync`: every batch is as durable as configured once appended.
    pub fn durable_watch(&self) -> Option<tokio::sync::watch::Receiver<u64>> {
        self.sync.then(|| self.group.watch())
    }

    /// Asks the sync thread to make every batch up to `ticket` durable (returns at once).
    pub fn request_sync(&self, ticket: u64) {
        if self.sync {
            self.group.request(ticket);
        }
    }

    /// The sync thread's body (see `group.rs`); returns when [`SegLog::stop`] is called, or
    /// with the error of a failed write or sync.
    pub fn run_syncs(&self) -> KvResult<()> {
        if !self.sync {
            return Ok(());
        }
        self.group.run(|| self.last_lsn(), || self.write_pending())
    }
}

#[cfg(test)]
mod tests;
