//! Who may do what when user policies, bucket policies and ACLs combine, including the seed's
//! cross-account case (002:3706-3772).

use super::*;
use crate::policy::acl::{Grant, Grantee, Permission};
use crate::policy::cam::DEFAULT_MAX_POLICY_LEN;
use crate::types::CannedAcl;

const OWNER: &str = "100000000001";
const RES: &str = "qcs::cos:ap-guangzhou:uid/1250000000:examplebucket-1250000000/doc/a.txt";
const GET: &str = "name/cos:GetObject";

fn acct(uin: &str, root: &str) -> Identity {
    Identity::Account {
        secret_id: "k".into(),
        uin: uin.into(),
        root_uin: root.into(),
    }
}

fn pol(text: &str) -> Arc<Policy> {
    Arc::new(Policy::parse(text, DEFAULT_MAX_POLICY_LEN).unwrap())
}

fn allow_get(principal: Option<&str>) -> String {
    let p = principal
        .map(|p| format!(r#","principal":{{"qcs":["{p}"]}}"#))
        .unwrap_or_default();
    format!(
        r#"{{"version":"2.0"{p},"statement":[{{"effect":"allow","action":["name/cos:GetObject"],"resource":["qcs::cos:ap-guangzhou:uid/1250000000:examplebucket-1250000000/doc/*"]}}]}}"#
    )
}

fn deny_get(principal: &str) -> String {
    format!(
        r#"{{"version":"2.0","principal":{{"qcs":["{principal}"]}},"statement":[{{"effect":"deny","action":["name/cos:*"],"resource":["*"]}}]}}"#
    )
}

struct Case<'a> {
    who: Identity,
    user: Vec<(String, Arc<Policy>)>,
    bucket: Option<Arc<Policy>>,
    acl: CannedAcl,
    grants: Vec<Grant>,
    object_acl: Option<(CannedAcl, Vec<Grant>)>,
    action: &'a str,
    session: Option<Arc<Policy>>,
}

fn run(c: &Case<'_>) -> Decision {
    let keys = HashMap::new();
    decide(
        Subject {
            identity: &c.who,
            policies: &c.user,
            session: c.session.as_deref(),
        },
        Resource {
            owner_uin: Some(OWNER),
            bucket_policy: c.bucket.as_deref(),
            bucket_acl: Some(AclView {
                canned: c.acl,
                grants: &c.grants,
            }),
            object_acl: c.object_acl.as_ref().map(|(canned, g)| AclView {
                canned: *canned,
                grants: g,
            }),
        },
        Ask {
            action: c.action,
            resource: RES,
            keys: &keys,
        },
    )
}

fn base(who: Identity) -> Case<'static> {
    Case {
        who,
        user: vec![],
        bucket: None,
        acl: CannedAcl::Private,
        grants: vec![],
        object_acl: None,
        action: GET,
        session: None,
    }
}

fn named(p: Arc<Policy>) -> Vec<(String, Arc<Policy>)> {
    vec![("p".to_string(), p)]
}

#[test]
fn the_owner_is_allowed_and_others_start_with_nothing() {
    assert!(run(&base(acct(OWNER, OWNER))).allowed);
    for who in [
        acct("100000000002", OWNER),
        acct("200000000001", "200000000001"),
        acct("200000000002", "200000000001"),
        Identity::Anonymous,
    ] {
        let d = run(&base(who.clone()));
        assert!(!d.allowed, "{who:?}: {}", d.reason);
    }
}

#[test]
fn a_sub_account_of_the_owner_needs_one_grant() {
    let sub = acct("100000000002", OWNER);
    let mut c = base(sub.clone());
    c.user = named(pol(&allow_get(None)));
    assert!(run(&c).allowed, "user policy");
    let mut c = base(sub.clone());
    c.bucket = Some(pol(&allow_get(Some(
        "qcs::cam::uin/100000000001:uin/100000000002",
    ))));
    assert!(run(&c).allowed, "bucket policy naming the sub-account");
    let mut c = base(sub.clone());
    c.bucket = Some(pol(&allow_get(Some(
        "qcs::cam::uin/100000000001:uin/100000000001",
    ))));
    assert!(
        !run(&c).allowed,
        "naming the owner's root does not grant its sub-accounts by itself"
    );
    let mut c = base(sub);
    c.grants = vec![Grant {
        grantee: Grantee::from_id("qcs::cam::uin/100000000001:uin/100000000002").unwrap(),
        permission: Permission::Read,
    }];
    assert!(run(&c).allowed, "ACL grant to the sub-account");
}

/// 002:3706-3772: bucket A grants root B; B grants its sub-account B0; both are needed.
#[test]
fn cross_account_sub_accounts_need_both_roots() {
    let b0 = acct("200000000002", "200000000001");
    let to_b = Some(pol(&allow_get(Some(
        "qcs::cam::uin/200000000001:uin/200000000001",
    ))));
    let b_grants_b0 = named(pol(&allow_get(None)));
    let mut c = base(b0.clone());
    c.bucket = to_b.clone();
    let d = run(&c);
    assert!(!d.allowed && d.reason.contains("own root"), "{}", d.reason);
    let mut c = base(b0.clone());
    c.user = b_grants_b0.clone();
    assert!(!run(&c).allowed, "B's grant alone reaches nothing of A's");
    let mut c = base(b0.clone());
    c.bucket = to_b.clone();
    c.user = b_grants_b0.clone();
    assert!(run(&c).allowed);
    // Root B itself needs only the bucket's grant.
    let mut c = base(acct("200000000001", "200000000001"));
    c.bucket = to_b;
    assert!(run(&c).allowed);
    // An ACL grant to root B works the same way.
    let mut c = base(b0);
    c.user = b_grants_b0;
    c.grants = vec![Grant {
        grantee: Grantee::from_id("200000000001").unwrap(),
        permission: Permission::Read,
    }];
    assert!(run(&c).allowed);
}

