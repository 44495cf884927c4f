//! The DMA write engine: any address, length and alignment lands byte for byte with exact
//! strobes; errors, poisoned and mis-sized streams are reported and poisoned data is never
//! written.
use ferronic_testbench::bfm::axi4::SLVERR;
use ferronic_testbench::bfm::{Axi4MemoryConfig, ErrorRange, Pattern};
use ferronic_testbench::scenarios::dma_write::{build, run, WriteRequest, WriteRun};
use ferronic_testbench::scenarios::Backend;
use proptest::prelude::*;
mod common;
use common::pattern;

fn request(slot: u64) -> impl Strategy<Value = WriteRequest> {
    // Each request in its own 128 KiB slot, so the reference is order-independent.
    (0u64..4096, prop_oneof![4 => 1usize..200, 3 => 1usize..9000, 1 => 9000usize..=65536], any::<u8>(), any::<u64>())
        .prop_map(move |(offset, len, tag, seed)| {
            let data = (0..len).map(|i| (seed.wrapping_mul(i as u64 + 1) >> 13) as u8).collect();
            WriteRequest {
                addr: 0x1_0000_0000 + slot * 0x2_0000 + offset,
                data,
                tag,
                poison_beat: None,
                stream_len: None,
            }
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn random_writes_land_byte_for_byte(
        requests in (request(0), request(1), request(2), request(3)),
        latency in 1u64..200,
        ready in pattern(0.8),
        idle in pattern(0.8),
        data_idle in pattern(0.8),
        seed in any::<u64>(),
    ) {
        let requests = vec![requests.0, requests.1, requests.2, requests.3];
        let memory = Axi4MemoryConfig { latency, ready, response_idle: idle, reorder: false, errors: vec![], forbidden: vec![] };
        let result = run(build(Backend::Verilator).unwrap(), WriteRun { requests, memory, descriptor_idle: idle, data_idle }, seed);
        prop_assert!(result.is_ok(), "{:?}", result.err());
    }
}

fn simple(slot: u64, offset: u64, len: usize, tag: u8) -> WriteRequest {
    let data = (0..len).map(|i| (i as u8).wrapping_mul(7).wrapping_add(tag)).collect();
    WriteRequest { addr: 0x2000_0000 + slot * 0x2_0000 + offset, data, tag, poison_beat: None, stream_len: None }
}

#[test]
fn every_alignment_and_short_length_has_exact_strobes() {
    let mut requests = Vec::new();
    for offset in 0..8u64 {
        for len in 1..=17usize {
            requests.push(simple(offset * 17 + len as u64, offset, len, len as u8));
        }
    }
    let setup = WriteRun {
        requests,
        memory: Axi4MemoryConfig { latency: 4, ready: Pattern::Random(0.3), ..Default::default() },
        descriptor_idle: Pattern::Never,
        data_idle: Pattern::Random(0.3),
    };
    run(build(Backend::Verilator).unwrap(), setup, 1).unwrap();
}

#[test]
fn bad_streams_and_error_responses_are_reported() {
    let mut poisoned_first = simple(1, 3, 100, 2);
    poisoned_first.poison_beat = Some(0); // nothing of it may be written
    let mut poisoned_late = simple(2, 0, 100, 3);
    poisoned_late.poison_beat = Some(5);
    let mut short_stream = simple(3, 5, 64, 4);
    short_stream.stream_len = Some(40);
    let mut long_stream = simple(4, 0, 24, 5);
    long_stream.stream_len = Some(32);
    let slverr = simple(5, 0, 300, 6);
    let errors = vec![ErrorRange { range: slverr.addr + 100..slverr.addr + 108, resp: SLVERR }];
    let requests = vec![
        simple(0, 1, 50, 1),
        poisoned_first,
        poisoned_late,
        short_stream,
        long_stream,
        slverr,
        simple(6, 7, 333, 7),
    ];
    let setup = WriteRun {
        requests,
        memory: Axi4MemoryConfig { latency: 10, errors, ..Default::default() },
        descriptor_idle: Pattern::Never,
        data_idle: Pattern::Never,
    };
    run(build(Backend::Verilator).unwrap(), setup, 2).unwrap();
}

#[test]
fn the_rust_hdl_backend_agrees() {
    let setup = WriteRun {
        requests: vec![simple(0, 5, 77, 1), simple(1, 0, 8, 2)],
        memory: Axi4MemoryConfig { latency: 5, ready: Pattern::Random(0.3), ..Default::default() },
        descriptor_idle: Pattern::Never,
        data_idle: Pattern::Random(0.2),
    };
    run(build(Backend::RustHdl).unwrap(), setup, 3).unwrap();
}

#[test]
fn four_kib_writes_keep_the_data_bus_busy() {
    let requests: Vec<_> = (0..16).map(|i| simple(i, 0, 4096, i as u8)).collect();
    let setup = WriteRun {
        requests,
        memory: Axi4MemoryConfig { latency: 200, ..Default::default() },
        descriptor_idle: Pattern::Never,
        data_idle: Pattern::Never,
    };
    let report = run(build(Backend::Verilator).unwrap(), setup, 4).unwrap();
    // 16 x 512 beats, in bursts of MAX_BURST beats: with the stream and the memory always
    // ready, every cycle from the first beat to the last carries one (the next burst and
    // the next descriptor wait decoded, so none costs an idle cycle).
    assert_eq!(report.w_busy, 16 * 512);
    assert_eq!(report.w_span, report.w_busy, "W idle between bursts or descriptors");
}
