//! Versions at the service level: what a write and a delete do to a key's versions in each
//! versioning state, chunk references of versions, version listing and paging.

use super::*;
use crate::bucket_config::versioning::VersioningStatus;
use crate::meta::ObjectRecord;

async fn set_versioning(store: &Arc<Store>, status: VersioningStatus) {
    store
        .update_bucket("b-1", move |b| b.versioning = Some(status))
        .await
        .unwrap();
}

async fn put_v(store: &Arc<Store>, key: &str, data: &[u8]) -> Option<String> {
    store
        .put_object(
            "b-1",
            key,
            body(data, 1 << 20),
            ObjectMeta::default(),
            WriteOptions::default(),
        )
        .await
        .unwrap()
        .version_id
}

async fn bytes_of(store: &Arc<Store>, rec: &ObjectRecord) -> Vec<u8> {
    use futures_util::StreamExt;
    let mut s = Box::pin(store.read_stream(rec, None, None));
    let mut out = Vec::new();
    while let Some(b) = s.next().await {
        out.extend_from_slice(&b.unwrap());
    }
    out
}

fn all_versions(store: &Store, max_keys: usize) -> Vec<(String, String, bool, bool)> {
    let mut out = Vec::new();
    let mut p = VersionListParams {
        max_keys,
        ..Default::default()
    };
    loop {
        let page = store.list_versions("b-1", &p).unwrap();
        for e in &page.entries {
            out.push((
                e.key.clone(),
                version_id(&e.record),
                e.latest,
                e.record.delete_marker,
            ));
        }
        if !page.truncated {
            return out;
        }
        p.key_marker = page.next_key_marker.clone();
        p.version_marker = page
            .next_version_marker
            .as_deref()
            .map(|v| VersionRef::parse(v).unwrap().unwrap());
    }
}

#[tokio::test]
async fn enabled_buckets_keep_every_version_and_deletes_add_markers() {
    let f = fixture().await;
    let pre = payload(100_000, 1);
    assert_eq!(put_v(&f.store, "k", &pre).await, None, "unversioned: no id");
    set_versioning(&f.store, VersioningStatus::Enabled).await;
    let (a, b) = (payload(100_000, 2), payload(10, 3));
    let va = put_v(&f.store, "k", &a).await.unwrap();
    let vb = put_v(&f.store, "k", &b).await.unwrap();
    assert_ne!(va, vb);
    assert_eq!(f.store.head_object("b-1", "k").unwrap().size, 10);
    for (id, data) in [("null", &pre), (va.as_str(), &a), (vb.as_str(), &b)] {
        let which = VersionRef::parse(id).unwrap().unwrap();
        let rec = f.store.load_version("b-1", "k", which).unwrap();
        assert_eq!(&bytes_of(&f.store, &rec).await, data, "version {id}");
    }
    assert_eq!(refs(&f.store, &pre[..64 * 1024]), Some(1));
    // A delete without id adds a marker; the object is gone, its versions stay.
    let staged = f.store.delete_object("b-1", "k").await.unwrap();
    assert!(staged.marker);
    let marker = staged.version_id.unwrap();
    assert!(matches!(
        f.store.head_object("b-1", "k"),
        Err(ServiceError::NoSuchKey)
    ));
    assert!(f
        .store
        .list_objects(
            "b-1",
            &ListParams {
                max_keys: 10,
                ..Default::default()
            }
        )
        .unwrap()
        .entries
        .is_empty());
    let listed = all_versions(&f.store, 1000);
    let want = [
        (marker.clone(), true, true),
        (vb.clone(), false, false),
        (va.clone(), false, false),
        ("null".to_string(), false, false),
    ];
    assert_eq!(
        listed
            .iter()
            .map(|(_, v, l, m)| (v.clone(), *l, *m))
            .collect::<Vec<_>>(),
        want
    );
    // Removing the marker brings the newest version back.
    let m = VersionRef::parse(&marker).unwrap().unwrap();
    let removed = f
        .store
        .delete_version("b-1", "k", m, None)
        .await
        .unwrap()
        .unwrap();
    assert!(removed.marker);
    assert_eq!(f.store.head_object("b-1", "k").unwrap().size, 10);
    // Removing a version for good releases its chunks.
    let pre_ref = VersionRef::Null;
    f.store
        .delete_version("b-1", "k", pre_ref, None)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(refs(&f.store, &pre[..64 * 1024]), None);
    assert_eq!(
        f.store
            .delete_version("b-1", "k", pre_ref, None)
            .await
            .unwrap(),
        None,
        "already gone"
    );
    assert!(matches!(
        f.store.load_version("b-1", "k", pre_ref),
        Err(ServiceError::NoSuchVersion)
    ));
    let report = f.store.fsck(false).unwrap();
    assert!(report.is_clean(), "{report}");
    assert_eq!(report.versions, 1);
    // A bucket holding only versions is not empty.
    f.store.delete_object("b-1", "k").await.unwrap();
    assert!(matches!(
        f.store.delete_bucket("b-1").await,
        Err(ServiceError::BucketNotEmpty)
    ));
}

