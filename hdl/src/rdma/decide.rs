//! The placement decision: for each RoCEv2 packet the parser passed, decide whether its
//! payload goes straight into host memory (and where), is a duplicate to drop, or goes to
//! software with the reason — and whether it completes its message.
//!
//! It owns the transaction table ([`super::table`]), the QP contexts (the receive window of
//! each open QP) and the progress of every installed message (packets still to come, the
//! immediate data once it arrived). The host's commands come through here: install and
//! retire a transaction (passed on to the table; an install also starts its progress), open
//! a QP at its expected PSN, close it. QP contexts are direct-mapped: QP `q` uses slot
//! `q mod 256`; opening a QP whose slot holds another open QP is refused (`STATUS_QP_BUSY`).
//!
//! A packet is decided in this order (the model's, `models::rdma::PlacementModel`):
//! not an RDMA WRITE → software (`REASON_NOT_OFFLOADED`); QP not open → software
//! (`REASON_UNKNOWN_QP`); PSN behind the window or marked arrived in it → drop; no
//! transaction covers the PSN → software (`REASON_NO_TRANSACTION`); PSN 64 or more past the
//! window's start → software (`REASON_OUT_OF_WINDOW`); a RETH whose R_Key differs from the
//! transaction's → software (`REASON_RKEY_MISMATCH`); a payload longer than the MTU, or a
//! packet other than the last not exactly one MTU → software (`REASON_BAD_LENGTH`); a
//! payload that would not lie inside [VA, VA + length) → software
//! (`REASON_OUT_OF_BOUNDS`); else place it at the RETH's VA (First, Only) or at
//! VA + index × MTU (Middle, Last). A placed packet is marked in the window, the window
//! slides past what arrived at its start, and when the message's last missing packet is
//! placed the transaction is retired from the table and the verdict carries the
//! completion (CQ, QP, length, immediate data).
//!
//! One packet or command at a time, about 21 cycles for a packet (the table lookup is 9 of
//! them): the receive path meets a packet at most every 8 beats, so this keeps up with
//! payloads of about 110 bytes and more; the states are listed at `DecideState`.
use super::table::{TransactionTable256, STATUS_NOT_FOUND, STATUS_OK};
use crate::block_ram::BlockRam;
use rust_hdl::prelude::*;

/// `cmd_op` values.
pub const OP_INSTALL: u64 = 0;
pub const OP_RETIRE: u64 = 1;
pub const OP_OPEN_QP: u64 = 2;
pub const OP_CLOSE_QP: u64 = 3;
/// `done_status` for an open refused because the QP's slot holds another QP (the table's
/// statuses are 0-4).
pub const STATUS_QP_BUSY: u64 = 5;
/// `verdict_action` values.
pub const ACTION_PLACE: u64 = 0;
pub const ACTION_DROP: u64 = 1;
pub const ACTION_SOFTWARE: u64 = 2;
/// `verdict_reason` values, for `ACTION_SOFTWARE`.
pub const REASON_UNKNOWN_QP: u64 = 1;
pub const REASON_NO_TRANSACTION: u64 = 2;
pub const REASON_OUT_OF_WINDOW: u64 = 3;
pub const REASON_NOT_OFFLOADED: u64 = 4;
pub const REASON_RKEY_MISMATCH: u64 = 5;
pub const REASON_OUT_OF_BOUNDS: u64 = 6;
pub const REASON_BAD_LENGTH: u64 = 7;
/// QP context slots.
pub const QP_SLOTS: usize = 256;
/// PSNs in a QP's receive window.
pub const WINDOW: u64 = 64;

/// QP context word: open 0, QP 24:1, window start PSN 48:25, arrived bitmap 112:49,
/// the requester's QP 136:113, messages completed (MSN) 160:137.
const QP_BITS: usize = 161;
/// Progress word: packets still to come 23:0, immediate arrived 24, immediate 56:25.
const PROGRESS_BITS: usize = 57;

/// The states, one operation at a time.
#[derive(Copy, Clone, PartialEq, Eq, Debug, LogicState)]
pub enum DecideState {
    /// After reset: clear the QP contexts.
    Clearing,
    Idle,
    /// A command for the table: offer it, then wait for its answer.
    TableCommand,
    TableAnswer,
    /// Open or close a QP: the context word is being read (three cycles) and compared
    /// with the QP (one more), then decided.
    QpRead,
    QpRead2,
    QpRead3,
    QpRead4,
    QpDecide,
    /// A packet: offer the lookup, wait for its result.
    Lookup,
    LookupWait,
    /// The progress word is being read; the checks.
    Check,
    /// The placement address.
    Address,
    /// Bounds sums, then their compare.
    Bounds,
    Compare,
    Decide,
    /// Place: find the bitmap's lowest zero, count the arrived PSNs below it, slide the
    /// bitmap by the count's low three bits, then by whole bytes as it is written back.
    Slide,
    SlideCount,
    SlideFine,
    WriteBack,
    /// The message completed: retire its transaction.
    Retire,
    RetireWait,
    /// The verdict waits for `verdict_ready`.
    Verdict,
}

