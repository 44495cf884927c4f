//! `ShortQueue` (the NIC's write owners, the RX engine's issued writes) on both backends:
//! every cycle as a `VecDeque` model of four entries says, from empty to full and back,
//! with pushes offered while full and pops while empty (both ignored).
use ferronic_testbench::scenarios::short_queue::{build, run, QueueRun, DEPTH};
use ferronic_testbench::scenarios::Backend;
use ferronic_testbench::TbConfig;

#[test]
fn queue_matches_the_model_from_empty_to_full_on_both_backends() {
    // Mostly pushing (fills up, pushes refused), balanced, mostly popping (empties, pops
    // refused).
    let rates = [(0.8, 0.3), (0.5, 0.5), (0.3, 0.8), (1.0, 1.0)];
    for backend in Backend::ALL {
        for (i, (push_rate, pop_rate)) in rates.into_iter().enumerate() {
            let setup = QueueRun { cycles: 2000, push_rate, pop_rate };
            let config = TbConfig::from_env("short_queue", 70 + i as u64);
            let report = run(build(backend).unwrap(), setup, &config)
                .unwrap_or_else(|e| panic!("{backend:?} push {push_rate} pop {pop_rate}: {e:?}"));
            assert!(report.pushed > 500 && report.popped + DEPTH as u64 >= report.pushed, "{report:?}");
            if push_rate > pop_rate {
                assert!(report.max_entries == DEPTH && report.refused_pushes > 0, "{report:?}");
            }
            if pop_rate > push_rate {
                assert!(report.refused_pops > 0, "{report:?}");
            }
        }
    }
}
