//! The AXI4-Stream FIFO on both backends: fixed patterns, proptest sweeps, a deliberately
//! broken build that every check must catch, and the two backends agreeing cycle for cycle.
use ferronic_hdl::stream_fifo::FifoFault;
use ferronic_testbench::bfm::Pattern;
use ferronic_testbench::scenarios::stream_fifo::{build, run, Traffic, DEPTH};
use ferronic_testbench::scenarios::Backend;
use ferronic_testbench::TbConfig;
use proptest::prelude::*;

fn patterns() -> Vec<(Pattern, Pattern)> {
    vec![
        (Pattern::Never, Pattern::Never),
        (Pattern::Random(0.5), Pattern::Never),
        (Pattern::Never, Pattern::Random(0.5)),
        (Pattern::Random(0.3), Pattern::Random(0.7)),
        (Pattern::Burst { on: 3, off: 5 }, Pattern::Burst { on: 2, off: 7 }),
        (Pattern::Never, Pattern::Burst { on: 1, off: 40 }),
    ]
}

#[test]
fn fifo_passes_every_beat_under_the_pause_matrix_on_both_backends() {
    for backend in Backend::ALL {
        for (i, (idle, backpressure)) in patterns().into_iter().enumerate() {
            let traffic = Traffic::random(300, i as u64, idle, backpressure);
            let config = TbConfig::from_env("fifo_pause_matrix", 7 + i as u64);
            let report = run(build(backend, FifoFault::None).unwrap(), traffic.clone(), &config)
                .unwrap_or_else(|e| panic!("{backend:?} {idle:?}/{backpressure:?}: {e:?}"));
            assert_eq!(report.beats, 300);
            if matches!(backpressure, Pattern::Burst { on: 1, off: 40 }) {
                assert_eq!(report.max_occupancy, DEPTH as u64, "a stalled sink must fill the FIFO");
            }
        }
    }
}

#[test]
fn fifo_at_full_rate_moves_one_beat_per_cycle() {
    let traffic = Traffic::random(1000, 1, Pattern::Never, Pattern::Never);
    let report = run(build(Backend::Verilator, FifoFault::None).unwrap(), traffic.clone(), &TbConfig::new(1)).unwrap();
    // Two cycles through an empty FIFO, then one beat per cycle.
    assert!(report.cycles <= 1000 + 8, "1000 beats took {} cycles", report.cycles);
}

#[test]
fn a_fifo_that_drops_a_beat_fails_the_scoreboard_on_both_backends() {
    for backend in Backend::ALL {
        let traffic = Traffic::random(64, 3, Pattern::Random(0.2), Pattern::Random(0.2));
        let err = run(build(backend, FifoFault::DropBeat).unwrap(), traffic.clone(), &TbConfig::new(3))
            .expect_err("the broken FIFO passed");
        let text = format!("{err:?}");
        assert!(text.contains("model") || text.contains("occupancy"), "{backend:?} failed for another reason: {text}");
    }
}

#[test]
fn the_failure_report_names_the_seed_and_keeps_the_waveform() {
    let dir = std::env::temp_dir().join(format!("ferronic-waves-{}", std::process::id()));
    let mut config = TbConfig::new(99);
    config.waves = Some(dir.join("broken.vcd"));
    let traffic = Traffic::random(32, 9, Pattern::Never, Pattern::Never);
    let err = run(build(Backend::Verilator, FifoFault::DropBeat).unwrap(), traffic.clone(), &config).unwrap_err();
    let text = format!("{err:?}");
    assert!(text.contains("FERRONIC_SEED=99"), "{text}");
    let vcd = std::fs::read_to_string(dir.join("broken.vcd")).expect("waveform kept on failure");
    assert!(vcd.contains("$enddefinitions") && vcd.contains("s_axis_tdata"), "not a VCD of the FIFO");
    // A passing run removes its waveform.
    config.waves = Some(dir.join("good.vcd"));
    run(build(Backend::Verilator, FifoFault::None).unwrap(), traffic.clone(), &config).unwrap();
    assert!(!dir.join("good.vcd").exists());
    let _ = std::fs::remove_dir_all(dir);
}

fn pattern_strategy() -> impl Strategy<Value = Pattern> {
    prop_oneof![
        Just(Pattern::Never),
        (0.0f64..0.95).prop_map(Pattern::Random),
        (1u32..8, 1u32..24).prop_map(|(on, off)| Pattern::Burst { on, off }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn fifo_matches_the_model_under_random_traffic(
        count in 1usize..400,
        seed in any::<u64>(),
        idle in pattern_strategy(),
        backpressure in pattern_strategy(),
    ) {
        let traffic = Traffic::random(count, seed, idle, backpressure);
        let report = run(build(Backend::Verilator, FifoFault::None).unwrap(), traffic.clone(), &TbConfig::new(seed));
        prop_assert!(report.is_ok(), "{:?}", report.err());
    }
}

/// The same property, run by hand against the broken FIFO: proptest must find a failure.
#[test]
fn proptest_finds_the_dropped_beat() {
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: 16,
        failure_persistence: None,
        ..ProptestConfig::default()
    });
    let result = runner.run(&(1usize..200, any::<u64>(), pattern_strategy()), |(count, seed, idle)| {
        let traffic = Traffic::random(count, seed, idle, Pattern::Never);
        let report = run(build(Backend::RustHdl, FifoFault::DropBeat).unwrap(), traffic.clone(), &TbConfig::new(seed));
        prop_assert!(report.is_ok());
        Ok(())
    });
    match result {
        Err(proptest::test_runner::TestError::Fail(_, (count, _, _))) => {
            // Shrinking finds the smallest case: the beat bound for slot 3 is the 4th.
            assert_eq!(count, 4, "shrunk to {count} beats");
        }
        other => panic!("proptest did not catch the broken FIFO: {other:?}"),
    }
}
