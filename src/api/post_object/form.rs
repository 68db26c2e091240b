//! Reading the form: every field before `file` (bounded), then the file part left unread for
//! streaming. Field names compare case-insensitively (browsers keep the page's spelling).
//!
//! The form is normalised once, as it is read: each field name is folded to one canonical
//! spelling (`canonical_name`: `acl` and `x-amz-acl` are `x-cos-acl`, every other `x-amz-*`
//! header field is its `x-cos-*` twin) and a name that arrives twice, under any spelling, is
//! refused. The signature, the policy conditions and the stored headers all read this one
//! normalised form, so no aliased field can satisfy a condition while another is stored.

use crate::api::error::{ApiError, Code};
use axum::body::Body;
use http::{HeaderMap, HeaderName, HeaderValue};

/// All non-file fields together may not exceed this (S3 allows 20 KB of policy; metadata
/// fields add to it).
const MAX_FIELDS: usize = 64 * 1024;

/// The fields before the file.
#[derive(Debug, Default)]
pub struct Form {
    /// (canonical name, value), in form order; no name twice.
    fields: Vec<(String, String)>,
}

/// SigV4 form-signature fields, which have no `x-cos-` twin.
const AWS_SIGNATURE_FIELDS: &[&str] = &[
    "x-amz-algorithm",
    "x-amz-credential",
    "x-amz-date",
    "x-amz-signature",
];

/// The one spelling of a field name (lower-case input) that conditions, headers and lookups
/// use: `acl` and `x-amz-acl` are `x-cos-acl`; every other `x-amz-` field but the SigV4
/// signature's own is its `x-cos-` twin (`x-amz-meta-a` is `x-cos-meta-a`,
/// `x-amz-security-token` is `x-cos-security-token`, `x-amz-storage-class` is
/// `x-cos-storage-class`, ...).
pub fn canonical_name(name: &str) -> String {
    if name == "acl" {
        return "x-cos-acl".into();
    }
    match name.strip_prefix("x-amz-") {
        Some(rest) if !AWS_SIGNATURE_FIELDS.contains(&name) => format!("x-cos-{rest}"),
        _ => name.to_string(),
    }
}

/// The `file` part, positioned at its first byte.
pub struct FilePart {
    pub field: multer::Field<'static>,
    pub file_name: Option<String>,
}

fn malformed(e: impl std::fmt::Display) -> ApiError {
    ApiError::new(
        Code::InvalidArgument,
        format!("The multipart/form-data body is malformed: {e}"),
    )
}

/// Reads fields until `file`. Anything after the file part is never read (spec 04 §1).
pub async fn read(body: Body, boundary: String) -> Result<(Form, FilePart), ApiError> {
    let mut mp = multer::Multipart::new(body.into_data_stream(), boundary);
    let mut form = Form::default();
    let mut total = 0usize;
    while let Some(mut field) = mp.next_field().await.map_err(malformed)? {
        let name = field.name().unwrap_or("").to_ascii_lowercase();
        if name == "file" {
            // Browsers send the local path's last component; older IE sent the whole path.
            let file_name = field
                .file_name()
                .map(|f| f.rsplit(['/', '\\']).next().unwrap_or(f).to_string());
            return Ok((form, FilePart { field, file_name }));
        }
        let mut value = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(malformed)? {
            total += chunk.len();
            if total > MAX_FIELDS {
                return Err(ApiError::new(
                    Code::InvalidArgument,
                    format!("The form fields before `file` exceed {MAX_FIELDS} bytes."),
                ));
            }
            value.extend_from_slice(&chunk);
        }
        let value = String::from_utf8(value)
            .map_err(|_| malformed(format!("field `{name}` is not UTF-8")))?;
        form.push(&name, value)?;
    }
    Err(ApiError::new(
        Code::InvalidArgument,
        "POST Object requires a `file` field, as the form's last field.",
    ))
}

/// Fields that are signature or form plumbing, never object metadata.
const PLUMBING: &[&str] = &[
    "key",
    "policy",
    "signature",
    "awsaccesskeyid",
    "success_action_status",
    "success_action_redirect",
    "redirect",
    "x-cos-security-token",
    "x-amz-security-token",
    "x-amz-algorithm",
    "x-amz-credential",
    "x-amz-date",
    "x-amz-signature",
];

impl Form {
    /// Adds a field (lower-case name) under its canonical name; a second field of the same
    /// canonical name, however spelt, is refused.
    fn push(&mut self, name: &str, value: String) -> Result<(), ApiError> {
        let canon = canonical_name(name);
        if self.fields.iter().any(|(k, _)| *k == canon) {
            return Err(ApiError::new(
                Code::InvalidArgument,
                format!("The form has the field `{canon}` more than once (the second time as `{name}`); each field may appear once, under one of its names."),
            ));
        }
        self.fields.push((canon, value));
        Ok(())
    }

    /// The field named `name` (lower-case, any of its spellings).
    pub fn get(&self, name: &str) -> Option<String> {
        let canon = canonical_name(name);
        self.fields
            .iter()
            .find(|(k, _)| *k == canon)
            .map(|(_, v)| v.clone())
    }

