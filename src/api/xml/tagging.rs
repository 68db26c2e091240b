//! PUT/GET/DELETE Bucket tagging (`?tagging`), and the `x-cos-tagging` header of PUT Bucket.
//! Tags feed the `qcs:resource_tag` condition key and GET Service's tag filter.

use crate::api::error::{ApiError, Code};
use crate::api::request::Ctx;
use crate::api::Admitted;
use crate::api::Reply;
use crate::api::{empty_response, read_xml_body, xml_response};
use crate::xml::{parse_tagging, XmlWriter};
use crate::AppState;
use axum::body::Body;
use http::StatusCode;

/// COS limits: 50 tags per bucket, keys up to 128 and values up to 256 characters.
const MAX_TAGS: usize = 50;

fn invalid(message: String) -> ApiError {
    ApiError::new(Code::InvalidTag, message)
}

/// Checks count, lengths and duplicate keys.
pub(crate) fn validate(tags: &[(String, String)]) -> Result<(), ApiError> {
    if tags.len() > MAX_TAGS {
        return Err(invalid(format!("At most {MAX_TAGS} tags are allowed.")));
    }
    for (i, (k, v)) in tags.iter().enumerate() {
        if k.is_empty() || k.chars().count() > 128 || v.chars().count() > 256 {
            return Err(invalid(format!(
                "Tag keys are 1 to 128 characters and values at most 256: {k:?}"
            )));
        }
        if tags[..i].iter().any(|(other, _)| other == k) {
            return Err(invalid(format!("The tag key {k:?} is given twice.")));
        }
    }
    Ok(())
}

/// `x-cos-tagging: k1=v1&k2=v2` (URL-encoded keys and values).
pub(crate) fn from_header(ctx: &Ctx) -> Result<Vec<(String, String)>, ApiError> {
    let tags: Vec<(String, String)> = ctx
        .header("x-cos-tagging")
        .map(|h| {
            form_urlencoded::parse(h.as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect()
        })
        .unwrap_or_default();
    validate(&tags)?;
    Ok(tags)
}

pub async fn put(app: &AppState, ctx: &Ctx, adm: &Admitted, body: Body) -> Reply {
    let b = adm.bucket()?;
    let bytes = read_xml_body(ctx, body, app.config.max_xml_body).await?;
    let req =
        parse_tagging(&bytes).map_err(|e| ApiError::new(Code::MalformedXML, e.to_string()))?;
    let tags: Vec<(String, String)> = req
        .tag_set
        .tags
        .into_iter()
        .map(|t| (t.key, t.value))
        .collect();
    validate(&tags)?;
    app.store.set_bucket_tags(&b.name, tags).await?;
    Ok(empty_response(StatusCode::NO_CONTENT))
}

pub fn get(adm: &Admitted) -> Reply {
    let b = adm.bucket()?;
    if b.tags.is_empty() {
        return Err(ApiError::new(
            Code::NoSuchTagSet,
            "The TagSet does not exist.",
        ));
    }
    let mut w = XmlWriter::new();
    w.open("Tagging").open("TagSet");
    for (k, v) in &b.tags {
        w.open("Tag").elem("Key", k).elem("Value", v).close("Tag");
    }
    w.close("TagSet").close("Tagging");
    Ok(xml_response(StatusCode::OK, w.finish()))
}

pub async fn delete(app: &AppState, adm: &Admitted) -> Reply {
    let b = adm.bucket()?;
    app.store.set_bucket_tags(&b.name, vec![]).await?;
    Ok(empty_response(StatusCode::NO_CONTENT))
}
