//! LLQ device memory: whole 128 B entries and arbitrary writes land byte for byte under
//! idle and backpressure on both backends; writes past the window, bursts of the wrong type
//! or size, and reads are refused with SLVERR and counted, and write nothing.
use ferronic_hdl::llq::{ENTRIES_PER_QUEUE, ENTRY_BYTES, QUEUES};
use ferronic_testbench::bfm::Pattern;
use ferronic_testbench::scenarios::llq::{build, run, HostAccess, LlqRun, LLQ_BYTES};
use ferronic_testbench::scenarios::Backend;
use proptest::prelude::*;
mod common;
use common::pattern;

fn entry(queue: usize, index: usize, fill: u8) -> HostAccess {
    let addr = ((queue * ENTRIES_PER_QUEUE + index) * ENTRY_BYTES) as u64;
    HostAccess::Write { addr, data: (0..ENTRY_BYTES).map(|i| fill ^ (i as u8).wrapping_mul(29)).collect() }
}

#[test]
fn whole_entries_for_every_queue_land_on_both_backends() {
    let mut accesses: Vec<_> =
        (0..QUEUES).flat_map(|q| [entry(q, 0, q as u8), entry(q, ENTRIES_PER_QUEUE - 1, 0x80 | q as u8)]).collect();
    // The last entry rewritten, partly, at an odd address.
    accesses.push(HostAccess::Write { addr: LLQ_BYTES - 77, data: vec![0x5A; 33] });
    for backend in Backend::ALL {
        let setup =
            LlqRun { accesses: accesses.clone(), idle: Pattern::Random(0.3), backpressure: Pattern::Random(0.3) };
        let report = run(build(backend).unwrap(), setup, 5).unwrap();
        assert_eq!(report.refused_bursts, 0, "{backend:?}");
    }
}

#[test]
fn writes_past_the_window_and_reads_are_refused_and_write_nothing() {
    let accesses = vec![
        entry(2, 3, 0x11),
        // Straddles the end of the window: the part inside lands, the burst outside is refused.
        HostAccess::Write { addr: LLQ_BYTES - 16, data: vec![0xC3; 48] },
        // Far outside: would alias onto entry (0, 0) if the high address bits were ignored.
        HostAccess::Write { addr: 0x10_0000, data: vec![0xEE; 128] },
        HostAccess::Read { addr: 0, len: 64 },
        entry(7, 9, 0x22),
    ];
    let setup = LlqRun { accesses, idle: Pattern::Never, backpressure: Pattern::Never };
    let report = run(build(Backend::Verilator).unwrap(), setup, 6).unwrap();
    // One 4 KiB-bounded burst past the end, and one 16-beat burst far outside.
    assert_eq!(report.refused_bursts, 2);
}

#[test]
fn bursts_of_the_wrong_type_or_size_are_refused_and_narrow_bursts_land() {
    let beats = |n: u64| (0..n).map(|k| (0x0102_0304_0506_0708u64.wrapping_mul(k + 3), 0xFFu8)).collect::<Vec<_>>();
    let accesses = vec![
        HostAccess::RawBurst { addr: 0x100, size: 3, burst: 0, beats: beats(4) }, // FIXED
        HostAccess::RawBurst { addr: 0x200, size: 3, burst: 2, beats: beats(4) }, // WRAP
        HostAccess::RawBurst { addr: 0x300, size: 4, burst: 1, beats: beats(2) }, // 16 B beats on an 8 B bus
        // Narrow INCR bursts: 4-byte and 2-byte transfers, strobes on their lanes, odd start.
        HostAccess::RawBurst {
            addr: 0x404,
            size: 2,
            burst: 1,
            beats: vec![(0xAAAA_BBBB_0000_0000, 0xF0), (0x0000_0000_CCCC_DDDD, 0x0F), (0xEEEE_FFFF_0000_0000, 0xF0)],
        },
        HostAccess::RawBurst {
            addr: 0x502,
            size: 1,
            burst: 1,
            beats: vec![(0x0000_0000_1234_0000, 0x0C), (0x0000_5678_0000_0000, 0x30)],
        },
        // A full-width burst starting mid-word: the first beat's strobes cover the tail.
        HostAccess::RawBurst {
            addr: 0x603,
            size: 3,
            burst: 1,
            beats: vec![(0x1111_2222_3333_4444, 0xF8), (0x5555_6666_7777_8888, 0xFF)],
        },
    ];
    for backend in Backend::ALL {
        let setup =
            LlqRun { accesses: accesses.clone(), idle: Pattern::Random(0.4), backpressure: Pattern::Random(0.4) };
        let report = run(build(backend).unwrap(), setup, 7).unwrap();
        assert_eq!(report.refused_bursts, 3, "{backend:?}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn random_writes_land_byte_for_byte(
        writes in prop::collection::vec((0u64..LLQ_BYTES + 256, 1usize..300, any::<u8>()), 1..12),
        idle in pattern(0.8),
        backpressure in pattern(0.8),
        seed in any::<u64>(),
    ) {
        let accesses = writes
            .into_iter()
            .map(|(addr, len, fill)| HostAccess::Write { addr, data: (0..len).map(|i| fill.wrapping_add(i as u8)).collect() })
            .collect();
        let result = run(build(Backend::Verilator).unwrap(), LlqRun { accesses, idle, backpressure }, seed);
        prop_assert!(result.is_ok(), "{:?}", result.err());
    }
}
