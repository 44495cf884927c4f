//! The RDMA completer on its own (`scenarios::rdma_completer`): records into completion
//! rings through a queue manager, the DMA windows and a DMA write engine that each take
//! their time, against the entry format and the rules for records that cannot be written.
use ferronic_testbench::bfm::Pattern;
use ferronic_testbench::models::rdma::{Completion, CqRecord};
use ferronic_testbench::models::windows::WindowTable;
use ferronic_testbench::scenarios::rdma_completer::{build, run, CompleterRun, Ring};
use ferronic_testbench::scenarios::Backend;
use ferronic_testbench::tb::TbConfig;
use proptest::prelude::*;
use rand::{Rng, SeedableRng};
use std::collections::BTreeMap;
mod common;
use common::pattern;

const ERRORS: std::ops::Range<u64> = 0x36_0000..0x37_0000;

/// Rings 32 (drained by the host: it wraps, its phase flips) and 37 (never drained: full
/// after two) are usable; 33 has 8-byte entries, 34 lies outside its function's window,
/// 35 does not exist, 36's entries are answered with an error, and 300 is no ring number.
fn setup(records: usize, seed: u64, idle: Pattern, backpressure: Pattern, latency: u64) -> CompleterRun {
    let ring = |base, log_size, entry_log, function, drained| Ring { base, log_size, entry_log, function, drained };
    let rings = BTreeMap::from([
        (32, ring(0x32_0000, 2, 4, 0, true)),
        (33, ring(0x33_0000, 4, 3, 0, true)),
        (34, ring(0x34_0000, 4, 4, 3, true)),
        (36, ring(0x36_0000, 4, 4, 0, true)),
        (37, ring(0x37_0000, 1, 4, 0, false)),
    ]);
    let mut windows = WindowTable::default();
    windows.set(3, 0x40_0000, 0x4F_FFFF);
    let mut rng = rand::rngs::SmallRng::seed_from_u64(seed);
    let cqs = [32u16, 32, 32, 33, 34, 35, 36, 37, 300];
    let records = (0..records)
        .map(|_| {
            let (cq, qp) = (cqs[rng.gen_range(0..cqs.len())], rng.gen_range(0..1 << 24));
            if rng.gen_bool(0.2) {
                CqRecord::WriteFailed { cq, qp, psn: rng.gen_range(0..1 << 24) }
            } else {
                CqRecord::Completion(Completion {
                    cq,
                    qp,
                    length: rng.gen(),
                    imm: rng.gen_bool(0.5).then(|| rng.gen()),
                })
            }
        })
        .collect();
    CompleterRun { records, rings, windows, errors: ERRORS, latency, idle, backpressure }
}

#[test]
fn records_land_in_their_rings_and_those_that_cannot_are_counted() {
    for backend in Backend::ALL {
        let config = TbConfig::from_env("rdma_completer", 1);
        let (written, lost) =
            run(build(backend).unwrap(), setup(60, 7, Pattern::Random(0.3), Pattern::Random(0.3), 30), &config)
                .unwrap_or_else(|e| panic!("{backend:?}: {e:?}"));
        // Each kind of loss happened, and entries were written (the ring of four wrapped).
        assert!(written > 8 && lost > 10, "{backend:?}: {written} written, {lost} lost");
    }
}

#[test]
fn the_native_port_list_of_the_completer_matches_its_ports() {
    ferronic_sim::native::NativeSim::new(ferronic_hdl::rdma::completer::RdmaCompleter::default()).unwrap();
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(8))]
    #[test]
    fn any_records_under_any_timing(
        records in 1usize..40,
        idle in pattern(0.7),
        backpressure in pattern(0.7),
        latency in 1u64..100,
        seed in any::<u64>(),
    ) {
        let config = TbConfig::from_env("rdma_completer", seed);
        let result = run(build(Backend::Verilator).unwrap(), setup(records, seed, idle, backpressure, latency), &config);
        prop_assert!(result.is_ok(), "{:?}", result.err());
    }
}
