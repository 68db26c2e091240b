//! Storage gauges: what the store holds, from `Store::usage` (one walk over the metadata),
//! refreshed by a background task every `metrics_storage_interval_secs`; a scrape serves the
//! figures of the last walk and never scans.

use crate::service::usage::Usage;
use crate::AppState;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;

/// The gauges a walk sets.
#[derive(Default)]
pub struct StorageGauges {
    buckets: Gauge,
    objects: Gauge,
    noncurrent_versions: Gauge,
    delete_markers: Gauge,
    logical_bytes: Gauge,
    physical_bytes: Gauge,
    chunks: Gauge,
    dedup_ratio: Gauge<f64, AtomicU64>,
    gc_backlog: Gauge,
    multipart_uploads: Gauge,
    corrupt_records: Gauge,
    scan_seconds: Gauge<f64, AtomicU64>,
    scanned_at: Gauge,
}

impl StorageGauges {
    pub(super) fn register(r: &mut Registry) -> StorageGauges {
        let g = StorageGauges::default();
        let s = r.sub_registry_with_prefix("storage");
        s.register("buckets", "Buckets", g.buckets.clone());
        s.register(
            "objects",
            "Current object versions (delete markers excluded)",
            g.objects.clone(),
        );
        s.register(
            "noncurrent_versions",
            "Noncurrent object versions (delete markers excluded)",
            g.noncurrent_versions.clone(),
        );
        s.register(
            "delete_markers",
            "Delete markers, current or not",
            g.delete_markers.clone(),
        );
        s.register(
            "logical_bytes",
            "Sum of the sizes of every stored object version",
            g.logical_bytes.clone(),
        );
        s.register(
            "physical_bytes",
            "Bytes of the referenced chunks (each once) plus bytes stored inline in metadata",
            g.physical_bytes.clone(),
        );
        s.register(
            "chunks",
            "Referenced content-addressed chunks",
            g.chunks.clone(),
        );
        s.register(
            "dedup_ratio",
            "logical_bytes / physical_bytes (1 when empty)",
            g.dedup_ratio.clone(),
        );
        s.register(
            "gc_backlog_chunks",
            "Unreferenced chunks queued for the collector",
            g.gc_backlog.clone(),
        );
        s.register(
            "multipart_uploads_open",
            "Incomplete multipart uploads",
            g.multipart_uploads.clone(),
        );
        s.register(
            "corrupt_records",
            "Records the last walk could not decode",
            g.corrupt_records.clone(),
        );
        s.register(
            "scan_duration_seconds",
            "How long the last walk over the metadata took",
            g.scan_seconds.clone(),
        );
        s.register(
            "scan_timestamp_seconds",
            "Unix time of the last walk (0: none yet)",
            g.scanned_at.clone(),
        );
        g
    }

    /// Sets every gauge from a walk's figures.
    pub fn set(&self, u: &Usage, took: std::time::Duration, now_secs: i64) {
        let i = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
        self.buckets.set(i(u.buckets));
        self.objects.set(i(u.objects));
        self.noncurrent_versions.set(i(u.noncurrent_versions));
        self.delete_markers.set(i(u.delete_markers));
        self.logical_bytes.set(i(u.logical_bytes));
        self.physical_bytes.set(i(u.physical_bytes));
        self.chunks.set(i(u.chunks));
        self.dedup_ratio.set(u.dedup_ratio());
        self.gc_backlog.set(i(u.gc_backlog));
        self.multipart_uploads.set(i(u.multipart_uploads));
        self.corrupt_records.set(i(u.corrupt_records));
        self.scan_seconds.set(took.as_secs_f64());
        self.scanned_at.set(now_secs);
    }
}

/// Walks the store once (on a blocking thread) and sets the storage gauges.
pub async fn refresh(app: &AppState) -> Result<Usage, String> {
    let store = Arc::clone(&app.store);
    let started = std::time::Instant::now();
    let usage = tokio::task::spawn_blocking(move || store.usage())
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())?;
    app.metrics
        .storage
        .set(&usage, started.elapsed(), app.clock.now_secs());
    Ok(usage)
}

/// Refreshes the storage gauges at start and then every `metrics_storage_interval_secs`
/// until `stop` fires (nothing when `metrics` is off).
pub fn spawn(
    state: &Arc<AppState>,
    mut stop: tokio::sync::watch::Receiver<bool>,
) -> Option<tokio::task::JoinHandle<()>> {
    if !state.config.metrics {
        return None;
    }
    let state = Arc::clone(state);
    let every = std::time::Duration::from_secs(state.config.metrics_storage_interval_secs.max(1));
    Some(tokio::spawn(async move {
        loop {
            match refresh(&state).await {
                Ok(u) => tracing::debug!(
                    objects = u.objects,
                    logical_bytes = u.logical_bytes,
                    "storage figures"
                ),
                Err(e) => tracing::warn!(error = %e, "counting the storage figures failed"),
            }
            tokio::select! {
                _ = tokio::time::sleep(every) => {}
                _ = stop.changed() => return,
            }
        }
    }))
}
