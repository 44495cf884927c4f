//! The RDMA receive path end to end against the placement model: frames in (RDMA WRITE
//! messages shuffled, duplicated and broken as the decider's scenario makes them, mixed
//! with other traffic, bad ICRCs, cut-short frames and frames the MAC flagged), host
//! commands between them, host memory with latency, backpressure and error ranges behind
//! `m_axi`. Host memory must end byte for byte as the model's placements say, every frame
//! not placed must reach the software path whole with its reason, the completions and
//! write-failure records must come in the model's order, and the acknowledgements on
//! `m_axis_ack` must be the ones the model owes, in order, byte for byte (less those the
//! path counts as dropped).
use super::dma_write::beats_touch_error;
use super::rdma_decide::{
    command_fields, model, model_command, random_traffic as decider_traffic, reason_code, COMMAND_PORTS,
};
use super::roce_parser::random_frames as parser_frames;
use super::{verilated, Backend, BoxedSim};
use crate::bfm::axi4::ErrorRange;
use crate::bfm::axis::{frame_to_beats, AxisBeat};
use crate::bfm::channel::{count_transfers, ChannelPorts, ChannelSink};
use crate::bfm::pattern::Throttle;
use crate::bfm::window_lookup::serve_window_lookups;
use crate::bfm::{
    Axi4Memory, Axi4MemoryConfig, Axi4Monitor, AxisMonitor, AxisSink, AxisSource, FrameCollector, Pattern, SparseMemory,
};
use crate::models::rdma::Transaction;
use crate::models::rdma::{decode, Ack, Completion, NotRoce, Outcome, PlacementModel};
use crate::models::windows::WindowTable;
use crate::tb::{Tb, TbConfig};
use anyhow::{bail, ensure, Result};
use ferronic_hdl::rdma::receive::{RdmaReceive, FRAME_STORE_BEATS, PASS_NOT_ROCE};
use ferronic_hdl::regs::nic::WINDOW_FUNCTIONS;
use ferronic_sim::native::NativeSim;
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

pub use super::rdma_decide::DecideOp;

pub fn build(backend: Backend) -> Result<BoxedSim> {
    Ok(match backend {
        Backend::Verilator => verilated("rdma_receive", "", RdmaReceive::default)?,
        Backend::RustHdl => Box::new(NativeSim::new(RdmaReceive::default())?),
    })
}

/// One input: a host command (never `DecideOp::Packet`), or a frame from the MAC.
#[derive(Clone, Debug)]
pub enum ReceiveOp {
    Command(DecideOp),
    Frame { bytes: Vec<u8>, mac_error: bool },
}

#[derive(Clone, Debug)]
pub struct ReceiveRun {
    pub ops: Vec<ReceiveOp>,
    pub memory: Axi4MemoryConfig,
    /// Idle between frame beats and before commands.
    pub idle: Pattern,
    /// On the software path and the completion and failure outputs.
    pub backpressure: Pattern,
    /// On the acknowledgements (in the NIC they wait for `m_axis_tx` between TX frames).
    pub ack_backpressure: Pattern,
    /// The DMA window of each function, as the NIC's `dma_windows` would answer the path's
    /// lookups: a placement outside its transaction's function's window must not be
    /// written (memory outside the windows is forbidden to the memory model), and comes out
    /// as a failed write.
    pub windows: WindowTable,
}

impl ReceiveRun {
    /// Every window all of memory, as after reset.
    pub fn new(ops: Vec<ReceiveOp>, memory: Axi4MemoryConfig, idle: Pattern, backpressure: Pattern) -> Self {
        Self { ops, memory, idle, backpressure, ack_backpressure: backpressure, windows: WindowTable::default() }
    }
}

