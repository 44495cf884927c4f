//! The register slice is a FIFO of depth 2 in every observable way: the stream FIFO's
//! model and per-cycle scenario check it (`scenarios::stream_fifo::run_with_depth`).
use super::stream_fifo::{run_with_depth, Report, Traffic};
use super::{verilated, Backend, BoxedSim};
use crate::tb::TbConfig;
use anyhow::Result;
use ferronic_hdl::stream_slice::StreamSlice64;
use ferronic_sim::native::NativeSim;

/// Beats the slice holds.
pub const DEPTH: usize = 2;

pub fn build(backend: Backend) -> Result<BoxedSim> {
    Ok(match backend {
        Backend::Verilator => verilated("stream_slice", "", StreamSlice64::default)?,
        Backend::RustHdl => Box::new(NativeSim::new(StreamSlice64::default())?),
    })
}

/// Runs `traffic` through the slice and checks every beat, `s_axis_tready` and `occupancy`
/// every cycle.
pub fn run(sim: BoxedSim, traffic: Traffic, config: &TbConfig) -> Result<Report> {
    run_with_depth(sim, DEPTH, traffic, config)
}
