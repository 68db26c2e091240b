//! The Tencent Cloud API v1 signature (spec 07 §1):
//! `base64(HMAC(SecretKey, METHOD + host + "/?" + k=v&... sorted by key, Signature excluded))`,
//! values as they are after form decoding (the COS STS SDKs' `Policy` is still
//! percent-encoded once at that point).

use crate::auth::signatures_equal;
use base64::Engine;
use hmac::{Hmac, Mac};

/// `SignatureMethod`: HmacSHA1 unless the request says HmacSHA256.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum V1Method {
    HmacSha1,
    HmacSha256,
}

impl V1Method {
    pub fn of(params: &[(String, String)]) -> Option<V1Method> {
        match params.iter().find(|(k, _)| k == "SignatureMethod") {
            None => Some(V1Method::HmacSha1),
            Some((_, v)) if v == "HmacSHA1" => Some(V1Method::HmacSha1),
            Some((_, v)) if v == "HmacSHA256" => Some(V1Method::HmacSha256),
            Some(_) => None,
        }
    }
}

/// The string to sign for `method` (`POST`/`GET`) and `host` over `params`.
pub fn v1_string_to_sign(method: &str, host: &str, params: &[(String, String)]) -> String {
    let mut sorted: Vec<&(String, String)> =
        params.iter().filter(|(k, _)| k != "Signature").collect();
    sorted.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let joined: Vec<String> = sorted.iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!("{method}{host}/?{}", joined.join("&"))
}

/// The base64 signature of a string to sign.
pub fn sign_v1(m: V1Method, secret: &str, string_to_sign: &str) -> String {
    let mac = match m {
        V1Method::HmacSha1 => {
            let mut h = <Hmac<sha1::Sha1>>::new_from_slice(secret.as_bytes())
                .expect("HMAC takes any key length");
            h.update(string_to_sign.as_bytes());
            h.finalize().into_bytes().to_vec()
        }
        V1Method::HmacSha256 => {
            let mut h = <Hmac<sha2::Sha256>>::new_from_slice(secret.as_bytes())
                .expect("HMAC takes any key length");
            h.update(string_to_sign.as_bytes());
            h.finalize().into_bytes().to_vec()
        }
    };
    base64::engine::general_purpose::STANDARD.encode(mac)
}

/// Whether `signature` signs `params` for any of the candidate hosts. The Python SDK signs a
/// configured `domain` (default `sts.tencentcloudapi.com`) whatever it connects to, and signs
/// an unset region as the text `None` while leaving it out of the body, so both are tried.
pub fn verify_v1(
    method: &str,
    hosts: &[&str],
    params: &[(String, String)],
    secret: &str,
    signature: &str,
) -> bool {
    let Some(m) = V1Method::of(params) else {
        return false;
    };
    let mut variants: Vec<Vec<(String, String)>> = vec![params.to_vec()];
    if !params.iter().any(|(k, _)| k == "Region") {
        let mut with_none = params.to_vec();
        with_none.push(("Region".into(), "None".into()));
        variants.push(with_none);
    }
    let mut ok = false;
    for host in hosts {
        for v in &variants {
            let mine = sign_v1(m, secret, &v1_string_to_sign(method, host, v));
            // Every candidate is computed and compared in constant time.
            ok |= signatures_equal(mine.as_bytes(), signature.as_bytes());
        }
    }
    ok
}
