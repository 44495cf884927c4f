//! Device profiles: a TOML description of a PCIe function type (IDs, class, BARs,
//! capabilities, SR-IOV) turned into the register images the emulator holds — the bytes a
//! function resets to, and which bits a write may change (RW) or clear (RW1C), as QEMU's
//! `wmask`/`w1cmask` do. Offsets and bit meanings follow the PCI Express Base spec (names as
//! in Linux `pci_regs.h`).
use anyhow::{bail, ensure, Context, Result};
use serde::Deserialize;

/// Bytes of configuration space per function.
pub const CONFIG_BYTES: usize = 4096;
/// The emulator stores 0x000-0x1FF of each function; everything beyond reads as zero and is
/// read-only. Profiles must fit (checked by [`Profile::build`]).
pub const IMPLEMENTED_BYTES: usize = 0x200;

/// A function's configuration space: reset values and write masks, byte by byte.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigImage {
    pub data: Vec<u8>,
    pub wmask: Vec<u8>,
    pub w1cmask: Vec<u8>,
}

impl Default for ConfigImage {
    fn default() -> Self {
        Self { data: vec![0; CONFIG_BYTES], wmask: vec![0; CONFIG_BYTES], w1cmask: vec![0; CONFIG_BYTES] }
    }
}

impl ConfigImage {
    fn put(&mut self, offset: usize, value: u64, bytes: usize) {
        for i in 0..bytes {
            self.data[offset + i] = (value >> (8 * i)) as u8;
        }
    }
    fn put_wmask(&mut self, offset: usize, mask: u64, bytes: usize) {
        for i in 0..bytes {
            self.wmask[offset + i] = (mask >> (8 * i)) as u8;
        }
    }
    fn put_w1cmask(&mut self, offset: usize, mask: u64, bytes: usize) {
        for i in 0..bytes {
            self.w1cmask[offset + i] = (mask >> (8 * i)) as u8;
        }
    }
    /// Little-endian dword at a byte offset (dword-aligned).
    pub fn dword(bytes: &[u8], offset: usize) -> u32 {
        u32::from_le_bytes(bytes[offset..offset + 4].try_into().expect("4 bytes"))
    }
    pub fn read16(&self, offset: usize) -> u16 {
        u16::from_le_bytes([self.data[offset], self.data[offset + 1]])
    }
}

// Standard header offsets (pci_regs.h).
pub const PCI_VENDOR_ID: usize = 0x00;
pub const PCI_COMMAND: usize = 0x04;
pub const PCI_STATUS: usize = 0x06;
pub const PCI_REVISION_ID: usize = 0x08;
pub const PCI_CACHE_LINE_SIZE: usize = 0x0C;
pub const PCI_HEADER_TYPE: usize = 0x0E;
pub const PCI_BASE_ADDRESS_0: usize = 0x10;
pub const PCI_SUBSYSTEM_VENDOR_ID: usize = 0x2C;
pub const PCI_CAPABILITY_LIST: usize = 0x34;
pub const PCI_INTERRUPT_LINE: usize = 0x3C;
pub const PCI_INTERRUPT_PIN: usize = 0x3D;
pub const PCI_STATUS_CAP_LIST: u64 = 0x10;
/// Status bits that are write-one-to-clear: parity, system error, aborts.
pub const PCI_STATUS_W1C: u64 = 0xF900;
// Capability IDs.
pub const PCI_CAP_ID_PM: u8 = 0x01;
pub const PCI_CAP_ID_VNDR: u8 = 0x09;
pub const PCI_CAP_ID_EXP: u8 = 0x10;
pub const PCI_CAP_ID_MSIX: u8 = 0x11;
pub const PCI_EXT_CAP_ID_ARI: u16 = 0x0E;
pub const PCI_EXT_CAP_ID_SRIOV: u16 = 0x10;
/// PCIe capability: Device Control at +8, its Initiate FLR bit.
pub const PCI_EXP_DEVCTL: usize = 0x08;
pub const PCI_EXP_DEVCTL_BCR_FLR: u16 = 0x8000;
/// SR-IOV capability register offsets.
pub const PCI_SRIOV_CTRL: usize = 0x08;
pub const PCI_SRIOV_NUM_VF: usize = 0x10;
pub const PCI_SRIOV_CTRL_VFE: u16 = 0x01;

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bar {
    pub index: usize,
    /// Bytes; a power of two, at least 16 (memory) or 4 (I/O).
    pub size: u64,
    /// `mem32`, `mem64` or `io`.
    pub kind: String,
    #[serde(default)]
    pub prefetchable: bool,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Capability {
    PowerManagement {
        #[serde(default)]
        offset: Option<usize>,
    },
    Msix {
        #[serde(default)]
        offset: Option<usize>,
        table_size: u16,
        table_bar: u8,
        table_offset: u32,
        pba_bar: u8,
        pba_offset: u32,
    },
    Pcie {
        #[serde(default)]
        offset: Option<usize>,
        /// Largest payload in bytes: 128, 256, ... 4096.
        max_payload: u32,
        /// Link speed in GT/s (2.5 as 2): 2, 5, 8, 16, 32.
        link_speed_gts: u32,
        link_width: u32,
    },
    /// Vendor-specific capability: the bytes after ID and next pointer (length byte first).
    VendorSpecific {
        #[serde(default)]
        offset: Option<usize>,
        bytes: Vec<u8>,
    },
}

#[derive(Clone, Debug, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum ExtendedCapability {
    Sriov {
        #[serde(default)]
        offset: Option<usize>,
        initial_vfs: u16,
        total_vfs: u16,
        first_vf_offset: u16,
        vf_stride: u16,
        vf_device_id: u16,
        #[serde(default = "default_page_sizes")]
        supported_page_sizes: u32,
        #[serde(default)]
        vf_bars: Vec<Bar>,
    },
    Ari {
        #[serde(default)]
        offset: Option<usize>,
    },
}

