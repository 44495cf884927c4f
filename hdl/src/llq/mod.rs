//! LLQ device memory: BAR2, where the host pushes whole low-latency-queue entries (ENA LLQ:
//! 128 B per entry, two 16 B descriptor slots then a 96 B header area) with write bursts on
//! `s_axi_llq_`, and from which the TX engine reads them (`entry_read_*`).
//!
//! 16 KiB: 8 queues x 16 entries x 128 B, queue `q` entry `e` at byte `(q * 16 + e) * 128`.
//! One block RAM per byte lane, so write strobes are exact. Bursts are INCR with any size up
//! to the bus width (narrow bursts advance by their size, as AXI4 A3.4.2 says) and any start
//! alignment. What the block refuses, writing nothing and answering SLVERR, and counting in
//! `errors`: a burst that is not INCR or is wider than the bus (the whole burst), a beat
//! outside the 16 KiB window (that beat; the burst answers SLVERR). BAR2 is write-only:
//! every read burst is answered with zero data and SLVERR, beat for beat.
//!
//! Entries become visible to the TX engine through the queue's doorbell in BAR0, so a host
//! bridge must not let a BAR0 write overtake a BAR2 write still in flight: `busy` is high
//! from a write burst's address to its response, for the top level to hold BAR0 writes.
//! The TX engine must not read an entry the host is rewriting (a host that rewrites an
//! entry before its completion gets its own garbage on the wire, nothing else).
use crate::block_ram::BlockRam;
use crate::bus::Axi4Slave;
use rust_hdl::prelude::*;

/// 8-byte words in LLQ memory: 2^11 = 16 KiB.
pub const WORD_BITS: usize = 11;
pub const QUEUES: usize = 8;
pub const ENTRIES_PER_QUEUE: usize = 16;
pub const ENTRY_BYTES: usize = 128;
/// Cycles from `entry_read_word` to `entry_read_data`.
pub const READ_LATENCY: u64 = 2;

#[derive(LogicBlock)]
pub struct LlqMemory {
    pub clk: Signal<In, Clock>,
    pub rst: Signal<In, Bit>,
    /// BAR2: 32-bit byte addresses, 64-bit data, 4-bit IDs.
    pub s_axi_llq: Axi4Slave<32, 64, 8, 4>,
    /// The TX engine's read port: a word number; its data `READ_LATENCY` cycles later.
    pub entry_read_word: Signal<In, Bits<11>>,
    pub entry_read_data: Signal<Out, Bits<64>>,
    /// A write burst is between its address and its response.
    pub busy: Signal<Out, Bit>,
    /// Refused bursts (saturating).
    pub errors: Signal<Out, Bits<32>>,

    lane0: BlockRam<8, 11>,
    lane1: BlockRam<8, 11>,
    lane2: BlockRam<8, 11>,
    lane3: BlockRam<8, 11>,
    lane4: BlockRam<8, 11>,
    lane5: BlockRam<8, 11>,
    lane6: BlockRam<8, 11>,
    lane7: BlockRam<8, 11>,
    read_data: DFF<Bits<64>>,

    // The write burst in progress.
    w_active: DFF<Bit>,
    w_id: DFF<Bits<4>>,
    w_addr: DFF<Bits<32>>,
    /// ~(size - 1): aligns a beat address to the transfer size.
    w_align: DFF<Bits<32>>,
    /// The transfer size in bytes.
    w_step: DFF<Bits<32>>,
    /// The whole burst is refused.
    w_refused: DFF<Bit>,
    /// Some beat fell outside the window.
    w_outside: DFF<Bit>,
    /// A beat on its way into the RAMs: registered, so the strobes and the address decode
    /// do not run into the block RAMs' write enables in one cycle (inside the NIC that was
    /// the critical path: 93.9 MHz, session 13). Written the cycle after the beat is taken,
    /// the same cycle its burst's response is offered.
    stage_enables: DFF<Bits<8>>,
    stage_word: DFF<Bits<11>>,
    stage_data: DFF<Bits<64>>,
    b_valid: DFF<Bit>,
    b_id: DFF<Bits<4>>,
    b_resp: DFF<Bits<2>>,
    error_count: DFF<Bits<32>>,
    // The read burst being refused.
    r_active: DFF<Bit>,
    r_id: DFF<Bits<4>>,
    r_left: DFF<Bits<8>>,

