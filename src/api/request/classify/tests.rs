//! Every row of the classifier, path-style and virtual-hosted.

use super::*;
use crate::api::request::op::{PartNumber, UploadId};
use crate::api::request::target::Target;

const BUCKET: &str = "examplebucket-1250000000";
const VHOST: &str = "examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com";

fn config() -> Config {
    let mut c = Config::defaults();
    c.domains = vec!["localhost".into()];
    c.website_domains = vec!["web.local".into()];
    c
}

fn parts(method: &str, host: &str, path_and_query: &str, headers: &[(&str, &str)]) -> Parts {
    let mut b = http::Request::builder()
        .method(method)
        .uri(path_and_query)
        .header("host", host);
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    b.body(()).unwrap().into_parts().0
}

fn run(method: &str, host: &str, path: &str, query: &str, headers: &[(&str, &str)]) -> Api {
    let uri = if query.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{query}")
    };
    let p = parts(method, host, &uri, headers);
    let q = crate::auth::encode::decode_query(query);
    classify(&p, path, &q, &config())
}

fn upload(id: &str) -> UploadId {
    UploadId::new(id)
}

/// The operation a request for `rest` (empty: the bucket; else an object key) gets, checked
/// path-style on 127.0.0.1 and virtual-hosted on the regional COS endpoint.
fn both(method: &str, rest: &str, query: &str, headers: &[(&str, &str)]) -> Op {
    let path_style = run(
        method,
        "127.0.0.1:9000",
        &format!("/{BUCKET}/{rest}"),
        query,
        headers,
    );
    let vhost = run(method, VHOST, &format!("/{rest}"), query, headers);
    let op = |api: &Api| match api {
        Api::Xml { op, .. } => op.clone(),
        other => panic!("{method} /{rest}?{query}: {other:?}"),
    };
    let (a, b) = (op(&path_style), op(&vhost));
    assert_eq!(
        a, b,
        "{method} /{rest}?{query}: path-style and virtual-hosted differ"
    );
    // Both forms address the same target.
    let target = |api: &Api| match api {
        Api::Xml { addressed, .. } => addressed.target.clone(),
        _ => unreachable!(),
    };
    assert_eq!(
        target(&path_style),
        target(&vhost),
        "{method} /{rest}?{query}"
    );
    a
}

const COPY: &[(&str, &str)] = &[(
    "x-cos-copy-source",
    "src-1250000000.cos.ap-guangzhou.myqcloud.com/a",
)];
const AMZ_COPY: &[(&str, &str)] = &[("x-amz-copy-source", "/src-1250000000/a")];

/// (method, key or "" for the bucket, query, headers, the operation).
type Row<'a> = (&'a str, &'a str, &'a str, &'a [(&'a str, &'a str)], Op);

