//! 256-bit secrets, the wrapping of data keys under a key-encryption key (AES-256-GCM), the
//! master key's file, and the SSE-C key headers' checks. Pure but for the master key file.

use base64::Engine;
use md5::{Digest, Md5};
use ring::aead::{Aad, Nonce};
use std::path::Path;

/// Bytes of an AES-256 key.
pub const KEY_LEN: usize = 32;
/// Bytes of a GCM nonce.
pub const NONCE_LEN: usize = 12;
/// Bytes of a GCM tag.
pub const TAG_LEN: usize = 16;

/// A 256-bit secret (a master, KMS, customer or data key). Its `Debug` never shows the bytes,
/// and it has no `Display` or `Serialize`: a secret cannot reach a log line by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret([u8; KEY_LEN]);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl Secret {
    /// A fresh key from the operating system's generator (through `rand`'s thread RNG, which
    /// is a CSPRNG seeded from it).
    pub fn random() -> Secret {
        Secret(rand::random())
    }

    pub fn from_slice(b: &[u8]) -> Option<Secret> {
        b.try_into().ok().map(Secret)
    }

    /// A base64 text of exactly 32 bytes.
    pub fn from_base64(s: &str) -> Option<Secret> {
        let b = base64::engine::general_purpose::STANDARD
            .decode(s.trim())
            .ok()?;
        Secret::from_slice(&b)
    }

    pub fn expose(&self) -> &[u8; KEY_LEN] {
        &self.0
    }

    /// Base64 of the MD5 of the key, as SSE-C's `...-customer-key-MD5` carries it.
    pub fn md5_base64(&self) -> String {
        base64::engine::general_purpose::STANDARD.encode(Md5::digest(self.0))
    }
}

/// A secret given as text in the configuration; `Debug` does not show it.
#[derive(Clone, Default, serde::Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct SecretText(pub String);

impl std::fmt::Debug for SecretText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_empty() {
            "\"\""
        } else {
            "<redacted>"
        })
    }
}

/// Associated data of each kind of wrapping: a key wrapped for one purpose never unwraps for
/// another.
pub mod aad {
    pub const MASTER: &[u8] = b"cosd/sse-s3/data-key/v1";
    pub const KMS: &[u8] = b"cosd/sse-kms/data-key/v1";
    pub const CUSTOMER: &[u8] = b"cosd/sse-c/data-key/v1";
    pub const KMS_MATERIAL: &[u8] = b"cosd/kms/material/v1";
}

/// `key` sealed under `kek`: nonce (12) || ciphertext (32) || tag (16), a random nonce.
pub fn wrap(kek: &Secret, key: &Secret, aad: &[u8]) -> Vec<u8> {
    let nonce: [u8; NONCE_LEN] = rand::random();
    let mut out = Vec::with_capacity(NONCE_LEN + KEY_LEN + TAG_LEN);
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&key.0);
    // Sealing 32 bytes cannot fail.
    if let Ok(tag) = super::chunk::gcm_key(kek).seal_in_place_separate_tag(
        Nonce::assume_unique_for_key(nonce),
        Aad::from(aad),
        &mut out[NONCE_LEN..],
    ) {
        out.extend_from_slice(tag.as_ref());
    }
    out
}

/// The key [`wrap`] sealed, or None when `kek` or `aad` is not the one it was sealed with (or
/// the bytes were changed).
pub fn unwrap(kek: &Secret, wrapped: &[u8], aad: &[u8]) -> Option<Secret> {
    if wrapped.len() != NONCE_LEN + KEY_LEN + TAG_LEN {
        return None;
    }
    let nonce: [u8; NONCE_LEN] = wrapped[..NONCE_LEN].try_into().ok()?;
    let mut buf = wrapped.to_vec();
    let pt = super::chunk::gcm_key(kek)
        .open_within(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(aad),
            &mut buf,
            NONCE_LEN..,
        )
        .ok()?;
    Secret::from_slice(pt)
}

/// The master key: `configured` (base64 of 32 bytes) when given, else `<dir>/master.key`,
/// generated on first start (mode 0600). Returns the key and whether it was generated now.
pub fn load_or_create_master(dir: &Path, configured: &str) -> Result<(Secret, bool), String> {
    if !configured.trim().is_empty() {
        let key = Secret::from_base64(configured)
            .ok_or("sse_master_key must be the base64 of exactly 32 bytes")?;
        return Ok((key, false));
    }
    let path = dir.join("master.key");
    match std::fs::read_to_string(&path) {
        Ok(text) => Secret::from_base64(&text)
            .map(|k| (k, false))
            .ok_or_else(|| format!("{} is not the base64 of 32 bytes", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let key = Secret::random();
            let text = base64::engine::general_purpose::STANDARD.encode(key.0);
            write_private(&path, text.as_bytes())
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            Ok((key, true))
        }
        Err(e) => Err(format!("cannot read {}: {e}", path.display())),
    }
}

/// Writes `data` to `path` durably and readable by the owner only: a temporary file, synced,
/// renamed over `path`, and the directory synced.
pub fn write_private(path: &Path, data: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let tmp = path.with_extension("tmp");
    {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&tmp)?;
        f.write_all(data)?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, path)?;
    std::fs::File::open(dir)?.sync_all()
}

