//! Writing pending records to a segment with `O_DIRECT`, in whole aligned blocks.
//!
//! Why: a group sync used to `pwrite` through the page cache and `fdatasync`, which then
//! writes the dirty pages back (page locking, writeback tagging, bio building) before the
//! device flush. Writing the blocks directly skips the page cache: measured here with the
//! group sync's pattern (12 KiB per sync into a pre-zeroed file), 45-48 against 60-64 µs of
//! kernel CPU and 124-132 against 141-148 µs per write-and-sync.
//!
//! A record rarely ends on a block boundary, so the last block of one sync is written again,
//! extended, by the next. Its earlier bytes are rewritten with the same content, so even a
//! torn rewrite cannot change a record already acknowledged. The bytes after the new records
//! in the last block are written as zeros, which replay reads as the end of the log.

use super::segment::Segment;
use std::os::unix::fs::FileExt;

/// Address, offset and length alignment of direct I/O.
const ALIGN: usize = crate::chunk::ALIGN;

/// The sync thread's buffer and the last partly filled block it wrote.
#[derive(Default)]
pub struct DirectWriter {
    buf: Vec<u8>,
    /// (segment id, block offset, the block's bytes).
    tail: Option<(u64, u64, Vec<u8>)>,
    /// Set once a direct write was refused: the rest goes through the page cache.
    refused: bool,
}

impl DirectWriter {
    /// Writes `bytes` at `off` of `seg`: directly where the segment was opened for it, else
    /// (or once the device refuses our alignment with `EINVAL`, before writing anything)
    /// through the page cache. Either way the caller's `fdatasync` makes it durable.
    pub fn write_or_buffered(
        &mut self,
        seg: &Segment,
        off: u64,
        bytes: &[u8],
    ) -> std::io::Result<()> {
        if let Some(file) = seg.direct().filter(|_| !self.refused) {
            match self.write(seg, file, off, bytes) {
                Err(e) if e.raw_os_error() == Some(libc::EINVAL) => {
                    tracing::warn!(error = %e, "direct writes to the metadata log refused; writing through the page cache");
                    self.refused = true;
                }
                other => return other,
            }
        }
        seg.write_at(bytes, off)
    }

    /// Writes `bytes` at `off` of `seg` through `file` (the segment's `O_DIRECT` handle).
    fn write(
        &mut self,
        seg: &Segment,
        file: &std::fs::File,
        off: u64,
        bytes: &[u8],
    ) -> std::io::Result<()> {
        let align = ALIGN as u64;
        let start = off / align * align;
        let end = (off + bytes.len() as u64).div_ceil(align) * align;
        let n = (end - start) as usize;
        let head = (off - start) as usize;
        let block = crate::chunk::aligned_slice(&mut self.buf, n);
        if head > 0 {
            match &self.tail {
                Some((id, b, data)) if *id == seg.id && *b == start => {
                    block[..head].copy_from_slice(&data[..head])
                }
                // Not the block written last (never the case while one writer appends in
                // order): read what is on disk.
                _ => seg.read_at(&mut block[..head], start)?,
            }
        }
        block[head..head + bytes.len()].copy_from_slice(bytes);
        block[head + bytes.len()..].fill(0);
        file.write_all_at(block, start)?;
        self.tail = (!(off + bytes.len() as u64).is_multiple_of(align)).then(|| {
            let last = &block[n - ALIGN..];
            let mut keep = match self.tail.take() {
                Some((_, _, v)) => v,
                None => Vec::with_capacity(ALIGN),
            };
            keep.clear();
            keep.extend_from_slice(last);
            (seg.id, end - align, keep)
        });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::meta::log::segment;

    /// Writes `pieces` one after another from offset 0 with `w` (dropping its memory of the
    /// last block before each piece when `forget`), and checks the file holds exactly them.
    fn write_and_compare(pieces: &[Vec<u8>], forget: bool) {
        let dir = tempfile::tempdir().unwrap();
        let seg = segment::create(dir.path(), 1, 1 << 20).unwrap();
        let Some(file) = seg.direct() else {
            eprintln!("no O_DIRECT on this filesystem; the buffered path is used instead");
            return;
        };
        let mut w = DirectWriter::default();
        let mut want = vec![0u8; seg.size as usize];
        let mut off = 0u64;
        for p in pieces {
            if forget {
                w.tail = None;
            }
            w.write(&seg, file, off, p).unwrap();
            want[off as usize..off as usize + p.len()].copy_from_slice(p);
            off += p.len() as u64;
        }
        assert_eq!(seg.read_all().unwrap(), want);
    }

    fn pieces() -> Vec<Vec<u8>> {
        // Lengths that start and end inside blocks, fill one exactly, and span several.
        [1usize, 4095, 4096, 100, 9000, 3, 8192, 4093, 50_000, 7]
            .iter()
            .enumerate()
            .map(|(i, &n)| (0..n).map(|j| (i * 31 + j * 7 + 1) as u8).collect())
            .collect()
    }

    #[test]
    fn consecutive_writes_leave_exactly_the_records() {
        write_and_compare(&pieces(), false);
    }

    #[test]
    fn a_writer_without_the_last_block_reads_it_from_disk() {
        write_and_compare(&pieces(), true);
    }

    #[test]
    fn a_refused_writer_writes_through_the_page_cache() {
        let dir = tempfile::tempdir().unwrap();
        let seg = segment::create(dir.path(), 1, 1 << 20).unwrap();
        let mut w = DirectWriter {
            refused: true,
            ..Default::default()
        };
        w.write_or_buffered(&seg, 10, b"record").unwrap();
        w.write_or_buffered(&seg, 16, b"next").unwrap();
        let all = seg.read_all().unwrap();
        assert_eq!(&all[..10], &[0; 10]);
        assert_eq!(&all[10..20], b"recordnext");
        assert!(all[20..].iter().all(|&b| b == 0));
    }

    #[test]
    fn the_rest_of_a_rewritten_block_becomes_zeros() {
        let dir = tempfile::tempdir().unwrap();
        let seg = segment::create(dir.path(), 1, 1 << 20).unwrap();
        let Some(file) = seg.direct() else { return };
        // Leftovers of an earlier use of the segment.
        seg.write_at(&[0xAB; 8192], 0).unwrap();
        let mut w = DirectWriter::default();
        w.write(&seg, file, 0, &[1; 10]).unwrap();
        let all = seg.read_all().unwrap();
        assert_eq!(&all[..10], &[1; 10]);
        assert!(all[10..4096].iter().all(|&b| b == 0));
        // Beyond the block written, the earlier bytes stay (replay stops at the zeros).
        assert!(all[4096..8192].iter().all(|&b| b == 0xAB));
    }
}
