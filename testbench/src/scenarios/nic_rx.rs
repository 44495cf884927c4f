//! The NIC's receive side end to end: the host-driver model sets up RX queues and posts
//! buffers (and, for RDMA, opens QPs and installs transactions through BAR0),
//! frames go in on `s_axis_rx_`, and every completion, every byte of every buffer (and the
//! bytes around it, which must stay untouched), every byte placed by the RDMA path, every
//! RDMA message completion and every counter is checked against what the RX model and the
//! placement model say, under random idle cycles, backpressure and memory latency.
use super::rdma_decide::{model, model_command, DecideOp};
use super::rdma_receive::{check_acks, rdma_frame, region_background, write_fails, RdmaFrame};
use super::BoxedSim;
use crate::bfm::axis::{frame_to_beats, AxisBeat};
use crate::bfm::{
    Axi4Master, Axi4Memory, Axi4MemoryConfig, Axi4Monitor, AxilMaster, AxisMonitor, AxisSink, AxisSource, ErrorRange,
    FrameCollector, Pattern, SparseMemory,
};
use crate::driver::{
    check_interrupts_follow_completions, EnaHost, OUTSIDE_BASE, OUTSIDE_BYTES, RINGLESS_FUNCTION, RING_SPACING,
    RX_COMPLETION_BASE, RX_RING_BASE, RX_RING_LOG, RX_VECTOR_BASE, TX_RING_BASE,
};
use crate::models::ena::{RxCompletion, RxDescriptor, TxDescriptor, TX_STATUS_OK};
use crate::models::rdma::{decode, opcode, Ack, CqRecord, PlacementModel};
use crate::models::rss::RssTable;
use crate::models::rx::{buffer_bytes, classify, split, usable_bytes, MAX_RX_FRAME_BYTES, RX_QUEUES};
use crate::models::windows::WindowTable;
use crate::tb::{Tb, TbConfig};
use anyhow::{bail, ensure, Result};
use std::collections::VecDeque;

/// Where RX buffers live in host memory, and the buffers of frames transmitted meanwhile.
pub const RX_BUFFER_BASE: u64 = 0x0400_0000;
const TX_BUFFER_BASE: u64 = 0x0200_0000;
/// What the host fills buffers and the bytes around them with before posting.
const FILL: u8 = 0xEE;
/// Bytes checked on each side of a buffer.
const GUARD: usize = 16;

/// What a posted buffer gets wrong, on purpose.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RxBufferFault {
    /// Reading its descriptor answers SLVERR.
    DescriptorReadError,
    /// Writing into it answers SLVERR.
    WriteError,
    /// It lies outside its function's DMA window (from `OUTSIDE_BASE`): never touched, the
    /// buffer is lost as one too short to use, counted in `rx_window_errors` too.
    OutsideWindow,
}

/// One of an RX queue's two rings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RxRing {
    Submission,
    Completion,
}

/// How a queue's completions are lost on purpose: the queue's frames are written into its
/// buffers, no completion lands, and each one is counted in `rx_ring_errors`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompletionLoss {
    /// Every write to the completion ring is answered SLVERR.
    WriteError,
    /// The completion ring is disabled after set-up: the queue manager refuses each post.
    RingDisabled,
}

/// A buffer as the driver posts it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RxBuffer {
    /// 0 means 65536.
    pub length: u16,
    pub fault: Option<RxBufferFault>,
}

impl RxBuffer {
    pub fn new(length: u16) -> Self {
        Self { length, fault: None }
    }
}

/// What the MAC gets wrong, on purpose.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MacFault {
    /// `tuser` on the last beat (a bad FCS, as MACs report it).
    Marked,
    /// `tuser` on one beat in the middle only.
    MarkedMidFrame,
    /// A beat before the last with only half its bytes (`tkeep` 0x0F).
    GappyKeep,
}

/// A frame as the MAC delivers it.
#[derive(Clone, Debug)]
pub struct RxFrame {
    pub bytes: Vec<u8>,
    pub fault: Option<MacFault>,
}

impl RxFrame {
    pub fn new(bytes: Vec<u8>) -> Self {
        Self { bytes, fault: None }
    }
    /// The beats on `s_axis_rx_`.
    fn beats(&self) -> Vec<AxisBeat> {
        if self.bytes.is_empty() {
            // An empty frame: one beat with no bytes.
            return vec![AxisBeat { data: 0, keep: 0, last: true, user: 0 }];
        }
        let mut beats = frame_to_beats(&self.bytes, 8, 0);
        let n = beats.len();
        match self.fault {
            Some(MacFault::Marked) => beats[n - 1].user = 1,
            Some(MacFault::MarkedMidFrame) => beats[n / 2].user = 1,
            Some(MacFault::GappyKeep) => {
                assert!(n >= 2, "a gap needs a beat before the last");
                beats[0].keep = 0x0F;
            }
            None => {}
        }
        beats
    }
}

