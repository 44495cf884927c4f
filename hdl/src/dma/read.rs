//! DMA read engine: copies `len` bytes at any host address into a stream that starts at
//! the first byte, whatever the alignment.
//!
//! * Descriptors (`s_desc_*`: address, length with 0 meaning 64 KiB, tag) are accepted one
//!   at a time while the per-descriptor queue has room (64 in flight).
//! * The issuer turns a descriptor into INCR bursts of full 8-byte beats from the address
//!   rounded down, each at most `MAX_BURST` beats and never across a 4 KiB boundary, with
//!   up to 64 bursts outstanding (enough to cover a 200-cycle memory latency at full rate
//!   with 4-beat or longer bursts: the TX engine's 2-beat descriptor fetches between its
//!   8-beat payload reads of 64-byte packets needed more than 32). One ARID: responses
//!   come back in order.
//! * The realigner shifts the returning beats by the address's byte offset, so output beat
//!   k holds bytes 8k..8k+7 of the buffer; the last beat's `tkeep` covers what remains.
//! * `m_axis_data_tuser` = {error, tag}: error is set on a beat once any response of its
//!   descriptor so far was SLVERR or DECERR; the last beat's flag covers the whole
//!   transfer. Errored data is never passed off as good: the flag travels with it.
use super::bursts::BurstSplitter;
use crate::bus::{Axi4ReadMaster, AxisSource};
use crate::stream_fifo::{FifoFault, StreamFifo};
use rust_hdl::prelude::*;

pub use super::bursts::MAX_BURST;
/// Bursts in flight at once.
pub const MAX_OUTSTANDING: u64 = 64;

/// Per-descriptor records for the realigner, {one output beat 1, output beats 14, input
/// beats 14, last beat's tkeep 8, tag 8, offset 3}: 64 deep, so short transfers can cover
/// a 200-cycle memory latency. The counts and `tkeep` are worked out before the record is
/// queued: the FIFO is a block RAM (in LUT RAM its 64-deep read multiplexer took the block
/// to 132.8 MHz), whose output leaves no time for more than a register's enable.
type InfoFifo = StreamFifo<48, 6, 1, 6, 7>;
/// Output buffer: 16 beats of {error, tag} tagged data.
type OutFifo = StreamFifo<64, 8, 9, 4, 5>;

#[derive(LogicBlock)]
pub struct DmaRead {
    pub clk: Signal<In, Clock>,
    pub rst: Signal<In, Bit>,
    pub s_desc_valid: Signal<In, Bit>,
    pub s_desc_ready: Signal<Out, Bit>,
    pub s_desc_addr: Signal<In, Bits<64>>,
    /// Bytes to read; 0 means 65536.
    pub s_desc_len: Signal<In, Bits<16>>,
    pub s_desc_tag: Signal<In, Bits<8>>,
    pub m_axi: Axi4ReadMaster<64, 64, 4>,
    pub m_axis_data: AxisSource<64, 8, 9>,
    /// A descriptor is being read or its data is still buffered.
    pub busy: Signal<Out, Bit>,

    info_fifo: InfoFifo,
    out_fifo: OutFifo,
    // The record of the descriptor just taken, pushed a cycle later (off the accept path).
    info_push: DFF<Bit>,
    info_record: DFF<Bits<48>>,
    /// The last output beat's lanes of the descriptor being taken: len mod 8 bytes, or 8.
    record_keep: Signal<Local, Bits<8>>,
    /// Its beats on R (from the address rounded down) and out of the realigner.
    record_in_beats: Signal<Local, Bits<14>>,
    record_out_beats: Signal<Local, Bits<14>>,
    record_single: Signal<Local, Bit>,
    /// Fewer than `MAX_OUTSTANDING` bursts in flight (a register: the 7-bit compare stays
    /// off the AR handshake).
    room: DFF<Bit>,
    // Issuer: bursts of at most MAX_BURST beats, never across 4 KiB.
    bursts: BurstSplitter,
    outstanding: DFF<Bits<7>>,
    // A burst's last beat arrived last cycle (counted down a cycle late, off the R path).
    burst_done: DFF<Bit>,
    max_outstanding: Constant<Bits<7>>,
    one: Constant<Bits<8>>,
    // Realigner.
    rx_active: DFF<Bit>,
    rx_offset: DFF<Bits<3>>,
    rx_tag: DFF<Bits<8>>,
    rx_in_left: DFF<Bits<14>>,
    rx_out_left: DFF<Bits<14>>,
    // Decoded a cycle ahead, off the long paths: more input beats to come, this output
    // beat is the last, and the last beat's byte lanes.
    rx_in_more: DFF<Bit>,
    rx_out_last: DFF<Bit>,
    rx_last_keep: DFF<Bits<8>>,
    rx_held: DFF<Bits<64>>,
    rx_have_held: DFF<Bit>,
    rx_error: DFF<Bit>,
    // One register stage between the realigner and the output FIFO.
    stage_valid: DFF<Bit>,
    stage_data: DFF<Bits<64>>,
    stage_keep: DFF<Bits<8>>,
    stage_last: DFF<Bit>,
    stage_user: DFF<Bits<9>>,
    stage_free: Signal<Local, Bit>,
    produce: Signal<Local, Bit>,
    // Combinational.
    desc_fire: Signal<Local, Bit>,
    ar_fire: Signal<Local, Bit>,
    r_fire: Signal<Local, Bit>,
    info_offset: Signal<Local, Bits<3>>,
    emits: Signal<Local, Bit>,
    flushing: Signal<Local, Bit>,
    beat_error: Signal<Local, Bit>,
    shifted: Signal<Local, Bits<64>>,
    outstanding_next: Signal<Local, Bits<7>>,
}

