//! The RX engine's descriptor prefetch: up to `SLOTS` RX descriptors per queue, taken from
//! the queue's submission ring and fetched from host memory before a frame needs them.
//!
//! Why: a descriptor costs a take (the queue manager, ~10 cycles), a window check and a
//! memory round trip (~200 cycles at the benchmark's latency), longer than a 1500-byte
//! frame's 188 beats. Fetched on demand, one frame ahead at most, the engine waited for
//! every frame's descriptor; from here it gets it in three cycles.
//!
//! Per queue, in ring order (a frame that needs a second buffer gets the next one of its
//! ring, whatever other frames of the queue were prefetched for):
//! * `reserved` counts the takes issued and not found empty, `have` the descriptors here; a
//!   queue is refilled up to `SLOTS` while it is `active`. A queue becomes active when the
//!   host rings its RX ring's doorbell (`doorbell_valid`: it posted buffers) or the engine
//!   asks for it, and stops being so when a take finds its ring empty or off, so an empty
//!   ring is not polled and a queue's descriptors are here before its first frame.
//! * The engine asks (`want_*`) and gets (`got_*`, one cycle) the oldest descriptor of the
//!   queue. With none here and none coming, the prefetcher takes one now and answers
//!   `GOT_NONE` only if that take, made after the ask, found the ring empty: a frame is
//!   dropped only when its ring had no buffer at the time it needed one, as without the
//!   prefetch.
//! * A descriptor that cannot be used is still handed out in its place, with the reason
//!   (`GOT_UNREADABLE`: the read failed; `GOT_OUTSIDE`: the ring entry lies outside the
//!   window of the ring's function, so it was not read). The engine counts it when it uses
//!   it, so a descriptor taken but never used counts nothing.
//! * `ring_reset_*` (the queue manager: the ring's base or control was written) throws away
//!   what the queue has and every take and fetch of it still out (each carries the queue's
//!   2-bit generation, compared on return): nothing taken before the ring was reset is
//!   written after it.
//!
//! Takes are pipelined (session 25; one at a time, ~16 cycles each, bound short frames to
//! one per 16 cycles): a take is asked for as soon as the one before went in, up to
//! `TAKES_OUT` taken and not yet fetched; the queue manager answers in order, each answer is
//! handled the cycle after it comes (an empty ring stops the queue's refill then, as
//! before), and the entries taken wait in a short queue for their window check and fetch,
//! three cycles each. Up to 32 fetches are out (all queues' slots); they return in order,
//! so each return fills its queue's next slot.
use crate::block_ram::BlockRam;
use crate::short_queue::ShortQueue;
use crate::stream_fifo::{FifoFault, StreamFifo};
use rust_hdl::prelude::*;

/// Descriptors kept per queue (a power of two).
pub const SLOTS: usize = 4;
/// Queues served; `want_queue` is 3 bits.
pub const QUEUES: usize = 8;
/// `got_status` values.
pub const GOT_OK: u64 = 0;
pub const GOT_NONE: u64 = 1;
pub const GOT_UNREADABLE: u64 = 2;
pub const GOT_OUTSIDE: u64 = 3;
/// Takes asked for and not yet fetched (or found empty): the depth of the queues that hold
/// them (`ShortQueue`).
pub const TAKES_OUT: u64 = 4;

/// Takes whose fetch is out or whose descriptor is on its way, in take order: {outside 13,
/// generation 12:11, queue 10:8, function 7:0}. As deep as all queues' slots.
type InFlight = StreamFifo<16, 2, 1, 5, 6>;

/// Where the take being asked for is.
#[derive(Copy, Clone, PartialEq, Eq, Debug, LogicState)]
pub enum TakeStep {
    Choose,
    Ask,
}

/// Where the oldest entry taken is: its window check and fetch.
#[derive(Copy, Clone, PartialEq, Eq, Debug, LogicState)]
pub enum CheckStep {
    LastByte,
    Compare,
    Fetch,
}

/// Where the engine's request is.
#[derive(Copy, Clone, PartialEq, Eq, Debug, LogicState)]
pub enum ServeStep {
    Idle,
    Look,
    Deliver,
}

