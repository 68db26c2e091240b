//! One `Op` per XML/S3 operation: the single source of truth for routing, log names, CAM
//! actions and how the operation is authorized. Parsing is pure; the matches are exhaustive.
//! Variants carry the inputs the query names (upload id, part number); bucket and key are in
//! the request's [`Target`].

use super::target::Target;
use crate::api::error::{ApiError, Code};
use crate::service::MAX_PART_NUMBER;

/// An upload id as the query gave it (`?uploadId=`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadId(String);

impl UploadId {
    pub fn new(id: impl Into<String>) -> UploadId {
        UploadId(id.into())
    }

    /// The id; an empty one names no upload.
    pub fn get(&self) -> Result<&str, ApiError> {
        if self.0.is_empty() {
            return Err(ApiError::new(
                Code::NoSuchUpload,
                "The specified upload does not exist.",
            ));
        }
        Ok(&self.0)
    }
}

/// `?partNumber=` as sent: a number from 1 to 10000, or not. An invalid one is refused with
/// InvalidArgument when the handler asks for it, after authorization, like every argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PartNumber(Option<u32>);

impl PartNumber {
    pub fn parse(raw: &str) -> PartNumber {
        PartNumber(
            raw.trim()
                .parse::<u32>()
                .ok()
                .filter(|n| (1..=MAX_PART_NUMBER).contains(n)),
        )
    }