fn default_page_sizes() -> u32 {
    0x553 // 4K, 8K, 64K, 256K, 1M, 4M, as Linux expects of most devices
}

/// Raw bytes laid over the generated image: for registers the schema does not cover.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Override {
    pub offset: usize,
    pub data: Vec<u8>,
    #[serde(default)]
    pub wmask: Vec<u8>,
    #[serde(default)]
    pub w1cmask: Vec<u8>,
}

/// What each virtual function looks like (only with an SR-IOV capability).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VfProfile {
    #[serde(default)]
    pub capabilities: Vec<Capability>,
    #[serde(default)]
    pub extended_capabilities: Vec<ExtendedCapability>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub vendor_id: u16,
    pub device_id: u16,
    #[serde(default)]
    pub revision: u8,
    /// Base class, subclass, programming interface: 0x020000 is an Ethernet controller.
    pub class_code: u32,
    #[serde(default)]
    pub subsystem_vendor_id: u16,
    #[serde(default)]
    pub subsystem_id: u16,
    /// 0 = none, 1 = INTA ...
    #[serde(default)]
    pub interrupt_pin: u8,
    #[serde(default)]
    pub bars: Vec<Bar>,
    #[serde(default)]
    pub capabilities: Vec<Capability>,
    #[serde(default)]
    pub extended_capabilities: Vec<ExtendedCapability>,
    #[serde(default)]
    pub vf: Option<VfProfile>,
    #[serde(default)]
    pub overrides: Vec<Override>,
}

/// The images of one device type: the physical function and, with SR-IOV, the template
/// every virtual function starts from.
#[derive(Clone, Debug)]
pub struct DeviceImages {
    pub name: String,
    pub pf: ConfigImage,
    pub vf: Option<ConfigImage>,
    /// Where the SR-IOV capability sits in the PF, and how many VFs it offers.
    pub sriov: Option<SriovLayout>,
    /// Where the PCI Express capability sits in the PF and in a VF (for FLR).
    pub pf_pcie_offset: Option<usize>,
    pub vf_pcie_offset: Option<usize>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SriovLayout {
    pub offset: usize,
    pub total_vfs: u16,
    pub first_vf_offset: u16,
    pub vf_stride: u16,
}

impl Profile {
    pub fn from_toml(text: &str) -> Result<Self> {
        toml::from_str(text).context("the profile is not valid TOML for a ferronic device profile")
    }

