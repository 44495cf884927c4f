//! Frame steering against its plain-Rust meaning: each frame, with its command, either
//! leaves whole on the pass stream, disappears, or gives exactly its bytes
//! `[offset, offset + length)` (as far as the frame has them) as one packet on the payload
//! stream, full beats but the last — under random idle on the frames and the commands and
//! random backpressure on both outputs.
use super::{verilated, Backend, BoxedSim};
use crate::bfm::axis::{frame_to_beats, AxisBeat};
use crate::bfm::channel::{ChannelPorts, ChannelSource};
use crate::bfm::{AxisMonitor, AxisSink, AxisSource, Pattern};
use crate::tb::{Tb, TbConfig};
use anyhow::{ensure, Result};
use ferronic_hdl::rdma::steer::{FrameSteer, STEER_DROP, STEER_PASS, STEER_PLACE};
use ferronic_sim::native::NativeSim;
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

pub fn build(backend: Backend) -> Result<BoxedSim> {
    Ok(match backend {
        Backend::Verilator => verilated("rdma_steer", "", FrameSteer::default)?,
        Backend::RustHdl => Box::new(NativeSim::new(FrameSteer::default())?),
    })
}

/// A frame and what to do with it.
#[derive(Clone, Debug)]
pub struct SteerFrame {
    pub bytes: Vec<u8>,
    pub mac_error: bool,
    pub action: u64,
    pub offset: u8,
    pub length: u16,
}

impl SteerFrame {
    /// The payload packet this frame must give, if any: its bytes and whether it is flagged.
    pub fn expected_payload(&self) -> Option<(Vec<u8>, bool)> {
        let start = (self.offset as usize).min(self.bytes.len());
        let end = (self.offset as usize + self.length as usize).min(self.bytes.len());
        (self.action == STEER_PLACE && end > start).then(|| (self.bytes[start..end].to_vec(), self.mac_error))
    }
}

/// Random frames of 1-400 bytes with random actions; a placed payload starts anywhere in
/// its first 256 bytes (RoCEv2's are at 54, 58, 70 or 74) and now and then runs past the
/// frame's end or is empty.
pub fn random_frames(count: usize, seed: u64) -> Vec<SteerFrame> {
    let mut rng = SmallRng::seed_from_u64(seed);
    (0..count)
        .map(|_| {
            let len = rng.gen_range(1..=400usize);
            let offset = match rng.gen_range(0..4) {
                0 => [54u8, 58, 70, 74][rng.gen_range(0..4)],
                _ => rng.gen_range(0..=len.min(255)) as u8,
            };
            let room = len.saturating_sub(offset as usize);
            let length = match rng.gen_range(0..10) {
                0 => room + rng.gen_range(1..20),
                1 => 0,
                _ => rng.gen_range(0..=room),
            } as u16;
            SteerFrame {
                bytes: (0..len).map(|_| rng.gen()).collect(),
                mac_error: rng.gen_range(0..15) == 0,
                action: [STEER_PLACE, STEER_PLACE, STEER_DROP, STEER_PASS][rng.gen_range(0..4)],
                offset,
                length,
            }
        })
        .collect()
}

/// Collects whole packets from a sink: bytes, whether any beat was flagged, and checks that
/// every beat but the last is full and every `tkeep` runs from bit 0 up.
fn take_packets(
    sink: &AxisSink,
    partial: &mut (Vec<u8>, bool),
    out: &mut Vec<(Vec<u8>, bool)>,
    what: &str,
) -> Result<()> {
    while let Some(AxisBeat { data, keep, last, user }) = sink.recv() {
        ensure!(keep & (keep + 1) == 0, "{what}: tkeep {keep:#x} is not ones from bit 0 up");
        ensure!(last || keep == 0xFF, "{what}: a beat before tlast is not full (tkeep {keep:#x})");
        partial.0.extend_from_slice(&data.to_le_bytes()[..keep.count_ones() as usize]);
        partial.1 |= user != 0;
        if last {
            out.push(std::mem::take(partial));
        }
    }
    Ok(())
}

/// Runs `frames` through the steer and checks both outputs.
pub fn run(
    sim: BoxedSim,
    frames: Vec<SteerFrame>,
    idle: Pattern,
    backpressure: Pattern,
    config: &TbConfig,
) -> Result<()> {
    Tb::run(sim, config, move |tb| async move {
        tb.reset(3).await?;
        for stream in ["s_axis", "m_axis_pass", "m_axis_payload"] {
            AxisMonitor::start(&tb, stream)?;
        }
        let source = AxisSource::start(&tb, "s_axis", idle)?;
        let commands =
            ChannelSource::start(&tb, ChannelPorts::resolve(&tb, "s_cmd", "", &["action", "offset", "length"])?, idle);
        let pass = AxisSink::start(&tb, "m_axis_pass", backpressure)?;
        let payload = AxisSink::start(&tb, "m_axis_payload", backpressure)?;
        for f in &frames {
            source.send_all(frame_to_beats(&f.bytes, 8, f.mac_error as u64));
            commands.push([f.action, f.offset as u64, f.length as u64, 0, 0, 0, 0, 0]);
        }
        let want_pass: Vec<(Vec<u8>, bool)> =
            frames.iter().filter(|f| f.action == STEER_PASS).map(|f| (f.bytes.clone(), f.mac_error)).collect();
        let want_payload: Vec<(Vec<u8>, bool)> = frames.iter().filter_map(SteerFrame::expected_payload).collect();
        let (mut got_pass, mut got_payload) = (Vec::new(), Vec::new());
        let (mut partial_pass, mut partial_payload) = Default::default();
        let beats: usize = frames.iter().map(|f| f.bytes.len().div_ceil(8)).sum();
        let deadline = tb.cycle() + 200 + 30 * beats as u64;
        while got_pass.len() < want_pass.len() || got_payload.len() < want_payload.len() || source.pending() > 0 {
            ensure!(
                tb.cycle() < deadline,
                "hung: {} of {} passed frames, {} of {} payloads",
                got_pass.len(),
                want_pass.len(),
                got_payload.len(),
                want_payload.len()
            );
            tb.cycles(1).await;
            take_packets(&pass, &mut partial_pass, &mut got_pass, "m_axis_pass")?;
            take_packets(&payload, &mut partial_payload, &mut got_payload, "m_axis_payload")?;
        }
        // Nothing more may come.
        tb.cycles(50).await;
        take_packets(&pass, &mut partial_pass, &mut got_pass, "m_axis_pass")?;
        take_packets(&payload, &mut partial_payload, &mut got_payload, "m_axis_payload")?;
        ensure!(got_pass.len() == want_pass.len(), "{} frames passed, expected {}", got_pass.len(), want_pass.len());
        ensure!(
            got_payload.len() == want_payload.len(),
            "{} payloads, expected {}",
            got_payload.len(),
            want_payload.len()
        );
        for (i, (got, want)) in got_pass.iter().zip(&want_pass).enumerate() {
            ensure!(got == want, "passed frame {i} changed: {got:02x?}, expected {want:02x?}");
        }
        for (i, (got, want)) in got_payload.iter().zip(&want_payload).enumerate() {
            ensure!(got == want, "payload {i}: {got:02x?}, expected {want:02x?}");
        }
        Ok(())
    })
}
