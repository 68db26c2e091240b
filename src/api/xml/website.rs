//! PUT/GET/DELETE Bucket website (`?website`).

use crate::http::error::{ApiError, Code};
use crate::http::Ctx;
use crate::AppState;
use axum::body::Body;
use http::Response;

fn todo() -> ApiError {
    ApiError::new(Code::NotImplemented, "cosd does not implement ?website yet")
}

pub async fn put(_app: &AppState, _ctx: &Ctx, _body: Body) -> Result<Response<Body>, ApiError> {
    Err(todo())
}

pub fn get(_app: &AppState, _ctx: &Ctx) -> Result<Response<Body>, ApiError> {
    Err(todo())
}

pub fn delete(_app: &AppState, _ctx: &Ctx) -> Result<Response<Body>, ApiError> {
    Err(todo())
}
