//! Request-body verification: the body is wrapped in a stream that decodes `aws-chunked`
//! framing, checks chunk and trailer signatures, the `x-amz-content-sha256` digest, the
//! declared decoded length and any flexible checksum (header or trailer). A failed check is
//! an error item before the end of the stream, so nothing built from the body is committed.

mod chunked;

pub use chunked::{ChunkDecoder, Event};

use super::signatures_equal;
use super::sigv4::{chunk_string_to_sign_hex, trailer_string_to_sign, ChunkSigner};
use crate::checksum::{ChecksumAlgorithm, ChecksumSlot, FlexChecksum, FlexHasher};
use base64::Engine;
use bytes::{Bytes, BytesMut};
use futures_util::Stream;
use sha2::{Digest, Sha256};
use std::collections::VecDeque;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Why a request body was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BodyError {
    #[error("the request body ended early: {0}")]
    Incomplete(String),
    #[error("malformed aws-chunked body: {0}")]
    Framing(String),
    #[error("The provided 'x-amz-content-sha256' header does not match what was computed.")]
    ContentSha256Mismatch,
    #[error("The request signature we calculated does not match the signature you provided (chunk or trailer signature).")]
    ChunkSignatureMismatch,
    #[error(
        "The decoded body length ({got}) does not match x-amz-decoded-content-length ({declared})."
    )]
    DecodedLengthMismatch { declared: u64, got: u64 },
    #[error("The {0} you specified did not match the calculated checksum.")]
    ChecksumMismatch(&'static str),
    #[error("The trailer {0} announced in x-amz-trailer was not sent.")]
    MissingTrailer(String),
}

/// How the body is framed and signed, from the request headers and the authentication.
#[derive(Debug, Clone, Default)]
pub struct PayloadSpec {
    /// `x-amz-content-sha256` as a digest to verify.
    pub sha256: Option<[u8; 32]>,
    /// The body is `aws-chunked`.
    pub chunked: bool,
    /// Signing material when chunks (and possibly the trailer) are signed.
    pub signer: Option<ChunkSigner>,
    pub signed_trailer: bool,
    /// `x-amz-decoded-content-length`.
    pub decoded_length: Option<u64>,
    pub checksum: Option<ExpectedChecksum>,
}

/// A flexible checksum to compute, and where its expected value comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpectedChecksum {
    pub algorithm: ChecksumAlgorithm,
    /// From the `x-amz-checksum-*` header.
    pub value: Option<Vec<u8>>,
    /// Announced in `x-amz-trailer`.
    pub trailer: bool,
}

/// What was wrong with the checksum or payload headers (answered as 400 InvalidRequest).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct InvalidPayloadHeaders(pub String);

impl PayloadSpec {
    /// Reads the checksum headers (`x-amz-checksum-*`, `x-amz-trailer`,
    /// `x-amz-sdk-checksum-algorithm`) and `x-amz-decoded-content-length`. `header(name)` looks
    /// up a lower-case header.
    pub fn with_checksum_headers(
        mut self,
        header: &dyn Fn(&str) -> Option<String>,
    ) -> Result<PayloadSpec, InvalidPayloadHeaders> {
        let bad = |m: String| InvalidPayloadHeaders(m);
        if let Some(v) = header("x-amz-decoded-content-length") {
            self.decoded_length = Some(
                v.trim()
                    .parse()
                    .map_err(|_| bad("x-amz-decoded-content-length must be a number".into()))?,
            );
        }
        let mut found: Vec<(ChecksumAlgorithm, String)> = ChecksumAlgorithm::ALL
            .into_iter()
            .filter_map(|a| header(a.header()).map(|v| (a, v)))
            .collect();
        if found.len() > 1 {
            return Err(bad(
                "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed."
                    .into(),
            ));
        }
        let trailer = header("x-amz-trailer").map(|t| t.trim().to_ascii_lowercase());
        let sdk_algo = header("x-amz-sdk-checksum-algorithm");
        if let Some((algo, v)) = found.pop() {
            // A composite checksum (CompleteMultipartUpload) may be sent as S3 prints it,
            // `<base64>-<parts>`.
            let v = v.trim();
            let v = match v.rsplit_once('-') {
                Some((b64, n)) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => b64,
                _ => v,
            };
            let raw = base64::engine::general_purpose::STANDARD
                .decode(v)
                .ok()
                .filter(|r| r.len() == algo.digest_len())
                .ok_or_else(|| bad(format!("Value for {} header is invalid.", algo.header())))?;
            self.checksum = Some(ExpectedChecksum {
                algorithm: algo,
                value: Some(raw),
                trailer: false,
            });
        } else if let Some(t) = trailer {
            let algo = ChecksumAlgorithm::ALL
                .into_iter()
                .find(|a| a.header() == t)
                .ok_or_else(|| {
                    bad(format!(
                        "The value specified in the x-amz-trailer header is not supported: {t}"
                    ))
                })?;
            if !self.chunked {
                return Err(bad(
                    "x-amz-trailer requires an aws-chunked (STREAMING-*-TRAILER) body".into(),
                ));
            }
            self.checksum = Some(ExpectedChecksum {
                algorithm: algo,
                value: None,
                trailer: true,
            });
        } else if let Some(a) = sdk_algo {
            let algo = ChecksumAlgorithm::from_name(&a)
                .ok_or_else(|| bad(format!("Checksum algorithm {a} is not supported")))?;
            self.checksum = Some(ExpectedChecksum {
                algorithm: algo,
                value: None,
                trailer: false,
            });
        }
        Ok(self)
    }

