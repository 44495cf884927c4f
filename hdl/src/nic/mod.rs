//! The NIC top level: the blocks of the data plane wired together behind the ports a user
//! binds (`s_axil_` BAR0, `s_axi_llq_` BAR2, `m_axi_` host memory, `m_axis_tx_` to the MAC,
//! `msix_`).
//!
//! Queue manager (rings, doorbells, interrupts), LLQ device memory, DMA read and write
//! engines sharing `m_axi_` (reads on the read channels, writes on the write channels), the
//! TX engine with its store-and-forward frame FIFO (its frames share `m_axis_tx_` with the
//! RDMA path's acknowledgements, a frame at a time: `frame_arbiter`), and the receive side: the RDMA receive
//! path (`rdma::receive`) takes every frame from `s_axis_rx_`, places RDMA WRITE payload in
//! host memory itself and hands every other frame, with the reason, to the RX engine. A TX
//! queue is an LLQ queue when its submission ring is set up with 128-byte entries
//! (`control.entry_log` = 7).
//!
//! Host memory writes come from two engines: the DMA write engine (RX frames, completions)
//! and the RDMA path's own (placement); an AXI write multiplexer (`axi_write_mux`) puts both
//! on `m_axi_`'s write channels (the RDMA path's writes carry ID 8). BAR0 is split by
//! address (`axil_split`: a tree of three): 0x800-0xFFF to the RDMA registers (host
//! commands and the RDMA counters, `rdma::registers`), 0x3000-0x37FF to the DMA windows
//! (`windows`: per PCIe function, the host memory its queues may reach; the TX and RX
//! engines and the RDMA placement check their DMAs against them, each on a lookup port of
//! its own), 0x3800-0x3FFF to the RSS indirection table (`rss`: the RX engine's queue for
//! each hash mod 128), the rest to the queue manager. The RDMA path's message
//! completions and failure records go into host completion rings through the completer
//! (`rdma::completer`; rings from `4 * TX_QUEUES` on are free for them).
//!
//! The two engines share three ports. Each shows the request of the engine its grant
//! register names; the grant passes to the other engine when it is waiting and the holder
//! has nothing to ask or was just served (round robin under load). The requester rides in
//! bit 7 of the tag so answers find their way back: the queue manager's operation port
//! (results routed by `res_tag`; the granted request goes through a register slice,
//! `op_slice`, so the queue manager's hazard check starts from registers), the DMA read
//! engine (data routed by its `tuser` tag), and the DMA write engine (a granted descriptor
//! keeps the data stream until its `tlast`; status routed by `status_tag`; the granted
//! descriptor goes through a register slice, `write_desc_slice`, so the write engine's
//! burst splitter and the engines' offers are not one combinational path). On the
//! operation and write ports the RX engine's side is itself shared the same way with the
//! RDMA completer, whose tags have bits 6:5 set (the RX engine's never do).
use crate::axi_write_mux::AxiWriteMux;
use crate::axil_slice::AxilSlice;
use crate::axil_split::{RdmaSplit, RssSplit, TablesSplit};
use crate::bus::{Axi4Master, Axi4Slave, Axi4WriteMaster, AxilMaster, AxilSlave, AxisSink, AxisSource};
use crate::dma::read::DmaRead;
use crate::dma::write::DmaWrite;
use crate::frame_arbiter::FrameArbiter;
use crate::frame_fifo::FrameFifo;
use crate::llq::LlqMemory;
use crate::queue::manager::QueueManager;
use crate::rdma::completer::RdmaCompleter;
use crate::rdma::receive::RdmaReceive;
use crate::rdma::registers::RdmaRegisters;
use crate::rss::RssTable;
use crate::rx::RxEngine;
use crate::short_queue::ShortQueue;
use crate::stream_slice::{StreamSlice, StreamSlice64};
use crate::tx::TxEngine;
use crate::windows::DmaWindows;
use rust_hdl::prelude::*;

// Answers on the receive side are told apart by tag bits 6:5: set in all of the
// completer's tags, never both in the RX engine's.
const _: () = {
    use crate::rdma::completer as c;
    use crate::rx;
    assert!(c::TAG_POST & c::TAG_NOTIFY & c::TAG_WRITE & 0x60 == 0x60);
    assert!(rx::TAG_DESCRIPTOR & 0x60 != 0x60 && rx::TAG_DATA & 0x60 != 0x60);
    assert!(rx::TAG_COMPLETION & 0x60 != 0x60 && rx::TAG_NOTIFY & 0x60 != 0x60);
};

