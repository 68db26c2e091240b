//! Reading the form: every field before `file` (bounded), then the file part left unread for
//! streaming. Field names compare case-insensitively (browsers keep the page's spelling).

use crate::http::error::{ApiError, Code};
use axum::body::Body;
use http::{HeaderMap, HeaderName, HeaderValue};

/// All non-file fields together may not exceed this (S3 allows 20 KB of policy; metadata
/// fields add to it).
const MAX_FIELDS: usize = 64 * 1024;

/// The fields before the file.
#[derive(Debug, Default)]
pub struct Form {
    /// (lower-case name, value), in form order.
    fields: Vec<(String, String)>,
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
        form.fields.push((name, value));
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
    /// The first field named `name` (lower-case).
    pub fn get(&self, name: &str) -> Option<String> {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
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
    /// `Content-Disposition`, `Content-Encoding`, `Expires`, `x-cos-*` (and `x-amz-*` under
    /// their `x-cos-` names), `acl` as `x-cos-acl`.
    pub fn as_headers(&self) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in &self.fields {
            if PLUMBING.contains(&k.as_str()) || k.starts_with("q-") {
                continue;
            }
            let name = if k == "acl" {
                "x-cos-acl".to_string()
            } else if let Some(rest) = k.strip_prefix("x-amz-") {
                format!("x-cos-{rest}")
            } else if k.starts_with("x-cos-")
                || matches!(
                    k.as_str(),
                    "content-type"
                        | "cache-control"
                        | "content-disposition"
                        | "content-encoding"
                        | "expires"
                )
            {
                k.clone()
            } else {
                continue;
            };
            if let (Ok(n), Ok(v)) = (
                HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_str(v),
            ) {
                if !h.contains_key(&n) {
                    h.insert(n, v);
                }
            }
        }
        h
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> Form {
        Form {
            fields: pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
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
