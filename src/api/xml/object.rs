//! PUT / GET / HEAD / DELETE Object.

use super::lock::lock_headers;
use super::versioning::{delete_marker_header, version_id_header, version_param, with_version};
use crate::api::authz::governance_bypass;
use crate::api::error::{ApiError, Code};
use crate::api::headers::{http_date, object_headers, object_meta};
use crate::api::request::authn::Dialect;
use crate::api::Reply;
use crate::api::{checksum_headers, request_body, write_options, Admitted};
use crate::api::{pipeline::AwaitFirstPiece, request::Ctx};
use crate::meta::ObjectRecord;
use crate::service::version_id;
use crate::types::{select_part, ByteRange, ETag, PartSelection, RangeError, RangeSpec};
use crate::AppState;
use axum::body::Body;
use http::{Response, StatusCode};
use std::sync::Arc;
use std::time::UNIX_EPOCH;

pub async fn put(app: &Arc<AppState>, ctx: &Ctx, adm: &Admitted, body: Body) -> Reply {
    let (bucket, key) = (adm.bucket()?, adm.key()?);
    // S3 Express appends (`x-amz-write-offset-bytes`) are not supported: refused rather than
    // taken as a PUT that would replace the object.
    if ctx.header("x-amz-write-offset-bytes").is_some() {
        return Err(ApiError::new(
            Code::NotImplemented,
            "x-amz-write-offset-bytes (append) is not implemented; use COS Append Object (POST ?append).",
        ));
    }
    let mut meta = object_meta(ctx)?;
    super::public_access::check_acl(bucket, meta.acl, &meta.grants)?;
    (meta.retention, meta.legal_hold) = lock_headers(ctx, bucket, app.clock.now_ms())?;
    check_body_framing(ctx, app.config.max_object_size)?;
    let sse = crate::api::sse::headers(ctx)?;
    let body = request_body(ctx, body, None)?;
    let mut opts = write_options(ctx, &body)?;
    opts.sse = crate::api::sse::for_write(app, &sse, bucket).await?;
    let out = app
        .store
        .put_object(&bucket.name, key.as_str(), body, meta, opts)
        .await?;
    let rec = out.record;
    let b = with_version(Response::builder(), ctx, out.version_id.as_deref());
    let b = crate::api::sse::echo(b, ctx.dialect, rec.sse.as_ref());
    checksum_headers(b, rec.checksum.as_ref())
        .header("ETag", format!("\"{}\"", rec.etag))
        .header("x-cos-hash-crc64ecma", rec.crc64.to_string())
        .header("Content-Length", 0)
        .body(Body::empty())
        .map_err(|e| ApiError::new(Code::InternalError, e.to_string()))
}

