//! The RDMA transaction table: the RDMA WRITE messages the host expects, found by
//! (destination QP, PSN) at one lookup per cycle.
//!
//! Entries sit in rows of four ways; a transaction of QP `q` lives in row `q mod rows`, in
//! the lowest free way, and its entry number is `row * 4 + way`. Per way, a tag RAM holds
//! {valid, QP, first PSN, packets - 1}; a context RAM indexed by entry number holds what
//! placement needs: VA, length, R_Key, path MTU, completion queue, owning function. A
//! lookup reads the QP's row and compares the four ways at once; installed transactions
//! of one QP never share a PSN, so at most one way matches.
//!
//! Commands (`cmd_*`), one at a time, each answered on `done_*`:
//! * install: refused as `STATUS_INVALID` (no packets, more than 2^23, a path MTU code other
//!   than 1-5), `STATUS_OVERLAPS` (an installed transaction of the QP shares a PSN with it)
//!   or `STATUS_FULL` (the row has no free way), in that order; else `STATUS_OK` and the
//!   entry number taken;
//! * retire (`cmd_retire`, by QP and first PSN): `STATUS_OK` and the entry freed, or
//!   `STATUS_NOT_FOUND`.
//!
//! Pipeline, one operation per stage; a command waits until no lookup is in flight, and
//! lookups wait while a command is waiting or in flight, so a lookup sees every command
//! accepted before it and none after:
//! * a: the accepted operation; the tag RAMs are addressed by its row;
//! * b: the tag RAMs' outputs arrive, registered with nothing in between (on ECP5 the RAM's
//!   own output register);
//! * copy: registered once more in fabric (the route out of a block RAM is long);
//! * c: per way: does the QP match, the PSN's offset into the transaction, the offset of
//!   the transaction's first PSN from the command's;
//! * d: per way: hit (offset within the transaction), last packet, overlap, exact first PSN;
//! * e: choose the way;
//! * f: a command decides its answer and registers its writes; a lookup reads the chosen
//!   entry's context (its address from a register: the choice into a RAM's address, routed
//!   across the chip, was a long path);
//! * g: a command's answer is on `done_*` and its writes go into the RAMs (from registers:
//!   the decision is a long path, the route to a block RAM's write port another); the
//!   lookup's context arrives from the RAM;
//! * h: the lookup's result is on `result_*` (`LOOKUP_LATENCY` cycles after acceptance).
//!
//! After `rst` a sweep clears every row (one per cycle) before anything is accepted.
use crate::block_ram::BlockRam;
use rust_hdl::prelude::*;

/// `done_status` values.
pub const STATUS_OK: u64 = 0;
pub const STATUS_FULL: u64 = 1;
pub const STATUS_OVERLAPS: u64 = 2;
pub const STATUS_NOT_FOUND: u64 = 3;
pub const STATUS_INVALID: u64 = 4;
/// Ways per row.
pub const WAYS: usize = 4;
/// Cycles from a lookup's handshake to its result on `result_*`.
pub const LOOKUP_LATENCY: u64 = 9;
/// Cycles from a command's handshake to its answer on `done_*`.
pub const COMMAND_LATENCY: u64 = 8;
/// Width of the entry-number ports: up to 4096 entries.
pub const ENTRY_PORT_BITS: usize = 12;

/// Tag word: valid 0, QP 24:1, first PSN 48:25, packets - 1 72:49.
const TAG_BITS: usize = 73;
/// Context word: VA 63:0, length 95:64, R_Key 127:96, path MTU 130:128, CQ 146:131,
/// function 154:147.
const CONTEXT_BITS: usize = 155;

/// The default table: 256 entries (64 rows).
pub type TransactionTable256 = TransactionTable<6, 8>;
/// The largest supported table: 4096 entries (1024 rows).
pub type TransactionTable4096 = TransactionTable<10, 12>;

