//! S3-dialect behaviour a generic S3 client relies on (issue 32): plain S3 bucket names where
//! the server allows them, destination conditions on CopyObject, and S3 Express appends
//! refused rather than taken as overwrites.

#![allow(clippy::unwrap_used)]

mod common;

use aws_sdk_s3::error::ProvideErrorMetadata;
use aws_sdk_s3::primitives::ByteStream;
use common::*;

const OTHER_ID: &str = "AKIDotheraccount00000000000000000001";
const OTHER_KEY: &str = "otheraccountsecretkey000000000000001";

async fn with_s3_names() -> TestServer {
    TestServer::start_with(|cfg| {
        cfg.s3_bucket_names = true;
        cfg.accounts.push(cosd::config::AccountDecl {
            uin: "100000000002".into(),
            appid: "1250000001".into(),
            secret_id: OTHER_ID.into(),
            secret_key: OTHER_KEY.into(),
        });
    })
    .await
}

fn code<E: ProvideErrorMetadata>(e: &aws_sdk_s3::error::SdkError<E>) -> String {
    e.as_service_error()
        .and_then(|s| s.code())
        .unwrap_or("none")
        .to_string()
}

#[tokio::test]
async fn plain_s3_bucket_names_work_end_to_end_when_allowed() {
    let s = with_s3_names().await;
    let s3 = s3_client(s.addr, SID, SKEY, None);
    s3.create_bucket()
        .bucket("my-test-bucket")
        .send()
        .await
        .unwrap();
    s3.create_bucket()
        .bucket("dotted.name.bucket")
        .send()
        .await
        .unwrap();
    s3.put_object()
        .bucket("my-test-bucket")
        .key("a/b.txt")
        .body(ByteStream::from_static(b"hello"))
        .send()
        .await
        .unwrap();
    let got = s3
        .get_object()
        .bucket("my-test-bucket")
        .key("a/b.txt")
        .send()
        .await
        .unwrap();
    assert_eq!(
        got.body.collect().await.unwrap().into_bytes().as_ref(),
        b"hello"
    );
    let listed = s3
        .list_objects_v2()
        .bucket("my-test-bucket")
        .send()
        .await
        .unwrap();
    assert_eq!(listed.contents().len(), 1);
    let buckets = s3.list_buckets().send().await.unwrap();
    let names: Vec<&str> = buckets.buckets().iter().filter_map(|b| b.name()).collect();
    assert!(names.contains(&"my-test-bucket") && names.contains(&"dotted.name.bucket"));
    // COS clients see the same bucket under the same name.
    let c = s.client();
    let r = c
        .send(Req::new("GET", Some("my-test-bucket"), "a/b.txt"))
        .await;
    assert_eq!((r.status, r.body.as_slice()), (200, b"hello".as_slice()));
    // The creator owns it: again is BucketAlreadyOwnedByYou, another account BucketAlreadyExists.
    let again = s3
        .create_bucket()
        .bucket("my-test-bucket")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&again), "BucketAlreadyOwnedByYou");
    let other = s3_client(s.addr, OTHER_ID, OTHER_KEY, None);
    let taken = other
        .create_bucket()
        .bucket("my-test-bucket")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&taken), "BucketAlreadyExists");
    let denied = other
        .get_object()
        .bucket("my-test-bucket")
        .key("a/b.txt")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&denied), "AccessDenied");
    // A missing S3-named bucket is NoSuchBucket for anyone; invalid names are refused.
    let missing = other
        .head_object()
        .bucket("no-such-bucket")
        .key("k")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        missing.raw_response().map(|r| r.status().as_u16()),
        Some(404)
    );
    for bad in ["Upper-Case", "ab", "192.168.1.1", "a..b"] {
        let e = s3.create_bucket().bucket(bad).send().await.unwrap_err();
        assert_eq!(code(&e), "InvalidBucketName", "{bad}");
    }
    // COS-form names keep COS's rule: they belong to the account with that appid.
    let e = s3
        .create_bucket()
        .bucket("theirs-1250000001")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "AccessDenied");
    // A digit suffix that is no account's appid is just part of a plain name.
    s3.create_bucket().bucket("logs-2024").send().await.unwrap();
    let taken = other
        .create_bucket()
        .bucket("logs-2024")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&taken), "BucketAlreadyExists");
    s3.delete_bucket().bucket("logs-2024").send().await.unwrap();
    s3.delete_object()
        .bucket("my-test-bucket")
        .key("a/b.txt")
        .send()
        .await
        .unwrap();
    s3.delete_bucket()
        .bucket("my-test-bucket")
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn plain_s3_bucket_names_are_refused_by_default_as_cos_does() {
    let s = TestServer::start().await;
    let s3 = s3_client(s.addr, SID, SKEY, None);
    let e = s3
        .create_bucket()
        .bucket("my-test-bucket")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "InvalidBucketName");
}

