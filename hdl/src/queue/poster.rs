//! Completion posts, beside an engine's states (the TX engine's front, the RX engine): the
//! engine asks for a post to a queue's completion ring and goes on; the poster asks the
//! queue manager for the entry (`post`), checks that the entry lies in the window of the
//! completion ring's function, and queues the outcome for the engine, which writes the
//! completion when its data is done (TX: the packet has streamed; RX: the buffer's write is
//! answered). Requests and outcomes keep the engine's order.
//!
//! The rings posted to and their entries' size are the poster's configuration
//! (`CompletionRings`): queue `q`'s completion ring is `4q + 1` for TX (8-byte ENA TX
//! completions), `4q + 3` for RX (16-byte ENA RX completions).
//!
//! An outcome says where to write and with which phase (`result_write`), or that nothing is
//! written: the ring was full or off (`result_refused`: the engine counts an error), or the
//! entry lies outside the window (signalled here, `window_refused`, for the engine to count
//! as a lost write).
//!
//! The poster shares the engine's operation port: it shows its request (`asking`, from
//! registers) and is told when it went in (`granted`); its answers carry `TAG_POST`.
//!
//! Posts are pipelined: a request is asked for as soon as the one before went in, so several
//! are out at the queue manager at once (its answers come in order), and each answer goes
//! through three registered steps, one answer a cycle: taken (the window lookup asked for
//! with the ring's function), the entry's last byte, the compare with the window; then its
//! outcome is queued. The engines write completions long after the post (a packet streams, a
//! buffer's write is answered), so the outcomes wait in a 32-deep FIFO, and the poster asks
//! only while every post out has its place in it (`outstanding`).
use crate::short_queue::ShortQueue;
use crate::stream_fifo::{FifoFault, StreamFifo};
use rust_hdl::prelude::*;

/// Operation tag (bits 6:0) of a post. The TX front's takes carry 0, the RX prefetch's
/// takes `rx::TAG_DESCRIPTOR`, the notifiers' notifies `TAG_NOTIFY`.
pub const TAG_POST: u64 = 0x44;

/// Which completion rings a poster posts to, and how long their entries are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CompletionRings {
    /// Queue `q`'s completion ring is `4q + ring_offset`.
    pub ring_offset: u64,
    /// Bytes of one completion entry (what must lie in the window).
    pub entry_bytes: u64,
}

/// TX completion rings `4q + 1`, 8-byte ENA TX completions (`ena_eth_io_tx_cdesc`).
pub const TX_COMPLETIONS: CompletionRings = CompletionRings { ring_offset: 1, entry_bytes: 8 };
/// RX completion rings `4q + 3`, 16-byte ENA RX completions (`ena_eth_io_rx_cdesc_base`).
pub const RX_COMPLETIONS: CompletionRings = CompletionRings { ring_offset: 3, entry_bytes: 16 };

/// Outcomes waiting for the engine, {refused 66, write 65, phase 64, address 63:0}: as many
/// as posts may be out.
type Outcomes = StreamFifo<72, 9, 1, 5, 6>;
/// Posts asked for and not yet popped as outcomes: at most the outcome FIFO's depth.
pub const MAX_OUTSTANDING: u64 = 32;

