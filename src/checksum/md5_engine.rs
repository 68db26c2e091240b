//! The MD5 engine: one thread that hashes the chunks of many bodies together, in the lanes of
//! the multi-buffer MD5 (`md5x.rs`).
//!
//! A body's MD5 chain (`service/ingest.rs`) asks [`Md5Engine::body`] for its hasher when its
//! first chunk is full. While fewer than [`MIN_BUSY_OTHERS`] other bodies are being hashed, it
//! gets OpenSSL's one-stream MD5 (~0.85 GB/s on its own core here); otherwise its chunks go to
//! the engine, where each stream advances at ~0.31 GB/s but sixteen share one core at
//! ~4.9 GB/s. The parts of a multipart upload sent in parallel, or many concurrent PUTs, so
//! cost a fraction of the CPU, and a lone upload keeps the fastest single stream. The choice
//! is made once per body: a stream's state cannot move between OpenSSL and the lanes.
//!
//! The thread starts with the first job and ends when the engine is dropped and its work is
//! done. Should it be gone, a stream hashes its chunk on its own thread from the state it kept.

use super::md5x::{compress_lanes, compress_one, Md5State, INIT, LANES};
use super::{BodyMd5, HashError};
use bytes::Bytes;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{sync_channel, SyncSender};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

/// Other bodies that must be hashing for a new one to use the lanes: with four streams or more
/// a core hashes more in lanes (4 x 0.31 GB/s) than with OpenSSL.
pub const MIN_BUSY_OTHERS: usize = 3;
/// Blocks per lane between two looks at the queue, so new chunks join and finished ones leave
/// soon (16 KiB a lane, ~50 µs with every lane busy).
const SLICE_BLOCKS: usize = 256;
/// Bodies whose first chunk is smaller stay off the lanes: that chunk is all there is of them.
const MIN_LANE_BODY: usize = 64 * 1024;
/// Pieces below this are hashed on the caller's thread (on one lane of the kernel, which
/// costs a sixteen-lane step per block); larger ones share the engine's steps.
const MIN_JOB: usize = 4 * 1024;

struct Job {
    abcd: [u32; 4],
    /// Whole blocks only.
    data: Bytes,
    reply: SyncSender<[u32; 4]>,
}

#[derive(Default)]
struct Queue {
    jobs: VecDeque<Job>,
    started: bool,
    stop: bool,
}

#[derive(Default)]
struct Shared {
    queue: Mutex<Queue>,
    work: Condvar,
    /// Bodies being hashed now, either way.
    busy: AtomicUsize,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Queue> {
        self.queue.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The engine of one store.
#[derive(Default)]
pub struct Md5Engine {
    shared: Arc<Shared>,
}

impl Drop for Md5Engine {
    fn drop(&mut self) {
        self.shared.lock().stop = true;
        self.shared.work.notify_all();
    }
}

/// Counts a body as busy while it lives.
struct Busy(Arc<Shared>);

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.busy.fetch_sub(1, Ordering::Relaxed);
    }
}

/// The MD5 of one body, computed by OpenSSL or in the engine's lanes.
pub struct BodyMd5Chain {
    how: How,
    _busy: Busy,
}

enum How {
    Single(BodyMd5),
    Lanes(Md5State),
}

impl Md5Engine {
    /// The hasher of a body whose first chunk of `first_len` bytes is about to arrive. A body
    /// whose first chunk is its whole, small self stays with OpenSSL (or `md-5` below 64 KiB,
    /// `checksum/md5.rs`): on one lane it would take several times as long.
    pub fn body(&self, first_len: usize) -> BodyMd5Chain {
        let others = self.shared.busy.fetch_add(1, Ordering::Relaxed);
        let how = if others >= MIN_BUSY_OTHERS && first_len >= MIN_LANE_BODY {
            How::Lanes(Md5State::default())
        } else {
            How::Single(BodyMd5::default())
        };
        BodyMd5Chain {
            how,
            _busy: Busy(Arc::clone(&self.shared)),
        }
    }

    /// A hasher in the lanes whatever the load (tests).
    #[cfg(test)]
    fn lanes(&self) -> BodyMd5Chain {
        self.shared.busy.fetch_add(1, Ordering::Relaxed);
        BodyMd5Chain {
            how: How::Lanes(Md5State::default()),
            _busy: Busy(Arc::clone(&self.shared)),
        }
    }
}

impl BodyMd5Chain {
    /// Hashes `data` next, blocking until done: call from a blocking thread.
    pub fn update(&mut self, data: &Bytes) {
        match &mut self.how {
            How::Single(md5) => md5.update(data),
            How::Lanes(state) => {
                let rest = state.fill_tail(data);
                let start = data.len() - rest.len();
                let whole = rest.len() / 64 * 64;
                if whole >= MIN_JOB {
                    let abcd = state.abcd;
                    state.abcd =
                        hash_in_lanes(&self._busy.0, abcd, data.slice(start..start + whole))
                            .unwrap_or_else(|| {
                                let mut abcd = abcd;
                                compress_one(&mut abcd, &data[start..start + whole]);
                                abcd
                            });
                } else if whole > 0 {
                    compress_one(&mut state.abcd, &rest[..whole]);
                }
                state.advance(whole / 64, &rest[whole..]);
            }
        }
    }

