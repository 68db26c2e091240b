//! Helpers shared by the storage class tests.

use crate::common::*;
use std::time::Duration;

/// Restore delays (s) and day length (s) the tests run with: the defaults' tiers, a short day.
pub(crate) const DAY_SECS: u64 = 100;

/// A server with bucket `B` whose restore "day" is [`DAY_SECS`] long.
pub(crate) async fn server() -> (TestServer, Client) {
    let s = TestServer::start_with(|cfg| {
        cfg.lifecycle_day_secs = DAY_SECS;
        cfg.restore_expedited_secs = 2;
        cfg.restore_standard_secs = 5;
        cfg.restore_bulk_secs = 10;
    })
    .await;
    let c = s.client();
    c.create_bucket(B).await;
    (s, c)
}

/// PUT `key` with `x-cos-storage-class: class`.
pub(crate) async fn put_class(c: &Client, key: &str, class: &str, data: &[u8]) -> Resp {
    c.send(
        Req::new("PUT", Some(B), key)
            .h("x-cos-storage-class", class)
            .body(data.to_vec()),
    )
    .await
}

pub(crate) fn restore_body(days: u32, tier: &str) -> Vec<u8> {
    format!(
        "<RestoreRequest><Days>{days}</Days><CASJobParameters><Tier>{tier}</Tier></CASJobParameters></RestoreRequest>"
    )
    .into_bytes()
}

/// POST `key?restore` (COS body).
pub(crate) async fn restore(c: &Client, key: &str, days: u32, tier: &str) -> Resp {
    c.send(
        Req::new("POST", Some(B), key)
            .q("restore", "")
            .body(restore_body(days, tier)),
    )
    .await
}

pub(crate) async fn head(c: &Client, key: &str) -> Resp {
    c.send(Req::new("HEAD", Some(B), key)).await
}

pub(crate) fn advance(s: &TestServer, secs: u64) {
    s.clock.advance(Duration::from_secs(secs));
}
