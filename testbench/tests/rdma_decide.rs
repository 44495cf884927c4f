//! The placement decision: verdicts, completions and command answers against the placement
//! model, for shuffled, duplicated and broken RDMA WRITE messages and other traffic, under
//! random idle and backpressure, on both backends; each bad input on purpose.
use ferronic_hdl::rdma::decide::{
    REASON_BAD_LENGTH, REASON_NOT_OFFLOADED, REASON_NO_TRANSACTION, REASON_OUT_OF_BOUNDS, REASON_OUT_OF_WINDOW,
    REASON_RKEY_MISMATCH, REASON_UNKNOWN_QP,
};
use ferronic_testbench::bfm::Pattern;
use ferronic_testbench::models::rdma::{opcode, write_message, Bth, RocePacket, Transaction, PSN_MASK};
use ferronic_testbench::scenarios::rdma_decide::{build, random_traffic, run, DecideOp};
use ferronic_testbench::scenarios::Backend;
use ferronic_testbench::TbConfig;
use proptest::prelude::*;
mod common;
use common::pattern;

#[test]
fn random_traffic_gets_the_models_verdicts_on_both_backends() {
    let cases = [(Pattern::Never, Pattern::Never), (Pattern::Random(0.4), Pattern::Random(0.4))];
    for backend in Backend::ALL {
        for (i, (idle, backpressure)) in cases.into_iter().enumerate() {
            let messages = if backend == Backend::RustHdl { 15 } else { 300 };
            let config = TbConfig::from_env("rdma_decide", 30 + i as u64);
            let report =
                run(build(backend).unwrap(), random_traffic(messages, 30 + i as u64), idle, backpressure, &config)
                    .unwrap_or_else(|e| panic!("{backend:?} {idle:?}/{backpressure:?}: {e:?}"));
            if backend == Backend::Verilator {
                // The mix must reach every verdict, or the test proves less than it says.
                let r = &report;
                assert!(
                    r.placed > 0 && r.duplicates > 0 && r.completions > 0 && r.acks > 0 && r.commands_refused > 0,
                    "{r:?}"
                );
                for reason in [
                    REASON_UNKNOWN_QP,
                    REASON_NO_TRANSACTION,
                    REASON_NOT_OFFLOADED,
                    REASON_RKEY_MISMATCH,
                    REASON_OUT_OF_BOUNDS,
                    REASON_BAD_LENGTH,
                ] {
                    assert!(r.software[reason as usize] > 0, "reason {reason} never seen: {r:?}");
                }
            }
        }
    }
}

fn template() -> RocePacket {
    RocePacket {
        src_mac: [2, 0, 0, 0, 0, 1],
        dst_mac: [2, 0, 0, 0, 0, 2],
        src_ip: [10, 0, 0, 1],
        dst_ip: [10, 0, 0, 2],
        src_port: 0xC000,
        bth: Bth { opcode: 0, solicited: false, pad_count: 0, pkey: 0xFFFF, dest_qp: 0x42, ack_req: false, psn: 0 },
        reth: None,
        imm: None,
        payload: vec![],
    }
}

/// The QP of the directed tests, and its R_Key; their messages have a 256-byte MTU.
const QP: u32 = 0x42;
const RKEY: u32 = 0x99;

/// An RDMA WRITE message to `QP`.
fn message_to_qp(first_psn: u32, va: u64, data: &[u8], imm: Option<u32>) -> Vec<RocePacket> {
    let mut packets = write_message(&template(), first_psn, va, RKEY, 256, data, imm);
    for p in &mut packets {
        p.bth.dest_qp = QP;
    }
    packets
}

/// A transaction of `QP` for `length` bytes (at least one packet).
fn transaction_of_qp(first_psn: u32, va: u64, length: usize) -> Transaction {
    Transaction {
        qp: QP,
        first_psn,
        packets: length.div_ceil(256).max(1) as u32,
        va,
        length: length as u32,
        rkey: RKEY,
        mtu: 256,
        cq: 3,
        function: 1,
    }
}

