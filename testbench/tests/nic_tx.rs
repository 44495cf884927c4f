//! The NIC's TX path against the packets the driver posts: regular and LLQ queues, packets
//! of one or more descriptors, completions, and bad descriptors, under random backpressure.
use ferronic_testbench::bfm::{Axi4MemoryConfig, Pattern};
use ferronic_testbench::scenarios::nic_tx::{build, run, TxFault, TxPacket, TxRun};
use ferronic_testbench::scenarios::Backend;

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
    let report =
        run(build(Backend::Verilator).unwrap(), quiet(vec![silent, silent_llq, packet(0, 0, &[3], 3)], 0b10), 4)
            .unwrap();
    assert_eq!((report.frames, report.completions), (3, 1));
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
        bad(packet(0, 0, &[40], 2), TxFault::ZeroLength),
        bad(packet(0, 0, &[30, 20], 3), TxFault::PayloadReadError),
        packet(0, 0, &[41], 4),
        bad(packet(1, 30, &[10], 5), TxFault::HeaderTooLong),
        bad(packet(1, 0, &[0], 6), TxFault::ZeroLength),
        packet(1, 16, &[9], 7),
        bad(packet(2, 0, &[100, 100], 8), TxFault::ZeroLength),
        packet(2, 0, &[1], 9),
    ];
    let report = run(build(Backend::Verilator).unwrap(), quiet(packets, 0b10), 5).unwrap();
    assert_eq!((report.frames, report.completions), (4, 9));
    // The read error and the multi-descriptor zero length struck after bytes were streamed:
    // those frames left flagged, for the MAC to drop.
    assert_eq!(report.errored_frames, 2);
}

/// Random packets over four queues (two LLQ, two regular) with random backpressure on the
/// MAC side, the host memory and the register buses.
#[test]
fn random_traffic_over_regular_and_llq_queues_matches_the_packets() {
    use rand::{Rng, SeedableRng};
    for seed in 0..4u64 {
        let mut rng = rand::rngs::SmallRng::seed_from_u64(seed);
        let packets: Vec<TxPacket> = (0..40u16)
            .map(|id| {
                let queue = rng.gen_range(0..4);
                let llq = queue >= 2;
                let header = if llq { rng.gen_range(0..=96) } else { 0 };
                let count = if llq { 1 } else { rng.gen_range(1..=3) };
                let mut pieces: Vec<usize> = (0..count).map(|_| rng.gen_range(1..=300)).collect();
                if rng.gen_bool(0.05) {
                    pieces[0] = rng.gen_range(1000..=9000);
                }
                let mut p = packet(queue, header, &pieces, id);
                p.comp_req = rng.gen_bool(0.7);
                p
            })
            .collect();
        let setup = TxRun {
            packets,
            llq_queues: 0b1100,
            memory: Axi4MemoryConfig {
                latency: rng.gen_range(20..200),
                ready: Pattern::Random(0.3),
                response_idle: Pattern::Random(0.2),
                ..Default::default()
            },
            tx_backpressure: Pattern::Random(rng.gen_range(0.0..0.6)),
            register_idle: Pattern::Random(0.3),
            disable_queue: None,
        };
        run(build(Backend::Verilator).unwrap(), setup, seed).unwrap();
    }
}

/// A queue's TX ring is disabled (a control write) while its packets and other queues'
/// are still going out: it sends a prefix of its packets (each with its completion), the
/// rest stay unsent, and every other queue sends everything; no errors are counted.
#[test]
fn disabling_a_queue_while_traffic_runs_stops_only_it() {
    use rand::{Rng, SeedableRng};
    let mut rng = rand::rngs::SmallRng::seed_from_u64(21);
    for (seed, after) in [(1u64, 100u64), (2, 2000)] {
        let packets: Vec<TxPacket> = (0..40u16)
            .map(|id| {
                let queue = rng.gen_range(0..4);
                let header = if queue >= 2 { rng.gen_range(0..=96) } else { 0 };
                packet(queue, header, &[rng.gen_range(1..=600)], id)
            })
            .collect();
        let setup = TxRun {
            disable_queue: Some((if seed == 1 { 1 } else { 3 }, after)),
            tx_backpressure: Pattern::Random(0.2),
            ..TxRun::unloaded(packets, 0b1100, 100)
        };
        let report = run(build(Backend::Verilator).unwrap(), setup, seed).unwrap();
        assert!(report.frames < 40, "disabled after {after} cycles: every frame still went out");
    }
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

/// A read error on the first descriptor of three: the frame still ends (flagged) and the
/// completion says DMA error, even though the later descriptors read fine.
#[test]
fn a_payload_error_early_in_a_packet_is_not_forgotten() {
    let mut p = packet(3, 0, &[64, 64, 64], 1);
    p.fault = Some(TxFault::FirstPayloadReadError);
    let report = run(build(Backend::Verilator).unwrap(), quiet(vec![p, packet(3, 0, &[10], 2)], 0), 7).unwrap();
    assert_eq!((report.frames, report.completions, report.errored_frames), (1, 2, 1));
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
