//! The RoCEv2 reference model against the spec's own properties: the CRC-32 check value,
//! the ICRC's invariance to the fields routers rewrite (and its sensitivity to everything
//! else), header round trips, and placement of whole messages delivered in any order with
//! duplicates; every fallback reason on its bad input.
use ferronic_testbench::models::rdma::*;
use proptest::prelude::*;

fn template() -> RocePacket {
    RocePacket {
        src_mac: [2, 0, 0, 0, 0, 1],
        dst_mac: [2, 0, 0, 0, 0, 2],
        src_ip: [10, 0, 0, 1],
        dst_ip: [10, 0, 0, 2],
        src_port: 0xC000,
        bth: Bth {
            opcode: opcode::WRITE_ONLY,
            solicited: false,
            pad_count: 0,
            pkey: 0xFFFF,
            dest_qp: 0x12,
            ack_req: true,
            psn: 0,
        },
        reth: None,
        imm: None,
        payload: vec![],
    }
}

#[test]
fn crc32_has_the_standard_check_value() {
    assert_eq!(!crc32_update(0xFFFF_FFFF, b"123456789"), 0xCBF4_3926);
}

#[test]
fn every_opcode_and_padding_round_trips_and_the_ip_checksum_verifies() {
    for (op, len) in [
        (opcode::WRITE_FIRST, 256),
        (opcode::WRITE_MIDDLE, 256),
        (opcode::WRITE_LAST, 1),
        (opcode::WRITE_LAST_IMM, 2),
        (opcode::WRITE_ONLY, 3),
        (opcode::WRITE_ONLY_IMM, 0),
        (opcode::SEND_ONLY, 7),
    ] {
        let mut p = template();
        p.bth.opcode = op;
        p.bth.psn = 0xFF_FFFE;
        p.reth = has_reth(op).then_some(Reth { va: 0x1234_5678_9ABC, rkey: 0xBEEF, dma_len: 4096 });
        p.imm = has_imm(op).then_some(0xA5A5_0001);
        p.payload = (0..len).map(|i| i as u8).collect();
        let frame = p.encode();
        let mut q = decode(&frame).unwrap();
        assert_eq!(q.bth.pad_count as usize, (4 - len % 4) % 4);
        q.bth.pad_count = 0;
        assert_eq!(q, p, "opcode {op:#x}");
        // IPv4 header checksum: the one's-complement sum of the header is all ones.
        let sum: u32 = frame[14..34].chunks(2).map(|w| u16::from_be_bytes([w[0], w[1]]) as u32).sum();
        assert_eq!((sum & 0xFFFF) + (sum >> 16), 0xFFFF);
    }
}

/// An acknowledgement laid out by hand from IBA 9.3.5 / 9.7.5 and RFC 791 / 768: 62 bytes,
/// the AETH right after the BTH, and fields where the spec puts them.
#[test]
fn an_acknowledgement_has_the_aeth_after_the_bth() {
    let ack = Ack {
        src_mac: [2, 0, 0, 0, 0, 1],
        dst_mac: [2, 0, 0, 0, 0, 2],
        src_ip: [10, 0, 0, 1],
        dst_ip: [10, 0, 0, 2],
        src_port: 0xC000,
        pkey: 0xFFFF,
        dest_qp: 0x12_3456,
        psn: 0xAB_CDEF,
        syndrome: SYNDROME_ACK,
        msn: 0x00_0102,
    };
    let frame = ack.encode();
    assert_eq!(frame.len(), 14 + 20 + 8 + 12 + 4 + 4);
    assert_eq!(&frame[16..18], &[0, 48], "IPv4 total length");
    assert_eq!(&frame[38..40], &[0, 28], "UDP length");
    assert_eq!(frame[42], 0x11, "opcode RC Acknowledge");
    assert_eq!(&frame[47..50], &[0x12, 0x34, 0x56], "destination QP");
    assert_eq!(&frame[50..54], &[0x00, 0xAB, 0xCD, 0xEF], "AckReq 0, PSN");
    assert_eq!(&frame[54..58], &[0x1F, 0x00, 0x01, 0x02], "AETH: syndrome, MSN");
    let p = decode(&frame).unwrap();
    assert_eq!((p.bth.opcode, p.payload.as_slice()), (0x11, &frame[54..58]));
}

