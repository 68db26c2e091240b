//! The MD5 engine: one thread that hashes the chunks of many bodies together, in the lanes of
//! the multi-buffer MD5 (`md5x.rs`).
//!
//! A body's MD5 chain (`service/ingest.rs`) asks [`Md5Engine::body`] for its hasher when its
//! first chunk is full:
//! - a body whose first chunk (its whole self) is small gets [`BodyMd5`] (the `md-5` crate
//!   below 64 KiB);
//! - any other gets an [`Md5State`] that moves between this crate's one-stream MD5 (~0.93
//!   GB/s on its own core here, OpenSSL's is ~0.89) and the engine's lanes at every chunk.
//!   While at least [`MIN_LANE_STREAMS`] such bodies are being hashed, its chunks go to the
//!   engine, where sixteen lanes cost one core about what one stream costs twice (AVX-512) or
//!   three times (AVX2, `wide`).
//!
//! A lane step costs the same however many lanes are busy, so the engine waits, up to
//! [`HOLD_PER_MIB`] per MiB of the oldest waiting chunk after it arrived, for the next chunk
//! of every body it finished one of lately (within [`RECENT_PER_MIB`] per MiB of that chunk;
//! a body that sends slower is not waited for). The bodies of a parallel multipart upload so
//! fall into step, and the engine hashes them together instead of each in a step of its own.
//! Both scale with the chunk: a chunk waits at most about as long as one lane takes to hash
//! it, so smaller chunks wait less.
//!
//! The thread starts with the first job and ends when the engine is dropped and its work is
//! done. Should it be gone, a stream hashes its chunk on its own thread from the state it kept.

use super::md5x::{compress_lanes, compress_one, Md5State, INIT, LANES};
use super::{BodyMd5, HashError};
use bytes::Bytes;
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{sync_channel, SyncSender};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// Movable bodies that must be hashing for their chunks to go to the lanes: from three
/// streams on, a lane step costs less than hashing each stream on its own.
pub const MIN_LANE_STREAMS: usize = 3;
/// How long the engine may hold a chunk while waiting for the other bodies' chunks, per MiB
/// of it: about the time one lane takes to hash it (10 ms for 4 MiB), so a body waits at
/// most as long again as it would anyway, and its next chunk arrives meanwhile.
pub const HOLD_PER_MIB: Duration = Duration::from_micros(2_500);
/// A body whose chunk the engine finished is expected back within this per MiB of that
/// chunk: its next one arrives so if it sends at 80 MB/s or more.
pub const RECENT_PER_MIB: Duration = Duration::from_micros(12_500);

/// `per_mib` for each MiB of `len` bytes.
fn scaled(per_mib: Duration, len: usize) -> Duration {
    Duration::from_nanos(((per_mib.as_nanos() as u64).saturating_mul(len as u64)) >> 20)
}
/// Blocks per lane between two looks at the queue, so new chunks join and finished ones leave
/// soon (16 KiB a lane, ~50 µs with every lane busy).
const SLICE_BLOCKS: usize = 256;
/// Bodies whose first chunk is smaller keep `BodyMd5`: that chunk is all there is of them.
const MIN_LANE_BODY: usize = 64 * 1024;
/// Pieces below this are hashed on the caller's thread; larger ones share the engine's steps.
const MIN_JOB: usize = 4 * 1024;

struct Job {
    abcd: [u32; 4],
    /// Whole blocks only.
    data: Bytes,
    reply: SyncSender<[u32; 4]>,
    /// The longest the engine may hold it for other bodies' chunks.
    hold_until: Instant,
    body: u64,
}

#[derive(Default)]
struct Queue {
    jobs: VecDeque<Job>,
    started: bool,
    stop: bool,
    /// The bodies whose chunks the engine finished lately, and until when each is expected
    /// back; a body leaves as it ends.
    served: HashMap<u64, Instant>,
}

#[derive(Default)]
struct Shared {
    queue: Mutex<Queue>,
    work: Condvar,
    /// Bodies with a movable state being hashed now.
    movable: AtomicUsize,
    /// Numbers the movable bodies.
    next_body: AtomicU64,
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

/// A movable body's number, counted in the engine while it lives.
struct Member {
    shared: Arc<Shared>,
    body: u64,
}

impl Member {
    fn new(shared: &Arc<Shared>) -> Member {
        shared.movable.fetch_add(1, Ordering::Relaxed);
        Member {
            shared: Arc::clone(shared),
            body: shared.next_body.fetch_add(1, Ordering::Relaxed),
        }
    }
}

impl Drop for Member {
    fn drop(&mut self) {
        self.shared.movable.fetch_sub(1, Ordering::Relaxed);
        // The engine may be waiting for this body's next chunk.
        if self.shared.lock().served.remove(&self.body).is_some() {
            self.shared.work.notify_one();
        }
    }
}

/// The MD5 of one body: small ones by `BodyMd5`, others movable between one stream and the
/// lanes.
pub struct BodyMd5Chain {
    how: How,
}

enum How {
    Single(BodyMd5),
    Movable(Md5State, Member),
}

impl Md5Engine {
    /// The hasher of a body whose first chunk of `first_len` bytes is about to arrive. A body
    /// whose first chunk is its whole, small self gets `BodyMd5` (`checksum/md5.rs`).
    pub fn body(&self, first_len: usize) -> BodyMd5Chain {
        if first_len >= MIN_LANE_BODY {
            self.movable()
        } else {
            BodyMd5Chain {
                how: How::Single(BodyMd5::default()),
            }
        }
    }

