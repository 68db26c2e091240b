//! The log sink: lines are appended to a memory buffer and written out by a background thread
//! in batches, at most every [`FLUSH_INTERVAL`].
//!
//! Written by hand because `tracing_appender::non_blocking` hands every line to its worker
//! through a channel and wakes the worker for each one: at 8k-20k requests per second the
//! wake-ups (futex calls and context switches) cost the server 5-8% of its CPU. Here a request
//! thread copies its line under a mutex and signals the writer only when the buffer was empty;
//! the writer then waits out the interval so the lines of that moment leave in one `write(2)`.
//!
//! Nothing is dropped: when the buffer holds [`MAX_PENDING`] bytes, writers wait for the
//! background thread (the behaviour `lossy(false)` had). Lines still buffered when the process
//! is killed are lost; they are logs, never acknowledged data. Dropping the [`FlushGuard`]
//! writes everything out.

use std::io::Write;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Duration;

/// How long the background thread gathers lines before writing them.
pub const FLUSH_INTERVAL: Duration = Duration::from_millis(20);
/// Buffered bytes at which the background thread writes without waiting out the interval.
const EAGER: usize = 256 * 1024;
/// Buffered bytes at which writers wait.
const MAX_PENDING: usize = 4 * 1024 * 1024;

struct State {
    buf: Vec<u8>,
    closed: bool,
}

struct Shared {
    state: Mutex<State>,
    /// Signals the background thread (a first line, a full buffer, closing).
    wake: Condvar,
    /// Signals waiting writers that the buffer was taken.
    drained: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A writer that panicked mid-copy leaves at worst a partial line: keep logging.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn append(&self, line: &[u8]) {
        let mut st = self.lock();
        while st.buf.len() >= MAX_PENDING && !st.closed {
            self.wake.notify_one();
            st = self.drained.wait(st).unwrap_or_else(|p| p.into_inner());
        }
        let was_empty = st.buf.is_empty();
        st.buf.extend_from_slice(line);
        let eager = st.buf.len() >= EAGER;
        drop(st);
        if was_empty || eager {
            self.wake.notify_one();
        }
    }
}

/// Hands out writers for `tracing_subscriber::fmt().with_writer(..)`.
#[derive(Clone)]
pub struct BatchedWriter {
    shared: Arc<Shared>,
}

/// Flushes everything buffered and stops the background thread when dropped.
pub struct FlushGuard {
    shared: Arc<Shared>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for FlushGuard {
    fn drop(&mut self) {
        self.shared.lock().closed = true;
        self.shared.wake.notify_one();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Starts the background thread writing to `out`.
pub fn batched<W: Write + Send + 'static>(out: W) -> std::io::Result<(BatchedWriter, FlushGuard)> {
    let shared = Arc::new(Shared {
        state: Mutex::new(State {
            buf: Vec::new(),
            closed: false,
        }),
        wake: Condvar::new(),
        drained: Condvar::new(),
    });
    let s = Arc::clone(&shared);
    let thread = std::thread::Builder::new()
        .name("log-writer".into())
        .spawn(move || run(&s, out))?;
    Ok((
        BatchedWriter {
            shared: Arc::clone(&shared),
        },
        FlushGuard {
            shared,
            thread: Some(thread),
        },
    ))
}

fn run<W: Write>(shared: &Shared, mut out: W) {
    let mut spare = Vec::new();
    loop {
        let mut st = shared.lock();
        // Sleep until there is something to write (or the end)...
        while st.buf.is_empty() && !st.closed {
            st = shared.wake.wait(st).unwrap_or_else(|p| p.into_inner());
        }
        // ... then gather the lines of the next moment.
        if !st.closed && st.buf.len() < EAGER {
            st = shared
                .wake
                .wait_timeout_while(st, FLUSH_INTERVAL, |s| !s.closed && s.buf.len() < EAGER)
                .map(|(g, _)| g)
                .unwrap_or_else(|p| p.into_inner().0);
        }
        std::mem::swap(&mut st.buf, &mut spare);
        let closed = st.closed;
        drop(st);
        shared.drained.notify_all();
        // A failing sink (closed stderr) must not stop the server; the lines are dropped.
        let _ = out.write_all(&spare).and_then(|()| out.flush());
        spare.clear();
        if spare.capacity() > MAX_PENDING {
            spare = Vec::new();
        }
        if closed && shared.lock().buf.is_empty() {
            return;
        }
    }
}

/// One event's writer: tracing formats a whole line, then writes it with one `write_all`.
pub struct LineWriter<'a> {
    shared: &'a Shared,
}

impl Write for LineWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.shared.append(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for BatchedWriter {
    type Writer = LineWriter<'a>;

    fn make_writer(&'a self) -> LineWriter<'a> {
        LineWriter {
            shared: &self.shared,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tracing_subscriber::fmt::MakeWriter;

    /// A sink the test can read while the writer thread owns it.
    #[derive(Clone, Default)]
    struct Sink(Arc<Mutex<Vec<u8>>>);

    impl Write for Sink {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn every_line_arrives_whole_and_in_order_per_thread() {
        let sink = Sink::default();
        let (w, guard) = batched(sink.clone()).unwrap();
        let threads: Vec<_> = (0..4)
            .map(|t| {
                let w = w.clone();
                std::thread::spawn(move || {
                    for i in 0..20_000 {
                        let line = format!("t{t} line {i} {}\n", "x".repeat(i % 300));
                        w.make_writer().write_all(line.as_bytes()).unwrap();
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        drop(guard);
        let text = String::from_utf8(sink.0.lock().unwrap().clone()).unwrap();
        let mut next = [0usize; 4];
        let mut lines = 0;
        for line in text.lines() {
            let mut parts = line.split(' ');
            let t: usize = parts.next().unwrap()[1..].parse().unwrap();
            assert_eq!(parts.next(), Some("line"));
            let i: usize = parts.next().unwrap().parse().unwrap();
            assert_eq!(i, next[t], "thread {t} out of order");
            assert_eq!(parts.next().unwrap().len(), i % 300);
            next[t] += 1;
            lines += 1;
        }
        assert_eq!(lines, 80_000);
    }

    #[test]
    fn a_lone_line_is_written_without_more_traffic() {
        let sink = Sink::default();
        let (w, _guard) = batched(sink.clone()).unwrap();
        w.make_writer().write_all(b"only\n").unwrap();
        // No flush, no guard drop: the interval alone must carry it out.
        for _ in 0..500 {
            if sink.0.lock().unwrap().as_slice() == b"only\n" {
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        panic!("the line was never written");
    }
}
