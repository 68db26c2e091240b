use super::*;
use crate::auth::testing::Keys;

const MULTI: &str = "69s3yEH7bFpkq3EXAO3mWvleArFhPTEyNTAwMDAwMDAmaz1BS0lERVhBTVBMRSZlPTE3MDAwMDAzMDAmdD0xNzAwMDAwMDAwJnI9MTIzNDU2Nzg5JmY9LzEyNTAwMDAwMDAvbXlidWNrZXQvZGlyL2ElMjBiLnR4dCZiPW15YnVja2V0";
const ONCE: &str = "M/ivcnL1PdSavGjeAYbvrmGz6nZhPTEyNTAwMDAwMDAmaz1BS0lERVhBTVBMRSZlPTAmdD0xNzAwMDAwMDAwJnI9MTIzNDU2Nzg5JmY9LzEyNTAwMDAwMDAvbXlidWNrZXQvZGlyL2ElMjBiLnR4dCZiPW15YnVja2V0";
const DOWNLOAD: &str = "sEnUEYRYaK3RujYo7/I6etB9tbZhPTEyNTAwMDAwMDAmaz1BS0lERVhBTVBMRSZlPTE3MDAwMDAzMDAmdD0xNzAwMDAwMDAwJnI9MTIzNDU2Nzg5JmY9L2Rpci9hJTIwYi50eHQmYj1teWJ1Y2tldA==";

fn keys() -> Keys {
    Keys(vec![("AKIDEXAMPLE", "SECRETEXAMPLE")])
}

#[test]
fn spec_vectors_sign_and_verify() {
    let f = fileid("1250000000", "mybucket", "/dir/a b.txt");
    assert_eq!(f, "/1250000000/mybucket/dir/a%20b.txt");
    let multi = plain_text(
        "1250000000",
        "AKIDEXAMPLE",
        1700000300,
        1700000000,
        123456789,
        &f,
        "mybucket",
    );
    assert_eq!(sign("SECRETEXAMPLE", &multi), MULTI);
    let once = plain_text(
        "1250000000",
        "AKIDEXAMPLE",
        0,
        1700000000,
        123456789,
        &f,
        "mybucket",
    );
    assert_eq!(sign("SECRETEXAMPLE", &once), ONCE);
    let dl = plain_text(
        "1250000000",
        "AKIDEXAMPLE",
        1700000300,
        1700000000,
        123456789,
        "/dir/a%20b.txt",
        "mybucket",
    );
    assert_eq!(sign("SECRETEXAMPLE", &dl), DOWNLOAD);
    for s in [MULTI, ONCE, DOWNLOAD] {
        let p = LegacySign::parse(s).unwrap();
        assert_eq!(p.appid, "1250000000");
        assert_eq!(p.bucket, "mybucket");
        assert!(verify(&p, &keys()).is_ok());
    }
    assert!(LegacySign::parse(ONCE).unwrap().is_once());
    // `+` decoded to a space by a query parser (the Python SDK does not URL-encode `sign=`).
    let mut signs = (0..100_000u64).map(|r| {
        sign(
            "SECRETEXAMPLE",
            &plain_text(
                "1250000000",
                "AKIDEXAMPLE",
                1700000300,
                1700000000,
                r,
                &f,
                "mybucket",
            ),
        )
    });
    let with_plus = signs.clone().find(|s| s.contains('+')).unwrap();
    let spaced = with_plus.replace('+', " ");
    assert!(verify(&LegacySign::parse(&spaced).unwrap(), &keys()).is_ok());
    // A leading `+` arrives as a leading space: still a `+`, not trimmed away.
    let leading = signs.find(|s| s.starts_with('+')).unwrap();
    let spaced = leading.replace('+', " ");
    assert!(verify(&LegacySign::parse(&spaced).unwrap(), &keys()).is_ok());
}

