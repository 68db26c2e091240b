use super::*;

/// The sample of the COS API reference (PUT Bucket website), with an SPA error document.
const COS_SAMPLE: &str = r#"<WebsiteConfiguration>
  <IndexDocument><Suffix>index.html</Suffix></IndexDocument>
  <RedirectAllRequestsTo><Protocol>https</Protocol></RedirectAllRequestsTo>
  <AutoAddressing><Status>Enabled</Status></AutoAddressing>
  <ErrorDocument><Key>pages/error.html</Key><OriginalHttpStatus>Disabled</OriginalHttpStatus></ErrorDocument>
  <RoutingRules>
    <RoutingRule>
      <Condition><HttpErrorCodeReturnedEquals>403</HttpErrorCodeReturnedEquals></Condition>
      <Redirect><Protocol>https</Protocol><ReplaceKeyWith>pages/403.html</ReplaceKeyWith></Redirect>
    </RoutingRule>
    <RoutingRule>
      <Condition><HttpErrorCodeReturnedEquals>404</HttpErrorCodeReturnedEquals><KeyPrefixEquals>old/</KeyPrefixEquals></Condition>
      <Redirect><ReplaceKeyWith>pages/404.html</ReplaceKeyWith></Redirect>
    </RoutingRule>
    <RoutingRule>
      <Condition><KeyPrefixEquals>assets/</KeyPrefixEquals></Condition>
      <Redirect><ReplaceKeyWith>index.html</ReplaceKeyWith></Redirect>
    </RoutingRule>
    <RoutingRule>
      <Condition><KeyPrefixEquals>article/</KeyPrefixEquals></Condition>
      <Redirect><Protocol>https</Protocol><HostName>example.com</HostName><HttpRedirectCode>302</HttpRedirectCode><ReplaceKeyPrefixWith>archived/</ReplaceKeyPrefixWith></Redirect>
    </RoutingRule>
  </RoutingRules>
</WebsiteConfiguration>"#;

const HTTP: Origin<'static> = Origin {
    https: false,
    host: "b-1250000000.website.localhost:9000",
};
const HTTPS: Origin<'static> = Origin {
    https: true,
    host: "b-1250000000.website.localhost:9000",
};

fn serve(key: &str, index: bool) -> Plan {
    Plan::Serve {
        key: key.into(),
        index,
    }
}

fn redirect(status: u16, location: &str) -> Plan {
    Plan::Redirect(Redirect {
        status,
        location: location.into(),
    })
}

#[test]
fn round_trip_and_defaults() {
    let c = WebsiteConfig::parse(COS_SAMPLE).unwrap();
    assert_eq!(c.index_suffix.as_deref(), Some("index.html"));
    assert!(c.auto_addressing);
    assert_eq!(c.routing_rules.len(), 4);
    assert_eq!(c.routing_rules[1].http_error_code, Some(404));
    assert_eq!(WebsiteConfig::parse(&c.to_xml()).unwrap(), c);
    let min = WebsiteConfig::parse(
        "<WebsiteConfiguration><IndexDocument><Suffix> index.htm </Suffix></IndexDocument>\
         <ErrorDocument><Key>404.html</Key></ErrorDocument></WebsiteConfiguration>",
    )
    .unwrap();
    assert_eq!(min.index_suffix.as_deref(), Some("index.htm"));
    assert!(!min.auto_addressing && min.redirect_all.is_none());
    assert_eq!(min.error_document(404), Some(("404.html", 404)));
    assert_eq!(min.error_document(500), None);
    assert_eq!(WebsiteConfig::parse(&min.to_xml()).unwrap(), min);
    // S3's shape: everything to another host, no index document needed.
    let s3 = WebsiteConfig::parse(
        "<WebsiteConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\
         <RedirectAllRequestsTo><HostName>example.com</HostName></RedirectAllRequestsTo>\
         </WebsiteConfiguration>",
    )
    .unwrap();
    assert_eq!(WebsiteConfig::parse(&s3.to_xml()).unwrap(), s3);
}

