//! Signatures of the Tencent Cloud API as the STS clients send them (spec 07): the v1 form
//! signature (HmacSHA1 or HmacSHA256 over `METHOD host/?sorted params`) used by the COS STS
//! SDKs, and TC3-HMAC-SHA256 used by the generic Tencent Cloud SDKs. Pure: parameters, headers
//! and secrets are inputs; lookups and clocks belong to the caller.

mod tc3;
mod v1;

pub use tc3::{Tc3Auth, Tc3Request};
pub use v1::{sign_v1, v1_string_to_sign, verify_v1, V1Method};

#[cfg(test)]
mod tests;
