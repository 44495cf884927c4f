//! DMA windows: for each PCIe function, the host memory its queues may reach by DMA, as
//! BAR0 registers (the map's `window` array, from `WINDOWS_BASE`) and a lookup port for
//! each engine (TX, TX completions, RX, RX completions, RDMA placement, RDMA completions).
//!
//! Window `n` is [base, limit], both inclusive, 64-bit. After `rst` a sweep (32 cycles) sets
//! every window to all of memory, so a host that never writes them loses nothing; the PF's
//! driver narrows a function's window before it hands the function out. A function numbered
//! 32 or more has no window: the lookup answers an empty one (base all ones, limit 0).
//!
//! Six lookup ports, one per engine (`tx_function` in, `tx_base`/`tx_limit` out the cycle
//! after; `txcq_`, `rx_`, `rxcq_`, `rdma_` and `cq_` the same), each reading a copy of the table of
//! its own (`WindowCopy`), so neither a register access nor another engine ever delays a
//! lookup. The lookups' copies are written the cycle after the registers' copy (from
//! registers): a lookup in the cycle the access is answered, or the one after, sees the old
//! window.
//!
//! Registers: `s_axil_` (AXI4-Lite) through the shared register port
//! (`axil_register_port`: one access at a time, a write before a read). The access reads
//! the function's word from the register copy, merges the byte-strobed dword, writes it
//! back (into the lookups' copies the cycle after) and answers: OKAY, or DECERR for a
//! function past the table or an address outside the region (reads give 0, writes change
//! nothing).
use crate::axil_register_port::AxilRegisterPort;
use crate::block_ram::BlockRam;
use crate::bus::AxilSlave;
use crate::regs::nic::{WINDOWS, WINDOW_BASE_HI, WINDOW_BASE_LO, WINDOW_FUNCTIONS, WINDOW_LIMIT_HI, WINDOW_LIMIT_LO};
use rust_hdl::prelude::*;

/// Functions with a window.
pub const FUNCTIONS: usize = WINDOW_FUNCTIONS as usize;

#[derive(LogicBlock)]
pub struct DmaWindows {
    pub clk: Signal<In, Clock>,
    pub rst: Signal<In, Bit>,
    /// BAR0 accesses in the windows' region (the NIC's BAR0 split sends them here).
    pub s_axil: AxilSlave<16>,
    /// The TX engine's lookup: the window of `tx_function`, the cycle after.
    pub tx_function: Signal<In, Bits<8>>,
    pub tx_base: Signal<Out, Bits<64>>,
    pub tx_limit: Signal<Out, Bits<64>>,
    /// The TX engine's completion poster's lookup (completion entries), the same way.
    pub txcq_function: Signal<In, Bits<8>>,
    pub txcq_base: Signal<Out, Bits<64>>,
    pub txcq_limit: Signal<Out, Bits<64>>,
    /// The RX engine's lookup, the same way.
    pub rx_function: Signal<In, Bits<8>>,
    pub rx_base: Signal<Out, Bits<64>>,
    pub rx_limit: Signal<Out, Bits<64>>,
    /// The RX engine's completion poster's lookup (completion entries), the same way.
    pub rxcq_function: Signal<In, Bits<8>>,
    pub rxcq_base: Signal<Out, Bits<64>>,
    pub rxcq_limit: Signal<Out, Bits<64>>,
    /// The RDMA receive path's lookup (placement writes), the same way.
    pub rdma_function: Signal<In, Bits<8>>,
    pub rdma_base: Signal<Out, Bits<64>>,
    pub rdma_limit: Signal<Out, Bits<64>>,
    /// The RDMA completer's lookup (completion entries), the same way.
    pub cq_function: Signal<In, Bits<8>>,
    pub cq_base: Signal<Out, Bits<64>>,
    pub cq_limit: Signal<Out, Bits<64>>,