#[derive(LogicBlock)]
pub struct PacketDecider {
    pub clk: Signal<In, Clock>,
    pub rst: Signal<In, Bit>,
    // Host commands.
    pub cmd_valid: Signal<In, Bit>,
    pub cmd_ready: Signal<Out, Bit>,
    pub cmd_op: Signal<In, Bits<2>>,
    pub cmd_qp: Signal<In, Bits<24>>,
    /// Install, retire: the transaction's first PSN. Open: the QP's expected PSN.
    pub cmd_first_psn: Signal<In, Bits<24>>,
    pub cmd_packets: Signal<In, Bits<24>>,
    pub cmd_va: Signal<In, Bits<64>>,
    pub cmd_length: Signal<In, Bits<32>>,
    pub cmd_rkey: Signal<In, Bits<32>>,
    pub cmd_path_mtu: Signal<In, Bits<3>>,
    pub cmd_cq: Signal<In, Bits<16>>,
    pub cmd_function: Signal<In, Bits<8>>,
    pub done_valid: Signal<Out, Bit>,
    pub done_status: Signal<Out, Bits<3>>,
    pub done_entry: Signal<Out, Bits<12>>,
    // Packets: the parser's headers of a good RoCEv2 packet.
    pub pkt_valid: Signal<In, Bit>,
    pub pkt_ready: Signal<Out, Bit>,
    pub pkt_opcode: Signal<In, Bits<8>>,
    pub pkt_qp: Signal<In, Bits<24>>,
    pub pkt_psn: Signal<In, Bits<24>>,
    /// RETH (First, Only): VA and R_Key.
    pub pkt_va: Signal<In, Bits<64>>,
    pub pkt_rkey: Signal<In, Bits<32>>,
    /// Immediate data (Last and Only with immediate).
    pub pkt_imm: Signal<In, Bits<32>>,
    pub pkt_length: Signal<In, Bits<16>>,
    /// The BTH's AckReq.
    pub pkt_ack_req: Signal<In, Bit>,
    // Verdicts, one per packet, in order.
    pub verdict_valid: Signal<Out, Bit>,
    pub verdict_ready: Signal<In, Bit>,
    pub verdict_action: Signal<Out, Bits<2>>,
    pub verdict_reason: Signal<Out, Bits<3>>,
    /// Place: where the payload goes, its length, the owning function.
    pub verdict_addr: Signal<Out, Bits<64>>,
    pub verdict_length: Signal<Out, Bits<16>>,
    pub verdict_function: Signal<Out, Bits<8>>,
    /// Place: this packet completes its message; post this completion once it is written.
    pub verdict_complete: Signal<Out, Bit>,
    pub verdict_cq: Signal<Out, Bits<16>>,
    pub verdict_qp: Signal<Out, Bits<24>>,
    pub verdict_message_length: Signal<Out, Bits<32>>,
    pub verdict_has_imm: Signal<Out, Bit>,
    pub verdict_imm: Signal<Out, Bits<32>>,
    /// An acknowledgement is owed (place completing its message, or place / drop with
    /// AckReq): to the requester's QP `verdict_ack_qp`, for every PSN up to
    /// `verdict_ack_psn`, with the QP's completed messages `verdict_msn`.
    pub verdict_ack: Signal<Out, Bit>,
    pub verdict_ack_qp: Signal<Out, Bits<24>>,
    pub verdict_ack_psn: Signal<Out, Bits<24>>,
    pub verdict_msn: Signal<Out, Bits<24>>,
    /// Transactions installed.
    pub entries: Signal<Out, Bits<13>>,
    /// Verdicts taken, by action.
    pub placed_packets: Signal<Out, Bits<32>>,
    pub dropped_duplicates: Signal<Out, Bits<32>>,
    pub software_packets: Signal<Out, Bits<32>>,

    transactions: TransactionTable256,
    qp_ram: BlockRam<QP_BITS, 8>,
    progress_ram: BlockRam<PROGRESS_BITS, 8>,
    status_ok: Constant<Bits<3>>,
    status_not_found: Constant<Bits<3>>,
    status_qp_busy: Constant<Bits<3>>,
    /// Bit positions whose index has bit k set (0xAAAA..., 0xCCCC..., ...).
    index_bit_0: Constant<Bits<64>>,
    index_bit_1: Constant<Bits<64>>,
    index_bit_2: Constant<Bits<64>>,
    index_bit_3: Constant<Bits<64>>,
    index_bit_4: Constant<Bits<64>>,
    index_bit_5: Constant<Bits<64>>,
    op_install: Constant<Bits<2>>,
    op_retire: Constant<Bits<2>>,
    op_open_qp: Constant<Bits<2>>,
    action_place: Constant<Bits<2>>,
    action_drop: Constant<Bits<2>>,
    action_software: Constant<Bits<2>>,
    reason_unknown_qp: Constant<Bits<3>>,
    reason_no_transaction: Constant<Bits<3>>,
    reason_out_of_window: Constant<Bits<3>>,
    reason_not_offloaded: Constant<Bits<3>>,
    reason_rkey_mismatch: Constant<Bits<3>>,
    reason_out_of_bounds: Constant<Bits<3>>,
    reason_bad_length: Constant<Bits<3>>,

