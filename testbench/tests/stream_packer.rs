//! The stream packer against its model: frames built from random pieces of 0-8 bytes,
//! errors, broken `tkeep`, under random idle and backpressure, on both backends.
use ferronic_testbench::bfm::{AxisBeat, Pattern};
use ferronic_testbench::scenarios::stream_packer::{build, run};
use ferronic_testbench::scenarios::Backend;
use ferronic_testbench::tb::TbConfig;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
mod common;
use common::pattern;

/// An input beat: mostly 1-8 valid bytes from byte 0, sometimes none, sometimes a broken
/// `tkeep`; rarely an error.
fn beat() -> impl Strategy<Value = AxisBeat> {
    let keep = prop_oneof![
        12 => (1u32..=8).prop_map(|n| (1u64 << n) - 1),
        1 => Just(0u64),
        1 => 0u64..256,
    ];
    (any::<u64>(), keep, prop::bool::weighted(0.2), prop::bool::weighted(0.03))
        .prop_map(|(data, keep, last, error)| AxisBeat { data, keep, last, user: error as u64 })
}

/// Frames are closed at the end so every byte must come out.
fn closed(mut beats: Vec<AxisBeat>) -> Vec<AxisBeat> {
    if let Some(last) = beats.last_mut() {
        last.last = true;
    }
    beats
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn random_pieces_pack_into_the_frames_the_model_expects(
        beats in prop::collection::vec(beat(), 1..300),
        idle in pattern(0.8),
        backpressure in pattern(0.8),
        seed in any::<u64>(),
    ) {
        let result = run(build(Backend::Verilator).unwrap(), closed(beats), idle, backpressure, &TbConfig::new(seed));
        prop_assert!(result.is_ok(), "{:?}", result.err());
    }
}

#[test]
fn the_rust_hdl_model_packs_the_same() {
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let beats = prop::collection::vec(beat(), 200).new_tree(&mut runner).unwrap().current();
    run(build(Backend::RustHdl).unwrap(), closed(beats), Pattern::Random(0.3), Pattern::Random(0.3), &TbConfig::new(5))
        .unwrap();
}

/// Pieces that end on beat boundaries, then a frame closed by an empty `tlast` beat: the
/// full beat waits, so `tlast` lands on it.
#[test]
fn an_empty_tlast_beat_closes_a_frame_that_ended_on_a_beat_boundary() {
    let full = |data: u64| AxisBeat { data, keep: 0xFF, last: false, user: 0 };
    let input = vec![
        full(1),
        full(2),
        AxisBeat { data: 0, keep: 0, last: true, user: 0 },
        AxisBeat { data: 0xAB, keep: 1, last: true, user: 0 },
    ];
    run(build(Backend::Verilator).unwrap(), input, Pattern::Never, Pattern::Never, &TbConfig::new(1)).unwrap();
}

/// Back to back pieces with no idle or backpressure: one input beat per cycle.
#[test]
fn pieces_flow_one_beat_per_cycle() {
    let input: Vec<AxisBeat> =
        (0..400u64).map(|i| AxisBeat { data: i, keep: 0x7F, last: i % 50 == 49, user: 0 }).collect();
    let cycles =
        run(build(Backend::Verilator).unwrap(), input, Pattern::Never, Pattern::Never, &TbConfig::new(2)).unwrap();
    // 400 beats of 7 bytes in 350 beats out, plus the extra cycle per frame end and the
    // pipeline: anything near 400 cycles is one per cycle; 800 would be one per two.
    assert!(cycles < 430, "{cycles} cycles for 400 input beats");
}
