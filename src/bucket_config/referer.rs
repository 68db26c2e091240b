//! Referer (hotlink) protection (`?referer`; seed 002:9449-9545 "Hotlink Protection Practice",
//! 002:5120-5139; spec 00 §19). Pure: parsing and validation of the `RefererConfiguration`
//! document, its XML answer, and the matching of a request's `Referer` header.
//!
//! Matching (seed 002:9512-9518): the scheme (`http://`, `https://`) is stripped from both the
//! entry and the Referer, then the entry must be a prefix of the rest *at a host boundary*:
//! - `example.com` hits `example.com/123`, `https://example.com/…`, `http://example.com/…` and
//!   `example.com:8080` (an entry without a port matches every port);
//! - `example.com:8080` does not hit `example.com` (an entry with a port needs that port);
//! - `*.example.com` hits `example.com`, `b.example.com` and `a.b.example.com`;
//! - an entry with a path (`www.qq.com/example`) is a prefix of the Referer's path;
//! - `*` alone hits every non-empty Referer.
//!
//! Hosts compare case-insensitively and whole: `example.com` does not hit `example.com.evil.org`
//! (a plain string prefix would let anyone register such a name to pass an allow list).

use crate::meta::BucketRecord;
use crate::xml::XmlWriter;
use serde::{Deserialize, Serialize};

/// The largest configuration body accepted.
pub const MAX_REFERER_XML: usize = 16 * 1024;
/// Entries per list (002:9512 "Up to 10 domain names"; 003:3189-3191).
pub const MAX_DOMAINS: usize = 10;
/// The legacy API's limit on the whole referer configuration (003:3435), applied to the
/// entries' total length.
pub const MAX_DOMAINS_BYTES: usize = 3 * 1024;
/// One entry's length (a host name's 253 plus a port and a short path).
pub const MAX_DOMAIN_LEN: usize = 512;

#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
pub enum RefererType {
    /// Only listed referers may access (`White-List`).
    #[default]
    WhiteList,
    /// Listed referers are refused (`Black-List`).
    BlackList,
}

impl RefererType {
    pub fn as_str(self) -> &'static str {
        match self {
            RefererType::WhiteList => "White-List",
            RefererType::BlackList => "Black-List",
        }
    }
}

/// The bucket's referer configuration as stored.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct RefererConfig {
    /// `Status`: Enabled / Disabled. A disabled configuration is kept (and echoed) but checks
    /// nothing.
    #[serde(default)]
    pub enabled: bool,
    #[serde(default)]
    pub referer_type: RefererType,
    /// `DomainList/Domain`, as given (trimmed).
    #[serde(default)]
    pub domains: Vec<String>,
    /// `EmptyReferConfiguration`: Allow / Deny (the default, per the API reference).
    #[serde(default)]
    pub allow_empty: bool,
}

#[derive(Debug, Deserialize)]
struct XmlDomainList {
    #[serde(rename = "Domain", default)]
    domains: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename = "RefererConfiguration")]
struct XmlConfig {
    #[serde(rename = "Status", default)]
    status: Option<String>,
    #[serde(rename = "RefererType", default)]
    referer_type: Option<String>,
    #[serde(rename = "DomainList", default)]
    domain_list: Option<XmlDomainList>,
    #[serde(rename = "EmptyReferConfiguration", default)]
    empty: Option<String>,
}

/// Characters an entry may hold: host names, IPs (v4, bracketed v6), a port, a path prefix and
/// the `*` wildcard (003:1094: other characters are illegal).
fn legal_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-._~*:/[]%".contains(c)
}