impl ReceiveReport {
    /// The counts, without the per-frame list and the memory (for messages).
    pub fn summary(&self) -> String {
        format!(
            "placed {}, duplicates {}, passed by reason {:?}, dropped bad {}, MAC errors {}, completions {}, \
             write failures {} ({} outside a window), ACKs {} ({} dropped), payload bytes {}, cycles {}",
            self.placed,
            self.duplicates,
            self.passed,
            self.dropped_bad,
            self.mac_errors,
            self.completions,
            self.write_failures,
            self.window_refusals,
            self.acks.len(),
            self.ack_drops,
            self.payload_bytes,
            self.cycles
        )
    }
}

/// What happened over a run, by kind.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReceiveReport {
    pub placed: u64,
    pub duplicates: u64,
    /// Frames passed to software, by reason (`PASS_NOT_ROCE` or a `REASON_*`).
    pub passed: [u64; 8],
    /// RoCEv2 frames dropped for a bad ICRC, cut short, or flagged by the MAC.
    pub dropped_bad: u64,
    pub mac_errors: u64,
    pub completions: u64,
    pub write_failures: u64,
    /// Of those, placements refused for lying outside their function's window.
    pub window_refusals: u64,
    pub payload_bytes: u64,
    pub cycles: u64,
    /// W beats taken on `m_axi`, and the cycles from the first to the last, inclusive.
    pub w_beats: u64,
    pub w_span: u64,
    /// What became of each frame, in input order.
    pub frames: Vec<FrameOutcome>,
    /// The completions and write failures, in the order they left.
    pub events: Vec<PosterEvent>,
    /// Each command's answer (`done_status`), in order.
    pub answers: Vec<u64>,
    /// Host memory at the end over each installed transaction's region `[va, va + length)`.
    pub regions: Vec<(u64, Vec<u8>)>,
    /// The acknowledgements sent, in order, and how many the path dropped (its queue full).
    pub acks: Vec<Ack>,
    pub ack_drops: u64,
}

/// What became of one frame: the verdict the path was checked against, and for a placed
/// payload whether its write failed (an error range of the memory, or outside the window).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FrameOutcome {
    pub verdict: RdmaFrame,
    pub write_failed: bool,
    /// The acknowledgement it made owed.
    pub ack: Option<Ack>,
}

/// What the poster gives, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PosterEvent {
    /// CQ, QP, message length, immediate (if any).
    Completion { cq: u64, qp: u64, length: u64, imm: Option<u64> },
    /// The placement write of (QP, PSN) failed.
    WriteFailed { cq: u64, qp: u64, psn: u64 },
}

/// Random traffic: the decider scenario's messages (`messages` of them) as frames, now and
/// then one flagged bad by the MAC, with the parser scenario's frames (other traffic, bad
/// ICRCs, cut-short and random RoCEv2 packets) mixed in; and error ranges over the regions of
/// about one transaction in twelve, so their placement writes fail.
pub fn random_traffic(messages: usize, seed: u64) -> (Vec<ReceiveOp>, Vec<ErrorRange>) {
    let mut rng = SmallRng::seed_from_u64(seed ^ 0x5EC0);
    let mut others = parser_frames(messages, seed).into_iter();
    let mut ops = Vec::new();
    let mut errors = Vec::new();
    for op in decider_traffic(messages, seed) {
        match op {
            DecideOp::Packet(p) => {
                ops.push(ReceiveOp::Frame { bytes: p.encode(), mac_error: rng.gen_range(0..60) == 0 });
                if rng.gen_range(0..4) == 0 {
                    if let Some(f) = others.next() {
                        ops.push(ReceiveOp::Frame { bytes: f.bytes, mac_error: f.mac_error });
                    }
                }
            }
            DecideOp::Install(t) => {
                if t.length > 0 && rng.gen_range(0..12) == 0 {
                    let resp = if rng.gen() { 2 } else { 3 };
                    errors.push(ErrorRange { range: t.va..t.va + t.length as u64, resp });
                }
                // A function with a DMA window: one past the table has none, and the path
                // would refuse all its placements.
                let function = t.function % WINDOW_FUNCTIONS as u8;
                ops.push(ReceiveOp::Command(DecideOp::Install(Transaction { function, ..t })));
            }
            op => ops.push(ReceiveOp::Command(op)),
        }
    }
    (ops, errors)
}

