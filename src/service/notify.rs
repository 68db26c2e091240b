//! The notification outbox (docs/notifications.md): an event is written in the SAME atomic
//! batch as the change it describes, so a change is durable exactly when its event is, and a
//! crash or `kill -9` loses neither one alone. This is the only place outbox entries are
//! made; `commit.rs` and the few commits that stage their own batch (multipart completion,
//! version deletion, lifecycle, restore) call [`Store::notify_change`] before they append.
//!
//! Sequence numbers come from one counter, taken under the commit lock and kept in the store
//! (`Q`, written in every batch that adds an event), so they grow in commit order and never
//! repeat, across restarts and after the outbox empties. The delivery worker
//! (`crate::notify`) reads only entries whose batch is durable: each unit of service work
//! records the highest sequence it appended, and publishes it on the `ready` watch after its
//! durability wait (`commit.rs`); at open, everything stored is durable. So a webhook never
//! hears of a change a crash then took back.
//!
//! Cost: a bucket without a notification configuration pays one `Option` check per commit; a
//! matching change adds one small record and the counter to its batch.

use super::commit::CommitGuard;
use super::{ServiceError, ServiceResult, Store};
use crate::bucket_config::notification::EventName;
use crate::meta::{Batch, BucketRecord, Direction, KeyCodec, ObjectRecord, OutboxEntry};
use std::collections::HashSet;
use std::ops::Bound;
use std::sync::{Arc, Mutex};
use tokio::sync::watch;

/// The outbox's in-memory state.
pub(crate) struct Outbox {
    /// The webhooks configured (events for others are not queued).
    targets: HashSet<String>,
    /// The next sequence number; None until read from the store (under the commit lock).
    next: Mutex<Option<u64>>,
    /// The highest sequence number whose batch is durable.
    ready: watch::Sender<u64>,
}

impl Outbox {
    pub(crate) fn new(targets: &[String]) -> Outbox {
        Outbox {
            targets: targets.iter().cloned().collect(),
            next: Mutex::new(None),
            ready: watch::Sender::new(0),
        }
    }

    /// Called once the batches holding events up to `seq` are durable.
    pub(crate) fn publish(&self, seq: u64) {
        self.ready.send_if_modified(|v| {
            let newer = seq > *v;
            if newer {
                *v = seq;
            }
            newer
        });
    }
}

/// One change of an object, as its notification describes it.
pub(crate) struct Change<'a> {
    pub event: EventName,
    pub key: &'a str,
    /// The version written (created, restored, transitioned) or removed; None for a delete
    /// marker or a key that had nothing.
    pub record: Option<&'a ObjectRecord>,
    pub version_id: Option<String>,
}

fn read_seq(v: &[u8]) -> ServiceResult<u64> {
    v.try_into()
        .map(u64::from_be_bytes)
        .map_err(|_| ServiceError::Internal("outbox sequence record is not 8 bytes".into()))
}

impl Store {
    /// Reads the outbox counter at start: everything already stored is durable.
    pub fn open_outbox(&self) -> ServiceResult<()> {
        let next = match self.kv.get(KeyCodec::outbox_seq())? {
            Some(v) => read_seq(&v)?,
            None => 1,
        };
        *self.outbox.next.lock().unwrap_or_else(|p| p.into_inner()) = Some(next);
        self.outbox.publish(next.saturating_sub(1));
        Ok(())
    }

