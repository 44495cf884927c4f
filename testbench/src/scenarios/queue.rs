//! The queue manager against its reference model: host register accesses through the
//! AXI4-Lite master, engine operations on `op_*`, interrupts on `msix_*`, every bus under
//! its own idle or backpressure pattern. Host accesses and engine operations run in
//! alternating phases, so the order the model applies them in is the order the hardware
//! did; within an operation phase operations stream back to back (same ring and different
//! rings), which is what exercises the pipeline.
use super::{verilated, Backend, SimResult};
use crate::bfm::channel::{watch_channel, ChannelPorts, ChannelSink, ChannelSource};
use crate::bfm::{AxilMaster, AxilMonitor, Pattern};
use crate::models::queue::{Op, OpResult, QueueModel, STATUS_OK};
use crate::tb::{Tb, TbConfig};
use anyhow::{ensure, Result};
use ferronic_hdl::queue::manager::QueueManager;
use ferronic_sim::native::NativeSim;
use std::cell::RefCell;
use std::rc::Rc;

pub fn build(backend: Backend, rings: usize) -> SimResult {
    let name = format!("queue_manager_{rings}");
    Ok(match backend {
        Backend::Verilator => verilated(&name, "", || QueueManager::new(rings))?,
        Backend::RustHdl => Box::new(NativeSim::new(QueueManager::new(rings))?),
    })
}

/// One step of a scenario.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    Write { addr: u32, data: u32, strb: u8 },
    Read { addr: u32 },
    Op { ring: u8, op: Op },
}

#[derive(Clone, Debug)]
pub struct QueueRun {
    pub rings: usize,
    /// Steps in order; consecutive operations form one streamed phase.
    pub steps: Vec<Step>,
    pub host_idle: Pattern,
    pub host_backpressure: Pattern,
    pub op_idle: Pattern,
    pub msix_backpressure: Pattern,
    /// Hold `msix_ready` low throughout: interrupts pile up in the block's queue.
    pub msix_blocked: bool,
}

#[derive(Clone, Debug, Default)]
pub struct QueueReport {
    pub ops: u64,
    /// Cycles from the first operation accepted to the last response, summed over phases.
    pub op_cycles: u64,
    /// Cycles from each accepted operation to its response (all the same when correct).
    pub latencies: Vec<u64>,
    pub interrupts: usize,
    /// The final model, for tests that check counters.
    pub model: Option<QueueModel>,
}

/// A response as `res_*` showed it, with the cycle.
#[derive(Clone, Copy, Debug)]
struct Response {
    cycle: u64,
    tag: u8,
    ring: u8,
    result: OpResult,
}

/// Equal as far as the contract says: the entry fields mean something only for a take or
/// post that succeeded.
fn same(op: Op, got: &OpResult, want: &OpResult) -> bool {
    got.status == want.status
        && (want.status != STATUS_OK
            || !matches!(op, Op::Take | Op::Post)
            || (got.addr == want.addr
                && got.index == want.index
                && got.phase == want.phase
                && got.function == want.function))
}