#[derive(LogicBlock)]
pub struct RxDescriptors {
    pub clk: Signal<In, Clock>,
    pub rst: Signal<In, Bit>,
    /// The engine asks for queue `want_queue`'s next descriptor (held until `got_valid`).
    pub want_valid: Signal<In, Bit>,
    pub want_queue: Signal<In, Bits<3>>,
    /// The answer, one cycle: `GOT_*`, the descriptor's words, the owning function of the
    /// ring it came from (its window applies to the buffer).
    pub got_valid: Signal<Out, Bit>,
    pub got_status: Signal<Out, Bits<2>>,
    pub got_length: Signal<Out, Bits<16>>,
    pub got_req_id: Signal<Out, Bits<16>>,
    pub got_addr: Signal<Out, Bits<48>>,
    pub got_function: Signal<Out, Bits<8>>,
    /// The buffer's bytes less one (its length, 0 = 64 KiB, less one), kept with the
    /// descriptor: the engine's window check starts from it without an add behind the RAM.
    pub got_span: Signal<Out, Bits<17>>,
    /// Takes on the queue manager's operation port (op code 0; the engine adds the tag).
    pub op_valid: Signal<Out, Bit>,
    pub op_ready: Signal<In, Bit>,
    pub op_ring: Signal<Out, Bits<8>>,
    /// The queue manager's answers to the takes (the engine picks them out by tag).
    pub take_answered: Signal<In, Bit>,
    pub res_status: Signal<In, Bits<2>>,
    pub res_addr: Signal<In, Bits<64>>,
    pub res_function: Signal<In, Bits<8>>,
    /// The DMA window lookup, shared with the engine: `window_function` out while
    /// `window_free`, its window back the cycle after.
    pub window_function: Signal<Out, Bits<8>>,
    pub window_free: Signal<In, Bit>,
    pub window_base: Signal<In, Bits<64>>,
    pub window_limit: Signal<In, Bits<64>>,
    /// Descriptor reads (16 bytes each; the engine adds the tag) and their data.
    pub rd_desc_valid: Signal<Out, Bit>,
    pub rd_desc_ready: Signal<In, Bit>,
    pub rd_desc_addr: Signal<Out, Bits<64>>,
    pub rd_data_tdata: Signal<In, Bits<64>>,
    pub rd_data_tvalid: Signal<In, Bit>,
    pub rd_data_tready: Signal<Out, Bit>,
    pub rd_data_tlast: Signal<In, Bit>,
    /// Bit 8: the read failed.
    pub rd_data_tuser: Signal<In, Bits<9>>,
    /// The queue manager's ring events, both on ring `event_ring`: a doorbell moved a
    /// submission ring's producer index (the queue becomes active: the host posted buffers);
    /// the ring was reconfigured (its base or control written).
    pub doorbell_valid: Signal<In, Bit>,
    pub ring_reset_valid: Signal<In, Bit>,
    pub event_ring: Signal<In, Bits<8>>,

