//! Makes validated bucket plans true through the service layer (idempotent: a second run
//! with the same plans and seed files writes nothing).

use super::{BucketPlan, DeclareError, PlanContext};
use crate::bucket_config::versioning::VersioningStatus;
use crate::config::Config;
use crate::crypto::Keyring;
use crate::iam::Iam;
use crate::meta::BucketRecord;
use crate::service::{ServiceError, Store};
use crate::types::CannedAcl;
use std::sync::Arc;

/// What applying the declarations did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Applied {
    pub buckets_created: usize,
    pub buckets_updated: usize,
    pub objects_written: usize,
}

/// Validates `config.buckets` and makes them true (see the module doc of `declare`).
pub async fn apply(
    config: &Config,
    iam: &Iam,
    store: &Arc<Store>,
    keys: &Keyring,
) -> Result<Applied, DeclareError> {
    let plans = plans(config, iam)?;
    apply_plans(&plans, &config.region, store, keys).await
}

/// Makes validated `plans` true, in order.
pub async fn apply_plans(
    plans: &[BucketPlan],
    region: &str,
    store: &Arc<Store>,
    keys: &Keyring,
) -> Result<Applied, DeclareError> {
    let mut done = Applied::default();
    for p in plans {
        apply_one(p, region, store, keys, &mut done).await?;
    }
    Ok(done)
}

/// `config.buckets`, validated against the accounts `iam` knows.
pub fn plans(config: &Config, iam: &Iam) -> Result<Vec<BucketPlan>, DeclareError> {
    let owner_of_appid = |appid: &str| iam.owner_of_appid(appid);
    let root_exists = |uin: &str| iam.directory().accounts.contains_key(uin);
    let cx = PlanContext {
        main_root: &config.root_uin,
        region: &config.region,
        s3_bucket_names: config.s3_bucket_names,
        owner_of_appid: &owner_of_appid,
        root_exists: &root_exists,
    };
    let plans = super::plan(&config.buckets, &cx)?;
    // Checked here too, so a reset refuses before it removes anything.
    for p in &plans {
        if let Some(dir) = p.seed_dir.as_ref().filter(|d| !d.is_dir()) {
            return Err(DeclareError::new(
                &p.name,
                format!("seed_dir {} is not a directory", dir.display()),
            ));
        }
    }
    Ok(plans)
}

async fn apply_one(
    p: &BucketPlan,
    region: &str,
    store: &Arc<Store>,
    keys: &Keyring,
    done: &mut Applied,
) -> Result<(), DeclareError> {
    let err = |e: ServiceError| DeclareError::new(&p.name, e.to_string());
    let existing = store.get_bucket(&p.name).map_err(err)?;
    let existing = match existing {
        Some(rec) if rec.owner_uin != p.owner => {
            return Err(DeclareError::new(
                &p.name,
                format!("the bucket exists and belongs to {}", rec.owner_uin),
            ))
        }
        Some(rec) => rec,
        None => {
            let mut rec = BucketRecord::new(
                &p.name,
                &p.owner,
                region,
                CannedAcl::Private,
                vec![],
                vec![],
            );
            p.apply_to(&mut rec);
            match store.create_bucket_from(rec).await {
                Ok(rec) => {
                    done.buckets_created += 1;
                    rec
                }
                // Created meanwhile by a request: make the declaration true on it below.
                Err(ServiceError::BucketAlreadyOwnedByYou) => store
                    .get_bucket(&p.name)
                    .map_err(err)?
                    .ok_or_else(|| err(ServiceError::NoSuchBucket))?,
                Err(e) => return Err(err(e)),
            }
        }
    };
    let mut wanted = existing.clone();
    p.apply_to(&mut wanted);
    if wanted != existing {
        let plan = p.clone();
        store
            .try_update_bucket(&p.name, move |rec| {
                if rec.object_lock.is_some() && plan.versioning == Some(VersioningStatus::Suspended) {
                    return Err(ServiceError::InvalidBucketState(
                        "versioning Suspended: the bucket has object lock, so versioning stays Enabled".into(),
                    ));
                }
                plan.apply_to(rec);
                Ok(())
            })
            .await
            .map_err(err)?;
        done.buckets_updated += 1;
    }
    if let Some(dir) = &p.seed_dir {
        done.objects_written += super::seed::seed(store, keys, &p.name, dir).await?;
    }
    Ok(())
}
