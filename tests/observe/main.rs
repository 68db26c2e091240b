//! The request journal (`GET /_cosd/admin/journal`) and fault injection
//! (`/_cosd/admin/faults`), driven through the real HTTP path, with aws-sdk-s3's retry logic
//! facing the injected faults.

#![allow(clippy::unwrap_used)]

#[path = "../common/mod.rs"]
mod common;

use common::*;
use serde_json::Value;

async fn journaled() -> (TestServer, Client) {
    let s = TestServer::start_with(|c| c.journal_entries = 100).await;
    let c = s.client();
    c.create_bucket(B).await;
    (s, c)
}

/// `GET /_cosd/admin/journal` with `query`.
async fn journal(c: &Client, query: &[(&str, &str)]) -> Value {
    let mut r = Req::new("GET", None, "");
    r.host = c.addr.to_string();
    r.path = "/_cosd/admin/journal".into();
    for (k, v) in query {
        r = r.q(k, v);
    }
    let resp = c.send(r).await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    serde_json::from_str(&resp.text()).unwrap()
}

fn entries(v: &Value) -> Vec<Value> {
    v["entries"].as_array().cloned().unwrap_or_default()
}

async fn add_fault(c: &Client, rule: &str) -> u64 {
    let r = c.admin("POST", "faults", rule).await;
    assert_eq!(r.status, 201, "{}", r.text());
    let v: Value = serde_json::from_str(&r.text()).unwrap();
    v["id"].as_u64().unwrap()
}

