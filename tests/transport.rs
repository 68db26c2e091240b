//! Connection limits over raw sockets: header-read, idle and body timeouts, the connection cap,
//! and the framing the server refuses (docs/limits.md). Timeouts are configured at 1 s here;
//! every wait is bounded well above that.

#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use std::sync::atomic::Ordering::Relaxed;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Far above every configured timeout of these tests, far below a hang.
const BOUND: Duration = Duration::from_secs(15);

async fn server_with(tweak: impl FnOnce(&mut cosd::config::Config)) -> (TestServer, Client) {
    let s = TestServer::start_with(tweak).await;
    let c = s.client();
    c.create_bucket(B).await;
    (s, c)
}

/// Reads until the peer closes (or resets) the connection; None if it stays open past `BOUND`.
async fn read_until_closed(tcp: &mut TcpStream) -> Option<Vec<u8>> {
    let mut got = Vec::new();
    let mut buf = vec![0u8; 64 * 1024];
    let deadline = tokio::time::Instant::now() + BOUND;
    loop {
        match tokio::time::timeout_at(deadline, tcp.read(&mut buf)).await {
            Err(_) => return None,
            Ok(Ok(0)) | Ok(Err(_)) => return Some(got),
            Ok(Ok(n)) => got.extend_from_slice(&buf[..n]),
        }
    }
}

/// One response read off `tcp`: (status, head, body), the body by its Content-Length.
async fn read_response(tcp: &mut TcpStream) -> (u16, String, Vec<u8>) {
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = got.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = tokio::time::timeout(BOUND, tcp.read(&mut buf))
            .await
            .expect("a response in time")
            .unwrap();
        assert!(
            n > 0,
            "closed before a response: {:?}",
            String::from_utf8_lossy(&got)
        );
        got.extend_from_slice(&buf[..n]);
    };
    let head = String::from_utf8_lossy(&got[..head_end]).into_owned();
    let status = head[9..12].parse().unwrap();
    let len: usize = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse().unwrap())
        })
        .unwrap_or(0);
    let mut body = got[head_end..].to_vec();
    while body.len() < len {
        let n = tokio::time::timeout(BOUND, tcp.read(&mut buf))
            .await
            .unwrap()
            .unwrap();
        assert!(n > 0);
        body.extend_from_slice(&buf[..n]);
    }
    (status, head, body)
}

fn health_request() -> &'static [u8] {
    b"GET /_cosd/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
}

/// A signed request head for `key` in bucket `B` (the body, if any, follows).
fn signed_head(method: &str, key: &str, extra: &[(&str, &str)]) -> String {
    let mut headers: Vec<(String, String)> = vec![("Host".into(), vhost(B))];
    headers.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let auth = authorization(
        SID,
        SKEY,
        method,
        &format!("/{key}"),
        &[],
        &headers,
        now - 60,
        now + 600,
    );
    let mut head = format!("{method} /{key} HTTP/1.1\r\nAuthorization: {auth}\r\n");
    for (k, v) in &headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    head
}

