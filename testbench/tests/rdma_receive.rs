//! The RDMA receive path end to end: frames in, payload in host memory, everything else on
//! the software path with its reason, completions and write failures in order — against
//! the placement model, under random idle, backpressure and memory latency, with error
//! ranges in host memory, on both backends.
use ferronic_hdl::rdma::decide::{REASON_NOT_OFFLOADED, REASON_NO_TRANSACTION, REASON_UNKNOWN_QP};
use ferronic_hdl::rdma::receive::PASS_NOT_ROCE;
use ferronic_testbench::bfm::{Axi4MemoryConfig, Pattern};
use ferronic_testbench::scenarios::rdma_receive::{build, random_traffic, run, ReceiveRun};
use ferronic_testbench::scenarios::Backend;
use ferronic_testbench::TbConfig;

#[test]
fn random_traffic_lands_as_the_model_places_it_on_both_backends() {
    let quiet = (Pattern::Never, Pattern::Never, Axi4MemoryConfig::default());
    let busy = (
        Pattern::Random(0.3),
        Pattern::Random(0.4),
        Axi4MemoryConfig {
            latency: 100,
            ready: Pattern::Random(0.3),
            response_idle: Pattern::Random(0.2),
            ..Default::default()
        },
    );
    for backend in Backend::ALL {
        for (i, (idle, backpressure, memory)) in [quiet.clone(), busy.clone()].into_iter().enumerate() {
            let seed = 50 + i as u64;
            let messages = if backend == Backend::RustHdl { 6 } else { 150 };
            let (ops, errors) = random_traffic(messages, seed);
            let setup = ReceiveRun { ops, memory: Axi4MemoryConfig { errors, ..memory }, idle, backpressure };
            let config = TbConfig::from_env("rdma_receive", seed);
            let report =
                run(build(backend).unwrap(), setup, &config).unwrap_or_else(|e| panic!("{backend:?} case {i}: {e:?}"));
            if backend == Backend::Verilator {
                // The mix must reach every outcome, or the test proves less than it says.
                let r = &report;
                assert!(r.placed > 0 && r.duplicates > 0 && r.completions > 0, "{r:?}");
                assert!(r.write_failures > 0 && r.mac_errors > 0 && r.dropped_bad > r.mac_errors, "{r:?}");
                for reason in [PASS_NOT_ROCE, REASON_UNKNOWN_QP, REASON_NO_TRANSACTION, REASON_NOT_OFFLOADED] {
                    assert!(r.passed[reason as usize] > 0, "reason {reason} never seen: {r:?}");
                }
            }
        }
    }
}
