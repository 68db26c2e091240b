//! Access control end to end with real clients: sub-accounts made through the admin API,
//! user policies, bucket policies and ACLs, driven with `aws-sdk-s3` (SigV4) and the q-sign
//! client, plus unsigned requests for anonymous access.

#![allow(clippy::unwrap_used)]

mod common;

use aws_sdk_s3::error::ProvideErrorMetadata;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{BucketCannedAcl, Delete, ObjectIdentifier, Permission};
use aws_sdk_s3::Client as S3;
use common::*;

const SUB: &str = "200000000001";
const SUB_ID: &str = "AKIDsubaccount000000000000000001";
const SUB_KEY: &str = "subSecretKey000000000000000000001";

fn s3(server: &TestServer, key: &str, secret: &str) -> S3 {
    s3_client(server.addr, key, secret, None)
}

fn policy(effect: &str, actions: &[&str], resources: &[String], extra: &str) -> String {
    let q = |v: &[String]| {
        v.iter()
            .map(|s| format!("\"{s}\""))
            .collect::<Vec<_>>()
            .join(",")
    };
    let actions: Vec<String> = actions.iter().map(|a| format!("name/cos:{a}")).collect();
    format!(
        r#"{{"version":"2.0","statement":[{{"effect":"{effect}","action":[{}],"resource":[{}]{extra}}}]}}"#,
        q(&actions),
        q(resources)
    )
}

fn res(bucket: &str, key: &str) -> String {
    format!("qcs::cos:{REGION}:uid/1250000000:{bucket}/{key}")
}

async fn setup_sub(c: &Client) {
    c.add_sub_account(SUB, SUB_ID, SUB_KEY).await;
}

fn code<E: ProvideErrorMetadata>(e: &E) -> String {
    e.code().unwrap_or_default().to_string()
}

#[tokio::test]
async fn sub_accounts_get_exactly_what_their_policies_grant() {
    let (server, c) = setup().await;
    setup_sub(&c).await;
    c.put(B, "doc/a.txt", b"doc").await;
    c.put(B, "secret/b.txt", b"secret").await;
    let sub = s3(&server, SUB_ID, SUB_KEY);

    // No policy: nothing.
    let e = sub
        .get_object()
        .bucket(B)
        .key("doc/a.txt")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e.into_service_error()), "AccessDenied");

    // A prefix-scoped grant with an explicit deny on part of it.
    let allow = policy(
        "allow",
        &["GetObject", "PutObject", "GetBucket"],
        &[res(B, "*"), res(B, "")],
        "",
    );
    let r = c
        .admin("PUT", &format!("users/{SUB}/policies/rw"), &allow)
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let deny = policy("deny", &["*"], &[res(B, "secret/*")], "");
    assert_eq!(
        c.admin("PUT", &format!("users/{SUB}/policies/no-secret"), &deny)
            .await
            .status,
        200
    );

    let got = sub
        .get_object()
        .bucket(B)
        .key("doc/a.txt")
        .send()
        .await
        .unwrap();
    assert_eq!(
        got.body.collect().await.unwrap().into_bytes().as_ref(),
        b"doc"
    );
    sub.put_object()
        .bucket(B)
        .key("doc/new")
        .body(ByteStream::from_static(b"x"))
        .send()
        .await
        .unwrap();
    let e = sub
        .get_object()
        .bucket(B)
        .key("secret/b.txt")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e.into_service_error()), "AccessDenied");
    let e = sub
        .delete_object()
        .bucket(B)
        .key("doc/a.txt")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        code(&e.into_service_error()),
        "AccessDenied",
        "DeleteObject was never granted"
    );
    sub.list_objects_v2().bucket(B).send().await.unwrap();

    // Copy needs GetObject on the source: allowed from doc/, denied from secret/.
    sub.copy_object()
        .bucket(B)
        .key("doc/copy")
        .copy_source(format!("{B}/doc/a.txt"))
        .send()
        .await
        .unwrap();
    let e = sub
        .copy_object()
        .bucket(B)
        .key("doc/copy2")
        .copy_source(format!("{B}/secret/b.txt"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e.into_service_error()), "AccessDenied");

    // Multi-object delete is decided per key.
    let allow_del = policy("allow", &["DeleteObject"], &[res(B, "doc/*")], "");
    assert_eq!(
        c.admin("PUT", &format!("users/{SUB}/policies/del"), &allow_del)
            .await
            .status,
        200
    );
    let ids =
        ["doc/new", "secret/b.txt"].map(|k| ObjectIdentifier::builder().key(k).build().unwrap());
    let out = sub
        .delete_objects()
        .bucket(B)
        .delete(
            Delete::builder()
                .set_objects(Some(ids.to_vec()))
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(out.deleted().len(), 1);
    assert_eq!(out.errors()[0].key(), Some("secret/b.txt"));
    assert_eq!(out.errors()[0].code(), Some("AccessDenied"));
    assert_eq!(
        c.get(B, "secret/b.txt").await.status,
        200,
        "the denied key survives"
    );

    // Disabling the key, then deleting the user, cuts access off.
    let r = c
        .admin("PUT", &format!("keys/{SUB_ID}"), r#"{"enabled":false}"#)
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let e = sub
        .get_object()
        .bucket(B)
        .key("doc/a.txt")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e.into_service_error()), "InvalidAccessKeyId");
    assert_eq!(
        c.admin("PUT", &format!("keys/{SUB_ID}"), r#"{"enabled":true}"#)
            .await
            .status,
        200
    );
    sub.get_object()
        .bucket(B)
        .key("doc/a.txt")
        .send()
        .await
        .unwrap();
    assert_eq!(
        c.admin("DELETE", &format!("users/{SUB}"), "").await.status,
        204
    );
    let e = sub
        .get_object()
        .bucket(B)
        .key("doc/a.txt")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e.into_service_error()), "InvalidAccessKeyId");
    server.stop().await;
}

