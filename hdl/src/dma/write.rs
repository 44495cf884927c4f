//! DMA write engine: writes a stream's bytes to any host address and length, then reports
//! the transfer's outcome.
//!
//! * Descriptors (`s_desc_*`: address, length with 0 meaning 64 KiB, tag) are accepted one
//!   at a time; up to 32 are in flight.
//! * The issuer turns each into INCR bursts of 8-byte beats from the address rounded down,
//!   at most `MAX_BURST` beats and never across 4 KiB (the same rule as the read engine),
//!   and records each burst for the W generator and for the B tracker.
//! * The W generator shifts the stream (`s_axis_data`, byte 0 first) to the address's byte
//!   offset and sets `wstrb` to exactly the bytes of [addr, addr + len).
//! * The B tracker collects one response per burst; after a descriptor's last one it
//!   pulses `status_valid` with the tag and `status_error`: any SLVERR/DECERR, a stream
//!   whose `tlast`/`tkeep` do not end where the descriptor does, or poisoned data
//!   (`s_axis_data_tuser` = 1). Poisoned data is never written: from the poisoned beat on,
//!   the descriptor's strobes are all zero. A stream that ends early leaves the rest of
//!   its descriptor unwritten; one that runs long has its extra beats dropped up to its
//!   tlast, so the next descriptor starts on the next packet either way.
use super::bursts::BurstSplitter;
use crate::bus::{Axi4WriteMaster, AxisSink};
use crate::stream_fifo::{FifoFault, StreamFifo};
use rust_hdl::prelude::*;

pub use super::bursts::MAX_BURST;

/// Descriptor records for the W generator: {length 17, offset 3}.
type DescFifo = StreamFifo<32, 4, 1, 5, 6>;
/// Burst lengths for the W generator, one per burst.
type BurstFifo = StreamFifo<8, 1, 1, 5, 6>;
/// Per burst for the B tracker: {last burst of its descriptor, tag}.
type ResponseFifo = StreamFifo<16, 2, 1, 5, 6>;
/// Per descriptor, from the W generator to the B tracker: the data was bad.
type WResultFifo = StreamFifo<8, 1, 1, 5, 6>;

#[derive(LogicBlock)]
pub struct DmaWrite {
    pub clk: Signal<In, Clock>,
    pub rst: Signal<In, Bit>,
    pub s_desc_valid: Signal<In, Bit>,
    pub s_desc_ready: Signal<Out, Bit>,
    pub s_desc_addr: Signal<In, Bits<64>>,
    /// Bytes to write; 0 means 65536.
    pub s_desc_len: Signal<In, Bits<16>>,
    pub s_desc_tag: Signal<In, Bits<8>>,
    /// The bytes to write, from the first; `tuser` = 1 marks poisoned data.
    pub s_axis_data: AxisSink<64, 8, 1>,
    pub m_axi: Axi4WriteMaster<64, 64, 8, 4>,
    /// One pulse per descriptor, in order, when all its writes are answered.
    pub status_valid: Signal<Out, Bit>,
    pub status_tag: Signal<Out, Bits<8>>,
    pub status_error: Signal<Out, Bit>,
    pub busy: Signal<Out, Bit>,

