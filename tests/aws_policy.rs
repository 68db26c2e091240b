//! AWS-syntax bucket policies end to end: stored as written, refused with MalformedPolicy when
//! cosd cannot evaluate them, and enforced element by element (Principal, NotPrincipal,
//! Action/NotAction, Resource/NotResource, condition keys) for `aws-sdk-s3` (SigV4), q-sign and
//! unsigned requests. docs/aws-policies.md is the mapping.

#![allow(clippy::unwrap_used)]

mod common;

use aws_sdk_s3::error::ProvideErrorMetadata;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{BucketVersioningStatus, VersioningConfiguration};
use aws_sdk_s3::Client as S3;
use common::*;

const ROOT: &str = "100000000001";
const SUB: &str = "200000000001";
const SUB_ID: &str = "AKIDsubaccount000000000000000001";
const SUB_KEY: &str = "subSecretKey000000000000000000001";
const SUB2: &str = "200000000002";
const SUB2_ID: &str = "AKIDsubaccount000000000000000002";
const SUB2_KEY: &str = "subSecretKey000000000000000000002";
const OTHER: &str = "300000000001";
const OTHER_ID: &str = "AKIDotherroot0000000000000000001";
const OTHER_KEY: &str = "otherRootKey0000000000000000001";

fn s3(server: &TestServer, key: &str, secret: &str) -> S3 {
    s3_client(server.addr, key, secret, None)
}

fn code<E: ProvideErrorMetadata>(e: &E) -> String {
    e.code().unwrap_or_default().to_string()
}

fn aws(statements: &str) -> String {
    format!(r#"{{"Version":"2012-10-17","Statement":[{statements}]}}"#)
}

/// A server with bucket `B`, two sub-accounts of the owner and another root account.
async fn start() -> (TestServer, Client) {
    let server = TestServer::start_with(|cfg| {
        cfg.accounts = vec![cosd::config::AccountDecl {
            uin: OTHER.into(),
            appid: "1250000009".into(),
            secret_id: OTHER_ID.into(),
            secret_key: OTHER_KEY.into(),
        }];
    })
    .await;
    let c = server.client();
    c.create_bucket(B).await;
    c.add_sub_account(SUB, SUB_ID, SUB_KEY).await;
    c.add_sub_account(SUB2, SUB2_ID, SUB2_KEY).await;
    (server, c)
}

async fn put_policy(c: &Client, doc: &str) -> Resp {
    c.send(
        Req::new("PUT", Some(B), "")
            .q("policy", "")
            .body(doc.as_bytes().to_vec()),
    )
    .await
}

async fn set_policy(c: &Client, doc: &str) {
    let r = put_policy(c, doc).await;
    assert_eq!(r.status, 204, "{doc}: {}", r.text());
}

fn anon<'a>(method: &'a str, key: &str) -> Req<'a> {
    Req::new(method, Some(B), key).anonymous()
}

async fn status(c: &Client, r: Req<'_>) -> u16 {
    c.send(r).await.status
}

async fn get_as(client: &S3, key: &str) -> Result<(), String> {
    client
        .get_object()
        .bucket(B)
        .key(key)
        .send()
        .await
        .map(|_| ())
        .map_err(|e| code(&e.into_service_error()))
}

