//! Domain newtypes with validation and no IO: bucket names, object keys, byte ranges, ETags,
//! tag sets.

mod bucket;
mod etag;
mod key;
mod range;
mod storage_class;
pub mod tags;

pub use bucket::{appid_of, BucketName, InvalidBucketName};
pub use etag::ETag;
pub use key::{InvalidKey, ObjectKey, MAX_KEY_BYTES};
pub use range::{select_part, ByteRange, PartSelection, RangeError, RangeSpec};
pub use storage_class::{
    ClassDialect, RestoreState, RestoreTier, StorageClass, UnknownStorageClass,
};

/// A canned ACL as carried by `x-cos-acl` / `x-amz-acl`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CannedAcl {
    Private,
    PublicRead,
    PublicReadWrite,
    /// Any signed request may read.
    AuthenticatedRead,
    /// Objects only: the bucket owner may read (the owner always can here).
    BucketOwnerRead,
    /// Objects only: the bucket owner has full control (the owner always has here).
    BucketOwnerFullControl,
    /// Objects only: inherit the bucket's ACL.
    Default,
}

impl CannedAcl {
    pub fn parse(s: &str) -> Option<CannedAcl> {
        match s.trim() {
            "private" => Some(CannedAcl::Private),
            "public-read" => Some(CannedAcl::PublicRead),
            "public-read-write" => Some(CannedAcl::PublicReadWrite),
            "authenticated-read" => Some(CannedAcl::AuthenticatedRead),
            "bucket-owner-read" => Some(CannedAcl::BucketOwnerRead),
            "bucket-owner-full-control" => Some(CannedAcl::BucketOwnerFullControl),
            "default" => Some(CannedAcl::Default),
            _ => None,
        }
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            CannedAcl::Private => "private",
            CannedAcl::PublicRead => "public-read",
            CannedAcl::PublicReadWrite => "public-read-write",
            CannedAcl::AuthenticatedRead => "authenticated-read",
            CannedAcl::BucketOwnerRead => "bucket-owner-read",
            CannedAcl::BucketOwnerFullControl => "bucket-owner-full-control",
            CannedAcl::Default => "default",
        }
    }

    /// Whether the value is meaningful on a bucket (the others apply to objects only).
    pub fn applies_to_buckets(&self) -> bool {
        matches!(
            self,
            CannedAcl::Private
                | CannedAcl::PublicRead
                | CannedAcl::PublicReadWrite
                | CannedAcl::AuthenticatedRead
        )
    }
}