/// `ROW_BITS`: log2 of the rows; `ENTRY_BITS` must be `ROW_BITS + 2`.
#[derive(LogicBlock)]
pub struct TransactionTable<const ROW_BITS: usize, const ENTRY_BITS: usize> {
    pub clk: Signal<In, Clock>,
    pub rst: Signal<In, Bit>,
    // Install and retire commands.
    pub cmd_valid: Signal<In, Bit>,
    pub cmd_ready: Signal<Out, Bit>,
    /// 0: install, 1: retire (by `cmd_qp` and `cmd_first_psn`).
    pub cmd_retire: Signal<In, Bit>,
    pub cmd_qp: Signal<In, Bits<24>>,
    pub cmd_first_psn: Signal<In, Bits<24>>,
    pub cmd_packets: Signal<In, Bits<24>>,
    pub cmd_va: Signal<In, Bits<64>>,
    pub cmd_length: Signal<In, Bits<32>>,
    pub cmd_rkey: Signal<In, Bits<32>>,
    /// IBA path MTU code: 1 = 256 B ... 5 = 4096 B.
    pub cmd_path_mtu: Signal<In, Bits<3>>,
    pub cmd_cq: Signal<In, Bits<16>>,
    pub cmd_function: Signal<In, Bits<8>>,
    /// A command's answer, `COMMAND_LATENCY` cycles after its handshake (no backpressure).
    pub done_valid: Signal<Out, Bit>,
    pub done_status: Signal<Out, Bits<3>>,
    /// The entry installed or retired.
    pub done_entry: Signal<Out, Bits<ENTRY_PORT_BITS>>,
    // Lookups.
    pub lookup_valid: Signal<In, Bit>,
    pub lookup_ready: Signal<Out, Bit>,
    pub lookup_qp: Signal<In, Bits<24>>,
    pub lookup_psn: Signal<In, Bits<24>>,
    /// A lookup's result, in order, `LOOKUP_LATENCY` cycles after its handshake (no
    /// backpressure). The fields after `result_hit` are meaningful on a hit.
    pub result_valid: Signal<Out, Bit>,
    pub result_hit: Signal<Out, Bit>,
    pub result_entry: Signal<Out, Bits<ENTRY_PORT_BITS>>,
    /// PSN - first PSN: the packet's index in its message.
    pub result_offset: Signal<Out, Bits<24>>,
    /// The message's last packet.
    pub result_last: Signal<Out, Bit>,
    pub result_va: Signal<Out, Bits<64>>,
    pub result_length: Signal<Out, Bits<32>>,
    pub result_rkey: Signal<Out, Bits<32>>,
    pub result_path_mtu: Signal<Out, Bits<3>>,
    pub result_cq: Signal<Out, Bits<16>>,
    pub result_function: Signal<Out, Bits<8>>,
    /// Entries installed.
    pub entries: Signal<Out, Bits<13>>,

    tags: [BlockRam<TAG_BITS, ROW_BITS>; WAYS],
    context_ram: BlockRam<CONTEXT_BITS, ENTRY_BITS>,
    last_row: Constant<Bits<ROW_BITS>>,
    /// The longest transaction, packets - 1 (2^23 - 1).
    max_last_offset: Constant<Bits<24>>,
    status_ok: Constant<Bits<3>>,
    status_full: Constant<Bits<3>>,
    status_overlaps: Constant<Bits<3>>,
    status_not_found: Constant<Bits<3>>,
    status_invalid: Constant<Bits<3>>,

    clearing: DFF<Bit>,
    clear_row: DFF<Bits<ROW_BITS>>,
    entry_count: DFF<Bits<13>>,
    /// A command is accepted and not yet answered.
    command_active: DFF<Bit>,
    // The command in flight.
    command_retire: DFF<Bit>,
    command_invalid: DFF<Bit>,
    /// The command's packets, `last offset + 1`, so that `<=` becomes `<` (Yosys builds
    /// `a <= b` as `a < b | a == b`, a zero test after the carry chain). It cannot wrap for
    /// an install that is not INVALID (at most 2^23 packets), and INVALID decides first.
    command_count: DFF<Bits<24>>,
    command_tag: DFF<Bits<TAG_BITS>>,
    command_context: DFF<Bits<CONTEXT_BITS>>,

