//! Multipart upload: initiate, upload part (and part copy), complete, abort, list parts, list
//! uploads.

use super::copy::parse_copy_source;
use super::lock::lock_headers;
use super::object::{check_body_framing, preconditions};
use crate::api::error::{ApiError, Code};
use crate::api::headers::{class_name, content_md5, object_meta};
use crate::api::request::op::{PartNumber, UploadId};
use crate::api::request::Ctx;
use crate::api::Reply;
use crate::api::{
    checksum_headers, read_verified, request_body, write_condition, xml_response, Admitted,
    Granted, SourceGate,
};
use crate::auth::encode::encode_key;
use crate::auth::payload::VerifiedBody;
use crate::auth::Identity;
use crate::checksum::{ChecksumAlgorithm, ChecksumType};
use crate::service::{CompletePart, ServiceError, WriteOptions, MAX_PART_NUMBER, MAX_PART_SIZE};
use crate::types::{ObjectKey, RangeSpec};
use crate::xml::{iso8601, iso8601_ms, parse_complete, XmlWriter};
use crate::AppState;
use axum::body::Body;
use futures_util::TryStreamExt;
use http::{Response, StatusCode};
use std::sync::Arc;

fn uin(ctx: &Ctx) -> String {
    match &ctx.identity {
        Identity::Account { uin, .. } => uin.clone(),
        Identity::Anonymous => "anonymous".into(),
    }
}

pub async fn initiate(app: &AppState, ctx: &Ctx, adm: &Admitted) -> Reply {
    let (bucket, key) = (adm.bucket()?, adm.key()?);
    let mut meta = object_meta(ctx)?;
    super::public_access::check_acl(bucket, meta.acl, &meta.grants)?;
    (meta.retention, meta.legal_hold) = lock_headers(ctx, bucket, app.clock.now_ms())?;
    // The upload's data key is made now, wrapped on the template; each part opens it.
    let sse = crate::api::sse::headers(ctx)?;
    meta.sse = crate::api::sse::for_write(app, &sse, bucket)
        .await?
        .map(|w| w.record);
    let checksum = match ctx.header("x-amz-checksum-algorithm") {
        None => None,
        Some(a) => {
            let algo = ChecksumAlgorithm::from_name(a).ok_or_else(|| {
                ApiError::new(
                    Code::InvalidRequest,
                    format!("Checksum algorithm {a} is not supported"),
                )
            })?;
            let kind = match ctx.header("x-amz-checksum-type") {
                None => None,
                Some(t) => Some(ChecksumType::from_name(t).ok_or_else(|| {
                    ApiError::new(
                        Code::InvalidRequest,
                        format!("x-amz-checksum-type must be COMPOSITE or FULL_OBJECT, not {t}"),
                    )
                })?),
            };
            if kind == Some(ChecksumType::FullObject)
                && matches!(algo, ChecksumAlgorithm::Sha1 | ChecksumAlgorithm::Sha256)
            {
                return Err(ApiError::new(
                    Code::InvalidRequest,
                    "The FULL_OBJECT checksum type is only supported for CRC algorithms.",
                ));
            }
            Some((algo, kind))
        }
    };
    let meta_sse = meta.sse.clone();
    let id = app
        .store
        .initiate_upload(&bucket.name, key.as_str(), meta, &uin(ctx), checksum)
        .await?;
    let mut w = XmlWriter::new();
    w.open("InitiateMultipartUploadResult")
        .elem("Bucket", &bucket.name)
        .elem("Key", key.as_str())
        .elem("UploadId", &id)
        .close("InitiateMultipartUploadResult");
    let mut resp = xml_response(StatusCode::OK, w.finish());
    crate::api::sse::echo_into(&mut resp, ctx.dialect, meta_sse.as_ref());
    if let Some((algo, kind)) = app
        .store
        .get_upload(&bucket.name, key.as_str(), &id)?
        .checksum_kind()
    {
        let h = resp.headers_mut();
        h.insert(
            "x-amz-checksum-algorithm",
            http::HeaderValue::from_static(algo.name()),
        );
        h.insert(
            "x-amz-checksum-type",
            http::HeaderValue::from_static(kind.name()),
        );
    }
    Ok(resp)
}

