//! The RX engine: from a frame on `s_axis_rx_` to host buffers and ENA RX completions.
//!
//! Queue `q` owns rings `4q + 2` (RX submission: the host posts 16-byte ENA RX descriptors,
//! one buffer each) and `4q + 3` (RX completion: 16-byte ENA RX completions).
//!
//! **Input side** (at line rate, one beat per cycle): every frame is stored whole in a
//! 2048-beat FIFO while a parser looks at its first five beats: Ethernet type, IPv4 version
//! and header length, fragment bits, protocol, and the 4-tuple, from which it computes the
//! RSS Toeplitz hash (Microsoft's default key, the one the RSS specification's test vectors
//! use). At `tlast` a record goes into a metadata FIFO: {length, hash, ENA L3/L4 protocol
//! index, fragment, bad}. The engine starts on a frame only once its record is there, so it
//! never waits for the MAC in the middle of a frame (store and forward).
//!
//! Classification (documented contract, `testbench/src/models/rx.rs` models it):
//! * IPv4 = Ethernet type 0x0800 (no VLAN tag), version 4, header length >= 5 words;
//!   the frame must be longer than 40 bytes (a real one is at least 60) to be classified.
//! * TCP (6) / UDP (17) of an unfragmented IPv4 packet sets the L4 index; the hash covers
//!   {source, destination address, source, destination port} when the IPv4 header has no
//!   options (ports at bytes 34-37), else {source, destination address}; other frames hash 0.
//! * Steering: queue = the RSS indirection table's entry for the hash's low 7 bits
//!   (`rss_index` out, `rss_queue` back the cycle after; after reset the table is hash mod
//!   8, the ENA driver's default over 8 queues).
//!
//! **Engine side**, one frame at a time: ask the descriptor prefetch (`descriptors`) for the
//! queue's next RX descriptor, write the next `min(left, length & ~7)` bytes of the frame
//! into its buffer with the DMA write engine (buffers are filled in whole 8-byte words, so
//! a frame continues in the next buffer on a beat boundary), and repeat until the frame is
//! written. A buffer's completion is posted once the next buffer has been had (or the frame
//! has ended), so `last` is always right: {status: L3/L4 index, fragment, RDMA reason (bits
//! 19:17, reserved in ENA: why the RDMA path passed a RoCEv2 frame to software, 0 for other
//! frames), phase, first, last; length; req_id; hash; sub_qid}.
//!
//! **Beside the states**, so frames follow each other on the write engine's data stream:
//! * the descriptor prefetch (`descriptors.rs`) keeps up to four descriptors per active
//!   queue taken and fetched, in ring order, so a frame gets its buffer in three cycles
//!   instead of a take and a memory round trip;
//! * a buffer's beats stream to the write engine while the engine posts the completion and
//!   gets the next buffer ready: the writes issued wait in order in a four-entry queue
//!   (`issued`), whose head's beats stream, so the next write is issued, and its bursts
//!   start, while the beats before it still stream;
//! * a completion poster (`queue::poster`, as in TX) takes each completion's ring entry and
//!   checks it against the window of the completion ring's function, while the engine goes
//!   on with the next frame;
//! * completions wait in a FIFO, in the poster's order, until every data write up to their
//!   buffer's is answered (answers come in order: counters of writes issued and answered),
//!   so the host never sees a completion before its bytes; then they join the issued queue
//!   at the entry the poster got (or are dropped and counted, if it got none);
//! * a notifier sends each completion's notify (MSI-X if armed) once its write is answered.
//!
//! Bad input, each with a defined outcome and a counter:
//! * a frame the MAC marks bad (`tuser` on any beat), a non-final beat with partial `tkeep`,
//!   a frame of 0 bytes, or one longer than `MAX_RX_FRAME_BYTES` (cut at the limit on input,
//!   the rest discarded): dropped whole, `rx_errors`;
//! * no buffer (empty or disabled ring) for a frame's first buffer: the frame is dropped,
//!   `rx_drops`; the engine goes on with the next frame, so other queues never stall;
//! * the ring runs dry in the middle of a frame (a frame larger than all posted buffers):
//!   the buffers written are completed, the last with `last`, and the rest of the frame is
//!   dropped, `rx_truncated` (the host sees a frame shorter than its IP length says);
//! * an AXI error on a descriptor read (that buffer is lost; handled like a dry ring), a
//!   descriptor shorter than 8 bytes (same), an AXI error on a data or completion write,
//!   or a completion ring that is full or disabled: `rx_ring_errors`. ENA RX completions
//!   carry no error status; the counter is how the host learns of it.
//! * DMA windows: every DMA lies inside the window of its ring's function (`res_function`
//!   of the take or post, looked up in `windows::DmaWindows`), or it is not made, counted
//!   in `rx_window_errors` and in `rx_ring_errors` as the failure it stands for: a ring
//!   entry outside is not fetched (an unreadable descriptor), a buffer outside (the whole
//!   buffer its descriptor names) is not written (a buffer the engine cannot use), a
//!   completion entry outside is not written (a lost completion).
use crate::bus::AxisSink;
use crate::queue::notifier::Notifier;
use crate::queue::poster::{CompletionPoster, RX_COMPLETIONS, TAG_POST};
use crate::rx::descriptors::{RxDescriptors, GOT_NONE, GOT_OK, GOT_OUTSIDE};
use crate::short_queue::ShortQueue;
use crate::stream_fifo::{FifoFault, StreamFifo};
use rust_hdl::prelude::*;

pub mod descriptors;

/// RX queues served (rings `4q + 2`, `4q + 3`).
pub const RX_QUEUES: usize = crate::tx::TX_QUEUES;
/// Longest frame accepted (a 9000-byte MTU with room to spare); longer ones are dropped.
pub const MAX_RX_FRAME_BYTES: u64 = 9600;
/// Beats the frame FIFO holds: a longest frame and more.
pub const RX_FIFO_BEATS: usize = 2048;
const _: () = assert!((MAX_RX_FRAME_BYTES as usize) / 8 < RX_FIFO_BEATS);
/// The RSS key's first 16 bytes (Microsoft's default key, from the RSS specification's
/// "Verifying the RSS hash calculation"): a 96-bit IPv4 4-tuple needs 96 + 32 key bits.
pub const RSS_KEY_128: u128 = 0x6d5a56da_255b0ec2_4167253d_43a38fb0;
/// ENA protocol indexes (`ena_eth_io_defs.h`).
pub const ENA_L3_IPV4: u64 = 8;
pub const ENA_L4_TCP: u64 = 12;
pub const ENA_L4_UDP: u64 = 13;
/// DMA and queue-operation tags (bits 6:0; the NIC adds the requester in bit 7).
pub const TAG_DESCRIPTOR: u64 = 0x40;
pub const TAG_DATA: u64 = 0x41;
pub const TAG_COMPLETION: u64 = 0x42;
pub const TAG_NOTIFY: u64 = crate::queue::notifier::TAG_NOTIFY;

type FrameBeats = StreamFifo<64, 8, 1, 11, 12>;
/// Per frame: {RDMA reason 62:60, bad 59, fragment 58, l4 57:53, l3 52:48, hash 47:16, length 15:0}.
type FrameRecords = StreamFifo<64, 8, 1, 8, 9>;
/// Completions handed to the poster, waiting for their entry and their data's answer to be
/// written: {data writes issued with its buffer's 111:104, sub_qid 98:96, hash 95:64,
/// {req_id, length, status} 63:0} (the two ENA words, with the count in word 1's unused
/// bits; the status's phase bit comes from the poster's entry).
type PendingCompletions = StreamFifo<128, 16, 1, 5, 6>;

/// Where the engine is in a frame.
#[derive(Copy, Clone, PartialEq, Eq, Debug, LogicState)]
pub enum RxState {
    Idle,
    Take,
    NoBuffer,
    Window,
    WriteRequest,
    WriteStatus,
    Post,
    Drain,
}

/// What follows a completion handed to the poster.
const AFTER_WRITE: u64 = 0;
const AFTER_DRAIN: u64 = 1;
const AFTER_IDLE: u64 = 2;

