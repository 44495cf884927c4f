//! The DMA read engine against host memory (the AXI4 memory model) and the reference
//! model: random descriptors, latency, backpressure on every bus, error ranges.
use super::{verilated, Backend, BoxedSim};
use crate::bfm::channel::{ChannelPorts, ChannelSource};
use crate::bfm::{Axi4Memory, Axi4MemoryConfig, Axi4Monitor, AxisMonitor, AxisSink, Pattern};
use crate::models::dma::{beat_keep, expected_read, ReadRequest};
use crate::tb::{Tb, TbConfig};
use anyhow::{ensure, Result};
use ferronic_hdl::dma::read::DmaRead;
use ferronic_sim::native::NativeSim;
use rand::Rng;
use std::cell::RefCell;
use std::rc::Rc;

pub fn build(backend: Backend) -> Result<BoxedSim> {
    Ok(match backend {
        Backend::Verilator => verilated("dma_read", "", DmaRead::default)?,
        Backend::RustHdl => Box::new(NativeSim::new(DmaRead::default())?),
    })
}

/// How a run is set up.
#[derive(Clone, Debug)]
pub struct ReadRun {
    pub requests: Vec<ReadRequest>,
    pub memory: Axi4MemoryConfig,
    pub descriptor_idle: Pattern,
    pub data_backpressure: Pattern,
}

/// What a run measured.
#[derive(Clone, Debug, Default)]
pub struct ReadReport {
    pub cycles: u64,
    pub beats: u64,
    /// Cycles with a beat moving on R.
    pub r_busy: u64,
}

/// Runs the descriptors through the engine; every transfer is checked against the model.
pub fn run(sim: BoxedSim, setup: ReadRun, seed: u64) -> Result<ReadReport> {
    let report = Rc::new(RefCell::new(ReadReport::default()));
    let out = Rc::clone(&report);
    Tb::run(sim, &TbConfig::new(seed), move |tb| async move {
        tb.reset(2).await?;
        Axi4Monitor::start(&tb, "m_axi")?;
        AxisMonitor::start(&tb, "m_axis_data")?;
        let errors = setup.memory.errors.clone();
        let latency = setup.memory.latency;
        let memory = Axi4Memory::start(&tb, "m_axi", setup.memory)?;
        // Random contents wherever a request reads.
        let mut rng = tb.rng();
        for r in &setup.requests {
            let bytes: Vec<u8> = (0..r.len + 16).map(|_| rng.gen()).collect();
            memory.memory.borrow_mut().write(r.addr.saturating_sub(8), &bytes);
        }
        let sink = AxisSink::start(&tb, "m_axis_data", setup.data_backpressure)?;
        let descriptors = ChannelSource::start(
            &tb,
            ChannelPorts::resolve(&tb, "s_desc", "", &["addr", "len", "tag"])?,
            setup.descriptor_idle,
        );
        let expected: Vec<_> =
            setup.requests.iter().map(|r| expected_read(&memory.memory.borrow(), &errors, r)).collect();
        for r in &setup.requests {
            descriptors.push([r.addr, (r.len & 0xFFFF) as u64, r.tag as u64, 0, 0, 0, 0, 0]);
        }
        // Count busy R cycles for the utilization figure.
        let (rvalid, rready) = (tb.port("m_axi_rvalid")?, tb.port("m_axi_rready")?);
        let counter = Rc::clone(&out);
        let watch = tb.clone();
        tb.spawn(async move {
            loop {
                watch.read_only().await;
                if watch.get(rvalid) != 0 && watch.get(rready) != 0 {
                    counter.borrow_mut().r_busy += 1;
                }
            }
            #[allow(unreachable_code)]
            Ok(())
        });
        let start = tb.cycle();
        let total_beats: u64 = setup.requests.iter().map(|r| (r.len as u64).div_ceil(8)).sum();
        // Time for the beats, and for a memory round trip per request (a one-byte read at
        // 249 cycles of latency takes longer than 40 cycles a beat).
        let budget = 200 + total_beats * 40 + (setup.requests.len() as u64 + 1) * latency;
        tb.wait_until(budget, "every beat of every transfer", |_| sink.count() >= total_beats).await?;
        tb.cycles(20).await;
        ensure!(sink.count() == total_beats, "{} beats for {total_beats} expected", sink.count());
        for (n, (request, want)) in setup.requests.iter().zip(&expected).enumerate() {
            let beats = (request.len as usize).div_ceil(8);
            let mut data = Vec::with_capacity(request.len as usize);
            let mut error = false;
            for i in 0..beats {
                let beat = sink.recv().expect("counted");
                ensure!(
                    beat.user & 0xFF == want.tag as u64,
                    "transfer {n} beat {i}: tag {}, want {}",
                    beat.user & 0xFF,
                    want.tag
                );
                ensure!(beat.last == (i + 1 == beats), "transfer {n} ({request:x?}): tlast on beat {i} of {beats}");
                ensure!(beat.keep == beat_keep(request.len, i), "transfer {n} beat {i}: tkeep {:#x}", beat.keep);
                error = beat.user >> 8 & 1 != 0;
                for b in 0..8 {
                    if beat.keep >> b & 1 != 0 {
                        data.push((beat.data >> (8 * b)) as u8);
                    }
                }
            }
            ensure!(error == want.error, "transfer {n} ({request:x?}): error flag {error}, want {}", want.error);
            if !want.error {
                let first_bad = data.iter().zip(&want.data).position(|(a, b)| a != b);
                ensure!(first_bad.is_none(), "transfer {n} ({request:x?}): byte {first_bad:?} differs");
            }
        }
        let mut r = out.borrow_mut();
        r.cycles = tb.cycle() - start;
        r.beats = total_beats;
        Ok(())
    })?;
    let result = report.borrow().clone();
    Ok(result)
}
