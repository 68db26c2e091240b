//! Server-side SigV4 verification; yields the signing material streaming bodies need.

use super::canonical::{
    canonical_query, canonical_request, canonical_uri, hmac_sha256, string_to_sign,
};
use super::parse::{parse_amz_date, V4Auth};
use crate::auth::{active_credential, signatures_equal, AuthError, CredentialStore, Identity};

/// A request as the verifier needs to see it. Pure data; no HTTP types.
pub struct V4Request<'a> {
    pub method: &'a str,
    /// The percent-decoded path as received (path-style paths include the bucket).
    pub decoded_path: &'a str,
    /// Decoded query pairs as received.
    pub query: &'a [(String, String)],
    /// (lower-case name, value) in arrival order.
    pub headers: &'a [(String, String)],
}

impl V4Request<'_> {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn header_values(&self, name: &str) -> Vec<String> {
        self.headers
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }
}

/// The signing key and chain state for verifying `aws-chunked` chunk and trailer signatures.
#[derive(Clone)]
pub struct ChunkSigner {
    key: [u8; 32],
    pub amz_date: String,
    pub scope: String,
    /// The request's own (seed) signature, the first link of the chunk chain.
    pub seed: String,
}

impl std::fmt::Debug for ChunkSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChunkSigner")
            .field("scope", &self.scope)
            .finish_non_exhaustive()
    }
}

impl ChunkSigner {
    pub fn new(key: [u8; 32], amz_date: String, scope: String, seed: String) -> ChunkSigner {
        ChunkSigner {
            key,
            amz_date,
            scope,
            seed,
        }
    }

    /// hex HMAC of `string_to_sign` with the request's signing key.
    pub fn sign(&self, string_to_sign: &str) -> String {
        hex::encode(hmac_sha256(&self.key, string_to_sign.as_bytes()))
    }
}

/// A verified SigV4 request.
#[derive(Debug)]
pub struct Verified {
    pub identity: Identity,
    pub signer: ChunkSigner,
}

/// Verifies `auth` for `req` at `now` (Unix seconds). `payload_hash` is the
/// `x-amz-content-sha256` value for the header form, `UNSIGNED-PAYLOAD` for presigned URLs.
pub fn verify(
    auth: &V4Auth,
    req: &V4Request<'_>,
    payload_hash: &str,
    creds: &dyn CredentialStore,
    now: i64,
    max_skew: i64,
) -> Result<Verified, AuthError> {
    let cred = active_credential(creds, &auth.access_key)?;
    let amz_date = match &auth.amz_date {
        Some(d) => d.clone(),
        None => request_date(req)?,
    };
    let t = parse_amz_date(&amz_date)
        .ok_or_else(|| AuthError::Malformed("X-Amz-Date must be yyyymmddThhmmssZ".into()))?;
    if !amz_date.starts_with(&auth.date) {
        return Err(AuthError::Malformed(
            "the credential date does not match X-Amz-Date".into(),
        ));
    }
    match auth.expires {
        Some(expires) => {
            if now > t + expires {
                return Err(AuthError::Expired);
            }
            if t > now + max_skew {
                return Err(AuthError::RequestTimeTooSkewed);
            }
        }
        None => {
            if (now - t).abs() > max_skew {
                return Err(AuthError::RequestTimeTooSkewed);
            }
        }
    }
    let creq = canonical_request(
        req.method,
        &canonical_uri(req.decoded_path),
        &canonical_query(req.query),
        &auth.signed_headers,
        &|n| req.header_values(n),
        payload_hash,
    );
    let scope = auth.scope();
    let sts = string_to_sign(&amz_date, &scope, &creq);
    let key = creds.signing_key(&cred.secret_key.0, &auth.date, &auth.region, &auth.service);
    let expected = hex::encode(hmac_sha256(&key, sts.as_bytes()));
    if !signatures_equal(expected.as_bytes(), auth.signature.as_bytes()) {
        return Err(AuthError::SignatureDoesNotMatch);
    }
    Ok(Verified {
        identity: cred.identity(&auth.access_key),
        signer: ChunkSigner::new(key, amz_date, scope, expected),
    })
}

/// `X-Amz-Date`, or the `Date` header converted to the same form.
fn request_date(req: &V4Request<'_>) -> Result<String, AuthError> {
    if let Some(d) = req.header("x-amz-date") {
        return Ok(d.trim().to_string());
    }
    let date = req
        .header("date")
        .and_then(|d| httpdate::parse_http_date(d.trim()).ok())
        .ok_or_else(|| AuthError::Malformed("missing X-Amz-Date or Date header".into()))?;
    let t = time::OffsetDateTime::from(date);
    let fmt = time::macros::format_description!("[year][month][day]T[hour][minute][second]Z");
    t.format(fmt)
        .map_err(|_| AuthError::Malformed("bad Date header".into()))
}
