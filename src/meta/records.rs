//! Persisted record formats. Every value is one format-version byte followed by the document:
//! version 2 (written now) is MessagePack with named fields, where chunk ids and inline object
//! bytes are raw binary; version 1 (written before) is JSON, where they are hex and base64
//! strings. Both are read, so a data directory never needs a migration; a reader rejects
//! versions it does not know instead of misreading them.
//!
//! Why not JSON any more: a 4 KiB object's record is mostly its base64 body, and decoding it
//! (base64 plus JSON string scanning) was ~7% of the server CPU of a small GET.

use crate::checksum::{ChecksumAlgorithm, ChecksumType, FlexChecksum};
use crate::policy::acl::Grant;
use crate::types::CannedAcl;
use serde::{de::DeserializeOwned, Deserialize, Serialize};

/// The format version of every record written (MessagePack).
pub const FORMAT_VERSION: u8 = 2;
/// The earlier format (JSON), still read.
const JSON_VERSION: u8 = 1;

#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    #[error("empty record")]
    Empty,
    #[error("unknown record format version {0}")]
    Version(u8),
    #[error("undecodable record: {0}")]
    Malformed(String),
}

fn encode<T: Serialize>(rec: &T) -> Vec<u8> {
    let mut out = Vec::with_capacity(128);
    out.push(FORMAT_VERSION);
    // Serializing these plain structs into a Vec cannot fail.
    rmp_serde::encode::write_named(&mut out, rec).unwrap_or_default();
    out
}

fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, RecordError> {
    let (&v, body) = bytes.split_first().ok_or(RecordError::Empty)?;
    match v {
        FORMAT_VERSION => {
            rmp_serde::from_slice(body).map_err(|e| RecordError::Malformed(e.to_string()))
        }
        JSON_VERSION => {
            serde_json::from_slice(body).map_err(|e| RecordError::Malformed(e.to_string()))
        }
        _ => Err(RecordError::Version(v)),
    }
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
    /// `?versioning`, once set (never unset again).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub versioning: Option<crate::bucket_config::versioning::VersioningStatus>,
    /// Object lock, once enabled (never disabled again).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object_lock: Option<crate::bucket_config::object_lock::ObjectLockConfig>,
    /// `?encryption`: the default encryption of new objects.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption: Option<crate::crypto::BucketEncryption>,
    /// `?publicAccessBlock`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_access_block: Option<crate::bucket_config::public_access::PublicAccessBlock>,
    /// `?ownershipControls`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ownership: Option<crate::bucket_config::public_access::ObjectOwnership>,
    /// `?lifecycle` (docs/lifecycle.md).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lifecycle: Option<crate::bucket_config::lifecycle::LifecycleConfig>,
    /// `?logging` (docs/access-logs.md).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logging: Option<crate::bucket_config::logging::LoggingConfig>,
    /// `?notification` (docs/notifications.md).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notification: Option<crate::bucket_config::notification::NotificationConfig>,
}
record!(BucketRecord);

impl BucketRecord {
    /// A new bucket without sub-resource configuration (`created_ms` is set when it is
    /// stored).
    pub fn new(
        name: &str,
        owner_uin: &str,
        region: &str,
        acl: CannedAcl,
        grants: Vec<Grant>,
        tags: Vec<(String, String)>,
    ) -> BucketRecord {
        BucketRecord {
            name: name.to_string(),
            owner_uin: owner_uin.to_string(),
            region: region.to_string(),
            created_ms: 0,
            acl,
            grants,
            policy: None,
            tags,
            cors: None,
            website: None,
            referer: None,
            versioning: None,
            object_lock: None,
            encryption: None,
            public_access_block: None,
            ownership: None,
            lifecycle: None,
            logging: None,
            notification: None,
        }
    }
}

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

/// Where a version sits among its key's versions (docs/versioning.md).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub struct VersionTag {
    /// Orders the key's versions (greater = newer); unique among them.
    pub stamp: u64,
    /// The `null` version (written while the bucket was unversioned or Suspended).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub null: bool,
}