#[derive(Clone, Debug)]
pub struct RxRun {
    pub frames: Vec<RxFrame>,
    /// Per queue: `None`, the queue is not set up (its rings stay disabled); else the
    /// buffers posted before the first frame.
    pub buffers: Vec<Option<Vec<RxBuffer>>>,
    pub memory: Axi4MemoryConfig,
    pub rx_idle: Pattern,
    pub register_idle: Pattern,
    /// Disable this queue's RX submission ring (a control write) this many cycles after the
    /// first frame is offered, while traffic runs. Its frames must fit one buffer each: the
    /// run then checks that the queue's completions are a prefix of the model's, that the
    /// frames it did not deliver were dropped and counted, and that every other queue
    /// delivered everything.
    pub disable_queue: Option<(usize, u64)>,
    /// Frames the host transmits meanwhile, `(queue, frame)`, one descriptor each on regular
    /// TX queues: the TX engine then competes with the RX engine for the queue manager and
    /// both DMA engines. Each must leave on `m_axis_tx_` in its queue's order and complete OK.
    pub transmit: Vec<(usize, Vec<u8>)>,
    /// This queue's completions are lost, as `CompletionLoss` says.
    pub lost_completions: Option<(usize, CompletionLoss)>,
    /// This queue's submission or completion ring belongs to `RINGLESS_FUNCTION`, whose
    /// window holds the buffers but no ring: the ring is never touched. Every descriptor
    /// taken from it is lost (the frame is dropped), or every completion posted to it is;
    /// each refusal counts in `rx_window_errors` and `rx_ring_errors`.
    pub ring_outside_window: Option<(usize, RxRing)>,
    /// RDMA commands (open QP, install, ...) issued before the first frame; each answer
    /// must be the placement model's.
    pub rdma_commands: Vec<DecideOp>,
    /// The RSS indirection table the host writes before the first frame; `None`: it is not
    /// written, and the table after reset (hash mod 8) steers.
    pub rss: Option<RssTable>,
    /// The rings the host sets up as RDMA completion queues, and how. A message whose
    /// transaction names a ring that is not `Usable` (or no ring set up) completes into no
    /// ring: it is counted in `rdma_cq_lost`, and nothing is written.
    pub rdma_cqs: Vec<(u32, RdmaCqSetup)>,
}

impl RxRun {
    /// Every queue set up with `count` buffers of `length` bytes, no idle cycles, no
    /// backpressure, a memory of `latency` cycles: what measurements and `ferronic sim` use.
    pub fn unloaded(frames: Vec<RxFrame>, count: usize, length: u16, latency: u64) -> Self {
        Self {
            frames,
            buffers: vec![Some(vec![RxBuffer::new(length); count]); RX_QUEUES],
            memory: Axi4MemoryConfig { latency, ..Default::default() },
            rx_idle: Pattern::Never,
            register_idle: Pattern::Never,
            disable_queue: None,
            transmit: Vec::new(),
            lost_completions: None,
            ring_outside_window: None,
            rdma_commands: Vec::new(),
            rss: None,
            rdma_cqs: Vec::new(),
        }
    }
}

/// How the host sets up an RDMA completion ring.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RdmaCqSetup {
    /// 16-byte entries, owned by the PF.
    Usable,
    /// Owned by `RINGLESS_FUNCTION`, whose window does not hold it.
    OutsideWindow,
    /// 8-byte entries: a 16-byte entry would spill into the next.
    EightByteEntries,
}

/// The counters the engine keeps.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RxCounters {
    pub packets: u64,
    pub drops: u64,
    pub truncated: u64,
    pub errors: u64,
    pub ring_errors: u64,
    pub window_errors: u64,
    /// The RDMA receive path in front of the engine: RoCEv2 frames, and those dropped for a
    /// bad ICRC or as cut short (it sees every frame, flagged by the MAC or not); good ones
    /// placed, dropped as duplicates, passed to software, or dropped as flagged by the MAC.
    pub roce: u64,
    pub roce_icrc_errors: u64,
    pub roce_truncated: u64,
    pub rdma_placed: u64,
    pub rdma_duplicates: u64,
    pub rdma_software: u64,
    pub rdma_mac_errors: u64,
    /// RDMA completions not written: their completion ring is not one the host set up.
    pub rdma_cq_lost: u64,
}

impl RxCounters {
    /// Frames the RDMA path kept from the RX engine.
    fn taken_by_rdma(&self) -> u64 {
        self.roce_icrc_errors + self.roce_truncated + self.rdma_placed + self.rdma_duplicates + self.rdma_mac_errors
    }
}

