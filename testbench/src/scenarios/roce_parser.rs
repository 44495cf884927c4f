//! The RoCEv2 parser against the RoCEv2 model (`models::rdma::decode`): random frames —
//! RoCEv2 packets of every opcode, some corrupted, cut short, padded or with their
//! variant fields changed, and other traffic — under random idle and backpressure. Every
//! frame must pass through unchanged, its verdict and headers must match the model's, and
//! the counters must count what the model says.
use super::{verilated, Backend, BoxedSim};
use crate::bfm::axis::frame_to_beats;
use crate::bfm::{AxisMonitor, AxisSink, AxisSource, Pattern};
use crate::models::ethernet::be_number;
use crate::models::rdma::{decode, has_imm, has_reth, Bth, NotRoce, Reth, RocePacket};
use crate::tb::{Tb, TbConfig};
use anyhow::{ensure, Result};
use ferronic_hdl::rdma::parser::{RoceParser, KIND_BAD_ICRC, KIND_OTHER, KIND_ROCE, KIND_TRUNCATED};
use ferronic_sim::native::NativeSim;
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use std::collections::VecDeque;

pub fn build(backend: Backend) -> Result<BoxedSim> {
    Ok(match backend {
        Backend::Verilator => verilated("roce_parser", "", RoceParser::default)?,
        Backend::RustHdl => Box::new(NativeSim::new(RoceParser::default())?),
    })
}

/// One frame for the parser, and whether the MAC flags it bad (`tuser`).
#[derive(Clone, Debug)]
pub struct ParserFrame {
    pub bytes: Vec<u8>,
    pub mac_error: bool,
}

/// A random RoCEv2 packet: any opcode, mostly small payloads, now and then up to 4 KiB.
pub fn random_packet(rng: &mut SmallRng) -> RocePacket {
    const OPCODES: [u8; 15] =
        [0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x11, 0x64];
    let opcode = OPCODES[rng.gen_range(0..OPCODES.len())];
    let len = match rng.gen_range(0..20) {
        0 => rng.gen_range(1500..=4096),
        1..=5 => rng.gen_range(65..1500),
        _ => rng.gen_range(0..=64),
    };
    RocePacket {
        src_mac: rng.gen(),
        dst_mac: rng.gen(),
        src_ip: rng.gen(),
        dst_ip: rng.gen(),
        src_port: rng.gen(),
        bth: Bth {
            opcode,
            solicited: rng.gen(),
            pad_count: 0,
            pkey: rng.gen(),
            dest_qp: rng.gen_range(0..1 << 24),
            ack_req: rng.gen(),
            psn: rng.gen_range(0..1 << 24),
        },
        reth: has_reth(opcode).then(|| Reth { va: rng.gen(), rkey: rng.gen(), dma_len: rng.gen() }),
        imm: has_imm(opcode).then(|| rng.gen()),
        payload: (0..len).map(|_| rng.gen()).collect(),
    }
}

/// Random frames: half of them good RoCEv2 packets, the rest RoCEv2 packets with a bit
/// flipped, a field the ICRC does not cover changed, cut short, padded, with a length not
/// a whole number of words, and other traffic (random bytes, another UDP port, an IPv4
/// header with options, ARP).
pub fn random_frames(count: usize, seed: u64) -> Vec<ParserFrame> {
    let mut rng = SmallRng::seed_from_u64(seed);
    (0..count)
        .map(|_| {
            let mut bytes = random_packet(&mut rng).encode();
            match rng.gen_range(0..20) {
                0..=9 => {}
                10 | 11 => {
                    let at = rng.gen_range(14..bytes.len());
                    bytes[at] ^= 1 << rng.gen_range(0..8);
                }
                12 | 13 => {
                    // TOS, TTL, IPv4 checksum, UDP checksum, the BTH byte after P_Key.
                    let at = [15, 22, 24, 25, 40, 41, 46][rng.gen_range(0..7)];
                    bytes[at] = rng.gen();
                }
                14 | 15 => bytes.truncate(rng.gen_range(1..bytes.len())),
                16 => {
                    // Ethernet padding past the IPv4 packet; or an IPv4 length that takes
                    // in 1-3 bytes of it, no longer a whole number of 4-byte words.
                    let extra = rng.gen_range(3..20);
                    bytes.extend((0..extra).map(|_| rng.gen::<u8>()));
                    if rng.gen() {
                        let length = u16::from_be_bytes([bytes[16], bytes[17]]) + rng.gen_range(1..4);
                        bytes[16..18].copy_from_slice(&length.to_be_bytes());
                    }
                }
                17 => bytes = (0..rng.gen_range(1..200)).map(|_| rng.gen()).collect(),
                18 => {
                    bytes[36] ^= 1 << rng.gen_range(0..8); // another UDP port
                }
                _ => {
                    if rng.gen() {
                        bytes[14] = 0x46; // IPv4 options
                    } else {
                        bytes[12..14].copy_from_slice(&0x0806u16.to_be_bytes());
                    }
                }
            }
            ParserFrame { bytes, mac_error: rng.gen_range(0..20) == 0 }
        })
        .collect()
}

