//! Bucket event notification configuration (`?notification`; contract in
//! docs/notifications.md). Pure: the stored model, the S3 event names cosd emits, validation
//! with S3's errors, the ARN that names an operator-configured webhook, and the matching of a
//! change against the rules. The XML document is [`xml`]; the durable outbox the matches go
//! to is `service::notify`, the delivery worker `crate::notify`.

pub mod xml;

#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};

/// The largest configuration body accepted.
pub const MAX_NOTIFICATION_XML: usize = 256 * 1024;
/// Rules per configuration (S3 documents no number; this bounds the work per write).
pub const MAX_RULES: usize = 100;
/// The longest rule Id and filter value (S3: 1024 characters for a filter value).
pub const MAX_VALUE_LEN: usize = 1024;

/// The one event a change of an object produces (S3's names without the `s3:` prefix, as
/// the event JSON's `eventName` carries them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum EventName {
    #[serde(rename = "ObjectCreated:Put")]
    CreatedPut,
    #[serde(rename = "ObjectCreated:Post")]
    CreatedPost,
    #[serde(rename = "ObjectCreated:Copy")]
    CreatedCopy,
    #[serde(rename = "ObjectCreated:CompleteMultipartUpload")]
    CreatedMultipart,
    /// COS's Append Object (not an S3 event; `ObjectCreated:*` covers it).
    #[serde(rename = "ObjectCreated:Append")]
    CreatedAppend,
    #[serde(rename = "ObjectRemoved:Delete")]
    RemovedDelete,
    #[serde(rename = "ObjectRemoved:DeleteMarkerCreated")]
    RemovedMarker,
    #[serde(rename = "ObjectRestore:Post")]
    RestorePost,
    #[serde(rename = "LifecycleExpiration:Delete")]
    ExpirationDelete,
    #[serde(rename = "LifecycleExpiration:DeleteMarkerCreated")]
    ExpirationMarker,
    #[serde(rename = "LifecycleTransition")]
    Transition,
}

impl EventName {
    pub const ALL: [EventName; 11] = [
        EventName::CreatedPut,
        EventName::CreatedPost,
        EventName::CreatedCopy,
        EventName::CreatedMultipart,
        EventName::CreatedAppend,
        EventName::RemovedDelete,
        EventName::RemovedMarker,
        EventName::RestorePost,
        EventName::ExpirationDelete,
        EventName::ExpirationMarker,
        EventName::Transition,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventName::CreatedPut => "ObjectCreated:Put",
            EventName::CreatedPost => "ObjectCreated:Post",
            EventName::CreatedCopy => "ObjectCreated:Copy",
            EventName::CreatedMultipart => "ObjectCreated:CompleteMultipartUpload",
            EventName::CreatedAppend => "ObjectCreated:Append",
            EventName::RemovedDelete => "ObjectRemoved:Delete",
            EventName::RemovedMarker => "ObjectRemoved:DeleteMarkerCreated",
            EventName::RestorePost => "ObjectRestore:Post",
            EventName::ExpirationDelete => "LifecycleExpiration:Delete",
            EventName::ExpirationMarker => "LifecycleExpiration:DeleteMarkerCreated",
            EventName::Transition => "LifecycleTransition",
        }
    }

    /// A removal: by a request (`delete`) or by a lifecycle rule, leaving a delete marker when
    /// the bucket is versioned (`marker`).
    pub fn removed(lifecycle: bool, marker: bool) -> EventName {
        match (lifecycle, marker) {
            (false, false) => EventName::RemovedDelete,
            (false, true) => EventName::RemovedMarker,
            (true, false) => EventName::ExpirationDelete,
            (true, true) => EventName::ExpirationMarker,
        }
    }
}

/// Whether the `<Event>` value `pattern` (validated) selects `event`.
pub fn pattern_matches(pattern: &str, event: EventName) -> bool {
    let Some(p) = pattern.strip_prefix("s3:") else {
        return false;
    };
    match p.strip_suffix(":*") {
        Some(family) => event
            .as_str()
            .strip_prefix(family)
            .is_some_and(|rest| rest.starts_with(':')),
        None => p == event.as_str(),
    }
}

/// `<Event>` values S3 defines that cosd never emits: refused rather than accepted silently.
const NOT_EMITTED: &[&str] = &[
    "s3:ObjectRestore:Completed",
    "s3:ObjectRestore:Delete",
    "s3:ObjectTagging:*",
    "s3:ObjectTagging:Put",
    "s3:ObjectTagging:Delete",
    "s3:ObjectAcl:Put",
    "s3:ReducedRedundancyLostObject",
    "s3:IntelligentTiering",
    "s3:Replication:*",
    "s3:Replication:OperationFailedReplication",
    "s3:Replication:OperationMissedThreshold",
    "s3:Replication:OperationReplicatedAfterThreshold",
    "s3:Replication:OperationNotTracked",
    "s3:TestEvent",
];

/// Checks one `<Event>` value.
fn check_event(pattern: &str) -> Result<(), NotifyConfigError> {
    if NOT_EMITTED.contains(&pattern) {
        return Err(NotifyConfigError::InvalidArgument(format!(
            "The event {pattern} is not supported by this server"
        )));
    }
    if EventName::ALL.iter().any(|e| pattern_matches(pattern, *e)) {
        return Ok(());
    }
    Err(NotifyConfigError::InvalidArgument(format!(
        "The event is not supported for notifications: {pattern}"
    )))
}

