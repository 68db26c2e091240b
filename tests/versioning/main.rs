//! Bucket versioning end to end (docs/versioning.md): the versioning states, version ids,
//! delete markers, reads and deletes by id, copies and multipart uploads from versions,
//! multi-object delete, `GET /?versions` with its paging and encoding, the COS dialect's
//! `x-cos-*` headers, the `cos:versionid` condition key with the seed's three bucket policies
//! (002:2288-2515), and the operations a versioned bucket refuses. Mostly `aws-sdk-s3`; raw
//! q-sign requests where the COS wire format is the point.

#![allow(clippy::unwrap_used)]

#[path = "../common/mod.rs"]
mod common;
#[path = "../json_common/mod.rs"]
mod json_common;

mod buckets;
mod condition;
mod listing;
mod reads;
mod support;
mod writes;
