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
//! written: the ring was full or off (`result_refused`: the back counts an error), or the
//! entry lies outside the window (counted here, `window_refused`, as a lost write is).
//!
//! The poster shares the engine's operation port: it shows its request (`asking`, a
//! register) and is told when it went in (`granted`); its answers carry `TAG_POST`.
use crate::short_queue::ShortQueue;
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

#[derive(Copy, Clone, PartialEq, Eq, Debug, LogicState)]
pub enum PosterState {
    Idle,
    Asking,
    Waiting,
    Measure,
    Compare,
    Done,
}

#[derive(LogicBlock)]
pub struct CompletionPoster {
    pub clk: Signal<In, Clock>,
    pub rst: Signal<In, Bit>,
    /// A post to queue `request_queue`'s completion ring; taken while `request_ready`.
    pub request_valid: Signal<In, Bit>,
    pub request_ready: Signal<Out, Bit>,
    pub request_queue: Signal<In, Bits<3>>,
    /// The operation port: the post request (ring `ring`, code 1, `TAG_POST`), and whether
    /// it went in this cycle.
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
    /// An entry outside its function's window was not given to the back (one-cycle pulse).
    pub window_refused: Signal<Out, Bit>,
    /// Queues waiting for their post.
    requests: ShortQueue<3>,
    /// Outcomes, {refused 66, write 65, phase 64, address 63:0}.
    results: ShortQueue<67>,
    state: DFF<PosterState>,
    entry_first: DFF<Bits<64>>,
    entry_last: DFF<Bits<64>>,
    phase: DFF<Bit>,
    entry_function: DFF<Bits<8>>,
    refused: DFF<Bit>,
    outside: DFF<Bit>,
    answered: Signal<Local, Bit>,
    /// The entry was given and lies in the window. (A signal of its own: Verilog would
    /// widen an inverted bit inside the outcome's concatenation before inverting it.)
    writes: Signal<Local, Bit>,
    tag_post: Constant<Bits<8>>,
    ring_offset: Constant<Bits<8>>,
    /// An entry's bytes less one: its last byte is `entry_first + entry_span`.
    entry_span: Constant<Bits<64>>,
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
            results: Default::default(),
            state: Default::default(),
            entry_first: Default::default(),
            entry_last: Default::default(),
            phase: Default::default(),
            entry_function: Default::default(),
            refused: Default::default(),
            outside: Default::default(),
            answered: Default::default(),
            writes: Default::default(),
            tag_post: Constant::new(TAG_POST.to_bits()),
            ring_offset: Constant::new(rings.ring_offset.to_bits()),
            entry_span: Constant::new((rings.entry_bytes - 1).to_bits()),
        }
    }
}

impl Logic for CompletionPoster {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clk, state, entry_first, entry_last, phase, entry_function, refused, outside);
        self.requests.clk.next = self.clk.val();
        self.requests.rst.next = self.rst.val();
        self.results.clk.next = self.clk.val();
        self.results.rst.next = self.rst.val();
        self.requests.push.next = self.request_valid.val();
        self.requests.push_data.next = self.request_queue.val();
        self.request_ready.next = self.requests.room.val();
        self.requests.pop.next = false;
        self.asking.next = self.state.q.val() == PosterState::Asking;
        self.ring.next = (bit_cast::<8, 3>(self.requests.head.val()) << 2) | self.ring_offset.val();
        self.answered.next =
            self.res_valid.val() & (self.res_tag.val().get_bits::<7>(0) == self.tag_post.val().get_bits::<7>(0));
        self.window_function.next = self.entry_function.q.val();
        self.results.push.next = false;
        self.writes.next = !self.refused.q.val() & !self.outside.q.val();
        self.results.push_data.next = (bit_cast::<67, 1>(self.refused.q.val().into()) << 66)
            | (bit_cast::<67, 1>(self.writes.val().into()) << 65)
            | (bit_cast::<67, 1>(self.phase.q.val().into()) << 64)
            | bit_cast::<67, 64>(self.entry_first.q.val());
        self.results.pop.next = self.result_pop.val();
        self.result_valid.next = self.results.head_valid.val();
        self.result_addr.next = self.results.head.val().get_bits::<64>(0);
        self.result_phase.next = self.results.head.val().get_bit(64);
        self.result_write.next = self.results.head.val().get_bit(65);
        self.result_refused.next = self.results.head.val().get_bit(66);
        self.window_refused.next = false;

        match self.state.q.val() {
            PosterState::Idle => {
                if self.requests.head_valid.val() {
                    self.state.d.next = PosterState::Asking;
                }
            }
            PosterState::Asking => {
                if self.granted.val() {
                    self.state.d.next = PosterState::Waiting;
                }
            }
            PosterState::Waiting => {
                if self.answered.val() {
                    self.requests.pop.next = true;
                    self.entry_first.d.next = self.res_addr.val();
                    self.phase.d.next = self.res_phase.val();
                    self.entry_function.d.next = self.res_function.val();
                    self.refused.d.next = self.res_status.val() != 0;
                    self.outside.d.next = false;
                    if self.res_status.val() == 0 {
                        self.state.d.next = PosterState::Measure;
                    } else {
                        self.state.d.next = PosterState::Done;
                    }
                }
            }
            PosterState::Measure => {
                // The entry's last byte, while the function's window is looked up.
                self.entry_last.d.next = self.entry_first.q.val() + self.entry_span.val();
                self.state.d.next = PosterState::Compare;
            }
            PosterState::Compare => {
                self.outside.d.next = (self.entry_first.q.val() < self.window_base.val())
                    | (self.entry_last.q.val() > self.window_limit.val())
                    | (self.entry_last.q.val() < self.entry_first.q.val());
                self.state.d.next = PosterState::Done;
            }
            PosterState::Done => {
                if self.results.room.val() {
                    self.results.push.next = true;
                    self.window_refused.next = self.outside.q.val();
                    self.state.d.next = PosterState::Idle;
                }
            }
        }
        if self.rst.val() {
            self.state.d.next = PosterState::Idle;
        }
    }
}

crate::native_ports!(
    impl[] CompletionPoster;
    clk, rst, request_valid, request_ready, request_queue, asking, ring, granted, res_valid, res_tag, res_status, res_addr, res_phase, res_function, window_function, window_base, window_limit, result_valid, result_pop, result_addr, result_phase, result_write, result_refused, window_refused,
);
