//! The admin API under `/_cosd/admin/...` (docs/access-control.md): a root account manages its
//! sub-accounts, keys, groups and user policies, and asks the policy simulator. JSON in and out.

mod kms;
mod observe;
mod reset;
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
        .map_err(body_error)?;
    String::from_utf8(bytes.to_vec()).map_err(|_| bad("the body is not UTF-8"))
}

/// A body the client got wrong is a bad argument to the admin API; a failure of ours stays
/// one.
fn body_error(e: ApiError) -> ApiError {
    if e.code.status().is_server_error() {
        e
    } else {
        bad(e.message)
    }
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

/// An admin API request: the route its method and path (after `/_cosd/admin/`) name, with
/// the path's parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AdminOp {
    /// `POST users`
    CreateUser,
    /// `GET users`
    ListUsers,
    /// `GET users/<uin>`
    GetUser { uin: String },
    /// `DELETE users/<uin>`
    DeleteUser { uin: String },
    /// `POST users/<uin>/keys`
    CreateKey { uin: String },
    /// `PUT keys/<secret_id>` (enable or disable)
    SetKeyState { secret_id: String },
    /// `DELETE keys/<secret_id>`
    DeleteKey { secret_id: String },
    /// `PUT users/<uin>/policies/<name>`
    PutUserPolicy { uin: String, name: String },
    /// `GET users/<uin>/policies/<name>`
    GetUserPolicy { uin: String, name: String },
    /// `DELETE users/<uin>/policies/<name>`
    DeleteUserPolicy { uin: String, name: String },
    /// `POST groups`
    CreateGroup,
    /// `GET groups/<name>`
    GetGroup { group: String },
    /// `DELETE groups/<name>`
    DeleteGroup { group: String },
    /// `PUT groups/<name>/members/<uin>`
    AddMember { group: String, uin: String },
    /// `DELETE groups/<name>/members/<uin>`
    RemoveMember { group: String, uin: String },
    /// `PUT groups/<name>/policies/<policy>`
    PutGroupPolicy { group: String, name: String },
    /// `DELETE groups/<name>/policies/<policy>`
    DeleteGroupPolicy { group: String, name: String },
    /// `POST simulate`
    Simulate,
    /// `POST kms-keys`
    CreateKmsKey,
    /// `GET kms-keys`
    ListKmsKeys,
    /// `GET kms-keys/<id>`
    GetKmsKey { id: String },
    /// `PUT kms-keys/<id>` (enable or disable)
    SetKmsKeyState { id: String },
    /// `GET journal` (server root only)
    Journal,
    /// `POST faults` (server root only)
    AddFault,
    /// `GET faults` (server root only)
    ListFaults,
    /// `DELETE faults[/<id>]` (server root only)
    DeleteFaults { id: Option<String> },
    /// `POST reset` (main root account only)
    Reset,
    /// No such route.
    Unknown,
}