    /// The descriptors: {span 106:90, status 89:88, function 87:80, req_id 79:64, length
    /// 63:48, addr 47:0} at {queue, slot}.
    slots: BlockRam<107, 5>,
    in_flight_fifo: InFlight,
    have: [DFF<Bits<3>>; QUEUES],
    reserved: [DFF<Bits<3>>; QUEUES],
    read_slot: [DFF<Bits<2>>; QUEUES],
    write_slot: [DFF<Bits<2>>; QUEUES],
    active: [DFF<Bit>; QUEUES],
    generation: [DFF<Bits<2>>; QUEUES],
    // The take being asked for: its queue, the queue's generation, and whether the engine
    // asked for it.
    take_step: DFF<TakeStep>,
    scan: DFF<Bits<3>>,
    take_queue: DFF<Bits<3>>,
    take_generation: DFF<Bits<2>>,
    take_for_ask: DFF<Bit>,
    /// Takes asked for and not yet answered, in order: {for the engine's ask 5, generation
    /// 4:3, queue 2:0}.
    asked: ShortQueue<6>,
    /// Takes asked for and not yet done with (answered empty or off, or fetched): at most
    /// `TAKES_OUT`, so neither `asked` nor `checks` can overflow.
    takes_out: DFF<Bits<3>>,
    /// This cycle a take went in; one was done with at its answer; one at its fetch.
    take_asked: Signal<Local, Bit>,
    answer_done: Signal<Local, Bit>,
    fetch_done: Signal<Local, Bit>,
    /// Entries taken, waiting for their window check and fetch: {generation 76:75, queue
    /// 74:72, function 71:64, entry address 63:0}.
    checks: ShortQueue<77>,
    check_step: DFF<CheckStep>,
    entry_last: DFF<Bits<64>>,
    /// The entry's compares with the window, each registered: below its base, past its
    /// limit, wrapping; `outside` is any of them.
    outside_parts: DFF<Bits<3>>,
    outside: Signal<Local, Bit>,
    /// The queue manager's answer to the oldest take asked for, registered as it comes (the
    /// take's bookkeeping starts from flip-flops, not from the answer's tag compare), with
    /// its entry's address and the ring's function.
    answer_valid: DFF<Bit>,
    answer_addr: DFF<Bits<64>>,
    answer_function: DFF<Bits<8>>,
    /// The doorbells of last cycle (the answer's cycle, when it is handled now).
    doorbell_late: DFF<Bits<8>>,
    answer_status: DFF<Bits<2>>,
    // The engine's request.
    serve_step: DFF<ServeStep>,
    serve_queue: DFF<Bits<3>>,
    /// The read slot of the queue asked for (in Idle) or served (in Look), a cycle late:
    /// the descriptor RAM's read address comes from registers. (A late slot is never used:
    /// it differs only after a reset of the queue, which leaves it nothing to hand out.)
    serve_slot: DFF<Bits<2>>,
    /// A take for the queue asked for is wanted now (nothing here, nothing coming).
    demand: DFF<Bit>,
    /// That take found the ring empty: the answer is `GOT_NONE`.
    demand_empty: DFF<Bit>,
    got: DFF<Bit>,
    got_none: DFF<Bit>,
    // Arrivals: the first word of the descriptor coming in.
    word0: DFF<Bits<64>>,
    word0_error: DFF<Bit>,
    second_beat: DFF<Bit>,
    // Per-cycle decisions, one-hot by queue.
    scan_hit: Signal<Local, Bits<8>>,
    serve_hit: Signal<Local, Bits<8>>,
    /// The queue of the take answered (`asked`'s head).
    answer_hit: Signal<Local, Bits<8>>,
    arrive_hit: Signal<Local, Bits<8>>,
    reset_hit: Signal<Local, Bits<8>>,
    doorbell_hit: Signal<Local, Bits<8>>,
    event_hit: Signal<Local, Bits<8>>,
    scan_wants: Signal<Local, Bit>,
    serve_have: Signal<Local, Bits<3>>,
    serve_reserved: Signal<Local, Bits<3>>,
    serve_read_slot: Signal<Local, Bits<2>>,
    want_hit: Signal<Local, Bits<8>>,
    want_read_slot: Signal<Local, Bits<2>>,
    take_generation_now: Signal<Local, Bits<2>>,
    scan_generation: Signal<Local, Bits<2>>,
    serve_generation: Signal<Local, Bits<2>>,
    issue_hit: Signal<Local, Bits<8>>,
    arrive_write_slot: Signal<Local, Bits<2>>,
    arrive_generation: Signal<Local, Bits<2>>,
    arrive_queue: Signal<Local, Bits<3>>,
    /// This cycle: a take is issued for `issue_hit`'s queue; one of `answer_hit`'s came back empty;
    /// a descriptor is handed out (serve's queue); one lands (arrive's queue).
    issue: Signal<Local, Bit>,
    came_empty: Signal<Local, Bit>,
    pop: Signal<Local, Bit>,
    land: Signal<Local, Bit>,
    /// A landing descriptor is written into its slot the cycle after (from registers, so the
    /// RAM's write port does not wait for the queue's multiplexers), and counted in `have`
    /// then, unless its ring was reset in between (its generation is compared again).
    land_pending: DFF<Bit>,
    land_queue: DFF<Bits<3>>,
    land_generation: DFF<Bits<2>>,
    land_slot: DFF<Bits<2>>,
    land_data: DFF<Bits<107>>,
    land_hit: Signal<Local, Bits<8>>,
    land_now_generation: Signal<Local, Bits<2>>,
    /// The descriptor written this cycle is counted.
    landed: Signal<Local, Bit>,
    /// The head of `in_flight_fifo` is done with this cycle (landed or thrown away).
    retire: Signal<Local, Bit>,
    head_outside: Signal<Local, Bit>,
    landing: Signal<Local, Bits<107>>,
    /// The landing descriptor's buffer bytes less one.
    landing_span: Signal<Local, Bits<17>>,
    one_hot: Constant<Bits<8>>,
    takes_limit: Constant<Bits<3>>,
    slots_count: Constant<Bits<3>>,
    status_none: Constant<Bits<2>>,
    got_unreadable: Constant<Bits<2>>,
    got_outside: Constant<Bits<2>>,
}

