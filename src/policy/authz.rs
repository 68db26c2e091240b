//! The authorization decision: user policies, the bucket policy and ACLs together, explicit deny
//! first (seed 002:199, 270, 735-753, 2335-2339, 3706-3772; docs/access-control.md). Pure.

use super::acl::{self, AclLevel, AclView, GrantMatch};
use super::cam::{evaluate_detailed, Detailed, Policy, RequestContext};
use crate::auth::Identity;
use std::collections::HashMap;
use std::sync::Arc;

/// Who asks, and the policies attached to them (their own and their groups').
#[derive(Debug, Clone, Copy)]
pub struct Subject<'a> {
    pub identity: &'a Identity,
    /// (name, policy) pairs, for the reason text.
    pub policies: &'a [(String, Arc<Policy>)],
    /// For a temporary key: the policy it was issued with. The key can do only what this
    /// policy allows *and* its issuer may do (seed 002:1897).
    pub session: Option<&'a Policy>,
}

/// What is asked about. `owner_uin` is None for service-level actions (GetService).
#[derive(Debug, Clone, Copy)]
pub struct Resource<'a> {
    pub owner_uin: Option<&'a str>,
    pub bucket_policy: Option<&'a Policy>,
    pub bucket_acl: Option<AclView<'a>>,
    /// The object's ACL when the action reads or changes one object and it has one.
    pub object_acl: Option<AclView<'a>>,
}

#[derive(Debug, Clone, Copy)]
pub struct Ask<'a> {
    /// `name/cos:<Action>`.
    pub action: &'a str,
    /// `qcs::cos:<region>:uid/<appid>:<bucket>/<key>`, or `*` for service-level actions.
    pub resource: &'a str,
    pub keys: &'a HashMap<String, Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub allowed: bool,
    /// Which rule or statement decided (for logs and the simulator; never sent to clients).
    pub reason: String,
    /// The deciding statement when one did: (policy name, statement index), the bucket policy
    /// being named `bucket policy`.
    pub statement: Option<(String, usize)>,
}

/// A reason, with the statement behind it if any.
#[derive(Debug, Clone)]
struct Why {
    text: String,
    statement: Option<(String, usize)>,
}

impl Why {
    fn rule(text: &str) -> Why {
        Why {
            text: text.into(),
            statement: None,
        }
    }
}

const BUCKET_POLICY: &str = "bucket policy";
const SESSION_POLICY: &str = "temporary key policy";

impl Decision {
    fn allow(why: Why) -> Decision {
        Decision {
            allowed: true,
            reason: why.text,
            statement: why.statement,
        }
    }

    fn deny(why: Why) -> Decision {
        Decision {
            allowed: false,
            reason: why.text,
            statement: why.statement,
        }
    }

    fn allowed_by(why: Why) -> Decision {
        Self::allow(Why {
            text: format!("allowed by {}", why.text),
            ..why
        })
    }
}

/// Actions the owning root account can always perform, even against a deny in its own bucket
/// policy, so an owner can never lock itself out.
const OWNER_RECOVERY: &[&str] = &[
    "name/cos:GetBucketPolicy",
    "name/cos:PutBucketPolicy",
    "name/cos:DeleteBucketPolicy",
    "name/cos:GetBucketACL",
    "name/cos:PutBucketACL",
];

fn user_statement(policies: &[(String, Arc<Policy>)], at: (usize, usize)) -> Why {
    let name = policies.get(at.0).map(|(n, _)| n.as_str()).unwrap_or("?");
    Why {
        text: format!("user policy {name:?} statement {}", at.1),
        statement: Some((name.to_string(), at.1)),
    }
}

fn bucket_statement(policy: Option<&Policy>, si: usize, note: &str) -> Why {
    let sid = policy
        .and_then(|p| p.statements.get(si))
        .and_then(|s| s.aws.as_ref())
        .and_then(|a| a.sid.as_deref())
        .map(|sid| format!(" (Sid {sid:?})"))
        .unwrap_or_default();
    Why {
        text: format!("{BUCKET_POLICY} statement {si}{sid}{note}"),
        statement: Some((BUCKET_POLICY.to_string(), si)),
    }
}

