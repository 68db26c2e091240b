//! The storage gauges (a walk over the metadata, `metrics::storage::refresh`) after puts,
//! deduplicated puts, an open multipart upload, deletes and a collection; and the progress the
//! collector and the lifecycle worker report.

use crate::common::*;
use crate::{scrape, BUCKET};
use cosd::clock::Clock;
use std::time::Duration;

fn gauge(m: &crate::expo::Scrape, name: &str) -> f64 {
    m.value(&format!("cosd_storage_{name}"), &[])
        .unwrap_or_else(|| panic!("no cosd_storage_{name}"))
}

#[tokio::test]
async fn storage_gauges_follow_puts_deletes_and_collection() {
    let server = TestServer::start_with(|c| {
        c.gc_interval_secs = 1;
        c.lifecycle_day_secs = 2; // a pass every second
    })
    .await;
    let c = server.client();
    let empty = scrape(&server).await;
    assert_eq!(gauge(&empty, "scan_timestamp_seconds"), 0.0);
    c.create_bucket(BUCKET).await;
    let big = vec![1u8; 10_240]; // a chunk (above inline_threshold)
    c.put(BUCKET, "a", &big).await;
    c.put(BUCKET, "b", &big).await; // the same chunk again
    c.put(BUCKET, "small", &[2u8; 100]).await; // inline
    let init = c
        .send(Req::new("POST", Some(BUCKET), "upload").q("uploads", ""))
        .await;
    assert_eq!(init.status, 200, "{}", init.text());
    cosd::metrics::storage::refresh(&server.state)
        .await
        .unwrap();
    let m = scrape(&server).await;
    assert_eq!(gauge(&m, "buckets"), 1.0);
    assert_eq!(gauge(&m, "objects"), 3.0);
    assert_eq!(gauge(&m, "logical_bytes"), 20_580.0);
    assert_eq!(gauge(&m, "chunks"), 1.0);
    assert_eq!(gauge(&m, "physical_bytes"), 10_340.0);
    assert_eq!(gauge(&m, "dedup_ratio"), 20_580.0 / 10_340.0);
    assert_eq!(gauge(&m, "multipart_uploads_open"), 1.0);
    assert_eq!(gauge(&m, "gc_backlog_chunks"), 0.0);
    assert!(gauge(&m, "scan_timestamp_seconds") > 0.0);

    for key in ["a", "b"] {
        let r = c.send(Req::new("DELETE", Some(BUCKET), key)).await;
        assert_eq!(r.status, 204, "{}", r.text());
    }
    cosd::metrics::storage::refresh(&server.state)
        .await
        .unwrap();
    let m = scrape(&server).await;
    assert_eq!(gauge(&m, "objects"), 1.0);
    assert_eq!(gauge(&m, "logical_bytes"), 100.0);
    assert_eq!(gauge(&m, "chunks"), 0.0);
    assert_eq!(gauge(&m, "physical_bytes"), 100.0);
    assert_eq!(gauge(&m, "gc_backlog_chunks"), 1.0);

    // The collector (the server's own job, every second) deletes the chunk once its grace
    // period is over, and says so.
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let gc = cosd::spawn_gc(&server.state, stop_rx.clone());
    let lifecycle = cosd::spawn_lifecycle(&server.state, stop_rx);
    server.clock.advance(Duration::from_secs(3600));
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let m = loop {
        cosd::metrics::storage::refresh(&server.state)
            .await
            .unwrap();
        let m = scrape(&server).await;
        let ran = |job| {
            m.value("cosd_job_runs_total", &[("job", job)])
                .unwrap_or(0.0)
        };
        if gauge(&m, "gc_backlog_chunks") == 0.0 && ran("gc") >= 1.0 && ran("lifecycle") >= 1.0 {
            break m;
        }
        assert!(std::time::Instant::now() < deadline, "{}", m.text);
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let _ = stop_tx.send(true);
    let _ = gc.await;
    let _ = lifecycle.await;
    assert_eq!(
        m.value("cosd_gc_chunks_total", &[("action", "deleted")]),
        Some(1.0)
    );
    assert!(
        m.value("cosd_job_last_run_timestamp_seconds", &[("job", "gc")])
            .unwrap()
            >= server.clock.now_secs() as f64 - 60.0
    );
    assert_eq!(m.value("cosd_job_failures_total", &[("job", "gc")]), None);
    server.stop().await;
}

/// How long the storage walk takes over 100,000 objects (docs/operations.md quotes it):
/// `cargo test --release --test metrics -- --ignored --nocapture walk_time`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore]
async fn walk_time_over_100k_objects() {
    use cosd::service::{ObjectMeta, WriteOptions};
    let server = TestServer::start().await;
    server.client().create_bucket(BUCKET).await;
    let store = std::sync::Arc::clone(&server.state.store);
    let filled = std::time::Instant::now();
    let tasks: Vec<_> = (0..8)
        .map(|t| {
            let store = std::sync::Arc::clone(&store);
            tokio::spawn(async move {
                for i in 0..12_500 {
                    // Half inline, half one chunk each (distinct contents).
                    let size = if i % 2 == 0 { 1_000 } else { 8_192 };
                    let mut data = vec![0u8; size];
                    data[..8].copy_from_slice(&((t * 12_500 + i) as u64).to_le_bytes());
                    let body = futures_util::stream::iter([Ok::<_, cosd::service::ServiceError>(
                        bytes::Bytes::from(data),
                    )]);
                    let key = format!("dir{}/object-{i:06}", t);
                    store
                        .put_object(
                            BUCKET,
                            &key,
                            body,
                            ObjectMeta::default(),
                            WriteOptions::default(),
                        )
                        .await
                        .unwrap();
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    println!("filled 100k objects in {:?}", filled.elapsed());
    for _ in 0..3 {
        let started = std::time::Instant::now();
        let u = cosd::metrics::storage::refresh(&server.state)
            .await
            .unwrap();
        println!(
            "walk: {:?} (objects {}, chunks {}, logical {} B)",
            started.elapsed(),
            u.objects,
            u.chunks,
            u.logical_bytes
        );
        assert_eq!(u.objects, 100_000);
    }
    server.stop().await;
}
