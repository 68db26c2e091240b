//! HttpString, StringToSign and the signature itself.

use crate::auth::encode::{cos_encode, cos_encode_bytes};
use hmac::{Hmac, Mac};
use sha1::{Digest, Sha1};

type HmacSha1 = Hmac<Sha1>;

fn hmac_hex(key: &[u8], msg: &[u8]) -> String {
    // HMAC accepts keys of any length, so construction cannot fail.
    let mut mac =
        HmacSha1::new_from_slice(key).unwrap_or_else(|_| unreachable!("hmac takes any key length"));
    mac.update(msg);
    hex::encode(mac.finalize().into_bytes())
}

/// `lower(method)\npath\nparams\nheaders\n`, where params and headers are the listed names
/// paired with the encoded values found (`E(name).lower()` keys).
pub fn http_string(
    method: &str,
    path: &str,
    param_list: &[String],
    params: &dyn Fn(&str) -> Option<String>,
    header_list: &[String],
    headers: &dyn Fn(&str) -> Option<Vec<u8>>,
) -> String {
    let ps: Vec<String> = param_list
        .iter()
        .map(|n| {
            format!(
                "{n}={}",
                params(n).map(|v| cos_encode(&v)).unwrap_or_default()
            )
        })
        .collect();
    let hs: Vec<String> = header_list
        .iter()
        .map(|n| {
            format!(
                "{n}={}",
                headers(n).map(|v| cos_encode_bytes(&v)).unwrap_or_default()
            )
        })
        .collect();
    format!(
        "{}\n{}\n{}\n{}\n",
        method.to_ascii_lowercase(),
        path,
        ps.join("&"),
        hs.join("&")
    )
}

pub fn string_to_sign(sign_time: &str, http_string: &str) -> String {
    format!(
        "sha1\n{}\n{}\n",
        sign_time,
        hex::encode(Sha1::digest(http_string.as_bytes()))
    )
}

/// `hex(HMAC-SHA1(hex(HMAC-SHA1(secret, key_time)), string_to_sign))`.
pub fn sign(secret_key: &str, key_time: &str, string_to_sign: &str) -> String {
    let sign_key = hmac_hex(secret_key.as_bytes(), key_time.as_bytes());
    hmac_hex(sign_key.as_bytes(), string_to_sign.as_bytes())
}

/// The lower-cased encoded form of a name, as used in the lists.
pub fn list_name(name: &str) -> String {
    cos_encode(name).to_ascii_lowercase()
}
