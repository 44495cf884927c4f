//! The AXI4 master, memory and monitor against each other through a real netlist (the
//! wire-through fixture): data lands byte for byte as a plain reference memory says, under
//! latency, backpressure and reordering; error ranges answer errors and write nothing; and
//! the monitor catches protocol violations.
use ferronic_testbench::bfm::axi4::{split_bursts, DECERR, OKAY, SLVERR};
use ferronic_testbench::bfm::{
    Axi4Master, Axi4Memory, Axi4MemoryConfig, Axi4Monitor, ErrorRange, Pattern, SparseMemory,
};
use ferronic_testbench::scenarios::{bus_loopback, Backend};
use ferronic_testbench::{Tb, TbConfig};
use proptest::prelude::*;
use rand::Rng;

struct Case {
    seed: u64,
    ops: usize,
    memory: Axi4MemoryConfig,
    master_idle: Pattern,
    master_backpressure: Pattern,
}

/// Random writes and reads from 3 concurrent tasks (each its own ID); every read is
/// checked against a reference memory that every write also updates. Returns the memory
/// model's statistics.
fn run_random(backend: Backend, case: Case) -> anyhow::Result<ferronic_testbench::bfm::axi4::MemoryStats> {
    let stats = std::rc::Rc::new(std::cell::RefCell::new(Default::default()));
    let out = stats.clone();
    Tb::run(bus_loopback::axi4(backend)?, &TbConfig::new(case.seed), move |tb| async move {
        tb.reset(2).await?;
        Axi4Monitor::start(&tb, "s")?;
        Axi4Monitor::start(&tb, "m")?;
        let memory = Axi4Memory::start(&tb, "m", case.memory)?;
        let master = Axi4Master::start(&tb, "s", case.master_idle, case.master_backpressure)?;
        let reference = std::rc::Rc::new(std::cell::RefCell::new(SparseMemory::new()));
        let mut workers = Vec::new();
        for id in 0..3u64 {
            let (master, reference, mut rng) = (master.clone(), reference.clone(), tb.rng());
            // Each worker owns its own 64 KiB region, so concurrent order does not matter.
            let region = 0x1_0000_0000 + id * 0x10000;
            workers.push(tb.spawn(async move {
                for _ in 0..case.ops {
                    let len = rng.gen_range(1..3000usize);
                    let addr = region + rng.gen_range(0..(0x10000 - len as u64));
                    if rng.gen_bool(0.5) {
                        let data: Vec<u8> = (0..len).map(|_| rng.gen()).collect();
                        let resp = master.write(id, addr, &data).await;
                        anyhow::ensure!(resp == OKAY, "write {addr:#x}+{len} answered {resp}");
                        reference.borrow_mut().write(addr, &data);
                    } else {
                        let (data, resp) = master.read(id, addr, len).await;
                        anyhow::ensure!(resp == OKAY, "read {addr:#x}+{len} answered {resp}");
                        let want = reference.borrow().read(addr, len);
                        anyhow::ensure!(data == want, "read {addr:#x}+{len} differs from the reference");
                    }
                }
                Ok(())
            }));
        }
        for w in workers {
            tb.with_timeout(2_000_000, "the workers", w.join()).await?;
        }
        // The memory model holds exactly what the reference does.
        for id in 0..3u64 {
            let region = 0x1_0000_0000 + id * 0x10000;
            anyhow::ensure!(memory.memory.borrow().read(region, 0x10000) == reference.borrow().read(region, 0x10000));
        }
        *out.borrow_mut() = memory.stats.borrow().clone();
        Ok(())
    })?;
    let result = stats.borrow().clone();
    Ok(result)
}

#[test]
fn random_traffic_lands_byte_for_byte_under_the_pause_matrix() {
    let patterns = [
        (Pattern::Never, Pattern::Never, Pattern::Never),
        (Pattern::Random(0.5), Pattern::Never, Pattern::Random(0.3)),
        (Pattern::Never, Pattern::Random(0.6), Pattern::Never),
        (Pattern::Burst { on: 2, off: 5 }, Pattern::Burst { on: 3, off: 3 }, Pattern::Random(0.5)),
    ];
    for (i, (ready, idle, backpressure)) in patterns.into_iter().enumerate() {
        let memory = Axi4MemoryConfig {
            latency: 1 + 40 * i as u64,
            ready,
            response_idle: idle,
            reorder: true,
            errors: vec![],
            forbidden: vec![],
        };
        let case = Case { seed: i as u64, ops: 12, memory, master_idle: idle, master_backpressure: backpressure };
        let stats = run_random(Backend::Verilator, case).unwrap_or_else(|e| panic!("pattern {i}: {e:?}"));
        assert!(stats.read_bursts > 0 && stats.write_bursts > 0);
    }
}

