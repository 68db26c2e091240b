//! The condition keys of one request (seed 002:2240-3704; spec 00 §7), extracted once into the
//! map the evaluator reads. Pure: headers, query, client address and time are inputs.

use crate::auth::encode::cos_encode;
use http::HeaderMap;
use ipnet::IpNet;
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};

pub type Keys = HashMap<String, Vec<String>>;

/// What the keys are taken from.
pub struct KeySource<'a> {
    /// The CAM action being checked (`name/cos:<Action>`): some keys exist only for some actions.
    pub action: &'a str,
    pub headers: &'a HeaderMap,
    /// Decoded query parameters.
    pub query: &'a [(String, String)],
    pub client_ip: Option<IpAddr>,
    /// The request came over TLS, with this protocol version (e.g. "1.2").
    pub tls_version: Option<&'a str>,
    pub now_secs: i64,
    /// Tags of the bucket acted on (`qcs:resource_tag`).
    pub resource_tags: &'a [(String, String)],
    /// Tags of the object (version) acted on, when the pipeline read it before authorizing
    /// (`s3:ExistingObjectTag/<key>`).
    pub object_tags: &'a [(String, String)],
    /// Who asks (`aws:userid`, `aws:username`, ...).
    pub identity: &'a crate::auth::Identity,
}

/// The client address for `qcs:ip`: the TCP peer, or, when the peer is a trusted proxy, the
/// left-most address of `X-Forwarded-For` that is not itself a trusted proxy.
pub fn client_ip(
    peer: Option<SocketAddr>,
    forwarded_for: Option<&str>,
    trusted: &[IpNet],
) -> Option<IpAddr> {
    let peer = peer?.ip();
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|n| n.contains(ip));
    if !is_trusted(&peer) {
        return Some(peer);
    }
    let hops: Vec<IpAddr> = forwarded_for
        .unwrap_or("")
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    // Walk from the nearest hop back while the hops are our own proxies.
    Some(
        hops.iter()
            .rev()
            .find(|ip| !is_trusted(ip))
            .copied()
            .unwrap_or(peer),
    )
}

fn header<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get(name)
        .and_then(|v| std::str::from_utf8(v.as_bytes()).ok())
}

fn query<'q>(q: &'q [(String, String)], name: &str) -> Option<&'q str> {
    q.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// Whole days left until `retain_until` (RFC 3339), rounded down as 002:3464-3528 defines.
fn remaining_days(retain_until: &str, now_secs: i64) -> Option<i64> {
    let until = time::OffsetDateTime::parse(
        retain_until.trim(),
        &time::format_description::well_known::Rfc3339,
    )
    .ok()?;
    Some((until.unix_timestamp() - now_secs).div_euclid(86_400))
}

/// `Host` lower-cased and without its port (`[v6]:port` keeps the brackets).
fn host_name(host: &str) -> String {
    let host = host.trim().to_ascii_lowercase();
    match host.rsplit_once(':') {
        Some((name, port))
            if port.bytes().all(|b| b.is_ascii_digit())
                && (name.ends_with(']') || !name.contains(':')) =>
        {
            name.to_string()
        }
        _ => host,
    }
}

