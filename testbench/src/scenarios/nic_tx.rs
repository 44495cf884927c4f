//! The NIC's TX path end to end: the host-driver model sets up queues and posts packets
//! (regular and LLQ, one or more descriptors, good and bad), the host memory model serves
//! the DMA, and every frame on `m_axis_tx_` and every completion in host memory is checked
//! against what the packets say, under random backpressure on every bus.
use super::{verilated, Backend, BoxedSim};
use crate::bfm::{
    Axi4Master, Axi4Memory, Axi4MemoryConfig, Axi4Monitor, AxilMaster, AxisMonitor, AxisSink, ErrorRange, Pattern,
};
use crate::driver::{
    check_interrupts_follow_completions, EnaHost, COMPLETIONS_ONLY_FUNCTION, COMPLETION_RING_LOG, LLQ_RING_LOG,
    OUTSIDE_BASE, OUTSIDE_BYTES, RINGLESS_FUNCTION, RING_SPACING, TX_COMPLETION_BASE, TX_RING_BASE, TX_RING_LOG,
};
use crate::models::ena::{
    TxCompletion, TxDescriptor, TX_REQ_ID_UNREADABLE, TX_STATUS_DMA_ERROR, TX_STATUS_MALFORMED, TX_STATUS_OK,
};
use crate::models::stream_packer::valid_bytes;
use crate::tb::{Tb, TbConfig};
use anyhow::{bail, ensure, Result};
use ferronic_hdl::nic::Nic;
use ferronic_hdl::tx::TX_QUEUES;
use ferronic_sim::native::NativeSim;
use std::collections::VecDeque;

pub fn build(backend: Backend) -> Result<BoxedSim> {
    Ok(match backend {
        Backend::Verilator => verilated("nic", "", Nic::default)?,
        // Built and boxed on a big stack: the struct is larger than a test thread's stack.
        Backend::RustHdl => super::on_big_stack(|| NativeSim::new(Nic::default()).map(Box::new))?,
    })
}

/// Where payload buffers live in host memory, and a range that answers reads with SLVERR.
pub const BUFFER_BASE: u64 = 0x0100_0000;
pub const POISONED_BASE: u64 = 0x0F00_0000;
/// Every queue's function may reach [`TX_RING_BASE`, `WINDOW_LIMIT`]: its rings, the
/// buffers and the poisoned range. Buffers placed from `OUTSIDE_BASE` lie outside;
/// `RINGLESS_FUNCTION` (the queue of [`TxRun::rings_outside_window`]) may reach the buffers
/// but not the rings. The completion rings of the other queues belong to
/// `COMPLETIONS_ONLY_FUNCTION`, whose window holds them and nothing else.
pub const WINDOW_LIMIT: u64 = POISONED_BASE + 0x10_0000 - 1;
/// Below the buffers: inside the window of every function but `RINGLESS_FUNCTION` (see
/// [`TxRun::llq_of_its_own_function`]).
pub const OTHERS_ONLY_BASE: u64 = BUFFER_BASE - 0x1_0000;

/// What a packet's descriptors get wrong, on purpose.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TxFault {
    /// Descriptor `n` has length 0 (and, if it is the first, there is no header).
    ZeroLength(usize),
    /// `header_length` claims more than the 96-byte header area (LLQ queues).
    HeaderTooLong,
    /// Descriptor `n`'s buffer answers SLVERR.
    PayloadReadError(usize),
    /// Descriptor `n`'s ring entry answers SLVERR when fetched (regular queues). Its `last`
    /// bit cannot be known, so the packet ends there (a DMA-error completion); if it was not
    /// the last, the rest arrive without `first` and complete once more, malformed.
    DescriptorReadError(usize),
    /// The descriptors add up to more than the longest frame (9312 bytes); nothing to
    /// change in them, the pieces are simply that long.
    FrameTooLong,
    /// Descriptor `n`'s buffer lies outside the function's DMA window: it is not read (the
    /// packet completes with a DMA error, as if the read had failed before any data).
    OutsideWindow(usize),
}

/// A packet as the driver posts it.
#[derive(Clone, Debug)]
pub struct TxPacket {
    pub queue: usize,
    /// Pushed into the LLQ entry (LLQ queues only; up to 96 bytes).
    pub header: Vec<u8>,
    /// One buffer per descriptor.
    pub pieces: Vec<Vec<u8>>,
    pub comp_req: bool,
    pub req_id: u16,
    pub fault: Option<TxFault>,
}

