#![allow(clippy::unwrap_used)]
//! Static website hosting: `?website` on the API host, website semantics on the website hosts
//! (docs/website.md).

mod common;

use common::*;

/// A public-read bucket for the site.
const SITE: &str = "site-1250000000";

fn cloud_host(bucket: &str) -> String {
    format!("{bucket}.cos-website.{REGION}.myqcloud.com")
}

/// An anonymous request to the website host of `bucket` (`path` as sent, starting with `/`).
fn web<'a>(method: &'a str, host: &str, path: &str) -> Req<'a> {
    let mut r = Req::new(method, None, "").anonymous();
    r.host = host.to_string();
    r.path = path.to_string();
    r
}

/// A client that shows redirects instead of following them.
fn no_follow(c: &Client) -> Client {
    let mut c = c.clone();
    c.http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    c
}

async fn put_html(c: &Client, bucket: &str, key: &str, body: &str) {
    let r = c
        .send(
            Req::new("PUT", Some(bucket), key)
                .h("Content-Type", "text/html; charset=utf-8")
                .body(body.as_bytes().to_vec()),
        )
        .await;
    assert_eq!(r.status, 200, "PUT {key}: {}", r.text());
}

async fn put_website(c: &Client, bucket: &str, xml: &str) {
    let r = c
        .send(
            Req::new("PUT", Some(bucket), "")
                .q("website", "")
                .h("Content-Type", "application/xml")
                .body(xml.as_bytes().to_vec()),
        )
        .await;
    assert_eq!(r.status, 200, "PUT ?website: {}", r.text());
}

/// A public-read site with an index, a sub-directory index, an error page and an app shell.
async fn site(c: &Client) {
    let r = c
        .send(Req::new("PUT", Some(SITE), "").h("x-cos-acl", "public-read"))
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    put_html(c, SITE, "index.html", "<p>home</p>").await;
    put_html(c, SITE, "sub/index.html", "<p>sub</p>").await;
    put_html(c, SITE, "pages/404.html", "<p>not here</p>").await;
    put_html(c, SITE, "about.html", "<p>about</p>").await;
    c.put(SITE, "data.bin", b"0123456789").await;
}

fn assert_html_error(r: &Resp, status: u16, code: &str) {
    assert_eq!(r.status, status, "{}", r.text());
    assert_eq!(
        r.header("content-type"),
        Some("text/html; charset=utf-8"),
        "{}",
        r.text()
    );
    assert!(r.text().contains(&format!("Code: {code}")), "{}", r.text());
    assert!(r.header("x-cos-request-id").is_some());
}

#[tokio::test]
async fn config_round_trip_via_the_api() {
    let (_s, c) = setup().await;
    let r = c.send(Req::new("GET", Some(B), "").q("website", "")).await;
    assert_error(&r, 404, "NoSuchWebsiteConfiguration");
    let xml = "<WebsiteConfiguration>\
        <IndexDocument><Suffix>index.html</Suffix></IndexDocument>\
        <RedirectAllRequestsTo><Protocol>https</Protocol></RedirectAllRequestsTo>\
        <AutoAddressing><Status>Enabled</Status></AutoAddressing>\
        <ErrorDocument><Key>pages/404.html</Key><OriginalHttpStatus>Disabled</OriginalHttpStatus></ErrorDocument>\
        <RoutingRules><RoutingRule><Condition><KeyPrefixEquals>docs/</KeyPrefixEquals></Condition>\
        <Redirect><Protocol>https</Protocol><ReplaceKeyPrefixWith>documents/</ReplaceKeyPrefixWith></Redirect>\
        </RoutingRule></RoutingRules></WebsiteConfiguration>";
    put_website(&c, B, xml).await;
    let r = c.send(Req::new("GET", Some(B), "").q("website", "")).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("content-type"), Some("application/xml"));
    assert_eq!(r.xml("Suffix").as_deref(), Some("index.html"));
    assert_eq!(r.xml("Key").as_deref(), Some("pages/404.html"));
    assert_eq!(r.xml("OriginalHttpStatus").as_deref(), Some("Disabled"));
    assert_eq!(r.xml("Status").as_deref(), Some("Enabled"));
    assert_eq!(r.xml("KeyPrefixEquals").as_deref(), Some("docs/"));
    assert_eq!(r.xml("ReplaceKeyPrefixWith").as_deref(), Some("documents/"));
    assert_eq!(xml_all(&r.text(), "Protocol"), ["https", "https"]);
    for bad in [
        "<WebsiteConfiguration></WebsiteConfiguration>",
        "<WebsiteConfiguration><IndexDocument><Suffix>a/b</Suffix></IndexDocument></WebsiteConfiguration>",
        "not xml",
    ] {
        let r = c
            .send(Req::new("PUT", Some(B), "").q("website", "").body(bad))
            .await;
        assert_error(&r, 400, "MalformedXML");
    }
    let r = c
        .send(Req::new("DELETE", Some(B), "").q("website", ""))
        .await;
    assert_eq!(r.status, 204, "{}", r.text());
    let r = c.send(Req::new("GET", Some(B), "").q("website", "")).await;
    assert_error(&r, 404, "NoSuchWebsiteConfiguration");
    // Anonymous callers may not read or change the configuration.
    let r = c
        .send(Req::new("GET", Some(B), "").q("website", "").anonymous())
        .await;
    assert_error(&r, 403, "AccessDenied");
}

