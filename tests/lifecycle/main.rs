//! Bucket lifecycle end to end (docs/lifecycle.md): the `?lifecycle` configuration through both
//! dialects with every refusal, and the worker's actions run by `Store::lifecycle_pass` under
//! the injected clock with a 10-second lifecycle day: expiration with and without versioning,
//! noncurrent expiration with `NewerNoncurrentVersions`, expired delete markers, transitions,
//! aborted uploads, size and tag filters, object lock, idempotence and resuming an interrupted
//! pass.

#![allow(clippy::unwrap_used)]

#[path = "../common/mod.rs"]
mod common;

mod actions;
mod config;
mod support;
mod worker;
