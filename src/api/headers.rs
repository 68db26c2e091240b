//! Object metadata from request headers, and object headers for responses.

use crate::api::error::{ApiError, Code};
use crate::api::request::authn::Dialect;
use crate::api::request::Ctx;
use crate::meta::ObjectRecord;
use crate::policy::acl::{parse_grant_header, Grant, GRANT_HEADERS};
use crate::service::archive::{restore_status, RestoreStatus};
use crate::service::ObjectMeta;
use crate::types::{CannedAcl, ClassDialect, StorageClass};
use base64::Engine;
use http::response::Builder;
use http::HeaderValue;

/// Total size allowed for user metadata (names and values of `x-cos-meta-*`), bytes.
pub const MAX_USER_META: usize = 2048;

fn text(ctx: &Ctx, name: &str) -> Option<String> {
    ctx.header(name).map(str::to_string)
}

/// Reads `x-cos-acl` / `x-amz-acl`.
pub fn canned_acl(ctx: &Ctx, allow_default: bool) -> Result<Option<CannedAcl>, ApiError> {
    match ctx.header("x-cos-acl").or_else(|| ctx.header("x-amz-acl")) {
        None => Ok(None),
        Some(v) => match CannedAcl::parse(v) {
            Some(acl) if !allow_default && !acl.applies_to_buckets() => Err(ApiError::new(
                Code::InvalidArgument,
                format!("x-cos-acl: {} applies to objects only", acl.as_str()),
            )),
            Some(acl) => Ok(Some(acl)),
            None => Err(ApiError::new(
                Code::InvalidArgument,
                format!("Invalid x-cos-acl value {v:?}"),
            )),
        },
    }
}

/// Reads the `x-cos-grant-*` headers (`x-amz-grant-*` arrive under the same names).
pub fn grant_headers(ctx: &Ctx) -> Result<Vec<Grant>, ApiError> {
    let mut out = Vec::new();
    for (name, permission) in GRANT_HEADERS {
        if let Some(v) = ctx.header(name) {
            out.extend(
                parse_grant_header(v, *permission)
                    .map_err(|e| ApiError::new(Code::InvalidArgument, format!("{name}: {e}")))?,
            );
        }
    }
    if out.len() > MAX_GRANTS {
        return Err(too_many_grants(out.len(), Code::InvalidArgument));
    }
    Ok(out)
}

/// S3 caps an ACL at 100 grants ("An ACL can have up to 100 grants"); so does cosd, for the
/// x-cos-grant-* headers and the AccessControlPolicy body alike (docs/wire-details.md).
pub const MAX_GRANTS: usize = 100;

pub fn too_many_grants(n: usize, code: Code) -> ApiError {
    ApiError::new(
        code,
        format!("An ACL can have at most {MAX_GRANTS} grants; the request has {n}."),
    )
}

/// The storage class names of the request's dialect (docs/storage-classes.md).
pub fn class_dialect(d: Dialect) -> ClassDialect {
    match d {
        Dialect::Cos => ClassDialect::Cos,
        Dialect::S3 => ClassDialect::S3,
    }
}

/// A stored class (its COS name) as the request's dialect shows it: S3 clients read S3's
/// name where S3 has the class (ARCHIVE is GLACIER).
pub fn class_name(d: Dialect, stored: &str) -> &'static str {
    StorageClass::of_stored(stored).display(class_dialect(d))
}

/// Reads `x-cos-storage-class` / `x-amz-storage-class`: a class the dialect names, else 400
/// (COS: InvalidArgument; S3: InvalidStorageClass, the code boto3 and the AWS CLI expect).
pub fn storage_class(ctx: &Ctx) -> Result<Option<StorageClass>, ApiError> {
    match ctx
        .header("x-cos-storage-class")
        .or_else(|| ctx.header("x-amz-storage-class"))
    {
        None => Ok(None),
        Some(v) => StorageClass::parse(v, class_dialect(ctx.dialect))
            .map(Some)
            .map_err(|_| {
                let code = match ctx.dialect {
                    Dialect::Cos => Code::InvalidArgument,
                    Dialect::S3 => Code::InvalidStorageClass,
                };
                ApiError::new(
                    code,
                    format!("The storage class you specified is not valid: {v:?}"),
                )
            }),
    }
}

/// `x-cos-restore` (S3: `x-amz-restore`) of an archived version with a restore running or
/// ready, as COS and S3 write it.
pub fn restore_header(b: Builder, ctx: &Ctx, rec: &ObjectRecord, now_ms: i64) -> Builder {
    let value = match restore_status(rec, now_ms) {
        None => return b,
        Some(RestoreStatus::Ongoing) => "ongoing-request=\"true\"".to_string(),
        Some(RestoreStatus::Ready { expires_ms }) => format!(
            "ongoing-request=\"false\", expiry-date=\"{}\"",
            http_date(expires_ms)
        ),
    };
    set(b, &format!("{}restore", ctx.dialect.prefix()), &value)
}

