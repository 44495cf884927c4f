//! The BAR0 split between two register targets: random writes (random strobes) and reads
//! over the whole 64 KiB, issued at once from a writer and a reader, against two AXI4-Lite
//! register memories with their own latency, backpressure and error ranges. Each access
//! must reach the target its address names (the split's region: `m1_`) and no other, and
//! its response must be that target's; protocol monitors watch all three ports. Two of the
//! NIC's splits: the RDMA registers' (one 2 KiB region) and the tables' (4 KiB: the DMA
//! windows and the RSS table, `MASK` 0x1E).
use super::{verilated, Backend, BoxedSim, SimResult};
use crate::bfm::axi4::{ErrorRange, OKAY, SLVERR};
use crate::bfm::{AxilMaster, AxilMemory, AxilMonitor, Pattern};
use crate::tb::{Tb, TbConfig};
use anyhow::{ensure, Result};
use ferronic_hdl::axil_split::{RdmaSplit, TablesSplit};
use ferronic_hdl::regs::nic::{RDMA_BASE, RDMA_WINDOW_END, RSS_END, WINDOWS_BASE};
use ferronic_sim::native::NativeSim;
use rand::Rng;
use std::cell::RefCell;
use std::rc::Rc;

/// Which of the NIC's splits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Split {
    /// `RdmaSplit`: the RDMA registers' 2 KiB.
    Rdma,
    /// `TablesSplit`: the DMA windows and the RSS table, 4 KiB.
    Tables,
}

impl Split {
    pub const ALL: [Split; 2] = [Split::Rdma, Split::Tables];

    /// The BAR0 addresses that belong to `m1_`, from the register map.
    pub fn m1(self) -> std::ops::Range<u64> {
        match self {
            Split::Rdma => RDMA_BASE as u64..RDMA_WINDOW_END as u64,
            Split::Tables => WINDOWS_BASE as u64..RSS_END as u64,
        }
    }

    fn goes_to_m1(self, addr: u64) -> bool {
        self.m1().contains(&addr)
    }
}

pub fn build(backend: Backend, split: Split) -> SimResult {
    Ok(match (backend, split) {
        (Backend::Verilator, Split::Rdma) => verilated("axil_split", "", RdmaSplit::default)?,
        (Backend::Verilator, Split::Tables) => verilated("axil_split_tables", "", TablesSplit::default)?,
        (Backend::RustHdl, Split::Rdma) => Box::new(NativeSim::new(RdmaSplit::default())?),
        (Backend::RustHdl, Split::Tables) => Box::new(NativeSim::new(TablesSplit::default())?),
    })
}

/// What each target holds before the run: different patterns, so a read answered by the
/// wrong one shows.
fn preload(target: usize, addr: u64) -> u32 {
    (addr as u32).wrapping_mul(0x9E37_79B9) ^ if target == 1 { 0xA5A5_0000 } else { 0x0000_5A5A }
}

#[derive(Clone, Debug)]
pub struct SplitRun {
    pub split: Split,
    pub writes: usize,
    pub reads: usize,
    pub idle: Pattern,
    pub backpressure: Pattern,
    pub ready: [Pattern; 2],
    pub latency: [u64; 2],
}

