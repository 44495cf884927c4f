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

/// Drives a channel from a queue of payloads.
#[derive(Clone)]
pub struct ChannelSource {
    queue: Rc<RefCell<VecDeque<Payload>>>,
}

impl ChannelSource {
    pub fn start(tb: &Tb, ports: ChannelPorts, idle: Pattern) -> Self {
        let source = Self { queue: Rc::default() };
        let queue = Rc::clone(&source.queue);
        let mut throttle = Throttle::new(idle, tb.rng());
        let tb2 = tb.clone();
        tb.set(ports.valid, 0);
        tb.spawn(async move {
            let tb = tb2;
            let mut current: Option<Payload> = None;
            loop {
                if current.is_none() && !throttle.hold() {
                    current = queue.borrow_mut().pop_front();
                    if let Some(p) = current {
                        for (port, value) in ports.fields.iter().zip(p) {
                            tb.set(*port, value);
                        }
                    }
                }
                tb.set(ports.valid, current.is_some() as u64);
                tb.read_only().await;
                if current.is_some() && tb.get(ports.ready) != 0 {
                    current = None;
                }
                tb.rising_edge().await;
            }
            #[allow(unreachable_code)]
            Ok(())
        });
        source
    }
    pub fn push(&self, payload: Payload) {
        self.queue.borrow_mut().push_back(payload);
    }
    /// Payloads not yet handed over (queued, or waiting on the bus).
    pub fn queued(&self) -> usize {
        self.queue.borrow().len()
    }
}

/// Takes payloads from a channel, withholding `ready` as the pattern says.
#[derive(Clone)]
pub struct ChannelSink {
    received: Rc<RefCell<VecDeque<(u64, Payload)>>>,
}

impl ChannelSink {
    pub fn start(tb: &Tb, ports: ChannelPorts, backpressure: Pattern) -> Self {
        let sink = Self { received: Rc::default() };
        let received = Rc::clone(&sink.received);
        let mut throttle = Throttle::new(backpressure, tb.rng());
        let tb2 = tb.clone();
        tb.spawn(async move {
            let tb = tb2;
            loop {
                let ready = !throttle.hold();
                tb.set(ports.ready, ready as u64);
                tb.read_only().await;
                if ready && tb.get(ports.valid) != 0 {
                    received.borrow_mut().push_back((tb.cycle(), ports.read_payload(&tb)));
                }
                tb.rising_edge().await;
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
    pub fn peek(&self) -> Option<(u64, Payload)> {
        self.received.borrow().front().copied()
    }
    pub fn len(&self) -> usize {
        self.received.borrow().len()
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Fails the run if a channel breaks the valid/ready rule (AMBA AXI spec A3.2.1): once
/// `valid` is high it stays high, with the same payload, until `ready` takes it.
/// `on_transfer` sees each transfer, for protocol checks beyond the handshake.
pub fn watch_channel(
    tb: &Tb,
    ports: ChannelPorts,
    mut on_transfer: impl FnMut(&Payload) -> Result<()> + 'static,
) {
    let rst = tb.port("rst").ok();
    let tb2 = tb.clone();
    tb.spawn(async move {
        let tb = tb2;
        let mut waiting: Option<Payload> = None;
        loop {
            tb.read_only().await;
            if rst.is_some_and(|r| tb.get(r) != 0) {
                waiting = None;
                continue;
            }
            let [valid, ready] = tb.get_many(&[ports.valid, ports.ready]);
            if valid == 0 {
                if let Some(held) = waiting {
                    bail!("{}: valid dropped before ready took {:x?}", ports.name, &held[..ports.fields.len()]);
                }
                continue;
            }
            let payload = ports.read_payload(&tb);
            if let Some(held) = waiting {
                if held != payload {
                    bail!(
                        "{}: payload changed while valid && !ready: {:x?} -> {:x?}",
                        ports.name,
                        &held[..ports.fields.len()],
                        &payload[..ports.fields.len()]
                    );
                }
            }
            if ready != 0 {
                waiting = None;
                on_transfer(&payload)?;
            } else {
                waiting = Some(payload);
            }
        }
        #[allow(unreachable_code)]
        Ok(())
    });
}
