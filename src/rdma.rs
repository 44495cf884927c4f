//! `ferronic rdma`: the RDMA receive path (`ferronic_rdma_receive`, on Verilator) fed from
//! files, so packets made by any outside tool can be checked.
//!
//! The setup file (TOML) opens QPs and installs transactions, as the host would; the frames
//! of a pcap file then arrive from the MAC. Every output is checked against the placement
//! model as it happens (a disagreement is an error, with what differed); at the end the
//! host memory of every installed region is written to the dump, and a JSON report says
//! what became of each frame, which completions and write failures were posted, which
//! acknowledgements were sent, each command's answer and the counters. The acknowledgement
//! frames can also be written to a pcap file.
//!
//! ```toml
//! [[qp]]                  # open a QP, expecting this PSN next
//! qp = 0x12
//! psn = 0
//! remote_qp = 0x34        # the requester's QP: its acknowledgements go there
//!
//! [[transaction]]         # install an RDMA WRITE the peer will send
//! qp = 0x12
//! first_psn = 0
//! va = 0x10000            # the registered region [va, va + length)
//! length = 10000
//! rkey = 0x1234
//! mtu = 4096              # 256, 512, 1024, 2048 or 4096
//! # packets = 3           # default: length / mtu rounded up (1 for length 0)
//! # cq = 0, function = 0   # function: 0 (PF) to 31, the functions with a DMA window
//!
//! [memory]                # optional
//! latency = 20            # cycles
//! [[memory.error]]        # answer writes here with an error
//! start = 0x20000
//! end = 0x21000
//! resp = "slverr"         # or "decerr"
//! ```
use anyhow::{bail, ensure, Context, Result};
use ferronic_hdl::rdma::decide::{
    REASON_BAD_LENGTH, REASON_NOT_OFFLOADED, REASON_NO_TRANSACTION, REASON_OUT_OF_BOUNDS, REASON_OUT_OF_WINDOW,
    REASON_RKEY_MISMATCH, REASON_UNKNOWN_QP, STATUS_QP_BUSY,
};
use ferronic_hdl::rdma::table::{STATUS_FULL, STATUS_INVALID, STATUS_NOT_FOUND, STATUS_OK, STATUS_OVERLAPS};
use ferronic_hdl::regs::nic::WINDOW_FUNCTIONS;
use ferronic_testbench::bfm::axi4::ErrorRange;
use ferronic_testbench::bfm::{Axi4MemoryConfig, Pattern};
use ferronic_testbench::models::rdma::{path_mtu_code, Transaction, MAX_TRANSACTION_PACKETS, PSN_MASK};
use ferronic_testbench::pcap;
use ferronic_testbench::scenarios::rdma_receive::{
    build, run, DecideOp, FrameOutcome, PosterEvent, RdmaFrame, ReceiveOp, ReceiveReport, ReceiveRun,
};
use ferronic_testbench::scenarios::Backend;
use ferronic_testbench::TbConfig;
use serde::Deserialize;
use serde_json::{json, Value};
use std::path::Path;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Setup {
    #[serde(default)]
    qp: Vec<QpSetup>,
    #[serde(default)]
    transaction: Vec<TransactionSetup>,
    #[serde(default)]
    memory: MemorySetup,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct QpSetup {
    qp: u32,
    psn: u32,
    remote_qp: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TransactionSetup {
    qp: u32,
    first_psn: u32,
    va: u64,
    length: u32,
    rkey: u32,
    mtu: u32,
    packets: Option<u32>,
    #[serde(default)]
    cq: u16,
    #[serde(default)]
    function: u8,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MemorySetup {
    #[serde(default = "default_latency")]
    latency: u64,
    #[serde(default)]
    error: Vec<ErrorSetup>,
}

impl Default for MemorySetup {
    fn default() -> Self {
        Self { latency: default_latency(), error: Vec::new() }
    }
}

fn default_latency() -> u64 {
    20
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ErrorSetup {
    start: u64,
    end: u64,
    resp: String,
}

/// The commands and memory a setup file describes, checked.
fn parse_setup(text: &str) -> Result<(Vec<DecideOp>, Axi4MemoryConfig)> {
    let setup: Setup = toml::from_str(text)?;
    let mut ops = Vec::new();
    for (i, q) in setup.qp.iter().enumerate() {
        ensure!(q.qp <= PSN_MASK, "qp #{i}: QP {:#x} is not 24 bits", q.qp);
        ensure!(q.psn <= PSN_MASK, "qp #{i}: PSN {:#x} is not 24 bits", q.psn);
        ensure!(q.remote_qp <= PSN_MASK, "qp #{i}: remote QP {:#x} is not 24 bits", q.remote_qp);
        ops.push(DecideOp::OpenQp { qp: q.qp, psn: q.psn, remote_qp: q.remote_qp });
    }
    for (i, t) in setup.transaction.iter().enumerate() {
        let what = format!("transaction #{i} (QP {:#x}, first PSN {:#x})", t.qp, t.first_psn);
        ensure!(t.qp <= PSN_MASK, "{what}: QP is not 24 bits");
        ensure!(t.first_psn <= PSN_MASK, "{what}: first PSN is not 24 bits");
        ensure!(path_mtu_code(t.mtu).is_some(), "{what}: MTU {} is not 256, 512, 1024, 2048 or 4096", t.mtu);
        ensure!(
            t.va.checked_add(t.length as u64).is_some(),
            "{what}: the region [{:#x}, + {}) runs past the end of the address space",
            t.va,
            t.length
        );
        // Every window is open, as after reset; a function past the table has none, and
        // the card would refuse every placement of the transaction.
        ensure!(
            (t.function as u32) < WINDOW_FUNCTIONS,
            "{what}: function {} has no DMA window (0 to {})",
            t.function,
            WINDOW_FUNCTIONS - 1
        );
        let packets = t.packets.unwrap_or(t.length.div_ceil(t.mtu).max(1));
        ensure!(
            (1..=MAX_TRANSACTION_PACKETS).contains(&packets),
            "{what}: {packets} packets (1 to {MAX_TRANSACTION_PACKETS})"
        );
        ops.push(DecideOp::Install(Transaction {
            qp: t.qp,
            first_psn: t.first_psn,
            packets,
            va: t.va,
            length: t.length,
            rkey: t.rkey,
            mtu: t.mtu,
            cq: t.cq,
            function: t.function,
        }));
    }
    let mut errors = Vec::new();
    for (i, e) in setup.memory.error.iter().enumerate() {
        ensure!(e.start < e.end, "memory.error #{i}: start {:#x} is not below end {:#x}", e.start, e.end);
        let resp = match e.resp.as_str() {
            "slverr" => 2,
            "decerr" => 3,
            other => bail!("memory.error #{i}: resp {other:?} is not \"slverr\" or \"decerr\""),
        };
        errors.push(ErrorRange { range: e.start..e.end, resp });
    }
    let memory = Axi4MemoryConfig { latency: setup.memory.latency, errors, ..Default::default() };
    Ok((ops, memory))
}

fn reason_name(reason: u64) -> &'static str {
    match reason {
        REASON_UNKNOWN_QP => "unknown_qp",
        REASON_NO_TRANSACTION => "no_transaction",
        REASON_OUT_OF_WINDOW => "out_of_window",
        REASON_NOT_OFFLOADED => "not_offloaded",
        REASON_RKEY_MISMATCH => "rkey_mismatch",
        REASON_OUT_OF_BOUNDS => "out_of_bounds",
        REASON_BAD_LENGTH => "bad_length",
        _ => "unknown",
    }
}

fn status_name(status: u64) -> &'static str {
    match status {
        STATUS_OK => "ok",
        STATUS_FULL => "table_full",
        STATUS_OVERLAPS => "overlaps",
        STATUS_NOT_FOUND => "not_found",
        STATUS_INVALID => "invalid",
        STATUS_QP_BUSY => "qp_slot_busy",
        _ => "unknown",
    }
}

fn frame_json(index: usize, outcome: &FrameOutcome) -> Value {
    let dropped = |reason: &str| json!({"frame": index, "outcome": "dropped", "reason": reason});
    match &outcome.verdict {
        RdmaFrame::NotRoce { .. } => json!({"frame": index, "outcome": "software", "reason": "not_roce"}),
        RdmaFrame::BadIcrc => dropped("bad_icrc"),
        RdmaFrame::Truncated => dropped("truncated"),
        RdmaFrame::MacError => dropped("mac_error"),
        RdmaFrame::Duplicate => dropped("duplicate"),
        RdmaFrame::Software { reason, .. } => {
            json!({"frame": index, "outcome": "software", "reason": reason_name(*reason)})
        }
        RdmaFrame::Placed { addr, payload, .. } => json!({
            "frame": index,
            "outcome": if outcome.write_failed { "write_failed" } else { "placed" },
            "address": format!("{addr:#x}"),
            "bytes": payload.len(),
        }),
    }
}

fn report_json(report: &ReceiveReport, dump: &Path) -> Value {
    let mut offset = 0usize;
    let regions: Vec<Value> = report
        .regions
        .iter()
        .map(|(va, bytes)| {
            let r = json!({"va": format!("{va:#x}"), "length": bytes.len(), "dump_offset": offset});
            offset += bytes.len();
            r
        })
        .collect();
    let completions: Vec<Value> = report
        .events
        .iter()
        .filter_map(|e| match e {
            PosterEvent::Completion { cq, qp, length, imm } => Some(json!({
                "cq": cq, "qp": format!("{qp:#x}"), "length": length,
                "imm": imm.map(|i| format!("{i:#010x}")),
            })),
            PosterEvent::WriteFailed { .. } => None,
        })
        .collect();
    let write_failures: Vec<Value> = report
        .events
        .iter()
        .filter_map(|e| match e {
            PosterEvent::WriteFailed { cq, qp, psn } => Some(json!({"cq": cq, "qp": format!("{qp:#x}"), "psn": psn})),
            PosterEvent::Completion { .. } => None,
        })
        .collect();
    json!({
        "checked_against_model": true,
        "memory_dump": dump.display().to_string(),
        "regions": regions,
        "commands": report.answers.iter().map(|&s| status_name(s)).collect::<Vec<_>>(),
        "frames": report.frames.iter().enumerate().map(|(i, f)| frame_json(i, f)).collect::<Vec<_>>(),
        "completions": completions,
        "write_failures": write_failures,
        "acks": report.acks.iter().map(|a| json!({
            "qp": format!("{:#x}", a.dest_qp), "psn": a.psn, "msn": a.msn,
        })).collect::<Vec<_>>(),
        "counters": {
            "placed_packets": report.placed,
            "dropped_duplicates": report.duplicates,
            "software_packets": report.passed[1..].iter().sum::<u64>(),
            "passed_not_roce": report.passed[0],
            "dropped_bad": report.dropped_bad,
            "mac_errors": report.mac_errors,
            "write_errors": report.write_failures,
            "window_errors": report.window_refusals,
            "acks_sent": report.acks.len(),
            "ack_drops": report.ack_drops,
            "payload_bytes": report.payload_bytes,
        },
        "cycles": report.cycles,
    })
}

/// Runs the setup and the capture; writes the memory dump (and the acknowledgements, when
/// asked) and returns the report.
pub fn run_rdma(setup_file: &Path, rx_pcap: &Path, dump: &Path, ack_pcap: Option<&Path>, seed: u64) -> Result<Value> {
    let text =
        std::fs::read_to_string(setup_file).with_context(|| format!("reading the setup {}", setup_file.display()))?;
    let (commands, memory) = parse_setup(&text).with_context(|| format!("the setup {}", setup_file.display()))?;
    let frames = pcap::read(rx_pcap).with_context(|| format!("reading the capture {}", rx_pcap.display()))?;
    ensure!(!frames.is_empty(), "the capture {} holds no frames", rx_pcap.display());
    if let Some((i, f)) = frames.iter().enumerate().find(|(_, f)| f.data.len() > 16 * 1024 || f.data.is_empty()) {
        bail!("frame {i} of {} is {} bytes: the receive path takes 1 to 16384", rx_pcap.display(), f.data.len());
    }
    let mut ops: Vec<ReceiveOp> = commands.into_iter().map(ReceiveOp::Command).collect();
    ops.extend(frames.into_iter().map(|f| ReceiveOp::Frame { bytes: f.data, mac_error: false }));
    let setup = ReceiveRun::new(ops, memory, Pattern::Never, Pattern::Never);
    let report = run(build(Backend::Verilator)?, setup, &TbConfig::new(seed))
        .context("the receive path and the placement model disagree")?;
    let bytes: Vec<u8> = report.regions.iter().flat_map(|(_, b)| b.iter().copied()).collect();
    std::fs::write(dump, bytes).with_context(|| format!("writing {}", dump.display()))?;
    if let Some(path) = ack_pcap {
        let frames: Vec<pcap::PcapFrame> =
            report.acks.iter().map(|a| pcap::PcapFrame { time_ns: 0, data: a.encode() }).collect();
        pcap::write(path, &frames)?;
    }
    Ok(report_json(&report, dump))
}
