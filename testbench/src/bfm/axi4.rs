//! AXI4 bus models (AMBA AXI and ACE spec, issue H): a memory slave that stands for host
//! memory, a master that issues reads and writes of any length and alignment, and a
//! monitor that fails the run on any protocol violation it can see.
use super::channel::{watch_channel, ChannelPorts, ChannelSink, ChannelSource, Payload};
use super::memory::SparseMemory;
use super::pattern::Pattern;
use crate::tb::Tb;
use anyhow::{bail, Result};
use rand::Rng;
use std::cell::RefCell;
use std::collections::{HashMap, VecDeque};
use std::ops::Range;
use std::rc::Rc;

pub const AW_FIELDS: [&str; 8] = ["awid", "awaddr", "awlen", "awsize", "awburst", "awlock", "awcache", "awprot"];
pub const W_FIELDS: [&str; 3] = ["wdata", "wstrb", "wlast"];
pub const B_FIELDS: [&str; 2] = ["bid", "bresp"];
pub const AR_FIELDS: [&str; 8] = ["arid", "araddr", "arlen", "arsize", "arburst", "arlock", "arcache", "arprot"];
pub const R_FIELDS: [&str; 4] = ["rid", "rdata", "rresp", "rlast"];

/// xRESP encodings.
pub const OKAY: u8 = 0;
pub const SLVERR: u8 = 2;
pub const DECERR: u8 = 3;
/// AxBURST encodings.
pub const BURST_FIXED: u64 = 0;
pub const BURST_INCR: u64 = 1;

/// One address-channel request, decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AddressBeat {
    pub id: u64,
    pub addr: u64,
    pub len: u64,
    pub size: u64,
    pub burst: u64,
}

impl AddressBeat {
    fn decode(p: &Payload) -> Self {
        Self { id: p[0], addr: p[1], len: p[2], size: p[3], burst: p[4] }
    }
    pub fn encode(&self) -> Payload {
        // lock 0, cache 0b0011 (normal, bufferable), prot 0.
        [self.id, self.addr, self.len, self.size, self.burst, 0, 3, 0]
    }
    pub fn beats(&self) -> u64 {
        self.len + 1
    }
    /// The byte address beat `i` transfers at, aligned to the transfer size (A3.4.2).
    pub fn beat_address(&self, i: u64) -> u64 {
        let aligned = self.addr & !((1u64 << self.size) - 1);
        match self.burst {
            BURST_FIXED => self.addr,
            _ if i == 0 => self.addr,
            _ => aligned + (i << self.size),
        }
    }
    /// Bytes an INCR burst covers, from its (unaligned) start.
    pub fn byte_range(&self) -> Range<u64> {
        let aligned = self.addr & !((1u64 << self.size) - 1);
        self.addr..aligned + (self.beats() << self.size)
    }
    /// A burst must not cross a 4 KiB boundary (A3.4.1).
    pub fn crosses_4k(&self) -> bool {
        let r = self.byte_range();
        self.burst == BURST_INCR && (r.start >> 12) != ((r.end - 1) >> 12)
    }
}

/// An address range that answers with an error response instead of data.
#[derive(Clone, Debug)]
pub struct ErrorRange {
    pub range: Range<u64>,
    pub resp: u8,
}

/// How the memory behaves.
#[derive(Clone, Debug)]
pub struct Axi4MemoryConfig {
    /// Cycles from an address being accepted to its response being offered.
    pub latency: u64,
    /// How often `awready`, `wready`, `arready` are withheld.
    pub ready: Pattern,
    /// How often `rvalid`/`bvalid` pause between beats.
    pub response_idle: Pattern,
    /// Answer ready bursts of different IDs in random order (same-ID order is kept).
    pub reorder: bool,
    pub errors: Vec<ErrorRange>,
    /// Ranges no burst may touch (memory outside the DMA windows a test set): a burst that
    /// does fails the run.
    pub forbidden: Vec<Range<u64>>,
}