/// An object version, or a delete marker.
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
    /// Absent for versions written before versioning was set: the `null` version, stamp 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<VersionTag>,
    /// A delete marker (no data).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub delete_marker: bool,
    /// Object lock retention of this version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention: Option<crate::bucket_config::object_lock::Retention>,
    /// Object lock legal hold of this version: ON (true), OFF (false), never set (None).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub legal_hold: Option<bool>,
    /// Server-side encryption (docs/encryption.md): the data (chunks or inline bytes) is
    /// sealed with the data key this wraps; `size` and `crc64` are the plaintext's. Absent: the
    /// data is stored as it is (every record written before encryption existed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sse: Option<crate::crypto::SseRecord>,
    /// Object tags (`?tagging`, `x-cos-tagging`), in the order they were given.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<(String, String)>,
    /// The multipart upload this version was completed from: a retried
    /// CompleteMultipartUpload of the same upload answers with it (S3 behaviour).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upload_id: Option<String>,
    /// The sizes of the parts a multipart upload was completed from, in order (GET/HEAD
    /// `?partNumber=`); empty for an object written in one piece.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub part_sizes: Vec<u64>,
    /// The restore of an archived version (POST Object restore; docs/storage-classes.md).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restore: Option<crate::types::RestoreState>,
    pub data: DataLayout,
}
record!(ObjectRecord);

impl ObjectRecord {
    /// The version's stamp (0 for versions from before versioning).
    pub fn stamp(&self) -> u64 {
        self.version.map_or(0, |v| v.stamp)
    }

    /// Whether this is its key's `null` version.
    pub fn is_null_version(&self) -> bool {
        self.version.is_none_or(|v| v.null)
    }

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

/// How far the lifecycle worker's pass over a bucket got (docs/lifecycle.md): every key up
/// to and including `after` has been acted on in the pass that started at `pass_started_ms`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct LifecycleCursor {
    pub pass_started_ms: i64,
    pub after: String,
}
record!(LifecycleCursor);

/// An event in the notification outbox (docs/notifications.md), written in the batch of the
/// change it describes and deleted once its webhook acknowledged it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct OutboxEntry {
    pub event: crate::bucket_config::notification::EventName,
    pub time_ms: i64,
    pub bucket: String,
    pub key: String,
    /// The matching rule's Id (`configurationId`).
    pub config_id: String,
    #[serde(default)]
    pub size: u64,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub etag: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage_class: Option<String>,
}
record!(OutboxEntry);

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

/// Chunk ids: 32 raw bytes in binary formats, 64 hex digits in JSON (format version 1).
mod hex32 {
    use serde::{Deserializer, Serializer};

    pub fn serialize<S: Serializer>(id: &[u8; 32], s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            s.serialize_str(&hex::encode(id))
        } else {
            s.serialize_bytes(id)
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<[u8; 32], D::Error> {
        let v = d.deserialize_any(super::BytesOrText(|s: &str| hex::decode(s)))?;
        v.try_into()
            .map_err(|_| serde::de::Error::custom("chunk id must be 32 bytes"))
    }
}

/// Inline object bytes: raw in binary formats, base64 in JSON (format version 1).
mod b64 {
    use base64::Engine;
    use serde::{Deserializer, Serializer};

    pub fn serialize<S: Serializer>(data: &[u8], s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(data))
        } else {
            s.serialize_bytes(data)
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        d.deserialize_any(super::BytesOrText(|s: &str| {
            base64::engine::general_purpose::STANDARD.decode(s)
        }))
    }
}

/// Accepts raw bytes as they are, or text through `.0` (the JSON form of the same bytes).
struct BytesOrText<F>(F);

