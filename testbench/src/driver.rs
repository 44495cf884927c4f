//! A host-driver model: sets up and drives ferronic's queues the way the Linux ENA driver
//! drives its device. TX submission rings of 16-byte descriptors (regular queues) or LLQ
//! entries pushed into BAR2 (LLQ queues), a doorbell with the new tail after a packet's
//! descriptors, TX completion rings of 8-byte entries read by their phase bit.
//!
//! RX: submission rings of 16-byte ENA RX descriptors (one buffer each), completion rings of
//! 16-byte ENA RX completions, also read by their phase bit.
//!
//! Queue `q` uses rings `4q` (TX submission), `4q + 1` (TX completion), `4q + 2` (RX
//! submission) and `4q + 3` (RX completion); the register addresses come from the register
//! map (`ferronic_hdl::regs::nic`). RDMA: transactions and QPs through the RDMA command
//! registers.
use crate::bfm::channel::{watch_channel, ChannelPorts, ChannelSink, TransferCheck};
use crate::bfm::{Axi4Master, AxilMaster, Pattern, SparseMemory};
use crate::models::ena::{
    llq_entry, RxCompletion, RxDescriptor, TxCompletion, TxDescriptor, LLQ_ENTRIES, LLQ_ENTRY_BYTES,
};
use crate::models::rdma::CqEntry;
use crate::models::rss::RssTable;
use crate::scenarios::rdma_decide::{command_fields, DecideOp};
use crate::tb::Tb;
use anyhow::{ensure, Result};
use ferronic_hdl::regs::nic::*;
use std::cell::RefCell;
use std::rc::Rc;

/// Host memory layout of the driver's rings and buffers.
pub const TX_RING_BASE: u64 = 0x0010_0000;
pub const TX_COMPLETION_BASE: u64 = 0x0020_0000;
pub const RX_RING_BASE: u64 = 0x0030_0000;
pub const RX_COMPLETION_BASE: u64 = 0x0040_0000;
pub const RING_SPACING: u64 = 0x1_0000;
/// RDMA completion rings: ring `r`'s at `RDMA_CQ_BASE + r * RDMA_CQ_SPACING`, 64 entries of
/// 16 bytes, MSI-X vector `r`.
pub const RDMA_CQ_BASE: u64 = 0x0050_0000;
pub const RDMA_CQ_SPACING: u64 = 0x1000;
pub const RDMA_CQ_LOG: u32 = 6;
/// log2 of the ring sizes: 256 descriptors (regular), 16 entries (LLQ: one per BAR2 entry),
/// 256 completions.
pub const TX_RING_LOG: u32 = 8;
pub const LLQ_RING_LOG: u32 = 4;
pub const COMPLETION_RING_LOG: u32 = 8;
/// RX rings: 256 descriptors, 256 completions, both of 16 bytes.
pub const RX_RING_LOG: u32 = 8;
/// MSI-X vectors: TX queue `q`'s completion ring raises vector `q`, RX queue `q`'s
/// `RX_VECTOR_BASE + q`.
pub const RX_VECTOR_BASE: u32 = 8;
/// Host memory the scenarios keep outside every function's DMA window: what lies there
/// must never be touched.
pub const OUTSIDE_BASE: u64 = 0x2000_0000;
pub const OUTSIDE_BYTES: u64 = 0x1000_0000;
/// The function the scenarios give a window that holds buffers but no ring, to own a ring
/// the engines must then never touch.
pub const RINGLESS_FUNCTION: u32 = 1;
/// The function the TX scenarios give the completion rings: its window holds those rings
/// only, so an engine that checked a payload against the completion ring's function
/// instead of the submission ring's would refuse it.
pub const COMPLETIONS_ONLY_FUNCTION: u32 = 2;

/// One TX queue as the driver sees it.
#[derive(Clone, Debug, Default)]
struct TxQueue {
    llq: bool,
    /// Descriptors posted (the tail), free-running.
    tail: u16,
    /// Completions consumed (the completion ring's head), free-running.
    completion_head: u16,
    /// Entries the host has back, free-running: the `sq_head_idx` of the latest
    /// completion seen.
    freed: u16,
    /// RX descriptors posted, RX completions consumed (free-running).
    rx_tail: u16,
    rx_completion_head: u16,
}

