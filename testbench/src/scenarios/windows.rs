//! The DMA windows against their model (`models::windows`): register writes (any function,
//! dword and byte strobes, also past the table) and reads, and lookups of any function
//! (also past the table), in a random order under idle and backpressure on `s_axil_`.
use super::{verilated, Backend, BoxedSim, SimResult};
use crate::bfm::{AxilMaster, AxilMonitor, Pattern};
use crate::models::windows::WindowTable;
use crate::tb::{Tb, TbConfig};
use anyhow::{ensure, Result};
use ferronic_hdl::windows::DmaWindows;
use ferronic_sim::native::NativeSim;

pub fn build(backend: Backend) -> SimResult {
    Ok(match backend {
        Backend::Verilator => verilated("dma_windows", "", DmaWindows::default)?,
        Backend::RustHdl => Box::new(NativeSim::new(DmaWindows::default())?),
    })
}

/// One step: a register access at a BAR0 offset, or a lookup.
#[derive(Clone, Copy, Debug)]
pub enum WindowOp {
    Write {
        offset: u64,
        data: u32,
        strb: u8,
    },
    Read {
        offset: u64,
    },
    /// All engines' ports at once: `functions[i]` asked for on port `LOOKUP_PORTS[i]`.
    Lookup {
        functions: [u8; LOOKUP_PORTS.len()],
    },
}

/// The lookup ports: TX, its completion poster, RX, its completion poster, the RDMA path,
/// the RDMA completer.
pub const LOOKUP_PORTS: [&str; 6] = ["tx", "txcq", "rx", "rxcq", "rdma", "cq"];

/// Runs `ops` in order, each checked against the model: a write's response, a read's data
/// and response, a lookup's windows on all ports (the cycle after they are asked, and still
/// the cycle after).
pub fn run(sim: BoxedSim, ops: Vec<WindowOp>, idle: Pattern, backpressure: Pattern, config: &TbConfig) -> Result<()> {
    Tb::run(sim, config, move |tb| async move {
        let lookup_port = |engine: &str| -> Result<_> {
            Ok((
                tb.input(&format!("{engine}_function"))?,
                tb.port(&format!("{engine}_base"))?,
                tb.port(&format!("{engine}_limit"))?,
            ))
        };
        let ports = LOOKUP_PORTS.map(lookup_port);
        let ports: Vec<_> = ports.into_iter().collect::<Result<_>>()?;
        tb.reset(2).await?;
        AxilMonitor::start(&tb, "s_axil")?;
        let host = AxilMaster::start(&tb, "s_axil", idle, backpressure)?;
        let mut model = WindowTable::default();
        // The sweep that opens every window after reset (register accesses wait for it).
        tb.cycles(40).await;
        for (step, op) in ops.into_iter().enumerate() {
            match op {
                WindowOp::Write { offset, data, strb } => {
                    let resp = host.write(offset, data, strb).await;
                    let want = model.write(offset, data, strb);
                    ensure!(resp == want, "step {step}: write at {offset:#x} answered {resp}, want {want}");
                }
                WindowOp::Read { offset } => {
                    let got = host.read(offset).await;
                    let want = model.read(offset);
                    ensure!(got == want, "step {step}: read at {offset:#x} gave {got:x?}, want {want:x?}");
                }
                WindowOp::Lookup { functions } => {
                    for (&(function, _, _), f) in ports.iter().zip(functions) {
                        tb.set(function, f as u64);
                    }
                    for after in 1..=2 {
                        tb.cycles(1).await;
                        for (&(_, base, limit), (engine, f)) in
                            ports.iter().zip(LOOKUP_PORTS.into_iter().zip(functions))
                        {
                            let got = (tb.get(base), tb.get(limit));
                            let want = model.window(f as usize);
                            ensure!(
                                got == want,
                                "step {step}: {engine} function {f}, {after} cycles on: {got:x?}, want {want:x?}"
                            );
                        }
                    }
                }
            }
        }
        Ok(())
    })
}
