//! Declarative start state (docs/declarative.md): the `[[buckets]]` of the configuration,
//! validated exactly as the API calls that set the same things (PUT Bucket acl, policy, cors,
//! website, lifecycle, versioning, tagging), then applied at every start and after a reset.
//!
//! `plan` is the pure part: it turns declarations into typed plans or an error naming the
//! bucket, so an invalid declaration stops the start before anything is written. `apply`
//! (`apply.rs`) makes a plan true through the service layer: it creates a missing bucket,
//! overwrites what is declared, leaves what is not, and writes a seed file only when its key
//! is missing or holds other bytes. `reset` (`reset.rs`) empties the server and applies the
//! plans again.

mod apply;
mod reset;
mod seed;

pub use apply::apply;
pub use apply::Applied;
pub use reset::{reset, ResetError, ResetReport, ResetTo};

use crate::bucket_config::cors::{CorsConfig, MAX_CORS_XML};
use crate::bucket_config::lifecycle::{LifecycleConfig, MAX_LIFECYCLE_XML};
use crate::bucket_config::versioning::VersioningStatus;
use crate::bucket_config::website::{WebsiteConfig, MAX_WEBSITE_XML};
use crate::config::BucketDecl;
use crate::meta::BucketRecord;
use crate::types::tags::TagRules;
use crate::types::{BucketName, CannedAcl};
use std::collections::HashSet;
use std::path::PathBuf;

/// A declaration that cannot be applied; the message names the bucket.
#[derive(Debug, thiserror::Error)]
#[error("[[buckets]] {bucket}: {message}")]
pub struct DeclareError {
    pub bucket: String,
    pub message: String,
}

impl DeclareError {
    pub(crate) fn new(bucket: &str, message: impl Into<String>) -> Self {
        DeclareError {
            bucket: bucket.to_string(),
            message: message.into(),
        }
    }
}

/// One declared bucket, validated: `None` fields are left as the bucket has them.
#[derive(Debug, Clone, PartialEq)]
pub struct BucketPlan {
    pub name: String,
    pub owner: String,
    pub acl: Option<CannedAcl>,
    pub policy: Option<String>,
    pub cors: Option<CorsConfig>,
    pub website: Option<WebsiteConfig>,
    pub lifecycle: Option<LifecycleConfig>,
    pub versioning: Option<VersioningStatus>,
    pub tags: Option<Vec<(String, String)>>,
    pub seed_dir: Option<PathBuf>,
}

impl BucketPlan {
    /// Sets what the plan declares on `rec` (a declared ACL replaces explicit grants, as a
    /// canned ACL PUT does).
    pub fn apply_to(&self, rec: &mut BucketRecord) {
        if let Some(acl) = self.acl {
            rec.acl = acl;
            rec.grants.clear();
        }
        if let Some(p) = &self.policy {
            rec.policy = Some(p.clone());
        }
        if let Some(c) = &self.cors {
            rec.cors = Some(c.clone());
        }
        if let Some(w) = &self.website {
            rec.website = Some(w.clone());
        }
        if let Some(l) = &self.lifecycle {
            rec.lifecycle = Some(l.clone());
        }
        if let Some(v) = self.versioning {
            rec.versioning = Some(v);
        }
        if let Some(t) = &self.tags {
            rec.tags = t.clone();
        }
    }
}

/// What `plan` needs to know of the server.
pub struct PlanContext<'a> {
    pub main_root: &'a str,
    pub region: &'a str,
    pub s3_bucket_names: bool,
    /// The root account owning an appid.
    pub owner_of_appid: &'a dyn Fn(&str) -> Option<String>,
    /// Whether a root account exists.
    pub root_exists: &'a dyn Fn(&str) -> bool,
}

/// Validates every declaration (pure: neither the store nor the seed directories are read).
pub fn plan(decls: &[BucketDecl], cx: &PlanContext<'_>) -> Result<Vec<BucketPlan>, DeclareError> {
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(decls.len());
    for d in decls {
        let p = plan_one(d, cx)?;
        if !seen.insert(p.name.clone()) {
            return Err(DeclareError::new(&d.name, "declared twice"));
        }
        out.push(p);
    }
    Ok(out)
}

