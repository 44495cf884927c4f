//! A simple dual-port RAM for block RAM: one read port, one write port, one clock, and the
//! promise that no cycle reads the address it writes.
//!
//! rust-hdl's `RAM` returns the old word when a cycle reads the address it writes, and
//! Yosys keeps that promise with bypass logic after the RAM (on ECP5: about 50 LUTs and 75
//! flip-flops per RAM, and a LUT on the path out of the RAM). This RAM declares the
//! collision undefined (`no_rw_check`), so Yosys maps it to the bare block RAM, and a block
//! that registers `read_data` with nothing in between gets the RAM's own output register
//! from the ECP5 flow (`ferronic_fpga::outreg`).
//!
//! A block using it must never use data read in a cycle that wrote the same address. In
//! simulation such a read returns the stored word inverted, on both backends, so a block
//! that breaks the promise fails its tests instead of passing on luck.
use rust_hdl::prelude::*;
use std::collections::BTreeMap;

/// What the RAM is built from on an FPGA.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RamStyle {
    /// Yosys chooses by size: a shallow RAM goes into LUTs (distributed RAM).
    #[default]
    Auto,
    /// Block RAM whatever the size (`ram_style = "block"`). For a shallow, wide RAM whose
    /// read address must not fan out to a hundred LUT RAM cells across the chip.
    Block,
}

#[derive(LogicBlock, Default)]
pub struct BlockRam<const W: usize, const N: usize> {
    pub read_address: Signal<In, Bits<N>>,
    pub read_clock: Signal<In, Clock>,
    pub read_data: Signal<Out, Bits<W>>,
    pub write_address: Signal<In, Bits<N>>,
    pub write_clock: Signal<In, Clock>,
    pub write_data: Signal<In, Bits<W>>,
    pub write_enable: Signal<In, Bit>,
    _sim: Box<BTreeMap<Bits<N>, Bits<W>>>,
    _style: RamStyle,
}

impl<const W: usize, const N: usize> BlockRam<W, N> {
    /// A RAM powered on with `values` (addresses not given hold 0).
    pub fn new(values: BTreeMap<Bits<N>, Bits<W>>) -> Self {
        Self { _sim: Box::new(values), ..Default::default() }
    }
    /// The same RAM, built as `style` says.
    pub fn set_style(&mut self, style: RamStyle) {
        self._style = style;
    }
}

impl<const W: usize, const N: usize> Logic for BlockRam<W, N> {
    fn update(&mut self) {
        let writing = self.write_clock.pos_edge() && self.write_enable.val();
        if self.read_clock.pos_edge() {
            let word = self._sim.get(&self.read_address.val()).copied().unwrap_or_default();
            let collision = writing && self.write_address.val() == self.read_address.val();
            self.read_data.next = if collision { !word } else { word };
        }
        if writing {
            self._sim.insert(self.write_address.val(), self.write_data.val());
        }
    }

    fn connect(&mut self) {
        self.read_data.connect();
    }

    fn hdl(&self) -> Verilog {
        let init: String = self
            ._sim
            .iter()
            .map(|(address, value)| format!("    mem[{}] = {};\n", address.verilog(), value.verilog()))
            .collect();
        let init = if init.is_empty() { String::new() } else { format!("initial begin\n{init}end\n") };
        let style = match self._style {
            RamStyle::Auto => "",
            RamStyle::Block => ", ram_style = \"block\"",
        };
        Verilog::Custom(format!(
            "\
(* no_rw_check{style} *)
reg [{msb}:0] mem [{last}:0];
{init}
always @(posedge read_clock) begin
`ifdef SYNTHESIS
    read_data <= mem[read_address];
`else
    // Reading the address being written is undefined in hardware: make it visible.
    if (write_enable && write_address == read_address)
        read_data <= ~mem[read_address];
    else
        read_data <= mem[read_address];
`endif
end

always @(posedge write_clock) begin
    if (write_enable)
        mem[write_address] <= write_data;
end
",
            msb = W - 1,
            last = (1usize << N) - 1,
        ))
    }
}