fn validate_domain(d: &str) -> Result<(), String> {
    if d.len() > MAX_DOMAIN_LEN {
        return Err(format!(
            "Domain {:?}… is longer than {MAX_DOMAIN_LEN} characters",
            d.chars().take(32).collect::<String>()
        ));
    }
    if let Some(c) = d.chars().find(|c| !legal_char(*c)) {
        return Err(format!("Domain {d:?} contains the illegal character {c:?}"));
    }
    let rest = strip_scheme(d);
    if rest.is_empty() {
        return Err(format!("Domain {d:?} names no host"));
    }
    let e = Parsed::of(rest);
    if e.host.is_empty() {
        return Err(format!("Domain {d:?} names no host"));
    }
    let wild = e.host.strip_prefix("*.").unwrap_or(e.host);
    if e.host != "*" && (wild.contains('*') || wild.is_empty()) {
        return Err(format!(
            "Domain {d:?}: the wildcard is only allowed as a leading \"*.\" label or alone"
        ));
    }
    if let Some(p) = e.port {
        if p.parse::<u16>().is_err() {
            return Err(format!("Domain {d:?} has an invalid port {p:?}"));
        }
    }
    if e.path.contains('*') {
        return Err(format!("Domain {d:?}: no wildcard in the path"));
    }
    Ok(())
}

/// `rest` without a leading `scheme://` (any scheme; `http` and `https` in practice).
fn strip_scheme(s: &str) -> &str {
    match s.find("://") {
        Some(i)
            if i > 0
                && s[..i]
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c)) =>
        {
            &s[i + 3..]
        }
        _ => s,
    }
}

/// A Referer (or entry) after the scheme: host, optional port, and the rest (path, query…).
struct Parsed<'a> {
    host: &'a str,
    port: Option<&'a str>,
    path: &'a str,
}

impl<'a> Parsed<'a> {
    fn of(s: &'a str) -> Parsed<'a> {
        let end = s.find(['/', '?', '#']).unwrap_or(s.len());
        let (authority, path) = s.split_at(end);
        // Drop any `user:password@`.
        let authority = authority.rsplit_once('@').map_or(authority, |(_, a)| a);
        let (host, port) = if authority.starts_with('[') {
            match authority.find(']') {
                Some(i) => {
                    let (h, rest) = authority.split_at(i + 1);
                    (h, rest.strip_prefix(':'))
                }
                None => (authority, None),
            }
        } else {
            match authority.rsplit_once(':') {
                Some((h, p)) => (h, Some(p)),
                None => (authority, None),
            }
        };
        Parsed { host, port, path }
    }
}

/// Does one configured entry hit the (non-empty) Referer? See the module comment.
pub fn entry_matches(entry: &str, referer: &str) -> bool {
    let e = Parsed::of(strip_scheme(entry.trim()));
    let r = Parsed::of(strip_scheme(referer.trim()));
    if e.host.is_empty() {
        return false;
    }
    let host_ok = if e.host == "*" {
        true
    } else if let Some(apex) = e.host.strip_prefix("*.") {
        let h = r.host.to_ascii_lowercase();
        let apex = apex.to_ascii_lowercase();
        h == apex
            || h.strip_suffix(apex.as_str())
                .is_some_and(|sub| sub.len() > 1 && sub.ends_with('.'))
    } else {
        e.host.eq_ignore_ascii_case(r.host)
    };
    let port_ok = match e.port {
        None => true,
        Some(p) => r.port == Some(p),
    };
    host_ok && port_ok && r.path.starts_with(e.path)
}

fn parse_enum<'a>(
    name: &str,
    value: Option<&str>,
    choices: &[&'a str],
) -> Result<Option<&'a str>, String> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => choices
            .iter()
            .find(|c| c.eq_ignore_ascii_case(v))
            .map(|c| Some(*c))
            .ok_or_else(|| format!("{name} {v:?} is not one of {}", choices.join(", "))),
    }
}

