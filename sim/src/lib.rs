//! The simulator layer: one driving trait, two backends.
//!
//! * [`verilator::VerilatorSim`]: exported Verilog built by Verilator into a shared library
//!   (cached under `target/verilated/`) and driven through a small C ABI.
//! * [`native::NativeSim`]: rust-hdl's own model of the same block.
//!
//! Both resolve a port name to a [`PortId`] once; every call per cycle is by index.
//!
//! Time model, the same on both: [`Simulator::tick`] is one rising edge of `clk`. After a
//! tick, outputs show the state after that edge; inputs set afterwards take effect at the
//! next edge, and a `get` after a `set` sees combinational paths settle.

pub mod lint;
pub mod native;
pub mod verilator;

use anyhow::{anyhow, Result};
pub use ferronic_hdl::ports::{PortDir, PortSpec};
use std::path::Path;

/// A port resolved by name once, used by index afterwards.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PortId(pub u32);

pub trait Simulator {
    /// Which backend this is, for logs and benchmarks.
    fn backend_name(&self) -> &'static str;
    /// The ports of the top level, indexed by [`PortId`].
    fn ports(&self) -> &[PortSpec];
    /// Drive an input (at most 64 bits; wider values are truncated to the port width).
    fn set(&mut self, port: PortId, value: u64);
    /// Read any port, with combinational logic settled for the inputs set so far.
    fn get(&mut self, port: PortId) -> u64;
    /// Read several ports at once into `out` (one call instead of one per port).
    fn get_many(&mut self, ports: &[PortId], out: &mut [u64]) {
        for (port, value) in ports.iter().zip(out.iter_mut()) {
            *value = self.get(*port);
        }
    }
    /// One rising edge of `clk`.
    fn tick(&mut self);
    /// Rising edges so far.
    fn cycle(&self) -> u64;
    /// Start writing a VCD waveform of every signal to `path`.
    fn start_trace(&mut self, path: &Path) -> Result<()>;

    /// Resolve a port by its flat name (`s_axis_tdata`).
    fn port(&self, name: &str) -> Result<PortId> {
        self.ports().iter().position(|p| p.name == name).map(|i| PortId(i as u32)).ok_or_else(|| {
            let known: Vec<_> = self.ports().iter().map(|p| p.name.as_str()).collect();
            anyhow!("no port {name:?}; the ports are {}", known.join(", "))
        })
    }
    /// Resolve an input port, refusing outputs (driving an output is always a bug).
    fn input(&self, name: &str) -> Result<PortId> {
        let id = self.port(name)?;
        match self.ports()[id.0 as usize].dir {
            PortDir::Input => Ok(id),
            PortDir::Output => Err(anyhow!("port {name:?} is an output and cannot be driven")),
        }
    }
}

/// Ports wider than this are not yet driveable through the C ABI.
pub const MAX_PORT_BITS: usize = 64;

/// Mask of the low `width` bits.
pub fn width_mask(width: usize) -> u64 {
    if width >= 64 {
        u64::MAX
    } else {
        (1u64 << width) - 1
    }
}
