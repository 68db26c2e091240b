//! `x-cos-traffic-limit` (seed 002:11978, 12079): a per-request speed limit in bit/s, from
//! 819200 (800 Kb/s) to 838860800 (800 Mb/s), for uploads (PUT Object, parts, append, POST
//! Object's file) and downloads (GET Object). Out-of-range or non-numeric values are refused
//! with 400 `InvalidArgument`. A download may also carry it as a query parameter (presigned URLs).
//!
//! The pacing is a pure core (`Pace`, table-tested) under a stream adaptor (`Throttled`) that
//! cuts the bytes into small slices and sleeps until each is due. Written here because the
//! rate-limiting crates (`governor` and the like) count requests, not bytes of one stream.

use crate::api::error::{ApiError, Code};
use crate::api::request::Ctx;
use axum::body::Body;
use bytes::Bytes;
use futures_util::Stream;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::time::{Instant, Sleep};

/// The seed's range, bit/s.
pub const MIN_BITS: u64 = 819_200;
pub const MAX_BITS: u64 = 838_860_800;

/// Bytes handed on at a time: small enough that pacing is smooth at the lowest rate (16 KiB
/// is 160 ms at 100 KiB/s).
const SLICE: usize = 16 * 1024;

/// The limit a request asks for, in bytes per second; `None` without one.
pub fn limit(ctx: &Ctx) -> Result<Option<u64>, ApiError> {
    let raw = ctx
        .header("x-cos-traffic-limit")
        .or_else(|| ctx.query("x-cos-traffic-limit"));
    let Some(raw) = raw else {
        return Ok(None);
    };
    parse(raw).map(Some)
}

/// Parses a bit/s value and returns bytes per second.
pub fn parse(raw: &str) -> Result<u64, ApiError> {
    match raw.trim().parse::<u64>() {
        Ok(bits) if (MIN_BITS..=MAX_BITS).contains(&bits) => Ok(bits / 8),
        _ => Err(ApiError::new(
            Code::InvalidArgument,
            format!("x-cos-traffic-limit must be a number of bit/s from {MIN_BITS} to {MAX_BITS}, got {raw:?}."),
        )),
    }
}

/// A request body paced to the request's limit (unchanged without one).
pub fn throttle_request(ctx: &Ctx, body: Body) -> Result<Body, ApiError> {
    Ok(match limit(ctx)? {
        Some(rate) => Body::from_stream(Throttled::new(body.into_data_stream(), rate)),
        None => body,
    })
}

/// When the bytes of a paced stream may go: `rate` bytes per second from the start, the first
/// slice at once.
#[derive(Debug, Clone)]
pub struct Pace {
    rate: u64,
    sent: u64,
}

impl Pace {
    pub fn new(rate: u64) -> Pace {
        Pace {
            rate: rate.max(1),
            sent: 0,
        }
    }

    /// How long after the start `n` more bytes may be sent; counts them as sent.
    pub fn due(&mut self, n: u64) -> Duration {
        let before = self.sent;
        self.sent += n;
        let paced = before.saturating_sub(SLICE as u64);
        Duration::from_nanos((u128::from(paced) * 1_000_000_000 / u128::from(self.rate)) as u64)
    }
}

/// A byte stream that yields at most `rate` bytes per second.
pub struct Throttled<S> {
    inner: S,
    pace: Pace,
    start: Instant,
    /// Bytes taken from `inner` and not yet yielded.
    held: Bytes,
    sleep: Option<Pin<Box<Sleep>>>,
    done: bool,
}

impl<S> Throttled<S> {
    pub fn new(inner: S, rate: u64) -> Throttled<S> {
        Throttled {
            inner,
            pace: Pace::new(rate),
            start: Instant::now(),
            held: Bytes::new(),
            sleep: None,
            done: false,
        }
    }
}

impl<S, E> Stream for Throttled<S>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
{
    type Item = Result<Bytes, E>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if let Some(sleep) = this.sleep.as_mut() {
                if sleep.as_mut().poll(cx).is_pending() {
                    return Poll::Pending;
                }
                this.sleep = None;
                let n = this.held.len().min(SLICE);
                return Poll::Ready(Some(Ok(this.held.split_to(n))));
            }
            if !this.held.is_empty() {
                let n = this.held.len().min(SLICE);
                let at = this.start + this.pace.due(n as u64);
                this.sleep = Some(Box::pin(tokio::time::sleep_until(at)));
                continue;
            }
            if this.done {
                return Poll::Ready(None);
            }
            match Pin::new(&mut this.inner).poll_next(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(None) => {
                    this.done = true;
                    return Poll::Ready(None);
                }
                Poll::Ready(Some(Err(e))) => return Poll::Ready(Some(Err(e))),
                Poll::Ready(Some(Ok(b))) => this.held = b,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_follow_the_seed_range() {
        for (raw, want) in [
            ("819200", Some(102_400)),
            ("838860800", Some(104_857_600)),
            (" 8192000 ", Some(1_024_000)),
            ("819199", None),
            ("838860801", None),
            ("-1", None),
            ("1e6", None),
            ("", None),
        ] {
            assert_eq!(parse(raw).ok(), want, "{raw:?}");
        }
    }

    #[test]
    fn pace_spreads_bytes_over_time_after_the_first_slice() {
        let mut p = Pace::new(102_400);
        let s = SLICE as u64;
        assert_eq!(p.due(s), Duration::ZERO);
        assert_eq!(p.due(s), Duration::ZERO);
        assert_eq!(p.due(s), Duration::from_millis(160));
        assert_eq!(p.due(s), Duration::from_millis(320));
        let mut p = Pace::new(1_000_000);
        p.due(s + 1_000_000);
        assert_eq!(p.due(1), Duration::from_secs(1));
    }

    #[tokio::test]
    async fn a_throttled_stream_keeps_its_rate_and_its_bytes() {
        use futures_util::StreamExt;
        let data: Vec<u8> = (0..40 * 1024).map(|i| i as u8).collect();
        let pieces: Vec<Result<Bytes, std::io::Error>> = data
            .chunks(30 * 1024)
            .map(|c| Ok(Bytes::copy_from_slice(c)))
            .collect();
        let start = Instant::now();
        let mut s = Throttled::new(futures_util::stream::iter(pieces), 102_400);
        let mut out = Vec::new();
        while let Some(b) = s.next().await {
            let b = b.unwrap();
            assert!(b.len() <= SLICE);
            out.extend_from_slice(&b);
        }
        assert_eq!(out, data);
        // Slices of 16, 14 and 10 KiB: the last one is due 14 KiB / 100 KiB/s = 140 ms after the
        // start (a lower bound: the pacing never sends early).
        assert!(
            start.elapsed() >= Duration::from_millis(140),
            "{:?}",
            start.elapsed()
        );
    }
}
