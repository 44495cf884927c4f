//! rust-hdl's own model behind the [`Simulator`] trait: for unit tests, and as the second
//! opinion in differential tests against Verilator.
use crate::{PortId, PortSpec, Simulator};
use anyhow::{bail, Context, Result};
use ferronic_hdl::ports::{top_ports, NativePorts};
use ferronic_hdl::rust_hdl::core::check_error::check_all;
use ferronic_hdl::rust_hdl::core::simulate::simulate;
use ferronic_hdl::rust_hdl::core::vcd_probe::{write_vcd_change, write_vcd_header, VCDProbe};
use std::fs::File;
use std::io::BufWriter;
use std::path::Path;

/// Iterations allowed for combinational logic to settle before the model is declared
/// oscillating (rust-hdl's own simulator uses the same bound).
const SETTLE_ITERATIONS: usize = 100;

pub struct NativeSim<B: NativePorts> {
    block: B,
    ports: Vec<PortSpec>,
    clk: usize,
    /// Inputs changed since the model last settled.
    dirty: bool,
    /// `clk` went back to 0 but the model has not settled it yet (as in `VerilatorSim`).
    fall_pending: bool,
    cycle: u64,
    trace: Option<VCDProbe<BufWriter<File>>>,
}

impl<B: NativePorts> NativeSim<B> {
    pub fn new(mut block: B) -> Result<Self> {
        block.connect_all();
        check_all(&block).map_err(|e| anyhow::anyhow!("rust-hdl check failed: {e:?}"))?;
        let found = top_ports(&block);
        let names = B::native_port_names();
        let mut ports = Vec::with_capacity(names.len());
        for name in names {
            let spec = found
                .iter()
                .find(|p| p.name == *name)
                .with_context(|| format!("native_ports! lists {name:?}, which is not a top-level port"))?;
            ports.push(spec.clone());
        }
        if let Some(missing) = found.iter().find(|p| !names.contains(&p.name.as_str())) {
            bail!("native_ports! does not list port {:?}", missing.name);
        }
        let clk = ports.iter().position(|p| p.name == "clk").context("block has no `clk` port")?;
        let mut sim = Self { block, ports, clk, dirty: true, fall_pending: false, cycle: 0, trace: None };
        sim.settle();
        Ok(sim)
    }

    /// The rust-hdl block itself, for white-box checks in unit tests.
    pub fn block(&self) -> &B {
        &self.block
    }

    fn settle(&mut self) {
        if self.dirty {
            self.settle_now();
        }
    }

    fn settle_now(&mut self) {
        assert!(simulate(&mut self.block, SETTLE_ITERATIONS), "rust-hdl model did not settle: combinational loop?");
        self.dirty = false;
        self.fall_pending = false;
    }

    fn dump(&mut self, time: u64) {
        if let Some(mut vcd) = self.trace.take() {
            let ok = vcd.timestamp(time).is_ok();
            let vcd = write_vcd_change(vcd, &self.block);
            if ok {
                self.trace = Some(vcd);
            }
        }
    }
}

impl<B: NativePorts> Simulator for NativeSim<B> {
    fn backend_name(&self) -> &'static str {
        "rust-hdl"
    }
    fn ports(&self) -> &[PortSpec] {
        &self.ports
    }
    fn set(&mut self, port: PortId, value: u64) {
        self.block.set_port(port.0 as usize, value);
        self.dirty = true;
    }
    fn get(&mut self, port: PortId) -> u64 {
        self.settle();
        self.block.get_port(port.0 as usize)
    }
    fn tick(&mut self) {
        // rust-hdl sees a rising edge only if `clk` settled low first.
        if self.dirty || self.fall_pending {
            self.settle_now();
        }
        self.dump(self.cycle * 10 + 5);
        self.block.set_port(self.clk, 1);
        self.settle_now();
        self.cycle += 1;
        self.dump(self.cycle * 10);
        self.block.set_port(self.clk, 0);
        self.fall_pending = true;
    }
    fn cycle(&self) -> u64 {
        self.cycle
    }
    fn start_trace(&mut self, path: &Path) -> Result<()> {
        let file = File::create(path).with_context(|| format!("creating {}", path.display()))?;
        self.trace = Some(write_vcd_header(BufWriter::new(file), &self.block));
        Ok(())
    }
}
