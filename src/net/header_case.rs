//! Exact response header spellings (`ETag`, `Content-Length`, `Last-Modified`, ...).
//!
//! The official Python SDK indexes response headers case-sensitively (shared/spec/03 §2), but
//! hyper writes lower-case names unless the response carries hyper's (private) header-case map.
//! We obtain such a map through hyper's public API: parse one synthetic request, whose headers
//! carry the wanted spellings, through a connection with `preserve_header_case(true)`, and keep
//! that request's extensions. Every response is extended with a clone of them; names in the map
//! are written with the recorded spelling, all others (`x-cos-*`) stay lower-case. hyper reads
//! a response's map whatever its connection's `preserve_header_case`, so serving connections
//! leave that off.

use bytes::Bytes;
use http_body_util::Empty;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use tokio::io::AsyncWriteExt;

/// Header names whose spelling clients depend on.
pub const SPELLINGS: &[&str] = &[
    "ETag",
    "Content-Length",
    "Content-Type",
    "Last-Modified",
    "Date",
    "Content-Range",
    "Accept-Ranges",
    "Cache-Control",
    "Content-Disposition",
    "Content-Encoding",
    "Content-Language",
    "Expires",
    "Server",
    "Connection",
    "Location",
];

/// Captures the header-case extension. Falls back to empty extensions (lower-case headers) if
/// hyper ever stops producing one.
pub async fn capture() -> http::Extensions {
    let (mut client, server) = tokio::io::duplex(8192);
    let (tx, rx) = tokio::sync::oneshot::channel();
    let tx = Arc::new(Mutex::new(Some(tx)));
    let svc = service_fn(move |req: http::Request<hyper::body::Incoming>| {
        let tx = Arc::clone(&tx);
        async move {
            if let Some(tx) = tx.lock().unwrap_or_else(|p| p.into_inner()).take() {
                let _ = tx.send(req.extensions().clone());
            }
            Ok::<_, Infallible>(http::Response::new(Empty::<Bytes>::new()))
        }
    });
    let conn = http1::Builder::new()
        .preserve_header_case(true)
        .serve_connection(TokioIo::new(server), svc);
    let task = tokio::spawn(conn);
    let mut raw = String::from("GET / HTTP/1.1\r\nHost: capture\r\n");
    for name in SPELLINGS {
        if *name == "Content-Length" {
            raw.push_str("Content-Length: 0\r\n");
        } else if *name != "Connection" {
            raw.push_str(&format!("{name}: x\r\n"));
        }
    }
    raw.push_str("Connection: close\r\n\r\n");
    let _ = client.write_all(raw.as_bytes()).await;
    let ext = rx.await.unwrap_or_default();
    drop(client);
    task.abort();
    ext
}
