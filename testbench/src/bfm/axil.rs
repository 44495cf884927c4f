//! AXI4-Lite bus models: the host's register accesses (a master, for BAR0 ports) and a
//! register-space slave for testing it. 32-bit data; one transaction per address beat.
use super::axi4::{ErrorRange, OKAY};
use super::channel::{watch_channel, ChannelPorts, ChannelSink, ChannelSource, Payload};
use super::memory::SparseMemory;
use super::pattern::Pattern;
use crate::tb::Tb;
use anyhow::{bail, Result};
use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

const AW: [&str; 2] = ["awaddr", "awprot"];
const W: [&str; 2] = ["wdata", "wstrb"];
const B: [&str; 1] = ["bresp"];
const AR: [&str; 2] = ["araddr", "arprot"];
const R: [&str; 2] = ["rdata", "rresp"];

const WRITES: usize = 0;
const READS: usize = 1;

/// Requests issued and responses taken, per direction, to pair them up in order.
#[derive(Default)]
struct Tickets {
    issued: [u64; 2],
    answered: [u64; 2],
}

/// Issues register reads and writes on the AXI4-Lite slave port named `prefix`.
/// AXI4-Lite answers in order, so responses are matched to requests by position.
#[derive(Clone)]
pub struct AxilMaster {
    aw: ChannelSource,
    w: ChannelSource,
    ar: ChannelSource,
    b: ChannelSink,
    r: ChannelSink,
    tickets: Rc<RefCell<Tickets>>,
    tb: Tb,
}

impl AxilMaster {
    pub fn start(tb: &Tb, prefix: &str, idle: Pattern, backpressure: Pattern) -> Result<Self> {
        Ok(Self {
            aw: ChannelSource::start(tb, ChannelPorts::resolve(tb, prefix, "aw", &AW)?, idle),
            w: ChannelSource::start(tb, ChannelPorts::resolve(tb, prefix, "w", &W)?, idle),
            ar: ChannelSource::start(tb, ChannelPorts::resolve(tb, prefix, "ar", &AR)?, idle),
            b: ChannelSink::start(tb, ChannelPorts::resolve(tb, prefix, "b", &B)?, backpressure),
            r: ChannelSink::start(tb, ChannelPorts::resolve(tb, prefix, "r", &R)?, backpressure),
            tickets: Rc::default(),
            tb: tb.clone(),
        })
    }

    /// Writes `data` to `addr` with byte strobes `strb`; returns BRESP.
    pub async fn write(&self, addr: u64, data: u32, strb: u8) -> u8 {
        let ticket = self.take_ticket(WRITES);
        self.aw.push([addr, 0, 0, 0, 0, 0, 0, 0]);
        self.w.push([data as u64, strb as u64, 0, 0, 0, 0, 0, 0]);
        self.response(WRITES, ticket, &self.b).await[0] as u8
    }

    /// Reads `addr`; returns (RDATA, RRESP).
    pub async fn read(&self, addr: u64) -> (u32, u8) {
        let ticket = self.take_ticket(READS);
        self.ar.push([addr, 0, 0, 0, 0, 0, 0, 0]);
        let p = self.response(READS, ticket, &self.r).await;
        (p[0] as u32, p[1] as u8)
    }

    fn take_ticket(&self, direction: usize) -> u64 {
        let mut t = self.tickets.borrow_mut();
        t.issued[direction] += 1;
        t.issued[direction]
    }

    /// Waits for the response to request number `ticket` of a direction: responses come in
    /// request order, so it is the next one once all earlier tickets are answered.
    async fn response(&self, direction: usize, ticket: u64, sink: &ChannelSink) -> Payload {
        loop {
            self.tb.rising_edge().await;
            let mut t = self.tickets.borrow_mut();
            if t.answered[direction] + 1 == ticket {
                if let Some((_, p)) = sink.pop() {
                    t.answered[direction] += 1;
                    return p;
                }
            }
        }
    }
}

/// A byte-addressed register space on an AXI4-Lite master port: backpressure, a fixed
/// response latency and error ranges. Writes honor `wstrb`.
#[derive(Clone)]
pub struct AxilMemory {
    pub memory: Rc<RefCell<SparseMemory>>,
}