pub struct EnaHost {
    tb: Tb,
    bar0: AxilMaster,
    bar2: Axi4Master,
    memory: Rc<RefCell<SparseMemory>>,
    queues: Vec<TxQueue>,
    /// RDMA completion rings: entries consumed (the head), free-running, by ring.
    rdma_cq_heads: Vec<u16>,
}

fn ring_register(ring: u32, register: &ferronic_hdl::regs::Register) -> u64 {
    RINGS.address(ring, register) as u64
}

impl EnaHost {
    pub fn new(tb: &Tb, bar0: AxilMaster, bar2: Axi4Master, memory: Rc<RefCell<SparseMemory>>) -> Self {
        Self {
            tb: tb.clone(),
            bar0,
            bar2,
            memory,
            queues: vec![TxQueue::default(); ferronic_hdl::tx::TX_QUEUES],
            rdma_cq_heads: vec![0; 256],
        }
    }

    async fn write_register(&self, address: u64, value: u32) -> Result<()> {
        let resp = self.bar0.write(address, value, 0xF).await;
        ensure!(resp == 0, "BAR0 write of {value:#x} to {address:#x} answered {resp}");
        Ok(())
    }

    /// Programs one ring: base address and control (which also resets its indices).
    async fn set_up_ring(&self, ring: u32, base: u64, control: u32) -> Result<()> {
        self.write_register(ring_register(ring, &RING_BASE_LO), base as u32).await?;
        self.write_register(ring_register(ring, &RING_BASE_HI), (base >> 32) as u32).await?;
        self.write_register(ring_register(ring, &RING_CONTROL), control).await
    }

    /// Gives the RDMA receive path one command through its BAR0 registers: the fields, then
    /// the op into `rdma_cmd_issue`; polls `rdma_cmd_result` until the answer. Returns
    /// (status, entry).
    pub async fn rdma_command(&self, op: &DecideOp) -> Result<(u64, u64)> {
        let [code, qp, psn, packets, va, length, rkey, path_mtu, cq, function] = command_fields(op);
        let params = RDMA_PARAMS_PATH_MTU.put(path_mtu as u32)
            | RDMA_PARAMS_FUNCTION.put(function as u32)
            | RDMA_PARAMS_CQ.put(cq as u32);
        for (register, value) in [
            (RDMA_CMD_QP, qp as u32),
            (RDMA_CMD_PSN, psn as u32),
            (RDMA_CMD_PACKETS, packets as u32),
            (RDMA_CMD_VA_LO, va as u32),
            (RDMA_CMD_VA_HI, (va >> 32) as u32),
            (RDMA_CMD_LENGTH, length as u32),
            (RDMA_CMD_RKEY, rkey as u32),
            (RDMA_CMD_PARAMS, params),
            (RDMA_CMD_ISSUE, code as u32),
        ] {
            self.write_register(register.offset as u64, value).await?;
        }
        for _ in 0..100 {
            let (result, resp) = self.bar0.read(RDMA_CMD_RESULT.offset as u64).await;
            ensure!(resp == 0, "reading rdma_cmd_result answered {resp}");
            if RDMA_RESULT_BUSY.get(result) == 0 {
                return Ok((RDMA_RESULT_STATUS.get(result) as u64, RDMA_RESULT_ENTRY.get(result) as u64));
            }
        }
        anyhow::bail!("{op:?}: still busy after 100 reads of rdma_cmd_result")
    }

    /// Sets up ring `ring` as an RDMA completion queue owned by `function`: entries of
    /// 2^`entry_log` bytes (16 is what the completer writes) at `RDMA_CQ_BASE + ring *
    /// RDMA_CQ_SPACING`, MSI-X vector `ring`, armed.
    pub async fn create_rdma_cq(&mut self, ring: u32, function: u32, entry_log: u32) -> Result<()> {
        let control = CONTROL_LOG_SIZE.put(RDMA_CQ_LOG)
            | CONTROL_ENTRY_LOG.put(entry_log)
            | CONTROL_ENABLE.put(1)
            | CONTROL_COMPLETION.put(1)
            | CONTROL_FUNCTION.put(function)
            | CONTROL_VECTOR.put(ring);
        self.set_up_ring(ring, RDMA_CQ_BASE + ring as u64 * RDMA_CQ_SPACING, control).await?;
        self.write_register(ring_register(ring, &RING_ARM), 1).await?;
        self.rdma_cq_heads[ring as usize] = 0;
        Ok(())
    }

