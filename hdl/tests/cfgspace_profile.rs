//! Device profiles: the shipped ones build, `lspci` decodes every capability of each, and
//! broken profiles are refused with a message that says what is wrong.
use ferronic_hdl::cfgspace::dump::{lspci_xxxx, vf_routing_id, FunctionDump};
use ferronic_hdl::cfgspace::profile::{load_profile, shipped_profiles, ConfigImage, Profile};
use std::process::Command;

fn lspci_decode(functions: &[FunctionDump], name: &str) -> String {
    let file = std::env::temp_dir().join(format!("ferronic-lspci-{name}-{}.txt", std::process::id()));
    std::fs::write(&file, lspci_xxxx(functions)).unwrap();
    let out = Command::new("lspci")
        .arg("-F")
        .arg(&file)
        .arg("-vvv")
        .output()
        .expect("lspci (pciutils) is installed by scripts/setup");
    let _ = std::fs::remove_file(&file);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn decode_profile(name: &str) -> String {
    let images = load_profile(name).unwrap().build().unwrap();
    let mut functions =
        vec![FunctionDump { routing_id: 0x0100, description: name.into(), bytes: images.pf.data.clone() }];
    if let (Some(vf), Some(sriov)) = (&images.vf, &images.sriov) {
        functions.push(FunctionDump {
            routing_id: vf_routing_id(0x0100, sriov, 1),
            description: "VF".into(),
            bytes: vf.data.clone(),
        });
    }
    lspci_decode(&functions, name)
}

#[test]
fn at_least_three_profiles_ship() {
    let names = shipped_profiles().unwrap();
    for want in ["ferronic-nic", "nvme", "virtio-net"] {
        assert!(names.iter().any(|n| n == want), "{names:?}");
    }
}

#[test]
fn lspci_decodes_the_nic_pf_and_vf() {
    let text = decode_profile("ferronic-nic");
    for want in [
        "01:00.0 Ethernet controller: Amazon.com, Inc.",
        "Capabilities: [40] Power Management version 3",
        "MSI-X: Enable- Count=9 Masked-",
        "Vector table: BAR=0 offset=00002000",
        "PBA: BAR=0 offset=00003000",
        "Express (v2) Endpoint",
        "MaxPayload 256 bytes",
        "FLReset+",
        "LnkCap:\tPort #0, Speed 8GT/s, Width x8",
        "Capabilities: [100 v1] Single Root I/O Virtualization (SR-IOV)",
        "Initial VFs: 16, Total VFs: 16, Number of VFs: 0",
        "VF offset: 1, stride: 1, Device ID: ec21",
        // An unassigned 32-bit BAR reads 0 and lspci skips it, as on real hardware.
        "Region 2: Memory at <unassigned> (64-bit, prefetchable) [disabled]",
        "Region 2: Memory at 0000000000000000 (64-bit, prefetchable)",
        "Capabilities: [140 v1] Alternative Routing-ID Interpretation (ARI)",
        "01:00.1 ",
    ] {
        assert!(text.contains(want), "lspci output lacks {want:?}:\n{text}");
    }
}

#[test]
fn lspci_decodes_the_nvme_controller() {
    let text = decode_profile("nvme");
    for want in [
        "Non-Volatile memory controller",
        "NVM Express",
        "MSI-X: Enable- Count=65",
        "Express (v2) Endpoint",
        "Power Management version 3",
    ] {
        assert!(text.contains(want), "lspci output lacks {want:?}:\n{text}");
    }
}

#[test]
fn lspci_decodes_the_virtio_structures() {
    let text = decode_profile("virtio-net");
    for want in [
        "Virtio",
        "VirtIO: CommonCfg",
        "VirtIO: ISR",
        "VirtIO: DeviceCfg",
        "VirtIO: Notify",
        "MSI-X: Enable- Count=4",
        "Express (v2) Endpoint",
    ] {
        assert!(text.contains(want), "lspci output lacks {want:?}:\n{text}");
    }
}

#[test]
fn bar_masks_size_bars_the_way_an_os_probes_them() {
    let images = load_profile("ferronic-nic").unwrap().build().unwrap();
    let wmask = |at| ConfigImage::dword(&images.pf.wmask, at);
    assert_eq!(wmask(0x10), !(0x4000u32 - 1) & !0xF, "BAR0: 16 KiB");
    assert_eq!(wmask(0x18), !(0x100000u32 - 1) & !0xF, "BAR2 low: 1 MiB");
    assert_eq!(wmask(0x1C), 0xFFFF_FFFF, "BAR2 high half");
    assert_eq!(ConfigImage::dword(&images.pf.data, 0x18) & 0xF, 0xC, "64-bit prefetchable");
    let vf = images.vf.unwrap();
    assert_eq!(ConfigImage::dword(&vf.data, 0), 0xFFFF_FFFF, "a VF's IDs read 0xFFFF");
    assert_eq!(ConfigImage::dword(&vf.wmask, 0x10), 0, "VF header BARs are read-only");
}

fn refused(toml: &str) -> String {
    let err = Profile::from_toml(toml).and_then(|p| p.build()).expect_err("the profile was accepted");
    format!("{err:#}")
}

const BASE: &str = r#"
name = "t"
vendor_id = 0x1234
device_id = 0x5678
class_code = 0x020000
"#;

#[test]
fn broken_profiles_are_refused_with_the_reason() {
    let pcie = r#"{ kind = "pcie", max_payload = 256, link_speed_gts = 8, link_width = 4 }"#;
    let overlap = format!("{BASE}capabilities = [{{ kind = \"power_management\", offset = 0x40 }}, {{ kind = \"msix\", offset = 0x44, table_size = 1, table_bar = 0, table_offset = 0, pba_bar = 0, pba_offset = 8 }}, {pcie}]");
    assert!(refused(&overlap).contains("overlaps"), "{}", refused(&overlap));
    let broken_chain = format!("{BASE}capabilities = [{pcie}]\n[[overrides]]\noffset = 0x41\ndata = [0x37]");
    assert!(refused(&broken_chain).contains("broken chain"), "{}", refused(&broken_chain));
    let writable_id =
        format!("{BASE}capabilities = [{pcie}]\n[[overrides]]\noffset = 0x00\ndata = [0x34]\nwmask = [0xff]");
    assert!(
        refused(&writable_id).contains("vendor/device ID") && refused(&writable_id).contains("read-only"),
        "{}",
        refused(&writable_id)
    );
    let no_pcie = BASE.to_string();
    assert!(refused(&no_pcie).contains("PCI Express capability"));
    let bad_bar = format!("{BASE}capabilities = [{pcie}]\nbars = [{{ index = 0, size = 0x3000, kind = \"mem32\" }}]");
    assert!(refused(&bad_bar).contains("power of two"), "{}", refused(&bad_bar));
    let typo = format!("{BASE}capabilities = [{pcie}]\nvendorid = 1");
    assert!(refused(&typo).contains("unknown field"), "{}", refused(&typo));
    let vf_without_sriov = format!("{BASE}capabilities = [{pcie}]\n[vf]\ncapabilities = [{pcie}]");
    assert!(refused(&vf_without_sriov).contains("SR-IOV"));
    assert!(format!("{:#}", load_profile("no-such-profile").unwrap_err()).contains("ferronic-nic"));
}

/// The emulator shadows VF Enable and NumVFs in registers: a profile that makes them
/// read-only, RW1C or non-zero at reset would make the shadow and the image disagree.
#[test]
fn sriov_control_fields_must_be_writable_and_start_at_zero() {
    use ferronic_hdl::cfgspace::profile::Override;
    let nic = load_profile("ferronic-nic").unwrap();
    let sriov = nic.build().unwrap().sriov.unwrap().offset;
    for (offset, data, wmask, what) in [
        (sriov + 0x08, 0x00, 0x00, "VF Enable"),
        (sriov + 0x08, 0x01, 0xFF, "VF Enable"),
        (sriov + 0x10, 0x04, 0xFF, "NumVFs"),
        (sriov + 0x10, 0x00, 0x0F, "NumVFs"),
    ] {
        let mut profile = nic.clone();
        profile.overrides.push(Override { offset, data: vec![data], wmask: vec![wmask], w1cmask: vec![] });
        let err = format!("{:#}", profile.build().expect_err("accepted"));
        assert!(err.contains(what) && err.contains("start at 0"), "{err}");
    }
}
