//! The configuration-space emulator on the `cfg_` port.
//!
//! Storage: one block RAM holds every function's emulated bytes (0x000-0x1FF, 128 dwords
//! per function, addressed by {function, dword}); three small RAMs hold the templates of the
//! loaded profile (reset values, RW mask, RW1C mask), each addressed by {is VF, dword} so
//! that no multiplexer sits after a RAM.
//!
//! Pipeline (one request per cycle, response three cycles after the request, write-back one
//! cycle later):
//! * stage 0: the request's dword and masks are read from the RAMs;
//! * stage 1: the RAM outputs are registered with nothing in between (on ECP5 these become
//!   the RAMs' own output registers: a block RAM's 5-6 ns clock-to-output leaves no room for
//!   logic after it at 150 MHz), and everything that depends only on the request is decoded:
//!   which special register it is, the byte lanes, whether the function exists, which
//!   in-flight writes it must see;
//! * stage 2: the write is merged byte by byte (`new = (old & ~wmask) | (data & wmask)`,
//!   then `new &= ~(data & w1cmask)`, as QEMU does), the response registered;
//! * stage 3: the merged dword is written back and the access logged, from registers. The
//!   three writes a request's read can miss (the one in stage 3 and the two before it) are
//!   forwarded.
//!
//! NumVFs takes effect when VF Enable is set: the SR-IOV spec (3.3.10) leaves a NumVFs
//! write while VF Enable is set undefined, and latching it lets stage 1 decide whether a VF
//! exists without a hazard on the request ahead.
//!
//! Resets run in the background, one dword every three cycles while the write port is free,
//! copying the template into a range of functions: all of them on `rst` or
//! `mgmt_reset_all`, one on a Function Level Reset (Device Control bit 15), the VFs when VF
//! Enable goes from 0 to 1. A function being reset answers `cfg_retry` (PCIe's
//! Configuration Request Retry Status). A write that would start a reset while another runs
//! is answered with retry too, and not applied.
use crate::block_ram::BlockRam;
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
    // The response, three cycles after its request.
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
    /// The VFs in effect: NumVFs as latched when VF Enable was set (NumVFs while clear).
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
    image: BlockRam<32, IMAGE_BITS>,
    // Templates, addressed by {is VF, dword}.
    defaults: BlockRam<32, 8>,
    wmask_ram: BlockRam<32, 8>,
    w1cmask_ram: BlockRam<32, 8>,
    log_fifo: LogFifo,

    // Layout of the loaded profile (management configuration: kept across `rst`).
    sriov_index: DFFWithInit<Bits<7>>,
    pf_devctl_index: DFFWithInit<Bits<7>>,
    vf_devctl_index: DFFWithInit<Bits<7>>,
    total_vfs: DFFWithInit<Bits<16>>,
    max_function: Constant<Bits<FUNC_BITS>>,

    // SR-IOV state shadowed from the PF's image (NumVFs as written, and as latched by VF
    // Enable); cycle counter; log overflow.
    vf_enabled: DFF<Bit>,
    vf_count: DFF<Bits<16>>,
    vf_active: DFF<Bits<16>>,
    timestamp: DFF<Bits<32>>,
    dropped: DFF<Bits<32>>,

    // Stage 1: the request.
    s1_valid: DFF<Bit>,
    s1_write: DFF<Bit>,
    s1_function: DFF<Bits<FUNC_BITS>>,
    s1_register: DFF<Bits<10>>,
    s1_byte_enable: DFF<Bits<4>>,
    s1_data: DFF<Bits<32>>,

    // Stage 2: the request, the registered RAM outputs, and what stage 1 decoded.
    s2_valid: DFF<Bit>,
    s2_write: DFF<Bit>,
    s2_function: DFF<Bits<FUNC_BITS>>,
    s2_register: DFF<Bits<10>>,
    s2_address: DFF<Bits<IMAGE_BITS>>,
    s2_byte_enable: DFF<Bits<4>>,
    s2_data: DFF<Bits<32>>,
    s2_raw: DFF<Bits<32>>,
    s2_wmask: DFF<Bits<32>>,
    s2_w1cmask: DFF<Bits<32>>,
    s2_lanes: DFF<Bits<32>>,
    s2_is_pf: DFF<Bit>,
    s2_vf_in_range: DFF<Bit>,
    s2_implemented: DFF<Bit>,
    s2_flr: DFF<Bit>,
    s2_sriov_ctrl: DFF<Bit>,
    s2_num_vfs: DFF<Bit>,
    s2_sets_vf_enable: DFF<Bit>,
    s2_hit_s3: DFF<Bit>,
    s2_forward_older: DFF<Bit>,
    s2_older_data: DFF<Bits<32>>,
    s2_in_copy_range: DFF<Bit>,
    s2_same_function_ahead: DFF<Bit>,
    s2_copied_recently: DFF<Bit>,

    // Stage 3: the write-back and the log record.
    s3_write: DFF<Bit>,
    s3_address: DFF<Bits<IMAGE_BITS>>,
    s3_data: DFF<Bits<32>>,
    s3_log_valid: DFF<Bit>,
    s3_before: DFF<Bits<32>>,
    s3_hide_before: DFF<Bit>,
    s3_log_meta: DFF<Bits<LOG_META_BITS>>,

    // The two writes committed before the one in stage 3, for forwarding.
    w1_write: DFF<Bit>,
    w1_address: DFF<Bits<IMAGE_BITS>>,
    w1_data: DFF<Bits<32>>,

    // Responses.
    done: DFF<Bit>,
    read_data: DFF<Bits<32>>,
    unsupported: DFF<Bit>,
    retry: DFF<Bit>,

    // Reset copier, and the function it wrote in the last cycle (a read issued then may be stale).
    copy_active: DFF<Bit>,
    copy_function: DFF<Bits<FUNC_BITS>>,
    copy_last: DFF<Bits<FUNC_BITS>>,
    copy_index: DFF<Bits<7>>,
    copy_wait: DFF<Bits<2>>,
    copy_value: DFF<Bits<32>>,
    copied_recently: DFF<Bit>,
    copied_function: DFF<Bits<FUNC_BITS>>,
    // Resets started in the last cycle, after the request now in stage 2 was decoded.
    started_all: DFF<Bit>,
    started_flr: DFF<Bit>,
    started_vfs: DFF<Bit>,

    // Combinational values.
    s1_address: Signal<Local, Bits<IMAGE_BITS>>,
    vf_limit: Signal<Local, Bits<16>>,
    lane0: Signal<Local, Bits<32>>,
    lane1: Signal<Local, Bits<32>>,
    lane2: Signal<Local, Bits<32>>,
    lane3: Signal<Local, Bits<32>>,
    old: Signal<Local, Bits<32>>,
    wmask: Signal<Local, Bits<32>>,
    w1cmask: Signal<Local, Bits<32>>,
    merged: Signal<Local, Bits<32>>,
    exists: Signal<Local, Bit>,
    in_reset: Signal<Local, Bit>,
    vfe_rising: Signal<Local, Bit>,
    starts_reset: Signal<Local, Bit>,
    accepted: Signal<Local, Bit>,
    do_write: Signal<Local, Bit>,
    copy_writes: Signal<Local, Bit>,
    start_all: Signal<Local, Bit>,
    outcome: Signal<Local, Bits<2>>,
}

