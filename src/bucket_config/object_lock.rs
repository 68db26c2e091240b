//! Object lock (seed 002:3417-3567; docs/versioning.md): the bucket's configuration with its
//! default retention, per-version retention and legal hold, their XML documents and headers,
//! and the rules that decide whether a version may be removed or its retention changed. Pure.

use crate::xml::{parse_rooted, XmlError, XmlWriter};
use serde::{Deserialize, Serialize};

const DAY_MS: i64 = 86_400_000;

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub enum LockMode {
    Governance,
    Compliance,
}

impl LockMode {
    pub fn parse(s: &str) -> Option<LockMode> {
        match s.trim() {
            "GOVERNANCE" => Some(LockMode::Governance),
            "COMPLIANCE" => Some(LockMode::Compliance),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            LockMode::Governance => "GOVERNANCE",
            LockMode::Compliance => "COMPLIANCE",
        }
    }
}

/// The bucket's default retention: new versions are retained this long from their write.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub struct DefaultRetention {
    pub mode: LockMode,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub years: Option<u32>,
}

impl DefaultRetention {
    /// The retention a version written at `now_ms` gets.
    pub fn from(&self, now_ms: i64) -> Retention {
        let days = match (self.days, self.years) {
            (Some(d), _) => i64::from(d),
            (None, Some(y)) => i64::from(y) * 365,
            (None, None) => 0,
        };
        Retention {
            mode: self.mode,
            until_ms: now_ms.saturating_add(days.saturating_mul(DAY_MS)),
        }
    }
}

/// A bucket's object lock: enabled, with an optional default rule.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct ObjectLockConfig {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<DefaultRetention>,
}

/// A version's retention.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub struct Retention {
    pub mode: LockMode,
    pub until_ms: i64,
}

#[derive(Debug, PartialEq, Eq)]
pub enum LockError {
    /// Not the document or not valid: MalformedXML.
    Malformed(String),
    /// Well-formed but unacceptable (a date in the past, days and years together): InvalidArgument.
    Invalid(String),
    /// A header or document that needs what the bucket lacks: InvalidRequest.
    Request(String),
    /// A default retention of no days or years: InvalidRetentionPeriod.
    Period(String),
}

fn malformed(e: XmlError) -> LockError {
    LockError::Malformed(e.0)
}

#[derive(Debug, Deserialize)]
struct XmlDefault {
    #[serde(rename = "Mode", default)]
    mode: Option<String>,
    #[serde(rename = "Days", default)]
    days: Option<String>,
    #[serde(rename = "Years", default)]
    years: Option<String>,
}

#[derive(Debug, Deserialize)]
struct XmlRule {
    #[serde(rename = "DefaultRetention")]
    default: XmlDefault,
}

#[derive(Debug, Deserialize)]
struct XmlLockConfig {
    #[serde(rename = "ObjectLockEnabled", default)]
    enabled: Option<String>,
    #[serde(rename = "Rule", default)]
    rule: Option<XmlRule>,
}

fn positive(v: Option<&str>, what: &str) -> Result<Option<u32>, LockError> {
    match v.map(str::trim) {
        None => Ok(None),
        Some(s) => match s.parse::<u32>() {
            Ok(n) if n > 0 && n <= 36_500 => Ok(Some(n)),
            _ => Err(LockError::Period(format!(
                "{what} must be a positive integer, not {s:?}"
            ))),
        },
    }
}

/// Parses a PUT `?object-lock` body.
pub fn parse_config(body: &[u8]) -> Result<ObjectLockConfig, LockError> {
    let doc: XmlLockConfig = parse_rooted(body, "ObjectLockConfiguration").map_err(malformed)?;
    if doc.enabled.as_deref().map(str::trim) != Some("Enabled") {
        return Err(LockError::Malformed(
            "ObjectLockEnabled must be Enabled".into(),
        ));
    }
    let Some(rule) = doc.rule else {
        return Ok(ObjectLockConfig { default: None });
    };
    let d = rule.default;
    let mode = d
        .mode
        .as_deref()
        .and_then(LockMode::parse)
        .ok_or_else(|| LockError::Malformed("Mode must be GOVERNANCE or COMPLIANCE".into()))?;
    let days = positive(d.days.as_deref(), "Days")?;
    let years = positive(d.years.as_deref(), "Years")?;
    if days.is_some() == years.is_some() {
        return Err(LockError::Malformed(
            "DefaultRetention takes exactly one of Days or Years".into(),
        ));
    }
    Ok(ObjectLockConfig {
        default: Some(DefaultRetention { mode, days, years }),
    })
}

pub fn render_config(c: &ObjectLockConfig) -> String {
    let mut w = XmlWriter::new();
    w.open("ObjectLockConfiguration");
    w.elem("ObjectLockEnabled", "Enabled");
    if let Some(d) = &c.default {
        w.open("Rule").open("DefaultRetention");
        w.elem("Mode", d.mode.as_str());
        w.elem_opt("Days", d.days.map(|n| n.to_string()).as_deref());
        w.elem_opt("Years", d.years.map(|n| n.to_string()).as_deref());
        w.close("DefaultRetention").close("Rule");
    }
    w.close("ObjectLockConfiguration");
    w.finish()
}

