//! The placement decision against the placement model (`models::rdma::PlacementModel`):
//! host commands (open and close QPs, install and retire transactions) and the headers of
//! RoCEv2 packets — RDMA WRITE messages shuffled, duplicated and broken in every way the
//! model knows, mixed with traffic that is not offloaded — with random idle on the inputs
//! and random backpressure on the verdicts. Every command's answer, every packet's verdict
//! (action, reason, address, length) and every completion it carries must match the model.
use super::rdma_table::{install_answer, install_fields};
use super::{verilated, Backend, BoxedSim};
use crate::bfm::pattern::{Pattern, Throttle};
use crate::models::rdma::{
    opcode, write_message, Bth, FallbackReason, Outcome, PlacementModel, RocePacket, Transaction, PSN_MASK,
};
use crate::tb::{Tb, TbConfig};
use anyhow::{bail, ensure, Result};
use ferronic_hdl::rdma::decide::{
    PacketDecider, ACTION_DROP, ACTION_PLACE, ACTION_SOFTWARE, OP_CLOSE_QP, OP_INSTALL, OP_OPEN_QP, OP_RETIRE,
    QP_SLOTS, REASON_BAD_LENGTH, REASON_NOT_OFFLOADED, REASON_NO_TRANSACTION, REASON_OUT_OF_BOUNDS,
    REASON_OUT_OF_WINDOW, REASON_RKEY_MISMATCH, REASON_UNKNOWN_QP, STATUS_QP_BUSY, WINDOW,
};
use ferronic_hdl::rdma::table::{STATUS_NOT_FOUND, STATUS_OK};
use ferronic_sim::native::NativeSim;
use rand::rngs::SmallRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use std::collections::VecDeque;

/// Entries of the decider's transaction table.
pub const TABLE_ENTRIES: usize = 256;

pub fn build(backend: Backend) -> Result<BoxedSim> {
    Ok(match backend {
        Backend::Verilator => verilated("rdma_decide", "", PacketDecider::default)?,
        Backend::RustHdl => Box::new(NativeSim::new(PacketDecider::default())?),
    })
}

/// The model the decider must match.
pub fn model() -> PlacementModel {
    PlacementModel::new(TABLE_ENTRIES, QP_SLOTS, WINDOW as u32)
}

/// One input to the decider.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DecideOp {
    /// `remote_qp`: the requester's QP, where the QP's acknowledgements go.
    OpenQp {
        qp: u32,
        psn: u32,
        remote_qp: u32,
    },
    CloseQp {
        qp: u32,
    },
    Install(Transaction),
    Retire {
        qp: u32,
        first_psn: u32,
    },
    Packet(RocePacket),
}

/// What the decider did over a run, by kind.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DecideReport {
    pub placed: u64,
    pub duplicates: u64,
    /// Packets sent to software, by `REASON_*` value.
    pub software: [u64; 8],
    pub completions: u64,
    /// Verdicts that owe an acknowledgement.
    pub acks: u64,
    pub commands_refused: u64,
    pub cycles: u64,
}

fn template(rng: &mut SmallRng) -> RocePacket {
    RocePacket {
        src_mac: rng.gen(),
        dst_mac: rng.gen(),
        src_ip: rng.gen(),
        dst_ip: rng.gen(),
        src_port: rng.gen(),
        bth: Bth { opcode: 0, solicited: false, pad_count: 0, pkey: 0xFFFF, dest_qp: 0, ack_req: false, psn: 0 },
        reth: None,
        imm: None,
        payload: vec![],
    }
}

