//! LLQ device memory: host write bursts through the AXI4 master (any address, length and
//! alignment, under idle and backpressure), read back through the engine's read port and
//! compared byte for byte with a plain reference memory; bursts outside the window, bursts
//! of the wrong type or size, and reads answer SLVERR and write nothing.
use super::{verilated, Backend, BoxedSim, SimResult};
use crate::bfm::axi4::{split_bursts, AddressBeat, AW_FIELDS, B_FIELDS, OKAY, SLVERR, W_FIELDS};
use crate::bfm::channel::{ChannelPorts, ChannelSink, ChannelSource};
use crate::bfm::{Axi4Master, Axi4Monitor, Pattern, SparseMemory};
use crate::tb::{Tb, TbConfig};
use anyhow::{ensure, Result};
use ferronic_hdl::llq::{LlqMemory, READ_LATENCY, WORD_BITS};
use ferronic_sim::native::NativeSim;
use std::cell::RefCell;
use std::rc::Rc;

/// Bytes of LLQ memory.
pub const LLQ_BYTES: u64 = 8 << WORD_BITS;

pub fn build(backend: Backend) -> SimResult {
    Ok(match backend {
        Backend::Verilator => verilated("llq", "", LlqMemory::default)?,
        Backend::RustHdl => Box::new(NativeSim::new(LlqMemory::default())?),
    })
}

/// What the host does on BAR2.
#[derive(Clone, Debug)]
pub enum HostAccess {
    /// A write through the AXI4 master (split into legal INCR bursts).
    Write { addr: u64, data: Vec<u8> },
    /// A read: refused.
    Read { addr: u64, len: usize },
    /// One raw burst: any size and burst type, beats of (data, strobe).
    RawBurst { addr: u64, size: u64, burst: u64, beats: Vec<(u64, u8)> },
}

#[derive(Clone, Debug)]
pub struct LlqRun {
    pub accesses: Vec<HostAccess>,
    pub idle: Pattern,
    pub backpressure: Pattern,
}

#[derive(Clone, Debug, Default)]
pub struct LlqReport {
    pub refused_bursts: u64,
}

/// Whether a raw burst is one the block must refuse whole (A3.4.1: INCR only here; no
/// wider than the 8-byte bus).
fn raw_refused(size: u64, burst: u64) -> bool {
    burst != 1 || size > 3
}