impl RefererConfig {
    /// Parses and validates a `RefererConfiguration` document.
    pub fn parse(xml: &str) -> Result<RefererConfig, String> {
        crate::xml::check_root(xml, "RefererConfiguration")
            .map_err(|e| format!("not a RefererConfiguration: {}", e.0))?;
        let doc: XmlConfig =
            quick_xml::de::from_str(xml).map_err(|e| format!("not a RefererConfiguration: {e}"))?;
        let enabled = match parse_enum("Status", doc.status.as_deref(), &["Enabled", "Disabled"])? {
            Some(s) => s == "Enabled",
            None => return Err("a RefererConfiguration needs a Status".into()),
        };
        let referer_type = match parse_enum(
            "RefererType",
            doc.referer_type.as_deref(),
            &["White-List", "Black-List"],
        )? {
            Some("Black-List") => RefererType::BlackList,
            Some(_) => RefererType::WhiteList,
            None if enabled => {
                return Err("an enabled RefererConfiguration needs a RefererType".into())
            }
            None => RefererType::WhiteList,
        };
        let allow_empty = parse_enum(
            "EmptyReferConfiguration",
            doc.empty.as_deref(),
            &["Allow", "Deny"],
        )? == Some("Allow");
        let domains: Vec<String> = doc
            .domain_list
            .map(|l| l.domains)
            .unwrap_or_default()
            .into_iter()
            .map(|d| d.trim().to_string())
            .filter(|d| !d.is_empty())
            .collect();
        if domains.len() > MAX_DOMAINS {
            return Err(format!(
                "at most {MAX_DOMAINS} Domain entries are allowed, got {}",
                domains.len()
            ));
        }
        if domains.iter().map(String::len).sum::<usize>() > MAX_DOMAINS_BYTES {
            return Err(format!(
                "the Domain entries exceed {MAX_DOMAINS_BYTES} bytes together"
            ));
        }
        if enabled && domains.is_empty() {
            // 002:9522 "After hotlink protection is enabled, the corresponding domain names
            // must be entered."
            return Err("an enabled RefererConfiguration needs at least one Domain".into());
        }
        for d in &domains {
            validate_domain(d)?;
        }
        Ok(RefererConfig {
            enabled,
            referer_type,
            domains,
            allow_empty,
        })
    }

    /// The GET Bucket referer answer.
    pub fn to_xml(&self) -> String {
        let mut w = XmlWriter::new();
        w.open("RefererConfiguration");
        w.elem("Status", if self.enabled { "Enabled" } else { "Disabled" });
        w.elem("RefererType", self.referer_type.as_str());
        if !self.domains.is_empty() {
            w.open("DomainList");
            for d in &self.domains {
                w.elem("Domain", d);
            }
            w.close("DomainList");
        }
        w.elem(
            "EmptyReferConfiguration",
            if self.allow_empty { "Allow" } else { "Deny" },
        );
        w.close("RefererConfiguration");
        w.finish()
    }

    /// May a request carrying this `Referer` (None or empty: no Referer) go through?
    /// A disabled configuration allows everything. An empty Referer (a link opened directly,
    /// 002:9464) is decided by `EmptyReferConfiguration` alone, in either list mode.
    pub fn allows(&self, referer: Option<&str>) -> bool {
        if !self.enabled {
            return true;
        }
        let referer = referer.map(str::trim).filter(|r| !r.is_empty());
        let Some(r) = referer else {
            return self.allow_empty;
        };
        let listed = self.domains.iter().any(|d| entry_matches(d, r));
        match self.referer_type {
            RefererType::WhiteList => listed,
            RefererType::BlackList => !listed,
        }
    }
}

