//! Every operation denies by default: anonymous callers, another account's root and a
//! sub-account without policies each get 403 for every operation on a private bucket, and
//! nothing they sent changes anything. The rows cover every `Op` the classifier produces
//! (checked against `Op::parse`), except the ones whose access rule is not the bucket's:
//! GET Service (lists the caller's own buckets), the CORS preflight (answered for anyone by the
//! bucket's CORS rules), POST Object (authorized by its form, `tests/post_object.rs`) and the
//! admin API (root keys only, `tests/access.rs`).

#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use cosd::api::request::op::Op;
use cosd::api::request::target::Target;
use std::collections::BTreeSet;

const SUB: &str = "200000000009";
const SUB_ID: &str = "AKIDnopolicies00000000000000000009";
const SUB_KEY: &str = "noPoliciesSecret0000000000000000009";
const OTHER_ID: &str = "AKIDotherTENANTkey00000000000000000";
const OTHER_KEY: &str = "otherTenantSecretKey0000000000000";

/// (method, key, query, headers, body)
type Row = (
    &'static str,
    Option<&'static str>,
    Vec<(&'static str, &'static str)>,
    Vec<(&'static str, String)>,
    Vec<u8>,
);

fn rows(upload_id: &str) -> Vec<Row> {
    let up = || -> &'static str { Box::leak(upload_id.to_string().into_boxed_str()) };
    let copy = || {
        vec![(
            "x-cos-copy-source",
            format!("{B}.cos.ap-guangzhou.myqcloud.com/obj"),
        )]
    };
    let none = Vec::new;
    let xml = |s: &str| s.as_bytes().to_vec();
    vec![
        ("PUT", None, vec![], none(), vec![]),
        ("HEAD", None, vec![], none(), vec![]),
        ("DELETE", None, vec![], none(), vec![]),
        ("GET", None, vec![("location", "")], none(), vec![]),
        ("GET", None, vec![], none(), vec![]),
        ("GET", None, vec![("list-type", "2")], none(), vec![]),
        (
            "POST",
            None,
            vec![("delete", "")],
            none(),
            xml("<Delete><Object><Key>obj</Key></Object></Delete>"),
        ),
        ("PUT", Some("obj"), vec![], none(), xml("overwritten")),
        ("PUT", Some("copy"), vec![], copy(), vec![]),
        ("GET", Some("obj"), vec![], none(), vec![]),
        ("HEAD", Some("obj"), vec![], none(), vec![]),
        ("DELETE", Some("obj"), vec![], none(), vec![]),
        ("POST", Some("mp"), vec![("uploads", "")], none(), vec![]),
        (
            "PUT",
            Some("mp"),
            vec![("partNumber", "2"), ("uploadId", up())],
            none(),
            xml("part"),
        ),
        (
            "PUT",
            Some("mp"),
            vec![("partNumber", "3"), ("uploadId", up())],
            copy(),
            vec![],
        ),
        (
            "POST",
            Some("mp"),
            vec![("uploadId", up())],
            none(),
            xml("<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>x</ETag></Part></CompleteMultipartUpload>"),
        ),
        ("DELETE", Some("mp"), vec![("uploadId", up())], none(), vec![]),
        ("GET", Some("mp"), vec![("uploadId", up())], none(), vec![]),
        ("GET", None, vec![("uploads", "")], none(), vec![]),
        (
            "POST",
            Some("app"),
            vec![("append", ""), ("position", "0")],
            none(),
            xml("appended"),
        ),
        ("GET", None, vec![("acl", "")], none(), vec![]),
        (
            "PUT",
            None,
            vec![("acl", "")],
            vec![("x-cos-acl", "public-read-write".to_string())],
            vec![],
        ),
        ("GET", Some("obj"), vec![("acl", "")], none(), vec![]),
        (
            "PUT",
            Some("obj"),
            vec![("acl", "")],
            vec![("x-cos-acl", "public-read".to_string())],
            vec![],
        ),
        ("GET", None, vec![("policy", "")], none(), vec![]),
        (
            "PUT",
            None,
            vec![("policy", "")],
            none(),
            xml(&format!(r#"{{"version":"2.0","statement":[{{"effect":"allow","principal":{{"qcs":["qcs::cam::anyone:anyone"]}},"action":["name/cos:*"],"resource":["qcs::cos:ap-guangzhou:uid/1250000000:{B}/*"]}}]}}"#)),
        ),
        ("DELETE", None, vec![("policy", "")], none(), vec![]),
        ("GET", None, vec![("tagging", "")], none(), vec![]),
        (
            "PUT",
            None,
            vec![("tagging", "")],
            none(),
            xml("<Tagging><TagSet><Tag><Key>k</Key><Value>v</Value></Tag></TagSet></Tagging>"),
        ),
        ("DELETE", None, vec![("tagging", "")], none(), vec![]),
        ("GET", None, vec![("cors", "")], none(), vec![]),
        (
            "PUT",
            None,
            vec![("cors", "")],
            none(),
            xml("<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>"),
        ),
        ("DELETE", None, vec![("cors", "")], none(), vec![]),
        ("GET", None, vec![("website", "")], none(), vec![]),
        (
            "PUT",
            None,
            vec![("website", "")],
            none(),
            xml("<WebsiteConfiguration><IndexDocument><Suffix>index.html</Suffix></IndexDocument></WebsiteConfiguration>"),
        ),
        ("DELETE", None, vec![("website", "")], none(), vec![]),
        ("GET", None, vec![("logging", "")], none(), vec![]),
        (
            "PUT",
            None,
            vec![("logging", "")],
            none(),
            xml(&format!("<BucketLoggingStatus><LoggingEnabled><TargetBucket>{B}</TargetBucket><TargetPrefix>x/</TargetPrefix></LoggingEnabled></BucketLoggingStatus>")),
        ),
        ("GET", None, vec![("lifecycle", "")], none(), vec![]),
        (
            "PUT",
            None,
            vec![("lifecycle", "")],
            none(),
            xml("<LifecycleConfiguration><Rule><ID>r</ID><Filter/><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule></LifecycleConfiguration>"),
        ),
        ("DELETE", None, vec![("lifecycle", "")], none(), vec![]),
        ("GET", None, vec![("notification", "")], none(), vec![]),
        (
            "PUT",
            None,
            vec![("notification", "")],
            none(),
            xml("<NotificationConfiguration/>"),
        ),
        ("GET", None, vec![("referer", "")], none(), vec![]),
        (
            "PUT",
            None,
            vec![("referer", "")],
            none(),
            xml("<RefererConfiguration><Status>Enabled</Status><RefererType>Black-List</RefererType><DomainList><Domain>*.example.com</Domain></DomainList></RefererConfiguration>"),
        ),
        ("DELETE", None, vec![("referer", "")], none(), vec![]),
        ("GET", None, vec![("inventory", "")], none(), vec![]),
        ("PATCH", Some("obj"), vec![], none(), vec![]),
        ("GET", None, vec![("versioning", "")], none(), vec![]),
        (
            "PUT",
            None,
            vec![("versioning", "")],
            none(),
            xml("<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>"),
        ),
        ("GET", None, vec![("versions", "")], none(), vec![]),
        ("GET", None, vec![("object-lock", "")], none(), vec![]),
        (
            "PUT",
            None,
            vec![("object-lock", "")],
            none(),
            xml("<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled></ObjectLockConfiguration>"),
        ),
        ("GET", Some("obj"), vec![("retention", "")], none(), vec![]),
        (
            "PUT",
            Some("obj"),
            vec![("retention", "")],
            none(),
            xml("<Retention><Mode>GOVERNANCE</Mode><RetainUntilDate>2099-01-01T00:00:00Z</RetainUntilDate></Retention>"),
        ),
        ("GET", Some("obj"), vec![("legal-hold", "")], none(), vec![]),
        ("GET", None, vec![("publicAccessBlock", "")], none(), vec![]),
        (
            "PUT",
            None,
            vec![("publicAccessBlock", "")],
            none(),
            xml("<PublicAccessBlockConfiguration><BlockPublicAcls>true</BlockPublicAcls></PublicAccessBlockConfiguration>"),
        ),
        ("DELETE", None, vec![("publicAccessBlock", "")], none(), vec![]),
        ("GET", None, vec![("ownershipControls", "")], none(), vec![]),
        (
            "PUT",
            None,
            vec![("ownershipControls", "")],
            none(),
            xml("<OwnershipControls><Rule><ObjectOwnership>BucketOwnerEnforced</ObjectOwnership></Rule></OwnershipControls>"),
        ),
        ("DELETE", None, vec![("ownershipControls", "")], none(), vec![]),
        (
            "GET",
            Some("obj"),
            vec![("attributes", "")],
            vec![("x-amz-object-attributes", "ETag".to_string())],
            vec![],
        ),
        (
            "PUT",
            Some("obj"),
            vec![("legal-hold", "")],
            none(),
            xml("<LegalHold><Status>ON</Status></LegalHold>"),
        ),
        ("GET", Some("obj"), vec![("tagging", "")], none(), vec![]),
        (
            "PUT",
            Some("obj"),
            vec![("tagging", "")],
            none(),
            xml("<Tagging><TagSet><Tag><Key>k</Key><Value>v</Value></Tag></TagSet></Tagging>"),
        ),
        ("DELETE", Some("obj"), vec![("tagging", "")], none(), vec![]),
        (
            "POST",
            Some("arc"),
            vec![("restore", "")],
            none(),
            xml("<RestoreRequest><Days>1</Days><CASJobParameters><Tier>Expedited</Tier></CASJobParameters></RestoreRequest>"),
        ),
    ]
}

/// Every operation but the excluded ones (see the module doc), as `Op` spells them.
const COVERED: &[&str] = &[
    "CreateBucket",
    "HeadBucket",
    "DeleteBucket",
    "GetBucketLocation",
    "ListObjects",
    "ListObjectsV2",
    "DeleteObjects",
    "PutObject",
    "CopyObject",
    "GetObject",
    "HeadObject",
    "DeleteObject",
    "InitiateMultipartUpload",
    "UploadPart",
    "UploadPartCopy",
    "CompleteMultipartUpload",
    "AbortMultipartUpload",
    "ListParts",
    "ListMultipartUploads",
    "AppendObject",
    "GetBucketAcl",
    "PutBucketAcl",
    "GetObjectAcl",
    "PutObjectAcl",
    "GetBucketPolicy",
    "PutBucketPolicy",
    "DeleteBucketPolicy",
    "GetBucketTagging",
    "PutBucketTagging",
    "DeleteBucketTagging",
    "GetBucketCors",
    "PutBucketCors",
    "DeleteBucketCors",
    "GetBucketWebsite",
    "PutBucketWebsite",
    "DeleteBucketWebsite",
    "GetBucketLogging",
    "PutBucketLogging",
    "GetBucketLifecycle",
    "PutBucketLifecycle",
    "DeleteBucketLifecycle",
    "GetBucketNotification",
    "PutBucketNotification",
    "GetBucketReferer",
    "PutBucketReferer",
    "DeleteBucketReferer",
    "GetBucketVersioning",
    "PutBucketVersioning",
    "ListObjectVersions",
    "GetObjectLockConfiguration",
    "PutObjectLockConfiguration",
    "GetObjectRetention",
    "PutObjectRetention",
    "GetObjectLegalHold",
    "PutObjectLegalHold",
    "GetPublicAccessBlock",
    "PutPublicAccessBlock",
    "DeletePublicAccessBlock",
    "GetBucketOwnershipControls",
    "PutBucketOwnershipControls",
    "DeleteBucketOwnershipControls",
    "GetObjectAttributes",
    "GetObjectTagging",
    "PutObjectTagging",
    "DeleteObjectTagging",
    "RestoreObject",
    "MethodNotAllowed",
    "NotImplemented(\"inventory\")",
];

fn op_of(row: &Row) -> Op {
    let target = match row.1 {
        None => Target::Bucket(B.to_string()),
        Some(k) => Target::Object {
            bucket: B.to_string(),
            key: k.to_string(),
        },
    };
    let query: Vec<(String, String)> = row
        .2
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Op::parse(
        row.0,
        &target,
        &query,
        !row.3.is_empty() && row.3[0].0 == "x-cos-copy-source",
    )
}

/// The variant's name (`UploadPart { upload: .. }` is `UploadPart`).
fn variant(op: &Op) -> String {
    let debug = format!("{op:?}");
    debug
        .split([' ', '{'])
        .next()
        .unwrap_or_default()
        .to_string()
}

/// What the owner sees of the bucket: every answer that an operation above could change.
async fn snapshot(c: &Client) -> Vec<(u16, Vec<u8>)> {
    let mut out = Vec::new();
    for (key, q) in [
        (None, ""),
        (None, "acl"),
        (None, "policy"),
        (None, "tagging"),
        (None, "cors"),
        (None, "website"),
        (None, "lifecycle"),
        (None, "logging"),
        (None, "notification"),
        (None, "referer"),
        (None, "uploads"),
        (None, "versioning"),
        (None, "versions"),
        (None, "object-lock"),
        (None, "publicAccessBlock"),
        (None, "ownershipControls"),
        (Some("obj"), ""),
        (Some("obj"), "acl"),
        (Some("obj"), "tagging"),
        (Some("app"), ""),
        (Some("copy"), ""),
        // Readable only after a restore (immediate here: restore_expedited_secs = 0).
        (Some("arc"), ""),
    ] {
        let mut r = Req::new("GET", Some(B), key.unwrap_or(""));
        if !q.is_empty() {
            r = r.q(q, "");
        }
        let resp = c.send(r).await;
        // Request ids differ between answers: compare the status and the body without them.
        let body = String::from_utf8_lossy(&resp.body)
            .split("<RequestId>")
            .next()
            .unwrap_or_default()
            .as_bytes()
            .to_vec();
        out.push((resp.status, body));
    }
    out
}

#[tokio::test]
async fn every_operation_denies_anonymous_callers_other_accounts_and_policyless_sub_accounts() {
    let s = TestServer::start_with(|cfg| {
        cfg.accounts.push(cosd::config::AccountDecl {
            uin: "100000000002".into(),
            appid: "1250000001".into(),
            secret_id: OTHER_ID.into(),
            secret_key: OTHER_KEY.into(),
        });
        cfg.restore_expedited_secs = 0;
    })
    .await;
    let owner = s.client();
    owner.create_bucket(B).await;
    assert_eq!(owner.put(B, "obj", b"original").await.status, 200);
    let archived = Req::new("PUT", Some(B), "arc")
        .h("x-cos-storage-class", "ARCHIVE")
        .body(b"archived".to_vec());
    assert_eq!(owner.send(archived).await.status, 200);
    owner.add_sub_account(SUB, SUB_ID, SUB_KEY).await;
    let init = owner
        .send(Req::new("POST", Some(B), "mp").q("uploads", ""))
        .await;
    let upload_id = init.xml("UploadId").unwrap();
    let part = owner
        .send(
            Req::new("PUT", Some(B), "mp")
                .q("partNumber", "1")
                .q("uploadId", &upload_id)
                .body(b"first part".to_vec()),
        )
        .await;
    assert_eq!(part.status, 200);
    let rows = rows(&upload_id);

    let covered: BTreeSet<String> = rows.iter().map(|r| variant(&op_of(r))).collect();
    let want: BTreeSet<String> = COVERED.iter().map(|s| s.to_string()).collect();
    assert_eq!(covered, want, "the rows cover every operation");

    let before = snapshot(&owner).await;
    let mut other = s.client();
    other.sid = OTHER_ID.into();
    other.skey = OTHER_KEY.into();
    let mut sub = s.client();
    sub.sid = SUB_ID.into();
    sub.skey = SUB_KEY.into();
    let mut failures = Vec::new();
    for (who, client, anonymous) in [
        ("anonymous", &owner, true),
        ("another account", &other, false),
        ("a sub-account without policies", &sub, false),
    ] {
        for row in &rows {
            let (method, key, query, headers, body) = row;
            let mut r = Req::new(method, Some(B), key.unwrap_or(""));
            for (k, v) in query {
                r = r.q(k, v);
            }
            for (k, v) in headers {
                r = r.h(k, v);
            }
            r = r.body(body.clone());
            if anonymous {
                r = r.anonymous();
            }
            let resp = client.send(r).await;
            let op = op_of(row);
            let ok = match op {
                // 405 names only the method; it says nothing about the bucket.
                Op::MethodNotAllowed => resp.status == 405 || resp.status == 403,
                // Multi-delete answers per key, as S3 does: every key refused.
                Op::DeleteObjects => {
                    resp.status == 200
                        && resp.code() == "AccessDenied"
                        && !resp.text().contains("<Deleted>")
                }
                _ => resp.status == 403,
            };
            if !ok {
                failures.push(format!(
                    "{who}: {op:?} answered {} {}",
                    resp.status,
                    resp.text()
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(snapshot(&owner).await, before, "nothing changed");
}