/// Each bad input on purpose, in one run: a wrong R_Key, a region too short, a short
/// middle packet, a PSN past the window, duplicates (one behind the window), a SEND, a
/// closed QP, a QP never opened, an open refused for a busy slot, a PSN no transaction
/// covers; the good message among them completes, out of order across the PSN wrap.
#[test]
fn every_bad_input_gets_its_verdict() {
    let qp = QP;
    let first = PSN_MASK - 2;
    let data = vec![7u8; 4 * 256];
    let good = message_to_qp(first, 0x1_0000, &data, Some(0xABCD));
    let mut ops = vec![
        DecideOp::OpenQp { qp, psn: first, remote_qp: 0xAB_CDEF },
        DecideOp::OpenQp { qp: qp + 256, psn: 0, remote_qp: 1 }, // the same slot: refused
        DecideOp::Install(transaction_of_qp(first, 0x1_0000, data.len())),
    ];
    let mut wrong_key = good[0].clone();
    wrong_key.reth.as_mut().unwrap().rkey = 0x98;
    let mut short_middle = good[1].clone();
    short_middle.payload.truncate(100);
    let mut send = good[1].clone();
    send.bth.opcode = opcode::SEND_ONLY;
    // A transaction 64 PSNs on: its packet is past the window.
    let far_psn = (first + 64) & PSN_MASK;
    ops.push(DecideOp::Install(transaction_of_qp(far_psn, 0x3_0000, 256)));
    let far = message_to_qp(far_psn, 0x3_0000, &data[..256], None).remove(0);
    let mut stranger = good[1].clone();
    stranger.bth.dest_qp = 0x777;
    ops.extend(
        [wrong_key, short_middle, send, far, stranger, good[3].clone(), good[1].clone(), good[1].clone()]
            .map(DecideOp::Packet),
    );
    ops.extend([good[2].clone(), good[0].clone(), good[0].clone()].map(DecideOp::Packet));
    // The next message's region is one byte short: its last packet would run past it.
    let next = (first + 4) & PSN_MASK;
    let short_region = message_to_qp(next, 0x2_0000, &data[..300], None);
    ops.push(DecideOp::Install(transaction_of_qp(next, 0x2_0000, 299)));
    ops.extend(short_region.iter().cloned().map(DecideOp::Packet));
    // The host gives up on it and moves the QP on; a packet where no transaction is.
    ops.push(DecideOp::Retire { qp, first_psn: next });
    ops.push(DecideOp::OpenQp { qp, psn: (next + 2) & PSN_MASK, remote_qp: 0x12_3456 });
    let mut orphan = good[1].clone();
    orphan.bth.psn = (next + 2) & PSN_MASK;
    ops.push(DecideOp::Packet(orphan));
    // Closed: its packets go to software.
    ops.push(DecideOp::CloseQp { qp });
    ops.push(DecideOp::Packet(good[0].clone()));
    ops.push(DecideOp::CloseQp { qp });
    for backend in Backend::ALL {
        let report =
            run(build(backend).unwrap(), ops.clone(), Pattern::Never, Pattern::Never, &TbConfig::new(2)).unwrap();
        // Placed: good 3, 1, 2, 0 and the short region's first packet.
        assert_eq!((report.placed, report.duplicates, report.completions), (5, 2, 1), "{backend:?}: {report:?}");
        let s = report.software;
        assert_eq!(
            [
                s[REASON_RKEY_MISMATCH as usize],
                s[REASON_BAD_LENGTH as usize],
                s[REASON_NOT_OFFLOADED as usize],
                s[REASON_OUT_OF_WINDOW as usize],
                s[REASON_UNKNOWN_QP as usize],
                s[REASON_OUT_OF_BOUNDS as usize],
                s[REASON_NO_TRANSACTION as usize],
            ],
            [1, 1, 1, 1, 2, 1, 1],
            "{backend:?}: {report:?}"
        );
        // Refused: the open of the busy slot, the second close.
        assert_eq!(report.commands_refused, 2, "{backend:?}: {report:?}");
    }
}

/// The bounds compare is split at bit 33 (two halves a cycle, for timing). Regions around
/// 8 GiB: a message whose first packet ends below 2^33 inside a region ending above it is
/// placed (the low halves alone would say "past the end"); a packet starting at 2^33 past a
/// region ending below it goes to software (the high halves alone decide).
#[test]
fn bounds_hold_where_the_address_crosses_eight_gib() {
    let eight_gib = 1u64 << 33;
    let data = vec![5u8; 3 * 256];
    let mut ops = vec![
        DecideOp::OpenQp { qp: QP, psn: 0, remote_qp: 7 },
        DecideOp::Install(transaction_of_qp(0, eight_gib - 512, data.len())),
        DecideOp::Install(transaction_of_qp(3, eight_gib - 512, 256)),
    ];
    ops.extend(message_to_qp(0, eight_gib - 512, &data, None).into_iter().map(DecideOp::Packet));
    ops.extend(message_to_qp(3, eight_gib, &data[..256], None).into_iter().map(DecideOp::Packet));
    for backend in Backend::ALL {
        let report =
            run(build(backend).unwrap(), ops.clone(), Pattern::Never, Pattern::Never, &TbConfig::new(3)).unwrap();
        assert_eq!((report.placed, report.completions), (3, 1), "{backend:?}: {report:?}");
        assert_eq!(report.software[REASON_OUT_OF_BOUNDS as usize], 1, "{backend:?}: {report:?}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]
    #[test]
    fn any_traffic_gets_the_models_verdicts(seed in any::<u64>(), messages in 1usize..60, idle in pattern(0.8), backpressure in pattern(0.8)) {
        let report = run(build(Backend::Verilator).unwrap(), random_traffic(messages, seed), idle, backpressure, &TbConfig::new(seed));
        prop_assert!(report.is_ok(), "{:?}", report.err());
    }
}
