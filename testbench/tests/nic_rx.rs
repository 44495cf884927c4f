//! The NIC's RX path against the RX model: steering by the RSS hash, frames split over
//! buffers, ENA RX completions, the bytes around every buffer untouched, and every kind of
//! bad input counted, under random idle cycles, backpressure and memory latency.
use ferronic_testbench::bfm::axi4::SLVERR;
use ferronic_testbench::bfm::{Axi4MemoryConfig, ErrorRange, Pattern};
use ferronic_testbench::models::ethernet::{udp_frame, UdpFlow};
use ferronic_testbench::models::rss::RssTable;
use ferronic_testbench::models::rx::{classify, RX_QUEUES};
use ferronic_testbench::scenarios::nic_rx::{
    run, CompletionLoss, MacFault, RdmaCqSetup, RxBuffer, RxBufferFault, RxFrame, RxRing, RxRun,
};
use ferronic_testbench::scenarios::nic_tx::build;
use ferronic_testbench::scenarios::Backend;
use proptest::prelude::*;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
mod common;
use common::pattern;

/// A UDP frame of `len` bytes (at least 42) that steers to `queue`: random addresses and
/// ports (every bit of the 4-tuple, so every key bit of the hash, gets exercised) are drawn
/// until the RSS hash lands there.
fn frame_for(queue: usize, len: usize, seed: u8) -> RxFrame {
    let payload: Vec<u8> = (0..len - 42).map(|i| (i as u8).wrapping_mul(13).wrapping_add(seed)).collect();
    let mut rng = rand::rngs::SmallRng::seed_from_u64(seed as u64 ^ (len as u64) << 8 ^ (queue as u64) << 32);
    loop {
        let flow = UdpFlow {
            dst_mac: [0x02, 0, 0, 0, 0, 1],
            src_mac: [0x02, 0, 0, 0, 0, 2],
            src_ip: rng.gen(),
            dst_ip: rng.gen(),
            src_port: rng.gen(),
            dst_port: rng.gen(),
        };
        let bytes = udp_frame(&flow, &payload);
        if classify(&bytes).queue(&RssTable::default()) == queue {
            return RxFrame::new(bytes);
        }
    }
}

fn quiet(frames: Vec<RxFrame>, buffers: Vec<Option<Vec<RxBuffer>>>) -> RxRun {
    RxRun { buffers, ..RxRun::unloaded(frames, 0, 0, 40) }
}

fn only_queue(q: usize, buffers: Vec<RxBuffer>) -> Vec<Option<Vec<RxBuffer>>> {
    let mut all = vec![None; RX_QUEUES];
    all[q] = Some(buffers);
    all
}

#[test]
fn a_frame_lands_in_its_queues_buffer_with_a_completion() {
    let frames = vec![frame_for(3, 100, 1)];
    let report =
        run(build(Backend::Verilator).unwrap(), quiet(frames, only_queue(3, vec![RxBuffer::new(2048)])), 1).unwrap();
    assert_eq!(report.counters.packets, 1);
    assert_eq!(report.delivered, vec![(3, frame_for(3, 100, 1).bytes)]);
}

#[test]
fn frames_spread_over_all_queues_by_their_hash() {
    let frames: Vec<RxFrame> = (0..16).map(|i| frame_for(i % RX_QUEUES, 60 + 37 * i, i as u8)).collect();
    let report = run(build(Backend::Verilator).unwrap(), RxRun::unloaded(frames, 4, 2048, 40), 2).unwrap();
    assert_eq!(report.counters.packets, 16);
    assert_eq!(report.delivered.iter().filter(|(q, _)| *q == 5).count(), 2);
}

