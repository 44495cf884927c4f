//! Frame steering: whole frames to software, dropped frames, payloads cut out and realigned,
//! under idle and backpressure, on both backends.
use ferronic_hdl::rdma::steer::{STEER_DROP, STEER_PASS, STEER_PLACE};
use ferronic_testbench::bfm::Pattern;
use ferronic_testbench::scenarios::rdma_steer::{build, random_frames, run, SteerFrame};
use ferronic_testbench::scenarios::Backend;
use ferronic_testbench::TbConfig;
use proptest::prelude::*;
mod common;
use common::pattern;

#[test]
fn random_frames_go_where_their_commands_say_on_both_backends() {
    let cases = [(Pattern::Never, Pattern::Never), (Pattern::Random(0.4), Pattern::Random(0.4))];
    for backend in Backend::ALL {
        for (i, (idle, backpressure)) in cases.into_iter().enumerate() {
            let count = if backend == Backend::RustHdl { 30 } else { 400 };
            let config = TbConfig::from_env("rdma_steer", 40 + i as u64);
            run(build(backend).unwrap(), random_frames(count, 40 + i as u64), idle, backpressure, &config)
                .unwrap_or_else(|e| panic!("{backend:?} {idle:?}/{backpressure:?}: {e:?}"));
        }
    }
}

/// The payload offsets of RoCEv2 (54, 58, 70, 74: two or six bytes into a beat), a payload
/// that ends where the frame does, one past it, an empty one, a flagged frame; between
/// passed and dropped frames.
#[test]
fn roce_payloads_are_cut_out_and_realigned() {
    let frame = |len: usize, action, offset, length, mac_error| SteerFrame {
        bytes: (0..len).map(|i| (i * 7 + len) as u8).collect(),
        mac_error,
        action,
        offset,
        length,
    };
    let frames = vec![
        frame(54 + 256 + 4, STEER_PLACE, 54, 256, false),
        frame(100, STEER_PASS, 0, 0, false),
        frame(58 + 13 + 3 + 4, STEER_PLACE, 58, 13, false),
        frame(70 + 1024 + 4, STEER_PLACE, 70, 1024, true),
        frame(80, STEER_DROP, 54, 10, false),
        frame(74 + 5, STEER_PLACE, 74, 5, false),
        frame(74 + 5, STEER_PLACE, 74, 6, false),
        frame(60, STEER_PLACE, 54, 0, false),
        frame(9, STEER_PASS, 0, 0, true),
    ];
    for backend in Backend::ALL {
        run(build(backend).unwrap(), frames.clone(), Pattern::Never, Pattern::Never, &TbConfig::new(3)).unwrap();
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]
    #[test]
    fn any_frames_go_where_their_commands_say(seed in any::<u64>(), count in 1usize..80, idle in pattern(0.8), backpressure in pattern(0.8)) {
        let result = run(build(Backend::Verilator).unwrap(), random_frames(count, seed), idle, backpressure, &TbConfig::new(seed));
        prop_assert!(result.is_ok(), "{:?}", result.err());
    }
}