#[tokio::test]
async fn copy_object_applies_destination_conditions_like_put_object() {
    let s = TestServer::start().await;
    let s3 = s3_client(s.addr, SID, SKEY, None);
    let b = "copycond-1250000000";
    s3.create_bucket().bucket(b).send().await.unwrap();
    for (k, body) in [("src", "source"), ("dst", "destination")] {
        s3.put_object()
            .bucket(b)
            .key(k)
            .body(ByteStream::from(body.as_bytes().to_vec()))
            .send()
            .await
            .unwrap();
    }
    let dst_etag = s3.head_object().bucket(b).key("dst").send().await.unwrap();
    let dst_etag = dst_etag.e_tag().unwrap().to_string();
    let copy = |cond: &'static str, value: String| {
        let s3 = s3.clone();
        async move {
            s3.copy_object()
                .bucket(b)
                .key("dst")
                .copy_source(format!("{b}/src"))
                .customize()
                .mutate_request(move |r| {
                    r.headers_mut().insert(cond, value.clone());
                })
                .send()
                .await
        }
    };
    let e = copy("if-none-match", "*".into()).await.unwrap_err();
    assert_eq!(
        code(&e),
        "PreconditionFailed",
        "If-None-Match: * onto an existing key"
    );
    let e = copy("if-match", "\"0123456789abcdef0123456789abcdef\"".into())
        .await
        .unwrap_err();
    assert_eq!(code(&e), "PreconditionFailed", "If-Match with another ETag");
    let body = s3.get_object().bucket(b).key("dst").send().await.unwrap();
    assert_eq!(
        body.body.collect().await.unwrap().into_bytes().as_ref(),
        b"destination"
    );
    copy("if-match", dst_etag).await.unwrap();
    let body = s3.get_object().bucket(b).key("dst").send().await.unwrap();
    assert_eq!(
        body.body.collect().await.unwrap().into_bytes().as_ref(),
        b"source"
    );
    // Onto a new key, If-None-Match: * passes.
    s3.copy_object()
        .bucket(b)
        .key("fresh")
        .copy_source(format!("{b}/src"))
        .customize()
        .mutate_request(|r| {
            r.headers_mut().insert("if-none-match", "*");
        })
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn s3_express_appends_are_refused_and_never_overwrite() {
    let s = TestServer::start().await;
    let c = s.client();
    let b = "offset-1250000000";
    c.create_bucket(b).await;
    assert_eq!(c.put(b, "k", b"original").await.status, 200);
    let r = c
        .send(
            Req::new("PUT", Some(b), "k")
                .h("x-amz-write-offset-bytes", "8")
                .body(b"more".to_vec()),
        )
        .await;
    assert_eq!((r.status, r.code()), (501, "NotImplemented".to_string()));
    let r = c.send(Req::new("GET", Some(b), "k")).await;
    assert_eq!(r.body.as_slice(), b"original");
}

