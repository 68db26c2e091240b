//! The vectors of shared/spec/05-sigv4-s3.md §2 and §4, computed by botocore, and the AWS
//! documentation's signed-chunk example.

use super::*;
use crate::auth::encode::decode_query;
use crate::auth::testing::Keys;
use crate::auth::AuthError;

const NOW: i64 = 1_700_000_000; // 2023-11-14T22:13:20Z

fn keys() -> Keys {
    Keys(vec![("AKIDEXAMPLE", "SECRETEXAMPLE")])
}

fn hdrs(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_ascii_lowercase(), v.to_string()))
        .collect()
}

fn header_auth(signed: &str, sig: &str) -> String {
    format!("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20231114/ap-guangzhou/s3/aws4_request, SignedHeaders={signed}, Signature={sig}")
}

fn check_header(
    method: &str,
    path: &str,
    query: &str,
    headers: &[(&str, &str)],
    auth: &str,
    now: i64,
) -> Result<Verified, AuthError> {
    let a = V4Auth::from_header(auth)?;
    let q = decode_query(query);
    let h = hdrs(headers);
    let payload = h
        .iter()
        .find(|(k, _)| k == "x-amz-content-sha256")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let req = V4Request {
        method,
        decoded_path: path,
        query: &q,
        headers: &h,
    };
    verify(&a, &req, &payload, &keys(), now, 900)
}

#[test]
fn signing_key_vector() {
    assert_eq!(
        hex::encode(signing_key(
            "SECRETEXAMPLE",
            "20231114",
            "ap-guangzhou",
            "s3"
        )),
        "99db6febf6a65548859be931f6d28a1f50f8bfcecfd1e4900e425f86760de380"
    );
}

#[test]
fn a_put_object_over_http() {
    let headers = [
        ("Host", "127.0.0.1:9000"),
        ("x-amz-checksum-crc32", "DUoRhQ=="),
        (
            "X-Amz-Content-SHA256",
            "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9",
        ),
        ("X-Amz-Date", "20231114T221320Z"),
        ("x-amz-sdk-checksum-algorithm", "CRC32"),
        ("Content-Length", "11"),
    ];
    let signed =
        "host;x-amz-checksum-crc32;x-amz-content-sha256;x-amz-date;x-amz-sdk-checksum-algorithm";
    let h = hdrs(&headers);
    let creq = canonical_request(
        "PUT",
        &canonical_uri("/examplebucket-1250000000/a b.txt"),
        "",
        &signed.split(';').map(str::to_string).collect::<Vec<_>>(),
        &|n| {
            h.iter()
                .filter(|(k, _)| k == n)
                .map(|(_, v)| v.clone())
                .collect()
        },
        "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9",
    );
    assert_eq!(
        sha256_hex(creq.as_bytes()),
        "0defa3a791783728463d9d10edaf1c8caed682884e49b31cd89c044b1c1c8b89"
    );
    let sig = "c79f3654f7014318614dbbb3062248e31ab44359dea393d98714f21f42e18c34";
    let auth = header_auth(signed, sig);
    let path = "/examplebucket-1250000000/a b.txt";
    let ok = check_header("PUT", path, "", &headers, &auth, NOW).unwrap();
    assert_eq!(ok.signer.seed, sig);
    // Fifteen minutes of skew either way is tolerated, sixteen are not.
    assert!(check_header("PUT", path, "", &headers, &auth, NOW + 900).is_ok());
    assert_eq!(
        check_header("PUT", path, "", &headers, &auth, NOW - 960).unwrap_err(),
        AuthError::RequestTimeTooSkewed
    );
    // Any change to a signed part fails.
    let mut tampered = headers;
    tampered[1] = ("x-amz-checksum-crc32", "AAAAAA==");
    assert_eq!(
        check_header("PUT", path, "", &tampered, &auth, NOW).unwrap_err(),
        AuthError::SignatureDoesNotMatch
    );
    assert_eq!(
        check_header(
            "PUT",
            "/examplebucket-1250000000/a.txt",
            "",
            &headers,
            &auth,
            NOW
        )
        .unwrap_err(),
        AuthError::SignatureDoesNotMatch
    );
    let other = auth.replace("AKIDEXAMPLE", "AKIDOTHER");
    assert_eq!(
        check_header("PUT", path, "", &headers, &other, NOW).unwrap_err(),
        AuthError::InvalidAccessKeyId
    );
}

