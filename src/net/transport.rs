//! Connection limits (`docs/limits.md`): the header-read, idle keep-alive and body/send
//! timeouts, the connection cap shared by the HTTP and HTTPS listeners, and the counters the
//! health endpoint reports.
//!
//! The timeouts live where the waiting happens, in the connection's own task, so they cost no
//! task or wake-up of their own:
//! - [`Watched`] wraps a connection's socket (under TLS, if any). While no request is in
//!   service, a read that waits arms a timer: `idle_timeout` until the first byte of the next
//!   request, then `header_read_timeout` for the rest of its header; when it fires the read
//!   fails and hyper closes the connection. A write that waits (a client that does not read
//!   the response) fails after `body_timeout` without progress.
//! - [`StallGuard`] wraps a request body: a body read that makes no progress for
//!   `body_timeout` fails, so the handler aborts the request (its chunks are released then, not
//!   when the connection ends) and answers `RequestTimeout`.
//! - [`Transport::admit`] keeps at most `max_connections` open: at the cap, the connection idle
//!   the longest is closed to make room; with none idle, the newcomer is refused.

use crate::config::Config;
use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};
use std::collections::HashMap;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering::Relaxed};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::Notify;
use tokio::time::Sleep;

/// The automatic connection cap never exceeds this (each connection holds buffers).
const AUTO_MAX_CONNECTIONS: u64 = 8192;

/// The configured timeouts and connection cap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// From the first byte of a request to the end of its header.
    pub header_read: Duration,
    /// From the end of a response (or the accept) to the first byte of the next request.
    pub idle: Duration,
    /// The longest a request body may deliver nothing while it is read, or a response write
    /// may make no progress.
    pub body: Duration,
    /// Connections open at once, both listeners together.
    pub max_connections: usize,
}

impl Limits {
    pub fn from_config(cfg: &Config) -> Limits {
        let secs = |s: u64| Duration::from_secs(s.max(1));
        Limits {
            header_read: secs(cfg.header_read_timeout_secs),
            idle: secs(cfg.idle_timeout_secs),
            body: secs(cfg.body_timeout_secs),
            max_connections: match cfg.max_connections {
                0 => auto_max_connections(descriptor_limit()),
                n => n,
            },
        }
    }
}

/// The soft open-file limit of this process, if it has one.
pub fn descriptor_limit() -> Option<u64> {
    rustix::process::getrlimit(rustix::process::Resource::Nofile).current
}

/// `max_connections = 0`: half the open-file limit (the other half is for the metadata store,
/// chunk and segment files and reads in flight), at least 16 and at most 8192.
pub fn auto_max_connections(nofile: Option<u64>) -> usize {
    let n = nofile.map_or(AUTO_MAX_CONNECTIONS, |n| n / 2);
    n.clamp(16, AUTO_MAX_CONNECTIONS) as usize
}

/// Raises the soft open-file limit to the hard one (as Go's runtime does): connections,
/// chunk files and the metadata store share it, and distributions default the soft limit to
/// 1024. Returns the limit in effect.
pub fn raise_descriptor_limit() -> Option<u64> {
    use rustix::process::{getrlimit, setrlimit, Resource, Rlimit};
    let lim = getrlimit(Resource::Nofile);
    if let (Some(cur), Some(max)) = (lim.current, lim.maximum) {
        if cur < max {
            let raised = Rlimit {
                current: Some(max),
                maximum: Some(max),
            };
            if setrlimit(Resource::Nofile, raised).is_ok() {
                return Some(max);
            }
        }
    }
    lim.current
}

/// What the server counts about its connections and responses (the health endpoint shows
/// them).
#[derive(Debug, Default)]
pub struct Stats {
    /// Connections refused at the cap (none idle to close instead).
    pub refused: AtomicU64,
    /// Idle connections closed to make room for a new one at the cap.
    pub evicted: AtomicU64,
    /// Connections closed waiting for a request (`idle_timeout`).
    pub idle_timeouts: AtomicU64,
    /// Connections closed for a header not complete within `header_read_timeout`.
    pub header_timeouts: AtomicU64,
    /// Requests aborted because their body stalled (`body_timeout`).
    pub body_timeouts: AtomicU64,
    /// Connections closed because the client did not read the response (`body_timeout`).
    pub send_timeouts: AtomicU64,
    /// Object reads that failed while answering a GET (before or after the first byte).
    pub read_failures: AtomicU64,
}