/// The host's RSS indirection table steers: with every entry on queue 1 or 6 (as a driver
/// giving RSS two queues writes it) and only those queues set up, every frame lands on the
/// one its hash's entry names, none is dropped, and the completions carry the hash.
#[test]
fn frames_follow_the_indirection_table_the_host_writes() {
    let entries: Vec<u8> = (0..128).map(|n| if n % 3 == 0 { 6 } else { 1 }).collect();
    let table = RssTable::from_queues(&entries);
    let frames: Vec<RxFrame> = (0..24).map(|i| frame_for(i % RX_QUEUES, 60 + 53 * i, i as u8)).collect();
    let mut buffers = vec![None; RX_QUEUES];
    buffers[1] = Some(vec![RxBuffer::new(2048); 24]);
    buffers[6] = Some(vec![RxBuffer::new(2048); 24]);
    let setup = RxRun { rss: Some(table.clone()), buffers, ..RxRun::unloaded(frames.clone(), 0, 0, 40) };
    let report = run(build(Backend::Verilator).unwrap(), setup, 5).unwrap();
    assert_eq!(report.counters.packets, 24);
    assert_eq!(report.counters.drops, 0);
    let to_six = frames.iter().filter(|f| table.queue(classify(&f.bytes).hash) == 6).count();
    assert!(to_six > 0 && to_six < 24, "the frames' hashes reach both queues' entries");
    assert_eq!(report.delivered.iter().filter(|(q, _)| *q == 6).count(), to_six);
}

/// RoCEv2 through the NIC with no QP open: good packets (one with Ethernet padding) reach
/// software like any frame, their completions saying why (`rdma_reason` 1: unknown QP); one
/// with a bad ICRC and one cut short are dropped by the RDMA path before the RX engine
/// (counted by reason, not in `rx_errors`), and a RoCEv2 frame whose only change is a
/// router's (TTL) stays good.
#[test]
fn roce_frames_reach_software_and_bad_ones_are_dropped() {
    use ferronic_testbench::models::rdma::write_message;
    use ferronic_testbench::scenarios::roce_parser::random_packet;
    let mut rng = rand::rngs::SmallRng::seed_from_u64(8);
    let template = random_packet(&mut rng);
    let data: Vec<u8> = (0..3000u32).map(|i| (i * 11) as u8).collect();
    let packets: Vec<Vec<u8>> =
        write_message(&template, 100, 0x4000, 0x77, 1024, &data, Some(5)).iter().map(|p| p.encode()).collect();
    let mut bad_icrc = packets[0].clone();
    bad_icrc[200] ^= 0x10;
    let mut cut = packets[1].clone();
    cut.truncate(cut.len() - 9);
    let mut routed = packets[2].clone();
    routed[22] -= 1; // TTL
                     // The shortest RoCEv2 packet (an empty WRITE Last, 58 bytes), padded to the Ethernet
                     // minimum of 60.
    let mut shortest = template.clone();
    shortest.bth.opcode = ferronic_testbench::models::rdma::opcode::WRITE_LAST;
    (shortest.reth, shortest.imm, shortest.payload) = (None, None, Vec::new());
    let mut padded = shortest.encode();
    assert_eq!(padded.len(), 58);
    padded.resize(60, 0);
    let frames: Vec<RxFrame> =
        [packets[0].clone(), bad_icrc, cut, routed, padded, packets[1].clone()].into_iter().map(RxFrame::new).collect();
    let report = run(build(Backend::Verilator).unwrap(), RxRun::unloaded(frames, 4, 2048, 40), 9).unwrap();
    let c = &report.counters;
    assert_eq!((c.packets, c.errors, c.rdma_software), (4, 0, 4));
    assert_eq!((c.roce, c.roce_icrc_errors, c.roce_truncated), (4, 1, 1));
}

