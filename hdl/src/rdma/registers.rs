//! The RDMA receive path's BAR0 registers (the map's `regs::nic::RDMA` group, from `RDMA_BASE`):
//! the host writes a command's fields, then its op into `rdma_cmd_issue`; the command goes
//! to the decider's command port, and `rdma_cmd_result` says busy until the answer comes,
//! then its status and entry. The receive path's counters read through here too.
//!
//! Registers: `s_axil_` (AXI4-Lite) through the shared register port
//! (`axil_register_port`: one access at a time, a write before a read). The access's register
//! is selected (registered) and the access carried out and answered the cycle after: a
//! register in the window answers OKAY (writes to read-only fields are ignored; byte strobes apply), an address past
//! the last register DECERR (reads give 0), and a write to the command registers (fields or
//! issue) while a command is busy SLVERR: the write is refused and counted in
//! `rdma_cmd_refused`, and the busy command goes on with the fields it was issued with.
use crate::axil_register_port::AxilRegisterPort;
use crate::bus::AxilSlave;
use crate::regs::nic::{
    RDMA, RDMA_BASE, RDMA_PARAMS_CQ, RDMA_PARAMS_FUNCTION, RDMA_PARAMS_PATH_MTU, RDMA_RESULT_BUSY, RDMA_RESULT_ENTRY,
    RDMA_RESULT_STATUS,
};
use crate::regs::Field;
use rust_hdl::prelude::*;

/// Index (dword from `RDMA_BASE`) of each register this block decodes, in the map's order.
const INDEX_ISSUE: u32 = 8;
const INDEX_RESULT: u32 = 9;
const REGISTER_COUNT: u64 = 24;

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
    pub window_errors: Signal<In, Bits<32>>,
    pub cq_lost: Signal<In, Bits<32>>,
    pub acks_sent: Signal<In, Bits<32>>,
    pub ack_drops: Signal<In, Bits<32>>,

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
    /// The bits of `rdma_cmd_params` that hold fields (from the map).
    params_mask: Constant<Bits<32>>,
    /// The bus side: one access at a time, held until `done`.
    port: AxilRegisterPort,
    /// The access's register is selected (one-hot in `a_sel`; none past the last): it is
    /// carried out and answered now.
    carrying: DFF<Bit>,
    a_sel: DFF<Bits<24>>,
    one: Constant<Bits<24>>,
    /// Registers in the map (`REGISTER_COUNT`): indices from here on are unmapped.
    register_count: Constant<Bits<9>>,
    /// BAR0 address bits 15:11 of the RDMA window.
    region: Constant<Bits<5>>,
    index: Signal<Local, Bits<9>>,
    /// The strobed bytes of the write's data (an issue's op is its bits 1:0), and the bits
    /// each register keeps.
    a_data: Signal<Local, Bits<32>>,
    keep_mask: Signal<Local, Bits<32>>,
    merged_qp: Signal<Local, Bits<24>>,
    merged_psn: Signal<Local, Bits<24>>,
    merged_packets: Signal<Local, Bits<24>>,
    merged_va_lo: Signal<Local, Bits<32>>,
    merged_va_hi: Signal<Local, Bits<32>>,
    result: Signal<Local, Bits<32>>,
    current: Signal<Local, Bits<32>>,
    refuse: Signal<Local, Bit>,
}

/// The map's field where this block's logic puts it.
fn check_field(f: &Field, lsb: u32, width: u32) {
    assert!(f.lsb == lsb && f.width == width, "register map field {} moved: update rdma::registers", f.name);
}

impl Default for RdmaRegisters {
    fn default() -> Self {
        // The decode is by index in the map's RDMA group (contiguous dwords) with the field
        // positions below; the map must agree.
        assert_eq!(RDMA_BASE % 0x800, 0, "the RDMA window is decoded as BAR0 bits 15:11");
        for (k, r) in RDMA.registers.iter().enumerate() {
            assert_eq!(r.offset, RDMA_BASE + 4 * k as u32, "{} is not at its index", r.name);
        }
        assert_eq!(RDMA.registers.len() as u64, REGISTER_COUNT);
        assert_eq!(RDMA.registers[INDEX_ISSUE as usize].name, "rdma_cmd_issue");
        assert_eq!(RDMA.registers[INDEX_RESULT as usize].name, "rdma_cmd_result");
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
            window_errors: Default::default(),
            cq_lost: Default::default(),
            acks_sent: Default::default(),
            ack_drops: Default::default(),
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
            port: Default::default(),
            carrying: Default::default(),
            a_sel: Default::default(),
            one: Constant::new(1.into()),
            register_count: Constant::new(REGISTER_COUNT.to_bits()),
            region: Constant::new(((RDMA_BASE >> 11) as u64).to_bits()),
            index: Default::default(),
            a_data: Default::default(),
            keep_mask: Default::default(),
            merged_qp: Default::default(),
            merged_psn: Default::default(),
            merged_packets: Default::default(),
            merged_va_lo: Default::default(),
            merged_va_hi: Default::default(),
            result: Default::default(),
            current: Default::default(),
            refuse: Default::default(),
        }
    }
}

