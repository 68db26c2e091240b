//! `POST /_cosd/admin/reset` (docs/declarative.md): empties the server, or restores the
//! declared buckets (`{"to": "declared" | "empty"}`, default `declared`). A server-wide
//! operation, so only the main root account (`root_uin`) may ask for it; other root accounts
//! are refused like sub-accounts.

use super::{body_json, json_response, ApiError, ApiResult, Code};
use crate::api::request::Ctx;
use crate::declare::{ResetError, ResetTo};
use crate::AppState;
use axum::body::Body;
use http::{Response, StatusCode};
use serde::Deserialize;

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct ResetBody {
    #[serde(default)]
    to: ResetTo,
}

pub(super) async fn reset(
    app: &AppState,
    ctx: &Ctx,
    root: &str,
    body: Body,
) -> ApiResult<Response<Body>> {
    if root != app.config.root_uin {
        return Err(ApiError::new(
            Code::AccessDenied,
            "A reset removes every account's buckets: only the main root account may ask for it.",
        ));
    }
    let req: ResetBody = body_json(ctx, body).await?;
    let report = crate::declare::reset(&app.config, &app.iam, &app.store, &app.keys, req.to)
        .await
        .map_err(|e| match e {
            ResetError::Service(e) => ApiError::from(e),
            ResetError::Invalid(e) => {
                ApiError::new(Code::InvalidArgument, format!("nothing was removed: {e}"))
            }
            ResetError::Apply(e) => ApiError::new(
                Code::InvalidArgument,
                format!(
                    "the server was emptied but the declared buckets could not be applied: {e}"
                ),
            ),
        })?;
    let v = serde_json::to_value(report)
        .map_err(|e| ApiError::new(Code::InternalError, e.to_string()))?;
    Ok(json_response(StatusCode::OK, &v))
}