impl TxPacket {
    /// The frame the MAC must receive (none for a packet with a fault).
    pub fn frame(&self) -> Option<Vec<u8>> {
        if self.fault.is_some() {
            return None;
        }
        let mut frame = self.header.clone();
        for p in &self.pieces {
            frame.extend_from_slice(p);
        }
        Some(frame)
    }
    /// Whether the MAC sees a frame flagged `tuser` (to drop).
    pub fn errored_frame(&self) -> bool {
        match self.fault {
            None | Some(TxFault::HeaderTooLong) => false,
            // Nothing of a bad descriptor is read, so only a later one leaves bytes behind.
            Some(TxFault::ZeroLength(at)) | Some(TxFault::OutsideWindow(at)) => at > 0,
            Some(TxFault::PayloadReadError(_)) => true,
            Some(TxFault::DescriptorReadError(at)) => at > 0,
            // Only a later descriptor can overflow a frame: one piece and a header fit.
            Some(TxFault::FrameTooLong) => true,
        }
    }
    /// The completions a packet gets, {req_id, status, sq_head_idx}, given the ring index
    /// before and after its descriptors. A bad packet completes once, whatever descriptor
    /// went wrong, with `sq_head_idx` after its last descriptor — but for a descriptor that
    /// cannot be read: the packet ends there, and the rest complete once more, malformed.
    fn expected_completions(&self, start: u16, end: u16) -> Vec<(u16, u8, u16)> {
        let whole = |status| vec![(self.req_id, status, end)];
        match self.fault {
            None if self.comp_req => whole(TX_STATUS_OK),
            None => Vec::new(),
            Some(TxFault::PayloadReadError(_)) | Some(TxFault::OutsideWindow(_)) => whole(TX_STATUS_DMA_ERROR),
            Some(TxFault::DescriptorReadError(at)) => {
                let mut c = vec![(TX_REQ_ID_UNREADABLE, TX_STATUS_DMA_ERROR, start.wrapping_add(at as u16 + 1))];
                if at + 1 < self.pieces.len() {
                    c.push((self.req_id, TX_STATUS_MALFORMED, end));
                }
                c
            }
            Some(_) => whole(TX_STATUS_MALFORMED),
        }
    }
}

#[derive(Clone, Debug)]
pub struct TxRun {
    pub packets: Vec<TxPacket>,
    /// Which queues are LLQ queues.
    pub llq_queues: u8,
    pub memory: Axi4MemoryConfig,
    pub tx_backpressure: Pattern,
    pub register_idle: Pattern,
    /// Disable this queue's TX submission ring (a control write) this many cycles after the
    /// last doorbell, while traffic runs. Its packets must be one descriptor each: the run
    /// then checks that the queue's frames and completions are a prefix of what was posted,
    /// and that every other queue sent everything.
    pub disable_queue: Option<(usize, u64)>,
    /// This queue's TX completion ring answers its writes with SLVERR: its completions are
    /// lost, each counted in `tx_errors` (an error completion lost counts twice: its
    /// status, and the failed write).
    pub lost_completions: Option<usize>,
    /// This queue's TX completion ring is disabled once the queues are set up: the queue
    /// manager gives no entry for its completions, so none is written; each is counted in
    /// `tx_errors` once (an error completion too), and its frames still go out.
    pub completion_ring_off: Option<usize>,
    /// This queue's rings belong to a function whose window holds the buffers but not the
    /// rings: no descriptor is fetched and no completion written; each descriptor is
    /// refused twice (its fetch, then its error completion's write), each counted in
    /// `tx_window_errors` and `tx_errors`.
    pub rings_outside_window: Option<usize>,
    /// This LLQ queue belongs to `RINGLESS_FUNCTION` (its descriptors are in device memory:
    /// it needs no ring in its window; its completion ring stays with
    /// `COMPLETIONS_ONLY_FUNCTION`). Its `OutsideWindow` buffers lie just below the buffers:
    /// inside the other queues' window, outside its own, so a payload checked against
    /// another function's window would be read (and fail the run).
    pub llq_of_its_own_function: Option<usize>,
    /// The host writes every packet first, then rings each queue's doorbell once (as the ENA
    /// driver does for a burst, `xmit_more`): the line-rate bench measures the engine, not
    /// a host that rings once per packet. Each queue's packets must fit its ring.
    pub batched: bool,
}

