//! Referer (hotlink) protection: PUT/GET/DELETE `?referer` and the 403 for refused Referers
//! (seed 002:9449-9545 "Hotlink Protection Practice", 002:5120-5139; spec 00 §19).

#![allow(clippy::unwrap_used)]

mod common;

use common::*;

fn config(status: &str, kind: &str, domains: &[&str], empty: &str) -> String {
    let list: String = domains
        .iter()
        .map(|d| format!("<Domain>{d}</Domain>"))
        .collect();
    format!(
        "<RefererConfiguration><Status>{status}</Status><RefererType>{kind}</RefererType>\
         <DomainList>{list}</DomainList>\
         <EmptyReferConfiguration>{empty}</EmptyReferConfiguration></RefererConfiguration>"
    )
}

async fn put_referer(c: &Client, xml: &str) -> Resp {
    c.send(
        Req::new("PUT", Some(B), "")
            .q("referer", "")
            .h("Content-Type", "application/xml")
            .body(xml.as_bytes().to_vec()),
    )
    .await
}

async fn get_referer(c: &Client) -> Resp {
    c.send(Req::new("GET", Some(B), "").q("referer", "")).await
}

/// A public-read bucket with `1.jpg` in it (the seed's example object, 002:9471-9475).
async fn public_setup() -> (TestServer, Client) {
    let (s, c) = setup().await;
    let r = c
        .send(
            Req::new("PUT", Some(B), "")
                .q("acl", "")
                .h("x-cos-acl", "public-read"),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    c.put(B, "1.jpg", b"jpeg bytes").await;
    (s, c)
}

/// An anonymous GET of `1.jpg` with this Referer (None: no header, as when the link is opened
/// directly, 002:9464).
async fn fetch(c: &Client, referer: Option<&str>) -> Resp {
    let mut r = Req::new("GET", Some(B), "1.jpg").anonymous();
    if let Some(v) = referer {
        r = r.h("Referer", v);
    }
    c.send(r).await
}

async fn assert_fetch(c: &Client, referer: Option<&str>, allowed: bool) {
    let r = fetch(c, referer).await;
    if allowed {
        assert_eq!(r.status, 200, "{referer:?}: {}", r.text());
        assert_eq!(r.body, b"jpeg bytes");
    } else {
        assert_error(&r, 403, "AccessDenied");
        assert!(r.text().contains("referer"), "{}", r.text());
    }
}

#[tokio::test]
async fn config_round_trip_and_unconfigured_get() {
    let (s, c) = setup().await;
    // Nothing configured: an empty RefererConfiguration (as COS answers), not a 404.
    let r = get_referer(&c).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(
        r.text().ends_with("<RefererConfiguration/>"),
        "{}",
        r.text()
    );
    assert_eq!(r.header("content-type"), Some("application/xml"));

    // The API reference's example document.
    let doc = config(
        "Enabled",
        "White-List",
        &["*.qq.com", "*.qcloud.com"],
        "Allow",
    );
    let r = put_referer(&c, &doc).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = get_referer(&c).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.xml("Status").as_deref(), Some("Enabled"));
    assert_eq!(r.xml("RefererType").as_deref(), Some("White-List"));
    assert_eq!(xml_all(&r.text(), "Domain"), ["*.qq.com", "*.qcloud.com"]);
    assert_eq!(r.xml("EmptyReferConfiguration").as_deref(), Some("Allow"));

    // EmptyReferConfiguration defaults to Deny.
    let r = put_referer(
        &c,
        "<RefererConfiguration><Status>Enabled</Status><RefererType>Black-List</RefererType>\
         <DomainList><Domain>b.com</Domain></DomainList></RefererConfiguration>",
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = get_referer(&c).await;
    assert_eq!(r.xml("RefererType").as_deref(), Some("Black-List"));
    assert_eq!(r.xml("EmptyReferConfiguration").as_deref(), Some("Deny"));
    s.stop().await;
}

/// 002:9484-9487 method 2: an allowlist of `*.example.com` shows the image on
/// `https://example.com/index.html` and not on `https://b.com/test/test.html`; 002:9518 the
/// wildcard covers the apex and deeper levels.
#[tokio::test]
async fn seed_002_9484_white_list() {
    let (s, c) = public_setup().await;
    let r = put_referer(
        &c,
        &config("Enabled", "White-List", &["*.example.com"], "Deny"),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_fetch(&c, Some("https://example.com/index.html"), true).await;
    assert_fetch(&c, Some("https://b.example.com/x.html"), true).await;
    assert_fetch(&c, Some("http://a.b.example.com:8080/x.html"), true).await;
    assert_fetch(&c, Some("https://b.com/test/test.html"), false).await;
    assert_fetch(&c, Some("https://example.com.evil.org/"), false).await;
    assert_fetch(&c, None, false).await;
    // HEAD is refused too (no body to check).
    let r = c
        .send(
            Req::new("HEAD", Some(B), "1.jpg")
                .anonymous()
                .h("Referer", "https://b.com/"),
        )
        .await;
    assert_eq!(r.status, 403);
    s.stop().await;
}

/// 002:9483 method 1: a blocklist of `*.b.com`.
#[tokio::test]
async fn seed_002_9483_black_list() {
    let (s, c) = public_setup().await;
    let r = put_referer(&c, &config("Enabled", "Black-List", &["*.b.com"], "Allow")).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_fetch(&c, Some("https://b.com/test/test.html"), false).await;
    assert_fetch(&c, Some("https://www.b.com/test/test.html"), false).await;
    assert_fetch(&c, Some("https://example.com/index.html"), true).await;
    assert_fetch(&c, None, true).await;
    s.stop().await;
}

/// 002:9513-9517 over HTTP: ports and prefixes.
#[tokio::test]
async fn seed_002_9513_ports_and_prefixes() {
    let (s, c) = public_setup().await;
    let r = put_referer(
        &c,
        &config(
            "Enabled",
            "White-List",
            &["example.com:8080", "10.10.10.10:8080", "plain.org"],
            "Deny",
        ),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_fetch(&c, Some("http://example.com:8080/a"), true).await;
    assert_fetch(&c, Some("http://example.com/a"), false).await;
    assert_fetch(&c, Some("http://10.10.10.10:8080/test.html"), true).await;
    assert_fetch(&c, Some("http://10.10.10.10/test.html"), false).await;
    assert_fetch(&c, Some("plain.org/123"), true).await;
    assert_fetch(&c, Some("https://plain.org:8443/x"), true).await;
    s.stop().await;
}

/// 002:9464 + EmptyReferConfiguration: a directly opened link carries no Referer.
#[tokio::test]
async fn empty_referer_allow_and_deny() {
    let (s, c) = public_setup().await;
    let doc = |empty| config("Enabled", "White-List", &["example.com"], empty);
    assert_eq!(put_referer(&c, &doc("Allow")).await.status, 200);
    assert_fetch(&c, None, true).await;
    assert_fetch(&c, Some(""), true).await;
    assert_fetch(&c, Some("https://b.com/"), false).await;
    assert_eq!(put_referer(&c, &doc("Deny")).await.status, 200);
    assert_fetch(&c, None, false).await;
    assert_fetch(&c, Some("https://example.com/"), true).await;
    s.stop().await;
}

/// Signed requests through the default domain are checked as well (COS refuses a signed
/// get_object the same way, cos-python-sdk-v5 issue 56), bucket operations included.
#[tokio::test]
async fn signed_requests_are_checked() {
    let (s, c) = public_setup().await;
    let doc = config("Enabled", "White-List", &["example.com"], "Deny");
    assert_eq!(put_referer(&c, &doc).await.status, 200);
    let r = c.get(B, "1.jpg").await;
    assert_error(&r, 403, "AccessDenied");
    let r = c
        .send(Req::new("GET", Some(B), "1.jpg").h("Referer", "https://example.com/p"))
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = c.send(Req::new("GET", Some(B), "")).await;
    assert_error(&r, 403, "AccessDenied");
    let r = c
        .send(Req::new("PUT", Some(B), "2.jpg").body(b"x".to_vec()))
        .await;
    assert_error(&r, 403, "AccessDenied");
    // Another bucket is not affected.
    c.create_bucket("other-1250000000").await;
    assert_eq!(c.put("other-1250000000", "k", b"v").await.status, 200);
    s.stop().await;
}

/// Status Disabled keeps the configuration but checks nothing; DELETE and the SDK's empty PUT
/// remove it.
#[tokio::test]
async fn disabled_delete_and_empty_put() {
    let (s, c) = public_setup().await;
    let on = config("Enabled", "White-List", &["example.com"], "Deny");
    assert_eq!(put_referer(&c, &on).await.status, 200);
    assert_fetch(&c, Some("https://b.com/"), false).await;

    let off = config("Disabled", "White-List", &["example.com"], "Deny");
    assert_eq!(put_referer(&c, &off).await.status, 200);
    assert_fetch(&c, Some("https://b.com/"), true).await;
    assert_fetch(&c, None, true).await;
    let r = get_referer(&c).await;
    assert_eq!(r.xml("Status").as_deref(), Some("Disabled"));
    assert_eq!(xml_all(&r.text(), "Domain"), ["example.com"]);

    assert_eq!(put_referer(&c, &on).await.status, 200);
    let r = c
        .send(Req::new("DELETE", Some(B), "").q("referer", ""))
        .await;
    assert_eq!(r.status, 204, "{}", r.text());
    assert_fetch(&c, Some("https://b.com/"), true).await;
    let r = get_referer(&c).await;
    assert!(
        r.text().ends_with("<RefererConfiguration/>"),
        "{}",
        r.text()
    );

    // cos-python-sdk-v5's delete_bucket_referer is a PUT ?referer with an empty body.
    assert_eq!(put_referer(&c, &on).await.status, 200);
    assert_eq!(put_referer(&c, "").await.status, 200);
    assert_fetch(&c, None, true).await;
    assert!(get_referer(&c)
        .await
        .text()
        .ends_with("<RefererConfiguration/>"));
    s.stop().await;
}

/// Malformed documents, more than 10 entries (002:9512), an enabled list without entries
/// (002:9522) and illegal characters are 400 MalformedXML; nothing is stored.
#[tokio::test]
async fn seed_002_9512_limits_and_malformed() {
    let (s, c) = setup().await;
    let eleven: Vec<String> = (0..11).map(|i| format!("d{i}.example.com")).collect();
    let eleven: Vec<&str> = eleven.iter().map(String::as_str).collect();
    let ten = &eleven[..10];
    for bad in [
        "<RefererConfiguration><Status>Enabled".to_string(),
        "hello".into(),
        config("Enabled", "White-List", &eleven, "Deny"),
        config("Enabled", "White-List", &[], "Deny"),
        config("Enabled", "Grey-List", &["a.com"], "Deny"),
        config("Maybe", "White-List", &["a.com"], "Deny"),
        config("Enabled", "White-List", &["a.com"], "Sometimes"),
        config("Enabled", "White-List", &["bad host.com"], "Deny"),
    ] {
        let r = put_referer(&c, &bad).await;
        assert_error(&r, 400, "MalformedXML");
    }
    // Nothing stored: still no configuration.
    assert!(get_referer(&c)
        .await
        .text()
        .ends_with("<RefererConfiguration/>"));
    let r = put_referer(&c, &config("Enabled", "White-List", ten, "Deny")).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(xml_all(&get_referer(&c).await.text(), "Domain").len(), 10);
    s.stop().await;
}

/// The `?referer` operations are exempt, so an owner whose own requests are refused can still
/// read and fix the configuration.
#[tokio::test]
async fn owner_can_repair_the_configuration() {
    let (s, c) = public_setup().await;
    let on = config("Enabled", "White-List", &["example.com"], "Deny");
    let refused = "https://b.com/admin";
    assert_eq!(put_referer(&c, &on).await.status, 200);
    let r = c
        .send(Req::new("GET", Some(B), "1.jpg").h("Referer", refused))
        .await;
    assert_error(&r, 403, "AccessDenied");

    let r = c
        .send(
            Req::new("GET", Some(B), "")
                .q("referer", "")
                .h("Referer", refused),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = c
        .send(
            Req::new("PUT", Some(B), "")
                .q("referer", "")
                .h("Referer", refused)
                .body(config(
                    "Enabled",
                    "White-List",
                    &["example.com", "b.com"],
                    "Deny",
                )),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = c
        .send(Req::new("GET", Some(B), "1.jpg").h("Referer", refused))
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = c
        .send(
            Req::new("DELETE", Some(B), "")
                .q("referer", "")
                .h("Referer", "https://nowhere.example/"),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.text());
    // The anonymous are still subject to ACLs for the ?referer operations.
    let r = c
        .send(
            Req::new("PUT", Some(B), "")
                .q("referer", "")
                .anonymous()
                .body(on),
        )
        .await;
    assert_error(&r, 403, "AccessDenied");
    s.stop().await;
}