/// Random traffic for `messages` RDMA WRITE messages over four QPs (two of them sharing a
/// context slot, so one cannot open while the other is), each message's packets shuffled
/// and some sent twice. Now and then a message is broken — never installed, its region
/// too short, a wrong R_Key, a packet lost, the transaction retired or the QP closed
/// half-way — and the host then recovers the QP (opens it again at the next PSN, retires
/// what is left); now and then a SEND or a packet for a QP that was never opened.
pub fn random_traffic(messages: usize, seed: u64) -> Vec<DecideOp> {
    let mut rng = SmallRng::seed_from_u64(seed);
    let base = rng.gen_range(0..1u32 << 24);
    let qps = [base, (base + QP_SLOTS as u32) & PSN_MASK, (base + 1) & PSN_MASK, (base + 7) & PSN_MASK];
    let mut next_psn: Vec<u32> = qps
        .iter()
        .map(|_| if rng.gen() { PSN_MASK - rng.gen_range(0..20) } else { rng.gen_range(0..=PSN_MASK) })
        .collect();
    let mut ops: Vec<DecideOp> =
        qps.iter().zip(&next_psn).map(|(&qp, &psn)| DecideOp::OpenQp { qp, psn, remote_qp: qp ^ 0x80_0001 }).collect();
    let template = template(&mut rng);
    // AckReq from its own stream, so the traffic's other choices do not move with it.
    let mut ack_rng = SmallRng::seed_from_u64(seed ^ 0xACC);
    // Per QP, the ops still to send, in order; merged at random.
    let mut streams: Vec<VecDeque<DecideOp>> = vec![VecDeque::new(); qps.len()];
    for _ in 0..messages {
        let q = rng.gen_range(0..qps.len());
        let qp = qps[q];
        let mtu = 256u32 << rng.gen_range(0..5);
        let len = match rng.gen_range(0..4) {
            0 => rng.gen_range(0..=64),
            _ => rng.gen_range(1..=mtu as usize * 5),
        };
        let first_psn = next_psn[q];
        let va = rng.gen_range(0..u64::MAX - (1 << 20));
        let rkey: u32 = rng.gen();
        let imm = rng.gen_bool(0.3).then(|| rng.gen());
        let data: Vec<u8> = (0..len).map(|_| rng.gen()).collect();
        let mut packets = write_message(&template, first_psn, va, rkey, mtu as usize, &data, imm);
        for p in &mut packets {
            p.bth.dest_qp = qp;
        }
        let t = Transaction {
            qp,
            first_psn,
            packets: packets.len() as u32,
            va,
            length: len as u32,
            rkey,
            mtu,
            cq: rng.gen(),
            function: rng.gen(),
        };
        let stream = &mut streams[q];
        let mut broken = true;
        match rng.gen_range(0..24) {
            0 => {} // never installed
            1 => stream.push_back(DecideOp::Install(Transaction { length: t.length.saturating_sub(1), ..t })),
            2 => {
                stream.push_back(DecideOp::Install(t));
                packets[0].reth.as_mut().expect("the first packet has a RETH").rkey ^= 1;
            }
            3 if packets.len() > 1 => {
                stream.push_back(DecideOp::Install(t));
                let lost = rng.gen_range(0..packets.len());
                packets.remove(lost);
            }
            4 if packets.len() > 1 => {
                stream.push_back(DecideOp::Install(t));
                let at = rng.gen_range(1..packets.len());
                let rest = packets.split_off(at);
                packets.push(RocePacket { payload: vec![0; 7], ..rest[0].clone() }); // a short middle
                packets.extend(rest);
            }
            _ => {
                stream.push_back(DecideOp::Install(t));
                broken = false;
            }
        }
        // Requesters ask for an ACK now and then (usually on a message's last packet).
        for p in packets.iter_mut() {
            p.bth.ack_req = ack_rng.gen_bool(0.2);
        }
        // Shuffle and duplicate within the message (so within the window).
        packets.shuffle(&mut rng);
        let copies: Vec<RocePacket> = packets.iter().filter(|_| rng.gen_bool(0.15)).cloned().collect();
        for c in copies {
            let at = rng.gen_range(0..=packets.len());
            packets.insert(at, c);
        }
        let cut = if rng.gen_range(0..30) == 0 { rng.gen_range(0..=packets.len()) } else { packets.len() };
        stream.extend(packets[..cut].iter().cloned().map(DecideOp::Packet));
        if cut < packets.len() {
            // The host retires the transaction, or closes the QP, half-way.
            if rng.gen() {
                stream.push_back(DecideOp::Retire { qp, first_psn });
            } else {
                stream.push_back(DecideOp::CloseQp { qp });
            }
            stream.extend(packets[cut..].iter().cloned().map(DecideOp::Packet));
            broken = true;
        }
        next_psn[q] = (first_psn + t.packets) & PSN_MASK;
        if broken {
            stream.push_back(DecideOp::Retire { qp, first_psn });
            stream.push_back(DecideOp::OpenQp { qp, psn: next_psn[q], remote_qp: ack_rng.gen_range(0..1 << 24) });
        }
        if rng.gen_range(0..10) == 0 {
            let mut other = packets_of_other_kinds(&template, &mut rng, qp, next_psn[q]);
            stream.push_back(DecideOp::Packet(other.remove(0)));
        }
    }
    while streams.iter().any(|s| !s.is_empty()) {
        let q = rng.gen_range(0..streams.len());
        if let Some(op) = streams[q].pop_front() {
            ops.push(op);
        }
    }
    ops
}