pub fn run(sim: BoxedSim, setup: SplitRun, config: &TbConfig) -> Result<()> {
    Tb::run(sim, config, move |tb| async move {
        tb.reset(2).await?;
        for prefix in ["s_axil", "m0_axil", "m1_axil"] {
            AxilMonitor::start(&tb, prefix)?;
        }
        let mut rng = tb.rng();
        let split = setup.split;
        let m1 = split.m1();
        // A few error ranges on each target.
        let errors: [Vec<ErrorRange>; 2] = [
            vec![ErrorRange { range: 0x300..0x340, resp: SLVERR }],
            vec![ErrorRange { range: m1.start + 0x100..m1.start + 0x120, resp: SLVERR }],
        ];
        // Addresses: both sides of the region's edges (the tables' region is two 2 KiB
        // halves: the edge between them too), one in each error range, and random ones
        // everywhere.
        let mut addresses: Vec<u64> = vec![m1.start - 4, m1.start, m1.end - 4, m1.end, 0, 0xFFFC];
        addresses.extend([m1.start + 0x7FC, m1.start + 0x800]);
        addresses.extend(errors.iter().flatten().map(|e| e.range.start + 4));
        addresses.extend((0..60).map(|_| rng.gen_range(0..0x4000u64) & !3));
        addresses.extend((0..20).map(|_| rng.gen_range(0..0x1_0000u64) & !3));
        let targets = [
            AxilMemory::start(&tb, "m0_axil", setup.ready[0], setup.latency[0], errors[0].clone())?,
            AxilMemory::start(&tb, "m1_axil", setup.ready[1], setup.latency[1], errors[1].clone())?,
        ];
        for &a in &addresses {
            for (t, target) in targets.iter().enumerate() {
                target.memory.borrow_mut().write(a, &preload(t, a).to_le_bytes());
            }
        }
        let errors = Rc::new(errors);
        let error_at = {
            let errors = Rc::clone(&errors);
            move |addr: u64| {
                let t = split.goes_to_m1(addr) as usize;
                errors[t].iter().find(|e| e.range.contains(&addr)).map(|e| e.resp)
            }
        };
        let host = AxilMaster::start(&tb, "s_axil", setup.idle, setup.backpressure)?;
        // Writes go to one half of the addresses, reads to the other, so the two streams run
        // at once without racing each other.
        let (written, read): (Vec<u64>, Vec<u64>) = addresses.iter().partition(|&&a| (a >> 2) % 2 == 0);
        let plan: Vec<(u64, u32, u8)> = (0..setup.writes)
            .map(|_| (written[rng.gen_range(0..written.len())], rng.gen(), rng.gen_range(1..16u8)))
            .collect();
        let reads: Vec<u64> = (0..setup.reads).map(|_| read[rng.gen_range(0..read.len())]).collect();
        let failures = Rc::new(RefCell::new(Vec::new()));
        let (writer_host, writer_failures, writer_plan) = (host.clone(), Rc::clone(&failures), plan.clone());
        let (writer_error_at, reader_error_at) = (error_at.clone(), error_at.clone());
        let writer = tb.spawn(async move {
            for (addr, data, strb) in writer_plan {
                let resp = writer_host.write(addr, data, strb).await;
                if resp != writer_error_at(addr).unwrap_or(OKAY) {
                    writer_failures.borrow_mut().push(format!("write {addr:#x}: response {resp}"));
                }
            }
            Ok(())
        });
        let (reader_host, reader_failures) = (host.clone(), Rc::clone(&failures));
        let reader = tb.spawn(async move {
            for addr in reads {
                let (data, resp) = reader_host.read(addr).await;
                let want = match reader_error_at(addr) {
                    Some(e) => (0, e),
                    None => (preload(split.goes_to_m1(addr) as usize, addr), OKAY),
                };
                if (data, resp) != want {
                    reader_failures.borrow_mut().push(format!("read {addr:#x}: ({data:#x}, {resp}), want {want:x?}"));
                }
            }
            Ok(())
        });
        let budget = 200 + 60 * (setup.writes + setup.reads) as u64 * (1 + setup.latency[0].max(setup.latency[1]));
        tb.with_timeout(budget, "every access answered", async move {
            writer.join().await;
            reader.join().await;
        })
        .await?;
        let failures = failures.borrow();
        ensure!(failures.is_empty(), "{} accesses went wrong, first: {}", failures.len(), failures[0]);
        // Each target holds exactly the writes its addresses took; the other is untouched.
        let mut want = [std::collections::HashMap::new(), std::collections::HashMap::new()];
        for &a in &addresses {
            for (t, w) in want.iter_mut().enumerate() {
                w.insert(a, preload(t, a));
            }
        }
        for &(addr, data, strb) in &plan {
            if error_at(addr).is_some() {
                continue;
            }
            let held = want[split.goes_to_m1(addr) as usize].get_mut(&addr).expect("planned from the list");
            for lane in 0..4 {
                if strb >> lane & 1 != 0 {
                    let mask = 0xFFu32 << (8 * lane);
                    *held = (*held & !mask) | (data & mask);
                }
            }
        }
        for (t, target) in targets.iter().enumerate() {
            for &a in &addresses {
                let got = u32::from_le_bytes(target.memory.borrow().read(a, 4).try_into().expect("4 bytes"));
                ensure!(got == want[t][&a], "m{t}_axil at {a:#x}: {got:#x}, want {:#x}", want[t][&a]);
            }
        }
        Ok(())
    })
}
