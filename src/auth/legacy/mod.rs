//! The v4 JSON API's HMAC-SHA1 signatures (seed 003:498-551, spec 06 §2):
//! `Sign = Base64(HMAC-SHA1(SecretKey, Original) || Original)` with
//! `Original = a=<appid>&b=<bucket>&k=<SecretId>&e=<expire>&t=<now>&r=<rand>&f=<fileid>` in any
//! field order. `e = 0` makes a single-use ("once") signature bound to `f`.
//!
//! detect (an `Authorization` header without a scheme, or `sign=`) -> parse -> verify MAC ->
//! check the rules for the operation (`check.rs`). Pure: time and keys are inputs.

mod check;
#[cfg(test)]
mod tests;

pub use check::{check, Expect, Need};

use base64::Engine;
use hmac::{Hmac, Mac};
use sha1::Sha1;

/// Why a legacy signature is refused; each maps to the seed's numeric code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LegacyAuthError {
    #[error("ERROR_PROXY_AUTH_SIGN_EMPTY: the request carries no signature")]
    Empty,
    #[error("ERROR_PROXY_AUTH_FAILED: the signature is not Base64(HMAC || a=&b=&k=&e=&t=&r=&f=)")]
    Malformed,
    #[error("ERROR_PROXY_AUTH_SECRETID_NOEXIST: the SecretId in the signature does not exist")]
    UnknownSecretId,
    #[error("ERROR_PROXY_AUTH_SIGN_MISMATCH: the signature does not match")]
    Mismatch,
    #[error("ERROR_PROXY_APPID_USERID_NOTMATCH: the signature's APPID is not the request's")]
    AppidMismatch,
    #[error("ERROR_PROXY_SIGN_BUCKET_NOTMATCH: the signature's bucket is not the request's")]
    BucketMismatch,
    #[error("ERROR_PROXY_FILEID_NOTMATCH: the signature's fileid is not the request's")]
    FileidMismatch,
    #[error("ERROR_PROXY_AUTH_EXPIRED: the signature has expired")]
    Expired,
    #[error("ERROR_PROXY_AUTH_EXPIRE_TOO_LONG: a multi-use signature may last at most 90 days")]
    TooLong,
    #[error("ERROR_PROXY_AUTH_EXPIRED: the once signature was signed outside the replay window")]
    OnceTooOld,
    #[error(
        "ERROR_PROXY_AUTH_ONCESIGN_EXPIREDNOTEMPTY: this operation needs a once signature (e=0)"
    )]
    NeedOnce,
    #[error(
        "ERROR_PROXY_AUTH_MULTISIGN_EXPIREEMPTY: this operation needs a multi-use signature (e>0)"
    )]
    NeedMulti,
    #[error("ERROR_PROXY_AUTH_ONCESIGN_NOFILEID: a once signature must name its file (f)")]
    OnceWithoutFileid,
    #[error("ERROR_PROXY_AUTH_REPLAY_ATTACH: once signature already used")]
    Replayed,
}

impl LegacyAuthError {
    /// The seed's code (003:3127-3137, 3236-3251, 1007-1041).
    pub fn code(self) -> i32 {
        match self {
            LegacyAuthError::Empty => -81,
            LegacyAuthError::Malformed => -97,
            LegacyAuthError::UnknownSecretId => -47,
            LegacyAuthError::Mismatch => -48,
            LegacyAuthError::AppidMismatch => -70,
            LegacyAuthError::BucketMismatch => -61,
            LegacyAuthError::FileidMismatch => -63,
            LegacyAuthError::Expired => -59,
            LegacyAuthError::TooLong => -53,
            LegacyAuthError::OnceTooOld => -96,
            LegacyAuthError::NeedOnce => -73,
            LegacyAuthError::NeedMulti => -74,
            LegacyAuthError::OnceWithoutFileid => -76,
            LegacyAuthError::Replayed => -77,
        }
    }
}

/// A decoded signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LegacySign {
    pub appid: String,
    pub bucket: String,
    pub secret_id: String,
    /// `e`: 0 for a once signature.
    pub expire: i64,
    /// `t`: when it was signed.
    pub time: i64,
    /// `f` as signed (percent-encoded); may be empty.
    pub fileid: String,
    pub mac: [u8; 20],
    /// The signed text.
    pub plain: String,
}

/// Signatures longer than this are refused unread (the seed's 2K limit, 003:3378).
const MAX_SIGN_LEN: usize = 2048;

