//! `cosd fsck`: cross-checks the records that reference chunks (objects, upload parts), chunk
//! reference counts and chunk files. References come from `Store::for_each_chunk_reference`.

use super::{ServiceResult, Store};
use crate::chunk::ChunkId;
use crate::meta::{scan_prefix, Batch, ChunkRefcount, KeyCodec};
use std::collections::{HashMap, HashSet};
use std::fmt;

#[derive(Debug, Default, Clone)]
pub struct FsckReport {
    pub buckets: usize,
    pub objects: usize,
    /// Noncurrent object versions.
    pub versions: usize,
    /// Parts of open multipart uploads and JSON API slice sessions.
    pub parts: usize,
    pub chunk_references: usize,
    pub chunks_on_disk: usize,
    /// Chunk references (objects, parts) whose chunk is missing or has the wrong length.
    pub dangling_references: Vec<String>,
    /// Chunks whose stored refcount differs from the references found.
    pub refcount_mismatches: usize,
    /// Object records that do not decode.
    pub corrupt_records: usize,
    /// Chunks no record references (see `Store::for_each_chunk_reference`).
    pub orphaned_chunks: usize,
    /// Orphans deleted and refcounts rewritten (with repair).
    pub repaired: usize,
    /// With repair: the refcounts were rewritten to the references found.
    pub mismatches_repaired: bool,
    /// With repair: nothing was changed because some records do not decode.
    pub repair_refused: bool,
}

impl FsckReport {
    /// Whether the store is consistent (orphans are harmless garbage, not an inconsistency).
    pub fn is_clean(&self) -> bool {
        self.dangling_references.is_empty()
            && (self.refcount_mismatches == 0 || self.mismatches_repaired)
            && self.corrupt_records == 0
    }
}

impl fmt::Display for FsckReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in &self.dangling_references {
            writeln!(f, "dangling: {d}")?;
        }
        if self.repair_refused {
            writeln!(
                f,
                "repair refused: {} records do not decode, so the chunks they reference are unknown; nothing was changed",
                self.corrupt_records
            )?;
        }
        write!(
            f,
            "fsck: buckets: {}, objects: {}, noncurrent versions: {}, upload parts: {}, chunk references: {}, chunks on disk: {}, dangling references: {}, refcount mismatches: {}, corrupt records: {}, orphaned chunks: {}, repaired: {}",
            self.buckets,
            self.objects,
            self.versions,
            self.parts,
            self.chunk_references,
            self.chunks_on_disk,
            self.dangling_references.len(),
            self.refcount_mismatches,
            self.corrupt_records,
            self.orphaned_chunks,
            self.repaired
        )
    }
}

impl Store {
    /// Checks the whole store. With `repair`, deletes orphaned chunk files and rewrites refcounts
    /// to match the references found. Run it with the server stopped.
    pub fn fsck(&self, repair: bool) -> ServiceResult<FsckReport> {
        let mut report = FsckReport::default();
        let on_disk: HashMap<ChunkId, u64> = self.chunks.list()?.into_iter().collect();
        report.chunks_on_disk = on_disk.len();
        let mut expected: HashMap<ChunkId, (u64, u64)> = HashMap::new();
        scan_prefix(
            self.kv.as_ref(),
            &KeyCodec::bucket_prefix(),
            1000,
            &mut |_, _| {
                report.buckets += 1;
                true
            },
        )?;
        let mut dangling = Vec::new();
        let scan = self.for_each_chunk_reference(&mut |holder, c| {
            report.chunk_references += 1;
            let e = expected.entry(c.id).or_insert((0, c.len));
            e.0 += 1;
            if on_disk.get(&c.id) != Some(&c.len) {
                dangling.push(format!("{holder} -> chunk {}", hex::encode(c.id)));
            }
        })?;
        report.dangling_references = dangling;
        report.objects = scan.objects;
        report.versions = scan.versions;
        report.parts = scan.parts;
        report.corrupt_records = scan.corrupt_records;
        let mut stored: HashMap<ChunkId, u64> = HashMap::new();
        scan_prefix(
            self.kv.as_ref(),
            &KeyCodec::chunk_prefix(),
            1000,
            &mut |k, v| {
                if let (Some(id), Ok(rc)) = (KeyCodec::decode_chunk(k), ChunkRefcount::decode(v)) {
                    stored.insert(id, rc.refs);
                }
                true
            },
        )?;
        let ids: HashSet<ChunkId> = expected.keys().chain(stored.keys()).copied().collect();
        let mut fix = Batch::default();
        for id in ids {
            let want = expected.get(&id).map_or(0, |e| e.0);
            if stored.get(&id).copied().unwrap_or(0) != want {
                report.refcount_mismatches += 1;
                match expected.get(&id) {
                    Some((refs, len)) => fix.put(
                        KeyCodec::chunk(&id),
                        ChunkRefcount {
                            refs: *refs,
                            len: *len,
                        }
                        .encode(),
                    ),
                    None => fix.delete(KeyCodec::chunk(&id)),
                }
            }
        }
        let orphans: Vec<ChunkId> = on_disk
            .keys()
            .filter(|id| !expected.contains_key(*id))
            .copied()
            .collect();
        report.orphaned_chunks = orphans.len();
        if repair && report.corrupt_records > 0 {
            // A record that does not decode may reference any chunk: deleting "orphans" or
            // lowering refcounts now could destroy its data. Leave everything as it is.
            report.repair_refused = true;
        } else if repair {
            report.mismatches_repaired = true;
            report.repaired = fix.ops.len();
            if !fix.is_empty() {
                self.kv.write(fix)?;
            }
            let mut gc = Batch::default();
            for id in &orphans {
                self.chunks.delete(id)?;
                report.repaired += 1;
            }
            scan_prefix(
                self.kv.as_ref(),
                &KeyCodec::gc_prefix(),
                1000,
                &mut |k, _| {
                    gc.delete(k.to_vec());
                    true
                },
            )?;
            if !gc.is_empty() {
                self.kv.write(gc)?;
            }
        }
        Ok(report)
    }
}
