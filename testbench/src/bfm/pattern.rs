//! Idle and backpressure patterns: how often a model holds back.
use rand::rngs::SmallRng;
use rand::Rng;

/// When a source inserts idle cycles or a sink withholds `ready`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Pattern {
    /// Never hold back: full rate.
    Never,
    /// Hold back on each cycle with this probability (0.0–1.0).
    Random(f64),
    /// Hold back for `off` cycles after every `on` cycles of activity.
    Burst { on: u32, off: u32 },
}

/// Tracks a pattern over time for one model.
#[derive(Clone, Debug)]
pub struct Throttle {
    pattern: Pattern,
    rng: SmallRng,
    position: u32,
}

impl Throttle {
    pub fn new(pattern: Pattern, rng: SmallRng) -> Self {
        Self { pattern, rng, position: 0 }
    }
    /// Whether to hold back this cycle.
    pub fn hold(&mut self) -> bool {
        match self.pattern {
            Pattern::Never => false,
            Pattern::Random(p) => self.rng.gen_bool(p.clamp(0.0, 1.0)),
            Pattern::Burst { on, off } => {
                let period = on + off;
                if period == 0 {
                    return false;
                }
                let hold = self.position >= on;
                self.position = (self.position + 1) % period;
                hold
            }
        }
    }
}
