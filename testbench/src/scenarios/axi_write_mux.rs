//! The AXI4 write multiplexer between two masters and host memory: both sources issue
//! concurrent writes of any length and alignment with IDs 0-7, under idle and backpressure
//! patterns on every channel and memory latency; some land in error ranges. Every write
//! must come back to its own source with the response its address range earns, host
//! memory must end up as a plain reference memory says, and the protocol monitors on all
//! three ports must stay quiet.
use super::{verilated, Backend, SimResult};
use crate::bfm::axi4::{DECERR, OKAY, SLVERR};
use crate::bfm::channel::count_transfers;
use crate::bfm::{Axi4Master, Axi4Memory, Axi4MemoryConfig, Axi4Monitor, ErrorRange, Pattern, SparseMemory};
use crate::tb::{Tb, TbConfig};
use anyhow::{ensure, Result};
use ferronic_hdl::axi_write_mux::AxiWriteMux;
use ferronic_sim::native::NativeSim;
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use std::cell::RefCell;
use std::rc::Rc;

pub fn build(backend: Backend) -> SimResult {
    Ok(match backend {
        Backend::Verilator => verilated("axi_write_mux", "", AxiWriteMux::default)?,
        Backend::RustHdl => Box::new(NativeSim::new(AxiWriteMux::default())?),
    })
}

/// Each write owns one slot of host memory: a write never overlaps another, so the final
/// memory does not depend on how the two sources interleave.
pub const SLOT_BYTES: u64 = 0x4000;
const SLOTS_BASE: u64 = 0x10_0000;

/// One write by one source.
#[derive(Clone, Debug)]
pub struct MuxWrite {
    /// 0: `s0_axi`, 1: `s1_axi`.
    pub source: usize,
    pub id: u64,
    /// Offset in its slot, and the bytes.
    pub offset: u64,
    pub data: Vec<u8>,
    /// The memory answers the whole slot with this response (SLVERR or DECERR), if any.
    pub error: Option<u8>,
}

impl MuxWrite {
    pub fn slot_base(index: usize) -> u64 {
        SLOTS_BASE + index as u64 * SLOT_BYTES
    }
}

#[derive(Clone, Debug)]
pub struct MuxRun {
    pub writes: Vec<MuxWrite>,
    /// At most this many writes of one source in flight at once.
    pub concurrency: usize,
    pub max_burst_beats: u64,
    pub memory: Axi4MemoryConfig,
    pub idle: Pattern,
    pub backpressure: Pattern,
}

/// Random writes: `count` of them over both sources, 1 B to 3 KiB (some across 4 KiB), one
/// in eight answered with an error.
pub fn random_writes(count: usize, seed: u64) -> Vec<MuxWrite> {
    let mut rng = SmallRng::seed_from_u64(seed);
    (0..count)
        .map(|_| {
            let len = if rng.gen_bool(0.3) { rng.gen_range(1..=24) } else { rng.gen_range(25..=3072) };
            MuxWrite {
                source: rng.gen_range(0..2),
                id: rng.gen_range(0..8),
                offset: rng.gen_range(0..SLOT_BYTES - 3072 - 8),
                data: (0..len).map(|_| rng.gen()).collect(),
                error: match rng.gen_range(0..16) {
                    0 => Some(SLVERR),
                    1 => Some(DECERR),
                    _ => None,
                },
            }
        })
        .collect()
}

#[derive(Clone, Debug, Default)]
pub struct MuxReport {
    /// Each write's response, as its source saw it.
    pub responses: Vec<u8>,
    /// Beats on the shared W channel, and cycles from its first beat to its last.
    pub w_beats: u64,
    pub w_span: u64,
}