    a_valid: DFF<Bit>,
    a_command: DFF<Bit>,
    a_qp: DFF<Bits<24>>,
    a_psn: DFF<Bits<24>>,
    b_valid: DFF<Bit>,
    b_command: DFF<Bit>,
    b_qp: DFF<Bits<24>>,
    b_psn: DFF<Bits<24>>,
    c_valid: DFF<Bit>,
    c_command: DFF<Bit>,
    c_qp: DFF<Bits<24>>,
    c_psn: DFF<Bits<24>>,
    c_way: [DFF<Bits<TAG_BITS>>; WAYS],
    /// Stage c again, copied once more in fabric: the route out of a block RAM is long.
    copy_valid: DFF<Bit>,
    copy_command: DFF<Bit>,
    copy_qp: DFF<Bits<24>>,
    copy_psn: DFF<Bits<24>>,
    copy_way: [DFF<Bits<TAG_BITS>>; WAYS],
    d_valid: DFF<Bit>,
    d_command: DFF<Bit>,
    d_row: DFF<Bits<ROW_BITS>>,
    d_match: [DFF<Bit>; WAYS],
    d_free: [DFF<Bit>; WAYS],
    /// PSN - the way's first PSN.
    d_offset: [DFF<Bits<24>>; WAYS],
    /// The way's first PSN - the command's first PSN.
    d_ahead: [DFF<Bits<24>>; WAYS],
    d_last_offset: [DFF<Bits<24>>; WAYS],
    /// The way's packets, `last offset + 1` (see `command_count`; an installed way has at
    /// most 2^23 packets).
    d_count: [DFF<Bits<24>>; WAYS],
    e_valid: DFF<Bit>,
    e_command: DFF<Bit>,
    e_row: DFF<Bits<ROW_BITS>>,
    e_hit: [DFF<Bit>; WAYS],
    e_last: [DFF<Bit>; WAYS],
    e_overlap: [DFF<Bit>; WAYS],
    e_exact: [DFF<Bit>; WAYS],
    e_free: [DFF<Bit>; WAYS],
    e_offset: [DFF<Bits<24>>; WAYS],
    f_valid: DFF<Bit>,
    f_hit: DFF<Bit>,
    f_entry: DFF<Bits<ENTRY_BITS>>,
    f_offset: DFF<Bits<24>>,
    f_last: DFF<Bit>,
    /// A command reaches f: its answer is decided there from the registered choice (the
    /// choice and the answer in one cycle, into the write enables, was a long path).
    f_command: DFF<Bit>,
    f_overlap: DFF<Bit>,
    g_valid: DFF<Bit>,
    g_hit: DFF<Bit>,
    g_entry: DFF<Bits<ENTRY_BITS>>,
    g_offset: DFF<Bits<24>>,
    g_last: DFF<Bit>,
    h_valid: DFF<Bit>,
    h_hit: DFF<Bit>,
    h_entry: DFF<Bits<ENTRY_BITS>>,
    h_offset: DFF<Bits<24>>,
    h_last: DFF<Bit>,
    h_context: DFF<Bits<CONTEXT_BITS>>,
    // The RAM writes, from registers (a command's decision, or the clearing sweep).
    tag_write_ways: DFF<Bits<4>>,
    tag_write_row: DFF<Bits<ROW_BITS>>,
    tag_write_data: DFF<Bits<TAG_BITS>>,
    context_write: DFF<Bit>,
    context_write_entry: DFF<Bits<ENTRY_BITS>>,
    done: DFF<Bit>,
    done_code: DFF<Bits<3>>,
    done_at: DFF<Bits<ENTRY_BITS>>,

    // Decisions in stage e.
    /// The way chosen: the hit (lookup), the free way (install), the exact match (retire).
    chosen_way: Signal<Local, Bits<2>>,
    chosen_found: Signal<Local, Bit>,
    any_overlap: Signal<Local, Bit>,
    chosen_offset: Signal<Local, Bits<24>>,
    chosen_last: Signal<Local, Bit>,
    chosen_entry: Signal<Local, Bits<ENTRY_BITS>>,
    command_status: Signal<Local, Bits<3>>,
    lookups_in_flight: Signal<Local, Bit>,
    cmd_last_offset: Signal<Local, Bits<24>>,
}

