//! One keep-alive HTTP/1.1 connection per worker (hyper's client connection, TCP_NODELAY), and
//! AWS SigV4 signing (path-style, `UNSIGNED-PAYLOAD`) so any S3 endpoint can be measured.

use bytes::Bytes;
use cosd::auth::sigv4::{
    canonical_query, canonical_request, canonical_uri, hmac_sha256, signing_key, string_to_sign,
};
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1;
use hyper_util::rt::TokioIo;
use std::net::SocketAddr;
use std::sync::Arc;

pub type Body = BoxBody<Bytes, std::io::Error>;

pub fn full(b: Bytes) -> Body {
    Full::new(b).map_err(|never| match never {}).boxed()
}

pub fn empty() -> Body {
    full(Bytes::new())
}

/// Who signs and where requests go.
pub struct Target {
    pub addr: SocketAddr,
    /// `Host` header value.
    pub host: String,
    pub access_key: String,
    pub secret_key: String,
    pub region: String,
    /// The SigV4 signing key of the current date (derived once a day, not per request).
    pub key_cache: std::sync::Mutex<Option<(String, [u8; 32])>>,
}

impl Target {
    fn signing_key(&self, date: &str) -> [u8; 32] {
        let mut cache = self.key_cache.lock().unwrap_or_else(|p| p.into_inner());
        match &*cache {
            Some((d, k)) if d == date => *k,
            _ => {
                let k = signing_key(&self.secret_key, date, &self.region, "s3");
                *cache = Some((date.to_string(), k));
                k
            }
        }
    }
}

/// What one request returned.
pub struct Answer {
    pub status: u16,
    pub bytes: u64,
    /// The body, when asked for (listings, multipart responses).
    pub text: Option<String>,
    pub etag: Option<String>,
}

pub struct Conn {
    target: Arc<Target>,
    sender: Option<http1::SendRequest<Body>>,
}

impl Conn {
    pub fn new(target: Arc<Target>) -> Conn {
        Conn {
            target,
            sender: None,
        }
    }

    async fn connect(&mut self) -> std::io::Result<&mut http1::SendRequest<Body>> {
        if self.sender.as_ref().is_none_or(|s| s.is_closed()) {
            let stream = tokio::net::TcpStream::connect(self.target.addr).await?;
            stream.set_nodelay(true)?;
            let (sender, conn) = http1::handshake(TokioIo::new(stream))
                .await
                .map_err(std::io::Error::other)?;
            tokio::spawn(async move {
                let _ = conn.await;
            });
            self.sender = Some(sender);
        }
        self.sender
            .as_mut()
            .ok_or_else(|| std::io::Error::other("no connection"))
    }

    /// Sends a signed request; `path` is decoded (`/bucket/key`), `query` decoded pairs.
    pub async fn send(
        &mut self,
        method: &str,
        path: &str,
        query: &[(String, String)],
        body: Body,
        content_length: u64,
        want_text: bool,
    ) -> std::io::Result<Answer> {
        let uri = canonical_uri(path);
        let q = canonical_query(query);
        let url = if q.is_empty() {
            uri.clone()
        } else {
            format!("{uri}?{q}")
        };
        let auth = sign(&self.target, method, &uri, &q);
        let req = http::Request::builder()
            .method(method)
            .uri(url)
            .header("host", &self.target.host)
            .header("x-amz-date", &auth.1)
            .header("x-amz-content-sha256", "UNSIGNED-PAYLOAD")
            .header("authorization", auth.0)
            .header("content-length", content_length)
            .body(body)
            .map_err(std::io::Error::other)?;
        let sender = self.connect().await?;
        sender.ready().await.map_err(std::io::Error::other)?;
        let resp = match sender.send_request(req).await {
            Ok(r) => r,
            Err(e) => {
                self.sender = None;
                return Err(std::io::Error::other(e));
            }
        };
        let status = resp.status().as_u16();
        let etag = resp
            .headers()
            .get("etag")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let close = resp
            .headers()
            .get("connection")
            .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"close"));
        let mut body = resp.into_body();
        let mut bytes = 0u64;
        let mut text = want_text.then(Vec::new);
        while let Some(frame) = body.frame().await {
            let frame = frame.map_err(std::io::Error::other)?;
            if let Some(d) = frame.data_ref() {
                bytes += d.len() as u64;
                if let Some(t) = text.as_mut() {
                    t.extend_from_slice(d);
                }
            }
        }
        if close {
            self.sender = None;
        }
        Ok(Answer {
            status,
            bytes,
            text: text.map(|t| String::from_utf8_lossy(&t).into_owned()),
            etag,
        })
    }
}

/// (Authorization, x-amz-date) for a request with the three signed headers.
fn sign(t: &Target, method: &str, uri: &str, query: &str) -> (String, String) {
    let now = time::OffsetDateTime::now_utc();
    let amz_date = format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        now.year(),
        now.month() as u8,
        now.day(),
        now.hour(),
        now.minute(),
        now.second()
    );
    let date = &amz_date[..8];
    let scope = format!("{date}/{}/s3/aws4_request", t.region);
    let signed = [
        "host".to_string(),
        "x-amz-content-sha256".to_string(),
        "x-amz-date".to_string(),
    ];
    let values = |n: &str| -> Vec<String> {
        match n {
            "host" => vec![t.host.clone()],
            "x-amz-content-sha256" => vec!["UNSIGNED-PAYLOAD".into()],
            _ => vec![amz_date.clone()],
        }
    };
    let creq = canonical_request(method, uri, query, &signed, &values, "UNSIGNED-PAYLOAD");
    let sts = string_to_sign(&amz_date, &scope, &creq);
    let key = t.signing_key(date);
    let sig = hex::encode(hmac_sha256(&key, sts.as_bytes()));
    (
        format!(
            "AWS4-HMAC-SHA256 Credential={}/{scope}, SignedHeaders={}, Signature={sig}",
            t.access_key,
            signed.join(";")
        ),
        amz_date,
    )
}