#[test]
fn b_put_object_streaming_trailer() {
    let headers = [
        ("Content-Encoding", "aws-chunked"),
        ("Host", "127.0.0.1:9443"),
        ("X-Amz-Content-SHA256", "STREAMING-UNSIGNED-PAYLOAD-TRAILER"),
        ("X-Amz-Date", "20231114T221320Z"),
        ("X-Amz-Decoded-Content-Length", "11"),
        ("x-amz-sdk-checksum-algorithm", "CRC32"),
        ("X-Amz-Trailer", "x-amz-checksum-crc32"),
        ("Transfer-Encoding", "chunked"),
    ];
    let auth = header_auth(
        "content-encoding;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-sdk-checksum-algorithm;x-amz-trailer",
        "2d35c28aea7947c2def21c48ff4154131e7c9c6fdcd3af6be4a066e2cb071fd1",
    );
    check_header(
        "PUT",
        "/examplebucket-1250000000/a b.txt",
        "",
        &headers,
        &auth,
        NOW,
    )
    .unwrap();
}

#[test]
fn c_list_objects_v2() {
    let q = decode_query("list-type=2&prefix=dir%2F&encoding-type=url");
    assert_eq!(
        canonical_query(&q),
        "encoding-type=url&list-type=2&prefix=dir%2F"
    );
    let headers = [
        ("Host", "127.0.0.1:9000"),
        ("X-Amz-Content-SHA256", EMPTY_SHA256),
        ("X-Amz-Date", "20231114T221320Z"),
    ];
    let auth = header_auth(
        "host;x-amz-content-sha256;x-amz-date",
        "0091f36abc4fb3b6185bde9b4298713d173aef6f74a364bb983c7097a1a2c771",
    );
    check_header(
        "GET",
        "/examplebucket-1250000000",
        "list-type=2&prefix=dir%2F&encoding-type=url",
        &headers,
        &auth,
        NOW,
    )
    .unwrap();
}

#[test]
fn d_delete_objects() {
    let body = r#"<Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Object><Key>a</Key></Object></Delete>"#;
    let hash = sha256_hex(body.as_bytes());
    let headers = [
        ("Host", "127.0.0.1:9000"),
        ("x-amz-checksum-crc32", "CEaAGw=="),
        ("X-Amz-Content-SHA256", hash.as_str()),
        ("X-Amz-Date", "20231114T221320Z"),
        ("x-amz-sdk-checksum-algorithm", "CRC32"),
    ];
    let auth = header_auth(
        "host;x-amz-checksum-crc32;x-amz-content-sha256;x-amz-date;x-amz-sdk-checksum-algorithm",
        "47e249673e9066562b16b3619f9149c97e8e38f0570a9b782654bc6f35277f26",
    );
    assert_eq!(canonical_query(&decode_query("delete")), "delete=");
    check_header(
        "POST",
        "/examplebucket-1250000000",
        "delete",
        &headers,
        &auth,
        NOW,
    )
    .unwrap();
}

fn check_presigned(
    method: &str,
    path: &str,
    url_query: &str,
    now: i64,
) -> Result<Verified, AuthError> {
    let q = decode_query(url_query);
    let a = V4Auth::from_query(&q)?;
    let h = hdrs(&[("Host", "127.0.0.1:9000")]);
    let req = V4Request {
        method,
        decoded_path: path,
        query: &q,
        headers: &h,
    };
    verify(&a, &req, "UNSIGNED-PAYLOAD", &keys(), now, 900)
}

#[test]
fn e_presigned_urls() {
    let get = "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20231114%2Fap-guangzhou%2Fs3%2Faws4_request&X-Amz-Date=20231114T221320Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host&X-Amz-Signature=1414462acc398354a566787445f93a6c5a1c3e779f0d71f62c50d9ad22eee1c7";
    let path = "/examplebucket-1250000000/a b.txt";
    check_presigned("GET", path, get, NOW).unwrap();
    check_presigned("GET", path, get, NOW + 3600).unwrap();
    assert_eq!(
        check_presigned("GET", path, get, NOW + 3601).unwrap_err(),
        AuthError::Expired
    );
    assert_eq!(
        check_presigned("PUT", path, get, NOW).unwrap_err(),
        AuthError::SignatureDoesNotMatch
    );
    let put = "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20231114%2Fap-guangzhou%2Fs3%2Faws4_request&X-Amz-Date=20231114T221320Z&X-Amz-Expires=600&X-Amz-SignedHeaders=host&X-Amz-Signature=65eea7a9a053a5e2f9c8cc236e8407537e800d2d290e3d1f0377d19bd040a03c";
    check_presigned("PUT", "/examplebucket-1250000000/a.txt", put, NOW).unwrap();
    let week = get.replace("X-Amz-Expires=3600", "X-Amz-Expires=604801");
    assert!(matches!(
        check_presigned("GET", path, &week, NOW),
        Err(AuthError::Malformed(_))
    ));
}

