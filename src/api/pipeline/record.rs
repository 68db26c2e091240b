//! What the pipeline records of a request and does to it on the side: the journal entry, the
//! access-log line, and injected faults (src/api/observe).

use super::Access;
use crate::api::error::{ApiError, RenderedCode};
use crate::api::observe::faults::{Effect, Probe};
use crate::api::observe::journal::Entry;
use crate::api::observe::{redact, Trail};
use crate::api::request::authn::Dialect;
use crate::api::request::target::Target;
use crate::auth::encode::decode_path;
use crate::net::server::PeerAddr;
use crate::AppState;
use axum::body::Body;
use http::{HeaderValue, Method, Request, Response};

/// What the journal keeps of a request's head, taken before the pipeline consumes it.
pub(super) struct JournalHead {
    time: String,
    peer: String,
    path: String,
    query: String,
    headers: Vec<(String, String)>,
    scheme: &'static str,
    bytes_in: u64,
}

impl JournalHead {
    pub(super) fn of(app: &AppState, req: &Request<Body>) -> JournalHead {
        let h = req.headers();
        let text = |n: &str| h.get(n).and_then(|v| v.to_str().ok());
        let raw_query = req.uri().query().unwrap_or("");
        let names: Vec<&str> = raw_query
            .split('&')
            .map(|p| p.split_once('=').map_or(p, |(k, _)| k))
            .collect();
        JournalHead {
            time: crate::xml::iso8601_ms(app.clock.now_ms()),
            peer: req
                .extensions()
                .get::<PeerAddr>()
                .map(|p| p.0.to_string())
                .unwrap_or_default(),
            path: req.uri().path().to_string(),
            query: redact::query(raw_query),
            headers: h
                .iter()
                .map(|(k, v)| {
                    let v = String::from_utf8_lossy(v.as_bytes());
                    (k.as_str().to_string(), redact::header_value(k.as_str(), &v))
                })
                .collect(),
            scheme: redact::scheme(text("authorization"), &names),
            bytes_in: crate::metrics::bytes_in(h),
        }
    }
}

/// The journal's entry for a request that was answered with `resp`.
#[allow(clippy::too_many_arguments)]
pub(super) fn journal_entry(
    head: JournalHead,
    trail: &Trail,
    access: &Access,
    resp: &Response<Body>,
    method: &Method,
    host: &str,
    rid: &str,
    dialect: Dialect,
    started: std::time::Instant,
) -> Entry {
    Entry {
        seq: 0,
        time: head.time,
        request_id: rid.to_string(),
        peer: head.peer,
        method: method.to_string(),
        host: host.to_string(),
        path: head.path,
        query: head.query,
        headers: head.headers,
        scheme: head.scheme,
        dialect: match dialect {
            Dialect::Cos => "cos",
            Dialect::S3 => "s3",
        },
        principal: access.principal.clone(),
        op: access.op.to_string(),
        bucket: access.bucket.clone(),
        decisions: trail.take(),
        status: resp.status().as_u16(),
        error_code: resp.extensions().get::<RenderedCode>().map(|c| c.0),
        bytes_in: head.bytes_in,
        bytes_out: crate::metrics::bytes_out(resp, method == Method::HEAD),
        latency_us: started.elapsed().as_micros() as u64,
        fault: access.fault.map(|h| h.rule),
    }
}

/// What the access log needs of the request's head, kept before the pipeline consumes it.
pub(super) struct Asked {
    method: Method,
    path: String,
    /// Path and query as sent, signatures redacted.
    uri: String,
    user_agent: Option<HeaderValue>,
    referer: Option<HeaderValue>,
    peer: Option<std::net::SocketAddr>,
    bytes_in: u64,
}

impl Asked {
    pub(super) fn of(req: &Request<Body>) -> Asked {
        let h = req.headers();
        let uri = match req.uri().query() {
            Some(q) => format!("{}?{}", req.uri().path(), redact::query(q)),
            None => req.uri().path().to_string(),
        };
        Asked {
            method: req.method().clone(),
            path: decode_path(req.uri().path()).unwrap_or_else(|| req.uri().path().to_string()),
            uri,
            user_agent: h.get(http::header::USER_AGENT).cloned(),
            referer: h.get(http::header::REFERER).cloned(),
            peer: req.extensions().get::<PeerAddr>().map(|p| p.0),
            bytes_in: crate::metrics::bytes_in(h),
        }
    }
}

/// The bucket access-log line of a request to `b` answered with `resp`.
#[allow(clippy::too_many_arguments)]
pub(super) fn access_log_line(
    app: &AppState,
    b: &crate::meta::BucketRecord,
    access: &Access,
    asked: &Asked,
    resp: &Response<Body>,
    host: &str,
    rid: &str,
    started: std::time::Instant,
) -> String {
    use crate::bucket_config::logging::{line, LogRecord};
    let text =
        |v: &Option<HeaderValue>| v.as_ref().and_then(|v| v.to_str().ok()).map(str::to_string);
    let (ua, referer) = (text(&asked.user_agent), text(&asked.referer));
    let ip = asked.peer.map(|p| p.ip().to_string()).unwrap_or_default();
    let req_path = match &access.key {
        Some(k) => format!("/{k}"),
        None if access.op.is_empty() => asked.path.clone(),
        None => "/".to_string(),
    };
    line(&LogRecord {
        bucket: &b.name,
        region: &b.region,
        time_ms: app.clock.now_ms(),
        host,
        operation: &access.op,
        remote_ip: &ip,
        secret_id: access.secret_id.as_deref(),
        bytes_in: asked.bytes_in,
        path: &req_path,
        method: asked.method.as_str(),
        user_agent: ua.as_deref(),
        status: resp.status().as_u16(),
        error_code: resp.extensions().get::<RenderedCode>().map(|c| c.0),
        bytes_out: crate::metrics::bytes_out(resp, asked.method == Method::HEAD),
        total_ms: started.elapsed().as_millis() as u64,
        owner_uin: &b.owner_uin,
        requester: access.requester.clone(),
        request_id: rid,
        referer: referer.as_deref(),
        request_uri: &asked.uri,
    })
}

/// Applies the first fault rule that hits the request: waits its delay, then answers its error
/// or a connection close (the request is not served); a truncation is applied to the answer
/// in `handle_request`. None: go on serving.
pub(super) async fn inject_fault(
    app: &AppState,
    target: &Target,
    identity: &crate::auth::Identity,
    access: &mut Access,
) -> Option<Result<Response<Body>, ApiError>> {
    let (bucket, key) = match target {
        Target::Object { bucket, key } => (bucket.as_str(), Some(key.as_str())),
        Target::Bucket(b) => (b.as_str(), None),
        Target::Service => ("", None),
    };
    let secret_id = match identity {
        crate::auth::Identity::Account { secret_id, .. } => Some(secret_id.as_str()),
        crate::auth::Identity::Anonymous => None,
    };
    let probe = Probe {
        bucket,
        op: &access.op,
        key,
        principal: &access.principal,
        secret_id,
    };
    let hit = app.observer.faults.hit(&probe, rand::random::<f64>())?;
    access.fault = Some(hit);
    tracing::info!(rule = hit.rule, "injected fault");
    if hit.delay_ms > 0 {
        tokio::time::sleep(std::time::Duration::from_millis(hit.delay_ms)).await;
    }
    match hit.effect {
        Effect::Error(code) => Some(Err(ApiError::new(
            code,
            format!("Injected fault (rule {}).", hit.rule),
        ))),
        Effect::Reset => Some(Ok(Response::new(Body::empty()))),
        Effect::Serve | Effect::Truncate(_) => None,
    }
}
