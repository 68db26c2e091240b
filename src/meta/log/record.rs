//! The metadata log's record format (pure; no I/O).
//!
//! ```text
//! 0   magic   u32 LE  "CSL1"
//! 4   crc     u32 LE  CRC-32C of bytes 8 .. 32 + len
//! 8   len     u32 LE  payload length
//! 12  zero    u32
//! 16  gen     u64 LE  log generation (bumped at every open)
//! 24  lsn     u64 LE  log sequence number (consecutive within a generation)
//! 32  payload         the batch: u32 count, then per op
//!                     1 <klen u32> key <vlen u32> value   (put)
//!                     2 <klen u32> key                    (delete)
//! ```
//!
//! Segments are zero-filled before use, so the first all-zero header ends a segment's
//! records; a torn write fails the CRC; records left from an earlier use of the segment or an
//! earlier generation fail the generation or lsn check.

use crate::meta::{Batch, WriteOp};
use crc_fast::CrcAlgorithm;

pub const MAGIC: u32 = u32::from_le_bytes(*b"CSL1");
pub const HEADER: usize = 32;

const PUT: u8 = 1;
const DELETE: u8 = 2;

fn crc(bytes: &[u8]) -> u32 {
    crc_fast::checksum(CrcAlgorithm::Crc32Iscsi, bytes) as u32
}

/// The encoded size of `batch` as a record.
pub fn encoded_len(batch: &Batch) -> usize {
    let ops: usize = batch
        .ops
        .iter()
        .map(|op| match op {
            WriteOp::Put(k, v) => 9 + k.len() + v.len(),
            WriteOp::Delete(k) => 5 + k.len(),
        })
        .sum();
    HEADER + 4 + ops
}

/// Appends `batch` as one record to `out`.
pub fn encode(gen: u64, lsn: u64, batch: &Batch, out: &mut Vec<u8>) {
    let start = out.len();
    out.reserve(encoded_len(batch));
    out.extend_from_slice(&MAGIC.to_le_bytes());
    out.extend_from_slice(&[0; 8]); // crc and len, filled below
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(&gen.to_le_bytes());
    out.extend_from_slice(&lsn.to_le_bytes());
    out.extend_from_slice(&(batch.ops.len() as u32).to_le_bytes());
    for op in &batch.ops {
        match op {
            WriteOp::Put(k, v) => {
                out.push(PUT);
                out.extend_from_slice(&(k.len() as u32).to_le_bytes());
                out.extend_from_slice(k);
                out.extend_from_slice(&(v.len() as u32).to_le_bytes());
                out.extend_from_slice(v);
            }
            WriteOp::Delete(k) => {
                out.push(DELETE);
                out.extend_from_slice(&(k.len() as u32).to_le_bytes());
                out.extend_from_slice(k);
            }
        }
    }
    let len = (out.len() - start - HEADER) as u32;
    out[start + 8..start + 12].copy_from_slice(&len.to_le_bytes());
    let sum = crc(&out[start + 8..]);
    out[start + 4..start + 8].copy_from_slice(&sum.to_le_bytes());
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

fn u64_at(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(b.get(at..at + 8)?.try_into().ok()?))
}

/// A record found in a segment: its lsn and where its payload lies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub lsn: u64,
    pub payload: std::ops::Range<usize>,
}

/// The run of valid records of generation `gen` at the start of `seg`, with consecutive lsns.
/// Stops at the first header that is zero, torn, from another generation or out of sequence.
/// The CRC is checked only for records with lsn above `skip_upto` (the others are only
/// stepped over: they are already persisted elsewhere).
pub fn scan(seg: &[u8], gen: u64, skip_upto: u64) -> Vec<Found> {
    let mut out: Vec<Found> = Vec::new();
    let mut at = 0usize;
    while let Some(found) = record_at(seg, at, gen, skip_upto) {
        if let Some(prev) = out.last() {
            if found.lsn != prev.lsn + 1 {
                break;
            }
        }
        at = found.payload.end;
        out.push(found);
    }
    out
}

fn record_at(seg: &[u8], at: usize, gen: u64, skip_upto: u64) -> Option<Found> {
    if u32_at(seg, at)? != MAGIC || u32_at(seg, at + 12)? != 0 || u64_at(seg, at + 16)? != gen {
        return None;
    }
    let len = u32_at(seg, at + 8)? as usize;
    let end = (at + HEADER).checked_add(len)?;
    let body = seg.get(at + 8..end)?;
    let lsn = u64_at(seg, at + 24)?;
    if lsn > skip_upto && crc(body) != u32_at(seg, at + 4)? {
        return None;
    }
    Some(Found {
        lsn,
        payload: at + HEADER..end,
    })
}

