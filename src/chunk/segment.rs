//! `SegmentStore`: chunks appended to segment files, `seg/<8 hex digits>`, instead of a file
//! each.
//!
//! A new file is a new inode, and on ext4 without a journal every new inode costs a search past
//! the recently freed ones: with one file per 4 MiB chunk, `openat` + `mkdir` + `rename` + two
//! fsyncs took 10-30% of the server's CPU on large PUTs (31% of it with 1 MiB chunks), and each
//! chunk cost the device ~8 small metadata writes besides its data. Appending to a segment
//! costs one extending `O_DIRECT` write and one `fdatasync`.
//!
//! A record is one [`HEADER`] block (magic, chunk id, length, CRC-64 of those) followed by the
//! data, padded to [`ALIGN`]. Every writer holds a segment of its own while it appends (up to
//! one segment per concurrent `put`), and a record is synced before the next is appended to
//! the same segment, so a crash can tear only a segment's last record. The index (id →
//! segment, offset, length) lives in memory and is rebuilt at open by walking the headers; the
//! last record of a segment that was not sealed is checked against its id (BLAKE3) and dropped
//! when torn; the segment is then sealed (a `SEAL` header), so it is checked once.
//!
//! Deleting a chunk takes it out of the index (a read checks the index again after reading,
//! so it never returns bytes being punched out), rewrites its header as `DEAD` and syncs it (so
//! a crash cannot bring back an index entry whose bytes are gone), then punches the data out
//! of the file (`FALLOC_FL_PUNCH_HOLE`); a segment that no writer holds is removed once
//! nothing in it lives. Only the first 64 bytes of a header block change, inside one 512-byte sector, which
//! devices write whole.
//!
//! Walking the headers at open costs one small read per chunk (a second or so per TiB of
//! chunks); a checkpointed index would remove it when stores get that large.

use super::buf::write_padded_at as write_padded;
use super::{chunk_id, ChunkError, ChunkId, ChunkStore, ALIGN};
use crate::checksum::crc64;
use std::collections::{HashMap, HashSet};
use std::fs::{self, File, OpenOptions};
use std::io::{Read, Seek, SeekFrom};
use std::os::unix::fs::{FileExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};

/// A segment takes no new records past this size.
const SEG_MAX: u64 = 1 << 30;
/// The header block before each record's data.
const HEADER: u64 = ALIGN as u64;
const LIVE: &[u8; 8] = b"COSDCHNK";
const DEAD: &[u8; 8] = b"COSDDEAD";
const SEAL: &[u8; 8] = b"COSDSEAL";
/// Magic, id, length, CRC-64 of the three.
const HEADER_BYTES: usize = 8 + 32 + 8 + 8;

/// Where a chunk's record starts, and the chunk's length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Loc {
    seg: u32,
    off: u64,
    len: u64,
}

fn padded(len: u64) -> u64 {
    len.div_ceil(HEADER) * HEADER
}

fn encode_header(magic: &[u8; 8], id: &ChunkId, len: u64) -> [u8; HEADER_BYTES] {
    let mut h = [0u8; HEADER_BYTES];
    h[..8].copy_from_slice(magic);
    h[8..40].copy_from_slice(id);
    h[40..48].copy_from_slice(&len.to_le_bytes());
    let crc = crc64(&h[..48]);
    h[48..].copy_from_slice(&crc.to_le_bytes());
    h
}

/// A header's magic, id and length; None for anything else (zeros, a torn write, garbage).
fn decode_header(h: &[u8]) -> Option<([u8; 8], ChunkId, u64)> {
    let h = h.get(..HEADER_BYTES)?;
    let crc = u64::from_le_bytes(h[48..].try_into().ok()?);
    if crc64(&h[..48]) != crc {
        return None;
    }
    let magic: [u8; 8] = h[..8].try_into().ok()?;
    if ![LIVE, DEAD, SEAL].contains(&&magic) {
        return None;
    }
    Some((
        magic,
        h[8..40].try_into().ok()?,
        u64::from_le_bytes(h[40..48].try_into().ok()?),
    ))
}

#[derive(Default)]
struct Index {
    map: HashMap<ChunkId, Loc>,
    /// Ids being appended now: a second `put` of one waits for the first.
    pending: HashSet<ChunkId>,
    /// Live records per segment.
    live: HashMap<u32, usize>,
    /// Segments a writer holds (in the pool or appending).
    open: HashSet<u32>,
}

