//! The ACK sender on its own (`scenarios::rdma_ack`): requests in, RoCEv2 acknowledgements
//! out, each checked byte for byte against the acknowledgement model.
use ferronic_testbench::bfm::Pattern;
use ferronic_testbench::scenarios::rdma_ack::{build, random_acks, run};
use ferronic_testbench::scenarios::Backend;
use ferronic_testbench::tb::TbConfig;
use proptest::prelude::*;
mod common;
use common::pattern;

#[test]
fn acknowledgements_match_the_model_on_both_backends() {
    for backend in Backend::ALL {
        let config = TbConfig::from_env("rdma_ack", 1);
        let acks = random_acks(if backend == Backend::Verilator { 200 } else { 20 }, 3);
        run(build(backend).unwrap(), acks, Pattern::Random(0.3), Pattern::Random(0.3), &config)
            .unwrap_or_else(|e| panic!("{backend:?}: {e:?}"));
    }
}

#[test]
fn the_native_port_list_of_the_ack_sender_matches_its_ports() {
    ferronic_sim::native::NativeSim::new(ferronic_hdl::rdma::ack::RdmaAck::default()).unwrap();
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(8))]
    #[test]
    fn any_acknowledgements_under_any_timing(
        count in 1usize..30,
        idle in pattern(0.8),
        backpressure in pattern(0.8),
        seed in any::<u64>(),
    ) {
        let config = TbConfig::from_env("rdma_ack", seed);
        let result = run(build(Backend::Verilator).unwrap(), random_acks(count, seed), idle, backpressure, &config);
        prop_assert!(result.is_ok(), "{:?}", result.err());
    }
}
