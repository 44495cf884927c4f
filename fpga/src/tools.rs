//! Finding and running the pinned tools that `scripts/setup` installs into `.venv`.
//!
//! yowasp tools run under WebAssembly and see only the current directory, so every call
//! runs inside its build folder with relative paths.
use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// `$FERRONIC_VENV/bin`, else `<workspace>/.venv/bin`.
pub fn tool_dir() -> PathBuf {
    match std::env::var_os("FERRONIC_VENV") {
        Some(venv) => PathBuf::from(venv).join("bin"),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../.venv/bin"),
    }
}

/// The path of a pinned tool, or a clear error saying how to install it.
pub fn tool(name: &str) -> Result<PathBuf> {
    let path = tool_dir().join(name);
    if !path.exists() {
        bail!("{name} is not installed at {}: run `scripts/setup` (or set FERRONIC_VENV)", path.display());
    }
    Ok(path)
}

/// Runs `name args...` in `dir`, with the tool folder first on PATH (SymbiYosys finds
/// yices and smtbmc there). Returns the output whatever the exit status.
pub fn run_in(dir: &Path, name: &str, args: &[&str]) -> Result<Output> {
    let exe = tool(name)?;
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut paths = vec![tool_dir()];
    paths.extend(std::env::split_paths(&path));
    Command::new(&exe)
        .current_dir(dir)
        .args(args)
        .env("PATH", std::env::join_paths(paths)?)
        .output()
        .with_context(|| format!("running {}", exe.display()))
}

/// As [`run_in`], failing with the tool's log on a non-zero exit. The log is also written
/// to `<dir>/<log_name>`.
pub fn run_checked(dir: &Path, name: &str, args: &[&str], log_name: &str) -> Result<String> {
    let out = run_in(dir, name, args)?;
    let log = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    std::fs::write(dir.join(log_name), &log)?;
    if !out.status.success() {
        let tail: Vec<&str> = log.lines().rev().take(25).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        bail!("{name} failed (log: {}):\n{}", dir.join(log_name).display(), tail.join("\n"));
    }
    Ok(log)
}