#[test]
fn explicit_deny_wins_everywhere_but_the_owner_can_always_fix_the_policy() {
    let sub = acct("100000000002", OWNER);
    let mut c = base(sub);
    c.user = named(pol(&allow_get(None)));
    c.acl = CannedAcl::PublicRead;
    c.bucket = Some(pol(&deny_get(
        "qcs::cam::uin/100000000001:uin/100000000002",
    )));
    let d = run(&c);
    assert!(
        !d.allowed && d.reason.contains("explicit deny"),
        "{}",
        d.reason
    );

    let mut c = base(acct(OWNER, OWNER));
    c.bucket = Some(pol(&deny_get("qcs::cam::anyone:anyone")));
    assert!(!run(&c).allowed, "a deny to everyone binds the owner too");
    c.action = "name/cos:DeleteBucketPolicy";
    assert!(run(&c).allowed, "but the owner can remove the policy");
    c.action = "name/cos:PutBucketACL";
    assert!(run(&c).allowed);
}

#[test]
fn anonymous_access_comes_from_acls_and_anyone_statements() {
    let mut c = base(Identity::Anonymous);
    c.acl = CannedAcl::PublicRead;
    assert!(run(&c).allowed);
    c.action = "name/cos:PutObject";
    assert!(!run(&c).allowed);
    c.acl = CannedAcl::PublicReadWrite;
    assert!(run(&c).allowed);

    let mut c = base(Identity::Anonymous);
    c.bucket = Some(pol(&allow_get(Some("qcs::cam::anyone:anyone"))));
    assert!(run(&c).allowed);
    c.action = "name/cos:HeadObject";
    assert!(!run(&c).allowed);

    // An object's own ACL replaces the bucket's for reads of that object.
    let mut c = base(Identity::Anonymous);
    c.acl = CannedAcl::PublicRead;
    c.object_acl = Some((CannedAcl::Private, vec![]));
    assert!(!run(&c).allowed);
    c.object_acl = Some((CannedAcl::Default, vec![]));
    assert!(run(&c).allowed);
    let mut c = base(Identity::Anonymous);
    c.object_acl = Some((CannedAcl::PublicRead, vec![]));
    assert!(run(&c).allowed);
    c.action = "name/cos:DeleteObject";
    assert!(!run(&c).allowed, "object ACLs never grant WRITE");
}

#[test]
fn service_level_actions() {
    let keys = HashMap::new();
    let ask = Ask {
        action: "name/cos:GetService",
        resource: "*",
        keys: &keys,
    };
    let none = Resource {
        owner_uin: None,
        bucket_policy: None,
        bucket_acl: None,
        object_acl: None,
    };
    let root = acct(OWNER, OWNER);
    let sub = acct("100000000002", OWNER);
    let subject = |who, p| Subject {
        identity: who,
        policies: p,
        session: None,
    };
    assert!(decide(subject(&root, &[]), none, ask).allowed);
    assert!(!decide(subject(&sub, &[]), none, ask).allowed);
    assert!(!decide(subject(&Identity::Anonymous, &[]), none, ask).allowed);
    let p = named(pol(
        r#"{"version":"2.0","statement":[{"effect":"allow","action":["name/cos:GetService"],"resource":["*"]}]}"#,
    ));
    assert!(decide(subject(&sub, &p), none, ask).allowed);
}

/// A temporary key is the intersection of its issuer's rights and its own policy (002:1897).
#[test]
fn a_temporary_key_is_narrowed_by_its_policy() {
    let owner_tmp = |session: &str, action: &'static str| {
        let mut c = base(acct(OWNER, OWNER));
        c.session = Some(pol(session));
        c.action = action;
        run(&c)
    };
    let get_doc = allow_get(None);
    assert!(owner_tmp(&get_doc, GET).allowed, "inside its policy");
    let d = owner_tmp(&get_doc, "name/cos:PutObject");
    assert!(
        !d.allowed && d.reason.contains("temporary key"),
        "{}",
        d.reason
    );
    // The Node STS SDK writes a `*` principal into the policy: it still applies.
    let with_star = allow_get(Some("*"));
    assert!(owner_tmp(&with_star, GET).allowed);
    // Recovery actions of the owner are not exempt.
    assert!(!owner_tmp(&get_doc, "name/cos:PutBucketPolicy").allowed);
    // A deny in the session policy wins over its allow.
    let deny = r#"{"version":"2.0","statement":[{"effect":"allow","action":["name/cos:*"],"resource":["*"]},{"effect":"deny","action":["name/cos:GetObject"],"resource":["*"]}]}"#;
    assert!(!owner_tmp(deny, GET).allowed);
    // A sub-account's temporary key never exceeds the sub-account: allowed by the session,
    // refused because the sub-account itself has no grant.
    let mut c = base(acct("100000000002", OWNER));
    c.session = Some(pol(&get_doc));
    assert!(!run(&c).allowed);
    c.user = named(pol(&get_doc));
    assert!(run(&c).allowed);
}
