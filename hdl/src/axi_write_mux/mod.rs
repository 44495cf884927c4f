//! Two AXI4 write masters onto one: how the NIC's DMA write engine and the RDMA receive
//! path share the write channels of `m_axi_`.
//!
//! * **AW**: round robin. `m_axi_aw*` shows the request of the source the grant register
//!   names; the grant passes to the other source when it is waiting and the holder shows
//!   nothing or was just served. A request on `m_axi_` is never withdrawn: the grant only
//!   moves after a handshake or while the holder is idle.
//! * **IDs**: the source rides in the top ID bit (`s0_` 0, `s1_` 1); the sources must use
//!   IDs with that bit clear (both engines use ID 0).
//! * **W**: data goes in address order. Each accepted AW puts its source in a four-entry
//!   owner queue; `m_axi_w*` follows the queue's head until that burst's `wlast`. When the
//!   queue is full, no AW is accepted. A source's W beats wait until its AW is accepted, so
//!   the slave behind must not wait for W data before it accepts an address (AXI allows
//!   either; the host memory side of the NIC does not).
//! * **B**: to the source the top bit of `bid` names, with that bit cleared.
use crate::bus::{Axi4WriteMaster, Axi4WriteSlave};
use rust_hdl::prelude::*;

/// Bursts whose address is accepted and whose data has not ended, at most.
pub const OWNER_QUEUE_DEPTH: u64 = 4;

#[derive(LogicBlock, Default)]
pub struct AxiWriteMux {
    pub clk: Signal<In, Clock>,
    pub rst: Signal<In, Bit>,
    pub s0_axi: Axi4WriteSlave<64, 64, 8, 4>,
    pub s1_axi: Axi4WriteSlave<64, 64, 8, 4>,
    pub m_axi: Axi4WriteMaster<64, 64, 8, 4>,
    /// Which source `m_axi_aw*` shows (1: `s1_`).
    aw_grant: DFF<Bit>,
    /// The W owners of accepted bursts, oldest in bit 0; bits at and above `owner_count` are 0.
    owners: DFF<Bits<4>>,
    owner_count: DFF<Bits<3>>,
    /// The W channel's owner now, as two flags worked out a cycle ahead from the queue's
    /// next state: `wready` to a source is the bus's `wready` and one register, as short a
    /// path as the engines' write data needs.
    w_to_s0: DFF<Bit>,
    w_to_s1: DFF<Bit>,
    next_owners: Signal<Local, Bits<4>>,
    next_count: Signal<Local, Bits<3>>,
    owners_full: Signal<Local, Bit>,
    aw_accepted: Signal<Local, Bit>,
    w_burst_done: Signal<Local, Bit>,
    /// The queue after this cycle's pop, and where this cycle's push goes.
    owners_popped: Signal<Local, Bits<4>>,
    push_slot: Signal<Local, Bits<3>>,
    pushed_owner: Signal<Local, Bits<4>>,
    w_owner: Signal<Local, Bit>,
    b_to_s1: Signal<Local, Bit>,
}