    pub fn get(self) -> Result<u32, ApiError> {
        self.0.ok_or_else(|| {
            ApiError::new(
                Code::InvalidArgument,
                "Part number must be an integer between 1 and 10000, inclusive.",
            )
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    ListBuckets,
    CreateBucket,
    HeadBucket,
    DeleteBucket,
    GetBucketLocation,
    ListObjects,
    ListObjectsV2,
    DeleteObjects,
    PutObject,
    CopyObject,
    GetObject,
    HeadObject,
    DeleteObject,
    InitiateMultipartUpload,
    UploadPart {
        upload: UploadId,
        part: PartNumber,
    },
    UploadPartCopy {
        upload: UploadId,
        part: PartNumber,
    },
    CompleteMultipartUpload {
        upload: UploadId,
    },
    AbortMultipartUpload {
        upload: UploadId,
    },
    ListParts {
        upload: UploadId,
    },
    ListMultipartUploads,
    AppendObject,
    GetBucketAcl,
    PutBucketAcl,
    GetObjectAcl,
    PutObjectAcl,
    GetBucketPolicy,
    PutBucketPolicy,
    DeleteBucketPolicy,
    GetBucketTagging,
    PutBucketTagging,
    DeleteBucketTagging,
    GetBucketCors,
    PutBucketCors,
    DeleteBucketCors,
    /// A CORS preflight (`OPTIONS`) on any object or bucket path.
    OptionsObject,
    GetBucketWebsite,
    PutBucketWebsite,
    DeleteBucketWebsite,
    GetBucketReferer,
    PutBucketReferer,
    DeleteBucketReferer,
    GetBucketEncryption,
    PutBucketEncryption,
    DeleteBucketEncryption,
    GetBucketLifecycle,
    PutBucketLifecycle,
    /// `?logging`: where the bucket's access logs go (an empty status turns them off).
    GetBucketLogging,
    PutBucketLogging,
    DeleteBucketLifecycle,
    GetBucketNotification,
    PutBucketNotification,
    GetBucketVersioning,
    PutBucketVersioning,
    ListObjectVersions,
    GetObjectLockConfiguration,
    PutObjectLockConfiguration,
    GetObjectRetention,
    /// Authorized with the lock mode and date of its body as condition keys (the pipeline
    /// reads the small body first: `api::pipeline`).
    PutObjectRetention,
    GetObjectLegalHold,
    PutObjectLegalHold,
    GetPublicAccessBlock,
    PutPublicAccessBlock,
    DeletePublicAccessBlock,
    GetBucketOwnershipControls,
    PutBucketOwnershipControls,
    DeleteBucketOwnershipControls,
    GetObjectAttributes,
    GetObjectTagging,
    /// Authorized with the tags of its body as condition keys (the pipeline reads the small
    /// body first, as for PutObjectRetention).
    PutObjectTagging,
    DeleteObjectTagging,
    /// POST Object restore (`POST /key?restore`): a temporary readable copy of an archived
    /// version.
    RestoreObject,
    /// A COS operation this server does not implement yet (named for the error message).
    NotImplemented(&'static str),
    /// A method the addressed resource does not support.
    MethodNotAllowed,
}

/// Bucket sub-resources that select another operation (`?acl`, `?cors`, ...).
const BUCKET_SUBRESOURCES: &[&str] = &[
    "acl",
    "cors",
    "policy",
    "lifecycle",
    "versioning",
    "tagging",
    "website",
    "referer",
    "uploads",
    "versions",
    "logging",
    "encryption",
    "replication",
    "domain",
    "inventory",
    "intelligenttiering",
    "object-lock",
    "origin",
    "accelerate",
    "notification",
    "requestPayment",
    "ownershipControls",
    "publicAccessBlock",
    "metrics",
    "analytics",
];

const OBJECT_SUBRESOURCES: &[&str] = &[
    "acl",
    "tagging",
    "symlink",
    "uploads",
    "uploadId",
    "partNumber",
    "append",
    "restore",
    "select",
    "torrent",
    "retention",
    "legal-hold",
    "attributes",
];

fn first_subresource(names: &[&str], list: &'static [&'static str]) -> Option<&'static str> {
    list.iter().copied().find(|s| names.contains(s))
}

impl Op {
    /// POST to a bucket without a sub-resource: a form upload (POST Object), which is its own
    /// API (the form carries the credentials).
    pub fn is_post_object(method: &str, target: &Target, query_names: &[&str]) -> bool {
        method == "POST"
            && matches!(target, Target::Bucket(_))
            && first_subresource(query_names, BUCKET_SUBRESOURCES).is_none()
            && !query_names.contains(&"delete")
    }

    /// Chooses the operation from method, target, query and the copy-source header.
    pub fn parse(
        method: &str,
        target: &Target,
        query: &[(String, String)],
        has_copy_source: bool,
    ) -> Op {
        let names: Vec<&str> = query.iter().map(|(k, _)| k.as_str()).collect();
        let value = |n: &str| query.iter().find(|(k, _)| k == n).map(|(_, v)| v.as_str());
        let upload = || UploadId::new(value("uploadId").unwrap_or_default());
        let part = || PartNumber::parse(value("partNumber").unwrap_or_default());
        let query_names = names.as_slice();
        match target {
            Target::Service => match method {
                "GET" => Op::ListBuckets,
                _ => Op::MethodNotAllowed,
            },
            Target::Bucket(_) => {
                let sub = first_subresource(query_names, BUCKET_SUBRESOURCES);
                match (method, sub) {
                    ("GET", Some("uploads")) => Op::ListMultipartUploads,
                    ("GET", Some("acl")) => Op::GetBucketAcl,
                    ("PUT", Some("acl")) => Op::PutBucketAcl,
                    ("GET", Some("policy")) => Op::GetBucketPolicy,
                    ("PUT", Some("policy")) => Op::PutBucketPolicy,
                    ("DELETE", Some("policy")) => Op::DeleteBucketPolicy,
                    ("GET", Some("tagging")) => Op::GetBucketTagging,
                    ("PUT", Some("tagging")) => Op::PutBucketTagging,
                    ("DELETE", Some("tagging")) => Op::DeleteBucketTagging,
                    ("GET", Some("cors")) => Op::GetBucketCors,
                    ("PUT", Some("cors")) => Op::PutBucketCors,
                    ("DELETE", Some("cors")) => Op::DeleteBucketCors,
                    ("GET", Some("website")) => Op::GetBucketWebsite,
                    ("PUT", Some("website")) => Op::PutBucketWebsite,
                    ("DELETE", Some("website")) => Op::DeleteBucketWebsite,
                    ("GET", Some("referer")) => Op::GetBucketReferer,
                    ("PUT", Some("referer")) => Op::PutBucketReferer,
                    ("DELETE", Some("referer")) => Op::DeleteBucketReferer,
                    ("GET", Some("encryption")) => Op::GetBucketEncryption,
                    ("PUT", Some("encryption")) => Op::PutBucketEncryption,
                    ("DELETE", Some("encryption")) => Op::DeleteBucketEncryption,
                    ("GET", Some("logging")) => Op::GetBucketLogging,
                    ("PUT", Some("logging")) => Op::PutBucketLogging,
                    ("GET", Some("lifecycle")) => Op::GetBucketLifecycle,
                    ("PUT", Some("lifecycle")) => Op::PutBucketLifecycle,
                    ("DELETE", Some("lifecycle")) => Op::DeleteBucketLifecycle,
                    ("GET", Some("notification")) => Op::GetBucketNotification,
                    ("PUT", Some("notification")) => Op::PutBucketNotification,
                    ("GET", Some("versioning")) => Op::GetBucketVersioning,
                    ("PUT", Some("versioning")) => Op::PutBucketVersioning,
                    ("GET", Some("versions")) => Op::ListObjectVersions,
                    ("GET", Some("object-lock")) => Op::GetObjectLockConfiguration,
                    ("PUT", Some("object-lock")) => Op::PutObjectLockConfiguration,
                    ("GET", Some("publicAccessBlock")) => Op::GetPublicAccessBlock,
                    ("PUT", Some("publicAccessBlock")) => Op::PutPublicAccessBlock,
                    ("DELETE", Some("publicAccessBlock")) => Op::DeletePublicAccessBlock,
                    ("GET", Some("ownershipControls")) => Op::GetBucketOwnershipControls,
                    ("PUT", Some("ownershipControls")) => Op::PutBucketOwnershipControls,
                    ("DELETE", Some("ownershipControls")) => Op::DeleteBucketOwnershipControls,
                    ("GET", None) if query_names.contains(&"location") => Op::GetBucketLocation,
                    ("GET", None) if value("list-type") == Some("2") => Op::ListObjectsV2,
                    ("GET", None) => Op::ListObjects,
                    ("PUT", None) => Op::CreateBucket,
                    ("HEAD", _) => Op::HeadBucket,
                    ("DELETE", None) => Op::DeleteBucket,
                    ("POST", None) if query_names.contains(&"delete") => Op::DeleteObjects,
                    ("OPTIONS", _) => Op::OptionsObject,
                    (_, Some(s)) => Op::NotImplemented(s),
                    _ => Op::MethodNotAllowed,
                }
            }
            Target::Object { .. } => {
                let sub = first_subresource(query_names, OBJECT_SUBRESOURCES);
                let has = |n: &str| query_names.contains(&n);
                match (method, sub) {
                    ("POST", Some("uploads")) => Op::InitiateMultipartUpload,
                    ("POST", Some("uploadId")) => Op::CompleteMultipartUpload { upload: upload() },
                    ("POST", Some("append")) => Op::AppendObject,
                    ("POST", Some("restore")) => Op::RestoreObject,
                    ("PUT", Some("uploadId" | "partNumber"))
                        if has("uploadId") && has("partNumber") =>
                    {
                        if has_copy_source {
                            Op::UploadPartCopy {
                                upload: upload(),
                                part: part(),
                            }
                        } else {
                            Op::UploadPart {
                                upload: upload(),
                                part: part(),
                            }
                        }
                    }
                    ("GET", Some("uploadId")) => Op::ListParts { upload: upload() },
                    ("GET", Some("acl")) => Op::GetObjectAcl,
                    ("PUT", Some("acl")) => Op::PutObjectAcl,
                    ("GET", Some("retention")) => Op::GetObjectRetention,
                    ("PUT", Some("retention")) => Op::PutObjectRetention,
                    ("GET", Some("legal-hold")) => Op::GetObjectLegalHold,
                    ("GET", Some("attributes")) => Op::GetObjectAttributes,
                    ("PUT", Some("legal-hold")) => Op::PutObjectLegalHold,
                    ("GET", Some("tagging")) => Op::GetObjectTagging,
                    ("PUT", Some("tagging")) => Op::PutObjectTagging,
                    ("DELETE", Some("tagging")) => Op::DeleteObjectTagging,
                    ("DELETE", Some("uploadId")) => Op::AbortMultipartUpload { upload: upload() },
                    // `?partNumber=` without an upload: one part of a multipart object.
                    ("GET", None | Some("partNumber")) => Op::GetObject,
                    ("HEAD", None | Some("partNumber")) => Op::HeadObject,
                    ("PUT", None) if has_copy_source => Op::CopyObject,
                    ("PUT", None) => Op::PutObject,
                    ("DELETE", None) => Op::DeleteObject,
                    ("OPTIONS", _) => Op::OptionsObject,
                    (_, Some(s)) => Op::NotImplemented(s),
                    _ => Op::MethodNotAllowed,
                }
            }
        }
    }

    /// The name used in logs.
    pub fn name(&self) -> &'static str {
        match self {
            Op::ListBuckets => "GetService",
            Op::CreateBucket => "PutBucket",
            Op::ListObjects => "GetBucket",
            Op::ListObjectsV2 => "GetBucketV2",
            Op::DeleteObjects => "DeleteMultipleObjects",
            Op::CopyObject => "PutObjectCopy",
            Op::GetBucketAcl => "GetBucketACL",
            Op::PutBucketAcl => "PutBucketACL",
            Op::GetObjectAcl => "GetObjectACL",
            Op::PutObjectAcl => "PutObjectACL",
            Op::GetBucketCors => "GetBucketCORS",
            Op::PutBucketCors => "PutBucketCORS",
            Op::DeleteBucketCors => "DeleteBucketCORS",
            Op::NotImplemented(n) => n,
            Op::MethodNotAllowed => "MethodNotAllowed",
            other => other.action().trim_start_matches("name/cos:"),
        }
    }

    /// The CAM action the operation needs on its own resource (seed 002:842-1715). Copy also
    /// needs `GetObject` on the source, and a multi-object delete needs `DeleteObject` on
    /// every key; their handlers check those.
    pub fn action(&self) -> &'static str {
        match self {
            Op::ListBuckets => "name/cos:GetService",
            Op::CreateBucket => "name/cos:PutBucket",
            Op::HeadBucket => "name/cos:HeadBucket",
            Op::DeleteBucket => "name/cos:DeleteBucket",
            Op::GetBucketLocation => "name/cos:GetBucketLocation",
            Op::ListObjects | Op::ListObjectsV2 => "name/cos:GetBucket",
            Op::DeleteObjects | Op::DeleteObject => "name/cos:DeleteObject",
            Op::PutObject | Op::CopyObject | Op::UploadPartCopy { .. } => "name/cos:PutObject",
            Op::GetObject => "name/cos:GetObject",
            Op::HeadObject => "name/cos:HeadObject",
            Op::InitiateMultipartUpload => "name/cos:InitiateMultipartUpload",
            Op::UploadPart { .. } => "name/cos:UploadPart",
            Op::CompleteMultipartUpload { .. } => "name/cos:CompleteMultipartUpload",
            Op::AbortMultipartUpload { .. } => "name/cos:AbortMultipartUpload",
            Op::ListParts { .. } => "name/cos:ListParts",
            Op::ListMultipartUploads => "name/cos:ListMultipartUploads",
            Op::AppendObject => "name/cos:AppendObject",
            Op::GetBucketAcl => "name/cos:GetBucketACL",
            Op::PutBucketAcl => "name/cos:PutBucketACL",
            Op::GetObjectAcl => "name/cos:GetObjectACL",
            Op::PutObjectAcl => "name/cos:PutObjectACL",
            Op::GetBucketPolicy => "name/cos:GetBucketPolicy",
            Op::PutBucketPolicy => "name/cos:PutBucketPolicy",
            Op::DeleteBucketPolicy => "name/cos:DeleteBucketPolicy",
            Op::GetBucketTagging => "name/cos:GetBucketTagging",
            Op::PutBucketTagging => "name/cos:PutBucketTagging",
            Op::DeleteBucketTagging => "name/cos:DeleteBucketTagging",
            Op::GetBucketCors => "name/cos:GetBucketCORS",
            Op::PutBucketCors => "name/cos:PutBucketCORS",
            Op::DeleteBucketCors => "name/cos:DeleteBucketCORS",
            Op::OptionsObject => "name/cos:OptionsObject",
            Op::GetBucketWebsite => "name/cos:GetBucketWebsite",
            Op::PutBucketWebsite => "name/cos:PutBucketWebsite",
            Op::DeleteBucketWebsite => "name/cos:DeleteBucketWebsite",
            Op::GetBucketReferer => "name/cos:GetBucketReferer",
            Op::PutBucketReferer => "name/cos:PutBucketReferer",
            Op::DeleteBucketReferer => "name/cos:DeleteBucketReferer",
            Op::GetBucketEncryption => "name/cos:GetBucketEncryption",
            Op::PutBucketEncryption => "name/cos:PutBucketEncryption",
            Op::DeleteBucketEncryption => "name/cos:DeleteBucketEncryption",
            Op::GetBucketLogging => "name/cos:GetBucketLogging",
            Op::PutBucketLogging => "name/cos:PutBucketLogging",
            Op::GetBucketLifecycle => "name/cos:GetBucketLifecycle",
            Op::PutBucketLifecycle => "name/cos:PutBucketLifecycle",
            Op::DeleteBucketLifecycle => "name/cos:DeleteBucketLifecycle",
            Op::GetBucketNotification => "name/cos:GetBucketNotification",
            Op::PutBucketNotification => "name/cos:PutBucketNotification",
            Op::GetBucketVersioning => "name/cos:GetBucketVersioning",
            Op::PutBucketVersioning => "name/cos:PutBucketVersioning",
            Op::ListObjectVersions => "name/cos:GetBucketObjectVersions",
            Op::GetObjectLockConfiguration => "name/cos:GetBucketObjectLockConfiguration",
            Op::PutObjectLockConfiguration => "name/cos:PutBucketObjectLockConfiguration",
            Op::GetObjectRetention => "name/cos:GetObjectRetention",
            Op::PutObjectRetention => "name/cos:PutObjectRetention",
            Op::GetObjectLegalHold => "name/cos:GetObjectLegalHold",
            Op::PutObjectLegalHold => "name/cos:PutObjectLegalHold",
            Op::GetPublicAccessBlock => "name/cos:GetBucketPublicAccessBlock",
            Op::PutPublicAccessBlock => "name/cos:PutBucketPublicAccessBlock",
            Op::DeletePublicAccessBlock => "name/cos:DeleteBucketPublicAccessBlock",
            Op::GetBucketOwnershipControls => "name/cos:GetBucketOwnershipControls",
            Op::PutBucketOwnershipControls => "name/cos:PutBucketOwnershipControls",
            Op::DeleteBucketOwnershipControls => "name/cos:DeleteBucketOwnershipControls",
            Op::GetObjectAttributes => "name/cos:GetObjectAttributes",
            Op::GetObjectTagging => "name/cos:GetObjectTagging",
            Op::PutObjectTagging => "name/cos:PutObjectTagging",
            Op::DeleteObjectTagging => "name/cos:DeleteObjectTagging",
            Op::RestoreObject => "name/cos:PostObjectRestore",
            Op::NotImplemented(_) | Op::MethodNotAllowed => "name/cos:*",
        }
    }