#[test]
fn every_xml_operation_path_style_and_virtual_hosted() {
    let rows: &[Row] = &[
        // Bucket level.
        ("PUT", "", "", &[], Op::CreateBucket),
        ("HEAD", "", "", &[], Op::HeadBucket),
        ("DELETE", "", "", &[], Op::DeleteBucket),
        ("GET", "", "location", &[], Op::GetBucketLocation),
        ("GET", "", "prefix=a&marker=b", &[], Op::ListObjects),
        ("GET", "", "list-type=2&prefix=a", &[], Op::ListObjectsV2),
        ("GET", "", "list-type=1", &[], Op::ListObjects),
        ("POST", "", "delete", &[], Op::DeleteObjects),
        ("GET", "", "uploads", &[], Op::ListMultipartUploads),
        ("GET", "", "acl", &[], Op::GetBucketAcl),
        ("PUT", "", "acl", &[], Op::PutBucketAcl),
        ("GET", "", "policy", &[], Op::GetBucketPolicy),
        ("PUT", "", "policy", &[], Op::PutBucketPolicy),
        ("DELETE", "", "policy", &[], Op::DeleteBucketPolicy),
        ("GET", "", "tagging", &[], Op::GetBucketTagging),
        ("PUT", "", "tagging", &[], Op::PutBucketTagging),
        ("DELETE", "", "tagging", &[], Op::DeleteBucketTagging),
        ("GET", "", "cors", &[], Op::GetBucketCors),
        ("PUT", "", "cors", &[], Op::PutBucketCors),
        ("DELETE", "", "cors", &[], Op::DeleteBucketCors),
        ("GET", "", "website", &[], Op::GetBucketWebsite),
        ("PUT", "", "website", &[], Op::PutBucketWebsite),
        ("DELETE", "", "website", &[], Op::DeleteBucketWebsite),
        ("GET", "", "logging", &[], Op::GetBucketLogging),
        ("PUT", "", "logging", &[], Op::PutBucketLogging),
        ("GET", "", "lifecycle", &[], Op::GetBucketLifecycle),
        ("PUT", "", "lifecycle", &[], Op::PutBucketLifecycle),
        ("DELETE", "", "lifecycle", &[], Op::DeleteBucketLifecycle),
        ("GET", "", "notification", &[], Op::GetBucketNotification),
        ("PUT", "", "notification", &[], Op::PutBucketNotification),
        ("GET", "", "referer", &[], Op::GetBucketReferer),
        ("PUT", "", "referer", &[], Op::PutBucketReferer),
        ("DELETE", "", "referer", &[], Op::DeleteBucketReferer),
        ("OPTIONS", "", "", &[], Op::OptionsObject),
        ("GET", "", "inventory", &[], Op::NotImplemented("inventory")),
        ("PUT", "", "versioning", &[], Op::PutBucketVersioning),
        ("GET", "", "versioning", &[], Op::GetBucketVersioning),
        ("GET", "", "versions", &[], Op::ListObjectVersions),
        (
            "GET",
            "",
            "object-lock",
            &[],
            Op::GetObjectLockConfiguration,
        ),
        (
            "PUT",
            "",
            "object-lock",
            &[],
            Op::PutObjectLockConfiguration,
        ),
        ("GET", "k", "retention", &[], Op::GetObjectRetention),
        ("PUT", "k", "retention", &[], Op::PutObjectRetention),
        ("GET", "k", "legal-hold", &[], Op::GetObjectLegalHold),
        ("PUT", "k", "legal-hold", &[], Op::PutObjectLegalHold),
        ("GET", "k", "attributes", &[], Op::GetObjectAttributes),
        (
            "GET",
            "",
            "publicAccessBlock",
            &[],
            Op::GetPublicAccessBlock,
        ),
        (
            "PUT",
            "",
            "publicAccessBlock",
            &[],
            Op::PutPublicAccessBlock,
        ),
        (
            "DELETE",
            "",
            "publicAccessBlock",
            &[],
            Op::DeletePublicAccessBlock,
        ),
        (
            "GET",
            "",
            "ownershipControls",
            &[],
            Op::GetBucketOwnershipControls,
        ),
        (
            "PUT",
            "",
            "ownershipControls",
            &[],
            Op::PutBucketOwnershipControls,
        ),
        (
            "DELETE",
            "",
            "ownershipControls",
            &[],
            Op::DeleteBucketOwnershipControls,
        ),
        (
            "DELETE",
            "",
            "versioning",
            &[],
            Op::NotImplemented("versioning"),
        ),
        ("PATCH", "", "", &[], Op::MethodNotAllowed),
        // Object level.
        ("PUT", "k", "", &[], Op::PutObject),
        ("PUT", "dir/k", "", COPY, Op::CopyObject),
        ("PUT", "k", "", AMZ_COPY, Op::CopyObject),
        ("GET", "k", "", &[], Op::GetObject),
        (
            "GET",
            "k",
            "response-content-type=text/plain",
            &[],
            Op::GetObject,
        ),
        ("HEAD", "k", "", &[], Op::HeadObject),
        ("DELETE", "k", "", &[], Op::DeleteObject),
        ("POST", "k", "uploads", &[], Op::InitiateMultipartUpload),
        (
            "PUT",
            "k",
            "partNumber=3&uploadId=u1",
            &[],
            Op::UploadPart {
                upload: upload("u1"),
                part: PartNumber::parse("3"),
            },
        ),
        (
            "PUT",
            "k",
            "uploadId=u1&partNumber=0",
            &[],
            Op::UploadPart {
                upload: upload("u1"),
                part: PartNumber::parse("0"),
            },
        ),
        (
            "PUT",
            "k",
            "partNumber=10000&uploadId=u1",
            COPY,
            Op::UploadPartCopy {
                upload: upload("u1"),
                part: PartNumber::parse("10000"),
            },
        ),
        (
            "POST",
            "k",
            "uploadId=u2",
            &[],
            Op::CompleteMultipartUpload {
                upload: upload("u2"),
            },
        ),
        (
            "DELETE",
            "k",
            "uploadId=u3",
            &[],
            Op::AbortMultipartUpload {
                upload: upload("u3"),
            },
        ),
        (
            "GET",
            "k",
            "uploadId=u4",
            &[],
            Op::ListParts {
                upload: upload("u4"),
            },
        ),
        ("POST", "k", "append&position=0", &[], Op::AppendObject),
        ("GET", "k", "acl", &[], Op::GetObjectAcl),
        ("PUT", "k", "acl", &[], Op::PutObjectAcl),
        ("OPTIONS", "k", "", &[], Op::OptionsObject),
        ("POST", "k", "restore", &[], Op::RestoreObject),
        ("GET", "k", "tagging", &[], Op::GetObjectTagging),
        ("PUT", "k", "tagging", &[], Op::PutObjectTagging),
        ("DELETE", "k", "tagging", &[], Op::DeleteObjectTagging),
        (
            "GET",
            "k",
            "tagging&versionId=MTg0NDY3NDQwNzM3MDk1NTE2MTU",
            &[],
            Op::GetObjectTagging,
        ),
        ("PATCH", "k", "", &[], Op::MethodNotAllowed),
        ("POST", "k", "", &[], Op::MethodNotAllowed),
    ];
    for (method, rest, query, headers, want) in rows {
        assert_eq!(
            &both(method, rest, query, headers),
            want,
            "{method} /{rest}?{query}"
        );
    }
}

