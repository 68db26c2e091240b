//! What a signature is good for, and no more: a q-sign or SigV2 signature covers its bucket
//! (path-style through the signed path, virtual-hosted through the signed Host), validity
//! windows are ordered and bounded, and callers learn nothing about resources they may not use.

#![allow(clippy::unwrap_used)]

mod common;

use common::*;

const PROBE: &str = "probe-1250000000";
const SECRET: &str = "secret-1250000000";

async fn two_buckets() -> (TestServer, Client) {
    let s = TestServer::start().await;
    let c = s.client();
    c.create_bucket(PROBE).await;
    c.create_bucket(SECRET).await;
    assert_eq!(
        c.put(SECRET, "private.txt", b"top secret").await.status,
        200
    );
    (s, c)
}

/// A path-style request (`Host: 127.0.0.1:port`, `/<bucket>/<key>`) carrying a q-sign
/// Authorization made over `signed_path` (host signed).
fn path_style(c: &Client, method: &'static str, path: &str, signed_path: &str) -> Req<'static> {
    let host = c.addr.to_string();
    let now = c.now();
    let auth = authorization(
        &c.sid,
        &c.skey,
        method,
        signed_path,
        &[],
        &[("host".into(), host.clone())],
        now - 60,
        now + 600,
    );
    let mut r = Req::new(method, None, "")
        .anonymous()
        .h("Authorization", &auth);
    r.host = host;
    r.path = path.to_string();
    r
}

/// A server with a second root account (uin 100000000002, appid 1250000001): clients for the
/// default root and for that one.
async fn two_tenants() -> (TestServer, Client, Client) {
    let s = TestServer::start_with(|cfg| {
        cfg.accounts.push(cosd::config::AccountDecl {
            uin: "100000000002".into(),
            appid: "1250000001".into(),
            secret_id: "AKIDotherTENANTkey00000000000000000".into(),
            secret_key: "otherTenantSecretKey0000000000000".into(),
        });
    })
    .await;
    let owner = s.client();
    let mut other = s.client();
    other.sid = "AKIDotherTENANTkey00000000000000000".into();
    other.skey = "otherTenantSecretKey0000000000000".into();
    (s, owner, other)
}

#[tokio::test]
async fn a_path_style_qsign_signature_over_the_key_alone_is_refused() {
    let (_s, c) = two_buckets().await;
    // Signed as a path-style request to probe would be if the bucket were left out: "/key".
    let put = path_style(&c, "PUT", &format!("/{SECRET}/upload.txt"), "/upload.txt")
        .body(b"planted".to_vec());
    assert_error(&c.send(put).await, 403, "SignatureDoesNotMatch");
    assert_eq!(c.get(SECRET, "upload.txt").await.status, 404);
    let get = path_style(&c, "GET", &format!("/{SECRET}/private.txt"), "/private.txt");
    assert_error(&c.send(get).await, 403, "SignatureDoesNotMatch");
    // A signature over "/" lists no bucket and deletes none.
    let list = path_style(&c, "GET", &format!("/{SECRET}"), "/");
    assert_error(&c.send(list).await, 403, "SignatureDoesNotMatch");
    let del = path_style(&c, "DELETE", &format!("/{PROBE}"), "/");
    assert_error(&c.send(del).await, 403, "SignatureDoesNotMatch");
    assert_eq!(
        c.send(Req::new("HEAD", Some(PROBE), "")).await.status,
        200,
        "the bucket is still there"
    );
}

#[tokio::test]
async fn a_path_style_signature_for_one_bucket_does_not_open_another() {
    let (_s, c) = two_buckets().await;
    let put = path_style(
        &c,
        "PUT",
        &format!("/{SECRET}/upload.txt"),
        &format!("/{PROBE}/upload.txt"),
    )
    .body(b"planted".to_vec());
    assert_error(&c.send(put).await, 403, "SignatureDoesNotMatch");
    // Signed over the whole path, it works.
    let put = path_style(
        &c,
        "PUT",
        &format!("/{PROBE}/upload.txt"),
        &format!("/{PROBE}/upload.txt"),
    )
    .body(b"mine".to_vec());
    assert_eq!(c.send(put).await.status, 200);
    assert_eq!(c.get(PROBE, "upload.txt").await.body, b"mine");
}

/// GET SECRET/private.txt (virtual-hosted) with a q-sign Authorization over `/private.txt`
/// for the window `start..end`, signing the Host when `host` is given.
async fn get_private(c: &Client, host: Option<&str>, start: i64, end: i64) -> Resp {
    let headers: Vec<(String, String)> = host
        .map(|h| ("host".into(), h.into()))
        .into_iter()
        .collect();
    let auth = authorization(
        &c.sid,
        &c.skey,
        "GET",
        "/private.txt",
        &[],
        &headers,
        start,
        end,
    );
    c.send(
        Req::new("GET", Some(SECRET), "private.txt")
            .anonymous()
            .h("Authorization", &auth),
    )
    .await
}

#[tokio::test]
async fn a_virtual_hosted_qsign_signature_must_sign_the_host() {
    let (_s, c) = two_buckets().await;
    let now = c.now();
    // Signed without the Host: the same Authorization would work on every bucket.
    let r = get_private(&c, None, now - 60, now + 600).await;
    assert_error(&r, 403, "SignatureDoesNotMatch");
    assert!(r.text().contains("host"), "{}", r.text());
    // The harness signs the Host: fine.
    assert_eq!(c.get(SECRET, "private.txt").await.status, 200);
}

#[tokio::test]
async fn a_sigv2_signature_for_a_path_style_resource_does_not_work_on_another_bucket() {
    let (_s, c) = two_buckets().await;
    // An object in SECRET whose key starts with PROBE's name.
    let key = format!("{PROBE}/x.txt");
    assert_eq!(c.put(SECRET, &key, b"hidden").await.status, 200);
    let expires = (c.now() + 300).to_string();
    // Presigned (SigV2) for GET /PROBE/x.txt, path-style.
    let sig = cosd::auth::sigv2::sign(&c.skey, &format!("GET\n\n\n{expires}\n/{PROBE}/x.txt"));
    let q = |r: Req<'static>| {
        r.anonymous()
            .q("AWSAccessKeyId", &c.sid)
            .q("Expires", &expires)
            .q("Signature", &sig)
    };
    // Replayed virtual-hosted to SECRET with the path "/PROBE/x.txt": refused.
    let r = c.send(q(Req::new("GET", Some(SECRET), &key))).await;
    assert_eq!(r.status, 403, "{}", r.text());
    assert_eq!(r.code(), "SignatureDoesNotMatch", "{}", r.text());
    // Where it was meant for (PROBE has no such key): authenticated, then 404.
    let mut own = Req::new("GET", None, "");
    own.host = c.addr.to_string();
    own.path = format!("/{PROBE}/x.txt");
    assert_eq!(c.send(q(own)).await.status, 404);
}