/// A SEND, or a WRITE for a QP nobody opened.
fn packets_of_other_kinds(template: &RocePacket, rng: &mut SmallRng, qp: u32, psn: u32) -> Vec<RocePacket> {
    let mut p = template.clone();
    p.bth.dest_qp = qp;
    p.bth.psn = psn;
    if rng.gen() {
        p.bth.opcode = opcode::SEND_ONLY;
    } else {
        p.bth.opcode = opcode::WRITE_MIDDLE;
        p.bth.dest_qp = rng.gen_range(0..=PSN_MASK);
    }
    p.payload = vec![0x5A; rng.gen_range(0..300)];
    vec![p]
}

pub fn reason_code(r: FallbackReason) -> u64 {
    match r {
        FallbackReason::UnknownQp => REASON_UNKNOWN_QP,
        FallbackReason::NoTransaction => REASON_NO_TRANSACTION,
        FallbackReason::OutOfWindow => REASON_OUT_OF_WINDOW,
        FallbackReason::NotOffloaded => REASON_NOT_OFFLOADED,
        FallbackReason::RkeyMismatch => REASON_RKEY_MISMATCH,
        FallbackReason::OutOfBounds => REASON_OUT_OF_BOUNDS,
        FallbackReason::BadLength => REASON_BAD_LENGTH,
    }
}

/// The command ports, in the order of [`command_fields`]' values.
pub const COMMAND_PORTS: [&str; 10] = [
    "cmd_op",
    "cmd_qp",
    "cmd_first_psn",
    "cmd_packets",
    "cmd_va",
    "cmd_length",
    "cmd_rkey",
    "cmd_path_mtu",
    "cmd_cq",
    "cmd_function",
];

/// The `cmd_*` values of a command: op, QP, first PSN, packets, VA, length, R_Key, path
/// MTU, CQ, function.
pub fn command_fields(op: &DecideOp) -> [u64; 10] {
    match *op {
        DecideOp::Install(t) => {
            let mut fields = [OP_INSTALL, 0, 0, 0, 0, 0, 0, 0, 0, 0];
            fields[1..].copy_from_slice(&install_fields(&t));
            fields
        }
        DecideOp::Retire { qp, first_psn } => [OP_RETIRE, qp as u64, first_psn as u64, 0, 0, 0, 0, 0, 0, 0],
        // Open carries the requester's QP where install carries its packet count.
        DecideOp::OpenQp { qp, psn, remote_qp } => {
            [OP_OPEN_QP, qp as u64, psn as u64, remote_qp as u64, 0, 0, 0, 0, 0, 0]
        }
        DecideOp::CloseQp { qp } => [OP_CLOSE_QP, qp as u64, 0, 0, 0, 0, 0, 0, 0, 0],
        DecideOp::Packet(_) => unreachable!("packets are not commands"),
    }
}

/// The model does a command: the status the decider must answer with, and the entry when
/// the table took or freed one.
pub fn model_command(model: &mut PlacementModel, op: &DecideOp) -> (u64, Option<usize>) {
    match *op {
        DecideOp::Install(t) => install_answer(model.install(t)),
        DecideOp::Retire { qp, first_psn } => match model.retire(qp, first_psn) {
            Some(entry) => (STATUS_OK, Some(entry)),
            None => (STATUS_NOT_FOUND, None),
        },
        DecideOp::OpenQp { qp, psn, remote_qp } => match model.open_qp(qp, psn, remote_qp) {
            Ok(()) => (STATUS_OK, None),
            Err(_) => (STATUS_QP_BUSY, None),
        },
        DecideOp::CloseQp { qp } => (if model.close_qp(qp) { STATUS_OK } else { STATUS_NOT_FOUND }, None),
        DecideOp::Packet(_) => unreachable!("packets are not commands"),
    }
}

/// A verdict as the ports give it: action, reason, address, length, then whether it
/// completes a message, CQ, QP, message length, immediate present, immediate; then whether
/// an acknowledgement is owed, the requester's QP, the PSN acknowledged, the MSN.
type Verdict = [u64; 14];

