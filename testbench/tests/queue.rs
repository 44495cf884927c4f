//! The queue manager: rings set up and used the way a driver and the engines use them,
//! random register and operation streams against the reference model under random idle and
//! backpressure, and every bad input (doorbell past the ring, disabled or missing ring,
//! wrong kind of ring, unmapped address, read-only register, full interrupt queue, a ring
//! reset while in use) answered as the register map says.
use ferronic_hdl::queue::manager::OP_LATENCY;
use ferronic_hdl::regs::nic::*;
use ferronic_hdl::regs::Register;
use ferronic_testbench::bfm::Pattern;
use ferronic_testbench::models::queue::Op;
use ferronic_testbench::scenarios::queue::{build, run, QueueRun, Step};
use ferronic_testbench::scenarios::Backend;
use proptest::prelude::*;
mod common;
use common::pattern;

fn reg(ring: u8, register: &Register) -> u32 {
    RINGS.address(ring as u32, register)
}

fn write(addr: u32, data: u32) -> Step {
    Step::Write { addr, data, strb: 0xF }
}

fn op(ring: u8, op: Op) -> Step {
    Step::Op { ring, op }
}

/// Set up a ring: base, then control (which also zeroes its indices).
fn ring(n: u8, base: u64, log_size: u32, entry_log: u32, completion: bool, function: u32, vector: u32) -> Vec<Step> {
    let control = CONTROL_LOG_SIZE.put(log_size)
        | CONTROL_ENTRY_LOG.put(entry_log)
        | CONTROL_ENABLE.put(1)
        | CONTROL_COMPLETION.put(completion as u32)
        | CONTROL_FUNCTION.put(function)
        | CONTROL_VECTOR.put(vector);
    vec![
        write(reg(n, &RING_BASE_LO), base as u32),
        write(reg(n, &RING_BASE_HI), (base >> 32) as u32),
        write(reg(n, &RING_CONTROL), control),
    ]
}

fn quiet(rings: usize, steps: Vec<Step>) -> QueueRun {
    QueueRun {
        rings,
        steps,
        host_idle: Pattern::Never,
        host_backpressure: Pattern::Never,
        op_idle: Pattern::Never,
        msix_backpressure: Pattern::Never,
        msix_blocked: false,
    }
}

/// A driver's life with one submission ring (0) and one completion ring (1), wraps, a
/// ring reset in the middle, and the bad inputs on the way.
fn directed_steps() -> Vec<Step> {
    let mut s = vec![
        Step::Read { addr: ID.offset },
        Step::Read { addr: VERSION.offset },
        Step::Read { addr: RING_COUNT.offset },
    ];
    s.extend(ring(0, 0x1_0000_1000, 2, 4, false, 3, 0));
    s.extend(ring(1, 0x2_0000_0F00, 2, 3, true, 3, 5));
    // Three descriptors produced; four takes: the fourth finds the ring empty.
    s.push(write(reg(0, &RING_HOST_INDEX), 3));
    s.extend([op(0, Op::Take), op(0, Op::Take), op(0, Op::Take), op(0, Op::Take)]);
    // Exactly a full ring's worth produced (consumer 3, producer 7), all taken, then empty.
    s.push(write(reg(0, &RING_HOST_INDEX), 7));
    s.extend((0..5).map(|_| op(0, Op::Take)));
    // Five posts on a four-entry completion ring: the fifth finds it full.
    s.extend((0..5).map(|_| op(1, Op::Post)));
    // The host consumes two; two more posts wrap the ring (phase 0).
    s.push(write(reg(1, &RING_HOST_INDEX), 2));
    s.extend([op(1, Op::Post), op(1, Op::Post), op(1, Op::Post)]);
    // Interrupts: not armed, armed, sent once.
    s.extend([op(1, Op::Notify)]);
    s.push(write(reg(1, &RING_ARM), 1));
    s.extend([op(1, Op::Notify), op(1, Op::Notify)]);
    // Bad input: a doorbell past the ring, a head past the tail, a disabled ring, a ring the
    // build does not have, the wrong kind of ring, an invalid code, an unmapped address,
    // read-only registers.
    s.push(write(reg(0, &RING_HOST_INDEX), 7 + 5));
    s.push(write(reg(1, &RING_HOST_INDEX), 9));
    s.extend([
        op(2, Op::Take),
        op(200, Op::Post),
        op(0, Op::Post),
        op(1, Op::Take),
        op(0, Op::Notify),
        op(0, Op::Invalid),
    ]);
    s.extend([
        Step::Read { addr: 0x18 },
        Step::Read { addr: reg(0, &RING_ARM) + 4 },
        Step::Read { addr: reg(40, &RING_CONTROL) },
    ]);
    s.push(Step::Write { addr: 0x0FFC, data: 1, strb: 0xF });
    s.push(write(reg(0, &RING_DEVICE_INDEX), 7));
    s.push(write(ID.offset, 0));
    // Partial strobes: one byte of the base.
    s.push(Step::Write { addr: reg(0, &RING_BASE_LO), data: 0xAABB_CCDD, strb: 0b0100 });
    // A ring reset while in use: producer ahead, reset, then takes find it empty.
    s.push(write(reg(0, &RING_HOST_INDEX), 9));
    s.push(Step::Read { addr: reg(0, &RING_CONTROL) });
    s.push(write(reg(0, &RING_CONTROL), CONTROL_LOG_SIZE.put(2) | CONTROL_ENTRY_LOG.put(4) | CONTROL_ENABLE.put(1)));
    s.extend([op(0, Op::Take)]);
    for r in [0u8, 1] {
        for register in RINGS.registers {
            s.push(Step::Read { addr: reg(r, register) });
        }
    }
    for register in GLOBALS.registers {
        s.push(Step::Read { addr: register.offset });
    }
    s
}

