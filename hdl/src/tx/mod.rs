//! The TX engine: from a rung TX queue to a frame on `m_axis_tx_` and a completion.
//!
//! Queue `q` owns rings `4q` (TX submission), `4q + 1` (TX completion), `4q + 2` and `4q + 3`
//! (RX, for the RX engine). The engine's *taker* visits the rung TX queues in turn and asks
//! the queue manager to `take` descriptors (an empty ring answers "none" and the next queue
//! is visited); the *front* works on what it took, in order, while it takes on. A
//! descriptor is the ENA TX descriptor (`ena_eth_io_defs.h`), 16 bytes:
//! * regular queue: fetched from the host ring entry with the DMA read engine, up to
//!   `TAKE_AHEAD` taken and fetched ahead of the one worked on (beats kept in the
//!   descriptor FIFO), whatever their queues, so the fetches' round trips overlap the
//!   packets before them; a visit to a queue ends at an empty ring (the host rings for
//!   whole packets) or after `VISIT_TAKES` takes (and then the open packet);
//! * LLQ queue (its submission ring set up with 128-byte entries, `entry_log` = 7, and 16
//!   of them): read from the queue's LLQ entry in device memory (entry = index mod 16):
//!   descriptor slot 0, then `header_length` bytes of header from
//!   byte 32 of the entry, streamed before the payload. One round trip to host memory saved.
//!
//! The payload (`length` bytes at `buff_addr`) is DMA-read and streamed behind the header;
//! a packet of several descriptors (first ... last) continues with the next descriptor of
//! the same queue. The stream packer joins the pieces into full beats. On the last
//! descriptor with `comp_req` (or on any error) the engine posts to the completion ring
//! (the poster beside the front, `poster::CompletionPoster`), DMA-writes the 8-byte ENA TX
//! completion {req_id, status, flags (phase), sub_qid,
//! sq_head_idx}, and goes on: the notifier beside it (`queue::notifier`) sends the notify
//! (the queue manager raises the MSI-X if armed) once the write is answered, so the
//! interrupt never comes before its completion and the engine does not wait a memory round
//! trip per packet. A completion write that fails (SLVERR/DECERR) is lost: it is counted in
//! `tx_errors`; its notify still goes, and the host's handler finds nothing new.
//!
//! Bad input, each with a defined outcome (status in the completion, `tx_errors` counted):
//! length 0 without header or past `MAX_DESCRIPTOR_BYTES`, a header longer than the 96-byte
//! header area, `first`/`last` out of order or a packet cut short by an empty ring (status
//! `STATUS_MALFORMED`); an AXI error on the descriptor or payload read (`STATUS_DMA_ERROR`).
//! Bytes already streamed of a bad packet are closed with `tuser` = 1 on `tlast`, so the
//! MAC drops the frame; nothing is read for a bad descriptor. A bad packet completes once:
//! after an error before its `last` descriptor the rest of its descriptors are taken and
//! read only to find `last` (`skipping`), as the ENA driver frees a packet on one completion.
//!
//! DMA windows: every DMA lies inside the window of its ring's function (`res_function`,
//! looked up in `windows::DmaWindows`), or it is not made and counted in
//! `tx_window_errors`: a ring entry outside is not fetched (as an unreadable descriptor), a
//! payload outside is not read (`STATUS_DMA_ERROR`), a completion entry outside is not
//! written (lost, as a failed write).
//!
//! The engine is two machines joined by a queue of jobs, so payload reads of several
//! packets are in flight at once, and a taker and a poster beside them. The *taker* takes
//! descriptors, checks their ring entries' windows and fetches them. The *front* (the
//! states below) reads and checks descriptors, issues each payload read, reads the LLQ
//! header and hands the completion's post to the poster; it queues, in stream order, what
//! the *back* must do: header words, "stream this read's payload", "close the frame with
//! an error", and the packet's end (whether a completion was posted). The *poster* posts,
//! checks the entry's window and queues the outcome, in the same order. The back streams
//! into the packer, counts, and hands each completion to be written (where its post's
//! outcome says) to the writer beside it, which writes them in order while the back
//! streams on.
//! Payload data comes back in read order, as the jobs are queued; the taker's descriptor
//! fetches come back in that same stream, told apart by their tag. A payload
//! read that fails is only known to the back: it closes the frame (`tuser`), throws away
//! the rest of the packet's payload (the front has read ahead) and the completion carries
//! the DMA error. A packet that asks for no completion and has no error of the front's
//! waits for the back to finish it, to learn whether its reads failed (the ENA driver asks
//! for a completion on every packet, so that path is rare). LLQ queues carry one
//! descriptor per packet.
use crate::bus::AxisSource;
use crate::queue::notifier::Notifier;
use crate::queue::poster::{self, CompletionPoster};
use crate::short_queue::ShortQueue;
use crate::stream_fifo::{FifoFault, StreamFifo};
use crate::stream_packer::StreamPacker;
use crate::stream_slice::StreamSlice;
use rust_hdl::prelude::*;

/// TX queues served (rings `4q`, `4q + 1`).
pub const TX_QUEUES: usize = 8;
/// Longest descriptor buffer accepted (a jumbo frame).
pub const MAX_DESCRIPTOR_BYTES: u64 = 9216;
/// Longest frame: a jumbo payload behind a full LLQ header. The NIC's store-and-forward
/// frame FIFO holds it whole.
pub const MAX_FRAME_BYTES: u64 = 9312;
// Every frame the engine accepts fits the NIC's store-and-forward FIFO, or it would never
// leave it.
const _: () = assert!(MAX_FRAME_BYTES as usize / 8 < crate::frame_fifo::FRAME_FIFO_BEATS);
/// Header area of a 128-byte LLQ entry.
pub const LLQ_HEADER_BYTES: u64 = 96;
/// Completion status values.
pub const STATUS_OK: u64 = 0;
pub const STATUS_MALFORMED: u64 = 1;
pub const STATUS_DMA_ERROR: u64 = 2;
/// DMA tags: descriptor fetches and payload reads, which share the read data stream: the
/// front takes the beats of its descriptors, the back those of payloads. Bits 6:0; the NIC
/// adds the requester in bit 7.
pub const TAG_DESCRIPTOR: u64 = 0x50;
pub const TAG_PAYLOAD: u64 = 0x5A;
/// The notifier's operations (the engine's own carry tag 0).
pub const TAG_NOTIFY: u64 = crate::queue::notifier::TAG_NOTIFY;
// The taker's takes carry tag 0; the answers are told apart by bits 6:0 of the tag.
const _: () = assert!(TAG_NOTIFY & 0x7F != 0 && poster::TAG_POST & 0x7F != 0 && TAG_NOTIFY != poster::TAG_POST);
/// Descriptors taken (and fetched) ahead of the one being worked on, over all queues: each
/// fetch is a memory round trip, so the next ones must be out long before they are needed
/// (three 1500-byte packets cover a 200-cycle round trip; 64-byte packets take the front
/// about 9 cycles each: 23 cover it, and the DMA read engine's 64 bursts in flight are
/// shared with the payload reads).
pub const TAKE_AHEAD: u64 = 32;
/// Descriptors taken from a regular queue in one visit before the taker moves on (it first
/// finishes the packet it is in): the other queues wait at most this many packets.
pub const VISIT_TAKES: u64 = 16;

/// The jobs the front queues for the back. `tuser` bits 1:0 the kind; for an end, bit 2
/// "a completion was posted" (the poster's outcome says whether and where to write it) and
/// `tdata` the completion (its phase from the outcome).
const JOB_HEADER: u64 = 0; // `tdata`/`tkeep` a header word, `tlast` the frame's end
const JOB_PAYLOAD: u64 = 1; // stream one payload read; `tlast`: the packet's last descriptor;
                            // bit 2: the packet ends with it, as an end job with bit 2 would
const JOB_CLOSE: u64 = 2; // close what was streamed of the frame with an error
const JOB_END: u64 = 3; // the packet ends
/// 128 jobs: the back streams a packet's payload only when its read returns, so the jobs
/// queued are the packets whose reads are in flight. An LLQ packet with a 42-byte header is
/// 7 jobs (6 header words, the payload with the end): 18 such packets cover a 200-cycle
/// memory round trip at the front's pace (32 jobs held 4, and bound LLQ 64 B to 21%).
type JobQueue = StreamFifo<64, 8, 3, 7, 8>;
/// Descriptor beats, `tuser` = the read failed: two beats for each descriptor fetched ahead
/// (the one being read out counts until its beats are out: `taken_count`).
type DescriptorFifo = StreamFifo<64, 8, 1, 6, 7>;
/// Completions waiting for their writes: {address, completion}, `tuser` the queue.
type CompletionFifo = StreamFifo<128, 16, 3, 4, 5>;
const _: () = assert!(2 * TAKE_AHEAD as usize <= 64);

