//! What the request journal may show of a request: headers and query with every signature,
//! session token and customer key replaced, and the signature scheme it used. Pure.

/// Shown instead of a secret.
pub const REDACTED: &str = "REDACTED";

/// Header names whose whole value is a secret (lower case).
const SECRET_HEADERS: &[&str] = &[
    "x-cos-security-token",
    "x-amz-security-token",
    "x-cos-server-side-encryption-customer-key",
    "x-amz-server-side-encryption-customer-key",
    "x-cos-copy-source-server-side-encryption-customer-key",
    "x-amz-copy-source-server-side-encryption-customer-key",
    "cookie",
    "proxy-authorization",
];

/// Query parameters whose value is (or contains) a signature or a token.
const SECRET_PARAMS: &[&str] = &[
    "q-signature",
    "sign",
    "signature",
    "x-amz-signature",
    "x-amz-security-token",
    "x-cos-security-token",
];

/// The header's value as the journal shows it.
pub fn header_value(name: &str, value: &str) -> String {
    let name = name.to_ascii_lowercase();
    if SECRET_HEADERS.contains(&name.as_str()) {
        return REDACTED.into();
    }
    if name == "authorization" {
        return authorization(value);
    }
    value.into()
}

/// An Authorization header with its signature replaced; the key id and what was signed stay
/// (they say who asked and how). A scheme we do not know is hidden whole.
pub fn authorization(value: &str) -> String {
    let v = value.trim();
    if v.starts_with("q-sign-algorithm") {
        // q-sign: `&`-separated pairs, `q-signature=<hex>` among them.
        return v
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((k, _)) if k.eq_ignore_ascii_case("q-signature") => {
                    format!("{k}={REDACTED}")
                }
                _ => pair.to_string(),
            })
            .collect::<Vec<_>>()
            .join("&");
    }
    if let Some(rest) = v.strip_prefix("AWS4-HMAC-SHA256") {
        // SigV4: `Credential=..., SignedHeaders=..., Signature=<hex>`.
        let parts: Vec<String> = rest
            .split(',')
            .map(|p| {
                let t = p.trim();
                if t.to_ascii_lowercase().starts_with("signature=") {
                    format!("Signature={REDACTED}")
                } else {
                    t.to_string()
                }
            })
            .collect();
        return format!("AWS4-HMAC-SHA256 {}", parts.join(", "));
    }
    if let Some(rest) = v.strip_prefix("AWS ") {
        // SigV2: `AWS <AccessKeyId>:<Signature>`.
        let id = rest.split(':').next().unwrap_or("");
        return format!("AWS {id}:{REDACTED}");
    }
    REDACTED.into()
}

/// A raw query string with secret parameters' values replaced (kept encoded as sent).
pub fn query(raw: &str) -> String {
    raw.split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let k = pair.split_once('=').map_or(pair, |(k, _)| k);
            if SECRET_PARAMS.iter().any(|s| s.eq_ignore_ascii_case(k)) {
                format!("{k}={REDACTED}")
            } else {
                pair.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// The signature scheme of a request, from its Authorization header and query parameter
/// names (what `authn` will verify; a request it refuses still says what it tried).
pub fn scheme(authorization: Option<&str>, query_names: &[&str]) -> &'static str {
    let has = |n: &str| query_names.iter().any(|q| q.eq_ignore_ascii_case(n));
    match authorization.map(str::trim) {
        Some(a) if a.starts_with("q-sign-algorithm") => "q-sign",
        Some(a) if a.starts_with("AWS4-HMAC-SHA256") => "sigv4",
        Some(a) if a.starts_with("AWS ") => "sigv2",
        Some(a) if !a.is_empty() => "unknown",
        _ if has("q-sign-algorithm") => "q-sign-presigned",
        _ if has("X-Amz-Algorithm") => "sigv4-presigned",
        _ if has("AWSAccessKeyId") => "sigv2-presigned",
        _ if has("sign") => "json-api",
        _ => "anonymous",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_tokens_and_customer_keys_are_hidden() {
        let cases = [
            (
                "authorization",
                "q-sign-algorithm=sha1&q-ak=AKID1&q-sign-time=1;2&q-key-time=1;2&q-header-list=host&q-url-param-list=&q-signature=abcdef",
                "q-sign-algorithm=sha1&q-ak=AKID1&q-sign-time=1;2&q-key-time=1;2&q-header-list=host&q-url-param-list=&q-signature=REDACTED",
            ),
            (
                "Authorization",
                "AWS4-HMAC-SHA256 Credential=AKID/20261208/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-date, Signature=0123",
                "AWS4-HMAC-SHA256 Credential=AKID/20261208/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-date, Signature=REDACTED",
            ),
            ("authorization", "AWS AKID:c2lnbmF0dXJl", "AWS AKID:REDACTED"),
            ("authorization", "Bearer secret-token", "REDACTED"),
            ("x-cos-security-token", "tok", "REDACTED"),
            ("X-Amz-Security-Token", "tok", "REDACTED"),
            (
                "x-amz-server-side-encryption-customer-key",
                "a2V5",
                "REDACTED",
            ),
            ("content-type", "text/plain", "text/plain"),
        ];
        for (name, value, want) in cases {
            assert_eq!(header_value(name, value), want, "{name}");
        }
    }

    #[test]
    fn presigned_query_signatures_are_hidden_and_the_rest_kept() {
        assert_eq!(
            query("X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F1&X-Amz-Signature=ff&X-Amz-Security-Token=t"),
            "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F1&X-Amz-Signature=REDACTED&X-Amz-Security-Token=REDACTED"
        );
        assert_eq!(
            query("q-sign-algorithm=sha1&q-ak=AKID&q-signature=ab&versionId=3"),
            "q-sign-algorithm=sha1&q-ak=AKID&q-signature=REDACTED&versionId=3"
        );
        assert_eq!(query("sign=abc"), "sign=REDACTED");
        assert_eq!(
            query("AWSAccessKeyId=A&Signature=s&Expires=9"),
            "AWSAccessKeyId=A&Signature=REDACTED&Expires=9"
        );
        assert_eq!(query("acl&uploads"), "acl&uploads");
    }

    #[test]
    fn the_scheme_is_named_from_the_header_or_query() {
        assert_eq!(scheme(Some("q-sign-algorithm=sha1&x"), &[]), "q-sign");
        assert_eq!(scheme(Some("AWS4-HMAC-SHA256 Credential=x"), &[]), "sigv4");
        assert_eq!(scheme(Some("AWS A:B"), &[]), "sigv2");
        assert_eq!(scheme(Some("Basic x"), &[]), "unknown");
        assert_eq!(
            scheme(None, &["q-sign-algorithm", "q-ak"]),
            "q-sign-presigned"
        );
        assert_eq!(scheme(None, &["X-Amz-Algorithm"]), "sigv4-presigned");
        assert_eq!(scheme(None, &["AWSAccessKeyId"]), "sigv2-presigned");
        assert_eq!(scheme(None, &["sign"]), "json-api");
        assert_eq!(scheme(None, &["acl"]), "anonymous");
    }
}
