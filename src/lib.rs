//! cosd: a self-hosted object storage server that speaks the Tencent Cloud COS protocols.
//!
//! Crate map (dependencies point downwards):
//! - `net`     transport: listener, TLS, connection limits, header casing (knows no API)
//! - `api`     the request pipeline (`request`: classifier, target, `Op`, authentication;
//!   `pipeline`; `admit` and `authz`; `error` and its one renderer) and thin handlers, one file per resource
//! - `auth`    signature verification (q-sign), `Identity`, `CredentialStore`
//! - `policy`  authorization decisions (pure)
//! - `iam`     accounts and access keys
//! - `service` use cases on buckets and objects (no HTTP)
//! - `declare` the `[[buckets]]` of the config applied at start, and the admin reset
//! - `meta`    ordered key-value trait, MemKv, RocksKv, key codec, record formats
//! - `chunk`   content-addressed chunk files
//! - `xml`     response writer and request DTOs
//! - `types`   validated domain newtypes; `checksum` MD5/CRC64; `clock`; `config`

pub mod api;
pub mod auth;
pub mod bucket_config;
pub mod checksum;
pub mod chunk;
pub mod clock;
pub mod config;
pub mod crypto;
pub mod declare;
pub mod iam;
pub mod log_json;
pub mod log_line;
pub mod log_writer;
pub mod meta;
pub mod metrics;
pub mod net;
pub mod notify;
pub mod policy;
pub mod service;
pub mod types;
pub mod xml;

use crate::clock::Clock;
use crate::config::Config;
use crate::iam::{Iam, RootKey};
use crate::meta::{KeyCodec, Kv, RocksKv};
use crate::policy::cache::PolicyCache;
use crate::service::{Store, StoreConfig};
use std::sync::atomic::AtomicU64;
use std::sync::Arc;