#[derive(LogicBlock)]
pub struct RxEngine {
    pub clk: Signal<In, Clock>,
    pub rst: Signal<In, Bit>,
    /// Frames from the MAC (through the RDMA receive path). `tuser` bit 0 on any beat marks
    /// the frame bad; bits 3:1 of the last beat, why the RDMA path did not place it (0: not
    /// RoCEv2), go into the completion's status bits 19:17.
    pub s_axis_rx: AxisSink<64, 8, 4>,
    // Queue manager operation port.
    pub op_valid: Signal<Out, Bit>,
    pub op_ready: Signal<In, Bit>,
    pub op_ring: Signal<Out, Bits<8>>,
    pub op_code: Signal<Out, Bits<2>>,
    pub op_tag: Signal<Out, Bits<8>>,
    pub res_valid: Signal<In, Bit>,
    /// The tag of the operation answered (bits 6:0 are the engine's: take/post or notify).
    pub res_tag: Signal<In, Bits<8>>,
    pub res_status: Signal<In, Bits<2>>,
    pub res_addr: Signal<In, Bits<64>>,
    pub res_phase: Signal<In, Bit>,
    /// The function owning the ring answered (its DMA window applies).
    pub res_function: Signal<In, Bits<8>>,
    /// The DMA window of a function (`windows::DmaWindows`): asked for with
    /// `window_function`, answered the cycle after.
    pub window_function: Signal<Out, Bits<8>>,
    pub window_base: Signal<In, Bits<64>>,
    pub window_limit: Signal<In, Bits<64>>,
    /// The same for the completion poster (completion entries).
    pub completion_window_function: Signal<Out, Bits<8>>,
    pub completion_window_base: Signal<In, Bits<64>>,
    pub completion_window_limit: Signal<In, Bits<64>>,
    /// The queue manager's ring events, on ring `doorbell_ring`: a doorbell (the prefetch
    /// starts taking from an RX ring the host posted buffers to), a reset (base or control
    /// written: the prefetch forgets what it took from the ring).
    pub doorbell_valid: Signal<In, Bit>,
    pub doorbell_ring: Signal<In, Bits<8>>,
    pub ring_reset_valid: Signal<In, Bit>,
    /// The RSS indirection table (`rss::RssTable`): the low 7 bits of the hash of the frame
    /// at the head of the record FIFO, and the queue the table answers, the cycle after.
    pub rss_index: Signal<Out, Bits<7>>,
    pub rss_queue: Signal<In, Bits<3>>,
    // DMA read engine: descriptor fetches (the prefetch's).
    pub rd_desc_valid: Signal<Out, Bit>,
    pub rd_desc_ready: Signal<In, Bit>,
    pub rd_desc_addr: Signal<Out, Bits<64>>,
    pub rd_desc_len: Signal<Out, Bits<16>>,
    pub rd_desc_tag: Signal<Out, Bits<8>>,
    pub rd_data_tdata: Signal<In, Bits<64>>,
    pub rd_data_tvalid: Signal<In, Bit>,
    pub rd_data_tready: Signal<Out, Bit>,
    pub rd_data_tlast: Signal<In, Bit>,
    pub rd_data_tuser: Signal<In, Bits<9>>,
    // DMA write engine: frame data and completions.
    pub wr_desc_valid: Signal<Out, Bit>,
    pub wr_desc_ready: Signal<In, Bit>,
    pub wr_desc_addr: Signal<Out, Bits<64>>,
    pub wr_desc_len: Signal<Out, Bits<16>>,
    pub wr_desc_tag: Signal<Out, Bits<8>>,
    pub wr_data_tdata: Signal<Out, Bits<64>>,
    pub wr_data_tkeep: Signal<Out, Bits<8>>,
    pub wr_data_tvalid: Signal<Out, Bit>,
    pub wr_data_tready: Signal<In, Bit>,
    pub wr_data_tlast: Signal<Out, Bit>,
    pub wr_data_tuser: Signal<Out, Bits<1>>,
    pub wr_status_valid: Signal<In, Bit>,
    /// The tag of the write answered (bits 6:0: data or completion).
    pub wr_status_tag: Signal<In, Bits<8>>,
    pub wr_status_error: Signal<In, Bit>,
    /// Frames delivered whole; dropped for lack of a buffer; cut short; bad from the MAC;
    /// host-side errors (saturating counters).
    pub rx_packets: Signal<Out, Bits<32>>,
    pub rx_drops: Signal<Out, Bits<32>>,
    pub rx_truncated: Signal<Out, Bits<32>>,
    pub rx_errors: Signal<Out, Bits<32>>,
    pub rx_ring_errors: Signal<Out, Bits<32>>,
    /// DMAs refused for lying outside their function's window (saturating).
    pub rx_window_errors: Signal<Out, Bits<32>>,

    beats_fifo: FrameBeats,
    /// Sends each completion's notify once its write is answered; shares the op port.
    notifier: Notifier,
    /// Takes and fetches RX descriptors ahead; shares the op port.
    descriptors: RxDescriptors,
    /// Takes each completion's ring entry and checks its window; shares the op port.
    poster: CompletionPoster,
    /// The poster's and the prefetch's requests, before the notifier's turn.
    x_op_valid: Signal<Local, Bit>,
    x_op_ring: Signal<Local, Bits<8>>,
    x_op_code: Signal<Local, Bits<2>>,
    x_op_tag: Signal<Local, Bits<8>>,
    tag_notify: Constant<Bits<8>>,
    data_status: Signal<Local, Bit>,
    completion_answered: Signal<Local, Bit>,
    /// A data or completion write was answered with an error.
    count_write_error: Signal<Local, Bit>,
    /// The host-side errors of a cycle, registered (engine, write answer, completion lost),
    /// and how many.
    ring_error_events: DFF<Bits<3>>,
    ring_error_count: Signal<Local, Bits<34>>,
    /// The window refusals of a cycle, registered (engine's buffer, poster's completion
    /// entry), and how many.
    window_error_events: DFF<Bits<2>>,
    window_error_count: Signal<Local, Bits<34>>,
    /// The op port when the notifier does not have the turn.
    e_op_ready: Signal<Local, Bit>,
    records_fifo: FrameRecords,
    // Input side: the frame coming in.
    in_beat: DFF<Bits<11>>,
    in_bad: DFF<Bit>,
    /// Past `MAX_RX_FRAME_BYTES`: beats are taken and thrown away until `tlast`.
    in_discard: DFF<Bit>,
    in_ipv4: DFF<Bit>,
    in_no_options: DFF<Bit>,
    in_fragment: DFF<Bit>,
    in_protocol: DFF<Bits<8>>,
    in_hash_addresses: DFF<Bits<32>>,
    in_hash_ports: DFF<Bits<32>>,
    /// The record of the frame whose tlast was taken last cycle.
    record_push: DFF<Bit>,
    record: DFF<Bits<64>>,
    records_room: DFF<Bit>,
    in_take: Signal<Local, Bit>,
    in_push: Signal<Local, Bit>,
    in_bytes: Signal<Local, Bits<16>>,
    in_keep_count: Signal<Local, Bits<4>>,
    in_keep_packed: Signal<Local, Bit>,
    in_classified: Signal<Local, Bit>,
    in_l3: Signal<Local, Bits<5>>,
    in_l4: Signal<Local, Bits<5>>,
    in_hash: Signal<Local, Bits<32>>,
    in_frame_bad: Signal<Local, Bit>,
    in_l3_fragment: Signal<Local, Bit>,
    hash_beat3: Signal<Local, Bits<32>>,
    hash_beat4_addresses: Signal<Local, Bits<32>>,
    hash_beat4_ports: Signal<Local, Bits<32>>,
    rss_key: Constant<Bits<128>>,
    max_beat: Constant<Bits<11>>,

