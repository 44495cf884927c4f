//! Splits a transfer into AXI4 INCR bursts of 8-byte beats: at most `MAX_BURST` beats and
//! never across a 4 KiB boundary (AMBA AXI A3.4.1). Shared by the read and write engines.
//!
//! The next burst's length is computed in two registered steps (the two limits, then the
//! smaller), so `burst_*` come straight from registers and the address channel carries no
//! arithmetic; a new burst is ready three cycles after a transfer starts or a burst goes.
use rust_hdl::prelude::*;

/// Longest burst, in 8-byte beats.
pub const MAX_BURST: u64 = 64;

#[derive(LogicBlock)]
pub struct BurstSplitter {
    pub clk: Signal<In, Clock>,
    pub rst: Signal<In, Bit>,
    /// Start a transfer (only while not `busy`).
    pub start: Signal<In, Bit>,
    /// The transfer as a descriptor gives it: any byte address, a length with 0 meaning
    /// 65536 bytes.
    pub start_addr: Signal<In, Bits<64>>,
    pub start_len: Signal<In, Bits<16>>,
    /// That length in bytes (1-65536), decoded for the engines' own records.
    pub start_len_bytes: Signal<Out, Bits<17>>,
    /// The transfer still has bursts to issue.
    pub busy: Signal<Out, Bit>,
    /// A burst is ready: address, beats, and whether it is the transfer's last.
    pub burst_valid: Signal<Out, Bit>,
    pub burst_addr: Signal<Out, Bits<64>>,
    pub burst_beats: Signal<Out, Bits<14>>,
    pub burst_last: Signal<Out, Bit>,
    /// The offered burst was issued (the address handshake).
    pub take: Signal<In, Bit>,

    issuing: DFF<Bit>,
    next_addr: DFF<Bits<64>>,
    beats_left: DFF<Bits<14>>,
    room_to_boundary: DFF<Bits<14>>,
    capped_left: DFF<Bits<14>>,
    limits_ready: DFF<Bit>,
    beats: DFF<Bits<14>>,
    ready: DFF<Bit>,
    max_burst: Constant<Bits<14>>,
    to_boundary: Signal<Local, Bits<14>>,
    len_bytes: Signal<Local, Bits<17>>,
    smaller: Signal<Local, Bits<14>>,
}

impl Default for BurstSplitter {
    fn default() -> Self {
        Self {
            clk: Default::default(),
            rst: Default::default(),
            start: Default::default(),
            start_addr: Default::default(),
            start_len: Default::default(),
            start_len_bytes: Default::default(),
            busy: Default::default(),
            burst_valid: Default::default(),
            burst_addr: Default::default(),
            burst_beats: Default::default(),
            burst_last: Default::default(),
            take: Default::default(),
            issuing: Default::default(),
            next_addr: Default::default(),
            beats_left: Default::default(),
            room_to_boundary: Default::default(),
            capped_left: Default::default(),
            limits_ready: Default::default(),
            beats: Default::default(),
            ready: Default::default(),
            max_burst: Constant::new(MAX_BURST.to_bits()),
            to_boundary: Default::default(),
            len_bytes: Default::default(),
            smaller: Default::default(),
        }
    }
}

impl Logic for BurstSplitter {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clk,
            issuing,
            next_addr,
            beats_left,
            room_to_boundary,
            capped_left,
            limits_ready,
            beats,
            ready
        );
        // Step 1: beats to the next 4 KiB boundary; remaining beats capped at MAX_BURST.
        self.to_boundary.next = 512 - bit_cast::<14, 9>(self.next_addr.q.val().get_bits::<9>(3));
        self.room_to_boundary.d.next = self.to_boundary.val();
        self.capped_left.d.next = self.beats_left.q.val();
        if self.max_burst.val() < self.beats_left.q.val() {
            self.capped_left.d.next = self.max_burst.val();
        }
        self.limits_ready.d.next = self.issuing.q.val();
        // Step 2: the smaller of the two.
        self.smaller.next = self.capped_left.q.val();
        if self.room_to_boundary.q.val() < self.capped_left.q.val() {
            self.smaller.next = self.room_to_boundary.q.val();
        }
        self.beats.d.next = self.smaller.val();
        self.ready.d.next = self.issuing.q.val() & self.limits_ready.q.val();

        self.busy.next = self.issuing.q.val();
        self.burst_valid.next = self.issuing.q.val() & self.ready.q.val();
        self.burst_addr.next = self.next_addr.q.val();
        self.burst_beats.next = self.beats.q.val();
        self.burst_last.next = self.beats_left.q.val() == self.beats.q.val();

        self.len_bytes.next = bit_cast::<17, 16>(self.start_len.val());
        if self.start_len.val() == 0 {
            self.len_bytes.next = 0x1_0000.into();
        }
        self.start_len_bytes.next = self.len_bytes.val();
        if self.start.val() & !self.issuing.q.val() {
            self.issuing.d.next = true;
            // Beats from the address rounded down to 8 bytes through the last byte.
            self.next_addr.d.next = self.start_addr.val() & 0xFFFF_FFFF_FFFF_FFF8_u64;
            self.beats_left.d.next = bit_cast::<14, 17>(
                (bit_cast::<17, 3>(self.start_addr.val().get_bits::<3>(0)) + self.len_bytes.val() + 7) >> 3,
            );
            self.limits_ready.d.next = false;
            self.ready.d.next = false;
        }
        if self.take.val() & self.issuing.q.val() & self.ready.q.val() {
            self.next_addr.d.next = self.next_addr.q.val() + (bit_cast::<64, 14>(self.beats.q.val()) << 3);
            self.beats_left.d.next = self.beats_left.q.val() - self.beats.q.val();
            self.ready.d.next = false;
            self.limits_ready.d.next = false;
            if self.beats_left.q.val() == self.beats.q.val() {
                self.issuing.d.next = false;
            }
        }
        if self.rst.val() {
            self.issuing.d.next = false;
            self.limits_ready.d.next = false;
            self.ready.d.next = false;
        }
    }
}
