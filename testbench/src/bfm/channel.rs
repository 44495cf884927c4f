//! One valid/ready channel, the unit every AXI bus is made of: a source that drives
//! `valid` and a payload and waits for `ready`, and a sink that drives `ready` and takes the
//! payload when both are high. The AXI models are these channels plus their own logic.
use super::pattern::{Pattern, Throttle};
use crate::tb::Tb;
use anyhow::{bail, Result};
use ferronic_sim::PortId;
use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

/// A channel's payload values, in the order of its field list (at most 8 fields).
pub type Payload = [u64; 8];

/// The ports of one channel: `<prefix>_<name>valid`, `..ready` and the payload fields.
#[derive(Clone, Debug)]
pub struct ChannelPorts {
    pub valid: PortId,
    pub ready: PortId,
    pub fields: Vec<PortId>,
    pub name: String,
}

impl ChannelPorts {
    /// `resolve(tb, "m_axi", "aw", &["awid", "awaddr"])`.
    pub fn resolve(tb: &Tb, prefix: &str, channel: &str, fields: &[&str]) -> Result<Self> {
        assert!(fields.len() <= 8, "a channel carries at most 8 fields");
        Ok(Self {
            valid: tb.port(&format!("{prefix}_{channel}valid"))?,
            ready: tb.port(&format!("{prefix}_{channel}ready"))?,
            fields: fields.iter().map(|f| tb.port(&format!("{prefix}_{f}"))).collect::<Result<_>>()?,
            name: format!("{prefix}_{channel}"),
        })
    }
    pub fn read_payload(&self, tb: &Tb) -> Payload {
        let mut out = [0u64; 8];
        tb.with_sim(|sim| sim.get_many(&self.fields, &mut out[..self.fields.len()]));
        out
    }
}

/// Drives a channel from a queue of payloads, then from a generator once the queue is empty.
#[derive(Clone)]
pub struct ChannelSource {
    queue: Rc<RefCell<VecDeque<Payload>>>,
    generator: Rc<RefCell<Option<PayloadGenerator>>>,
}

/// Payloads made on demand, so a long test need not hold them all.
pub type PayloadGenerator = Box<dyn Iterator<Item = Payload>>;

impl ChannelSource {
    pub fn start(tb: &Tb, ports: ChannelPorts, idle: Pattern) -> Self {
        let source = Self { queue: Rc::default(), generator: Rc::default() };
        let (queue, generator) = (Rc::clone(&source.queue), Rc::clone(&source.generator));
        let mut throttle = Throttle::new(idle, tb.rng());
        let tb2 = tb.clone();
        tb.set(ports.valid, 0);
        tb.spawn(async move {
            let tb = tb2;
            let mut current: Option<Payload> = None;
            let mut driving_valid = false;
            // One step per cycle, in the read-only phase: see whether the beat on the bus
            // was taken, then choose what to drive after the edge.
            loop {
                tb.read_only().await;
                if current.is_some() && tb.get(ports.ready) != 0 {
                    current = None;
                }
                if current.is_none() && !throttle.hold() {
                    current = queue.borrow_mut().pop_front();
                    if current.is_none() {
                        current = generator.borrow_mut().as_mut().and_then(|g| g.next());
                    }
                    if let Some(p) = current {
                        for (port, value) in ports.fields.iter().zip(p) {
                            tb.set(*port, value);
                        }
                    }
                }
                // Inputs keep their values: drive only what changes.
                if current.is_some() != driving_valid {
                    driving_valid = current.is_some();
                    tb.set(ports.valid, driving_valid as u64);
                }
            }
            #[allow(unreachable_code)]
            Ok(())
        });
        source
    }
    pub fn push(&self, payload: Payload) {
        self.queue.borrow_mut().push_back(payload);
    }
    /// After the queue, send what `generator` yields (after any earlier generator).
    pub fn feed(&self, generator: PayloadGenerator) {
        let mut slot = self.generator.borrow_mut();
        *slot = Some(match slot.take() {
            Some(earlier) => Box::new(earlier.chain(generator)),
            None => generator,
        });
    }
    /// Payloads queued and not yet on the bus (a generator's are not counted).
    pub fn queued(&self) -> usize {
        self.queue.borrow().len()
    }
}

/// Takes payloads from a channel, withholding `ready` as the pattern says.
#[derive(Clone)]
pub struct ChannelSink {
    received: Rc<RefCell<VecDeque<(u64, Payload)>>>,
    count: Rc<RefCell<u64>>,
}

