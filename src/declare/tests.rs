//! Table tests of `plan`: what a declaration becomes, and the errors that name the bucket.

use super::*;
use crate::config::BucketDecl;

fn cx_plan(decls: &[BucketDecl]) -> Result<Vec<BucketPlan>, DeclareError> {
    let owner = |appid: &str| (appid == "1250000000").then(|| "100".to_string());
    let exists = |uin: &str| uin == "100" || uin == "200";
    let cx = PlanContext {
        main_root: "100",
        region: "ap-guangzhou",
        s3_bucket_names: true,
        owner_of_appid: &owner,
        root_exists: &exists,
    };
    plan(decls, &cx)
}

fn decl(name: &str) -> BucketDecl {
    BucketDecl {
        name: name.into(),
        ..BucketDecl::default()
    }
}

const CORS: &str = "<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>";
const LIFECYCLE: &str = "<LifecycleConfiguration><Rule><Status>Enabled</Status><Filter/><Expiration><Days>1</Days></Expiration></Rule></LifecycleConfiguration>";

#[test]
fn a_full_declaration_is_typed() {
    let d = BucketDecl {
        acl: Some("public-read".into()),
        cors: Some(CORS.into()),
        lifecycle: Some(LIFECYCLE.into()),
        versioning: Some("Enabled".into()),
        tags: Some([("team".to_string(), "web".to_string())].into()),
        ..decl("a-1250000000")
    };
    let p = cx_plan(std::slice::from_ref(&d)).unwrap().remove(0);
    assert_eq!(p.owner, "100");
    assert_eq!(p.acl, Some(CannedAcl::PublicRead));
    assert_eq!(p.versioning, Some(VersioningStatus::Enabled));
    assert_eq!(p.cors.as_ref().unwrap().rules.len(), 1);
    assert_eq!(p.lifecycle.as_ref().unwrap().rules[0].id, "declared-1");
    assert_eq!(p.tags, Some(vec![("team".into(), "web".into())]));
    // The same declaration plans the same (stable rule IDs).
    assert_eq!(cx_plan(&[d]).unwrap().remove(0), p);
}

#[test]
fn owners_follow_the_appid_or_the_declaration() {
    assert_eq!(cx_plan(&[decl("plain-name")]).unwrap()[0].owner, "100");
    let other = BucketDecl {
        owner: Some("200".into()),
        ..decl("plain-name")
    };
    assert_eq!(cx_plan(&[other]).unwrap()[0].owner, "200");
}

#[test]
fn bad_declarations_name_the_bucket() {
    let cases: Vec<(BucketDecl, &str)> = vec![
        (decl("Bad_Name"), "invalid bucket name"),
        (decl("a-1299999999"), "no root account has appid"),
        (
            BucketDecl {
                owner: Some("200".into()),
                ..decl("a-1250000000")
            },
            "differs",
        ),
        (
            BucketDecl {
                owner: Some("300".into()),
                ..decl("plain-name")
            },
            "no root account 300",
        ),
        (
            BucketDecl {
                acl: Some("bucket-owner-read".into()),
                ..decl("b-1250000000")
            },
            "acl",
        ),
        (
            BucketDecl {
                policy: Some("{not json".into()),
                ..decl("b-1250000000")
            },
            "policy",
        ),
        (
            BucketDecl {
                cors: Some("<CORSConfiguration><Nope/>".into()),
                ..decl("b-1250000000")
            },
            "cors",
        ),
        (
            BucketDecl {
                website: Some("<WebsiteConfiguration/>".into()),
                ..decl("b-1250000000")
            },
            "website",
        ),
        (
            BucketDecl {
                lifecycle: Some("<LifecycleConfiguration/>".into()),
                ..decl("b-1250000000")
            },
            "lifecycle",
        ),
        (
            BucketDecl {
                versioning: Some("On".into()),
                ..decl("b-1250000000")
            },
            "versioning",
        ),
        (
            BucketDecl {
                tags: Some([(String::new(), "v".to_string())].into()),
                ..decl("b-1250000000")
            },
            "tags",
        ),
    ];
    for (d, want) in cases {
        let name = d.name.clone();
        let e = cx_plan(&[d]).unwrap_err().to_string();
        assert!(e.starts_with(&format!("[[buckets]] {name}: ")), "{e}");
        assert!(e.contains(want), "{name}: {e}");
    }
    let e = cx_plan(&[decl("twice"), decl("twice")]).unwrap_err();
    assert_eq!(e.to_string(), "[[buckets]] twice: declared twice");
}