    desc_fifo: DescFifo,
    wburst_fifo: BurstFifo,
    response_fifo: ResponseFifo,
    wresult_fifo: WResultFifo,
    // Descriptor record pushed a cycle after acceptance.
    desc_push: DFF<Bit>,
    desc_record: DFF<Bits<32>>,
    // Issuer: bursts of at most MAX_BURST beats, never across 4 KiB.
    bursts: BurstSplitter,
    issue_tag: DFF<Bits<8>>,
    all_lanes: Constant<Bits<8>>,
    // W generator.
    w_active: DFF<Bit>,
    w_offset: DFF<Bits<3>>,
    w_in_left: DFF<Bits<14>>,
    w_mem_left: DFF<Bits<14>>,
    // `w_in_left != 0`, `w_in_left == 1`, `w_mem_left == 1`, kept as registers so the W
    // handshake does not wait for 14-bit compares.
    w_in_any: DFF<Bit>,
    w_in_one: DFF<Bit>,
    w_mem_one: DFF<Bit>,
    w_first: DFF<Bit>,
    w_first_mask: DFF<Bits<8>>,
    w_last_mask: DFF<Bits<8>>,
    /// `tkeep` the stream's last beat must carry.
    w_last_keep: DFF<Bits<8>>,
    w_held: DFF<Bits<64>>,
    w_bad: DFF<Bit>,
    w_poisoned: DFF<Bit>,
    w_burst_left: DFF<Bits<7>>,
    /// No burst is being written (`w_burst_left == 0`), kept as a register for the W
    /// handshake.
    w_burst_done: DFF<Bit>,
    /// The next descriptor and the next burst, taken from their FIFOs ahead and decoded, so
    /// they follow the last beat of the current one with no idle cycle on W.
    next_desc_valid: DFF<Bit>,
    next_offset: DFF<Bits<3>>,
    next_in_left: DFF<Bits<14>>,
    next_mem_left: DFF<Bits<14>>,
    next_in_one: DFF<Bit>,
    next_mem_one: DFF<Bit>,
    next_first_mask: DFF<Bits<8>>,
    next_last_mask: DFF<Bits<8>>,
    next_last_keep: DFF<Bits<8>>,
    next_burst_valid: DFF<Bit>,
    next_burst_left: DFF<Bits<7>>,
    /// The stream ended (tlast) before the descriptor did: no more input for it.
    w_stream_ended: DFF<Bit>,
    /// The stream ran past the descriptor: discarding beats up to its tlast.
    draining: DFF<Bit>,
    // B tracker. A response is taken into a register and worked from there: `bready`
    // and the two queues' pops then come from registers (taken straight from `bvalid`,
    // the pops reached the queues' LUT-RAM read addresses, a worst path of the RDMA
    // receive path).
    b_held: DFF<Bit>,
    b_held_bad: DFF<Bit>,
    b_error: DFF<Bit>,
    status_pulse: DFF<Bit>,
    status_tag_q: DFF<Bits<8>>,
    status_error_q: DFF<Bit>,
    // Combinational.
    desc_fire: Signal<Local, Bit>,
    aw_fire: Signal<Local, Bit>,
    d_offset: Signal<Local, Bits<3>>,
    d_len: Signal<Local, Bits<17>>,
    verdict: Signal<Local, Bit>,
    d_end: Signal<Local, Bits<3>>,
    need_input: Signal<Local, Bit>,
    w_go: Signal<Local, Bit>,
    w_fire: Signal<Local, Bit>,
    shift: Signal<Local, Bits<64>>,
    strobe: Signal<Local, Bits<8>>,
    beat_poisoned: Signal<Local, Bit>,
    length_mismatch: Signal<Local, Bit>,
    b_fire: Signal<Local, Bit>,
    /// The held response is worked now (its burst's record, and its descriptor's result
    /// if it is the last burst, are at the queues' heads).
    b_take: Signal<Local, Bit>,
    b_last: Signal<Local, Bit>,
    /// The next descriptor (burst) becomes the current one now.
    load_desc: Signal<Local, Bit>,
    load_burst: Signal<Local, Bit>,
}

