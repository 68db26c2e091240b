//! Declarative start state and reset (docs/declarative.md): `[[buckets]]` applied at start
//! with every configuration and seeded objects, a second start that changes nothing, invalid
//! declarations that stop the start naming the bucket, and `POST /_cosd/admin/reset` to an
//! empty server or back to the declared state (after writes, versions, uploads and object
//! lock), refused to anyone but the main root account, leaving `cosd fsck` clean.

#![allow(clippy::unwrap_used)]

#[path = "../common/mod.rs"]
mod common;

mod reset;
mod start;
mod support;