#[tokio::test]
async fn public_access_block_refuses_public_acls_and_policies_and_ignores_public_grants() {
    use aws_sdk_s3::types::{BucketCannedAcl, ObjectCannedAcl, PublicAccessBlockConfiguration};
    let s = TestServer::start().await;
    let s3 = s3_client(s.addr, SID, SKEY, None);
    let b = "pab-1250000000";
    s3.create_bucket().bucket(b).send().await.unwrap();
    let missing = s3
        .get_public_access_block()
        .bucket(b)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&missing), "NoSuchPublicAccessBlockConfiguration");
    // A public object, readable anonymously before the block.
    s3.put_object()
        .bucket(b)
        .key("pub")
        .acl(ObjectCannedAcl::PublicRead)
        .body(ByteStream::from_static(b"public"))
        .send()
        .await
        .unwrap();
    let anon = s.client();
    let get = || anon.send(Req::new("GET", Some(b), "pub").anonymous());
    assert_eq!(get().await.status, 200);
    let block = |acls: bool, ignore: bool, policy: bool, restrict: bool| {
        PublicAccessBlockConfiguration::builder()
            .block_public_acls(acls)
            .ignore_public_acls(ignore)
            .block_public_policy(policy)
            .restrict_public_buckets(restrict)
            .build()
    };
    s3.put_public_access_block()
        .bucket(b)
        .public_access_block_configuration(block(true, true, true, false))
        .send()
        .await
        .unwrap();
    let got = s3.get_public_access_block().bucket(b).send().await.unwrap();
    let cfg = got.public_access_block_configuration().unwrap();
    assert_eq!(cfg.block_public_acls(), Some(true));
    assert_eq!(cfg.restrict_public_buckets(), Some(false));
    // IgnorePublicAcls: the public grant no longer counts.
    assert_eq!(get().await.status, 403);
    // BlockPublicAcls: public ACLs are refused on writes and ACL puts; private ones pass.
    let e = s3
        .put_object()
        .bucket(b)
        .key("k")
        .acl(ObjectCannedAcl::PublicRead)
        .body(ByteStream::from_static(b"x"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "AccessDenied");
    let e = s3
        .put_bucket_acl()
        .bucket(b)
        .acl(BucketCannedAcl::PublicReadWrite)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "AccessDenied");
    s3.put_object()
        .bucket(b)
        .key("k")
        .acl(ObjectCannedAcl::Private)
        .body(ByteStream::from_static(b"x"))
        .send()
        .await
        .unwrap();
    // BlockPublicPolicy: a policy granting everyone is refused.
    let public_policy = r#"{"version":"2.0","statement":[{"effect":"allow","principal":{"qcs":["qcs::cam::anyone:anyone"]},"action":["name/cos:GetObject"],"resource":["qcs::cos:ap-guangzhou:uid/1250000000:pab-1250000000/*"]}]}"#;
    let e = s3
        .put_bucket_policy()
        .bucket(b)
        .policy(public_policy)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "AccessDenied");
    // RestrictPublicBuckets: a public policy stored before grants outsiders nothing.
    s3.put_public_access_block()
        .bucket(b)
        .public_access_block_configuration(block(false, false, false, false))
        .send()
        .await
        .unwrap();
    s3.put_bucket_policy()
        .bucket(b)
        .policy(public_policy)
        .send()
        .await
        .unwrap();
    s3.put_object()
        .bucket(b)
        .key("k")
        .body(ByteStream::from_static(b"x"))
        .send()
        .await
        .unwrap();
    let get_k = || anon.send(Req::new("GET", Some(b), "k").anonymous());
    assert_eq!(get_k().await.status, 200, "the public policy grants it");
    s3.put_public_access_block()
        .bucket(b)
        .public_access_block_configuration(block(false, false, false, true))
        .send()
        .await
        .unwrap();
    assert_eq!(
        get_k().await.status,
        403,
        "restricted to the owner's account"
    );
    s3.get_object().bucket(b).key("k").send().await.unwrap();
    s3.delete_public_access_block()
        .bucket(b)
        .send()
        .await
        .unwrap();
    assert_eq!(get_k().await.status, 200);
}

