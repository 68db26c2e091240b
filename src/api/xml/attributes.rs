//! GET Object attributes (`?attributes`, S3's GetObjectAttributes): the attributes named in
//! `x-amz-object-attributes` of the object (or the version `versionId` names) admission
//! loaded and authorized, without its body.

use super::versioning::version_id_header;
use crate::api::error::{ApiError, Code};
use crate::api::headers::http_date;
use crate::api::request::Ctx;
use crate::api::{Admitted, Reply};
use crate::service::version_id;
use crate::xml::XmlWriter;
use http::StatusCode;

const KNOWN: &[&str] = &[
    "ETag",
    "Checksum",
    "ObjectParts",
    "StorageClass",
    "ObjectSize",
];

/// The attributes asked for, in S3's spelling; at least one, each known.
fn wanted(ctx: &Ctx) -> Result<Vec<&'static str>, ApiError> {
    // One comma-separated value, or the header repeated (as the AWS SDKs send a list).
    let raw: Vec<&str> = ctx
        .headers
        .get_all("x-cos-object-attributes")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    let mut out = Vec::new();
    for name in raw
        .iter()
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        let known = KNOWN
            .iter()
            .find(|k| k.eq_ignore_ascii_case(name))
            .ok_or_else(|| {
                ApiError::new(
                    Code::InvalidArgument,
                    format!("Invalid attribute name specified: {name}"),
                )
            })?;
        if !out.contains(known) {
            out.push(*known);
        }
    }
    if out.is_empty() {
        return Err(ApiError::new(
            Code::InvalidArgument,
            "The x-amz-object-attributes header specifying the attributes to be retrieved is either missing or empty",
        ));
    }
    Ok(out)
}

/// `x-amz-max-parts` (default and cap 1000) and `x-amz-part-number-marker` (default 0).
fn part_paging(ctx: &Ctx) -> Result<(usize, usize), ApiError> {
    let num = |name: &str, default: usize| match ctx.header(name) {
        None => Ok(default),
        Some(v) => v.trim().parse::<usize>().map_err(|_| {
            ApiError::new(
                Code::InvalidArgument,
                format!("{name} must be a non-negative integer, not {v:?}"),
            )
        }),
    };
    Ok((
        num("x-amz-max-parts", 1000)?.min(1000),
        num("x-amz-part-number-marker", 0)?,
    ))
}

pub fn get(app: &crate::AppState, ctx: &Ctx, adm: &Admitted) -> Reply {
    let rec = adm.object()?;
    // As S3: an SSE-C object's attributes need its key (docs/encryption.md).
    let sse = crate::api::sse::headers(ctx)?;
    crate::api::sse::for_read(
        app,
        &adm.bucket()?.owner_uin,
        rec.sse.as_ref(),
        sse.customer.as_ref(),
    )?;
    let wanted = wanted(ctx)?;
    let mut w = XmlWriter::new();
    w.open("GetObjectAttributesResponse");
    for attr in &wanted {
        match *attr {
            "ETag" => {
                w.elem("ETag", &rec.etag);
            }
            "Checksum" => {
                if let Some(c) = &rec.checksum {
                    w.open("Checksum")
                        .elem(c.algorithm.xml_tag(), &c.wire())
                        .elem("ChecksumType", c.kind.name())
                        .close("Checksum");
                }
            }
            "ObjectParts" => {
                // A multipart object's ETag ends in -<parts> (S3 names the count `PartsCount`
                // on the wire); the part list pages with x-amz-max-parts and
                // x-amz-part-number-marker. Objects completed before part sizes were kept
                // show the count only.
                if let Some(n) = rec
                    .etag
                    .rsplit_once('-')
                    .and_then(|(_, n)| n.parse::<usize>().ok())
                {
                    let (max, marker) = part_paging(ctx)?;
                    w.open("ObjectParts").elem("PartsCount", &n.to_string());
                    if !rec.part_sizes.is_empty() {
                        let page: Vec<(usize, u64)> = rec
                            .part_sizes
                            .iter()
                            .copied()
                            .enumerate()
                            .map(|(i, size)| (i + 1, size))
                            .filter(|(n, _)| *n > marker)
                            .take(max)
                            .collect();
                        let last = page.last().map_or(marker, |(n, _)| *n);
                        w.elem("PartNumberMarker", &marker.to_string())
                            .elem("NextPartNumberMarker", &last.to_string())
                            .elem("MaxParts", &max.to_string())
                            .elem("IsTruncated", if last < n { "true" } else { "false" });
                        for (n, size) in page {
                            w.open("Part")
                                .elem("PartNumber", &n.to_string())
                                .elem("Size", &size.to_string())
                                .close("Part");
                        }
                    }
                    w.close("ObjectParts");
                }
            }
            "StorageClass" => {
                w.elem(
                    "StorageClass",
                    crate::api::headers::class_name(ctx.dialect, &rec.storage_class),
                );
            }
            _ => {
                w.elem("ObjectSize", &rec.size.to_string());
            }
        }
    }
    w.close("GetObjectAttributesResponse");
    let body = w.finish();
    let mut b = http::Response::builder()
        .status(StatusCode::OK)
        .header("Content-Type", "application/xml")
        .header("Content-Length", body.len())
        .header("Last-Modified", http_date(rec.mtime_ms));
    if adm.bucket()?.versioning.is_some() || rec.version.is_some() {
        b = b.header(version_id_header(ctx), version_id(rec));
    }
    b.body(axum::body::Body::from(body))
        .map_err(|e| ApiError::new(Code::InternalError, e.to_string()))
}
