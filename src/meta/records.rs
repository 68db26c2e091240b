//! Persisted record formats. Every value is one format-version byte followed by a JSON document;
//! a reader rejects versions it does not know instead of misreading them.

use crate::checksum::{ChecksumAlgorithm, ChecksumType, FlexChecksum};
use crate::policy::acl::Grant;
use crate::types::CannedAcl;
use serde::{de::DeserializeOwned, Deserialize, Serialize};

/// The current format version of every record.
pub const FORMAT_VERSION: u8 = 1;

#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    #[error("empty record")]
    Empty,
    #[error("unknown record format version {0}")]
    Version(u8),
    #[error("undecodable record: {0}")]
    Json(String),
}

fn encode<T: Serialize>(rec: &T) -> Vec<u8> {
    let mut out = vec![FORMAT_VERSION];
    // Serializing these plain structs cannot fail.
    serde_json::to_writer(&mut out, rec).unwrap_or_default();
    out
}

fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, RecordError> {
    let (&v, body) = bytes.split_first().ok_or(RecordError::Empty)?;
    if v != FORMAT_VERSION {
        return Err(RecordError::Version(v));
    }
    serde_json::from_slice(body).map_err(|e| RecordError::Json(e.to_string()))
}

macro_rules! record {
    ($t:ty) => {
        impl $t {
            pub fn encode(&self) -> Vec<u8> {
                encode(self)
            }
            pub fn decode(bytes: &[u8]) -> Result<Self, RecordError> {
                decode(bytes)
            }
        }
    };
}

/// A bucket.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct BucketRecord {
    pub name: String,
    pub owner_uin: String,
    pub region: String,
    pub created_ms: i64,
    pub acl: CannedAcl,
    /// Explicit ACL grants besides the canned ACL's (the owner's FULL_CONTROL is implicit).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub grants: Vec<Grant>,
    /// The bucket policy as the owner wrote it (validated when stored).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<String>,
    /// Bucket tags (key, value), in the order given.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<(String, String)>,
    /// `?cors`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cors: Option<crate::bucket_config::cors::CorsConfig>,
    /// `?website`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub website: Option<crate::bucket_config::website::WebsiteConfig>,
    /// `?referer`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referer: Option<crate::bucket_config::referer::RefererConfig>,
}
record!(BucketRecord);

/// One chunk of an object's data, in order.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ChunkRef {
    #[serde(with = "hex32")]
    pub id: [u8; 32],
    pub len: u64,
}

/// Where an object's bytes are.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum DataLayout {
    Inline(#[serde(with = "b64")] Vec<u8>),
    Chunks(Vec<ChunkRef>),
}

impl DataLayout {
    pub fn chunks(&self) -> &[ChunkRef] {
        match self {
            DataLayout::Inline(_) => &[],
            DataLayout::Chunks(c) => c,
        }
    }
}

/// An object version (the current one; versioning comes later).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ObjectRecord {
    pub size: u64,
    /// Without quotes.
    pub etag: String,
    pub crc64: u64,
    pub mtime_ms: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_control: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_disposition: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_encoding: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_language: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
    /// User metadata: (suffix after `x-cos-meta-`, lower-cased; value).
    #[serde(default)]
    pub meta: Vec<(String, String)>,
    pub storage_class: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acl: Option<CannedAcl>,
    /// Explicit ACL grants besides the canned ACL's.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub grants: Vec<Grant>,
    /// Created by Append Object (`x-cos-object-type: appendable`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub appendable: bool,
    /// S3 flexible checksum sent or declared with the upload.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checksum: Option<FlexChecksum>,
    /// JSON API: the caller's opaque attribute (`biz_attr`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub biz_attr: Option<String>,
    /// JSON API: SHA-1 of the content (hex), known when it was written through the JSON API.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha1: Option<String>,
    /// When the content was written, if attribute updates have moved `mtime_ms` since.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ctime_ms: Option<i64>,
    pub data: DataLayout,
}
record!(ObjectRecord);

impl ObjectRecord {
    /// When the content was written.
    pub fn created_ms(&self) -> i64 {
        self.ctime_ms.unwrap_or(self.mtime_ms)
    }
}

/// An initiated multipart upload and the metadata its object will get.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct UploadRecord {
    pub initiated_ms: i64,
    pub initiator_uin: String,
    /// The completed object's record minus size, checksums and data.
    pub template: ObjectRecord,
    /// `x-amz-checksum-algorithm` given at initiation: every part carries this checksum.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checksum_algorithm: Option<ChecksumAlgorithm>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checksum_type: Option<ChecksumType>,
    /// Set for a JSON API slice upload (`upload_slice_init`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slice: Option<SliceSession>,
}
record!(UploadRecord);

/// What `upload_slice_init` declared: parts are slices `slice_size` long, numbered from 1 by
/// offset.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct SliceSession {
    pub filesize: u64,
    pub slice_size: u64,
    /// SHA-1 (hex) of the whole file, if declared.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha: Option<String>,
    /// `uploadparts`: each slice's offset, length and SHA-1 state after it (hex).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parts: Vec<SlicePart>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct SlicePart {
    pub offset: u64,
    pub len: u64,
    pub sha: String,
}