/// Decides whether `subject` may perform `ask` on `resource`.
pub fn decide(subject: Subject<'_>, resource: Resource<'_>, ask: Ask<'_>) -> Decision {
    let principal = subject.identity.principal();
    let (uin, root_uin, secret_id) = match subject.identity {
        Identity::Account {
            uin,
            root_uin,
            secret_id,
        } => (
            Some(uin.as_str()),
            Some(root_uin.as_str()),
            Some(secret_id.as_str()).filter(|s| !s.is_empty()),
        ),
        Identity::Anonymous => (None, None, None),
    };
    let ctx = RequestContext {
        principal: &principal,
        root_uin,
        secret_id,
        action: ask.action,
        resource: ask.resource,
        keys: ask.keys,
    };
    if let Some(session) = subject.session {
        let s = evaluate_detailed(&[session], &ctx);
        if let Some((_, si)) = s.deny {
            return Decision::deny(Why {
                text: format!("explicit deny: the temporary key's policy statement {si}"),
                statement: Some((SESSION_POLICY.to_string(), si)),
            });
        }
        if s.direct_allow.is_none() {
            return Decision::deny(Why::rule(
                "the temporary key's policy does not allow the action on this resource",
            ));
        }
    }
    let user_refs: Vec<&Policy> = subject.policies.iter().map(|(_, p)| p.as_ref()).collect();
    let user = if uin.is_some() {
        evaluate_detailed(&user_refs, &ctx)
    } else {
        Detailed::default()
    };
    let bucket = resource
        .bucket_policy
        .map(|p| evaluate_detailed(&[p], &ctx))
        .unwrap_or_default();
    let is_root = uin.is_some() && uin == root_uin;
    let is_owner = is_root && resource.owner_uin.is_some() && root_uin == resource.owner_uin;

    let explicit = |why: Why| Why {
        text: format!("explicit deny: {}", why.text),
        ..why
    };
    if let Some(at) = user.deny {
        return Decision::deny(explicit(user_statement(subject.policies, at)));
    }
    if let Some((_, si)) = bucket.deny {
        if !(is_owner && OWNER_RECOVERY.contains(&ask.action)) {
            return Decision::deny(explicit(bucket_statement(resource.bucket_policy, si, "")));
        }
    }
    if is_owner {
        return Decision::allow(Why::rule("the bucket owner's root account"));
    }
    let identity_allow = user
        .direct_allow
        .map(|at| user_statement(subject.policies, at));
    let Some(owner) = resource.owner_uin else {
        // Service-level actions: a root account acts on its own account; a sub-account needs
        // a grant from its root.
        return match (is_root, identity_allow) {
            (true, _) => Decision::allow(Why::rule("a root account's own service-level action")),
            (false, Some(why)) => Decision::allowed_by(why),
            (false, None) => Decision::deny(Why::rule("no statement allows the action")),
        };
    };

    let acl_match = acl_grant(&resource, ask.action, subject.identity);
    let direct = bucket
        .direct_allow
        .map(|(_, si)| bucket_statement(resource.bucket_policy, si, ""))
        .or_else(|| (acl_match == GrantMatch::Direct).then(|| Why::rule("an ACL grant")));
    let delegated = bucket
        .delegated_allow
        .map(|(_, si)| {
            bucket_statement(resource.bucket_policy, si, " (granted to the root account)")
        })
        .or_else(|| {
            (acl_match == GrantMatch::Delegated)
                .then(|| Why::rule("an ACL grant to the root account"))
        });

    if uin.is_none() || is_root {
        // Anonymous callers and other root accounts: only what the bucket grants them.
        return match direct {
            Some(why) => Decision::allowed_by(why),
            None => Decision::deny(Why::rule("no statement or grant allows the caller")),
        };
    }
    if root_uin == Some(owner) {
        // A sub-account of the owner: its root's grant or the bucket's.
        return match identity_allow.or(direct) {
            Some(why) => Decision::allowed_by(why),
            None => Decision::deny(Why::rule("no statement or grant allows the sub-account")),
        };
    }
    // A sub-account of another root account: both its root and the bucket must grant it.
    match (identity_allow, direct.or(delegated)) {
        (Some(a), Some(b)) => Decision::allowed_by(Why {
            text: format!("{} and {}", a.text, b.text),
            statement: a.statement,
        }),
        (None, Some(_)) => Decision::deny(Why::rule(
            "the bucket grants the action but the caller's own root account does not",
        )),
        (_, None) => Decision::deny(Why::rule(
            "the bucket grants nothing to the caller's account",
        )),
    }
}

fn acl_grant(resource: &Resource<'_>, action: &str, who: &Identity) -> GrantMatch {
    let Some((needed, level)) = acl::needed_permission(action) else {
        return GrantMatch::None;
    };
    let view = match level {
        AclLevel::Object => resource
            .object_acl
            .filter(|o| o.canned != crate::types::CannedAcl::Default || !o.grants.is_empty())
            .or(resource.bucket_acl),
        AclLevel::Bucket => resource.bucket_acl,
    };
    view.map(|v| acl::grants(&v, needed, who))
        .unwrap_or(GrantMatch::None)
}

#[cfg(test)]
mod tests;
