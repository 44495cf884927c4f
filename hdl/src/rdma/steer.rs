//! Frame steering: sends each received frame where its verdict says — whole to software,
//! nowhere, or only its payload, realigned to byte 0, towards the DMA write engine.
//!
//! A command per frame, in frame order (`s_cmd_*`), is taken before the frame's first beat:
//! * `STEER_PASS`: the frame leaves on `m_axis_pass` beat for beat (the software RX path);
//! * `STEER_DROP`: the frame is consumed;
//! * `STEER_PLACE`: the bytes `[offset, offset + length)` of the frame leave on
//!   `m_axis_payload` as one packet from byte 0 up, full beats but the last (a stream packer
//!   joins the runs). Bytes the frame does not have are not made up: a frame shorter than
//!   `offset + length` gives fewer bytes, and the DMA write engine behind reports the short
//!   stream as an error. A payload of no bytes gives no packet (place nothing: drop the
//!   frame instead). The frame's `tuser` (a MAC error) goes with its bytes: the packer
//!   keeps it to the end of the packet, and the DMA write engine writes none of a poisoned
//!   packet's bytes from that beat on.
//!
//! Frames are 8 bytes per beat from byte 0 up, `tkeep` short only on `tlast`.
use crate::bus::{AxisSink, AxisSource};
use crate::stream_packer::StreamPacker;
use rust_hdl::prelude::*;

/// `s_cmd_action` values.
pub const STEER_PLACE: u64 = 0;
pub const STEER_DROP: u64 = 1;
pub const STEER_PASS: u64 = 2;

#[derive(LogicBlock)]
pub struct FrameSteer {
    pub clk: Signal<In, Clock>,
    pub rst: Signal<In, Bit>,
    pub s_axis: AxisSink<64, 8, 1>,
    pub s_cmd_valid: Signal<In, Bit>,
    pub s_cmd_ready: Signal<Out, Bit>,
    pub s_cmd_action: Signal<In, Bits<2>>,
    /// Place: the payload's first byte in the frame, and its length.
    pub s_cmd_offset: Signal<In, Bits<8>>,
    pub s_cmd_length: Signal<In, Bits<16>>,
    pub m_axis_pass: AxisSource<64, 8, 1>,
    pub m_axis_payload: AxisSource<64, 8, 1>,

    packer: StreamPacker,
    place: Constant<Bits<2>>,
    pass: Constant<Bits<2>>,
    all_lanes: Constant<Bits<8>>,
    /// A command is taken and its frame not yet ended.
    active: DFF<Bit>,
    action: DFF<Bits<2>>,
    /// Bytes from the current beat's first to the payload's start and end (0 once passed).
    to_start: DFF<Bits<17>>,
    to_end: DFF<Bits<17>>,
    /// The current beat's lanes at or past the payload's start, and before its end, and
    /// the lane the payload starts at (0 once passed): kept as registers, worked out for
    /// the next beat as this one is taken, so a beat's cut is two ANDs and a shift.
    start_mask: DFF<Bits<8>>,
    end_mask: DFF<Bits<8>>,
    low: DFF<Bits<3>>,
    /// The payload beat cut out, waiting for the packer.
    cut_valid: DFF<Bit>,
    cut_data: DFF<Bits<64>>,
    cut_keep: DFF<Bits<8>>,
    cut_last: DFF<Bit>,
    cut_user: DFF<Bits<1>>,
    cut_free: Signal<Local, Bit>,

    take: Signal<Local, Bit>,
    /// The command's payload end, from the frame's first byte.
    cmd_end: Signal<Local, Bits<17>>,
    /// The payload's lanes in this beat (the frame's too: `tkeep` is ones from bit 0 up).
    lanes: Signal<Local, Bits<8>>,
}

