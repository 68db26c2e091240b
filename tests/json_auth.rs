//! The legacy JSON API's signatures (docs/json-api.md "Signature"): every signature error code,
//! the replay store across a restart, sub-accounts under CAM, and the v4 download signature on
//! the XML API.

#![allow(clippy::unwrap_used)]

mod common;
mod json_common;

use common::*;
use json_common::*;
use serde_json::json;
use std::sync::Arc;

#[tokio::test]
async fn legacy_download_signature_on_the_xml_api() {
    let (server, c) = setup().await;
    upload(&c, "/dl/f.txt", b"download me", &[])
        .await
        .err(-166, 404);
    mkdir(&c, "/dl/", None).await.ok();
    upload(&c, "/dl/f.txt", b"download me", &[]).await.ok();
    let t = c.now();
    let dl = |f: &str| signature(SID, SKEY, APPID, SHORT, t + 600, t, f);
    for f in ["/dl/f.txt".to_string(), fid("/dl/f.txt")] {
        let r = c
            .send(
                Req::new("GET", Some(B), "dl/f.txt")
                    .anonymous()
                    .q("sign", &dl(&f)),
            )
            .await;
        assert_eq!(
            (r.status, r.body.as_slice()),
            (200, b"download me".as_slice()),
            "{f}"
        );
    }
    let s = dl("/dl/f.txt");
    let r = c
        .send(
            Req::new("GET", Some(B), "dl/other.txt")
                .anonymous()
                .q("sign", &s),
        )
        .await;
    assert_error(&r, 403, "AccessDenied");
    let r = c
        .send(
            Req::new("PUT", Some(B), "dl/f.txt")
                .anonymous()
                .q("sign", &s)
                .body(b"x".to_vec()),
        )
        .await;
    assert_error(&r, 403, "AccessDenied");
    let r = c
        .send(
            Req::new("DELETE", Some(B), "dl/f.txt")
                .anonymous()
                .q("sign", &s),
        )
        .await;
    assert_error(&r, 403, "AccessDenied");
    let expired = signature(SID, SKEY, APPID, SHORT, t - 1, t - 100, "/dl/f.txt");
    let r = c
        .send(
            Req::new("GET", Some(B), "dl/f.txt")
                .anonymous()
                .q("sign", &expired),
        )
        .await;
    assert_error(&r, 403, "AccessDenied");
    assert_eq!(c.get(B, "dl/f.txt").await.body, b"download me");
    server.stop().await;
}

