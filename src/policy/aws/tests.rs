//! Table tests: AWS policy parsing and translation, and decisions per element.

use super::*;
use crate::policy::cam::{evaluate, Verdict};
use std::collections::HashMap;

const ROOT: &str = "100000000001";
const OTHER: &str = "100000000009";
const OBJ: &str = "qcs::cos:ap-guangzhou:uid/1250000000:b-1250000000/doc/a.txt";
const BUCKET: &str = "qcs::cos:ap-guangzhou:uid/1250000000:b-1250000000/";

fn doc(statements: &str) -> String {
    format!(r#"{{"Version":"2012-10-17","Statement":[{statements}]}}"#)
}

fn parse(statements: &str) -> Policy {
    match parse_bucket_policy(&doc(statements)) {
        Ok((p, Language::Aws)) => p,
        other => panic!("{statements}: {other:?}"),
    }
}

type Keys = HashMap<String, Vec<String>>;

fn keys(pairs: &[(&str, &str)]) -> Keys {
    let mut k = Keys::new();
    for (n, v) in pairs {
        k.entry(n.to_string()).or_default().push(v.to_string());
    }
    k
}

/// Who: "anon", "root" (ROOT), "sub" (ROOT's 200), "other" (OTHER's root), "osub" (OTHER's 300).
fn who(w: &str) -> (String, Option<&'static str>, Option<&'static str>) {
    match w {
        "anon" => ("qcs::cam::anyone:anyone".into(), None, None),
        "root" => (
            format!("qcs::cam::uin/{ROOT}:uin/{ROOT}"),
            Some(ROOT),
            Some("AKIDroot"),
        ),
        "sub" => (
            format!("qcs::cam::uin/{ROOT}:uin/200"),
            Some(ROOT),
            Some("AKIDsub"),
        ),
        "other" => (
            format!("qcs::cam::uin/{OTHER}:uin/{OTHER}"),
            Some(OTHER),
            Some("AKIDother"),
        ),
        "osub" => (
            format!("qcs::cam::uin/{OTHER}:uin/300"),
            Some(OTHER),
            Some("AKIDosub"),
        ),
        _ => unreachable!(),
    }
}

fn verdict(p: &Policy, w: &str, action: &str, resource: &str, k: &Keys) -> &'static str {
    let (principal, root_uin, secret_id) = who(w);
    let ctx = RequestContext {
        principal: &principal,
        root_uin,
        secret_id,
        action,
        resource,
        keys: k,
    };
    match evaluate(&[p], &ctx) {
        Verdict::Allow(..) => "allow",
        Verdict::ExplicitDeny(..) => "deny",
        Verdict::NoMatch => "none",
    }
}