    state: DFF<DecideState>,
    clear_slot: DFF<Bits<8>>,
    // The operation in hand (a command's fields, or a packet's).
    op: DFF<Bits<2>>,
    qp: DFF<Bits<24>>,
    psn: DFF<Bits<24>>,
    packets: DFF<Bits<24>>,
    va: DFF<Bits<64>>,
    length: DFF<Bits<32>>,
    rkey: DFF<Bits<32>>,
    path_mtu: DFF<Bits<3>>,
    cq: DFF<Bits<16>>,
    owner: DFF<Bits<8>>,
    opcode: DFF<Bits<8>>,
    imm: DFF<Bits<32>>,
    payload_length: DFF<Bits<16>>,
    ack_req: DFF<Bit>,
    // The table's answer to the lookup.
    hit: DFF<Bit>,
    entry: DFF<Bits<8>>,
    index: DFF<Bits<24>>,
    last: DFF<Bit>,
    t_va: DFF<Bits<64>>,
    t_length: DFF<Bits<32>>,
    t_rkey: DFF<Bits<32>>,
    t_path_mtu: DFF<Bits<3>>,
    t_cq: DFF<Bits<16>>,
    t_function: DFF<Bits<8>>,
    /// The QP context and progress words, registered from the RAMs every cycle (the QP
    /// word once more in fabric: the route out of a block RAM is long).
    qp_word_ram: DFF<Bits<QP_BITS>>,
    qp_word: DFF<Bits<QP_BITS>>,
    /// The slot holds an open QP, and that QP is the one in hand: compared every cycle from
    /// the QP word (a 24-bit compare in front of the write port was the block's long path).
    slot_open: DFF<Bit>,
    slot_matches: DFF<Bit>,
    progress_word: DFF<Bits<PROGRESS_BITS>>,
    /// The RAM writes, from registers (they go in the cycle after they are decided).
    qp_write: DFF<Bit>,
    qp_write_slot: DFF<Bits<8>>,
    qp_write_data: DFF<Bits<QP_BITS>>,
    progress_write: DFF<Bit>,
    progress_write_entry: DFF<Bits<8>>,
    progress_write_data: DFF<Bits<PROGRESS_BITS>>,
    /// The operation in hand is a host command (else a packet). With `op` it picks the
    /// words written, which are formed every cycle whatever the state: the state decode
    /// in front of 218 data bits was the block's long path. Only the write enables follow
    /// the state.
    command_in_hand: DFF<Bit>,
    /// The table's command and lookup offers, from registers: a valid decoded from the
    /// state went through the table's ready back into the next state.
    table_offer: DFF<Bit>,
    lookup_offer: DFF<Bit>,
    // Check results.
    offloaded: DFF<Bit>,
    qp_open: DFF<Bit>,
    duplicate: DFF<Bit>,
    in_window: DFF<Bit>,
    /// PSN − the QP's window start.
    offset: DFF<Bits<24>>,
    /// From `offset`, a cycle later, also every cycle: it is 64 or more (past or behind the
    /// window), and the arrived bit at it (a 64-to-1 mux: with the zero test and the
    /// duplicate decision in one cycle it was a long path).
    offset_far: DFF<Bit>,
    arrived_at_offset: DFF<Bit>,
    window_offset: DFF<Bits<6>>,
    rkey_ok: DFF<Bit>,
    /// Every check before the bounds passed (registered in Compare, so that Decide's way
    /// to Slide or Verdict waits on the bounds alone, not on the whole chain of reasons).
    checks_pass: DFF<Bit>,
    /// The path MTU in bytes, from the looked-up transaction's code every cycle (decoded
    /// into the length compares in one cycle, it was a long path).
    mtu_bytes: DFF<Bits<16>>,
    bad_length: DFF<Bit>,
    /// (PSN − first PSN) × MTU.
    index_offset: DFF<Bits<64>>,
    place_addr: DFF<Bits<64>>,
    below_region: DFF<Bit>,
    place_end: DFF<Bits<65>>,
    region_end: DFF<Bits<65>>,
    /// The end compare in two halves (one 65-bit compare in a cycle was a long path).
    end_above_high: DFF<Bit>,
    end_equal_high: DFF<Bit>,
    end_above_low: DFF<Bit>,
    // The place decision being written back.
    arrived: DFF<Bits<64>>,
    /// The arrived bitmap's lowest zero, one-hot (0: all arrived).
    lowest_zero: DFF<Bits<64>>,
    slide: DFF<Bits<7>>,
    /// The bitmap slid by the slide's low three bits, every cycle from the registered
    /// count (SlideFine waits for it); WriteBack slides it by whole bytes. One 64-bit shift
    /// by up to 64 in a cycle was the block's long path, and then the count straight into
    /// the first shift.
    arrived_fine: DFF<Bits<64>>,
    remaining: DFF<Bits<24>>,
    has_imm: DFF<Bit>,
    message_imm: DFF<Bits<32>>,
    // The verdict.
    action: DFF<Bits<2>>,
    reason: DFF<Bits<3>>,
    complete: DFF<Bit>,
    done: DFF<Bit>,
    done_code: DFF<Bits<3>>,
    done_at: DFF<Bits<12>>,
    placed_count: DFF<Bits<32>>,
    duplicate_count: DFF<Bits<32>>,
    software_count: DFF<Bits<32>>,
    /// The acknowledgement of the packet in hand; the window start less one, kept current
    /// every cycle as `offset` is (an ACK's PSN is one short of the next expected).
    ack: DFF<Bit>,
    ack_qp: DFF<Bits<24>>,
    ack_psn: DFF<Bits<24>>,
    msn: DFF<Bits<24>>,
    start_less_one: DFF<Bits<24>>,

    is_write: Signal<Local, Bit>,
    carries_reth: Signal<Local, Bit>,
    carries_imm: Signal<Local, Bit>,

    index_bytes: Signal<Local, Bits<64>>,
    trailing_ones: Signal<Local, Bits<7>>,
    lowest_zero_next: Signal<Local, Bits<64>>,
    slid_start: Signal<Local, Bits<24>>,
    msn_next: Signal<Local, Bits<24>>,
    slid_arrived: Signal<Local, Bits<64>>,
    out_of_bounds: Signal<Local, Bit>,
}

/// The positions 0..64 whose index has bit `k` set.
fn index_mask(k: u32) -> Bits<64> {
    (0..64u64).filter(|i| i >> k & 1 != 0).fold(0u64, |m, i| m | 1 << i).into()
}

