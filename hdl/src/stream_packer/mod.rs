//! Stream packer: joins byte runs of any length into full beats.
//!
//! The TX engine builds a frame from pieces whose lengths are not multiples of the bus
//! width: a pushed header of any length, then the payload of one or more descriptors. Each
//! piece arrives as beats whose `tkeep` marks the valid bytes from byte 0 up; the packer
//! shifts each beat in behind the bytes it holds, so the frame leaves as full beats with
//! `tkeep` short only on the `tlast` beat.
//!
//! Input rules and what happens when they are broken (never a hang, never a shifted frame):
//! * `tkeep` must be ones from bit 0 up. Bytes above the first zero are dropped and the beat
//!   counts in `keep_errors`.
//! * A beat with `tkeep` = 0 carries no bytes; with `tlast` it ends the frame (a frame whose
//!   last piece ended on a beat boundary can still be closed). A frame of no bytes at all
//!   produces nothing.
//! * `tuser` bit 0 (an error, such as a failed payload read) is sticky to the end of the
//!   frame: every output beat from the first one it touches to `tlast` carries it.
//!
//! Timing: the input and the output are registered (an input stage decodes the byte count
//! and masks stray bytes, so the shift starts from registers); one input beat per cycle
//! while the output flows. A
//! full beat is held until the next input beat shows whether the frame ends with it, and a
//! frame whose last input beat leaves more than a beat's bytes takes one extra cycle.
use rust_hdl::prelude::*;
use rust_hdl::widgets::dff_with_init::DFFWithInit;

use crate::bus::{AxisSink, AxisSource};

#[derive(LogicBlock)]
pub struct StreamPacker {
    pub clk: Signal<In, Clock>,
    pub rst: Signal<In, Bit>,
    pub s_axis: AxisSink<64, 8, 1>,
    pub m_axis: AxisSource<64, 8, 1>,
    /// Input beats whose `tkeep` was not ones from bit 0 up (saturating).
    pub keep_errors: Signal<Out, Bits<16>>,
    // Bytes waiting: `held_count` (0-8) of them, from byte 0 up. A full beat waits too,
    // until the next input beat shows whether it ends the frame.
    held_data: DFF<Bits<64>>,
    held_count: DFF<Bits<4>>,
    /// 8 - `held_count`, kept as a register so "does this beat spill over" is a compare of
    /// two registers, not an add then a compare.
    held_room: DFFWithInit<Bits<4>>,
    // The frame's error so far, and a frame end still to be sent from `held_*`.
    frame_error: DFF<Bit>,
    flush: DFF<Bit>,
    out_valid: DFF<Bit>,
    out_data: DFF<Bits<64>>,
    out_keep: DFF<Bits<8>>,
    out_last: DFF<Bit>,
    out_user: DFF<Bit>,
    errors: DFF<Bits<16>>,
    // The input stage: a beat taken from `s_axis_`, its byte count decoded and its stray
    // bytes masked, so the shift starts from registers.
    in_valid: DFF<Bit>,
    in_data: DFF<Bits<64>>,
    in_count: DFF<Bits<4>>,
    in_last: DFF<Bit>,
    in_error: DFF<Bit>,
    all_lanes: Constant<Bits<8>>,
    all_ones: Constant<Bits<64>>,
    // Combinational.
    count: Signal<Local, Bits<4>>,
    stage_free: Signal<Local, Bit>,
    total: Signal<Local, Bits<5>>,
    masked_in: Signal<Local, Bits<64>>,
    spill: Signal<Local, Bits<4>>,
    joined_low: Signal<Local, Bits<64>>,
    joined_high: Signal<Local, Bits<64>>,
    out_free: Signal<Local, Bit>,
    take: Signal<Local, Bit>,
    error_now: Signal<Local, Bit>,
    held_keep: Signal<Local, Bits<8>>,
}

