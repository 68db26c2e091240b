//! Temporary keys end to end: the STS endpoint issues them (v1 form and TC3 signatures), the
//! XML API enforces their token, expiry, scope and issuer, with the q-sign client and
//! `aws-sdk-s3`.

#![allow(clippy::unwrap_used)]

mod common;

use aws_sdk_s3::error::ProvideErrorMetadata;
use aws_sdk_s3::presigning::PresigningConfig;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::Client as S3;
use common::*;
use cosd::auth::sts::{sign_v1, v1_string_to_sign, Tc3Auth, Tc3Request, V1Method};
use serde_json::Value;
use std::time::Duration;

const SUB: &str = "200000000001";
const SUB_ID: &str = "AKIDsubaccount000000000000000001";
const SUB_KEY: &str = "subSecretKey000000000000000000001";

/// A temporary key as the STS endpoint returns it.
#[derive(Debug, Clone)]
struct Temp {
    id: String,
    key: String,
    token: String,
    expired: i64,
}

fn policy(actions: &[&str], prefix: &str) -> String {
    let actions: Vec<String> = actions
        .iter()
        .map(|a| format!("\"name/cos:{a}\""))
        .collect();
    format!(
        r#"{{"version":"2.0","statement":[{{"effect":"allow","action":[{}],"resource":["qcs::cos:{REGION}:uid/1250000000:{B}/{prefix}*"]}}]}}"#,
        actions.join(",")
    )
}

/// `GetFederationToken` as qcloud-python-sts sends it: a form POST signed with HmacSHA1 over
/// the configured domain, the policy percent-encoded once before the form encoding.
async fn sts_v1(c: &Client, sid: &str, skey: &str, params: &[(&str, &str)]) -> Value {
    let now = c.now().to_string();
    let mut p: Vec<(String, String)> = vec![
        ("Action".into(), "GetFederationToken".into()),
        ("Version".into(), "2018-08-13".into()),
        ("SecretId".into(), sid.into()),
        ("Timestamp".into(), now),
        ("Nonce".into(), "123456".into()),
        ("Region".into(), REGION.into()),
    ];
    for (k, v) in params {
        let v = if *k == "Policy" {
            percent_encoding::utf8_percent_encode(v, percent_encoding::NON_ALPHANUMERIC).to_string()
        } else {
            v.to_string()
        };
        p.retain(|(x, _)| x != k);
        p.push((k.to_string(), v));
    }
    let sts = v1_string_to_sign("POST", "sts.tencentcloudapi.com", &p);
    p.push(("Signature".into(), sign_v1(V1Method::HmacSha1, skey, &sts)));
    let body: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(p.iter())
        .finish();
    let resp = c
        .http
        .post(format!("http://{}/", c.addr))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/json"));
    let v: Value = serde_json::from_slice(&resp.bytes().await.unwrap()).unwrap();
    v["Response"].clone()
}

fn temp_of(r: &Value) -> Temp {
    let c = &r["Credentials"];
    assert!(c.is_object(), "{r}");
    Temp {
        id: c["TmpSecretId"].as_str().unwrap().into(),
        key: c["TmpSecretKey"].as_str().unwrap().into(),
        token: c["Token"].as_str().unwrap().into(),
        expired: r["ExpiredTime"].as_i64().unwrap(),
    }
}

async fn issue(c: &Client, sid: &str, skey: &str, policy: &str, duration: &str) -> Temp {
    let r = sts_v1(
        c,
        sid,
        skey,
        &[
            ("Name", "test"),
            ("Policy", policy),
            ("DurationSeconds", duration),
        ],
    )
    .await;
    temp_of(&r)
}

fn error_code(r: &Value) -> String {
    r["Error"]["Code"].as_str().unwrap_or("").to_string()
}

fn as_temp(c: &Client, t: &Temp) -> Client {
    Client {
        sid: t.id.clone(),
        skey: t.key.clone(),
        ..c.clone()
    }
}

async fn put_with(c: &Client, token: Option<&str>, key: &str) -> Resp {
    let mut r = Req::new("PUT", Some(B), key).body(b"temp".to_vec());
    if let Some(t) = token {
        r = r.h("x-cos-security-token", t);
    }
    c.send(r).await
}

fn s3(server: &TestServer, t: &Temp) -> S3 {
    s3_client(server.addr, &t.id, &t.key, Some(t.token.clone()))
}

