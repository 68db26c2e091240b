//! AWS-syntax bucket policies (`"Version": "2012-10-17"`), beside CAM: parsed (`parse`) into
//! the same policy model and evaluated by the same evaluator (`cam::evaluate_detailed`), which
//! hands an AWS statement's element matching to [`applies`]. The mapping of actions
//! (`actions`), principals (`parse`) and condition keys (`keys`) is in docs/aws-policies.md.

pub mod actions;
pub mod keys;
mod parse;

use super::cam::{
    glob, principal_match, Policy, PolicyError, PrincipalMatch, RequestContext, Statement,
    BUCKET_POLICY_MAX_LEN,
};
use serde_json::Value;

pub use parse::is_aws;

/// What an AWS statement has beyond the CAM model.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AwsParts {
    pub sid: Option<String>,
    /// `NotPrincipal`: the statement applies to every caller the principals do not cover.
    pub not_principal: bool,
    /// `NotAction`: to every action the actions (and scoped actions) do not cover.
    pub not_action: bool,
    /// `NotResource`: to every resource the resources do not cover.
    pub not_resource: bool,
    /// Actions covered only for requests with (`versioned`) or without a `versionId`.
    pub scoped_actions: Vec<ScopedAction>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScopedAction {
    /// `name/cos:<Action>`.
    pub action: String,
    pub versioned: bool,
}

/// The policy language of a stored policy text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    Cam,
    Aws,
}

/// Parses a bucket policy in either language: AWS when [`is_aws`] says so, CAM otherwise.
pub fn parse_bucket_policy(text: &str) -> Result<(Policy, Language), PolicyError> {
    if text.len() > BUCKET_POLICY_MAX_LEN {
        return Err(PolicyError(format!(
            "the policy is {} bytes; at most {BUCKET_POLICY_MAX_LEN} are allowed",
            text.len()
        )));
    }
    if let Ok(Value::Object(doc)) = serde_json::from_str::<Value>(text) {
        if is_aws(&doc) {
            return Ok((parse::parse(&doc)?, Language::Aws));
        }
    }
    Ok((Policy::parse(text, BUCKET_POLICY_MAX_LEN)?, Language::Cam))
}

/// The language of a stored policy text (CAM when it is not an AWS document).
pub fn language_of(text: &str) -> Language {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(doc)) if is_aws(&doc) => Language::Aws,
        _ => Language::Cam,
    }
}

/// The S3 ARN remainder of a cosd resource: `qcs::cos:<region>:uid/<appid>:<bucket>/` is
/// `<bucket>`, `...:<bucket>/<key>` is `<bucket>/<key>`; `None` for `*` (service level).
pub fn arn_path(resource: &str) -> Option<&str> {
    let rest = resource.strip_prefix("qcs::cos:")?;
    let (_, rest) = rest.split_once(":uid/")?;
    let (_, path) = rest.split_once(':')?;
    Some(
        path.strip_suffix('/')
            .filter(|b| !b.contains('/'))
            .unwrap_or(path),
    )
}

/// Whether an AWS resource (`*` or `arn:aws:s3:::...`) stays within `bucket`: its bucket part
/// is the bucket's name exactly (a bucket policy names only its own bucket's resources).
pub fn names_bucket(resource: &str, bucket: &str) -> bool {
    if resource == "*" {
        return true;
    }
    match resource.strip_prefix("arn:aws:s3:::") {
        Some(path) => path == bucket || path.starts_with(&format!("{bucket}/")),
        None => false,
    }
}

fn action_covered(s: &Statement, aws: &AwsParts, ctx: &RequestContext<'_>) -> bool {
    if s.actions.iter().any(|a| glob::matches(a, ctx.action)) {
        return true;
    }
    let versioned = ctx
        .keys
        .get("cos:versionid")
        .is_some_and(|v| v.iter().any(|x| !x.is_empty()));
    aws.scoped_actions
        .iter()
        .any(|a| a.action == ctx.action && a.versioned == versioned)
}

fn resource_covered(s: &Statement, ctx: &RequestContext<'_>) -> bool {
    let path = arn_path(ctx.resource);
    s.resources.iter().any(|r| {
        r == "*"
            || match (r.strip_prefix("arn:aws:s3:::"), path) {
                (Some(pattern), Some(path)) => glob::matches_aws(pattern, path),
                _ => false,
            }
    })
}

/// Whether `NotPrincipal` leaves the caller out: every principal the request carries is
/// listed, as AWS judges it (a sub-account is its user and its account: both must be listed).
fn excluded(list: &[String], ctx: &RequestContext<'_>) -> bool {
    if list.iter().any(|p| p == "*") {
        return true;
    }
    let Some(root) = ctx.root_uin else {
        return false;
    };
    let me = list.iter().any(|p| {
        p == ctx.principal
            || ctx
                .secret_id
                .is_some_and(|k| p.strip_prefix("key:") == Some(k))
    });
    let root_principal = format!("qcs::cam::uin/{root}:uin/{root}");
    let account = list.contains(&root_principal);
    if ctx.principal == root_principal {
        me || account
    } else {
        me && account
    }
}

fn principal_covered(s: &Statement, aws: &AwsParts, ctx: &RequestContext<'_>) -> PrincipalMatch {
    let list = s.principals.as_deref().unwrap_or(&[]);
    if aws.not_principal {
        return if excluded(list, ctx) {
            PrincipalMatch::None
        } else {
            PrincipalMatch::Direct
        };
    }
    let by_key = ctx
        .secret_id
        .is_some_and(|k| list.iter().any(|p| p.strip_prefix("key:") == Some(k)));
    if by_key {
        return PrincipalMatch::Direct;
    }
    principal_match(&s.principals, ctx)
}

/// How an AWS statement applies to the request (`PrincipalMatch::None`: it does not).
pub fn applies(s: &Statement, aws: &AwsParts, ctx: &RequestContext<'_>) -> PrincipalMatch {
    let rest = action_covered(s, aws, ctx) != aws.not_action
        && resource_covered(s, ctx) != aws.not_resource
        && s.conditions
            .iter()
            .all(|c| c.holds_aws(ctx.keys.get(&c.key).map(Vec::as_slice)));
    if rest {
        principal_covered(s, aws, ctx)
    } else {
        PrincipalMatch::None
    }
}

#[cfg(test)]
mod tests;
