//! Static website hosting configuration (`?website`; seed 002:5378-5470 "Hosting a Static
//! Website", 5680-5725 SPA; spec 00 §18). Pure: parsing, validation, the XML answer, and the
//! routing decisions of the website endpoint (which key to read, which redirect to send).
//! Routing rules follow S3's order: a rule with only `KeyPrefixEquals` redirects before the
//! object is looked up; a rule with `HttpErrorCodeReturnedEquals` redirects after the lookup
//! failed with that status. The first rule that matches wins.

use crate::auth::encode::encode_key;
use serde::{Deserialize, Serialize};

/// The largest configuration body accepted (COS: 64 KB).
pub const MAX_WEBSITE_XML: usize = 64 * 1024;
/// Routing rules per bucket (COS: up to 100).
pub const MAX_ROUTING_RULES: usize = 100;
const REDIRECT_CODES: &[u16] = &[301, 302, 303, 307, 308];

/// `RedirectAllRequestsTo`: COS sends only `Protocol` (`https`: every plain-HTTP request is sent
/// to the same URL over HTTPS); S3 adds `HostName` (every request goes to that host).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct RedirectAll {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host_name: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct ErrorDocument {
    pub key: String,
    /// `OriginalHttpStatus`: Enabled (default) answers the error document with the error's own
    /// status (404); Disabled answers it with 200 (single-page apps on deep links).
    #[serde(default = "yes")]
    pub original_http_status: bool,
    /// Whether the PUT gave `OriginalHttpStatus`: GET returns what was set, nothing invented.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub original_http_status_given: bool,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct RoutingRule {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_error_code: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_prefix: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_redirect_code: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replace_key_with: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replace_key_prefix_with: Option<String>,
    /// COS's `Redirect/URLRedirect` (`Enabled` / `Disabled`), kept and returned as given; the
    /// website endpoint answers every matching rule with a redirect either way.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url_redirect: Option<String>,
}

/// The bucket's website configuration as stored.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct WebsiteConfig {
    /// `IndexDocument/Suffix` (required unless everything is redirected to another host).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index_suffix: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect_all: Option<RedirectAll>,
    /// `AutoAddressing/Status` Enabled: `/about` also finds `about.html`.
    #[serde(default)]
    pub auto_addressing: bool,
    /// Whether the PUT gave `AutoAddressing`: GET returns it only then.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub auto_addressing_given: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_document: Option<ErrorDocument>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub routing_rules: Vec<RoutingRule>,
}

/// Where a website request is sent instead of being answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redirect {
    pub status: u16,
    pub location: String,
}

/// What the request looked like, for building redirects.
#[derive(Debug, Clone, Copy)]
pub struct Origin<'a> {
    /// The request came over HTTPS.
    pub https: bool,
    /// The Host header as sent (port included).
    pub host: &'a str,
}

impl Origin<'_> {
    fn scheme(&self) -> &'static str {
        if self.https {
            "https"
        } else {
            "http"
        }
    }
}

/// What to do with a website request before any object is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan {
    Redirect(Redirect),
    /// Read this key (`index` when it came from the index document).
    Serve {
        key: String,
        index: bool,
    },
}

/// Another key to try when the planned one does not exist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fallback {
    /// Serve this key instead (AutoAddressing: `about` → `about.html`).
    Serve(String),
    /// If `probe` exists, answer 302 to `location` (`dir` → `/dir/` when `dir/index.html` exists).
    Slash { probe: String, location: String },
}

impl RoutingRule {
    fn prefix_matches(&self, key: &str) -> bool {
        self.key_prefix
            .as_deref()
            .is_none_or(|p| key.starts_with(p))
    }

    fn redirect(&self, key: &str, origin: Origin<'_>) -> Redirect {
        let new_key = match (&self.replace_key_with, &self.replace_key_prefix_with) {
            (Some(k), _) => k.clone(),
            (None, Some(p)) => {
                let old = self.key_prefix.as_deref().unwrap_or("");
                format!("{p}{}", key.strip_prefix(old).unwrap_or(key))
            }
            (None, None) => key.to_string(),
        };
        let scheme = self.protocol.as_deref().unwrap_or(origin.scheme());
        let host = self.host_name.as_deref().unwrap_or(origin.host);
        Redirect {
            status: self.http_redirect_code.unwrap_or(301),
            location: format!("{scheme}://{host}/{}", encode_key(&new_key)),
        }
    }
}

impl WebsiteConfig {
    /// The first decision for the request of `key` (the path without its leading `/`):
    /// RedirectAllRequestsTo, then prefix-only routing rules, then the index document for
    /// `""` and `dir/`.
    pub fn plan(&self, key: &str, origin: Origin<'_>) -> Plan {
        if let Some(r) = &self.redirect_all {
            let to_host = r.host_name.as_deref();
            let to_scheme = r.protocol.as_deref().unwrap_or(origin.scheme());
            if to_host.is_some() || to_scheme != origin.scheme() {
                return Plan::Redirect(Redirect {
                    status: 301,
                    location: format!(
                        "{to_scheme}://{}/{}",
                        to_host.unwrap_or(origin.host),
                        encode_key(key)
                    ),
                });
            }
        }
        if let Some(rule) = self
            .routing_rules
            .iter()
            .find(|r| r.http_error_code.is_none() && r.prefix_matches(key))
        {
            return Plan::Redirect(rule.redirect(key, origin));
        }
        match &self.index_suffix {
            Some(s) if key.is_empty() || key.ends_with('/') => Plan::Serve {
                key: format!("{key}{s}"),
                index: true,
            },
            _ => Plan::Serve {
                key: key.to_string(),
                index: false,
            },
        }
    }

    /// What else to try, in order, when the planned non-index `key` does not exist.
    pub fn fallbacks(&self, key: &str) -> Vec<Fallback> {
        let mut out = Vec::new();
        if key.is_empty() || key.ends_with('/') {
            return out;
        }
        if self.auto_addressing && !key.ends_with(".html") {
            out.push(Fallback::Serve(format!("{key}.html")));
        }
        if let Some(s) = &self.index_suffix {
            out.push(Fallback::Slash {
                probe: format!("{key}/{s}"),
                location: format!("/{}/", encode_key(key)),
            });
        }
        out
    }

    /// The routing rule redirect for a request of `key` that failed with `status`, if any.
    pub fn on_error(&self, key: &str, status: u16, origin: Origin<'_>) -> Option<Redirect> {
        self.routing_rules
            .iter()
            .find(|r| r.http_error_code == Some(status) && r.prefix_matches(key))
            .map(|r| r.redirect(key, origin))
    }

    /// The error document to answer a 4xx with, and the status to answer it with.
    pub fn error_document(&self, status: u16) -> Option<(&str, u16)> {
        let e = self.error_document.as_ref()?;
        let code = if e.original_http_status { status } else { 200 };
        (400..500)
            .contains(&status)
            .then_some((e.key.as_str(), code))
    }
}

mod xml;

#[cfg(test)]
mod tests;
