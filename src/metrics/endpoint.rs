//! `GET /_cosd/metrics`: the OpenMetrics text, open like `/_cosd/health` when `metrics_token`
//! is empty, else only with `Authorization: Bearer <metrics_token>`.

use crate::AppState;
use axum::body::Body;
use http::{HeaderMap, Method, Response, StatusCode};
use subtle::ConstantTimeEq;

/// The path of the endpoint (path-style only).
pub const PATH: &str = "/_cosd/metrics";

/// The content type of the OpenMetrics text format the client library writes.
const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// Whether a request may read the metrics.
#[derive(Debug, PartialEq, Eq)]
pub enum Access {
    Allowed,
    /// No bearer token was sent (401).
    Missing,
    /// A wrong one was (403).
    Wrong,
}

/// Checks the request's bearer token against `token` (empty: no token needed), in constant
/// time.
pub fn check(token: &str, headers: &HeaderMap) -> Access {
    if token.is_empty() {
        return Access::Allowed;
    }
    let sent = headers
        .get(http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let (scheme, rest) = v.trim().split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| rest.trim())
        });
    match sent {
        None => Access::Missing,
        Some(s) if bool::from(s.as_bytes().ct_eq(token.as_bytes())) => Access::Allowed,
        Some(_) => Access::Wrong,
    }
}

/// Answers a request for the metrics.
pub fn answer(app: &AppState, method: &Method, headers: &HeaderMap) -> Response<Body> {
    let plain = |status: StatusCode, text: &'static str| {
        let mut b = Response::builder()
            .status(status)
            .header(http::header::CONTENT_TYPE, "text/plain; charset=utf-8");
        if status == StatusCode::UNAUTHORIZED {
            b = b.header(
                http::header::WWW_AUTHENTICATE,
                "Bearer realm=\"cosd metrics\"",
            );
        }
        b.body(Body::from(text)).unwrap_or_default()
    };
    if !app.config.metrics {
        return plain(
            StatusCode::NOT_FOUND,
            "metrics are turned off (metrics = false)\n",
        );
    }
    if method != Method::GET && method != Method::HEAD {
        return plain(StatusCode::METHOD_NOT_ALLOWED, "GET or HEAD only\n");
    }
    match check(&app.config.metrics_token.0, headers) {
        Access::Allowed => {}
        Access::Missing => {
            return plain(
                StatusCode::UNAUTHORIZED,
                "a bearer token is required (metrics_token)\n",
            )
        }
        Access::Wrong => return plain(StatusCode::FORBIDDEN, "wrong bearer token\n"),
    }
    let text = app.metrics.render();
    let body = if method == Method::HEAD {
        Body::empty()
    } else {
        Body::from(text)
    };
    Response::builder()
        .header(http::header::CONTENT_TYPE, CONTENT_TYPE)
        .body(body)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_auth(v: Option<&str>) -> HeaderMap {
        let mut h = HeaderMap::new();
        if let Some(v) = v {
            h.insert(http::header::AUTHORIZATION, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn the_token_is_checked_when_set() {
        let table = [
            ("", None, Access::Allowed),
            ("", Some("Bearer anything"), Access::Allowed),
            ("s3cret", None, Access::Missing),
            ("s3cret", Some("Basic czNjcmV0"), Access::Missing),
            ("s3cret", Some("Bearer"), Access::Missing),
            ("s3cret", Some("Bearer s3cret"), Access::Allowed),
            ("s3cret", Some("bearer  s3cret "), Access::Allowed),
            ("s3cret", Some("Bearer s3cre"), Access::Wrong),
            ("s3cret", Some("Bearer s3cret2"), Access::Wrong),
            ("s3cret", Some("Bearer "), Access::Missing),
        ];
        for (token, header, want) in table {
            assert_eq!(
                check(token, &with_auth(header)),
                want,
                "{token:?} {header:?}"
            );
        }
    }
}
