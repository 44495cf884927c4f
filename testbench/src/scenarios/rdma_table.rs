//! The RDMA transaction table against the table model (`models::rdma::TransactionTable`):
//! installs, retires and lookups in any mix, driven with random idle cycles. Every answer
//! must come at its documented latency and match the model's — status and entry of each
//! command, hit, entry, packet index, last flag and context of each lookup — and the entry
//! count must follow the model's.
use super::{verilated, Backend, BoxedSim};
use crate::bfm::pattern::{Pattern, Throttle};
use crate::models::rdma::{
    path_mtu_code, InstallError, Transaction, TransactionTable, MAX_TRANSACTION_PACKETS, PSN_MASK,
};
use crate::tb::{Tb, TbConfig};
use anyhow::{bail, ensure, Result};
use ferronic_hdl::rdma::table::{
    TransactionTable256, TransactionTable4096, COMMAND_LATENCY, LOOKUP_LATENCY, STATUS_FULL, STATUS_INVALID,
    STATUS_NOT_FOUND, STATUS_OK, STATUS_OVERLAPS,
};
use ferronic_sim::native::NativeSim;
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use std::collections::VecDeque;

/// The table of `entries` entries (256 or 4096) on `backend`.
pub fn build(backend: Backend, entries: usize) -> Result<BoxedSim> {
    Ok(match (backend, entries) {
        (Backend::Verilator, 256) => verilated("rdma_table", "", TransactionTable256::default)?,
        (Backend::Verilator, 4096) => verilated("rdma_table4096", "", TransactionTable4096::default)?,
        (Backend::RustHdl, 256) => Box::new(NativeSim::new(TransactionTable256::default())?),
        (Backend::RustHdl, 4096) => Box::new(NativeSim::new(TransactionTable4096::default())?),
        _ => bail!("the table is built with 256 or 4096 entries, not {entries}"),
    })
}

/// One operation on the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TableOp {
    Install(Transaction),
    Retire { qp: u32, first_psn: u32 },
    Lookup { qp: u32, psn: u32 },
}

/// What the table answered over a run, by kind.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TableReport {
    pub installed: u64,
    pub full: u64,
    pub overlaps: u64,
    pub invalid: u64,
    pub retired: u64,
    pub not_found: u64,
    pub lookups: u64,
    pub hits: u64,
    /// Cycles from the first operation offered to the last answer.
    pub cycles: u64,
}

/// The `cmd_path_mtu` value for an MTU: its path MTU code; for the invalid sizes tests use
/// (128, 8192, 16384 bytes) the codes 0, 6 and 7.
fn path_mtu_port(mtu: u32) -> u64 {
    match path_mtu_code(mtu) {
        Some(code) => code as u64,
        None => {
            assert!(mtu.is_power_of_two() && (128..=16384).contains(&mtu), "no port value means MTU {mtu}");
            (mtu.trailing_zeros() - 7) as u64
        }
    }
}

/// The `cmd_*` values of an install after `cmd_retire`/`cmd_op`: QP, first PSN, packets, VA,
/// length, R_Key, path MTU, CQ, function (the table's and the decider's command ports).
pub fn install_fields(t: &Transaction) -> [u64; 9] {
    [
        t.qp as u64,
        t.first_psn as u64,
        t.packets as u64,
        t.va,
        t.length as u64,
        t.rkey as u64,
        path_mtu_port(t.mtu),
        t.cq as u64,
        t.function as u64,
    ]
}

/// The answer (`done_status`, entry) the model's install result calls for.
pub fn install_answer(result: Result<usize, InstallError>) -> (u64, Option<usize>) {
    match result {
        Ok(entry) => (STATUS_OK, Some(entry)),
        Err(InstallError::Invalid) => (STATUS_INVALID, None),
        Err(InstallError::Overlaps) => (STATUS_OVERLAPS, None),
        Err(InstallError::Full) => (STATUS_FULL, None),
    }
}