/// RDMA placement through the NIC: two QPs open, four WRITE messages installed (two with
/// immediate data), their packets shuffled and some sent twice, mixed with UDP frames for
/// the RX queues, a packet for a QP that is not open, one for a PSN no transaction covers,
/// a bad ICRC and a MAC-flagged RoCEv2 frame; under memory latency, backpressure and RX
/// idle cycles. Placed payload, the message completions (read from the host's RDMA
/// completion rings; one names a ring the host never set up, and is lost and counted), the
/// software frames with their reasons and every counter must be what the placement and RX
/// models say — the RDMA path's writes, the RX engine's and the completer's share `m_axi_`.
#[test]
fn rdma_writes_are_placed_while_other_frames_reach_the_rx_queues() {
    use ferronic_testbench::models::rdma::{write_message, Transaction};
    use ferronic_testbench::scenarios::rdma_decide::DecideOp;
    use ferronic_testbench::scenarios::roce_parser::random_packet;
    let mut rng = rand::rngs::SmallRng::seed_from_u64(44);
    let mut commands = Vec::new();
    let mut roce = Vec::new();
    // Completion queues: rings 32 and 33 (set up by the host; QP 0x11's two messages both
    // complete into 32), and ring 34, which the host never set up: that completion is lost
    // and counted.
    for (m, (qp, len, mtu, imm, cq)) in [
        (0x11u32, 20_000usize, 1024usize, None, 32u16),
        (0x22, 700, 256, Some(0xC0FFEE), 33),
        (0x11, 64, 256, None, 32),
        (0x22, 100, 256, Some(7), 34),
    ]
    .into_iter()
    .enumerate()
    {
        let mut template = random_packet(&mut rng);
        template.bth.dest_qp = qp;
        // QP 0x11's second message follows its first (20 packets from PSN 1000).
        let first_psn = [1000, 2000, 1020, 2003][m];
        let va = 0x0800_0000 + 0x10_0000 * m as u64 + rng.gen_range(0..64);
        let data: Vec<u8> = (0..len).map(|_| rng.gen()).collect();
        let packets = write_message(&template, first_psn, va, 0x5000 + m as u32, mtu, &data, imm);
        if m < 2 {
            commands.push(DecideOp::OpenQp { qp, psn: first_psn, remote_qp: qp + 1 });
        }
        commands.push(DecideOp::Install(Transaction {
            qp,
            first_psn,
            packets: packets.len() as u32,
            va,
            length: len as u32,
            rkey: 0x5000 + m as u32,
            mtu: mtu as u32,
            cq,
            function: 0,
        }));
        roce.extend(packets.iter().map(|p| RxFrame::new(p.encode())));
        roce.push(RxFrame::new(packets[packets.len() / 2].encode())); // a duplicate
        if m == 0 {
            let mut stranger = packets[1].clone();
            stranger.bth.dest_qp = 0x33; // not open
            roce.push(RxFrame::new(stranger.encode()));
            let mut uncovered = packets[1].clone();
            uncovered.bth.psn = 1040; // in the window, no transaction
            roce.push(RxFrame::new(uncovered.encode()));
            let mut bad = packets[2].encode();
            bad[100] ^= 1;
            roce.push(RxFrame::new(bad));
            let mut flagged = RxFrame::new(packets[3].encode());
            flagged.fault = Some(MacFault::Marked);
            roce.push(flagged);
        }
    }
    // The messages are installed before the first PSN of the QP's next message arrives, so
    // the QP's window is where the model says; within that, any order.
    roce.shuffle(&mut rng);
    let mut frames = Vec::new();
    for (i, f) in roce.into_iter().enumerate() {
        frames.push(f);
        if i % 3 == 0 {
            frames.push(frame_for(i % RX_QUEUES, rng.gen_range(42..1500), i as u8));
        }
    }
    // Frames sent meanwhile: the acknowledgements share `m_axis_tx` with them.
    let transmit = (0..12).map(|i| (i % 4, frame_for(1, rng.gen_range(42..1500), 100 + i as u8).bytes)).collect();
    let setup = RxRun {
        rdma_commands: commands,
        transmit,
        rdma_cqs: vec![(32, RdmaCqSetup::Usable), (33, RdmaCqSetup::Usable)],
        rx_idle: Pattern::Random(0.2),
        memory: Axi4MemoryConfig { latency: 80, ready: Pattern::Random(0.2), ..Default::default() },
        ..RxRun::unloaded(frames, 16, 2048, 80)
    };
    let report = run(build(Backend::Verilator).unwrap(), setup, 44).unwrap();
    let c = &report.counters;
    assert_eq!((c.rdma_placed, c.rdma_duplicates, c.rdma_cq_lost), (20 + 3 + 1 + 1, 4, 1), "{c:?}");
    assert_eq!((c.rdma_software, c.rdma_mac_errors, c.roce_icrc_errors), (2, 1, 1));
    // Each message completes: an ACK each. The two one-packet messages are sent twice, and
    // their packet asks for one (AckReq on every last packet): the copy that is a duplicate
    // gets one too. More if a Last packet arrives before the rest of its message.
    assert!(report.acks >= 6, "{} ACKs", report.acks);
}

