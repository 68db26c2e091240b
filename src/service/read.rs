//! Streaming reads of object bytes, whole or by range, a bounded piece at a time.

use super::Store;
use crate::chunk::ChunkError;
use crate::crypto::{chunk::plain_len, ObjectCipher};
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
    /// An encrypted chunk: its whole sealed length is read and opened, then `offset..len`
    /// of the plaintext is kept.
    sealed: Option<u64>,
}

/// An inline object's bytes in `range` (or all of them), moved out of `rec` without a copy;
/// `None` for chunked objects. A response built from them is one buffer whose end hyper knows,
/// so headers and body leave in a single write.
pub fn take_inline(rec: &mut ObjectRecord, range: Option<ByteRange>) -> Option<Bytes> {
    if rec.sse.is_some() {
        // Sealed: `Store::read_stream` opens it.
        return None;
    }
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

fn tampered(e: crate::crypto::Tampered) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, e.to_string())
}

impl Store {
    /// The bytes of `rec` in `range` (or all of them), as a stream of pieces of at most 1 MiB
    /// (an encrypted object's: at most one chunk). An encrypted object (`rec.sse`) is opened
    /// with `cipher`, its data key, and without it the stream is one error: its stored bytes
    /// never leave as they are.
    pub fn read_stream(
        self: &Arc<Self>,
        rec: &ObjectRecord,
        range: Option<ByteRange>,
        cipher: Option<ObjectCipher>,
    ) -> impl Stream<Item = Result<Bytes, std::io::Error>> + Send + 'static {
        let range = range.unwrap_or(ByteRange {
            start: 0,
            len: rec.size,
        });
        let mut inline: Option<Result<Bytes, std::io::Error>> = None;
        let mut segs = VecDeque::new();
        let cipher = match (rec.sse.is_some(), cipher) {
            (true, None) => {
                let e = std::io::Error::new(
                    std::io::ErrorKind::PermissionDenied,
                    "an encrypted object was read without its data key",
                );
                return futures_util::stream::iter(Some(Err(e)))
                    .chain(futures_util::stream::iter(Vec::new()))
                    .left_stream();
            }
            (true, Some(c)) => Some(Arc::new(c)),
            (false, _) => None,
        };
        match &rec.data {
            DataLayout::Inline(data) => {
                inline = Some(match &cipher {
                    None => Ok(Bytes::copy_from_slice(
                        &data[inline_span(data.len(), Some(range))],
                    )),
                    Some(c) => c.open(data).map_err(tampered).map(|plain| {
                        let span = inline_span(plain.len(), Some(range));
                        Bytes::from(plain).slice(span)
                    }),
                });
            }
            DataLayout::Chunks(chunks) if cipher.is_some() => {
                let (want_start, want_end) = (range.start, range.start + range.len);
                let mut pos = 0u64;
                for c in chunks {
                    let (cs, ce) = (pos, pos + plain_len(c.len));
                    pos = ce;
                    if ce <= want_start || cs >= want_end {
                        continue;
                    }
                    let s = want_start.max(cs);
                    let e = want_end.min(ce);
                    segs.push_back(Segment {
                        id: c.id,
                        offset: s - cs,
                        len: e - s,
                        sealed: Some(c.len),
                    });
                }
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
                            sealed: None,
                        });
                        off += n;
                        left -= n;
                    }
                }
            }
        }
        let head = futures_util::stream::iter(
            inline.filter(|b| b.as_ref().map_or(true, |b| !b.is_empty())),
        );
        let chunks = Arc::clone(&self.chunks);
        // A sealed piece is a whole chunk, read then opened in one task: one more in flight
        // keeps the socket fed while both cores open the next ones.
        let read_ahead = if cipher.is_some() {
            READ_AHEAD + 1
        } else {
            READ_AHEAD
        };
        let pieces = futures_util::stream::iter(segs)
            .map(move |seg| {
                let chunks = Arc::clone(&chunks);
                let cipher = cipher.clone();
                async move {
                    tokio::task::spawn_blocking(move || match (seg.sealed, cipher) {
                        (Some(sealed_len), Some(c)) => {
                            let sealed = chunks
                                .read(&seg.id, 0, sealed_len as usize)
                                .map_err(read_error)?;
                            let plain = c.open_vec(sealed).map_err(tampered)?;
                            let (s, e) = (seg.offset as usize, (seg.offset + seg.len) as usize);
                            Ok(plain.slice(s..e))
                        }
                        _ => chunks
                            .read(&seg.id, seg.offset, seg.len as usize)
                            .map_err(read_error)
                            .map(Bytes::from),
                    })
                    .await
                    .map_err(|e| std::io::Error::other(e.to_string()))
                    .and_then(|r| r)
                }
            })
            // The next pieces are read while the current one is sent: a single-stream GET
            // otherwise alternated between reading 1 MiB and writing it to the socket.
            .buffered(read_ahead)
            // Nothing after a failed read.
            .scan(false, |failed, piece| {
                let out = (!*failed).then(|| {
                    *failed = piece.is_err();
                    piece
                });
                std::future::ready(out)
            });
        head.chain(pieces).right_stream()
    }
}
