//! The `WebsiteConfiguration` XML: parsing with validation, and the GET answer.

use super::{ErrorDocument, RedirectAll, RoutingRule, WebsiteConfig};
use super::{MAX_ROUTING_RULES, REDIRECT_CODES};
use crate::xml::XmlWriter;
use serde::Deserialize;

#[derive(Debug, Deserialize, Default)]
struct XmlSuffix {
    #[serde(rename = "Suffix", default)]
    suffix: Option<String>,
}

#[derive(Debug, Deserialize, Default)]
struct XmlRedirectAll {
    #[serde(rename = "Protocol", default)]
    protocol: Option<String>,
    #[serde(rename = "HostName", default)]
    host_name: Option<String>,
}

#[derive(Debug, Deserialize, Default)]
struct XmlStatus {
    #[serde(rename = "Status", default)]
    status: Option<String>,
}

#[derive(Debug, Deserialize, Default)]
struct XmlErrorDocument {
    #[serde(rename = "Key", default)]
    key: Option<String>,
    #[serde(rename = "OriginalHttpStatus", default)]
    original: Option<String>,
}

#[derive(Debug, Deserialize, Default)]
struct XmlCondition {
    #[serde(rename = "HttpErrorCodeReturnedEquals", default)]
    code: Option<String>,
    #[serde(rename = "KeyPrefixEquals", default)]
    prefix: Option<String>,
}

#[derive(Debug, Deserialize, Default)]
struct XmlRedirect {
    #[serde(rename = "Protocol", default)]
    protocol: Option<String>,
    #[serde(rename = "HostName", default)]
    host_name: Option<String>,
    #[serde(rename = "HttpRedirectCode", default)]
    code: Option<String>,
    #[serde(rename = "ReplaceKeyWith", default)]
    key_with: Option<String>,
    #[serde(rename = "ReplaceKeyPrefixWith", default)]
    prefix_with: Option<String>,
    #[serde(rename = "URLRedirect", default)]
    url_redirect: Option<String>,
}

#[derive(Debug, Deserialize)]
struct XmlRule {
    #[serde(rename = "Condition", default)]
    condition: Option<XmlCondition>,
    #[serde(rename = "Redirect", default)]
    redirect: Option<XmlRedirect>,
}

#[derive(Debug, Deserialize, Default)]
struct XmlRules {
    #[serde(rename = "RoutingRule", default)]
    rules: Vec<XmlRule>,
}

#[derive(Debug, Deserialize)]
struct XmlConfig {
    #[serde(rename = "IndexDocument", default)]
    index: Option<XmlSuffix>,
    #[serde(rename = "RedirectAllRequestsTo", default)]
    redirect_all: Option<XmlRedirectAll>,
    #[serde(rename = "AutoAddressing", default)]
    auto: Option<XmlStatus>,
    #[serde(rename = "ErrorDocument", default)]
    error: Option<XmlErrorDocument>,
    #[serde(rename = "RoutingRules", default)]
    rules: Option<XmlRules>,
}

