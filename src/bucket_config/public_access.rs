//! Public access block (`?publicAccessBlock`) and object ownership (`?ownershipControls`), as
//! S3 defines them: which ACLs and bucket policies count as public, what each flag refuses or
//! ignores, and whether ACLs apply at all. Pure; the authorizer and the ACL-writing handlers
//! apply it (docs/s3-compatibility.md).

use crate::policy::acl::{canned_grants, Grant, Grantee};
use crate::policy::cam::{Effect, Policy};
use crate::types::CannedAcl;
use crate::xml::{parse_rooted, XmlWriter};
use serde::{Deserialize, Serialize};

/// The four flags; all false is the same as no configuration.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct PublicAccessBlock {
    /// PUT of a public ACL (bucket, object, or with an upload) is refused.
    pub block_public_acls: bool,
    /// Public ACL grants (everyone, every signed caller) are ignored when authorizing.
    pub ignore_public_acls: bool,
    /// PUT of a public bucket policy is refused.
    pub block_public_policy: bool,
    /// With a public bucket policy, only the owner's account gets what it allows.
    pub restrict_public_buckets: bool,
}

/// `ObjectOwnership` of `?ownershipControls`.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub enum ObjectOwnership {
    /// ACLs are disabled: only policies decide, and ACL writes other than the owner's full
    /// control are refused.
    BucketOwnerEnforced,
    BucketOwnerPreferred,
    ObjectWriter,
}

impl ObjectOwnership {
    pub fn parse(s: &str) -> Option<ObjectOwnership> {
        match s.trim() {
            "BucketOwnerEnforced" => Some(ObjectOwnership::BucketOwnerEnforced),
            "BucketOwnerPreferred" => Some(ObjectOwnership::BucketOwnerPreferred),
            "ObjectWriter" => Some(ObjectOwnership::ObjectWriter),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ObjectOwnership::BucketOwnerEnforced => "BucketOwnerEnforced",
            ObjectOwnership::BucketOwnerPreferred => "BucketOwnerPreferred",
            ObjectOwnership::ObjectWriter => "ObjectWriter",
        }
    }
}

fn flag(v: Option<&str>, name: &str) -> Result<bool, String> {
    match v.map(str::trim) {
        None => Ok(false),
        Some(s) if s.eq_ignore_ascii_case("true") => Ok(true),
        Some(s) if s.eq_ignore_ascii_case("false") => Ok(false),
        Some(s) => Err(format!("{name} must be true or false, not {s:?}")),
    }
}

#[derive(Deserialize)]
struct XmlBlock {
    #[serde(rename = "BlockPublicAcls", default)]
    block_public_acls: Option<String>,
    #[serde(rename = "IgnorePublicAcls", default)]
    ignore_public_acls: Option<String>,
    #[serde(rename = "BlockPublicPolicy", default)]
    block_public_policy: Option<String>,
    #[serde(rename = "RestrictPublicBuckets", default)]
    restrict_public_buckets: Option<String>,
}

/// Parses a PUT `?publicAccessBlock` body (MalformedXML on error).
pub fn parse_block(body: &[u8]) -> Result<PublicAccessBlock, String> {
    let d: XmlBlock = parse_rooted(body, "PublicAccessBlockConfiguration").map_err(|e| e.0)?;
    Ok(PublicAccessBlock {
        block_public_acls: flag(d.block_public_acls.as_deref(), "BlockPublicAcls")?,
        ignore_public_acls: flag(d.ignore_public_acls.as_deref(), "IgnorePublicAcls")?,
        block_public_policy: flag(d.block_public_policy.as_deref(), "BlockPublicPolicy")?,
        restrict_public_buckets: flag(
            d.restrict_public_buckets.as_deref(),
            "RestrictPublicBuckets",
        )?,
    })
}

pub fn render_block(b: &PublicAccessBlock) -> String {
    let t = |v: bool| if v { "true" } else { "false" };
    let mut w = XmlWriter::new();
    w.open("PublicAccessBlockConfiguration")
        .elem("BlockPublicAcls", t(b.block_public_acls))
        .elem("IgnorePublicAcls", t(b.ignore_public_acls))
        .elem("BlockPublicPolicy", t(b.block_public_policy))
        .elem("RestrictPublicBuckets", t(b.restrict_public_buckets))
        .close("PublicAccessBlockConfiguration");
    w.finish()
}

#[derive(Deserialize)]
struct XmlOwnershipRule {
    #[serde(rename = "ObjectOwnership", default)]
    ownership: Option<String>,
}

#[derive(Deserialize)]
struct XmlOwnership {
    #[serde(rename = "Rule", default)]
    rules: Vec<XmlOwnershipRule>,
}

/// Parses a PUT `?ownershipControls` body: exactly one rule with a known value.
pub fn parse_ownership(body: &[u8]) -> Result<ObjectOwnership, String> {
    let d: XmlOwnership = parse_rooted(body, "OwnershipControls").map_err(|e| e.0)?;
    match d.rules.as_slice() {
        [rule] => rule
            .ownership
            .as_deref()
            .and_then(ObjectOwnership::parse)
            .ok_or_else(|| {
                "ObjectOwnership must be BucketOwnerEnforced, BucketOwnerPreferred or ObjectWriter"
                    .to_string()
            }),
        _ => Err("OwnershipControls takes exactly one Rule".into()),
    }
}

