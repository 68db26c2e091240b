//! Picks the signature scheme a request uses and verifies it, producing an `Identity`, the
//! protocol dialect to answer in, and how the body must be verified.

use super::target::{Addressed, Target};
use crate::api::error::{ApiError, Code};
use crate::auth::encode::decode_query;
use crate::auth::legacy;
use crate::auth::payload::PayloadSpec;
use crate::auth::qsign::{self, QSign, SignedRequest};
use crate::auth::sigv2::{self, V2Auth, V2Request};
use crate::auth::sigv4::{self, V4Auth, V4Request};
use crate::auth::{AuthError, Identity};
use crate::AppState;
use http::request::Parts;

/// Which protocol family a request speaks, and so which header prefixes, request-id header and
/// error shape its response uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Cos,
    S3,
}

impl Dialect {
    /// AWS signatures (SigV4 or SigV2, header or presigned) mean S3; everything else is COS.
    pub fn detect(authorization: Option<&str>, query_names: &[&str]) -> Dialect {
        let aws_header = authorization
            .is_some_and(|h| h.starts_with("AWS4-HMAC-SHA256") || h.starts_with("AWS "));
        let aws_query = query_names
            .iter()
            .any(|k| *k == "X-Amz-Algorithm" || *k == "AWSAccessKeyId");
        if aws_header || aws_query {
            Dialect::S3
        } else {
            Dialect::Cos
        }
    }

    /// `x-cos-` or `x-amz-`.
    pub fn prefix(self) -> &'static str {
        match self {
            Dialect::Cos => "x-cos-",
            Dialect::S3 => "x-amz-",
        }
    }
}

/// The outcome of authentication.
pub struct Authenticated {
    pub identity: Identity,
    /// Framing and digests the body must be checked against (SigV4 header requests).
    pub payload: PayloadSpec,
}

/// The path a q-sign signature must cover. A signature binds the bucket either through the
/// signed path or through the signed Host: virtual-hosted requests sign `/key` and must sign
/// `host` (checked in `authenticate_signature`); path-style requests share one Host for every
/// bucket, so their signed path must be the whole path `/<bucket>/<key>`. A signature over
/// `/key` alone would otherwise be good for the same key in every bucket of the account.
fn qsign_paths(path: &str) -> Vec<String> {
    vec![path.to_string()]
}

/// SigV2's canonicalized-resource candidates. The resource always names the bucket: the path
/// itself for path-style requests, `/<bucket>` + the path for virtual-hosted ones. (The raw path
/// of a virtual-hosted request is never a candidate: a signature over the path-style resource
/// `/b1/x` would otherwise be good for the key `b1/x` of every other bucket.)
fn sigv2_paths(raw_path: &str, addressed: &Addressed) -> Vec<String> {
    let mut paths = vec![match &addressed.target {
        Target::Bucket(b) | Target::Object { bucket: b, .. } if !addressed.path_style => {
            format!("/{b}{raw_path}")
        }
        _ => raw_path.to_string(),
    }];
    // botocore terminates a bucket-only resource with '/' ("/bucket/") although it sends
    // "/bucket" on the wire.
    if matches!(addressed.target, Target::Bucket(_)) {
        let extra: Vec<String> = paths
            .iter()
            .filter(|p| !p.ends_with('/'))
            .map(|p| format!("{p}/"))
            .collect();
        paths.extend(extra);
    }
    paths
}

fn malformed_v4(e: AuthError, presigned: bool) -> ApiError {
    match e {
        AuthError::Malformed(m) if presigned => ApiError::new(
            Code::AuthorizationQueryParametersError,
            format!("Error parsing the X-Amz-Credential parameters: {m}"),
        ),
        AuthError::Malformed(m) => ApiError::new(
            Code::AuthorizationHeaderMalformed,
            format!("The authorization header is malformed: {m}"),
        ),
        other => other.into(),
    }
}

/// The payload mode a SigV4 header request declares in `x-amz-content-sha256`.
fn v4_payload(content_sha256: Option<&str>) -> Result<(PayloadSpec, &'static str), ApiError> {
    let v = content_sha256.ok_or_else(|| {
        ApiError::new(
            Code::InvalidRequest,
            "Missing required header for this request: x-amz-content-sha256",
        )
    })?;
    let mut spec = PayloadSpec::default();
    let mode = match v {
        "UNSIGNED-PAYLOAD" => "UNSIGNED-PAYLOAD",
        "STREAMING-UNSIGNED-PAYLOAD-TRAILER" => {
            spec.chunked = true;
            "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
        }
        "STREAMING-AWS4-HMAC-SHA256-PAYLOAD" => {
            spec.chunked = true;
            "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
        }
        "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER" => {
            spec.chunked = true;
            spec.signed_trailer = true;
            "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
        }
        hex64 => {
            let digest: [u8; 32] = hex::decode(hex64)
                .ok()
                .and_then(|d| d.try_into().ok())
                .ok_or_else(|| {
                    ApiError::new(
                        Code::InvalidArgument,
                        "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-* or a SHA-256 hex digest",
                    )
                })?;
            spec.sha256 = Some(digest);
            ""
        }
    };
    Ok((spec, mode))
}

