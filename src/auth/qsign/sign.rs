//! Producing a q-sign Authorization header (for the `cosd admin` client and tests).

use super::canonical::{http_string, list_name, sign, string_to_sign};

/// The Authorization value for `method path` signed with `(secret_id, secret_key)` over
/// `headers` (name, value) and `params`, valid during `(start, end)` (Unix seconds).
pub fn authorization(
    (secret_id, secret_key): (&str, &str),
    method: &str,
    path: &str,
    params: &[(String, String)],
    headers: &[(String, String)],
    (start, end): (i64, i64),
) -> String {
    let mut hdrs: Vec<(String, String)> = headers
        .iter()
        .map(|(k, v)| (list_name(k), v.clone()))
        .collect();
    hdrs.sort();
    let mut ps: Vec<(String, String)> = params
        .iter()
        .map(|(k, v)| (list_name(k), v.clone()))
        .collect();
    ps.sort();
    let pl: Vec<String> = ps.iter().map(|(k, _)| k.clone()).collect();
    let hl: Vec<String> = hdrs.iter().map(|(k, _)| k.clone()).collect();
    let hs = http_string(
        method,
        path,
        &pl,
        &|n| ps.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone()),
        &hl,
        &|n| {
            hdrs.iter()
                .find(|(k, _)| k == n)
                .map(|(_, v)| v.as_bytes().to_vec())
        },
    );
    let t = format!("{start};{end}");
    let sig = sign(secret_key, &t, &string_to_sign(&t, &hs));
    format!(
        "q-sign-algorithm=sha1&q-ak={secret_id}&q-sign-time={t}&q-key-time={t}&q-header-list={}&q-url-param-list={}&q-signature={sig}",
        hl.join(";"),
        pl.join(";")
    )
}
