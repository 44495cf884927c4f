//! The stream FIFO's formal properties hold, and the deliberately broken FIFO breaks them.
use ferronic_fpga::formal;

fn out_dir(name: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("ferronic-formal-{name}-{}", std::process::id()))
}

#[test]
fn the_fifo_never_drops_or_duplicates_a_beat() {
    let dir = out_dir("good");
    let outcome = formal::run("stream_fifo", false, &dir).unwrap();
    assert!(outcome.passed, "{}\nlog: {}", outcome.summary, outcome.log.display());
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn the_broken_fifo_fails_the_ordering_property() {
    let dir = out_dir("broken");
    let outcome = formal::run("stream_fifo", true, &dir).unwrap();
    assert!(!outcome.passed, "the broken FIFO passed: {}", outcome.summary);
    // It must fail on a property, not on a tool error.
    let props = include_str!("../../hdl/src/stream_fifo/stream_fifo_props.sv");
    assert!(!outcome.failed_assertions.is_empty(), "{}", outcome.summary);
    for loc in &outcome.failed_assertions {
        let line: usize = loc.rsplit(':').next().unwrap().parse().unwrap();
        let text = props.lines().nth(line - 1).unwrap();
        assert!(text.contains("assert"), "{loc} is not an assertion: {text}");
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_block_without_properties_is_refused() {
    let err = formal::run("no_such_block", false, &out_dir("none")).err().unwrap();
    assert!(err.to_string().contains("no formal properties"));
}
