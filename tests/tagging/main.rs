//! Object tagging end to end (docs/tagging.md): PUT/GET/DELETE `?tagging` on objects and
//! their versions, tags set by every write path (PUT, POST, copy with its directive, multipart,
//! append), `x-cos-tagging-count`, the limits and errors (a refused request changes nothing),
//! bucket tag limits, GET Service filtered by tag with the seed's policy (002:2147-2230),
//! `qcs:request_tag` from PUT Bucket tagging bodies (002:3154-3253), and the AWS keys
//! `s3:ExistingObjectTag/<key>`, `s3:RequestObjectTag/<key>`, `s3:RequestObjectTagKeys`.
//! `aws-sdk-s3` for the S3 dialect, raw q-sign requests for the COS one.

#![allow(clippy::unwrap_used)]

#[path = "../common/mod.rs"]
mod common;

mod limits;
mod objects;
mod policies;
mod support;
mod writes;
