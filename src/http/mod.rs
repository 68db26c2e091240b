//! The front end: request pipeline (classify, target, op, authenticate, dispatch), errors,
//! response header casing and the server loop.

mod authn;
pub mod error;
pub mod header_case;
pub mod op;
pub mod server;
pub mod target;

use crate::auth::encode::{decode_path, decode_query};
use crate::auth::Identity;
use crate::AppState;
use axum::body::Body;
use axum::extract::State;
use error::{ApiError, Code};
use http::{HeaderMap, HeaderValue, Method, Request, Response};
use op::Op;
use server::PeerAddr;
use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use target::Target;
use tracing::Instrument;

/// Everything a handler needs to know about the request (besides its body).
pub struct Ctx {
    pub request_id: String,
    pub method: Method,
    pub op: Op,
    pub target: Target,
    /// Region named by the Host, if any.
    pub host_region: Option<String>,
    pub identity: Identity,
    pub query: Vec<(String, String)>,
    pub headers: HeaderMap,
    /// `host/path` of the request, for error bodies.
    pub resource: String,
    pub peer: Option<SocketAddr>,
}

impl Ctx {
    pub fn query(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn has_query(&self, name: &str) -> bool {
        self.query.iter().any(|(k, _)| k == name)
    }

    /// A header as text (UTF-8 allowed); None if absent, empty, or not text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(name)
            .and_then(|v| std::str::from_utf8(v.as_bytes()).ok())
            .filter(|s| !s.is_empty())
    }

    pub fn bucket(&self) -> Option<&str> {
        match &self.target {
            Target::Service => None,
            Target::Bucket(b) | Target::Object { bucket: b, .. } => Some(b),
        }
    }

    pub fn key(&self) -> Option<&str> {
        match &self.target {
            Target::Object { key, .. } => Some(key),
            _ => None,
        }
    }
}

fn request_id(app: &AppState) -> String {
    use base64::Engine;
    let n = app.request_counter.fetch_add(1, Ordering::Relaxed);
    let raw = format!(
        "{:08x}_{:x}_{:04x}",
        app.clock.now_secs(),
        n,
        rand::random::<u16>()
    );
    base64::engine::general_purpose::STANDARD_NO_PAD.encode(raw)
}

/// The axum handler for every request.
pub async fn handle(State(app): State<Arc<AppState>>, req: Request<Body>) -> Response<Body> {
    let started = std::time::Instant::now();
    let rid = request_id(&app);
    let method = req.method().clone();
    let span = tracing::info_span!(
        "request",
        request_id = %rid,
        method = %method,
        op = tracing::field::Empty,
        bucket = tracing::field::Empty,
        principal = tracing::field::Empty,
    );
    let host = req
        .headers()
        .get(http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("")
        .to_string();
    let resource = format!("{}{}", host, req.uri().path());
    let is_head = method == Method::HEAD;
    let result = pipeline(&app, req, &rid, &resource)
        .instrument(span.clone())
        .await;
    let mut resp = match result {
        Ok(r) => r,
        Err(e) => {
            span.in_scope(|| {
                if e.code == Code::InternalError {
                    tracing::error!(code = e.code.as_str(), "request failed");
                } else {
                    tracing::info!(code = e.code.as_str(), message = %e.message, "request rejected");
                }
            });
            e.into_response(&resource, &rid, is_head)
        }
    };
    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&rid) {
        h.insert("x-cos-request-id", v);
    }
    if let Ok(v) = HeaderValue::from_str(&error::trace_id(&rid)) {
        h.insert("x-cos-trace-id", v);
    }
    if !h.contains_key(http::header::DATE) {
        if let Ok(v) = HeaderValue::from_str(&httpdate::fmt_http_date(app.clock.now())) {
            h.insert(http::header::DATE, v);
        }
    }
    h.insert(http::header::SERVER, HeaderValue::from_static("cosd"));
    span.in_scope(|| {
        tracing::info!(
            status = resp.status().as_u16(),
            elapsed_us = started.elapsed().as_micros() as u64,
            "done"
        );
    });
    resp
}

async fn pipeline(
    app: &Arc<AppState>,
    req: Request<Body>,
    rid: &str,
    resource: &str,
) -> Result<Response<Body>, ApiError> {
    let (parts, body) = req.into_parts();
    let host = parts
        .headers
        .get(http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_string)
        .or_else(|| parts.uri.authority().map(|a| a.to_string()))
        .unwrap_or_default();
    let raw_path = parts.uri.path();
    let path = decode_path(raw_path).ok_or_else(|| {
        ApiError::new(
            Code::InvalidURI,
            "Couldn't parse the specified URI: the path is not UTF-8",
        )
    })?;
    let query = decode_query(parts.uri.query().unwrap_or(""));
    let addressed = target::resolve(&host, &path, &app.config.domains);
    if addressed.path_style && path == "/_cosd/health" {
        return Ok(health(&parts.method));
    }
    let names: Vec<&str> = query.iter().map(|(k, _)| k.as_str()).collect();
    let has_copy = parts.headers.contains_key("x-cos-copy-source")
        || parts.headers.contains_key("x-amz-copy-source");
    let list_type = query
        .iter()
        .find(|(k, _)| k == "list-type")
        .map(|(_, v)| v.as_str());
    let op = Op::parse(
        parts.method.as_str(),
        &addressed.target,
        &names,
        has_copy,
        list_type,
    );
    let span = tracing::Span::current();
    span.record("op", op.name());
    if let Target::Bucket(b) | Target::Object { bucket: b, .. } = &addressed.target {
        span.record("bucket", b.as_str());
    }
    let identity = authn::authenticate(app, &parts, &path, &addressed, &query)?;
    span.record("principal", identity.principal().as_str());
    let ctx = Ctx {
        request_id: rid.to_string(),
        method: parts.method.clone(),
        op,
        target: addressed.target,
        host_region: addressed.region,
        identity,
        query,
        headers: parts.headers,
        resource: resource.to_string(),
        peer: parts.extensions.get::<PeerAddr>().map(|p| p.0),
    };
    crate::api::dispatch(app, &ctx, body).await
}

fn health(method: &Method) -> Response<Body> {
    let body = if method == Method::HEAD {
        ""
    } else {
        "{\"status\":\"ok\"}"
    };
    Response::builder()
        .header("Content-Type", "application/json")
        .body(Body::from(body))
        .unwrap_or_default()
}