fn plan_one(d: &BucketDecl, cx: &PlanContext<'_>) -> Result<BucketPlan, DeclareError> {
    let err = |m: String| DeclareError::new(&d.name, m);
    let name = BucketName::parse_with(&d.name, cx.s3_bucket_names)
        .map_err(|e| err(format!("invalid bucket name: {e}")))?;
    let owner = match (name.appid(), &d.owner) {
        (Some(appid), owner) => {
            let of_appid = (cx.owner_of_appid)(appid)
                .ok_or_else(|| err(format!("no root account has appid {appid}")))?;
            if owner.as_ref().is_some_and(|o| *o != of_appid) {
                return Err(err(format!(
                    "owner {} differs from {of_appid}, the account of appid {appid}",
                    owner.as_deref().unwrap_or_default()
                )));
            }
            of_appid
        }
        (None, Some(o)) => o.clone(),
        (None, None) => cx.main_root.to_string(),
    };
    if !(cx.root_exists)(&owner) {
        return Err(err(format!("no root account {owner}")));
    }
    let acl = match &d.acl {
        None => None,
        Some(a) => Some(
            CannedAcl::parse(a)
                .filter(CannedAcl::applies_to_buckets)
                .ok_or_else(|| err(format!("acl {a:?} is not a canned bucket ACL")))?,
        ),
    };
    if let Some(text) = &d.policy {
        let probe = BucketRecord::new(
            name.as_str(),
            &owner,
            cx.region,
            CannedAcl::Private,
            vec![],
            vec![],
        );
        crate::api::xml::policy::validate(text, &probe)
            .map_err(|e| err(format!("policy: {}", e.message)))?;
    }
    let sized = |what: &str, text: &str, max: usize| {
        if text.len() > max {
            Err(err(format!("{what}: larger than {max} bytes")))
        } else {
            Ok(())
        }
    };
    let cors = match &d.cors {
        None => None,
        Some(x) => {
            sized("cors", x, MAX_CORS_XML)?;
            Some(CorsConfig::parse(x).map_err(|e| err(format!("cors: {e}")))?)
        }
    };
    let website = match &d.website {
        None => None,
        Some(x) => {
            sized("website", x, MAX_WEBSITE_XML)?;
            Some(WebsiteConfig::parse(x).map_err(|e| err(format!("website: {e}")))?)
        }
    };
    let lifecycle = match &d.lifecycle {
        None => None,
        Some(x) => {
            sized("lifecycle", x, MAX_LIFECYCLE_XML)?;
            // Rules without an ID get a stable one, so a restart changes nothing.
            let mut n = 0;
            let mut next_id = || {
                n += 1;
                format!("declared-{n}")
            };
            let parsed = crate::bucket_config::lifecycle::xml::parse(x.as_bytes(), &mut next_id)
                .map_err(|e| err(format!("lifecycle: {}", e.message())))?;
            Some(parsed)
        }
    };
    let versioning = match d.versioning.as_deref() {
        None => None,
        Some("Enabled") => Some(VersioningStatus::Enabled),
        Some("Suspended") => Some(VersioningStatus::Suspended),
        Some(v) => {
            return Err(err(format!(
                "versioning {v:?}: give \"Enabled\" or \"Suspended\""
            )))
        }
    };
    let tags = match &d.tags {
        None => None,
        Some(map) => {
            let list: Vec<(String, String)> =
                map.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
            TagRules::bucket(name.appid().is_none())
                .check(&list)
                .map_err(|e| err(format!("tags: {}", e.0)))?;
            Some(list)
        }
    };
    Ok(BucketPlan {
        name: name.as_str().to_string(),
        owner,
        acl,
        policy: d.policy.clone(),
        cors,
        website,
        lifecycle,
        versioning,
        tags,
        seed_dir: d.seed_dir.clone(),
    })
}

#[cfg(test)]
mod tests;
