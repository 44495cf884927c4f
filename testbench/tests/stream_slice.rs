//! The AXI4-Stream register slice on both backends: every beat in order, `s_axis_tready`
//! and `occupancy` as a FIFO of depth 2 says, under idle and backpressure patterns, and one
//! beat per cycle at full rate.
use ferronic_testbench::bfm::Pattern;
use ferronic_testbench::scenarios::stream_fifo::Traffic;
use ferronic_testbench::scenarios::stream_slice::{build, run, DEPTH};
use ferronic_testbench::scenarios::Backend;
use ferronic_testbench::TbConfig;
use proptest::prelude::*;

#[test]
fn slice_passes_every_beat_under_idle_and_backpressure_on_both_backends() {
    let patterns = [
        (Pattern::Never, Pattern::Never),
        (Pattern::Random(0.5), Pattern::Never),
        (Pattern::Never, Pattern::Random(0.5)),
        (Pattern::Random(0.3), Pattern::Random(0.7)),
        (Pattern::Never, Pattern::Burst { on: 1, off: 20 }),
    ];
    for backend in Backend::ALL {
        for (i, (idle, backpressure)) in patterns.into_iter().enumerate() {
            let traffic = Traffic::random(400, 60 + i as u64, idle, backpressure);
            let config = TbConfig::from_env("stream_slice", 60 + i as u64);
            let report = run(build(backend).unwrap(), traffic, &config)
                .unwrap_or_else(|e| panic!("{backend:?} {idle:?}/{backpressure:?}: {e:?}"));
            assert_eq!(report.beats, 400);
            if matches!(backpressure, Pattern::Burst { .. }) {
                assert_eq!(report.max_occupancy, DEPTH as u64, "a stalled sink must fill the skid");
            }
        }
    }
}

#[test]
fn slice_at_full_rate_moves_one_beat_per_cycle() {
    let traffic = Traffic::random(1000, 1, Pattern::Never, Pattern::Never);
    let report = run(build(Backend::Verilator).unwrap(), traffic, &TbConfig::new(1)).unwrap();
    // One beat per cycle: a bubble every few beats would add hundreds of cycles; the run's
    // own start and end (the source's first beat, the checker's last look) take a few.
    assert!(report.cycles <= 1000 + 6, "1000 beats took {} cycles", report.cycles);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]
    #[test]
    fn slice_matches_the_fifo_model_under_random_traffic(
        seed in any::<u64>(),
        beats in 1usize..300,
        idle in 0.0f64..0.9,
        backpressure in 0.0f64..0.9,
    ) {
        let traffic = Traffic::random(beats, seed, Pattern::Random(idle), Pattern::Random(backpressure));
        let report = run(build(Backend::Verilator).unwrap(), traffic, &TbConfig::new(seed));
        prop_assert!(report.is_ok(), "{:?}", report.err());
    }
}