#[test]
fn the_icrc_ignores_what_routers_change_and_catches_everything_else() {
    let mut p = template();
    p.reth = Some(Reth { va: 0x1000, rkey: 7, dma_len: 9 });
    p.payload = b"ninebytes".to_vec();
    let frame = p.encode();
    // TOS, TTL, IPv4 checksum, UDP checksum, the BTH reserved byte: invariant.
    for at in [14 + 1, 14 + 8, 14 + 10, 14 + 11, 34 + 6, 34 + 7, 42 + 4] {
        let mut f = frame.clone();
        f[at] ^= 0x5A;
        assert!(decode(&f).is_ok(), "byte {at} is outside the ICRC");
    }
    // Everything from the IP addresses on is covered.
    for at in (14 + 12..frame.len() - 4).filter(|a| ![34 + 6, 34 + 7, 42 + 4].contains(a)) {
        let mut f = frame.clone();
        f[at] ^= 0x01;
        let r = decode(&f);
        assert!(
            matches!(r, Err(NotRoce::BadIcrc) | Err(NotRoce::OtherTraffic) | Err(NotRoce::Truncated)),
            "byte {at}: {r:?}"
        );
    }
}

#[test]
fn other_traffic_and_truncated_frames_are_told_apart() {
    let frame = template().encode();
    let mut udp = frame.clone();
    udp[37] ^= 0x01; // another UDP port
    assert_eq!(decode(&udp), Err(NotRoce::OtherTraffic));
    assert_eq!(decode(&frame[..frame.len() - 3]), Err(NotRoce::Truncated));
    assert_eq!(decode(&frame[..30]), Err(NotRoce::OtherTraffic));
}

fn transaction(qp: u32, first_psn: u32, va: u64, len: usize, mtu: usize) -> Transaction {
    Transaction {
        qp,
        first_psn,
        packets: len.div_ceil(mtu).max(1) as u32,
        va,
        length: len as u32,
        rkey: 0x77,
        mtu: mtu as u32,
        cq: 3,
        function: 0,
    }
}

proptest! {
    #[test]
    fn messages_in_any_order_with_duplicates_land_byte_for_byte(
        len in 1usize..70_000,
        mtu in prop::sample::select(vec![256usize, 512, 1024, 2048, 4096]),
        first_psn in 0u32..PSN_MASK,
        seed in any::<u64>(),
        imm in prop::option::of(any::<u32>()),
    ) {
        let data: Vec<u8> = (0..len).map(|i| (seed.wrapping_mul(i as u64 + 7) >> 21) as u8).collect();
        let va = 0x7000_0000 + (seed % 4096);
        let mut packets = write_message(&template(), first_psn, va, 0x77, mtu, &data, imm);
        // Shuffle within blocks of 32 packets, so no packet arrives beyond the 64-PSN window
        // (reordering, not loss), then send some twice.
        let mut order: Vec<usize> = (0..packets.len()).collect();
        let mut state = seed | 1;
        for block in order.chunks_mut(32) {
            for i in (1..block.len()).rev() {
                state ^= state << 13; state ^= state >> 7; state ^= state << 17;
                block.swap(i, (state % (i as u64 + 1)) as usize);
            }
        }
        let dups: Vec<usize> = order.iter().copied().filter(|i| i % 5 == 0).collect();
        order.extend(dups);
        packets = order.iter().map(|&i| packets[i].clone()).collect();
        let mut model = PlacementModel::new(256, 256, 64);
        prop_assert!(model.open_qp(0x12, first_psn, 0x100).is_ok());
        prop_assert!(model.install(transaction(0x12, first_psn, va, len, mtu)).is_ok());
        let mut placed = 0;
        for p in &packets {
            match model.receive(&decode(&p.encode()).unwrap()) {
                Outcome::Placed { .. } => placed += 1,
                Outcome::Duplicate => {}
                other => prop_assert!(false, "psn {}: {other:?}", p.bth.psn),
            }
        }
        prop_assert_eq!(placed, len.div_ceil(mtu));
        prop_assert_eq!(model.memory.read(va, len), data);
        prop_assert_eq!(model.completions.len(), 1);
        prop_assert_eq!(model.completions[0].clone(), Completion { cq: 3, qp: 0x12, length: len as u32, imm });
    }
}