#[tokio::test]
async fn index_documents_directories_and_error_documents() {
    let (_s, c) = setup().await;
    site(&c).await;
    let c = no_follow(&c);
    let host = cloud_host(SITE);
    // Without a configuration the website host says so, in HTML.
    let r = c.send(web("GET", &host, "/")).await;
    assert_html_error(&r, 404, "NoSuchWebsiteConfiguration");
    put_website(
        &c,
        SITE,
        "<WebsiteConfiguration><IndexDocument><Suffix>index.html</Suffix></IndexDocument>\
         <ErrorDocument><Key>pages/404.html</Key></ErrorDocument></WebsiteConfiguration>",
    )
    .await;
    for (path, body) in [
        ("/", "<p>home</p>"),
        ("/sub/", "<p>sub</p>"),
        ("/index.html", "<p>home</p>"),
    ] {
        let r = c.send(web("GET", &host, path)).await;
        assert_eq!((r.status, r.text().as_str()), (200, body), "{path}");
        assert_eq!(r.header("content-type"), Some("text/html; charset=utf-8"));
        assert!(r.header("etag").is_some());
    }
    // A directory without its slash is sent to it (S3's rule).
    let r = c.send(web("GET", &host, "/sub")).await;
    assert_eq!((r.status, r.header("location")), (302, Some("/sub/")));
    // Missing: the error document with 404.
    let r = c.send(web("GET", &host, "/nothing/here.html")).await;
    assert_eq!((r.status, r.text().as_str()), (404, "<p>not here</p>"));
    assert_eq!(r.header("content-type"), Some("text/html; charset=utf-8"));
    // A directory without an index document also gets the error document.
    let r = c.send(web("GET", &host, "/pages/")).await;
    assert_eq!(r.status, 404);
    // AutoAddressing is off: no `.html` guessing.
    let r = c.send(web("GET", &host, "/about")).await;
    assert_eq!(r.status, 404);
    // Without an error document: an HTML 404 page.
    put_website(
        &c,
        SITE,
        "<WebsiteConfiguration><IndexDocument><Suffix>index.html</Suffix></IndexDocument>\
         <AutoAddressing><Status>Enabled</Status></AutoAddressing></WebsiteConfiguration>",
    )
    .await;
    let r = c.send(web("GET", &host, "/missing")).await;
    assert_html_error(&r, 404, "NoSuchKey");
    let r = c.send(web("GET", &host, "/about")).await;
    assert_eq!((r.status, r.text().as_str()), (200, "<p>about</p>"));
}

#[tokio::test]
async fn single_page_apps_get_200_on_deep_links() {
    let (_s, c) = setup().await;
    site(&c).await;
    let host = cloud_host(SITE);
    put_website(
        &c,
        SITE,
        "<WebsiteConfiguration><IndexDocument><Suffix>index.html</Suffix></IndexDocument>\
         <ErrorDocument><Key>index.html</Key><OriginalHttpStatus>Disabled</OriginalHttpStatus>\
         </ErrorDocument></WebsiteConfiguration>",
    )
    .await;
    for path in ["/app/settings/profile", "/app/settings/", "/foo"] {
        let r = c.send(web("GET", &host, path)).await;
        assert_eq!(
            (r.status, r.text().as_str()),
            (200, "<p>home</p>"),
            "{path}"
        );
    }
    // A Range on a deep link does not apply to the app shell.
    let r = c
        .send(web("GET", &host, "/app/x").h("Range", "bytes=0-1"))
        .await;
    assert_eq!((r.status, r.text().as_str()), (200, "<p>home</p>"));
    // Enabled keeps the 404.
    put_website(
        &c,
        SITE,
        "<WebsiteConfiguration><IndexDocument><Suffix>index.html</Suffix></IndexDocument>\
         <ErrorDocument><Key>index.html</Key><OriginalHttpStatus>Enabled</OriginalHttpStatus>\
         </ErrorDocument></WebsiteConfiguration>",
    )
    .await;
    let r = c.send(web("GET", &host, "/app/settings/profile")).await;
    assert_eq!((r.status, r.text().as_str()), (404, "<p>home</p>"));
}