#[derive(Clone, Debug, Default)]
pub struct RxReport {
    /// Cycles from the first beat offered to the last frame delivered.
    pub cycles: u64,
    /// Cycles from the first beat offered to the first frame delivered (or dropped): the
    /// path's latency, which the sustained rate leaves out.
    pub first_frame_cycles: u64,
    /// Beats of all frames.
    pub beats: u64,
    pub counters: RxCounters,
    /// The frames as delivered into host memory (cut ones as far as they got), per queue.
    pub delivered: Vec<(usize, Vec<u8>)>,
    /// RDMA acknowledgements sent on `m_axis_tx_` (each the model's, in order).
    pub acks: u64,
}

/// A posted buffer, as the host keeps track of it.
#[derive(Clone, Copy, Debug)]
struct Posted {
    buffer: RxBuffer,
    req_id: u16,
    address: u64,
}

/// What the engine must do, from the RX model: per queue, the completions with the buffer
/// behind each and the bytes it must then hold; the counters.
struct Expected {
    completions: Vec<VecDeque<(RxCompletion, Posted, Vec<u8>)>>,
    counters: RxCounters,
    /// RDMA: the bytes placed (address, payload) and the message completions, in order.
    placed: Vec<(u64, Vec<u8>)>,
    rdma_records: Vec<CqRecord>,
    /// The acknowledgements owed, in order (they leave on `m_axis_tx_`).
    acks: Vec<Ack>,
}

/// The DMA windows every run sets: the PF may reach everything the run uses but the outside
/// range; the ringless function the buffers only; the rest stay open as after reset.
fn run_windows() -> WindowTable {
    let mut windows = WindowTable::default();
    windows.set(0, TX_RING_BASE, OUTSIDE_BASE - 1);
    windows.set(RINGLESS_FUNCTION as usize, RX_BUFFER_BASE, OUTSIDE_BASE - 1);
    windows
}

/// What the NIC must do with `frames`, from the placement model (with the commands already
/// applied) and the RX model.
fn expect(
    frames: &[RxFrame],
    rings: &mut [Option<VecDeque<Posted>>],
    rdma: &mut PlacementModel,
    ringless_queue: Option<usize>,
    rss: &RssTable,
    windows: &WindowTable,
    memory_errors: &[ErrorRange],
) -> Expected {
    let mut completions = vec![VecDeque::new(); RX_QUEUES];
    let mut counters = RxCounters::default();
    let mut completed = [0u64; RX_QUEUES];
    let mut placed = Vec::new();
    let mut rdma_records = Vec::new();
    let mut acks = Vec::new();
    for frame in frames {
        let len = frame.bytes.len();
        // The RDMA path first (the rule its own scenario expects against): a RoCEv2 frame
        // with a bad ICRC, cut short, or flagged bad by the MAC never reaches the RX engine;
        // a good one is placed, dropped as a duplicate, or passed on with the reason.
        let mac_flagged = matches!(frame.fault, Some(MacFault::Marked | MacFault::MarkedMidFrame));
        let (verdict, ack) = rdma_frame(rdma, frame.bytes.clone(), mac_flagged);
        acks.extend(ack);
        let roce = !matches!(verdict, RdmaFrame::NotRoce { .. });
        assert!(
            !(roce && frame.fault == Some(MacFault::GappyKeep)),
            "the model has no rule for a RoCEv2 frame with a gap"
        );
        let rdma_reason = match verdict {
            RdmaFrame::NotRoce { .. } => 0,
            RdmaFrame::BadIcrc => {
                counters.roce_icrc_errors += 1;
                continue;
            }
            RdmaFrame::Truncated => {
                counters.roce_truncated += 1;
                continue;
            }
            RdmaFrame::MacError => {
                counters.roce += 1;
                counters.rdma_mac_errors += 1;
                continue;
            }
            RdmaFrame::Placed { cq, qp, psn, function, addr, payload, completion } => {
                counters.roce += 1;
                counters.rdma_placed += 1;
                // Bytes outside the transaction's function's window are not written, and a
                // write into an error range is answered with an error: either way a failure
                // record goes to the CQ instead (and no completion: this packet's write is
                // the one that failed).
                let len = payload.len() as u64;
                let refused = len > 0 && !windows.allows(function as usize, addr, len);
                if refused || write_fails(addr, len, memory_errors) {
                    rdma_records.push(CqRecord::WriteFailed { cq, qp: qp as u32, psn: psn as u32 });
                } else {
                    placed.push((addr, payload));
                    rdma_records.extend(completion.map(CqRecord::Completion));
                }
                continue;
            }
            RdmaFrame::Duplicate => {
                counters.roce += 1;
                counters.rdma_duplicates += 1;
                continue;
            }
            RdmaFrame::Software { reason, .. } => {
                counters.roce += 1;
                counters.rdma_software += 1;
                reason as u8
            }
        };
        if frame.fault.is_some() || len == 0 || len > MAX_RX_FRAME_BYTES {
            counters.errors += 1;
            continue;
        }
        let class = classify(&frame.bytes);
        let q = class.queue(rss);
        let Some(ring) = rings[q].as_mut() else {
            counters.drops += 1;
            continue;
        };
        // A descriptor that cannot be read, or is outside the window, or whose buffer is, is
        // a buffer the engine cannot use. A window refusal is counted as such when the
        // descriptor would otherwise have been usable.
        let refused = |p: &Posted| {
            ringless_queue == Some(q)
                || p.buffer.fault == Some(RxBufferFault::OutsideWindow) && usable_bytes(p.buffer.length) > 0
        };
        let usable: Vec<usize> = ring
            .iter()
            .map(|p| match p.buffer.fault {
                _ if refused(p) => 0,
                Some(RxBufferFault::DescriptorReadError | RxBufferFault::OutsideWindow) => 0,
                _ => usable_bytes(p.buffer.length),
            })
            .collect();
        let fill = split(len, &usable);
        let taken: Vec<Posted> = ring.drain(..fill.taken).collect();
        counters.ring_errors += (fill.taken - fill.used.len()) as u64;
        counters.window_errors += taken.iter().filter(|p| refused(p)).count() as u64;
        let used: Vec<(Posted, usize)> = taken.into_iter().zip(fill.used).collect();
        counters.ring_errors +=
            used.iter().filter(|(p, _)| p.buffer.fault == Some(RxBufferFault::WriteError)).count() as u64;
        if used.is_empty() {
            counters.drops += 1;
            continue;
        }
        if fill.complete {
            counters.packets += 1;
        } else {
            counters.truncated += 1;
        }
        let n = used.len();
        let mut offset = 0;
        for (i, (posted, take)) in used.into_iter().enumerate() {
            // A failed write leaves the buffer as it was.
            let bytes = match posted.buffer.fault {
                Some(RxBufferFault::WriteError) => vec![FILL; take],
                _ => frame.bytes[offset..offset + take].to_vec(),
            };
            offset += take;
            completions[q].push_back((
                RxCompletion {
                    l3_proto: class.l3_proto,
                    l4_proto: class.l4_proto,
                    ipv4_frag: class.ipv4_frag,
                    rdma_reason,
                    phase: (completed[q] >> RX_RING_LOG) & 1 == 0,
                    first: i == 0,
                    last: i + 1 == n,
                    length: take as u16,
                    req_id: posted.req_id,
                    hash: class.hash,
                    sub_qid: q as u16,
                },
                posted,
                bytes,
            ));
            completed[q] += 1;
        }
    }
    Expected { completions, counters, placed, rdma_records, acks }
}

