//! The NIC's TX path against the packets the driver posts: regular and LLQ queues, packets
//! of one or more descriptors, completions, bad descriptors, and DMAs outside the queue's
//! function's window, under random backpressure.
use ferronic_testbench::bfm::{Axi4MemoryConfig, Pattern};
use ferronic_testbench::scenarios::nic_tx::{build, run, TxFault, TxPacket, TxRun};
use ferronic_testbench::scenarios::{on_big_stack, Backend};
use proptest::prelude::*;
mod common;
use common::pattern;

fn bytes(n: usize, seed: u8) -> Vec<u8> {
    (0..n).map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed)).collect()
}

fn packet(queue: usize, header: usize, pieces: &[usize], req_id: u16) -> TxPacket {
    TxPacket {
        queue,
        header: bytes(header, 0x80 + req_id as u8),
        pieces: pieces.iter().enumerate().map(|(i, &n)| bytes(n, req_id as u8 ^ i as u8)).collect(),
        comp_req: true,
        req_id,
        fault: None,
    }
}

fn quiet(packets: Vec<TxPacket>, llq_queues: u8) -> TxRun {
    TxRun::unloaded(packets, llq_queues, 40)
}

#[test]
fn a_regular_packet_goes_out_and_completes() {
    let report = run(build(Backend::Verilator).unwrap(), quiet(vec![packet(0, 0, &[100], 7)], 0), 1).unwrap();
    assert_eq!((report.frames, report.completions), (1, 1));
}

#[test]
fn an_llq_packet_sends_its_pushed_header_before_the_payload() {
    let report = run(build(Backend::Verilator).unwrap(), quiet(vec![packet(1, 42, &[61], 9)], 0b10), 2).unwrap();
    assert_eq!((report.frames, report.completions), (1, 1));
}

#[test]
fn a_packet_of_several_descriptors_is_one_frame() {
    let packets = vec![packet(2, 0, &[13, 1, 200, 7], 11), packet(2, 0, &[8, 8], 12)];
    let report = run(build(Backend::Verilator).unwrap(), quiet(packets, 0), 3).unwrap();
    assert_eq!((report.frames, report.completions), (2, 2));
}

#[test]
fn packets_without_comp_req_leave_no_completion() {
    let mut silent = packet(0, 0, &[64], 1);
    silent.comp_req = false;
    let mut silent_llq = packet(1, 20, &[5], 2);
    silent_llq.comp_req = false;
    // A failed payload read is an error, which completes whatever comp_req says: the
    // engine learns of it only when the data returns (the front waits for the back).
    let mut silent_failed = packet(0, 0, &[30, 20], 4);
    silent_failed.comp_req = false;
    silent_failed.fault = Some(TxFault::PayloadReadError(0));
    let packets = vec![silent, silent_llq, silent_failed, packet(0, 0, &[3], 3)];
    let report = run(build(Backend::Verilator).unwrap(), quiet(packets, 0b10), 4).unwrap();
    assert_eq!((report.frames, report.errored_frames, report.completions), (3, 1, 2));
}

/// Each bad descriptor gets an error completion and a count, sends no good frame, and the
/// good packets around it on the same and other queues still go out.
#[test]
fn bad_descriptors_complete_with_an_error_and_do_not_stop_the_queue() {
    let bad = |mut p: TxPacket, fault| {
        p.fault = Some(fault);
        p
    };
    let packets = vec![
        packet(0, 0, &[40], 1),
        bad(packet(0, 0, &[40], 2), TxFault::ZeroLength(0)),
        bad(packet(0, 0, &[30, 20], 3), TxFault::PayloadReadError(1)),
        packet(0, 0, &[41], 4),
        bad(packet(1, 30, &[10], 5), TxFault::HeaderTooLong),
        bad(packet(1, 0, &[0], 6), TxFault::ZeroLength(0)),
        packet(1, 16, &[9], 7),
        bad(packet(2, 0, &[100, 100], 8), TxFault::ZeroLength(1)),
        packet(2, 0, &[1], 9),
        // Bad first or middle descriptors: the rest of the packet is skipped, one completion.
        bad(packet(2, 0, &[0, 50, 50], 10), TxFault::ZeroLength(0)),
        bad(packet(2, 0, &[20, 0, 50, 7], 11), TxFault::ZeroLength(1)),
        packet(2, 0, &[33, 2], 12),
    ];
    let report = run(build(Backend::Verilator).unwrap(), quiet(packets, 0b10), 5).unwrap();
    assert_eq!((report.frames, report.completions), (5, 12));
    // The read error and the zero lengths after the first descriptor struck after bytes were
    // streamed: those frames left flagged, for the MAC to drop.
    assert_eq!(report.errored_frames, 3);
}

