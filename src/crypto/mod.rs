//! Server-side encryption at rest (docs/encryption.md).
//!
//! - `keys`: 256-bit secrets (never shown by `Debug`), data-key wrapping, the master key file,
//!   the SSE-C key headers' checks.
//! - `chunk`: sealing chunks and inline bytes with an object's data key (AES-256-GCM, a nonce
//!   and tag per chunk).
//! - `registry`: the local KMS (named keys, enabled or disabled).
//!
//! Every encrypted object has its own random data key; the record keeps it only wrapped
//! ([`SseRecord`]): under the master key (SSE-S3 / SSE-COS), a KMS key (SSE-KMS), or the
//! customer's key (SSE-C, which the server never stores).

pub mod chunk;
pub mod keys;
pub mod registry;

pub use chunk::{ObjectCipher, Tampered, OVERHEAD};
pub use keys::{customer_key, CustomerKeyError, Secret};
pub use registry::{KmsError, KmsKeyDecl, KmsKeyInfo, Registry};

use base64::Engine;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// How an object is encrypted.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub enum SseKind {
    /// SSE-S3 / SSE-COS: the data key wrapped under the server's master key.
    #[serde(rename = "AES256")]
    Managed,
    /// SSE-KMS: wrapped under a key of the registry.
    #[serde(rename = "KMS")]
    Kms,
    /// SSE-C: wrapped under the customer's key, which every read must bring.
    #[serde(rename = "C")]
    Customer,
}

/// An encrypted object's (or upload's) encryption, on its record.
#[derive(Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct SseRecord {
    pub kind: SseKind,
    /// SSE-KMS: the registry key that wraps the data key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key_id: Option<String>,
    /// SSE-C: base64 MD5 of the customer's key (what the responses echo).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_md5: Option<String>,
    /// The data key wrapped (`keys::wrap`), base64.
    pub wrapped_key: String,
}

impl std::fmt::Debug for SseRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SseRecord")
            .field("kind", &self.kind)
            .field("kms_key_id", &self.kms_key_id)
            .field("key_md5", &self.key_md5)
            .finish_non_exhaustive()
    }
}

/// How a write asks its object to be encrypted (resolved from headers and the bucket default).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SseRequest {
    Managed,
    /// The key id as given (None: the account's default key).
    Kms(Option<String>),
    Customer(Secret),
}

/// A bucket's default encryption (`?encryption`): the first rule's
/// `ApplyServerSideEncryptionByDefault`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct BucketEncryption {
    /// `AES256`, `aws:kms` or `cos/kms` as written.
    pub algorithm: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key_id: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub bucket_key_enabled: bool,
}

/// Why an encryption request or a read of an encrypted object was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SseError {
    #[error("{0}")]
    Kms(#[from] KmsError),
    #[error("{0}")]
    CustomerKey(#[from] CustomerKeyError),
    /// An SSE-C object read without its key (400 InvalidRequest in S3).
    #[error("The object was stored using a form of Server Side Encryption. The correct parameters must be provided to retrieve the object.")]
    KeyRequired,
    /// SSE-C parameters on an object that is not SSE-C (400 InvalidRequest).
    #[error("The encryption parameters are not applicable to this object.")]
    NotApplicable,
    /// The customer key given is not the object's (403 AccessDenied in S3).
    #[error("Access Denied: the provided customer key does not match the object's.")]
    WrongKey,
    /// A wrapped key the server's own keys cannot open: its storage or configuration is at fault.
    #[error("the stored data key cannot be unwrapped: {0}")]
    Corrupt(String),
}

/// The server's keys: the master key and the KMS registry.
pub struct Keyring {
    master: Secret,
    pub kms: Registry,
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Keyring(<redacted>)")
    }
}

fn b64(b: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(b)
}