/// A segment being appended to, held by one writer at a time.
struct Writer {
    seg: u32,
    file: File,
    direct: bool,
    tail: u64,
}

pub struct SegmentStore {
    dir: PathBuf,
    index: Mutex<Index>,
    settled: Condvar,
    pool: Mutex<Vec<Writer>>,
    next: AtomicU32,
    /// [`SEG_MAX`] (smaller in tests).
    seg_max: u64,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn open_write(path: &Path, create: bool, direct: bool) -> std::io::Result<File> {
    let mut o = OpenOptions::new();
    o.write(true);
    if create {
        o.create_new(true);
    }
    if direct {
        o.custom_flags(libc::O_DIRECT);
    }
    o.open(path)
}

fn is_einval(e: &std::io::Error) -> bool {
    e.raw_os_error() == Some(libc::EINVAL)
}

/// Writes a header block at `off` of `file` and syncs it.
fn write_header(file: &File, off: u64, header: &[u8]) -> std::io::Result<()> {
    write_padded(file, off, header)?;
    file.sync_data()
}

/// The records of one segment file, as its headers say.
struct Walk {
    live: Vec<(ChunkId, Loc)>,
    /// Where the valid records end.
    end: u64,
    sealed: bool,
    /// The last record appended, if it is live: the one a crash may have torn.
    last_live: Option<(ChunkId, Loc)>,
}

fn walk(file: &File, seg: u32) -> std::io::Result<Walk> {
    let size = file.metadata()?.len();
    let mut w = Walk {
        live: Vec::new(),
        end: 0,
        sealed: false,
        last_live: None,
    };
    let mut h = [0u8; HEADER_BYTES];
    while w.end + HEADER <= size {
        file.read_exact_at(&mut h, w.end)?;
        let Some((magic, id, len)) = decode_header(&h) else {
            break;
        };
        if &magic == SEAL {
            w.sealed = true;
            break;
        }
        let next = w.end + HEADER + padded(len);
        if next > size {
            break;
        }
        let loc = Loc {
            seg,
            off: w.end,
            len,
        };
        w.last_live = None;
        if &magic == LIVE {
            w.live.push((id, loc));
            w.last_live = Some((id, loc));
        }
        w.end = next;
    }
    Ok(w)
}

fn seg_name(seg: u32) -> String {
    format!("{seg:08x}")
}

impl SegmentStore {
    /// Opens the store under `root` (`root/seg`), rebuilding the index from the segments.
    pub fn open(root: &Path) -> Result<SegmentStore, ChunkError> {
        let dir = root.join("seg");
        fs::create_dir_all(&dir)?;
        let mut segs = Vec::new();
        for entry in fs::read_dir(&dir)? {
            let name = entry?.file_name();
            if let Some(n) = name.to_str().and_then(|n| u32::from_str_radix(n, 16).ok()) {
                segs.push(n);
            }
        }
        segs.sort_unstable();
        let mut index = Index::default();
        for &seg in &segs {
            let path = dir.join(seg_name(seg));
            let file = File::open(&path)?;
            let mut w = walk(&file, seg)?;
            if !w.sealed {
                if let Some((id, loc)) = w.last_live {
                    if !intact(&file, &id, &loc)? {
                        tracing::warn!(segment = seg, "dropping a torn last record");
                        w.live.retain(|(i, l)| !(i == &id && *l == loc));
                        w.end = loc.off;
                    }
                }
                // Checked once: later opens trust it.
                if let Err(e) = seal(&path, w.end) {
                    tracing::warn!(segment = seg, error = %e, "could not seal a segment");
                }
            }
            for (id, loc) in w.live {
                // A chunk twice (never written so, but harmless): the first copy serves.
                if let std::collections::hash_map::Entry::Vacant(v) = index.map.entry(id) {
                    v.insert(loc);
                    *index.live.entry(seg).or_default() += 1;
                }
            }
            if !index.live.contains_key(&seg) {
                let _ = fs::remove_file(&path);
            }
        }
        Ok(SegmentStore {
            dir,
            index: Mutex::new(index),
            settled: Condvar::new(),
            pool: Mutex::new(Vec::new()),
            next: AtomicU32::new(segs.last().map_or(1, |s| s + 1)),
            seg_max: SEG_MAX,
        })
    }

    fn path(&self, seg: u32) -> PathBuf {
        self.dir.join(seg_name(seg))
    }

