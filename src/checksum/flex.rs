//! S3 flexible checksums: the algorithms `x-amz-checksum-<algo>` names, a streaming hasher for
//! each, and the multipart composite / full-object forms.

use base64::Engine;
use crc_fast::CrcAlgorithm;
use serde::{Deserialize, Serialize};
use sha1::Sha1;
use sha2::{Digest, Sha256};
use std::sync::{Arc, OnceLock};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ChecksumAlgorithm {
    #[serde(rename = "CRC32")]
    Crc32,
    #[serde(rename = "CRC32C")]
    Crc32c,
    #[serde(rename = "CRC64NVME")]
    Crc64Nvme,
    #[serde(rename = "SHA1")]
    Sha1,
    #[serde(rename = "SHA256")]
    Sha256,
}

impl ChecksumAlgorithm {
    pub const ALL: [ChecksumAlgorithm; 5] = [
        ChecksumAlgorithm::Crc32,
        ChecksumAlgorithm::Crc32c,
        ChecksumAlgorithm::Crc64Nvme,
        ChecksumAlgorithm::Sha1,
        ChecksumAlgorithm::Sha256,
    ];

    /// From `x-amz-sdk-checksum-algorithm` / `x-amz-checksum-algorithm` (case-insensitive).
    pub fn from_name(s: &str) -> Option<ChecksumAlgorithm> {
        Self::ALL
            .into_iter()
            .find(|a| a.name().eq_ignore_ascii_case(s.trim()))
    }

    pub fn name(self) -> &'static str {
        match self {
            ChecksumAlgorithm::Crc32 => "CRC32",
            ChecksumAlgorithm::Crc32c => "CRC32C",
            ChecksumAlgorithm::Crc64Nvme => "CRC64NVME",
            ChecksumAlgorithm::Sha1 => "SHA1",
            ChecksumAlgorithm::Sha256 => "SHA256",
        }
    }

    /// `x-amz-checksum-crc32` etc.
    pub fn header(self) -> &'static str {
        match self {
            ChecksumAlgorithm::Crc32 => "x-amz-checksum-crc32",
            ChecksumAlgorithm::Crc32c => "x-amz-checksum-crc32c",
            ChecksumAlgorithm::Crc64Nvme => "x-amz-checksum-crc64nvme",
            ChecksumAlgorithm::Sha1 => "x-amz-checksum-sha1",
            ChecksumAlgorithm::Sha256 => "x-amz-checksum-sha256",
        }
    }

    /// The XML element of list and complete bodies: `ChecksumCRC32` etc.
    pub fn xml_tag(self) -> &'static str {
        match self {
            ChecksumAlgorithm::Crc32 => "ChecksumCRC32",
            ChecksumAlgorithm::Crc32c => "ChecksumCRC32C",
            ChecksumAlgorithm::Crc64Nvme => "ChecksumCRC64NVME",
            ChecksumAlgorithm::Sha1 => "ChecksumSHA1",
            ChecksumAlgorithm::Sha256 => "ChecksumSHA256",
        }
    }

    fn crc(self) -> Option<CrcAlgorithm> {
        match self {
            ChecksumAlgorithm::Crc32 => Some(CrcAlgorithm::Crc32IsoHdlc),
            ChecksumAlgorithm::Crc32c => Some(CrcAlgorithm::Crc32Iscsi),
            ChecksumAlgorithm::Crc64Nvme => Some(CrcAlgorithm::Crc64Nvme),
            _ => None,
        }
    }

    /// Raw digest length in bytes.
    pub fn digest_len(self) -> usize {
        match self {
            ChecksumAlgorithm::Crc32 | ChecksumAlgorithm::Crc32c => 4,
            ChecksumAlgorithm::Crc64Nvme => 8,
            ChecksumAlgorithm::Sha1 => 20,
            ChecksumAlgorithm::Sha256 => 32,
        }
    }

    /// Checksum of `data` in one go.
    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        let mut h = FlexHasher::new(self);
        h.update(data);
        h.finish()
    }
}