impl Keyring {
    /// The master key (`configured`, or `<data_dir>/keys/master.key`, generated on first
    /// start) and the registry (`<data_dir>/keys/kms.json` and `declared`). Also returns
    /// whether the master key was generated now.
    pub fn open(
        data_dir: &Path,
        configured: &str,
        declared: &[KmsKeyDecl],
        default_owner: &str,
    ) -> Result<(Keyring, bool), String> {
        let dir = data_dir.join("keys");
        let (master, generated) = keys::load_or_create_master(&dir, configured)?;
        let kms = Registry::open(dir, master.clone(), declared, default_owner)?;
        Ok((Keyring { master, kms }, generated))
    }

    /// A keyring with a random master key and an empty registry in `dir` (tests, tools).
    pub fn ephemeral(dir: &Path) -> Keyring {
        let master = Secret::random();
        let kms = Registry::open(dir.to_path_buf(), master.clone(), &[], "")
            .unwrap_or_else(|e| panic!("registry in {}: {e}", dir.display()));
        Keyring { master, kms }
    }

    /// A new data key for an object of `owner` encrypted as `req` asks (the KMS key id
    /// already resolved), and its record.
    pub fn new_object(
        &self,
        owner: &str,
        req: &SseRequest,
    ) -> Result<(SseRecord, ObjectCipher), SseError> {
        let dk = Secret::random();
        let rec = self.wrap_for(owner, req, &dk)?;
        Ok((rec, ObjectCipher::new(&dk)))
    }

    /// The record of data key `dk` wrapped as `req` asks.
    pub fn wrap_for(
        &self,
        owner: &str,
        req: &SseRequest,
        dk: &Secret,
    ) -> Result<SseRecord, SseError> {
        Ok(match req {
            SseRequest::Managed => SseRecord {
                kind: SseKind::Managed,
                kms_key_id: None,
                key_md5: None,
                wrapped_key: b64(&keys::wrap(&self.master, dk, keys::aad::MASTER)),
            },
            SseRequest::Kms(id) => {
                let id = id.as_deref().unwrap_or_default();
                let (id, kek) = self.kms.material(owner, id)?;
                SseRecord {
                    kind: SseKind::Kms,
                    kms_key_id: Some(id),
                    key_md5: None,
                    wrapped_key: b64(&keys::wrap(&kek, dk, keys::aad::KMS)),
                }
            }
            SseRequest::Customer(key) => SseRecord {
                kind: SseKind::Customer,
                kms_key_id: None,
                key_md5: Some(key.md5_base64()),
                wrapped_key: b64(&keys::wrap(key, dk, keys::aad::CUSTOMER)),
            },
        })
    }

    /// The data key of an object of `owner` encrypted as `rec` says, with the customer key
    /// the request brought (`customer`): required for SSE-C, refused otherwise.
    pub fn data_key(
        &self,
        owner: &str,
        rec: &SseRecord,
        customer: Option<&Secret>,
    ) -> Result<Secret, SseError> {
        let wrapped = base64::engine::general_purpose::STANDARD
            .decode(&rec.wrapped_key)
            .map_err(|e| SseError::Corrupt(e.to_string()))?;
        match (rec.kind, customer) {
            (SseKind::Customer, None) => Err(SseError::KeyRequired),
            (SseKind::Customer, Some(k)) => {
                if rec.key_md5.as_deref().is_some_and(|m| m != k.md5_base64()) {
                    return Err(SseError::WrongKey);
                }
                keys::unwrap(k, &wrapped, keys::aad::CUSTOMER).ok_or(SseError::WrongKey)
            }
            (_, Some(_)) => Err(SseError::NotApplicable),
            (SseKind::Managed, None) => keys::unwrap(&self.master, &wrapped, keys::aad::MASTER)
                .ok_or_else(|| SseError::Corrupt("not under the master key".into())),
            (SseKind::Kms, None) => {
                let id = rec.kms_key_id.as_deref().unwrap_or_default();
                let (_, kek) = self.kms.material(owner, id)?;
                keys::unwrap(&kek, &wrapped, keys::aad::KMS)
                    .ok_or_else(|| SseError::Corrupt(format!("not under KMS key {id}")))
            }
        }
    }

