//! The vectors of shared/spec/01-signatures.md §8, computed by the official SDKs.

use super::*;
use crate::auth::encode::{decode_path, decode_query};
use crate::auth::testing::Keys;
use crate::auth::{AuthError, Identity};

const AK: &str = "AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q";
const SK: &str = "BQYIM75p8x0iWVFSIgqEKwFprpRSVHlz";

fn hdrs(pairs: &[(&str, &str)]) -> Vec<(String, Vec<u8>)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_ascii_lowercase(), v.as_bytes().to_vec()))
        .collect()
}

fn check(
    auth: &QSign,
    method: &str,
    paths: &[&str],
    query: &str,
    headers: &[(&str, &str)],
    keys: &Keys,
    now: i64,
) -> Result<Identity, AuthError> {
    let q = decode_query(query);
    let h = hdrs(headers);
    let req = SignedRequest {
        method,
        paths: paths.iter().map(|p| p.to_string()).collect(),
        query: &q,
        headers: &h,
    };
    verify(auth, &req, keys, now, 900, 7_776_000)
}

#[test]
fn v1_put_object_with_headers() {
    let header = "q-sign-algorithm=sha1&q-ak=AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q&q-sign-time=1557989151;1557996351&q-key-time=1557989151;1557996351&q-header-list=content-length;content-md5;content-type;host;x-cos-acl;x-cos-grant-read;x-cos-meta-a&q-url-param-list=&q-signature=ebc39f4627784fd0d1c3899f36e9f37fc877dbea";
    let auth = QSign::from_header(header).unwrap();
    let path = decode_path("/exampleobject(%E8%85%BE%E8%AE%AF%E4%BA%91)").unwrap();
    let headers = [
        ("Content-Type", "text/plain"),
        ("Content-Length", "13"),
        ("Content-MD5", "mQ/fVh815F3k6TAUm8m0eg=="),
        ("x-cos-acl", "private"),
        ("x-cos-grant-read", "uin=\"100000000011\""),
        ("x-cos-meta-a", "b c"),
        (
            "Host",
            "examplebucket-1250000000.cos.ap-beijing.myqcloud.com",
        ),
        ("User-Agent", "not-signed"),
    ];
    let h = hdrs(&headers);
    let hs = http_string(
        "PUT",
        &path,
        &auth.param_list,
        &|_| None,
        &auth.header_list,
        &|n| h.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone()),
    );
    assert_eq!(hs, "put\n/exampleobject(腾讯云)\n\ncontent-length=13&content-md5=mQ%2FfVh815F3k6TAUm8m0eg%3D%3D&content-type=text%2Fplain&host=examplebucket-1250000000.cos.ap-beijing.myqcloud.com&x-cos-acl=private&x-cos-grant-read=uin%3D%22100000000011%22&x-cos-meta-a=b%20c\n");
    let sts = string_to_sign(&auth.sign_time, &hs);
    assert_eq!(
        sts,
        "sha1\n1557989151;1557996351\n9555a9f4e2d3d4b240ac0635ade1f2665fd64701\n"
    );
    assert_eq!(
        sign(SK, &auth.key_time, &sts),
        "ebc39f4627784fd0d1c3899f36e9f37fc877dbea"
    );

    let keys = Keys(vec![(AK, SK)]);
    let now = 1557990000;
    assert!(check(&auth, "PUT", &[&path], "", &headers, &keys, now).is_ok());
    // Tampered header value, wrong method, unknown key, expired, too early.
    let mut bad = headers;
    bad[5] = ("x-cos-meta-a", "b d");
    assert_eq!(
        check(&auth, "PUT", &[&path], "", &bad, &keys, now),
        Err(AuthError::SignatureDoesNotMatch)
    );
    assert_eq!(
        check(&auth, "GET", &[&path], "", &headers, &keys, now),
        Err(AuthError::SignatureDoesNotMatch)
    );
    assert_eq!(
        check(&auth, "PUT", &[&path], "", &headers, &Keys(vec![]), now),
        Err(AuthError::InvalidAccessKeyId)
    );
    assert_eq!(
        check(&auth, "PUT", &[&path], "", &headers, &keys, 1557996352),
        Err(AuthError::Expired)
    );
    assert_eq!(
        check(
            &auth,
            "PUT",
            &[&path],
            "",
            &headers,
            &keys,
            1557989151 - 901
        ),
        Err(AuthError::RequestTimeTooSkewed)
    );
    // An unsigned header may change freely.
    let mut extra = headers.to_vec();
    extra.push(("x-cos-unsigned", "anything"));
    assert!(check(&auth, "PUT", &[&path], "", &extra, &keys, now).is_ok());
}