#[derive(LogicBlock)]
pub struct CompletionPoster {
    pub clk: Signal<In, Clock>,
    pub rst: Signal<In, Bit>,
    /// A post to queue `request_queue`'s completion ring; taken while `request_ready`.
    pub request_valid: Signal<In, Bit>,
    pub request_ready: Signal<Out, Bit>,
    pub request_queue: Signal<In, Bits<3>>,
    /// The operation port: the post request (ring `ring`, code 1, `TAG_POST`), and whether
    /// it went in this cycle (ignored while not `asking`).
    pub asking: Signal<Out, Bit>,
    pub ring: Signal<Out, Bits<8>>,
    pub granted: Signal<In, Bit>,
    /// The queue manager's answers (all of them: the poster's carry `TAG_POST`).
    pub res_valid: Signal<In, Bit>,
    pub res_tag: Signal<In, Bits<8>>,
    pub res_status: Signal<In, Bits<2>>,
    pub res_addr: Signal<In, Bits<64>>,
    pub res_phase: Signal<In, Bit>,
    pub res_function: Signal<In, Bits<8>>,
    /// The DMA window of the completion ring's function, the cycle after `window_function`.
    pub window_function: Signal<Out, Bits<8>>,
    pub window_base: Signal<In, Bits<64>>,
    pub window_limit: Signal<In, Bits<64>>,
    /// The oldest outcome: write the completion at `result_addr` with phase `result_phase`
    /// (`result_write`), or not (`result_refused`: no entry). `result_pop` lets it go.
    pub result_valid: Signal<Out, Bit>,
    pub result_pop: Signal<In, Bit>,
    pub result_addr: Signal<Out, Bits<64>>,
    pub result_phase: Signal<Out, Bit>,
    pub result_write: Signal<Out, Bit>,
    pub result_refused: Signal<Out, Bit>,
    /// An entry outside its function's window was not given to the engine (one-cycle pulse).
    pub window_refused: Signal<Out, Bit>,
    /// Queues waiting for their post to be asked for.
    requests: ShortQueue<3>,
    results_fifo: Outcomes,
    /// Posts asked for whose outcome has not been popped.
    outstanding: DFF<Bits<6>>,
    asked: Signal<Local, Bit>,
    popped: Signal<Local, Bit>,
    answered: Signal<Local, Bit>,
    // Step a: the answer taken (the window of `a_function` is asked for).
    a_valid: DFF<Bit>,
    a_first: DFF<Bits<64>>,
    a_phase: DFF<Bit>,
    a_function: DFF<Bits<8>>,
    a_refused: DFF<Bit>,
    // Step b: the entry's last byte (the window answers).
    b_valid: DFF<Bit>,
    b_first: DFF<Bits<64>>,
    b_last: DFF<Bits<64>>,
    b_phase: DFF<Bit>,
    b_refused: DFF<Bit>,
    // Step c: the verdict; the outcome is queued.
    c_valid: DFF<Bit>,
    c_first: DFF<Bits<64>>,
    c_phase: DFF<Bit>,
    c_refused: DFF<Bit>,
    c_outside: DFF<Bit>,
    /// The entry was given and lies in the window. (A signal of its own: Verilog would
    /// widen an inverted bit inside the outcome's concatenation before inverting it.)
    writes: Signal<Local, Bit>,
    tag_post: Constant<Bits<8>>,
    ring_offset: Constant<Bits<8>>,
    /// An entry's bytes less one: its last byte is `entry_first + entry_span`.
    entry_span: Constant<Bits<64>>,
    max_outstanding: Constant<Bits<6>>,
}

impl CompletionPoster {
    pub fn new(rings: CompletionRings) -> Self {
        assert!(rings.ring_offset < 4 && rings.entry_bytes > 0);
        Self {
            clk: Default::default(),
            rst: Default::default(),
            request_valid: Default::default(),
            request_ready: Default::default(),
            request_queue: Default::default(),
            asking: Default::default(),
            ring: Default::default(),
            granted: Default::default(),
            res_valid: Default::default(),
            res_tag: Default::default(),
            res_status: Default::default(),
            res_addr: Default::default(),
            res_phase: Default::default(),
            res_function: Default::default(),
            window_function: Default::default(),
            window_base: Default::default(),
            window_limit: Default::default(),
            result_valid: Default::default(),
            result_pop: Default::default(),
            result_addr: Default::default(),
            result_phase: Default::default(),
            result_write: Default::default(),
            result_refused: Default::default(),
            window_refused: Default::default(),
            requests: Default::default(),
            results_fifo: Outcomes::new(FifoFault::None),
            outstanding: Default::default(),
            asked: Default::default(),
            popped: Default::default(),
            answered: Default::default(),
            a_valid: Default::default(),
            a_first: Default::default(),
            a_phase: Default::default(),
            a_function: Default::default(),
            a_refused: Default::default(),
            b_valid: Default::default(),
            b_first: Default::default(),
            b_last: Default::default(),
            b_phase: Default::default(),
            b_refused: Default::default(),
            c_valid: Default::default(),
            c_first: Default::default(),
            c_phase: Default::default(),
            c_refused: Default::default(),
            c_outside: Default::default(),
            writes: Default::default(),
            tag_post: Constant::new(TAG_POST.to_bits()),
            ring_offset: Constant::new(rings.ring_offset.to_bits()),
            entry_span: Constant::new((rings.entry_bytes - 1).to_bits()),
            max_outstanding: Constant::new(MAX_OUTSTANDING.to_bits()),
        }
    }
}