    /// Whether the bucket's hotlink (referer) rules apply. Exempt: the `?referer` operations
    /// themselves, so the owner can always read and repair the configuration; the CORS
    /// preflight, which reads no data (the actual request is checked); GET Service.
    pub fn referer_applies(&self) -> bool {
        !matches!(
            self,
            Op::GetBucketReferer
                | Op::PutBucketReferer
                | Op::DeleteBucketReferer
                | Op::OptionsObject
                | Op::ListBuckets
        )
    }

    /// Whether the operation changes what the answer's CORS headers are made from (the
    /// bucket's CORS rules, or the bucket itself).
    pub fn changes_bucket(&self) -> bool {
        matches!(
            self,
            Op::PutBucketCors | Op::DeleteBucketCors | Op::DeleteBucket | Op::CreateBucket
        )
    }

    /// How the operation is authorized (centrally, before its handler runs: `api::authz::admit`).
    pub fn access(&self) -> Access {
        match self {
            Op::ListBuckets => Access::Service,
            Op::CreateBucket => Access::CreateBucket,
            // These depend on the object's own ACL.
            Op::GetObject
            | Op::HeadObject
            | Op::GetObjectAcl
            | Op::PutObjectAcl
            | Op::GetObjectAttributes => Access::Object,
            // No ACL grants these, but the version is read before authorizing, for its tags
            // (`s3:ExistingObjectTag/<key>`) and its existence.
            Op::GetObjectTagging | Op::PutObjectTagging | Op::DeleteObjectTagging => Access::Object,
            Op::CopyObject | Op::UploadPartCopy { .. } => Access::Copy,
            // Each key of the request is authorized on its own (seed 002:1682-1715).
            Op::DeleteObjects => Access::EachKey,
            Op::HeadBucket
            | Op::DeleteBucket
            | Op::GetBucketLocation
            | Op::ListObjects
            | Op::ListObjectsV2
            | Op::PutObject
            | Op::DeleteObject
            | Op::InitiateMultipartUpload
            | Op::UploadPart { .. }
            | Op::CompleteMultipartUpload { .. }
            | Op::AbortMultipartUpload { .. }
            | Op::ListParts { .. }
            | Op::ListMultipartUploads
            | Op::AppendObject
            | Op::RestoreObject
            | Op::GetBucketAcl
            | Op::PutBucketAcl
            | Op::GetBucketPolicy
            | Op::PutBucketPolicy
            | Op::DeleteBucketPolicy
            | Op::GetBucketTagging
            | Op::PutBucketTagging
            | Op::DeleteBucketTagging
            | Op::GetBucketCors
            | Op::PutBucketCors
            | Op::DeleteBucketCors
            | Op::GetBucketWebsite
            | Op::PutBucketWebsite
            | Op::DeleteBucketWebsite
            | Op::GetBucketReferer
            | Op::PutBucketReferer
            | Op::DeleteBucketReferer
            | Op::GetBucketEncryption
            | Op::PutBucketEncryption
            | Op::DeleteBucketEncryption
            | Op::GetBucketLogging
            | Op::PutBucketLogging
            | Op::GetBucketLifecycle
            | Op::PutBucketLifecycle
            | Op::DeleteBucketLifecycle
            | Op::GetBucketNotification
            | Op::PutBucketNotification
            | Op::GetBucketVersioning
            | Op::PutBucketVersioning
            | Op::ListObjectVersions
            | Op::GetObjectLockConfiguration
            | Op::PutObjectLockConfiguration
            | Op::GetObjectRetention
            | Op::PutObjectRetention
            | Op::GetObjectLegalHold
            | Op::PutObjectLegalHold
            | Op::GetPublicAccessBlock
            | Op::PutPublicAccessBlock
            | Op::DeletePublicAccessBlock
            | Op::GetBucketOwnershipControls
            | Op::PutBucketOwnershipControls
            | Op::DeleteBucketOwnershipControls => Access::Bucket,
            // A preflight carries no credentials: the bucket's CORS rules decide (seed 002:5179).
            Op::OptionsObject => Access::Preflight,
            Op::NotImplemented(_) => Access::Unimplemented,
            Op::MethodNotAllowed => Access::Refused,
        }
    }