impl Default for Axi4MemoryConfig {
    fn default() -> Self {
        Self {
            latency: 20,
            ready: Pattern::Never,
            response_idle: Pattern::Never,
            reorder: true,
            errors: Vec::new(),
            forbidden: Vec::new(),
        }
    }
}

/// Counts of what the memory served.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MemoryStats {
    pub read_bursts: u64,
    pub write_bursts: u64,
    pub read_beats: u64,
    pub write_beats: u64,
    pub error_responses: u64,
    /// Read bursts answered before an older burst of another ID.
    pub reordered_reads: u64,
}

struct PendingRead {
    order: u64,
    ready_at: u64,
    request: AddressBeat,
}

/// Host memory on an AXI4 slave port: latency, backpressure, reordering across IDs and
/// error injection, over a [`SparseMemory`] the test can read and write directly. A write's
/// bytes land when its answer (B) is offered, `latency` cycles after its last beat.
#[derive(Clone)]
pub struct Axi4Memory {
    pub memory: Rc<RefCell<SparseMemory>>,
    pub stats: Rc<RefCell<MemoryStats>>,
    /// Every write burst answered, in answer order.
    pub writes: Rc<RefCell<Vec<WriteRecord>>>,
}

/// A write burst as the memory saw it: the bytes it covers, the cycle its address was
/// taken and the cycle its answer was offered (when its bytes landed). Lets a test check
/// the order a block keeps between writes, e.g. a completion only after its data's answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WriteRecord {
    pub bytes: Range<u64>,
    pub accepted: u64,
    pub answered: u64,
}

impl Axi4Memory {
    /// The last write burst that covered byte `address`.
    pub fn last_write_to(&self, address: u64) -> Option<WriteRecord> {
        self.writes.borrow().iter().rev().find(|w| w.bytes.contains(&address)).cloned()
    }

    /// The write bursts that touched any byte of `bytes`.
    pub fn writes_over(&self, bytes: &Range<u64>) -> Vec<WriteRecord> {
        self.writes
            .borrow()
            .iter()
            .filter(|w| w.bytes.start < bytes.end && bytes.start < w.bytes.end)
            .cloned()
            .collect()
    }
}

fn error_for(errors: &[ErrorRange], bytes: &Range<u64>) -> Option<u8> {
    errors.iter().find(|e| e.range.start < bytes.end && bytes.start < e.range.end).map(|e| e.resp)
}

fn check_allowed(name: &str, channel: &str, request: &AddressBeat, forbidden: &[Range<u64>]) -> Result<()> {
    let bytes = request.byte_range();
    match forbidden.iter().find(|f| f.start < bytes.end && bytes.start < f.end) {
        Some(f) => bail!("{name}: {channel} burst over {bytes:#x?} touches {f:#x?}, memory no DMA may reach"),
        None => Ok(()),
    }
}

