//! AXI4-Lite register port: the bus side of a BAR0 register block, so the block itself only
//! decodes an address and carries an access out.
//!
//! AW, W and AR are each taken into a register when offered (ready does not wait for
//! valid). One access at a time: a write once both its halves are in (before a waiting
//! read), else a read. The access is shown on `access_*` (all registers) until the block
//! says `done`, with `done_resp` (the AXI response: OKAY, SLVERR for an access the block
//! refuses, DECERR for an address it does not map; reads that are not OKAY give 0) and,
//! for a read, `done_data`; the answer is a register too, and the next access starts once
//! the master has taken it. A block that needs cycles (a RAM read) simply says `done` later.
//! A write's strobes come as a bit mask too (`access_mask`), for merging into a register.
use crate::bus::AxilSlave;
use rust_hdl::prelude::*;

#[derive(LogicBlock)]
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
    /// The strobed bytes of `access_data` as a bit mask (0xFF per strobe).
    pub access_mask: Signal<Out, Bits<32>>,
    /// The block carried the access out in this cycle.
    pub done: Signal<In, Bit>,
    /// The answer: 0 OKAY, 2 SLVERR (refused), 3 DECERR (not mapped); reads then give 0.
    pub done_resp: Signal<In, Bits<2>>,
    pub done_data: Signal<In, Bits<32>>,
    // The halves of an access, taken when offered.
    aw_held: DFF<Bit>,
    aw_dword: DFF<Bits<14>>,
    w_held: DFF<Bit>,
    w_data: DFF<Bits<32>>,
    w_strb: DFF<Bits<4>>,
    w_mask: DFF<Bits<32>>,
    strobe_mask: Signal<Local, Bits<32>>,
    byte_mask: Constant<Bits<32>>,
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

impl Default for AxilRegisterPort {
    fn default() -> Self {
        Self {
            clk: Default::default(),
            rst: Default::default(),
            s_axil: Default::default(),
            access_valid: Default::default(),
            access_write: Default::default(),
            access_dword: Default::default(),
            access_data: Default::default(),
            access_strobe: Default::default(),
            access_mask: Default::default(),
            done: Default::default(),
            done_resp: Default::default(),
            done_data: Default::default(),
            aw_held: Default::default(),
            aw_dword: Default::default(),
            w_held: Default::default(),
            w_data: Default::default(),
            w_strb: Default::default(),
            w_mask: Default::default(),
            strobe_mask: Default::default(),
            byte_mask: Constant::new(0xFF.into()),
            ar_held: Default::default(),
            ar_dword: Default::default(),
            active: Default::default(),
            a_write: Default::default(),
            a_dword: Default::default(),
            bvalid: Default::default(),
            rvalid: Default::default(),
            resp: Default::default(),
            rdata: Default::default(),
        }
    }
}

impl Logic for AxilRegisterPort {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self, clk, aw_held, aw_dword, w_held, w_data, w_strb, w_mask, ar_held, ar_dword, active, a_write, a_dword,
            bvalid, rvalid, resp, rdata
        );
        self.s_axil.awready.next = !self.aw_held.q.val();
        self.s_axil.wready.next = !self.w_held.q.val();
        self.s_axil.arready.next = !self.ar_held.q.val();
        if self.s_axil.awvalid.val() & !self.aw_held.q.val() {
            self.aw_held.d.next = true;
            self.aw_dword.d.next = self.s_axil.awaddr.val().get_bits::<14>(2);
        }
        self.strobe_mask.next = 0.into();
        if self.s_axil.wstrb.val().get_bit(0) {
            self.strobe_mask.next = self.strobe_mask.val() | self.byte_mask.val();
        }
        if self.s_axil.wstrb.val().get_bit(1) {
            self.strobe_mask.next = self.strobe_mask.val() | (self.byte_mask.val() << 8);
        }
        if self.s_axil.wstrb.val().get_bit(2) {
            self.strobe_mask.next = self.strobe_mask.val() | (self.byte_mask.val() << 16);
        }
        if self.s_axil.wstrb.val().get_bit(3) {
            self.strobe_mask.next = self.strobe_mask.val() | (self.byte_mask.val() << 24);
        }
        if self.s_axil.wvalid.val() & !self.w_held.q.val() {
            self.w_held.d.next = true;
            self.w_data.d.next = self.s_axil.wdata.val();
            self.w_strb.d.next = self.s_axil.wstrb.val();
            self.w_mask.d.next = self.strobe_mask.val();
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
        self.access_mask.next = self.w_mask.q.val();

        if self.active.q.val() & self.done.val() {
            self.active.d.next = false;
            self.resp.d.next = self.done_resp.val();
            self.rdata.d.next = self.done_data.val();
            if self.done_resp.val() != 0 {
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
