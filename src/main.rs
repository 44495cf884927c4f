//! `ferronic`: export, lint, simulate, benchmark, prove and synthesize the ferronic blocks.
use anyhow::{bail, Result};
use clap::{Parser, Subcommand};
use ferronic_hdl::export::{shipped_blocks, write_export};
use std::path::PathBuf;
use std::process::ExitCode;

mod bench;
mod demo;

#[derive(Parser)]
#[command(
    name = "ferronic",
    version,
    about = "Open I/O-offload NIC core: export, lint, simulate, benchmark, prove, synthesize"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Write each block's Verilog (flat-port wrapper + core) and a filelist into DIR.
    Export {
        #[arg(long, default_value = "build/verilog")]
        out: PathBuf,
    },
    /// Export, then run `verilator --lint-only -Wall` on every file with the committed waivers.
    Lint {
        #[arg(long, default_value = "build/verilog")]
        out: PathBuf,
    },
    /// The demo: random traffic through the stream FIFO on both simulators, checked.
    Demo {
        /// Beats to send.
        #[arg(long, default_value_t = 2000)]
        beats: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Simulation speed of each backend, raw and through the testbench framework.
    Bench {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
        /// Multiply the work (1 takes a few seconds).
        #[arg(long, default_value_t = 1)]
        scale: u64,
    },
    /// Out-of-context synthesis and place-and-route of one block with Yosys and nextpnr.
    Synth {
        #[arg(long)]
        block: String,
        #[arg(long, default_value = "ecp5-85k")]
        device: String,
        #[arg(long, default_value_t = 3)]
        seeds: u32,
        #[arg(long)]
        json: bool,
        #[arg(long, default_value = "build/synth")]
        out: PathBuf,
    },
    /// Prove a block's formal properties with SymbiYosys (yowasp) and yices.
    Formal {
        #[arg(long, default_value = "stream_fifo")]
        block: String,
        /// Build the deliberately broken variant (the proof must then fail).
        #[arg(long)]
        broken: bool,
        #[arg(long, default_value = "build/formal")]
        out: PathBuf,
    },
}

fn export(out: &PathBuf) -> Result<Vec<(PathBuf, String)>> {
    let blocks = shipped_blocks()?;
    let files = write_export(out, &blocks)?;
    for (file, block) in files.iter().zip(&blocks) {
        if let Some(bad) = block.ports.iter().find(|p| p.name.contains('$')) {
            bail!("{}: top-level port {:?} contains '$'", file.display(), bad.name);
        }
    }
    Ok(files.into_iter().zip(blocks.iter().map(|b| b.top_module())).collect())
}

fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Export { out } => {
            for (file, _) in export(&out)? {
                println!("wrote {}", file.display());
            }
            println!("wrote {}", out.join("filelist.f").display());
        }
        Command::Lint { out } => {
            let mut failed = 0;
            for (file, top) in export(&out)? {
                let report = ferronic_sim::lint::lint_file(&file, &top)?;
                if report.clean {
                    println!("lint clean: {}", file.display());
                } else {
                    failed += 1;
                    println!("lint FAILED: {}\n{}", file.display(), report.messages);
                }
            }
            if failed > 0 {
                bail!("{failed} file(s) have lint warnings not in {}", ferronic_sim::lint::waiver_file().display());
            }
        }
        Command::Demo { beats, seed } => demo::run(beats, seed)?,
        Command::Bench { json, scale } => bench::run(json, scale)?,
        Command::Synth { block, device, seeds, json, out } => {
            let device = device.parse()?;
            let report = ferronic_fpga::synth::run(&block, device, seeds, &out)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&report.to_json())?);
            } else {
                print!("{}", report.table());
            }
        }
        Command::Formal { block, broken, out } => {
            let outcome = ferronic_fpga::formal::run(&block, broken, &out)?;
            println!("{}", outcome.summary);
            if !outcome.passed {
                bail!("the formal check of {block} failed; log: {}", outcome.log.display());
            }
        }
    }
    Ok(())
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ferronic: error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
