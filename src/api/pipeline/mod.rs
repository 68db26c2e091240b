//! The request pipeline: classify, authenticate, authorize, dispatch, and the headers every
//! answer carries.

mod record;

use super::admit::admit;
use super::error::{ApiError, Code, RenderedCode, Surface};
use super::observe::faults::{Effect, Hit};
use super::observe::{with_trail, Trail};
use super::request::authn::{self, Dialect};
use super::request::classify::{classify, Api};
use super::request::op::Op;
use super::request::target::Target;
use super::request::{stamp, Ctx};
use crate::auth::encode::{decode_path, decode_query};
use crate::net::server::PeerAddr;
use crate::net::{tls, transport};
use crate::AppState;
use axum::body::Body;
use axum::extract::State;
use http::{HeaderMap, HeaderValue, Method, Request, Response};
use record::{access_log_line, inject_fault, journal_entry, Asked, JournalHead};
use std::sync::atomic::Ordering;
use std::sync::Arc;

fn request_id(app: &AppState) -> String {
    let n = app.request_counter.fetch_add(1, Ordering::Relaxed);
    // `as`: the same digits `{:x}` printed for the i64 (two's complement), clock before 1970 or not.
    stamp::request_id(app.clock.now_secs() as u64, n, rand::random::<u16>())
}

/// The axum handler for every request.
pub async fn handle(State(app): State<Arc<AppState>>, req: Request<Body>) -> Response<Body> {
    let rid = request_id(&app);
    // Every log line of the request carries its id (`log_line` reads it from the task); the
    // rest goes once into the access line at the end.
    crate::log_line::with_request_id(rid.clone(), async move {
        if app.observer.journal.is_none() {
            return handle_request(app, req, rid, None).await;
        }
        let trail = Arc::new(Trail::default());
        let head = JournalHead::of(&app, &req);
        let run = handle_request(Arc::clone(&app), req, rid, Some((head, Arc::clone(&trail))));
        with_trail(trail, run).await
    })
    .await
}