#[derive(LogicBlock, Default)]
pub struct Nic {
    pub clk: Signal<In, Clock>,
    pub rst: Signal<In, Bit>,
    /// BAR0: ring registers and doorbells.
    pub s_axil: AxilSlave<16>,
    /// BAR2: LLQ entries.
    pub s_axi_llq: Axi4Slave<32, 64, 8, 4>,
    /// Host memory.
    pub m_axi: Axi4Master<64, 64, 8, 4>,
    /// Frames to the MAC: the TX engine's, and the RDMA path's acknowledgements between them.
    pub m_axis_tx: AxisSource<64, 8, 1>,
    /// Frames from the MAC; `tuser` = 1 on any beat marks a frame bad.
    pub s_axis_rx: AxisSink<64, 8, 1>,
    pub msix_valid: Signal<Out, Bit>,
    pub msix_ready: Signal<In, Bit>,
    pub msix_vector: Signal<Out, Bits<8>>,
    pub msix_function: Signal<Out, Bits<8>>,
    pub tx_packets: Signal<Out, Bits<32>>,
    pub tx_errors: Signal<Out, Bits<32>>,
    /// TX DMAs refused for lying outside their function's window.
    pub tx_window_errors: Signal<Out, Bits<32>>,
    /// Refused BAR2 bursts.
    pub llq_errors: Signal<Out, Bits<32>>,
    /// A BAR2 write is in progress: a bridge holds BAR0 writes meanwhile, so a doorbell
    /// never overtakes its entry.
    pub llq_busy: Signal<Out, Bit>,
    /// RX counters (see the RX engine).
    pub rx_packets: Signal<Out, Bits<32>>,
    pub rx_drops: Signal<Out, Bits<32>>,
    pub rx_truncated: Signal<Out, Bits<32>>,
    pub rx_errors: Signal<Out, Bits<32>>,
    pub rx_ring_errors: Signal<Out, Bits<32>>,
    /// RX DMAs refused for lying outside their function's window.
    pub rx_window_errors: Signal<Out, Bits<32>>,
    /// RoCEv2 frames received, and those dropped for a bad ICRC or as cut short (the RDMA
    /// receive path drops them before the RX engine).
    pub roce_frames: Signal<Out, Bits<32>>,
    pub roce_icrc_errors: Signal<Out, Bits<32>>,
    pub roce_truncated: Signal<Out, Bits<32>>,
    /// RDMA counters (see `rdma::receive`).
    pub rdma_placed_packets: Signal<Out, Bits<32>>,
    pub rdma_dropped_duplicates: Signal<Out, Bits<32>>,
    pub rdma_software_packets: Signal<Out, Bits<32>>,
    pub rdma_entries: Signal<Out, Bits<13>>,
    pub rdma_mac_errors: Signal<Out, Bits<32>>,
    pub rdma_write_errors: Signal<Out, Bits<32>>,
    /// RDMA placements refused for lying outside their function's window (also in
    /// `rdma_write_errors`, with a failure record each).
    pub rdma_window_errors: Signal<Out, Bits<32>>,
    /// RDMA completions and failure records that could not be written into their
    /// completion ring (see `rdma::completer`).
    pub rdma_cq_lost: Signal<Out, Bits<32>>,
    /// RDMA acknowledgements sent, and dropped while sixteen waited for `m_axis_tx`.
    pub rdma_acks_sent: Signal<Out, Bits<32>>,
    pub rdma_ack_drops: Signal<Out, Bits<32>>,
    queues: QueueManager,
    llq: LlqMemory,
    dma_read: DmaRead,
    dma_write: DmaWrite,
    /// The engines' write data into the DMA write engine. Its `tready` is a register, so an
    /// engine's data handshake does not hang on `m_axi_wready` through the write engine and
    /// the multiplexer: Verilator 5.006 mis-orders that chain of blocks (docs/testbench.md).
    write_slice: StreamSlice64,
    /// Granted write descriptor: {length 79:64, address 63:0}, tag in `tuser`.
    write_desc_slice: StreamSlice<80, 10, 8>,
    tx: TxEngine,
    tx_fifo: FrameFifo,
    /// `m_axis_tx`: whole frames from the TX frame FIFO (`s0_`) and the RDMA path's
    /// acknowledgements (`s1_`), round robin.
    tx_arbiter: FrameArbiter,
    /// In front of the RX engine: places RDMA WRITE payload, drops bad RoCEv2, passes the rest.
    rdma: RdmaReceive,
    rx: RxEngine,
    /// The RDMA path's completions and failure records into host completion rings. It
    /// shares the RX engine's turn on the queue manager's operation port and on the DMA
    /// write engine (`*_grant_completer` choose between the two).
    completer: RdmaCompleter,
    /// The DMA write engine (`s0_`) and the RDMA path (`s1_`) onto `m_axi_`'s write channels.
    write_mux: AxiWriteMux,
    /// BAR0: the RDMA registers (`m1_`, 0x800-0xFFF), and the rest (`m0_`) to
    /// `tables_split`: the tables (`m1_`, 0x3000-0x3FFF) through `tables_slice` to
    /// `rss_split`, the rest (`m0_`) to the queue manager; `rss_split`: the RSS indirection
    /// table (`m1_`, 0x3800-0x3FFF) and the DMA windows (`m0_`).
    bar0_split: RdmaSplit,
    tables_split: TablesSplit,
    /// Between the two splits: a third block in a row that passes valid and ready through
    /// would close a loop Verilator cannot order (see `axil_slice`).
    tables_slice: AxilSlice,
    rss_split: RssSplit,
    /// The RX engine's steering: queue of each hash mod 128, written by the host.
    rss: RssTable,
    /// Each function's DMA window, looked up by the TX and RX engines and the RDMA path.
    windows: DmaWindows,
    rdma_regs: RdmaRegisters,
    /// The engines' operations into the queue manager: {tag 15:8, ring 7:0}, op code in
    /// `tuser`. The queue manager's capture and hazard check start from its registers, not
    /// from an engine's state through the grant (the NIC's critical path without it).
    op_slice: StreamSlice<16, 2, 2>,
    // Arbitration between the engines: which engine's request each shared port shows (a
    // register, so no engine's ready depends on the other's valid), and the write data owner.
    op_grant_rx: DFF<Bit>,
    read_grant_rx: DFF<Bit>,
    write_grant_rx: DFF<Bit>,
    /// On the receive side of the operation and write ports: which of the RX engine and the
    /// completer is shown (round robin, as between the engines).
    op_grant_completer: DFF<Bit>,
    write_grant_completer: DFF<Bit>,
    /// The owners of the write descriptors accepted whose data has not ended, in order
    /// ({completer, RX side}): up to four, so a requester can have its next write's bursts
    /// under way while its data, or another's, still streams. The head owns the data stream.
    write_owners: ShortQueue<2>,
    /// The head is there (a data stream is open); it is the receive side's, the completer's.
    write_busy: Signal<Local, Bit>,
    write_owner_rx: Signal<Local, Bit>,
    write_owner_completer: Signal<Local, Bit>,
    // The receive side's request on each port, as the engines' arbitration sees it.
    rx_side_op_valid: Signal<Local, Bit>,
    rx_side_op_ring: Signal<Local, Bits<8>>,
    rx_side_op_code: Signal<Local, Bits<2>>,
    rx_side_op_tag: Signal<Local, Bits<8>>,
    rx_side_op_ready: Signal<Local, Bit>,
    rx_side_wr_valid: Signal<Local, Bit>,
    rx_side_wr_addr: Signal<Local, Bits<64>>,
    rx_side_wr_len: Signal<Local, Bits<16>>,
    rx_side_wr_tag: Signal<Local, Bits<8>>,
    rx_side_wr_ready: Signal<Local, Bit>,
    /// An answer (operation result, write status) is the completer's: tag bits 6:5 set.
    completer_res: Signal<Local, Bit>,
    completer_status: Signal<Local, Bit>,
}

