//! PUT Object - Copy (`x-cos-copy-source`).

use super::lock::lock_headers;
use super::object::preconditions;
use super::versioning::version_id_header;
use crate::api::error::{ApiError, Code};
use crate::api::headers::{canned_acl, grant_headers, object_meta, storage_class};
use crate::api::request::Ctx;
use crate::api::sse::SseHeaders;
use crate::api::{write_condition, xml_response, Admitted, Granted, SourceGate};
use crate::auth::encode::decode_path;
use crate::crypto::{ObjectCipher, SseKind, SseRequest};
use crate::meta::BucketRecord;
use crate::meta::ObjectRecord;
use crate::service::{
    CopyParams, MetadataDirective, ObjectMeta, Reseal, ServiceError, SourceChanged, VersionRef,
    WriteOptions,
};
use crate::types::tags::{TagRules, Tags};
use crate::types::{BucketName, ObjectKey, StorageClass};
use crate::xml::{iso8601, XmlWriter};
use crate::AppState;
use futures_util::TryStreamExt;
use http::StatusCode;
use std::sync::Arc;

/// A parsed copy source: bucket, key and optional version id.
#[derive(Debug, PartialEq, Eq)]
pub struct CopySource {
    pub bucket: String,
    pub key: String,
    pub version_id: Option<String>,
}

/// Parses `<bucket-appid>.cos.<region>.myqcloud.com/<url-encoded key>[?versionId=]`, and the
/// S3 forms `/<bucket>/<key>` and `<bucket>/<key>` (spec 02 §3).
pub fn parse_copy_source(raw: &str) -> Option<CopySource> {
    let raw = raw.trim();
    let (path, query) = match raw.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (raw, None),
    };
    let path = path.strip_prefix('/').unwrap_or(path);
    let (head, key) = path.split_once('/')?;
    let bucket = head.split('.').next()?.to_string();
    let key = decode_path(key)?;
    if bucket.is_empty() || key.is_empty() {
        return None;
    }
    let version_id = query.and_then(|q| {
        crate::auth::encode::decode_query(q)
            .into_iter()
            .find(|(k, _)| k == "versionId")
            .map(|(_, v)| v)
    });
    Some(CopySource {
        bucket,
        key,
        version_id,
    })
}