/// One random packet: queue (0-1 regular, 2-3 LLQ), header (LLQ only), 1-3 pieces (LLQ: 1),
/// now and then a jumbo piece (so some packets are longer than a frame), completion
/// requested or not, and now and then a bad descriptor anywhere in the packet.
fn random_packet() -> impl Strategy<Value = TxPacket> {
    (
        0usize..4,
        0usize..=96,
        prop::collection::vec(prop_oneof![19 => 1usize..=300, 1 => 1000usize..=9000], 1..=3),
        any::<bool>(),
        (0u8..16, 0usize..3),
        any::<u16>(),
    )
        .prop_map(|(queue, header, mut pieces, comp_req, (fault_kind, fault_at), data_seed)| {
            let llq = queue >= 2;
            if llq {
                pieces.truncate(1);
            }
            let at = fault_at % pieces.len();
            // The scenario numbers the packets (req_id); the seed only varies the bytes.
            let mut p = packet(queue, if llq { header } else { 0 }, &pieces, data_seed);
            p.comp_req = comp_req;
            p.fault = match fault_kind {
                0 => {
                    // A header alone would be a good packet.
                    if at == 0 {
                        p.header.clear();
                    }
                    Some(TxFault::ZeroLength(at))
                }
                1 => Some(TxFault::PayloadReadError(at)),
                4 => Some(TxFault::OutsideWindow(at)),
                3 if !llq => Some(TxFault::DescriptorReadError(at)),
                2 if llq => Some(TxFault::HeaderTooLong),
                _ => None,
            };
            // The first thing wrong in descriptor order decides: the descriptor where the
            // packet outgrows a frame is refused before its payload is read.
            let mut total = p.header.len() as u64;
            let overflow = pieces.iter().position(|&n| {
                total += n as u64;
                total > ferronic_hdl::tx::MAX_FRAME_BYTES
            });
            if let Some(o) = overflow {
                let earlier = match p.fault {
                    Some(TxFault::ZeroLength(k) | TxFault::DescriptorReadError(k)) => k <= o,
                    Some(TxFault::PayloadReadError(k) | TxFault::OutsideWindow(k)) => k < o,
                    _ => false,
                };
                if !earlier {
                    p.fault = Some(TxFault::FrameTooLong);
                }
            }
            p
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 8, ..ProptestConfig::default() })]

    /// Random traffic over regular and LLQ queues: headers, pieces of any size and
    /// alignment, multi-descriptor packets, jumbo pieces (packets longer than a frame are
    /// refused), bad descriptors anywhere in a packet, with and without completions,
    /// backpressure on the MAC side and the memory, busy BAR0 and BAR2; rung per packet or
    /// once per queue.
    #[test]
    fn random_traffic_over_regular_and_llq_queues_matches_the_packets(
        packets in prop::collection::vec(random_packet(), 1..40),
        latency in 20u64..200,
        ready in pattern(0.6),
        response_idle in pattern(0.6),
        tx_backpressure in pattern(0.6),
        burst in any::<bool>(),
        seed in any::<u64>(),
    ) {
        let packets: Vec<TxPacket> = packets
            .into_iter()
            .enumerate()
            .map(|(id, p)| TxPacket { req_id: id as u16, ..p })
            .collect();
        let mut setup = TxRun {
            packets,
            llq_queues: 0b1100,
            memory: Axi4MemoryConfig { latency, ready, response_idle, ..Default::default() },
            tx_backpressure,
            register_idle: Pattern::Random(0.3),
            disable_queue: None,
            lost_completions: None,
            completion_ring_off: None,
            rings_outside_window: None,
            llq_of_its_own_function: None,
            batched: false,
        };
        // Rung once per queue (a burst) when each queue's descriptors fit its ring.
        setup.batched = burst && setup.bursts_fit_rings();
        let result = run(build(Backend::Verilator).unwrap(), setup, seed);
        prop_assert!(result.is_ok(), "{:?}", result.err());
    }
}

