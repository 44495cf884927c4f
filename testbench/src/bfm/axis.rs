//! AXI4-Stream source, sink and protocol monitor.
use super::pattern::{Pattern, Throttle};
use crate::tb::Tb;
use anyhow::{bail, Result};
use ferronic_sim::PortId;
use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

/// One transfer on the stream.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct AxisBeat {
    pub data: u64,
    pub keep: u64,
    pub last: bool,
    pub user: u64,
}

/// The ports of one stream, resolved once.
#[derive(Clone, Copy, Debug)]
struct AxisPorts {
    tdata: PortId,
    tkeep: PortId,
    tvalid: PortId,
    tready: PortId,
    tlast: PortId,
    tuser: PortId,
    data_bytes: usize,
}

impl AxisPorts {
    fn resolve(tb: &Tb, prefix: &str) -> Result<Self> {
        let tdata = tb.port(&format!("{prefix}_tdata"))?;
        let width = tb_port_width(tb, tdata);
        Ok(Self {
            tdata,
            tkeep: tb.port(&format!("{prefix}_tkeep"))?,
            tvalid: tb.port(&format!("{prefix}_tvalid"))?,
            tready: tb.port(&format!("{prefix}_tready"))?,
            tlast: tb.port(&format!("{prefix}_tlast"))?,
            tuser: tb.port(&format!("{prefix}_tuser"))?,
            data_bytes: width / 8,
        })
    }
    fn read_beat(&self, tb: &Tb) -> AxisBeat {
        let [data, keep, last, user] = tb.get_many(&[self.tdata, self.tkeep, self.tlast, self.tuser]);
        AxisBeat { data, keep, last: last != 0, user }
    }
}

fn tb_port_width(tb: &Tb, port: PortId) -> usize {
    tb.port_spec(port).width
}