    pub fn load(path: &std::path::Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).with_context(|| format!("reading profile {}", path.display()))?;
        Self::from_toml(&text).with_context(|| format!("in profile {}", path.display()))
    }

    /// Builds and checks the images.
    pub fn build(&self) -> Result<DeviceImages> {
        let mut pf = ConfigImage::default();
        header(&mut pf, self, false)?;
        for bar in &self.bars {
            place_bar(&mut pf, PCI_BASE_ADDRESS_0, bar, 6).with_context(|| format!("BAR{}", bar.index))?;
        }
        let pf_pcie_offset = place_capabilities(&mut pf, &self.capabilities)?;
        let sriov = place_extended(&mut pf, &self.extended_capabilities)?;
        let (vf, vf_pcie_offset) = match (&sriov, &self.vf) {
            (Some(_), vf_profile) => {
                let vf_profile = vf_profile.clone().unwrap_or_default();
                let mut vf = ConfigImage::default();
                header(&mut vf, self, true)?;
                let pcie = place_capabilities(&mut vf, &vf_profile.capabilities)?;
                if vf_profile.extended_capabilities.iter().any(|c| matches!(c, ExtendedCapability::Sriov { .. })) {
                    bail!("a virtual function cannot have an SR-IOV capability");
                }
                place_extended(&mut vf, &vf_profile.extended_capabilities)?;
                ensure!(pcie.is_some(), "virtual functions need a PCI Express capability (SR-IOV spec 3.4)");
                (Some(vf), pcie)
            }
            (None, Some(_)) => bail!("a [vf] section needs an SR-IOV extended capability"),
            (None, None) => (None, None),
        };
        for o in &self.overrides {
            ensure!(
                o.offset + o.data.len() <= IMPLEMENTED_BYTES,
                "override at {:#x} runs past {IMPLEMENTED_BYTES:#x}",
                o.offset
            );
            ensure!(
                o.wmask.is_empty() || o.wmask.len() == o.data.len(),
                "override at {:#x}: wmask length differs from data",
                o.offset
            );
            ensure!(
                o.w1cmask.is_empty() || o.w1cmask.len() == o.data.len(),
                "override at {:#x}: w1cmask length differs from data",
                o.offset
            );
            for (i, &b) in o.data.iter().enumerate() {
                pf.data[o.offset + i] = b;
                pf.wmask[o.offset + i] = o.wmask.get(i).copied().unwrap_or(0);
                pf.w1cmask[o.offset + i] = o.w1cmask.get(i).copied().unwrap_or(0);
            }
        }
        check_image(&pf).context("physical function")?;
        if let Some(s) = &sriov {
            // The emulator keeps VF Enable and NumVFs in registers as well as in the image: it
            // relies on both being writable and starting at 0, as SR-IOV 3.3.3 and 3.3.10 have them.
            let at = s.offset;
            ensure!(
                pf.wmask[at + PCI_SRIOV_CTRL] & 1 == 1
                    && pf.w1cmask[at + PCI_SRIOV_CTRL] & 1 == 0
                    && pf.data[at + PCI_SRIOV_CTRL] & 1 == 0,
                "SR-IOV VF Enable at {:#x} must be writable and start at 0",
                at + PCI_SRIOV_CTRL
            );
            ensure!(
                pf.data[at + PCI_SRIOV_NUM_VF..at + PCI_SRIOV_NUM_VF + 2] == [0, 0]
                    && pf.wmask[at + PCI_SRIOV_NUM_VF..at + PCI_SRIOV_NUM_VF + 2] == [0xFF, 0xFF]
                    && pf.w1cmask[at + PCI_SRIOV_NUM_VF..at + PCI_SRIOV_NUM_VF + 2] == [0, 0],
                "SR-IOV NumVFs at {:#x} must be writable and start at 0",
                at + PCI_SRIOV_NUM_VF
            );
        }
        if let Some(vf) = &vf {
            check_image(vf).context("virtual function")?;
        }
        if pf_pcie_offset.is_none() {
            bail!("a PCI Express endpoint needs a PCI Express capability");
        }
        Ok(DeviceImages { name: self.name.clone(), pf, vf, sriov, pf_pcie_offset, vf_pcie_offset })
    }
}