/// Authenticates the request: q-sign (header, query or `sign=`), SigV4 (header or presigned),
/// SigV2 (header or presigned), or anonymous; then, for a temporary key, its security token
/// and expiry.
/// No credentials (a CORS preflight).
pub fn anonymous() -> Authenticated {
    Authenticated {
        identity: Identity::Anonymous,
        payload: PayloadSpec::default(),
    }
}

pub fn authenticate(
    app: &AppState,
    parts: &Parts,
    path: &str,
    addressed: &Addressed,
    query: &[(String, String)],
) -> Result<Authenticated, ApiError> {
    let authed = authenticate_signature(app, parts, path, addressed, query)?;
    check_session(
        app,
        &authed.identity,
        security_token(parts, query).as_deref(),
        app.clock.now_secs(),
    )?;
    Ok(authed)
}

fn authenticate_signature(
    app: &AppState,
    parts: &Parts,
    path: &str,
    addressed: &Addressed,
    query: &[(String, String)],
) -> Result<Authenticated, ApiError> {
    let now = app.clock.now_secs();
    let skew = app.config.max_clock_skew_secs as i64;
    let max_validity = app.config.max_signature_validity_secs.min(i64::MAX as u64) as i64;
    let header = parts
        .headers
        .get(http::header::AUTHORIZATION)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).trim().to_string())
        .filter(|v| !v.is_empty());
    let has_q = |n: &str| query.iter().any(|(k, _)| k == n);
    // (lower-case name, value) of the headers a scheme reads.
    let lower_headers = |keep: &dyn Fn(&str) -> bool| -> Vec<(String, String)> {
        parts
            .headers
            .iter()
            .filter(|(k, _)| keep(k.as_str()))
            .map(|(k, v)| {
                (
                    k.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect()
    };
    let plain = |identity| Authenticated {
        identity,
        payload: PayloadSpec::default(),
    };
    let v4 = |auth: &V4Auth, hash: &str, presigned: bool| {
        // Only what SigV4 reads: the signed headers and the request date.
        let headers = lower_headers(&|k| {
            k == "x-amz-date" || k == "date" || auth.signed_headers.iter().any(|s| s == k)
        });
        let req = V4Request {
            method: parts.method.as_str(),
            decoded_path: path,
            query,
            headers: &headers,
        };
        sigv4::verify(auth, &req, hash, app.iam.as_ref(), now, skew)
            .map_err(|e| malformed_v4(e, presigned))
    };
    let v2 = |auth: &V2Auth| -> Result<Authenticated, ApiError> {
        let headers = lower_headers(&|_| true);
        let req = V2Request {
            method: parts.method.as_str(),
            paths: sigv2_paths(parts.uri.path(), addressed),
            query,
            headers: &headers,
        };
        Ok(plain(sigv2::verify(
            auth,
            &req,
            app.iam.as_ref(),
            now,
            skew,
            max_validity,
        )?))
    };
    let qsign_auth = if let Some(h) = &header {
        if h.starts_with("q-sign-algorithm") {
            QSign::from_header(h)?
        } else if h.starts_with("AWS4-HMAC-SHA256") {
            let auth = V4Auth::from_header(h).map_err(|e| malformed_v4(e, false))?;
            let content_sha = parts
                .headers
                .get("x-amz-content-sha256")
                .and_then(|v| v.to_str().ok())
                .map(str::trim);
            let (mut spec, mode) = v4_payload(content_sha)?;
            let hash = if mode.is_empty() {
                content_sha.unwrap_or_default()
            } else {
                mode
            };
            let v = v4(&auth, hash, false)?;
            if mode.starts_with("STREAMING-AWS4") {
                spec.signer = Some(v.signer);
            }
            return Ok(Authenticated {
                identity: v.identity,
                payload: spec,
            });
        } else if h.starts_with("AWS ") {
            return v2(&V2Auth::from_header(h)?);
        } else {
            return Err(ApiError::new(
                Code::AccessDenied,
                "Invalid Authorization header: unknown signature scheme",
            ));
        }
    } else if has_q("q-sign-algorithm") {
        QSign::from_pairs(query.iter().map(|(k, v)| (k.as_str(), v.as_str())))?
    } else if let Some((_, s)) = query.iter().find(|(k, _)| k == "sign") {
        if !s.contains("q-sign-algorithm") {
            return Ok(plain(legacy_download(app, parts, addressed, s, now)?));
        }
        let pairs = decode_query(s);
        QSign::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))?
    } else if has_q("X-Amz-Algorithm") {
        let auth = V4Auth::from_query(query).map_err(|e| malformed_v4(e, true))?;
        return Ok(plain(v4(&auth, "UNSIGNED-PAYLOAD", true)?.identity));
    } else if has_q("AWSAccessKeyId") {
        return v2(&V2Auth::from_query(query)?);
    } else {
        return Ok(plain(Identity::Anonymous));
    };
    if !addressed.path_style
        && !matches!(addressed.target, Target::Service)
        && !qsign_auth.header_list.iter().any(|h| h == "host")
    {
        return Err(ApiError::new(
            Code::SignatureDoesNotMatch,
            "A signature for a virtual-hosted request must sign the Host header (q-header-list must name host), so that it cannot be used on another bucket.",
        ));
    }
    let headers: Vec<(String, Vec<u8>)> = parts
        .headers
        .iter()
        .map(|(k, v)| (k.as_str().to_string(), v.as_bytes().to_vec()))
        .collect();
    let req = SignedRequest {
        method: parts.method.as_str(),
        paths: qsign_paths(path),
        query,
        headers: &headers,
    };
    let verify = |req: &SignedRequest<'_>| {
        qsign::verify(&qsign_auth, req, app.iam.as_ref(), now, skew, max_validity)
    };
    match verify(&req) {
        Ok(identity) => Ok(plain(identity)),
        Err(crate::auth::AuthError::SignatureDoesNotMatch) if addressed.path_style => {
            // Say why when the signature is good over the path without its bucket (the COS
            // SDKs' `Domain='host/{Bucket}'` mode): it must not be accepted, but the caller
            // deserves to know what to change.
            let key_only = match path.trim_start_matches('/').split_once('/') {
                Some((_, rest)) => format!("/{rest}"),
                None => "/".to_string(),
            };
            let stripped = SignedRequest {
                paths: vec![key_only],
                ..req
            };
            if verify(&stripped).is_ok() {
                return Err(ApiError::new(
                    Code::SignatureDoesNotMatch,
                    "A path-style request must be signed over its whole path /<bucket>/<key>; this signature covers the key without its bucket, which would make it good in every bucket. Sign the whole path, or address the bucket by its Host (virtual-hosted, signing the host header).",
                ));
            }
            Err(crate::auth::AuthError::SignatureDoesNotMatch.into())
        }
        Err(e) => Err(e.into()),
    }
}