impl Axi4Memory {
    /// Serves the AXI4 master port named `prefix` (e.g. `m_axi`) of the simulated block.
    pub fn start(tb: &Tb, prefix: &str, config: Axi4MemoryConfig) -> Result<Self> {
        // A read-only master (AR and R only) has no write channels to serve, a write-only
        // one no read channels.
        let has_writes = tb.port(&format!("{prefix}_awvalid")).is_ok();
        let has_reads = tb.port(&format!("{prefix}_arvalid")).is_ok();
        let data_port = if has_reads { "rdata" } else { "wdata" };
        let bus_bytes = (tb.port_spec(tb.port(&format!("{prefix}_{data_port}"))?).width / 8) as u64;
        let write_side = if has_writes {
            Some((
                ChannelSink::start(tb, ChannelPorts::resolve(tb, prefix, "aw", &AW_FIELDS)?, config.ready),
                ChannelSink::start(tb, ChannelPorts::resolve(tb, prefix, "w", &W_FIELDS)?, config.ready),
                ChannelSource::start(tb, ChannelPorts::resolve(tb, prefix, "b", &B_FIELDS)?, config.response_idle),
            ))
        } else {
            None
        };
        let read_side = if has_reads {
            Some((
                ChannelSink::start(tb, ChannelPorts::resolve(tb, prefix, "ar", &AR_FIELDS)?, config.ready),
                ChannelSource::start(tb, ChannelPorts::resolve(tb, prefix, "r", &R_FIELDS)?, config.response_idle),
            ))
        } else {
            None
        };
        let model = Self { memory: Rc::default(), stats: Rc::default(), writes: Rc::default() };
        let (memory, stats, log) = (Rc::clone(&model.memory), Rc::clone(&model.stats), Rc::clone(&model.writes));
        let mut rng = tb.rng();
        let tb2 = tb.clone();
        let name = prefix.to_string();
        tb.spawn(async move {
            let tb = tb2;
            let mut reads: Vec<PendingRead> = Vec::new();
            let mut writes: VecDeque<(u64, AddressBeat)> = VecDeque::new();
            // ready_at, id, resp, the bytes the write stores when it is answered, and the
            // burst's record for the log.
            let mut responses: VecDeque<(u64, u64, u8, Vec<(u64, u8)>, WriteRecord)> = VecDeque::new();
            let mut order = 0u64;
            loop {
                tb.rising_edge().await;
                let now = tb.cycle();
                if let Some((ar, r)) = &read_side {
                    while let Some((cycle, p)) = ar.pop() {
                        let request = AddressBeat::decode(&p);
                        check_request(&name, "AR", &request, bus_bytes)?;
                        check_allowed(&name, "AR", &request, &config.forbidden)?;
                        reads.push(PendingRead { order, ready_at: cycle + config.latency, request });
                        order += 1;
                    }
                    serve_reads(&mut reads, r, &memory, &stats, &config, &mut rng, bus_bytes, now);
                }
                let Some((aw, w, b)) = &write_side else {
                    continue;
                };
                while let Some((cycle, p)) = aw.pop() {
                    let request = AddressBeat::decode(&p);
                    check_request(&name, "AW", &request, bus_bytes)?;
                    check_allowed(&name, "AW", &request, &config.forbidden)?;
                    writes.push_back((cycle, request));
                }
                // A write completes once all its data beats have arrived.
                while let Some(&(cycle, request)) = writes.front() {
                    if (w.len() as u64) < request.beats() {
                        break;
                    }
                    writes.pop_front();
                    let beats: Vec<Payload> = (0..request.beats()).map(|_| w.pop().expect("counted").1).collect();
                    for (i, beat) in beats.iter().enumerate() {
                        if (beat[2] != 0) != (i as u64 == request.len) {
                            bail!("{name}: WLAST is {} on beat {i} of a {}-beat burst", beat[2], request.beats());
                        }
                    }
                    let resp = error_for(&config.errors, &request.byte_range());
                    let mut stored = Vec::new();
                    if resp.is_none() {
                        for (i, beat) in beats.iter().enumerate() {
                            let lane_base = request.beat_address(i as u64) & !(bus_bytes - 1);
                            for lane in 0..bus_bytes {
                                if beat[1] >> lane & 1 != 0 {
                                    stored.push((lane_base + lane, (beat[0] >> (8 * lane)) as u8));
                                }
                            }
                        }
                    }
                    let mut s = stats.borrow_mut();
                    s.write_bursts += 1;
                    s.write_beats += request.beats();
                    s.error_responses += resp.is_some() as u64;
                    let record = WriteRecord { bytes: request.byte_range(), accepted: cycle, answered: 0 };
                    responses.push_back((cycle + config.latency, request.id, resp.unwrap_or(OKAY), stored, record));
                }
                if b.queued() == 0 {
                    // A write's bytes become visible as its answer is offered, not before: a
                    // block that tells the host a write is done before its answer (a completion,
                    // an interrupt) is caught reading stale memory.
                    if responses.front().is_some_and(|r| r.0 <= now) {
                        let (_, id, resp, stored, record) = responses.pop_front().expect("checked");
                        let mut mem = memory.borrow_mut();
                        for (addr, byte) in stored {
                            mem.write_byte(addr, byte);
                        }
                        log.borrow_mut().push(WriteRecord { answered: now, ..record });
                        b.push([id, resp as u64, 0, 0, 0, 0, 0, 0]);
                    }
                }
            }
            #[allow(unreachable_code)]
            Ok(())
        });
        Ok(model)
    }
}

