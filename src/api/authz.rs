//! The glue between a request and `policy::decide`: builds the resource name, gathers the
//! caller's policies, the bucket policy, the ACLs and the condition keys, and turns a denial
//! into `AccessDenied` (the reason goes to the debug log only).

use crate::api::error::{ApiError, Code};
use crate::api::request::{Caller, Ctx};
use crate::auth::Identity;
use crate::bucket_config::public_access::{self, AclsInForce};
use crate::meta::{BucketRecord, ObjectRecord};
use crate::policy::acl::AclView;
use crate::policy::cam::Policy;
use crate::policy::keys::{self, KeySource, Keys};
use crate::policy::{decide, Ask, Decision, Resource, Subject};
use crate::types::{BucketName, CannedAcl};
use crate::AppState;
use std::sync::Arc;

pub(crate) use crate::api::request::op::resource_name;

pub(crate) fn denied() -> ApiError {
    ApiError::new(Code::AccessDenied, "Access Denied.")
}

/// What the check is about besides the caller.
pub(crate) struct Target<'a> {
    pub owner_uin: Option<&'a str>,
    pub bucket: Option<&'a BucketRecord>,
    pub object: Option<&'a ObjectRecord>,
    pub resource: &'a str,
}

/// Decides `action` for `caller`.
pub(crate) fn decide_for(
    app: &AppState,
    caller: &Caller<'_>,
    action: &str,
    target: &Target<'_>,
) -> Decision {
    decide_as(app, caller.identity, action, target, || {
        let ip = keys::client_ip(
            caller.peer,
            caller.header("x-forwarded-for"),
            &app.trusted_proxies,
        );
        keys::extract(&KeySource {
            action,
            headers: caller.headers,
            query: caller.query,
            client_ip: ip,
            tls_version: caller.tls.map(|t| t.version),
            now_secs: app.clock.now_secs(),
            resource_tags: target.bucket.map(|b| b.tags.as_slice()).unwrap_or(&[]),
            object_tags: target.object.map(|o| o.tags.as_slice()).unwrap_or(&[]),
            identity: caller.identity,
        })
    })
}

/// Decides `action` for `who` with the stored user policies, bucket policy and ACLs of
/// `target`. The condition keys are built only when some policy could read them. Requests and
/// the admin simulator both come through here.
pub(crate) fn decide_as(
    app: &AppState,
    who: &Identity,
    action: &str,
    target: &Target<'_>,
    keys: impl FnOnce() -> Keys,
) -> Decision {
    let user = app.iam.policies_for(who);
    let session = match who {
        Identity::Account { secret_id, .. } => app.iam.session_policy(secret_id),
        Identity::Anonymous => None,
    };
    let policy: Option<Arc<Policy>> = match target
        .bucket
        .and_then(|b| b.policy.as_deref().map(|p| (b, p)))
    {
        Some((b, text)) => match app.policies.get(&b.name, text) {
            Ok(p) => Some(p),
            Err(e) => {
                // Validated when stored, so this is damage: fail closed for everyone but the owner.
                tracing::warn!(bucket = %b.name, error = %e, "stored bucket policy does not parse");
                Some(Arc::new(deny_all()))
            }
        },
        None => None,
    };
    // `?publicAccessBlock` and `?ownershipControls` decide which ACLs count, and whether a
    // public bucket policy still grants outsiders anything.
    let acls = AclsInForce::of(target.bucket);
    let bucket_grants = target.bucket.map(|b| acls.grants(&b.grants));
    let object_grants = target.object.map(|o| acls.grants(&o.grants));
    let policy = match (policy, target.bucket) {
        (Some(p), Some(b)) => Some(restrict_public(p, b, who)),
        (p, _) => p,
    };
    let keys = if !user.is_empty() || policy.is_some() || session.is_some() {
        keys()
    } else {
        Keys::new()
    };
    decide(
        Subject {
            identity: who,
            policies: &user,
            session: session.as_deref(),
        },
        Resource {
            owner_uin: target.owner_uin,
            bucket_policy: policy.as_deref(),
            bucket_acl: target
                .bucket
                .zip(bucket_grants.as_deref())
                .filter(|_| acls.apply())
                .map(|(b, grants)| AclView {
                    canned: acls.canned(b.acl),
                    grants,
                }),
            object_acl: target
                .object
                .zip(object_grants.as_deref())
                .filter(|_| acls.apply())
                .map(|(o, grants)| AclView {
                    canned: acls.canned(o.acl.unwrap_or(CannedAcl::Default)),
                    grants,
                }),
        },
        Ask {
            action,
            resource: target.resource,
            keys: &keys,
        },
    )
}

