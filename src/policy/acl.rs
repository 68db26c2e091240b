//! The ACL model (seed 002:174-330, spec 03 §4.7): grants of READ, WRITE, READ_ACP, WRITE_ACP
//! and FULL_CONTROL to accounts or to the AllUsers / AuthenticatedUsers groups, canned ACLs as
//! shorthands, the `x-cos-grant-*` header syntax, and which grant an action needs. Pure.

use crate::auth::Identity;
use crate::types::CannedAcl;
use serde::{Deserialize, Serialize};

pub const ALL_USERS_URI: &str = "http://cam.qcloud.com/groups/global/AllUsers";
pub const AUTHENTICATED_USERS_URI: &str = "http://cam.qcloud.com/groups/global/AuthenticatedUsers";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Permission {
    Read,
    Write,
    ReadAcp,
    WriteAcp,
    FullControl,
}

impl Permission {
    pub fn parse(s: &str) -> Option<Permission> {
        match s.trim() {
            "READ" => Some(Permission::Read),
            "WRITE" => Some(Permission::Write),
            "READ_ACP" => Some(Permission::ReadAcp),
            "WRITE_ACP" => Some(Permission::WriteAcp),
            "FULL_CONTROL" => Some(Permission::FullControl),
            _ => None,
        }
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            Permission::Read => "READ",
            Permission::Write => "WRITE",
            Permission::ReadAcp => "READ_ACP",
            Permission::WriteAcp => "WRITE_ACP",
            Permission::FullControl => "FULL_CONTROL",
        }
    }

    /// Whether a grant of `self` satisfies a need for `needed`.
    pub fn covers(&self, needed: Permission) -> bool {
        *self == Permission::FullControl || *self == needed
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Grantee {
    /// `qcs::cam::uin/<root>:uin/<uin>` (a root account has both equal).
    Account(String),
    AllUsers,
    AuthenticatedUsers,
}

impl Grantee {
    /// Parses an account id as the ACL XML and the grant headers carry it:
    /// `qcs::cam::uin/R:uin/U`, `qcs::cam::uin/R:root`, the single-colon `qcs::cam:uin/...`
    /// spelling, a bare uin (a root account), or the anyone principal.
    pub fn from_id(id: &str) -> Option<Grantee> {
        let id = id.trim();
        if id == "qcs::cam::anyone:anyone" || id == "qcs::cam::anyone" {
            return Some(Grantee::AllUsers);
        }
        if !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()) {
            return Some(Grantee::Account(format!("qcs::cam::uin/{id}:uin/{id}")));
        }
        let rest = id
            .strip_prefix("qcs::cam::uin/")
            .or_else(|| id.strip_prefix("qcs::cam:uin/"))?;
        let (root, who) = rest.split_once(':')?;
        let uin = match who {
            "root" => root,
            _ => who.strip_prefix("uin/")?,
        };
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        (digits(root) && digits(uin))
            .then(|| Grantee::Account(format!("qcs::cam::uin/{root}:uin/{uin}")))
    }

    pub fn from_uri(uri: &str) -> Option<Grantee> {
        match uri.trim() {
            ALL_USERS_URI | "http://acs.amazonaws.com/groups/global/AllUsers" => {
                Some(Grantee::AllUsers)
            }
            AUTHENTICATED_USERS_URI
            | "http://acs.amazonaws.com/groups/global/AuthenticatedUsers" => {
                Some(Grantee::AuthenticatedUsers)
            }
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    pub grantee: Grantee,
    pub permission: Permission,
}

/// An ACL as stored: the canned ACL last applied plus explicit grants. The owner's
/// FULL_CONTROL is implicit and never stored.
#[derive(Debug, Clone, Copy)]
pub struct AclView<'a> {
    pub canned: CannedAcl,
    pub grants: &'a [Grant],
}

impl AclView<'_> {
    /// Every grant in effect besides the owner's: the canned ACL's plus the explicit ones.
    pub fn effective(&self) -> Vec<Grant> {
        let mut out = canned_grants(self.canned);
        out.extend(self.grants.iter().cloned());
        out
    }
}

/// The grants a canned ACL stands for, besides the owner's FULL_CONTROL. `bucket-owner-*`
/// name the bucket owner, who always has full control here, so they add nothing.
pub fn canned_grants(canned: CannedAcl) -> Vec<Grant> {
    let g = |grantee, permission| Grant {
        grantee,
        permission,
    };
    match canned {
        CannedAcl::PublicRead => vec![g(Grantee::AllUsers, Permission::Read)],
        CannedAcl::PublicReadWrite => vec![
            g(Grantee::AllUsers, Permission::Read),
            g(Grantee::AllUsers, Permission::Write),
        ],
        CannedAcl::AuthenticatedRead => vec![g(Grantee::AuthenticatedUsers, Permission::Read)],
        CannedAcl::Private
        | CannedAcl::BucketOwnerRead
        | CannedAcl::BucketOwnerFullControl
        | CannedAcl::Default => vec![],
    }
}

