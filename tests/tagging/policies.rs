//! Tag conditions: GET Service by tag with the seed's `qcs:resource_tag` policy, the seed's
//! `qcs:request_tag` policies on bucket tags, and the AWS object tag keys.

use crate::common::*;
use crate::support::*;
use aws_sdk_s3::primitives::ByteStream;

const ROOT: &str = "100000000001";
const SUB: &str = "200000000007";
const SUB_ID: &str = "AKIDsubtagging000000000000000007";
const SUB_KEY: &str = "subTaggingSecret00000000000000007";

fn sub_client(c: &Client) -> Client {
    Client {
        sid: SUB_ID.into(),
        skey: SUB_KEY.into(),
        ..c.clone()
    }
}

async fn user_policy(c: &Client, name: &str, doc: &str) {
    let r = c
        .admin("PUT", &format!("users/{SUB}/policies/{name}"), doc)
        .await;
    assert_eq!(r.status, 200, "{doc}: {}", r.text());
}

async fn bucket_policy(c: &Client, doc: &str) {
    let r = c
        .send(
            Req::new("PUT", Some(B), "")
                .q("policy", "")
                .body(doc.as_bytes().to_vec()),
        )
        .await;
    assert_eq!(r.status, 204, "{doc}: {}", r.text());
}

fn bucket_names(r: &Resp) -> Vec<String> {
    xml_all(&r.text(), "Name")
}

#[tokio::test]
async fn a_sub_account_lists_the_buckets_of_the_tag_its_policy_names() {
    let (_server, c) = setup().await;
    const TAGGED: &str = "tagged-1250000000";
    c.create_bucket(TAGGED).await;
    let r = c
        .send(
            Req::new("PUT", Some(TAGGED), "")
                .q("tagging", "")
                .body(tagging_xml(&[("key1", "value1")]).into_bytes()),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.text());
    c.add_sub_account(SUB, SUB_ID, SUB_KEY).await;
    // The seed's policy (002:2195-2213), with the tag of its API example (002:2225).
    user_policy(
        &c,
        "by-tag",
        r#"{"version":"2.0","statement":[{"effect":"allow","action":["name/cos:GetService"],"resource":"*","condition":{"for_any_value:string_equal":{"qcs:resource_tag":["key1&value1"]}}}]}"#,
    )
    .await;
    let sub = sub_client(&c);
    let list = |tag: Option<(&'static str, &'static str)>| {
        let sub = sub.clone();
        async move {
            let mut r = Req::new("GET", None, "");
            if let Some((k, v)) = tag {
                r = r.q("tagkey", k).q("tagvalue", v);
            }
            sub.send(r).await
        }
    };
    let r = list(Some(("key1", "value1"))).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(bucket_names(&r), vec![TAGGED.to_string()]);
    assert_error(&list(None).await, 403, "AccessDenied");
    assert_error(&list(Some(("key1", "other"))).await, 403, "AccessDenied");
    // The owner filters the same way.
    let r = c
        .send(
            Req::new("GET", None, "")
                .q("tagkey", "key1")
                .q("tagvalue", "value1"),
        )
        .await;
    assert_eq!(bucket_names(&r), vec![TAGGED.to_string()]);
    let r = c.send(Req::new("GET", None, "")).await;
    assert_eq!(bucket_names(&r).len(), 2, "{}", r.text());
}

#[tokio::test]
async fn put_bucket_tagging_is_judged_by_the_tags_of_its_body() {
    let (_server, c) = setup().await;
    c.add_sub_account(SUB, SUB_ID, SUB_KEY).await;
    // The seed's `for_all_value` policy (002:3225-3250), for PutBucketTagging and PutBucket.
    user_policy(
        &c,
        "request-tag",
        r#"{"version":"2.0","statement":[{"effect":"allow","action":["name/cos:PutBucket","name/cos:PutBucketTagging"],"resource":"*","condition":{"for_all_value:string_equal":{"qcs:request_tag":["a&b","c&d"]}}}]}"#,
    )
    .await;
    let sub = sub_client(&c);
    let put = |tags: &'static [(&'static str, &'static str)], header: Option<&'static str>| {
        let sub = sub.clone();
        async move {
            let mut r = Req::new("PUT", Some(B), "")
                .q("tagging", "")
                .body(tagging_xml(tags).into_bytes());
            if let Some(h) = header {
                r = r.h("x-cos-tagging", h);
            }
            sub.send(r).await.status
        }
    };
    assert_eq!(put(&[("a", "b"), ("c", "d")], None).await, 204);
    assert_eq!(put(&[("a", "b")], None).await, 204);
    assert_eq!(put(&[("a", "b"), ("c", "d"), ("e", "f")], None).await, 403);
    // A header cannot stand in for the body it contradicts.
    assert_eq!(put(&[("e", "f")], Some("a=b")).await, 403);
    let r = c.send(Req::new("GET", Some(B), "").q("tagging", "")).await;
    assert_eq!(xml_all(&r.text(), "Key"), vec!["a".to_string()]);

    // PutBucket with `x-cos-tagging` (002:3219-3221).
    let create = |name: &'static str, tagging: &'static str| {
        let sub = sub.clone();
        async move {
            sub.send(Req::new("PUT", Some(name), "").h("x-cos-tagging", tagging))
                .await
                .status
        }
    };
    assert_eq!(create("one-1250000000", "a=b&c=d").await, 200);
    assert_eq!(create("two-1250000000", "a=b").await, 200);
    assert_eq!(create("three-1250000000", "a=b&c=d&e=f").await, 403);
}

