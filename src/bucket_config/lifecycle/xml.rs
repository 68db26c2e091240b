//! The `LifecycleConfiguration` XML: parsing into the stored model (then [`super::validate`]),
//! and the GET answer, which returns what was sent in a normalised form.

use super::{
    validate, Expiration, Filter, LifecycleConfig, LifecycleError, NoncurrentExpiration,
    NoncurrentTransition, Rule, Transition, When,
};
use crate::xml::XmlWriter;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
struct XmlDoc {
    #[serde(rename = "Rule", default)]
    rules: Vec<XmlRule>,
}

#[derive(Debug, Deserialize, Default)]
struct XmlTag {
    #[serde(rename = "Key", default)]
    key: Option<String>,
    #[serde(rename = "Value", default)]
    value: Option<String>,
}

#[derive(Debug, Deserialize, Default)]
struct XmlAnd {
    #[serde(rename = "Prefix", default)]
    prefix: Option<String>,
    #[serde(rename = "Tag", default)]
    tags: Vec<XmlTag>,
    #[serde(rename = "ObjectSizeGreaterThan", default)]
    size_gt: Option<String>,
    #[serde(rename = "ObjectSizeLessThan", default)]
    size_lt: Option<String>,
}

#[derive(Debug, Deserialize, Default)]
struct XmlFilter {
    #[serde(rename = "Prefix", default)]
    prefix: Option<String>,
    #[serde(rename = "Tag", default)]
    tag: Option<XmlTag>,
    #[serde(rename = "ObjectSizeGreaterThan", default)]
    size_gt: Option<String>,
    #[serde(rename = "ObjectSizeLessThan", default)]
    size_lt: Option<String>,
    #[serde(rename = "And", default)]
    and: Option<XmlAnd>,
}

#[derive(Debug, Deserialize, Default)]
struct XmlExpiration {
    #[serde(rename = "Days", default)]
    days: Option<String>,
    #[serde(rename = "Date", default)]
    date: Option<String>,
    #[serde(rename = "ExpiredObjectDeleteMarker", default)]
    marker: Option<String>,
}

#[derive(Debug, Deserialize, Default)]
struct XmlTransition {
    #[serde(rename = "Days", default)]
    days: Option<String>,
    #[serde(rename = "Date", default)]
    date: Option<String>,
    #[serde(rename = "StorageClass", default)]
    class: Option<String>,
}

#[derive(Debug, Deserialize, Default)]
struct XmlNoncurrent {
    #[serde(rename = "NoncurrentDays", default)]
    days: Option<String>,
    #[serde(rename = "StorageClass", default)]
    class: Option<String>,
    #[serde(rename = "NewerNoncurrentVersions", default)]
    newer: Option<String>,
}

#[derive(Debug, Deserialize, Default)]
struct XmlAbort {
    #[serde(rename = "DaysAfterInitiation", default)]
    days: Option<String>,
}

#[derive(Debug, Deserialize, Default)]
struct XmlRule {
    #[serde(rename = "ID", default)]
    id: Option<String>,
    #[serde(rename = "Status", default)]
    status: Option<String>,
    #[serde(rename = "Prefix", default)]
    prefix: Option<String>,
    #[serde(rename = "Filter", default)]
    filter: Option<XmlFilter>,
    #[serde(rename = "Expiration", default)]
    expiration: Option<XmlExpiration>,
    #[serde(rename = "Transition", default)]
    transitions: Vec<XmlTransition>,
    #[serde(rename = "NoncurrentVersionExpiration", default)]
    noncurrent_expiration: Option<XmlNoncurrent>,
    #[serde(rename = "NoncurrentVersionTransition", default)]
    noncurrent_transitions: Vec<XmlNoncurrent>,
    #[serde(rename = "AbortIncompleteMultipartUpload", default)]
    abort: Option<XmlAbort>,
}

