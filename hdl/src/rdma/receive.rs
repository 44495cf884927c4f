//! The RDMA receive path: frames from the MAC in; RDMA WRITE payload written straight into
//! host memory, completions once it is there, and every other frame out to the software RX
//! path with the reason it was not placed.
//!
//! ```text
//! s_axis_rx ─► roce (parser) ─► slice ─┬─► frame_fifo (whole frames) ─► slice ─► steer ─┬─► m_axis_pass (tuser: reason)
//!                                      └─► header_fifo ─► dispatcher ─► decider     ▲  ├─► (dropped)
//!                                    (one record      │  ▲ verdict          │     └─► dma_write ─► m_axi (AW, W, B)
//!                                     per frame)      │  └──────────────────┘       (slice) │ status
//!                                                     └─► written_fifo ──► poster ◄─────────┘ (status_fifo)
//!                                                                           ├─► cpl_* (message complete)
//!                                                                           └─► fail_* (write failed)
//! ```
//!
//! * The parser passes each frame into the frame store and, with its last beat, a header
//!   record into the header queue; a frame waits in the store until its steer command.
//! * The dispatcher takes the header records in frame order. A frame that is not RoCEv2 is
//!   passed whole (`m_axis_pass` reason `PASS_NOT_ROCE`). A RoCEv2 frame with a bad ICRC, cut
//!   short or flagged bad by the MAC (`tuser`) is dropped (the parser counts the first two,
//!   `mac_errors` the third: its payload must not be placed). A good one goes to the
//!   placement decision, and its verdict says: place the payload (a record for the poster,
//!   a DMA write descriptor, a steer command that cuts the payload out), drop it (a
//!   duplicate), or pass it to software (the reason: the decider's `REASON_*`).
//! * The poster takes the placement records in order with the DMA write engine's statuses
//!   (which come in descriptor order): a good write that completes its message posts the
//!   completion (`cpl_*`); a failed write (SLVERR/DECERR) posts a fallback record
//!   (`fail_*`: QP and PSN; its reason is "write failed" and some of its bytes may be in
//!   memory — the packet is already marked arrived, so software owns the message from here)
//!   and counts in `write_errors`. A placement of no bytes writes nothing and its record
//!   needs no status.
//! * Acknowledgements: the header record carries the frame's addresses (in the header
//!   queue's `tuser`), and a decided record leaves the queue with its verdict. A verdict
//!   that owes an ACK (`verdict_ack`) queues a request with them and the decider's QP, PSN
//!   and MSN (sixteen wait at most; one more is dropped and counted in `ack_drops`);
//!   `rdma::ack` sends each as a frame on `m_axis_ack`, the addresses swapped.
//! * DMA windows: before its write, a placement's bytes are checked against the DMA window
//!   of the transaction's owning function (`window_function`, looked up in
//!   `windows::DmaWindows`; four cycles). A placement outside is not written and its
//!   payload is dropped: it goes to the poster as a failed write (a `fail_*` record,
//!   `write_errors`), and counts in `window_errors`.
//!
//! A frame longer than the frame store (16 KiB) is cut there: its first 2048 beats go on
//! with the last flagged bad (so it is dropped, as a frame the MAC flags: by the RX engine,
//! or here if it is RoCEv2), the rest is discarded.
//!
//! One packet in the dispatcher at a time: about 24 cycles per RoCEv2 packet (the decider's
//! 19.5, then the record, the descriptor and the steer command a cycle each); frames that
//! are not RoCEv2 take 2. Any frame up to 16 KiB fits the frame store, so a frame always
//! reaches its tlast and its header record; every queue behind the dispatcher drains on
//! its own, so nothing waits in a circle.
use super::ack::{RdmaAck, SYNDROME_ACK};
use super::decide::{PacketDecider, ACTION_PLACE, ACTION_SOFTWARE};
use super::parser::{RoceParser, KIND_OTHER, KIND_ROCE};
use super::steer::{FrameSteer, STEER_DROP, STEER_PASS, STEER_PLACE};
use crate::bus::{Axi4WriteMaster, AxisSink, AxisSource};
use crate::dma::write::DmaWrite;
use crate::stream_fifo::{FifoFault, StreamFifo};
use crate::stream_slice::{StreamSlice, StreamSlice64};
use rust_hdl::prelude::*;

/// The `m_axis_pass` reason (`tuser` 3:1) of a frame that is not RoCEv2 (the decider's are 1-7).
pub const PASS_NOT_ROCE: u64 = 0;

/// Beats of the frame store; a longer frame is cut there.
pub const FRAME_STORE_BEATS: usize = 2048;

/// Whole frames, 2048 beats (16 KiB): a frame waits here for its verdict.
type FrameStore = StreamFifo<64, 8, 1, 11, 12>;
/// One header record per frame (layout at `header_*` below), with its return addresses in
/// `tuser` (layout at `parsed_slice`).
type HeaderQueue = StreamFifo<256, 32, RETURN_BITS, 5, 6>;
/// Acknowledgements to send: {MSN 71:48, PSN 47:24, requester's QP 23:0}, the return
/// addresses in `tuser`. Sixteen wait at most; one more is dropped and counted.
type AckQueue = StreamFifo<72, 9, RETURN_BITS, 4, 5>;
/// A frame's addresses as parsed (an acknowledgement goes back with them swapped): its
/// P_Key 191:176, UDP source port 175:160, destination IPv4 159:128, source IPv4 127:96,
/// source MAC 95:48, destination MAC 47:0.
const RETURN_BITS: usize = 192;
/// One record per placed packet (layout at `written_*` below), in DMA descriptor order. In
/// block RAM: in LUT RAM its read address spread over 136 bits' worth of cells (a worst
/// path of the receive path, 3.8 ns of one route).
type WrittenQueue = StreamFifo<136, 17, 1, 5, 6>;
/// The DMA write engine's statuses (bit 0: error). As many as the written queue holds
/// records, so it never fills: every status belongs to a record not yet taken.
type StatusQueue = StreamFifo<8, 1, 1, 5, 6>;

