//! Request bodies as handlers take them: decoded and verified per the request's payload spec,
//! plus the write options (Content-MD5, flexible checksum, conditional-write headers).

use crate::api::error::{ApiError, Code};
use crate::api::headers::content_md5;
use crate::api::request::Ctx;
use crate::auth::payload::VerifiedBody;
use crate::checksum::{ChecksumAlgorithm, FlexChecksum};
use crate::service::{ServiceError, WriteCondition, WriteOptions};
use axum::body::{Body, BodyDataStream};
use futures_util::StreamExt;

/// The body of `ctx`, verified as its authentication and checksum headers demand. `require`
/// is a multipart upload's declared checksum algorithm, computed for every part.
pub(crate) fn request_body(
    ctx: &Ctx,
    body: Body,
    require: Option<ChecksumAlgorithm>,
) -> Result<VerifiedBody<BodyDataStream>, ApiError> {
    let mut spec = ctx.payload.clone();
    if let Some(a) = require {
        spec.require_algorithm(a)
            .map_err(|e| ApiError::new(Code::InvalidRequest, e.0))?;
    }
    let body = super::traffic::throttle_request(ctx, body)?;
    Ok(VerifiedBody::new(body.into_data_stream(), spec))
}

/// Buffers a small verified request body (XML configuration, part lists, policies) up to
/// `max` bytes, checking `Content-MD5` when the client sent one (spec 03 §1).
pub(crate) async fn read_xml_body(
    ctx: &Ctx,
    body: Body,
    max: usize,
) -> Result<bytes::Bytes, ApiError> {
    let md5 = content_md5(ctx)?;
    let bytes = read_verified(request_body(ctx, body, None)?, max).await?;
    if let Some(want) = md5 {
        use md5::{Digest, Md5};
        if Md5::digest(&bytes).as_slice() != want {
            return Err(ApiError::new(
                Code::BadDigest,
                "The Content-MD5 you specified did not match what was received.",
            ));
        }
    }
    Ok(bytes)
}

/// Buffers an already-wrapped verified body up to `max` bytes.
pub(crate) async fn read_verified(
    mut stream: VerifiedBody<BodyDataStream>,
    max: usize,
) -> Result<bytes::Bytes, ApiError> {
    let mut out = bytes::BytesMut::new();
    while let Some(item) = stream.next().await {
        let piece = item.map_err(|e| match e {
            crate::auth::payload::BodyError::Incomplete(_) => ApiError::new(
                Code::MalformedXML,
                "The XML you provided was too large or incomplete.",
            ),
            other => ApiError::from(ServiceError::Body(other)),
        })?;
        if out.len() + piece.len() > max {
            return Err(ApiError::new(
                Code::MalformedXML,
                "The XML you provided was too large or incomplete.",
            ));
        }
        out.extend_from_slice(&piece);
    }
    Ok(out.freeze())
}

/// `If-None-Match: *`, `If-Match` and `x-cos-forbid-overwrite` of a write.
pub(crate) fn write_condition(ctx: &Ctx) -> Result<WriteCondition, ApiError> {
    // `*`: only create (S3's conditional write); an ETag: not over the object with that ETag
    // (HTTP's meaning, as RGW and s3-tests have it).
    let if_none_match = ctx.header("if-none-match").map(str::trim);
    let if_none_match_any = if_none_match == Some("*");
    let forbid_overwrite = match ctx.header("x-cos-forbid-overwrite").map(str::trim) {
        None => false,
        Some(v) if v.eq_ignore_ascii_case("true") => true,
        Some(v) if v.eq_ignore_ascii_case("false") => false,
        Some(v) => {
            return Err(ApiError::new(
                Code::InvalidArgument,
                format!("x-cos-forbid-overwrite must be true or false, not {v:?}"),
            ))
        }
    };
    Ok(WriteCondition {
        if_none_match_any,
        if_none_match: if_none_match.filter(|v| *v != "*").map(str::to_string),
        if_match: ctx.header("if-match").map(str::to_string),
        forbid_overwrite,
    })
}

/// Content-MD5 and the conditions; the checksum slot is filled in from the body by the caller.
pub(crate) fn write_options(
    ctx: &Ctx,
    body: &VerifiedBody<BodyDataStream>,
) -> Result<WriteOptions, ApiError> {
    Ok(WriteOptions {
        content_md5: content_md5(ctx)?,
        checksum: Some(body.checksum_slot()),
        condition: write_condition(ctx)?,
        sse: None,
        event: None,
    })
}

/// Adds `x-amz-checksum-<algo>` (and `x-amz-checksum-type` for multipart objects).
pub(crate) fn checksum_headers(
    mut b: http::response::Builder,
    checksum: Option<&FlexChecksum>,
) -> http::response::Builder {
    if let Some(c) = checksum {
        b = b
            .header(c.algorithm.header(), c.wire())
            .header("x-amz-checksum-type", c.kind.name());
    }
    b
}
