//! Helpers for the legacy JSON API tests (`/files/v2/<appid>/<bucket>/<path>`): v4 signatures
//! built with `cosd::auth::legacy`, raw requests (JSON, query and hand-built multipart bodies)
//! and checks of the `{code, message, request_id, data}` answer.

#![allow(dead_code, clippy::unwrap_used)]

use crate::common::*;
use cosd::auth::legacy::{fileid, plain_text, sign};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicU64, Ordering};

pub const APPID: &str = "1250000000";
/// The short name of `common::B` (`examplebucket-1250000000`).
pub const SHORT: &str = "examplebucket";
pub const MIB: usize = 1024 * 1024;

static RAND: AtomicU64 = AtomicU64::new(1000);

/// `Base64(HMAC || a=&k=&e=&t=&r=&f=&b=)` with a fresh `r`, so no two signatures are equal.
pub fn signature(
    sid: &str,
    skey: &str,
    appid: &str,
    bucket: &str,
    e: i64,
    t: i64,
    f: &str,
) -> String {
    let r = RAND.fetch_add(1, Ordering::Relaxed);
    sign(skey, &plain_text(appid, sid, e, t, r, f, bucket))
}

/// `f` for a path of the test bucket.
pub fn fid(path: &str) -> String {
    fileid(APPID, SHORT, path)
}

/// A multi-use root signature bound to `path`, valid for 10 minutes from the server's now.
pub fn multi(c: &Client, path: &str) -> String {
    let t = c.now();
    signature(SID, SKEY, APPID, SHORT, t + 600, t, &fid(path))
}

/// A single-use root signature bound to `path`.
pub fn once(c: &Client, path: &str) -> String {
    signature(SID, SKEY, APPID, SHORT, 0, c.now(), &fid(path))
}

pub enum Body {
    Empty,
    Json(Value),
    /// Every field a file part, as Python `requests` sends `files=`.
    Form(Vec<(String, Vec<u8>)>),
    Raw(String, Vec<u8>),
}

pub const BOUNDARY: &str = "----cosdJsonApiTestBoundary7MA4YWxk";

/// A multipart/form-data body whose fields are all file parts.
pub fn multipart(fields: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut out = Vec::new();
    for (name, value) in fields {
        out.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{name}\"\r\n\
                 Content-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        out.extend_from_slice(value);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    out
}

/// A raw JSON API request.
pub struct J {
    pub method: &'static str,
    /// Everything after the authority, before `?`.
    pub url_path: String,
    pub query: Vec<(String, String)>,
    pub headers: Vec<(String, String)>,
    pub auth: Option<String>,
    pub body: Body,
}

impl J {
    /// `POST /files/v2/<APPID>/<SHORT><path>`.
    pub fn new(path: &str) -> J {
        J::at(&format!("/files/v2/{APPID}/{SHORT}{}", url_path(path)))
    }

    /// A request to an exact URL path.
    pub fn at(url_path: &str) -> J {
        J {
            method: "POST",
            url_path: url_path.to_string(),
            query: vec![],
            headers: vec![],
            auth: None,
            body: Body::Empty,
        }
    }

    pub fn method(mut self, m: &'static str) -> J {
        self.method = m;
        self
    }
    pub fn get(self) -> J {
        self.method("GET")
    }
    pub fn auth(mut self, s: impl Into<String>) -> J {
        self.auth = Some(s.into());
        self
    }
    pub fn q(mut self, k: &str, v: &str) -> J {
        self.query.push((k.into(), v.into()));
        self
    }
    pub fn h(mut self, k: &str, v: &str) -> J {
        self.headers.push((k.into(), v.into()));
        self
    }
    pub fn json(mut self, v: Value) -> J {
        self.body = Body::Json(v);
        self
    }
    pub fn form(mut self, fields: &[(&str, &[u8])]) -> J {
        self.body = Body::Form(
            fields
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_vec()))
                .collect(),
        );
        self
    }
    pub fn raw(mut self, content_type: &str, body: impl Into<Vec<u8>>) -> J {
        self.body = Body::Raw(content_type.into(), body.into());
        self
    }

    pub async fn send(self, c: &Client) -> Res {
        let mut url = format!("http://{}{}", c.addr, self.url_path);
        if !self.query.is_empty() {
            url = format!("{url}?{}", query_string(&self.query));
        }
        let mut rb = c.http.request(self.method.parse().unwrap(), url);
        if let Some(a) = &self.auth {
            rb = rb.header("Authorization", a.as_str());
        }
        for (k, v) in &self.headers {
            rb = rb.header(k.as_str(), v.as_str());
        }
        rb = match self.body {
            Body::Empty => rb,
            Body::Json(v) => rb
                .header("Content-Type", "application/json")
                .body(v.to_string()),
            Body::Form(fields) => rb
                .header(
                    "Content-Type",
                    format!("multipart/form-data; boundary={BOUNDARY}"),
                )
                .body(multipart(&fields)),
            Body::Raw(ct, b) => rb.header("Content-Type", ct).body(b),
        };
        let resp = rb.send().await.unwrap();
        let status = resp.status().as_u16();
        let header = |n: &str| {
            resp.headers()
                .get(n)
                .map(|v| v.to_str().unwrap().to_string())
        };
        let (ct, rid) = (header("content-type"), header("x-cos-request-id"));
        let text = resp.text().await.unwrap();
        let v: Value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("answer is not JSON ({e}): {status} {text}"));
        assert_eq!(
            ct.as_deref(),
            Some("application/json; charset=utf-8"),
            "{text}"
        );
        assert!(rid.as_deref().is_some_and(|r| !r.is_empty()), "{text}");
        assert_eq!(v["request_id"].as_str(), rid.as_deref(), "{text}");
        assert!(v["code"].is_i64() && v["message"].is_string(), "{text}");
        Res { status, v }
    }
}

