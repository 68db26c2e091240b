//! PUT/GET Bucket notification (`?notification`; `bucket_config::notification` holds the model
//! and its validation, `service::notify` the outbox, `crate::notify` the delivery;
//! docs/notifications.md). An empty `NotificationConfiguration` removes the configuration,
//! as in S3.

use crate::api::error::{ApiError, Code};
use crate::api::request::Ctx;
use crate::api::{empty_response, read_xml_body, xml_response, Admitted, Reply};
use crate::bucket_config::notification::xml::{parse, to_xml};
use crate::bucket_config::notification::{NotifyConfigError, MAX_NOTIFICATION_XML};
use crate::AppState;
use axum::body::Body;
use http::StatusCode;

impl From<NotifyConfigError> for ApiError {
    fn from(e: NotifyConfigError) -> ApiError {
        let code = match e {
            NotifyConfigError::MalformedXml(_) => Code::MalformedXML,
            NotifyConfigError::InvalidArgument(_) => Code::InvalidArgument,
        };
        ApiError::new(code, e.to_string())
    }
}

/// An Id for a configuration sent without one (S3 generates one too).
fn fresh_id() -> String {
    use rand::distr::{Alphanumeric, SampleString};
    Alphanumeric.sample_string(&mut rand::rng(), 40)
}

pub async fn put(app: &AppState, ctx: &Ctx, adm: &Admitted, body: Body) -> Reply {
    let b = adm.bucket()?;
    let bytes = read_xml_body(ctx, body, MAX_NOTIFICATION_XML).await?;
    let hooks = &app.config.notify_webhooks;
    let config = parse(
        &bytes,
        &app.config.region,
        &|id| hooks.iter().any(|h| h.id == id),
        &mut fresh_id,
    )?;
    let config = (!config.rules.is_empty()).then_some(config);
    app.store
        .update_bucket(&b.name, |r| r.notification = config)
        .await?;
    Ok(empty_response(StatusCode::OK))
}

pub fn get(adm: &Admitted) -> Reply {
    let b = adm.bucket()?;
    Ok(xml_response(
        StatusCode::OK,
        to_xml(b.notification.as_ref()),
    ))
}