#[test]
fn part_numbers_and_upload_ids_are_typed() {
    assert_eq!(PartNumber::parse("1").get().unwrap(), 1);
    assert_eq!(PartNumber::parse(" 10000 ").get().unwrap(), 10000);
    for bad in ["0", "10001", "-1", "x", ""] {
        let e = PartNumber::parse(bad).get().unwrap_err();
        assert_eq!(e.code, crate::api::error::Code::InvalidArgument, "{bad}");
    }
    assert_eq!(upload("u").get().unwrap(), "u");
    assert_eq!(
        upload("").get().unwrap_err().code,
        crate::api::error::Code::NoSuchUpload
    );
}

#[test]
fn service_requests() {
    for host in [
        "127.0.0.1:9000",
        "cos.ap-guangzhou.myqcloud.com",
        "service.cos.myqcloud.com",
    ] {
        match run("GET", host, "/", "", &[]) {
            Api::Xml { op, addressed } => {
                assert_eq!(op, Op::ListBuckets, "{host}");
                assert_eq!(addressed.target, Target::Service, "{host}");
            }
            other => panic!("{host}: {other:?}"),
        }
        match run("PUT", host, "/", "", &[]) {
            Api::Xml { op, .. } => assert_eq!(op, Op::MethodNotAllowed, "{host}"),
            other => panic!("{host}: {other:?}"),
        }
    }
}