/// A queue's TX ring is disabled (a control write) while its packets and other queues'
/// are still going out: it sends a prefix of its packets (each with its completion), the
/// rest stay unsent, and every other queue sends everything; no errors are counted.
#[test]
fn disabling_a_queue_while_traffic_runs_stops_only_it() {
    use rand::{Rng, SeedableRng};
    let mut rng = rand::rngs::SmallRng::seed_from_u64(21);
    for (seed, after) in [(1u64, 100u64), (2, 100)] {
        // The host writes every packet, then rings each queue once, so the disabled queue
        // has a ring full of packets when it goes off: more than the engine takes ahead
        // (`TAKE_AHEAD` over all queues) on a regular queue, a whole LLQ ring on an LLQ one.
        let disabled = if seed == 1 { 1 } else { 3 };
        // (Each LLQ queue's packets must fit its 16-entry ring: fewer in all with an LLQ
        // queue disabled.)
        let (total, on_disabled) = if seed == 1 { (64, 40) } else { (40, 16) };
        let others = [0, 1, 2, 3].into_iter().filter(|&q| q != disabled).collect::<Vec<_>>();
        let packets: Vec<TxPacket> = (0..total)
            .map(|id| {
                let queue = if id < on_disabled { disabled } else { others[rng.gen_range(0..others.len())] };
                let header = if queue >= 2 { rng.gen_range(0..=96) } else { 0 };
                packet(queue, header, &[rng.gen_range(1..=600)], id)
            })
            .collect();
        let setup = TxRun {
            disable_queue: Some((disabled, after)),
            tx_backpressure: Pattern::Random(0.2),
            batched: true,
            ..TxRun::unloaded(packets, 0b1100, 100)
        };
        let report = run(build(Backend::Verilator).unwrap(), setup, seed).unwrap();
        assert!(report.frames < total as usize, "disabled after {after} cycles: every frame still went out");
    }
}

/// A queue whose completion ring answers SLVERR: its packets still go out, its completions
/// are lost and each is counted in `tx_errors`; the other queues complete as usual. Both
/// backends, with backpressure on the MAC.
#[test]
fn completion_writes_that_fail_are_counted_and_the_queues_go_on() {
    let packets: Vec<TxPacket> = (0..24u16)
        .map(|id| {
            let queue = id as usize % 3;
            let mut p = packet(queue, if queue == 2 { 42 } else { 0 }, &[60 + 37 * id as usize], id);
            if id == 7 {
                p.fault = Some(TxFault::PayloadReadError(0));
            }
            p
        })
        .collect();
    for (seed, backend) in [(1u64, Backend::Verilator), (2, Backend::RustHdl)] {
        let setup = TxRun {
            lost_completions: Some(1),
            tx_backpressure: Pattern::Random(0.3),
            ..TxRun::unloaded(packets.clone(), 0b100, 60)
        };
        // The rust-hdl model of the whole NIC evaluates one large update function per block:
        // more stack than a test thread's 2 MiB.
        let report = on_big_stack(move || run(build(backend).unwrap(), setup, seed)).unwrap();
        assert_eq!((report.frames, report.completions), (23, 16), "{backend:?}");
    }
}