/// A v4 JSON API download signature in `?sign=` (spec 06 §2: multi-use, `f` = the path or
/// the full fileid). It authenticates reads of the object it names, nothing else.
fn legacy_download(
    app: &AppState,
    parts: &Parts,
    addressed: &Addressed,
    sign: &str,
    now: i64,
) -> Result<Identity, ApiError> {
    let denied = |e: legacy::LegacyAuthError| {
        ApiError::new(
            Code::AccessDenied,
            format!("Invalid legacy download signature ({}): {e}", e.code()),
        )
    };
    let (Target::Object { bucket, key }, true) = (
        &addressed.target,
        parts.method == http::Method::GET || parts.method == http::Method::HEAD,
    ) else {
        return Err(ApiError::new(
            Code::AccessDenied,
            "A legacy sign= signature only authorizes downloading an object.",
        ));
    };
    let parsed = legacy::LegacySign::parse(sign).map_err(denied)?;
    let identity = legacy::verify(&parsed, app.iam.as_ref()).map_err(denied)?;
    let (short, appid) = bucket.rsplit_once('-').unwrap_or((bucket.as_str(), ""));
    let resources = [format!("/{key}"), format!("/{appid}/{short}/{key}")];
    legacy::check(
        &parsed,
        &legacy::Expect {
            appid,
            bucket: short,
            resources: &resources,
            need: legacy::Need::Multi,
            now,
            once_window: app.config.legacy_once_window_secs as i64,
        },
    )
    .map_err(denied)?;
    Ok(identity)
}

/// The security token of a request: `x-cos-security-token` or `x-amz-security-token`, as a
/// header or a query parameter (spec 01 §4: signed or not, depending on the SDK).
pub fn security_token(parts: &Parts, query: &[(String, String)]) -> Option<String> {
    const NAMES: [&str; 2] = ["x-cos-security-token", "x-amz-security-token"];
    NAMES
        .iter()
        .find_map(|n| parts.headers.get(*n))
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .or_else(|| {
            query
                .iter()
                .find(|(k, _)| NAMES.iter().any(|n| k.eq_ignore_ascii_case(n)))
                .map(|(_, v)| v.clone())
        })
        // Some SDKs send the header empty when no token is configured.
        .filter(|t| !t.trim().is_empty())
}

