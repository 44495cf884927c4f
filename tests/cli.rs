//! The command-line tool: works, and fails with a clear message and a non-zero exit on bad
//! input or a missing tool, never a panic.
use std::process::Command;

fn ferronic() -> Command {
    Command::new(env!("CARGO_BIN_EXE_ferronic"))
}

fn temp(name: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("ferronic-cli-{name}-{}", std::process::id()))
}

#[test]
fn export_and_lint_pass() {
    let out = temp("export");
    let status = ferronic().args(["lint", "--out"]).arg(&out).output().unwrap();
    assert!(status.status.success(), "{}", String::from_utf8_lossy(&status.stdout));
    assert!(out.join("ferronic_stream_fifo.v").exists() && out.join("filelist.f").exists());
    let _ = std::fs::remove_dir_all(out);
}

fn assert_clean_failure(args: &[&str], env: Option<(&str, &str)>, needle: &str) {
    let mut cmd = ferronic();
    cmd.args(args);
    if let Some((k, v)) = env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_ne!(out.status.code(), Some(0), "{args:?} succeeded");
    assert!(!stderr.contains("panicked"), "{args:?} panicked: {stderr}");
    assert!(stderr.contains(needle), "{args:?}: expected {needle:?} in: {stderr}");
}

#[test]
fn bad_arguments_fail_clearly() {
    assert_clean_failure(&["synth", "--block", "nope"], None, "unknown block");
    assert_clean_failure(&["synth", "--block", "stream_fifo", "--device", "virtex7"], None, "unknown device");
    assert_clean_failure(&["formal", "--block", "nope"], None, "no formal properties");
    assert_clean_failure(&["bench", "--scale", "many"], None, "invalid value");
    assert_clean_failure(&["frobnicate"], None, "unrecognized subcommand");
}

#[test]
fn a_missing_tool_is_named_with_the_fix() {
    let out = temp("notools");
    let out = out.to_str().unwrap();
    assert_clean_failure(&["formal", "--out", out], Some(("FERRONIC_VENV", "/nonexistent")), "scripts/setup");
    assert_clean_failure(
        &["synth", "--block", "stream_fifo", "--out", out],
        Some(("FERRONIC_VENV", "/nonexistent")),
        "scripts/setup",
    );
}

#[test]
fn the_demo_runs_on_both_backends() {
    let out = ferronic().args(["demo", "--beats", "300"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("verilator") && stdout.contains("rust-hdl") && stdout.contains("matched"), "{stdout}");
}

#[test]
fn bench_json_reports_every_measurement_and_ratio() {
    let out = ferronic().args(["bench", "--json"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows = doc["measurements"].as_array().unwrap();
    assert_eq!(rows.len(), 7);
    for row in rows {
        assert!(row["cycles_per_second"].as_f64().unwrap() > 0.0, "{row}");
    }
    // Verilator must beat rust-hdl's model on the same work.
    assert!(doc["ratios"]["verilator_over_rust_hdl_free_run"].as_f64().unwrap() > 1.0);
}
