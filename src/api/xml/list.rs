//! GET Bucket: list objects (v1 marker paging and `list-type=2`).

use crate::api::error::{ApiError, Code};
use crate::api::request::Ctx;
use crate::api::xml_listing_response;
use crate::api::Admitted;
use crate::api::Reply;
use crate::auth::encode::encode_key;
use crate::service::{ListPage, ListParams};
use crate::xml::{iso8601_ms, XmlWriter};
use crate::AppState;
use base64::Engine;

const MAX_KEYS: usize = 1000;

pub(crate) fn max_keys(ctx: &Ctx) -> Result<usize, ApiError> {
    match ctx.query("max-keys").filter(|v| !v.is_empty()) {
        None => Ok(MAX_KEYS),
        Some(v) => v
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|n| *n >= 0)
            .map(|n| (n as usize).min(MAX_KEYS))
            .ok_or_else(|| {
                ApiError::new(
                    Code::InvalidArgument,
                    "max-keys must be a non-negative integer",
                )
            }),
    }
}

/// Whether the response is URL-encoded (`encoding-type=url`).
pub(crate) fn url_encoding(ctx: &Ctx) -> Result<bool, ApiError> {
    match ctx.query("encoding-type").filter(|v| !v.is_empty()) {
        None => Ok(false),
        Some(v) if v.eq_ignore_ascii_case("url") => Ok(true),
        Some(v) => Err(ApiError::new(
            Code::InvalidArgument,
            format!("Invalid Encoding Method specified in Request: {v}"),
        )),
    }
}

fn params(ctx: &Ctx, marker: Option<String>) -> Result<ListParams, ApiError> {
    Ok(ListParams {
        prefix: ctx.query("prefix").unwrap_or("").to_string(),
        delimiter: ctx
            .query("delimiter")
            .filter(|d| !d.is_empty())
            .map(str::to_string),
        marker,
        max_keys: max_keys(ctx)?,
    })
}

fn contents(
    w: &mut XmlWriter,
    ctx: &Ctx,
    page: &ListPage,
    enc: &dyn Fn(&str) -> String,
    owner: Option<&str>,
) {
    for e in &page.entries {
        w.open("Contents")
            .elem("Key", &enc(&e.key))
            .elem("LastModified", &iso8601_ms(e.record.mtime_ms))
            .elem("ETag", &format!("\"{}\"", e.record.etag))
            .elem("Size", &e.record.size.to_string());
        if let Some(o) = owner {
            w.open("Owner")
                .elem("ID", o)
                .elem("DisplayName", o)
                .close("Owner");
        }
        w.elem(
            "StorageClass",
            crate::api::headers::class_name(ctx.dialect, &e.record.storage_class),
        )
        .close("Contents");
    }
    for p in &page.common_prefixes {
        w.open("CommonPrefixes")
            .elem("Prefix", &enc(p))
            .close("CommonPrefixes");
    }
}

pub(crate) fn encoder(url: bool) -> impl Fn(&str) -> String {
    move |s: &str| if url { encode_key(s) } else { s.to_string() }
}

pub fn list_v1(app: &AppState, ctx: &Ctx, adm: &Admitted) -> Reply {
    let bucket = adm.bucket()?;
    let url = url_encoding(ctx)?;
    let p = params(ctx, ctx.query("marker").map(str::to_string))?;
    let page = app.store.list_objects(&bucket.name, &p)?;
    let enc = encoder(url);
    let mut w = XmlWriter::new();
    w.open("ListBucketResult").elem("Name", &bucket.name);
    if url {
        w.elem("EncodingType", "url");
    }
    w.elem("Prefix", &enc(&p.prefix))
        .elem("Marker", &enc(p.marker.as_deref().unwrap_or("")))
        .elem("MaxKeys", &p.max_keys.to_string());
    if let Some(d) = &p.delimiter {
        w.elem("Delimiter", &enc(d));
    }
    w.elem("IsTruncated", if page.truncated { "true" } else { "false" });
    if let Some(m) = &page.next_marker {
        w.elem("NextMarker", &enc(m));
    }
    contents(&mut w, ctx, &page, &enc, Some(&app.config.appid));
    w.close("ListBucketResult");
    xml_listing_response(w)
}

pub fn list_v2(app: &AppState, ctx: &Ctx, adm: &Admitted) -> Reply {
    let bucket = adm.bucket()?;
    let url = url_encoding(ctx)?;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let token = ctx.query("continuation-token").filter(|t| !t.is_empty());
    let start_after = ctx.query("start-after").filter(|t| !t.is_empty());
    let marker = match token {
        Some(t) => Some(
            b64.decode(t)
                .ok()
                .and_then(|v| String::from_utf8(v).ok())
                .ok_or_else(|| {
                    ApiError::new(
                        Code::InvalidArgument,
                        "The continuation token provided is incorrect",
                    )
                })?,
        ),
        None => start_after.map(str::to_string),
    };
    let p = params(ctx, marker)?;
    let page = app.store.list_objects(&bucket.name, &p)?;
    let enc = encoder(url);
    let fetch_owner = ctx
        .query("fetch-owner")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    let mut w = XmlWriter::new();
    w.open("ListBucketResult")
        .elem("Name", &bucket.name)
        .elem("Prefix", &enc(&p.prefix));
    if let Some(t) = token {
        w.elem("ContinuationToken", t);
    }
    if page.truncated {
        if let Some(m) = &page.next_marker {
            w.elem("NextContinuationToken", &b64.encode(m));
        }
    }
    w.elem(
        "KeyCount",
        &(page.entries.len() + page.common_prefixes.len()).to_string(),
    )
    .elem("MaxKeys", &p.max_keys.to_string());
    if let Some(d) = &p.delimiter {
        w.elem("Delimiter", &enc(d));
    }
    w.elem("IsTruncated", if page.truncated { "true" } else { "false" });
    if let Some(s) = start_after {
        w.elem("StartAfter", &enc(s));
    }
    if url {
        w.elem("EncodingType", "url");
    }
    contents(
        &mut w,
        ctx,
        &page,
        &enc,
        fetch_owner.then_some(app.config.appid.as_str()),
    );
    w.close("ListBucketResult");
    xml_listing_response(w)
}