#[tokio::test]
async fn conditions_see_the_client_address_and_the_upload_size() {
    let (server, c) = setup().await;
    setup_sub(&c).await;
    let sub = s3(&server, SUB_ID, SUB_KEY);
    let limited = policy(
        "allow",
        &["PutObject"],
        &[res(B, "*")],
        r#","condition":{"numeric_less_than_equal":{"cos:content-length":10},"ip_equal":{"qcs:ip":["127.0.0.0/8"]}}"#,
    );
    assert_eq!(
        c.admin("PUT", &format!("users/{SUB}/policies/small"), &limited)
            .await
            .status,
        200
    );
    sub.put_object()
        .bucket(B)
        .key("ten")
        .body(ByteStream::from_static(b"0123456789"))
        .send()
        .await
        .unwrap();
    let e = sub
        .put_object()
        .bucket(B)
        .key("eleven")
        .body(ByteStream::from_static(b"0123456789A"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e.into_service_error()), "AccessDenied");

    // The same grant from another network does not apply to us.
    let elsewhere = limited.replace("127.0.0.0/8", "10.0.0.0/8");
    assert_eq!(
        c.admin("PUT", &format!("users/{SUB}/policies/small"), &elsewhere)
            .await
            .status,
        200
    );
    let e = sub
        .put_object()
        .bucket(B)
        .key("ten")
        .body(ByteStream::from_static(b"0123456789"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e.into_service_error()), "AccessDenied");

    // The simulator explains the decision.
    let r = c.admin("POST",
        "simulate",
        &format!(
            r#"{{"uin":"{SUB}","action":"name/cos:PutObject","resource":"{}","conditions":{{"qcs:ip":"10.1.2.3","cos:content-length":5}}}}"#,
            res(B, "x")
        ),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(r.text().contains(r#""decision":"allow""#), "{}", r.text());
    assert!(r.text().contains("small"), "names the policy: {}", r.text());
    server.stop().await;
}

#[tokio::test]
async fn bucket_policies_and_acls_through_the_s3_sdk() {
    let (server, c) = setup().await;
    setup_sub(&c).await;
    let root = s3(&server, SID, SKEY);
    let sub = s3(&server, SUB_ID, SUB_KEY);
    c.put(B, "pub/a.txt", b"public").await;
    c.put(B, "priv/b.txt", b"private").await;
    let anon = |key: &str| Req::new("GET", Some(B), key).anonymous();

    let e = root.get_bucket_policy().bucket(B).send().await.unwrap_err();
    assert_eq!(code(&e.into_service_error()), "NoSuchBucketPolicy");
    assert_eq!(c.send(anon("pub/a.txt")).await.status, 403);

    let doc = format!(
        r#"{{"version":"2.0","statement":[{{"principal":{{"qcs":["qcs::cam::anyone:anyone"]}},"effect":"allow","action":["name/cos:GetObject"],"resource":["{}"]}},{{"principal":{{"qcs":["qcs::cam::uin/100000000001:uin/{SUB}"]}},"effect":"allow","action":["name/cos:GetObject"],"resource":["{}"]}}]}}"#,
        res(B, "pub/*"),
        res(B, "priv/*")
    );
    root.put_bucket_policy()
        .bucket(B)
        .policy(&doc)
        .send()
        .await
        .unwrap();
    let got = root.get_bucket_policy().bucket(B).send().await.unwrap();
    assert_eq!(got.policy(), Some(doc.as_str()));
    assert_eq!(c.send(anon("pub/a.txt")).await.text(), "public");
    assert_eq!(c.send(anon("priv/b.txt")).await.status, 403);
    sub.get_object()
        .bucket(B)
        .key("priv/b.txt")
        .send()
        .await
        .unwrap();

    let e = root
        .put_bucket_policy()
        .bucket(B)
        .policy("{\"version\":\"2.0\"}")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e.into_service_error()), "MalformedPolicy");
    let other = doc.replace(B, "otherbucket-1250000000");
    let e = root
        .put_bucket_policy()
        .bucket(B)
        .policy(&other)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e.into_service_error()), "MalformedPolicy");
    // The sub-account may not touch the policy.
    let e = sub
        .delete_bucket_policy()
        .bucket(B)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e.into_service_error()), "AccessDenied");
    root.delete_bucket_policy().bucket(B).send().await.unwrap();
    assert_eq!(c.send(anon("pub/a.txt")).await.status, 403);

    // ACLs: public-read opens reads and listing, not writes; an object's private ACL wins.
    root.put_bucket_acl()
        .bucket(B)
        .acl(BucketCannedAcl::PublicRead)
        .send()
        .await
        .unwrap();
    let acl = root.get_bucket_acl().bucket(B).send().await.unwrap();
    let perms: Vec<&Permission> = acl.grants().iter().filter_map(|g| g.permission()).collect();
    assert_eq!(perms, [&Permission::FullControl, &Permission::Read]);
    assert_eq!(
        acl.owner().and_then(|o| o.id()),
        Some("qcs::cam::uin/100000000001:uin/100000000001")
    );
    assert_eq!(c.send(anon("priv/b.txt")).await.text(), "private");
    assert_eq!(
        c.send(Req::new("GET", Some(B), "").anonymous())
            .await
            .status,
        200
    );
    let put = Req::new("PUT", Some(B), "anon.txt")
        .anonymous()
        .body(b"x".to_vec());
    assert_eq!(c.send(put).await.status, 403);
    let r = c
        .send(
            Req::new("PUT", Some(B), "priv/b.txt")
                .q("acl", "")
                .h("x-cos-acl", "private"),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(c.send(anon("priv/b.txt")).await.status, 403);
    let r = c
        .send(Req::new("GET", Some(B), "priv/b.txt").q("acl", ""))
        .await;
    assert_eq!(r.header("x-cos-acl"), Some("private"));
    let r = c
        .send(Req::new("GET", Some(B), "pub/a.txt").q("acl", ""))
        .await;
    assert_eq!(r.header("x-cos-acl"), Some("default"));

    // A grant header names the sub-account.
    root.put_bucket_acl()
        .bucket(B)
        .acl(BucketCannedAcl::Private)
        .send()
        .await
        .unwrap();
    let e = sub.list_objects_v2().bucket(B).send().await.unwrap_err();
    assert_eq!(code(&e.into_service_error()), "AccessDenied");
    let r = c
        .send(Req::new("PUT", Some(B), "").q("acl", "").h(
            "x-cos-grant-read",
            &format!("id=\"qcs::cam::uin/100000000001:uin/{SUB}\""),
        ))
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    sub.list_objects_v2().bucket(B).send().await.unwrap();
    sub.get_object()
        .bucket(B)
        .key("pub/a.txt")
        .send()
        .await
        .unwrap();
    let e = sub.get_bucket_acl().bucket(B).send().await.unwrap_err();
    assert_eq!(
        code(&e.into_service_error()),
        "AccessDenied",
        "READ is not READ_ACP"
    );
    server.stop().await;
}

