//! AXI4-Stream register slice (a skid buffer): a full-rate stream stage whose `s_axis_tready`
//! and `m_axis_*` are all registers, so no combinational path crosses it. Put it between two
//! blocks whose ready chains would otherwise join into one long path (the RDMA receive path
//! does so between the frame steer and the DMA write engine).
//!
//! Two beat registers: the output and the skid. `s_axis_tready` is "the skid is empty": a
//! beat offered while the output cannot move goes into the skid, and the skid empties into
//! the output before a new beat is taken. One beat per cycle through it; a beat accepted at
//! edge t is on `m_axis_*` after edge t (two cycles through an empty slice). It is a FIFO of
//! depth 2 in every observable way, and `occupancy` says how many beats it holds, so the
//! stream FIFO's model and scenario check it.
use crate::bus::{check_lane_width, AxisSink, AxisSource};
use rust_hdl::prelude::*;

#[derive(LogicBlock)]
pub struct StreamSlice<const DATA: usize, const KEEP: usize, const USER: usize> {
    pub clk: Signal<In, Clock>,
    pub rst: Signal<In, Bit>,
    pub s_axis: AxisSink<DATA, KEEP, USER>,
    pub m_axis: AxisSource<DATA, KEEP, USER>,
    /// Beats held: 0, 1 or 2.
    pub occupancy: Signal<Out, Bits<2>>,
    out_valid: DFF<Bit>,
    out_data: DFF<Bits<DATA>>,
    out_keep: DFF<Bits<KEEP>>,
    out_last: DFF<Bit>,
    out_user: DFF<Bits<USER>>,
    skid_valid: DFF<Bit>,
    skid_data: DFF<Bits<DATA>>,
    skid_keep: DFF<Bits<KEEP>>,
    skid_last: DFF<Bit>,
    skid_user: DFF<Bits<USER>>,
    /// The output register is free after this edge (empty, or its beat is taken now).
    out_free: Signal<Local, Bit>,
    take_in: Signal<Local, Bit>,
}

impl<const DATA: usize, const KEEP: usize, const USER: usize> Default for StreamSlice<DATA, KEEP, USER> {
    fn default() -> Self {
        check_lane_width(DATA, KEEP);
        Self {
            clk: Default::default(),
            rst: Default::default(),
            s_axis: Default::default(),
            m_axis: Default::default(),
            occupancy: Default::default(),
            out_valid: Default::default(),
            out_data: Default::default(),
            out_keep: Default::default(),
            out_last: Default::default(),
            out_user: Default::default(),
            skid_valid: Default::default(),
            skid_data: Default::default(),
            skid_keep: Default::default(),
            skid_last: Default::default(),
            skid_user: Default::default(),
            out_free: Default::default(),
            take_in: Default::default(),
        }
    }
}

impl<const DATA: usize, const KEEP: usize, const USER: usize> Logic for StreamSlice<DATA, KEEP, USER> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self, clk, out_valid, out_data, out_keep, out_last, out_user, skid_valid, skid_data, skid_keep, skid_last,
            skid_user
        );
        self.s_axis.tready.next = !self.skid_valid.q.val();
        self.m_axis.tvalid.next = self.out_valid.q.val();
        self.m_axis.tdata.next = self.out_data.q.val();
        self.m_axis.tkeep.next = self.out_keep.q.val();
        self.m_axis.tlast.next = self.out_last.q.val();
        self.m_axis.tuser.next = self.out_user.q.val();
        self.occupancy.next =
            bit_cast::<2, 1>(self.out_valid.q.val().into()) + bit_cast::<2, 1>(self.skid_valid.q.val().into());
        self.out_free.next = !self.out_valid.q.val() | self.m_axis.tready.val();
        self.take_in.next = self.s_axis.tvalid.val() & !self.skid_valid.q.val();
        if self.out_free.val() {
            // The skid goes first (while it is full, nothing new is taken).
            if self.skid_valid.q.val() {
                self.out_data.d.next = self.skid_data.q.val();
                self.out_keep.d.next = self.skid_keep.q.val();
                self.out_last.d.next = self.skid_last.q.val();
                self.out_user.d.next = self.skid_user.q.val();
            } else {
                self.out_data.d.next = self.s_axis.tdata.val();
                self.out_keep.d.next = self.s_axis.tkeep.val();
                self.out_last.d.next = self.s_axis.tlast.val();
                self.out_user.d.next = self.s_axis.tuser.val();
            }
            self.out_valid.d.next = self.skid_valid.q.val() | self.take_in.val();
            self.skid_valid.d.next = false;
        } else if self.take_in.val() {
            self.skid_valid.d.next = true;
        }
        // The skid register follows the input while empty: loaded unconditionally, kept once full.
        if !self.skid_valid.q.val() {
            self.skid_data.d.next = self.s_axis.tdata.val();
            self.skid_keep.d.next = self.s_axis.tkeep.val();
            self.skid_last.d.next = self.s_axis.tlast.val();
            self.skid_user.d.next = self.s_axis.tuser.val();
        }
        if self.rst.val() {
            self.out_valid.d.next = false;
            self.skid_valid.d.next = false;
        }
    }
}

/// The 64-bit build the blocks use and the tests check.
pub type StreamSlice64 = StreamSlice<64, 8, 1>;

crate::native_ports!(
    impl[const DATA: usize, const KEEP: usize, const USER: usize]
    StreamSlice<DATA, KEEP, USER>;
    clk, rst,
    s_axis.tdata, s_axis.tkeep, s_axis.tvalid, s_axis.tready, s_axis.tlast, s_axis.tuser,
    m_axis.tdata, m_axis.tkeep, m_axis.tvalid, m_axis.tready, m_axis.tlast, m_axis.tuser,
    occupancy,
);