    /// A segment to append to: one from the pool, or a new one.
    fn take_writer(&self) -> Result<Writer, ChunkError> {
        if let Some(w) = lock(&self.pool).pop() {
            return Ok(w);
        }
        let seg = self.next.fetch_add(1, Ordering::Relaxed);
        let path = self.path(seg);
        let (file, direct) = match open_write(&path, true, true) {
            Ok(f) => (f, true),
            // No O_DIRECT here (tmpfs, some overlay filesystems): write through the cache.
            Err(e) if is_einval(&e) => {
                let _ = fs::remove_file(&path);
                (open_write(&path, true, false)?, false)
            }
            Err(e) => return Err(e.into()),
        };
        super::fs::fsync_dir(&self.dir)?;
        lock(&self.index).open.insert(seg);
        Ok(Writer {
            seg,
            file,
            direct,
            tail: 0,
        })
    }

    /// Returns a writer to the pool, or seals its segment once it is full.
    fn give_back(&self, w: Writer) {
        if w.tail < self.seg_max {
            lock(&self.pool).push(w);
            return;
        }
        let header = encode_header(SEAL, &[0; 32], 0);
        if let Err(e) = write_header(&w.file, w.tail, &header) {
            tracing::warn!(segment = w.seg, error = %e, "could not seal a segment");
        }
        self.retire(w.seg);
    }

    /// No writer holds `seg` any more: remove it if nothing in it lives.
    fn retire(&self, seg: u32) {
        let mut ix = lock(&self.index);
        ix.open.remove(&seg);
        if ix.live.get(&seg).copied().unwrap_or(0) == 0 {
            ix.live.remove(&seg);
            let _ = fs::remove_file(self.path(seg));
        }
    }

    /// Appends a record of `data` to `w` and syncs it.
    fn append(&self, w: &mut Writer, id: &ChunkId, data: &[u8]) -> std::io::Result<Loc> {
        let off = w.tail;
        let header = encode_header(LIVE, id, data.len() as u64);
        let write = |f: &File| -> std::io::Result<()> {
            write_padded(f, off, &header)?;
            if !data.is_empty() {
                write_padded(f, off + HEADER, data)?;
            }
            f.sync_data()
        };
        match write(&w.file) {
            Err(e) if w.direct && is_einval(&e) => {
                w.file = open_write(&self.path(w.seg), false, false)?;
                w.direct = false;
                write(&w.file)?;
            }
            r => r?,
        }
        w.tail = off + HEADER + padded(data.len() as u64);
        Ok(Loc {
            seg: w.seg,
            off,
            len: data.len() as u64,
        })
    }
}

/// Whether the record at `loc` holds the chunk `id`.
fn intact(file: &File, id: &ChunkId, loc: &Loc) -> std::io::Result<bool> {
    let mut data = vec![0u8; loc.len as usize];
    file.read_exact_at(&mut data, loc.off + HEADER)?;
    Ok(chunk_id(&data) == *id)
}

/// Appends a `SEAL` header at `end` of the segment at `path` and syncs it.
fn seal(path: &Path, end: u64) -> std::io::Result<()> {
    let header = encode_header(SEAL, &[0; 32], 0);
    let file = match open_write(path, false, true) {
        Err(e) if is_einval(&e) => open_write(path, false, false)?,
        r => r?,
    };
    match write_header(&file, end, &header) {
        Err(e) if is_einval(&e) => write_header(&open_write(path, false, false)?, end, &header),
        r => r,
    }
}

impl ChunkStore for SegmentStore {
    fn put(&self, id: &ChunkId, data: &[u8]) -> Result<bool, ChunkError> {
        {
            let mut ix = lock(&self.index);
            loop {
                if ix.map.contains_key(id) {
                    return Ok(false);
                }
                if !ix.pending.contains(id) {
                    break;
                }
                ix = self.settled.wait(ix).unwrap_or_else(|p| p.into_inner());
            }
            ix.pending.insert(*id);
        }
        let appended = self.take_writer().and_then(|mut w| {
            match self.append(&mut w, id, data) {
                Ok(loc) => Ok((loc, w)),
                Err(e) => {
                    // The segment's tail may be torn: no more records after it.
                    let seg = w.seg;
                    drop(w);
                    self.retire(seg);
                    Err(ChunkError::Io(e))
                }
            }
        });
        let mut ix = lock(&self.index);
        ix.pending.remove(id);
        let out = match appended {
            Ok((loc, w)) => {
                ix.map.insert(*id, loc);
                *ix.live.entry(loc.seg).or_default() += 1;
                drop(ix);
                // Only now, indexed: a full segment is retired here, and removed if nothing
                // in it lives.
                self.give_back(w);
                Ok(true)
            }
            Err(e) => Err(e),
        };
        self.settled.notify_all();
        out
    }

