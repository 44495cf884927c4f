//! Configuration spaces as `lspci -xxxx` prints them, so `lspci -F FILE -vvv` decodes them.
use super::profile::SriovLayout;
use std::fmt::Write as _;

/// One function's 4096 bytes and where it sits on the bus.
#[derive(Clone, Debug)]
pub struct FunctionDump {
    /// Routing ID: bus << 8 | device << 3 | function.
    pub routing_id: u16,
    pub description: String,
    pub bytes: Vec<u8>,
}

/// Routing ID of VF `n` (1-based) of the PF at `pf` (SR-IOV spec 2.1.2: First VF Offset and
/// VF Stride, ARI numbering).
pub fn vf_routing_id(pf: u16, sriov: &SriovLayout, n: u16) -> u16 {
    pf.wrapping_add(sriov.first_vf_offset).wrapping_add((n - 1).wrapping_mul(sriov.vf_stride))
}

pub fn slot(routing_id: u16) -> String {
    format!("{:02x}:{:02x}.{}", routing_id >> 8, (routing_id >> 3) & 0x1F, routing_id & 7)
}

/// `lspci -xxxx` text: per function a header line, then 16 bytes per line.
pub fn lspci_xxxx(functions: &[FunctionDump]) -> String {
    let mut out = String::new();
    for f in functions {
        let _ = writeln!(out, "{} {}", slot(f.routing_id), f.description);
        for (row, chunk) in f.bytes.chunks(16).enumerate() {
            let _ = write!(out, "{:02x}:", row * 16);
            for b in chunk {
                let _ = write!(out, " {b:02x}");
            }
            out.push('\n');
        }
        out.push('\n');
    }
    out
}
