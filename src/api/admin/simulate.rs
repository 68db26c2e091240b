//! `POST /_cosd/admin/simulate`: would this principal be allowed this action on this resource
//! with these condition values? The same `policy::decide` that serves requests answers, with
//! the stored user policies, bucket policy and ACLs. The question may be asked in CAM terms
//! (`name/cos:GetObject`, `qcs::cos:...`, `qcs:ip`) or in AWS terms (`s3:GetObject`,
//! `arn:aws:s3:::bucket/key`, `aws:SourceIp`); the answer names the deciding statement, with
//! its `Sid` for an AWS-syntax bucket policy.

use super::bad;
use crate::api::authz::{decide_as, Target};
use crate::api::error::{ApiError, ApiResult, Code};
use crate::auth::Identity;
use crate::meta::{BucketRecord, ObjectRecord};
use crate::policy::acl::Grantee;
use crate::policy::aws;
use crate::policy::keys::Keys;
use crate::service::ServiceError;
use crate::AppState;
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::BTreeMap;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SimulateRequest {
    /// A sub-account (or the root itself) of the calling root account.
    #[serde(default)]
    pub uin: Option<String>,
    /// Or any principal: `qcs::cam::uin/R:uin/U`, `qcs::cam::anyone:anyone`.
    #[serde(default)]
    pub principal: Option<String>,
    pub action: String,
    pub resource: String,
    /// Condition key -> value or list of values.
    #[serde(default)]
    pub conditions: BTreeMap<String, Value>,
}

fn identity(root: &str, req: &SimulateRequest) -> ApiResult<Identity> {
    let account = |uin: &str, root_uin: &str| Identity::Account {
        secret_id: String::new(),
        uin: uin.into(),
        root_uin: root_uin.into(),
    };
    match (&req.uin, &req.principal) {
        (Some(uin), None) => Ok(account(uin, root)),
        (None, Some(p)) => match Grantee::from_id(p) {
            Some(Grantee::AllUsers) => Ok(Identity::Anonymous),
            _ if p == "*" => Ok(Identity::Anonymous),
            Some(Grantee::Account(id)) => {
                let rest = id.trim_start_matches("qcs::cam::uin/");
                let (r, u) = rest.split_once(":uin/").unwrap_or((rest, rest));
                // Another tenant's sub-accounts, and their policies, are not the caller's to
                // look at: only another account's root (what the caller's bucket grants it).
                if r != root && u != r {
                    return Err(bad(
                        "a principal of another account must be that account's root (qcs::cam::uin/<root>:uin/<root>)",
                    ));
                }
                Ok(account(u, r))
            }
            _ => Err(bad(format!("unknown principal {p:?}"))),
        },
        _ => Err(bad("give either uin or principal")),
    }
}

fn keys_of(conditions: &BTreeMap<String, Value>) -> ApiResult<Keys> {
    let scalar = |v: &Value| match v {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        other => Err(bad(format!(
            "condition values are strings, numbers, booleans or lists of them, got {other}"
        ))),
    };
    conditions
        .iter()
        .map(|(k, v)| {
            let vals = match v {
                Value::Array(items) => items.iter().map(scalar).collect::<Result<Vec<_>, _>>()?,
                one => vec![scalar(one)?],
            };
            // AWS key names (`aws:SourceIp`) ask about the key cosd reads (`qcs:ip`).
            let key = if k.starts_with("aws:") || k.starts_with("s3:") {
                aws::keys::internal_name(k).unwrap_or_else(|| k.clone())
            } else {
                k.clone()
            };
            Ok((key, vals))
        })
        .collect()
}

/// `qcs::cos:<region>:uid/<appid>:<bucket>/<key>` -> (bucket, key).
fn split_resource(resource: &str) -> Option<(&str, &str)> {
    let rest = resource.strip_prefix("qcs::cos:")?;
    let (_, rest) = rest.split_once(":uid/")?;
    let (_, path) = rest.split_once(':')?;
    Some(path.split_once('/').unwrap_or((path, "")))
}