#[tokio::test]
async fn stored_as_written_and_malformed_policies_change_nothing() {
    let (server, c) = start().await;
    let root = s3(&server, SID, SKEY);
    let doc = aws(&format!(
        r#"{{"Sid":"PublicRead","Effect":"Allow","Principal":"*","Action":["s3:GetObject"],"Resource":["arn:aws:s3:::{B}/pub/*"]}}"#
    ));
    root.put_bucket_policy()
        .bucket(B)
        .policy(&doc)
        .send()
        .await
        .unwrap();
    let got = root.get_bucket_policy().bucket(B).send().await.unwrap();
    assert_eq!(got.policy(), Some(doc.as_str()));
    // COS clients get the AWS document as written too (COS's reshaping is for CAM).
    let r = c.send(Req::new("GET", Some(B), "").q("policy", "")).await;
    assert_eq!(r.text(), doc);

    let b = B;
    for (bad, needle) in [
        (
            aws(&format!(
                r#"{{"Effect":"Allow","Principal":"*","Action":"s3:GetObjekt","Resource":"arn:aws:s3:::{b}/*"}}"#
            )),
            "s3:GetObjekt",
        ),
        (
            aws(&format!(
                r#"{{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::{b}/*"}}"#
            )),
            "Principal",
        ),
        (
            aws(
                r#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::someone-elses-bucket/*"}"#,
            ),
            "invalid resource",
        ),
        (
            aws(&format!(
                r#"{{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::{b}/${{aws:username}}/*"}}"#
            )),
            "policy variable",
        ),
        (
            aws(&format!(
                r#"{{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::{b}/*","Condition":{{"StringEquals":{{"aws:SourceVpce":"vpce-1"}}}}}}"#
            )),
            "aws:SourceVpce",
        ),
        (
            aws(&format!(
                r#"{{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::{b}/*","Condition":{{"StringEqualsSometimes":{{"s3:prefix":"a"}}}}}}"#
            )),
            "StringEqualsSometimes",
        ),
        (
            aws(&format!(
                r#"{{"Effect":"Allow","Principal":{{"Service":"cloudtrail.amazonaws.com"}},"Action":"s3:GetObject","Resource":"arn:aws:s3:::{b}/*"}}"#
            )),
            "Service",
        ),
        (
            aws(&format!(
                r#"{{"Effect":"Permit","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::{b}/*"}}"#
            )),
            "Permit",
        ),
        (
            "{\"Version\":\"2012-10-17\",\"Statement\":[".to_string(),
            "JSON",
        ),
    ] {
        let r = put_policy(&c, &bad).await;
        assert_eq!(r.status, 400, "{bad}: {}", r.text());
        assert_eq!(r.code(), "MalformedPolicy", "{bad}");
        let msg = r.xml("Message").unwrap_or_default();
        assert!(
            msg.contains(needle),
            "{bad}: message {msg:?} lacks {needle:?}"
        );
        let e = root
            .put_bucket_policy()
            .bucket(B)
            .policy(&bad)
            .send()
            .await
            .unwrap_err();
        assert_eq!(code(&e.into_service_error()), "MalformedPolicy");
        // Nothing stored changed.
        let got = root.get_bucket_policy().bucket(B).send().await.unwrap();
        assert_eq!(got.policy(), Some(doc.as_str()));
    }
    c.put(B, "pub/a", b"a").await;
    assert_eq!(status(&c, anon("GET", "pub/a")).await, 200);
    server.stop().await;
}

