//! Store-and-forward frame FIFO: a frame leaves only once all of it is stored, so it leaves
//! without gaps — what a MAC needs (it cannot pause a frame on the wire). The TX engine
//! builds frames from pieces that arrive at memory speed; this FIFO sits between it and the
//! MAC.
//!
//! A stream FIFO of 2048 beats (16 KiB: any frame the TX engine accepts, 9312 bytes, with
//! room for the next) and a count of the complete frames inside. The output shows a beat
//! only while the count is not zero; the oldest frame is then wholly stored, and the FIFO
//! gives a beat every cycle. A frame counts two cycles after its `tlast` beat is written:
//! the stream FIFO needs that long to bring a written beat to its output, and a short frame
//! counted sooner would leave with a gap before its last beat. A frame longer than the FIFO
//! would never complete: the writer must bound its frames (the TX engine does).
use crate::bus::{AxisSink, AxisSource};
use crate::stream_fifo::{FifoFault, StreamFifo};
use rust_hdl::prelude::*;

type Storage = StreamFifo<64, 8, 1, 11, 12>;
/// Beats the FIFO holds.
pub const FRAME_FIFO_BEATS: usize = 2048;

#[derive(LogicBlock)]
pub struct FrameFifo {
    pub clk: Signal<In, Clock>,
    pub rst: Signal<In, Bit>,
    pub s_axis: AxisSink<64, 8, 1>,
    pub m_axis: AxisSource<64, 8, 1>,
    beats_fifo: Storage,
    /// Frames whose `tlast` is stored and not yet sent, and whether there are any (a
    /// register, so `tvalid` does not wait for a compare).
    complete: DFF<Bits<12>>,
    any_complete: DFF<Bit>,
    /// `frame_in`, one and two cycles late: the FIFO's write-to-output latency.
    frame_in_1: DFF<Bit>,
    frame_in_2: DFF<Bit>,
    frame_in: Signal<Local, Bit>,
    frame_out: Signal<Local, Bit>,
}

impl Default for FrameFifo {
    fn default() -> Self {
        Self {
            clk: Default::default(),
            rst: Default::default(),
            s_axis: Default::default(),
            m_axis: Default::default(),
            beats_fifo: Storage::new(FifoFault::None),
            complete: Default::default(),
            any_complete: Default::default(),
            frame_in_1: Default::default(),
            frame_in_2: Default::default(),
            frame_in: Default::default(),
            frame_out: Default::default(),
        }
    }
}

impl Logic for FrameFifo {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clk, complete, any_complete, frame_in_1, frame_in_2);
        self.beats_fifo.clk.next = self.clk.val();
        self.beats_fifo.rst.next = self.rst.val();
        AxisSink::<64, 8, 1>::link(&mut self.s_axis, &mut self.beats_fifo.s_axis);
        self.m_axis.tdata.next = self.beats_fifo.m_axis.tdata.val();
        self.m_axis.tkeep.next = self.beats_fifo.m_axis.tkeep.val();
        self.m_axis.tlast.next = self.beats_fifo.m_axis.tlast.val();
        self.m_axis.tuser.next = self.beats_fifo.m_axis.tuser.val();
        self.m_axis.tvalid.next = self.beats_fifo.m_axis.tvalid.val() & self.any_complete.q.val();
        self.beats_fifo.m_axis.tready.next = self.m_axis.tready.val() & self.any_complete.q.val();
        self.frame_in.next = self.s_axis.tvalid.val() & self.s_axis.tready.val() & self.s_axis.tlast.val();
        self.frame_out.next = self.m_axis.tvalid.val() & self.m_axis.tready.val() & self.beats_fifo.m_axis.tlast.val();
        self.frame_in_1.d.next = self.frame_in.val();
        self.frame_in_2.d.next = self.frame_in_1.q.val();
        if self.frame_in_2.q.val() & !self.frame_out.val() {
            self.complete.d.next = self.complete.q.val() + 1;
            self.any_complete.d.next = true;
        }
        if !self.frame_in_2.q.val() & self.frame_out.val() {
            self.complete.d.next = self.complete.q.val() - 1;
            self.any_complete.d.next = self.complete.q.val() != 1;
        }
        if self.rst.val() {
            self.complete.d.next = 0.into();
            self.any_complete.d.next = false;
            self.frame_in_1.d.next = false;
            self.frame_in_2.d.next = false;
        }
    }
}

crate::native_ports!(
    impl[] FrameFifo;
    clk, rst, s_axis.tdata, s_axis.tkeep, s_axis.tvalid, s_axis.tready, s_axis.tlast, s_axis.tuser,
    m_axis.tdata, m_axis.tkeep, m_axis.tvalid, m_axis.tready, m_axis.tlast, m_axis.tuser,
);
