//! The admin API's KMS key registry (`/_cosd/admin/kms-keys`): a root account creates, lists,
//! reads and enables or disables its own SSE-KMS keys. Key material never leaves the server.

use super::{body_json, json_response, ApiError, ApiResult, Code};
use crate::api::request::Ctx;
use crate::crypto::{KmsError, KmsKeyInfo};
use crate::AppState;
use axum::body::Body;
use http::{Response, StatusCode};
use serde::Deserialize;
use serde_json::{json, Value};
use std::sync::Arc;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct NewKmsKey {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    description: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct KmsKeyState {
    enabled: bool,
}

fn key_json(k: &KmsKeyInfo) -> Value {
    json!({
        "id": k.id,
        "owner_uin": k.owner_uin,
        "enabled": k.enabled,
        "created_ms": k.created_ms,
        "description": k.description,
        "from_config": k.from_config,
    })
}

fn error(e: KmsError) -> ApiError {
    let code = match &e {
        KmsError::NotFound(_) => Code::NoSuchAdminResource,
        KmsError::Exists(_) => Code::KeyAlreadyExists,
        KmsError::Io(_) => Code::InternalError,
        KmsError::Disabled(_) | KmsError::ReadOnly(_) | KmsError::Invalid(_) => {
            Code::InvalidArgument
        }
    };
    ApiError::new(code, e.to_string())
}

/// Runs a registry change (a file write) on the blocking pool.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, KmsError> + Send + 'static,
) -> ApiResult<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ApiError::new(Code::InternalError, e.to_string()))?
        .map_err(error)
}

pub(super) async fn create(
    app: &AppState,
    ctx: &Ctx,
    root: &str,
    body: Body,
) -> ApiResult<Response<Body>> {
    let req: NewKmsKey = body_json(ctx, body).await?;
    let (keys, root_uin, now) = (Arc::clone(&app.keys), root.to_string(), app.clock.now_ms());
    let info = blocking(move || {
        keys.kms
            .create(&root_uin, req.id.as_deref(), &req.description, now)
    })
    .await?;
    Ok(json_response(StatusCode::OK, &key_json(&info)))
}

pub(super) fn list(app: &AppState, root: &str) -> ApiResult<Response<Body>> {
    let keys: Vec<Value> = app.keys.kms.list(root).iter().map(key_json).collect();
    Ok(json_response(StatusCode::OK, &json!({ "keys": keys })))
}

pub(super) fn get(app: &AppState, root: &str, id: &str) -> ApiResult<Response<Body>> {
    let info = app
        .keys
        .kms
        .info(root, id)
        .ok_or_else(|| error(KmsError::NotFound(id.to_string())))?;
    Ok(json_response(StatusCode::OK, &key_json(&info)))
}

pub(super) async fn set_state(
    app: &AppState,
    ctx: &Ctx,
    root: &str,
    id: &str,
    body: Body,
) -> ApiResult<Response<Body>> {
    let req: KmsKeyState = body_json(ctx, body).await?;
    let (keys, root_uin, id) = (Arc::clone(&app.keys), root.to_string(), id.to_string());
    let info = blocking(move || keys.kms.set_enabled(&root_uin, &id, req.enabled)).await?;
    Ok(json_response(StatusCode::OK, &key_json(&info)))
}