    /// Makes sure `algorithm` is computed (a multipart upload's declared algorithm) even when
    /// the request names none. A different explicit algorithm is an error.
    pub fn require_algorithm(
        &mut self,
        algorithm: ChecksumAlgorithm,
    ) -> Result<(), InvalidPayloadHeaders> {
        match &self.checksum {
            None => {
                self.checksum = Some(ExpectedChecksum {
                    algorithm,
                    value: None,
                    trailer: false,
                });
                Ok(())
            }
            Some(c) if c.algorithm == algorithm => Ok(()),
            Some(c) => Err(InvalidPayloadHeaders(format!(
                "Checksum Type mismatch occurred, expected checksum Type: {}, actual checksum Type: {}",
                algorithm.name().to_ascii_lowercase(),
                c.algorithm.name().to_ascii_lowercase()
            ))),
        }
    }

    /// Nothing to check and nothing to decode: the body can be passed through untouched.
    pub fn is_passthrough(&self) -> bool {
        self.sha256.is_none() && !self.chunked && self.checksum.is_none()
    }
}

/// A body stream that yields the decoded payload and fails before its end if any check fails.
pub struct VerifiedBody<S> {
    inner: S,
    spec: PayloadSpec,
    decoder: Option<ChunkDecoder>,
    buf: BytesMut,
    events: Vec<Event>,
    ready: VecDeque<Bytes>,
    sha: Option<Sha256>,
    flex: Option<FlexHasher>,
    decoded: u64,
    chunk_sha: Option<Sha256>,
    chunk_sig: Option<String>,
    prev_sig: String,
    trailers: Vec<(String, String)>,
    slot: ChecksumSlot,
    finished: bool,
}

impl<S> VerifiedBody<S> {
    pub fn new(inner: S, spec: PayloadSpec) -> VerifiedBody<S> {
        let prev_sig = spec
            .signer
            .as_ref()
            .map(|s| s.seed.clone())
            .unwrap_or_default();
        VerifiedBody {
            inner,
            decoder: spec.chunked.then(ChunkDecoder::default),
            sha: spec.sha256.map(|_| Sha256::new()),
            flex: spec.checksum.as_ref().map(|c| FlexHasher::new(c.algorithm)),
            spec,
            buf: BytesMut::new(),
            events: Vec::new(),
            ready: VecDeque::new(),
            decoded: 0,
            chunk_sha: None,
            chunk_sig: None,
            prev_sig,
            trailers: Vec::new(),
            slot: ChecksumSlot::default(),
            finished: false,
        }
    }

    /// Holds the verified flexible checksum once the stream has ended successfully.
    pub fn checksum_slot(&self) -> ChecksumSlot {
        self.slot.clone()
    }

    fn payload(&mut self, data: Bytes) {
        if let Some(h) = self.sha.as_mut() {
            h.update(&data);
        }
        if let Some(h) = self.flex.as_mut() {
            h.update(&data);
        }
        if let Some(h) = self.chunk_sha.as_mut() {
            h.update(&data);
        }
        self.decoded += data.len() as u64;
        if !data.is_empty() {
            self.ready.push_back(data);
        }
    }

