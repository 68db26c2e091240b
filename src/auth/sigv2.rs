//! AWS Signature Version 2 (`Authorization: AWS AK:sig` and presigned `AWSAccessKeyId` /
//! `Signature` / `Expires`), for older S3 clients. See shared/spec/05-sigv4-s3.md §5.

use super::{active_credential, signatures_equal, AuthError, CredentialStore, Identity};
use base64::Engine;
use hmac::{Hmac, Mac};
use sha1::Sha1;

/// Sub-resources that are part of the canonicalized resource (botocore `QSAOfInterest`).
const SUB_RESOURCES: &[&str] = &[
    "accelerate",
    "acl",
    "analytics",
    "cors",
    "defaultObjectAcl",
    "delete",
    "inventory",
    "lifecycle",
    "location",
    "logging",
    "metrics",
    "notification",
    "object-lock",
    "partNumber",
    "policy",
    "replication",
    "requestPayment",
    "response-cache-control",
    "response-content-disposition",
    "response-content-encoding",
    "response-content-language",
    "response-content-type",
    "response-expires",
    "restore",
    "select",
    "select-type",
    "storageClass",
    "tagging",
    "torrent",
    "uploadId",
    "uploads",
    "versionId",
    "versioning",
    "versions",
    "website",
];

/// A parsed SigV2 authorization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct V2Auth {
    pub access_key: String,
    pub signature: String,
    /// Unix seconds of a presigned URL's `Expires`.
    pub expires: Option<i64>,
}

impl V2Auth {
    pub fn from_header(h: &str) -> Result<V2Auth, AuthError> {
        let rest = h
            .strip_prefix("AWS ")
            .ok_or_else(|| AuthError::Malformed("expected AWS <AccessKeyId>:<Signature>".into()))?;
        let (ak, sig) = rest
            .trim()
            .rsplit_once(':')
            .filter(|(a, s)| !a.is_empty() && !s.is_empty())
            .ok_or_else(|| AuthError::Malformed("expected AWS <AccessKeyId>:<Signature>".into()))?;
        Ok(V2Auth {
            access_key: ak.to_string(),
            signature: sig.to_string(),
            expires: None,
        })
    }

    pub fn from_query(pairs: &[(String, String)]) -> Result<V2Auth, AuthError> {
        let get = |n: &str| {
            pairs
                .iter()
                .find(|(k, _)| k == n)
                .map(|(_, v)| v.clone())
                .ok_or_else(|| AuthError::Malformed(format!("missing {n}")))
        };
        let expires = get("Expires")?
            .parse()
            .map_err(|_| AuthError::Malformed("Expires must be Unix seconds".into()))?;
        Ok(V2Auth {
            access_key: get("AWSAccessKeyId")?,
            signature: get("Signature")?,
            expires: Some(expires),
        })
    }
}

/// A request as the verifier needs to see it.
pub struct V2Request<'a> {
    pub method: &'a str,
    /// Canonicalized-resource path candidates: the path as sent (still percent-encoded), and
    /// for virtual-hosted requests `/<bucket>` + that path.
    pub paths: Vec<String>,
    pub query: &'a [(String, String)],
    /// (lower-case name, value) in arrival order.
    pub headers: &'a [(String, String)],
}

impl V2Request<'_> {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// The string to sign for `path` (spec 05 §5). `date` is the Date header, or `Expires` for a
/// presigned URL.
pub fn string_to_sign(req: &V2Request<'_>, path: &str, date: &str) -> String {
    let h = |n: &str| req.header(n).unwrap_or("").trim().to_string();
    let mut amz: Vec<(String, Vec<String>)> = Vec::new();
    for (k, v) in req.headers {
        if !k.starts_with("x-amz-") {
            continue;
        }
        match amz.iter_mut().find(|(n, _)| n == k) {
            Some((_, vals)) => vals.push(v.trim().to_string()),
            None => amz.push((k.clone(), vec![v.trim().to_string()])),
        }
    }
    amz.sort();
    let mut s = format!(
        "{}\n{}\n{}\n{}\n",
        req.method,
        h("content-md5"),
        h("content-type"),
        date
    );
    for (k, vals) in amz {
        s.push_str(&format!("{k}:{}\n", vals.join(",")));
    }
    s.push_str(path);
    let mut subs: Vec<(&str, &str)> = req
        .query
        .iter()
        .filter(|(k, _)| SUB_RESOURCES.contains(&k.as_str()))
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    subs.sort();
    for (i, (k, v)) in subs.iter().enumerate() {
        s.push(if i == 0 { '?' } else { '&' });
        s.push_str(k);
        if !v.is_empty() {
            s.push('=');
            s.push_str(v);
        }
    }
    s
}