pub fn render_ownership(o: ObjectOwnership) -> String {
    let mut w = XmlWriter::new();
    w.open("OwnershipControls")
        .open("Rule")
        .elem("ObjectOwnership", o.as_str())
        .close("Rule")
        .close("OwnershipControls");
    w.finish()
}

fn public_grantee(g: &Grant) -> bool {
    matches!(g.grantee, Grantee::AllUsers | Grantee::AuthenticatedUsers)
}

/// Whether an ACL grants anything to everyone or to every signed caller.
pub fn acl_is_public(canned: CannedAcl, grants: &[Grant]) -> bool {
    canned_grants(canned)
        .iter()
        .chain(grants)
        .any(public_grantee)
}

/// The grants of an ACL that are not public (what `IgnorePublicAcls` leaves).
pub fn private_grants(grants: &[Grant]) -> Vec<Grant> {
    grants
        .iter()
        .filter(|g| !public_grantee(g))
        .cloned()
        .collect()
}

/// A canned ACL without its public grants.
pub fn private_canned(canned: CannedAcl) -> CannedAcl {
    match canned {
        CannedAcl::PublicRead | CannedAcl::PublicReadWrite | CannedAcl::AuthenticatedRead => {
            CannedAcl::Private
        }
        other => other,
    }
}

/// Whether a bucket policy is public: some Allow statement names everyone (`*` or
/// `qcs::cam::anyone:anyone`) without narrowing it by the caller's address (`qcs:ip`).
pub fn policy_is_public(p: &Policy) -> bool {
    p.statements.iter().any(|s| {
        s.effect == Effect::Allow
            && s.principals
                .as_ref()
                .is_some_and(|ps| ps.iter().any(|p| p == "*" || p.contains("anyone")))
            && !s
                .conditions
                .iter()
                .any(|c| c.key.eq_ignore_ascii_case("qcs:ip"))
    })
}

/// The policy an outsider is judged by under `RestrictPublicBuckets`: its Deny statements only.
pub fn deny_only(p: &Policy) -> Policy {
    Policy {
        statements: p
            .statements
            .iter()
            .filter(|s| s.effect == Effect::Deny)
            .cloned()
            .collect(),
    }
}

/// Which ACLs the authorizer reads for a bucket: none under `BucketOwnerEnforced`, their
/// private grants only under `IgnorePublicAcls`, else all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AclsInForce {
    disabled: bool,
    ignore_public: bool,
}

impl AclsInForce {
    pub fn of(bucket: Option<&crate::meta::BucketRecord>) -> AclsInForce {
        AclsInForce {
            disabled: bucket
                .is_some_and(|b| b.ownership == Some(ObjectOwnership::BucketOwnerEnforced)),
            ignore_public: bucket
                .and_then(|b| b.public_access_block)
                .is_some_and(|p| p.ignore_public_acls),
        }
    }

    /// Whether ACLs take part in decisions at all.
    pub fn apply(&self) -> bool {
        !self.disabled
    }

    pub fn canned(&self, c: CannedAcl) -> CannedAcl {
        if self.ignore_public {
            private_canned(c)
        } else {
            c
        }
    }

    /// The grants that count (borrowed unless public ones must be dropped).
    pub fn grants<'a>(&self, g: &'a [Grant]) -> std::borrow::Cow<'a, [Grant]> {
        if self.ignore_public && g.iter().any(public_grantee) {
            std::borrow::Cow::Owned(private_grants(g))
        } else {
            std::borrow::Cow::Borrowed(g)
        }
    }
}

/// Why an ACL write is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AclRefusal {
    /// `BlockPublicAcls` and the ACL is public: 403 AccessDenied.
    PublicBlocked,
    /// `BucketOwnerEnforced`: 400 AccessControlListNotSupported.
    AclsDisabled,
}

/// Whether a request may set this ACL on the bucket or an object in it.
pub fn check_acl_write(
    block: Option<&PublicAccessBlock>,
    ownership: Option<ObjectOwnership>,
    canned: Option<CannedAcl>,
    grants: &[Grant],
) -> Result<(), AclRefusal> {
    let canned = canned.unwrap_or(CannedAcl::Default);
    if ownership == Some(ObjectOwnership::BucketOwnerEnforced) {
        let owner_only = matches!(
            canned,
            CannedAcl::Default | CannedAcl::Private | CannedAcl::BucketOwnerFullControl
        ) && grants.is_empty();
        if !owner_only {
            return Err(AclRefusal::AclsDisabled);
        }
    }
    if block.is_some_and(|b| b.block_public_acls) && acl_is_public(canned, grants) {
        return Err(AclRefusal::PublicBlocked);
    }
    Ok(())
}

#[cfg(test)]
mod tests;