impl Default for PacketDecider {
    fn default() -> Self {
        Self {
            clk: Default::default(),
            rst: Default::default(),
            cmd_valid: Default::default(),
            cmd_ready: Default::default(),
            cmd_op: Default::default(),
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
            pkt_valid: Default::default(),
            pkt_ready: Default::default(),
            pkt_opcode: Default::default(),
            pkt_qp: Default::default(),
            pkt_psn: Default::default(),
            pkt_va: Default::default(),
            pkt_rkey: Default::default(),
            pkt_imm: Default::default(),
            pkt_length: Default::default(),
            pkt_ack_req: Default::default(),
            verdict_valid: Default::default(),
            verdict_ready: Default::default(),
            verdict_action: Default::default(),
            verdict_reason: Default::default(),
            verdict_addr: Default::default(),
            verdict_length: Default::default(),
            verdict_function: Default::default(),
            verdict_complete: Default::default(),
            verdict_cq: Default::default(),
            verdict_qp: Default::default(),
            verdict_message_length: Default::default(),
            verdict_has_imm: Default::default(),
            verdict_imm: Default::default(),
            verdict_ack: Default::default(),
            verdict_ack_qp: Default::default(),
            verdict_ack_psn: Default::default(),
            verdict_msn: Default::default(),
            entries: Default::default(),
            placed_packets: Default::default(),
            dropped_duplicates: Default::default(),
            software_packets: Default::default(),
            transactions: Default::default(),
            qp_ram: Default::default(),
            progress_ram: Default::default(),
            status_ok: Constant::new(STATUS_OK.into()),
            status_not_found: Constant::new(STATUS_NOT_FOUND.into()),
            status_qp_busy: Constant::new(STATUS_QP_BUSY.into()),
            index_bit_0: Constant::new(index_mask(0)),
            index_bit_1: Constant::new(index_mask(1)),
            index_bit_2: Constant::new(index_mask(2)),
            index_bit_3: Constant::new(index_mask(3)),
            index_bit_4: Constant::new(index_mask(4)),
            index_bit_5: Constant::new(index_mask(5)),
            op_install: Constant::new(OP_INSTALL.into()),
            op_retire: Constant::new(OP_RETIRE.into()),
            op_open_qp: Constant::new(OP_OPEN_QP.into()),
            action_place: Constant::new(ACTION_PLACE.into()),
            action_drop: Constant::new(ACTION_DROP.into()),
            action_software: Constant::new(ACTION_SOFTWARE.into()),
            reason_unknown_qp: Constant::new(REASON_UNKNOWN_QP.into()),
            reason_no_transaction: Constant::new(REASON_NO_TRANSACTION.into()),
            reason_out_of_window: Constant::new(REASON_OUT_OF_WINDOW.into()),
            reason_not_offloaded: Constant::new(REASON_NOT_OFFLOADED.into()),
            reason_rkey_mismatch: Constant::new(REASON_RKEY_MISMATCH.into()),
            reason_out_of_bounds: Constant::new(REASON_OUT_OF_BOUNDS.into()),
            reason_bad_length: Constant::new(REASON_BAD_LENGTH.into()),
            state: Default::default(),
            clear_slot: Default::default(),
            op: Default::default(),
            qp: Default::default(),
            psn: Default::default(),
            packets: Default::default(),
            va: Default::default(),
            length: Default::default(),
            rkey: Default::default(),
            path_mtu: Default::default(),
            cq: Default::default(),
            owner: Default::default(),
            opcode: Default::default(),
            imm: Default::default(),
            payload_length: Default::default(),
            ack_req: Default::default(),
            ack: Default::default(),
            ack_qp: Default::default(),
            ack_psn: Default::default(),
            msn: Default::default(),
            start_less_one: Default::default(),
            hit: Default::default(),
            entry: Default::default(),
            index: Default::default(),
            last: Default::default(),
            t_va: Default::default(),
            t_length: Default::default(),
            t_rkey: Default::default(),
            t_path_mtu: Default::default(),
            t_cq: Default::default(),
            t_function: Default::default(),
            qp_word_ram: Default::default(),
            qp_word: Default::default(),
            slot_open: Default::default(),
            slot_matches: Default::default(),
            progress_word: Default::default(),
            qp_write: Default::default(),
            qp_write_slot: Default::default(),
            qp_write_data: Default::default(),
            progress_write: Default::default(),
            progress_write_entry: Default::default(),
            progress_write_data: Default::default(),
            command_in_hand: Default::default(),
            table_offer: Default::default(),
            lookup_offer: Default::default(),
            offloaded: Default::default(),
            qp_open: Default::default(),
            duplicate: Default::default(),
            in_window: Default::default(),
            window_offset: Default::default(),
            rkey_ok: Default::default(),
            checks_pass: Default::default(),
            mtu_bytes: Default::default(),
            bad_length: Default::default(),
            index_offset: Default::default(),
            place_addr: Default::default(),
            below_region: Default::default(),
            place_end: Default::default(),
            region_end: Default::default(),
            end_above_high: Default::default(),
            end_equal_high: Default::default(),
            end_above_low: Default::default(),
            out_of_bounds: Default::default(),
            arrived: Default::default(),
            lowest_zero: Default::default(),
            slide: Default::default(),
            arrived_fine: Default::default(),
            remaining: Default::default(),
            has_imm: Default::default(),
            message_imm: Default::default(),
            action: Default::default(),
            reason: Default::default(),
            complete: Default::default(),
            done: Default::default(),
            done_code: Default::default(),
            done_at: Default::default(),
            placed_count: Default::default(),
            duplicate_count: Default::default(),
            software_count: Default::default(),
            is_write: Default::default(),
            carries_reth: Default::default(),
            carries_imm: Default::default(),
            offset: Default::default(),
            offset_far: Default::default(),
            index_bytes: Default::default(),
            trailing_ones: Default::default(),
            lowest_zero_next: Default::default(),
            arrived_at_offset: Default::default(),
            slid_start: Default::default(),
            msn_next: Default::default(),
            slid_arrived: Default::default(),
        }
    }
}