#[tokio::test]
async fn bucket_owner_enforced_disables_acls() {
    use aws_sdk_s3::types::{
        ObjectCannedAcl, ObjectOwnership, OwnershipControls, OwnershipControlsRule,
    };
    let s = TestServer::start().await;
    let s3 = s3_client(s.addr, SID, SKEY, None);
    let b = "owner-1250000000";
    s3.create_bucket().bucket(b).send().await.unwrap();
    let e = s3
        .get_bucket_ownership_controls()
        .bucket(b)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "OwnershipControlsNotFoundError");
    s3.put_object()
        .bucket(b)
        .key("pub")
        .acl(ObjectCannedAcl::PublicRead)
        .body(ByteStream::from_static(b"public"))
        .send()
        .await
        .unwrap();
    let anon = s.client();
    assert_eq!(
        anon.send(Req::new("GET", Some(b), "pub").anonymous())
            .await
            .status,
        200
    );
    let rule = |o: ObjectOwnership| {
        OwnershipControls::builder()
            .rules(
                OwnershipControlsRule::builder()
                    .object_ownership(o)
                    .build()
                    .unwrap(),
            )
            .build()
            .unwrap()
    };
    s3.put_bucket_ownership_controls()
        .bucket(b)
        .ownership_controls(rule(ObjectOwnership::BucketOwnerEnforced))
        .send()
        .await
        .unwrap();
    let got = s3
        .get_bucket_ownership_controls()
        .bucket(b)
        .send()
        .await
        .unwrap();
    assert_eq!(
        got.ownership_controls().unwrap().rules()[0].object_ownership(),
        &ObjectOwnership::BucketOwnerEnforced
    );
    assert_eq!(
        anon.send(Req::new("GET", Some(b), "pub").anonymous())
            .await
            .status,
        403,
        "ACLs no longer grant anything"
    );
    let e = s3
        .put_object()
        .bucket(b)
        .key("k")
        .acl(ObjectCannedAcl::PublicRead)
        .body(ByteStream::from_static(b"x"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "AccessControlListNotSupported");
    s3.put_object()
        .bucket(b)
        .key("k")
        .acl(ObjectCannedAcl::BucketOwnerFullControl)
        .body(ByteStream::from_static(b"x"))
        .send()
        .await
        .unwrap();
    s3.delete_bucket_ownership_controls()
        .bucket(b)
        .send()
        .await
        .unwrap();
    assert_eq!(
        anon.send(Req::new("GET", Some(b), "pub").anonymous())
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn get_object_attributes_answers_what_was_asked() {
    use aws_sdk_s3::types::{
        ChecksumAlgorithm, CompletedMultipartUpload, CompletedPart, ObjectAttributes,
    };
    let s = TestServer::start().await;
    let s3 = s3_client(s.addr, SID, SKEY, None);
    let b = "attrs-1250000000";
    s3.create_bucket().bucket(b).send().await.unwrap();
    let put = s3
        .put_object()
        .bucket(b)
        .key("k")
        .checksum_algorithm(ChecksumAlgorithm::Crc32)
        .body(ByteStream::from_static(b"attributes"))
        .send()
        .await
        .unwrap();
    let got = s3
        .get_object_attributes()
        .bucket(b)
        .key("k")
        .object_attributes(ObjectAttributes::Etag)
        .object_attributes(ObjectAttributes::ObjectSize)
        .object_attributes(ObjectAttributes::StorageClass)
        .object_attributes(ObjectAttributes::Checksum)
        .send()
        .await
        .unwrap();
    assert_eq!(got.e_tag(), put.e_tag().map(|e| e.trim_matches('"')));
    assert_eq!(got.object_size(), Some(10));
    assert_eq!(got.storage_class().map(|c| c.as_str()), Some("STANDARD"));
    assert_eq!(
        got.checksum().and_then(|c| c.checksum_crc32()),
        put.checksum_crc32()
    );
    assert!(
        got.object_parts().is_none(),
        "a single-part object has no parts"
    );
    // A multipart object reports its parts count.
    let up = s3
        .create_multipart_upload()
        .bucket(b)
        .key("mp")
        .send()
        .await
        .unwrap();
    let id = up.upload_id().unwrap();
    let part = s3
        .upload_part()
        .bucket(b)
        .key("mp")
        .upload_id(id)
        .part_number(1)
        .body(ByteStream::from_static(b"one part"))
        .send()
        .await
        .unwrap();
    s3.complete_multipart_upload()
        .bucket(b)
        .key("mp")
        .upload_id(id)
        .multipart_upload(
            CompletedMultipartUpload::builder()
                .parts(
                    CompletedPart::builder()
                        .part_number(1)
                        .e_tag(part.e_tag().unwrap())
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    let got = s3
        .get_object_attributes()
        .bucket(b)
        .key("mp")
        .object_attributes(ObjectAttributes::ObjectParts)
        .send()
        .await
        .unwrap();
    assert_eq!(
        got.object_parts().and_then(|p| p.total_parts_count()),
        Some(1)
    );
    let parts = got.object_parts().unwrap();
    assert_eq!(parts.is_truncated(), Some(false));
    let sizes: Vec<(Option<i32>, Option<i64>)> = parts
        .parts()
        .iter()
        .map(|p| (p.part_number(), p.size()))
        .collect();
    assert_eq!(sizes, vec![(Some(1), Some(8))]);
    // Unknown or missing attribute names are refused; a missing key is NoSuchKey.
    let c = s.client();
    let r = c
        .send(
            Req::new("GET", Some(b), "k")
                .q("attributes", "")
                .h("x-amz-object-attributes", "Colour"),
        )
        .await;
    assert_eq!((r.status, r.code()), (400, "InvalidArgument".to_string()));
    let r = c
        .send(Req::new("GET", Some(b), "k").q("attributes", ""))
        .await;
    assert_eq!((r.status, r.code()), (400, "InvalidArgument".to_string()));
    let e = s3
        .get_object_attributes()
        .bucket(b)
        .key("nope")
        .object_attributes(ObjectAttributes::Etag)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "NoSuchKey");
}

#[tokio::test]
async fn create_bucket_takes_object_ownership_and_recreating_your_own_is_ok_in_us_east_1() {
    let s = TestServer::start().await;
    let c = s.client();
    let own = "own-1250000000";
    let put = |b: &str| Req::new("PUT", Some(b), "");
    let r = c
        .send(put(own).h("x-amz-object-ownership", "BucketOwnerEnforced"))
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let got = c
        .send(Req::new("GET", Some(own), "").q("ownershipControls", ""))
        .await;
    assert!(got.text().contains("BucketOwnerEnforced"), "{}", got.text());
    let bad = c
        .send(put("bad-1250000000").h("x-amz-object-ownership", "Nobody"))
        .await;
    assert_eq!((bad.status, bad.code().as_str()), (400, "InvalidArgument"));
    assert_eq!(
        c.send(Req::new("HEAD", Some("bad-1250000000"), ""))
            .await
            .status,
        404
    );
    // Outside us-east-1 creating your own bucket again is BucketAlreadyOwnedByYou...
    let again = c.send(put(own)).await;
    assert_eq!(
        (again.status, again.code().as_str()),
        (409, "BucketAlreadyOwnedByYou")
    );
    // ...in us-east-1 it succeeds, as S3's legacy rule has it (ceph s3-tests rely on it).
    let east = TestServer::start_with(|cfg| cfg.region = "us-east-1".into()).await;
    let e = s3_client(east.addr, SID, SKEY, None);
    e.create_bucket().bucket(own).send().await.unwrap();
    e.create_bucket().bucket(own).send().await.unwrap();
}
