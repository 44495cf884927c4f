//! AXI4 with bursts and IDs (`m_axi_*`: DMA to host memory; `s_axi_llq_*`: BAR2).
//! Mirror-image fields are kept in the order of the AMBA spec's channel tables.
use rust_hdl::prelude::*;

/// The initiator of transactions (a block's `m_axi_*` port).
#[derive(Clone, Debug, Default, LogicInterface)]
#[join = "Axi4Slave"]
pub struct Axi4Master<const ADDR: usize, const DATA: usize, const STRB: usize, const ID: usize> {
    pub awid: Signal<Out, Bits<ID>>,
    pub awaddr: Signal<Out, Bits<ADDR>>,
    pub awlen: Signal<Out, Bits<8>>,
    pub awsize: Signal<Out, Bits<3>>,
    pub awburst: Signal<Out, Bits<2>>,
    pub awlock: Signal<Out, Bit>,
    pub awcache: Signal<Out, Bits<4>>,
    pub awprot: Signal<Out, Bits<3>>,
    pub awvalid: Signal<Out, Bit>,
    pub awready: Signal<In, Bit>,
    pub wdata: Signal<Out, Bits<DATA>>,
    pub wstrb: Signal<Out, Bits<STRB>>,
    pub wlast: Signal<Out, Bit>,
    pub wvalid: Signal<Out, Bit>,
    pub wready: Signal<In, Bit>,
    pub bid: Signal<In, Bits<ID>>,
    pub bresp: Signal<In, Bits<2>>,
    pub bvalid: Signal<In, Bit>,
    pub bready: Signal<Out, Bit>,
    pub arid: Signal<Out, Bits<ID>>,
    pub araddr: Signal<Out, Bits<ADDR>>,
    pub arlen: Signal<Out, Bits<8>>,
    pub arsize: Signal<Out, Bits<3>>,
    pub arburst: Signal<Out, Bits<2>>,
    pub arlock: Signal<Out, Bit>,
    pub arcache: Signal<Out, Bits<4>>,
    pub arprot: Signal<Out, Bits<3>>,
    pub arvalid: Signal<Out, Bit>,
    pub arready: Signal<In, Bit>,
    pub rid: Signal<In, Bits<ID>>,
    pub rdata: Signal<In, Bits<DATA>>,
    pub rresp: Signal<In, Bits<2>>,
    pub rlast: Signal<In, Bit>,
    pub rvalid: Signal<In, Bit>,
    pub rready: Signal<Out, Bit>,
}

/// The target of transactions (a block's `s_axi_*` port).
#[derive(Clone, Debug, Default, LogicInterface)]
#[join = "Axi4Master"]
pub struct Axi4Slave<const ADDR: usize, const DATA: usize, const STRB: usize, const ID: usize> {
    pub awid: Signal<In, Bits<ID>>,
    pub awaddr: Signal<In, Bits<ADDR>>,
    pub awlen: Signal<In, Bits<8>>,
    pub awsize: Signal<In, Bits<3>>,
    pub awburst: Signal<In, Bits<2>>,
    pub awlock: Signal<In, Bit>,
    pub awcache: Signal<In, Bits<4>>,
    pub awprot: Signal<In, Bits<3>>,
    pub awvalid: Signal<In, Bit>,
    pub awready: Signal<Out, Bit>,
    pub wdata: Signal<In, Bits<DATA>>,
    pub wstrb: Signal<In, Bits<STRB>>,
    pub wlast: Signal<In, Bit>,
    pub wvalid: Signal<In, Bit>,
    pub wready: Signal<Out, Bit>,
    pub bid: Signal<Out, Bits<ID>>,
    pub bresp: Signal<Out, Bits<2>>,
    pub bvalid: Signal<Out, Bit>,
    pub bready: Signal<In, Bit>,
    pub arid: Signal<In, Bits<ID>>,
    pub araddr: Signal<In, Bits<ADDR>>,
    pub arlen: Signal<In, Bits<8>>,
    pub arsize: Signal<In, Bits<3>>,
    pub arburst: Signal<In, Bits<2>>,
    pub arlock: Signal<In, Bit>,
    pub arcache: Signal<In, Bits<4>>,
    pub arprot: Signal<In, Bits<3>>,
    pub arvalid: Signal<In, Bit>,
    pub arready: Signal<Out, Bit>,
    pub rid: Signal<Out, Bits<ID>>,
    pub rdata: Signal<Out, Bits<DATA>>,
    pub rresp: Signal<Out, Bits<2>>,
    pub rlast: Signal<Out, Bit>,
    pub rvalid: Signal<Out, Bit>,
    pub rready: Signal<In, Bit>,
}

