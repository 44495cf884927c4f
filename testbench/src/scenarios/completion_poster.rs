//! The completion poster (`queue::poster`) alone, as the TX and as the RX engine configure
//! it: the testbench is the engine (random post requests, random pops of the outcomes),
//! the queue manager (random grants, answers in order after a random latency, random
//! statuses, other requesters' answers in between) and the DMA windows (a window per
//! function, answered the cycle after it is asked for). Every outcome is checked in order
//! against what the answers and the windows say it must be; the ring asked for must be the
//! oldest request not yet asked for, the whole entry (8 or 16 bytes) must lie in the
//! window, and no more posts may be out than the poster has room for outcomes
//! (`MAX_OUTSTANDING`).
use super::{verilated, Backend, BoxedSim};
use crate::tb::{Tb, TbConfig};
use anyhow::{ensure, Result};
use ferronic_hdl::queue::poster::{CompletionPoster, CompletionRings, MAX_OUTSTANDING, TAG_POST};
use ferronic_sim::native::NativeSim;
use rand::Rng;
use std::collections::VecDeque;

pub fn build(backend: Backend, rings: CompletionRings) -> Result<BoxedSim> {
    Ok(match backend {
        Backend::Verilator => verilated("completion_poster", &format!("{rings:?}"), || CompletionPoster::new(rings))?,
        Backend::RustHdl => Box::new(NativeSim::new(CompletionPoster::new(rings))?),
    })
}

/// The windows of functions 0-3: [base, limit]. Function 3's is empty (limit < base).
const WINDOWS: [(u64, u64); 4] = [(0x1000, 0x1FFF), (0, u64::MAX), (0xFFFF_FFFF_FFFF_F000, u64::MAX), (0x8000, 0x7FFF)];

/// The rings posted to (as the poster was built); rates per cycle of the engine's requests,
/// the port's grants and the engine's pops; and the share of answers refused (status 1 or
/// 2).
#[derive(Clone, Copy, Debug)]
pub struct PosterRun {
    pub rings: CompletionRings,
    pub requests: usize,
    pub request_rate: f64,
    pub grant_rate: f64,
    pub pop_rate: f64,
    pub refuse_rate: f64,
}

/// What the run went through, so a test can see every kind of outcome was met.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PosterReport {
    pub written: usize,
    pub refused: usize,
    pub outside: usize,
    pub cycles: u64,
}

/// One outcome as the engine must see it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Outcome {
    addr: u64,
    phase: bool,
    write: bool,
    refused: bool,
}

/// The completion entry [addr, addr + bytes - 1] lies in function `function`'s window.
fn inside(addr: u64, bytes: u64, function: usize) -> bool {
    let (base, limit) = WINDOWS[function];
    let last = addr.wrapping_add(bytes - 1);
    addr >= base && last <= limit && last >= addr
}

