//! The DMA write engine against host memory (the AXI4 memory model): random descriptors
//! and data, latency and backpressure on every bus, error ranges, poisoned and mis-sized
//! streams. Host memory must end up exactly as a plain reference memory says.
use super::{verilated, Backend, BoxedSim};
use crate::bfm::axis::frame_to_beats;
use crate::bfm::channel::{count_transfers, ChannelPorts, ChannelSource};
use crate::bfm::{
    Axi4Memory, Axi4MemoryConfig, Axi4Monitor, AxisMonitor, AxisSource, ErrorRange, Pattern, SparseMemory,
};
use crate::tb::{Tb, TbConfig};
use anyhow::{ensure, Result};
use ferronic_hdl::dma::write::DmaWrite;
use ferronic_sim::native::NativeSim;
use std::cell::RefCell;
use std::rc::Rc;

pub fn build(backend: Backend) -> Result<BoxedSim> {
    Ok(match backend {
        Backend::Verilator => verilated("dma_write", "", DmaWrite::default)?,
        Backend::RustHdl => Box::new(NativeSim::new(DmaWrite::default())?),
    })
}

/// One write: where, the bytes, and what to do wrong.
#[derive(Clone, Debug)]
pub struct WriteRequest {
    pub addr: u64,
    pub data: Vec<u8>,
    pub tag: u8,
    /// Mark this stream beat poisoned (`tuser`).
    pub poison_beat: Option<usize>,
    /// Send this many bytes instead of `data.len()` (a stream that does not fit).
    pub stream_len: Option<usize>,
}

#[derive(Clone, Debug)]
pub struct WriteRun {
    pub requests: Vec<WriteRequest>,
    pub memory: Axi4MemoryConfig,
    pub descriptor_idle: Pattern,
    pub data_idle: Pattern,
}

#[derive(Clone, Debug, Default)]
pub struct WriteReport {
    pub cycles: u64,
    pub w_busy: u64,
    /// Cycles from the first W beat to the last, inclusive.
    pub w_span: u64,
    pub statuses: Vec<(u8, bool)>,
}

/// Whether a write of `len` bytes at `addr` touches an error range: the engine writes
/// whole 8-byte beats (strobed), so its span is `addr` rounded down to `addr + len` rounded up.
pub fn beats_touch_error(addr: u64, len: u64, errors: &[ErrorRange]) -> bool {
    let span = (addr & !7)..(addr + len).div_ceil(8) * 8;
    errors.iter().any(|e| e.range.start < span.end && span.start < e.range.end)
}

/// Whether a request must end in error, from the engine's contract: data not fitting the
/// descriptor, poisoned data, or an error range touching its 8-byte-aligned span.
pub fn expect_error(request: &WriteRequest, memory: &Axi4MemoryConfig) -> bool {
    let sent = request.stream_len.unwrap_or(request.data.len());
    request.poison_beat.is_some_and(|b| b < sent.div_ceil(8).min(request.data.len().div_ceil(8)))
        || sent != request.data.len()
        || beats_touch_error(request.addr, request.data.len() as u64, &memory.errors)
}

