//! The wire-through bus fixtures on either backend, for testing the bus models.
use super::{Backend, BoxedSim};
use anyhow::Result;
use ferronic_hdl::bus_loopback::{Axi4Loopback, AxilLoopback};
use ferronic_hdl::export::export_block;
use ferronic_sim::native::NativeSim;
use ferronic_sim::verilator::VerilatorSim;

/// 64-bit data, 4-bit IDs.
pub type Axi4Link = Axi4Loopback<64, 8, 4>;

pub fn axi4(backend: Backend) -> Result<BoxedSim> {
    let mut link = Axi4Link::default();
    Ok(match backend {
        Backend::Verilator => Box::new(VerilatorSim::new(&export_block("axi4_loopback", &mut link)?)?),
        Backend::RustHdl => Box::new(NativeSim::new(link)?),
    })
}

pub fn axil(backend: Backend) -> Result<BoxedSim> {
    let mut link = AxilLoopback::default();
    Ok(match backend {
        Backend::Verilator => Box::new(VerilatorSim::new(&export_block("axil_loopback", &mut link)?)?),
        Backend::RustHdl => Box::new(NativeSim::new(link)?),
    })
}
