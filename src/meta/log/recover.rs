//! Which logged batches to replay after a crash (pure: segment contents in, batches out).

use super::record;
use crate::meta::{Batch, KvError, KvResult};

/// The batches after `persisted`, in lsn order, following the run of consecutive lsns of
/// generation `gen` from segment to segment. The first missing lsn ends the replay: a record
/// after a gap was never acknowledged (a group sync makes a whole prefix durable), so it must
/// not be applied. Segments are read one at a time (`segments` yields their contents); only
/// the decoded batches after `persisted` are kept.
pub fn chain(
    segments: impl Iterator<Item = KvResult<Vec<u8>>>,
    gen: u64,
    persisted: u64,
) -> KvResult<Vec<(u64, Batch)>> {
    let mut runs: Vec<Vec<(u64, Batch)>> = Vec::new();
    for data in segments {
        let data = data?;
        let mut run = Vec::new();
        for found in record::scan(&data, gen, persisted) {
            if found.lsn <= persisted {
                continue;
            }
            let batch = record::decode(&data[found.payload]).ok_or_else(|| {
                KvError::Corrupt(format!("metadata log record {} does not decode", found.lsn))
            })?;
            run.push((found.lsn, batch));
        }
        if !run.is_empty() {
            runs.push(run);
        }
    }
    // Each run holds consecutive lsns; link them, starting right after `persisted`.
    runs.sort_by_key(|run| run[0].0);
    let mut out: Vec<(u64, Batch)> = Vec::new();
    for run in runs {
        let next = out.last().map_or(persisted, |(lsn, _)| *lsn) + 1;
        if run[0].0 != next {
            break;
        }
        out.extend(run);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seg(gen: u64, lsns: &[u64]) -> Vec<u8> {
        let mut out = Vec::new();
        for &lsn in lsns {
            let mut b = Batch::default();
            b.put(lsn.to_be_bytes().to_vec(), b"v".to_vec());
            record::encode(gen, lsn, &b, &mut out);
        }
        out.resize(out.len() + 64, 0);
        out
    }

    fn replayed(segments: &[Vec<u8>], gen: u64, persisted: u64) -> Vec<u64> {
        let got = chain(segments.iter().cloned().map(Ok), gen, persisted).unwrap();
        for (lsn, b) in &got {
            assert_eq!(b.ops, seg_batch(*lsn).ops);
        }
        got.into_iter().map(|(l, _)| l).collect()
    }

    fn seg_batch(lsn: u64) -> Batch {
        let mut b = Batch::default();
        b.put(lsn.to_be_bytes().to_vec(), b"v".to_vec());
        b
    }

    #[test]
    fn replay_follows_lsns_across_segments_in_any_file_order() {
        let segs = [seg(4, &[7, 8, 9]), seg(4, &[1, 2, 3]), seg(4, &[4, 5, 6])];
        assert_eq!(replayed(&segs, 4, 0), (1..=9).collect::<Vec<_>>());
        assert_eq!(
            replayed(&segs, 4, 5),
            [6, 7, 8, 9],
            "starts after the persisted lsn"
        );
        assert_eq!(replayed(&segs, 4, 9), Vec::<u64>::new());
        assert_eq!(
            replayed(&segs, 3, 0),
            Vec::<u64>::new(),
            "another generation"
        );
    }

    #[test]
    fn a_gap_ends_the_replay() {
        // 4 is missing (torn at the head of its segment): 5.. were never acknowledged.
        let mut torn = seg(1, &[4, 5]);
        torn[20] ^= 0xff;
        let segs = [seg(1, &[1, 2, 3]), torn, seg(1, &[6, 7])];
        assert_eq!(replayed(&segs, 1, 0), [1, 2, 3]);
        assert_eq!(replayed(&segs, 1, 4), Vec::<u64>::new(), "5 is unreachable");
    }

    #[test]
    fn a_record_that_passes_its_crc_but_does_not_decode_is_corruption() {
        let mut bad = Vec::new();
        let mut b = Batch::default();
        b.delete(b"k".to_vec());
        record::encode(1, 1, &b, &mut bad);
        // Rewrite the op tag and fix the CRC, as a writer bug would.
        bad[record::HEADER + 4] = 9;
        let sum = crc_fast::checksum(crc_fast::CrcAlgorithm::Crc32Iscsi, &bad[8..]) as u32;
        bad[4..8].copy_from_slice(&sum.to_le_bytes());
        assert!(matches!(
            chain([Ok(bad)].into_iter(), 1, 0),
            Err(KvError::Corrupt(_))
        ));
    }
}
