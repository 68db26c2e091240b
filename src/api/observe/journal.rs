//! The request journal: the last N requests as the server saw them (secrets redacted), kept
//! in memory for `GET /_cosd/admin/journal` and `cosd admin journal --follow`. Off unless
//! `journal_entries` (or `--dev`) asks for it.

use serde::Serialize;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How the request was authorized: the action asked and the rule or statement that decided.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct DecisionNote {
    pub action: String,
    pub resource: String,
    pub allowed: bool,
    pub reason: String,
    /// `"<policy name>#<statement index>"` when a statement decided.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub statement: Option<String>,
}

/// One request.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    /// Assigned by the journal, increasing; `since` pages on it.
    pub seq: u64,
    /// RFC 3339, milliseconds, UTC.
    pub time: String,
    pub request_id: String,
    pub peer: String,
    pub method: String,
    pub host: String,
    pub path: String,
    /// The raw query with signatures and tokens redacted.
    pub query: String,
    /// Every header as sent (names lower case), secrets redacted.
    pub headers: Vec<(String, String)>,
    /// `q-sign`, `sigv4`, `sigv4-presigned`, `sigv2`, `json-api`, `anonymous`...
    pub scheme: &'static str,
    pub dialect: &'static str,
    pub principal: String,
    pub op: String,
    pub bucket: String,
    /// The authorization decisions taken (usually one; a copy asks for source and target).
    pub decisions: Vec<DecisionNote>,
    pub status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_code: Option<&'static str>,
    /// The request's declared body length (`x-amz-decoded-content-length` for aws-chunked).
    pub bytes_in: u64,
    /// The response's declared body length.
    pub bytes_out: u64,
    /// Until the response head was ready (a streamed body's sending is not included).
    pub latency_us: u64,
    /// The injected fault that answered or changed the request, by rule id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fault: Option<u64>,
}

/// What `GET /_cosd/admin/journal` asks for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// Only entries with a greater `seq`.
    pub since: Option<u64>,
    /// At most this many (the newest of those that match); default 100, at most 1000.
    pub limit: Option<usize>,
    pub bucket: Option<String>,
    pub op: Option<String>,
    /// `403`, or a class: `4xx`.
    pub status: Option<String>,
    pub code: Option<String>,
    pub principal: Option<String>,
    pub method: Option<String>,
    pub request_id: Option<String>,
    /// Seconds to wait for a first matching entry when there is none yet (long poll, at most 60).
    pub wait: Option<u64>,
}

impl Filter {
    pub const DEFAULT_LIMIT: usize = 100;
    pub const MAX_LIMIT: usize = 1000;

    /// The filter a decoded query string gives (a presigned request's signature parameters are
    /// not filters; any other unknown name is an error).
    pub fn from_query(pairs: &[(String, String)]) -> Result<Filter, String> {
        let mut f = Filter::default();
        let number = |k: &str, v: &str| {
            v.parse::<u64>()
                .map_err(|_| format!("{k} must be a whole number, not {v:?}"))
        };
        for (k, v) in pairs {
            let text = Some(v.clone());
            match k.as_str() {
                "since" => f.since = Some(number(k, v)?),
                "limit" => f.limit = Some(number(k, v)? as usize),
                "wait" => f.wait = Some(number(k, v)?),
                "bucket" => f.bucket = text,
                "op" => f.op = text,
                "status" => f.status = text,
                "code" => f.code = text,
                "principal" => f.principal = text,
                "method" => f.method = text,
                "request_id" => f.request_id = text,
                k if k.starts_with("q-") || k.starts_with("X-Amz-") || k == "sign" => {}
                other => return Err(format!("unknown journal filter {other:?}")),
            }
        }
        Ok(f)
    }

    pub fn limit(&self) -> usize {
        self.limit
            .unwrap_or(Self::DEFAULT_LIMIT)
            .clamp(1, Self::MAX_LIMIT)
    }

    pub fn wait(&self) -> Duration {
        Duration::from_secs(self.wait.unwrap_or(0).min(60))
    }

    /// Whether `e` is one the filter asks for.
    pub fn matches(&self, e: &Entry) -> bool {
        let eq = |want: &Option<String>, have: &str| want.as_deref().is_none_or(|w| w == have);
        self.since.is_none_or(|s| e.seq > s)
            && eq(&self.bucket, &e.bucket)
            && eq(&self.op, &e.op)
            && eq(&self.code, e.error_code.unwrap_or(""))
            && eq(&self.principal, &e.principal)
            && self
                .method
                .as_deref()
                .is_none_or(|m| m.eq_ignore_ascii_case(&e.method))
            && eq(&self.request_id, &e.request_id)
            && self
                .status
                .as_deref()
                .is_none_or(|s| status_matches(s, e.status))
    }
}

/// `"404"` or `"4xx"` against a status.
fn status_matches(want: &str, status: u16) -> bool {
    let w = want.to_ascii_lowercase();
    match w.strip_suffix("xx") {
        Some(class) => class.parse::<u16>().is_ok_and(|c| status / 100 == c),
        None => w.parse::<u16>().is_ok_and(|s| s == status),
    }
}

struct Ring {
    next_seq: u64,
    entries: VecDeque<Arc<Entry>>,
}

/// The last `capacity` entries.
pub struct Journal {
    capacity: usize,
    ring: Mutex<Ring>,
    added: tokio::sync::Notify,
}

impl Journal {
    /// A journal of `capacity` entries; none when 0.
    pub fn new(capacity: usize) -> Option<Journal> {
        (capacity > 0).then(|| Journal {
            capacity,
            ring: Mutex::new(Ring {
                next_seq: 1,
                entries: VecDeque::with_capacity(capacity.min(4096)),
            }),
            added: tokio::sync::Notify::new(),
        })
    }

