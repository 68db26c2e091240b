//! The declared configuration the tests share, and restarting a server on its data directory.

use crate::common::{Client, TestServer};
use cosd::config::{AccountDecl, BucketDecl, Config};
use std::path::Path;
use std::sync::Arc;

/// A bucket with every configuration declared and a seed directory.
pub const SITE: &str = "site-1250000000";
/// A bucket declared by name only.
pub const PLAIN: &str = "plain-1250000000";
/// A bucket of the second root account.
pub const THEIRS: &str = "theirs-1250000001";
pub const OTHER_SID: &str = "AKIDotherROOTkey00000000000000000000";
pub const OTHER_SKEY: &str = "otherRootSecretKey000000000000000";

pub const POLICY: &str = r#"{"version":"2.0","statement":[{"principal":{"qcs":["qcs::cam::anyone:anyone"]},"effect":"allow","action":["name/cos:GetObject"],"resource":["qcs::cos:ap-guangzhou:uid/1250000000:site-1250000000/*"]}]}"#;
pub const CORS: &str = "<CORSConfiguration><CORSRule><AllowedOrigin>https://app.test</AllowedOrigin><AllowedMethod>GET</AllowedMethod><MaxAgeSeconds>60</MaxAgeSeconds></CORSRule></CORSConfiguration>";
pub const WEBSITE: &str = "<WebsiteConfiguration><IndexDocument><Suffix>index.html</Suffix></IndexDocument></WebsiteConfiguration>";
pub const LIFECYCLE: &str = "<LifecycleConfiguration><Rule><ID>tmp</ID><Status>Enabled</Status><Filter><Prefix>tmp/</Prefix></Filter><Expiration><Days>30</Days></Expiration></Rule></LifecycleConfiguration>";

/// The seed files: (relative path, bytes). One is larger than a chunk.
pub fn seed_files() -> Vec<(&'static str, Vec<u8>)> {
    vec![
        ("index.html", b"<h1>hello</h1>".to_vec()),
        ("docs/a.txt", b"alpha".to_vec()),
        ("docs/deep/b.json", br#"{"b":1}"#.to_vec()),
        ("blob.bin", crate::common::random_bytes(600 * 1024, 7)),
    ]
}

pub fn write_seed(dir: &Path) {
    for (rel, data) in seed_files() {
        let p = dir.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, data).unwrap();
    }
}

/// Declares the buckets (and the second root account) on `cfg`.
pub fn declare(cfg: &mut Config, seed: &Path) {
    cfg.accounts.push(AccountDecl {
        uin: "100000000002".into(),
        appid: "1250000001".into(),
        secret_id: OTHER_SID.into(),
        secret_key: OTHER_SKEY.into(),
    });
    cfg.buckets = vec![
        BucketDecl {
            name: SITE.into(),
            acl: Some("public-read".into()),
            policy: Some(POLICY.into()),
            cors: Some(CORS.into()),
            website: Some(WEBSITE.into()),
            lifecycle: Some(LIFECYCLE.into()),
            versioning: Some("Enabled".into()),
            tags: Some([("team".to_string(), "web".to_string())].into()),
            seed_dir: Some(seed.to_owned()),
            ..BucketDecl::default()
        },
        BucketDecl {
            name: PLAIN.into(),
            ..BucketDecl::default()
        },
        BucketDecl {
            name: THEIRS.into(),
            seed_dir: Some(seed.to_owned()),
            ..BucketDecl::default()
        },
    ];
}

/// A server started with the declarations, and the seed directory (kept alive with it).
pub async fn start_declared() -> (TestServer, tempfile::TempDir) {
    let seed = tempfile::tempdir().unwrap();
    write_seed(seed.path());
    let path = seed.path().to_owned();
    let s = TestServer::start_with(move |cfg| declare(cfg, &path)).await;
    (s, seed)
}

/// Stops `s` and starts a server on the same data directory, with `tweak` applied.
pub async fn restart(
    mut s: TestServer,
    tweak: impl FnOnce(&mut Config),
) -> (TestServer, tempfile::TempDir) {
    let dir = std::mem::replace(&mut s.dir, tempfile::tempdir().unwrap());
    let weak = Arc::downgrade(&s.state);
    s.stop().await;
    for _ in 0..200 {
        if weak.strong_count() == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    assert_eq!(
        weak.strong_count(),
        0,
        "the first server let go of its state"
    );
    let path = dir.path().to_owned();
    let s = TestServer::start_with(move |cfg| {
        tweak(cfg);
        cfg.data_dir = path;
    })
    .await;
    (s, dir)
}

/// The second root account's client.
pub fn other(c: &Client) -> Client {
    Client {
        sid: OTHER_SID.into(),
        skey: OTHER_SKEY.into(),
        ..c.clone()
    }
}

/// Every bucket's name, all accounts together, sorted.
pub fn all_buckets(s: &TestServer) -> Vec<String> {
    let mut v: Vec<String> = ["100000000001", "100000000002"]
        .iter()
        .flat_map(|o| s.state.store.list_buckets(o).unwrap())
        .map(|b| b.name)
        .collect();
    v.sort();
    v
}

/// Asserts the store is consistent.
pub fn assert_fsck_clean(s: &TestServer) -> cosd::service::FsckReport {
    let report = s.state.store.fsck(false).unwrap();
    assert!(report.is_clean(), "{report:?}");
    report
}

/// Each declared bucket holds exactly the seed files, byte for byte, and nothing else.
pub async fn assert_seeded(s: &TestServer, c: &Client) {
    for (bucket, client) in [(SITE, c.clone()), (THEIRS, other(c))] {
        for (key, data) in seed_files() {
            let r = client.get(bucket, key).await;
            assert_eq!(r.status, 200, "{bucket}/{key}: {}", r.text());
            assert!(r.body == data, "{bucket}/{key} differs");
        }
    }
    let report = assert_fsck_clean(s);
    assert_eq!(report.buckets, 3, "{report:?}");
    assert_eq!(report.objects, 2 * seed_files().len(), "{report:?}");
    assert_eq!((report.versions, report.parts), (0, 0), "{report:?}");
}