pub async fn upload_part(
    app: &Arc<AppState>,
    ctx: &Ctx,
    adm: &Admitted,
    upload: &UploadId,
    part: PartNumber,
    body: Body,
) -> Reply {
    let (bucket, key) = (adm.bucket()?, adm.key()?);
    let (id, number) = (upload.get()?, part.get()?);
    check_body_framing(ctx, MAX_PART_SIZE)?;
    let upload = app.store.get_upload(&bucket.name, key.as_str(), id)?;
    let sse = crate::api::sse::for_part(
        app,
        &bucket.owner_uin,
        upload.template.sse.as_ref(),
        &crate::api::sse::headers(ctx)?,
    )?;
    let body = request_body(ctx, body, upload.checksum_algorithm)?;
    let opts = WriteOptions {
        content_md5: content_md5(ctx)?,
        checksum: Some(body.checksum_slot()),
        sse,
        ..Default::default()
    };
    let part = app
        .store
        .upload_part(&bucket.name, key.as_str(), id, number, body, opts)
        .await?;
    let b = crate::api::sse::echo(
        Response::builder(),
        ctx.dialect,
        upload.template.sse.as_ref(),
    );
    checksum_headers(b, part.checksum.as_ref())
        .header("ETag", format!("\"{}\"", part.etag))
        .header("x-cos-hash-crc64ecma", part.crc64.to_string())
        .header("Content-Length", 0)
        .body(Body::empty())
        .map_err(|e| ApiError::new(Code::InternalError, e.to_string()))
}