async fn handle_request(
    app: Arc<AppState>,
    req: Request<Body>,
    rid: String,
    journal: Option<(JournalHead, Arc<Trail>)>,
) -> Response<Body> {
    let started = std::time::Instant::now();
    let method = req.method().clone();
    let mut access = Access::default();
    let host = req
        .headers()
        .get(http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("")
        .to_string();
    let resource = format!("{}{}", host, req.uri().path());
    let is_head = method == Method::HEAD;
    // A rejected request's body may be unread (or, with `Expect: 100-continue`, never sent), so
    // the connection cannot be reused; say so instead of letting the client find a dead socket.
    let has_body = req.headers().contains_key(http::header::TRANSFER_ENCODING)
        || req
            .headers()
            .get(http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim() != "0");
    let bytes_in = crate::metrics::bytes_in(req.headers());
    let query = decode_query(req.uri().query().unwrap_or(""));
    let dialect = {
        let auth = req
            .headers()
            .get(http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok());
        let names: Vec<&str> = query.iter().map(|(k, _)| k.as_str()).collect();
        Dialect::detect(auth, &names)
    };
    let origin = req
        .headers()
        .get(http::header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let stall = req.extensions().get::<transport::StallFlag>().cloned();
    let asked = Asked::of(&req);
    let incoming = Incoming {
        rid: &rid,
        resource: &resource,
        query,
        dialect,
    };
    let result = match pipeline(&app, req, incoming, &mut access).await {
        Ok(r) if r.extensions().get::<AwaitFirstPiece>().is_some() => first_piece(r).await,
        // Whatever the handler made of a body read that stalled, say what happened.
        Err(_) if stall.as_ref().is_some_and(transport::StallFlag::stalled) => Err(ApiError::new(
            Code::RequestTimeout,
            "Your socket connection to the server was not read from or written to within the timeout period.",
        )),
        r => r,
    };
    let mut resp = match result {
        Ok(r) => r,
        Err(e) => {
            let mut r = e.render(Surface::Xml(dialect), &rid, &resource, is_head);
            if has_body {
                r.headers_mut()
                    .insert(http::header::CONNECTION, HeaderValue::from_static("close"));
            }
            r
        }
    };
    match access.fault {
        Some(Hit {
            effect: Effect::Truncate(after),
            ..
        }) => resp = crate::api::observe::truncate(resp, after),
        Some(Hit {
            effect: Effect::Reset,
            ..
        }) => {
            resp.extensions_mut()
                .insert(crate::net::server::CloseWithoutAnswer);
        }
        _ => {}
    }
    // One access-log line for a bucket with `?logging` on (the record the request was
    // served with).
    // A request refused before its bucket was read (a bad signature) is logged too.
    let unread = match &access.loaded {
        None if !access.bucket.is_empty() && resp.status().as_u16() >= 400 => {
            app.store.bucket_shared(&access.bucket).ok().flatten()
        }
        _ => None,
    };
    if let Some(b) = access.loaded.as_deref().or(unread.as_deref()) {
        if let Some(config) = &b.logging {
            let line = access_log_line(&app, b, &access, &asked, &resp, &host, &rid, started);
            app.observer.access_logs.add(config, line);
        }
    }
    let failed = resp.status().is_client_error() || resp.status().is_server_error();
    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&rid) {
        if dialect == Dialect::S3 {
            h.insert(X_AMZ_REQUEST_ID, v.clone());
        }
        h.insert(X_COS_REQUEST_ID, v);
    }
    if let Ok(v) = HeaderValue::from_str(&stamp::trace_id(&rid)) {
        if dialect == Dialect::S3 {
            h.insert(X_AMZ_ID_2, v.clone());
        }
        // COS sends x-cos-trace-id with errors (beside the body's <TraceId>), not with every
        // answer; a per-request header on successes would make the HEADs of an object and of
        // its copy differ (docs/wire-details.md).
        if failed {
            h.insert(X_COS_TRACE_ID, v);
        }
    }
    if !h.contains_key(http::header::DATE) {
        if let Some(v) = app.date.at(app.clock.now()) {
            h.insert(http::header::DATE, v);
        }
    }
    h.insert(http::header::SERVER, HeaderValue::from_static("cosd"));
    // CORS headers of actual responses (the preflight answers for itself).
    if let (Some(o), false) = (
        &origin,
        method == Method::OPTIONS || access.bucket.is_empty(),
    ) {
        // The record the request was served with, unless the request changed it (or the
        // pipeline never read it: JSON API, website).
        let b = match access.loaded.take() {
            Some(b) if !access.bucket_changed => Some(b),
            _ => app.store.bucket_shared(&access.bucket).ok().flatten(),
        };
        if let Some(b) = b {
            crate::api::cors_headers(&b, o, method.as_str(), h);
        }
    }
    // A follower's polls would otherwise fill the journal with themselves.
    let journal = journal.filter(|_| access.op != "Admin.Journal");
    if let (Some((head, trail)), Some(j)) = (journal, app.observer.journal.as_ref()) {
        j.push(journal_entry(
            head, &trail, &access, &resp, &method, &host, &rid, dialect, started,
        ));
    }
    tracing::info!(
        method = %method,
        op = %access.op,
        bucket = %access.bucket,
        principal = %access.principal,
        status = resp.status().as_u16(),
        elapsed_us = started.elapsed().as_micros() as u64,
        "done"
    );
    app.metrics.observe(&crate::metrics::RequestSample {
        op: &access.op,
        dialect,
        status: resp.status().as_u16(),
        // Every surface's errors (XML, JSON API, STS, admin, website) come from the one
        // renderer, which marks the answer with its code.
        code: resp.extensions().get::<RenderedCode>().map(|c| c.0),
        bytes_in,
        bytes_out: crate::metrics::bytes_out(&resp, is_head),
        elapsed: started.elapsed(),
    });
    resp
}

/// What the access line says about a request, filled in as the pipeline learns it.
#[derive(Debug, Default)]
pub struct Access {
    pub op: std::borrow::Cow<'static, str>,
    pub bucket: String,
    pub principal: String,
    /// The addressed bucket as the pipeline read it (for the answer's CORS headers).
    pub loaded: Option<Arc<crate::meta::BucketRecord>>,
    /// The request changed the bucket's CORS rules or deleted it: read it again.
    pub bucket_changed: bool,
    /// The injected fault that hit the request.
    pub fault: Option<Hit>,
    /// The key that signed the request, and `<root uin>:<uin>` (the access log's fields).
    pub secret_id: Option<String>,
    pub requester: Option<String>,
    /// The addressed object's key (the access log's reqPath, path-style or not).
    pub key: Option<String>,
}

/// What `handle_request` learnt before the pipeline runs.
struct Incoming<'a> {
    rid: &'a str,
    resource: &'a str,
    /// The decoded query.
    query: Vec<(String, String)>,
    dialect: Dialect,
}

