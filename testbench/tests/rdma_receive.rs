//! The RDMA receive path end to end: frames in, payload in host memory, everything else on
//! the software path with its reason, completions and write failures in order — against
//! the placement model, under random idle, backpressure and memory latency, with error
//! ranges in host memory, on both backends.
use ferronic_hdl::rdma::decide::{
    REASON_NOT_OFFLOADED, REASON_NO_TRANSACTION, REASON_OUT_OF_WINDOW, REASON_UNKNOWN_QP,
};
use ferronic_hdl::rdma::receive::PASS_NOT_ROCE;
use ferronic_testbench::bfm::{Axi4MemoryConfig, Pattern};
use ferronic_testbench::scenarios::rdma_receive::{build, long_message_traffic, random_traffic, run, ReceiveRun};
use ferronic_testbench::scenarios::Backend;
use ferronic_testbench::TbConfig;
use proptest::prelude::*;

#[test]
fn random_traffic_lands_as_the_model_places_it_on_both_backends() {
    let quiet = (Pattern::Never, Pattern::Never, Axi4MemoryConfig::default());
    let busy = (
        Pattern::Random(0.3),
        Pattern::Random(0.4),
        Axi4MemoryConfig {
            latency: 100,
            ready: Pattern::Random(0.3),
            response_idle: Pattern::Random(0.2),
            ..Default::default()
        },
    );
    for backend in Backend::ALL {
        for (i, (idle, backpressure, memory)) in [quiet.clone(), busy.clone()].into_iter().enumerate() {
            let seed = 50 + i as u64;
            let messages = if backend == Backend::RustHdl { 6 } else { 150 };
            let (ops, errors) = random_traffic(messages, seed);
            let setup = ReceiveRun::new(ops, Axi4MemoryConfig { errors, ..memory }, idle, backpressure);
            let config = TbConfig::from_env("rdma_receive", seed);
            let report =
                run(build(backend).unwrap(), setup, &config).unwrap_or_else(|e| panic!("{backend:?} case {i}: {e:?}"));
            if backend == Backend::Verilator {
                // The mix must reach every outcome, or the test proves less than it says.
                let r = &report;
                assert!(r.placed > 0 && r.duplicates > 0 && r.completions > 0, "{}", r.summary());
                // ACKs for completed messages and for AckReq; the sender keeps up unless the
                // output stalls.
                assert!(r.acks.len() as u64 > r.completions && r.ack_drops == 0, "{}", r.summary());
                assert!(r.write_failures > 0 && r.mac_errors > 0 && r.dropped_bad > r.mac_errors, "{}", r.summary());
                for reason in [PASS_NOT_ROCE, REASON_UNKNOWN_QP, REASON_NO_TRANSACTION, REASON_NOT_OFFLOADED] {
                    assert!(r.passed[reason as usize] > 0, "reason {reason} never seen: {}", r.summary());
                }
            }
        }
    }
}

/// A 1 MiB message at 4096-byte MTU (256 packets) and a 96 KiB one at 256 bytes (384
/// packets, the window sliding six times over), reordered, duplicated, lost and partly
/// early beyond the window, then the missing packets resent: the whole message lands byte
/// for byte and completes once, with its immediate data.
#[test]
fn long_messages_land_whole_through_loss_reordering_and_early_packets() {
    for (bytes, mtu, seed) in [(1 << 20, 4096, 70u64), (96 << 10, 256, 71)] {
        let ops = long_message_traffic(bytes, mtu, seed);
        let memory = Axi4MemoryConfig { latency: 200, ready: Pattern::Random(0.1), ..Default::default() };
        let setup = ReceiveRun::new(ops, memory, Pattern::Random(0.1), Pattern::Random(0.2));
        let config = TbConfig::from_env("rdma_receive_long", seed);
        let r = run(build(Backend::Verilator).unwrap(), setup, &config)
            .unwrap_or_else(|e| panic!("{bytes} bytes at MTU {mtu}: {e:?}"));
        assert_eq!(r.completions, 1, "{bytes} bytes at MTU {mtu}: {}", r.summary());
        // The last ACK covers the whole message (MSN 1); any before it (the last packet
        // asks for one, and may come early or twice) covers less or the same.
        let last = r.acks.last().unwrap_or_else(|| panic!("no ACK: {}", r.summary()));
        assert_eq!(last.msn, 1, "{:x?}", r.acks);
        assert!(r.acks.iter().all(|a| a.psn == last.psn || a.msn == 0), "{:x?}", r.acks);
        assert_eq!(r.payload_bytes, bytes as u64);
        assert!(r.duplicates > 0 && r.passed[REASON_OUT_OF_WINDOW as usize] > 0, "{}", r.summary());
    }
}