/// Upload Part - Copy: the source is authorized through `source`, whose grant the answer needs.
pub async fn upload_part_copy(
    app: &Arc<AppState>,
    ctx: &Ctx,
    adm: &Admitted,
    upload: &UploadId,
    part: PartNumber,
    source: SourceGate<'_>,
) -> Result<Granted, ApiError> {
    let (bucket, key) = (adm.bucket()?, adm.key()?);
    let (id, number) = (upload.get()?, part.get()?);
    let upload = app.store.get_upload(&bucket.name, key.as_str(), id)?;
    let sse = crate::api::sse::headers(ctx)?;
    let dst_sse =
        crate::api::sse::for_part(app, &bucket.owner_uin, upload.template.sse.as_ref(), &sse)?;
    let raw = ctx
        .header("x-cos-copy-source")
        .or_else(|| ctx.header("x-amz-copy-source"))
        .unwrap_or("");
    let bad = || {
        ApiError::new(
            Code::InvalidArgument,
            "Copy Source must mention the source bucket and key.",
        )
    };
    let src = parse_copy_source(raw).ok_or_else(bad)?;
    ObjectKey::parse(&src.key).map_err(|_| bad())?;
    let src_bucket = source.bucket(&src.bucket, &src.key)?;
    let src_version = src
        .version_id
        .as_deref()
        .map(super::versioning::parse_version_id)
        .transpose()?
        .flatten();
    let found = match src_version {
        None => app.store.load_object(&src.bucket, &src.key)?,
        Some(v) => app
            .store
            .find_version(&src.bucket, &src.key, v)?
            .map(|(_, r)| r),
    };
    let rec = match found {
        Some(r) if !r.delete_marker => r,
        other => {
            source.check(&src_bucket, &src.key, None)?;
            return Err(match (other, src_version) {
                (Some(_), _) => ApiError::new(
                    Code::InvalidRequest,
                    "The source of a copy request may not specifically refer to a delete marker by version id.",
                ),
                (None, Some(_)) => ApiError::new(
                    Code::NoSuchVersion,
                    "The specified version of the copy source does not exist.",
                ),
                (None, None) => ApiError::new(
                    Code::NoSuchKey,
                    "The specified source key does not exist.",
                ),
            });
        }
    };
    let grant = source.pass(&src_bucket, &src.key, &rec)?;
    super::copy::readable_source(app, &rec)?;
    let src_owner = app
        .store
        .bucket_shared(&src.bucket)?
        .map(|b| b.owner_uin.clone())
        .unwrap_or_default();
    let src_cipher = crate::api::sse::for_read(
        app,
        &src_owner,
        rec.sse.as_ref(),
        sse.copy_source_customer.as_ref(),
    )?;
    preconditions(ctx, &rec, "x-cos-copy-source-", Code::PreconditionFailed)?;
    preconditions(ctx, &rec, "x-amz-copy-source-", Code::PreconditionFailed)?;
    let range = match ctx
        .header("x-cos-copy-source-range")
        .or_else(|| ctx.header("x-amz-copy-source-range"))
    {
        None => None,
        Some(r) => {
            let spec = RangeSpec::parse(r).map_err(|_| {
                ApiError::new(
                    Code::InvalidArgument,
                    "The x-cos-copy-source-range value must be of the form bytes=first-last.",
                )
            })?;
            Some(spec.resolve(rec.size).map_err(|_| {
                ApiError::new(
                    Code::InvalidArgument,
                    "The x-cos-copy-source-range is not within the source object.",
                )
            })?)
        }
    };
    let len = range.map_or(rec.size, |r| r.len);
    if len > MAX_PART_SIZE {
        return Err(ApiError::new(
            Code::EntityTooLarge,
            "A part may be at most 5 GiB.",
        ));
    }
    // A failed read of the source's chunks is this server's storage failing, not the client.
    let stream = Box::pin(
        app.store
            .read_stream(&rec, range, src_cipher)
            .map_err(ServiceError::storage_io),
    );
    let part = app
        .store
        .upload_part(
            &bucket.name,
            key.as_str(),
            id,
            number,
            stream,
            WriteOptions {
                sse: dst_sse,
                ..WriteOptions::default()
            },
        )
        .await?;
    let mut w = XmlWriter::new();
    w.open("CopyPartResult")
        .elem("ETag", &format!("\"{}\"", part.etag))
        .elem("LastModified", &iso8601(part.mtime_ms))
        .elem("CRC64", &part.crc64.to_string())
        .close("CopyPartResult");
    let mut resp = xml_response(StatusCode::OK, w.finish());
    crate::api::sse::echo_into(&mut resp, ctx.dialect, upload.template.sse.as_ref());
    if let Ok(v) = part.crc64.to_string().parse() {
        resp.headers_mut().insert("x-cos-hash-crc64ecma", v);
    }
    super::copy::copy_version_headers(&mut resp, ctx, None, src.version_id.as_deref());
    Ok(grant.respond(resp))
}

