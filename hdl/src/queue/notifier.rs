//! Completion notifies, sent only once the completion is in host memory, beside an engine
//! that does not wait for that.
//!
//! An engine writes a completion (the queue manager's `post` gave it the address), tells
//! the notifier the ring once the write's data has gone out (`written_*`), and goes on. The
//! notifier counts the completion writes answered (`answered`: answers come back in write
//! order) and, for each, asks the queue manager to `notify` the oldest ring written (it
//! raises the MSI-X if the ring is armed), so an interrupt never comes before its
//! completion. A notify follows every answered completion write, failed ones too: the
//! engine counts the failure, and the host's handler finds nothing new.
//!
//! The notifier and the engine share the queue manager's operation port. The engine shows
//! the request of the one `turn` names (so no valid depends on a ready): its own while
//! `turn` is low, else the notify (`requesting`, `ring`, op code 2, `TAG_NOTIFY`); the turn
//! passes when the other is asking and the holder is not, or was just served. Every output
//! here is a register, so an engine that reads them in the same logic that drives the
//! inputs makes no combinational loop. Answers are told apart by their tag: bits 6:0 equal
//! to `TAG_NOTIFY` are the notifier's.
use crate::stream_fifo::{FifoFault, StreamFifo};
use rust_hdl::prelude::*;

/// Operation tag (bits 6:0) of a notify; the engines' own operations use other tags.
pub const TAG_NOTIFY: u64 = 0x43;

/// Completion rings written and waiting for their notify (16 of them).
type WrittenRings = StreamFifo<8, 1, 1, 4, 5>;

#[derive(LogicBlock)]
pub struct Notifier {
    pub clk: Signal<In, Clock>,
    pub rst: Signal<In, Bit>,
    /// A completion's write data has gone out on ring `written_ring`. The engine issues a
    /// completion write only while `written_ready` says there is room to record it.
    pub written_valid: Signal<In, Bit>,
    pub written_ready: Signal<Out, Bit>,
    pub written_ring: Signal<In, Bits<8>>,
    /// A completion write was answered (in the order the writes went out).
    pub answered: Signal<In, Bit>,
    /// The engine is asking on the operation port.
    pub e_op_valid: Signal<In, Bit>,
    /// The queue manager's operation port, as the engine drives and sees it.
    pub op_ready: Signal<In, Bit>,
    pub res_valid: Signal<In, Bit>,
    pub res_tag: Signal<In, Bits<8>>,
    /// Whose request the port shows: 0 the engine's, 1 the notify.
    pub turn: Signal<Out, Bit>,
    /// The notify request: ring `ring`.
    pub requesting: Signal<Out, Bit>,
    pub ring: Signal<Out, Bits<8>>,

    written_fifo: WrittenRings,
    /// Completion writes answered and not yet notified.
    unnotified: DFF<Bits<5>>,
    asking: DFF<Bit>,
    waiting: DFF<Bit>,
    turn_reg: DFF<Bit>,
    notified: Signal<Local, Bit>,
    n_res_valid: Signal<Local, Bit>,
    tag_notify: Constant<Bits<8>>,
}

impl Default for Notifier {
    fn default() -> Self {
        Self {
            clk: Default::default(),
            rst: Default::default(),
            written_valid: Default::default(),
            written_ready: Default::default(),
            written_ring: Default::default(),
            answered: Default::default(),
            e_op_valid: Default::default(),
            op_ready: Default::default(),
            res_valid: Default::default(),
            res_tag: Default::default(),
            turn: Default::default(),
            requesting: Default::default(),
            ring: Default::default(),
            written_fifo: WrittenRings::new(FifoFault::None),
            unnotified: Default::default(),
            asking: Default::default(),
            waiting: Default::default(),
            turn_reg: Default::default(),
            notified: Default::default(),
            n_res_valid: Default::default(),
            tag_notify: Constant::new(TAG_NOTIFY.to_bits()),
        }
    }
}

impl Logic for Notifier {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clk, unnotified, asking, waiting, turn_reg);
        self.written_fifo.clk.next = self.clk.val();
        self.written_fifo.rst.next = self.rst.val();
        self.written_fifo.s_axis.tvalid.next = self.written_valid.val();
        self.written_fifo.s_axis.tdata.next = self.written_ring.val();
        self.written_fifo.s_axis.tkeep.next = 1.into();
        self.written_fifo.s_axis.tlast.next = true;
        self.written_fifo.s_axis.tuser.next = 0.into();
        self.written_ready.next = self.written_fifo.s_axis.tready.val();
        self.written_fifo.m_axis.tready.next = false;
        self.turn.next = self.turn_reg.q.val();
        self.requesting.next = self.asking.q.val();
        self.ring.next = self.written_fifo.m_axis.tdata.val();

        // One notify at a time: ask once the oldest ring's write is answered, wait for the
        // queue manager's answer, then let the ring go.
        self.n_res_valid.next =
            self.res_valid.val() & (self.res_tag.val().get_bits::<7>(0) == self.tag_notify.val().get_bits::<7>(0));
        self.notified.next = false;
        if !self.asking.q.val()
            & !self.waiting.q.val()
            & self.written_fifo.m_axis.tvalid.val()
            & (self.unnotified.q.val() != 0)
        {
            self.asking.d.next = true;
        }
        if self.asking.q.val() & self.turn_reg.q.val() & self.op_ready.val() {
            self.asking.d.next = false;
            self.waiting.d.next = true;
        }
        if self.waiting.q.val() & self.n_res_valid.val() {
            self.waiting.d.next = false;
            self.written_fifo.m_axis.tready.next = true;
            self.notified.next = true;
        }
        if self.answered.val() & !self.notified.val() {
            self.unnotified.d.next = self.unnotified.q.val() + 1;
        }
        if !self.answered.val() & self.notified.val() {
            self.unnotified.d.next = self.unnotified.q.val() - 1;
        }

        // The turn passes when the other one asks and the holder does not, or was served.
        if self.turn_reg.q.val() {
            if self.e_op_valid.val() & (!self.asking.q.val() | self.op_ready.val()) {
                self.turn_reg.d.next = false;
            }
        } else if self.asking.q.val() & (!self.e_op_valid.val() | self.op_ready.val()) {
            self.turn_reg.d.next = true;
        }

        if self.rst.val() {
            self.unnotified.d.next = 0.into();
            self.asking.d.next = false;
            self.waiting.d.next = false;
            self.turn_reg.d.next = false;
        }
    }
}
