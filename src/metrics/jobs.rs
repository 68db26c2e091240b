//! Progress of the background jobs: the collector's runs (chunk collection, expired multipart
//! uploads) and the lifecycle worker's passes. Recorded by `spawn_gc` / `spawn_lifecycle`.

use crate::service::{GcStats, LifecycleStats};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ActionLabels {
    action: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct JobLabels {
    job: &'static str,
}

/// Counters and timestamps of the background jobs.
pub struct JobMetrics {
    runs: Family<JobLabels, Counter>,
    failures: Family<JobLabels, Counter>,
    last_run: Family<JobLabels, Gauge>,
    gc_chunks: Family<ActionLabels, Counter>,
    uploads_expired: Counter,
    lifecycle_keys: Counter,
    lifecycle_actions: Family<ActionLabels, Counter>,
}

/// The collector job (`spawn_gc`).
pub const GC: &str = "gc";
/// The lifecycle worker (`spawn_lifecycle`).
pub const LIFECYCLE: &str = "lifecycle";

impl JobMetrics {
    pub(super) fn register(r: &mut Registry) -> JobMetrics {
        let m = JobMetrics {
            runs: Family::default(),
            failures: Family::default(),
            last_run: Family::default(),
            gc_chunks: Family::default(),
            uploads_expired: Counter::default(),
            lifecycle_keys: Counter::default(),
            lifecycle_actions: Family::default(),
        };
        r.register(
            "job_runs",
            "Background job runs completed (gc: collector runs; lifecycle: passes)",
            m.runs.clone(),
        );
        r.register(
            "job_failures",
            "Background job runs that failed",
            m.failures.clone(),
        );
        r.register(
            "job_last_run_timestamp_seconds",
            "Unix time at which the job's last run ended (successful or not)",
            m.last_run.clone(),
        );
        r.register(
            "gc_chunks",
            "Chunk collection queue entries handled: deleted, revived (referenced again), deferred (in use)",
            m.gc_chunks.clone(),
        );
        r.register(
            "multipart_uploads_expired",
            "Incomplete multipart uploads aborted by the collector after multipart_expiry_secs",
            m.uploads_expired.clone(),
        );
        r.register(
            "lifecycle_keys_scanned",
            "Keys the lifecycle worker looked at",
            m.lifecycle_keys.clone(),
        );
        r.register(
            "lifecycle_actions",
            "Lifecycle actions taken, by action",
            m.lifecycle_actions.clone(),
        );
        m
    }

    fn ran(&self, job: &'static str, ok: bool, now_secs: i64) {
        let l = JobLabels { job };
        if ok {
            self.runs.get_or_create(&l).inc();
        } else {
            self.failures.get_or_create(&l).inc();
        }
        self.last_run.get_or_create(&l).set(now_secs);
    }

    /// A collector run: what `gc_once` did, or None when it failed.
    pub fn gc_run(&self, stats: Option<&GcStats>, now_secs: i64) {
        if let Some(s) = stats {
            for (action, n) in [
                ("deleted", s.deleted),
                ("revived", s.revived),
                ("deferred", s.deferred),
            ] {
                self.gc_chunks
                    .get_or_create(&ActionLabels { action })
                    .inc_by(n as u64);
            }
        }
        self.ran(GC, stats.is_some(), now_secs);
    }

    /// Multipart uploads the collector aborted as expired.
    pub fn uploads_expired(&self, n: usize) {
        self.uploads_expired.inc_by(n as u64);
    }

    /// A lifecycle pass: what it did, or None when it failed.
    pub fn lifecycle_pass(&self, stats: Option<&LifecycleStats>, now_secs: i64) {
        if let Some(s) = stats {
            self.lifecycle_keys.inc_by(s.keys as u64);
            for (action, n) in [
                ("expired", s.expired),
                ("versions_deleted", s.versions_deleted),
                ("markers_removed", s.markers_removed),
                ("transitioned", s.transitioned),
                ("uploads_aborted", s.uploads_aborted),
                ("locked", s.locked),
            ] {
                self.lifecycle_actions
                    .get_or_create(&ActionLabels { action })
                    .inc_by(n as u64);
            }
        }
        self.ran(LIFECYCLE, stats.is_some(), now_secs);
    }
}