/// `arn:aws:s3:::<bucket>[/<key>]` -> the cosd resource of that bucket (or key), in the
/// bucket's region (the configured one for a bucket that does not exist).
fn resource_of_arn(app: &AppState, arn: &str) -> ApiResult<Option<String>> {
    let Some(path) = arn.strip_prefix("arn:aws:s3:::") else {
        return Ok(None);
    };
    let (bucket, key) = match path.split_once('/') {
        Some((b, k)) => (b, Some(k)),
        None => (path, None),
    };
    let region = app
        .store
        .get_bucket(bucket)
        .map_err(|e| ApiError::internal(&e, e.to_string()))?
        .map(|b| b.region)
        .unwrap_or_else(|| app.config.region.clone());
    Ok(Some(crate::api::authz::resource_name(&region, bucket, key)))
}

pub fn run(app: &AppState, root: &str, req: &SimulateRequest) -> ApiResult<Value> {
    let who = identity(root, req)?;
    let action = if req.action.starts_with("cos:") {
        format!("name/{}", req.action)
    } else if req.action.starts_with("s3:") {
        aws::actions::primary(&req.action)
            .ok_or_else(|| bad(format!("unknown S3 action {:?}", req.action)))?
            .0
    } else {
        req.action.clone()
    };
    let keys = keys_of(&req.conditions)?;
    let arn_resource = resource_of_arn(app, &req.resource)?;
    let resource = arn_resource.as_deref().unwrap_or(&req.resource);
    let mut bucket: Option<BucketRecord> = None;
    let mut object: Option<ObjectRecord> = None;
    let owner = if resource == "*" {
        None
    } else {
        let (name, key) = split_resource(resource).ok_or_else(|| {
            bad("resource must be *, qcs::cos:<region>:uid/<appid>:<bucket>/<key> or arn:aws:s3:::<bucket>/<key>")
        })?;
        // Loading a bucket or object fails only when the store does.
        let store_err = |e: ServiceError| ApiError::internal(&e, e.to_string());
        bucket = app.store.get_bucket(name).map_err(store_err)?;
        if let Some(b) = &bucket {
            if !key.is_empty() {
                object = app.store.load_object(&b.name, key).map_err(store_err)?;
            }
        }
        let owner = match &bucket {
            Some(b) => Some(b.owner_uin.clone()),
            None => crate::types::appid_of(name).and_then(|appid| app.iam.owner_of_appid(appid)),
        };
        if owner.as_deref() != Some(root) {
            return Err(ApiError::new(
                Code::AccessDenied,
                "You can simulate requests on your own account's buckets only.",
            ));
        }
        owner
    };
    let d = decide_as(
        app,
        &who,
        &action,
        &Target {
            owner_uin: owner.as_deref(),
            bucket: bucket.as_ref(),
            object: object.as_ref(),
            resource,
        },
        || keys,
    );
    let (policy_name, statement) = match &d.statement {
        Some((p, si)) => (json!(p), json!(si)),
        None => (Value::Null, Value::Null),
    };
    // The bucket policy's language, and the deciding statement's Sid when it has one.
    let bucket_policy = bucket.as_ref().and_then(|b| b.policy.as_deref());
    let language = bucket_policy.map(|t| match aws::language_of(t) {
        aws::Language::Aws => "aws",
        aws::Language::Cam => "cam",
    });
    let sid = match (&d.statement, bucket.as_ref(), bucket_policy) {
        (Some((p, si)), Some(b), Some(text)) if p == "bucket policy" => app
            .policies
            .get(&b.name, text)
            .ok()
            .and_then(|pol| pol.statements.get(*si).cloned())
            .and_then(|s| s.aws.and_then(|a| a.sid)),
        _ => None,
    };
    Ok(json!({
        "decision": if d.allowed { "allow" } else { "deny" },
        "reason": d.reason,
        "policy": policy_name,
        "statement": statement,
        "sid": sid,
        "bucket_policy_language": language,
        "principal": who.principal(),
        "action": action,
        "resource": resource,
    }))
}
