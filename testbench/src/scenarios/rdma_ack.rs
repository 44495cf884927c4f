//! The ACK sender against the acknowledgement model (`models::rdma::Ack`): random requests
//! offered with random idle, frames taken under random backpressure. Every frame must be
//! the model's byte for byte (its IPv4 checksum and ICRC included), each request gives
//! exactly one frame, in order, and `sent` counts them.
use super::{verilated, Backend, BoxedSim};
use crate::bfm::pattern::Throttle;
use crate::bfm::{AxisMonitor, AxisSink, FrameCollector, Pattern};
use crate::models::ethernet::be_number;
use crate::models::rdma::{decode, Ack, PSN_MASK, SYNDROME_ACK};
use crate::tb::{Tb, TbConfig};
use anyhow::{ensure, Result};
use ferronic_hdl::rdma::ack::RdmaAck;
use ferronic_sim::native::NativeSim;
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

pub fn build(backend: Backend) -> Result<BoxedSim> {
    Ok(match backend {
        Backend::Verilator => verilated("rdma_ack", "", RdmaAck::default)?,
        Backend::RustHdl => Box::new(NativeSim::new(RdmaAck::default())?),
    })
}

/// The request ports, in the order of [`request_fields`]' values.
const REQUEST_PORTS: [&str; 10] = [
    "req_dst_mac",
    "req_src_mac",
    "req_src_ip",
    "req_dst_ip",
    "req_src_port",
    "req_pkey",
    "req_dest_qp",
    "req_psn",
    "req_syndrome",
    "req_msn",
];

fn request_fields(a: &Ack) -> [u64; 10] {
    [
        be_number(&a.dst_mac),
        be_number(&a.src_mac),
        be_number(&a.src_ip),
        be_number(&a.dst_ip),
        a.src_port as u64,
        a.pkey as u64,
        a.dest_qp as u64,
        a.psn as u64,
        a.syndrome as u64,
        a.msn as u64,
    ]
}

/// Random acknowledgements: any addresses, ports and numbers (the extremes now and then,
/// so a checksum that carries out of 16 bits is met), mostly the ACK syndrome.
pub fn random_acks(count: usize, seed: u64) -> Vec<Ack> {
    let mut rng = SmallRng::seed_from_u64(seed);
    (0..count)
        .map(|_| {
            let extreme = rng.gen_range(0..8);
            let number = |rng: &mut SmallRng| match extreme {
                0 => 0,
                1 => u32::MAX,
                _ => rng.gen(),
            };
            Ack {
                src_mac: rng.gen(),
                dst_mac: rng.gen(),
                src_ip: number(&mut rng).to_be_bytes(),
                dst_ip: number(&mut rng).to_be_bytes(),
                src_port: number(&mut rng) as u16,
                pkey: number(&mut rng) as u16,
                dest_qp: number(&mut rng) & PSN_MASK,
                psn: number(&mut rng) & PSN_MASK,
                syndrome: if rng.gen_bool(0.7) { SYNDROME_ACK } else { number(&mut rng) as u8 },
                msn: number(&mut rng) & PSN_MASK,
            }
        })
        .collect()
}

/// Runs the requests through the block; returns the cycles it took.
pub fn run(sim: BoxedSim, acks: Vec<Ack>, idle: Pattern, backpressure: Pattern, config: &TbConfig) -> Result<u64> {
    let cycles = std::rc::Rc::new(std::cell::Cell::new(0));
    let out = cycles.clone();
    Tb::run(sim, config, move |tb| async move {
        tb.reset(3).await?;
        AxisMonitor::start(&tb, "m_axis")?;
        let sink = AxisSink::start(&tb, "m_axis", backpressure)?;
        let fields: Vec<_> = REQUEST_PORTS.iter().map(|n| tb.port(n)).collect::<Result<_>>()?;
        let (valid, ready, sent) = (tb.port("req_valid")?, tb.port("req_ready")?, tb.port("sent")?);
        let mut throttle = Throttle::new(idle, tb.rng());
        let start = tb.cycle();
        // At 80% idle and backpressure a frame's 8 beats take about 40 cycles.
        let deadline = start + 200 + 80 * acks.len() as u64;
        let mut offered = 0;
        let mut offering = false;
        let mut received = 0;
        let mut frames = FrameCollector::default();
        tb.set(valid, 0);
        while received < acks.len() {
            ensure!(tb.cycle() < deadline, "{} of {} ACK frames out", received, acks.len());
            tb.read_only().await;
            if offering && tb.get(ready) != 0 {
                offering = false;
                offered += 1;
            }
            if !offering && offered < acks.len() && !throttle.hold() {
                for (&port, value) in fields.iter().zip(request_fields(&acks[offered])) {
                    tb.set(port, value);
                }
                offering = true;
            }
            tb.set(valid, offering as u64);
            for frame in frames.take(&sink, "m_axis")? {
                ensure!(received < offered, "a frame came out before its request was taken");
                let want = acks[received].encode();
                ensure!(frame == want, "ACK {received}: frame\n{frame:02x?}\nexpected\n{want:02x?}");
                // The model's frame is its own; the decoder checks its ICRC apart from it.
                ensure!(decode(&frame).is_ok(), "ACK {received}: the decoder refuses the frame");
                received += 1;
            }
        }
        tb.cycles(4).await;
        ensure!(offered == acks.len(), "{} requests taken for {} frames", offered, acks.len());
        ensure!(tb.get(sent) == acks.len() as u64, "sent {}, expected {}", tb.get(sent), acks.len());
        out.set(tb.cycle() - start);
        Ok(())
    })?;
    Ok(cycles.get())
}
