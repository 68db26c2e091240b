//! Tag limits and errors: a refused request changes nothing stored.

use crate::common::*;
use crate::support::*;
use aws_sdk_s3::primitives::ByteStream;

#[tokio::test]
async fn refused_object_tag_sets_leave_the_stored_tags_as_they_were() {
    let (_server, c) = setup().await;
    c.send(
        Req::new("PUT", Some(B), "k")
            .h("x-cos-tagging", "keep=me")
            .body(b"data".to_vec()),
    )
    .await;
    let eleven: Vec<(String, String)> = (0..11).map(|i| (format!("k{i}"), "v".into())).collect();
    let eleven: Vec<(&str, &str)> = eleven
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let (k129, v257) = ("k".repeat(129), "v".repeat(257));
    let cases: Vec<(String, &str)> = vec![
        (tagging_xml(&eleven), "InvalidTag"),
        (tagging_xml(&[(&k129, "v")]), "InvalidTag"),
        (tagging_xml(&[("k", &v257)]), "InvalidTag"),
        (tagging_xml(&[("", "v")]), "InvalidTag"),
        (tagging_xml(&[("a*b", "v")]), "InvalidTag"),
        (tagging_xml(&[("k", "v,w")]), "InvalidTag"),
        (tagging_xml(&[("at@cos", "v")]), "InvalidTag"),
        (tagging_xml(&[("dup", "1"), ("dup", "2")]), "InvalidTag"),
        ("<Tagging><TagSet><Tag><Key>k</Key>".into(), "MalformedXML"),
        ("<Tagging/>".into(), "MalformedXML"),
        ("not xml".into(), "MalformedXML"),
    ];
    for (body, code) in &cases {
        let r = put_raw_tagging(&c, B, "k", body).await;
        assert_error(&r, 400, code);
        assert_eq!(
            raw_tags(&c, B, "k").await,
            pairs(&[("keep", "me")]),
            "{body}"
        );
    }
    // The limits count characters, not bytes; ten tags are allowed.
    let ten: Vec<(String, String)> = (0..10).map(|i| (format!("k{i}"), "v".into())).collect();
    let ten: Vec<(&str, &str)> = ten.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let (key, value) = ("键".repeat(128), "值".repeat(256));
    for body in [
        tagging_xml(&ten),
        tagging_xml(&[(&key, &value)]),
        tagging_xml(&[("a b+c-d=e.f_g:h/i", "Größe 42")]),
    ] {
        let r = put_raw_tagging(&c, B, "k", &body).await;
        assert_eq!(r.status, 200, "{body}: {}", r.text());
    }
    assert_eq!(
        raw_tags(&c, B, "k").await,
        pairs(&[("a b+c-d=e.f_g:h/i", "Größe 42")])
    );
}

#[tokio::test]
async fn s3_allows_at_signs_and_reserves_aws_keys() {
    let (server, _c) = setup().await;
    let s3 = root(&server);
    s3.put_object()
        .bucket(B)
        .key("k")
        .body(ByteStream::from_static(b"x"))
        .send()
        .await
        .unwrap();
    s3.put_object_tagging()
        .bucket(B)
        .key("k")
        .tagging(tagging(&[("mail", "a@b.example")]))
        .send()
        .await
        .unwrap();
    let reserved = s3
        .put_object_tagging()
        .bucket(B)
        .key("k")
        .tagging(tagging(&[("aws:owner", "me")]))
        .send()
        .await
        .unwrap_err();
    assert_eq!(fail(reserved), (400, "InvalidTag".to_string()));
    assert_eq!(
        sdk_tags(&s3, B, "k", None).await,
        pairs(&[("mail", "a@b.example")])
    );
    // A PUT with tags it may not set stores nothing.
    let bad = s3
        .put_object()
        .bucket(B)
        .key("new")
        .tagging("a=1&a=2")
        .body(ByteStream::from_static(b"x"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(fail(bad), (400, "InvalidTag".to_string()));
    assert!(s3.head_object().bucket(B).key("new").send().await.is_err());
}

#[tokio::test]
async fn bucket_tags_take_fifty_tags_and_the_same_key_rules() {
    let (_server, c) = setup().await;
    let put = |body: String| {
        let c = c.clone();
        async move {
            c.send(
                Req::new("PUT", Some(B), "")
                    .q("tagging", "")
                    .body(body.into_bytes()),
            )
            .await
        }
    };
    let fifty: Vec<(String, String)> = (0..50).map(|i| (format!("k{i}"), "v".into())).collect();
    let refs: Vec<(&str, &str)> = fifty
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(put(tagging_xml(&refs)).await.status, 204);
    let mut more = refs.clone();
    more.push(("k50", "v"));
    for body in [
        tagging_xml(&more),
        tagging_xml(&[("bad*", "v")]),
        tagging_xml(&[(&"k".repeat(129), "v")]),
        tagging_xml(&[("same", "1"), ("same", "2")]),
    ] {
        let r = put(body).await;
        assert_error(&r, 400, "InvalidTag");
    }
    let r = c.send(Req::new("GET", Some(B), "").q("tagging", "")).await;
    assert_eq!(
        xml_all(&r.text(), "Key").len(),
        50,
        "the refused sets changed nothing"
    );
    // PUT Bucket's x-cos-tagging follows the same rules.
    let r = c
        .send(Req::new("PUT", Some("other-1250000000"), "").h("x-cos-tagging", "a=b*"))
        .await;
    assert_error(&r, 400, "InvalidTag");
}