pub fn run(sim: BoxedSim, setup: LlqRun, seed: u64) -> Result<LlqReport> {
    let report = Rc::new(RefCell::new(LlqReport::default()));
    let out = Rc::clone(&report);
    Tb::run(sim, &TbConfig::new(seed), move |tb| async move {
        tb.reset(2).await?;
        Axi4Monitor::start(&tb, "s_axi_llq")?;
        let uses_raw = setup.accesses.iter().any(|a| matches!(a, HostAccess::RawBurst { .. }));
        let mut reference = SparseMemory::new();
        let mut refused = 0u64;
        if uses_raw {
            // Raw bursts only: drive the channels directly.
            let aw = ChannelSource::start(&tb, ChannelPorts::resolve(&tb, "s_axi_llq", "aw", &AW_FIELDS)?, setup.idle);
            let w = ChannelSource::start(&tb, ChannelPorts::resolve(&tb, "s_axi_llq", "w", &W_FIELDS)?, setup.idle);
            let b =
                ChannelSink::start(&tb, ChannelPorts::resolve(&tb, "s_axi_llq", "b", &B_FIELDS)?, setup.backpressure);
            tb.set(tb.input("s_axi_llq_arvalid")?, 0);
            tb.set(tb.input("s_axi_llq_rready")?, 1);
            for (i, access) in setup.accesses.iter().enumerate() {
                let HostAccess::RawBurst { addr, size, burst, beats } = access else {
                    anyhow::bail!("raw bursts and master accesses do not mix in one run");
                };
                let request = AddressBeat {
                    id: i as u64 & 0xF,
                    addr: *addr,
                    len: beats.len() as u64 - 1,
                    size: *size,
                    burst: *burst,
                };
                aw.push(request.encode());
                for (k, (data, strb)) in beats.iter().enumerate() {
                    w.push([*data, *strb as u64, (k + 1 == beats.len()) as u64, 0, 0, 0, 0, 0]);
                }
                let sink = b.clone();
                tb.wait_until(100 + 10 * beats.len() as u64, "a write response", move |_| !sink.is_empty()).await?;
                let (_, resp) = b.pop().expect("waited for it");
                let want_refused = raw_refused(*size, *burst);
                ensure!(
                    resp[0] == (i as u64 & 0xF) && (resp[1] as u8 == SLVERR) == want_refused,
                    "raw burst #{i} ({access:x?}): B id {} resp {}",
                    resp[0],
                    resp[1]
                );
                if want_refused {
                    refused += 1;
                } else {
                    for (k, (data, strb)) in beats.iter().enumerate() {
                        let at = request.beat_address(k as u64);
                        let word = at & !7;
                        for lane in 0..8 {
                            if strb >> lane & 1 != 0 && word + lane < LLQ_BYTES {
                                reference.write(word + lane, &[(data >> (8 * lane)) as u8]);
                            }
                        }
                    }
                }
            }
        } else {
            let host = Axi4Master::start(&tb, "s_axi_llq", setup.idle, setup.backpressure)?;
            for (i, access) in setup.accesses.iter().enumerate() {
                match access {
                    HostAccess::Write { addr, data } => {
                        let resp =
                            tb.with_timeout(5000, "an LLQ write", host.write(i as u64 & 0xF, *addr, data)).await?;
                        let bursts = split_bursts(*addr, data.len() as u64, 8, 256);
                        // The window is 4 KiB aligned and bursts never cross 4 KiB: each
                        // burst is wholly inside or wholly outside.
                        let outside = bursts.iter().filter(|r| r.start >= LLQ_BYTES).count() as u64;
                        refused += outside;
                        let want = if outside > 0 { SLVERR } else { OKAY };
                        ensure!(resp == want, "write #{i} at {addr:#x}+{}: resp {resp}, want {want}", data.len());
                        for (k, byte) in data.iter().enumerate() {
                            if addr + (k as u64) < LLQ_BYTES {
                                reference.write(addr + k as u64, &[*byte]);
                            }
                        }
                    }
                    HostAccess::Read { addr, len } => {
                        let (data, resp) =
                            tb.with_timeout(5000, "an LLQ read", host.read(i as u64 & 0xF, *addr, *len)).await?;
                        ensure!(
                            resp == SLVERR && data.iter().all(|b| *b == 0),
                            "read #{i}: resp {resp}, want SLVERR and zeros"
                        );
                    }
                    HostAccess::RawBurst { .. } => unreachable!("checked above"),
                }
            }
        }
        // Every word through the engine's read port, pipelined. A word number set in the
        // read-only phase of cycle c is on the port from edge c+1 on, so its data shows in
        // cycle c + 1 + READ_LATENCY.
        let (word_port, data_port) = (tb.input("entry_read_word")?, tb.port("entry_read_data")?);
        let words = 1u64 << WORD_BITS;
        let mut got = Vec::with_capacity(LLQ_BYTES as usize);
        for cycle in 0..words + READ_LATENCY + 1 {
            tb.read_only().await;
            if cycle > READ_LATENCY {
                got.extend_from_slice(&tb.get(data_port).to_le_bytes());
            }
            if cycle < words {
                tb.set(word_port, cycle);
            }
        }
        let want = reference.read(0, LLQ_BYTES as usize);
        if let Some(bad) = got.iter().zip(&want).position(|(a, b)| a != b) {
            anyhow::bail!("LLQ byte {bad:#x}: {:#04x}, want {:#04x}", got[bad], want[bad]);
        }
        let errors = tb.get(tb.port("errors")?);
        ensure!(errors == refused, "errors counter {errors}, want {refused}");
        out.borrow_mut().refused_bursts = refused;
        Ok(())
    })?;
    let result = report.borrow().clone();
    Ok(result)
}