/// The `x-cos-grant-*` headers and the permission each grants.
pub const GRANT_HEADERS: &[(&str, Permission)] = &[
    ("x-cos-grant-read", Permission::Read),
    ("x-cos-grant-write", Permission::Write),
    ("x-cos-grant-read-acp", Permission::ReadAcp),
    ("x-cos-grant-write-acp", Permission::WriteAcp),
    ("x-cos-grant-full-control", Permission::FullControl),
];

/// Parses one grant header value: a comma-separated list of `id="..."`, `uin="..."` or
/// `uri="..."` entries (quotes optional).
pub fn parse_grant_header(value: &str, permission: Permission) -> Result<Vec<Grant>, String> {
    let mut out = Vec::new();
    for item in value.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let (kind, raw) = item
            .split_once('=')
            .ok_or_else(|| format!("grant {item:?} is not of the form id=\"...\""))?;
        let raw = raw.trim().trim_matches('"');
        let grantee = match kind.trim().to_ascii_lowercase().as_str() {
            "id" | "uin" => Grantee::from_id(raw),
            "uri" => Grantee::from_uri(raw),
            _ => None,
        }
        .ok_or_else(|| format!("grantee {item:?} is not a known account or group"))?;
        out.push(Grant {
            grantee,
            permission,
        });
    }
    Ok(out)
}

/// How a grant applies to the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum GrantMatch {
    None,
    /// Granted to the caller's root account, which must in turn grant the caller (a sub-account).
    Delegated,
    /// Granted to the caller itself, to everyone, or to every signed caller.
    Direct,
}

/// Whether `acl` grants `needed` to `who`.
pub fn grants(acl: &AclView<'_>, needed: Permission, who: &Identity) -> GrantMatch {
    let principal = who.principal();
    let root_form = match who {
        Identity::Account { root_uin, .. } => {
            Some(format!("qcs::cam::uin/{root_uin}:uin/{root_uin}"))
        }
        Identity::Anonymous => None,
    };
    let mut best = GrantMatch::None;
    for g in acl.effective() {
        if !g.permission.covers(needed) {
            continue;
        }
        let m = match &g.grantee {
            Grantee::AllUsers => GrantMatch::Direct,
            Grantee::AuthenticatedUsers if root_form.is_some() => GrantMatch::Direct,
            Grantee::AuthenticatedUsers => GrantMatch::None,
            Grantee::Account(p) if *p == principal => GrantMatch::Direct,
            Grantee::Account(p) if Some(p) == root_form.as_ref() => GrantMatch::Delegated,
            Grantee::Account(_) => GrantMatch::None,
        };
        best = best.max(m);
    }
    best
}

/// Which level's ACL an action is checked against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AclLevel {
    Bucket,
    /// The object's ACL, or the bucket's when the object's is `default`.
    Object,
}