#[tokio::test]
async fn the_journal_shows_what_the_client_sent_with_secrets_redacted() {
    let (s, c) = journaled().await;
    let put = c
        .send(
            Req::new("PUT", Some(B), "notes/a.txt")
                .h("x-cos-security-token", "tok-secret")
                .h("x-cos-meta-color", "blue")
                .body(b"hello journal".to_vec()),
        )
        .await;
    // Whatever the server makes of a token on a permanent key, the entry shows what was sent.
    let _ = put;
    let put = c
        .send(Req::new("PUT", Some(B), "notes/a.txt").body(b"hello journal".to_vec()))
        .await;
    assert_eq!(put.status, 200);
    let missing = c.get(B, "nothing").await;
    assert_eq!(missing.status, 404);

    let v = journal(&c, &[("op", "PutObject")]).await;
    let e = entries(&v);
    assert_eq!(e.len(), 2, "{v}");
    let ok = &e[1];
    assert_eq!(ok["status"], 200);
    assert_eq!(ok["method"], "PUT");
    assert_eq!(ok["bucket"], B);
    assert_eq!(ok["path"], "/notes/a.txt");
    assert_eq!(ok["scheme"], "q-sign");
    assert_eq!(ok["dialect"], "cos");
    assert_eq!(ok["bytes_in"], 13);
    assert_eq!(
        ok["principal"],
        "qcs::cam::uin/100000000001:uin/100000000001"
    );
    let decision = &ok["decisions"][0];
    assert_eq!(decision["action"], "name/cos:PutObject");
    assert_eq!(decision["allowed"], true);
    let text = v.to_string();
    assert!(!text.contains(SKEY));
    assert!(!text.contains("tok-secret"), "{text}");
    let headers = ok["headers"].as_array().unwrap();
    let auth = headers
        .iter()
        .find(|h| h[0] == "authorization")
        .map(|h| h[1].as_str().unwrap().to_string())
        .unwrap();
    assert!(auth.contains(&format!("q-ak={SID}")), "{auth}");
    assert!(auth.ends_with("q-signature=REDACTED"), "{auth}");
    let token = e[0]["headers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h[0] == "x-cos-security-token")
        .cloned()
        .unwrap();
    assert_eq!(token[1], "REDACTED");

    let v = journal(&c, &[("status", "4xx"), ("op", "GetObject")]).await;
    let e = entries(&v);
    assert_eq!(e.len(), 1);
    assert_eq!(e[0]["error_code"], "NoSuchKey");
    assert_eq!(e[0]["status"], 404);
    s.stop().await;
}

#[tokio::test]
async fn a_denied_request_shows_the_deciding_statement() {
    let (s, c) = journaled().await;
    let policy = format!(
        r#"{{"version":"2.0","statement":[{{"principal":{{"qcs":["qcs::cam::anyone:anyone"]}},"effect":"deny","action":["name/cos:GetObject"],"resource":["qcs::cos:{REGION}:uid/1250000000:{B}/secret/*"]}}]}}"#
    );
    let r = c
        .send(Req::new("PUT", Some(B), "").q("policy", "").body(policy))
        .await;
    assert_eq!(r.status, 204, "{}", r.text());
    c.put(B, "secret/x", b"x").await;
    let denied = c
        .send(Req::new("GET", Some(B), "secret/x").anonymous())
        .await;
    assert_eq!(denied.status, 403);
    let v = journal(&c, &[("code", "AccessDenied")]).await;
    let e = entries(&v);
    assert_eq!(e.len(), 1, "{v}");
    assert_eq!(e[0]["scheme"], "anonymous");
    assert_eq!(e[0]["principal"], "qcs::cam::anyone:anyone");
    let d = &e[0]["decisions"][0];
    assert_eq!(d["allowed"], false);
    assert_eq!(d["statement"], "bucket policy#0", "{d}");
    s.stop().await;
}

#[tokio::test]
async fn the_journal_pages_with_since_and_is_for_the_servers_root_only() {
    let (s, c) = journaled().await;
    for i in 0..5 {
        c.put(B, &format!("k{i}"), b"v").await;
    }
    let v = journal(&c, &[("limit", "2")]).await;
    let e = entries(&v);
    assert_eq!(e.len(), 2);
    let last = v["last_seq"].as_u64().unwrap();
    assert_eq!(e[1]["seq"].as_u64(), Some(last));
    c.put(B, "after", b"v").await;
    let v = journal(&c, &[("since", &last.to_string())]).await;
    let e = entries(&v);
    assert_eq!(e.len(), 1, "{v}");
    assert_eq!(e[0]["path"], "/after");
    // Its own polls are not journaled.
    let again = journal(&c, &[("since", &v["last_seq"].to_string())]).await;
    assert!(entries(&again).is_empty(), "{again}");

    // A sub-account, and another tenant's root, may not read everyone's requests.
    c.add_sub_account(
        "200000000001",
        "AKIDsubOBSERVE0000000000000000000001",
        "subkey0000000000000000000000001",
    )
    .await;
    let mut sub = s.client();
    sub.sid = "AKIDsubOBSERVE0000000000000000000001".into();
    sub.skey = "subkey0000000000000000000000001".into();
    let r = sub.admin("GET", "journal", "").await;
    assert_eq!(r.status, 403, "{}", r.text());
    let r = sub.admin("GET", "faults", "").await;
    assert_eq!(r.status, 403, "{}", r.text());
    s.stop().await;
}

#[tokio::test]
async fn another_tenants_root_may_not_inject_faults() {
    let s = TestServer::start_with(|c| {
        c.accounts = vec![cosd::config::AccountDecl {
            uin: "100000000002".into(),
            appid: "1250000002".into(),
            secret_id: "AKIDtenantTWO000000000000000000000000".into(),
            secret_key: "tenantTwoKey000000000000000000000".into(),
        }]
    })
    .await;
    let mut other = s.client();
    other.sid = "AKIDtenantTWO000000000000000000000000".into();
    other.skey = "tenantTwoKey000000000000000000000".into();
    let r = other
        .admin("POST", "faults", r#"{"error":"SlowDown"}"#)
        .await;
    assert_eq!(r.status, 403, "{}", r.text());
    assert!(s.state.observer.faults.is_empty());
    // The journal is off here: the server's root is told how to turn it on.
    let r = s.client().admin("GET", "journal", "").await;
    assert_eq!(r.status, 400, "{}", r.text());
    assert!(r.text().contains("--dev"), "{}", r.text());
    s.stop().await;
}

#[tokio::test]
async fn fault_rules_are_validated_listed_and_cleared() {
    let (s, c) = setup().await;
    for bad in [
        r#"{}"#,
        r#"{"error":"Teapot"}"#,
        r#"{"error":"SlowDown","reset":true}"#,
        r#"{"reset":true,"probability":2}"#,
        r#"{"errror":"SlowDown"}"#,
        "not json",
    ] {
        let r = c.admin("POST", "faults", bad).await;
        assert_eq!(r.status, 400, "{bad}: {}", r.text());
    }
    let a = add_fault(
        &c,
        r#"{"op":"GetObject","error":"InternalError","count":1}"#,
    )
    .await;
    let b = add_fault(&c, r#"{"bucket":"other-1250000000","reset":true}"#).await;
    let r = c.admin("GET", "faults", "").await;
    let v: Value = serde_json::from_str(&r.text()).unwrap();
    let rules = v["rules"].as_array().unwrap();
    assert_eq!(rules.len(), 2);
    assert_eq!(rules[0]["id"].as_u64(), Some(a));
    assert_eq!(rules[0]["op"], "GetObject");
    assert_eq!(rules[0]["hits"], 0);
    assert_eq!(
        c.admin("DELETE", &format!("faults/{b}"), "").await.status,
        204
    );
    assert_eq!(
        c.admin("DELETE", &format!("faults/{b}"), "").await.status,
        404
    );
    assert_eq!(c.admin("DELETE", "faults", "").await.status, 204);
    assert!(s.state.observer.faults.is_empty());
    s.stop().await;
}

#[tokio::test]
async fn an_error_fault_answers_in_the_requests_dialect_and_serves_nothing() {
    let (s, c) = journaled().await;
    add_fault(
        &c,
        r#"{"op":"PutObject","key":"flaky/*","error":"SlowDown","count":1}"#,
    )
    .await;
    // Another key is not hit.
    assert_eq!(c.put(B, "steady/a", b"a").await.status, 200);
    let r = c
        .send(Req::new("PUT", Some(B), "flaky/a").body(b"a".to_vec()))
        .await;
    assert_error(&r, 503, "SlowDown");
    assert!(r.text().contains("Injected fault"), "{}", r.text());
    // Nothing was stored by the failed request.
    assert_eq!(c.get(B, "flaky/a").await.status, 404);
    // The count is used up: the retry goes through.
    assert_eq!(c.put(B, "flaky/a", b"a").await.status, 200);
    let v = journal(&c, &[("code", "SlowDown")]).await;
    let e = entries(&v);
    assert_eq!(e.len(), 1);
    assert!(e[0]["fault"].as_u64().is_some());
    s.stop().await;
}

#[tokio::test]
async fn the_s3_sdk_retries_through_slowdown_and_closed_connections() {
    let (s, c) = setup().await;
    let s3 = s3_client(s.addr, SID, SKEY, None);
    // Two SlowDowns, then the third attempt (the SDK's default allows three) succeeds.
    add_fault(&c, r#"{"op":"PutObject","error":"SlowDown","count":2}"#).await;
    s3.put_object()
        .bucket(B)
        .key("retried")
        .body(b"payload".to_vec().into())
        .send()
        .await
        .expect("the SDK retries SlowDown");
    // A connection closed without an answer, once: retried too.
    add_fault(&c, r#"{"op":"GetObject","reset":true,"count":1}"#).await;
    let got = s3
        .get_object()
        .bucket(B)
        .key("retried")
        .send()
        .await
        .expect("the SDK retries a dropped connection");
    let body = got.body.collect().await.unwrap().into_bytes();
    assert_eq!(&body[..], b"payload");
    let rules: Value = serde_json::from_str(&c.admin("GET", "faults", "").await.text()).unwrap();
    assert_eq!(rules["rules"][0]["hits"], 2);
    assert_eq!(rules["rules"][1]["hits"], 1);
    // A fault that never stops exhausts the retries and surfaces the error.
    c.admin("DELETE", "faults", "").await;
    add_fault(&c, r#"{"op":"HeadObject","error":"InternalError"}"#).await;
    let err = s3
        .head_object()
        .bucket(B)
        .key("retried")
        .send()
        .await
        .unwrap_err();
    let raw = err.raw_response().map(|r| r.status().as_u16());
    assert_eq!(raw, Some(500), "{err:?}");
    s.stop().await;
}

#[tokio::test]
async fn a_truncate_fault_cuts_the_body_short_of_its_length() {
    let (s, c) = setup().await;
    let data = random_bytes(100_000, 7);
    c.put(B, "big", &data).await;
    add_fault(
        &c,
        r#"{"op":"GetObject","truncate":true,"truncate_after":1000}"#,
    )
    .await;
    // Raw HTTP: the head promises 100000 bytes, the connection ends after 1000.
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut sock = tokio::net::TcpStream::connect(s.addr).await.unwrap();
    let now = c.now();
    let auth = authorization(
        SID,
        SKEY,
        "GET",
        "/big",
        &[],
        &[("host".into(), vhost(B))],
        now - 10,
        now + 600,
    );
    let head = format!(
        "GET /big HTTP/1.1\r\nHost: {}\r\nAuthorization: {auth}\r\n\r\n",
        vhost(B)
    );
    sock.write_all(head.as_bytes()).await.unwrap();
    let mut got = Vec::new();
    let _ = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        sock.read_to_end(&mut got),
    )
    .await
    .expect("the connection is closed, not left hanging");
    let text = String::from_utf8_lossy(&got);
    assert!(text.starts_with("HTTP/1.1 200"), "{text:.200}");
    assert!(
        text.to_ascii_lowercase().contains("content-length: 100000"),
        "{text:.400}"
    );
    let split = got.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    assert_eq!(got.len() - split, 1000);
    assert_eq!(&got[split..], &data[..1000]);
    s.stop().await;
}

#[tokio::test]
async fn a_delay_fault_holds_the_request_then_serves_it() {
    let (s, c) = setup().await;
    c.put(B, "slow", b"v").await;
    add_fault(&c, r#"{"op":"GetObject","delay_ms":300,"count":1}"#).await;
    let started = std::time::Instant::now();
    let r = c.get(B, "slow").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body, b"v");
    // The delay is a floor set by the rule, not a performance figure.
    assert!(started.elapsed() >= std::time::Duration::from_millis(300));
    s.stop().await;
}
