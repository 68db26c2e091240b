//! How the worker behaves: object lock wins, passes are idempotent, an interrupted pass
//! resumes where it stopped.

use crate::common::*;
use crate::support::*;
use cosd::service::LifecycleOptions;

#[tokio::test]
async fn a_version_under_object_lock_survives_its_expiration() {
    let (s, c) = start().await;
    let l = "locked-1250000000";
    let r = c
        .send(Req::new("PUT", Some(l), "").h("x-cos-bucket-object-lock-enabled", "true"))
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let rules = doc(&rule(
        "all",
        "<Filter/>",
        "<Expiration><Days>1</Days></Expiration><NoncurrentVersionExpiration><NoncurrentDays>1</NoncurrentDays></NoncurrentVersionExpiration>",
    ));
    assert_eq!(put_lifecycle(&c, l, &rules).await.status, 200);
    // Retained for a real day; the lifecycle day is 10 s.
    let until = cosd::xml::iso8601(c.now() * 1000 + 86_400_000);
    let put = c
        .send(
            Req::new("PUT", Some(l), "k")
                .h("x-cos-object-lock-mode", "COMPLIANCE")
                .h("x-cos-object-lock-retain-until-date", &until)
                .body(b"precious".to_vec()),
        )
        .await;
    assert_eq!(put.status, 200, "{}", put.text());
    let held = c
        .send(
            Req::new("PUT", Some(l), "held")
                .h("x-cos-object-lock-legal-hold", "ON")
                .body(b"held".to_vec()),
        )
        .await;
    assert_eq!(held.status, 200, "{}", held.text());
    advance(&s, 11);
    // Expiration hides the current versions under markers (allowed under a lock)...
    assert_eq!(pass(&s).await.expired, 2);
    advance(&s, 11);
    // ... but the locked versions, now noncurrent, are never removed.
    let st = pass(&s).await;
    assert_eq!((st.versions_deleted, st.locked), (0, 2), "{st:?}");
    for key in ["k", "held"] {
        let v = versions(&c, l, key).await;
        assert_eq!(v.len(), 2, "{key}: {v:?}");
        let r = c
            .send(Req::new("GET", Some(l), key).q("versionId", &v[1].0))
            .await;
        assert_eq!(r.status, 200, "{key}");
    }
}

#[tokio::test]
async fn a_second_pass_does_nothing_the_first_did() {
    let (s, c) = start().await;
    enable_versioning(&c, B).await;
    lifecycle(
        &c,
        &rule(
            "r",
            "<Filter/>",
            "<Expiration><Days>1</Days></Expiration><NoncurrentVersionTransition><NoncurrentDays>1</NoncurrentDays><StorageClass>ARCHIVE</StorageClass></NoncurrentVersionTransition>",
        ),
    )
    .await;
    for k in ["a", "b", "c"] {
        c.put(B, k, b"x").await;
    }
    advance(&s, 11);
    let first = pass(&s).await;
    assert_eq!(first.expired, 3);
    let after_first: Vec<_> = [
        versions(&c, B, "a").await,
        versions(&c, B, "b").await,
        versions(&c, B, "c").await,
    ]
    .to_vec();
    let second = pass(&s).await;
    assert_eq!((second.expired, second.transitioned), (0, 0), "{second:?}");
    let after_second: Vec<_> = [
        versions(&c, B, "a").await,
        versions(&c, B, "b").await,
        versions(&c, B, "c").await,
    ]
    .to_vec();
    assert_eq!(after_first, after_second);
    assert!(after_second.iter().all(|v| v.len() == 2));
    // Later, the noncurrent versions move to ARCHIVE, once.
    advance(&s, 11);
    assert_eq!(pass(&s).await.transitioned, 3);
    assert_eq!(pass(&s).await.transitioned, 0);
}

#[tokio::test]
async fn an_interrupted_pass_resumes_after_the_last_recorded_batch() {
    let (s, c) = start().await;
    lifecycle(
        &c,
        &rule(
            "all",
            "<Filter/>",
            "<Expiration><Days>1</Days></Expiration>",
        ),
    )
    .await;
    let keys = ["a", "b", "c", "d", "e"];
    for k in keys {
        c.put(B, k, b"x").await;
    }
    advance(&s, 11);
    let store = &s.state.store;
    let interrupted = LifecycleOptions {
        batch: 2,
        max_batches: Some(1),
        ..LifecycleOptions::new(DAY)
    };
    let st = store.lifecycle_pass(&interrupted).await.unwrap();
    assert_eq!((st.keys, st.expired, st.finished), (2, 2, false));
    assert_eq!(c.get(B, "a").await.status, 404);
    assert_eq!(c.get(B, "c").await.status, 200);
    // A new pass (as after a restart) starts after "b": nothing is looked at twice.
    let resumed = LifecycleOptions {
        batch: 2,
        ..LifecycleOptions::new(DAY)
    };
    let st = store.lifecycle_pass(&resumed).await.unwrap();
    assert_eq!((st.keys, st.expired, st.finished), (3, 3, true));
    for k in keys {
        assert_eq!(c.get(B, k).await.status, 404, "{k}");
    }
    // The pass finished: the next one starts from the beginning again.
    c.put(B, "a", b"again").await;
    advance(&s, 11);
    let st = store.lifecycle_pass(&resumed).await.unwrap();
    assert_eq!((st.keys, st.expired), (1, 1));
}