    fn on_events(&mut self) -> Result<(), BodyError> {
        let events = std::mem::take(&mut self.events);
        for e in events {
            match e {
                Event::ChunkStart { signature, .. } => {
                    if self.spec.signer.is_some() {
                        self.chunk_sig = Some(signature.ok_or(BodyError::ChunkSignatureMismatch)?);
                        self.chunk_sha = Some(Sha256::new());
                    }
                }
                Event::Data(b) => self.payload(b),
                Event::ChunkEnd => {
                    if let (Some(signer), Some(h), Some(got)) = (
                        self.spec.signer.as_ref(),
                        self.chunk_sha.take(),
                        self.chunk_sig.take(),
                    ) {
                        let sts = chunk_string_to_sign_hex(
                            &signer.amz_date,
                            &signer.scope,
                            &self.prev_sig,
                            &hex::encode(h.finalize()),
                        );
                        let want = signer.sign(&sts);
                        if !signatures_equal(want.as_bytes(), got.as_bytes()) {
                            return Err(BodyError::ChunkSignatureMismatch);
                        }
                        self.prev_sig = want;
                    }
                }
                Event::Trailer(k, v) => self.trailers.push((k, v)),
                Event::End => {}
            }
        }
        Ok(())
    }

    fn finish(&mut self) -> Result<(), BodyError> {
        if let Some(d) = &self.decoder {
            let complete = d.is_done() || (d.in_trailers() && self.buf.is_empty());
            if !complete {
                return Err(BodyError::Incomplete(
                    "the aws-chunked body ended before its final chunk".into(),
                ));
            }
        }
        if let Some(declared) = self.spec.decoded_length {
            if declared != self.decoded {
                return Err(BodyError::DecodedLengthMismatch {
                    declared,
                    got: self.decoded,
                });
            }
        }
        if let (Some(want), Some(h)) = (self.spec.sha256, self.sha.take()) {
            let got: [u8; 32] = h.finalize().into();
            if !signatures_equal(&got, &want) {
                return Err(BodyError::ContentSha256Mismatch);
            }
        }
        if self.spec.signed_trailer {
            let signer = self
                .spec
                .signer
                .as_ref()
                .ok_or(BodyError::ChunkSignatureMismatch)?;
            let got = self
                .trailers
                .iter()
                .find(|(k, _)| k == "x-amz-trailer-signature")
                .map(|(_, v)| v.clone())
                .ok_or(BodyError::ChunkSignatureMismatch)?;
            let text: String = self
                .trailers
                .iter()
                .filter(|(k, _)| k != "x-amz-trailer-signature")
                .map(|(k, v)| format!("{k}:{v}\n"))
                .collect();
            let want = signer.sign(&trailer_string_to_sign(
                &signer.amz_date,
                &signer.scope,
                &self.prev_sig,
                &text,
            ));
            if !signatures_equal(want.as_bytes(), got.as_bytes()) {
                return Err(BodyError::ChunkSignatureMismatch);
            }
        }
        if let (Some(expect), Some(h)) = (self.spec.checksum.clone(), self.flex.take()) {
            let got = h.finish();
            let want = if expect.trailer {
                let name = expect.algorithm.header();
                let v = self
                    .trailers
                    .iter()
                    .find(|(k, _)| k == name)
                    .map(|(_, v)| v.clone())
                    .ok_or_else(|| BodyError::MissingTrailer(name.to_string()))?;
                Some(
                    base64::engine::general_purpose::STANDARD
                        .decode(v.trim())
                        .map_err(|_| BodyError::ChecksumMismatch(expect.algorithm.name()))?,
                )
            } else {
                expect.value.clone()
            };
            if let Some(want) = want {
                if want != got {
                    return Err(BodyError::ChecksumMismatch(expect.algorithm.name()));
                }
            }
            let _ = self.slot.set(FlexChecksum::new(expect.algorithm, &got));
        }
        Ok(())
    }
}

impl<S, E> Stream for VerifiedBody<S>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    type Item = Result<Bytes, BodyError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        loop {
            if let Some(b) = this.ready.pop_front() {
                return Poll::Ready(Some(Ok(b)));
            }
            if this.finished {
                return Poll::Ready(None);
            }
            let step: Result<(), BodyError> = match Pin::new(&mut this.inner).poll_next(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Some(Err(e))) => Err(BodyError::Incomplete(e.to_string())),
                Poll::Ready(Some(Ok(bytes))) => match this.decoder.as_mut() {
                    None => {
                        this.payload(bytes);
                        Ok(())
                    }
                    Some(d) => {
                        this.buf.extend_from_slice(&bytes);
                        d.decode(&mut this.buf, &mut this.events)
                            .and_then(|()| this.on_events())
                    }
                },
                Poll::Ready(None) => {
                    this.finished = true;
                    this.finish()
                }
            };
            if let Err(e) = step {
                this.finished = true;
                this.ready.clear();
                return Poll::Ready(Some(Err(e)));
            }
        }
    }
}

#[cfg(test)]
mod tests;
