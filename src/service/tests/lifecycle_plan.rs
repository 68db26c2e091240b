//! `plan_key`: which versions of one key get which action (the per-version decision itself is
//! table-tested in `bucket_config::lifecycle`).

use super::*;
use crate::bucket_config::lifecycle::xml::parse;
use crate::meta::{DataLayout, VersionTag};

const DAY: u64 = 10;

fn config(xml: &str) -> LifecycleConfig {
    let doc = format!("<LifecycleConfiguration>{xml}</LifecycleConfiguration>");
    parse(doc.as_bytes(), &mut || "gen".into()).unwrap()
}

fn version(stamp_ms: i64, marker: bool) -> ObjectRecord {
    let mut r: ObjectRecord = crate::meta::ObjectRecord {
        size: 5,
        etag: String::new(),
        crc64: 0,
        mtime_ms: stamp_ms,
        content_type: None,
        cache_control: None,
        content_disposition: None,
        content_encoding: None,
        content_language: None,
        expires: None,
        meta: Vec::new(),
        storage_class: "STANDARD".into(),
        acl: None,
        grants: Vec::new(),
        appendable: false,
        checksum: None,
        biz_attr: None,
        sha1: None,
        ctime_ms: None,
        version: None,
        delete_marker: marker,
        retention: None,
        legal_hold: None,
        sse: None,
        tags: Vec::new(),
        restore: None,
        upload_id: None,
        part_sizes: Vec::new(),
        data: DataLayout::Inline(Vec::new()),
    };
    r.version = Some(VersionTag {
        stamp: (stamp_ms as u64) << 20,
        null: false,
    });
    r
}

fn stamp(r: &ObjectRecord) -> (u64, ObjectRecord) {
    (r.stamp(), r.clone())
}

#[test]
fn newer_noncurrent_versions_are_kept_and_older_ones_counted_from_their_successor() {
    let c = config(
        "<Rule><ID>nc</ID><Filter/><Status>Enabled</Status><NoncurrentVersionExpiration><NoncurrentDays>1</NoncurrentDays><NewerNoncurrentVersions>1</NewerNoncurrentVersions></NoncurrentVersionExpiration></Rule>",
    );
    // Versions written at 0 s, 100 s, 200 s; the latest at 300 s.
    let latest = version(300_000, false);
    let nc = vec![
        stamp(&version(200_000, false)),
        stamp(&version(100_000, false)),
        stamp(&version(0, false)),
    ];
    // At 305 s: the newest noncurrent (noncurrent since 300 s) is kept by the count; the
    // others have been noncurrent for 105 s and 205 s, more than a 10 s day.
    let plan = plan_key(&c, "k", &latest, &nc, 305_000, DAY);
    let which: Vec<Which> = plan.iter().map(|p| p.which).collect();
    assert_eq!(
        which,
        vec![
            Which::Noncurrent(nc[1].0, VersionRef::Stamp(nc[1].0)),
            Which::Noncurrent(nc[2].0, VersionRef::Stamp(nc[2].0)),
        ]
    );
    assert!(plan
        .iter()
        .all(|p| p.due == Due::DeleteVersion && p.rule == "nc"));
    // The 100 s version became noncurrent at 200 s (when the 200 s version was written): it
    // is due 10 s later, not before; the oldest one (noncurrent since 100 s) is.
    let plan = plan_key(&c, "k", &latest, &nc, 209_999, DAY);
    let which: Vec<Which> = plan.iter().map(|p| p.which).collect();
    assert_eq!(
        which,
        vec![Which::Noncurrent(nc[2].0, VersionRef::Stamp(nc[2].0))]
    );
}

#[test]
fn a_sole_delete_marker_is_removed_and_a_marker_with_versions_behind_it_stays() {
    let c = config(
        "<Rule><ID>m</ID><Filter><Prefix>a/</Prefix></Filter><Status>Enabled</Status><Expiration><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration></Rule>",
    );
    let marker = version(100, true);
    let plan = plan_key(&c, "a/k", &marker, &[], 200, DAY);
    assert_eq!(plan.len(), 1);
    assert_eq!(plan[0].due, Due::RemoveMarker);
    let behind = vec![stamp(&version(50, false))];
    assert!(plan_key(&c, "a/k", &marker, &behind, 200, DAY).is_empty());
    assert!(plan_key(&c, "b/k", &marker, &[], 200, DAY).is_empty());
}
