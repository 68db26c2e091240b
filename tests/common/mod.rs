//! An in-process cosd on 127.0.0.1:0 with a temp data directory and an adjustable clock, and a
//! q-sign client that signs the way the official Python SDK does.

#![allow(dead_code, clippy::unwrap_used, clippy::too_many_arguments)]

use cosd::auth::encode::cos_encode;
use cosd::clock::{Clock, OffsetClock};
use cosd::config::{Config, Overrides};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;

pub const SID: &str = "AKIDtestROOTkey000000000000000000000";
pub const SKEY: &str = "testRootSecretKey0000000000000000";
pub const REGION: &str = "ap-guangzhou";

pub struct TestServer {
    pub addr: SocketAddr,
    /// The HTTPS listener, when started with `start_tls`/`start_tls_with`.
    pub https: Option<SocketAddr>,
    pub clock: Arc<OffsetClock>,
    pub state: Arc<cosd::AppState>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
    /// Last: fields drop in order, and the store flushes into this directory when it closes.
    pub dir: tempfile::TempDir,
}

impl TestServer {
    pub async fn start() -> TestServer {
        Self::start_with(|_| {}).await
    }

    pub async fn start_with(tweak: impl FnOnce(&mut Config)) -> TestServer {
        Self::launch(tweak, false).await
    }

    /// Also serves HTTPS on 127.0.0.1:0 with the certificate generated into the data directory
    /// (`ca_pem()` is the CA to trust).
    pub async fn start_tls() -> TestServer {
        Self::start_tls_with(|_| {}).await
    }

    pub async fn start_tls_with(tweak: impl FnOnce(&mut Config)) -> TestServer {
        Self::launch(tweak, true).await
    }

    async fn launch(tweak: impl FnOnce(&mut Config), tls: bool) -> TestServer {
        let dir = tempfile::tempdir().unwrap();
        let mut cfg = Config::load(None, &|_| None, &Overrides::default()).unwrap();
        cfg.data_dir = dir.path().to_owned();
        cfg.root_secret_id = SID.into();
        cfg.root_secret_key = SKEY.into();
        cfg.sync_writes = false;
        cfg.chunk_size = 256 * 1024;
        cfg.tls_listen = if tls {
            "127.0.0.1:0".into()
        } else {
            String::new()
        };
        tweak(&mut cfg);
        let clock = Arc::new(OffsetClock::default());
        let (state, _) = cosd::build_state(cfg, clock.clone() as Arc<dyn Clock>)
            .await
            .unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let secure = if state.config.tls_listen.is_empty() {
            None
        } else {
            let (acceptor, _) = cosd::net::tls::setup(&state.config).unwrap();
            let l = tokio::net::TcpListener::bind(&state.config.tls_listen)
                .await
                .unwrap();
            Some((l, acceptor))
        };
        let https = secure.as_ref().map(|(l, _)| l.local_addr().unwrap());
        let case = cosd::net::header_case::capture().await;
        let router = cosd::app(Arc::clone(&state));
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let stop = tokio_util::sync::CancellationToken::new();
        let grace = std::time::Duration::from_secs(5);
        let transport = state.transport.clone();
        let task = tokio::spawn(async move {
            let plain = cosd::net::server::serve(
                listener,
                router.clone(),
                case.clone(),
                transport.clone(),
                stop.clone().cancelled_owned(),
                grace,
            );
            let tls = async {
                if let Some((l, acceptor)) = secure {
                    let stopped = stop.clone().cancelled_owned();
                    cosd::net::server::serve_tls(
                        l, acceptor, router, case, transport, stopped, grace,
                    )
                    .await;
                }
            };
            let signal = async {
                let _ = rx.await;
                stop.cancel();
            };
            tokio::join!(plain, tls, signal);
        });
        TestServer {
            addr,
            https,
            clock,
            dir,
            state,
            stop: Some(tx),
            task: Some(task),
        }
    }

    pub fn client(&self) -> Client {
        Client {
            addr: self.addr,
            scheme: "http",
            sid: SID.into(),
            skey: SKEY.into(),
            clock: self.clock.clone(),
            http: reqwest::Client::new(),
        }
    }

    /// The generated CA clients of the HTTPS listener trust.
    pub fn ca_pem(&self) -> std::path::PathBuf {
        self.state.config.data_dir.join("tls").join("ca.pem")
    }

    /// A root-account client of the HTTPS listener that trusts only `ca_pem()`, speaking TLS
    /// `version` only if given (else 1.2 or 1.3).
    pub fn https_client(&self, version: Option<reqwest::tls::Version>) -> Client {
        let ca = std::fs::read(self.ca_pem()).unwrap();
        let mut b = reqwest::Client::builder()
            .tls_built_in_root_certs(false)
            .add_root_certificate(reqwest::Certificate::from_pem(&ca).unwrap())
            .https_only(true);
        if let Some(v) = version {
            b = b.min_tls_version(v).max_tls_version(v);
        }
        Client {
            addr: self.https.expect("started with start_tls"),
            scheme: "https",
            http: b.build().unwrap(),
            ..self.client()
        }
    }

