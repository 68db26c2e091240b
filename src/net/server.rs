//! The accept loop: HTTP/1.1 connections, plain or TLS, served by hyper with header-case
//! preservation, peer addresses (and the TLS version) attached to requests, TCP_NODELAY, the
//! connection limits of [`super::transport`] and graceful shutdown.

use super::tls::{TlsAcceptor, TlsInfo};
use super::transport::{Admitted, ConnState, StallGuard, Tracked, Transport, Watched};
use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::{GracefulShutdown, Watcher};
use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::sync::Arc;
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

/// What a refused connection (at the cap, none idle) reads before it is closed.
const REFUSED: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nRetry-After: 1\r\nConnection: close\r\n\r\n";

/// Serves `router` on `listener` until `shutdown` resolves, then lets in-flight requests finish
/// for up to `grace`. `transport` holds the limits and the connections of every listener.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    case: http::Extensions,
    transport: Transport,
    shutdown: impl Future<Output = ()>,
    grace: Duration,
) {
    let conn = Conn {
        router,
        case,
        transport,
    };
    run(listener, None, conn, shutdown, grace).await
}

/// [`serve`] over TLS. Each handshake runs in its connection's own task (so a slow client
/// cannot hold up accepts) and may take [`HANDSHAKE_TIMEOUT`]; a failed one drops that
/// connection only. Requests carry a [`TlsInfo`] extension.
pub async fn serve_tls(
    listener: TcpListener,
    acceptor: TlsAcceptor,
    router: Router,
    case: http::Extensions,
    transport: Transport,
    shutdown: impl Future<Output = ()>,
    grace: Duration,
) {
    let conn = Conn {
        router,
        case,
        transport,
    };
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
        let Some(admitted) = conn.transport.admit() else {
            // At the cap with every connection serving a request: say so (plain HTTP) and
            // close, rather than let the client wait for a descriptor.
            conn.transport
                .stats()
                .refused
                .fetch_add(1, Ordering::Relaxed);
            if tls.is_none() {
                match conn.transport.refusal() {
                    Some(leave) => {
                        tokio::spawn(refuse(stream, leave));
                    }
                    None => {
                        let _ = stream.try_write(REFUSED);
                    }
                }
            }
            tracing::debug!(%peer, "connection refused: at max_connections");
            continue;
        };
        let _ = stream.set_nodelay(true);
        let conn = conn.clone();
        let watcher = graceful.watcher();
        let stream = Watched::new(stream, Arc::clone(admitted.state()));
        let Some(acceptor) = tls.clone() else {
            tokio::spawn(conn.serve(stream, peer, None, watcher, admitted));
            continue;
        };
        let stopping = stopping.clone();
        tokio::spawn(async move {
            let handshake = tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream));
            let mut stream = tokio::select! {
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
                _ = admitted.state().eviction() => return,
            };
            stream.get_mut().0.restart_idle();
            // Fail closed: a connection whose version is unknown serves nothing.
            let Some(info) = stream.get_ref().1.protocol_version().and_then(TlsInfo::of) else {
                return;
            };
            conn.serve(stream, peer, Some(info), watcher, admitted)
                .await
        });
    }
    stopping.cancel();
    drop(listener);
    tokio::select! {
        _ = graceful.shutdown() => tracing::info!("all connections closed"),
        _ = tokio::time::sleep(grace) => tracing::warn!("shutdown grace period over; closing remaining connections"),
    }
}

/// Answers a refused connection 503 and waits (a second at most) for the client to close, so
/// that its unread request does not make the close a reset that destroys the answer.
async fn refuse(mut stream: tokio::net::TcpStream, _leave: super::transport::Refusal) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let _ = tokio::time::timeout(Duration::from_secs(1), async {
        stream.write_all(REFUSED).await?;
        stream.shutdown().await?;
        let mut scratch = [0u8; 4096];
        while stream.read(&mut scratch).await? > 0 {}
        Ok::<_, std::io::Error>(())
    })
    .await;
}

/// What every connection shares: the router, the response header casing and the limits.
/// A response extension: close the connection instead of sending the response (an injected
/// `reset` fault). The request it answers was not served.
#[derive(Debug, Clone, Copy)]
pub struct CloseWithoutAnswer;

#[derive(Clone)]
struct Conn {
    router: Router,
    case: http::Extensions,
    transport: Transport,
}

impl Conn {
    /// Serves one connection (watched for graceful shutdown) until it ends, it times out, or
    /// the connection cap wants it closed while it is idle.
    async fn serve<S>(
        self,
        io: S,
        peer: SocketAddr,
        tls: Option<TlsInfo>,
        watcher: Watcher,
        admitted: Admitted,
    ) where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let Conn { router, case, .. } = self;
        let state: Arc<ConnState> = Arc::clone(admitted.state());
        let svc_state = Arc::clone(&state);
        let svc = hyper::service::service_fn(move |req: http::Request<hyper::body::Incoming>| {
            // Busy from now until the response body is done: no idle timer, no eviction.
            let busy = svc_state.busy();
            let (parts, body) = req.into_parts();
            let (body, stalled) = StallGuard::new(body, &svc_state);
            let mut req = http::Request::from_parts(parts, axum::body::Body::new(body));
            req.extensions_mut().insert(PeerAddr(peer));
            req.extensions_mut().insert(stalled);
            if let Some(info) = tls {
                req.extensions_mut().insert(info);
            }
            let router = router.clone();
            let case = case.clone();
            async move {
                let resp = match router.oneshot(req).await {
                    Ok(r) => r,
                    Err(never) => match never {},
                };
                if resp.extensions().get::<CloseWithoutAnswer>().is_some() {
                    // hyper closes a connection whose service fails, sending nothing.
                    return Err(std::io::Error::other("closed without an answer"));
                }
                let (mut parts, body) = resp.into_parts();
                parts.extensions.extend(case);
                let resp = http::Response::from_parts(parts, Tracked::new(body, busy));
                Ok::<_, std::io::Error>(resp)
            }
        });
        // No `preserve_header_case`: hyper writes a response's names with the spellings of
        // the case map it carries (`header_case`) whatever this setting, which would only
        // make every request record its own header spellings, unread (~1% of a small GET in a profile).
        let conn = http1::Builder::new()
            .keep_alive(true)
            .serve_connection(TokioIo::new(io), svc);
        let conn = watcher.watch(conn);
        tokio::pin!(conn);
        loop {
            tokio::select! {
                r = &mut conn => {
                    if let Err(e) = r {
                        tracing::debug!(%peer, error = %e, "connection ended with an error");
                    }
                    break;
                }
                // Closing an idle connection loses nothing; a busy one finishes its request.
                _ = state.eviction() => if state.is_busy() {
                    state.spared();
                } else {
                    tracing::debug!(%peer, "idle connection closed to stay within max_connections");
                    break;
                },
            }
        }
        drop(admitted);
    }
}
