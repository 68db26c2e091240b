//! The website endpoint's redirects (its HTML error pages are `Surface::Website` errors).

use crate::bucket_config::website::Redirect;
use axum::body::Body;
use http::{HeaderValue, Response, StatusCode};

/// A redirect with an empty body.
pub fn redirect(r: &Redirect) -> Response<Body> {
    let status = StatusCode::from_u16(r.status).unwrap_or(StatusCode::MOVED_PERMANENTLY);
    let mut b = Response::builder()
        .status(status)
        .header("Content-Length", 0);
    if let Ok(v) = HeaderValue::from_str(&r.location) {
        b = b.header(http::header::LOCATION, v);
    }
    b.body(Body::empty()).unwrap_or_default()
}