/// How a multipart object's checksum was formed (`x-amz-checksum-type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum ChecksumType {
    #[default]
    #[serde(rename = "FULL_OBJECT")]
    FullObject,
    #[serde(rename = "COMPOSITE")]
    Composite,
}

impl ChecksumType {
    pub fn from_name(s: &str) -> Option<ChecksumType> {
        match s.trim().to_ascii_uppercase().as_str() {
            "FULL_OBJECT" => Some(ChecksumType::FullObject),
            "COMPOSITE" => Some(ChecksumType::Composite),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            ChecksumType::FullObject => "FULL_OBJECT",
            ChecksumType::Composite => "COMPOSITE",
        }
    }
}

/// A stored checksum: algorithm, raw digest (base64 on the wire) and, for a composite
/// multipart checksum, the number of parts (rendered as `<base64>-<n>`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlexChecksum {
    pub algorithm: ChecksumAlgorithm,
    /// Base64 of the raw digest.
    pub value: String,
    #[serde(default)]
    pub kind: ChecksumType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parts: Option<u32>,
}

impl FlexChecksum {
    pub fn new(algorithm: ChecksumAlgorithm, raw: &[u8]) -> FlexChecksum {
        FlexChecksum {
            algorithm,
            value: base64::engine::general_purpose::STANDARD.encode(raw),
            kind: ChecksumType::FullObject,
            parts: None,
        }
    }

    /// The header / XML value: base64, with `-<n>` for composite multipart checksums.
    pub fn wire(&self) -> String {
        match (self.kind, self.parts) {
            (ChecksumType::Composite, Some(n)) => format!("{}-{n}", self.value),
            _ => self.value.clone(),
        }
    }

    pub fn raw(&self) -> Option<Vec<u8>> {
        base64::engine::general_purpose::STANDARD
            .decode(&self.value)
            .ok()
    }

    /// The multipart checksum of parts with these checksums and sizes: for `Composite`, the
    /// checksum of the concatenated raw part checksums, `-<n>`; for `FullObject` (CRC
    /// algorithms only), the parts' CRCs combined into the CRC of the whole object.
    pub fn multipart(
        algorithm: ChecksumAlgorithm,
        kind: ChecksumType,
        parts: &[(Vec<u8>, u64)],
    ) -> Option<FlexChecksum> {
        match kind {
            ChecksumType::Composite => {
                let mut h = FlexHasher::new(algorithm);
                for (raw, _) in parts {
                    h.update(raw);
                }
                let mut c = FlexChecksum::new(algorithm, &h.finish());
                c.kind = ChecksumType::Composite;
                c.parts = Some(parts.len() as u32);
                Some(c)
            }
            ChecksumType::FullObject => {
                let crc = algorithm.crc()?;
                let mut acc = crc_fast::checksum(crc, b"");
                for (raw, len) in parts {
                    let mut be = [0u8; 8];
                    let n = raw.len().min(8);
                    be[8 - n..].copy_from_slice(&raw[..n]);
                    acc = crc_fast::checksum_combine(crc, acc, u64::from_be_bytes(be), *len);
                }
                let bytes = acc.to_be_bytes();
                Some(FlexChecksum::new(
                    algorithm,
                    &bytes[8 - algorithm.digest_len()..],
                ))
            }
        }
    }
}

/// Filled by a request-body verifier once the checksum has been computed and checked, and
/// read by the service when it builds the record.
pub type ChecksumSlot = Arc<OnceLock<FlexChecksum>>;

/// A running checksum of one algorithm.
pub enum FlexHasher {
    Crc(CrcAlgorithm, crc_fast::Digest),
    Sha1(Sha1),
    Sha256(Sha256),
}