/// An ISO 8601 / RFC 3339 date (`2030-01-01T00:00:00Z`, fractions allowed) in ms.
pub fn parse_date(s: &str) -> Option<i64> {
    let t = time::OffsetDateTime::parse(s.trim(), &time::format_description::well_known::Rfc3339)
        .ok()?;
    i64::try_from(t.unix_timestamp_nanos() / 1_000_000).ok()
}

/// A retention to set: a mode and a date after `now_ms`.
pub fn retention(mode: &str, until: &str, now_ms: i64) -> Result<Retention, LockError> {
    let mode = LockMode::parse(mode)
        .ok_or_else(|| LockError::Invalid(format!("Unknown object lock mode {mode:?}")))?;
    let until_ms = parse_date(until)
        .ok_or_else(|| LockError::Invalid(format!("Invalid retain-until date {until:?}")))?;
    if until_ms <= now_ms {
        return Err(LockError::Invalid(
            "The retain until date must be in the future!".into(),
        ));
    }
    Ok(Retention { mode, until_ms })
}

#[derive(Debug, Deserialize)]
struct XmlRetention {
    #[serde(rename = "Mode", default)]
    mode: Option<String>,
    #[serde(rename = "RetainUntilDate", default)]
    until: Option<String>,
}

/// A PUT `?retention` body: Some(retention), or None for an empty document (removal).
pub fn parse_retention(body: &[u8], now_ms: i64) -> Result<Option<Retention>, LockError> {
    let doc: XmlRetention = parse_rooted(body, "Retention").map_err(malformed)?;
    match (doc.mode.as_deref(), doc.until.as_deref()) {
        (None, None) => Ok(None),
        // S3: a mode that is not GOVERNANCE or COMPLIANCE makes the document malformed.
        (Some(m), Some(_)) if LockMode::parse(m).is_none() => Err(LockError::Malformed(format!(
            "Mode must be GOVERNANCE or COMPLIANCE, not {m:?}"
        ))),
        (Some(m), Some(u)) => retention(m, u, now_ms).map(Some),
        _ => Err(LockError::Malformed(
            "Retention needs both Mode and RetainUntilDate".into(),
        )),
    }
}

pub fn render_retention(r: &Retention) -> String {
    let mut w = XmlWriter::new();
    w.open("Retention");
    w.elem("Mode", r.mode.as_str());
    w.elem("RetainUntilDate", &crate::xml::iso8601_ms(r.until_ms));
    w.close("Retention");
    w.finish()
}

/// `ON` / `OFF`.
pub fn parse_hold_status(s: &str) -> Option<bool> {
    match s.trim() {
        "ON" => Some(true),
        "OFF" => Some(false),
        _ => None,
    }
}

#[derive(Debug, Deserialize)]
struct XmlHold {
    #[serde(rename = "Status", default)]
    status: Option<String>,
}

/// A PUT `?legal-hold` body.
pub fn parse_legal_hold(body: &[u8]) -> Result<bool, LockError> {
    let doc: XmlHold = parse_rooted(body, "LegalHold").map_err(malformed)?;
    doc.status
        .as_deref()
        .and_then(parse_hold_status)
        .ok_or_else(|| LockError::Malformed("Status must be ON or OFF".into()))
}

pub fn render_legal_hold(on: bool) -> String {
    let mut w = XmlWriter::new();
    w.open("LegalHold");
    w.elem("Status", if on { "ON" } else { "OFF" });
    w.close("LegalHold");
    w.finish()
}

/// What protects a version from removal at `now_ms`, if anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protection {
    None,
    /// GOVERNANCE retention: removable with the bypass (and its permission).
    Governance,
    /// COMPLIANCE retention or a legal hold: nobody may remove it.
    Locked,
}

pub fn protection(retention: Option<&Retention>, legal_hold: bool, now_ms: i64) -> Protection {
    if legal_hold {
        return Protection::Locked;
    }
    match retention {
        Some(r) if r.until_ms > now_ms => match r.mode {
            LockMode::Compliance => Protection::Locked,
            LockMode::Governance => Protection::Governance,
        },
        _ => Protection::None,
    }
}

/// What replacing a version's retention takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetentionChange {
    Allowed,
    /// Shortening or removing GOVERNANCE retention: the bypass and its permission.
    NeedsBypass,
    /// Shortening, removing or weakening COMPLIANCE retention: nobody may.
    Forbidden,
}

/// What replacing `old` retention by `new` at `now_ms` takes.
pub fn retention_change(
    old: Option<&Retention>,
    new: Option<&Retention>,
    now_ms: i64,
) -> RetentionChange {
    let Some(old) = old.filter(|o| o.until_ms > now_ms) else {
        return RetentionChange::Allowed;
    };
    let extends = |n: &Retention| n.until_ms >= old.until_ms;
    match (old.mode, new) {
        // Extending, or strengthening governance to compliance, needs nothing.
        (_, Some(n))
            if extends(n)
                && (n.mode == LockMode::Compliance || old.mode == LockMode::Governance) =>
        {
            RetentionChange::Allowed
        }
        (LockMode::Compliance, _) => RetentionChange::Forbidden,
        (LockMode::Governance, _) => RetentionChange::NeedsBypass,
    }
}

#[cfg(test)]
mod tests;