#[derive(LogicBlock)]
pub struct TxEngine {
    pub clk: Signal<In, Clock>,
    pub rst: Signal<In, Bit>,
    // Queue manager operation port.
    pub op_valid: Signal<Out, Bit>,
    pub op_ready: Signal<In, Bit>,
    pub op_ring: Signal<Out, Bits<8>>,
    pub op_code: Signal<Out, Bits<2>>,
    pub op_tag: Signal<Out, Bits<8>>,
    pub res_valid: Signal<In, Bit>,
    /// The tag of the operation answered (bits 6:0: the engine's, or `TAG_NOTIFY`).
    pub res_tag: Signal<In, Bits<8>>,
    pub res_status: Signal<In, Bits<2>>,
    pub res_addr: Signal<In, Bits<64>>,
    pub res_index: Signal<In, Bits<16>>,
    pub res_phase: Signal<In, Bit>,
    pub res_entry_log: Signal<In, Bits<3>>,
    /// The owning function of the ring taken from or posted to.
    pub res_function: Signal<In, Bits<8>>,
    /// The DMA window of that function (`windows::DmaWindows`): asked for with
    /// `window_function`, answered the cycle after.
    pub window_function: Signal<Out, Bits<8>>,
    pub window_base: Signal<In, Bits<64>>,
    pub window_limit: Signal<In, Bits<64>>,
    /// The same for the completion poster (completion entries).
    pub completion_window_function: Signal<Out, Bits<8>>,
    pub completion_window_base: Signal<In, Bits<64>>,
    pub completion_window_limit: Signal<In, Bits<64>>,
    /// The queue manager's doorbell hint: ring `doorbell_ring` has new entries.
    pub doorbell_valid: Signal<In, Bit>,
    pub doorbell_ring: Signal<In, Bits<8>>,
    // LLQ device memory read port (2 cycles).
    pub llq_read_word: Signal<Out, Bits<11>>,
    pub llq_read_data: Signal<In, Bits<64>>,
    // DMA read engine: requests and data.
    pub rd_desc_valid: Signal<Out, Bit>,
    pub rd_desc_ready: Signal<In, Bit>,
    pub rd_desc_addr: Signal<Out, Bits<64>>,
    pub rd_desc_len: Signal<Out, Bits<16>>,
    pub rd_desc_tag: Signal<Out, Bits<8>>,
    pub rd_data_tdata: Signal<In, Bits<64>>,
    pub rd_data_tkeep: Signal<In, Bits<8>>,
    pub rd_data_tvalid: Signal<In, Bit>,
    pub rd_data_tready: Signal<Out, Bit>,
    pub rd_data_tlast: Signal<In, Bit>,
    pub rd_data_tuser: Signal<In, Bits<9>>,
    // DMA write engine: completion writes.
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
    pub wr_status_error: Signal<In, Bit>,
    /// Frames to the MAC.
    pub m_axis_tx: AxisSource<64, 8, 1>,
    /// Packets sent; error completions plus completions lost to a failed write (saturating).
    pub tx_packets: Signal<Out, Bits<32>>,
    pub tx_errors: Signal<Out, Bits<32>>,
    /// DMAs refused for lying outside the function's window (saturating).
    pub tx_window_errors: Signal<Out, Bits<32>>,
    packer: StreamPacker,
    /// In front of the packer: its `tready` is a register here, off the back's decisions.
    packer_slice: StreamSlice<64, 8, 1>,
    /// Sends each completion's notify once its write is answered; shares the op port.
    notifier: Notifier,
    /// The front's jobs for the back, in stream order, through a register slice: the back's
    /// decision to take a job is a long path, which must not reach the queue's RAM address.
    jobs: JobQueue,
    job_slice: StreamSlice<64, 8, 3>,
    /// And one in front of it: the front's decision to queue a job is a long path too,
    /// which must not reach the queue's RAM write enables.
    job_entry: StreamSlice<64, 8, 3>,
    job_kind: Signal<Local, Bits<2>>,
    job_header: Constant<Bits<2>>,
    job_payload: Constant<Bits<2>>,
    job_close: Constant<Bits<2>>,
    job_end: Constant<Bits<2>>,
    /// The head of the read data stream is a descriptor's beat (the front's) or a payload's
    /// (the back's).
    descriptor_beat: Signal<Local, Bit>,
    payload_beat: Signal<Local, Bit>,
    front_takes_beat: Signal<Local, Bit>,
    /// The beats of the descriptors fetched (two each), as they come back.
    descriptors: DescriptorFifo,
    /// The descriptor beat the front reads next, in a register slice: the front's state
    /// ends at the slice's registers, not in the FIFO's read pointer and RAM.
    descriptor_slice: StreamSlice<64, 8, 1>,
    back_takes_beat: Signal<Local, Bit>,
    /// The payload beat offered to the packer carries a failed read.
    beat_error: Signal<Local, Bit>,
    // The back: the packet it is streaming.
    /// Bytes of the current frame went to the packer and it is not closed yet.
    streamed: DFF<Bit>,
    /// A payload read of this packet failed: the frame is closed, its later payload thrown
    /// away, its completion says DMA error.
    payload_failed: DFF<Bit>,
    /// The payload job at the head, which also ends its packet, has streamed its read: it
    /// is done with as an end job next.
    payload_ended: DFF<Bit>,
    /// The completions the back has finished with, waiting for their writes: `tdata`
    /// {address, completion}, `tuser` the queue. The back hands a packet's end over in one
    /// cycle and streams the next packet while the writes go out: holding the end job
    /// until the write's data was taken cost about 5 cycles a packet (64-byte packets went
    /// out every 13 cycles). A write takes up to 12 cycles through the NIC's write path,
    /// so one held completion was not enough; 16 in LUT RAM (a four-entry `ShortQueue` of
    /// flip-flops cost 850 LUTs).
    completion_fifo: CompletionFifo,
    /// The completion handed over last cycle, on its way into the FIFO (a register stage:
    /// the end's decision stays off the FIFO's counters). The decision asks for room for
    /// two (this one and its own): the FIFO then always takes the stage.
    completion_push: DFF<Bit>,
    completion_record: DFF<Bits<128>>,
    completion_queue: DFF<Bits<3>>,
    completion_room: Signal<Local, Bit>,
    /// The head's write descriptor is offered; it was accepted, its data goes next.
    write_offered: DFF<Bit>,
    write_requested: DFF<Bit>,
    /// A regular queue's payload read held back until the next descriptor's fetch has gone
    /// out (its address and length): the fetch then returns ahead of this payload instead
    /// of behind it.
    deferred: DFF<Bit>,
    deferred_addr: DFF<Bits<64>>,
    deferred_length: DFF<Bits<16>>,
    /// The front may issue the held-back read now (the read port is free and nothing
    /// better will come: a fetch is out, the front waits, or no queue is rung).
    flush_deferred: Signal<Local, Bit>,
    /// Whether the front was, last cycle, where a held-back read may go (registered: the
    /// state decode stays off the read request's path; no state that leads out of those
    /// in one step drives the read port itself).
    flush_allowed: DFF<Bit>,
    /// The descriptor's buffer address (and, above, its LLQ header length): as registered,
    /// or straight from the LLQ port in the step its second word arrives, so an LLQ
    /// descriptor is measured as it arrives.
    buff_addr: Signal<Local, Bits<64>>,
    /// The descriptor is measured this cycle: in `Measure`, or in an LLQ descriptor's last
    /// step.
    measuring: Signal<Local, Bit>,
    /// The end job's completion, with the back's status when a read failed.
    end_completion: Signal<Local, Bits<64>>,
    status_field_mask: Constant<Bits<64>>,
    /// The packet's last job is queued: it asks for a completion (one is posted with it),
    /// or the front saw an error. Else `Drain` waits to learn whether a read failed. A
    /// register, a cycle behind `comp_req` and `status`: both are set in `Check`, and it is
    /// read only in `LlqHeader` and `PushPayload`, two cycles on at the earliest.
    end_posts: DFF<Bit>,
    /// The packet's end job was queued this cycle: the front starts afresh.
    end_queued: Signal<Local, Bit>,
    /// The front posts the packet's completion with the job it queues (`Post`'s end job, or
    /// `PushPayload`'s last payload job): the post and the job go in together.
    post_with_job: Signal<Local, Bit>,
    /// An end job's `tuser` when a completion was posted for it (bit 2).
    job_end_posted: Constant<Bits<3>>,
    /// A packet's last payload job that also ends it, a completion posted (bit 2): the
    /// front queues one job for both, a cycle a packet saved.
    job_payload_end_posted: Constant<Bits<3>>,
    /// Posts the completion entries beside the front; its outcomes wait for the back.
    poster: CompletionPoster,
    /// The operation port shows the poster's request (else the taker's take); passed as the
    /// notifier's turn is.
    post_turn: DFF<Bit>,
    take_op_ready: Signal<Local, Bit>,
    /// The end job the back holds has its completion's outcome, and that says write it.
    end_known: Signal<Local, Bit>,
    end_writes: Signal<Local, Bit>,
    /// The back used the poster's oldest outcome last cycle: it leaves the poster's queue
    /// now (the back's end decision stays off the queue's shifting entries), and is not
    /// looked at meanwhile.
    result_used: DFF<Bit>,
    /// The back counts a packet, and an error completion.
    count_packet: Signal<Local, Bit>,
    count_end_error: Signal<Local, Bit>,
    // The engine's own operation request and answer, beside the notifier's.
    e_op_valid: Signal<Local, Bit>,
    e_op_ready: Signal<Local, Bit>,
    e_op_ring: Signal<Local, Bits<8>>,
    e_op_code: Signal<Local, Bits<2>>,
    e_op_tag: Signal<Local, Bits<8>>,
    /// The taker asks for a take.
    take_asking: Signal<Local, Bit>,
    e_res_valid: Signal<Local, Bit>,
    /// A completion write fails (answered any time, the engine has gone on).
    count_completion_error: Signal<Local, Bit>,
    /// The three error events (the poster's completion refused by the window, the back's
    /// error completion, a failed write) summed, registered: all may come in one cycle.
    error_events: DFF<Bits<2>>,
    errors_sum: Signal<Local, Bits<33>>,
    tag_notify: Constant<Bits<8>>,
    tag_post: Constant<Bits<8>>,

