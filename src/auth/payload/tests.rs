//! Body verification over real framings: botocore's trailer body, the AWS signed-chunk example,
//! and every way a body can be wrong.

use super::*;
use crate::auth::sigv4::{signing_key, trailer_string_to_sign};
use futures_util::StreamExt;

async fn run(
    body: &[u8],
    piece: usize,
    spec: PayloadSpec,
) -> (Result<Vec<u8>, BodyError>, ChecksumSlot) {
    let pieces: Vec<Result<Bytes, std::io::Error>> = body
        .chunks(piece)
        .map(|p| Ok(Bytes::copy_from_slice(p)))
        .collect();
    let mut v = VerifiedBody::new(futures_util::stream::iter(pieces), spec);
    let slot = v.checksum_slot();
    let mut out = Vec::new();
    while let Some(item) = v.next().await {
        match item {
            Ok(b) => out.extend_from_slice(&b),
            Err(e) => return (Err(e), slot),
        }
    }
    (Ok(out), slot)
}

fn headers(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
    move |n: &str| {
        pairs
            .iter()
            .find(|(k, _)| *k == n)
            .map(|(_, v)| v.to_string())
    }
}

const BOTO_TRAILER: &[u8] = b"b\r\nhello world\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n";

fn trailer_spec() -> PayloadSpec {
    PayloadSpec {
        chunked: true,
        ..Default::default()
    }
    .with_checksum_headers(&headers(&[
        ("x-amz-trailer", "x-amz-checksum-crc32"),
        ("x-amz-decoded-content-length", "11"),
        ("x-amz-sdk-checksum-algorithm", "CRC32"),
    ]))
    .unwrap()
}

#[tokio::test]
async fn unsigned_trailer_body_is_decoded_and_its_crc32_checked() {
    for piece in [1, 5, 1000] {
        let (out, slot) = run(BOTO_TRAILER, piece, trailer_spec()).await;
        assert_eq!(out.unwrap(), b"hello world");
        assert_eq!(slot.get().unwrap().value, "DUoRhQ==");
    }
    let wrong = b"b\r\nhello world\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n";
    assert_eq!(
        run(wrong, 7, trailer_spec()).await.0.unwrap_err(),
        BodyError::ChecksumMismatch("CRC32")
    );
    let missing = b"b\r\nhello world\r\n0\r\n\r\n";
    assert!(matches!(
        run(missing, 7, trailer_spec()).await.0.unwrap_err(),
        BodyError::MissingTrailer(_)
    ));
    let short = b"b\r\nhello world\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n";
    let mut spec = trailer_spec();
    spec.decoded_length = Some(12);
    assert!(matches!(
        run(short, 7, spec).await.0.unwrap_err(),
        BodyError::DecodedLengthMismatch {
            declared: 12,
            got: 11
        }
    ));
    let truncated = &BOTO_TRAILER[..10];
    assert!(matches!(
        run(truncated, 3, trailer_spec()).await.0.unwrap_err(),
        BodyError::Incomplete(_)
    ));
}

#[tokio::test]
async fn header_checksum_and_content_sha256_are_checked() {
    let spec = PayloadSpec {
        sha256: Some(
            hex::decode("b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9")
                .unwrap()
                .try_into()
                .unwrap(),
        ),
        ..Default::default()
    }
    .with_checksum_headers(&headers(&[("x-amz-checksum-crc32", "DUoRhQ==")]))
    .unwrap();
    let (out, slot) = run(b"hello world", 4, spec.clone()).await;
    assert_eq!(out.unwrap(), b"hello world");
    assert_eq!(slot.get().unwrap().algorithm, ChecksumAlgorithm::Crc32);
    assert_eq!(
        run(b"hello worle", 4, spec.clone()).await.0.unwrap_err(),
        BodyError::ContentSha256Mismatch
    );
    let no_sha = PayloadSpec {
        sha256: None,
        ..spec
    };
    assert_eq!(
        run(b"hello worle", 4, no_sha).await.0.unwrap_err(),
        BodyError::ChecksumMismatch("CRC32")
    );
}

