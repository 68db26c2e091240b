//! A webhook receiver on 127.0.0.1:0: keeps every event it acknowledged, and answers 500 to
//! the next `fail` requests when asked to.

use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Default)]
pub(crate) struct Inbox {
    /// The records acknowledged, in arrival order.
    pub events: Vec<serde_json::Value>,
    /// Requests still to refuse with a 500.
    pub fail: usize,
    /// Requests refused so far.
    pub refused: usize,
    /// The `Authorization` headers seen.
    pub auth: Vec<String>,
}

#[derive(Clone)]
pub(crate) struct Receiver {
    pub url: String,
    pub inbox: Arc<Mutex<Inbox>>,
}

async fn handle(
    axum::extract::State(inbox): axum::extract::State<Arc<Mutex<Inbox>>>,
    headers: http::HeaderMap,
    body: String,
) -> http::StatusCode {
    let mut i = inbox.lock().unwrap();
    if let Some(a) = headers.get("authorization").and_then(|v| v.to_str().ok()) {
        i.auth.push(a.to_string());
    }
    if i.fail > 0 {
        i.fail -= 1;
        i.refused += 1;
        return http::StatusCode::INTERNAL_SERVER_ERROR;
    }
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    for r in v["Records"].as_array().unwrap() {
        i.events.push(r.clone());
    }
    http::StatusCode::OK
}

impl Receiver {
    pub(crate) async fn start() -> Receiver {
        let inbox = Arc::new(Mutex::new(Inbox::default()));
        let app = axum::Router::new()
            .route("/events", axum::routing::post(handle))
            .with_state(Arc::clone(&inbox));
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/events", l.local_addr().unwrap());
        tokio::spawn(async move {
            let _ = axum::serve(l, app).await;
        });
        Receiver { url, inbox }
    }

    pub(crate) fn fail_next(&self, n: usize) {
        self.inbox.lock().unwrap().fail = n;
    }

    /// (eventName, key) of every event received.
    pub(crate) fn seen(&self) -> Vec<(String, String)> {
        self.inbox
            .lock()
            .unwrap()
            .events
            .iter()
            .map(|e| {
                (
                    e["eventName"].as_str().unwrap().to_string(),
                    e["s3"]["object"]["key"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    }

    /// Waits (at most 10 s) until `n` events have arrived; returns them.
    pub(crate) async fn wait_for(&self, n: usize) -> Vec<(String, String)> {
        for _ in 0..500 {
            if self.inbox.lock().unwrap().events.len() >= n {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let seen = self.seen();
        assert!(seen.len() >= n, "expected {n} events, got {seen:?}");
        seen
    }

    pub(crate) fn events(&self) -> Vec<serde_json::Value> {
        self.inbox.lock().unwrap().events.clone()
    }
}