/// Decodes a record's payload (None if it is malformed).
pub fn decode(payload: &[u8]) -> Option<Batch> {
    let count = u32_at(payload, 0)? as usize;
    let mut at = 4usize;
    let mut take = |n: usize| -> Option<&[u8]> {
        let s = payload.get(at..at.checked_add(n)?)?;
        at += n;
        Some(s)
    };
    let mut batch = Batch::default();
    for _ in 0..count {
        let tag = take(1)?[0];
        let klen = u32::from_le_bytes(take(4)?.try_into().ok()?) as usize;
        let key = take(klen)?.to_vec();
        match tag {
            PUT => {
                let vlen = u32::from_le_bytes(take(4)?.try_into().ok()?) as usize;
                batch.put(key, take(vlen)?.to_vec());
            }
            DELETE => batch.delete(key),
            _ => return None,
        }
    }
    (at == payload.len()).then_some(batch)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn batch(n: u8) -> Batch {
        let mut b = Batch::default();
        b.put(vec![b'O', n], vec![n; n as usize * 3]);
        b.delete(vec![b'C', n]);
        b
    }

    fn log(gen: u64, lsns: std::ops::RangeInclusive<u64>) -> Vec<u8> {
        let mut out = Vec::new();
        for lsn in lsns {
            encode(gen, lsn, &batch(lsn as u8), &mut out);
        }
        out
    }

    fn lsns(found: &[Found]) -> Vec<u64> {
        found.iter().map(|f| f.lsn).collect()
    }

    #[test]
    fn records_round_trip_and_report_their_length() {
        let b = batch(7);
        let mut out = vec![0xee; 3];
        encode(1, 9, &b, &mut out);
        assert_eq!(out.len() - 3, encoded_len(&b));
        let found = scan(&out[3..], 1, 0);
        assert_eq!(lsns(&found), [9]);
        let got = decode(&out[3..][found[0].payload.clone()]).unwrap();
        assert_eq!(got.ops, b.ops);
        assert_eq!(decode(&[0, 0, 0, 0]).unwrap().ops, vec![]);
    }

    #[test]
    fn a_scan_stops_at_zeroes_tears_stale_generations_and_gaps() {
        let mut seg = log(2, 1..=3);
        seg.extend_from_slice(&[0; 64]);
        assert_eq!(lsns(&scan(&seg, 2, 0)), [1, 2, 3], "zeroes end the segment");
        assert!(
            scan(&seg, 1, 0).is_empty(),
            "another generation is not this log"
        );

        let mut torn = log(2, 1..=3);
        let last = torn.len() - 1;
        torn[last] ^= 1;
        assert_eq!(
            lsns(&scan(&torn, 2, 0)),
            [1, 2],
            "a torn record fails its CRC"
        );
        assert_eq!(
            lsns(&scan(&torn, 2, 3)),
            [1, 2, 3],
            "persisted records are not checked"
        );
        assert_eq!(
            lsns(&scan(&torn[..last], 2, 0)),
            [1, 2],
            "a short tail is not a record"
        );

        // A segment reused from the start: new records, then leftovers of its earlier use.
        let mut reused = log(2, 1..=6);
        let fresh = log(2, 10..=11);
        reused[..fresh.len()].copy_from_slice(&fresh);
        let found = scan(&reused, 2, 0);
        assert_eq!(lsns(&found), [10, 11], "leftovers are out of sequence");

        let mut gap = log(2, 1..=2);
        gap.extend_from_slice(&log(2, 4..=4));
        assert_eq!(lsns(&scan(&gap, 2, 0)), [1, 2]);
    }

    #[test]
    fn malformed_payloads_are_refused_not_panicked_on() {
        let mut out = Vec::new();
        encode(1, 1, &batch(5), &mut out);
        let payload = &out[HEADER..];
        for cut in 0..payload.len() {
            assert!(decode(&payload[..cut]).is_none(), "cut at {cut}");
        }
        let mut bad = payload.to_vec();
        bad[4] = 9;
        assert!(decode(&bad).is_none(), "unknown op");
        let mut long = payload.to_vec();
        long.push(0);
        assert!(decode(&long).is_none(), "trailing bytes");
        let mut huge = payload.to_vec();
        huge[5..9].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(decode(&huge).is_none(), "a length beyond the payload");
    }
}