pub async fn complete(
    app: &Arc<AppState>,
    ctx: &Ctx,
    adm: &Admitted,
    upload: &UploadId,
    body: Body,
) -> Reply {
    let (bucket, key) = (adm.bucket()?, adm.key()?);
    let id = upload.get()?.to_string();
    let condition = write_condition(ctx)?;
    // On Complete, an x-amz-checksum-* header is the expected checksum of the whole object, not
    // of the XML body.
    let mut spec = ctx.payload.clone();
    let expected = spec.checksum.take().and_then(|c| {
        c.value
            .map(|raw| crate::checksum::FlexChecksum::new(c.algorithm, &raw))
    });
    let bytes = read_verified(
        VerifiedBody::new(body.into_data_stream(), spec),
        app.config.max_xml_body,
    )
    .await?;
    let req =
        parse_complete(&bytes).map_err(|e| ApiError::new(Code::MalformedXML, e.to_string()))?;
    // More parts than an upload can have is the part-number limit S3 and COS state (10,000),
    // not a part that could not be found (docs/wire-details.md).
    if req.parts.len() > MAX_PART_NUMBER as usize {
        return Err(ApiError::new(
            Code::InvalidArgument,
            format!(
                "A multipart upload has at most {MAX_PART_NUMBER} parts; the request lists {}.",
                req.parts.len()
            ),
        ));
    }
    let mut parts = Vec::with_capacity(req.parts.len());
    for p in &req.parts {
        let number = p
            .part_number
            .trim()
            .parse::<u32>()
            .map_err(|_| ApiError::new(Code::MalformedXML, "PartNumber must be an integer."))?;
        if !(1..=MAX_PART_NUMBER).contains(&number) {
            return Err(ApiError::new(
                Code::InvalidArgument,
                "Part number must be an integer between 1 and 10000, inclusive.",
            ));
        }
        parts.push(CompletePart {
            number,
            etag: p.etag.clone(),
            checksum: p.checksum().map(str::to_string),
        });
    }
    let written = app
        .store
        .complete_upload(
            &bucket.name,
            key.as_str(),
            &id,
            &parts,
            &condition,
            expected.as_ref(),
        )
        .await?;
    let rec = &written.record;
    let region = ctx
        .host_region
        .clone()
        .unwrap_or_else(|| bucket.region.clone());
    let mut w = XmlWriter::new();
    w.open("CompleteMultipartUploadResult")
        .elem(
            "Location",
            &format!(
                "{}.cos.{}.myqcloud.com/{}",
                bucket.name,
                region,
                encode_key(key.as_str())
            ),
        )
        .elem("Bucket", &bucket.name)
        .elem("Key", key.as_str())
        .elem("ETag", &format!("\"{}\"", rec.etag));
    if let Some(c) = &rec.checksum {
        w.elem(c.algorithm.xml_tag(), &c.wire())
            .elem("ChecksumType", c.kind.name());
    }
    w.close("CompleteMultipartUploadResult");
    let mut resp = xml_response(StatusCode::OK, w.finish());
    crate::api::sse::echo_into(&mut resp, ctx.dialect, rec.sse.as_ref());
    if let Ok(v) = rec.crc64.to_string().parse() {
        resp.headers_mut().insert("x-cos-hash-crc64ecma", v);
    }
    super::copy::copy_version_headers(&mut resp, ctx, written.version_id.as_deref(), None);
    Ok(resp)
}

pub async fn abort(app: &AppState, adm: &Admitted, upload: &UploadId) -> Reply {
    let (bucket, key) = (adm.bucket()?, adm.key()?);
    app.store
        .abort_upload(&bucket.name, key.as_str(), upload.get()?)
        .await?;
    Ok(crate::api::empty_response(StatusCode::NO_CONTENT))
}

fn limit(ctx: &Ctx, name: &str) -> Result<usize, ApiError> {
    match ctx.query(name).filter(|v| !v.is_empty()) {
        None => Ok(1000),
        Some(v) => v.trim().parse::<usize>().map(|n| n.min(1000)).map_err(|_| {
            ApiError::new(
                Code::InvalidArgument,
                format!("{name} must be a non-negative integer"),
            )
        }),
    }
}

fn url_encoding(ctx: &Ctx) -> bool {
    ctx.query("encoding-type")
        .is_some_and(|v| v.eq_ignore_ascii_case("url"))
}

fn owner(w: &mut XmlWriter, tag: &str, uin: &str) {
    super::owner(w, tag, uin);
}

