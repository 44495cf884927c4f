//! The configuration-space emulator on the `cfg_` port.
//!
//! Storage: one block RAM holds every function's emulated bytes (0x000-0x1FF, 128 dwords
//! per function, addressed by {function, dword}); six small RAMs hold the templates of the
//! loaded profile: reset values, RW mask and RW1C mask, for the PF and for a VF.
//!
//! Pipeline (one request per cycle, response two cycles after the request):
//! * stage 0: the request's dword and masks are read from the RAMs;
//! * stage 1: the write is merged byte by byte (`new = (old & ~wmask) | (data & wmask)`,
//!   then `new &= ~(data & w1cmask)`, as QEMU does), written back, logged, and the response
//!   registered. The last RAM write is forwarded so back-to-back accesses see each other.
//!
//! Resets run in the background, one dword per free write cycle, copying the template into
//! a range of functions: all of them on `rst` or `mgmt_reset_all`, one on a Function Level
//! Reset (Device Control bit 15), the VFs when VF Enable goes from 0 to 1. A function being
//! reset answers `cfg_retry` (PCIe's Configuration Request Retry Status). A write that would
//! start a reset while another runs is answered with retry too, and not applied.
use crate::cfgspace::profile::{ConfigImage, DeviceImages, IMPLEMENTED_BYTES};
use crate::stream_fifo::{FifoFault, StreamFifo};
use rust_hdl::prelude::*;
use rust_hdl::widgets::dff_with_init::DFFWithInit;
use std::collections::BTreeMap;

/// Dwords emulated per function.
pub const DWORDS: usize = IMPLEMENTED_BYTES / 4;
/// `mgmt_target` values.
pub const TARGET_PF_DEFAULTS: u64 = 0;
pub const TARGET_PF_WMASK: u64 = 1;
pub const TARGET_PF_W1CMASK: u64 = 2;
pub const TARGET_VF_DEFAULTS: u64 = 3;
pub const TARGET_VF_WMASK: u64 = 4;
pub const TARGET_VF_W1CMASK: u64 = 5;
/// Layout registers: index 0 SR-IOV capability dword (0: none), 1 PF Device Control dword,
/// 2 VF Device Control dword, 3 TotalVFs.
pub const TARGET_LAYOUT: u64 = 6;
/// Bits of the access log's packed metadata (function, register, byte enables, write,
/// outcome, timestamp).
pub const LOG_META_BITS: usize = 56;

/// The log FIFO: before/after in the data word, metadata in `tuser`, 512 entries.
type LogFifo = StreamFifo<64, 8, LOG_META_BITS, 9, 10>;

/// `FUNC_BITS` bits of function number (PF = 0, VF n = n); `IMAGE_BITS` = `FUNC_BITS` + 7.
#[derive(LogicBlock)]
pub struct CfgSpace<const FUNC_BITS: usize, const IMAGE_BITS: usize> {
    pub clk: Signal<In, Clock>,
    pub rst: Signal<In, Bit>,
    // Requests from the PCIe hard IP: at most one per cycle, never refused.
    pub cfg_read: Signal<In, Bit>,
    pub cfg_write: Signal<In, Bit>,
    pub cfg_function: Signal<In, Bits<FUNC_BITS>>,
    pub cfg_register: Signal<In, Bits<10>>,
    pub cfg_byte_enable: Signal<In, Bits<4>>,
    pub cfg_write_data: Signal<In, Bits<32>>,
    // The response, two cycles after its request.
    pub cfg_done: Signal<Out, Bit>,
    pub cfg_read_data: Signal<Out, Bits<32>>,
    pub cfg_unsupported: Signal<Out, Bit>,
    pub cfg_retry: Signal<Out, Bit>,
    // Management: load a profile's templates, reset every function.
    pub mgmt_write: Signal<In, Bit>,
    pub mgmt_target: Signal<In, Bits<3>>,
    pub mgmt_index: Signal<In, Bits<7>>,
    pub mgmt_data: Signal<In, Bits<32>>,
    pub mgmt_reset_all: Signal<In, Bit>,
    /// A reset is copying templates.
    pub busy: Signal<Out, Bit>,
    pub vf_enable: Signal<Out, Bit>,
    pub num_vfs: Signal<Out, Bits<16>>,
    // The access log, drained like a stream.
    pub log_valid: Signal<Out, Bit>,
    pub log_ready: Signal<In, Bit>,
    pub log_function: Signal<Out, Bits<7>>,
    pub log_register: Signal<Out, Bits<10>>,
    pub log_byte_enable: Signal<Out, Bits<4>>,
    pub log_write: Signal<Out, Bit>,
    /// 0 done, 1 unsupported request, 2 retry.
    pub log_outcome: Signal<Out, Bits<2>>,
    pub log_time: Signal<Out, Bits<32>>,
    pub log_before: Signal<Out, Bits<32>>,
    pub log_after: Signal<Out, Bits<32>>,
    /// Accesses the full log could not take.
    pub log_dropped: Signal<Out, Bits<32>>,
    /// Records waiting in the log (up to 512).
    pub log_count: Signal<Out, Bits<10>>,

