//! The configuration-space emulator against the reference model: random request streams
//! over every function with random byte enables, an OS-style enumeration, Function Level
//! Reset, a run-time profile swap, the access log under backpressure and overflow.
use ferronic_hdl::cfgspace::profile::{
    load_profile, DeviceImages, ExtendedCapability, PCI_SRIOV_CTRL, PCI_SRIOV_NUM_VF,
};
use ferronic_testbench::bfm::Pattern;
use ferronic_testbench::models::cfgspace::CfgSpaceModel;
use ferronic_testbench::scenarios::cfgspace::{self, run_sequence, Request};
use ferronic_testbench::scenarios::Backend;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
mod common;
use common::pattern;

fn nic() -> DeviceImages {
    load_profile("ferronic-nic").unwrap().build().unwrap()
}

/// The NIC with error bits already set in its Status register (as hardware would after a
/// master abort): random writes must clear exactly the RW1C bits written with 1.
fn nic_with_errors_latched() -> DeviceImages {
    let mut profile = load_profile("ferronic-nic").unwrap();
    profile.overrides.push(ferronic_hdl::cfgspace::profile::Override {
        offset: 0x06,
        data: vec![0x10, 0xF9],
        wmask: vec![0, 0],
        w1cmask: vec![0x00, 0xF9],
    });
    profile.build().unwrap()
}

/// Dword index of a byte offset.
fn dw(offset: usize) -> usize {
    offset / 4
}

fn sriov_offset(images: &DeviceImages) -> usize {
    images.sriov.unwrap().offset
}

/// Requests that enable `n` VFs the way an OS does: NumVFs, then VF Enable + VF MSE.
fn enable_vfs(images: &DeviceImages, n: u16) -> Vec<Request> {
    let s = sriov_offset(images);
    vec![
        Request::Write { function: 0, register: dw(s + PCI_SRIOV_NUM_VF), byte_enable: 0b0011, data: n as u32 },
        Request::Write { function: 0, register: dw(s + PCI_SRIOV_CTRL), byte_enable: 0b0011, data: 0b1001 },
    ]
}

fn run(
    backend: Backend,
    images: DeviceImages,
    max_vfs: usize,
    requests: Vec<Request>,
    idle: Pattern,
    log: Pattern,
    seed: u64,
) -> anyhow::Result<()> {
    let model_images = images.clone();
    cfgspace::with_emulator(backend, &images, max_vfs, seed, move |tb, driver| async move {
        let mut model = CfgSpaceModel::new(model_images, max_vfs);
        run_sequence(&tb, &driver, &mut model, &requests, idle, log).await?;
        Ok(())
    })
}

/// A register number weighted toward the implemented and interesting ones.
fn register() -> impl Strategy<Value = usize> {
    prop_oneof![
        4 => 0usize..16,        // type 0 header
        4 => 16usize..64,       // capabilities
        3 => 64usize..82,       // SR-IOV and ARI
        1 => 82usize..1024,     // unimplemented: reads 0, writes ignored
    ]
}

