//! Thin handlers, one file per resource: read the request, call the service, render the reply.

pub mod admin;
pub(crate) mod admit;
pub(crate) mod authz;
mod body;
pub(crate) mod content_type;
pub mod error;
mod headers;
pub(crate) mod json;
pub mod observe;
pub mod pipeline;
pub mod request;
pub use xml::cors::decorate as cors_headers;
pub(crate) use xml::lock::retention_key_headers as xml_lock_key_headers;
pub use xml::referer::denied_error as referer_denied_error;
pub(crate) use xml::tagging::key_header as tagging_key_header;
mod post_object;
pub(crate) mod sse;
pub(crate) mod sts;
pub(crate) mod traffic;
pub(crate) mod website;
pub(crate) mod xml;

pub(crate) use admit::{Admitted, Granted, KeysGate, SourceGate};

pub(crate) use body::{
    checksum_headers, read_verified, read_xml_body, request_body, write_condition, write_options,
};

use crate::api::error::{ApiError, Code};
use crate::api::request::op::Op;
use crate::api::request::Ctx;
use crate::types::{BucketName, ObjectKey};
use crate::AppState;
use axum::body::Body;
use http::{Response, StatusCode};
use std::sync::Arc;

/// What a handler answers.
pub(crate) type Reply = Result<Response<Body>, ApiError>;

/// Runs the handler of an admitted XML/S3 operation.
pub(crate) async fn dispatch(
    app: &Arc<AppState>,
    ctx: &Ctx,
    op: &Op,
    mut adm: Admitted,
    body: Body,
) -> Result<Response<Body>, ApiError> {
    let adm = &mut adm;
    match op {
        Op::ListBuckets => xml::service::list_buckets(app, ctx),
        Op::CreateBucket => xml::bucket::create(app, ctx, adm, body).await,
        Op::HeadBucket => xml::bucket::head(adm),
        Op::DeleteBucket => xml::bucket::delete(app, adm).await,
        Op::GetBucketLocation => xml::bucket::location(adm),
        Op::ListObjects => xml::list::list_v1(app, ctx, adm),
        Op::ListObjectsV2 => xml::list::list_v2(app, ctx, adm),
        Op::DeleteObjects => {
            let gate = KeysGate::new(app, ctx, op);
            xml::delete_multi::delete_objects(app, ctx, adm, gate, body)
                .await
                .map(Granted::into_response)
        }
        Op::PutObject => xml::object::put(app, ctx, adm, body).await,
        Op::CopyObject => xml::copy::copy(app, ctx, adm, SourceGate::new(app, ctx))
            .await
            .map(Granted::into_response),
        Op::GetObject => xml::object::get(app, ctx, adm, false),
        Op::HeadObject => xml::object::get(app, ctx, adm, true),
        Op::DeleteObject => xml::object::delete(app, ctx, adm).await,
        Op::InitiateMultipartUpload => xml::multipart::initiate(app, ctx, adm).await,
        Op::UploadPart { upload, part } => {
            xml::multipart::upload_part(app, ctx, adm, upload, *part, body).await
        }
        Op::UploadPartCopy { upload, part } => {
            let gate = SourceGate::new(app, ctx);
            xml::multipart::upload_part_copy(app, ctx, adm, upload, *part, gate)
                .await
                .map(Granted::into_response)
        }
        Op::CompleteMultipartUpload { upload } => {
            xml::multipart::complete(app, ctx, adm, upload, body).await
        }
        Op::AbortMultipartUpload { upload } => xml::multipart::abort(app, adm, upload).await,
        Op::ListParts { upload } => xml::multipart::list_parts(app, ctx, adm, upload),
        Op::ListMultipartUploads => xml::multipart::list_uploads(app, ctx, adm),
        Op::AppendObject => xml::append::append(app, ctx, adm, body).await,
        Op::GetBucketAcl => xml::acl::get_bucket(adm),
        Op::PutBucketAcl => xml::acl::put_bucket(app, ctx, adm, body).await,
        Op::GetObjectAcl => xml::acl::get_object(adm),
        Op::PutObjectAcl => xml::acl::put_object(app, ctx, adm, body).await,
        Op::GetBucketPolicy => xml::policy::get(ctx, adm),
        Op::PutBucketPolicy => xml::policy::put(app, ctx, adm, body).await,
        Op::DeleteBucketPolicy => xml::policy::delete(app, adm).await,
        Op::GetBucketTagging => xml::tagging::get(adm),
        Op::PutBucketTagging => {
            let bytes = pre_read(app, body).await?;
            xml::tagging::put(app, ctx, adm, &bytes).await
        }
        Op::DeleteBucketTagging => xml::tagging::delete(app, adm).await,
        Op::GetBucketCors => xml::cors::get(adm),
        Op::PutBucketCors => xml::cors::put(app, ctx, adm, body).await,
        Op::DeleteBucketCors => xml::cors::delete(app, adm).await,
        Op::OptionsObject => xml::cors::preflight(app, ctx, op, adm),
        Op::GetBucketWebsite => xml::website::get(adm),
        Op::PutBucketWebsite => xml::website::put(app, ctx, adm, body).await,
        Op::DeleteBucketWebsite => xml::website::delete(app, adm).await,
        Op::GetBucketReferer => xml::referer::get(adm),
        Op::PutBucketReferer => xml::referer::put(app, ctx, adm, body).await,
        Op::DeleteBucketReferer => xml::referer::delete(app, adm).await,
        Op::GetBucketEncryption => xml::encryption::get(adm),
        Op::PutBucketEncryption => xml::encryption::put(app, ctx, adm, body).await,
        Op::DeleteBucketEncryption => xml::encryption::delete(app, adm).await,
        Op::GetBucketLogging => xml::logging::get(adm),
        Op::PutBucketLogging => xml::logging::put(app, ctx, adm, body).await,
        Op::GetBucketLifecycle => xml::lifecycle::get(adm),
        Op::PutBucketLifecycle => xml::lifecycle::put(app, ctx, adm, body).await,
        Op::DeleteBucketLifecycle => xml::lifecycle::delete(app, adm).await,
        Op::GetBucketNotification => xml::notification::get(adm),
        Op::PutBucketNotification => xml::notification::put(app, ctx, adm, body).await,
        Op::GetBucketVersioning => xml::versioning::get(adm),
        Op::PutBucketVersioning => xml::versioning::put(app, ctx, adm, body).await,
        Op::ListObjectVersions => xml::versioning::list(app, ctx, adm),
        Op::GetObjectLockConfiguration => xml::lock::get_config(adm),
        Op::PutObjectLockConfiguration => xml::lock::put_config(app, ctx, adm, body).await,
        Op::GetObjectRetention => xml::lock::get_retention(app, ctx, adm),
        Op::PutObjectRetention => {
            let bytes = pre_read(app, body).await?;
            xml::lock::put_retention(app, ctx, adm, &bytes).await
        }
        Op::GetObjectLegalHold => xml::lock::get_legal_hold(app, ctx, adm),
        Op::PutObjectLegalHold => xml::lock::put_legal_hold(app, ctx, adm, body).await,
        Op::GetObjectAttributes => xml::attributes::get(app, ctx, adm),
        Op::GetObjectTagging => xml::object_tagging::get(ctx, adm),
        Op::PutObjectTagging => {
            let bytes = pre_read(app, body).await?;
            xml::object_tagging::put(app, ctx, adm, &bytes).await
        }
        Op::DeleteObjectTagging => xml::object_tagging::delete(app, ctx, adm).await,
        Op::RestoreObject => xml::restore::restore(app, ctx, adm, body).await,
        Op::GetPublicAccessBlock => xml::public_access::get_block(adm),
        Op::PutPublicAccessBlock => xml::public_access::put_block(app, ctx, adm, body).await,
        Op::DeletePublicAccessBlock => xml::public_access::delete_block(app, adm).await,
        Op::GetBucketOwnershipControls => xml::public_access::get_ownership(adm),
        Op::PutBucketOwnershipControls => {
            xml::public_access::put_ownership(app, ctx, adm, body).await
        }
        Op::DeleteBucketOwnershipControls => xml::public_access::delete_ownership(app, adm).await,
        // Admission answers these itself (501 after authorization, 405).
        Op::NotImplemented(_) | Op::MethodNotAllowed => Err(ApiError::new(
            Code::InternalError,
            "We encountered an internal error. Please try again.",
        )),
    }
}