impl<const ROW_BITS: usize, const ENTRY_BITS: usize> Default for TransactionTable<ROW_BITS, ENTRY_BITS> {
    fn default() -> Self {
        assert_eq!(ENTRY_BITS, ROW_BITS + 2, "an entry number is {{row, way}}");
        assert!(ENTRY_BITS <= ENTRY_PORT_BITS, "at most 4096 entries");
        Self {
            clk: Default::default(),
            rst: Default::default(),
            cmd_valid: Default::default(),
            cmd_ready: Default::default(),
            cmd_retire: Default::default(),
            cmd_qp: Default::default(),
            cmd_first_psn: Default::default(),
            cmd_packets: Default::default(),
            cmd_va: Default::default(),
            cmd_length: Default::default(),
            cmd_rkey: Default::default(),
            cmd_path_mtu: Default::default(),
            cmd_cq: Default::default(),
            cmd_function: Default::default(),
            done_valid: Default::default(),
            done_status: Default::default(),
            done_entry: Default::default(),
            lookup_valid: Default::default(),
            lookup_ready: Default::default(),
            lookup_qp: Default::default(),
            lookup_psn: Default::default(),
            result_valid: Default::default(),
            result_hit: Default::default(),
            result_entry: Default::default(),
            result_offset: Default::default(),
            result_last: Default::default(),
            result_va: Default::default(),
            result_length: Default::default(),
            result_rkey: Default::default(),
            result_path_mtu: Default::default(),
            result_cq: Default::default(),
            result_function: Default::default(),
            entries: Default::default(),
            tags: Default::default(),
            context_ram: Default::default(),
            last_row: Constant::new(((1u64 << ROW_BITS) - 1).into()),
            max_last_offset: Constant::new(((1u64 << 23) - 1).into()),
            status_ok: Constant::new(STATUS_OK.into()),
            status_full: Constant::new(STATUS_FULL.into()),
            status_overlaps: Constant::new(STATUS_OVERLAPS.into()),
            status_not_found: Constant::new(STATUS_NOT_FOUND.into()),
            status_invalid: Constant::new(STATUS_INVALID.into()),
            clearing: Default::default(),
            clear_row: Default::default(),
            entry_count: Default::default(),
            command_active: Default::default(),
            command_retire: Default::default(),
            command_invalid: Default::default(),
            command_count: Default::default(),
            command_tag: Default::default(),
            command_context: Default::default(),
            a_valid: Default::default(),
            a_command: Default::default(),
            a_qp: Default::default(),
            a_psn: Default::default(),
            b_valid: Default::default(),
            b_command: Default::default(),
            b_qp: Default::default(),
            b_psn: Default::default(),
            c_valid: Default::default(),
            c_command: Default::default(),
            c_qp: Default::default(),
            c_psn: Default::default(),
            c_way: Default::default(),
            copy_valid: Default::default(),
            copy_command: Default::default(),
            copy_qp: Default::default(),
            copy_psn: Default::default(),
            copy_way: Default::default(),
            d_valid: Default::default(),
            d_command: Default::default(),
            d_row: Default::default(),
            d_match: Default::default(),
            d_free: Default::default(),
            d_offset: Default::default(),
            d_ahead: Default::default(),
            d_last_offset: Default::default(),
            d_count: Default::default(),
            e_valid: Default::default(),
            e_command: Default::default(),
            e_row: Default::default(),
            e_hit: Default::default(),
            e_last: Default::default(),
            e_overlap: Default::default(),
            e_exact: Default::default(),
            e_free: Default::default(),
            e_offset: Default::default(),
            f_valid: Default::default(),
            f_hit: Default::default(),
            f_entry: Default::default(),
            f_offset: Default::default(),
            f_last: Default::default(),
            f_command: Default::default(),
            f_overlap: Default::default(),
            g_valid: Default::default(),
            g_hit: Default::default(),
            g_entry: Default::default(),
            g_offset: Default::default(),
            g_last: Default::default(),
            h_valid: Default::default(),
            h_hit: Default::default(),
            h_entry: Default::default(),
            h_offset: Default::default(),
            h_last: Default::default(),
            h_context: Default::default(),
            tag_write_ways: Default::default(),
            tag_write_row: Default::default(),
            tag_write_data: Default::default(),
            context_write: Default::default(),
            context_write_entry: Default::default(),
            done: Default::default(),
            done_code: Default::default(),
            done_at: Default::default(),
            chosen_way: Default::default(),
            chosen_found: Default::default(),
            any_overlap: Default::default(),
            chosen_offset: Default::default(),
            chosen_last: Default::default(),
            chosen_entry: Default::default(),
            command_status: Default::default(),
            lookups_in_flight: Default::default(),
            cmd_last_offset: Default::default(),
        }
    }
}

