//! What a PCIe configuration space must do, from the PCI Express Base and SR-IOV specs and
//! QEMU's byte-mask model, written without looking at the RTL: per byte, a write keeps the
//! read-only bits, takes the RW bits, and clears the RW1C bits written with 1. A VF exists
//! while VF Enable is set and its number is at most NumVFs (and TotalVFs); NumVFs counts as
//! it was when VF Enable was set (SR-IOV 3.3.10 leaves writing it while VF Enable is set
//! undefined; this core latches it, as hardware that sizes its VFs at enable does). Initiate FLR
//! restores the function's reset values; setting VF Enable brings the VFs up in reset
//! state; a PF reset also clears VF Enable. Resets complete at once here; the RTL takes
//! cycles and answers "retry" meanwhile, which tests wait out.
use ferronic_hdl::cfgspace::profile::{
    ConfigImage, DeviceImages, CONFIG_BYTES, PCI_EXP_DEVCTL, PCI_EXP_DEVCTL_BCR_FLR, PCI_SRIOV_CTRL,
    PCI_SRIOV_CTRL_VFE, PCI_SRIOV_NUM_VF,
};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Done,
    Unsupported,
}

/// What a write did: the dword before and after the merge (before any reset it starts),
/// and whether it started a reset (FLR, or VF Enable rising).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WriteResult {
    pub outcome: Outcome,
    pub before: u32,
    pub after: u32,
    pub reset: bool,
}

#[derive(Clone, Debug)]
pub struct CfgSpaceModel {
    images: DeviceImages,
    max_vfs: usize,
    /// Bytes of each function, PF first.
    functions: Vec<Vec<u8>>,
    /// NumVFs when VF Enable was last set.
    vfs_enabled_with: u16,
}

impl CfgSpaceModel {
    pub fn new(images: DeviceImages, max_vfs: usize) -> Self {
        let mut model = Self { images, max_vfs, functions: Vec::new(), vfs_enabled_with: 0 };
        model.reset_all();
        model
    }

    fn template(&self, function: usize) -> &ConfigImage {
        match (function, &self.images.vf) {
            (0, _) => &self.images.pf,
            (_, Some(vf)) => vf,
            (_, None) => &self.images.pf,
        }
    }

    /// Every function back to its reset values (power-on, `rst`, or a profile load).
    pub fn reset_all(&mut self) {
        self.functions = (0..=self.max_vfs).map(|f| self.template(f).data.clone()).collect();
        self.vfs_enabled_with = 0;
    }

    /// Load another device type; takes effect as the RTL's does, after a reset of all.
    pub fn load(&mut self, images: DeviceImages) {
        self.images = images;
        self.reset_all();
    }

    fn pf_u16(&self, offset: usize) -> u16 {
        u16::from_le_bytes([self.functions[0][offset], self.functions[0][offset + 1]])
    }

    pub fn vf_enabled(&self) -> bool {
        self.images.sriov.is_some_and(|s| self.pf_u16(s.offset + PCI_SRIOV_CTRL) & PCI_SRIOV_CTRL_VFE != 0)
    }

    /// NumVFs as the register reads.
    pub fn num_vfs(&self) -> u16 {
        self.images.sriov.map_or(0, |s| self.pf_u16(s.offset + PCI_SRIOV_NUM_VF))
    }

    /// The VFs in effect: NumVFs as it was when VF Enable was set; NumVFs while it is clear.
    pub fn vfs_in_effect(&self) -> u16 {
        if self.vf_enabled() {
            self.vfs_enabled_with
        } else {
            self.num_vfs()
        }
    }

    pub fn exists(&self, function: usize) -> bool {
        if function == 0 {
            return true;
        }
        let Some(sriov) = self.images.sriov else { return false };
        self.vf_enabled()
            && function <= self.vfs_in_effect() as usize
            && function <= sriov.total_vfs as usize
            && function <= self.max_vfs
    }

    /// A configuration read of dword `register`.
    pub fn read(&self, function: usize, register: usize) -> (Outcome, u32) {
        if !self.exists(function) {
            return (Outcome::Unsupported, 0);
        }
        (Outcome::Done, ConfigImage::dword(&self.functions[function], 4 * register))
    }

    /// A configuration write.
    pub fn write(&mut self, function: usize, register: usize, byte_enable: u8, data: u32) -> WriteResult {
        if !self.exists(function) {
            return WriteResult { outcome: Outcome::Unsupported, before: 0, after: 0, reset: false };
        }
        let before = ConfigImage::dword(&self.functions[function], 4 * register);
        let template = self.template(function).clone();
        let was_enabled = self.vf_enabled();
        for lane in 0..4 {
            if byte_enable >> lane & 1 == 0 {
                continue;
            }
            let at = 4 * register + lane;
            if at >= CONFIG_BYTES {
                continue;
            }
            let value = (data >> (8 * lane)) as u8;
            let byte = &mut self.functions[function][at];
            *byte = (*byte & !template.wmask[at]) | (value & template.wmask[at]);
            *byte &= !(value & template.w1cmask[at]);
        }
        let after = ConfigImage::dword(&self.functions[function], 4 * register);
        let devctl = if function == 0 { self.images.pf_pcie_offset } else { self.images.vf_pcie_offset }
            .map(|o| o + PCI_EXP_DEVCTL);
        let initiates_flr = devctl.is_some_and(|d| 4 * register == d)
            && byte_enable & 0b10 != 0
            && data as u16 & PCI_EXP_DEVCTL_BCR_FLR != 0;
        let mut reset = false;
        if initiates_flr {
            self.functions[function] = template.data.clone();
            reset = true;
        } else if function == 0 && !was_enabled && self.vf_enabled() {
            // VFs come up in their reset state when VF Enable is set.
            self.vfs_enabled_with = self.num_vfs();
            for f in 1..=self.max_vfs {
                self.functions[f] = self.template(f).data.clone();
            }
            reset = true;
        }
        WriteResult { outcome: Outcome::Done, before, after, reset }
    }

    /// All 4096 bytes of a function as the host would read them.
    pub fn bytes(&self, function: usize) -> &[u8] {
        &self.functions[function]
    }
}