    // Engine side: the frame being written.
    state: DFF<RxState>,
    /// `state` is Idle, Drain: registers set and cleared with the state's own transitions,
    /// so the FIFOs' read ports do not wait for the state decode.
    idle: DFF<Bit>,
    draining: DFF<Bit>,
    /// The writes issued to the write engine whose data has not all gone, in order: {a
    /// completion 11, index of its last beat 10:0}. Its head's beats stream beside the
    /// states (`beat_index` of them gone), so the next write is issued, and its bursts
    /// start, while the one before still streams.
    issued: ShortQueue<12>,
    beat_index: DFF<Bits<11>>,
    /// The head is a buffer's data, a completion; its beat now is its last; a beat goes.
    stream_data: Signal<Local, Bit>,
    stream_completion: Signal<Local, Bit>,
    stream_last: Signal<Local, Bit>,
    stream_fire: Signal<Local, Bit>,
    /// A completion is issued and its beats have not gone (they come from the head of
    /// `completions_fifo`, so one at a time).
    completion_issued: DFF<Bit>,
    /// The completion whose last beat went last cycle, and its ring, for the notifier.
    written_push: DFF<Bit>,
    written_ring: DFF<Bits<8>>,
    /// The engine's data write may be issued now (room, and no completion going first).
    request_free: Signal<Local, Bit>,
    /// Data writes issued and answered (8-bit counts, fewer than 128 apart): a completion
    /// is written once the answers reach the count its buffer's write made.
    data_issued: DFF<Bits<8>>,
    data_answered: DFF<Bits<8>>,
    completions_fifo: PendingCompletions,
    /// The completion at the FIFO's head is settled: its data is answered and the poster's
    /// outcome for it is there (a register: a cycle late, and cleared as the head is taken,
    /// so the FIFO's read side starts at flip-flops).
    completion_due: DFF<Bit>,
    completion_lag: Signal<Local, Bits<8>>,
    /// The completion issued, taken off the FIFO as it is issued, until its beats go:
    /// {sub_qid 98:96, hash 95:64, {req_id, length, status} 63:0}.
    completion_words: DFF<Bits<99>>,
    /// The completion issued (or dropped) last cycle leaves the FIFO, and its outcome the
    /// poster, now: the pops are this register, so the read sides start at a flip-flop.
    completion_taken: DFF<Bit>,
    /// It is issued now (with room to queue the notify).
    completion_go: Signal<Local, Bit>,
    /// It has no entry to go to (the poster found the ring full or off, or the entry outside
    /// the window): dropped now and counted.
    completion_lost: Signal<Local, Bit>,

    /// The record at the FIFO's head was there a cycle ago too: `rss_queue` is its queue.
    head_steered: DFF<Bit>,
    /// A record is at the head and its queue is known.
    record_ready: Signal<Local, Bit>,
    after: DFF<Bits<2>>,
    queue: DFF<Bits<3>>,
    left: DFF<Bits<16>>,
    hash: DFF<Bits<32>>,
    l3: DFF<Bits<5>>,
    l4: DFF<Bits<5>>,
    fragment: DFF<Bit>,
    rdma_reason: DFF<Bits<3>>,
    // The descriptor the prefetch handed out: its buffer's length (0 = 64 KiB), req_id, address.
    desc_length: DFF<Bits<16>>,
    desc_req_id: DFF<Bits<16>>,
    desc_addr: DFF<Bits<48>>,
    buffer_error: DFF<Bit>,
    // The buffer being filled.
    chunk: DFF<Bits<16>>,
    /// The buffer being written ends the frame (`left` == `chunk`, set in WriteRequest).
    last_chunk: DFF<Bit>,
    buffer_addr: DFF<Bits<64>>,
    buffer_req_id: DFF<Bits<16>>,
    // The buffer written and waiting for its completion.
    have_written: DFF<Bit>,
    done_req_id: DFF<Bits<16>>,
    done_length: DFF<Bits<16>>,
    done_first: DFF<Bit>,
    done_last: DFF<Bit>,
    packets: DFF<Bits<32>>,
    drops: DFF<Bits<32>>,
    truncated: DFF<Bits<32>>,
    errors: DFF<Bits<32>>,
    ring_errors: DFF<Bits<32>>,
    // The buffer's window check (state Window): its step, the function of the submission
    // ring taken from (whose window applies to its buffers), the buffer's first and last
    // byte, and the registered verdict.
    check_step: DFF<Bits<2>>,
    take_function: DFF<Bits<8>>,
    check_first: DFF<Bits<64>>,
    check_last: DFF<Bits<64>>,
    /// [check_first, check_last] lies outside the window (or wraps): the three compares,
    /// each registered (below the base, past the limit, wrapping), and any of them.
    outside_parts: DFF<Bits<3>>,
    outside: Signal<Local, Bit>,
    window_errors: DFF<Bits<32>>,
    count_window_error: Signal<Local, Bit>,
    check_span: DFF<Bits<17>>,
    buffer_length: Signal<Local, Bits<17>>,
    usable: Signal<Local, Bits<17>>,
    take_bytes: Signal<Local, Bits<16>>,
    completion_status: Signal<Local, Bits<32>>,
    count_drop: Signal<Local, Bit>,
    count_truncated: Signal<Local, Bit>,
    count_error: Signal<Local, Bit>,
    count_ring_error: Signal<Local, Bit>,
    count_packet: Signal<Local, Bit>,
    tag_descriptor: Constant<Bits<8>>,
    tag_data: Constant<Bits<8>>,
    tag_completion: Constant<Bits<8>>,
    tag_post: Constant<Bits<8>>,
    l3_ipv4: Constant<Bits<5>>,
    l4_tcp: Constant<Bits<5>>,
    l4_udp: Constant<Bits<5>>,
    after_write: Constant<Bits<2>>,
    got_ok: Constant<Bits<2>>,
    got_none: Constant<Bits<2>>,
    got_outside: Constant<Bits<2>>,
    after_drain: Constant<Bits<2>>,
    after_idle: Constant<Bits<2>>,
}

