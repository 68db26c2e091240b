//! What the store holds, counted by one walk over the metadata (the storage gauges of
//! `/_cosd/metrics`). It reads every object and version record, so it runs in the background
//! at most every `metrics_storage_interval_secs`, never on a request.

use super::{ServiceResult, Store};
use crate::meta::{scan_prefix, ChunkRefcount, DataLayout, KeyCodec, KvRead, ObjectRecord, Table};

/// The figures of one walk.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Usage {
    pub buckets: u64,
    /// Current versions that are not delete markers.
    pub objects: u64,
    /// Noncurrent versions that are not delete markers.
    pub noncurrent_versions: u64,
    /// Delete markers, current or not.
    pub delete_markers: u64,
    /// The sizes of every stored version (current and noncurrent), as clients see them.
    pub logical_bytes: u64,
    /// Referenced chunks (each counted once, however many versions share it).
    pub chunks: u64,
    /// Bytes of the referenced chunks plus the bytes stored inline in records.
    pub physical_bytes: u64,
    /// Unreferenced chunks queued for the collector.
    pub gc_backlog: u64,
    /// Open multipart uploads (and JSON API slice sessions).
    pub multipart_uploads: u64,
    /// Records that did not decode (skipped).
    pub corrupt_records: u64,
}

impl Usage {
    /// Logical over physical bytes: how much deduplication saves (1 for an empty store).
    pub fn dedup_ratio(&self) -> f64 {
        if self.physical_bytes == 0 {
            1.0
        } else {
            self.logical_bytes as f64 / self.physical_bytes as f64
        }
    }

    fn add_version(&mut self, v: &[u8], current: bool) {
        let Ok(rec) = ObjectRecord::decode(v) else {
            self.corrupt_records += 1;
            return;
        };
        if rec.delete_marker {
            self.delete_markers += 1;
            return;
        }
        if current {
            self.objects += 1;
        } else {
            self.noncurrent_versions += 1;
        }
        self.logical_bytes += rec.size;
        if let DataLayout::Inline(bytes) = &rec.data {
            self.physical_bytes += bytes.len() as u64;
        }
    }
}

/// Counts the rows under `prefix`.
fn count(kv: &dyn KvRead, prefix: &[u8]) -> crate::meta::KvResult<u64> {
    let mut n = 0;
    scan_prefix(kv, prefix, PAGE, &mut |_, _| {
        n += 1;
        true
    })?;
    Ok(n)
}

const PAGE: usize = 1000;

impl Store {
    /// Walks buckets, objects, versions, chunk refcounts, the collector's queue and open uploads
    /// in one consistent snapshot. Blocking: call it on a blocking thread.
    pub fn usage(&self) -> ServiceResult<Usage> {
        let mut u = Usage::default();
        self.kv.with_snapshot(&mut |kv| {
            u = Usage::default();
            u.buckets = count(kv, &KeyCodec::bucket_prefix())?;
            u.gc_backlog = count(kv, &KeyCodec::gc_prefix())?;
            u.multipart_uploads = count(kv, &KeyCodec::table_prefix(Table::Upload))?;
            scan_prefix(
                kv,
                &KeyCodec::table_prefix(Table::Object),
                PAGE,
                &mut |_, v| {
                    u.add_version(v, true);
                    true
                },
            )?;
            scan_prefix(
                kv,
                &KeyCodec::table_prefix(Table::Version),
                PAGE,
                &mut |_, v| {
                    u.add_version(v, false);
                    true
                },
            )?;
            scan_prefix(kv, &KeyCodec::chunk_prefix(), PAGE, &mut |_, v| {
                match ChunkRefcount::decode(v) {
                    Ok(rc) => {
                        u.chunks += 1;
                        u.physical_bytes += rc.len;
                    }
                    Err(_) => u.corrupt_records += 1,
                }
                true
            })?;
            Ok(())
        })?;
        Ok(u)
    }
}
