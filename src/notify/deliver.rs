//! The delivery worker: one task per webhook posts that webhook's outbox entries strictly in
//! sequence order (so in order per key), one event per POST, and deletes an entry once the
//! webhook answered 2xx. On a failure (connection error, timeout, any other status) it waits
//! and retries the same entry, the wait doubling from `retry_initial` up to `retry_max`, so
//! nothing is skipped and a later event never overtakes an earlier one. The outbox is
//! durable: after a restart delivery resumes at the oldest entry not acknowledged.
//!
//! Delivery is at least once: a crash between the webhook's 2xx and the deletion, or a
//! response lost in transit, sends that event again. Receivers dedupe on `sequencer`
//! (unique, and increasing in commit order).

use super::event::{message, sequencer};
use super::WebhookDecl;
use crate::service::{ServiceError, Store};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// How long to wait before retrying a failed delivery.
#[derive(Debug, Clone, Copy)]
pub struct Backoff {
    pub initial: Duration,
    pub max: Duration,
}

#[derive(Debug, thiserror::Error)]
pub enum DeliveryError {
    #[error("reading the outbox: {0}")]
    Store(#[from] ServiceError),
    #[error("webhook request failed: {0}")]
    Http(String),
    #[error("webhook answered {0}")]
    Status(u16),
}

/// One webhook's deliverer.
pub struct Deliverer {
    store: Arc<Store>,
    hook: WebhookDecl,
    region: String,
    client: reqwest::Client,
    backoff: Backoff,
    /// The last sequence number delivered (the next scan starts after it, past the
    /// deletions' tombstones).
    after: Option<u64>,
}

/// Entries read from the outbox at a time.
const PAGE: usize = 64;

impl Deliverer {
    pub fn new(store: Arc<Store>, hook: WebhookDecl, region: &str, backoff: Backoff) -> Self {
        // Building a client without TLS or proxies configured cannot fail in practice; if it
        // did, the default one is the same minus the timeout, which the request sets too.
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(hook.timeout_secs))
            .build()
            .unwrap_or_default();
        Deliverer {
            store,
            hook,
            region: region.to_string(),
            client,
            backoff,
            after: None,
        }
    }

    /// Posts every entry ready now, in order; stops at the first failure (that entry stays
    /// first). Returns how many were delivered. What was delivered is forgotten a page at a
    /// time (one metadata write, not one per event; a crash before it only repeats them).
    pub async fn pass(&mut self) -> Result<usize, DeliveryError> {
        let mut sent = 0;
        loop {
            let page = self
                .store
                .outbox_page(&self.hook.id, self.after, PAGE)
                .await?;
            if page.is_empty() {
                return Ok(sent);
            }
            let mut done = Vec::with_capacity(page.len());
            let mut failed = None;
            for (seq, entry) in page {
                match entry {
                    Ok(e) => match self.post(seq, &message(seq, &e, &self.region)).await {
                        Ok(()) => sent += 1,
                        Err(err) => {
                            failed = Some(err);
                            break;
                        }
                    },
                    // Nothing can deliver it; holding it would stop the webhook for good.
                    Err(why) => tracing::error!(
                        webhook = %self.hook.id,
                        sequencer = %sequencer(seq),
                        error = %why,
                        "undecodable notification outbox entry dropped"
                    ),
                }
                done.push(seq);
            }
            let last = done.last().copied();
            self.store.outbox_ack(&self.hook.id, done).await?;
            // Only past what is forgotten: a failed deletion is read (and sent) again.
            self.after = last.or(self.after);
            if let Some(err) = failed {
                return Err(err);
            }
        }
    }

    async fn post(&self, seq: u64, body: &serde_json::Value) -> Result<(), DeliveryError> {
        let mut req = self
            .client
            .post(&self.hook.url)
            .header("content-type", "application/json")
            .body(body.to_string());
        if !self.hook.auth_token.is_empty() {
            req = req.bearer_auth(&self.hook.auth_token);
        }
        // reqwest's error text names the URL, never the headers.
        let resp = req
            .send()
            .await
            .map_err(|e| DeliveryError::Http(e.without_url().to_string()))?;
        let status = resp.status();
        // Read the answer to the end so the connection can be reused.
        let _ = resp.bytes().await;
        if status.is_success() {
            tracing::debug!(webhook = %self.hook.id, sequencer = %sequencer(seq), "notification delivered");
            Ok(())
        } else {
            Err(DeliveryError::Status(status.as_u16()))
        }
    }

    /// Delivers until `stop` fires: a pass whenever new events become durable, and after a
    /// failure a retry once the backoff has passed.
    pub async fn run(mut self, mut stop: watch::Receiver<bool>) {
        let mut ready = self.store.outbox_ready();
        let mut delay = self.backoff.initial;
        loop {
            ready.borrow_and_update();
            match self.pass().await {
                Ok(_) => {
                    delay = self.backoff.initial;
                    tokio::select! {
                        r = ready.changed() => if r.is_err() { return },
                        _ = stop.changed() => return,
                    }
                }
                Err(e) => {
                    tracing::warn!(
                        webhook = %self.hook.id,
                        error = %e,
                        retry_in_ms = delay.as_millis() as u64,
                        "notification delivery failed"
                    );
                    tokio::select! {
                        _ = tokio::time::sleep(delay) => {}
                        _ = stop.changed() => return,
                    }
                    delay = (delay * 2).min(self.backoff.max);
                }
            }
        }
    }
}

/// Starts one deliverer per configured webhook, and reports the backlog each has waiting
/// (and entries left for ids no longer configured).
pub fn spawn(
    store: &Arc<Store>,
    hooks: &[WebhookDecl],
    region: &str,
    backoff: Backoff,
    stop: &watch::Receiver<bool>,
) -> Vec<tokio::task::JoinHandle<()>> {
    let mut tasks = Vec::with_capacity(hooks.len() + 1);
    let (s, ids) = (
        Arc::clone(store),
        hooks.iter().map(|h| h.id.clone()).collect::<Vec<_>>(),
    );
    tasks.push(tokio::spawn(async move {
        match s.outbox_backlog().await {
            Ok(backlog) => {
                for (id, n) in backlog {
                    if ids.contains(&id) {
                        tracing::info!(webhook = %id, events = n, "notification backlog");
                    } else {
                        tracing::warn!(
                            webhook = %id,
                            events = n,
                            "notification events kept for a webhook that is not configured"
                        );
                    }
                }
            }
            Err(e) => tracing::warn!(error = %e, "reading the notification backlog failed"),
        }
    }));
    for h in hooks {
        let d = Deliverer::new(Arc::clone(store), h.clone(), region, backoff);
        tasks.push(tokio::spawn(d.run(stop.clone())));
    }
    tasks
}