impl Default for RxEngine {
    fn default() -> Self {
        Self {
            clk: Default::default(),
            rst: Default::default(),
            s_axis_rx: Default::default(),
            op_valid: Default::default(),
            op_ready: Default::default(),
            op_ring: Default::default(),
            op_code: Default::default(),
            op_tag: Default::default(),
            res_valid: Default::default(),
            res_tag: Default::default(),
            res_status: Default::default(),
            res_addr: Default::default(),
            res_phase: Default::default(),
            res_function: Default::default(),
            window_function: Default::default(),
            window_base: Default::default(),
            window_limit: Default::default(),
            completion_window_function: Default::default(),
            completion_window_base: Default::default(),
            completion_window_limit: Default::default(),
            rss_index: Default::default(),
            rss_queue: Default::default(),
            head_steered: Default::default(),
            record_ready: Default::default(),
            rd_desc_valid: Default::default(),
            rd_desc_ready: Default::default(),
            rd_desc_addr: Default::default(),
            rd_desc_len: Default::default(),
            rd_desc_tag: Default::default(),
            rd_data_tdata: Default::default(),
            rd_data_tvalid: Default::default(),
            rd_data_tready: Default::default(),
            rd_data_tlast: Default::default(),
            rd_data_tuser: Default::default(),
            wr_desc_valid: Default::default(),
            wr_desc_ready: Default::default(),
            wr_desc_addr: Default::default(),
            wr_desc_len: Default::default(),
            wr_desc_tag: Default::default(),
            wr_data_tdata: Default::default(),
            wr_data_tkeep: Default::default(),
            wr_data_tvalid: Default::default(),
            wr_data_tready: Default::default(),
            wr_data_tlast: Default::default(),
            wr_data_tuser: Default::default(),
            wr_status_valid: Default::default(),
            wr_status_tag: Default::default(),
            wr_status_error: Default::default(),
            rx_packets: Default::default(),
            rx_drops: Default::default(),
            rx_truncated: Default::default(),
            rx_errors: Default::default(),
            rx_ring_errors: Default::default(),
            rx_window_errors: Default::default(),
            beats_fifo: FrameBeats::new(FifoFault::None),
            notifier: Default::default(),
            descriptors: Default::default(),
            poster: CompletionPoster::new(RX_COMPLETIONS),
            x_op_valid: Default::default(),
            x_op_ring: Default::default(),
            x_op_code: Default::default(),
            x_op_tag: Default::default(),
            doorbell_valid: Default::default(),
            doorbell_ring: Default::default(),
            ring_reset_valid: Default::default(),
            tag_notify: Constant::new(TAG_NOTIFY.to_bits()),
            data_status: Default::default(),
            completion_answered: Default::default(),
            count_write_error: Default::default(),
            ring_error_events: Default::default(),
            ring_error_count: Default::default(),
            window_error_events: Default::default(),
            window_error_count: Default::default(),
            e_op_ready: Default::default(),
            records_fifo: FrameRecords::new(FifoFault::None),
            in_beat: Default::default(),
            in_bad: Default::default(),
            in_discard: Default::default(),
            in_ipv4: Default::default(),
            in_no_options: Default::default(),
            in_fragment: Default::default(),
            in_protocol: Default::default(),
            in_hash_addresses: Default::default(),
            in_hash_ports: Default::default(),
            record_push: Default::default(),
            record: Default::default(),
            records_room: Default::default(),
            in_take: Default::default(),
            in_push: Default::default(),
            in_bytes: Default::default(),
            in_keep_count: Default::default(),
            in_keep_packed: Default::default(),
            in_classified: Default::default(),
            in_l3: Default::default(),
            in_l4: Default::default(),
            in_hash: Default::default(),
            in_frame_bad: Default::default(),
            in_l3_fragment: Default::default(),
            hash_beat3: Default::default(),
            hash_beat4_addresses: Default::default(),
            hash_beat4_ports: Default::default(),
            rss_key: Constant::new(
                (Bits::<128>::from((RSS_KEY_128 >> 64) as u64) << 64) | Bits::<128>::from(RSS_KEY_128 as u64),
            ),
            max_beat: Constant::new((MAX_RX_FRAME_BYTES / 8 - 1).to_bits()),
            state: Default::default(),
            idle: Default::default(),
            issued: Default::default(),
            beat_index: Default::default(),
            stream_data: Default::default(),
            stream_completion: Default::default(),
            stream_last: Default::default(),
            stream_fire: Default::default(),
            completion_issued: Default::default(),
            written_push: Default::default(),
            written_ring: Default::default(),
            request_free: Default::default(),
            data_issued: Default::default(),
            data_answered: Default::default(),
            completions_fifo: PendingCompletions::new(FifoFault::None),
            completion_due: Default::default(),
            completion_lag: Default::default(),
            completion_words: Default::default(),
            completion_taken: Default::default(),
            completion_go: Default::default(),
            completion_lost: Default::default(),
            draining: Default::default(),
            after: Default::default(),
            queue: Default::default(),
            left: Default::default(),
            hash: Default::default(),
            l3: Default::default(),
            l4: Default::default(),
            fragment: Default::default(),
            rdma_reason: Default::default(),
            desc_length: Default::default(),
            desc_req_id: Default::default(),
            desc_addr: Default::default(),
            buffer_error: Default::default(),
            chunk: Default::default(),
            last_chunk: Default::default(),
            buffer_addr: Default::default(),
            buffer_req_id: Default::default(),
            have_written: Default::default(),
            done_req_id: Default::default(),
            done_length: Default::default(),
            done_first: Default::default(),
            done_last: Default::default(),
            packets: Default::default(),
            drops: Default::default(),
            truncated: Default::default(),
            errors: Default::default(),
            ring_errors: Default::default(),
            check_step: Default::default(),
            take_function: Default::default(),
            check_first: Default::default(),
            check_last: Default::default(),
            outside_parts: Default::default(),
            outside: Default::default(),
            window_errors: Default::default(),
            count_window_error: Default::default(),
            check_span: Default::default(),
            buffer_length: Default::default(),
            usable: Default::default(),
            take_bytes: Default::default(),
            completion_status: Default::default(),
            count_drop: Default::default(),
            count_truncated: Default::default(),
            count_error: Default::default(),
            count_ring_error: Default::default(),
            count_packet: Default::default(),
            tag_descriptor: Constant::new(TAG_DESCRIPTOR.to_bits()),
            tag_data: Constant::new(TAG_DATA.to_bits()),
            tag_completion: Constant::new(TAG_COMPLETION.to_bits()),
            tag_post: Constant::new(TAG_POST.to_bits()),
            l3_ipv4: Constant::new(ENA_L3_IPV4.to_bits()),
            l4_tcp: Constant::new(ENA_L4_TCP.to_bits()),
            l4_udp: Constant::new(ENA_L4_UDP.to_bits()),
            after_write: Constant::new(AFTER_WRITE.to_bits()),
            got_ok: Constant::new(GOT_OK.to_bits()),
            got_none: Constant::new(GOT_NONE.to_bits()),
            got_outside: Constant::new(GOT_OUTSIDE.to_bits()),
            after_drain: Constant::new(AFTER_DRAIN.to_bits()),
            after_idle: Constant::new(AFTER_IDLE.to_bits()),
        }
    }
}

