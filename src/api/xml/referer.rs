//! PUT/GET/DELETE Bucket referer (`?referer`) and the hotlink check of every other request to a
//! bucket (`bucket_config::referer` holds the rules; seed 002:9449-9545).

use crate::api::error::{ApiError, Code};
use crate::api::request::Ctx;
use crate::api::Admitted;
use crate::api::Reply;
use crate::api::{empty_response, read_xml_body, xml_response};
use crate::bucket_config::referer::{referer_denied, RefererConfig, MAX_REFERER_XML};
use crate::meta::BucketRecord;
use crate::AppState;
use axum::body::Body;
use http::StatusCode;

/// PUT `?referer`. An empty body removes the configuration: that is what cos-python-sdk-v5's
/// `delete_bucket_referer` sends (a PUT with no body).
pub async fn put(app: &AppState, ctx: &Ctx, adm: &Admitted, body: Body) -> Reply {
    let b = adm.bucket()?;
    let bytes = read_xml_body(ctx, body, MAX_REFERER_XML).await?;
    let text = std::str::from_utf8(&bytes).map_err(|_| {
        ApiError::new(
            Code::MalformedXML,
            "The referer configuration is not UTF-8.",
        )
    })?;
    let config = if text.trim().is_empty() {
        None
    } else {
        Some(RefererConfig::parse(text).map_err(|e| ApiError::new(Code::MalformedXML, e))?)
    };
    app.store
        .update_bucket(&b.name, |r| r.referer = config)
        .await?;
    Ok(empty_response(StatusCode::OK))
}

/// GET `?referer`. With nothing configured (never set, or deleted) the answer is an empty
/// `<RefererConfiguration/>` with 200, as COS answers: cos-python-sdk-v5 reads it as
/// `{'RefererConfiguration': None}` and cos-nodejs-sdk-v5 as `RefererConfiguration: {}`.
pub fn get(adm: &Admitted) -> Reply {
    let b = adm.bucket()?;
    let body = match &b.referer {
        Some(c) => c.to_xml(),
        None => "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<RefererConfiguration/>".to_string(),
    };
    Ok(xml_response(StatusCode::OK, body))
}

/// DELETE `?referer`: removes the configuration (204).
pub async fn delete(app: &AppState, adm: &Admitted) -> Reply {
    let b = adm.bucket()?;
    app.store
        .update_bucket(&b.name, |r| r.referer = None)
        .await?;
    Ok(empty_response(StatusCode::NO_CONTENT))
}

/// The 403 a refused Referer gets (COS answers "You are denied by bucket referer rule",
/// cos-python-sdk-v5 issue 56; the legacy code is -46616/-46617, 002:5130-5139).
pub fn denied_error() -> ApiError {
    ApiError::new(
        Code::AccessDenied,
        "You are denied by bucket referer rule: access denied by the bucket's referer (hotlink) \
         protection.",
    )
}

/// The hotlink check, run by the pipeline before admission for any request addressed to a
/// bucket or an object through the bucket's default domain (virtual-host or path style),
/// signed or anonymous alike (COS refuses signed SDK requests too, cos-python-sdk-v5 issue
/// 56), except the operations `Op::referer_applies` exempts. `bucket` is the addressed bucket
/// as the pipeline read it; a bucket that does not exist is left to admission's NoSuchBucket.
pub fn check(ctx: &Ctx, bucket: Option<&BucketRecord>) -> Result<(), ApiError> {
    let Some(b) = bucket.filter(|b| b.referer.is_some()) else {
        return Ok(());
    };
    // A Referer that is not text is still a Referer (never matches, never "empty").
    let referer = ctx
        .headers
        .get(http::header::REFERER)
        .map(|v| String::from_utf8_lossy(v.as_bytes()));
    if referer_denied(b, referer.as_deref()) {
        tracing::debug!(referer = ?referer, "refused by the bucket's referer rule");
        return Err(denied_error());
    }
    Ok(())
}
