use super::*;
use crate::policy::acl::Permission;

fn grant(grantee: Grantee) -> Grant {
    Grant {
        grantee,
        permission: Permission::Read,
    }
}

#[test]
fn block_and_ownership_documents() {
    let b = parse_block(b"<PublicAccessBlockConfiguration><BlockPublicAcls>true</BlockPublicAcls><RestrictPublicBuckets>TRUE</RestrictPublicBuckets></PublicAccessBlockConfiguration>").unwrap();
    assert!(b.block_public_acls && b.restrict_public_buckets);
    assert!(!b.ignore_public_acls && !b.block_public_policy);
    assert_eq!(parse_block(render_block(&b).as_bytes()).unwrap(), b);
    for bad in [
        "<PublicAccessBlockConfiguration><BlockPublicAcls>yes</BlockPublicAcls></PublicAccessBlockConfiguration>",
        "<Other/>",
        "nope",
    ] {
        assert!(parse_block(bad.as_bytes()).is_err(), "{bad}");
    }
    for o in [
        ObjectOwnership::BucketOwnerEnforced,
        ObjectOwnership::BucketOwnerPreferred,
        ObjectOwnership::ObjectWriter,
    ] {
        assert_eq!(parse_ownership(render_ownership(o).as_bytes()), Ok(o));
    }
    for bad in [
        "<OwnershipControls/>",
        "<OwnershipControls><Rule><ObjectOwnership>Mine</ObjectOwnership></Rule></OwnershipControls>",
        "<OwnershipControls><Rule><ObjectOwnership>ObjectWriter</ObjectOwnership></Rule><Rule><ObjectOwnership>ObjectWriter</ObjectOwnership></Rule></OwnershipControls>",
    ] {
        assert!(parse_ownership(bad.as_bytes()).is_err(), "{bad}");
    }
}

type Case<'a> = (
    Option<&'a PublicAccessBlock>,
    Option<ObjectOwnership>,
    Option<CannedAcl>,
    &'a [Grant],
    Result<(), AclRefusal>,
);

#[test]
fn which_acl_writes_are_refused() {
    let block = PublicAccessBlock {
        block_public_acls: true,
        ..Default::default()
    };
    let enforced = Some(ObjectOwnership::BucketOwnerEnforced);
    let all_users = [grant(Grantee::AllUsers)];
    let cases: &[Case] = &[
        (None, None, Some(CannedAcl::PublicRead), &[], Ok(())),
        (
            Some(&block),
            None,
            Some(CannedAcl::PublicRead),
            &[],
            Err(AclRefusal::PublicBlocked),
        ),
        (
            Some(&block),
            None,
            Some(CannedAcl::AuthenticatedRead),
            &[],
            Err(AclRefusal::PublicBlocked),
        ),
        (
            Some(&block),
            None,
            None,
            &all_users,
            Err(AclRefusal::PublicBlocked),
        ),
        (Some(&block), None, Some(CannedAcl::Private), &[], Ok(())),
        (
            None,
            enforced,
            Some(CannedAcl::BucketOwnerFullControl),
            &[],
            Ok(()),
        ),
        (None, enforced, None, &[], Ok(())),
        (
            None,
            enforced,
            Some(CannedAcl::PublicRead),
            &[],
            Err(AclRefusal::AclsDisabled),
        ),
        (
            None,
            enforced,
            None,
            &all_users,
            Err(AclRefusal::AclsDisabled),
        ),
        (
            None,
            Some(ObjectOwnership::ObjectWriter),
            Some(CannedAcl::PublicRead),
            &[],
            Ok(()),
        ),
    ];
    for (b, o, canned, grants, want) in cases {
        assert_eq!(
            check_acl_write(*b, *o, *canned, grants),
            *want,
            "{b:?} {o:?} {canned:?}"
        );
    }
    assert_eq!(
        private_canned(CannedAcl::PublicReadWrite),
        CannedAcl::Private
    );
    assert_eq!(private_grants(&all_users), vec![]);
}

#[test]
fn which_policies_are_public() {
    let parse = |s: &str| crate::policy::cam::Policy::parse(s, 20_000).unwrap();
    let public = parse(
        r#"{"version":"2.0","statement":[{"effect":"allow","principal":{"qcs":["qcs::cam::anyone:anyone"]},"action":["name/cos:GetObject"],"resource":["qcs::cos:ap-guangzhou:uid/1250000000:b-1250000000/*"]}]}"#,
    );
    assert!(policy_is_public(&public));
    assert!(deny_only(&public).statements.is_empty());
    let by_ip = parse(
        r#"{"version":"2.0","statement":[{"effect":"allow","principal":{"qcs":["qcs::cam::anyone:anyone"]},"action":["name/cos:GetObject"],"resource":["qcs::cos:ap-guangzhou:uid/1250000000:b-1250000000/*"],"condition":{"ip_equal":{"qcs:ip":["10.0.0.0/8"]}}}]}"#,
    );
    assert!(!policy_is_public(&by_ip));
    let one_account = parse(
        r#"{"version":"2.0","statement":[{"effect":"allow","principal":{"qcs":["qcs::cam::uin/100000000002:uin/100000000002"]},"action":["name/cos:GetObject"],"resource":["qcs::cos:ap-guangzhou:uid/1250000000:b-1250000000/*"]}]}"#,
    );
    assert!(!policy_is_public(&one_account));
    let deny_all = parse(
        r#"{"version":"2.0","statement":[{"effect":"deny","principal":{"qcs":["qcs::cam::anyone:anyone"]},"action":["name/cos:*"],"resource":["*"]}]}"#,
    );
    assert!(!policy_is_public(&deny_all));
    assert_eq!(deny_only(&deny_all).statements.len(), 1);
}