    /// The CAM resource the operation's action is checked on: `*` for the service, else
    /// `qcs::cos:<region>:uid/<appid>:<bucket>/<key>` (key empty for the bucket itself).
    pub fn resource(&self, region: &str, target: &Target) -> String {
        match (self.access(), target) {
            (Access::Service, _) | (_, Target::Service) => "*".to_string(),
            (_, Target::Bucket(b)) => resource_name(region, b, None),
            (_, Target::Object { bucket, key }) => resource_name(region, bucket, Some(key)),
        }
    }
}

/// `qcs::cos:<region>:uid/<appid>:<bucket>/<key>` (bucket-level: key empty).
pub fn resource_name(region: &str, bucket: &str, key: Option<&str>) -> String {
    // S3-form names (`s3_bucket_names`) name no appid.
    let appid = crate::types::appid_of(bucket).unwrap_or("");
    format!(
        "qcs::cos:{region}:uid/{appid}:{bucket}/{}",
        key.unwrap_or("")
    )
}

/// How an operation is authorized. Every kind is decided in `api::authz::admit` before the
/// handler runs; `Copy` and `EachKey` also hand the handler a gate it must consume to answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// GET Service: `name/cos:GetService` on `*`, for accounts only.
    Service,
    /// PUT Bucket: judged for the account that owns the name's APPID.
    CreateBucket,
    /// The action on the addressed bucket (or object in it) by the bucket's policy and ACL.
    Bucket,
    /// The action on the addressed object with the object's own ACL: the object is loaded
    /// and judged before the handler, which receives it.
    Object,
    /// The action on the destination; `GetObject` on the copy source through a gate.
    Copy,
    /// The action on each key the request names, through a gate.
    EachKey,
    /// A CORS preflight: no credentials; the bucket's CORS rules decide.
    Preflight,
    /// An operation cosd does not implement: judged with the action COS names it by, then 501.
    Unimplemented,
    /// A method the resource does not support: refused before anything is read.
    Refused,
}
