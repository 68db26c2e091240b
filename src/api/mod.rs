//! Thin handlers, one file per resource: read the request, call the service, render the reply.

pub mod admin;
pub(crate) mod authz;
mod body;
pub(crate) mod content_type;
pub mod error;
mod headers;
pub(crate) mod json;
pub mod pipeline;
pub mod request;
pub use xml::cors::decorate as cors_headers;
pub use xml::referer::denied_error as referer_denied_error;
mod post_object;
pub(crate) mod sts;
pub(crate) mod traffic;
pub(crate) mod website;
mod xml;

pub(crate) use authz::{authorize_in, load_bucket};

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

pub async fn dispatch(
    app: &Arc<AppState>,
    ctx: &Ctx,
    body: Body,
) -> Result<Response<Body>, ApiError> {
    xml::referer::check(app, ctx)?;
    match ctx.op {
        Op::ListBuckets => xml::service::list_buckets(app, ctx),
        Op::CreateBucket => xml::bucket::create(app, ctx, body).await,
        Op::HeadBucket => xml::bucket::head(app, ctx),
        Op::DeleteBucket => xml::bucket::delete(app, ctx).await,
        Op::GetBucketLocation => xml::bucket::location(app, ctx),
        Op::ListObjects => xml::list::list_v1(app, ctx),
        Op::ListObjectsV2 => xml::list::list_v2(app, ctx),
        Op::DeleteObjects => xml::delete_multi::delete_objects(app, ctx, body).await,
        Op::PutObject => xml::object::put(app, ctx, body).await,
        Op::CopyObject => xml::copy::copy(app, ctx).await,
        Op::GetObject => xml::object::get(app, ctx, false),
        Op::HeadObject => xml::object::get(app, ctx, true),
        Op::DeleteObject => xml::object::delete(app, ctx).await,
        Op::InitiateMultipartUpload => xml::multipart::initiate(app, ctx).await,
        Op::UploadPart => xml::multipart::upload_part(app, ctx, body).await,
        Op::UploadPartCopy => xml::multipart::upload_part_copy(app, ctx).await,
        Op::CompleteMultipartUpload => xml::multipart::complete(app, ctx, body).await,
        Op::AbortMultipartUpload => xml::multipart::abort(app, ctx).await,
        Op::ListParts => xml::multipart::list_parts(app, ctx),
        Op::ListMultipartUploads => xml::multipart::list_uploads(app, ctx),
        Op::AppendObject => xml::append::append(app, ctx, body).await,
        Op::PostObject => post_object::post(app, ctx, body).await,
        Op::GetBucketAcl => xml::acl::get_bucket(app, ctx),
        Op::PutBucketAcl => xml::acl::put_bucket(app, ctx, body).await,
        Op::GetObjectAcl => xml::acl::get_object(app, ctx),
        Op::PutObjectAcl => xml::acl::put_object(app, ctx, body).await,
        Op::GetBucketPolicy => xml::policy::get(app, ctx),
        Op::PutBucketPolicy => xml::policy::put(app, ctx, body).await,
        Op::DeleteBucketPolicy => xml::policy::delete(app, ctx).await,
        Op::GetBucketTagging => xml::tagging::get(app, ctx),
        Op::PutBucketTagging => xml::tagging::put(app, ctx, body).await,
        Op::DeleteBucketTagging => xml::tagging::delete(app, ctx).await,
        Op::GetBucketCors => xml::cors::get(app, ctx),
        Op::PutBucketCors => xml::cors::put(app, ctx, body).await,
        Op::DeleteBucketCors => xml::cors::delete(app, ctx).await,
        Op::OptionsObject => xml::cors::preflight(app, ctx),
        Op::GetBucketWebsite => xml::website::get(app, ctx),
        Op::PutBucketWebsite => xml::website::put(app, ctx, body).await,
        Op::DeleteBucketWebsite => xml::website::delete(app, ctx).await,
        Op::GetBucketReferer => xml::referer::get(app, ctx),
        Op::PutBucketReferer => xml::referer::put(app, ctx, body).await,
        Op::DeleteBucketReferer => xml::referer::delete(app, ctx).await,
        Op::Admin => {
            let path = ctx.admin_path.as_deref().unwrap_or_default();
            Ok(admin::dispatch(app, ctx, path, body).await)
        }
        Op::NotImplemented(name) => {
            authz::authorize_unimplemented(app, ctx, name)?;
            Err(ApiError::new(
                Code::NotImplemented,
                format!("cosd does not implement {name} yet"),
            ))
        }
        Op::MethodNotAllowed => Err(ApiError::new(
            Code::MethodNotAllowed,
            format!(
                "The specified method {} is not allowed against this resource.",
                ctx.method
            ),
        )),
    }
}

/// The addressed bucket's name, validated.
pub(crate) fn bucket_name(ctx: &Ctx) -> Result<BucketName, ApiError> {
    let name = ctx.bucket().unwrap_or_default();
    BucketName::parse(name).map_err(|e| {
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