/// Offers the next read burst on R once the previous one is handed over: the oldest
/// request of each ID whose latency has passed; among IDs, oldest first or at random.
#[allow(clippy::too_many_arguments)]
fn serve_reads(
    reads: &mut Vec<PendingRead>,
    r: &ChannelSource,
    memory: &Rc<RefCell<SparseMemory>>,
    stats: &Rc<RefCell<MemoryStats>>,
    config: &Axi4MemoryConfig,
    rng: &mut rand::rngs::SmallRng,
    bus_bytes: u64,
    now: u64,
) {
    if r.queued() == 0 {
        // The oldest request of each ID may go; among IDs, oldest first or random.
        let eligible: Vec<usize> = (0..reads.len())
            .filter(|&i| {
                let r = &reads[i];
                r.ready_at <= now && !reads.iter().any(|o| o.request.id == r.request.id && o.order < r.order)
            })
            .collect();
        if !eligible.is_empty() {
            let pick = if config.reorder {
                eligible[rng.gen_range(0..eligible.len())]
            } else {
                *eligible.iter().min_by_key(|&&i| reads[i].order).expect("non-empty")
            };
            let read = reads.remove(pick);
            let request = read.request;
            let resp = error_for(&config.errors, &request.byte_range());
            let mem = memory.borrow();
            for i in 0..request.beats() {
                let lane_base = request.beat_address(i) & !(bus_bytes - 1);
                let data = match resp {
                    Some(_) => 0,
                    None => (0..bus_bytes)
                        .fold(0u64, |acc, lane| acc | (mem.read_byte(lane_base + lane) as u64) << (8 * lane)),
                };
                r.push([request.id, data, resp.unwrap_or(OKAY) as u64, (i == request.len) as u64, 0, 0, 0, 0]);
            }
            let mut s = stats.borrow_mut();
            s.read_bursts += 1;
            s.read_beats += request.beats();
            s.error_responses += resp.is_some() as u64;
            s.reordered_reads += reads.iter().any(|o| o.order < read.order) as u64;
        }
    }
}

fn check_request(name: &str, channel: &str, request: &AddressBeat, bus_bytes: u64) -> Result<()> {
    if 1u64 << request.size > bus_bytes {
        bail!("{name}: {channel} size {} is wider than the {bus_bytes}-byte bus", request.size);
    }
    if request.burst != BURST_INCR && request.burst != BURST_FIXED {
        bail!("{name}: {channel} burst type {} is not supported by the memory model", request.burst);
    }
    if request.crosses_4k() {
        bail!("{name}: {channel} burst {request:x?} crosses a 4 KiB boundary");
    }
    Ok(())
}

/// Splits `len` bytes at `addr` into INCR bursts of full-width beats: at most
/// `max_beats` beats and never across a 4 KiB boundary. Returns (start, end) byte ranges.
pub fn split_bursts(addr: u64, len: u64, bus_bytes: u64, max_beats: u64) -> Vec<Range<u64>> {
    let mut out = Vec::new();
    let end = addr + len;
    let mut start = addr;
    while start < end {
        let aligned = start & !(bus_bytes - 1);
        let limit = ((start >> 12) + 1) << 12;
        let burst_end = end.min(limit).min(aligned + max_beats * bus_bytes);
        out.push(start..burst_end);
        start = burst_end;
    }
    out
}

