//! Thin handlers, one file per resource: read the request, call the service, render the reply.

mod body;
mod headers;
mod xml;

pub(crate) use body::{
    checksum_headers, read_verified, read_xml_body, request_body, write_condition, write_options,
};

use crate::http::error::{ApiError, Code};
use crate::http::op::Op;
use crate::http::Ctx;
use crate::meta::BucketRecord;
use crate::policy::{authorize, Access, Decision};
use crate::types::{BucketName, CannedAcl, ObjectKey};
use crate::AppState;
use axum::body::Body;
use http::{Response, StatusCode};
use std::sync::Arc;

pub async fn dispatch(
    app: &Arc<AppState>,
    ctx: &Ctx,
    body: Body,
) -> Result<Response<Body>, ApiError> {
    match ctx.op {
        Op::ListBuckets => xml::service::list_buckets(app, ctx),
        Op::CreateBucket => xml::bucket::create(app, ctx, body).await,
        Op::HeadBucket => xml::bucket::head(app, ctx),
        Op::DeleteBucket => xml::bucket::delete(app, ctx),
        Op::GetBucketLocation => xml::bucket::location(app, ctx),
        Op::ListObjects => xml::list::list_v1(app, ctx),
        Op::ListObjectsV2 => xml::list::list_v2(app, ctx),
        Op::DeleteObjects => xml::delete_multi::delete_objects(app, ctx, body).await,
        Op::PutObject => xml::object::put(app, ctx, body).await,
        Op::CopyObject => xml::copy::copy(app, ctx).await,
        Op::GetObject => xml::object::get(app, ctx, false),
        Op::HeadObject => xml::object::get(app, ctx, true),
        Op::DeleteObject => xml::object::delete(app, ctx).await,
        Op::InitiateMultipartUpload => xml::multipart::initiate(app, ctx),
        Op::UploadPart => xml::multipart::upload_part(app, ctx, body).await,
        Op::UploadPartCopy => xml::multipart::upload_part_copy(app, ctx).await,
        Op::CompleteMultipartUpload => xml::multipart::complete(app, ctx, body).await,
        Op::AbortMultipartUpload => xml::multipart::abort(app, ctx),
        Op::ListParts => xml::multipart::list_parts(app, ctx),
        Op::ListMultipartUploads => xml::multipart::list_uploads(app, ctx),
        Op::AppendObject => xml::append::append(app, ctx, body).await,
        Op::NotImplemented(name) => Err(ApiError::new(
            Code::NotImplemented,
            format!("cosd does not implement {name} yet"),
        )),
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

/// Loads the addressed bucket and checks `access` for the caller.
pub(crate) fn load_bucket(
    app: &AppState,
    ctx: &Ctx,
    access: Access,
    object_acl: Option<CannedAcl>,
) -> Result<BucketRecord, ApiError> {
    let name = bucket_name(ctx)?;
    let rec = app
        .store
        .get_bucket(name.as_str())?
        .ok_or_else(|| ApiError::new(Code::NoSuchBucket, "The specified bucket does not exist."))?;
    check(ctx, access, &rec, object_acl)?;
    Ok(rec)
}

pub(crate) fn check(
    ctx: &Ctx,
    access: Access,
    bucket: &BucketRecord,
    object_acl: Option<CannedAcl>,
) -> Result<(), ApiError> {
    match authorize(
        &ctx.identity,
        access,
        &bucket.owner_uin,
        bucket.acl,
        object_acl,
    ) {
        Decision::Allow => Ok(()),
        Decision::Deny => Err(ApiError::new(Code::AccessDenied, "Access Denied.")),
    }
}

pub(crate) fn xml_response(status: StatusCode, body: String) -> Response<Body> {
    Response::builder()
        .status(status)
        .header("Content-Type", "application/xml")
        .header("Content-Length", body.len())
        .body(Body::from(body))
        .unwrap_or_default()
}

pub(crate) fn empty_response(status: StatusCode) -> Response<Body> {
    let mut b = Response::builder().status(status);
    if status != StatusCode::NO_CONTENT {
        b = b.header("Content-Length", 0);
    }
    b.body(Body::empty()).unwrap_or_default()
}
