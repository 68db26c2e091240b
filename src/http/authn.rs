//! Picks the signature scheme a request uses and verifies it, producing an `Identity`.

use super::error::{ApiError, Code};
use super::target::Addressed;
use crate::auth::encode::decode_query;
use crate::auth::qsign::{self, QSign, SignedRequest};
use crate::auth::Identity;
use crate::AppState;
use http::request::Parts;

fn qsign_paths(path: &str, addressed: &Addressed) -> Vec<String> {
    if !addressed.path_style {
        return vec![path.to_string()];
    }
    // Path-style: the COS SDKs sign `/key` (without the bucket); try that first, then the full path.
    let trimmed = path.strip_prefix('/').unwrap_or(path);
    let rest = match trimmed.split_once('/') {
        Some((_, rest)) => format!("/{rest}"),
        None => "/".to_string(),
    };
    if rest == path {
        vec![rest]
    } else {
        vec![rest, path.to_string()]
    }
}

/// Authenticates the request: q-sign in the Authorization header, q-sign in the query string,
/// `sign=` in the query, or anonymous.
pub fn authenticate(
    app: &AppState,
    parts: &Parts,
    path: &str,
    addressed: &Addressed,
    query: &[(String, String)],
) -> Result<Identity, ApiError> {
    let header = parts
        .headers
        .get(http::header::AUTHORIZATION)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).trim().to_string())
        .filter(|v| !v.is_empty());
    let auth = if let Some(h) = header {
        if h.starts_with("q-sign-algorithm") {
            QSign::from_header(&h)?
        } else if h.starts_with("AWS4-HMAC-SHA256") || h.starts_with("AWS ") {
            return Err(ApiError::new(
                Code::NotImplemented,
                "AWS signatures are not supported by this server yet; use COS q-sign",
            ));
        } else {
            return Err(ApiError::new(
                Code::AccessDenied,
                "Invalid Authorization header: unknown signature scheme",
            ));
        }
    } else if query.iter().any(|(k, _)| k == "q-sign-algorithm") {
        QSign::from_pairs(query.iter().map(|(k, v)| (k.as_str(), v.as_str())))?
    } else if let Some((_, s)) = query.iter().find(|(k, _)| k == "sign") {
        let pairs = decode_query(s);
        QSign::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))?
    } else if query
        .iter()
        .any(|(k, _)| k == "X-Amz-Algorithm" || k == "AWSAccessKeyId")
    {
        return Err(ApiError::new(
            Code::NotImplemented,
            "AWS presigned URLs are not supported by this server yet",
        ));
    } else {
        return Ok(Identity::Anonymous);
    };
    let headers: Vec<(String, Vec<u8>)> = parts
        .headers
        .iter()
        .map(|(k, v)| (k.as_str().to_string(), v.as_bytes().to_vec()))
        .collect();
    let req = SignedRequest {
        method: parts.method.as_str(),
        paths: qsign_paths(path, addressed),
        query,
        headers: &headers,
    };
    let now = app.clock.now_secs();
    Ok(qsign::verify(
        &auth,
        &req,
        app.iam.as_ref(),
        now,
        app.config.max_clock_skew_secs as i64,
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::target::resolve;

    #[test]
    fn signed_path_candidates() {
        let d: Vec<String> = vec![];
        let vh = resolve("b-1.cos.ap-guangzhou.myqcloud.com", "/a/b", &d);
        assert_eq!(qsign_paths("/a/b", &vh), ["/a/b"]);
        let ps = resolve("127.0.0.1:9000", "/b-1/a/b", &d);
        assert_eq!(qsign_paths("/b-1/a/b", &ps), ["/a/b", "/b-1/a/b"]);
        let ps = resolve("127.0.0.1:9000", "/b-1", &d);
        assert_eq!(qsign_paths("/b-1", &ps), ["/", "/b-1"]);
        let svc = resolve("127.0.0.1:9000", "/", &d);
        assert_eq!(qsign_paths("/", &svc), ["/"]);
    }
}
