//! `/_cosd/metrics` end to end (docs/operations.md): a scripted set of requests and the exact
//! counts they leave (by operation, dialect and status class; bytes; error codes; denials;
//! latency histograms), the storage gauges after puts, deletes and a collection, the background
//! jobs' progress, and the bearer token. The text is checked line by line as Prometheus
//! exposition (the SDK test has a real Prometheus scrape it).

#![allow(clippy::unwrap_used)]

#[path = "../common/mod.rs"]
mod common;

mod expo;
mod storage;

use common::*;
use expo::Scrape;

const BUCKET: &str = "metrics-1250000000";

async fn scrape(server: &TestServer) -> Scrape {
    let r = reqwest::get(format!("http://{}/_cosd/metrics", server.addr))
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.headers()["content-type"],
        "application/openmetrics-text; version=1.0.0; charset=utf-8"
    );
    Scrape::parse(&r.text().await.unwrap())
}

#[tokio::test]
async fn requests_are_counted_by_operation_status_class_and_code() {
    let server = TestServer::start().await;
    let c = server.client();
    c.create_bucket(BUCKET).await;
    let data = vec![7u8; 10_000];
    c.put(BUCKET, "secret/key-name.txt", &data).await;
    c.put(BUCKET, "secret/key-name.txt", &data).await;
    // Every byte of the GetObject answers, error bodies included.
    let mut sent = 0;
    for _ in 0..2 {
        let r = c.get(BUCKET, "secret/key-name.txt").await;
        assert_eq!(r.status, 200);
        sent += r.body.len();
    }
    let missing = c.get(BUCKET, "missing").await;
    assert_eq!(missing.code(), "NoSuchKey");
    let denied = c
        .send(Req::new("GET", Some(BUCKET), "secret/key-name.txt").anonymous())
        .await;
    assert_eq!(denied.code(), "AccessDenied");
    sent += missing.body.len() + denied.body.len();
    let s3 = s3_client(server.addr, SID, SKEY, None);
    let head = s3
        .head_object()
        .bucket(BUCKET)
        .key("secret/key-name.txt")
        .send()
        .await
        .unwrap();
    assert_eq!(head.content_length(), Some(10_000));

    let m = scrape(&server).await;
    let req = |op: &str, dialect: &str, status: &str| {
        m.value(
            "cosd_requests_total",
            &[("op", op), ("dialect", dialect), ("status", status)],
        )
    };
    assert_eq!(req("PutBucket", "cos", "2xx"), Some(1.0));
    assert_eq!(req("PutObject", "cos", "2xx"), Some(2.0));
    assert_eq!(req("GetObject", "cos", "2xx"), Some(2.0));
    assert_eq!(req("GetObject", "cos", "4xx"), Some(2.0));
    assert_eq!(req("HeadObject", "s3", "2xx"), Some(1.0));
    // The scrape is counted after it is answered.
    assert_eq!(req("Metrics", "cosd", "2xx"), None);
    assert_eq!(m.sum("cosd_requests_total"), 8.0);
    let op = |o: &'static str| [("op", o)];
    assert_eq!(
        m.value("cosd_received_bytes_total", &op("PutObject")),
        Some(20_000.0)
    );
    assert_eq!(
        m.value("cosd_sent_bytes_total", &op("GetObject")),
        Some(sent as f64)
    );
    assert_eq!(m.value("cosd_sent_bytes_total", &op("HeadObject")), None);
    assert_eq!(
        m.value("cosd_errors_total", &[("code", "NoSuchKey")]),
        Some(1.0)
    );
    assert_eq!(
        m.value("cosd_errors_total", &[("code", "AccessDenied")]),
        Some(1.0)
    );
    assert_eq!(m.sum("cosd_errors_total"), 2.0);
    assert_eq!(
        m.value("cosd_authz_denials_total", &op("GetObject")),
        Some(1.0)
    );
    assert_eq!(m.sum("cosd_authz_denials_total"), 1.0);
    let count = m.value("cosd_request_duration_seconds_count", &op("GetObject"));
    assert_eq!(count, Some(4.0));
    let inf = [("op", "GetObject"), ("le", "+Inf")];
    assert_eq!(
        m.value("cosd_request_duration_seconds_bucket", &inf),
        Some(4.0)
    );
    assert!(
        m.value("cosd_request_duration_seconds_sum", &op("GetObject"))
            .unwrap()
            > 0.0
    );
    // No bucket, key or path ever becomes a label.
    assert!(!m.text.contains("metrics-1250000000") && !m.text.contains("key-name"));

    // Unclassifiable and odd requests stay within the bounded label set.
    let odd = reqwest::Client::new()
        .request(
            "PROPFIND".parse().unwrap(),
            format!(
                "http://{}/{BUCKET}/x?weird-{}=1",
                server.addr,
                "q".repeat(40)
            ),
        )
        .send()
        .await
        .unwrap();
    assert!(odd.status().is_client_error(), "{}", odd.status());
    let again = scrape(&server).await;
    assert_eq!(
        again.value(
            "cosd_requests_total",
            &[("op", "Metrics"), ("dialect", "cosd"), ("status", "2xx")]
        ),
        Some(1.0)
    );
    assert!(!again.text.contains("weird") && !again.text.contains("PROPFIND"));
    server.stop().await;
}

#[tokio::test]
async fn a_metrics_token_is_required_when_set() {
    let token = "scrape-token-9f2c";
    let server = TestServer::start_with(|c| c.metrics_token.0 = token.into()).await;
    assert!(!format!("{:?}", server.state.config).contains(token));
    let url = format!("http://{}/_cosd/metrics", server.addr);
    let http = reqwest::Client::new();
    let none = http.get(&url).send().await.unwrap();
    assert_eq!(none.status(), 401);
    assert!(none.headers().contains_key("www-authenticate"));
    let wrong = http
        .get(&url)
        .bearer_auth("scrape-token-9f2d")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 403);
    let right = http.get(&url).bearer_auth(token).send().await.unwrap();
    assert_eq!(right.status(), 200);
    let m = Scrape::parse(&right.text().await.unwrap());
    assert!(!m.text.contains(token));
    // The refusals were counted (with no error code: they are not COS errors).
    assert_eq!(
        m.value(
            "cosd_requests_total",
            &[("op", "Metrics"), ("dialect", "cosd"), ("status", "4xx")]
        ),
        Some(2.0)
    );
    server.stop().await;

    let off = TestServer::start_with(|c| c.metrics = false).await;
    let r = reqwest::get(format!("http://{}/_cosd/metrics", off.addr))
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    off.stop().await;
}