const X_COS_REQUEST_ID: http::HeaderName = http::HeaderName::from_static("x-cos-request-id");
const X_COS_TRACE_ID: http::HeaderName = http::HeaderName::from_static("x-cos-trace-id");
const X_AMZ_REQUEST_ID: http::HeaderName = http::HeaderName::from_static("x-amz-request-id");
const X_AMZ_ID_2: http::HeaderName = http::HeaderName::from_static("x-amz-id-2");

async fn pipeline(
    app: &Arc<AppState>,
    req: Request<Body>,
    incoming: Incoming<'_>,
    access: &mut Access,
) -> Result<Response<Body>, ApiError> {
    let Incoming {
        rid,
        resource,
        query,
        dialect,
    } = incoming;
    let (parts, body) = req.into_parts();
    check_transfer_encoding(&parts.headers)?;
    let path = decode_path(parts.uri.path()).ok_or_else(|| {
        ApiError::new(
            Code::InvalidURI,
            "Couldn't parse the specified URI: the path is not UTF-8",
        )
    })?;
    let (op, addressed) = match classify(&parts, &path, &query, &app.config) {
        Api::Website { bucket } => {
            let incoming = crate::api::website::Incoming {
                rid,
                bucket,
                decoded_path: &path,
                resource,
            };
            return Ok(crate::api::website::handle(app, parts, incoming, access).await);
        }
        Api::Sts => return Ok(crate::api::sts::handle(app, parts, body, rid, access).await),
        Api::Health => return Ok(health(app, &parts.method)),
        Api::Metrics => {
            access.op = "Metrics".into();
            return Ok(crate::metrics::endpoint::answer(
                app,
                &parts.method,
                &parts.headers,
            ));
        }
        Api::Json => {
            let incoming = crate::api::json::Incoming {
                rid,
                decoded_path: &path,
                query,
            };
            return Ok(crate::api::json::handle(app, parts, body, incoming, access).await);
        }
        Api::Admin {
            op,
            path,
            addressed,
        } => (Route::Admin(op, path), addressed),
        Api::PostObject(addressed) => (Route::PostObject, addressed),
        Api::Xml { op, addressed } => (Route::Xml(op), addressed),
    };
    access.op = match &op {
        Route::Xml(op) => op.name(),
        Route::PostObject => "PostObject",
        Route::Admin(op, _) => op.name(),
    }
    .into();
    if let Target::Bucket(b) | Target::Object { bucket: b, .. } = &addressed.target {
        access.bucket = b.clone();
    }
    if let Target::Object { key, .. } = &addressed.target {
        access.key = Some(key.clone());
    }
    // A CORS preflight carries no credentials of its own: a presigned URL's query signs the
    // request it presigns, not the OPTIONS a browser sends before it (S3 ignores it too).
    let authed = if matches!(op, Route::Xml(Op::OptionsObject)) {
        authn::anonymous()
    } else {
        authn::authenticate(app, &parts, &path, &addressed, &query)?
    };
    let identity = authed.identity;
    access.principal = identity.principal();
    if let crate::auth::Identity::Account {
        uin,
        root_uin,
        secret_id,
    } = &identity
    {
        access.secret_id = Some(secret_id.clone());
        access.requester = Some(format!("{root_uin}:{uin}"));
    }
    if !matches!(op, Route::Admin(..)) && !app.observer.faults.is_empty() {
        if let Some(answer) = inject_fault(app, &addressed.target, &identity, access).await {
            return answer;
        }
    }
    // The payload headers are all `x-amz-` ones: look them up among the few a request has
    // instead of hashing each name against the whole map.
    let amz: Vec<(&str, &HeaderValue)> = parts
        .headers
        .iter()
        .filter(|(k, _)| k.as_str().starts_with("x-amz-"))
        .map(|(k, v)| (k.as_str(), v))
        .collect();
    let payload = authed
        .payload
        .with_checksum_headers(&|n| {
            debug_assert!(n.starts_with("x-amz-"), "{n}");
            amz.iter()
                .find(|(k, _)| *k == n)
                .and_then(|(_, v)| v.to_str().ok())
                .map(str::to_string)
        })
        .map_err(|e| ApiError::new(Code::InvalidRequest, e.0))?;
    // The addressed bucket, read once for the whole request (referer, authorization, the
    // handler, and the CORS headers of the answer).
    let loaded = match addressed.target.bucket() {
        Some(name) => app.store.bucket_shared(name)?,
        None => None,
    };
    access.loaded = loaded.clone();
    let ctx = Ctx {
        request_id: rid.to_string(),
        method: parts.method.clone(),
        target: addressed.target,
        host_region: addressed.region,
        identity,
        dialect,
        payload,
        query,
        headers: alias_amz_headers(parts.headers),
        resource: resource.to_string(),
        peer: parts.extensions.get::<PeerAddr>().map(|p| p.0),
        tls: parts.extensions.get::<tls::TlsInfo>().copied(),
    };
    let op = match op {
        Route::Admin(op, path) => {
            return Ok(crate::api::admin::dispatch(app, &ctx, op, &path, body).await)
        }
        Route::PostObject => {
            crate::api::xml::referer::check(&ctx, loaded.as_deref())?;
            return crate::api::post_object::post(app, &ctx, loaded, body).await;
        }
        Route::Xml(op) => op,
    };
    if op.referer_applies() {
        crate::api::xml::referer::check(&ctx, loaded.as_deref())?;
    }
    access.bucket_changed = op.changes_bucket();
    let (ctx, body) = match op {
        Op::PutObjectRetention => retention_keys(app, ctx, body).await?,
        Op::PutObjectTagging | Op::PutBucketTagging => tagging_keys(app, ctx, body).await?,
        _ => (ctx, body),
    };
    let admitted = admit(app, &ctx, &op, loaded)?;
    crate::api::dispatch(app, &ctx, &op, admitted, body).await
}

