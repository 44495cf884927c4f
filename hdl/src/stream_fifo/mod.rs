//! AXI4-Stream FIFO: the first real block, and the pattern the others follow.
//!
//! Storage is one block RAM per beat field (no slicing of a packed word, which rust-hdl
//! would export with bare generic names). Reading is two registers deep, as a block RAM
//! wants it: the RAM's read register holds the next beat (*held*), and the output
//! registers (`m_axis_*`) take it with nothing in between, so on ECP5 they become the RAM's
//! own output register (`ferronic_fpga::outreg`) and the path out of the FIFO starts at a
//! flip-flop. The held beat is re-read from its slot until it moves on; a slot is never read
//! in the cycle it is written (the RAMs are `BlockRam`s, which rely on that).
//!
//! Timing: `s_axis_tready` is a register; a beat written at edge t is on
//! `m_axis_*` after edge t+2 (three cycles through an empty FIFO), then one beat per cycle.
//! `occupancy` counts every beat accepted and not yet taken (stored, held or shown), so a
//! full FIFO holds exactly `2^ADDR` beats.
use crate::block_ram::{BlockRam, RamStyle};
use crate::bus::{check_lane_width, AxisSink, AxisSource};
use rust_hdl::prelude::*;
use rust_hdl::widgets::dff_with_init::DFFWithInit;

/// A fault to build into the FIFO on purpose, so that tests can prove they catch it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum FifoFault {
    /// A correct FIFO.
    #[default]
    None,
    /// Accept the beat written into slot 3 but never store it: a dropped beat.
    DropBeat,
}

/// `DATA`/`KEEP`/`USER`: stream widths; `ADDR`: log2 of the depth; `COUNT` = `ADDR + 1`
/// bits of occupancy (stable Rust cannot add one in a type, so it is a parameter too).
#[derive(LogicBlock)]
pub struct StreamFifo<const DATA: usize, const KEEP: usize, const USER: usize, const ADDR: usize, const COUNT: usize> {
    pub clk: Signal<In, Clock>,
    pub rst: Signal<In, Bit>,
    pub s_axis: AxisSink<DATA, KEEP, USER>,
    pub m_axis: AxisSource<DATA, KEEP, USER>,
    /// Beats held, including the one on `m_axis_*`.
    pub occupancy: Signal<Out, Bits<COUNT>>,
    data_ram: BlockRam<DATA, ADDR>,
    keep_ram: BlockRam<KEEP, ADDR>,
    user_ram: BlockRam<USER, ADDR>,
    last_ram: BlockRam<1, ADDR>,
    write_ptr: DFF<Bits<ADDR>>,
    /// The next slot to read into the RAMs' read registers.
    read_ptr: DFF<Bits<ADDR>>,
    /// The slot of the held beat (`read_ptr - 1`), kept in a register so the RAM's read
    /// address is a plain 2:1 choice.
    held_ptr: DFF<Bits<ADDR>>,
    held_valid: DFF<Bit>,
    count: DFF<Bits<COUNT>>,
    /// `count != depth`, kept as a register: it is `s_axis_tready` (ready from power-on,
    /// as the empty count is).
    space: DFFWithInit<Bit>,
    /// Beats stored and not yet read, and whether there are any (a register, so reading
    /// the next beat does not wait for a compare).
    unread: DFF<Bits<COUNT>>,
    any_unread: DFF<Bit>,
    out_valid: DFF<Bit>,
    out_data: DFF<Bits<DATA>>,
    out_keep: DFF<Bits<KEEP>>,
    out_user: DFF<Bits<USER>>,
    out_last: DFF<Bits<1>>,
    depth: Constant<Bits<COUNT>>,
    fault_drop: Constant<Bit>,
    fault_slot: Constant<Bits<ADDR>>,
    in_fire: Signal<Local, Bit>,
    out_fire: Signal<Local, Bit>,
    /// Beats in the pipeline (held and shown): 0, 1 or 2.
    unread_next: Signal<Local, Bits<COUNT>>,
    count_next: Signal<Local, Bits<COUNT>>,
    one_slot_left: Signal<Local, Bit>,
    load_out: Signal<Local, Bit>,
    fetch: Signal<Local, Bit>,
    store: Signal<Local, Bit>,
}

