//! AWS Signature Version 4 as S3 clients send it: the Authorization header, presigned query
//! parameters, and the chunk and trailer signatures of `aws-chunked` streaming uploads.
//! See shared/spec/05-sigv4-s3.md.

pub(crate) mod canonical;
mod keys;
mod parse;
mod verify;

pub use canonical::{
    canonical_query, canonical_request, canonical_uri, chunk_string_to_sign,
    chunk_string_to_sign_hex, hmac_sha256, sha256_hex, signing_key, string_to_sign,
    trailer_string_to_sign, EMPTY_SHA256,
};
pub use keys::SigningKeys;
pub use parse::{parse_amz_date, V4Auth, MAX_PRESIGN_EXPIRES};
pub use verify::{verify, ChunkSigner, V4Request, Verified};

#[cfg(test)]
mod tests;
