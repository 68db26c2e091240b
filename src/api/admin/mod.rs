//! The admin API under `/_cosd/admin/...` (docs/access-control.md): a root account manages its
//! sub-accounts, keys, groups and user policies, and asks the policy simulator. JSON in and out.

mod simulate;

use crate::api::error::{ApiError, ApiResult, Code, Surface};
use crate::api::read_xml_body;
use crate::api::request::Ctx;
use crate::auth::Identity;
use crate::iam::{IamError, NewKey};
use crate::meta::AccessKeyRecord;
use crate::AppState;
use axum::body::Body;
use http::{Method, Response, StatusCode};
use serde::Deserialize;
use serde_json::{json, Value};

/// Largest admin request body (a policy document is at most 4 KiB).
const MAX_BODY: usize = 64 * 1024;

fn bad(message: impl Into<String>) -> ApiError {
    ApiError::new(Code::InvalidArgument, message)
}

fn json_response(status: StatusCode, v: &Value) -> Response<Body> {
    let body = v.to_string();
    Response::builder()
        .status(status)
        .header("Content-Type", "application/json")
        .header("Content-Length", body.len())
        .body(Body::from(body))
        .unwrap_or_default()
}

fn no_content() -> Response<Body> {
    Response::builder()
        .status(StatusCode::NO_CONTENT)
        .body(Body::empty())
        .unwrap_or_default()
}

fn key_json(k: &AccessKeyRecord) -> Value {
    json!({"secret_id": k.secret_id, "uin": k.uin, "enabled": k.enabled})
}

fn new_key_json(k: &NewKey) -> Value {
    let mut v = key_json(&k.record);
    if k.generated {
        v["secret_key"] = json!(k.record.secret_key);
    }
    v
}

fn user_json(app: &AppState, root: &str, uin: &str) -> ApiResult<Value> {
    let dir = app.iam.directory();
    let u = dir
        .user(root, uin)
        .ok_or_else(|| ApiError::from(IamError::NoSuchUser(uin.into())))?;
    let keys: Vec<Value> = dir.keys_of(root, uin).into_iter().map(key_json).collect();
    Ok(json!({
        "uin": u.uin,
        "root_uin": u.root_uin,
        "groups": u.groups,
        "policies": u.policies.keys().collect::<Vec<_>>(),
        "keys": keys,
    }))
}

fn group_json(app: &AppState, root: &str, name: &str) -> ApiResult<Value> {
    let dir = app.iam.directory();
    let g = dir
        .groups
        .get(&(root.to_string(), name.to_string()))
        .ok_or_else(|| ApiError::from(IamError::NoSuchGroup(name.into())))?;
    Ok(json!({
        "name": g.name,
        "members": dir.members(root, name),
        "policies": g.policies.keys().collect::<Vec<_>>(),
    }))
}

async fn body_text(ctx: &Ctx, body: Body) -> ApiResult<String> {
    let bytes = read_xml_body(ctx, body, MAX_BODY)
        .await
        .map_err(|e| bad(e.message))?;
    String::from_utf8(bytes.to_vec()).map_err(|_| bad("the body is not UTF-8"))
}