#[test]
fn parse_failures() {
    use base64::Engine;
    let b64 = |s: &[u8]| base64::engine::general_purpose::STANDARD.encode(s);
    let mut with_mac = vec![0u8; 20];
    with_mac.extend_from_slice(b"a=1&b=x&k=AK&e=0&t=1&f=");
    let cases: Vec<(String, LegacyAuthError)> = vec![
        ("".into(), LegacyAuthError::Empty),
        ("   ".into(), LegacyAuthError::Empty),
        ("not base64!!".into(), LegacyAuthError::Malformed),
        (b64(b"short"), LegacyAuthError::Malformed),
        // r missing
        (b64(&with_mac), LegacyAuthError::Malformed),
        ("A".repeat(4096), LegacyAuthError::Malformed),
    ];
    for (s, want) in cases {
        assert_eq!(LegacySign::parse(&s).unwrap_err(), want, "{s:.40}");
    }
    // Duplicate and unknown fields, non-numeric times.
    for plain in [
        "a=1&b=x&k=AK&e=0&t=1&r=2&f=&a=2",
        "a=1&b=x&k=AK&e=0&t=1&r=2&f=&z=1",
        "a=1&b=x&k=AK&e=soon&t=1&r=2&f=",
        "a=1&b=x&k=&e=0&t=1&r=2&f=",
        "a=1&b=x&k=AK&e=-5&t=1&r=2&f=",
    ] {
        let mut raw = vec![0u8; 20];
        raw.extend_from_slice(plain.as_bytes());
        assert_eq!(
            LegacySign::parse(&b64(&raw)).unwrap_err(),
            LegacyAuthError::Malformed,
            "{plain}"
        );
    }
    // Field order does not matter (the Node v5 SDK's order).
    let plain = "a=1&b=x&k=AK&t=1&e=0&r=2&f=/1/x/a";
    let s = sign("K", plain);
    assert!(LegacySign::parse(&s).unwrap().mac_matches("K"));
}

#[test]
fn verify_failures() {
    let mut p = LegacySign::parse(MULTI).unwrap();
    p.mac[0] ^= 1;
    assert_eq!(verify(&p, &keys()).unwrap_err(), LegacyAuthError::Mismatch);
    let other = Keys(vec![("AKIDOTHER", "SECRETEXAMPLE")]);
    assert_eq!(
        verify(&LegacySign::parse(MULTI).unwrap(), &other).unwrap_err(),
        LegacyAuthError::UnknownSecretId
    );
}

fn expect<'a>(resources: &'a [String], need: Need, now: i64) -> Expect<'a> {
    Expect {
        appid: "1250000000",
        bucket: "mybucket",
        resources,
        need,
        now,
        once_window: 86400,
    }
}

