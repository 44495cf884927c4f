//! Out-of-context synthesis of the FIFO through the pinned open tools produces a report.
use ferronic_fpga::synth::{self, Device};

#[test]
fn the_fifo_synthesizes_places_and_routes_on_both_families() {
    for device in [Device::Ecp5_85k, Device::Ice40Hx8k] {
        let dir = std::env::temp_dir().join(format!("ferronic-synth-{}-{}", device.name(), std::process::id()));
        let report = synth::run("stream_fifo", device, 1, &dir).unwrap();
        assert!(report.luts > 10, "{}", report.table());
        // The pointers, count and valid flag at least: 4 + 4 + 5 + 1 flip-flops.
        assert!(report.flip_flops >= 14, "{}", report.table());
        let fmax = report.median_fmax();
        assert!(fmax > 20.0 && fmax < 1000.0, "implausible Fmax {fmax}");
        let json = report.to_json();
        assert_eq!(json["device"], device.name());
        let _ = std::fs::remove_dir_all(dir);
    }
}

#[test]
fn unknown_blocks_and_devices_are_refused_clearly() {
    let dir = std::env::temp_dir().join("ferronic-synth-unknown");
    let err = synth::run("nope", Device::Ecp5_85k, 1, &dir).unwrap_err().to_string();
    assert!(err.contains("unknown block") && err.contains("stream_fifo"), "{err}");
    assert!("virtex".parse::<Device>().is_err());
    assert!(synth::run("stream_fifo", Device::Ecp5_85k, 0, &dir).is_err());
}
