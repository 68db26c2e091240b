//! PUT/GET/DELETE Bucket tagging (`?tagging`), the `x-cos-tagging` header of PUT Bucket, and
//! what object tagging shares with them: the `<Tagging>` document, the header, the limits
//! (docs/tagging.md). Bucket tags feed `qcs:resource_tag` and GET Service's tag filter.

use crate::api::error::{ApiError, Code};
use crate::api::request::authn::Dialect;
use crate::api::request::Ctx;
use crate::api::Admitted;
use crate::api::Reply;
use crate::api::{empty_response, xml_response};
use crate::types::tags::{self, TagRules, Tags};
use crate::xml::{parse_tagging, XmlWriter};
use crate::AppState;
use http::StatusCode;

/// Checks `tags` against `rules`: `InvalidTag` (400) in both dialects.
pub(crate) fn check(tags: &[(String, String)], rules: TagRules) -> Result<(), ApiError> {
    rules
        .check(tags)
        .map_err(|e| ApiError::new(Code::InvalidTag, e.0))
}

/// Whether the request follows S3's rules (`@` allowed, `aws:` keys reserved).
pub(crate) fn is_s3(ctx: &Ctx) -> bool {
    ctx.dialect == Dialect::S3
}

/// The tags of a `<Tagging>` document, unchecked; one that does not parse is MalformedXML.
pub(crate) fn parse_body(bytes: &[u8]) -> Result<Tags, ApiError> {
    let req = parse_tagging(bytes).map_err(|e| ApiError::new(Code::MalformedXML, e.to_string()))?;
    Ok(req
        .tag_set
        .tags
        .into_iter()
        .map(|t| (t.key, t.value))
        .collect())
}

/// `<Tagging><TagSet><Tag><Key/><Value/></Tag>...</TagSet></Tagging>`.
pub(crate) fn render(tags: &[(String, String)]) -> String {
    let mut w = XmlWriter::new();
    w.open("Tagging").open("TagSet");
    for (k, v) in tags {
        w.open("Tag").elem("Key", k).elem("Value", v).close("Tag");
    }
    w.close("TagSet").close("Tagging");
    w.finish()
}

/// `k1=v1&k2=v2`, URL-encoded: the header form of a tag set.
pub(crate) fn encode_header(tags: &[(String, String)]) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in tags {
        s.append_pair(k, v);
    }
    s.finish()
}

/// For the pipeline: a PUT `?tagging` body's tags in header form, the value the condition
/// keys are read from; None when the body does not parse (the handler refuses it).
pub(crate) fn key_header(bytes: &[u8]) -> Option<String> {
    parse_body(bytes).ok().map(|t| encode_header(&t))
}

/// The tags of `x-cos-tagging: k1=v1&k2=v2` (S3: `x-amz-tagging`, seen under the COS name),
/// checked against `rules`; None without the header.
pub(crate) fn header_tags(ctx: &Ctx, rules: TagRules) -> Result<Option<Tags>, ApiError> {
    let Some(h) = ctx.header("x-cos-tagging") else {
        return Ok(None);
    };
    let tags = tags::parse_header(h);
    check(&tags, rules)?;
    Ok(Some(tags))
}

/// PUT Bucket's `x-cos-tagging`, with the bucket limits.
pub(crate) fn from_header(ctx: &Ctx) -> Result<Tags, ApiError> {
    Ok(header_tags(ctx, TagRules::bucket(is_s3(ctx)))?.unwrap_or_default())
}

/// PUT Bucket tagging: `bytes` were read (and verified) by the pipeline, which authorized the
/// request with their tags as `qcs:request_tag`.
pub async fn put(app: &AppState, ctx: &Ctx, adm: &Admitted, bytes: &[u8]) -> Reply {
    let b = adm.bucket()?;
    let tags = parse_body(bytes)?;
    check(&tags, TagRules::bucket(is_s3(ctx)))?;
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
    Ok(xml_response(StatusCode::OK, render(&b.tags)))
}

pub async fn delete(app: &AppState, adm: &Admitted) -> Reply {
    let b = adm.bucket()?;
    app.store.set_bucket_tags(&b.name, vec![]).await?;
    Ok(empty_response(StatusCode::NO_CONTENT))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_round_trip_through_the_header_form() {
        let tags: Tags = vec![
            ("a b".into(), "c/d".into()),
            ("中".into(), "".into()),
            ("k&=".into(), "v+".into()),
        ];
        assert_eq!(parse_body(render(&tags).as_bytes()).unwrap(), tags);
        assert_eq!(tags::parse_header(&encode_header(&tags)), tags);
        assert_eq!(
            key_header(render(&tags).as_bytes()).as_deref(),
            Some(encode_header(&tags).as_str())
        );
        assert_eq!(key_header(b"<Tagging/>"), None);
        assert_eq!(
            parse_body(b"<Tagging><TagSet><Tag><Key>k</Key></Tag>")
                .unwrap_err()
                .code,
            Code::MalformedXML
        );
    }
}