/// Extracts every condition key present in the request.
pub fn extract(src: &KeySource<'_>) -> Keys {
    let mut keys = Keys::new();
    let mut put = |k: &str, v: String| keys.insert(k.to_string(), vec![v]);
    let action = src.action.strip_prefix("name/cos:").unwrap_or(src.action);
    let h = |n| header(src.headers, n);
    if let Some(ip) = src.client_ip {
        put("qcs:ip", ip.to_string());
    }
    put(
        "cos:secure-transport",
        src.tls_version.is_some().to_string(),
    );
    if let Some(v) = src.tls_version {
        put("cos:tls-version", v.to_string());
    }
    // Host names compare case-insensitively and without the port (002:3309-3415).
    if let Some(host) = h("host") {
        put("cos:host", host_name(host));
    }
    // Simple uploads only (002:6257): the decoded length of an aws-chunked body counts.
    if matches!(action, "PutObject" | "PostObject" | "AppendObject") {
        if let Some(len) = h("x-amz-decoded-content-length").or_else(|| h("content-length")) {
            put("cos:content-length", len.trim().to_string());
        }
    }
    if let Some(ct) = h("content-type") {
        put("cos:content-type", ct.to_string());
    }
    // The seeds compare these still URL-encoded (`image%2Fjpeg`, `folder1%2F`).
    if let Some(v) = query(src.query, "response-content-type") {
        put("cos:response-content-type", cos_encode(v));
    }
    if action == "GetBucket" {
        if let Some(v) = query(src.query, "prefix") {
            put("cos:prefix", cos_encode(v));
        }
    }
    // An empty versionId means the latest version, the same as none (002:2288-2515).
    if let Some(v) = query(src.query, "versionId").filter(|v| !v.is_empty()) {
        put("cos:versionid", v.to_string());
    }
    for name in [
        "x-cos-acl",
        "x-cos-storage-class",
        "x-cos-forbid-overwrite",
        "x-cos-grant-full-control",
        "x-cos-grant-read",
        "x-cos-grant-write",
        "x-cos-grant-read-acp",
        "x-cos-grant-write-acp",
    ] {
        // Present but empty is a value of its own (002:3569-3704).
        if let Some(v) = h(name) {
            put(&format!("cos:{name}"), v.to_string());
        }
    }
    if let Some(mode) = h("x-cos-object-lock-mode") {
        put("cos:object-lock-mode", mode.to_string());
    }
    if let Some(until) = h("x-cos-object-lock-retain-until-date") {
        put("cos:object-lock-retain-until-date", until.to_string());
        if let Some(days) = remaining_days(until, src.now_secs) {
            put("cos:object-lock-remaining-retention-days", days.to_string());
            put(
                "cos:x-cos-object-lock-remaining-retention-days",
                days.to_string(),
            );
        }
    }
    // The bucket's tags; for GET Service, the tag it filters by (`?tagkey=&tagvalue=`,
    // 002:2147-2230).
    let mut resource_tags = crate::types::tags::as_condition_values(src.resource_tags);
    if action == "GetService" {
        if let Some(k) = query(src.query, "tagkey").filter(|k| !k.is_empty()) {
            let v = query(src.query, "tagvalue").unwrap_or("");
            resource_tags.push(format!("{k}&{v}"));
        }
    }
    if !resource_tags.is_empty() {
        keys.insert("qcs:resource_tag".into(), resource_tags);
    }
    // The tags PUT Bucket (`x-cos-tagging`) or PUT Bucket tagging (its body, which the
    // pipeline puts in `x-cos-tagging` before authorizing) sets; only these two actions
    // (002:3158).
    if matches!(action, "PutBucket" | "PutBucketTagging") {
        if let Some(tagging) = h("x-cos-tagging") {
            let tags = crate::types::tags::parse_header(tagging);
            keys.insert(
                "qcs:request_tag".into(),
                crate::types::tags::as_condition_values(&tags),
            );
        }
    }
    super::aws::keys::extract(src, &mut keys);
    keys
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn source<'a>(
        action: &'a str,
        headers: &'a HeaderMap,
        query: &'a [(String, String)],
    ) -> KeySource<'a> {
        KeySource {
            action,
            headers,
            query,
            client_ip: Some("127.0.0.1".parse().unwrap()),
            tls_version: None,
            now_secs: 1_700_000_000,
            resource_tags: &[],
            object_tags: &[],
            identity: &crate::auth::Identity::Anonymous,
        }
    }

    fn one<'k>(keys: &'k Keys, k: &str) -> Option<&'k str> {
        keys.get(k).map(|v| v[0].as_str())
    }

    #[test]
    fn keys_are_extracted_as_the_seeds_describe() {
        let mut h = HeaderMap::new();
        h.insert(
            "host",
            HeaderValue::from_static("B-1.cos.ap-guangzhou.myqcloud.com:8080"),
        );
        h.insert("content-length", HeaderValue::from_static("10"));
        h.insert("content-type", HeaderValue::from_static("image/jpeg"));
        h.insert("x-cos-acl", HeaderValue::from_static("public-read"));
        h.insert("x-cos-grant-read", HeaderValue::from_static(""));
        h.insert(
            "x-cos-object-lock-retain-until-date",
            HeaderValue::from_static("2023-11-24T22:13:19Z"),
        );
        let q = vec![
            (
                "response-content-type".to_string(),
                "image/jpeg".to_string(),
            ),
            ("versionId".to_string(), String::new()),
        ];
        let k = extract(&source("name/cos:PutObject", &h, &q));
        assert_eq!(one(&k, "qcs:ip"), Some("127.0.0.1"));
        assert_eq!(one(&k, "cos:secure-transport"), Some("false"));
        assert_eq!(one(&k, "cos:tls-version"), None);
        assert_eq!(one(&k, "cos:content-length"), Some("10"));
        assert_eq!(one(&k, "cos:content-type"), Some("image/jpeg"));
        assert_eq!(one(&k, "cos:response-content-type"), Some("image%2Fjpeg"));
        assert_eq!(one(&k, "cos:versionid"), None, "empty versionId = latest");
        assert_eq!(one(&k, "cos:x-cos-acl"), Some("public-read"));
        assert_eq!(
            one(&k, "cos:x-cos-grant-read"),
            Some(""),
            "present but empty"
        );
        assert_eq!(one(&k, "cos:x-cos-grant-write"), None);
        // 1_700_000_000 + 10 days - 1 s: 9 whole days remain.
        assert_eq!(
            one(&k, "cos:object-lock-remaining-retention-days"),
            Some("9")
        );
        assert_eq!(
            one(&k, "cos:host"),
            Some("b-1.cos.ap-guangzhou.myqcloud.com")
        );
        let k = extract(&source("name/cos:GetObject", &h, &q));
        assert_eq!(one(&k, "cos:content-length"), None, "simple uploads only");
    }

    #[test]
    fn prefix_and_tags_are_scoped_to_their_actions() {
        let mut h = HeaderMap::new();
        h.insert("x-cos-tagging", HeaderValue::from_static("a=b&c%20d=e"));
        let q = vec![("prefix".to_string(), "folder1/".to_string())];
        let k = extract(&source("name/cos:GetBucket", &h, &q));
        assert_eq!(one(&k, "cos:prefix"), Some("folder1%2F"));
        assert!(!k.contains_key("qcs:request_tag"));
        let k = extract(&source("name/cos:PutBucket", &h, &q));
        assert_eq!(k["qcs:request_tag"], vec!["a&b", "c d&e"]);
        assert!(!k.contains_key("cos:prefix"));
    }

    #[test]
    fn forwarded_for_counts_only_behind_trusted_proxies() {
        let peer: SocketAddr = "10.0.0.5:1234".parse().unwrap();
        let trusted: Vec<IpNet> = vec!["10.0.0.0/24".parse().unwrap()];
        assert_eq!(
            client_ip(Some(peer), Some("1.2.3.4"), &[]),
            Some("10.0.0.5".parse().unwrap())
        );
        assert_eq!(
            client_ip(Some(peer), Some("6.6.6.6, 1.2.3.4, 10.0.0.7"), &trusted),
            Some("1.2.3.4".parse().unwrap())
        );
        assert_eq!(
            client_ip(Some(peer), None, &trusted),
            Some("10.0.0.5".parse().unwrap())
        );
        assert_eq!(client_ip(None, Some("1.2.3.4"), &trusted), None);
    }
}
