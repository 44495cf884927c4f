//! The two simulator backends agree cycle for cycle on a real block, and the Verilator
//! model cache is safe when several builds race.
use ferronic_hdl::stream_fifo::FifoFault;
use ferronic_sim::Simulator;
use ferronic_testbench::scenarios::stream_fifo::build;
use ferronic_testbench::scenarios::Backend;
use rand::{Rng, SeedableRng};

/// Drives both backends with the same random inputs (`input` picks each value) and
/// compares every output every cycle.
fn agree_cycle_for_cycle(
    mut verilator: Box<dyn Simulator>,
    mut native: Box<dyn Simulator>,
    cycles: u64,
    mut input: impl FnMut(&str, u64, &mut rand::rngs::SmallRng) -> u64,
) {
    let ports = verilator.ports().to_vec();
    assert_eq!(ports, native.ports().to_vec(), "the backends list different ports");
    let ids: Vec<_> = ports.iter().map(|p| verilator.port(&p.name).unwrap()).collect();
    let mut rng = rand::rngs::SmallRng::seed_from_u64(5);
    for cycle in 0..cycles {
        for (spec, &id) in ports.iter().zip(&ids) {
            if spec.dir == ferronic_sim::PortDir::Input && spec.name != "clk" {
                let value = input(&spec.name, cycle, &mut rng);
                verilator.set(id, value);
                native.set(id, value);
            }
        }
        for (spec, &id) in ports.iter().zip(&ids) {
            let (v, n) = (verilator.get(id), native.get(id));
            assert_eq!(v, n, "cycle {cycle}: {} is {v:#x} on Verilator, {n:#x} on rust-hdl", spec.name);
        }
        verilator.tick();
        native.tick();
    }
}

#[test]
fn verilator_and_rust_hdl_agree_on_every_output_every_cycle() {
    let verilator = build(Backend::Verilator, FifoFault::None).unwrap();
    let native = build(Backend::RustHdl, FifoFault::None).unwrap();
    // Reset now and then; otherwise random values on every input.
    agree_cycle_for_cycle(verilator, native, 3000, |name, cycle, rng| {
        if name == "rst" {
            (cycle < 2 || rng.gen_ratio(1, 500)) as u64
        } else {
            rng.gen()
        }
    });
}

#[test]
fn the_config_space_emulator_agrees_on_both_backends() {
    use ferronic_testbench::scenarios::cfgspace;
    let images = ferronic_hdl::cfgspace::profile::load_profile("ferronic-nic").unwrap().build().unwrap();
    let verilator = cfgspace::build(Backend::Verilator, &images, 16).unwrap();
    let native = cfgspace::build(Backend::RustHdl, &images, 16).unwrap();
    agree_cycle_for_cycle(verilator, native, 12_000, |name, cycle, rng| match name {
        "rst" => (cycle < 2) as u64,
        // Mostly the PF and the first VFs, mostly implemented registers, the SR-IOV
        // control and NumVFs registers often, so VFs come and go and resets run.
        "cfg_function" => [0, 0, 1, 2, 3, rng.gen_range(0..32)][rng.gen_range(0..6)],
        "cfg_register" => [0x42, 0x44, 1, 23, rng.gen_range(0..128), rng.gen_range(0..1024)][rng.gen_range(0..6)],
        "cfg_write_data" => [0b1001, 4, 0x8000, rng.gen()][rng.gen_range(0..4)],
        "mgmt_write" | "mgmt_reset_all" => rng.gen_ratio(1, 2000) as u64,
        _ => rng.gen(),
    });
}

#[test]
fn parallel_builds_of_one_model_share_the_cache_safely() {
    use ferronic_hdl::export::export_block;
    use ferronic_hdl::stream_fifo::StreamFifo64x16;
    use ferronic_sim::verilator::VerilatedModel;
    let root = std::env::temp_dir().join(format!("ferronic-cache-race-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let block = export_block("stream_fifo", &mut StreamFifo64x16::default()).unwrap();
    let handles: Vec<_> = (0..3)
        .map(|_| {
            let (block, root) = (block.clone(), root.clone());
            std::thread::spawn(move || {
                let model = VerilatedModel::build_in(&block, &root).map_err(|e| e.to_string())?;
                let mut sim = model.instantiate().map_err(|e| e.to_string())?;
                let tready = sim.port("s_axis_tready").map_err(|e| e.to_string())?;
                sim.tick();
                Ok::<u64, String>(sim.get(tready))
            })
        })
        .collect();
    for h in handles {
        assert_eq!(h.join().unwrap().unwrap(), 1, "an empty FIFO is ready");
    }
    // One finished model, its build lock, and no leftover build folders.
    let entries: Vec<String> =
        std::fs::read_dir(&root).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    let models = entries.iter().filter(|e| !e.ends_with(".lock")).count();
    assert_eq!((models, entries.len()), (1, 2), "cache holds {entries:?}");
    let _ = std::fs::remove_dir_all(&root);
}