#[test]
fn every_bad_input_falls_back_with_its_reason_and_writes_nothing() {
    let data = vec![0xAB; 3 * 256];
    let packets = write_message(&template(), 100, 0x9000, 0x77, 256, &data, None);
    // One row of four ways.
    let mut model = PlacementModel::new(4, 16, 64);
    assert_eq!(model.open_qp(0x12, 100, 0x100), Ok(()));
    assert_eq!(model.install(transaction(0x12, 100, 0x9000, 3 * 256, 256)), Ok(0));
    let fb = |reason, placed_before| Outcome::Fallback { reason, placed_before };

    let mut wrong_key = packets[0].clone();
    wrong_key.reth.as_mut().unwrap().rkey = 0x78;
    assert_eq!(model.receive(&wrong_key), fb(FallbackReason::RkeyMismatch, false));
    let mut past_end = packets[0].clone();
    past_end.reth.as_mut().unwrap().va = 0x9000 + 3 * 256 - 100;
    assert_eq!(model.receive(&past_end), fb(FallbackReason::OutOfBounds, false));
    let mut short_middle = packets[1].clone();
    short_middle.payload.truncate(100);
    assert_eq!(model.receive(&short_middle), fb(FallbackReason::BadLength, false));
    let mut other_qp = packets[1].clone();
    other_qp.bth.dest_qp = 0x99;
    assert_eq!(model.receive(&other_qp), fb(FallbackReason::UnknownQp, false));
    let mut send = packets[1].clone();
    send.bth.opcode = opcode::SEND_ONLY;
    assert_eq!(model.receive(&send), fb(FallbackReason::NotOffloaded, false));
    let mut unexpected = packets[1].clone();
    unexpected.bth.psn = 100 + 40; // in the window, but no transaction covers it
    assert_eq!(model.receive(&unexpected), fb(FallbackReason::NoTransaction, false));
    assert!(model.memory.read(0x9000, 3 * 256).iter().all(|b| *b == 0), "a refused packet wrote");

    // Beyond the 64-PSN window, inside a transaction: fallback.
    assert_eq!(model.install(transaction(0x12, 100 + 64, 0x20000, 256, 256)), Ok(1));
    let far = write_message(&template(), 100 + 64, 0x20000, 0x77, 256, &[1; 256], None);
    assert_eq!(model.receive(&far[0]), fb(FallbackReason::OutOfWindow, false));
    // Installs that cannot be taken: overlapping PSNs of one QP, nonsense, a full row.
    assert_eq!(model.install(transaction(0x12, 102, 0x40000, 256, 256)), Err(InstallError::Overlaps));
    assert_eq!(model.install(transaction(0x12, 90, 0x40000, 11 * 256, 256)), Err(InstallError::Overlaps));
    assert_eq!(model.install(transaction(0x12, 0, 0x40000, 256, 300)), Err(InstallError::Invalid));
    assert_eq!(
        model.install(Transaction { packets: 0, ..transaction(0x12, 0, 0x40000, 0, 256) }),
        Err(InstallError::Invalid)
    );
    assert_eq!(model.install(transaction(0x12, 90, 0x40000, 10 * 256, 256)), Ok(2));
    assert_eq!(model.install(transaction(0x13, 0, 0x30000, 256, 256)), Ok(3));
    assert_eq!(model.install(transaction(0x14, 0, 0x30000, 256, 256)), Err(InstallError::Full));

    // Retired while its packets arrive: the rest go to software; copies of one that had
    // arrived are still dropped (the QP's window remembers it).
    assert!(matches!(model.receive(&packets[0]), Outcome::Placed { .. }));
    assert_eq!(model.receive(&packets[0]), Outcome::Duplicate);
    assert_eq!(model.retire(0x12, 100), Some(0));
    assert_eq!(model.receive(&packets[1]), fb(FallbackReason::NoTransaction, false));
    assert_eq!(model.receive(&packets[0]), Outcome::Duplicate);
    assert!(model.completions.is_empty());
}