impl Logic for RdmaRegisters {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self, clk, qp, psn, packets, va, length, rkey, params, op, offering, busy, status, entry, refused,
            carrying, a_sel
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

        // The access: its register selected as a one-hot (none: past the last register),
        // registered, and carried out the cycle after. The window is 2 KiB at `RDMA_BASE`
        // (BAR0 bits 15:11; the NIC's split sends only it here): dword index 8:0.
        self.port.clk.next = self.clk.val();
        self.port.rst.next = self.rst.val();
        AxilSlave::<16>::link(&mut self.s_axil, &mut self.port.s_axil);
        self.index.next = self.port.access_dword.val().get_bits::<9>(0);
        self.carrying.d.next = self.port.access_valid.val() & !self.carrying.q.val();
        self.a_sel.d.next = 0.into();
        if (self.index.val() < self.register_count.val())
            & (self.port.access_dword.val().get_bits::<5>(9) == self.region.val())
        {
            self.a_sel.d.next = self.one.val() << self.index.val().get_bits::<5>(0);
        }
        self.a_data.next = self.port.access_data.val() & self.port.access_mask.val();

        // Reads: the selected register (an AND-OR over the one-hot select).
        self.result.next = bit_cast::<32, 1>(self.busy.q.val().into())
            | (bit_cast::<32, 3>(self.status.q.val()) << 1)
            | (bit_cast::<32, 12>(self.entry.q.val()) << 16);
        self.current.next = 0.into();
        if self.a_sel.q.val().get_bit(0) {
            self.current.next = self.current.val() | bit_cast::<32, 24>(self.qp.q.val());
        }
        if self.a_sel.q.val().get_bit(1) {
            self.current.next = self.current.val() | bit_cast::<32, 24>(self.psn.q.val());
        }
        if self.a_sel.q.val().get_bit(2) {
            self.current.next = self.current.val() | bit_cast::<32, 24>(self.packets.q.val());
        }
        if self.a_sel.q.val().get_bit(3) {
            self.current.next = self.current.val() | self.va.q.val().get_bits::<32>(0);
        }
        if self.a_sel.q.val().get_bit(4) {
            self.current.next = self.current.val() | self.va.q.val().get_bits::<32>(32);
        }
        if self.a_sel.q.val().get_bit(5) {
            self.current.next = self.current.val() | self.length.q.val();
        }
        if self.a_sel.q.val().get_bit(6) {
            self.current.next = self.current.val() | self.rkey.q.val();
        }
        if self.a_sel.q.val().get_bit(7) {
            self.current.next = self.current.val() | self.params.q.val();
        }
        if self.a_sel.q.val().get_bit(8) {
            self.current.next = self.current.val() | bit_cast::<32, 2>(self.op.q.val());
        }
        if self.a_sel.q.val().get_bit(9) {
            self.current.next = self.current.val() | self.result.val();
        }
        if self.a_sel.q.val().get_bit(10) {
            self.current.next = self.current.val() | self.refused.q.val();
        }
        if self.a_sel.q.val().get_bit(11) {
            self.current.next = self.current.val() | self.roce_frames.val();
        }
        if self.a_sel.q.val().get_bit(12) {
            self.current.next = self.current.val() | self.icrc_errors.val();
        }
        if self.a_sel.q.val().get_bit(13) {
            self.current.next = self.current.val() | self.truncated_frames.val();
        }
        if self.a_sel.q.val().get_bit(14) {
            self.current.next = self.current.val() | self.placed_packets.val();
        }
        if self.a_sel.q.val().get_bit(15) {
            self.current.next = self.current.val() | self.dropped_duplicates.val();
        }
        if self.a_sel.q.val().get_bit(16) {
            self.current.next = self.current.val() | self.software_packets.val();
        }
        if self.a_sel.q.val().get_bit(17) {
            self.current.next = self.current.val() | self.mac_errors.val();
        }
        if self.a_sel.q.val().get_bit(18) {
            self.current.next = self.current.val() | self.write_errors.val();
        }
        if self.a_sel.q.val().get_bit(19) {
            self.current.next = self.current.val() | bit_cast::<32, 13>(self.entries.val());
        }
        if self.a_sel.q.val().get_bit(20) {
            self.current.next = self.current.val() | self.window_errors.val();
        }
        if self.a_sel.q.val().get_bit(21) {
            self.current.next = self.current.val() | self.cq_lost.val();
        }
        if self.a_sel.q.val().get_bit(22) {
            self.current.next = self.current.val() | self.acks_sent.val();
        }
        if self.a_sel.q.val().get_bit(23) {
            self.current.next = self.current.val() | self.ack_drops.val();
        }
        // A write to the command (its fields or the issue) while one is busy is refused.
        self.refuse.next = self.a_sel.q.val().get_bits::<9>(0).any() & self.busy.q.val();
        // Writes: each register merges its own value with the strobed bytes.
        self.keep_mask.next = !self.port.access_mask.val();
        // (The 24-bit registers keep bits 23:0; the map's fields end there.)
        self.merged_qp.next =
            (self.qp.q.val() & self.keep_mask.val().get_bits::<24>(0)) | self.a_data.val().get_bits::<24>(0);
        self.merged_psn.next =
            (self.psn.q.val() & self.keep_mask.val().get_bits::<24>(0)) | self.a_data.val().get_bits::<24>(0);
        self.merged_packets.next =
            (self.packets.q.val() & self.keep_mask.val().get_bits::<24>(0)) | self.a_data.val().get_bits::<24>(0);
        self.merged_va_lo.next = (self.va.q.val().get_bits::<32>(0) & self.keep_mask.val()) | self.a_data.val();
        self.merged_va_hi.next = (self.va.q.val().get_bits::<32>(32) & self.keep_mask.val()) | self.a_data.val();

