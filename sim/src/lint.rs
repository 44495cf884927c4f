//! `ferronic lint`: `verilator --lint-only -Wall` on each exported file, with the project's
//! single waiver file. Any warning not waived there fails the lint.
use anyhow::{Context, Result};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The one committed waiver file; every line in it carries its reason.
pub fn waiver_file() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../hdl/lint_waivers.vlt")
}

#[derive(Debug)]
pub struct LintReport {
    pub file: PathBuf,
    pub clean: bool,
    /// Verilator's messages (empty when clean).
    pub messages: String,
}

/// Lints one Verilog file whose top module is `top`.
pub fn lint_file(file: &Path, top: &str) -> Result<LintReport> {
    let waivers = waiver_file();
    let output = Command::new("verilator")
        .args(["--lint-only", "-Wall", "--top-module", top])
        .arg(&waivers)
        .arg(file)
        .output()
        .context("cannot run `verilator`: is it installed? (`scripts/setup` installs it)")?;
    let messages = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    Ok(LintReport { file: file.to_path_buf(), clean: output.status.success() && messages.trim().is_empty(), messages })
}