impl<const DATA: usize, const KEEP: usize, const USER: usize, const ADDR: usize, const COUNT: usize>
    StreamFifo<DATA, KEEP, USER, ADDR, COUNT>
{
    pub fn new(fault: FifoFault) -> Self {
        check_lane_width(DATA, KEEP);
        assert!(COUNT == ADDR + 1, "StreamFifo: COUNT must be ADDR + 1");
        assert!(ADDR >= 2, "StreamFifo: depth must be at least 4");
        Self {
            clk: Default::default(),
            rst: Default::default(),
            s_axis: Default::default(),
            m_axis: Default::default(),
            occupancy: Default::default(),
            data_ram: Default::default(),
            keep_ram: Default::default(),
            user_ram: Default::default(),
            last_ram: Default::default(),
            write_ptr: Default::default(),
            read_ptr: Default::default(),
            held_ptr: Default::default(),
            held_valid: Default::default(),
            count: Default::default(),
            space: DFFWithInit::new(true),
            unread: Default::default(),
            any_unread: Default::default(),
            out_valid: Default::default(),
            out_data: Default::default(),
            out_keep: Default::default(),
            out_user: Default::default(),
            out_last: Default::default(),
            depth: Constant::new((1u64 << ADDR).to_bits()),
            fault_drop: Constant::new(fault == FifoFault::DropBeat),
            fault_slot: Constant::new(3u64.to_bits()),
            in_fire: Default::default(),
            out_fire: Default::default(),
            unread_next: Default::default(),
            count_next: Default::default(),
            one_slot_left: Default::default(),
            load_out: Default::default(),
            fetch: Default::default(),
            store: Default::default(),
        }
    }
}

impl<const DATA: usize, const KEEP: usize, const USER: usize, const ADDR: usize, const COUNT: usize>
    StreamFifo<DATA, KEEP, USER, ADDR, COUNT>
{
    /// The same FIFO with its data and user beats in block RAM whatever the depth: for a
    /// shallow FIFO of wide records, where LUT RAM would spread the read address over a
    /// hundred cells (the RDMA receive path's header queue).
    pub fn in_block_ram(mut self) -> Self {
        self.data_ram.set_style(RamStyle::Block);
        self.user_ram.set_style(RamStyle::Block);
        self
    }
    /// Every beat field in block RAM, `tkeep` and `tlast` too: for a deep FIFO whose narrow
    /// fields, in LUT RAM, read through a multiplexer as deep as the FIFO (the TX engine's
    /// 128-entry job queue). Costs a block RAM per field.
    pub fn all_in_block_ram(mut self) -> Self {
        self.keep_ram.set_style(RamStyle::Block);
        self.last_ram.set_style(RamStyle::Block);
        self.in_block_ram()
    }
}

impl<const DATA: usize, const KEEP: usize, const USER: usize, const ADDR: usize, const COUNT: usize> Default
    for StreamFifo<DATA, KEEP, USER, ADDR, COUNT>
{
    fn default() -> Self {
        Self::new(FifoFault::None)
    }
}