fn malformed(m: impl Into<String>) -> LifecycleError {
    LifecycleError::MalformedXml(m.into())
}

/// A whole number as sent (`Days`, sizes): not a number is MalformedXML (S3's schema check);
/// its range is checked by [`validate`].
fn number<T: std::str::FromStr>(name: &str, v: &str) -> Result<T, LifecycleError> {
    v.trim()
        .parse()
        .map_err(|_| malformed(format!("{name} must be a whole number, not {v:?}")))
}

/// `Days` may be sent negative: that is S3's InvalidArgument, not a schema error.
fn days(name: &str, action: &str, v: &str) -> Result<u32, LifecycleError> {
    let n: i64 = number(name, v)?;
    if n < 0 {
        return Err(LifecycleError::InvalidArgument(format!(
            "'{name}' for {action} action must be a positive integer"
        )));
    }
    u32::try_from(n).map_err(|_| malformed(format!("{name} is too large")))
}

fn date(v: &str) -> Result<i64, LifecycleError> {
    let t = v.trim();
    // A bare date (`2030-01-01`) is taken as its midnight, as COS's console sends it.
    let full = if t.len() == 10 {
        format!("{t}T00:00:00Z")
    } else {
        t.to_string()
    };
    crate::bucket_config::object_lock::parse_date(&full).ok_or_else(|| {
        LifecycleError::InvalidArgument(format!(
            "Invalid date {v:?}: expected ISO 8601 midnight GMT"
        ))
    })
}

fn when(
    days_v: Option<&str>,
    date_v: Option<&str>,
    action: &str,
) -> Result<Option<When>, LifecycleError> {
    match (days_v, date_v) {
        (Some(_), Some(_)) => Err(LifecycleError::InvalidArgument(format!(
            "{action} action cannot have both Days and Date"
        ))),
        (Some(d), None) => Ok(Some(When::Days(days("Days", action, d)?))),
        (None, Some(d)) => Ok(Some(When::Date(date(d)?))),
        (None, None) => Ok(None),
    }
}

fn tag(t: XmlTag) -> Result<(String, String), LifecycleError> {
    match t.key {
        Some(k) if !k.is_empty() => Ok((k, t.value.unwrap_or_default())),
        _ => Err(malformed("A Tag needs a Key")),
    }
}

fn bool_value(name: &str, v: &str) -> Result<bool, LifecycleError> {
    match v.trim() {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(malformed(format!("{name} must be true or false"))),
    }
}

/// The rule's filter, and whether it used `<And>`.
fn filter(f: XmlFilter) -> Result<(Filter, bool), LifecycleError> {
    let given = [
        f.prefix.is_some(),
        f.tag.is_some(),
        f.size_gt.is_some(),
        f.size_lt.is_some(),
        f.and.is_some(),
    ];
    if given.iter().filter(|g| **g).count() > 1 {
        return Err(malformed(
            "A Filter may hold only one of Prefix, Tag, ObjectSizeGreaterThan, ObjectSizeLessThan or And",
        ));
    }
    let size = |name: &str, v: Option<String>| -> Result<Option<u64>, LifecycleError> {
        v.map(|s| number(name, &s)).transpose()
    };
    if let Some(a) = f.and {
        let tags = a.tags.into_iter().map(tag).collect::<Result<Vec<_>, _>>()?;
        return Ok((
            Filter {
                prefix: a.prefix,
                tags,
                size_gt: size("ObjectSizeGreaterThan", a.size_gt)?,
                size_lt: size("ObjectSizeLessThan", a.size_lt)?,
            },
            true,
        ));
    }
    Ok((
        Filter {
            prefix: f.prefix,
            tags: f.tag.map(tag).transpose()?.into_iter().collect(),
            size_gt: size("ObjectSizeGreaterThan", f.size_gt)?,
            size_lt: size("ObjectSizeLessThan", f.size_lt)?,
        },
        false,
    ))
}