/// Random operations that keep a few rows busy: QPs from a small pool sharing two rows (so
/// rows fill up and ranges of one QP clash), PSNs near a per-QP base (some bases just
/// below the 24-bit wrap), now and then an invalid install or a random QP; retires of
/// transactions installed earlier or never; lookups inside, around and outside them.
pub fn random_ops(count: usize, seed: u64, entries: usize) -> Vec<TableOp> {
    let mut rng = SmallRng::seed_from_u64(seed);
    let rows = (entries / 4) as u32;
    let pool: Vec<(u32, u32)> = (0..6)
        .map(|i| {
            let qp = (i % 2 + rng.gen_range(0..(1u32 << 24) / rows) * rows) & PSN_MASK;
            let base = if rng.gen() { rng.gen_range(0..=PSN_MASK) } else { PSN_MASK - rng.gen_range(0..100) };
            (qp, base)
        })
        .collect();
    let mut installed: Vec<(u32, u32)> = Vec::new();
    let mut ops = Vec::with_capacity(count);
    while ops.len() < count {
        let (mut qp, base) = pool[rng.gen_range(0..pool.len())];
        if rng.gen_range(0..20) == 0 {
            qp = rng.gen_range(0..=PSN_MASK);
        }
        let near_base = |rng: &mut SmallRng, spread: u32| (base + rng.gen_range(0..spread)) & PSN_MASK;
        match rng.gen_range(0..20) {
            0..=4 => {
                let packets = match rng.gen_range(0..30) {
                    0 => 0,
                    1 => MAX_TRANSACTION_PACKETS + rng.gen_range(1..10),
                    2 => MAX_TRANSACTION_PACKETS,
                    3..=6 => rng.gen_range(1..3000),
                    _ => rng.gen_range(1..=40),
                };
                let mtu = match rng.gen_range(0..30) {
                    0 => [128, 8192, 16384][rng.gen_range(0..3)],
                    _ => 256 << rng.gen_range(0..5),
                };
                let t = Transaction {
                    qp,
                    first_psn: near_base(&mut rng, 200),
                    packets,
                    va: rng.gen(),
                    length: rng.gen(),
                    rkey: rng.gen(),
                    mtu,
                    cq: rng.gen(),
                    function: rng.gen(),
                };
                installed.push((t.qp, t.first_psn));
                ops.push(TableOp::Install(t));
            }
            5 | 6 => {
                let (qp, first_psn) = match installed.len() {
                    n if n > 0 && rng.gen_range(0..3) > 0 => installed[rng.gen_range(0..n)],
                    _ => (qp, near_base(&mut rng, 200)),
                };
                ops.push(TableOp::Retire { qp, first_psn });
            }
            _ => {
                // Runs of lookups, as packets bring them.
                for _ in 0..rng.gen_range(1..6) {
                    let psn = (near_base(&mut rng, 300) + PSN_MASK + 1 - 20) & PSN_MASK;
                    ops.push(TableOp::Lookup { qp, psn });
                }
            }
        }
    }
    ops.truncate(count);
    ops
}

/// An answer the table owes, and the cycle it is due.
struct Due<T> {
    cycle: u64,
    what: T,
    op: TableOp,
}