impl Default for FrameSteer {
    fn default() -> Self {
        Self {
            clk: Default::default(),
            rst: Default::default(),
            s_axis: Default::default(),
            s_cmd_valid: Default::default(),
            s_cmd_ready: Default::default(),
            s_cmd_action: Default::default(),
            s_cmd_offset: Default::default(),
            s_cmd_length: Default::default(),
            m_axis_pass: Default::default(),
            m_axis_payload: Default::default(),
            packer: Default::default(),
            place: Constant::new(STEER_PLACE.into()),
            pass: Constant::new(STEER_PASS.into()),
            active: Default::default(),
            action: Default::default(),
            to_start: Default::default(),
            to_end: Default::default(),
            cut_valid: Default::default(),
            cut_data: Default::default(),
            cut_keep: Default::default(),
            cut_last: Default::default(),
            cut_user: Default::default(),
            cut_free: Default::default(),
            take: Default::default(),
            start_mask: Default::default(),
            end_mask: Default::default(),
            low: Default::default(),
            cmd_end: Default::default(),
            lanes: Default::default(),
            all_lanes: Constant::new(0xFF.into()),
        }
    }
}

impl Logic for FrameSteer {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self, clk, active, action, to_start, to_end, start_mask, end_mask, low, cut_valid, cut_data, cut_keep,
            cut_last, cut_user
        );
        self.packer.clk.next = self.clk.val();
        self.packer.rst.next = self.rst.val();
        self.m_axis_payload.tdata.next = self.packer.m_axis.tdata.val();
        self.m_axis_payload.tkeep.next = self.packer.m_axis.tkeep.val();
        self.m_axis_payload.tvalid.next = self.packer.m_axis.tvalid.val();
        self.m_axis_payload.tlast.next = self.packer.m_axis.tlast.val();
        self.m_axis_payload.tuser.next = self.packer.m_axis.tuser.val();
        self.packer.m_axis.tready.next = self.m_axis_payload.tready.val();

        // A command is taken when no frame is in hand. Its first beat's lanes: from the
        // offset (if under 8) and to the end (if under 8).
        self.s_cmd_ready.next = !self.active.q.val() & !self.rst.val();
        self.cmd_end.next = bit_cast::<17, 8>(self.s_cmd_offset.val()) + bit_cast::<17, 16>(self.s_cmd_length.val());
        if self.s_cmd_valid.val() & !self.active.q.val() & !self.rst.val() {
            self.active.d.next = true;
            self.action.d.next = self.s_cmd_action.val();
            self.to_start.d.next = bit_cast::<17, 8>(self.s_cmd_offset.val());
            self.to_end.d.next = self.cmd_end.val();
            self.start_mask.d.next = 0.into();
            self.low.d.next = 0.into();
            if self.s_cmd_offset.val().get_bits::<5>(3) == 0 {
                self.start_mask.d.next =
                    self.all_lanes.val() << bit_cast::<8, 3>(self.s_cmd_offset.val().get_bits::<3>(0));
                self.low.d.next = self.s_cmd_offset.val().get_bits::<3>(0);
            }
            self.end_mask.d.next = self.all_lanes.val();
            if self.cmd_end.val().get_bits::<14>(3) == 0 {
                self.end_mask.d.next = !(self.all_lanes.val() << bit_cast::<8, 3>(self.cmd_end.val().get_bits::<3>(0)));
            }
        }
        self.lanes.next = self.start_mask.q.val() & self.end_mask.q.val() & self.s_axis.tkeep.val();

        // The frame's beats go where the action says.
        self.m_axis_pass.tdata.next = self.s_axis.tdata.val();
        self.m_axis_pass.tkeep.next = self.s_axis.tkeep.val();
        self.m_axis_pass.tlast.next = self.s_axis.tlast.val();
        self.m_axis_pass.tuser.next = self.s_axis.tuser.val();
        self.m_axis_pass.tvalid.next = false;
        // A payload beat is cut out into a register stage in front of the packer (the lane
        // arithmetic and the packer's own input decode do not fit one cycle together).
        self.packer.s_axis.tdata.next = self.cut_data.q.val();
        self.packer.s_axis.tkeep.next = self.cut_keep.q.val();
        self.packer.s_axis.tlast.next = self.cut_last.q.val();
        self.packer.s_axis.tuser.next = self.cut_user.q.val();
        self.packer.s_axis.tvalid.next = self.cut_valid.q.val();
        self.cut_free.next = !self.cut_valid.q.val() | self.packer.s_axis.tready.val();
        if self.cut_valid.q.val() & self.packer.s_axis.tready.val() {
            self.cut_valid.d.next = false;
        }
        self.s_axis.tready.next = false;
        if self.active.q.val() {
            if self.action.q.val() == self.pass.val() {
                self.m_axis_pass.tvalid.next = self.s_axis.tvalid.val();
                self.s_axis.tready.next = self.m_axis_pass.tready.val();
            } else if self.action.q.val() == self.place.val() {
                self.s_axis.tready.next = self.cut_free.val();
                if self.s_axis.tvalid.val() & self.cut_free.val() {
                    self.cut_valid.d.next = true;
                    self.cut_data.d.next = self.s_axis.tdata.val() >> (bit_cast::<64, 3>(self.low.q.val()) << 3);
                    self.cut_keep.d.next = self.lanes.val() >> bit_cast::<8, 3>(self.low.q.val());
                    self.cut_last.d.next = self.s_axis.tlast.val();
                    self.cut_user.d.next = self.s_axis.tuser.val();
                }
            } else {
                self.s_axis.tready.next = true;
            }
        }
        self.take.next = self.s_axis.tvalid.val() & self.s_axis.tready.val();
        if self.take.val() {
            // The next beat: 8 bytes closer to the start and the end. Taking 8 leaves bits
            // 2:0 as they are, so its lanes come from which eighth the counters are in.
            self.to_start.d.next = 0.into();
            if self.to_start.q.val().get_bits::<14>(3) != 0 {
                self.to_start.d.next = self.to_start.q.val() - 8;
            }
            self.to_end.d.next = 0.into();
            if self.to_end.q.val().get_bits::<14>(3) != 0 {
                self.to_end.d.next = self.to_end.q.val() - 8;
            }
            // Start: passed (all lanes), in the next beat (from bits 2:0), or later (none).
            self.low.d.next = 0.into();
            self.start_mask.d.next = 0.into();
            if self.to_start.q.val().get_bits::<14>(3) == 0 {
                self.start_mask.d.next = self.all_lanes.val();
            } else if self.to_start.q.val().get_bits::<13>(4) == 0 {
                self.start_mask.d.next =
                    self.all_lanes.val() << bit_cast::<8, 3>(self.to_start.q.val().get_bits::<3>(0));
                self.low.d.next = self.to_start.q.val().get_bits::<3>(0);
            }
            // End: passed (no lanes), in the next beat (below bits 2:0), or later (all).
            self.end_mask.d.next = self.all_lanes.val();
            if self.to_end.q.val().get_bits::<14>(3) == 0 {
                self.end_mask.d.next = 0.into();
            } else if self.to_end.q.val().get_bits::<13>(4) == 0 {
                self.end_mask.d.next =
                    !(self.all_lanes.val() << bit_cast::<8, 3>(self.to_end.q.val().get_bits::<3>(0)));
            }
            if self.s_axis.tlast.val() {
                self.active.d.next = false;
            }
        }
        if self.rst.val() {
            self.active.d.next = false;
            self.cut_valid.d.next = false;
        }
    }
}

crate::native_ports!(
    impl[] FrameSteer;
    clk, rst, s_axis.tdata, s_axis.tkeep, s_axis.tvalid, s_axis.tready, s_axis.tlast, s_axis.tuser,
    s_cmd_valid, s_cmd_ready, s_cmd_action, s_cmd_offset, s_cmd_length,
    m_axis_pass.tdata, m_axis_pass.tkeep, m_axis_pass.tvalid, m_axis_pass.tready, m_axis_pass.tlast, m_axis_pass.tuser,
    m_axis_payload.tdata, m_axis_payload.tkeep, m_axis_payload.tvalid, m_axis_payload.tready, m_axis_payload.tlast,
    m_axis_payload.tuser,
);
