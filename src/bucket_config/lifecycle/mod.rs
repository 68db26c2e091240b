//! Bucket lifecycle configuration (`?lifecycle`; seed 002:1134-1219, 13960-13980; spec 00 §21;
//! contract in docs/lifecycle.md). Pure: the stored model, validation with S3's errors
//! ([`validate`]), the XML document ([`xml`]) and the decision which action is due for one
//! object version at a given time ([`decide`]). The worker that executes the decisions is
//! `service::lifecycle`.

pub mod decide;
pub mod xml;

#[cfg(test)]
mod tests;

use crate::types::ClassDialect;
use serde::{Deserialize, Serialize};

/// The largest configuration body accepted.
pub const MAX_LIFECYCLE_XML: usize = 1024 * 1024;
/// Rules per configuration (S3 and COS: 1000).
pub const MAX_RULES: usize = 1000;
/// The longest rule ID (S3: 255 characters).
pub const MAX_ID_LEN: usize = 255;
/// `NewerNoncurrentVersions` may keep at most this many versions (S3: 100).
pub const MAX_NEWER_NONCURRENT: u32 = 100;

/// The bucket's lifecycle configuration as stored (`BucketRecord.lifecycle`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct LifecycleConfig {
    pub rules: Vec<Rule>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Rule {
    pub id: String,
    pub enabled: bool,
    /// Sent as the rule-level `<Prefix>` (S3's first lifecycle API) rather than `<Filter>`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub legacy_prefix: bool,
    /// Sent as `<Filter><And>`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub and: bool,
    #[serde(default)]
    pub filter: Filter,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiration: Option<Expiration>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub transitions: Vec<Transition>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub noncurrent_expiration: Option<NoncurrentExpiration>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub noncurrent_transitions: Vec<NoncurrentTransition>,
    /// `AbortIncompleteMultipartUpload/DaysAfterInitiation`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub abort_days: Option<u32>,
}

/// What a rule applies to: every condition given must hold.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Filter {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<(String, String)>,
    /// `ObjectSizeGreaterThan` (bytes, exclusive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size_gt: Option<u64>,
    /// `ObjectSizeLessThan` (bytes, exclusive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size_lt: Option<u64>,
}

impl Filter {
    /// Whether an object version with this key, size and tags is subject to the rule.
    pub fn matches(&self, key: &str, size: u64, tags: &[(String, String)]) -> bool {
        self.prefix.as_deref().is_none_or(|p| key.starts_with(p))
            && self.tags.iter().all(|t| tags.contains(t))
            && self.size_gt.is_none_or(|gt| size > gt)
            && self.size_lt.is_none_or(|lt| size < lt)
    }

    pub fn prefix(&self) -> &str {
        self.prefix.as_deref().unwrap_or("")
    }
}

/// When a rule's action is due: a number of days after the version's start, or a date.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub enum When {
    Days(u32),
    /// Midnight UTC, in ms.
    Date(i64),
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Expiration {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<When>,
    /// `ExpiredObjectDeleteMarker` as sent (false is kept and returned).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expired_object_delete_marker: Option<bool>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Transition {
    pub when: When,
    pub storage_class: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct NoncurrentExpiration {
    pub days: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub newer: Option<u32>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct NoncurrentTransition {
    pub days: u32,
    pub storage_class: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub newer: Option<u32>,
}

/// A refused configuration, with the S3 error code it is answered with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LifecycleError {
    MalformedXml(String),
    InvalidArgument(String),
    InvalidRequest(String),
}

impl LifecycleError {
    pub fn message(&self) -> &str {
        match self {
            LifecycleError::MalformedXml(m)
            | LifecycleError::InvalidArgument(m)
            | LifecycleError::InvalidRequest(m) => m,
        }
    }
}

fn arg(m: impl Into<String>) -> LifecycleError {
    LifecycleError::InvalidArgument(m.into())
}

fn req(m: impl Into<String>) -> LifecycleError {
    LifecycleError::InvalidRequest(m.into())
}

/// How cold a storage class is: a transition only ever moves a version to a colder class
/// (S3's waterfall), so a version already there (or colder) is left alone.
pub fn class_rank(class: &str) -> u8 {
    use crate::types::StorageClass as C;
    match C::parse(class, ClassDialect::S3) {
        Ok(C::Standard | C::MazStandard) | Err(_) => 0,
        Ok(C::StandardIa | C::MazStandardIa | C::IntelligentTiering | C::MazIntelligentTiering) => {
            1
        }
        Ok(C::Archive | C::MazArchive) => 2,
        Ok(C::DeepArchive) => 3,
    }
}

/// A class a transition may name: one cosd stores (S3's `GLACIER` is COS's ARCHIVE), other
/// than the standard ones.
fn transition_class_ok(class: &str) -> bool {
    crate::types::StorageClass::parse(class, ClassDialect::S3).is_ok() && class_rank(class) > 0
}

/// The action types S3 checks overlapping legacy prefixes for.
fn action_types(r: &Rule) -> Vec<&'static str> {
    let mut t = Vec::new();
    if r.expiration.is_some() {
        t.push("Expiration");
    }
    if !r.transitions.is_empty() {
        t.push("Transition");
    }
    if r.noncurrent_expiration.is_some() {
        t.push("NoncurrentVersionExpiration");
    }
    if !r.noncurrent_transitions.is_empty() {
        t.push("NoncurrentVersionTransition");
    }
    if r.abort_days.is_some() {
        t.push("AbortIncompleteMultipartUpload");
    }
    t
}