    // Where the engine is, the queue served, the packet so far.
    state: DFF<TxState>,
    step: DFF<Bits<4>>,
    queue: DFF<Bits<3>>,
    /// The queue being served is an LLQ queue (its submission ring has 128-byte entries).
    llq: DFF<Bit>,
    /// Queues rung and not yet found empty: only these are visited.
    pending: DFF<Bits<8>>,
    in_packet: DFF<Bit>,
    // The taker: beside the front, it visits the rung queues in turn, takes their
    // descriptors (several asked before the first is answered), checks each ring entry
    // against its function's window and fetches it; the front works on what it took, in
    // order (`taken_fifo`).
    taker: DFF<TakerState>,
    /// The queue the taker visits (the front's is `queue`, its packet's).
    taker_queue: DFF<Bits<3>>,
    /// Takes asked this visit, and how many of them are not answered yet.
    visit_takes: DFF<Bits<5>>,
    visit_asks_out: DFF<Bits<3>>,
    /// Flips as each visit ends: an answer tells its visit's from the one before by it (all
    /// answers of the visit before the last are in before a visit can end).
    visit_id: DFF<Bit>,
    /// The visit's latest answer found the ring empty: no more asks; the visit ends when
    /// its last take out is answered empty too (an answer that takes a descriptor means a
    /// doorbell came meanwhile: the visit goes on, so a packet is taken whole).
    visit_dry: DFF<Bit>,
    /// The takes asked, in order: queue (2:0), visit (3). Answers come in the same order.
    asked: ShortQueue<4>,
    /// Takes asked and not yet through the check (four at most: `asked` and `entries`
    /// hold four each, a take moves from one to the other as it is answered).
    unchecked: DFF<Bits<3>>,
    /// Takes asked and not yet worked on by the front (less those found empty): the
    /// descriptor FIFO holds two beats for each.
    taken_ahead: DFF<Bits<6>>,
    /// Answered takes waiting for their check: entry address (63:0), index (79:64),
    /// function (87:80), queue (90:88), LLQ (91).
    entries: ShortQueue<92>,
    /// The check of the oldest answered take: its last byte (0), the compare (1), the
    /// verdict (2), the fetch (3: the read request port is the taker's, decided by this
    /// register alone, so the request's multiplexers start at registers).
    check_step: DFF<Bits<2>>,
    /// What the taker took, in order: index (15:0), function (23:16), queue (26:24), refused
    /// by the window (27), LLQ (28). A regular descriptor's beats follow in the descriptor
    /// FIFO (a refused or LLQ one has none).
    taken_fifo: StreamFifo<32, 4, 1, 5, 6>,
    /// The record the front reads next, in a register slice: the front's decision to take
    /// it ends at the slice's registers, not in the FIFO's read pointer and RAM.
    taken_slice: StreamSlice<32, 4, 1>,
    taken_record: Signal<Local, Bits<32>>,
    taken_queue: Signal<Local, Bits<3>>,
    taken_refused: Signal<Local, Bit>,
    taken_llq: Signal<Local, Bit>,
    /// The LLQ word address of the taken entry's descriptor (word 0 of its entry).
    taken_llq_word: Signal<Local, Bits<11>>,
    llq_flag: Constant<Bits<32>>,
    refused_flag: Constant<Bits<32>>,
    /// Descriptors taken and not yet read out of the descriptor FIFO, and whether the taker
    /// may ask for one more.
    taken_count: Signal<Local, Bits<6>>,
    taker_room: Signal<Local, Bit>,
    /// This cycle: a take granted, an answer (found empty; of the current visit), the
    /// front's use of what was taken.
    take_granted: Signal<Local, Bit>,
    answer_empty: Signal<Local, Bit>,
    answer_current: Signal<Local, Bit>,
    answered_current: Signal<Local, Bit>,
    taken_used: Signal<Local, Bit>,
    /// The front used a take last cycle: `taken_ahead` counts it down a cycle late, off the
    /// front's `Next` decision (it counts one too many for that cycle, which only holds
    /// the taker back or delays a decision that waits for zero).
    taken_used_last: DFF<Bit>,
    /// The answered take's queue (`asked`'s head), as a one-hot.
    answer_queue_bit: Signal<Local, Bits<8>>,
    /// The taker has nothing in flight, and is not visiting the front's queue: nothing more
    /// is coming for a packet the front has open. A register (the front's `Next` decision
    /// is long enough): a cycle late, which only delays the cut of such a packet, since
    /// while the front waits in a packet only a take of another queue or the taker's
    /// arrival at the front's queue from `Seek` (itself "done") can clear it.
    taker_done_with_front_queue: DFF<Bit>,
    /// The check pushes what was taken.
    taker_pushes: Signal<Local, Bit>,
    /// Queues no longer (`pending_clear`: a take goes in) or again (`pending_set`: an
    /// answer says there may be more) pending this cycle.
    pending_clear: Signal<Local, Bits<8>>,
    pending_set: Signal<Local, Bits<8>>,
    /// The queue manager's answer to a take, registered before the taker acts on it (its
    /// tag compare and the `entries` push are too long a path for one cycle): valid, a
    /// descriptor was taken (status 0), an LLQ descriptor's (the queue's ring has 128-byte
    /// entries), and the entry's address, index and function.
    answer_valid: DFF<Bit>,
    answer_ok: DFF<Bit>,
    answer_llq: DFF<Bit>,
    answer_addr: DFF<Bits<64>>,
    answer_index: DFF<Bits<16>>,
    answer_function: DFF<Bits<8>>,
    /// The visit ends this cycle.
    visit_ends: Signal<Local, Bit>,
    /// The answer is the last of its visit's takes out.
    visit_last_answer: Signal<Local, Bit>,
    /// The front has worked through everything taken and waits (for a held visit).
    front_caught_up: Signal<Local, Bit>,
    /// The checked entry's fields.
    entry_addr: Signal<Local, Bits<64>>,
    entry_llq: Signal<Local, Bit>,
    /// The ring entry checked: its last byte, and each way it can lie outside the window,
    /// a register per compare (one 64-bit carry chain each): below the base, past the
    /// limit, or wrapping past the top of the address space; then the three ORed into a
    /// register, so the step that refuses or fetches starts from one bit.
    entry_last: DFF<Bits<64>>,
    entry_below: DFF<Bit>,
    entry_above: DFF<Bit>,
    entry_wraps: DFF<Bit>,
    entry_outside: DFF<Bit>,
    /// The checked entry was pushed to the front last cycle and leaves the entries queue
    /// now: the queue's shift and slot logic start from this register, not from the check's
    /// decision. The check waits that cycle.
    entry_done: DFF<Bit>,
    /// Bits 63:4 of an address all ones: its 16 bytes wrap unless it is 16-aligned.
    top_block: Constant<Bits<60>>,
    /// The taker fetches: it has the read request port (the front's reads wait; the
    /// choice starts at registers).
    taker_fetching: Signal<Local, Bit>,
    /// The taker refuses a ring entry outside the window.
    ring_window_error: Signal<Local, Bit>,
    take_ahead: Constant<Bits<6>>,
    visit_budget: Constant<Bits<5>>,
    /// A packet went bad before its last descriptor: the rest of its descriptors are taken
    /// and read (to find `last`) but nothing more is streamed, then it completes once.
    skipping: DFF<Bit>,
    /// Bytes of the packet accepted so far (header and descriptors).
    packet_bytes: DFF<Bits<16>>,
    status: DFF<Bits<8>>,
    // The descriptor.
    sq_index: DFF<Bits<16>>,
    len_ctrl: DFF<Bits<32>>,
    meta_ctrl: DFF<Bits<32>>,
    buff_lo: DFF<Bits<32>>,
    buff_hi: DFF<Bits<32>>,
    req_id: DFF<Bits<16>>,
    comp_req: DFF<Bit>,
    // LLQ reads and header streaming.
    llq_word: DFF<Bits<11>>,
    /// Header words still to queue, the next one included, and the last one's `tkeep`.
    header_words_left: DFF<Bits<4>>,
    header_tail_keep: DFF<Bits<8>>,
    /// The LLQ word asked for last cycle is a header word wanted, and so is the one
    /// arriving this cycle.
    llq_asked: DFF<Bit>,
    llq_arriving: DFF<Bit>,
    // The window check: the function of the ring last taken from, and the
    // first and last byte of the DMA to check against its window.
    ring_function: DFF<Bits<8>>,
    check_first: DFF<Bits<64>>,
    check_last: DFF<Bits<64>>,
    /// [check_first, check_last] starts below the window, ends above it: each registered,
    /// as the 64-bit compares are long. (It cannot wrap: ENA buffer addresses are 48 bits.)
    below_window: DFF<Bit>,
    above_window: DFF<Bit>,
    /// The descriptor's `length` - 1, taken with it: the payload's last byte is one add.
    length_less_one: DFF<Bits<16>>,
    count_window_error: Signal<Local, Bit>,
    /// In Check: the payload is to be read and lies outside (an LLQ header alone reads
    /// nothing and is not checked).
    payload_outside: Signal<Local, Bit>,
    window_errors: DFF<Bits<32>>,
    /// The taker's, the front's and the poster's window refusals summed, registered, as the
    /// errors are.
    window_events: DFF<Bits<2>>,
    window_errors_sum: Signal<Local, Bits<33>>,
    packets: DFF<Bits<32>>,
    errors: DFF<Bits<32>>,
    // Combinational.
    length: Signal<Local, Bits<16>>,
    header_length: Signal<Local, Bits<8>>,
    first: Signal<Local, Bit>,
    last: Signal<Local, Bit>,
    bad: Signal<Local, Bit>,
    /// The next header word's `tkeep` and whether it is the header's last word: registers,
    /// kept with `header_words_left`, so the packer's handshake does not wait for a
    /// shifter, and the next word's follow from registers by a compare of the word count.
    header_keep: DFF<Bits<8>>,
    header_last_word: DFF<Bit>,
    /// From `header_length`, for Check: the first word's `tkeep`, the last word's, and the
    /// header's words.
    keep_first: Signal<Local, Bits<8>>,
    keep_tail: Signal<Local, Bits<8>>,
    header_words: Signal<Local, Bits<4>>,
    head_index: Signal<Local, Bits<16>>,
    packet_total: Signal<Local, Bits<17>>,
    measured_total: DFF<Bits<17>>,
    measured_bad: DFF<Bit>,
    max_frame_bytes: Constant<Bits<17>>,
    /// The taker's queue, and the queue a doorbell hint names, as one-hots.
    queue_bit: Signal<Local, Bits<8>>,
    rung_bit: Signal<Local, Bits<8>>,
    all_lanes: Constant<Bits<8>>,
    one: Constant<Bits<8>>,
    // The constants above, as rust-hdl's Verilog needs them.
    max_descriptor_bytes: Constant<Bits<16>>,
    llq_header_bytes: Constant<Bits<8>>,
    tag_descriptor: Constant<Bits<8>>,
    tag_payload: Constant<Bits<8>>,
    status_ok: Constant<Bits<8>>,
    status_malformed: Constant<Bits<8>>,
    status_dma_error: Constant<Bits<8>>,
}

impl Default for TxEngine {
    fn default() -> Self {
        Self {
            clk: Default::default(),
            rst: Default::default(),
            op_valid: Default::default(),
            op_ready: Default::default(),
            op_ring: Default::default(),
            op_code: Default::default(),
            op_tag: Default::default(),
            res_valid: Default::default(),
            res_tag: Default::default(),
            res_status: Default::default(),
            res_addr: Default::default(),
            res_index: Default::default(),
            res_phase: Default::default(),
            res_entry_log: Default::default(),
            res_function: Default::default(),
            window_function: Default::default(),
            window_base: Default::default(),
            window_limit: Default::default(),
            completion_window_function: Default::default(),
            completion_window_base: Default::default(),
            completion_window_limit: Default::default(),
            doorbell_valid: Default::default(),
            doorbell_ring: Default::default(),
            pending: Default::default(),
            queue_bit: Default::default(),
            rung_bit: Default::default(),
            llq_read_word: Default::default(),
            llq_read_data: Default::default(),
            rd_desc_valid: Default::default(),
            rd_desc_ready: Default::default(),
            rd_desc_addr: Default::default(),
            rd_desc_len: Default::default(),
            rd_desc_tag: Default::default(),
            rd_data_tdata: Default::default(),
            rd_data_tkeep: Default::default(),
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
            wr_status_error: Default::default(),
            m_axis_tx: Default::default(),
            tx_packets: Default::default(),
            tx_errors: Default::default(),
            tx_window_errors: Default::default(),
            packer: Default::default(),
            packer_slice: Default::default(),
            notifier: Default::default(),
            e_op_valid: Default::default(),
            e_op_ready: Default::default(),
            e_op_ring: Default::default(),
            e_op_code: Default::default(),
            e_op_tag: Default::default(),
            take_asking: Default::default(),
            e_res_valid: Default::default(),
            count_completion_error: Default::default(),
            error_events: Default::default(),
            errors_sum: Default::default(),
            jobs: JobQueue::new(FifoFault::None).all_in_block_ram(),
            job_slice: Default::default(),
            job_entry: Default::default(),
            job_kind: Default::default(),
            job_header: Constant::new(JOB_HEADER.to_bits()),
            job_payload: Constant::new(JOB_PAYLOAD.to_bits()),
            job_close: Constant::new(JOB_CLOSE.to_bits()),
            job_end: Constant::new(JOB_END.to_bits()),
            descriptor_beat: Default::default(),
            payload_beat: Default::default(),
            front_takes_beat: Default::default(),
            descriptors: Default::default(),
            descriptor_slice: Default::default(),
            back_takes_beat: Default::default(),
            beat_error: Default::default(),
            payload_failed: Default::default(),
            payload_ended: Default::default(),
            completion_fifo: Default::default(),
            completion_push: Default::default(),
            completion_record: Default::default(),
            completion_queue: Default::default(),
            completion_room: Default::default(),
            write_offered: Default::default(),
            write_requested: Default::default(),
            end_completion: Default::default(),
            status_field_mask: Constant::new((!0xFF_0000_u64).to_bits()),
            end_posts: Default::default(),
            end_queued: Default::default(),
            post_with_job: Default::default(),
            job_end_posted: Constant::new((JOB_END | 4).to_bits()),
            job_payload_end_posted: Constant::new((JOB_PAYLOAD | 4).to_bits()),
            poster: CompletionPoster::new(poster::TX_COMPLETIONS),
            post_turn: Default::default(),
            take_op_ready: Default::default(),
            end_known: Default::default(),
            end_writes: Default::default(),
            result_used: Default::default(),
            deferred: Default::default(),
            deferred_addr: Default::default(),
            deferred_length: Default::default(),
            flush_deferred: Default::default(),
            flush_allowed: Default::default(),
            buff_addr: Default::default(),
            measuring: Default::default(),
            count_packet: Default::default(),
            count_end_error: Default::default(),
            tag_notify: Constant::new(TAG_NOTIFY.to_bits()),
            tag_post: Constant::new(poster::TAG_POST.to_bits()),
            ring_function: Default::default(),
            check_first: Default::default(),
            check_last: Default::default(),
            below_window: Default::default(),
            above_window: Default::default(),
            count_window_error: Default::default(),
            length_less_one: Default::default(),
            payload_outside: Default::default(),
            window_errors: Default::default(),
            state: Default::default(),
            step: Default::default(),
            queue: Default::default(),
            llq: Default::default(),
            in_packet: Default::default(),
            taker: Default::default(),
            taker_queue: Default::default(),
            visit_takes: Default::default(),
            visit_asks_out: Default::default(),
            visit_id: Default::default(),
            visit_dry: Default::default(),
            asked: Default::default(),
            unchecked: Default::default(),
            taken_ahead: Default::default(),
            entries: Default::default(),
            check_step: Default::default(),
            taken_fifo: Default::default(),
            taken_slice: Default::default(),
            taken_record: Default::default(),
            taken_queue: Default::default(),
            taken_refused: Default::default(),
            taken_llq: Default::default(),
            taken_llq_word: Default::default(),
            llq_flag: Constant::new((1_u64 << 28).to_bits()),
            refused_flag: Constant::new((1_u64 << 27).to_bits()),
            taken_count: Default::default(),
            taker_room: Default::default(),
            take_granted: Default::default(),
            answer_empty: Default::default(),
            answer_current: Default::default(),
            answered_current: Default::default(),
            taken_used: Default::default(),
            taken_used_last: Default::default(),
            answer_queue_bit: Default::default(),
            taker_done_with_front_queue: Default::default(),
            taker_pushes: Default::default(),
            pending_clear: Default::default(),
            pending_set: Default::default(),
            answer_valid: Default::default(),
            answer_ok: Default::default(),
            answer_llq: Default::default(),
            answer_addr: Default::default(),
            answer_index: Default::default(),
            answer_function: Default::default(),
            visit_ends: Default::default(),
            visit_last_answer: Default::default(),
            front_caught_up: Default::default(),
            entry_addr: Default::default(),
            entry_llq: Default::default(),
            entry_last: Default::default(),
            entry_below: Default::default(),
            entry_above: Default::default(),
            entry_wraps: Default::default(),
            entry_outside: Default::default(),
            entry_done: Default::default(),
            top_block: Constant::new(((1u64 << 60) - 1).to_bits()),
            taker_fetching: Default::default(),
            ring_window_error: Default::default(),
            take_ahead: Constant::new(TAKE_AHEAD.to_bits()),
            visit_budget: Constant::new(VISIT_TAKES.to_bits()),
            skipping: Default::default(),
            packet_bytes: Default::default(),
            packet_total: Default::default(),
            measured_total: Default::default(),
            measured_bad: Default::default(),
            max_frame_bytes: Constant::new(MAX_FRAME_BYTES.to_bits()),
            streamed: Default::default(),
            status: Default::default(),
            sq_index: Default::default(),
            len_ctrl: Default::default(),
            meta_ctrl: Default::default(),
            buff_lo: Default::default(),
            buff_hi: Default::default(),
            req_id: Default::default(),
            comp_req: Default::default(),
            llq_word: Default::default(),
            header_words_left: Default::default(),
            header_tail_keep: Default::default(),
            llq_asked: Default::default(),
            llq_arriving: Default::default(),
            window_events: Default::default(),
            window_errors_sum: Default::default(),
            packets: Default::default(),
            errors: Default::default(),
            length: Default::default(),
            header_length: Default::default(),
            first: Default::default(),
            last: Default::default(),
            bad: Default::default(),
            header_keep: Default::default(),
            header_last_word: Default::default(),
            keep_first: Default::default(),
            keep_tail: Default::default(),
            header_words: Default::default(),
            head_index: Default::default(),
            all_lanes: Constant::new(0xFF_u64.to_bits()),
            one: Constant::new(1_u64.to_bits()),
            max_descriptor_bytes: Constant::new(MAX_DESCRIPTOR_BYTES.to_bits()),
            llq_header_bytes: Constant::new(LLQ_HEADER_BYTES.to_bits()),
            tag_descriptor: Constant::new(TAG_DESCRIPTOR.to_bits()),
            tag_payload: Constant::new(TAG_PAYLOAD.to_bits()),
            status_ok: Constant::new(STATUS_OK.to_bits()),
            status_malformed: Constant::new(STATUS_MALFORMED.to_bits()),
            status_dma_error: Constant::new(STATUS_DMA_ERROR.to_bits()),
        }
    }
}

