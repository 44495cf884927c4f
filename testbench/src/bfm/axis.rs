//! AXI4-Stream source, sink and protocol monitor: the generic valid/ready channel models
//! with the stream's fields (`tdata tkeep tlast tuser`) and beats as a type.
use super::channel::{watch_channel, ChannelPorts, ChannelSink, ChannelSource, Payload};
use super::pattern::Pattern;
use crate::tb::Tb;
use anyhow::Result;

const FIELDS: [&str; 4] = ["tdata", "tkeep", "tlast", "tuser"];

/// One transfer on the stream.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct AxisBeat {
    pub data: u64,
    pub keep: u64,
    pub last: bool,
    pub user: u64,
}

impl AxisBeat {
    fn to_payload(self) -> Payload {
        [self.data, self.keep, self.last as u64, self.user, 0, 0, 0, 0]
    }
    fn from_payload(p: &Payload) -> Self {
        Self { data: p[0], keep: p[1], last: p[2] != 0, user: p[3] }
    }
}

/// The stream named `prefix` (`s_axis` binds `s_axis_tdata`, `s_axis_tvalid`, ...).
fn stream_ports(tb: &Tb, prefix: &str) -> Result<ChannelPorts> {
    ChannelPorts::resolve(tb, prefix, "t", &FIELDS)
}

impl Tb {
    /// The description of a resolved port.
    pub fn port_spec(&self, port: ferronic_sim::PortId) -> ferronic_sim::PortSpec {
        self.with_sim(|sim| sim.ports()[port.0 as usize].clone())
    }
}

/// Splits a frame into beats of `bytes_per_beat` bytes, little-endian, `tkeep` marking the
/// bytes present and `tlast` on the final beat.
pub fn frame_to_beats(frame: &[u8], bytes_per_beat: usize, user: u64) -> Vec<AxisBeat> {
    assert!((1..=8).contains(&bytes_per_beat), "beats of 1 to 8 bytes");
    let chunks: Vec<&[u8]> = frame.chunks(bytes_per_beat).collect();
    let count = chunks.len();
    chunks
        .into_iter()
        .enumerate()
        .map(|(i, chunk)| AxisBeat {
            data: chunk.iter().enumerate().fold(0u64, |acc, (b, &byte)| acc | (byte as u64) << (8 * b)),
            keep: (1u64 << chunk.len()) - 1,
            last: i + 1 == count,
            user,
        })
        .collect()
}

/// Drives a stream: beats queued with [`AxisSource::send`] go out in order, with idle
/// cycles between beats as the pattern says (never while a beat waits for `tready`).
#[derive(Clone)]
pub struct AxisSource {
    channel: ChannelSource,
    bytes_per_beat: usize,
}

impl AxisSource {
    pub fn start(tb: &Tb, prefix: &str, idle: Pattern) -> Result<Self> {
        let ports = stream_ports(tb, prefix)?;
        let bytes_per_beat = tb.port_spec(ports.fields[0]).width / 8;
        Ok(Self { channel: ChannelSource::start(tb, ports, idle), bytes_per_beat })
    }
    pub fn send(&self, beat: AxisBeat) {
        self.channel.push(beat.to_payload());
    }
    /// Sends `beats` after everything queued, taking them one at a time as the bus does.
    pub fn send_all(&self, beats: Vec<AxisBeat>) {
        self.channel.feed(Box::new(beats.into_iter().map(AxisBeat::to_payload)));
    }
    pub fn send_frame(&self, frame: &[u8], user: u64) {
        for beat in frame_to_beats(frame, self.bytes_per_beat, user) {
            self.send(beat);
        }
    }
    /// Beats still queued (not counting one on the bus).
    pub fn pending(&self) -> usize {
        self.channel.queued()
    }
}

/// Receives a stream, withholding `tready` as the pattern says.
#[derive(Clone)]
pub struct AxisSink {
    channel: ChannelSink,
}

impl AxisSink {
    /// A sink that keeps every beat for [`AxisSink::recv`].
    pub fn start(tb: &Tb, prefix: &str, backpressure: Pattern) -> Result<Self> {
        Ok(Self { channel: ChannelSink::start(tb, stream_ports(tb, prefix)?, backpressure) })
    }
    /// A sink that only counts beats (another task checks them at the ports).
    pub fn start_counting(tb: &Tb, prefix: &str, backpressure: Pattern) -> Result<Self> {
        Ok(Self { channel: ChannelSink::counting(tb, stream_ports(tb, prefix)?, backpressure) })
    }
    /// Takes the oldest received beat.
    pub fn recv(&self) -> Option<AxisBeat> {
        self.channel.pop().map(|(_, p)| AxisBeat::from_payload(&p))
    }
    /// Takes the oldest received beat with the cycle it was taken in.
    pub fn recv_timed(&self) -> Option<(u64, AxisBeat)> {
        self.channel.pop().map(|(cycle, p)| (cycle, AxisBeat::from_payload(&p)))
    }
    /// Beats received since the start.
    pub fn count(&self) -> u64 {
        self.channel.count()
    }
}

/// Gathers whole frames from a sink's beats, for a stream of frames the card makes: `tkeep`
/// must be ones from bit 0 up, every beat before `tlast` full (8 bytes), as a packed stream
/// of bytes is, and `tuser` 0 (the card never flags its own frames bad).
#[derive(Default)]
pub struct FrameCollector {
    partial: Vec<u8>,
}

impl FrameCollector {
    /// The frames whose last beat has arrived since the last call, in order; `name` says
    /// which stream a bad `tkeep` was on.
    pub fn take(&mut self, sink: &AxisSink, name: &str) -> Result<Vec<Vec<u8>>> {
        let mut frames = Vec::new();
        while let Some(beat) = sink.recv() {
            let bytes = beat.keep.trailing_ones() as usize;
            anyhow::ensure!(beat.user == 0, "{name}: tuser {:#x} on a frame the card made", beat.user);
            anyhow::ensure!(
                beat.keep.count_ones() as usize == bytes && bytes > 0 && (beat.last || bytes == 8),
                "{name}: tkeep {:#x} on a beat that is {}the last",
                beat.keep,
                if beat.last { "" } else { "not " }
            );
            self.partial.extend_from_slice(&beat.data.to_le_bytes()[..bytes]);
            if beat.last {
                frames.push(std::mem::take(&mut self.partial));
            }
        }
        Ok(frames)
    }
    /// Bytes of a frame begun and not ended.
    pub fn pending(&self) -> usize {
        self.partial.len()
    }
}

/// Watches a stream and fails the run on an AXI4-Stream handshake violation: once `tvalid`
/// is high it must stay high, with the same payload, until `tready` takes the beat
/// (AMBA AXI4-Stream spec, section 2.2.1).
pub struct AxisMonitor;

impl AxisMonitor {
    pub fn start(tb: &Tb, prefix: &str) -> Result<()> {
        watch_channel(tb, stream_ports(tb, prefix)?, None);
        Ok(())
    }
}