/// PUT Object - Copy: the source is authorized through `source` (`GetObject` on it, seed
/// 002:1441-1533), whose grant the answer needs.
pub async fn copy(
    app: &Arc<AppState>,
    ctx: &Ctx,
    adm: &Admitted,
    source: SourceGate<'_>,
) -> Result<Granted, ApiError> {
    let (dst, dst_key) = (adm.bucket()?, adm.key()?);
    let raw = ctx
        .header("x-cos-copy-source")
        .or_else(|| ctx.header("x-amz-copy-source"))
        .unwrap_or("");
    let bad = || {
        ApiError::new(Code::InvalidArgument, "Copy Source must mention the source bucket and key: <bucket-appid>.cos.<region>.myqcloud.com/<key>")
    };
    let src = parse_copy_source(raw).ok_or_else(bad)?;
    BucketName::parse_with(&src.bucket, app.config.s3_bucket_names).map_err(|_| bad())?;
    ObjectKey::parse(&src.key)
        .map_err(|e| ApiError::new(Code::InvalidArgument, format!("Copy Source key: {e}")))?;
    let src_version = match src.version_id.as_deref() {
        None => None,
        Some(v) => VersionRef::parse(v).map_err(|_| {
            ApiError::new(
                Code::InvalidArgument,
                "Invalid version id specified in the copy source",
            )
        })?,
    };
    let src_bucket = source.bucket(&src.bucket, &src.key)?;
    let directive = match ctx
        .header("x-cos-metadata-directive")
        .or_else(|| ctx.header("x-amz-metadata-directive"))
    {
        None => MetadataDirective::Copy,
        Some(d) if d.eq_ignore_ascii_case("copy") => MetadataDirective::Copy,
        Some(d) if d.eq_ignore_ascii_case("replaced") || d.eq_ignore_ascii_case("replace") => {
            MetadataDirective::Replaced(Box::new(object_meta(ctx)?))
        }
        Some(d) => {
            return Err(ApiError::new(
                Code::InvalidArgument,
                format!("Unknown metadata directive {d:?}"),
            ))
        }
    };
    let tags = tagging_directive(ctx)?;
    let (retention, legal_hold) = lock_headers(ctx, dst, app.clock.now_ms())?;
    let (acl, grants) = (canned_acl(ctx, true)?, grant_headers(ctx)?);
    super::public_access::check_acl(dst, acl, &grants)?;
    let sse = crate::api::sse::headers(ctx)?;
    let dst_req = crate::api::sse::write_request(app, &sse, dst).await?;
    // A copy between an unencrypted and an encrypted object re-writes the bytes; otherwise the
    // chunks are shared and only the data key is wrapped anew (or nothing changes).
    let current = match src_version {
        None => app.store.load_object(&src.bucket, &src.key)?,
        Some(v) => app
            .store
            .find_version(&src.bucket, &src.key, v)?
            .map(|(_, r)| r),
    };
    if let Some(cur) = current.filter(|c| !c.delete_marker && c.sse.is_some() != dst_req.is_some())
    {
        return transcode(
            app,
            ctx,
            adm,
            source,
            &src,
            &src_bucket,
            cur,
            (directive, tags),
            &sse,
        )
        .await;
    }
    let reseal = dst_req.map(|req| reseal(app, &src_bucket.owner_uin, &dst.owner_uin, req, &sse));
    let params = CopyParams {
        reseal,
        src_bucket: &src.bucket,
        src_key: &src.key,
        src_version,
        retention,
        legal_hold,
        dst_bucket: &dst.name,
        dst_key: dst_key.as_str(),
        directive,
        storage_class: storage_class(ctx)?,
        acl,
        grants,
        // The destination's conditions, as PutObject applies them (`If-None-Match: *`,
        // `If-Match`, `x-cos-forbid-overwrite`), checked under the commit lock; the source's are
        // the `x-cos-copy-source-if-*` headers below.
        condition: write_condition(ctx)?,
        tags,
    };
    // Authorization and the copy-source preconditions, on the source as read outside the
    // commit lock; the store commits only that very source (see `Store::copy_object`).
    let check = |rec: Option<&ObjectRecord>| -> Result<(), ApiError> {
        let live = rec.filter(|r| !r.delete_marker);
        source.check(&src_bucket, &src.key, live)?;
        let Some(rec) = rec else {
            return Err(match src_version {
                Some(_) => ApiError::new(
                    Code::NoSuchVersion,
                    "The specified version of the copy source does not exist.",
                ),
                None => ApiError::new(Code::NoSuchKey, "The specified source key does not exist."),
            });
        };
        if rec.delete_marker {
            return Err(ApiError::new(
                Code::InvalidRequest,
                "The source of a copy request may not specifically refer to a delete marker by version id.",
            ));
        }
        readable_source(app, rec)?;
        // The source opens with the copy-source key it needs (SSE-C), and no other.
        crate::api::sse::for_read(
            app,
            &src_bucket.owner_uin,
            rec.sse.as_ref(),
            sse.copy_source_customer.as_ref(),
        )?;
        preconditions(ctx, rec, "x-cos-copy-source-", Code::PreconditionFailed)?;
        preconditions(ctx, rec, "x-amz-copy-source-", Code::PreconditionFailed)
    };
    let written = app.store.copy_object(params, check).await?;
    let grant = source.granted()?;
    let resp = copy_answer(
        ctx,
        &written.record,
        written.version_id.as_deref(),
        src.version_id.as_deref(),
    );
    Ok(grant.respond(resp))
}

/// `x-cos-tagging-directive` (S3: `x-amz-tagging-directive`): `Copy` (the default) keeps the
/// source's tags (None); `Replaced` (S3: `REPLACE`) takes the request's `x-cos-tagging`,
/// none without it.
fn tagging_directive(ctx: &Ctx) -> Result<Option<Tags>, ApiError> {
    match ctx.header("x-cos-tagging-directive") {
        None => Ok(None),
        Some(d) if d.trim().eq_ignore_ascii_case("copy") => Ok(None),
        Some(d)
            if d.trim().eq_ignore_ascii_case("replaced")
                || d.trim().eq_ignore_ascii_case("replace") =>
        {
            let rules = TagRules::object(super::tagging::is_s3(ctx));
            Ok(Some(
                super::tagging::header_tags(ctx, rules)?.unwrap_or_default(),
            ))
        }
        Some(d) => Err(ApiError::new(
            Code::InvalidArgument,
            format!("Unknown tagging directive {d:?}"),
        )),
    }
}

