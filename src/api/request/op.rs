//! One `Op` per operation: the single source of truth for routing, log names, CAM actions and
//! what access the operation needs. Parsing is pure; the matches are exhaustive.

use super::target::Target;

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
    /// POST Object: an HTML form upload to the bucket (authenticated by the form itself).
    PostObject,
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
    /// The admin API (`/_cosd/admin/...`), authorized by its own rule (root accounts only).
    Admin,
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
                    ("GET", None) if query_names.contains(&"location") => Op::GetBucketLocation,
                    ("GET", None) if list_type == Some("2") => Op::ListObjectsV2,
                    ("GET", None) => Op::ListObjects,
                    ("PUT", None) => Op::CreateBucket,
                    ("HEAD", _) => Op::HeadBucket,
                    ("DELETE", None) => Op::DeleteBucket,
                    ("POST", None) if query_names.contains(&"delete") => Op::DeleteObjects,
                    ("POST", None) => Op::PostObject,
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
                    ("GET", Some("acl")) => Op::GetObjectAcl,
                    ("PUT", Some("acl")) => Op::PutObjectAcl,
                    ("DELETE", Some("uploadId")) => Op::AbortMultipartUpload,
                    ("GET", None) => Op::GetObject,
                    ("HEAD", None) => Op::HeadObject,
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
            Op::Admin => "Admin",
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
            Op::PutObject | Op::CopyObject | Op::UploadPartCopy => "name/cos:PutObject",
            Op::GetObject => "name/cos:GetObject",
            Op::HeadObject => "name/cos:HeadObject",
            Op::InitiateMultipartUpload => "name/cos:InitiateMultipartUpload",
            Op::UploadPart => "name/cos:UploadPart",
            Op::CompleteMultipartUpload => "name/cos:CompleteMultipartUpload",
            Op::AbortMultipartUpload => "name/cos:AbortMultipartUpload",
            Op::ListParts => "name/cos:ListParts",
            Op::ListMultipartUploads => "name/cos:ListMultipartUploads",
            Op::AppendObject => "name/cos:AppendObject",
            Op::PostObject => "name/cos:PostObject",
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
            Op::NotImplemented(_) | Op::MethodNotAllowed | Op::Admin => "name/cos:*",
        }
    }

    /// Where the operation is authorized.
    pub fn check(&self) -> Check {
        match self {
            Op::ListBuckets | Op::CreateBucket => Check::Handler,
            // These depend on the object's own ACL, or on each key of the request.
            Op::GetObject
            | Op::HeadObject
            | Op::GetObjectAcl
            | Op::PutObjectAcl
            | Op::DeleteObjects
            // The form carries the signature, and the size condition needs the whole file.
            | Op::PostObject => Check::Handler,
            Op::HeadBucket
            | Op::DeleteBucket
            | Op::GetBucketLocation
            | Op::ListObjects
            | Op::ListObjectsV2
            | Op::PutObject
            | Op::CopyObject
            | Op::DeleteObject
            | Op::InitiateMultipartUpload
            | Op::UploadPart
            | Op::UploadPartCopy
            | Op::CompleteMultipartUpload
            | Op::AbortMultipartUpload
            | Op::ListParts
            | Op::ListMultipartUploads
            | Op::AppendObject
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
            | Op::DeleteBucketReferer => Check::OnLoad,
            // A preflight carries no credentials: the bucket's CORS rules decide (seed 002:5179).
            Op::OptionsObject => Check::Handler,
            Op::NotImplemented(_) | Op::MethodNotAllowed | Op::Admin => Check::Never,
        }
    }
}

/// Where an operation's authorization happens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    /// When the bucket is loaded, with the operation's action on the addressed resource.
    OnLoad,
    /// In the handler, which knows the object's ACL or the keys involved.
    Handler,
    /// Never: the operation is refused before anything is read.
    Never,
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
            ("POST", &b, &[], false, None, Op::PostObject),
            ("GET", &b, &["acl"], false, None, Op::GetBucketAcl),
            ("PUT", &b, &["policy"], false, None, Op::PutBucketPolicy),
            ("GET", &b, &["cors"], false, None, Op::GetBucketCors),
            ("PUT", &b, &["website"], false, None, Op::PutBucketWebsite),
            (
                "DELETE",
                &b,
                &["referer"],
                false,
                None,
                Op::DeleteBucketReferer,
            ),
            ("OPTIONS", &o, &[], false, None, Op::OptionsObject),
            ("OPTIONS", &b, &[], false, None, Op::OptionsObject),
            ("PUT", &o, &["acl"], false, None, Op::PutObjectAcl),
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
        assert_eq!(Op::CopyObject.action(), "name/cos:PutObject");
        assert_eq!(Op::CopyObject.name(), "PutObjectCopy");
        assert_eq!(Op::UploadPartCopy.action(), "name/cos:PutObject");
        assert_eq!(Op::GetBucketAcl.name(), "GetBucketACL");
        assert_eq!(Op::HeadObject.name(), "HeadObject");
    }
}
