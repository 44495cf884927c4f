//! The RDMA registers against the register map: random field writes with random byte
//! strobes read back as the map's fields say, a command issued shows its fields on the
//! command port and stays busy until its answer, writes to the command while it is busy are
//! refused (SLVERR, counted, nothing changes), read-only registers ignore writes, addresses
//! past the last register answer DECERR, counters read the inputs — under idle and
//! backpressure on `s_axil_` and a command port that takes its time.
use super::{verilated, Backend, BoxedSim, SimResult};
use crate::bfm::axi4::{DECERR, OKAY, SLVERR};
use crate::bfm::axil::strobe_mask;
use crate::bfm::{AxilMaster, AxilMonitor, Pattern};
use crate::tb::{Tb, TbConfig};
use anyhow::{ensure, Result};
use ferronic_hdl::rdma::registers::RdmaRegisters;
use ferronic_hdl::regs::nic::*;
use ferronic_hdl::regs::{Access, Register};
use ferronic_sim::native::NativeSim;
use rand::Rng;

pub fn build(backend: Backend) -> SimResult {
    Ok(match backend {
        Backend::Verilator => verilated("rdma_registers", "", RdmaRegisters::default)?,
        Backend::RustHdl => Box::new(NativeSim::new(RdmaRegisters::default())?),
    })
}

/// The command registers (written by the host), in map order up to the issue register.
const COMMAND: [Register; 8] = [
    RDMA_CMD_QP,
    RDMA_CMD_PSN,
    RDMA_CMD_PACKETS,
    RDMA_CMD_VA_LO,
    RDMA_CMD_VA_HI,
    RDMA_CMD_LENGTH,
    RDMA_CMD_RKEY,
    RDMA_CMD_PARAMS,
];
/// The counter inputs, in map order from `rdma_roce_frames`.
const COUNTER_PORTS: [&str; 13] = [
    "roce_frames",
    "icrc_errors",
    "truncated_frames",
    "placed_packets",
    "dropped_duplicates",
    "software_packets",
    "mac_errors",
    "write_errors",
    "entries",
    "window_errors",
    "cq_lost",
    "acks_sent",
    "ack_drops",
];

/// The bits a register holds: its writable fields.
fn writable(r: &Register) -> u32 {
    r.fields.iter().filter(|f| f.access == Access::Rw).map(|f| f.mask()).fold(0, |a, m| a | m)
}

