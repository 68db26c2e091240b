//! Authorization decisions. For now: bucket owners have full control, and anonymous requests are
//! allowed only what a public canned ACL grants. CAM policies and full ACLs come later.
//! Pure and synchronous.

pub mod cam;

use crate::auth::Identity;
use crate::types::CannedAcl;

/// What an operation needs from the ACL point of view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Read object data or metadata.
    ReadObject,
    /// List the bucket / head the bucket.
    ListBucket,
    /// Create, overwrite or delete objects.
    WriteObject,
    /// Bucket configuration, deletion, and anything else only the owner may do.
    Owner,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Allow,
    Deny,
}

/// Decides whether `who` may perform `access` on a bucket owned by `owner_uin` with `bucket_acl`
/// (and, for objects, the object's own canned ACL).
pub fn authorize(
    who: &Identity,
    access: Access,
    owner_uin: &str,
    bucket_acl: CannedAcl,
    object_acl: Option<CannedAcl>,
) -> Decision {
    if let Identity::Account { root_uin, .. } = who {
        if root_uin == owner_uin {
            return Decision::Allow;
        }
    }
    let effective = match object_acl {
        Some(CannedAcl::Default) | None => bucket_acl,
        Some(acl) if access == Access::ReadObject => acl,
        Some(_) => bucket_acl,
    };
    let allowed = match access {
        Access::ReadObject | Access::ListBucket => {
            matches!(
                effective,
                CannedAcl::PublicRead | CannedAcl::PublicReadWrite
            )
        }
        Access::WriteObject => effective == CannedAcl::PublicReadWrite,
        Access::Owner => false,
    };
    if allowed {
        Decision::Allow
    } else {
        Decision::Deny
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Access::*;
    use CannedAcl::*;

    #[test]
    fn decision_table() {
        let owner = Identity::Account {
            secret_id: "k".into(),
            uin: "1".into(),
            root_uin: "1".into(),
        };
        let other = Identity::Account {
            secret_id: "o".into(),
            uin: "2".into(),
            root_uin: "2".into(),
        };
        let anon = Identity::Anonymous;
        let rows: &[(&Identity, Access, CannedAcl, Option<CannedAcl>, Decision)] = &[
            (&owner, Owner, Private, None, Decision::Allow),
            (&owner, WriteObject, Private, None, Decision::Allow),
            (&anon, ReadObject, Private, None, Decision::Deny),
            (&anon, ReadObject, PublicRead, None, Decision::Allow),
            (&anon, ListBucket, PublicRead, None, Decision::Allow),
            (&anon, WriteObject, PublicRead, None, Decision::Deny),
            (&anon, WriteObject, PublicReadWrite, None, Decision::Allow),
            (&anon, Owner, PublicReadWrite, None, Decision::Deny),
            (
                &anon,
                ReadObject,
                Private,
                Some(PublicRead),
                Decision::Allow,
            ),
            (&anon, ReadObject, PublicRead, Some(Private), Decision::Deny),
            (
                &anon,
                ReadObject,
                PublicRead,
                Some(Default),
                Decision::Allow,
            ),
            (&other, ReadObject, Private, None, Decision::Deny),
            (&other, ReadObject, PublicRead, None, Decision::Allow),
        ];
        for (who, access, bacl, oacl, want) in rows {
            assert_eq!(
                authorize(who, *access, "1", *bacl, *oacl),
                *want,
                "{who:?} {access:?} {bacl:?} {oacl:?}"
            );
        }
    }
}