    image: RAM<Bits<32>, IMAGE_BITS>,
    pf_defaults: RAM<Bits<32>, 7>,
    pf_wmask: RAM<Bits<32>, 7>,
    pf_w1cmask: RAM<Bits<32>, 7>,
    vf_defaults: RAM<Bits<32>, 7>,
    vf_wmask: RAM<Bits<32>, 7>,
    vf_w1cmask: RAM<Bits<32>, 7>,
    log: LogFifo,

    // Layout of the loaded profile (management configuration: kept across `rst`).
    sriov_index: DFFWithInit<Bits<7>>,
    pf_devctl_index: DFFWithInit<Bits<7>>,
    vf_devctl_index: DFFWithInit<Bits<7>>,
    total_vfs: DFFWithInit<Bits<16>>,
    max_function: Constant<Bits<FUNC_BITS>>,

    // SR-IOV state shadowed from the PF's image.
    vf_enabled: DFF<Bit>,
    vf_count: DFF<Bits<16>>,
    timestamp: DFF<Bits<32>>,
    dropped: DFF<Bits<32>>,

    // Stage 1 registers.
    s1_valid: DFF<Bit>,
    s1_write: DFF<Bit>,
    s1_function: DFF<Bits<FUNC_BITS>>,
    s1_register: DFF<Bits<10>>,
    s1_byte_enable: DFF<Bits<4>>,
    s1_data: DFF<Bits<32>>,
    // The last image write, for forwarding.
    last_write: DFF<Bit>,
    last_address: DFF<Bits<IMAGE_BITS>>,
    last_data: DFF<Bits<32>>,
    // Responses.
    done: DFF<Bit>,
    read_data: DFF<Bits<32>>,
    unsupported: DFF<Bit>,
    retry: DFF<Bit>,
    // Reset copier.
    copy_active: DFF<Bit>,
    copy_function: DFF<Bits<FUNC_BITS>>,
    copy_last: DFF<Bits<FUNC_BITS>>,
    copy_index: DFF<Bits<7>>,
    copy_primed: DFF<Bit>,

    // Stage 1 combinational values.
    s1_address: Signal<Local, Bits<IMAGE_BITS>>,
    implemented: Signal<Local, Bit>,
    exists: Signal<Local, Bit>,
    in_reset: Signal<Local, Bit>,
    old: Signal<Local, Bits<32>>,
    wmask: Signal<Local, Bits<32>>,
    w1cmask: Signal<Local, Bits<32>>,
    lanes: Signal<Local, Bits<32>>,
    merged: Signal<Local, Bits<32>>,
    starts_reset: Signal<Local, Bit>,
    flr: Signal<Local, Bit>,
    vfe_rising: Signal<Local, Bit>,
    accepted: Signal<Local, Bit>,
    do_write: Signal<Local, Bit>,
    function_wide: Signal<Local, Bits<16>>,
    vf_limit: Signal<Local, Bits<16>>,
    copy_address: Signal<Local, Bits<IMAGE_BITS>>,
    copy_value: Signal<Local, Bits<32>>,
    start_all: Signal<Local, Bit>,
    outcome: Signal<Local, Bits<2>>,
}