impl Logic for CompletionPoster {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clk,
            outstanding,
            a_valid,
            a_first,
            a_phase,
            a_function,
            a_refused,
            b_valid,
            b_first,
            b_last,
            b_phase,
            b_refused,
            c_valid,
            c_first,
            c_phase,
            c_refused,
            c_outside
        );
        self.requests.clk.next = self.clk.val();
        self.requests.rst.next = self.rst.val();
        self.results_fifo.clk.next = self.clk.val();
        self.results_fifo.rst.next = self.rst.val();

        // Asking: the oldest request not yet asked for, while every post out has room.
        self.requests.push.next = self.request_valid.val();
        self.requests.push_data.next = self.request_queue.val();
        self.request_ready.next = self.requests.room.val();
        self.asking.next = self.requests.head_valid.val() & (self.outstanding.q.val() < self.max_outstanding.val());
        self.ring.next = (bit_cast::<8, 3>(self.requests.head.val()) << 2) | self.ring_offset.val();
        self.asked.next = self.granted.val() & self.asking.val();
        self.requests.pop.next = self.asked.val();
        self.popped.next = self.result_pop.val() & self.results_fifo.m_axis.tvalid.val();
        if self.asked.val() & !self.popped.val() {
            self.outstanding.d.next = self.outstanding.q.val() + 1;
        }
        if !self.asked.val() & self.popped.val() {
            self.outstanding.d.next = self.outstanding.q.val() - 1;
        }

        // Step a: an answer, taken as it comes.
        self.answered.next =
            self.res_valid.val() & (self.res_tag.val().get_bits::<7>(0) == self.tag_post.val().get_bits::<7>(0));
        self.a_valid.d.next = self.answered.val();
        self.a_first.d.next = self.res_addr.val();
        self.a_phase.d.next = self.res_phase.val();
        self.a_function.d.next = self.res_function.val();
        self.a_refused.d.next = self.res_status.val() != 0;
        self.window_function.next = self.a_function.q.val();
        // Step b: the entry's last byte, while the function's window is looked up.
        self.b_valid.d.next = self.a_valid.q.val();
        self.b_first.d.next = self.a_first.q.val();
        self.b_last.d.next = self.a_first.q.val() + self.entry_span.val();
        self.b_phase.d.next = self.a_phase.q.val();
        self.b_refused.d.next = self.a_refused.q.val();
        // Step c: the compare with the window (a refused post has no entry to check).
        self.c_valid.d.next = self.b_valid.q.val();
        self.c_first.d.next = self.b_first.q.val();
        self.c_phase.d.next = self.b_phase.q.val();
        self.c_refused.d.next = self.b_refused.q.val();
        self.c_outside.d.next = !self.b_refused.q.val()
            & ((self.b_first.q.val() < self.window_base.val())
                | (self.b_last.q.val() > self.window_limit.val())
                | (self.b_last.q.val() < self.b_first.q.val()));
        // The outcome is queued (there is room: every post out has its place).
        self.writes.next = !self.c_refused.q.val() & !self.c_outside.q.val();
        self.results_fifo.s_axis.tvalid.next = self.c_valid.q.val();
        self.results_fifo.s_axis.tdata.next = (bit_cast::<72, 1>(self.c_refused.q.val().into()) << 66)
            | (bit_cast::<72, 1>(self.writes.val().into()) << 65)
            | (bit_cast::<72, 1>(self.c_phase.q.val().into()) << 64)
            | bit_cast::<72, 64>(self.c_first.q.val());
        self.results_fifo.s_axis.tkeep.next = 0x1FF.into();
        self.results_fifo.s_axis.tlast.next = true;
        self.results_fifo.s_axis.tuser.next = 0.into();
        self.window_refused.next = self.c_valid.q.val() & self.c_outside.q.val();

        self.results_fifo.m_axis.tready.next = self.result_pop.val();
        self.result_valid.next = self.results_fifo.m_axis.tvalid.val();
        self.result_addr.next = self.results_fifo.m_axis.tdata.val().get_bits::<64>(0);
        self.result_phase.next = self.results_fifo.m_axis.tdata.val().get_bit(64);
        self.result_write.next = self.results_fifo.m_axis.tdata.val().get_bit(65);
        self.result_refused.next = self.results_fifo.m_axis.tdata.val().get_bit(66);
        if self.rst.val() {
            self.outstanding.d.next = 0.into();
            self.a_valid.d.next = false;
            self.b_valid.d.next = false;
            self.c_valid.d.next = false;
        }
    }
}

crate::native_ports!(
    impl[] CompletionPoster;
    clk, rst, request_valid, request_ready, request_queue, asking, ring, granted, res_valid, res_tag, res_status, res_addr, res_phase, res_function, window_function, window_base, window_limit, result_valid, result_pop, result_addr, result_phase, result_write, result_refused, window_refused,
);