#[test]
fn get_returns_what_was_set_and_nothing_more() {
    let min = WebsiteConfig::parse(
        "<WebsiteConfiguration><IndexDocument><Suffix>index.html</Suffix></IndexDocument>\
         <ErrorDocument><Key>404.html</Key></ErrorDocument>\
         <RoutingRules><RoutingRule><Condition><KeyPrefixEquals>a/</KeyPrefixEquals></Condition>\
         <Redirect><ReplaceKeyPrefixWith>b/</ReplaceKeyPrefixWith><URLRedirect>Disabled</URLRedirect></Redirect>\
         </RoutingRule></RoutingRules></WebsiteConfiguration>",
    )
    .unwrap();
    let xml = min.to_xml();
    assert!(!xml.contains("AutoAddressing"), "{xml}");
    assert!(!xml.contains("OriginalHttpStatus"), "{xml}");
    assert!(
        xml.contains("<Redirect><ReplaceKeyPrefixWith>b/</ReplaceKeyPrefixWith><URLRedirect>Disabled</URLRedirect></Redirect>"),
        "{xml}"
    );
    assert_eq!(WebsiteConfig::parse(&xml).unwrap(), min);
    // The defaults still apply: the error document keeps the error's status.
    assert_eq!(min.error_document(404), Some(("404.html", 404)));
    assert!(WebsiteConfig::parse(
        "<WebsiteConfiguration><IndexDocument><Suffix>i.html</Suffix></IndexDocument>\
         <RoutingRules><RoutingRule><Condition><KeyPrefixEquals>a/</KeyPrefixEquals></Condition>\
         <Redirect><ReplaceKeyWith>b</ReplaceKeyWith><URLRedirect>maybe</URLRedirect></Redirect>\
         </RoutingRule></RoutingRules></WebsiteConfiguration>"
    )
    .is_err());
    assert!(WebsiteConfig::parse(
        "<NotWebsite><IndexDocument><Suffix>i.html</Suffix></IndexDocument></NotWebsite>"
    )
    .is_err());
}

#[test]
fn validation() {
    let wrap = |inner: &str| format!("<WebsiteConfiguration>{inner}</WebsiteConfiguration>");
    let idx = "<IndexDocument><Suffix>index.html</Suffix></IndexDocument>";
    let rule = |c: &str, r: &str| {
        wrap(&format!(
            "{idx}<RoutingRules><RoutingRule><Condition>{c}</Condition><Redirect>{r}</Redirect></RoutingRule></RoutingRules>"
        ))
    };
    let bad = [
        wrap(""),
        wrap("<IndexDocument><Suffix></Suffix></IndexDocument>"),
        wrap("<IndexDocument><Suffix>a/index.html</Suffix></IndexDocument>"),
        wrap(&format!("{idx}<RedirectAllRequestsTo><Protocol>ftp</Protocol></RedirectAllRequestsTo>")),
        wrap(&format!("{idx}<RedirectAllRequestsTo><Protocol>http</Protocol></RedirectAllRequestsTo>")),
        wrap(&format!("{idx}<AutoAddressing><Status>On</Status></AutoAddressing>")),
        wrap(&format!("{idx}<ErrorDocument><Key></Key></ErrorDocument>")),
        wrap(&format!("{idx}<ErrorDocument><Key>e.html</Key><OriginalHttpStatus>200</OriginalHttpStatus></ErrorDocument>")),
        rule("", "<ReplaceKeyWith>x</ReplaceKeyWith>"),
        rule("<HttpErrorCodeReturnedEquals>500</HttpErrorCodeReturnedEquals>", "<ReplaceKeyWith>x</ReplaceKeyWith>"),
        rule("<HttpErrorCodeReturnedEquals>abc</HttpErrorCodeReturnedEquals>", "<ReplaceKeyWith>x</ReplaceKeyWith>"),
        rule("<KeyPrefixEquals>a/</KeyPrefixEquals>", ""),
        rule("<KeyPrefixEquals>a/</KeyPrefixEquals>", "<ReplaceKeyWith>x</ReplaceKeyWith><ReplaceKeyPrefixWith>y</ReplaceKeyPrefixWith>"),
        rule("<KeyPrefixEquals>a/</KeyPrefixEquals>", "<HttpRedirectCode>200</HttpRedirectCode><ReplaceKeyWith>x</ReplaceKeyWith>"),
        wrap(&format!("{idx}<RoutingRules><RoutingRule><Redirect><ReplaceKeyWith>x</ReplaceKeyWith></Redirect></RoutingRule></RoutingRules>")),
        "<WebsiteConfiguration><IndexDocument>".to_string(),
    ];
    for b in &bad {
        assert!(WebsiteConfig::parse(b).is_err(), "{b}");
    }
    let many = wrap(&format!(
        "{idx}<RoutingRules>{}</RoutingRules>",
        "<RoutingRule><Condition><KeyPrefixEquals>a</KeyPrefixEquals></Condition><Redirect><ReplaceKeyWith>b</ReplaceKeyWith></Redirect></RoutingRule>".repeat(101)
    ));
    assert!(WebsiteConfig::parse(&many).is_err());
}