/// One long RDMA WRITE message of `bytes` bytes in packets of `mtu` bytes, as a lossy,
/// reordering network and a retransmitting peer deliver it: packets shuffled within runs
/// of 32, about 1 in 20 sent twice, about 1 in 40 lost and 1 in 40 arriving early — 64 or
/// more PSNs past the window (to software, `REASON_OUT_OF_WINDOW`) — each of those sent
/// again after the rest (go-back-N would resend all; the card needs only these).
pub fn long_message_traffic(bytes: usize, mtu: usize, seed: u64) -> Vec<ReceiveOp> {
    use crate::models::rdma::{write_message, Bth, RocePacket, Transaction, PSN_MASK};
    let mut rng = SmallRng::seed_from_u64(seed);
    let template = RocePacket {
        src_mac: rng.gen(),
        dst_mac: rng.gen(),
        src_ip: rng.gen(),
        dst_ip: rng.gen(),
        src_port: rng.gen(),
        bth: Bth {
            opcode: 0,
            solicited: false,
            pad_count: 0,
            pkey: 0xFFFF,
            dest_qp: rng.gen_range(0..=PSN_MASK),
            ack_req: false,
            psn: 0,
        },
        reth: None,
        imm: None,
        payload: vec![],
    };
    let data: Vec<u8> = (0..bytes).map(|_| rng.gen()).collect();
    let (qp, first_psn, va, rkey) =
        (template.bth.dest_qp, rng.gen_range(0..=PSN_MASK), rng.gen_range(0..1u64 << 48), rng.gen());
    let packets = write_message(&template, first_psn, va, rkey, mtu, &data, Some(rng.gen()));
    let transaction = Transaction {
        qp,
        first_psn,
        packets: packets.len() as u32,
        va,
        length: bytes as u32,
        rkey,
        mtu: mtu as u32,
        cq: rng.gen(),
        function: 0,
    };
    let mut ops = vec![
        ReceiveOp::Command(DecideOp::OpenQp { qp, psn: first_psn, remote_qp: qp + 1 }),
        ReceiveOp::Command(DecideOp::Install(transaction)),
    ];
    let frame = |p: &RocePacket| ReceiveOp::Frame { bytes: p.encode(), mac_error: false };
    let mut resend = Vec::new();
    let mut order: Vec<usize> = Vec::new();
    for run in (0..packets.len()).collect::<Vec<_>>().chunks(32) {
        let mut run = run.to_vec();
        for i in (1..run.len()).rev() {
            run.swap(i, rng.gen_range(0..=i));
        }
        order.extend(run);
    }
    for (sent, &i) in order.iter().enumerate() {
        // The peer resends a lost packet after 16 more (its timeout), well inside the window.
        while resend.first().is_some_and(|&(due, _)| due <= sent) {
            ops.push(frame(&packets[resend.remove(0).1]));
        }
        match rng.gen_range(0..40) {
            0 => resend.push((sent + 16, i)), // lost
            1 if i + 70 < packets.len() && sent + 1 < order.len() => {
                // Early: 64 or more PSNs ahead of the window; sent again in its turn.
                ops.push(frame(&packets[i + 70]));
                ops.push(frame(&packets[i]));
            }
            2 | 3 => {
                ops.push(frame(&packets[i]));
                ops.push(frame(&packets[i]));
            }
            _ => ops.push(frame(&packets[i])),
        }
    }
    ops.extend(resend.iter().map(|&(_, i)| frame(&packets[i])));
    ops
}