#[tokio::test]
async fn qsign_windows_that_are_reversed_or_too_long_are_refused() {
    let (_s, c) = two_buckets().await;
    let now = c.now();
    let host = vhost(SECRET);
    for (start, end) in [
        (now + 300, now - 60),
        (now - 60, now + 100 * 365 * 86_400),
        (now - 60, now - 60 + 7_776_001),
    ] {
        let r = get_private(&c, Some(&host), start, end).await;
        assert_error(&r, 403, "AccessDenied");
    }
    // 90 days exactly is accepted.
    let r = get_private(&c, Some(&host), now - 60, now - 60 + 7_776_000).await;
    assert_eq!(r.status, 200, "{}", r.text());
}

#[tokio::test]
async fn sigv2_presigned_urls_expiring_beyond_the_cap_are_refused() {
    let (_s, c) = two_buckets().await;
    let get = |expires: i64| {
        let expires = expires.to_string();
        let sig = cosd::auth::sigv2::sign(
            &c.skey,
            &format!("GET\n\n\n{expires}\n/{SECRET}/private.txt"),
        );
        let mut r = Req::new("GET", None, "")
            .anonymous()
            .q("AWSAccessKeyId", &c.sid)
            .q("Expires", &expires)
            .q("Signature", &sig);
        r.host = c.addr.to_string();
        r.path = format!("/{SECRET}/private.txt");
        r
    };
    let r = c.send(get(c.now() + 10 * 365 * 86_400)).await;
    assert_eq!(
        (r.status, r.code()),
        (403, "AccessDenied".into()),
        "{}",
        r.text()
    );
    let r = c.send(get(c.now() + 3600)).await;
    assert_eq!(r.status, 200, "{}", r.text());
}

#[tokio::test]
async fn anonymous_callers_are_denied_before_hearing_what_is_not_implemented() {
    let (_s, c) = two_buckets().await;
    // A sub-resource cosd does not implement.
    let anon = c
        .send(
            Req::new("GET", Some(SECRET), "")
                .q("inventory", "")
                .anonymous(),
        )
        .await;
    assert_error(&anon, 403, "AccessDenied");
    let owner = c
        .send(Req::new("GET", Some(SECRET), "").q("inventory", ""))
        .await;
    assert_error(&owner, 501, "NotImplemented");
}

#[tokio::test]
async fn a_copy_does_not_tell_whether_an_unreadable_bucket_exists() {
    let (_s, owner, other) = two_tenants().await;
    owner.create_bucket(SECRET).await;
    other.create_bucket("mine-1250000001").await;
    let copy = |src: &str| {
        Req::new("PUT", Some("mine-1250000001"), "copy.txt").h("x-cos-copy-source", src)
    };
    let existing = other
        .send(copy(&format!(
            "{SECRET}.cos.ap-guangzhou.myqcloud.com/private.txt"
        )))
        .await;
    let missing = other
        .send(copy(
            "nosuchbucket-1250000000.cos.ap-guangzhou.myqcloud.com/private.txt",
        ))
        .await;
    assert_error(&existing, 403, "AccessDenied");
    assert_error(&missing, 403, "AccessDenied");
    // The owner of the APPID may know its bucket is missing.
    let r = owner
        .send(Req::new("PUT", Some(SECRET), "copy.txt").h(
            "x-cos-copy-source",
            "nosuchbucket-1250000000.cos.ap-guangzhou.myqcloud.com/private.txt",
        ))
        .await;
    assert_error(&r, 404, "NoSuchBucket");
}

#[tokio::test]
async fn the_admin_api_reveals_nothing_of_another_tenants_sub_accounts() {
    let (_s, owner, other) = two_tenants().await;
    let r = owner
        .admin("POST", "users", r#"{"uin":"100000000077"}"#)
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    // The same uin under another root account: its own sub-account, no conflict to learn from.
    let r = other
        .admin("POST", "users", r#"{"uin":"100000000077"}"#)
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = other
        .admin("POST", "users", r#"{"uin":"100000000077"}"#)
        .await;
    assert_eq!(
        r.status,
        409,
        "the tenant's own duplicate is still one: {}",
        r.text()
    );
    // The simulator will not evaluate another tenant's sub-account (and its policies).
    other.create_bucket("mine-1250000001").await;
    let r = other
        .admin(
            "POST",
            "simulate",
            r#"{"principal":"qcs::cam::uin/100000000001:uin/100000000077","action":"name/cos:GetObject","resource":"qcs::cos:ap-guangzhou:uid/1250000001:mine-1250000001/a"}"#,
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.text());
}