fn template(bytes: &[u8]) -> BTreeMap<Bits<7>, Bits<32>> {
    (0..DWORDS).map(|i| ((i as u64).to_bits(), (ConfigImage::dword(bytes, 4 * i) as u64).to_bits())).collect()
}

impl<const FUNC_BITS: usize, const IMAGE_BITS: usize> CfgSpace<FUNC_BITS, IMAGE_BITS> {
    /// The emulator for `max_vfs` virtual functions, powered on with `images`.
    pub fn new(images: &DeviceImages, max_vfs: usize) -> Self {
        assert_eq!(IMAGE_BITS, FUNC_BITS + 7, "IMAGE_BITS must be FUNC_BITS + 7");
        assert!(max_vfs < (1 << FUNC_BITS) && max_vfs < 128, "{max_vfs} VFs need more function bits");
        let vf = images.vf.clone().unwrap_or_default();
        let mut image_init = BTreeMap::new();
        for f in 0..=max_vfs {
            let src = if f == 0 { &images.pf.data } else { &vf.data };
            for i in 0..DWORDS {
                let value = ConfigImage::dword(src, 4 * i) as u64;
                if value != 0 {
                    image_init.insert(((f * DWORDS + i) as u64).to_bits(), value.to_bits());
                }
            }
        }
        let index = |offset: Option<usize>| ((offset.unwrap_or(0) / 4) as u64).to_bits::<7>();
        Self {
            clk: Default::default(),
            rst: Default::default(),
            cfg_read: Default::default(),
            cfg_write: Default::default(),
            cfg_function: Default::default(),
            cfg_register: Default::default(),
            cfg_byte_enable: Default::default(),
            cfg_write_data: Default::default(),
            cfg_done: Default::default(),
            cfg_read_data: Default::default(),
            cfg_unsupported: Default::default(),
            cfg_retry: Default::default(),
            mgmt_write: Default::default(),
            mgmt_target: Default::default(),
            mgmt_index: Default::default(),
            mgmt_data: Default::default(),
            mgmt_reset_all: Default::default(),
            busy: Default::default(),
            vf_enable: Default::default(),
            num_vfs: Default::default(),
            log_valid: Default::default(),
            log_ready: Default::default(),
            log_function: Default::default(),
            log_register: Default::default(),
            log_byte_enable: Default::default(),
            log_write: Default::default(),
            log_outcome: Default::default(),
            log_time: Default::default(),
            log_before: Default::default(),
            log_after: Default::default(),
            log_dropped: Default::default(),
            log_count: Default::default(),
            image: RAM::new(image_init),
            pf_defaults: RAM::new(template(&images.pf.data)),
            pf_wmask: RAM::new(template(&images.pf.wmask)),
            pf_w1cmask: RAM::new(template(&images.pf.w1cmask)),
            vf_defaults: RAM::new(template(&vf.data)),
            vf_wmask: RAM::new(template(&vf.wmask)),
            vf_w1cmask: RAM::new(template(&vf.w1cmask)),
            log: LogFifo::new(FifoFault::None),
            sriov_index: DFFWithInit::new(index(images.sriov.map(|s| s.offset))),
            pf_devctl_index: DFFWithInit::new(index(images.pf_pcie_offset.map(|o| o + 8))),
            vf_devctl_index: DFFWithInit::new(index(images.vf_pcie_offset.map(|o| o + 8))),
            total_vfs: DFFWithInit::new((images.sriov.map_or(0, |s| s.total_vfs) as u64).to_bits()),
            max_function: Constant::new((max_vfs as u64).to_bits()),
            vf_enabled: Default::default(),
            vf_count: Default::default(),
            timestamp: Default::default(),
            dropped: Default::default(),
            s1_valid: Default::default(),
            s1_write: Default::default(),
            s1_function: Default::default(),
            s1_register: Default::default(),
            s1_byte_enable: Default::default(),
            s1_data: Default::default(),
            last_write: Default::default(),
            last_address: Default::default(),
            last_data: Default::default(),
            done: Default::default(),
            read_data: Default::default(),
            unsupported: Default::default(),
            retry: Default::default(),
            copy_active: Default::default(),
            copy_function: Default::default(),
            copy_last: Default::default(),
            copy_index: Default::default(),
            copy_primed: Default::default(),
            s1_address: Default::default(),
            implemented: Default::default(),
            exists: Default::default(),
            in_reset: Default::default(),
            old: Default::default(),
            wmask: Default::default(),
            w1cmask: Default::default(),
            lanes: Default::default(),
            merged: Default::default(),
            starts_reset: Default::default(),
            flr: Default::default(),
            vfe_rising: Default::default(),
            accepted: Default::default(),
            do_write: Default::default(),
            function_wide: Default::default(),
            vf_limit: Default::default(),
            copy_address: Default::default(),
            copy_value: Default::default(),
            start_all: Default::default(),
            outcome: Default::default(),
        }
    }
}

