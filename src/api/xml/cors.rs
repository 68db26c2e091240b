//! PUT/GET/DELETE Bucket CORS (`?cors`), the OPTIONS preflight, and the CORS headers of actual
//! responses (`bucket_config::cors` holds the rules; seed 002:5179: CORS only decides headers,
//! never authentication).

use crate::api::authz::{decide_for, resource_name, Target};
use crate::api::error::{ApiError, Code};
use crate::api::request::op::Op;
use crate::api::request::Ctx;
use crate::api::Admitted;
use crate::api::Reply;
use crate::api::{empty_response, read_xml_body, xml_response};
use crate::bucket_config::cors::{requested_headers, CorsConfig, MAX_CORS_XML};
use crate::meta::BucketRecord;
use crate::AppState;
use axum::body::Body;
use http::{HeaderMap, HeaderValue, StatusCode};

pub async fn put(app: &AppState, ctx: &Ctx, adm: &Admitted, body: Body) -> Reply {
    let b = adm.bucket()?;
    let bytes = read_xml_body(ctx, body, MAX_CORS_XML).await?;
    let text = std::str::from_utf8(&bytes)
        .map_err(|_| ApiError::new(Code::MalformedXML, "The CORS configuration is not UTF-8."))?;
    let config = CorsConfig::parse(text).map_err(|e| ApiError::new(Code::MalformedXML, e))?;
    app.store
        .update_bucket(&b.name, |r| r.cors = Some(config))
        .await?;
    Ok(empty_response(StatusCode::OK))
}

pub fn get(adm: &Admitted) -> Reply {
    let b = adm.bucket()?;
    let c = b.cors.as_ref().ok_or_else(|| {
        ApiError::new(
            Code::NoSuchCORSConfiguration,
            "The CORS configuration does not exist.",
        )
    })?;
    Ok(xml_response(StatusCode::OK, c.to_xml()))
}

pub async fn delete(app: &AppState, adm: &Admitted) -> Reply {
    let b = adm.bucket()?;
    app.store.update_bucket(&b.name, |r| r.cors = None).await?;
    Ok(empty_response(StatusCode::NO_CONTENT))
}

fn forbidden(msg: &str) -> ApiError {
    ApiError::new(Code::AccessDenied, format!("CORSResponse: {msg}"))
}

/// `OPTIONS` on an object or the bucket: the first rule that allows the origin, the requested
/// method and every requested header answers; otherwise 403. A preflight carries no
/// credentials; only an explicit deny of `name/cos:OptionsObject` in a policy refuses it
/// beyond the rules.
pub fn preflight(app: &AppState, ctx: &Ctx, op: &Op, adm: &Admitted) -> Reply {
    let b = adm.bucket()?;
    let origin = ctx.header("origin").ok_or_else(|| {
        ApiError::new(
            Code::InvalidRequest,
            "Insufficient information. Origin request header needed.",
        )
    })?;
    let method = ctx.header("access-control-request-method").ok_or_else(|| {
        ApiError::new(
            Code::InvalidRequest,
            "Invalid Access-Control-Request-Method header: it is missing.",
        )
    })?;
    let resource = resource_name(&b.region, &b.name, ctx.key());
    let target = Target {
        owner_uin: Some(&b.owner_uin),
        bucket: Some(b),
        object: None,
        resource: &resource,
    };
    let d = decide_for(app, &ctx.caller(), op.action(), &target);
    crate::api::observe::note_decision(op.action(), &resource, &d);
    if !d.allowed && d.reason.starts_with("explicit deny") {
        tracing::debug!(reason = %d.reason, "preflight denied by policy");
        return Err(forbidden(
            "This CORS request is not allowed by the bucket's policy.",
        ));
    }
    let config = b
        .cors
        .as_ref()
        .ok_or_else(|| forbidden("CORS is not enabled for this bucket."))?;
    let asked = requested_headers(ctx.header("access-control-request-headers"));
    let rule = config
        .find(origin, method, &asked)
        .ok_or_else(|| forbidden("This CORS request is not allowed."))?;
    let mut resp = empty_response(StatusCode::OK);
    let h = resp.headers_mut();
    let mut set = |k: &'static str, v: String| {
        if let Ok(v) = HeaderValue::from_str(&v) {
            h.insert(k, v);
        }
    };
    set("Access-Control-Allow-Origin", origin.to_string());
    set(
        "Access-Control-Allow-Methods",
        rule.allowed_methods.join(", "),
    );
    if !asked.is_empty() {
        set("Access-Control-Allow-Headers", asked.join(", "));
    }
    if let Some(a) = rule.max_age_seconds {
        set("Access-Control-Max-Age", a.to_string());
    }
    if !rule.expose_headers.is_empty() {
        set(
            "Access-Control-Expose-Headers",
            rule.expose_headers.join(", "),
        );
    }
    set(
        "Vary",
        "Origin, Access-Control-Request-Method, Access-Control-Request-Headers".into(),
    );
    Ok(resp)
}

/// Adds `Access-Control-Allow-Origin`, `-Expose-Headers` and `Vary: Origin` to an actual
/// response (success or error) when the request's Origin and method match a rule.
pub fn decorate(bucket: &BucketRecord, origin: &str, method: &str, headers: &mut HeaderMap) {
    let Some(config) = &bucket.cors else {
        return;
    };
    headers.append(http::header::VARY, HeaderValue::from_static("Origin"));
    let Some(rule) = config.find(origin, method, &[]) else {
        return;
    };
    if let Ok(v) = HeaderValue::from_str(origin) {
        headers.insert("Access-Control-Allow-Origin", v);
    }
    if !rule.expose_headers.is_empty() {
        if let Ok(v) = HeaderValue::from_str(&rule.expose_headers.join(", ")) {
            headers.insert("Access-Control-Expose-Headers", v);
        }
    }
}