    /// Adds the events of `change` to `batch` for every rule of the bucket's configuration
    /// it matches (nothing without one). The caller holds the commit lock and appends
    /// `batch` through it next.
    pub(crate) fn notify_change(
        &self,
        lock: &CommitGuard<'_>,
        batch: &mut Batch,
        bucket: &BucketRecord,
        change: Change<'_>,
    ) -> ServiceResult<()> {
        let Some(config) = &bucket.notification else {
            return Ok(());
        };
        let rules: Vec<_> = config
            .matching(change.event, change.key)
            .into_iter()
            .filter(|r| self.outbox.targets.contains(&r.target))
            .collect();
        if rules.is_empty() {
            return Ok(());
        }
        let mut next = self.outbox.next.lock().unwrap_or_else(|p| p.into_inner());
        let mut seq = match *next {
            Some(n) => n,
            None => match self.kv.get(KeyCodec::outbox_seq())? {
                Some(v) => read_seq(&v)?,
                None => 1,
            },
        };
        let now = self.clock.now_ms();
        for rule in rules {
            let r = change.record;
            let entry = OutboxEntry {
                event: change.event,
                time_ms: now,
                bucket: bucket.name.clone(),
                key: change.key.to_string(),
                config_id: rule.id.clone(),
                size: r.map_or(0, |r| r.size),
                etag: r.map(|r| r.etag.clone()).unwrap_or_default(),
                version_id: change.version_id.clone(),
                storage_class: r.map(|r| r.storage_class.clone()),
            };
            batch.put(KeyCodec::outbox(&rule.target, seq), entry.encode());
            lock.note_event(seq);
            seq += 1;
        }
        batch.put(KeyCodec::outbox_seq().to_vec(), seq.to_be_bytes().to_vec());
        *next = Some(seq);
        Ok(())
    }

    /// Watches the highest sequence number whose event is durable (the worker delivers only
    /// up to it).
    pub fn outbox_ready(&self) -> watch::Receiver<u64> {
        self.outbox.ready.subscribe()
    }

    /// Up to `limit` entries of webhook `target` after `after`, in sequence order, none past
    /// `ready`. An entry that does not decode is returned as an error beside its sequence.
    pub async fn outbox_page(
        self: &Arc<Self>,
        target: &str,
        after: Option<u64>,
        limit: usize,
    ) -> ServiceResult<Vec<(u64, Result<OutboxEntry, String>)>> {
        let ready = *self.outbox.ready.borrow();
        let target = target.to_string();
        self.blocking("outbox page", move |store, _| {
            let prefix = KeyCodec::outbox_prefix(&target);
            let start = match after {
                Some(s) => KeyCodec::outbox(&target, s),
                None => prefix.clone(),
            };
            let end = KeyCodec::outbox(&target, ready);
            let lo = match after {
                Some(_) => Bound::Excluded(start.as_slice()),
                None => Bound::Included(start.as_slice()),
            };
            let rows = store.kv.scan(
                lo,
                Bound::Included(end.as_slice()),
                Direction::Forward,
                limit,
            )?;
            Ok(rows
                .into_iter()
                .filter_map(|(k, v)| {
                    let (_, seq) = KeyCodec::decode_outbox(&k)?;
                    Some((seq, OutboxEntry::decode(&v).map_err(|e| e.to_string())))
                })
                .collect())
        })
        .await
    }

    /// Forgets delivered entries (their webhook answered 2xx). Not awaited durable beyond the
    /// usual: a crash that loses the deletion delivers the event again (at least once).
    pub async fn outbox_ack(self: &Arc<Self>, target: &str, seqs: Vec<u64>) -> ServiceResult<()> {
        if seqs.is_empty() {
            return Ok(());
        }
        let target = target.to_string();
        self.blocking("outbox ack", move |store, appended| {
            let mut b = Batch::default();
            for s in seqs {
                b.delete(KeyCodec::outbox(&target, s));
            }
            Ok(store.append_unlocked(appended, b)?)
        })
        .await
    }

    /// How many entries each webhook id has waiting (start-up report; ids no longer
    /// configured keep theirs until they are configured again).
    pub async fn outbox_backlog(self: &Arc<Self>) -> ServiceResult<Vec<(String, u64)>> {
        self.blocking("outbox backlog", |store, _| {
            let mut out: Vec<(String, u64)> = Vec::new();
            crate::meta::scan_prefix(
                store.kv.as_ref(),
                &KeyCodec::outbox_all(),
                1024,
                &mut |k, _| {
                    if let Some((t, _)) = KeyCodec::decode_outbox(k) {
                        match out.last_mut() {
                            Some((last, n)) if last == t => *n += 1,
                            _ => out.push((t.to_string(), 1)),
                        }
                    }
                    true
                },
            )?;
            Ok(out)
        })
        .await
    }
}
