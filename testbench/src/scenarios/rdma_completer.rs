//! The RDMA completer on its own: records in on `cpl_*` / `fail_*`, and around it a queue
//! manager (posts and notifies answered `OP_LATENCY` cycles after they are taken, from
//! ring state kept here), the DMA windows (`bfm::window_lookup`) and a DMA write engine
//! (descriptor, two data beats, an answer `latency` cycles after the last beat; SLVERR in
//! an error range), each under its own random `ready` pattern.
//!
//! Checked against what the format (docs/blocks/rdma_completer.md) says: every entry
//! written, in order, at the address of its ring's next index with the right 16 bytes;
//! every record that cannot be written counted in `lost`; a notify on the entry's ring after
//! each write's answer and never before it.
use super::{verilated, Backend, BoxedSim, SimResult};
use crate::bfm::pattern::Throttle;
use crate::bfm::window_lookup::serve_window_lookups;
use crate::bfm::Pattern;
use crate::models::rdma::{Completion, CqRecord};
use crate::models::windows::WindowTable;
use crate::tb::{Tb, TbConfig};
use anyhow::{bail, ensure, Result};
use ferronic_hdl::queue::manager::OP_LATENCY;
use ferronic_hdl::rdma::completer::RdmaCompleter;
use ferronic_sim::native::NativeSim;
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use std::collections::{BTreeMap, VecDeque};
use std::ops::Range;

pub fn build(backend: Backend) -> SimResult {
    Ok(match backend {
        Backend::Verilator => verilated("rdma_completer", "", RdmaCompleter::default)?,
        Backend::RustHdl => Box::new(NativeSim::new(RdmaCompleter::default())?),
    })
}

/// A record's entry as the format says (written here, apart from the host's parser
/// `CqEntry`, so that stray bits anywhere in the 16 bytes show), carrying `phase`.
fn entry_bytes(record: &CqRecord, phase: bool) -> [u8; 16] {
    let (first, second, third) = match *record {
        CqRecord::Completion(Completion { qp, length, imm, .. }) => {
            (qp | (imm.is_some() as u32) << 24, length, imm.unwrap_or(0))
        }
        CqRecord::WriteFailed { qp, psn, .. } => (qp | 1 << 25, psn, 0),
    };
    let mut bytes = [0u8; 16];
    for (k, dword) in [first | (phase as u32) << 31, second, third, 0].into_iter().enumerate() {
        bytes[4 * k..4 * k + 4].copy_from_slice(&dword.to_le_bytes());
    }
    bytes
}

/// A completion ring as the host set it up.
#[derive(Clone, Copy, Debug)]
pub struct Ring {
    pub base: u64,
    pub log_size: u32,
    pub entry_log: u32,
    pub function: u8,
    /// The host takes each entry at once (the ring wraps and its phase flips, it is never
    /// full); otherwise it takes none (the ring is full after `2^log_size` posts).
    pub drained: bool,
}

pub struct CompleterRun {
    /// From the receive path: completions (`cpl_*`) and failure records (`fail_*`).
    pub records: Vec<CqRecord>,
    /// The completion rings that exist (by ring number); a post on any other is refused.
    pub rings: BTreeMap<u16, Ring>,
    pub windows: WindowTable,
    /// Writes that touch this range are answered SLVERR.
    pub errors: Range<u64>,
    pub latency: u64,
    /// Gaps between records, and each ready of the surroundings.
    pub idle: Pattern,
    pub backpressure: Pattern,
}

/// The queue manager's side of the rings: posts taken so far per ring (nothing is consumed,
/// so a ring is full after `size` posts).
#[derive(Default)]
struct Posts(BTreeMap<u16, u64>);

/// A post's answer: status, entry address, phase, entry log, function.
type PostAnswer = (u64, u64, bool, u32, u8);

impl Posts {
    fn post(&mut self, rings: &BTreeMap<u16, Ring>, ring: u16) -> PostAnswer {
        let Some(r) = rings.get(&ring) else { return (2, 0, false, 0, 0) };
        let posted = self.0.entry(ring).or_default();
        if !r.drained && *posted >= 1 << r.log_size {
            return (1, 0, false, r.entry_log, r.function);
        }
        let index = *posted;
        *posted += 1;
        let addr = r.base + ((index % (1 << r.log_size)) << r.entry_log);
        (0, addr, (index >> r.log_size) & 1 == 0, r.entry_log, r.function)
    }
}

