//! The four-entry queue in flip-flops under random pushes and pops, against a `VecDeque`
//! model, every cycle: `head_valid`, `head` and `room` as the model says, a push without
//! room and a pop of an empty queue ignored.
use super::{verilated, Backend, BoxedSim};
use crate::tb::{Tb, TbConfig};
use anyhow::{ensure, Result};
use ferronic_hdl::short_queue::ShortQueue;
use ferronic_sim::native::NativeSim;
use rand::Rng;
use std::collections::VecDeque;

/// Entries the queue holds.
pub const DEPTH: usize = 4;
/// The width of the instance tested (the RX engine's).
pub type TestedQueue = ShortQueue<12>;

pub fn build(backend: Backend) -> Result<BoxedSim> {
    Ok(match backend {
        Backend::Verilator => verilated("short_queue", "", TestedQueue::default)?,
        Backend::RustHdl => Box::new(NativeSim::new(TestedQueue::default())?),
    })
}

/// How often a push and a pop are offered (each cycle, independently), for how many cycles.
#[derive(Clone, Copy, Debug)]
pub struct QueueRun {
    pub cycles: u64,
    pub push_rate: f64,
    pub pop_rate: f64,
}

/// What the run went through, so a test can see the edges were reached.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct QueueReport {
    pub pushed: u64,
    pub popped: u64,
    /// Pushes offered while full, pops offered while empty (both must be ignored).
    pub refused_pushes: u64,
    pub refused_pops: u64,
    pub max_entries: usize,
}

pub fn run(sim: BoxedSim, setup: QueueRun, config: &TbConfig) -> Result<QueueReport> {
    let report = std::rc::Rc::new(std::cell::Cell::new(QueueReport::default()));
    let out = report.clone();
    Tb::run(sim, config, move |tb| async move {
        let [push, push_data, pop] = [tb.input("push")?, tb.input("push_data")?, tb.input("pop")?];
        let outputs = [tb.port("head_valid")?, tb.port("head")?, tb.port("room")?];
        tb.set(push, 0);
        tb.set(pop, 0);
        tb.reset(2).await?;
        let mut rng = tb.rng();
        let mut model: VecDeque<u64> = VecDeque::new();
        let mut r = QueueReport::default();
        // What the coming edge samples (set in the read-only phase before the last edge).
        let (mut pushing, mut data, mut popping) = (false, 0u64, false);
        for _ in 0..setup.cycles {
            tb.read_only().await;
            let [head_valid, head, room] = tb.get_many(&outputs);
            let cycle = tb.cycle();
            ensure!(head_valid == !model.is_empty() as u64, "cycle {cycle}: head_valid {head_valid}, model {model:x?}");
            if let Some(&front) = model.front() {
                ensure!(head == front, "cycle {cycle}: head {head:#x}, model {model:x?}");
            }
            ensure!(room == (model.len() < DEPTH) as u64, "cycle {cycle}: room {room}, model {model:x?}");
            // The edge takes what is driven: a pop of what is there, a push if there was room.
            let had = model.len();
            if popping {
                if had > 0 {
                    model.pop_front();
                    r.popped += 1;
                } else {
                    r.refused_pops += 1;
                }
            }
            if pushing {
                if had < DEPTH {
                    model.push_back(data);
                    r.pushed += 1;
                } else {
                    r.refused_pushes += 1;
                }
            }
            r.max_entries = r.max_entries.max(model.len());
            pushing = rng.gen_bool(setup.push_rate);
            popping = rng.gen_bool(setup.pop_rate);
            data = rng.gen_range(0..1u64 << 12);
            tb.set(push, pushing as u64);
            tb.set(push_data, data);
            tb.set(pop, popping as u64);
        }
        out.set(r);
        Ok(())
    })?;
    Ok(report.get())
}
