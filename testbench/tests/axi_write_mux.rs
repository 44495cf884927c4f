//! The AXI4 write multiplexer on both backends: concurrent writes from both sources, with
//! errors, under idle and backpressure on every channel and memory latency; each write
//! answered to its own source with its own response, host memory as the reference says.
use ferronic_testbench::bfm::{Axi4MemoryConfig, Pattern};
use ferronic_testbench::scenarios::axi_write_mux::{build, random_writes, run, MuxRun};
use ferronic_testbench::scenarios::Backend;
use ferronic_testbench::TbConfig;
use proptest::prelude::*;

fn setup(writes: usize, seed: u64, idle: Pattern, backpressure: Pattern, ready: Pattern) -> MuxRun {
    MuxRun {
        writes: random_writes(writes, seed),
        concurrency: 4,
        max_burst_beats: 16,
        memory: Axi4MemoryConfig { latency: 30, ready, response_idle: backpressure, ..Default::default() },
        idle,
        backpressure,
    }
}

#[test]
fn writes_from_both_sources_land_and_answer_their_own_source_on_both_backends() {
    let patterns = [
        (Pattern::Never, Pattern::Never, Pattern::Never),
        (Pattern::Random(0.4), Pattern::Never, Pattern::Random(0.3)),
        (Pattern::Never, Pattern::Random(0.6), Pattern::Never),
        (Pattern::Random(0.2), Pattern::Random(0.3), Pattern::Burst { on: 3, off: 12 }),
    ];
    for backend in Backend::ALL {
        for (i, (idle, backpressure, ready)) in patterns.into_iter().enumerate() {
            let seed = 300 + i as u64;
            let run_setup = setup(40, seed, idle, backpressure, ready);
            let errors = run_setup.writes.iter().filter(|w| w.error.is_some()).count();
            let from_s1 = run_setup.writes.iter().filter(|w| w.source == 1).count();
            assert!(errors > 0 && from_s1 > 5 && from_s1 < 35, "the traffic must mix sources and errors");
            let config = TbConfig::from_env("axi_write_mux", seed);
            let report = run(build(backend).unwrap(), run_setup, &config)
                .unwrap_or_else(|e| panic!("{backend:?} {idle:?}/{backpressure:?}/{ready:?}: {e:?}"));
            assert_eq!(report.responses.len(), 40);
        }
    }
}

#[test]
fn one_burst_at_a_time_and_long_bursts_also_work() {
    for (concurrency, beats) in [(1, 1), (1, 256), (8, 256), (8, 2)] {
        let mut run_setup = setup(24, 40 + beats, Pattern::Random(0.2), Pattern::Random(0.2), Pattern::Random(0.2));
        run_setup.concurrency = concurrency;
        run_setup.max_burst_beats = beats;
        let config = TbConfig::from_env("axi_write_mux", beats);
        run(build(Backend::Verilator).unwrap(), run_setup, &config)
            .unwrap_or_else(|e| panic!("concurrency {concurrency}, bursts of {beats}: {e:?}"));
    }
}

#[test]
fn a_lone_source_keeps_the_write_bus_busy() {
    // Only s1 writes, 4 in flight, full rate everywhere: the owner queue must not cost a
    // cycle between bursts (the W bus busy on nearly every cycle from first beat to last).
    let mut run_setup = setup(24, 7, Pattern::Never, Pattern::Never, Pattern::Never);
    for w in &mut run_setup.writes {
        (w.source, w.error) = (1, None);
        w.data.resize(2048, 0x3C);
    }
    run_setup.max_burst_beats = 32;
    let report = run(build(Backend::Verilator).unwrap(), run_setup, &TbConfig::new(7)).unwrap();
    assert!(report.w_beats * 100 >= report.w_span * 97, "{} beats over {} cycles", report.w_beats, report.w_span);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(6))]
    #[test]
    fn random_writes_match_the_reference(
        seed in 0u64..1000,
        concurrency in 1usize..6,
        beats in prop::sample::select(vec![1u64, 2, 8, 16, 64, 256]),
        idle in 0.0f64..0.6,
        backpressure in 0.0f64..0.6,
        latency in 1u64..200,
    ) {
        let mut run_setup = setup(20, seed, Pattern::Random(idle), Pattern::Random(backpressure), Pattern::Random(backpressure));
        run_setup.concurrency = concurrency;
        run_setup.max_burst_beats = beats;
        run_setup.memory.latency = latency;
        let config = TbConfig::from_env("axi_write_mux", seed);
        let result = run(build(Backend::Verilator).unwrap(), run_setup, &config);
        prop_assert!(result.is_ok(), "{:?}", result.err());
    }
}