/// What the pipeline does with a request after authentication.
enum Route {
    Xml(Op),
    PostObject,
    /// The admin API: its operation and the path after its prefix.
    Admin(crate::api::admin::AdminOp, String),
}

/// `{"status":"ok"}` and the transport's counters (connections open, refused and closed by
/// each limit; object reads that failed while answering a GET).
fn health(app: &AppState, method: &Method) -> Response<Body> {
    let body = if method == Method::HEAD {
        String::new()
    } else {
        let t = &app.transport;
        let s = t.stats();
        let n = |c: &std::sync::atomic::AtomicU64| c.load(Ordering::Relaxed);
        format!(
            "{{\"status\":\"ok\",\"connections\":{},\"max_connections\":{},\"refused\":{},\"evicted\":{},\"idle_timeouts\":{},\"header_timeouts\":{},\"body_timeouts\":{},\"send_timeouts\":{},\"read_failures\":{}}}",
            t.open(),
            t.limits().max_connections,
            n(&s.refused),
            n(&s.evicted),
            n(&s.idle_timeouts),
            n(&s.header_timeouts),
            n(&s.body_timeouts),
            n(&s.send_timeouts),
            n(&s.read_failures),
        )
    };
    Response::builder()
        .header("Content-Type", "application/json")
        .body(Body::from(body))
        .unwrap_or_default()
}

/// Refuses a request body in a transfer coding other than `chunked` (RFC 9112 §6.1: 501),
/// which hyper would otherwise decode as chunked and store still encoded. hyper itself answers
/// 400 when `chunked` is missing or not last.
fn check_transfer_encoding(headers: &HeaderMap) -> Result<(), ApiError> {
    let mut chunked = 0;
    for v in headers.get_all(http::header::TRANSFER_ENCODING) {
        let v = v.to_str().unwrap_or("?");
        for coding in v.split(',').map(str::trim).filter(|c| !c.is_empty()) {
            if coding.eq_ignore_ascii_case("chunked") {
                chunked += 1;
            } else {
                return Err(ApiError::new(
                    Code::NotImplemented,
                    format!("A header you provided implies functionality that is not implemented: Transfer-Encoding {coding}"),
                ));
            }
        }
    }
    if chunked > 1 {
        return Err(ApiError::new(
            Code::InvalidRequest,
            "Transfer-Encoding names chunked more than once.",
        ));
    }
    Ok(())
}