/// Where the engine is in a packet.
#[derive(Copy, Clone, PartialEq, Eq, Debug, LogicState)]
pub enum TxState {
    LlqDescriptor,
    DescriptorData,
    Measure,
    Judge,
    Check,
    LlqHeader,
    PayloadRequest,
    PushPayload,
    PushClose,
    Drain,
    Post,
    PushEnd,
    Next,
}

/// Where the taker is in a visit: finding the next rung queue, asking for takes, or
/// holding on a spent budget until the front has caught up.
#[derive(Copy, Clone, PartialEq, Eq, Debug, LogicState)]
pub enum TakerState {
    Seek,
    Asking,
    Hold,
}

impl Logic for TxEngine {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clk,
            state,
            step,
            queue,
            pending,
            llq,
            in_packet,
            taker,
            taker_queue,
            visit_takes,
            visit_asks_out,
            visit_id,
            visit_dry,
            unchecked,
            taken_ahead,
            taken_used_last,
            check_step,
            taker_done_with_front_queue,
            answer_valid,
            answer_ok,
            answer_llq,
            answer_addr,
            answer_index,
            answer_function,
            entry_last,
            entry_below,
            entry_above,
            entry_wraps,
            entry_outside,
            entry_done,
            skipping,
            packet_bytes,
            measured_total,
            measured_bad,
            streamed,
            status,
            sq_index,
            len_ctrl,
            meta_ctrl,
            buff_lo,
            buff_hi,
            req_id,
            comp_req,
            llq_word,
            header_words_left,
            header_tail_keep,
            header_keep,
            header_last_word,
            llq_asked,
            llq_arriving,
            payload_failed,
            payload_ended,
            end_posts,
            write_offered,
            write_requested,
            completion_push,
            completion_record,
            completion_queue,
            post_turn,
            result_used,
            deferred,
            deferred_addr,
            deferred_length,
            flush_allowed,
            window_events,
            packets,
            errors,
            ring_function,
            check_first,
            check_last,
            below_window,
            above_window,
            length_less_one,
            window_errors,
            error_events
        );
        self.packer.clk.next = self.clk.val();
        self.packer_slice.clk.next = self.clk.val();
        self.packer_slice.rst.next = self.rst.val();
        AxisSource::<64, 8, 1>::join(&mut self.packer_slice.m_axis, &mut self.packer.s_axis);
        self.packer.rst.next = self.rst.val();
        self.m_axis_tx.tdata.next = self.packer.m_axis.tdata.val();
        self.m_axis_tx.tkeep.next = self.packer.m_axis.tkeep.val();
        self.m_axis_tx.tvalid.next = self.packer.m_axis.tvalid.val();
        self.m_axis_tx.tlast.next = self.packer.m_axis.tlast.val();
        self.m_axis_tx.tuser.next = self.packer.m_axis.tuser.val();
        self.packer.m_axis.tready.next = self.m_axis_tx.tready.val();

        // Doorbells on TX submission rings (4q, q < 8) mark their queue pending.
        self.queue_bit.next = self.one.val() << bit_cast::<8, 3>(self.taker_queue.q.val());
        self.rung_bit.next = 0.into();
        if self.doorbell_valid.val()
            & (self.doorbell_ring.val().get_bits::<2>(0) == 0)
            & (self.doorbell_ring.val().get_bits::<3>(5) == 0)
        {
            self.rung_bit.next = self.one.val() << bit_cast::<8, 3>(self.doorbell_ring.val().get_bits::<3>(2));
        }

        // The descriptor's fields (ENA TX descriptor).
        self.length.next = self.len_ctrl.q.val().get_bits::<16>(0);
        self.first.next = self.len_ctrl.q.val().get_bit(26);
        self.last.next = self.len_ctrl.q.val().get_bit(27);
        self.header_length.next = 0.into();
        if self.llq.q.val() {
            self.header_length.next = self.buff_hi.q.val().get_bits::<8>(24);
            if self.state.q.val() == TxState::LlqDescriptor {
                self.header_length.next = self.llq_read_data.val().get_bits::<8>(56);
            }
        }
        self.packet_total.next = bit_cast::<17, 16>(self.packet_bytes.q.val())
            + bit_cast::<17, 8>(self.header_length.val())
            + bit_cast::<17, 16>(self.length.val());
        // Bad descriptors: nothing to send, too long, a header past the header area, an LLQ
        // descriptor that is not a whole packet, first/last out of order.
        self.bad.next = ((self.length.val() == 0) & (self.header_length.val() == 0))
            | (self.length.val() > self.max_descriptor_bytes.val())
            | (self.header_length.val() > self.llq_header_bytes.val())
            | (self.llq.q.val() & !(self.first.val() & self.last.val()))
            | (self.first.val() == self.in_packet.q.val())
            | (self.measured_total.q.val() > self.max_frame_bytes.val());
        // The header's `tkeep`: the first word's, and the last word's (its bytes past the
        // last whole word); and its words, rounded up.
        self.keep_first.next = 0xFF.into();
        if self.header_length.val() < 8 {
            self.keep_first.next = !(self.all_lanes.val() << bit_cast::<8, 8>(self.header_length.val()));
        }
        // (A header past the header area, 96 bytes, is refused before it is read: 4 bits
        // of words suffice.)
        self.keep_tail.next = 0xFF.into();
        self.header_words.next = self.header_length.val().get_bits::<4>(3);
        if self.header_length.val().get_bits::<3>(0) != 0 {
            self.keep_tail.next =
                !(self.all_lanes.val() << bit_cast::<8, 3>(self.header_length.val().get_bits::<3>(0)));
            self.header_words.next = self.header_length.val().get_bits::<4>(3) + 1;
        }

        // The DMA [check_first, check_last] lies outside the function's window:
        // known the cycle after both the range and the window are.
        self.below_window.d.next = self.check_first.q.val() < self.window_base.val();
        self.above_window.d.next = self.check_last.q.val() > self.window_limit.val();

        self.count_window_error.next = false;
        self.payload_outside.next = (self.below_window.q.val() | self.above_window.q.val()) & (self.length.val() != 0);

        // Defaults: no requests, no data, no LLQ header word on its way.
        self.llq_asked.d.next = false;
        self.llq_arriving.d.next = false;
        // The taker's takes carry tag 0 (the poster's posts and the notifier's notifies
        // their own): its answers are those.
        self.take_asking.next = false;
        self.entry_addr.next = self.entries.head.val().get_bits::<64>(0);
        self.entry_llq.next = self.entries.head.val().get_bit(91);
        self.taker_fetching.next = self.check_step.q.val() == 3;
        // What the taker took, as the front sees it.
        self.taken_fifo.clk.next = self.clk.val();
        self.taken_fifo.rst.next = self.rst.val();
        self.taken_slice.clk.next = self.clk.val();
        self.taken_slice.rst.next = self.rst.val();
        AxisSource::<32, 4, 1>::join(&mut self.taken_fifo.m_axis, &mut self.taken_slice.s_axis);
        self.taken_slice.m_axis.tready.next = false;
        self.taken_queue.next = self.taken_slice.m_axis.tdata.val().get_bits::<3>(24);
        self.taken_refused.next = self.taken_slice.m_axis.tdata.val().get_bit(27);
        self.taken_llq.next = self.taken_slice.m_axis.tdata.val().get_bit(28);
        self.taken_used.next = false;
        // The taker asks while fewer than TAKE_AHEAD are taken ahead (the descriptor being
        // read out counts: the descriptor FIFO holds two beats for each).
        self.taken_count.next = self.taken_ahead.q.val();
        if self.state.q.val() == TxState::DescriptorData {
            self.taken_count.next = self.taken_ahead.q.val() + 1;
        }
        self.taker_room.next = self.taken_count.val() < self.take_ahead.val();
        self.taker_done_with_front_queue.d.next = (self.taken_ahead.q.val() == 0)
            & ((self.taker_queue.q.val() != self.queue.q.val()) | (self.taker.q.val() == TakerState::Seek));
        self.e_res_valid.next = self.res_valid.val() & (self.res_tag.val().get_bits::<7>(0) == 0);
        self.e_op_ready.next = self.op_ready.val() & !self.notifier.turn.val();
        self.take_op_ready.next = self.e_op_ready.val() & !self.post_turn.q.val();
        self.poster.clk.next = self.clk.val();
        self.poster.rst.next = self.rst.val();
        self.poster.request_valid.next = false;
        self.poster.request_queue.next = self.queue.q.val();
        self.poster.granted.next = self.e_op_ready.val() & self.post_turn.q.val();
        self.poster.res_valid.next = self.res_valid.val();
        self.poster.res_tag.next = self.res_tag.val();
        self.poster.res_status.next = self.res_status.val();
        self.poster.res_addr.next = self.res_addr.val();
        self.poster.res_phase.next = self.res_phase.val();
        self.poster.res_function.next = self.res_function.val();
        self.completion_window_function.next = self.poster.window_function.val();
        self.poster.window_base.next = self.completion_window_base.val();
        self.poster.window_limit.next = self.completion_window_limit.val();
        self.poster.result_pop.next = self.result_used.q.val();
        self.result_used.d.next = false;
        self.notifier.clk.next = self.clk.val();
        self.notifier.rst.next = self.rst.val();
        // In `Next` the port is given the taken entry's first descriptor word straight from
        // the taken slice, so that word arrives in `LlqDescriptor`'s second cycle.
        self.taken_llq_word.next = (bit_cast::<11, 3>(self.taken_queue.val()) << 8)
            | (bit_cast::<11, 4>(self.taken_slice.m_axis.tdata.val().get_bits::<4>(0)) << 4);
        self.llq_read_word.next = self.llq_word.q.val();
        if self.state.q.val() == TxState::Next {
            self.llq_read_word.next = self.taken_llq_word.val();
        }
        self.rd_desc_valid.next = false;
        self.rd_desc_addr.next = self.entry_addr.val();
        self.rd_desc_len.next = 16.into();
        self.rd_desc_tag.next = self.tag_descriptor.val();
        self.descriptor_beat.next =
            self.rd_data_tuser.val().get_bits::<7>(0) == self.tag_descriptor.val().get_bits::<7>(0);
        self.payload_beat.next = self.rd_data_tuser.val().get_bits::<7>(0) == self.tag_payload.val().get_bits::<7>(0);
        // Descriptor beats go into the descriptor FIFO as they come, whatever the front is
        // doing, so payload behind them in the read stream never waits for the front (which
        // may be waiting for the back). It holds every descriptor fetched ahead: it never fills.
        self.descriptors.clk.next = self.clk.val();
        self.descriptors.rst.next = self.rst.val();
        self.descriptors.s_axis.tvalid.next = self.rd_data_tvalid.val() & self.descriptor_beat.val();
        self.descriptors.s_axis.tdata.next = self.rd_data_tdata.val();
        self.descriptors.s_axis.tkeep.next = self.rd_data_tkeep.val();
        self.descriptors.s_axis.tlast.next = self.rd_data_tlast.val();
        self.descriptors.s_axis.tuser.next = bit_cast::<1, 1>(self.rd_data_tuser.val().get_bit(8).into());
        self.descriptor_slice.clk.next = self.clk.val();
        self.descriptor_slice.rst.next = self.rst.val();
        AxisSource::<64, 8, 1>::join(&mut self.descriptors.m_axis, &mut self.descriptor_slice.s_axis);
        self.descriptor_slice.m_axis.tready.next = false;
        self.front_takes_beat.next = self.descriptor_beat.val() & self.descriptors.s_axis.tready.val();
        self.flush_deferred.next = false;
        self.buff_addr.next = bit_cast::<64, 32>(self.buff_lo.q.val())
            | (bit_cast::<64, 16>(self.buff_hi.q.val().get_bits::<16>(0)) << 32);
        if self.state.q.val() == TxState::LlqDescriptor {
            self.buff_addr.next = bit_cast::<64, 48>(self.llq_read_data.val().get_bits::<48>(0));
        }
        self.measuring.next = false;
        self.head_index.next = self.sq_index.q.val() + 1;
        // The jobs the front queues (none by default); an end carries the ENA TX completion:
        // req_id, status, flags (phase in bit 0), sub_qid, sq_head_idx.
        self.jobs.clk.next = self.clk.val();
        self.jobs.rst.next = self.rst.val();
        self.job_entry.s_axis.tvalid.next = false;
        self.job_slice.clk.next = self.clk.val();
        self.job_slice.rst.next = self.rst.val();
        AxisSource::<64, 8, 3>::join(&mut self.jobs.m_axis, &mut self.job_slice.s_axis);
        self.job_entry.clk.next = self.clk.val();
        self.job_entry.rst.next = self.rst.val();
        AxisSource::<64, 8, 3>::join(&mut self.job_entry.m_axis, &mut self.jobs.s_axis);
        self.job_entry.s_axis.tdata.next = bit_cast::<64, 16>(self.req_id.q.val())
            | (bit_cast::<64, 8>(self.status.q.val()) << 16)
            | (bit_cast::<64, 3>(self.queue.q.val()) << 32)
            | (bit_cast::<64, 16>(self.head_index.val()) << 48);
        self.job_entry.s_axis.tkeep.next = self.header_keep.q.val();
        self.job_entry.s_axis.tlast.next = self.last.val();
        self.job_entry.s_axis.tuser.next = bit_cast::<3, 2>(self.job_payload.val());

        self.end_posts.d.next = self.comp_req.q.val() | (self.status.q.val() != 0);
        self.end_queued.next = false;
        self.post_with_job.next = false;
        match self.state.q.val() {
            TxState::LlqDescriptor => {
                // LLQ: descriptor slot 0 is words 0-1 of the entry. The port answers a word two
                // cycles after its address: word 0 was asked for in `Next` and arrives in step
                // 1, word 1 is asked for in step 0 and arrives in step 2; then the address
                // waits at the header (byte 32: word 4).
                self.step.d.next = self.step.q.val() + 1;
                if self.step.q.val() == 0 {
                    self.llq_word.d.next = self.llq_word.q.val() + 3;
                }
                if self.step.q.val() == 1 {
                    self.len_ctrl.d.next = self.llq_read_data.val().get_bits::<32>(0);
                    self.length_less_one.d.next = self.llq_read_data.val().get_bits::<16>(0) - 1;
                    self.meta_ctrl.d.next = self.llq_read_data.val().get_bits::<32>(32);
                }
                if self.step.q.val() == 2 {
                    self.buff_lo.d.next = self.llq_read_data.val().get_bits::<32>(0);
                    self.buff_hi.d.next = self.llq_read_data.val().get_bits::<32>(32);
                    self.measuring.next = true;
                    self.state.d.next = TxState::Judge;
                }
            }
            TxState::DescriptorData => {
                // The descriptor's two beats, from the descriptor FIFO.
                self.descriptor_slice.m_axis.tready.next = true;
                if self.descriptor_slice.m_axis.tvalid.val() {
                    self.step.d.next = self.step.q.val() + 1;
                    if self.step.q.val() == 0 {
                        self.len_ctrl.d.next = self.descriptor_slice.m_axis.tdata.val().get_bits::<32>(0);
                        self.length_less_one.d.next = self.descriptor_slice.m_axis.tdata.val().get_bits::<16>(0) - 1;
                        self.meta_ctrl.d.next = self.descriptor_slice.m_axis.tdata.val().get_bits::<32>(32);
                    } else {
                        self.buff_lo.d.next = self.descriptor_slice.m_axis.tdata.val().get_bits::<32>(0);
                        self.buff_hi.d.next = self.descriptor_slice.m_axis.tdata.val().get_bits::<32>(32);
                    }
                    if self.descriptor_slice.m_axis.tlast.val() {
                        if self.descriptor_slice.m_axis.tuser.val().any() {
                            // A descriptor that cannot be read has no req_id to report:
                            // 0xFFFF says so (sq_head_idx still says where it was).
                            self.req_id.d.next = 0xFFFF.into();
                            self.status.d.next = self.status_dma_error.val();
                            self.state.d.next = TxState::PushClose;
                        } else {
                            self.state.d.next = TxState::Measure;
                        }
                    }
                }
            }
            TxState::Measure => {
                // The packet's length so far, then the descriptor's verdict, each registered:
                // two adds, a compare and Check's decisions are too long a path for a cycle.
                self.measuring.next = true;
                self.state.d.next = TxState::Judge;
            }
            TxState::Judge => {
                // The payload's range (set when measured) is compared here, known in Check.
                self.measured_bad.d.next = self.bad.val();
                self.state.d.next = TxState::Check;
            }
            TxState::Check => {
                // ENA req_id: bits 21:16 of len_ctrl above bits 31:22 of meta_ctrl.
                self.req_id.d.next = (bit_cast::<16, 6>(self.len_ctrl.q.val().get_bits::<6>(16)) << 10)
                    | bit_cast::<16, 10>(self.meta_ctrl.q.val().get_bits::<10>(22));
                self.comp_req.d.next = self.len_ctrl.q.val().get_bit(28);
                self.packet_bytes.d.next = self.measured_total.q.val().get_bits::<16>(0);
                self.header_words_left.d.next = self.header_words.val();
                self.header_tail_keep.d.next = self.keep_tail.val();
                self.header_keep.d.next = self.keep_first.val();
                self.header_last_word.d.next = self.header_length.val() <= 8;
                if self.skipping.q.val() {
                    // A descriptor of a packet gone bad: nothing to read or check. Its last
                    // descriptor ends the packet, with one completion.
                    if self.last.val() {
                        self.skipping.d.next = false;
                        self.state.d.next = TxState::Post;
                    } else {
                        self.state.d.next = TxState::Next;
                    }
                } else if self.measured_bad.q.val() {
                    self.status.d.next = self.status_malformed.val();
                    self.skipping.d.next = !self.last.val();
                    self.state.d.next = TxState::PushClose;
                } else if self.payload_outside.val() {
                    // The payload lies outside the function's window: not read, the packet
                    // completes with a DMA error, as if the read had failed.
                    self.status.d.next = self.status_dma_error.val();
                    self.count_window_error.next = true;
                    self.skipping.d.next = !self.last.val();
                    self.state.d.next = TxState::PushClose;
                } else {
                    if self.length.val() != 0 {
                        // The payload read goes out first: it takes a memory round trip, the
                        // LLQ header is read meanwhile.
                        self.state.d.next = TxState::PayloadRequest;
                    } else {
                        self.state.d.next = TxState::LlqHeader;
                    }
                    // The header's first word (on the port since the descriptor was read) is
                    // asked for now, so the words arrive from `LlqHeader`'s first cycle.
                    if self.header_length.val() != 0 {
                        self.llq_word.d.next = self.llq_word.q.val() + 1;
                        self.llq_asked.d.next = true;
                    }
                }
                if !self.in_packet.q.val() {
                    self.status.d.next = self.status_ok.val();
                    if self.payload_outside.val() {
                        self.status.d.next = self.status_dma_error.val();
                    }
                    if self.measured_bad.q.val() {
                        self.status.d.next = self.status_malformed.val();
                    }
                }
            }
            TxState::PayloadRequest => {
                // Reads go out in job order: one held back goes first. A regular queue's
                // read is held back until the next descriptor's fetch is out (it is when one
                // was taken ahead: taken, less those still in their check, is what the
                // taken FIFO and its slice hold); an LLQ queue's goes now (its next
                // descriptor needs no fetch).
                // An LLQ header's words go on being asked for once the read is out; while it
                // waits, the port goes back to the header's first word (asked for again).
                self.llq_word.d.next = (bit_cast::<11, 7>(self.llq_word.q.val().get_bits::<7>(4)) << 4) + 4;
                if self.deferred.q.val() {
                    self.flush_deferred.next = true;
                } else if !self.llq.q.val() & (self.taken_ahead.q.val() == bit_cast::<6, 3>(self.unchecked.q.val())) {
                    self.deferred.d.next = true;
                    self.deferred_addr.d.next = self.buff_addr.val();
                    self.deferred_length.d.next = self.length.val();
                    self.state.d.next = TxState::PushPayload;
                } else if !self.taker_fetching.val() {
                    self.rd_desc_valid.next = true;
                    self.rd_desc_addr.next = self.buff_addr.val();
                    self.rd_desc_len.next = self.length.val();
                    self.rd_desc_tag.next = self.tag_payload.val();
                    if self.rd_desc_ready.val() {
                        if self.header_length.val() != 0 {
                            self.llq_word.d.next = self.llq_word.q.val() + 1;
                            self.llq_asked.d.next = true;
                            self.llq_arriving.d.next = self.llq_asked.q.val();
                            self.state.d.next = TxState::LlqHeader;
                        } else {
                            self.state.d.next = TxState::PushPayload;
                        }
                    }
                }
            }
            TxState::LlqHeader => {
                // LLQ header: a word asked for every cycle, each queued for the back as it
                // arrives two cycles later (`llq_asked`, `llq_arriving`); a header with no
                // payload ends the frame. A word the job queue refuses is asked for again,
                // and the words behind it are dropped on the way.
                self.llq_word.d.next = self.llq_word.q.val() + 1;
                self.llq_asked.d.next = true;
                self.llq_arriving.d.next = self.llq_asked.q.val();
                if self.llq_arriving.q.val() {
                    self.job_entry.s_axis.tvalid.next = true;
                    self.job_entry.s_axis.tdata.next = self.llq_read_data.val();
                    self.job_entry.s_axis.tlast.next =
                        self.header_last_word.q.val() & (self.length.val() == 0) & self.last.val();
                    self.job_entry.s_axis.tuser.next = bit_cast::<3, 2>(self.job_header.val());
                    if self.job_entry.s_axis.tready.val() {
                        if self.header_last_word.q.val() {
                            self.header_words_left.d.next = 0.into();
                            self.llq_asked.d.next = false;
                            self.llq_arriving.d.next = false;
                            if self.length.val() == 0 {
                                if self.end_posts.q.val() {
                                    self.state.d.next = TxState::Post;
                                } else {
                                    self.state.d.next = TxState::Drain;
                                }
                            } else {
                                self.state.d.next = TxState::PushPayload;
                            }
                        } else {
                            // The word after this one is the last when two are left.
                            self.header_words_left.d.next = self.header_words_left.q.val() - 1;
                            self.header_keep.d.next = 0xFF.into();
                            self.header_last_word.d.next = self.header_words_left.q.val() == 2;
                            if self.header_words_left.q.val() == 2 {
                                self.header_keep.d.next = self.header_tail_keep.q.val();
                            }
                        }
                    } else {
                        // This word was asked for two cycles ago: ask again from it.
                        self.llq_word.d.next = self.llq_word.q.val() - 2;
                        self.llq_asked.d.next = false;
                        self.llq_arriving.d.next = false;
                    }
                }
            }
            TxState::PushPayload => {
                // The read is out: the back streams its data when it comes.
                self.job_entry.s_axis.tvalid.next = true;
                if self.last.val() & self.end_posts.q.val() {
                    // The packet's last payload job ends it too: the completion is posted
                    // with it, as in `Post`.
                    self.post_with_job.next = true;
                    self.job_entry.s_axis.tuser.next = self.job_payload_end_posted.val();
                } else if self.job_entry.s_axis.tready.val() {
                    if !self.last.val() {
                        // The packet goes on with the queue's next descriptor.
                        self.in_packet.d.next = true;
                        self.state.d.next = TxState::Next;
                    } else {
                        self.state.d.next = TxState::Drain;
                    }
                }
            }
            TxState::PushClose => {
                // A bad packet: the back closes what was streamed with an error (an empty
                // beat with tlast and tuser); then complete, or first skip the rest of the
                // packet's descriptors.
                self.job_entry.s_axis.tvalid.next = true;
                self.job_entry.s_axis.tuser.next = bit_cast::<3, 2>(self.job_close.val());
                if self.job_entry.s_axis.tready.val() {
                    if self.skipping.q.val() {
                        self.in_packet.d.next = true;
                        self.state.d.next = TxState::Next;
                    } else {
                        // Every way here set an error status: the packet completes.
                        self.state.d.next = TxState::Post;
                    }
                }
            }
            TxState::Drain => {
                // Every job of the packet done (the queue and the slices count every job
                // not yet done, the one the back holds included).
                if (self.jobs.occupancy.val() == 0)
                    & (self.job_slice.occupancy.val() == 0)
                    & (self.job_entry.occupancy.val() == 0)
                {
                    if self.payload_failed.q.val() {
                        self.status.d.next = self.status_dma_error.val();
                        self.state.d.next = TxState::Post;
                    } else {
                        self.state.d.next = TxState::PushEnd;
                    }
                }
            }
            TxState::Post => {
                // The packet's end job, saying a completion was posted.
                self.post_with_job.next = true;
                self.job_entry.s_axis.tuser.next = self.job_end_posted.val();
            }
            TxState::PushEnd => {
                // The end of a packet without a completion: the back counts it.
                self.job_entry.s_axis.tvalid.next = true;
                self.job_entry.s_axis.tuser.next = bit_cast::<3, 2>(self.job_end.val());
                self.end_queued.next = self.job_entry.s_axis.tready.val();
            }
            TxState::Next => {
                // The next descriptor the taker took, in order. A packet left open goes on
                // only with its own queue's next descriptor: if another queue's comes first,
                // or none is coming (the taker is not at a take of this queue: its ring ran
                // dry or was disabled inside the packet), the packet ends here, malformed (a
                // packet already bad keeps its first error).
                if self.taken_slice.m_axis.tvalid.val()
                    & !(self.in_packet.q.val() & (self.taken_queue.val() != self.queue.q.val()))
                {
                    self.taken_slice.m_axis.tready.next = true;
                    self.taken_used.next = true;
                    self.queue.d.next = self.taken_queue.val();
                    self.ring_function.d.next = self.taken_slice.m_axis.tdata.val().get_bits::<8>(16);
                    self.sq_index.d.next = self.taken_slice.m_axis.tdata.val().get_bits::<16>(0);
                    self.llq.d.next = self.taken_llq.val();
                    // Word 0 is on the port now (see `taken_llq_word`); word 1 next.
                    self.llq_word.d.next = self.taken_llq_word.val() + 1;
                    self.step.d.next = 0.into();
                    if self.taken_llq.val() {
                        self.state.d.next = TxState::LlqDescriptor;
                    } else if self.taken_refused.val() {
                        // Outside the window, not fetched: as a descriptor that cannot be
                        // read.
                        self.req_id.d.next = 0xFFFF.into();
                        self.status.d.next = self.status_dma_error.val();
                        self.state.d.next = TxState::PushClose;
                    } else {
                        self.state.d.next = TxState::DescriptorData;
                    }
                } else if self.in_packet.q.val()
                    & (self.taken_slice.m_axis.tvalid.val() | self.taker_done_with_front_queue.q.val())
                {
                    if self.status.q.val() == 0 {
                        self.status.d.next = self.status_malformed.val();
                    }
                    self.skipping.d.next = false;
                    self.state.d.next = TxState::PushClose;
                }
            }
        }

        if self.post_with_job.val() {
            // The poster takes the completion's post (and checks its entry's window) while
            // the front goes on, and the job that ends the packet is queued in the same
            // cycle: each waits for the other's room (both readies are registers).
            self.poster.request_valid.next = self.job_entry.s_axis.tready.val();
            self.job_entry.s_axis.tvalid.next = self.poster.request_ready.val();
            self.end_queued.next = self.poster.request_ready.val() & self.job_entry.s_axis.tready.val();
        }
        if self.measuring.val() {
            self.measured_total.d.next = self.packet_total.val();
            self.check_first.d.next = self.buff_addr.val();
            self.check_last.d.next = self.buff_addr.val() + bit_cast::<64, 16>(self.length_less_one.q.val());
        }
        if self.end_queued.val() {
            self.in_packet.d.next = false;
            self.skipping.d.next = false;
            self.packet_bytes.d.next = 0.into();
            self.status.d.next = 0.into();
            self.state.d.next = TxState::Next;
        }

        // The held-back read goes out once the taker's next fetch is out (or the taker has
        // nothing to fetch), when the front waits for the back (draining, or a full job
        // queue: the back may be waiting for this very read), or when no queue is rung.
        self.flush_allowed.d.next = (self.state.q.val() == TxState::DescriptorData)
            | (self.state.q.val() == TxState::Drain)
            | (self.taker.q.val() == TakerState::Hold)
            | ((self.taker.q.val() == TakerState::Seek) & (self.pending.q.val() == 0))
            | (((self.state.q.val() == TxState::Post) | (self.state.q.val() == TxState::PushPayload))
                & !self.poster.request_ready.val())
            | (!self.job_entry.s_axis.tready.val()
                & ((self.state.q.val() == TxState::LlqHeader)
                    | (self.state.q.val() == TxState::PushPayload)
                    | (self.state.q.val() == TxState::PushClose)
                    | (self.state.q.val() == TxState::Post)
                    | (self.state.q.val() == TxState::PushEnd)));
        if self.flush_allowed.q.val() {
            self.flush_deferred.next = true;
        }
        if self.deferred.q.val() & self.flush_deferred.val() & !self.taker_fetching.val() {
            self.rd_desc_valid.next = true;
            self.rd_desc_addr.next = self.deferred_addr.q.val();
            self.rd_desc_len.next = self.deferred_length.q.val();
            self.rd_desc_tag.next = self.tag_payload.val();
            if self.rd_desc_ready.val() {
                self.deferred.d.next = false;
            }
        }

        // ---- The taker: the rung queues' descriptors, several takes out at once ----
        // A visit asks for takes while the ring has descriptors, up to VISIT_TAKES; then the
        // next rung queue. It ends when its last take out finds the ring empty (the host
        // rings for whole packets: a packet's end); a visit that spends its budget holds
        // until the front has worked through what was taken, and takes on while the front's
        // packet is open.
        self.asked.clk.next = self.clk.val();
        self.asked.rst.next = self.rst.val();
        self.entries.clk.next = self.clk.val();
        self.entries.rst.next = self.rst.val();
        self.asked.push.next = false;
        self.asked.push_data.next =
            bit_cast::<4, 3>(self.taker_queue.q.val()) | (bit_cast::<4, 1>(self.visit_id.q.val().into()) << 3);
        self.asked.pop.next = false;
        self.entries.push.next = false;
        self.entries.pop.next = false;
        self.pending_clear.next = 0.into();
        self.pending_set.next = 0.into();
        self.take_granted.next = false;
        self.answer_empty.next = false;
        self.taker_pushes.next = false;
        self.ring_window_error.next = false;
        self.visit_ends.next = false;
        self.visit_last_answer.next = false;

        // Asks: while the visit lasts, with room ahead and for the answers. Held on its
        // budget: one at a time while the front's packet is open, once the front has caught
        // up. LLQ entries are taken ahead as ring entries are: the host has an entry back
        // only with its packet's completion (as the ENA driver frees entries), so what is
        // taken is still there when the front reads it.
        self.front_caught_up.next = (self.taken_ahead.q.val() == 0) & (self.state.q.val() == TxState::Next);
        self.take_asking.next = (self.unchecked.q.val() < 4)
            & self.taker_room.val()
            & (((self.taker.q.val() == TakerState::Asking)
                & (self.visit_takes.q.val() < self.visit_budget.val())
                & !self.visit_dry.q.val())
                | ((self.taker.q.val() == TakerState::Hold) & self.front_caught_up.val() & self.in_packet.q.val()));
        if self.take_asking.val() & self.take_op_ready.val() {
            // Cleared as the take goes in; a doorbell from now on sets it again.
            self.take_granted.next = true;
            self.asked.push.next = true;
            self.pending_clear.next = self.queue_bit.val();
            if self.visit_takes.q.val() < self.visit_budget.val() {
                self.visit_takes.d.next = self.visit_takes.q.val() + 1;
            }
        }
        // Answers, in the order asked: an answered take goes on to its check. The visit ends
        // on an LLQ descriptor, or when its last take out is answered empty. "There may be
        // more" (pending again) unless a later take of the visit is out, whose answer tells.
        self.answer_queue_bit.next = self.one.val() << bit_cast::<8, 3>(self.asked.head.val().get_bits::<3>(0));
        self.answer_current.next =
            (self.asked.head.val().get_bit(3) == self.visit_id.q.val()) & (self.taker.q.val() != TakerState::Seek);
        self.answer_valid.d.next = self.e_res_valid.val();
        self.answer_ok.d.next = self.res_status.val() == 0;
        self.answer_llq.d.next = self.res_entry_log.val() == 7;
        self.answer_addr.d.next = self.res_addr.val();
        self.answer_index.d.next = self.res_index.val();
        self.answer_function.d.next = self.res_function.val();
        self.answered_current.next = self.answer_valid.q.val() & self.answer_current.val();
        self.entries.push_data.next = bit_cast::<92, 64>(self.answer_addr.q.val())
            | (bit_cast::<92, 16>(self.answer_index.q.val()) << 64)
            | (bit_cast::<92, 8>(self.answer_function.q.val()) << 80)
            | (bit_cast::<92, 3>(self.asked.head.val().get_bits::<3>(0)) << 88)
            | (bit_cast::<92, 1>(self.answer_llq.q.val().into()) << 91);
        if self.answer_valid.q.val() {
            self.asked.pop.next = true;
            if self.answer_ok.q.val() {
                self.entries.push.next = true;
                if !(self.answer_current.val() & (self.visit_asks_out.q.val() > 1)) {
                    self.pending_set.next = self.answer_queue_bit.val();
                }
                if self.answer_current.val() {
                    self.visit_dry.d.next = false;
                }
            } else {
                self.answer_empty.next = true;
                if self.answer_current.val() {
                    self.visit_dry.d.next = true;
                }
                self.visit_last_answer.next = self.visit_asks_out.q.val() == 1;
                self.visit_ends.next =
                    self.answer_current.val() & self.visit_last_answer.val() & !self.take_granted.val();
            }
        }

        self.visit_asks_out.d.next = self.visit_asks_out.q.val() + bit_cast::<3, 1>(self.take_granted.val().into())
            - bit_cast::<3, 1>(self.answered_current.val().into());
        match self.taker.q.val() {
            TakerState::Seek => {
                // The next rung queue, one per cycle.
                if (self.pending.q.val() & self.queue_bit.val()) != 0 {
                    if self.taker_room.val() {
                        self.taker.d.next = TakerState::Asking;
                    }
                } else {
                    self.taker_queue.d.next = self.taker_queue.q.val() + 1;
                }
            }
            TakerState::Asking => {
                if self.visit_takes.q.val() == self.visit_budget.val() {
                    self.taker.d.next = TakerState::Hold;
                }
            }
            TakerState::Hold => {
                if self.front_caught_up.val() & !self.in_packet.q.val() {
                    self.visit_ends.next = true;
                }
            }
        }
        if self.visit_ends.val() {
            self.taker.d.next = TakerState::Seek;
            self.taker_queue.d.next = self.taker_queue.q.val() + 1;
            self.visit_takes.d.next = 0.into();
            self.visit_asks_out.d.next = 0.into();
            self.visit_id.d.next = !self.visit_id.q.val();
            self.visit_dry.d.next = false;
        }
        self.pending.d.next =
            (self.pending.q.val() & !self.pending_clear.val()) | self.pending_set.val() | self.rung_bit.val();

        // The check of the oldest answered take: an LLQ descriptor goes to the front at
        // once; a ring entry must lie in its function's window: its last byte (step 0, while
        // the window is looked up; the front's payload check has the lookup when it measures,
        // and step 0 waits that cycle), the compares (1), the verdict (2), the refusal or the
        // fetch (3).
        self.window_function.next = self.entries.head.val().get_bits::<8>(80);
        if self.measuring.val() {
            self.window_function.next = self.ring_function.q.val();
        }
        self.entry_below.d.next = self.entry_addr.val() < self.window_base.val();
        self.entry_above.d.next = self.entry_last.q.val() > self.window_limit.val();
        self.entry_wraps.d.next = (self.entry_addr.val().get_bits::<60>(4) == self.top_block.val())
            & (self.entry_addr.val().get_bits::<4>(0) != 0);
        self.entry_outside.d.next = self.entry_below.q.val() | self.entry_above.q.val() | self.entry_wraps.q.val();
        self.taken_record.next = bit_cast::<32, 16>(self.entries.head.val().get_bits::<16>(64))
            | (bit_cast::<32, 8>(self.entries.head.val().get_bits::<8>(80)) << 16)
            | (bit_cast::<32, 3>(self.entries.head.val().get_bits::<3>(88)) << 24);
        if self.entries.head_valid.val() & !self.entry_done.q.val() {
            if self.entry_llq.val() {
                self.taker_pushes.next = true;
                self.taken_record.next = self.taken_record.val() | self.llq_flag.val();
            } else if self.check_step.q.val() == 0 {
                self.entry_last.d.next = self.entry_addr.val() + 15;
                if !self.measuring.val() {
                    self.check_step.d.next = 1.into();
                }
            } else if self.check_step.q.val() == 1 {
                self.check_step.d.next = 2.into();
            } else if self.check_step.q.val() == 2 {
                self.check_step.d.next = 3.into();
            } else if self.entry_outside.q.val() {
                // Not fetched: when its turn comes, it is a descriptor that cannot be read.
                self.ring_window_error.next = true;
                self.taker_pushes.next = true;
                self.taken_record.next = self.taken_record.val() | self.refused_flag.val();
            } else {
                // Fetch the 16-byte descriptor from the host ring (the front's reads wait).
                self.rd_desc_valid.next = true;
                self.rd_desc_addr.next = self.entry_addr.val();
                self.rd_desc_len.next = 16.into();
                self.rd_desc_tag.next = self.tag_descriptor.val();
                if self.rd_desc_ready.val() {
                    self.taker_pushes.next = true;
                    // A held-back payload read may go now, behind this fetch.
                    self.flush_allowed.d.next = true;
                }
            }
        }
        self.entry_done.d.next = self.taker_pushes.val();
        self.entries.pop.next = self.entry_done.q.val();
        if self.taker_pushes.val() {
            self.check_step.d.next = 0.into();
        }
        self.taken_fifo.s_axis.tvalid.next = self.taker_pushes.val();
        self.taken_fifo.s_axis.tdata.next = self.taken_record.val();
        self.taken_fifo.s_axis.tkeep.next = 0xF.into();
        self.taken_fifo.s_axis.tlast.next = true;
        self.taken_fifo.s_axis.tuser.next = 0.into();
        // Takes in flight: asked and not yet through the check; taken and not yet used by
        // the front (a take found empty leaves both).
        self.unchecked.d.next = self.unchecked.q.val() + bit_cast::<3, 1>(self.take_granted.val().into())
            - bit_cast::<3, 1>(self.answer_empty.val().into())
            - bit_cast::<3, 1>(self.taker_pushes.val().into());
        self.taken_ahead.d.next = self.taken_ahead.q.val() + bit_cast::<6, 1>(self.take_granted.val().into())
            - bit_cast::<6, 1>(self.answer_empty.val().into())
            - bit_cast::<6, 1>(self.taken_used_last.q.val().into());
        self.taken_used_last.d.next = self.taken_used.val();

        // ---- The back: the jobs in order, into the packer and the completion writes ----
        self.job_kind.next = self.job_slice.m_axis.tuser.val().get_bits::<2>(0);
        if self.payload_ended.q.val() {
            self.job_kind.next = self.job_end.val();
        }
        self.job_slice.m_axis.tready.next = false;
        self.back_takes_beat.next = false;
        self.beat_error.next = self.rd_data_tuser.val().get_bit(8);
        self.count_packet.next = false;
        self.count_end_error.next = false;
        self.notifier.written_valid.next = false;
        // The end's completion, with the DMA error of a failed read (the first error of the
        // packet: the front stops reading at its own).
        // The phase (flags bit 0) is the post's.
        self.end_completion.next =
            self.job_slice.m_axis.tdata.val() | (bit_cast::<64, 1>(self.poster.result_phase.val().into()) << 24);
        if self.payload_failed.q.val() {
            self.end_completion.next = (self.job_slice.m_axis.tdata.val() & self.status_field_mask.val())
                | (bit_cast::<64, 8>(self.status_dma_error.val()) << 16)
                | (bit_cast::<64, 1>(self.poster.result_phase.val().into()) << 24);
        }
        // The writer: the held completion's descriptor is offered from a register
        // (`write_offered`), so the NIC's write arbitration, which reads it, makes no loop
        // through this logic; only with room to queue its notify.
        self.completion_fifo.clk.next = self.clk.val();
        self.completion_fifo.rst.next = self.rst.val();
        self.completion_fifo.s_axis.tvalid.next = self.completion_push.q.val();
        self.completion_fifo.s_axis.tdata.next = self.completion_record.q.val();
        self.completion_fifo.s_axis.tkeep.next = 0xFFFF.into();
        self.completion_fifo.s_axis.tlast.next = true;
        self.completion_fifo.s_axis.tuser.next = self.completion_queue.q.val();
        self.completion_push.d.next = false;
        self.completion_record.d.next =
            bit_cast::<128, 64>(self.end_completion.val()) | (bit_cast::<128, 64>(self.poster.result_addr.val()) << 64);
        self.completion_queue.d.next = self.job_slice.m_axis.tdata.val().get_bits::<3>(32);
        self.completion_room.next = self.completion_fifo.occupancy.val() < 14;
        self.completion_fifo.m_axis.tready.next = false;
        self.notifier.written_ring.next = (bit_cast::<8, 3>(self.completion_fifo.m_axis.tuser.val()) << 2) | 1;
        self.wr_desc_valid.next = self.write_offered.q.val();
        self.wr_desc_addr.next = self.completion_fifo.m_axis.tdata.val().get_bits::<64>(64);
        self.wr_desc_len.next = 8.into();
        self.wr_desc_tag.next = bit_cast::<8, 3>(self.completion_fifo.m_axis.tuser.val());
        self.wr_data_tdata.next = self.completion_fifo.m_axis.tdata.val().get_bits::<64>(0);
        self.wr_data_tkeep.next = 0xFF.into();
        self.wr_data_tvalid.next = self.write_requested.q.val();
        self.wr_data_tlast.next = true;
        self.wr_data_tuser.next = 0.into();
        if self.completion_fifo.m_axis.tvalid.val()
            & !self.write_offered.q.val()
            & !self.write_requested.q.val()
            & self.notifier.written_ready.val()
        {
            self.write_offered.d.next = true;
        }
        if self.write_offered.q.val() & self.wr_desc_ready.val() {
            self.write_offered.d.next = false;
            self.write_requested.d.next = true;
        }
        if self.write_requested.q.val() & self.wr_data_tready.val() {
            // The notifier sends the notify once this write is answered.
            self.notifier.written_valid.next = true;
            self.write_requested.d.next = false;
            self.completion_fifo.m_axis.tready.next = true;
        }
        self.end_known.next = false;
        self.end_writes.next = false;
        // A header word as queued; the payload straight from the read data.
        self.packer_slice.s_axis.tvalid.next = false;
        self.packer_slice.s_axis.tdata.next = self.job_slice.m_axis.tdata.val();
        self.packer_slice.s_axis.tkeep.next = self.job_slice.m_axis.tkeep.val();
        self.packer_slice.s_axis.tlast.next = self.job_slice.m_axis.tlast.val();
        self.packer_slice.s_axis.tuser.next = 0.into();
        if self.job_slice.m_axis.tvalid.val() {
            if self.job_kind.val() == self.job_header.val() {
                self.packer_slice.s_axis.tvalid.next = true;
                if self.packer_slice.s_axis.tready.val() {
                    self.job_slice.m_axis.tready.next = true;
                    self.streamed.d.next = !self.job_slice.m_axis.tlast.val();
                }
            } else if self.job_kind.val() == self.job_payload.val() {
                // A failed read closes the frame on its last beat (flagged); the rest of the
                // packet's payload is thrown away.
                self.packer_slice.s_axis.tvalid.next =
                    self.rd_data_tvalid.val() & self.payload_beat.val() & !self.payload_failed.q.val();
                self.packer_slice.s_axis.tdata.next = self.rd_data_tdata.val();
                self.packer_slice.s_axis.tkeep.next = self.rd_data_tkeep.val();
                self.packer_slice.s_axis.tlast.next =
                    self.rd_data_tlast.val() & (self.job_slice.m_axis.tlast.val() | self.beat_error.val());
                self.packer_slice.s_axis.tuser.next = bit_cast::<1, 1>(self.beat_error.val().into());
                self.back_takes_beat.next =
                    self.payload_beat.val() & (self.packer_slice.s_axis.tready.val() | self.payload_failed.q.val());
                if self.rd_data_tvalid.val() & self.back_takes_beat.val() {
                    if !self.payload_failed.q.val() {
                        self.streamed.d.next =
                            !(self.rd_data_tlast.val() & (self.job_slice.m_axis.tlast.val() | self.beat_error.val()));
                    }
                    if self.rd_data_tlast.val() {
                        // A payload job that ends its packet stays at the head as its end.
                        self.job_slice.m_axis.tready.next = !self.job_slice.m_axis.tuser.val().get_bit(2);
                        self.payload_ended.d.next = self.job_slice.m_axis.tuser.val().get_bit(2);
                        if self.beat_error.val() {
                            self.payload_failed.d.next = true;
                        }
                    }
                }
            } else if self.job_kind.val() == self.job_close.val() {
                self.packer_slice.s_axis.tvalid.next = self.streamed.q.val();
                self.packer_slice.s_axis.tkeep.next = 0.into();
                self.packer_slice.s_axis.tlast.next = true;
                self.packer_slice.s_axis.tuser.next = 1.into();
                if !self.streamed.q.val() | self.packer_slice.s_axis.tready.val() {
                    self.job_slice.m_axis.tready.next = true;
                    self.streamed.d.next = false;
                }
            } else {
                // The end. A posted completion waits for its post's outcome, and goes to the
                // writer if the outcome says to write it; then count.
                self.end_known.next = !self.job_slice.m_axis.tuser.val().get_bit(2)
                    | (self.poster.result_valid.val() & !self.result_used.q.val());
                self.end_writes.next = self.job_slice.m_axis.tuser.val().get_bit(2)
                    & self.poster.result_valid.val()
                    & !self.result_used.q.val()
                    & self.poster.result_write.val();
                if self.end_known.val() & (!self.end_writes.val() | self.completion_room.val()) {
                    self.completion_push.d.next = self.end_writes.val();
                    self.job_slice.m_axis.tready.next = true;
                    self.result_used.d.next = self.job_slice.m_axis.tuser.val().get_bit(2);
                    self.count_packet.next = true;
                    // An error completion, or one the ring had no entry for.
                    self.count_end_error.next = self.payload_failed.q.val()
                        | (self.job_slice.m_axis.tdata.val().get_bits::<8>(16) != 0)
                        | (self.job_slice.m_axis.tuser.val().get_bit(2) & self.poster.result_refused.val());
                    self.payload_failed.d.next = false;
                    self.payload_ended.d.next = false;
                    self.streamed.d.next = false;
                }
            }
        }
        self.rd_data_tready.next = self.front_takes_beat.val() | self.back_takes_beat.val();

        // ---- Notifier ----
        // Every write answered is a completion's (the engine writes nothing else): each goes
        // to the notifier, a failed one to the error count too (it is lost: the host never
        // sees it; an error completion lost counts twice, its status and the failed write).
        self.notifier.answered.next = self.wr_status_valid.val();
        self.count_completion_error.next = self.wr_status_valid.val() & self.wr_status_error.val();
        // The engine's request: the poster's when its turn, else the taker's take. The turn
        // passes when the other asks and the holder does not, or was just served.
        self.e_op_valid.next = self.take_asking.val();
        self.e_op_ring.next = bit_cast::<8, 3>(self.taker_queue.q.val()) << 2;
        self.e_op_code.next = 0.into();
        self.e_op_tag.next = 0.into();
        if self.post_turn.q.val() {
            self.e_op_valid.next = self.poster.asking.val();
            self.e_op_ring.next = self.poster.ring.val();
            self.e_op_code.next = 1.into();
            self.e_op_tag.next = self.tag_post.val();
            if self.take_asking.val() & (!self.poster.asking.val() | self.e_op_ready.val()) {
                self.post_turn.d.next = false;
            }
        } else if self.poster.asking.val() & (!self.take_asking.val() | self.e_op_ready.val()) {
            self.post_turn.d.next = true;
        }
        self.notifier.e_op_valid.next = self.e_op_valid.val();
        self.notifier.op_ready.next = self.op_ready.val();
        self.notifier.res_valid.next = self.res_valid.val();
        self.notifier.res_tag.next = self.res_tag.val();
        // The operation port shows the request of the one the notifier's turn names.
        self.op_valid.next = (self.e_op_valid.val() & !self.notifier.turn.val())
            | (self.notifier.requesting.val() & self.notifier.turn.val());
        self.op_ring.next = self.e_op_ring.val();
        self.op_code.next = self.e_op_code.val();
        self.op_tag.next = self.e_op_tag.val();
        if self.notifier.turn.val() {
            self.op_ring.next = self.notifier.ring.val();
            self.op_code.next = 2.into();
            self.op_tag.next = self.tag_notify.val();
        }

        // The front and the poster may each refuse a DMA in one cycle: summed first, as
        // the errors are.
        self.window_events.d.next = bit_cast::<2, 1>(self.count_window_error.val().into())
            + bit_cast::<2, 1>(self.ring_window_error.val().into())
            + bit_cast::<2, 1>(self.poster.window_refused.val().into());
        self.window_errors_sum.next =
            bit_cast::<33, 32>(self.window_errors.q.val()) + bit_cast::<33, 2>(self.window_events.q.val());
        if self.window_errors_sum.val().get_bit(32) {
            self.window_errors.d.next = 0xFFFF_FFFF_u64.into();
        } else {
            self.window_errors.d.next = self.window_errors_sum.val().get_bits::<32>(0);
        }
        if self.count_packet.val() & (self.packets.q.val() != 0xFFFF_FFFF_u64) {
            self.packets.d.next = self.packets.q.val() + 1;
        }
        // The front, the back and the write answers may each count an error in one cycle;
        // the events are summed into a register first (the counter lags a cycle).
        self.error_events.d.next = bit_cast::<2, 1>(self.poster.window_refused.val().into())
            + bit_cast::<2, 1>(self.count_end_error.val().into())
            + bit_cast::<2, 1>(self.count_completion_error.val().into());
        self.errors_sum.next = bit_cast::<33, 32>(self.errors.q.val()) + bit_cast::<33, 2>(self.error_events.q.val());
        if self.errors_sum.val().get_bit(32) {
            self.errors.d.next = 0xFFFF_FFFF_u64.into();
        } else {
            self.errors.d.next = self.errors_sum.val().get_bits::<32>(0);
        }
        if self.rst.val() {
            self.error_events.d.next = 0.into();
            self.window_events.d.next = 0.into();
            self.window_errors.d.next = 0.into();
            self.post_turn.d.next = false;
            self.result_used.d.next = false;
            self.pending.d.next = 0.into();
            self.state.d.next = TxState::Next;
            self.queue.d.next = 0.into();
            self.in_packet.d.next = false;
            self.visit_takes.d.next = 0.into();
            self.taker.d.next = TakerState::Seek;
            self.taker_queue.d.next = 0.into();
            self.visit_asks_out.d.next = 0.into();
            self.visit_id.d.next = false;
            self.visit_dry.d.next = false;
            self.unchecked.d.next = 0.into();
            self.taken_ahead.d.next = 0.into();
            self.taken_used_last.d.next = false;
            self.check_step.d.next = 0.into();
            self.entry_done.d.next = false;
            self.answer_valid.d.next = false;
            self.skipping.d.next = false;
            self.packet_bytes.d.next = 0.into();
            self.streamed.d.next = false;
            self.payload_failed.d.next = false;
            self.payload_ended.d.next = false;
            self.write_offered.d.next = false;
            self.write_requested.d.next = false;
            self.completion_push.d.next = false;
            self.deferred.d.next = false;
            self.status.d.next = 0.into();
            self.packets.d.next = 0.into();
            self.errors.d.next = 0.into();
        }
        self.tx_packets.next = self.packets.q.val();
        self.tx_errors.next = self.errors.q.val();
        self.tx_window_errors.next = self.window_errors.q.val();
    }
}

crate::native_ports!(
    impl[] TxEngine;
    clk, rst, op_valid, op_ready, op_ring, op_code, op_tag, res_valid, res_tag, res_status, res_addr, res_index, res_phase, res_entry_log, res_function, window_function, window_base, window_limit, completion_window_function, completion_window_base, completion_window_limit, doorbell_valid, doorbell_ring, llq_read_word, llq_read_data, rd_desc_valid, rd_desc_ready, rd_desc_addr, rd_desc_len, rd_desc_tag, rd_data_tdata, rd_data_tkeep, rd_data_tvalid, rd_data_tready, rd_data_tlast, rd_data_tuser, wr_desc_valid, wr_desc_ready, wr_desc_addr, wr_desc_len, wr_desc_tag, wr_data_tdata, wr_data_tkeep, wr_data_tvalid, wr_data_tready, wr_data_tlast, wr_data_tuser, wr_status_valid, wr_status_error, m_axis_tx.tdata, m_axis_tx.tkeep, m_axis_tx.tvalid, m_axis_tx.tready, m_axis_tx.tlast, m_axis_tx.tuser, tx_packets, tx_errors, tx_window_errors,
);