impl Logic for Nic {
    #[hdl_gen]
    fn update(&mut self) {
        self.queues.clk.next = self.clk.val();
        self.queues.rst.next = self.rst.val();
        self.llq.clk.next = self.clk.val();
        self.llq.rst.next = self.rst.val();
        self.dma_read.clk.next = self.clk.val();
        self.dma_read.rst.next = self.rst.val();
        self.dma_write.clk.next = self.clk.val();
        self.dma_write.rst.next = self.rst.val();
        self.write_slice.clk.next = self.clk.val();
        self.write_slice.rst.next = self.rst.val();
        AxisSource::<64, 8, 1>::join(&mut self.write_slice.m_axis, &mut self.dma_write.s_axis_data);
        self.tx.clk.next = self.clk.val();
        self.tx.rst.next = self.rst.val();
        self.bar0_split.clk.next = self.clk.val();
        self.bar0_split.rst.next = self.rst.val();
        self.rdma_regs.clk.next = self.clk.val();
        self.rdma_regs.rst.next = self.rst.val();
        AxilSlave::<16>::link(&mut self.s_axil, &mut self.bar0_split.s_axil);
        self.tables_split.clk.next = self.clk.val();
        self.tables_split.rst.next = self.rst.val();
        self.windows.clk.next = self.clk.val();
        self.windows.rst.next = self.rst.val();
        AxilMaster::<16>::join(&mut self.bar0_split.m0_axil, &mut self.tables_split.s_axil);
        self.rss_split.clk.next = self.clk.val();
        self.rss_split.rst.next = self.rst.val();
        self.rss.clk.next = self.clk.val();
        self.rss.rst.next = self.rst.val();
        AxilMaster::<16>::join(&mut self.tables_split.m0_axil, &mut self.queues.s_axil);
        self.tables_slice.clk.next = self.clk.val();
        self.tables_slice.rst.next = self.rst.val();
        AxilMaster::<16>::join(&mut self.tables_split.m1_axil, &mut self.tables_slice.s_axil);
        AxilMaster::<16>::join(&mut self.tables_slice.m_axil, &mut self.rss_split.s_axil);
        AxilMaster::<16>::join(&mut self.rss_split.m0_axil, &mut self.windows.s_axil);
        AxilMaster::<16>::join(&mut self.rss_split.m1_axil, &mut self.rss.s_axil);
        AxilMaster::<16>::join(&mut self.bar0_split.m1_axil, &mut self.rdma_regs.s_axil);
        Axi4Slave::<32, 64, 8, 4>::link(&mut self.s_axi_llq, &mut self.llq.s_axi_llq);
        // Frames leave whole: store and forward between the engine and the MAC.
        self.tx_fifo.clk.next = self.clk.val();
        self.tx_fifo.rst.next = self.rst.val();
        AxisSource::<64, 8, 1>::join(&mut self.tx.m_axis_tx, &mut self.tx_fifo.s_axis);
        self.tx_arbiter.clk.next = self.clk.val();
        self.tx_arbiter.rst.next = self.rst.val();
        AxisSource::<64, 8, 1>::join(&mut self.tx_fifo.m_axis, &mut self.tx_arbiter.s0_axis);
        AxisSource::<64, 8, 1>::join(&mut self.rdma.m_axis_ack, &mut self.tx_arbiter.s1_axis);
        AxisSource::<64, 8, 1>::link(&mut self.m_axis_tx, &mut self.tx_arbiter.m_axis);

        // Host memory: the read engine owns the read channels, the write engine the write ones.
        self.m_axi.arid.next = self.dma_read.m_axi.arid.val();
        self.m_axi.araddr.next = self.dma_read.m_axi.araddr.val();
        self.m_axi.arlen.next = self.dma_read.m_axi.arlen.val();
        self.m_axi.arsize.next = self.dma_read.m_axi.arsize.val();
        self.m_axi.arburst.next = self.dma_read.m_axi.arburst.val();
        self.m_axi.arlock.next = self.dma_read.m_axi.arlock.val();
        self.m_axi.arcache.next = self.dma_read.m_axi.arcache.val();
        self.m_axi.arprot.next = self.dma_read.m_axi.arprot.val();
        self.m_axi.arvalid.next = self.dma_read.m_axi.arvalid.val();
        self.m_axi.rready.next = self.dma_read.m_axi.rready.val();
        self.dma_read.m_axi.arready.next = self.m_axi.arready.val();
        self.dma_read.m_axi.rid.next = self.m_axi.rid.val();
        self.dma_read.m_axi.rdata.next = self.m_axi.rdata.val();
        self.dma_read.m_axi.rresp.next = self.m_axi.rresp.val();
        self.dma_read.m_axi.rlast.next = self.m_axi.rlast.val();
        self.dma_read.m_axi.rvalid.next = self.m_axi.rvalid.val();
        Axi4WriteMaster::<64, 64, 8, 4>::join(&mut self.dma_write.m_axi, &mut self.write_mux.s0_axi);
        Axi4WriteMaster::<64, 64, 8, 4>::join(&mut self.rdma.m_axi, &mut self.write_mux.s1_axi);
        self.write_mux.clk.next = self.clk.val();
        self.write_mux.rst.next = self.rst.val();
        self.m_axi.awid.next = self.write_mux.m_axi.awid.val();
        self.m_axi.awaddr.next = self.write_mux.m_axi.awaddr.val();
        self.m_axi.awlen.next = self.write_mux.m_axi.awlen.val();
        self.m_axi.awsize.next = self.write_mux.m_axi.awsize.val();
        self.m_axi.awburst.next = self.write_mux.m_axi.awburst.val();
        self.m_axi.awlock.next = self.write_mux.m_axi.awlock.val();
        self.m_axi.awcache.next = self.write_mux.m_axi.awcache.val();
        self.m_axi.awprot.next = self.write_mux.m_axi.awprot.val();
        self.m_axi.awvalid.next = self.write_mux.m_axi.awvalid.val();
        self.m_axi.wdata.next = self.write_mux.m_axi.wdata.val();
        self.m_axi.wstrb.next = self.write_mux.m_axi.wstrb.val();
        self.m_axi.wlast.next = self.write_mux.m_axi.wlast.val();
        self.m_axi.wvalid.next = self.write_mux.m_axi.wvalid.val();
        self.m_axi.bready.next = self.write_mux.m_axi.bready.val();
        self.write_mux.m_axi.awready.next = self.m_axi.awready.val();
        self.write_mux.m_axi.wready.next = self.m_axi.wready.val();
        self.write_mux.m_axi.bid.next = self.m_axi.bid.val();
        self.write_mux.m_axi.bresp.next = self.m_axi.bresp.val();
        self.write_mux.m_axi.bvalid.next = self.m_axi.bvalid.val();

        self.rx.clk.next = self.clk.val();
        self.rx.rst.next = self.rst.val();
        self.rdma.clk.next = self.clk.val();
        self.rdma.rst.next = self.rst.val();
        AxisSink::<64, 8, 1>::link(&mut self.s_axis_rx, &mut self.rdma.s_axis_rx);
        AxisSource::<64, 8, 4>::join(&mut self.rdma.m_axis_pass, &mut self.rx.s_axis_rx);
        // Host commands from the BAR0 registers; the counters readable there.
        self.rdma.cmd_valid.next = self.rdma_regs.cmd_valid.val();
        self.rdma_regs.cmd_ready.next = self.rdma.cmd_ready.val();
        self.rdma.cmd_op.next = self.rdma_regs.cmd_op.val();
        self.rdma.cmd_qp.next = self.rdma_regs.cmd_qp.val();
        self.rdma.cmd_first_psn.next = self.rdma_regs.cmd_first_psn.val();
        self.rdma.cmd_packets.next = self.rdma_regs.cmd_packets.val();
        self.rdma.cmd_va.next = self.rdma_regs.cmd_va.val();
        self.rdma.cmd_length.next = self.rdma_regs.cmd_length.val();
        self.rdma.cmd_rkey.next = self.rdma_regs.cmd_rkey.val();
        self.rdma.cmd_path_mtu.next = self.rdma_regs.cmd_path_mtu.val();
        self.rdma.cmd_cq.next = self.rdma_regs.cmd_cq.val();
        self.rdma.cmd_function.next = self.rdma_regs.cmd_function.val();
        self.rdma_regs.done_valid.next = self.rdma.done_valid.val();
        self.rdma_regs.done_status.next = self.rdma.done_status.val();
        self.rdma_regs.done_entry.next = self.rdma.done_entry.val();
        self.rdma_regs.roce_frames.next = self.rdma.roce_frames.val();
        self.rdma_regs.icrc_errors.next = self.rdma.icrc_errors.val();
        self.rdma_regs.truncated_frames.next = self.rdma.truncated_frames.val();
        self.rdma_regs.placed_packets.next = self.rdma.placed_packets.val();
        self.rdma_regs.dropped_duplicates.next = self.rdma.dropped_duplicates.val();
        self.rdma_regs.software_packets.next = self.rdma.software_packets.val();
        self.rdma_regs.mac_errors.next = self.rdma.mac_errors.val();
        self.rdma_regs.write_errors.next = self.rdma.write_errors.val();
        self.rdma_regs.entries.next = self.rdma.entries.val();
        self.rdma_regs.window_errors.next = self.rdma.window_errors.val();
        // The RDMA path's completions and failure records -> the completer.
        self.completer.clk.next = self.clk.val();
        self.completer.rst.next = self.rst.val();
        self.completer.cpl_valid.next = self.rdma.cpl_valid.val();
        self.rdma.cpl_ready.next = self.completer.cpl_ready.val();
        self.completer.cpl_cq.next = self.rdma.cpl_cq.val();
        self.completer.cpl_qp.next = self.rdma.cpl_qp.val();
        self.completer.cpl_length.next = self.rdma.cpl_length.val();
        self.completer.cpl_has_imm.next = self.rdma.cpl_has_imm.val();
        self.completer.cpl_imm.next = self.rdma.cpl_imm.val();
        self.completer.fail_valid.next = self.rdma.fail_valid.val();
        self.rdma.fail_ready.next = self.completer.fail_ready.val();
        self.completer.fail_cq.next = self.rdma.fail_cq.val();
        self.completer.fail_qp.next = self.rdma.fail_qp.val();
        self.completer.fail_psn.next = self.rdma.fail_psn.val();
        self.windows.cq_function.next = self.completer.window_function.val();
        self.completer.window_base.next = self.windows.cq_base.val();
        self.completer.window_limit.next = self.windows.cq_limit.val();
        self.rdma_cq_lost.next = self.completer.lost.val();
        self.rdma_acks_sent.next = self.rdma.acks_sent.val();
        self.rdma_ack_drops.next = self.rdma.ack_drops.val();
        self.rdma_regs.acks_sent.next = self.rdma.acks_sent.val();
        self.rdma_regs.ack_drops.next = self.rdma.ack_drops.val();
        self.rdma_regs.cq_lost.next = self.completer.lost.val();
        self.roce_frames.next = self.rdma.roce_frames.val();
        self.roce_icrc_errors.next = self.rdma.icrc_errors.val();
        self.roce_truncated.next = self.rdma.truncated_frames.val();
        self.rdma_placed_packets.next = self.rdma.placed_packets.val();
        self.rdma_dropped_duplicates.next = self.rdma.dropped_duplicates.val();
        self.rdma_software_packets.next = self.rdma.software_packets.val();
        self.rdma_entries.next = self.rdma.entries.val();
        self.rdma_mac_errors.next = self.rdma.mac_errors.val();
        self.rdma_write_errors.next = self.rdma.write_errors.val();
        dff_setup!(self, clk, op_grant_rx, read_grant_rx, write_grant_rx, op_grant_completer, write_grant_completer);

        // The receive side of the operation port: the RX engine or the completer.
        self.rx_side_op_ready.next = self.op_slice.s_axis.tready.val() & self.op_grant_rx.q.val();
        self.rx_side_op_valid.next = (self.rx.op_valid.val() & !self.op_grant_completer.q.val())
            | (self.completer.op_valid.val() & self.op_grant_completer.q.val());
        self.rx_side_op_ring.next = self.rx.op_ring.val();
        self.rx_side_op_code.next = self.rx.op_code.val();
        self.rx_side_op_tag.next = self.rx.op_tag.val();
        self.rx.op_ready.next = self.rx_side_op_ready.val() & !self.op_grant_completer.q.val();
        self.completer.op_ready.next = self.rx_side_op_ready.val() & self.op_grant_completer.q.val();
        if self.op_grant_completer.q.val() {
            self.rx_side_op_ring.next = self.completer.op_ring.val();
            self.rx_side_op_code.next = self.completer.op_code.val();
            self.rx_side_op_tag.next = self.completer.op_tag.val();
            if self.rx.op_valid.val() & (!self.completer.op_valid.val() | self.rx_side_op_ready.val()) {
                self.op_grant_completer.d.next = false;
            }
        } else if self.completer.op_valid.val() & (!self.rx.op_valid.val() | self.rx_side_op_ready.val()) {
            self.op_grant_completer.d.next = true;
        }

        // Engines <-> queue manager: one operation per cycle, through the operation slice.
        self.op_slice.clk.next = self.clk.val();
        self.op_slice.rst.next = self.rst.val();
        self.op_slice.s_axis.tvalid.next = (self.tx.op_valid.val() & !self.op_grant_rx.q.val())
            | (self.rx_side_op_valid.val() & self.op_grant_rx.q.val());
        self.op_slice.s_axis.tkeep.next = 3.into();
        self.op_slice.s_axis.tlast.next = true;
        self.tx.op_ready.next = self.op_slice.s_axis.tready.val() & !self.op_grant_rx.q.val();
        if self.op_grant_rx.q.val() {
            self.op_slice.s_axis.tdata.next = bit_cast::<16, 8>(self.rx_side_op_ring.val())
                | (bit_cast::<16, 8>(self.rx_side_op_tag.val() | 0x80) << 8);
            self.op_slice.s_axis.tuser.next = self.rx_side_op_code.val();
            if self.tx.op_valid.val() & (!self.rx_side_op_valid.val() | self.op_slice.s_axis.tready.val()) {
                self.op_grant_rx.d.next = false;
            }
        } else {
            self.op_slice.s_axis.tdata.next =
                bit_cast::<16, 8>(self.tx.op_ring.val()) | (bit_cast::<16, 8>(self.tx.op_tag.val() & 0x7F) << 8);
            self.op_slice.s_axis.tuser.next = self.tx.op_code.val();
            if self.rx_side_op_valid.val() & (!self.tx.op_valid.val() | self.op_slice.s_axis.tready.val()) {
                self.op_grant_rx.d.next = true;
            }
        }
        self.queues.op_valid.next = self.op_slice.m_axis.tvalid.val();
        self.queues.op_ring.next = self.op_slice.m_axis.tdata.val().get_bits::<8>(0);
        self.queues.op_tag.next = self.op_slice.m_axis.tdata.val().get_bits::<8>(8);
        self.queues.op_code.next = self.op_slice.m_axis.tuser.val();
        self.op_slice.m_axis.tready.next = self.queues.op_ready.val();
        self.tx.res_valid.next = self.queues.res_valid.val() & !self.queues.res_tag.val().get_bit(7);
        // Receive-side answers: the completer's have tag bits 6:5 set (the RX engine's never do).
        self.completer_res.next = self.queues.res_tag.val().get_bit(6) & self.queues.res_tag.val().get_bit(5);
        self.rx.res_valid.next =
            self.queues.res_valid.val() & self.queues.res_tag.val().get_bit(7) & !self.completer_res.val();
        self.completer.res_valid.next =
            self.queues.res_valid.val() & self.queues.res_tag.val().get_bit(7) & self.completer_res.val();
        self.completer.res_status.next = self.queues.res_status.val();
        self.completer.res_addr.next = self.queues.res_addr.val();
        self.completer.res_phase.next = self.queues.res_phase.val();
        self.completer.res_entry_log.next = self.queues.res_entry_log.val();
        self.completer.res_function.next = self.queues.res_function.val();
        self.tx.res_tag.next = self.queues.res_tag.val();
        self.tx.res_status.next = self.queues.res_status.val();
        self.tx.res_addr.next = self.queues.res_addr.val();
        self.tx.res_index.next = self.queues.res_index.val();
        self.tx.res_phase.next = self.queues.res_phase.val();
        self.tx.res_entry_log.next = self.queues.res_entry_log.val();
        self.tx.res_function.next = self.queues.res_function.val();
        self.windows.tx_function.next = self.tx.window_function.val();
        self.tx.window_base.next = self.windows.tx_base.val();
        self.tx.window_limit.next = self.windows.tx_limit.val();
        self.windows.txcq_function.next = self.tx.completion_window_function.val();
        self.tx.completion_window_base.next = self.windows.txcq_base.val();
        self.tx.completion_window_limit.next = self.windows.txcq_limit.val();
        self.windows.rxcq_function.next = self.rx.completion_window_function.val();
        self.rx.completion_window_base.next = self.windows.rxcq_base.val();
        self.rx.completion_window_limit.next = self.windows.rxcq_limit.val();
        self.rx.res_status.next = self.queues.res_status.val();
        self.rx.res_tag.next = self.queues.res_tag.val();
        self.rx.res_addr.next = self.queues.res_addr.val();
        self.rx.res_phase.next = self.queues.res_phase.val();
        self.rx.res_function.next = self.queues.res_function.val();
        self.rx.doorbell_valid.next = self.queues.doorbell_valid.val();
        self.rx.doorbell_ring.next = self.queues.doorbell_ring.val();
        self.rx.ring_reset_valid.next = self.queues.ring_reset_valid.val();
        self.windows.rx_function.next = self.rx.window_function.val();
        self.rx.window_base.next = self.windows.rx_base.val();
        self.rx.window_limit.next = self.windows.rx_limit.val();
        self.rss.lookup_index.next = self.rx.rss_index.val();
        self.rx.rss_queue.next = self.rss.lookup_queue.val();
        self.windows.rdma_function.next = self.rdma.window_function.val();
        self.rdma.window_base.next = self.windows.rdma_base.val();
        self.rdma.window_limit.next = self.windows.rdma_limit.val();
        self.rdma_window_errors.next = self.rdma.window_errors.val();
        self.tx.doorbell_valid.next = self.queues.doorbell_valid.val();
        self.tx.doorbell_ring.next = self.queues.doorbell_ring.val();
        self.msix_valid.next = self.queues.msix_valid.val();
        self.queues.msix_ready.next = self.msix_ready.val();
        self.msix_vector.next = self.queues.msix_vector.val();
        self.msix_function.next = self.queues.msix_function.val();

        // TX engine <-> LLQ memory.
        self.llq.entry_read_word.next = self.tx.llq_read_word.val();
        self.tx.llq_read_data.next = self.llq.entry_read_data.val();
        self.llq_errors.next = self.llq.errors.val();
        self.llq_busy.next = self.llq.busy.val();

        // Engines <-> DMA read engine: requests round robin; the data comes back in request
        // order, each beat to the engine its tag names.
        self.dma_read.s_desc_valid.next = (self.tx.rd_desc_valid.val() & !self.read_grant_rx.q.val())
            | (self.rx.rd_desc_valid.val() & self.read_grant_rx.q.val());
        self.tx.rd_desc_ready.next = self.dma_read.s_desc_ready.val() & !self.read_grant_rx.q.val();
        self.rx.rd_desc_ready.next = self.dma_read.s_desc_ready.val() & self.read_grant_rx.q.val();
        if self.read_grant_rx.q.val() {
            self.dma_read.s_desc_addr.next = self.rx.rd_desc_addr.val();
            self.dma_read.s_desc_len.next = self.rx.rd_desc_len.val();
            self.dma_read.s_desc_tag.next = self.rx.rd_desc_tag.val() | 0x80;
            if self.tx.rd_desc_valid.val() & (!self.rx.rd_desc_valid.val() | self.dma_read.s_desc_ready.val()) {
                self.read_grant_rx.d.next = false;
            }
        } else {
            self.dma_read.s_desc_addr.next = self.tx.rd_desc_addr.val();
            self.dma_read.s_desc_len.next = self.tx.rd_desc_len.val();
            self.dma_read.s_desc_tag.next = self.tx.rd_desc_tag.val() & 0x7F;
            if self.rx.rd_desc_valid.val() & (!self.tx.rd_desc_valid.val() | self.dma_read.s_desc_ready.val()) {
                self.read_grant_rx.d.next = true;
            }
        }
        self.tx.rd_data_tdata.next = self.dma_read.m_axis_data.tdata.val();
        self.tx.rd_data_tkeep.next = self.dma_read.m_axis_data.tkeep.val();
        self.tx.rd_data_tlast.next = self.dma_read.m_axis_data.tlast.val();
        self.tx.rd_data_tuser.next = self.dma_read.m_axis_data.tuser.val();
        self.rx.rd_data_tdata.next = self.dma_read.m_axis_data.tdata.val();
        self.rx.rd_data_tlast.next = self.dma_read.m_axis_data.tlast.val();
        self.rx.rd_data_tuser.next = self.dma_read.m_axis_data.tuser.val();
        self.tx.rd_data_tvalid.next =
            self.dma_read.m_axis_data.tvalid.val() & !self.dma_read.m_axis_data.tuser.val().get_bit(7);
        self.rx.rd_data_tvalid.next =
            self.dma_read.m_axis_data.tvalid.val() & self.dma_read.m_axis_data.tuser.val().get_bit(7);
        self.dma_read.m_axis_data.tready.next = (self.rx.rd_data_tready.val()
            & self.dma_read.m_axis_data.tuser.val().get_bit(7))
            | (self.tx.rd_data_tready.val() & !self.dma_read.m_axis_data.tuser.val().get_bit(7));

        // Engines <-> DMA write engine: a descriptor is granted while the owner queue has
        // room; its owner is queued, and owns the data stream, up to its tlast, once the
        // owners before it are done. Status comes back in order, to the engine its tag names.
        self.write_owners.clk.next = self.clk.val();
        self.write_owners.rst.next = self.rst.val();
        self.write_owners.push.next = false;
        self.write_owners.push_data.next = (bit_cast::<2, 1>(self.write_grant_completer.q.val().into()) << 1)
            | bit_cast::<2, 1>(self.write_grant_rx.q.val().into());
        self.write_owners.pop.next = false;
        self.write_busy.next = self.write_owners.head_valid.val();
        self.write_owner_rx.next = self.write_owners.head.val().get_bit(0);
        self.write_owner_completer.next = self.write_owners.head.val().get_bit(1);
        // The receive side of the write port: the RX engine or the completer.
        self.rx_side_wr_ready.next =
            self.write_desc_slice.s_axis.tready.val() & self.write_owners.room.val() & self.write_grant_rx.q.val();
        self.rx_side_wr_valid.next = (self.rx.wr_desc_valid.val() & !self.write_grant_completer.q.val())
            | (self.completer.wr_desc_valid.val() & self.write_grant_completer.q.val());
        self.rx_side_wr_addr.next = self.rx.wr_desc_addr.val();
        self.rx_side_wr_len.next = self.rx.wr_desc_len.val();
        self.rx_side_wr_tag.next = self.rx.wr_desc_tag.val();
        self.rx.wr_desc_ready.next = self.rx_side_wr_ready.val() & !self.write_grant_completer.q.val();
        self.completer.wr_desc_ready.next = self.rx_side_wr_ready.val() & self.write_grant_completer.q.val();
        if self.write_grant_completer.q.val() {
            self.rx_side_wr_addr.next = self.completer.wr_desc_addr.val();
            self.rx_side_wr_len.next = self.completer.wr_desc_len.val();
            self.rx_side_wr_tag.next = self.completer.wr_desc_tag.val();
            if self.rx.wr_desc_valid.val() & (!self.completer.wr_desc_valid.val() | self.rx_side_wr_ready.val()) {
                self.write_grant_completer.d.next = false;
            }
        } else if self.completer.wr_desc_valid.val() & (!self.rx.wr_desc_valid.val() | self.rx_side_wr_ready.val()) {
            self.write_grant_completer.d.next = true;
        }

        self.write_desc_slice.clk.next = self.clk.val();
        self.write_desc_slice.rst.next = self.rst.val();
        self.write_desc_slice.s_axis.tvalid.next = self.write_owners.room.val()
            & ((self.tx.wr_desc_valid.val() & !self.write_grant_rx.q.val())
                | (self.rx_side_wr_valid.val() & self.write_grant_rx.q.val()));
        self.write_desc_slice.s_axis.tkeep.next = 0x3FF.into();
        self.write_desc_slice.s_axis.tlast.next = true;
        self.tx.wr_desc_ready.next =
            self.write_desc_slice.s_axis.tready.val() & self.write_owners.room.val() & !self.write_grant_rx.q.val();
        if self.write_grant_rx.q.val() {
            self.write_desc_slice.s_axis.tdata.next =
                bit_cast::<80, 64>(self.rx_side_wr_addr.val()) | (bit_cast::<80, 16>(self.rx_side_wr_len.val()) << 64);
            self.write_desc_slice.s_axis.tuser.next = self.rx_side_wr_tag.val() | 0x80;
            if self.tx.wr_desc_valid.val() & (!self.rx_side_wr_valid.val() | self.rx_side_wr_ready.val()) {
                self.write_grant_rx.d.next = false;
            }
        } else {
            self.write_desc_slice.s_axis.tdata.next =
                bit_cast::<80, 64>(self.tx.wr_desc_addr.val()) | (bit_cast::<80, 16>(self.tx.wr_desc_len.val()) << 64);
            self.write_desc_slice.s_axis.tuser.next = self.tx.wr_desc_tag.val() & 0x7F;
            // (TX's ready spelled out, not read back from its port: that closes a loop
            // through the TX engine for Verilator.)
            if self.rx_side_wr_valid.val()
                & (!self.tx.wr_desc_valid.val()
                    | (self.write_desc_slice.s_axis.tready.val() & self.write_owners.room.val()))
            {
                self.write_grant_rx.d.next = true;
            }
        }
        if self.write_desc_slice.s_axis.tvalid.val() & self.write_desc_slice.s_axis.tready.val() {
            self.write_owners.push.next = true;
        }
        // The data stream may reach the write engine's data slice before its descriptor
        // leaves this slice: the engine takes data only for a descriptor it holds.
        self.dma_write.s_desc_valid.next = self.write_desc_slice.m_axis.tvalid.val();
        self.dma_write.s_desc_addr.next = self.write_desc_slice.m_axis.tdata.val().get_bits::<64>(0);
        self.dma_write.s_desc_len.next = self.write_desc_slice.m_axis.tdata.val().get_bits::<16>(64);
        self.dma_write.s_desc_tag.next = self.write_desc_slice.m_axis.tuser.val();
        self.write_desc_slice.m_axis.tready.next = self.dma_write.s_desc_ready.val();
        self.tx.wr_data_tready.next =
            self.write_slice.s_axis.tready.val() & self.write_busy.val() & !self.write_owner_rx.val();
        self.rx.wr_data_tready.next = self.write_slice.s_axis.tready.val()
            & self.write_busy.val()
            & self.write_owner_rx.val()
            & !self.write_owner_completer.val();
        self.completer.wr_data_tready.next = self.write_slice.s_axis.tready.val()
            & self.write_busy.val()
            & self.write_owner_rx.val()
            & self.write_owner_completer.val();
        self.write_slice.s_axis.tvalid.next = self.write_busy.val()
            & ((self.tx.wr_data_tvalid.val() & !self.write_owner_rx.val())
                | (self.rx.wr_data_tvalid.val() & self.write_owner_rx.val() & !self.write_owner_completer.val())
                | (self.completer.wr_data_tvalid.val() & self.write_owner_rx.val() & self.write_owner_completer.val()));
        if self.write_owner_rx.val() & self.write_owner_completer.val() {
            // A completer entry: two whole beats.
            self.write_slice.s_axis.tdata.next = self.completer.wr_data_tdata.val();
            self.write_slice.s_axis.tkeep.next = 0xFF.into();
            self.write_slice.s_axis.tlast.next = self.completer.wr_data_tlast.val();
            self.write_slice.s_axis.tuser.next = 0.into();
        } else if self.write_owner_rx.val() {
            self.write_slice.s_axis.tdata.next = self.rx.wr_data_tdata.val();
            self.write_slice.s_axis.tkeep.next = self.rx.wr_data_tkeep.val();
            self.write_slice.s_axis.tlast.next = self.rx.wr_data_tlast.val();
            self.write_slice.s_axis.tuser.next = self.rx.wr_data_tuser.val();
        } else {
            self.write_slice.s_axis.tdata.next = self.tx.wr_data_tdata.val();
            self.write_slice.s_axis.tkeep.next = self.tx.wr_data_tkeep.val();
            self.write_slice.s_axis.tlast.next = self.tx.wr_data_tlast.val();
            self.write_slice.s_axis.tuser.next = self.tx.wr_data_tuser.val();
        }
        if self.write_slice.s_axis.tvalid.val()
            & self.write_slice.s_axis.tready.val()
            & self.write_slice.s_axis.tlast.val()
        {
            self.write_owners.pop.next = true;
        }
        self.tx.wr_status_valid.next = self.dma_write.status_valid.val() & !self.dma_write.status_tag.val().get_bit(7);
        self.completer_status.next =
            self.dma_write.status_tag.val().get_bit(6) & self.dma_write.status_tag.val().get_bit(5);
        self.rx.wr_status_valid.next = self.dma_write.status_valid.val()
            & self.dma_write.status_tag.val().get_bit(7)
            & !self.completer_status.val();
        self.completer.wr_status_valid.next = self.dma_write.status_valid.val()
            & self.dma_write.status_tag.val().get_bit(7)
            & self.completer_status.val();
        self.completer.wr_status_error.next = self.dma_write.status_error.val();
        self.tx.wr_status_error.next = self.dma_write.status_error.val();
        self.rx.wr_status_error.next = self.dma_write.status_error.val();
        self.rx.wr_status_tag.next = self.dma_write.status_tag.val();
        self.rx_packets.next = self.rx.rx_packets.val();
        self.rx_drops.next = self.rx.rx_drops.val();
        self.rx_truncated.next = self.rx.rx_truncated.val();
        self.rx_errors.next = self.rx.rx_errors.val();
        self.rx_ring_errors.next = self.rx.rx_ring_errors.val();
        self.rx_window_errors.next = self.rx.rx_window_errors.val();
        self.tx_packets.next = self.tx.tx_packets.val();
        self.tx_errors.next = self.tx.tx_errors.val();
        self.tx_window_errors.next = self.tx.tx_window_errors.val();
    }
}