/// Frames longer than the frame store (16 KiB) are cut there and flagged bad, the rest of
/// each discarded: a 20000-byte frame of other traffic goes to software cut and flagged, a
/// 17000-byte RoCEv2 WRITE is dropped (cut short), a frame of exactly 16 KiB passes whole,
/// and the traffic around them goes on as the model says (nothing hangs).
#[test]
fn frames_longer_than_the_frame_store_are_cut_flagged_and_do_not_stop_the_path() {
    use ferronic_testbench::models::rdma::write_message;
    use ferronic_testbench::scenarios::rdma_receive::ReceiveOp;
    use ferronic_testbench::scenarios::roce_parser::random_packet;
    use rand::SeedableRng;
    let (mut ops, errors) = random_traffic(6, 81);
    let mut rng = rand::rngs::SmallRng::seed_from_u64(81);
    let template = random_packet(&mut rng);
    let giant_write = write_message(&template, 5, 0x1000, 1, 17_000, &vec![0x42; 17_000], None)[0].encode();
    assert!(giant_write.len() > 16_384);
    let giants = [vec![0x5A; 20_000], giant_write, vec![0x33; 16_384]];
    for (i, bytes) in giants.into_iter().enumerate() {
        let at = ops.len() * (i + 1) / 4;
        ops.insert(at, ReceiveOp::Frame { bytes, mac_error: false });
    }
    for backend in Backend::ALL {
        let memory = Axi4MemoryConfig { latency: 50, errors: errors.clone(), ..Default::default() };
        let setup = ReceiveRun::new(ops.clone(), memory, Pattern::Random(0.2), Pattern::Random(0.2));
        let r = run(build(backend).unwrap(), setup, &TbConfig::from_env("rdma_receive_giant", 81))
            .unwrap_or_else(|e| panic!("{backend:?}: {e:?}"));
        assert!(r.frames.len() >= 3 && r.placed > 0, "{}", r.summary());
    }
}

/// Placements for transactions of three functions whose DMA windows hold nothing, among
/// the random traffic: never written (the memory model fails the run if a byte of their
/// regions is touched), each reported as a failed write (`fail_*`, `write_errors`) and
/// counted in `window_errors`; every other function's placements land.
#[test]
fn placements_outside_their_functions_window_are_never_written() {
    use ferronic_testbench::models::windows::WindowTable;
    use ferronic_testbench::scenarios::rdma_receive::{DecideOp, ReceiveOp};
    let (ops, _) = random_traffic(150, 90);
    let shut = [1usize, 2, 3];
    let mut windows = WindowTable::default();
    let mut forbidden = Vec::new();
    for &f in &shut {
        windows.set(f, 1, 0);
    }
    for op in &ops {
        if let ReceiveOp::Command(DecideOp::Install(t)) = op {
            if shut.contains(&(t.function as usize)) {
                forbidden.push(t.va..t.va + t.length as u64);
            }
        }
    }
    assert!(!forbidden.is_empty(), "no transaction of a shut function: the test proves nothing");
    let memory = Axi4MemoryConfig { latency: 60, ready: Pattern::Random(0.2), forbidden, ..Default::default() };
    let setup = ReceiveRun { windows, ..ReceiveRun::new(ops, memory, Pattern::Random(0.2), Pattern::Random(0.2)) };
    let r = run(build(Backend::Verilator).unwrap(), setup, &TbConfig::from_env("rdma_receive_windows", 90)).unwrap();
    assert!(r.window_refusals > 0 && r.completions > 0, "{}", r.summary());
}

/// The acknowledgements' output almost always stalled (in the NIC: behind long TX frames):
/// sixteen wait, one more is dropped and counted, and the ones that do go out are still
/// the model's, in order; nothing else in the path waits for them.
#[test]
fn acknowledgements_beyond_the_queue_are_dropped_and_counted() {
    let (ops, errors) = random_traffic(120, 95);
    let memory = Axi4MemoryConfig { latency: 40, errors, ..Default::default() };
    let setup = ReceiveRun {
        // Eight beats (one ACK) every 2000 cycles.
        ack_backpressure: Pattern::Burst { on: 8, off: 2000 },
        ..ReceiveRun::new(ops, memory, Pattern::Never, Pattern::Never)
    };
    let r = run(build(Backend::Verilator).unwrap(), setup, &TbConfig::from_env("rdma_receive_ack_drops", 95)).unwrap();
    assert!(r.ack_drops > 0 && r.acks.len() > 16, "{}", r.summary());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4))]
    /// Random mixes of messages, fallback traffic and bad frames, at random pause rates and
    /// memory latency, with error ranges: every run matches the model.
    #[test]
    fn any_traffic_lands_as_the_model_places_it(
        seed in any::<u64>(),
        messages in 1usize..40,
        idle in 0.0f64..0.6,
        backpressure in 0.0f64..0.6,
        latency in 1u64..200,
    ) {
        let (ops, errors) = random_traffic(messages, seed);
        let memory = Axi4MemoryConfig { latency, errors, ready: Pattern::Random(0.2), ..Default::default() };
        let setup = ReceiveRun::new(ops, memory, Pattern::Random(idle), Pattern::Random(backpressure));
        let report = run(build(Backend::Verilator).unwrap(), setup, &TbConfig::new(seed));
        prop_assert!(report.is_ok(), "{:?}", report.err());
    }
}