#[test]
fn bad_checksum_headers_are_rejected() {
    let p = || PayloadSpec::default();
    assert!(p()
        .with_checksum_headers(&headers(&[("x-amz-checksum-crc32", "not base64!")]))
        .is_err());
    assert!(p()
        .with_checksum_headers(&headers(&[("x-amz-checksum-crc32", "AAAAAAAA")]))
        .is_err());
    assert!(p()
        .with_checksum_headers(&headers(&[
            ("x-amz-checksum-crc32", "DUoRhQ=="),
            ("x-amz-checksum-crc32c", "DUoRhQ=="),
        ]))
        .is_err());
    assert!(p()
        .with_checksum_headers(&headers(&[("x-amz-trailer", "x-amz-checksum-crc32")]))
        .is_err());
    assert!(p()
        .with_checksum_headers(&headers(&[("x-amz-sdk-checksum-algorithm", "MD5")]))
        .is_err());
    let mut s = p()
        .with_checksum_headers(&headers(&[("x-amz-sdk-checksum-algorithm", "CRC32")]))
        .unwrap();
    assert!(s.require_algorithm(ChecksumAlgorithm::Crc32).is_ok());
    assert!(s.require_algorithm(ChecksumAlgorithm::Sha256).is_err());
}

fn aws_example_signer() -> ChunkSigner {
    ChunkSigner::new(
        signing_key(
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "20130524",
            "us-east-1",
            "s3",
        ),
        "20130524T000000Z".into(),
        "20130524/us-east-1/s3/aws4_request".into(),
        "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9".into(),
    )
}

fn aws_example_body() -> Vec<u8> {
    let mut body = Vec::new();
    body.extend_from_slice(b"10000;chunk-signature=ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648\r\n");
    body.extend_from_slice(&[b'a'; 65536]);
    body.extend_from_slice(b"\r\n400;chunk-signature=0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497\r\n");
    body.extend_from_slice(&[b'a'; 1024]);
    body.extend_from_slice(b"\r\n0;chunk-signature=b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9\r\n\r\n");
    body
}

#[tokio::test]
async fn aws_signed_chunk_example_verifies() {
    let body = aws_example_body();
    assert_eq!(body.len(), 66824, "the documented encoded length");
    let spec = PayloadSpec {
        chunked: true,
        signer: Some(aws_example_signer()),
        decoded_length: Some(66560),
        ..Default::default()
    };
    for piece in [1000, 65536, 70000] {
        let (out, _) = run(&body, piece, spec.clone()).await;
        assert_eq!(out.unwrap().len(), 66560);
    }
    // One changed data byte, or a changed signature, fails the chunk.
    let mut tampered = body.clone();
    tampered[100] = b'b';
    assert_eq!(
        run(&tampered, 4096, spec.clone()).await.0.unwrap_err(),
        BodyError::ChunkSignatureMismatch
    );
    let resigned = String::from_utf8_lossy(&body)
        .replace("b6c6ea8a", "b6c6ea8b")
        .into_bytes();
    assert_eq!(
        run(&resigned, 4096, spec.clone()).await.0.unwrap_err(),
        BodyError::ChunkSignatureMismatch
    );
    // Unsigned chunks where signatures are required fail too.
    let unsigned = b"3\r\nabc\r\n0\r\n\r\n";
    assert_eq!(
        run(unsigned, 4, spec).await.0.unwrap_err(),
        BodyError::ChunkSignatureMismatch
    );
}

#[tokio::test]
async fn signed_trailer_verifies() {
    let signer = aws_example_signer();
    let c1 = signer.sign(&crate::auth::sigv4::chunk_string_to_sign(
        &signer.amz_date,
        &signer.scope,
        &signer.seed,
        b"hello world",
    ));
    let c0 = signer.sign(&crate::auth::sigv4::chunk_string_to_sign(
        &signer.amz_date,
        &signer.scope,
        &c1,
        b"",
    ));
    let trailer = "x-amz-checksum-crc32:DUoRhQ==\n";
    let ts = signer.sign(&trailer_string_to_sign(
        &signer.amz_date,
        &signer.scope,
        &c0,
        trailer,
    ));
    let body = format!(
        "b;chunk-signature={c1}\r\nhello world\r\n0;chunk-signature={c0}\r\nx-amz-checksum-crc32:DUoRhQ==\r\nx-amz-trailer-signature:{ts}\r\n\r\n"
    );
    let mut spec = trailer_spec();
    spec.signer = Some(signer);
    spec.signed_trailer = true;
    let (out, slot) = run(body.as_bytes(), 9, spec.clone()).await;
    assert_eq!(out.unwrap(), b"hello world");
    assert!(slot.get().is_some());
    let forged = body.replace(&ts[..8], "00000000");
    assert_eq!(
        run(forged.as_bytes(), 9, spec).await.0.unwrap_err(),
        BodyError::ChunkSignatureMismatch
    );
}
