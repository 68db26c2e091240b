//! Time as a parameter: the server reads the clock through `Clock` so tests can move it.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

pub trait Clock: Send + Sync {
    fn now(&self) -> SystemTime;

    fn now_ms(&self) -> i64 {
        self.now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as i64)
    }

    fn now_secs(&self) -> i64 {
        self.now_ms() / 1000
    }
}

/// The real clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// The real clock shifted by an adjustable offset (for tests of expiry and skew).
#[derive(Debug, Default)]
pub struct OffsetClock {
    offset_ms: AtomicI64,
}

impl OffsetClock {
    pub fn advance(&self, by: Duration) {
        self.offset_ms
            .fetch_add(by.as_millis() as i64, Ordering::SeqCst);
    }

    pub fn set_offset_secs(&self, secs: i64) {
        self.offset_ms.store(secs * 1000, Ordering::SeqCst);
    }
}

impl Clock for OffsetClock {
    fn now(&self) -> SystemTime {
        let off = self.offset_ms.load(Ordering::SeqCst);
        if off >= 0 {
            SystemTime::now() + Duration::from_millis(off as u64)
        } else {
            SystemTime::now() - Duration::from_millis(off.unsigned_abs())
        }
    }
}
