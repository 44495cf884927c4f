//! The frame arbiter that puts the TX engine's frames and the RDMA acknowledgements on one
//! `m_axis_tx`: frames whole, unmixed and in each input's order, the turn passed whenever
//! the other input waits, under idle and backpressure on both backends.
use ferronic_testbench::bfm::Pattern;
use ferronic_testbench::scenarios::frame_arbiter::{build, run, ArbiterRun};
use ferronic_testbench::scenarios::frame_fifo::Frames;
use ferronic_testbench::scenarios::Backend;
use ferronic_testbench::TbConfig;
use proptest::prelude::*;
mod common;
use common::pattern;

fn setup(seed: u64, longest: usize, idle: [Pattern; 2], backpressure: Pattern) -> ArbiterRun {
    let frames = |k: u64| Frames::random(60, longest, seed * 2 + k, idle[k as usize], Pattern::Never);
    ArbiterRun { inputs: [frames(0), frames(1)], backpressure }
}

#[test]
fn frames_interleave_whole_on_both_backends() {
    let cases = [
        ([Pattern::Never, Pattern::Never], Pattern::Never),
        ([Pattern::Random(0.5), Pattern::Never], Pattern::Random(0.3)),
        ([Pattern::Burst { on: 6, off: 3 }, Pattern::Random(0.7)], Pattern::Never),
        ([Pattern::Random(0.3), Pattern::Random(0.3)], Pattern::Random(0.5)),
    ];
    for backend in Backend::ALL {
        for (i, (idle, backpressure)) in cases.into_iter().enumerate() {
            let config = TbConfig::from_env("frame_arbiter", 40 + i as u64);
            let r = run(build(backend).unwrap(), setup(i as u64, 30, idle, backpressure), &config)
                .unwrap_or_else(|e| panic!("{backend:?} {idle:?}/{backpressure:?}: {e:?}"));
            assert_eq!(r.frames, [60, 60]);
            assert!(r.turns_owed > 0, "the turn never had to pass: {r:?}");
        }
    }
}

/// Both inputs always offering: the frames alternate until one input runs out, and the
/// output loses one cycle per switch at most.
#[test]
fn both_inputs_busy_take_turns_frame_by_frame() {
    let run_setup = setup(9, 12, [Pattern::Never, Pattern::Never], Pattern::Never);
    let beats: usize = run_setup.inputs.iter().flat_map(|f| &f.frames).map(Vec::len).sum();
    let r = run(build(Backend::Verilator).unwrap(), run_setup, &TbConfig::new(9)).unwrap();
    assert!(r.turns_owed >= 119, "{r:?}");
    assert!(r.cycles <= (beats + 120 + 30) as u64, "{} cycles for {beats} beats", r.cycles);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]
    #[test]
    fn random_frames_come_out_whole(
        seed in any::<u64>(),
        longest in 1usize..40,
        idle0 in pattern(0.8),
        idle1 in pattern(0.8),
        backpressure in pattern(0.8),
    ) {
        let result = run(build(Backend::Verilator).unwrap(), setup(seed % 1000, longest, [idle0, idle1], backpressure), &TbConfig::new(seed));
        prop_assert!(result.is_ok(), "{:?}", result.err());
    }
}