pub fn run(sim: crate::scenarios::BoxedSim, setup: MuxRun, config: &TbConfig) -> Result<MuxReport> {
    let report = Rc::new(RefCell::new(MuxReport::default()));
    let out = Rc::clone(&report);
    Tb::run(sim, config, move |tb| async move {
        tb.reset(2).await?;
        for prefix in ["s0_axi", "s1_axi", "m_axi"] {
            Axi4Monitor::start(&tb, prefix)?;
        }
        let mut memory_config = setup.memory.clone();
        for (i, w) in setup.writes.iter().enumerate() {
            if let Some(resp) = w.error {
                let base = MuxWrite::slot_base(i);
                memory_config.errors.push(ErrorRange { range: base..base + SLOT_BYTES, resp });
            }
        }
        let memory = Axi4Memory::start(&tb, "m_axi", memory_config)?;
        let mut sources = Vec::new();
        for prefix in ["s0_axi", "s1_axi"] {
            let mut master = Axi4Master::start(&tb, prefix, setup.idle, setup.backpressure)?;
            master.set_max_burst_beats(setup.max_burst_beats);
            sources.push(master);
        }
        let w_bus = count_transfers(&tb, tb.port("m_axi_wvalid")?, tb.port("m_axi_wready")?);

        // A background pattern in every slot, in memory and reference alike, so a stray
        // strobe or a misplaced beat shows even where it writes the same value.
        let mut reference = SparseMemory::new();
        for (i, w) in setup.writes.iter().enumerate() {
            let background: Vec<u8> = (0..SLOT_BYTES).map(|k| (k as u8) ^ 0x5A ^ (i as u8)).collect();
            memory.memory.borrow_mut().write(MuxWrite::slot_base(i), &background);
            reference.write(MuxWrite::slot_base(i), &background);
            if w.error.is_none() {
                reference.write(MuxWrite::slot_base(i) + w.offset, &w.data);
            }
        }

        // Each source runs its writes in waves of `concurrency` concurrent tasks.
        let responses = Rc::new(RefCell::new(vec![None; setup.writes.len()]));
        let mut drivers = Vec::new();
        for (source, master) in sources.into_iter().enumerate() {
            let mine: Vec<(usize, MuxWrite)> =
                setup.writes.iter().cloned().enumerate().filter(|(_, w)| w.source == source).collect();
            let (responses, concurrency) = (Rc::clone(&responses), setup.concurrency.max(1));
            let driver_tb = tb.clone();
            drivers.push(tb.spawn(async move {
                for wave in mine.chunks(concurrency) {
                    let mut tasks = Vec::new();
                    for (index, write) in wave.iter().cloned() {
                        let (master, responses) = (master.clone(), Rc::clone(&responses));
                        tasks.push(driver_tb.spawn(async move {
                            let addr = MuxWrite::slot_base(index) + write.offset;
                            let resp = master.write(write.id, addr, &write.data).await;
                            responses.borrow_mut()[index] = Some(resp);
                            Ok(())
                        }));
                    }
                    for task in tasks {
                        task.join().await;
                    }
                }
                Ok(())
            }));
        }
        let bytes: u64 = setup.writes.iter().map(|w| w.data.len() as u64 / 8 + 4).sum();
        let budget = 1000 + bytes * 20 + setup.writes.len() as u64 * (setup.memory.latency + 50);
        tb.with_timeout(budget, "every write's response", async move {
            for driver in drivers {
                driver.join().await;
            }
        })
        .await?;

        for (i, (w, resp)) in setup.writes.iter().zip(responses.borrow().iter()).enumerate() {
            let want = w.error.unwrap_or(OKAY);
            ensure!(*resp == Some(want), "write #{i} ({w:x?}): response {resp:?}, want {want}");
        }
        for (i, w) in setup.writes.iter().enumerate() {
            let base = MuxWrite::slot_base(i);
            if w.error.is_none() {
                let got = memory.memory.borrow().read(base, SLOT_BYTES as usize);
                let want = reference.read(base, SLOT_BYTES as usize);
                let bad = got.iter().zip(&want).position(|(a, b)| a != b);
                ensure!(
                    bad.is_none(),
                    "write #{i} (source {}, {} bytes): slot byte {bad:?} differs",
                    w.source,
                    w.data.len()
                );
            }
        }
        let mut report = out.borrow_mut();
        report.responses = responses.borrow().iter().map(|r| r.unwrap_or(0xFF)).collect();
        (report.w_beats, report.w_span) = (w_bus.borrow().transfers, w_bus.borrow().span);
        Ok(())
    })?;
    let result = report.borrow().clone();
    Ok(result)
}