#[tokio::test]
async fn another_root_account_needs_the_owners_grant() {
    let server = TestServer::start_with(|cfg| {
        cfg.accounts = vec![cosd::config::AccountDecl {
            uin: "300000000001".into(),
            appid: "1250000009".into(),
            secret_id: "AKIDotherroot0000000000000000001".into(),
            secret_key: "otherRootKey0000000000000000001".into(),
        }];
    })
    .await;
    let c = server.client();
    c.create_bucket(B).await;
    c.put(B, "shared/x", b"x").await;
    let other = s3(
        &server,
        "AKIDotherroot0000000000000000001",
        "otherRootKey0000000000000000001",
    );
    let e = other
        .get_object()
        .bucket(B)
        .key("shared/x")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e.into_service_error()), "AccessDenied");
    // It cannot create buckets with our APPID, but can with its own.
    let e = other
        .create_bucket()
        .bucket("mine-1250000000")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e.into_service_error()), "AccessDenied");
    other
        .create_bucket()
        .bucket("theirs-1250000009")
        .send()
        .await
        .unwrap();
    let listed = other.list_buckets().send().await.unwrap();
    let names: Vec<&str> = listed.buckets().iter().filter_map(|b| b.name()).collect();
    assert_eq!(names, ["theirs-1250000009"]);

    let doc = format!(
        r#"{{"version":"2.0","statement":[{{"principal":{{"qcs":["qcs::cam::uin/300000000001:uin/300000000001"]}},"effect":"allow","action":["name/cos:GetObject"],"resource":["{}"]}}]}}"#,
        res(B, "shared/*")
    );
    let r = c
        .send(
            Req::new("PUT", Some(B), "")
                .q("policy", "")
                .body(doc.into_bytes()),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.text());
    other
        .get_object()
        .bucket(B)
        .key("shared/x")
        .send()
        .await
        .unwrap();
    server.stop().await;
}

