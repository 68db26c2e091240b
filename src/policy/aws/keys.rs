//! AWS condition keys: the names an AWS policy may use, the cosd key each one reads (keys cosd
//! already extracts for CAM keep their CAM names: `aws:SourceIp` is `qcs:ip`), and the
//! extraction of the keys only AWS policies have (`aws:CurrentTime`, `s3:prefix`,
//! `s3:x-amz-acl`, ...). Pure: `policy::keys::extract` calls [`extract`] with the request.

use super::super::keys::{KeySource, Keys};
use crate::auth::Identity;

/// (AWS key, lower-cased, the cosd key it reads). AWS key names compare case-insensitively.
const NAMES: &[(&str, &str)] = &[
    ("aws:sourceip", "qcs:ip"),
    ("aws:securetransport", "cos:secure-transport"),
    ("aws:currenttime", "aws:CurrentTime"),
    ("aws:epochtime", "aws:EpochTime"),
    ("aws:username", "aws:username"),
    ("aws:userid", "aws:userid"),
    ("aws:principalaccount", "aws:PrincipalAccount"),
    ("aws:principaltype", "aws:PrincipalType"),
    ("aws:referer", "aws:Referer"),
    ("aws:useragent", "aws:UserAgent"),
    ("s3:prefix", "s3:prefix"),
    ("s3:delimiter", "s3:delimiter"),
    ("s3:max-keys", "s3:max-keys"),
    ("s3:versionid", "cos:versionid"),
    ("s3:tlsversion", "cos:tls-version"),
    ("s3:signatureversion", "s3:signatureversion"),
    ("s3:authtype", "s3:authType"),
    ("s3:x-amz-acl", "s3:x-amz-acl"),
    (
        "s3:x-amz-server-side-encryption",
        "s3:x-amz-server-side-encryption",
    ),
    (
        "s3:x-amz-server-side-encryption-aws-kms-key-id",
        "s3:x-amz-server-side-encryption-aws-kms-key-id",
    ),
    (
        "s3:x-amz-server-side-encryption-customer-algorithm",
        "s3:x-amz-server-side-encryption-customer-algorithm",
    ),
    ("s3:x-amz-storage-class", "s3:x-amz-storage-class"),
    ("s3:x-amz-grant-read", "s3:x-amz-grant-read"),
    ("s3:x-amz-grant-write", "s3:x-amz-grant-write"),
    ("s3:x-amz-grant-read-acp", "s3:x-amz-grant-read-acp"),
    ("s3:x-amz-grant-write-acp", "s3:x-amz-grant-write-acp"),
    ("s3:x-amz-grant-full-control", "s3:x-amz-grant-full-control"),
    ("s3:x-amz-copy-source", "s3:x-amz-copy-source"),
    ("s3:x-amz-metadata-directive", "s3:x-amz-metadata-directive"),
    ("s3:x-amz-content-sha256", "s3:x-amz-content-sha256"),
    ("s3:requestobjecttagkeys", "s3:RequestObjectTagKeys"),
];

const EXISTING_TAG: &str = "s3:ExistingObjectTag/";
const REQUEST_TAG: &str = "s3:RequestObjectTag/";

/// The cosd key an AWS condition key reads, or `None` when cosd cannot evaluate it.
pub fn internal_name(aws: &str) -> Option<String> {
    let lower = aws.to_ascii_lowercase();
    if let Some((_, k)) = NAMES.iter().find(|(n, _)| *n == lower) {
        return Some((*k).to_string());
    }
    // The tag key after the slash keeps its case; it must be non-empty.
    for prefix in [EXISTING_TAG, REQUEST_TAG] {
        if lower.starts_with(&prefix.to_ascii_lowercase()) && aws.len() > prefix.len() {
            return Some(format!("{prefix}{}", &aws[prefix.len()..]));
        }
    }
    None
}

/// The AWS keys cosd evaluates, for error messages and the documentation test.
pub fn supported() -> impl Iterator<Item = &'static str> {
    NAMES.iter().map(|(n, _)| *n)
}

fn header<'h>(src: &'h KeySource<'_>, name: &str) -> Option<&'h str> {
    src.headers
        .get(name)
        .and_then(|v| std::str::from_utf8(v.as_bytes()).ok())
}

