//! Delivery of bucket event notifications to webhooks (docs/notifications.md). The events
//! themselves are written by the service into a durable outbox in the batch of the change
//! they describe (`service/notify.rs`); this module is the operator's webhook declarations
//! (`[[notify_webhooks]]`), the S3 event JSON ([`event`]) and the worker that posts the
//! outbox in order and forgets what was acknowledged ([`deliver`]). It runs off the request
//! path, one task per webhook, so a slow or failing receiver delays only its own events.

pub mod deliver;
pub mod event;

use serde::Deserialize;

/// `[[notify_webhooks]]`: a webhook bucket owners may name in a notification configuration
/// (by ARN, `arn:cosd:sqs:<region>:<id>:webhook`). Only the operator declares URLs: a bucket
/// owner cannot make the server post to an address of their choosing.
#[derive(Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct WebhookDecl {
    /// Letters, digits, `-`, `_`, `.` (at most 64).
    pub id: String,
    /// `http://host:port/path` (plain HTTP).
    pub url: String,
    /// Sent as `Authorization: Bearer <token>` when not empty. Never logged.
    #[serde(default)]
    pub auth_token: String,
    /// How long one POST may take before it counts as failed, seconds.
    #[serde(default = "default_timeout")]
    pub timeout_secs: u64,
}

fn default_timeout() -> u64 {
    10
}

impl std::fmt::Debug for WebhookDecl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookDecl")
            .field("id", &self.id)
            .field("url", &self.url)
            .field(
                "auth_token",
                &if self.auth_token.is_empty() {
                    ""
                } else {
                    "<redacted>"
                },
            )
            .field("timeout_secs", &self.timeout_secs)
            .finish()
    }
}

/// Checks the declarations (configuration validation).
pub fn validate(hooks: &[WebhookDecl]) -> Result<(), String> {
    for (i, h) in hooks.iter().enumerate() {
        let id_ok = !h.id.is_empty()
            && h.id.len() <= 64
            && h.id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
        if !id_ok {
            return Err(format!(
                "notify_webhooks: invalid id {:?} (letters, digits, - _ . ; at most 64)",
                h.id
            ));
        }
        if hooks[..i].iter().any(|o| o.id == h.id) {
            return Err(format!("notify_webhooks: duplicate id {:?}", h.id));
        }
        match h.url.parse::<http::Uri>() {
            Ok(u) if u.scheme_str() == Some("http") && u.host().is_some() => {}
            _ => {
                return Err(format!(
                "notify_webhooks: {:?} needs an http:// URL with a host (https is not supported)",
                h.id
            ))
            }
        }
        if !(1..=3600).contains(&h.timeout_secs) {
            return Err(format!(
                "notify_webhooks: {:?} timeout_secs must be between 1 and 3600",
                h.id
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hook(id: &str, url: &str) -> WebhookDecl {
        WebhookDecl {
            id: id.into(),
            url: url.into(),
            auth_token: "s3cret".into(),
            timeout_secs: 10,
        }
    }

    #[test]
    fn declarations_are_checked_and_the_token_never_printed() {
        assert!(validate(&[hook("a-1", "http://127.0.0.1:8080/x")]).is_ok());
        for bad in [
            vec![hook("", "http://h/")],
            vec![hook("a:b", "http://h/")],
            vec![hook("a", "https://h/")],
            vec![hook("a", "h/x")],
            vec![hook("a", "http://h/"), hook("a", "http://g/")],
        ] {
            assert!(validate(&bad).is_err(), "{bad:?}");
        }
        let shown = format!("{:?}", hook("a", "http://h/"));
        assert!(
            !shown.contains("s3cret") && shown.contains("<redacted>"),
            "{shown}"
        );
    }
}