    one: Constant<Bits<32>>,
    w_fire: Signal<Local, Bit>,
    in_window: Signal<Local, Bit>,
    write_beat: Signal<Local, Bit>,
    word: Signal<Local, Bits<11>>,
    burst_bad: Signal<Local, Bit>,
}

impl Default for LlqMemory {
    fn default() -> Self {
        Self {
            clk: Default::default(),
            rst: Default::default(),
            s_axi_llq: Default::default(),
            entry_read_word: Default::default(),
            entry_read_data: Default::default(),
            busy: Default::default(),
            errors: Default::default(),
            lane0: Default::default(),
            lane1: Default::default(),
            lane2: Default::default(),
            lane3: Default::default(),
            lane4: Default::default(),
            lane5: Default::default(),
            lane6: Default::default(),
            lane7: Default::default(),
            read_data: Default::default(),
            w_active: Default::default(),
            w_id: Default::default(),
            w_addr: Default::default(),
            w_align: Default::default(),
            w_step: Default::default(),
            w_refused: Default::default(),
            w_outside: Default::default(),
            stage_enables: Default::default(),
            stage_word: Default::default(),
            stage_data: Default::default(),
            b_valid: Default::default(),
            b_id: Default::default(),
            b_resp: Default::default(),
            error_count: Default::default(),
            r_active: Default::default(),
            r_id: Default::default(),
            r_left: Default::default(),
            one: Constant::new(1.into()),
            w_fire: Default::default(),
            in_window: Default::default(),
            write_beat: Default::default(),
            word: Default::default(),
            burst_bad: Default::default(),
        }
    }
}