/// Runs `ops` through the table of `entries` entries, offering each after random idle
/// cycles (`idle`), and checks every answer against the model.
pub fn run(sim: BoxedSim, entries: usize, ops: Vec<TableOp>, idle: Pattern, config: &TbConfig) -> Result<TableReport> {
    let report = std::rc::Rc::new(std::cell::RefCell::new(TableReport::default()));
    let out = report.clone();
    Tb::run(sim, config, move |tb| async move {
        tb.reset(3).await?;
        let p = |n: &str| tb.port(n);
        let [cmd_valid, cmd_ready, lookup_valid, lookup_ready, done_valid, result_valid, entries_port] =
            ["cmd_valid", "cmd_ready", "lookup_valid", "lookup_ready", "done_valid", "result_valid", "entries"].map(p);
        let (cmd_valid, cmd_ready, lookup_valid, lookup_ready) = (cmd_valid?, cmd_ready?, lookup_valid?, lookup_ready?);
        let (done_valid, result_valid, entries_port) = (done_valid?, result_valid?, entries_port?);
        let cmd_fields = [
            "cmd_retire",
            "cmd_qp",
            "cmd_first_psn",
            "cmd_packets",
            "cmd_va",
            "cmd_length",
            "cmd_rkey",
            "cmd_path_mtu",
            "cmd_cq",
            "cmd_function",
        ]
        .map(p);
        let cmd_fields: Vec<_> = cmd_fields.into_iter().collect::<Result<_>>()?;
        let [lookup_qp, lookup_psn, done_status, done_entry] =
            ["lookup_qp", "lookup_psn", "done_status", "done_entry"].map(p);
        let (lookup_qp, lookup_psn, done_status, done_entry) = (lookup_qp?, lookup_psn?, done_status?, done_entry?);
        let result_fields = [
            "result_hit",
            "result_entry",
            "result_offset",
            "result_last",
            "result_va",
            "result_length",
            "result_rkey",
            "result_path_mtu",
            "result_cq",
            "result_function",
        ]
        .map(p);
        let result_fields: Vec<_> = result_fields.into_iter().collect::<Result<_>>()?;

        // The sweep that clears the rows after reset: one row per cycle.
        tb.wait_until(entries as u64 / 4 + 20, "the table to finish clearing", |tb| tb.get(lookup_ready) != 0).await?;

        let mut model = TransactionTable::new(entries);
        let mut throttle = Throttle::new(idle, tb.rng());
        let mut pending: VecDeque<TableOp> = ops.into();
        let mut offered: Option<TableOp> = None;
        let mut done_due: VecDeque<Due<(u64, Option<usize>)>> = VecDeque::new();
        let mut result_due: VecDeque<Due<Option<(usize, Transaction)>>> = VecDeque::new();
        let mut counts = TableReport::default();
        let start = tb.cycle();
        let deadline = start + 100 + 20 * pending.len() as u64;
        loop {
            tb.read_only().await;
            let now = tb.cycle();
            ensure!(
                now < deadline,
                "hung: {} operations left, {} answers owed",
                pending.len(),
                done_due.len() + result_due.len()
            );
            // Answers due this cycle, and none that is not (before this cycle's handshake: no
            // answer is due the cycle its operation is taken).
            if tb.get(done_valid) != 0 {
                let Some(due) = done_due.pop_front() else { bail!("cycle {now}: an answer to no command") };
                ensure!(due.cycle == now, "{:?}: answered at cycle {now}, due at {}", due.op, due.cycle);
                let got = (tb.get(done_status), tb.get(done_entry));
                let (status, entry) = due.what;
                // The entry number matters when something was installed or retired.
                let want = (status, entry.map_or(got.1, |e| e as u64));
                ensure!(got == want, "{:?}: (status, entry) {got:?}, the model says {want:?}", due.op);
                let count = tb.get(entries_port);
                ensure!(count == model.len() as u64, "{:?}: {count} entries, the model has {}", due.op, model.len());
                match (due.op, status) {
                    (TableOp::Install(_), STATUS_OK) => counts.installed += 1,
                    (_, STATUS_OK) => counts.retired += 1,
                    (_, STATUS_FULL) => counts.full += 1,
                    (_, STATUS_OVERLAPS) => counts.overlaps += 1,
                    (_, STATUS_INVALID) => counts.invalid += 1,
                    _ => counts.not_found += 1,
                }
            } else if let Some(due) = done_due.front() {
                ensure!(due.cycle > now, "{:?}: no answer at cycle {}", due.op, due.cycle);
            }
            if tb.get(result_valid) != 0 {
                let Some(due) = result_due.pop_front() else { bail!("cycle {now}: a result for no lookup") };
                ensure!(due.cycle == now, "{:?}: result at cycle {now}, due at {}", due.op, due.cycle);
                let got: Vec<u64> = result_fields.iter().map(|&f| tb.get(f)).collect();
                let TableOp::Lookup { psn, .. } = due.op else { unreachable!("results answer lookups") };
                let want: Vec<u64> = match due.what {
                    None => vec![0],
                    Some((entry, t)) => {
                        let offset = psn.wrapping_sub(t.first_psn) & PSN_MASK;
                        vec![
                            1,
                            entry as u64,
                            offset as u64,
                            (offset + 1 == t.packets) as u64,
                            t.va,
                            t.length as u64,
                            t.rkey as u64,
                            path_mtu_port(t.mtu),
                            t.cq as u64,
                            t.function as u64,
                        ]
                    }
                };
                // A miss says only that.
                let got = &got[..want.len()];
                ensure!(
                    got == want,
                    "{:?}: (hit, entry, offset, last, VA, length, R_Key, path MTU, CQ, function) {got:x?}, the model says {want:x?}",
                    due.op
                );
                counts.lookups += 1;
                counts.hits += want[0];
            } else if let Some(due) = result_due.front() {
                ensure!(due.cycle > now, "{:?}: no result at cycle {}", due.op, due.cycle);
            }
            // The offered operation was taken this cycle: the model does it now.
            if let Some(op) = offered {
                let taken = match op {
                    TableOp::Lookup { .. } => tb.get(lookup_ready) != 0,
                    _ => tb.get(cmd_ready) != 0,
                };
                if taken {
                    offered = None;
                    match op {
                        TableOp::Install(t) => {
                            let (status, entry) = install_answer(model.install(t));
                            done_due.push_back(Due { cycle: now + COMMAND_LATENCY, what: (status, entry), op });
                        }
                        TableOp::Retire { qp, first_psn } => {
                            let entry = model.retire(qp, first_psn);
                            let status = if entry.is_some() { STATUS_OK } else { STATUS_NOT_FOUND };
                            done_due.push_back(Due { cycle: now + COMMAND_LATENCY, what: (status, entry), op });
                        }
                        TableOp::Lookup { qp, psn } => {
                            result_due.push_back(Due { cycle: now + LOOKUP_LATENCY, what: model.lookup(qp, psn), op });
                        }
                    }
                }
            }
            if offered.is_none() && pending.is_empty() && done_due.is_empty() && result_due.is_empty() {
                break;
            }
            // Offer the next operation (a valid, once raised, stays until taken).
            if offered.is_none() && !throttle.hold() {
                offered = pending.pop_front();
                match offered {
                    Some(TableOp::Install(t)) => {
                        tb.set(cmd_fields[0], 0);
                        for (&port, value) in cmd_fields[1..].iter().zip(install_fields(&t)) {
                            tb.set(port, value);
                        }
                    }
                    Some(TableOp::Retire { qp, first_psn }) => {
                        tb.set(cmd_fields[0], 1);
                        tb.set(cmd_fields[1], qp as u64);
                        tb.set(cmd_fields[2], first_psn as u64);
                    }
                    Some(TableOp::Lookup { qp, psn }) => {
                        tb.set(lookup_qp, qp as u64);
                        tb.set(lookup_psn, psn as u64);
                    }
                    None => {}
                }
            }
            tb.set(lookup_valid, matches!(offered, Some(TableOp::Lookup { .. })) as u64);
            tb.set(cmd_valid, matches!(offered, Some(TableOp::Install(_) | TableOp::Retire { .. })) as u64);
        }
        counts.cycles = tb.cycle() - start;
        *out.borrow_mut() = counts;
        Ok(())
    })?;
    let r = report.borrow().clone();
    Ok(r)
}