/// A used single-use JSON API signature (the key carries its signing time and MAC).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct OnceSignatureRecord {
    pub used_ms: i64,
}
record!(OnceSignatureRecord);

impl UploadRecord {
    /// The declared algorithm and the multipart checksum type it yields: COMPOSITE unless
    /// FULL_OBJECT was asked for, and always FULL_OBJECT for CRC64NVME (as S3 does).
    pub fn checksum_kind(&self) -> Option<(ChecksumAlgorithm, ChecksumType)> {
        let algo = self.checksum_algorithm?;
        let kind = match (algo, self.checksum_type) {
            (ChecksumAlgorithm::Crc64Nvme, _) => ChecksumType::FullObject,
            (_, Some(t)) => t,
            (_, None) => ChecksumType::Composite,
        };
        Some((algo, kind))
    }
}

/// One uploaded part.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct PartRecord {
    pub size: u64,
    /// MD5 hex of the part, without quotes.
    pub etag: String,
    pub crc64: u64,
    pub mtime_ms: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checksum: Option<FlexChecksum>,
    pub chunks: Vec<ChunkRef>,
}
record!(PartRecord);

/// The reference count of a stored chunk (how many object chunk-list entries name it).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ChunkRefcount {
    pub refs: u64,
    pub len: u64,
}
record!(ChunkRefcount);

/// A chunk that became unreferenced; the key carries when it may be deleted.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct GcEntry {
    pub queued_ms: i64,
}
record!(GcEntry);

/// An access key (SecretId / SecretKey) and whom it belongs to.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct AccessKeyRecord {
    pub secret_id: String,
    pub secret_key: String,
    pub uin: String,
    pub root_uin: String,
    pub enabled: bool,
    pub created_ms: i64,
}
record!(AccessKeyRecord);

/// A temporary key issued by the STS endpoint (GetFederationToken): it acts as the issuing
/// key's principal, narrowed by `policy`, until `expires_s`; it dies with the issuing key.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct TempKeyRecord {
    pub secret_id: String,
    pub secret_key: String,
    pub token: String,
    /// The permanent key that asked for it.
    pub issuer_secret_id: String,
    pub uin: String,
    pub root_uin: String,
    /// The CAM policy JSON given at issue time.
    pub policy: String,
    /// `Name` given at issue time (the federated user's name).
    pub name: String,
    pub created_s: i64,
    pub expires_s: i64,
}
record!(TempKeyRecord);

/// A root account: owns the buckets named `<name>-<appid>`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct AccountRecord {
    pub uin: String,
    pub appid: String,
    pub created_ms: i64,
}
record!(AccountRecord);

/// A sub-account of `root_uin`, with its group memberships and its own policies (name -> JSON).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct UserRecord {
    pub uin: String,
    pub root_uin: String,
    #[serde(default)]
    pub groups: Vec<String>,
    #[serde(default)]
    pub policies: std::collections::BTreeMap<String, String>,
    pub created_ms: i64,
}
record!(UserRecord);

/// A user group of `root_uin` and its policies (name -> JSON). Members are listed on the users.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct GroupRecord {
    pub name: String,
    pub root_uin: String,
    #[serde(default)]
    pub policies: std::collections::BTreeMap<String, String>,
    pub created_ms: i64,
}
record!(GroupRecord);

mod hex32 {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(id: &[u8; 32], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(id))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<[u8; 32], D::Error> {
        let s = String::deserialize(d)?;
        let v = hex::decode(s).map_err(serde::de::Error::custom)?;
        v.try_into()
            .map_err(|_| serde::de::Error::custom("chunk id must be 32 bytes"))
    }
}

mod b64 {
    use base64::Engine;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(data: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(data))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let s = String::deserialize(d)?;
        base64::engine::general_purpose::STANDARD
            .decode(s)
            .map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_round_trip_and_reject_unknown_versions() {
        let rec = ObjectRecord {
            size: 3,
            etag: "abc".into(),
            crc64: 9,
            mtime_ms: 1,
            content_type: Some("text/plain".into()),
            cache_control: None,
            content_disposition: None,
            content_encoding: None,
            content_language: None,
            expires: None,
            meta: vec![("a".into(), "b".into())],
            storage_class: "STANDARD".into(),
            acl: None,
            grants: vec![],
            appendable: false,
            checksum: None,
            biz_attr: Some("attr".into()),
            sha1: None,
            ctime_ms: Some(0),
            data: DataLayout::Inline(b"xyz".to_vec()),
        };
        let bytes = rec.encode();
        assert_eq!(bytes[0], FORMAT_VERSION);
        assert_eq!(ObjectRecord::decode(&bytes).unwrap(), rec);
        let mut bad = bytes.clone();
        bad[0] = 9;
        assert!(matches!(
            ObjectRecord::decode(&bad),
            Err(RecordError::Version(9))
        ));
        assert!(ObjectRecord::decode(&[]).is_err());
        assert!(ObjectRecord::decode(&[1, b'{']).is_err());
        let c = DataLayout::Chunks(vec![ChunkRef {
            id: [1; 32],
            len: 5,
        }]);
        let j = serde_json::to_string(&c).unwrap();
        assert_eq!(serde_json::from_str::<DataLayout>(&j).unwrap(), c);
    }
}