impl AdminOp {
    /// The route `method` and `path` (what follows `/_cosd/admin/`; a trailing `/` is
    /// ignored) name.
    pub fn parse(method: &Method, path: &str) -> AdminOp {
        let segs: Vec<&str> = path.trim_end_matches('/').split('/').collect();
        let s = |v: &str| v.to_string();
        match (method, segs.as_slice()) {
            (&Method::POST, ["users"]) => AdminOp::CreateUser,
            (&Method::GET, ["users"]) => AdminOp::ListUsers,
            (&Method::GET, ["users", uin]) => AdminOp::GetUser { uin: s(uin) },
            (&Method::DELETE, ["users", uin]) => AdminOp::DeleteUser { uin: s(uin) },
            (&Method::POST, ["users", uin, "keys"]) => AdminOp::CreateKey { uin: s(uin) },
            (&Method::PUT, ["keys", id]) => AdminOp::SetKeyState { secret_id: s(id) },
            (&Method::DELETE, ["keys", id]) => AdminOp::DeleteKey { secret_id: s(id) },
            (&Method::PUT, ["users", uin, "policies", name]) => AdminOp::PutUserPolicy {
                uin: s(uin),
                name: s(name),
            },
            (&Method::GET, ["users", uin, "policies", name]) => AdminOp::GetUserPolicy {
                uin: s(uin),
                name: s(name),
            },
            (&Method::DELETE, ["users", uin, "policies", name]) => AdminOp::DeleteUserPolicy {
                uin: s(uin),
                name: s(name),
            },
            (&Method::POST, ["groups"]) => AdminOp::CreateGroup,
            (&Method::GET, ["groups", name]) => AdminOp::GetGroup { group: s(name) },
            (&Method::DELETE, ["groups", name]) => AdminOp::DeleteGroup { group: s(name) },
            (&Method::PUT, ["groups", name, "members", uin]) => AdminOp::AddMember {
                group: s(name),
                uin: s(uin),
            },
            (&Method::DELETE, ["groups", name, "members", uin]) => AdminOp::RemoveMember {
                group: s(name),
                uin: s(uin),
            },
            (&Method::PUT, ["groups", name, "policies", pname]) => AdminOp::PutGroupPolicy {
                group: s(name),
                name: s(pname),
            },
            (&Method::DELETE, ["groups", name, "policies", pname]) => AdminOp::DeleteGroupPolicy {
                group: s(name),
                name: s(pname),
            },
            (&Method::POST, ["simulate"]) => AdminOp::Simulate,
            (&Method::POST, ["kms-keys"]) => AdminOp::CreateKmsKey,
            (&Method::GET, ["kms-keys"]) => AdminOp::ListKmsKeys,
            (&Method::GET, ["kms-keys", id]) => AdminOp::GetKmsKey { id: s(id) },
            (&Method::PUT, ["kms-keys", id]) => AdminOp::SetKmsKeyState { id: s(id) },
            (&Method::GET, ["journal"]) => AdminOp::Journal,
            (&Method::POST, ["faults"]) => AdminOp::AddFault,
            (&Method::GET, ["faults"]) => AdminOp::ListFaults,
            (&Method::DELETE, ["faults"]) => AdminOp::DeleteFaults { id: None },
            (&Method::DELETE, ["faults", id]) => AdminOp::DeleteFaults { id: Some(s(id)) },
            (&Method::POST, ["reset"]) => AdminOp::Reset,
            _ => AdminOp::Unknown,
        }
    }

    /// The name used in logs.
    pub fn name(&self) -> &'static str {
        match self {
            AdminOp::CreateUser => "Admin.CreateUser",
            AdminOp::ListUsers => "Admin.ListUsers",
            AdminOp::GetUser { .. } => "Admin.GetUser",
            AdminOp::DeleteUser { .. } => "Admin.DeleteUser",
            AdminOp::CreateKey { .. } => "Admin.CreateKey",
            AdminOp::SetKeyState { .. } => "Admin.SetKeyState",
            AdminOp::DeleteKey { .. } => "Admin.DeleteKey",
            AdminOp::PutUserPolicy { .. } => "Admin.PutUserPolicy",
            AdminOp::GetUserPolicy { .. } => "Admin.GetUserPolicy",
            AdminOp::DeleteUserPolicy { .. } => "Admin.DeleteUserPolicy",
            AdminOp::CreateGroup => "Admin.CreateGroup",
            AdminOp::GetGroup { .. } => "Admin.GetGroup",
            AdminOp::DeleteGroup { .. } => "Admin.DeleteGroup",
            AdminOp::AddMember { .. } => "Admin.AddMember",
            AdminOp::RemoveMember { .. } => "Admin.RemoveMember",
            AdminOp::PutGroupPolicy { .. } => "Admin.PutGroupPolicy",
            AdminOp::DeleteGroupPolicy { .. } => "Admin.DeleteGroupPolicy",
            AdminOp::Simulate => "Admin.Simulate",
            AdminOp::CreateKmsKey => "Admin.CreateKmsKey",
            AdminOp::ListKmsKeys => "Admin.ListKmsKeys",
            AdminOp::GetKmsKey { .. } => "Admin.GetKmsKey",
            AdminOp::SetKmsKeyState { .. } => "Admin.SetKmsKeyState",
            AdminOp::Journal => "Admin.Journal",
            AdminOp::AddFault => "Admin.AddFault",
            AdminOp::ListFaults => "Admin.ListFaults",
            AdminOp::DeleteFaults { .. } => "Admin.DeleteFaults",
            AdminOp::Reset => "Admin.Reset",
            AdminOp::Unknown => "Admin",
        }
    }
}

