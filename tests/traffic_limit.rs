//! `x-cos-traffic-limit` (seed 002:11978): uploads and downloads are paced to the requested
//! bit/s, and values outside 819200..=838860800 are refused.

#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use std::time::Instant;

/// 100 KiB/s, the seed's lowest limit.
const LOWEST: &str = "819200";

#[tokio::test]
async fn a_download_with_a_traffic_limit_is_paced_to_it() {
    let (_s, c) = setup().await;
    let data = random_bytes(300 * 1024, 1);
    assert_eq!(c.put(B, "paced.bin", &data).await.status, 200);
    let started = Instant::now();
    let r = c
        .send(Req::new("GET", Some(B), "paced.bin").h("x-cos-traffic-limit", LOWEST))
        .await;
    let took = started.elapsed();
    assert_eq!(r.status, 200);
    assert!(r.body == data, "the paced body is the object");
    // 300 KiB at 100 KiB/s with the first 16 KiB at once: at least 2.8 s. (A lower bound on
    // the behaviour asked for, not a speed target.)
    assert!(took.as_secs_f64() >= 2.7, "took {took:?}");
}

#[tokio::test]
async fn an_upload_with_a_traffic_limit_is_read_at_that_rate() {
    let (_s, c) = setup().await;
    let data = random_bytes(250 * 1024, 2);
    let started = Instant::now();
    let r = c
        .send(
            Req::new("PUT", Some(B), "slow-in.bin")
                .h("x-cos-traffic-limit", LOWEST)
                .body(data.clone()),
        )
        .await;
    let took = started.elapsed();
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(took.as_secs_f64() >= 2.1, "took {took:?}");
    assert!(c.get(B, "slow-in.bin").await.body == data);
}

#[tokio::test]
async fn traffic_limits_outside_the_seed_range_are_refused() {
    let (_s, c) = setup().await;
    assert_eq!(c.put(B, "k", b"hello").await.status, 200);
    for bad in ["819199", "838860801", "fast", "-5"] {
        let r = c
            .send(Req::new("GET", Some(B), "k").h("x-cos-traffic-limit", bad))
            .await;
        assert_error(&r, 400, "InvalidArgument");
        let r = c
            .send(
                Req::new("PUT", Some(B), "other")
                    .h("x-cos-traffic-limit", bad)
                    .body(b"x".to_vec()),
            )
            .await;
        assert_error(&r, 400, "InvalidArgument");
    }
    assert_eq!(c.get(B, "other").await.status, 404, "nothing stored");
    // The highest limit is accepted (and a small object is not slowed down by it).
    let r = c
        .send(Req::new("GET", Some(B), "k").h("x-cos-traffic-limit", "838860800"))
        .await;
    assert_eq!((r.status, r.body.as_slice()), (200, b"hello".as_slice()));
}