/// Checks a parsed configuration as S3 does (docs/lifecycle.md lists every refusal).
pub fn validate(c: &LifecycleConfig) -> Result<(), LifecycleError> {
    if c.rules.is_empty() {
        return Err(LifecycleError::MalformedXml(
            "The lifecycle configuration needs at least one Rule.".into(),
        ));
    }
    if c.rules.len() > MAX_RULES {
        return Err(LifecycleError::MalformedXml(format!(
            "The lifecycle configuration may have at most {MAX_RULES} rules."
        )));
    }
    for (i, r) in c.rules.iter().enumerate() {
        if c.rules[..i].iter().any(|o| o.id == r.id) {
            return Err(arg(
                "Rule ID must be unique. Found same ID for more than one rule",
            ));
        }
        validate_rule(r)?;
    }
    // S3 refuses overlapping rule-level prefixes with a common action type (its first
    // lifecycle API); rules with `<Filter>` may overlap.
    let legacy: Vec<&Rule> = c.rules.iter().filter(|r| r.legacy_prefix).collect();
    for (i, a) in legacy.iter().enumerate() {
        for b in &legacy[i + 1..] {
            let (pa, pb) = (a.filter.prefix(), b.filter.prefix());
            if !(pa.starts_with(pb) || pb.starts_with(pa)) {
                continue;
            }
            let tb = action_types(b);
            if let Some(t) = action_types(a).into_iter().find(|t| tb.contains(t)) {
                return Err(arg(format!(
                    "Found overlapping prefixes '{pa}' and '{pb}' for same action type '{t}'"
                )));
            }
        }
    }
    Ok(())
}

fn validate_rule(r: &Rule) -> Result<(), LifecycleError> {
    if r.id.chars().count() > MAX_ID_LEN {
        return Err(arg("ID length should not exceed allowed limit of 255"));
    }
    if r.expiration.is_none()
        && r.transitions.is_empty()
        && r.noncurrent_expiration.is_none()
        && r.noncurrent_transitions.is_empty()
        && r.abort_days.is_none()
    {
        return Err(req("At least one action needs to be specified in a rule"));
    }
    let f = &r.filter;
    if let (Some(gt), Some(lt)) = (f.size_gt, f.size_lt) {
        if gt >= lt {
            return Err(arg(
                "ObjectSizeGreaterThan must be less than ObjectSizeLessThan",
            ));
        }
    }
    for (i, t) in f.tags.iter().enumerate() {
        if f.tags[..i].iter().any(|o| o.0 == t.0) {
            return Err(arg("Duplicate Tag Keys are not allowed."));
        }
    }
    let has_tags = !f.tags.is_empty();
    if has_tags && r.abort_days.is_some() {
        return Err(req(
            "AbortIncompleteMultipartUpload cannot be specified with Tags.",
        ));
    }
    if let Some(e) = &r.expiration {
        match (e.when, e.expired_object_delete_marker) {
            (None, None) => {
                return Err(LifecycleError::MalformedXml(
                    "Expiration needs Days, Date or ExpiredObjectDeleteMarker.".into(),
                ))
            }
            (Some(_), Some(_)) => {
                return Err(arg(
                    "ExpiredObjectDeleteMarker cannot be specified with Days or Date in a Lifecycle Expiration Policy.",
                ))
            }
            (None, Some(_)) if has_tags => {
                return Err(req("Delete marker cannot be specified with Tags."))
            }
            (Some(When::Days(0)), _) => {
                return Err(arg("'Days' for Expiration action must be a positive integer"))
            }
            (Some(When::Date(ms)), _) => check_midnight(ms)?,
            _ => {}
        }
    }
    validate_transitions(r)?;
    if let Some(n) = &r.noncurrent_expiration {
        if n.days == 0 {
            return Err(arg(
                "'NoncurrentDays' for NoncurrentVersionExpiration action must be a positive integer",
            ));
        }
        check_newer(n.newer)?;
    }
    for (i, t) in r.noncurrent_transitions.iter().enumerate() {
        check_class(&t.storage_class)?;
        check_newer(t.newer)?;
        if r.noncurrent_transitions[..i]
            .iter()
            .any(|o| o.storage_class == t.storage_class)
        {
            return Err(arg(format!(
                "'StorageClass' must be different for 'NoncurrentVersionTransition' actions in same 'Rule' with ID '{}'",
                r.id
            )));
        }
        if let Some(n) = &r.noncurrent_expiration {
            if n.days <= t.days {
                return Err(arg(format!(
                    "'NoncurrentDays' in NoncurrentVersionExpiration action for Rule '{}' must be greater than 'NoncurrentDays' in NoncurrentVersionTransition action",
                    r.id
                )));
            }
        }
    }
    if r.abort_days == Some(0) {
        return Err(arg(
            "'DaysAfterInitiation' for AbortIncompleteMultipartUpload action must be a positive integer",
        ));
    }
    Ok(())
}