impl TxRun {
    /// No backpressure anywhere and a memory of `latency` cycles: what measurements and
    /// `ferronic sim` use.
    pub fn unloaded(packets: Vec<TxPacket>, llq_queues: u8, latency: u64) -> Self {
        Self {
            packets,
            llq_queues,
            memory: Axi4MemoryConfig { latency, ..Default::default() },
            tx_backpressure: Pattern::Never,
            register_idle: Pattern::Never,
            disable_queue: None,
            lost_completions: None,
            completion_ring_off: None,
            rings_outside_window: None,
            llq_of_its_own_function: None,
            batched: false,
        }
    }

    /// Each queue's descriptors fit its ring (16 LLQ entries, or the regular ring): what a
    /// batched run needs, since the host cannot wait for room on a queue it never rang.
    pub fn bursts_fit_rings(&self) -> bool {
        (0..TX_QUEUES).all(|q| {
            let posted: usize = self.packets.iter().filter(|p| p.queue == q).map(|p| p.pieces.len()).sum();
            posted <= 1 << if self.llq_queues >> q & 1 != 0 { LLQ_RING_LOG } else { TX_RING_LOG }
        })
    }
}

#[derive(Clone, Debug, Default)]
pub struct TxReport {
    pub cycles: u64,
    pub frames: usize,
    pub errored_frames: usize,
    pub completions: usize,
    /// Beats on `m_axis_tx_`, and the cycles from the first to the last.
    pub beats: u64,
    pub beat_span: u64,
    /// Cycles from the first packet's doorbell (its write answered) to the first beat on
    /// `m_axis_tx_`, and to the first frame's `tlast`.
    pub doorbell_to_first_beat: u64,
    pub doorbell_to_first_frame_end: u64,
    /// The good frames as they left, with the cycle of their first beat.
    pub sent: Vec<(u64, Vec<u8>)>,
}

/// Runs the packets through the NIC and checks frames, completions and counters.
pub fn run(sim: BoxedSim, setup: TxRun, seed: u64) -> Result<TxReport> {
    run_with(sim, setup, &TbConfig::from_env("nic_tx", seed))
}

