//! Bucket CORS: the configuration API, preflights on object and bucket paths, and the headers
//! of actual responses (success and error), which never change authentication.

#![allow(clippy::unwrap_used)]

mod common;

use common::*;

const RULES: &str = r#"<CORSConfiguration>
  <CORSRule>
    <ID>app</ID>
    <AllowedOrigin>http://app.example.com</AllowedOrigin>
    <AllowedOrigin>https://*.example.com</AllowedOrigin>
    <AllowedMethod>PUT</AllowedMethod>
    <AllowedMethod>POST</AllowedMethod>
    <AllowedMethod>GET</AllowedMethod>
    <AllowedHeader>Authorization</AllowedHeader>
    <AllowedHeader>Content-Type</AllowedHeader>
    <AllowedHeader>x-cos-*</AllowedHeader>
    <ExposeHeader>ETag</ExposeHeader>
    <ExposeHeader>x-cos-request-id</ExposeHeader>
    <MaxAgeSeconds>600</MaxAgeSeconds>
  </CORSRule>
  <CORSRule>
    <AllowedOrigin>*</AllowedOrigin>
    <AllowedMethod>GET</AllowedMethod>
    <AllowedMethod>HEAD</AllowedMethod>
  </CORSRule>
</CORSConfiguration>"#;

async fn put_cors(c: &Client, xml: &str) -> Resp {
    c.send(
        Req::new("PUT", Some(B), "")
            .q("cors", "")
            .h("Content-Type", "application/xml")
            .body(xml.as_bytes().to_vec()),
    )
    .await
}

fn preflight(key: &str, origin: &str, method: &str, headers: Option<&str>) -> Req<'static> {
    let mut r = Req::new("OPTIONS", Some(B), key)
        .h("Origin", origin)
        .h("Access-Control-Request-Method", method)
        .anonymous();
    if let Some(h) = headers {
        r = r.h("Access-Control-Request-Headers", h);
    }
    r
}

#[tokio::test]
async fn configuration_round_trip_and_validation() {
    let (_server, c) = setup().await;
    let r = c.send(Req::new("GET", Some(B), "").q("cors", "")).await;
    assert_error(&r, 404, "NoSuchCORSConfiguration");
    assert_eq!(put_cors(&c, RULES).await.status, 200);
    let r = c.send(Req::new("GET", Some(B), "").q("cors", "")).await;
    assert_eq!(r.status, 200);
    assert_eq!(
        xml_all(&r.text(), "AllowedOrigin"),
        ["http://app.example.com", "https://*.example.com", "*"]
    );
    assert_eq!(
        xml_all(&r.text(), "ExposeHeader"),
        ["ETag", "x-cos-request-id"]
    );
    assert_eq!(r.xml("MaxAgeSeconds").as_deref(), Some("600"));
    for bad in [
        "<CORSConfiguration/>",
        "<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>TRACE</AllowedMethod></CORSRule></CORSConfiguration>",
        "not xml",
    ] {
        assert_error(&put_cors(&c, bad).await, 400, "MalformedXML");
    }
    // A refused configuration left the stored one alone.
    let r = c.send(Req::new("GET", Some(B), "").q("cors", "")).await;
    assert_eq!(xml_all(&r.text(), "CORSRule").len(), 2);
    let r = c.send(Req::new("DELETE", Some(B), "").q("cors", "")).await;
    assert_eq!(r.status, 204);
    let r = c.send(Req::new("GET", Some(B), "").q("cors", "")).await;
    assert_error(&r, 404, "NoSuchCORSConfiguration");
    // Anonymous callers cannot read or change it.
    let r = c
        .send(Req::new("GET", Some(B), "").q("cors", "").anonymous())
        .await;
    assert_error(&r, 403, "AccessDenied");
}

