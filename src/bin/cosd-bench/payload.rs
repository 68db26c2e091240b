//! Unique payloads without paying for randomness per byte: one random base buffer, stamped
//! every 4 KiB with (object id, offset), so no two objects (and no two chunks of one object)
//! share content and cosd's deduplication cannot flatter it. The `dedup` workload reuses one
//! object id on purpose.

use bytes::Bytes;
use futures_util::stream::{self, Stream};
use rand::RngCore;
use std::sync::Arc;

const BLOCK: usize = 4096;
const PIECE: usize = 1 << 20;

#[derive(Clone)]
pub struct Payloads {
    base: Arc<Vec<u8>>,
    /// Distinguishes this run's payloads from earlier runs' on the same server.
    run: u64,
}

impl Payloads {
    pub fn new() -> Payloads {
        let mut base = vec![0u8; PIECE];
        rand::rng().fill_bytes(&mut base);
        Payloads {
            base: Arc::new(base),
            run: rand::random(),
        }
    }

    /// Bytes `offset..offset+len` of object `id` (offset and len multiples of 4 KiB, except a
    /// final short piece).
    pub fn piece(&self, id: u64, offset: u64, len: usize) -> Bytes {
        let mut out = Vec::with_capacity(len);
        let mut pos = 0usize;
        while pos < len {
            let n = (len - pos).min(PIECE);
            out.extend_from_slice(&self.base[..n]);
            pos += n;
        }
        for (i, block) in out.chunks_mut(BLOCK).enumerate() {
            let stamp = [self.run, id, offset + (i * BLOCK) as u64];
            for (j, w) in stamp.iter().enumerate() {
                let at = j * 8;
                if block.len() >= at + 8 {
                    block[at..at + 8].copy_from_slice(&w.to_le_bytes());
                }
            }
        }
        Bytes::from(out)
    }

    /// Bytes `offset..offset+len` of object `id`, in 1 MiB pieces generated as they are sent.
    pub fn stream_range(
        &self,
        id: u64,
        offset: u64,
        len: u64,
    ) -> impl Stream<Item = Result<hyper::body::Frame<Bytes>, std::io::Error>> + Send + 'static
    {
        let me = self.clone();
        stream::iter((0..len.div_ceil(PIECE as u64)).map(move |i| {
            let off = i * PIECE as u64;
            let n = (len - off).min(PIECE as u64) as usize;
            Ok(hyper::body::Frame::data(me.piece(id, offset + off, n)))
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_differ_by_object_and_block() {
        let p = Payloads::new();
        let a = p.piece(1, 0, 8192);
        let b = p.piece(2, 0, 8192);
        assert_eq!(a.len(), 8192);
        assert_ne!(a, b);
        assert_ne!(a[..4096], a[4096..]);
        assert_eq!(p.piece(1, 0, 8192), a);
        assert_eq!(p.piece(3, 0, 10).len(), 10);
    }
}
