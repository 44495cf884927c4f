//! `verilator --lint-only -Wall` with the committed waivers: the shipped Verilog is clean,
//! and the lint does fail on a real warning.
use ferronic_hdl::export::{shipped_blocks, write_export};
use ferronic_sim::lint::lint_file;

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("ferronic-lint-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn every_shipped_block_lints_clean() {
    let dir = temp_dir("shipped");
    let blocks = shipped_blocks().unwrap();
    for (file, block) in write_export(&dir, &blocks).unwrap().iter().zip(&blocks) {
        let report = lint_file(file, &block.top_module()).unwrap();
        assert!(report.clean, "{}:\n{}", file.display(), report.messages);
    }
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_real_warning_fails_the_lint() {
    let dir = temp_dir("bad");
    let file = dir.join("ferronic_bad.v");
    // A truncating assignment that the waivers do not cover, and an unused input.
    std::fs::write(
        &file,
        "module ferronic_bad (input wire [7:0] a, input wire b, output wire [3:0] y);\n  assign y = a;\nendmodule\n",
    )
    .unwrap();
    let report = lint_file(&file, "ferronic_bad").unwrap();
    assert!(!report.clean);
    assert!(report.messages.contains("WIDTH") && report.messages.contains("UNUSED"), "{}", report.messages);
    std::fs::remove_dir_all(dir).unwrap();
}