    fn read(&self, id: &ChunkId, offset: u64, len: usize) -> Result<Vec<u8>, ChunkError> {
        let loc = lock(&self.index)
            .map
            .get(id)
            .copied()
            .ok_or_else(|| ChunkError::Missing(hex::encode(id)))?;
        if offset.saturating_add(len as u64) > loc.len {
            return Err(ChunkError::Io(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                format!("chunk {} is shorter than its record says", hex::encode(id)),
            )));
        }
        let mut f = File::open(self.path(loc.seg))?;
        f.seek(SeekFrom::Start(loc.off + HEADER + offset))?;
        // Read into spare capacity (`read_to_end` does not zero it first).
        let mut buf = Vec::with_capacity(len);
        f.take(len as u64).read_to_end(&mut buf)?;
        if buf.len() != len {
            return Err(ChunkError::Io(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                format!("segment {} ends inside chunk {}", loc.seg, hex::encode(id)),
            )));
        }
        // A delete takes the chunk out of the index before it punches the bytes out: still
        // indexed now means they were there while read.
        if lock(&self.index).map.get(id) != Some(&loc) {
            return Err(ChunkError::Missing(hex::encode(id)));
        }
        Ok(buf)
    }

    fn exists(&self, id: &ChunkId) -> bool {
        lock(&self.index).map.contains_key(id)
    }

    fn delete(&self, id: &ChunkId) -> Result<(), ChunkError> {
        // Out of the index first, so no read can return bytes being punched out (reads check
        // the index again after reading). Should the tombstone fail, the record is still live
        // on disk and comes back at the next open as an orphan, which the collector removes.
        let (loc, empty) = {
            let mut ix = lock(&self.index);
            let Some(loc) = ix.map.remove(id) else {
                return Ok(());
            };
            let live = ix.live.entry(loc.seg).or_default();
            *live = live.saturating_sub(1);
            let empty = *live == 0 && !ix.open.contains(&loc.seg);
            if empty {
                ix.live.remove(&loc.seg);
            }
            (loc, empty)
        };
        let path = self.path(loc.seg);
        if empty {
            fs::remove_file(&path)?;
            return Ok(());
        }
        // The tombstone is durable before the bytes go, so no crash revives an empty chunk.
        let header = encode_header(DEAD, id, loc.len);
        let file = match open_write(&path, false, true) {
            Err(e) if is_einval(&e) => open_write(&path, false, false)?,
            r => r?,
        };
        match write_header(&file, loc.off, &header) {
            Err(e) if is_einval(&e) => {
                write_header(&open_write(&path, false, false)?, loc.off, &header)?
            }
            r => r?,
        }
        if loc.len > 0 {
            punch(&file, loc.off + HEADER, padded(loc.len));
        }
        Ok(())
    }

    fn list(&self) -> Result<Vec<(ChunkId, u64)>, ChunkError> {
        Ok(lock(&self.index)
            .map
            .iter()
            .map(|(id, loc)| (*id, loc.len))
            .collect())
    }
}

