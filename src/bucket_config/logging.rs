//! Bucket access logging (`?logging`, `BucketLoggingStatus{LoggingEnabled{TargetBucket,
//! TargetPrefix}}`, spec/03-xml-api.md §4.15), and the log line COS writes for each request
//! (seed 002:9427-9447; the field order of COS's "Logging Overview", log version 1.0).
//! Pure: the pipeline gathers the lines, a background task delivers them (docs/access-logs.md).

use crate::xml::{parse_rooted, XmlWriter};
use serde::{Deserialize, Serialize};

/// Where a bucket's access logs go.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct LoggingConfig {
    pub target_bucket: String,
    /// Prepended to every log object's key (`logs/` -> `logs/2026/12/08/...`).
    #[serde(default)]
    pub target_prefix: String,
}

#[derive(Deserialize)]
struct XmlEnabled {
    #[serde(rename = "TargetBucket", default)]
    target_bucket: Option<String>,
    #[serde(rename = "TargetPrefix", default)]
    target_prefix: Option<String>,
}

#[derive(Deserialize)]
struct XmlStatus {
    #[serde(rename = "LoggingEnabled", default)]
    enabled: Option<XmlEnabled>,
}

/// Parses a PUT `?logging` body: Some(config), or None for `<BucketLoggingStatus/>` (logging
/// off). Errors are MalformedXML messages.
pub fn parse(body: &[u8]) -> Result<Option<LoggingConfig>, String> {
    let d: XmlStatus = parse_rooted(body, "BucketLoggingStatus").map_err(|e| e.0)?;
    let Some(e) = d.enabled else {
        return Ok(None);
    };
    let target_bucket = e
        .target_bucket
        .map(|b| b.trim().to_string())
        .filter(|b| !b.is_empty())
        .ok_or("LoggingEnabled needs a TargetBucket")?;
    let target_prefix = e.target_prefix.unwrap_or_default();
    if target_prefix.len() > 512 {
        return Err("TargetPrefix is longer than 512 bytes".into());
    }
    Ok(Some(LoggingConfig {
        target_bucket,
        target_prefix,
    }))
}

/// The GET `?logging` body (an empty status when logging is off).
pub fn render(c: Option<&LoggingConfig>) -> String {
    let mut w = XmlWriter::new();
    w.open("BucketLoggingStatus");
    if let Some(c) = c {
        w.open("LoggingEnabled")
            .elem("TargetBucket", &c.target_bucket)
            .elem("TargetPrefix", &c.target_prefix)
            .close("LoggingEnabled");
    }
    w.close("BucketLoggingStatus");
    w.finish()
}

/// What one log line says about a request.
#[derive(Debug, Clone, Default)]
pub struct LogRecord<'a> {
    pub bucket: &'a str,
    pub region: &'a str,
    /// Milliseconds since the epoch when the answer was ready.
    pub time_ms: i64,
    pub host: &'a str,
    /// The API name (`PutObject`, `GetBucket`...).
    pub operation: &'a str,
    pub remote_ip: &'a str,
    pub secret_id: Option<&'a str>,
    pub bytes_in: u64,
    pub path: &'a str,
    pub method: &'a str,
    pub user_agent: Option<&'a str>,
    pub status: u16,
    pub error_code: Option<&'a str>,
    pub bytes_out: u64,
    pub total_ms: u64,
    pub owner_uin: &'a str,
    /// `<root uin>:<uin>`, None for anonymous requests.
    pub requester: Option<String>,
    pub request_id: &'a str,
    pub referer: Option<&'a str>,
    pub request_uri: &'a str,
}

/// A field as the space-separated line carries it: `-` for nothing, and percent-encoded so
/// that no field holds a space, a control character or a non-ASCII byte.
fn field(v: Option<&str>) -> String {
    use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};
    const SEP: &AsciiSet = &CONTROLS.add(b' ').add(b'%').add(b'"');
    match v {
        None | Some("") => "-".into(),
        Some(s) => utf8_percent_encode(s, SEP).to_string(),
    }
}

/// A field that is already percent-encoded as sent (the request URI): only what would break
/// the line is encoded.
fn raw_field(v: &str) -> String {
    use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};
    const SEP: &AsciiSet = &CONTROLS.add(b' ').add(b'"');
    match v {
        "" => "-".into(),
        s => utf8_percent_encode(s, SEP).to_string(),
    }
}