#[test]
fn aws_signed_chunk_example() {
    let headers = [
        ("Host", "s3.amazonaws.com"),
        ("x-amz-date", "20130524T000000Z"),
        ("x-amz-storage-class", "REDUCED_REDUNDANCY"),
        ("x-amz-content-sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"),
        ("Content-Encoding", "aws-chunked"),
        ("x-amz-decoded-content-length", "66560"),
        ("Content-Length", "66824"),
    ];
    let keys = Keys(vec![(
        "AKIAIOSFODNN7EXAMPLE",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    )]);
    let auth = V4Auth::from_header("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class,Signature=4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9").unwrap();
    let h = hdrs(&headers);
    let req = V4Request {
        method: "PUT",
        decoded_path: "/examplebucket/chunkObject.txt",
        query: &[],
        headers: &h,
    };
    let now = parse_amz_date("20130524T000000Z").unwrap();
    let v = verify(
        &auth,
        &req,
        "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
        &keys,
        now,
        900,
    )
    .unwrap();
    let s = &v.signer;
    let c1 = s.sign(&chunk_string_to_sign(
        &s.amz_date,
        &s.scope,
        &s.seed,
        &[b'a'; 65536],
    ));
    assert_eq!(
        c1,
        "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648"
    );
    let c2 = s.sign(&chunk_string_to_sign(
        &s.amz_date,
        &s.scope,
        &c1,
        &[b'a'; 1024],
    ));
    assert_eq!(
        c2,
        "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497"
    );
    let fin = s.sign(&chunk_string_to_sign(&s.amz_date, &s.scope, &c2, b""));
    assert_eq!(
        fin,
        "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9"
    );
}

#[test]
fn malformed_headers_are_rejected() {
    for bad in [
        "AWS4-HMAC-SHA256 Credential=AK/20231114/r/s3/aws4_request, SignedHeaders=x-amz-date, Signature=00",
        "AWS4-HMAC-SHA256 Credential=AK/2023111/r/s3/aws4_request, SignedHeaders=host, Signature=0000000000000000000000000000000000000000000000000000000000000000",
        "AWS4-HMAC-SHA256 Credential=AK/20231114/r/sts/aws4_request, SignedHeaders=host, Signature=0000000000000000000000000000000000000000000000000000000000000000",
        "AWS4-HMAC-SHA256 SignedHeaders=host, Signature=0000000000000000000000000000000000000000000000000000000000000000",
        "AWS4-HMAC-SHA256 garbage",
    ] {
        assert!(
            matches!(V4Auth::from_header(bad), Err(AuthError::Malformed(_))),
            "{bad}"
        );
    }
}

proptest::proptest! {
    /// The header and query parsers return an error, never a panic, on any input.
    #[test]
    fn parsers_never_panic(h in ".{0,200}", amz in ".{0,40}") {
        let _ = V4Auth::from_header(&format!("AWS4-HMAC-SHA256 {h}"));
        let _ = V4Auth::from_header(&h);
        let q = vec![
            ("X-Amz-Algorithm".to_string(), "AWS4-HMAC-SHA256".to_string()),
            ("X-Amz-Credential".to_string(), h.clone()),
            ("X-Amz-Date".to_string(), amz.clone()),
            ("X-Amz-Expires".to_string(), amz.clone()),
            ("X-Amz-SignedHeaders".to_string(), h.clone()),
            ("X-Amz-Signature".to_string(), h.clone()),
        ];
        let _ = V4Auth::from_query(&q);
        let _ = parse_amz_date(&amz);
        let _ = crate::auth::sigv2::V2Auth::from_header(&format!("AWS {h}"));
    }
}

#[test]
fn amz_dates_parse_to_unix_seconds_and_nothing_else_parses() {
    let cases: &[(&str, Option<i64>)] = &[
        ("20130524T000000Z", Some(1_369_353_600)),
        ("19700101T000000Z", Some(0)),
        ("20240229T235959Z", Some(1_709_251_199)),
        ("20261121T112303Z", Some(1_795_260_183)),
        ("20230229T000000Z", None), // not a leap year
        ("20131324T000000Z", None),
        ("20130024T000000Z", None),
        ("20130524T240000Z", None),
        ("20130524T006000Z", None),
        ("20130524 000000Z", None),
        ("20130524T000000", None),
        ("20130524T000000z", None),
        ("2013052T000000Z0", None),
        ("+0130524T000000Z", None),
        ("2013-05-24T00:00:00Z", None),
        ("", None),
        ("２0130524T00000Z", None),
    ];
    for (s, want) in cases {
        assert_eq!(parse_amz_date(s), *want, "{s}");
    }
}