    /// The entries the device has written on RDMA completion ring `ring` since the last
    /// call, found by their phase bit; the head doorbell follows.
    pub async fn take_rdma_completions(&mut self, ring: u32) -> Result<Vec<CqEntry>> {
        let base = RDMA_CQ_BASE + ring as u64 * RDMA_CQ_SPACING;
        let head = self.rdma_cq_heads[ring as usize];
        let found = self.scan_completions(base, head, RDMA_CQ_LOG, 16, CqEntry::from_bytes, |c| c.phase);
        self.rdma_cq_heads[ring as usize] = self.return_completions(ring, head, found.len()).await?;
        Ok(found)
    }

    /// Disables a ring (a control write, which also resets its indices), as a driver tearing
    /// a queue down while traffic still runs.
    pub async fn disable_ring(&self, ring: u32) -> Result<()> {
        self.write_register(ring_register(ring, &RING_CONTROL), 0).await
    }

    /// Writes the RSS indirection table: every entry, as the ENA driver sets its table.
    pub async fn set_rss_table(&self, table: &RssTable) -> Result<()> {
        for (n, &queue) in table.entries().iter().enumerate() {
            self.write_register(RSS.address(n as u32, &RSS_QUEUE) as u64, queue as u32).await?;
        }
        Ok(())
    }

    /// Sets `function`'s DMA window to [base, limit], as a PF driver does before it hands a
    /// function out.
    pub async fn set_window(&self, function: u32, base: u64, limit: u64) -> Result<()> {
        for (register, value) in [
            (&WINDOW_BASE_LO, base as u32),
            (&WINDOW_BASE_HI, (base >> 32) as u32),
            (&WINDOW_LIMIT_LO, limit as u32),
            (&WINDOW_LIMIT_HI, (limit >> 32) as u32),
        ] {
            self.write_register(WINDOWS.address(function, register) as u64, value).await?;
        }
        Ok(())
    }

    /// Sets up TX queue `q` for the PF: see [`Self::create_tx_queue_for`].
    pub async fn create_tx_queue(&mut self, q: usize, llq: bool) -> Result<()> {
        self.create_tx_queue_for(q, llq, 0, 0).await
    }

    /// Sets up TX queue `q`: its submission ring (LLQ or regular), owned by `function`, and
    /// its completion ring with MSI-X vector `q`, armed, owned by `completion_function`.
    pub async fn create_tx_queue_for(
        &mut self,
        q: usize,
        llq: bool,
        function: u32,
        completion_function: u32,
    ) -> Result<()> {
        let (sq, cq) = (4 * q as u32, 4 * q as u32 + 1);
        let log = if llq { LLQ_RING_LOG } else { TX_RING_LOG };
        // LLQ queues: 128-byte entries (in BAR2, not at the base address).
        let control = CONTROL_LOG_SIZE.put(log)
            | CONTROL_ENTRY_LOG.put(if llq { 7 } else { 4 })
            | CONTROL_ENABLE.put(1)
            | CONTROL_FUNCTION.put(function);
        self.set_up_ring(sq, TX_RING_BASE + q as u64 * RING_SPACING, control).await?;
        let control = CONTROL_LOG_SIZE.put(COMPLETION_RING_LOG)
            | CONTROL_ENTRY_LOG.put(3)
            | CONTROL_ENABLE.put(1)
            | CONTROL_COMPLETION.put(1)
            | CONTROL_FUNCTION.put(completion_function)
            | CONTROL_VECTOR.put(q as u32);
        self.set_up_ring(cq, TX_COMPLETION_BASE + q as u64 * RING_SPACING, control).await?;
        self.write_register(ring_register(cq, &RING_ARM), 1).await?;
        self.queues[q].llq = llq;
        self.queues[q].tail = 0;
        self.queues[q].completion_head = 0;
        Ok(())
    }

