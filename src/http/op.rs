//! One `Op` per operation: the single source of truth for routing, log names, CAM actions and
//! what access the operation needs. Parsing is pure; the matches are exhaustive.

use super::target::Target;
use crate::policy::Access;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
    UploadPart,
    UploadPartCopy,
    CompleteMultipartUpload,
    AbortMultipartUpload,
    ListParts,
    ListMultipartUploads,
    AppendObject,
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
    /// Chooses the operation from method, target, query parameter names and the copy-source header.
    pub fn parse(
        method: &str,
        target: &Target,
        query_names: &[&str],
        has_copy_source: bool,
        list_type: Option<&str>,
    ) -> Op {
        match target {
            Target::Service => match method {
                "GET" => Op::ListBuckets,
                _ => Op::MethodNotAllowed,
            },
            Target::Bucket(_) => {
                let sub = first_subresource(query_names, BUCKET_SUBRESOURCES);
                match (method, sub) {
                    ("GET", Some("uploads")) => Op::ListMultipartUploads,
                    ("GET", None) if query_names.contains(&"location") => Op::GetBucketLocation,
                    ("GET", None) if list_type == Some("2") => Op::ListObjectsV2,
                    ("GET", None) => Op::ListObjects,
                    ("PUT", None) => Op::CreateBucket,
                    ("HEAD", _) => Op::HeadBucket,
                    ("DELETE", None) => Op::DeleteBucket,
                    ("POST", None) if query_names.contains(&"delete") => Op::DeleteObjects,
                    ("POST", None) => Op::NotImplemented("PostObject"),
                    ("OPTIONS", _) => Op::NotImplemented("OptionsObject"),
                    (_, Some(s)) => Op::NotImplemented(s),
                    _ => Op::MethodNotAllowed,
                }
            }
            Target::Object { .. } => {
                let sub = first_subresource(query_names, OBJECT_SUBRESOURCES);
                let has = |n: &str| query_names.contains(&n);
                match (method, sub) {
                    ("POST", Some("uploads")) => Op::InitiateMultipartUpload,
                    ("POST", Some("uploadId")) => Op::CompleteMultipartUpload,
                    ("POST", Some("append")) => Op::AppendObject,
                    ("PUT", Some("uploadId" | "partNumber"))
                        if has("uploadId") && has("partNumber") =>
                    {
                        if has_copy_source {
                            Op::UploadPartCopy
                        } else {
                            Op::UploadPart
                        }
                    }
                    ("GET", Some("uploadId")) => Op::ListParts,
                    ("DELETE", Some("uploadId")) => Op::AbortMultipartUpload,
                    ("GET", None) => Op::GetObject,
                    ("HEAD", None) => Op::HeadObject,
                    ("PUT", None) if has_copy_source => Op::CopyObject,
                    ("PUT", None) => Op::PutObject,
                    ("DELETE", None) => Op::DeleteObject,
                    ("OPTIONS", _) => Op::NotImplemented("OptionsObject"),
                    (_, Some(s)) => Op::NotImplemented(s),
                    _ => Op::MethodNotAllowed,
                }
            }
        }
    }

    /// The name used in logs and in CAM actions (`name/cos:<name>`).
    pub fn name(&self) -> &'static str {
        match self {
            Op::ListBuckets => "GetService",
            Op::CreateBucket => "PutBucket",
            Op::HeadBucket => "HeadBucket",
            Op::DeleteBucket => "DeleteBucket",
            Op::GetBucketLocation => "GetBucketLocation",
            Op::ListObjects => "GetBucket",
            Op::ListObjectsV2 => "GetBucket",
            Op::DeleteObjects => "DeleteMultipleObjects",
            Op::PutObject => "PutObject",
            Op::CopyObject => "PutObjectCopy",
            Op::GetObject => "GetObject",
            Op::HeadObject => "HeadObject",
            Op::DeleteObject => "DeleteObject",
            Op::InitiateMultipartUpload => "InitiateMultipartUpload",
            Op::UploadPart => "UploadPart",
            Op::UploadPartCopy => "UploadPartCopy",
            Op::CompleteMultipartUpload => "CompleteMultipartUpload",
            Op::AbortMultipartUpload => "AbortMultipartUpload",
            Op::ListParts => "ListParts",
            Op::ListMultipartUploads => "ListMultipartUploads",
            Op::AppendObject => "AppendObject",
            Op::NotImplemented(n) => n,
            Op::MethodNotAllowed => "MethodNotAllowed",
        }
    }

    /// The CAM action, e.g. `name/cos:GetObject`.
    pub fn action(&self) -> String {
        format!("name/cos:{}", self.name())
    }

    /// What the operation needs from the ACL point of view (checked against the bucket's owner
    /// and canned ACL). The service-level op has its own rule (authenticated callers only).
    pub fn access(&self) -> Access {
        match self {
            Op::GetObject | Op::HeadObject => Access::ReadObject,
            Op::ListObjects | Op::ListObjectsV2 | Op::HeadBucket | Op::ListMultipartUploads => {
                Access::ListBucket
            }
            Op::PutObject
            | Op::CopyObject
            | Op::DeleteObject
            | Op::DeleteObjects
            | Op::InitiateMultipartUpload
            | Op::UploadPart
            | Op::UploadPartCopy
            | Op::CompleteMultipartUpload
            | Op::AbortMultipartUpload
            | Op::ListParts
            | Op::AppendObject => Access::WriteObject,
            Op::ListBuckets
            | Op::CreateBucket
            | Op::DeleteBucket
            | Op::GetBucketLocation
            | Op::NotImplemented(_)
            | Op::MethodNotAllowed => Access::Owner,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[allow(clippy::type_complexity)]
    fn op_table() {
        let b = Target::Bucket("b-1".into());
        let o = Target::Object {
            bucket: "b-1".into(),
            key: "k".into(),
        };
        let rows: &[(&str, &Target, &[&str], bool, Option<&str>, Op)] = &[
            ("GET", &Target::Service, &[], false, None, Op::ListBuckets),
            (
                "PUT",
                &Target::Service,
                &[],
                false,
                None,
                Op::MethodNotAllowed,
            ),
            ("PUT", &b, &[], false, None, Op::CreateBucket),
            ("HEAD", &b, &[], false, None, Op::HeadBucket),
            ("DELETE", &b, &[], false, None, Op::DeleteBucket),
            (
                "GET",
                &b,
                &["prefix", "marker"],
                false,
                None,
                Op::ListObjects,
            ),
            (
                "GET",
                &b,
                &["list-type"],
                false,
                Some("2"),
                Op::ListObjectsV2,
            ),
            ("GET", &b, &["location"], false, None, Op::GetBucketLocation),
            ("POST", &b, &["delete"], false, None, Op::DeleteObjects),
            ("GET", &b, &["acl"], false, None, Op::NotImplemented("acl")),
            (
                "GET",
                &b,
                &["uploads"],
                false,
                None,
                Op::ListMultipartUploads,
            ),
            ("PUT", &o, &[], false, None, Op::PutObject),
            ("PUT", &o, &[], true, None, Op::CopyObject),
            (
                "PUT",
                &o,
                &["partNumber", "uploadId"],
                false,
                None,
                Op::UploadPart,
            ),
            (
                "GET",
                &o,
                &["response-content-type"],
                false,
                None,
                Op::GetObject,
            ),
            ("HEAD", &o, &[], false, None, Op::HeadObject),
            ("DELETE", &o, &[], false, None, Op::DeleteObject),
            (
                "POST",
                &o,
                &["uploads"],
                false,
                None,
                Op::InitiateMultipartUpload,
            ),
            ("PATCH", &o, &[], false, None, Op::MethodNotAllowed),
        ];
        for (m, t, q, copy, lt, want) in rows {
            assert_eq!(Op::parse(m, t, q, *copy, *lt), *want, "{m} {t:?} {q:?}");
        }
        assert_eq!(Op::CopyObject.action(), "name/cos:PutObjectCopy");
    }
}
