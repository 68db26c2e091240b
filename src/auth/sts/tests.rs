//! The vectors of spec 07, computed by the real SDKs.

use super::*;

fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
    v.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

const PY_POLICY: &str = "%7B%22version%22%3A%20%222.0%22%2C%20%22statement%22%3A%20%5B%7B%22action%22%3A%20%5B%22name/cos%3APutObject%22%5D%2C%20%22effect%22%3A%20%22allow%22%2C%20%22resource%22%3A%20%5B%22qcs%3A%3Acos%3Aap-guangzhou%3Auid/1250000000%3Aexamplebucket-1250000000/dir/%2A%22%5D%7D%5D%7D";

fn python_params() -> Vec<(String, String)> {
    pairs(&[
        ("SecretId", "AKIDEXAMPLE"),
        ("Timestamp", "1700000000"),
        ("Nonce", "123456"),
        ("Action", "GetFederationToken"),
        ("Version", "2018-08-13"),
        ("DurationSeconds", "1800"),
        ("Name", "cos-sts-python"),
        ("Policy", PY_POLICY),
        ("Region", "ap-guangzhou"),
    ])
}

#[test]
fn python_sts_sdk_vector() {
    let p = python_params();
    let sts = v1_string_to_sign("POST", "sts.tencentcloudapi.com", &p);
    assert!(sts.starts_with("POSTsts.tencentcloudapi.com/?Action=GetFederationToken&DurationSeconds=1800&Name=cos-sts-python&Nonce=123456&Policy=%7B"));
    assert_eq!(
        sign_v1(V1Method::HmacSha1, "SECRETEXAMPLE", &sts),
        "rs+H/FnkpCUScYS1wVXQ7ZEB14k="
    );
    let mut signed = p.clone();
    signed.push(("Signature".into(), "rs+H/FnkpCUScYS1wVXQ7ZEB14k=".into()));
    // The SDK signs its configured domain, not the host it connects to: both are tried.
    assert!(verify_v1(
        "POST",
        &["127.0.0.1:9000", "sts.tencentcloudapi.com"],
        &signed,
        "SECRETEXAMPLE",
        "rs+H/FnkpCUScYS1wVXQ7ZEB14k="
    ));
    assert!(!verify_v1(
        "POST",
        &["127.0.0.1:9000"],
        &signed,
        "SECRETEXAMPLE",
        "rs+H/FnkpCUScYS1wVXQ7ZEB14k="
    ));
    assert!(!verify_v1(
        "POST",
        &["sts.tencentcloudapi.com"],
        &signed,
        "WRONG",
        "rs+H/FnkpCUScYS1wVXQ7ZEB14k="
    ));
}

#[test]
fn python_unset_region_is_signed_as_none() {
    let p: Vec<(String, String)> = python_params()
        .into_iter()
        .filter(|(k, _)| k != "Region")
        .collect();
    let mut with_none = p.clone();
    with_none.push(("Region".into(), "None".into()));
    let sig = sign_v1(
        V1Method::HmacSha1,
        "SECRETEXAMPLE",
        &v1_string_to_sign("POST", "sts.tencentcloudapi.com", &with_none),
    );
    assert!(verify_v1(
        "POST",
        &["sts.tencentcloudapi.com"],
        &p,
        "SECRETEXAMPLE",
        &sig
    ));
}

#[test]
fn node_sts_sdk_vector() {
    let policy = "%7B%22version%22%3A%222.0%22%2C%22statement%22%3A%5B%7B%22action%22%3A%5B%22name%2Fcos%3APutObject%22%5D%2C%22effect%22%3A%22allow%22%2C%22principal%22%3A%7B%22qcs%22%3A%5B%22*%22%5D%7D%2C%22resource%22%3A%5B%22qcs%3A%3Acos%3Aap-guangzhou%3Auid%2F1250000000%3Aexamplebucket-1250000000%2Fdir%2F*%22%5D%7D%5D%7D";
    let p = pairs(&[
        ("SecretId", "AKIDEXAMPLE"),
        ("Timestamp", "1700000000"),
        ("Nonce", "15000"),
        ("Action", "GetFederationToken"),
        ("Version", "2018-08-13"),
        ("DurationSeconds", "1800"),
        ("Name", "cos-sts-nodejs"),
        ("Policy", policy),
        ("Region", "ap-guangzhou"),
    ]);
    assert!(verify_v1(
        "POST",
        &["127.0.0.1:9443"],
        &p,
        "SECRETEXAMPLE",
        "gcxTHw0V0WrtykaEG6zX/52+OD0="
    ));
}

#[test]
fn sha256_method_and_unknown_methods() {
    let mut p = python_params();
    p.push(("SignatureMethod".into(), "HmacSHA256".into()));
    let sig = sign_v1(
        V1Method::HmacSha256,
        "k",
        &v1_string_to_sign("GET", "h", &p),
    );
    assert!(verify_v1("GET", &["h"], &p, "k", &sig));
    assert!(!verify_v1("POST", &["h"], &p, "k", &sig));
    p.push(("SignatureMethod".into(), "MD5".into()));
    p.retain(|(k, v)| k != "SignatureMethod" || v == "MD5");
    assert_eq!(V1Method::of(&p), None);
}

#[test]
fn tc3_vector() {
    let body = br#"{"Name": "cos-sts", "Policy": "{\"version\": \"2.0\", \"statement\": [{\"action\": [\"name/cos:GetObject\"], \"effect\": \"allow\", \"resource\": [\"*\"]}]}", "DurationSeconds": 1800}"#;
    let auth = Tc3Auth::from_header("TC3-HMAC-SHA256 Credential=AKIDEXAMPLE/2023-11-14/sts/tc3_request, SignedHeaders=content-type;host, Signature=aed58a2a99033066c325cd572ae6c2bc68314a0ae72957f2e33cd5df550f033e").unwrap();
    assert_eq!(auth.secret_id, "AKIDEXAMPLE");
    let headers = pairs(&[
        ("content-type", "application/json"),
        ("host", "127.0.0.1:9000"),
        ("x-tc-action", "GetFederationToken"),
    ]);
    let req = Tc3Request {
        method: "POST",
        query: "",
        headers: &headers,
        body,
        timestamp: 1700000000,
    };
    assert!(auth
        .canonical_request(&req)
        .ends_with("d4fe874bff89e86b683c017b20500fb0003844b3685a63668c9a5741024ef97e"));
    assert!(auth
        .string_to_sign(&req)
        .ends_with("4071b55e40c0674c6f36b8e59f48f67404a03d3c2c8d73ff1b7c208e8353c90a"));
    auth.verify("SECRETEXAMPLE", &req).unwrap();
    assert!(auth.verify("WRONG", &req).is_err());
    let other_day = Tc3Request {
        timestamp: 1700000000 + 86400,
        ..req
    };
    assert!(auth.verify("SECRETEXAMPLE", &other_day).is_err());
}

#[test]
fn tc3_header_parsing_rejects_bad_shapes() {
    for h in [
        "TC3-HMAC-SHA256 Credential=a/b/c, SignedHeaders=host, Signature=x",
        "TC3-HMAC-SHA256 Credential=a/b/c/tc3_request, SignedHeaders=content-type, Signature=x",
        "TC3-HMAC-SHA256 Credential=a/b/c/tc3_request, SignedHeaders=host",
        "AWS4-HMAC-SHA256 Credential=a/b/c/tc3_request, SignedHeaders=host, Signature=x",
    ] {
        assert!(Tc3Auth::from_header(h).is_err(), "{h}");
    }
}