#[test]
fn v2_get_bucket_with_query() {
    let auth = QSign::from_header("q-sign-algorithm=sha1&q-ak=AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q&q-sign-time=1557989151;1557996351&q-key-time=1557989151;1557996351&q-header-list=host&q-url-param-list=acl;delimiter;encoding-type;max-keys;prefix&q-signature=6c3822cceb27cc1492fa1179a162a5fb425a35b0").unwrap();
    let keys = Keys(vec![(AK, SK)]);
    let headers = [(
        "Host",
        "examplebucket-1250000000.cos.ap-beijing.myqcloud.com",
    )];
    let q = "prefix=example-folder%2F&delimiter=%2F&max-keys=10&encoding-type=url&acl=";
    assert!(check(&auth, "GET", &["/"], q, &headers, &keys, 1557990000).is_ok());
    // boto3-style `?acl` without `=` is the same parameter.
    let q2 = "prefix=example-folder%2F&delimiter=%2F&max-keys=10&encoding-type=url&acl";
    assert!(check(&auth, "GET", &["/"], q2, &headers, &keys, 1557990000).is_ok());
    let q3 = "prefix=example-folder%2F&delimiter=%2F&max-keys=11&encoding-type=url&acl=";
    assert_eq!(
        check(&auth, "GET", &["/"], q3, &headers, &keys, 1557990000),
        Err(AuthError::SignatureDoesNotMatch)
    );
}

#[test]
fn v3_presigned_urls_python_and_node() {
    let keys = Keys(vec![("AKIDEXAMPLE", "SECRETEXAMPLE")]);
    let host = [(
        "Host",
        "examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com",
    )];
    let path = decode_path("/dir/a%20b.txt").unwrap();
    let py = "q-sign-algorithm=sha1&q-ak=AKIDEXAMPLE&q-sign-time=1700000000%3B1700003660&q-key-time=1700000000%3B1700003660&q-header-list=host&q-url-param-list=response-content-type%3Bversionid&q-signature=14dba061462517604cabb5e4bceb0ddca5c626c9&response-content-type=text%2Fplain&versionId=v1";
    let node = "q-sign-algorithm=sha1&q-ak=AKIDEXAMPLE&q-sign-time=1700000000;1700003600&q-key-time=1700000000;1700003600&q-header-list=host&q-url-param-list=response-content-type%3bversionid&q-signature=b4ce9b0d81372125fd1a5cffaa16d059cafabff2&response-content-type=text%2Fplain&versionId=v1";
    for q in [py, node] {
        let pairs = decode_query(q);
        let auth = QSign::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()))).unwrap();
        assert!(
            check(&auth, "GET", &[&path], q, &host, &keys, 1700000100).is_ok(),
            "{q}"
        );
        let tampered = q.replace("versionId=v1", "versionId=v2");
        assert_eq!(
            check(&auth, "GET", &[&path], &tampered, &host, &keys, 1700000100),
            Err(AuthError::SignatureDoesNotMatch)
        );
        assert_eq!(
            check(&auth, "GET", &[&path], q, &host, &keys, 1700003700),
            Err(AuthError::Expired)
        );
    }
    // Presigned PUT with a signed Content-Type.
    let q = "q-sign-algorithm=sha1&q-ak=AKIDEXAMPLE&q-sign-time=1700000000%3B1700003660&q-key-time=1700000000%3B1700003660&q-header-list=content-type%3Bhost&q-url-param-list=&q-signature=1ff055893afaddd92f79f062240e546845c1dfa6";
    let pairs = decode_query(q);
    let auth = QSign::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()))).unwrap();
    let put_headers = [host[0], ("Content-Type", "text/plain")];
    assert!(check(&auth, "PUT", &[&path], q, &put_headers, &keys, 1700000100).is_ok());
    // Node with an unsigned x-cos-security-token after the signature (key a.txt).
    let q = "q-sign-algorithm=sha1&q-ak=AKIDEXAMPLE&q-sign-time=1700000000;1700003600&q-key-time=1700000000;1700003600&q-header-list=host&q-url-param-list=&q-signature=9f94fe413a6bc981e49f37910292fcd4aa3bc8c7&x-cos-security-token=TOKEN123";
    let pairs = decode_query(q);
    let auth = QSign::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()))).unwrap();
    assert!(check(&auth, "GET", &["/a.txt"], q, &host, &keys, 1700000100).is_ok());
}

#[test]
fn v4_python_ip_mode_with_token_header() {
    let keys = Keys(vec![("AKIDTMP", "TMPKEY")]);
    let auth = QSign::from_header("q-sign-algorithm=sha1&q-ak=AKIDTMP&q-sign-time=1699999940;1700010000&q-key-time=1699999940;1700010000&q-header-list=host;x-cos-security-token&q-url-param-list=&q-signature=a8ae54d63788cefbcaaee0d71d4c27ccd459162a").unwrap();
    let headers = [
        ("x-cos-security-token", "TOKEN123"),
        (
            "Host",
            "examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com",
        ),
    ];
    assert!(check(&auth, "GET", &["/a.txt"], "", &headers, &keys, 1700000000).is_ok());
}

