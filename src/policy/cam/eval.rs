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

fn principal_matches(patterns: &Option<Vec<String>>, ctx: &RequestContext<'_>) -> bool {
    let Some(list) = patterns else {
        return true;
    };
    list.iter().any(|p| {
        if p == "*" || p == "qcs::cam::anyone:anyone" || p == "qcs::cam::anyone" {
            return true;
        }
        if p == ctx.principal {
            return true;
        }
        // A root account named as `uin/R:uin/R` or `uin/R:root` covers principals under R (a
        // sub-account of R still needs R's own grant, evaluated separately).
        match (ctx.root_uin, p.strip_prefix("qcs::cam::uin/")) {
            (Some(root), Some(rest)) => {
                rest == format!("{root}:uin/{root}") || rest == format!("{root}:root")
            }
            _ => false,
        }
    })
}

fn applies(s: &Statement, ctx: &RequestContext<'_>) -> bool {
    principal_matches(&s.principals, ctx)
        && s.actions.iter().any(|a| glob::matches(a, ctx.action))
        && s.resources
            .iter()
            .any(|r| glob::matches(r, ctx.resource) || region_wildcard(r, ctx.resource))
        && s.conditions
            .iter()
            .all(|c| c.holds(ctx.keys.get(&c.key).map(Vec::as_slice)))
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

/// Evaluates every statement of every policy for `ctx`.
pub fn evaluate(policies: &[&Policy], ctx: &RequestContext<'_>) -> Verdict {
    let mut allow = None;
    for (pi, p) in policies.iter().enumerate() {
        for (si, s) in p.statements.iter().enumerate() {
            if !applies(s, ctx) {
                continue;
            }
            match s.effect {
                Effect::Deny => return Verdict::ExplicitDeny(pi, si),
                Effect::Allow => {
                    allow.get_or_insert((pi, si));
                }
            }
        }
    }
    match allow {
        Some((pi, si)) => Verdict::Allow(pi, si),
        None => Verdict::NoMatch,
    }
}