async fn body_json<T: for<'de> Deserialize<'de>>(ctx: &Ctx, body: Body) -> ApiResult<T> {
    let text = body_text(ctx, body).await?;
    let text = if text.trim().is_empty() { "{}" } else { &text };
    serde_json::from_str(text).map_err(|e| bad(format!("invalid JSON body: {e}")))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewUser {
    uin: String,
    #[serde(default)]
    secret_id: Option<String>,
    #[serde(default)]
    secret_key: Option<String>,
    #[serde(default)]
    groups: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyBody {
    #[serde(default)]
    secret_id: Option<String>,
    #[serde(default)]
    secret_key: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyState {
    enabled: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewGroup {
    name: String,
}

/// Serves one admin request. `path` is what follows `/_cosd/admin/`.
pub async fn dispatch(app: &AppState, ctx: &Ctx, path: &str, body: Body) -> Response<Body> {
    match route(app, ctx, path, body).await {
        Ok(r) => r,
        Err(e) => e.render(Surface::Admin, &ctx.request_id, &ctx.resource, false),
    }
}

async fn route(app: &AppState, ctx: &Ctx, path: &str, body: Body) -> ApiResult<Response<Body>> {
    let root = match &ctx.identity {
        // A root account's permanent key: temporary keys never administer.
        Identity::Account {
            uin,
            root_uin,
            secret_id,
        } if uin == root_uin && app.iam.temp_key(secret_id).is_none() => root_uin.clone(),
        _ => {
            return Err(ApiError::new(
                Code::AccessDenied,
                "The admin API needs a root account's signature.",
            ))
        }
    };
    let root = root.as_str();
    let now = app.clock.now_ms();
    let segs: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    let ok = |v: Value| Ok(json_response(StatusCode::OK, &v));
    let m = &ctx.method;
    match (m, segs.as_slice()) {
        (&Method::POST, ["users"]) => {
            let req: NewUser = body_json(ctx, body).await?;
            let key = match (&req.secret_id, &req.secret_key) {
                (Some(i), Some(k)) => Some((i.as_str(), k.as_str())),
                (None, None) => None,
                _ => return Err(bad("give secret_id and secret_key together")),
            };
            app.iam.create_user(root, &req.uin, &req.groups, key, now)?;
            ok(user_json(app, root, &req.uin)?)
        }
        (&Method::GET, ["users"]) => {
            let dir = app.iam.directory();
            let mut uins: Vec<&String> = dir
                .users
                .values()
                .filter(|u| u.root_uin == root)
                .map(|u| &u.uin)
                .collect();
            uins.sort();
            let users = uins
                .into_iter()
                .map(|u| user_json(app, root, u))
                .collect::<Result<Vec<_>, _>>()?;
            ok(json!({ "users": users }))
        }
        (&Method::GET, ["users", uin]) => ok(user_json(app, root, uin)?),
        (&Method::DELETE, ["users", uin]) => {
            app.iam.delete_user(root, uin)?;
            Ok(no_content())
        }
        (&Method::POST, ["users", uin, "keys"]) => {
            let req: KeyBody = body_json(ctx, body).await?;
            let k = app.iam.add_key(
                root,
                uin,
                req.secret_id.as_deref(),
                req.secret_key.as_deref(),
                now,
            )?;
            ok(new_key_json(&k))
        }
        (&Method::PUT, ["keys", id]) => {
            let req: KeyState = body_json(ctx, body).await?;
            let k = app.iam.set_key_enabled(root, id, req.enabled)?;
            ok(key_json(&k))
        }
        (&Method::DELETE, ["keys", id]) => {
            app.iam.delete_key(root, id)?;
            Ok(no_content())
        }
        (&Method::PUT, ["users", uin, "policies", name]) => {
            let text = body_text(ctx, body).await?;
            app.iam.put_user_policy(root, uin, name, &text)?;
            ok(json!({"name": name, "policy": text}))
        }
        (&Method::GET, ["users", uin, "policies", name]) => {
            let text = app.iam.user_policy(root, uin, name)?;
            Ok(Response::builder()
                .header("Content-Type", "application/json")
                .header("Content-Length", text.len())
                .body(Body::from(text))
                .unwrap_or_default())
        }
        (&Method::DELETE, ["users", uin, "policies", name]) => {
            app.iam.delete_user_policy(root, uin, name)?;
            Ok(no_content())
        }
        (&Method::POST, ["groups"]) => {
            let req: NewGroup = body_json(ctx, body).await?;
            app.iam.create_group(root, &req.name, now)?;
            ok(group_json(app, root, &req.name)?)
        }
        (&Method::GET, ["groups", name]) => ok(group_json(app, root, name)?),
        (&Method::DELETE, ["groups", name]) => {
            app.iam.delete_group(root, name)?;
            Ok(no_content())
        }
        (&Method::PUT, ["groups", name, "members", uin]) => {
            app.iam.set_membership(root, name, uin, true)?;
            ok(group_json(app, root, name)?)
        }
        (&Method::DELETE, ["groups", name, "members", uin]) => {
            app.iam.set_membership(root, name, uin, false)?;
            ok(group_json(app, root, name)?)
        }
        (&Method::PUT, ["groups", name, "policies", pname]) => {
            let text = body_text(ctx, body).await?;
            app.iam.put_group_policy(root, name, pname, &text)?;
            ok(group_json(app, root, name)?)
        }
        (&Method::DELETE, ["groups", name, "policies", pname]) => {
            app.iam.delete_group_policy(root, name, pname)?;
            Ok(no_content())
        }
        (&Method::POST, ["simulate"]) => {
            let req: simulate::SimulateRequest = body_json(ctx, body).await?;
            ok(simulate::run(app, root, &req)?)
        }
        _ => Err(ApiError::new(
            Code::NoSuchAdminResource,
            format!("no admin resource {} /_cosd/admin/{path}", ctx.method),
        )),
    }
}