#[test]
fn v5_host_signed_with_or_without_port_and_path_style_candidates() {
    let keys = Keys(vec![("AKIDEXAMPLE", "SECRETEXAMPLE")]);
    for signed_host in ["127.0.0.1", "127.0.0.1:9000"] {
        let hs = http_string(
            "get",
            "/k.txt",
            &[],
            &|_| None,
            &["host".to_string()],
            &|_| Some(signed_host.as_bytes().to_vec()),
        );
        let sig = sign(
            "SECRETEXAMPLE",
            "1699999000;1700009000",
            &string_to_sign("1699999000;1700009000", &hs),
        );
        let header = format!("q-sign-algorithm=sha1&q-ak=AKIDEXAMPLE&q-sign-time=1699999000;1700009000&q-key-time=1699999000;1700009000&q-header-list=host&q-url-param-list=&q-signature={sig}");
        let auth = QSign::from_header(&header).unwrap();
        // The verifier tries each candidate path it is given (`http/authn.rs` gives one).
        let r = check(
            &auth,
            "GET",
            &["/k.txt", "/bucket-1/k.txt"],
            "",
            &[("Host", "127.0.0.1:9000")],
            &keys,
            1700000000,
        );
        assert!(r.is_ok(), "{signed_host}");
    }
}

#[test]
fn malformed_headers_are_rejected() {
    for bad in [
        "",
        "q-sign-algorithm=md5&q-ak=a&q-sign-time=1;2&q-key-time=1;2&q-signature=ab",
        "q-sign-algorithm=sha1&q-sign-time=1;2&q-signature=ab",
        "q-sign-algorithm=sha1&q-ak=a&q-sign-time=12&q-signature=ab",
        "q-sign-algorithm=sha1&q-ak=a&q-sign-time=x;2&q-signature=ab",
        "q-sign-algorithm=sha1&q-ak=a&q-sign-time=1;2",
    ] {
        assert!(
            matches!(QSign::from_header(bad), Err(AuthError::Malformed(_))),
            "{bad:?}"
        );
    }
    // URL-encoded values are accepted (Python samples urlencode the whole string).
    let a = QSign::from_header("q-sign-algorithm=sha1&q-ak=a&q-sign-time=1%3B2&q-key-time=1%3B2&q-header-list=host%3Bx&q-url-param-list=&q-signature=AB").unwrap();
    assert_eq!((a.start, a.end), (1, 2));
    assert_eq!(a.header_list, ["host", "x"]);
    assert_eq!(a.signature, "ab");
}

#[test]
fn validity_windows_must_be_ordered_bounded_and_current() {
    use super::verify::check_window;
    let day = 86_400;
    // (start, end, now) -> outcome
    let cases: &[(i64, i64, i64, &str)] = &[
        (1000, 2000, 1500, "ok"),
        (2000, 1000, 1500, "malformed"),
        (1000, 1000 + 90 * day, 1500, "ok"),
        (1000, 1000 + 90 * day + 1, 1500, "malformed"),
        (0, 100 * 365 * day, 1500, "malformed"),
        (1000, 2000, 2001, "expired"),
        (3000, 4000, 1500, "skewed"),
        (2400, 4000, 1500, "ok"),
    ];
    for &(start, end, now, want) in cases {
        let got = match check_window(start, end, now, 900, 90 * day) {
            Ok(()) => "ok",
            Err(AuthError::Malformed(_)) => "malformed",
            Err(AuthError::Expired) => "expired",
            Err(AuthError::RequestTimeTooSkewed) => "skewed",
            Err(e) => panic!("{e}"),
        };
        assert_eq!(got, want, "{start};{end} at {now}");
    }
}

#[test]
fn list_names_from_a_header_and_from_the_query_agree() {
    // The header value is URL-decoded as a whole, so its list arrives decoded once more.
    let h = QSign::from_header("q-sign-algorithm=sha1&q-ak=a&q-sign-time=1;2&q-header-list=host&q-url-param-list=%2c;a%20b;a%2bb;x%2fy;%c3%bc&q-signature=ab").unwrap();
    let q = QSign::from_pairs(
        [
            ("q-sign-algorithm", "sha1"),
            ("q-ak", "a"),
            ("q-sign-time", "1;2"),
            ("q-url-param-list", "%2c;a%20b;a%2bb;x%2fy;%c3%bc"),
            ("q-signature", "ab"),
        ]
        .into_iter(),
    )
    .unwrap();
    let want = ["%2c", "a%20b", "a%2bb", "x%2fy", "%c3%bc"];
    assert_eq!(h.param_list, want);
    assert_eq!(q.param_list, want);
}
