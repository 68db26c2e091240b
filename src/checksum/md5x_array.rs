//! MD5's compression written over arrays of `N` lanes, `[u32; N]` per state word: with
//! `N` = 1 it is this crate's one-stream MD5, with `N` = 16 the multi-buffer kernel for CPUs
//! with AVX-512 or AVX2.
//!
//! The code is plain Rust; LLVM turns every lane loop into one instruction (two with AVX2)
//! when it is compiled with those instructions enabled, which `pulp` does for the functions it
//! dispatches to after checking the CPU at run time (safely, so no `unsafe` here). AVX-512 has
//! a one-instruction rotate (`vprold`) and a one-instruction three-input boolean
//! (`vpternlogd`, which is each of MD5's F, G, H and I), so one step is four dependent
//! instructions: `t = (a + m + k) + fun(b, c, d)`, `t <<<= s`, `a = b + t`.
//!
//! A stream is bound by the latency of that chain, not by the execution units, so what matters
//! is that nothing else sits on it:
//! - LLVM moves constant additions to the end of a sum, which would put `+ k` between `fun`
//!   and the rotate; the constants are therefore read through `black_box`, so LLVM sees loaded
//!   values, and `m + k` is added up front where it overlaps the previous steps;
//! - each of F, G, H and I takes `b`, the word just computed, last (`f` .. `i` below), and G
//!   is added in two halves, the one without `b` first. Without vectors that makes a G or H
//!   step four dependent instructions instead of five.
//!
//! Measured on the 2-core Zen 5 machine (4.2 GHz; vector instructions take two cycles there):
//! - sixteen lanes: ~560 cycles per block for the compression alone (the latency bound is 8
//!   cycles per step, 512 per block); each lane advances at ~0.43 GB/s, ~6.4 GB/s together,
//!   against ~0.22-0.27 and ~3.6-3.8 GB/s for the `wide` kernel in the same run; with AVX2
//!   ~4.1 GB/s together;
//! - one lane, without any vector instructions: ~0.93 GB/s, against ~0.89 for OpenSSL's
//!   assembly and ~0.72 for the `md5-asm` crate (0.85 before the reordering of F to I).

use super::md5x::K;

/// Which message word each of the 64 steps reads (RFC 1321 §3.4).
const WORD: [usize; 64] = [
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, // round 1: in order
    1, 6, 11, 0, 5, 10, 15, 4, 9, 14, 3, 8, 13, 2, 7, 12, // round 2: (5i + 1) mod 16
    5, 8, 11, 14, 1, 4, 7, 10, 13, 0, 3, 6, 9, 12, 15, 2, // round 3: (3i + 5) mod 16
    0, 7, 14, 5, 12, 3, 10, 1, 8, 15, 6, 13, 4, 11, 2, 9, // round 4: 7i mod 16
];

/// `acc + F(x, y, z)` and the like, each written so that `x`, the word the step before just
/// computed, comes in last and through as few operations as possible: a one-stream MD5 is
/// bound by that chain (5 cycles a step for F and I here, 4 for G and H).
#[inline(always)]
fn f(acc: u32, x: u32, y: u32, z: u32) -> u32 {
    acc.wrapping_add(z ^ (x & (y ^ z)))
}
/// G = (x & z) | (y & !z): the halves share no bit, so they are added one at a time, the one
/// without `x` first.
#[inline(always)]
fn g(acc: u32, x: u32, y: u32, z: u32) -> u32 {
    acc.wrapping_add(y & !z).wrapping_add(x & z)
}
#[inline(always)]
fn h(acc: u32, x: u32, y: u32, z: u32) -> u32 {
    acc.wrapping_add(x ^ (y ^ z))
}
#[inline(always)]
fn i(acc: u32, x: u32, y: u32, z: u32) -> u32 {
    acc.wrapping_add(y ^ (x | !z))
}

/// One step on every lane: `a = b + ((a + mk + fun(b, c, d)) <<< s)`, `mk` = message word + K.
macro_rules! step {
    ($fun:ident, $a:ident, $b:ident, $c:ident, $d:ident, $mk:expr, $s:expr) => {
        for l in 0..$a.len() {
            let t = $fun($a[l].wrapping_add($mk[l]), $b[l], $c[l], $d[l]);
            $a[l] = $b[l].wrapping_add(t.rotate_left($s));
        }
    };
}