/// A frame as the frame store keeps it: one longer than the store cut at its size and
/// flagged bad (as the MAC flags a frame), any other as it came.
fn as_stored(mut bytes: Vec<u8>, mac_error: bool) -> (Vec<u8>, bool) {
    let store = FRAME_STORE_BEATS * 8;
    if bytes.len() > store {
        bytes.truncate(store);
        return (bytes, true);
    }
    (bytes, mac_error)
}

/// What the RDMA receive path does with one frame, by the models: the rule this block's
/// scenario and the NIC's receive scenario both expect against.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RdmaFrame {
    /// Not RoCEv2: on to the software path (reason `PASS_NOT_ROCE`) as stored.
    NotRoce {
        bytes: Vec<u8>,
        mac_error: bool,
    },
    /// RoCEv2 dropped: bad ICRC, cut short, or flagged bad by the MAC.
    BadIcrc,
    Truncated,
    MacError,
    /// The payload goes to `addr` (for a transaction of `function`, completing into `cq`);
    /// the message it completes, if it is the last one missing.
    Placed {
        cq: u16,
        qp: u64,
        psn: u64,
        function: u8,
        addr: u64,
        payload: Vec<u8>,
        completion: Option<Completion>,
    },
    Duplicate,
    /// On to the software path, whole, with the decider's reason.
    Software {
        bytes: Vec<u8>,
        reason: u64,
    },
}

/// Decides a frame as sent (with the MAC's flag) against the placement model, which
/// advances as the path would; with the acknowledgement the frame makes owed.
pub fn rdma_frame(model: &mut PlacementModel, sent: Vec<u8>, mac_error: bool) -> (RdmaFrame, Option<Ack>) {
    let (bytes, mac_error) = as_stored(sent, mac_error);
    let packet = match decode(&bytes) {
        Err(NotRoce::OtherTraffic) => return (RdmaFrame::NotRoce { bytes, mac_error }, None),
        Err(NotRoce::BadIcrc) => return (RdmaFrame::BadIcrc, None),
        Err(NotRoce::Truncated) => return (RdmaFrame::Truncated, None),
        Ok(_) if mac_error => return (RdmaFrame::MacError, None),
        Ok(packet) => packet,
    };
    let (completions_before, acks_before) = (model.completions.len(), model.acks.len());
    let cq = model.table.lookup(packet.bth.dest_qp, packet.bth.psn).map_or(0, |(_, t)| t.cq);
    let outcome = model.receive(&packet);
    let ack = model.acks.get(acks_before).map(|due| due.answering(&packet));
    let verdict = match outcome {
        Outcome::Placed { addr, len, function } => {
            assert_eq!(len, packet.payload.len(), "the model places the whole payload");
            RdmaFrame::Placed {
                cq,
                qp: packet.bth.dest_qp as u64,
                psn: packet.bth.psn as u64,
                function,
                addr,
                payload: packet.payload,
                completion: model.completions.get(completions_before).cloned(),
            }
        }
        Outcome::Duplicate => RdmaFrame::Duplicate,
        Outcome::Fallback { reason, .. } => RdmaFrame::Software { bytes, reason: reason_code(reason) },
    };
    (verdict, ack)
}

/// The bytes placed in the host memory before a run, around and over a transaction's
/// region `[va, va + length)` (16 bytes each side), so a stray strobe shows even where it
/// writes a zero: (start, bytes).
pub fn region_background(va: u64, length: u32) -> (u64, Vec<u8>) {
    let start = va.saturating_sub(16);
    (start, (0..(va - start) + length as u64 + 16).map(|k| (k as u8) ^ 0xA5).collect())
}

/// Whether a placement write of `len` bytes at `addr` fails: it has bytes (a placement of
/// none writes nothing) and its beats touch an error range.
/// Whether a placement of `len` bytes at `addr` meets an error answer (some burst of it
/// touches an error range of the memory).
pub fn write_fails(addr: u64, len: u64, errors: &[ErrorRange]) -> bool {
    len > 0 && beats_touch_error(addr, len, errors)
}

