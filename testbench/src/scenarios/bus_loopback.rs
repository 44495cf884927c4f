//! The wire-through bus fixtures on either backend, for testing the bus models.
use super::{verilated, Backend, BoxedSim};
use anyhow::Result;
use ferronic_hdl::bus_loopback::{Axi4Loopback, AxilLoopback};
use ferronic_sim::native::NativeSim;

/// 64-bit data, 4-bit IDs.
pub type Axi4Link = Axi4Loopback<64, 8, 4>;

pub fn axi4(backend: Backend) -> Result<BoxedSim> {
    Ok(match backend {
        Backend::Verilator => verilated("axi4_loopback", "", Axi4Link::default)?,
        Backend::RustHdl => Box::new(NativeSim::new(Axi4Link::default())?),
    })
}

pub fn axil(backend: Backend) -> Result<BoxedSim> {
    Ok(match backend {
        Backend::Verilator => verilated("axil_loopback", "", AxilLoopback::default)?,
        Backend::RustHdl => Box::new(NativeSim::new(AxilLoopback::default())?),
    })
}