/// The metadata an upload or a replacing copy carries.
pub fn object_meta(ctx: &Ctx) -> Result<ObjectMeta, ApiError> {
    let mut meta = Vec::new();
    let mut total = 0usize;
    for (name, value) in ctx.headers.iter() {
        let n = name.as_str();
        // `x-amz-meta-*` arrives aliased as `x-cos-meta-*` as well (http::alias_amz_headers).
        let Some(suffix) = n.strip_prefix("x-cos-meta-") else {
            continue;
        };
        let v = std::str::from_utf8(value.as_bytes()).map_err(|_| {
            ApiError::new(
                Code::InvalidArgument,
                format!("The value of {n} is not valid UTF-8"),
            )
        })?;
        total += suffix.len() + v.len();
        meta.push((suffix.to_string(), v.to_string()));
    }
    if total > MAX_USER_META {
        return Err(ApiError::new(
            Code::MetadataTooLarge,
            format!(
                "Your metadata headers are {total} bytes; at most {MAX_USER_META} are allowed."
            ),
        ));
    }
    meta.sort();
    meta.dedup_by(|a, b| a.0 == b.0);
    Ok(ObjectMeta {
        // Without a Content-Type, COS infers one from the key's extension.
        content_type: text(ctx, "content-type").or_else(|| {
            ctx.key()
                .and_then(super::content_type::for_key)
                .map(str::to_string)
        }),
        cache_control: text(ctx, "cache-control"),
        content_disposition: text(ctx, "content-disposition"),
        content_encoding: content_encoding(ctx),
        content_language: text(ctx, "content-language"),
        expires: text(ctx, "expires"),
        meta,
        storage_class: storage_class(ctx)?,
        acl: canned_acl(ctx, true)?,
        grants: grant_headers(ctx)?,
        tags: super::xml::tagging::header_tags(
            ctx,
            crate::types::tags::TagRules::object(super::xml::tagging::is_s3(ctx)),
        )?
        .unwrap_or_default(),
        ..ObjectMeta::default()
    })
}

/// `Content-Encoding` as stored: without the `aws-chunked` transfer framing S3 clients add.
fn content_encoding(ctx: &Ctx) -> Option<String> {
    let v = ctx.header("content-encoding")?;
    let kept: Vec<&str> = v
        .split(',')
        .map(str::trim)
        .filter(|e| !e.is_empty() && !e.eq_ignore_ascii_case("aws-chunked"))
        .collect();
    (!kept.is_empty()).then(|| kept.join(", "))
}

/// `Content-MD5` (base64 of 16 bytes), if present.
pub fn content_md5(ctx: &Ctx) -> Result<Option<[u8; 16]>, ApiError> {
    let Some(v) = ctx.header("content-md5") else {
        return Ok(None);
    };
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(v.trim())
        .map_err(|_| {
            ApiError::new(
                Code::InvalidDigest,
                "The Content-MD5 you specified is not valid.",
            )
        })?;
    let arr: [u8; 16] = bytes.try_into().map_err(|_| {
        ApiError::new(
            Code::InvalidDigest,
            "The Content-MD5 you specified is not valid.",
        )
    })?;
    Ok(Some(arr))
}

pub fn http_date(ms: i64) -> String {
    let t = std::time::UNIX_EPOCH + std::time::Duration::from_millis(ms.max(0) as u64);
    httpdate::fmt_http_date(t)
}

fn set(b: Builder, name: &str, value: &str) -> Builder {
    match HeaderValue::from_bytes(value.as_bytes()) {
        Ok(v) => b.header(name, v),
        Err(_) => b,
    }
}

/// Standard object headers for GET/HEAD, honouring `response-*` overrides.
pub fn object_headers(mut b: Builder, ctx: &Ctx, rec: &ObjectRecord) -> Builder {
    let ov = |param: &str, stored: Option<&str>| -> Option<String> {
        ctx.query(param)
            .map(str::to_string)
            .or_else(|| stored.map(str::to_string))
    };
    let ct = ov("response-content-type", rec.content_type.as_deref())
        .unwrap_or_else(|| "application/octet-stream".into());
    b = set(b, "Content-Type", &ct);
    for (param, header, stored) in [
        (
            "response-cache-control",
            "Cache-Control",
            rec.cache_control.as_deref(),
        ),
        (
            "response-content-disposition",
            "Content-Disposition",
            rec.content_disposition.as_deref(),
        ),
        (
            "response-content-encoding",
            "Content-Encoding",
            rec.content_encoding.as_deref(),
        ),
        (
            "response-content-language",
            "Content-Language",
            rec.content_language.as_deref(),
        ),
        ("response-expires", "Expires", rec.expires.as_deref()),
    ] {
        if let Some(v) = ov(param, stored) {
            b = set(b, header, &v);
        }
    }
    // Names as constants: parsing a name costs a hash and a table walk, on every GET.
    const CRC64: http::HeaderName = http::HeaderName::from_static("x-cos-hash-crc64ecma");
    b = b
        .header(http::header::ETAG, format!("\"{}\"", rec.etag))
        .header(http::header::LAST_MODIFIED, http_date(rec.mtime_ms))
        .header(http::header::ACCEPT_RANGES, "bytes")
        .header(CRC64, rec.crc64.to_string());
    if rec.appendable {
        b = b.header("x-cos-object-type", "appendable");
    }
    let prefix = ctx.dialect.prefix();
    let class = StorageClass::of_stored(&rec.storage_class);
    if class != StorageClass::Standard {
        b = set(
            b,
            &format!("{prefix}storage-class"),
            class.display(class_dialect(ctx.dialect)),
        );
    }
    for (k, v) in &rec.meta {
        b = set(b, &format!("{prefix}meta-{k}"), v);
    }
    if !rec.tags.is_empty() {
        b = b.header(format!("{prefix}tagging-count"), rec.tags.len());
    }
    b
}
