//! SSE-KMS with the admin API's key registry, bucket default encryption, and
//! GetObjectAttributes of an SSE-C object.

use crate::common::*;
use crate::support::*;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{
    ServerSideEncryption, ServerSideEncryptionByDefault, ServerSideEncryptionConfiguration,
    ServerSideEncryptionRule,
};

#[tokio::test]
async fn sse_kms_keys_from_the_admin_api() {
    let (server, c) = setup().await;
    let s3 = sdk(&server);
    let r = c
        .admin(
            "POST",
            "kms-keys",
            r#"{"id":"app-key","description":"tests"}"#,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(r.text().contains("\"enabled\":true"));
    assert!(!r.text().contains("material") && !r.text().contains("wrapped"));
    assert_eq!(
        c.admin("POST", "kms-keys", r#"{"id":"app-key"}"#)
            .await
            .status,
        409
    );
    assert_eq!(c.admin("GET", "kms-keys/app-key", "").await.status, 200);
    assert_eq!(c.admin("GET", "kms-keys/nope", "").await.status, 404);
    assert!(c
        .admin("GET", "kms-keys", "")
        .await
        .text()
        .contains("app-key"));

    let data = random_bytes(400_000, 5);
    let put = s3
        .put_object()
        .bucket(B)
        .key("kms")
        .server_side_encryption(ServerSideEncryption::AwsKms)
        .ssekms_key_id("arn:aws:kms:ap-guangzhou:1250000000:key/app-key")
        .body(ByteStream::from(data.clone()))
        .send()
        .await
        .unwrap();
    assert_eq!(
        put.server_side_encryption(),
        Some(&ServerSideEncryption::AwsKms)
    );
    assert_eq!(put.ssekms_key_id(), Some("app-key"));
    assert_eq!(
        put.e_tag(),
        Some(format!("\"{}\"", md5_hex(&data)).as_str())
    );
    let got = s3.get_object().bucket(B).key("kms").send().await.unwrap();
    assert_eq!(got.ssekms_key_id(), Some("app-key"));
    assert_eq!(body(got).await, data);

    // COS names: cos/kms and x-cos-server-side-encryption-cos-kms-key-id.
    let r = c
        .send(
            Req::new("PUT", Some(B), "kms-cos")
                .h("x-cos-server-side-encryption", "cos/kms")
                .h("x-cos-server-side-encryption-cos-kms-key-id", "app-key")
                .body(b"cos kms".to_vec()),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("x-cos-server-side-encryption"), Some("cos/kms"));
    assert_eq!(
        r.header("x-cos-server-side-encryption-cos-kms-key-id"),
        Some("app-key")
    );
    // Without a key id: the account's default key, made on first use.
    let r = c
        .send(
            Req::new("PUT", Some(B), "kms-default")
                .h("x-cos-server-side-encryption", "cos/kms")
                .body(b"default kms".to_vec()),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let default_id = r
        .header("x-cos-server-side-encryption-cos-kms-key-id")
        .unwrap()
        .to_string();
    assert_eq!(c.get(B, "kms-default").await.body, b"default kms");
    assert_eq!(
        c.admin("GET", &format!("kms-keys/{default_id}"), "")
            .await
            .status,
        200
    );

    // Disabled: no new objects, no reads; enabled again: both.
    let r = c
        .admin("PUT", "kms-keys/app-key", r#"{"enabled":false}"#)
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let e = s3
        .put_object()
        .bucket(B)
        .key("kms2")
        .server_side_encryption(ServerSideEncryption::AwsKms)
        .ssekms_key_id("app-key")
        .body(ByteStream::from_static(b"x"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        (status(&e), code(&e).as_str()),
        (400, "KMS.DisabledException")
    );
    assert_eq!(c.get(B, "kms2").await.status, 404);
    let r = c.get(B, "kms").await;
    assert_error(&r, 400, "KMS.DisabledException");
    assert_eq!(
        c.admin("PUT", "kms-keys/app-key", r#"{"enabled":true}"#)
            .await
            .status,
        200
    );
    assert_eq!(c.get(B, "kms").await.body, data);
}

#[tokio::test]
async fn bucket_default_encryption() {
    let (server, c) = setup().await;
    let s3 = sdk(&server);
    let e = s3
        .get_bucket_encryption()
        .bucket(B)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        (status(&e), code(&e).as_str()),
        (404, "ServerSideEncryptionConfigurationNotFoundError")
    );
    let conf = |alg: ServerSideEncryption, key: Option<&str>| {
        ServerSideEncryptionConfiguration::builder()
            .rules(
                ServerSideEncryptionRule::builder()
                    .apply_server_side_encryption_by_default(
                        ServerSideEncryptionByDefault::builder()
                            .sse_algorithm(alg)
                            .set_kms_master_key_id(key.map(Into::into))
                            .build()
                            .unwrap(),
                    )
                    .build(),
            )
            .build()
            .unwrap()
    };
    let e = s3
        .put_bucket_encryption()
        .bucket(B)
        .server_side_encryption_configuration(conf(ServerSideEncryption::AwsKms, Some("nope")))
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        (status(&e), code(&e).as_str()),
        (400, "KMS.NotFoundException")
    );
    s3.put_bucket_encryption()
        .bucket(B)
        .server_side_encryption_configuration(conf(ServerSideEncryption::Aes256, None))
        .send()
        .await
        .unwrap();
    let got = s3.get_bucket_encryption().bucket(B).send().await.unwrap();
    let rule = &got.server_side_encryption_configuration().unwrap().rules()[0];
    assert_eq!(
        rule.apply_server_side_encryption_by_default()
            .unwrap()
            .sse_algorithm(),
        &ServerSideEncryption::Aes256
    );
    // A plain PUT is encrypted by default; a PUT naming SSE-C keeps SSE-C.
    let data = random_bytes(300_000, 9);
    let put = s3
        .put_object()
        .bucket(B)
        .key("d")
        .body(ByteStream::from(data.clone()))
        .send()
        .await
        .unwrap();
    assert_eq!(
        put.server_side_encryption(),
        Some(&ServerSideEncryption::Aes256)
    );
    assert_eq!(
        body(s3.get_object().bucket(B).key("d").send().await.unwrap()).await,
        data
    );
    // Append into such a bucket is refused, not stored in plain.
    let r = c
        .send(
            Req::new("POST", Some(B), "app")
                .q("append", "")
                .q("position", "0")
                .body(b"abc".to_vec()),
        )
        .await;
    assert_error(&r, 501, "NotImplemented");
    // A KMS default with the account's key.
    c.admin("POST", "kms-keys", r#"{"id":"bk"}"#).await;
    s3.put_bucket_encryption()
        .bucket(B)
        .server_side_encryption_configuration(conf(ServerSideEncryption::AwsKms, Some("bk")))
        .send()
        .await
        .unwrap();
    let put = s3
        .put_object()
        .bucket(B)
        .key("d2")
        .body(ByteStream::from_static(b"kms by default"))
        .send()
        .await
        .unwrap();
    assert_eq!(put.ssekms_key_id(), Some("bk"));
    s3.delete_bucket_encryption()
        .bucket(B)
        .send()
        .await
        .unwrap();
    assert!(s3.get_bucket_encryption().bucket(B).send().await.is_err());
    let put = s3
        .put_object()
        .bucket(B)
        .key("d3")
        .body(ByteStream::from_static(b"plain"))
        .send()
        .await
        .unwrap();
    assert_eq!(put.server_side_encryption(), None);
    // Objects written under the default stay readable.
    assert_eq!(
        body(s3.get_object().bucket(B).key("d2").send().await.unwrap()).await,
        b"kms by default"
    );
}
#[tokio::test]
async fn object_attributes_of_an_sse_c_object_need_its_key() {
    let (server, _c) = setup().await;
    let s3 = sdk(&server);
    let k = ck(5);
    s3.put_object()
        .bucket(B)
        .key("attr")
        .sse_customer_algorithm("AES256")
        .sse_customer_key(&k.key)
        .sse_customer_key_md5(&k.md5)
        .body(ByteStream::from_static(b"attributes"))
        .send()
        .await
        .unwrap();
    let ask = || {
        s3.get_object_attributes()
            .bucket(B)
            .key("attr")
            .object_attributes(aws_sdk_s3::types::ObjectAttributes::ObjectSize)
    };
    let e = ask().send().await.unwrap_err();
    assert_eq!(status(&e), 400);
    let ok = ask()
        .sse_customer_algorithm("AES256")
        .sse_customer_key(&k.key)
        .sse_customer_key_md5(&k.md5)
        .send()
        .await
        .unwrap();
    assert_eq!(ok.object_size(), Some(10));
}
