//! A four-entry queue in flip-flops, for the order of things in flight: which requester
//! owns each write descriptor accepted ahead of its data (the NIC), what each write the RX
//! engine issued carries (its buffer's beats or a completion).
//!
//! Unlike `StreamFifo` (three cycles through an empty FIFO, storage in RAM), an entry pushed
//! at edge t is the head after edge t + 1 when the queue was empty, and the head is a
//! register, so what decodes it (a data multiplexer's select) starts at a flip-flop.
//! Entries move down one place at each pop, so the head is always entry 0.
//!
//! `room` (a register) says another push may come this cycle; a push without room and a pop
//! of an empty queue are ignored (the users never make them: their handshakes are gated by
//! `room` and `head_valid`).
use rust_hdl::prelude::*;

#[derive(LogicBlock, Default)]
pub struct ShortQueue<const W: usize> {
    pub clk: Signal<In, Clock>,
    pub rst: Signal<In, Bit>,
    pub push: Signal<In, Bit>,
    pub push_data: Signal<In, Bits<W>>,
    pub pop: Signal<In, Bit>,
    pub head_valid: Signal<Out, Bit>,
    pub head: Signal<Out, Bits<W>>,
    /// Fewer than four entries: a push is taken this cycle.
    pub room: Signal<Out, Bit>,
    entry0: DFF<Bits<W>>,
    entry1: DFF<Bits<W>>,
    entry2: DFF<Bits<W>>,
    entry3: DFF<Bits<W>>,
    count: DFF<Bits<3>>,
    nonempty: DFF<Bit>,
    not_full: DFF<Bit>,
    take: Signal<Local, Bit>,
    drop: Signal<Local, Bit>,
    /// Where a push goes: the first free entry after this cycle's pop.
    slot: Signal<Local, Bits<3>>,
    next_count: Signal<Local, Bits<3>>,
}

impl<const W: usize> Logic for ShortQueue<W> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clk, entry0, entry1, entry2, entry3, count, nonempty, not_full);
        self.take.next = self.push.val() & self.not_full.q.val();
        self.drop.next = self.pop.val() & self.nonempty.q.val();
        self.slot.next = self.count.q.val();
        if self.drop.val() {
            self.slot.next = self.count.q.val() - 1;
            self.entry0.d.next = self.entry1.q.val();
            self.entry1.d.next = self.entry2.q.val();
            self.entry2.d.next = self.entry3.q.val();
        }
        if self.take.val() {
            if self.slot.val() == 0 {
                self.entry0.d.next = self.push_data.val();
            }
            if self.slot.val() == 1 {
                self.entry1.d.next = self.push_data.val();
            }
            if self.slot.val() == 2 {
                self.entry2.d.next = self.push_data.val();
            }
            if self.slot.val() == 3 {
                self.entry3.d.next = self.push_data.val();
            }
        }
        self.next_count.next = self.count.q.val();
        if self.take.val() & !self.drop.val() {
            self.next_count.next = self.count.q.val() + 1;
        }
        if !self.take.val() & self.drop.val() {
            self.next_count.next = self.count.q.val() - 1;
        }
        self.count.d.next = self.next_count.val();
        self.nonempty.d.next = self.next_count.val() != 0;
        self.not_full.d.next = self.next_count.val() < 4;
        if self.rst.val() {
            self.count.d.next = 0.into();
            self.nonempty.d.next = false;
            self.not_full.d.next = true;
        }
        self.head_valid.next = self.nonempty.q.val();
        self.head.next = self.entry0.q.val();
        self.room.next = self.not_full.q.val();
    }
}

crate::native_ports!(
    impl[const W: usize] ShortQueue<W>;
    clk, rst, push, push_data, pop, head_valid, head, room,
);