/// Is a request with this `Referer` header refused by the bucket's referer protection?
/// False when the bucket has no configuration or a disabled one.
pub fn referer_denied(bucket: &BucketRecord, referer: Option<&str>) -> bool {
    bucket.referer.as_ref().is_some_and(|c| !c.allows(referer))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(kind: RefererType, domains: &[&str], allow_empty: bool) -> RefererConfig {
        RefererConfig {
            enabled: true,
            referer_type: kind,
            domains: domains.iter().map(|s| s.to_string()).collect(),
            allow_empty,
        }
    }

    /// Every example of the seed's rule list (002:9512-9518) plus the boundaries around them.
    #[test]
    fn seed_002_9512_9518_matching_table() {
        let cases: &[(&str, &str, bool)] = &[
            // 002:9514 "If example.com is configured, addresses prefixed with example.com can be
            // hit, such as example.com/123".
            ("example.com", "example.com/123", true),
            ("example.com", "example.com", true),
            // 002:9515 "... addresses prefixed with https://example.com and http://example.com".
            ("example.com", "https://example.com", true),
            ("example.com", "http://example.com/index.html", true),
            ("example.com", "HTTPS://Example.COM/a.html", true),
            // 002:9516 "... its port domain name can be hit, such as example.com:8080".
            ("example.com", "example.com:8080", true),
            ("example.com", "http://example.com:8080/x", true),
            // 002:9517 "If example.com:8080 is configured, the domain name example.com cannot be
            // hit".
            ("example.com:8080", "example.com", false),
            ("example.com:8080", "https://example.com/", false),
            ("example.com:8080", "http://example.com:8080/x", true),
            ("example.com:8080", "http://example.com:8081/x", false),
            // 002:9518 "*.example.com ... example.com, b.example.com, and a.b.example.com".
            ("*.example.com", "example.com", true),
            ("*.example.com", "https://b.example.com/p", true),
            ("*.example.com", "http://a.b.example.com:8443/p", true),
            ("*.example.com", "https://badexample.com/", false),
            ("*.example.com", "https://example.com.evil.org/", false),
            // 002:9513 "Domain names with IP and port are supported, such as example.com:8080
            // and 10.10.10.10:8080".
            (
                "10.10.10.10:8080",
                "http://10.10.10.10:8080/test.html",
                true,
            ),
            ("10.10.10.10:8080", "http://10.10.10.10/test.html", false),
            ("10.10.10.10", "http://10.10.10.10:8080/test.html", true),
            ("10.10.10.10", "http://10.10.10.100/", false),
            // 002:9463 the seed's own Referer example.
            ("127.0.0.1", "https://127.0.0.1/test/test.html", true),
            // Whole hosts, not string prefixes.
            ("example.com", "https://example.com.evil.org/", false),
            ("example.com", "https://example.community/", false),
            ("example.com", "https://www.example.com/", false),
            // An entry with a path is a prefix of the path (API reference: www.qq.com/example).
            (
                "www.qq.com/example",
                "https://www.qq.com/example/a.html",
                true,
            ),
            ("www.qq.com/example", "https://www.qq.com/other", false),
            // An entry may carry a scheme; it is ignored like the Referer's.
            ("https://example.com", "http://example.com/", true),
            ("*", "https://anything.example/", true),
            ("[::1]:8080", "http://[::1]:8080/", true),
            ("[::1]:8080", "http://[::1]/", false),
        ];
        for (entry, referer, want) in cases {
            assert_eq!(entry_matches(entry, referer), *want, "{entry} vs {referer}");
        }
    }

    /// 002:9507-9511: a blocklist refuses listed domains, an allowlist refuses the others;
    /// 002:9464 + the API's EmptyReferConfiguration decide the empty Referer.
    #[test]
    fn seed_002_9507_9511_lists_and_empty_referer() {
        // 002:9484-9485 "Method 2: Configure a whitelist mode, enter *.example.com".
        let white = cfg(RefererType::WhiteList, &["*.example.com"], false);
        assert!(white.allows(Some("https://example.com/index.html")));
        assert!(!white.allows(Some("https://b.com/test/test.html")));
        assert!(!white.allows(None));
        assert!(!white.allows(Some("  ")));
        // 002:9483 "Method 1: Configure the blacklist by entering the domain name *.b.com".
        let black = cfg(RefererType::BlackList, &["*.b.com"], true);
        assert!(black.allows(Some("https://example.com/index.html")));
        assert!(!black.allows(Some("https://b.com/test/test.html")));
        assert!(black.allows(None));
        let black_deny_empty = cfg(RefererType::BlackList, &["*.b.com"], false);
        assert!(!black_deny_empty.allows(None));
        let white_allow_empty = cfg(RefererType::WhiteList, &["*.example.com"], true);
        assert!(white_allow_empty.allows(None));
        // Disabled: nothing is checked.
        let off = RefererConfig {
            enabled: false,
            ..white
        };
        assert!(off.allows(Some("https://b.com/")));
        assert!(off.allows(None));
    }

    const DOC: &str = r#"<RefererConfiguration>
  <Status>Enabled</Status>
  <RefererType>White-List</RefererType>
  <DomainList>
    <Domain>*.qq.com</Domain>
    <Domain>*.qcloud.com</Domain>
  </DomainList>
  <EmptyReferConfiguration>Allow</EmptyReferConfiguration>
</RefererConfiguration>"#;

    #[test]
    fn parse_round_trip() {
        let c = RefererConfig::parse(DOC).unwrap();
        assert_eq!(
            c,
            RefererConfig {
                enabled: true,
                referer_type: RefererType::WhiteList,
                domains: vec!["*.qq.com".into(), "*.qcloud.com".into()],
                allow_empty: true,
            }
        );
        assert_eq!(RefererConfig::parse(&c.to_xml()).unwrap(), c);
        // Defaults: EmptyReferConfiguration Deny; enum values case-insensitive, echoed canonical.
        let c = RefererConfig::parse(
            "<RefererConfiguration><Status>enabled</Status><RefererType>black-list</RefererType>\
             <DomainList><Domain> b.com </Domain></DomainList></RefererConfiguration>",
        )
        .unwrap();
        assert!(c.enabled && !c.allow_empty && c.referer_type == RefererType::BlackList);
        assert_eq!(c.domains, ["b.com"]);
        assert!(c.to_xml().contains("<RefererType>Black-List</RefererType>"));
        assert!(c
            .to_xml()
            .contains("<EmptyReferConfiguration>Deny</EmptyReferConfiguration>"));
        // Disabled needs neither a type nor domains.
        let off = RefererConfig::parse(
            "<RefererConfiguration><Status>Disabled</Status></RefererConfiguration>",
        )
        .unwrap();
        assert!(!off.enabled && off.domains.is_empty());
        assert_eq!(RefererConfig::parse(&off.to_xml()).unwrap(), off);
    }

    #[test]
    fn validation_and_limits() {
        let with = |domains: &[&str]| {
            let list: String = domains
                .iter()
                .map(|d| format!("<Domain>{d}</Domain>"))
                .collect();
            format!(
                "<RefererConfiguration><Status>Enabled</Status><RefererType>White-List</RefererType>\
                 <DomainList>{list}</DomainList></RefererConfiguration>"
            )
        };
        let ten: Vec<String> = (0..10).map(|i| format!("d{i}.example.com")).collect();
        let ten: Vec<&str> = ten.iter().map(String::as_str).collect();
        assert!(RefererConfig::parse(&with(&ten)).is_ok());
        let mut eleven = ten.clone();
        eleven.push("d10.example.com");
        assert!(RefererConfig::parse(&with(&eleven)).is_err());
        for bad in [
            with(&[]),
            with(&["exa mple.com"]),
            with(&["example.com;x"]),
            with(&["example.com:99999"]),
            with(&["a.*.example.com"]),
            with(&["*."]),
            with(&["example.com/*"]),
            with(&[":8080"]),
            with(&[&"a".repeat(MAX_DOMAIN_LEN + 1)]),
            "<RefererConfiguration><RefererType>White-List</RefererType></RefererConfiguration>"
                .into(),
            "<RefererConfiguration><Status>On</Status></RefererConfiguration>".into(),
            "<RefererConfiguration><Status>Enabled</Status><DomainList><Domain>a.com</Domain></DomainList></RefererConfiguration>".into(),
            "<RefererConfiguration><Status>Enabled</Status><RefererType>Grey-List</RefererType><DomainList><Domain>a.com</Domain></DomainList></RefererConfiguration>".into(),
            "<RefererConfiguration><Status>Disabled</Status><EmptyReferConfiguration>Maybe</EmptyReferConfiguration></RefererConfiguration>".into(),
            "<RefererConfiguration><Status>Enabled".into(),
            "not xml".into(),
        ] {
            assert!(RefererConfig::parse(&bad).is_err(), "{bad}");
        }
        // The 3 KB total.
        let long: Vec<String> = (0..10)
            .map(|i| format!("{}{i}.example.com", "x".repeat(300)))
            .collect();
        let long: Vec<&str> = long.iter().map(String::as_str).collect();
        assert!(RefererConfig::parse(&with(&long)).is_err());
    }

    #[test]
    fn denied_for_bucket_records() {
        let mut b = BucketRecord::new(
            "examplebucket-1250000000",
            "1",
            "ap-guangzhou",
            crate::types::CannedAcl::PublicRead,
            vec![],
            vec![],
        );
        assert!(!referer_denied(&b, None));
        b.referer = Some(cfg(RefererType::WhiteList, &["example.com"], false));
        assert!(referer_denied(&b, None));
        assert!(referer_denied(&b, Some("https://b.com/")));
        assert!(!referer_denied(&b, Some("https://example.com/")));
    }
}
