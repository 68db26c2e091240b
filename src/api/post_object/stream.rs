//! The file part as the store's body stream: bounded by `content-length-range` and the
//! largest object size while it flows, and checked once more when it ends (the minimum size
//! and the final authorization), so a refused upload is never committed.

use crate::service::ServiceError;
use bytes::Bytes;
use futures_util::Stream;
use std::pin::Pin;
use std::task::{Context, Poll};

type Inner = Pin<Box<dyn Stream<Item = Result<Bytes, multer::Error>> + Send>>;

pub struct FileStream<F> {
    inner: Inner,
    seen: u64,
    range: Option<(u64, u64)>,
    max: u64,
    /// Runs once at the end with the size; an Err refuses the upload.
    at_end: Option<F>,
    failed: bool,
}

impl<F: FnOnce(u64) -> Result<(), ()> + Unpin> FileStream<F> {
    pub fn new(
        field: multer::Field<'static>,
        range: Option<(u64, u64)>,
        max: u64,
        at_end: F,
    ) -> Self {
        FileStream {
            inner: Box::pin(field),
            seen: 0,
            range,
            max,
            at_end: Some(at_end),
            failed: false,
        }
    }
}

impl<F: FnOnce(u64) -> Result<(), ()> + Unpin> Stream for FileStream<F> {
    type Item = Result<Bytes, ServiceError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if this.failed {
            return Poll::Ready(None);
        }
        let mut fail = |e: ServiceError| {
            this.failed = true;
            Poll::Ready(Some(Err(e)))
        };
        match this.inner.as_mut().poll_next(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Some(Err(e))) => fail(ServiceError::IncompleteBody(e.to_string())),
            Poll::Ready(Some(Ok(b))) => {
                this.seen += b.len() as u64;
                let hi = this.range.map_or(this.max, |(_, hi)| hi.min(this.max));
                if this.seen > hi {
                    return fail(ServiceError::EntityTooLarge);
                }
                Poll::Ready(Some(Ok(b)))
            }
            Poll::Ready(None) => {
                let seen = this.seen;
                if let Some((lo, _)) = this.range.filter(|(lo, _)| seen < *lo) {
                    return fail(ServiceError::EntityTooSmall(format!(
                        "Your proposed upload is smaller than the minimum allowed size ({seen} < {lo} bytes)."
                    )));
                }
                match this.at_end.take().map(|f| f(seen)) {
                    Some(Err(())) => fail(ServiceError::InvalidRequest(
                        "the upload was refused".into(),
                    )),
                    _ => Poll::Ready(None),
                }
            }
        }
    }
}