impl AxilMemory {
    pub fn start(tb: &Tb, prefix: &str, ready: Pattern, latency: u64, errors: Vec<ErrorRange>) -> Result<Self> {
        let aw = ChannelSink::start(tb, ChannelPorts::resolve(tb, prefix, "aw", &AW)?, ready);
        let w = ChannelSink::start(tb, ChannelPorts::resolve(tb, prefix, "w", &W)?, ready);
        let ar = ChannelSink::start(tb, ChannelPorts::resolve(tb, prefix, "ar", &AR)?, ready);
        let b = ChannelSource::start(tb, ChannelPorts::resolve(tb, prefix, "b", &B)?, Pattern::Never);
        let r = ChannelSource::start(tb, ChannelPorts::resolve(tb, prefix, "r", &R)?, Pattern::Never);
        let model = Self { memory: Rc::default() };
        let memory = Rc::clone(&model.memory);
        let tb2 = tb.clone();
        tb.spawn(async move {
            let tb = tb2;
            let mut b_due: VecDeque<(u64, u64)> = VecDeque::new();
            let mut r_due: VecDeque<(u64, u64, u64)> = VecDeque::new();
            let error = |addr: u64| errors.iter().find(|e| e.range.contains(&addr)).map(|e| e.resp);
            loop {
                tb.rising_edge().await;
                let now = tb.cycle();
                while !aw.is_empty() && !w.is_empty() {
                    let ((_, a), (_, d)) = (aw.pop().expect("checked"), w.pop().expect("checked"));
                    let addr = a[0] & !3;
                    let resp = error(addr);
                    if resp.is_none() {
                        let mut mem = memory.borrow_mut();
                        for lane in 0..4 {
                            if d[1] >> lane & 1 != 0 {
                                mem.write_byte(addr + lane, (d[0] >> (8 * lane)) as u8);
                            }
                        }
                    }
                    b_due.push_back((now + latency, resp.unwrap_or(OKAY) as u64));
                }
                while let Some((_, a)) = ar.pop() {
                    let addr = a[0] & !3;
                    let resp = error(addr);
                    let data = match resp {
                        Some(_) => 0,
                        None => u32::from_le_bytes(memory.borrow().read(addr, 4).try_into().expect("4 bytes")) as u64,
                    };
                    r_due.push_back((now + latency, data, resp.unwrap_or(OKAY) as u64));
                }
                while b_due.front().is_some_and(|&(t, _)| t <= now) {
                    let (_, resp) = b_due.pop_front().expect("checked");
                    b.push([resp, 0, 0, 0, 0, 0, 0, 0]);
                }
                while r_due.front().is_some_and(|&(t, _, _)| t <= now) {
                    let (_, data, resp) = r_due.pop_front().expect("checked");
                    r.push([data, resp, 0, 0, 0, 0, 0, 0]);
                }
            }
            #[allow(unreachable_code)]
            Ok(())
        });
        Ok(model)
    }
}

/// Watches an AXI4-Lite port: handshake rules on all five channels, and no response
/// without a request.
pub struct AxilMonitor;

impl AxilMonitor {
    pub fn start(tb: &Tb, prefix: &str) -> Result<()> {
        let open = Rc::new(RefCell::new([0i64; 2]));
        let name = prefix.to_string();
        let o = Rc::clone(&open);
        watch_channel(
            tb,
            ChannelPorts::resolve(tb, prefix, "aw", &AW)?,
            Some(Box::new(move |_| {
                o.borrow_mut()[0] += 1;
                Ok(())
            })),
        );
        watch_channel(tb, ChannelPorts::resolve(tb, prefix, "w", &W)?, None);
        let (o, n) = (Rc::clone(&open), name.clone());
        watch_channel(
            tb,
            ChannelPorts::resolve(tb, prefix, "b", &B)?,
            Some(Box::new(move |_| {
                let mut o = o.borrow_mut();
                o[0] -= 1;
                if o[0] < 0 {
                    bail!("{n}: write response with no write outstanding");
                }
                Ok(())
            })),
        );
        let o = Rc::clone(&open);
        watch_channel(
            tb,
            ChannelPorts::resolve(tb, prefix, "ar", &AR)?,
            Some(Box::new(move |_| {
                o.borrow_mut()[1] += 1;
                Ok(())
            })),
        );
        watch_channel(
            tb,
            ChannelPorts::resolve(tb, prefix, "r", &R)?,
            Some(Box::new(move |_| {
                let mut o = open.borrow_mut();
                o[1] -= 1;
                if o[1] < 0 {
                    bail!("{name}: read response with no read outstanding");
                }
                Ok(())
            })),
        );
        Ok(())
    }
}

/// The bits of a 32-bit register a write's byte strobes cover.
pub fn strobe_mask(strb: u8) -> u32 {
    (0..4).filter(|b| strb >> b & 1 != 0).map(|b| 0xFFu32 << (8 * b)).fold(0, |a, m| a | m)
}
