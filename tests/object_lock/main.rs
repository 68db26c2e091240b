//! Object lock end to end (docs/versioning.md, "Object lock"): buckets created with it, the
//! bucket configuration and its default retention, per-version retention and legal hold, what
//! a lock forbids (to the root account too), GOVERNANCE bypass and its permission, and the
//! condition keys `cos:object-lock-mode`, `cos:object-lock-retain-until-date` and
//! `cos:object-lock-remaining-retention-days` with the seed's policies (002:3417-3567) under
//! an injected clock.

#![allow(clippy::unwrap_used)]

#[path = "../common/mod.rs"]
mod common;

mod condition_keys;
mod config;
mod governance;
mod retention;
mod support;