/// The read half of an AXI4 master (AR and R only): for engines that only read.
#[derive(Clone, Debug, Default, LogicInterface)]
#[join = "Axi4ReadSlave"]
pub struct Axi4ReadMaster<const ADDR: usize, const DATA: usize, const ID: usize> {
    pub arid: Signal<Out, Bits<ID>>,
    pub araddr: Signal<Out, Bits<ADDR>>,
    pub arlen: Signal<Out, Bits<8>>,
    pub arsize: Signal<Out, Bits<3>>,
    pub arburst: Signal<Out, Bits<2>>,
    pub arlock: Signal<Out, Bit>,
    pub arcache: Signal<Out, Bits<4>>,
    pub arprot: Signal<Out, Bits<3>>,
    pub arvalid: Signal<Out, Bit>,
    pub arready: Signal<In, Bit>,
    pub rid: Signal<In, Bits<ID>>,
    pub rdata: Signal<In, Bits<DATA>>,
    pub rresp: Signal<In, Bits<2>>,
    pub rlast: Signal<In, Bit>,
    pub rvalid: Signal<In, Bit>,
    pub rready: Signal<Out, Bit>,
}

/// The read half of an AXI4 slave.
#[derive(Clone, Debug, Default, LogicInterface)]
#[join = "Axi4ReadMaster"]
pub struct Axi4ReadSlave<const ADDR: usize, const DATA: usize, const ID: usize> {
    pub arid: Signal<In, Bits<ID>>,
    pub araddr: Signal<In, Bits<ADDR>>,
    pub arlen: Signal<In, Bits<8>>,
    pub arsize: Signal<In, Bits<3>>,
    pub arburst: Signal<In, Bits<2>>,
    pub arlock: Signal<In, Bit>,
    pub arcache: Signal<In, Bits<4>>,
    pub arprot: Signal<In, Bits<3>>,
    pub arvalid: Signal<In, Bit>,
    pub arready: Signal<Out, Bit>,
    pub rid: Signal<Out, Bits<ID>>,
    pub rdata: Signal<Out, Bits<DATA>>,
    pub rresp: Signal<Out, Bits<2>>,
    pub rlast: Signal<Out, Bit>,
    pub rvalid: Signal<Out, Bit>,
    pub rready: Signal<In, Bit>,
}

/// The write half of an AXI4 master (AW, W and B only): for engines that only write.
#[derive(Clone, Debug, Default, LogicInterface)]
#[join = "Axi4WriteSlave"]
pub struct Axi4WriteMaster<const ADDR: usize, const DATA: usize, const STRB: usize, const ID: usize> {
    pub awid: Signal<Out, Bits<ID>>,
    pub awaddr: Signal<Out, Bits<ADDR>>,
    pub awlen: Signal<Out, Bits<8>>,
    pub awsize: Signal<Out, Bits<3>>,
    pub awburst: Signal<Out, Bits<2>>,
    pub awlock: Signal<Out, Bit>,
    pub awcache: Signal<Out, Bits<4>>,
    pub awprot: Signal<Out, Bits<3>>,
    pub awvalid: Signal<Out, Bit>,
    pub awready: Signal<In, Bit>,
    pub wdata: Signal<Out, Bits<DATA>>,
    pub wstrb: Signal<Out, Bits<STRB>>,
    pub wlast: Signal<Out, Bit>,
    pub wvalid: Signal<Out, Bit>,
    pub wready: Signal<In, Bit>,
    pub bid: Signal<In, Bits<ID>>,
    pub bresp: Signal<In, Bits<2>>,
    pub bvalid: Signal<In, Bit>,
    pub bready: Signal<Out, Bit>,
}

/// The write half of an AXI4 slave.
#[derive(Clone, Debug, Default, LogicInterface)]
#[join = "Axi4WriteMaster"]
pub struct Axi4WriteSlave<const ADDR: usize, const DATA: usize, const STRB: usize, const ID: usize> {
    pub awid: Signal<In, Bits<ID>>,
    pub awaddr: Signal<In, Bits<ADDR>>,
    pub awlen: Signal<In, Bits<8>>,
    pub awsize: Signal<In, Bits<3>>,
    pub awburst: Signal<In, Bits<2>>,
    pub awlock: Signal<In, Bit>,
    pub awcache: Signal<In, Bits<4>>,
    pub awprot: Signal<In, Bits<3>>,
    pub awvalid: Signal<In, Bit>,
    pub awready: Signal<Out, Bit>,
    pub wdata: Signal<In, Bits<DATA>>,
    pub wstrb: Signal<In, Bits<STRB>>,
    pub wlast: Signal<In, Bit>,
    pub wvalid: Signal<In, Bit>,
    pub wready: Signal<Out, Bit>,
    pub bid: Signal<Out, Bits<ID>>,
    pub bresp: Signal<Out, Bits<2>>,
    pub bvalid: Signal<Out, Bit>,
    pub bready: Signal<In, Bit>,
}
