//! What every response is stamped with: the request id, its trace id and the `Date` header,
//! built without `format!` (they are on the path of every request; docs/performance.md).

use base64::Engine;
use http::HeaderValue;
use std::sync::Mutex;

/// The request id: base64 (no padding) of `{secs:08x}_{counter:x}_{random:04x}`.
pub fn request_id(secs: u64, counter: u64, random: u16) -> String {
    let mut raw = [0u8; 48];
    let mut n = 0;
    n += hex_into(&mut raw[n..], secs, 8);
    raw[n] = b'_';
    n += 1;
    n += hex_into(&mut raw[n..], counter, 1);
    raw[n] = b'_';
    n += 1;
    n += hex_into(&mut raw[n..], u64::from(random), 4);
    base64::engine::general_purpose::STANDARD_NO_PAD.encode(&raw[..n])
}

/// The trace id of a request id: base64 (no padding) of `cosd-{request_id}`.
pub fn trace_id(request_id: &str) -> String {
    let mut raw = Vec::with_capacity(5 + request_id.len());
    raw.extend_from_slice(b"cosd-");
    raw.extend_from_slice(request_id.as_bytes());
    base64::engine::general_purpose::STANDARD_NO_PAD.encode(raw)
}

/// Writes `v` in lower-case hex, zero-padded to `width` digits, at the start of `out`;
/// returns the digits written. `out` has room for 16.
fn hex_into(out: &mut [u8], v: u64, width: usize) -> usize {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let len = (16 - (v.leading_zeros() as usize) / 4).max(width).max(1);
    for (i, slot) in out[..len].iter_mut().enumerate() {
        let shift = 4 * (len - 1 - i);
        *slot = if shift >= 64 {
            b'0'
        } else {
            DIGITS[((v >> shift) & 0xf) as usize]
        };
    }
    len
}

/// The `Date` header value of the current second, formatted once per second.
#[derive(Default)]
pub struct DateHeader {
    last: Mutex<Option<(u64, HeaderValue)>>,
}

impl DateHeader {
    pub fn at(&self, now: std::time::SystemTime) -> Option<HeaderValue> {
        let secs = now
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        let mut last = self.last.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((s, v)) = &*last {
            if *s == secs {
                return Some(v.clone());
            }
        }
        let v = HeaderValue::from_str(&httpdate::fmt_http_date(now)).ok()?;
        *last = Some((secs, v.clone()));
        Some(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn request_ids_read_as_before() {
        let old = |secs: u64, n: u64, r: u16| {
            base64::engine::general_purpose::STANDARD_NO_PAD
                .encode(format!("{secs:08x}_{n:x}_{r:04x}"))
        };
        for (secs, n, r) in [
            (0, 0, 0),
            (1, 1, 1),
            (0x6543_21ab, 0, 0xffff),
            (1_790_000_000, 123_456, 0x0a0b),
            (u64::MAX, u64::MAX, u16::MAX),
            (0x1_0000_0000, 0xf, 0x10),
        ] {
            assert_eq!(request_id(secs, n, r), old(secs, n, r), "{secs} {n} {r}");
        }
    }

    #[test]
    fn trace_id_is_base64_of_the_prefixed_id() {
        assert_eq!(trace_id("NjU0"), "Y29zZC1OalUw");
    }

    #[test]
    fn date_changes_with_the_second() {
        let d = DateHeader::default();
        let t = UNIX_EPOCH + Duration::from_secs(1_790_000_000);
        let a = d.at(t).expect("date");
        assert_eq!(a, "Mon, 21 Sep 2026 14:13:20 GMT");
        assert_eq!(d.at(t + Duration::from_millis(999)).expect("date"), a);
        let b = d.at(t + Duration::from_secs(1)).expect("date");
        assert_eq!(b, "Mon, 21 Sep 2026 14:13:21 GMT");
        // A clock moved back is answered too (tests move it).
        assert_eq!(d.at(t).expect("date"), a);
    }
}