#[test]
fn planning_table() {
    let mut c = WebsiteConfig::parse(COS_SAMPLE).unwrap();
    let host = "b-1250000000.website.localhost:9000";
    let rows: Vec<(&str, Origin<'_>, Plan)> = vec![
        // RedirectAllRequestsTo https: plain HTTP goes to HTTPS, HTTPS is served.
        (
            "a b.html",
            HTTP,
            redirect(301, &format!("https://{host}/a%20b.html")),
        ),
        ("", HTTPS, serve("index.html", true)),
        ("docs/", HTTPS, serve("docs/index.html", true)),
        ("docs", HTTPS, serve("docs", false)),
        (
            "assets/app.js",
            HTTPS,
            redirect(301, &format!("https://{host}/index.html")),
        ),
        (
            "article/2020/x.html",
            HTTPS,
            redirect(302, "https://example.com/archived/2020/x.html"),
        ),
        // Error-code rules do not apply before the lookup.
        ("old/page", HTTPS, serve("old/page", false)),
    ];
    for (key, origin, want) in &rows {
        assert_eq!(&c.plan(key, *origin), want, "{key}");
    }
    assert_eq!(
        c.on_error("old/page", 404, HTTP),
        Some(Redirect {
            status: 301,
            location: format!("http://{host}/pages/404.html")
        })
    );
    assert_eq!(c.on_error("new/page", 404, HTTP), None);
    assert_eq!(
        c.on_error("secret", 403, HTTP).map(|r| r.location),
        Some(format!("https://{host}/pages/403.html"))
    );
    assert_eq!(c.error_document(404), Some(("pages/error.html", 200)));
    // Everything to another host keeps the key.
    c.redirect_all = Some(RedirectAll {
        protocol: None,
        host_name: Some("www.example.com".into()),
    });
    assert_eq!(
        c.plan("a/b", HTTPS),
        redirect(301, "https://www.example.com/a/b")
    );
}

#[test]
fn fallbacks() {
    let mut c = WebsiteConfig::parse(COS_SAMPLE).unwrap();
    assert_eq!(
        c.fallbacks("about"),
        vec![
            Fallback::Serve("about.html".into()),
            Fallback::Slash {
                probe: "about/index.html".into(),
                location: "/about/".into()
            }
        ]
    );
    assert_eq!(c.fallbacks("dir/"), vec![]);
    c.auto_addressing = false;
    assert_eq!(
        c.fallbacks("a b"),
        vec![Fallback::Slash {
            probe: "a b/index.html".into(),
            location: "/a%20b/".into()
        }]
    );
}