/// RDMA completions the completer cannot write: each of five one-packet messages names a
/// different completion queue — a usable ring, a ring outside its function's DMA window, a
/// ring of 8-byte entries, a ring the host never set up, and a `cq` past every ring number.
/// Only the first is written (and read back by the host); the other four are counted in
/// `rdma_cq_lost` and leave their rings untouched (the host scans them and finds nothing).
/// A sixth message belongs to a function with no DMA window (40): its placement is refused,
/// and the usable ring gets a failure record (QP, PSN) in place of its completion; so does
/// a seventh, whose region the memory answers with SLVERR.
#[test]
fn rdma_completions_that_cannot_be_written_are_counted() {
    use ferronic_testbench::models::rdma::{write_message, Transaction};
    use ferronic_testbench::scenarios::rdma_decide::DecideOp;
    use ferronic_testbench::scenarios::roce_parser::random_packet;
    let mut rng = rand::rngs::SmallRng::seed_from_u64(45);
    // Three QPs: a table row holds four transactions of one QP.
    let mut commands: Vec<_> = (0x44..0x47).map(|qp| DecideOp::OpenQp { qp, psn: 500, remote_qp: qp + 1 }).collect();
    let mut frames = Vec::new();
    for (m, (cq, function)) in
        [(32u16, 0u8), (33, 0), (34, 0), (35, 0), (300, 0), (32, 40), (32, 0)].into_iter().enumerate()
    {
        let qp = 0x44 + (m / 3) as u32;
        let mut template = random_packet(&mut rng);
        template.bth.dest_qp = qp;
        let psn = 500 + (m % 3) as u32;
        let va = 0x0800_0000 + 0x1000 * m as u64;
        let data: Vec<u8> = (0..64).map(|_| rng.gen()).collect();
        let packets = write_message(&template, psn, va, 0x7000, 256, &data, Some(m as u32));
        commands.push(DecideOp::Install(Transaction {
            qp,
            first_psn: psn,
            packets: 1,
            va,
            length: 64,
            rkey: 0x7000,
            mtu: 256,
            cq,
            function,
        }));
        frames.extend(packets.iter().map(|p| RxFrame::new(p.encode())));
    }
    let setup = RxRun {
        rdma_commands: commands,
        rdma_cqs: vec![
            (32, RdmaCqSetup::Usable),
            (33, RdmaCqSetup::OutsideWindow),
            (34, RdmaCqSetup::EightByteEntries),
        ],
        memory: Axi4MemoryConfig {
            latency: 40,
            ready: Pattern::Random(0.3),
            errors: vec![ErrorRange { range: 0x0800_6000..0x0800_7000, resp: SLVERR }],
            ..Default::default()
        },
        ..RxRun::unloaded(frames, 4, 2048, 40)
    };
    let report = run(build(Backend::Verilator).unwrap(), setup, 45).unwrap();
    assert_eq!((report.counters.rdma_placed, report.counters.rdma_cq_lost), (7, 4), "{:?}", report.counters);
}

/// A jumbo frame over buffers of 1000 bytes (used as 1000: a multiple of 8) and 1001 (used
/// as 1000): first/middle/last completions, and the frame continues on beat boundaries.
#[test]
fn a_frame_larger_than_a_buffer_is_split_over_several() {
    let frames = vec![frame_for(1, 9000, 5), frame_for(1, 64, 6)];
    let buffers = [1000u16, 1001].iter().cycle().take(12).map(|&n| RxBuffer::new(n)).collect();
    let report = run(build(Backend::Verilator).unwrap(), quiet(frames, only_queue(1, buffers)), 3).unwrap();
    assert_eq!(report.counters.packets, 2);
    assert_eq!(report.delivered[0].1.len(), 9000);
}

/// No buffers on a queue (or the queue not set up): its frames are dropped and counted,
/// and frames for other queues, before and after, still land.
#[test]
fn frames_without_a_buffer_are_dropped_and_other_queues_go_on() {
    let frames = vec![frame_for(0, 80, 1), frame_for(2, 80, 2), frame_for(4, 80, 3), frame_for(0, 90, 4)];
    let mut buffers = vec![None; RX_QUEUES];
    buffers[0] = Some(vec![RxBuffer::new(512); 2]);
    buffers[2] = Some(vec![]);
    let report = run(build(Backend::Verilator).unwrap(), quiet(frames, buffers), 4).unwrap();
    assert_eq!((report.counters.packets, report.counters.drops), (2, 2));
}