/// The dispatcher's states: one frame at a time.
#[derive(Copy, Clone, PartialEq, Eq, Debug, LogicState)]
pub enum DispatchState {
    /// Waiting for a header record; a RoCEv2 one is offered to the decider.
    Idle,
    /// Waiting for the decider's verdict.
    Verdict,
    /// A placement of some bytes: its window check (four cycles).
    Window,
    /// A placement: its record to the poster, then its DMA write descriptor.
    Record,
    Descriptor,
    /// The frame's command to the steer.
    Steer,
}

#[derive(LogicBlock)]
pub struct RdmaReceive {
    pub clk: Signal<In, Clock>,
    pub rst: Signal<In, Bit>,
    /// Frames from the MAC; `tuser` = 1 on any beat marks a frame bad.
    pub s_axis_rx: AxisSink<64, 8, 1>,
    /// Frames for the software RX path, whole and unchanged. `tuser` bit 0: the frame is bad
    /// (the MAC's flag); bits 3:1, the same on every beat of a frame: `PASS_NOT_ROCE`, or why
    /// the card did not place it (the decider's `REASON_*`).
    pub m_axis_pass: AxisSource<64, 8, 4>,
    /// Host commands: the decider's (`rdma::decide`), unchanged.
    pub cmd_valid: Signal<In, Bit>,
    pub cmd_ready: Signal<Out, Bit>,
    pub cmd_op: Signal<In, Bits<2>>,
    pub cmd_qp: Signal<In, Bits<24>>,
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
    /// Placement writes to host memory.
    pub m_axi: Axi4WriteMaster<64, 64, 8, 4>,
    /// A message completed, all its bytes written: post this completion.
    pub cpl_valid: Signal<Out, Bit>,
    pub cpl_ready: Signal<In, Bit>,
    pub cpl_cq: Signal<Out, Bits<16>>,
    pub cpl_qp: Signal<Out, Bits<24>>,
    pub cpl_length: Signal<Out, Bits<32>>,
    pub cpl_has_imm: Signal<Out, Bit>,
    pub cpl_imm: Signal<Out, Bits<32>>,
    /// A placement write failed: the packet (QP, PSN) goes to software as "write failed".
    pub fail_valid: Signal<Out, Bit>,
    pub fail_ready: Signal<In, Bit>,
    /// The transaction's completion queue (where the failure is reported).
    pub fail_cq: Signal<Out, Bits<16>>,
    pub fail_qp: Signal<Out, Bits<24>>,
    pub fail_psn: Signal<Out, Bits<24>>,
    /// Counters: the parser's, the decider's, and RoCEv2 frames the MAC flagged bad and
    /// placement writes that failed (saturating).
    pub roce_frames: Signal<Out, Bits<32>>,
    pub icrc_errors: Signal<Out, Bits<32>>,
    pub truncated_frames: Signal<Out, Bits<32>>,
    pub placed_packets: Signal<Out, Bits<32>>,
    pub dropped_duplicates: Signal<Out, Bits<32>>,
    pub software_packets: Signal<Out, Bits<32>>,
    pub entries: Signal<Out, Bits<13>>,
    pub mac_errors: Signal<Out, Bits<32>>,
    pub write_errors: Signal<Out, Bits<32>>,
    /// The DMA window of a placement's function (`windows::DmaWindows`): asked for with
    /// `window_function`, answered the cycle after.
    pub window_function: Signal<Out, Bits<8>>,
    pub window_base: Signal<In, Bits<64>>,
    pub window_limit: Signal<In, Bits<64>>,
    /// Placements refused for lying outside their function's window (saturating; each is
    /// also a failed write).
    pub window_errors: Signal<Out, Bits<32>>,
    /// RC acknowledgements (62-byte frames, `rdma::ack`) for the requesters, one per
    /// acknowledgement the decider says is owed, in verdict order.
    pub m_axis_ack: AxisSource<64, 8, 1>,
    /// Acknowledgements sent, and those dropped because sixteen were already waiting
    /// (saturating; an ACK is cumulative, so a later one covers a dropped one).
    pub acks_sent: Signal<Out, Bits<32>>,
    pub ack_drops: Signal<Out, Bits<32>>,

    roce: RoceParser,
    /// A register slice behind the parser; `tuser`: the frame's flag (bit 0) and, on the
    /// last beat, the header record (212:1) and the return addresses (404:213).
    parsed_slice: StreamSlice<64, 8, 405>,
    frame_fifo: FrameStore,
    header_fifo: HeaderQueue,
    decider: PacketDecider,
    steer: FrameSteer,
    /// Register slices on both sides of the steer, so the ready chains of the frame store,
    /// the steer with its packer, and the DMA write engine stay three short paths.
    frame_slice: StreamSlice64,
    payload_slice: StreamSlice64,
    dma_write: DmaWrite,
    written_fifo: WrittenQueue,
    status_fifo: StatusQueue,
    ack_fifo: AckQueue,
    ack_sender: RdmaAck,
    syndrome_ack: Constant<Bits<8>>,
    ack_drop_count: DFF<Bits<32>>,
    kind_other: Constant<Bits<2>>,
    kind_roce: Constant<Bits<2>>,
    action_place: Constant<Bits<2>>,
    action_software: Constant<Bits<2>>,
    steer_place: Constant<Bits<2>>,
    steer_drop: Constant<Bits<2>>,
    steer_pass: Constant<Bits<2>>,
    /// A placement record with its has-DMA bit (0) cleared.
    without_dma: Constant<Bits<136>>,

