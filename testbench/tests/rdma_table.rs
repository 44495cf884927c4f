//! The RDMA transaction table: installs, retires and lookups against the table model, at
//! their documented latencies, under random idle, on both backends and both sizes; every
//! refused install and retire answers with its reason and leaves the table as it was.
use ferronic_testbench::bfm::Pattern;
use ferronic_testbench::models::rdma::{Transaction, MAX_TRANSACTION_PACKETS, PSN_MASK};
use ferronic_testbench::scenarios::rdma_table::{build, random_ops, run, TableOp, TableReport};
use ferronic_testbench::scenarios::Backend;
use ferronic_testbench::TbConfig;
use proptest::prelude::*;
mod common;
use common::pattern;

fn transaction(qp: u32, first_psn: u32, packets: u32) -> Transaction {
    Transaction {
        qp,
        first_psn,
        packets,
        va: 0x7F00_0000_0000 + first_psn as u64 * 4096,
        length: packets * 1024,
        rkey: 0xC0DE_0000 | qp,
        mtu: 1024,
        cq: 5,
        function: 2,
    }
}

#[test]
fn random_operations_match_the_model_on_both_backends() {
    for backend in Backend::ALL {
        for (i, idle) in [Pattern::Never, Pattern::Random(0.5)].into_iter().enumerate() {
            let count = if backend == Backend::RustHdl { 300 } else { 3000 };
            let config = TbConfig::from_env("rdma_table", 20 + i as u64);
            let report = run(build(backend, 256).unwrap(), 256, random_ops(count, 20 + i as u64, 256), idle, &config)
                .unwrap_or_else(|e| panic!("{backend:?} {idle:?}: {e:?}"));
            // The mix must reach every answer, or the test proves less than it says.
            if backend == Backend::Verilator {
                let r = &report;
                assert!(
                    r.installed > 0
                        && r.full > 0
                        && r.overlaps > 0
                        && r.invalid > 0
                        && r.retired > 0
                        && r.not_found > 0,
                    "{r:?}"
                );
                assert!(r.hits > 0 && r.hits < r.lookups, "{r:?}");
            }
        }
    }
}

#[test]
fn the_4096_entry_table_matches_the_model() {
    let config = TbConfig::from_env("rdma_table4096", 4);
    let report =
        run(build(Backend::Verilator, 4096).unwrap(), 4096, random_ops(2000, 4, 4096), Pattern::Random(0.2), &config)
            .unwrap();
    assert!(report.installed > 0 && report.hits > 0, "{report:?}");
}

/// Each refusal, on purpose: nonsense installs, a clash with an installed range (also
/// across the PSN wrap), a full row, retiring what is not there. Lookups after them see
/// the table unchanged.
#[test]
fn refused_installs_and_retires_answer_with_their_reason() {
    let rows = 64;
    let qp = 0x00_0123;
    let same_row = |k: u32| qp + k * rows;
    let ops = vec![
        TableOp::Install(Transaction { packets: 0, ..transaction(qp, 10, 1) }),
        TableOp::Install(Transaction { packets: MAX_TRANSACTION_PACKETS + 1, ..transaction(qp, 10, 1) }),
        TableOp::Install(Transaction { mtu: 128, ..transaction(qp, 10, 1) }),
        TableOp::Install(Transaction { mtu: 8192, ..transaction(qp, 10, 1) }),
        TableOp::Install(transaction(qp, PSN_MASK - 4, 10)), // PSNs 0xFFFFFB..=0x000004
        TableOp::Install(transaction(qp, 4, 3)),             // clashes at PSN 4
        TableOp::Install(transaction(qp, PSN_MASK - 9, 6)),  // clashes at 0xFFFFFB
        TableOp::Install(transaction(qp, 5, 3)),
        TableOp::Install(transaction(same_row(1), 4, 3)), // another QP may use those PSNs
        TableOp::Install(transaction(same_row(2), 0, 1)),
        TableOp::Install(transaction(same_row(3), 0, 1)), // the row is full
        TableOp::Retire { qp, first_psn: 6 },             // not a first PSN
        TableOp::Retire { qp: same_row(3), first_psn: 0 },
        TableOp::Lookup { qp, psn: PSN_MASK - 5 },
        TableOp::Lookup { qp, psn: PSN_MASK - 4 },
        TableOp::Lookup { qp, psn: 4 },
        TableOp::Lookup { qp, psn: 7 },
        TableOp::Lookup { qp, psn: 8 },
        TableOp::Lookup { qp: same_row(1), psn: 6 },
        TableOp::Retire { qp, first_psn: 5 },
        TableOp::Lookup { qp, psn: 5 },
        TableOp::Install(transaction(same_row(3), 0, 1)), // room again
        TableOp::Lookup { qp: same_row(3), psn: 0 },
    ];
    for backend in Backend::ALL {
        let report = run(build(backend, 256).unwrap(), 256, ops.clone(), Pattern::Never, &TbConfig::new(1)).unwrap();
        let want = TableReport {
            installed: 5,
            full: 1,
            overlaps: 2,
            invalid: 4,
            retired: 1,
            not_found: 2,
            lookups: 8,
            hits: 5,
            cycles: report.cycles,
        };
        assert_eq!(report, want, "{backend:?}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]
    #[test]
    fn any_mix_of_operations_matches_the_model(seed in any::<u64>(), count in 1usize..600, idle in pattern(0.8)) {
        let report = run(build(Backend::Verilator, 256).unwrap(), 256, random_ops(count, seed, 256), idle, &TbConfig::new(seed));
        prop_assert!(report.is_ok(), "{:?}", report.err());
    }
}