    pub async fn stop(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.task.take() {
            let _ = t.await;
        }
    }
}

impl Drop for TestServer {
    /// The server task (and with it the store) outlives this struct until the runtime ends,
    /// after `dir` is gone: close the store now, while its directory exists.
    fn drop(&mut self) {
        let _ = self.state.store.close();
    }
}

pub fn vhost(bucket: &str) -> String {
    format!("{bucket}.cos.{REGION}.myqcloud.com")
}

/// A q-sign client speaking to the test server in "IP mode": the TCP peer is 127.0.0.1 and the
/// Host header names the bucket, as cos-python-sdk-v5 does with `IP=`.
#[derive(Clone)]
pub struct Client {
    pub addr: SocketAddr,
    /// `http` or `https`.
    pub scheme: &'static str,
    pub sid: String,
    pub skey: String,
    pub clock: Arc<OffsetClock>,
    pub http: reqwest::Client,
}

pub struct Req<'a> {
    pub method: &'a str,
    pub host: String,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub sign: bool,
}

pub struct Resp {
    pub status: u16,
    pub headers: HashMap<String, String>,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    pub fn header(&self, n: &str) -> Option<&str> {
        self.headers
            .get(&n.to_ascii_lowercase())
            .map(|s| s.as_str())
    }
    /// The text of the first `<tag>` in the body.
    pub fn xml(&self, tag: &str) -> Option<String> {
        xml_all(&self.text(), tag).into_iter().next()
    }
    pub fn code(&self) -> String {
        self.xml("Code").unwrap_or_default()
    }
}

/// Every `<tag>…</tag>` text in `body`, unescaped.
pub fn xml_all(body: &str, tag: &str) -> Vec<String> {
    let (open, close) = (format!("<{tag}>"), format!("</{tag}>"));
    let mut out = Vec::new();
    let mut rest = body;
    while let Some(i) = rest.find(&open) {
        let after = &rest[i + open.len()..];
        let Some(j) = after.find(&close) else { break };
        out.push(
            after[..j]
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&apos;", "'")
                .replace("&amp;", "&"),
        );
        rest = &after[j + close.len()..];
    }
    out
}

/// Encodes a key for the URL path the way the Python SDK does (`quote(key, safe='/-_.~')`).
pub fn url_path(key: &str) -> String {
    key.split('/').map(cos_encode).collect::<Vec<_>>().join("/")
}