#[tokio::test]
async fn a_temporary_key_works_inside_its_policy_only() {
    let (server, c) = setup().await;
    at_start_of_second().await;
    let t = issue(
        &c,
        SID,
        SKEY,
        &policy(&["PutObject", "GetObject"], "dir/"),
        "1800",
    )
    .await;
    assert_eq!(t.expired, c.now() + 1800);
    assert!(t.id.starts_with("AKID") && t.token.len() >= 64);
    let tc = as_temp(&c, &t);
    assert_eq!(put_with(&tc, Some(&t.token), "dir/a.txt").await.status, 200);
    let r = tc
        .send(Req::new("GET", Some(B), "dir/a.txt").h("x-cos-security-token", &t.token))
        .await;
    assert_eq!((r.status, r.body.as_slice()), (200, b"temp".as_slice()));
    assert_error(
        &put_with(&tc, Some(&t.token), "other/a.txt").await,
        403,
        "AccessDenied",
    );
    let r = tc
        .send(Req::new("DELETE", Some(B), "dir/a.txt").h("x-cos-security-token", &t.token))
        .await;
    assert_error(&r, 403, "AccessDenied");
    // Nothing the root could do outside the policy: no bucket policy changes either.
    let r = tc
        .send(
            Req::new("GET", Some(B), "")
                .q("policy", "")
                .h("x-cos-security-token", &t.token),
        )
        .await;
    assert_error(&r, 403, "AccessDenied");

    // The same through aws-sdk-s3 (x-amz-security-token, SigV4).
    let s = s3(&server, &t);
    s.put_object()
        .bucket(B)
        .key("dir/s3.txt")
        .body(ByteStream::from_static(b"s3"))
        .send()
        .await
        .unwrap();
    let e = s
        .put_object()
        .bucket(B)
        .key("x/s3.txt")
        .body(ByteStream::from_static(b"s3"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("AccessDenied"));
    // A presigned SigV4 URL carries X-Amz-Security-Token in its query.
    let url = s
        .get_object()
        .bucket(B)
        .key("dir/s3.txt")
        .presigned(PresigningConfig::expires_in(Duration::from_secs(300)).unwrap())
        .await
        .unwrap();
    assert!(url.uri().contains("X-Amz-Security-Token="));
    let got = c.http.get(url.uri()).send().await.unwrap();
    assert_eq!(got.status(), 200);
    assert_eq!(got.bytes().await.unwrap().as_ref(), b"s3");
    // A q-sign URL with the token appended unsigned, as the Node SDK builds it.
    let now = c.now();
    let auth = authorization(
        &t.id,
        &t.key,
        "GET",
        "/dir/a.txt",
        &[],
        &[("host".into(), vhost(B))],
        now - 60,
        now + 300,
    );
    let url = format!(
        "http://{}/dir/a.txt?{auth}&x-cos-security-token={}",
        c.addr, t.token
    );
    let got = c
        .http
        .get(url)
        .header("Host", vhost(B))
        .send()
        .await
        .unwrap();
    assert_eq!(got.status(), 200);
}

#[tokio::test]
async fn tokens_are_bound_to_their_key() {
    let (_server, c) = setup().await;
    let p = policy(&["PutObject"], "");
    let a = issue(&c, SID, SKEY, &p, "1800").await;
    let b = issue(&c, SID, SKEY, &p, "1800").await;
    let ac = as_temp(&c, &a);
    assert_eq!(put_with(&ac, Some(&a.token), "k").await.status, 200);
    assert_error(&put_with(&ac, None, "k").await, 403, "InvalidAccessKeyId");
    assert_error(
        &put_with(&ac, Some(&b.token), "k").await,
        403,
        "InvalidAccessKeyId",
    );
    let mut tampered = a.token.clone().into_bytes();
    tampered[10] = if tampered[10] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).unwrap();
    assert_error(
        &put_with(&ac, Some(&tampered), "k").await,
        403,
        "InvalidAccessKeyId",
    );
    // A token sent with a permanent key is refused, not ignored.
    assert_error(
        &put_with(&c, Some(&a.token), "k").await,
        403,
        "InvalidAccessKeyId",
    );
    // The temporary secret key is needed too.
    let forged = Client {
        skey: "not-the-key".into(),
        ..ac.clone()
    };
    assert_error(
        &put_with(&forged, Some(&a.token), "k").await,
        403,
        "SignatureDoesNotMatch",
    );
}