    /// The cipher of an object (see [`Self::data_key`]); None for an unencrypted one, which
    /// refuses customer key headers.
    pub fn cipher(
        &self,
        owner: &str,
        rec: Option<&SseRecord>,
        customer: Option<&Secret>,
    ) -> Result<Option<ObjectCipher>, SseError> {
        match rec {
            None if customer.is_some() => Err(SseError::NotApplicable),
            None => Ok(None),
            Some(r) => Ok(Some(ObjectCipher::new(&self.data_key(owner, r, customer)?))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_mode_round_trips_its_data_key_and_refuses_the_wrong_one() {
        let dir = tempfile::tempdir().unwrap();
        let ring = Keyring::ephemeral(dir.path());
        let kms = ring.kms.create("1", Some("k1"), "", 0).unwrap();
        let cust = Secret::random();
        for req in [
            SseRequest::Managed,
            SseRequest::Kms(Some(kms.id.clone())),
            SseRequest::Customer(cust.clone()),
        ] {
            let (rec, cipher) = ring.new_object("1", &req).unwrap();
            let sealed = cipher.seal(b"hello");
            let key = match &req {
                SseRequest::Customer(k) => Some(k),
                _ => None,
            };
            let opened = ring.cipher("1", Some(&rec), key).unwrap().unwrap();
            assert_eq!(opened.open(&sealed).unwrap(), b"hello");
            match &req {
                SseRequest::Customer(_) => {
                    assert_eq!(ring.data_key("1", &rec, None), Err(SseError::KeyRequired));
                    assert_eq!(
                        ring.data_key("1", &rec, Some(&Secret::random())),
                        Err(SseError::WrongKey)
                    );
                    // Even with the right MD5 on record, the key itself must unwrap.
                    let mut forged = rec.clone();
                    forged.key_md5 = None;
                    assert_eq!(
                        ring.data_key("1", &forged, Some(&Secret::random())),
                        Err(SseError::WrongKey)
                    );
                }
                _ => assert_eq!(
                    ring.data_key("1", &rec, Some(&cust)),
                    Err(SseError::NotApplicable)
                ),
            }
            assert!(!format!("{rec:?}").contains(&rec.wrapped_key));
        }
        assert_eq!(
            ring.cipher("1", None, Some(&cust)).unwrap_err(),
            SseError::NotApplicable
        );
        assert!(ring.cipher("1", None, None).unwrap().is_none());
    }

    #[test]
    fn kms_keys_must_exist_be_the_owners_and_be_enabled() {
        let dir = tempfile::tempdir().unwrap();
        let ring = Keyring::ephemeral(dir.path());
        ring.kms.create("1", Some("k1"), "", 0).unwrap();
        let nf = |id: &str| SseError::Kms(KmsError::NotFound(id.into()));
        assert_eq!(
            ring.new_object("1", &SseRequest::Kms(Some("nope".into())))
                .unwrap_err(),
            nf("nope")
        );
        assert_eq!(
            ring.new_object("2", &SseRequest::Kms(Some("k1".into())))
                .unwrap_err(),
            nf("k1")
        );
        let (rec, _) = ring
            .new_object("1", &SseRequest::Kms(Some("k1".into())))
            .unwrap();
        ring.kms.set_enabled("1", "k1", false).unwrap();
        let disabled = SseError::Kms(KmsError::Disabled("k1".into()));
        assert_eq!(
            ring.new_object("1", &SseRequest::Kms(Some("k1".into())))
                .unwrap_err(),
            disabled
        );
        assert_eq!(ring.data_key("1", &rec, None).unwrap_err(), disabled);
        ring.kms.set_enabled("1", "k1", true).unwrap();
        assert!(ring.data_key("1", &rec, None).is_ok());
    }
}
