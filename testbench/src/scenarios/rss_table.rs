//! The RSS indirection table against its model (`models::rss`): register writes (any entry,
//! any data and byte strobes, also past the table) and reads, and lookups of any index, in a
//! random order under idle and backpressure on `s_axil_`.
use super::{verilated, Backend, BoxedSim, SimResult};
use crate::bfm::{AxilMaster, AxilMonitor, Pattern};
use crate::models::rss::RssTable as RssModel;
use crate::tb::{Tb, TbConfig};
use anyhow::{ensure, Result};
use ferronic_hdl::rss::RssTable;
use ferronic_sim::native::NativeSim;

pub fn build(backend: Backend) -> SimResult {
    Ok(match backend {
        Backend::Verilator => verilated("rss_table", "", RssTable::default)?,
        Backend::RustHdl => Box::new(NativeSim::new(RssTable::default())?),
    })
}

/// One step: a register access at a BAR0 offset, or a lookup of a hash's low 7 bits.
#[derive(Clone, Copy, Debug)]
pub enum RssOp {
    Write { offset: u64, data: u32, strb: u8 },
    Read { offset: u64 },
    Lookup { index: u8 },
}

/// Runs `ops` in order, each checked against the model: a write's response, a read's data
/// and response, a lookup's queue (the cycle after it is asked, and still the cycle after).
pub fn run(sim: BoxedSim, ops: Vec<RssOp>, idle: Pattern, backpressure: Pattern, config: &TbConfig) -> Result<()> {
    Tb::run(sim, config, move |tb| async move {
        let index = tb.input("lookup_index")?;
        let queue = tb.port("lookup_queue")?;
        tb.reset(2).await?;
        AxilMonitor::start(&tb, "s_axil")?;
        let host = AxilMaster::start(&tb, "s_axil", idle, backpressure)?;
        let mut model = RssModel::default();
        // The sweep that sets the default table after reset; register accesses wait for it,
        // lookups do not, so look up only once it is over.
        tb.cycles(130).await;
        for (step, op) in ops.into_iter().enumerate() {
            match op {
                RssOp::Write { offset, data, strb } => {
                    let resp = host.write(offset, data, strb).await;
                    let want = model.write(offset, data, strb);
                    ensure!(resp == want, "step {step}: write at {offset:#x} answered {resp}, want {want}");
                }
                RssOp::Read { offset } => {
                    let got = host.read(offset).await;
                    let want = model.read(offset);
                    ensure!(got == want, "step {step}: read at {offset:#x} gave {got:x?}, want {want:x?}");
                }
                RssOp::Lookup { index: i } => {
                    tb.set(index, i as u64);
                    for after in 1..=2 {
                        tb.cycles(1).await;
                        let got = tb.get(queue);
                        let want = model.queue(i as u32) as u64;
                        ensure!(got == want, "step {step}: index {i}, {after} cycles on: queue {got}, want {want}");
                    }
                }
            }
        }
        Ok(())
    })
}
