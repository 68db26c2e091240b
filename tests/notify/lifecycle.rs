//! Lifecycle actions are notified as `LifecycleExpiration:*` and `LifecycleTransition`, with
//! the pass run by `Store::lifecycle_pass` under the injected clock (10-second days).

use crate::common::*;
use crate::{configure, queue, start, workers, DAY};
use base64::Engine as _;
use cosd::service::LifecycleOptions;

async fn put_lifecycle(c: &Client, rules: &str) {
    use md5::Digest;
    let body = format!("<LifecycleConfiguration>{rules}</LifecycleConfiguration>");
    let md5 = base64::engine::general_purpose::STANDARD.encode(md5::Md5::digest(body.as_bytes()));
    let r = c
        .send(
            Req::new("PUT", Some(B), "")
                .q("lifecycle", "")
                .h("Content-MD5", &md5)
                .body(body.into_bytes()),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
}

#[tokio::test]
async fn expirations_and_transitions_are_notified() {
    let (s, c, rx) = start().await;
    let _stop = workers(&s);
    configure(
        &s,
        vec![queue(
            "lc",
            &["s3:LifecycleExpiration:*", "s3:LifecycleTransition"],
            None,
            None,
        )],
    )
    .await;
    put_lifecycle(
        &c,
        "<Rule><ID>gone</ID><Filter><Prefix>tmp/</Prefix></Filter><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule>\
         <Rule><ID>cold</ID><Filter><Prefix>old/</Prefix></Filter><Status>Enabled</Status><Transition><Days>1</Days><StorageClass>STANDARD_IA</StorageClass></Transition></Rule>",
    )
    .await;
    c.put(B, "tmp/a", b"short-lived").await;
    c.put(B, "old/b", b"cooling").await;
    s.clock.advance(std::time::Duration::from_secs(DAY + 1));
    let st = s
        .state
        .store
        .lifecycle_pass(&LifecycleOptions::new(DAY))
        .await
        .unwrap();
    assert_eq!((st.expired, st.transitioned), (1, 1));
    let mut seen = rx.wait_for(2).await;
    seen.sort();
    assert_eq!(
        seen,
        [
            (
                "LifecycleExpiration:Delete".to_string(),
                "tmp%2Fa".to_string()
            ),
            ("LifecycleTransition".to_string(), "old%2Fb".to_string()),
        ]
    );
    let t = rx
        .events()
        .into_iter()
        .find(|e| e["eventName"] == "LifecycleTransition")
        .unwrap();
    assert_eq!(t["glacierEventData"]["storageClass"], "STANDARD_IA");
}
