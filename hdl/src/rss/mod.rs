//! RSS indirection table: the RX queue of each value of a frame's hash mod 128, written by
//! the host as BAR0 registers (the map's `rss` array, from `RSS_BASE`) and looked up by the
//! RX engine.
//!
//! 128 entries of 3 bits in two copies (LUT RAM): one for the RX engine's lookup port
//! (`lookup_index` in, `lookup_queue` out the cycle after), one the registers read, so a
//! register access never delays a lookup; a lookup in the cycle its entry is written sees
//! the old queue. After `rst` a sweep (128 cycles) sets entry `n` to `n` mod 8, the ENA
//! driver's default table over 8 queues; register accesses wait for it.
//!
//! Registers (through `AxilRegisterPort`): an entry's dword holds the queue in bits 2:0;
//! the other bits read 0 and ignore writes, and a write changes the entry only when its
//! strobe for byte 0 is set. Entries past the 128th, or an address outside the table's
//! region: DECERR (reads give 0, writes change nothing).
use crate::axil_register_port::AxilRegisterPort;
use crate::bus::AxilSlave;
use crate::regs::nic::{RSS, RSS_ENTRIES};
use rust_hdl::prelude::*;

#[derive(LogicBlock)]
pub struct RssTable {
    pub clk: Signal<In, Clock>,
    pub rst: Signal<In, Bit>,
    /// BAR0 accesses in the table's region (the NIC's BAR0 split sends them here).
    pub s_axil: AxilSlave<16>,
    /// The RX engine's lookup: the queue of the hashes with these low 7 bits, the cycle after.
    pub lookup_index: Signal<In, Bits<7>>,
    pub lookup_queue: Signal<Out, Bits<3>>,
    port: AxilRegisterPort,
    lookup: RAM<Bits<3>, 7>,
    registers: RAM<Bits<3>, 7>,
    /// After `rst`: entry `clear_index` gets `clear_index` mod 8, one per cycle.
    clearing: DFF<Bit>,
    clear_index: DFF<Bits<7>>,
    /// The access's entry was read from `registers` (its data is there now).
    entry_read: DFF<Bit>,
    /// The access names an entry: the table's region (address bits 15:11) and one of its
    /// 128 dwords (bits 10:9 zero).
    mapped: Signal<Local, Bit>,
    region: Constant<Bits<5>>,
}

impl Default for RssTable {
    fn default() -> Self {
        assert_eq!(RSS.stride, 4, "one dword per entry");
        assert_eq!(RSS.base % 0x800, 0, "the table's region must be a 2 KiB region of the BAR0 split");
        assert_eq!(RSS_ENTRIES, 128, "the lookup index is the hash's low 7 bits");
        Self {
            clk: Default::default(),
            rst: Default::default(),
            s_axil: Default::default(),
            lookup_index: Default::default(),
            lookup_queue: Default::default(),
            port: Default::default(),
            lookup: Default::default(),
            registers: Default::default(),
            clearing: Default::default(),
            clear_index: Default::default(),
            entry_read: Default::default(),
            mapped: Default::default(),
            region: Constant::new(((RSS.base / 0x800) as u64).to_bits()),
        }
    }
}

impl Logic for RssTable {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clk, clearing, clear_index, entry_read);
        self.port.clk.next = self.clk.val();
        self.port.rst.next = self.rst.val();
        AxilSlave::<16>::link(&mut self.s_axil, &mut self.port.s_axil);
        self.lookup.read_clock.next = self.clk.val();
        self.lookup.write_clock.next = self.clk.val();
        self.registers.read_clock.next = self.clk.val();
        self.registers.write_clock.next = self.clk.val();

        self.lookup.read_address.next = self.lookup_index.val();
        self.lookup_queue.next = self.lookup.read_data.val();

        // A register access: its entry read (one cycle), then carried out.
        self.registers.read_address.next = self.port.access_dword.val().get_bits::<7>(0);
        self.mapped.next = (self.port.access_dword.val().get_bits::<5>(9) == self.region.val())
            & (self.port.access_dword.val().get_bits::<2>(7) == 0);
        self.port.done.next = false;
        self.port.done_resp.next = 0.into();
        if !self.mapped.val() {
            self.port.done_resp.next = 3.into();
        }
        self.port.done_data.next = bit_cast::<32, 3>(self.registers.read_data.val());
        self.lookup.write_enable.next = false;
        self.registers.write_enable.next = false;
        self.lookup.write_address.next = self.port.access_dword.val().get_bits::<7>(0);
        self.registers.write_address.next = self.port.access_dword.val().get_bits::<7>(0);
        self.lookup.write_data.next = self.port.access_data.val().get_bits::<3>(0);
        self.registers.write_data.next = self.port.access_data.val().get_bits::<3>(0);
        self.entry_read.d.next = false;
        if self.port.access_valid.val() & !self.clearing.q.val() {
            if !self.entry_read.q.val() {
                self.entry_read.d.next = true;
            } else {
                self.port.done.next = true;
                if self.port.access_write.val() & self.mapped.val() & self.port.access_strobe.val().get_bit(0) {
                    self.lookup.write_enable.next = true;
                    self.registers.write_enable.next = true;
                }
            }
        }

        // After reset: the ENA driver's default table.
        if self.clearing.q.val() {
            self.lookup.write_enable.next = true;
            self.registers.write_enable.next = true;
            self.lookup.write_address.next = self.clear_index.q.val();
            self.registers.write_address.next = self.clear_index.q.val();
            self.lookup.write_data.next = self.clear_index.q.val().get_bits::<3>(0);
            self.registers.write_data.next = self.clear_index.q.val().get_bits::<3>(0);
            self.clear_index.d.next = self.clear_index.q.val() + 1;
            if self.clear_index.q.val() == 127 {
                self.clearing.d.next = false;
            }
        }
        if self.rst.val() {
            self.clearing.d.next = true;
            self.clear_index.d.next = 0.into();
            self.entry_read.d.next = false;
        }
    }
}

crate::native_ports!(
    impl[] RssTable;
    clk, rst, s_axil.awaddr, s_axil.awprot, s_axil.awvalid, s_axil.awready, s_axil.wdata, s_axil.wstrb, s_axil.wvalid, s_axil.wready, s_axil.bresp, s_axil.bvalid, s_axil.bready, s_axil.araddr, s_axil.arprot, s_axil.arvalid, s_axil.arready, s_axil.rdata, s_axil.rresp, s_axil.rvalid, s_axil.rready,
    lookup_index, lookup_queue,
);