impl ChannelSink {
    /// A sink that keeps every payload for [`ChannelSink::pop`].
    pub fn start(tb: &Tb, ports: ChannelPorts, backpressure: Pattern) -> Self {
        Self::start_with(tb, ports, backpressure, true)
    }
    /// A sink that only counts transfers (another task checks them at the ports).
    pub fn counting(tb: &Tb, ports: ChannelPorts, backpressure: Pattern) -> Self {
        Self::start_with(tb, ports, backpressure, false)
    }
    fn start_with(tb: &Tb, ports: ChannelPorts, backpressure: Pattern, keep: bool) -> Self {
        let sink = Self { received: Rc::default(), count: Rc::default() };
        let (received, count) = (Rc::clone(&sink.received), Rc::clone(&sink.count));
        let mut throttle = Throttle::new(backpressure, tb.rng());
        let tb2 = tb.clone();
        tb.spawn(async move {
            let tb = tb2;
            let mut ready = !throttle.hold();
            tb.set(ports.ready, ready as u64);
            // One step per cycle, in the read-only phase: take a transfer, then choose
            // `ready` for after the edge.
            loop {
                tb.read_only().await;
                if ready && tb.get(ports.valid) != 0 {
                    if keep {
                        received.borrow_mut().push_back((tb.cycle(), ports.read_payload(&tb)));
                    }
                    *count.borrow_mut() += 1;
                }
                let next = !throttle.hold();
                if next != ready {
                    ready = next;
                    tb.set(ports.ready, ready as u64);
                }
            }
            #[allow(unreachable_code)]
            Ok(())
        });
        sink
    }
    /// The oldest payload taken, with the cycle it was taken in.
    pub fn pop(&self) -> Option<(u64, Payload)> {
        self.received.borrow_mut().pop_front()
    }
    /// Payloads taken and not yet popped.
    pub fn len(&self) -> usize {
        self.received.borrow().len()
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Transfers since the start.
    pub fn count(&self) -> u64 {
        *self.count.borrow()
    }
}

/// How busy a channel was: its transfers, and the cycles from the first to the last,
/// inclusive (`transfers / span` is the share of cycles it carried one).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TransferSpan {
    pub transfers: u64,
    pub first: Option<u64>,
    pub span: u64,
}

/// Counts the transfers (`valid` and `ready` high at once) on a channel from now on.
pub fn count_transfers(tb: &Tb, valid: PortId, ready: PortId) -> Rc<RefCell<TransferSpan>> {
    let count = Rc::new(RefCell::new(TransferSpan::default()));
    let counted = Rc::clone(&count);
    let watch = tb.clone();
    tb.spawn(async move {
        loop {
            watch.read_only().await;
            if watch.get(valid) != 0 && watch.get(ready) != 0 {
                let now = watch.cycle();
                let mut c = counted.borrow_mut();
                c.transfers += 1;
                let first = *c.first.get_or_insert(now);
                c.span = now - first + 1;
            }
        }
        #[allow(unreachable_code)]
        Ok(())
    });
    count
}

/// What a channel watcher does with each transfer, for checks beyond the handshake.
pub type TransferCheck = Box<dyn FnMut(&Payload) -> Result<()>>;

/// Fails the run if a channel breaks the valid/ready rule (AMBA AXI spec A3.2.1; AXI4-Stream
/// 2.2.1): once `valid` is high it stays high, with the same payload, until `ready` takes
/// it. `on_transfer`, when given, sees each transfer's payload.
pub fn watch_channel(tb: &Tb, ports: ChannelPorts, mut on_transfer: Option<TransferCheck>) {
    // Blocks without a reset read `valid` a second time in its place, and ignore it.
    let rst = tb.port("rst").ok();
    let tb2 = tb.clone();
    tb.spawn(async move {
        let tb = tb2;
        let fields = ports.fields.len();
        let mut waiting: Option<Payload> = None;
        let handshake = [ports.valid, ports.ready, rst.unwrap_or(ports.valid)];
        loop {
            tb.read_only().await;
            let [valid, ready, in_reset] = tb.get_many(&handshake);
            if rst.is_some() && in_reset != 0 {
                waiting = None;
                continue;
            }
            let (valid, ready) = (valid != 0, ready != 0);
            if !valid {
                if let Some(held) = waiting {
                    bail!("{}: valid dropped before ready took {:x?}", ports.name, &held[..fields]);
                }
                continue;
            }
            // The payload matters while a transfer waits, when one starts waiting, or
            // when the caller checks transfers.
            if waiting.is_none() && ready && on_transfer.is_none() {
                continue;
            }
            let payload = ports.read_payload(&tb);
            if let Some(held) = waiting {
                if held != payload {
                    bail!(
                        "{}: payload changed while valid && !ready: {:x?} -> {:x?}",
                        ports.name,
                        &held[..fields],
                        &payload[..fields]
                    );
                }
            }
            if ready {
                waiting = None;
                if let Some(check) = on_transfer.as_mut() {
                    check(&payload)?;
                }
            } else {
                waiting = Some(payload);
            }
        }
        #[allow(unreachable_code)]
        Ok(())
    });
}