impl Default for DmaWrite {
    fn default() -> Self {
        Self {
            clk: Default::default(),
            rst: Default::default(),
            s_desc_valid: Default::default(),
            s_desc_ready: Default::default(),
            s_desc_addr: Default::default(),
            s_desc_len: Default::default(),
            s_desc_tag: Default::default(),
            s_axis_data: Default::default(),
            m_axi: Default::default(),
            status_valid: Default::default(),
            status_tag: Default::default(),
            status_error: Default::default(),
            busy: Default::default(),
            desc_fifo: DescFifo::new(FifoFault::None),
            wburst_fifo: BurstFifo::new(FifoFault::None),
            response_fifo: ResponseFifo::new(FifoFault::None),
            wresult_fifo: WResultFifo::new(FifoFault::None),
            desc_push: Default::default(),
            bursts: Default::default(),
            desc_record: Default::default(),
            issue_tag: Default::default(),
            all_lanes: Constant::new(0xFF_u64.to_bits()),
            w_active: Default::default(),
            w_offset: Default::default(),
            w_in_left: Default::default(),
            w_mem_left: Default::default(),
            w_in_any: Default::default(),
            w_in_one: Default::default(),
            w_mem_one: Default::default(),
            w_first: Default::default(),
            w_first_mask: Default::default(),
            w_last_mask: Default::default(),
            w_last_keep: Default::default(),
            w_held: Default::default(),
            w_bad: Default::default(),
            w_poisoned: Default::default(),
            w_burst_left: Default::default(),
            w_burst_done: Default::default(),
            next_desc_valid: Default::default(),
            next_offset: Default::default(),
            next_in_left: Default::default(),
            next_mem_left: Default::default(),
            next_in_one: Default::default(),
            next_mem_one: Default::default(),
            next_first_mask: Default::default(),
            next_last_mask: Default::default(),
            next_last_keep: Default::default(),
            next_burst_valid: Default::default(),
            next_burst_left: Default::default(),
            load_desc: Default::default(),
            load_burst: Default::default(),
            w_stream_ended: Default::default(),
            draining: Default::default(),
            b_held: Default::default(),
            b_held_bad: Default::default(),
            b_error: Default::default(),
            status_pulse: Default::default(),
            status_tag_q: Default::default(),
            status_error_q: Default::default(),
            desc_fire: Default::default(),
            aw_fire: Default::default(),
            d_offset: Default::default(),
            d_len: Default::default(),
            verdict: Default::default(),
            d_end: Default::default(),
            need_input: Default::default(),
            w_go: Default::default(),
            w_fire: Default::default(),
            shift: Default::default(),
            strobe: Default::default(),
            beat_poisoned: Default::default(),
            length_mismatch: Default::default(),
            b_fire: Default::default(),
            b_take: Default::default(),
            b_last: Default::default(),
        }
    }
}