/// A response extension: the body must deliver its first piece before the response is sent,
/// so that a read failing at once is answered 500/503 rather than 200 and a cut connection.
#[derive(Debug, Clone, Copy)]
pub(crate) struct AwaitFirstPiece;

/// Waits for the first piece of `resp`'s body (see [`AwaitFirstPiece`]); a failed read (already
/// logged by the body) becomes a 503 when the server is out of descriptors or memory, else 500.
async fn first_piece(resp: Response<Body>) -> Result<Response<Body>, ApiError> {
    use http_body_util::BodyExt;
    let (parts, mut body) = resp.into_parts();
    match body.frame().await {
        None => Ok(Response::from_parts(parts, Body::empty())),
        Some(Ok(first)) => Ok(Response::from_parts(
            parts,
            Body::new(Primed {
                first: Some(first),
                rest: body,
            }),
        )),
        Some(Err(e)) => {
            let io = e
                .into_inner()
                .downcast::<std::io::Error>()
                .map(|e| *e)
                .unwrap_or_else(std::io::Error::other);
            Err(read_failure(&io))
        }
    }
}

/// The answer to an object read that failed before the response was sent.
pub(crate) fn read_failure(e: &std::io::Error) -> ApiError {
    match e.raw_os_error() {
        Some(libc::EMFILE | libc::ENFILE | libc::ENOMEM) => ApiError::new(
            Code::ServiceUnavailable,
            "The server is short of resources (open files or memory). Please retry.",
        ),
        _ => ApiError::new(
            Code::InternalError,
            "We encountered an internal error. Please try again.",
        ),
    }
}

/// A body whose first frame was already read.
struct Primed {
    first: Option<http_body::Frame<bytes::Bytes>>,
    rest: Body,
}

impl http_body::Body for Primed {
    type Data = bytes::Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        match self.first.take() {
            Some(f) => std::task::Poll::Ready(Some(Ok(f))),
            None => std::pin::Pin::new(&mut self.rest).poll_frame(cx),
        }
    }

    fn is_end_stream(&self) -> bool {
        self.first.is_none() && self.rest.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        let first = self
            .first
            .as_ref()
            .and_then(|f| f.data_ref())
            .map_or(0, |d| d.len() as u64);
        let rest = self.rest.size_hint();
        let mut hint = http_body::SizeHint::new();
        hint.set_lower(rest.lower() + first);
        if let Some(u) = rest.upper() {
            hint.set_upper(u + first);
        }
        hint
    }
}

/// `x-amz-*` request headers that name the same thing as an `x-cos-*` header (ACL, grants,
/// storage class, metadata, copy source and its conditions, metadata directive, tagging,
/// forbid-overwrite...) are also made available under the `x-cos-` name, so handlers read one
/// name and S3 clients share the COS namespace. Signing, payload and checksum headers keep
/// their own names. An `x-cos-` header sent explicitly wins.
fn alias_amz_headers(mut headers: HeaderMap) -> HeaderMap {
    const OWN: &[&str] = &[
        "date",
        "content-sha256",
        "decoded-content-length",
        "trailer",
        "security-token",
        "sdk-checksum-algorithm",
        "checksum-mode",
        "user-agent",
        "expected-bucket-owner",
    ];
    let aliases: Vec<(http::HeaderName, HeaderValue)> = headers
        .iter()
        .filter_map(|(k, v)| {
            let rest = k.as_str().strip_prefix("x-amz-")?;
            if OWN.contains(&rest) || rest.starts_with("checksum-") {
                return None;
            }
            let name = http::HeaderName::from_bytes(format!("x-cos-{rest}").as_bytes()).ok()?;
            (!headers.contains_key(&name)).then(|| (name, v.clone()))
        })
        .collect();
    for (k, v) in aliases {
        headers.append(k, v);
    }
    headers
}

#[cfg(test)]
mod alias_tests {
    use super::*;