impl Logic for PacketDecider {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clk,
            state,
            clear_slot,
            op,
            qp,
            psn,
            packets,
            va,
            length,
            rkey,
            path_mtu,
            cq,
            owner,
            opcode,
            imm,
            payload_length,
            hit,
            entry,
            index,
            last,
            t_va,
            t_length,
            t_rkey,
            t_path_mtu,
            t_cq,
            t_function,
            qp_word_ram,
            qp_word,
            slot_open,
            slot_matches,
            progress_word,
            qp_write,
            qp_write_slot,
            qp_write_data,
            progress_write,
            progress_write_entry,
            progress_write_data,
            command_in_hand,
            table_offer,
            lookup_offer,
            offloaded,
            qp_open,
            duplicate,
            in_window,
            offset,
            offset_far,
            arrived_at_offset,
            window_offset,
            rkey_ok,
            checks_pass,
            mtu_bytes,
            bad_length,
            index_offset,
            place_addr,
            below_region,
            place_end,
            region_end,
            end_above_high,
            end_equal_high,
            end_above_low,
            arrived,
            lowest_zero,
            slide,
            arrived_fine,
            remaining,
            has_imm,
            message_imm,
            action,
            reason,
            complete,
            done,
            done_code,
            done_at,
            placed_count,
            duplicate_count,
            software_count,
            ack_req,
            ack,
            ack_qp,
            ack_psn,
            msn,
            start_less_one
        );
        self.transactions.clk.next = self.clk.val();
        self.transactions.rst.next = self.rst.val();
        self.qp_ram.read_clock.next = self.clk.val();
        self.qp_ram.write_clock.next = self.clk.val();
        self.progress_ram.read_clock.next = self.clk.val();
        self.progress_ram.write_clock.next = self.clk.val();

        // The table's ports follow the operation in hand.
        self.transactions.cmd_valid.next = self.table_offer.q.val();
        self.transactions.cmd_retire.next = self.op.q.val() == self.op_retire.val();
        self.transactions.cmd_qp.next = self.qp.q.val();
        self.transactions.cmd_first_psn.next = self.psn.q.val();
        self.transactions.cmd_packets.next = self.packets.q.val();
        self.transactions.cmd_va.next = self.va.q.val();
        self.transactions.cmd_length.next = self.length.q.val();
        self.transactions.cmd_rkey.next = self.rkey.q.val();
        self.transactions.cmd_path_mtu.next = self.path_mtu.q.val();
        self.transactions.cmd_cq.next = self.cq.q.val();
        self.transactions.cmd_function.next = self.owner.q.val();
        self.transactions.lookup_valid.next = self.lookup_offer.q.val();
        self.transactions.lookup_qp.next = self.qp.q.val();
        self.transactions.lookup_psn.next = self.psn.q.val();

        // The QP context of the QP in hand and the progress of the entry in hand are read
        // continuously (registered with nothing in between); a state that uses the QP word
        // comes at least three cycles after the QP was taken (four for the slot compares),
        // one that uses the progress word two cycles after the entry. Writes go in from
        // registers the cycle after they are decided, so the next operation, taken no
        // sooner, reads what they wrote.
        self.qp_ram.read_address.next = self.qp.q.val().get_bits::<8>(0);
        self.qp_word_ram.d.next = self.qp_ram.read_data.val();
        self.qp_word.d.next = self.qp_word_ram.q.val();
        self.slot_open.d.next = self.qp_word.q.val().get_bit(0);
        self.slot_matches.d.next = self.qp_word.q.val().get_bits::<24>(1) == self.qp.q.val();
        self.qp_ram.write_address.next = self.qp_write_slot.q.val();
        self.qp_ram.write_data.next = self.qp_write_data.q.val();
        self.qp_ram.write_enable.next = self.qp_write.q.val();
        self.qp_write.d.next = false;
        self.qp_write_slot.d.next = self.qp.q.val().get_bits::<8>(0);
        self.progress_ram.read_address.next = self.entry.q.val();
        self.progress_word.d.next = self.progress_ram.read_data.val();
        self.progress_ram.write_address.next = self.progress_write_entry.q.val();
        self.progress_ram.write_data.next = self.progress_write_data.q.val();
        self.progress_ram.write_enable.next = self.progress_write.q.val();
        self.progress_write.d.next = false;
        self.progress_write_entry.d.next = self.entry.q.val();
        self.cmd_ready.next = false;
        self.pkt_ready.next = false;
        self.done.d.next = false;

        // Opcode classes (IBA 9.2.1): RDMA WRITE First 6 ... Only with immediate 0x0B.
        self.is_write.next = (self.opcode.q.val() >= 0x06) & (self.opcode.q.val() <= 0x0B);
        self.carries_reth.next =
            (self.opcode.q.val() == 0x06) | (self.opcode.q.val() == 0x0A) | (self.opcode.q.val() == 0x0B);
        self.carries_imm.next = (self.opcode.q.val() == 0x09) | (self.opcode.q.val() == 0x0B);
        // PSN − window start, kept up to date every cycle: the QP word is steady long before
        // the check needs it (the lookup takes 9 cycles).
        self.offset.d.next = self.psn.q.val() - self.qp_word.q.val().get_bits::<24>(25);
        self.start_less_one.d.next = self.qp_word.q.val().get_bits::<24>(25) - 1;
        self.msn_next.next = self.msn.q.val() + bit_cast::<24, 1>(self.complete.q.val().into());
        self.offset_far.d.next = self.offset.q.val().get_bits::<18>(6) != 0;
        self.arrived_at_offset.d.next =
            ((self.qp_word.q.val().get_bits::<64>(49) >> self.offset.q.val().get_bits::<6>(0)) & 1) != 0;
        self.mtu_bytes.d.next = 256.into();
        self.index_bytes.next = bit_cast::<64, 24>(self.index.q.val()) << 8;
        if self.t_path_mtu.q.val() == 2 {
            self.mtu_bytes.d.next = 512.into();
            self.index_bytes.next = bit_cast::<64, 24>(self.index.q.val()) << 9;
        }
        if self.t_path_mtu.q.val() == 3 {
            self.mtu_bytes.d.next = 1024.into();
            self.index_bytes.next = bit_cast::<64, 24>(self.index.q.val()) << 10;
        }
        if self.t_path_mtu.q.val() == 4 {
            self.mtu_bytes.d.next = 2048.into();
            self.index_bytes.next = bit_cast::<64, 24>(self.index.q.val()) << 11;
        }
        if self.t_path_mtu.q.val() == 5 {
            self.mtu_bytes.d.next = 4096.into();
            self.index_bytes.next = bit_cast::<64, 24>(self.index.q.val()) << 12;
        }
        // Arrived PSNs at the window's start: the bitmap's trailing ones, i.e. the index of
        // its lowest zero. `arrived + 1` carries through the trailing ones, so the lowest
        // zero is the one bit of `!arrived & (arrived + 1)`; its index, bit by bit, is an OR
        // over the positions with that bit set (balanced trees, not a 64-step priority
        // chain); none is set when all 64 arrived.
        self.lowest_zero_next.next = !self.arrived.q.val() & (self.arrived.q.val() + 1);
        self.trailing_ones.next = bit_cast::<7, 1>((self.lowest_zero.q.val() & self.index_bit_0.val()).any().into())
            | (bit_cast::<7, 1>((self.lowest_zero.q.val() & self.index_bit_1.val()).any().into()) << 1)
            | (bit_cast::<7, 1>((self.lowest_zero.q.val() & self.index_bit_2.val()).any().into()) << 2)
            | (bit_cast::<7, 1>((self.lowest_zero.q.val() & self.index_bit_3.val()).any().into()) << 3)
            | (bit_cast::<7, 1>((self.lowest_zero.q.val() & self.index_bit_4.val()).any().into()) << 4)
            | (bit_cast::<7, 1>((self.lowest_zero.q.val() & self.index_bit_5.val()).any().into()) << 5)
            | (bit_cast::<7, 1>((self.lowest_zero.q.val() == 0).into()) << 6);
        self.slid_start.next = self.qp_word.q.val().get_bits::<24>(25) + bit_cast::<24, 7>(self.slide.q.val());
        self.out_of_bounds.next = self.below_region.q.val()
            | self.end_above_high.q.val()
            | (self.end_equal_high.q.val() & self.end_above_low.q.val());
        self.arrived_fine.d.next = self.arrived.q.val() >> self.slide.q.val().get_bits::<3>(0);
        self.slid_arrived.next = self.arrived_fine.q.val() >> (self.slide.q.val() & 0x78);

        // Open: the requester's QP comes in the packets field, no message done yet. Close
        // (and the clearing after reset): zero. A packet's write-back: the window slid.
        self.qp_write_data.d.next = bit_cast::<QP_BITS, 1>(true.into())
            | (bit_cast::<QP_BITS, 24>(self.qp.q.val()) << 1)
            | (bit_cast::<QP_BITS, 24>(self.slid_start.val()) << 25)
            | (bit_cast::<QP_BITS, 64>(self.slid_arrived.val()) << 49)
            | (bit_cast::<QP_BITS, 24>(self.ack_qp.q.val()) << 113)
            | (bit_cast::<QP_BITS, 24>(self.msn_next.val()) << 137);
        if self.command_in_hand.q.val() {
            self.qp_write_data.d.next = 0.into();
            if self.op.q.val() == self.op_open_qp.val() {
                self.qp_write_data.d.next = bit_cast::<QP_BITS, 1>(true.into())
                    | (bit_cast::<QP_BITS, 24>(self.qp.q.val()) << 1)
                    | (bit_cast::<QP_BITS, 24>(self.psn.q.val()) << 25)
                    | (bit_cast::<QP_BITS, 24>(self.packets.q.val()) << 113);
            }
        }
        // An install: all the message's packets to come. A packet's write-back: one fewer,
        // and the immediate data once it came.
        self.progress_write_data.d.next = bit_cast::<PROGRESS_BITS, 24>(self.remaining.q.val())
            | (bit_cast::<PROGRESS_BITS, 1>(self.has_imm.q.val().into()) << 24)
            | (bit_cast::<PROGRESS_BITS, 32>(self.message_imm.q.val()) << 25);
        if self.command_in_hand.q.val() {
            self.progress_write_data.d.next = bit_cast::<PROGRESS_BITS, 24>(self.packets.q.val());
        }

        match self.state.q.val() {
            DecideState::Clearing => {
                self.qp_write_slot.d.next = self.clear_slot.q.val();
                self.qp_write.d.next = true;
                self.clear_slot.d.next = self.clear_slot.q.val() + 1;
                if self.clear_slot.q.val() == 0xFF {
                    self.state.d.next = DecideState::Idle;
                }
            }
            DecideState::Idle => {
                // Commands first: the host's are rare, and a packet waits at most one. The
                // fields are loaded every idle cycle whatever the handshake (it then only
                // picks the next state): a long path should not gate 300 flip-flops.
                self.cmd_ready.next = true;
                self.pkt_ready.next = !self.cmd_valid.val();
                self.op.d.next = self.cmd_op.val();
                self.command_in_hand.d.next = self.cmd_valid.val();
                self.packets.d.next = self.cmd_packets.val();
                self.length.d.next = self.cmd_length.val();
                self.path_mtu.d.next = self.cmd_path_mtu.val();
                self.cq.d.next = self.cmd_cq.val();
                self.owner.d.next = self.cmd_function.val();
                self.opcode.d.next = self.pkt_opcode.val();
                self.imm.d.next = self.pkt_imm.val();
                self.payload_length.d.next = self.pkt_length.val();
                self.ack_req.d.next = self.pkt_ack_req.val();
                if self.cmd_valid.val() {
                    self.qp.d.next = self.cmd_qp.val();
                    self.psn.d.next = self.cmd_first_psn.val();
                    self.va.d.next = self.cmd_va.val();
                    self.rkey.d.next = self.cmd_rkey.val();
                    if self.cmd_op.val().get_bit(1) {
                        self.state.d.next = DecideState::QpRead;
                    } else {
                        self.state.d.next = DecideState::TableCommand;
                        self.table_offer.d.next = true;
                    }
                } else {
                    self.qp.d.next = self.pkt_qp.val();
                    self.psn.d.next = self.pkt_psn.val();
                    self.va.d.next = self.pkt_va.val();
                    self.rkey.d.next = self.pkt_rkey.val();
                    if self.pkt_valid.val() {
                        self.state.d.next = DecideState::Lookup;
                        self.lookup_offer.d.next = true;
                    }
                }
            }
            DecideState::TableCommand => {
                if self.transactions.cmd_ready.val() {
                    self.table_offer.d.next = false;
                    self.state.d.next = DecideState::TableAnswer;
                }
            }
            DecideState::TableAnswer => {
                if self.transactions.done_valid.val() {
                    self.done.d.next = true;
                    self.done_code.d.next = self.transactions.done_status.val();
                    self.done_at.d.next = self.transactions.done_entry.val();
                    // A new message starts with all its packets to come.
                    self.progress_write_entry.d.next = self.transactions.done_entry.val().get_bits::<8>(0);
                    self.progress_write.d.next = (self.op.q.val() == self.op_install.val())
                        & (self.transactions.done_status.val() == self.status_ok.val());
                    self.state.d.next = DecideState::Idle;
                }
            }
            DecideState::QpRead => {
                self.state.d.next = DecideState::QpRead2;
            }
            DecideState::QpRead2 => {
                self.state.d.next = DecideState::QpRead3;
            }
            DecideState::QpRead3 => {
                self.state.d.next = DecideState::QpRead4;
            }
            DecideState::QpRead4 => {
                self.state.d.next = DecideState::QpDecide;
            }
            DecideState::QpDecide => {
                self.done.d.next = true;
                self.done_code.d.next = self.status_ok.val();
                self.done_at.d.next = 0.into();
                if self.op.q.val() == self.op_open_qp.val() {
                    if self.slot_open.q.val() & !self.slot_matches.q.val() {
                        self.done_code.d.next = self.status_qp_busy.val();
                    } else {
                        self.qp_write.d.next = true;
                    }
                } else if self.slot_open.q.val() & self.slot_matches.q.val() {
                    self.qp_write.d.next = true;
                } else {
                    self.done_code.d.next = self.status_not_found.val();
                }
                self.state.d.next = DecideState::Idle;
            }
            DecideState::Lookup => {
                if self.transactions.lookup_ready.val() {
                    self.lookup_offer.d.next = false;
                    self.state.d.next = DecideState::LookupWait;
                }
            }
            DecideState::LookupWait => {
                if self.transactions.result_valid.val() {
                    self.hit.d.next = self.transactions.result_hit.val();
                    self.entry.d.next = self.transactions.result_entry.val().get_bits::<8>(0);
                    self.index.d.next = self.transactions.result_offset.val();
                    self.last.d.next = self.transactions.result_last.val();
                    self.t_va.d.next = self.transactions.result_va.val();
                    self.t_length.d.next = self.transactions.result_length.val();
                    self.t_rkey.d.next = self.transactions.result_rkey.val();
                    self.t_path_mtu.d.next = self.transactions.result_path_mtu.val();
                    self.t_cq.d.next = self.transactions.result_cq.val();
                    self.t_function.d.next = self.transactions.result_function.val();
                    self.state.d.next = DecideState::Check;
                }
            }
            DecideState::Check => {
                self.offloaded.d.next = self.is_write.val();
                self.qp_open.d.next = self.slot_open.q.val() & self.slot_matches.q.val();
                // Behind the window (it only moves past PSNs that arrived), or marked in it.
                self.in_window.d.next = !self.offset_far.q.val();
                self.window_offset.d.next = self.offset.q.val().get_bits::<6>(0);
                self.duplicate.d.next =
                    self.offset.q.val().get_bit(23) | (!self.offset_far.q.val() & self.arrived_at_offset.q.val());
                self.rkey_ok.d.next = !self.carries_reth.val() | (self.rkey.q.val() == self.t_rkey.q.val());
                self.index_offset.d.next = self.index_bytes.val();
                self.state.d.next = DecideState::Address;
            }
            DecideState::Address => {
                self.bad_length.d.next = (self.payload_length.q.val() > self.mtu_bytes.q.val())
                    | (!self.last.q.val() & (self.payload_length.q.val() != self.mtu_bytes.q.val()));
                self.place_addr.d.next = self.t_va.q.val() + self.index_offset.q.val();
                if self.carries_reth.val() {
                    self.place_addr.d.next = self.va.q.val();
                }
                self.state.d.next = DecideState::Bounds;
            }
            DecideState::Bounds => {
                self.below_region.d.next = self.place_addr.q.val() < self.t_va.q.val();
                self.place_end.d.next =
                    bit_cast::<65, 64>(self.place_addr.q.val()) + bit_cast::<65, 16>(self.payload_length.q.val());
                self.region_end.d.next =
                    bit_cast::<65, 64>(self.t_va.q.val()) + bit_cast::<65, 32>(self.t_length.q.val());
                self.state.d.next = DecideState::Compare;
            }
            DecideState::Compare => {
                self.end_above_high.d.next =
                    self.place_end.q.val().get_bits::<32>(33) > self.region_end.q.val().get_bits::<32>(33);
                self.end_equal_high.d.next =
                    self.place_end.q.val().get_bits::<32>(33) == self.region_end.q.val().get_bits::<32>(33);
                self.end_above_low.d.next =
                    self.place_end.q.val().get_bits::<33>(0) > self.region_end.q.val().get_bits::<33>(0);
                self.checks_pass.d.next = self.offloaded.q.val()
                    & self.qp_open.q.val()
                    & !self.duplicate.q.val()
                    & self.hit.q.val()
                    & self.in_window.q.val()
                    & self.rkey_ok.q.val()
                    & !self.bad_length.q.val();
                self.state.d.next = DecideState::Decide;
            }
            DecideState::Decide => {
                self.action.d.next = self.action_software.val();
                self.complete.d.next = false;
                self.ack.d.next = false;
                self.ack_qp.d.next = self.qp_word.q.val().get_bits::<24>(113);
                self.ack_psn.d.next = self.start_less_one.q.val();
                self.msn.d.next = self.qp_word.q.val().get_bits::<24>(137);
                self.arrived.d.next = self.qp_word.q.val().get_bits::<64>(49)
                    | (bit_cast::<64, 1>(true.into()) << self.window_offset.q.val());
                self.remaining.d.next = self.progress_word.q.val().get_bits::<24>(0) - 1;
                self.has_imm.d.next = self.progress_word.q.val().get_bit(24);
                self.message_imm.d.next = self.progress_word.q.val().get_bits::<32>(25);
                if self.carries_imm.val() {
                    self.has_imm.d.next = true;
                    self.message_imm.d.next = self.imm.q.val();
                }
                self.state.d.next = DecideState::Verdict;
                if !self.offloaded.q.val() {
                    self.reason.d.next = self.reason_not_offloaded.val();
                } else if !self.qp_open.q.val() {
                    self.reason.d.next = self.reason_unknown_qp.val();
                } else if self.duplicate.q.val() {
                    self.action.d.next = self.action_drop.val();
                    self.reason.d.next = 0.into();
                    self.ack.d.next = self.ack_req.q.val();
                } else if !self.hit.q.val() {
                    self.reason.d.next = self.reason_no_transaction.val();
                } else if !self.in_window.q.val() {
                    self.reason.d.next = self.reason_out_of_window.val();
                } else if !self.rkey_ok.q.val() {
                    self.reason.d.next = self.reason_rkey_mismatch.val();
                } else if self.bad_length.q.val() {
                    self.reason.d.next = self.reason_bad_length.val();
                } else {
                    self.reason.d.next = self.reason_out_of_bounds.val();
                }
                if self.checks_pass.q.val() & !self.out_of_bounds.val() {
                    self.action.d.next = self.action_place.val();
                    self.reason.d.next = 0.into();
                    self.complete.d.next = self.progress_word.q.val().get_bits::<24>(0) == 1;
                    self.state.d.next = DecideState::Slide;
                }
            }
            DecideState::Slide => {
                self.lowest_zero.d.next = self.lowest_zero_next.val();
                self.state.d.next = DecideState::SlideCount;
            }
            DecideState::SlideCount => {
                self.slide.d.next = self.trailing_ones.val();
                self.state.d.next = DecideState::SlideFine;
            }
            DecideState::SlideFine => {
                self.state.d.next = DecideState::WriteBack;
            }
            DecideState::WriteBack => {
                self.ack.d.next = self.complete.q.val() | self.ack_req.q.val();
                self.ack_psn.d.next = self.start_less_one.q.val() + bit_cast::<24, 7>(self.slide.q.val());
                self.msn.d.next = self.msn_next.val();
                self.qp_write.d.next = true;
                self.progress_write.d.next = true;
                // Retiring needs the transaction's first PSN.
                self.psn.d.next = self.psn.q.val() - self.index.q.val();
                self.op.d.next = self.op_retire.val();
                if self.complete.q.val() {
                    self.state.d.next = DecideState::Retire;
                    self.table_offer.d.next = true;
                } else {
                    self.state.d.next = DecideState::Verdict;
                }
            }
            DecideState::Retire => {
                if self.transactions.cmd_ready.val() {
                    self.table_offer.d.next = false;
                    self.state.d.next = DecideState::RetireWait;
                }
            }
            DecideState::RetireWait => {
                if self.transactions.done_valid.val() {
                    self.state.d.next = DecideState::Verdict;
                }
            }
            DecideState::Verdict => {
                if self.verdict_ready.val() {
                    self.state.d.next = DecideState::Idle;
                    if self.action.q.val() == self.action_place.val() {
                        self.placed_count.d.next = self.placed_count.q.val() + 1;
                    } else if self.action.q.val() == self.action_drop.val() {
                        self.duplicate_count.d.next = self.duplicate_count.q.val() + 1;
                    } else {
                        self.software_count.d.next = self.software_count.q.val() + 1;
                    }
                }
            }
        }

        self.done_valid.next = self.done.q.val();
        self.done_status.next = self.done_code.q.val();
        self.done_entry.next = self.done_at.q.val();
        self.verdict_valid.next = self.state.q.val() == DecideState::Verdict;
        self.verdict_action.next = self.action.q.val();
        self.verdict_reason.next = self.reason.q.val();
        self.verdict_addr.next = self.place_addr.q.val();
        self.verdict_length.next = self.payload_length.q.val();
        self.verdict_function.next = self.t_function.q.val();
        self.verdict_complete.next = self.complete.q.val();
        self.verdict_cq.next = self.t_cq.q.val();
        self.verdict_qp.next = self.qp.q.val();
        self.verdict_message_length.next = self.t_length.q.val();
        self.verdict_has_imm.next = self.has_imm.q.val();
        self.verdict_imm.next = self.message_imm.q.val();
        self.verdict_ack.next = self.ack.q.val();
        self.verdict_ack_qp.next = self.ack_qp.q.val();
        self.verdict_ack_psn.next = self.ack_psn.q.val();
        self.verdict_msn.next = self.msn.q.val();
        self.entries.next = self.transactions.entries.val();
        self.placed_packets.next = self.placed_count.q.val();
        self.dropped_duplicates.next = self.duplicate_count.q.val();
        self.software_packets.next = self.software_count.q.val();

        if self.rst.val() {
            self.qp_write.d.next = false;
            self.progress_write.d.next = false;
            self.table_offer.d.next = false;
            self.lookup_offer.d.next = false;
            self.state.d.next = DecideState::Clearing;
            self.clear_slot.d.next = 0.into();
            // Clearing writes zeros: a command in hand that is not an open.
            self.command_in_hand.d.next = true;
            self.op.d.next = self.op_install.val();
            self.done.d.next = false;
            self.placed_count.d.next = 0.into();
            self.duplicate_count.d.next = 0.into();
            self.software_count.d.next = 0.into();
        }
    }
}

crate::native_ports!(
    impl[] PacketDecider;
    clk, rst, cmd_valid, cmd_ready, cmd_op, cmd_qp, cmd_first_psn, cmd_packets, cmd_va, cmd_length, cmd_rkey,
    cmd_path_mtu, cmd_cq, cmd_function, done_valid, done_status, done_entry,
    pkt_valid, pkt_ready, pkt_opcode, pkt_qp, pkt_psn, pkt_va, pkt_rkey, pkt_imm, pkt_length, pkt_ack_req,
    verdict_valid, verdict_ready, verdict_action, verdict_reason, verdict_addr, verdict_length, verdict_function,
    verdict_complete, verdict_cq, verdict_qp, verdict_message_length, verdict_has_imm, verdict_imm,
    verdict_ack, verdict_ack_qp, verdict_ack_psn, verdict_msn,
    entries, placed_packets, dropped_duplicates, software_packets,
);
