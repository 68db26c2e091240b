//! `aws-chunked` uploads as S3 tools send them, built by hand over plain HTTP (the SDKs only
//! switch to the trailer form over TLS): unsigned chunks with a checksum trailer, signed
//! chunks, signed chunks with a signed trailer, and `Expect: 100-continue`.

#![allow(clippy::unwrap_used)]

mod common;

use base64::Engine;
use common::*;
use cosd::auth::sigv4::{
    canonical_query, canonical_request, canonical_uri, chunk_string_to_sign, hmac_sha256,
    signing_key, string_to_sign, trailer_string_to_sign,
};
use cosd::checksum::ChecksumAlgorithm;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const BUCKET: &str = "stream-1250000000";

struct Signed {
    headers: Vec<(String, String)>,
    key: [u8; 32],
    amz_date: String,
    scope: String,
    seed: String,
}

/// SigV4-signs a path-style request with `payload_hash`; `extra` headers are all signed.
fn sign_v4(
    server: &TestServer,
    method: &str,
    path: &str,
    payload_hash: &str,
    extra: &[(&str, String)],
) -> Signed {
    let now = time::OffsetDateTime::now_utc();
    let fmt = time::macros::format_description!("[year][month][day]T[hour][minute][second]Z");
    let amz_date = now.format(fmt).unwrap();
    let date = &amz_date[..8];
    let mut headers: Vec<(String, String)> = vec![
        ("host".into(), server.addr.to_string()),
        ("x-amz-content-sha256".into(), payload_hash.into()),
        ("x-amz-date".into(), amz_date.clone()),
    ];
    headers.extend(extra.iter().map(|(k, v)| (k.to_string(), v.clone())));
    headers.sort();
    let names: Vec<String> = headers.iter().map(|(k, _)| k.clone()).collect();
    let creq = canonical_request(
        method,
        &canonical_uri(path),
        &canonical_query(&[]),
        &names,
        &|n| {
            headers
                .iter()
                .filter(|(k, _)| k == n)
                .map(|(_, v)| v.clone())
                .collect()
        },
        payload_hash,
    );
    let scope = format!("{date}/{REGION}/s3/aws4_request");
    let key = signing_key(SKEY, date, REGION, "s3");
    let seed = hex::encode(hmac_sha256(
        &key,
        string_to_sign(&amz_date, &scope, &creq).as_bytes(),
    ));
    headers.push((
        "authorization".into(),
        format!(
            "AWS4-HMAC-SHA256 Credential={SID}/{scope}, SignedHeaders={}, Signature={seed}",
            names.join(";")
        ),
    ));
    Signed {
        headers,
        key,
        amz_date,
        scope,
        seed,
    }
}

impl Signed {
    fn sign(&self, sts: &str) -> String {
        hex::encode(hmac_sha256(&self.key, sts.as_bytes()))
    }

    /// Frames `pieces` as signed chunks; with `trailer`, adds a signed checksum trailer.
    fn signed_body(&self, pieces: &[&[u8]], trailer: Option<&str>) -> Vec<u8> {
        let mut prev = self.seed.clone();
        let mut body = Vec::new();
        for p in pieces.iter().copied().chain(std::iter::once(&b""[..])) {
            let sig = self.sign(&chunk_string_to_sign(&self.amz_date, &self.scope, &prev, p));
            body.extend_from_slice(format!("{:x};chunk-signature={sig}\r\n", p.len()).as_bytes());
            body.extend_from_slice(p);
            if !p.is_empty() {
                body.extend_from_slice(b"\r\n");
            }
            prev = sig;
        }
        match trailer {
            None => body.extend_from_slice(b"\r\n"),
            Some(t) => {
                let ts = self.sign(&trailer_string_to_sign(
                    &self.amz_date,
                    &self.scope,
                    &prev,
                    &format!("{t}\n"),
                ));
                body.extend_from_slice(
                    format!("{t}\r\nx-amz-trailer-signature:{ts}\r\n\r\n").as_bytes(),
                );
            }
        }
        body
    }
}

/// Sends a raw HTTP/1.1 request and returns (status, whole response text).
async fn raw(
    server: &TestServer,
    method: &str,
    path: &str,
    headers: &[(String, String)],
    body: &[u8],
) -> (u16, String) {
    let mut head = format!("{method} {path} HTTP/1.1\r\nconnection: close\r\n");
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    let mut tcp = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    tcp.write_all(head.as_bytes()).await.unwrap();
    tcp.write_all(body).await.unwrap();
    let mut out = Vec::new();
    tcp.read_to_end(&mut out).await.unwrap();
    let text = String::from_utf8_lossy(&out).into_owned();
    let status = text[9..12].parse().unwrap();
    (status, text)
}

