//! PUT/GET/DELETE Bucket website (`?website`; `bucket_config::website` holds the rules, and
//! `api::website` serves the website endpoint).

use crate::api::error::{ApiError, Code};
use crate::api::request::Ctx;
use crate::api::{empty_response, load_bucket, read_xml_body, xml_response};
use crate::bucket_config::website::{WebsiteConfig, MAX_WEBSITE_XML};
use crate::AppState;
use axum::body::Body;
use http::{Response, StatusCode};

pub async fn put(app: &AppState, ctx: &Ctx, body: Body) -> Result<Response<Body>, ApiError> {
    let b = load_bucket(app, ctx)?;
    let bytes = read_xml_body(ctx, body, MAX_WEBSITE_XML).await?;
    let text = std::str::from_utf8(&bytes).map_err(|_| {
        ApiError::new(
            Code::MalformedXML,
            "The website configuration is not UTF-8.",
        )
    })?;
    let config = WebsiteConfig::parse(text).map_err(|e| ApiError::new(Code::MalformedXML, e))?;
    app.store
        .update_bucket(&b.name, |r| r.website = Some(config))
        .await?;
    Ok(empty_response(StatusCode::OK))
}

pub fn get(app: &AppState, ctx: &Ctx) -> Result<Response<Body>, ApiError> {
    let b = load_bucket(app, ctx)?;
    let c = b.website.ok_or_else(no_config)?;
    Ok(xml_response(StatusCode::OK, c.to_xml()))
}

pub async fn delete(app: &AppState, ctx: &Ctx) -> Result<Response<Body>, ApiError> {
    let b = load_bucket(app, ctx)?;
    app.store
        .update_bucket(&b.name, |r| r.website = None)
        .await?;
    Ok(empty_response(StatusCode::NO_CONTENT))
}

pub(crate) fn no_config() -> ApiError {
    ApiError::new(
        Code::NoSuchWebsiteConfiguration,
        "The specified bucket does not have a website configuration.",
    )
}