    /// Beats of the arriving frame taken so far (wraps to 0 at a cut), and whether the rest
    /// of a frame cut at the frame store's size is being discarded.
    rx_beat: DFF<Bits<11>>,
    rx_discard: DFF<Bit>,
    rx_cut: Signal<Local, Bit>,
    /// Some beat of the frame leaving the parser had `tuser` set.
    frame_bad: DFF<Bit>,
    /// ... or this beat has.
    frame_error: Signal<Local, Bit>,
    /// The parser's last beat waits for room in the header queue.
    hold_last: Signal<Local, Bit>,
    // The header record at the head of the queue.
    header_kind: Signal<Local, Bits<2>>,
    header_mac_error: Signal<Local, Bit>,
    header_to_decide: Signal<Local, Bit>,

    state: DFF<DispatchState>,
    /// The head header record was handled: take it off the queue now (a register, so the
    /// queue's read side does not wait for the decider's ready).
    pop_header: DFF<Bit>,
    /// The frame in hand: its PSN (for a failed write's record).
    frame_psn: DFF<Bits<24>>,
    /// Its steer command, and the reason that goes with a passed frame.
    steer_action: DFF<Bits<2>>,
    steer_offset: DFF<Bits<8>>,
    steer_length: DFF<Bits<16>>,
    steer_reason: DFF<Bits<3>>,
    /// The reason of the frame the steer is passing now.
    passing_reason: DFF<Bits<3>>,
    /// A placement: its DMA write, and its record for the poster.
    place_addr: DFF<Bits<64>>,
    place_length: DFF<Bits<16>>,
    // Its window check (state Window): the function, the length less one, the last byte,
    // the step, each compare registered on its own (three 64-bit compares and their OR in
    // one cycle were a long path), then their OR.
    lookup_function: DFF<Bits<8>>,
    place_span: DFF<Bits<16>>,
    place_last: DFF<Bits<64>>,
    check_step: DFF<Bits<2>>,
    below_window: DFF<Bit>,
    above_window: DFF<Bit>,
    wraps: DFF<Bit>,
    outside: DFF<Bit>,
    window_error_count: DFF<Bits<32>>,
    written_record: DFF<Bits<136>>,

    // The poster: the record at the head of the written queue, and what becomes of it.
    written_has_dma: Signal<Local, Bit>,
    written_refused: Signal<Local, Bit>,
    written_complete: Signal<Local, Bit>,
    outcome_known: Signal<Local, Bit>,
    write_failed: Signal<Local, Bit>,
    written_done: Signal<Local, Bit>,
    /// The record just taken leaves its queue (and its status) now.
    poster_pop: DFF<Bit>,
    poster_pop_status: DFF<Bit>,
    /// The outputs: the record they show, and which one shows it.
    posted_record: DFF<Bits<136>>,
    cpl_out: DFF<Bit>,
    fail_out: DFF<Bit>,
    mac_error_count: DFF<Bits<32>>,
    write_error_count: DFF<Bits<32>>,
    /// A failed write was taken last cycle: counted now, so that the counter's enable is a
    /// register (from the record's queue it was a long path).
    write_failed_taken: DFF<Bit>,
}

impl Default for RdmaReceive {
    fn default() -> Self {
        Self {
            clk: Default::default(),
            rst: Default::default(),
            s_axis_rx: Default::default(),
            m_axis_pass: Default::default(),
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
            m_axi: Default::default(),
            cpl_valid: Default::default(),
            cpl_ready: Default::default(),
            cpl_cq: Default::default(),
            cpl_qp: Default::default(),
            cpl_length: Default::default(),
            cpl_has_imm: Default::default(),
            cpl_imm: Default::default(),
            fail_valid: Default::default(),
            fail_ready: Default::default(),
            fail_cq: Default::default(),
            fail_qp: Default::default(),
            fail_psn: Default::default(),
            roce_frames: Default::default(),
            icrc_errors: Default::default(),
            truncated_frames: Default::default(),
            placed_packets: Default::default(),
            dropped_duplicates: Default::default(),
            software_packets: Default::default(),
            entries: Default::default(),
            mac_errors: Default::default(),
            write_errors: Default::default(),
            roce: Default::default(),
            parsed_slice: Default::default(),
            frame_fifo: FrameStore::new(FifoFault::None),
            header_fifo: HeaderQueue::new(FifoFault::None).in_block_ram(),
            decider: Default::default(),
            steer: Default::default(),
            frame_slice: Default::default(),
            payload_slice: Default::default(),
            dma_write: Default::default(),
            written_fifo: WrittenQueue::new(FifoFault::None).in_block_ram(),
            status_fifo: StatusQueue::new(FifoFault::None),
            ack_fifo: AckQueue::new(FifoFault::None),
            ack_sender: Default::default(),
            syndrome_ack: Constant::new(SYNDROME_ACK.into()),
            ack_drop_count: Default::default(),
            m_axis_ack: Default::default(),
            acks_sent: Default::default(),
            ack_drops: Default::default(),
            kind_other: Constant::new(KIND_OTHER.into()),
            kind_roce: Constant::new(KIND_ROCE.into()),
            action_place: Constant::new(ACTION_PLACE.into()),
            action_software: Constant::new(ACTION_SOFTWARE.into()),
            steer_place: Constant::new(STEER_PLACE.into()),
            steer_drop: Constant::new(STEER_DROP.into()),
            steer_pass: Constant::new(STEER_PASS.into()),
            without_dma: Constant::new(!bit_cast::<136, 1>(true.into())),
            rx_beat: Default::default(),
            rx_discard: Default::default(),
            rx_cut: Default::default(),
            frame_bad: Default::default(),
            frame_error: Default::default(),
            hold_last: Default::default(),
            header_kind: Default::default(),
            header_mac_error: Default::default(),
            header_to_decide: Default::default(),
            state: Default::default(),
            pop_header: Default::default(),
            frame_psn: Default::default(),
            steer_action: Default::default(),
            steer_offset: Default::default(),
            steer_length: Default::default(),
            steer_reason: Default::default(),
            passing_reason: Default::default(),
            place_addr: Default::default(),
            place_length: Default::default(),
            written_record: Default::default(),
            written_has_dma: Default::default(),
            written_complete: Default::default(),
            outcome_known: Default::default(),
            write_failed: Default::default(),
            written_done: Default::default(),
            poster_pop: Default::default(),
            poster_pop_status: Default::default(),
            posted_record: Default::default(),
            cpl_out: Default::default(),
            fail_out: Default::default(),
            mac_error_count: Default::default(),
            write_error_count: Default::default(),
            write_failed_taken: Default::default(),
            window_function: Default::default(),
            window_base: Default::default(),
            window_limit: Default::default(),
            window_errors: Default::default(),
            lookup_function: Default::default(),
            place_span: Default::default(),
            place_last: Default::default(),
            check_step: Default::default(),
            below_window: Default::default(),
            above_window: Default::default(),
            wraps: Default::default(),
            outside: Default::default(),
            window_error_count: Default::default(),
            written_refused: Default::default(),
        }
    }
}