#[tokio::test]
async fn suspended_writes_replace_the_null_version_and_keep_the_others() {
    let f = fixture().await;
    set_versioning(&f.store, VersioningStatus::Enabled).await;
    let (a, n1, n2) = (
        payload(100_000, 4),
        payload(100_000, 5),
        payload(100_000, 6),
    );
    let va = put_v(&f.store, "k", &a).await.unwrap();
    set_versioning(&f.store, VersioningStatus::Suspended).await;
    assert_eq!(put_v(&f.store, "k", &n1).await.as_deref(), Some("null"));
    assert_eq!(put_v(&f.store, "k", &n2).await.as_deref(), Some("null"));
    assert_eq!(
        refs(&f.store, &n1[..64 * 1024]),
        None,
        "the first null version is gone"
    );
    let ids: Vec<String> = all_versions(&f.store, 1000)
        .into_iter()
        .map(|v| v.1)
        .collect();
    assert_eq!(ids, ["null".to_string(), va.clone()]);
    // Enabled again: the null version becomes noncurrent; suspended again: a null marker
    // replaces it wherever it is.
    set_versioning(&f.store, VersioningStatus::Enabled).await;
    let vc = put_v(&f.store, "k", &payload(20, 7)).await.unwrap();
    set_versioning(&f.store, VersioningStatus::Suspended).await;
    let staged = f.store.delete_object("b-1", "k").await.unwrap();
    assert_eq!(staged.version_id.as_deref(), Some("null"));
    assert_eq!(
        refs(&f.store, &n2[..64 * 1024]),
        None,
        "the old null version was replaced"
    );
    let listed: Vec<(String, bool)> = all_versions(&f.store, 1000)
        .into_iter()
        .map(|v| (v.1, v.3))
        .collect();
    assert_eq!(listed, [("null".into(), true), (vc, false), (va, false)]);
    assert!(f.store.fsck(false).unwrap().is_clean());
}

#[tokio::test]
async fn version_listing_pages_over_many_versions_of_one_key_and_across_keys() {
    let f = fixture().await;
    set_versioning(&f.store, VersioningStatus::Enabled).await;
    let mut want = Vec::new();
    for key in ["a", "b/1", "b/2", "c"] {
        let n = if key == "a" { 1200 } else { 3 };
        let mut ids = Vec::new();
        for i in 0..n {
            ids.push(put_v(&f.store, key, &[i as u8]).await.unwrap());
        }
        ids.reverse();
        want.extend(ids.into_iter().map(|id| (key.to_string(), id)));
    }
    for page in [1, 7, 1000] {
        let got: Vec<(String, String)> = all_versions(&f.store, page)
            .into_iter()
            .map(|v| (v.0, v.1))
            .collect();
        assert_eq!(got, want, "pages of {page}");
    }
    // Delimiter: the b/ versions roll up into one common prefix (after all of "a").
    let page = f
        .store
        .list_versions(
            "b-1",
            &VersionListParams {
                delimiter: Some("/".into()),
                key_marker: Some("a".into()),
                max_keys: 1000,
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(page.common_prefixes, ["b/"]);
    assert_eq!(page.entries.len(), 3);
    assert!(!page.truncated);
    // A prefix selects the keys under it.
    let page = f
        .store
        .list_versions(
            "b-1",
            &VersionListParams {
                prefix: "b/".into(),
                max_keys: 1000,
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(page.entries.len(), 6);
    assert_eq!(
        page.entries.iter().filter(|e| e.latest).count(),
        2,
        "one latest version per key"
    );
}
