//! Removing every bucket at once (`POST /_cosd/admin/reset`, docs/declarative.md): an operator
//! override for test servers, so object lock and non-empty buckets do not stop it.
//!
//! What it guarantees: the whole removal runs under the commit lock, so no other commit
//! interleaves with it. A write that committed before it is removed with everything else; one
//! that commits after it finds no bucket (or no upload) and fails, releasing its chunks; so an
//! object is never half there. Each batch deletes rows together with the reference-count
//! decrements of the chunks they named (and the `G` entries of chunks that dropped to zero), so
//! after every batch, and after a crash between two, the counts match the records: `cosd fsck`
//! stays clean and the chunk collector reclaims the space once `gc_grace_secs` has passed.
//! Rows holding references go first, bucket rows last, so a crash midway leaves buckets that
//! are only partly emptied, never an object without its bucket.
//!
//! What it costs: a scan of the object, version, part, upload, lifecycle-cursor and bucket
//! tables and one delete per row, in batches of `BATCH` rows; writes wait for it.

use super::commit::{count, CommitGuard, Deltas};
use super::{ServiceError, ServiceResult, Store};
use crate::meta::{
    prefix_end, Batch, BucketRecord, Direction, KeyCodec, ObjectRecord, PartRecord, Table,
};
use std::ops::Bound;
use std::sync::Arc;

/// Rows deleted per batch.
const BATCH: usize = 2048;

/// What a reset removed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct ResetStats {
    pub buckets: usize,
    /// Latest versions (objects and delete markers).
    pub objects: usize,
    /// Noncurrent versions.
    pub versions: usize,
    /// Multipart uploads (and JSON API slice sessions).
    pub uploads: usize,
    pub parts: usize,
}

impl Store {
    /// Taken by a reset for its whole run (removal, then re-creating the declared buckets),
    /// so a second reset waits instead of removing what the first is re-creating.
    pub async fn exclusive_reset(&self) -> tokio::sync::MutexGuard<'_, ()> {
        self.resets.lock().await
    }

    /// Removes every bucket of every account with all its objects, versions, delete markers,
    /// multipart uploads and configuration, ignoring object lock. See the module doc.
    pub async fn remove_all_buckets(self: &Arc<Self>) -> ServiceResult<ResetStats> {
        self.commit("reset", |store, lock| store.remove_all_locked(lock))
            .await
    }

    fn remove_all_locked(&self, lock: &CommitGuard<'_>) -> ServiceResult<ResetStats> {
        // Rows that reference chunks first, bucket rows last (see the module doc).
        let objects = self.drain(lock, Table::Object)?;
        let versions = self.drain(lock, Table::Version)?;
        let parts = self.drain(lock, Table::Part)?;
        let uploads = self.drain(lock, Table::Upload)?;
        self.drain(lock, Table::Lifecycle)?;
        let stats = ResetStats {
            buckets: self.drain(lock, Table::Bucket)?,
            objects,
            versions,
            uploads,
            parts,
        };
        Ok(stats)
    }

    /// Deletes every row of `table`, releasing the chunks its records name; returns how many.
    fn drain(&self, lock: &CommitGuard<'_>, table: Table) -> ServiceResult<usize> {
        let prefix = KeyCodec::table_prefix(table);
        let end = prefix_end(&prefix);
        let mut removed = 0;
        loop {
            // Each pass starts from the table's beginning: the previous batch deleted its rows.
            let rows = self.kv.scan(
                Bound::Included(&prefix),
                end.as_deref().map_or(Bound::Unbounded, Bound::Excluded),
                Direction::Forward,
                BATCH,
            )?;
            if rows.is_empty() {
                return Ok(removed);
            }
            let mut deltas = Deltas::new();
            let mut batch = Batch::default();
            let mut gone = Vec::new();
            for (k, v) in &rows {
                match table {
                    Table::Object | Table::Version => count(
                        &mut deltas,
                        ObjectRecord::decode(v).map_err(corrupt)?.data.chunks(),
                        -1,
                    ),
                    Table::Part => count(
                        &mut deltas,
                        &PartRecord::decode(v).map_err(corrupt)?.chunks,
                        -1,
                    ),
                    Table::Bucket => gone.push(BucketRecord::decode(v).map_err(corrupt)?.name),
                    _ => {}
                }
                batch.delete(k.clone());
            }
            self.apply_refcounts(&mut batch, &deltas)?;
            lock.write(batch)?;
            for name in &gone {
                self.buckets.set(name, None);
            }
            removed += rows.len();
            if rows.len() < BATCH {
                return Ok(removed);
            }
        }
    }
}

/// A record that does not decode names chunks nobody can know: stop rather than leak or
/// free them (`cosd fsck` reports it).
fn corrupt(e: crate::meta::RecordError) -> ServiceError {
    ServiceError::Internal(format!(
        "reset stopped at a record that does not decode ({e}); run `cosd fsck`"
    ))
}