    fn movable(&self) -> BodyMd5Chain {
        BodyMd5Chain {
            how: How::Movable(Md5State::default(), Member::new(&self.shared)),
        }
    }
}

impl BodyMd5Chain {
    /// Hashes `data` next, blocking until done: call from a blocking thread.
    pub fn update(&mut self, data: &Bytes) {
        match &mut self.how {
            How::Single(md5) => md5.update(data),
            How::Movable(state, member) => {
                let rest = state.fill_tail(data);
                let start = data.len() - rest.len();
                let whole = rest.len() / 64 * 64;
                let shared = &member.shared;
                if whole >= MIN_JOB && shared.movable.load(Ordering::Relaxed) >= MIN_LANE_STREAMS {
                    let (abcd, body) = (state.abcd, member.body);
                    let piece = data.slice(start..start + whole);
                    state.abcd = hash_in_lanes(shared, body, abcd, piece).unwrap_or_else(|| {
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
            How::Movable(state, _) => Ok(state.finish()),
        }
    }

    #[cfg(test)]
    fn is_movable(&self) -> bool {
        matches!(self.how, How::Movable(..))
    }
}

/// Queues `data` (whole blocks) of `body` from state `abcd` and waits for the new state; None
/// when the engine is stopping or its thread is gone.
fn hash_in_lanes(shared: &Arc<Shared>, body: u64, abcd: [u32; 4], data: Bytes) -> Option<[u32; 4]> {
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
        let hold_until = Instant::now() + scaled(HOLD_PER_MIB, data.len());
        q.jobs.push_back(Job {
            abcd,
            data,
            reply,
            hold_until,
            body,
        });
    }
    shared.work.notify_one();
    done.recv().ok()
}

/// A job in a lane, and how many of its blocks are done.
struct Active {
    job: Job,
    done: usize,
}

/// The engine thread: fills free lanes from the queue, waits for the chunks of the bodies it
/// served lately (up to [`HOLD_PER_MIB`] per MiB of the oldest chunk), hashes a slice of every busy lane in lock-step, answers
/// the jobs that are complete; until stopped and idle.
fn run(shared: &Shared) {
    let mut lanes: [Option<Active>; LANES] = std::array::from_fn(|_| None);
    let mut states = [INIT; LANES];
    let mut served = Vec::new();
    loop {
        {
            let mut q = shared.lock();
            q.served.extend(served.drain(..));
            loop {
                for (lane, state) in lanes.iter_mut().zip(states.iter_mut()) {
                    if lane.is_none() {
                        if let Some(job) = q.jobs.pop_front() {
                            *state = job.abcd;
                            *lane = Some(Active { job, done: 0 });
                        }
                    }
                }
                let Some(until) = lanes.iter().flatten().map(|a| a.job.hold_until).min() else {
                    if q.stop {
                        return;
                    }
                    q = shared.work.wait(q).unwrap_or_else(|p| p.into_inner());
                    continue;
                };
                let now = Instant::now();
                q.served.retain(|_, back_by| *back_by > now);
                let in_lanes: [Option<u64>; LANES] =
                    std::array::from_fn(|l| lanes[l].as_ref().map(|a| a.job.body));
                let Some(wait) = hold_for(&in_lanes, &q.served, until, now) else {
                    break;
                };
                if q.stop {
                    break;
                }
                q = shared
                    .work
                    .wait_timeout(q, wait)
                    .unwrap_or_else(|p| p.into_inner())
                    .0;
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
                    let back_by = Instant::now() + scaled(RECENT_PER_MIB, a.job.data.len());
                    served.push((a.job.body, back_by));
                    // The waiter may have given up; nothing to do then.
                    let _ = a.job.reply.send(*state);
                    *lane = None;
                }
            }
        }
    }
}

/// How long the engine should wait before its next step, given the body in each lane, the
/// bodies it served lately and until when each is expected back, and how long the chunks in
/// the lanes may be held: until then, while a lane is free and an expected body has no chunk
/// in the lanes; `None` to step now.
fn hold_for(
    lanes: &[Option<u64>],
    served: &HashMap<u64, Instant>,
    hold_until: Instant,
    now: Instant,
) -> Option<Duration> {
    let free = lanes.contains(&None);
    let coming = served
        .iter()
        .any(|(b, back_by)| *back_by > now && !lanes.contains(&Some(*b)));
    let wait = hold_until.saturating_duration_since(now);
    (free && coming && !wait.is_zero()).then_some(wait)
}

#[cfg(test)]
mod tests {
    use super::*;
    use md5::Digest;

    fn body(n: usize, seed: usize) -> Bytes {
        (0..n).map(|i| (i * (seed + 7) + i / 999) as u8).collect()
    }

    /// A body gets a movable state unless its first chunk is small; the count comes back down.
    #[test]
    fn the_choice_follows_the_size() {
        let engine = Md5Engine::default();
        assert!(!engine.body(MIN_LANE_BODY - 1).is_movable(), "a small body");
        let (first, next) = (engine.body(4 << 20), engine.body(MIN_LANE_BODY));
        assert!(first.is_movable() && next.is_movable());
        assert_eq!(engine.shared.movable.load(Ordering::Relaxed), 2);
        drop((first, next));
        assert_eq!(engine.shared.movable.load(Ordering::Relaxed), 0);
    }

    /// The engine waits only while a lane is free for a body it expects back, and no longer
    /// than the chunks in its lanes may be held.
    #[test]
    fn the_engine_waits_for_bodies_it_expects() {
        /// Name, the body in each lane, served bodies (ms until expected back; negative: no
        /// longer), ms the lanes may still be held (negative: past), want.
        type Case = (
            &'static str,
            Vec<Option<u64>>,
            HashMap<u64, Instant>,
            i64,
            Option<Duration>,
        );
        let now = Instant::now();
        let ms = Duration::from_millis;
        let at = |d: i64| {
            if d >= 0 {
                now + ms(d as u64)
            } else {
                now - ms(d.unsigned_abs())
            }
        };
        let served = |list: &[(u64, i64)]| -> HashMap<u64, Instant> {
            list.iter().map(|&(b, back_by)| (b, at(back_by))).collect()
        };
        let mut full = vec![Some(1), Some(2)];
        full.extend((3..=LANES as u64).map(Some));
        let cases: [Case; 7] = [
            ("nothing served", vec![Some(1), None], served(&[]), 5, None),
            (
                "body 2 expected back, not yet",
                vec![Some(1), None],
                served(&[(2, 20)]),
                7,
                Some(ms(7)),
            ),
            (
                "every expected body is back",
                vec![Some(1), Some(2), None],
                served(&[(1, 20), (2, 20)]),
                7,
                None,
            ),
            (
                "body 2 no longer expected",
                vec![Some(1), None],
                served(&[(2, -1)]),
                7,
                None,
            ),
            (
                "the chunks have waited enough",
                vec![Some(1), None],
                served(&[(2, 20)]),
                -1,
                None,
            ),
            ("no free lane", full.clone(), served(&[(99, 20)]), 7, None),
            (
                "a free lane, and the expected body not in any",
                {
                    let mut l = full;
                    l[5] = None;
                    l
                },
                served(&[(6, 20)]),
                3,
                Some(ms(3)),
            ),
        ];
        for (name, lanes, served, hold, want) in cases {
            assert_eq!(hold_for(&lanes, &served, at(hold), now), want, "{name}");
        }
        assert_eq!(scaled(HOLD_PER_MIB, 4 << 20), ms(10), "4 MiB chunks: 10 ms");
        assert_eq!(
            scaled(RECENT_PER_MIB, 2 << 20),
            ms(25),
            "2 MiB chunks: 25 ms"
        );
    }

    /// Below MIN_LANE_STREAMS movable bodies, chunks are hashed on the caller's thread and the
    /// engine's thread never starts; from there on, they go to the engine.
    #[test]
    fn few_movable_bodies_stay_off_the_engine() {
        let engine = Md5Engine::default();
        let data = body(1 << 20, 1);
        let mut held: Vec<_> = (1..MIN_LANE_STREAMS).map(|_| engine.movable()).collect();
        held[0].update(&data);
        assert!(!engine.shared.lock().started);
        held.push(engine.movable());
        held[0].update(&data);
        assert!(engine.shared.lock().started);
        let mut both = data.to_vec();
        both.extend_from_slice(&data);
        let want: [u8; 16] = md5::Md5::digest(&both).into();
        assert_eq!(held.remove(0).finish().unwrap(), want);
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
                    let mut h = engine.movable();
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
        let _others = [engine.movable(), engine.movable()];
        let mut h = engine.movable();
        let data = body(1 << 20, 3);
        h.update(&data.slice(..1 << 19));
        drop(engine);
        h.update(&data.slice(1 << 19..));
        let want: [u8; 16] = md5::Md5::digest(&data).into();
        assert_eq!(h.finish().unwrap(), want);
    }
}
