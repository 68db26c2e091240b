//! The bytes at rest (chunk segments, the metadata log, RocksDB) never hold plaintext or
//! keys, and altered chunk bytes fail the read.

use crate::common::*;
use crate::support::*;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{CompletedMultipartUpload, CompletedPart, ServerSideEncryption};

/// Every file under `dir`, recursively.
fn files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(files(&p));
        } else {
            out.push(p);
        }
    }
    out
}

fn on_disk(dir: &std::path::Path, needle: &[u8]) -> Vec<std::path::PathBuf> {
    files(dir)
        .into_iter()
        .filter(|p| {
            std::fs::read(p)
                .map(|b| b.windows(needle.len()).any(|w| w == needle))
                .unwrap_or(false)
        })
        .collect()
}

#[tokio::test]
async fn no_plaintext_on_disk() {
    let (server, c) = setup().await;
    let s3 = sdk(&server);
    let k1 = ck(7);
    c.admin("POST", "kms-keys", r#"{"id":"disk"}"#).await;
    // A distinctive plaintext per mode, inline (small) and chunked (large, many repeats).
    let mark = |m: &str| format!("<<cosd-sse-plaintext-marker-{m}>>");
    let big = |m: &str| mark(m).repeat(20_000).into_bytes();
    for (name, size) in [("small", false), ("big", true)] {
        let d = |m: &str| if size { big(m) } else { mark(m).into_bytes() };
        s3.put_object()
            .bucket(B)
            .key(format!("s3-{name}"))
            .server_side_encryption(ServerSideEncryption::Aes256)
            .body(ByteStream::from(d("s3")))
            .send()
            .await
            .unwrap();
        s3.put_object()
            .bucket(B)
            .key(format!("kms-{name}"))
            .server_side_encryption(ServerSideEncryption::AwsKms)
            .ssekms_key_id("disk")
            .body(ByteStream::from(d("kms")))
            .send()
            .await
            .unwrap();
        s3.put_object()
            .bucket(B)
            .key(format!("c-{name}"))
            .sse_customer_algorithm("AES256")
            .sse_customer_key(&k1.key)
            .sse_customer_key_md5(&k1.md5)
            .body(ByteStream::from(d("c")))
            .send()
            .await
            .unwrap();
        // The control: stored as it is, so the search below does see stored bytes.
        c.put(B, &format!("plain-{name}"), &d("plain")).await;
    }
    // Multipart, SSE-C.
    let up = s3
        .create_multipart_upload()
        .bucket(B)
        .key("mp")
        .sse_customer_algorithm("AES256")
        .sse_customer_key(&k1.key)
        .sse_customer_key_md5(&k1.md5)
        .send()
        .await
        .unwrap();
    let p = s3
        .upload_part()
        .bucket(B)
        .key("mp")
        .upload_id(up.upload_id().unwrap())
        .part_number(1)
        .sse_customer_algorithm("AES256")
        .sse_customer_key(&k1.key)
        .sse_customer_key_md5(&k1.md5)
        .body(ByteStream::from(big("mp")))
        .send()
        .await
        .unwrap();
    s3.complete_multipart_upload()
        .bucket(B)
        .key("mp")
        .upload_id(up.upload_id().unwrap())
        .multipart_upload(
            CompletedMultipartUpload::builder()
                .parts(
                    CompletedPart::builder()
                        .part_number(1)
                        .e_tag(p.e_tag().unwrap())
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    // Flush the metadata store too, so RocksDB's tables are on disk beside the log.
    server.state.store.close().unwrap();
    let dir = server.dir.path();
    for m in ["s3", "kms", "c", "mp"] {
        let found = on_disk(dir, mark(m).as_bytes());
        assert!(found.is_empty(), "plaintext of {m} found in {found:?}");
    }
    assert!(!on_disk(dir, mark("plain").as_bytes()).is_empty());
    // Nor is any key kept in the clear: the SSE-C key never, the master key only in its file.
    let raw_key = [7u8; 32];
    assert!(on_disk(dir, &raw_key).is_empty());
    assert!(on_disk(dir, k1.key.as_bytes()).is_empty());
}

#[tokio::test]
async fn altered_chunk_bytes_fail_the_read() {
    let (server, c) = setup().await;
    let s3 = sdk(&server);
    let mark = b"<<tamper-check>>".repeat(20_000);
    s3.put_object()
        .bucket(B)
        .key("t")
        .server_side_encryption(ServerSideEncryption::Aes256)
        .body(ByteStream::from(mark.clone()))
        .send()
        .await
        .unwrap();
    assert_eq!(c.get(B, "t").await.body, mark);
    // Flip one byte in the middle of every chunk segment file's data.
    let segs: Vec<_> = files(&server.dir.path().join("chunks"))
        .into_iter()
        .filter(|p| p.parent().is_some_and(|d| d.ends_with("seg")))
        .collect();
    assert!(!segs.is_empty());
    for p in &segs {
        let mut b = std::fs::read(p).unwrap();
        if b.len() > 8192 {
            let i = 4096 + (b.len() - 4096) / 2;
            b[i] ^= 0x01;
            std::fs::write(p, &b).unwrap();
        }
    }
    let r = c.get(B, "t").await;
    assert_ne!(r.body, mark);
    assert!(!r.body.windows(16).any(|w| w == b"<<tamper-check>>"));
    assert!(
        r.status == 500 || r.body.len() < mark.len(),
        "status {}",
        r.status
    );
}
