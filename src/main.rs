//! `ferronic`: export, lint, simulate, benchmark, prove and synthesize the ferronic blocks.
use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};
use ferronic_hdl::export::{shipped_blocks, write_export};
use std::path::PathBuf;
use std::process::ExitCode;

mod bench;
mod demo;
mod rdma;
mod sim;

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
        /// Run each data-path benchmark at an eighth of its size: a check that every one
        /// runs and reports (rougher figures; the ones in docs/benchmarks.md are full size).
        #[arg(long)]
        quick: bool,
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
    /// Run the config-space emulator, enable VFs as an OS would, and print every function's
    /// 4096 bytes as `lspci -xxxx` does (decode with `lspci -F FILE -vvv`).
    Cfgspace {
        /// A shipped profile name (ferronic-nic, nvme, virtio-net) or a .toml path.
        #[arg(long, default_value = "ferronic-nic")]
        profile: String,
        /// Virtual functions to enable.
        #[arg(long, default_value_t = 0)]
        vfs: u16,
        /// Write the dump here instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Generate the register map's documentation, C header and JSON description from its one
    /// source (`hdl/src/regs/nic.rs`); `docs/registers.md` is this command's `registers.md`.
    Regs {
        #[arg(long, default_value = "build/regs")]
        out: PathBuf,
    },
    /// Run the NIC's TX and/or RX path. TX: the host-driver model posts frames (from a pcap
    /// file, or random UDP frames), and the frames the NIC transmits are checked and written
    /// to a pcap file (open it in Wireshark or tshark). RX: frames from a pcap file arrive
    /// from the MAC and what the host receives is checked.
    Sim {
        /// Write the transmitted frames here (pcap, Ethernet).
        #[arg(long)]
        tx_pcap: Option<PathBuf>,
        /// Frames arriving from the network (a pcap file, e.g. from scapy's wrpcap).
        #[arg(long)]
        rx_pcap: Option<PathBuf>,
        /// Write the frames the host received (from --rx-pcap) here, in the order it got them.
        #[arg(long)]
        received: Option<PathBuf>,
        /// Frames for the host to send (a pcap file, e.g. from scapy's wrpcap).
        #[arg(long)]
        send: Option<PathBuf>,
        /// Random frames to send when no --send file is given.
        #[arg(long, default_value_t = 32)]
        packets: usize,
        /// TX queues to spread the frames over (1-8); odd-numbered queues are LLQ queues.
        #[arg(long, default_value_t = 4)]
        queues: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Record each run's waveform (every port and register of the NIC) in this folder:
        /// tx.vcd, rx.vcd, for GTKWave or Surfer.
        #[arg(long)]
        waves: Option<PathBuf>,
    },
    /// Run the RDMA receive path: open QPs and install transactions from a setup file, feed
    /// the frames of a pcap file, check everything against the placement model, and write
    /// the host memory of the installed regions and a JSON report.
    Rdma {
        /// QPs, transactions and host memory (TOML; see `docs/rdma.md`).
        #[arg(long)]
        setup: PathBuf,
        /// Frames arriving from the network (a pcap file, e.g. from scapy's wrpcap).
        #[arg(long)]
        rx_pcap: PathBuf,
        /// Write the installed regions' final host memory here, one after the other.
        #[arg(long)]
        memory_dump: PathBuf,
        /// Write the JSON report here instead of standard output.
        #[arg(long)]
        report: Option<PathBuf>,
        /// Write the acknowledgements the card sent (RoCEv2 RC ACK frames) to this pcap file.
        #[arg(long)]
        ack_pcap: Option<PathBuf>,
        #[arg(long, default_value_t = 1)]
        seed: u64,
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

/// The emulator's view of every function, as `lspci -xxxx` text.
fn cfgspace_dump(profile: &str, vfs: u16) -> Result<String> {
    use ferronic_hdl::cfgspace::dump::{lspci_xxxx, vf_routing_id, FunctionDump};
    use ferronic_testbench::scenarios::{cfgspace, Backend};
    let images = ferronic_hdl::cfgspace::profile::load_profile(profile)?.build()?;
    // The 16-VF build, or the 64-VF one when more are asked for.
    let max_vfs = if vfs > 16 { 64 } else { 16 };
    let functions = cfgspace::read_all_functions(Backend::Verilator, &images, max_vfs, vfs)?;
    const PF: u16 = 0x0100; // bus 1, device 0, function 0
    let dumps: Vec<FunctionDump> = functions
        .into_iter()
        .map(|(f, bytes)| {
            let (routing_id, description) = match (f, images.sriov) {
                (0, _) => (PF, format!("{} (physical function)", images.name)),
                (n, Some(s)) => (vf_routing_id(PF, &s, n as u16), format!("{} VF {n}", images.name)),
                (n, None) => (PF + n as u16, format!("function {n}")),
            };
            FunctionDump { routing_id, description, bytes }
        })
        .collect();
    Ok(lspci_xxxx(&dumps))
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
        Command::Bench { json, scale, quick } => bench::run(json, scale, quick)?,
        Command::Synth { block, device, seeds, json, out } => {
            let device = device.parse()?;
            let report = ferronic_fpga::synth::run(&block, device, seeds, &out)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&report.to_json())?);
            } else {
                print!("{}", report.table());
            }
        }
        Command::Cfgspace { profile, vfs, out } => {
            let text = cfgspace_dump(&profile, vfs)?;
            match out {
                Some(path) => {
                    std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
                    println!("wrote {}", path.display());
                }
                None => print!("{text}"),
            }
        }
        Command::Sim { tx_pcap, rx_pcap, received, send, packets, queues, seed, waves } => {
            if received.is_some() && rx_pcap.is_none() {
                bail!("--received needs --rx-pcap IN: the frames to receive");
            }
            if tx_pcap.is_none() && rx_pcap.is_none() {
                bail!("nothing to simulate: give --tx-pcap OUT (TX) and/or --rx-pcap IN (RX)");
            }
            if let Some(tx_pcap) = tx_pcap {
                println!("TX: {}", sim::run_tx(&tx_pcap, send.as_deref(), packets, queues, seed, waves.as_deref())?);
            }
            if let Some(rx_pcap) = rx_pcap {
                println!("RX: {}", sim::run_rx(&rx_pcap, received.as_deref(), seed, waves.as_deref())?);
            }
        }
        Command::Rdma { setup, rx_pcap, memory_dump, report, ack_pcap, seed } => {
            let result = rdma::run_rdma(&setup, &rx_pcap, &memory_dump, ack_pcap.as_deref(), seed)?;
            let json = serde_json::to_string_pretty(&result)?;
            match report {
                Some(path) => {
                    std::fs::write(&path, json + "\n").with_context(|| format!("writing {}", path.display()))?;
                    println!("wrote {} and {}", memory_dump.display(), path.display());
                }
                None => println!("{json}"),
            }
        }
        Command::Regs { out } => {
            std::fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;
            for (name, text) in ferronic_hdl::regs::generated_files(&ferronic_hdl::regs::nic::NIC) {
                let path = out.join(name);
                std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
                println!("wrote {}", path.display());
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
    let cli = Cli::parse();
    // The NIC is one large struct that rust-hdl walks recursively (export, simulation set-up):
    // the same big stack the tests build it on, not the main thread's 8 MiB.
    match ferronic_testbench::scenarios::on_big_stack(|| run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ferronic: error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