fn crc32_b64(data: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(ChecksumAlgorithm::Crc32.digest(data))
}

/// HTTP/1.1 chunked transfer framing around `body`, in pieces of `n`.
fn http_chunked(body: &[u8], n: usize) -> Vec<u8> {
    let mut out = Vec::new();
    for p in body.chunks(n) {
        out.extend_from_slice(format!("{:x}\r\n", p.len()).as_bytes());
        out.extend_from_slice(p);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"0\r\n\r\n");
    out
}

async fn setup_bucket() -> (TestServer, Client) {
    let server = TestServer::start().await;
    let c = server.client();
    c.create_bucket(BUCKET).await;
    (server, c)
}

#[tokio::test]
async fn unsigned_payload_trailer_like_botocore_over_https() {
    let (server, c) = setup_bucket().await;
    let data = random_bytes(200_000, 5);
    let mut framed = Vec::new();
    for p in data.chunks(65_536) {
        framed.extend_from_slice(format!("{:x}\r\n", p.len()).as_bytes());
        framed.extend_from_slice(p);
        framed.extend_from_slice(b"\r\n");
    }
    let good = format!("0\r\nx-amz-checksum-crc32:{}\r\n\r\n", crc32_b64(&data));
    let extra = |len: usize| {
        vec![
            ("content-encoding", "aws-chunked".to_string()),
            ("x-amz-decoded-content-length", len.to_string()),
            ("x-amz-sdk-checksum-algorithm", "CRC32".to_string()),
            ("x-amz-trailer", "x-amz-checksum-crc32".to_string()),
        ]
    };
    let path = format!("/{BUCKET}/trailer.bin");
    let s = sign_v4(
        &server,
        "PUT",
        &path,
        "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
        &extra(data.len()),
    );
    let mut headers = s.headers.clone();
    headers.push(("transfer-encoding".into(), "chunked".into()));
    headers.push(("expect".into(), "100-continue".into()));
    let mut body = framed.clone();
    body.extend_from_slice(good.as_bytes());
    let (status, text) = raw(
        &server,
        "PUT",
        &path,
        &headers,
        &http_chunked(&body, 10_000),
    )
    .await;
    assert_eq!(status, 100, "Expect: 100-continue is answered first");
    assert!(text.contains("HTTP/1.1 200"), "{text}");
    assert!(text
        .to_ascii_lowercase()
        .contains(&format!("x-amz-checksum-crc32: {}", crc32_b64(&data)).to_ascii_lowercase()));
    let got = c.get(BUCKET, "trailer.bin").await;
    assert_eq!(got.status, 200);
    assert_eq!(got.body, data);
    // The stored Content-Encoding drops aws-chunked.
    assert_eq!(got.header("content-encoding"), None);

    // A wrong trailer value: 400 BadDigest and no object.
    let path = format!("/{BUCKET}/bad-trailer.bin");
    let s = sign_v4(
        &server,
        "PUT",
        &path,
        "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
        &extra(data.len()),
    );
    let mut headers = s.headers.clone();
    headers.push(("transfer-encoding".into(), "chunked".into()));
    let mut body = framed.clone();
    body.extend_from_slice(b"0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n");
    let (status, text) = raw(
        &server,
        "PUT",
        &path,
        &headers,
        &http_chunked(&body, 10_000),
    )
    .await;
    assert_eq!(status, 400, "{text}");
    assert!(text.contains("<Code>BadDigest</Code>"));
    assert_eq!(c.get(BUCKET, "bad-trailer.bin").await.status, 404);

    // A declared decoded length that does not match: 400 and no object.
    let path = format!("/{BUCKET}/bad-length.bin");
    let s = sign_v4(
        &server,
        "PUT",
        &path,
        "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
        &extra(data.len() + 1),
    );
    let mut headers = s.headers.clone();
    headers.push(("transfer-encoding".into(), "chunked".into()));
    let mut body = framed.clone();
    body.extend_from_slice(good.as_bytes());
    let (status, _) = raw(
        &server,
        "PUT",
        &path,
        &headers,
        &http_chunked(&body, 10_000),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(c.get(BUCKET, "bad-length.bin").await.status, 404);
    server.stop().await;
}

#[tokio::test]
async fn signed_chunks_are_verified() {
    let (server, c) = setup_bucket().await;
    let data = random_bytes(150_000, 6);
    let pieces: Vec<&[u8]> = data.chunks(65_536).collect();
    let path = format!("/{BUCKET}/signed.bin");
    // The encoded length has to be known before signing; frame once with dummy signatures.
    let encoded_len = {
        let s = sign_v4(
            &server,
            "PUT",
            &path,
            "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
            &[],
        );
        s.signed_body(&pieces, None).len()
    };
    let extra = [
        ("content-encoding", "aws-chunked".to_string()),
        ("content-length", encoded_len.to_string()),
        ("x-amz-decoded-content-length", data.len().to_string()),
    ];
    let s = sign_v4(
        &server,
        "PUT",
        &path,
        "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
        &extra,
    );
    let body = s.signed_body(&pieces, None);
    assert_eq!(body.len(), encoded_len);
    let (status, text) = raw(&server, "PUT", &path, &s.headers, &body).await;
    assert_eq!(status, 200, "{text}");
    assert!(text.contains(&md5_hex(&data)));
    assert_eq!(c.get(BUCKET, "signed.bin").await.body, data);

    // One flipped data byte breaks that chunk's signature: 403 and the old object stays.
    let s = sign_v4(
        &server,
        "PUT",
        &path,
        "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
        &extra,
    );
    let mut body = s.signed_body(&pieces, None);
    let i = body.len() / 2;
    body[i] ^= 1;
    let (status, text) = raw(&server, "PUT", &path, &s.headers, &body).await;
    assert_eq!(status, 403, "{text}");
    assert!(text.contains("SignatureDoesNotMatch"));
    assert_eq!(c.get(BUCKET, "signed.bin").await.body, data);
    server.stop().await;
}

#[tokio::test]
async fn signed_chunks_with_signed_trailer() {
    let (server, c) = setup_bucket().await;
    let data = random_bytes(70_000, 7);
    let pieces: Vec<&[u8]> = data.chunks(65_536).collect();
    let path = format!("/{BUCKET}/signed-trailer.bin");
    let trailer = format!("x-amz-checksum-crc32:{}", crc32_b64(&data));
    let extra = [
        ("content-encoding", "aws-chunked".to_string()),
        ("x-amz-decoded-content-length", data.len().to_string()),
        ("x-amz-trailer", "x-amz-checksum-crc32".to_string()),
    ];
    let mode = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER";
    let s = sign_v4(&server, "PUT", &path, mode, &extra);
    let mut headers = s.headers.clone();
    headers.push(("transfer-encoding".into(), "chunked".into()));
    let body = s.signed_body(&pieces, Some(&trailer));
    let (status, text) = raw(&server, "PUT", &path, &headers, &http_chunked(&body, 4096)).await;
    assert_eq!(status, 200, "{text}");
    assert_eq!(c.get(BUCKET, "signed-trailer.bin").await.body, data);

    // A trailer signed for a different value fails.
    let s = sign_v4(&server, "PUT", &path, mode, &extra);
    let mut headers = s.headers.clone();
    headers.push(("transfer-encoding".into(), "chunked".into()));
    let body = s.signed_body(&pieces, Some(&trailer));
    let mut forged = body.clone();
    let needle = crc32_b64(&data).into_bytes();
    let at = forged
        .windows(needle.len())
        .rposition(|w| w == needle.as_slice())
        .unwrap();
    forged[at..at + needle.len()].copy_from_slice(b"AAAAAA==");
    let (status, _) = raw(
        &server,
        "PUT",
        &path,
        &headers,
        &http_chunked(&forged, 4096),
    )
    .await;
    assert_eq!(status, 403);
    server.stop().await;
}

#[tokio::test]
async fn content_sha256_mismatch_is_refused() {
    let (server, c) = setup_bucket().await;
    let path = format!("/{BUCKET}/sha.txt");
    let wrong = cosd::auth::sigv4::sha256_hex(b"something else");
    let s = sign_v4(
        &server,
        "PUT",
        &path,
        &wrong,
        &[("content-length", "11".into())],
    );
    let (status, text) = raw(&server, "PUT", &path, &s.headers, b"hello world").await;
    assert_eq!(status, 400);
    assert!(text.contains("XAmzContentSHA256Mismatch"), "{text}");
    assert!(text.contains("<HostId>"), "S3-shaped error");
    assert!(text.to_ascii_lowercase().contains("x-amz-request-id"));
    assert_eq!(c.get(BUCKET, "sha.txt").await.status, 404);
    server.stop().await;
}