#[tokio::test]
async fn signature_errors() {
    let (server, c) = setup().await;
    upload(&c, "/s.txt", b"s", &[]).await.ok();
    let t = c.now();
    let st = |auth: Option<String>| {
        let j = J::new("/s.txt").get().q("op", "stat");
        (match auth {
            Some(a) => j.auth(a),
            None => j,
        })
        .send(&c)
    };
    let f = fid("/s.txt");
    let sig = |sid: &str, skey: &str, a: &str, b: &str, e: i64, t: i64, f: &str| {
        Some(signature(sid, skey, a, b, e, t, f))
    };
    st(None).await.err(-81, 403);
    st(Some(" ".into())).await.err(-81, 403);
    st(Some("not base64!!".into())).await.err(-97, 403);
    use base64::Engine;
    let mut raw = vec![7u8; 20];
    raw.extend_from_slice(format!("a={APPID}&b={SHORT}&k={SID}&e=0&t=1").as_bytes());
    st(Some(base64::engine::general_purpose::STANDARD.encode(raw)))
        .await
        .err(-97, 403);
    st(sig("AKIDnobody", SKEY, APPID, SHORT, t + 60, t, &f))
        .await
        .err(-47, 403);
    st(sig(SID, "wrong key", APPID, SHORT, t + 60, t, &f))
        .await
        .err(-48, 403);
    st(sig(SID, SKEY, "1250000001", SHORT, t + 60, t, &f))
        .await
        .err(-70, 403);
    st(sig(SID, SKEY, APPID, "otherbucket", t + 60, t, &f))
        .await
        .err(-61, 403);
    st(sig(SID, SKEY, APPID, SHORT, t + 60, t, &fid("/other.txt")))
        .await
        .err(-63, 403);
    st(sig(SID, SKEY, APPID, SHORT, t + 60, t, &fid("/s.txt/")))
        .await
        .err(-63, 403);
    st(sig(SID, SKEY, APPID, SHORT, t - 1, t - 100, &f))
        .await
        .err(-59, 403);
    st(sig(SID, SKEY, APPID, SHORT, t + 91 * 86400, t, &f))
        .await
        .err(-53, 403);
    st(sig(SID, SKEY, APPID, SHORT, t + 89 * 86400, t, &f))
        .await
        .ok();
    st(sig(SID, SKEY, APPID, SHORT, t + 60, t, "")).await.ok();
    st(sig(SID, SKEY, APPID, SHORT, 0, t, &f))
        .await
        .err(-74, 403);
    // A valid signature expires as the server's clock moves.
    let later = multi(&c, "/s.txt");
    st(Some(later.clone())).await.ok();
    c.clock.advance(std::time::Duration::from_secs(601));
    st(Some(later)).await.err(-59, 403);
    c.clock.set_offset_secs(0);

    // Once signatures: only for their ops, with f, not too old.
    let del = |auth: Option<String>| {
        J::new("/s.txt")
            .auth(auth.unwrap())
            .json(json!({"op": "delete"}))
            .send(&c)
    };
    let t = c.now();
    del(sig(SID, SKEY, APPID, SHORT, t + 60, t, &f))
        .await
        .err(-73, 403);
    del(sig(SID, SKEY, APPID, SHORT, 0, t, ""))
        .await
        .err(-76, 403);
    del(sig(SID, SKEY, APPID, SHORT, 0, t, &fid("/x.txt")))
        .await
        .err(-63, 403);
    del(sig(SID, SKEY, APPID, SHORT, 0, t - 86400 - 60, &f))
        .await
        .err(-96, 403);
    let q = J::new("/s.txt")
        .q("op", "update")
        .q("biz_attr", "q")
        .q("sign", &once(&c, "/s.txt"));
    q.send(&c).await.ok();
    assert_eq!(stat(&c, "/s.txt").await.ok()["biz_attr"], "q");
    let r = J::new("/nobucket.txt")
        .get()
        .q("op", "stat")
        .auth(sig(SID, SKEY, APPID, SHORT, t + 60, t, "").unwrap())
        .send(&c)
        .await;
    r.err(-197, 404);
    // A bucket that does not exist.
    let r = J::at(&format!("/files/v2/{APPID}/nosuch/x.txt"))
        .get()
        .q("op", "stat")
        .auth(sig(SID, SKEY, APPID, "nosuch", t + 60, t, "").unwrap())
        .send(&c)
        .await;
    r.err(-133, 404);
    server.stop().await;
}

async fn once_update(c: &Client, s: &str) -> Res {
    J::new("/r.txt")
        .auth(s)
        .json(json!({"op": "update", "biz_attr": "once"}))
        .send(c)
        .await
}

