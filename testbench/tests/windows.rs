//! The DMA windows on both backends against their model: a window set the way a PF driver
//! sets one and looked up, then random register writes (any dword, any byte strobes, also
//! past the table: DECERR, nothing changes), reads and lookups (also of functions past the
//! table: an empty window) on all three lookup ports under random idle and backpressure
//! on `s_axil_`.
use ferronic_hdl::regs::nic::{WINDOWS, WINDOW_BASE_HI, WINDOW_BASE_LO, WINDOW_LIMIT_HI, WINDOW_LIMIT_LO};
use ferronic_testbench::bfm::Pattern;
use ferronic_testbench::scenarios::windows::{build, run, WindowOp};
use ferronic_testbench::scenarios::Backend;
use ferronic_testbench::TbConfig;
use proptest::prelude::*;
mod common;
use common::pattern;

fn write(function: u32, register: &ferronic_hdl::regs::Register, data: u32) -> WindowOp {
    WindowOp::Write { offset: WINDOWS.address(function, register) as u64, data, strb: 0xF }
}

#[test]
fn a_window_set_by_the_driver_is_what_the_engines_look_up() {
    let ops = vec![
        WindowOp::Lookup { functions: [3, 2, 0, 1, 5, 4] },
        write(3, &WINDOW_BASE_LO, 0x0010_0000),
        write(3, &WINDOW_BASE_HI, 0x2),
        write(3, &WINDOW_LIMIT_LO, 0x001F_FFFF),
        write(3, &WINDOW_LIMIT_HI, 0x2),
        WindowOp::Lookup { functions: [3, 3, 4, 3, 3, 3] },
        WindowOp::Lookup { functions: [4, 4, 3, 4, 4, 3] },
        WindowOp::Read { offset: WINDOWS.address(3, &WINDOW_LIMIT_LO) as u64 },
        // Past the table: refused, and no window at all.
        write(32, &WINDOW_BASE_LO, 0),
        WindowOp::Read { offset: WINDOWS.address(40, &WINDOW_BASE_LO) as u64 },
        WindowOp::Lookup { functions: [32, 3, 3, 40, 33, 200] },
        WindowOp::Lookup { functions: [3, 34, 255, 3, 3, 3] },
        WindowOp::Lookup { functions: [31, 31, 31, 31, 31, 31] },
    ];
    for backend in Backend::ALL {
        run(build(backend).unwrap(), ops.clone(), Pattern::Never, Pattern::Never, &TbConfig::from_env("windows", 1))
            .unwrap_or_else(|e| panic!("{backend:?}: {e:?}"));
    }
}

/// Mostly functions in the table or just past it, some anywhere.
fn function() -> impl Strategy<Value = u8> {
    prop_oneof![0u8..36, any::<u8>()]
}

fn op() -> impl Strategy<Value = WindowOp> {
    // Functions a little past the table, every dword, any strobes.
    let offset = (0u32..36, 0u32..4).prop_map(|(f, d)| (WINDOWS.base + f * WINDOWS.stride + 4 * d) as u64);
    prop_oneof![
        (offset.clone(), any::<u32>(), 0u8..16).prop_map(|(offset, data, strb)| WindowOp::Write { offset, data, strb }),
        offset.prop_map(|offset| WindowOp::Read { offset }),
        [function(), function(), function(), function(), function(), function()]
            .prop_map(|functions| WindowOp::Lookup { functions }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]
    #[test]
    fn random_accesses_and_lookups_match_the_model(
        ops in prop::collection::vec(op(), 1..120),
        idle in pattern(0.7),
        backpressure in pattern(0.7),
        seed in any::<u64>(),
    ) {
        let result = run(build(Backend::Verilator).unwrap(), ops, idle, backpressure, &TbConfig::from_env("windows", seed));
        prop_assert!(result.is_ok(), "{:?}", result.err());
    }
}

#[test]
fn the_native_port_list_of_the_windows_matches_their_ports() {
    ferronic_sim::native::NativeSim::new(ferronic_hdl::windows::DmaWindows::default()).unwrap();
}