        self.port.done.next = self.carrying.q.val();
        self.port.done_data.next = self.current.val();
        self.port.done_resp.next = 0.into();
        if !self.a_sel.q.val().any() {
            self.port.done_resp.next = 3.into();
        }
        if self.port.access_write.val() & self.refuse.val() {
            self.port.done_resp.next = 2.into();
        }
        if self.carrying.q.val() & self.port.access_write.val() {
            if self.refuse.val() {
                if (self.refused.q.val() + 1).any() {
                    self.refused.d.next = self.refused.q.val() + 1;
                }
            }
            if !self.busy.q.val() {
                if self.a_sel.q.val().get_bit(0) {
                    self.qp.d.next = self.merged_qp.val();
                }
                if self.a_sel.q.val().get_bit(1) {
                    self.psn.d.next = self.merged_psn.val();
                }
                if self.a_sel.q.val().get_bit(2) {
                    self.packets.d.next = self.merged_packets.val();
                }
                if self.a_sel.q.val().get_bit(3) {
                    self.va.d.next = bit_cast::<64, 32>(self.merged_va_lo.val())
                        | (bit_cast::<64, 32>(self.va.q.val().get_bits::<32>(32)) << 32);
                }
                if self.a_sel.q.val().get_bit(4) {
                    self.va.d.next = bit_cast::<64, 32>(self.va.q.val().get_bits::<32>(0))
                        | (bit_cast::<64, 32>(self.merged_va_hi.val()) << 32);
                }
                if self.a_sel.q.val().get_bit(5) {
                    self.length.d.next = (self.length.q.val() & self.keep_mask.val()) | self.a_data.val();
                }
                if self.a_sel.q.val().get_bit(6) {
                    self.rkey.d.next = (self.rkey.q.val() & self.keep_mask.val()) | self.a_data.val();
                }
                if self.a_sel.q.val().get_bit(7) {
                    self.params.d.next =
                        ((self.params.q.val() & self.keep_mask.val()) | self.a_data.val()) & self.params_mask.val();
                }
                // The op is byte 0: an issue is a write that strobes it.
                if self.a_sel.q.val().get_bit(8) & self.port.access_strobe.val().get_bit(0) {
                    self.op.d.next = self.a_data.val().get_bits::<2>(0);
                    self.offering.d.next = true;
                    self.busy.d.next = true;
                }
            }
        }
        if self.rst.val() {
            self.offering.d.next = false;
            self.busy.d.next = false;
            self.refused.d.next = 0.into();
            self.carrying.d.next = false;
        }
    }
}

crate::native_ports!(
    impl[] RdmaRegisters;
    clk, rst, s_axil.awaddr, s_axil.awprot, s_axil.awvalid, s_axil.awready, s_axil.wdata, s_axil.wstrb, s_axil.wvalid, s_axil.wready, s_axil.bresp, s_axil.bvalid, s_axil.bready, s_axil.araddr, s_axil.arprot, s_axil.arvalid, s_axil.arready, s_axil.rdata, s_axil.rresp, s_axil.rvalid, s_axil.rready,
    cmd_valid, cmd_ready, cmd_op, cmd_qp, cmd_first_psn, cmd_packets, cmd_va, cmd_length, cmd_rkey, cmd_path_mtu, cmd_cq, cmd_function, done_valid, done_status, done_entry,
    roce_frames, icrc_errors, truncated_frames, placed_packets, dropped_duplicates, software_packets, mac_errors, write_errors, entries, window_errors, cq_lost, acks_sent, ack_drops,
);