pub fn run(sim: crate::scenarios::BoxedSim, setup: QueueRun, seed: u64) -> Result<QueueReport> {
    let report = Rc::new(RefCell::new(QueueReport::default()));
    let out = Rc::clone(&report);
    Tb::run(sim, &TbConfig::new(seed), move |tb| async move {
        tb.reset(2).await?;
        AxilMonitor::start(&tb, "s_axil")?;
        let host = AxilMaster::start(&tb, "s_axil", setup.host_idle, setup.host_backpressure)?;
        let op_ports = ChannelPorts::resolve(&tb, "op", "", &["ring", "code", "tag"])?;
        watch_channel(&tb, op_ports.clone(), None);
        let ops = ChannelSource::start(&tb, op_ports.clone(), setup.op_idle);
        let msix_ports = ChannelPorts::resolve(&tb, "msix", "", &["vector", "function"])?;
        watch_channel(&tb, msix_ports.clone(), None);
        let msix = if setup.msix_blocked {
            tb.set(msix_ports.ready, 0);
            None
        } else {
            Some(ChannelSink::start(&tb, msix_ports, setup.msix_backpressure))
        };

        // Accepted operations and responses, with their cycles.
        let accepted = Rc::new(RefCell::new(Vec::<u64>::new()));
        let responses = Rc::new(RefCell::new(Vec::<Response>::new()));
        {
            let (accepted, responses, watch) = (Rc::clone(&accepted), Rc::clone(&responses), tb.clone());
            let res: Vec<_> = [
                "res_valid",
                "res_tag",
                "res_ring",
                "res_status",
                "res_addr",
                "res_index",
                "res_phase",
                "res_function",
            ]
            .iter()
            .map(|p| tb.port(p))
            .collect::<Result<_>>()?;
            let res: [_; 8] = res.try_into().expect("eight response ports");
            let handshake = [op_ports.valid, op_ports.ready];
            tb.spawn(async move {
                loop {
                    watch.read_only().await;
                    let [v, r] = watch.get_many(&handshake);
                    if v != 0 && r != 0 {
                        accepted.borrow_mut().push(watch.cycle());
                    }
                    let [valid, tag, ring, status, addr, index, phase, function] = watch.get_many(&res);
                    if valid != 0 {
                        let result = OpResult {
                            status: status as u8,
                            addr,
                            index: index as u16,
                            phase: phase != 0,
                            function: function as u8,
                        };
                        responses.borrow_mut().push(Response {
                            cycle: watch.cycle(),
                            tag: tag as u8,
                            ring: ring as u8,
                            result,
                        });
                    }
                }
                #[allow(unreachable_code)]
                Ok(())
            });
        }

        let mut model = QueueModel::new(setup.rings);
        if !setup.msix_blocked {
            // Interrupts drain as they come: the block's queue never fills in these runs.
            model.irq_capacity = usize::MAX;
        }
        let mut i = 0;
        let mut issued = 0usize;
        while i < setup.steps.len() {
            match setup.steps[i] {
                Step::Write { addr, data, strb } => {
                    let got = tb.with_timeout(2000, "a register write", host.write(addr as u64, data, strb)).await?;
                    let want = model.write(addr, data, strb);
                    ensure!(got == want, "step {i}: write {addr:#x} = {data:#x}/{strb:#x}: BRESP {got}, model {want}");
                    i += 1;
                }
                Step::Read { addr } => {
                    let got = tb.with_timeout(2000, "a register read", host.read(addr as u64)).await?;
                    let want = model.read(addr);
                    ensure!(got == want, "step {i}: read {addr:#x}: {got:x?}, model {want:x?}");
                    i += 1;
                }
                Step::Op { .. } => {
                    // Stream every operation up to the next host step.
                    let mut wants = Vec::new();
                    while let Some(Step::Op { ring, op }) = setup.steps.get(i) {
                        ops.push([*ring as u64, *op as u64, (i & 0xFF) as u64, 0, 0, 0, 0, 0]);
                        wants.push((i, *ring, *op, model.op(*ring, *op)));
                        i += 1;
                    }
                    let until = issued + wants.len();
                    let seen = Rc::clone(&responses);
                    tb.wait_until(200 + 20 * wants.len() as u64, "a response to every operation", move |_| {
                        seen.borrow().len() >= until
                    })
                    .await?;
                    let got = responses.borrow()[issued..until].to_vec();
                    for ((step, ring, op, want), got) in wants.iter().zip(&got) {
                        ensure!(
                            got.tag == (*step & 0xFF) as u8 && got.ring == *ring,
                            "step {step}: response for tag {} ring {}, want tag {} ring {ring}",
                            got.tag,
                            got.ring,
                            step & 0xFF
                        );
                        ensure!(
                            same(*op, &got.result, want),
                            "step {step}: {:?} on ring {ring}: {:x?}, model {want:x?}",
                            setup.steps[*step],
                            got.result
                        );
                    }
                    let acc = accepted.borrow();
                    let mut r = out.borrow_mut();
                    r.ops += wants.len() as u64;
                    r.op_cycles += got.last().map_or(0, |g| g.cycle) + 1 - acc[issued];
                    r.latencies.extend(got.iter().zip(&acc[issued..until]).map(|(g, a)| g.cycle - a));
                    issued = until;
                }
            }
        }
        // Every interrupt, in order.
        let want: Vec<(u8, u8)> = model.interrupts.iter().copied().collect();
        let n = want.len();
        if let Some(msix) = msix {
            let sink = msix.clone();
            tb.wait_until(200 + 10 * n as u64, "every interrupt", move |_| sink.len() >= n).await?;
            tb.cycles(20).await;
            let mut got = Vec::new();
            while let Some((_, p)) = msix.pop() {
                got.push((p[0] as u8, p[1] as u8));
            }
            ensure!(got == want, "interrupts (vector, function): {got:?}, model {want:?}");
        }
        let mut r = out.borrow_mut();
        r.interrupts = n;
        model.interrupts.clear();
        r.model = Some(model);
        Ok(())
    })?;
    let result = report.borrow().clone();
    Ok(result)
}