pub fn run(sim: BoxedSim, setup: PosterRun, config: &TbConfig) -> Result<PosterReport> {
    let report = std::rc::Rc::new(std::cell::Cell::new(PosterReport::default()));
    let out = report.clone();
    Tb::run(sim, config, move |tb| async move {
        let (input, output) = (|name: &str| tb.input(name), |name: &str| tb.port(name));
        let [request_valid, request_queue, granted, result_pop] =
            [input("request_valid")?, input("request_queue")?, input("granted")?, input("result_pop")?];
        let [res_valid, res_tag, res_status, res_addr, res_phase, res_function] = [
            input("res_valid")?,
            input("res_tag")?,
            input("res_status")?,
            input("res_addr")?,
            input("res_phase")?,
            input("res_function")?,
        ];
        let [window_base, window_limit] = [input("window_base")?, input("window_limit")?];
        let outputs = [
            output("request_ready")?,
            output("asking")?,
            output("ring")?,
            output("window_function")?,
            output("result_valid")?,
            output("result_addr")?,
            output("result_phase")?,
            output("result_write")?,
            output("result_refused")?,
            output("window_refused")?,
        ];
        for port in [request_valid, granted, res_valid, result_pop] {
            tb.set(port, 0);
        }
        tb.reset(2).await?;
        let mut rng = tb.rng();
        let mut r = PosterReport::default();
        // Requests not yet asked for (their queues), answers due (cycles), outcomes due.
        let mut requests: VecDeque<u64> = VecDeque::new();
        let mut answers_due: VecDeque<u64> = VecDeque::new();
        let mut expected: VecDeque<Outcome> = VecDeque::new();
        let (mut sent, mut popped, mut refusals_seen, mut outside_due) = (0usize, 0usize, 0usize, 0usize);
        // What was driven in the sample phase before, which this cycle shows (an input set
        // in the sample phase appears after the edge: `docs/testbench.md`).
        let (mut requesting, mut queue, mut grant, mut pop) = (false, 0u64, false, false);
        let start = tb.cycle();
        while popped < setup.requests {
            tb.read_only().await;
            let cycle = tb.cycle();
            ensure!(
                cycle < start + 200 * setup.requests as u64 + 1000,
                "cycle {cycle}: {popped} outcomes popped of {}",
                setup.requests
            );
            let [ready, asking, ring, window_function, result_valid, addr, phase, write, refused, window_refused] =
                tb.get_many(&outputs);
            refusals_seen += window_refused as usize;
            // Handshakes at the coming edge: both sides as this cycle shows them.
            if requesting && ready == 1 {
                requests.push_back(queue);
                sent += 1;
            }
            if asking == 1 {
                let oldest = requests.front().copied();
                ensure!(oldest.is_some(), "cycle {cycle}: asking with no request");
                ensure!(
                    ring == oldest.unwrap() << 2 | setup.rings.ring_offset,
                    "cycle {cycle}: asking for ring {ring}, oldest queue {oldest:?}"
                );
            }
            let granted_now = grant && asking == 1;
            if granted_now {
                requests.pop_front();
                answers_due.push_back(cycle + rng.gen_range(0..12));
                ensure!(
                    answers_due.len() + expected.len() <= MAX_OUTSTANDING as usize,
                    "cycle {cycle}: {} posts out and {} outcomes waiting, room for {MAX_OUTSTANDING}",
                    answers_due.len() - 1,
                    expected.len()
                );
            }
            if result_valid == 1 {
                let got = Outcome { addr, phase: phase == 1, write: write == 1, refused: refused == 1 };
                let want = expected.front().copied();
                ensure!(want == Some(got), "cycle {cycle}: outcome {got:x?}, expected {want:x?}");
                if pop {
                    expected.pop_front();
                    popped += 1;
                    r.written += got.write as usize;
                    r.refused += got.refused as usize;
                    r.outside += (!got.write && !got.refused) as usize;
                }
            }

            // Next cycle's drive. The windows: the function asked for now, answered next.
            let (base, limit) = WINDOWS.get(window_function as usize).copied().unwrap_or((u64::MAX, 0));
            tb.set(window_base, base);
            tb.set(window_limit, limit);
            // The front: a request now and then.
            requesting = sent < setup.requests && rng.gen_bool(setup.request_rate);
            queue = rng.gen_range(0..8u64);
            tb.set(request_valid, requesting as u64);
            tb.set(request_queue, queue);
            // The port: a grant now and then, asked for or not (a grant while the poster does
            // not ask is not one).
            grant = rng.gen_bool(setup.grant_rate);
            tb.set(granted, grant as u64);
            // The queue manager: the poster's answer when due (in order), else maybe the
            // front's or the notifier's, which the poster must ignore.
            tb.set(res_valid, 0);
            if answers_due.front().is_some_and(|&due| due <= cycle) {
                answers_due.pop_front();
                let status = if rng.gen_bool(setup.refuse_rate) { rng.gen_range(1..3u64) } else { 0 };
                let function = rng.gen_range(0..4usize);
                let (base, limit) = WINDOWS[function];
                let entry = match rng.gen_range(0..4) {
                    0 => base.wrapping_sub(rng.gen_range(0..16)),
                    1 => limit.wrapping_sub(rng.gen_range(0..16)),
                    _ => rng.gen::<u64>() & !7,
                };
                let entry_phase = rng.gen_bool(0.5);
                for (port, value) in [
                    (res_valid, 1),
                    (res_tag, TAG_POST),
                    (res_status, status),
                    (res_addr, entry),
                    (res_phase, entry_phase as u64),
                    (res_function, function as u64),
                ] {
                    tb.set(port, value);
                }
                let written = status == 0 && inside(entry, setup.rings.entry_bytes, function);
                outside_due += (status == 0 && !written) as usize;
                expected.push_back(Outcome { addr: entry, phase: entry_phase, write: written, refused: status != 0 });
            } else if rng.gen_bool(0.2) {
                let other_tag = [0u64, 0x43][rng.gen_range(0..2)];
                for (port, value) in [(res_valid, 1), (res_tag, other_tag), (res_status, 0), (res_addr, 0x1000)] {
                    tb.set(port, value);
                }
            }
            // The engine: the oldest outcome, popped at random.
            pop = rng.gen_bool(setup.pop_rate);
            tb.set(result_pop, pop as u64);
        }
        tb.cycles(8).await;
        ensure!(
            refusals_seen == outside_due,
            "{refusals_seen} window refusals signalled, {outside_due} entries outside"
        );
        r.cycles = tb.cycle() - start;
        out.set(r);
        Ok(())
    })?;
    Ok(report.get())
}