/// Per-ID bookkeeping of outstanding bursts, in issue order.
#[derive(Default)]
struct MasterState {
    writes: HashMap<u64, VecDeque<Rc<RefCell<Op>>>>,
    reads: HashMap<u64, VecDeque<(Rc<RefCell<Op>>, Range<u64>)>>,
    read_beats: HashMap<u64, Vec<u64>>,
}

#[derive(Default)]
struct Op {
    bursts_left: usize,
    resp: u8,
    base: u64,
    data: Vec<u8>,
}

/// Issues AXI4 reads and writes on the slave port named `prefix` (e.g. `s_axi_llq`).
#[derive(Clone)]
pub struct Axi4Master {
    aw: ChannelSource,
    w: ChannelSource,
    ar: Option<ChannelSource>,
    state: Rc<RefCell<MasterState>>,
    bus_bytes: u64,
    max_beats: u64,
    tb: Tb,
}

impl Axi4Master {
    pub fn start(tb: &Tb, prefix: &str, idle: Pattern, backpressure: Pattern) -> Result<Self> {
        let bus_bytes = (tb.port_spec(tb.port(&format!("{prefix}_wdata"))?).width / 8) as u64;
        let aw = ChannelSource::start(tb, ChannelPorts::resolve(tb, prefix, "aw", &AW_FIELDS)?, idle);
        let w = ChannelSource::start(tb, ChannelPorts::resolve(tb, prefix, "w", &W_FIELDS)?, idle);
        let b = ChannelSink::start(tb, ChannelPorts::resolve(tb, prefix, "b", &B_FIELDS)?, backpressure);
        // A write-only slave port (an AXI4 write interface) has no read channels.
        let (ar, r) = if tb.port(&format!("{prefix}_arvalid")).is_ok() {
            (
                Some(ChannelSource::start(tb, ChannelPorts::resolve(tb, prefix, "ar", &AR_FIELDS)?, idle)),
                Some(ChannelSink::start(tb, ChannelPorts::resolve(tb, prefix, "r", &R_FIELDS)?, backpressure)),
            )
        } else {
            (None, None)
        };
        let master = Self { aw, w, ar, state: Rc::default(), bus_bytes, max_beats: 256, tb: tb.clone() };
        let state = Rc::clone(&master.state);
        let tb2 = tb.clone();
        let name = prefix.to_string();
        tb.spawn(async move {
            let tb = tb2;
            loop {
                tb.rising_edge().await;
                let mut st = state.borrow_mut();
                while let Some((_, p)) = b.pop() {
                    let Some(op) = st.writes.get_mut(&p[0]).and_then(|q| q.pop_front()) else {
                        bail!("{name}: B response for ID {} with no write outstanding", p[0]);
                    };
                    let mut op = op.borrow_mut();
                    op.resp = op.resp.max(p[1] as u8);
                    op.bursts_left -= 1;
                }
                while let Some((_, p)) = r.as_ref().and_then(|r| r.pop()) {
                    let (id, data, resp, last) = (p[0], p[1], p[2] as u8, p[3] != 0);
                    st.read_beats.entry(id).or_default().push(data);
                    if let Some((op, _)) = st.reads.get(&id).and_then(|q| q.front()) {
                        let mut op = op.borrow_mut();
                        op.resp = op.resp.max(resp);
                    }
                    if !last {
                        continue;
                    }
                    let beats = st.read_beats.remove(&id).unwrap_or_default();
                    let Some((op, range)) = st.reads.get_mut(&id).and_then(|q| q.pop_front()) else {
                        bail!("{name}: R data for ID {id} with no read outstanding");
                    };
                    let mut op = op.borrow_mut();
                    let aligned = range.start & !(bus_bytes - 1);
                    let expected = (range.end - aligned).div_ceil(bus_bytes) as usize;
                    if beats.len() != expected {
                        bail!("{name}: RLAST after {} beats, the burst has {expected}", beats.len());
                    }
                    for addr in range.clone() {
                        let beat = ((addr - aligned) / bus_bytes) as usize;
                        let lane = (addr - aligned) % bus_bytes;
                        let base = op.base;
                        op.data[(addr - base) as usize] = (beats[beat] >> (8 * lane)) as u8;
                    }
                    op.bursts_left -= 1;
                }
            }
            #[allow(unreachable_code)]
            Ok(())
        });
        Ok(master)
    }