    /// Sets up RX queue `q` for the PF: see [`Self::create_rx_queue_for`].
    pub async fn create_rx_queue(&mut self, q: usize) -> Result<()> {
        self.create_rx_queue_for(q, 0, 0).await
    }

    /// Sets up RX queue `q`: its descriptor ring, owned by `submission_function`, and its
    /// completion ring (MSI-X vector `RX_VECTOR_BASE + q`, armed), owned by `completion_function`. No
    /// buffers yet.
    pub async fn create_rx_queue_for(
        &mut self,
        q: usize,
        submission_function: u32,
        completion_function: u32,
    ) -> Result<()> {
        let (sq, cq) = (4 * q as u32 + 2, 4 * q as u32 + 3);
        let control = CONTROL_LOG_SIZE.put(RX_RING_LOG)
            | CONTROL_ENTRY_LOG.put(4)
            | CONTROL_ENABLE.put(1)
            | CONTROL_FUNCTION.put(submission_function);
        self.set_up_ring(sq, RX_RING_BASE + q as u64 * RING_SPACING, control).await?;
        let control = CONTROL_LOG_SIZE.put(RX_RING_LOG)
            | CONTROL_ENTRY_LOG.put(4)
            | CONTROL_ENABLE.put(1)
            | CONTROL_COMPLETION.put(1)
            | CONTROL_FUNCTION.put(completion_function)
            | CONTROL_VECTOR.put(RX_VECTOR_BASE + q as u32);
        self.set_up_ring(cq, RX_COMPLETION_BASE + q as u64 * RING_SPACING, control).await?;
        self.write_register(ring_register(cq, &RING_ARM), 1).await?;
        self.queues[q].rx_tail = 0;
        self.queues[q].rx_completion_head = 0;
        Ok(())
    }

    /// Posts RX buffers on queue `q` (the driver sets phase, first, last and comp_req as the
    /// ENA driver does: every descriptor is a whole buffer), then rings the doorbell.
    pub async fn post_rx(&mut self, q: usize, buffers: &[RxDescriptor]) -> Result<()> {
        for d in buffers {
            let tail = self.queues[q].rx_tail;
            let d =
                RxDescriptor { phase: (tail >> RX_RING_LOG) & 1 == 0, first: true, last: true, comp_req: true, ..*d };
            let at = RX_RING_BASE + q as u64 * RING_SPACING + (tail as u64 % (1 << RX_RING_LOG)) * 16;
            self.memory.borrow_mut().write(at, &d.to_bytes());
            self.queues[q].rx_tail = tail.wrapping_add(1);
        }
        let tail = self.queues[q].rx_tail;
        self.write_register(ring_register(4 * q as u32 + 2, &RING_HOST_INDEX), tail as u32).await
    }

    /// The RX completions the device has written on queue `q` since the last call, found by
    /// their phase bit; the head doorbell follows.
    pub async fn take_rx_completions(&mut self, q: usize) -> Result<Vec<RxCompletion>> {
        let base = RX_COMPLETION_BASE + q as u64 * RING_SPACING;
        let head = self.queues[q].rx_completion_head;
        let found = self.scan_completions(base, head, RX_RING_LOG, 16, RxCompletion::from_bytes, |c| c.phase);
        self.queues[q].rx_completion_head = self.return_completions(4 * q as u32 + 3, head, found.len()).await?;
        Ok(found)
    }

    /// The completions written since `head` on a completion ring at `base` (2^`log` entries
    /// of `bytes` bytes), found as the ENA driver finds them: by the phase bit the current
    /// pass through the ring expects.
    fn scan_completions<C>(
        &self,
        base: u64,
        mut head: u16,
        log: u32,
        bytes: usize,
        parse: impl Fn(&[u8]) -> C,
        phase: impl Fn(&C) -> bool,
    ) -> Vec<C> {
        let mut found = Vec::new();
        loop {
            let at = base + (head as u64 % (1 << log)) * bytes as u64;
            let completion = parse(&self.memory.borrow().read(at, bytes));
            if phase(&completion) != ((head >> log) & 1 == 0) {
                return found;
            }
            found.push(completion);
            head = head.wrapping_add(1);
        }
    }