#[tokio::test]
async fn bucket_tags_drive_resource_tag_conditions() {
    use aws_sdk_s3::types::{Tag, Tagging};
    let (server, c) = setup().await;
    setup_sub(&c).await;
    let root = s3(&server, SID, SKEY);
    let sub = s3(&server, SUB_ID, SUB_KEY);
    let tagged = "tagged-1250000000";
    let r = c
        .send(Req::new("PUT", Some(tagged), "").h("x-cos-tagging", "team=a&env=dev"))
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let got = root
        .get_bucket_tagging()
        .bucket(tagged)
        .send()
        .await
        .unwrap();
    let pairs: Vec<(&str, &str)> = got.tag_set().iter().map(|t| (t.key(), t.value())).collect();
    assert_eq!(pairs, [("team", "a"), ("env", "dev")]);
    let e = root
        .get_bucket_tagging()
        .bucket(B)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e.into_service_error()), "NoSuchTagSet");
    let tag = |k: &str, v: &str| Tag::builder().key(k).value(v).build().unwrap();
    let dup = Tagging::builder()
        .tag_set(tag("k", "1"))
        .tag_set(tag("k", "2"))
        .build()
        .unwrap();
    let e = root
        .put_bucket_tagging()
        .bucket(B)
        .tagging(dup)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e.into_service_error()), "InvalidTag");

    // GET Service filtered by tag, for a sub-account allowed only that tag (002:2147-2230).
    let p = policy(
        "allow",
        &["GetService", "GetBucket"],
        &["*".to_string()],
        r#","condition":{"for_any_value:string_equal":{"qcs:resource_tag":["team&a"]}}"#,
    );
    assert_eq!(
        c.admin("PUT", &format!("users/{SUB}/policies/team-a"), &p)
            .await
            .status,
        200
    );
    let as_sub = Client {
        sid: SUB_ID.into(),
        skey: SUB_KEY.into(),
        ..c.clone()
    };
    let r = as_sub
        .send(
            Req::new("GET", None, "")
                .q("tagkey", "team")
                .q("tagvalue", "a"),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(xml_all(&r.text(), "Name"), [tagged]);
    let r = as_sub
        .send(
            Req::new("GET", None, "")
                .q("tagkey", "team")
                .q("tagvalue", "b"),
        )
        .await;
    assert_error(&r, 403, "AccessDenied");
    assert_error(
        &as_sub.send(Req::new("GET", None, "")).await,
        403,
        "AccessDenied",
    );
    // The bucket's own tags decide bucket-level actions.
    sub.list_objects_v2().bucket(tagged).send().await.unwrap();
    let e = sub.list_objects_v2().bucket(B).send().await.unwrap_err();
    assert_eq!(code(&e.into_service_error()), "AccessDenied");
    root.delete_bucket_tagging()
        .bucket(tagged)
        .send()
        .await
        .unwrap();
    let e = sub
        .list_objects_v2()
        .bucket(tagged)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e.into_service_error()), "AccessDenied");
    server.stop().await;
}
