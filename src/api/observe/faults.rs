//! Fault injection: rules set at runtime (`/_cosd/admin/faults`, `cosd admin fault`) that make
//! matching requests fail the way a real endpoint sometimes does, so that clients' retry logic
//! can be tested. A rule matches on bucket, operation, key glob and principal, and answers an
//! error, adds latency, closes the connection without an answer, or cuts the response body;
//! with a probability and/or for a number of times. The matching core is pure.

use crate::api::error::Code;
use serde::{Deserialize, Serialize};
use std::sync::Mutex;

/// A rule as the admin API takes it.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FaultSpec {
    /// Only requests to this bucket.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bucket: Option<String>,
    /// Only this operation (`PutObject`, `GetObject`, `CompleteMultipartUpload`...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub op: Option<String>,
    /// Only keys matching this glob (`*` any run, `?` one character).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// Only this principal (`qcs::cam::uin/<root>:uin/<uin>`, or `anonymous`), or a SecretId.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub principal: Option<String>,
    /// Answer this error instead of serving the request (`SlowDown`, `ServiceUnavailable`,
    /// `InternalError`, `AccessDenied`, `RequestTimeout`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Wait this long before going on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delay_ms: Option<u64>,
    /// Close the connection without answering (the request is not served).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub reset: bool,
    /// Serve the request, then cut the response body after `truncate_after` bytes (default:
    /// half its length) and close the connection.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub truncate: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub truncate_after: Option<u64>,
    /// The chance a matching request is hit, in (0, 1]; default 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probability: Option<f64>,
    /// Hit at most this many requests, then stop.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u64>,
}

/// The errors a rule may answer with.
const ERRORS: &[(&str, Code)] = &[
    ("SlowDown", Code::SlowDown),
    ("ServiceUnavailable", Code::ServiceUnavailable),
    ("InternalError", Code::InternalError),
    ("AccessDenied", Code::AccessDenied),
    ("RequestTimeout", Code::RequestTimeout),
];

/// What a rule does to a request it hits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// Go on serving (after the delay, if any).
    Serve,
    Error(Code),
    Reset,
    Truncate(Option<u64>),
}

/// A hit: which rule, how long to wait first, then what to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    pub rule: u64,
    pub delay_ms: u64,
    pub effect: Effect,
}

/// A stored rule.
#[derive(Debug, Clone, Serialize)]
pub struct Rule {
    pub id: u64,
    #[serde(flatten)]
    pub spec: FaultSpec,
    /// Requests hit so far.
    pub hits: u64,
    #[serde(skip)]
    effect: Effect,
}

/// What a request offers to the rules.
#[derive(Debug, Clone, Copy)]
pub struct Probe<'a> {
    pub bucket: &'a str,
    pub op: &'a str,
    pub key: Option<&'a str>,
    pub principal: &'a str,
    pub secret_id: Option<&'a str>,
}

impl FaultSpec {
    /// Checks the rule makes sense and says what it does.
    pub fn validate(&self) -> Result<Effect, String> {
        if let Some(p) = self.probability {
            if !(p > 0.0 && p <= 1.0) {
                return Err("probability must be in (0, 1]".into());
            }
        }
        if self.count == Some(0) {
            return Err("count must be at least 1".into());
        }
        if self.truncate_after.is_some() && !self.truncate {
            return Err("truncate_after needs truncate".into());
        }
        let error = match &self.error {
            Some(name) => Some(
                ERRORS
                    .iter()
                    .find(|(n, _)| n == name)
                    .map(|(_, c)| *c)
                    .ok_or_else(|| {
                        let known: Vec<&str> = ERRORS.iter().map(|(n, _)| *n).collect();
                        format!("unknown error {name:?}; one of {}", known.join(", "))
                    })?,
            ),
            None => None,
        };
        let effect = match (error, self.reset, self.truncate) {
            (Some(c), false, false) => Effect::Error(c),
            (None, true, false) => Effect::Reset,
            (None, false, true) => Effect::Truncate(self.truncate_after),
            (None, false, false) if self.delay_ms.unwrap_or(0) > 0 => Effect::Serve,
            (None, false, false) => {
                return Err("a rule needs error, reset, truncate or delay_ms".into())
            }
            _ => return Err("give only one of error, reset and truncate".into()),
        };
        Ok(effect)
    }

    fn matches(&self, p: &Probe<'_>) -> bool {
        let eq = |want: &Option<String>, have: &str| want.as_deref().is_none_or(|w| w == have);
        eq(&self.bucket, p.bucket)
            && eq(&self.op, p.op)
            && self.key.as_deref().is_none_or(|g| {
                p.key
                    .is_some_and(|k| crate::policy::cam::glob::matches_aws(g, k))
            })
            && self.principal.as_deref().is_none_or(|w| {
                w == p.principal
                    || p.secret_id == Some(w)
                    || (w == "anonymous" && p.principal == ANONYMOUS)
            })
    }
}

const ANONYMOUS: &str = "qcs::cam::anyone:anyone";

/// The rules in force, in the order they were added (the first that hits wins).
#[derive(Default)]
pub struct Faults {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    next_id: u64,
    rules: Vec<Rule>,
}

impl Faults {
    fn inner(&self) -> std::sync::MutexGuard<'_, Inner> {
        // Every change is a whole push, remove or counter bump: a poisoned lock is consistent.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Adds a rule; its id.
    pub fn add(&self, spec: FaultSpec) -> Result<Rule, String> {
        let effect = spec.validate()?;
        let mut i = self.inner();
        i.next_id += 1;
        let rule = Rule {
            id: i.next_id,
            spec,
            hits: 0,
            effect,
        };
        i.rules.push(rule.clone());
        Ok(rule)
    }