impl Logic for LlqMemory {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clk,
            read_data,
            w_active,
            w_id,
            w_addr,
            w_align,
            w_step,
            w_refused,
            w_outside,
            stage_enables,
            stage_word,
            stage_data,
            b_valid,
            b_id,
            b_resp,
            error_count,
            r_active,
            r_id,
            r_left
        );
        self.lane0.read_clock.next = self.clk.val();
        self.lane0.write_clock.next = self.clk.val();
        self.lane1.read_clock.next = self.clk.val();
        self.lane1.write_clock.next = self.clk.val();
        self.lane2.read_clock.next = self.clk.val();
        self.lane2.write_clock.next = self.clk.val();
        self.lane3.read_clock.next = self.clk.val();
        self.lane3.write_clock.next = self.clk.val();
        self.lane4.read_clock.next = self.clk.val();
        self.lane4.write_clock.next = self.clk.val();
        self.lane5.read_clock.next = self.clk.val();
        self.lane5.write_clock.next = self.clk.val();
        self.lane6.read_clock.next = self.clk.val();
        self.lane6.write_clock.next = self.clk.val();
        self.lane7.read_clock.next = self.clk.val();
        self.lane7.write_clock.next = self.clk.val();

        // ---- Write bursts, one at a time: address, beats, response.
        self.s_axi_llq.awready.next = !self.w_active.q.val() & !self.b_valid.q.val();
        // INCR only, and no wider than the bus.
        self.burst_bad.next = (self.s_axi_llq.awburst.val() != 1) | (self.s_axi_llq.awsize.val() > 3);
        if self.s_axi_llq.awvalid.val() & !self.w_active.q.val() & !self.b_valid.q.val() {
            self.w_active.d.next = true;
            self.w_id.d.next = self.s_axi_llq.awid.val();
            self.w_addr.d.next = self.s_axi_llq.awaddr.val();
            self.w_step.d.next = self.one.val() << bit_cast::<32, 3>(self.s_axi_llq.awsize.val());
            self.w_align.d.next = !((self.one.val() << bit_cast::<32, 3>(self.s_axi_llq.awsize.val())) - 1);
            self.w_refused.d.next = self.burst_bad.val();
            self.w_outside.d.next = false;
        }
        self.s_axi_llq.wready.next = self.w_active.q.val();
        self.w_fire.next = self.w_active.q.val() & self.s_axi_llq.wvalid.val();
        self.in_window.next = self.w_addr.q.val().get_bits::<18>(14) == 0;
        self.write_beat.next = self.w_fire.val() & self.in_window.val() & !self.w_refused.q.val();
        self.word.next = self.w_addr.q.val().get_bits::<11>(3);
        if self.w_fire.val() {
            // The next beat's address: aligned to the size, one transfer on (A3.4.2).
            self.w_addr.d.next = (self.w_addr.q.val() & self.w_align.q.val()) + self.w_step.q.val();
            if !self.in_window.val() {
                self.w_outside.d.next = true;
            }
            if self.s_axi_llq.wlast.val() {
                self.w_active.d.next = false;
                self.b_valid.d.next = true;
                self.b_id.d.next = self.w_id.q.val();
                self.b_resp.d.next = 0.into();
                if self.w_refused.q.val() | self.w_outside.q.val() | !self.in_window.val() {
                    self.b_resp.d.next = 2.into();
                    if self.error_count.q.val() != 0xFFFF_FFFF_u64 {
                        self.error_count.d.next = self.error_count.q.val() + 1;
                    }
                }
            }
        }
        self.s_axi_llq.bvalid.next = self.b_valid.q.val();
        self.s_axi_llq.bid.next = self.b_id.q.val();
        self.s_axi_llq.bresp.next = self.b_resp.q.val();
        if self.b_valid.q.val() & self.s_axi_llq.bready.val() {
            self.b_valid.d.next = false;
        }

        // One block RAM per byte lane: the strobes are the write enables, a cycle later.
        self.stage_enables.d.next = 0.into();
        if self.write_beat.val() {
            self.stage_enables.d.next = self.s_axi_llq.wstrb.val();
        }
        self.stage_word.d.next = self.word.val();
        self.stage_data.d.next = self.s_axi_llq.wdata.val();
        self.lane0.write_address.next = self.stage_word.q.val();
        self.lane1.write_address.next = self.stage_word.q.val();
        self.lane2.write_address.next = self.stage_word.q.val();
        self.lane3.write_address.next = self.stage_word.q.val();
        self.lane4.write_address.next = self.stage_word.q.val();
        self.lane5.write_address.next = self.stage_word.q.val();
        self.lane6.write_address.next = self.stage_word.q.val();
        self.lane7.write_address.next = self.stage_word.q.val();
        self.lane0.write_data.next = self.stage_data.q.val().get_bits::<8>(0);
        self.lane1.write_data.next = self.stage_data.q.val().get_bits::<8>(8);
        self.lane2.write_data.next = self.stage_data.q.val().get_bits::<8>(16);
        self.lane3.write_data.next = self.stage_data.q.val().get_bits::<8>(24);
        self.lane4.write_data.next = self.stage_data.q.val().get_bits::<8>(32);
        self.lane5.write_data.next = self.stage_data.q.val().get_bits::<8>(40);
        self.lane6.write_data.next = self.stage_data.q.val().get_bits::<8>(48);
        self.lane7.write_data.next = self.stage_data.q.val().get_bits::<8>(56);
        self.lane0.write_enable.next = self.stage_enables.q.val().get_bit(0);
        self.lane1.write_enable.next = self.stage_enables.q.val().get_bit(1);
        self.lane2.write_enable.next = self.stage_enables.q.val().get_bit(2);
        self.lane3.write_enable.next = self.stage_enables.q.val().get_bit(3);
        self.lane4.write_enable.next = self.stage_enables.q.val().get_bit(4);
        self.lane5.write_enable.next = self.stage_enables.q.val().get_bit(5);
        self.lane6.write_enable.next = self.stage_enables.q.val().get_bit(6);
        self.lane7.write_enable.next = self.stage_enables.q.val().get_bit(7);

        // The engine's read port: the RAMs' read registers, then one more register.
        self.lane0.read_address.next = self.entry_read_word.val();
        self.lane1.read_address.next = self.entry_read_word.val();
        self.lane2.read_address.next = self.entry_read_word.val();
        self.lane3.read_address.next = self.entry_read_word.val();
        self.lane4.read_address.next = self.entry_read_word.val();
        self.lane5.read_address.next = self.entry_read_word.val();
        self.lane6.read_address.next = self.entry_read_word.val();
        self.lane7.read_address.next = self.entry_read_word.val();
        self.read_data.d.next = bit_cast::<64, 8>(self.lane0.read_data.val())
            | (bit_cast::<64, 8>(self.lane1.read_data.val()) << 8)
            | (bit_cast::<64, 8>(self.lane2.read_data.val()) << 16)
            | (bit_cast::<64, 8>(self.lane3.read_data.val()) << 24)
            | (bit_cast::<64, 8>(self.lane4.read_data.val()) << 32)
            | (bit_cast::<64, 8>(self.lane5.read_data.val()) << 40)
            | (bit_cast::<64, 8>(self.lane6.read_data.val()) << 48)
            | (bit_cast::<64, 8>(self.lane7.read_data.val()) << 56);
        self.entry_read_data.next = self.read_data.q.val();

        // ---- Reads: BAR2 is write-only; each read beat answers zero data and SLVERR.
        self.s_axi_llq.arready.next = !self.r_active.q.val();
        if self.s_axi_llq.arvalid.val() & !self.r_active.q.val() {
            self.r_active.d.next = true;
            self.r_id.d.next = self.s_axi_llq.arid.val();
            self.r_left.d.next = self.s_axi_llq.arlen.val();
        }
        self.s_axi_llq.rvalid.next = self.r_active.q.val();
        self.s_axi_llq.rid.next = self.r_id.q.val();
        self.s_axi_llq.rdata.next = 0.into();
        self.s_axi_llq.rresp.next = 2.into();
        self.s_axi_llq.rlast.next = self.r_left.q.val() == 0;
        if self.r_active.q.val() & self.s_axi_llq.rready.val() {
            self.r_left.d.next = self.r_left.q.val() - 1;
            if self.r_left.q.val() == 0 {
                self.r_active.d.next = false;
            }
        }

        self.busy.next = self.w_active.q.val() | self.b_valid.q.val() | (self.stage_enables.q.val() != 0);
        self.errors.next = self.error_count.q.val();
        if self.rst.val() {
            self.w_active.d.next = false;
            self.b_valid.d.next = false;
            self.r_active.d.next = false;
            self.error_count.d.next = 0.into();
            self.stage_enables.d.next = 0.into();
        }
    }
}

crate::native_ports!(
    impl[] LlqMemory;
    clk, rst, s_axi_llq.awid, s_axi_llq.awaddr, s_axi_llq.awlen, s_axi_llq.awsize, s_axi_llq.awburst, s_axi_llq.awlock, s_axi_llq.awcache, s_axi_llq.awprot, s_axi_llq.awvalid, s_axi_llq.awready, s_axi_llq.wdata, s_axi_llq.wstrb, s_axi_llq.wlast, s_axi_llq.wvalid, s_axi_llq.wready, s_axi_llq.bid, s_axi_llq.bresp, s_axi_llq.bvalid, s_axi_llq.bready, s_axi_llq.arid, s_axi_llq.araddr, s_axi_llq.arlen, s_axi_llq.arsize, s_axi_llq.arburst, s_axi_llq.arlock, s_axi_llq.arcache, s_axi_llq.arprot, s_axi_llq.arvalid, s_axi_llq.arready, s_axi_llq.rid, s_axi_llq.rdata, s_axi_llq.rresp, s_axi_llq.rlast, s_axi_llq.rvalid, s_axi_llq.rready, entry_read_word, entry_read_data, busy, errors,
);
