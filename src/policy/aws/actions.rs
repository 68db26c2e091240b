//! AWS S3 action names (`s3:GetObject`) and the cosd actions (`name/cos:<Action>`, as
//! `api::request::op::Op::action` names them) each one covers. Some AWS actions apply only to
//! requests with a `versionId` (`s3:GetObjectVersion`) or only without one (`s3:GetObject`);
//! cosd names both `GetObject`, so such entries carry a [`Scope`]. Pure.

/// Which requests of a cosd action an AWS action covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Scope {
    /// Every request of the action.
    Any,
    /// Only requests without a `versionId` (or with an empty one: the latest version).
    Current,
    /// Only requests naming a version (`versionId=...`).
    Version,
}

use Scope::{Any, Current, Version};

/// (AWS action, the cosd actions it covers). AWS action names compare case-insensitively.
/// cosd actions without an AWS name (the COS-only `?referer`, `OPTIONS`) are covered by
/// `s3:*` and `*` only. Actions of operations cosd does not implement yet are named as
/// `api::authz::unimplemented_action` names them, so the mapping holds when they arrive.
pub const TABLE: &[(&str, &[(&str, Scope)])] = &[
    // Objects.
    (
        "GetObject",
        &[("GetObject", Current), ("HeadObject", Current)],
    ),
    (
        "GetObjectVersion",
        &[("GetObject", Version), ("HeadObject", Version)],
    ),
    (
        "PutObject",
        &[
            ("PutObject", Any),
            ("PostObject", Any),
            ("AppendObject", Any),
            ("InitiateMultipartUpload", Any),
            ("UploadPart", Any),
            ("CompleteMultipartUpload", Any),
        ],
    ),
    ("DeleteObject", &[("DeleteObject", Current)]),
    ("DeleteObjectVersion", &[("DeleteObject", Version)]),
    ("AbortMultipartUpload", &[("AbortMultipartUpload", Any)]),
    ("ListMultipartUploadParts", &[("ListParts", Any)]),
    ("GetObjectAcl", &[("GetObjectACL", Current)]),
    ("GetObjectVersionAcl", &[("GetObjectACL", Version)]),
    ("PutObjectAcl", &[("PutObjectACL", Current)]),
    ("PutObjectVersionAcl", &[("PutObjectACL", Version)]),
    ("GetObjectRetention", &[("GetObjectRetention", Any)]),
    ("PutObjectRetention", &[("PutObjectRetention", Any)]),
    ("GetObjectLegalHold", &[("GetObjectLegalHold", Any)]),
    ("PutObjectLegalHold", &[("PutObjectLegalHold", Any)]),
    (
        "BypassGovernanceRetention",
        &[("BypassGovernanceRetention", Any)],
    ),
    ("GetObjectTagging", &[("GetObjectTagging", Current)]),
    ("GetObjectVersionTagging", &[("GetObjectTagging", Version)]),
    ("PutObjectTagging", &[("PutObjectTagging", Current)]),
    ("PutObjectVersionTagging", &[("PutObjectTagging", Version)]),
    ("DeleteObjectTagging", &[("DeleteObjectTagging", Current)]),
    (
        "DeleteObjectVersionTagging",
        &[("DeleteObjectTagging", Version)],
    ),
    ("GetObjectAttributes", &[("GetObjectAttributes", Current)]),
    (
        "GetObjectVersionAttributes",
        &[("GetObjectAttributes", Version)],
    ),
    ("RestoreObject", &[("PostObjectRestore", Any)]),
    ("GetObjectTorrent", &[("GetObjectTorrent", Current)]),
    ("GetObjectVersionTorrent", &[("GetObjectTorrent", Version)]),
    // Buckets. HeadBucket needs s3:ListBucket in S3.
    ("ListBucket", &[("GetBucket", Any), ("HeadBucket", Any)]),
    ("ListBucketVersions", &[("GetBucketObjectVersions", Any)]),
    (
        "ListBucketMultipartUploads",
        &[("ListMultipartUploads", Any)],
    ),
    ("ListAllMyBuckets", &[("GetService", Any)]),
    ("CreateBucket", &[("PutBucket", Any)]),
    ("DeleteBucket", &[("DeleteBucket", Any)]),
    ("GetBucketLocation", &[("GetBucketLocation", Any)]),
    ("GetBucketAcl", &[("GetBucketACL", Any)]),
    ("PutBucketAcl", &[("PutBucketACL", Any)]),
    ("GetBucketPolicy", &[("GetBucketPolicy", Any)]),
    ("PutBucketPolicy", &[("PutBucketPolicy", Any)]),
    ("DeleteBucketPolicy", &[("DeleteBucketPolicy", Any)]),
    ("GetBucketTagging", &[("GetBucketTagging", Any)]),
    // S3's DeleteBucketTagging, DeleteBucketCors, ... are authorized by the Put action.
    (
        "PutBucketTagging",
        &[("PutBucketTagging", Any), ("DeleteBucketTagging", Any)],
    ),
    ("GetBucketCORS", &[("GetBucketCORS", Any)]),
    (
        "PutBucketCORS",
        &[("PutBucketCORS", Any), ("DeleteBucketCORS", Any)],
    ),
    ("GetBucketWebsite", &[("GetBucketWebsite", Any)]),
    ("PutBucketWebsite", &[("PutBucketWebsite", Any)]),
    ("DeleteBucketWebsite", &[("DeleteBucketWebsite", Any)]),
    ("GetBucketVersioning", &[("GetBucketVersioning", Any)]),
    ("PutBucketVersioning", &[("PutBucketVersioning", Any)]),
    (
        "GetBucketObjectLockConfiguration",
        &[("GetBucketObjectLockConfiguration", Any)],
    ),
    (
        "PutBucketObjectLockConfiguration",
        &[("PutBucketObjectLockConfiguration", Any)],
    ),
    ("GetBucketLogging", &[("GetBucketLogging", Any)]),
    ("PutBucketLogging", &[("PutBucketLogging", Any)]),
    ("GetLifecycleConfiguration", &[("GetBucketLifecycle", Any)]),
    (
        "PutLifecycleConfiguration",
        &[("PutBucketLifecycle", Any), ("DeleteBucketLifecycle", Any)],
    ),
    (
        "GetBucketPublicAccessBlock",
        &[("GetBucketPublicAccessBlock", Any)],
    ),
    (
        "PutBucketPublicAccessBlock",
        &[
            ("PutBucketPublicAccessBlock", Any),
            ("DeleteBucketPublicAccessBlock", Any),
        ],
    ),
    (
        "GetBucketOwnershipControls",
        &[("GetBucketOwnershipControls", Any)],
    ),
    (
        "PutBucketOwnershipControls",
        &[
            ("PutBucketOwnershipControls", Any),
            ("DeleteBucketOwnershipControls", Any),
        ],
    ),
    (
        "GetEncryptionConfiguration",
        &[("GetBucketEncryption", Any)],
    ),
    (
        "PutEncryptionConfiguration",
        &[
            ("PutBucketEncryption", Any),
            ("DeleteBucketEncryption", Any),
        ],
    ),
    ("GetBucketLogging", &[("GetBucketLogging", Any)]),
    ("PutBucketLogging", &[("PutBucketLogging", Any)]),
    ("GetBucketNotification", &[("GetBucketNotification", Any)]),
    ("PutBucketNotification", &[("PutBucketNotification", Any)]),
    (
        "GetReplicationConfiguration",
        &[("GetBucketReplication", Any)],
    ),
    (
        "PutReplicationConfiguration",
        &[
            ("PutBucketReplication", Any),
            ("DeleteBucketReplication", Any),
        ],
    ),
    ("GetInventoryConfiguration", &[("GetBucketInventory", Any)]),
    (
        "PutInventoryConfiguration",
        &[("PutBucketInventory", Any), ("DeleteBucketInventory", Any)],
    ),
    (
        "GetAccelerateConfiguration",
        &[("GetBucketAccelerate", Any)],
    ),
    (
        "PutAccelerateConfiguration",
        &[("PutBucketAccelerate", Any)],
    ),
    (
        "GetBucketRequestPayment",
        &[("GetBucketRequestPayment", Any)],
    ),
    (
        "PutBucketRequestPayment",
        &[("PutBucketRequestPayment", Any)],
    ),
];

