//! Compares what the design produced with what a reference model predicted, in order.
use anyhow::{bail, Result};
use std::collections::VecDeque;
use std::fmt::Debug;

pub struct Scoreboard<T> {
    name: String,
    expected: VecDeque<T>,
    matched: u64,
}

impl<T: PartialEq + Debug> Scoreboard<T> {
    pub fn new(name: impl Into<String>) -> Self {
        Self { name: name.into(), expected: VecDeque::new(), matched: 0 }
    }
    /// The model predicts `item` as the next output.
    pub fn expect(&mut self, item: T) {
        self.expected.push_back(item);
    }
    /// The design produced `item`: it must be the oldest prediction.
    pub fn observe(&mut self, item: T) -> Result<()> {
        match self.expected.pop_front() {
            Some(want) if want == item => {
                self.matched += 1;
                Ok(())
            }
            Some(want) => bail!("{}: output #{} is {item:x?}, the model expected {want:x?}", self.name, self.matched),
            None => bail!("{}: unexpected output #{}: {item:x?} (the model expected nothing)", self.name, self.matched),
        }
    }
    /// At the end of a test: every prediction must have been produced.
    pub fn finish(&self) -> Result<u64> {
        if let Some(first) = self.expected.front() {
            bail!(
                "{}: {} predicted outputs never appeared, the first being {first:x?} (after {} matched)",
                self.name,
                self.expected.len(),
                self.matched
            );
        }
        Ok(self.matched)
    }
    pub fn matched(&self) -> u64 {
        self.matched
    }
    pub fn outstanding(&self) -> usize {
        self.expected.len()
    }
}