/// A frame larger than all the buffers posted: the buffers are filled and completed, the
/// last with `last`, the rest of the frame is dropped and counted; the next frame, with
/// buffers posted for it, is whole.
#[test]
fn a_frame_larger_than_all_posted_buffers_is_cut_and_counted() {
    let frames = vec![frame_for(6, 3000, 1)];
    let report =
        run(build(Backend::Verilator).unwrap(), quiet(frames, only_queue(6, vec![RxBuffer::new(1024); 2])), 5).unwrap();
    assert_eq!((report.counters.packets, report.counters.truncated), (0, 1));
    assert_eq!(report.delivered[0].1.len(), 2048);
}

/// Frames the MAC marks bad (on the last beat or one in the middle), a frame with a gap in
/// its bytes, and frames longer than 9600 bytes (one just over, one of 16 KiB: more than
/// the RX FIFO holds): dropped and counted, nothing written, the good frames around them
/// land. A frame of exactly 9600 bytes is fine.
#[test]
fn bad_frames_from_the_mac_are_dropped_and_counted() {
    let with = |mut f: RxFrame, fault| {
        f.fault = Some(fault);
        f
    };
    let frames = vec![
        frame_for(0, 70, 2),
        with(frame_for(0, 200, 1), MacFault::Marked),
        with(frame_for(0, 200, 4), MacFault::MarkedMidFrame),
        with(frame_for(0, 200, 5), MacFault::GappyKeep),
        RxFrame::new(vec![0x5A; 9601]),
        RxFrame::new(vec![0x5B; 16384]),
        // Longer than the RDMA path's frame store: cut there and flagged, then dropped.
        RxFrame::new(vec![0x5C; 20000]),
        frame_for(0, 9600, 3),
        frame_for(0, 71, 3),
    ];
    let report =
        run(build(Backend::Verilator).unwrap(), quiet(frames, only_queue(0, vec![RxBuffer::new(0); 4])), 6).unwrap();
    assert_eq!((report.counters.packets, report.counters.errors), (3, 6));
}

/// Host-side faults: a descriptor whose read fails (that buffer is lost; the frame cut or
/// dropped), a descriptor shorter than a word, a buffer whose write fails (the completion
/// still comes, memory is untouched). Each is counted in `rx_ring_errors`.
#[test]
fn host_side_faults_are_counted_and_write_nothing_wrong() {
    let fault = |length, fault| RxBuffer { length, fault: Some(fault) };
    let buffers = vec![
        RxBuffer::new(2048),
        fault(2048, RxBufferFault::DescriptorReadError),
        RxBuffer::new(512),
        RxBuffer::new(4),
        fault(2048, RxBufferFault::WriteError),
        RxBuffer::new(2048),
    ];
    // Frame 1 lands; frame 2 meets the failed descriptor first: dropped; frame 3 fills 512
    // and meets the short descriptor: cut; frame 4 is "written" into the failing buffer;
    // frame 5 lands.
    let frames = (1..=5).map(|i| frame_for(7, 600 + i, i as u8)).collect();
    let report = run(build(Backend::Verilator).unwrap(), quiet(frames, only_queue(7, buffers)), 7).unwrap();
    let c = report.counters;
    assert_eq!((c.packets, c.drops, c.truncated, c.ring_errors), (3, 1, 1, 3));
}

/// A completion ring whose writes fail (SLVERR), or one disabled so that the queue
/// manager refuses every post: the queue's frames are written, no completion lands, each
/// one counted; no notify is sent for them and other queues carry on.
#[test]
fn completions_that_cannot_be_written_are_counted() {
    for loss in [CompletionLoss::WriteError, CompletionLoss::RingDisabled] {
        let frames = (0..12).map(|i| frame_for(i % 3, 100 + 50 * i, i as u8)).collect();
        let setup = RxRun { lost_completions: Some((1, loss)), ..RxRun::unloaded(frames, 8, 2048, 40) };
        let report = run(build(Backend::Verilator).unwrap(), setup, 13).unwrap();
        assert_eq!((report.counters.packets, report.counters.ring_errors), (12, 4), "{loss:?}");
    }
}

