//! Declarations applied at start: the state they make, a second start that changes nothing
//! but what drifted from a declaration, and invalid declarations that stop the start.

use crate::common::{Req, TestServer};
use crate::support::*;
use cosd::bucket_config::versioning::VersioningStatus;
use cosd::clock::Clock;
use cosd::config::{BucketDecl, Config, Overrides};
use cosd::types::CannedAcl;
use std::sync::Arc;

#[tokio::test]
async fn declared_buckets_have_their_configuration_and_seeded_objects() {
    let (s, _seed) = start_declared().await;
    let c = s.client();
    assert_eq!(all_buckets(&s), [PLAIN, SITE, THEIRS]);
    let site = s.state.store.get_bucket(SITE).unwrap().unwrap();
    assert_eq!(site.owner_uin, "100000000001");
    assert_eq!(site.region, "ap-guangzhou");
    assert_eq!(site.acl, CannedAcl::PublicRead);
    assert_eq!(site.policy.as_deref(), Some(POLICY));
    assert_eq!(site.versioning, Some(VersioningStatus::Enabled));
    assert_eq!(site.tags, vec![("team".to_string(), "web".to_string())]);
    assert!(site.website.is_some() && site.lifecycle.is_some());
    assert_eq!(site.lifecycle.as_ref().unwrap().rules[0].id, "tmp");
    assert_eq!(
        s.state.store.get_bucket(THEIRS).unwrap().unwrap().owner_uin,
        "100000000002",
        "a bucket belongs to the account of its appid"
    );
    let plain = s.state.store.get_bucket(PLAIN).unwrap().unwrap();
    assert_eq!(
        (plain.acl, plain.versioning.is_none()),
        (CannedAcl::Private, true)
    );

    // Through the API, as a client sees it.
    let r = c.send(Req::new("GET", Some(SITE), "").q("cors", "")).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.xml("AllowedOrigin").as_deref(), Some("https://app.test"));
    let r = c
        .send(Req::new("GET", Some(SITE), "").q("tagging", ""))
        .await;
    assert_eq!(r.xml("Value").as_deref(), Some("web"), "{}", r.text());
    let r = c
        .send(Req::new("GET", Some(SITE), "index.html").anonymous())
        .await;
    assert_eq!(r.status, 200, "public-read and the policy let anyone read");
    assert_eq!(r.header("content-type"), Some("text/html"));
    let r = c
        .send(Req::new("GET", Some(SITE), "").q("versioning", ""))
        .await;
    assert_eq!(r.xml("Status").as_deref(), Some("Enabled"));
    assert_seeded(&s, &c).await;
}

/// (key, etag, mtime, version stamp) of every object of the declared buckets.
fn objects(s: &TestServer) -> Vec<(String, String, i64, String)> {
    let mut out = Vec::new();
    for b in [SITE, THEIRS] {
        for (key, _) in seed_files() {
            let rec = s.state.store.head_object(b, key).unwrap();
            out.push((
                format!("{b}/{key}"),
                rec.etag.clone(),
                rec.mtime_ms,
                cosd::service::version_id(&rec),
            ));
        }
    }
    out
}

#[tokio::test]
async fn a_second_start_with_the_same_declarations_changes_nothing() {
    let (s, seed) = start_declared().await;
    let before_objects = objects(&s);
    let before_site = s.state.store.get_bucket(SITE).unwrap().unwrap();
    let before_plain = s.state.store.get_bucket(PLAIN).unwrap().unwrap();
    // Later than the first start, so anything rewritten would show a new date.
    s.clock.advance(std::time::Duration::from_secs(5));
    let path = seed.path().to_owned();
    let (s, _dir) = restart(s, move |cfg| declare(cfg, &path)).await;
    assert_eq!(objects(&s), before_objects, "no object was rewritten");
    assert_eq!(
        s.state.store.get_bucket(SITE).unwrap().unwrap(),
        before_site
    );
    assert_eq!(
        s.state.store.get_bucket(PLAIN).unwrap().unwrap(),
        before_plain
    );
    assert_seeded(&s, &s.client()).await;
}

