//! A GET whose chunk cannot be read: answered 500 when that is known before the first byte,
//! a cut connection after it; logged at ERROR with the request id and the object either way,
//! and counted (`read_failures` in the health endpoint).

#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use std::io::Write;
use std::sync::{Arc, Mutex};

/// The log lines the server writes while the guard lives (the test runtime is single-threaded,
/// so the server's tasks log on this thread).
struct Captured {
    lines: Arc<Mutex<Vec<u8>>>,
    _guard: tracing::subscriber::DefaultGuard,
}

#[derive(Clone)]
struct Sink(Arc<Mutex<Vec<u8>>>);

impl Write for Sink {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn capture_log() -> Captured {
    use tracing_subscriber::layer::SubscriberExt;
    let lines = Arc::new(Mutex::new(Vec::new()));
    let sink = Sink(Arc::clone(&lines));
    let subscriber = tracing_subscriber::registry()
        .with(cosd::log_line::LineLayer::new(move || sink.clone(), false));
    Captured {
        lines,
        _guard: tracing::subscriber::set_default(subscriber),
    }
}

impl Captured {
    fn errors(&self) -> Vec<String> {
        String::from_utf8_lossy(&self.lines.lock().unwrap())
            .lines()
            .filter(|l| l.contains("ERROR"))
            .map(str::to_string)
            .collect()
    }
}

const CHUNK: usize = 256 * 1024;

/// A server whose chunk store keeps a file per chunk (`chunks/<h0h1>/<hex id>`), so a test
/// can lose one chunk of an object.
async fn flat_store_server() -> (TestServer, Client) {
    let s = TestServer::start_with(|cfg| {
        let chunks = cfg.data_dir.join("chunks");
        std::fs::create_dir_all(&chunks).unwrap();
        std::fs::write(chunks.join("LAYOUT"), "flat\n").unwrap();
        cfg.chunk_size = CHUNK;
    })
    .await;
    let c = s.client();
    c.create_bucket(B).await;
    (s, c)
}

fn lose_chunk(s: &TestServer, data: &[u8]) {
    let id = hex::encode(cosd::chunk::chunk_id(data));
    let path = s.dir.path().join("chunks").join(&id[..2]).join(&id);
    std::fs::remove_file(&path).unwrap();
}

fn read_failures(s: &TestServer) -> u64 {
    s.state
        .transport
        .stats()
        .read_failures
        .load(std::sync::atomic::Ordering::Relaxed)
}

#[tokio::test]
async fn get_of_an_object_with_a_missing_chunk_answers_500_and_logs_error() {
    let (s, c) = flat_store_server().await;
    let data = random_bytes(3 * CHUNK, 11);
    c.put(B, "lost-first.bin", &data).await;
    lose_chunk(&s, &data[..CHUNK]);
    let log = capture_log();
    let r = c.get(B, "lost-first.bin").await;
    assert_error(&r, 500, "InternalError");
    let rid = r.header("x-cos-request-id").unwrap().to_string();
    let errors = log.errors();
    assert!(
        errors
            .iter()
            .any(|l| l.contains(&rid) && l.contains("lost-first.bin") && l.contains("read failed")),
        "{errors:#?}"
    );
    assert!(String::from_utf8_lossy(&log.lines.lock().unwrap())
        .lines()
        .any(|l| l.contains(&rid) && l.contains("status=500")));
    assert_eq!(read_failures(&s), 1);
    // HEAD reads no chunk: still 200.
    assert_eq!(
        c.send(Req::new("HEAD", Some(B), "lost-first.bin"))
            .await
            .status,
        200
    );
    let health = reqwest::get(format!("http://{}/_cosd/health", s.addr))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(health.contains("\"read_failures\":1"), "{health}");
}

#[tokio::test]
async fn a_chunk_lost_mid_object_cuts_the_response_and_logs_error_with_the_request_id() {
    let (s, c) = flat_store_server().await;
    let data = random_bytes(3 * CHUNK, 12);
    c.put(B, "lost-middle.bin", &data).await;
    lose_chunk(&s, &data[CHUNK..2 * CHUNK]);
    let log = capture_log();
    let url = c.url("/lost-middle.bin", &[]);
    let now = c.now();
    let auth = authorization(
        SID,
        SKEY,
        "GET",
        "/lost-middle.bin",
        &[],
        &[("Host".into(), vhost(B))],
        now - 60,
        now + 600,
    );
    let resp = c
        .http
        .get(url)
        .header("Host", vhost(B))
        .header("Authorization", auth)
        .send()
        .await;
    // The first chunk was readable, so the status was decided before the loss was found; the
    // client sees the connection end early (before or after the head), never a short object.
    match resp {
        Err(e) => assert!(e.is_request() || e.is_body(), "{e}"),
        Ok(r) => {
            assert_eq!(r.status(), 200);
            assert!(r.bytes().await.is_err());
        }
    }
    let errors = log.errors();
    let line = errors
        .iter()
        .find(|l| l.contains("lost-middle.bin") && l.contains("mid-response"))
        .unwrap_or_else(|| panic!("{errors:#?}"));
    // The line names the request, and the access line of that request says 200.
    let rid = line
        .split("request_id=")
        .nth(1)
        .and_then(|r| r.split(['}', ' ']).next())
        .unwrap_or_else(|| panic!("no request id: {line}"));
    assert!(String::from_utf8_lossy(&log.lines.lock().unwrap())
        .lines()
        .any(|l| l.contains(rid) && l.contains(" done ") && l.contains("status=200")));
    assert_eq!(read_failures(&s), 1);
}
