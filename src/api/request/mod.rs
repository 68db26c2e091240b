//! What a request is: its target (bucket, key), its operation, who sent it and how its body
//! must be verified. Pure parsing; nothing here reads storage.

pub mod authn;
pub mod classify;
pub mod op;
pub mod stamp;
pub mod target;

use crate::auth::payload::PayloadSpec;
use crate::auth::Identity;
use crate::net::tls;
use authn::Dialect;
use http::{HeaderMap, Method};
use std::net::SocketAddr;
use target::Target;

/// The request head every handler of the XML/S3, POST Object and admin APIs reads: where it
/// goes, who sent it, how its body is verified. The operation is passed beside it.
pub struct Ctx {
    pub request_id: String,
    pub method: Method,
    pub target: Target,
    /// Region named by the Host, if any.
    pub host_region: Option<String>,
    pub identity: Identity,
    /// COS or S3: decides header prefixes, the request-id header and the error shape.
    pub dialect: Dialect,
    /// How the request body must be decoded and verified.
    pub payload: PayloadSpec,
    pub query: Vec<(String, String)>,
    pub headers: HeaderMap,
    /// `host/path` of the request, for error bodies.
    pub resource: String,
    pub peer: Option<SocketAddr>,
    /// Set when the request came over TLS (`cos:secure-transport`, `cos:tls-version`).
    pub tls: Option<tls::TlsInfo>,
}

/// What authorization reads of a request besides the operation: who sent it, and the inputs of
/// the condition keys (headers, query, TCP peer, TLS). Every API builds one; none needs a
/// whole [`Ctx`] for it.
#[derive(Clone, Copy)]
pub struct Caller<'a> {
    pub identity: &'a Identity,
    pub headers: &'a HeaderMap,
    pub query: &'a [(String, String)],
    pub peer: Option<SocketAddr>,
    pub tls: Option<tls::TlsInfo>,
}

impl<'a> Caller<'a> {
    pub fn of(
        identity: &'a Identity,
        headers: &'a HeaderMap,
        query: &'a [(String, String)],
        peer: Option<SocketAddr>,
        tls: Option<tls::TlsInfo>,
    ) -> Caller<'a> {
        Caller {
            identity,
            headers,
            query,
            peer,
            tls,
        }
    }

    /// A header as text; None if absent, empty, or not text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(name)
            .and_then(|v| std::str::from_utf8(v.as_bytes()).ok())
            .filter(|s| !s.is_empty())
    }
}

impl Ctx {
    /// The caller, as authorization sees it.
    pub fn caller(&self) -> Caller<'_> {
        Caller::of(
            &self.identity,
            &self.headers,
            &self.query,
            self.peer,
            self.tls,
        )
    }

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
        self.target.bucket()
    }

    pub fn key(&self) -> Option<&str> {
        self.target.key()
    }
}