/// Everything a request handler can reach. Built once, passed explicitly.
pub struct AppState {
    pub config: Config,
    pub store: Arc<Store>,
    pub iam: Arc<Iam>,
    pub clock: Arc<dyn Clock>,
    pub request_counter: AtomicU64,
    /// Every response's `Date` header, formatted once a second.
    pub date: api::request::stamp::DateHeader,
    /// Parsed bucket policies.
    pub policies: PolicyCache,
    /// `trusted_proxies`, parsed.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// The connection limits and counters of both listeners (pass it to `net::server`).
    pub transport: net::transport::Transport,
    /// The master key and the KMS registry (server-side encryption).
    pub keys: Arc<crypto::Keyring>,
    /// The request journal and the injected faults.
    pub observer: api::observe::Observer,
    /// Prometheus metrics (`/_cosd/metrics`).
    pub metrics: metrics::Metrics,
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot create data directory {0}: {1}")]
    DataDir(String, std::io::Error),
    #[error("cannot open metadata store: {0}")]
    Meta(#[from] meta::KvError),
    #[error("cannot open chunk store: {0}")]
    Chunks(#[from] chunk::ChunkError),
    #[error("storage check failed: {0}")]
    Service(#[from] service::ServiceError),
    #[error("accounts: {0}")]
    Iam(#[from] iam::IamError),
    #[error("encryption keys: {0}")]
    Keys(String),
    #[error("declared buckets: {0}")]
    Declare(#[from] declare::DeclareError),
}

/// Opens the data directory: RocksDB metadata under `meta/`, chunk files under `chunks/`.
pub fn open_store(
    config: &Config,
    clock: Arc<dyn Clock>,
) -> Result<(Arc<dyn Kv>, Arc<Store>), StartError> {
    let dir = &config.data_dir;
    std::fs::create_dir_all(dir).map_err(|e| StartError::DataDir(dir.display().to_string(), e))?;
    let rocks = RocksKv::open(&dir.join("meta"), config.sync_writes)?;
    let kv: Arc<dyn Kv> = match config.meta_cache_mib {
        0 => Arc::new(rocks),
        mib => Arc::new(meta::CachedKv::new(
            rocks,
            mib.saturating_mul(1 << 20),
            KeyCodec::is_object,
        )),
    };
    let chunks = chunk::open_store(&dir.join("chunks"))?;
    let store = Arc::new(Store::new(
        Arc::clone(&kv),
        chunks,
        clock,
        StoreConfig {
            inline_threshold: config.inline_threshold,
            chunk_size: config.chunk_size,
            max_object_size: config.max_object_size,
            gc_grace_ms: (config.gc_grace_secs as i64).saturating_mul(1000),
            notify_targets: config
                .notify_webhooks
                .iter()
                .map(|h| h.id.clone())
                .collect(),
        },
    ));
    store.open_outbox()?;
    Ok((kv, store))
}

/// Opens storage, makes sure the root account has a key, and queues orphaned chunks.
pub async fn build_state(
    config: Config,
    clock: Arc<dyn Clock>,
) -> Result<(Arc<AppState>, RootKey), StartError> {
    let (kv, store) = open_store(&config, Arc::clone(&clock))?;
    let iam = Arc::new(Iam::new(kv)?);
    let root = iam.ensure_root(
        &config.root_uin,
        &config.appid,
        &config.root_secret_id,
        &config.root_secret_key,
        clock.now_ms(),
    )?;
    iam.apply_declarations(
        &config.root_uin,
        &config.accounts,
        &config.groups,
        &config.users,
        clock.now_ms(),
    )?;
    let (keys, generated) = crypto::Keyring::open(
        &config.data_dir,
        &config.sse_master_key.0,
        &config.kms_keys,
        &config.root_uin,
    )
    .map_err(StartError::Keys)?;
    if generated {
        tracing::info!(
            "generated the encryption master key into the data directory (keys/master.key)"
        );
    }
    let declared = declare::apply(&config, &iam, &store, &keys).await?;
    if declared != declare::Applied::default() {
        tracing::info!(
            created = declared.buckets_created,
            updated = declared.buckets_updated,
            seeded = declared.objects_written,
            "applied the declared buckets"
        );
    }
    let orphans = store.sweep_orphans().await?;
    if orphans > 0 {
        tracing::info!(orphans, "queued unreferenced chunk files for collection");
    }
    let trusted_proxies = config.trusted_proxy_nets();
    let transport = net::transport::Transport::new(net::transport::Limits::from_config(&config));
    let state = AppState {
        observer: api::observe::Observer::new(config.journal_entries),
        transport,
        keys: Arc::new(keys),
        policies: PolicyCache::default(),
        trusted_proxies,
        config,
        store,
        iam,
        clock,
        request_counter: AtomicU64::new(0),
        date: Default::default(),
        metrics: metrics::Metrics::new(),
    };
    Ok((Arc::new(state), root))
}

/// The axum application: every request goes through `api::pipeline::handle`.
pub fn app(state: Arc<AppState>) -> axum::Router {
    axum::Router::new()
        .fallback(api::pipeline::handle)
        .with_state(state)
}

/// Runs the chunk collector every `gc_interval_secs` until `stop` fires.
pub fn spawn_gc(
    state: &Arc<AppState>,
    mut stop: tokio::sync::watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    let store = Arc::clone(&state.store);
    let every = std::time::Duration::from_secs(state.config.gc_interval_secs.max(1));
    let upload_ttl_ms = (state.config.multipart_expiry_secs as i64).saturating_mul(1000);
    let once_window = state.config.legacy_once_window_secs as i64;
    let clock = Arc::clone(&state.clock);
    let iam = Arc::clone(&state.iam);
    let app = Arc::clone(state);
    tokio::spawn(async move {
        loop {
            tokio::select! {
                _ = tokio::time::sleep(every) => {}
                _ = stop.changed() => return,
            }
            match store.abort_expired_uploads(upload_ttl_ms).await {
                Ok(n) if n > 0 => {
                    app.metrics.jobs.uploads_expired(n);
                    tracing::info!(aborted = n, "aborted expired multipart uploads")
                }
                Err(e) => tracing::warn!(error = %e, "aborting expired uploads failed"),
                _ => {}
            }
            let before = clock.now_secs() - once_window;
            match store.forget_once_signatures_before(before).await {
                Ok(n) if n > 0 => tracing::debug!(forgotten = n, "old once signatures"),
                Err(e) => tracing::warn!(error = %e, "forgetting once signatures failed"),
                _ => {}
            }
            let (i, now) = (Arc::clone(&iam), clock.now_secs());
            match tokio::task::spawn_blocking(move || i.prune_temp(now)).await {
                Ok(Ok(n)) if n > 0 => tracing::debug!(forgotten = n, "expired temporary keys"),
                Ok(Err(e)) => tracing::warn!(error = %e, "forgetting temporary keys failed"),
                _ => {}
            }
            let gc = store.gc_once().await;
            app.metrics.jobs.gc_run(gc.as_ref().ok(), clock.now_secs());
            match gc {
                Ok(stats) if stats.deleted + stats.revived > 0 => {
                    tracing::info!(
                        deleted = stats.deleted,
                        revived = stats.revived,
                        deferred = stats.deferred,
                        "chunk collection"
                    );
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "chunk collection failed"),
            }
        }
    })
}

/// Runs lifecycle passes (docs/lifecycle.md) until `stop` fires: a pass, then a pause of half
/// a lifecycle day (at most 30 s, at least 1 s), so a rule is acted on within about a day
/// length of becoming due. On `stop` a pass ends after the batch under way (every action is
/// atomic, and the bucket's cursor says where the next start resumes).
pub fn spawn_lifecycle(
    state: &Arc<AppState>,
    mut stop: tokio::sync::watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    let store = Arc::clone(&state.store);
    let day = state.config.lifecycle_day_secs.max(1);
    let every = std::time::Duration::from_secs((day.min(60) / 2).max(1));
    let opts = service::LifecycleOptions {
        cancel: Some(stop.clone()),
        paced: true,
        ..service::LifecycleOptions::new(day)
    };
    let app = Arc::clone(state);
    tokio::spawn(async move {
        loop {
            tokio::select! {
                _ = tokio::time::sleep(every) => {}
                _ = stop.changed() => return,
            }
            // Not raced against `stop`: the pass itself stops at its next batch (`cancel`).
            let pass = store.lifecycle_pass(&opts).await;
            let now = app.clock.now_secs();
            app.metrics.jobs.lifecycle_pass(pass.as_ref().ok(), now);
            match pass {
                Ok(s) => tracing::debug!(
                    buckets = s.buckets,
                    keys = s.keys,
                    expired = s.expired,
                    versions_deleted = s.versions_deleted,
                    markers_removed = s.markers_removed,
                    transitioned = s.transitioned,
                    uploads_aborted = s.uploads_aborted,
                    locked = s.locked,
                    "lifecycle pass"
                ),
                Err(e) => tracing::warn!(error = %e, "lifecycle pass failed"),
            }
        }
    })
}

/// Starts the notification deliverers (docs/notifications.md), one per configured webhook;
/// each stops when `stop` fires.
pub fn spawn_notify(
    state: &Arc<AppState>,
    stop: &tokio::sync::watch::Receiver<bool>,
) -> Vec<tokio::task::JoinHandle<()>> {
    let c = &state.config;
    let backoff = notify::deliver::Backoff {
        initial: std::time::Duration::from_millis(c.notify_retry_initial_ms.max(1)),
        max: std::time::Duration::from_secs(c.notify_retry_max_secs.max(1)),
    };
    notify::deliver::spawn(&state.store, &c.notify_webhooks, &c.region, backoff, stop)
}
