//! One conformance suite that every `Kv` implementation must pass.

use super::*;
use std::ops::Bound::{Excluded, Included, Unbounded};

fn put(kv: &dyn Kv, pairs: &[(&str, &str)]) {
    let mut b = Batch::default();
    for (k, v) in pairs {
        b.put(k.as_bytes().to_vec(), v.as_bytes().to_vec());
    }
    kv.write(b).unwrap();
}

fn keys(rows: &[Pair]) -> Vec<String> {
    rows.iter()
        .map(|(k, _)| String::from_utf8(k.clone()).unwrap())
        .collect()
}

pub fn run_all(kv: &dyn Kv) {
    put(
        kv,
        &[("a", "1"), ("b", "2"), ("c", "3"), ("d", "4"), ("e", "5")],
    );
    assert_eq!(kv.get(b"c").unwrap(), Some(b"3".to_vec()));
    assert_eq!(kv.get(b"zz").unwrap(), None);

    let all = kv
        .scan(Unbounded, Unbounded, Direction::Forward, 100)
        .unwrap();
    assert_eq!(keys(&all), ["a", "b", "c", "d", "e"]);
    let rev = kv
        .scan(Unbounded, Unbounded, Direction::Reverse, 100)
        .unwrap();
    assert_eq!(keys(&rev), ["e", "d", "c", "b", "a"]);
    let mid = kv
        .scan(Included(b"b"), Excluded(b"e"), Direction::Forward, 100)
        .unwrap();
    assert_eq!(keys(&mid), ["b", "c", "d"]);
    let mid = kv
        .scan(Excluded(b"b"), Included(b"e"), Direction::Forward, 100)
        .unwrap();
    assert_eq!(keys(&mid), ["c", "d", "e"]);
    let back = kv
        .scan(Excluded(b"a"), Excluded(b"e"), Direction::Reverse, 2)
        .unwrap();
    assert_eq!(keys(&back), ["d", "c"]);
    let back = kv
        .scan(Included(b"b"), Included(b"d"), Direction::Reverse, 10)
        .unwrap();
    assert_eq!(keys(&back), ["d", "c", "b"]);
    let limited = kv
        .scan(Included(b"bb"), Unbounded, Direction::Forward, 2)
        .unwrap();
    assert_eq!(keys(&limited), ["c", "d"]);
    assert!(kv
        .scan(Included(b"x"), Excluded(b"y"), Direction::Forward, 10)
        .unwrap()
        .is_empty());
    assert!(kv
        .scan(Included(b"d"), Excluded(b"b"), Direction::Forward, 10)
        .unwrap()
        .is_empty());

    // A batch is atomic and ordered: later ops in the batch win.
    let mut b = Batch::default();
    b.delete(b"a".to_vec());
    b.put(b"f".to_vec(), b"6".to_vec());
    b.put(b"f".to_vec(), b"7".to_vec());
    kv.write(b).unwrap();
    assert_eq!(kv.get(b"a").unwrap(), None);
    assert_eq!(kv.get(b"f").unwrap(), Some(b"7".to_vec()));

    // A snapshot does not see later writes.
    let mut seen = Vec::new();
    kv.with_snapshot(&mut |snap| {
        put(kv, &[("g", "8")]);
        let mut b = Batch::default();
        b.delete(b"b".to_vec());
        kv.write(b).unwrap();
        seen = keys(&snap.scan(Unbounded, Unbounded, Direction::Forward, 100)?);
        assert_eq!(snap.get(b"b")?, Some(b"2".to_vec()));
        assert_eq!(snap.get(b"g")?, None);
        Ok(())
    })
    .unwrap();
    assert_eq!(seen, ["b", "c", "d", "e", "f"]);
    assert_eq!(kv.get(b"g").unwrap(), Some(b"8".to_vec()));

    // Binary keys with 0x00 and 0xff sort bytewise; prefix scans stop at the prefix end.
    let mut b = Batch::default();
    for k in [&b"p\x00"[..], b"p\xff", b"p\xff\xff", b"q", b"p"] {
        b.put(k.to_vec(), vec![1]);
    }
    kv.write(b).unwrap();
    let mut got = Vec::new();
    scan_prefix(kv, b"p", 2, &mut |k, _| {
        got.push(k.to_vec());
        true
    })
    .unwrap();
    assert_eq!(
        got,
        vec![
            b"p".to_vec(),
            b"p\x00".to_vec(),
            b"p\xff".to_vec(),
            b"p\xff\xff".to_vec()
        ]
    );
    assert_eq!(prefix_end(b"p\xff"), Some(b"q".to_vec()));
    assert_eq!(prefix_end(b"\xff\xff"), None);
}

#[test]
fn memkv_conforms() {
    run_all(&MemKv::new());
}

#[test]
fn rockskv_conforms_and_persists() {
    let dir = tempfile::tempdir().unwrap();
    {
        let kv = RocksKv::open(dir.path(), true).unwrap();
        run_all(&kv);
    }
    let kv = RocksKv::open(dir.path(), false).unwrap();
    assert_eq!(kv.get(b"f").unwrap(), Some(b"7".to_vec()));
}

/// The thread-free durability wait: one claim at a time, published on the watch channel.
#[test]
fn rockskv_group_sync_claims_and_publishes() {
    let dir = tempfile::tempdir().unwrap();
    let kv = RocksKv::open(dir.path(), true).unwrap();
    let mut b = Batch::default();
    b.put(b"a".to_vec(), b"1".to_vec());
    let ticket = kv.write_deferred(b).unwrap();
    let watch = kv.durable_watch().unwrap();
    assert!(*watch.borrow() < ticket);
    let target = kv.begin_sync().unwrap();
    assert!(target >= ticket);
    assert_eq!(kv.begin_sync(), None, "one sync at a time");
    kv.run_sync(target).unwrap();
    assert!(*watch.borrow() >= ticket);
    assert!(kv.begin_sync().is_some(), "the claim was released");
    // Without syncing there is nothing to wait for.
    let dir = tempfile::tempdir().unwrap();
    let plain = RocksKv::open(dir.path(), false).unwrap();
    assert!(plain.durable_watch().is_none() && plain.begin_sync().is_none());
}
