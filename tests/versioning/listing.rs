//! `GET /?versions` (ListObjectVersions): paging over thousands of versions, prefix,
//! delimiter and URL encoding.

use crate::common::*;
use crate::support::*;
use aws_sdk_s3::types::BucketVersioningStatus;
use std::collections::BTreeMap;

#[tokio::test]
async fn list_versions_pages_over_thousands_of_versions() {
    let (server, c) = setup().await;
    let s3 = root(&server);
    set_versioning(&s3, B, BucketVersioningStatus::Enabled).await;
    const KEYS: usize = 25;
    const PER_KEY: usize = 100;
    let mut tasks = Vec::new();
    for k in 0..KEYS {
        let s3 = s3.clone();
        tasks.push(tokio::spawn(async move {
            let key = format!("many/k{k:02}");
            let mut ids = Vec::new();
            for v in 0..PER_KEY {
                ids.push(put(&s3, B, &key, format!("{k}-{v}").as_bytes()).await);
            }
            // A marker on every fifth key.
            if k.is_multiple_of(5) {
                let (_, m) = delete(&s3, B, &key, None).await;
                ids.push(m.unwrap());
            }
            ids.reverse();
            (key, ids)
        }));
    }
    let mut want: Vec<(String, String)> = Vec::new();
    for t in tasks {
        let (key, ids) = t.await.unwrap();
        want.extend(ids.into_iter().map(|id| (key.clone(), id)));
    }
    want.sort_by(|a, b| a.0.cmp(&b.0)); // stable: each key's versions stay newest first
    let total = KEYS * PER_KEY + KEYS / 5;
    assert_eq!(want.len(), total);

    // `aws-sdk-s3` has no paginator for ListObjectVersions (its markers are a pair): page by
    // hand with NextKeyMarker / NextVersionIdMarker, at the default 1000 and at an odd size
    // whose pages end in the middle of a key.
    for page_size in [None, Some(333)] {
        let (mut got, mut latest) = (Vec::new(), BTreeMap::<String, usize>::new());
        let (mut km, mut vm): (Option<String>, Option<String>) = (None, None);
        let mut pages = 0;
        loop {
            let page = s3
                .list_object_versions()
                .bucket(B)
                .prefix("many/")
                .set_max_keys(page_size)
                .set_key_marker(km.clone())
                .set_version_id_marker(vm.clone())
                .send()
                .await
                .unwrap();
            pages += 1;
            let n = page.versions().len() + page.delete_markers().len();
            assert!(n <= page_size.unwrap_or(1000) as usize, "{n}");
            // The SDK splits versions and markers; the raw order is checked below.
            let mut here: Vec<(String, String)> = Vec::new();
            for v in page.versions() {
                here.push((v.key().unwrap().into(), v.version_id().unwrap().into()));
                if v.is_latest() == Some(true) {
                    *latest.entry(v.key().unwrap().into()).or_default() += 1;
                }
            }
            for m in page.delete_markers() {
                here.push((m.key().unwrap().into(), m.version_id().unwrap().into()));
                if m.is_latest() == Some(true) {
                    *latest.entry(m.key().unwrap().into()).or_default() += 1;
                }
            }
            got.extend(here);
            if page.is_truncated() != Some(true) {
                break;
            }
            km = page.next_key_marker().map(str::to_string);
            vm = page.next_version_id_marker().map(str::to_string);
            assert!(km.is_some(), "a truncated page names NextKeyMarker");
            assert!(pages < 100);
        }
        let expect_pages = total.div_ceil(page_size.unwrap_or(1000) as usize);
        assert_eq!(pages, expect_pages, "page size {page_size:?}");
        let mut sorted_got = got.clone();
        sorted_got.sort();
        let mut sorted_want = want.clone();
        sorted_want.sort();
        assert_eq!(sorted_got, sorted_want, "every version exactly once");
        assert_eq!(latest.len(), KEYS, "IsLatest on every key");
        assert!(latest.values().all(|&n| n == 1), "IsLatest once per key");
    }

    // Raw pages: document order is keys ascending, each key newest first, the first latest.
    let mut raw = Vec::new();
    let (mut km, mut vm) = (String::new(), String::new());
    loop {
        let mut req = Req::new("GET", Some(B), "")
            .q("versions", "")
            .q("prefix", "many/")
            .q("max-keys", "700");
        if !km.is_empty() {
            req = req.q("key-marker", &km).q("version-id-marker", &vm);
        }
        let r = c.send(req).await;
        assert_eq!(r.status, 200, "{}", r.text());
        assert_eq!(r.xml("MaxKeys").as_deref(), Some("700"));
        assert_eq!(r.xml("KeyMarker").unwrap_or_default(), km);
        assert_eq!(r.xml("VersionIdMarker").unwrap_or_default(), vm);
        raw.extend(entries(&r.text()));
        if r.xml("IsTruncated").as_deref() != Some("true") {
            break;
        }
        km = r.xml("NextKeyMarker").unwrap();
        vm = r.xml("NextVersionIdMarker").unwrap();
    }
    let order: Vec<(String, String)> = raw
        .iter()
        .map(|e| (e.key.clone(), e.version.clone()))
        .collect();
    assert_eq!(order, want);
    for (i, e) in raw.iter().enumerate() {
        let first_of_key = i == 0 || raw[i - 1].key != e.key;
        assert_eq!(e.latest, first_of_key, "{e:?}");
        let k: usize = e.key["many/k".len()..].parse().unwrap();
        assert_eq!(e.marker, first_of_key && k.is_multiple_of(5), "{e:?}");
    }

    // key-marker alone starts after every version of that key.
    let page = s3
        .list_object_versions()
        .bucket(B)
        .prefix("many/")
        .key_marker("many/k03")
        .max_keys(150)
        .send()
        .await
        .unwrap();
    assert!(page.versions().iter().all(|v| v.key() > Some("many/k03")));
    assert_eq!(page.versions()[0].key(), Some("many/k04"));
    // ...with version-id-marker, after that version.
    let third = &want.iter().filter(|w| w.0 == "many/k07").nth(2).unwrap().1;
    let page = s3
        .list_object_versions()
        .bucket(B)
        .prefix("many/")
        .key_marker("many/k07")
        .version_id_marker(third)
        .max_keys(2)
        .send()
        .await
        .unwrap();
    let next: Vec<&str> = page
        .versions()
        .iter()
        .map(|v| v.version_id().unwrap())
        .collect();
    let expect: Vec<&str> = want
        .iter()
        .filter(|w| w.0 == "many/k07")
        .skip(3)
        .take(2)
        .map(|w| w.1.as_str())
        .collect();
    assert_eq!(next, expect);
    // version-id-marker without key-marker is 400 InvalidArgument.
    let r = c
        .send(
            Req::new("GET", Some(B), "")
                .q("versions", "")
                .q("version-id-marker", third),
        )
        .await;
    assert_error(&r, 400, "InvalidArgument");
    server.stop().await;
}