    #[test]
    fn amz_headers_are_visible_under_cos_names() {
        let mut h = HeaderMap::new();
        h.insert("x-amz-acl", HeaderValue::from_static("public-read"));
        h.insert("x-amz-meta-color", HeaderValue::from_static("blue"));
        h.insert(
            "x-amz-storage-class",
            HeaderValue::from_static("STANDARD_IA"),
        );
        h.insert("x-cos-storage-class", HeaderValue::from_static("ARCHIVE"));
        h.insert(
            "x-amz-content-sha256",
            HeaderValue::from_static("UNSIGNED-PAYLOAD"),
        );
        h.insert("x-amz-checksum-crc32", HeaderValue::from_static("DUoRhQ=="));
        let h = alias_amz_headers(h);
        assert_eq!(h["x-cos-acl"], "public-read");
        assert_eq!(h["x-cos-meta-color"], "blue");
        assert_eq!(h["x-cos-storage-class"], "ARCHIVE");
        assert!(!h.contains_key("x-cos-content-sha256"));
        assert!(!h.contains_key("x-cos-checksum-crc32"));
    }
}

#[cfg(test)]
mod framing_tests {
    use super::*;

    #[test]
    fn a_read_out_of_descriptors_is_503_and_a_missing_chunk_500() {
        let emfile = std::io::Error::from_raw_os_error(libc::EMFILE);
        assert_eq!(read_failure(&emfile).code, Code::ServiceUnavailable);
        assert_eq!(read_failure(&emfile).code.status(), 503);
        let missing = std::io::Error::new(std::io::ErrorKind::NotFound, "chunk ab is missing");
        assert_eq!(read_failure(&missing).code, Code::InternalError);
    }

    #[test]
    fn only_chunked_transfer_coding_is_accepted() {
        let te = |v: &str| {
            let mut h = HeaderMap::new();
            h.insert(
                http::header::TRANSFER_ENCODING,
                HeaderValue::from_str(v).unwrap(),
            );
            check_transfer_encoding(&h).map_err(|e| e.code)
        };
        assert_eq!(te("chunked"), Ok(()));
        assert_eq!(te("Chunked"), Ok(()));
        assert_eq!(te("gzip, chunked"), Err(Code::NotImplemented));
        assert_eq!(te("identity"), Err(Code::NotImplemented));
        assert_eq!(te("chunked, chunked"), Err(Code::InvalidRequest));
        assert_eq!(
            check_transfer_encoding(&HeaderMap::new()).map_err(|e| e.code),
            Ok(())
        );
    }
}

/// PUT `?retention` is authorized with the lock mode and date its body sets (the seed's
/// condition keys, 002:3417-3567): the small body is read and verified first, and its values
/// replace any lock headers sent, so the keys are the body's. The handler gets the bytes.
async fn retention_keys(app: &AppState, mut ctx: Ctx, body: Body) -> Result<(Ctx, Body), ApiError> {
    let bytes = crate::api::read_xml_body(&ctx, body, app.config.max_xml_body).await?;
    for name in [
        "x-cos-object-lock-mode",
        "x-cos-object-lock-retain-until-date",
    ] {
        ctx.headers.remove(name);
    }
    for (name, value) in crate::api::xml_lock_key_headers(&bytes) {
        if let Ok(v) = HeaderValue::from_str(&value) {
            ctx.headers.insert(name, v);
        }
    }
    Ok((ctx, Body::from(bytes)))
}

/// PUT `?tagging` (object or bucket) is authorized with the tags its body sets
/// (`qcs:request_tag` for a bucket, 002:3154-3253; `s3:RequestObjectTag/<key>` and
/// `s3:RequestObjectTagKeys` for an object): the small body is read and verified first, and
/// its tags replace any `x-cos-tagging` / `x-amz-tagging` header sent, as `x-cos-tagging`, the
/// header the condition keys are read from. A body that does not parse sets none; the handler
/// refuses it. The handler gets the bytes.
async fn tagging_keys(app: &AppState, mut ctx: Ctx, body: Body) -> Result<(Ctx, Body), ApiError> {
    let bytes = crate::api::read_xml_body(&ctx, body, app.config.max_xml_body).await?;
    ctx.headers.remove("x-cos-tagging");
    ctx.headers.remove("x-amz-tagging");
    if let Some(v) = crate::api::tagging_key_header(&bytes) {
        if let Ok(v) = HeaderValue::from_str(&v) {
            ctx.headers.insert("x-cos-tagging", v);
        }
    }
    Ok((ctx, Body::from(bytes)))
}
