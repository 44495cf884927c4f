//! One AXI4-Lite slave port onto two: how the NIC's BAR0 reaches the queue manager, the
//! RDMA registers, the DMA windows and the RSS table. Accesses to one region go to
//! `m1_axil_`, all others to `m0_axil_`: those whose address bits 15:11, under `MASK`, equal
//! `REGION` (a 2 KiB region with `MASK` 0x1F, e.g. 1 for the RDMA registers at
//! 0x800-0xFFF; 4 KiB with 0x1E).
//!
//! One access at a time: a request is shown to its target (a write when AW and W are both
//! valid, first; else a read), and once it is taken nothing else is shown until its response
//! has been handed back. A request shown is never withdrawn: the choice between a write and
//! a read is held until the handshake. A target may take a write's AW and W in different
//! cycles: each is shown until it is taken (W to the target its address chose), and the
//! write counts as taken when both are. BAR0 accesses are rare, so one at a time costs
//! nothing that matters.
use crate::bus::{AxilMaster, AxilSlave};
use rust_hdl::prelude::*;

/// Sends the BAR0 offsets whose bits 15:11 under `MASK` are `REGION` to `m1_axil_`.
#[derive(LogicBlock)]
pub struct AxilSplit<const REGION: usize, const MASK: usize> {
    pub clk: Signal<In, Clock>,
    pub rst: Signal<In, Bit>,
    pub s_axil: AxilSlave<16>,
    pub m0_axil: AxilMaster<16>,
    pub m1_axil: AxilMaster<16>,
    /// The request shown and not yet taken: a write (1) or a read (2); 0 none.
    shown: DFF<Bits<2>>,
    /// Of the write shown: its AW (and which target it went to) or its W already taken.
    aw_done: DFF<Bit>,
    w_done: DFF<Bit>,
    aw_went_m1: DFF<Bit>,
    /// An access was taken and its response is not handed back yet; which kind, which target.
    busy: DFF<Bit>,
    busy_write: DFF<Bit>,
    busy_m1: DFF<Bit>,
    show_write: Signal<Local, Bit>,
    show_read: Signal<Local, Bit>,
    aw_to_m1: Signal<Local, Bit>,
    w_to_m1: Signal<Local, Bit>,
    read_to_m1: Signal<Local, Bit>,
    aw_taken: Signal<Local, Bit>,
    w_taken: Signal<Local, Bit>,
    write_taken: Signal<Local, Bit>,
    read_taken: Signal<Local, Bit>,
    /// Address bits 15:11 of the accesses that go to `m1_axil_`.
    region: Constant<Bits<5>>,
    mask: Constant<Bits<5>>,
}

impl<const REGION: usize, const MASK: usize> Default for AxilSplit<REGION, MASK> {
    fn default() -> Self {
        assert!(REGION < 32 && MASK < 32 && REGION & !MASK == 0, "a region of 2 KiB blocks of a 64 KiB BAR0");
        Self {
            clk: Default::default(),
            rst: Default::default(),
            s_axil: Default::default(),
            m0_axil: Default::default(),
            m1_axil: Default::default(),
            shown: Default::default(),
            aw_done: Default::default(),
            w_done: Default::default(),
            aw_went_m1: Default::default(),
            busy: Default::default(),
            busy_write: Default::default(),
            busy_m1: Default::default(),
            show_write: Default::default(),
            show_read: Default::default(),
            aw_to_m1: Default::default(),
            w_to_m1: Default::default(),
            read_to_m1: Default::default(),
            aw_taken: Default::default(),
            w_taken: Default::default(),
            write_taken: Default::default(),
            read_taken: Default::default(),
            region: Constant::new((REGION as u64).to_bits()),
            mask: Constant::new((MASK as u64).to_bits()),
        }
    }
}

/// The NIC's splits: the RDMA registers (0x800-0xFFF); the tables (0x3000-0x3FFF), and
/// among them the RSS indirection table (0x3800-0x3FFF; the rest are the DMA windows).
pub type RdmaSplit = AxilSplit<{ (crate::regs::nic::RDMA_BASE / 0x800) as usize }, 0x1F>;
pub type TablesSplit = AxilSplit<{ (crate::regs::nic::WINDOWS_BASE / 0x800) as usize }, 0x1E>;
pub type RssSplit = AxilSplit<{ (crate::regs::nic::RSS_BASE / 0x800) as usize }, 0x1F>;
const _: () = assert!(
    crate::regs::nic::WINDOWS_BASE % 0x1000 == 0
        && crate::regs::nic::RSS_END == crate::regs::nic::WINDOWS_BASE + 0x1000
);

