//! PUT/GET/DELETE Bucket website (`?website`; `bucket_config::website` holds the rules, and
//! `api::website` serves the website endpoint).

use crate::api::error::{ApiError, Code};
use crate::api::request::Ctx;
use crate::api::Admitted;
use crate::api::Reply;
use crate::api::{empty_response, read_xml_body, xml_response};
use crate::bucket_config::website::{WebsiteConfig, MAX_WEBSITE_XML};
use crate::AppState;
use axum::body::Body;
use http::StatusCode;

pub async fn put(app: &AppState, ctx: &Ctx, adm: &Admitted, body: Body) -> Reply {
    let b = adm.bucket()?;
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

pub fn get(adm: &Admitted) -> Reply {
    let b = adm.bucket()?;
    let c = b.website.as_ref().ok_or_else(no_config)?;
    Ok(xml_response(StatusCode::OK, c.to_xml()))
}

pub async fn delete(app: &AppState, adm: &Admitted) -> Reply {
    let b = adm.bucket()?;
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
