//! COS "q-sign" (HMAC-SHA1) signatures: the Authorization header form and the presigned query
//! form. See shared/spec/01-signatures.md.

mod canonical;
mod parse;
mod sign;
mod verify;

pub use canonical::{http_string, sign, string_to_sign};
pub use parse::{QSign, AUTH_PARAMS};
pub use sign::authorization;
pub use verify::{verify, SignedRequest};

#[cfg(test)]
mod tests;