/// A body must come with a Content-Length (at most `max`) or chunked framing.
pub(crate) fn check_body_framing(ctx: &Ctx, max: u64) -> Result<(), ApiError> {
    let declared = match ctx.headers.get(http::header::CONTENT_LENGTH) {
        Some(v) => Some(
            v.to_str()
                .ok()
                .and_then(|s| s.trim().parse::<u64>().ok())
                .ok_or_else(|| ApiError::new(Code::InvalidArgument, "Invalid Content-Length"))?,
        ),
        None => None,
    };
    let chunked = ctx
        .headers
        .get(http::header::TRANSFER_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"));
    if declared.is_none() && !chunked {
        return Err(ApiError::new(
            Code::MissingContentLength,
            "You must provide the Content-Length HTTP header.",
        ));
    }
    if declared.is_some_and(|n| n > max) {
        return Err(ApiError::new(
            Code::EntityTooLarge,
            "Your proposed upload exceeds the maximum allowed size.",
        ));
    }
    Ok(())
}

fn parse_date(v: &str) -> Option<i64> {
    httpdate::parse_http_date(v.trim())
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map(|d| d.as_secs() as i64)
}

/// Evaluates If-Match / If-Unmodified-Since (412) and If-None-Match / If-Modified-Since (304)
/// with the precedence of RFC 7232 §6, over headers named `<prefix>if-...`.
pub(crate) fn preconditions(
    ctx: &Ctx,
    rec: &ObjectRecord,
    prefix: &str,
    not_modified: Code,
) -> Result<(), ApiError> {
    let etag = ETag(rec.etag.clone());
    let mtime = rec.mtime_ms.div_euclid(1000);
    let h = |n: &str| {
        if prefix.is_empty() {
            ctx.header(n)
        } else {
            ctx.header(&format!("{prefix}{n}"))
        }
    };
    let failed = || {
        ApiError::new(
            Code::PreconditionFailed,
            "At least one of the preconditions you specified did not hold.",
        )
    };
    if let Some(m) = h("if-match") {
        if !etag.matches_list(m) {
            return Err(failed());
        }
    } else if let Some(t) = h("if-unmodified-since").and_then(parse_date) {
        if mtime > t {
            return Err(failed());
        }
    }
    let nm = || {
        ApiError::new(not_modified, "Not Modified")
            .with_header("ETag", etag.quoted())
            .with_header("Last-Modified", http_date(rec.mtime_ms))
    };
    if let Some(m) = h("if-none-match") {
        if etag.matches_list(m) {
            return Err(nm());
        }
    } else if let Some(t) = h("if-modified-since").and_then(parse_date) {
        if mtime <= t {
            return Err(nm());
        }
    }
    Ok(())
}

/// `?partNumber=n` of GET/HEAD: the part's bytes (answered like a range, 206) and the
/// object's part count (0 for an object written in one piece, whose part 1 is all of it).
fn part_of(ctx: &Ctx, rec: &ObjectRecord) -> Result<Option<(Option<ByteRange>, usize)>, ApiError> {
    let Some(raw) = ctx
        .query
        .iter()
        .find(|(k, _)| k == "partNumber")
        .map(|(_, v)| v.as_str())
    else {
        return Ok(None);
    };
    let n = raw
        .parse::<u32>()
        .ok()
        .filter(|n| (1..=10_000).contains(n))
        .ok_or_else(|| {
            ApiError::new(
                Code::InvalidArgument,
                "Part number must be an integer between 1 and 10000, inclusive",
            )
        })?;
    if ctx.header("range").is_some() {
        return Err(ApiError::new(
            Code::InvalidRequest,
            "Cannot specify both Range header and partNumber query parameter",
        ));
    }
    let parts = rec.part_sizes.len();
    match select_part(&rec.part_sizes, rec.etag.contains('-'), n) {
        PartSelection::Whole => Ok(Some((None, parts))),
        PartSelection::Part(r) => Ok(Some((Some(r), parts))),
        PartSelection::NoSuchPart => Err(ApiError::new(
            Code::InvalidPartNumber,
            "The requested partnumber is not satisfiable",
        )),
        PartSelection::Unknown => Err(ApiError::new(
            Code::NotImplemented,
            "This object was completed before cosd kept part sizes; its parts cannot be read by number.",
        )),
    }
}

/// GET or HEAD Object, of the object admission loaded and authorized.
pub fn get(app: &Arc<AppState>, ctx: &Ctx, adm: &mut Admitted, head: bool) -> Reply {
    let mut rec = adm.take_object()?;
    // An encrypted object opens only with its key: an SSE-C one needs the customer's key in
    // the request, whatever else the request asks.
    let sse = crate::api::sse::headers(ctx)?;
    let owner = adm.bucket()?.owner_uin.clone();
    let cipher = crate::api::sse::for_read(app, &owner, rec.sse.as_ref(), sse.customer.as_ref())?;
    let rate = crate::api::traffic::limit(ctx)?;
    preconditions(ctx, &rec, "", Code::NotModified)?;
    // An archived version answers HEAD, but its bytes only once restored (S3 and COS: 403
    // InvalidObjectState); the stored class decides, so a lifecycle transition applies at once.
    let now = app.clock.now_ms();
    if !head && !crate::service::is_readable(&rec, now) {
        return Err(ApiError::new(
            Code::InvalidObjectState,
            "The operation is not valid for the object's storage class; restore the archived object first.",
        )
        .with_header(
            storage_class_header(ctx),
            crate::api::headers::class_name(ctx.dialect, &rec.storage_class).to_string(),
        ));
    }
    let part = part_of(ctx, &rec)?;
    let range = match ctx.header("range").map(RangeSpec::parse) {
        _ if part.is_some() => part.and_then(|(r, _)| r),
        None | Some(Err(_)) => None,
        Some(Ok(spec)) => match spec.resolve(rec.size) {
            Ok(r) => Some(r),
            Err(RangeError::Unsatisfiable) | Err(RangeError::Malformed) => {
                return Err(ApiError::new(
                    Code::InvalidRange,
                    "The requested range is not satisfiable",
                )
                .with_header("Content-Range", format!("bytes */{}", rec.size)));
            }
        },
    };
    let mut b = object_headers(Response::builder(), ctx, &rec);
    b = crate::api::headers::restore_header(b, ctx, &rec, now);
    b = crate::api::sse::echo(b, ctx.dialect, rec.sse.as_ref());
    // COS sends the version id on every GET/HEAD (`null` in unversioned buckets, 003:2935); S3
    // once the bucket's versioning was set.
    if ctx.dialect == Dialect::Cos || adm.bucket()?.versioning.is_some() || rec.version.is_some() {
        b = b.header(version_id_header(ctx), version_id(&rec));
    }
    if let Some(r) = &rec.retention {
        let p = ctx.dialect.prefix();
        b = b
            .header(format!("{p}object-lock-mode"), r.mode.as_str())
            .header(
                format!("{p}object-lock-retain-until-date"),
                crate::xml::iso8601_ms(r.until_ms),
            );
    }
    if let Some(on) = rec.legal_hold {
        let status = if on { "ON" } else { "OFF" };
        b = b.header(
            format!("{}object-lock-legal-hold", ctx.dialect.prefix()),
            status,
        );
    }
    if let Some((_, parts)) = part.filter(|(_, n)| *n > 0) {
        b = b.header(format!("{}mp-parts-count", ctx.dialect.prefix()), parts);
    }
    let checksum_mode = ctx
        .header("x-amz-checksum-mode")
        .is_some_and(|m| m.eq_ignore_ascii_case("enabled"));
    if checksum_mode && range.is_none() {
        b = checksum_headers(b, rec.checksum.as_ref());
    }
    let len = match range {
        Some(r) => {
            b = b
                .status(StatusCode::PARTIAL_CONTENT)
                .header("Content-Range", r.content_range(rec.size));
            r.len
        }
        None => rec.size,
    };
    b = b.header("Content-Length", len);
    let body = if head || len == 0 {
        Body::empty()
    } else if let Some(bytes) = crate::service::take_inline(&mut rec, range) {
        Body::from(bytes)
    } else {
        // The first piece is awaited before the status goes out (`http::first_piece`).
        b = b.extension(AwaitFirstPiece);
        let stream = ReadReport {
            inner: Box::pin(app.store.read_stream(&rec, range, cipher)),
            sent: 0,
            rid: ctx.request_id.clone(),
            bucket: ctx.bucket().unwrap_or_default().to_string(),
            key: ctx.key().unwrap_or_default().to_string(),
            transport: app.transport.clone(),
        };
        match rate {
            Some(rate) => Body::from_stream(crate::api::traffic::Throttled::new(stream, rate)),
            None => Body::from_stream(stream),
        }
    };
    b.body(body)
        .map_err(|e| ApiError::new(Code::InternalError, e.to_string()))
}

fn storage_class_header(ctx: &Ctx) -> &'static str {
    match ctx.dialect {
        Dialect::Cos => "x-cos-storage-class",
        Dialect::S3 => "x-amz-storage-class",
    }
}

