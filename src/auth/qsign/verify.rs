//! Server-side verification (spec 01 §7): try each candidate path and host until one matches.

use super::canonical::{http_string, list_name, sign, string_to_sign};
use super::parse::{QSign, AUTH_PARAMS};
use crate::auth::{active_credential, signatures_equal, AuthError, CredentialStore, Identity};
use std::collections::HashMap;

/// A request as the verifier needs to see it. Pure data; no HTTP types.
pub struct SignedRequest<'a> {
    pub method: &'a str,
    /// Signed-path candidates in order (`/key` first, then the full path for path-style).
    pub paths: Vec<String>,
    /// Decoded query pairs as received.
    pub query: &'a [(String, String)],
    /// (lower-case name, raw value bytes).
    pub headers: &'a [(String, Vec<u8>)],
}

/// Verifies `auth` for `req` at time `now` (Unix seconds). Both windows (`q-sign-time` and
/// `q-key-time`, from which the signing key is derived) must be in order, no longer than
/// `max_validity` seconds, started (within `max_skew`) and not ended.
pub fn verify(
    auth: &QSign,
    req: &SignedRequest<'_>,
    creds: &dyn CredentialStore,
    now: i64,
    max_skew: i64,
    max_validity: i64,
) -> Result<Identity, AuthError> {
    let cred = active_credential(creds, &auth.ak)?;
    for (start, end) in [(auth.start, auth.end), auth.key_window] {
        check_window(start, end, now, max_skew, max_validity)?;
    }
    let params: HashMap<String, String> = req
        .query
        .iter()
        .filter(|(k, _)| !AUTH_PARAMS.contains(&k.as_str()))
        .map(|(k, v)| (list_name(k), v.clone()))
        .collect();
    let headers: HashMap<String, Vec<u8>> = req
        .headers
        .iter()
        .rev()
        .map(|(k, v)| (list_name(k), v.clone()))
        .collect();
    let host = headers.get("host").cloned().unwrap_or_default();
    let host_no_port = strip_port(&host);
    let mut hosts = vec![host.clone()];
    if host_no_port != host && auth.header_list.iter().any(|n| n == "host") {
        hosts.push(host_no_port);
    }
    let param_of = |n: &str| -> Option<String> {
        params.get(n).cloned().or_else(|| {
            // A signed parameter that arrived as a header instead (temp-key samples sign
            // x-cos-security-token as a parameter but send it as a header).
            headers
                .get(n)
                .map(|v| String::from_utf8_lossy(v).into_owned())
        })
    };
    let candidates = req
        .paths
        .iter()
        .flat_map(|path| hosts.iter().map(move |h| (path, h)));
    for (path, h) in candidates {
        let header_of = |n: &str| -> Option<Vec<u8>> {
            if n == "host" {
                Some(h.clone())
            } else {
                headers.get(n).cloned()
            }
        };
        let hs = http_string(
            req.method,
            path,
            &auth.param_list,
            &param_of,
            &auth.header_list,
            &header_of,
        );
        let expected = sign(
            &cred.secret_key.0,
            &auth.key_time,
            &string_to_sign(&auth.sign_time, &hs),
        );
        if signatures_equal(expected.as_bytes(), auth.signature.as_bytes()) {
            return Ok(cred.identity(&auth.ak));
        }
    }
    Err(AuthError::SignatureDoesNotMatch)
}

/// The checks every q-sign validity window passes, in this order.
pub fn check_window(
    start: i64,
    end: i64,
    now: i64,
    max_skew: i64,
    max_validity: i64,
) -> Result<(), AuthError> {
    if start > end {
        return Err(AuthError::Malformed(format!(
            "the signature's validity window starts after it ends ({start};{end})"
        )));
    }
    if end.saturating_sub(start) > max_validity {
        return Err(AuthError::Malformed(format!(
            "the signature's validity window ({start};{end}) is longer than the {max_validity} seconds allowed"
        )));
    }
    if now > end {
        return Err(AuthError::Expired);
    }
    if start > now.saturating_add(max_skew) {
        return Err(AuthError::RequestTimeTooSkewed);
    }
    Ok(())
}

fn strip_port(host: &[u8]) -> Vec<u8> {
    let s = String::from_utf8_lossy(host);
    if s.starts_with('[') {
        return match s.find(']') {
            Some(i) => s[..=i].as_bytes().to_vec(),
            None => host.to_vec(),
        };
    }
    match s.rsplit_once(':') {
        Some((h, p)) if p.bytes().all(|b| b.is_ascii_digit()) => h.as_bytes().to_vec(),
        _ => host.to_vec(),
    }
}