fn noncurrent_days(n: &XmlNoncurrent, action: &str) -> Result<u32, LifecycleError> {
    let d = n
        .days
        .as_deref()
        .ok_or_else(|| malformed(format!("{action} needs NoncurrentDays")))?;
    days("NoncurrentDays", action, d)
}

fn newer(n: &XmlNoncurrent) -> Result<Option<u32>, LifecycleError> {
    n.newer
        .as_deref()
        .map(|v| number("NewerNoncurrentVersions", v))
        .transpose()
}

fn rule(x: XmlRule, fresh_id: &mut dyn FnMut() -> String) -> Result<Rule, LifecycleError> {
    let enabled = match x.status.as_deref().map(str::trim) {
        Some("Enabled") => true,
        Some("Disabled") => false,
        _ => return Err(malformed("Status must be Enabled or Disabled")),
    };
    let id = match x.id {
        Some(id) if !id.is_empty() => id,
        _ => fresh_id(),
    };
    let (filter, and, legacy_prefix) = match (x.prefix, x.filter) {
        (Some(_), Some(_)) => {
            return Err(malformed("A Rule may have a Prefix or a Filter, not both"))
        }
        (Some(p), None) => (
            Filter {
                prefix: Some(p),
                ..Filter::default()
            },
            false,
            true,
        ),
        (None, Some(f)) => {
            let (f, and) = filter(f)?;
            (f, and, false)
        }
        (None, None) => return Err(malformed("A Rule needs a Filter or a Prefix")),
    };
    let expiration = match x.expiration {
        Some(e) => Some(Expiration {
            when: when(e.days.as_deref(), e.date.as_deref(), "Expiration")?,
            expired_object_delete_marker: e
                .marker
                .as_deref()
                .map(|v| bool_value("ExpiredObjectDeleteMarker", v))
                .transpose()?,
        }),
        None => None,
    };
    let mut transitions = Vec::with_capacity(x.transitions.len());
    for t in x.transitions {
        let when = when(t.days.as_deref(), t.date.as_deref(), "Transition")?
            .ok_or_else(|| malformed("Transition needs Days or Date"))?;
        let storage_class = t
            .class
            .ok_or_else(|| malformed("Transition needs a StorageClass"))?;
        transitions.push(Transition {
            when,
            storage_class: storage_class.trim().to_string(),
        });
    }
    let noncurrent_expiration = match x.noncurrent_expiration {
        Some(n) => Some(NoncurrentExpiration {
            days: noncurrent_days(&n, "NoncurrentVersionExpiration")?,
            newer: newer(&n)?,
        }),
        None => None,
    };
    let mut noncurrent_transitions = Vec::with_capacity(x.noncurrent_transitions.len());
    for n in x.noncurrent_transitions {
        let storage_class = n
            .class
            .clone()
            .ok_or_else(|| malformed("NoncurrentVersionTransition needs a StorageClass"))?;
        noncurrent_transitions.push(NoncurrentTransition {
            days: noncurrent_days(&n, "NoncurrentVersionTransition")?,
            storage_class: storage_class.trim().to_string(),
            newer: newer(&n)?,
        });
    }
    let abort_days = match x.abort {
        Some(a) => {
            let d = a.days.as_deref().ok_or_else(|| {
                malformed("AbortIncompleteMultipartUpload needs DaysAfterInitiation")
            })?;
            Some(days(
                "DaysAfterInitiation",
                "AbortIncompleteMultipartUpload",
                d,
            )?)
        }
        None => None,
    };
    Ok(Rule {
        id,
        enabled,
        legacy_prefix,
        and,
        filter,
        expiration,
        transitions,
        noncurrent_expiration,
        noncurrent_transitions,
        abort_days,
    })
}

