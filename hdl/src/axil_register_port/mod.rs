//! AXI4-Lite register port: the bus side of a BAR0 register block, so the block itself only
//! decodes an address and carries an access out.
//!
//! AW, W and AR are each taken into a register when offered (ready does not wait for
//! valid). One access at a time: a write once both its halves are in (before a waiting
//! read), else a read. The access is shown on `access_*` (all registers) until the block
//! says `done`, with `done_error` (answered DECERR, read data 0) and, for a read,
//! `done_data`; the answer is a register too, and the next access starts once the master
//! has taken it. A block that needs cycles (a RAM read) simply says `done` later.
use crate::bus::AxilSlave;
use rust_hdl::prelude::*;

#[derive(LogicBlock, Default)]
pub struct AxilRegisterPort {
    pub clk: Signal<In, Clock>,
    pub rst: Signal<In, Bit>,
    pub s_axil: AxilSlave<16>,
    /// An access waits for the block.
    pub access_valid: Signal<Out, Bit>,
    pub access_write: Signal<Out, Bit>,
    /// Address bits 15:2: the dword.
    pub access_dword: Signal<Out, Bits<14>>,
    pub access_data: Signal<Out, Bits<32>>,
    pub access_strobe: Signal<Out, Bits<4>>,
    /// The block carried the access out in this cycle.
    pub done: Signal<In, Bit>,
    /// Answer DECERR (an address the block does not map); reads then give 0.
    pub done_error: Signal<In, Bit>,
    pub done_data: Signal<In, Bits<32>>,
    // The halves of an access, taken when offered.
    aw_held: DFF<Bit>,
    aw_dword: DFF<Bits<14>>,
    w_held: DFF<Bit>,
    w_data: DFF<Bits<32>>,
    w_strb: DFF<Bits<4>>,
    ar_held: DFF<Bit>,
    ar_dword: DFF<Bits<14>>,
    active: DFF<Bit>,
    a_write: DFF<Bit>,
    a_dword: DFF<Bits<14>>,
    bvalid: DFF<Bit>,
    rvalid: DFF<Bit>,
    resp: DFF<Bits<2>>,
    rdata: DFF<Bits<32>>,
}

impl Logic for AxilRegisterPort {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self, clk, aw_held, aw_dword, w_held, w_data, w_strb, ar_held, ar_dword, active, a_write, a_dword, bvalid,
            rvalid, resp, rdata
        );
        self.s_axil.awready.next = !self.aw_held.q.val();
        self.s_axil.wready.next = !self.w_held.q.val();
        self.s_axil.arready.next = !self.ar_held.q.val();
        if self.s_axil.awvalid.val() & !self.aw_held.q.val() {
            self.aw_held.d.next = true;
            self.aw_dword.d.next = self.s_axil.awaddr.val().get_bits::<14>(2);
        }
        if self.s_axil.wvalid.val() & !self.w_held.q.val() {
            self.w_held.d.next = true;
            self.w_data.d.next = self.s_axil.wdata.val();
            self.w_strb.d.next = self.s_axil.wstrb.val();
        }
        if self.s_axil.arvalid.val() & !self.ar_held.q.val() {
            self.ar_held.d.next = true;
            self.ar_dword.d.next = self.s_axil.araddr.val().get_bits::<14>(2);
        }

        // Start one when no access is in hand and no answer waits.
        if !self.active.q.val()
            & !self.bvalid.q.val()
            & !self.rvalid.q.val()
            & ((self.aw_held.q.val() & self.w_held.q.val()) | self.ar_held.q.val())
        {
            self.active.d.next = true;
            self.a_write.d.next = self.aw_held.q.val() & self.w_held.q.val();
            if self.aw_held.q.val() & self.w_held.q.val() {
                self.a_dword.d.next = self.aw_dword.q.val();
            } else {
                self.a_dword.d.next = self.ar_dword.q.val();
            }
        }
        self.access_valid.next = self.active.q.val();
        self.access_write.next = self.a_write.q.val();
        self.access_dword.next = self.a_dword.q.val();
        self.access_data.next = self.w_data.q.val();
        self.access_strobe.next = self.w_strb.q.val();

        if self.active.q.val() & self.done.val() {
            self.active.d.next = false;
            self.resp.d.next = 0.into();
            self.rdata.d.next = self.done_data.val();
            if self.done_error.val() {
                self.resp.d.next = 3.into();
                self.rdata.d.next = 0.into();
            }
            if self.a_write.q.val() {
                self.aw_held.d.next = false;
                self.w_held.d.next = false;
                self.bvalid.d.next = true;
            } else {
                self.ar_held.d.next = false;
                self.rvalid.d.next = true;
            }
        }
        self.s_axil.bvalid.next = self.bvalid.q.val();
        self.s_axil.bresp.next = self.resp.q.val();
        self.s_axil.rvalid.next = self.rvalid.q.val();
        self.s_axil.rresp.next = self.resp.q.val();
        self.s_axil.rdata.next = self.rdata.q.val();
        if self.bvalid.q.val() & self.s_axil.bready.val() {
            self.bvalid.d.next = false;
        }
        if self.rvalid.q.val() & self.s_axil.rready.val() {
            self.rvalid.d.next = false;
        }
        if self.rst.val() {
            self.aw_held.d.next = false;
            self.w_held.d.next = false;
            self.ar_held.d.next = false;
            self.active.d.next = false;
            self.bvalid.d.next = false;
            self.rvalid.d.next = false;
        }
    }
}
