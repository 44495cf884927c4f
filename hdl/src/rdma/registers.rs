//! The RDMA receive path's BAR0 registers (`regs::nic::RDMA_REGISTERS`, from `RDMA_BASE`):
//! the host writes a command's fields, then its op into `rdma_cmd_issue`; the command goes
//! to the decider's command port, and `rdma_cmd_result` says busy until the answer comes,
//! then its status and entry. The receive path's counters read through here too.
//!
//! One access at a time on `s_axil_` (AXI4-Lite; AW and W are taken together), answered
//! the cycle after: a register in the window answers OKAY (writes to read-only fields are
//! ignored; byte strobes apply), an address past the last register DECERR (reads give 0),
//! and a write to the command registers (fields or issue) while a command is busy SLVERR:
//! the write is refused and counted in `rdma_cmd_refused`, and the busy command goes on
//! with the fields it was issued with.
use crate::bus::AxilSlave;
use crate::regs::nic::{
    RDMA_BASE, RDMA_PARAMS_CQ, RDMA_PARAMS_FUNCTION, RDMA_PARAMS_PATH_MTU, RDMA_REGISTERS, RDMA_RESULT_BUSY,
    RDMA_RESULT_ENTRY, RDMA_RESULT_STATUS,
};
use crate::regs::Field;
use rust_hdl::prelude::*;

/// Index (dword from `RDMA_BASE`) of each register this block decodes, in the map's order.
const INDEX_ISSUE: u32 = 8;
const INDEX_RESULT: u32 = 9;
const REGISTER_COUNT: u64 = 20;

#[derive(LogicBlock)]
pub struct RdmaRegisters {
    pub clk: Signal<In, Clock>,
    pub rst: Signal<In, Bit>,
    /// BAR0 accesses in the RDMA window (the NIC's BAR0 split sends them here).
    pub s_axil: AxilSlave<16>,
    /// To the decider's command port (`rdma::decide`).
    pub cmd_valid: Signal<Out, Bit>,
    pub cmd_ready: Signal<In, Bit>,
    pub cmd_op: Signal<Out, Bits<2>>,
    pub cmd_qp: Signal<Out, Bits<24>>,
    pub cmd_first_psn: Signal<Out, Bits<24>>,
    pub cmd_packets: Signal<Out, Bits<24>>,
    pub cmd_va: Signal<Out, Bits<64>>,
    pub cmd_length: Signal<Out, Bits<32>>,
    pub cmd_rkey: Signal<Out, Bits<32>>,
    pub cmd_path_mtu: Signal<Out, Bits<3>>,
    pub cmd_cq: Signal<Out, Bits<16>>,
    pub cmd_function: Signal<Out, Bits<8>>,
    pub done_valid: Signal<In, Bit>,
    pub done_status: Signal<In, Bits<3>>,
    pub done_entry: Signal<In, Bits<12>>,
    /// The receive path's counters, in register order from `rdma_roce_frames`.
    pub roce_frames: Signal<In, Bits<32>>,
    pub icrc_errors: Signal<In, Bits<32>>,
    pub truncated_frames: Signal<In, Bits<32>>,
    pub placed_packets: Signal<In, Bits<32>>,
    pub dropped_duplicates: Signal<In, Bits<32>>,
    pub software_packets: Signal<In, Bits<32>>,
    pub mac_errors: Signal<In, Bits<32>>,
    pub write_errors: Signal<In, Bits<32>>,
    pub entries: Signal<In, Bits<13>>,

    qp: DFF<Bits<24>>,
    psn: DFF<Bits<24>>,
    packets: DFF<Bits<24>>,
    va: DFF<Bits<64>>,
    length: DFF<Bits<32>>,
    rkey: DFF<Bits<32>>,
    params: DFF<Bits<32>>,
    op: DFF<Bits<2>>,
    /// The command is on the port (`cmd_valid`), and it is not answered yet.
    offering: DFF<Bit>,
    busy: DFF<Bit>,
    status: DFF<Bits<3>>,
    entry: DFF<Bits<12>>,
    refused: DFF<Bits<32>>,
    /// The bits of `rdma_cmd_params` that hold fields (from the map); one byte lane's mask.
    params_mask: Constant<Bits<32>>,
    byte_mask: Constant<Bits<32>>,
    // The access: taken, decoded, answered.
    write_req: Signal<Local, Bit>,
    take: Signal<Local, Bit>,
    index: Signal<Local, Bits<9>>,
    mapped: Signal<Local, Bit>,
    current: Signal<Local, Bits<32>>,
    strobe_mask: Signal<Local, Bits<32>>,
    merged: Signal<Local, Bits<32>>,
    refuse: Signal<Local, Bit>,
    bvalid: DFF<Bit>,
    bresp: DFF<Bits<2>>,
    rvalid: DFF<Bit>,
    rdata: DFF<Bits<32>>,
    rresp: DFF<Bits<2>>,
}

