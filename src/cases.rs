//! Generated test cases for the tests that compare a fast reader with a reference one,
//! drawn from proptest's generator with a fixed seed, so every run checks the same cases
//! (the property tests draw from the same generator, seeded anew each run).

use proptest::prelude::Rng as _;
use proptest::test_runner::{RngAlgorithm, TestRng};

/// A seeded generator of choices.
pub struct Cases(TestRng);

impl Cases {
    /// The generator for `seed`: the same choices every time.
    pub fn new(seed: u64) -> Cases {
        Cases(TestRng::from_seed(
            RngAlgorithm::ChaCha,
            &[seed.to_le_bytes(), [0; 8], [0; 8], [0; 8]].concat(),
        ))
    }

    /// A number below `n`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.0.next_u64() % n.max(1) as u64) as usize
    }

    /// One of `choices`.
    pub fn pick<'a>(&mut self, choices: &[&'a str]) -> &'a str {
        choices[self.below(choices.len())]
    }
}