fn validate_transitions(r: &Rule) -> Result<(), LifecycleError> {
    let mut sorted: Vec<&Transition> = Vec::with_capacity(r.transitions.len());
    for (i, t) in r.transitions.iter().enumerate() {
        check_class(&t.storage_class)?;
        if let When::Date(ms) = t.when {
            check_midnight(ms)?;
        }
        if r.transitions[..i]
            .iter()
            .any(|o| o.storage_class == t.storage_class)
        {
            return Err(arg(format!(
                "'StorageClass' must be different for 'Transition' actions in same 'Rule' with ID '{}'",
                r.id
            )));
        }
        if r.transitions[..i]
            .iter()
            .any(|o| matches!(o.when, When::Days(_)) != matches!(t.when, When::Days(_)))
        {
            return Err(arg(
                "Found mixed 'Date' and 'Days' based Transition actions in lifecycle rule",
            ));
        }
        sorted.push(t);
    }
    // Colder classes must come later, and expiration after every transition.
    sorted.sort_by_key(|t| class_rank(&t.storage_class));
    for w in sorted.windows(2) {
        if class_rank(&w[0].storage_class) == class_rank(&w[1].storage_class) {
            continue;
        }
        if later_or_equal(w[0].when, w[1].when) {
            return Err(arg(format!(
                "'Days' in the Transition action for StorageClass '{}' must be greater than 'Days' in the Transition action for StorageClass '{}' for Rule '{}'",
                w[1].storage_class, w[0].storage_class, r.id
            )));
        }
    }
    if let Some(exp) = r.expiration.as_ref().and_then(|e| e.when) {
        for t in &r.transitions {
            let same_kind = matches!(exp, When::Days(_)) == matches!(t.when, When::Days(_));
            if same_kind && later_or_equal(t.when, exp) {
                return Err(arg(format!(
                    "'Days' in the Expiration action for Rule '{}' must be greater than 'Days' in the Transition action",
                    r.id
                )));
            }
        }
    }
    Ok(())
}

/// Whether `a` is at or after `b` (both of one kind; mixed kinds never compare).
fn later_or_equal(a: When, b: When) -> bool {
    match (a, b) {
        (When::Days(x), When::Days(y)) => x >= y,
        (When::Date(x), When::Date(y)) => x >= y,
        _ => false,
    }
}

fn check_class(class: &str) -> Result<(), LifecycleError> {
    if transition_class_ok(class) {
        Ok(())
    } else {
        Err(arg(format!(
            "The storage class you specified is not valid for a transition: {class:?}"
        )))
    }
}

fn check_newer(n: Option<u32>) -> Result<(), LifecycleError> {
    match n {
        Some(n) if n == 0 || n > MAX_NEWER_NONCURRENT => Err(arg(format!(
            "'NewerNoncurrentVersions' must be between 1 and {MAX_NEWER_NONCURRENT}"
        ))),
        _ => Ok(()),
    }
}

fn check_midnight(ms: i64) -> Result<(), LifecycleError> {
    if ms.rem_euclid(86_400_000) == 0 {
        Ok(())
    } else {
        Err(arg("'Date' must be at midnight GMT"))
    }
}
