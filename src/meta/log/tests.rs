//! The log on real files: append, group sync, rotation, reuse after a flush, and reopening.
//! (A simulated database: `applied` plays RocksDB's memtable, `persisted` its flushed tables.)

use super::*;

fn batch(i: u64, size: usize) -> Batch {
    let mut b = Batch::default();
    b.put(i.to_be_bytes().to_vec(), vec![i as u8; size]);
    b
}

fn start(dir: &Path, persisted: u64) -> (SegLog, Vec<u64>) {
    let opening = Opening::read(dir, persisted).unwrap();
    let replayed = opening.replay.iter().map(|(l, _)| *l).collect();
    (opening.start(true, persisted).unwrap(), replayed)
}

fn append_n(log: &SegLog, lsns: std::ops::RangeInclusive<u64>, size: usize) {
    for i in lsns {
        let got = log.append(&batch(i, size), || Ok(())).unwrap();
        assert_eq!(got, i);
    }
}

fn segment_files(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with("seg-")
        })
        .count()
}

#[test]
fn synced_batches_are_replayed_after_a_crash_and_unsynced_ones_may_not_be() {
    let dir = tempfile::tempdir().unwrap();
    let (log, replayed) = start(dir.path(), 0);
    assert!(replayed.is_empty());
    assert_eq!(
        segment_files(dir.path()),
        1,
        "a new log has one small segment"
    );
    append_n(&log, 1..=5, 100);
    log.write_pending().unwrap();
    append_n(&log, 6..=7, 100); // appended, never synced: still only in memory
    drop(log); // a crash: no mark_clean

    let (log, replayed) = start(dir.path(), 2);
    assert_eq!(
        replayed,
        [3, 4, 5],
        "what the tables lack, up to the last synced batch"
    );
    // The new generation continues the lsns and does not confuse old records with new ones.
    append_n(&log, 6..=6, 10);
    log.write_pending().unwrap();
    drop(log);
    let (_log, replayed) = start(dir.path(), 5);
    assert_eq!(replayed, [6]);
}

#[test]
fn without_sync_batches_reach_the_file_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let opening = Opening::read(dir.path(), 0).unwrap();
    let log = opening.start(false, 0).unwrap();
    append_n(&log, 1..=3, 100);
    assert!(log.durable_watch().is_none());
    assert_eq!(log.run_syncs().ok(), Some(()), "no sync thread to run");
    assert!(log
        .append(&batch(9, 1), || Err(KvError::Io("no".into())))
        .is_err());
    drop(log); // a killed process: the page cache keeps what was written
    assert_eq!(start(dir.path(), 1).1, [2, 3]);
}

#[test]
fn a_failed_apply_logs_nothing_and_uses_no_lsn() {
    let dir = tempfile::tempdir().unwrap();
    let (log, _) = start(dir.path(), 0);
    let err = log.append(&batch(1, 1), || Err(KvError::Io("no".into())));
    assert!(err.is_err());
    append_n(&log, 1..=1, 1);
    log.write_pending().unwrap();
    drop(log);
    assert_eq!(start(dir.path(), 0).1, [1]);
}

#[test]
fn full_segments_rotate_grow_and_are_reused_after_a_flush() {
    let dir = tempfile::tempdir().unwrap();
    let (mut log, _) = start(dir.path(), 0);
    log.flush_at = 2 << 20;
    // 100 KiB batches: a 1 MiB segment holds 10.
    append_n(&log, 1..=25, 100 << 10);
    {
        let st = lock(&log.state);
        assert_eq!(
            st.sealed.iter().map(|(_, l)| *l).collect::<Vec<_>>(),
            [10, 20]
        );
        assert_eq!(
            st.cur.size,
            2 << 20,
            "a new segment is as large as the others together"
        );
    }
    assert!(
        lock(&log.flush).wanted,
        "2 MiB of sealed segments ask for a flush"
    );
    assert!(lock(&log.flush).spare, "and no segment is free");
    assert_eq!(log.next_flush(), Some(25), "after preparing a spare");
    log.write_pending().unwrap();
    log.flushed(25);
    {
        let st = lock(&log.state);
        assert!(st.sealed.is_empty());
        let mut free: Vec<u64> = st.free.iter().map(|s| s.size >> 20).collect();
        free.sort();
        assert_eq!(free, [1, 1, 4], "the flushed segments and the spare");
    }
    // Crash now: everything is persisted (25), nothing to replay, though the segments still
    // hold records.
    drop(log);
    let (log, replayed) = start(dir.path(), 25);
    assert!(replayed.is_empty());
    let files = segment_files(dir.path());
    append_n(&log, 26..=75, 100 << 10);
    log.write_pending().unwrap();
    assert_eq!(
        segment_files(dir.path()),
        files,
        "a restarted log reuses its segments"
    );
    drop(log);
    let (_, replayed) = start(dir.path(), 30);
    assert_eq!(
        replayed,
        (31..=75).collect::<Vec<_>>(),
        "replay crosses segments"
    );
}

#[test]
fn a_batch_larger_than_any_segment_gets_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let (log, _) = start(dir.path(), 0);
    append_n(&log, 1..=1, 3 << 20);
    append_n(&log, 2..=2, 10);
    log.write_pending().unwrap();
    drop(log);
    assert_eq!(start(dir.path(), 0).1, [1, 2]);
}

#[test]
fn a_clean_close_needs_no_replay_and_a_missing_gen_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (log, _) = start(dir.path(), 0);
    append_n(&log, 1..=3, 10);
    log.write_pending().unwrap();
    log.mark_clean(2).unwrap();
    assert!(!lock(&log.state).clean, "3 is not persisted yet");
    log.mark_clean(3).unwrap();
    drop(log);
    // The database said 3 at the clean close; a scan is skipped entirely.
    let (log, replayed) = start(dir.path(), 3);
    assert!(replayed.is_empty());
    // Closed cleanly, then written again: the append makes the log dirty before it counts.
    log.mark_clean(3).unwrap();
    append_n(&log, 4..=4, 10);
    log.write_pending().unwrap();
    drop(log);
    assert_eq!(start(dir.path(), 3).1, [4]);
    std::fs::remove_file(dir.path().join("GEN")).unwrap();
    assert!(matches!(
        Opening::read(dir.path(), 0),
        Err(KvError::Corrupt(_))
    ));
}

#[test]
fn concurrent_writers_share_syncs_and_every_ticket_completes() {
    let dir = tempfile::tempdir().unwrap();
    let (log, _) = start(dir.path(), 0);
    let log = Arc::new(log);
    let syncer = {
        let log = Arc::clone(&log);
        std::thread::spawn(move || log.run_syncs())
    };
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let log = Arc::clone(&log);
            std::thread::spawn(move || {
                for i in 0..50 {
                    let ticket = log.append(&batch(t * 100 + i, 500), || Ok(())).unwrap();
                    log.wait_durable(ticket);
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(*log.durable_watch().unwrap().borrow(), 400);
    // An async waiter: asks, then sees the watch reach its ticket.
    let ticket = log.append(&batch(999, 1), || Ok(())).unwrap();
    let mut watch = log.durable_watch().unwrap();
    log.request_sync(ticket);
    while *watch.borrow_and_update() < ticket {
        futures_lite_wait(&mut watch);
    }
    log.stop();
    syncer.join().unwrap().unwrap();
    drop(log);
    let (_, replayed) = start(dir.path(), 0);
    assert_eq!(replayed, (1..=401).collect::<Vec<_>>());
}

fn futures_lite_wait(watch: &mut tokio::sync::watch::Receiver<u64>) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    rt.block_on(watch.changed()).unwrap();
}