impl Default for DmaRead {
    fn default() -> Self {
        Self {
            clk: Default::default(),
            rst: Default::default(),
            s_desc_valid: Default::default(),
            s_desc_ready: Default::default(),
            s_desc_addr: Default::default(),
            s_desc_len: Default::default(),
            s_desc_tag: Default::default(),
            m_axi: Default::default(),
            m_axis_data: Default::default(),
            busy: Default::default(),
            info_fifo: InfoFifo::new(FifoFault::None).in_block_ram(),
            out_fifo: OutFifo::new(FifoFault::None),
            info_push: Default::default(),
            bursts: Default::default(),
            info_record: Default::default(),
            record_keep: Default::default(),
            record_in_beats: Default::default(),
            record_out_beats: Default::default(),
            record_single: Default::default(),
            room: Default::default(),
            outstanding: Default::default(),
            burst_done: Default::default(),
            max_outstanding: Constant::new(MAX_OUTSTANDING.to_bits()),
            one: Constant::new(1_u64.to_bits()),
            rx_active: Default::default(),
            rx_offset: Default::default(),
            rx_tag: Default::default(),
            rx_in_left: Default::default(),
            rx_out_left: Default::default(),
            rx_in_more: Default::default(),
            rx_out_last: Default::default(),
            rx_last_keep: Default::default(),
            rx_held: Default::default(),
            rx_have_held: Default::default(),
            rx_error: Default::default(),
            stage_valid: Default::default(),
            stage_data: Default::default(),
            stage_keep: Default::default(),
            stage_last: Default::default(),
            stage_user: Default::default(),
            stage_free: Default::default(),
            produce: Default::default(),
            desc_fire: Default::default(),
            ar_fire: Default::default(),
            r_fire: Default::default(),
            info_offset: Default::default(),
            emits: Default::default(),
            flushing: Default::default(),
            beat_error: Default::default(),
            shifted: Default::default(),
            outstanding_next: Default::default(),
        }
    }
}

