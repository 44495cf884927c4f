//! The completion poster alone, on both backends, as TX and as RX configure it: every
//! outcome in order as the queue manager's answers and the windows say, under random
//! requests, grants, answer latencies, other requesters' answers and pops; refused posts
//! and entries outside the window among them.
use ferronic_hdl::queue::poster::{RX_COMPLETIONS, TX_COMPLETIONS};
use ferronic_testbench::scenarios::completion_poster::{build, run, PosterRun};
use ferronic_testbench::scenarios::Backend;
use ferronic_testbench::TbConfig;

#[test]
fn outcomes_follow_the_answers_and_the_windows_in_order_on_both_backends() {
    // Requests faster than the posts (the request queue fills), pops slower (the outcome
    // queue fills), and everything at once.
    let runs = [(0.5, 0.6, 0.2), (0.1, 0.3, 0.9), (1.0, 1.0, 1.0)];
    for backend in Backend::ALL {
        for (i, (request_rate, grant_rate, pop_rate)) in runs.into_iter().enumerate() {
            let rings = [TX_COMPLETIONS, RX_COMPLETIONS][i % 2];
            let setup = PosterRun { rings, requests: 150, request_rate, grant_rate, pop_rate, refuse_rate: 0.2 };
            let config = TbConfig::from_env("completion_poster", 90 + i as u64);
            let report = run(build(backend, rings).unwrap(), setup, &config)
                .unwrap_or_else(|e| panic!("{backend:?} run {i} ({rings:?}): {e:?}"));
            assert!(
                report.written > 10 && report.refused > 10 && report.outside > 10,
                "{backend:?} run {i} ({rings:?}): {report:?}"
            );
        }
    }
}
