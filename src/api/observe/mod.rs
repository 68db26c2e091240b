//! Seeing and breaking what clients do: the request journal ([`journal`]) and fault injection
//! ([`faults`]), both reached through the admin API. The pipeline builds one journal entry per
//! request at its end; authorization decisions reach it through a task-local [`Trail`] that
//! exists only while the journal is on.

pub mod access_log;
pub mod faults;
pub mod journal;
pub mod redact;

use axum::body::Body;
use bytes::Bytes;
use journal::{DecisionNote, Journal};
use std::sync::{Arc, Mutex};

/// The journal (when on), the fault rules and the access-log lines waiting for delivery.
pub struct Observer {
    pub journal: Option<Journal>,
    pub faults: faults::Faults,
    pub access_logs: access_log::AccessLogs,
}

impl Observer {
    pub fn new(journal_entries: usize) -> Observer {
        Observer {
            journal: Journal::new(journal_entries),
            faults: faults::Faults::default(),
            access_logs: access_log::AccessLogs::default(),
        }
    }
}

/// What a request's authorization decided, gathered while it runs.
#[derive(Default)]
pub struct Trail {
    decisions: Mutex<Vec<DecisionNote>>,
}

/// At most this many decisions are kept per request (a multi-delete asks per key).
const MAX_DECISIONS: usize = 16;

impl Trail {
    pub fn take(&self) -> Vec<DecisionNote> {
        std::mem::take(&mut *self.decisions.lock().unwrap_or_else(|p| p.into_inner()))
    }
}

tokio::task_local! {
    static TRAIL: Arc<Trail>;
}

/// Runs `fut` with `trail` collecting its authorization decisions.
pub async fn with_trail<F: std::future::Future>(trail: Arc<Trail>, fut: F) -> F::Output {
    TRAIL.scope(trail, fut).await
}

/// Notes an authorization decision for the journal (nothing when it is off).
pub fn note_decision(action: &str, resource: &str, d: &crate::policy::Decision) {
    let _ = TRAIL.try_with(|t| {
        let mut v = t.decisions.lock().unwrap_or_else(|p| p.into_inner());
        if v.len() < MAX_DECISIONS {
            v.push(DecisionNote {
                action: action.into(),
                resource: resource.into(),
                allowed: d.allowed,
                reason: d.reason.clone(),
                statement: d.statement.as_ref().map(|(p, i)| format!("{p}#{i}")),
            });
        }
    });
}

/// A response body cut after `after` bytes (default: half its declared length), then failed,
/// so that the connection closes with the answer short of its declared length (a `truncate`
/// fault).
pub fn truncate(resp: http::Response<Body>, after: Option<u64>) -> http::Response<Body> {
    use futures_util::StreamExt;
    use http_body::Body as _;
    let declared = resp
        .headers()
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        .or_else(|| resp.body().size_hint().exact());
    let left = after.unwrap_or_else(|| declared.unwrap_or(0) / 2);
    let (mut parts, body) = resp.into_parts();
    // The length is promised in the head (a stream has no size of its own), so the client
    // sees an answer short of it rather than a chunked one that merely ends early.
    if let Some(n) = declared {
        parts.headers.insert(http::header::CONTENT_LENGTH, n.into());
    }
    let state = (body.into_data_stream(), left, false);
    let cut = futures_util::stream::unfold(state, |(mut inner, left, done)| async move {
        if done {
            return None;
        }
        if left == 0 {
            // hyper sends what it buffered when the body is pending; failing at once would
            // drop the kept bytes (and the head) along with the connection.
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            return Some((Err(cut_error()), (inner, 0, true)));
        }
        match inner.next().await {
            Some(Ok(b)) => {
                let n = (b.len() as u64).min(left);
                Some((
                    Ok::<Bytes, _>(b.slice(..n as usize)),
                    (inner, left - n, false),
                ))
            }
            Some(Err(e)) => Some((Err(std::io::Error::other(e)), (inner, 0, true))),
            None => {
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                Some((Err(cut_error()), (inner, 0, true)))
            }
        }
    });
    http::Response::from_parts(parts, Body::from_stream(cut))
}

fn cut_error() -> std::io::Error {
    std::io::Error::other("response cut by an injected truncate fault")
}
