//! The static website endpoint (spec 00 §18; docs/website.md): `<bucket>.cos-website.<region>.
//! myqcloud.com` and `<bucket>.<d>` for each configured `website_domains` entry `d`. Only GET
//! and HEAD; every request is anonymous (an Authorization header or signed query is ignored),
//! so objects are readable only as the bucket's public-read ACL, the object's ACL or a policy
//! for anonymous callers allow. The bucket's `?website` configuration decides the key
//! (index document for `/` and `dir/`), redirects and the error document; objects are answered
//! by the ordinary GET Object path (ranges, conditional requests, stored headers); errors are
//! HTML pages.

mod page;

use super::admit::admit;
use super::xml::object;
use super::xml::website::no_config;
use crate::api::error::{ApiError, Code, Surface};
use crate::api::request::authn::Dialect;
use crate::api::request::op::Op;
use crate::api::request::target::Target;
use crate::api::{pipeline::Access, request::Ctx};
use crate::auth::Identity;
use crate::bucket_config::website::{Fallback, Origin, Plan, Redirect};
use crate::meta::BucketRecord;
use crate::net::server::PeerAddr;
use crate::net::tls::TlsInfo;
use crate::types::BucketName;
use crate::AppState;
use axum::body::Body;
use http::request::Parts;
use http::{HeaderMap, HeaderValue, Method, Response};
use std::sync::Arc;

/// A website request as the pipeline saw it.
pub struct Incoming<'a> {
    pub rid: &'a str,
    /// The first label of the Host.
    pub bucket: String,
    /// The percent-decoded path, starting with `/`.
    pub decoded_path: &'a str,
    /// `host/path`, for logs.
    pub resource: &'a str,
}

/// Request headers that only make sense for the object asked for, not for an error document.
const CONDITIONAL: &[&str] = &[
    "range",
    "if-match",
    "if-none-match",
    "if-modified-since",
    "if-unmodified-since",
];

struct Site<'a> {
    app: &'a Arc<AppState>,
    parts: &'a Parts,
    rid: &'a str,
    resource: &'a str,
    bucket: String,
    head: bool,
    /// The bucket record as `serve` read it (for the answer's CORS headers).
    loaded: std::cell::OnceCell<Arc<BucketRecord>>,
}

impl Site<'_> {
    /// The object `key` as GET/HEAD Object answers it for an anonymous caller; `conditional`
    /// keeps the request's Range and If-* headers.
    fn read(
        &self,
        bucket: &Arc<BucketRecord>,
        key: &str,
        conditional: bool,
    ) -> Result<Response<Body>, ApiError> {
        let mut headers: HeaderMap = self.parts.headers.clone();
        headers.remove(http::header::AUTHORIZATION);
        if !conditional {
            for h in CONDITIONAL {
                headers.remove(*h);
            }
        }
        let ctx = Ctx {
            request_id: self.rid.to_string(),
            method: self.parts.method.clone(),
            target: Target::Object {
                bucket: self.bucket.clone(),
                key: key.to_string(),
            },
            host_region: None,
            identity: Identity::Anonymous,
            dialect: Dialect::Cos,
            payload: Default::default(),
            query: Vec::new(),
            headers,
            resource: self.resource.to_string(),
            peer: self.parts.extensions.get::<PeerAddr>().map(|p| p.0),
            tls: self.parts.extensions.get::<TlsInfo>().copied(),
        };
        // Admitted as the same GET/HEAD Object on the API host would be, as anonymous.
        let op = if self.head {
            Op::HeadObject
        } else {
            Op::GetObject
        };
        let mut admitted = admit(self.app, &ctx, &op, Some(Arc::clone(bucket)))?;
        object::get(self.app, &ctx, &mut admitted, self.head)
    }

    fn serve(&self, path: &str) -> Result<Response<Body>, ApiError> {
        let no_bucket =
            || ApiError::new(Code::NoSuchBucket, "The specified bucket does not exist.");
        let name = BucketName::parse(&self.bucket).map_err(|_| no_bucket())?;
        let b = self
            .app
            .store
            .bucket_shared(name.as_str())?
            .ok_or_else(no_bucket)?;
        let _ = self.loaded.set(Arc::clone(&b));
        // Hotlink protection covers the website endpoint too (a page embedding the site's
        // images from another domain is the case it exists for).
        let referer = self
            .parts
            .headers
            .get(http::header::REFERER)
            .map(|v| String::from_utf8_lossy(v.as_bytes()));
        if crate::bucket_config::referer::referer_denied(&b, referer.as_deref()) {
            return Err(crate::api::referer_denied_error());
        }
        let cfg = b.website.clone().ok_or_else(no_config)?;
        let host = self
            .parts
            .headers
            .get(http::header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or_default();
        let origin = Origin {
            https: self.parts.extensions.get::<TlsInfo>().is_some(),
            host,
        };
        let asked = path.strip_prefix('/').unwrap_or(path);
        let (key, index) = match cfg.plan(asked, origin) {
            Plan::Redirect(r) => return Ok(page::redirect(&r)),
            Plan::Serve { key, index } => (key, index),
        };
        let err = match self.read(&b, &key, true) {
            Ok(r) => return Ok(r),
            Err(e) => e,
        };
        if err.code == Code::NoSuchKey && !index {
            for f in cfg.fallbacks(&key) {
                match f {
                    Fallback::Serve(k) => {
                        if let Ok(r) = self.read(&b, &k, true) {
                            return Ok(r);
                        }
                    }
                    Fallback::Slash { probe, location } => {
                        if self.read(&b, &probe, false).is_ok() {
                            return Ok(page::redirect(&Redirect {
                                status: 302,
                                location,
                            }));
                        }
                    }
                }
            }
        }
        let status = err.code.status().as_u16();
        if status != 403 && status != 404 {
            return Err(err);
        }
        if let Some(r) = cfg.on_error(asked, status, origin) {
            return Ok(page::redirect(&r));
        }
        if let Some((doc, code)) = cfg.error_document(status) {
            match self.read(&b, doc, false) {
                Ok(mut r) => {
                    if let Ok(s) = http::StatusCode::from_u16(code) {
                        *r.status_mut() = s;
                    }
                    r.headers_mut().remove("Content-Range");
                    return Ok(r);
                }
                Err(e) => tracing::debug!(code = e.code.as_str(), doc, "error document unreadable"),
            }
        }
        Err(err)
    }
}

/// Answers a request to a website host.
pub async fn handle(
    app: &Arc<AppState>,
    parts: Parts,
    incoming: Incoming<'_>,
    access: &mut Access,
) -> Response<Body> {
    access.op = "Website".into();
    access.bucket = incoming.bucket.clone();
    access.principal = Identity::Anonymous.principal();
    let head = parts.method == Method::HEAD;
    if parts.method != Method::GET && !head {
        let e = ApiError::new(
            Code::MethodNotAllowed,
            format!(
                "The specified method {} is not allowed on a static website endpoint.",
                parts.method
            ),
        );
        let mut r = e.render(Surface::Website, incoming.rid, incoming.resource, false);
        r.headers_mut()
            .insert(http::header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return r;
    }
    let site = Site {
        app,
        parts: &parts,
        rid: incoming.rid,
        resource: incoming.resource,
        bucket: incoming.bucket,
        head,
        loaded: std::cell::OnceCell::new(),
    };
    let resp = site
        .serve(incoming.decoded_path)
        .unwrap_or_else(|e| e.render(Surface::Website, incoming.rid, incoming.resource, head));
    access.loaded = site.loaded.into_inner();
    resp
}
