//! The TX frame FIFO: frames whole and in order, store-and-forward, and no gap inside a
//! frame when the MAC is always ready — short frames written right before they are read
//! are where the FIFO's read latency could open one.
use ferronic_testbench::bfm::Pattern;
use ferronic_testbench::scenarios::frame_fifo::{build, run, Frames};
use ferronic_testbench::scenarios::Backend;
use ferronic_testbench::TbConfig;
use proptest::prelude::*;
mod common;
use common::pattern;

#[test]
fn frames_leave_whole_and_without_gaps_on_both_backends() {
    let cases = [
        (Pattern::Never, Pattern::Never),
        (Pattern::Random(0.5), Pattern::Never),
        (Pattern::Burst { on: 6, off: 3 }, Pattern::Never),
        (Pattern::Random(0.3), Pattern::Random(0.5)),
    ];
    for backend in Backend::ALL {
        for (i, (idle, backpressure)) in cases.into_iter().enumerate() {
            let frames = Frames::random(120, 40, i as u64, idle, backpressure);
            let config = TbConfig::from_env("frame_fifo", 30 + i as u64);
            run(build(backend).unwrap(), frames, &config)
                .unwrap_or_else(|e| panic!("{backend:?} {idle:?}/{backpressure:?}: {e:?}"));
        }
    }
}

/// Back-to-back frames of the longest size the TX engine makes fit, with room for the next.
#[test]
fn jumbo_frames_pass_back_to_back() {
    let beats = ferronic_hdl::tx::MAX_FRAME_BYTES as usize / 8;
    let mut frames = Frames::random(6, 2, 5, Pattern::Never, Pattern::Random(0.2));
    for (i, frame) in frames.frames.iter_mut().enumerate() {
        let last = *frame.last().unwrap();
        *frame = (0..beats)
            .map(|n| ferronic_testbench::bfm::AxisBeat {
                data: (i * beats + n) as u64,
                keep: 0xFF,
                last: false,
                user: 0,
            })
            .collect();
        frame.push(last);
    }
    run(build(Backend::Verilator).unwrap(), frames, &TbConfig::new(5)).unwrap();
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]
    #[test]
    fn random_frames_match(seed in any::<u64>(), longest in 1usize..300, idle in pattern(0.8), backpressure in pattern(0.8)) {
        let frames = Frames::random(60, longest, seed, idle, backpressure);
        let result = run(build(Backend::Verilator).unwrap(), frames, &TbConfig::new(seed));
        prop_assert!(result.is_ok(), "{:?}", result.err());
    }
}
