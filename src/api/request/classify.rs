//! The classifier: which API a request is for, and for the XML/S3 API which operation on which
//! target. Pure: method, host, decoded path, query and headers in; no storage, no credentials.

use super::op::Op;
use super::target::{self, Addressed};
use crate::api::admin::AdminOp;
use crate::config::Config;
use http::request::Parts;

/// The API a request speaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Api {
    /// A static-website host (`<bucket>.cos-website.<region>...` or a configured website
    /// domain): website semantics only, never the API (spec 00 §18).
    Website { bucket: String },
    /// The STS API (`sts.<domain>`, or a form POST to `/` on the bare endpoint).
    Sts,
    /// `GET /_cosd/health`.
    Health,
    /// `GET /_cosd/metrics` (Prometheus).
    Metrics,
    /// The legacy JSON API (`/files/v2/...`). Its operation (`op`) may be in a form body, so
    /// the JSON module names it (`JsonOp`) once the body is read.
    Json,
    /// The admin API: its operation, and the path after `/_cosd/admin/`.
    Admin {
        op: AdminOp,
        path: String,
        addressed: Addressed,
    },
    /// POST Object: an HTML form upload to a bucket (the form carries the credentials).
    PostObject(Addressed),
    /// The COS XML / S3 API.
    Xml { op: Op, addressed: Addressed },
}

/// The prefix of the admin API's paths (path-style only).
pub const ADMIN_PREFIX: &str = "/_cosd/admin/";
/// The health endpoint (path-style only).
pub const HEALTH_PATH: &str = "/_cosd/health";

/// Classifies a request whose path is `path` (percent-decoded) and query `query` (decoded).
pub fn classify(parts: &Parts, path: &str, query: &[(String, String)], config: &Config) -> Api {
    let host = host_of(parts);
    if let Some(bucket) = target::website_bucket(&host, &config.website_domains) {
        return Api::Website { bucket };
    }
    let addressed = target::resolve(&host, path, &config.domains);
    if crate::api::sts::is_sts(parts, &host, &config.domains, addressed.path_style) {
        return Api::Sts;
    }
    if addressed.path_style {
        if path == HEALTH_PATH {
            return Api::Health;
        }
        if path == crate::metrics::endpoint::PATH {
            return Api::Metrics;
        }
        if path.starts_with(crate::api::json::PREFIX) {
            return Api::Json;
        }
        if let Some(rest) = path.strip_prefix(ADMIN_PREFIX) {
            return Api::Admin {
                op: AdminOp::parse(&parts.method, rest),
                path: rest.to_string(),
                addressed,
            };
        }
    }
    let names: Vec<&str> = query.iter().map(|(k, _)| k.as_str()).collect();
    let method = parts.method.as_str();
    if Op::is_post_object(method, &addressed.target, &names) {
        return Api::PostObject(addressed);
    }
    let has_copy = parts.headers.contains_key("x-cos-copy-source")
        || parts.headers.contains_key("x-amz-copy-source");
    let op = Op::parse(method, &addressed.target, query, has_copy);
    Api::Xml { op, addressed }
}

/// The Host header (or the URI's authority), as sent.
pub fn host_of(parts: &Parts) -> String {
    parts
        .headers
        .get(http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_string)
        .or_else(|| parts.uri.authority().map(|a| a.to_string()))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests;