impl<'a> Req<'a> {
    pub fn new(method: &'a str, bucket: Option<&str>, key: &str) -> Req<'a> {
        let host = bucket
            .map(vhost)
            .unwrap_or_else(|| "service.cos.myqcloud.com".into());
        Req {
            method,
            host,
            path: format!("/{}", url_path(key)),
            query: vec![],
            headers: vec![],
            body: vec![],
            sign: true,
        }
    }
    pub fn q(mut self, k: &str, v: &str) -> Self {
        self.query.push((k.into(), v.into()));
        self
    }
    pub fn h(mut self, k: &str, v: &str) -> Self {
        self.headers.push((k.into(), v.into()));
        self
    }
    pub fn body(mut self, b: impl Into<Vec<u8>>) -> Self {
        self.body = b.into();
        self
    }
    pub fn anonymous(mut self) -> Self {
        self.sign = false;
        self
    }
}

/// The q-sign Authorization value for a request, signing every query parameter and the headers
/// the Python SDK signs.
pub fn authorization(
    sid: &str,
    skey: &str,
    method: &str,
    signed_path: &str,
    query: &[(String, String)],
    headers: &[(String, String)],
    start: i64,
    end: i64,
) -> String {
    let signed = |n: &str| {
        matches!(
            n,
            "content-type"
                | "content-md5"
                | "content-length"
                | "host"
                | "range"
                | "if-match"
                | "if-none-match"
                | "if-modified-since"
                | "if-unmodified-since"
                | "cache-control"
                | "content-disposition"
                | "content-encoding"
                | "expires"
        ) || n.starts_with("x-cos-")
    };
    let hdrs: Vec<(String, String)> = headers
        .iter()
        .map(|(k, v)| (k.to_ascii_lowercase(), v.clone()))
        .filter(|(k, _)| signed(k))
        .collect();
    cosd::auth::qsign::authorization((sid, skey), method, signed_path, query, &hdrs, (start, end))
}

pub fn query_string(q: &[(String, String)]) -> String {
    q.iter()
        .map(|(k, v)| {
            if v.is_empty() {
                format!("{}=", cos_encode(k))
            } else {
                format!("{}={}", cos_encode(k), cos_encode(v))
            }
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// An `aws-sdk-s3` client for the test server (path-style, SigV4), with a session token for
/// temporary keys.
pub fn s3_client(
    addr: SocketAddr,
    key: &str,
    secret: &str,
    token: Option<String>,
) -> aws_sdk_s3::Client {
    use aws_sdk_s3::config::{BehaviorVersion, Credentials, Region};
    let conf = aws_sdk_s3::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .credentials_provider(Credentials::new(key, secret, token, None, "test"))
        .region(Region::new(REGION))
        .endpoint_url(format!("http://{addr}"))
        .force_path_style(true)
        .http_client(aws_smithy_http_client::Builder::new().build_http())
        .build();
    aws_sdk_s3::Client::from_conf(conf)
}

impl Client {
    /// A request to the admin API (`/_cosd/admin/<path>`) signed with this client's key.
    pub async fn admin(&self, method: &'static str, path: &str, body: &str) -> Resp {
        let mut r = Req::new(method, None, "");
        r.host = self.addr.to_string();
        r.path = format!("/_cosd/admin/{path}");
        self.send(r.body(body.as_bytes().to_vec())).await
    }

    /// Creates sub-account `uin` of this client's root account with one key, via the admin API.
    pub async fn add_sub_account(&self, uin: &str, secret_id: &str, secret_key: &str) {
        let body =
            format!(r#"{{"uin":"{uin}","secret_id":"{secret_id}","secret_key":"{secret_key}"}}"#);
        let r = self.admin("POST", "users", &body).await;
        assert_eq!(r.status, 200, "{}", r.text());
    }

    pub fn now(&self) -> i64 {
        self.clock.now_secs()
    }

    pub async fn send(&self, r: Req<'_>) -> Resp {
        let mut headers = r.headers.clone();
        headers.push(("Host".into(), r.host.clone()));
        if !r.body.is_empty() || matches!(r.method, "PUT" | "POST") {
            headers.push(("Content-Length".into(), r.body.len().to_string()));
        }
        let decoded = cosd::auth::encode::decode_path(&r.path).unwrap_or_else(|| r.path.clone());
        let mut rb = self
            .http
            .request(r.method.parse().unwrap(), self.url(&r.path, &r.query));
        if r.sign {
            let now = self.now();
            rb = rb.header(
                "Authorization",
                authorization(
                    &self.sid,
                    &self.skey,
                    r.method,
                    &decoded,
                    &r.query,
                    &headers,
                    now - 60,
                    now + 600,
                ),
            );
        }
        for (k, v) in &headers {
            rb = rb.header(k.as_str(), v.as_str());
        }
        let resp = rb.body(r.body).send().await.unwrap();
        let status = resp.status().as_u16();
        let headers = resp
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let body = resp.bytes().await.unwrap().to_vec();
        Resp {
            status,
            headers,
            body,
        }
    }

    pub fn url(&self, path: &str, query: &[(String, String)]) -> String {
        if query.is_empty() {
            format!("{}://{}{}", self.scheme, self.addr, path)
        } else {
            let q = query_string(query);
            format!("{}://{}{}?{q}", self.scheme, self.addr, path)
        }
    }

    pub async fn create_bucket(&self, bucket: &str) {
        let r = self.send(Req::new("PUT", Some(bucket), "")).await;
        assert_eq!(r.status, 200, "{}", r.text());
    }

    pub async fn put(&self, bucket: &str, key: &str, data: &[u8]) -> Resp {
        let r = self
            .send(Req::new("PUT", Some(bucket), key).body(data.to_vec()))
            .await;
        assert_eq!(r.status, 200, "PUT {key}: {}", r.text());
        r
    }

    pub async fn get(&self, bucket: &str, key: &str) -> Resp {
        self.send(Req::new("GET", Some(bucket), key)).await
    }
}

/// Sleeps until a wall-clock second has just begun, so that a request and an assertion about
/// `now()` right after it fall in the same second (the test clock is an offset from real time).
pub async fn at_start_of_second() {
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_millis() as u64;
    tokio::time::sleep(std::time::Duration::from_millis(1001 - ms)).await;
}

pub fn md5_hex(data: &[u8]) -> String {
    use md5::Digest;
    hex::encode(md5::Md5::digest(data))
}

pub fn random_bytes(n: usize, seed: u64) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

/// The bucket most tests use.
pub const B: &str = "examplebucket-1250000000";

/// A server with bucket `B` created.
pub async fn setup() -> (TestServer, Client) {
    let s = TestServer::start().await;
    let c = s.client();
    c.create_bucket(B).await;
    (s, c)
}

pub fn assert_error(r: &Resp, status: u16, code: &str) {
    assert_eq!(r.status, status, "{}", r.text());
    assert_eq!(r.code(), code, "{}", r.text());
    for tag in ["Message", "Resource", "RequestId", "TraceId"] {
        assert!(
            !r.xml(tag).unwrap_or_default().is_empty(),
            "{tag} must be non-empty: {}",
            r.text()
        );
    }
    assert_eq!(
        r.xml("RequestId").as_deref(),
        r.header("x-cos-request-id"),
        "RequestId equals x-cos-request-id"
    );
}