impl<'de, F, E> serde::de::Visitor<'de> for BytesOrText<F>
where
    F: FnOnce(&str) -> Result<Vec<u8>, E>,
    E: std::fmt::Display,
{
    type Value = Vec<u8>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("bytes, or their text encoding")
    }

    fn visit_bytes<Er: serde::de::Error>(self, v: &[u8]) -> Result<Vec<u8>, Er> {
        Ok(v.to_vec())
    }

    fn visit_byte_buf<Er: serde::de::Error>(self, v: Vec<u8>) -> Result<Vec<u8>, Er> {
        Ok(v)
    }

    fn visit_str<Er: serde::de::Error>(self, v: &str) -> Result<Vec<u8>, Er> {
        (self.0)(v).map_err(Er::custom)
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
            version: None,
            delete_marker: false,
            retention: None,
            legal_hold: None,
            sse: None,
            tags: Vec::new(),
            upload_id: None,
            part_sizes: Vec::new(),
            restore: None,
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

    fn object(data: DataLayout) -> ObjectRecord {
        ObjectRecord {
            size: 4096,
            etag: "e".into(),
            crc64: 1,
            mtime_ms: 2,
            content_type: None,
            cache_control: Some("no-cache".into()),
            content_disposition: None,
            content_encoding: None,
            content_language: None,
            expires: None,
            meta: vec![],
            storage_class: "STANDARD".into(),
            acl: Some(CannedAcl::PublicRead),
            grants: vec![],
            appendable: false,
            checksum: None,
            biz_attr: None,
            sha1: None,
            ctime_ms: None,
            version: None,
            delete_marker: false,
            retention: None,
            legal_hold: None,
            sse: None,
            tags: Vec::new(),
            upload_id: None,
            part_sizes: Vec::new(),
            restore: None,
            data,
        }
    }

    /// Data directories written before format 2 keep working: their JSON records decode to
    /// the same values.
    #[test]
    fn version_1_json_records_still_decode() {
        let inline = object(DataLayout::Inline(vec![7u8; 4096]));
        let chunks = object(DataLayout::Chunks(vec![
            ChunkRef {
                id: [0xab; 32],
                len: 4_194_304,
            },
            ChunkRef {
                id: [1; 32],
                len: 9,
            },
        ]));
        for rec in [inline, chunks] {
            let mut v1 = vec![1u8];
            v1.extend(serde_json::to_vec(&rec).unwrap());
            assert_eq!(ObjectRecord::decode(&v1).unwrap(), rec);
            assert_eq!(ObjectRecord::decode(&rec.encode()).unwrap(), rec);
        }
        // A literal version-1 record, as the JSON encoder wrote it.
        let literal = br#"{"size":3,"etag":"x","crc64":0,"mtime_ms":5,"meta":[],"storage_class":"STANDARD","data":{"inline":"eHl6"}}"#;
        let mut v1 = vec![1u8];
        v1.extend_from_slice(literal);
        let rec = ObjectRecord::decode(&v1).unwrap();
        assert_eq!(rec.data, DataLayout::Inline(b"xyz".to_vec()));
        let literal = format!(
            r#"{{"size":3,"etag":"x","crc64":0,"mtime_ms":5,"meta":[],"storage_class":"STANDARD","data":{{"chunks":[{{"id":"{}","len":3}}]}}}}"#,
            "ab".repeat(32)
        );
        let mut v1 = vec![1u8];
        v1.extend_from_slice(literal.as_bytes());
        let rec = ObjectRecord::decode(&v1).unwrap();
        assert_eq!(rec.data.chunks()[0].id, [0xab; 32]);
    }

    /// Format 2 keeps binary fields binary: a 4 KiB inline object costs 4 KiB plus its fields,
    /// not a third more for base64.
    #[test]
    fn version_2_stores_bytes_raw() {
        let rec = object(DataLayout::Inline(vec![7u8; 4096]));
        let bytes = rec.encode();
        assert_eq!(bytes[0], 2);
        assert!(bytes.len() < 4096 + 200, "{}", bytes.len());
        let rec = object(DataLayout::Chunks(vec![ChunkRef {
            id: [3; 32],
            len: 1,
        }]));
        assert!(rec.encode().windows(32).any(|w| w == [3u8; 32]));
        // A truncated or corrupted body is an error, never a panic.
        let good = rec.encode();
        for cut in 1..good.len() {
            assert!(ObjectRecord::decode(&good[..cut]).is_err());
        }
    }
}