/// The map's field where this block's logic puts it.
fn check_field(f: &Field, lsb: u32, width: u32) {
    assert!(f.lsb == lsb && f.width == width, "register map field {} moved: update rdma::registers", f.name);
}

impl Default for RdmaRegisters {
    fn default() -> Self {
        // The decode is by index in `RDMA_REGISTERS` (contiguous dwords) with the field
        // positions below; the map must agree.
        for (k, r) in RDMA_REGISTERS.iter().enumerate() {
            assert_eq!(r.offset, RDMA_BASE + 4 * k as u32, "{} is not at its index", r.name);
        }
        assert_eq!(RDMA_REGISTERS.len() as u64, REGISTER_COUNT);
        assert_eq!(RDMA_REGISTERS[INDEX_ISSUE as usize].name, "rdma_cmd_issue");
        assert_eq!(RDMA_REGISTERS[INDEX_RESULT as usize].name, "rdma_cmd_result");
        check_field(&RDMA_PARAMS_PATH_MTU, 0, 3);
        check_field(&RDMA_PARAMS_FUNCTION, 8, 8);
        check_field(&RDMA_PARAMS_CQ, 16, 16);
        check_field(&RDMA_RESULT_BUSY, 0, 1);
        check_field(&RDMA_RESULT_STATUS, 1, 3);
        check_field(&RDMA_RESULT_ENTRY, 16, 12);
        Self {
            clk: Default::default(),
            rst: Default::default(),
            s_axil: Default::default(),
            cmd_valid: Default::default(),
            cmd_ready: Default::default(),
            cmd_op: Default::default(),
            cmd_qp: Default::default(),
            cmd_first_psn: Default::default(),
            cmd_packets: Default::default(),
            cmd_va: Default::default(),
            cmd_length: Default::default(),
            cmd_rkey: Default::default(),
            cmd_path_mtu: Default::default(),
            cmd_cq: Default::default(),
            cmd_function: Default::default(),
            done_valid: Default::default(),
            done_status: Default::default(),
            done_entry: Default::default(),
            roce_frames: Default::default(),
            icrc_errors: Default::default(),
            truncated_frames: Default::default(),
            placed_packets: Default::default(),
            dropped_duplicates: Default::default(),
            software_packets: Default::default(),
            mac_errors: Default::default(),
            write_errors: Default::default(),
            entries: Default::default(),
            qp: Default::default(),
            psn: Default::default(),
            packets: Default::default(),
            va: Default::default(),
            length: Default::default(),
            rkey: Default::default(),
            params: Default::default(),
            op: Default::default(),
            offering: Default::default(),
            busy: Default::default(),
            status: Default::default(),
            entry: Default::default(),
            refused: Default::default(),
            params_mask: Constant::new(
                ((RDMA_PARAMS_PATH_MTU.mask() | RDMA_PARAMS_FUNCTION.mask() | RDMA_PARAMS_CQ.mask()) as u64).to_bits(),
            ),
            byte_mask: Constant::new(0xFF.into()),
            write_req: Default::default(),
            take: Default::default(),
            index: Default::default(),
            mapped: Default::default(),
            current: Default::default(),
            strobe_mask: Default::default(),
            merged: Default::default(),
            refuse: Default::default(),
            bvalid: Default::default(),
            bresp: Default::default(),
            rvalid: Default::default(),
            rdata: Default::default(),
            rresp: Default::default(),
        }
    }
}

