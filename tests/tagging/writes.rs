//! Tags set by writes: `x-cos-tagging` / `x-amz-tagging` on PUT, copy (with
//! `x-cos-tagging-directive`), multipart uploads, POST forms and the first append.

use crate::common::*;
use crate::support::*;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{CompletedMultipartUpload, CompletedPart, TaggingDirective};

#[tokio::test]
async fn put_object_stores_the_tags_of_its_header_in_both_dialects() {
    let (server, c) = setup().await;
    let s3 = root(&server);
    s3.put_object()
        .bucket(B)
        .key("s3.txt")
        .tagging("team=blue&note=two%20words")
        .body(ByteStream::from_static(b"x"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        sdk_tags(&s3, B, "s3.txt", None).await,
        pairs(&[("team", "blue"), ("note", "two words")])
    );
    let r = c
        .send(
            Req::new("PUT", Some(B), "cos.txt")
                .h("x-cos-tagging", "a=b&c=d")
                .body(b"y".to_vec()),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        raw_tags(&c, B, "cos.txt").await,
        pairs(&[("a", "b"), ("c", "d")])
    );
    // Overwriting without the header leaves the new object without tags.
    c.put(B, "cos.txt", b"z").await;
    let head = c.send(Req::new("HEAD", Some(B), "cos.txt")).await;
    assert_eq!(head.header("x-cos-tagging-count"), None);
}

#[tokio::test]
async fn copy_keeps_the_source_tags_unless_the_directive_replaces_them() {
    let (server, c) = setup().await;
    let s3 = root(&server);
    s3.put_object()
        .bucket(B)
        .key("src")
        .tagging("origin=source")
        .body(ByteStream::from_static(b"payload"))
        .send()
        .await
        .unwrap();
    let copy = |dst: &'static str| {
        s3.copy_object()
            .bucket(B)
            .key(dst)
            .copy_source(format!("{B}/src"))
    };
    copy("kept").send().await.unwrap();
    assert_eq!(
        sdk_tags(&s3, B, "kept", None).await,
        pairs(&[("origin", "source")])
    );
    copy("copied")
        .tagging_directive(TaggingDirective::Copy)
        .tagging("ignored=yes")
        .send()
        .await
        .unwrap();
    assert_eq!(
        sdk_tags(&s3, B, "copied", None).await,
        pairs(&[("origin", "source")])
    );
    copy("replaced")
        .tagging_directive(TaggingDirective::Replace)
        .tagging("fresh=1&more=2")
        .send()
        .await
        .unwrap();
    assert_eq!(
        sdk_tags(&s3, B, "replaced", None).await,
        pairs(&[("fresh", "1"), ("more", "2")])
    );
    copy("emptied")
        .tagging_directive(TaggingDirective::Replace)
        .send()
        .await
        .unwrap();
    assert!(sdk_tags(&s3, B, "emptied", None).await.is_empty());

    // COS spells the directive `Replaced`.
    let r = c
        .send(
            Req::new("PUT", Some(B), "cos-copy")
                .h(
                    "x-cos-copy-source",
                    &format!("{B}.cos.{REGION}.myqcloud.com/src"),
                )
                .h("x-cos-tagging-directive", "Replaced")
                .h("x-cos-tagging", "cos=yes"),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(raw_tags(&c, B, "cos-copy").await, pairs(&[("cos", "yes")]));
    let r = c
        .send(
            Req::new("PUT", Some(B), "bad-directive")
                .h(
                    "x-cos-copy-source",
                    &format!("{B}.cos.{REGION}.myqcloud.com/src"),
                )
                .h("x-cos-tagging-directive", "Merge"),
        )
        .await;
    assert_error(&r, 400, "InvalidArgument");
    assert_eq!(c.get(B, "bad-directive").await.status, 404);
}

#[tokio::test]
async fn tags_given_when_a_multipart_upload_starts_land_on_the_completed_object() {
    let (server, _c) = setup().await;
    let s3 = root(&server);
    let up = s3
        .create_multipart_upload()
        .bucket(B)
        .key("big")
        .tagging("kind=multipart")
        .send()
        .await
        .unwrap();
    let id = up.upload_id().unwrap();
    let part = s3
        .upload_part()
        .bucket(B)
        .key("big")
        .upload_id(id)
        .part_number(1)
        .body(ByteStream::from_static(b"part one"))
        .send()
        .await
        .unwrap();
    s3.complete_multipart_upload()
        .bucket(B)
        .key("big")
        .upload_id(id)
        .multipart_upload(
            CompletedMultipartUpload::builder()
                .parts(
                    CompletedPart::builder()
                        .part_number(1)
                        .e_tag(part.e_tag().unwrap())
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(
        sdk_tags(&s3, B, "big", None).await,
        pairs(&[("kind", "multipart")])
    );
    let head = s3.head_object().bucket(B).key("big").send().await.unwrap();
    assert_eq!(head.tag_count(), Some(1));

    // Refused tags refuse the upload before it starts.
    let bad = s3
        .create_multipart_upload()
        .bucket(B)
        .key("bad")
        .tagging("k*=v")
        .send()
        .await
        .unwrap_err();
    assert_eq!(fail(bad), (400, "InvalidTag".to_string()));
}

/// A multipart/form-data body with `fields` in order and the file last.
fn form_body(fields: &[(&str, &str)], content: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----cosdTaggingBoundary";
    let mut b = Vec::new();
    for (k, v) in fields {
        b.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    b.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"f\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes(),
    );
    b.extend_from_slice(content);
    b.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (boundary.to_string(), b)
}

async fn post_form(c: &Client, fields: &[(&str, &str)]) -> Resp {
    let (boundary, body) = form_body(fields, b"form data");
    let mut r = Req::new("POST", Some(B), "")
        .h(
            "Content-Type",
            &format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .anonymous();
    r.path = "/".into();
    r.host = vhost(B);
    c.send(r).await
}

#[tokio::test]
async fn post_forms_carry_tags_as_x_cos_tagging_or_as_s3_tagging_document() {
    let server = TestServer::start().await;
    let c = server.client();
    let r = c
        .send(Req::new("PUT", Some(B), "").h("x-cos-acl", "public-read-write"))
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = post_form(&c, &[("key", "cos-form"), ("x-cos-tagging", "a=1&b=2")]).await;
    assert!(r.status < 300, "{}", r.text());
    assert_eq!(
        raw_tags(&c, B, "cos-form").await,
        pairs(&[("a", "1"), ("b", "2")])
    );
    let doc = tagging_xml(&[("s3", "form")]);
    let r = post_form(&c, &[("key", "s3-form"), ("tagging", &doc)]).await;
    assert!(r.status < 300, "{}", r.text());
    assert_eq!(raw_tags(&c, B, "s3-form").await, pairs(&[("s3", "form")]));

    let r = post_form(&c, &[("key", "bad-doc"), ("tagging", "<Tagging>")]).await;
    assert_error(&r, 400, "MalformedXML");
    let r = post_form(&c, &[("key", "bad-tag"), ("x-cos-tagging", "k=v*")]).await;
    assert_error(&r, 400, "InvalidTag");
    for key in ["bad-doc", "bad-tag"] {
        assert_eq!(c.get(B, key).await.status, 404, "{key} was not stored");
    }
}

#[tokio::test]
async fn the_first_append_sets_the_tags_of_an_appendable_object() {
    let (_server, c) = setup().await;
    let r = c
        .send(
            Req::new("POST", Some(B), "log")
                .q("append", "")
                .q("position", "0")
                .h("x-cos-tagging", "type=log")
                .body(b"line 1\n".to_vec()),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = c
        .send(
            Req::new("POST", Some(B), "log")
                .q("append", "")
                .q("position", "7")
                .body(b"line 2\n".to_vec()),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(raw_tags(&c, B, "log").await, pairs(&[("type", "log")]));
    assert_eq!(c.get(B, "log").await.body, b"line 1\nline 2\n");
}