/// The new encryption of a copy that keeps the source's data key: the key opened (with the
/// copy-source customer key for SSE-C) and wrapped as `req` asks; the ETag is the plaintext's
/// MD5 unless the destination is SSE-C (`SseWrite::etag`), a multipart ETag stays as it is.
fn reseal(
    app: &Arc<AppState>,
    src_owner: &str,
    dst_owner: &str,
    req: SseRequest,
    sse: &SseHeaders,
) -> Reseal {
    let (app, src_owner, dst_owner) = (
        Arc::clone(app),
        src_owner.to_string(),
        dst_owner.to_string(),
    );
    let customer = sse.copy_source_customer.clone();
    Arc::new(move |src: &ObjectRecord| {
        let Some(src_sse) = &src.sse else {
            return Err(ServiceError::InvalidRequest(
                "The copy source changed its encryption while it was being copied; please retry."
                    .into(),
            ));
        };
        let dk = app
            .keys
            .data_key(&src_owner, src_sse, customer.as_ref())
            .map_err(|e| ServiceError::InvalidRequest(e.to_string()))?;
        let record = app
            .keys
            .wrap_for(&dst_owner, &req, &dk)
            .map_err(|e| ServiceError::InvalidRequest(e.to_string()))?;
        let mut etag = src.etag.clone();
        if let Ok(raw) = <[u8; 16]>::try_from(hex::decode(&src.etag).unwrap_or_default()) {
            let cipher = ObjectCipher::new(&dk);
            let md5 = match src_sse.kind {
                SseKind::Customer => cipher.open_etag(raw),
                _ => raw,
            };
            etag = match record.kind {
                SseKind::Customer => hex::encode(cipher.seal_etag(md5)),
                _ => hex::encode(md5),
            };
        }
        Ok((Some(record), etag))
    })
}

/// A copy from an unencrypted source to an encrypted destination or back: the source's bytes
/// are read (opened with its key) and written as a new object (sealed with a new key), with
/// the destination conditions of a PUT. The source is authorized and its preconditions
/// checked on the record read here.
#[allow(clippy::too_many_arguments)]
async fn transcode(
    app: &Arc<AppState>,
    ctx: &Ctx,
    adm: &Admitted,
    source: SourceGate<'_>,
    src: &CopySource,
    src_bucket: &BucketRecord,
    rec: ObjectRecord,
    (directive, tags): (MetadataDirective, Option<Tags>),
    sse: &SseHeaders,
) -> Result<Granted, ApiError> {
    let (dst, dst_key) = (adm.bucket()?, adm.key()?);
    let grant = source.pass(src_bucket, &src.key, &rec)?;
    readable_source(app, &rec)?;
    let src_cipher = crate::api::sse::for_read(
        app,
        &src_bucket.owner_uin,
        rec.sse.as_ref(),
        sse.copy_source_customer.as_ref(),
    )?;
    preconditions(ctx, &rec, "x-cos-copy-source-", Code::PreconditionFailed)?;
    preconditions(ctx, &rec, "x-amz-copy-source-", Code::PreconditionFailed)?;
    let mut meta = match directive {
        MetadataDirective::Replaced(m) => *m,
        MetadataDirective::Copy => ObjectMeta {
            content_type: rec.content_type.clone(),
            cache_control: rec.cache_control.clone(),
            content_disposition: rec.content_disposition.clone(),
            content_encoding: rec.content_encoding.clone(),
            content_language: rec.content_language.clone(),
            expires: rec.expires.clone(),
            meta: rec.meta.clone(),
            ..ObjectMeta::default()
        },
    };
    meta.tags = tags.unwrap_or_else(|| rec.tags.clone());
    meta.storage_class = storage_class(ctx)?.or(Some(StorageClass::of_stored(&rec.storage_class)));
    meta.acl = canned_acl(ctx, true)?;
    meta.grants = grant_headers(ctx)?;
    (meta.retention, meta.legal_hold) = lock_headers(ctx, dst, app.clock.now_ms())?;
    super::public_access::check_acl(dst, meta.acl, &meta.grants)?;
    let opts = WriteOptions {
        // The destination's conditions, as PutObject applies them.
        condition: write_condition(ctx)?,
        sse: crate::api::sse::for_write(app, sse, dst).await?,
        event: Some(crate::bucket_config::notification::EventName::CreatedCopy),
        ..Default::default()
    };
    let body = Box::pin(
        app.store
            .read_stream(&rec, None, src_cipher)
            .map_err(ServiceError::storage_io),
    );
    let out = app
        .store
        .put_object(&dst.name, dst_key.as_str(), body, meta, opts)
        .await?;
    let resp = copy_answer(
        ctx,
        &out.record,
        out.version_id.as_deref(),
        src.version_id.as_deref(),
    );
    Ok(grant.respond(resp))
}

