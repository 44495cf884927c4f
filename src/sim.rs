//! `ferronic sim`: the NIC's TX and RX paths in simulation, frames in and out as pcap files.
//!
//! TX: the host-driver model posts each frame on a TX queue (odd queues are LLQ queues: the first
//! bytes go into the LLQ entry as the pushed header, the rest is fetched by DMA; even queues
//! fetch everything by DMA, in descriptors of up to 4 KiB). The frames the NIC transmits
//! are checked against those posted and written, in the order they left, to `--tx-pcap`
//! with timestamps at a nominal 150 MHz clock.
//!
//! RX: the frames of `--rx-pcap` arrive from the MAC; the host has set up all 8 RX queues
//! with 2 KiB buffers (enough for every frame the capture steers there). What the host finds
//! in its buffers is checked against the RX model (queue by RSS hash, completions, bytes)
//! and, with `--received`, written as a pcap in the order the host got it.
use anyhow::{ensure, Context, Result};
use ferronic_hdl::tx::{MAX_DESCRIPTOR_BYTES, MAX_FRAME_BYTES};
use ferronic_testbench::models::ethernet::{udp_frame, UdpFlow};
use ferronic_testbench::models::rss::RssTable;
use ferronic_testbench::models::rx::{classify, MAX_RX_FRAME_BYTES, RX_QUEUES};
use ferronic_testbench::pcap::{self, PcapFrame};
use ferronic_testbench::scenarios::nic_rx::{self, RxFrame, RxRun};
use ferronic_testbench::scenarios::nic_tx::{self, build, TxPacket, TxRun};
use ferronic_testbench::scenarios::Backend;
use ferronic_testbench::tb::TbConfig;
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

/// RX buffers the host posts, their size, and how many a queue's ring holds.
const RX_BUFFER_BYTES: usize = 2048;
const RX_RING_ENTRIES: usize = 1 << ferronic_testbench::driver::RX_RING_LOG;

/// The testbench configuration of a run: its waveform kept as `waves/name.vcd` if asked.
fn config(name: &str, seed: u64, waves: Option<&Path>) -> TbConfig {
    let mut config = TbConfig::from_env(name, seed);
    if let Some(dir) = waves {
        config.waves = Some(dir.join(format!("{name}.vcd")));
        config.keep_waves = true;
    }
    config
}

/// Receives the frames of `rx_pcap`; writes what the host got to `received`.
pub fn run_rx(rx_pcap: &Path, received: Option<&Path>, seed: u64, waves: Option<&Path>) -> Result<String> {
    let frames: Vec<Vec<u8>> = pcap::read(rx_pcap)?.into_iter().map(|f| f.data).collect();
    ensure!(!frames.is_empty(), "{} holds no frames", rx_pcap.display());
    // Buffers per queue: what the frames steered there need.
    let mut needed = [0usize; RX_QUEUES];
    for frame in &frames {
        needed[classify(frame).queue(&RssTable::default())] += frame.len().div_ceil(RX_BUFFER_BYTES).max(1);
    }
    let most = *needed.iter().max().expect("8 queues");
    ensure!(
        most <= RX_RING_ENTRIES,
        "the capture needs {most} buffers of {RX_BUFFER_BYTES} bytes on one queue; a ring holds {RX_RING_ENTRIES} (split the capture)"
    );
    let too_long = frames.iter().filter(|f| f.len() > MAX_RX_FRAME_BYTES).count();
    let setup = RxRun::unloaded(frames.iter().cloned().map(RxFrame::new).collect(), most, RX_BUFFER_BYTES as u16, 200);
    let report = nic_rx::run_with(build(Backend::Verilator)?, setup, &config("rx", seed, waves))
        .context("simulating the NIC")?;
    if let Some(path) = received {
        let out: Vec<PcapFrame> =
            report.delivered.iter().map(|(_, data)| PcapFrame { time_ns: 0, data: data.clone() }).collect();
        pcap::write(path, &out)?;
    }
    let mut per_queue = [0usize; RX_QUEUES];
    for (q, _) in &report.delivered {
        per_queue[*q] += 1;
    }
    let c = report.counters;
    Ok(format!(
        "{} frames received, {} delivered to the host and checked (per queue {:?}), {} dropped as bad ({} longer than {MAX_RX_FRAME_BYTES} bytes), {} cycles{}",
        frames.len(),
        c.packets,
        per_queue,
        c.errors,
        too_long,
        report.cycles,
        received.map_or(String::new(), |p| format!("; written to {}", p.display()))
    ))
}

pub fn run_tx(
    tx_pcap: &Path,
    send: Option<&Path>,
    count: usize,
    queues: usize,
    seed: u64,
    waves: Option<&Path>,
) -> Result<String> {
    ensure!((1..=8).contains(&queues), "--queues must be 1 to 8, not {queues}");
    let frames = match send {
        Some(path) => pcap::read(path)?.into_iter().map(|f| f.data).collect(),
        None => random_frames(count, seed),
    };
    ensure!(!frames.is_empty(), "no frames to send");
    let packets = packets_for(&frames, queues)?;
    let llq_queues = (0..queues).filter(|q| q % 2 == 1).fold(0u8, |m, q| m | 1 << q);
    let setup = TxRun::unloaded(packets, llq_queues, 200);
    let report = nic_tx::run_with(build(Backend::Verilator)?, setup, &config("tx", seed, waves))
        .context("simulating the NIC")?;
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