fn invalid_token(why: &str) -> ApiError {
    ApiError::new(
        Code::InvalidAccessKeyId,
        format!("The security token included in the request is invalid: {why}."),
    )
}

/// A temporary key needs its own token (compared in constant time) and must not have
/// expired; a token with any other caller is refused rather than ignored.
pub fn check_session(
    app: &AppState,
    identity: &Identity,
    token: Option<&str>,
    now: i64,
) -> Result<(), ApiError> {
    // The signature check already found the key live (a temporary key only while its issuer
    // is enabled); here only its token and expiry matter. A map probe, no credential copy.
    let session = match identity {
        Identity::Account { secret_id, .. } => app.iam.temp_key(secret_id),
        Identity::Anonymous => None,
    };
    match (session, token) {
        (None, None) => Ok(()),
        (None, Some(_)) => Err(invalid_token(
            "a security token goes only with a temporary key",
        )),
        (Some(_), None) => Err(invalid_token("a temporary key needs its security token")),
        (Some(s), Some(t)) => {
            if !crate::auth::signatures_equal(t.as_bytes(), s.record.token.as_bytes()) {
                return Err(invalid_token("it does not belong to this key"));
            }
            if now >= s.record.expires_s {
                return Err(ApiError::new(
                    Code::AccessDenied,
                    "Request has expired: the temporary key has expired.",
                ));
            }
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::request::target::resolve;

    #[test]
    fn signed_path_candidates() {
        let d: Vec<String> = vec![];
        let vh = resolve("b-1.cos.ap-guangzhou.myqcloud.com", "/a/b", &d);
        assert_eq!(qsign_paths("/a/b"), ["/a/b"]);
        assert_eq!(sigv2_paths("/a%20b", &vh), ["/b-1/a%20b"]);
        let vb = resolve("b-1.cos.ap-guangzhou.myqcloud.com", "/", &d);
        assert_eq!(sigv2_paths("/", &vb), ["/b-1/"]);
        let ps = resolve("127.0.0.1:9000", "/b-1/a/b", &d);
        assert_eq!(qsign_paths("/b-1/a/b"), ["/b-1/a/b"]);
        assert_eq!(sigv2_paths("/b-1/a/b", &ps), ["/b-1/a/b"]);
        let ps = resolve("127.0.0.1:9000", "/b-1", &d);
        assert_eq!(sigv2_paths("/b-1", &ps), ["/b-1", "/b-1/"]);
        let svc = resolve("127.0.0.1:9000", "/", &d);
        assert_eq!(sigv2_paths("/", &svc), ["/"]);
    }

    #[test]
    fn dialect_detection() {
        assert_eq!(Dialect::detect(None, &[]), Dialect::Cos);
        assert_eq!(
            Dialect::detect(Some("q-sign-algorithm=sha1&q-ak=x"), &[]),
            Dialect::Cos
        );
        assert_eq!(
            Dialect::detect(Some("AWS4-HMAC-SHA256 Credential=x"), &[]),
            Dialect::S3
        );
        assert_eq!(Dialect::detect(Some("AWS AK:sig"), &[]), Dialect::S3);
        assert_eq!(
            Dialect::detect(None, &["X-Amz-Algorithm", "X-Amz-Signature"]),
            Dialect::S3
        );
        assert_eq!(Dialect::detect(None, &["AWSAccessKeyId"]), Dialect::S3);
        assert_eq!(Dialect::detect(None, &["q-sign-algorithm"]), Dialect::Cos);
    }

    #[test]
    fn payload_modes() {
        assert!(v4_payload(None).is_err());
        assert!(v4_payload(Some("nonsense")).is_err());
        let (s, m) = v4_payload(Some("UNSIGNED-PAYLOAD")).unwrap();
        assert!(s.is_passthrough() && m == "UNSIGNED-PAYLOAD");
        let (s, _) = v4_payload(Some("STREAMING-UNSIGNED-PAYLOAD-TRAILER")).unwrap();
        assert!(s.chunked && !s.signed_trailer);
        let (s, _) = v4_payload(Some("STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER")).unwrap();
        assert!(s.chunked && s.signed_trailer);
        let (s, m) = v4_payload(Some(crate::auth::sigv4::EMPTY_SHA256)).unwrap();
        assert!(s.sha256.is_some() && m.is_empty());
    }
}