/// Frees the blocks of `len` bytes at `off` of `file`; where the filesystem cannot, the space
/// stays allocated until the segment goes.
fn punch(file: &File, off: u64, len: u64) {
    use rustix::fs::FallocateFlags;
    let mode = FallocateFlags::PUNCH_HOLE | FallocateFlags::KEEP_SIZE;
    if let Err(e) = rustix::fs::fallocate(file, mode, off, len) {
        tracing::debug!(error = %e, "could not punch out a deleted chunk");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chunk::{BufPool, FsChunkStore};
    use std::os::unix::fs::MetadataExt;
    use std::sync::Arc;

    fn data(len: usize, seed: usize) -> Vec<u8> {
        (0..len)
            .map(|i| ((i * 31 + seed * 7) % 251) as u8)
            .collect()
    }

    fn segments(root: &Path) -> Vec<PathBuf> {
        let mut v: Vec<_> = fs::read_dir(root.join("seg"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn chunks_of_any_size_round_trip_dedupe_and_delete() {
        let dir = tempfile::tempdir().unwrap();
        let store = SegmentStore::open(dir.path()).unwrap();
        // An aligned, whole chunk from the pool goes straight from its buffer.
        let pool = BufPool::new(64 * 1024, 1);
        let mut b = pool.take();
        b.extend(&data(64 * 1024, 9));
        let aligned = b.freeze();
        let mut all = vec![aligned.to_vec()];
        all.extend([0usize, 1, 4095, 4096, 4097, 100_000].map(|n| data(n, n)));
        for d in &all {
            let id = chunk_id(d);
            assert!(store.put(&id, d).unwrap(), "{}", d.len());
            assert!(!store.put(&id, d).unwrap(), "second put deduplicates");
            assert!(store.exists(&id));
            assert_eq!(store.read(&id, 0, d.len()).unwrap(), *d);
        }
        let big = &all[6];
        let id = chunk_id(big);
        assert_eq!(store.read(&id, 5000, 10).unwrap(), big[5000..5010]);
        assert!(
            store.read(&id, big.len() as u64 - 5, 10).is_err(),
            "past the end"
        );
        let mut listed = store.list().unwrap();
        listed.sort();
        let mut want: Vec<_> = all.iter().map(|d| (chunk_id(d), d.len() as u64)).collect();
        want.sort();
        assert_eq!(listed, want);
        store.delete(&id).unwrap();
        store.delete(&id).unwrap();
        assert!(!store.exists(&id));
        assert!(matches!(store.read(&id, 0, 1), Err(ChunkError::Missing(_))));
    }

    /// Reopening rebuilds the index (deleted chunks stay deleted) and seals the segments; a
    /// segment whose chunks are all deleted goes away.
    #[test]
    fn reopen_rebuilds_the_index_and_reclaims_space() {
        let dir = tempfile::tempdir().unwrap();
        let chunks: Vec<_> = (0..4).map(|i| data(50_000 + i, i)).collect();
        {
            let store = SegmentStore::open(dir.path()).unwrap();
            for d in &chunks {
                store.put(&chunk_id(d), d).unwrap();
            }
            store.delete(&chunk_id(&chunks[0])).unwrap();
        }
        let store = SegmentStore::open(dir.path()).unwrap();
        assert!(!store.exists(&chunk_id(&chunks[0])));
        for d in &chunks[1..] {
            assert_eq!(store.read(&chunk_id(d), 0, d.len()).unwrap(), *d);
        }
        let segs = segments(dir.path());
        assert_eq!(segs.len(), 1);
        let blocks = fs::metadata(&segs[0]).unwrap().blocks();
        store.delete(&chunk_id(&chunks[1])).unwrap();
        assert!(
            fs::metadata(&segs[0]).unwrap().blocks() < blocks,
            "a deleted chunk's blocks are freed"
        );
        // New chunks go to a new segment; the old one goes once nothing in it lives.
        let more = data(10_000, 99);
        store.put(&chunk_id(&more), &more).unwrap();
        for d in &chunks[2..] {
            store.delete(&chunk_id(d)).unwrap();
        }
        assert!(!segs[0].exists());
        assert_eq!(segments(dir.path()).len(), 1);
        assert_eq!(store.list().unwrap(), vec![(chunk_id(&more), 10_000)]);
    }

    /// A crash can tear only a segment's last record: a torn one is dropped, garbage after the
    /// records is ignored, and everything before both survives.
    #[test]
    fn a_torn_last_record_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (data(20_000, 1), data(30_000, 2));
        {
            let store = SegmentStore::open(dir.path()).unwrap();
            store.put(&chunk_id(&a), &a).unwrap();
            store.put(&chunk_id(&b), &b).unwrap();
        }
        let seg = segments(dir.path()).remove(0);
        let f = OpenOptions::new().write(true).open(&seg).unwrap();
        // b's record starts after a's header and padded data; zero part of b's data.
        let b_data = HEADER + padded(a.len() as u64) + HEADER;
        f.write_all_at(&[0u8; 100], b_data + 1000).unwrap();
        let store = SegmentStore::open(dir.path()).unwrap();
        assert_eq!(store.read(&chunk_id(&a), 0, a.len()).unwrap(), a);
        assert!(!store.exists(&chunk_id(&b)), "the torn record is gone");
        drop(store);
        // Sealed now: garbage written after the seal is never read as records.
        let end = fs::metadata(&seg).unwrap().len();
        f.write_all_at(&encode_header(LIVE, &chunk_id(&b), 5), end)
            .unwrap();
        let store = SegmentStore::open(dir.path()).unwrap();
        assert_eq!(store.list().unwrap(), vec![(chunk_id(&a), a.len() as u64)]);
    }

    /// A segment that fills up is sealed and retired, and kept while a chunk in it lives,
    /// including the one whose append filled it.
    #[test]
    fn full_segments_are_sealed_and_kept_while_a_chunk_lives() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = SegmentStore::open(dir.path()).unwrap();
        store.seg_max = 3 * HEADER;
        let (a, b, c) = (data(100, 1), data(100, 2), data(100, 3));
        store.put(&chunk_id(&a), &a).unwrap();
        store.delete(&chunk_id(&a)).unwrap();
        assert_eq!(
            segments(dir.path()).len(),
            1,
            "an open segment stays, even empty"
        );
        store.put(&chunk_id(&b), &b).unwrap();
        assert_eq!(
            store.read(&chunk_id(&b), 0, 100).unwrap(),
            b,
            "the filling chunk"
        );
        store.put(&chunk_id(&c), &c).unwrap();
        assert_eq!(
            segments(dir.path()).len(),
            2,
            "a new segment after the full one"
        );
        store.delete(&chunk_id(&b)).unwrap();
        assert_eq!(
            segments(dir.path()).len(),
            1,
            "the full one, emptied, is gone"
        );
        drop(store);
        let store = SegmentStore::open(dir.path()).unwrap();
        assert_eq!(store.list().unwrap(), vec![(chunk_id(&c), 100)]);
    }

    #[test]
    fn concurrent_puts_of_one_chunk_store_it_once() {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(SegmentStore::open(dir.path()).unwrap());
        let d = Arc::new(data(300_000, 5));
        let new: usize = (0..8)
            .map(|_| {
                let (s, d) = (Arc::clone(&store), Arc::clone(&d));
                std::thread::spawn(move || s.put(&chunk_id(&d), &d).unwrap())
            })
            .collect::<Vec<_>>()
            .into_iter()
            .map(|t| usize::from(t.join().unwrap()))
            .sum();
        assert_eq!(new, 1);
        assert_eq!(store.list().unwrap().len(), 1);
        drop(store);
        let store = SegmentStore::open(dir.path()).unwrap();
        assert_eq!(store.list().unwrap().len(), 1);
    }

    /// A read racing a delete returns the chunk's bytes or Missing, never the punched-out
    /// zeros.
    #[test]
    fn reads_racing_a_delete_never_see_zeros() {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(SegmentStore::open(dir.path()).unwrap());
        let keep = data(4096, 1);
        store.put(&chunk_id(&keep), &keep).unwrap();
        for round in 0..20 {
            let d = Arc::new(data(256 * 1024, round + 2));
            let id = chunk_id(&d);
            store.put(&id, &d).unwrap();
            let reader = {
                let (s, d) = (Arc::clone(&store), Arc::clone(&d));
                std::thread::spawn(move || loop {
                    match s.read(&id, 0, d.len()) {
                        Ok(got) => assert!(got == *d, "round {round}: wrong bytes"),
                        Err(ChunkError::Missing(_)) => break,
                        Err(e) => panic!("round {round}: {e}"),
                    }
                })
            };
            store.delete(&id).unwrap();
            reader.join().unwrap();
        }
    }

    /// A new store is a segment store and says so; a flat or nested one keeps a file per chunk.
    #[test]
    fn open_store_picks_the_layout() {
        let d = data(5000, 3);
        let id = chunk_id(&d);
        let new = tempfile::tempdir().unwrap();
        crate::chunk::open_store(new.path())
            .unwrap()
            .put(&id, &d)
            .unwrap();
        assert_eq!(
            fs::read_to_string(new.path().join("LAYOUT")).unwrap(),
            "segments\n"
        );
        assert_eq!(segments(new.path()).len(), 1);
        let again = crate::chunk::open_store(new.path()).unwrap();
        assert_eq!(again.read(&id, 0, d.len()).unwrap(), d);

        let flat = tempfile::tempdir().unwrap();
        FsChunkStore::open(flat.path())
            .unwrap()
            .put(&id, &d)
            .unwrap();
        let store = crate::chunk::open_store(flat.path()).unwrap();
        assert_eq!(store.read(&id, 0, d.len()).unwrap(), d);
        assert!(!flat.path().join("seg").exists());
    }
}
