//! `POST /_cosd/admin/simulate`: would this principal be allowed this action on this resource
//! with these condition values? The same `policy::decide` that serves requests answers, with
//! the stored user policies, bucket policy and ACLs.

use super::bad;
use crate::api::authz::{decide_as, Target};
use crate::api::error::{ApiError, ApiResult, Code};
use crate::auth::Identity;
use crate::meta::{BucketRecord, ObjectRecord};
use crate::policy::acl::Grantee;
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
            Ok((k.clone(), vals))
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

pub fn run(app: &AppState, root: &str, req: &SimulateRequest) -> ApiResult<Value> {
    let who = identity(root, req)?;
    let action = if req.action.starts_with("cos:") {
        format!("name/{}", req.action)
    } else {
        req.action.clone()
    };
    let keys = keys_of(&req.conditions)?;
    let mut bucket: Option<BucketRecord> = None;
    let mut object: Option<ObjectRecord> = None;
    let owner = if req.resource == "*" {
        None
    } else {
        let (name, key) = split_resource(&req.resource).ok_or_else(|| {
            bad("resource must be * or qcs::cos:<region>:uid/<appid>:<bucket>/<key>")
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
            resource: &req.resource,
        },
        || keys,
    );
    let (policy_name, statement) = match &d.statement {
        Some((p, si)) => (json!(p), json!(si)),
        None => (Value::Null, Value::Null),
    };
    Ok(json!({
        "decision": if d.allowed { "allow" } else { "deny" },
        "reason": d.reason,
        "policy": policy_name,
        "statement": statement,
        "principal": who.principal(),
        "action": action,
        "resource": req.resource,
    }))
}