/// Under `RestrictPublicBuckets`, a public bucket policy grants nothing to callers outside the
/// owner's account: they are judged by its Deny statements only.
fn restrict_public(policy: Arc<Policy>, bucket: &BucketRecord, who: &Identity) -> Arc<Policy> {
    let restricted = bucket
        .public_access_block
        .is_some_and(|b| b.restrict_public_buckets);
    let insider =
        matches!(who, Identity::Account { root_uin, .. } if *root_uin == bucket.owner_uin);
    if restricted && !insider && public_access::policy_is_public(&policy) {
        Arc::new(public_access::deny_only(&policy))
    } else {
        policy
    }
}

fn deny_all() -> Policy {
    use crate::policy::cam::{Effect, Statement};
    Policy {
        statements: vec![Statement {
            effect: Effect::Deny,
            principals: Some(vec!["*".into()]),
            actions: vec!["*".into()],
            resources: vec!["*".into()],
            conditions: vec![],
            aws: None,
        }],
    }
}

/// Authorizes `action` and maps a denial to `AccessDenied`, logging why at debug level.
pub(crate) fn authorize(
    app: &AppState,
    caller: &Caller<'_>,
    action: &str,
    target: &Target<'_>,
) -> Result<(), ApiError> {
    let d = decide_for(app, caller, action, target);
    crate::api::observe::note_decision(action, target.resource, &d);
    if d.allowed {
        tracing::trace!(action, resource = target.resource, reason = %d.reason, "allowed");
        Ok(())
    } else {
        tracing::debug!(action, resource = target.resource, reason = %d.reason, "access denied");
        Err(denied())
    }
}

/// Authorizes `action` on `bucket` (and `key` in it), with the object's ACL when known.
pub(crate) fn authorize_in(
    app: &AppState,
    caller: &Caller<'_>,
    action: &str,
    bucket: &BucketRecord,
    key: Option<&str>,
    object: Option<&ObjectRecord>,
) -> Result<(), ApiError> {
    let resource = resource_name(&bucket.region, &bucket.name, key);
    authorize(
        app,
        caller,
        action,
        &Target {
            owner_uin: Some(&bucket.owner_uin),
            bucket: Some(bucket),
            object,
            resource: &resource,
        },
    )
}

/// Loads the source bucket of a copy (`action` on `key` in it is what the copy needs). A
/// missing bucket is reported only to a caller the action would be allowed to on it (judged by
/// the account that owns its APPID, as for PUT Bucket); everyone else is denied exactly as for
/// an existing bucket they cannot read, so a copy cannot probe which buckets exist.
pub(crate) fn load_source_bucket(
    app: &AppState,
    caller: &Caller<'_>,
    action: &str,
    bucket: &str,
    key: &str,
) -> Result<Arc<BucketRecord>, ApiError> {
    if let Some(rec) = app.store.bucket_shared(bucket)? {
        return Ok(rec);
    }
    authorize_missing_bucket(app, caller, &app.config.region, action, bucket, Some(key))?;
    Err(ApiError::new(
        Code::NoSuchBucket,
        "The specified source bucket does not exist.",
    ))
}

/// The CAM action an operation cosd does not implement would have: the method, `Bucket` or
/// `Object`, and the sub-resource in CamelCase (`GET ?inventory` on a bucket is
/// `name/cos:GetBucketInventory`, `POST ?restore` on an object `name/cos:PostObjectRestore`),
/// which is how COS names them.
pub(crate) fn unimplemented_action(method: &str, object: bool, sub: &str) -> String {
    let mut camel = String::new();
    for part in sub.split('-') {
        let mut chars = part.chars();
        if let Some(first) = chars.next() {
            camel.extend(first.to_uppercase());
            camel.push_str(chars.as_str());
        }
    }
    let mut verb = method.to_ascii_lowercase();
    if let Some(first) = verb.get_mut(..1) {
        first.make_ascii_uppercase();
    }
    let level = if object { "Object" } else { "Bucket" };
    format!("name/cos:{verb}{level}{camel}")
}

/// Operations cosd does not implement are authorized like any other, with the action they
/// would have (`unimplemented_action`): only a caller allowed it hears 501, everyone else gets
/// the `AccessDenied` any unauthorized request gets, so callers cannot map which features
/// exist. For a missing bucket, the account owning its APPID decides, as for PUT Bucket.
pub(crate) fn authorize_unimplemented(
    app: &AppState,
    ctx: &Ctx,
    loaded: Option<&BucketRecord>,
    sub: &str,
) -> Result<(), ApiError> {
    let Some(bucket) = ctx.bucket() else {
        return match ctx.identity {
            Identity::Anonymous => Err(denied()),
            Identity::Account { .. } => Ok(()),
        };
    };
    let action = unimplemented_action(ctx.method.as_str(), ctx.key().is_some(), sub);
    if let Some(rec) = loaded {
        return authorize_in(app, &ctx.caller(), &action, rec, ctx.key(), None);
    }
    authorize_missing_bucket(
        app,
        &ctx.caller(),
        &app.config.region,
        &action,
        bucket,
        ctx.key(),
    )
}