fn query<'q>(src: &'q KeySource<'_>, name: &str) -> Option<&'q str> {
    src.query
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// How the request was signed: (`s3:signatureversion`, `s3:authType`). A request that
/// reached authorization was verified, so its signature's form tells the scheme.
fn signature(src: &KeySource<'_>) -> Option<(&'static str, &'static str)> {
    if src.action.ends_with(":PostObject") {
        return Some(("", "POST"));
    }
    if let Some(auth) = header(src, "authorization") {
        let auth = auth.trim_start();
        return Some(if auth.starts_with("AWS4-HMAC-SHA256") {
            ("AWS4-HMAC-SHA256", "REST-HEADER")
        } else if auth.starts_with("AWS ") {
            ("AWS", "REST-HEADER")
        } else {
            ("q-sign-sha1", "REST-HEADER")
        });
    }
    if query(src, "X-Amz-Algorithm").is_some() {
        return Some(("AWS4-HMAC-SHA256", "REST-QUERY-STRING"));
    }
    if query(src, "AWSAccessKeyId").is_some() {
        return Some(("AWS", "REST-QUERY-STRING"));
    }
    if query(src, "q-sign-algorithm").is_some() {
        return Some(("q-sign-sha1", "REST-QUERY-STRING"));
    }
    None
}

/// Adds the keys only AWS policies read.
pub fn extract(src: &KeySource<'_>, keys: &mut Keys) {
    let mut put = |k: &str, v: String| {
        keys.insert(k.to_string(), vec![v]);
    };
    let action = src.action.strip_prefix("name/cos:").unwrap_or(src.action);
    if let Ok(now) = time::OffsetDateTime::from_unix_timestamp(src.now_secs) {
        if let Ok(text) = now.format(&time::format_description::well_known::Rfc3339) {
            put("aws:CurrentTime", text);
        }
    }
    put("aws:EpochTime", src.now_secs.to_string());
    match src.identity {
        Identity::Account { uin, root_uin, .. } => {
            put("aws:userid", uin.clone());
            put("aws:PrincipalAccount", root_uin.clone());
            if uin == root_uin {
                put("aws:PrincipalType", "Account".into());
            } else {
                put("aws:PrincipalType", "User".into());
                put("aws:username", uin.clone());
            }
        }
        Identity::Anonymous => {
            put("aws:userid", "anonymous".into());
            put("aws:PrincipalType", "Anonymous".into());
        }
    }
    if let Some(v) = header(src, "referer") {
        put("aws:Referer", v.to_string());
    }
    if let Some(v) = header(src, "user-agent") {
        put("aws:UserAgent", v.to_string());
    }
    if let Some((version, auth_type)) = signature(src) {
        if !version.is_empty() && !matches!(src.identity, Identity::Anonymous) {
            put("s3:signatureversion", version.into());
        }
        if !matches!(src.identity, Identity::Anonymous) || auth_type == "POST" {
            put("s3:authType", auth_type.into());
        }
    }
    // The listing parameters, decoded (S3 compares them as sent, unlike COS's `cos:prefix`).
    if matches!(
        action,
        "GetBucket" | "GetBucketObjectVersions" | "ListMultipartUploads"
    ) {
        for (param, key) in [
            ("prefix", "s3:prefix"),
            ("delimiter", "s3:delimiter"),
            ("max-keys", "s3:max-keys"),
        ] {
            if let Some(v) = query(src, param) {
                put(key, v.to_string());
            }
        }
        if let Some(v) = query(src, "max-uploads").filter(|_| action == "ListMultipartUploads") {
            put("s3:max-keys", v.to_string());
        }
    }
    // Headers in either spelling: S3 clients send x-amz-*, COS clients x-cos-*.
    for name in [
        "acl",
        "server-side-encryption",
        "server-side-encryption-aws-kms-key-id",
        "server-side-encryption-customer-algorithm",
        "storage-class",
        "grant-read",
        "grant-write",
        "grant-read-acp",
        "grant-write-acp",
        "grant-full-control",
        "copy-source",
        "metadata-directive",
        "content-sha256",
    ] {
        let v =
            header(src, &format!("x-amz-{name}")).or_else(|| header(src, &format!("x-cos-{name}")));
        if let Some(v) = v {
            put(&format!("s3:x-amz-{name}"), v.to_string());
        }
    }
    // Tags a write asks to set (`x-amz-tagging`, URL-query encoded; for PUT Object tagging,
    // the body's, which the pipeline puts in `x-cos-tagging` before authorizing).
    if matches!(
        action,
        "PutObject"
            | "InitiateMultipartUpload"
            | "PostObject"
            | "AppendObject"
            | "PutObjectTagging"
    ) {
        // A copy sets tags only when its tagging directive replaces the source's.
        let copy_keeps_tags = header(src, "x-cos-copy-source")
            .or_else(|| header(src, "x-amz-copy-source"))
            .is_some()
            && !header(src, "x-amz-tagging-directive")
                .or_else(|| header(src, "x-cos-tagging-directive"))
                .is_some_and(|d| {
                    let d = d.trim();
                    d.eq_ignore_ascii_case("replace") || d.eq_ignore_ascii_case("replaced")
                });
        let tagging = if action == "PutObjectTagging" {
            header(src, "x-cos-tagging")
        } else if copy_keeps_tags {
            None
        } else {
            header(src, "x-amz-tagging").or_else(|| header(src, "x-cos-tagging"))
        };
        if let Some(tagging) = tagging {
            let mut tag_keys = Vec::new();
            for (k, v) in crate::types::tags::parse_header(tagging) {
                keys.insert(format!("{REQUEST_TAG}{k}"), vec![v]);
                tag_keys.push(k);
            }
            keys.insert("s3:RequestObjectTagKeys".into(), tag_keys);
        }
    }
    // The tags of the object acted on, for the operations that read it before authorizing.
    for (k, v) in src.object_tags {
        keys.insert(format!("{EXISTING_TAG}{k}"), vec![v.clone()]);
    }
}

#[cfg(test)]
mod tag_tests {
    use super::*;
    use http::{HeaderMap, HeaderValue};

    fn keys(
        action: &str,
        headers: &[(&'static str, &'static str)],
        object: &[(&str, &str)],
    ) -> Keys {
        let mut h = HeaderMap::new();
        for (k, v) in headers {
            h.insert(*k, HeaderValue::from_static(v));
        }
        let object: Vec<(String, String)> = object
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let mut out = Keys::new();
        extract(
            &KeySource {
                action,
                headers: &h,
                query: &[],
                client_ip: None,
                tls_version: None,
                now_secs: 0,
                resource_tags: &[],
                object_tags: &object,
                identity: &Identity::Anonymous,
            },
            &mut out,
        );
        out
    }

    fn tag(k: &Keys, name: &str) -> Option<String> {
        k.get(name).map(|v| v.join(","))
    }

    #[test]
    fn request_tags_come_from_what_the_request_sets() {
        let put = keys("name/cos:PutObject", &[("x-amz-tagging", "a=1&b=2")], &[]);
        assert_eq!(tag(&put, "s3:RequestObjectTag/a").as_deref(), Some("1"));
        assert_eq!(tag(&put, "s3:RequestObjectTagKeys").as_deref(), Some("a,b"));
        // PUT ?tagging: the pipeline put the body's tags in x-cos-tagging.
        let retag = keys(
            "name/cos:PutObjectTagging",
            &[("x-amz-tagging", "a=header"), ("x-cos-tagging", "a=body")],
            &[],
        );
        assert_eq!(
            tag(&retag, "s3:RequestObjectTag/a").as_deref(),
            Some("body")
        );
        for (directive, sets) in [
            (None, false),
            (Some("COPY"), false),
            (Some("REPLACE"), true),
            (Some("Replaced"), true),
        ] {
            let mut h = vec![("x-amz-copy-source", "b/k"), ("x-amz-tagging", "a=1")];
            if let Some(d) = directive {
                h.push(("x-amz-tagging-directive", d));
            }
            let copy = keys("name/cos:PutObject", &h, &[]);
            assert_eq!(
                tag(&copy, "s3:RequestObjectTag/a").is_some(),
                sets,
                "{directive:?}"
            );
        }
        let read = keys("name/cos:GetObject", &[("x-amz-tagging", "a=1")], &[]);
        assert_eq!(tag(&read, "s3:RequestObjectTag/a"), None, "writes only");
    }

    #[test]
    fn existing_tags_are_the_object_s() {
        let k = keys("name/cos:GetObject", &[], &[("Class", "public"), ("x", "")]);
        assert_eq!(
            tag(&k, "s3:ExistingObjectTag/Class").as_deref(),
            Some("public")
        );
        assert_eq!(tag(&k, "s3:ExistingObjectTag/x").as_deref(), Some(""));
        assert_eq!(
            tag(&k, "s3:ExistingObjectTag/class"),
            None,
            "tag keys keep their case"
        );
        assert!(keys("name/cos:GetObject", &[], &[])
            .keys()
            .all(|k| !k.contains("ExistingObjectTag")));
    }
}