fn request(max_function: usize) -> impl Strategy<Value = Request> {
    prop_oneof![
        (0..=max_function, register()).prop_map(|(function, register)| Request::Read { function, register }),
        (0..=max_function, register(), 0u8..16, any::<u32>()).prop_map(|(function, register, byte_enable, data)| {
            Request::Write { function, register, byte_enable, data }
        }),
        // All-ones writes: BAR sizing, RW1C clears.
        (0..=max_function, register(), 0u8..16).prop_map(|(function, register, byte_enable)| Request::Write {
            function,
            register,
            byte_enable,
            data: !0
        }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn random_accesses_over_all_functions_match_the_model(
        vfs in 0u16..=18,
        body in prop::collection::vec(request(18), 1..250),
        idle in pattern(0.9),
        log in pattern(0.9),
        seed in any::<u64>(),
    ) {
        let images = nic_with_errors_latched();
        let mut requests = enable_vfs(&images, vfs);
        requests.extend(body);
        let result = run(Backend::Verilator, images, 16, requests, idle, log, seed);
        prop_assert!(result.is_ok(), "{:?}", result.err());
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    /// A write is stored a cycle after its response, and a read can miss the writes of the
    /// three requests ahead of it: streams on two dwords of two functions, with gaps of 0-3
    /// cycles, hit each forwarding distance many times.
    #[test]
    fn back_to_back_accesses_to_one_dword_see_every_earlier_write(
        body in prop::collection::vec(
            (0usize..=1, prop::sample::select(vec![1usize, 4]), any::<bool>(), 0u8..16, any::<u32>()),
            1..200,
        ),
        idle in pattern(0.9),
        seed in any::<u64>(),
    ) {
        let images = nic_with_errors_latched();
        let mut requests = enable_vfs(&images, 1);
        requests.extend(body.into_iter().map(|(function, register, write, byte_enable, data)| {
            if write {
                Request::Write { function, register, byte_enable, data }
            } else {
                Request::Read { function, register }
            }
        }));
        let result = run(Backend::Verilator, images, 16, requests, idle, Pattern::Never, seed);
        prop_assert!(result.is_ok(), "{:?}", result.err());
    }
}

#[test]
fn random_accesses_match_on_the_rust_hdl_backend_too() {
    let images = nic();
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let body = prop::collection::vec(request(6), 120).new_tree(&mut runner).unwrap().current();
    let mut requests = enable_vfs(&images, 4);
    requests.extend(body);
    run(Backend::RustHdl, images, 16, requests, Pattern::Random(0.3), Pattern::Random(0.3), 4).unwrap();
}

#[test]
fn a_flr_in_a_random_stream_restores_the_function() {
    let images = nic();
    let vf_devctl = dw(images.vf_pcie_offset.unwrap() + 8);
    let mut requests = enable_vfs(&images, 3);
    requests.extend([
        // Dirty VF 2: bus master, interrupt line is not there for VFs, MSI-X enable.
        Request::Write { function: 2, register: 1, byte_enable: 0xF, data: 0x4 },
        Request::Write { function: 2, register: dw(0x40), byte_enable: 0xC, data: 0xC000_0000 },
        Request::Read { function: 2, register: 1 },
        // FLR it, then read everything back.
        Request::Write { function: 2, register: vf_devctl, byte_enable: 0b0010, data: 0x8000 },
        Request::Read { function: 2, register: 1 },
        Request::Read { function: 2, register: dw(0x40) },
        Request::Read { function: 1, register: 0 },
    ]);
    run(Backend::Verilator, images, 16, requests, Pattern::Never, Pattern::Never, 9).unwrap();
}

#[test]
fn an_os_enumerates_sizes_bars_enables_vfs_and_resets_one() {
    let images = nic();
    cfgspace::with_emulator(Backend::Verilator, &images, 16, 1, move |_tb, cfg| async move {
        // During the reset after `rst`, requests are answered with retry: wait it out.
        let id = cfg.read(0, 0).await?;
        anyhow::ensure!(id.data == 0xEC20_1D0F && !id.unsupported && !id.retry, "PF ID {id:x?}");
        // Size BAR0 (32-bit, 16 KiB) and BAR2/3 (64-bit, 1 MiB), restoring afterwards.
        cfg.write(0, dw(0x10), 0xF, !0).await?;
        let size0 = !(cfg.read(0, dw(0x10)).await?.data & !0xF) + 1;
        anyhow::ensure!(size0 == 0x4000, "BAR0 sized {size0:#x}");
        cfg.write(0, dw(0x18), 0xF, !0).await?;
        cfg.write(0, dw(0x1C), 0xF, !0).await?;
        let (lo, hi) = (cfg.read(0, dw(0x18)).await?.data, cfg.read(0, dw(0x1C)).await?.data);
        let size2 = !(((hi as u64) << 32) | (lo & !0xF) as u64) + 1;
        anyhow::ensure!(size2 == 0x10_0000 && lo & 0xF == 0xC, "BAR2 sized {size2:#x}, flags {:#x}", lo & 0xF);
        cfg.write(0, dw(0x10), 0xF, 0xF000_0000).await?;
        anyhow::ensure!(cfg.read(0, dw(0x10)).await?.data == 0xF000_0000);
        // Walk the capability list and the extended list.
        let mut at = cfg.read(0, dw(0x34)).await?.data as usize & 0xFF;
        let mut ids = Vec::new();
        while at != 0 {
            let header = cfg.read(0, dw(at)).await?.data;
            ids.push(header & 0xFF);
            at = (header >> 8) as usize & 0xFF;
        }
        anyhow::ensure!(ids == [0x01, 0x11, 0x10], "capabilities {ids:x?}");
        let sriov = cfg.read(0, dw(0x100)).await?.data;
        anyhow::ensure!(sriov & 0xFFFF == 0x10 && sriov >> 20 == 0x140, "SR-IOV header {sriov:#x}");
        // No VFs yet: VF 1 is an unsupported request.
        anyhow::ensure!(cfg.read(1, 0).await?.unsupported);
        // Enable 4 VFs; VF Device ID and VF BAR sizing through the PF's capability.
        cfg.write(0, dw(0x110), 0b0011, 4).await?;
        cfg.write(0, dw(0x108), 0b0011, 0b1001).await?;
        cfg.wait_idle(100_000).await?;
        anyhow::ensure!(cfg.read(0, dw(0x118)).await?.data >> 16 == 0xEC21, "VF device ID");
        cfg.write(0, dw(0x124), 0xF, !0).await?;
        let vf_bar0 = !(cfg.read(0, dw(0x124)).await?.data & !0xF) + 1;
        anyhow::ensure!(vf_bar0 == 0x4000, "VF BAR0 sized {vf_bar0:#x}");
        for vf in 1..=4 {
            let r = cfg.read(vf, 0).await?;
            anyhow::ensure!(r.data == 0xFFFF_FFFF && !r.unsupported, "VF {vf} ID {r:x?}");
        }
        anyhow::ensure!(cfg.read(5, 0).await?.unsupported, "VF 5 must not exist with NumVFs 4");
        // Function Level Reset of VF 3: retry while it runs, defaults afterwards.
        cfg.write(3, 1, 0x1, 0x4).await?; // bus master on
        anyhow::ensure!(cfg.read(3, 1).await?.data & 0x4 == 0x4);
        let devctl = dw(images.vf_pcie_offset.unwrap() + 8);
        cfg.write(3, devctl, 0b0010, 0x8000).await?;
        let during = cfg.read(3, 1).await?;
        anyhow::ensure!(during.retry && !during.unsupported, "VF 3 during FLR answered {during:x?}");
        let other = cfg.read(2, 0).await?;
        anyhow::ensure!(!other.retry, "VF 2 must answer during VF 3's FLR");
        cfg.wait_idle(100_000).await?;
        anyhow::ensure!(cfg.read(3, 1).await?.data & 0x4 == 0, "FLR did not clear bus master");
        // Command/Status: RW1C bits clear only where written with 1; IDs are read-only.
        cfg.write(0, 0, 0xF, 0x1234_5678).await?;
        anyhow::ensure!(cfg.read(0, 0).await?.data == 0xEC20_1D0F, "a write to the read-only IDs landed");
        // NumVFs written while VF Enable is set (undefined in SR-IOV 3.3.10): the register
        // takes it, the VFs in effect stay those enabled until VF Enable is set again.
        cfg.write(0, dw(0x110), 0b0011, 8).await?;
        anyhow::ensure!(cfg.read(0, dw(0x110)).await?.data & 0xFFFF == 8, "NumVFs reads what was written");
        anyhow::ensure!(cfg.read(5, 0).await?.unsupported, "VF 5 appeared without VF Enable being set again");
        cfg.write(0, dw(0x108), 0b0011, 0).await?;
        cfg.write(0, dw(0x108), 0b0011, 0b1001).await?;
        cfg.wait_idle(100_000).await?;
        anyhow::ensure!(!cfg.read(8, 0).await?.unsupported, "VF 8 must exist after VF Enable with NumVFs 8");
        anyhow::ensure!(cfg.read(9, 0).await?.unsupported, "VF 9 must not exist with NumVFs 8");
        Ok(())
    })
    .unwrap();
}

#[test]
fn responses_come_three_cycles_after_their_request_one_per_cycle() {
    let images = nic();
    cfgspace::with_emulator(Backend::Verilator, &images, 16, 1, move |tb, cfg| async move {
        let done = tb.port("cfg_done")?;
        tb.drive_phase().await;
        let start = tb.cycle();
        let watch = tb.clone();
        let watcher = tb.spawn(async move {
            let mut seen = Vec::new();
            for _ in 0..24 {
                watch.read_only().await;
                if watch.get(done) != 0 {
                    seen.push(watch.cycle() - start);
                }
            }
            Ok(seen)
        });
        for r in 0..16 {
            cfg.issue(Request::Read { function: 0, register: r }).await;
        }
        let seen = watcher.join().await;
        cfg.take_responses();
        // Request n goes in at cycle n; its response is visible at cycle n + 3.
        let want: Vec<u64> = (3..19).collect();
        anyhow::ensure!(seen == want, "responses at {seen:?}");
        Ok(())
    })
    .unwrap();
}

#[test]
fn a_profile_swap_at_run_time_changes_the_device_type() {
    let nic = nic();
    let nvme = load_profile("nvme").unwrap().build().unwrap();
    cfgspace::with_emulator(Backend::Verilator, &nic, 16, 1, move |tb, cfg| async move {
        anyhow::ensure!(cfg.read(0, 2).await?.data >> 8 == 0x020000, "starts as a NIC");
        cfgspace::load_profile(&tb, &nvme).await?;
        let id = cfg.read(0, 0).await?.data;
        let class = cfg.read(0, 2).await?.data >> 8;
        anyhow::ensure!(id == 0x0010_1B36 && class == 0x010802, "after the swap: ID {id:#x}, class {class:#x}");
        // No SR-IOV on NVMe: the old SR-IOV registers are gone, VFs cannot be enabled.
        anyhow::ensure!(cfg.read(0, dw(0x100)).await?.data == 0);
        cfg.write(0, dw(0x108), 0b0011, 1).await?;
        anyhow::ensure!(cfg.read(1, 0).await?.unsupported);
        // And back: a model of the swapped device matches every dword of the PF.
        let model = CfgSpaceModel::new(nvme, 16);
        for register in 0..128 {
            let got = cfg.read(0, register).await?.data;
            let want = model.read(0, register).1;
            anyhow::ensure!(got == want, "NVMe dword {register:#x}: {got:#x}, the model says {want:#x}");
        }
        Ok(())
    })
    .unwrap();
}

#[test]
fn a_full_log_counts_what_it_drops() {
    let images = nic();
    cfgspace::with_emulator(Backend::Verilator, &images, 16, 1, move |tb, cfg| async move {
        // Nobody drains the log: 512 records fit, the rest are counted.
        let (count, dropped, ready) = (tb.port("log_count")?, tb.port("log_dropped")?, tb.input("log_ready")?);
        tb.set(ready, 0);
        for i in 0..600 {
            cfg.issue(Request::Read { function: 0, register: i % 64 }).await;
        }
        tb.cycles(4).await;
        let (held, lost) = (tb.get(count), tb.get(dropped));
        anyhow::ensure!(held == 512 && lost == 600 - 512, "log holds {held}, dropped {lost}");
        Ok(())
    })
    .unwrap();
}

#[test]
fn the_64_vf_build_serves_its_last_vf() {
    let mut profile = load_profile("ferronic-nic").unwrap();
    for cap in &mut profile.extended_capabilities {
        if let ExtendedCapability::Sriov { total_vfs, initial_vfs, .. } = cap {
            *total_vfs = 64;
            *initial_vfs = 64;
        }
    }
    let images = profile.build().unwrap();
    let mut requests = enable_vfs(&images, 64);
    requests.extend([
        Request::Read { function: 64, register: 0 },
        Request::Write { function: 64, register: 1, byte_enable: 1, data: 4 },
        Request::Read { function: 64, register: 1 },
        Request::Read { function: 63, register: 1 },
        Request::Read { function: 65, register: 0 },
    ]);
    run(Backend::Verilator, images, 64, requests, Pattern::Never, Pattern::Never, 2).unwrap();
}

/// A reset shows from the very next request: an FLR and a VF Enable followed without a
/// gap by requests to the function being reset (retry) and to one that is not (served).
#[test]
fn requests_right_behind_a_reset_see_it() {
    let images = nic();
    let vf_devctl = dw(images.vf_pcie_offset.unwrap() + 8);
    let sriov_ctrl = dw(sriov_offset(&images) + PCI_SRIOV_CTRL);
    let enable = enable_vfs(&images, 3);
    cfgspace::with_emulator(Backend::Verilator, &images, 16, 3, move |_tb, cfg| async move {
        for request in enable {
            cfg.request(request).await?;
        }
        cfg.wait_idle(100_000).await?;
        cfg.take_responses();
        let back_to_back = [
            Request::Write { function: 2, register: vf_devctl, byte_enable: 0b0010, data: 0x8000 },
            Request::Read { function: 2, register: 0 },
            Request::Read { function: 1, register: 0 },
            Request::Read { function: 2, register: 1 },
        ];
        for request in back_to_back {
            cfg.issue(request).await;
        }
        cfg.wait_idle(100_000).await?;
        let got = cfg.take_responses();
        let retried: Vec<bool> = got.iter().map(|r| r.retry).collect();
        anyhow::ensure!(retried == [false, true, false, true], "FLR of VF 2 then VF 2, 1, 2: {got:x?}");
        // VF Enable off and on again: every VF is reset from the next cycle on.
        cfg.write(0, sriov_ctrl, 0b0011, 0).await?;
        cfg.take_responses();
        for request in [
            Request::Write { function: 0, register: sriov_ctrl, byte_enable: 0b0011, data: 0b1001 },
            Request::Read { function: 3, register: 0 },
            Request::Read { function: 0, register: 0 },
        ] {
            cfg.issue(request).await;
        }
        cfg.wait_idle(100_000).await?;
        let got = cfg.take_responses();
        let retried: Vec<bool> = got.iter().map(|r| r.retry).collect();
        anyhow::ensure!(retried == [false, true, false], "VF Enable then VF 3, PF: {got:x?}");
        Ok(())
    })
    .unwrap();
}