/// A copy (or Upload Part - Copy) reads its source: an archived one must be restored first,
/// as S3 answers (403 InvalidObjectState).
pub(crate) fn readable_source(app: &AppState, rec: &ObjectRecord) -> Result<(), ApiError> {
    if crate::service::is_readable(rec, app.clock.now_ms()) {
        return Ok(());
    }
    Err(ApiError::new(
        Code::InvalidObjectState,
        "The source object of the COPY action is not in the active tier and is only stored in an archive class; restore it first.",
    ))
}

/// The answer to a copy, whichever way it was made: `CopyObjectResult` with the new object's
/// ETag, time and CRC64, its encryption, CRC64 and version headers.
fn copy_answer(
    ctx: &Ctx,
    rec: &crate::meta::ObjectRecord,
    new_version: Option<&str>,
    src_version: Option<&str>,
) -> http::Response<axum::body::Body> {
    let mut w = XmlWriter::new();
    w.open("CopyObjectResult")
        .elem("ETag", &format!("\"{}\"", rec.etag))
        .elem("LastModified", &iso8601(rec.mtime_ms))
        .elem("CRC64", &rec.crc64.to_string())
        .close("CopyObjectResult");
    let mut resp = xml_response(StatusCode::OK, w.finish());
    crate::api::sse::echo_into(&mut resp, ctx.dialect, rec.sse.as_ref());
    if let Ok(v) = rec.crc64.to_string().parse() {
        resp.headers_mut().insert("x-cos-hash-crc64ecma", v);
    }
    copy_version_headers(&mut resp, ctx, new_version, src_version);
    resp
}

/// `x-cos-version-id` of the new version and `x-cos-copy-source-version-id` of the source
/// version copied (S3 dialect: `x-amz-`).
pub(crate) fn copy_version_headers(
    resp: &mut http::Response<axum::body::Body>,
    ctx: &Ctx,
    new: Option<&str>,
    source: Option<&str>,
) {
    let h = resp.headers_mut();
    if let Some(v) = new.and_then(|v| v.parse().ok()) {
        h.insert(version_id_header(ctx), v);
    }
    if let Some(v) = source.and_then(|v| v.parse().ok()) {
        let name = format!("{}copy-source-version-id", ctx.dialect.prefix());
        if let Ok(name) = http::HeaderName::from_bytes(name.as_bytes()) {
            h.insert(name, v);
        }
    }
}

/// A source that kept changing between its check and the commit: a transient conflict the
/// client should retry.
impl From<SourceChanged> for ApiError {
    fn from(_: SourceChanged) -> Self {
        ApiError::new(
            Code::ServiceUnavailable,
            "The copy source changed while the copy was being made; please retry.",
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_source_forms() {
        let cs = |b: &str, k: &str, v: Option<&str>| {
            Some(CopySource {
                bucket: b.into(),
                key: k.into(),
                version_id: v.map(Into::into),
            })
        };
        assert_eq!(
            parse_copy_source("srcbucket-1250000000.cos.ap-guangzhou.myqcloud.com/src%20dir/%C3%BC.txt?versionId=v1"),
            cs("srcbucket-1250000000", "src dir/ü.txt", Some("v1"))
        );
        assert_eq!(
            parse_copy_source("/b-1/a/b.txt"),
            cs("b-1", "a/b.txt", None)
        );
        assert_eq!(parse_copy_source("b-1/a+b.txt"), cs("b-1", "a+b.txt", None));
        assert_eq!(
            parse_copy_source("b-1.cos.local:9000/k"),
            cs("b-1", "k", None)
        );
        assert_eq!(parse_copy_source("b-1"), None);
        assert_eq!(parse_copy_source("b-1/"), None);
        assert_eq!(parse_copy_source("/k"), None);
        assert_eq!(parse_copy_source("b-1/%FF"), None);
    }
}