#[tokio::test]
async fn list_versions_with_prefix_delimiter_and_url_encoding() {
    let (server, c) = setup().await;
    let s3 = root(&server);
    set_versioning(&s3, B, BucketVersioningStatus::Enabled).await;
    for key in ["dir/a", "dir/sub/b", "top", "tüp +x", "dir/a"] {
        put(&s3, B, key, b"x").await;
    }
    delete(&s3, B, "top", None).await;

    let out = s3
        .list_object_versions()
        .bucket(B)
        .delimiter("/")
        .send()
        .await
        .unwrap();
    let prefixes: Vec<&str> = out
        .common_prefixes()
        .iter()
        .map(|p| p.prefix().unwrap())
        .collect();
    assert_eq!(prefixes, ["dir/"]);
    let keys: Vec<&str> = out.versions().iter().map(|v| v.key().unwrap()).collect();
    assert_eq!(keys, ["top", "tüp +x"]);
    assert_eq!(out.delete_markers().len(), 1);
    assert_eq!(out.delete_markers()[0].key(), Some("top"));
    assert_eq!(out.delimiter(), Some("/"));

    let out = s3
        .list_object_versions()
        .bucket(B)
        .prefix("dir/")
        .send()
        .await
        .unwrap();
    let keys: Vec<&str> = out.versions().iter().map(|v| v.key().unwrap()).collect();
    assert_eq!(keys, ["dir/a", "dir/a", "dir/sub/b"]);
    assert_eq!(out.prefix(), Some("dir/"));
    for v in out.versions() {
        assert!(v.e_tag().is_some() && v.size().is_some() && v.last_modified().is_some());
        assert!(v.storage_class().is_some() && v.owner().is_some());
    }
    let out = s3
        .list_object_versions()
        .bucket(B)
        .prefix("dir/")
        .delimiter("/")
        .send()
        .await
        .unwrap();
    assert_eq!(out.versions().len(), 2);
    assert_eq!(out.common_prefixes()[0].prefix(), Some("dir/sub/"));
    // A common prefix counts toward MaxKeys.
    let out = s3
        .list_object_versions()
        .bucket(B)
        .delimiter("/")
        .max_keys(1)
        .send()
        .await
        .unwrap();
    assert_eq!(out.common_prefixes().len(), 1);
    assert!(out.versions().is_empty());
    assert_eq!(out.is_truncated(), Some(true));

    // encoding-type=url encodes keys the way the plain listing does.
    let r = c
        .send(
            Req::new("GET", Some(B), "")
                .q("versions", "")
                .q("prefix", "t")
                .q("encoding-type", "url"),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.xml("EncodingType").as_deref(), Some("url"));
    let plain = c
        .send(
            Req::new("GET", Some(B), "")
                .q("prefix", "t")
                .q("encoding-type", "url"),
        )
        .await;
    let plain_keys = xml_all(&plain.text(), "Key");
    let encoded = plain_keys.iter().find(|k| k.starts_with("t%")).unwrap();
    assert_ne!(encoded, "tüp +x");
    let version_keys = xml_all(&r.text(), "Key");
    assert!(
        version_keys.contains(encoded),
        "{version_keys:?} vs {plain_keys:?}"
    );
    assert!(!version_keys.iter().any(|k| k == "tüp +x"));
    let prefixes = |versions: bool| {
        let mut r = Req::new("GET", Some(B), "");
        if versions {
            r = r.q("versions", "");
        }
        let r = r.q("delimiter", "/").q("encoding-type", "url");
        async { xml_all(&c.send(r).await.text(), "Prefix") }
    };
    assert_eq!(prefixes(true).await, prefixes(false).await);
    server.stop().await;
}