impl Logic for RxEngine {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clk,
            in_beat,
            in_bad,
            in_discard,
            in_ipv4,
            in_no_options,
            in_fragment,
            in_protocol,
            in_hash_addresses,
            in_hash_ports,
            record_push,
            record,
            records_room,
            ring_error_events,
            window_error_events,
            state,
            idle,
            beat_index,
            completion_issued,
            written_push,
            written_ring,
            completion_due,
            completion_words,
            completion_taken,
            draining,
            data_issued,
            data_answered,
            head_steered,
            after,
            queue,
            left,
            hash,
            l3,
            l4,
            fragment,
            rdma_reason,
            desc_length,
            desc_req_id,
            desc_addr,
            buffer_error,
            chunk,
            last_chunk,
            buffer_addr,
            buffer_req_id,
            have_written,
            done_req_id,
            done_length,
            done_first,
            done_last,
            packets,
            drops,
            truncated,
            errors,
            ring_errors,
            check_step,
            take_function,
            check_first,
            check_last,
            check_span,
            outside_parts,
            window_errors
        );
        self.beats_fifo.clk.next = self.clk.val();
        self.beats_fifo.rst.next = self.rst.val();
        self.records_fifo.clk.next = self.clk.val();
        self.records_fifo.rst.next = self.rst.val();
        self.notifier.clk.next = self.clk.val();
        self.notifier.rst.next = self.rst.val();
        // A completion written: told to the notifier a cycle after its last beat (from a
        // register, off the write stream's handshake; its answer comes far later).
        self.written_push.d.next = false;
        self.notifier.written_valid.next = self.written_push.q.val();
        self.notifier.written_ring.next = self.written_ring.q.val();
        self.written_ring.d.next = (bit_cast::<8, 3>(self.completion_words.q.val().get_bits::<3>(96)) << 2) | 3;
        self.completions_fifo.clk.next = self.clk.val();
        self.completions_fifo.rst.next = self.rst.val();

        // ---- Input side ----
        // A beat is taken when the beat FIFO has room and the record FIFO room for the record
        // in flight and one more (a frame's record is pushed from a register the cycle after
        // its tlast; one rule for every beat keeps the handshake simple); it is stored unless
        // discarded.
        // (A register, one cycle behind the occupancy: below 254 then means below 255 now,
        // room for the record in flight and one more.)
        self.records_room.d.next = self.records_fifo.occupancy.val() < 254;
        self.s_axis_rx.tready.next = self.beats_fifo.s_axis.tready.val() & self.records_room.q.val();
        self.in_take.next = self.s_axis_rx.tvalid.val() & self.s_axis_rx.tready.val();
        self.in_push.next = self.in_take.val() & !self.in_discard.q.val();
        self.beats_fifo.s_axis.tvalid.next = self.in_push.val();
        self.beats_fifo.s_axis.tdata.next = self.s_axis_rx.tdata.val();
        self.beats_fifo.s_axis.tkeep.next = self.s_axis_rx.tkeep.val();
        self.beats_fifo.s_axis.tuser.next = 0.into();
        // The longest frame's last beat is stored with tlast; the rest is discarded.
        self.beats_fifo.s_axis.tlast.next = self.s_axis_rx.tlast.val() | (self.in_beat.q.val() == self.max_beat.val());

        // Bytes in this beat: tkeep must be packed from lane 0 (2^n - 1), so its highest lane
        // says how many (a broken tkeep marks the frame bad, its count does not matter).
        self.in_keep_count.next = 0.into();
        if self.s_axis_rx.tkeep.val().get_bit(0) {
            self.in_keep_count.next = 1.into();
        }
        if self.s_axis_rx.tkeep.val().get_bit(1) {
            self.in_keep_count.next = 2.into();
        }
        if self.s_axis_rx.tkeep.val().get_bit(2) {
            self.in_keep_count.next = 3.into();
        }
        if self.s_axis_rx.tkeep.val().get_bit(3) {
            self.in_keep_count.next = 4.into();
        }
        if self.s_axis_rx.tkeep.val().get_bit(4) {
            self.in_keep_count.next = 5.into();
        }
        if self.s_axis_rx.tkeep.val().get_bit(5) {
            self.in_keep_count.next = 6.into();
        }
        if self.s_axis_rx.tkeep.val().get_bit(6) {
            self.in_keep_count.next = 7.into();
        }
        if self.s_axis_rx.tkeep.val().get_bit(7) {
            self.in_keep_count.next = 8.into();
        }
        self.in_keep_packed.next = (self.s_axis_rx.tkeep.val() & (self.s_axis_rx.tkeep.val() + 1)) == 0;

        // Toeplitz hash contributions: input bit p (MSB first) of the 12-byte tuple {source
        // address, destination address, source port, destination port} adds key bits
        // p..p+31, which are `rss_key >> (96 - p)`. Beat 3 lanes 2-7 hold tuple bytes 0-5,
        // beat 4 lanes 0-1 bytes 6-7 (the addresses) and lanes 2-5 bytes 8-11 (the ports).
        self.hash_beat3.next = 0.into();
        self.hash_beat4_addresses.next = 0.into();
        self.hash_beat4_ports.next = 0.into();
        for lane in 2..8 {
            for bit in 0..8 {
                if self.s_axis_rx.tdata.val().get_bit(lane * 8 + bit) {
                    self.hash_beat3.next =
                        self.hash_beat3.val() ^ self.rss_key.val().get_bits::<32>(105 - 8 * lane + bit);
                }
            }
        }
        for lane in 0..2 {
            for bit in 0..8 {
                if self.s_axis_rx.tdata.val().get_bit(lane * 8 + bit) {
                    self.hash_beat4_addresses.next =
                        self.hash_beat4_addresses.val() ^ self.rss_key.val().get_bits::<32>(41 - 8 * lane + bit);
                }
            }
        }
        for lane in 2..6 {
            for bit in 0..8 {
                if self.s_axis_rx.tdata.val().get_bit(lane * 8 + bit) {
                    self.hash_beat4_ports.next =
                        self.hash_beat4_ports.val() ^ self.rss_key.val().get_bits::<32>(41 - 8 * lane + bit);
                }
            }
        }

        if self.in_take.val() {
            if !self.in_discard.q.val() {
                self.in_beat.d.next = self.in_beat.q.val() + 1;
            }
            if self.in_beat.q.val() == self.max_beat.val() {
                self.in_discard.d.next = true;
            }
            if self.s_axis_rx.tuser.val().get_bit(0)
                | (!self.s_axis_rx.tlast.val() & (self.s_axis_rx.tkeep.val() != 0xFF))
                | !self.in_keep_packed.val()
                | (self.in_beat.q.val() == self.max_beat.val()) & !self.s_axis_rx.tlast.val()
            {
                self.in_bad.d.next = true;
            }
            // Beat 1: bytes 12-13 the Ethernet type, 14 version and header length.
            if self.in_beat.q.val() == 1 {
                self.in_ipv4.d.next = (self.s_axis_rx.tdata.val().get_bits::<16>(32) == 0x0008)
                    & (self.s_axis_rx.tdata.val().get_bits::<4>(52) == 4)
                    & (self.s_axis_rx.tdata.val().get_bits::<4>(48) >= 5);
                self.in_no_options.d.next = self.s_axis_rx.tdata.val().get_bits::<4>(48) == 5;
            }
            // Beat 2: bytes 20-21 flags and fragment offset, 23 the protocol.
            if self.in_beat.q.val() == 2 {
                self.in_fragment.d.next = (self.s_axis_rx.tdata.val().get_bits::<6>(32) != 0)
                    | (self.s_axis_rx.tdata.val().get_bits::<8>(40) != 0);
                self.in_protocol.d.next = self.s_axis_rx.tdata.val().get_bits::<8>(56);
            }
            if self.in_beat.q.val() == 3 {
                self.in_hash_addresses.d.next = self.hash_beat3.val();
            }
            if self.in_beat.q.val() == 4 {
                self.in_hash_addresses.d.next = self.in_hash_addresses.q.val() ^ self.hash_beat4_addresses.val();
                self.in_hash_ports.d.next = self.hash_beat4_ports.val();
            }
            if self.s_axis_rx.tlast.val() {
                self.in_beat.d.next = 0.into();
                self.in_bad.d.next = false;
                self.in_discard.d.next = false;
            }
        }

        // The frame's record, registered with its tlast beat and pushed the cycle after.
        // Beats before the last are full, so the length is 8 per beat plus the last beat's
        // bytes (8 of them: one more whole beat).
        self.in_bytes.next = (bit_cast::<16, 11>(self.in_beat.q.val()) << 3)
            | bit_cast::<16, 3>(self.in_keep_count.val().get_bits::<3>(0));
        if self.in_keep_count.val() == 8 {
            self.in_bytes.next = bit_cast::<16, 11>(self.in_beat.q.val() + 1) << 3;
        }
        self.in_classified.next = self.in_ipv4.q.val() & (self.in_beat.q.val() > 4);
        self.in_l3.next = 0.into();
        self.in_l4.next = 0.into();
        self.in_hash.next = 0.into();
        if self.in_classified.val() {
            self.in_l3.next = self.l3_ipv4.val();
            self.in_hash.next = self.in_hash_addresses.q.val();
            if !self.in_fragment.q.val() & ((self.in_protocol.q.val() == 6) | (self.in_protocol.q.val() == 17)) {
                if self.in_protocol.q.val() == 6 {
                    self.in_l4.next = self.l4_tcp.val();
                } else {
                    self.in_l4.next = self.l4_udp.val();
                }
                if self.in_no_options.q.val() {
                    self.in_hash.next = self.in_hash_addresses.q.val() ^ self.in_hash_ports.q.val();
                }
            }
        }
        self.in_frame_bad.next = self.in_bad.q.val()
            | self.in_discard.q.val()
            | self.s_axis_rx.tuser.val().get_bit(0)
            | !self.in_keep_packed.val()
            | (self.in_bytes.val() == 0);
        self.in_l3_fragment.next = self.in_classified.val() & self.in_fragment.q.val();
        self.record_push.d.next = self.in_take.val() & self.s_axis_rx.tlast.val();
        self.record.d.next = bit_cast::<64, 16>(self.in_bytes.val())
            | (bit_cast::<64, 32>(self.in_hash.val()) << 16)
            | (bit_cast::<64, 5>(self.in_l3.val()) << 48)
            | (bit_cast::<64, 5>(self.in_l4.val()) << 53)
            | (bit_cast::<64, 1>(self.in_l3_fragment.val().into()) << 58)
            | (bit_cast::<64, 1>(self.in_frame_bad.val().into()) << 59)
            | (bit_cast::<64, 3>(self.s_axis_rx.tuser.val().get_bits::<3>(1)) << 60);
        self.records_fifo.s_axis.tvalid.next = self.record_push.q.val();
        self.records_fifo.s_axis.tdata.next = self.record.q.val();
        self.records_fifo.s_axis.tkeep.next = 0xFF.into();
        self.records_fifo.s_axis.tlast.next = true;
        self.records_fifo.s_axis.tuser.next = 0.into();

        // ---- Engine side ----
        // The completion poster: requests from Post, outcomes to the completion writer.
        self.poster.clk.next = self.clk.val();
        self.poster.rst.next = self.rst.val();
        self.poster.request_valid.next = false;
        self.poster.request_queue.next = self.queue.q.val();
        self.poster.res_valid.next = self.res_valid.val();
        self.poster.res_tag.next = self.res_tag.val();
        self.poster.res_status.next = self.res_status.val();
        self.poster.res_addr.next = self.res_addr.val();
        self.poster.res_phase.next = self.res_phase.val();
        self.poster.res_function.next = self.res_function.val();
        self.completion_window_function.next = self.poster.window_function.val();
        self.poster.window_base.next = self.completion_window_base.val();
        self.poster.window_limit.next = self.completion_window_limit.val();
        self.poster.result_pop.next = self.completion_taken.q.val();
        // The descriptor prefetch: its fetches, window lookups, ring resets.
        self.descriptors.clk.next = self.clk.val();
        self.descriptors.rst.next = self.rst.val();
        self.descriptors.want_valid.next = false;
        self.descriptors.want_queue.next = self.queue.q.val();
        self.rd_desc_valid.next = self.descriptors.rd_desc_valid.val();
        self.descriptors.rd_desc_ready.next = self.rd_desc_ready.val();
        self.rd_desc_addr.next = self.descriptors.rd_desc_addr.val();
        self.rd_desc_len.next = 16.into();
        self.rd_desc_tag.next = self.tag_descriptor.val();
        self.descriptors.rd_data_tdata.next = self.rd_data_tdata.val();
        self.descriptors.rd_data_tvalid.next = self.rd_data_tvalid.val();
        self.descriptors.rd_data_tlast.next = self.rd_data_tlast.val();
        self.descriptors.rd_data_tuser.next = self.rd_data_tuser.val();
        self.rd_data_tready.next = self.descriptors.rd_data_tready.val();
        self.descriptors.window_base.next = self.window_base.val();
        self.descriptors.window_limit.next = self.window_limit.val();
        self.descriptors.doorbell_valid.next = self.doorbell_valid.val();
        self.descriptors.ring_reset_valid.next = self.ring_reset_valid.val();
        self.descriptors.event_ring.next = self.doorbell_ring.val();
        self.descriptors.res_status.next = self.res_status.val();
        self.descriptors.res_addr.next = self.res_addr.val();
        self.descriptors.res_function.next = self.res_function.val();
        self.descriptors.take_answered.next =
            self.res_valid.val() & (self.res_tag.val().get_bits::<7>(0) == self.tag_descriptor.val().get_bits::<7>(0));
        self.wr_desc_valid.next = false;
        self.wr_desc_addr.next = self.buffer_addr.q.val();
        self.wr_desc_len.next = self.chunk.q.val();
        self.wr_desc_tag.next = self.tag_data.val();
        self.completions_fifo.s_axis.tvalid.next = false;
        // The completion at the FIFO's head is issued now (see the completion writer below).
        self.completion_lag.next =
            self.data_answered.q.val() - self.completions_fifo.m_axis.tdata.val().get_bits::<8>(104);
        // (Not the head being taken: it is still shown in the cycle it leaves. The poster's
        // oldest outcome is the head's: both are queued in Post, in the same order.)
        self.completion_due.d.next = self.completions_fifo.m_axis.tvalid.val()
            & self.poster.result_valid.val()
            & (self.completion_lag.val() < 128)
            & !self.completion_taken.q.val();
        self.completion_taken.d.next = false;
        self.completion_go.next = self.completion_due.q.val()
            & self.poster.result_write.val()
            & self.notifier.written_ready.val()
            & self.issued.room.val()
            & !self.completion_issued.q.val();
        self.completion_lost.next = self.completion_due.q.val() & !self.poster.result_write.val();
        self.request_free.next = self.issued.room.val() & !self.completion_go.val();
        // The issued writes: pushed as their descriptors are taken (WriteRequest, the
        // completion writer), popped as their last beats go.
        self.issued.clk.next = self.clk.val();
        self.issued.rst.next = self.rst.val();
        self.issued.push.next = false;
        self.issued.push_data.next = bit_cast::<12, 16>((self.chunk.q.val() - 1) >> 3);
        self.issued.pop.next = false;
        self.stream_data.next = self.issued.head_valid.val() & !self.issued.head.val().get_bit(11);
        self.stream_completion.next = self.issued.head_valid.val() & self.issued.head.val().get_bit(11);
        self.stream_last.next = self.beat_index.q.val() == self.issued.head.val().get_bits::<11>(0);
        // The head's beats: a buffer's from the frame FIFO, a completion's two from
        // `completion_words` (ENA RX completion: {status, length, req_id}, then {hash,
        // sub_qid, 0}).
        self.wr_data_tvalid.next =
            (self.stream_data.val() & self.beats_fifo.m_axis.tvalid.val()) | self.stream_completion.val();
        self.wr_data_tdata.next = self.beats_fifo.m_axis.tdata.val();
        self.wr_data_tkeep.next = self.beats_fifo.m_axis.tkeep.val();
        if self.stream_completion.val() {
            self.wr_data_tkeep.next = 0xFF.into();
            self.wr_data_tdata.next = self.completion_words.q.val().get_bits::<64>(0);
            if self.beat_index.q.val().get_bit(0) {
                self.wr_data_tdata.next = bit_cast::<64, 35>(self.completion_words.q.val().get_bits::<35>(64));
            }
        }
        self.wr_data_tlast.next = self.stream_last.val();
        self.wr_data_tuser.next = 0.into();
        self.stream_fire.next = ((self.stream_data.val() & self.beats_fifo.m_axis.tvalid.val())
            | self.stream_completion.val())
            & self.wr_data_tready.val();
        self.completions_fifo.m_axis.tready.next = self.completion_taken.q.val();
        if self.stream_fire.val() {
            self.beat_index.d.next = self.beat_index.q.val() + 1;
            if self.stream_last.val() {
                self.beat_index.d.next = 0.into();
                self.issued.pop.next = true;
                if self.stream_completion.val() {
                    // The notifier sends the notify once this write is answered.
                    self.completion_issued.d.next = false;
                    self.written_push.d.next = true;
                }
            }
        }
        // The beat FIFO is read as the write engine takes a buffer's beats, and in Drain
        // (freely, once the writes issued before have taken theirs); flag registers say
        // which, so the FIFO's read address does not wait for the state decode.
        self.beats_fifo.m_axis.tready.next = (self.stream_data.val() & self.wr_data_tready.val())
            | (self.draining.q.val() & !self.issued.head_valid.val());
        // Steering: the table is asked for the head record's queue as the record appears,
        // and the record is taken once the answer is there.
        self.rss_index.next = self.records_fifo.m_axis.tdata.val().get_bits::<7>(16);
        self.records_fifo.m_axis.tready.next = self.idle.q.val() & self.head_steered.q.val();
        self.head_steered.d.next =
            self.records_fifo.m_axis.tvalid.val() & !(self.idle.q.val() & self.head_steered.q.val());
        self.record_ready.next = self.records_fifo.m_axis.tvalid.val() & self.head_steered.q.val();
        self.count_drop.next = false;
        self.count_truncated.next = false;
        self.count_error.next = false;
        self.count_ring_error.next = false;
        self.count_packet.next = false;

        // The buffer's length (0 = 64 KiB); it is filled in whole words.
        self.buffer_length.next = bit_cast::<17, 16>(self.desc_length.q.val());
        if self.desc_length.q.val() == 0 {
            self.buffer_length.next = 0x10000.into();
        }
        self.usable.next = self.buffer_length.val() & 0x1FFF8;
        self.take_bytes.next = self.left.q.val();
        if self.usable.val() < bit_cast::<17, 16>(self.left.q.val()) {
            self.take_bytes.next = self.usable.val().get_bits::<16>(0);
        }
        // ENA RX completion status: l3 4:0, l4 12:8, ipv4_frag 15, phase 24, first 26, last 27;
        // ferronic's RDMA reason in the reserved bits 19:17.
        // (The phase is the poster's, set as the completion is issued.)
        self.completion_status.next = bit_cast::<32, 5>(self.l3.q.val())
            | (bit_cast::<32, 5>(self.l4.q.val()) << 8)
            | (bit_cast::<32, 1>(self.fragment.q.val().into()) << 15)
            | (bit_cast::<32, 3>(self.rdma_reason.q.val()) << 17)
            | (bit_cast::<32, 1>(self.done_first.q.val().into()) << 26)
            | (bit_cast::<32, 1>(self.done_last.q.val().into()) << 27);

        // Answers for the engine and for the notifier (see below), by tag.
        self.data_status.next = self.wr_status_valid.val()
            & (self.wr_status_tag.val().get_bits::<7>(0) == self.tag_data.val().get_bits::<7>(0));
        self.completion_answered.next = self.wr_status_valid.val()
            & (self.wr_status_tag.val().get_bits::<7>(0) == self.tag_completion.val().get_bits::<7>(0));
        self.e_op_ready.next = self.op_ready.val() & !self.notifier.turn.val();
        // Data writes answered (a failed one is counted as it is answered).
        if self.data_status.val() {
            self.data_answered.d.next = self.data_answered.q.val() + 1;
        }
        // The buffer's window check, three cycles in Window, from its first byte and its span
        // less one (registered in Take): its last byte (step 0), the compare with the window
        // (1: the lookup asked for on entering Window answered), the verdict, with what the
        // buffer is used for (2). Each step registered: a 64-bit add or compare into the next
        // is too long a path for a cycle.
        // The window lookup is the engine's in Window, the prefetch's otherwise (it waits
        // for its turn, `window_free`; the answer comes the cycle after either way).
        self.window_function.next = self.descriptors.window_function.val();
        self.descriptors.window_free.next = true;
        if self.state.q.val() == RxState::Window {
            self.window_function.next = self.take_function.q.val();
            self.descriptors.window_free.next = false;
        }
        self.outside_parts.d.next = bit_cast::<3, 1>((self.check_first.q.val() < self.window_base.val()).into())
            | (bit_cast::<3, 1>((self.check_last.q.val() > self.window_limit.val()).into()) << 1)
            | (bit_cast::<3, 1>((self.check_last.q.val() < self.check_first.q.val()).into()) << 2);
        self.outside.next = self.outside_parts.q.val() != 0;
        self.count_window_error.next = false;
        match self.state.q.val() {
            RxState::Idle => {
                if self.record_ready.val() {
                    self.left.d.next = self.records_fifo.m_axis.tdata.val().get_bits::<16>(0);
                    self.hash.d.next = self.records_fifo.m_axis.tdata.val().get_bits::<32>(16);
                    self.queue.d.next = self.rss_queue.val();
                    self.l3.d.next = self.records_fifo.m_axis.tdata.val().get_bits::<5>(48);
                    self.l4.d.next = self.records_fifo.m_axis.tdata.val().get_bits::<5>(53);
                    self.fragment.d.next = self.records_fifo.m_axis.tdata.val().get_bit(58);
                    self.rdma_reason.d.next = self.records_fifo.m_axis.tdata.val().get_bits::<3>(60);
                    self.have_written.d.next = false;
                    self.idle.d.next = false;
                    if self.records_fifo.m_axis.tdata.val().get_bit(59) {
                        self.count_error.next = true;
                        self.draining.d.next = true;
                        self.state.d.next = RxState::Drain;
                    } else {
                        self.state.d.next = RxState::Take;
                    }
                }
            }
            RxState::Take => {
                // The queue's next descriptor, from the prefetch. Its buffer is checked
                // against the window of the ring's function next (set every cycle here, off
                // the answer's path).
                self.descriptors.want_valid.next = true;
                self.take_function.d.next = self.descriptors.got_function.val();
                self.desc_length.d.next = self.descriptors.got_length.val();
                self.desc_req_id.d.next = self.descriptors.got_req_id.val();
                self.desc_addr.d.next = self.descriptors.got_addr.val();
                self.check_first.d.next = bit_cast::<64, 48>(self.descriptors.got_addr.val());
                self.check_span.d.next = self.descriptors.got_span.val();
                self.buffer_error.d.next = self.descriptors.got_status.val() != self.got_ok.val();
                if self.descriptors.got_valid.val() {
                    if self.descriptors.got_status.val() == self.got_none.val() {
                        self.state.d.next = RxState::NoBuffer;
                    } else {
                        // Unreadable, or outside the ring function's window (so not read):
                        // that buffer is lost (Window's verdict counts the ring error).
                        if self.descriptors.got_status.val() == self.got_outside.val() {
                            self.count_window_error.next = true;
                        }
                        self.state.d.next = RxState::Window;
                    }
                }
            }
            RxState::NoBuffer => {
                // No (usable) buffer: drop the frame, or cut it after the buffers written.
                if self.have_written.q.val() {
                    self.count_truncated.next = true;
                    self.done_last.d.next = true;
                    self.after.d.next = self.after_drain.val();
                    self.state.d.next = RxState::Post;
                } else {
                    self.count_drop.next = true;
                    self.draining.d.next = true;
                    self.state.d.next = RxState::Drain;
                }
            }
            RxState::Window => {
                self.check_last.d.next = self.check_first.q.val() + bit_cast::<64, 17>(self.check_span.q.val());
                self.check_step.d.next = self.check_step.q.val() + 1;
                self.chunk.d.next = self.take_bytes.val();
                self.buffer_addr.d.next = bit_cast::<64, 48>(self.desc_addr.q.val());
                self.buffer_req_id.d.next = self.desc_req_id.q.val();
                if self.check_step.q.val() == 2 {
                    self.check_step.d.next = 0.into();
                    // Outside the window: not written, as a buffer the engine cannot use. A
                    // descriptor unusable already is not counted again.
                    if self.outside.val() & !self.buffer_error.q.val() & (self.usable.val() != 0) {
                        self.count_window_error.next = true;
                    }
                    if self.buffer_error.q.val() | self.outside.val() | (self.usable.val() == 0) {
                        self.count_ring_error.next = true;
                        self.state.d.next = RxState::NoBuffer;
                    } else if self.have_written.q.val() {
                        // The written buffer is not the frame's last: complete it, then go on.
                        self.done_last.d.next = false;
                        self.after.d.next = self.after_write.val();
                        self.state.d.next = RxState::Post;
                    } else {
                        self.state.d.next = RxState::WriteRequest;
                    }
                }
            }
            RxState::WriteRequest => {
                // Whether the buffer ends the frame, from the registered byte count (off
                // Window's verdict). The write is issued while the writes before still stream
                // (up to four in the `issued` queue), after a completion that is due (see the
                // completion writer below).
                self.last_chunk.d.next = self.left.q.val() == self.chunk.q.val();
                self.wr_desc_valid.next = self.request_free.val();
                if self.request_free.val() & self.wr_desc_ready.val() {
                    // The beats stream beside the states (above), so the engine goes on with
                    // the completion and the next buffer meanwhile.
                    self.issued.push.next = true;
                    self.data_issued.d.next = self.data_issued.q.val() + 1;
                    self.state.d.next = RxState::WriteStatus;
                }
            }
            RxState::WriteStatus => {
                // A buffer with more of the frame to follow goes on to the next buffer at once;
                // the frame's last to its completion's post; the completion's write waits in
                // `completions_fifo` for the data's answer (the completion writer, below).
                self.done_req_id.d.next = self.buffer_req_id.q.val();
                self.done_length.d.next = self.chunk.q.val();
                self.done_first.d.next = !self.have_written.q.val();
                self.have_written.d.next = true;
                self.left.d.next = self.left.q.val() - self.chunk.q.val();
                if self.last_chunk.q.val() {
                    self.count_packet.next = true;
                    self.done_last.d.next = true;
                    self.after.d.next = self.after_idle.val();
                    self.state.d.next = RxState::Post;
                } else {
                    self.state.d.next = RxState::Take;
                }
            }
            RxState::Post => {
                // The completion goes to the poster (its entry and window check) and into
                // the FIFO (to wait for its entry and its data's answer) at once; the engine
                // goes on.
                self.poster.request_valid.next = self.completions_fifo.s_axis.tready.val();
                self.completions_fifo.s_axis.tvalid.next = self.poster.request_ready.val();
                if self.completions_fifo.s_axis.tready.val() & self.poster.request_ready.val() {
                    if self.after.q.val() == self.after_write.val() {
                        self.state.d.next = RxState::WriteRequest;
                    } else if self.after.q.val() == self.after_drain.val() {
                        self.draining.d.next = true;
                        self.state.d.next = RxState::Drain;
                    } else {
                        self.idle.d.next = true;
                        self.state.d.next = RxState::Idle;
                    }
                }
            }
            RxState::Drain => {
                // The rest of a frame that is not delivered, up to its tlast (after the beats
                // of a buffer still being written, which come first).
                if !self.issued.head_valid.val()
                    & self.beats_fifo.m_axis.tvalid.val()
                    & self.beats_fifo.m_axis.tlast.val()
                {
                    self.draining.d.next = false;
                    self.idle.d.next = true;
                    self.state.d.next = RxState::Idle;
                }
            }
        }

        // ---- Completion writer ----
        // The completion at the FIFO's head is issued once every data write issued up to its
        // buffer's is answered (answers come in order) and the poster has its entry, with
        // room to queue its notify; its beats follow the writes issued before it (the write
        // engine takes data in descriptor order). With no entry (ring full or off, entry
        // outside the window) it is dropped and counted instead.
        self.completions_fifo.s_axis.tdata.next = bit_cast::<128, 32>(self.completion_status.val())
            | (bit_cast::<128, 16>(self.done_length.q.val()) << 32)
            | (bit_cast::<128, 16>(self.done_req_id.q.val()) << 48)
            | (bit_cast::<128, 32>(self.hash.q.val()) << 64)
            | (bit_cast::<128, 3>(self.queue.q.val()) << 96)
            | (bit_cast::<128, 8>(self.data_issued.q.val()) << 104);
        self.completions_fifo.s_axis.tkeep.next = 0xFFFF.into();
        self.completions_fifo.s_axis.tlast.next = true;
        self.completions_fifo.s_axis.tuser.next = 0.into();
        if self.completion_go.val() {
            // Its two beats follow the writes issued before it (see the issued queue above).
            self.wr_desc_valid.next = true;
            self.wr_desc_addr.next = self.poster.result_addr.val();
            self.wr_desc_len.next = 16.into();
            self.wr_desc_tag.next = self.tag_completion.val();
            // {a completion (bit 11), its last beat's index 1}.
            self.issued.push_data.next = 0x801.into();
            if self.wr_desc_ready.val() {
                self.issued.push.next = true;
                self.completion_issued.d.next = true;
                self.completion_taken.d.next = true;
                self.completion_words.d.next = self.completions_fifo.m_axis.tdata.val().get_bits::<99>(0)
                    | (bit_cast::<99, 1>(self.poster.result_phase.val().into()) << 24);
                self.completion_due.d.next = false;
            }
        }
        if self.completion_lost.val() {
            self.completion_taken.d.next = true;
            self.completion_due.d.next = false;
        }

        // ---- Notifier ----
        // Write statuses come back in order: data ones go to the engine, completion ones to
        // the notifier (and failed ones to the counter).
        self.notifier.answered.next = self.completion_answered.val();
        self.count_write_error.next =
            (self.data_status.val() | self.completion_answered.val()) & self.wr_status_error.val();
        // The poster's post goes before the prefetch's take (the poster then waits for the
        // post's answer, so the take is not held off for long).
        self.x_op_valid.next = self.poster.asking.val() | self.descriptors.op_valid.val();
        self.x_op_ring.next = self.poster.ring.val();
        self.x_op_code.next = 1.into();
        self.x_op_tag.next = self.tag_post.val();
        if !self.poster.asking.val() {
            self.x_op_ring.next = self.descriptors.op_ring.val();
            self.x_op_code.next = 0.into();
            self.x_op_tag.next = self.tag_descriptor.val();
        }
        self.poster.granted.next = self.e_op_ready.val() & self.poster.asking.val();
        self.descriptors.op_ready.next = self.e_op_ready.val() & !self.poster.asking.val();
        self.notifier.e_op_valid.next = self.x_op_valid.val();
        self.notifier.op_ready.next = self.op_ready.val();
        self.notifier.res_valid.next = self.res_valid.val();
        self.notifier.res_tag.next = self.res_tag.val();
        // The operation port shows the request of the one the notifier's turn names.
        self.op_valid.next = (self.x_op_valid.val() & !self.notifier.turn.val())
            | (self.notifier.requesting.val() & self.notifier.turn.val());
        self.op_ring.next = self.x_op_ring.val();
        self.op_code.next = self.x_op_code.val();
        self.op_tag.next = self.x_op_tag.val();
        if self.notifier.turn.val() {
            self.op_ring.next = self.notifier.ring.val();
            self.op_code.next = 2.into();
            self.op_tag.next = self.tag_notify.val();
        }

        if self.count_packet.val() & (self.packets.q.val() != 0xFFFF_FFFF_u64) {
            self.packets.d.next = self.packets.q.val() + 1;
        }
        if self.count_drop.val() & (self.drops.q.val() != 0xFFFF_FFFF_u64) {
            self.drops.d.next = self.drops.q.val() + 1;
        }
        if self.count_truncated.val() & (self.truncated.q.val() != 0xFFFF_FFFF_u64) {
            self.truncated.d.next = self.truncated.q.val() + 1;
        }
        if self.count_error.val() & (self.errors.q.val() != 0xFFFF_FFFF_u64) {
            self.errors.d.next = self.errors.q.val() + 1;
        }
        // The engine, the write answers and the completion writer may each count a host-side
        // error in one cycle, and the engine and the poster a window refusal; the
        // events are registered first (the counters lag a cycle, off the status path), then
        // added, saturating.
        self.ring_error_events.d.next = (bit_cast::<3, 1>(self.completion_lost.val().into()) << 2)
            | (bit_cast::<3, 1>(self.count_write_error.val().into()) << 1)
            | bit_cast::<3, 1>(self.count_ring_error.val().into());
        self.ring_error_count.next = bit_cast::<34, 32>(self.ring_errors.q.val())
            + bit_cast::<34, 1>(self.ring_error_events.q.val().get_bits::<1>(0))
            + bit_cast::<34, 1>(self.ring_error_events.q.val().get_bits::<1>(1))
            + bit_cast::<34, 1>(self.ring_error_events.q.val().get_bits::<1>(2));
        self.ring_errors.d.next = self.ring_error_count.val().get_bits::<32>(0);
        if self.ring_error_count.val().get_bits::<2>(32) != 0 {
            self.ring_errors.d.next = 0xFFFF_FFFF_u64.into();
        }
        self.window_error_events.d.next = (bit_cast::<2, 1>(self.poster.window_refused.val().into()) << 1)
            | bit_cast::<2, 1>(self.count_window_error.val().into());
        self.window_error_count.next = bit_cast::<34, 32>(self.window_errors.q.val())
            + bit_cast::<34, 1>(self.window_error_events.q.val().get_bits::<1>(0))
            + bit_cast::<34, 1>(self.window_error_events.q.val().get_bits::<1>(1));
        self.window_errors.d.next = self.window_error_count.val().get_bits::<32>(0);
        if self.window_error_count.val().get_bits::<2>(32) != 0 {
            self.window_errors.d.next = 0xFFFF_FFFF_u64.into();
        }
        if self.rst.val() {
            self.in_beat.d.next = 0.into();
            self.in_bad.d.next = false;
            self.in_discard.d.next = false;
            self.record_push.d.next = false;
            self.state.d.next = RxState::Idle;
            self.idle.d.next = true;
            self.beat_index.d.next = 0.into();
            self.completion_issued.d.next = false;
            self.written_push.d.next = false;
            self.completion_due.d.next = false;
            self.completion_taken.d.next = false;
            self.draining.d.next = false;
            self.data_issued.d.next = 0.into();
            self.data_answered.d.next = 0.into();
            self.packets.d.next = 0.into();
            self.drops.d.next = 0.into();
            self.truncated.d.next = 0.into();
            self.errors.d.next = 0.into();
            self.ring_errors.d.next = 0.into();
            self.ring_error_events.d.next = 0.into();
            self.window_error_events.d.next = 0.into();
            self.window_errors.d.next = 0.into();
            self.check_step.d.next = 0.into();
        }
        self.rx_packets.next = self.packets.q.val();
        self.rx_drops.next = self.drops.q.val();
        self.rx_truncated.next = self.truncated.q.val();
        self.rx_errors.next = self.errors.q.val();
        self.rx_ring_errors.next = self.ring_errors.q.val();
        self.rx_window_errors.next = self.window_errors.q.val();
    }
}

crate::native_ports!(
    impl[] RxEngine;
    clk, rst, s_axis_rx.tdata, s_axis_rx.tkeep, s_axis_rx.tvalid, s_axis_rx.tready, s_axis_rx.tlast, s_axis_rx.tuser, op_valid, op_ready, op_ring, op_code, op_tag, res_valid, res_tag, res_status, res_addr, res_phase, res_function, window_function, window_base, window_limit, completion_window_function, completion_window_base, completion_window_limit, rss_index, rss_queue, rd_desc_valid, rd_desc_ready, rd_desc_addr, rd_desc_len, rd_desc_tag, rd_data_tdata, rd_data_tvalid, rd_data_tready, rd_data_tlast, rd_data_tuser, doorbell_valid, doorbell_ring, ring_reset_valid, wr_desc_valid, wr_desc_ready, wr_desc_addr, wr_desc_len, wr_desc_tag, wr_data_tdata, wr_data_tkeep, wr_data_tvalid, wr_data_tready, wr_data_tlast, wr_data_tuser, wr_status_valid, wr_status_tag, wr_status_error, rx_packets, rx_drops, rx_truncated, rx_errors, rx_ring_errors, rx_window_errors,
);
