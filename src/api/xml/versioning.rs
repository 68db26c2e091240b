//! PUT / GET Bucket versioning, GET Bucket `?versions`, and the version parts of object
//! requests: the `versionId` parameter and the `x-cos-version-id` / `x-cos-delete-marker`
//! headers (docs/versioning.md).

use super::list::{encoder, max_keys, url_encoding};
use crate::api::error::{ApiError, Code};
use crate::api::request::authn::Dialect;
use crate::api::request::Ctx;
use crate::api::{read_xml_body, xml_listing_response, xml_response, Admitted, Reply};
use crate::bucket_config::versioning::{self, VersioningError, VersioningStatus};
use crate::meta::ObjectRecord;
use crate::service::{version_id, ServiceError, VersionListParams, VersionRef};
use crate::xml::{iso8601_ms, XmlWriter};
use crate::AppState;
use axum::body::Body;
use http::response::Builder;
use http::StatusCode;

/// The request's `versionId`: None for none or empty (the latest, 002:2295).
pub(crate) fn version_param(ctx: &Ctx) -> Result<Option<VersionRef>, ApiError> {
    match ctx.query("versionId") {
        None => Ok(None),
        Some(v) => parse_version_id(v),
    }
}

pub(crate) fn parse_version_id(v: &str) -> Result<Option<VersionRef>, ApiError> {
    VersionRef::parse(v)
        .map_err(|_| ApiError::new(Code::InvalidArgument, "Invalid version id specified"))
}

/// `x-cos-version-id` (S3 dialect: `x-amz-version-id`).
pub(crate) fn version_id_header(ctx: &Ctx) -> &'static str {
    match ctx.dialect {
        Dialect::Cos => "x-cos-version-id",
        Dialect::S3 => "x-amz-version-id",
    }
}

/// `x-cos-delete-marker` (S3 dialect: `x-amz-delete-marker`).
pub(crate) fn delete_marker_header(ctx: &Ctx) -> &'static str {
    match ctx.dialect {
        Dialect::Cos => "x-cos-delete-marker",
        Dialect::S3 => "x-amz-delete-marker",
    }
}

/// Adds the version id of a write, when the bucket's versioning is set.
pub(crate) fn with_version(b: Builder, ctx: &Ctx, id: Option<&str>) -> Builder {
    match id {
        Some(id) => b.header(version_id_header(ctx), id),
        None => b,
    }
}

/// The answer to GET/HEAD of a delete marker: 404 NoSuchKey for the latest version, 405
/// MethodNotAllowed when the marker was named by id (as S3 does), both saying it is a marker.
pub(crate) fn marker_error(ctx: &Ctx, rec: &ObjectRecord, by_id: bool) -> ApiError {
    let e = if by_id {
        ApiError::new(
            Code::MethodNotAllowed,
            "The specified method is not allowed against this resource.",
        )
        .with_header(
            "Last-Modified",
            crate::api::headers::http_date(rec.mtime_ms),
        )
    } else {
        ApiError::new(Code::NoSuchKey, "The specified key does not exist.")
    };
    e.with_header(delete_marker_header(ctx), "true".into())
        .with_header(version_id_header(ctx), version_id(rec))
}

/// A service error about one version, answered with its marker headers where it has them.
pub(crate) fn version_error(ctx: &Ctx, e: ServiceError) -> ApiError {
    match e {
        ServiceError::DeleteMarker(id) => ApiError::new(
            Code::MethodNotAllowed,
            "The specified method is not allowed against this resource.",
        )
        .with_header(delete_marker_header(ctx), "true".into())
        .with_header(version_id_header(ctx), id),
        other => other.into(),
    }
}

pub fn get(adm: &Admitted) -> Reply {
    let b = adm.bucket()?;
    Ok(xml_response(
        StatusCode::OK,
        versioning::render(b.versioning),
    ))
}