#[tokio::test]
async fn preflights_follow_the_first_matching_rule() {
    let (_server, c) = setup().await;
    let r = c
        .send(preflight("a.txt", "http://app.example.com", "PUT", None))
        .await;
    assert_error(&r, 403, "AccessDenied");
    assert_eq!(put_cors(&c, RULES).await.status, 200);

    let r = c
        .send(preflight(
            "dir/a.txt",
            "http://app.example.com",
            "PUT",
            Some("authorization, content-type, x-cos-security-token, x-cos-meta-owner"),
        ))
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        r.header("access-control-allow-origin"),
        Some("http://app.example.com")
    );
    assert_eq!(
        r.header("access-control-allow-methods"),
        Some("PUT, POST, GET")
    );
    assert_eq!(
        r.header("access-control-allow-headers"),
        Some("authorization, content-type, x-cos-security-token, x-cos-meta-owner")
    );
    assert_eq!(r.header("access-control-max-age"), Some("600"));
    assert_eq!(
        r.header("access-control-expose-headers"),
        Some("ETag, x-cos-request-id")
    );
    assert!(r.header("vary").unwrap().contains("Origin"));

    // The wildcard origin form, the second rule, and refusals.
    let cases: &[(&str, &str, Option<&str>, u16)] = &[
        ("https://img.example.com", "POST", Some("content-type"), 200),
        ("https://example.com", "POST", None, 403),
        ("http://img.example.com", "POST", None, 403),
        ("http://app.example.com", "DELETE", None, 403),
        ("http://app.example.com", "PUT", Some("x-not-allowed"), 403),
        ("http://anyone.org", "GET", None, 200),
        ("http://anyone.org", "GET", Some("range"), 403),
        ("http://anyone.org", "PUT", None, 403),
    ];
    for (origin, method, headers, status) in cases {
        let r = c.send(preflight("k", origin, method, *headers)).await;
        assert_eq!(
            r.status,
            *status,
            "{origin} {method} {headers:?}: {}",
            r.text()
        );
        if *status == 403 {
            assert_eq!(r.code(), "AccessDenied");
            assert!(r.header("access-control-allow-origin").is_none());
        }
    }
    // The bucket path itself (POST Object's URL) answers too.
    let r = c
        .send(preflight("", "http://app.example.com", "POST", None))
        .await;
    assert_eq!(r.status, 200);
    // Missing Origin or method.
    let r = c.send(Req::new("OPTIONS", Some(B), "k").anonymous()).await;
    assert_error(&r, 400, "InvalidRequest");
}

#[tokio::test]
async fn actual_responses_carry_cors_headers_but_cors_never_authenticates() {
    let (_server, c) = setup().await;
    assert_eq!(put_cors(&c, RULES).await.status, 200);
    let r = c
        .send(
            Req::new("PUT", Some(B), "x.txt")
                .h("Origin", "http://app.example.com")
                .body(b"x".to_vec()),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.header("access-control-allow-origin"),
        Some("http://app.example.com")
    );
    assert_eq!(
        r.header("access-control-expose-headers"),
        Some("ETag, x-cos-request-id")
    );
    assert!(r.header("vary").unwrap().contains("Origin"));
    // An anonymous PUT from an allowed origin is still refused: CORS only adds headers, and
    // the error carries them so the page can read it.
    let r = c
        .send(
            Req::new("PUT", Some(B), "y.txt")
                .h("Origin", "http://app.example.com")
                .body(b"y".to_vec())
                .anonymous(),
        )
        .await;
    assert_error(&r, 403, "AccessDenied");
    assert_eq!(
        r.header("access-control-allow-origin"),
        Some("http://app.example.com")
    );
    // A method the rules do not allow for that origin, and an unknown origin: no ACAO.
    let r = c
        .send(Req::new("DELETE", Some(B), "x.txt").h("Origin", "http://app.example.com"))
        .await;
    assert_eq!(r.status, 204);
    assert!(r.header("access-control-allow-origin").is_none());
    let r = c
        .send(Req::new("GET", Some(B), "x.txt").h("Origin", "http://evil.test"))
        .await;
    assert_eq!(r.status, 404);
    assert_eq!(
        r.header("access-control-allow-origin"),
        Some("http://evil.test")
    );
    assert!(r.header("access-control-expose-headers").is_none());
    // Multipart operations participate too.
    let r = c
        .send(
            Req::new("POST", Some(B), "m.bin")
                .q("uploads", "")
                .h("Origin", "https://up.example.com"),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.header("access-control-allow-origin"),
        Some("https://up.example.com")
    );
    // Without an Origin header nothing is added.
    let r = c.send(Req::new("GET", Some(B), "")).await;
    assert!(r.header("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn a_policy_can_deny_preflights() {
    let (_server, c) = setup().await;
    assert_eq!(put_cors(&c, RULES).await.status, 200);
    let deny = format!(
        r#"{{"version":"2.0","statement":[{{"principal":{{"qcs":["qcs::cam::anyone:anyone"]}},"effect":"deny","action":["name/cos:OptionsObject"],"resource":["qcs::cos:{REGION}:uid/1250000000:{B}/private/*"]}}]}}"#
    );
    let r = c
        .send(
            Req::new("PUT", Some(B), "")
                .q("policy", "")
                .body(deny.into_bytes()),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.text());
    let r = c
        .send(preflight(
            "private/a",
            "http://app.example.com",
            "PUT",
            None,
        ))
        .await;
    assert_error(&r, 403, "AccessDenied");
    let r = c
        .send(preflight("public/a", "http://app.example.com", "PUT", None))
        .await;
    assert_eq!(r.status, 200);
}
