//! Group commit: writers append without syncing, then wait here; whoever finds no sync running
//! syncs everything appended so far, and every writer whose batch that covers returns. One
//! sync serves all the writers that arrived while the previous one ran.

use crate::meta::KvResult;
use std::sync::{Condvar, Mutex};

pub struct GroupSync {
    state: Mutex<SyncState>,
    done: Condvar,
    /// `synced`, for async waiters (`Store::durable`): no thread parks per waiter.
    watch: tokio::sync::watch::Sender<u64>,
}

impl Default for GroupSync {
    fn default() -> Self {
        GroupSync {
            state: Default::default(),
            done: Default::default(),
            watch: tokio::sync::watch::channel(0).0,
        }
    }
}

#[derive(Default)]
struct SyncState {
    /// Every batch with a ticket up to this one is durable.
    synced: u64,
    syncing: bool,
}

impl GroupSync {
    fn lock(&self) -> std::sync::MutexGuard<'_, SyncState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Blocks until `ticket` is durable, running the sync (`sync`, covering everything up to
    /// `last()` at the time it starts) if no other thread is.
    pub fn wait(
        &self,
        ticket: u64,
        last: impl Fn() -> u64,
        sync: impl Fn() -> KvResult<()>,
    ) -> KvResult<()> {
        let mut st = self.lock();
        loop {
            if st.synced >= ticket {
                return Ok(());
            }
            if st.syncing {
                st = self.done.wait(st).unwrap_or_else(|p| p.into_inner());
                continue;
            }
            st.syncing = true;
            let target = last();
            drop(st);
            self.run(target, &sync)?;
            st = self.lock();
        }
    }

    pub fn watch(&self) -> tokio::sync::watch::Receiver<u64> {
        self.watch.subscribe()
    }

    /// Claims the next sync if none is running: returns the ticket it will cover, and the
    /// caller must then call [`GroupSync::run`] with it (on a thread that may block).
    pub fn begin(&self, last: impl Fn() -> u64) -> Option<u64> {
        let mut st = self.lock();
        if st.syncing {
            return None;
        }
        st.syncing = true;
        Some(last())
    }

    /// Runs the sync for a claim and publishes the result.
    pub fn run(&self, target: u64, sync: impl Fn() -> KvResult<()>) -> KvResult<()> {
        let res = sync();
        let mut st = self.lock();
        st.syncing = false;
        if res.is_ok() {
            st.synced = st.synced.max(target);
            self.watch.send_replace(st.synced);
        }
        drop(st);
        self.done.notify_all();
        res
    }
}