/// Buffers outside their function's DMA window (the memory model fails the run if any byte
/// of them is touched): each is lost as a buffer too short to use would be, counted in
/// `rx_window_errors` and `rx_ring_errors`; a frame meeting one first is dropped, one
/// meeting one after a buffer is cut. A short descriptor outside is counted as short only.
/// Frames arrive back to back, so some of these descriptors are fetched ahead.
#[test]
fn buffers_outside_the_window_are_never_written_and_are_counted() {
    let outside = |length| RxBuffer { length, fault: Some(RxBufferFault::OutsideWindow) };
    let buffers =
        vec![RxBuffer::new(2048), outside(2048), RxBuffer::new(512), outside(2048), outside(4), RxBuffer::new(2048)];
    // Frame 1 lands; frame 2 is dropped; frame 3 fills 512 and is cut; frame 4 meets the
    // short one: dropped; frame 5 lands.
    let frames = (1..=5).map(|i| frame_for(4, 600 + i, i as u8)).collect();
    let report = run(build(Backend::Verilator).unwrap(), quiet(frames, only_queue(4, buffers)), 17).unwrap();
    let c = report.counters;
    assert_eq!((c.packets, c.drops, c.truncated, c.ring_errors, c.window_errors), (2, 2, 1, 3, 2));
}

/// A queue's submission ring, then its completion ring, owned by a function whose window
/// holds the buffers but not that ring (the memory model fails the run if any byte of the
/// ring is touched): no descriptor is fetched (the queue's frames are dropped), or no
/// completion is written (the frames land, their completions are lost); each refusal
/// counted in `rx_window_errors` and `rx_ring_errors`. The other queues carry on.
#[test]
fn rings_outside_their_functions_window_are_never_touched() {
    let frames: Vec<RxFrame> = (0..16).map(|i| frame_for(i % RX_QUEUES, 100 + 40 * i, i as u8)).collect();
    for (ring, seed) in [(RxRing::Submission, 18), (RxRing::Completion, 19)] {
        let setup = RxRun { ring_outside_window: Some((2, ring)), ..RxRun::unloaded(frames.clone(), 8, 2048, 40) };
        let c = run(build(Backend::Verilator).unwrap(), setup, seed).unwrap().counters;
        let want = match ring {
            RxRing::Submission => (14, 2, 2, 2),
            RxRing::Completion => (16, 0, 2, 2),
        };
        assert_eq!((c.packets, c.drops, c.ring_errors, c.window_errors), want, "{ring:?}");
    }
}

/// Every branch of the classification: TCP, UDP, a fragment (MF set, or an offset), IPv4
/// with options (the hash drops the ports), IPv4 with a header length under 5 (not IPv4),
/// ARP, and frames too short to classify: the completions carry the L3/L4 index, fragment
/// bit and hash the model derives from the headers, and the queue follows the hash.
#[test]
fn frames_are_classified_as_their_headers_say() {
    let mut rng = rand::rngs::SmallRng::seed_from_u64(9);
    let mut frames = Vec::new();
    for i in 0..40u8 {
        let mut f = frame_for(rng.gen_range(0..RX_QUEUES), rng.gen_range(42..200), i).bytes;
        match i % 8 {
            0 => f[23] = 6,                                // TCP
            1 => f[20] |= 0x20,                            // more fragments
            2 => f[21] = 0x10,                             // a fragment offset
            3 => f[14] = 0x46,                             // options: 24-byte header
            4 => f[14] = 0x44,                             // a header length under 5
            5 => f[12..14].copy_from_slice(&[0x08, 0x06]), // ARP
            6 => f.truncate(rng.gen_range(1..=41)),        // too short to look at
            _ => f[23] = 1,                                // ICMP: addresses only
        }
        frames.push(RxFrame::new(f));
    }
    let report = run(build(Backend::Verilator).unwrap(), RxRun::unloaded(frames, 64, 256, 40), 8).unwrap();
    assert_eq!(report.counters.packets, 40);
}

/// A queue's RX ring is disabled (a control write) while frames for it and for the other
/// queues keep coming: the queue delivers a prefix of its frames and drops the rest
/// (counted), every other queue delivers everything, nothing is written outside a buffer.
#[test]
fn disabling_a_queue_while_traffic_runs_drops_only_its_frames() {
    let mut rng = rand::rngs::SmallRng::seed_from_u64(11);
    for (seed, after) in [(1u64, 300u64), (2, 1500), (3, 2500)] {
        let frames: Vec<RxFrame> =
            (0..40).map(|i| frame_for(rng.gen_range(0..4), rng.gen_range(42..1000), i as u8)).collect();
        let setup = RxRun {
            disable_queue: Some((2, after)),
            rx_idle: Pattern::Random(0.3),
            memory: Axi4MemoryConfig { latency: 100, ready: Pattern::Random(0.2), ..Default::default() },
            ..RxRun::unloaded(frames, 64, 1024, 100)
        };
        let report = run(build(Backend::Verilator).unwrap(), setup, seed).unwrap();
        assert!(report.counters.drops > 0, "after {after} cycles: nothing dropped ({:?})", report.counters);
    }
}