crate::native_ports!(
    impl[] Nic;
    clk, rst, s_axil.awaddr, s_axil.awprot, s_axil.awvalid, s_axil.awready, s_axil.wdata, s_axil.wstrb, s_axil.wvalid, s_axil.wready, s_axil.bresp, s_axil.bvalid, s_axil.bready, s_axil.araddr, s_axil.arprot, s_axil.arvalid, s_axil.arready, s_axil.rdata, s_axil.rresp, s_axil.rvalid, s_axil.rready, s_axi_llq.awid, s_axi_llq.awaddr, s_axi_llq.awlen, s_axi_llq.awsize, s_axi_llq.awburst, s_axi_llq.awlock, s_axi_llq.awcache, s_axi_llq.awprot, s_axi_llq.awvalid, s_axi_llq.awready, s_axi_llq.wdata, s_axi_llq.wstrb, s_axi_llq.wlast, s_axi_llq.wvalid, s_axi_llq.wready, s_axi_llq.bid, s_axi_llq.bresp, s_axi_llq.bvalid, s_axi_llq.bready, s_axi_llq.arid, s_axi_llq.araddr, s_axi_llq.arlen, s_axi_llq.arsize, s_axi_llq.arburst, s_axi_llq.arlock, s_axi_llq.arcache, s_axi_llq.arprot, s_axi_llq.arvalid, s_axi_llq.arready, s_axi_llq.rid, s_axi_llq.rdata, s_axi_llq.rresp, s_axi_llq.rlast, s_axi_llq.rvalid, s_axi_llq.rready, m_axi.awid, m_axi.awaddr, m_axi.awlen, m_axi.awsize, m_axi.awburst, m_axi.awlock, m_axi.awcache, m_axi.awprot, m_axi.awvalid, m_axi.awready, m_axi.wdata, m_axi.wstrb, m_axi.wlast, m_axi.wvalid, m_axi.wready, m_axi.bid, m_axi.bresp, m_axi.bvalid, m_axi.bready, m_axi.arid, m_axi.araddr, m_axi.arlen, m_axi.arsize, m_axi.arburst, m_axi.arlock, m_axi.arcache, m_axi.arprot, m_axi.arvalid, m_axi.arready, m_axi.rid, m_axi.rdata, m_axi.rresp, m_axi.rlast, m_axi.rvalid, m_axi.rready, m_axis_tx.tdata, m_axis_tx.tkeep, m_axis_tx.tvalid, m_axis_tx.tready, m_axis_tx.tlast, m_axis_tx.tuser, s_axis_rx.tdata, s_axis_rx.tkeep, s_axis_rx.tvalid, s_axis_rx.tready, s_axis_rx.tlast, s_axis_rx.tuser, msix_valid, msix_ready, msix_vector, msix_function, tx_packets, tx_errors, tx_window_errors, llq_errors, llq_busy, rx_packets, rx_drops, rx_truncated, rx_errors, rx_ring_errors, rx_window_errors, roce_frames, roce_icrc_errors, roce_truncated,
    rdma_placed_packets, rdma_dropped_duplicates, rdma_software_packets, rdma_entries, rdma_mac_errors, rdma_write_errors, rdma_window_errors, rdma_cq_lost,
    rdma_acks_sent, rdma_ack_drops,
);