    /// Largest burst, in beats (1–256).
    pub fn set_max_burst_beats(&mut self, beats: u64) {
        self.max_beats = beats.clamp(1, 256);
    }

    fn size(&self) -> u64 {
        self.bus_bytes.trailing_zeros() as u64
    }

    /// Writes `data` at `addr` (any alignment and length) with ID `id`; returns the worst
    /// response of its bursts.
    pub async fn write(&self, id: u64, addr: u64, data: &[u8]) -> u8 {
        let bursts = split_bursts(addr, data.len() as u64, self.bus_bytes, self.max_beats);
        let op = Rc::new(RefCell::new(Op { bursts_left: bursts.len(), ..Op::default() }));
        for range in &bursts {
            let aligned = range.start & !(self.bus_bytes - 1);
            let beats = (range.end - aligned).div_ceil(self.bus_bytes);
            self.state.borrow_mut().writes.entry(id).or_default().push_back(Rc::clone(&op));
            self.aw.push(
                AddressBeat { id, addr: range.start, len: beats - 1, size: self.size(), burst: BURST_INCR }.encode(),
            );
            for i in 0..beats {
                let (mut word, mut strb) = (0u64, 0u64);
                for lane in 0..self.bus_bytes {
                    let a = aligned + i * self.bus_bytes + lane;
                    if range.contains(&a) {
                        word |= (data[(a - addr) as usize] as u64) << (8 * lane);
                        strb |= 1 << lane;
                    }
                }
                self.w.push([word, strb, (i + 1 == beats) as u64, 0, 0, 0, 0, 0]);
            }
        }
        self.wait(&op).await;
        let resp = op.borrow().resp;
        resp
    }

    /// Reads `len` bytes at `addr`; returns the data and the worst response. Panics on a
    /// write-only port (a test bug, not a device fault).
    pub async fn read(&self, id: u64, addr: u64, len: usize) -> (Vec<u8>, u8) {
        let ar = self.ar.as_ref().expect("read on a write-only AXI4 port");
        let bursts = split_bursts(addr, len as u64, self.bus_bytes, self.max_beats);
        let op = Rc::new(RefCell::new(Op { bursts_left: bursts.len(), base: addr, data: vec![0; len], resp: OKAY }));
        for range in bursts {
            let aligned = range.start & !(self.bus_bytes - 1);
            let beats = (range.end - aligned).div_ceil(self.bus_bytes);
            ar.push(
                AddressBeat { id, addr: range.start, len: beats - 1, size: self.size(), burst: BURST_INCR }.encode(),
            );
            self.state.borrow_mut().reads.entry(id).or_default().push_back((Rc::clone(&op), range));
        }
        self.wait(&op).await;
        let op = op.borrow();
        (op.data.clone(), op.resp)
    }

    async fn wait(&self, op: &Rc<RefCell<Op>>) {
        while op.borrow().bursts_left > 0 {
            self.tb.rising_edge().await;
        }
    }
}

#[derive(Default)]
struct MonitorState {
    aw_beats: VecDeque<u64>,
    w_bursts: VecDeque<u64>,
    w_count: u64,
    writes_open: HashMap<u64, u64>,
    reads_open: HashMap<u64, VecDeque<u64>>,
    r_count: HashMap<u64, u64>,
}

/// Watches all five channels of an AXI4 port and fails the run on: a handshake violation
/// on any channel, a burst across 4 KiB, WLAST or RLAST on the wrong beat, or a response
/// whose ID has nothing outstanding.
pub struct Axi4Monitor;

