//! Policy examples from shared/seeds/002 with the decisions the seed states, operator tables,
//! ingestion errors, and properties of the evaluator.

use super::*;
use std::collections::HashMap;

const SUB: &str = "qcs::cam::uin/100000000001:uin/100000000002";

fn ctx<'a>(
    action: &'a str,
    resource: &'a str,
    keys: &'a HashMap<String, Vec<String>>,
) -> RequestContext<'a> {
    RequestContext {
        principal: SUB,
        root_uin: Some("100000000001"),
        secret_id: None,
        action,
        resource,
        keys,
    }
}

fn keys(pairs: &[(&str, &[&str])]) -> HashMap<String, Vec<String>> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.iter().map(|s| s.to_string()).collect()))
        .collect()
}

fn allowed(p: &Policy, c: &RequestContext<'_>) -> bool {
    matches!(evaluate(&[p], c), Verdict::Allow(..))
}

/// 002:2255-2285: PutObject/GetObject only from 192.168.1.0/24 or two addresses.
#[test]
fn seed_qcs_ip_allow_list() {
    let p = Policy::parse(r#"{"version":"2.0","principal":{"qcs":["qcs::cam::uin/100000000001:uin/100000000002"]},"statement":[{"effect":"allow","action":["name/cos:PutObject","name/cos:GetObject"],"resource":["qcs::cos:ap-beijing:uid/1250000000:examplebucket-bj-1250000000/*","qcs::cos:ap-guangzhou:uid/1250000000:examplebucket-gz-1250000000/exampleobject"],"condition":{"ip_equal":{"qcs:ip":["192.168.1.0/24","101.226.100.185","101.226.100.186"]}}}]}"#, DEFAULT_MAX_POLICY_LEN).unwrap();
    let bj = "qcs::cos:ap-beijing:uid/1250000000:examplebucket-bj-1250000000/any/key";
    let gz = "qcs::cos:ap-guangzhou:uid/1250000000:examplebucket-gz-1250000000/exampleobject";
    for (action, res, ip, want) in [
        ("name/cos:PutObject", bj, "192.168.1.77", true),
        ("name/cos:GetObject", gz, "101.226.100.186", true),
        ("name/cos:GetObject", gz, "101.226.100.187", false),
        ("name/cos:GetObject", bj, "10.0.0.1", false),
        ("name/cos:DeleteObject", bj, "192.168.1.77", false),
        (
            "name/cos:GetObject",
            "qcs::cos:ap-guangzhou:uid/1250000000:examplebucket-gz-1250000000/other",
            "192.168.1.1",
            false,
        ),
    ] {
        let k = keys(&[("qcs:ip", &[ip])]);
        assert_eq!(
            allowed(&p, &ctx(action, res, &k)),
            want,
            "{action} {res} {ip}"
        );
    }
    // No IP in the request: the condition cannot hold.
    let none = HashMap::new();
    assert!(!allowed(&p, &ctx("name/cos:PutObject", bj, &none)));
    // Another principal is not covered.
    let k = keys(&[("qcs:ip", &["192.168.1.77"])]);
    let mut other = ctx("name/cos:PutObject", bj, &k);
    other.principal = "qcs::cam::uin/100000000001:uin/100000000003";
    assert!(!allowed(&p, &other));
}

/// 002:3160-3253: qcs:request_tag with for_any_value / for_all_value and the seed's tables.
#[test]
fn seed_request_tag_qualifiers() {
    let policy = |op: &str| {
        Policy::parse(&format!(r#"{{"version":"2.0","statement":[{{"principal":{{"qcs":["qcs::cam:uin/100000000001:uin/100000000002"]}},"effect":"allow","action":["name/cos:PutBucket"],"resource":"*","condition":{{"{op}":{{"qcs:request_tag":["a&b","c&d"]}}}}}}]}}"#), DEFAULT_MAX_POLICY_LEN).unwrap()
    };
    let any = policy("for_any_value:string_equal");
    let all = policy("for_all_value:string_equal");
    let res = "qcs::cos:ap-guangzhou:uid/1250000000:b-1250000000/";
    for (tags, want_any, want_all) in [
        (&["a&b", "c&d"][..], true, true),
        (&["a&b"][..], true, true),
        (&["a&b", "c&d", "e&f"][..], true, false),
        (&["e&f"][..], false, false),
    ] {
        let k = keys(&[("qcs:request_tag", tags)]);
        assert_eq!(
            allowed(&any, &ctx("name/cos:PutBucket", res, &k)),
            want_any,
            "any {tags:?}"
        );
        assert_eq!(
            allowed(&all, &ctx("name/cos:PutBucket", res, &k)),
            want_all,
            "all {tags:?}"
        );
    }
}

/// 002:2517-2648 style: content-length limits with an explicit deny companion.
#[test]
fn content_length_limit_with_deny() {
    let p = Policy::parse(r#"{"version":"2.0","statement":[
        {"effect":"allow","action":["name/cos:PutObject"],"resource":["qcs::cos:ap-guangzhou:uid/1250000000:examplebucket-1250000000/*"],"condition":{"numeric_less_than_equal":{"cos:content-length":10}}},
        {"effect":"deny","action":["name/cos:PutObject"],"resource":["qcs::cos:ap-guangzhou:uid/1250000000:examplebucket-1250000000/*"],"condition":{"numeric_greater_than":{"cos:content-length":10}}}]}"#, DEFAULT_MAX_POLICY_LEN).unwrap();
    let res = "qcs::cos:ap-guangzhou:uid/1250000000:examplebucket-1250000000/f";
    let small = keys(&[("cos:content-length", &["10"])]);
    let big = keys(&[("cos:content-length", &["11"])]);
    assert_eq!(
        evaluate(&[&p], &ctx("name/cos:PutObject", res, &small)),
        Verdict::Allow(0, 0)
    );
    assert_eq!(
        evaluate(&[&p], &ctx("name/cos:PutObject", res, &big)),
        Verdict::ExplicitDeny(0, 1)
    );
}

#[test]
fn explicit_deny_in_any_policy_wins() {
    let allow = Policy::parse(
        r#"{"version":"2.0","statement":{"effect":"allow","action":"*","resource":"*"}}"#,
        4096,
    )
    .unwrap();
    let deny = Policy::parse(r#"{"version":"2.0","statement":{"effect":"Deny","action":"cos:Delete*","resource":"qcs::cos::uid/1250000000:b-1250000000/keep/*"}}"#, 4096).unwrap();
    let k = HashMap::new();
    let keep = "qcs::cos:ap-shanghai:uid/1250000000:b-1250000000/keep/x";
    assert_eq!(
        evaluate(&[&allow, &deny], &ctx("name/cos:DeleteObject", keep, &k)),
        Verdict::ExplicitDeny(1, 0)
    );
    assert_eq!(
        evaluate(&[&allow, &deny], &ctx("name/cos:GetObject", keep, &k)),
        Verdict::Allow(0, 0)
    );
    assert_eq!(
        evaluate(&[&deny], &ctx("name/cos:GetObject", keep, &k)),
        Verdict::NoMatch
    );
}

#[test]
fn resources_actions_and_principals_normalise() {
    // Legacy prefix form, upper-case element names and effect, AWS operator spelling.
    let p = Policy::parse(r#"{"version":"2.0","Statement":[{"Principal":{"qcs":["qcs::cam::uin/100000000009:uin/100000000009"]},"Effect":"Allow","Action":["name/cos:GetObject"],"Resource":["qcs::cos:ap-guangzhou:uid/1250000000:prefix//1250000000/examplebucket/doc/*"],"Condition":{"ForAnyValue:StringEquals":{"cos:x-cos-acl":["private"]}}}]}"#, 4096).unwrap();
    assert_eq!(
        p.statements[0].resources[0],
        "qcs::cos:ap-guangzhou:uid/1250000000:examplebucket-1250000000/doc/*"
    );
    let k = keys(&[("cos:x-cos-acl", &["private"])]);
    let res = "qcs::cos:ap-guangzhou:uid/1250000000:examplebucket-1250000000/doc/a.txt";
    // A sub-account of the named root account is covered by the root grant.
    let mut c = ctx("name/cos:GetObject", res, &k);
    c.principal = "qcs::cam::uin/100000000009:uin/100000000010";
    c.root_uin = Some("100000000009");
    assert!(allowed(&p, &c));
    c.root_uin = Some("100000000001");
    c.principal = SUB;
    assert!(!allowed(&p, &c));
    // Anonymous principal and cos: action shorthand.
    let anon = Policy::parse(r#"{"version":"2.0","principal":{"qcs":["qcs::cam::anyone:anyone"]},"statement":[{"effect":"allow","action":["cos:GetObject"],"resource":["qcs::cos:ap-guangzhou:uid/1250000000:examplebucket-1250000000/*"]}]}"#, 4096).unwrap();
    let none = HashMap::new();
    let mut a = ctx("name/cos:GetObject", res, &none);
    a.principal = "qcs::cam::anyone:anyone";
    a.root_uin = None;
    assert!(allowed(&anon, &a));
}

#[test]
fn operator_table() {
    #[allow(clippy::type_complexity)]
    let rows: &[(&str, &[&str], Option<&str>, bool)] = &[
        ("string_equal", &["image/jpeg"], Some("image/jpeg"), true),
        ("string_equal", &["image/jpeg"], Some("IMAGE/JPEG"), false),
        ("string_equal", &["image/jpeg"], None, false),
        ("string_equal_if_exist", &["image/jpeg"], None, true),
        (
            "string_equal_if_exists",
            &["image/jpeg"],
            Some("text/plain"),
            false,
        ),
        ("string_not_equal", &["a", "b"], Some("c"), true),
        ("string_not_equal", &["a", "b"], Some("b"), false),
        (
            "string_equal_ignore_case",
            &["Image/JPEG"],
            Some("image/jpeg"),
            true,
        ),
        (
            "string_not_equal_ignore_case",
            &["Image/JPEG"],
            Some("image/jpeg"),
            false,
        ),
        ("string_like", &["image/*"], Some("image/png"), true),
        ("string_like", &["image/*"], Some("text/png"), false),
        ("string_not_like", &["image/*"], Some("text/png"), true),
        ("numeric_equal", &["10"], Some("10.0"), true),
        ("numeric_not_equal", &["10"], Some("11"), true),
        ("numeric_greater_than", &["10"], Some("11"), true),
        ("numeric_greater_than_equal", &["10"], Some("10"), true),
        ("numeric_less_than", &["10"], Some("10"), false),
        ("numeric_less_than_equal", &["1.2"], Some("1.1"), true),
        ("numeric_less_than_if_exist", &["10"], None, true),
        ("numeric_less_than", &["10"], Some("not a number"), false),
        ("bool_equal", &["true"], Some("true"), true),
        ("bool_equal", &["true"], Some("false"), false),
        (
            "date_greater_than",
            &["2022-11-11T12:00:00Z"],
            Some("2022-11-12T00:00:00Z"),
            true,
        ),
        (
            "date_less_than",
            &["2022-11-11T12:00:00Z"],
            Some("2022-11-12T00:00:00Z"),
            false,
        ),
        (
            "date_equal",
            &["2022-11-11T12:00:00Z"],
            Some("2022-11-11T20:00:00+08:00"),
            true,
        ),
        (
            "date_not_equal",
            &["2022-11-11T12:00:00Z"],
            Some("2022-11-11T12:00:01Z"),
            true,
        ),
        (
            "date_greater_than_equal",
            &["2022-11-11T12:00:00Z"],
            Some("2022-11-11T12:00:00Z"),
            true,
        ),
        (
            "date_less_than_equal",
            &["2022-11-11T12:00:00Z"],
            Some("2022-11-11T11:59:59Z"),
            true,
        ),
        ("ip_equal", &["10.0.0.0/8"], Some("10.1.2.3"), true),
        ("ip_equal", &["10.0.0.0/8"], Some("11.1.2.3"), false),
        ("ip_equal", &["2001:db8::/32"], Some("2001:db8::1"), true),
        ("ip_not_equal", &["127.0.0.1"], Some("127.0.0.1"), false),
        ("ip_not_equal", &["127.0.0.1"], Some("127.0.0.2"), true),
    ];
    for (op, pol, req, want) in rows {
        let (operator, qualifier, if_exist) = Operator::parse(op).unwrap();
        let c = Condition {
            operator,
            qualifier,
            if_exist,
            key: "k".into(),
            values: pol.iter().map(|s| s.to_string()).collect(),
        };
        let r: Option<Vec<String>> = req.map(|v| vec![v.to_string()]);
        assert_eq!(c.holds(r.as_deref()), *want, "{op} {pol:?} {req:?}");
    }
    assert!(Operator::parse("string_equals").is_none());
    assert!(Operator::parse("sometimes:string_equal").is_none());
}

#[test]
fn malformed_policies_name_the_problem() {
    for (text, needle) in [
        ("not json", "not JSON"),
        (r#"{"version":"1.0","statement":[]}"#, "version"),
        (r#"{"version":"2.0","statement":[]}"#, "statement"),
        (
            r#"{"version":"2.0","statement":{"effect":"maybe","action":"*","resource":"*"}}"#,
            "effect",
        ),
        (
            r#"{"version":"2.0","statement":{"effect":"allow","resource":"*"}}"#,
            "action",
        ),
        (
            r#"{"version":"2.0","statement":{"effect":"allow","action":"*"}}"#,
            "resource",
        ),
        (
            r#"{"version":"2.0","statement":{"effect":"allow","action":"GetObject","resource":"*"}}"#,
            "action",
        ),
        (
            r#"{"version":"2.0","statement":{"effect":"allow","action":"*","resource":"bucket/*"}}"#,
            "resource",
        ),
        (
            r#"{"version":"2.0","statement":{"effect":"allow","action":"*","resource":"*","extra":1}}"#,
            "extra",
        ),
        (
            r#"{"version":"2.0","statement":{"effect":"allow","action":"*","resource":"*","condition":{"string_equals":{"a":"b"}}}}"#,
            "string_equals",
        ),
        (
            r#"{"version":"2.0","statement":{"effect":"allow","action":"*","resource":"*","condition":{"ip_equal":{"qcs:ip":"999.1.1.1"}}}}"#,
            "qcs:ip",
        ),
        (
            r#"{"version":"2.0","statement":{"effect":"allow","action":"*","resource":"*","condition":{"numeric_equal":{"cos:content-length":"ten"}}}}"#,
            "content-length",
        ),
        (
            r#"{"version":"2.0","principal":{"qcs":["uin/1"]},"statement":{"effect":"allow","action":"*","resource":"*"}}"#,
            "principal",
        ),
    ] {
        let e = Policy::parse(text, DEFAULT_MAX_POLICY_LEN).unwrap_err();
        assert!(e.0.contains(needle), "{text}: {e}");
    }
    let big = format!(
        r#"{{"version":"2.0","statement":{{"effect":"allow","action":"*","resource":"{}"}}}}"#,
        "x".repeat(5000)
    );
    assert!(Policy::parse(&big, DEFAULT_MAX_POLICY_LEN)
        .unwrap_err()
        .0
        .contains("at most"));
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    fn statement_strategy() -> impl Strategy<Value = Statement> {
        (
            prop::bool::ANY,
            prop::sample::select(vec![
                "*",
                "name/cos:Get*",
                "name/cos:GetObject",
                "name/cos:PutObject",
            ]),
            prop::sample::select(vec![
                "*",
                "qcs::cos:ap-guangzhou:uid/1250000000:b-1250000000/*",
                "qcs::cos:ap-guangzhou:uid/1250000000:b-1250000000/a/*",
                "qcs::cos:*:uid/1250000000:c-1250000000/*",
            ]),
            prop::option::of(prop::sample::select(vec!["1.2.3.4", "10.0.0.0/8"])),
        )
            .prop_map(|(deny, action, resource, ip)| Statement {
                effect: if deny { Effect::Deny } else { Effect::Allow },
                principals: None,
                actions: vec![action.to_string()],
                resources: vec![resource.to_string()],
                conditions: ip
                    .map(|v| Condition {
                        operator: Operator::IpEqual,
                        qualifier: Qualifier::Single,
                        if_exist: false,
                        key: "qcs:ip".into(),
                        values: vec![v.into()],
                    })
                    .into_iter()
                    .collect(),
                aws: None,
            })
    }

    fn request() -> impl Strategy<Value = (&'static str, &'static str, &'static str)> {
        (
            prop::sample::select(vec![
                "name/cos:GetObject",
                "name/cos:PutObject",
                "name/cos:DeleteObject",
            ]),
            prop::sample::select(vec![
                "qcs::cos:ap-guangzhou:uid/1250000000:b-1250000000/a/x",
                "qcs::cos:ap-guangzhou:uid/1250000000:b-1250000000/z",
                "qcs::cos:ap-beijing:uid/1250000000:c-1250000000/q",
            ]),
            prop::sample::select(vec!["1.2.3.4", "10.9.9.9", "8.8.8.8"]),
        )
    }

    proptest! {
        #[test]
        fn adding_a_deny_never_grants_more(stmts in prop::collection::vec(statement_strategy(), 0..6), extra in statement_strategy(), (action, res, ip) in request()) {
            let k = keys(&[("qcs:ip", &[ip])]);
            let c = ctx(action, res, &k);
            let before = Policy { statements: stmts.clone() };
            let mut more = stmts;
            more.push(Statement { effect: Effect::Deny, ..extra });
            let after = Policy { statements: more };
            prop_assert!(allowed(&before, &c) || !allowed(&after, &c), "granted more");
        }

        #[test]
        fn removing_an_allow_never_grants_more(stmts in prop::collection::vec(statement_strategy(), 1..6), idx in 0usize..6, (action, res, ip) in request()) {
            let k = keys(&[("qcs:ip", &[ip])]);
            let c = ctx(action, res, &k);
            let before = Policy { statements: stmts.clone() };
            let i = idx % stmts.len();
            let mut fewer = stmts;
            if fewer[i].effect == Effect::Allow {
                fewer.remove(i);
            }
            let after = Policy { statements: fewer };
            prop_assert!(allowed(&before, &c) || !allowed(&after, &c), "granted more");
        }

        #[test]
        fn nothing_matching_means_no_grant(stmts in prop::collection::vec(statement_strategy(), 0..6), (_, res, ip) in request()) {
            let k = keys(&[("qcs:ip", &[ip])]);
            // No generated statement names this action.
            let c = ctx("name/cos:PutBucketACL", res, &k);
            let p = Policy { statements: stmts.into_iter().filter(|s| s.actions[0] != "*").collect() };
            prop_assert_eq!(evaluate(&[&p], &c), Verdict::NoMatch);
        }

        #[test]
        fn ingestion_never_panics(text in ".{0,300}") {
            let _ = Policy::parse(&text, DEFAULT_MAX_POLICY_LEN);
            let _ = Policy::parse(&format!(r#"{{"version":"2.0","statement":{{"effect":"allow","action":"*","resource":"*","condition":{text}}}}}"#), DEFAULT_MAX_POLICY_LEN);
        }
    }
}