impl Logic for RdmaReceive {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clk,
            frame_bad,
            rx_beat,
            rx_discard,
            state,
            pop_header,
            frame_psn,
            steer_action,
            steer_offset,
            steer_length,
            steer_reason,
            passing_reason,
            place_addr,
            place_length,
            written_record,
            poster_pop,
            poster_pop_status,
            posted_record,
            cpl_out,
            fail_out,
            mac_error_count,
            write_error_count,
            write_failed_taken,
            lookup_function,
            place_span,
            place_last,
            check_step,
            below_window,
            above_window,
            wraps,
            outside,
            window_error_count,
            ack_drop_count
        );
        self.roce.clk.next = self.clk.val();
        self.roce.rst.next = self.rst.val();
        self.frame_fifo.clk.next = self.clk.val();
        self.frame_fifo.rst.next = self.rst.val();
        self.header_fifo.clk.next = self.clk.val();
        self.header_fifo.rst.next = self.rst.val();
        self.decider.clk.next = self.clk.val();
        self.decider.rst.next = self.rst.val();
        self.steer.clk.next = self.clk.val();
        self.steer.rst.next = self.rst.val();
        self.dma_write.clk.next = self.clk.val();
        self.dma_write.rst.next = self.rst.val();
        self.written_fifo.clk.next = self.clk.val();
        self.written_fifo.rst.next = self.rst.val();
        self.status_fifo.clk.next = self.clk.val();
        self.status_fifo.rst.next = self.rst.val();
        self.ack_fifo.clk.next = self.clk.val();
        self.ack_fifo.rst.next = self.rst.val();
        self.ack_sender.clk.next = self.clk.val();
        self.ack_sender.rst.next = self.rst.val();

        // Parser -> register slice (each beat with the header record the parser gives on
        // the last, in `tuser` 212:1, so the parser's verdict logic ends at a register) ->
        // frame store and header queue: a frame's last beat goes in with its header record,
        // so it waits for room in both.
        // A frame longer than the frame store (2048 beats) would never reach its tlast and
        // header record there: it is cut at 2048 beats, its last beat flagged bad (as the MAC
        // flags a frame), and its remaining beats are taken and discarded.
        self.rx_cut.next = (self.rx_beat.q.val() == 2047) & !self.s_axis_rx.tlast.val();
        self.roce.s_axis.tdata.next = self.s_axis_rx.tdata.val();
        self.roce.s_axis.tkeep.next = self.s_axis_rx.tkeep.val();
        self.roce.s_axis.tlast.next = self.s_axis_rx.tlast.val() | self.rx_cut.val();
        self.roce.s_axis.tuser.next = self.s_axis_rx.tuser.val();
        if self.rx_cut.val() {
            self.roce.s_axis.tuser.next = 1.into();
        }
        self.roce.s_axis.tvalid.next = self.s_axis_rx.tvalid.val() & !self.rx_discard.q.val();
        self.s_axis_rx.tready.next = self.roce.s_axis.tready.val() | self.rx_discard.q.val();
        if self.s_axis_rx.tvalid.val() & self.s_axis_rx.tready.val() {
            if self.rx_discard.q.val() {
                if self.s_axis_rx.tlast.val() {
                    self.rx_discard.d.next = false;
                }
            } else {
                self.rx_beat.d.next = self.rx_beat.q.val() + 1;
                if self.s_axis_rx.tlast.val() {
                    self.rx_beat.d.next = 0.into();
                }
                if self.rx_cut.val() {
                    self.rx_discard.d.next = true;
                }
            }
        }
        self.parsed_slice.clk.next = self.clk.val();
        self.parsed_slice.rst.next = self.rst.val();
        self.parsed_slice.s_axis.tdata.next = self.roce.m_axis.tdata.val();
        self.parsed_slice.s_axis.tkeep.next = self.roce.m_axis.tkeep.val();
        self.parsed_slice.s_axis.tlast.next = self.roce.m_axis.tlast.val();
        self.parsed_slice.s_axis.tvalid.next = self.roce.m_axis.tvalid.val();
        self.roce.m_axis.tready.next = self.parsed_slice.s_axis.tready.val();
        // Header record: kind 1:0, MAC error 2 (filled in behind the slice), opcode 10:3,
        // QP 34:11, PSN 58:35, VA 122:59, R_Key 154:123, immediate 186:155, payload offset
        // 194:187, payload length 210:195, AckReq 211. Return addresses as `RETURN_BITS` says.
        self.parsed_slice.s_axis.tuser.next = bit_cast::<405, 1>(self.roce.m_axis.tuser.val())
            | (bit_cast::<405, 2>(self.roce.meta_kind.val()) << 1)
            | (bit_cast::<405, 8>(self.roce.meta_opcode.val()) << 4)
            | (bit_cast::<405, 24>(self.roce.meta_dest_qp.val()) << 12)
            | (bit_cast::<405, 24>(self.roce.meta_psn.val()) << 36)
            | (bit_cast::<405, 64>(self.roce.meta_va.val()) << 60)
            | (bit_cast::<405, 32>(self.roce.meta_rkey.val()) << 124)
            | (bit_cast::<405, 32>(self.roce.meta_imm.val()) << 156)
            | (bit_cast::<405, 8>(self.roce.meta_payload_offset.val()) << 188)
            | (bit_cast::<405, 16>(self.roce.meta_payload_length.val()) << 196)
            | (bit_cast::<405, 1>(self.roce.meta_ack_req.val().into()) << 212)
            | (bit_cast::<405, 48>(self.roce.meta_dst_mac.val()) << 213)
            | (bit_cast::<405, 48>(self.roce.meta_src_mac.val()) << 261)
            | (bit_cast::<405, 32>(self.roce.meta_src_ip.val()) << 309)
            | (bit_cast::<405, 32>(self.roce.meta_dst_ip.val()) << 341)
            | (bit_cast::<405, 16>(self.roce.meta_src_port.val()) << 373)
            | (bit_cast::<405, 16>(self.roce.meta_pkey.val()) << 389);
        self.frame_error.next = self.frame_bad.q.val() | self.parsed_slice.m_axis.tuser.val().get_bit(0);
        self.hold_last.next = self.parsed_slice.m_axis.tlast.val() & !self.header_fifo.s_axis.tready.val();
        self.frame_fifo.s_axis.tdata.next = self.parsed_slice.m_axis.tdata.val();
        self.frame_fifo.s_axis.tkeep.next = self.parsed_slice.m_axis.tkeep.val();
        self.frame_fifo.s_axis.tlast.next = self.parsed_slice.m_axis.tlast.val();
        self.frame_fifo.s_axis.tuser.next = self.parsed_slice.m_axis.tuser.val().get_bits::<1>(0);
        self.frame_fifo.s_axis.tvalid.next = self.parsed_slice.m_axis.tvalid.val() & !self.hold_last.val();
        self.parsed_slice.m_axis.tready.next = self.frame_fifo.s_axis.tready.val() & !self.hold_last.val();
        self.header_fifo.s_axis.tvalid.next = self.parsed_slice.m_axis.tvalid.val()
            & self.parsed_slice.m_axis.tlast.val()
            & self.frame_fifo.s_axis.tready.val();
        self.header_fifo.s_axis.tdata.next =
            bit_cast::<256, 212>(self.parsed_slice.m_axis.tuser.val().get_bits::<212>(1))
                | (bit_cast::<256, 1>(self.frame_error.val().into()) << 2);
        self.header_fifo.s_axis.tkeep.next = 0.into();
        self.header_fifo.s_axis.tlast.next = true;
        self.header_fifo.s_axis.tuser.next = self.parsed_slice.m_axis.tuser.val().get_bits::<192>(213);
        if self.parsed_slice.m_axis.tvalid.val() & self.parsed_slice.m_axis.tready.val() {
            self.frame_bad.d.next = self.frame_error.val();
            if self.parsed_slice.m_axis.tlast.val() {
                self.frame_bad.d.next = false;
            }
        }
        self.roce_frames.next = self.roce.roce_frames.val();
        self.icrc_errors.next = self.roce.icrc_errors.val();
        self.truncated_frames.next = self.roce.truncated_frames.val();

        // Frame store -> steer -> software RX path, or payload -> DMA write engine.
        self.frame_slice.clk.next = self.clk.val();
        self.frame_slice.rst.next = self.rst.val();
        self.payload_slice.clk.next = self.clk.val();
        self.payload_slice.rst.next = self.rst.val();
        AxisSource::<64, 8, 1>::join(&mut self.frame_fifo.m_axis, &mut self.frame_slice.s_axis);
        AxisSource::<64, 8, 1>::join(&mut self.frame_slice.m_axis, &mut self.steer.s_axis);
        self.m_axis_pass.tdata.next = self.steer.m_axis_pass.tdata.val();
        self.m_axis_pass.tkeep.next = self.steer.m_axis_pass.tkeep.val();
        self.m_axis_pass.tlast.next = self.steer.m_axis_pass.tlast.val();
        self.m_axis_pass.tuser.next =
            bit_cast::<4, 1>(self.steer.m_axis_pass.tuser.val()) | (bit_cast::<4, 3>(self.passing_reason.q.val()) << 1);
        self.m_axis_pass.tvalid.next = self.steer.m_axis_pass.tvalid.val();
        self.steer.m_axis_pass.tready.next = self.m_axis_pass.tready.val();
        AxisSource::<64, 8, 1>::join(&mut self.steer.m_axis_payload, &mut self.payload_slice.s_axis);
        AxisSource::<64, 8, 1>::join(&mut self.payload_slice.m_axis, &mut self.dma_write.s_axis_data);
        Axi4WriteMaster::<64, 64, 8, 4>::link(&mut self.m_axi, &mut self.dma_write.m_axi);

        // Host commands go straight to the decider.
        self.decider.cmd_valid.next = self.cmd_valid.val();
        self.cmd_ready.next = self.decider.cmd_ready.val();
        self.decider.cmd_op.next = self.cmd_op.val();
        self.decider.cmd_qp.next = self.cmd_qp.val();
        self.decider.cmd_first_psn.next = self.cmd_first_psn.val();
        self.decider.cmd_packets.next = self.cmd_packets.val();
        self.decider.cmd_va.next = self.cmd_va.val();
        self.decider.cmd_length.next = self.cmd_length.val();
        self.decider.cmd_rkey.next = self.cmd_rkey.val();
        self.decider.cmd_path_mtu.next = self.cmd_path_mtu.val();
        self.decider.cmd_cq.next = self.cmd_cq.val();
        self.decider.cmd_function.next = self.cmd_function.val();
        self.done_valid.next = self.decider.done_valid.val();
        self.done_status.next = self.decider.done_status.val();
        self.done_entry.next = self.decider.done_entry.val();
        self.placed_packets.next = self.decider.placed_packets.val();
        self.dropped_duplicates.next = self.decider.dropped_duplicates.val();
        self.software_packets.next = self.decider.software_packets.val();
        self.entries.next = self.decider.entries.val();

        // The dispatcher. The head header record, offered to the decider when it is good
        // RoCEv2 (its fields are stable while it waits at the queue's head).
        self.header_kind.next = self.header_fifo.m_axis.tdata.val().get_bits::<2>(0);
        self.header_mac_error.next = self.header_fifo.m_axis.tdata.val().get_bit(2);
        self.header_to_decide.next = (self.header_kind.val() == self.kind_roce.val()) & !self.header_mac_error.val();
        self.decider.pkt_opcode.next = self.header_fifo.m_axis.tdata.val().get_bits::<8>(3);
        self.decider.pkt_qp.next = self.header_fifo.m_axis.tdata.val().get_bits::<24>(11);
        self.decider.pkt_psn.next = self.header_fifo.m_axis.tdata.val().get_bits::<24>(35);
        self.decider.pkt_va.next = self.header_fifo.m_axis.tdata.val().get_bits::<64>(59);
        self.decider.pkt_rkey.next = self.header_fifo.m_axis.tdata.val().get_bits::<32>(123);
        self.decider.pkt_imm.next = self.header_fifo.m_axis.tdata.val().get_bits::<32>(155);
        self.decider.pkt_length.next = self.header_fifo.m_axis.tdata.val().get_bits::<16>(195);
        self.decider.pkt_ack_req.next = self.header_fifo.m_axis.tdata.val().get_bit(211);
        self.decider.pkt_valid.next = false;
        self.header_fifo.m_axis.tready.next = self.pop_header.q.val();
        self.pop_header.d.next = false;
        self.decider.verdict_ready.next = false;
        self.written_fifo.s_axis.tvalid.next = false;
        self.written_fifo.s_axis.tdata.next = self.written_record.q.val();
        self.written_fifo.s_axis.tkeep.next = 0.into();
        self.written_fifo.s_axis.tlast.next = true;
        self.written_fifo.s_axis.tuser.next = 0.into();
        self.dma_write.s_desc_valid.next = false;
        self.dma_write.s_desc_addr.next = self.place_addr.q.val();
        self.dma_write.s_desc_len.next = self.place_length.q.val();
        self.dma_write.s_desc_tag.next = 0.into();
        self.ack_fifo.s_axis.tvalid.next = false;
        self.ack_fifo.s_axis.tdata.next = bit_cast::<72, 24>(self.decider.verdict_ack_qp.val())
            | (bit_cast::<72, 24>(self.decider.verdict_ack_psn.val()) << 24)
            | (bit_cast::<72, 24>(self.decider.verdict_msn.val()) << 48);
        self.ack_fifo.s_axis.tkeep.next = 0.into();
        self.ack_fifo.s_axis.tlast.next = true;
        self.ack_fifo.s_axis.tuser.next = self.header_fifo.m_axis.tuser.val();
        self.steer.s_cmd_valid.next = false;
        self.steer.s_cmd_action.next = self.steer_action.q.val();
        self.steer.s_cmd_offset.next = self.steer_offset.q.val();
        self.steer.s_cmd_length.next = self.steer_length.q.val();
        // The window check: the placement's last byte (Window's step 0; the window, asked
        // for in Verdict, answers meanwhile), the three compares (1), their OR (2), the
        // verdict (3).
        self.window_function.next = self.lookup_function.q.val();
        self.below_window.d.next = self.place_addr.q.val() < self.window_base.val();
        self.above_window.d.next = self.place_last.q.val() > self.window_limit.val();
        self.wraps.d.next = self.place_last.q.val() < self.place_addr.q.val();
        self.outside.d.next = self.below_window.q.val() | self.above_window.q.val() | self.wraps.q.val();
        match self.state.q.val() {
            DispatchState::Idle => {
                self.decider.pkt_valid.next = self.header_fifo.m_axis.tvalid.val() & self.header_to_decide.val();
                self.frame_psn.d.next = self.header_fifo.m_axis.tdata.val().get_bits::<24>(35);
                self.steer_offset.d.next = self.header_fifo.m_axis.tdata.val().get_bits::<8>(187);
                self.steer_length.d.next = self.header_fifo.m_axis.tdata.val().get_bits::<16>(195);
                self.steer_reason.d.next = 0.into(); // PASS_NOT_ROCE
                self.steer_action.d.next = self.steer_drop.val();
                if self.header_kind.val() == self.kind_other.val() {
                    self.steer_action.d.next = self.steer_pass.val();
                }
                // The record leaves the queue the next cycle, when the dispatcher is busy (a
                // decided one once its verdict is in: an acknowledgement takes its return
                // addresses from it).
                if self.header_fifo.m_axis.tvalid.val() {
                    if self.header_to_decide.val() {
                        if self.decider.pkt_ready.val() {
                            self.state.d.next = DispatchState::Verdict;
                        }
                    } else {
                        self.state.d.next = DispatchState::Steer;
                        self.pop_header.d.next = true;
                        if (self.header_kind.val() == self.kind_roce.val()) & (self.mac_error_count.q.val() + 1).any() {
                            self.mac_error_count.d.next = self.mac_error_count.q.val() + 1;
                        }
                    }
                }
            }
            DispatchState::Verdict => {
                self.decider.verdict_ready.next = true;
                self.place_addr.d.next = self.decider.verdict_addr.val();
                self.place_length.d.next = self.decider.verdict_length.val();
                self.place_span.d.next = self.decider.verdict_length.val() - 1;
                self.lookup_function.d.next = self.decider.verdict_function.val();
                // Placement record: has DMA 0, completes 1, CQ 17:2, QP 41:18, PSN 65:42,
                // message length 97:66, has immediate 98, immediate 130:99, refused by the
                // window 131 (set in Window).
                self.written_record.d.next = bit_cast::<136, 1>(self.decider.verdict_length.val().any().into())
                    | (bit_cast::<136, 1>(self.decider.verdict_complete.val().into()) << 1)
                    | (bit_cast::<136, 16>(self.decider.verdict_cq.val()) << 2)
                    | (bit_cast::<136, 24>(self.decider.verdict_qp.val()) << 18)
                    | (bit_cast::<136, 24>(self.frame_psn.q.val()) << 42)
                    | (bit_cast::<136, 32>(self.decider.verdict_message_length.val()) << 66)
                    | (bit_cast::<136, 1>(self.decider.verdict_has_imm.val().into()) << 98)
                    | (bit_cast::<136, 32>(self.decider.verdict_imm.val()) << 99);
                self.steer_reason.d.next = self.decider.verdict_reason.val();
                if self.decider.verdict_valid.val() {
                    self.pop_header.d.next = true;
                    // An acknowledgement owed: queued, or dropped when sixteen wait.
                    if self.decider.verdict_ack.val() {
                        self.ack_fifo.s_axis.tvalid.next = true;
                        if !self.ack_fifo.s_axis.tready.val() & (self.ack_drop_count.q.val() + 1).any() {
                            self.ack_drop_count.d.next = self.ack_drop_count.q.val() + 1;
                        }
                    }
                    if self.decider.verdict_action.val() == self.action_place.val() {
                        // A placement of no bytes has no payload to cut out (nor a write to
                        // check): drop the frame.
                        self.state.d.next = DispatchState::Record;
                        if self.decider.verdict_length.val().any() {
                            self.steer_action.d.next = self.steer_place.val();
                            self.state.d.next = DispatchState::Window;
                        }
                    } else {
                        if self.decider.verdict_action.val() == self.action_software.val() {
                            self.steer_action.d.next = self.steer_pass.val();
                        }
                        self.state.d.next = DispatchState::Steer;
                    }
                }
            }
            DispatchState::Window => {
                self.place_last.d.next = self.place_addr.q.val() + bit_cast::<64, 16>(self.place_span.q.val());
                self.check_step.d.next = self.check_step.q.val() + 1;
                if self.check_step.q.val() == 3 {
                    self.check_step.d.next = 0.into();
                    self.state.d.next = DispatchState::Record;
                    if self.outside.q.val() {
                        // Not written: no DMA, the payload dropped, a failed write for the
                        // poster (record bit 131).
                        self.written_record.d.next = (self.written_record.q.val() & self.without_dma.val())
                            | (bit_cast::<136, 1>(true.into()) << 131);
                        self.steer_action.d.next = self.steer_drop.val();
                        if (self.window_error_count.q.val() + 1).any() {
                            self.window_error_count.d.next = self.window_error_count.q.val() + 1;
                        }
                    }
                }
            }
            DispatchState::Record => {
                self.written_fifo.s_axis.tvalid.next = true;
                if self.written_fifo.s_axis.tready.val() {
                    self.state.d.next = DispatchState::Steer;
                    if self.written_record.q.val().get_bit(0) {
                        self.state.d.next = DispatchState::Descriptor;
                    }
                }
            }
            DispatchState::Descriptor => {
                self.dma_write.s_desc_valid.next = true;
                if self.dma_write.s_desc_ready.val() {
                    self.state.d.next = DispatchState::Steer;
                }
            }
            DispatchState::Steer => {
                self.steer.s_cmd_valid.next = true;
                if self.steer.s_cmd_ready.val() {
                    self.passing_reason.d.next = self.steer_reason.q.val();
                    self.state.d.next = DispatchState::Idle;
                }
            }
        }

        // The poster: each placement record with its write's status (a record of no bytes
        // has none), in order.
        self.status_fifo.s_axis.tvalid.next = self.dma_write.status_valid.val();
        self.status_fifo.s_axis.tdata.next = bit_cast::<8, 1>(self.dma_write.status_error.val().into());
        self.status_fifo.s_axis.tkeep.next = 0.into();
        self.status_fifo.s_axis.tlast.next = true;
        self.status_fifo.s_axis.tuser.next = 0.into();
        self.written_has_dma.next = self.written_fifo.m_axis.tdata.val().get_bit(0);
        self.written_refused.next = self.written_fifo.m_axis.tdata.val().get_bit(131);
        self.written_complete.next = self.written_fifo.m_axis.tdata.val().get_bit(1);
        self.outcome_known.next = self.written_fifo.m_axis.tvalid.val()
            & (!self.written_has_dma.val() | self.status_fifo.m_axis.tvalid.val());
        self.write_failed.next =
            (self.written_has_dma.val() & self.status_fifo.m_axis.tdata.val().get_bit(0)) | self.written_refused.val();
        // The outcome goes into output registers, and the record (with its status) leaves
        // its queue the cycle after: no output's ready reaches back into the queues. A
        // record is taken only while both outputs are empty, and not in the cycle the last
        // one leaves its queue (the queue's head still shows it then).
        self.written_fifo.m_axis.tready.next = self.poster_pop.q.val();
        self.status_fifo.m_axis.tready.next = self.poster_pop_status.q.val();
        self.poster_pop.d.next = false;
        self.poster_pop_status.d.next = false;
        self.written_done.next =
            self.outcome_known.val() & !self.poster_pop.q.val() & !self.cpl_out.q.val() & !self.fail_out.q.val();
        // Follows the queue's head while no output shows it (an enable from registers only).
        if !self.cpl_out.q.val() & !self.fail_out.q.val() {
            self.posted_record.d.next = self.written_fifo.m_axis.tdata.val();
        }
        if self.cpl_out.q.val() & self.cpl_ready.val() {
            self.cpl_out.d.next = false;
        }
        if self.fail_out.q.val() & self.fail_ready.val() {
            self.fail_out.d.next = false;
        }
        if self.written_done.val() {
            self.poster_pop.d.next = true;
            self.poster_pop_status.d.next = self.written_has_dma.val();
            self.cpl_out.d.next = !self.write_failed.val() & self.written_complete.val();
            self.fail_out.d.next = self.write_failed.val();
        }
        self.write_failed_taken.d.next = self.written_done.val() & self.write_failed.val();
        if self.write_failed_taken.q.val() & (self.write_error_count.q.val() + 1).any() {
            self.write_error_count.d.next = self.write_error_count.q.val() + 1;
        }
        self.cpl_valid.next = self.cpl_out.q.val();
        self.cpl_cq.next = self.posted_record.q.val().get_bits::<16>(2);
        self.cpl_qp.next = self.posted_record.q.val().get_bits::<24>(18);
        self.cpl_length.next = self.posted_record.q.val().get_bits::<32>(66);
        self.cpl_has_imm.next = self.posted_record.q.val().get_bit(98);
        self.cpl_imm.next = self.posted_record.q.val().get_bits::<32>(99);
        self.fail_valid.next = self.fail_out.q.val();
        self.fail_cq.next = self.posted_record.q.val().get_bits::<16>(2);
        self.fail_qp.next = self.posted_record.q.val().get_bits::<24>(18);
        self.fail_psn.next = self.posted_record.q.val().get_bits::<24>(42);
        // Acknowledgements: back to where the packet came from, from where it went.
        self.ack_sender.req_valid.next = self.ack_fifo.m_axis.tvalid.val();
        self.ack_fifo.m_axis.tready.next = self.ack_sender.req_ready.val();
        self.ack_sender.req_dst_mac.next = self.ack_fifo.m_axis.tuser.val().get_bits::<48>(48);
        self.ack_sender.req_src_mac.next = self.ack_fifo.m_axis.tuser.val().get_bits::<48>(0);
        self.ack_sender.req_src_ip.next = self.ack_fifo.m_axis.tuser.val().get_bits::<32>(128);
        self.ack_sender.req_dst_ip.next = self.ack_fifo.m_axis.tuser.val().get_bits::<32>(96);
        self.ack_sender.req_src_port.next = self.ack_fifo.m_axis.tuser.val().get_bits::<16>(160);
        self.ack_sender.req_pkey.next = self.ack_fifo.m_axis.tuser.val().get_bits::<16>(176);
        self.ack_sender.req_dest_qp.next = self.ack_fifo.m_axis.tdata.val().get_bits::<24>(0);
        self.ack_sender.req_psn.next = self.ack_fifo.m_axis.tdata.val().get_bits::<24>(24);
        self.ack_sender.req_msn.next = self.ack_fifo.m_axis.tdata.val().get_bits::<24>(48);
        self.ack_sender.req_syndrome.next = self.syndrome_ack.val();
        AxisSource::<64, 8, 1>::link(&mut self.m_axis_ack, &mut self.ack_sender.m_axis);
        self.acks_sent.next = self.ack_sender.sent.val();
        self.ack_drops.next = self.ack_drop_count.q.val();
        self.mac_errors.next = self.mac_error_count.q.val();
        self.write_errors.next = self.write_error_count.q.val();
        self.window_errors.next = self.window_error_count.q.val();

        if self.rst.val() {
            self.state.d.next = DispatchState::Idle;
            self.pop_header.d.next = false;
            self.frame_bad.d.next = false;
            self.rx_beat.d.next = 0.into();
            self.rx_discard.d.next = false;
            self.mac_error_count.d.next = 0.into();
            self.write_error_count.d.next = 0.into();
            self.write_failed_taken.d.next = false;
            self.window_error_count.d.next = 0.into();
            self.ack_drop_count.d.next = 0.into();
            self.check_step.d.next = 0.into();
            self.passing_reason.d.next = 0.into();
            self.poster_pop.d.next = false;
            self.poster_pop_status.d.next = false;
            self.cpl_out.d.next = false;
            self.fail_out.d.next = false;
        }
    }
}