/// Authorizes `action` on a bucket that does not exist (and `key` in it), as the account that
/// owns the name's APPID would decide it: only its root, or whom it allowed, may learn that.
fn authorize_missing_bucket(
    app: &AppState,
    caller: &Caller<'_>,
    region: &str,
    action: &str,
    bucket: &str,
    key: Option<&str>,
) -> Result<(), ApiError> {
    let Some(appid) = cos_form_appid(app, bucket) else {
        // An S3-form name is bound to no account until someone creates it: that it does not
        // exist is no one's secret (S3 answers NoSuchBucket to everyone).
        return Ok(());
    };
    let owner = app.iam.owner_of_appid(appid);
    let resource = resource_name(region, bucket, key);
    authorize(
        app,
        caller,
        action,
        &Target {
            owner_uin: owner.as_deref(),
            bucket: None,
            object: None,
            resource: &resource,
        },
    )
}

/// The appid a bucket name binds it to: the `-<appid>` suffix of a COS-form name. Where plain
/// S3 names are allowed (`s3_bucket_names`), a name whose digit suffix is no account's appid
/// (`logs-2024`, s3-tests' `prefix-1`) is a plain S3 name and binds to no account.
pub(crate) fn cos_form_appid<'a>(app: &AppState, name: &'a str) -> Option<&'a str> {
    let appid = crate::types::appid_of(name)?;
    if app.config.s3_bucket_names && app.iam.owner_of_appid(appid).is_none() {
        return None;
    }
    Some(appid)
}

/// Authorizes creating `name` (PUT Bucket): the bucket belongs to the account whose appid is
/// its suffix.
pub(crate) fn authorize_create(
    app: &AppState,
    ctx: &Ctx,
    action: &str,
    name: &BucketName,
    region: &str,
) -> Result<String, ApiError> {
    let owner = match cos_form_appid(app, name.as_str()) {
        Some(appid) => app.iam.owner_of_appid(appid).ok_or_else(|| {
            ApiError::new(
                Code::AccessDenied,
                format!("No account has the APPID {appid} of this bucket name."),
            )
        })?,
        // An S3-form name (`s3_bucket_names`) belongs to the account that creates it.
        None => match &ctx.identity {
            Identity::Anonymous => {
                return Err(ApiError::new(
                    Code::AccessDenied,
                    "Anonymous users cannot create buckets.",
                ))
            }
            Identity::Account { root_uin, .. } => root_uin.clone(),
        },
    };
    let resource = resource_name(region, name.as_str(), None);
    authorize(
        app,
        &ctx.caller(),
        action,
        &Target {
            owner_uin: Some(&owner),
            bucket: None,
            object: None,
            resource: &resource,
        },
    )?;
    Ok(owner)
}

/// Authorizes a service-level action (GET Service).
pub(crate) fn authorize_service(app: &AppState, ctx: &Ctx, action: &str) -> Result<(), ApiError> {
    authorize(
        app,
        &ctx.caller(),
        action,
        &Target {
            owner_uin: None,
            bucket: None,
            object: None,
            resource: "*",
        },
    )
}

/// `x-cos-bypass-governance-retention: true` from a caller allowed
/// `name/cos:BypassGovernanceRetention` on the object: the only way to get a
/// [`GovernanceBypass`](crate::service::GovernanceBypass). Without the header, or without the
/// permission, there is none (a change GOVERNANCE retention forbids is then refused).
pub(crate) fn governance_bypass(
    app: &AppState,
    ctx: &Ctx,
    bucket: &BucketRecord,
    key: &str,
) -> Option<crate::service::GovernanceBypass> {
    let asked = ctx
        .header("x-cos-bypass-governance-retention")
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"));
    if !asked {
        return None;
    }
    authorize_in(
        app,
        &ctx.caller(),
        "name/cos:BypassGovernanceRetention",
        bucket,
        Some(key),
        None,
    )
    .ok()
    .map(|()| crate::service::GovernanceBypass::granted())
}

#[cfg(test)]
mod unimplemented_tests {
    use super::unimplemented_action;

    #[test]
    fn unimplemented_operations_get_the_action_cos_names_them_with() {
        for (method, object, sub, want) in [
            ("GET", false, "inventory", "name/cos:GetBucketInventory"),
            ("PUT", false, "object-lock", "name/cos:PutBucketObjectLock"),
            ("POST", true, "restore", "name/cos:PostObjectRestore"),
            ("GET", true, "legal-hold", "name/cos:GetObjectLegalHold"),
            (
                "DELETE",
                false,
                "publicAccessBlock",
                "name/cos:DeleteBucketPublicAccessBlock",
            ),
        ] {
            assert_eq!(unimplemented_action(method, object, sub), want);
        }
    }
}
