//! The HTTPS listener: requests over TLS with a client that trusts only the generated CA, the
//! certificate kept across restarts, `cos:secure-transport` and `cos:tls-version` seeing the
//! real connection, junk on the TLS port, and the binary's banner.

#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use reqwest::tls::Version;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const SUB: &str = "200000000001";
const SUB_ID: &str = "AKIDsubaccount000000000000000001";
const SUB_KEY: &str = "subSecretKey000000000000000000001";

/// A sub-account with no policy of its own; `c` is the root account.
async fn sub_account(c: &Client) {
    let body = format!(r#"{{"uin":"{SUB}","secret_id":"{SUB_ID}","secret_key":"{SUB_KEY}"}}"#);
    let r = c.admin("POST", "users", &body).await;
    assert_eq!(r.status, 200, "{}", r.text());
}

fn as_sub(c: &Client) -> Client {
    Client {
        sid: SUB_ID.into(),
        skey: SUB_KEY.into(),
        ..c.clone()
    }
}

async fn put_bucket_policy(c: &Client, statements: &str) {
    let doc = format!(r#"{{"version":"2.0","statement":[{statements}]}}"#);
    let r = c
        .send(Req::new("PUT", Some(B), "").q("policy", "").body(doc))
        .await;
    assert_eq!(r.status, 204, "{}", r.text());
}

/// A bucket policy statement for the sub-account on every object of `B`.
fn statement(effect: &str, action: &str, condition: &str) -> String {
    format!(
        r#"{{"principal":{{"qcs":["qcs::cam::uin/100000000001:uin/{SUB}"]}},"effect":"{effect}","action":["{action}"],"resource":["qcs::cos:{REGION}:uid/1250000000:{B}/*"]{condition}}}"#
    )
}

#[tokio::test]
async fn put_and_get_over_https_trusting_only_the_generated_ca() {
    let server = TestServer::start_tls().await;
    let https = server.https_client(None);
    https.create_bucket(B).await;
    let data = random_bytes(300 * 1024, 7);
    let r = https.put(B, "dir/a.bin", &data).await;
    assert_eq!(r.header("etag").unwrap(), format!("\"{}\"", md5_hex(&data)));
    let got = https.get(B, "dir/a.bin").await;
    assert_eq!(got.status, 200);
    assert_eq!(got.body, data);
    // The same object over plain HTTP.
    assert_eq!(server.client().get(B, "dir/a.bin").await.body, data);
    // A client that does not trust the CA is refused.
    let untrusting = reqwest::Client::builder()
        .tls_built_in_root_certs(false)
        .build()
        .unwrap();
    let url = format!("https://{}/_cosd/health", server.https.unwrap());
    assert!(untrusting.get(&url).send().await.is_err());
    server.stop().await;
}

#[tokio::test]
async fn the_generated_certificate_is_reused_on_restart() {
    let mut server = TestServer::start_tls().await;
    let tls = server.state.config.data_dir.join("tls");
    let read = |name: &str| std::fs::read(tls.join(name)).unwrap();
    let before: Vec<Vec<u8>> = ["ca.pem", "cert.pem", "key.pem"].map(read).into();
    let client = server.https_client(None);
    client.create_bucket(B).await;
    let dir = std::mem::replace(&mut server.dir, tempfile::tempdir().unwrap());
    let weak = Arc::downgrade(&server.state);
    drop(client);
    server.stop().await;
    for _ in 0..200 {
        if weak.strong_count() == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!(
        weak.strong_count(),
        0,
        "the first server let go of its state"
    );
    let path = dir.path().to_owned();
    let server = TestServer::start_tls_with(|cfg| cfg.data_dir = path).await;
    let after: Vec<Vec<u8>> = ["ca.pem", "cert.pem", "key.pem"].map(read).into();
    assert!(before == after, "the CA, certificate and key are reused");
    // A client that trusted the first start's CA still gets in.
    let r = server.https_client(None).get(B, "missing").await;
    assert_error(&r, 404, "NoSuchKey");
    server.stop().await;
}

/// 002:2832-2863: a bucket policy denying `name/cos:*` when `cos:secure-transport` is false.
#[tokio::test]
async fn secure_transport_is_true_exactly_over_https() {
    let server = TestServer::start_tls().await;
    let root = server.client();
    root.create_bucket(B).await;
    root.put(B, "a.txt", b"hello").await;
    sub_account(&root).await;
    let allow = statement("allow", "name/cos:GetObject", "");
    let deny = statement(
        "deny",
        "name/cos:*",
        r#","condition":{"bool_equal":{"cos:secure-transport":"false"}}"#,
    );
    put_bucket_policy(&root, &format!("{allow},{deny}")).await;
    let r = as_sub(&root).get(B, "a.txt").await;
    assert_error(&r, 403, "AccessDenied");
    let r = as_sub(&server.https_client(None)).get(B, "a.txt").await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.body, b"hello");
    // The owner is not named by the deny and keeps plain HTTP.
    assert_eq!(root.get(B, "a.txt").await.status, 200);
    server.stop().await;
}

/// 002:3095-3152: allow at least a TLS version and deny below it (here 1.3, so that the two
/// versions the server speaks land on either side), per negotiated version.
#[tokio::test]
async fn tls_version_conditions_see_the_negotiated_version() {
    let server = TestServer::start_tls().await;
    let root = server.client();
    root.create_bucket(B).await;
    root.put(B, "a.txt", b"hello").await;
    sub_account(&root).await;
    let allow = statement(
        "allow",
        "name/cos:GetObject",
        r#","condition":{"numeric_greater_than_equal":{"cos:tls-version":1.3}}"#,
    );
    let deny = statement(
        "deny",
        "name/cos:*",
        r#","condition":{"numeric_less_than":{"cos:tls-version":1.3}}"#,
    );
    put_bucket_policy(&root, &format!("{allow},{deny}")).await;
    let v13 = as_sub(&server.https_client(Some(Version::TLS_1_3)));
    let r = v13.get(B, "a.txt").await;
    assert_eq!(r.status, 200, "{}", r.text());
    let v12 = as_sub(&server.https_client(Some(Version::TLS_1_2)));
    assert_error(&v12.get(B, "a.txt").await, 403, "AccessDenied");
    // Plain HTTP has no TLS version: the allow does not apply.
    assert_error(&as_sub(&root).get(B, "a.txt").await, 403, "AccessDenied");
    // At least 1.2 (the seed's policy, with the `_if_exist` deny): both versions get in.
    let allow = allow.replace("1.3", "1.2");
    let deny = statement(
        "deny",
        "name/cos:*",
        r#","condition":{"numeric_less_than_if_exist":{"cos:tls-version":1.2}}"#,
    );
    put_bucket_policy(&root, &format!("{allow},{deny}")).await;
    assert_eq!(v12.get(B, "a.txt").await.status, 200);
    assert_eq!(v13.get(B, "a.txt").await.status, 200);
    assert_error(&as_sub(&root).get(B, "a.txt").await, 403, "AccessDenied");
    server.stop().await;
}

#[tokio::test]
async fn junk_and_silent_clients_on_the_tls_port_disturb_nothing() {
    let server = TestServer::start_tls().await;
    let at = server.https.unwrap();
    // A client that connects and says nothing holds no accept up.
    let silent = tokio::net::TcpStream::connect(at).await.unwrap();
    // Plain HTTP to the TLS port: an alert or a close, and only that connection ends.
    let mut junk = tokio::net::TcpStream::connect(at).await.unwrap();
    junk.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut buf = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(5), junk.read_to_end(&mut buf)).await;
    assert!(read.is_ok(), "the junk connection was closed");
    assert!(!buf.starts_with(b"HTTP/"), "no HTTP answer on the TLS port");
    // A truncated handshake, then a hang-up.
    let mut cut = tokio::net::TcpStream::connect(at).await.unwrap();
    cut.write_all(&[0x16, 0x03, 0x01, 0x02, 0x00, 0x01])
        .await
        .unwrap();
    drop(cut);
    let https = server.https_client(None);
    for _ in 0..3 {
        let r = https
            .http
            .get(format!("https://{at}/_cosd/health"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
    }
    assert_eq!(server.client().send(health()).await.status, 200);
    // A handshake still waited for does not hold up shutdown.
    let started = std::time::Instant::now();
    server.stop().await;
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    drop(silent);
}

#[tokio::test]
async fn a_configured_certificate_is_served_and_nothing_is_generated() {
    let first = TestServer::start_tls().await;
    let tls = first.state.config.data_dir.join("tls");
    let second = TestServer::start_tls_with(|cfg| {
        cfg.tls_cert = tls.join("cert.pem").display().to_string();
        cfg.tls_key = tls.join("key.pem").display().to_string();
    })
    .await;
    assert!(!second.dir.path().join("tls").exists());
    let client = Client {
        addr: second.https.unwrap(),
        ..first.https_client(None)
    };
    client.create_bucket(B).await;
    second.stop().await;
    first.stop().await;
}

fn health() -> Req<'static> {
    let mut r = Req::new("GET", None, "").anonymous();
    r.path = "/_cosd/health".into();
    r
}

#[tokio::test]
async fn the_binary_prints_the_https_endpoint_and_the_ca_to_trust() {
    use std::io::{BufRead, BufReader};
    let dir = tempfile::tempdir().unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_cosd"))
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--tls-listen",
            "127.0.0.1:0",
        ])
        .arg("--data-dir")
        .arg(dir.path())
        .env_remove("COSD_TLS_CERT")
        .env_remove("COSD_TLS_KEY")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let out = BufReader::new(child.stdout.take().unwrap());
    let (mut https, mut ca) = (String::new(), String::new());
    for line in out.lines() {
        let line = line.unwrap();
        if let Some(v) = line.trim().strip_prefix("https:") {
            https = v.trim().to_string();
        }
        if let Some(v) = line.trim().strip_prefix("trust CA:") {
            ca = v.split_whitespace().next().unwrap().to_string();
        }
        if line.trim().starts_with("SecretId:") {
            break;
        }
    }
    assert!(https.starts_with("https://127.0.0.1:"), "{https:?}");
    let ca = std::path::PathBuf::from(ca);
    assert!(ca.is_absolute(), "{}", ca.display());
    assert_eq!(ca, dir.path().canonicalize().unwrap().join("tls/ca.pem"));
    let client = reqwest::Client::builder()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(&std::fs::read(&ca).unwrap()).unwrap())
        .build()
        .unwrap();
    let r = client
        .get(format!("{https}/_cosd/health"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let _ = child.kill();
    let _ = child.wait();
}
