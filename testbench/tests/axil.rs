//! The AXI4-Lite master and register-space model through the wire-through netlist.
use ferronic_testbench::bfm::axi4::{OKAY, SLVERR};
use ferronic_testbench::bfm::{AxilMaster, AxilMemory, AxilMonitor, ErrorRange, Pattern, SparseMemory};
use ferronic_testbench::scenarios::{bus_loopback, Backend};
use ferronic_testbench::{Tb, TbConfig};
use rand::Rng;

#[test]
fn register_writes_and_reads_follow_the_strobes_under_backpressure() {
    for (seed, ready, idle) in [(1, Pattern::Never, Pattern::Never), (2, Pattern::Random(0.6), Pattern::Random(0.4))] {
        Tb::run(bus_loopback::axil(Backend::Verilator).unwrap(), &TbConfig::new(seed), move |tb| async move {
            tb.reset(2).await?;
            AxilMonitor::start(&tb, "s")?;
            AxilMonitor::start(&tb, "m")?;
            let errors = vec![ErrorRange { range: 0xF00..0x1000, resp: SLVERR }];
            let regs = AxilMemory::start(&tb, "m", ready, 3, errors)?;
            let master = AxilMaster::start(&tb, "s", idle, idle)?;
            let mut reference = SparseMemory::new();
            let mut rng = tb.rng();
            for _ in 0..200 {
                let addr = rng.gen_range(0..64u64) * 4;
                if rng.gen_bool(0.5) {
                    let (data, strb) = (rng.gen::<u32>(), rng.gen_range(0..16u8));
                    anyhow::ensure!(master.write(addr, data, strb).await == OKAY);
                    for lane in 0..4 {
                        if strb >> lane & 1 != 0 {
                            reference.write_byte(addr + lane, (data >> (8 * lane)) as u8);
                        }
                    }
                } else {
                    let (data, resp) = master.read(addr).await;
                    let want = u32::from_le_bytes(reference.read(addr, 4).try_into().unwrap());
                    anyhow::ensure!(resp == OKAY && data == want, "read {addr:#x}: {data:#x}, want {want:#x}");
                }
            }
            anyhow::ensure!(master.write(0xF04, 0xDEAD, 0xF).await == SLVERR);
            anyhow::ensure!(master.read(0xF04).await.1 == SLVERR);
            anyhow::ensure!(regs.memory.borrow().read(0xF04, 4) == [0; 4], "an erroring write landed");
            Ok(())
        })
        .unwrap();
    }
}

#[test]
fn the_monitor_catches_a_response_without_a_request() {
    let err = Tb::run(bus_loopback::axil(Backend::Verilator).unwrap(), &TbConfig::new(1), |tb| async move {
        tb.reset(2).await?;
        AxilMonitor::start(&tb, "m")?;
        // The slave side answers a write nobody asked for.
        let (bvalid, bready) = (tb.port("m_bvalid")?, tb.port("s_bready")?);
        tb.set(bready, 1);
        tb.set(bvalid, 1);
        tb.cycles(3).await;
        Ok(())
    })
    .unwrap_err();
    assert!(format!("{err:?}").contains("no write outstanding"), "{err:?}");
}