/// What the completer must do: the writes (address, bytes), the rings notified, the count
/// of records lost.
fn expect(run: &CompleterRun) -> (Vec<(u64, [u8; 16])>, Vec<u16>, u64) {
    let (mut writes, mut notifies, mut lost) = (Vec::new(), Vec::new(), 0);
    let mut posts = Posts::default();
    for record in &run.records {
        let cq = record.cq();
        if cq > 255 {
            lost += 1;
            continue;
        }
        let (status, addr, phase, entry_log, function) = posts.post(&run.rings, cq);
        if status != 0 || entry_log != 4 || !run.windows.allows(function as usize, addr, 16) {
            lost += 1;
            continue;
        }
        writes.push((addr, entry_bytes(record, phase)));
        notifies.push(cq);
        if run.errors.contains(&addr) || run.errors.contains(&(addr + 15)) {
            lost += 1;
        }
    }
    (writes, notifies, lost)
}

/// Runs the records through the completer; returns (entries written, records lost).
pub fn run(sim: BoxedSim, setup: CompleterRun, config: &TbConfig) -> Result<(usize, u64)> {
    let report = std::rc::Rc::new(std::cell::RefCell::new((0, 0)));
    let out = report.clone();
    Tb::run(sim, config, move |tb| async move {
        let p = |name: &str| tb.port(name);
        let i = |name: &str| tb.input(name);
        let cpl = [i("cpl_valid")?, i("cpl_cq")?, i("cpl_qp")?, i("cpl_length")?, i("cpl_has_imm")?, i("cpl_imm")?];
        let fail = [i("fail_valid")?, i("fail_cq")?, i("fail_qp")?, i("fail_psn")?];
        let (cpl_ready, fail_ready) = (p("cpl_ready")?, p("fail_ready")?);
        let (op_valid, op_ready, op_ring, op_code) = (p("op_valid")?, i("op_ready")?, p("op_ring")?, p("op_code")?);
        let res = [
            i("res_valid")?,
            i("res_status")?,
            i("res_addr")?,
            i("res_phase")?,
            i("res_entry_log")?,
            i("res_function")?,
        ];
        let (desc_valid, desc_ready, desc_addr, desc_len) =
            (p("wr_desc_valid")?, i("wr_desc_ready")?, p("wr_desc_addr")?, p("wr_desc_len")?);
        let (data_valid, data_ready, data, data_last) =
            (p("wr_data_tvalid")?, i("wr_data_tready")?, p("wr_data_tdata")?, p("wr_data_tlast")?);
        let (status_valid, status_error) = (i("wr_status_valid")?, i("wr_status_error")?);
        let lost_port = p("lost")?;
        serve_window_lookups(&tb, setup.windows.clone())?;
        tb.reset(2).await?;
        let (want_writes, want_notifies, want_lost) = expect(&setup);

        let mut rng = tb.rng();
        let mut throttle = |pattern: Pattern| Throttle::new(pattern, SmallRng::seed_from_u64(rng.gen()));
        let (mut idle, mut op_throttle) = (throttle(setup.idle), throttle(setup.backpressure));
        let (mut desc_throttle, mut data_throttle) = (throttle(setup.backpressure), throttle(setup.backpressure));
        let mut pending: VecDeque<CqRecord> = setup.records.iter().copied().collect();
        let mut offered: Option<CqRecord> = None;
        let mut posts = Posts::default();
        let mut answers: VecDeque<(u64, PostAnswer)> = VecDeque::new();
        let mut statuses: VecDeque<(u64, bool)> = VecDeque::new();
        // The write being taken: its address and beats so far; the writes answered (ring
        // of each, by address order of the expectation).
        let mut open_write: Option<(u64, Vec<u8>)> = None;
        let mut writes: Vec<(u64, [u8; 16])> = Vec::new();
        let mut answered = 0usize;
        let mut notifies: Vec<u16> = Vec::new();
        let mut quiet = 0;
        let start = tb.cycle();
        loop {
            tb.read_only().await;
            let now = tb.cycle();
            ensure!(now < start + 200 + 200 * setup.records.len() as u64, "hung: {} records left", pending.len());
            // Handshakes at this edge.
            if let Some(record) = &offered {
                let taken = match record {
                    CqRecord::Completion(_) => tb.get(cpl_ready) != 0,
                    CqRecord::WriteFailed { .. } => tb.get(fail_ready) != 0,
                };
                if taken {
                    offered = None;
                }
            }
            ensure!(tb.get(cpl_ready) == 0 || tb.get(cpl[0]) != 0, "cpl_ready without cpl_valid");
            if tb.get(op_valid) != 0 && tb.get(op_ready) != 0 {
                let ring = tb.get(op_ring) as u16;
                match tb.get(op_code) {
                    1 => answers.push_back((now + OP_LATENCY, posts.post(&setup.rings, ring))),
                    2 => {
                        // A notify: after the answer of the write to this ring, never before.
                        let Some(&(addr, _)) = want_writes.get(notifies.len()) else {
                            bail!("cycle {now}: a notify on ring {ring} with no write to notify")
                        };
                        ensure!(
                            notifies.len() < answered && want_notifies[notifies.len()] == ring,
                            "cycle {now}: notify on ring {ring} before the answer of its write at {addr:#x}"
                        );
                        notifies.push(ring);
                        answers.push_back((now + OP_LATENCY, (0, 0, false, 0, 0)));
                    }
                    code => bail!("cycle {now}: operation code {code}"),
                }
            }
            if tb.get(desc_valid) != 0 && tb.get(desc_ready) != 0 {
                ensure!(open_write.is_none(), "cycle {now}: a second descriptor before the first's data");
                ensure!(tb.get(desc_len) == 16, "cycle {now}: a write of {} bytes", tb.get(desc_len));
                open_write = Some((tb.get(desc_addr), Vec::new()));
            }
            if tb.get(data_valid) != 0 && tb.get(data_ready) != 0 {
                let Some((addr, beats)) = open_write.as_mut() else { bail!("cycle {now}: data before a descriptor") };
                beats.extend_from_slice(&tb.get(data).to_le_bytes());
                let last = tb.get(data_last) != 0;
                ensure!(last == (beats.len() == 16), "cycle {now}: tlast {last} after {} bytes", beats.len());
                if last {
                    let addr = *addr;
                    writes.push((addr, beats.as_slice().try_into().unwrap()));
                    let error = setup.errors.contains(&addr) || setup.errors.contains(&(addr + 15));
                    statuses.push_back((now + setup.latency, error));
                    open_write = None;
                }
            }
            // A write is answered in the cycle its status shows.
            if tb.get(status_valid) != 0 {
                answered += 1;
            }
            let busy = offered.is_some() || !answers.is_empty() || !statuses.is_empty() || open_write.is_some();
            quiet = if busy || !pending.is_empty() { 0 } else { quiet + 1 };
            if quiet > 3 * OP_LATENCY + 40 {
                break;
            }

            // Inputs for the next cycle.
            if offered.is_none() && !idle.hold() {
                offered = pending.pop_front();
            }
            tb.set(cpl[0], matches!(offered, Some(CqRecord::Completion(_))) as u64);
            tb.set(fail[0], matches!(offered, Some(CqRecord::WriteFailed { .. })) as u64);
            match offered {
                Some(CqRecord::Completion(Completion { cq, qp, length, imm })) => {
                    for (port, value) in cpl[1..].iter().zip([
                        cq as u64,
                        qp as u64,
                        length as u64,
                        imm.is_some() as u64,
                        imm.unwrap_or(0) as u64,
                    ]) {
                        tb.set(*port, value);
                    }
                }
                Some(CqRecord::WriteFailed { cq, qp, psn }) => {
                    for (port, value) in fail[1..].iter().zip([cq as u64, qp as u64, psn as u64]) {
                        tb.set(*port, value);
                    }
                }
                None => {}
            }
            tb.set(op_ready, !op_throttle.hold() as u64);
            tb.set(desc_ready, !desc_throttle.hold() as u64);
            tb.set(data_ready, (open_write.is_some() && !data_throttle.hold()) as u64);
            let next = now + 1;
            let answer = answers.front().filter(|(due, _)| *due == next).map(|&(_, a)| a);
            if answer.is_some() {
                answers.pop_front();
            }
            let (status, addr, phase, entry_log, function) = answer.unwrap_or_default();
            for (port, value) in
                res.iter().zip([answer.is_some() as u64, status, addr, phase as u64, entry_log as u64, function as u64])
            {
                tb.set(*port, value);
            }
            let status = statuses.front().filter(|(due, _)| *due <= next).map(|&(_, e)| e);
            if status.is_some() {
                statuses.pop_front();
            }
            tb.set(status_valid, status.is_some() as u64);
            tb.set(status_error, status.unwrap_or(false) as u64);
        }
        ensure!(
            writes.len() == want_writes.len(),
            "{} entries written, the format says {}",
            writes.len(),
            want_writes.len()
        );
        for (k, (got, want)) in writes.iter().zip(&want_writes).enumerate() {
            ensure!(got == want, "entry {k}: written {:#x} {:02x?}, want {:#x} {:02x?}", got.0, got.1, want.0, want.1);
        }
        ensure!(notifies == want_notifies, "notifies on rings {notifies:?}, want {want_notifies:?}");
        let lost = tb.get(lost_port);
        ensure!(lost == want_lost, "lost {lost}, want {want_lost}");
        *out.borrow_mut() = (writes.len(), lost);
        Ok(())
    })?;
    let r = *report.borrow();
    Ok(r)
}