impl Tb {
    /// The description of a resolved port.
    pub fn port_spec(&self, port: PortId) -> ferronic_sim::PortSpec {
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
    queue: Rc<RefCell<VecDeque<AxisBeat>>>,
    sent: Rc<RefCell<u64>>,
    bytes_per_beat: usize,
}

impl AxisSource {
    pub fn start(tb: &Tb, prefix: &str, idle: Pattern) -> Result<Self> {
        let ports = AxisPorts::resolve(tb, prefix)?;
        let source = Self {
            queue: Rc::default(),
            sent: Rc::default(),
            bytes_per_beat: ports.data_bytes,
        };
        let (queue, sent) = (Rc::clone(&source.queue), Rc::clone(&source.sent));
        let mut throttle = Throttle::new(idle, tb.rng());
        let task_tb = tb.clone();
        tb.set(ports.tvalid, 0);
        tb.spawn(async move {
            let tb = task_tb;
            let mut current: Option<AxisBeat> = None;
            let mut driving_valid = false;
            loop {
                // Inputs keep their values: drive only what changes.
                if current.is_none() && !throttle.hold() {
                    current = queue.borrow_mut().pop_front();
                    if let Some(beat) = current {
                        tb.set(ports.tdata, beat.data);
                        tb.set(ports.tkeep, beat.keep);
                        tb.set(ports.tlast, beat.last as u64);
                        tb.set(ports.tuser, beat.user);
                    }
                }
                if current.is_some() != driving_valid {
                    driving_valid = current.is_some();
                    tb.set(ports.tvalid, driving_valid as u64);
                }
                tb.read_only().await;
                if current.is_some() && tb.get(ports.tready) != 0 {
                    current = None;
                    *sent.borrow_mut() += 1;
                }
                tb.rising_edge().await;
            }
            #[allow(unreachable_code)]
            Ok(())
        });
        Ok(source)
    }
    pub fn send(&self, beat: AxisBeat) {
        self.queue.borrow_mut().push_back(beat);
    }
    /// Queues many beats at once (without copying them when nothing else is queued).
    pub fn send_all(&self, beats: Vec<AxisBeat>) {
        let mut queue = self.queue.borrow_mut();
        if queue.is_empty() {
            *queue = VecDeque::from(beats);
        } else {
            queue.extend(beats);
        }
    }
    pub fn send_frame(&self, frame: &[u8], user: u64) {
        for beat in frame_to_beats(frame, self.bytes_per_beat, user) {
            self.send(beat);
        }
    }
    /// Beats accepted by the receiver so far.
    pub fn sent(&self) -> u64 {
        *self.sent.borrow()
    }
    /// Beats still queued or on the bus.
    pub fn pending(&self) -> usize {
        self.queue.borrow().len()
    }
}

/// Receives a stream, withholding `tready` as the pattern says, and collects the beats.
#[derive(Clone)]
pub struct AxisSink {
    received: Rc<RefCell<VecDeque<AxisBeat>>>,
    count: Rc<RefCell<u64>>,
}

impl AxisSink {
    /// A sink that keeps every beat for [`AxisSink::recv`].
    pub fn start(tb: &Tb, prefix: &str, backpressure: Pattern) -> Result<Self> {
        Self::start_with(tb, prefix, backpressure, true)
    }
    /// A sink that only counts beats (another task checks them at the ports).
    pub fn start_counting(tb: &Tb, prefix: &str, backpressure: Pattern) -> Result<Self> {
        Self::start_with(tb, prefix, backpressure, false)
    }
    fn start_with(tb: &Tb, prefix: &str, backpressure: Pattern, keep: bool) -> Result<Self> {
        let ports = AxisPorts::resolve(tb, prefix)?;
        let sink = Self { received: Rc::default(), count: Rc::default() };
        let (received, count) = (Rc::clone(&sink.received), Rc::clone(&sink.count));
        let mut throttle = Throttle::new(backpressure, tb.rng());
        let task_tb = tb.clone();
        tb.spawn(async move {
            let tb = task_tb;
            let mut driving_ready = None;
            loop {
                let ready = !throttle.hold();
                if driving_ready != Some(ready) {
                    driving_ready = Some(ready);
                    tb.set(ports.tready, ready as u64);
                }
                tb.read_only().await;
                if ready && tb.get(ports.tvalid) != 0 {
                    if keep {
                        received.borrow_mut().push_back(ports.read_beat(&tb));
                    }
                    *count.borrow_mut() += 1;
                }
                tb.rising_edge().await;
            }
            #[allow(unreachable_code)]
            Ok(())
        });
        Ok(sink)
    }
    /// Takes the oldest received beat.
    pub fn recv(&self) -> Option<AxisBeat> {
        self.received.borrow_mut().pop_front()
    }
    /// Takes every beat received so far.
    pub fn drain(&self) -> Vec<AxisBeat> {
        self.received.borrow_mut().drain(..).collect()
    }
    /// Beats received since the start.
    pub fn count(&self) -> u64 {
        *self.count.borrow()
    }
}

/// Watches a stream and fails the run on an AXI4-Stream handshake violation: once `tvalid`
/// is high it must stay high, with the same payload, until `tready` takes the beat
/// (AMBA AXI4-Stream spec, section 2.2.1).
pub struct AxisMonitor;

impl AxisMonitor {
    pub fn start(tb: &Tb, prefix: &str) -> Result<()> {
        let ports = AxisPorts::resolve(tb, prefix)?;
        let rst = tb.port("rst").ok();
        let name = prefix.to_string();
        let task_tb = tb.clone();
        tb.spawn(async move {
            let tb = task_tb;
            let mut waiting: Option<AxisBeat> = None;
            loop {
                tb.read_only().await;
                if rst.is_some_and(|r| tb.get(r) != 0) {
                    waiting = None;
                    continue;
                }
                let [valid, ready] = tb.get_many(&[ports.tvalid, ports.tready]);
                let (valid, ready) = (valid != 0, valid != 0 && ready != 0);
                // The payload matters only while a beat waits, or when one starts waiting.
                if waiting.is_none() && (!valid || ready) {
                    continue;
                }
                let beat = ports.read_beat(&tb);
                if let Some(held) = waiting {
                    if !valid {
                        bail!("{name}: tvalid dropped before tready took the beat {held:x?}");
                    }
                    if beat != held {
                        bail!("{name}: payload changed while tvalid && !tready: {held:x?} -> {beat:x?}");
                    }
                }
                waiting = (valid && !ready).then_some(beat);
            }
            #[allow(unreachable_code)]
            Ok(())
        });
        Ok(())
    }
}