/// The model decides a packet: the verdict the decider must give (don't-care fields 0).
fn model_packet(model: &mut PlacementModel, p: &RocePacket) -> Verdict {
    let before = model.completions.len();
    let acks_before = model.acks.len();
    let outcome = model.receive(p);
    let mut v = [0u64; 14];
    match outcome {
        Outcome::Placed { addr, len, .. } => {
            v[0] = ACTION_PLACE;
            v[2] = addr;
            v[3] = len as u64;
        }
        Outcome::Duplicate => v[0] = ACTION_DROP,
        Outcome::Fallback { reason, .. } => {
            v[0] = ACTION_SOFTWARE;
            v[1] = reason_code(reason);
        }
    }
    if let Some(c) = model.completions.get(before) {
        v[4] = 1;
        v[5] = c.cq as u64;
        v[6] = c.qp as u64;
        v[7] = c.length as u64;
        v[8] = c.imm.is_some() as u64;
        v[9] = c.imm.unwrap_or(0) as u64;
    }
    if let Some(a) = model.acks.get(acks_before) {
        v[10] = 1;
        v[11] = a.remote_qp as u64;
        v[12] = a.psn as u64;
        v[13] = a.msn as u64;
    }
    v
}

/// Runs `ops` through the decider: commands on `cmd_*`, packets on `pkt_*`, each after
/// random idle cycles (`idle`), verdicts taken under `backpressure`.
pub fn run(
    sim: BoxedSim,
    ops: Vec<DecideOp>,
    idle: Pattern,
    backpressure: Pattern,
    config: &TbConfig,
) -> Result<DecideReport> {
    let report = std::rc::Rc::new(std::cell::RefCell::new(DecideReport::default()));
    let out = report.clone();
    Tb::run(sim, config, move |tb| async move {
        tb.reset(3).await?;
        let ports = |names: &[&str]| -> Result<Vec<_>> { names.iter().map(|n| tb.port(n)).collect() };
        let control = ports(&[
            "cmd_valid",
            "cmd_ready",
            "pkt_valid",
            "pkt_ready",
            "done_valid",
            "verdict_valid",
            "verdict_ready",
        ])?;
        let (cmd_valid, cmd_ready, pkt_valid, pkt_ready) = (control[0], control[1], control[2], control[3]);
        let (done_valid, verdict_valid, verdict_ready) = (control[4], control[5], control[6]);
        let cmd_fields = ports(&COMMAND_PORTS)?;
        let pkt_fields =
            ports(&["pkt_opcode", "pkt_qp", "pkt_psn", "pkt_va", "pkt_rkey", "pkt_imm", "pkt_length", "pkt_ack_req"])?;
        let done_fields = ports(&["done_status", "done_entry"])?;
        let verdict_fields = ports(&[
            "verdict_action",
            "verdict_reason",
            "verdict_addr",
            "verdict_length",
            "verdict_complete",
            "verdict_cq",
            "verdict_qp",
            "verdict_message_length",
            "verdict_has_imm",
            "verdict_imm",
            "verdict_ack",
            "verdict_ack_qp",
            "verdict_ack_psn",
            "verdict_msn",
        ])?;
        let counters = ports(&["placed_packets", "dropped_duplicates", "software_packets", "entries"])?;

        let mut model = model();
        let mut rng = tb.rng();
        let mut idle = Throttle::new(idle, tb.rng());
        let mut backpressure = Throttle::new(backpressure, tb.rng());
        let mut pending: VecDeque<DecideOp> = ops.into();
        let mut offered: Option<DecideOp> = None;
        let mut answers: VecDeque<(DecideOp, u64, Option<usize>)> = VecDeque::new();
        let mut verdicts: VecDeque<(RocePacket, Verdict)> = VecDeque::new();
        let mut counts = DecideReport::default();
        let mut ready = false;
        let start = tb.cycle();
        let deadline = start + 2000 + 60 * pending.len() as u64;
        loop {
            tb.read_only().await;
            let now = tb.cycle();
            ensure!(
                now < deadline,
                "hung: {} inputs left, {} answers owed",
                pending.len(),
                answers.len() + verdicts.len()
            );
            if tb.get(done_valid) != 0 {
                let Some((op, status, entry)) = answers.pop_front() else {
                    bail!("cycle {now}: an answer to no command")
                };
                let got = [tb.get(done_fields[0]), tb.get(done_fields[1])];
                let want = [status, entry.map_or(got[1], |e| e as u64)];
                ensure!(got == want, "{op:?}: (status, entry) {got:?}, the model says {want:?}");
                counts.commands_refused += (status != STATUS_OK) as u64;
            }
            if ready && tb.get(verdict_valid) != 0 {
                let Some((packet, want)) = verdicts.pop_front() else { bail!("cycle {now}: a verdict for no packet") };
                let mut got: Verdict = [0; 14];
                for (g, &port) in got.iter_mut().zip(&verdict_fields) {
                    *g = tb.get(port);
                }
                // Fields that mean nothing for this verdict are not compared.
                if want[0] != ACTION_PLACE {
                    got[2..4].fill(0);
                }
                if want[0] == ACTION_DROP {
                    got[1] = 0;
                }
                if got[4] == 0 && want[4] == 0 {
                    got[5..10].fill(0);
                } else if got[8] == 0 && want[8] == 0 {
                    got[9] = 0;
                }
                if got[10] == 0 && want[10] == 0 {
                    got[11..].fill(0);
                }
                ensure!(
                    got == want,
                    "packet {:#x} PSN {:#x} (opcode {:#x}, {} bytes): verdict (action, reason, address, length, complete, \
                     CQ, QP, message length, has imm, imm, ACK, requester's QP, ACK PSN, MSN) {got:x?}, the model says \
                     {want:x?}",
                    packet.bth.dest_qp,
                    packet.bth.psn,
                    packet.bth.opcode,
                    packet.payload.len()
                );
                match want[0] {
                    ACTION_PLACE => counts.placed += 1,
                    ACTION_DROP => counts.duplicates += 1,
                    _ => counts.software[want[1] as usize] += 1,
                }
                counts.completions += want[4];
                counts.acks += want[10];
            }
            // The offered input was taken this cycle: the model does it now.
            if let Some(op) = offered.take() {
                let taken = match &op {
                    DecideOp::Packet(_) => tb.get(pkt_ready) != 0,
                    _ => tb.get(cmd_ready) != 0,
                };
                match (&op, taken) {
                    (_, false) => offered = Some(op),
                    (DecideOp::Packet(p), true) => {
                        let v = model_packet(&mut model, p);
                        verdicts.push_back((p.clone(), v));
                    }
                    (_, true) => {
                        let (status, entry) = model_command(&mut model, &op);
                        answers.push_back((op, status, entry));
                    }
                }
            }
            if offered.is_none() && pending.is_empty() && answers.is_empty() && verdicts.is_empty() {
                break;
            }
            if offered.is_none() && !idle.hold() {
                offered = pending.pop_front();
                match &offered {
                    Some(DecideOp::Packet(p)) => {
                        let reth = p.reth.unwrap_or_else(|| crate::models::rdma::Reth {
                            va: rng.gen(),
                            rkey: rng.gen(),
                            dma_len: 0,
                        });
                        let values = [
                            p.bth.opcode as u64,
                            p.bth.dest_qp as u64,
                            p.bth.psn as u64,
                            reth.va,
                            reth.rkey as u64,
                            p.imm.unwrap_or_else(|| rng.gen()) as u64,
                            p.payload.len() as u64,
                            p.bth.ack_req as u64,
                        ];
                        for (&port, value) in pkt_fields.iter().zip(values) {
                            tb.set(port, value);
                        }
                    }
                    Some(op) => {
                        for (&port, value) in cmd_fields.iter().zip(command_fields(op)) {
                            tb.set(port, value);
                        }
                    }
                    None => {}
                }
            }
            tb.set(pkt_valid, matches!(offered, Some(DecideOp::Packet(_))) as u64);
            tb.set(cmd_valid, matches!(offered, Some(ref op) if !matches!(op, DecideOp::Packet(_))) as u64);
            ready = !backpressure.hold();
            tb.set(verdict_ready, ready as u64);
        }
        tb.cycles(2).await;
        let got: Vec<u64> = counters.iter().map(|&c| tb.get(c)).collect();
        let software: u64 = counts.software.iter().sum();
        let want = vec![counts.placed, counts.duplicates, software, model.table.len() as u64];
        ensure!(got == want, "counters (placed, duplicates, software, entries) {got:?}, the model says {want:?}");
        counts.cycles = tb.cycle() - start;
        *out.borrow_mut() = counts;
        Ok(())
    })?;
    let r = report.borrow().clone();
    Ok(r)
}