pub fn sign(secret: &str, string_to_sign: &str) -> String {
    // HMAC accepts keys of any length, so `new_from_slice` cannot fail here.
    let mut mac =
        <Hmac<Sha1> as Mac>::new_from_slice(secret.as_bytes()).unwrap_or_else(|_| unreachable!());
    mac.update(string_to_sign.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// Verifies `auth` for `req` at `now` (Unix seconds). A presigned URL may not expire more
/// than `max_validity` seconds from now.
pub fn verify(
    auth: &V2Auth,
    req: &V2Request<'_>,
    creds: &dyn CredentialStore,
    now: i64,
    max_skew: i64,
    max_validity: i64,
) -> Result<Identity, AuthError> {
    let cred = active_credential(creds, &auth.access_key)?;
    let date = match auth.expires {
        Some(exp) => {
            if now > exp {
                return Err(AuthError::Expired);
            }
            if exp.saturating_sub(now) > max_validity {
                return Err(AuthError::Malformed(format!(
                    "Expires is more than the {max_validity} seconds allowed from now"
                )));
            }
            exp.to_string()
        }
        None => {
            // With x-amz-date present, it is signed among the amz headers and Date is empty.
            let (line, when) = match req.header("x-amz-date") {
                Some(d) => (String::new(), d),
                None => {
                    let d = req.header("date").ok_or_else(|| {
                        AuthError::Malformed("a Date or x-amz-date header is required".into())
                    })?;
                    (d.trim().to_string(), d)
                }
            };
            let t = httpdate::parse_http_date(when.trim())
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map(|d| d.as_secs() as i64)
                .ok_or_else(|| {
                    AuthError::Malformed("the request date is not an HTTP date".into())
                })?;
            if (now - t).abs() > max_skew {
                return Err(AuthError::RequestTimeTooSkewed);
            }
            line
        }
    };
    // A presigned URL carries the request's x-amz-* headers (the security token among them)
    // as query parameters, signed as headers (botocore `HmacV1QueryAuth`).
    let mut moved: Vec<(String, String)> = req.headers.to_vec();
    if auth.expires.is_some() {
        moved.extend(
            req.query
                .iter()
                .map(|(k, v)| (k.to_ascii_lowercase(), v.clone()))
                .filter(|(k, _)| k.starts_with("x-amz-")),
        );
    }
    let req = &V2Request {
        method: req.method,
        paths: req.paths.clone(),
        query: req.query,
        headers: &moved,
    };
    for path in &req.paths {
        let expected = sign(&cred.secret_key.0, &string_to_sign(req, path, &date));
        if signatures_equal(expected.as_bytes(), auth.signature.as_bytes()) {
            return Ok(cred.identity(&auth.access_key));
        }
    }
    Err(AuthError::SignatureDoesNotMatch)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::encode::decode_query;
    use crate::auth::testing::Keys;

    const NOW: i64 = 1_700_000_000;
    const DATE: &str = "Tue, 14 Nov 2023 22:13:20 GMT";

    fn keys() -> Keys {
        Keys(vec![("AKIDEXAMPLE", "SECRETEXAMPLE")])
    }

    fn hdrs(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_ascii_lowercase(), v.to_string()))
            .collect()
    }

    #[test]
    fn put_with_amz_headers() {
        let h = hdrs(&[
            ("Content-Type", "text/plain"),
            ("Date", DATE),
            ("x-amz-meta-foo", "bar"),
            ("x-amz-acl", "public-read"),
            ("x-amz-checksum-crc32", "DUoRhQ=="),
            ("x-amz-sdk-checksum-algorithm", "CRC32"),
        ]);
        let req = V2Request {
            method: "PUT",
            paths: vec!["/examplebucket-1250000000/a%20b.txt".into()],
            query: &[],
            headers: &h,
        };
        assert_eq!(
            string_to_sign(&req, &req.paths[0], DATE),
            "PUT\n\ntext/plain\nTue, 14 Nov 2023 22:13:20 GMT\nx-amz-acl:public-read\nx-amz-checksum-crc32:DUoRhQ==\nx-amz-meta-foo:bar\nx-amz-sdk-checksum-algorithm:CRC32\n/examplebucket-1250000000/a%20b.txt"
        );
        let auth = V2Auth::from_header("AWS AKIDEXAMPLE:K8yoaEEpJzIfDP+otSxxDn6Yn88=").unwrap();
        verify(&auth, &req, &keys(), NOW, 900, 604800).unwrap();
        assert_eq!(
            verify(&auth, &req, &keys(), NOW + 1000, 900, 604800).unwrap_err(),
            AuthError::RequestTimeTooSkewed
        );
    }

    #[test]
    fn get_acl_sub_resource() {
        let h = hdrs(&[("Date", DATE)]);
        let q = decode_query("acl");
        let req = V2Request {
            method: "GET",
            paths: vec!["/examplebucket-1250000000/a%20b.txt".into()],
            query: &q,
            headers: &h,
        };
        let auth = V2Auth::from_header("AWS AKIDEXAMPLE:qCS6phwabtetyqKiiJf0/fOwMf0=").unwrap();
        verify(&auth, &req, &keys(), NOW, 900, 604800).unwrap();
        let bad = V2Auth::from_header("AWS AKIDEXAMPLE:qCS6phwabtetyqKiiJf0/fOwMf1=").unwrap();
        assert_eq!(
            verify(&bad, &req, &keys(), NOW, 900, 604800).unwrap_err(),
            AuthError::SignatureDoesNotMatch
        );
    }

    #[test]
    fn presigned_get() {
        let q = decode_query("response-content-type=text%2Fplain&AWSAccessKeyId=AKIDEXAMPLE&Signature=rbMcVjuRARhnqzpDF%2FeCyyNYhJM%3D&Expires=1700003600");
        let h = hdrs(&[("Host", "127.0.0.1:9000")]);
        let req = V2Request {
            method: "GET",
            paths: vec!["/examplebucket-1250000000/a%20b.txt".into()],
            query: &q,
            headers: &h,
        };
        let auth = V2Auth::from_query(&q).unwrap();
        verify(&auth, &req, &keys(), NOW, 900, 604800).unwrap();
        assert_eq!(
            verify(&auth, &req, &keys(), 1_700_003_601, 900, 604800).unwrap_err(),
            AuthError::Expired
        );
    }
}
