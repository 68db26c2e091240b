//! Canonical request, string to sign and signing key (spec 05 §1, §2).

use crate::auth::encode::{COS_ENCODE, KEY_ENCODE};
use hmac::{Hmac, Mac};
use percent_encoding::utf8_percent_encode;
use sha2::{Digest, Sha256};

/// SHA-256 of the empty string, the payload hash of bodyless requests.
pub const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

pub fn hmac_sha256(key: &[u8], data: &[u8]) -> [u8; 32] {
    // HMAC accepts keys of any length, so `new_from_slice` cannot fail here.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).unwrap_or_else(|_| unreachable!());
    mac.update(data);
    mac.finalize().into_bytes().into()
}

pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// The decoded path re-encoded with every byte but `A-Za-z0-9-_.~/` escaped (S3 flavour: no
/// dot-segment normalisation, no double encoding).
pub fn canonical_uri(decoded_path: &str) -> String {
    let path = if decoded_path.is_empty() {
        "/"
    } else {
        decoded_path
    };
    utf8_percent_encode(path, KEY_ENCODE).to_string()
}

/// Decoded query pairs re-encoded with the unreserved set, sorted by name then value;
/// `X-Amz-Signature` is left out (presigned URLs).
pub fn canonical_query(pairs: &[(String, String)]) -> String {
    let mut enc: Vec<(String, String)> = pairs
        .iter()
        .filter(|(k, _)| k != "X-Amz-Signature")
        .map(|(k, v)| {
            (
                utf8_percent_encode(k, COS_ENCODE).to_string(),
                utf8_percent_encode(v, COS_ENCODE).to_string(),
            )
        })
        .collect();
    enc.sort();
    enc.iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// Appends a header value trimmed, with runs of spaces collapsed.
fn push_canonical_value(out: &mut String, v: &str) {
    for (i, word) in v.split_whitespace().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(word);
    }
}

/// The canonical request. `header_values(name)` returns every value of a header (already
/// lower-case name), in arrival order.
pub fn canonical_request(
    method: &str,
    uri: &str,
    query: &str,
    signed_headers: &[String],
    header_values: &dyn Fn(&str) -> Vec<String>,
    payload_hash: &str,
) -> String {
    let mut out = String::with_capacity(256 + uri.len() + query.len());
    for part in [method, "\n", uri, "\n", query, "\n"] {
        out.push_str(part);
    }
    for name in signed_headers {
        out.push_str(name);
        out.push(':');
        for (i, v) in header_values(name).iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            push_canonical_value(&mut out, v);
        }
        out.push('\n');
    }
    out.push('\n');
    for (i, name) in signed_headers.iter().enumerate() {
        if i > 0 {
            out.push(';');
        }
        out.push_str(name);
    }
    out.push('\n');
    out.push_str(payload_hash);
    out
}

pub fn string_to_sign(amz_date: &str, scope: &str, canonical_request: &str) -> String {
    let mut hash = [0u8; 64];
    // 32 bytes always fit 64 hex digits.
    let _ = hex::encode_to_slice(Sha256::digest(canonical_request.as_bytes()), &mut hash);
    let mut out = String::with_capacity(40 + amz_date.len() + scope.len() + 64);
    for part in ["AWS4-HMAC-SHA256\n", amz_date, "\n", scope, "\n"] {
        out.push_str(part);
    }
    out.push_str(std::str::from_utf8(&hash).unwrap_or_default());
    out
}

/// `AWS4<secret>` through the four HMACs of the scope (the key is the same for every request
/// of a day, region and service; `SigningKeys` keeps the recent ones).
pub fn signing_key(secret: &str, date: &str, region: &str, service: &str) -> [u8; 32] {
    let k_date = hmac_sha256(format!("AWS4{secret}").as_bytes(), date.as_bytes());
    let k_region = hmac_sha256(&k_date, region.as_bytes());
    let k_service = hmac_sha256(&k_region, service.as_bytes());
    hmac_sha256(&k_service, b"aws4_request")
}

/// The string signed for one chunk of a `STREAMING-AWS4-HMAC-SHA256-PAYLOAD` body.
pub fn chunk_string_to_sign(amz_date: &str, scope: &str, previous: &str, data: &[u8]) -> String {
    chunk_string_to_sign_hex(amz_date, scope, previous, &sha256_hex(data))
}

/// `chunk_string_to_sign` with the chunk's SHA-256 (hex) already computed.
pub fn chunk_string_to_sign_hex(amz_date: &str, scope: &str, previous: &str, hash: &str) -> String {
    format!("AWS4-HMAC-SHA256-PAYLOAD\n{amz_date}\n{scope}\n{previous}\n{EMPTY_SHA256}\n{hash}")
}

/// The string signed for the trailer of a `...-PAYLOAD-TRAILER` body; `trailer` is the
/// trailer lines as `name:value\n`.
pub fn trailer_string_to_sign(
    amz_date: &str,
    scope: &str,
    previous: &str,
    trailer: &str,
) -> String {
    format!(
        "AWS4-HMAC-SHA256-TRAILER\n{amz_date}\n{scope}\n{previous}\n{}",
        sha256_hex(trailer.as_bytes())
    )
}