pub fn list_parts(app: &AppState, ctx: &Ctx, adm: &Admitted, upload: &UploadId) -> Reply {
    let (bucket, key) = (adm.bucket()?, adm.key()?);
    let id = upload.get()?;
    let upload = app.store.get_upload(&bucket.name, key.as_str(), id)?;
    let marker: u32 = match ctx.query("part-number-marker").filter(|v| !v.is_empty()) {
        None => 0,
        Some(v) => v.trim().parse().map_err(|_| {
            ApiError::new(
                Code::InvalidArgument,
                "part-number-marker must be an integer",
            )
        })?,
    };
    let max = limit(ctx, "max-parts")?;
    let (parts, truncated) = app.store.list_parts(id, marker, max)?;
    let url = url_encoding(ctx);
    let mut w = XmlWriter::new();
    w.open("ListPartsResult").elem("Bucket", &bucket.name);
    if url {
        w.elem("Encoding-type", "url");
    }
    w.elem(
        "Key",
        &if url {
            encode_key(key.as_str())
        } else {
            key.as_str().to_string()
        },
    )
    .elem("UploadId", id);
    owner(&mut w, "Initiator", &upload.initiator_uin);
    owner(&mut w, "Owner", &bucket.owner_uin);
    w.elem(
        "StorageClass",
        class_name(ctx.dialect, &upload.template.storage_class),
    )
    .elem("PartNumberMarker", &marker.to_string())
    .elem(
        "NextPartNumberMarker",
        &parts.last().map_or(marker, |(n, _)| *n).to_string(),
    )
    .elem("MaxParts", &max.to_string())
    .elem("IsTruncated", if truncated { "true" } else { "false" });
    if let Some((algo, kind)) = upload.checksum_kind() {
        w.elem("ChecksumAlgorithm", algo.name())
            .elem("ChecksumType", kind.name());
    }
    for (n, p) in &parts {
        w.open("Part")
            .elem("PartNumber", &n.to_string())
            .elem("LastModified", &iso8601_ms(p.mtime_ms))
            .elem("ETag", &format!("\"{}\"", p.etag))
            .elem("Size", &p.size.to_string());
        if let Some(c) = &p.checksum {
            w.elem(c.algorithm.xml_tag(), &c.wire());
        }
        w.close("Part");
    }
    w.close("ListPartsResult");
    crate::api::xml_listing_response(w)
}

pub fn list_uploads(app: &AppState, ctx: &Ctx, adm: &Admitted) -> Reply {
    let bucket = adm.bucket()?;
    let prefix = ctx.query("prefix").unwrap_or("");
    let delimiter = ctx.query("delimiter").filter(|d| !d.is_empty());
    let key_marker = ctx.query("key-marker").filter(|d| !d.is_empty());
    let id_marker = ctx.query("upload-id-marker").filter(|d| !d.is_empty());
    let max = limit(ctx, "max-uploads")?;
    let page =
        app.store
            .list_uploads(&bucket.name, prefix, delimiter, key_marker, id_marker, max)?;
    let url = url_encoding(ctx);
    let enc = |s: &str| if url { encode_key(s) } else { s.to_string() };
    let mut w = XmlWriter::new();
    w.open("ListMultipartUploadsResult")
        .elem("Bucket", &bucket.name);
    if url {
        w.elem("Encoding-Type", "url");
    }
    w.elem("KeyMarker", &enc(key_marker.unwrap_or("")))
        .elem("UploadIdMarker", id_marker.unwrap_or(""))
        .elem(
            "NextKeyMarker",
            &enc(page.next_key_marker.as_deref().unwrap_or("")),
        )
        .elem(
            "NextUploadIdMarker",
            page.next_upload_id_marker.as_deref().unwrap_or(""),
        )
        .elem("MaxUploads", &max.to_string())
        .elem("IsTruncated", if page.truncated { "true" } else { "false" })
        .elem("Prefix", &enc(prefix));
    if let Some(d) = delimiter {
        w.elem("Delimiter", &enc(d));
    }
    for u in &page.uploads {
        w.open("Upload")
            .elem("Key", &enc(&u.key))
            .elem("UploadId", &u.upload_id)
            .elem(
                "StorageClass",
                class_name(ctx.dialect, &u.record.template.storage_class),
            );
        owner(&mut w, "Initiator", &u.record.initiator_uin);
        owner(&mut w, "Owner", &bucket.owner_uin);
        w.elem("Initiated", &iso8601_ms(u.record.initiated_ms))
            .close("Upload");
    }
    for p in &page.common_prefixes {
        w.open("CommonPrefixes")
            .elem("Prefix", &enc(p))
            .close("CommonPrefixes");
    }
    w.close("ListMultipartUploadsResult");
    crate::api::xml_listing_response(w)
}