#[test]
fn detection_keeps_cam_policies_cam() {
    let cam = r#"{"version":"2.0","statement":[{"principal":{"qcs":["qcs::cam::anyone:anyone"]},"effect":"allow","action":["name/cos:GetObject"],"resource":["qcs::cos:ap-guangzhou:uid/1250000000:b-1250000000/*"]}]}"#;
    assert_eq!(parse_bucket_policy(cam).unwrap().1, Language::Cam);
    assert_eq!(language_of(cam), Language::Cam);
    // COS's GET shape (capitalised Statement, lower-case version) is still CAM.
    let cos_shape = r#"{"Statement":[{"Principal":{"qcs":["qcs::cam::anyone:anyone"]},"Effect":"allow","Action":["name/cos:GetObject"],"Resource":["qcs::cos:ap-guangzhou:uid/1250000000:b-1250000000/*"]}],"version":"2.0"}"#;
    assert_eq!(parse_bucket_policy(cos_shape).unwrap().1, Language::Cam);
    let aws = doc(
        r#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b-1250000000/*"}"#,
    );
    assert_eq!(language_of(&aws), Language::Aws);
    // Version is optional in AWS (2008-10-17 then).
    let no_version = r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b-1250000000/*"}]}"#;
    assert_eq!(parse_bucket_policy(no_version).unwrap().1, Language::Aws);
}

#[test]
fn translation() {
    let p = parse(
        r#"{"Sid":"S1","Effect":"Allow","Principal":{"AWS":["100000000009","arn:aws:iam::100000000001:root","arn:aws:iam::100000000001:user/200","arn:aws:iam::100000000001:user/team/201","AKIDxyz"]},"Action":["s3:GetObject","s3:ListBucket","s3:getobjectversion"],"Resource":["arn:aws:s3:::b-1250000000","arn:aws:s3:::b-1250000000/*"],"Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"},"StringLike":{"S3:Prefix":["home/*"]},"DateLessThan":{"aws:CurrentTime":1700000000}}}"#,
    );
    let s = &p.statements[0];
    assert_eq!(
        s.principals.as_deref().unwrap(),
        [
            "qcs::cam::uin/100000000009:uin/100000000009",
            "qcs::cam::uin/100000000001:uin/100000000001",
            "qcs::cam::uin/100000000001:uin/200",
            "qcs::cam::uin/100000000001:uin/201",
            "key:AKIDxyz"
        ]
    );
    // GetObject + GetObjectVersion cover every version; ListBucket is GetBucket + HeadBucket.
    let mut got = s.actions.clone();
    got.sort();
    assert_eq!(
        got,
        [
            "name/cos:GetBucket",
            "name/cos:GetObject",
            "name/cos:HeadBucket",
            "name/cos:HeadObject"
        ]
    );
    let aws = s.aws.as_ref().unwrap();
    assert!(aws.scoped_actions.is_empty(), "{:?}", aws.scoped_actions);
    assert_eq!(aws.sid.as_deref(), Some("S1"));
    let keys: Vec<(&str, &str)> = s
        .conditions
        .iter()
        .map(|c| (c.key.as_str(), c.values[0].as_str()))
        .collect();
    assert!(keys.contains(&("qcs:ip", "10.0.0.0/8")));
    assert!(keys.contains(&("s3:prefix", "home/*")));
    assert!(keys.contains(&("aws:CurrentTime", "2023-11-14T22:13:20Z")));

    let p = parse(
        r#"{"Effect":"Deny","NotPrincipal":{"AWS":"100000000001"},"NotAction":"s3:Get*","NotResource":"arn:aws:s3:::b-1250000000/public/*"}"#,
    );
    let a = p.statements[0].aws.as_ref().unwrap();
    assert!(a.not_principal && a.not_action && a.not_resource);
    // s3:Get* covers GetObject and GetObjectVersion: both scopes, so any version.
    assert!(p.statements[0]
        .actions
        .contains(&"name/cos:GetObject".to_string()));
    assert!(p.statements[0]
        .actions
        .contains(&"name/cos:GetBucketPolicy".to_string()));
    assert!(!p.statements[0]
        .actions
        .contains(&"name/cos:GetBucket".to_string()));

    let p = parse(
        r#"{"Effect":"Allow","Principal":"*","Action":["s3:DeleteObjectVersion","s3:PutObject"],"Resource":"*"}"#,
    );
    assert_eq!(
        p.statements[0].aws.as_ref().unwrap().scoped_actions,
        [ScopedAction {
            action: "name/cos:DeleteObject".into(),
            versioned: true
        }]
    );
    assert!(p.statements[0]
        .actions
        .contains(&"name/cos:CompleteMultipartUpload".to_string()));
    let p = parse(r#"{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"s3:*","Resource":"*"}"#);
    assert_eq!(p.statements[0].actions, ["name/cos:*"]);
    assert_eq!(p.statements[0].principals.as_deref().unwrap(), ["*"]);
}

#[test]
fn malformed_policies_name_the_problem() {
    let st = |body: &str| doc(body);
    for (text, needle) in [
        ("not json".to_string(), "not JSON"),
        (r#"{"Version":"2012-10-17"}"#.to_string(), "Statement"),
        (
            r#"{"Version":"2012-10-17","Statement":[]}"#.to_string(),
            "Statement",
        ),
        (
            r#"{"Version":"2012-10-17","statement":[{}]}"#.to_string(),
            "\"Statement\"",
        ),
        (
            r#"{"Version":"2012-10-17","Statement":[{}],"Extra":1}"#.to_string(),
            "Extra",
        ),
        (
            st(r#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObjekt","Resource":"*"}"#),
            "invalid action \"s3:GetObjekt\"",
        ),
        (
            st(r#"{"Effect":"Allow","Principal":"*","Action":"s3:Fly*","Resource":"*"}"#),
            "invalid action",
        ),
        (
            st(r#"{"Effect":"Allow","Principal":"*","Action":"ec2:RunInstances","Resource":"*"}"#),
            "invalid action",
        ),
        (
            st(r#"{"Effect":"allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}"#),
            "Invalid effect",
        ),
        (
            st(r#"{"Principal":"*","Action":"s3:GetObject","Resource":"*"}"#),
            "Effect",
        ),
        (
            st(r#"{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}"#),
            "Missing required field Principal",
        ),
        (
            st(
                r#"{"Effect":"Allow","Principal":"*","NotPrincipal":"*","Action":"s3:GetObject","Resource":"*"}"#,
            ),
            "not both",
        ),
        (
            st(
                r#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","NotAction":"s3:PutObject","Resource":"*"}"#,
            ),
            "not both",
        ),
        (
            st(r#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject"}"#),
            "Missing required field Resource",
        ),
        (
            st(
                r#"{"Effect":"Allow","Principal":{"CanonicalUser":"abc"},"Action":"s3:GetObject","Resource":"*"}"#,
            ),
            "CanonicalUser",
        ),
        (
            st(
                r#"{"Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},"Action":"s3:GetObject","Resource":"*"}"#,
            ),
            "Service",
        ),
        (
            st(
                r#"{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::12*:root"},"Action":"s3:GetObject","Resource":"*"}"#,
            ),
            "Invalid principal",
        ),
        (
            st(
                r#"{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::100000000001:role/r"},"Action":"s3:GetObject","Resource":"*"}"#,
            ),
            "Invalid principal",
        ),
        (
            st(
                r#"{"Effect":"Allow","Principal":{"AWS":"arn:aws:sts::1:assumed-role/x"},"Action":"s3:GetObject","Resource":"*"}"#,
            ),
            "Invalid principal",
        ),
        (
            st(
                r#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:ec2:::x"}"#,
            ),
            "invalid resource",
        ),
        (
            st(
                r#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/${aws:username}/*"}"#,
            ),
            "policy variable",
        ),
        (
            st(
                r#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/team":"x"}}}"#,
            ),
            "invalid condition key \"aws:PrincipalTag/team\"",
        ),
        (
            st(
                r#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*","Condition":{"StringEqualz":{"s3:prefix":"x"}}}"#,
            ),
            "Invalid Condition type",
        ),
        (
            st(
                r#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*","Condition":{"string_equal":{"s3:prefix":"x"}}}"#,
            ),
            "Invalid Condition type",
        ),
        (
            st(
                r#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*","Condition":{"ArnLike":{"aws:SourceArn":"x"}}}"#,
            ),
            "Invalid Condition type",
        ),
        (
            st(
                r#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*","Condition":{"NullIfExists":{"s3:prefix":"true"}}}"#,
            ),
            "Invalid Condition type",
        ),
        (
            st(
                r#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"not-an-ip"}}}"#,
            ),
            "cannot compare",
        ),
        (
            st(
                r#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*","Condition":{"NumericLessThan":{"s3:max-keys":"ten"}}}"#,
            ),
            "cannot compare",
        ),
        (
            st(
                r#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"yesterday"}}}"#,
            ),
            "cannot compare",
        ),
        (
            st(
                r#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"s3:prefix":"${aws:username}"}}}"#,
            ),
            "policy variable",
        ),
        (
            st(
                r#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{}}}"#,
            ),
            "names no key",
        ),
        (
            r#"{"Version":"2012-10-18","Statement":[]}"#.to_string(),
            "version",
        ),
    ] {
        match parse_bucket_policy(&text) {
            Ok(p) => panic!("{text} parsed: {p:?}"),
            Err(e) => assert!(e.0.contains(needle), "{text}: {e} lacks {needle:?}"),
        }
    }
    // 2008-10-17 has no policy variables: `${` is text there.
    let old = r#"{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/${x}"}]}"#;
    assert!(parse_bucket_policy(old).is_ok());
}

#[test]
fn resources_and_their_bucket() {
    for (r, res, want) in [
        ("arn:aws:s3:::b-1250000000/*", OBJ, true),
        ("arn:aws:s3:::b-1250000000/*", BUCKET, false),
        ("arn:aws:s3:::b-1250000000", BUCKET, true),
        ("arn:aws:s3:::b-1250000000", OBJ, false),
        ("arn:aws:s3:::b-1250000000/doc/?.txt", OBJ, true),
        ("arn:aws:s3:::b-1250000000/doc/??.txt", OBJ, false),
        ("arn:aws:s3:::b-125000000?", BUCKET, true),
        ("*", OBJ, true),
    ] {
        let p = parse(&format!(
            r#"{{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"{r}"}}"#
        ));
        let got = verdict(&p, "anon", "name/cos:GetObject", res, &Keys::new()) == "allow";
        assert_eq!(got, want, "{r} on {res}");
    }
    assert_eq!(arn_path(OBJ), Some("b-1250000000/doc/a.txt"));
    assert_eq!(arn_path(BUCKET), Some("b-1250000000"));
    assert_eq!(arn_path("qcs::cos:r:uid/1:b-1/dir/"), Some("b-1/dir/"));
    assert_eq!(arn_path("*"), None);
    assert!(names_bucket("arn:aws:s3:::b-1", "b-1"));
    assert!(names_bucket("arn:aws:s3:::b-1/x*", "b-1"));
    assert!(!names_bucket("arn:aws:s3:::b-12/x", "b-1"));
    assert!(!names_bucket("arn:aws:s3:::b-*", "b-1"));
}

#[test]
fn decisions_per_element() {
    let none = Keys::new();
    let allow_get = parse(
        r#"{"Effect":"Allow","Principal":{"AWS":"100000000009"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b-1250000000/*"}"#,
    );
    let not_principal = parse(
        r#"{"Effect":"Deny","NotPrincipal":{"AWS":["arn:aws:iam::100000000001:root","arn:aws:iam::100000000001:user/200"]},"Action":"s3:*","Resource":"*"}"#,
    );
    let not_root_only = parse(
        r#"{"Effect":"Deny","NotPrincipal":{"AWS":"100000000001"},"Action":"s3:*","Resource":"*"}"#,
    );
    let not_action = parse(
        r#"{"Effect":"Allow","Principal":"*","NotAction":["s3:DeleteObject","s3:PutObject"],"Resource":"*"}"#,
    );
    let not_resource = parse(
        r#"{"Effect":"Deny","Principal":"*","Action":"s3:GetObject","NotResource":"arn:aws:s3:::b-1250000000/public/*"}"#,
    );
    let by_key = parse(
        r#"{"Effect":"Allow","Principal":{"AWS":"AKIDsub"},"Action":"s3:GetObject","Resource":"*"}"#,
    );
    let versions = parse(
        r#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObjectVersion","Resource":"*"}"#,
    );
    let ver = keys(&[("cos:versionid", "v1")]);
    for (p, w, action, k, want) in [
        (&allow_get, "other", "name/cos:GetObject", &none, "allow"),
        (&allow_get, "other", "name/cos:HeadObject", &none, "allow"),
        (&allow_get, "other", "name/cos:GetObject", &ver, "none"),
        (&allow_get, "other", "name/cos:PutObject", &none, "none"),
        // The account's sub-account: delegated (its root must grant it too; the decision
        // layer checks that), so the statement does apply.
        (&allow_get, "osub", "name/cos:GetObject", &none, "allow"),
        (&allow_get, "anon", "name/cos:GetObject", &none, "none"),
        (&allow_get, "root", "name/cos:GetObject", &none, "none"),
        (&not_principal, "root", "name/cos:GetObject", &none, "none"),
        (&not_principal, "sub", "name/cos:GetObject", &none, "none"),
        (&not_principal, "other", "name/cos:GetObject", &none, "deny"),
        (&not_principal, "anon", "name/cos:GetObject", &none, "deny"),
        // Listing the account alone does not leave its users out (AWS's rule).
        (&not_root_only, "root", "name/cos:GetObject", &none, "none"),
        (&not_root_only, "sub", "name/cos:GetObject", &none, "deny"),
        (&not_action, "anon", "name/cos:GetObject", &none, "allow"),
        (&not_action, "anon", "name/cos:DeleteObject", &none, "none"),
        // s3:DeleteObject is the current version only: deleting a version is another action.
        (&not_action, "anon", "name/cos:DeleteObject", &ver, "allow"),
        (&not_action, "anon", "name/cos:UploadPart", &none, "none"),
        (&not_resource, "anon", "name/cos:GetObject", &none, "deny"),
        (&by_key, "sub", "name/cos:GetObject", &none, "allow"),
        (&by_key, "root", "name/cos:GetObject", &none, "none"),
        (&versions, "anon", "name/cos:GetObject", &ver, "allow"),
        (&versions, "anon", "name/cos:GetObject", &none, "none"),
    ] {
        assert_eq!(
            verdict(p, w, action, OBJ, k),
            want,
            "{p:?} {w} {action} {k:?}"
        );
    }
    let public = "qcs::cos:ap-guangzhou:uid/1250000000:b-1250000000/public/x";
    assert_eq!(
        verdict(&not_resource, "anon", "name/cos:GetObject", public, &none),
        "none"
    );
}

#[test]
fn conditions_as_aws_evaluates_them() {
    let cond = |c: &str| {
        parse(&format!(
            r#"{{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*","Condition":{c}}}"#
        ))
    };
    let t = "2023-11-14T22:13:20Z";
    for (c, k, want) in [
        (
            r#"{"IpAddress":{"aws:SourceIp":["10.0.0.0/8","::1"]}}"#,
            vec![("qcs:ip", "10.1.2.3")],
            true,
        ),
        (
            r#"{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}"#,
            vec![("qcs:ip", "11.1.2.3")],
            false,
        ),
        (
            r#"{"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}}"#,
            vec![("qcs:ip", "11.1.2.3")],
            true,
        ),
        (
            r#"{"Bool":{"aws:SecureTransport":"false"}}"#,
            vec![("cos:secure-transport", "false")],
            true,
        ),
        (
            r#"{"Bool":{"aws:SecureTransport":true}}"#,
            vec![("cos:secure-transport", "false")],
            false,
        ),
        (
            r#"{"DateGreaterThan":{"aws:CurrentTime":"2023-01-01T00:00:00Z"}}"#,
            vec![("aws:CurrentTime", t)],
            true,
        ),
        (
            r#"{"DateLessThan":{"aws:CurrentTime":"2023-01-01T00:00:00Z"}}"#,
            vec![("aws:CurrentTime", t)],
            false,
        ),
        (
            r#"{"StringEquals":{"aws:username":"200"}}"#,
            vec![("aws:username", "200")],
            true,
        ),
        (
            r#"{"StringEquals":{"aws:userid":"200"}}"#,
            vec![("aws:userid", "201")],
            false,
        ),
        (
            r#"{"StringLike":{"s3:prefix":"home/?/*"}}"#,
            vec![("s3:prefix", "home/a/x")],
            true,
        ),
        (
            r#"{"StringLike":{"s3:prefix":"home/?/*"}}"#,
            vec![("s3:prefix", "home/ab/x")],
            false,
        ),
        // A missing key fails a positive operator, satisfies a negated one (AWS's rule).
        (r#"{"StringLike":{"s3:prefix":"*"}}"#, vec![], false),
        (
            r#"{"StringNotEquals":{"s3:prefix":"secret/"}}"#,
            vec![],
            true,
        ),
        (
            r#"{"StringEqualsIfExists":{"s3:prefix":"x"}}"#,
            vec![],
            true,
        ),
        (
            r#"{"StringEquals":{"s3:delimiter":"/"}}"#,
            vec![("s3:delimiter", "/")],
            true,
        ),
        (
            r#"{"NumericLessThanEquals":{"s3:max-keys":"10"}}"#,
            vec![("s3:max-keys", "100")],
            false,
        ),
        (
            r#"{"NumericLessThanEquals":{"s3:max-keys":10}}"#,
            vec![("s3:max-keys", "10")],
            true,
        ),
        (
            r#"{"StringEquals":{"s3:x-amz-acl":"public-read"}}"#,
            vec![("s3:x-amz-acl", "private")],
            false,
        ),
        (
            r#"{"StringNotEquals":{"s3:x-amz-server-side-encryption":"AES256"}}"#,
            vec![],
            true,
        ),
        (
            r#"{"Null":{"s3:x-amz-server-side-encryption":"true"}}"#,
            vec![],
            true,
        ),
        (
            r#"{"Null":{"s3:x-amz-server-side-encryption":"true"}}"#,
            vec![("s3:x-amz-server-side-encryption", "AES256")],
            false,
        ),
        (
            r#"{"Null":{"s3:x-amz-server-side-encryption":false}}"#,
            vec![("s3:x-amz-server-side-encryption", "AES256")],
            true,
        ),
        (
            r#"{"StringEquals":{"s3:ExistingObjectTag/class":"public"}}"#,
            vec![],
            false,
        ),
        (
            r#"{"StringEquals":{"s3:RequestObjectTag/Class":"public"}}"#,
            vec![("s3:RequestObjectTag/Class", "public")],
            true,
        ),
        (
            r#"{"StringEquals":{"s3:RequestObjectTag/class":"public"}}"#,
            vec![("s3:RequestObjectTag/Class", "public")],
            false,
        ),
        (
            r#"{"ForAllValues:StringEquals":{"s3:RequestObjectTagKeys":["a","b"]}}"#,
            vec![
                ("s3:RequestObjectTagKeys", "a"),
                ("s3:RequestObjectTagKeys", "c"),
            ],
            false,
        ),
        (
            r#"{"ForAllValues:StringEquals":{"s3:RequestObjectTagKeys":["a","b"]}}"#,
            vec![("s3:RequestObjectTagKeys", "a")],
            true,
        ),
        (
            r#"{"ForAnyValue:StringEquals":{"s3:RequestObjectTagKeys":["b"]}}"#,
            vec![
                ("s3:RequestObjectTagKeys", "a"),
                ("s3:RequestObjectTagKeys", "b"),
            ],
            true,
        ),
        (
            r#"{"ForAnyValue:StringEquals":{"s3:RequestObjectTagKeys":["b"]}}"#,
            vec![],
            false,
        ),
        (
            r#"{"StringEquals":{"s3:signatureversion":"AWS4-HMAC-SHA256"}}"#,
            vec![("s3:signatureversion", "AWS")],
            false,
        ),
        (
            r#"{"StringEquals":{"s3:VersionId":"v1"}}"#,
            vec![("cos:versionid", "v1")],
            true,
        ),
        // Two keys in one operator, two operators: all must hold.
        (
            r#"{"StringEquals":{"s3:prefix":"a","s3:delimiter":"/"},"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}"#,
            vec![
                ("s3:prefix", "a"),
                ("s3:delimiter", "/"),
                ("qcs:ip", "10.0.0.1"),
            ],
            true,
        ),
        (
            r#"{"StringEquals":{"s3:prefix":"a","s3:delimiter":"/"},"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}"#,
            vec![("s3:prefix", "a"), ("qcs:ip", "10.0.0.1")],
            false,
        ),
    ] {
        let p = cond(c);
        let got = verdict(&p, "anon", "name/cos:GetBucket", BUCKET, &keys(&k)) == "allow";
        assert_eq!(got, want, "{c} with {k:?}");
    }
}

#[test]
fn explicit_deny_wins_across_statements() {
    let p = parse(
        r#"{"Sid":"all","Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"},{"Sid":"no-http","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}"#,
    );
    let http = keys(&[("cos:secure-transport", "false")]);
    let https = keys(&[("cos:secure-transport", "true")]);
    assert_eq!(
        verdict(&p, "anon", "name/cos:GetObject", OBJ, &http),
        "deny"
    );
    assert_eq!(
        verdict(&p, "anon", "name/cos:GetObject", OBJ, &https),
        "allow"
    );
}

#[test]
fn action_table_names_real_operations() {
    // Every cosd action an S3 action maps to is one an operation is authorized with, or the
    // name `unimplemented_action` gives an operation cosd does not implement yet.
    for (aws, cos) in actions::TABLE {
        assert!(actions::expand(&format!("s3:{aws}")).is_some(), "{aws}");
        for (a, _) in cos.iter() {
            assert!(
                a.chars().next().is_some_and(|c| c.is_ascii_uppercase()),
                "{aws} -> {a}"
            );
        }
    }
    assert_eq!(
        actions::primary("s3:ListBucket"),
        Some(("name/cos:GetBucket".into(), actions::Scope::Any))
    );
    assert_eq!(actions::expand("s3:listbucket").unwrap().len(), 2);
    assert!(actions::expand("s3:Nothing").is_none());
    assert!(actions::expand("GetObject").is_none());
}

#[test]
fn key_names() {
    for (aws, internal) in [
        ("aws:SourceIp", Some("qcs:ip")),
        ("AWS:SOURCEIP", Some("qcs:ip")),
        ("aws:SecureTransport", Some("cos:secure-transport")),
        ("s3:x-amz-acl", Some("s3:x-amz-acl")),
        (
            "s3:existingobjecttag/Team",
            Some("s3:ExistingObjectTag/Team"),
        ),
        ("s3:RequestObjectTag/", None),
        ("aws:SourceVpce", None),
        ("qcs:ip", None),
    ] {
        assert_eq!(keys::internal_name(aws).as_deref(), internal, "{aws}");
    }
}

#[test]
fn aws_keys_are_extracted_from_the_request() {
    use crate::auth::Identity;
    use crate::policy::keys::{extract, KeySource};
    use http::{HeaderMap, HeaderValue};
    let mut h = HeaderMap::new();
    h.insert(
        "authorization",
        HeaderValue::from_static("AWS4-HMAC-SHA256 Credential=x"),
    );
    h.insert("x-amz-acl", HeaderValue::from_static("public-read"));
    h.insert(
        "x-cos-server-side-encryption",
        HeaderValue::from_static("AES256"),
    );
    h.insert(
        "x-amz-tagging",
        HeaderValue::from_static("Team=a%20b&env=prod"),
    );
    let q: Vec<(String, String)> = [("prefix", "home/"), ("delimiter", "/"), ("max-keys", "5")]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let sub = Identity::Account {
        secret_id: "AKIDsub".into(),
        uin: "200".into(),
        root_uin: ROOT.into(),
    };
    let src = |action, identity| KeySource {
        action,
        headers: &h,
        query: &q,
        client_ip: None,
        tls_version: None,
        now_secs: 1_700_000_000,
        resource_tags: &[],
        object_tags: &[],
        identity,
    };
    let one = |k: &Keys, n: &str| k.get(n).map(|v| v.join(","));
    let k = extract(&src("name/cos:GetBucket", &sub));
    assert_eq!(one(&k, "s3:prefix").as_deref(), Some("home/"));
    assert_eq!(one(&k, "s3:delimiter").as_deref(), Some("/"));
    assert_eq!(one(&k, "s3:max-keys").as_deref(), Some("5"));
    assert_eq!(
        one(&k, "aws:CurrentTime").as_deref(),
        Some("2023-11-14T22:13:20Z")
    );
    assert_eq!(one(&k, "aws:EpochTime").as_deref(), Some("1700000000"));
    assert_eq!(one(&k, "aws:username").as_deref(), Some("200"));
    assert_eq!(one(&k, "aws:userid").as_deref(), Some("200"));
    assert_eq!(one(&k, "aws:PrincipalType").as_deref(), Some("User"));
    assert_eq!(
        one(&k, "s3:signatureversion").as_deref(),
        Some("AWS4-HMAC-SHA256")
    );
    assert_eq!(one(&k, "s3:authType").as_deref(), Some("REST-HEADER"));
    assert_eq!(one(&k, "s3:x-amz-acl").as_deref(), Some("public-read"));
    assert_eq!(
        one(&k, "s3:x-amz-server-side-encryption").as_deref(),
        Some("AES256")
    );
    assert_eq!(one(&k, "s3:RequestObjectTag/Team"), None, "writes only");
    let k = extract(&src("name/cos:PutObject", &Identity::Anonymous));
    assert_eq!(one(&k, "s3:prefix"), None, "listings only");
    assert_eq!(one(&k, "aws:username"), None);
    assert_eq!(one(&k, "aws:userid").as_deref(), Some("anonymous"));
    assert_eq!(one(&k, "s3:RequestObjectTag/Team").as_deref(), Some("a b"));
    assert_eq!(
        one(&k, "s3:RequestObjectTagKeys").as_deref(),
        Some("Team,env")
    );
}