/// Checks the acknowledgement frames that came out against those the model owes, in order:
/// each must be the model's byte for byte, and the ones missing must be exactly `drops`
/// (dropped while the queue was full: any may be). The ACKs sent, as the model's.
pub fn check_acks(got: &[Vec<u8>], want: &[Ack], drops: u64) -> Result<Vec<Ack>> {
    ensure!(
        got.len() as u64 + drops == want.len() as u64,
        "{} ACKs out and {drops} dropped, the model owes {}",
        got.len(),
        want.len()
    );
    let mut owed = want.iter();
    let mut sent = Vec::new();
    for (i, frame) in got.iter().enumerate() {
        let Some(ack) = owed.find(|a| &a.encode() == frame) else {
            let decoded = decode(frame).map(|p| (p.bth.dest_qp, p.bth.psn, p.payload));
            bail!("ACK {i} ({decoded:x?}: requester's QP, PSN, AETH) is none the model owes after the ACKs before it");
        };
        sent.push(*ack);
    }
    Ok(sent)
}

/// Collects whole frames from the software path: bytes, the MAC's flag (any beat), and the
/// reason, which must be the same on every beat.
fn take_frames(
    sink: &AxisSink,
    partial: &mut Option<(Vec<u8>, bool, u64)>,
    out: &mut Vec<(Vec<u8>, bool, u64)>,
) -> Result<()> {
    while let Some(AxisBeat { data, keep, last, user }) = sink.recv() {
        ensure!(keep & (keep + 1) == 0 && keep != 0, "m_axis_pass: tkeep {keep:#x} is not ones from bit 0 up");
        ensure!(last || keep == 0xFF, "m_axis_pass: a beat before tlast is not full (tkeep {keep:#x})");
        let frame = partial.get_or_insert_with(|| (Vec::new(), false, user >> 1));
        ensure!(
            frame.2 == user >> 1,
            "m_axis_pass: the reason changed within a frame ({} then {})",
            frame.2,
            user >> 1
        );
        frame.0.extend_from_slice(&data.to_le_bytes()[..keep.count_ones() as usize]);
        frame.1 |= user & 1 != 0;
        if last {
            out.push(partial.take().expect("started above"));
        }
    }
    Ok(())
}

/// Merges the completion and failure outputs into one stream in the order they left (one
/// record leaves per cycle at most: both come from one queue).
fn take_events(completions: &ChannelSink, failures: &ChannelSink, out: &mut Vec<(u64, PosterEvent)>) {
    let mut new = Vec::new();
    while let Some((cycle, p)) = completions.pop() {
        let imm = (p[3] != 0).then_some(p[4]);
        new.push((cycle, PosterEvent::Completion { cq: p[0], qp: p[1], length: p[2], imm }));
    }
    while let Some((cycle, p)) = failures.pop() {
        new.push((cycle, PosterEvent::WriteFailed { cq: p[0], qp: p[1], psn: p[2] }));
    }
    // Everything taken before this call left in an earlier cycle: only the new ones need
    // putting in order.
    new.sort_by_key(|(cycle, _)| *cycle);
    out.extend(new);
}