fn header(img: &mut ConfigImage, p: &Profile, vf: bool) -> Result<()> {
    ensure!(p.class_code <= 0xFF_FFFF, "class_code {:#x} is more than 24 bits", p.class_code);
    // A VF reads its IDs as 0xFFFF: the real ones are in the PF's SR-IOV capability.
    let ids = if vf { 0xFFFF_FFFF } else { (p.device_id as u64) << 16 | p.vendor_id as u64 };
    img.put(PCI_VENDOR_ID, ids, 4);
    // Command: I/O, memory, bus master, parity response, SERR#, INTx disable. A VF's
    // memory enable lives in the PF (VF MSE), so only bus master is writable.
    img.put_wmask(PCI_COMMAND, if vf { 0x0004 } else { 0x0547 }, 2);
    img.put(PCI_STATUS, PCI_STATUS_CAP_LIST, 2);
    img.put_w1cmask(PCI_STATUS, PCI_STATUS_W1C, 2);
    img.put(PCI_REVISION_ID, (p.class_code as u64) << 8 | p.revision as u64, 4);
    if !vf {
        img.put_wmask(PCI_CACHE_LINE_SIZE, 0xFF, 1);
        img.put_wmask(PCI_INTERRUPT_LINE, 0xFF, 1);
        img.put(PCI_INTERRUPT_PIN, p.interrupt_pin as u64, 1);
    }
    img.put(PCI_SUBSYSTEM_VENDOR_ID, (p.subsystem_id as u64) << 16 | p.subsystem_vendor_id as u64, 4);
    Ok(())
}

/// A BAR (or a VF BAR in the SR-IOV capability) at `base + 4 * index`.
fn place_bar(img: &mut ConfigImage, base: usize, bar: &Bar, count: usize) -> Result<()> {
    ensure!(bar.index < count, "BAR index {} out of range", bar.index);
    ensure!(bar.size.is_power_of_two(), "size {:#x} is not a power of two", bar.size);
    let at = base + 4 * bar.index;
    ensure!(
        img.wmask[at..at + 4].iter().all(|&b| b == 0) && img.data[at..at + 4].iter().all(|&b| b == 0),
        "BAR {} is already taken (the upper half of a 64-bit BAR?)",
        bar.index
    );
    match bar.kind.as_str() {
        "io" => {
            ensure!(bar.size >= 4 && bar.size <= 256, "I/O BARs are 4 to 256 bytes");
            img.put(at, 0x1, 4);
            img.put_wmask(at, !(bar.size - 1) & 0xFFFF_FFFC, 4);
        }
        "mem32" => {
            ensure!(bar.size >= 16 && bar.size <= 1 << 31, "32-bit memory BARs are 16 B to 2 GiB");
            img.put(at, if bar.prefetchable { 0x8 } else { 0x0 }, 4);
            img.put_wmask(at, !(bar.size - 1) & 0xFFFF_FFF0, 4);
        }
        "mem64" => {
            ensure!(bar.index + 1 < count, "a 64-bit BAR needs the next BAR for its upper half");
            ensure!(bar.size >= 16, "memory BARs are at least 16 bytes");
            img.put(at, 0x4 | if bar.prefetchable { 0x8 } else { 0x0 }, 4);
            let mask = !(bar.size - 1) & !0xF;
            img.put_wmask(at, mask & 0xFFFF_FFFF, 4);
            img.put_wmask(at + 4, mask >> 32, 4);
            // Mark the upper half as taken.
            img.data[at + 4..at + 8].copy_from_slice(&[0; 4]);
        }
        other => bail!("BAR kind {other:?}: choose mem32, mem64 or io"),
    }
    Ok(())
}

fn cap_len(cap: &Capability) -> usize {
    match cap {
        Capability::PowerManagement { .. } => 8,
        Capability::Msix { .. } => 12,
        Capability::Pcie { .. } => 0x3C,
        Capability::VendorSpecific { bytes, .. } => 2 + bytes.len(),
    }
}

fn cap_offset(cap: &Capability) -> Option<usize> {
    match cap {
        Capability::PowerManagement { offset }
        | Capability::Msix { offset, .. }
        | Capability::Pcie { offset, .. }
        | Capability::VendorSpecific { offset, .. } => *offset,
    }
}