/// QP contexts are direct-mapped: a slot holds one open QP; closing frees it; a closed QP's
/// packets go to software; opening again starts the window afresh.
#[test]
fn qps_open_and_close_in_their_slots() {
    let mut model = PlacementModel::new(4, 16, 64);
    assert_eq!(model.open_qp(0x12, 7, 0x100), Ok(()));
    assert_eq!(model.open_qp(0x22, 0, 0x100), Err(OpenError::SlotBusy), "0x22 mod 16 is 0x12's slot");
    assert_eq!(model.open_qp(0x13, 0, 0x100), Ok(()));
    assert_eq!(model.install(transaction(0x12, 7, 0x5000, 256, 256)), Ok(0));
    let packet = write_message(&template(), 7, 0x5000, 0x77, 256, &[9; 256], None).remove(0);
    assert!(!model.close_qp(0x22));
    assert!(model.close_qp(0x12));
    assert_eq!(model.receive(&packet), Outcome::Fallback { reason: FallbackReason::UnknownQp, placed_before: false });
    assert_eq!(model.open_qp(0x22, 0, 0x100), Ok(()));
    assert!(model.close_qp(0x22));
    assert_eq!(model.open_qp(0x12, 7, 0x100), Ok(()));
    assert_eq!(model.receive(&packet), Outcome::Placed { addr: 0x5000, len: 256, function: 0 });
    assert_eq!(model.receive(&packet), Outcome::Duplicate);
    assert_eq!(model.window_of(0x12).map(|w| w.base), Some(8));
    // Opened again: the window starts afresh, the transaction is complete and gone.
    assert_eq!(model.open_qp(0x12, 7, 0x100), Ok(()));
    assert_eq!(
        model.receive(&packet),
        Outcome::Fallback { reason: FallbackReason::NoTransaction, placed_before: false }
    );
}

/// Acknowledgements, worked by hand from the rules on `AckDue`: one per completed message
/// and one per placed or duplicate packet with AckReq, cumulative (the PSN before the
/// window's start), the MSN counting completed messages; none for software's packets.
#[test]
fn acknowledgements_are_cumulative_and_coalesced_per_message() {
    let data = vec![0x5A; 3 * 256];
    let mut packets = write_message(&template(), 100, 0x9000, 0x77, 256, &data, None);
    for p in packets.iter_mut() {
        p.bth.ack_req = false;
    }
    let mut model = PlacementModel::new(4, 16, 64);
    assert_eq!(model.open_qp(0x12, 100, 0x777), Ok(()));
    assert_eq!(model.install(transaction(0x12, 100, 0x9000, 3 * 256, 256)), Ok(0));
    let due = |psn, msn| AckDue { qp: 0x12, remote_qp: 0x777, psn, msn };

    model.receive(&packets[1]);
    assert_eq!(model.acks, [], "no AckReq, message not complete");
    let mut asking = packets[2].clone();
    asking.bth.ack_req = true;
    model.receive(&asking);
    assert_eq!(model.acks, [due(99, 0)], "AckReq: nothing at the window's start has arrived");
    model.receive(&packets[0]);
    assert_eq!(model.acks[1..], [due(102, 1)], "the message completes: all three PSNs");
    model.receive(&asking);
    assert_eq!(model.acks[2..], [due(102, 1)], "a duplicate asking again is acknowledged again");
    model.receive(&packets[1]);
    let mut send = asking.clone();
    send.bth.opcode = opcode::SEND_ONLY;
    model.receive(&send);
    assert_eq!(model.acks.len(), 3, "a silent duplicate and software's packet: no ACK");
    // Reopening starts the count again; PSN 0 acknowledges 0xFFFFFF.
    assert_eq!(model.open_qp(0x12, 0, 0x778), Ok(()));
    model.receive(&asking);
    assert_eq!(model.acks.len(), 3, "no transaction: software's");
    let mut wrap = write_message(&template(), 0, 0xA000, 0x77, 256, &data[..256], None).remove(0);
    wrap.bth.ack_req = true;
    assert!(model.install(transaction(0x12, 0, 0xA000, 512, 256)).is_ok());
    model.receive(&wrap);
    assert_eq!(model.acks[3..], [AckDue { qp: 0x12, remote_qp: 0x778, psn: 0, msn: 0 }]);
}
