//! Streaming checksums for objects: MD5 (ETag), CRC-64/XZ (`x-cos-hash-crc64ecma`) and the
//! CRC-64 combine operation used to derive a whole-object CRC from part CRCs without re-reading.
//! `flex` holds the S3 "flexible checksums" (CRC32, CRC32C, CRC64NVME, SHA-1, SHA-256).

mod flex;
mod md5;

pub use flex::{ChecksumAlgorithm, ChecksumSlot, ChecksumType, FlexChecksum, FlexHasher};
pub use md5::BodyMd5;

/// A hash implementation failed (the system crypto library refused an update); the digest of
/// the body is unknown.
#[derive(Debug, thiserror::Error)]
#[error("hashing the body failed: {0}")]
pub struct HashError(pub String);

/// CRC-64/XZ (what COS calls CRC64-ECMA) of `data`.
pub fn crc64(data: &[u8]) -> u64 {
    let mut d = crc64fast::Digest::new();
    d.write(data);
    d.sum64()
}

/// The running hashes of an object body: MD5, CRC-64/XZ and length.
pub struct BodyHasher {
    md5: BodyMd5,
    crc: crc64fast::Digest,
    len: u64,
}

impl Default for BodyHasher {
    fn default() -> Self {
        BodyHasher {
            md5: BodyMd5::default(),
            crc: crc64fast::Digest::new(),
            len: 0,
        }
    }
}

/// The result of hashing a whole body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodyDigest {
    pub md5: [u8; 16],
    pub crc64: u64,
    pub len: u64,
}

impl BodyHasher {
    pub fn update(&mut self, data: &[u8]) {
        self.md5.update(data);
        self.crc.write(data);
        self.len += data.len() as u64;
    }

    pub fn len(&self) -> u64 {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn finish(self) -> Result<BodyDigest, HashError> {
        Ok(BodyDigest {
            md5: self.md5.finish()?,
            crc64: self.crc.sum64(),
            len: self.len,
        })
    }
}

/// The reflected CRC-64/XZ polynomial.
const POLY_REFLECTED: u64 = 0xC96C_5795_D787_0F42;

fn gf2_times(mat: &[u64; 64], mut vec: u64) -> u64 {
    let mut sum = 0;
    let mut i = 0;
    while vec != 0 {
        if vec & 1 == 1 {
            sum ^= mat[i];
        }
        vec >>= 1;
        i += 1;
    }
    sum
}

fn gf2_square(mat: &[u64; 64]) -> [u64; 64] {
    let mut sq = [0u64; 64];
    for (n, slot) in sq.iter_mut().enumerate() {
        *slot = gf2_times(mat, mat[n]);
    }
    sq
}

/// CRC of `A || B` from `crc(A)`, `crc(B)` and `len(B)` (zlib's crc32_combine, for CRC-64/XZ; the
/// same algorithm as the COS Go SDK's `CRC64Combine`). No crate offers this for CRC-64, so it is
/// written here from the published method.
pub fn crc64_combine(mut crc1: u64, crc2: u64, mut len2: u64) -> u64 {
    if len2 == 0 {
        return crc1;
    }
    let mut odd = [0u64; 64];
    odd[0] = POLY_REFLECTED;
    let mut row = 1u64;
    for slot in odd.iter_mut().skip(1) {
        *slot = row;
        row <<= 1;
    }
    let mut even = gf2_square(&odd);
    odd = gf2_square(&even);
    loop {
        even = gf2_square(&odd);
        if len2 & 1 == 1 {
            crc1 = gf2_times(&even, crc1);
        }
        len2 >>= 1;
        if len2 == 0 {
            break;
        }
        odd = gf2_square(&even);
        if len2 & 1 == 1 {
            crc1 = gf2_times(&odd, crc1);
        }
        len2 >>= 1;
        if len2 == 0 {
            break;
        }
    }
    crc1 ^ crc2
}

#[cfg(test)]
mod tests {
    use super::*;

    // Vectors from shared/spec/08-checksums.md §1 and §2.
    #[test]
    fn crc64_vectors() {
        assert_eq!(crc64(b""), 0);
        assert_eq!(crc64(b"a"), 3675645893302102789);
        assert_eq!(crc64(b"123456789"), 11051210869376104954);
        assert_eq!(crc64(b"hello world"), 5981764153023615706);
        assert_eq!(
            crc64(b"The quick brown fox jumps over the lazy dog"),
            6583902852472283588
        );
        let mib: Vec<u8> = (0..4096).flat_map(|_| 0u8..=255).collect();
        assert_eq!(crc64(&mib), 12198584541786614250);
    }

    #[test]
    fn crc64_combine_vectors() {
        let c = crc64_combine(
            crc64_combine(crc64(b"hello "), crc64(b"wor"), 3),
            crc64(b"ld"),
            2,
        );
        assert_eq!(c, 5981764153023615706);
        let data: Vec<u8> = (0..3 * 1048576 + 123)
            .map(|i: usize| ((i * 7 + 3) % 251) as u8)
            .collect();
        let parts = [&data[..1 << 20], &data[1 << 20..2 << 20], &data[2 << 20..]];
        let crcs: Vec<u64> = parts.iter().map(|p| crc64(p)).collect();
        assert_eq!(
            crcs,
            vec![
                5276969053385052089,
                17460822364546245900,
                13585564960491506231
            ]
        );
        let mut acc = crcs[0];
        for (p, c) in parts.iter().zip(&crcs).skip(1) {
            acc = crc64_combine(acc, *c, p.len() as u64);
        }
        assert_eq!(acc, 9211183093843585063);
        assert_eq!(acc, crc64(&data));
    }

    #[test]
    fn body_hasher_streams() {
        let mut h = BodyHasher::default();
        h.update(b"hello ");
        h.update(b"world");
        let d = h.finish().unwrap();
        assert_eq!(hex::encode(d.md5), "5eb63bbbe01eeed093cb22bb8f5acdc3");
        assert_eq!(d.crc64, 5981764153023615706);
        assert_eq!(d.len, 11);
    }
}