/// The connection registry and limits shared by both listeners; cheap to clone.
#[derive(Clone)]
pub struct Transport(Arc<Inner>);

struct Inner {
    limits: Limits,
    stats: Stats,
    /// Refused connections still being told so (see [`Transport::refusal`]).
    refusing: AtomicUsize,
    base: Instant,
    next_id: AtomicU64,
    conns: Mutex<HashMap<u64, Arc<ConnState>>>,
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transport")
            .field("limits", &self.0.limits)
            .field("open", &self.open())
            .finish()
    }
}

impl Transport {
    pub fn new(limits: Limits) -> Transport {
        Transport(Arc::new(Inner {
            limits,
            stats: Stats::default(),
            refusing: AtomicUsize::new(0),
            base: Instant::now(),
            next_id: AtomicU64::new(0),
            conns: Mutex::new(HashMap::new()),
        }))
    }

    pub fn limits(&self) -> &Limits {
        &self.0.limits
    }

    pub fn stats(&self) -> &Stats {
        &self.0.stats
    }

    /// Connections open now (both listeners).
    pub fn open(&self) -> usize {
        self.conns().len()
    }

    /// Connections serving a request now.
    pub fn busy(&self) -> usize {
        self.conns().values().filter(|c| c.is_busy()).count()
    }

