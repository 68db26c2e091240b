//! The website endpoint's own answers: HTML error pages and redirects (never XML).

use crate::api::error::ApiError;
use crate::bucket_config::website::Redirect;
use axum::body::Body;
use http::{HeaderValue, Response, StatusCode};

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// `e` as an HTML page with its status and extra headers (`head`: headers only; a 304 never
/// has a body).
pub fn error(e: ApiError, request_id: &str, head: bool) -> Response<Body> {
    let status = e.code.status();
    let mut b = Response::builder().status(status);
    for (name, value) in &e.headers {
        if let Ok(v) = HeaderValue::from_str(value) {
            b = b.header(*name, v);
        }
    }
    if status == StatusCode::NOT_MODIFIED {
        return b.body(Body::empty()).unwrap_or_default();
    }
    let title = format!(
        "{} {}",
        status.as_u16(),
        status.canonical_reason().unwrap_or("Error")
    );
    let message = if e.message.is_empty() {
        e.code.as_str()
    } else {
        &e.message
    };
    let html = format!(
        "<html>\n<head><title>{title}</title></head>\n<body>\n<h1>{title}</h1>\n<ul>\n\
         <li>Code: {}</li>\n<li>Message: {}</li>\n<li>RequestId: {}</li>\n</ul>\n<hr/>\n\
         </body>\n</html>\n",
        e.code.as_str(),
        escape(message),
        escape(request_id)
    );
    b = b
        .header("Content-Type", "text/html; charset=utf-8")
        .header("Content-Length", html.len());
    let body = if head {
        Body::empty()
    } else {
        Body::from(html)
    };
    b.body(body).unwrap_or_default()
}

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