impl Default for RxDescriptors {
    fn default() -> Self {
        Self {
            clk: Default::default(),
            rst: Default::default(),
            want_valid: Default::default(),
            want_queue: Default::default(),
            got_valid: Default::default(),
            got_status: Default::default(),
            got_length: Default::default(),
            got_req_id: Default::default(),
            got_addr: Default::default(),
            got_function: Default::default(),
            got_span: Default::default(),
            op_valid: Default::default(),
            op_ready: Default::default(),
            op_ring: Default::default(),
            take_answered: Default::default(),
            res_status: Default::default(),
            res_addr: Default::default(),
            res_function: Default::default(),
            window_function: Default::default(),
            window_free: Default::default(),
            window_base: Default::default(),
            window_limit: Default::default(),
            rd_desc_valid: Default::default(),
            rd_desc_ready: Default::default(),
            rd_desc_addr: Default::default(),
            rd_data_tdata: Default::default(),
            rd_data_tvalid: Default::default(),
            rd_data_tready: Default::default(),
            rd_data_tlast: Default::default(),
            rd_data_tuser: Default::default(),
            doorbell_valid: Default::default(),
            ring_reset_valid: Default::default(),
            event_ring: Default::default(),
            slots: Default::default(),
            in_flight_fifo: InFlight::new(FifoFault::None),
            have: Default::default(),
            reserved: Default::default(),
            read_slot: Default::default(),
            write_slot: Default::default(),
            active: Default::default(),
            generation: Default::default(),
            take_step: Default::default(),
            scan: Default::default(),
            take_queue: Default::default(),
            take_generation: Default::default(),
            take_for_ask: Default::default(),
            asked: Default::default(),
            takes_out: Default::default(),
            take_asked: Default::default(),
            answer_done: Default::default(),
            fetch_done: Default::default(),
            checks: Default::default(),
            check_step: Default::default(),
            entry_last: Default::default(),
            answer_addr: Default::default(),
            answer_function: Default::default(),
            outside_parts: Default::default(),
            outside: Default::default(),
            answer_valid: Default::default(),
            doorbell_late: Default::default(),
            answer_status: Default::default(),
            serve_step: Default::default(),
            serve_queue: Default::default(),
            demand: Default::default(),
            demand_empty: Default::default(),
            got: Default::default(),
            got_none: Default::default(),
            word0: Default::default(),
            word0_error: Default::default(),
            second_beat: Default::default(),
            scan_hit: Default::default(),
            serve_hit: Default::default(),
            answer_hit: Default::default(),
            arrive_hit: Default::default(),
            reset_hit: Default::default(),
            doorbell_hit: Default::default(),
            event_hit: Default::default(),
            scan_wants: Default::default(),
            serve_have: Default::default(),
            serve_reserved: Default::default(),
            serve_read_slot: Default::default(),
            want_hit: Default::default(),
            want_read_slot: Default::default(),
            serve_slot: Default::default(),
            take_generation_now: Default::default(),
            scan_generation: Default::default(),
            serve_generation: Default::default(),
            issue_hit: Default::default(),
            arrive_write_slot: Default::default(),
            arrive_generation: Default::default(),
            arrive_queue: Default::default(),
            issue: Default::default(),
            came_empty: Default::default(),
            pop: Default::default(),
            land: Default::default(),
            land_pending: Default::default(),
            land_queue: Default::default(),
            land_generation: Default::default(),
            land_slot: Default::default(),
            land_data: Default::default(),
            land_hit: Default::default(),
            land_now_generation: Default::default(),
            landed: Default::default(),
            retire: Default::default(),
            head_outside: Default::default(),
            landing: Default::default(),
            landing_span: Default::default(),
            one_hot: Constant::new(1.into()),
            takes_limit: Constant::new(TAKES_OUT.to_bits()),
            slots_count: Constant::new((SLOTS as u64).to_bits()),
            status_none: Constant::new(GOT_NONE.to_bits()),
            got_unreadable: Constant::new(GOT_UNREADABLE.to_bits()),
            got_outside: Constant::new(GOT_OUTSIDE.to_bits()),
        }
    }
}

