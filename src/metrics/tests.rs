use super::*;
use crate::api::request::authn::Dialect;

#[test]
fn labels_are_bounded() {
    assert_eq!(op_label(&Cow::Borrowed("GetObject")), "GetObject");
    assert_eq!(op_label(&Cow::Borrowed("")), "None");
    assert_eq!(op_label(&Cow::Owned("/some/raw/path".into())), "Other");
    let table = [
        ("GetObject", Dialect::S3, "s3"),
        ("GetObject", Dialect::Cos, "cos"),
        ("json:stat", Dialect::Cos, "json"),
        ("Sts.AssumeRole", Dialect::Cos, "sts"),
        ("Sts", Dialect::S3, "sts"),
        ("Admin.ListUsers", Dialect::Cos, "admin"),
        ("Website", Dialect::Cos, "website"),
        ("Metrics", Dialect::Cos, "cosd"),
    ];
    for (op, d, want) in table {
        assert_eq!(dialect_label(op, d), want, "{op}");
    }
    let classes = [
        (100, "1xx"),
        (200, "2xx"),
        (206, "2xx"),
        (304, "3xx"),
        (404, "4xx"),
        (503, "5xx"),
        (600, "other"),
    ];
    for (s, want) in classes {
        assert_eq!(status_class(s), want);
    }
}

#[test]
fn declared_lengths_are_the_byte_counts() {
    let mut h = http::HeaderMap::new();
    assert_eq!(bytes_in(&h), 0);
    h.insert("content-length", "120".parse().unwrap());
    assert_eq!(bytes_in(&h), 120);
    h.insert("x-amz-decoded-content-length", "100".parse().unwrap());
    assert_eq!(bytes_in(&h), 100);
    let resp = http::Response::builder()
        .header("content-length", "5")
        .body(http_body_util::Full::new(bytes::Bytes::from_static(
            b"hello",
        )))
        .unwrap();
    assert_eq!(bytes_out(&resp, false), 5);
    assert_eq!(bytes_out(&resp, true), 0);
}

#[test]
fn a_request_is_counted_once_in_every_family() {
    let m = Metrics::new();
    let op: Cow<'static, str> = Cow::Borrowed("GetObject");
    let sample = |status, code| RequestSample {
        op: &op,
        dialect: Dialect::S3,
        status,
        code,
        bytes_in: 0,
        bytes_out: 10,
        elapsed: Duration::from_millis(3),
    };
    m.observe(&sample(200, None));
    m.observe(&sample(403, Some("AccessDenied")));
    let text = m.render();
    for line in [
        "cosd_requests_total{op=\"GetObject\",dialect=\"s3\",status=\"2xx\"} 1",
        "cosd_requests_total{op=\"GetObject\",dialect=\"s3\",status=\"4xx\"} 1",
        "cosd_sent_bytes_total{op=\"GetObject\"} 20",
        "cosd_errors_total{code=\"AccessDenied\"} 1",
        "cosd_authz_denials_total{op=\"GetObject\"} 1",
        "cosd_request_duration_seconds_count{op=\"GetObject\"} 2",
        "cosd_request_duration_seconds_bucket{le=\"0.0025\",op=\"GetObject\"} 0",
        "cosd_request_duration_seconds_bucket{le=\"0.005\",op=\"GetObject\"} 2",
    ] {
        assert!(text.lines().any(|l| l == line), "{line} missing in\n{text}");
    }
    assert!(text.ends_with("# EOF\n"), "{text}");
}

/// The cost of recording a request: `cargo test --release --lib -- --ignored --nocapture observe_cost`.
#[test]
#[ignore]
fn observe_cost() {
    let m = Metrics::new();
    let op: Cow<'static, str> = Cow::Borrowed("GetObject");
    let s = RequestSample {
        op: &op,
        dialect: Dialect::Cos,
        status: 200,
        code: None,
        bytes_in: 0,
        bytes_out: 4096,
        elapsed: Duration::from_micros(300),
    };
    let n = 1_000_000;
    let started = std::time::Instant::now();
    for _ in 0..n {
        m.observe(&s);
    }
    println!("observe: {:?} per request", started.elapsed() / n);
}