/// `run` with a testbench configuration of the caller's (e.g. a waveform to keep).
pub fn run_with(sim: BoxedSim, setup: TxRun, config: &TbConfig) -> Result<TxReport> {
    let report = std::rc::Rc::new(std::cell::RefCell::new(TxReport::default()));
    let out = report.clone();
    Tb::run(sim, config, move |tb| async move {
        tb.set(tb.input("msix_ready")?, 1);
        tb.reset(4).await?;
        Axi4Monitor::start(&tb, "m_axi")?;
        AxisMonitor::start(&tb, "m_axis_tx")?;
        let mut memory_config = setup.memory.clone();
        memory_config.errors.push(ErrorRange { range: POISONED_BASE..POISONED_BASE + 0x10_0000, resp: 2 });
        // Ring entries that cannot be read: where each such descriptor will be posted.
        let mut posted = [0u64; TX_QUEUES];
        let mut unreadable = [false; TX_QUEUES];
        for p in &setup.packets {
            if let Some(TxFault::DescriptorReadError(at)) = p.fault {
                ensure!(setup.llq_queues >> p.queue & 1 == 0, "LLQ descriptors are not fetched from host memory");
                let index = posted[p.queue] + at as u64;
                let entry = TX_RING_BASE + p.queue as u64 * RING_SPACING + index * 16;
                memory_config.errors.push(ErrorRange { range: entry..entry + 16, resp: 2 });
                unreadable[p.queue] = true;
            }
            posted[p.queue] += p.pieces.len() as u64;
        }
        if let Some(q) = setup.lost_completions {
            let ring = TX_COMPLETION_BASE + q as u64 * RING_SPACING;
            memory_config.errors.push(ErrorRange { range: ring..ring + (8 << COMPLETION_RING_LOG), resp: 2 });
        }
        // Nothing outside the windows may be touched: the outside buffers, and the rings of a
        // queue whose function's window leaves them out.
        memory_config.forbidden.push(OUTSIDE_BASE..OUTSIDE_BASE + OUTSIDE_BYTES);
        if let Some(q) = setup.llq_of_its_own_function {
            ensure!(setup.llq_queues >> q & 1 != 0, "the queue of its own function must be an LLQ queue");
            memory_config.forbidden.push(OTHERS_ONLY_BASE..BUFFER_BASE);
        }
        if let Some(q) = setup.rings_outside_window {
            ensure!(setup.llq_queues >> q & 1 == 0, "an LLQ queue's descriptors are not in host memory");
            for ring in [TX_RING_BASE, TX_COMPLETION_BASE] {
                let base = ring + q as u64 * RING_SPACING;
                memory_config.forbidden.push(base..base + RING_SPACING);
            }
        }
        ensure!(
            !setup.batched || setup.bursts_fit_rings(),
            "a batched run posts more descriptors on a queue than its ring holds"
        );
        // The error ranges stay put: a ring that wraps would meet them again.
        ensure!(
            (0..TX_QUEUES).all(|q| !unreadable[q] || posted[q] <= 1 << TX_RING_LOG),
            "unreadable descriptors on a queue with more descriptors than its ring holds"
        );
        let memory = Axi4Memory::start(&tb, "m_axi", memory_config)?;
        let bar0 = AxilMaster::start(&tb, "s_axil", setup.register_idle, Pattern::Never)?;
        let bar2 = Axi4Master::start(&tb, "s_axi_llq", setup.register_idle, Pattern::Never)?;
        let tx = AxisSink::start(&tb, "m_axis_tx", setup.tx_backpressure)?;
        // Rings whose completions are lost or refused on purpose raise interrupts with
        // nothing to show: left out of the order check.
        let silent = [setup.lost_completions, setup.rings_outside_window].into_iter().flatten();
        check_interrupts_follow_completions(&tb, memory.memory.clone(), silent.map(|q| q as u64).collect())?;
        // The queue manager clears its ring state after reset.
        tb.cycles(300).await;
        let mut host = EnaHost::new(&tb, bar0, bar2, memory.memory.clone());
        let queues: Vec<usize> = {
            let mut q: Vec<usize> = setup.packets.iter().map(|p| p.queue).collect();
            q.sort_unstable();
            q.dedup();
            q
        };
        host.set_window(0, TX_RING_BASE, WINDOW_LIMIT).await?;
        host.set_window(RINGLESS_FUNCTION, BUFFER_BASE, WINDOW_LIMIT).await?;
        let completion_rings = TX_COMPLETION_BASE..TX_COMPLETION_BASE + TX_QUEUES as u64 * RING_SPACING;
        host.set_window(COMPLETIONS_ONLY_FUNCTION, completion_rings.start, completion_rings.end - 1).await?;
        for &q in &queues {
            let (function, completion_function) = if setup.rings_outside_window == Some(q) {
                (RINGLESS_FUNCTION, RINGLESS_FUNCTION)
            } else if setup.llq_of_its_own_function == Some(q) {
                (RINGLESS_FUNCTION, COMPLETIONS_ONLY_FUNCTION)
            } else {
                (0, COMPLETIONS_ONLY_FUNCTION)
            };
            host.create_tx_queue_for(q, setup.llq_queues >> q & 1 != 0, function, completion_function).await?;
        }
        if let Some(q) = setup.completion_ring_off {
            host.disable_ring(4 * q as u32 + 1).await?;
        }

        // Expected frames per queue, and completions per queue.
        let mut frames: Vec<VecDeque<Vec<u8>>> = vec![VecDeque::new(); TX_QUEUES];
        let mut completions: Vec<VecDeque<TxCompletion>> = vec![VecDeque::new(); TX_QUEUES];
        let mut next_buffer = BUFFER_BASE;
        let start = tb.cycle();
        let mut error_completions = 0;
        let mut window_errors = 0;
        let mut first_doorbell = None;
        for packet in &setup.packets {
            let q = packet.queue;
            ensure!(
                packet.fault != Some(TxFault::ZeroLength(0)) || packet.header.is_empty(),
                "a header alone is a good packet: ZeroLength(0) needs no header"
            );
            let mut descriptors = Vec::new();
            let count = packet.pieces.len();
            for (i, piece) in packet.pieces.iter().enumerate() {
                let mut buffer = next_buffer + (next_buffer as usize % 7) as u64; // any alignment
                next_buffer = (buffer + piece.len() as u64 + 64) & !7;
                let last = i + 1 == count;
                let poisoned = packet.fault == Some(TxFault::PayloadReadError(i));
                if poisoned {
                    buffer = POISONED_BASE + (buffer & 0xFFF);
                }
                if packet.fault == Some(TxFault::OutsideWindow(i)) {
                    buffer = OUTSIDE_BASE + (buffer & 0xFFF);
                    if setup.llq_of_its_own_function == Some(q) {
                        buffer = OTHERS_ONLY_BASE + (buffer & 0xFFF);
                    }
                }
                memory.memory.borrow_mut().write(buffer, piece);
                let mut length = piece.len() as u16;
                if packet.fault == Some(TxFault::ZeroLength(i)) {
                    length = 0;
                }
                let mut header_length = if i == 0 { packet.header.len() as u8 } else { 0 };
                if packet.fault == Some(TxFault::HeaderTooLong) {
                    header_length = 97;
                }
                descriptors.push(TxDescriptor {
                    length,
                    req_id: packet.req_id,
                    phase: false,
                    first: i == 0,
                    last,
                    comp_req: packet.comp_req,
                    buffer,
                    header_length,
                });
            }
            if setup.batched {
                host.write_tx(q, descriptors, &packet.header).await?;
            } else {
                host.post_tx(q, descriptors, &packet.header).await?;
                first_doorbell.get_or_insert(tb.cycle());
            }
            if setup.rings_outside_window == Some(q) {
                // Each descriptor: its fetch refused, its error completion's write refused.
                ensure!(packet.fault.is_none(), "a queue without its rings needs no other fault");
                window_errors += 2 * packet.pieces.len() as u64;
                error_completions += 2 * packet.pieces.len() as u64;
                continue;
            }
            if matches!(packet.fault, Some(TxFault::OutsideWindow(_))) {
                window_errors += 1;
            }
            if let Some(frame) = packet.frame() {
                frames[q].push_back(frame);
            }
            let end = host.tail(q);
            let start = end.wrapping_sub(packet.pieces.len() as u16);
            for (req_id, status, sq_head_idx) in packet.expected_completions(start, end) {
                // Each error completion is counted in tx_errors, and each lost one.
                if status != TX_STATUS_OK {
                    error_completions += 1;
                }
                if setup.lost_completions == Some(q) {
                    error_completions += 1;
                    continue;
                }
                if setup.completion_ring_off == Some(q) {
                    // Refused by the queue manager: one count, whatever the status.
                    if status == TX_STATUS_OK {
                        error_completions += 1;
                    }
                    continue;
                }
                completions[q].push_back(TxCompletion { req_id, status, phase: true, sub_qid: q as u16, sq_head_idx });
            }
        }

        if setup.batched {
            for &q in &queues {
                host.ring_tx(q).await?;
                first_doorbell.get_or_insert(tb.cycle());
            }
        }

        // Collect until every frame and completion is in.
        let want_frames: usize = frames.iter().map(|f| f.len()).sum();
        let want_completions: usize = completions.iter().map(|c| c.len()).sum();
        // Frames flagged for the MAC to drop (see `TxPacket::errored_frame`).
        let want_errored = setup.packets.iter().filter(|p| p.errored_frame()).count();
        let mut got_frames = 0;
        let mut got_completions = 0;
        let mut errored = 0;
        let mut current = Vec::new();
        let mut current_error = false;
        let (mut beats, mut first_beat, mut last_beat, mut first_end) = (0u64, None, 0u64, None);
        let mut sent = Vec::new();
        let mut frame_start = None;
        let mut previous_beat: Option<u64> = None;
        let gap_free = matches!(setup.tx_backpressure, Pattern::Never);
        let budget = 20_000
            + setup.packets.iter().map(|p| 2_000 + p.pieces.iter().map(|x| x.len()).sum::<usize>()).sum::<usize>()
                as u64;
        let deadline = tb.cycle() + budget;
        let collect_start = tb.cycle();
        let disabled_queue = setup.disable_queue.map(|d| d.0);
        let mut settle_until: Option<u64> = None;
        let others_done = |frames: &[VecDeque<Vec<u8>>], completions: &[VecDeque<TxCompletion>]| {
            (0..TX_QUEUES).all(|q| Some(q) == disabled_queue || (frames[q].is_empty() && completions[q].is_empty()))
        };
        let mut disabled = false;
        loop {
            if let Some((q, after)) = setup.disable_queue {
                if !disabled && tb.cycle() >= collect_start + after {
                    host.disable_ring(4 * q as u32).await?;
                    disabled = true;
                }
                // Done once the other queues are, and the disabled one has had time to
                // finish what it had taken.
                if disabled && others_done(&frames, &completions) {
                    let until = *settle_until.get_or_insert(tb.cycle() + 2000);
                    if tb.cycle() >= until {
                        break;
                    }
                }
            } else if got_frames >= want_frames && got_completions >= want_completions && errored >= want_errored {
                break;
            }
            ensure!(
                tb.cycle() < deadline,
                "after {budget} cycles: {got_frames}/{want_frames} frames, {got_completions}/{want_completions} completions"
            );
            tb.cycles(16).await;
            while let Some((cycle, beat)) = tx.recv_timed() {
                beats += 1;
                first_beat.get_or_insert(cycle);
                last_beat = cycle;
                frame_start.get_or_insert(cycle);
                // With the MAC always ready, a frame leaves one beat per cycle, start to end.
                if let (true, Some(previous)) = (gap_free, previous_beat) {
                    ensure!(cycle == previous + 1, "a gap inside a frame: beats at cycles {previous} and {cycle}");
                }
                previous_beat = if beat.last { None } else { Some(cycle) };
                if beat.last {
                    first_end.get_or_insert(cycle);
                }
                let n = valid_bytes(beat.keep);
                ensure!(beat.last || beat.keep == 0xFF, "tkeep {:#x} on a beat that is not the last", beat.keep);
                current.extend_from_slice(&beat.data.to_le_bytes()[..n]);
                current_error |= beat.user != 0;
                if beat.last {
                    let frame = std::mem::take(&mut current);
                    let started = frame_start.take().unwrap_or(cycle);
                    if std::mem::take(&mut current_error) {
                        errored += 1;
                        continue;
                    }
                    // Queues are served in turn, so a frame is the next one of some queue.
                    match frames.iter_mut().find(|f| f.front() == Some(&frame)) {
                        Some(queue) => {
                            queue.pop_front();
                            got_frames += 1;
                            sent.push((started, frame));
                        }
                        None => bail!(
                            "a frame of {} bytes that no queue had next: {:02x?}",
                            frame.len(),
                            &frame[..frame.len().min(32)]
                        ),
                    }
                }
            }
            for &q in &queues {
                for c in host.take_tx_completions(q).await? {
                    let Some(want) = completions[q].pop_front() else {
                        bail!("queue {q}: unexpected completion {c:?}")
                    };
                    ensure!(c == want, "queue {q}: completion {c:?}, expected {want:?}");
                    got_completions += 1;
                }
            }
        }
        tb.cycles(200).await;
        ensure!(tx.recv().is_none(), "a beat after every expected frame");
        // A lost completion is counted when its write is answered: let the last answers in.
        let tx_errors = tb.port("tx_errors")?;
        for _ in 0..100 {
            if tb.get(tx_errors) >= error_completions {
                break;
            }
            tb.cycles(20).await;
        }
        tb.cycles(200).await;
        let errors = tb.get(tx_errors);
        ensure!(errors == error_completions, "tx_errors is {errors}, {error_completions} error completions were due");
        let refused = tb.get(tb.port("tx_window_errors")?);
        ensure!(
            refused == window_errors,
            "tx_window_errors is {refused}, {window_errors} DMAs lay outside their window"
        );
        if setup.disable_queue.is_none() {
            ensure!(errored == want_errored, "{errored} frames flagged for the MAC to drop, expected {want_errored}");
        }
        let mut r = out.borrow_mut();
        *r = TxReport {
            cycles: tb.cycle() - start,
            frames: got_frames,
            errored_frames: errored,
            completions: got_completions,
            beats,
            beat_span: last_beat.saturating_sub(first_beat.unwrap_or(0)) + 1,
            doorbell_to_first_beat: first_beat.unwrap_or(0).saturating_sub(first_doorbell.unwrap_or(0)),
            doorbell_to_first_frame_end: first_end.unwrap_or(0).saturating_sub(first_doorbell.unwrap_or(0)),
            sent,
        };
        Ok(())
    })?;
    let r = report.borrow().clone();
    Ok(r)
}
