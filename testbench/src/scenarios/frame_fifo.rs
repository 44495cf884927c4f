//! The store-and-forward frame FIFO under random frames, input idle and output
//! backpressure: every frame comes out whole and in order, none starts before its last
//! beat went in, and with the sink always ready a frame leaves one beat per cycle.
use super::{verilated, Backend, BoxedSim};
use crate::bfm::{AxisBeat, AxisMonitor, AxisSink, AxisSource, Pattern};
use crate::tb::{Tb, TbConfig};
use anyhow::{bail, ensure, Result};
use ferronic_hdl::frame_fifo::FrameFifo;
use ferronic_sim::native::NativeSim;
use rand::{Rng, SeedableRng};
use std::collections::VecDeque;

pub fn build(backend: Backend) -> Result<BoxedSim> {
    Ok(match backend {
        Backend::Verilator => verilated("frame_fifo", "", FrameFifo::default)?,
        Backend::RustHdl => Box::new(NativeSim::new(FrameFifo::default())?),
    })
}

/// Frames as beat lists, and how the two sides behave.
#[derive(Clone, Debug)]
pub struct Frames {
    pub frames: Vec<Vec<AxisBeat>>,
    pub idle: Pattern,
    pub backpressure: Pattern,
}

impl Frames {
    /// `count` frames: mostly short (1-4 beats, where store-and-forward meets the FIFO's
    /// read latency), some up to `longest` beats; random data, `tkeep` and `tuser`.
    pub fn random(count: usize, longest: usize, seed: u64, idle: Pattern, backpressure: Pattern) -> Self {
        let mut rng = rand::rngs::SmallRng::seed_from_u64(seed);
        let frames = (0..count)
            .map(|_| {
                let len = if rng.gen_bool(0.7) { rng.gen_range(1..=4) } else { rng.gen_range(1..=longest) };
                (0..len)
                    .map(|i| AxisBeat {
                        data: rng.gen(),
                        keep: if i + 1 == len { rng.gen_range(1..256) } else { 0xFF },
                        last: i + 1 == len,
                        user: rng.gen_range(0..2),
                    })
                    .collect()
            })
            .collect();
        Self { frames, idle, backpressure }
    }
}

/// Runs the frames through; returns the cycles taken.
pub fn run(sim: BoxedSim, traffic: Frames, config: &TbConfig) -> Result<u64> {
    let cycles = std::rc::Rc::new(std::cell::Cell::new(0));
    let out = cycles.clone();
    Tb::run(sim, config, move |tb| async move {
        tb.reset(3).await?;
        AxisMonitor::start(&tb, "s_axis")?;
        AxisMonitor::start(&tb, "m_axis")?;
        let source = AxisSource::start(&tb, "s_axis", traffic.idle)?;
        let sink = AxisSink::start(&tb, "m_axis", traffic.backpressure)?;
        let total: usize = traffic.frames.iter().map(Vec::len).sum();
        for frame in &traffic.frames {
            source.send_all(frame.clone());
        }
        let (in_valid, in_ready, in_last) =
            (tb.port("s_axis_tvalid")?, tb.port("s_axis_tready")?, tb.port("s_axis_tlast")?);
        let start = tb.cycle();
        // A hang detector only: at 80% idle and 80% backpressure a beat takes about 10 cycles.
        let deadline = start + 200 + 30 * total as u64;
        let always_ready = traffic.backpressure == Pattern::Never;
        let mut expected: VecDeque<Vec<AxisBeat>> = traffic.frames.into();
        // The cycle each frame's last beat went in, oldest first.
        let mut stored: VecDeque<u64> = VecDeque::new();
        let mut current: Vec<AxisBeat> = Vec::new();
        let mut previous: Option<u64> = None;
        while !expected.is_empty() {
            ensure!(tb.cycle() < deadline, "{} frames still to come out", expected.len());
            tb.read_only().await;
            let [valid, ready, last] = tb.get_many(&[in_valid, in_ready, in_last]);
            if valid != 0 && ready != 0 && last != 0 {
                stored.push_back(tb.cycle());
            }
            while let Some((cycle, beat)) = sink.recv_timed() {
                if current.is_empty() {
                    match stored.front() {
                        Some(&in_at) if in_at < cycle => {}
                        _ => bail!("a frame began to leave at cycle {cycle} before its last beat went in"),
                    }
                }
                if let (true, Some(prev)) = (always_ready, previous) {
                    ensure!(cycle == prev + 1, "a gap inside a frame: beats at cycles {prev} and {cycle}");
                }
                previous = if beat.last { None } else { Some(cycle) };
                current.push(beat);
                if beat.last {
                    stored.pop_front();
                    let want = expected.pop_front().expect("checked above");
                    let got = std::mem::take(&mut current);
                    ensure!(got == want, "frame {:x?} came out as {:x?}", want, got);
                }
            }
        }
        ensure!(current.is_empty(), "beats after the last frame: {current:x?}");
        out.set(tb.cycle() - start);
        Ok(())
    })?;
    Ok(cycles.get())
}