#[test]
fn reads_of_different_ids_come_back_out_of_order() {
    let memory = Axi4MemoryConfig { latency: 30, reorder: true, ..Default::default() };
    let case = Case { seed: 11, ops: 20, memory, master_idle: Pattern::Never, master_backpressure: Pattern::Never };
    let stats = run_random(Backend::Verilator, case).unwrap();
    assert!(stats.reordered_reads > 0, "{stats:?}");
}

#[test]
fn the_rust_hdl_backend_runs_the_same_models() {
    let memory = Axi4MemoryConfig { latency: 5, ready: Pattern::Random(0.3), ..Default::default() };
    let case =
        Case { seed: 3, ops: 3, memory, master_idle: Pattern::Random(0.2), master_backpressure: Pattern::Random(0.2) };
    run_random(Backend::RustHdl, case).unwrap();
}

#[test]
fn error_ranges_answer_errors_and_write_nothing() {
    Tb::run(bus_loopback::axi4(Backend::Verilator).unwrap(), &TbConfig::new(5), |tb| async move {
        tb.reset(2).await?;
        Axi4Monitor::start(&tb, "m")?;
        let errors = vec![
            ErrorRange { range: 0x2000..0x2100, resp: SLVERR },
            ErrorRange { range: 0x9000..0xA000, resp: DECERR },
        ];
        let memory = Axi4Memory::start(&tb, "m", Axi4MemoryConfig { errors, ..Default::default() })?;
        let master = Axi4Master::start(&tb, "s", Pattern::Never, Pattern::Never)?;
        // A write that touches the SLVERR range in its second burst.
        let resp = master.write(1, 0x1F00, &[0xAA; 0x180]).await;
        anyhow::ensure!(resp == SLVERR, "write into an error range answered {resp}");
        anyhow::ensure!(memory.memory.borrow().read(0x2000, 0x80).iter().all(|&b| b == 0), "the failing burst wrote");
        let (data, resp) = master.read(2, 0x9100, 16).await;
        anyhow::ensure!(resp == DECERR && data.iter().all(|&b| b == 0), "read answered {resp} with {data:x?}");
        let (_, resp) = master.read(2, 0x3000, 16).await;
        anyhow::ensure!(resp == OKAY);
        anyhow::ensure!(memory.stats.borrow().error_responses == 2);
        Ok(())
    })
    .unwrap();
}

#[test]
fn the_monitor_catches_a_burst_across_4k() {
    let err = Tb::run(bus_loopback::axi4(Backend::Verilator).unwrap(), &TbConfig::new(1), |tb| async move {
        tb.reset(2).await?;
        Axi4Monitor::start(&tb, "s")?;
        let _memory = Axi4Memory::start(&tb, "m", Axi4MemoryConfig::default())?;
        // Hand-driven AW: 4 beats of 8 bytes from 0xFF0 run to 0x1010.
        let p = |n: &str| tb.port(n);
        let (valid, addr, len, size, burst) =
            (p("s_awvalid")?, p("s_awaddr")?, p("s_awlen")?, p("s_awsize")?, p("s_awburst")?);
        tb.set(addr, 0xFF0);
        tb.set(len, 3);
        tb.set(size, 3);
        tb.set(burst, 1);
        tb.set(valid, 1);
        tb.cycles(20).await;
        Ok(())
    })
    .unwrap_err();
    assert!(format!("{err:?}").contains("crosses a 4 KiB boundary"), "{err:?}");
}

#[test]
fn the_monitor_catches_a_payload_change_while_waiting() {
    let err = Tb::run(bus_loopback::axi4(Backend::Verilator).unwrap(), &TbConfig::new(1), |tb| async move {
        tb.reset(2).await?;
        Axi4Monitor::start(&tb, "s")?;
        // Nobody drives arready: the request waits, and the master changes its address.
        let (valid, addr) = (tb.port("s_arvalid")?, tb.port("s_araddr")?);
        tb.set(addr, 0x100);
        tb.set(valid, 1);
        tb.cycles(3).await;
        tb.set(addr, 0x200);
        tb.cycles(3).await;
        Ok(())
    })
    .unwrap_err();
    assert!(format!("{err:?}").contains("payload changed while valid && !ready"), "{err:?}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Burst splitting, checked against the rules it must follow (A3.4.1).
    #[test]
    fn bursts_cover_the_range_and_never_cross_4k(addr in 0u64..1 << 40, len in 1u64..70_000, beats in 1u64..=256) {
        let bursts = split_bursts(addr, len, 8, beats);
        prop_assert_eq!(bursts.first().unwrap().start, addr);
        prop_assert_eq!(bursts.last().unwrap().end, addr + len);
        for pair in bursts.windows(2) {
            prop_assert_eq!(pair[0].end, pair[1].start);
        }
        for b in &bursts {
            prop_assert!(b.start < b.end);
            prop_assert_eq!(b.start >> 12, (b.end - 1) >> 12);
            prop_assert!((b.end - (b.start & !7)).div_ceil(8) <= beats);
        }
    }
}