    /// {limit 127:64, base 63:0} per function: the lookups' copies (reads of a word being
    /// written give the old word) and the registers' copy.
    tx_lookup: WindowCopy,
    txcq_lookup: WindowCopy,
    rx_lookup: WindowCopy,
    rxcq_lookup: WindowCopy,
    rdma_lookup: WindowCopy,
    cq_lookup: WindowCopy,
    registers: BlockRam<128, 5>,
    /// What is written into the registers' copy this cycle, and into the lookups' copies
    /// the cycle after, from registers: the write enable's decode would otherwise fan out
    /// to five copies' RAM cells in one cycle.
    write_enable: Signal<Local, Bit>,
    write_function: Signal<Local, Bits<5>>,
    write_word: Signal<Local, Bits<128>>,
    copy_enable: DFF<Bit>,
    copy_function: DFF<Bits<5>>,
    copy_word: DFF<Bits<128>>,
    /// After `rst`: every window set to all of memory, one per cycle.
    clearing: DFF<Bit>,
    clear_function: DFF<Bits<5>>,
    /// The bus side: one access at a time, held until `done`.
    port: AxilRegisterPort,
    /// The access's word is being read from the register copy (it is there the cycle after).
    reading: DFF<Bit>,
    /// The access's function, dword, and whether it is in the windows' region and table.
    a_function: Signal<Local, Bits<5>>,
    a_dword: Signal<Local, Bits<2>>,
    a_mapped: Signal<Local, Bit>,
    current: Signal<Local, Bits<32>>,
    merged: Signal<Local, Bits<32>>,
    word: Signal<Local, Bits<128>>,
    open_window: Constant<Bits<128>>,
    dword_mask: Constant<Bits<128>>,
    /// BAR0 address bits 15:11 of the windows' region.
    region: Constant<Bits<5>>,
}

impl Default for DmaWindows {
    fn default() -> Self {
        // The decode: function in address bits 10:4, dword in 3:2, {base, limit} in that order.
        assert_eq!(WINDOWS.stride, 16);
        for (k, r) in [WINDOW_BASE_LO, WINDOW_BASE_HI, WINDOW_LIMIT_LO, WINDOW_LIMIT_HI].iter().enumerate() {
            assert_eq!(r.offset, 4 * k as u32, "window register {} moved: update the windows block", r.name);
        }
        assert_eq!(WINDOWS.base % 0x800, 0, "the windows' region must be a 2 KiB region of the BAR0 split");
        let limit_reset = ((WINDOW_LIMIT_HI.reset as u128) << 32 | WINDOW_LIMIT_LO.reset as u128) << 64;
        let base_reset = (WINDOW_BASE_HI.reset as u128) << 32 | WINDOW_BASE_LO.reset as u128;
        let open = limit_reset | base_reset;
        Self {
            clk: Default::default(),
            rst: Default::default(),
            s_axil: Default::default(),
            tx_function: Default::default(),
            tx_base: Default::default(),
            tx_limit: Default::default(),
            txcq_function: Default::default(),
            txcq_base: Default::default(),
            txcq_limit: Default::default(),
            rxcq_function: Default::default(),
            rxcq_base: Default::default(),
            rxcq_limit: Default::default(),
            rx_function: Default::default(),
            rx_base: Default::default(),
            rx_limit: Default::default(),
            rdma_function: Default::default(),
            rdma_base: Default::default(),
            rdma_limit: Default::default(),
            cq_function: Default::default(),
            cq_base: Default::default(),
            cq_limit: Default::default(),
            tx_lookup: Default::default(),
            txcq_lookup: Default::default(),
            rxcq_lookup: Default::default(),
            rx_lookup: Default::default(),
            rdma_lookup: Default::default(),
            cq_lookup: Default::default(),
            registers: Default::default(),
            write_enable: Default::default(),
            write_function: Default::default(),
            write_word: Default::default(),
            copy_enable: Default::default(),
            copy_function: Default::default(),
            copy_word: Default::default(),
            clearing: Default::default(),
            clear_function: Default::default(),
            port: Default::default(),
            reading: Default::default(),
            a_function: Default::default(),
            a_dword: Default::default(),
            a_mapped: Default::default(),
            current: Default::default(),
            merged: Default::default(),
            word: Default::default(),
            open_window: Constant::new(
                (bit_cast::<128, 64>(((open >> 64) as u64).to_bits()) << 64)
                    | bit_cast::<128, 64>((open as u64).to_bits()),
            ),
            region: Constant::new(((WINDOWS.base / 0x800) as u64).to_bits()),
            dword_mask: Constant::new(bit_cast::<128, 32>(0xFFFF_FFFF_u64.to_bits())),
        }
    }
}