    /// Hands `count` consumed completions back (the ring's head doorbell, when there are
    /// any); returns the new head.
    async fn return_completions(&self, ring: u32, head: u16, count: usize) -> Result<u16> {
        let head = head.wrapping_add(count as u16);
        if count > 0 {
            self.write_register(ring_register(ring, &RING_HOST_INDEX), head as u32).await?;
        }
        Ok(head)
    }

    /// Waits until submission ring `q` has room for `n` more descriptors.
    ///
    /// The host gets ring entries back as the ENA driver does: by completions
    /// (`next_to_comp`), each saying in `sq_head_idx` how far the queue has been worked
    /// through. The device index (`device_index` in BAR0) says only that an entry was taken:
    /// the engine reads an LLQ entry, or fetches a ring entry, after that. Packets that ask
    /// for no completion (which the ENA driver never sends) are freed by the device index
    /// once nothing has completed for `QUIET` cycles, far longer than the engine takes to
    /// read what it took.
    async fn wait_for_room(&mut self, q: usize, n: u16) -> Result<()> {
        const POLL: u64 = 20;
        const QUIET: u64 = 2000;
        let size = 1u16 << if self.queues[q].llq { LLQ_RING_LOG } else { TX_RING_LOG };
        for round in 0..100_000u64 {
            // Completions seen, not consumed: the scenario checks them later.
            let base = TX_COMPLETION_BASE + q as u64 * RING_SPACING;
            let head = self.queues[q].completion_head;
            let found =
                self.scan_completions(base, head, COMPLETION_RING_LOG, 8, TxCompletion::from_bytes, |c| c.phase);
            if let Some(latest) = found.last() {
                self.queues[q].freed = latest.sq_head_idx;
            }
            let mut freed = self.queues[q].freed;
            if round * POLL >= QUIET {
                let (head, resp) = self.bar0.read(ring_register(4 * q as u32, &RING_DEVICE_INDEX)).await;
                ensure!(resp == 0, "device_index read answered {resp}");
                freed = head as u16;
            }
            if self.queues[q].tail.wrapping_sub(freed) + n <= size {
                return Ok(());
            }
            self.tb.cycles(POLL).await;
        }
        anyhow::bail!("TX queue {q} never drained")
    }

    /// Posts one packet on queue `q`: `descriptors` in order (the driver sets phase), for an
    /// LLQ queue with `header` pushed into the entry; then rings the doorbell.
    pub async fn post_tx(&mut self, q: usize, descriptors: Vec<TxDescriptor>, header: &[u8]) -> Result<()> {
        self.write_tx(q, descriptors, header).await?;
        self.ring_tx(q).await
    }

    /// Writes one packet into queue `q`'s ring (or LLQ entries) as `post_tx` does, without
    /// the doorbell: the ENA driver rings once for a burst of packets (`xmit_more`).
    pub async fn write_tx(&mut self, q: usize, mut descriptors: Vec<TxDescriptor>, header: &[u8]) -> Result<()> {
        let n = descriptors.len() as u16;
        self.wait_for_room(q, n).await?;
        let llq = self.queues[q].llq;
        let log = if llq { LLQ_RING_LOG } else { TX_RING_LOG };
        for d in descriptors.iter_mut() {
            let tail = self.queues[q].tail;
            d.phase = (tail >> log) & 1 == 0;
            if llq {
                let entry = (q * LLQ_ENTRIES + (tail as usize % LLQ_ENTRIES)) * LLQ_ENTRY_BYTES;
                let resp = self.bar2.write(0, entry as u64, &llq_entry(d, header)).await;
                ensure!(resp == 0, "BAR2 write of an LLQ entry answered {resp}");
            } else {
                let at = TX_RING_BASE + q as u64 * RING_SPACING + ((tail as u64) % (1 << log)) * 16;
                self.memory.borrow_mut().write(at, &d.to_bytes());
            }
            self.queues[q].tail = tail.wrapping_add(1);
        }
        Ok(())
    }