#[test]
fn a_driver_and_engines_use_the_rings_as_the_register_map_says() {
    for backend in Backend::ALL {
        let report = run(build(backend, 32).unwrap(), quiet(32, directed_steps()), 1).unwrap();
        let model = report.model.unwrap();
        // What the steps above did, counted by hand.
        assert_eq!(model.doorbell_errors, 2, "{backend:?}");
        assert_eq!(model.op_errors, 6, "{backend:?}");
        assert_eq!(report.interrupts, 1, "{backend:?}");
    }
}

#[test]
fn operations_on_different_rings_flow_one_per_cycle() {
    let mut steps = Vec::new();
    for n in 0..8u8 {
        steps.extend(ring(n, 0x10_0000 * (n as u64 + 1), 4, 4, false, 0, 0));
        steps.push(write(reg(n, &RING_HOST_INDEX), 16));
    }
    for i in 0..64u8 {
        steps.push(op(i % 8, Op::Take));
    }
    let report = run(build(Backend::Verilator, 8).unwrap(), quiet(8, steps), 2).unwrap();
    assert!(report.latencies.iter().all(|&l| l == OP_LATENCY), "latencies {:?}", report.latencies);
    assert!(report.op_cycles <= 64 + OP_LATENCY, "64 operations took {} cycles", report.op_cycles);
}

#[test]
fn a_full_interrupt_queue_drops_and_counts_and_the_ring_stays_armed() {
    let mut steps = ring(0, 0x4000, 3, 3, true, 9, 17);
    for _ in 0..258 {
        steps.push(write(reg(0, &RING_ARM), 1));
        steps.push(op(0, Op::Notify));
    }
    steps.push(Step::Read { addr: IRQ_DROPS.offset });
    steps.push(Step::Read { addr: reg(0, &RING_ARM) });
    let mut setup = quiet(1, steps);
    setup.msix_blocked = true;
    let report = run(build(Backend::Verilator, 1).unwrap(), setup, 3).unwrap();
    assert_eq!(report.model.unwrap().irq_drops, 2);
}

/// Random set-up and use of a few rings (some left disabled), with bad doorbells, resets,
/// partial strobes and unmapped accesses among them.
fn random_steps(rings: u8) -> impl Strategy<Value = Vec<Step>> {
    let setup = prop::collection::vec(
        (0..rings, any::<u64>(), 0u32..5, 3u32..5, any::<bool>(), 0u32..256, 0u32..256, prop::bool::weighted(0.9)),
        1..6,
    );
    let host_step = prop_oneof![
        4 => (0..rings, 0u32..20).prop_map(|(n, i)| write(reg(n, &RING_HOST_INDEX), i)),
        2 => (0..rings, any::<bool>()).prop_map(|(n, a)| write(reg(n, &RING_ARM), a as u32)),
        2 => (0..rings, 0usize..6).prop_map(|(n, r)| Step::Read { addr: reg(n, &RINGS.registers[r]) }),
        1 => (0usize..6).prop_map(|r| Step::Read { addr: GLOBALS.registers[r].offset }),
        1 => (0..rings, 0u32..0x800, 1u8..16).prop_map(|(n, d, strb)| Step::Write { addr: reg(n, &RING_CONTROL), data: d | 0x100, strb }),
        1 => (0u32..0x4000, any::<u32>(), 0u8..16).prop_map(|(addr, data, strb)| Step::Write { addr, data, strb }),
        1 => (0u32..0x4000).prop_map(|addr| Step::Read { addr }),
    ];
    let op_step = (
        prop_oneof![8 => 0..rings, 1 => any::<u8>()],
        prop_oneof![
            4 => Just(Op::Take), 4 => Just(Op::Post), 2 => Just(Op::Notify), 1 => Just(Op::Invalid)
        ],
    )
        .prop_map(|(n, o)| op(n, o));
    let round = (prop::collection::vec(host_step, 1..10), prop::collection::vec(op_step, 1..40));
    (setup, prop::collection::vec(round, 1..8)).prop_map(|(setup, rounds)| {
        let mut steps = Vec::new();
        for (n, base, log_size, entry_log, completion, function, vector, enable) in setup {
            steps.extend(ring(n, base, log_size, entry_log, completion, function, vector));
            if !enable {
                steps.push(write(reg(n, &RING_CONTROL), 0));
            }
        }
        for (host, ops) in rounds {
            steps.extend(host);
            steps.extend(ops);
        }
        steps
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    #[test]
    fn random_register_and_operation_streams_match_the_model(
        steps in random_steps(8),
        host_idle in pattern(0.8),
        host_backpressure in pattern(0.8),
        op_idle in pattern(0.8),
        msix_backpressure in pattern(0.8),
        seed in any::<u64>(),
    ) {
        let setup = QueueRun { rings: 8, steps, host_idle, host_backpressure, op_idle, msix_backpressure, msix_blocked: false };
        let result = run(build(Backend::Verilator, 8).unwrap(), setup, seed);
        prop_assert!(result.is_ok(), "{:?}", result.err());
    }
}