    fn conns(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Arc<ConnState>>> {
        self.0.conns.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn now_us(&self) -> u64 {
        self.0.base.elapsed().as_micros() as u64
    }

    /// A place for a new connection, or None at the cap with no idle connection to close for
    /// it. At the cap, the connection idle the longest is told to close (it does so at once
    /// unless a request arrived on it meanwhile).
    pub fn admit(&self) -> Option<Admitted> {
        let mut conns = self.conns();
        if conns.len() >= self.0.limits.max_connections {
            let victim = conns
                .iter()
                .filter(|(_, c)| c.busy.load(Relaxed) == 0 && !c.evicting.load(Relaxed))
                .min_by_key(|(id, c)| (c.idle_since_us.load(Relaxed), **id))
                .map(|(_, c)| c)?;
            victim.evicting.store(true, Relaxed);
            victim.evict.notify_one();
            self.0.stats.evicted.fetch_add(1, Relaxed);
        }
        let id = self.0.next_id.fetch_add(1, Relaxed);
        let state = Arc::new(ConnState {
            busy: AtomicUsize::new(0),
            epoch: AtomicU64::new(0),
            idle_since_us: AtomicU64::new(self.now_us()),
            evicting: AtomicBool::new(false),
            evict: Notify::new(),
            transport: self.clone(),
        });
        conns.insert(id, Arc::clone(&state));
        Some(Admitted {
            id,
            state,
            transport: self.clone(),
        })
    }
}

/// Refused connections that may linger at once to make sure their 503 arrives; beyond that
/// they are closed right after the write.
const REFUSALS_LINGERING: usize = 32;

impl Transport {
    /// Leave for a refused connection to linger until its client has read the 503, if few
    /// others do (each holds a descriptor for up to a second).
    pub fn refusal(&self) -> Option<Refusal> {
        let n = self.0.refusing.fetch_add(1, Relaxed);
        let slot = Refusal(self.clone());
        (n < REFUSALS_LINGERING).then_some(slot)
    }
}

/// See [`Transport::refusal`]; dropping it gives the leave back.
pub struct Refusal(Transport);

impl Drop for Refusal {
    fn drop(&mut self) {
        self.0 .0.refusing.fetch_sub(1, Relaxed);
    }
}

/// A connection's place in the registry; dropping it frees the place.
pub struct Admitted {
    id: u64,
    state: Arc<ConnState>,
    transport: Transport,
}

impl Admitted {
    pub fn state(&self) -> &Arc<ConnState> {
        &self.state
    }
}

impl Drop for Admitted {
    fn drop(&mut self) {
        self.transport.conns().remove(&self.id);
    }
}

/// What the connection's task, its socket wrapper and its requests share.
pub struct ConnState {
    /// Requests in service, counting a response until its body is done.
    busy: AtomicUsize,
    /// Bumped whenever `busy` drops to 0: the socket wrapper re-arms its idle timer.
    epoch: AtomicU64,
    idle_since_us: AtomicU64,
    evicting: AtomicBool,
    evict: Notify,
    transport: Transport,
}

impl ConnState {
    /// Marks a request in service until the guard drops.
    pub fn busy(self: &Arc<Self>) -> Busy {
        self.busy.fetch_add(1, Relaxed);
        Busy(Arc::clone(self))
    }

    pub fn is_busy(&self) -> bool {
        self.busy.load(Relaxed) > 0
    }

    /// When the connection last became idle (its accept, or its last response's end).
    fn idle_since(&self) -> Instant {
        self.transport.0.base + Duration::from_micros(self.idle_since_us.load(Relaxed))
    }

    /// Resolves when the cap wants this connection closed (it should close if idle).
    pub async fn eviction(&self) {
        self.evict.notified().await
    }

    /// The cap asked this connection to close while a request was in service: it stays, and
    /// may be asked again.
    pub fn spared(&self) {
        self.evicting.store(false, Relaxed);
    }

    pub fn limits(&self) -> &Limits {
        self.transport.limits()
    }

    pub fn stats(&self) -> &Stats {
        self.transport.stats()
    }
}

/// A request in service on a connection (see [`ConnState::busy`]).
pub struct Busy(Arc<ConnState>);

impl Drop for Busy {
    fn drop(&mut self) {
        let c = &self.0;
        if c.busy.fetch_sub(1, Relaxed) == 1 {
            c.idle_since_us.store(c.transport.now_us(), Relaxed);
            c.epoch.fetch_add(1, Relaxed);
        }
    }
}

/// A response body that keeps its connection busy until it is done (or dropped). Length and
/// end of stream are the inner body's, so hyper frames the response the same way.
pub struct Tracked<B> {
    inner: B,
    _busy: Busy,
}

impl<B> Tracked<B> {
    pub fn new(inner: B, busy: Busy) -> Self {
        Tracked { inner, _busy: busy }
    }
}

impl<B: Body + Unpin> Body for Tracked<B> {
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        Pin::new(&mut self.inner).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// A lazily moved timer: it may fire before the deadline asked of it (its owner then looks
/// again), never after. Deadlines that move later, as they do with every request on a
/// keep-alive connection, cost no timer-wheel work until the timer fires; only a deadline
/// earlier than the armed one resets it. (Resetting it for every request cost ~3 µs of a
/// 4 KiB GET here.)
#[derive(Default)]
struct Timer {
    sleep: Option<Pin<Box<Sleep>>>,
    /// When the sleep fires, if it is armed and has not fired.
    at: Option<tokio::time::Instant>,
}

impl Timer {
    /// Makes sure the timer fires no later than `deadline`.
    fn by(&mut self, deadline: tokio::time::Instant) {
        if self.at.is_some_and(|at| at <= deadline) {
            return;
        }
        self.at = Some(deadline);
        match &mut self.sleep {
            Some(s) => s.as_mut().reset(deadline),
            None => self.sleep = Some(Box::pin(tokio::time::sleep_until(deadline))),
        }
    }

    /// Whether `deadline` has passed; if not, the task is woken by then at the latest.
    fn due(&mut self, cx: &mut Context<'_>, deadline: tokio::time::Instant) -> bool {
        self.by(deadline);
        while let Some(sleep) = self.sleep.as_mut() {
            if sleep.as_mut().poll(cx).is_pending() {
                return false;
            }
            self.at = None;
            if tokio::time::Instant::now() >= deadline {
                return true;
            }
            self.by(deadline);
        }
        false
    }

    /// Keeps the task woken now and then (by `every` at the latest) while nothing else is due.
    fn tick(&mut self, cx: &mut Context<'_>, every: Duration) {
        let now = tokio::time::Instant::now;
        if self.at.is_none() {
            self.by(now() + every);
        }
        while self.due(cx, self.at.unwrap_or_else(|| now() + every)) {
            self.at = None;
            self.by(now() + every);
        }
    }
}

/// What the read timer of a [`Watched`] socket waits for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Waiting {
    /// A request is in service: the timer only makes the socket look again now and then, as
    /// hyper does not read when the request ends and the idle timer must start.
    Busy,
    /// The first byte of a request (idle since the epoch's start).
    Idle(u64),
    /// The rest of a request header whose first byte came in this epoch, by this deadline.
    Head(u64, tokio::time::Instant),
}

/// How long a closing connection reads and discards what the client still sends, so that an
/// answer given before the request was read (an error) reaches the client instead of being
/// wiped out by the reset a close with unread data causes.
const LINGER: Duration = Duration::from_secs(2);

/// A connection's socket with the idle, header-read and send timeouts (see the module doc).
pub struct Watched<S> {
    io: S,
    state: Arc<ConnState>,
    read: Timer,
    waiting: Option<Waiting>,
    write: Timer,
    /// Since when writes wait without progress.
    write_since: Option<tokio::time::Instant>,
    /// Closing: the write side is shut and the linger timer runs.
    lingering: bool,
    linger_until: Option<tokio::time::Instant>,
    /// A timeout ended the connection: no lingering for a client that sends nothing.
    timed_out: bool,
}

impl<S> Watched<S> {
    pub fn new(io: S, state: Arc<ConnState>) -> Self {
        Watched {
            io,
            state,
            read: Timer::default(),
            waiting: None,
            write: Timer::default(),
            write_since: None,
            lingering: false,
            linger_until: None,
            timed_out: false,
        }
    }

    /// Starts the idle wait afresh (after a TLS handshake, whose bytes are no request).
    pub fn restart_idle(&mut self) {
        self.waiting = None;
    }

    fn timed_out(what: &str) -> io::Error {
        io::Error::new(io::ErrorKind::TimedOut, format!("{what} timed out"))
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Watched<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = &mut *self;
        let before = buf.filled().len();
        let r = Pin::new(&mut this.io).poll_read(cx, buf);
        let limits = *this.state.limits();
        // A request in service: its body has its own timer, and hyper's reads meanwhile
        // only watch for the client hanging up.
        if this.state.is_busy() {
            if r.is_pending() {
                this.waiting = Some(Waiting::Busy);
                this.read.tick(cx, limits.idle);
            }
            return r;
        }
        let epoch = this.state.epoch.load(Relaxed);
        match r {
            Poll::Ready(Ok(())) if buf.filled().len() > before => {
                if !matches!(this.waiting, Some(Waiting::Head(e, _)) if e == epoch) {
                    let deadline = tokio::time::Instant::now() + limits.header_read;
                    this.waiting = Some(Waiting::Head(epoch, deadline));
                }
                Poll::Ready(Ok(()))
            }
            Poll::Pending => {
                let deadline = match this.waiting {
                    Some(Waiting::Head(e, deadline)) if e == epoch => deadline,
                    _ => {
                        this.waiting = Some(Waiting::Idle(epoch));
                        (this.state.idle_since() + limits.idle).into()
                    }
                };
                if !this.read.due(cx, deadline) {
                    return Poll::Pending;
                }
                let stats = this.state.stats();
                let what = match this.waiting {
                    Some(Waiting::Head(..)) => {
                        stats.header_timeouts.fetch_add(1, Relaxed);
                        "reading the request header"
                    }
                    _ => {
                        stats.idle_timeouts.fetch_add(1, Relaxed);
                        "waiting for a request"
                    }
                };
                this.timed_out = true;
                Poll::Ready(Err(Self::timed_out(what)))
            }
            r => r,
        }
    }
}

impl<S: AsyncWrite + Unpin> Watched<S> {
    /// Passes a write's result on, failing it once writes made no progress for `body`.
    fn watch_write<T>(
        &mut self,
        cx: &mut Context<'_>,
        r: Poll<io::Result<T>>,
    ) -> Poll<io::Result<T>> {
        if r.is_ready() {
            self.write_since = None;
            return r;
        }
        let body = self.state.limits().body;
        let since = *self
            .write_since
            .get_or_insert_with(tokio::time::Instant::now);
        if self.write.due(cx, since + body) {
            self.state.stats().send_timeouts.fetch_add(1, Relaxed);
            self.timed_out = true;
            return Poll::Ready(Err(Self::timed_out("sending the response")));
        }
        Poll::Pending
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncWrite for Watched<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let r = Pin::new(&mut self.io).poll_write(cx, buf);
        self.watch_write(cx, r)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let r = Pin::new(&mut self.io).poll_write_vectored(cx, bufs);
        self.watch_write(cx, r)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let r = Pin::new(&mut self.io).poll_flush(cx);
        self.watch_write(cx, r)
    }

    /// Shuts the write side, then lingers (see [`LINGER`]) until the client closes its side.
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = &mut *self;
        if !this.lingering {
            std::task::ready!(Pin::new(&mut this.io).poll_shutdown(cx))?;
            if this.timed_out {
                return Poll::Ready(Ok(()));
            }
            this.lingering = true;
            this.linger_until = Some(tokio::time::Instant::now() + LINGER);
        }
        let mut scratch = [0u8; 8192];
        loop {
            let mut buf = ReadBuf::new(&mut scratch);
            match Pin::new(&mut this.io).poll_read(cx, &mut buf) {
                Poll::Ready(Ok(())) if !buf.filled().is_empty() => continue,
                Poll::Ready(_) => return Poll::Ready(Ok(())),
                Poll::Pending
                    if this
                        .linger_until
                        .is_none_or(|until| this.read.due(cx, until)) =>
                {
                    return Poll::Ready(Ok(()))
                }
                Poll::Pending => return Poll::Pending,
            }
        }
    }
}

/// Why a request body ended early: it delivered nothing for `body_timeout`.
#[derive(Debug, thiserror::Error)]
#[error("the request body made no progress for {0:?}")]
pub struct BodyStalled(pub Duration);

/// A request extension that says whether its body stalled (the pipeline then answers
/// `RequestTimeout`, whatever error the handler made of the failed read).
#[derive(Debug, Clone, Default)]
pub struct StallFlag(Arc<AtomicBool>);

impl StallFlag {
    pub fn stalled(&self) -> bool {
        self.0.load(Relaxed)
    }
}

/// A request body that fails when a read of it waits longer than `after` for data (time spent
/// while nobody reads the body does not count).
pub struct StallGuard<B> {
    inner: B,
    after: Duration,
    timer: Timer,
    /// Since when the reader waits for data.
    waiting_since: Option<tokio::time::Instant>,
    flag: StallFlag,
    state: Arc<ConnState>,
}

impl<B> StallGuard<B> {
    pub fn new(inner: B, state: &Arc<ConnState>) -> (Self, StallFlag) {
        let flag = StallFlag::default();
        let guard = StallGuard {
            inner,
            after: state.limits().body,
            timer: Timer::default(),
            waiting_since: None,
            flag: flag.clone(),
            state: Arc::clone(state),
        };
        (guard, flag)
    }
}

impl<B> Body for StallGuard<B>
where
    B: Body<Data = Bytes> + Unpin,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    type Data = Bytes;
    type Error = Box<dyn std::error::Error + Send + Sync>;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let this = &mut *self;
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(r) => {
                this.waiting_since = None;
                Poll::Ready(r.map(|f| f.map_err(Into::into)))
            }
            Poll::Pending => {
                let since = *this
                    .waiting_since
                    .get_or_insert_with(tokio::time::Instant::now);
                if !this.timer.due(cx, since + this.after) {
                    return Poll::Pending;
                }
                this.flag.0.store(true, Relaxed);
                this.state.stats().body_timeouts.fetch_add(1, Relaxed);
                Poll::Ready(Some(Err(Box::new(BodyStalled(this.after)))))
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_automatic_cap_is_half_the_descriptor_limit_within_bounds() {
        assert_eq!(auto_max_connections(Some(200)), 100);
        assert_eq!(auto_max_connections(Some(1024)), 512);
        assert_eq!(auto_max_connections(Some(20)), 16);
        assert_eq!(auto_max_connections(Some(1 << 20)), 8192);
        assert_eq!(auto_max_connections(None), 8192);
    }

    fn transport(max: usize) -> Transport {
        Transport::new(Limits {
            header_read: Duration::from_secs(1),
            idle: Duration::from_secs(1),
            body: Duration::from_secs(1),
            max_connections: max,
        })
    }

    #[test]
    fn at_the_cap_the_longest_idle_connection_makes_room_and_busy_ones_never_do() {
        let t = transport(2);
        let a = t.admit().unwrap();
        std::thread::sleep(Duration::from_millis(5));
        let b = t.admit().unwrap();
        // Both idle: the older one (a) is told to close.
        let c = t.admit().unwrap();
        assert!(a.state().evicting.load(Relaxed));
        assert!(!b.state().evicting.load(Relaxed));
        drop(a);
        assert_eq!(t.open(), 2);
        // b and c busy: nobody makes room.
        let _hb = b.state().busy();
        let _hc = c.state().busy();
        assert!(t.admit().is_none());
        drop(_hc);
        assert!(t.admit().is_some());
        assert_eq!(t.stats().evicted.load(Relaxed), 2);
    }

    #[test]
    fn a_response_keeps_its_connection_busy_until_its_body_is_dropped() {
        let t = transport(4);
        let a = t.admit().unwrap();
        let st = a.state();
        let body = Tracked::new(http_body_util::Empty::<Bytes>::new(), st.busy());
        assert!(st.is_busy());
        assert_eq!(st.epoch.load(Relaxed), 0);
        drop(body);
        assert!(!st.is_busy());
        assert_eq!(st.epoch.load(Relaxed), 1);
    }
}