#[tokio::test]
async fn existing_and_request_object_tags_decide_aws_policies() {
    let (server, c) = setup().await;
    c.add_sub_account(SUB, SUB_ID, SUB_KEY).await;
    let owner = root(&server);
    let sub = s3_client(server.addr, SUB_ID, SUB_KEY, None);
    for (key, tags) in [
        ("pub", "class=public"),
        ("priv", "class=secret"),
        ("none", ""),
    ] {
        owner
            .put_object()
            .bucket(B)
            .key(key)
            .tagging(tags)
            .body(ByteStream::from_static(b"x"))
            .send()
            .await
            .unwrap();
    }
    let principal = format!(r#"{{"AWS":"arn:aws:iam::{ROOT}:user/{SUB}"}}"#);
    bucket_policy(
        &c,
        &format!(
            r#"{{"Version":"2012-10-17","Statement":[
            {{"Effect":"Allow","Principal":{principal},"Action":["s3:GetObject","s3:GetObjectTagging"],"Resource":"arn:aws:s3:::{B}/*","Condition":{{"StringEquals":{{"s3:ExistingObjectTag/class":"public"}}}}}},
            {{"Effect":"Allow","Principal":{principal},"Action":["s3:PutObject","s3:PutObjectTagging"],"Resource":"arn:aws:s3:::{B}/*","Condition":{{"StringEquals":{{"s3:RequestObjectTag/team":"blue"}},"ForAllValues:StringEquals":{{"s3:RequestObjectTagKeys":["team"]}}}}}}
            ]}}"#
        ),
    )
    .await;
    let read = |key: &'static str| {
        let sub = sub.clone();
        async move {
            sub.get_object()
                .bucket(B)
                .key(key)
                .send()
                .await
                .map(|_| ())
                .map_err(fail)
        }
    };
    let denied = Err((403, "AccessDenied".to_string()));
    assert_eq!(read("pub").await, Ok(()));
    assert_eq!(read("priv").await, denied);
    assert_eq!(read("none").await, denied);
    assert_eq!(
        sdk_tags(&sub, B, "pub", None).await,
        pairs(&[("class", "public")])
    );
    let tags_of_priv = sub
        .get_object_tagging()
        .bucket(B)
        .key("priv")
        .send()
        .await
        .map(|_| ())
        .map_err(fail);
    assert_eq!(tags_of_priv, denied);
    // The decision follows the object's tags as they are now.
    owner
        .put_object_tagging()
        .bucket(B)
        .key("priv")
        .tagging(tagging(&[("class", "public")]))
        .send()
        .await
        .unwrap();
    assert_eq!(read("priv").await, Ok(()));

    let write = |key: &'static str, tags: &'static str| {
        let sub = sub.clone();
        async move {
            let mut r = sub
                .put_object()
                .bucket(B)
                .key(key)
                .body(ByteStream::from_static(b"w"));
            if !tags.is_empty() {
                r = r.tagging(tags);
            }
            r.send().await.map(|_| ()).map_err(fail)
        }
    };
    assert_eq!(write("w1", "team=blue").await, Ok(()));
    assert_eq!(write("w2", "team=red").await, denied);
    assert_eq!(write("w3", "").await, denied);
    assert_eq!(write("w4", "team=blue&extra=1").await, denied);

    let retag = |tags: &'static [(&'static str, &'static str)]| {
        let sub = sub.clone();
        async move {
            sub.put_object_tagging()
                .bucket(B)
                .key("w1")
                .tagging(tagging(tags))
                .send()
                .await
                .map(|_| ())
                .map_err(fail)
        }
    };
    assert_eq!(retag(&[("team", "red")]).await, denied);
    assert_eq!(retag(&[("team", "blue")]).await, Ok(()));
    assert_eq!(
        sdk_tags(&owner, B, "w1", None).await,
        pairs(&[("team", "blue")])
    );
}
