//! The NIC's BAR0 splits (the RDMA registers' 2 KiB region, the tables' 4 KiB one) on both
//! backends: concurrent writes and reads over all of BAR0 reach the target their address
//! names and only it, with its responses, under idle, backpressure, target latency and
//! targets that take AW and W in different cycles.
use ferronic_testbench::bfm::Pattern;
use ferronic_testbench::scenarios::axil_split::{build, run, Split, SplitRun};
use ferronic_testbench::scenarios::Backend;
use ferronic_testbench::TbConfig;

#[test]
fn accesses_reach_the_target_their_address_names_on_both_backends() {
    let cases = [
        (Pattern::Never, Pattern::Never, [Pattern::Never, Pattern::Never], [1, 1]),
        (Pattern::Random(0.3), Pattern::Random(0.4), [Pattern::Random(0.5), Pattern::Random(0.3)], [3, 9]),
        (Pattern::Never, Pattern::Random(0.7), [Pattern::Burst { on: 2, off: 5 }, Pattern::Random(0.6)], [12, 0]),
    ];
    for split in Split::ALL {
        for backend in Backend::ALL {
            for (i, (idle, backpressure, ready, latency)) in cases.into_iter().enumerate() {
                let setup = SplitRun { split, writes: 150, reads: 150, idle, backpressure, ready, latency };
                let seed = 110 + i as u64;
                run(build(backend, split).unwrap(), setup, &TbConfig::from_env("axil_split", seed))
                    .unwrap_or_else(|e| panic!("{split:?} {backend:?} case {i}: {e:?}"));
            }
        }
    }
}
