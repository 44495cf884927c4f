//! The RDMA registers on both backends, against the register map: field writes with byte
//! strobes, commands issued and answered, writes refused while a command is busy,
//! read-only and unmapped registers, under idle and backpressure on `s_axil_`.
use ferronic_testbench::bfm::Pattern;
use ferronic_testbench::scenarios::rdma_registers::{build, run};
use ferronic_testbench::scenarios::Backend;
use ferronic_testbench::TbConfig;

#[test]
fn registers_commands_and_refusals_behave_as_the_map_says_on_both_backends() {
    let patterns = [(Pattern::Never, Pattern::Never), (Pattern::Random(0.4), Pattern::Random(0.5))];
    for backend in Backend::ALL {
        for (i, (idle, backpressure)) in patterns.into_iter().enumerate() {
            let seed = 90 + i as u64;
            run(build(backend).unwrap(), 6, idle, backpressure, &TbConfig::from_env("rdma_registers", seed))
                .unwrap_or_else(|e| panic!("{backend:?} {idle:?}/{backpressure:?}: {e:?}"));
        }
    }
}

#[test]
fn the_native_port_list_of_the_rdma_registers_matches_their_ports() {
    ferronic_sim::native::NativeSim::new(ferronic_hdl::rdma::registers::RdmaRegisters::default()).unwrap();
}