impl Logic for DmaRead {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clk,
            info_push,
            info_record,
            room,
            outstanding,
            burst_done,
            rx_active,
            rx_offset,
            rx_tag,
            rx_in_left,
            rx_out_left,
            rx_in_more,
            rx_out_last,
            rx_last_keep,
            rx_held,
            rx_have_held,
            rx_error,
            stage_valid,
            stage_data,
            stage_keep,
            stage_last,
            stage_user
        );
        self.info_fifo.clk.next = self.clk.val();
        self.info_fifo.rst.next = self.rst.val();
        self.out_fifo.clk.next = self.clk.val();
        self.out_fifo.rst.next = self.rst.val();

        // ---- Descriptors: one at a time into the issuer, and a record for the realigner.
        self.s_desc_ready.next = !self.bursts.busy.val() & self.info_fifo.s_axis.tready.val();
        self.desc_fire.next = self.s_desc_valid.val() & !self.bursts.busy.val() & self.info_fifo.s_axis.tready.val();
        // No other push can be pending when a descriptor is taken: the issuer is busy for
        // several cycles after each one.
        self.info_push.d.next = self.desc_fire.val();
        self.record_keep.next = 0xFF.into();
        if self.bursts.start_len_bytes.val().get_bits::<3>(0) != 0 {
            self.record_keep.next = (self.one.val()
                << bit_cast::<8, 3>(self.bursts.start_len_bytes.val().get_bits::<3>(0)))
                - self.one.val();
        }
        self.record_in_beats.next = bit_cast::<14, 17>(
            (bit_cast::<17, 3>(self.s_desc_addr.val().get_bits::<3>(0)) + self.bursts.start_len_bytes.val() + 7) >> 3,
        );
        self.record_out_beats.next = bit_cast::<14, 17>((self.bursts.start_len_bytes.val() + 7) >> 3);
        self.record_single.next = self.bursts.start_len_bytes.val() <= 8;
        self.info_record.d.next = bit_cast::<48, 3>(self.s_desc_addr.val().get_bits::<3>(0))
            | (bit_cast::<48, 8>(self.s_desc_tag.val()) << 3)
            | (bit_cast::<48, 8>(self.record_keep.val()) << 11)
            | (bit_cast::<48, 14>(self.record_in_beats.val()) << 19)
            | (bit_cast::<48, 14>(self.record_out_beats.val()) << 33)
            | (bit_cast::<48, 1>(self.record_single.val().into()) << 47);
        self.info_fifo.s_axis.tvalid.next = self.info_push.q.val();
        self.info_fifo.s_axis.tdata.next = self.info_record.q.val();
        self.info_fifo.s_axis.tkeep.next = 0x3F.into();
        self.info_fifo.s_axis.tlast.next = true;
        self.info_fifo.s_axis.tuser.next = 0.into();
        self.bursts.clk.next = self.clk.val();
        self.bursts.rst.next = self.rst.val();
        self.bursts.start.next = self.desc_fire.val();
        self.bursts.start_addr.next = self.s_desc_addr.val();
        self.bursts.start_len.next = self.s_desc_len.val();

        // ---- Issuer: the splitter offers bursts; this engine sends them.
        self.m_axi.arid.next = 0.into();
        self.m_axi.araddr.next = self.bursts.burst_addr.val();
        self.m_axi.arlen.next = bit_cast::<8, 14>(self.bursts.burst_beats.val() - 1);
        self.m_axi.arsize.next = 3.into();
        self.m_axi.arburst.next = 1.into();
        self.m_axi.arlock.next = false;
        self.m_axi.arcache.next = 3.into();
        self.m_axi.arprot.next = 0.into();
        self.m_axi.arvalid.next = self.bursts.burst_valid.val() & self.room.q.val();
        self.ar_fire.next = self.bursts.burst_valid.val() & self.room.q.val() & self.m_axi.arready.val();
        self.bursts.take.next = self.ar_fire.val();

        // ---- Realigner: take the next descriptor's record when idle.
        self.info_offset.next = self.info_fifo.m_axis.tdata.val().get_bits::<3>(0);
        self.info_fifo.m_axis.tready.next = !self.rx_active.q.val();
        if !self.rx_active.q.val() & self.info_fifo.m_axis.tvalid.val() {
            self.rx_active.d.next = true;
            self.rx_offset.d.next = self.info_offset.val();
            self.rx_tag.d.next = self.info_fifo.m_axis.tdata.val().get_bits::<8>(3);
            self.rx_in_left.d.next = self.info_fifo.m_axis.tdata.val().get_bits::<14>(19);
            self.rx_out_left.d.next = self.info_fifo.m_axis.tdata.val().get_bits::<14>(33);
            self.rx_in_more.d.next = true;
            self.rx_out_last.d.next = self.info_fifo.m_axis.tdata.val().get_bit(47);
            self.rx_last_keep.d.next = self.info_fifo.m_axis.tdata.val().get_bits::<8>(11);
            self.rx_have_held.d.next = false;
            self.rx_error.d.next = false;
        }
        // After the last input beat, one output beat may remain (the tail in `held`).
        self.flushing.next = self.rx_active.q.val() & !self.rx_in_more.q.val();
        // An input beat produces an output beat unless it is the first of an unaligned
        // transfer (which only fills `held`).
        self.emits.next = (self.rx_offset.q.val() == 0) | self.rx_have_held.q.val();
        // The output stage takes a beat when empty or when the FIFO takes the one it holds.
        self.stage_free.next = !self.stage_valid.q.val() | self.out_fifo.s_axis.tready.val();
        self.m_axi.rready.next =
            self.rx_active.q.val() & self.rx_in_more.q.val() & (!self.emits.val() | self.stage_free.val());
        self.r_fire.next = self.m_axi.rvalid.val() & self.m_axi.rready.val();
        // SLVERR/DECERR, or a response for an ID never issued, spoil the transfer.
        self.beat_error.next =
            self.rx_error.q.val() | (self.r_fire.val() & ((self.m_axi.rresp.val() != 0) | (self.m_axi.rid.val() != 0)));

        // Output beat k = (in[k] >> 8*offset) | (in[k+1] << 8*(8-offset)).
        if self.rx_offset.q.val() == 0 {
            self.shifted.next = self.m_axi.rdata.val();
        } else if self.flushing.val() {
            self.shifted.next = self.rx_held.q.val() >> (bit_cast::<64, 3>(self.rx_offset.q.val()) << 3);
        } else {
            self.shifted.next = (self.rx_held.q.val() >> (bit_cast::<64, 3>(self.rx_offset.q.val()) << 3))
                | (self.m_axi.rdata.val() << (64 - (bit_cast::<64, 3>(self.rx_offset.q.val()) << 3)));
        }
        self.produce.next = ((self.r_fire.val() & self.emits.val()) | self.flushing.val()) & self.stage_free.val();
        if self.produce.val() {
            self.stage_valid.d.next = true;
            self.stage_data.d.next = self.shifted.val();
            self.stage_keep.d.next = 0xFF.into();
            if self.rx_out_last.q.val() {
                self.stage_keep.d.next = self.rx_last_keep.q.val();
            }
            self.stage_last.d.next = self.rx_out_last.q.val();
            self.stage_user.d.next =
                bit_cast::<9, 8>(self.rx_tag.q.val()) | (bit_cast::<9, 1>(self.beat_error.val().into()) << 8);
        } else if self.out_fifo.s_axis.tready.val() {
            self.stage_valid.d.next = false;
        }
        self.out_fifo.s_axis.tvalid.next = self.stage_valid.q.val();
        self.out_fifo.s_axis.tdata.next = self.stage_data.q.val();
        self.out_fifo.s_axis.tkeep.next = self.stage_keep.q.val();
        self.out_fifo.s_axis.tlast.next = self.stage_last.q.val();
        self.out_fifo.s_axis.tuser.next = self.stage_user.q.val();

        if self.r_fire.val() {
            self.rx_in_left.d.next = self.rx_in_left.q.val() - 1;
            self.rx_in_more.d.next = self.rx_in_left.q.val() != 1;
            self.rx_held.d.next = self.m_axi.rdata.val();
            self.rx_have_held.d.next = true;
            self.rx_error.d.next = self.beat_error.val();
        }
        if self.produce.val() {
            self.rx_out_left.d.next = self.rx_out_left.q.val() - 1;
            self.rx_out_last.d.next = self.rx_out_left.q.val() == 2;
            if self.rx_out_last.q.val() {
                self.rx_active.d.next = false;
            }
        }

        // Bursts in flight: up on AR, down a cycle after the last R beat of a burst.
        self.burst_done.d.next = self.r_fire.val() & self.m_axi.rlast.val();
        self.outstanding_next.next = self.outstanding.q.val();
        if self.ar_fire.val() & !self.burst_done.q.val() {
            self.outstanding_next.next = self.outstanding.q.val() + 1;
        }
        if !self.ar_fire.val() & self.burst_done.q.val() {
            self.outstanding_next.next = self.outstanding.q.val() - 1;
        }
        self.outstanding.d.next = self.outstanding_next.val();
        self.room.d.next = self.outstanding_next.val() != self.max_outstanding.val();

        self.m_axis_data.tdata.next = self.out_fifo.m_axis.tdata.val();
        self.m_axis_data.tkeep.next = self.out_fifo.m_axis.tkeep.val();
        self.m_axis_data.tlast.next = self.out_fifo.m_axis.tlast.val();
        self.m_axis_data.tuser.next = self.out_fifo.m_axis.tuser.val();
        self.m_axis_data.tvalid.next = self.out_fifo.m_axis.tvalid.val();
        self.out_fifo.m_axis.tready.next = self.m_axis_data.tready.val();
        self.busy.next = self.bursts.busy.val()
            | self.rx_active.q.val()
            | self.info_fifo.m_axis.tvalid.val()
            | self.stage_valid.q.val()
            | self.out_fifo.m_axis.tvalid.val();

        if self.rst.val() {
            self.info_push.d.next = false;
            self.burst_done.d.next = false;
            self.outstanding.d.next = 0.into();
            self.room.d.next = true;
            self.rx_active.d.next = false;
            self.rx_have_held.d.next = false;
            self.rx_error.d.next = false;
            self.stage_valid.d.next = false;
        }
    }
}

crate::native_ports!(
    impl[] DmaRead;
    clk, rst, s_desc_valid, s_desc_ready, s_desc_addr, s_desc_len, s_desc_tag,
    m_axi.arid, m_axi.araddr, m_axi.arlen, m_axi.arsize, m_axi.arburst, m_axi.arlock, m_axi.arcache, m_axi.arprot,
    m_axi.arvalid, m_axi.arready, m_axi.rid, m_axi.rdata, m_axi.rresp, m_axi.rlast, m_axi.rvalid, m_axi.rready,
    m_axis_data.tdata, m_axis_data.tkeep, m_axis_data.tvalid, m_axis_data.tready, m_axis_data.tlast, m_axis_data.tuser,
    busy,
);