    pub fn list(&self) -> Vec<Rule> {
        self.inner().rules.clone()
    }

    /// Removes one rule (whether it existed), or all of them (how many).
    pub fn remove(&self, id: u64) -> bool {
        let mut i = self.inner();
        let before = i.rules.len();
        i.rules.retain(|r| r.id != id);
        i.rules.len() != before
    }

    pub fn clear(&self) -> usize {
        std::mem::take(&mut self.inner().rules).len()
    }

    /// The first rule that hits `probe`, with `roll` a uniform draw in [0, 1) for its
    /// probability. A rule whose count is used up stays listed but hits nothing more.
    pub fn hit(&self, probe: &Probe<'_>, roll: f64) -> Option<Hit> {
        let mut i = self.inner();
        if i.rules.is_empty() {
            return None;
        }
        let rule = i.rules.iter_mut().find(|r| {
            r.spec.count.is_none_or(|c| r.hits < c)
                && r.spec.matches(probe)
                && roll < r.spec.probability.unwrap_or(1.0)
        })?;
        rule.hits += 1;
        Some(Hit {
            rule: rule.id,
            delay_ms: rule.spec.delay_ms.unwrap_or(0),
            effect: rule.effect,
        })
    }

    pub fn is_empty(&self) -> bool {
        self.inner().rules.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(json: &str) -> FaultSpec {
        serde_json::from_str(json).unwrap()
    }

    fn probe<'a>(bucket: &'a str, op: &'a str, key: Option<&'a str>) -> Probe<'a> {
        Probe {
            bucket,
            op,
            key,
            principal: "qcs::cam::uin/1:uin/2",
            secret_id: Some("AKID2"),
        }
    }

    #[test]
    fn rules_are_validated() {
        let bad = [
            (r#"{}"#, "needs error"),
            (r#"{"error":"Teapot"}"#, "unknown error"),
            (r#"{"error":"SlowDown","reset":true}"#, "only one"),
            (r#"{"reset":true,"probability":0}"#, "probability"),
            (r#"{"reset":true,"probability":1.5}"#, "probability"),
            (r#"{"reset":true,"count":0}"#, "count"),
            (r#"{"truncate_after":3}"#, "needs truncate"),
        ];
        for (json, want) in bad {
            let e = spec(json).validate().unwrap_err();
            assert!(e.contains(want), "{json}: {e}");
        }
        assert!(serde_json::from_str::<FaultSpec>(r#"{"eror":"SlowDown"}"#).is_err());
        assert_eq!(
            spec(r#"{"error":"SlowDown"}"#).validate(),
            Ok(Effect::Error(Code::SlowDown))
        );
        assert_eq!(spec(r#"{"delay_ms":5}"#).validate(), Ok(Effect::Serve));
        assert_eq!(
            spec(r#"{"truncate":true,"truncate_after":10}"#).validate(),
            Ok(Effect::Truncate(Some(10)))
        );
    }

    #[test]
    fn a_rule_hits_what_it_names_and_only_that() {
        let f = Faults::default();
        f.add(spec(
            r#"{"bucket":"b-1","op":"PutObject","key":"logs/*","error":"SlowDown"}"#,
        ))
        .unwrap();
        let hit = |b, op, k| f.hit(&probe(b, op, k), 0.0).map(|h| h.effect);
        assert_eq!(
            hit("b-1", "PutObject", Some("logs/a")),
            Some(Effect::Error(Code::SlowDown))
        );
        assert_eq!(hit("b-1", "PutObject", Some("data/a")), None);
        assert_eq!(hit("b-2", "PutObject", Some("logs/a")), None);
        assert_eq!(hit("b-1", "GetObject", Some("logs/a")), None);
        assert_eq!(hit("b-1", "PutObject", None), None);
    }

    #[test]
    fn principal_matches_by_name_secret_id_or_anonymous() {
        let f = Faults::default();
        f.add(spec(r#"{"principal":"AKID2","reset":true}"#))
            .unwrap();
        assert!(f.hit(&probe("b", "GetObject", None), 0.0).is_some());
        let other = Probe {
            secret_id: Some("AKID3"),
            principal: "qcs::cam::uin/1:uin/3",
            ..probe("b", "GetObject", None)
        };
        assert!(f.hit(&other, 0.0).is_none());
        f.clear();
        f.add(spec(r#"{"principal":"anonymous","reset":true}"#))
            .unwrap();
        let anon = Probe {
            secret_id: None,
            principal: ANONYMOUS,
            ..probe("b", "GetObject", None)
        };
        assert!(f.hit(&anon, 0.0).is_some());
        assert!(f.hit(&other, 0.0).is_none());
    }

    #[test]
    fn count_and_probability_limit_hits_and_the_first_rule_wins() {
        let f = Faults::default();
        let first = f
            .add(spec(r#"{"error":"InternalError","count":2}"#))
            .unwrap();
        let second = f
            .add(spec(r#"{"error":"SlowDown","probability":0.5}"#))
            .unwrap();
        let p = probe("b", "GetObject", Some("k"));
        assert_eq!(f.hit(&p, 0.9).map(|h| h.rule), Some(first.id));
        assert_eq!(f.hit(&p, 0.9).map(|h| h.rule), Some(first.id));
        // The first is used up; the second hits only when the draw is under 0.5.
        assert_eq!(f.hit(&p, 0.9), None);
        assert_eq!(f.hit(&p, 0.2).map(|h| h.rule), Some(second.id));
        let listed = f.list();
        assert_eq!(listed[0].hits, 2);
        assert_eq!(listed[1].hits, 1);
        assert!(f.remove(first.id));
        assert!(!f.remove(first.id));
        assert_eq!(f.clear(), 1);
        assert!(f.is_empty());
    }
}
