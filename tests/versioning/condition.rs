//! The seed's three `cos:versionid` bucket policies (002:2288-2515) for sub-account
//! 100000000002 of root 100000000001.

use crate::common::*;
use crate::support::*;
use aws_sdk_s3::types::BucketVersioningStatus;
use aws_sdk_s3::Client as S3;

const SUB: &str = "100000000002";
const SUB_ID: &str = "AKIDsubversionid000000000000000002";
const SUB_KEY: &str = "subVersionIdSecret00000000000002";

fn statement(effect: &str, action: &str, condition: &str) -> String {
    let condition = if condition.is_empty() {
        String::new()
    } else {
        format!(r#","condition":{condition}"#)
    };
    format!(
        r#"{{"principal":{{"qcs":["qcs::cam::uin/100000000001:uin/{SUB}"]}},"effect":"{effect}","action":["name/cos:{action}"],"resource":["qcs::cos:{REGION}:uid/1250000000:{B}/*"]{condition}}}"#
    )
}

async fn set_policy(c: &Client, statements: &[String]) {
    let doc = format!(
        r#"{{"version":"2.0","statement":[{}]}}"#,
        statements.join(",")
    );
    let r = c
        .send(
            Req::new("PUT", Some(B), "")
                .q("policy", "")
                .body(doc.into_bytes()),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.text());
}

async fn start() -> (TestServer, Client, Client, S3, String, String) {
    let (server, c) = setup().await;
    c.add_sub_account(SUB, SUB_ID, SUB_KEY).await;
    let s3 = root(&server);
    c.put(B, "k", b"before versioning").await;
    set_versioning(&s3, B, BucketVersioningStatus::Enabled).await;
    let v1 = put(&s3, B, "k", b"one").await;
    let v2 = put(&s3, B, "k", b"two").await;
    let sub = Client {
        sid: SUB_ID.into(),
        skey: SUB_KEY.into(),
        ..c.clone()
    };
    (server, c, sub, s3, v1, v2)
}

async fn get(sub: &Client, version: Option<&str>) -> u16 {
    let mut r = Req::new("GET", Some(B), "k");
    if let Some(v) = version {
        r = r.q("versionId", v);
    }
    sub.send(r).await.status
}

#[tokio::test]
async fn a_sub_account_may_get_only_the_named_version() {
    let (server, c, sub, _s3, v1, v2) = start().await;
    set_policy(
        &c,
        &[statement(
            "allow",
            "GetObject",
            &format!(r#"{{"string_equal":{{"cos:versionid":"{v1}"}}}}"#),
        )],
    )
    .await;
    assert_eq!(get(&sub, Some(&v1)).await, 200);
    assert_eq!(get(&sub, Some(&v2)).await, 403);
    assert_eq!(
        get(&sub, None).await,
        403,
        "no versionid: the key is absent"
    );
    assert_eq!(get(&sub, Some("")).await, 403, "empty is absent");
    assert_eq!(get(&sub, Some("null")).await, 403);
    // The SigV4 client is held to the same condition.
    let s3 = s3_client(server.addr, SUB_ID, SUB_KEY, None);
    s3.get_object()
        .bucket(B)
        .key("k")
        .version_id(&v1)
        .send()
        .await
        .unwrap();
    let f = get_fail(&s3, B, "k", None).await;
    assert_eq!((f.status, f.code.as_str()), (403, "AccessDenied"));

    // With the seed's explicit deny added, the same outcome.
    set_policy(
        &c,
        &[
            statement(
                "allow",
                "GetObject",
                &format!(r#"{{"string_equal":{{"cos:versionid":"{v1}"}}}}"#),
            ),
            statement(
                "deny",
                "GetObject",
                &format!(r#"{{"string_not_equal_if_exist":{{"cos:versionid":"{v1}"}}}}"#),
            ),
        ],
    )
    .await;
    assert_eq!(get(&sub, Some(&v1)).await, 200);
    assert_eq!(get(&sub, Some(&v2)).await, 403);
    assert_eq!(get(&sub, None).await, 403);
    server.stop().await;
}

#[tokio::test]
async fn a_sub_account_may_get_only_the_latest_version() {
    let (server, c, sub, _s3, v1, v2) = start().await;
    set_policy(
        &c,
        &[
            statement(
                "allow",
                "GetObject",
                r#"{"string_equal_if_exist":{"cos:versionid":""}}"#,
            ),
            statement(
                "deny",
                "GetObject",
                r#"{"string_not_equal":{"cos:versionid":""}}"#,
            ),
        ],
    )
    .await;
    let r = sub.get(B, "k").await;
    assert_eq!((r.status, r.text().as_str()), (200, "two"));
    assert_eq!(
        get(&sub, Some("")).await,
        200,
        "an empty versionid is latest"
    );
    assert_eq!(get(&sub, Some(&v2)).await, 403, "even the latest, by id");
    assert_eq!(get(&sub, Some(&v1)).await, 403);
    assert_eq!(get(&sub, Some("null")).await, 403);
    server.stop().await;
}

#[tokio::test]
async fn a_sub_account_may_not_delete_the_null_version() {
    let (server, c, sub, s3, v1, _v2) = start().await;
    set_policy(
        &c,
        &[
            statement("allow", "DeleteObject", ""),
            statement(
                "deny",
                "DeleteObject",
                r#"{"string_equal":{"cos:versionid":"null"}}"#,
            ),
        ],
    )
    .await;
    let del = |v: Option<&str>| {
        let mut r = Req::new("DELETE", Some(B), "k");
        if let Some(v) = v {
            r = r.q("versionId", v);
        }
        r
    };
    assert_error(&sub.send(del(Some("null"))).await, 403, "AccessDenied");
    assert_eq!(
        get_body(&s3, B, "k", Some("null")).await,
        b"before versioning"
    );
    // Without an id: a marker, the null version untouched.
    let r = sub.send(del(None)).await;
    assert_eq!(
        (r.status, r.header("x-cos-delete-marker")),
        (204, Some("true"))
    );
    assert_eq!(
        get_body(&s3, B, "k", Some("null")).await,
        b"before versioning"
    );
    // Other versions by id may go.
    assert_eq!(sub.send(del(Some(&v1))).await.status, 204);
    assert_eq!(get_fail(&s3, B, "k", Some(&v1)).await.code, "NoSuchVersion");
    server.stop().await;
}