#[test]
fn the_other_apis() {
    let form = [("content-type", "multipart/form-data; boundary=x")];
    // POST Object, both forms.
    for (host, path) in [
        ("127.0.0.1:9000", format!("/{BUCKET}")),
        (VHOST, "/".into()),
    ] {
        match run("POST", host, &path, "", &form) {
            Api::PostObject(a) => assert_eq!(a.target, Target::Bucket(BUCKET.into())),
            other => panic!("{host}{path}: {other:?}"),
        }
    }
    assert_eq!(
        run("GET", "127.0.0.1:9000", "/_cosd/health", "", &[]),
        Api::Health
    );
    assert_eq!(
        run("HEAD", "localhost:9000", "/_cosd/health", "", &[]),
        Api::Health
    );
    assert_eq!(
        run("GET", "127.0.0.1:9000", "/_cosd/metrics", "", &[]),
        Api::Metrics
    );
    assert_eq!(
        run(
            "GET",
            "127.0.0.1:9000",
            "/files/v2/1250000000/b/a.txt",
            "op=stat",
            &[]
        ),
        Api::Json
    );
    match run(
        "POST",
        "127.0.0.1:9000",
        "/_cosd/admin/users/alice/keys",
        "",
        &[],
    ) {
        Api::Admin {
            op,
            path,
            addressed,
        } => {
            assert_eq!(
                op,
                crate::api::admin::AdminOp::CreateKey {
                    uin: "alice".into()
                }
            );
            assert_eq!(op.name(), "Admin.CreateKey");
            assert_eq!(path, "users/alice/keys");
            assert!(addressed.path_style);
        }
        other => panic!("{other:?}"),
    }
    let sts_form = [("content-type", "application/x-www-form-urlencoded")];
    assert_eq!(run("POST", "127.0.0.1:9000", "/", "", &sts_form), Api::Sts);
    assert_eq!(
        run("POST", "sts.tencentcloudapi.com", "/", "", &[]),
        Api::Sts
    );
    assert_eq!(
        run(
            "GET",
            "examplebucket-1250000000.cos-website.ap-guangzhou.myqcloud.com",
            "/index.html",
            "",
            &[]
        ),
        Api::Website {
            bucket: BUCKET.into()
        }
    );
    assert_eq!(
        run("GET", "blog.web.local", "/", "", &[]),
        Api::Website {
            bucket: "blog".into()
        }
    );
    // On a virtual host, `/_cosd/...` and `/files/v2/...` are object keys.
    match run("GET", VHOST, "/_cosd/health", "", &[]) {
        Api::Xml { op, .. } => assert_eq!(op, Op::GetObject),
        other => panic!("{other:?}"),
    }
    match run("GET", VHOST, "/files/v2/x", "", &[]) {
        Api::Xml { op, .. } => assert_eq!(op, Op::GetObject),
        other => panic!("{other:?}"),
    }
}

#[test]
fn actions_and_names() {
    assert_eq!(Op::CopyObject.action(), "name/cos:PutObject");
    assert_eq!(Op::CopyObject.name(), "PutObjectCopy");
    let copy = Op::UploadPartCopy {
        upload: upload("u"),
        part: PartNumber::parse("1"),
    };
    assert_eq!(copy.action(), "name/cos:PutObject");
    assert_eq!(Op::GetBucketAcl.name(), "GetBucketACL");
    assert_eq!(Op::HeadObject.name(), "HeadObject");
    let o = Target::Object {
        bucket: BUCKET.into(),
        key: "a/b".into(),
    };
    assert_eq!(
        Op::GetObject.resource("ap-guangzhou", &o),
        "qcs::cos:ap-guangzhou:uid/1250000000:examplebucket-1250000000/a/b"
    );
    assert_eq!(
        Op::ListObjects.resource("ap-guangzhou", &Target::Bucket(BUCKET.into())),
        "qcs::cos:ap-guangzhou:uid/1250000000:examplebucket-1250000000/"
    );
    assert_eq!(
        Op::ListBuckets.resource("ap-guangzhou", &Target::Service),
        "*"
    );
}