impl Logic for DmaWindows {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clk, clearing, clear_function, reading, copy_enable, copy_function, copy_word);
        self.registers.read_clock.next = self.clk.val();
        self.registers.write_clock.next = self.clk.val();

        // Lookups, each in its own copy.
        self.tx_lookup.lookup_function.next = self.tx_function.val();
        self.tx_base.next = self.tx_lookup.base.val();
        self.tx_limit.next = self.tx_lookup.limit.val();
        self.txcq_lookup.lookup_function.next = self.txcq_function.val();
        self.txcq_base.next = self.txcq_lookup.base.val();
        self.txcq_limit.next = self.txcq_lookup.limit.val();
        self.rx_lookup.lookup_function.next = self.rx_function.val();
        self.rx_base.next = self.rx_lookup.base.val();
        self.rx_limit.next = self.rx_lookup.limit.val();
        self.rxcq_lookup.lookup_function.next = self.rxcq_function.val();
        self.rxcq_base.next = self.rxcq_lookup.base.val();
        self.rxcq_limit.next = self.rxcq_lookup.limit.val();
        self.rdma_lookup.lookup_function.next = self.rdma_function.val();
        self.rdma_base.next = self.rdma_lookup.base.val();
        self.rdma_limit.next = self.rdma_lookup.limit.val();
        self.cq_lookup.lookup_function.next = self.cq_function.val();
        self.cq_base.next = self.cq_lookup.base.val();
        self.cq_limit.next = self.cq_lookup.limit.val();

        // Register accesses: the function's word is read (a cycle), then merged, written and
        // answered; none while the table is being set up.
        self.port.clk.next = self.clk.val();
        self.port.rst.next = self.rst.val();
        AxilSlave::<16>::link(&mut self.s_axil, &mut self.port.s_axil);
        // In the windows' region (BAR0 bits 15:11) and the table (bits 10:9 zero).
        self.a_function.next = self.port.access_dword.val().get_bits::<5>(2);
        self.a_dword.next = self.port.access_dword.val().get_bits::<2>(0);
        self.a_mapped.next = (self.port.access_dword.val().get_bits::<5>(9) == self.region.val())
            & (self.port.access_dword.val().get_bits::<2>(7) == 0);
        self.registers.read_address.next = self.a_function.val();
        self.reading.d.next = self.port.access_valid.val() & !self.clearing.q.val() & !self.reading.q.val();

        // The word read: its dword, merged under the strobes, written back into both copies.
        self.current.next = self.registers.read_data.val().get_bits::<32>(0);
        if self.a_dword.val() == 1 {
            self.current.next = self.registers.read_data.val().get_bits::<32>(32);
        }
        if self.a_dword.val() == 2 {
            self.current.next = self.registers.read_data.val().get_bits::<32>(64);
        }
        if self.a_dword.val() == 3 {
            self.current.next = self.registers.read_data.val().get_bits::<32>(96);
        }
        self.merged.next = (self.current.val() & !self.port.access_mask.val())
            | (self.port.access_data.val() & self.port.access_mask.val());
        self.word.next =
            (self.registers.read_data.val() & !self.dword_mask.val()) | bit_cast::<128, 32>(self.merged.val());
        if self.a_dword.val() == 1 {
            self.word.next = (self.registers.read_data.val() & !(self.dword_mask.val() << 32))
                | (bit_cast::<128, 32>(self.merged.val()) << 32);
        }
        if self.a_dword.val() == 2 {
            self.word.next = (self.registers.read_data.val() & !(self.dword_mask.val() << 64))
                | (bit_cast::<128, 32>(self.merged.val()) << 64);
        }
        if self.a_dword.val() == 3 {
            self.word.next = (self.registers.read_data.val() & !(self.dword_mask.val() << 96))
                | (bit_cast::<128, 32>(self.merged.val()) << 96);
        }
        self.write_enable.next = false;
        self.write_function.next = self.a_function.val();
        self.write_word.next = self.word.val();
        self.port.done.next = self.reading.q.val();
        self.port.done_resp.next = 0.into();
        if !self.a_mapped.val() {
            self.port.done_resp.next = 3.into();
        }
        self.port.done_data.next = self.current.val();
        if self.reading.q.val() & self.port.access_write.val() {
            self.write_enable.next = self.a_mapped.val();
        }

        // After reset: every window all of memory.
        if self.clearing.q.val() {
            self.write_enable.next = true;
            self.write_function.next = self.clear_function.q.val();
            self.write_word.next = self.open_window.val();
            self.clear_function.d.next = self.clear_function.q.val() + 1;
            if self.clear_function.q.val() == 31 {
                self.clearing.d.next = false;
            }
        }
        self.registers.write_enable.next = self.write_enable.val();
        self.registers.write_address.next = self.write_function.val();
        self.registers.write_data.next = self.write_word.val();
        self.copy_enable.d.next = self.write_enable.val();
        self.copy_function.d.next = self.write_function.val();
        self.copy_word.d.next = self.write_word.val();
        self.tx_lookup.clk.next = self.clk.val();
        self.tx_lookup.write_enable.next = self.copy_enable.q.val();
        self.tx_lookup.write_function.next = self.copy_function.q.val();
        self.tx_lookup.write_word.next = self.copy_word.q.val();
        self.txcq_lookup.clk.next = self.clk.val();
        self.txcq_lookup.write_enable.next = self.copy_enable.q.val();
        self.txcq_lookup.write_function.next = self.copy_function.q.val();
        self.txcq_lookup.write_word.next = self.copy_word.q.val();
        self.rx_lookup.clk.next = self.clk.val();
        self.rx_lookup.write_enable.next = self.copy_enable.q.val();
        self.rx_lookup.write_function.next = self.copy_function.q.val();
        self.rx_lookup.write_word.next = self.copy_word.q.val();
        self.rxcq_lookup.clk.next = self.clk.val();
        self.rxcq_lookup.write_enable.next = self.copy_enable.q.val();
        self.rxcq_lookup.write_function.next = self.copy_function.q.val();
        self.rxcq_lookup.write_word.next = self.copy_word.q.val();
        self.rdma_lookup.clk.next = self.clk.val();
        self.rdma_lookup.write_enable.next = self.copy_enable.q.val();
        self.rdma_lookup.write_function.next = self.copy_function.q.val();
        self.rdma_lookup.write_word.next = self.copy_word.q.val();
        self.cq_lookup.clk.next = self.clk.val();
        self.cq_lookup.write_enable.next = self.copy_enable.q.val();
        self.cq_lookup.write_function.next = self.copy_function.q.val();
        self.cq_lookup.write_word.next = self.copy_word.q.val();
        if self.rst.val() {
            self.copy_enable.d.next = false;
            self.clearing.d.next = true;
            self.clear_function.d.next = 0.into();
            self.reading.d.next = false;
        }
    }
}

