//! What the property-based sweeps share: the idle and backpressure patterns they draw.
use ferronic_testbench::bfm::Pattern;
use proptest::prelude::*;

/// An idle or backpressure pattern for one bus that holds it back on at most about `most`
/// of the cycles: full rate, random holds, or regular bursts (`on` cycles through, then as
/// many held as keeps the share near `most`).
pub fn pattern(most: f64) -> impl Strategy<Value = Pattern> {
    let held_after = move |on: u32| ((f64::from(on) * most / (1.0 - most)) as u32).max(1);
    prop_oneof![
        Just(Pattern::Never),
        (0.05..most).prop_map(Pattern::Random),
        (1u32..6).prop_map(move |on| Pattern::Burst { on, off: held_after(on) }),
    ]
}