/// An object's bytes on their way to the client, with any failed read logged at ERROR with
/// the request id and the object, and counted (`read_failures` in the health endpoint): after
/// the first byte the status cannot change and the client sees only a cut connection.
struct ReadReport<S> {
    inner: std::pin::Pin<Box<S>>,
    sent: u64,
    rid: String,
    bucket: String,
    key: String,
    transport: crate::net::transport::Transport,
}

impl<S> futures_util::Stream for ReadReport<S>
where
    S: futures_util::Stream<Item = Result<bytes::Bytes, std::io::Error>>,
{
    type Item = Result<bytes::Bytes, std::io::Error>;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        let this = &mut *self;
        let item = futures_util::ready!(this.inner.as_mut().poll_next(cx));
        match &item {
            Some(Ok(piece)) => this.sent += piece.len() as u64,
            Some(Err(e)) => {
                this.transport
                    .stats()
                    .read_failures
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let (bucket, key, at, sent) = (&this.bucket, &this.key, this.sent, this.sent > 0);
                crate::log_line::in_request(&this.rid, || {
                    if sent {
                        tracing::error!(%bucket, %key, offset = at, error = %e,
                            "object read failed mid-response; connection cut");
                    } else {
                        tracing::error!(%bucket, %key, error = %e,
                            "object read failed before the first byte");
                    }
                });
            }
            None => {}
        }
        std::task::Poll::Ready(item)
    }
}

/// DELETE Object: without `versionId`, the object (unversioned bucket) or a new delete marker
/// (versioned); with one, that version for good unless object lock protects it.
pub async fn delete(app: &Arc<AppState>, ctx: &Ctx, adm: &Admitted) -> Reply {
    let (bucket, key) = (adm.bucket()?, adm.key()?);
    let mut b = Response::builder().status(StatusCode::NO_CONTENT);
    match version_param(ctx)? {
        None => {
            let staged = app.store.delete_object(&bucket.name, key.as_str()).await?;
            if staged.marker {
                b = b.header(delete_marker_header(ctx), "true");
            }
            b = with_version(b, ctx, staged.version_id.as_deref());
        }
        Some(which) => {
            let bypass = governance_bypass(app, ctx, bucket, key.as_str());
            let removed = app
                .store
                .delete_version(&bucket.name, key.as_str(), which, bypass)
                .await?;
            match removed {
                Some(r) => {
                    if r.marker {
                        b = b.header(delete_marker_header(ctx), "true");
                    }
                    b = b.header(version_id_header(ctx), r.version_id);
                }
                // S3 answers a version that is not there like one it removed.
                None => {
                    if let Some(id) = ctx.query("versionId") {
                        b = b.header(version_id_header(ctx), id);
                    }
                }
            }
        }
    }
    b.header("Content-Length", 0)
        .body(Body::empty())
        .map_err(|e| ApiError::new(Code::InternalError, e.to_string()))
}