pub fn run(sim: BoxedSim, setup: WriteRun, seed: u64) -> Result<WriteReport> {
    let report = Rc::new(RefCell::new(WriteReport::default()));
    let out = Rc::clone(&report);
    Tb::run(sim, &TbConfig::new(seed), move |tb| async move {
        tb.reset(2).await?;
        Axi4Monitor::start(&tb, "m_axi")?;
        AxisMonitor::start(&tb, "s_axis_data")?;
        let memory = Axi4Memory::start(&tb, "m_axi", setup.memory.clone())?;
        let data = AxisSource::start(&tb, "s_axis_data", setup.data_idle)?;
        let descriptors = ChannelSource::start(
            &tb,
            ChannelPorts::resolve(&tb, "s_desc", "", &["addr", "len", "tag"])?,
            setup.descriptor_idle,
        );
        // A background pattern around every request, in the memory and the reference, so
        // a stray strobe shows even where it writes a zero.
        let mut reference = SparseMemory::new();
        for (i, r) in setup.requests.iter().enumerate() {
            let background: Vec<u8> = (0..r.data.len() + 32).map(|k| (k as u8) ^ 0xA5 ^ (i as u8)).collect();
            memory.memory.borrow_mut().write(r.addr.saturating_sub(16), &background);
            reference.write(r.addr.saturating_sub(16), &background);
        }
        for r in &setup.requests {
            descriptors.push([r.addr, (r.data.len() & 0xFFFF) as u64, r.tag as u64, 0, 0, 0, 0, 0]);
            let sent = r.stream_len.unwrap_or(r.data.len());
            let mut bytes = r.data.clone();
            bytes.resize(sent, 0xEE);
            let mut beats = frame_to_beats(&bytes, 8, 0);
            if let Some(b) = r.poison_beat {
                if let Some(beat) = beats.get_mut(b) {
                    beat.user = 1;
                }
            }
            for beat in beats {
                data.send(beat);
            }
            if !expect_error(r, &setup.memory) {
                reference.write(r.addr, &r.data);
            }
        }
        // Collect statuses; count busy W cycles.
        let (status_valid, status_tag, status_error) =
            (tb.port("status_valid")?, tb.port("status_tag")?, tb.port("status_error")?);
        let w_bus = count_transfers(&tb, tb.port("m_axi_wvalid")?, tb.port("m_axi_wready")?);
        let collected = Rc::clone(&out);
        let watch = tb.clone();
        tb.spawn(async move {
            loop {
                watch.read_only().await;
                let [v, t, e] = watch.get_many(&[status_valid, status_tag, status_error]);
                if v != 0 {
                    collected.borrow_mut().statuses.push((t as u8, e != 0));
                }
            }
            #[allow(unreachable_code)]
            Ok(())
        });
        let start = tb.cycle();
        let n = setup.requests.len();
        let total: u64 = setup.requests.iter().map(|r| r.data.len() as u64 / 8 + 2).sum();
        let status_count = Rc::clone(&out);
        let budget = 500 + total * 40 + (n as u64 + 1) * setup.memory.latency;
        tb.wait_until(budget, "a status for every descriptor", move |_| status_count.borrow().statuses.len() >= n)
            .await?;
        tb.cycles(10).await;
        let statuses = out.borrow().statuses.clone();
        ensure!(statuses.len() == n, "{} statuses for {n} descriptors", statuses.len());
        for (i, (r, (tag, error))) in setup.requests.iter().zip(&statuses).enumerate() {
            ensure!(*tag == r.tag, "status #{i}: tag {tag}, want {}", r.tag);
            let want = expect_error(r, &setup.memory);
            ensure!(*error == want, "status #{i} ({:#x}+{}): error {error}, want {want}", r.addr, r.data.len());
        }
        // Memory: every byte of every clean request as written; nothing written for a
        // poisoned or mis-sized one.
        for (i, r) in setup.requests.iter().enumerate() {
            let got = memory.memory.borrow().read(r.addr.saturating_sub(8), r.data.len() + 16);
            let want = reference.read(r.addr.saturating_sub(8), r.data.len() + 16);
            let poisoned = r.poison_beat.is_some() || r.stream_len.is_some();
            if !expect_error(r, &setup.memory) || (poisoned && r.poison_beat == Some(0)) {
                let bad = got.iter().zip(&want).position(|(a, b)| a != b);
                ensure!(bad.is_none(), "request #{i} ({:#x}+{}): memory byte {bad:?} differs", r.addr, r.data.len());
            }
        }
        let mut report = out.borrow_mut();
        report.cycles = tb.cycle() - start;
        (report.w_busy, report.w_span) = (w_bus.borrow().transfers, w_bus.borrow().span);
        Ok(())
    })?;
    let result = report.borrow().clone();
    Ok(result)
}