#[tokio::test]
async fn routing_rules_and_redirect_all() {
    let (_s, c) = setup().await;
    site(&c).await;
    let c = no_follow(&c);
    let host = cloud_host(SITE);
    put_website(
        &c,
        SITE,
        "<WebsiteConfiguration><IndexDocument><Suffix>index.html</Suffix></IndexDocument>\
         <RoutingRules>\
         <RoutingRule><Condition><KeyPrefixEquals>docs/</KeyPrefixEquals></Condition>\
         <Redirect><ReplaceKeyPrefixWith>documents/</ReplaceKeyPrefixWith></Redirect></RoutingRule>\
         <RoutingRule><Condition><KeyPrefixEquals>old</KeyPrefixEquals></Condition>\
         <Redirect><Protocol>https</Protocol><HostName>example.com</HostName>\
         <HttpRedirectCode>302</HttpRedirectCode><ReplaceKeyWith>new.html</ReplaceKeyWith></Redirect></RoutingRule>\
         <RoutingRule><Condition><HttpErrorCodeReturnedEquals>404</HttpErrorCodeReturnedEquals></Condition>\
         <Redirect><ReplaceKeyWith>pages/404.html</ReplaceKeyWith></Redirect></RoutingRule>\
         </RoutingRules></WebsiteConfiguration>",
    )
    .await;
    let r = c.send(web("GET", &host, "/docs/a%20b.html")).await;
    assert_eq!(r.status, 301);
    assert_eq!(
        r.header("location"),
        Some(format!("http://{host}/documents/a%20b.html").as_str())
    );
    let r = c.send(web("GET", &host, "/old/page")).await;
    assert_eq!(
        (r.status, r.header("location")),
        (302, Some("https://example.com/new.html"))
    );
    let r = c.send(web("GET", &host, "/missing")).await;
    assert_eq!(
        (r.status, r.header("location")),
        (301, Some(format!("http://{host}/pages/404.html").as_str()))
    );
    let r = c.send(web("GET", &host, "/")).await;
    assert_eq!((r.status, r.text().as_str()), (200, "<p>home</p>"));
    // RedirectAllRequestsTo https: plain HTTP is sent to HTTPS, same host and key.
    put_website(
        &c,
        SITE,
        "<WebsiteConfiguration><IndexDocument><Suffix>index.html</Suffix></IndexDocument>\
         <RedirectAllRequestsTo><Protocol>https</Protocol></RedirectAllRequestsTo>\
         </WebsiteConfiguration>",
    )
    .await;
    let r = c.send(web("GET", &host, "/sub/")).await;
    assert_eq!(
        (r.status, r.header("location")),
        (301, Some(format!("https://{host}/sub/").as_str()))
    );
    // S3's shape: everything to another host.
    put_website(
        &c,
        SITE,
        "<WebsiteConfiguration><RedirectAllRequestsTo><HostName>www.example.com</HostName>\
         </RedirectAllRequestsTo></WebsiteConfiguration>",
    )
    .await;
    let r = c.send(web("HEAD", &host, "/x/y")).await;
    assert_eq!(
        (r.status, r.header("location")),
        (301, Some("http://www.example.com/x/y"))
    );
}

