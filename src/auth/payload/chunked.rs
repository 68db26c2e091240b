//! An incremental decoder for `aws-chunked` framing (spec 05 §2): `<hex size>[;chunk-signature=
//! <sig>]\r\n<data>\r\n` repeated, a zero-size chunk, then trailer lines `name:value\r\n` and an
//! empty line. Written by hand: no maintained crate decodes this framing server-side.

use super::BodyError;
use bytes::{Bytes, BytesMut};

/// Longest chunk-header or trailer line accepted.
const MAX_LINE: usize = 4096;
/// Most trailer lines accepted.
const MAX_TRAILERS: usize = 16;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A chunk header: its size and signature (signed variants).
    ChunkStart {
        size: u64,
        signature: Option<String>,
    },
    /// Some of the current chunk's data.
    Data(Bytes),
    /// The current chunk's data is complete (emitted for the final zero-size chunk too).
    ChunkEnd,
    /// A trailer line.
    Trailer(String, String),
    /// The body is complete.
    End,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Size,
    Data(u64),
    DataCrlf,
    Trailer,
    Done,
}

pub struct ChunkDecoder {
    state: State,
    trailers: usize,
}

impl Default for ChunkDecoder {
    fn default() -> Self {
        ChunkDecoder {
            state: State::Size,
            trailers: 0,
        }
    }
}

fn take_line(buf: &mut BytesMut) -> Result<Option<String>, BodyError> {
    match buf.windows(2).position(|w| w == b"\r\n") {
        Some(i) => {
            let line = buf.split_to(i);
            let _ = buf.split_to(2);
            String::from_utf8(line.to_vec())
                .map(Some)
                .map_err(|_| BodyError::Framing("a chunk header is not UTF-8".into()))
        }
        None if buf.len() > MAX_LINE => Err(BodyError::Framing(
            "a chunk header or trailer line is too long".into(),
        )),
        None => Ok(None),
    }
}

impl ChunkDecoder {
    pub fn is_done(&self) -> bool {
        self.state == State::Done
    }

    /// True between the final zero-size chunk and the blank line ending the trailers, where a
    /// client may legitimately close the body without the blank line.
    pub fn in_trailers(&self) -> bool {
        self.state == State::Trailer
    }