/// Parses and validates a `LifecycleConfiguration` body; rules without an ID get
/// `fresh_id()` (S3 generates one).
pub fn parse(
    body: &[u8],
    fresh_id: &mut dyn FnMut() -> String,
) -> Result<LifecycleConfig, LifecycleError> {
    let doc: XmlDoc = crate::xml::parse_rooted(body, "LifecycleConfiguration")
        .map_err(|e| malformed(e.to_string()))?;
    if doc.rules.len() > super::MAX_RULES {
        return Err(malformed(format!(
            "The lifecycle configuration may have at most {} rules.",
            super::MAX_RULES
        )));
    }
    let rules = doc
        .rules
        .into_iter()
        .map(|r| rule(r, fresh_id))
        .collect::<Result<Vec<_>, _>>()?;
    let config = LifecycleConfig { rules };
    validate(&config)?;
    Ok(config)
}

fn write_when(w: &mut XmlWriter, when: When) {
    match when {
        When::Days(d) => w.elem("Days", &d.to_string()),
        When::Date(ms) => w.elem("Date", &crate::xml::iso8601_ms(ms)),
    };
}

fn write_tag(w: &mut XmlWriter, (k, v): &(String, String)) {
    w.open("Tag").elem("Key", k).elem("Value", v).close("Tag");
}

fn write_filter(w: &mut XmlWriter, r: &Rule) {
    let f = &r.filter;
    if r.legacy_prefix {
        w.elem("Prefix", f.prefix());
        return;
    }
    w.open("Filter");
    if r.and {
        w.open("And");
    }
    if let Some(p) = &f.prefix {
        w.elem("Prefix", p);
    }
    for t in &f.tags {
        write_tag(w, t);
    }
    if let Some(n) = f.size_gt {
        w.elem("ObjectSizeGreaterThan", &n.to_string());
    }
    if let Some(n) = f.size_lt {
        w.elem("ObjectSizeLessThan", &n.to_string());
    }
    if r.and {
        w.close("And");
    }
    w.close("Filter");
}

fn write_noncurrent(w: &mut XmlWriter, days: u32, class: Option<&str>, newer: Option<u32>) {
    w.elem("NoncurrentDays", &days.to_string());
    if let Some(c) = class {
        w.elem("StorageClass", c);
    }
    if let Some(n) = newer {
        w.elem("NewerNoncurrentVersions", &n.to_string());
    }
}

/// The GET answer.
pub fn to_xml(c: &LifecycleConfig) -> String {
    let mut w = XmlWriter::new();
    w.open("LifecycleConfiguration");
    for r in &c.rules {
        w.open("Rule").elem("ID", &r.id);
        write_filter(&mut w, r);
        w.elem("Status", if r.enabled { "Enabled" } else { "Disabled" });
        for t in &r.transitions {
            w.open("Transition");
            write_when(&mut w, t.when);
            w.elem("StorageClass", &t.storage_class).close("Transition");
        }
        for n in &r.noncurrent_transitions {
            w.open("NoncurrentVersionTransition");
            write_noncurrent(&mut w, n.days, Some(&n.storage_class), n.newer);
            w.close("NoncurrentVersionTransition");
        }
        if let Some(e) = &r.expiration {
            w.open("Expiration");
            if let Some(when) = e.when {
                write_when(&mut w, when);
            }
            if let Some(m) = e.expired_object_delete_marker {
                w.elem(
                    "ExpiredObjectDeleteMarker",
                    if m { "true" } else { "false" },
                );
            }
            w.close("Expiration");
        }
        if let Some(n) = &r.noncurrent_expiration {
            w.open("NoncurrentVersionExpiration");
            write_noncurrent(&mut w, n.days, None, n.newer);
            w.close("NoncurrentVersionExpiration");
        }
        if let Some(d) = r.abort_days {
            w.open("AbortIncompleteMultipartUpload")
                .elem("DaysAfterInitiation", &d.to_string())
                .close("AbortIncompleteMultipartUpload");
        }
        w.close("Rule");
    }
    w.close("LifecycleConfiguration");
    w.finish()
}
