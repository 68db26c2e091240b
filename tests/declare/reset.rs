//! `POST /_cosd/admin/reset`: back to the declared state or to nothing, whatever happened in
//! between (writes, deletes, versions, uploads, object lock), main root account only, with a
//! consistent store and reclaimable chunks after it, also under concurrent writes.

use crate::common::{assert_error, random_bytes, Client, Req, TestServer};
use crate::support::*;
use cosd::meta::BucketRecord;
use serde_json::Value;

const LOCKED: &str = "locked-1250000000";
const EXTRA: &str = "extra-1250000000";

async fn reset(c: &Client, to: &str) -> Value {
    let body = if to.is_empty() {
        String::new()
    } else {
        format!(r#"{{"to":"{to}"}}"#)
    };
    let r = c.admin("POST", "reset", &body).await;
    assert_eq!(r.status, 200, "{}", r.text());
    serde_json::from_slice(&r.body).unwrap()
}

/// The bucket records without their creation times.
fn records(s: &TestServer) -> Vec<BucketRecord> {
    all_buckets(s)
        .iter()
        .map(|b| BucketRecord {
            created_ms: 0,
            ..s.state.store.get_bucket(b).unwrap().unwrap()
        })
        .collect()
}

/// Writes, deletes, versioned overwrites, an open multipart upload, an object under
/// compliance retention and a bucket nobody declared.
async fn churn(c: &Client) {
    c.put(SITE, "new.txt", b"new").await;
    c.put(SITE, "index.html", b"<h1>changed</h1>").await;
    c.put(SITE, "blob.bin", &random_bytes(700 * 1024, 9)).await;
    let r = c.send(Req::new("DELETE", Some(SITE), "docs/a.txt")).await;
    assert_eq!(r.status, 204, "{}", r.text());
    let r = c
        .send(Req::new("DELETE", Some(SITE), "").q("cors", ""))
        .await;
    assert_eq!(r.status, 204);
    let r = c
        .send(Req::new("POST", Some(SITE), "big").q("uploads", ""))
        .await;
    let upload = r.xml("UploadId").unwrap();
    let r = c
        .send(
            Req::new("PUT", Some(SITE), "big")
                .q("partNumber", "1")
                .q("uploadId", &upload)
                .body(random_bytes(300 * 1024, 3)),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = c
        .send(Req::new("PUT", Some(LOCKED), "").h("x-cos-bucket-object-lock-enabled", "true"))
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = c
        .send(
            Req::new("PUT", Some(LOCKED), "kept")
                .h("x-cos-object-lock-mode", "COMPLIANCE")
                .h(
                    "x-cos-object-lock-retain-until-date",
                    "2099-01-01T00:00:00Z",
                )
                .body(random_bytes(400 * 1024, 4)),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    c.create_bucket(EXTRA).await;
    c.put(EXTRA, "x", b"x").await;
    other(c).put(THEIRS, "mine.txt", b"theirs").await;
}

#[tokio::test]
async fn reset_to_declared_restores_exactly_the_declared_state() {
    let (s, _seed) = start_declared().await;
    let c = s.client();
    let declared = records(&s);
    churn(&c).await;
    assert_ne!(records(&s), declared);
    let v = reset(&c, "").await;
    assert_eq!(v["to"], "declared");
    assert_eq!(v["removed"]["buckets"], 5, "{v}");
    assert_eq!(v["removed"]["uploads"], 1, "{v}");
    assert!(v["removed"]["versions"].as_u64().unwrap() >= 2, "{v}");
    assert!(v["elapsed_ms"].is_u64(), "{v}");
    assert_eq!(records(&s), declared);
    assert_seeded(&s, &c).await;
    assert_error(&c.get(SITE, "new.txt").await, 404, "NoSuchKey");
    let r = c
        .send(Req::new("GET", Some(SITE), "").q("uploads", ""))
        .await;
    assert!(r.xml("UploadId").is_none(), "{}", r.text());
    let r = c
        .send(Req::new("GET", Some(SITE), "").q("versions", ""))
        .await;
    assert_eq!(
        crate::common::xml_all(&r.text(), "Version").len(),
        seed_files().len()
    );

    // The released chunks are collected once the grace period has passed.
    s.clock.advance(std::time::Duration::from_secs(
        s.state.config.gc_grace_secs + 1,
    ));
    let gc = s.state.store.gc_once().await.unwrap();
    assert!(gc.deleted >= 3, "{gc:?}");
    assert_fsck_clean(&s);
    assert_seeded(&s, &c).await;
}

#[tokio::test]
async fn reset_to_empty_leaves_no_bucket() {
    let (s, _seed) = start_declared().await;
    let c = s.client();
    churn(&c).await;
    let v = reset(&c, "empty").await;
    assert_eq!(v["to"], "empty");
    assert_eq!(v["applied"]["buckets_created"], 0);
    assert!(all_buckets(&s).is_empty());
    let r = c.send(Req::new("GET", None, "")).await;
    assert_eq!(r.status, 200);
    assert!(r.xml("Name").is_none(), "{}", r.text());
    let report = assert_fsck_clean(&s);
    assert_eq!(
        (
            report.buckets,
            report.objects,
            report.versions,
            report.parts
        ),
        (0, 0, 0, 0)
    );
    // And back.
    let v = reset(&c, "declared").await;
    assert_eq!(v["applied"]["buckets_created"], 3, "{v}");
    assert_seeded(&s, &c).await;
}

#[tokio::test]
async fn only_the_main_root_account_may_reset() {
    let (s, _seed) = start_declared().await;
    let c = s.client();
    c.add_sub_account(
        "100000000011",
        "AKIDsubaccount000000000000000000001",
        "subkey",
    )
    .await;
    let sub = Client {
        sid: "AKIDsubaccount000000000000000000001".into(),
        skey: "subkey".into(),
        ..c.clone()
    };
    for who in [sub, other(&c)] {
        let r = who.admin("POST", "reset", r#"{"to":"empty"}"#).await;
        assert_eq!(r.status, 403, "{}", r.text());
        let v: Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(v["code"], "AccessDenied");
    }
    assert_eq!(all_buckets(&s).len(), 3, "nothing was removed");
    let r = c.admin("POST", "reset", r#"{"to":"nothing"}"#).await;
    assert_eq!(r.status, 400, "{}", r.text());
    let r = c.admin("GET", "reset", "").await;
    assert_eq!(r.status, 404, "{}", r.text());
}

/// Objects written while resets run: each one that is there afterwards reads back whole.
#[tokio::test]
async fn writes_racing_a_reset_leave_whole_objects_and_a_clean_store() {
    let (s, _seed) = start_declared().await;
    let c = s.client();
    let body =
        |i: usize| random_bytes(if i.is_multiple_of(2) { 100 } else { 300 * 1024 }, i as u64);
    let mut writers = Vec::new();
    for w in 0..4 {
        let c = c.clone();
        writers.push(tokio::spawn(async move {
            for i in 0..30 {
                let n = w * 1000 + i;
                let r = c
                    .send(Req::new("PUT", Some(SITE), &format!("race/{n}")).body(body(n)))
                    .await;
                assert!(matches!(r.status, 200 | 404), "{}: {}", r.status, r.text());
            }
        }));
    }
    for _ in 0..3 {
        reset(&c, "declared").await;
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    for w in writers {
        w.await.unwrap();
    }
    assert_fsck_clean(&s);
    for w in 0..4 {
        for i in 0..30 {
            let n = w * 1000 + i;
            let r = c.get(SITE, &format!("race/{n}")).await;
            if r.status == 200 {
                assert!(r.body == body(n), "race/{n} is not whole");
            }
        }
    }
    // Two resets at once run one after the other.
    let (a, b) = tokio::join!(reset(&c, "empty"), reset(&c, "declared"));
    assert_eq!(
        (a["to"].as_str(), b["to"].as_str()),
        (Some("empty"), Some("declared"))
    );
    if all_buckets(&s).is_empty() {
        assert_eq!(
            a["removed"]["buckets"], 3,
            "the declared reset ran first: {a}"
        );
    } else {
        assert_seeded(&s, &c).await;
    }
}

/// A CI-sized data set: 10 buckets of 100 objects, each overwritten once in versioned
/// buckets (2,000 versions). Prints the time; asserts none.
#[tokio::test]
async fn reset_time_for_a_ci_sized_data_set() {
    let (s, _seed) = start_declared().await;
    let c = s.client();
    for b in 0..10 {
        let bucket = format!("load{b}-1250000000");
        c.create_bucket(&bucket).await;
        let r = c
            .send(Req::new("PUT", Some(&bucket), "").q("versioning", "").body(
                "<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>",
            ))
            .await;
        assert_eq!(r.status, 200);
        for round in 0..2 {
            for k in 0..100 {
                c.put(&bucket, &format!("k{k}"), format!("{round}-{k}").as_bytes())
                    .await;
            }
        }
    }
    let started = std::time::Instant::now();
    let v = reset(&c, "declared").await;
    let wall = started.elapsed().as_millis();
    println!(
        "reset of {} buckets, {} objects, {} noncurrent versions: {} ms in the server, {wall} ms for the client",
        v["removed"]["buckets"], v["removed"]["objects"], v["removed"]["versions"], v["elapsed_ms"]
    );
    assert_eq!(v["removed"]["buckets"], 13);
    assert_seeded(&s, &c).await;
}

#[tokio::test]
async fn a_declaration_that_no_longer_holds_refuses_the_reset_before_removing_anything() {
    let (s, seed) = start_declared().await;
    let c = s.client();
    c.put(PLAIN, "kept", b"kept").await;
    drop(seed);
    let r = c.admin("POST", "reset", "").await;
    assert_eq!(r.status, 400, "{}", r.text());
    let v: Value = serde_json::from_slice(&r.body).unwrap();
    let msg = v["message"].as_str().unwrap();
    assert!(
        msg.contains("nothing was removed") && msg.contains(SITE),
        "{msg}"
    );
    assert_eq!(c.get(PLAIN, "kept").await.text(), "kept");
    assert_eq!(all_buckets(&s).len(), 3);
    // An empty reset needs no declaration.
    reset(&c, "empty").await;
    assert!(all_buckets(&s).is_empty());
}