/// A body the pipeline already read and verified (its values were authorized as condition
/// keys: PUT `?retention`, PUT `?tagging`).
async fn pre_read(app: &AppState, body: Body) -> Result<bytes::Bytes, ApiError> {
    axum::body::to_bytes(body, app.config.max_xml_body)
        .await
        .map_err(|e| ApiError::new(Code::MalformedXML, e.to_string()))
}

/// The addressed bucket's name, validated: COS's `<name>-<appid>`, or any S3-valid name where
/// the server allows them (`s3_bucket_names`).
pub(crate) fn bucket_name(app: &AppState, ctx: &Ctx) -> Result<BucketName, ApiError> {
    let name = ctx.bucket().unwrap_or_default();
    BucketName::parse_with(name, app.config.s3_bucket_names).map_err(|e| {
        ApiError::new(
            Code::InvalidBucketName,
            format!("The specified bucket is not valid: {e}"),
        )
    })
}

/// The addressed object key, validated.
pub(crate) fn object_key(ctx: &Ctx) -> Result<ObjectKey, ApiError> {
    ObjectKey::parse(ctx.key().unwrap_or_default()).map_err(|e| match e {
        crate::types::InvalidKey::TooLong(_) => ApiError::new(Code::KeyTooLong, e.to_string()),
        _ => ApiError::new(Code::InvalidArgument, e.to_string()),
    })
}

pub(crate) fn xml_response(status: StatusCode, body: String) -> Response<Body> {
    Response::builder()
        .status(status)
        .header("Content-Type", "application/xml")
        .header("Content-Length", body.len())
        .body(Body::from(body))
        .unwrap_or_default()
}

/// A listing's answer. Keys may hold characters XML 1.0 cannot carry (U+0001, U+FFFF, ...);
/// S3 writes them as character references anyway, which no conforming parser reads. cosd
/// refuses such a listing instead, naming `encoding-type=url`, which carries every key
/// (docs/wire-details.md).
pub(crate) fn xml_listing_response(w: crate::xml::XmlWriter) -> Result<Response<Body>, ApiError> {
    if let Some(c) = w.unrepresentable() {
        return Err(ApiError::new(
            Code::InvalidArgument,
            format!(
                "The listing contains a key with the character U+{:04X}, which XML 1.0 cannot \
                 carry; repeat the request with encoding-type=url.",
                c as u32
            ),
        ));
    }
    Ok(xml_response(StatusCode::OK, w.finish()))
}

pub(crate) fn empty_response(status: StatusCode) -> Response<Body> {
    let mut b = Response::builder().status(status);
    if status != StatusCode::NO_CONTENT {
        b = b.header("Content-Length", 0);
    }
    b.body(Body::empty()).unwrap_or_default()
}