    pub fn capacity(&self) -> usize {
        self.capacity
    }

    fn ring(&self) -> std::sync::MutexGuard<'_, Ring> {
        // A panic while holding the lock cannot leave the ring inconsistent (each change is
        // one push or pop), so a poisoned lock is still usable.
        self.ring.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Adds `e`, numbering it, and drops the oldest entry when full.
    pub fn push(&self, mut e: Entry) {
        {
            let mut r = self.ring();
            e.seq = r.next_seq;
            r.next_seq += 1;
            if r.entries.len() == self.capacity {
                r.entries.pop_front();
            }
            r.entries.push_back(Arc::new(e));
        }
        self.added.notify_waiters();
    }

    /// The newest `limit` entries that match, oldest first, and the highest `seq` given out
    /// so far (what a follower passes as `since` next, whatever matched).
    pub fn query(&self, f: &Filter) -> (Vec<Arc<Entry>>, u64) {
        let r = self.ring();
        let mut found: Vec<Arc<Entry>> = r
            .entries
            .iter()
            .rev()
            .filter(|e| f.matches(e))
            .take(f.limit())
            .cloned()
            .collect();
        found.reverse();
        (found, r.next_seq - 1)
    }

    /// [`Journal::query`], waiting up to the filter's `wait` for a first match.
    pub async fn query_wait(&self, f: &Filter) -> (Vec<Arc<Entry>>, u64) {
        let deadline = tokio::time::Instant::now() + f.wait();
        loop {
            let added = self.added.notified();
            tokio::pin!(added);
            added.as_mut().enable();
            let (found, last) = self.query(f);
            if !found.is_empty() || tokio::time::Instant::now() >= deadline {
                return (found, last);
            }
            if tokio::time::timeout_at(deadline, added).await.is_err() {
                return self.query(f);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(op: &str, status: u16) -> Entry {
        Entry {
            seq: 0,
            time: String::new(),
            request_id: format!("rid-{op}-{status}"),
            peer: "127.0.0.1:1".into(),
            method: "GET".into(),
            host: "h".into(),
            path: "/".into(),
            query: String::new(),
            headers: vec![],
            scheme: "anonymous",
            dialect: "cos",
            principal: "p".into(),
            op: op.into(),
            bucket: "b".into(),
            decisions: vec![],
            status,
            error_code: None,
            bytes_in: 0,
            bytes_out: 0,
            latency_us: 1,
            fault: None,
        }
    }

    #[test]
    fn the_ring_keeps_the_newest_and_numbers_them() {
        let j = Journal::new(3).unwrap();
        for i in 0..5 {
            j.push(entry("GetObject", 200 + i));
        }
        let (all, last) = j.query(&Filter::default());
        assert_eq!(last, 5);
        assert_eq!(all.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![3, 4, 5]);
        assert!(Journal::new(0).is_none());
    }

    #[test]
    fn a_query_string_gives_the_filter() {
        let q = |s: &[(&str, &str)]| {
            let pairs: Vec<(String, String)> = s
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            Filter::from_query(&pairs)
        };
        let f = q(&[
            ("op", "PutObject"),
            ("status", "4xx"),
            ("since", "7"),
            ("q-ak", "x"),
        ])
        .unwrap();
        assert_eq!(f.op.as_deref(), Some("PutObject"));
        assert_eq!(f.status.as_deref(), Some("4xx"));
        assert_eq!(f.since, Some(7));
        assert!(q(&[("since", "x")]).unwrap_err().contains("whole number"));
        assert!(q(&[("buckt", "b")]).unwrap_err().contains("unknown"));
        assert_eq!(q(&[("limit", "5000")]).unwrap().limit(), Filter::MAX_LIMIT);
    }

    #[test]
    fn filters_select_by_field_status_class_and_since() {
        let j = Journal::new(10).unwrap();
        j.push(entry("PutObject", 200));
        j.push(entry("GetObject", 404));
        j.push(entry("GetObject", 200));
        j.push(entry("PutObject", 503));
        let pick = |f: Filter| -> Vec<u64> { j.query(&f).0.iter().map(|e| e.seq).collect() };
        let f = |op: Option<&str>, status: Option<&str>, since: Option<u64>| Filter {
            op: op.map(Into::into),
            status: status.map(Into::into),
            since,
            ..Filter::default()
        };
        assert_eq!(pick(f(Some("GetObject"), None, None)), vec![2, 3]);
        assert_eq!(pick(f(None, Some("4xx"), None)), vec![2]);
        assert_eq!(pick(f(None, Some("5XX"), None)), vec![4]);
        assert_eq!(pick(f(None, Some("200"), None)), vec![1, 3]);
        assert_eq!(pick(f(None, None, Some(2))), vec![3, 4]);
        assert_eq!(pick(f(None, Some("bogus"), None)), Vec::<u64>::new());
        let newest_two = Filter {
            limit: Some(2),
            ..Filter::default()
        };
        assert_eq!(pick(newest_two), vec![3, 4]);
    }

    #[tokio::test]
    async fn a_follower_waits_for_the_next_entry() {
        let j = Arc::new(Journal::new(10).unwrap());
        j.push(entry("PutObject", 200));
        let waiter = {
            let j = Arc::clone(&j);
            tokio::spawn(async move {
                let f = Filter {
                    since: Some(1),
                    wait: Some(5),
                    ..Filter::default()
                };
                j.query_wait(&f).await
            })
        };
        tokio::time::sleep(Duration::from_millis(50)).await;
        j.push(entry("GetObject", 200));
        let (found, last) = waiter.await.unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].op, "GetObject");
        assert_eq!(last, 2);
    }
}