#[tokio::test]
async fn a_restart_restores_what_drifted_from_a_declaration_and_keeps_the_rest() {
    let (s, seed) = start_declared().await;
    let c = s.client();
    // Drift: a declared configuration changed, an undeclared one set, a seed file changed.
    let r = c
        .send(Req::new("DELETE", Some(SITE), "").q("cors", ""))
        .await;
    assert_eq!(r.status, 204, "{}", r.text());
    let r = c
        .send(
            Req::new("PUT", Some(PLAIN), "").q("versioning", "").body(
                "<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>",
            ),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    c.put(SITE, "runtime.txt", b"kept").await;
    std::fs::write(seed.path().join("docs/a.txt"), b"alpha v2").unwrap();
    let path = seed.path().to_owned();
    let (s, _dir) = restart(s, move |cfg| declare(cfg, &path)).await;
    let c = s.client();
    let site = s.state.store.get_bucket(SITE).unwrap().unwrap();
    assert!(site.cors.is_some(), "the declared CORS is back");
    let plain = s.state.store.get_bucket(PLAIN).unwrap().unwrap();
    assert_eq!(
        plain.versioning,
        Some(VersioningStatus::Enabled),
        "undeclared: kept"
    );
    assert_eq!(c.get(SITE, "runtime.txt").await.text(), "kept");
    assert_eq!(c.get(SITE, "docs/a.txt").await.text(), "alpha v2");
    let report = assert_fsck_clean(&s);
    assert_eq!(
        report.versions, 1,
        "one new version, of the changed file only"
    );
}

async fn start_fails(buckets: Vec<BucketDecl>) -> String {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = Config::load(None, &|_| None, &Overrides::default()).unwrap();
    cfg.data_dir = dir.path().to_owned();
    cfg.sync_writes = false;
    cfg.buckets = buckets;
    let clock: Arc<dyn Clock> = Arc::new(cosd::clock::OffsetClock::default());
    match cosd::build_state(cfg, clock).await {
        Ok(_) => panic!("the start should fail"),
        Err(e) => e.to_string(),
    }
}

#[tokio::test]
async fn an_invalid_declaration_stops_the_start_naming_the_bucket() {
    let bad = |name: &str, f: fn(&mut BucketDecl)| {
        let mut d = BucketDecl {
            name: name.into(),
            ..BucketDecl::default()
        };
        f(&mut d);
        vec![d]
    };
    let cases: Vec<(Vec<BucketDecl>, &str)> = vec![
        (
            bad("p-1250000000", |d| d.policy = Some("{\"version\":".into())),
            "policy",
        ),
        (
            bad("c-1250000000", |d| {
                d.cors = Some("<CORSConfiguration><CORSRule>".into())
            }),
            "cors",
        ),
        (
            bad("s-1250000000", |d| {
                d.seed_dir = Some("/nonexistent/seed".into())
            }),
            "seed_dir",
        ),
        (
            bad("v-1250000000", |d| d.versioning = Some("enabled".into())),
            "versioning",
        ),
    ];
    for (decls, what) in cases {
        let name = decls[0].name.clone();
        let e = start_fails(decls).await;
        assert!(
            e.contains(&format!("[[buckets]] {name}: ")) && e.contains(what),
            "{e}"
        );
    }
    // An unknown field is refused when the file is read.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("cosd.toml");
    std::fs::write(
        &file,
        "[[buckets]]\nname = \"u-1250000000\"\nversionning = \"Enabled\"\n",
    )
    .unwrap();
    let e = Config::load(Some(&file), &|_| None, &Overrides::default())
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("u-1250000000") && e.contains("versionning"),
        "{e}"
    );
}

#[tokio::test]
async fn a_seed_file_written_into_a_bucket_with_default_encryption_is_encrypted() {
    let (s, seed) = start_declared().await;
    let c = s.client();
    // Default encryption set at run time (a declaration cannot set it).
    let r = c
        .send(
            Req::new("PUT", Some(SITE), "").q("encryption", "").body(
                "<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>",
            ),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    std::fs::write(seed.path().join("docs/a.txt"), b"alpha encrypted").unwrap();
    let path = seed.path().to_owned();
    let (s, _dir) = restart(s, move |cfg| declare(cfg, &path)).await;
    let c = s.client();
    let got = c.get(SITE, "docs/a.txt").await;
    assert_eq!(got.text(), "alpha encrypted");
    assert_eq!(
        got.header("x-cos-server-side-encryption"),
        Some("AES256"),
        "{:?}",
        got.headers
    );
    // The unchanged files were not rewritten.
    let index = c.get(SITE, "index.html").await;
    assert_eq!(index.header("x-cos-server-side-encryption"), None);
    assert_fsck_clean(&s);
}