impl<const DATA: usize, const KEEP: usize, const USER: usize, const ADDR: usize, const COUNT: usize> Logic
    for StreamFifo<DATA, KEEP, USER, ADDR, COUNT>
{
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self, clk, write_ptr, read_ptr, held_ptr, held_valid, count, space, unread, any_unread, out_valid,
            out_data, out_keep, out_user, out_last
        );
        self.data_ram.read_clock.next = self.clk.val();
        self.data_ram.write_clock.next = self.clk.val();
        self.keep_ram.read_clock.next = self.clk.val();
        self.keep_ram.write_clock.next = self.clk.val();
        self.user_ram.read_clock.next = self.clk.val();
        self.user_ram.write_clock.next = self.clk.val();
        self.last_ram.read_clock.next = self.clk.val();
        self.last_ram.write_clock.next = self.clk.val();

        // Input side: accept while a slot is free.
        self.s_axis.tready.next = self.space.q.val();
        self.one_slot_left.next = self.count.q.val() == self.depth.val() - 1;
        self.in_fire.next = self.s_axis.tvalid.val() & self.space.q.val();
        // The fault (off in every shipped build) swallows the beat bound for one slot.
        self.store.next =
            self.in_fire.val() & !(self.fault_drop.val() & (self.write_ptr.q.val() == self.fault_slot.val()));

        // Output side: the held beat moves to the output registers when they are empty or
        // their beat is taken; the next unread beat is read when nothing is held or the held
        // one moves on.
        self.out_fire.next = self.out_valid.q.val() & self.m_axis.tready.val();
        self.load_out.next = self.held_valid.q.val() & (!self.out_valid.q.val() | self.m_axis.tready.val());
        self.fetch.next = self.any_unread.q.val() & (!self.held_valid.q.val() | self.load_out.val());
        self.unread_next.next = self.unread.q.val();
        if self.store.val() & !self.fetch.val() {
            self.unread_next.next = self.unread.q.val() + 1;
        } else if !self.store.val() & self.fetch.val() {
            self.unread_next.next = self.unread.q.val() - 1;
        }
        self.unread.d.next = self.unread_next.val();
        if self.store.val() & !self.fetch.val() {
            self.any_unread.d.next = true;
        } else if !self.store.val() & self.fetch.val() {
            self.any_unread.d.next = self.unread.q.val() != 1;
        }

        self.data_ram.write_address.next = self.write_ptr.q.val();
        self.keep_ram.write_address.next = self.write_ptr.q.val();
        self.user_ram.write_address.next = self.write_ptr.q.val();
        self.last_ram.write_address.next = self.write_ptr.q.val();
        self.data_ram.write_data.next = self.s_axis.tdata.val();
        self.keep_ram.write_data.next = self.s_axis.tkeep.val();
        self.user_ram.write_data.next = self.s_axis.tuser.val();
        self.last_ram.write_data.next = bit_cast::<1, 1>(self.s_axis.tlast.val().into());
        self.data_ram.write_enable.next = self.store.val();
        self.keep_ram.write_enable.next = self.store.val();
        self.user_ram.write_enable.next = self.store.val();
        self.last_ram.write_enable.next = self.store.val();

        // Read the next slot when fetching, else re-read the held beat's slot.
        if self.fetch.val() {
            self.data_ram.read_address.next = self.read_ptr.q.val();
            self.keep_ram.read_address.next = self.read_ptr.q.val();
            self.user_ram.read_address.next = self.read_ptr.q.val();
            self.last_ram.read_address.next = self.read_ptr.q.val();
        } else {
            self.data_ram.read_address.next = self.held_ptr.q.val();
            self.keep_ram.read_address.next = self.held_ptr.q.val();
            self.user_ram.read_address.next = self.held_ptr.q.val();
            self.last_ram.read_address.next = self.held_ptr.q.val();
        }
        // The output registers take the RAMs' read registers with nothing in between.
        if self.load_out.val() {
            self.out_data.d.next = self.data_ram.read_data.val();
            self.out_keep.d.next = self.keep_ram.read_data.val();
            self.out_user.d.next = self.user_ram.read_data.val();
            self.out_last.d.next = self.last_ram.read_data.val();
        }
        self.m_axis.tdata.next = self.out_data.q.val();
        self.m_axis.tkeep.next = self.out_keep.q.val();
        self.m_axis.tuser.next = self.out_user.q.val();
        self.m_axis.tlast.next = self.out_last.q.val().any();
        self.m_axis.tvalid.next = self.out_valid.q.val();
        self.occupancy.next = self.count.q.val();

        if self.store.val() {
            self.write_ptr.d.next = self.write_ptr.q.val() + 1;
        }
        if self.fetch.val() {
            self.read_ptr.d.next = self.read_ptr.q.val() + 1;
            self.held_ptr.d.next = self.read_ptr.q.val();
            self.held_valid.d.next = true;
        } else if self.load_out.val() {
            self.held_valid.d.next = false;
        }
        if self.load_out.val() {
            self.out_valid.d.next = true;
        } else if self.out_fire.val() {
            self.out_valid.d.next = false;
        }
        self.count_next.next = self.count.q.val();
        if self.store.val() & !self.out_fire.val() {
            self.count_next.next = self.count.q.val() + 1;
        } else if !self.store.val() & self.out_fire.val() {
            self.count_next.next = self.count.q.val() - 1;
        }
        self.count.d.next = self.count_next.val();
        // Whether there will be space, from compares on registers and the two events (the
        // count's adder stays off this path).
        if self.store.val() & !self.out_fire.val() {
            self.space.d.next = !self.one_slot_left.val();
        } else if !self.store.val() & self.out_fire.val() {
            self.space.d.next = true;
        }
        if self.rst.val() {
            self.write_ptr.d.next = 0.into();
            self.read_ptr.d.next = 0.into();
            self.held_ptr.d.next = 0.into();
            self.held_valid.d.next = false;
            self.count.d.next = 0.into();
            self.space.d.next = true;
            self.unread.d.next = 0.into();
            self.any_unread.d.next = false;
            self.out_valid.d.next = false;
        }
    }
}

/// The default build: 64-bit data, 8 keep lanes, 1 user bit, 16 beats deep.
pub type StreamFifo64x16 = StreamFifo<64, 8, 1, 4, 5>;

crate::native_ports!(
    impl[const DATA: usize, const KEEP: usize, const USER: usize, const ADDR: usize, const COUNT: usize]
    StreamFifo<DATA, KEEP, USER, ADDR, COUNT>;
    clk, rst,
    s_axis.tdata, s_axis.tkeep, s_axis.tvalid, s_axis.tready, s_axis.tlast, s_axis.tuser,
    m_axis.tdata, m_axis.tkeep, m_axis.tvalid, m_axis.tready, m_axis.tlast, m_axis.tuser,
    occupancy,
);