/// Lays out the capability list from 0x40 (or at the offsets given) and links it.
/// Returns the offset of the PCI Express capability.
fn place_capabilities(img: &mut ConfigImage, caps: &[Capability]) -> Result<Option<usize>> {
    let mut next_free = 0x40;
    let mut placed: Vec<(usize, usize)> = Vec::new();
    let mut pcie = None;
    for cap in caps {
        let len = cap_len(cap);
        let at = cap_offset(cap).unwrap_or(next_free);
        ensure!(at % 4 == 0 && at >= 0x40, "capability at {at:#x}: must be dword-aligned and at or above 0x40");
        ensure!(at + len <= 0x100, "capability at {at:#x} ({len} bytes) runs past the 256-byte header space");
        if let Some(&(o, l)) = placed.iter().find(|&&(o, l)| at < o + l && o < at + len) {
            bail!("capability at {at:#x} ({len} bytes) overlaps the one at {o:#x} ({l} bytes)");
        }
        placed.push((at, len));
        next_free = (at + len).div_ceil(4) * 4;
        match cap {
            Capability::PowerManagement { .. } => {
                img.put(at, PCI_CAP_ID_PM as u64, 1);
                img.put(at + 2, 0x0003, 2); // PMC: version 3 (PCI PM 1.2)
                img.put(at + 4, 0x0008, 2); // PMCSR: No_Soft_Reset, D0
                img.put_wmask(at + 4, 0x0103, 2); // power state, PME_En
                img.put_w1cmask(at + 4, 0x8000, 2); // PME_Status
            }
            Capability::Msix { table_size, table_bar, table_offset, pba_bar, pba_offset, .. } => {
                ensure!((1..=2048).contains(table_size), "MSI-X table size {table_size} is not 1 to 2048");
                ensure!(*table_bar < 6 && *pba_bar < 6, "MSI-X BAR indicator out of range");
                ensure!(
                    table_offset % 8 == 0 && pba_offset % 8 == 0,
                    "MSI-X table and PBA offsets must be 8-byte aligned"
                );
                img.put(at, PCI_CAP_ID_MSIX as u64, 1);
                img.put(at + 2, (table_size - 1) as u64, 2);
                img.put_wmask(at + 2, 0xC000, 2); // enable, function mask
                img.put(at + 4, (*table_offset | *table_bar as u32) as u64, 4);
                img.put(at + 8, (*pba_offset | *pba_bar as u32) as u64, 4);
            }
            Capability::Pcie { max_payload, link_speed_gts, link_width, .. } => {
                ensure!(
                    max_payload.is_power_of_two() && (128..=4096).contains(max_payload),
                    "max_payload {max_payload} is not 128 to 4096"
                );
                let speed = match link_speed_gts {
                    2 => 1,
                    5 => 2,
                    8 => 3,
                    16 => 4,
                    32 => 5,
                    other => bail!("link speed {other} GT/s: choose 2 (2.5), 5, 8, 16 or 32"),
                };
                ensure!([1, 2, 4, 8, 16, 32].contains(link_width), "link width x{link_width} is not 1 to 32");
                let mps = max_payload.trailing_zeros() as u64 - 7;
                img.put(at, PCI_CAP_ID_EXP as u64, 1);
                img.put(at + 2, 0x0002, 2); // version 2, endpoint
                img.put(at + 4, 1 << 28 | 1 << 15 | mps, 4); // FLR capable, role-based errors, MPS
                img.put(at + 8, 0x2810, 2); // DEVCTL reset value: MRRS 512, ext tag, relaxed ordering
                img.put_wmask(at + 8, 0x79FF, 2); // all but phantom, aux power and FLR (a command: it reads 0)
                img.put_w1cmask(at + 0xA, 0x000F, 2); // error detected bits
                img.put(at + 0xC, (*link_width as u64) << 4 | speed, 4);
                img.put_wmask(at + 0x10, 0x01C3, 2); // ASPM, RCB, common clock, extended sync
                img.put(at + 0x12, (*link_width as u64) << 4 | speed, 2);
                img.put(at + 0x24, 0x0000_0010, 4); // DEVCAP2: completion timeout disable
                img.put_wmask(at + 0x28, 0x0410, 2); // DEVCTL2: timeout disable, IDO... (subset)
                img.put(at + 0x2C, ((1u64 << speed) - 1) << 1, 4); // LNKCAP2: supported speeds
                img.put(at + 0x30, speed, 2); // LNKCTL2: target speed
                img.put_wmask(at + 0x30, 0x000F, 2);
                pcie = Some(at);
            }
            Capability::VendorSpecific { bytes, .. } => {
                ensure!(
                    !bytes.is_empty() && bytes[0] as usize == 2 + bytes.len(),
                    "vendor-specific capability: the first byte must be its length ({})",
                    2 + bytes.len()
                );
                img.put(at, PCI_CAP_ID_VNDR as u64, 1);
                img.data[at + 2..at + 2 + bytes.len()].copy_from_slice(bytes);
            }
        }
    }
    // Link the list in the order given.
    if let Some(&(first, _)) = placed.first() {
        img.put(PCI_CAPABILITY_LIST, first as u64, 1);
        for pair in placed.windows(2) {
            img.put(pair[0].0 + 1, pair[1].0 as u64, 1);
        }
    } else {
        img.data[PCI_STATUS] &= !(PCI_STATUS_CAP_LIST as u8);
    }
    Ok(pcie)
}