/// A JSON API answer.
#[derive(Debug)]
pub struct Res {
    pub status: u16,
    pub v: Value,
}

impl Res {
    pub fn code(&self) -> i64 {
        self.v["code"].as_i64().unwrap()
    }

    /// Asserts success and returns `data`.
    #[track_caller]
    pub fn ok(&self) -> &Value {
        assert_eq!((self.status, self.code()), (200, 0), "{}", self.v);
        assert_eq!(self.v["message"], "SUCCESS");
        &self.v["data"]
    }

    /// Asserts an error answer with this code and HTTP status.
    #[track_caller]
    pub fn err(&self, code: i64, status: u16) -> &Value {
        assert_eq!((self.code(), self.status), (code, status), "{}", self.v);
        assert!(
            !self.v["message"].as_str().unwrap().is_empty(),
            "{}",
            self.v
        );
        &self.v["data"]
    }
}

/// Form fields as `(&str, &[u8])` from text pairs.
pub fn fields<'a>(pairs: &'a [(&'a str, &'a str)]) -> Vec<(&'a str, &'a [u8])> {
    pairs.iter().map(|(k, v)| (*k, v.as_bytes())).collect()
}

/// `op=create` of a directory, JSON body.
pub async fn mkdir(c: &Client, path: &str, biz_attr: Option<&str>) -> Res {
    let mut body = json!({"op": "create"});
    if let Some(b) = biz_attr {
        body["biz_attr"] = json!(b);
    }
    J::new(path).auth(multi(c, path)).json(body).send(c).await
}

/// `op=upload` as a multipart form with `filecontent` and the extra text fields.
pub async fn upload(c: &Client, path: &str, data: &[u8], extra: &[(&str, &str)]) -> Res {
    let mut f: Vec<(&str, &[u8])> = vec![("op", b"upload"), ("filecontent", data)];
    f.extend(fields(extra));
    J::new(path).auth(multi(c, path)).form(&f).send(c).await
}

/// `op=stat` as a GET with the op in the query.
pub async fn stat(c: &Client, path: &str) -> Res {
    J::new(path)
        .get()
        .q("op", "stat")
        .auth(multi(c, path))
        .send(c)
        .await
}

/// `op=list` as a GET with the op and `extra` in the query.
pub async fn list(c: &Client, path: &str, extra: &[(&str, &str)]) -> Res {
    let mut j = J::new(path).get().q("op", "list").auth(multi(c, path));
    for (k, v) in extra {
        j = j.q(k, v);
    }
    j.send(c).await
}

/// `op=delete` with a once signature.
pub async fn delete(c: &Client, path: &str) -> Res {
    J::new(path)
        .auth(once(c, path))
        .json(json!({"op": "delete"}))
        .send(c)
        .await
}

/// `op=update` with a once signature; `body` is merged with the op.
pub async fn update(c: &Client, path: &str, mut body: Value) -> Res {
    body["op"] = json!("update");
    J::new(path).auth(once(c, path)).json(body).send(c).await
}

pub fn sha1_hex(data: &[u8]) -> String {
    use sha1::Digest;
    hex::encode(sha1::Sha1::digest(data))
}

/// Names of a `list` answer's `infos`.
pub fn names(data: &Value) -> Vec<String> {
    data["infos"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap().to_string())
        .collect()
}

/// Keys of an XML GET Bucket answer under `prefix`.
pub async fn xml_keys(c: &Client, prefix: &str) -> Vec<String> {
    let r = c
        .send(Req::new("GET", Some(B), "").q("prefix", prefix))
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    xml_all(&r.text(), "Key")
}
