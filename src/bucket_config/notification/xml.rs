//! The `NotificationConfiguration` XML: parsing into the stored model (then
//! [`super::validate`]), and the GET answer.

use super::{
    parse_arn, validate, Destination, NotificationConfig, NotifyConfigError, NotifyRule,
    MAX_VALUE_LEN, UNVALIDATED_DESTINATION,
};
use crate::xml::XmlWriter;
use serde::Deserialize;

#[derive(Debug, Deserialize, Default)]
struct XmlDoc {
    #[serde(rename = "TopicConfiguration", default)]
    topics: Vec<XmlRule>,
    #[serde(rename = "QueueConfiguration", default)]
    queues: Vec<XmlRule>,
    #[serde(rename = "CloudFunctionConfiguration", default)]
    functions: Vec<XmlRule>,
    #[serde(rename = "EventBridgeConfiguration", default)]
    event_bridge: Option<XmlEmpty>,
}

#[derive(Debug, Deserialize, Default)]
struct XmlEmpty {}

#[derive(Debug, Deserialize, Default)]
struct XmlRule {
    #[serde(rename = "Id", default)]
    id: Option<String>,
    #[serde(rename = "Queue", default)]
    queue: Option<String>,
    #[serde(rename = "Topic", default)]
    topic: Option<String>,
    #[serde(rename = "CloudFunction", default)]
    function: Option<String>,
    #[serde(rename = "Event", default)]
    events: Vec<String>,
    #[serde(rename = "Filter", default)]
    filter: Option<XmlFilter>,
}

#[derive(Debug, Deserialize, Default)]
struct XmlFilter {
    #[serde(rename = "S3Key", default)]
    key: Option<XmlS3Key>,
}

#[derive(Debug, Deserialize, Default)]
struct XmlS3Key {
    #[serde(rename = "FilterRule", default)]
    rules: Vec<XmlFilterRule>,
}

#[derive(Debug, Deserialize, Default)]
struct XmlFilterRule {
    #[serde(rename = "Name", default)]
    name: Option<String>,
    #[serde(rename = "Value", default)]
    value: Option<String>,
}

fn invalid(m: impl Into<String>) -> NotifyConfigError {
    NotifyConfigError::InvalidArgument(m.into())
}

fn rule(
    x: XmlRule,
    destination: Destination,
    region: &str,
    is_target: &dyn Fn(&str) -> bool,
    fresh_id: &mut dyn FnMut() -> String,
) -> Result<NotifyRule, NotifyConfigError> {
    let (element, child) = destination.elements();
    let arn = match destination {
        Destination::Queue => x.queue,
        Destination::Topic => x.topic,
        Destination::CloudFunction => x.function,
    }
    .map(|a| a.trim().to_string())
    .ok_or_else(|| NotifyConfigError::MalformedXml(format!("{element} needs a {child}")))?;
    let target = parse_arn(&arn, region)
        .filter(|id| is_target(id))
        .ok_or_else(|| invalid(UNVALIDATED_DESTINATION))?
        .to_string();
    let id = match x.id.map(|s| s.trim().to_string()) {
        Some(id) if !id.is_empty() => id,
        _ => fresh_id(),
    };
    if id.len() > MAX_VALUE_LEN {
        return Err(invalid("The configuration Id is too long"));
    }
    let (mut prefix, mut suffix) = (None, None);
    for r in x
        .filter
        .and_then(|f| f.key)
        .map(|k| k.rules)
        .unwrap_or_default()
    {
        let name = r.name.unwrap_or_default();
        let value = r.value.unwrap_or_default();
        if value.len() > MAX_VALUE_LEN {
            return Err(invalid("The filter rule value is too long"));
        }
        let slot = match name.trim().to_ascii_lowercase().as_str() {
            "prefix" => &mut prefix,
            "suffix" => &mut suffix,
            _ => return Err(invalid("filter rule name must be either prefix or suffix")),
        };
        if slot.replace(value).is_some() {
            return Err(invalid(format!(
                "Cannot specify more than one {} rule in a filter.",
                name.trim().to_ascii_lowercase()
            )));
        }
    }
    Ok(NotifyRule {
        id,
        destination,
        arn,
        target,
        events: x.events.into_iter().map(|e| e.trim().to_string()).collect(),
        prefix,
        suffix,
    })
}

/// Parses and validates a `NotificationConfiguration` body. `is_target` says whether a
/// webhook id is configured; rules without an Id get `fresh_id()` (S3 generates one).
pub fn parse(
    body: &[u8],
    region: &str,
    is_target: &dyn Fn(&str) -> bool,
    fresh_id: &mut dyn FnMut() -> String,
) -> Result<NotificationConfig, NotifyConfigError> {
    let doc: XmlDoc = crate::xml::parse_rooted(body, "NotificationConfiguration")
        .map_err(|e| NotifyConfigError::MalformedXml(e.to_string()))?;
    if doc.event_bridge.is_some() {
        return Err(invalid(UNVALIDATED_DESTINATION));
    }
    let mut rules = Vec::new();
    for (list, d) in [
        (doc.topics, Destination::Topic),
        (doc.queues, Destination::Queue),
        (doc.functions, Destination::CloudFunction),
    ] {
        for x in list {
            rules.push(rule(x, d, region, is_target, fresh_id)?);
        }
    }
    let config = NotificationConfig { rules };
    validate(&config)?;
    Ok(config)
}

/// The GET answer (an empty `NotificationConfiguration` when none is set, as S3 answers).
pub fn to_xml(c: Option<&NotificationConfig>) -> String {
    let mut w = XmlWriter::new();
    w.open("NotificationConfiguration");
    for d in [
        Destination::Topic,
        Destination::Queue,
        Destination::CloudFunction,
    ] {
        let (element, child) = d.elements();
        for r in c
            .into_iter()
            .flat_map(|c| &c.rules)
            .filter(|r| r.destination == d)
        {
            w.open(element).elem("Id", &r.id).elem(child, &r.arn);
            for e in &r.events {
                w.elem("Event", e);
            }
            if r.prefix.is_some() || r.suffix.is_some() {
                w.open("Filter").open("S3Key");
                for (name, v) in [("Prefix", &r.prefix), ("Suffix", &r.suffix)] {
                    if let Some(v) = v {
                        w.open("FilterRule")
                            .elem("Name", name)
                            .elem("Value", v)
                            .close("FilterRule");
                    }
                }
                w.close("S3Key").close("Filter");
            }
            w.close(element);
        }
    }
    w.close("NotificationConfiguration");
    w.finish()
}
