//! POST Object ?append&position=N (Append Object).

use super::object::check_body_framing;
use crate::api::error::{ApiError, Code};
use crate::api::headers::{content_md5, object_meta};
use crate::api::request::Ctx;
use crate::api::Reply;
use crate::api::{request_body, Admitted};
use crate::service::WriteOptions;
use crate::AppState;
use axum::body::Body;
use http::Response;
use std::sync::Arc;

pub async fn append(app: &Arc<AppState>, ctx: &Ctx, adm: &Admitted, body: Body) -> Reply {
    let (bucket, key) = (adm.bucket()?, adm.key()?);
    let position: u64 = ctx
        .query("position")
        .and_then(|p| p.trim().parse().ok())
        .ok_or_else(|| {
            ApiError::new(
                Code::InvalidArgument,
                "Append requires a numeric position parameter.",
            )
        })?;
    check_body_framing(ctx, app.config.max_object_size)?;
    // Appending re-seals nothing yet: an encrypted append is refused, never stored in plain.
    let sse = crate::api::sse::headers(ctx)?;
    if sse.server.is_some() || sse.customer.is_some() || bucket.encryption.is_some() {
        return Err(ApiError::new(
            Code::NotImplemented,
            "Append Object with server-side encryption (or into a bucket with default encryption) is not implemented.",
        ));
    }
    let meta = object_meta(ctx)?;
    // COS appends no INTELLIGENT_TIERING or multi-AZ object; nor does cosd an archived one.
    // (An existing appendable object keeps its class whatever the header says, as COS does.)
    if let Some(c) = meta.storage_class.filter(|c| !c.appendable()) {
        return Err(ApiError::new(
            Code::InvalidArgument,
            format!("Append Object does not support the {c} storage class."),
        ));
    }
    let body = request_body(ctx, body, None)?;
    let opts = WriteOptions {
        content_md5: content_md5(ctx)?,
        ..Default::default()
    };
    let out = app
        .store
        .append_object(&bucket.name, key.as_str(), position, body, meta, opts)
        .await?;
    if out.record.size > app.config.max_object_size {
        tracing::warn!(
            size = out.record.size,
            "appendable object exceeds max_object_size"
        );
    }
    Response::builder()
        .header("ETag", format!("\"{}\"", out.record.etag))
        .header("x-cos-hash-crc64ecma", out.record.crc64.to_string())
        .header("x-cos-next-append-position", out.record.size.to_string())
        .header("x-cos-content-sha1", hex::encode(out.appended_md5))
        .header("Content-Length", 0)
        .body(Body::empty())
        .map_err(|e| ApiError::new(Code::InternalError, e.to_string()))
}
