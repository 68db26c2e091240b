//! Storage classes and restores through `aws-sdk-s3`: S3's names (GLACIER for ARCHIVE) in
//! and out, S3's error codes.

use crate::common::*;
use crate::support::*;
use aws_sdk_s3::error::ProvideErrorMetadata;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{
    GlacierJobParameters, ObjectAttributes, RestoreRequest, StorageClass, Tier,
};

fn root(s: &TestServer) -> aws_sdk_s3::Client {
    s3_client(s.addr, SID, SKEY, None)
}

fn restore_request(days: i32, tier: Tier) -> RestoreRequest {
    RestoreRequest::builder()
        .days(days)
        .glacier_job_parameters(GlacierJobParameters::builder().tier(tier).build().unwrap())
        .build()
}

#[tokio::test]
async fn a_boto_style_glacier_put_reads_back_as_glacier_and_restores() {
    let (s, c) = server().await;
    let s3 = root(&s);
    s3.put_object()
        .bucket(B)
        .key("cold")
        .storage_class(StorageClass::Glacier)
        .body(ByteStream::from_static(b"frozen"))
        .send()
        .await
        .unwrap();
    let h = s3.head_object().bucket(B).key("cold").send().await.unwrap();
    assert_eq!(h.storage_class(), Some(&StorageClass::Glacier));
    assert_eq!(h.restore(), None);
    // The COS dialect shows COS's name for the same object.
    assert_eq!(
        head(&c, "cold").await.header("x-cos-storage-class"),
        Some("ARCHIVE")
    );
    let listed = s3.list_objects_v2().bucket(B).send().await.unwrap();
    assert_eq!(
        listed.contents()[0].storage_class().map(|c| c.as_str()),
        Some("GLACIER")
    );
    let versions = s3.list_object_versions().bucket(B).send().await.unwrap();
    assert_eq!(
        versions.versions()[0].storage_class().map(|c| c.as_str()),
        Some("GLACIER")
    );
    let e = s3
        .get_object()
        .bucket(B)
        .key("cold")
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("InvalidObjectState"));
    // Attributes are metadata: an unrestored archive answers them.
    let attrs = s3
        .get_object_attributes()
        .bucket(B)
        .key("cold")
        .object_attributes(ObjectAttributes::StorageClass)
        .object_attributes(ObjectAttributes::ObjectSize)
        .send()
        .await
        .unwrap();
    assert_eq!(attrs.storage_class(), Some(&StorageClass::Glacier));
    assert_eq!(attrs.object_size(), Some(6));

    s3.restore_object()
        .bucket(B)
        .key("cold")
        .restore_request(restore_request(1, Tier::Expedited))
        .send()
        .await
        .unwrap();
    let again = s3
        .restore_object()
        .bucket(B)
        .key("cold")
        .restore_request(restore_request(1, Tier::Expedited))
        .send()
        .await
        .unwrap_err();
    assert_eq!(again.code(), Some("RestoreAlreadyInProgress"));
    let h = s3.head_object().bucket(B).key("cold").send().await.unwrap();
    assert_eq!(h.restore(), Some("ongoing-request=\"true\""));
    advance(&s, 3);
    let h = s3.head_object().bucket(B).key("cold").send().await.unwrap();
    assert!(
        h.restore()
            .unwrap()
            .starts_with("ongoing-request=\"false\", expiry-date="),
        "{:?}",
        h.restore()
    );
    let got = s3.get_object().bucket(B).key("cold").send().await.unwrap();
    assert_eq!(got.storage_class(), Some(&StorageClass::Glacier));
    assert_eq!(
        got.body.collect().await.unwrap().into_bytes().as_ref(),
        b"frozen"
    );
    advance(&s, DAY_SECS);
    let e = s3
        .get_object()
        .bucket(B)
        .key("cold")
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("InvalidObjectState"));
}

#[tokio::test]
async fn s3_classes_without_a_cos_counterpart_are_invalid_storage_class() {
    let (s, _c) = server().await;
    let s3 = root(&s);
    for class in [
        StorageClass::GlacierIr,
        StorageClass::OnezoneIa,
        StorageClass::ReducedRedundancy,
        StorageClass::ExpressOnezone,
        StorageClass::Outposts,
    ] {
        let e = s3
            .put_object()
            .bucket(B)
            .key("k")
            .storage_class(class.clone())
            .body(ByteStream::from_static(b"x"))
            .send()
            .await
            .unwrap_err();
        assert_eq!(e.code(), Some("InvalidStorageClass"), "{class:?}");
    }
    // The classes both have keep their names.
    for class in [
        StorageClass::StandardIa,
        StorageClass::DeepArchive,
        StorageClass::IntelligentTiering,
    ] {
        s3.put_object()
            .bucket(B)
            .key("k")
            .storage_class(class.clone())
            .body(ByteStream::from_static(b"x"))
            .send()
            .await
            .unwrap();
        let h = s3.head_object().bucket(B).key("k").send().await.unwrap();
        assert_eq!(h.storage_class(), Some(&class));
    }
}

#[tokio::test]
async fn restoring_a_standard_object_is_invalid_object_state() {
    let (s, c) = server().await;
    let s3 = root(&s);
    c.put(B, "hot", b"x").await;
    let e = s3
        .restore_object()
        .bucket(B)
        .key("hot")
        .restore_request(restore_request(1, Tier::Standard))
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("InvalidObjectState"));
    assert_eq!(e.raw_response().unwrap().status().as_u16(), 403);
}

#[tokio::test]
async fn a_multipart_upload_in_glacier_lists_as_glacier() {
    let (s, _c) = server().await;
    let s3 = root(&s);
    let up = s3
        .create_multipart_upload()
        .bucket(B)
        .key("mp")
        .storage_class(StorageClass::Glacier)
        .send()
        .await
        .unwrap();
    let uploads = s3.list_multipart_uploads().bucket(B).send().await.unwrap();
    assert_eq!(
        uploads.uploads()[0].storage_class().map(|c| c.as_str()),
        Some("GLACIER")
    );
    let parts = s3
        .list_parts()
        .bucket(B)
        .key("mp")
        .upload_id(up.upload_id().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(parts.storage_class().map(|c| c.as_str()), Some("GLACIER"));
}