/// The ACL permission that lets a grantee perform `action` (`name/cos:<Action>`), per the
/// seeds' ACL table (002:191-195, 253-262); None for actions no ACL grants (bucket
/// configuration, deletion, policies).
pub fn needed_permission(action: &str) -> Option<(Permission, AclLevel)> {
    let name = action.strip_prefix("name/cos:")?;
    Some(match name {
        "GetBucket" | "HeadBucket" | "ListMultipartUploads" => (Permission::Read, AclLevel::Bucket),
        "GetObject" | "HeadObject" => (Permission::Read, AclLevel::Object),
        "PutObject"
        | "PostObject"
        | "AppendObject"
        | "DeleteObject"
        | "InitiateMultipartUpload"
        | "UploadPart"
        | "CompleteMultipartUpload"
        | "AbortMultipartUpload"
        | "ListParts" => (Permission::Write, AclLevel::Bucket),
        "GetBucketACL" => (Permission::ReadAcp, AclLevel::Bucket),
        "PutBucketACL" => (Permission::WriteAcp, AclLevel::Bucket),
        "GetObjectACL" => (Permission::ReadAcp, AclLevel::Object),
        "PutObjectACL" => (Permission::WriteAcp, AclLevel::Object),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn acct(uin: &str, root: &str) -> Identity {
        Identity::Account {
            secret_id: "k".into(),
            uin: uin.into(),
            root_uin: root.into(),
        }
    }

    #[test]
    fn grantee_ids_normalise() {
        let want = Some(Grantee::Account("qcs::cam::uin/1:uin/2".into()));
        assert_eq!(Grantee::from_id("qcs::cam::uin/1:uin/2"), want);
        assert_eq!(Grantee::from_id("qcs::cam:uin/1:uin/2"), want);
        let root = Some(Grantee::Account("qcs::cam::uin/7:uin/7".into()));
        assert_eq!(Grantee::from_id("7"), root);
        assert_eq!(Grantee::from_id("qcs::cam::uin/7:root"), root);
        assert_eq!(
            Grantee::from_id("qcs::cam::anyone:anyone"),
            Some(Grantee::AllUsers)
        );
        for bad in [
            "",
            "uin/1",
            "qcs::cam::uin/x:uin/1",
            "qcs::cam::uin/1:user/2",
        ] {
            assert_eq!(Grantee::from_id(bad), None, "{bad}");
        }
        assert_eq!(Grantee::from_uri(ALL_USERS_URI), Some(Grantee::AllUsers));
    }

    #[test]
    fn grant_headers_parse_lists() {
        let g = parse_grant_header(
            r#"id="qcs::cam::uin/1:uin/2", uin="3",uri="http://cam.qcloud.com/groups/global/AllUsers""#,
            Permission::Read,
        )
        .unwrap();
        assert_eq!(g.len(), 3);
        assert_eq!(
            g[1].grantee,
            Grantee::Account("qcs::cam::uin/3:uin/3".into())
        );
        assert_eq!(g[2].grantee, Grantee::AllUsers);
        assert!(parse_grant_header("emailAddress=\"a@b\"", Permission::Read).is_err());
        assert!(parse_grant_header("nonsense", Permission::Read).is_err());
        assert!(parse_grant_header("", Permission::Read).unwrap().is_empty());
    }

    #[test]
    #[allow(clippy::type_complexity)]
    fn grant_matching_table() {
        let sub = acct("2", "1");
        let other_root = acct("9", "9");
        let other_sub = acct("8", "9");
        let anon = Identity::Anonymous;
        let to = |p: &str, perm| Grant {
            grantee: Grantee::from_id(p).unwrap(),
            permission: perm,
        };
        let rows: &[(CannedAcl, Vec<Grant>, Permission, &Identity, GrantMatch)] = &[
            (
                CannedAcl::Private,
                vec![],
                Permission::Read,
                &anon,
                GrantMatch::None,
            ),
            (
                CannedAcl::PublicRead,
                vec![],
                Permission::Read,
                &anon,
                GrantMatch::Direct,
            ),
            (
                CannedAcl::PublicRead,
                vec![],
                Permission::Write,
                &anon,
                GrantMatch::None,
            ),
            (
                CannedAcl::PublicReadWrite,
                vec![],
                Permission::Write,
                &anon,
                GrantMatch::Direct,
            ),
            (
                CannedAcl::AuthenticatedRead,
                vec![],
                Permission::Read,
                &anon,
                GrantMatch::None,
            ),
            (
                CannedAcl::AuthenticatedRead,
                vec![],
                Permission::Read,
                &other_sub,
                GrantMatch::Direct,
            ),
            (
                CannedAcl::Private,
                vec![to("qcs::cam::uin/1:uin/2", Permission::Read)],
                Permission::Read,
                &sub,
                GrantMatch::Direct,
            ),
            (
                CannedAcl::Private,
                vec![to("qcs::cam::uin/1:uin/2", Permission::Read)],
                Permission::ReadAcp,
                &sub,
                GrantMatch::None,
            ),
            (
                CannedAcl::Private,
                vec![to("2", Permission::FullControl)],
                Permission::WriteAcp,
                &sub,
                GrantMatch::None,
            ),
            (
                CannedAcl::Private,
                vec![to("9", Permission::FullControl)],
                Permission::WriteAcp,
                &other_root,
                GrantMatch::Direct,
            ),
            (
                CannedAcl::Private,
                vec![to("9", Permission::Read)],
                Permission::Read,
                &other_sub,
                GrantMatch::Delegated,
            ),
            (
                CannedAcl::Private,
                vec![to("qcs::cam::uin/9:uin/8", Permission::Read)],
                Permission::Read,
                &other_sub,
                GrantMatch::Direct,
            ),
        ];
        for (canned, extra, need, who, want) in rows {
            let view = AclView {
                canned: *canned,
                grants: extra,
            };
            assert_eq!(
                grants(&view, *need, who),
                *want,
                "{canned:?} {extra:?} {need:?} {who:?}"
            );
        }
    }

    #[test]
    fn needed_permissions_follow_the_seed_table() {
        assert_eq!(
            needed_permission("name/cos:GetObject"),
            Some((Permission::Read, AclLevel::Object))
        );
        assert_eq!(
            needed_permission("name/cos:PutObject"),
            Some((Permission::Write, AclLevel::Bucket))
        );
        assert_eq!(needed_permission("name/cos:DeleteBucket"), None);
        assert_eq!(needed_permission("name/cos:PutBucketPolicy"), None);
    }
}
