//! The accept loop: HTTP/1.1 connections, plain or TLS, served by hyper with header-case
//! preservation, peer addresses (and the TLS version) attached to requests, TCP_NODELAY, and
//! graceful shutdown.

use super::tls::{TlsAcceptor, TlsInfo};
use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::{GracefulShutdown, Watcher};
use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tower::ServiceExt;

/// The TCP peer of a request (for `qcs:ip` and logs).
#[derive(Debug, Clone, Copy)]
pub struct PeerAddr(pub SocketAddr);

/// How long a TLS client may take to complete its handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Serves `router` on `listener` until `shutdown` resolves, then lets in-flight requests finish
/// for up to `grace`.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    case: http::Extensions,
    shutdown: impl Future<Output = ()>,
    grace: Duration,
) {
    run(listener, None, Conn { router, case }, shutdown, grace).await
}

/// [`serve`] over TLS. Each handshake runs in its connection's own task (so a slow client
/// cannot hold up accepts) and may take [`HANDSHAKE_TIMEOUT`]; a failed one drops that
/// connection only. Requests carry a [`TlsInfo`] extension.
pub async fn serve_tls(
    listener: TcpListener,
    acceptor: TlsAcceptor,
    router: Router,
    case: http::Extensions,
    shutdown: impl Future<Output = ()>,
    grace: Duration,
) {
    let conn = Conn { router, case };
    run(listener, Some(acceptor), conn, shutdown, grace).await
}

async fn run(
    listener: TcpListener,
    tls: Option<TlsAcceptor>,
    conn: Conn,
    shutdown: impl Future<Output = ()>,
    grace: Duration,
) {
    let graceful = GracefulShutdown::new();
    // Cancels handshakes still under way at shutdown (they hold a watcher).
    let stopping = CancellationToken::new();
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let conn = conn.clone();
        let watcher = graceful.watcher();
        let Some(acceptor) = tls.clone() else {
            tokio::spawn(conn.serve(stream, peer, None, watcher));
            continue;
        };
        let stopping = stopping.clone();
        tokio::spawn(async move {
            let handshake = tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream));
            let stream = tokio::select! {
                r = handshake => match r {
                    Ok(Ok(s)) => s,
                    Ok(Err(e)) => {
                        tracing::debug!(%peer, error = %e, "TLS handshake failed");
                        return;
                    }
                    Err(_) => {
                        tracing::debug!(%peer, "TLS handshake timed out");
                        return;
                    }
                },
                _ = stopping.cancelled() => return,
            };
            // Fail closed: a connection whose version is unknown serves nothing.
            let Some(info) = stream.get_ref().1.protocol_version().and_then(TlsInfo::of) else {
                return;
            };
            conn.serve(stream, peer, Some(info), watcher).await
        });
    }
    stopping.cancel();
    drop(listener);
    tokio::select! {
        _ = graceful.shutdown() => tracing::info!("all connections closed"),
        _ = tokio::time::sleep(grace) => tracing::warn!("shutdown grace period over; closing remaining connections"),
    }
}

/// What every connection shares: the router and the response header casing.
#[derive(Clone)]
struct Conn {
    router: Router,
    case: http::Extensions,
}

impl Conn {
    /// Serves one connection (watched for graceful shutdown) until it ends.
    async fn serve<S>(self, io: S, peer: SocketAddr, tls: Option<TlsInfo>, watcher: Watcher)
    where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let Conn { router, case } = self;
        let svc = hyper::service::service_fn(move |req: http::Request<hyper::body::Incoming>| {
            let mut req = req.map(axum::body::Body::new);
            req.extensions_mut().insert(PeerAddr(peer));
            if let Some(info) = tls {
                req.extensions_mut().insert(info);
            }
            let router = router.clone();
            let case = case.clone();
            async move {
                let mut resp = router.oneshot(req).await?;
                resp.extensions_mut().extend(case);
                Ok::<_, std::convert::Infallible>(resp)
            }
        });
        // No `preserve_header_case`: hyper writes a response's names with the spellings of
        // the case map it carries (`header_case`) whatever this setting, which would only
        // make every request record its own header spellings, unread (~1% of a small GET in a profile).
        let conn = http1::Builder::new()
            .keep_alive(true)
            .serve_connection(TokioIo::new(io), svc);
        if let Err(e) = watcher.watch(conn).await {
            tracing::debug!(error = %e, "connection ended with an error");
        }
    }
}