/// Four steps of one round, from step `$k` on, with shifts `s0..s3`.
macro_rules! four {
    ($fun:ident, $a:ident, $b:ident, $c:ident, $d:ident, $mk:ident, $k:expr, [$s0:expr, $s1:expr, $s2:expr, $s3:expr]) => {
        step!($fun, $a, $b, $c, $d, $mk[$k], $s0);
        step!($fun, $d, $a, $b, $c, $mk[$k + 1], $s1);
        step!($fun, $c, $d, $a, $b, $mk[$k + 2], $s2);
        step!($fun, $b, $c, $d, $a, $mk[$k + 3], $s3);
    };
}

/// `m[w] + k` for every step. Written out so every index is a constant: a loop over `WORD`
/// makes LLVM gather and scatter.
macro_rules! plus_k {
    ($mk:ident, $m:ident, $k:ident, $($s:literal)*) => {
        $( $mk[$s] = add(&$m[WORD[$s]], $k[$s]); )*
    };
}

#[inline(always)]
fn add<const N: usize>(v: &[u32; N], k: u32) -> [u32; N] {
    std::array::from_fn(|l| v[l].wrapping_add(k))
}

/// MD5's compression of one 64-byte block per lane: `m[j]` holds word `j` of every lane.
#[inline(always)]
fn compress<const N: usize>(state: &mut [[u32; N]; 4], m: &[[u32; N]; 16]) {
    // Loaded, not constant: see the module comment.
    let k: &[u32; 64] = std::hint::black_box(&K);
    let mut mk = [[0u32; N]; 64];
    plus_k!(mk, m, k,
        0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31
        32 33 34 35 36 37 38 39 40 41 42 43 44 45 46 47 48 49 50 51 52 53 54 55 56 57 58 59 60
        61 62 63);
    let [mut a, mut b, mut c, mut d] = *state;
    four!(f, a, b, c, d, mk, 0, [7, 12, 17, 22]);
    four!(f, a, b, c, d, mk, 4, [7, 12, 17, 22]);
    four!(f, a, b, c, d, mk, 8, [7, 12, 17, 22]);
    four!(f, a, b, c, d, mk, 12, [7, 12, 17, 22]);
    four!(g, a, b, c, d, mk, 16, [5, 9, 14, 20]);
    four!(g, a, b, c, d, mk, 20, [5, 9, 14, 20]);
    four!(g, a, b, c, d, mk, 24, [5, 9, 14, 20]);
    four!(g, a, b, c, d, mk, 28, [5, 9, 14, 20]);
    four!(h, a, b, c, d, mk, 32, [4, 11, 16, 23]);
    four!(h, a, b, c, d, mk, 36, [4, 11, 16, 23]);
    four!(h, a, b, c, d, mk, 40, [4, 11, 16, 23]);
    four!(h, a, b, c, d, mk, 44, [4, 11, 16, 23]);
    four!(i, a, b, c, d, mk, 48, [6, 10, 15, 21]);
    four!(i, a, b, c, d, mk, 52, [6, 10, 15, 21]);
    four!(i, a, b, c, d, mk, 56, [6, 10, 15, 21]);
    four!(i, a, b, c, d, mk, 60, [6, 10, 15, 21]);
    for (s, n) in state.iter_mut().zip([a, b, c, d]) {
        for l in 0..N {
            s[l] = s[l].wrapping_add(n[l]);
        }
    }
}

/// Compresses whole 64-byte blocks of one stream, without vector instructions.
pub(super) fn compress_one(abcd: &mut [u32; 4], blocks: &[u8]) {
    let mut st = abcd.map(|w| [w]);
    for block in blocks.chunks_exact(64) {
        let m: [[u32; 1]; 16] = std::array::from_fn(|j| {
            [u32::from_le_bytes([
                block[4 * j],
                block[4 * j + 1],
                block[4 * j + 2],
                block[4 * j + 3],
            ])]
        });
        compress(&mut st, &m);
    }
    *abcd = st.map(|[w]| w);
}

