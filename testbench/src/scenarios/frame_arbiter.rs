//! The frame arbiter under random frames on both inputs, random idle on each and random
//! backpressure on the output. Every frame must come out whole and unmixed, each input's
//! frames in their order, and the turn must pass: when one input ends a frame while the
//! other is offering, the next frame out is the other's.
use super::frame_fifo::Frames;
use super::{verilated, Backend, BoxedSim};
use crate::bfm::{AxisBeat, AxisMonitor, AxisSink, AxisSource, Pattern};
use crate::tb::{Tb, TbConfig};
use anyhow::{bail, ensure, Result};
use ferronic_hdl::frame_arbiter::FrameArbiter;
use ferronic_sim::native::NativeSim;
use std::collections::VecDeque;

pub fn build(backend: Backend) -> Result<BoxedSim> {
    Ok(match backend {
        Backend::Verilator => verilated("frame_arbiter", "", FrameArbiter::default)?,
        Backend::RustHdl => Box::new(NativeSim::new(FrameArbiter::default())?),
    })
}

/// Each input's frames and idle pattern, and the output's backpressure.
#[derive(Clone, Debug)]
pub struct ArbiterRun {
    pub inputs: [Frames; 2],
    pub backpressure: Pattern,
}

/// What came out: how many frames from each input, and how many times the turn passed
/// while the other input was waiting (so a test can see the rule was exercised).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ArbiterReport {
    pub frames: [usize; 2],
    pub turns_owed: usize,
    pub cycles: u64,
}

pub fn run(sim: BoxedSim, setup: ArbiterRun, config: &TbConfig) -> Result<ArbiterReport> {
    let report = std::rc::Rc::new(std::cell::Cell::new(ArbiterReport::default()));
    let out = report.clone();
    Tb::run(sim, config, move |tb| async move {
        tb.reset(3).await?;
        let names = ["s0_axis", "s1_axis"];
        let mut expected: [VecDeque<Vec<AxisBeat>>; 2] = Default::default();
        let mut sources = Vec::new();
        let mut handshake = Vec::new();
        for (i, frames) in setup.inputs.iter().enumerate() {
            AxisMonitor::start(&tb, names[i])?;
            let source = AxisSource::start(&tb, names[i], frames.idle)?;
            for frame in &frames.frames {
                source.send_all(frame.clone());
            }
            expected[i] = frames.frames.clone().into();
            sources.push(source);
            handshake.push([tb.port(&format!("{}_tvalid", names[i]))?, tb.port(&format!("{}_tready", names[i]))?]);
        }
        AxisMonitor::start(&tb, "m_axis")?;
        let sink = AxisSink::start(&tb, "m_axis", setup.backpressure)?;
        let total: usize = setup.inputs.iter().flat_map(|f| &f.frames).map(Vec::len).sum();
        let start = tb.cycle();
        // A hang detector: at 80% idle and 80% backpressure a beat takes about 10 cycles.
        let deadline = start + 200 + 30 * total as u64;
        let mut report = ArbiterReport::default();
        // The input whose frame is leaving, the beats of it so far, and the input owed the
        // next frame (it was offering when the other ended one).
        let mut sending: Option<usize> = None;
        let mut current: Vec<AxisBeat> = Vec::new();
        let mut owed: Option<usize> = None;
        while expected.iter().any(|e| !e.is_empty()) {
            ensure!(tb.cycle() < deadline, "frames left: {} and {}", expected[0].len(), expected[1].len());
            tb.read_only().await;
            let offering: Vec<bool> = handshake.iter().map(|p| tb.get(p[0]) != 0).collect();
            let taken: Vec<bool> = handshake.iter().map(|p| tb.get(p[0]) != 0 && tb.get(p[1]) != 0).collect();
            ensure!(!(taken[0] && taken[1]), "both inputs gave a beat in one cycle");
            let Some(from) = taken.iter().position(|&t| t) else { continue };
            if let Some(s) = sending {
                ensure!(s == from, "input {from} gave a beat inside a frame of input {s}");
            } else if let Some(o) = owed.take() {
                ensure!(
                    o == from,
                    "input {o} was waiting when input {} ended a frame, but input {from} went next",
                    1 - o
                );
            }
            sending = Some(from);
            // The sink saw the same beat this cycle.
            tb.cycles(1).await;
            let Some(beat) = sink.recv() else { bail!("input {from} gave a beat that did not reach m_axis") };
            current.push(beat);
            if beat.last {
                let Some(want) = expected[from].pop_front() else { bail!("input {from}: a frame it never sent") };
                ensure!(current == want, "input {from}: frame {:x?} came out as {:x?}", want, current);
                current.clear();
                report.frames[from] += 1;
                sending = None;
                if offering[1 - from] {
                    owed = Some(1 - from);
                    report.turns_owed += 1;
                }
            }
        }
        tb.cycles(20).await;
        ensure!(sink.recv().is_none() && current.is_empty(), "beats after the last frame");
        report.cycles = tb.cycle() - start;
        out.set(report);
        Ok(())
    })?;
    Ok(report.get())
}