fn frame_length() -> impl Strategy<Value = usize> {
    prop_oneof![6 => 42usize..=600, 3 => 600usize..=1500, 1 => 1500usize..=9000]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 8, ..ProptestConfig::default() })]

    /// Random traffic: frames of 42 to 9000 bytes over all queues, buffers of random sizes
    /// (frames split, and cut when a queue runs dry), some outside the DMA window, in some
    /// runs a ring outside its function's window, frames transmitted meanwhile, random idle
    /// on the MAC side, backpressure and latency on the memory, busy BAR0, and in some runs
    /// an RSS indirection table of the host's.
    #[test]
    fn random_traffic_matches_the_model(
        frames in prop::collection::vec((0..RX_QUEUES, frame_length(), any::<u8>()), 1..30),
        buffers in prop::collection::vec(prop::collection::vec((64u16..=4096, prop::bool::weighted(0.05)), 0..40), RX_QUEUES),
        ring_outside_window in prop::option::weighted(0.2, (0..RX_QUEUES, prop_oneof![Just(RxRing::Submission), Just(RxRing::Completion)])),
        rss in prop::option::weighted(0.4, prop::collection::vec(0u8..8, 128)),
        transmit in prop::collection::vec((0usize..4, 42usize..1500, any::<u8>()), 0..20),
        latency in 20u64..200,
        ready in pattern(0.6),
        response_idle in pattern(0.6),
        rx_idle in pattern(0.6),
        seed in any::<u64>(),
    ) {
        let setup = RxRun {
            frames: frames.iter().map(|&(q, len, s)| frame_for(q, len, s)).collect(),
            buffers: buffers
                .iter()
                .map(|b| {
                    let posted = b.iter().map(|&(length, outside)| RxBuffer {
                        length,
                        fault: outside.then_some(RxBufferFault::OutsideWindow),
                    });
                    Some(posted.collect())
                })
                .collect(),
            memory: Axi4MemoryConfig { latency, ready, response_idle, ..Default::default() },
            rx_idle,
            register_idle: Pattern::Random(0.3),
            disable_queue: None,
            transmit: transmit.iter().map(|&(q, len, s)| (q, frame_for(0, len, s).bytes)).collect(),
            lost_completions: None,
            ring_outside_window,
            rdma_commands: Vec::new(),
            rss: rss.map(|entries| RssTable::from_queues(&entries)),
            rdma_cqs: Vec::new(),
        };
        let result = run(build(Backend::Verilator).unwrap(), setup, seed);
        prop_assert!(result.is_ok(), "{:?}", result.err());
    }
}

/// Frames received and transmitted at once: the RX and TX engines take turns at the queue
/// manager and both DMA engines, and every frame on either side is whole and in order.
#[test]
fn receiving_and_transmitting_at_once_share_the_nic() {
    let mut rng = rand::rngs::SmallRng::seed_from_u64(31);
    let frames = (0..40).map(|i| frame_for(i % RX_QUEUES, rng.gen_range(42..1500), i as u8)).collect();
    let transmit = (0..40).map(|i| (i % 4, frame_for(1, rng.gen_range(42..1500), 200 + i as u8).bytes)).collect();
    let setup = RxRun {
        transmit,
        memory: Axi4MemoryConfig { latency: 60, ready: Pattern::Random(0.2), ..Default::default() },
        ..RxRun::unloaded(frames, 16, 2048, 60)
    };
    let report = run(build(Backend::Verilator).unwrap(), setup, 12).unwrap();
    assert_eq!(report.counters.packets, 40);
}

/// The rust-hdl backend's port list of the RX engine matches its real ports.
#[test]
fn the_native_port_list_of_the_rx_engine_matches_its_ports() {
    ferronic_sim::native::NativeSim::new(ferronic_hdl::rx::RxEngine::default()).unwrap();
}