impl<const REGION: usize, const MASK: usize> Logic for AxilSplit<REGION, MASK> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clk, shown, aw_done, w_done, aw_went_m1, busy, busy_write, busy_m1);
        self.show_write.next = !self.busy.q.val()
            & ((self.shown.q.val() == 1)
                | ((self.shown.q.val() == 0) & self.s_axil.awvalid.val() & self.s_axil.wvalid.val()));
        self.show_read.next = !self.busy.q.val()
            & ((self.shown.q.val() == 2)
                | ((self.shown.q.val() == 0)
                    & !(self.s_axil.awvalid.val() & self.s_axil.wvalid.val())
                    & self.s_axil.arvalid.val()));
        self.aw_to_m1.next = (self.s_axil.awaddr.val().get_bits::<5>(11) & self.mask.val()) == self.region.val();
        // W follows its address: once AW is taken, the host may already show the next one.
        self.w_to_m1.next = self.aw_to_m1.val();
        if self.aw_done.q.val() {
            self.w_to_m1.next = self.aw_went_m1.q.val();
        }
        self.read_to_m1.next = (self.s_axil.araddr.val().get_bits::<5>(11) & self.mask.val()) == self.region.val();

        // Requests: addresses and data to both, valid to the target only.
        self.m0_axil.awaddr.next = self.s_axil.awaddr.val();
        self.m1_axil.awaddr.next = self.s_axil.awaddr.val();
        self.m0_axil.awprot.next = self.s_axil.awprot.val();
        self.m1_axil.awprot.next = self.s_axil.awprot.val();
        self.m0_axil.wdata.next = self.s_axil.wdata.val();
        self.m1_axil.wdata.next = self.s_axil.wdata.val();
        self.m0_axil.wstrb.next = self.s_axil.wstrb.val();
        self.m1_axil.wstrb.next = self.s_axil.wstrb.val();
        self.m0_axil.araddr.next = self.s_axil.araddr.val();
        self.m1_axil.araddr.next = self.s_axil.araddr.val();
        self.m0_axil.arprot.next = self.s_axil.arprot.val();
        self.m1_axil.arprot.next = self.s_axil.arprot.val();
        self.m0_axil.awvalid.next = self.show_write.val() & !self.aw_done.q.val() & !self.aw_to_m1.val();
        self.m1_axil.awvalid.next = self.show_write.val() & !self.aw_done.q.val() & self.aw_to_m1.val();
        self.m0_axil.wvalid.next = self.show_write.val() & !self.w_done.q.val() & !self.w_to_m1.val();
        self.m1_axil.wvalid.next = self.show_write.val() & !self.w_done.q.val() & self.w_to_m1.val();
        self.m0_axil.arvalid.next = self.show_read.val() & !self.read_to_m1.val();
        self.m1_axil.arvalid.next = self.show_read.val() & self.read_to_m1.val();
        self.s_axil.awready.next = self.show_write.val()
            & !self.aw_done.q.val()
            & ((self.m0_axil.awready.val() & !self.aw_to_m1.val())
                | (self.m1_axil.awready.val() & self.aw_to_m1.val()));
        self.s_axil.wready.next = self.show_write.val()
            & !self.w_done.q.val()
            & ((self.m0_axil.wready.val() & !self.w_to_m1.val()) | (self.m1_axil.wready.val() & self.w_to_m1.val()));
        self.s_axil.arready.next = self.show_read.val()
            & ((self.m0_axil.arready.val() & !self.read_to_m1.val())
                | (self.m1_axil.arready.val() & self.read_to_m1.val()));
        self.aw_taken.next = self.s_axil.awvalid.val() & self.s_axil.awready.val();
        self.w_taken.next = self.s_axil.wvalid.val() & self.s_axil.wready.val();
        self.write_taken.next = self.show_write.val()
            & (self.aw_done.q.val() | self.aw_taken.val())
            & (self.w_done.q.val() | self.w_taken.val());
        self.read_taken.next = self.s_axil.arvalid.val() & self.s_axil.arready.val();
        if self.show_write.val() {
            self.shown.d.next = 1.into();
        } else if self.show_read.val() {
            self.shown.d.next = 2.into();
        }
        if self.aw_taken.val() {
            self.aw_done.d.next = true;
            self.aw_went_m1.d.next = self.aw_to_m1.val();
        }
        if self.w_taken.val() {
            self.w_done.d.next = true;
        }
        if self.write_taken.val() | self.read_taken.val() {
            self.shown.d.next = 0.into();
            self.aw_done.d.next = false;
            self.w_done.d.next = false;
            self.busy.d.next = true;
            self.busy_write.d.next = self.write_taken.val();
            self.busy_m1.d.next =
                (self.write_taken.val() & self.w_to_m1.val()) | (self.read_taken.val() & self.read_to_m1.val());
        }

        // Responses: from the target of the access taken.
        self.s_axil.bresp.next = self.m0_axil.bresp.val();
        self.s_axil.rdata.next = self.m0_axil.rdata.val();
        self.s_axil.rresp.next = self.m0_axil.rresp.val();
        if self.busy_m1.q.val() {
            self.s_axil.bresp.next = self.m1_axil.bresp.val();
            self.s_axil.rdata.next = self.m1_axil.rdata.val();
            self.s_axil.rresp.next = self.m1_axil.rresp.val();
        }
        self.s_axil.bvalid.next = self.busy.q.val()
            & self.busy_write.q.val()
            & ((self.m0_axil.bvalid.val() & !self.busy_m1.q.val())
                | (self.m1_axil.bvalid.val() & self.busy_m1.q.val()));
        self.s_axil.rvalid.next = self.busy.q.val()
            & !self.busy_write.q.val()
            & ((self.m0_axil.rvalid.val() & !self.busy_m1.q.val())
                | (self.m1_axil.rvalid.val() & self.busy_m1.q.val()));
        self.m0_axil.bready.next = self.s_axil.bready.val() & !self.busy_m1.q.val();
        self.m1_axil.bready.next = self.s_axil.bready.val() & self.busy_m1.q.val();
        self.m0_axil.rready.next = self.s_axil.rready.val() & !self.busy_m1.q.val();
        self.m1_axil.rready.next = self.s_axil.rready.val() & self.busy_m1.q.val();
        if (self.s_axil.bvalid.val() & self.s_axil.bready.val()) | (self.s_axil.rvalid.val() & self.s_axil.rready.val())
        {
            self.busy.d.next = false;
        }

        if self.rst.val() {
            self.shown.d.next = 0.into();
            self.aw_done.d.next = false;
            self.w_done.d.next = false;
            self.busy.d.next = false;
        }
    }
}

