//! Storage classes and archive restores end to end (docs/storage-classes.md): classes on
//! PUT, copy, multipart and append, shown in HEAD/GET and every listing in each dialect's
//! names; archived objects readable only while restored (POST Object restore, driven by the
//! injected clock); the restore state machine's answers.

#![allow(clippy::unwrap_used)]

#[path = "../common/mod.rs"]
mod common;
#[path = "../json_common/mod.rs"]
mod json_common;

mod classes;
mod policy;
mod restore;
mod s3;
mod support;
