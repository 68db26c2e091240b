//! Resetting the server (`POST /_cosd/admin/reset`, `cosd admin reset`): every bucket of every
//! account goes (`Store::remove_all_buckets`, which ignores object lock), then, unless an empty
//! server was asked for, the declared buckets are applied again. Accounts, users, keys and
//! KMS keys are left as they are.

use super::apply::Applied;
use super::DeclareError;
use crate::config::Config;
use crate::iam::Iam;
use crate::service::{ResetStats, ServiceError, Store};
use std::sync::Arc;

/// What the server is reset to.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ResetTo {
    /// The `[[buckets]]` of the configuration, as at start.
    #[default]
    Declared,
    /// No buckets at all.
    Empty,
}

/// What a reset did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct ResetReport {
    pub to: ResetTo,
    pub removed: ResetStats,
    pub applied: Applied,
    pub elapsed_ms: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum ResetError {
    #[error("{0}")]
    Service(#[from] ServiceError),
    /// A declaration no longer holds; nothing was removed.
    #[error("{0}")]
    Invalid(DeclareError),
    /// Applying a declaration failed after every bucket was removed.
    #[error("{0}")]
    Apply(DeclareError),
}

/// Removes every bucket, then applies the declarations unless `to` is `Empty`.
pub async fn reset(
    config: &Config,
    iam: &Iam,
    store: &Arc<Store>,
    keys: &crate::crypto::Keyring,
    to: ResetTo,
) -> Result<ResetReport, ResetError> {
    let _exclusive = store.exclusive_reset().await;
    let started = std::time::Instant::now();
    // Validated before anything is removed (the accounts may have changed since the start).
    let plans = match to {
        ResetTo::Declared => super::apply::plans(config, iam).map_err(ResetError::Invalid)?,
        ResetTo::Empty => Vec::new(),
    };
    let removed = store.remove_all_buckets().await?;
    let applied = super::apply::apply_plans(&plans, &config.region, store, keys)
        .await
        .map_err(ResetError::Apply)?;
    let elapsed_ms = started.elapsed().as_millis() as u64;
    tracing::info!(
        to = ?to,
        buckets = removed.buckets,
        objects = removed.objects,
        versions = removed.versions,
        uploads = removed.uploads,
        created = applied.buckets_created,
        seeded = applied.objects_written,
        elapsed_ms,
        "reset"
    );
    Ok(ResetReport {
        to,
        removed,
        applied,
        elapsed_ms,
    })
}