fn place_extended(img: &mut ConfigImage, caps: &[ExtendedCapability]) -> Result<Option<SriovLayout>> {
    let mut next_free = 0x100;
    let mut placed: Vec<(usize, usize, u16)> = Vec::new();
    let mut sriov = None;
    for cap in caps {
        let (len, offset) = match cap {
            ExtendedCapability::Sriov { offset, .. } => (0x40, *offset),
            ExtendedCapability::Ari { offset } => (8, *offset),
        };
        let at = offset.unwrap_or(next_free);
        ensure!(
            at % 4 == 0 && at >= 0x100,
            "extended capability at {at:#x}: must be dword-aligned and at or above 0x100"
        );
        ensure!(
            at + len <= IMPLEMENTED_BYTES,
            "extended capability at {at:#x} runs past the emulated {IMPLEMENTED_BYTES:#x} bytes"
        );
        if let Some(&(o, l, _)) = placed.iter().find(|&&(o, l, _)| at < o + l && o < at + len) {
            bail!("extended capability at {at:#x} ({len} bytes) overlaps the one at {o:#x} ({l} bytes)");
        }
        next_free = at + len;
        match cap {
            ExtendedCapability::Sriov {
                initial_vfs,
                total_vfs,
                first_vf_offset,
                vf_stride,
                vf_device_id,
                supported_page_sizes,
                vf_bars,
                ..
            } => {
                ensure!(initial_vfs <= total_vfs, "initial_vfs {initial_vfs} exceeds total_vfs {total_vfs}");
                ensure!(*total_vfs >= 1, "total_vfs must be at least 1");
                ensure!(*first_vf_offset >= 1 && *vf_stride >= 1, "first_vf_offset and vf_stride must be at least 1");
                placed.push((at, len, PCI_EXT_CAP_ID_SRIOV));
                img.put(at + 4, 0x2, 4); // ARI capable hierarchy preserved
                img.put_wmask(at + PCI_SRIOV_CTRL, 0x001F, 2); // VFE, migration, MSE, ARI hierarchy
                img.put_w1cmask(at + 0x0A, 0x0001, 2);
                img.put(at + 0x0C, *initial_vfs as u64, 2);
                img.put(at + 0x0E, *total_vfs as u64, 2);
                img.put_wmask(at + PCI_SRIOV_NUM_VF, 0xFFFF, 2);
                img.put(at + 0x14, *first_vf_offset as u64, 2);
                img.put(at + 0x16, *vf_stride as u64, 2);
                img.put(at + 0x1A, *vf_device_id as u64, 2);
                img.put(at + 0x1C, *supported_page_sizes as u64, 4);
                img.put(at + 0x20, 0x1, 4); // system page size: 4 KiB
                img.put_wmask(at + 0x20, 0xFFFF_FFFF, 4);
                for bar in vf_bars {
                    place_bar(img, at + 0x24, bar, 6).with_context(|| format!("VF BAR{}", bar.index))?;
                }
                sriov = Some(SriovLayout {
                    offset: at,
                    total_vfs: *total_vfs,
                    first_vf_offset: *first_vf_offset,
                    vf_stride: *vf_stride,
                });
            }
            ExtendedCapability::Ari { .. } => {
                placed.push((at, len, PCI_EXT_CAP_ID_ARI));
            }
        }
    }
    for (i, &(at, _, id)) in placed.iter().enumerate() {
        let next = placed.get(i + 1).map_or(0, |n| n.0) as u64;
        img.put(at, next << 20 | 1 << 16 | id as u64, 4);
    }
    Ok(sriov)
}