/// Why SSE-C key headers were refused (all 400 InvalidArgument in S3).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CustomerKeyError {
    #[error("Requests specifying Server Side Encryption with Customer provided keys must provide a valid encryption algorithm.")]
    Algorithm,
    #[error("Requests specifying Server Side Encryption with Customer provided keys must provide an appropriate secret key.")]
    MissingKey,
    #[error("Requests specifying Server Side Encryption with Customer provided keys must provide the client calculated MD5 of the secret key.")]
    MissingMd5,
    #[error("The secret key was invalid for the specified algorithm.")]
    InvalidKey,
    #[error("The calculated MD5 hash of the key did not match the hash that was provided.")]
    Md5Mismatch,
}

/// A customer's key as its three headers gave it (algorithm, key, key MD5), checked: None when
/// none of them is present.
pub fn customer_key(
    algorithm: Option<&str>,
    key: Option<&str>,
    md5: Option<&str>,
) -> Result<Option<Secret>, CustomerKeyError> {
    if algorithm.is_none() && key.is_none() && md5.is_none() {
        return Ok(None);
    }
    match algorithm {
        Some(a) if a.trim() == "AES256" => {}
        _ => return Err(CustomerKeyError::Algorithm),
    }
    let key = key.ok_or(CustomerKeyError::MissingKey)?;
    let md5 = md5.ok_or(CustomerKeyError::MissingMd5)?;
    let key = Secret::from_base64(key).ok_or(CustomerKeyError::InvalidKey)?;
    if key.md5_base64() != md5.trim() {
        return Err(CustomerKeyError::Md5Mismatch);
    }
    Ok(Some(key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_round_trips_and_refuses_wrong_kek_aad_or_tampering() {
        let (kek, dk) = (Secret::random(), Secret::random());
        let w = wrap(&kek, &dk, aad::MASTER);
        assert_eq!(w.len(), NONCE_LEN + KEY_LEN + TAG_LEN);
        assert_eq!(unwrap(&kek, &w, aad::MASTER), Some(dk.clone()));
        assert_eq!(unwrap(&Secret::random(), &w, aad::MASTER), None);
        assert_eq!(unwrap(&kek, &w, aad::KMS), None);
        for i in 0..w.len() {
            let mut t = w.clone();
            t[i] ^= 1;
            assert_eq!(unwrap(&kek, &t, aad::MASTER), None, "byte {i}");
        }
        assert_eq!(unwrap(&kek, &w[1..], aad::MASTER), None);
        // Two wraps of one key differ (random nonces).
        assert_ne!(wrap(&kek, &dk, aad::MASTER), w);
    }

    #[test]
    fn debug_never_shows_the_bytes() {
        let k = Secret::from_slice(&[0x41; 32]).unwrap();
        let s = format!("{k:?}");
        assert!(
            !s.contains("65") && !s.contains("41") && s.contains("redacted"),
            "{s}"
        );
    }

    #[test]
    fn customer_key_headers_table() {
        let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
        let key = b64(&[7u8; 32]);
        let md5 = Secret::from_slice(&[7u8; 32]).unwrap().md5_base64();
        let other_md5 = Secret::from_slice(&[8u8; 32]).unwrap().md5_base64();
        let short = b64(&[7u8; 16]);
        use CustomerKeyError as E;
        type Case<'a> = (
            Option<&'a str>,
            Option<&'a str>,
            Option<&'a str>,
            Result<bool, E>,
        );
        let cases: Vec<Case> = vec![
            (None, None, None, Ok(false)),
            (Some("AES256"), Some(&key), Some(&md5), Ok(true)),
            (Some("aws:kms"), Some(&key), Some(&md5), Err(E::Algorithm)),
            (None, Some(&key), Some(&md5), Err(E::Algorithm)),
            (Some("AES256"), None, Some(&md5), Err(E::MissingKey)),
            (Some("AES256"), Some(&key), None, Err(E::MissingMd5)),
            (Some("AES256"), Some(&short), Some(&md5), Err(E::InvalidKey)),
            (Some("AES256"), Some("%%%"), Some(&md5), Err(E::InvalidKey)),
            (
                Some("AES256"),
                Some(&key),
                Some(&other_md5),
                Err(E::Md5Mismatch),
            ),
        ];
        for (a, k, m, want) in cases {
            let got = customer_key(a, k, m).map(|o| o.is_some());
            assert_eq!(got, want, "{a:?} {k:?} {m:?}");
        }
    }

    #[test]
    fn master_key_is_generated_once_then_reused_or_configured() {
        let dir = tempfile::tempdir().unwrap();
        let (k1, gen1) = load_or_create_master(dir.path(), "").unwrap();
        let (k2, gen2) = load_or_create_master(dir.path(), "").unwrap();
        assert!(gen1 && !gen2);
        assert_eq!(k1, k2);
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join("master.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0);
        let cfg = base64::engine::general_purpose::STANDARD.encode([9u8; 32]);
        let (k3, gen3) = load_or_create_master(dir.path(), &cfg).unwrap();
        assert!(!gen3);
        assert_eq!(k3.expose(), &[9u8; 32]);
        assert!(load_or_create_master(dir.path(), "c2hvcnQ=").is_err());
    }
}
