//! Parsing the seven q-sign fields from a header or from query parameters.

use crate::auth::AuthError;

/// The query parameters that carry a presigned q-sign signature (never part of what is signed).
pub const AUTH_PARAMS: &[&str] = &[
    "q-sign-algorithm",
    "q-ak",
    "q-sign-time",
    "q-key-time",
    "q-header-list",
    "q-url-param-list",
    "q-signature",
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QSign {
    pub ak: String,
    pub sign_time: String,
    pub key_time: String,
    pub start: i64,
    pub end: i64,
    /// (start, end) of `q-key-time`.
    pub key_window: (i64, i64),
    pub header_list: Vec<String>,
    pub param_list: Vec<String>,
    pub signature: String,
}

fn malformed(m: &str) -> AuthError {
    AuthError::Malformed(m.to_string())
}

/// The names of `q-header-list` / `q-url-param-list` in their signed form, `E(name).lower()`.
/// A list from a header arrives decoded once more than one from the query (the header value is
/// URL-decoded as a whole, so `%2c` arrives as `,`), so each name is decoded and encoded again:
/// both arrive as `%2c`.
fn split_list(v: &str) -> Vec<String> {
    v.split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            let name = percent_encoding::percent_decode_str(s).decode_utf8_lossy();
            super::canonical::list_name(&name)
        })
        .collect()
}

fn parse_window(v: &str) -> Result<(i64, i64), AuthError> {
    let (a, b) = v
        .split_once(';')
        .ok_or_else(|| malformed("q-sign-time must be <start>;<end>"))?;
    let a = a
        .trim()
        .parse()
        .map_err(|_| malformed("q-sign-time start is not a number"))?;
    let b = b
        .trim()
        .parse()
        .map_err(|_| malformed("q-sign-time end is not a number"))?;
    Ok((a, b))
}

impl QSign {
    /// Parses the Authorization header value (`q-sign-algorithm=sha1&q-ak=...`). Values may be
    /// URL-encoded (some samples `urlencode` the whole string).
    pub fn from_header(value: &str) -> Result<QSign, AuthError> {
        let pairs = crate::auth::encode::decode_query(value.trim());
        Self::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
    }

    /// Builds from already-decoded (name, value) pairs (header fields or query parameters).
    pub fn from_pairs<'a>(
        pairs: impl Iterator<Item = (&'a str, &'a str)>,
    ) -> Result<QSign, AuthError> {
        let (mut alg, mut ak, mut st, mut kt, mut hl, mut pl, mut sig) =
            (None, None, None, None, None, None, None);
        for (k, v) in pairs {
            match k {
                "q-sign-algorithm" => alg = Some(v),
                "q-ak" => ak = Some(v),
                "q-sign-time" => st = Some(v),
                "q-key-time" => kt = Some(v),
                "q-header-list" => hl = Some(v),
                "q-url-param-list" => pl = Some(v),
                "q-signature" => sig = Some(v),
                _ => {}
            }
        }
        if alg.map(|a| a.trim().to_ascii_lowercase()) != Some("sha1".into()) {
            return Err(malformed("q-sign-algorithm must be sha1"));
        }
        let ak = ak
            .filter(|a| !a.is_empty())
            .ok_or_else(|| malformed("q-ak is missing"))?;
        let st = st.ok_or_else(|| malformed("q-sign-time is missing"))?;
        let kt = kt.unwrap_or(st);
        let (start, end) = parse_window(st)?;
        let key_window = parse_window(kt)?;
        let sig = sig
            .filter(|s| !s.is_empty())
            .ok_or_else(|| malformed("q-signature is missing"))?;
        Ok(QSign {
            ak: ak.to_string(),
            sign_time: st.to_string(),
            key_time: kt.to_string(),
            start,
            end,
            key_window,
            header_list: split_list(hl.unwrap_or("")),
            param_list: split_list(pl.unwrap_or("")),
            signature: sig.trim().to_ascii_lowercase(),
        })
    }
}
