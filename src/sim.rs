//! `ferronic sim`: the NIC's TX path in simulation, frames in and out as pcap files.
//!
//! The host-driver model posts each frame on a TX queue (odd queues are LLQ queues: the first
//! bytes go into the LLQ entry as the pushed header, the rest is fetched by DMA; even queues
//! fetch everything by DMA, in descriptors of up to 4 KiB). The frames the NIC transmits
//! are checked against those posted and written, in the order they left, to `--tx-pcap`
//! with timestamps at a nominal 150 MHz clock.
use anyhow::{ensure, Context, Result};
use ferronic_hdl::tx::{MAX_DESCRIPTOR_BYTES, MAX_FRAME_BYTES};
use ferronic_testbench::models::ethernet::{udp_frame, UdpFlow};
use ferronic_testbench::pcap::{self, PcapFrame};
use ferronic_testbench::scenarios::nic_tx::{build, run, TxPacket, TxRun};
use ferronic_testbench::scenarios::Backend;
use rand::{Rng, SeedableRng};
use std::path::Path;

/// Nominal clock for pcap timestamps.
pub const CLOCK_HZ: u64 = 150_000_000;
/// A regular queue's frame goes in descriptors of up to 4 KiB; an LLQ queue's in the
/// entry's header area and one descriptor. Either way at most `MAX_FRAME_BYTES`.
const MAX_FRAME: usize = MAX_FRAME_BYTES as usize;
/// Bytes an LLQ queue pushes: Ethernet + IPv4 + UDP headers.
const LLQ_PUSHED: usize = 42;

/// `count` UDP frames of random sizes (64 B to 1514 B on the wire, no FCS).
pub fn random_frames(count: usize, seed: u64) -> Vec<Vec<u8>> {
    let mut rng = rand::rngs::SmallRng::seed_from_u64(seed);
    (0..count)
        .map(|i| {
            let flow = UdpFlow {
                dst_mac: [0x02, 0x00, 0x00, 0x00, 0x00, 0x02],
                src_mac: [0x02, 0x00, 0x00, 0x00, 0x00, 0x01],
                src_ip: [10, 0, 0, 1],
                dst_ip: [10, 0, 0, 2],
                src_port: 10_000 + (i % 8) as u16,
                dst_port: 20_000,
            };
            let len = rng.gen_range(18..=1472);
            let payload: Vec<u8> = (0..len).map(|_| rng.gen()).collect();
            udp_frame(&flow, &payload)
        })
        .collect()
}

/// The packets the driver posts for `frames`, spread over `queues` queues.
pub fn packets_for(frames: &[Vec<u8>], queues: usize) -> Result<Vec<TxPacket>> {
    frames
        .iter()
        .enumerate()
        .map(|(i, frame)| {
            ensure!(!frame.is_empty(), "frame {i} is empty");
            ensure!(frame.len() <= MAX_FRAME, "frame {i} is {} bytes; a TX queue takes up to {MAX_FRAME}", frame.len());
            let queue = i % queues;
            let llq = queue % 2 == 1;
            let (header, payload) = if llq {
                let pushed =
                    LLQ_PUSHED.min(frame.len() - 1).max(frame.len().saturating_sub(MAX_DESCRIPTOR_BYTES as usize));
                frame.split_at(pushed)
            } else {
                frame.split_at(0)
            };
            let pieces = if llq { vec![payload.to_vec()] } else { payload.chunks(4096).map(<[u8]>::to_vec).collect() };
            Ok(TxPacket { queue, header: header.to_vec(), pieces, comp_req: true, req_id: i as u16, fault: None })
        })
        .collect()
}

pub fn run_sim(tx_pcap: &Path, send: Option<&Path>, count: usize, queues: usize, seed: u64) -> Result<String> {
    ensure!((1..=8).contains(&queues), "--queues must be 1 to 8, not {queues}");
    let frames = match send {
        Some(path) => pcap::read(path)?.into_iter().map(|f| f.data).collect(),
        None => random_frames(count, seed),
    };
    ensure!(!frames.is_empty(), "no frames to send");
    let packets = packets_for(&frames, queues)?;
    let llq_queues = (0..queues).filter(|q| q % 2 == 1).fold(0u8, |m, q| m | 1 << q);
    let setup = TxRun::unloaded(packets, llq_queues, 200);
    let report = run(build(Backend::Verilator)?, setup, seed).context("simulating the NIC")?;
    let start = report.sent.first().map_or(0, |(c, _)| *c);
    let out: Vec<PcapFrame> = report
        .sent
        .into_iter()
        .map(|(cycle, data)| PcapFrame { time_ns: (cycle - start) * 1_000_000_000 / CLOCK_HZ, data })
        .collect();
    pcap::write(tx_pcap, &out)?;
    Ok(format!(
        "{} frames posted on {queues} queue(s) ({} LLQ), {} transmitted and checked, {} completions, {} cycles; written to {}",
        frames.len(),
        llq_queues.count_ones(),
        out.len(),
        report.completions,
        report.cycles,
        tx_pcap.display()
    ))
}