/// Which S3 element a rule was sent as; all three deliver to a configured webhook.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Destination {
    Queue,
    Topic,
    CloudFunction,
}

impl Destination {
    /// The element (`QueueConfiguration`) and its ARN child (`Queue`).
    pub fn elements(self) -> (&'static str, &'static str) {
        match self {
            Destination::Queue => ("QueueConfiguration", "Queue"),
            Destination::Topic => ("TopicConfiguration", "Topic"),
            Destination::CloudFunction => ("CloudFunctionConfiguration", "CloudFunction"),
        }
    }
}

/// The bucket's notification configuration as stored (`BucketRecord.notification`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct NotificationConfig {
    pub rules: Vec<NotifyRule>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct NotifyRule {
    pub id: String,
    pub destination: Destination,
    /// The ARN as sent (GET answers it).
    pub arn: String,
    /// The webhook the ARN names (`[[notify_webhooks]] id`).
    pub target: String,
    /// `<Event>` values as sent (`s3:ObjectCreated:*`).
    pub events: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suffix: Option<String>,
}

impl NotifyRule {
    /// Whether a change `event` of `key` is one this rule sends.
    pub fn matches(&self, event: EventName, key: &str) -> bool {
        self.prefix.as_deref().is_none_or(|p| key.starts_with(p))
            && self.suffix.as_deref().is_none_or(|s| key.ends_with(s))
            && self.events.iter().any(|p| pattern_matches(p, event))
    }
}

impl NotificationConfig {
    /// The rules a change matches, at most one per target (validation keeps rules of one
    /// target from overlapping; the first wins should an old record hold such a pair).
    pub fn matching(&self, event: EventName, key: &str) -> Vec<&NotifyRule> {
        let mut out: Vec<&NotifyRule> = Vec::new();
        for r in &self.rules {
            if r.matches(event, key) && !out.iter().any(|o| o.target == r.target) {
                out.push(r);
            }
        }
        out
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotifyConfigError {
    #[error("{0}")]
    MalformedXml(String),
    #[error("{0}")]
    InvalidArgument(String),
}

/// The message S3 answers for a destination it cannot use.
pub const UNVALIDATED_DESTINATION: &str =
    "Unable to validate the following destination configurations";

/// The webhook id an ARN names: `arn:cosd:sqs:<region>:<id>:webhook` (MinIO's
/// `arn:minio:sqs:<region>:<id>:webhook` too, so its tools work; `sns` and `lambda` for
/// Topic and CloudFunction configurations). The region is empty or the server's.
pub fn parse_arn<'a>(arn: &'a str, region: &str) -> Option<&'a str> {
    let parts: Vec<&str> = arn.split(':').collect();
    match parts.as_slice() {
        ["arn", "cosd" | "minio", "sqs" | "sns" | "lambda", r, id, "webhook"]
            if (r.is_empty() || *r == region) && !id.is_empty() =>
        {
            Some(id)
        }
        _ => None,
    }
}

/// The canonical ARN of webhook `id` (docs, logs).
pub fn arn_of(id: &str, region: &str) -> String {
    format!("arn:cosd:sqs:{region}:{id}:webhook")
}

fn overlaps(a: Option<&str>, b: Option<&str>, f: fn(&str, &str) -> bool) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => f(a, b) || f(b, a),
        _ => true,
    }
}

/// Checks a parsed configuration: known events, and no two rules of one target that could
/// both send the same event for one key (S3's "Configurations overlap").
pub fn validate(c: &NotificationConfig) -> Result<(), NotifyConfigError> {
    if c.rules.len() > MAX_RULES {
        return Err(NotifyConfigError::InvalidArgument(format!(
            "A notification configuration may have at most {MAX_RULES} rules"
        )));
    }
    for (i, r) in c.rules.iter().enumerate() {
        if r.events.is_empty() {
            return Err(NotifyConfigError::MalformedXml(
                "Each configuration needs at least one Event".into(),
            ));
        }
        for e in &r.events {
            check_event(e)?;
        }
        if c.rules[..i].iter().any(|o| o.id == r.id) {
            return Err(NotifyConfigError::InvalidArgument(format!(
                "Duplicate configuration Id {:?}",
                r.id
            )));
        }
        for o in &c.rules[..i] {
            let shared = EventName::ALL.iter().any(|e| {
                r.events.iter().any(|p| pattern_matches(p, *e))
                    && o.events.iter().any(|p| pattern_matches(p, *e))
            });
            if o.target == r.target
                && shared
                && overlaps(r.prefix.as_deref(), o.prefix.as_deref(), |a, b| {
                    a.starts_with(b)
                })
                && overlaps(r.suffix.as_deref(), o.suffix.as_deref(), |a, b| {
                    a.ends_with(b)
                })
            {
                return Err(NotifyConfigError::InvalidArgument(
                    "Configurations overlap. Configurations on the same bucket cannot share a common event type.".into(),
                ));
            }
        }
    }
    Ok(())
}
