//! AXI4-Lite register slice: one register per channel, so every valid it shows and every
//! ready it gives is a flip-flop and no combinational path crosses it.
//!
//! rust-hdl writes each block's logic as one `always @(*)`; Verilator orders those blocks
//! as wholes, so a chain of blocks that each pass valid down and ready up combinationally
//! (the BAR0 splits, a target whose ready follows its valid) closes a loop it cannot order
//! (UNOPTFLAT), which on Verilator 5.006 may mis-simulate. The slice ends such a chain.
//!
//! Each channel holds one beat: it takes a beat when empty and shows it until taken, so a
//! channel moves a beat every other cycle (register accesses are rare; they pay 2 cycles
//! each way).
use crate::bus::{AxilMaster, AxilSlave};
use rust_hdl::prelude::*;

#[derive(LogicBlock, Default)]
pub struct AxilSlice {
    pub clk: Signal<In, Clock>,
    pub rst: Signal<In, Bit>,
    pub s_axil: AxilSlave<16>,
    pub m_axil: AxilMaster<16>,
    aw_full: DFF<Bit>,
    aw_addr: DFF<Bits<16>>,
    aw_prot: DFF<Bits<3>>,
    w_full: DFF<Bit>,
    w_data: DFF<Bits<32>>,
    w_strb: DFF<Bits<4>>,
    b_full: DFF<Bit>,
    b_resp: DFF<Bits<2>>,
    ar_full: DFF<Bit>,
    ar_addr: DFF<Bits<16>>,
    ar_prot: DFF<Bits<3>>,
    r_full: DFF<Bit>,
    r_data: DFF<Bits<32>>,
    r_resp: DFF<Bits<2>>,
}

impl Logic for AxilSlice {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self, clk, aw_full, aw_addr, aw_prot, w_full, w_data, w_strb, b_full, b_resp, ar_full, ar_addr, ar_prot,
            r_full, r_data, r_resp
        );
        // Requests, host to target.
        self.s_axil.awready.next = !self.aw_full.q.val();
        self.m_axil.awvalid.next = self.aw_full.q.val();
        self.m_axil.awaddr.next = self.aw_addr.q.val();
        self.m_axil.awprot.next = self.aw_prot.q.val();
        if self.s_axil.awvalid.val() & !self.aw_full.q.val() {
            self.aw_full.d.next = true;
            self.aw_addr.d.next = self.s_axil.awaddr.val();
            self.aw_prot.d.next = self.s_axil.awprot.val();
        }
        if self.aw_full.q.val() & self.m_axil.awready.val() {
            self.aw_full.d.next = false;
        }
        self.s_axil.wready.next = !self.w_full.q.val();
        self.m_axil.wvalid.next = self.w_full.q.val();
        self.m_axil.wdata.next = self.w_data.q.val();
        self.m_axil.wstrb.next = self.w_strb.q.val();
        if self.s_axil.wvalid.val() & !self.w_full.q.val() {
            self.w_full.d.next = true;
            self.w_data.d.next = self.s_axil.wdata.val();
            self.w_strb.d.next = self.s_axil.wstrb.val();
        }
        if self.w_full.q.val() & self.m_axil.wready.val() {
            self.w_full.d.next = false;
        }
        self.s_axil.arready.next = !self.ar_full.q.val();
        self.m_axil.arvalid.next = self.ar_full.q.val();
        self.m_axil.araddr.next = self.ar_addr.q.val();
        self.m_axil.arprot.next = self.ar_prot.q.val();
        if self.s_axil.arvalid.val() & !self.ar_full.q.val() {
            self.ar_full.d.next = true;
            self.ar_addr.d.next = self.s_axil.araddr.val();
            self.ar_prot.d.next = self.s_axil.arprot.val();
        }
        if self.ar_full.q.val() & self.m_axil.arready.val() {
            self.ar_full.d.next = false;
        }
        // Responses, target to host.
        self.m_axil.bready.next = !self.b_full.q.val();
        self.s_axil.bvalid.next = self.b_full.q.val();
        self.s_axil.bresp.next = self.b_resp.q.val();
        if self.m_axil.bvalid.val() & !self.b_full.q.val() {
            self.b_full.d.next = true;
            self.b_resp.d.next = self.m_axil.bresp.val();
        }
        if self.b_full.q.val() & self.s_axil.bready.val() {
            self.b_full.d.next = false;
        }
        self.m_axil.rready.next = !self.r_full.q.val();
        self.s_axil.rvalid.next = self.r_full.q.val();
        self.s_axil.rdata.next = self.r_data.q.val();
        self.s_axil.rresp.next = self.r_resp.q.val();
        if self.m_axil.rvalid.val() & !self.r_full.q.val() {
            self.r_full.d.next = true;
            self.r_data.d.next = self.m_axil.rdata.val();
            self.r_resp.d.next = self.m_axil.rresp.val();
        }
        if self.r_full.q.val() & self.s_axil.rready.val() {
            self.r_full.d.next = false;
        }
        if self.rst.val() {
            self.aw_full.d.next = false;
            self.w_full.d.next = false;
            self.b_full.d.next = false;
            self.ar_full.d.next = false;
            self.r_full.d.next = false;
        }
    }
}