crate::native_ports!(
    impl[const REGION: usize, const MASK: usize] AxilSplit<REGION, MASK>;
    clk, rst,
    s_axil.awaddr, s_axil.awprot, s_axil.awvalid, s_axil.awready, s_axil.wdata, s_axil.wstrb, s_axil.wvalid, s_axil.wready, s_axil.bresp, s_axil.bvalid, s_axil.bready, s_axil.araddr, s_axil.arprot, s_axil.arvalid, s_axil.arready, s_axil.rdata, s_axil.rresp, s_axil.rvalid, s_axil.rready,
    m0_axil.awaddr, m0_axil.awprot, m0_axil.awvalid, m0_axil.awready, m0_axil.wdata, m0_axil.wstrb, m0_axil.wvalid, m0_axil.wready, m0_axil.bresp, m0_axil.bvalid, m0_axil.bready, m0_axil.araddr, m0_axil.arprot, m0_axil.arvalid, m0_axil.arready, m0_axil.rdata, m0_axil.rresp, m0_axil.rvalid, m0_axil.rready,
    m1_axil.awaddr, m1_axil.awprot, m1_axil.awvalid, m1_axil.awready, m1_axil.wdata, m1_axil.wstrb, m1_axil.wvalid, m1_axil.wready, m1_axil.bresp, m1_axil.bvalid, m1_axil.bready, m1_axil.araddr, m1_axil.arprot, m1_axil.arvalid, m1_axil.arready, m1_axil.rdata, m1_axil.rresp, m1_axil.rvalid, m1_axil.rready,
);