/// A template RAM's contents: the PF's dwords at {0, dword}, the VF's at {1, dword}.
fn templates(pf: &[u8], vf: &[u8]) -> BTreeMap<Bits<8>, Bits<32>> {
    let mut words = BTreeMap::new();
    for (half, bytes) in [pf, vf].into_iter().enumerate() {
        for i in 0..DWORDS {
            words.insert(((half * DWORDS + i) as u64).to_bits(), (ConfigImage::dword(bytes, 4 * i) as u64).to_bits());
        }
    }
    words
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
            image: BlockRam::new(image_init),
            defaults: BlockRam::new(templates(&images.pf.data, &vf.data)),
            wmask_ram: BlockRam::new(templates(&images.pf.wmask, &vf.wmask)),
            w1cmask_ram: BlockRam::new(templates(&images.pf.w1cmask, &vf.w1cmask)),
            log_fifo: LogFifo::new(FifoFault::None),
            sriov_index: DFFWithInit::new(index(images.sriov.map(|s| s.offset))),
            pf_devctl_index: DFFWithInit::new(index(images.pf_pcie_offset.map(|o| o + 8))),
            vf_devctl_index: DFFWithInit::new(index(images.vf_pcie_offset.map(|o| o + 8))),
            total_vfs: DFFWithInit::new((images.sriov.map_or(0, |s| s.total_vfs) as u64).to_bits()),
            max_function: Constant::new((max_vfs as u64).to_bits()),
            vf_enabled: Default::default(),
            vf_count: Default::default(),
            vf_active: Default::default(),
            timestamp: Default::default(),
            dropped: Default::default(),
            s1_valid: Default::default(),
            s1_write: Default::default(),
            s1_function: Default::default(),
            s1_register: Default::default(),
            s1_byte_enable: Default::default(),
            s1_data: Default::default(),
            s2_valid: Default::default(),
            s2_write: Default::default(),
            s2_function: Default::default(),
            s2_register: Default::default(),
            s2_address: Default::default(),
            s2_byte_enable: Default::default(),
            s2_data: Default::default(),
            s2_raw: Default::default(),
            s2_wmask: Default::default(),
            s2_w1cmask: Default::default(),
            s2_lanes: Default::default(),
            s2_is_pf: Default::default(),
            s2_vf_in_range: Default::default(),
            s2_implemented: Default::default(),
            s2_flr: Default::default(),
            s2_sriov_ctrl: Default::default(),
            s2_num_vfs: Default::default(),
            s2_sets_vf_enable: Default::default(),
            s2_hit_s3: Default::default(),
            s2_forward_older: Default::default(),
            s2_older_data: Default::default(),
            s2_in_copy_range: Default::default(),
            s2_same_function_ahead: Default::default(),
            s2_copied_recently: Default::default(),
            s3_write: Default::default(),
            s3_address: Default::default(),
            s3_data: Default::default(),
            s3_log_valid: Default::default(),
            s3_before: Default::default(),
            s3_hide_before: Default::default(),
            s3_log_meta: Default::default(),
            w1_write: Default::default(),
            w1_address: Default::default(),
            w1_data: Default::default(),
            done: Default::default(),
            read_data: Default::default(),
            unsupported: Default::default(),
            retry: Default::default(),
            copy_active: Default::default(),
            copy_function: Default::default(),
            copy_last: Default::default(),
            copy_index: Default::default(),
            copy_wait: Default::default(),
            copy_value: Default::default(),
            copied_recently: Default::default(),
            copied_function: Default::default(),
            started_all: Default::default(),
            started_flr: Default::default(),
            started_vfs: Default::default(),
            s1_address: Default::default(),
            vf_limit: Default::default(),
            lane0: Default::default(),
            lane1: Default::default(),
            lane2: Default::default(),
            lane3: Default::default(),
            old: Default::default(),
            wmask: Default::default(),
            w1cmask: Default::default(),
            merged: Default::default(),
            exists: Default::default(),
            in_reset: Default::default(),
            vfe_rising: Default::default(),
            starts_reset: Default::default(),
            accepted: Default::default(),
            do_write: Default::default(),
            copy_writes: Default::default(),
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
            vf_active,
            timestamp,
            dropped,
            s1_valid,
            s1_write,
            s1_function,
            s1_register,
            s1_byte_enable,
            s1_data,
            s2_valid,
            s2_write,
            s2_function,
            s2_register,
            s2_address,
            s2_byte_enable,
            s2_data,
            s2_raw,
            s2_wmask,
            s2_w1cmask,
            s2_lanes,
            s2_is_pf,
            s2_vf_in_range,
            s2_implemented,
            s2_flr,
            s2_sriov_ctrl,
            s2_num_vfs,
            s2_sets_vf_enable,
            s2_hit_s3,
            s2_forward_older,
            s2_older_data,
            s2_in_copy_range,
            s2_same_function_ahead,
            s2_copied_recently,
            s3_write,
            s3_address,
            s3_data,
            s3_log_valid,
            s3_before,
            s3_hide_before,
            s3_log_meta,
            w1_write,
            w1_address,
            w1_data,
            done,
            read_data,
            unsupported,
            retry,
            copy_active,
            copy_function,
            copy_last,
            copy_index,
            copy_wait,
            copy_value,
            copied_recently,
            copied_function,
            started_all,
            started_flr,
            started_vfs
        );
        self.log_fifo.clk.next = self.clk.val();
        self.log_fifo.rst.next = self.rst.val();
        self.image.read_clock.next = self.clk.val();
        self.image.write_clock.next = self.clk.val();
        self.defaults.read_clock.next = self.clk.val();
        self.defaults.write_clock.next = self.clk.val();
        self.wmask_ram.read_clock.next = self.clk.val();
        self.wmask_ram.write_clock.next = self.clk.val();
        self.w1cmask_ram.read_clock.next = self.clk.val();
        self.w1cmask_ram.write_clock.next = self.clk.val();
        self.timestamp.d.next = self.timestamp.q.val() + 1;

        // The reset copier writes when its template word is through and stage 3 does not write.
        self.copy_writes.next = self.copy_active.q.val() & (self.copy_wait.q.val() == 0) & !self.s3_write.q.val();

        // ---- Stage 0: read the addressed dword and its masks.
        self.image.read_address.next = (bit_cast::<IMAGE_BITS, FUNC_BITS>(self.cfg_function.val()) << 7)
            | bit_cast::<IMAGE_BITS, 7>(self.cfg_register.val().get_bits::<7>(0));
        self.wmask_ram.read_address.next = bit_cast::<8, 7>(self.cfg_register.val().get_bits::<7>(0));
        if self.cfg_function.val() != 0 {
            self.wmask_ram.read_address.next = bit_cast::<8, 7>(self.cfg_register.val().get_bits::<7>(0)) | 0x80;
        }
        self.w1cmask_ram.read_address.next = self.wmask_ram.read_address.val();
        self.s1_valid.d.next = self.cfg_read.val() | self.cfg_write.val();
        self.s1_write.d.next = self.cfg_write.val();
        self.s1_function.d.next = self.cfg_function.val();
        self.s1_register.d.next = self.cfg_register.val();
        self.s1_byte_enable.d.next = self.cfg_byte_enable.val();
        self.s1_data.d.next = self.cfg_write_data.val();

        // ---- Stage 1: register the RAM outputs; decode the request.
        self.s1_address.next = (bit_cast::<IMAGE_BITS, FUNC_BITS>(self.s1_function.q.val()) << 7)
            | bit_cast::<IMAGE_BITS, 7>(self.s1_register.q.val().get_bits::<7>(0));
        self.s2_valid.d.next = self.s1_valid.q.val();
        self.s2_write.d.next = self.s1_write.q.val();
        self.s2_function.d.next = self.s1_function.q.val();
        self.s2_register.d.next = self.s1_register.q.val();
        self.s2_address.d.next = self.s1_address.val();
        self.s2_byte_enable.d.next = self.s1_byte_enable.q.val();
        self.s2_data.d.next = self.s1_data.q.val();
        self.s2_raw.d.next = self.image.read_data.val();
        self.s2_wmask.d.next = self.wmask_ram.read_data.val();
        self.s2_w1cmask.d.next = self.w1cmask_ram.read_data.val();
        self.s2_is_pf.d.next = self.s1_function.q.val() == 0;
        // Whether the VF would exist with VF Enable set: within the VFs in effect, TotalVFs and
        // what this build holds. The request ahead can change only VF Enable (a NumVFs write
        // takes effect at the next VF Enable), which stage 2 looks at itself.
        self.vf_limit.next = self.vf_count.q.val();
        if self.vf_enabled.q.val() {
            self.vf_limit.next = self.vf_active.q.val();
        }
        self.s2_vf_in_range.d.next = (bit_cast::<16, FUNC_BITS>(self.s1_function.q.val()) <= self.vf_limit.val())
            & (bit_cast::<16, FUNC_BITS>(self.s1_function.q.val()) <= self.total_vfs.q.val())
            & (self.s1_function.q.val() <= self.max_function.val());
        self.s2_implemented.d.next = self.s1_register.q.val().get_bits::<3>(7) == 0;
        // Byte lanes: each assigned once (reading back a value assigned in the same pass
        // would behave differently in rust-hdl's simulator and in Verilog).
        self.lane0.next = 0.into();
        self.lane1.next = 0.into();
        self.lane2.next = 0.into();
        self.lane3.next = 0.into();
        if self.s1_byte_enable.q.val().get_bit(0) {
            self.lane0.next = 0x0000_00FF.into();
        }
        if self.s1_byte_enable.q.val().get_bit(1) {
            self.lane1.next = 0x0000_FF00.into();
        }
        if self.s1_byte_enable.q.val().get_bit(2) {
            self.lane2.next = 0x00FF_0000.into();
        }
        if self.s1_byte_enable.q.val().get_bit(3) {
            self.lane3.next = 0xFF00_0000_u64.into();
        }
        self.s2_lanes.d.next = self.lane0.val() | self.lane1.val() | self.lane2.val() | self.lane3.val();
        // Initiate FLR: Device Control bit 15 written with 1 (the bit itself is not stored).
        self.s2_flr.d.next = false;
        if self.s1_write.q.val()
            & self.s1_byte_enable.q.val().get_bit(1)
            & self.s1_data.q.val().get_bit(15)
            & (self.s1_register.q.val().get_bits::<3>(7) == 0)
        {
            if self.s1_function.q.val() == 0 {
                self.s2_flr.d.next = (self.pf_devctl_index.q.val() != 0)
                    & (self.s1_register.q.val().get_bits::<7>(0) == self.pf_devctl_index.q.val());
            } else {
                self.s2_flr.d.next = (self.vf_devctl_index.q.val() != 0)
                    & (self.s1_register.q.val().get_bits::<7>(0) == self.vf_devctl_index.q.val());
            }
        }
        self.s2_sriov_ctrl.d.next = (self.s1_function.q.val() == 0)
            & (self.sriov_index.q.val() != 0)
            & (self.s1_register.q.val() == bit_cast::<10, 7>(self.sriov_index.q.val() + 2));
        self.s2_num_vfs.d.next = (self.s1_function.q.val() == 0)
            & (self.sriov_index.q.val() != 0)
            & (self.s1_register.q.val() == bit_cast::<10, 7>(self.sriov_index.q.val() + 4));
        // A write of 1 to VF Enable (whether it is writable, stage 2 knows from the mask).
        self.s2_sets_vf_enable.d.next =
            self.s1_write.q.val() & self.s1_byte_enable.q.val().get_bit(0) & self.s1_data.q.val().get_bit(0);
        // Forwarding: the writes this request's read missed. The request now in stage 2 will
        // be in stage 3 (its data is known only then); the one in stage 3 is writing now,
        // and the one that wrote last cycle wrote in the cycle this request read: those two
        // are chosen here, the younger first.
        self.s2_hit_s3.d.next = self.s1_address.val() == self.s2_address.q.val();
        self.s2_forward_older.d.next = false;
        self.s2_older_data.d.next = self.w1_data.q.val();
        if (self.s1_address.val() == self.s3_address.q.val()) & self.s3_write.q.val() {
            self.s2_forward_older.d.next = true;
            self.s2_older_data.d.next = self.s3_data.q.val();
        } else if (self.s1_address.val() == self.w1_address.q.val()) & self.w1_write.q.val() {
            self.s2_forward_older.d.next = true;
        }
        // In the range a running reset covers; the resets the request ahead starts, stage 2
        // adds from `started_*`.
        self.s2_in_copy_range.d.next = (self.s1_function.q.val() >= self.copy_function.q.val())
            & (self.s1_function.q.val() <= self.copy_last.q.val());
        self.s2_same_function_ahead.d.next = self.s1_function.q.val() == self.s2_function.q.val();
        // The copier wrote this function in this cycle or the last: after its read, or in
        // the same cycle (undefined).
        self.s2_copied_recently.d.next = (self.copy_writes.val()
            & (self.copy_function.q.val() == self.s1_function.q.val()))
            | (self.copied_recently.q.val() & (self.copied_function.q.val() == self.s1_function.q.val()));

        // ---- Stage 2: merge and respond.
        self.old.next = self.s2_raw.q.val();
        if self.s2_hit_s3.q.val() & self.s3_write.q.val() {
            self.old.next = self.s3_data.q.val();
        } else if self.s2_forward_older.q.val() {
            self.old.next = self.s2_older_data.q.val();
        }
        // A VF exists while VF Enable is set and its number is in range.
        self.exists.next = self.s2_is_pf.q.val() | (self.vf_enabled.q.val() & self.s2_vf_in_range.q.val());
        // The merged dword is used only when the write is done (the function exists, the
        // register is implemented); what the response and the log show otherwise is decided
        // apart, so that nothing but the merge sits between the RAM and stage 3.
        self.wmask.next = self.s2_wmask.q.val() & self.s2_lanes.q.val();
        self.w1cmask.next = self.s2_w1cmask.q.val() & self.s2_lanes.q.val();
        self.merged.next = ((self.old.val() & !self.wmask.val()) | (self.s2_data.q.val() & self.wmask.val()))
            & !(self.s2_data.q.val() & self.w1cmask.val());
        // A function is being reset: in the copier's range, in a reset started in the last
        // cycle, or written by the copier since this request read it. The copier leaves a
        // function only by writing its last dword, so a range decoded a cycle ago is still
        // exact with the last condition.
        self.in_reset.next = (self.copy_active.q.val() & self.s2_in_copy_range.q.val())
            | self.started_all.q.val()
            | (self.started_flr.q.val() & self.s2_same_function_ahead.q.val())
            | (self.started_vfs.q.val() & !self.s2_is_pf.q.val())
            | self.s2_copied_recently.q.val();
        // VF Enable going from 0 to 1 (profiles must make it writable: `Profile::build`).
        self.vfe_rising.next = self.s2_sriov_ctrl.q.val() & self.s2_sets_vf_enable.q.val() & !self.vf_enabled.q.val();
        self.starts_reset.next = self.s2_flr.q.val() | self.vfe_rising.val();
        // Refused with retry: the function is being reset, or a reset is asked for while
        // another runs.
        self.accepted.next =
            self.exists.val() & !self.in_reset.val() & !(self.starts_reset.val() & self.copy_active.q.val());
        self.do_write.next =
            self.s2_valid.q.val() & self.s2_write.q.val() & self.s2_implemented.q.val() & self.accepted.val();
        self.s3_write.d.next = self.do_write.val();
        self.s3_address.d.next = self.s2_address.q.val();
        self.s3_data.d.next = self.merged.val();

        // Responses and the log record.
        self.done.d.next = self.s2_valid.q.val();
        self.unsupported.d.next = self.s2_valid.q.val() & !self.exists.val();
        self.retry.d.next = self.s2_valid.q.val() & self.exists.val() & !self.accepted.val();
        self.read_data.d.next = 0.into();
        // Unimplemented registers read 0; a function that does not exist has no data.
        if self.s2_valid.q.val() & !self.s2_write.q.val() & self.accepted.val() & self.s2_implemented.q.val() {
            self.read_data.d.next = self.old.val();
        }
        self.outcome.next = 0.into();
        if !self.exists.val() {
            self.outcome.next = 1.into();
        } else if !self.accepted.val() {
            self.outcome.next = 2.into();
        }
        self.s3_log_valid.d.next = self.s2_valid.q.val();
        self.s3_before.d.next = self.old.val();
        self.s3_hide_before.d.next = !self.s2_implemented.q.val() | !self.exists.val();
        self.s3_log_meta.d.next = bit_cast::<LOG_META_BITS, FUNC_BITS>(self.s2_function.q.val())
            | (bit_cast::<LOG_META_BITS, 10>(self.s2_register.q.val()) << 7)
            | (bit_cast::<LOG_META_BITS, 4>(self.s2_byte_enable.q.val()) << 17)
            | (bit_cast::<LOG_META_BITS, 1>(self.s2_write.q.val().into()) << 21)
            | (bit_cast::<LOG_META_BITS, 2>(self.outcome.val()) << 22)
            | (bit_cast::<LOG_META_BITS, 32>(self.timestamp.q.val()) << 24);

        // SR-IOV shadows and reset starts. The shadows take the written bytes themselves, not
        // the merged dword (the profile makes both fields writable and start at 0, so they
        // hold the same bits, and this keeps them off the RAMs' paths).
        if self.do_write.val() & self.s2_sriov_ctrl.q.val() & self.s2_byte_enable.q.val().get_bit(0) {
            self.vf_enabled.d.next = self.s2_data.q.val().get_bit(0);
        }
        if self.do_write.val() & self.s2_num_vfs.q.val() {
            self.vf_count.d.next = (self.vf_count.q.val() & !self.s2_lanes.q.val().get_bits::<16>(0))
                | (self.s2_data.q.val().get_bits::<16>(0) & self.s2_lanes.q.val().get_bits::<16>(0));
        }
        // NumVFs as it was when VF Enable was set: while clear, follow it.
        if !self.vf_enabled.q.val() {
            self.vf_active.d.next = self.vf_count.q.val();
        }
        self.started_flr.d.next = self.do_write.val() & self.s2_flr.q.val();
        self.started_vfs.d.next = self.do_write.val() & !self.s2_flr.q.val() & self.vfe_rising.val();
        if self.do_write.val() & self.s2_flr.q.val() {
            self.copy_active.d.next = true;
            self.copy_function.d.next = self.s2_function.q.val();
            self.copy_last.d.next = self.s2_function.q.val();
            self.copy_index.d.next = 0.into();
            self.copy_wait.d.next = 2.into();
            if self.s2_is_pf.q.val() {
                // A PF reset clears VF Enable: its VFs go away.
                self.vf_enabled.d.next = false;
                self.vf_count.d.next = 0.into();
            }
        } else if self.do_write.val() & self.vfe_rising.val() {
            self.copy_active.d.next = true;
            self.copy_function.d.next = 1.into();
            self.copy_last.d.next = self.max_function.val();
            self.copy_index.d.next = 0.into();
            self.copy_wait.d.next = 2.into();
        }

        // ---- Stage 3: the image's write port (the request, else the reset copier) and the log.
        self.defaults.read_address.next = bit_cast::<8, 7>(self.copy_index.q.val());
        if self.copy_function.q.val() != 0 {
            self.defaults.read_address.next = bit_cast::<8, 7>(self.copy_index.q.val()) | 0x80;
        }
        self.copy_value.d.next = self.defaults.read_data.val();
        self.image.write_enable.next = self.s3_write.q.val() | self.copy_writes.val();
        self.image.write_address.next = self.s3_address.q.val();
        self.image.write_data.next = self.s3_data.q.val();
        if !self.s3_write.q.val() {
            self.image.write_address.next = (bit_cast::<IMAGE_BITS, FUNC_BITS>(self.copy_function.q.val()) << 7)
                | bit_cast::<IMAGE_BITS, 7>(self.copy_index.q.val());
            self.image.write_data.next = self.copy_value.q.val();
        }
        self.w1_write.d.next = self.s3_write.q.val();
        self.w1_address.d.next = self.s3_address.q.val();
        self.w1_data.d.next = self.s3_data.q.val();
        self.copied_recently.d.next = self.copy_writes.val();
        self.copied_function.d.next = self.copy_function.q.val();
        // The copier: wait for the template word to come through the RAM's two registers, write
        // it when the port is free, go on to the next dword.
        if self.copy_active.q.val() & (self.copy_wait.q.val() != 0) {
            self.copy_wait.d.next = self.copy_wait.q.val() - 1;
        }
        if self.copy_writes.val() {
            self.copy_wait.d.next = 2.into();
            self.copy_index.d.next = self.copy_index.q.val() + 1;
            if self.copy_index.q.val() == 127 {
                if self.copy_function.q.val() == self.copy_last.q.val() {
                    self.copy_active.d.next = false;
                } else {
                    self.copy_function.d.next = self.copy_function.q.val() + 1;
                }
            }
        }
        self.log_fifo.s_axis.tvalid.next = self.s3_log_valid.q.val();
        self.log_fifo.s_axis.tkeep.next = 0xFF.into();
        self.log_fifo.s_axis.tlast.next = true;
        // Before and after: 0 for an unimplemented register or a function that does not exist.
        self.log_fifo.s_axis.tdata.next = 0.into();
        if self.s3_write.q.val() {
            self.log_fifo.s_axis.tdata.next =
                bit_cast::<64, 32>(self.s3_before.q.val()) | (bit_cast::<64, 32>(self.s3_data.q.val()) << 32);
        } else if !self.s3_hide_before.q.val() {
            self.log_fifo.s_axis.tdata.next =
                bit_cast::<64, 32>(self.s3_before.q.val()) | (bit_cast::<64, 32>(self.s3_before.q.val()) << 32);
        }
        self.log_fifo.s_axis.tuser.next = self.s3_log_meta.q.val();
        if self.s3_log_valid.q.val() & !self.log_fifo.s_axis.tready.val() & (self.dropped.q.val() != 0xFFFF_FFFF_u64) {
            self.dropped.d.next = self.dropped.q.val() + 1;
        }
        self.log_fifo.m_axis.tready.next = self.log_ready.val();
        self.log_valid.next = self.log_fifo.m_axis.tvalid.val();
        self.log_function.next = self.log_fifo.m_axis.tuser.val().get_bits::<7>(0);
        self.log_register.next = self.log_fifo.m_axis.tuser.val().get_bits::<10>(7);
        self.log_byte_enable.next = self.log_fifo.m_axis.tuser.val().get_bits::<4>(17);
        self.log_write.next = self.log_fifo.m_axis.tuser.val().get_bit(21);
        self.log_outcome.next = self.log_fifo.m_axis.tuser.val().get_bits::<2>(22);
        self.log_time.next = self.log_fifo.m_axis.tuser.val().get_bits::<32>(24);
        self.log_before.next = self.log_fifo.m_axis.tdata.val().get_bits::<32>(0);
        self.log_after.next = self.log_fifo.m_axis.tdata.val().get_bits::<32>(32);
        self.log_dropped.next = self.dropped.q.val();
        self.log_count.next = self.log_fifo.occupancy.val();

        // Management: template and layout writes. Targets 0-2 are the PF's half of the
        // template RAMs, 3-5 the VF's.
        self.defaults.write_address.next = bit_cast::<8, 7>(self.mgmt_index.val());
        if self.mgmt_target.val() >= 3 {
            self.defaults.write_address.next = bit_cast::<8, 7>(self.mgmt_index.val()) | 0x80;
        }
        self.wmask_ram.write_address.next = self.defaults.write_address.val();
        self.w1cmask_ram.write_address.next = self.defaults.write_address.val();
        self.defaults.write_data.next = self.mgmt_data.val();
        self.wmask_ram.write_data.next = self.mgmt_data.val();
        self.w1cmask_ram.write_data.next = self.mgmt_data.val();
        self.defaults.write_enable.next =
            self.mgmt_write.val() & ((self.mgmt_target.val() == 0) | (self.mgmt_target.val() == 3));
        self.wmask_ram.write_enable.next =
            self.mgmt_write.val() & ((self.mgmt_target.val() == 1) | (self.mgmt_target.val() == 4));
        self.w1cmask_ram.write_enable.next =
            self.mgmt_write.val() & ((self.mgmt_target.val() == 2) | (self.mgmt_target.val() == 5));
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
        self.started_all.d.next = self.start_all.val();
        if self.start_all.val() {
            self.copy_active.d.next = true;
            self.copy_function.d.next = 0.into();
            self.copy_last.d.next = self.max_function.val();
            self.copy_index.d.next = 0.into();
            self.copy_wait.d.next = 2.into();
            self.vf_enabled.d.next = false;
            self.vf_count.d.next = 0.into();
        }
        if self.rst.val() {
            self.s1_valid.d.next = false;
            self.s2_valid.d.next = false;
            self.s3_write.d.next = false;
            self.s3_log_valid.d.next = false;
            self.w1_write.d.next = false;
            self.copied_recently.d.next = false;
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
        self.num_vfs.next = self.vf_limit.val();
    }
}

crate::native_ports!(
    impl[const FUNC_BITS: usize, const IMAGE_BITS: usize] CfgSpace<FUNC_BITS, IMAGE_BITS>;
    clk, rst, cfg_read, cfg_write, cfg_function, cfg_register, cfg_byte_enable, cfg_write_data, cfg_done, cfg_read_data, cfg_unsupported, cfg_retry, mgmt_write, mgmt_target, mgmt_index, mgmt_data, mgmt_reset_all, busy, vf_enable, num_vfs, log_valid, log_ready, log_function, log_register, log_byte_enable, log_write, log_outcome, log_time, log_before, log_after, log_dropped, log_count,
);

/// Up to 16 VFs (5 function bits).
pub type CfgSpace16 = CfgSpace<5, 12>;
/// Up to 64 VFs (7 function bits).
pub type CfgSpace64 = CfgSpace<7, 14>;