/// Trimmed, `None` when empty.
fn text(v: Option<String>) -> Option<String> {
    v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

fn protocol(v: Option<String>, what: &str) -> Result<Option<String>, String> {
    match text(v).map(|p| p.to_ascii_lowercase()) {
        None => Ok(None),
        Some(p) if p == "http" || p == "https" => Ok(Some(p)),
        Some(p) => Err(format!("{what} Protocol {p:?} is not http or https")),
    }
}

/// `Enabled` / `Disabled` (case-insensitive); `None` when absent.
fn switch(v: Option<String>, what: &str) -> Result<Option<bool>, String> {
    match text(v) {
        None => Ok(None),
        Some(s) if s.eq_ignore_ascii_case("enabled") => Ok(Some(true)),
        Some(s) if s.eq_ignore_ascii_case("disabled") => Ok(Some(false)),
        Some(s) => Err(format!("{what} {s:?} is not Enabled or Disabled")),
    }
}

fn parse_rule(r: XmlRule) -> Result<RoutingRule, String> {
    let c = r.condition.ok_or("every RoutingRule needs a Condition")?;
    let d = r.redirect.ok_or("every RoutingRule needs a Redirect")?;
    let http_error_code = match text(c.code) {
        None => None,
        Some(v) => match v.parse::<u16>() {
            Ok(n) if (400..500).contains(&n) => Some(n),
            _ => {
                return Err(format!(
                    "HttpErrorCodeReturnedEquals {v:?} is not a 4xx status code"
                ))
            }
        },
    };
    // An empty KeyPrefixEquals matches every key (kept as given, not trimmed).
    let key_prefix = c.prefix;
    if http_error_code.is_none() && key_prefix.is_none() {
        return Err("a Condition needs HttpErrorCodeReturnedEquals or KeyPrefixEquals".into());
    }
    let http_redirect_code = match text(d.code) {
        None => None,
        Some(v) => match v.parse::<u16>() {
            Ok(n) if REDIRECT_CODES.contains(&n) => Some(n),
            _ => return Err(format!("HttpRedirectCode {v:?} is not a 3xx redirect code")),
        },
    };
    let rule = RoutingRule {
        http_error_code,
        key_prefix,
        protocol: protocol(d.protocol, "Redirect")?,
        host_name: text(d.host_name),
        http_redirect_code,
        replace_key_with: d.key_with,
        replace_key_prefix_with: d.prefix_with,
        url_redirect: switch(d.url_redirect, "URLRedirect")?.map(|on| on_off(on).to_string()),
    };
    if rule.replace_key_with.is_some() && rule.replace_key_prefix_with.is_some() {
        return Err("a Redirect takes ReplaceKeyWith or ReplaceKeyPrefixWith, not both".into());
    }
    if rule.replace_key_with.is_none()
        && rule.replace_key_prefix_with.is_none()
        && rule.host_name.is_none()
        && rule.protocol.is_none()
    {
        return Err(
            "a Redirect needs ReplaceKeyWith, ReplaceKeyPrefixWith, HostName or Protocol".into(),
        );
    }
    Ok(rule)
}

impl WebsiteConfig {
    /// Parses and validates a `WebsiteConfiguration` document.
    pub fn parse(xml: &str) -> Result<WebsiteConfig, String> {
        crate::xml::check_root(xml, "WebsiteConfiguration")
            .map_err(|e| format!("not a WebsiteConfiguration: {}", e.0))?;
        let doc: XmlConfig =
            quick_xml::de::from_str(xml).map_err(|e| format!("not a WebsiteConfiguration: {e}"))?;
        let index_suffix = text(doc.index.and_then(|i| i.suffix));
        if index_suffix.as_deref().is_some_and(|s| s.contains('/')) {
            return Err("IndexDocument Suffix may not contain a slash".into());
        }
        let redirect_all = match doc.redirect_all {
            None => None,
            Some(r) => {
                let r = RedirectAll {
                    protocol: protocol(r.protocol, "RedirectAllRequestsTo")?,
                    host_name: text(r.host_name),
                };
                if r.host_name.is_none() && r.protocol.as_deref() != Some("https") {
                    return Err("RedirectAllRequestsTo needs Protocol https (or a HostName)".into());
                }
                Some(r)
            }
        };
        let everything_elsewhere = redirect_all.as_ref().is_some_and(|r| r.host_name.is_some());
        if index_suffix.is_none() && !everything_elsewhere {
            return Err("a WebsiteConfiguration needs an IndexDocument with a Suffix".into());
        }
        let auto = switch(doc.auto.and_then(|a| a.status), "AutoAddressing Status")?;
        let error_document = match doc.error {
            None => None,
            Some(e) => {
                let original = switch(e.original, "OriginalHttpStatus")?;
                Some(ErrorDocument {
                    key: text(e.key).ok_or("ErrorDocument needs a Key")?,
                    original_http_status: original.unwrap_or(true),
                    original_http_status_given: original.is_some(),
                })
            }
        };
        let rules = doc.rules.map(|r| r.rules).unwrap_or_default();
        if rules.len() > MAX_ROUTING_RULES {
            return Err(format!(
                "at most {MAX_ROUTING_RULES} RoutingRule elements are allowed"
            ));
        }
        let routing_rules = rules
            .into_iter()
            .map(parse_rule)
            .collect::<Result<_, _>>()?;
        Ok(WebsiteConfig {
            index_suffix,
            redirect_all,
            auto_addressing: auto.unwrap_or(false),
            auto_addressing_given: auto.is_some(),
            error_document,
            routing_rules,
        })
    }

    /// The GET Bucket website answer.
    pub fn to_xml(&self) -> String {
        let mut w = XmlWriter::new();
        w.open("WebsiteConfiguration");
        if let Some(s) = &self.index_suffix {
            w.open("IndexDocument")
                .elem("Suffix", s)
                .close("IndexDocument");
        }
        if let Some(r) = &self.redirect_all {
            w.open("RedirectAllRequestsTo");
            w.elem_opt("Protocol", r.protocol.as_deref());
            w.elem_opt("HostName", r.host_name.as_deref());
            w.close("RedirectAllRequestsTo");
        }
        // Only what the PUT gave: no AutoAddressing or OriginalHttpStatus is invented.
        if self.auto_addressing_given {
            w.open("AutoAddressing");
            w.elem("Status", on_off(self.auto_addressing));
            w.close("AutoAddressing");
        }
        if let Some(e) = &self.error_document {
            w.open("ErrorDocument");
            w.elem("Key", &e.key);
            if e.original_http_status_given {
                w.elem("OriginalHttpStatus", on_off(e.original_http_status));
            }
            w.close("ErrorDocument");
        }
        if !self.routing_rules.is_empty() {
            w.open("RoutingRules");
            for r in &self.routing_rules {
                w.open("RoutingRule").open("Condition");
                if let Some(c) = r.http_error_code {
                    w.elem("HttpErrorCodeReturnedEquals", &c.to_string());
                }
                w.elem_opt("KeyPrefixEquals", r.key_prefix.as_deref());
                w.close("Condition").open("Redirect");
                w.elem_opt("Protocol", r.protocol.as_deref());
                w.elem_opt("HostName", r.host_name.as_deref());
                if let Some(c) = r.http_redirect_code {
                    w.elem("HttpRedirectCode", &c.to_string());
                }
                w.elem_opt("ReplaceKeyWith", r.replace_key_with.as_deref());
                w.elem_opt("ReplaceKeyPrefixWith", r.replace_key_prefix_with.as_deref());
                w.elem_opt("URLRedirect", r.url_redirect.as_deref());
                w.close("Redirect").close("RoutingRule");
            }
            w.close("RoutingRules");
        }
        w.close("WebsiteConfiguration");
        w.finish()
    }
}

fn on_off(b: bool) -> &'static str {
    if b {
        "Enabled"
    } else {
        "Disabled"
    }
}