impl FlexHasher {
    pub fn new(algorithm: ChecksumAlgorithm) -> FlexHasher {
        match algorithm.crc() {
            Some(c) => FlexHasher::Crc(c, crc_fast::Digest::new(c)),
            None if algorithm == ChecksumAlgorithm::Sha1 => FlexHasher::Sha1(Sha1::new()),
            None => FlexHasher::Sha256(Sha256::new()),
        }
    }

    pub fn update(&mut self, data: &[u8]) {
        match self {
            FlexHasher::Crc(_, d) => d.update(data),
            FlexHasher::Sha1(h) => h.update(data),
            FlexHasher::Sha256(h) => h.update(data),
        }
    }

    /// The raw digest (CRCs big-endian, 4 or 8 bytes).
    pub fn finish(self) -> Vec<u8> {
        match self {
            FlexHasher::Crc(CrcAlgorithm::Crc64Nvme, d) => d.finalize().to_be_bytes().to_vec(),
            FlexHasher::Crc(_, d) => (d.finalize() as u32).to_be_bytes().to_vec(),
            FlexHasher::Sha1(h) => h.finalize().to_vec(),
            FlexHasher::Sha256(h) => h.finalize().to_vec(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values() {
        // spec 05 §2: zlib.crc32(b"hello world") as botocore sends it.
        let c = FlexChecksum::new(
            ChecksumAlgorithm::Crc32,
            &ChecksumAlgorithm::Crc32.digest(b"hello world"),
        );
        assert_eq!(c.value, "DUoRhQ==");
        // CRC32C and CRC64NVME check values (the CRC catalogue's "123456789").
        assert_eq!(
            ChecksumAlgorithm::Crc32c.digest(b"123456789"),
            0xe306_9283u32.to_be_bytes()
        );
        assert_eq!(
            ChecksumAlgorithm::Crc64Nvme.digest(b"123456789"),
            0xae8b_1486_0a79_9888u64.to_be_bytes()
        );
        assert_eq!(
            hex::encode(ChecksumAlgorithm::Sha1.digest(b"abc")),
            "a9993e364706816aba3e25717850c26c9cd0d89d"
        );
        assert_eq!(
            ChecksumAlgorithm::from_name("crc64nvme"),
            Some(ChecksumAlgorithm::Crc64Nvme)
        );
        assert_eq!(ChecksumAlgorithm::from_name("md5"), None);
    }

    #[test]
    fn full_object_multipart_checksum_combines_part_crcs() {
        let data: Vec<u8> = (0..10_000u32).map(|i| (i * 7 + 3) as u8).collect();
        for algo in [
            ChecksumAlgorithm::Crc32,
            ChecksumAlgorithm::Crc32c,
            ChecksumAlgorithm::Crc64Nvme,
        ] {
            let parts: Vec<(Vec<u8>, u64)> = data
                .chunks(3000)
                .map(|p| (algo.digest(p), p.len() as u64))
                .collect();
            let whole = FlexChecksum::multipart(algo, ChecksumType::FullObject, &parts).unwrap();
            assert_eq!(
                whole,
                FlexChecksum::new(algo, &algo.digest(&data)),
                "{algo:?}"
            );
        }
        assert!(
            FlexChecksum::multipart(ChecksumAlgorithm::Sha256, ChecksumType::FullObject, &[])
                .is_none()
        );
    }

    #[test]
    fn composite_checksum_is_checksum_of_checksums() {
        let parts = vec![
            (ChecksumAlgorithm::Crc32.digest(b"a"), 1),
            (ChecksumAlgorithm::Crc32.digest(b"b"), 1),
        ];
        let c = FlexChecksum::multipart(ChecksumAlgorithm::Crc32, ChecksumType::Composite, &parts)
            .unwrap();
        let mut cat = parts[0].0.clone();
        cat.extend_from_slice(&parts[1].0);
        assert_eq!(
            c.wire(),
            format!(
                "{}-2",
                FlexChecksum::new(
                    ChecksumAlgorithm::Crc32,
                    &ChecksumAlgorithm::Crc32.digest(&cat)
                )
                .value
            )
        );
    }
}