    /// Consumes what it can from `buf`, appending events to `out`. Leftover bytes (a partial
    /// line) stay in `buf` for the next call.
    pub fn decode(&mut self, buf: &mut BytesMut, out: &mut Vec<Event>) -> Result<(), BodyError> {
        loop {
            match self.state {
                State::Size => {
                    let Some(line) = take_line(buf)? else {
                        return Ok(());
                    };
                    let (size, ext) = match line.split_once(';') {
                        Some((s, e)) => (s, Some(e)),
                        None => (line.as_str(), None),
                    };
                    let size = u64::from_str_radix(size.trim(), 16).map_err(|_| {
                        BodyError::Framing(format!("invalid chunk size {:?}", size.trim()))
                    })?;
                    let signature = match ext {
                        Some(e) => Some(
                            e.trim()
                                .strip_prefix("chunk-signature=")
                                .ok_or_else(|| {
                                    BodyError::Framing("unknown chunk extension".into())
                                })?
                                .to_string(),
                        ),
                        None => None,
                    };
                    out.push(Event::ChunkStart { size, signature });
                    if size == 0 {
                        out.push(Event::ChunkEnd);
                        self.state = State::Trailer;
                    } else {
                        self.state = State::Data(size);
                    }
                }
                State::Data(left) => {
                    if buf.is_empty() {
                        return Ok(());
                    }
                    let n = (buf.len() as u64).min(left) as usize;
                    out.push(Event::Data(buf.split_to(n).freeze()));
                    self.state = if left == n as u64 {
                        State::DataCrlf
                    } else {
                        State::Data(left - n as u64)
                    };
                }
                State::DataCrlf => {
                    if buf.len() < 2 {
                        return Ok(());
                    }
                    if &buf[..2] != b"\r\n" {
                        return Err(BodyError::Framing(
                            "chunk data is longer than its declared size".into(),
                        ));
                    }
                    let _ = buf.split_to(2);
                    out.push(Event::ChunkEnd);
                    self.state = State::Size;
                }
                State::Trailer => {
                    let Some(line) = take_line(buf)? else {
                        return Ok(());
                    };
                    if line.is_empty() {
                        out.push(Event::End);
                        self.state = State::Done;
                        continue;
                    }
                    self.trailers += 1;
                    if self.trailers > MAX_TRAILERS {
                        return Err(BodyError::Framing("too many trailers".into()));
                    }
                    let (k, v) = line
                        .split_once(':')
                        .ok_or_else(|| BodyError::Framing("a trailer line has no ':'".into()))?;
                    out.push(Event::Trailer(
                        k.trim().to_ascii_lowercase(),
                        v.trim().to_string(),
                    ));
                }
                State::Done => {
                    if !buf.is_empty() {
                        return Err(BodyError::Framing(
                            "data after the end of the aws-chunked body".into(),
                        ));
                    }
                    return Ok(());
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_in_pieces(body: &[u8], piece: usize) -> Result<Vec<Event>, BodyError> {
        let mut d = ChunkDecoder::default();
        let mut buf = BytesMut::new();
        let mut out = Vec::new();
        for p in body.chunks(piece.max(1)) {
            buf.extend_from_slice(p);
            d.decode(&mut buf, &mut out)?;
        }
        // Merge adjacent data events so piece size does not matter to the comparison.
        let mut merged: Vec<Event> = Vec::new();
        for e in out {
            match (merged.last_mut(), e) {
                (Some(Event::Data(prev)), Event::Data(b)) => {
                    let mut v = prev.to_vec();
                    v.extend_from_slice(&b);
                    *prev = Bytes::from(v);
                }
                (_, e) => merged.push(e),
            }
        }
        Ok(merged)
    }

    #[test]
    fn botocore_and_js_trailer_bodies_decode_the_same_at_any_split() {
        let boto = b"b\r\nhello world\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n";
        let js = b"6\r\nhello \r\n5\r\nworld\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n";
        for piece in [1, 2, 3, 7, 100] {
            let ev = decode_in_pieces(boto, piece).unwrap();
            assert_eq!(
                ev,
                vec![
                    Event::ChunkStart {
                        size: 11,
                        signature: None
                    },
                    Event::Data(Bytes::from_static(b"hello world")),
                    Event::ChunkEnd,
                    Event::ChunkStart {
                        size: 0,
                        signature: None
                    },
                    Event::ChunkEnd,
                    Event::Trailer("x-amz-checksum-crc32".into(), "DUoRhQ==".into()),
                    Event::End,
                ]
            );
            let ev = decode_in_pieces(js, piece).unwrap();
            let data: Vec<u8> = ev
                .iter()
                .filter_map(|e| match e {
                    Event::Data(b) => Some(b.to_vec()),
                    _ => None,
                })
                .flatten()
                .collect();
            assert_eq!(data, b"hello world");
            assert_eq!(ev.last(), Some(&Event::End));
        }
    }

    #[test]
    fn signed_chunk_headers_carry_signatures() {
        let body = b"3;chunk-signature=abc\r\nxyz\r\n0;chunk-signature=def\r\n\r\n";
        let ev = decode_in_pieces(body, 4).unwrap();
        assert_eq!(
            ev[0],
            Event::ChunkStart {
                size: 3,
                signature: Some("abc".into())
            }
        );
        assert_eq!(
            ev[3],
            Event::ChunkStart {
                size: 0,
                signature: Some("def".into())
            }
        );
        assert_eq!(ev.last(), Some(&Event::End));
    }

    #[test]
    fn malformed_framing_is_an_error() {
        for bad in [
            &b"zz\r\nabc\r\n"[..],
            b"3\r\nabcd\r\n0\r\n\r\n",
            b"3;foo=bar\r\nabc\r\n",
            b"0\r\nno-colon\r\n\r\n",
            b"0\r\n\r\nextra",
        ] {
            assert!(
                matches!(decode_in_pieces(bad, 64), Err(BodyError::Framing(_))),
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
        let long = vec![b'1'; MAX_LINE + 10];
        assert!(decode_in_pieces(&long, 64).is_err());
    }

    proptest::proptest! {
        /// Whatever bytes arrive, split however, the decoder never panics.
        #[test]
        fn arbitrary_bytes_never_panic(body in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..600), piece in 1usize..50) {
            let _ = decode_in_pieces(&body, piece);
        }

        /// Any payload framed in any chunk sizes decodes back to itself, with its trailers.
        #[test]
        fn framing_round_trips(
            data in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..3000),
            chunk in 1usize..700,
            piece in 1usize..400,
        ) {
            let mut body = Vec::new();
            for c in data.chunks(chunk) {
                body.extend_from_slice(format!("{:x}\r\n", c.len()).as_bytes());
                body.extend_from_slice(c);
                body.extend_from_slice(b"\r\n");
            }
            body.extend_from_slice(b"0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n");
            let ev = decode_in_pieces(&body, piece).unwrap();
            let got: Vec<u8> = ev
                .iter()
                .filter_map(|e| match e {
                    Event::Data(b) => Some(b.to_vec()),
                    _ => None,
                })
                .flatten()
                .collect();
            proptest::prop_assert_eq!(got, data);
            proptest::prop_assert_eq!(ev.last(), Some(&Event::End));
        }
    }
}