/// A queue whose completion ring is disabled: the queue manager gives no entry for its
/// completions, so none is written and each is counted once in `tx_errors` (an error
/// completion too); its frames still go out and the other queues complete as usual. Regular
/// and LLQ queues, with backpressure on the MAC.
#[test]
fn completions_the_ring_refuses_are_counted_and_the_queues_go_on() {
    let packets: Vec<TxPacket> = (0..24u16)
        .map(|id| {
            let queue = id as usize % 3;
            let mut p = packet(queue, if queue == 2 { 42 } else { 0 }, &[60 + 29 * id as usize], id);
            if id == 5 || id == 8 {
                p.fault = Some(TxFault::PayloadReadError(0));
            }
            p
        })
        .collect();
    for (seed, refusing) in [(1u64, 2usize), (2, 0)] {
        let setup = TxRun {
            completion_ring_off: Some(refusing),
            tx_backpressure: Pattern::Random(0.3),
            ..TxRun::unloaded(packets.clone(), 0b100, 60)
        };
        let report = run(build(Backend::Verilator).unwrap(), setup, seed).unwrap();
        // Two frames fail their read; the refusing queue's 8 completions are not written.
        assert_eq!((report.frames, report.completions), (22, 16), "queue {refusing} refusing");
    }
}

/// Buffers outside the queue's function's DMA window (regular and LLQ queues, first and
/// later descriptors of a packet) are never read: each packet completes with a DMA error,
/// is counted in `tx_window_errors`, and the queues go on with the next packet.
#[test]
fn buffers_outside_the_window_are_not_read_and_complete_with_a_dma_error() {
    let mut packets = Vec::new();
    for (id, (queue, header, pieces, fault_at)) in [
        (0, 0, &[200][..], None),
        (0, 0, &[64][..], Some(0)),
        (1, 0, &[100, 300, 50][..], Some(1)),
        (2, 42, &[500][..], Some(0)),
        (1, 0, &[80][..], None),
        (2, 20, &[30][..], None),
        (0, 0, &[9][..], Some(0)),
        (0, 0, &[1200][..], None),
    ]
    .into_iter()
    .enumerate()
    {
        let mut p = packet(queue, header, pieces, id as u16);
        p.fault = fault_at.map(TxFault::OutsideWindow);
        packets.push(p);
    }
    let setup = TxRun { tx_backpressure: Pattern::Random(0.2), ..TxRun::unloaded(packets, 0b100, 80) };
    let report = run(build(Backend::Verilator).unwrap(), setup, 11).unwrap();
    assert_eq!((report.frames, report.completions, report.errored_frames), (4, 8, 1));
}

/// A queue whose rings lie outside its function's window: no descriptor is fetched and no
/// completion written (the memory fails the run if either is touched); each descriptor is
/// refused twice and counted; the other queues are not held up.
#[test]
fn rings_outside_their_functions_window_are_never_touched() {
    let packets: Vec<TxPacket> =
        (0..18u16).map(|id| packet(id as usize % 3, 0, &[40 + 23 * id as usize, 17], id)).collect();
    let setup = TxRun { rings_outside_window: Some(1), ..TxRun::unloaded(packets, 0, 60) };
    let report = run(build(Backend::Verilator).unwrap(), setup, 12).unwrap();
    assert_eq!((report.frames, report.completions), (12, 12));
}

/// The rust-hdl backend's port lists (written out by hand in `native_ports!`) match the
/// blocks' real ports: building the native simulator checks them.
#[test]
fn the_native_port_lists_of_the_tx_blocks_match_their_ports() {
    build(Backend::RustHdl).unwrap();
    ferronic_sim::native::NativeSim::new(ferronic_hdl::tx::TxEngine::default()).unwrap();
}

/// An LLQ packet is on the wire at least one memory round trip sooner than a regular one:
/// its descriptor (and header) come from device memory.
#[test]
fn llq_saves_a_memory_round_trip() {
    let (_, regular) = ferronic_testbench::bench::tx_doorbell_latency(false, 200).unwrap();
    let (_, llq) = ferronic_testbench::bench::tx_doorbell_latency(true, 200).unwrap();
    assert!(llq + 200 <= regular, "doorbell to the frame's last byte: regular {regular} cycles, LLQ {llq}");
}

