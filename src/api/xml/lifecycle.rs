//! PUT/GET/DELETE Bucket lifecycle (`?lifecycle`; `bucket_config::lifecycle` holds the model
//! and its validation, `service::lifecycle` the worker that runs the rules; docs/lifecycle.md).

use crate::api::error::{ApiError, Code};
use crate::api::request::Ctx;
use crate::api::{empty_response, read_xml_body, xml_response, Admitted, Reply};
use crate::bucket_config::lifecycle::xml::{parse, to_xml};
use crate::bucket_config::lifecycle::{LifecycleError, MAX_LIFECYCLE_XML};
use crate::AppState;
use axum::body::Body;
use http::StatusCode;

/// Headers that carry an integrity check of the body: S3 and COS require one on this PUT.
const INTEGRITY_HEADERS: &[&str] = &[
    "content-md5",
    "x-amz-sdk-checksum-algorithm",
    "x-amz-checksum-crc32",
    "x-amz-checksum-crc32c",
    "x-amz-checksum-crc64nvme",
    "x-amz-checksum-sha1",
    "x-amz-checksum-sha256",
    "x-amz-trailer",
];

impl From<LifecycleError> for ApiError {
    fn from(e: LifecycleError) -> ApiError {
        let code = match e {
            LifecycleError::MalformedXml(_) => Code::MalformedXML,
            LifecycleError::InvalidArgument(_) => Code::InvalidArgument,
            LifecycleError::InvalidRequest(_) => Code::InvalidRequest,
        };
        ApiError::new(code, e.message())
    }
}

/// A rule ID for a rule sent without one (S3 generates one too).
fn fresh_id() -> String {
    use rand::distr::{Alphanumeric, SampleString};
    Alphanumeric.sample_string(&mut rand::rng(), 40)
}

pub async fn put(app: &AppState, ctx: &Ctx, adm: &Admitted, body: Body) -> Reply {
    let b = adm.bucket()?;
    if !INTEGRITY_HEADERS.iter().any(|h| ctx.header(h).is_some()) {
        return Err(ApiError::new(
            Code::InvalidRequest,
            "Missing required header for this request: Content-MD5",
        ));
    }
    let bytes = read_xml_body(ctx, body, MAX_LIFECYCLE_XML).await?;
    let config = parse(&bytes, &mut fresh_id)?;
    app.store
        .update_bucket(&b.name, |r| r.lifecycle = Some(config))
        .await?;
    Ok(empty_response(StatusCode::OK))
}

pub fn get(adm: &Admitted) -> Reply {
    let b = adm.bucket()?;
    let c = b.lifecycle.as_ref().ok_or_else(|| {
        ApiError::new(
            Code::NoSuchLifecycleConfiguration,
            "The lifecycle configuration does not exist",
        )
    })?;
    Ok(xml_response(StatusCode::OK, to_xml(c)))
}

pub async fn delete(app: &AppState, adm: &Admitted) -> Reply {
    let b = adm.bucket()?;
    app.store
        .update_bucket(&b.name, |r| r.lifecycle = None)
        .await?;
    Ok(empty_response(StatusCode::NO_CONTENT))
}
