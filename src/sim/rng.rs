//! The one source of randomness in a run: a seeded xoshiro256++ generator.
//!
//! The algorithm comes from the maintained `rand_xoshiro` crate and is pinned by a test vector,
//! so a seed means the same run on every machine and every version that keeps the vector.
//! Ranges and probabilities use integer arithmetic only (no floats in the core).

use rand_core::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

/// One million: probabilities are given in parts per million.
pub const PPM: u32 = 1_000_000;

/// Seeded deterministic PRNG shared by the network, the fault planner and the actors.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimRng {
    inner: Xoshiro256PlusPlus,
}

impl SimRng {
    /// A generator for `seed` (expanded with SplitMix64 by the crate).
    pub fn new(seed: u64) -> Self {
        Self {
            inner: Xoshiro256PlusPlus::seed_from_u64(seed),
        }
    }

    /// The next raw 64-bit value.
    pub fn next_u64(&mut self) -> u64 {
        self.inner.next_u64()
    }

    /// Uniform in `[lo, hi]` (inclusive). Returns `lo` when `hi <= lo`.
    pub fn range_inclusive(&mut self, lo: u64, hi: u64) -> u64 {
        if hi <= lo {
            return lo;
        }
        let span = hi - lo;
        if span == u64::MAX {
            return self.next_u64();
        }
        lo + self.below(span + 1)
    }

    /// Uniform in `[0, n)`, without modulo bias (Lemire's method). `n` must be > 0.
    pub fn below(&mut self, n: u64) -> u64 {
        assert!(n > 0, "below(0)");
        let threshold = n.wrapping_neg() % n;
        loop {
            let m = (self.next_u64() as u128) * (n as u128);
            if (m as u64) >= threshold {
                return (m >> 64) as u64;
            }
        }
    }

    /// True with probability `ppm / 1_000_000`. Draws nothing when `ppm` is 0, so links
    /// without loss do not disturb the random stream of the rest of the run.
    pub fn chance_ppm(&mut self, ppm: u32) -> bool {
        match ppm {
            0 => false,
            p if p >= PPM => true,
            p => self.below(PPM as u64) < p as u64,
        }
    }

    /// Picks one element of a non-empty slice.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        if items.is_empty() {
            None
        } else {
            Some(&items[self.below(items.len() as u64) as usize])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pins the algorithm: if a dependency update changes the stream, every saved run and
    /// golden trace would silently change, so this test must fail first.
    #[test]
    fn xoshiro_stream_is_pinned_by_a_test_vector() {
        let mut rng = SimRng::new(7);
        let got: Vec<u64> = (0..3).map(|_| rng.next_u64()).collect();
        assert_eq!(got, PINNED_SEED_7);
    }

    const PINNED_SEED_7: [u64; 3] = [
        1_021_219_803_524_665_661,
        3_174_977_118_032_272_916,
        13_236_943_193_235_544_178,
    ];

    #[test]
    fn ranges_stay_in_bounds_and_cover_them() {
        let mut rng = SimRng::new(1);
        let mut seen = [false; 5];
        for _ in 0..1000 {
            let v = rng.range_inclusive(10, 14);
            assert!((10..=14).contains(&v));
            seen[(v - 10) as usize] = true;
        }
        assert!(seen.iter().all(|s| *s));
        assert_eq!(rng.range_inclusive(5, 5), 5);
    }

    #[test]
    fn chance_zero_draws_nothing() {
        let mut a = SimRng::new(3);
        let b = a.clone();
        assert!(!a.chance_ppm(0));
        assert_eq!(a, b);
        assert!(a.chance_ppm(PPM));
    }
}
