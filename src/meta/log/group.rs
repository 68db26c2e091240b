//! Group commit on a dedicated sync thread. Writers append without syncing, ask for their
//! ticket to be made durable, and wait; the thread syncs everything appended so far, publishes
//! the last ticket covered, and starts again at once while anything is pending. Under load it
//! never sleeps, so writers need not wake it (waking a thread per sync cost ~5 µs of every
//! small PUT when the sync ran on tokio's blocking pool); one sync serves every writer that
//! arrived while the previous one ran.

use crate::meta::KvResult;
use std::sync::{Condvar, Mutex};

pub struct GroupSync {
    state: Mutex<SyncState>,
    /// The sync thread waits here when idle.
    work: Condvar,
    /// Blocking waiters wait here.
    done: Condvar,
    /// `synced`, for async waiters (`Store::durable`): no thread parks per waiter.
    watch: tokio::sync::watch::Sender<u64>,
}

impl Default for GroupSync {
    fn default() -> Self {
        GroupSync {
            state: Default::default(),
            work: Default::default(),
            done: Default::default(),
            watch: tokio::sync::watch::channel(0).0,
        }
    }
}

#[derive(Default)]
struct SyncState {
    /// Every batch with a ticket up to this one is durable.
    synced: u64,
    idle: bool,
    stop: bool,
}

impl GroupSync {
    fn lock(&self) -> std::sync::MutexGuard<'_, SyncState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Asks for every batch up to `ticket` (appended already) to be made durable; returns at
    /// once. Wakes the sync thread only if it sleeps.
    pub fn request(&self, ticket: u64) {
        let st = self.lock();
        if ticket > st.synced && st.idle {
            self.work.notify_one();
        }
    }

    /// Blocks until `ticket` is durable.
    pub fn wait(&self, ticket: u64) {
        self.request(ticket);
        let mut st = self.lock();
        while st.synced < ticket {
            st = self.done.wait(st).unwrap_or_else(|p| p.into_inner());
        }
    }

    pub fn watch(&self) -> tokio::sync::watch::Receiver<u64> {
        self.watch.subscribe()
    }

    pub fn stop(&self) {
        self.lock().stop = true;
        self.work.notify_one();
    }

    /// The sync thread's loop: `last()` is the last ticket appended, `sync()` makes everything
    /// appended durable. Syncs whenever anything appended is not yet durable (whether or not
    /// its writer has asked yet) and sleeps only when nothing is. Returns when stopped (the
    /// store is closing: its final flush persists what is left), or with the error of a failed
    /// sync, after which nothing appended can be trusted to be durable: the caller must stop
    /// the process.
    pub fn run(&self, last: impl Fn() -> u64, sync: impl Fn() -> KvResult<()>) -> KvResult<()> {
        let mut st = self.lock();
        loop {
            if st.stop {
                return Ok(());
            }
            let target = last();
            if target <= st.synced {
                st.idle = true;
                st = self.work.wait(st).unwrap_or_else(|p| p.into_inner());
                st.idle = false;
                continue;
            }
            drop(st);
            sync()?;
            st = self.lock();
            st.synced = st.synced.max(target);
            self.watch.send_replace(st.synced);
            self.done.notify_all();
        }
    }
}