    /// A field as the policy conditions see it: `bucket` is the target bucket, `key` the final
    /// key, and `q-sign-time` the form's `q-key-time` (the COS demo's policies name it so).
    pub fn lookup(&self, name: &str, bucket: &str, key: &str) -> Option<String> {
        match name {
            "bucket" => Some(bucket.to_string()),
            "key" => Some(key.to_string()),
            "q-sign-time" => self.get(name).or_else(|| self.get("q-key-time")),
            _ => self.get(name),
        }
    }

    /// The fields a PUT would have sent as headers: `Content-Type`, `Cache-Control`,
    /// `Content-Disposition`, `Content-Encoding`, `Expires` and `x-cos-*` (which `x-amz-*` and
    /// `acl` were folded into).
    pub fn as_headers(&self) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in &self.fields {
            if PLUMBING.contains(&k.as_str()) || k.starts_with("q-") {
                continue;
            }
            let header = k.starts_with("x-cos-")
                || matches!(
                    k.as_str(),
                    "content-type"
                        | "cache-control"
                        | "content-disposition"
                        | "content-encoding"
                        | "expires"
                );
            if !header {
                continue;
            }
            if let (Ok(n), Ok(v)) = (
                HeaderName::from_bytes(k.as_bytes()),
                HeaderValue::from_str(v),
            ) {
                h.insert(n, v);
            }
        }
        h
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> Form {
        let mut f = Form::default();
        for (k, v) in pairs {
            f.push(k, v.to_string()).unwrap();
        }
        f
    }

    #[test]
    fn aliased_fields_fold_to_one_name() {
        for (name, canon) in [
            ("acl", "x-cos-acl"),
            ("x-amz-acl", "x-cos-acl"),
            ("x-cos-acl", "x-cos-acl"),
            ("x-amz-grant-read", "x-cos-grant-read"),
            ("x-amz-meta-a", "x-cos-meta-a"),
            ("x-amz-storage-class", "x-cos-storage-class"),
            ("x-amz-security-token", "x-cos-security-token"),
            ("x-amz-credential", "x-amz-credential"),
            ("x-amz-signature", "x-amz-signature"),
            ("content-type", "content-type"),
            ("key", "key"),
        ] {
            assert_eq!(canonical_name(name), canon, "{name}");
        }
    }

    #[test]
    fn a_field_twice_under_any_spelling_is_refused() {
        for (a, b) in [
            ("acl", "x-cos-acl"),
            ("x-amz-acl", "x-cos-acl"),
            ("x-amz-grant-read", "x-cos-grant-read"),
            ("x-amz-meta-a", "x-cos-meta-a"),
            ("x-amz-storage-class", "x-cos-storage-class"),
            ("key", "key"),
        ] {
            let mut f = Form::default();
            f.push(a, "1".into()).unwrap();
            let e = f.push(b, "2".into()).unwrap_err();
            assert_eq!(e.code, Code::InvalidArgument, "{a} then {b}");
        }
    }

    #[test]
    fn fields_become_put_headers() {
        let f = form(&[
            ("key", "a"),
            ("content-type", "text/plain"),
            ("x-cos-meta-a", "1"),
            ("x-amz-meta-b", "2"),
            ("acl", "public-read"),
            ("policy", "xx"),
            ("q-ak", "AKID"),
            ("x-amz-credential", "c"),
            ("tagging", "<x/>"),
        ]);
        let h = f.as_headers();
        assert_eq!(h["content-type"], "text/plain");
        assert_eq!(h["x-cos-meta-a"], "1");
        assert_eq!(h["x-cos-meta-b"], "2");
        assert_eq!(h["x-cos-acl"], "public-read");
        assert_eq!(h.len(), 4);
    }

    #[test]
    fn lookup_names_the_target() {
        let f = form(&[("q-key-time", "1;2"), ("bucket", "forged")]);
        assert_eq!(f.lookup("bucket", "b-1", "k").as_deref(), Some("b-1"));
        assert_eq!(f.lookup("key", "b-1", "k").as_deref(), Some("k"));
        assert_eq!(f.lookup("q-sign-time", "b", "k").as_deref(), Some("1;2"));
        let f = form(&[("acl", "public-read"), ("x-amz-meta-a", "1")]);
        assert_eq!(
            f.lookup("x-cos-acl", "b", "k").as_deref(),
            Some("public-read")
        );
        assert_eq!(
            f.lookup("x-amz-acl", "b", "k").as_deref(),
            Some("public-read")
        );
        assert_eq!(f.lookup("x-cos-meta-a", "b", "k").as_deref(), Some("1"));
    }

    #[tokio::test]
    async fn reads_fields_then_stops_at_the_file() {
        let body = "--X\r\nContent-Disposition: form-data; name=\"Key\"\r\n\r\nup/${filename}\r\n--X\r\nContent-Disposition: form-data; name=\"file\"; filename=\"C:\\\\dir\\\\a.txt\"\r\nContent-Type: text/plain\r\n\r\nhello\r\n--X\r\nContent-Disposition: form-data; name=\"after\"\r\n\r\nignored\r\n--X--\r\n";
        let (f, file) = read(Body::from(body), "X".into()).await.unwrap();
        assert_eq!(f.get("key").as_deref(), Some("up/${filename}"));
        assert_eq!(file.file_name.as_deref(), Some("a.txt"));
        let no_file = "--X\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\nk\r\n--X--\r\n";
        assert!(read(Body::from(no_file), "X".into()).await.is_err());
    }
}
