//! PUT / GET Bucket `?logging`: where the bucket's access logs are delivered
//! (docs/access-logs.md). The lines are gathered by the pipeline and written by
//! `api::observe::access_log`.

use crate::api::error::{ApiError, Code};
use crate::api::request::Ctx;
use crate::api::{empty_response, read_xml_body, xml_response, Admitted, Reply};
use crate::bucket_config::logging;
use crate::AppState;
use axum::body::Body;
use http::StatusCode;

pub fn get(adm: &Admitted) -> Reply {
    let b = adm.bucket()?;
    Ok(xml_response(
        StatusCode::OK,
        logging::render(b.logging.as_ref()),
    ))
}

pub async fn put(app: &AppState, ctx: &Ctx, adm: &Admitted, body: Body) -> Reply {
    let b = adm.bucket()?;
    let bytes = read_xml_body(ctx, body, app.config.max_xml_body).await?;
    let config = logging::parse(&bytes).map_err(|e| ApiError::new(Code::MalformedXML, e))?;
    if let Some(c) = &config {
        // Logs are written as the source bucket's owner: the target must be theirs too, and
        // in the same region (as COS requires).
        let target = app.store.bucket_shared(&c.target_bucket)?;
        match target {
            Some(t) if t.owner_uin == b.owner_uin && t.region == b.region => {}
            Some(_) => {
                return Err(ApiError::new(
                    Code::InvalidTargetBucketForLogging,
                    "The target bucket for logging must belong to the source bucket's owner and be in its region.",
                ))
            }
            None => {
                return Err(ApiError::new(
                    Code::InvalidTargetBucketForLogging,
                    "The target bucket for logging does not exist",
                ))
            }
        }
    }
    app.store
        .update_bucket(&b.name, move |rec| rec.logging = config)
        .await?;
    Ok(empty_response(StatusCode::OK))
}
