//! The AXI4-Stream FIFO under random traffic, idle and backpressure, checked against
//! [`StreamFifoModel`] by a scoreboard and by AXI4-Stream protocol monitors on both sides.
use super::{verilated, Backend, BoxedSim};
use crate::bfm::{AxisBeat, AxisMonitor, AxisSink, AxisSource, Pattern};
use crate::models::stream_fifo::StreamFifoModel;
use crate::scoreboard::Scoreboard;
use crate::tb::{Tb, TbConfig};
use anyhow::{bail, Result};
use ferronic_hdl::stream_fifo::{FifoFault, StreamFifo64x16};
use ferronic_sim::native::NativeSim;
use rand::Rng;
use std::cell::RefCell;
use std::rc::Rc;

/// Depth of the default FIFO build (`StreamFifo64x16`).
pub const DEPTH: usize = 16;

/// The default FIFO on a backend, optionally with a fault built in.
pub fn build(backend: Backend, fault: FifoFault) -> Result<BoxedSim> {
    Ok(match backend {
        Backend::Verilator => verilated("stream_fifo", &format!("{fault:?}"), || StreamFifo64x16::new(fault))?,
        Backend::RustHdl => Box::new(NativeSim::new(StreamFifo64x16::new(fault))?),
    })
}

/// What to send and how the two sides behave.
#[derive(Clone, Debug)]
pub struct Traffic {
    pub beats: Vec<AxisBeat>,
    pub idle: Pattern,
    pub backpressure: Pattern,
}

impl Traffic {
    /// `count` random beats (random data, keep, last and user).
    pub fn random(count: usize, seed: u64, idle: Pattern, backpressure: Pattern) -> Self {
        use rand::SeedableRng;
        let mut rng = rand::rngs::SmallRng::seed_from_u64(seed);
        let beats = (0..count)
            .map(|_| AxisBeat {
                data: rng.gen(),
                keep: rng.gen_range(0..256),
                last: rng.gen(),
                user: rng.gen_range(0..2),
            })
            .collect();
        Self { beats, idle, backpressure }
    }
}

/// What a run saw.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Report {
    pub beats: u64,
    pub cycles: u64,
    pub max_occupancy: u64,
}

/// Runs `traffic` through the FIFO in `sim` and checks every beat and every cycle.
pub fn run(sim: BoxedSim, traffic: Traffic, config: &TbConfig) -> Result<Report> {
    run_with_depth(sim, DEPTH, traffic, config)
}

/// As [`run`], for any block that must behave as a FIFO of `depth` beats with an
/// `occupancy` output (the stream FIFO's other builds, the register slice).
pub fn run_with_depth(sim: BoxedSim, depth: usize, traffic: Traffic, config: &TbConfig) -> Result<Report> {
    let report = Rc::new(RefCell::new(Report::default()));
    let out = Rc::clone(&report);
    Tb::run(sim, config, move |tb| async move {
        tb.reset(3).await?;
        AxisMonitor::start(&tb, "s_axis")?;
        AxisMonitor::start(&tb, "m_axis")?;
        let source = AxisSource::start(&tb, "s_axis", traffic.idle)?;
        let sink = AxisSink::start_counting(&tb, "m_axis", traffic.backpressure)?;
        let total = traffic.beats.len() as u64;
        source.send_all(traffic.beats);
        let checker = tb.spawn(check_every_cycle(tb.clone(), depth, total, Rc::clone(&out)));
        let start = tb.cycle();
        let budget = 100 + total * 50;
        tb.with_timeout(budget, "all beats through the FIFO", checker.join()).await?;
        let received = sink.count();
        let mut report = out.borrow_mut();
        report.beats = received;
        report.cycles = tb.cycle() - start;
        tb.log(format!("{received} beats in {} cycles", report.cycles));
        Ok(())
    })?;
    let result = report.borrow().clone();
    Ok(result)
}

/// Follows both handshakes each cycle: the model predicts `s_axis_tready` and
/// `occupancy`, the scoreboard the beats out.
async fn check_every_cycle(tb: Tb, depth: usize, total: u64, report: Rc<RefCell<Report>>) -> Result<()> {
    let p = |n: &str| tb.port(n);
    let (in_valid, in_ready) = (p("s_axis_tvalid")?, p("s_axis_tready")?);
    let (in_data, in_keep, in_last, in_user) =
        (p("s_axis_tdata")?, p("s_axis_tkeep")?, p("s_axis_tlast")?, p("s_axis_tuser")?);
    let (out_valid, out_ready) = (p("m_axis_tvalid")?, p("m_axis_tready")?);
    let (out_data, out_keep, out_last, out_user) =
        (p("m_axis_tdata")?, p("m_axis_tkeep")?, p("m_axis_tlast")?, p("m_axis_tuser")?);
    let occupancy = p("occupancy")?;
    let mut model = StreamFifoModel::new(depth);
    let mut scoreboard = Scoreboard::new("stream_fifo m_axis");
    let mut taken = 0;
    while taken < total {
        tb.read_only().await;
        let [occ, ready, o_valid, o_ready, i_valid] =
            tb.get_many(&[occupancy, in_ready, out_valid, out_ready, in_valid]);
        if occ != model.occupancy() as u64 {
            bail!("occupancy is {occ}, the model holds {}", model.occupancy());
        }
        let ready = ready != 0;
        if ready != model.ready() {
            bail!("s_axis_tready is {ready} with {} beats held (depth {depth})", model.occupancy());
        }
        {
            let mut r = report.borrow_mut();
            r.max_occupancy = r.max_occupancy.max(occ);
        }
        // Both transfers happen at the same edge; take first, as the model holds the
        // beat on display until then.
        if o_valid != 0 && o_ready != 0 {
            let [data, keep, last, user] = tb.get_many(&[out_data, out_keep, out_last, out_user]);
            let beat = AxisBeat { data, keep, last: last != 0, user };
            match model.take() {
                Some(expected) => scoreboard.expect(expected),
                None => bail!("m_axis gave a beat {beat:x?} while the model holds none"),
            }
            scoreboard.observe(beat)?;
            taken += 1;
        }
        if ready && i_valid != 0 {
            let [data, keep, last, user] = tb.get_many(&[in_data, in_keep, in_last, in_user]);
            model.accept(AxisBeat { data, keep, last: last != 0, user });
        }
    }
    // Nothing may come out after the last beat.
    for _ in 0..4 {
        tb.read_only().await;
        if tb.get(out_valid) != 0 {
            bail!("m_axis_tvalid after all {total} beats came out");
        }
    }
    scoreboard.finish()?;
    Ok(())
}
