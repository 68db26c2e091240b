//! The v4 SDKs' per-slice SHA-1 values (spec 06 §3, `Sha1Util.get_sha1_by_slice`): for every
//! slice but the last, `datasha` is the SHA-1 *internal state* after that slice, printed as the
//! five 32-bit words each in little-endian byte order; the last slice's is the SHA-1 of the
//! whole file. Since each state is known, a slice can be checked on its own, in any order:
//! start from the previous slice's state (or the initial one), compress the slice, compare.
//!
//! Written by hand on `sha1::compress`: no crate exposes SHA-1 states in this format.

use sha1::digest::generic_array::GenericArray;

const IV: [u32; 5] = [0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0];

/// A SHA-1 state after a whole number of 64-byte blocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct State(pub [u32; 5]);

impl State {
    pub fn initial() -> State {
        State(IV)
    }

    /// Parses the SDK's printed form.
    pub fn parse(hex_text: &str) -> Option<State> {
        let raw = hex::decode(hex_text.trim()).ok()?;
        if raw.len() != 20 {
            return None;
        }
        let mut w = [0u32; 5];
        for (i, c) in raw.chunks_exact(4).enumerate() {
            w[i] = u32::from_le_bytes([c[0], c[1], c[2], c[3]]);
        }
        Some(State(w))
    }

    /// The SDK's printed form.
    pub fn print(&self) -> String {
        let mut out = Vec::with_capacity(20);
        for w in self.0 {
            out.extend_from_slice(&w.to_le_bytes());
        }
        hex::encode(out)
    }

    /// Compresses `data`, whose length must be a multiple of 64 (None otherwise).
    pub fn advance(mut self, data: &[u8]) -> Option<State> {
        if !data.len().is_multiple_of(64) {
            return None;
        }
        let blocks: Vec<_> = data
            .chunks_exact(64)
            .map(GenericArray::clone_from_slice)
            .collect();
        sha1::compress(&mut self.0, &blocks);
        Some(self)
    }

    /// The digest of a message whose first `total - tail.len()` bytes led to this state and
    /// whose remaining bytes are `tail` (hex).
    pub fn finish(self, tail: &[u8], total: u64) -> String {
        let whole = tail.len() - tail.len() % 64;
        let Some(state) = self.advance(&tail[..whole]) else {
            unreachable!("whole is a multiple of 64");
        };
        let mut last = tail[whole..].to_vec();
        last.push(0x80);
        while last.len() % 64 != 56 {
            last.push(0);
        }
        last.extend_from_slice(&(total.wrapping_mul(8)).to_be_bytes());
        let Some(done) = state.advance(&last) else {
            unreachable!("padded to a multiple of 64");
        };
        let mut out = Vec::with_capacity(20);
        for w in done.0 {
            out.extend_from_slice(&w.to_be_bytes());
        }
        hex::encode(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha1::{Digest, Sha1};

    #[test]
    fn spec_example_slices() {
        // spec 06 §3: 1048576 x 'a' then 10 x 'b', slices of 1 MiB.
        let a = vec![b'a'; 1 << 20];
        let s1 = State::initial().advance(&a).unwrap();
        assert_eq!(s1.print(), "0a560be70dd43f123a08f3519016b87dfc0a1eb6");
        assert_eq!(
            s1.0,
            [0xe70b560a, 0x123fd40d, 0x51f3083a, 0x7db81690, 0xb61e0afc]
        );
        assert_eq!(State::parse(&s1.print()), Some(s1));
        let whole = State::parse("0a560be70dd43f123a08f3519016b87dfc0a1eb6")
            .unwrap()
            .finish(b"bbbbbbbbbb", (1 << 20) + 10);
        assert_eq!(whole, "a986b154d89d26927a8144a278bdf035cd0e2172");
    }

    #[test]
    fn finish_matches_sha1_for_all_tail_lengths() {
        let data: Vec<u8> = (0..300u32).map(|i| (i * 7 % 251) as u8).collect();
        for n in 0..data.len() {
            let prefix = n - n % 64;
            let st = State::initial().advance(&data[..prefix]).unwrap();
            assert_eq!(
                st.finish(&data[prefix..n], n as u64),
                hex::encode(Sha1::digest(&data[..n])),
                "{n}"
            );
        }
        assert!(State::initial().advance(&[0; 65]).is_none());
        assert!(State::parse("zz").is_none() && State::parse("00").is_none());
    }
}
