//! `GET journal` and `faults`: the request journal and fault injection
//! (src/api/observe). Both are server-wide, so only the server's own root account (`root_uin`)
//! may use them: another tenant's root would see or break everyone's requests.

use super::{bad, body_json, json_response, no_content};
use crate::api::error::{ApiError, ApiResult, Code};
use crate::api::observe::faults::FaultSpec;
use crate::api::observe::journal::Filter;
use crate::api::request::Ctx;
use crate::AppState;
use axum::body::Body;
use http::{Response, StatusCode};
use serde_json::json;

/// Refuses every root but the server's own.
pub(super) fn server_root(app: &AppState, root: &str) -> ApiResult<()> {
    if root == app.config.root_uin {
        Ok(())
    } else {
        Err(ApiError::new(
            Code::AccessDenied,
            "Only the server's root account (root_uin) may use this server-wide admin route.",
        ))
    }
}

/// `GET journal?since=&limit=&bucket=&op=&status=&code=&principal=&method=&request_id=&wait=`
pub(super) async fn journal(app: &AppState, ctx: &Ctx) -> ApiResult<Response<Body>> {
    let Some(j) = app.observer.journal.as_ref() else {
        return Err(ApiError::new(
            Code::InvalidRequest,
            "The request journal is off: start cosd with --dev or set journal_entries.",
        ));
    };
    let filter = Filter::from_query(&ctx.query).map_err(bad)?;
    let (entries, last) = j.query_wait(&filter).await;
    let entries: Vec<&crate::api::observe::journal::Entry> =
        entries.iter().map(|e| e.as_ref()).collect();
    Ok(json_response(
        StatusCode::OK,
        &json!({"entries": entries, "last_seq": last, "capacity": j.capacity()}),
    ))
}

/// `POST faults`: adds a rule.
pub(super) async fn add_fault(app: &AppState, ctx: &Ctx, body: Body) -> ApiResult<Response<Body>> {
    let spec: FaultSpec = body_json(ctx, body).await?;
    let rule = app.observer.faults.add(spec).map_err(bad)?;
    tracing::info!(rule = rule.id, "fault rule added");
    Ok(json_response(StatusCode::CREATED, &json!(rule)))
}

/// `GET faults`
pub(super) fn list_faults(app: &AppState) -> Response<Body> {
    json_response(
        StatusCode::OK,
        &json!({"rules": app.observer.faults.list()}),
    )
}

/// `DELETE faults/<id>`, or `DELETE faults` for all of them.
pub(super) fn delete_faults(app: &AppState, id: Option<&str>) -> ApiResult<Response<Body>> {
    match id {
        None => {
            let n = app.observer.faults.clear();
            tracing::info!(rules = n, "fault rules cleared");
            Ok(no_content())
        }
        Some(id) => {
            let n: u64 = id
                .parse()
                .map_err(|_| bad(format!("no fault rule {id:?}")))?;
            if app.observer.faults.remove(n) {
                Ok(no_content())
            } else {
                Err(ApiError::new(
                    Code::NoSuchKey,
                    format!("There is no fault rule {n}."),
                ))
            }
        }
    }
}