#[tokio::test]
async fn private_buckets_methods_and_unknown_buckets() {
    let (_s, c) = setup().await;
    put_html(&c, B, "index.html", "<p>private</p>").await;
    put_website(
        &c,
        B,
        "<WebsiteConfiguration><IndexDocument><Suffix>index.html</Suffix></IndexDocument>\
         <ErrorDocument><Key>index.html</Key></ErrorDocument></WebsiteConfiguration>",
    )
    .await;
    let host = cloud_host(B);
    let r = c.send(web("GET", &host, "/")).await;
    assert_html_error(&r, 403, "AccessDenied");
    assert!(!r.text().contains("private"));
    let r = c.send(web("GET", &host, "/missing")).await;
    assert_html_error(&r, 403, "AccessDenied");
    // A signature does not make the website request the owner's.
    let mut signed = Req::new("GET", Some(B), "index.html");
    signed.host = host.clone();
    let r = c.send(signed).await;
    assert_html_error(&r, 403, "AccessDenied");
    // One public object in a private bucket is served.
    let r = c
        .send(
            Req::new("PUT", Some(B), "index.html")
                .q("acl", "")
                .h("x-cos-acl", "public-read"),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = c.send(web("GET", &host, "/")).await;
    assert_eq!((r.status, r.text().as_str()), (200, "<p>private</p>"));
    let r = c.send(web("PUT", &host, "/x").body("data")).await;
    assert_html_error(&r, 405, "MethodNotAllowed");
    assert_eq!(r.header("allow"), Some("GET, HEAD"));
    let r = c
        .send(web("GET", &cloud_host("nope-1250000000"), "/"))
        .await;
    assert_html_error(&r, 404, "NoSuchBucket");
}

#[tokio::test]
async fn the_api_host_is_unaffected() {
    let (_s, c) = setup().await;
    site(&c).await;
    put_website(
        &c,
        SITE,
        "<WebsiteConfiguration><IndexDocument><Suffix>index.html</Suffix></IndexDocument>\
         <ErrorDocument><Key>pages/404.html</Key><OriginalHttpStatus>Disabled</OriginalHttpStatus>\
         </ErrorDocument></WebsiteConfiguration>",
    )
    .await;
    let r = c.send(Req::new("GET", Some(SITE), "").anonymous()).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(r.text().contains("<ListBucketResult"), "{}", r.text());
    let r = c
        .send(Req::new("GET", Some(SITE), "missing").anonymous())
        .await;
    assert_error(&r, 404, "NoSuchKey");
    let r = c
        .send(Req::new("GET", Some(SITE), "sub/").anonymous())
        .await;
    assert_error(&r, 404, "NoSuchKey");
    // And the website host has no API: `?website` there is just the index page.
    let r = c
        .send(web("GET", &cloud_host(SITE), "/").q("website", ""))
        .await;
    assert_eq!((r.status, r.text().as_str()), (200, "<p>home</p>"));
}

#[tokio::test]
async fn configured_domains_head_ranges_and_conditions() {
    let s = TestServer::start_with(|cfg| {
        cfg.website_domains = vec!["website.localhost".into(), "sites.example".into()];
    })
    .await;
    let c = s.client();
    site(&c).await;
    put_website(
        &c,
        SITE,
        "<WebsiteConfiguration><IndexDocument><Suffix>index.html</Suffix></IndexDocument>\
         </WebsiteConfiguration>",
    )
    .await;
    for host in [
        format!("{SITE}.website.localhost"),
        format!("{SITE}.sites.example:8080"),
    ] {
        let r = c.send(web("GET", &host, "/")).await;
        assert_eq!(
            (r.status, r.text().as_str()),
            (200, "<p>home</p>"),
            "{host}"
        );
    }
    let host = format!("{SITE}.website.localhost");
    let r = c.send(web("HEAD", &host, "/data.bin")).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-length"), Some("10"));
    assert!(r.body.is_empty());
    let r = c
        .send(web("GET", &host, "/data.bin").h("Range", "bytes=2-4"))
        .await;
    assert_eq!((r.status, r.text().as_str()), (206, "234"));
    assert_eq!(r.header("content-range"), Some("bytes 2-4/10"));
    let etag = r.header("etag").unwrap().to_string();
    let r = c
        .send(web("GET", &host, "/data.bin").h("If-None-Match", &etag))
        .await;
    assert_eq!((r.status, r.body.len()), (304, 0));
    let r = c
        .send(web("GET", &host, "/data.bin").h("Range", "bytes=50-"))
        .await;
    assert_html_error(&r, 416, "InvalidRange");
    let r = c.send(web("HEAD", &host, "/missing")).await;
    assert_eq!((r.status, r.body.len()), (404, 0));
    // A configured API domain is still the API.
    let mut api = Req::new("GET", Some(SITE), "").anonymous();
    api.host = format!("{SITE}.localhost");
    let r = c.send(api).await;
    assert!(r.text().contains("<ListBucketResult"), "{}", r.text());
}

/// Hotlink protection covers the website endpoint (seed 002:9459-9466).
#[tokio::test]
async fn referer_protection_applies_on_the_website_host() {
    let (_s, c) = setup().await;
    site(&c).await;
    put_website(
        &c,
        SITE,
        "<WebsiteConfiguration><IndexDocument><Suffix>index.html</Suffix></IndexDocument></WebsiteConfiguration>",
    )
    .await;
    let r = c
        .send(
            Req::new("PUT", Some(SITE), "")
                .q("referer", "")
                .body(&b"<RefererConfiguration><Status>Enabled</Status><RefererType>White-List</RefererType><DomainList><Domain>*.example.com</Domain></DomainList><EmptyReferConfiguration>Allow</EmptyReferConfiguration></RefererConfiguration>"[..]),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let host = cloud_host(SITE);
    let ok = c
        .send(web("GET", &host, "/").h("Referer", "https://www.example.com/page"))
        .await;
    assert_eq!((ok.status, ok.text().as_str()), (200, "<p>home</p>"));
    assert_eq!(c.send(web("GET", &host, "/")).await.status, 200);
    let hotlink = c
        .send(web("GET", &host, "/").h("Referer", "https://thief.example.org/"))
        .await;
    assert_html_error(&hotlink, 403, "AccessDenied");
}