impl Logic for AxiWriteMux {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clk, aw_grant, owners, owner_count, w_to_s0, w_to_s1);
        self.owners_full.next = self.owner_count.q.val() == 4;

        // AW: the granted source, while the owner queue has room.
        self.m_axi.awvalid.next = !self.owners_full.val()
            & ((self.s0_axi.awvalid.val() & !self.aw_grant.q.val())
                | (self.s1_axi.awvalid.val() & self.aw_grant.q.val()));
        self.s0_axi.awready.next = self.m_axi.awready.val() & !self.owners_full.val() & !self.aw_grant.q.val();
        self.s1_axi.awready.next = self.m_axi.awready.val() & !self.owners_full.val() & self.aw_grant.q.val();
        self.aw_accepted.next = self.m_axi.awvalid.val() & self.m_axi.awready.val();
        if self.aw_grant.q.val() {
            self.m_axi.awid.next = self.s1_axi.awid.val() | 8;
            self.m_axi.awaddr.next = self.s1_axi.awaddr.val();
            self.m_axi.awlen.next = self.s1_axi.awlen.val();
            self.m_axi.awsize.next = self.s1_axi.awsize.val();
            self.m_axi.awburst.next = self.s1_axi.awburst.val();
            self.m_axi.awlock.next = self.s1_axi.awlock.val();
            self.m_axi.awcache.next = self.s1_axi.awcache.val();
            self.m_axi.awprot.next = self.s1_axi.awprot.val();
            if self.s0_axi.awvalid.val() & (!self.s1_axi.awvalid.val() | self.aw_accepted.val()) {
                self.aw_grant.d.next = false;
            }
        } else {
            self.m_axi.awid.next = self.s0_axi.awid.val() & 7;
            self.m_axi.awaddr.next = self.s0_axi.awaddr.val();
            self.m_axi.awlen.next = self.s0_axi.awlen.val();
            self.m_axi.awsize.next = self.s0_axi.awsize.val();
            self.m_axi.awburst.next = self.s0_axi.awburst.val();
            self.m_axi.awlock.next = self.s0_axi.awlock.val();
            self.m_axi.awcache.next = self.s0_axi.awcache.val();
            self.m_axi.awprot.next = self.s0_axi.awprot.val();
            if self.s1_axi.awvalid.val() & (!self.s0_axi.awvalid.val() | self.aw_accepted.val()) {
                self.aw_grant.d.next = true;
            }
        }

        // W: the owner of the oldest open burst.
        self.w_owner.next = self.w_to_s1.q.val();
        self.m_axi.wvalid.next =
            (self.s0_axi.wvalid.val() & self.w_to_s0.q.val()) | (self.s1_axi.wvalid.val() & self.w_to_s1.q.val());
        self.s0_axi.wready.next = self.m_axi.wready.val() & self.w_to_s0.q.val();
        self.s1_axi.wready.next = self.m_axi.wready.val() & self.w_to_s1.q.val();
        if self.w_owner.val() {
            self.m_axi.wdata.next = self.s1_axi.wdata.val();
            self.m_axi.wstrb.next = self.s1_axi.wstrb.val();
            self.m_axi.wlast.next = self.s1_axi.wlast.val();
        } else {
            self.m_axi.wdata.next = self.s0_axi.wdata.val();
            self.m_axi.wstrb.next = self.s0_axi.wstrb.val();
            self.m_axi.wlast.next = self.s0_axi.wlast.val();
        }
        self.w_burst_done.next = self.m_axi.wvalid.val() & self.m_axi.wready.val() & self.m_axi.wlast.val();

        // The owner queue: pop the finished burst, then push the accepted address's source.
        self.owners_popped.next = self.owners.q.val();
        self.push_slot.next = self.owner_count.q.val();
        if self.w_burst_done.val() {
            self.owners_popped.next = self.owners.q.val() >> 1;
            self.push_slot.next = self.owner_count.q.val() - 1;
        }
        self.pushed_owner.next = 0.into();
        if self.aw_grant.q.val() {
            self.pushed_owner.next = 1.into();
        }
        self.next_owners.next = self.owners_popped.val();
        self.next_count.next = self.push_slot.val();
        if self.aw_accepted.val() {
            self.next_owners.next = self.owners_popped.val() | (self.pushed_owner.val() << self.push_slot.val());
            self.next_count.next = self.push_slot.val() + 1;
        }
        self.owners.d.next = self.next_owners.val();
        self.owner_count.d.next = self.next_count.val();
        self.w_to_s0.d.next = (self.next_count.val() != 0) & !self.next_owners.val().get_bit(0);
        self.w_to_s1.d.next = (self.next_count.val() != 0) & self.next_owners.val().get_bit(0);

        // B: back to the source the ID's top bit names.
        self.b_to_s1.next = self.m_axi.bid.val().get_bit(3);
        self.s0_axi.bid.next = self.m_axi.bid.val() & 7;
        self.s1_axi.bid.next = self.m_axi.bid.val() & 7;
        self.s0_axi.bresp.next = self.m_axi.bresp.val();
        self.s1_axi.bresp.next = self.m_axi.bresp.val();
        self.s0_axi.bvalid.next = self.m_axi.bvalid.val() & !self.b_to_s1.val();
        self.s1_axi.bvalid.next = self.m_axi.bvalid.val() & self.b_to_s1.val();
        self.m_axi.bready.next =
            (self.s0_axi.bready.val() & !self.b_to_s1.val()) | (self.s1_axi.bready.val() & self.b_to_s1.val());

        if self.rst.val() {
            self.aw_grant.d.next = false;
            self.owners.d.next = 0.into();
            self.owner_count.d.next = 0.into();
            self.w_to_s0.d.next = false;
            self.w_to_s1.d.next = false;
        }
    }
}

crate::native_ports!(
    impl[] AxiWriteMux;
    clk, rst,
    s0_axi.awid, s0_axi.awaddr, s0_axi.awlen, s0_axi.awsize, s0_axi.awburst, s0_axi.awlock, s0_axi.awcache, s0_axi.awprot, s0_axi.awvalid, s0_axi.awready, s0_axi.wdata, s0_axi.wstrb, s0_axi.wlast, s0_axi.wvalid, s0_axi.wready, s0_axi.bid, s0_axi.bresp, s0_axi.bvalid, s0_axi.bready,
    s1_axi.awid, s1_axi.awaddr, s1_axi.awlen, s1_axi.awsize, s1_axi.awburst, s1_axi.awlock, s1_axi.awcache, s1_axi.awprot, s1_axi.awvalid, s1_axi.awready, s1_axi.wdata, s1_axi.wstrb, s1_axi.wlast, s1_axi.wvalid, s1_axi.wready, s1_axi.bid, s1_axi.bresp, s1_axi.bvalid, s1_axi.bready,
    m_axi.awid, m_axi.awaddr, m_axi.awlen, m_axi.awsize, m_axi.awburst, m_axi.awlock, m_axi.awcache, m_axi.awprot, m_axi.awvalid, m_axi.awready, m_axi.wdata, m_axi.wstrb, m_axi.wlast, m_axi.wvalid, m_axi.wready, m_axi.bid, m_axi.bresp, m_axi.bvalid, m_axi.bready,
);
