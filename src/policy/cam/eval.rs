//! The evaluator: explicit deny in any applicable statement wins; otherwise any applicable
//! allow grants; otherwise nothing matched. Pure and synchronous.

use super::{glob, Effect, Policy, Statement};
use std::collections::HashMap;

/// What is being asked, with every condition key already extracted from the request.
#[derive(Debug, Clone)]
pub struct RequestContext<'a> {
    /// `qcs::cam::uin/<root>:uin/<uin>`, or `qcs::cam::anyone:anyone` for anonymous callers.
    pub principal: &'a str,
    /// The caller's root account uin (None for anonymous callers).
    pub root_uin: Option<&'a str>,
    /// The access key that signed the request (AWS policies may name it as a principal).
    pub secret_id: Option<&'a str>,
    /// `name/cos:<Action>`.
    pub action: &'a str,
    /// `qcs::cos:<region>:uid/<appid>:<bucket>/<key>` (bucket-level: `.../<bucket>/`).
    pub resource: &'a str,
    /// Condition keys present in the request (multi-valued keys hold several values).
    pub keys: &'a HashMap<String, Vec<String>>,
}

/// The outcome, naming the deciding statement as (policy index, statement index).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    ExplicitDeny(usize, usize),
    Allow(usize, usize),
    NoMatch,
}

/// How a statement's principal covers the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum PrincipalMatch {
    None,
    /// The statement names the caller's root account and the caller is one of its
    /// sub-accounts: that root must grant the caller too (evaluated separately).
    Delegated,
    /// The statement names the caller, everyone, or has no principal (a user policy).
    Direct,
}

pub(crate) fn principal_match(
    patterns: &Option<Vec<String>>,
    ctx: &RequestContext<'_>,
) -> PrincipalMatch {
    let Some(list) = patterns else {
        return PrincipalMatch::Direct;
    };
    let mut best = PrincipalMatch::None;
    for p in list {
        if p == "*"
            || p == "qcs::cam::anyone:anyone"
            || p == "qcs::cam::anyone"
            || p == ctx.principal
        {
            return PrincipalMatch::Direct;
        }
        // A root account named as `uin/R:uin/R` or `uin/R:root` covers principals under R.
        if let (Some(root), Some(rest)) = (ctx.root_uin, p.strip_prefix("qcs::cam::uin/")) {
            if rest == format!("{root}:uin/{root}") || rest == format!("{root}:root") {
                let is_root = ctx.principal == format!("qcs::cam::uin/{root}:uin/{root}");
                best = best.max(if is_root {
                    PrincipalMatch::Direct
                } else {
                    PrincipalMatch::Delegated
                });
            }
        }
    }
    best
}

fn applies(s: &Statement, ctx: &RequestContext<'_>) -> PrincipalMatch {
    if let Some(aws) = &s.aws {
        return crate::policy::aws::applies(s, aws, ctx);
    }
    let rest = s.actions.iter().any(|a| glob::matches(a, ctx.action))
        && s.resources
            .iter()
            .any(|r| glob::matches(r, ctx.resource) || region_wildcard(r, ctx.resource))
        && s.conditions
            .iter()
            .all(|c| c.holds(ctx.keys.get(&c.key).map(Vec::as_slice)));
    if rest {
        principal_match(&s.principals, ctx)
    } else {
        PrincipalMatch::None
    }
}

/// `qcs::cos:*:uid/...` (written with an empty region) matches every region.
fn region_wildcard(pattern: &str, resource: &str) -> bool {
    let Some(rest) = pattern.strip_prefix("qcs::cos:*:") else {
        return false;
    };
    let Some(res_rest) = resource
        .strip_prefix("qcs::cos:")
        .and_then(|r| r.split_once(':'))
        .map(|(_, r)| r)
    else {
        return false;
    };
    glob::matches(rest, res_rest)
}

/// Every deciding statement, by kind: (policy index, statement index).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Detailed {
    pub deny: Option<(usize, usize)>,
    pub direct_allow: Option<(usize, usize)>,
    pub delegated_allow: Option<(usize, usize)>,
}

/// Evaluates every statement of every policy, keeping the first deny and the first allow of
/// each principal-match kind.
pub fn evaluate_detailed(policies: &[&Policy], ctx: &RequestContext<'_>) -> Detailed {
    let mut d = Detailed::default();
    for (pi, p) in policies.iter().enumerate() {
        for (si, s) in p.statements.iter().enumerate() {
            let m = applies(s, ctx);
            if m == PrincipalMatch::None {
                continue;
            }
            match s.effect {
                Effect::Deny => {
                    d.deny.get_or_insert((pi, si));
                    return d;
                }
                Effect::Allow if m == PrincipalMatch::Direct => {
                    d.direct_allow.get_or_insert((pi, si));
                }
                Effect::Allow => {
                    d.delegated_allow.get_or_insert((pi, si));
                }
            }
        }
    }
    d
}

/// Evaluates every statement of every policy for `ctx` (any principal match counts).
pub fn evaluate(policies: &[&Policy], ctx: &RequestContext<'_>) -> Verdict {
    let d = evaluate_detailed(policies, ctx);
    match (d.deny, d.direct_allow.or(d.delegated_allow)) {
        (Some((pi, si)), _) => Verdict::ExplicitDeny(pi, si),
        (None, Some((pi, si))) => Verdict::Allow(pi, si),
        (None, None) => Verdict::NoMatch,
    }
}