#[tokio::test]
async fn a_temporary_key_expires() {
    let (_server, c) = setup().await;
    let t = issue(&c, SID, SKEY, &policy(&["PutObject"], ""), "600").await;
    let tc = as_temp(&c, &t);
    assert_eq!(put_with(&tc, Some(&t.token), "k").await.status, 200);
    c.clock.advance(Duration::from_secs(599));
    assert_eq!(put_with(&tc, Some(&t.token), "k").await.status, 200);
    c.clock.advance(Duration::from_secs(2));
    let r = put_with(&tc, Some(&t.token), "k").await;
    assert_error(&r, 403, "AccessDenied");
    assert!(r.text().contains("Request has expired"), "{}", r.text());
}

#[tokio::test]
async fn disabling_the_issuers_key_revokes_its_temporary_keys() {
    let (_server, c) = setup().await;
    c.add_sub_account(SUB, SUB_ID, SUB_KEY).await;
    let own = policy(&["PutObject", "GetObject"], "");
    let r = c
        .admin("PUT", &format!("users/{SUB}/policies/rw"), &own)
        .await;
    assert_eq!(r.status, 200, "{}", r.text());

    // A sub-account may ask for up to 36 hours; a root key for at most 2.
    let t = issue(&c, SUB_ID, SUB_KEY, &policy(&["PutObject"], ""), "129600").await;
    let r = sts_v1(
        &c,
        SUB_ID,
        SUB_KEY,
        &[
            ("Name", "x"),
            ("Policy", &own),
            ("DurationSeconds", "129601"),
        ],
    )
    .await;
    assert_eq!(error_code(&r), "InvalidParameterValue");
    let r = sts_v1(
        &c,
        SID,
        SKEY,
        &[("Name", "x"), ("Policy", &own), ("DurationSeconds", "7201")],
    )
    .await;
    assert_eq!(error_code(&r), "InvalidParameterValue");

    let tc = as_temp(&c, &t);
    assert_eq!(put_with(&tc, Some(&t.token), "k").await.status, 200);
    let r = c
        .admin("PUT", &format!("keys/{SUB_ID}"), r#"{"enabled":false}"#)
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_error(
        &put_with(&tc, Some(&t.token), "k").await,
        403,
        "InvalidAccessKeyId",
    );
    let r = c
        .admin("PUT", &format!("keys/{SUB_ID}"), r#"{"enabled":true}"#)
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(put_with(&tc, Some(&t.token), "k").await.status, 200);
    // Narrowing the sub-account narrows its temporary keys at once.
    let r = c
        .admin("DELETE", &format!("users/{SUB}/policies/rw"), "")
        .await;
    assert!(r.status < 300, "{}", r.text());
    assert_error(
        &put_with(&tc, Some(&t.token), "k").await,
        403,
        "AccessDenied",
    );
    let r = c.admin("DELETE", &format!("users/{SUB}"), "").await;
    assert!(r.status < 300, "{}", r.text());
    assert_error(
        &put_with(&tc, Some(&t.token), "k").await,
        403,
        "InvalidAccessKeyId",
    );
}

#[tokio::test]
async fn temporary_keys_do_not_administer_or_issue_keys() {
    let (_server, c) = setup().await;
    let all =
        r#"{"version":"2.0","statement":[{"effect":"allow","action":["*"],"resource":["*"]}]}"#;
    let t = issue(&c, SID, SKEY, all, "1800").await;
    let tc = as_temp(&c, &t);
    let mut r = Req::new("GET", None, "").h("x-cos-security-token", &t.token);
    r.host = c.addr.to_string();
    r.path = "/_cosd/admin/users".into();
    let resp = tc.send(r).await;
    assert_eq!(resp.status, 403, "{}", resp.text());
    let r = sts_v1(&c, &t.id, &t.key, &[("Name", "x"), ("Policy", all)]).await;
    assert_eq!(error_code(&r), "UnauthorizedOperation", "{r}");
}

#[tokio::test]
async fn sts_errors_use_the_tencent_cloud_shape() {
    let (_server, c) = setup().await;
    let p = policy(&["GetObject"], "");
    at_start_of_second().await;
    let ok = sts_v1(&c, SID, SKEY, &[("Name", "n"), ("Policy", &p)]).await;
    assert_eq!(temp_of(&ok).expired, c.now() + 1800, "default 1800 s");
    assert!(ok["RequestId"].as_str().is_some_and(|s| !s.is_empty()));
    assert!(ok["Expiration"].as_str().unwrap().ends_with('Z'));
    type Case<'a> = (&'a str, &'a str, Vec<(&'a str, &'a str)>, &'a str);
    let cases: Vec<Case> = vec![
        (
            SID,
            "wrong",
            vec![("Name", "n"), ("Policy", &p)],
            "AuthFailure.SignatureFailure",
        ),
        (
            "AKIDnobody",
            SKEY,
            vec![("Name", "n"), ("Policy", &p)],
            "AuthFailure.SecretIdNotFound",
        ),
        (SID, SKEY, vec![("Name", "n")], "MissingParameter"),
        (SID, SKEY, vec![("Policy", &p)], "MissingParameter"),
        (
            SID,
            SKEY,
            vec![("Name", "n"), ("Policy", "{\"version\":\"2.0\"}")],
            "InvalidParameterValue",
        ),
        (
            SID,
            SKEY,
            vec![("Name", "n"), ("Policy", &p), ("DurationSeconds", "soon")],
            "InvalidParameterValue",
        ),
        (
            SID,
            SKEY,
            vec![("Name", "n"), ("Policy", &p), ("DurationSeconds", "0")],
            "InvalidParameterValue",
        ),
        (
            SID,
            SKEY,
            vec![("Name", "n"), ("Policy", &p), ("Version", "2017-01-01")],
            "NoSuchVersion",
        ),
        (
            SID,
            SKEY,
            vec![
                ("Action", "AssumeRole"),
                ("RoleArn", "qcs::cam::uin/1:roleName/r"),
            ],
            "UnsupportedOperation",
        ),
        (
            SID,
            SKEY,
            vec![("Action", "DescribeEverything")],
            "InvalidAction",
        ),
        (
            SID,
            SKEY,
            vec![("Name", "n"), ("Policy", &p), ("Timestamp", "1000")],
            "AuthFailure.SignatureExpire",
        ),
    ];
    for (sid, skey, params, want) in cases {
        let r = sts_v1(&c, sid, skey, &params).await;
        assert_eq!(error_code(&r), want, "{params:?}: {r}");
        assert!(r["Error"]["Message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()));
        assert!(r.get("Credentials").is_none());
    }
}

/// The generic Tencent Cloud SDK's TC3-HMAC-SHA256 form (spec 07 §4): JSON body, X-TC-*
/// headers, the policy as plain JSON text.
#[tokio::test]
async fn tc3_signed_calls_are_served() {
    let (_server, c) = setup().await;
    let body = serde_json::json!({
        "Name": "cos-sts",
        "Policy": policy(&["PutObject"], "tc3/"),
        "DurationSeconds": 900,
    })
    .to_string();
    let now = c.now();
    let day = time::OffsetDateTime::from_unix_timestamp(now)
        .unwrap()
        .date();
    let date = format!(
        "{:04}-{:02}-{:02}",
        day.year(),
        u8::from(day.month()),
        day.day()
    );
    let host = c.addr.to_string();
    let send = |secret: &'static str| {
        let auth = Tc3Auth {
            secret_id: SID.into(),
            date: date.clone(),
            service: "sts".into(),
            signed_headers: vec!["content-type".into(), "host".into()],
            signature: String::new(),
        };
        let headers = vec![
            ("content-type".to_string(), "application/json".to_string()),
            ("host".to_string(), host.clone()),
        ];
        let sig = auth.sign(
            secret,
            &Tc3Request {
                method: "POST",
                query: "",
                headers: &headers,
                body: body.as_bytes(),
                timestamp: now,
            },
        );
        c.http
            .post(format!("http://{}/", c.addr))
            .header("Content-Type", "application/json")
            .header("X-TC-Action", "GetFederationToken")
            .header("X-TC-Version", "2018-08-13")
            .header("X-TC-Region", REGION)
            .header("X-TC-Timestamp", now.to_string())
            .header(
                "Authorization",
                format!("TC3-HMAC-SHA256 Credential={SID}/{date}/sts/tc3_request, SignedHeaders=content-type;host, Signature={sig}"),
            )
            .body(body.clone())
            .send()
    };
    let v: Value =
        serde_json::from_slice(&send(SKEY).await.unwrap().bytes().await.unwrap()).unwrap();
    let t = temp_of(&v["Response"]);
    assert_eq!(t.expired, now + 900);
    let tc = as_temp(&c, &t);
    assert_eq!(put_with(&tc, Some(&t.token), "tc3/a").await.status, 200);
    assert_error(
        &put_with(&tc, Some(&t.token), "a").await,
        403,
        "AccessDenied",
    );
    let v: Value =
        serde_json::from_slice(&send("wrong").await.unwrap().bytes().await.unwrap()).unwrap();
    assert_eq!(error_code(&v["Response"]), "AuthFailure.SignatureFailure");
}