impl Logic for DmaWrite {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clk,
            desc_push,
            desc_record,
            issue_tag,
            w_active,
            w_offset,
            w_in_left,
            w_mem_left,
            w_in_any,
            w_in_one,
            w_mem_one,
            w_first,
            w_first_mask,
            w_last_mask,
            w_last_keep,
            w_held,
            w_bad,
            w_poisoned,
            w_burst_left,
            w_burst_done,
            next_desc_valid,
            next_offset,
            next_in_left,
            next_mem_left,
            next_in_one,
            next_mem_one,
            next_first_mask,
            next_last_mask,
            next_last_keep,
            next_burst_valid,
            next_burst_left,
            w_stream_ended,
            draining,
            b_held,
            b_held_bad,
            b_error,
            status_pulse,
            status_tag_q,
            status_error_q
        );
        self.desc_fifo.clk.next = self.clk.val();
        self.desc_fifo.rst.next = self.rst.val();
        self.wburst_fifo.clk.next = self.clk.val();
        self.wburst_fifo.rst.next = self.rst.val();
        self.response_fifo.clk.next = self.clk.val();
        self.response_fifo.rst.next = self.rst.val();
        self.wresult_fifo.clk.next = self.clk.val();
        self.wresult_fifo.rst.next = self.rst.val();

        // ---- Descriptors.
        self.s_desc_ready.next = !self.bursts.busy.val() & self.desc_fifo.s_axis.tready.val();
        self.desc_fire.next = self.s_desc_valid.val() & !self.bursts.busy.val() & self.desc_fifo.s_axis.tready.val();
        self.desc_push.d.next = self.desc_fire.val();
        self.desc_record.d.next = bit_cast::<32, 3>(self.s_desc_addr.val().get_bits::<3>(0))
            | (bit_cast::<32, 17>(self.bursts.start_len_bytes.val()) << 3);
        self.desc_fifo.s_axis.tvalid.next = self.desc_push.q.val();
        self.desc_fifo.s_axis.tdata.next = self.desc_record.q.val();
        self.desc_fifo.s_axis.tkeep.next = 0xF.into();
        self.desc_fifo.s_axis.tlast.next = true;
        self.desc_fifo.s_axis.tuser.next = 0.into();
        self.bursts.clk.next = self.clk.val();
        self.bursts.rst.next = self.rst.val();
        self.bursts.start.next = self.desc_fire.val();
        self.bursts.start_addr.next = self.s_desc_addr.val();
        self.bursts.start_len.next = self.s_desc_len.val();
        if self.desc_fire.val() {
            self.issue_tag.d.next = self.s_desc_tag.val();
        }

        // ---- Issuer: the splitter offers bursts; this engine sends them.
        self.m_axi.awid.next = 0.into();
        self.m_axi.awaddr.next = self.bursts.burst_addr.val();
        self.m_axi.awlen.next = bit_cast::<8, 14>(self.bursts.burst_beats.val() - 1);
        self.m_axi.awsize.next = 3.into();
        self.m_axi.awburst.next = 1.into();
        self.m_axi.awlock.next = false;
        self.m_axi.awcache.next = 3.into();
        self.m_axi.awprot.next = 0.into();
        // A burst goes out when both its records have room.
        self.m_axi.awvalid.next = self.bursts.burst_valid.val()
            & self.wburst_fifo.s_axis.tready.val()
            & self.response_fifo.s_axis.tready.val();
        self.aw_fire.next = self.m_axi.awvalid.val() & self.m_axi.awready.val();
        self.wburst_fifo.s_axis.tvalid.next = self.aw_fire.val();
        self.wburst_fifo.s_axis.tdata.next = self.bursts.burst_beats.val().get_bits::<8>(0);
        self.wburst_fifo.s_axis.tkeep.next = 1.into();
        self.wburst_fifo.s_axis.tlast.next = true;
        self.wburst_fifo.s_axis.tuser.next = 0.into();
        self.response_fifo.s_axis.tvalid.next = self.aw_fire.val();
        self.response_fifo.s_axis.tdata.next =
            bit_cast::<16, 8>(self.issue_tag.q.val()) | (bit_cast::<16, 1>(self.bursts.burst_last.val().into()) << 8);
        self.response_fifo.s_axis.tkeep.next = 3.into();
        self.response_fifo.s_axis.tlast.next = true;
        self.response_fifo.s_axis.tuser.next = 0.into();
        self.bursts.take.next = self.aw_fire.val();

        // ---- W generator: the next descriptor and burst wait decoded in registers.
        self.d_offset.next = self.desc_fifo.m_axis.tdata.val().get_bits::<3>(0);
        self.d_len.next = self.desc_fifo.m_axis.tdata.val().get_bits::<17>(3);
        // Where the transfer ends within its last 8-byte word (3-bit sum: modulo 8).
        self.d_end.next = self.d_offset.val() + self.d_len.val().get_bits::<3>(0);
        self.desc_fifo.m_axis.tready.next = !self.next_desc_valid.q.val();
        if !self.next_desc_valid.q.val() & self.desc_fifo.m_axis.tvalid.val() {
            self.next_desc_valid.d.next = true;
            self.next_offset.d.next = self.d_offset.val();
            self.next_in_left.d.next = bit_cast::<14, 17>((self.d_len.val() + 7) >> 3);
            self.next_mem_left.d.next =
                bit_cast::<14, 17>((bit_cast::<17, 3>(self.d_offset.val()) + self.d_len.val() + 7) >> 3);
            self.next_in_one.d.next = self.d_len.val() <= 8;
            // One memory beat: offset + length <= 8, from the low bits (no 17-bit add).
            self.next_mem_one.d.next = (self.d_len.val().get_bits::<13>(4) == 0)
                & ((bit_cast::<5, 3>(self.d_offset.val()) + bit_cast::<5, 4>(self.d_len.val().get_bits::<4>(0))) <= 8);
            self.next_first_mask.d.next = self.all_lanes.val() << bit_cast::<8, 3>(self.d_offset.val());
            self.next_last_mask.d.next = 0xFF.into();
            if self.d_end.val() != 0 {
                self.next_last_mask.d.next = !(self.all_lanes.val() << bit_cast::<8, 3>(self.d_end.val()));
            }
            self.next_last_keep.d.next = 0xFF.into();
            if self.d_len.val().get_bits::<3>(0) != 0 {
                self.next_last_keep.d.next =
                    !(self.all_lanes.val() << bit_cast::<8, 3>(self.d_len.val().get_bits::<3>(0)));
            }
        }
        self.wburst_fifo.m_axis.tready.next = !self.next_burst_valid.q.val();
        if !self.next_burst_valid.q.val() & self.wburst_fifo.m_axis.tvalid.val() {
            self.next_burst_valid.d.next = true;
            self.next_burst_left.d.next = self.wburst_fifo.m_axis.tdata.val().get_bits::<7>(0);
        }
        // A memory beat takes a stream beat unless it is the extra last one of an
        // unaligned transfer, made of the held beat alone.
        self.need_input.next = self.w_in_any.q.val() & !self.w_stream_ended.q.val();
        self.w_go.next = self.w_active.q.val()
            & !self.draining.q.val()
            & !self.w_burst_done.q.val()
            & (!self.need_input.val() | self.s_axis_data.tvalid.val());
        self.w_fire.next = self.w_go.val() & self.m_axi.wready.val();
        // While draining, the stream's extra beats are taken and dropped.
        self.s_axis_data.tready.next = self.draining.q.val()
            | (self.w_active.q.val() & !self.w_burst_done.q.val() & self.need_input.val() & self.m_axi.wready.val());
        if self.draining.q.val() & self.s_axis_data.tvalid.val() & self.s_axis_data.tlast.val() {
            self.draining.d.next = false;
        }
        if self.w_offset.q.val() == 0 {
            self.shift.next = self.s_axis_data.tdata.val();
        } else if self.w_first.q.val() {
            self.shift.next = self.s_axis_data.tdata.val() << (bit_cast::<64, 3>(self.w_offset.q.val()) << 3);
        } else if !self.need_input.val() {
            self.shift.next = self.w_held.q.val() >> (64 - (bit_cast::<64, 3>(self.w_offset.q.val()) << 3));
        } else {
            self.shift.next = (self.w_held.q.val() >> (64 - (bit_cast::<64, 3>(self.w_offset.q.val()) << 3)))
                | (self.s_axis_data.tdata.val() << (bit_cast::<64, 3>(self.w_offset.q.val()) << 3));
        }
        self.beat_poisoned.next = self.need_input.val() & (self.s_axis_data.tuser.val() != 0);
        self.strobe.next = 0xFF.into();
        if self.w_first.q.val() & (self.w_mem_one.q.val()) {
            self.strobe.next = self.w_first_mask.q.val() & self.w_last_mask.q.val();
        } else if self.w_first.q.val() {
            self.strobe.next = self.w_first_mask.q.val();
        } else if self.w_mem_one.q.val() {
            self.strobe.next = self.w_last_mask.q.val();
        }
        if self.w_poisoned.q.val() | self.beat_poisoned.val() {
            self.strobe.next = 0.into();
        }
        // The stream must end exactly where the descriptor does: tlast and tkeep.
        self.length_mismatch.next = false;
        if self.need_input.val() {
            if self.w_in_one.q.val() {
                self.length_mismatch.next =
                    !self.s_axis_data.tlast.val() | (self.s_axis_data.tkeep.val() != self.w_last_keep.q.val());
            } else {
                self.length_mismatch.next = self.s_axis_data.tlast.val() | (self.s_axis_data.tkeep.val() != 0xFF);
            }
        }
        self.m_axi.wdata.next = self.shift.val();
        self.m_axi.wstrb.next = self.strobe.val();
        self.m_axi.wlast.next = self.w_burst_left.q.val() == 1;
        self.m_axi.wvalid.next = self.w_go.val();
        self.wresult_fifo.s_axis.tvalid.next = false;
        self.verdict.next = self.w_bad.q.val() | self.beat_poisoned.val() | self.length_mismatch.val();
        self.wresult_fifo.s_axis.tdata.next = bit_cast::<8, 1>(self.verdict.val().into());
        self.wresult_fifo.s_axis.tkeep.next = 1.into();
        self.wresult_fifo.s_axis.tlast.next = true;
        self.wresult_fifo.s_axis.tuser.next = 0.into();
        if self.w_fire.val() {
            self.w_first.d.next = false;
            self.w_mem_left.d.next = self.w_mem_left.q.val() - 1;
            self.w_mem_one.d.next = self.w_mem_left.q.val() == 2;
            self.w_burst_left.d.next = self.w_burst_left.q.val() - 1;
            self.w_burst_done.d.next = self.w_burst_left.q.val() == 1;
            if self.need_input.val() {
                self.w_in_left.d.next = self.w_in_left.q.val() - 1;
                self.w_in_any.d.next = !self.w_in_one.q.val();
                self.w_in_one.d.next = self.w_in_left.q.val() == 2;
                self.w_held.d.next = self.s_axis_data.tdata.val();
                self.w_bad.d.next = self.w_bad.q.val() | self.length_mismatch.val() | self.beat_poisoned.val();
                self.w_poisoned.d.next = self.w_poisoned.q.val() | self.beat_poisoned.val();
                if self.s_axis_data.tlast.val() & !self.w_in_one.q.val() {
                    // Short stream: the rest of the descriptor is written with no strobes.
                    self.w_stream_ended.d.next = true;
                    self.w_poisoned.d.next = true;
                }
                if !self.s_axis_data.tlast.val() & self.w_in_one.q.val() {
                    // Long stream: drop its remaining beats before the next descriptor.
                    self.draining.d.next = true;
                }
            }
            if self.w_mem_one.q.val() {
                // The descriptor's last beat: hand its verdict to the B tracker.
                self.w_active.d.next = false;
                self.wresult_fifo.s_axis.tvalid.next = true;
            }
        }
        // The next descriptor (burst) takes over when there is none, or in the cycle the
        // current one's last beat goes (its registers are set after the beat's updates).
        self.load_desc.next =
            self.next_desc_valid.q.val() & (!self.w_active.q.val() | (self.w_fire.val() & self.w_mem_one.q.val()));
        self.load_burst.next = self.next_burst_valid.q.val()
            & (self.w_burst_done.q.val() | (self.w_fire.val() & (self.w_burst_left.q.val() == 1)));
        if self.load_desc.val() {
            self.next_desc_valid.d.next = false;
            self.w_active.d.next = true;
            self.w_offset.d.next = self.next_offset.q.val();
            self.w_in_left.d.next = self.next_in_left.q.val();
            self.w_mem_left.d.next = self.next_mem_left.q.val();
            self.w_in_any.d.next = true;
            self.w_in_one.d.next = self.next_in_one.q.val();
            self.w_mem_one.d.next = self.next_mem_one.q.val();
            self.w_first.d.next = true;
            self.w_first_mask.d.next = self.next_first_mask.q.val();
            self.w_last_mask.d.next = self.next_last_mask.q.val();
            self.w_last_keep.d.next = self.next_last_keep.q.val();
            self.w_bad.d.next = false;
            self.w_poisoned.d.next = false;
            self.w_stream_ended.d.next = false;
        }
        if self.load_burst.val() {
            // Bursts have at least one beat.
            self.next_burst_valid.d.next = false;
            self.w_burst_left.d.next = self.next_burst_left.q.val();
            self.w_burst_done.d.next = false;
        }

        // ---- B tracker: one response per burst, a status after each descriptor's last.
        self.b_last.next = self.response_fifo.m_axis.tdata.val().get_bit(8);
        self.b_take.next = self.b_held.q.val()
            & self.response_fifo.m_axis.tvalid.val()
            & (!self.b_last.val() | self.wresult_fifo.m_axis.tvalid.val());
        self.m_axi.bready.next = !self.b_held.q.val() | self.b_take.val();
        self.b_fire.next = self.m_axi.bvalid.val() & self.m_axi.bready.val();
        if self.b_take.val() {
            self.b_held.d.next = false;
        }
        if self.b_fire.val() {
            self.b_held.d.next = true;
            self.b_held_bad.d.next = (self.m_axi.bresp.val() != 0) | (self.m_axi.bid.val() != 0);
        }
        self.response_fifo.m_axis.tready.next = self.b_take.val();
        self.wresult_fifo.m_axis.tready.next = self.b_take.val() & self.b_last.val();
        self.status_pulse.d.next = false;
        if self.b_take.val() {
            self.b_error.d.next = self.b_error.q.val() | self.b_held_bad.q.val();
            if self.b_last.val() {
                self.status_pulse.d.next = true;
                self.status_tag_q.d.next = self.response_fifo.m_axis.tdata.val().get_bits::<8>(0);
                self.status_error_q.d.next =
                    self.b_error.q.val() | self.b_held_bad.q.val() | self.wresult_fifo.m_axis.tdata.val().get_bit(0);
                self.b_error.d.next = false;
            }
        }
        self.status_valid.next = self.status_pulse.q.val();
        self.status_tag.next = self.status_tag_q.q.val();
        self.status_error.next = self.status_error_q.q.val();
        self.busy.next = self.bursts.busy.val()
            | self.desc_push.q.val()
            | self.w_active.q.val()
            | self.next_desc_valid.q.val()
            | self.desc_fifo.m_axis.tvalid.val()
            | self.response_fifo.m_axis.tvalid.val();

        if self.rst.val() {
            self.desc_push.d.next = false;
            self.w_active.d.next = false;
            self.w_burst_left.d.next = 0.into();
            self.w_burst_done.d.next = true;
            self.next_desc_valid.d.next = false;
            self.next_burst_valid.d.next = false;
            self.w_stream_ended.d.next = false;
            self.draining.d.next = false;
            self.b_error.d.next = false;
            self.b_held.d.next = false;
            self.status_pulse.d.next = false;
        }
    }
}

crate::native_ports!(
    impl[] DmaWrite;
    clk, rst, s_desc_valid, s_desc_ready, s_desc_addr, s_desc_len, s_desc_tag,
    s_axis_data.tdata, s_axis_data.tkeep, s_axis_data.tvalid, s_axis_data.tready, s_axis_data.tlast, s_axis_data.tuser,
    m_axi.awid, m_axi.awaddr, m_axi.awlen, m_axi.awsize, m_axi.awburst, m_axi.awlock, m_axi.awcache, m_axi.awprot,
    m_axi.awvalid, m_axi.awready, m_axi.wdata, m_axi.wstrb, m_axi.wlast, m_axi.wvalid, m_axi.wready,
    m_axi.bid, m_axi.bresp, m_axi.bvalid, m_axi.bready,
    status_valid, status_tag, status_error, busy,
);