crate::native_ports!(
    impl[] DmaWindows;
    clk, rst, s_axil.awaddr, s_axil.awprot, s_axil.awvalid, s_axil.awready, s_axil.wdata, s_axil.wstrb, s_axil.wvalid, s_axil.wready, s_axil.bresp, s_axil.bvalid, s_axil.bready, s_axil.araddr, s_axil.arprot, s_axil.arvalid, s_axil.arready, s_axil.rdata, s_axil.rresp, s_axil.rvalid, s_axil.rready,
    tx_function, tx_base, tx_limit, txcq_function, txcq_base, txcq_limit, rx_function, rx_base, rx_limit, rxcq_function, rxcq_base, rxcq_limit, rdma_function, rdma_base, rdma_limit, cq_function, cq_base, cq_limit,
);

/// One lookup port's copy of the table: the window of `lookup_function` the cycle after (an empty
/// window for a function past the table); every copy is written alike.
#[derive(LogicBlock)]
pub struct WindowCopy {
    pub clk: Signal<In, Clock>,
    pub lookup_function: Signal<In, Bits<8>>,
    pub base: Signal<Out, Bits<64>>,
    pub limit: Signal<Out, Bits<64>>,
    pub write_enable: Signal<In, Bit>,
    pub write_function: Signal<In, Bits<5>>,
    pub write_word: Signal<In, Bits<128>>,
    windows: RAM<Bits<128>, 5>,
    /// The function looked up is past the table.
    absent: DFF<Bit>,
    all_ones: Constant<Bits<64>>,
}

impl Default for WindowCopy {
    fn default() -> Self {
        Self {
            clk: Default::default(),
            lookup_function: Default::default(),
            base: Default::default(),
            limit: Default::default(),
            write_enable: Default::default(),
            write_function: Default::default(),
            write_word: Default::default(),
            windows: Default::default(),
            absent: Default::default(),
            all_ones: Constant::new(u64::MAX.to_bits()),
        }
    }
}

impl Logic for WindowCopy {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clk, absent);
        self.windows.read_clock.next = self.clk.val();
        self.windows.write_clock.next = self.clk.val();
        self.windows.read_address.next = self.lookup_function.val().get_bits::<5>(0);
        self.absent.d.next = self.lookup_function.val().get_bits::<3>(5) != 0;
        self.base.next = self.windows.read_data.val().get_bits::<64>(0);
        self.limit.next = self.windows.read_data.val().get_bits::<64>(64);
        if self.absent.q.val() {
            self.base.next = self.all_ones.val();
            self.limit.next = 0.into();
        }
        self.windows.write_enable.next = self.write_enable.val();
        self.windows.write_address.next = self.write_function.val();
        self.windows.write_data.next = self.write_word.val();
    }
}
