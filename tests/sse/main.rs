//! Server-side encryption end to end (docs/encryption.md): SSE-S3 / SSE-COS, SSE-KMS with the
//! admin API's key registry, SSE-C, through `aws-sdk-s3` and raw q-signed COS requests: ranges,
//! multipart, copies between modes, bucket default encryption, refusals that change nothing,
//! and the bytes on disk (chunk segments, the metadata log, RocksDB) never holding plaintext.

#![allow(clippy::unwrap_used)]

#[path = "../common/mod.rs"]
mod common;

mod at_rest;
mod buckets;
mod modes;
mod multipart_copy;
mod support;