impl Logic for RxDescriptors {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clk,
            take_step,
            scan,
            take_queue,
            serve_slot,
            land_pending,
            land_queue,
            land_generation,
            land_slot,
            land_data,
            take_generation,
            take_for_ask,
            takes_out,
            check_step,
            entry_last,
            outside_parts,
            answer_valid,
            answer_addr,
            answer_function,
            doorbell_late,
            answer_status,
            serve_step,
            serve_queue,
            demand,
            demand_empty,
            got,
            got_none,
            word0,
            word0_error,
            second_beat
        );
        for q in 0..8 {
            self.have[q].clock.next = self.clk.val();
            self.have[q].d.next = self.have[q].q.val();
            self.reserved[q].clock.next = self.clk.val();
            self.reserved[q].d.next = self.reserved[q].q.val();
            self.read_slot[q].clock.next = self.clk.val();
            self.read_slot[q].d.next = self.read_slot[q].q.val();
            self.write_slot[q].clock.next = self.clk.val();
            self.write_slot[q].d.next = self.write_slot[q].q.val();
            self.active[q].clock.next = self.clk.val();
            self.active[q].d.next = self.active[q].q.val();
            self.generation[q].clock.next = self.clk.val();
            self.generation[q].d.next = self.generation[q].q.val();
        }
        self.slots.read_clock.next = self.clk.val();
        self.slots.write_clock.next = self.clk.val();
        self.in_flight_fifo.clk.next = self.clk.val();
        self.in_flight_fifo.rst.next = self.rst.val();
        self.outside.next = self.outside_parts.q.val() != 0;
        self.answer_valid.d.next = self.take_answered.val();
        self.answer_status.d.next = self.res_status.val();
        self.answer_addr.d.next = self.res_addr.val();
        self.answer_function.d.next = self.res_function.val();

        // One-hot selects: the queue scanned for a refill, the one the engine asks for, the
        // one whose take is in hand, the one the oldest fetch belongs to, the one reset.
        self.arrive_queue.next = self.in_flight_fifo.m_axis.tdata.val().get_bits::<3>(8);
        self.scan_hit.next = self.one_hot.val() << bit_cast::<8, 3>(self.scan.q.val());
        self.serve_hit.next = self.one_hot.val() << bit_cast::<8, 3>(self.serve_queue.q.val());
        self.want_hit.next = self.one_hot.val() << bit_cast::<8, 3>(self.want_queue.val());
        self.answer_hit.next = self.one_hot.val() << bit_cast::<8, 3>(self.asked.head.val().get_bits::<3>(0));
        self.arrive_hit.next = self.one_hot.val() << bit_cast::<8, 3>(self.arrive_queue.val());
        self.land_hit.next = self.one_hot.val() << bit_cast::<8, 3>(self.land_queue.q.val());
        // (RX submission rings are 4q + 2, q < 8; rings from 32 up are others.)
        self.event_hit.next = 0.into();
        if (self.event_ring.val().get_bits::<2>(0) == 2) & (self.event_ring.val().get_bits::<3>(5) == 0) {
            self.event_hit.next = self.one_hot.val() << bit_cast::<8, 3>(self.event_ring.val().get_bits::<3>(2));
        }
        self.reset_hit.next = 0.into();
        self.doorbell_hit.next = 0.into();
        if self.ring_reset_valid.val() {
            self.reset_hit.next = self.event_hit.val();
        }
        if self.doorbell_valid.val() {
            self.doorbell_hit.next = self.event_hit.val();
        }
        self.doorbell_late.d.next = self.doorbell_hit.val();
        self.scan_wants.next = false;
        self.scan_generation.next = 0.into();
        self.serve_have.next = 0.into();
        self.serve_reserved.next = 0.into();
        self.serve_read_slot.next = 0.into();
        self.want_read_slot.next = 0.into();
        self.serve_generation.next = 0.into();
        self.take_generation_now.next = 0.into();
        self.arrive_write_slot.next = 0.into();
        self.arrive_generation.next = 0.into();
        self.land_now_generation.next = 0.into();
        for q in 0..8 {
            if self.scan_hit.val().get_bit(q) {
                self.scan_wants.next = self.active[q].q.val() & (self.reserved[q].q.val() < self.slots_count.val());
                self.scan_generation.next = self.generation[q].q.val();
            }
            if self.serve_hit.val().get_bit(q) {
                self.serve_have.next = self.have[q].q.val();
                self.serve_reserved.next = self.reserved[q].q.val();
                self.serve_read_slot.next = self.read_slot[q].q.val();
                self.serve_generation.next = self.generation[q].q.val();
            }
            if self.answer_hit.val().get_bit(q) {
                self.take_generation_now.next = self.generation[q].q.val();
            }
            if self.want_hit.val().get_bit(q) {
                self.want_read_slot.next = self.read_slot[q].q.val();
            }
            if self.land_hit.val().get_bit(q) {
                self.land_now_generation.next = self.generation[q].q.val();
            }
            if self.arrive_hit.val().get_bit(q) {
                self.arrive_write_slot.next = self.write_slot[q].q.val();
                self.arrive_generation.next = self.generation[q].q.val();
            }
        }

        // ---- Takes: choose a queue and ask (one take at a time), up to `TAKES_OUT` out.
        self.asked.clk.next = self.clk.val();
        self.asked.rst.next = self.rst.val();
        self.checks.clk.next = self.clk.val();
        self.checks.rst.next = self.rst.val();
        self.issue.next = false;
        self.issue_hit.next = 0.into();
        self.op_valid.next = false;
        self.op_ring.next = (bit_cast::<8, 3>(self.take_queue.q.val()) << 2) | 2;
        self.asked.push.next = false;
        self.asked.push_data.next = bit_cast::<6, 3>(self.take_queue.q.val())
            | (bit_cast::<6, 2>(self.take_generation.q.val()) << 3)
            | (bit_cast::<6, 1>(self.take_for_ask.q.val().into()) << 5);
        self.take_asked.next = false;
        match self.take_step.q.val() {
            TakeStep::Choose => {
                // The queue the engine waits for first; else the next active queue with room.
                self.scan.d.next = self.scan.q.val() + 1;
                if self.takes_out.q.val() < self.takes_limit.val() {
                    if self.demand.q.val() {
                        self.issue.next = true;
                        self.issue_hit.next = self.serve_hit.val();
                        self.take_generation.d.next = self.serve_generation.val();
                        self.demand.d.next = false;
                        self.take_for_ask.d.next = true;
                        self.take_queue.d.next = self.serve_queue.q.val();
                        self.take_step.d.next = TakeStep::Ask;
                    } else if self.scan_wants.val() {
                        self.issue.next = true;
                        self.issue_hit.next = self.scan_hit.val();
                        self.take_generation.d.next = self.scan_generation.val();
                        self.take_for_ask.d.next = false;
                        self.take_queue.d.next = self.scan.q.val();
                        self.take_step.d.next = TakeStep::Ask;
                    }
                }
            }
            TakeStep::Ask => {
                self.op_valid.next = true;
                if self.op_ready.val() {
                    self.take_asked.next = true;
                    self.asked.push.next = true;
                    self.take_step.d.next = TakeStep::Choose;
                }
            }
        }

        // ---- Answers, in take order, each handled the cycle after it comes.
        self.came_empty.next = false;
        self.answer_done.next = false;
        self.asked.pop.next = self.answer_valid.q.val();
        self.checks.push.next = false;
        self.checks.push_data.next = bit_cast::<77, 64>(self.answer_addr.q.val())
            | (bit_cast::<77, 8>(self.answer_function.q.val()) << 64)
            | (bit_cast::<77, 5>(self.asked.head.val().get_bits::<5>(0)) << 72);
        // An entry goes on to its check and fetch even if its ring was reset since it was
        // taken (the reset's generation is compared as its descriptor lands, which throws it
        // away): the push waits for no compare. An empty answer counts only for the ring as
        // it is now.
        if self.answer_valid.q.val() {
            if self.answer_status.q.val() == 0 {
                self.checks.push.next = true;
            } else {
                self.answer_done.next = true;
                if self.asked.head.val().get_bits::<2>(3) == self.take_generation_now.val() {
                    // Empty or off: stop refilling the queue until it is asked for again.
                    self.came_empty.next = true;
                    if self.asked.head.val().get_bit(5) {
                        self.demand_empty.d.next = true;
                    }
                }
            }
        }

        // ---- The oldest entry taken: its window check, then its fetch.
        self.fetch_done.next = false;
        self.checks.pop.next = false;
        self.rd_desc_valid.next = false;
        self.rd_desc_addr.next = self.checks.head.val().get_bits::<64>(0);
        self.window_function.next = self.checks.head.val().get_bits::<8>(64);
        self.in_flight_fifo.s_axis.tvalid.next = false;
        self.in_flight_fifo.s_axis.tdata.next = bit_cast::<16, 13>(self.checks.head.val().get_bits::<13>(64))
            | (bit_cast::<16, 1>(self.outside.val().into()) << 13);
        self.in_flight_fifo.s_axis.tkeep.next = 3.into();
        self.in_flight_fifo.s_axis.tlast.next = true;
        self.in_flight_fifo.s_axis.tuser.next = 0.into();
        match self.check_step.q.val() {
            CheckStep::LastByte => {
                // The window of the ring's function is here the cycle after the lookup shows
                // it (once the engine is not checking a window of its own).
                self.entry_last.d.next = self.checks.head.val().get_bits::<64>(0) + 15;
                if self.checks.head_valid.val() & self.window_free.val() {
                    self.check_step.d.next = CheckStep::Compare;
                }
            }
            CheckStep::Compare => {
                self.outside_parts.d.next =
                    bit_cast::<3, 1>((self.checks.head.val().get_bits::<64>(0) < self.window_base.val()).into())
                        | (bit_cast::<3, 1>((self.entry_last.q.val() > self.window_limit.val()).into()) << 1)
                        | (bit_cast::<3, 1>(
                            (self.entry_last.q.val() < self.checks.head.val().get_bits::<64>(0)).into(),
                        ) << 2);
                self.check_step.d.next = CheckStep::Fetch;
            }
            CheckStep::Fetch => {
                // An entry outside the window is not read: it goes in line as unusable.
                self.rd_desc_valid.next = !self.outside.val() & self.in_flight_fifo.s_axis.tready.val();
                if self.in_flight_fifo.s_axis.tready.val() & (self.outside.val() | self.rd_desc_ready.val()) {
                    self.in_flight_fifo.s_axis.tvalid.next = true;
                    self.checks.pop.next = true;
                    self.fetch_done.next = true;
                    self.check_step.d.next = CheckStep::LastByte;
                }
            }
        }
        // Takes out: + one asked for, - each done with (at its answer, at its fetch).
        if self.take_asked.val() & !self.answer_done.val() & !self.fetch_done.val() {
            self.takes_out.d.next = self.takes_out.q.val() + 1;
        }
        if !self.take_asked.val() & (self.answer_done.val() ^ self.fetch_done.val()) {
            self.takes_out.d.next = self.takes_out.q.val() - 1;
        }
        if !self.take_asked.val() & self.answer_done.val() & self.fetch_done.val() {
            self.takes_out.d.next = self.takes_out.q.val() - 2;
        }
        if self.take_asked.val() & self.answer_done.val() & self.fetch_done.val() {
            self.takes_out.d.next = self.takes_out.q.val() - 1;
        }

        // ---- Arrivals, in take order: a fetched descriptor's two words, or at once an
        // entry that was not read.
        self.head_outside.next = self.in_flight_fifo.m_axis.tdata.val().get_bit(13);
        self.rd_data_tready.next = self.in_flight_fifo.m_axis.tvalid.val() & !self.head_outside.val();
        self.retire.next = false;
        if self.in_flight_fifo.m_axis.tvalid.val() & self.head_outside.val() {
            self.retire.next = true;
        }
        if self.in_flight_fifo.m_axis.tvalid.val() & !self.head_outside.val() & self.rd_data_tvalid.val() {
            self.second_beat.d.next = !self.rd_data_tlast.val();
            if !self.second_beat.q.val() {
                self.word0.d.next = self.rd_data_tdata.val();
                self.word0_error.d.next = self.rd_data_tuser.val().get_bit(8);
            }
            if self.rd_data_tlast.val() {
                self.retire.next = true;
            }
        }
        self.in_flight_fifo.m_axis.tready.next = self.retire.val();
        // It lands unless its ring was reset since it was taken.
        self.land.next = self.retire.val()
            & (self.in_flight_fifo.m_axis.tdata.val().get_bits::<2>(11) == self.arrive_generation.val());
        self.land_pending.d.next = self.land.val();
        self.land_queue.d.next = self.arrive_queue.val();
        self.land_generation.d.next = self.in_flight_fifo.m_axis.tdata.val().get_bits::<2>(11);
        self.land_slot.d.next = self.arrive_write_slot.val();
        // (Written even if its ring was reset since: that slot is not counted, and is written
        // again before it is handed out.)
        self.slots.write_enable.next = self.land_pending.q.val();
        self.slots.write_address.next =
            (bit_cast::<5, 3>(self.land_queue.q.val()) << 2) | bit_cast::<5, 2>(self.land_slot.q.val());
        self.slots.write_data.next = self.land_data.q.val();
        self.landed.next = self.land_pending.q.val() & (self.land_generation.q.val() == self.land_now_generation.val());
        // ENA RX descriptor: word 0 length 15:0, req_id 47:32; word 1 the buffer's address.
        self.landing_span.next = bit_cast::<17, 16>(self.word0.q.val().get_bits::<16>(0)) - 1;
        if self.word0.q.val().get_bits::<16>(0) == 0 {
            self.landing_span.next = 0xFFFF.into();
        }
        self.landing.next = bit_cast::<107, 48>(self.rd_data_tdata.val().get_bits::<48>(0))
            | (bit_cast::<107, 16>(self.word0.q.val().get_bits::<16>(0)) << 48)
            | (bit_cast::<107, 16>(self.word0.q.val().get_bits::<16>(32)) << 64)
            | (bit_cast::<107, 8>(self.in_flight_fifo.m_axis.tdata.val().get_bits::<8>(0)) << 80)
            | (bit_cast::<107, 17>(self.landing_span.val()) << 90);
        if self.head_outside.val() {
            self.landing.next = (bit_cast::<107, 8>(self.in_flight_fifo.m_axis.tdata.val().get_bits::<8>(0)) << 80)
                | (bit_cast::<107, 2>(self.got_outside.val()) << 88);
        } else if self.word0_error.q.val() | self.rd_data_tuser.val().get_bit(8) {
            self.landing.next = self.landing.val() | (bit_cast::<107, 2>(self.got_unreadable.val()) << 88);
        }
        self.land_data.d.next = self.landing.val();

        // ---- The engine's request.
        self.pop.next = false;
        self.got.d.next = false;
        self.slots.read_address.next =
            (bit_cast::<5, 3>(self.serve_queue.q.val()) << 2) | bit_cast::<5, 2>(self.serve_slot.q.val());
        self.serve_slot.d.next = self.serve_read_slot.val();
        if self.serve_step.q.val() == ServeStep::Idle {
            self.serve_slot.d.next = self.want_read_slot.val();
        }
        match self.serve_step.q.val() {
            ServeStep::Idle => {
                self.serve_queue.d.next = self.want_queue.val();
                self.demand_empty.d.next = false;
                if self.want_valid.val() & !self.got.q.val() {
                    self.serve_step.d.next = ServeStep::Look;
                }
            }
            ServeStep::Look => {
                self.got_none.d.next = false;
                if self.serve_have.val() != 0 {
                    // Read now, handed out next cycle.
                    self.pop.next = true;
                    self.got.d.next = true;
                    self.serve_step.d.next = ServeStep::Deliver;
                } else if (self.serve_reserved.val() == 0) & self.demand_empty.q.val() {
                    self.got_none.d.next = true;
                    self.got.d.next = true;
                    self.serve_step.d.next = ServeStep::Deliver;
                } else if (self.serve_reserved.val() == 0) & !self.demand.q.val() & !self.issue.val() {
                    // Nothing here and nothing coming: take one now.
                    self.demand.d.next = true;
                }
            }
            ServeStep::Deliver => {
                self.demand_empty.d.next = false;
                self.serve_step.d.next = ServeStep::Idle;
            }
        }
        self.got_valid.next = self.got.q.val();
        self.got_status.next = self.slots.read_data.val().get_bits::<2>(88);
        if self.got_none.q.val() {
            self.got_status.next = self.status_none.val();
        }
        self.got_addr.next = self.slots.read_data.val().get_bits::<48>(0);
        self.got_length.next = self.slots.read_data.val().get_bits::<16>(48);
        self.got_req_id.next = self.slots.read_data.val().get_bits::<16>(64);
        self.got_function.next = self.slots.read_data.val().get_bits::<8>(80);
        self.got_span.next = self.slots.read_data.val().get_bits::<17>(90);

        // ---- Per queue: counts and slots. A reset clears the queue (and bumps its
        // generation, so what it had out is thrown away when it returns).
        for q in 0..8 {
            // Activated once per ask, as it comes: not again while it waits, so that takes
            // found empty stop the refill and let `reserved` drain to the answer.
            if (self.serve_step.q.val() == ServeStep::Idle) & self.want_valid.val() & !self.got.q.val() {
                if self.want_hit.val().get_bit(q) {
                    self.active[q].d.next = true;
                }
            }
            if self.came_empty.val() & self.answer_hit.val().get_bit(q) {
                self.active[q].d.next = false;
            }
            // (After the empty answer: a doorbell in that cycle, or in the cycle the answer
            // came, before it was registered, posted buffers after the take.)
            if self.doorbell_hit.val().get_bit(q) | self.doorbell_late.q.val().get_bit(q) {
                self.active[q].d.next = true;
            }
            if self.land.val() & self.arrive_hit.val().get_bit(q) {
                self.write_slot[q].d.next = self.write_slot[q].q.val() + 1;
            }
            if self.pop.val() & self.serve_hit.val().get_bit(q) {
                self.read_slot[q].d.next = self.read_slot[q].q.val() + 1;
            }
            if self.landed.val() & self.land_hit.val().get_bit(q) {
                if !(self.pop.val() & self.serve_hit.val().get_bit(q)) {
                    self.have[q].d.next = self.have[q].q.val() + 1;
                }
            } else if self.pop.val() & self.serve_hit.val().get_bit(q) {
                self.have[q].d.next = self.have[q].q.val() - 1;
            }
            if self.reset_hit.val().get_bit(q) {
                self.generation[q].d.next = self.generation[q].q.val() + 1;
                self.have[q].d.next = 0.into();
                self.active[q].d.next = false;
                self.read_slot[q].d.next = 0.into();
                self.write_slot[q].d.next = 0.into();
            }
        }
        // `reserved`: +1 as a take is issued, -1 as one comes back empty and as a descriptor
        // is handed out (all three may come in one cycle: takes are answered while the next
        // is issued).
        for q in 0..8 {
            if self.reset_hit.val().get_bit(q) {
                self.reserved[q].d.next = 0.into();
            } else if self.issue.val() & self.issue_hit.val().get_bit(q) {
                if (self.came_empty.val() & self.answer_hit.val().get_bit(q))
                    & (self.pop.val() & self.serve_hit.val().get_bit(q))
                {
                    self.reserved[q].d.next = self.reserved[q].q.val() - 1;
                } else if !(self.came_empty.val() & self.answer_hit.val().get_bit(q))
                    & !(self.pop.val() & self.serve_hit.val().get_bit(q))
                {
                    self.reserved[q].d.next = self.reserved[q].q.val() + 1;
                }
            } else if (self.came_empty.val() & self.answer_hit.val().get_bit(q))
                & (self.pop.val() & self.serve_hit.val().get_bit(q))
            {
                self.reserved[q].d.next = self.reserved[q].q.val() - 2;
            } else if (self.came_empty.val() & self.answer_hit.val().get_bit(q))
                | (self.pop.val() & self.serve_hit.val().get_bit(q))
            {
                self.reserved[q].d.next = self.reserved[q].q.val() - 1;
            }
        }

        if self.rst.val() {
            self.take_step.d.next = TakeStep::Choose;
            self.check_step.d.next = CheckStep::LastByte;
            self.takes_out.d.next = 0.into();
            self.serve_step.d.next = ServeStep::Idle;
            self.demand.d.next = false;
            self.demand_empty.d.next = false;
            self.got.d.next = false;
            self.second_beat.d.next = false;
            self.land_pending.d.next = false;
            self.answer_valid.d.next = false;
            for q in 0..8 {
                self.have[q].d.next = 0.into();
                self.reserved[q].d.next = 0.into();
                self.read_slot[q].d.next = 0.into();
                self.write_slot[q].d.next = 0.into();
                self.active[q].d.next = false;
            }
        }
    }
}