/// Runs `commands` rounds of: random field writes, a read-back of all, a command issued and
/// answered after a random delay with writes attempted while it is busy; then checks the
/// read-only and unmapped registers.
pub fn run(sim: BoxedSim, commands: usize, idle: Pattern, backpressure: Pattern, config: &TbConfig) -> Result<()> {
    Tb::run(sim, config, move |tb| async move {
        let (cmd_ready, done_valid) = (tb.input("cmd_ready")?, tb.input("done_valid")?);
        let (done_status, done_entry) = (tb.input("done_status")?, tb.input("done_entry")?);
        tb.set(cmd_ready, 0);
        tb.set(done_valid, 0);
        tb.reset(2).await?;
        AxilMonitor::start(&tb, "s_axil")?;
        let host = AxilMaster::start(&tb, "s_axil", idle, backpressure)?;
        let mut rng = tb.rng();
        let counters: Vec<u64> = COUNTER_PORTS.iter().map(|_| rng.gen::<u32>() as u64).collect();
        for (name, &value) in COUNTER_PORTS.iter().zip(&counters) {
            tb.set(tb.input(name)?, value);
        }
        let mut held = [0u32; 8];
        let mut refused = 0u32;
        for round in 0..commands {
            // Field writes with random strobes, then every register read back.
            for _ in 0..12 {
                let k = rng.gen_range(0..COMMAND.len());
                let (value, strb) = (rng.gen::<u32>(), rng.gen_range(0..16u8));
                let resp = host.write(COMMAND[k].offset as u64, value, strb).await;
                ensure!(resp == OKAY, "round {round}: writing {} answered {resp}", COMMAND[k].name);
                let mask = strobe_mask(strb) & writable(&COMMAND[k]);
                held[k] = (held[k] & !mask) | (value & mask);
            }
            for (k, r) in COMMAND.iter().enumerate() {
                let (got, resp) = host.read(r.offset as u64).await;
                ensure!(
                    resp == OKAY && got == held[k],
                    "round {round}: {} reads {got:#x} ({resp}), want {:#x}",
                    r.name,
                    held[k]
                );
            }
            // Issue: the fields on the port, busy until the answer.
            let op = rng.gen_range(0..4u32);
            ensure!(host.write(RDMA_CMD_ISSUE.offset as u64, op, 1).await == OKAY, "issue refused while idle");
            tb.wait_until(20, "cmd_valid after an issue", |tb| tb.get(tb.port("cmd_valid").unwrap()) != 0).await?;
            let port = |name: &str| tb.get(tb.port(name).unwrap());
            let want = [
                ("cmd_op", op as u64),
                ("cmd_qp", held[0] as u64),
                ("cmd_first_psn", held[1] as u64),
                ("cmd_packets", held[2] as u64),
                ("cmd_va", held[3] as u64 | (held[4] as u64) << 32),
                ("cmd_length", held[5] as u64),
                ("cmd_rkey", held[6] as u64),
                ("cmd_path_mtu", RDMA_PARAMS_PATH_MTU.get(held[7]) as u64),
                ("cmd_function", RDMA_PARAMS_FUNCTION.get(held[7]) as u64),
                ("cmd_cq", RDMA_PARAMS_CQ.get(held[7]) as u64),
            ];
            for (name, value) in want {
                ensure!(port(name) == value, "round {round}: {name} = {:#x}, want {value:#x}", port(name));
            }
            // While busy: result says so; writes to the command are refused and change nothing.
            let (result, _) = host.read(RDMA_CMD_RESULT.offset as u64).await;
            ensure!(RDMA_RESULT_BUSY.get(result) == 1, "round {round}: not busy after an issue ({result:#x})");
            for _ in 0..rng.gen_range(1..4) {
                let target = if rng.gen_bool(0.3) { RDMA_CMD_ISSUE } else { COMMAND[rng.gen_range(0..COMMAND.len())] };
                let resp = host.write(target.offset as u64, rng.gen(), 0xF).await;
                ensure!(resp == SLVERR, "round {round}: writing {} while busy answered {resp}", target.name);
                refused += 1;
            }
            ensure!(port("cmd_valid") == 1, "the command was withdrawn before it was taken");
            tb.set(cmd_ready, 1);
            tb.rising_edge().await;
            tb.set(cmd_ready, 0);
            tb.cycles(2).await;
            ensure!(port("cmd_valid") == 0, "round {round}: the command is still offered after it was taken");
            let (status, entry) = (rng.gen_range(0..8u64), rng.gen_range(0..4096u64));
            tb.cycles(rng.gen_range(0..30)).await;
            tb.set(done_status, status);
            tb.set(done_entry, entry);
            tb.set(done_valid, 1);
            tb.rising_edge().await;
            tb.set(done_valid, 0);
            let (result, resp) = host.read(RDMA_CMD_RESULT.offset as u64).await;
            let got = (
                RDMA_RESULT_BUSY.get(result),
                RDMA_RESULT_STATUS.get(result) as u64,
                RDMA_RESULT_ENTRY.get(result) as u64,
            );
            ensure!(
                resp == OKAY && got == (0, status, entry),
                "round {round}: result {got:?}, want (0, {status}, {entry})"
            );
            let (issued, _) = host.read(RDMA_CMD_ISSUE.offset as u64).await;
            ensure!(issued == op, "round {round}: rdma_cmd_issue reads {issued}, the op issued was {op}");
        }
        for (k, r) in COMMAND.iter().enumerate() {
            let (got, _) = host.read(r.offset as u64).await;
            ensure!(got == held[k], "{} changed by refused writes: {got:#x}, want {:#x}", r.name, held[k]);
        }
        // Read-only registers ignore writes; counters read the inputs.
        let read_only = [
            RDMA_CMD_REFUSED,
            RDMA_ROCE_FRAMES,
            RDMA_ICRC_ERRORS,
            RDMA_TRUNCATED,
            RDMA_PLACED,
            RDMA_DUPLICATES,
            RDMA_SOFTWARE,
            RDMA_MAC_ERRORS,
            RDMA_WRITE_ERRORS,
            RDMA_ENTRIES,
            RDMA_WINDOW_ERRORS,
            RDMA_CQ_LOST,
            RDMA_ACKS_SENT,
            RDMA_ACK_DROPS,
        ];
        let mut want_read_only = vec![refused as u64];
        want_read_only.extend(counters.iter().enumerate().map(|(i, &c)| if i == 8 { c & 0x1FFF } else { c }));
        for (r, want) in read_only.iter().zip(want_read_only) {
            ensure!(
                host.write(r.offset as u64, 0x5A5A_5A5A, 0xF).await == OKAY,
                "writing read-only {} was refused",
                r.name
            );
            let (got, resp) = host.read(r.offset as u64).await;
            ensure!(resp == OKAY && got as u64 == want, "{} reads {got:#x} ({resp}), want {want:#x}", r.name);
        }
        // Past the last register: DECERR, reads give 0, writes change nothing.
        let last = RDMA.registers.last().unwrap().offset;
        for _ in 0..8 {
            let addr = rng.gen_range((last + 4) / 4..RDMA_WINDOW_END / 4) as u64 * 4;
            ensure!(host.write(addr, rng.gen(), 0xF).await == DECERR, "write to unmapped {addr:#x} not DECERR");
            let (got, resp) = host.read(addr).await;
            ensure!(resp == DECERR && got == 0, "read of unmapped {addr:#x}: {got:#x} ({resp})");
        }
        for (k, r) in COMMAND.iter().enumerate() {
            let (got, _) = host.read(r.offset as u64).await;
            ensure!(got == held[k], "{} changed by unmapped writes", r.name);
        }
        Ok(())
    })
}