pub fn run(sim: BoxedSim, setup: ReceiveRun, config: &TbConfig) -> Result<ReceiveReport> {
    let report = Rc::new(RefCell::new(ReceiveReport::default()));
    let out = Rc::clone(&report);
    Tb::run(sim, config, move |tb| async move {
        tb.reset(3).await?;
        Axi4Monitor::start(&tb, "m_axi")?;
        AxisMonitor::start(&tb, "s_axis_rx")?;
        AxisMonitor::start(&tb, "m_axis_pass")?;
        let memory = Axi4Memory::start(&tb, "m_axi", setup.memory.clone())?;
        serve_window_lookups(&tb, setup.windows.clone())?;
        let frames = AxisSource::start(&tb, "s_axis_rx", setup.idle)?;
        let pass = AxisSink::start(&tb, "m_axis_pass", setup.backpressure)?;
        AxisMonitor::start(&tb, "m_axis_ack")?;
        let ack_sink = AxisSink::start(&tb, "m_axis_ack", setup.ack_backpressure)?;
        let mut ack_frames = FrameCollector::default();
        let mut got_acks: Vec<Vec<u8>> = Vec::new();
        let (acks_sent, ack_drops) = (tb.port("acks_sent")?, tb.port("ack_drops")?);
        let completions = ChannelSink::start(
            &tb,
            ChannelPorts::resolve(&tb, "cpl", "", &["cq", "qp", "length", "has_imm", "imm"])?,
            setup.backpressure,
        );
        let failures =
            ChannelSink::start(&tb, ChannelPorts::resolve(&tb, "fail", "", &["cq", "qp", "psn"])?, setup.backpressure);
        let port = |name: &str| tb.port(name);
        let (cmd_valid, cmd_ready, done_valid) = (port("cmd_valid")?, port("cmd_ready")?, port("done_valid")?);
        let (done_status, done_entry) = (port("done_status")?, port("done_entry")?);
        let cmd_fields = COMMAND_PORTS.iter().map(|n| tb.port(n)).collect::<Result<Vec<_>>>()?;
        let counter_names =
            ["placed_packets", "dropped_duplicates", "software_packets", "mac_errors", "write_errors", "window_errors"];
        let counters: Vec<_> = counter_names.iter().map(|n| tb.port(n)).collect::<Result<_>>()?;
        tb.set(cmd_valid, 0);
        let w_bus = count_transfers(&tb, port("m_axi_wvalid")?, port("m_axi_wready")?);

        // A background pattern around every transaction's region, in memory and in the
        // reference, so a stray strobe shows even where it writes a zero.
        let mut reference = SparseMemory::new();
        let mut regions = Vec::new();
        let mut installed = Vec::new();
        for op in &setup.ops {
            if let ReceiveOp::Command(DecideOp::Install(t)) = op {
                installed.push((t.va, t.length as usize));
                let (start, background) = region_background(t.va, t.length);
                memory.memory.borrow_mut().write(start, &background);
                reference.write(start, &background);
                regions.push((start, background.len()));
            }
        }

        let mut model = model();
        let mut counts = ReceiveReport::default();
        let mut want_pass: Vec<(Vec<u8>, bool, u64)> = Vec::new();
        let mut want_events: Vec<PosterEvent> = Vec::new();
        let mut want_acks: Vec<Ack> = Vec::new();
        let mut idle = Throttle::new(setup.idle, tb.rng());
        let mut pending: VecDeque<ReceiveOp> = setup.ops.clone().into();
        let mut offered: Option<DecideOp> = None;
        let mut answer: Option<(DecideOp, u64, Option<usize>)> = None;
        // Good RoCEv2 frames sent: the decider has decided them all when its counters add
        // up to this, and only then may a command go in (the model does things in order).
        let mut to_decide = 0u64;
        let beats: u64 = setup
            .ops
            .iter()
            .map(|op| if let ReceiveOp::Frame { bytes, .. } = op { bytes.len().div_ceil(8) as u64 } else { 0 })
            .sum();
        let start = tb.cycle();
        let deadline = start + 20_000 + 100 * setup.ops.len() as u64 + 12 * beats;
        loop {
            tb.read_only().await;
            let now = tb.cycle();
            ensure!(now < deadline, "hung: {} inputs left, {} beats not taken", pending.len(), frames.pending());
            if tb.get(done_valid) != 0 {
                let Some((op, status, entry)) = answer.take() else { bail!("cycle {now}: an answer to no command") };
                let got = [tb.get(done_status), tb.get(done_entry)];
                let want = [status, entry.map_or(got[1], |e| e as u64)];
                ensure!(got == want, "{op:?}: (status, entry) {got:?}, the model says {want:?}");
                counts.answers.push(status);
            }
            if let Some(op) = offered.take() {
                if tb.get(cmd_ready) != 0 {
                    let (status, entry) = model_command(&mut model, &op);
                    answer = Some((op, status, entry));
                } else {
                    offered = Some(op);
                }
            }
            if offered.is_none() && answer.is_none() {
                // Frames go in as they come; a command waits until every frame before it is
                // decided, and for idle.
                while let Some(ReceiveOp::Frame { .. }) = pending.front() {
                    let Some(ReceiveOp::Frame { bytes: sent, mac_error }) = pending.pop_front() else { unreachable!() };
                    frames.send_all(frame_to_beats(&sent, 8, mac_error as u64));
                    let (verdict, ack) = rdma_frame(&mut model, sent, mac_error);
                    want_acks.extend(ack);
                    let mut write_failed = false;
                    match &verdict {
                        RdmaFrame::NotRoce { bytes, mac_error } => {
                            counts.passed[PASS_NOT_ROCE as usize] += 1;
                            want_pass.push((bytes.clone(), *mac_error, PASS_NOT_ROCE));
                        }
                        RdmaFrame::BadIcrc | RdmaFrame::Truncated => counts.dropped_bad += 1,
                        RdmaFrame::MacError => {
                            counts.dropped_bad += 1;
                            counts.mac_errors += 1;
                        }
                        RdmaFrame::Placed { cq, qp, psn, function, addr, payload, completion } => {
                            to_decide += 1;
                            counts.placed += 1;
                            // Outside the window: refused before any write. A placement of
                            // no bytes writes nothing and is not checked.
                            let refused = !payload.is_empty()
                                && !setup.windows.allows(*function as usize, *addr, payload.len() as u64);
                            counts.window_refusals += refused as u64;
                            write_failed = refused || write_fails(*addr, payload.len() as u64, &setup.memory.errors);
                            if write_failed {
                                counts.write_failures += 1;
                                want_events.push(PosterEvent::WriteFailed { cq: *cq as u64, qp: *qp, psn: *psn });
                            } else {
                                reference.write(*addr, payload);
                                counts.payload_bytes += payload.len() as u64;
                                if let Some(c) = completion {
                                    counts.completions += 1;
                                    want_events.push(PosterEvent::Completion {
                                        cq: c.cq as u64,
                                        qp: c.qp as u64,
                                        length: c.length as u64,
                                        imm: c.imm.map(u64::from),
                                    });
                                }
                            }
                        }
                        RdmaFrame::Duplicate => {
                            to_decide += 1;
                            counts.duplicates += 1;
                        }
                        RdmaFrame::Software { bytes, reason } => {
                            to_decide += 1;
                            counts.passed[*reason as usize] += 1;
                            want_pass.push((bytes.clone(), false, *reason));
                        }
                    }
                    counts.frames.push(FrameOutcome { verdict, write_failed, ack });
                }
                let decided: u64 = counters[..3].iter().map(|&c| tb.get(c)).sum();
                if decided == to_decide && !idle.hold() {
                    if let Some(ReceiveOp::Command(op)) = pending.pop_front() {
                        for (&port, value) in cmd_fields.iter().zip(command_fields(&op)) {
                            tb.set(port, value);
                        }
                        offered = Some(op);
                    }
                }
            }
            tb.set(cmd_valid, offered.is_some() as u64);
            if pending.is_empty() && offered.is_none() && answer.is_none() {
                break;
            }
        }

        // Everything out: every frame taken, passed and posted as the model says.
        let mut got_pass = Vec::new();
        let mut partial = None;
        let mut got_events = Vec::new();
        while frames.pending() > 0 || got_pass.len() < want_pass.len() || got_events.len() < want_events.len() {
            ensure!(
                tb.cycle() < deadline,
                "hung: {} beats not taken, {} of {} frames passed, {} of {} completions and failures",
                frames.pending(),
                got_pass.len(),
                want_pass.len(),
                got_events.len(),
                want_events.len()
            );
            tb.cycles(1).await;
            take_frames(&pass, &mut partial, &mut got_pass)?;
            take_events(&completions, &failures, &mut got_events);
            got_acks.extend(ack_frames.take(&ack_sink, "m_axis_ack")?);
        }
        // Nothing more may come, and the last writes land.
        // The acknowledgements all out: as many as the model owes less those dropped.
        while (got_acks.len() as u64) + tb.get(ack_drops) < want_acks.len() as u64 {
            ensure!(
                tb.cycle() < deadline,
                "hung: {} ACKs out and {} dropped, the model owes {}",
                got_acks.len(),
                tb.get(ack_drops),
                want_acks.len()
            );
            tb.cycles(1).await;
            got_acks.extend(ack_frames.take(&ack_sink, "m_axis_ack")?);
        }
        tb.cycles(300 + setup.memory.latency).await;
        take_frames(&pass, &mut partial, &mut got_pass)?;
        take_events(&completions, &failures, &mut got_events);
        got_acks.extend(ack_frames.take(&ack_sink, "m_axis_ack")?);
        counts.ack_drops = tb.get(ack_drops);
        counts.acks = check_acks(&got_acks, &want_acks, counts.ack_drops)?;
        ensure!(
            tb.get(acks_sent) == got_acks.len() as u64,
            "acks_sent {}, {} ACK frames out",
            tb.get(acks_sent),
            got_acks.len()
        );
        ensure!(
            got_pass.len() == want_pass.len(),
            "{} frames passed, the model says {}",
            got_pass.len(),
            want_pass.len()
        );
        for (i, (got, want)) in got_pass.iter().zip(&want_pass).enumerate() {
            ensure!(
                got == want,
                "passed frame {i}: (bytes, MAC error, reason) {:02x?}, the model says {:02x?}",
                (got.0.len(), got.1, got.2),
                (want.0.len(), want.1, want.2)
            );
        }
        let got_events: Vec<PosterEvent> = got_events.into_iter().map(|(_, e)| e).collect();
        counts.events = want_events.clone();
        ensure!(
            got_events.len() == want_events.len(),
            "{} completions and failures, the model says {}",
            got_events.len(),
            want_events.len()
        );
        for (i, (got, want)) in got_events.iter().zip(&want_events).enumerate() {
            ensure!(got == want, "completion or failure {i}: {got:x?}, the model says {want:x?}");
        }
        // Host memory: every region as the model placed it, except where a write failed
        // (an error range: what the memory did there is its own business).
        for &(start, len) in &regions {
            if setup.memory.errors.iter().any(|e| e.range.start < start + len as u64 && start < e.range.end) {
                continue;
            }
            let got = memory.memory.borrow().read(start, len);
            let want = reference.read(start, len);
            let bad = got.iter().zip(&want).position(|(a, b)| a != b);
            ensure!(
                bad.is_none(),
                "memory at {:#x}: byte {:#x} differs from the model's",
                start,
                start + bad.unwrap_or(0) as u64
            );
        }
        counts.regions = installed.iter().map(|&(va, len)| (va, memory.memory.borrow().read(va, len))).collect();
        let got: Vec<u64> = counters.iter().map(|&c| tb.get(c)).collect();
        let software: u64 = counts.passed[1..].iter().sum();
        let want = vec![
            counts.placed,
            counts.duplicates,
            software,
            counts.mac_errors,
            counts.write_failures,
            counts.window_refusals,
        ];
        ensure!(got == want, "counters {counter_names:?} {got:?}, the model says {want:?}");
        counts.cycles = tb.cycle() - start;
        (counts.w_beats, counts.w_span) = (w_bus.borrow().transfers, w_bus.borrow().span);
        *out.borrow_mut() = counts;
        Ok(())
    })?;
    let r = report.borrow().clone();
    Ok(r)
}