/// The record as one log line (no newline), COS's fields in COS's order: eventVersion,
/// bucketName, qcsRegion, eventTime, eventSource, eventName, remoteIp, userSecretKeyId,
/// reservedField, reqBytesSent, deltaDataSize, reqPath, reqMethod, userAgent, resHttpCode,
/// resErrorCode, resErrorMsg, resBytesSent, resTotalTime, logSourceType, storageClass,
/// accountId, resTurnAroundTime, requester, requestId, objectSize, versionId,
/// targetStorageClass, referer, requestUri. What cosd does not know is `-`.
pub fn line(r: &LogRecord<'_>) -> String {
    let time = crate::xml::iso8601(r.time_ms);
    // COS writes whole seconds: 2018-12-01T11:02:33Z.
    let time = match time.split_once('.') {
        Some((secs, _)) => format!("{secs}Z"),
        None => time,
    };
    let n = |v: u64| v.to_string();
    let fields: [String; 30] = [
        "1.0".into(),
        field(Some(r.bucket)),
        field(Some(r.region)),
        time,
        field(Some(r.host)),
        field(Some(r.operation)),
        field(Some(r.remote_ip)),
        field(r.secret_id),
        "-".into(),
        n(r.bytes_in),
        "-".into(),
        field(Some(r.path)),
        r.method.to_ascii_lowercase(),
        field(r.user_agent),
        r.status.to_string(),
        field(r.error_code),
        "-".into(),
        n(r.bytes_out),
        n(r.total_ms),
        "USER".into(),
        "-".into(),
        field(Some(r.owner_uin)),
        n(r.total_ms),
        field(r.requester.as_deref()),
        field(Some(r.request_id)),
        "-".into(),
        "-".into(),
        "-".into(),
        field(r.referer),
        raw_field(r.request_uri),
    ];
    fields.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logging_status_parses_and_renders() {
        let on = br#"<BucketLoggingStatus><LoggingEnabled><TargetBucket>logs-1250000000</TargetBucket><TargetPrefix>app/</TargetPrefix></LoggingEnabled></BucketLoggingStatus>"#;
        let c = parse(on).unwrap().unwrap();
        assert_eq!(c.target_bucket, "logs-1250000000");
        assert_eq!(c.target_prefix, "app/");
        assert_eq!(parse(render(Some(&c)).as_bytes()).unwrap(), Some(c));
        assert_eq!(parse(b"<BucketLoggingStatus/>").unwrap(), None);
        assert_eq!(
            parse(b"<BucketLoggingStatus></BucketLoggingStatus>").unwrap(),
            None
        );
        assert!(render(None).contains("<BucketLoggingStatus"));
        assert!(!render(None).contains("LoggingEnabled"));
        for bad in [
            &b"<BucketLoggingStatus><LoggingEnabled><TargetPrefix>x</TargetPrefix></LoggingEnabled></BucketLoggingStatus>"[..],
            b"<LoggingStatus/>",
            b"not xml",
        ] {
            assert!(parse(bad).is_err(), "{}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn a_log_line_has_coss_thirty_fields_in_order() {
        let r = LogRecord {
            bucket: "examplebucket-1250000000",
            region: "ap-guangzhou",
            time_ms: 1_543_662_153_500,
            host: "examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com",
            operation: "PutObject",
            remote_ip: "192.168.0.1",
            secret_id: Some("AKIDexample"),
            bytes_in: 808,
            path: "/folder/a b.txt",
            method: "PUT",
            user_agent: Some("cos-python-sdk-v5.1.9.30 (Linux)"),
            status: 404,
            error_code: Some("NoSuchKey"),
            bytes_out: 197,
            total_ms: 12,
            owner_uin: "100000000001",
            requester: Some("100000000001:100000000002".into()),
            request_id: "NjU0",
            referer: None,
            request_uri: "/folder/a%20b.txt?acl",
        };
        let l = line(&r);
        let f: Vec<&str> = l.split(' ').collect();
        assert_eq!(f.len(), 30, "{l}");
        assert_eq!(f[0], "1.0");
        assert_eq!(f[1], "examplebucket-1250000000");
        assert_eq!(f[3], "2018-12-01T11:02:33Z");
        assert_eq!(f[5], "PutObject");
        assert_eq!(f[7], "AKIDexample");
        assert_eq!(f[11], "/folder/a%20b.txt");
        assert_eq!(f[12], "put");
        assert_eq!(f[13], "cos-python-sdk-v5.1.9.30%20(Linux)");
        assert_eq!(f[14], "404");
        assert_eq!(f[15], "NoSuchKey");
        assert_eq!(f[19], "USER");
        assert_eq!(f[23], "100000000001:100000000002");
        assert_eq!(f[28], "-");
        assert_eq!(f[29], "/folder/a%20b.txt?acl");
        let anon = line(&LogRecord {
            requester: None,
            secret_id: None,
            ..r
        });
        let f: Vec<&str> = anon.split(' ').collect();
        assert_eq!((f[7], f[23]), ("-", "-"));
    }
}
