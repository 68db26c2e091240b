//! POST Object (HTML form uploads): the COS policy signature, policy conditions, success
//! responses, metadata fields, CAM evaluation as `name/cos:PostObject` with the real file size,
//! temporary keys with the form's `x-cos-security-token`, and anonymous uploads.

#![allow(clippy::unwrap_used)]

mod common;

use base64::Engine;
use common::*;
use cosd::auth::post::cos_post_signature;

/// A multipart/form-data body with `fields` in order and the file last (as browsers send it).
fn form_body(fields: &[(&str, &str)], filename: &str, content: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----cosdFormBoundary7MA4YWxkTrZu0gW";
    let mut b = Vec::new();
    for (k, v) in fields {
        b.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    b.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes(),
    );
    b.extend_from_slice(content);
    b.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (boundary.to_string(), b)
}

/// A COS-signed form as the seed's web demo builds it (spec 04 §2).
struct CosForm {
    sid: String,
    skey: String,
    key_time: String,
    conditions: Vec<String>,
    expiration: String,
    extra: Vec<(String, String)>,
}

fn iso(secs: i64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp(secs).unwrap();
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.000Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

impl CosForm {
    fn new(c: &Client, sid: &str, skey: &str) -> CosForm {
        let now = c.now();
        let key_time = format!("{};{}", now - 10, now + 900);
        CosForm {
            sid: sid.into(),
            skey: skey.into(),
            conditions: vec![
                r#"{"q-sign-algorithm":"sha1"}"#.into(),
                format!(r#"{{"q-ak":"{sid}"}}"#),
                format!(r#"{{"q-sign-time":"{key_time}"}}"#),
                format!(r#"{{"bucket":"{B}"}}"#),
            ],
            key_time,
            expiration: iso(now + 900),
            extra: vec![],
        }
    }
    fn cond(mut self, c: &str) -> Self {
        self.conditions.push(c.into());
        self
    }
    fn field(mut self, k: &str, v: &str) -> Self {
        self.extra.push((k.into(), v.into()));
        self
    }
    fn fields(&self, key: &str) -> Vec<(String, String)> {
        let policy = format!(
            r#"{{"expiration":"{}","conditions":[{}]}}"#,
            self.expiration,
            self.conditions.join(",")
        );
        let sig = cos_post_signature(&self.skey, &self.key_time, policy.as_bytes());
        let mut f = vec![
            ("key".to_string(), key.to_string()),
            (
                "policy".into(),
                base64::engine::general_purpose::STANDARD.encode(&policy),
            ),
            ("q-sign-algorithm".into(), "sha1".into()),
            ("q-ak".into(), self.sid.clone()),
            ("q-key-time".into(), self.key_time.clone()),
            ("q-signature".into(), sig),
        ];
        f.extend(self.extra.iter().cloned());
        f
    }
}

async fn post_form(c: &Client, fields: &[(String, String)], filename: &str, data: &[u8]) -> Resp {
    post_form_to(c, &vhost(B), fields, filename, data).await
}

/// `post_form` with the Host header `host`.
async fn post_form_to(
    c: &Client,
    host: &str,
    fields: &[(String, String)],
    filename: &str,
    data: &[u8],
) -> Resp {
    let refs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let (boundary, body) = form_body(&refs, filename, data);
    let mut r = Req::new("POST", Some(B), "")
        .h(
            "Content-Type",
            &format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .anonymous();
    r.path = "/".into();
    r.host = host.to_string();
    c.send(r).await
}

#[tokio::test]
async fn a_cos_signed_form_uploads_with_its_fields() {
    let (_server, c) = setup().await;
    let f = CosForm::new(&c, SID, SKEY)
        .cond(r#"["starts-with","$key","uploads/"]"#)
        .cond(r#"["content-length-range",1,1048576]"#)
        .cond(r#"["starts-with","$Content-Type","text/"]"#)
        .field("Content-Type", "text/plain")
        .field("x-cos-meta-owner", "alice")
        .field("Cache-Control", "max-age=60");
    let r = post_form(&c, &f.fields("uploads/${filename}"), "a.txt", b"hello form").await;
    assert_eq!(r.status, 204, "{}", r.text());
    assert_eq!(
        r.header("etag").unwrap(),
        format!("\"{}\"", md5_hex(b"hello form"))
    );
    assert!(r.header("location").unwrap().ends_with("/uploads/a.txt"));
    assert!(r.header("x-cos-hash-crc64ecma").is_some());
    let got = c.get(B, "uploads/a.txt").await;
    assert_eq!(got.body, b"hello form");
    assert_eq!(got.header("content-type"), Some("text/plain"));
    assert_eq!(got.header("x-cos-meta-owner"), Some("alice"));
    assert_eq!(got.header("cache-control"), Some("max-age=60"));
}

#[tokio::test]
async fn policy_conditions_are_enforced() {
    let (_server, c) = setup().await;
    let base = || {
        CosForm::new(&c, SID, SKEY)
            .cond(r#"["starts-with","$key","up/"]"#)
            .cond(r#"["content-length-range",2,8]"#)
            .cond(r#"{"x-cos-meta-tag":"ok"}"#)
            .field("x-cos-meta-tag", "ok")
    };
    assert_eq!(
        post_form(&c, &base().fields("up/a"), "a", b"1234")
            .await
            .status,
        204
    );
    assert_error(
        &post_form(&c, &base().fields("up/b"), "a", b"123456789").await,
        400,
        "EntityTooLarge",
    );
    assert_error(
        &post_form(&c, &base().fields("up/c"), "a", b"1").await,
        400,
        "EntityTooSmall",
    );
    assert_error(
        &post_form(&c, &base().fields("other/a"), "a", b"1234").await,
        403,
        "AccessDenied",
    );
    let wrong_meta = base().field("x-cos-meta-tag", "no");
    let mut fields = wrong_meta.fields("up/d");
    fields.retain(|(k, v)| !(k == "x-cos-meta-tag" && v == "ok"));
    assert_error(
        &post_form(&c, &fields, "a", b"1234").await,
        403,
        "AccessDenied",
    );
    // Expired policy, policy for another bucket, tampered signature, unsigned policy.
    let mut old = base();
    old.expiration = iso(c.now() - 1);
    assert_error(
        &post_form(&c, &old.fields("up/e"), "a", b"1234").await,
        403,
        "AccessDenied",
    );
    let other = base().cond(r#"{"bucket":"other-1250000000"}"#);
    assert_error(
        &post_form(&c, &other.fields("up/f"), "a", b"1234").await,
        403,
        "AccessDenied",
    );
    let mut tampered = base().fields("up/g");
    for (k, v) in tampered.iter_mut() {
        if k == "q-signature" {
            *v = "0".repeat(40);
        }
    }
    assert_error(
        &post_form(&c, &tampered, "a", b"1234").await,
        403,
        "SignatureDoesNotMatch",
    );
    let unsigned: Vec<(String, String)> = base()
        .fields("up/h")
        .into_iter()
        .filter(|(k, _)| !k.starts_with("q-"))
        .collect();
    assert_error(
        &post_form(&c, &unsigned, "a", b"1234").await,
        403,
        "AccessDenied",
    );
    // Nothing refused was stored.
    for k in [
        "up/b", "up/c", "other/a", "up/d", "up/e", "up/f", "up/g", "up/h",
    ] {
        assert_eq!(c.get(B, k).await.status, 404, "{k}");
    }
    // No file field, no key field.
    let no_key: Vec<(String, String)> = base()
        .fields("up/i")
        .into_iter()
        .filter(|(k, _)| k != "key")
        .collect();
    assert_error(
        &post_form(&c, &no_key, "a", b"1234").await,
        400,
        "InvalidArgument",
    );
}

#[tokio::test]
async fn success_action_status_and_redirect() {
    let (_server, c) = setup().await;
    let c = Client {
        http: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
        ..c
    };
    let f = |extra: (&str, &str)| CosForm::new(&c, SID, SKEY).field(extra.0, extra.1);
    let r = post_form(
        &c,
        &f(("success_action_status", "200")).fields("s200"),
        "x",
        b"a",
    )
    .await;
    assert_eq!((r.status, r.body.len()), (200, 0));
    let r = post_form(
        &c,
        &f(("success_action_status", "201")).fields("dir/s 201"),
        "x",
        b"a",
    )
    .await;
    assert_eq!(r.status, 201);
    assert_eq!(r.xml("Key").as_deref(), Some("dir/s 201"));
    assert_eq!(r.xml("Bucket").as_deref(), Some(B));
    assert_eq!(r.xml("ETag"), Some(format!("\"{}\"", md5_hex(b"a"))));
    let r = post_form(
        &c,
        &f((
            "success_action_redirect",
            "https://app.example.com/done?x=1",
        ))
        .fields("r/é.txt"),
        "x",
        b"a",
    )
    .await;
    assert_eq!(r.status, 303);
    assert_eq!(
        r.header("location").unwrap(),
        format!(
            "https://app.example.com/done?x=1&bucket={B}&key=r%2F%C3%A9.txt&etag=%22{}%22",
            md5_hex(b"a")
        )
    );
    assert_eq!(c.get(B, "r/é.txt").await.body, b"a");
}

#[tokio::test]
async fn post_object_is_authorized_with_the_real_file_size() {
    let (_server, c) = setup().await;
    let sub = "200000000001";
    let (sid, skey) = (
        "AKIDpostsub0000000000000000000001",
        "postSubKey00000000000000000000001",
    );
    let body = format!(r#"{{"uin":"{sub}","secret_id":"{sid}","secret_key":"{skey}"}}"#);
    assert_eq!(c.admin("POST", "users", &body).await.status, 200);
    let policy = format!(
        r#"{{"version":"2.0","statement":[{{"effect":"allow","action":["name/cos:PostObject"],"resource":["qcs::cos:{REGION}:uid/1250000000:{B}/forms/*"],"condition":{{"numeric_less_than_equal":{{"cos:content-length":5}}}}}}]}}"#
    );
    let resp = c
        .admin("PUT", &format!("users/{sub}/policies/post"), &policy)
        .await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    let f = CosForm::new(&c, sid, skey);
    assert_eq!(
        post_form(&c, &f.fields("forms/a"), "a", b"12345")
            .await
            .status,
        204
    );
    // Over the policy's size: refused after reading, and not stored.
    assert_error(
        &post_form(&c, &f.fields("forms/b"), "a", b"123456").await,
        403,
        "AccessDenied",
    );
    assert_eq!(c.get(B, "forms/b").await.status, 404);
    assert_error(
        &post_form(&c, &f.fields("elsewhere"), "a", b"1").await,
        403,
        "AccessDenied",
    );
}

#[tokio::test]
async fn temporary_keys_sign_forms_with_the_token_field() {
    let (_server, c) = setup().await;
    let rec = _server
        .state
        .iam
        .issue_temp(
            &cosd::iam::TempRequest {
                issuer_secret_id: SID,
                policy: &format!(
                    r#"{{"version":"2.0","statement":[{{"effect":"allow","action":["name/cos:PostObject"],"resource":["qcs::cos:{REGION}:uid/1250000000:{B}/web/*"]}}]}}"#
                ),
                duration_s: 600,
                name: "web",
            },
            c.now(),
        )
        .unwrap();
    let f = CosForm::new(&c, &rec.secret_id, &rec.secret_key);
    let with_token = f.fields("web/a.png");
    let mut fields = with_token.clone();
    fields.push(("x-cos-security-token".into(), rec.token.clone()));
    assert_eq!(post_form(&c, &fields, "a", b"png").await.status, 204);
    assert_error(
        &post_form(&c, &with_token, "a", b"png").await,
        403,
        "InvalidAccessKeyId",
    );
    let mut wrong = f.fields("web/b.png");
    wrong.push(("x-cos-security-token".into(), "x".repeat(96)));
    assert_error(
        &post_form(&c, &wrong, "a", b"png").await,
        403,
        "InvalidAccessKeyId",
    );
    let mut outside = f.fields("other.png");
    outside.push(("x-cos-security-token".into(), rec.token.clone()));
    assert_error(
        &post_form(&c, &outside, "a", b"png").await,
        403,
        "AccessDenied",
    );
}

#[tokio::test]
async fn anonymous_forms_need_a_public_write_bucket() {
    let (_server, c) = setup().await;
    let plain = vec![("key".to_string(), "anon.txt".to_string())];
    assert_error(&post_form(&c, &plain, "a", b"x").await, 403, "AccessDenied");
    let r = c
        .send(
            Req::new("PUT", Some(B), "")
                .q("acl", "")
                .h("x-cos-acl", "public-read-write"),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(post_form(&c, &plain, "a", b"x").await.status, 204);
    assert_eq!(c.get(B, "anon.txt").await.body, b"x");
}

#[tokio::test]
async fn aliased_form_fields_cannot_sidestep_a_policy_condition() {
    let (_s, c) = setup().await;
    let (sid, skey) = (c.sid.clone(), c.skey.clone());
    let must_be_private = || {
        CosForm::new(&c, &sid, &skey)
            .cond(r#"{"x-cos-acl":"private"}"#)
            .cond(r#"{"x-cos-grant-read":"id=\"qcs::cam::uin/100000000011:uin/100000000011\""}"#)
    };
    // The alias first, the required spelling second: refused, nothing stored.
    for (alias, value) in [
        ("acl", "public-read"),
        ("x-amz-acl", "public-read"),
        (
            "x-amz-grant-read",
            "uri=\"http://cam.qcloud.com/groups/global/AllUsers\"",
        ),
    ] {
        let key = format!("aliased-{alias}.txt");
        let f = must_be_private()
            .field(alias, value)
            .field("x-cos-acl", "private")
            .field(
                "x-cos-grant-read",
                "id=\"qcs::cam::uin/100000000011:uin/100000000011\"",
            );
        let r = post_form(&c, &f.fields(&key), "a.txt", b"secret").await;
        assert_error(&r, 400, "InvalidArgument");
        assert_eq!(
            c.get(B, &key).await.status,
            404,
            "{alias}: nothing was stored"
        );
        let anon = c.send(Req::new("GET", Some(B), &key).anonymous()).await;
        assert_ne!(anon.status, 200, "{alias}");
    }
    // An alias alone is the field under its canonical name: it must satisfy the condition.
    let f = must_be_private().field("acl", "public-read").field(
        "x-amz-grant-read",
        "id=\"qcs::cam::uin/100000000011:uin/100000000011\"",
    );
    let r = post_form(&c, &f.fields("alone.txt"), "a.txt", b"secret").await;
    assert_error(&r, 403, "AccessDenied");
    let anon = c
        .send(Req::new("GET", Some(B), "alone.txt").anonymous())
        .await;
    assert_ne!(anon.status, 200);
}

#[tokio::test]
async fn policy_conditions_see_x_amz_metadata_and_storage_class_under_their_cos_names() {
    let (_s, c) = setup().await;
    let (sid, skey) = (c.sid.clone(), c.skey.clone());
    let f = CosForm::new(&c, &sid, &skey)
        .cond(r#"{"x-cos-meta-team":"blue"}"#)
        .cond(r#"["eq","$x-amz-storage-class","STANDARD_IA"]"#)
        .field("x-amz-meta-team", "blue")
        .field("x-amz-storage-class", "STANDARD_IA");
    let r = post_form(&c, &f.fields("meta.txt"), "a.txt", b"hello").await;
    assert!(r.status < 300, "{} {}", r.status, r.text());
    let h = c.send(Req::new("HEAD", Some(B), "meta.txt")).await;
    assert_eq!(h.header("x-cos-meta-team"), Some("blue"));
    assert_eq!(h.header("x-cos-storage-class"), Some("STANDARD_IA"));
    // The same metadata twice, as x-amz- and x-cos-: refused.
    let f = CosForm::new(&c, &sid, &skey)
        .field("x-amz-meta-team", "red")
        .field("x-cos-meta-team", "blue");
    let r = post_form(&c, &f.fields("twice.txt"), "a.txt", b"hello").await;
    assert_error(&r, 400, "InvalidArgument");
}

#[tokio::test]
async fn a_form_posted_to_another_regions_host_is_no_such_bucket() {
    let (_s, c) = setup().await;
    let (sid, skey) = (c.sid.clone(), c.skey.clone());
    let f = CosForm::new(&c, &sid, &skey).fields("elsewhere.txt");
    let host = format!("{B}.cos.ap-beijing.myqcloud.com");
    let r = post_form_to(&c, &host, &f, "a.txt", b"x").await;
    assert_error(&r, 404, "NoSuchBucket");
    assert_eq!(c.get(B, "elsewhere.txt").await.status, 404);
}