impl Default for StreamPacker {
    fn default() -> Self {
        Self {
            clk: Default::default(),
            rst: Default::default(),
            s_axis: Default::default(),
            m_axis: Default::default(),
            keep_errors: Default::default(),
            held_data: Default::default(),
            held_count: Default::default(),
            held_room: DFFWithInit::new(8.into()),
            frame_error: Default::default(),
            flush: Default::default(),
            out_valid: Default::default(),
            out_data: Default::default(),
            out_keep: Default::default(),
            out_last: Default::default(),
            out_user: Default::default(),
            errors: Default::default(),
            all_lanes: Constant::new(0xFF_u64.to_bits()),
            all_ones: Constant::new(u64::MAX.to_bits()),
            count: Default::default(),
            stage_free: Default::default(),
            in_valid: Default::default(),
            in_data: Default::default(),
            in_count: Default::default(),
            in_last: Default::default(),
            in_error: Default::default(),
            total: Default::default(),
            masked_in: Default::default(),
            spill: Default::default(),
            joined_low: Default::default(),
            joined_high: Default::default(),
            out_free: Default::default(),
            take: Default::default(),
            error_now: Default::default(),
            held_keep: Default::default(),
        }
    }
}

impl Logic for StreamPacker {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clk,
            held_data,
            held_count,
            held_room,
            frame_error,
            flush,
            out_valid,
            out_data,
            out_keep,
            out_last,
            out_user,
            errors,
            in_valid,
            in_data,
            in_count,
            in_last,
            in_error
        );
        // ---- Input stage: the bytes the beat brings (the ones of tkeep from bit 0 up).
        self.count.next = 0.into();
        if self.s_axis.tkeep.val() == 0xFF {
            self.count.next = 8.into();
        } else if self.s_axis.tkeep.val().get_bits::<7>(0) == 0x7F {
            self.count.next = 7.into();
        } else if self.s_axis.tkeep.val().get_bits::<6>(0) == 0x3F {
            self.count.next = 6.into();
        } else if self.s_axis.tkeep.val().get_bits::<5>(0) == 0x1F {
            self.count.next = 5.into();
        } else if self.s_axis.tkeep.val().get_bits::<4>(0) == 0xF {
            self.count.next = 4.into();
        } else if self.s_axis.tkeep.val().get_bits::<3>(0) == 0x7 {
            self.count.next = 3.into();
        } else if self.s_axis.tkeep.val().get_bits::<2>(0) == 0x3 {
            self.count.next = 2.into();
        } else if self.s_axis.tkeep.val().get_bit(0) {
            self.count.next = 1.into();
        }
        self.total.next = bit_cast::<5, 4>(self.held_count.q.val()) + bit_cast::<5, 4>(self.in_count.q.val());
        // Bytes past the first 8 (total is 9-16 when used: 4 bits wrap to the right count).
        self.spill.next = self.total.val().get_bits::<4>(0) - 8;
        // The input's valid bytes alone (dropped bytes masked out). No shift here reaches
        // 64: rust-hdl's simulator would wrap it where Verilog gives 0.
        self.masked_in.next = self.s_axis.tdata.val();
        if self.count.val() != 8 {
            self.masked_in.next =
                self.s_axis.tdata.val() & !(self.all_ones.val() << (bit_cast::<64, 4>(self.count.val()) << 3));
        }
        // The held bytes, then the input's: the first 8 bytes of that, and what spills over.
        if self.held_count.q.val() == 8 {
            self.joined_low.next = self.held_data.q.val();
            self.joined_high.next = self.in_data.q.val();
        } else if self.held_count.q.val() == 0 {
            self.joined_low.next = self.in_data.q.val();
            self.joined_high.next = 0.into();
        } else {
            self.joined_low.next =
                self.held_data.q.val() | (self.in_data.q.val() << (bit_cast::<64, 4>(self.held_count.q.val()) << 3));
            self.joined_high.next = self.in_data.q.val() >> (64 - (bit_cast::<64, 4>(self.held_count.q.val()) << 3));
        }
        self.held_keep.next = !(self.all_lanes.val() << bit_cast::<8, 4>(self.held_count.q.val()));

        self.out_free.next = !self.out_valid.q.val() | self.m_axis.tready.val();
        self.take.next = self.in_valid.q.val() & self.out_free.val() & !self.flush.q.val();
        self.stage_free.next = !self.in_valid.q.val() | self.take.val();
        self.s_axis.tready.next = self.stage_free.val();
        if self.stage_free.val() {
            self.in_valid.d.next = self.s_axis.tvalid.val();
            self.in_data.d.next = self.masked_in.val();
            self.in_count.d.next = self.count.val();
            self.in_last.d.next = self.s_axis.tlast.val();
            self.in_error.d.next = self.s_axis.tuser.val() != 0;
            if self.s_axis.tvalid.val()
                & (self.s_axis.tkeep.val() != (!(self.all_lanes.val() << bit_cast::<8, 4>(self.count.val()))))
                & (self.errors.q.val() != 0xFFFF)
            {
                self.errors.d.next = self.errors.q.val() + 1;
            }
        }
        self.error_now.next = self.frame_error.q.val() | self.in_error.q.val();

        if self.out_valid.q.val() & self.m_axis.tready.val() {
            self.out_valid.d.next = false;
        }
        if self.flush.q.val() & self.out_free.val() {
            // The frame's last bytes, after its last input beat.
            self.out_valid.d.next = true;
            self.out_data.d.next = self.held_data.q.val();
            self.out_keep.d.next = self.held_keep.val();
            self.out_last.d.next = true;
            self.out_user.d.next = self.frame_error.q.val();
            self.held_data.d.next = 0.into();
            self.held_count.d.next = 0.into();
            self.held_room.d.next = 8.into();
            self.frame_error.d.next = false;
            self.flush.d.next = false;
        } else if self.take.val() {
            self.frame_error.d.next = self.error_now.val();
            if self.in_count.q.val() > self.held_room.q.val() {
                // A full beat leaves; what spills over (1-8 bytes) is held.
                self.out_valid.d.next = true;
                self.out_data.d.next = self.joined_low.val();
                self.out_keep.d.next = 0xFF.into();
                self.out_last.d.next = false;
                self.out_user.d.next = self.error_now.val();
                self.held_data.d.next = self.joined_high.val();
                self.held_count.d.next = self.spill.val();
                self.held_room.d.next = 8 - self.spill.val();
                self.flush.d.next = self.in_last.q.val();
            } else if self.in_last.q.val() {
                // The frame ends inside this beat (or had no bytes at all).
                self.out_valid.d.next = self.total.val() != 0;
                self.out_data.d.next = self.joined_low.val();
                self.out_keep.d.next = !(self.all_lanes.val() << bit_cast::<8, 5>(self.total.val()));
                self.out_last.d.next = true;
                self.out_user.d.next = self.error_now.val();
                self.held_data.d.next = 0.into();
                self.held_count.d.next = 0.into();
                self.held_room.d.next = 8.into();
                self.frame_error.d.next = false;
            } else {
                // Up to a full beat is held back until the next input says whether the
                // frame ends with it.
                self.held_data.d.next = self.joined_low.val();
                self.held_count.d.next = self.total.val().get_bits::<4>(0);
                self.held_room.d.next = self.held_room.q.val() - self.in_count.q.val();
            }
        }
        if self.rst.val() {
            self.held_data.d.next = 0.into();
            self.held_count.d.next = 0.into();
            self.held_room.d.next = 8.into();
            self.frame_error.d.next = false;
            self.flush.d.next = false;
            self.out_valid.d.next = false;
            self.in_valid.d.next = false;
            self.errors.d.next = 0.into();
        }
        self.m_axis.tvalid.next = self.out_valid.q.val();
        self.m_axis.tdata.next = self.out_data.q.val();
        self.m_axis.tkeep.next = self.out_keep.q.val();
        self.m_axis.tlast.next = self.out_last.q.val();
        self.m_axis.tuser.next = bit_cast::<1, 1>(self.out_user.q.val().into());
        self.keep_errors.next = self.errors.q.val();
    }
}

crate::native_ports!(
    impl[] StreamPacker;
    clk, rst, s_axis.tdata, s_axis.tkeep, s_axis.tvalid, s_axis.tready, s_axis.tlast, s_axis.tuser,
    m_axis.tdata, m_axis.tkeep, m_axis.tvalid, m_axis.tready, m_axis.tlast, m_axis.tuser, keep_errors,
);