/// A read error on the first descriptor of three: the frame is closed (flagged), the other
/// two descriptors are skipped, and the one completion says DMA error.
#[test]
fn a_payload_error_early_in_a_packet_is_not_forgotten() {
    let mut p = packet(3, 0, &[64, 64, 64], 1);
    p.fault = Some(TxFault::PayloadReadError(0));
    let report = run(build(Backend::Verilator).unwrap(), quiet(vec![p, packet(3, 0, &[10], 2)], 0), 7).unwrap();
    assert_eq!((report.frames, report.completions, report.errored_frames), (1, 2, 1));
}

/// Ring entries that answer SLVERR when fetched, first, middle and last in a packet: the
/// packet ends at that descriptor with a DMA-error completion (its `last` bit is unknown);
/// the rest of its descriptors arrive without `first` and complete once more, malformed;
/// bytes already streamed leave flagged; the queue goes on.
#[test]
fn a_descriptor_that_cannot_be_read_ends_its_packet() {
    let bad = |mut p: TxPacket, at| {
        p.fault = Some(TxFault::DescriptorReadError(at));
        p
    };
    let packets = vec![
        packet(0, 0, &[40], 1),
        bad(packet(0, 0, &[30], 2), 0),
        bad(packet(0, 0, &[20, 20, 20], 3), 1),
        bad(packet(0, 0, &[10, 10, 10], 4), 2),
        bad(packet(0, 0, &[15, 15], 5), 0),
        packet(0, 0, &[41, 3], 6),
        bad(packet(1, 0, &[64, 64], 7), 1),
        packet(1, 0, &[9], 8),
    ];
    let report = run(build(Backend::Verilator).unwrap(), quiet(packets, 0), 8).unwrap();
    assert_eq!((report.frames, report.completions, report.errored_frames), (3, 10, 3));
}

/// Descriptors that add up to more than the longest frame: the packet is cut (closed with
/// an error for the MAC to drop) and completes with an error; the queue goes on.
#[test]
fn a_packet_longer_than_a_frame_is_refused() {
    let mut long = packet(0, 0, &[5000, 5000], 1);
    long.fault = Some(TxFault::FrameTooLong);
    let report =
        run(build(Backend::Verilator).unwrap(), quiet(vec![long, packet(0, 0, &[9000, 312], 2)], 0), 6).unwrap();
    assert_eq!((report.frames, report.completions, report.errored_frames), (1, 2, 1));
}

/// Two busy regular queues take turns: the engine fetches a queue's descriptors ahead but
/// leaves it after `VISIT_TAKES` of them (its packets here are one descriptor each), so
/// neither queue's frames leave more than that many in a row while the other has packets
/// waiting. Queue 1's frames are one byte longer, which tells them apart on the wire.
#[test]
fn busy_queues_take_turns_after_a_visit_of_sixteen_descriptors() {
    use ferronic_hdl::tx::VISIT_TAKES;
    let packets: Vec<TxPacket> =
        (0..80u16).map(|id| packet(id as usize % 2, 0, &[1000 + id as usize % 2], id)).collect();
    let report = run(build(Backend::Verilator).unwrap(), quiet(packets, 0), 13).unwrap();
    assert_eq!((report.frames, report.completions), (80, 80));
    let queues: Vec<usize> = report.sent.iter().map(|(_, frame)| frame.len() - 1000).collect();
    // Only the last queue left may run on alone: stop counting where the other's frames end.
    let end = queues.iter().rposition(|&q| q != *queues.last().unwrap()).unwrap() + 1;
    let longest = queues[..end].chunk_by(|a, b| a == b).map(<[usize]>::len).max().unwrap();
    assert!(longest <= VISIT_TAKES as usize, "{longest} frames of one queue in a row: {queues:?}");
    assert!(longest > 1, "the queues alternated frame by frame: no take-ahead visit at all");
}

