//! Helpers shared by the lifecycle tests.

use crate::common::*;
use base64::Engine as _;
use cosd::service::{LifecycleOptions, LifecycleStats};

/// The lifecycle day of these tests, in seconds.
pub(crate) const DAY: u64 = 10;

/// A server with bucket `B` and a 10-second lifecycle day.
pub(crate) async fn start() -> (TestServer, Client) {
    let s = TestServer::start_with(|c| c.lifecycle_day_secs = DAY).await;
    let c = s.client();
    c.create_bucket(B).await;
    (s, c)
}

/// Moves the server's clock (and the client's, which signs with it) forward.
pub(crate) fn advance(s: &TestServer, secs: u64) {
    s.clock.advance(std::time::Duration::from_secs(secs));
}

/// One whole lifecycle pass at the server clock's now.
pub(crate) async fn pass(s: &TestServer) -> LifecycleStats {
    s.state
        .store
        .lifecycle_pass(&LifecycleOptions::new(DAY))
        .await
        .unwrap()
}

pub(crate) fn md5_b64(data: &[u8]) -> String {
    use md5::Digest;
    base64::engine::general_purpose::STANDARD.encode(md5::Md5::digest(data))
}

/// `<LifecycleConfiguration>` around `rules`.
pub(crate) fn doc(rules: &str) -> String {
    format!("<LifecycleConfiguration>{rules}</LifecycleConfiguration>")
}

/// One enabled rule.
pub(crate) fn rule(id: &str, filter: &str, actions: &str) -> String {
    format!("<Rule><ID>{id}</ID>{filter}<Status>Enabled</Status>{actions}</Rule>")
}

/// PUT `?lifecycle` with Content-MD5, as the COS SDK sends it.
pub(crate) async fn put_lifecycle(c: &Client, bucket: &str, body: &str) -> Resp {
    c.send(
        Req::new("PUT", Some(bucket), "")
            .q("lifecycle", "")
            .h("Content-MD5", &md5_b64(body.as_bytes()))
            .h("Content-Type", "application/xml")
            .body(body.as_bytes().to_vec()),
    )
    .await
}

/// Sets a lifecycle configuration that must be accepted.
pub(crate) async fn lifecycle(c: &Client, rules: &str) {
    let r = put_lifecycle(c, B, &doc(rules)).await;
    assert_eq!(r.status, 200, "{}", r.text());
}

pub(crate) async fn enable_versioning(c: &Client, bucket: &str) {
    let body = "<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>";
    let r = c
        .send(
            Req::new("PUT", Some(bucket), "")
                .q("versioning", "")
                .body(body.as_bytes().to_vec()),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
}

/// The versions of `key` in `bucket`, newest first: (version id, is delete marker).
pub(crate) async fn versions(c: &Client, bucket: &str, key: &str) -> Vec<(String, bool)> {
    let r = c
        .send(
            Req::new("GET", Some(bucket), "")
                .q("versions", "")
                .q("prefix", key),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let text = r.text();
    let mut out = Vec::new();
    // Entries are <Version> or <DeleteMarker> elements in order.
    let mut rest = text.as_str();
    loop {
        let v = rest.find("<Version>");
        let m = rest.find("<DeleteMarker>");
        let (at, marker) = match (v, m) {
            (Some(v), Some(m)) if m < v => (m, true),
            (Some(v), _) => (v, false),
            (None, Some(m)) => (m, true),
            (None, None) => break,
        };
        rest = &rest[at..];
        let entry_key = xml_all(rest, "Key").into_iter().next().unwrap_or_default();
        let id = xml_all(rest, "VersionId")
            .into_iter()
            .next()
            .unwrap_or_default();
        if entry_key == key {
            out.push((id, marker));
        }
        rest = &rest[1..];
    }
    out
}

/// HEAD's storage class of the latest version of `key`.
pub(crate) async fn storage_class(c: &Client, bucket: &str, key: &str) -> String {
    let r = c.send(Req::new("HEAD", Some(bucket), key)).await;
    assert_eq!(r.status, 200);
    r.header("x-cos-storage-class")
        .unwrap_or("STANDARD")
        .to_string()
}

/// Sets an object's tags directly on its record (the tagging API is another branch's).
pub(crate) async fn set_tags(s: &TestServer, key: &str, tags: &[(&str, &str)]) {
    let tags: Vec<(String, String)> = tags
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    s.state
        .store
        .modify_version(B, key, None, move |rec, _| {
            rec.tags = tags;
            Ok(())
        })
        .await
        .unwrap();
}
