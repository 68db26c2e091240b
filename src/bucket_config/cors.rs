//! Bucket CORS (`?cors`; seed 002:5262-5370 "Setting Cross-Origin Resource Sharing", 7162-7192;
//! spec 00 §17): ordered rules, the first that matches wins. Pure: parsing, validation, the XML
//! answer and the matching used for preflights and actual responses.

use crate::xml::XmlWriter;
use serde::{Deserialize, Serialize};

/// The largest configuration body accepted (the legacy API's 100 KB limit, 003:3410).
pub const MAX_CORS_XML: usize = 100 * 1024;
/// Rules per bucket (S3's limit; COS documents none).
pub const MAX_RULES: usize = 100;
const METHODS: &[&str] = &["GET", "PUT", "POST", "DELETE", "HEAD"];

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct CorsRule {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub allowed_origins: Vec<String>,
    /// Upper-case.
    pub allowed_methods: Vec<String>,
    /// Lower-case; `*` wildcards allowed.
    #[serde(default)]
    pub allowed_headers: Vec<String>,
    #[serde(default)]
    pub expose_headers: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_age_seconds: Option<u64>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct CorsConfig {
    pub rules: Vec<CorsRule>,
    /// COS's `ResponseVary`: kept and echoed. `Vary: Origin` is sent either way.
    #[serde(default)]
    pub response_vary: bool,
}

#[derive(Debug, Deserialize)]
struct XmlRule {
    #[serde(rename = "ID", default)]
    id: Option<String>,
    #[serde(rename = "AllowedOrigin", default)]
    origins: Vec<String>,
    #[serde(rename = "AllowedMethod", default)]
    methods: Vec<String>,
    #[serde(rename = "AllowedHeader", default)]
    headers: Vec<String>,
    #[serde(rename = "ExposeHeader", default)]
    expose: Vec<String>,
    #[serde(rename = "MaxAgeSeconds", default)]
    max_age: Option<String>,
}

#[derive(Debug, Deserialize)]
struct XmlConfig {
    #[serde(rename = "CORSRule", default)]
    rules: Vec<XmlRule>,
    #[serde(rename = "ResponseVary", default)]
    vary: Option<String>,
}

/// `*` in `pattern` matches any run of characters (case-insensitive).
fn wildcard(pattern: &str, value: &str) -> bool {
    let (p, v) = (pattern.to_ascii_lowercase(), value.to_ascii_lowercase());
    match p.split_once('*') {
        None => p == v,
        Some((pre, post)) => {
            if post.contains('*') {
                // Several wildcards: match greedily piece by piece.
                let mut rest = match v.strip_prefix(pre) {
                    Some(r) => r,
                    None => return false,
                };
                let pieces: Vec<&str> = post.split('*').collect();
                for (i, piece) in pieces.iter().enumerate() {
                    if i == pieces.len() - 1 {
                        return rest.ends_with(piece);
                    }
                    match rest.find(piece) {
                        Some(at) => rest = &rest[at + piece.len()..],
                        None => return false,
                    }
                }
                true
            } else {
                v.len() >= pre.len() + post.len() && v.starts_with(pre) && v.ends_with(post)
            }
        }
    }
}

impl CorsConfig {
    /// Parses and validates a `CORSConfiguration` document.
    pub fn parse(xml: &str) -> Result<CorsConfig, String> {
        crate::xml::check_root(xml, "CORSConfiguration")
            .map_err(|e| format!("not a CORSConfiguration: {}", e.0))?;
        let doc: XmlConfig =
            quick_xml::de::from_str(xml).map_err(|e| format!("not a CORSConfiguration: {e}"))?;
        if doc.rules.is_empty() {
            return Err("a CORSConfiguration needs at least one CORSRule".into());
        }
        if doc.rules.len() > MAX_RULES {
            return Err(format!("at most {MAX_RULES} CORSRule elements are allowed"));
        }
        let mut rules = Vec::new();
        for r in doc.rules {
            let trim = |v: Vec<String>| -> Vec<String> {
                v.into_iter()
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect()
            };
            let origins = trim(r.origins);
            let methods: Vec<String> = trim(r.methods)
                .into_iter()
                .map(|m| m.to_ascii_uppercase())
                .collect();
            if origins.is_empty() || methods.is_empty() {
                return Err("every CORSRule needs an AllowedOrigin and an AllowedMethod".into());
            }
            if let Some(o) = origins.iter().find(|o| o.matches('*').count() > 1) {
                return Err(format!(
                    "AllowedOrigin {o:?} may contain at most one wildcard"
                ));
            }
            if let Some(m) = methods.iter().find(|m| !METHODS.contains(&m.as_str())) {
                return Err(format!(
                    "AllowedMethod {m:?} is not one of GET, PUT, POST, DELETE, HEAD"
                ));
            }
            let expose = trim(r.expose);
            if expose.iter().any(|h| h.contains('*')) {
                return Err("ExposeHeader does not take wildcards".into());
            }
            let max_age =
                match r.max_age.as_deref().map(str::trim) {
                    None | Some("") => None,
                    Some(v) => Some(v.parse::<u64>().map_err(|_| {
                        format!("MaxAgeSeconds {v:?} is not a non-negative integer")
                    })?),
                };
            rules.push(CorsRule {
                id: r.id.map(|s| s.trim().to_string()).filter(|s| !s.is_empty()),
                allowed_origins: origins,
                allowed_methods: methods,
                allowed_headers: trim(r.headers)
                    .into_iter()
                    .map(|h| h.to_ascii_lowercase())
                    .collect(),
                expose_headers: expose,
                max_age_seconds: max_age,
            });
        }
        Ok(CorsConfig {
            rules,
            response_vary: doc
                .vary
                .is_some_and(|v| v.trim().eq_ignore_ascii_case("true")),
        })
    }

    /// The GET Bucket CORS answer.
    pub fn to_xml(&self) -> String {
        let mut w = XmlWriter::new();
        w.open("CORSConfiguration");
        for r in &self.rules {
            w.open("CORSRule");
            w.elem_opt("ID", r.id.as_deref());
            for o in &r.allowed_origins {
                w.elem("AllowedOrigin", o);
            }
            for m in &r.allowed_methods {
                w.elem("AllowedMethod", m);
            }
            for h in &r.allowed_headers {
                w.elem("AllowedHeader", h);
            }
            for h in &r.expose_headers {
                w.elem("ExposeHeader", h);
            }
            if let Some(a) = r.max_age_seconds {
                w.elem("MaxAgeSeconds", &a.to_string());
            }
            w.close("CORSRule");
        }
        w.elem(
            "ResponseVary",
            if self.response_vary { "true" } else { "false" },
        );
        w.close("CORSConfiguration");
        w.finish()
    }

    /// The first rule allowing `origin` to use `method` with every one of `headers`
    /// (lower-case names; only preflights ask about headers).
    pub fn find(&self, origin: &str, method: &str, headers: &[String]) -> Option<&CorsRule> {
        self.rules.iter().find(|r| {
            r.allowed_origins.iter().any(|o| wildcard(o, origin))
                && r.allowed_methods
                    .iter()
                    .any(|m| m.eq_ignore_ascii_case(method))
                && headers
                    .iter()
                    .all(|h| r.allowed_headers.iter().any(|a| wildcard(a, h)))
        })
    }
}

/// The names in an `Access-Control-Request-Headers` value, lower-case.
pub fn requested_headers(value: Option<&str>) -> Vec<String> {
    value
        .unwrap_or("")
        .split(',')
        .map(|h| h.trim().to_ascii_lowercase())
        .filter(|h| !h.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEED: &str = r#"<CORSConfiguration>
  <CORSRule>
    <ID>web</ID>
    <AllowedOrigin>http://www.abc.com</AllowedOrigin>
    <AllowedOrigin>http://*.abc.com</AllowedOrigin>
    <AllowedMethod>PUT</AllowedMethod>
    <AllowedMethod>post</AllowedMethod>
    <AllowedHeader>Content-Type</AllowedHeader>
    <AllowedHeader>x-cos-meta-*</AllowedHeader>
    <AllowedHeader>authorization</AllowedHeader>
    <ExposeHeader>ETag</ExposeHeader>
    <MaxAgeSeconds>600</MaxAgeSeconds>
  </CORSRule>
  <CORSRule>
    <AllowedOrigin>*</AllowedOrigin>
    <AllowedMethod>GET</AllowedMethod>
    <AllowedMethod>HEAD</AllowedMethod>
    <AllowedHeader>*</AllowedHeader>
  </CORSRule>
  <ResponseVary>true</ResponseVary>
</CORSConfiguration>"#;

    #[test]
    fn matching_table() {
        let c = CorsConfig::parse(SEED).unwrap();
        assert!(c.response_vary);
        let h = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let cases: &[(&str, &str, &[&str], Option<usize>)] = &[
            ("http://www.abc.com", "PUT", &["content-type"], Some(0)),
            (
                "http://img.abc.com",
                "POST",
                &["x-cos-meta-a", "authorization"],
                Some(0),
            ),
            ("http://a.b.abc.com", "PUT", &[], Some(0)),
            ("HTTP://WWW.ABC.COM", "PUT", &[], Some(0)),
            ("https://www.abc.com", "PUT", &[], None),
            ("http://abc.com", "PUT", &[], None),
            ("http://www.abc.com.evil.org", "PUT", &[], None),
            ("http://www.abc.com", "DELETE", &[], None),
            ("http://www.abc.com", "PUT", &["x-cos-security-token"], None),
            ("http://www.abc.com", "GET", &["x-anything"], Some(1)),
            ("https://elsewhere.example", "HEAD", &[], Some(1)),
            ("https://elsewhere.example", "PUT", &[], None),
        ];
        for (origin, method, headers, want) in cases {
            let got = c
                .find(origin, method, &h(headers))
                .map(|r| c.rules.iter().position(|x| x == r).unwrap());
            assert_eq!(got, *want, "{origin} {method} {headers:?}");
        }
    }

    #[test]
    fn round_trip_and_validation() {
        let c = CorsConfig::parse(SEED).unwrap();
        assert_eq!(CorsConfig::parse(&c.to_xml()).unwrap(), c);
        for bad in [
            "<CORSConfiguration></CORSConfiguration>",
            "<CORSConfiguration><CORSRule><AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>",
            "<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin></CORSRule></CORSConfiguration>",
            "<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>PATCH</AllowedMethod></CORSRule></CORSConfiguration>",
            "<CORSConfiguration><CORSRule><AllowedOrigin>http://*.*.com</AllowedOrigin><AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>",
            "<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod><MaxAgeSeconds>-1</MaxAgeSeconds></CORSRule></CORSConfiguration>",
            "<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod><ExposeHeader>*</ExposeHeader></CORSRule></CORSConfiguration>",
            "<CORSConfiguration><CORSRule>",
        ] {
            assert!(CorsConfig::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn wildcards() {
        assert!(wildcard("*", "anything"));
        assert!(wildcard("x-cos-meta-*", "x-cos-meta-"));
        assert!(wildcard("a*b*c", "axxbyyc"));
        assert!(!wildcard("a*b*c", "axxbyy"));
        assert!(!wildcard("http://*.abc.com", "http://.abc.co"));
        assert_eq!(
            requested_headers(Some("Content-Type, X-Cos-Meta-A,,")),
            ["content-type", "x-cos-meta-a"]
        );
    }
}