impl Axi4Monitor {
    pub fn start(tb: &Tb, prefix: &str) -> Result<()> {
        let state = Rc::new(RefCell::new(MonitorState::default()));
        let n = prefix.to_string();
        // Read-only masters have no write channels.
        if tb.port(&format!("{prefix}_awvalid")).is_ok() {
            let (s, name) = (Rc::clone(&state), n.clone());
            watch_channel(
                tb,
                ChannelPorts::resolve(tb, prefix, "aw", &AW_FIELDS)?,
                Some(Box::new(move |p| {
                    let a = AddressBeat::decode(p);
                    if a.crosses_4k() {
                        bail!("{name}: AW burst {a:x?} crosses a 4 KiB boundary");
                    }
                    let mut st = s.borrow_mut();
                    st.aw_beats.push_back(a.beats());
                    *st.writes_open.entry(a.id).or_default() += 1;
                    match_write_bursts(&name, &mut st)
                })),
            );
            let (s, name) = (Rc::clone(&state), n.clone());
            watch_channel(
                tb,
                ChannelPorts::resolve(tb, prefix, "w", &W_FIELDS)?,
                Some(Box::new(move |p| {
                    let mut st = s.borrow_mut();
                    st.w_count += 1;
                    if p[2] != 0 {
                        let count = st.w_count;
                        st.w_bursts.push_back(count);
                        st.w_count = 0;
                    }
                    match_write_bursts(&name, &mut st)
                })),
            );
            let (s, name) = (Rc::clone(&state), n.clone());
            watch_channel(
                tb,
                ChannelPorts::resolve(tb, prefix, "b", &B_FIELDS)?,
                Some(Box::new(move |p| {
                    let mut st = s.borrow_mut();
                    match st.writes_open.get_mut(&p[0]) {
                        Some(open) if *open > 0 => *open -= 1,
                        _ => bail!("{name}: B response for ID {} with no write outstanding", p[0]),
                    }
                    Ok(())
                })),
            );
        }
        if tb.port(&format!("{prefix}_arvalid")).is_ok() {
            let (s, name) = (Rc::clone(&state), n.clone());
            watch_channel(
                tb,
                ChannelPorts::resolve(tb, prefix, "ar", &AR_FIELDS)?,
                Some(Box::new(move |p| {
                    let a = AddressBeat::decode(p);
                    if a.crosses_4k() {
                        bail!("{name}: AR burst {a:x?} crosses a 4 KiB boundary");
                    }
                    s.borrow_mut().reads_open.entry(a.id).or_default().push_back(a.beats());
                    Ok(())
                })),
            );
            let (s, name) = (state, n);
            watch_channel(
                tb,
                ChannelPorts::resolve(tb, prefix, "r", &R_FIELDS)?,
                Some(Box::new(move |p| {
                    let mut st = s.borrow_mut();
                    let id = p[0];
                    let Some(&expected) = st.reads_open.get(&id).and_then(|q| q.front()) else {
                        bail!("{name}: R beat for ID {id} with no read outstanding");
                    };
                    let count = {
                        let c = st.r_count.entry(id).or_default();
                        *c += 1;
                        *c
                    };
                    if (p[3] != 0) != (count == expected) {
                        bail!("{name}: RLAST is {} on beat {count} of a {expected}-beat read (ID {id})", p[3]);
                    }
                    if p[3] != 0 {
                        st.r_count.remove(&id);
                        st.reads_open.get_mut(&id).map(|q| q.pop_front());
                    }
                    Ok(())
                })),
            );
        }
        Ok(())
    }
}

fn match_write_bursts(name: &str, st: &mut MonitorState) -> Result<()> {
    while let (Some(&want), Some(&got)) = (st.aw_beats.front(), st.w_bursts.front()) {
        if want != got {
            bail!("{name}: WLAST after {got} beats, the burst has {want}");
        }
        st.aw_beats.pop_front();
        st.w_bursts.pop_front();
    }
    Ok(())
}