/// Counts of the parser's verdicts over a run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ParserReport {
    pub roce: u64,
    pub bad_icrc: u64,
    pub truncated: u64,
    pub other: u64,
    pub cycles: u64,
}

/// The verdict the parser must give, from the model.
fn expected_kind(frame: &[u8]) -> (u64, Option<RocePacket>) {
    match decode(frame) {
        Ok(p) => (KIND_ROCE, Some(p)),
        Err(NotRoce::OtherTraffic) => (KIND_OTHER, None),
        Err(NotRoce::Truncated) => (KIND_TRUNCATED, None),
        Err(NotRoce::BadIcrc) => (KIND_BAD_ICRC, None),
    }
}

pub fn run(
    sim: BoxedSim,
    frames: Vec<ParserFrame>,
    idle: Pattern,
    backpressure: Pattern,
    config: &TbConfig,
) -> Result<ParserReport> {
    let report = std::rc::Rc::new(std::cell::RefCell::new(ParserReport::default()));
    let out = report.clone();
    Tb::run(sim, config, move |tb| async move {
        tb.reset(3).await?;
        AxisMonitor::start(&tb, "s_axis")?;
        AxisMonitor::start(&tb, "m_axis")?;
        let source = AxisSource::start(&tb, "s_axis", idle)?;
        let _sink = AxisSink::start_counting(&tb, "m_axis", backpressure)?;
        for f in &frames {
            source.send_all(frame_to_beats(&f.bytes, 8, f.mac_error as u64));
        }
        let p = |n: &str| tb.port(n);
        let [valid, ready, data, keep, last, user] = [
            p("m_axis_tvalid")?,
            p("m_axis_tready")?,
            p("m_axis_tdata")?,
            p("m_axis_tkeep")?,
            p("m_axis_tlast")?,
            p("m_axis_tuser")?,
        ];
        let meta = [
            "meta_kind",
            "meta_opcode",
            "meta_solicited",
            "meta_pad",
            "meta_dest_qp",
            "meta_ack_req",
            "meta_psn",
            "meta_va",
            "meta_rkey",
            "meta_dma_length",
            "meta_imm",
            "meta_payload_offset",
            "meta_payload_length",
            "meta_dst_mac",
            "meta_src_mac",
            "meta_src_ip",
            "meta_dst_ip",
            "meta_src_port",
            "meta_pkey",
        ]
        .map(|n| p(n));
        let meta: Vec<_> = meta.into_iter().collect::<Result<_>>()?;
        let total_beats: usize = frames.iter().map(|f| f.bytes.len().div_ceil(8)).sum();
        let start = tb.cycle();
        // A hang detector: at 80% idle and 80% backpressure a beat takes about 10 cycles.
        let deadline = start + 200 + 30 * total_beats as u64;
        let mut expected: VecDeque<(ParserFrame, u64, Option<RocePacket>)> = frames
            .into_iter()
            .map(|f| {
                let (kind, packet) = expected_kind(&f.bytes);
                (f, kind, packet)
            })
            .collect();
        let mut current = Vec::new();
        let mut counts = ParserReport::default();
        let mut index = 0;
        while let Some((frame, kind, packet)) = expected.front() {
            let kind = *kind;
            ensure!(tb.cycle() < deadline, "{} frames still to come out", expected.len());
            tb.read_only().await;
            let [v, r] = tb.get_many(&[valid, ready]);
            if v == 0 || r == 0 {
                continue;
            }
            let [d, k, l, u] = tb.get_many(&[data, keep, last, user]);
            // The MAC's flag passes; a frame to drop gets it on its last beat.
            let drop = l != 0 && (kind == KIND_BAD_ICRC || kind == KIND_TRUNCATED);
            let want_user = frame.mac_error || drop;
            ensure!(u == want_user as u64, "frame {index}: tuser {u} on a beat, expected {want_user} (kind {kind})");
            let n = k.trailing_ones() as usize;
            current.extend_from_slice(&d.to_le_bytes()[..n]);
            if l == 0 {
                continue;
            }
            ensure!(current == frame.bytes, "frame {index} came out changed: {current:02x?}");
            current.clear();
            let m: Vec<u64> = meta.iter().map(|&port| tb.get(port)).collect();
            ensure!(
                m[0] == kind,
                "frame {index} ({} bytes): kind {}, the model says {kind} ({:?})",
                frame.bytes.len(),
                m[0],
                decode(&frame.bytes).err()
            );
            match kind {
                KIND_ROCE => counts.roce += 1,
                KIND_BAD_ICRC => counts.bad_icrc += 1,
                KIND_TRUNCATED => counts.truncated += 1,
                _ => counts.other += 1,
            }
            if let Some(p) = packet.as_ref() {
                let b = p.bth;
                let got = (m[1], m[2] != 0, m[3], m[4], m[5] != 0, m[6]);
                let want =
                    (b.opcode as u64, b.solicited, b.pad_count as u64, b.dest_qp as u64, b.ack_req, b.psn as u64);
                ensure!(
                    got == want,
                    "frame {index}: BTH (opcode, SE, pad, QP, AckReq, PSN) {got:x?}, expected {want:x?}"
                );
                if let Some(r) = p.reth {
                    let got = (m[7], m[8], m[9]);
                    let want = (r.va, r.rkey as u64, r.dma_len as u64);
                    ensure!(got == want, "frame {index}: RETH (VA, R_Key, length) {got:x?}, expected {want:x?}");
                }
                if let Some(imm) = p.imm {
                    ensure!(m[10] == imm as u64, "frame {index}: immediate {:#x}, expected {imm:#x}", m[10]);
                }
                // The addresses an ACK goes back to, read from the ports as numbers.
                let got = (m[13], m[14], m[15], m[16], m[17], m[18]);
                let want = (
                    be_number(&p.dst_mac),
                    be_number(&p.src_mac),
                    be_number(&p.src_ip),
                    be_number(&p.dst_ip),
                    p.src_port as u64,
                    b.pkey as u64,
                );
                ensure!(
                    got == want,
                    "frame {index}: (destination MAC, source MAC, source IP, destination IP, UDP source port, \
                     P_Key) {got:x?}, expected {want:x?}"
                );
                let (offset, length) = (m[11] as usize, m[12] as usize);
                ensure!(
                    frame.bytes.get(offset..offset + length) == Some(&p.payload[..]),
                    "frame {index}: payload at {offset}, {length} bytes, is not the packet's {} bytes",
                    p.payload.len()
                );
            }
            expected.pop_front();
            index += 1;
        }
        tb.cycles(4).await;
        let counters = [p("roce_frames")?, p("icrc_errors")?, p("truncated_frames")?].map(|c| tb.get(c));
        ensure!(
            counters == [counts.roce, counts.bad_icrc, counts.truncated],
            "counters (RoCEv2, bad ICRC, truncated) {counters:?}, expected {:?}",
            [counts.roce, counts.bad_icrc, counts.truncated]
        );
        counts.cycles = tb.cycle() - start;
        *out.borrow_mut() = counts;
        Ok(())
    })?;
    let r = report.borrow().clone();
    Ok(r)
}