impl Logic for RdmaRegisters {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self, clk, qp, psn, packets, va, length, rkey, params, op, offering, busy, status, entry, refused, bvalid,
            bresp, rvalid, rdata, rresp
        );
        // The command port shows the registers while the command is offered.
        self.cmd_valid.next = self.offering.q.val();
        self.cmd_op.next = self.op.q.val();
        self.cmd_qp.next = self.qp.q.val();
        self.cmd_first_psn.next = self.psn.q.val();
        self.cmd_packets.next = self.packets.q.val();
        self.cmd_va.next = self.va.q.val();
        self.cmd_length.next = self.length.q.val();
        self.cmd_rkey.next = self.rkey.q.val();
        self.cmd_path_mtu.next = self.params.q.val().get_bits::<3>(0);
        self.cmd_function.next = self.params.q.val().get_bits::<8>(8);
        self.cmd_cq.next = self.params.q.val().get_bits::<16>(16);
        if self.offering.q.val() & self.cmd_ready.val() {
            self.offering.d.next = false;
        }
        if self.done_valid.val() {
            self.busy.d.next = false;
            self.status.d.next = self.done_status.val();
            self.entry.d.next = self.done_entry.val();
        }

        // Take one access when no answer is pending; a write (AW and W together) first.
        self.write_req.next = self.s_axil.awvalid.val() & self.s_axil.wvalid.val();
        self.take.next =
            !self.bvalid.q.val() & !self.rvalid.q.val() & (self.write_req.val() | self.s_axil.arvalid.val());
        self.s_axil.awready.next = self.take.val() & self.write_req.val();
        self.s_axil.wready.next = self.take.val() & self.write_req.val();
        self.s_axil.arready.next = self.take.val() & !self.write_req.val();
        // The window is 2 KiB (the split sends 0x800-0xFFF here): dword index 8:0.
        self.index.next = self.s_axil.araddr.val().get_bits::<9>(2);
        if self.write_req.val() {
            self.index.next = self.s_axil.awaddr.val().get_bits::<9>(2);
        }
        self.mapped.next = self.index.val() < 20;
        self.current.next = 0.into();
        if self.index.val() == 0 {
            self.current.next = bit_cast::<32, 24>(self.qp.q.val());
        }
        if self.index.val() == 1 {
            self.current.next = bit_cast::<32, 24>(self.psn.q.val());
        }
        if self.index.val() == 2 {
            self.current.next = bit_cast::<32, 24>(self.packets.q.val());
        }
        if self.index.val() == 3 {
            self.current.next = self.va.q.val().get_bits::<32>(0);
        }
        if self.index.val() == 4 {
            self.current.next = self.va.q.val().get_bits::<32>(32);
        }
        if self.index.val() == 5 {
            self.current.next = self.length.q.val();
        }
        if self.index.val() == 6 {
            self.current.next = self.rkey.q.val();
        }
        if self.index.val() == 7 {
            self.current.next = self.params.q.val() & self.params_mask.val();
        }
        if self.index.val() == 8 {
            self.current.next = bit_cast::<32, 2>(self.op.q.val());
        }
        if self.index.val() == 9 {
            self.current.next = bit_cast::<32, 1>(self.busy.q.val().into())
                | (bit_cast::<32, 3>(self.status.q.val()) << 1)
                | (bit_cast::<32, 12>(self.entry.q.val()) << 16);
        }
        if self.index.val() == 10 {
            self.current.next = self.refused.q.val();
        }
        if self.index.val() == 11 {
            self.current.next = self.roce_frames.val();
        }
        if self.index.val() == 12 {
            self.current.next = self.icrc_errors.val();
        }
        if self.index.val() == 13 {
            self.current.next = self.truncated_frames.val();
        }
        if self.index.val() == 14 {
            self.current.next = self.placed_packets.val();
        }
        if self.index.val() == 15 {
            self.current.next = self.dropped_duplicates.val();
        }
        if self.index.val() == 16 {
            self.current.next = self.software_packets.val();
        }
        if self.index.val() == 17 {
            self.current.next = self.mac_errors.val();
        }
        if self.index.val() == 18 {
            self.current.next = self.write_errors.val();
        }
        if self.index.val() == 19 {
            self.current.next = bit_cast::<32, 13>(self.entries.val());
        }
        // Byte strobes: a write changes only the bytes it strobes.
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
        self.merged.next =
            (self.current.val() & !self.strobe_mask.val()) | (self.s_axil.wdata.val() & self.strobe_mask.val());
        // A write to the command (its fields or the issue) while one is busy is refused.
        self.refuse.next = (self.index.val() <= 8) & self.busy.q.val();

        if self.take.val() & self.write_req.val() {
            self.bvalid.d.next = true;
            self.bresp.d.next = 0.into();
            if !self.mapped.val() {
                self.bresp.d.next = 3.into();
            }
            if self.refuse.val() {
                self.bresp.d.next = 2.into();
                if (self.refused.q.val() + 1).any() {
                    self.refused.d.next = self.refused.q.val() + 1;
                }
            }
            if !self.busy.q.val() {
                if self.index.val() == 0 {
                    self.qp.d.next = self.merged.val().get_bits::<24>(0);
                }
                if self.index.val() == 1 {
                    self.psn.d.next = self.merged.val().get_bits::<24>(0);
                }
                if self.index.val() == 2 {
                    self.packets.d.next = self.merged.val().get_bits::<24>(0);
                }
                if self.index.val() == 3 {
                    self.va.d.next = bit_cast::<64, 32>(self.merged.val())
                        | (bit_cast::<64, 32>(self.va.q.val().get_bits::<32>(32)) << 32);
                }
                if self.index.val() == 4 {
                    self.va.d.next = bit_cast::<64, 32>(self.va.q.val().get_bits::<32>(0))
                        | (bit_cast::<64, 32>(self.merged.val()) << 32);
                }
                if self.index.val() == 5 {
                    self.length.d.next = self.merged.val();
                }
                if self.index.val() == 6 {
                    self.rkey.d.next = self.merged.val();
                }
                if self.index.val() == 7 {
                    self.params.d.next = self.merged.val() & self.params_mask.val();
                }
                if (self.index.val() == 8) & self.s_axil.wstrb.val().get_bit(0) {
                    self.op.d.next = self.s_axil.wdata.val().get_bits::<2>(0);
                    self.offering.d.next = true;
                    self.busy.d.next = true;
                }
            }
        }
        if self.take.val() & !self.write_req.val() {
            self.rvalid.d.next = true;
            self.rdata.d.next = self.current.val();
            self.rresp.d.next = 0.into();
            if !self.mapped.val() {
                self.rdata.d.next = 0.into();
                self.rresp.d.next = 3.into();
            }
        }
        if self.bvalid.q.val() & self.s_axil.bready.val() {
            self.bvalid.d.next = false;
        }
        if self.rvalid.q.val() & self.s_axil.rready.val() {
            self.rvalid.d.next = false;
        }
        self.s_axil.bvalid.next = self.bvalid.q.val();
        self.s_axil.bresp.next = self.bresp.q.val();
        self.s_axil.rvalid.next = self.rvalid.q.val();
        self.s_axil.rdata.next = self.rdata.q.val();
        self.s_axil.rresp.next = self.rresp.q.val();

        if self.rst.val() {
            self.offering.d.next = false;
            self.busy.d.next = false;
            self.refused.d.next = 0.into();
            self.bvalid.d.next = false;
            self.rvalid.d.next = false;
        }
    }
}

crate::native_ports!(
    impl[] RdmaRegisters;
    clk, rst, s_axil.awaddr, s_axil.awprot, s_axil.awvalid, s_axil.awready, s_axil.wdata, s_axil.wstrb, s_axil.wvalid, s_axil.wready, s_axil.bresp, s_axil.bvalid, s_axil.bready, s_axil.araddr, s_axil.arprot, s_axil.arvalid, s_axil.arready, s_axil.rdata, s_axil.rresp, s_axil.rvalid, s_axil.rready,
    cmd_valid, cmd_ready, cmd_op, cmd_qp, cmd_first_psn, cmd_packets, cmd_va, cmd_length, cmd_rkey, cmd_path_mtu, cmd_cq, cmd_function, done_valid, done_status, done_entry,
    roce_frames, icrc_errors, truncated_frames, placed_packets, dropped_duplicates, software_packets, mac_errors, write_errors, entries,
);