#[tokio::test]
async fn once_signatures_are_single_use_across_restarts() {
    let (mut server, c) = setup().await;
    upload(&c, "/r.txt", b"r", &[]).await.ok();
    let s = once(&c, "/r.txt");
    once_update(&c, &s).await.ok();
    once_update(&c, &s).await.err(-77, 403);
    // A refused request consumes nothing: a once signature for another op is still fresh.
    let del = once(&c, "/r.txt");
    J::new("/r.txt")
        .auth(del.clone())
        .get()
        .q("op", "stat")
        .send(&c)
        .await
        .err(-74, 403);

    let dir = std::mem::replace(&mut server.dir, tempfile::tempdir().unwrap());
    let weak = Arc::downgrade(&server.state);
    drop(c);
    server.stop().await;
    for _ in 0..200 {
        if weak.strong_count() == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    assert_eq!(
        weak.strong_count(),
        0,
        "the first server let go of its state"
    );
    let path = dir.path().to_owned();
    let server = TestServer::start_with(|cfg| cfg.data_dir = path).await;
    let c = server.client();
    once_update(&c, &s).await.err(-77, 403);
    assert_eq!(stat(&c, "/r.txt").await.ok()["biz_attr"], "once");
    J::new("/r.txt")
        .auth(del.clone())
        .json(json!({"op": "delete"}))
        .send(&c)
        .await
        .ok();
    J::new("/r.txt")
        .auth(del)
        .json(json!({"op": "delete"}))
        .send(&c)
        .await
        .err(-77, 403);
    server.stop().await;
    drop(dir);
}

const SUB: &str = "200000000001";
const SUB_ID: &str = "AKIDsubaccount000000000000000001";
const SUB_KEY: &str = "subSecretKey000000000000000000001";

#[tokio::test]
async fn sub_accounts_need_cam_rights_and_an_enabled_key() {
    let (server, c) = setup().await;
    upload(&c, "/p/a.txt", b"a", &[]).await.err(-166, 404);
    mkdir(&c, "/p/", None).await.ok();
    upload(&c, "/p/a.txt", b"a", &[]).await.ok();
    let body = format!(r#"{{"uin":"{SUB}","secret_id":"{SUB_ID}","secret_key":"{SUB_KEY}"}}"#);
    let r = c.admin("POST", "users", &body).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let sub = |e: i64| signature(SUB_ID, SUB_KEY, APPID, SHORT, e, c.now(), "");
    let sub_stat = || {
        J::new("/p/a.txt")
            .get()
            .q("op", "stat")
            .auth(sub(c.now() + 60))
            .send(&c)
    };
    let sub_put = |p: &'static str| {
        J::new(p)
            .auth(sub(c.now() + 60))
            .form(&[("op", &b"upload"[..]), ("filecontent", &b"sub"[..])])
            .send(&c)
    };
    sub_stat().await.err(-55, 403);
    sub_put("/p/s.txt").await.err(-55, 403);
    J::new("/p/")
        .get()
        .q("op", "list")
        .auth(sub(c.now() + 60))
        .send(&c)
        .await
        .err(-55, 403);
    let once_del = signature(SUB_ID, SUB_KEY, APPID, SHORT, 0, c.now(), &fid("/p/a.txt"));
    J::new("/p/a.txt")
        .auth(once_del)
        .json(json!({"op": "delete"}))
        .send(&c)
        .await
        .err(-55, 403);

    let res = format!("qcs::cos:{REGION}:uid/{APPID}:{B}/p/*");
    let policy = format!(
        r#"{{"version":"2.0","statement":[{{"effect":"allow","action":["name/cos:HeadObject","name/cos:PutObject"],"resource":["{res}"]}}]}}"#
    );
    let r = c
        .admin("PUT", &format!("users/{SUB}/policies/p"), &policy)
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(sub_stat().await.ok()["filesize"], 1);
    sub_put("/p/s.txt").await.ok();
    sub_put("/elsewhere.txt").await.err(-55, 403);
    assert_eq!(c.get(B, "p/s.txt").await.body, b"sub");

    let r = c
        .admin("PUT", &format!("keys/{SUB_ID}"), r#"{"enabled":false}"#)
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    sub_stat().await.err(-47, 403);
    server.stop().await;
}

/// Grants the sub-account `actions` on `p/*` (and GetBucket on the bucket when `list`).
async fn grant(c: &Client, name: &str, actions: &[&str]) {
    let acts: Vec<String> = actions
        .iter()
        .map(|a| format!("\"name/cos:{a}\""))
        .collect();
    let policy = format!(
        r#"{{"version":"2.0","statement":[{{"effect":"allow","action":[{}],"resource":["qcs::cos:{REGION}:uid/{APPID}:{B}/p/*","qcs::cos:{REGION}:uid/{APPID}:{B}/"]}}]}}"#,
        acts.join(",")
    );
    let r = c
        .admin("PUT", &format!("users/{SUB}/policies/{name}"), &policy)
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
}

fn sub_multi(c: &Client) -> String {
    signature(SUB_ID, SUB_KEY, APPID, SHORT, c.now() + 60, c.now(), "")
}

fn sub_once(c: &Client, path: &str) -> String {
    signature(SUB_ID, SUB_KEY, APPID, SHORT, 0, c.now(), &fid(path))
}

#[tokio::test]
async fn each_op_needs_the_cam_actions_of_the_contract() {
    let (server, c) = setup().await;
    mkdir(&c, "/p/", None).await.ok();
    upload(&c, "/p/a.txt", b"a", &[]).await.ok();
    let body = format!(r#"{{"uin":"{SUB}","secret_id":"{SUB_ID}","secret_key":"{SUB_KEY}"}}"#);
    assert_eq!(c.admin("POST", "users", &body).await.status, 200);
    let stat = || {
        J::new("/p/a.txt")
            .get()
            .q("op", "stat")
            .auth(sub_multi(&c))
            .send(&c)
    };
    let list = || {
        J::new("/p/")
            .get()
            .q("op", "list")
            .auth(sub_multi(&c))
            .send(&c)
    };
    let copy = |to: &'static str| {
        J::new("/p/a.txt")
            .auth(sub_multi(&c))
            .json(json!({"op": "copy", "dest_fileid": to}))
            .send(&c)
    };
    let mv = |from: &'static str, to: &'static str| {
        J::new(from)
            .auth(sub_once(&c, from))
            .json(json!({"op": "move", "dest_fileid": to}))
            .send(&c)
    };
    let del = |p: &'static str| {
        J::new(p)
            .auth(sub_once(&c, p))
            .json(json!({"op": "delete"}))
            .send(&c)
    };

    // PutObject: create, upload, update.
    grant(&c, "put", &["PutObject"]).await;
    let sub_json = |p: &'static str, body: serde_json::Value| {
        J::new(p).auth(sub_multi(&c)).json(body).send(&c)
    };
    sub_json("/p/d/", json!({"op": "create"})).await.ok();
    sub_json("/p/u.txt", json!({"op": "upload", "filecontent": "u"}))
        .await
        .ok();
    let upd = J::new("/p/u.txt")
        .auth(sub_once(&c, "/p/u.txt"))
        .json(json!({"op": "update", "biz_attr": "b"}));
    upd.send(&c).await.ok();
    stat().await.err(-55, 403);
    list().await.err(-55, 403);
    copy("c.txt").await.err(-55, 403);
    mv("/p/u.txt", "m.txt").await.err(-55, 403);
    del("/p/u.txt").await.err(-55, 403);

    grant(&c, "head", &["HeadObject"]).await;
    assert_eq!(stat().await.ok()["filesize"], 1);
    grant(&c, "list", &["GetBucket"]).await;
    assert_eq!(names(list().await.ok()), ["a.txt", "d/", "u.txt"]);
    grant(&c, "get", &["GetObject"]).await;
    copy("c.txt").await.ok();
    copy("/elsewhere.txt").await.err(-55, 403);
    mv("/p/u.txt", "m.txt").await.err(-55, 403);
    grant(&c, "delete", &["DeleteObject"]).await;
    mv("/p/u.txt", "m.txt").await.ok();
    del("/p/m.txt").await.ok();
    assert_eq!(
        xml_keys(&c, "p/").await,
        ["p/", "p/a.txt", "p/c.txt", "p/d/"]
    );
    server.stop().await;
}