crate::native_ports!(
    impl[] RdmaReceive;
    clk, rst, s_axis_rx.tdata, s_axis_rx.tkeep, s_axis_rx.tvalid, s_axis_rx.tready, s_axis_rx.tlast, s_axis_rx.tuser,
    m_axis_pass.tdata, m_axis_pass.tkeep, m_axis_pass.tvalid, m_axis_pass.tready, m_axis_pass.tlast, m_axis_pass.tuser,
    cmd_valid, cmd_ready, cmd_op, cmd_qp, cmd_first_psn, cmd_packets, cmd_va, cmd_length, cmd_rkey,
    cmd_path_mtu, cmd_cq, cmd_function, done_valid, done_status, done_entry,
    m_axi.awid, m_axi.awaddr, m_axi.awlen, m_axi.awsize, m_axi.awburst, m_axi.awlock, m_axi.awcache, m_axi.awprot,
    m_axi.awvalid, m_axi.awready, m_axi.wdata, m_axi.wstrb, m_axi.wlast, m_axi.wvalid, m_axi.wready, m_axi.bid,
    m_axi.bresp, m_axi.bvalid, m_axi.bready,
    cpl_valid, cpl_ready, cpl_cq, cpl_qp, cpl_length, cpl_has_imm, cpl_imm, fail_valid, fail_ready, fail_cq, fail_qp, fail_psn,
    roce_frames, icrc_errors, truncated_frames, placed_packets, dropped_duplicates, software_packets, entries,
    mac_errors, write_errors, window_function, window_base, window_limit, window_errors,
    m_axis_ack.tdata, m_axis_ack.tkeep, m_axis_ack.tvalid, m_axis_ack.tready, m_axis_ack.tlast, m_axis_ack.tuser,
    acks_sent, ack_drops,
);