impl<const ROW_BITS: usize, const ENTRY_BITS: usize> Logic for TransactionTable<ROW_BITS, ENTRY_BITS> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clk,
            clearing,
            clear_row,
            entry_count,
            command_active,
            command_retire,
            command_invalid,
            command_count,
            command_tag,
            command_context,
            a_valid,
            a_command,
            a_qp,
            a_psn,
            b_valid,
            b_command,
            b_qp,
            b_psn,
            c_valid,
            c_command,
            c_qp,
            c_psn,
            copy_valid,
            copy_command,
            copy_qp,
            copy_psn,
            d_valid,
            d_command,
            d_row,
            e_valid,
            e_command,
            e_row,
            f_valid,
            f_hit,
            f_entry,
            f_offset,
            f_last,
            f_command,
            f_overlap,
            g_valid,
            g_hit,
            g_entry,
            g_offset,
            g_last,
            h_valid,
            h_hit,
            h_entry,
            h_offset,
            h_last,
            h_context,
            tag_write_ways,
            tag_write_row,
            tag_write_data,
            context_write,
            context_write_entry,
            done,
            done_code,
            done_at
        );
        for way in 0..4 {
            self.c_way[way].clock.next = self.clk.val();
            self.c_way[way].d.next = self.c_way[way].q.val();
            self.copy_way[way].clock.next = self.clk.val();
            self.copy_way[way].d.next = self.c_way[way].q.val();
            self.d_match[way].clock.next = self.clk.val();
            self.d_match[way].d.next = self.d_match[way].q.val();
            self.d_free[way].clock.next = self.clk.val();
            self.d_free[way].d.next = self.d_free[way].q.val();
            self.d_offset[way].clock.next = self.clk.val();
            self.d_offset[way].d.next = self.d_offset[way].q.val();
            self.d_ahead[way].clock.next = self.clk.val();
            self.d_ahead[way].d.next = self.d_ahead[way].q.val();
            self.d_last_offset[way].clock.next = self.clk.val();
            self.d_last_offset[way].d.next = self.d_last_offset[way].q.val();
            self.d_count[way].clock.next = self.clk.val();
            self.d_count[way].d.next = self.d_count[way].q.val();
            self.e_hit[way].clock.next = self.clk.val();
            self.e_hit[way].d.next = self.e_hit[way].q.val();
            self.e_last[way].clock.next = self.clk.val();
            self.e_last[way].d.next = self.e_last[way].q.val();
            self.e_overlap[way].clock.next = self.clk.val();
            self.e_overlap[way].d.next = self.e_overlap[way].q.val();
            self.e_exact[way].clock.next = self.clk.val();
            self.e_exact[way].d.next = self.e_exact[way].q.val();
            self.e_free[way].clock.next = self.clk.val();
            self.e_free[way].d.next = self.e_free[way].q.val();
            self.e_offset[way].clock.next = self.clk.val();
            self.e_offset[way].d.next = self.e_offset[way].q.val();
            self.tags[way].read_clock.next = self.clk.val();
            self.tags[way].write_clock.next = self.clk.val();
            self.tags[way].read_address.next = self.a_qp.q.val().get_bits::<ROW_BITS>(0);
            self.tags[way].write_address.next = self.tag_write_row.q.val();
            self.tags[way].write_data.next = self.tag_write_data.q.val();
            self.tags[way].write_enable.next = self.tag_write_ways.q.val().get_bit(way);
        }
        self.context_ram.read_clock.next = self.clk.val();
        self.context_ram.write_clock.next = self.clk.val();
        self.context_ram.write_address.next = self.context_write_entry.q.val();
        self.context_ram.write_data.next = self.command_context.q.val();
        self.context_ram.write_enable.next = self.context_write.q.val();
        self.tag_write_ways.d.next = 0.into();
        self.tag_write_row.d.next = self.f_entry.q.val().get_bits::<ROW_BITS>(2);
        self.tag_write_data.d.next = self.command_tag.q.val();
        self.context_write.d.next = false;

        // Accept: a command once no lookup is in flight; lookups while no command waits.
        self.lookups_in_flight.next = (self.a_valid.q.val()
            | self.b_valid.q.val()
            | self.c_valid.q.val()
            | self.copy_valid.q.val()
            | self.d_valid.q.val()
            | self.e_valid.q.val())
            & !self.command_active.q.val();
        self.cmd_ready.next =
            !self.rst.val() & !self.clearing.q.val() & !self.command_active.q.val() & !self.lookups_in_flight.val();
        self.lookup_ready.next =
            !self.rst.val() & !self.clearing.q.val() & !self.command_active.q.val() & !self.cmd_valid.val();
        self.cmd_last_offset.next = self.cmd_packets.val() - 1;
        self.a_valid.d.next = false;
        // The operation's fields are loaded whatever the handshake (a_valid says whether one
        // was taken), and a command's whenever none is in hand: the handshake, a long path,
        // then only gates single flip-flops.
        if self.cmd_valid.val() {
            self.a_qp.d.next = self.cmd_qp.val();
            self.a_psn.d.next = self.cmd_first_psn.val();
        } else {
            self.a_qp.d.next = self.lookup_qp.val();
            self.a_psn.d.next = self.lookup_psn.val();
        }
        self.a_command.d.next = self.cmd_valid.val();
        if self.cmd_valid.val() & self.cmd_ready.val() {
            self.a_valid.d.next = true;
            self.command_active.d.next = true;
        } else if self.lookup_valid.val() & self.lookup_ready.val() {
            self.a_valid.d.next = true;
        }
        if !self.command_active.q.val() {
            self.command_retire.d.next = self.cmd_retire.val();
            self.command_invalid.d.next = (self.cmd_packets.val() == 0)
                | (self.cmd_last_offset.val() > self.max_last_offset.val())
                | (self.cmd_path_mtu.val() == 0)
                | (self.cmd_path_mtu.val() > 5);
            self.command_count.d.next = self.cmd_packets.val();
            self.command_tag.d.next = bit_cast::<TAG_BITS, 1>(true.into())
                | (bit_cast::<TAG_BITS, 24>(self.cmd_qp.val()) << 1)
                | (bit_cast::<TAG_BITS, 24>(self.cmd_first_psn.val()) << 25)
                | (bit_cast::<TAG_BITS, 24>(self.cmd_last_offset.val()) << 49);
            if self.cmd_retire.val() {
                self.command_tag.d.next = 0.into();
            }
            self.command_context.d.next = bit_cast::<CONTEXT_BITS, 64>(self.cmd_va.val())
                | (bit_cast::<CONTEXT_BITS, 32>(self.cmd_length.val()) << 64)
                | (bit_cast::<CONTEXT_BITS, 32>(self.cmd_rkey.val()) << 96)
                | (bit_cast::<CONTEXT_BITS, 3>(self.cmd_path_mtu.val()) << 128)
                | (bit_cast::<CONTEXT_BITS, 16>(self.cmd_cq.val()) << 131)
                | (bit_cast::<CONTEXT_BITS, 8>(self.cmd_function.val()) << 147);
        }

        // b: the row is being read.
        self.b_valid.d.next = self.a_valid.q.val();
        self.b_command.d.next = self.a_command.q.val();
        self.b_qp.d.next = self.a_qp.q.val();
        self.b_psn.d.next = self.a_psn.q.val();

        // c: the row arrives.
        self.c_valid.d.next = self.b_valid.q.val();
        self.c_command.d.next = self.b_command.q.val();
        self.c_qp.d.next = self.b_qp.q.val();
        self.c_psn.d.next = self.b_psn.q.val();
        for way in 0..4 {
            self.c_way[way].d.next = self.tags[way].read_data.val();
        }

        // The copy in fabric.
        self.copy_valid.d.next = self.c_valid.q.val();
        self.copy_command.d.next = self.c_command.q.val();
        self.copy_qp.d.next = self.c_qp.q.val();
        self.copy_psn.d.next = self.c_psn.q.val();

        // d: per way, the QP and the PSN's place.
        self.d_valid.d.next = self.copy_valid.q.val();
        self.d_command.d.next = self.copy_command.q.val();
        self.d_row.d.next = self.copy_qp.q.val().get_bits::<ROW_BITS>(0);
        for way in 0..4 {
            self.d_match[way].d.next = self.copy_way[way].q.val().get_bit(0)
                & (self.copy_way[way].q.val().get_bits::<24>(1) == self.copy_qp.q.val());
            self.d_free[way].d.next = !self.copy_way[way].q.val().get_bit(0);
            self.d_offset[way].d.next = self.copy_psn.q.val() - self.copy_way[way].q.val().get_bits::<24>(25);
            self.d_ahead[way].d.next = self.copy_way[way].q.val().get_bits::<24>(25) - self.copy_psn.q.val();
            self.d_last_offset[way].d.next = self.copy_way[way].q.val().get_bits::<24>(49);
            self.d_count[way].d.next = self.copy_way[way].q.val().get_bits::<24>(49) + 1;
        }

        // e: per way, hit, last packet, overlap with the command's range, exact first PSN.
        self.e_valid.d.next = self.d_valid.q.val();
        self.e_command.d.next = self.d_command.q.val();
        self.e_row.d.next = self.d_row.q.val();
        for way in 0..4 {
            self.e_hit[way].d.next =
                self.d_match[way].q.val() & (self.d_offset[way].q.val() < self.d_count[way].q.val());
            self.e_last[way].d.next = self.d_offset[way].q.val() == self.d_last_offset[way].q.val();
            self.e_overlap[way].d.next = self.d_match[way].q.val()
                & ((self.d_offset[way].q.val() < self.d_count[way].q.val())
                    | (self.d_ahead[way].q.val() < self.command_count.q.val()));
            self.e_exact[way].d.next = self.d_match[way].q.val() & (self.d_offset[way].q.val() == 0);
            self.e_free[way].d.next = self.d_free[way].q.val();
            self.e_offset[way].d.next = self.d_offset[way].q.val();
        }

        // Stage e decides. The lowest way wins (written from way 3 down).
        self.chosen_way.next = 0.into();
        self.chosen_found.next = false;
        self.chosen_offset.next = 0.into();
        self.chosen_last.next = false;
        self.any_overlap.next = self.e_overlap[0].q.val()
            | self.e_overlap[1].q.val()
            | self.e_overlap[2].q.val()
            | self.e_overlap[3].q.val();
        if !self.e_command.q.val() {
            if self.e_hit[3].q.val() {
                self.chosen_way.next = 3.into();
                self.chosen_found.next = true;
                self.chosen_offset.next = self.e_offset[3].q.val();
                self.chosen_last.next = self.e_last[3].q.val();
            }
            if self.e_hit[2].q.val() {
                self.chosen_way.next = 2.into();
                self.chosen_found.next = true;
                self.chosen_offset.next = self.e_offset[2].q.val();
                self.chosen_last.next = self.e_last[2].q.val();
            }
            if self.e_hit[1].q.val() {
                self.chosen_way.next = 1.into();
                self.chosen_found.next = true;
                self.chosen_offset.next = self.e_offset[1].q.val();
                self.chosen_last.next = self.e_last[1].q.val();
            }
            if self.e_hit[0].q.val() {
                self.chosen_way.next = 0.into();
                self.chosen_found.next = true;
                self.chosen_offset.next = self.e_offset[0].q.val();
                self.chosen_last.next = self.e_last[0].q.val();
            }
        } else if self.command_retire.q.val() {
            if self.e_exact[3].q.val() {
                self.chosen_way.next = 3.into();
                self.chosen_found.next = true;
            }
            if self.e_exact[2].q.val() {
                self.chosen_way.next = 2.into();
                self.chosen_found.next = true;
            }
            if self.e_exact[1].q.val() {
                self.chosen_way.next = 1.into();
                self.chosen_found.next = true;
            }
            if self.e_exact[0].q.val() {
                self.chosen_way.next = 0.into();
                self.chosen_found.next = true;
            }
        } else {
            if self.e_free[3].q.val() {
                self.chosen_way.next = 3.into();
                self.chosen_found.next = true;
            }
            if self.e_free[2].q.val() {
                self.chosen_way.next = 2.into();
                self.chosen_found.next = true;
            }
            if self.e_free[1].q.val() {
                self.chosen_way.next = 1.into();
                self.chosen_found.next = true;
            }
            if self.e_free[0].q.val() {
                self.chosen_way.next = 0.into();
                self.chosen_found.next = true;
            }
        }
        self.chosen_entry.next = (bit_cast::<ENTRY_BITS, ROW_BITS>(self.e_row.q.val()) << 2)
            | bit_cast::<ENTRY_BITS, 2>(self.chosen_way.val());

        self.context_write_entry.d.next = self.f_entry.q.val();

        // A lookup reads the chosen entry's context, from the register (the way's choice
        // straight into the RAM's address, routed to a RAM across the chip, was the long
        // path; with 4096 entries the address fans out to 39 RAMs).
        self.context_ram.read_address.next = self.f_entry.q.val();
        self.f_valid.d.next = self.e_valid.q.val() & !self.e_command.q.val();
        self.f_hit.d.next = self.chosen_found.val();
        self.f_entry.d.next = self.chosen_entry.val();
        self.f_offset.d.next = self.chosen_offset.val();
        self.f_last.d.next = self.chosen_last.val();
        self.f_command.d.next = self.e_valid.q.val() & self.e_command.q.val();
        self.f_overlap.d.next = self.any_overlap.val();

        // f: a command writes its way and answers.
        self.command_status.next = self.status_ok.val();
        if self.command_retire.q.val() {
            if !self.f_hit.q.val() {
                self.command_status.next = self.status_not_found.val();
            }
        } else if self.command_invalid.q.val() {
            self.command_status.next = self.status_invalid.val();
        } else if self.f_overlap.q.val() {
            self.command_status.next = self.status_overlaps.val();
        } else if !self.f_hit.q.val() {
            self.command_status.next = self.status_full.val();
        }
        self.done.d.next = false;
        if self.f_command.q.val() {
            self.done.d.next = true;
            self.done_code.d.next = self.command_status.val();
            self.done_at.d.next = self.f_entry.q.val();
            self.command_active.d.next = false;
            if self.command_status.val() == self.status_ok.val() {
                self.context_write.d.next = !self.command_retire.q.val();
                self.tag_write_ways.d.next = bit_cast::<4, 1>(true.into()) << self.f_entry.q.val().get_bits::<2>(0);
                if self.command_retire.q.val() {
                    self.entry_count.d.next = self.entry_count.q.val() - 1;
                } else {
                    self.entry_count.d.next = self.entry_count.q.val() + 1;
                }
            }
        }
        self.done_valid.next = self.done.q.val();
        self.done_status.next = self.done_code.q.val();
        self.done_entry.next = bit_cast::<ENTRY_PORT_BITS, ENTRY_BITS>(self.done_at.q.val());

        // g: the lookup's result with its context.
        self.g_valid.d.next = self.f_valid.q.val();
        self.g_hit.d.next = self.f_hit.q.val();
        self.g_entry.d.next = self.f_entry.q.val();
        self.g_offset.d.next = self.f_offset.q.val();
        self.g_last.d.next = self.f_last.q.val();
        // h: the context arrives.
        self.h_valid.d.next = self.g_valid.q.val();
        self.h_hit.d.next = self.g_hit.q.val();
        self.h_entry.d.next = self.g_entry.q.val();
        self.h_offset.d.next = self.g_offset.q.val();
        self.h_last.d.next = self.g_last.q.val();
        self.h_context.d.next = self.context_ram.read_data.val();
        self.result_valid.next = self.h_valid.q.val();
        self.result_hit.next = self.h_hit.q.val();
        self.result_entry.next = bit_cast::<ENTRY_PORT_BITS, ENTRY_BITS>(self.h_entry.q.val());
        self.result_offset.next = self.h_offset.q.val();
        self.result_last.next = self.h_last.q.val();
        self.result_va.next = self.h_context.q.val().get_bits::<64>(0);
        self.result_length.next = self.h_context.q.val().get_bits::<32>(64);
        self.result_rkey.next = self.h_context.q.val().get_bits::<32>(96);
        self.result_path_mtu.next = self.h_context.q.val().get_bits::<3>(128);
        self.result_cq.next = self.h_context.q.val().get_bits::<16>(131);
        self.result_function.next = self.h_context.q.val().get_bits::<8>(147);
        self.entries.next = self.entry_count.q.val();

        // After reset, clear every row before taking anything.
        if self.clearing.q.val() {
            self.tag_write_ways.d.next = 0xF.into();
            self.tag_write_row.d.next = self.clear_row.q.val();
            self.tag_write_data.d.next = 0.into();
            self.clear_row.d.next = self.clear_row.q.val() + 1;
            if self.clear_row.q.val() == self.last_row.val() {
                self.clearing.d.next = false;
            }
        }
        if self.rst.val() {
            self.clearing.d.next = true;
            self.clear_row.d.next = 0.into();
            self.entry_count.d.next = 0.into();
            self.command_active.d.next = false;
            self.a_valid.d.next = false;
            self.b_valid.d.next = false;
            self.c_valid.d.next = false;
            self.copy_valid.d.next = false;
            self.d_valid.d.next = false;
            self.e_valid.d.next = false;
            self.f_valid.d.next = false;
            self.f_command.d.next = false;
            self.g_valid.d.next = false;
            self.h_valid.d.next = false;
            self.done.d.next = false;
            self.tag_write_ways.d.next = 0.into();
            self.context_write.d.next = false;
        }
    }
}

crate::native_ports!(
    impl[const ROW_BITS: usize, const ENTRY_BITS: usize] TransactionTable<ROW_BITS, ENTRY_BITS>;
    clk, rst, cmd_valid, cmd_ready, cmd_retire, cmd_qp, cmd_first_psn, cmd_packets, cmd_va, cmd_length,
    cmd_rkey, cmd_path_mtu, cmd_cq, cmd_function, done_valid, done_status, done_entry,
    lookup_valid, lookup_ready, lookup_qp, lookup_psn,
    result_valid, result_hit, result_entry, result_offset, result_last, result_va, result_length,
    result_rkey, result_path_mtu, result_cq, result_function, entries,
);