/// Serves one admin request. `path` is what follows `/_cosd/admin/`.
pub async fn dispatch(
    app: &AppState,
    ctx: &Ctx,
    op: AdminOp,
    path: &str,
    body: Body,
) -> Response<Body> {
    match route(app, ctx, op, path, body).await {
        Ok(r) => r,
        Err(e) => e.render(Surface::Admin, &ctx.request_id, &ctx.resource, false),
    }
}

async fn route(
    app: &AppState,
    ctx: &Ctx,
    op: AdminOp,
    path: &str,
    body: Body,
) -> ApiResult<Response<Body>> {
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
    let ok = |v: Value| Ok(json_response(StatusCode::OK, &v));
    match op {
        AdminOp::CreateUser => {
            let req: NewUser = body_json(ctx, body).await?;
            let key = match (req.secret_id.clone(), req.secret_key.clone()) {
                (Some(i), Some(k)) => Some((i, k)),
                (None, None) => None,
                _ => return Err(bad("give secret_id and secret_key together")),
            };
            let (r, uin, groups) = (root.to_string(), req.uin.clone(), req.groups.clone());
            app.iam
                .write(move |iam| {
                    let key = key.as_ref().map(|(i, k)| (i.as_str(), k.as_str()));
                    iam.create_user(&r, &uin, &groups, key, now)
                })
                .await?;
            ok(user_json(app, root, &req.uin)?)
        }
        AdminOp::ListUsers => {
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
        AdminOp::GetUser { uin } => ok(user_json(app, root, &uin)?),
        AdminOp::DeleteUser { uin } => {
            let r = root.to_string();
            app.iam.write(move |iam| iam.delete_user(&r, &uin)).await?;
            Ok(no_content())
        }
        AdminOp::CreateKey { uin } => {
            let req: KeyBody = body_json(ctx, body).await?;
            let r = root.to_string();
            let k = app
                .iam
                .write(move |iam| {
                    let (id, key) = (req.secret_id.as_deref(), req.secret_key.as_deref());
                    iam.add_key(&r, &uin, id, key, now)
                })
                .await?;
            ok(new_key_json(&k))
        }
        AdminOp::SetKeyState { secret_id } => {
            let req: KeyState = body_json(ctx, body).await?;
            let r = root.to_string();
            let k = app
                .iam
                .write(move |iam| iam.set_key_enabled(&r, &secret_id, req.enabled))
                .await?;
            ok(key_json(&k))
        }
        AdminOp::DeleteKey { secret_id } => {
            let r = root.to_string();
            app.iam
                .write(move |iam| iam.delete_key(&r, &secret_id))
                .await?;
            Ok(no_content())
        }
        AdminOp::PutUserPolicy { uin, name } => {
            let text = body_text(ctx, body).await?;
            let (r, n, t) = (root.to_string(), name.clone(), text.clone());
            app.iam
                .write(move |iam| iam.put_user_policy(&r, &uin, &n, &t))
                .await?;
            ok(json!({"name": name, "policy": text}))
        }
        AdminOp::GetUserPolicy { uin, name } => {
            let text = app.iam.user_policy(root, &uin, &name)?;
            Ok(Response::builder()
                .header("Content-Type", "application/json")
                .header("Content-Length", text.len())
                .body(Body::from(text))
                .unwrap_or_default())
        }
        AdminOp::DeleteUserPolicy { uin, name } => {
            let r = root.to_string();
            app.iam
                .write(move |iam| iam.delete_user_policy(&r, &uin, &name))
                .await?;
            Ok(no_content())
        }
        AdminOp::CreateGroup => {
            let req: NewGroup = body_json(ctx, body).await?;
            let (r, name) = (root.to_string(), req.name.clone());
            app.iam
                .write(move |iam| iam.create_group(&r, &name, now))
                .await?;
            ok(group_json(app, root, &req.name)?)
        }
        AdminOp::GetGroup { group } => ok(group_json(app, root, &group)?),
        AdminOp::DeleteGroup { group } => {
            let r = root.to_string();
            app.iam
                .write(move |iam| iam.delete_group(&r, &group))
                .await?;
            Ok(no_content())
        }
        AdminOp::AddMember { group, uin } => {
            let (r, g) = (root.to_string(), group.clone());
            app.iam
                .write(move |iam| iam.set_membership(&r, &g, &uin, true))
                .await?;
            ok(group_json(app, root, &group)?)
        }
        AdminOp::RemoveMember { group, uin } => {
            let (r, g) = (root.to_string(), group.clone());
            app.iam
                .write(move |iam| iam.set_membership(&r, &g, &uin, false))
                .await?;
            ok(group_json(app, root, &group)?)
        }
        AdminOp::PutGroupPolicy { group, name } => {
            let text = body_text(ctx, body).await?;
            let (r, g) = (root.to_string(), group.clone());
            app.iam
                .write(move |iam| iam.put_group_policy(&r, &g, &name, &text))
                .await?;
            ok(group_json(app, root, &group)?)
        }
        AdminOp::DeleteGroupPolicy { group, name } => {
            let r = root.to_string();
            app.iam
                .write(move |iam| iam.delete_group_policy(&r, &group, &name))
                .await?;
            Ok(no_content())
        }
        AdminOp::Simulate => {
            let req: simulate::SimulateRequest = body_json(ctx, body).await?;
            ok(simulate::run(app, root, &req)?)
        }
        AdminOp::CreateKmsKey => kms::create(app, ctx, root, body).await,
        AdminOp::ListKmsKeys => kms::list(app, root),
        AdminOp::GetKmsKey { id } => kms::get(app, root, &id),
        AdminOp::SetKmsKeyState { id } => kms::set_state(app, ctx, root, &id, body).await,
        AdminOp::Journal => {
            observe::server_root(app, root)?;
            observe::journal(app, ctx).await
        }
        AdminOp::AddFault => {
            observe::server_root(app, root)?;
            observe::add_fault(app, ctx, body).await
        }
        AdminOp::ListFaults => {
            observe::server_root(app, root)?;
            Ok(observe::list_faults(app))
        }
        AdminOp::DeleteFaults { id } => {
            observe::server_root(app, root)?;
            observe::delete_faults(app, id.as_deref())
        }
        AdminOp::Reset => reset::reset(app, ctx, root, body).await,
        AdminOp::Unknown => Err(ApiError::new(
            Code::NoSuchAdminResource,
            format!("no admin resource {} /_cosd/admin/{path}", ctx.method),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_errors() {
        let md5 = body_error(ApiError::new(Code::BadDigest, "The Content-MD5 ..."));
        assert_eq!(
            (md5.code, md5.message.as_str()),
            (Code::InvalidArgument, "The Content-MD5 ...")
        );
        let ours = body_error(ApiError::new(Code::InternalError, "oops"));
        assert_eq!(ours.code, Code::InternalError);
    }

    #[test]
    fn every_route_parses() {
        let s = |v: &str| v.to_string();
        let table = [
            ("POST", "users", AdminOp::CreateUser, "Admin.CreateUser"),
            ("GET", "users/", AdminOp::ListUsers, "Admin.ListUsers"),
            (
                "GET",
                "users/100",
                AdminOp::GetUser { uin: s("100") },
                "Admin.GetUser",
            ),
            (
                "DELETE",
                "users/100",
                AdminOp::DeleteUser { uin: s("100") },
                "Admin.DeleteUser",
            ),
            (
                "POST",
                "users/100/keys",
                AdminOp::CreateKey { uin: s("100") },
                "Admin.CreateKey",
            ),
            (
                "PUT",
                "keys/AKID1",
                AdminOp::SetKeyState {
                    secret_id: s("AKID1"),
                },
                "Admin.SetKeyState",
            ),
            (
                "DELETE",
                "keys/AKID1",
                AdminOp::DeleteKey {
                    secret_id: s("AKID1"),
                },
                "Admin.DeleteKey",
            ),
            (
                "PUT",
                "users/100/policies/p",
                AdminOp::PutUserPolicy {
                    uin: s("100"),
                    name: s("p"),
                },
                "Admin.PutUserPolicy",
            ),
            (
                "GET",
                "users/100/policies/p",
                AdminOp::GetUserPolicy {
                    uin: s("100"),
                    name: s("p"),
                },
                "Admin.GetUserPolicy",
            ),
            (
                "DELETE",
                "users/100/policies/p",
                AdminOp::DeleteUserPolicy {
                    uin: s("100"),
                    name: s("p"),
                },
                "Admin.DeleteUserPolicy",
            ),
            ("POST", "groups", AdminOp::CreateGroup, "Admin.CreateGroup"),
            (
                "GET",
                "groups/g",
                AdminOp::GetGroup { group: s("g") },
                "Admin.GetGroup",
            ),
            (
                "DELETE",
                "groups/g",
                AdminOp::DeleteGroup { group: s("g") },
                "Admin.DeleteGroup",
            ),
            (
                "PUT",
                "groups/g/members/100",
                AdminOp::AddMember {
                    group: s("g"),
                    uin: s("100"),
                },
                "Admin.AddMember",
            ),
            (
                "DELETE",
                "groups/g/members/100",
                AdminOp::RemoveMember {
                    group: s("g"),
                    uin: s("100"),
                },
                "Admin.RemoveMember",
            ),
            (
                "PUT",
                "groups/g/policies/p",
                AdminOp::PutGroupPolicy {
                    group: s("g"),
                    name: s("p"),
                },
                "Admin.PutGroupPolicy",
            ),
            (
                "DELETE",
                "groups/g/policies/p",
                AdminOp::DeleteGroupPolicy {
                    group: s("g"),
                    name: s("p"),
                },
                "Admin.DeleteGroupPolicy",
            ),
            ("POST", "simulate", AdminOp::Simulate, "Admin.Simulate"),
            ("GET", "journal", AdminOp::Journal, "Admin.Journal"),
            ("POST", "faults", AdminOp::AddFault, "Admin.AddFault"),
            ("GET", "faults/", AdminOp::ListFaults, "Admin.ListFaults"),
            (
                "DELETE",
                "faults",
                AdminOp::DeleteFaults { id: None },
                "Admin.DeleteFaults",
            ),
            (
                "DELETE",
                "faults/3",
                AdminOp::DeleteFaults { id: Some(s("3")) },
                "Admin.DeleteFaults",
            ),
            ("POST", "journal", AdminOp::Unknown, "Admin"),
            ("POST", "reset", AdminOp::Reset, "Admin.Reset"),
            ("GET", "reset", AdminOp::Unknown, "Admin"),
            // Wrong method, unknown or partial paths.
            ("GET", "simulate", AdminOp::Unknown, "Admin"),
            ("PUT", "users", AdminOp::Unknown, "Admin"),
            ("GET", "groups", AdminOp::Unknown, "Admin"),
            ("GET", "groups/g/members/100", AdminOp::Unknown, "Admin"),
            ("POST", "users/100/keys/x", AdminOp::Unknown, "Admin"),
            ("GET", "", AdminOp::Unknown, "Admin"),
            ("GET", "nothing", AdminOp::Unknown, "Admin"),
        ];
        for (method, path, op, name) in table {
            let m = Method::from_bytes(method.as_bytes()).unwrap();
            let got = AdminOp::parse(&m, path);
            assert_eq!(got, op, "{method} {path}");
            assert_eq!(got.name(), name, "{method} {path}");
        }
    }
}