/// Checks an image as a host would walk it: the capability chains are well formed, and
/// no identification register is writable.
pub fn check_image(img: &ConfigImage) -> Result<()> {
    // IDs, class/revision, header type, subsystem IDs, capability pointer: read-only.
    let read_only: [(usize, usize, &str); 5] = [
        (0x00, 4, "vendor/device ID"),
        (0x08, 4, "revision/class code"),
        (0x0E, 1, "header type"),
        (0x2C, 4, "subsystem IDs"),
        (0x34, 1, "capability pointer"),
    ];
    for (at, len, what) in read_only {
        if img.wmask[at..at + len].iter().chain(&img.w1cmask[at..at + len]).any(|&m| m != 0) {
            bail!("the {what} register at {at:#x} is read-only, but the profile makes it writable");
        }
    }
    if img.data[PCI_HEADER_TYPE] & 0x7F != 0 {
        bail!("only type 0 headers are emulated");
    }
    for at in IMPLEMENTED_BYTES..CONFIG_BYTES {
        if img.data[at] != 0 || img.wmask[at] != 0 || img.w1cmask[at] != 0 {
            bail!("byte {at:#x} is beyond the emulated {IMPLEMENTED_BYTES:#x} bytes");
        }
    }
    if img.data[PCI_STATUS] as u64 & PCI_STATUS_CAP_LIST != 0 {
        let mut seen = Vec::new();
        let mut at = img.data[PCI_CAPABILITY_LIST] as usize;
        while at != 0 {
            ensure!(at >= 0x40 && at % 4 == 0 && at < 0x100, "capability chain points to {at:#x}: a broken chain");
            ensure!(!seen.contains(&at), "capability chain loops back to {at:#x}");
            seen.push(at);
            at = img.data[at + 1] as usize;
        }
        ensure!(!seen.is_empty(), "the status register announces a capability list, but the pointer is 0");
    }
    let mut seen = Vec::new();
    let mut at = 0x100;
    loop {
        let header = ConfigImage::dword(&img.data, at);
        if header == 0 {
            break;
        }
        ensure!(!seen.contains(&at), "extended capability chain loops back to {at:#x}");
        seen.push(at);
        let next = (header >> 20) as usize;
        if next == 0 {
            break;
        }
        ensure!(
            next >= 0x100 && next % 4 == 0 && next < IMPLEMENTED_BYTES,
            "extended capability chain points to {next:#x}: a broken chain"
        );
        at = next;
    }
    Ok(())
}

/// The folder of shipped profiles (`<workspace>/profiles`).
pub fn shipped_profile_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../profiles")
}

/// Names of the shipped profiles.
pub fn shipped_profiles() -> Result<Vec<String>> {
    let mut names: Vec<String> = std::fs::read_dir(shipped_profile_dir())
        .context("listing the profiles folder")?
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().to_str()?.strip_suffix(".toml").map(str::to_string))
        .collect();
    names.sort();
    Ok(names)
}

/// A profile by shipped name (`nvme`) or by path (`my/device.toml`).
pub fn load_profile(name_or_path: &str) -> Result<Profile> {
    let path = std::path::Path::new(name_or_path);
    if name_or_path.ends_with(".toml") || path.exists() {
        return Profile::load(path);
    }
    let shipped = shipped_profile_dir().join(format!("{name_or_path}.toml"));
    if !shipped.exists() {
        bail!("no profile {name_or_path:?}: the shipped profiles are {}", shipped_profiles()?.join(", "));
    }
    Profile::load(&shipped)
}