impl<const FUNC_BITS: usize, const IMAGE_BITS: usize> Logic for CfgSpace<FUNC_BITS, IMAGE_BITS> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clk,
            sriov_index,
            pf_devctl_index,
            vf_devctl_index,
            total_vfs,
            vf_enabled,
            vf_count,
            timestamp,
            dropped,
            s1_valid,
            s1_write,
            s1_function,
            s1_register,
            s1_byte_enable,
            s1_data,
            last_write,
            last_address,
            last_data,
            done,
            read_data,
            unsupported,
            retry,
            copy_active,
            copy_function,
            copy_last,
            copy_index,
            copy_primed
        );
        self.log.clk.next = self.clk.val();
        self.image.read_clock.next = self.clk.val();
        self.image.write_clock.next = self.clk.val();
        self.pf_defaults.read_clock.next = self.clk.val();
        self.pf_defaults.write_clock.next = self.clk.val();
        self.pf_wmask.read_clock.next = self.clk.val();
        self.pf_wmask.write_clock.next = self.clk.val();
        self.pf_w1cmask.read_clock.next = self.clk.val();
        self.pf_w1cmask.write_clock.next = self.clk.val();
        self.vf_defaults.read_clock.next = self.clk.val();
        self.vf_defaults.write_clock.next = self.clk.val();
        self.vf_wmask.read_clock.next = self.clk.val();
        self.vf_wmask.write_clock.next = self.clk.val();
        self.vf_w1cmask.read_clock.next = self.clk.val();
        self.vf_w1cmask.write_clock.next = self.clk.val();
        self.log.rst.next = self.rst.val();
        self.timestamp.d.next = self.timestamp.q.val() + 1;

        // ---- Stage 0: read the addressed dword and its masks.
        self.image.read_address.next = (bit_cast::<IMAGE_BITS, FUNC_BITS>(self.cfg_function.val()) << 7)
            | bit_cast::<IMAGE_BITS, 7>(self.cfg_register.val().get_bits::<7>(0));
        self.pf_wmask.read_address.next = self.cfg_register.val().get_bits::<7>(0);
        self.pf_w1cmask.read_address.next = self.cfg_register.val().get_bits::<7>(0);
        self.vf_wmask.read_address.next = self.cfg_register.val().get_bits::<7>(0);
        self.vf_w1cmask.read_address.next = self.cfg_register.val().get_bits::<7>(0);
        self.s1_valid.d.next = self.cfg_read.val() | self.cfg_write.val();
        self.s1_write.d.next = self.cfg_write.val();
        self.s1_function.d.next = self.cfg_function.val();
        self.s1_register.d.next = self.cfg_register.val();
        self.s1_byte_enable.d.next = self.cfg_byte_enable.val();
        self.s1_data.d.next = self.cfg_write_data.val();

        // ---- Stage 1: merge, write back, respond, log.
        self.s1_address.next = (bit_cast::<IMAGE_BITS, FUNC_BITS>(self.s1_function.q.val()) << 7)
            | bit_cast::<IMAGE_BITS, 7>(self.s1_register.q.val().get_bits::<7>(0));
        self.implemented.next = self.s1_register.q.val().get_bits::<3>(7) == 0;
        // A VF exists while VF Enable is set and its number is within NumVFs, TotalVFs and
        // what this build holds.
        self.function_wide.next = bit_cast::<16, FUNC_BITS>(self.s1_function.q.val());
        self.vf_limit.next = self.vf_count.q.val();
        if self.total_vfs.q.val() < self.vf_limit.val() {
            self.vf_limit.next = self.total_vfs.q.val();
        }
        self.exists.next = (self.s1_function.q.val() == 0)
            | (self.vf_enabled.q.val()
                & (self.function_wide.val() <= self.vf_limit.val())
                & (self.s1_function.q.val() <= self.max_function.val()));
        self.in_reset.next = self.copy_active.q.val()
            & (self.s1_function.q.val() >= self.copy_function.q.val())
            & (self.s1_function.q.val() <= self.copy_last.q.val());

        self.old.next = self.image.read_data.val();
        if self.last_write.q.val() & (self.last_address.q.val() == self.s1_address.val()) {
            self.old.next = self.last_data.q.val();
        }
        if self.s1_function.q.val() == 0 {
            self.wmask.next = self.pf_wmask.read_data.val();
            self.w1cmask.next = self.pf_w1cmask.read_data.val();
        } else {
            self.wmask.next = self.vf_wmask.read_data.val();
            self.w1cmask.next = self.vf_w1cmask.read_data.val();
        }
        // Unimplemented registers read 0; a function that does not exist has no data.
        if !self.implemented.val() | !self.exists.val() {
            self.old.next = 0.into();
            self.wmask.next = 0.into();
            self.w1cmask.next = 0.into();
        }
        self.lanes.next = 0.into();
        if self.s1_byte_enable.q.val().get_bit(0) {
            self.lanes.next = self.lanes.val() | 0x0000_00FF;
        }
        if self.s1_byte_enable.q.val().get_bit(1) {
            self.lanes.next = self.lanes.val() | 0x0000_FF00;
        }
        if self.s1_byte_enable.q.val().get_bit(2) {
            self.lanes.next = self.lanes.val() | 0x00FF_0000;
        }
        if self.s1_byte_enable.q.val().get_bit(3) {
            self.lanes.next = self.lanes.val() | 0xFF00_0000_u64;
        }
        self.merged.next = ((self.old.val() & !(self.wmask.val() & self.lanes.val()))
            | (self.s1_data.q.val() & self.wmask.val() & self.lanes.val()))
            & !(self.s1_data.q.val() & self.w1cmask.val() & self.lanes.val());

        // Writes that start a reset: Initiate FLR (Device Control bit 15), VF Enable 0 -> 1.
        self.flr.next = false;
        if self.s1_function.q.val() == 0 {
            if (self.pf_devctl_index.q.val() != 0)
                & (self.s1_register.q.val().get_bits::<7>(0) == self.pf_devctl_index.q.val())
            {
                self.flr.next = self.s1_byte_enable.q.val().get_bit(1) & self.s1_data.q.val().get_bit(15);
            }
        } else if (self.vf_devctl_index.q.val() != 0)
            & (self.s1_register.q.val().get_bits::<7>(0) == self.vf_devctl_index.q.val())
        {
            self.flr.next = self.s1_byte_enable.q.val().get_bit(1) & self.s1_data.q.val().get_bit(15);
        }
        self.vfe_rising.next = (self.s1_function.q.val() == 0)
            & (self.sriov_index.q.val() != 0)
            & (self.s1_register.q.val().get_bits::<7>(0) == self.sriov_index.q.val() + 2)
            & self.merged.val().get_bit(0)
            & !self.vf_enabled.q.val();
        self.starts_reset.next =
            self.s1_write.q.val() & self.implemented.val() & (self.flr.val() | self.vfe_rising.val());
        // Refused with retry: the function is being reset, or a reset is asked for while
        // another runs.
        self.accepted.next =
            self.exists.val() & !self.in_reset.val() & !(self.starts_reset.val() & self.copy_active.q.val());
        self.do_write.next =
            self.s1_valid.q.val() & self.s1_write.q.val() & self.implemented.val() & self.accepted.val();

        // The reset copier writes when the request does not.
        self.pf_defaults.read_address.next = self.copy_index.q.val();
        self.vf_defaults.read_address.next = self.copy_index.q.val();
        self.copy_address.next = (bit_cast::<IMAGE_BITS, FUNC_BITS>(self.copy_function.q.val()) << 7)
            | bit_cast::<IMAGE_BITS, 7>(self.copy_index.q.val());
        if self.copy_function.q.val() == 0 {
            self.copy_value.next = self.pf_defaults.read_data.val();
        } else {
            self.copy_value.next = self.vf_defaults.read_data.val();
        }
        self.image.write_enable.next = false;
        self.image.write_address.next = self.s1_address.val();
        self.image.write_data.next = self.merged.val();
        self.last_write.d.next = false;
        self.last_address.d.next = self.s1_address.val();
        self.last_data.d.next = self.merged.val();
        if self.do_write.val() {
            self.image.write_enable.next = true;
            self.last_write.d.next = true;
        } else if self.copy_active.q.val() & self.copy_primed.q.val() {
            self.image.write_enable.next = true;
            self.image.write_address.next = self.copy_address.val();
            self.image.write_data.next = self.copy_value.val();
            self.last_write.d.next = true;
            self.last_address.d.next = self.copy_address.val();
            self.last_data.d.next = self.copy_value.val();
        }
        if self.copy_active.q.val() {
            if !self.copy_primed.q.val() {
                self.copy_primed.d.next = true;
            } else if !self.do_write.val() {
                self.copy_primed.d.next = false;
                self.copy_index.d.next = self.copy_index.q.val() + 1;
                if self.copy_index.q.val() == 127 {
                    if self.copy_function.q.val() == self.copy_last.q.val() {
                        self.copy_active.d.next = false;
                    } else {
                        self.copy_function.d.next = self.copy_function.q.val() + 1;
                    }
                }
            }
        }

        // SR-IOV shadows and reset starts.
        if self.do_write.val() & (self.s1_function.q.val() == 0) & (self.sriov_index.q.val() != 0) {
            if self.s1_register.q.val().get_bits::<7>(0) == self.sriov_index.q.val() + 2 {
                self.vf_enabled.d.next = self.merged.val().get_bit(0);
            }
            if self.s1_register.q.val().get_bits::<7>(0) == self.sriov_index.q.val() + 4 {
                self.vf_count.d.next = self.merged.val().get_bits::<16>(0);
            }
        }
        if self.do_write.val() & self.flr.val() {
            self.copy_active.d.next = true;
            self.copy_function.d.next = self.s1_function.q.val();
            self.copy_last.d.next = self.s1_function.q.val();
            self.copy_index.d.next = 0.into();
            self.copy_primed.d.next = false;
            if self.s1_function.q.val() == 0 {
                // A PF reset clears VF Enable: its VFs go away.
                self.vf_enabled.d.next = false;
                self.vf_count.d.next = 0.into();
            }
        } else if self.do_write.val() & self.vfe_rising.val() {
            self.copy_active.d.next = true;
            self.copy_function.d.next = 1.into();
            self.copy_last.d.next = self.max_function.val();
            self.copy_index.d.next = 0.into();
            self.copy_primed.d.next = false;
        }

        // Responses and the log.
        self.done.d.next = self.s1_valid.q.val();
        self.unsupported.d.next = self.s1_valid.q.val() & !self.exists.val();
        self.retry.d.next = self.s1_valid.q.val() & self.exists.val() & !self.accepted.val();
        self.read_data.d.next = 0.into();
        if self.s1_valid.q.val() & !self.s1_write.q.val() & self.accepted.val() {
            self.read_data.d.next = self.old.val();
        }
        self.outcome.next = 0.into();
        if !self.exists.val() {
            self.outcome.next = 1.into();
        } else if !self.accepted.val() {
            self.outcome.next = 2.into();
        }
        self.log.s_axis.tvalid.next = self.s1_valid.q.val();
        self.log.s_axis.tkeep.next = 0xFF.into();
        self.log.s_axis.tlast.next = true;
        self.log.s_axis.tdata.next = bit_cast::<64, 32>(self.old.val());
        if self.do_write.val() {
            self.log.s_axis.tdata.next =
                bit_cast::<64, 32>(self.old.val()) | (bit_cast::<64, 32>(self.merged.val()) << 32);
        } else {
            self.log.s_axis.tdata.next =
                bit_cast::<64, 32>(self.old.val()) | (bit_cast::<64, 32>(self.old.val()) << 32);
        }
        self.log.s_axis.tuser.next = bit_cast::<LOG_META_BITS, FUNC_BITS>(self.s1_function.q.val())
            | (bit_cast::<LOG_META_BITS, 10>(self.s1_register.q.val()) << 7)
            | (bit_cast::<LOG_META_BITS, 4>(self.s1_byte_enable.q.val()) << 17)
            | (bit_cast::<LOG_META_BITS, 1>(self.s1_write.q.val().into()) << 21)
            | (bit_cast::<LOG_META_BITS, 2>(self.outcome.val()) << 22)
            | (bit_cast::<LOG_META_BITS, 32>(self.timestamp.q.val()) << 24);
        if self.s1_valid.q.val() & !self.log.s_axis.tready.val() & (self.dropped.q.val() != 0xFFFF_FFFF_u64) {
            self.dropped.d.next = self.dropped.q.val() + 1;
        }
        self.log.m_axis.tready.next = self.log_ready.val();
        self.log_valid.next = self.log.m_axis.tvalid.val();
        self.log_function.next = self.log.m_axis.tuser.val().get_bits::<7>(0);
        self.log_register.next = self.log.m_axis.tuser.val().get_bits::<10>(7);
        self.log_byte_enable.next = self.log.m_axis.tuser.val().get_bits::<4>(17);
        self.log_write.next = self.log.m_axis.tuser.val().get_bit(21);
        self.log_outcome.next = self.log.m_axis.tuser.val().get_bits::<2>(22);
        self.log_time.next = self.log.m_axis.tuser.val().get_bits::<32>(24);
        self.log_before.next = self.log.m_axis.tdata.val().get_bits::<32>(0);
        self.log_after.next = self.log.m_axis.tdata.val().get_bits::<32>(32);
        self.log_dropped.next = self.dropped.q.val();
        self.log_count.next = self.log.occupancy.val();

        // Management: template and layout writes.
        self.pf_defaults.write_address.next = self.mgmt_index.val();
        self.pf_wmask.write_address.next = self.mgmt_index.val();
        self.pf_w1cmask.write_address.next = self.mgmt_index.val();
        self.vf_defaults.write_address.next = self.mgmt_index.val();
        self.vf_wmask.write_address.next = self.mgmt_index.val();
        self.vf_w1cmask.write_address.next = self.mgmt_index.val();
        self.pf_defaults.write_data.next = self.mgmt_data.val();
        self.pf_wmask.write_data.next = self.mgmt_data.val();
        self.pf_w1cmask.write_data.next = self.mgmt_data.val();
        self.vf_defaults.write_data.next = self.mgmt_data.val();
        self.vf_wmask.write_data.next = self.mgmt_data.val();
        self.vf_w1cmask.write_data.next = self.mgmt_data.val();
        self.pf_defaults.write_enable.next = self.mgmt_write.val() & (self.mgmt_target.val() == 0);
        self.pf_wmask.write_enable.next = self.mgmt_write.val() & (self.mgmt_target.val() == 1);
        self.pf_w1cmask.write_enable.next = self.mgmt_write.val() & (self.mgmt_target.val() == 2);
        self.vf_defaults.write_enable.next = self.mgmt_write.val() & (self.mgmt_target.val() == 3);
        self.vf_wmask.write_enable.next = self.mgmt_write.val() & (self.mgmt_target.val() == 4);
        self.vf_w1cmask.write_enable.next = self.mgmt_write.val() & (self.mgmt_target.val() == 5);
        if self.mgmt_write.val() & (self.mgmt_target.val() == 6) {
            if self.mgmt_index.val() == 0 {
                self.sriov_index.d.next = self.mgmt_data.val().get_bits::<7>(0);
            }
            if self.mgmt_index.val() == 1 {
                self.pf_devctl_index.d.next = self.mgmt_data.val().get_bits::<7>(0);
            }
            if self.mgmt_index.val() == 2 {
                self.vf_devctl_index.d.next = self.mgmt_data.val().get_bits::<7>(0);
            }
            if self.mgmt_index.val() == 3 {
                self.total_vfs.d.next = self.mgmt_data.val().get_bits::<16>(0);
            }
        }

        // Reset everything: on `rst`, or when management asks (after loading a profile).
        self.start_all.next = self.rst.val() | self.mgmt_reset_all.val();
        if self.start_all.val() {
            self.copy_active.d.next = true;
            self.copy_function.d.next = 0.into();
            self.copy_last.d.next = self.max_function.val();
            self.copy_index.d.next = 0.into();
            self.copy_primed.d.next = false;
            self.vf_enabled.d.next = false;
            self.vf_count.d.next = 0.into();
        }
        if self.rst.val() {
            self.s1_valid.d.next = false;
            self.last_write.d.next = false;
            self.done.d.next = false;
            self.unsupported.d.next = false;
            self.retry.d.next = false;
            self.read_data.d.next = 0.into();
            self.timestamp.d.next = 0.into();
            self.dropped.d.next = 0.into();
        }

        self.cfg_done.next = self.done.q.val();
        self.cfg_read_data.next = self.read_data.q.val();
        self.cfg_unsupported.next = self.unsupported.q.val();
        self.cfg_retry.next = self.retry.q.val();
        self.busy.next = self.copy_active.q.val();
        self.vf_enable.next = self.vf_enabled.q.val();
        self.num_vfs.next = self.vf_count.q.val();
    }
}

crate::native_ports!(
    impl[const FUNC_BITS: usize, const IMAGE_BITS: usize] CfgSpace<FUNC_BITS, IMAGE_BITS>;
    clk, rst, cfg_read, cfg_write, cfg_function, cfg_register, cfg_byte_enable, cfg_write_data,
    cfg_done, cfg_read_data, cfg_unsupported, cfg_retry,
    mgmt_write, mgmt_target, mgmt_index, mgmt_data, mgmt_reset_all, busy, vf_enable, num_vfs,
    log_valid, log_ready, log_function, log_register, log_byte_enable, log_write, log_outcome, log_time,
    log_before, log_after, log_dropped, log_count,
);

/// Up to 16 VFs (5 function bits).
pub type CfgSpace16 = CfgSpace<5, 12>;
/// Up to 64 VFs (7 function bits).
pub type CfgSpace64 = CfgSpace<7, 14>;