/// The cosd actions (`name/cos:<Action>`, scope) an AWS action pattern covers: `s3:*` is
/// every cosd action (`name/cos:*`, COS-only ones included); `s3:Get*` and `s3:*Object?cl`
/// are expanded over [`TABLE`]. `None` when the pattern names no known S3 action.
pub fn expand(pattern: &str) -> Option<Vec<(String, Scope)>> {
    let name = pattern
        .get(..3)
        .filter(|p| p.eq_ignore_ascii_case("s3:"))
        .map(|_| &pattern[3..])?;
    if name.chars().all(|c| c == '*') && !name.is_empty() {
        return Some(vec![("name/cos:*".into(), Any)]);
    }
    let lower = name.to_ascii_lowercase();
    let mut out: Vec<(String, Scope)> = Vec::new();
    for (aws, cos) in TABLE {
        if super::super::cam::glob::matches_aws(&lower, &aws.to_ascii_lowercase()) {
            for (action, scope) in cos.iter() {
                let entry = (format!("name/cos:{action}"), *scope);
                if !out.contains(&entry) {
                    out.push(entry);
                }
            }
        }
    }
    if out.is_empty() {
        return None;
    }
    Some(out)
}

/// The first cosd action an AWS action names, for the simulator (`s3:GetObject` asks about
/// `name/cos:GetObject`), with the scope it has there.
pub fn primary(aws: &str) -> Option<(String, Scope)> {
    let name = aws.strip_prefix("s3:")?;
    TABLE
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .and_then(|(_, cos)| cos.first())
        .map(|(a, s)| (format!("name/cos:{a}"), *s))
}