impl LegacySign {
    /// Decodes `Base64(mac || plain)`. Every field must be present exactly once; `r` is
    /// required but not interpreted.
    pub fn parse(sign: &str) -> Result<LegacySign, LegacyAuthError> {
        // The Python SDK puts the signature in `?sign=` without URL-encoding it, so its `+`
        // arrive as spaces; Base64 has no spaces, so they are always a decoded `+`. (Spaces
        // first: a signature that starts or ends with `+` arrives with a space there, which a
        // trim would drop.)
        if sign.trim().is_empty() {
            return Err(LegacyAuthError::Empty);
        }
        let sign = sign.replace(' ', "+");
        let sign = sign.trim();
        if sign.len() > MAX_SIGN_LEN {
            return Err(LegacyAuthError::Malformed);
        }
        let raw = base64::engine::general_purpose::STANDARD
            .decode(sign)
            .map_err(|_| LegacyAuthError::Malformed)?;
        if raw.len() <= 20 {
            return Err(LegacyAuthError::Malformed);
        }
        let (mac, plain) = raw.split_at(20);
        let plain = std::str::from_utf8(plain).map_err(|_| LegacyAuthError::Malformed)?;
        let mut fields: [Option<&str>; 7] = [None; 7];
        for pair in plain.split('&') {
            let (k, v) = pair.split_once('=').ok_or(LegacyAuthError::Malformed)?;
            let i = match k {
                "a" => 0,
                "b" => 1,
                "k" => 2,
                "e" => 3,
                "t" => 4,
                "r" => 5,
                "f" => 6,
                _ => return Err(LegacyAuthError::Malformed),
            };
            if fields[i].replace(v).is_some() {
                return Err(LegacyAuthError::Malformed);
            }
        }
        let get = |i: usize| fields[i].ok_or(LegacyAuthError::Malformed);
        let num = |i: usize| -> Result<i64, LegacyAuthError> {
            get(i)?
                .parse::<i64>()
                .map_err(|_| LegacyAuthError::Malformed)
        };
        let mut m = [0u8; 20];
        m.copy_from_slice(mac);
        let out = LegacySign {
            appid: get(0)?.to_string(),
            bucket: get(1)?.to_string(),
            secret_id: get(2)?.to_string(),
            expire: num(3)?,
            time: num(4)?,
            fileid: get(6)?.to_string(),
            mac: m,
            plain: plain.to_string(),
        };
        get(5)?;
        if out.secret_id.is_empty() || out.expire < 0 {
            return Err(LegacyAuthError::Malformed);
        }
        Ok(out)
    }

    pub fn is_once(&self) -> bool {
        self.expire == 0
    }

    /// Whether the MAC is HMAC-SHA1(`secret_key`, plain), compared in constant time.
    pub fn mac_matches(&self, secret_key: &str) -> bool {
        super::signatures_equal(&mac(secret_key, &self.plain), &self.mac)
    }
}

fn mac(secret_key: &str, plain: &str) -> [u8; 20] {
    // HMAC accepts keys of any length.
    let mut h = Hmac::<Sha1>::new_from_slice(secret_key.as_bytes()).unwrap_or_else(|_| {
        unreachable!("HMAC takes any key length");
    });
    h.update(plain.as_bytes());
    h.finalize().into_bytes().into()
}

/// `Base64(HMAC-SHA1(secret_key, plain) || plain)` (clients, tests).
pub fn sign(secret_key: &str, plain: &str) -> String {
    let mut raw = mac(secret_key, plain).to_vec();
    raw.extend_from_slice(plain.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(raw)
}

/// The plain text as the Python SDK orders it: `a k e t r f b`.
pub fn plain_text(
    appid: &str,
    secret_id: &str,
    expire: i64,
    now: i64,
    rand: u64,
    fileid: &str,
    bucket: &str,
) -> String {
    format!("a={appid}&k={secret_id}&e={expire}&t={now}&r={rand}&f={fileid}&b={bucket}")
}

/// `f` for a path: `/<appid>/<bucket><path>` with everything but `/` and unreserved
/// characters percent-encoded (Python `quote(path, '~/')`).
pub fn fileid(appid: &str, bucket: &str, path: &str) -> String {
    format!(
        "/{appid}/{bucket}{}",
        percent_encoding::utf8_percent_encode(path, super::encode::KEY_ENCODE)
    )
}

/// Looks up the signer and checks the MAC.
pub fn verify(
    sign: &LegacySign,
    creds: &dyn super::CredentialStore,
) -> Result<super::Identity, LegacyAuthError> {
    // The v4 JSON API has no way to carry a security token: temporary keys are refused.
    let cred = super::active_credential(creds, &sign.secret_id)
        .ok()
        .filter(|c| c.session.is_none())
        .ok_or(LegacyAuthError::UnknownSecretId)?;
    if !sign.mac_matches(&cred.secret_key.0) {
        return Err(LegacyAuthError::Mismatch);
    }
    Ok(cred.identity(&sign.secret_id))
}