/// Runs the frames through the NIC and checks completions, buffers and counters.
pub fn run(sim: BoxedSim, setup: RxRun, seed: u64) -> Result<RxReport> {
    run_with(sim, setup, &TbConfig::from_env("nic_rx", seed))
}

/// `run` with a testbench configuration of the caller's (e.g. a waveform to keep).
pub fn run_with(sim: BoxedSim, setup: RxRun, config: &TbConfig) -> Result<RxReport> {
    let report = std::rc::Rc::new(std::cell::RefCell::new(RxReport::default()));
    let out = report.clone();
    Tb::run(sim, config, move |tb| async move {
        tb.set(tb.input("msix_ready")?, 1);
        tb.reset(4).await?;
        Axi4Monitor::start(&tb, "m_axi")?;
        AxisMonitor::start(&tb, "s_axis_rx")?;
        // Buffers marked to fail: their descriptor or their bytes answer SLVERR.
        let mut memory_config = setup.memory.clone();
        let mut rings: Vec<Option<VecDeque<Posted>>> = vec![None; RX_QUEUES];
        let mut next_address = RX_BUFFER_BASE;
        let mut buffer_spans: Vec<Vec<std::ops::Range<u64>>> = vec![Vec::new(); RX_QUEUES];
        for (q, buffers) in setup.buffers.iter().enumerate() {
            let Some(buffers) = buffers else { continue };
            let mut ring = VecDeque::new();
            for (i, &buffer) in buffers.iter().enumerate() {
                ensure!(i < 1 << RX_RING_LOG, "at most {} buffers per queue", 1 << RX_RING_LOG);
                // Any alignment; room for the guard bytes on both sides. A buffer outside the
                // window is as far into the outside range as it would have been into memory.
                let mut address = next_address + GUARD as u64 + (i as u64 % 5);
                let length = buffer_bytes(buffer.length) as u64;
                next_address = (address + length + GUARD as u64 + 8) & !7;
                if buffer.fault == Some(RxBufferFault::OutsideWindow) {
                    address += OUTSIDE_BASE - RX_BUFFER_BASE;
                }
                match buffer.fault {
                    Some(RxBufferFault::DescriptorReadError) => {
                        let at = RX_RING_BASE + q as u64 * RING_SPACING + i as u64 * 16;
                        memory_config.errors.push(ErrorRange { range: at..at + 16, resp: 2 });
                    }
                    Some(RxBufferFault::WriteError) => {
                        memory_config.errors.push(ErrorRange { range: address..address + length, resp: 2 })
                    }
                    Some(RxBufferFault::OutsideWindow) | None => {}
                }
                buffer_spans[q].push(address..address + length);
                ring.push_back(Posted { buffer, req_id: (q * 1000 + i) as u16, address });
            }
            rings[q] = Some(ring);
        }
        if let Some((q, CompletionLoss::WriteError)) = setup.lost_completions {
            let at = RX_COMPLETION_BASE + q as u64 * RING_SPACING;
            memory_config.errors.push(ErrorRange { range: at..at + (16 << RX_RING_LOG), resp: 2 });
        }
        // Nothing outside the windows may be touched: the outside buffers, and a ring whose
        // function's window leaves it out.
        memory_config.forbidden.push(OUTSIDE_BASE..OUTSIDE_BASE + OUTSIDE_BYTES);
        if let Some((q, ring)) = setup.ring_outside_window {
            let base = match ring {
                RxRing::Submission => RX_RING_BASE,
                RxRing::Completion => RX_COMPLETION_BASE,
            } + q as u64 * RING_SPACING;
            memory_config.forbidden.push(base..base + RING_SPACING);
        }
        ensure!(next_address <= OUTSIDE_BASE, "the RX buffers run into the outside range");
        let memory = Axi4Memory::start(&tb, "m_axi", memory_config)?;
        let bar0 = AxilMaster::start(&tb, "s_axil", setup.register_idle, Pattern::Never)?;
        let bar2 = Axi4Master::start(&tb, "s_axi_llq", setup.register_idle, Pattern::Never)?;
        let rx = AxisSource::start(&tb, "s_axis_rx", setup.rx_idle)?;
        // Rings whose completions are lost or refused on purpose raise interrupts with
        // nothing to show: left out of the order check.
        let outside_completions = match setup.ring_outside_window {
            Some((q, RxRing::Completion)) => Some(q),
            _ => None,
        };
        let silent = [setup.lost_completions.map(|(q, _)| q), outside_completions].into_iter().flatten();
        check_interrupts_follow_completions(
            &tb,
            memory.memory.clone(),
            silent.map(|q| (RX_VECTOR_BASE as usize + q) as u64).collect(),
        )?;
        // The queue manager clears its ring state after reset.
        tb.cycles(300).await;
        let mut host = EnaHost::new(&tb, bar0, bar2, memory.memory.clone());
        // The run's windows (`run_windows`), the ones it narrows.
        for function in [0, RINGLESS_FUNCTION] {
            let (base, limit) = run_windows().window(function as usize);
            host.set_window(function, base, limit).await?;
        }
        if let Some(table) = &setup.rss {
            host.set_rss_table(table).await?;
        }
        for (q, ring) in rings.iter().enumerate() {
            let Some(ring) = ring else { continue };
            let function = |which| if setup.ring_outside_window == Some((q, which)) { RINGLESS_FUNCTION } else { 0 };
            host.create_rx_queue_for(q, function(RxRing::Submission), function(RxRing::Completion)).await?;
            let descriptors: Vec<RxDescriptor> = ring
                .iter()
                .map(|p| {
                    let span = buffer_bytes(p.buffer.length) + 2 * GUARD;
                    memory.memory.borrow_mut().write(p.address - GUARD as u64, &vec![FILL; span]);
                    RxDescriptor { length: p.buffer.length, req_id: p.req_id, buffer: p.address, ..Default::default() }
                })
                .collect();
            if !descriptors.is_empty() {
                host.post_rx(q, &descriptors).await?;
            }
            if setup.lost_completions == Some((q, CompletionLoss::RingDisabled)) {
                host.disable_ring(4 * q as u32 + 3).await?;
            }
        }
        // RDMA set-up: every command answered as the placement model says; a background
        // pattern where the payload will land, in memory and in the expectation.
        let mut rdma = model();
        let (mut rdma_reference, mut rdma_regions) = (SparseMemory::new(), Vec::new());
        for &(ring, how) in &setup.rdma_cqs {
            match how {
                RdmaCqSetup::Usable => host.create_rdma_cq(ring, 0, 4).await?,
                RdmaCqSetup::OutsideWindow => host.create_rdma_cq(ring, RINGLESS_FUNCTION, 4).await?,
                RdmaCqSetup::EightByteEntries => host.create_rdma_cq(ring, 0, 3).await?,
            }
        }
        for op in &setup.rdma_commands {
            let (status, entry) = host.rdma_command(op).await?;
            let (want, want_entry) = model_command(&mut rdma, op);
            ensure!(
                status == want && want_entry.is_none_or(|e| e as u64 == entry),
                "{op:?}: answer ({status}, {entry}), the model says ({want}, {want_entry:?})"
            );
            if let DecideOp::Install(t) = op {
                let (start, background) = region_background(t.va, t.length);
                memory.memory.borrow_mut().write(start, &background);
                rdma_reference.write(start, &background);
                rdma_regions.push((start, background.len()));
            }
        }
        let ringless = |which| setup.ring_outside_window.filter(|&(_, ring)| ring == which).map(|(q, _)| q);
        let rss = setup.rss.clone().unwrap_or_default();
        let mut expected = expect(
            &setup.frames,
            &mut rings.clone(),
            &mut rdma,
            ringless(RxRing::Submission),
            &rss,
            &run_windows(),
            &setup.memory.errors,
        );
        // RDMA completions and failure records: each into its ring, in order; those for
        // rings not set up, lost.
        let (written, lost): (Vec<_>, Vec<_>) = expected
            .rdma_records
            .iter()
            .cloned()
            .partition(|r| setup.rdma_cqs.contains(&(r.cq() as u32, RdmaCqSetup::Usable)));
        expected.counters.rdma_cq_lost = lost.len() as u64;
        let mut rdma_remaining: Vec<VecDeque<CqRecord>> = vec![VecDeque::new(); 256];
        for r in written {
            rdma_remaining[r.cq() as usize].push_back(r);
        }
        // Completions that cannot be written are counted instead of seen; those outside
        // their ring's window in the window count too.
        if let Some((q, _)) = setup.lost_completions {
            expected.counters.ring_errors += expected.completions[q].len() as u64;
            expected.completions[q].clear();
        }
        if let Some(q) = ringless(RxRing::Completion) {
            expected.counters.ring_errors += expected.completions[q].len() as u64;
            expected.counters.window_errors += expected.completions[q].len() as u64;
            expected.completions[q].clear();
        }

        // Transmit traffic, posted before the frames arrive and running beside them.
        let tx_sink = AxisSink::start(&tb, "m_axis_tx", Pattern::Random(0.2))?;
        let mut tx_frames: Vec<VecDeque<Vec<u8>>> = vec![VecDeque::new(); RX_QUEUES];
        let mut tx_completions = vec![0usize; RX_QUEUES];
        for (i, (q, frame)) in setup.transmit.iter().enumerate() {
            if tx_frames[*q].is_empty() && tx_completions[*q] == 0 {
                host.create_tx_queue(*q, false).await?;
            }
            let buffer = TX_BUFFER_BASE + i as u64 * 0x4000 + (i as u64 % 7);
            memory.memory.borrow_mut().write(buffer, frame);
            let d = TxDescriptor {
                length: frame.len() as u16,
                req_id: i as u16,
                first: true,
                last: true,
                comp_req: true,
                buffer,
                ..Default::default()
            };
            host.post_tx(*q, vec![d], &[]).await?;
            tx_frames[*q].push_back(frame.clone());
            tx_completions[*q] += 1;
        }
        let mut tx_collector = FrameCollector::default();
        let mut got_acks = Vec::new();

        let start = tb.cycle();
        let mut beats = 0u64;
        for frame in &setup.frames {
            rx.send_all(frame.beats());
            beats += frame.bytes.len().div_ceil(8).max(1) as u64;
        }
        let want: usize = expected.completions.iter().map(|c| c.len()).sum();
        let c = expected.counters;
        let wanted_frames = c.packets + c.drops + c.truncated + c.errors;
        let wanted_rdma = c.taken_by_rdma();
        let rdma_ports =
            ["roce_icrc_errors", "roce_truncated", "rdma_placed_packets", "rdma_dropped_duplicates", "rdma_mac_errors"]
                .map(|p| tb.port(p));
        let rdma_ports: Vec<_> = rdma_ports.into_iter().collect::<Result<_>>()?;
        let budget = 20_000 + setup.frames.iter().map(|f| 600 + f.bytes.len() as u64).sum::<u64>() * 2;
        let deadline = tb.cycle() + budget;
        let frame_ports = ["rx_packets", "rx_drops", "rx_truncated", "rx_errors"].map(|p| tb.port(p));
        let frame_ports: Vec<_> = frame_ports.into_iter().collect::<Result<_>>()?;
        let mut end = None;
        let mut first_done = None;
        let mut got = 0;
        let mut seen = [0u64; RX_QUEUES];
        let mut remaining = expected.completions.clone();
        let mut partial: Vec<Vec<u8>> = vec![Vec::new(); RX_QUEUES];
        let mut delivered = Vec::new();
        let mut disabled = None;
        // A disabled queue delivers only a prefix of its frames: wait for the counters, and
        // then for the completions in flight.
        let want = if setup.disable_queue.is_some() { 0 } else { want };
        let settled = |end: Option<u64>, now: u64| setup.disable_queue.is_none() || end.is_some_and(|e| now > e + 600);
        let tx_pending = |frames: &[VecDeque<Vec<u8>>], completions: &[usize]| {
            frames.iter().any(|f| !f.is_empty()) || completions.iter().any(|&c| c != 0)
        };
        let ack_drops = tb.port("rdma_ack_drops")?;
        let acks_pending = |got: usize| (got as u64 + tb.get(ack_drops)) < expected.acks.len() as u64;
        while got < want
            || end.is_none()
            || !settled(end, tb.cycle())
            || tx_pending(&tx_frames, &tx_completions)
            || acks_pending(got_acks.len())
        {
            if let Some((q, after)) = setup.disable_queue {
                if disabled.is_none() && tb.cycle() >= start + after {
                    host.disable_ring(4 * q as u32 + 2).await?;
                    disabled = Some(tb.cycle());
                }
            }
            ensure!(tb.cycle() < deadline, "after {budget} cycles: {got}/{want} completions");
            tb.cycles(8).await;
            if first_done.is_none() && frame_ports.iter().map(|&p| tb.get(p)).sum::<u64>() >= 1 {
                first_done = Some(tb.cycle());
            }
            // Every frame has been dealt with once the counters add up to them.
            if end.is_none()
                && frame_ports.iter().map(|&p| tb.get(p)).sum::<u64>() >= wanted_frames
                && rdma_ports.iter().map(|&p| tb.get(p)).sum::<u64>() >= wanted_rdma
                && rdma_remaining.iter().all(|r| r.is_empty())
            {
                end = Some(tb.cycle());
            }
            for frame in tx_collector.take(&tx_sink, "m_axis_tx")? {
                // The RDMA path's acknowledgements share the MAC's stream.
                if decode(&frame).is_ok_and(|p| p.bth.opcode == opcode::ACK) {
                    got_acks.push(frame);
                    continue;
                }
                let Some(queue) = tx_frames.iter_mut().find(|f| f.front() == Some(&frame)) else {
                    bail!("transmitted a frame of {} bytes that no TX queue had next", frame.len())
                };
                queue.pop_front();
            }
            for (q, left) in tx_completions.iter_mut().enumerate() {
                if *left > 0 {
                    for c in host.take_tx_completions(q).await? {
                        ensure!(c.status == TX_STATUS_OK && *left > 0, "TX queue {q}: completion {c:?}");
                        *left -= 1;
                    }
                }
            }
            // (Rings that are not usable are scanned too: nothing may appear there.)
            for &(ring, _) in &setup.rdma_cqs {
                for entry in host.take_rdma_completions(ring).await? {
                    let Some(want) = rdma_remaining[ring as usize].pop_front() else {
                        bail!("RDMA completion ring {ring}: unexpected entry {entry:?}")
                    };
                    ensure!(
                        entry.record(ring as u16) == want && entry.reserved == 0,
                        "RDMA completion ring {ring}: entry {entry:?}, the model says {want:?}"
                    );
                }
            }
            for q in 0..RX_QUEUES {
                if rings[q].is_none() {
                    continue;
                }
                for c in host.take_rx_completions(q).await? {
                    let Some((want_c, posted, want_bytes)) = remaining[q].pop_front() else {
                        bail!("queue {q}: unexpected completion {c:?}")
                    };
                    ensure!(c == want_c, "queue {q}: completion {c:?}, expected {want_c:?}");
                    got += 1;
                    // The completion was written only after its buffer's data write was
                    // answered (the memory lands writes in order, so the bytes check below
                    // cannot see this; a real interconnect may not).
                    let entry = RX_COMPLETION_BASE + q as u64 * RING_SPACING + (seen[q] % (1 << RX_RING_LOG)) * 16;
                    seen[q] += 1;
                    let Some(completion_write) = memory.last_write_to(entry) else {
                        bail!("queue {q}: completion {c:?} seen, but no write to {entry:#x}")
                    };
                    let data = posted.address..posted.address + c.length as u64;
                    if let Some(early) =
                        memory.writes_over(&data).into_iter().find(|w| w.answered >= completion_write.accepted)
                    {
                        bail!(
                            "queue {q}: completion (req_id {}) written at cycle {} before its data write was answered (cycle {})",
                            c.req_id,
                            completion_write.accepted,
                            early.answered
                        );
                    }
                    // The buffer holds the frame's next bytes, and nothing around them changed.
                    let len = c.length as usize;
                    let span = buffer_bytes(posted.buffer.length);
                    let around = memory.memory.borrow().read(posted.address - GUARD as u64, span + 2 * GUARD);
                    let (before, rest) = around.split_at(GUARD);
                    let (inside, after) = rest.split_at(len);
                    ensure!(
                        before.iter().chain(after.iter()).all(|&b| b == FILL),
                        "queue {q}: bytes around buffer {:#x} (req_id {}) changed",
                        posted.address,
                        posted.req_id
                    );
                    if inside != want_bytes.as_slice() {
                        let at = inside.iter().zip(&want_bytes).position(|(a, b)| a != b).unwrap_or(0);
                        bail!(
                            "queue {q}: buffer req_id {} differs from byte {at}: {:02x?}, expected {:02x?}",
                            posted.req_id,
                            &inside[at..(at + 16).min(len)],
                            &want_bytes[at..(at + 16).min(len)]
                        );
                    }
                    partial[q].extend_from_slice(inside);
                    if c.last {
                        delivered.push((q, std::mem::take(&mut partial[q])));
                    }
                }
            }
        }
        tb.cycles(300).await;
        ensure!(tx_collector.pending() == 0, "m_axis_tx: a frame begun and never ended");
        check_acks(&got_acks, &expected.acks, tb.get(ack_drops))?;
        ensure!(tb.get(tb.port("rdma_acks_sent")?) == got_acks.len() as u64, "rdma_acks_sent is not the ACKs out");
        let mut expected_counters = expected.counters;
        for q in 0..RX_QUEUES {
            if rings[q].is_some() {
                let extra = host.take_rx_completions(q).await?;
                ensure!(extra.is_empty(), "queue {q}: completions after the last expected: {extra:?}");
                if Some(q) == setup.disable_queue.map(|d| d.0) {
                    let lost = remaining[q].len() as u64;
                    expected_counters.packets -= lost;
                    expected_counters.drops += lost;
                    continue;
                }
                ensure!(remaining[q].is_empty(), "queue {q}: {} completions never came", remaining[q].len());
            }
        }
        let counters = RxCounters {
            packets: tb.get(tb.port("rx_packets")?),
            drops: tb.get(tb.port("rx_drops")?),
            truncated: tb.get(tb.port("rx_truncated")?),
            errors: tb.get(tb.port("rx_errors")?),
            ring_errors: tb.get(tb.port("rx_ring_errors")?),
            window_errors: tb.get(tb.port("rx_window_errors")?),
            roce: tb.get(tb.port("roce_frames")?),
            roce_icrc_errors: tb.get(tb.port("roce_icrc_errors")?),
            roce_truncated: tb.get(tb.port("roce_truncated")?),
            rdma_placed: tb.get(tb.port("rdma_placed_packets")?),
            rdma_duplicates: tb.get(tb.port("rdma_dropped_duplicates")?),
            rdma_software: tb.get(tb.port("rdma_software_packets")?),
            rdma_mac_errors: tb.get(tb.port("rdma_mac_errors")?),
            rdma_cq_lost: tb.get(tb.port("rdma_cq_lost")?),
        };
        ensure!(counters == expected_counters, "counters {counters:?}, expected {expected_counters:?}");
        // A disabled ring's buffers are the host's again: after the disable, at most the
        // buffer the engine held at that moment may still be written (descriptors taken
        // ahead from the ring must be forgotten).
        if let (Some((q, _)), Some(at)) = (setup.disable_queue, disabled) {
            let late: Vec<&std::ops::Range<u64>> = buffer_spans[q]
                .iter()
                .filter(|span| memory.writes_over(span).iter().any(|w| w.accepted > at))
                .collect();
            ensure!(late.len() <= 1, "queue {q}: buffers {late:x?} written after its ring was disabled at cycle {at}");
        }
        // RDMA: every transaction's region (and the bytes around it) as the model placed
        // the payloads; the message completions.
        for (addr, payload) in &expected.placed {
            rdma_reference.write(*addr, payload);
        }
        for &(start, len) in &rdma_regions {
            let got = memory.memory.borrow().read(start, len);
            let want = rdma_reference.read(start, len);
            let bad = got.iter().zip(&want).position(|(a, b)| a != b);
            ensure!(bad.is_none(), "RDMA region at {start:#x}: byte {bad:x?} differs from the model's");
        }
        for &(ring, _) in &setup.rdma_cqs {
            let extra = host.take_rdma_completions(ring).await?;
            ensure!(extra.is_empty(), "RDMA completion ring {ring}: entries after the last expected: {extra:?}");
            let left = &rdma_remaining[ring as usize];
            ensure!(left.is_empty(), "RDMA completion ring {ring}: {left:?} never came");
        }
        let acks = got_acks.len() as u64;
        *out.borrow_mut() = RxReport {
            cycles: end.unwrap_or(tb.cycle()) - start,
            first_frame_cycles: first_done.unwrap_or(start) - start,
            beats,
            counters,
            delivered,
            acks,
        };
        Ok(())
    })?;
    let r = report.borrow().clone();
    Ok(r)
}