#[cfg(all(test, target_arch = "x86_64"))]
pub(super) use avx512::Isa;
#[cfg(target_arch = "x86_64")]
pub(super) use avx512::{available, compress_lanes};

/// Sixteen lanes in AVX-512 (or AVX2) registers.
#[cfg(target_arch = "x86_64")]
mod avx512 {
    use super::compress;
    use crate::checksum::md5x::{words, LANES, ZERO};
    use wide::u32x4;

    type A = [u32; LANES];

    /// [`crate::checksum::md5x::compress_lanes`] on arrays; inlined into pulp's AVX-512 or AVX2
    /// function.
    #[inline(always)]
    fn kernel(states: &mut [[u32; 4]; LANES], inputs: &[Option<&[u8]>; LANES], blocks: usize) {
        let mut st: [A; 4] = std::array::from_fn(|w| std::array::from_fn(|l| states[l][w]));
        let mut blk: [&[u8]; LANES] = [&ZERO[..]; LANES];
        let mut m: [A; 16] = [[0; LANES]; 16];
        for b in 0..blocks {
            for (slot, input) in blk.iter_mut().zip(inputs) {
                if let Some(d) = input {
                    *slot = &d[b * 64..b * 64 + 64];
                }
            }
            // Word j of lanes 4g..4g+4, by transposing four 16-byte rows of each lane group.
            for q in 0..4 {
                let row = |l: usize| words(&blk[l][16 * q..16 * q + 16]);
                let groups = [
                    u32x4::transpose([row(0), row(1), row(2), row(3)]),
                    u32x4::transpose([row(4), row(5), row(6), row(7)]),
                    u32x4::transpose([row(8), row(9), row(10), row(11)]),
                    u32x4::transpose([row(12), row(13), row(14), row(15)]),
                ];
                for j in 0..4 {
                    for (g, group) in groups.iter().enumerate() {
                        m[4 * q + j][4 * g..4 * g + 4].copy_from_slice(&group[j].to_array());
                    }
                }
            }
            compress(&mut st, &m);
        }
        for (w, v) in st.iter().enumerate() {
            for (l, s) in states.iter_mut().enumerate() {
                if inputs[l].is_some() {
                    s[w] = v[l];
                }
            }
        }
    }

    /// The arguments of one call, for pulp to run under AVX-512 or AVX2.
    struct Job<'a, 'b> {
        states: &'a mut [[u32; 4]; LANES],
        inputs: &'a [Option<&'b [u8]>; LANES],
        blocks: usize,
    }

    impl pulp::WithSimd for Job<'_, '_> {
        type Output = ();
        #[inline(always)]
        fn with_simd<S: pulp::Simd>(self, _simd: S) {
            kernel(self.states, self.inputs, self.blocks)
        }
    }

    /// The vector instructions the kernel is compiled for, one of them found on this CPU.
    #[derive(Clone, Copy)]
    pub(crate) enum Isa {
        /// AVX-512 F, BW, CD, DQ and VL: one register per state word.
        Avx512(pulp::x86::V4),
        /// AVX2 (and FMA, BMI): two registers per state word, the rotate in three
        /// instructions; still ~4.1 GB/s against ~3.6 for the `wide` kernel here.
        Avx2(pulp::x86::V3),
    }

    /// The best kernel this CPU runs, or `None` without AVX2.
    pub(crate) fn available() -> Option<Isa> {
        pulp::x86::V4::try_new()
            .map(Isa::Avx512)
            .or_else(|| pulp::x86::V3::try_new().map(Isa::Avx2))
    }

    /// Same contract as [`crate::checksum::md5x::compress_lanes`].
    pub(crate) fn compress_lanes(
        isa: Isa,
        states: &mut [[u32; 4]; LANES],
        inputs: &[Option<&[u8]>; LANES],
        blocks: usize,
    ) {
        let job = Job {
            states,
            inputs,
            blocks,
        };
        match isa {
            Isa::Avx512(v4) => pulp::Simd::vectorize(v4, job),
            Isa::Avx2(v3) => pulp::Simd::vectorize(v3, job),
        }
    }
}