pub async fn put(app: &AppState, ctx: &Ctx, adm: &Admitted, body: Body) -> Reply {
    let b = adm.bucket()?;
    let bytes = read_xml_body(ctx, body, app.config.max_xml_body).await?;
    let status = versioning::parse(&bytes).map_err(|e| match e {
        VersioningError::Malformed(m) => ApiError::new(Code::MalformedXML, m),
        VersioningError::MfaDelete => ApiError::new(
            Code::NotImplemented,
            "cosd has no MFA devices: MfaDelete cannot be enabled.",
        ),
    })?;
    app.store
        .try_update_bucket(&b.name, move |rec| {
            if rec.object_lock.is_some() && status == VersioningStatus::Suspended {
                return Err(ServiceError::InvalidBucketState(
                    "An Object Lock configuration is present on this bucket, so the versioning state cannot be changed.".into(),
                ));
            }
            rec.versioning = Some(status);
            Ok(())
        })
        .await?;
    Ok(crate::api::empty_response(StatusCode::OK))
}

/// GET Bucket `?versions`.
pub fn list(app: &AppState, ctx: &Ctx, adm: &Admitted) -> Reply {
    let bucket = adm.bucket()?;
    let url = url_encoding(ctx)?;
    let key_marker = ctx.query("key-marker").filter(|k| !k.is_empty());
    let raw_version_marker = ctx.query("version-id-marker").filter(|v| !v.is_empty());
    if raw_version_marker.is_some() && key_marker.is_none() {
        return Err(ApiError::new(
            Code::InvalidArgument,
            "A version-id marker cannot be specified without a key marker.",
        ));
    }
    let p = VersionListParams {
        prefix: ctx.query("prefix").unwrap_or("").to_string(),
        delimiter: ctx
            .query("delimiter")
            .filter(|d| !d.is_empty())
            .map(str::to_string),
        key_marker: key_marker.map(str::to_string),
        version_marker: raw_version_marker
            .map(parse_version_id)
            .transpose()?
            .flatten(),
        max_keys: max_keys(ctx)?,
    };
    let page = app.store.list_versions(&bucket.name, &p)?;
    let enc = encoder(url);
    let mut w = XmlWriter::new();
    w.open("ListVersionsResult")
        .elem("Name", &bucket.name)
        .elem("Prefix", &enc(&p.prefix))
        .elem("KeyMarker", &enc(key_marker.unwrap_or("")))
        .elem("VersionIdMarker", raw_version_marker.unwrap_or(""))
        .elem("MaxKeys", &p.max_keys.to_string());
    if let Some(d) = &p.delimiter {
        w.elem("Delimiter", &enc(d));
    }
    if url {
        w.elem("EncodingType", "url");
    }
    w.elem("IsTruncated", if page.truncated { "true" } else { "false" });
    if page.truncated {
        if let Some(k) = &page.next_key_marker {
            w.elem("NextKeyMarker", &enc(k));
        }
        if let Some(v) = &page.next_version_marker {
            w.elem("NextVersionIdMarker", v);
        }
    }
    for e in &page.entries {
        let r = &e.record;
        let tag = if r.delete_marker {
            "DeleteMarker"
        } else {
            "Version"
        };
        w.open(tag)
            .elem("Key", &enc(&e.key))
            .elem("VersionId", &version_id(r))
            .elem("IsLatest", if e.latest { "true" } else { "false" })
            .elem("LastModified", &iso8601_ms(r.mtime_ms));
        if !r.delete_marker {
            w.elem("ETag", &format!("\"{}\"", r.etag))
                .elem("Size", &r.size.to_string())
                .elem(
                    "StorageClass",
                    crate::api::headers::class_name(ctx.dialect, &r.storage_class),
                );
        }
        super::owner(&mut w, "Owner", &bucket.owner_uin);
        w.close(tag);
    }
    for cp in &page.common_prefixes {
        w.open("CommonPrefixes")
            .elem("Prefix", &enc(cp))
            .close("CommonPrefixes");
    }
    w.close("ListVersionsResult");
    xml_listing_response(w)
}
