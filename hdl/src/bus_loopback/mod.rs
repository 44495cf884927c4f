//! Wire-through links for each bus: a slave port (`s_*`) connected straight to a master
//! port (`m_*`). A test fixture, not a feature: it lets the bus models be tested against
//! each other through a real exported, Verilated netlist (the master model on `s_*`, the
//! slave model on `m_*`), with the protocol monitors watching both sides.
use crate::bus::{Axi4Master, Axi4Slave, AxilMaster, AxilSlave};
use rust_hdl::prelude::*;

/// AXI4 wire-through with 64-bit addresses, `DATA` bits of data, `ID` bits of ID.
#[derive(LogicBlock, Default)]
pub struct Axi4Loopback<const DATA: usize, const STRB: usize, const ID: usize> {
    pub clk: Signal<In, Clock>,
    pub rst: Signal<In, Bit>,
    pub s: Axi4Slave<64, DATA, STRB, ID>,
    pub m: Axi4Master<64, DATA, STRB, ID>,
}

impl<const DATA: usize, const STRB: usize, const ID: usize> Logic for Axi4Loopback<DATA, STRB, ID> {
    #[hdl_gen]
    fn update(&mut self) {
        self.m.awid.next = self.s.awid.val();
        self.m.awaddr.next = self.s.awaddr.val();
        self.m.awlen.next = self.s.awlen.val();
        self.m.awsize.next = self.s.awsize.val();
        self.m.awburst.next = self.s.awburst.val();
        self.m.awlock.next = self.s.awlock.val();
        self.m.awcache.next = self.s.awcache.val();
        self.m.awprot.next = self.s.awprot.val();
        self.m.awvalid.next = self.s.awvalid.val();
        self.s.awready.next = self.m.awready.val();
        self.m.wdata.next = self.s.wdata.val();
        self.m.wstrb.next = self.s.wstrb.val();
        self.m.wlast.next = self.s.wlast.val();
        self.m.wvalid.next = self.s.wvalid.val();
        self.s.wready.next = self.m.wready.val();
        self.s.bid.next = self.m.bid.val();
        self.s.bresp.next = self.m.bresp.val();
        self.s.bvalid.next = self.m.bvalid.val();
        self.m.bready.next = self.s.bready.val();
        self.m.arid.next = self.s.arid.val();
        self.m.araddr.next = self.s.araddr.val();
        self.m.arlen.next = self.s.arlen.val();
        self.m.arsize.next = self.s.arsize.val();
        self.m.arburst.next = self.s.arburst.val();
        self.m.arlock.next = self.s.arlock.val();
        self.m.arcache.next = self.s.arcache.val();
        self.m.arprot.next = self.s.arprot.val();
        self.m.arvalid.next = self.s.arvalid.val();
        self.s.arready.next = self.m.arready.val();
        self.s.rid.next = self.m.rid.val();
        self.s.rdata.next = self.m.rdata.val();
        self.s.rresp.next = self.m.rresp.val();
        self.s.rlast.next = self.m.rlast.val();
        self.s.rvalid.next = self.m.rvalid.val();
        self.m.rready.next = self.s.rready.val();
    }
}

crate::native_ports!(
    impl[const DATA: usize, const STRB: usize, const ID: usize] Axi4Loopback<DATA, STRB, ID>;
    clk, rst,
    s.awid, s.awaddr, s.awlen, s.awsize, s.awburst, s.awlock, s.awcache, s.awprot, s.awvalid, s.awready, s.wdata, s.wstrb, s.wlast, s.wvalid, s.wready, s.bid, s.bresp, s.bvalid, s.bready, s.arid, s.araddr, s.arlen, s.arsize, s.arburst, s.arlock, s.arcache, s.arprot, s.arvalid, s.arready, s.rid, s.rdata, s.rresp, s.rlast, s.rvalid, s.rready,
    m.awid, m.awaddr, m.awlen, m.awsize, m.awburst, m.awlock, m.awcache, m.awprot, m.awvalid, m.awready, m.wdata, m.wstrb, m.wlast, m.wvalid, m.wready, m.bid, m.bresp, m.bvalid, m.bready, m.arid, m.araddr, m.arlen, m.arsize, m.arburst, m.arlock, m.arcache, m.arprot, m.arvalid, m.arready, m.rid, m.rdata, m.rresp, m.rlast, m.rvalid, m.rready,
);

/// AXI4-Lite wire-through with 32-bit addresses.
#[derive(LogicBlock, Default)]
pub struct AxilLoopback {
    pub clk: Signal<In, Clock>,
    pub rst: Signal<In, Bit>,
    pub s: AxilSlave<32>,
    pub m: AxilMaster<32>,
}

impl Logic for AxilLoopback {
    #[hdl_gen]
    fn update(&mut self) {
        self.m.awaddr.next = self.s.awaddr.val();
        self.m.awprot.next = self.s.awprot.val();
        self.m.awvalid.next = self.s.awvalid.val();
        self.s.awready.next = self.m.awready.val();
        self.m.wdata.next = self.s.wdata.val();
        self.m.wstrb.next = self.s.wstrb.val();
        self.m.wvalid.next = self.s.wvalid.val();
        self.s.wready.next = self.m.wready.val();
        self.s.bresp.next = self.m.bresp.val();
        self.s.bvalid.next = self.m.bvalid.val();
        self.m.bready.next = self.s.bready.val();
        self.m.araddr.next = self.s.araddr.val();
        self.m.arprot.next = self.s.arprot.val();
        self.m.arvalid.next = self.s.arvalid.val();
        self.s.arready.next = self.m.arready.val();
        self.s.rdata.next = self.m.rdata.val();
        self.s.rresp.next = self.m.rresp.val();
        self.s.rvalid.next = self.m.rvalid.val();
        self.m.rready.next = self.s.rready.val();
    }
}

crate::native_ports!(
    impl[] AxilLoopback;
    clk, rst,
    s.awaddr, s.awprot, s.awvalid, s.awready, s.wdata, s.wstrb, s.wvalid, s.wready, s.bresp, s.bvalid, s.bready, s.araddr, s.arprot, s.arvalid, s.arready, s.rdata, s.rresp, s.rvalid, s.rready,
    m.awaddr, m.awprot, m.awvalid, m.awready, m.wdata, m.wstrb, m.wvalid, m.wready, m.bresp, m.bvalid, m.bready, m.araddr, m.arprot, m.arvalid, m.arready, m.rdata, m.rresp, m.rvalid, m.rready,
);
