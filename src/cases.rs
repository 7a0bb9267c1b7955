//! Generated test cases for the tests that compare a fast reader with a reference one:
//! a small deterministic generator, so every run checks the same cases.

/// An xorshift generator of choices, seeded per test.
pub struct Cases(pub u64);

impl Cases {
    /// A number below `n`.
    pub fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }

    /// One of `choices`.
    pub fn pick<'a>(&mut self, choices: &[&'a str]) -> &'a str {
        choices[self.below(choices.len())]
    }
}