    /// Rings queue `q`'s TX doorbell: everything written so far may go.
    pub async fn ring_tx(&mut self, q: usize) -> Result<()> {
        let tail = self.queues[q].tail;
        self.write_register(ring_register(4 * q as u32, &RING_HOST_INDEX), tail as u32).await
    }

    /// The completions the device has written on queue `q` since the last call (found by
    /// their phase bit, as the ENA driver finds them); the head doorbell follows.
    pub async fn take_tx_completions(&mut self, q: usize) -> Result<Vec<TxCompletion>> {
        let base = TX_COMPLETION_BASE + q as u64 * RING_SPACING;
        let head = self.queues[q].completion_head;
        let found = self.scan_completions(base, head, COMPLETION_RING_LOG, 8, TxCompletion::from_bytes, |c| c.phase);
        self.queues[q].completion_head = self.return_completions(4 * q as u32 + 1, head, found.len()).await?;
        Ok(found)
    }

    /// Descriptors posted on queue `q` so far.
    pub fn tail(&self, q: usize) -> u16 {
        self.queues[q].tail
    }
}

/// Fails the run if an interrupt comes before its completion is in host memory. The MSI-X
/// vectors are the driver's: `q` for TX queue `q`'s completion ring, `RX_VECTOR_BASE + q`
/// for RX queue `q`'s, `r` for RDMA completion ring `r` (32 and up). The n-th message on a
/// vector must find n completions of its ring in host memory (counted in the ring's first
/// lap: phase bit set, as the driver reads them). `silent` vectors are left out: rings whose
/// completions are lost or refused on purpose, whose notifies have nothing to show.
/// A run that wraps a completion ring is beyond this check: entry 0 loses its phase bit on
/// the second lap.
pub fn check_interrupts_follow_completions(tb: &Tb, memory: Rc<RefCell<SparseMemory>>, silent: Vec<u64>) -> Result<()> {
    let msix = ChannelPorts::resolve(tb, "msix", "", &["vector", "function"])?;
    ChannelSink::counting(tb, msix.clone(), Pattern::Never);
    const QUEUES: u64 = ferronic_hdl::tx::TX_QUEUES as u64;
    let rx_vectors = RX_VECTOR_BASE as u64..RX_VECTOR_BASE as u64 + QUEUES;
    let rdma_vectors = 4 * QUEUES..256;
    let mut interrupts = [0usize; 256];
    let check: TransferCheck = Box::new(move |payload| {
        let vector = payload[0];
        if silent.contains(&vector) {
            return Ok(());
        }
        // Which ring: its kind, number, entries (address, size, log2 count) and their phase.
        type Phase = fn(&[u8]) -> bool;
        let (kind, q, ring, bytes, log, phase_of): (&str, u64, u64, u64, u32, Phase) = if vector < QUEUES {
            let ring = TX_COMPLETION_BASE + vector * RING_SPACING;
            ("TX queue", vector, ring, 8, COMPLETION_RING_LOG, |e| TxCompletion::from_bytes(e).phase)
        } else if rx_vectors.contains(&vector) {
            let q = vector - rx_vectors.start;
            ("RX queue", q, RX_COMPLETION_BASE + q * RING_SPACING, 16, RX_RING_LOG, |e| {
                RxCompletion::from_bytes(e).phase
            })
        } else if rdma_vectors.contains(&vector) {
            let ring = RDMA_CQ_BASE + vector * RDMA_CQ_SPACING;
            ("RDMA completion ring", vector, ring, 16, RDMA_CQ_LOG, |e| CqEntry::from_bytes(e).phase)
        } else {
            return Ok(());
        };
        let memory = memory.borrow();
        let phase = |i: u64| phase_of(&memory.read(ring + i * bytes, bytes as usize));
        let written = (0..1u64 << log).take_while(|&i| phase(i)).count();
        let seen = &mut interrupts[vector as usize];
        *seen += 1;
        ensure!(written >= *seen, "{kind} {q}: interrupt {} came with {written} completions in host memory", *seen);
        Ok(())
    });
    watch_channel(tb, msix, Some(check));
    Ok(())
}
