//! The RoCEv2 parser: verdicts, headers and payload position against the RoCEv2 model,
//! frames unchanged, counters, under idle and backpressure, on both backends.
use ferronic_testbench::bfm::Pattern;
use ferronic_testbench::models::rdma::{opcode, write_message};
use ferronic_testbench::scenarios::roce_parser::{build, random_frames, random_packet, run, ParserFrame};
use ferronic_testbench::scenarios::Backend;
use ferronic_testbench::TbConfig;
use proptest::prelude::*;
use rand::SeedableRng;
mod common;
use common::pattern;

#[test]
fn random_frames_get_the_models_verdict_on_both_backends() {
    let cases = [(Pattern::Never, Pattern::Never), (Pattern::Random(0.4), Pattern::Random(0.4))];
    for backend in Backend::ALL {
        for (i, (idle, backpressure)) in cases.into_iter().enumerate() {
            let frames = random_frames(if backend == Backend::RustHdl { 40 } else { 300 }, 10 + i as u64);
            let config = TbConfig::from_env("roce_parser", 10 + i as u64);
            let report = run(build(backend).unwrap(), frames, idle, backpressure, &config)
                .unwrap_or_else(|e| panic!("{backend:?} {idle:?}/{backpressure:?}: {e:?}"));
            // The mix must reach every verdict, or the test proves less than it says.
            if backend == Backend::Verilator {
                assert!(
                    report.roce > 0 && report.bad_icrc > 0 && report.truncated > 0 && report.other > 0,
                    "{report:?}"
                );
            }
        }
    }
}

/// An RDMA WRITE message of every size class, its packets back to back: every packet is
/// RoCEv2 with the right headers, the RETH on the first only, the immediate on the last.
#[test]
fn a_write_message_parses_packet_by_packet() {
    let mut rng = rand::rngs::SmallRng::seed_from_u64(3);
    let template = random_packet(&mut rng);
    let data: Vec<u8> = (0..10_000u32).map(|i| (i * 7) as u8).collect();
    let mut frames = Vec::new();
    for (len, imm) in [(1usize, None), (256, Some(0xDEAD_BEEF)), (1000, None), (10_000, Some(7))] {
        for p in write_message(&template, 0xFF_FFF0, 0x1000_0000_0123, 0xABCD, 1024, &data[..len], imm) {
            assert!(matches!(p.bth.opcode, opcode::WRITE_FIRST..=opcode::WRITE_ONLY_IMM));
            frames.push(ParserFrame { bytes: p.encode(), mac_error: false });
        }
    }
    let count = frames.len() as u64;
    let report =
        run(build(Backend::Verilator).unwrap(), frames, Pattern::Never, Pattern::Never, &TbConfig::new(3)).unwrap();
    assert_eq!(report.roce, count);
}

/// Every frame at full rate leaves one beat per cycle: the parser never stalls the stream.
#[test]
fn the_parser_keeps_line_rate() {
    let frames = random_frames(200, 5);
    let beats: u64 = frames.iter().map(|f| f.bytes.len().div_ceil(8) as u64).sum();
    let report =
        run(build(Backend::Verilator).unwrap(), frames, Pattern::Never, Pattern::Never, &TbConfig::new(5)).unwrap();
    assert!(report.cycles <= beats + 20, "{beats} beats took {} cycles", report.cycles);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]
    #[test]
    fn random_frames_under_random_pauses(seed in any::<u64>(), idle in pattern(0.8), backpressure in pattern(0.8)) {
        let frames = random_frames(80, seed);
        let result = run(build(Backend::Verilator).unwrap(), frames, idle, backpressure, &TbConfig::new(seed));
        prop_assert!(result.is_ok(), "{:?}", result.err());
    }
}
