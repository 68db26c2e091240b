//! Bucket access logs (`?logging`, docs/access-logs.md): configuration, validation, and the
//! COS-format lines delivered as objects into the target bucket.

#![allow(clippy::unwrap_used)]

#[path = "../common/mod.rs"]
mod common;

use common::*;

const LOGS: &str = "logs-1250000000";

fn status_xml(target: &str, prefix: &str) -> String {
    format!(
        "<BucketLoggingStatus><LoggingEnabled><TargetBucket>{target}</TargetBucket><TargetPrefix>{prefix}</TargetPrefix></LoggingEnabled></BucketLoggingStatus>"
    )
}

async fn put_logging(c: &Client, body: &str) -> Resp {
    c.send(
        Req::new("PUT", Some(B), "")
            .q("logging", "")
            .body(body.as_bytes().to_vec()),
    )
    .await
}

/// Keys and bodies of the log objects under `prefix` in LOGS.
async fn log_objects(c: &Client, prefix: &str) -> Vec<(String, String)> {
    let list = c
        .send(Req::new("GET", Some(LOGS), "").q("prefix", prefix))
        .await;
    assert_eq!(list.status, 200, "{}", list.text());
    let mut out = Vec::new();
    for key in xml_all(&list.text(), "Key") {
        let body = c.get(LOGS, &key).await;
        out.push((key, body.text()));
    }
    out
}

#[tokio::test]
async fn logging_configuration_is_validated_and_round_trips() {
    let (s, c) = setup().await;
    let r = put_logging(&c, &status_xml("missing-1250000000", "x/")).await;
    assert_error(&r, 400, "InvalidTargetBucketForLogging");
    let r = put_logging(
        &c,
        "<BucketLoggingStatus><LoggingEnabled/></BucketLoggingStatus>",
    )
    .await;
    assert_error(&r, 400, "MalformedXML");
    c.create_bucket(LOGS).await;
    let r = put_logging(&c, &status_xml(LOGS, "app/")).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let got = c.send(Req::new("GET", Some(B), "").q("logging", "")).await;
    assert_eq!(got.status, 200);
    assert_eq!(got.xml("TargetBucket").as_deref(), Some(LOGS));
    assert_eq!(got.xml("TargetPrefix").as_deref(), Some("app/"));
    // An empty status turns logging off.
    let r = put_logging(&c, "<BucketLoggingStatus/>").await;
    assert_eq!(r.status, 200);
    let got = c.send(Req::new("GET", Some(B), "").q("logging", "")).await;
    assert_eq!(got.status, 200);
    assert!(got.xml("LoggingEnabled").is_none(), "{}", got.text());
    s.stop().await;
}

#[tokio::test]
async fn another_accounts_bucket_cannot_be_a_log_target() {
    let s = TestServer::start_with(|c| {
        c.accounts = vec![cosd::config::AccountDecl {
            uin: "100000000002".into(),
            appid: "1250000002".into(),
            secret_id: "AKIDtenantTWO000000000000000000000000".into(),
            secret_key: "tenantTwoKey000000000000000000000".into(),
        }]
    })
    .await;
    let c = s.client();
    c.create_bucket(B).await;
    let mut other = s.client();
    other.sid = "AKIDtenantTWO000000000000000000000000".into();
    other.skey = "tenantTwoKey000000000000000000000".into();
    other.create_bucket("theirs-1250000002").await;
    let r = put_logging(&c, &status_xml("theirs-1250000002", "")).await;
    assert_error(&r, 400, "InvalidTargetBucketForLogging");
    s.stop().await;
}

#[tokio::test]
async fn requests_to_a_logged_bucket_arrive_as_cos_format_lines_in_the_target() {
    let (s, c) = setup().await;
    c.create_bucket(LOGS).await;
    assert_eq!(put_logging(&c, &status_xml(LOGS, "app/")).await.status, 200);
    c.put(B, "dir/a b.txt", b"hello logs").await;
    assert_eq!(c.get(B, "missing").await.status, 404);
    let denied = c
        .send(Req::new("GET", Some(B), "dir/a b.txt").anonymous())
        .await;
    assert_eq!(denied.status, 403);
    // A request with a bad signature is logged too.
    let mut wrong = s.client();
    wrong.skey = "not-the-key".into();
    assert_eq!(wrong.get(B, "dir/a b.txt").await.status, 403);
    // Requests to the target bucket itself are not logged (it has no logging of its own).
    c.put(LOGS, "unrelated", b"x").await;

    let written = cosd::api::observe::access_log::deliver(&s.state).await;
    assert_eq!(written, 1);
    let objects = log_objects(&c, "app/").await;
    assert_eq!(objects.len(), 1, "{objects:?}");
    let (key, body) = &objects[0];
    // app/YYYY/MM/DD/YYYYMMDDhhmmss_<random>_0
    let parts: Vec<&str> = key.split('/').collect();
    assert_eq!(parts.len(), 5, "{key}");
    assert!(parts[4].ends_with("_0"), "{key}");
    let lines: Vec<Vec<&str>> = body.lines().map(|l| l.split(' ').collect()).collect();
    // PutBucketLogging is answered before it takes effect; the rest are logged in order.
    let ops: Vec<(&str, &str)> = lines.iter().map(|f| (f[5], f[14])).collect();
    assert_eq!(
        ops,
        vec![
            ("PutObject", "200"),
            ("GetObject", "404"),
            ("GetObject", "403"),
            ("GetObject", "403"),
        ],
        "{body}"
    );
    let put = &lines[0];
    assert_eq!(put.len(), 30);
    assert_eq!(put[0], "1.0");
    assert_eq!(put[1], B);
    assert_eq!(put[2], REGION);
    assert_eq!(put[6], "127.0.0.1");
    assert_eq!(put[7], SID);
    assert_eq!(put[9], "10");
    assert_eq!(put[11], "/dir/a%20b.txt");
    assert_eq!(put[12], "put");
    assert_eq!(put[21], "100000000001");
    assert_eq!(put[23], "100000000001:100000000001");
    assert_eq!(lines[1][15], "NoSuchKey");
    assert_eq!(lines[2][15], "AccessDenied");
    assert_eq!((lines[2][7], lines[2][23]), ("-", "-"));
    assert_eq!(lines[3][15], "SignatureDoesNotMatch");
    assert!(!body.contains(SKEY));
    assert!(!body.contains("q-signature="), "{body}");
    // Nothing more to deliver.
    assert_eq!(cosd::api::observe::access_log::deliver(&s.state).await, 0);

    // Off again: requests are no longer logged.
    assert_eq!(put_logging(&c, "<BucketLoggingStatus/>").await.status, 200);
    // The request that turned it off is the last one logged.
    assert_eq!(cosd::api::observe::access_log::deliver(&s.state).await, 1);
    c.put(B, "after", b"x").await;
    assert_eq!(cosd::api::observe::access_log::deliver(&s.state).await, 0);
    s.stop().await;
}

#[tokio::test]
async fn lines_for_a_deleted_target_are_dropped_not_retried_forever() {
    let (s, c) = setup().await;
    c.create_bucket(LOGS).await;
    assert_eq!(put_logging(&c, &status_xml(LOGS, "")).await.status, 200);
    c.put(B, "k", b"v").await;
    let r = c.send(Req::new("DELETE", Some(LOGS), "")).await;
    assert_eq!(r.status, 204, "{}", r.text());
    assert_eq!(cosd::api::observe::access_log::deliver(&s.state).await, 0);
    c.create_bucket(LOGS).await;
    assert_eq!(cosd::api::observe::access_log::deliver(&s.state).await, 0);
    s.stop().await;
}
