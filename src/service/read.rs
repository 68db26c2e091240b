//! Streaming reads of object bytes, whole or by range, a bounded piece at a time.

use super::Store;
use crate::chunk::ChunkError;
use crate::meta::{DataLayout, ObjectRecord};
use crate::types::ByteRange;
use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use std::collections::VecDeque;
use std::sync::Arc;

/// Largest read handed to the network at once.
const READ_PIECE: u64 = 1 << 20;
/// Pieces in flight: the next ones are read while the first is sent.
const READ_AHEAD: usize = 2;

struct Segment {
    id: [u8; 32],
    offset: u64,
    len: u64,
}

/// An inline object's bytes in `range` (or all of them), moved out of `rec` without a copy;
/// `None` for chunked objects. A response built from them is one buffer whose end hyper knows,
/// so headers and body leave in a single write.
pub fn take_inline(rec: &mut ObjectRecord, range: Option<ByteRange>) -> Option<Bytes> {
    let DataLayout::Inline(data) = &mut rec.data else {
        return None;
    };
    let data = Bytes::from(std::mem::take(data));
    Some(data.slice(inline_span(data.len(), range)))
}

/// The part of an inline body of `len` bytes that `range` (or the whole) covers, clamped.
fn inline_span(len: usize, range: Option<ByteRange>) -> std::ops::Range<usize> {
    let (s, e) = match range {
        Some(r) => (r.start, r.start + r.len),
        None => (0, len as u64),
    };
    let e = usize::try_from(e).unwrap_or(usize::MAX).min(len);
    let s = usize::try_from(s).unwrap_or(usize::MAX).min(e);
    s..e
}

/// A chunk read's error as the reader reports it, its OS error code kept (running out of
/// descriptors is answered differently from a missing chunk).
fn read_error(e: ChunkError) -> std::io::Error {
    match e {
        ChunkError::Io(e) => e,
        missing @ ChunkError::Missing(_) => {
            std::io::Error::new(std::io::ErrorKind::NotFound, missing.to_string())
        }
    }
}

impl Store {
    /// The bytes of `rec` in `range` (or all of them), as a stream of pieces of at most 1 MiB.
    pub fn read_stream(
        self: &Arc<Self>,
        rec: &ObjectRecord,
        range: Option<ByteRange>,
    ) -> impl Stream<Item = Result<Bytes, std::io::Error>> + Send + 'static {
        let range = range.unwrap_or(ByteRange {
            start: 0,
            len: rec.size,
        });
        let mut inline: Option<Bytes> = None;
        let mut segs = VecDeque::new();
        match &rec.data {
            DataLayout::Inline(data) => {
                inline = Some(Bytes::copy_from_slice(
                    &data[inline_span(data.len(), Some(range))],
                ));
            }
            DataLayout::Chunks(chunks) => {
                let (want_start, want_end) = (range.start, range.start + range.len);
                let mut pos = 0u64;
                for c in chunks {
                    let (cs, ce) = (pos, pos + c.len);
                    pos = ce;
                    if ce <= want_start || cs >= want_end {
                        continue;
                    }
                    let s = want_start.max(cs);
                    let e = want_end.min(ce);
                    let mut off = s - cs;
                    let mut left = e - s;
                    while left > 0 {
                        let n = left.min(READ_PIECE);
                        segs.push_back(Segment {
                            id: c.id,
                            offset: off,
                            len: n,
                        });
                        off += n;
                        left -= n;
                    }
                }
            }
        }
        let head = futures_util::stream::iter(inline.filter(|b| !b.is_empty()).map(Ok));
        let chunks = Arc::clone(&self.chunks);
        let pieces = futures_util::stream::iter(segs)
            .map(move |seg| {
                let chunks = Arc::clone(&chunks);
                async move {
                    tokio::task::spawn_blocking(move || {
                        chunks.read(&seg.id, seg.offset, seg.len as usize)
                    })
                    .await
                    .map_err(|e| std::io::Error::other(e.to_string()))
                    .and_then(|r| r.map_err(read_error))
                    .map(Bytes::from)
                }
            })
            // The next pieces are read while the current one is sent: a single-stream GET
            // otherwise alternated between reading 1 MiB and writing it to the socket.
            .buffered(READ_AHEAD)
            // Nothing after a failed read.
            .scan(false, |failed, piece| {
                let out = (!*failed).then(|| {
                    *failed = piece.is_err();
                    piece
                });
                std::future::ready(out)
            });
        head.chain(pieces)
    }
}
