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

/// The thread-free durability wait: ask, then watch the sync thread publish.
#[test]
fn rockskv_group_sync_requests_and_publishes() {
    let dir = tempfile::tempdir().unwrap();
    let kv = RocksKv::open(dir.path(), true).unwrap();
    let mut b = Batch::default();
    b.put(b"a".to_vec(), b"1".to_vec());
    let ticket = kv.write_deferred(b).unwrap();
    let mut watch = kv.durable_watch().unwrap();
    kv.request_sync(ticket);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    rt.block_on(async {
        while *watch.borrow_and_update() < ticket {
            watch.changed().await.unwrap();
        }
    });
    kv.wait_durable(ticket).unwrap();
    // Without syncing there is nothing to wait for.
    let dir = tempfile::tempdir().unwrap();
    let plain = RocksKv::open(dir.path(), false).unwrap();
    assert!(plain.durable_watch().is_none());
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dst = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &dst);
        } else {
            std::fs::copy(e.path(), dst).unwrap();
        }
    }
}

/// A crash: the process dies with batches only in the memtable and the log (RocksDB's own WAL
/// is off). A copy of the files taken then is what a `kill -9` leaves; opening it replays the
/// log on top of the flushed tables.
#[test]
fn rockskv_replays_its_log_after_a_crash() {
    let live = tempfile::tempdir().unwrap();
    let kv = RocksKv::open(live.path(), true).unwrap();
    for i in 0..40u32 {
        put(&kv, &[(&format!("k{i:02}"), &format!("v{i}"))]);
        if i == 20 {
            kv.flush().unwrap(); // the tables hold the first 21 batches; the log the rest
        }
    }
    let mut b = Batch::default();
    b.delete(b"k05".to_vec());
    b.delete(b"k30".to_vec());
    b.put(b"k39".to_vec(), b"last".to_vec());
    kv.write(b).unwrap();
    // RocksDB flushes on its own: the tables then hold batches the recorded lsn does not
    // cover, and the replay applies them again, in order, on top of themselves.
    kv.flush_tables_only().unwrap();
    put(&kv, &[("k30", "again"), ("k31", "x")]);
    let mut b = Batch::default();
    b.delete(b"k31".to_vec());
    kv.write(b).unwrap();
    let crashed = tempfile::tempdir().unwrap();
    copy_dir(live.path(), crashed.path());
    drop(kv);

    let kv = RocksKv::open(crashed.path(), true).unwrap();
    let rows = kv
        .scan(Unbounded, Unbounded, Direction::Forward, 100)
        .unwrap();
    assert_eq!(
        rows.len(),
        38,
        "40 keys less k05 and k31, and no internal keys"
    );
    assert_eq!(kv.get(b"k21").unwrap(), Some(b"v21".to_vec()));
    assert_eq!(kv.get(b"k39").unwrap(), Some(b"last".to_vec()));
    assert_eq!(kv.get(b"k30").unwrap(), Some(b"again".to_vec()));
    assert_eq!(kv.get(b"k31").unwrap(), None);
    // Writes after the recovery survive a second crash, and a clean close after that.
    put(&kv, &[("after", "1")]);
    let again = tempfile::tempdir().unwrap();
    copy_dir(crashed.path(), again.path());
    drop(kv);
    for dir in [again.path(), crashed.path()] {
        let kv = RocksKv::open(dir, false).unwrap();
        assert_eq!(kv.get(b"after").unwrap(), Some(b"1".to_vec()));
        assert_eq!(kv.get(b"k21").unwrap(), Some(b"v21".to_vec()));
        assert_eq!(kv.get(b"k05").unwrap(), None);
    }
}