#[test]
fn rules_table() {
    let res = vec!["/1250000000/mybucket/dir/a b.txt".to_string()];
    let other = vec!["/1250000000/mybucket/dir/other.txt".to_string()];
    let root_dir = vec!["/1250000000/mybucket/".to_string()];
    let mk = |a: &str, b: &str, e: i64, t: i64, f: &str| {
        LegacySign::parse(&sign("S", &plain_text(a, "AK", e, t, 1, f, b))).unwrap()
    };
    let f = "/1250000000/mybucket/dir/a%20b.txt";
    let now = 1_700_000_000;
    type Case<'a> = (LegacySign, &'a [String], Need, Result<(), LegacyAuthError>);
    let cases: Vec<Case> = vec![
        (
            mk("1250000000", "mybucket", now + 300, now, f),
            &res,
            Need::Multi,
            Ok(()),
        ),
        (
            mk("1250000000", "mybucket", now + 300, now, ""),
            &res,
            Need::Multi,
            Ok(()),
        ),
        (
            mk(
                "1250000000",
                "mybucket",
                now + 300,
                now,
                "/1250000000/mybucket/dir/",
            ),
            &res,
            Need::Multi,
            Ok(()),
        ),
        (
            mk(
                "1250000000",
                "mybucket",
                now + 300,
                now,
                "/1250000000/mybucket/dir/",
            ),
            &root_dir,
            Need::Multi,
            Err(LegacyAuthError::FileidMismatch),
        ),
        (
            mk("1250000000", "mybucket", now + 300, now, f),
            &other,
            Need::Multi,
            Err(LegacyAuthError::FileidMismatch),
        ),
        (
            mk("1250000001", "mybucket", now + 300, now, f),
            &res,
            Need::Multi,
            Err(LegacyAuthError::AppidMismatch),
        ),
        (
            mk("1250000000", "yourbucket", now + 300, now, f),
            &res,
            Need::Multi,
            Err(LegacyAuthError::BucketMismatch),
        ),
        (
            mk("1250000000", "mybucket", now - 1, now - 300, f),
            &res,
            Need::Multi,
            Err(LegacyAuthError::Expired),
        ),
        (
            mk("1250000000", "mybucket", now + 91 * 86400, now, f),
            &res,
            Need::Multi,
            Err(LegacyAuthError::TooLong),
        ),
        (
            mk("1250000000", "mybucket", now + 89 * 86400, now, f),
            &res,
            Need::Multi,
            Ok(()),
        ),
        (
            mk("1250000000", "mybucket", now + 300, now, f),
            &res,
            Need::Once,
            Err(LegacyAuthError::NeedOnce),
        ),
        (
            mk("1250000000", "mybucket", now + 300, now, f),
            &res,
            Need::Either,
            Ok(()),
        ),
        (
            mk("1250000000", "mybucket", 0, now, f),
            &res,
            Need::Once,
            Ok(()),
        ),
        (
            mk("1250000000", "mybucket", 0, now, f),
            &res,
            Need::Either,
            Ok(()),
        ),
        (
            mk("1250000000", "mybucket", 0, now, f),
            &res,
            Need::Multi,
            Err(LegacyAuthError::NeedMulti),
        ),
        (
            mk("1250000000", "mybucket", 0, now, ""),
            &res,
            Need::Once,
            Err(LegacyAuthError::OnceWithoutFileid),
        ),
        (
            mk(
                "1250000000",
                "mybucket",
                0,
                now,
                "/1250000000/mybucket/dir/",
            ),
            &res,
            Need::Once,
            Err(LegacyAuthError::FileidMismatch),
        ),
        (
            mk("1250000000", "mybucket", 0, now, f),
            &other,
            Need::Once,
            Err(LegacyAuthError::FileidMismatch),
        ),
        (
            mk("1250000000", "mybucket", 0, now - 86401, f),
            &res,
            Need::Once,
            Err(LegacyAuthError::OnceTooOld),
        ),
    ];
    for (i, (s, r, need, want)) in cases.into_iter().enumerate() {
        assert_eq!(
            check(&s, &expect(r, need, now)),
            want,
            "case {i}: {}",
            s.plain
        );
    }
}

#[test]
fn codes_are_the_seeds() {
    let table = [
        (LegacyAuthError::Empty, -81),
        (LegacyAuthError::Malformed, -97),
        (LegacyAuthError::UnknownSecretId, -47),
        (LegacyAuthError::Mismatch, -48),
        (LegacyAuthError::AppidMismatch, -70),
        (LegacyAuthError::BucketMismatch, -61),
        (LegacyAuthError::FileidMismatch, -63),
        (LegacyAuthError::Expired, -59),
        (LegacyAuthError::NeedOnce, -73),
        (LegacyAuthError::NeedMulti, -74),
        (LegacyAuthError::OnceWithoutFileid, -76),
        (LegacyAuthError::Replayed, -77),
    ];
    for (e, c) in table {
        assert_eq!(e.code(), c, "{e}");
    }
}

proptest::proptest! {
    #[test]
    fn parse_and_check_never_panic(
        mac in proptest::collection::vec(proptest::num::u8::ANY, 0..24),
        plain in "[abektrfz=&0-9/%A-Za-z-]{0,80}",
        now in proptest::num::i64::ANY,
    ) {
        use base64::Engine;
        let mut raw = mac;
        raw.extend_from_slice(plain.as_bytes());
        let text = base64::engine::general_purpose::STANDARD.encode(&raw);
        if let Ok(s) = LegacySign::parse(&text) {
            let _ = s.mac_matches("K");
            let resources = ["/1/b/x".to_string()];
            for need in [Need::Multi, Need::Once, Need::Either] {
                let _ = check(&s, &Expect { appid: "1", bucket: "b", resources: &resources, need, now, once_window: 86400 });
            }
        }
        let _ = LegacySign::parse(&plain);
    }
}
