//! Which bucket and key a request addresses: virtual-hosted (`<bucket>.<suffix>` in Host) or
//! path-style (`/<bucket>/<key>`). Pure. See shared/spec/02-endpoints-and-addressing.md §3.

use crate::types::BucketName;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Service,
    Bucket(String),
    Object { bucket: String, key: String },
}

impl Target {
    /// The addressed bucket's name, as sent.
    pub fn bucket(&self) -> Option<&str> {
        match self {
            Target::Service => None,
            Target::Bucket(b) | Target::Object { bucket: b, .. } => Some(b),
        }
    }

    /// The addressed key, as sent.
    pub fn key(&self) -> Option<&str> {
        match self {
            Target::Object { key, .. } => Some(key),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Addressed {
    pub target: Target,
    /// The bucket came from the path, so the q-sign path may or may not include it.
    pub path_style: bool,
    /// The region named by the host, if any (`cos.<region>.myqcloud.com`).
    pub region: Option<String>,
}

/// Host without port, lower-cased.
pub fn hostname(host: &str) -> String {
    let h = host.trim().to_ascii_lowercase();
    if h.starts_with('[') {
        return h.split(']').next().map(|s| format!("{s}]")).unwrap_or(h);
    }
    match h.rsplit_once(':') {
        Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name.to_string(),
        _ => h,
    }
}

fn is_cloud_suffix(rest: &str) -> bool {
    rest.ends_with(".myqcloud.com") || rest.ends_with(".tencentcos.cn")
}

fn region_of(rest: &str) -> Option<String> {
    if !is_cloud_suffix(rest) {
        return None;
    }
    let rest = rest
        .strip_prefix("cos.")
        .or_else(|| rest.strip_prefix("cos-internal."))
        .unwrap_or(rest);
    let region = rest.split('.').next()?;
    // The legacy download domain `<bucket>-<appid>.cos<region>.myqcloud.com` (003:135-153;
    // the v4 SDKs build it from the region, `cosap-guangzhou` or `cosgz`).
    let region = match region.strip_prefix("cos") {
        Some(r) if r.contains('-') => r,
        _ => region,
    };
    (region.contains('-') && region != "myqcloud" && region != "tencentcos")
        .then(|| region.to_string())
}

/// The bucket named by a static-website Host: `<bucket>.cos-website.<region>.myqcloud.com`
/// (or `.tencentcos.cn`), or `<bucket>.<d>` for a configured website domain `d` (exactly one
/// label before it). Such hosts only ever get website semantics (docs/website.md).
pub fn website_bucket(host: &str, website_domains: &[String]) -> Option<String> {
    let name = hostname(host);
    let (label, rest) = name.split_once('.')?;
    if label.is_empty() {
        return None;
    }
    let cloud = rest
        .strip_prefix("cos-website.")
        .is_some_and(|r| is_cloud_suffix(&format!(".{r}")) && r.split('.').count() >= 3);
    let configured = website_domains
        .iter()
        .any(|d| !d.is_empty() && rest == d.trim().to_ascii_lowercase());
    (cloud || configured).then(|| label.to_string())
}

/// True when `host` is a static-website endpoint (see [`website_bucket`]).
pub fn is_website_host(host: &str, website_domains: &[String]) -> bool {
    website_bucket(host, website_domains).is_some()
}

/// Whether a key is nothing once merged as a POSIX path (empty and `.` segments dropped, `..`
/// drops the one before): ``, `///////`, `./`, `a/..`. COS merges the request path that way,
/// so such a "key" addresses the bucket itself; both COS SDKs refuse a GetObject of one for
/// that reason ("avoid calling it as GetBucket", cos-nodejs-sdk-v5 `ObjectKeySimplifyCheck`,
/// cos-python-sdk-v5 `path_simplify_check`). cosd does the same (docs/wire-details.md).
pub fn normalises_to_nothing(key: &str) -> bool {
    let mut depth = 0usize;
    for seg in key.split('/') {
        match seg {
            "" | "." => {}
            ".." => depth = depth.saturating_sub(1),
            _ => depth += 1,
        }
    }
    depth == 0
}

/// Resolves `host` and the percent-decoded `path` (starting with `/`).
pub fn resolve(host: &str, path: &str, domains: &[String]) -> Addressed {
    let name = hostname(host);
    if let Some((label, rest)) = name.split_once('.') {
        // On a regional COS endpoint (`cos.<region>.myqcloud.com` and its kin) or a configured
        // base domain, the first label is always the bucket, valid or not (validated later).
        let regional = region_of(rest).is_some()
            && (rest.starts_with("cos.") || rest.starts_with("cos-internal."));
        let configured = domains
            .iter()
            .any(|d| rest == d || rest.ends_with(&format!(".{d}")));
        let other_cloud = is_cloud_suffix(rest) && BucketName::looks_like(label);
        if regional || configured || other_cloud {
            let key = path.strip_prefix('/').unwrap_or(path);
            let target = if normalises_to_nothing(key) {
                Target::Bucket(label.to_string())
            } else {
                Target::Object {
                    bucket: label.to_string(),
                    key: key.to_string(),
                }
            };
            return Addressed {
                target,
                path_style: false,
                region: region_of(rest),
            };
        }
    }
    let region = region_of(&name);
    let trimmed = path.strip_prefix('/').unwrap_or(path);
    if trimmed.is_empty() {
        return Addressed {
            target: Target::Service,
            path_style: true,
            region,
        };
    }
    let (bucket, key) = trimmed.split_once('/').unwrap_or((trimmed, ""));
    let target = if normalises_to_nothing(key) {
        Target::Bucket(bucket.to_string())
    } else {
        Target::Object {
            bucket: bucket.to_string(),
            key: key.to_string(),
        }
    };
    Addressed {
        target,
        path_style: true,
        region,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_that_merge_to_nothing_address_the_bucket() {
        for (key, nothing) in [
            ("", true),
            ("//////", true),
            ("./", true),
            ("/./", true),
            ("a/..", true),
            ("a/../..", true),
            ("..", true),
            ("a", false),
            ("a//b", false),
            ("../a", false),
            ("/lead", false),
        ] {
            assert_eq!(normalises_to_nothing(key), nothing, "{key:?}");
        }
        let b = Target::Bucket("b-1250000000".into());
        assert_eq!(
            resolve("b-1250000000.cos.ap-guangzhou.myqcloud.com", "///////", &[]).target,
            b
        );
        assert_eq!(resolve("127.0.0.1:9000", "/b-1250000000/./", &[]).target, b);
    }

    #[test]
    fn the_legacy_download_host_names_its_region() {
        for (host, region) in [
            (
                "b-1250000000.cosap-guangzhou.myqcloud.com",
                Some("ap-guangzhou"),
            ),
            ("b-1250000000.cosgz.myqcloud.com", None),
            (
                "b-1250000000.cos.ap-beijing.myqcloud.com",
                Some("ap-beijing"),
            ),
            (
                "b-1250000000.cos-internal.ap-beijing.myqcloud.com",
                Some("ap-beijing"),
            ),
            ("b-1250000000.cos.accelerate.myqcloud.com", None),
        ] {
            assert_eq!(resolve(host, "/k", &[]).region.as_deref(), region, "{host}");
        }
    }

    fn obj(b: &str, k: &str) -> Target {
        Target::Object {
            bucket: b.into(),
            key: k.into(),
        }
    }

    #[test]
    fn routing_table() {
        let domains = vec!["localhost".to_string(), "cos.local".to_string()];
        let rows: &[(&str, &str, Target, bool, Option<&str>)] = &[
            // Virtual-hosted on the COS domains (also the Python SDK's IP mode: any IP, this Host).
            (
                "examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com",
                "/dir/a b+c.txt",
                obj("examplebucket-1250000000", "dir/a b+c.txt"),
                false,
                Some("ap-guangzhou"),
            ),
            (
                "examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com",
                "/",
                Target::Bucket("examplebucket-1250000000".into()),
                false,
                Some("ap-guangzhou"),
            ),
            (
                "examplebucket-1250000000.cos.ap-beijing.tencentcos.cn:443",
                "/k",
                obj("examplebucket-1250000000", "k"),
                false,
                Some("ap-beijing"),
            ),
            (
                "examplebucket-1250000000.cos-internal.ap-beijing.tencentcos.cn",
                "/k",
                obj("examplebucket-1250000000", "k"),
                false,
                Some("ap-beijing"),
            ),
            // Configured base domains.
            (
                "b-1250000000.cos.local:9000",
                "/x/y",
                obj("b-1250000000", "x/y"),
                false,
                None,
            ),
            (
                "b-1250000000.localhost",
                "//lead",
                obj("b-1250000000", "/lead"),
                false,
                None,
            ),
            // Path-style on an IP, localhost or the regional service endpoint.
            (
                "127.0.0.1:9000",
                "/b-1250000000/dir/x.txt",
                obj("b-1250000000", "dir/x.txt"),
                true,
                None,
            ),
            (
                "127.0.0.1:9000",
                "/b-1250000000/",
                Target::Bucket("b-1250000000".into()),
                true,
                None,
            ),
            (
                "127.0.0.1:9000",
                "/b-1250000000",
                Target::Bucket("b-1250000000".into()),
                true,
                None,
            ),
            ("localhost:9000", "/", Target::Service, true, None),
            (
                "cos.ap-guangzhou.myqcloud.com",
                "/b-1250000000/k",
                obj("b-1250000000", "k"),
                true,
                Some("ap-guangzhou"),
            ),
            (
                "cos.ap-guangzhou.myqcloud.com",
                "/",
                Target::Service,
                true,
                Some("ap-guangzhou"),
            ),
            ("service.cos.myqcloud.com", "/", Target::Service, true, None),
            // On a bucket domain the first label is the bucket even if it is not a valid name.
            (
                "nosuffix.cos.ap-guangzhou.myqcloud.com",
                "/",
                Target::Bucket("nosuffix".into()),
                false,
                Some("ap-guangzhou"),
            ),
            ("www.localhost", "/k", obj("www", "k"), false, None),
            (
                "b-1250000000.example.org",
                "/b-1/k",
                obj("b-1", "k"),
                true,
                None,
            ),
        ];
        for (host, path, target, path_style, region) in rows {
            let a = resolve(host, path, &domains);
            assert_eq!(&a.target, target, "{host} {path}");
            assert_eq!(a.path_style, *path_style, "{host} {path}");
            assert_eq!(a.region.as_deref(), *region, "{host} {path}");
        }
    }

    #[test]
    fn website_hosts() {
        let d = vec!["website.localhost".to_string(), "Site.Example".to_string()];
        let rows: &[(&str, Option<&str>)] = &[
            (
                "b-1250000000.cos-website.ap-guangzhou.myqcloud.com",
                Some("b-1250000000"),
            ),
            (
                "b-1250000000.cos-website.ap-beijing.tencentcos.cn:80",
                Some("b-1250000000"),
            ),
            ("B-1250000000.website.localhost:9000", Some("b-1250000000")),
            ("b-1250000000.site.example", Some("b-1250000000")),
            ("x.b-1250000000.website.localhost", None),
            ("website.localhost", None),
            ("b-1250000000.cos.ap-guangzhou.myqcloud.com", None),
            ("b-1250000000.localhost", None),
            ("cos-website.ap-guangzhou.myqcloud.com", None),
            ("b-1250000000.cos-website.example.org", None),
            ("127.0.0.1:9000", None),
        ];
        for (host, want) in rows {
            assert_eq!(website_bucket(host, &d).as_deref(), *want, "{host}");
        }
        assert!(is_website_host("a-1.website.localhost", &d));
    }

    #[test]
    fn hostnames() {
        assert_eq!(hostname("A.Example:80"), "a.example");
        assert_eq!(hostname("[::1]:9000"), "[::1]");
        assert_eq!(hostname("127.0.0.1"), "127.0.0.1");
    }
}