/// The contract's table: the slice ops, `upload_slice_list` included, need PutObject.
#[tokio::test]
async fn slice_ops_need_only_put_object() {
    let (server, c) = setup().await;
    let body = format!(r#"{{"uin":"{SUB}","secret_id":"{SUB_ID}","secret_key":"{SUB_KEY}"}}"#);
    assert_eq!(c.admin("POST", "users", &body).await.status, 200);
    mkdir(&c, "/p/", None).await.ok();
    grant(&c, "put", &["PutObject"]).await;
    let p = "/p/s.bin";
    let r = J::new(p)
        .auth(sub_multi(&c))
        .json(json!({"op": "upload_slice_init", "filesize": 3, "slice_size": 65536}))
        .send(&c)
        .await;
    let session = r.ok()["session"].as_str().unwrap().to_string();
    let data = [
        ("op", &b"upload_slice_data"[..]),
        ("session", session.as_bytes()),
        ("offset", b"0"),
        ("filecontent", b"abc"),
    ];
    J::new(p)
        .auth(sub_multi(&c))
        .form(&data)
        .send(&c)
        .await
        .ok();
    let l = J::new(p)
        .get()
        .q("op", "upload_slice_list")
        .auth(sub_multi(&c))
        .send(&c)
        .await;
    assert_eq!(l.ok()["listparts"], json!([{"offset": 0, "datalen": 3}]));
    let fin = json!({"op": "upload_slice_finish", "session": session, "filesize": 3});
    J::new(p).auth(sub_multi(&c)).json(fin).send(&c).await.ok();
    assert_eq!(c.get(B, "p/s.bin").await.body, b"abc");
    server.stop().await;
}

/// The contract's table: update needs PutObject, and PutObjectACL too when it sets `authority`.
#[tokio::test]
async fn update_authority_needs_put_object_acl() {
    let (server, c) = setup().await;
    let body = format!(r#"{{"uin":"{SUB}","secret_id":"{SUB_ID}","secret_key":"{SUB_KEY}"}}"#);
    assert_eq!(c.admin("POST", "users", &body).await.status, 200);
    upload(&c, "/p/a.txt", b"a", &[]).await.err(-166, 404);
    mkdir(&c, "/p/", None).await.ok();
    upload(&c, "/p/a.txt", b"a", &[]).await.ok();
    grant(&c, "put", &["PutObject"]).await;
    let update = |doc: serde_json::Value| {
        let c = c.clone();
        async move {
            J::new("/p/a.txt")
                .auth(sub_once(&c, "/p/a.txt"))
                .json(doc)
                .send(&c)
                .await
        }
    };
    update(json!({"op": "update", "biz_attr": "ok"})).await.ok();
    update(json!({"op": "update", "authority": "eWPrivateRPublic"}))
        .await
        .err(-55, 403);
    assert_eq!(stat(&c, "/p/a.txt").await.ok()["authority"], "eInvalid");
    grant(&c, "acl", &["PutObjectACL"]).await;
    update(json!({"op": "update", "authority": "eWPrivateRPublic"}))
        .await
        .ok();
    assert_eq!(
        stat(&c, "/p/a.txt").await.ok()["authority"],
        "eWPrivateRPublic"
    );
    server.stop().await;
}

/// A multi signature's `f` may name a directory above the path, for every multi op (the seed's
/// prefix matching, 003:463), but not a sibling or another directory.
#[tokio::test]
async fn a_directory_in_f_covers_what_is_under_it() {
    let (server, c) = setup().await;
    mkdir(&c, "/d/", None).await.ok();
    mkdir(&c, "/e/", None).await.ok();
    upload(&c, "/d/f.txt", b"f", &[]).await.ok();
    let t = c.now();
    let sig = |dir: &str| signature(SID, SKEY, APPID, SHORT, t + 60, t, &fid(dir));
    let r = J::new("/d/")
        .get()
        .q("op", "list")
        .auth(sig("/d/"))
        .send(&c)
        .await;
    assert_eq!(names(r.ok()), ["f.txt"]);
    J::new("/d/f.txt")
        .get()
        .q("op", "stat")
        .auth(sig("/d/"))
        .send(&c)
        .await
        .ok();
    let up = [("op", &b"upload"[..]), ("filecontent", b"g")];
    J::new("/d/g.txt")
        .auth(sig("/d/"))
        .form(&up)
        .send(&c)
        .await
        .ok();
    J::new("/e/g.txt")
        .auth(sig("/d/"))
        .form(&up)
        .send(&c)
        .await
        .err(-63, 403);
    J::new("/d/f.txt")
        .get()
        .q("op", "stat")
        .auth(sig("/d/f"))
        .send(&c)
        .await
        .err(-63, 403);
    server.stop().await;
}