/// A visit that spends its budget inside a packet takes on until the packet ends: two busy
/// queues with packets of three descriptors, so a visit's sixteenth take is the first
/// descriptor of its sixth packet. Six frames of one queue in a row show a visit went past
/// its budget to finish a packet; the scenario checks every frame and completion whole.
#[test]
fn a_visit_that_spends_its_budget_inside_a_packet_finishes_the_packet() {
    use ferronic_hdl::tx::VISIT_TAKES;
    let pieces = 3;
    let packets: Vec<TxPacket> =
        (0..48u16).map(|id| packet(id as usize % 2, 0, &[300, 200, 100 + id as usize % 2], id)).collect();
    let report = run(build(Backend::Verilator).unwrap(), quiet(packets, 0), 17).unwrap();
    assert_eq!((report.frames, report.completions, report.errored_frames), (48, 48, 0));
    let queues: Vec<usize> = report.sent.iter().map(|(_, frame)| frame.len() - 600).collect();
    let end = queues.iter().rposition(|&q| q != *queues.last().unwrap()).unwrap() + 1;
    let longest = queues[..end].chunk_by(|a, b| a == b).map(<[usize]>::len).max().unwrap();
    assert_eq!(longest, VISIT_TAKES as usize / pieces + 1, "frames of one queue in a row: {queues:?}");
}

/// A burst rung once per queue (the ENA driver's `xmit_more`): the taker takes up to
/// `TAKE_AHEAD` descriptors ahead across the queues, several takes out at once, and every
/// frame and completion is still whole and in order, under backpressure. Queue 2 is LLQ.
#[test]
fn a_burst_rung_once_per_queue_goes_out_whole() {
    let packets: Vec<TxPacket> = (0..40u16)
        .map(|id| {
            let queue = id as usize % 5;
            if queue == 2 {
                packet(queue, 14, &[50 + id as usize], id)
            } else {
                packet(queue, 0, &[64 + id as usize, 30], id)
            }
        })
        .collect();
    let setup = TxRun { batched: true, tx_backpressure: Pattern::Random(0.3), ..TxRun::unloaded(packets, 0b100, 200) };
    let report = run(build(Backend::Verilator).unwrap(), setup, 19).unwrap();
    assert_eq!((report.frames, report.completions, report.errored_frames), (40, 40, 0));
}

/// Completion writes that take far longer to be answered than packets take to go out: the
/// write engine's 32 bursts in flight fill, then the completion FIFO behind the back fills
/// (it holds 16), and the back must wait for room rather than lose a completion. Every frame
/// and completion is still whole and in order. Queues 1 and 5 are LLQ.
#[test]
fn completions_that_back_up_hold_the_packets_back_and_none_is_lost() {
    let packets: Vec<TxPacket> = (0..64u16)
        .map(|id| {
            let queue = id as usize % 8;
            packet(queue, if queue % 4 == 1 { 14 } else { 0 }, &[50 + id as usize % 17], id)
        })
        .collect();
    let setup = TxRun { batched: true, ..TxRun::unloaded(packets, 0b10_0010, 1_500) };
    let report = run(build(Backend::Verilator).unwrap(), setup, 23).unwrap();
    assert_eq!((report.frames, report.completions, report.errored_frames), (64, 64, 0));
}

/// An LLQ queue of another function than the regular queues beside it: its payloads are
/// checked against its own function's window, not the one the taker looks up at the same
/// time for the other queues' ring entries. Its buffers placed where only the other
/// functions may reach are not read (the memory fails the run if they are) and complete
/// with a DMA error; its good packets go out.
#[test]
fn an_llq_queue_checks_its_payloads_against_its_own_functions_window() {
    let packets: Vec<TxPacket> = (0..30u16)
        .map(|id| {
            let queue = id as usize % 3;
            let mut p = packet(queue, if queue == 2 { 30 } else { 0 }, &[40 + 7 * id as usize], id);
            if queue == 2 && id % 2 == 0 {
                p.fault = Some(TxFault::OutsideWindow(0));
            }
            p
        })
        .collect();
    let setup = TxRun {
        llq_of_its_own_function: Some(2),
        batched: true,
        tx_backpressure: Pattern::Random(0.2),
        ..TxRun::unloaded(packets, 0b100, 100)
    };
    let report = run(build(Backend::Verilator).unwrap(), setup, 29).unwrap();
    // Queue 2's packets 2, 8, 14, 20, 26 are refused; their headers were never streamed.
    assert_eq!((report.frames, report.completions, report.errored_frames), (25, 30, 0));
}