    pub fn finish(self) -> Result<[u8; 16], HashError> {
        match self.how {
            How::Single(md5) => md5.finish(),
            How::Lanes(state) => Ok(state.finish()),
        }
    }

    #[cfg(test)]
    fn in_lanes(&self) -> bool {
        matches!(self.how, How::Lanes(_))
    }
}

/// Queues `data` (whole blocks) from state `abcd` and waits for the new state; None when the
/// engine is stopping or its thread is gone.
fn hash_in_lanes(shared: &Arc<Shared>, abcd: [u32; 4], data: Bytes) -> Option<[u32; 4]> {
    let (reply, done) = sync_channel(1);
    {
        let mut q = shared.lock();
        if q.stop {
            return None;
        }
        if !q.started {
            let worker = Arc::clone(shared);
            std::thread::Builder::new()
                .name("cosd-md5".into())
                .spawn(move || run(&worker))
                .ok()?;
            q.started = true;
        }
        q.jobs.push_back(Job { abcd, data, reply });
    }
    shared.work.notify_one();
    done.recv().ok()
}

/// A job in a lane, and how many of its blocks are done.
struct Active {
    job: Job,
    done: usize,
}

/// The engine thread: fills free lanes from the queue, hashes a slice of every busy lane in
/// lock-step, answers the jobs that are complete; until stopped and idle.
fn run(shared: &Shared) {
    let mut lanes: [Option<Active>; LANES] = std::array::from_fn(|_| None);
    let mut states = [INIT; LANES];
    loop {
        {
            let mut q = shared.lock();
            loop {
                for (lane, state) in lanes.iter_mut().zip(states.iter_mut()) {
                    if lane.is_none() {
                        if let Some(job) = q.jobs.pop_front() {
                            *state = job.abcd;
                            *lane = Some(Active { job, done: 0 });
                        }
                    }
                }
                if lanes.iter().any(Option::is_some) {
                    break;
                }
                if q.stop {
                    return;
                }
                q = shared.work.wait(q).unwrap_or_else(|p| p.into_inner());
            }
        }
        let left = |a: &Active| a.job.data.len() / 64 - a.done;
        let n = lanes
            .iter()
            .flatten()
            .map(left)
            .min()
            .unwrap_or(0)
            .min(SLICE_BLOCKS);
        let inputs: [Option<&[u8]>; LANES] = std::array::from_fn(|l| {
            lanes[l]
                .as_ref()
                .map(|a| &a.job.data[a.done * 64..(a.done + n) * 64])
        });
        compress_lanes(&mut states, &inputs, n);
        for (lane, state) in lanes.iter_mut().zip(states.iter()) {
            if let Some(a) = lane {
                a.done += n;
                if left(a) == 0 {
                    // The waiter may have given up; nothing to do then.
                    let _ = a.job.reply.send(*state);
                    *lane = None;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use md5::Digest;

    fn body(n: usize, seed: usize) -> Bytes {
        (0..n).map(|i| (i * (seed + 7) + i / 999) as u8).collect()
    }

    /// A lone body gets OpenSSL; with enough others busy, the lanes, unless it is small.
    #[test]
    fn the_choice_follows_the_load() {
        let engine = Md5Engine::default();
        let held: Vec<_> = (0..MIN_BUSY_OTHERS).map(|_| engine.body(4 << 20)).collect();
        assert!(held.iter().all(|b| !b.in_lanes()));
        assert!(
            !engine.body(MIN_LANE_BODY - 1).in_lanes(),
            "a small body stays alone"
        );
        let next = engine.body(MIN_LANE_BODY);
        assert!(next.in_lanes());
        drop((held, next));
        assert!(
            !engine.body(4 << 20).in_lanes(),
            "busy counts come back down"
        );
    }

    /// Many bodies hashed at once in the lanes, in uneven pieces (tails across chunk edges,
    /// pieces below and above the job minimum), each equal to its own MD5.
    #[test]
    fn concurrent_bodies_in_lanes_get_their_own_digests() {
        let engine = Arc::new(Md5Engine::default());
        let threads: Vec<_> = (0..LANES + 3)
            .map(|t| {
                let engine = Arc::clone(&engine);
                std::thread::spawn(move || {
                    let data = body(300_000 + t * 4099, t);
                    let mut h = engine.lanes();
                    let mut at = 0;
                    for piece in [1, 70_001, 4_095, 65_536, 63, 4_096, 100_000]
                        .iter()
                        .cycle()
                    {
                        if at >= data.len() {
                            break;
                        }
                        let end = (at + piece).min(data.len());
                        h.update(&data.slice(at..end));
                        at = end;
                    }
                    let want: [u8; 16] = md5::Md5::digest(&data).into();
                    assert_eq!(h.finish().unwrap(), want, "body {t}");
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
    }

    /// After the engine is dropped, a stream still gets the right digest (on its own thread).
    #[test]
    fn a_stopped_engine_leaves_streams_correct() {
        let engine = Md5Engine::default();
        let mut h = engine.lanes();
        let data = body(1 << 20, 3);
        h.update(&data.slice(..1 << 19));
        drop(engine);
        h.update(&data.slice(1 << 19..));
        let want: [u8; 16] = md5::Md5::digest(&data).into();
        assert_eq!(h.finish().unwrap(), want);
    }
}
