//! The DMA read engine: any address and length land byte for byte in the stream, under
//! memory latency, reordering-free in-order responses, backpressure on every bus, and
//! error responses that are flagged, never passed off as data.
use ferronic_testbench::bfm::axi4::{DECERR, SLVERR};
use ferronic_testbench::bfm::{Axi4MemoryConfig, ErrorRange, Pattern};
use ferronic_testbench::models::dma::ReadRequest;
use ferronic_testbench::scenarios::dma_read::{build, run, ReadRun};
use ferronic_testbench::scenarios::Backend;
use proptest::prelude::*;
mod common;
use common::pattern;

fn request() -> impl Strategy<Value = ReadRequest> {
    (0u64..1 << 20, prop_oneof![4 => 1u32..200, 3 => 1u32..9000, 1 => 9000u32..=65536], any::<u8>())
        .prop_map(|(addr, len, tag)| ReadRequest { addr: 0x8000_0000 + addr, len, tag })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    #[test]
    fn random_reads_match_the_model(
        requests in prop::collection::vec(request(), 1..8),
        latency in 1u64..250,
        ready in pattern(0.8),
        idle in pattern(0.8),
        backpressure in pattern(0.8),
        seed in any::<u64>(),
    ) {
        let memory = Axi4MemoryConfig { latency, ready, response_idle: idle, reorder: false, errors: vec![], forbidden: vec![] };
        let setup = ReadRun { requests, memory, descriptor_idle: idle, data_backpressure: backpressure };
        let result = run(build(Backend::Verilator).unwrap(), setup, seed);
        prop_assert!(result.is_ok(), "{:?}", result.err());
    }
}

#[test]
fn every_alignment_and_short_length_is_exact() {
    let mut requests = Vec::new();
    for offset in 0..8u64 {
        for len in 1..=20u32 {
            requests.push(ReadRequest { addr: 0x1000 + 64 * (offset * 20 + len as u64) + offset, len, tag: len as u8 });
        }
    }
    let setup = ReadRun {
        requests,
        memory: Axi4MemoryConfig { latency: 3, ready: Pattern::Random(0.3), ..Default::default() },
        descriptor_idle: Pattern::Never,
        data_backpressure: Pattern::Random(0.4),
    };
    run(build(Backend::Verilator).unwrap(), setup, 1).unwrap();
}

#[test]
fn bursts_split_at_4k_and_64_kib_transfers_complete() {
    let requests = vec![
        ReadRequest { addr: 0x2FFD, len: 11, tag: 1 }, // crosses 4 KiB in 11 bytes
        ReadRequest { addr: 0x10_0003, len: 65536, tag: 2 }, // length field 0: 64 KiB
        ReadRequest { addr: 0x20_0FF8, len: 4104, tag: 3 }, // exactly over one boundary
    ];
    let setup = ReadRun {
        requests,
        memory: Axi4MemoryConfig { latency: 50, ..Default::default() },
        descriptor_idle: Pattern::Never,
        data_backpressure: Pattern::Never,
    };
    run(build(Backend::Verilator).unwrap(), setup, 2).unwrap();
}

#[test]
fn error_responses_are_flagged_and_the_engine_carries_on() {
    let errors =
        vec![ErrorRange { range: 0x5000..0x5008, resp: SLVERR }, ErrorRange { range: 0x9000..0xA000, resp: DECERR }];
    let requests = vec![
        ReadRequest { addr: 0x4F00, len: 0x200, tag: 1 }, // touches the SLVERR range
        ReadRequest { addr: 0x6000, len: 100, tag: 2 },   // clean
        ReadRequest { addr: 0x9FFC, len: 8, tag: 3 },     // starts in DECERR
        ReadRequest { addr: 0x4FF8, len: 8, tag: 4 },     // ends just before SLVERR: clean
        ReadRequest { addr: 0x7000, len: 3000, tag: 5 },  // clean after errors
    ];
    let setup = ReadRun {
        requests,
        memory: Axi4MemoryConfig { latency: 20, errors, ..Default::default() },
        descriptor_idle: Pattern::Random(0.3),
        data_backpressure: Pattern::Random(0.3),
    };
    run(build(Backend::Verilator).unwrap(), setup, 3).unwrap();
}

#[test]
fn the_rust_hdl_backend_agrees() {
    let requests = vec![ReadRequest { addr: 0x1003, len: 300, tag: 9 }, ReadRequest { addr: 0x2FF0, len: 40, tag: 10 }];
    let setup = ReadRun {
        requests,
        memory: Axi4MemoryConfig { latency: 7, ready: Pattern::Random(0.3), ..Default::default() },
        descriptor_idle: Pattern::Never,
        data_backpressure: Pattern::Random(0.3),
    };
    run(build(Backend::RustHdl).unwrap(), setup, 4).unwrap();
}

#[test]
fn four_kib_reads_keep_the_data_bus_busy_with_200_cycles_of_latency() {
    let requests: Vec<_> =
        (0..16).map(|i| ReadRequest { addr: 0x40_0000 + i * 4096, len: 4096, tag: i as u8 }).collect();
    let setup = ReadRun {
        requests,
        memory: Axi4MemoryConfig { latency: 200, reorder: false, ..Default::default() },
        descriptor_idle: Pattern::Never,
        data_backpressure: Pattern::Never,
    };
    let report = run(build(Backend::Verilator).unwrap(), setup, 5).unwrap();
    // Not a timed test: a cycle count of simulated behavior. 16 x 512 beats after one
    // 200-cycle latency; anything near one beat per cycle shows the bursts overlap.
    let utilization = report.r_busy as f64 / (report.cycles as f64 - 200.0);
    assert!(utilization > 0.9, "R busy {} of {} cycles", report.r_busy, report.cycles);
}