#[tokio::test]
async fn principals_and_not_principal() {
    let (server, c) = start().await;
    c.put(B, "doc/a", b"a").await;
    let sub = s3(&server, SUB_ID, SUB_KEY);
    let sub2 = s3(&server, SUB2_ID, SUB2_KEY);
    let other = s3(&server, OTHER_ID, OTHER_KEY);
    let arn = format!("arn:aws:s3:::{B}/doc/*");
    let grant = |principal: &str| {
        aws(&format!(
            r#"{{"Effect":"Allow","Principal":{principal},"Action":"s3:GetObject","Resource":"{arn}"}}"#
        ))
    };
    let cases: Vec<(String, [bool; 4])> = vec![
        // (policy, [anonymous, SUB, SUB2, OTHER root])
        (grant(r#""*""#), [true, true, true, true]),
        (grant(r#"{"AWS":"*"}"#), [true, true, true, true]),
        (
            grant(&format!(r#"{{"AWS":"arn:aws:iam::{ROOT}:user/{SUB}"}}"#)),
            [false, true, false, false],
        ),
        (
            grant(&format!(r#"{{"AWS":["{SUB2_ID}"]}}"#)),
            [false, false, true, false],
        ),
        (
            grant(&format!(r#"{{"AWS":"{OTHER}"}}"#)),
            [false, false, false, true],
        ),
        (
            grant(&format!(r#"{{"AWS":"arn:aws:iam::{OTHER}:root"}}"#)),
            [false, false, false, true],
        ),
    ];
    for (doc, want) in cases {
        set_policy(&c, &doc).await;
        let got = [
            status(&c, anon("GET", "doc/a")).await == 200,
            get_as(&sub, "doc/a").await.is_ok(),
            get_as(&sub2, "doc/a").await.is_ok(),
            get_as(&other, "doc/a").await.is_ok(),
        ];
        assert_eq!(got, want, "{doc}");
    }
    // NotPrincipal with Deny: everyone but SUB (with its account, as AWS requires) is denied,
    // even with an allow for everyone.
    set_policy(
        &c,
        &aws(&format!(
            r#"{{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"{arn}"}},{{"Effect":"Deny","NotPrincipal":{{"AWS":["arn:aws:iam::{ROOT}:root","arn:aws:iam::{ROOT}:user/{SUB}"]}},"Action":"s3:*","Resource":"{arn}"}}"#
        )),
    )
    .await;
    assert_eq!(status(&c, anon("GET", "doc/a")).await, 403);
    assert!(get_as(&sub, "doc/a").await.is_ok());
    assert_eq!(get_as(&sub2, "doc/a").await, Err("AccessDenied".into()));
    assert_eq!(get_as(&other, "doc/a").await, Err("AccessDenied".into()));
    // The owner itself is excluded (and owns the bucket).
    assert_eq!(c.get(B, "doc/a").await.status, 200);
    server.stop().await;
}

#[tokio::test]
async fn actions_resources_and_explicit_deny() {
    let (server, c) = start().await;
    for k in ["pub/a", "priv/b"] {
        c.put(B, k, b"x").await;
    }
    let sub = s3(&server, SUB_ID, SUB_KEY);
    let list = || anon("GET", "");
    // s3:GetObject does not list; s3:ListBucket on the bucket ARN does, not on bucket/*.
    set_policy(&c, &aws(&format!(r#"{{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::{B}/*"}}"#))).await;
    assert_eq!(status(&c, anon("GET", "priv/b")).await, 200);
    assert_eq!(status(&c, anon("HEAD", "priv/b")).await, 200);
    assert_eq!(status(&c, list()).await, 403);
    assert_eq!(
        status(&c, anon("PUT", "new").body(b"x".to_vec())).await,
        403
    );
    set_policy(&c, &aws(&format!(r#"{{"Effect":"Allow","Principal":"*","Action":"s3:ListBucket","Resource":"arn:aws:s3:::{B}/*"}}"#))).await;
    assert_eq!(status(&c, list()).await, 403);
    set_policy(&c, &aws(&format!(r#"{{"Effect":"Allow","Principal":"*","Action":"s3:ListBucket","Resource":"arn:aws:s3:::{B}"}}"#))).await;
    assert_eq!(status(&c, list()).await, 200);
    assert_eq!(status(&c, anon("HEAD", "")).await, 200);
    assert_eq!(status(&c, anon("GET", "pub/a")).await, 403);

    // NotAction: everything but deleting and writing; NotResource: a deny outside pub/.
    set_policy(
        &c,
        &aws(&format!(
            r#"{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{ROOT}:user/{SUB}"}},"NotAction":["s3:DeleteObject","s3:PutObject"],"Resource":["arn:aws:s3:::{B}","arn:aws:s3:::{B}/*"]}},{{"Sid":"OnlyPub","Effect":"Deny","Principal":"*","Action":"s3:GetObject","NotResource":"arn:aws:s3:::{B}/pub/*"}}"#
        )),
    )
    .await;
    assert!(get_as(&sub, "pub/a").await.is_ok());
    assert_eq!(get_as(&sub, "priv/b").await, Err("AccessDenied".into()));
    sub.list_objects_v2().bucket(B).send().await.unwrap();
    let e = sub
        .put_object()
        .bucket(B)
        .key("pub/new")
        .body(ByteStream::from_static(b"n"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e.into_service_error()), "AccessDenied");
    let e = sub
        .delete_object()
        .bucket(B)
        .key("pub/a")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e.into_service_error()), "AccessDenied");
    // Explicit deny binds the owner's root too for objects.
    assert_eq!(c.get(B, "priv/b").await.status, 403);
    assert_eq!(c.get(B, "pub/a").await.status, 200);

    // s3:PutObject covers multipart uploads.
    set_policy(&c, &aws(&format!(r#"{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{ROOT}:user/{SUB}"}},"Action":"s3:PutObject","Resource":"arn:aws:s3:::{B}/up/*"}}"#))).await;
    let up = sub
        .create_multipart_upload()
        .bucket(B)
        .key("up/m")
        .send()
        .await
        .unwrap();
    let part = sub
        .upload_part()
        .bucket(B)
        .key("up/m")
        .upload_id(up.upload_id().unwrap())
        .part_number(1)
        .body(ByteStream::from_static(b"part"))
        .send()
        .await
        .unwrap();
    sub.complete_multipart_upload()
        .bucket(B)
        .key("up/m")
        .upload_id(up.upload_id().unwrap())
        .multipart_upload(
            aws_sdk_s3::types::CompletedMultipartUpload::builder()
                .parts(
                    aws_sdk_s3::types::CompletedPart::builder()
                        .part_number(1)
                        .e_tag(part.e_tag().unwrap())
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(c.get(B, "up/m").await.text(), "part");
    server.stop().await;
}

#[tokio::test]
async fn object_versions_are_their_own_actions() {
    let (server, c) = start().await;
    let root = s3(&server, SID, SKEY);
    root.put_bucket_versioning()
        .bucket(B)
        .versioning_configuration(
            VersioningConfiguration::builder()
                .status(BucketVersioningStatus::Enabled)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let v1 = c.put(B, "k", b"one").await;
    let v1 = v1.header("x-cos-version-id").unwrap().to_string();
    c.put(B, "k", b"two").await;
    let versioned = || anon("GET", "k").q("versionId", &v1);
    let allow = |action: &str| {
        aws(&format!(
            r#"{{"Effect":"Allow","Principal":"*","Action":"{action}","Resource":"arn:aws:s3:::{B}/k"}}"#
        ))
    };
    set_policy(&c, &allow("s3:GetObject")).await;
    assert_eq!(status(&c, anon("GET", "k")).await, 200);
    assert_eq!(status(&c, versioned()).await, 403);
    set_policy(&c, &allow("s3:GetObjectVersion")).await;
    assert_eq!(status(&c, anon("GET", "k")).await, 403);
    let r = c.send(versioned()).await;
    assert_eq!((r.status, r.text()), (200, "one".to_string()));
    set_policy(&c, &allow("s3:ListBucketVersions")).await;
    assert_eq!(
        status(&c, anon("GET", "").q("versions", "")).await,
        403,
        "bucket ARN only"
    );
    set_policy(
        &c,
        &aws(&format!(
            r#"{{"Effect":"Allow","Principal":"*","Action":"s3:ListBucketVersions","Resource":"arn:aws:s3:::{B}"}}"#
        )),
    )
    .await;
    assert_eq!(status(&c, anon("GET", "").q("versions", "")).await, 200);
    assert_eq!(status(&c, anon("GET", "")).await, 403, "not s3:ListBucket");
    server.stop().await;
}

#[tokio::test]
async fn condition_keys() {
    let (server, c) = start().await;
    c.put(B, "home/a", b"a").await;
    let sub = s3(&server, SUB_ID, SUB_KEY);
    let sub2 = s3(&server, SUB2_ID, SUB2_KEY);
    let cond = |action: &str, resource: &str, condition: &str| {
        aws(&format!(
            r#"{{"Effect":"Allow","Principal":"*","Action":"{action}","Resource":"arn:aws:s3:::{B}{resource}","Condition":{condition}}}"#
        ))
    };
    let get = |c: &str| cond("s3:GetObject", "/*", c);
    // (policy, anonymous GET home/a allowed)
    for (doc, want) in [
        (get(r#"{"IpAddress":{"aws:SourceIp":"127.0.0.0/8"}}"#), true),
        (
            get(r#"{"IpAddress":{"aws:SourceIp":["10.0.0.0/8","::1/128"]}}"#),
            false,
        ),
        (
            get(r#"{"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}}"#),
            true,
        ),
        (get(r#"{"Bool":{"aws:SecureTransport":"false"}}"#), true),
        (get(r#"{"Bool":{"aws:SecureTransport":"true"}}"#), false),
        (
            get(r#"{"DateGreaterThan":{"aws:CurrentTime":"2020-01-01T00:00:00Z"}}"#),
            true,
        ),
        (
            get(r#"{"DateLessThan":{"aws:CurrentTime":"2020-01-01T00:00:00Z"}}"#),
            false,
        ),
        (get(r#"{"StringEquals":{"aws:userid":"anonymous"}}"#), true),
        (
            get(r#"{"StringEquals":{"s3:ExistingObjectTag/public":"yes"}}"#),
            false,
        ),
        (
            get(r#"{"StringNotEqualsIfExists":{"s3:ExistingObjectTag/secret":"yes"}}"#),
            true,
        ),
        (
            get(r#"{"StringLike":{"aws:UserAgent":"*reqwest*"}}"#),
            false,
        ),
    ] {
        set_policy(&c, &doc).await;
        assert_eq!(
            status(&c, anon("GET", "home/a")).await == 200,
            want,
            "{doc}"
        );
    }
    // Listing parameters.
    let list = |c: &str| cond("s3:ListBucket", "", c);
    set_policy(&c, &list(r#"{"StringLike":{"s3:prefix":"home/*"},"StringEquals":{"s3:delimiter":"/"},"NumericLessThanEquals":{"s3:max-keys":"100"}}"#)).await;
    let listing = |prefix: &str, delim: &str, max: &str| {
        let mut r = anon("GET", "");
        for (k, v) in [("prefix", prefix), ("delimiter", delim), ("max-keys", max)] {
            if !v.is_empty() {
                r = r.q(k, v);
            }
        }
        r
    };
    assert_eq!(status(&c, listing("home/", "/", "10")).await, 200);
    assert_eq!(status(&c, listing("etc/", "/", "10")).await, 403);
    assert_eq!(status(&c, listing("home/", "", "10")).await, 403);
    assert_eq!(status(&c, listing("home/", "/", "1000")).await, 403);
    assert_eq!(status(&c, listing("", "/", "10")).await, 403);

    // aws:username: each sub-account to its own folder.
    set_policy(&c, &aws(&format!(r#"{{"Effect":"Allow","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::{B}/home/*","Condition":{{"StringEquals":{{"aws:username":"{SUB}"}}}}}}"#))).await;
    let put = |client: &S3, key: &str| {
        let req = client
            .put_object()
            .bucket(B)
            .key(key)
            .body(ByteStream::from_static(b"x"));
        async move {
            req.send()
                .await
                .map(|_| ())
                .map_err(|e| code(&e.into_service_error()))
        }
    };
    assert!(put(&sub, "home/x").await.is_ok());
    assert_eq!(put(&sub2, "home/x").await, Err("AccessDenied".into()));
    assert_eq!(
        status(&c, anon("PUT", "home/x").body(b"x".to_vec())).await,
        403
    );

    // s3:x-amz-acl, s3:x-amz-server-side-encryption (Null), s3:RequestObjectTag/<k>,
    // s3:signatureversion: a sub-account may write only like this.
    set_policy(
        &c,
        &aws(&format!(
            r#"{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{ROOT}:user/{SUB}"}},"Action":"s3:PutObject","Resource":"arn:aws:s3:::{B}/*"}},{{"Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::{B}/*","Condition":{{"StringEquals":{{"s3:x-amz-acl":"public-read"}}}}}},{{"Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::{B}/enc/*","Condition":{{"Null":{{"s3:x-amz-server-side-encryption":"true"}}}}}},{{"Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::{B}/tagged/*","Condition":{{"StringNotEquals":{{"s3:RequestObjectTag/env":"prod"}}}}}},{{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::{B}/v4/*","Condition":{{"StringNotEquals":{{"s3:signatureversion":"AWS4-HMAC-SHA256"}}}}}}"#
        )),
    )
    .await;
    assert!(put(&sub, "plain").await.is_ok());
    let e = sub
        .put_object()
        .bucket(B)
        .key("open")
        .acl(aws_sdk_s3::types::ObjectCannedAcl::PublicRead)
        .body(ByteStream::from_static(b"x"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e.into_service_error()), "AccessDenied");
    sub.put_object()
        .bucket(B)
        .key("closed")
        .acl(aws_sdk_s3::types::ObjectCannedAcl::Private)
        .body(ByteStream::from_static(b"x"))
        .send()
        .await
        .unwrap();
    assert_eq!(put(&sub, "enc/a").await, Err("AccessDenied".into()));
    let enc = sub
        .put_object()
        .bucket(B)
        .key("enc/a")
        .server_side_encryption(aws_sdk_s3::types::ServerSideEncryption::Aes256)
        .body(ByteStream::from_static(b"x"))
        .send()
        .await;
    assert_ne!(
        enc.map_err(|e| code(&e.into_service_error()))
            .err()
            .as_deref(),
        Some("AccessDenied"),
        "the header satisfies the policy"
    );
    assert_eq!(put(&sub, "tagged/a").await, Err("AccessDenied".into()));
    let tagged = sub
        .put_object()
        .bucket(B)
        .key("tagged/a")
        .tagging("env=prod")
        .body(ByteStream::from_static(b"x"))
        .send()
        .await;
    assert_ne!(
        tagged
            .map_err(|e| code(&e.into_service_error()))
            .err()
            .as_deref(),
        Some("AccessDenied")
    );
    // SigV4 passes; the owner's q-sign request (a COS signature) is denied there.
    assert!(put(&sub, "v4/a").await.is_ok());
    assert_eq!(c.get(B, "v4/a").await.status, 403);
    assert_eq!(c.get(B, "plain").await.status, 200);
    server.stop().await;
}

#[tokio::test]
async fn simulator_explains_aws_policies_and_cam_still_works() {
    let (server, c) = start().await;
    set_policy(
        &c,
        &aws(&format!(
            r#"{{"Sid":"OfficeOnly","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::{B}/*","Condition":{{"IpAddress":{{"aws:SourceIp":"10.0.0.0/8"}}}}}}"#
        )),
    )
    .await;
    let sim = |ip: &str| {
        format!(
            r#"{{"principal":"*","action":"s3:GetObject","resource":"arn:aws:s3:::{B}/a","conditions":{{"aws:SourceIp":"{ip}"}}}}"#
        )
    };
    let r = c.admin("POST", "simulate", &sim("10.1.2.3")).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(v["decision"], "allow", "{v}");
    assert_eq!(v["sid"], "OfficeOnly", "{v}");
    assert_eq!(v["statement"], 0);
    assert_eq!(v["bucket_policy_language"], "aws");
    assert_eq!(v["action"], "name/cos:GetObject");
    assert!(v["reason"].as_str().unwrap().contains("OfficeOnly"), "{v}");
    let r = c.admin("POST", "simulate", &sim("8.8.8.8")).await;
    let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(v["decision"], "deny", "{v}");

    // The same bucket back on CAM: CAM's behaviour and GET shape are unchanged.
    let cam = format!(
        r#"{{"version":"2.0","statement":[{{"principal":{{"qcs":["qcs::cam::anyone:anyone"]}},"effect":"allow","action":["name/cos:GetObject"],"resource":["qcs::cos:{REGION}:uid/1250000000:{B}/*"]}}]}}"#
    );
    set_policy(&c, &cam).await;
    c.put(B, "x", b"x").await;
    assert_eq!(status(&c, anon("GET", "x")).await, 200);
    let r = c.send(Req::new("GET", Some(B), "").q("policy", "")).await;
    assert!(
        r.text()
            .starts_with(r#"{"Statement":[{"Action":["name/cos:GetObject"]"#),
        "{}",
        r.text()
    );
    let r = c
        .admin(
            "POST",
            "simulate",
            &format!(r#"{{"principal":"*","action":"name/cos:GetObject","resource":"qcs::cos:{REGION}:uid/1250000000:{B}/x"}}"#),
        )
        .await;
    let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(
        (v["decision"].as_str(), v["bucket_policy_language"].as_str()),
        (Some("allow"), Some("cam")),
        "{v}"
    );
    server.stop().await;
}
