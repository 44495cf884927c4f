//! The RSS indirection table on both backends against its model: the default table after
//! reset, a table written the way a driver spreads queues, then random register writes (any
//! entry, data and byte strobes, also past the table and outside its region: DECERR, nothing
//! changes), reads and lookups under random idle and backpressure on `s_axil_`.
use ferronic_hdl::regs::nic::{RSS, RSS_END, RSS_QUEUE};
use ferronic_testbench::bfm::Pattern;
use ferronic_testbench::scenarios::rss_table::{build, run, RssOp};
use ferronic_testbench::scenarios::Backend;
use ferronic_testbench::TbConfig;
use proptest::prelude::*;
mod common;
use common::pattern;

fn entry(n: u32) -> u64 {
    RSS.address(n, &RSS_QUEUE) as u64
}

#[test]
fn the_table_a_driver_writes_is_what_the_rx_engine_looks_up() {
    let mut ops: Vec<RssOp> = (0..128).step_by(9).map(|i| RssOp::Lookup { index: i }).collect();
    // Queues 2 and 5 only, as a driver giving RSS two queues would.
    ops.extend((0..128).map(|n| RssOp::Write { offset: entry(n), data: if n % 2 == 0 { 2 } else { 5 }, strb: 0xF }));
    ops.extend((0..128).step_by(5).map(|i| RssOp::Lookup { index: i }));
    ops.extend([
        RssOp::Read { offset: entry(127) },
        // Bits past the field, strobes without byte 0, past the table, off the region.
        RssOp::Write { offset: entry(3), data: 0xFFFF_FFF8, strb: 0xF },
        RssOp::Write { offset: entry(4), data: 7, strb: 0xE },
        RssOp::Write { offset: entry(128), data: 1, strb: 0xF },
        RssOp::Read { offset: RSS_END as u64 - 4 },
        RssOp::Read { offset: entry(3) },
        RssOp::Read { offset: entry(4) },
        RssOp::Lookup { index: 3 },
        RssOp::Lookup { index: 4 },
        RssOp::Lookup { index: 0 },
    ]);
    for backend in Backend::ALL {
        run(build(backend).unwrap(), ops.clone(), Pattern::Never, Pattern::Never, &TbConfig::from_env("rss_table", 1))
            .unwrap_or_else(|e| panic!("{backend:?}: {e:?}"));
    }
}

fn op() -> impl Strategy<Value = RssOp> {
    // Mostly entries of the table, some past it up to the region's end, some just outside.
    let offset = prop_oneof![
        4 => (0u32..128).prop_map(entry),
        1 => (128u32..512).prop_map(entry),
        1 => prop_oneof![Just(RSS.base as u64 - 4), Just(RSS_END as u64)],
    ];
    prop_oneof![
        (offset.clone(), any::<u32>(), 0u8..16).prop_map(|(offset, data, strb)| RssOp::Write { offset, data, strb }),
        offset.prop_map(|offset| RssOp::Read { offset }),
        (0u8..128).prop_map(|index| RssOp::Lookup { index }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]
    #[test]
    fn random_accesses_and_lookups_match_the_model(
        ops in prop::collection::vec(op(), 1..150),
        idle in pattern(0.7),
        backpressure in pattern(0.7),
        seed in any::<u64>(),
    ) {
        let result = run(build(Backend::Verilator).unwrap(), ops, idle, backpressure, &TbConfig::from_env("rss_table", seed));
        prop_assert!(result.is_ok(), "{:?}", result.err());
    }
}

#[test]
fn the_native_port_list_of_the_rss_table_matches_its_ports() {
    ferronic_sim::native::NativeSim::new(ferronic_hdl::rss::RssTable::default()).unwrap();
}
