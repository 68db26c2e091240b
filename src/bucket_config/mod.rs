//! Bucket sub-resource configurations that shape how requests are answered rather than what
//! is stored: CORS rules, static website hosting and referer (hotlink) protection. Each module
//! is pure: the XML document, its validation, and the matching rules, with table tests.

pub mod cors;
pub mod lifecycle;
pub mod logging;
pub mod notification;
pub mod object_lock;
pub mod public_access;
pub mod referer;
pub mod versioning;
pub mod website;