#[tokio::test]
async fn a_connection_that_trickles_headers_is_closed() {
    let (s, _c) = server_with(|cfg| {
        cfg.header_read_timeout_secs = 1;
        cfg.idle_timeout_secs = 60;
    })
    .await;
    let tcp = TcpStream::connect(s.addr).await.unwrap();
    let (mut rd, mut wr) = tcp.into_split();
    let started = Instant::now();
    // One byte every 100 ms: the header would take ~5 s to arrive.
    let trickle = tokio::spawn(async move {
        let head = format!(
            "GET /_cosd/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Pad: {}\r\n\r\n",
            "p".repeat(20)
        );
        for b in head.bytes() {
            if wr.write_all(&[b]).await.is_err() {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        false
    });
    let mut got = Vec::new();
    let closed = tokio::time::timeout(BOUND, rd.read_to_end(&mut got)).await;
    assert!(closed.is_ok(), "the trickling connection is still open");
    assert!(
        got.is_empty(),
        "no answer: {:?}",
        String::from_utf8_lossy(&got)
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "closed before its header was complete"
    );
    trickle.abort();
    assert_eq!(s.state.transport.stats().header_timeouts.load(Relaxed), 1);
}

#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed() {
    let (s, _c) = server_with(|cfg| {
        cfg.idle_timeout_secs = 1;
    })
    .await;
    let mut tcp = TcpStream::connect(s.addr).await.unwrap();
    tcp.write_all(health_request()).await.unwrap();
    let (status, _, body) = read_response(&mut tcp).await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    // Kept alive after the response, then closed for want of a next request.
    assert_eq!(read_until_closed(&mut tcp).await, Some(vec![]));
    // A connection that never sends anything goes the same way.
    let mut silent = TcpStream::connect(s.addr).await.unwrap();
    assert_eq!(read_until_closed(&mut silent).await, Some(vec![]));
    // (and the test client's pooled connection)
    assert!(s.state.transport.stats().idle_timeouts.load(Relaxed) >= 2);
    let deadline = Instant::now() + BOUND;
    while s.state.transport.open() > 0 {
        assert!(Instant::now() < deadline, "{:?}", s.state.transport);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn an_idle_https_connection_is_closed() {
    let s = TestServer::start_tls_with(|cfg| cfg.idle_timeout_secs = 1).await;
    let ca = std::fs::read(s.ca_pem()).unwrap();
    let mut roots = rustls::RootCertStore::empty();
    use rustls::pki_types::pem::PemObject;
    roots
        .add(rustls::pki_types::CertificateDer::from_pem_slice(&ca).unwrap())
        .unwrap();
    let config = rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(std::sync::Arc::new(config));
    let tcp = TcpStream::connect(s.https.unwrap()).await.unwrap();
    let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
    let mut tls = connector.connect(name, tcp).await.unwrap();
    // A request is served on it, then the silence after it closes it.
    tls.write_all(health_request()).await.unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    let closed = tokio::time::timeout(BOUND, async {
        loop {
            match tls.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => got.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    assert!(closed.is_ok(), "the idle HTTPS connection is still open");
    assert!(
        got.starts_with(b"HTTP/1.1 200"),
        "{}",
        String::from_utf8_lossy(&got)
    );
    assert_eq!(s.state.transport.stats().idle_timeouts.load(Relaxed), 1);
}

#[tokio::test]
async fn a_stalled_upload_is_aborted_and_its_chunks_released_while_its_connection_stays_open() {
    let (s, c) = server_with(|cfg| {
        cfg.body_timeout_secs = 1;
        cfg.gc_grace_secs = 0;
    })
    .await;
    let total = 2 * 1024 * 1024;
    let sent = 1024 * 1024; // four 256 KiB chunks
    let len = total.to_string();
    let head = signed_head("PUT", "stalled.bin", &[("Content-Length", &len)]);
    let mut tcp = TcpStream::connect(s.addr).await.unwrap();
    tcp.write_all(head.as_bytes()).await.unwrap();
    tcp.write_all(&random_bytes(sent, 7)).await.unwrap();
    // ...and nothing more: the server gives up on the body and says why.
    let (status, head, body) = read_response(&mut tcp).await;
    let text = String::from_utf8_lossy(&body);
    assert_eq!(status, 400, "{head}{text}");
    assert!(text.contains("<Code>RequestTimeout</Code>"), "{text}");
    assert!(
        head.to_ascii_lowercase().contains("connection: close"),
        "{head}"
    );
    // The chunks written so far are free for the collector now, not when the client hangs up.
    let gc = s.state.store.gc_once().await.unwrap();
    assert_eq!(gc.deleted, 4, "{gc:?}");
    assert_eq!(c.get(B, "stalled.bin").await.status, 404);
    assert_eq!(s.state.transport.stats().body_timeouts.load(Relaxed), 1);
    drop(tcp);
}

#[tokio::test]
async fn a_response_the_client_does_not_read_is_cut_after_the_body_timeout() {
    let (s, c) = server_with(|cfg| cfg.body_timeout_secs = 1).await;
    let size = 32 * 1024 * 1024;
    c.put(B, "big.bin", &random_bytes(size, 3)).await;
    let mut tcp = TcpStream::connect(s.addr).await.unwrap();
    tcp.write_all(signed_head("GET", "big.bin", &[]).as_bytes())
        .await
        .unwrap();
    // Read nothing while the socket buffers fill and the server's write waits...
    let deadline = Instant::now() + BOUND;
    while s.state.transport.stats().send_timeouts.load(Relaxed) == 0 {
        assert!(
            Instant::now() < deadline,
            "the stalled response is still being sent"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // ...then what was buffered, and the end: the server let the connection go.
    let got = read_until_closed(&mut tcp).await.expect("closed");
    assert!(got.starts_with(b"HTTP/1.1 200"));
    assert!(got.len() < size, "{} bytes", got.len());
}

#[tokio::test]
async fn at_the_connection_cap_idle_connections_make_room_for_a_health_check() {
    let s = TestServer::start_with(|cfg| cfg.max_connections = 4).await;
    let mut idle = Vec::new();
    for _ in 0..4 {
        idle.push(TcpStream::connect(s.addr).await.unwrap());
    }
    let deadline = Instant::now() + BOUND;
    while s.state.transport.open() < 4 {
        assert!(Instant::now() < deadline);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Each check (kept open, so the next one needs room too) takes an idle one's place.
    let mut checks = Vec::new();
    for _ in 0..3 {
        let mut tcp = TcpStream::connect(s.addr).await.unwrap();
        tcp.write_all(health_request()).await.unwrap();
        let (status, _, _) = read_response(&mut tcp).await;
        assert_eq!(status, 200);
        checks.push(tcp);
    }
    assert!(s.state.transport.open() <= 4);
    // The oldest idle connections were the ones closed.
    let mut closed = 0;
    for tcp in &mut idle {
        let mut b = [0u8; 1];
        if let Ok(Ok(0) | Err(_)) =
            tokio::time::timeout(Duration::from_millis(500), tcp.read(&mut b)).await
        {
            closed += 1;
        }
    }
    assert_eq!(closed, 3, "idle connections closed");
    assert_eq!(s.state.transport.stats().evicted.load(Relaxed), 3);
}

#[tokio::test]
async fn at_the_connection_cap_with_every_connection_busy_new_ones_get_503() {
    let (s, c) = server_with(|cfg| cfg.max_connections = 2).await;
    // Two uploads whose bodies have not come yet keep their connections busy.
    let mut busy = Vec::new();
    for i in 0..2 {
        let mut tcp = TcpStream::connect(s.addr).await.unwrap();
        let head = signed_head("PUT", &format!("slow{i}"), &[("Content-Length", "5")]);
        tcp.write_all(head.as_bytes()).await.unwrap();
        busy.push(tcp);
        let deadline = Instant::now() + BOUND;
        while s.state.transport.busy() < i + 1 {
            assert!(Instant::now() < deadline, "{:?}", s.state.transport);
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    let mut refused = TcpStream::connect(s.addr).await.unwrap();
    refused.write_all(health_request()).await.unwrap();
    let got = read_until_closed(&mut refused)
        .await
        .expect("closed at once");
    assert!(
        got.starts_with(b"HTTP/1.1 503"),
        "{}",
        String::from_utf8_lossy(&got)
    );
    assert_eq!(s.state.transport.stats().refused.load(Relaxed), 1);
    // One upload finishes; its connection, idle again, makes room.
    busy[0].write_all(b"hello").await.unwrap();
    let (status, _, _) = read_response(&mut busy[0]).await;
    assert_eq!(status, 200);
    let mut tcp = TcpStream::connect(s.addr).await.unwrap();
    tcp.write_all(health_request()).await.unwrap();
    assert_eq!(read_response(&mut tcp).await.0, 200);
    assert_eq!(c.get(B, "slow0").await.body, b"hello");
}

/// A chunked body's bytes: one chunk of `data` with `ext` after its size, then the last chunk
/// and `trailers`.
fn chunked(data: &[u8], ext: &str, trailers: &str) -> Vec<u8> {
    let mut out = format!("{:x}{ext}\r\n", data.len()).into_bytes();
    out.extend_from_slice(data);
    out.extend_from_slice(format!("\r\n0\r\n{trailers}\r\n").as_bytes());
    out
}

async fn send_raw(s: &TestServer, bytes: &[u8]) -> (u16, String, Vec<u8>) {
    let mut tcp = TcpStream::connect(s.addr).await.unwrap();
    tcp.write_all(bytes).await.unwrap();
    read_response(&mut tcp).await
}

fn put_chunked(key: &str, te: &str, body: &[u8]) -> Vec<u8> {
    let mut req = signed_head("PUT", key, &[("Transfer-Encoding", te)]).into_bytes();
    req.extend_from_slice(body);
    req
}

#[tokio::test]
async fn transfer_encoding_gzip_is_refused_with_501() {
    let (s, c) = server_with(|_| {}).await;
    let req = put_chunked(
        "gz",
        "gzip, chunked",
        &chunked(b"\x1f\x8b\x08not really gzip", "", ""),
    );
    let (status, head, body) = send_raw(&s, &req).await;
    let text = String::from_utf8_lossy(&body);
    assert_eq!(status, 501, "{head}{text}");
    assert!(text.contains("<Code>NotImplemented</Code>"), "{text}");
    assert_eq!(c.get(B, "gz").await.status, 404);
    // chunked alone is fine.
    let req = put_chunked("plain", "chunked", &chunked(b"hello", "", ""));
    assert_eq!(send_raw(&s, &req).await.0, 200);
    assert_eq!(c.get(B, "plain").await.body, b"hello");
}

/// Sends `req` while reading the answer (the server answers before it has read everything).
async fn send_while_reading(s: &TestServer, req: Vec<u8>) -> (u16, String, Vec<u8>) {
    let tcp = TcpStream::connect(s.addr).await.unwrap();
    let (mut rd, mut wr) = tcp.into_split();
    let writer = tokio::spawn(async move {
        let _ = wr.write_all(&req).await;
        wr
    });
    let mut got = Vec::new();
    let _ = tokio::time::timeout(BOUND, rd.read_to_end(&mut got)).await;
    let _ = writer.await;
    let text = String::from_utf8_lossy(&got).into_owned();
    assert!(text.starts_with("HTTP/1.1 "), "no HTTP answer: {text:?}");
    let status = text[9..12].parse().unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    (status, head.to_string(), body.as_bytes().to_vec())
}

#[tokio::test]
async fn a_100_kb_chunk_extension_is_answered_400() {
    let (s, c) = server_with(|_| {}).await;
    // The extension, then 8 MiB more the server never reads.
    let ext = format!(";x={}", "e".repeat(100 * 1024));
    let req = put_chunked("ext", "chunked", &chunked(&vec![b'a'; 8 << 20], &ext, ""));
    let (status, head, body) = send_while_reading(&s, req).await;
    assert_eq!(status, 400, "{head}{}", String::from_utf8_lossy(&body));
    assert_eq!(c.get(B, "ext").await.status, 404);
}

#[tokio::test]
async fn five_thousand_chunked_trailers_are_answered_400() {
    let (s, c) = server_with(|_| {}).await;
    let trailers: String = (0..5000).map(|i| format!("x-t{i}: v\r\n")).collect();
    let req = put_chunked("trailers", "chunked", &chunked(b"hello", "", &trailers));
    let (status, head, body) = send_while_reading(&s, req).await;
    assert_eq!(status, 400, "{head}{}", String::from_utf8_lossy(&body));
    assert_eq!(c.get(B, "trailers").await.status, 404);
}

/// hyper frames such a request by Transfer-Encoding alone and drops Content-Length before
/// the server sees it (RFC 9112 §6.3 allows that, or a 400); either way the connection must
/// close after the answer.
#[tokio::test]
async fn content_length_with_transfer_encoding_chunked_is_answered_and_the_connection_closed() {
    let (s, c) = server_with(|_| {}).await;
    // A body framed by Content-Length that a chunked reader misreads (the smuggling probe),
    // then one that is valid chunked.
    for (key, body, want) in [
        ("cl-te-1", b"hello".to_vec(), 400),
        ("cl-te-2", chunked(b"hello", "", ""), 200),
    ] {
        let head = signed_head("PUT", key, &[]);
        let head = head.trim_end_matches("\r\n");
        let mut req = format!(
            "{head}\r\nContent-Length: {}\r\nTransfer-Encoding: chunked\r\n\r\n",
            body.len()
        )
        .into_bytes();
        req.extend_from_slice(&body);
        let mut tcp = TcpStream::connect(s.addr).await.unwrap();
        tcp.write_all(&req).await.unwrap();
        let (status, head, body) = read_response(&mut tcp).await;
        assert_eq!(status, want, "{head}{}", String::from_utf8_lossy(&body));
        assert!(
            head.to_ascii_lowercase().contains("connection: close"),
            "{head}"
        );
        assert_eq!(read_until_closed(&mut tcp).await, Some(vec![]));
    }
    assert_eq!(c.get(B, "cl-te-1").await.status, 404);
    assert_eq!(c.get(B, "cl-te-2").await.body, b"hello");
}

#[tokio::test]
async fn a_304_answer_carries_content_length_0() {
    let (s, c) = server_with(|_| {}).await;
    let etag = c
        .put(B, "cond.txt", b"hello")
        .await
        .header("etag")
        .unwrap()
        .to_string();
    for method in ["GET", "HEAD"] {
        let mut tcp = TcpStream::connect(s.addr).await.unwrap();
        let head = signed_head(method, "cond.txt", &[("If-None-Match", &etag)]);
        tcp.write_all(head.as_bytes()).await.unwrap();
        let (status, head, body) = read_response(&mut tcp).await;
        assert_eq!(status, 304, "{head}");
        assert!(
            head.contains("\r\nContent-Length: 0\r\n"),
            "{method}: {head}"
        );
        assert!(head.contains(&format!("\r\nETag: {etag}\r\n")), "{head}");
        assert!(body.is_empty());
    }
}
