//! The pipeline reads the addressed bucket record once per request and hands it to the
//! referer check, authorization, the handler and the CORS headers of the answer; the store
//! only probes that the bucket still exists when it commits.

#![allow(clippy::unwrap_used)]

mod common;

use common::*;

/// How many bucket records `send` made the server read.
async fn reads_of(c: &Client, s: &TestServer, r: Req<'_>, want_status: u16) -> u64 {
    let before = s.state.store.bucket_record_reads();
    let resp = c.send(r).await;
    assert_eq!(resp.status, want_status, "{}", resp.text());
    s.state.store.bucket_record_reads() - before
}

#[tokio::test]
async fn a_signed_put_object_reads_the_bucket_record_once() {
    let (s, c) = setup().await;
    // Large enough to be stored in chunks, small enough to be inline: both commit paths.
    for (key, size) in [("small", 100), ("large", 600 * 1024)] {
        let body = random_bytes(size, 7);
        let put = Req::new("PUT", Some(B), key).body(body.clone());
        assert_eq!(reads_of(&c, &s, put, 200).await, 1, "PUT {key}");
        assert_eq!(c.get(B, key).await.body, body);
    }
}

#[tokio::test]
async fn reads_with_cors_and_referer_rules_read_the_bucket_record_once() {
    let (s, c) = setup().await;
    c.put(B, "k", b"data").await;
    let cors = "<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>";
    let r = c
        .send(Req::new("PUT", Some(B), "").q("cors", "").body(cors))
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let referer = "<RefererConfiguration><Status>Enabled</Status><RefererType>Black-List</RefererType><DomainList><Domain>*.bad.example</Domain></DomainList></RefererConfiguration>";
    let r = c
        .send(Req::new("PUT", Some(B), "").q("referer", "").body(referer))
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let get = Req::new("GET", Some(B), "k")
        .h("Origin", "https://app.example")
        .h("Referer", "https://good.example/page");
    assert_eq!(reads_of(&c, &s, get, 200).await, 1, "GET with Origin");
    let head = Req::new("HEAD", Some(B), "").h("Referer", "https://good.example/");
    assert_eq!(reads_of(&c, &s, head, 200).await, 1, "HEAD Bucket");
    let list = Req::new("GET", Some(B), "").h("Referer", "https://good.example/");
    assert_eq!(reads_of(&c, &s, list, 200).await, 1, "GET Bucket");
}

#[tokio::test]
async fn a_website_page_with_cors_reads_the_bucket_record_once() {
    let (s, c) = setup().await;
    let site = "site-1250000000";
    let r = c
        .send(Req::new("PUT", Some(site), "").h("x-cos-acl", "public-read"))
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    c.put(site, "index.html", b"<p>home</p>").await;
    let website = "<WebsiteConfiguration><IndexDocument><Suffix>index.html</Suffix></IndexDocument></WebsiteConfiguration>";
    let r = c
        .send(
            Req::new("PUT", Some(site), "")
                .q("website", "")
                .body(website),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let cors = "<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>";
    let r = c
        .send(Req::new("PUT", Some(site), "").q("cors", "").body(cors))
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let mut page = Req::new("GET", None, "")
        .anonymous()
        .h("Origin", "https://app.example");
    page.host = format!("{site}.cos-website.{REGION}.myqcloud.com");
    page.path = "/".into();
    assert_eq!(
        reads_of(&c, &s, page, 200).await,
        1,
        "website GET with Origin"
    );
}
