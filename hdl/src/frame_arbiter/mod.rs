//! AXI4-Stream frame arbiter: two streams of frames onto one, a whole frame at a time, round
//! robin. The NIC puts its TX engine's frames and the RDMA path's acknowledgements on
//! `m_axis_tx` through one.
//!
//! `grant` (a register) names the input shown on `m_axis`: its beats pass straight through,
//! and only it sees `m_axis_tready`. The grant passes to the other input when that one is
//! waiting and the holder is between frames: it has just sent its `tlast`, or it offers
//! nothing and has not begun a frame. So a frame is never cut, each input gets every other
//! frame under load, and the output's `tvalid` never drops before its beat is taken (AXI4-
//! Stream's rule), because the grant moves only while it is low or right after a handshake.
//! A switch costs one idle cycle; the holder keeps sending back to back while the other is
//! quiet.
use crate::bus::{AxisSink, AxisSource};
use rust_hdl::prelude::*;

#[derive(LogicBlock, Default)]
pub struct FrameArbiter {
    pub clk: Signal<In, Clock>,
    pub rst: Signal<In, Bit>,
    pub s0_axis: AxisSink<64, 8, 1>,
    pub s1_axis: AxisSink<64, 8, 1>,
    pub m_axis: AxisSource<64, 8, 1>,
    /// The input shown: 0 or 1.
    grant: DFF<Bit>,
    /// The holder has sent beats of a frame whose `tlast` has not gone yet.
    in_frame: DFF<Bit>,
    fire: Signal<Local, Bit>,
    other_waiting: Signal<Local, Bit>,
}

impl Logic for FrameArbiter {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clk, grant, in_frame);
        self.m_axis.tvalid.next = self.s0_axis.tvalid.val();
        self.m_axis.tdata.next = self.s0_axis.tdata.val();
        self.m_axis.tkeep.next = self.s0_axis.tkeep.val();
        self.m_axis.tlast.next = self.s0_axis.tlast.val();
        self.m_axis.tuser.next = self.s0_axis.tuser.val();
        self.other_waiting.next = self.s1_axis.tvalid.val();
        if self.grant.q.val() {
            self.m_axis.tvalid.next = self.s1_axis.tvalid.val();
            self.m_axis.tdata.next = self.s1_axis.tdata.val();
            self.m_axis.tkeep.next = self.s1_axis.tkeep.val();
            self.m_axis.tlast.next = self.s1_axis.tlast.val();
            self.m_axis.tuser.next = self.s1_axis.tuser.val();
            self.other_waiting.next = self.s0_axis.tvalid.val();
        }
        self.s0_axis.tready.next = self.m_axis.tready.val() & !self.grant.q.val();
        self.s1_axis.tready.next = self.m_axis.tready.val() & self.grant.q.val();
        self.fire.next = self.m_axis.tvalid.val() & self.m_axis.tready.val();
        if self.fire.val() {
            self.in_frame.d.next = !self.m_axis.tlast.val();
        }
        if self.other_waiting.val()
            & ((self.fire.val() & self.m_axis.tlast.val()) | (!self.in_frame.q.val() & !self.m_axis.tvalid.val()))
        {
            self.grant.d.next = !self.grant.q.val();
        }
        if self.rst.val() {
            self.grant.d.next = false;
            self.in_frame.d.next = false;
        }
    }
}

crate::native_ports!(
    impl[] FrameArbiter;
    clk, rst,
    s0_axis.tdata, s0_axis.tkeep, s0_axis.tvalid, s0_axis.tready, s0_axis.tlast, s0_axis.tuser,
    s1_axis.tdata, s1_axis.tkeep, s1_axis.tvalid, s1_axis.tready, s1_axis.tlast, s1_axis.tuser,
    m_axis.tdata, m_axis.tkeep, m_axis.tvalid, m_axis.tready, m_axis.tlast, m_axis.tuser,
);
