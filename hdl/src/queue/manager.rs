//! The queue manager: the state of every ring (submission and completion queues) in RAM, as
//! Corundum keeps it, behind BAR0 registers (`s_axil_`) and an operation port for the engines.
//!
//! A ring is a submission ring (the host produces entries and rings the doorbell with its
//! tail; engines `take` entries) or a completion ring (engines `post` entries and `notify`
//! once an entry is written; the host consumes and writes its head). Indices are free-running
//! 16-bit counters; entry `i` is at `base + (i mod size) << entry_log`. The register layout
//! is `crate::regs::nic`; this block takes its offsets from there and checks its field
//! positions against it when built.
//!
//! Pipeline, one operation (a register access or an engine operation) per cycle:
//! * issue: arbitrate (alternating priority), read the ring's three state words;
//! * fetch: the RAM outputs arrive and are registered;
//! * execute: decide, write the state back, queue an interrupt;
//! * respond: compute the entry's address; the response is on `res_*` the cycle after.
//!
//! An operation on a ring that is in fetch or execute waits (no forwarding needed), so
//! operations on different rings flow one per cycle. After `rst` a sweep clears all 256
//! ring slots (256 cycles) before anything is accepted.
use crate::bus::AxilSlave;
use crate::regs::nic::*;
use crate::regs::Register;
use crate::stream_fifo::{FifoFault, StreamFifo};
use rust_hdl::prelude::*;

/// `op_code` values.
pub const OP_TAKE: u64 = 0;
pub const OP_POST: u64 = 1;
pub const OP_NOTIFY: u64 = 2;
/// `res_status` values. `STATUS_NONE`: take on an empty ring, post on a full one, notify
/// that sent no interrupt (not armed, or the interrupt queue was full).
pub const STATUS_OK: u64 = 0;
pub const STATUS_NONE: u64 = 1;
pub const STATUS_DISABLED: u64 = 2;
pub const STATUS_WRONG_KIND: u64 = 3;
/// Ring slots in RAM (the ring index is 8 bits); a build uses the first `rings`.
pub const MAX_RINGS: usize = 256;
/// Cycles from an accepted operation to its response on `res_*`.
pub const OP_LATENCY: u64 = 4;

/// Pending interrupts {function, vector}: one per ring at most while armed.
type IrqFifo = StreamFifo<16, 2, 1, 8, 9>;

#[derive(LogicBlock)]
pub struct QueueManager {
    pub clk: Signal<In, Clock>,
    pub rst: Signal<In, Bit>,
    /// BAR0 registers.
    pub s_axil: AxilSlave<16>,
    // Engine operations.
    pub op_valid: Signal<In, Bit>,
    pub op_ready: Signal<Out, Bit>,
    pub op_ring: Signal<In, Bits<8>>,
    pub op_code: Signal<In, Bits<2>>,
    pub op_tag: Signal<In, Bits<8>>,
    // Their responses, in order, `OP_LATENCY` cycles after acceptance (no backpressure).
    pub res_valid: Signal<Out, Bit>,
    pub res_tag: Signal<Out, Bits<8>>,
    pub res_ring: Signal<Out, Bits<8>>,
    pub res_status: Signal<Out, Bits<2>>,
    /// Host address of the entry taken or posted.
    pub res_addr: Signal<Out, Bits<64>>,
    /// The free-running index of that entry.
    pub res_index: Signal<Out, Bits<16>>,
    /// The phase bit that entry carries on this pass (1 on the first pass).
    pub res_phase: Signal<Out, Bit>,
    pub res_function: Signal<Out, Bits<8>>,
    // Interrupt requests.
    pub msix_valid: Signal<Out, Bit>,
    pub msix_ready: Signal<In, Bit>,
    pub msix_vector: Signal<Out, Bits<8>>,
    pub msix_function: Signal<Out, Bits<8>>,

    base_ram: RAM<Bits<64>, 8>,
    control_ram: RAM<Bits<32>, 8>,
    /// producer 15:0, consumer 31:16, armed 32.
    state_ram: RAM<Bits<33>, 8>,
    irq_fifo: IrqFifo,

    // Register-map constants (from `crate::regs::nic`).
    ring_count: Constant<Bits<16>>,
    /// Dword index of the first ring block.
    rings_base: Constant<Bits<14>>,
    id_value: Constant<Bits<32>>,
    version_value: Constant<Bits<32>>,
    reg_id: Constant<Bits<10>>,
    reg_version: Constant<Bits<10>>,
    reg_ring_count: Constant<Bits<10>>,
    reg_doorbell_errors: Constant<Bits<10>>,
    reg_op_errors: Constant<Bits<10>>,
    reg_irq_drops: Constant<Bits<10>>,
    reg_base_lo: Constant<Bits<10>>,
    reg_base_hi: Constant<Bits<10>>,
    reg_control: Constant<Bits<10>>,
    reg_host_index: Constant<Bits<10>>,
    reg_device_index: Constant<Bits<10>>,
    reg_arm: Constant<Bits<10>>,
    one: Constant<Bits<17>>,

    clear_active: DFF<Bit>,
    clear_ring: DFF<Bits<8>>,
    host_busy: DFF<Bit>,
    host_first: DFF<Bit>,
    doorbell_errors: DFF<Bits<32>>,
    op_errors: DFF<Bits<32>>,
    irq_drops: DFF<Bits<32>>,

    // Fetch stage.
    f_valid: DFF<Bit>,
    f_host: DFF<Bit>,
    f_write: DFF<Bit>,
    f_on_ring: DFF<Bit>,
    f_mapped: DFF<Bit>,
    f_ring: DFF<Bits<8>>,
    f_reg: DFF<Bits<10>>,
    f_data: DFF<Bits<32>>,
    f_strb: DFF<Bits<4>>,
    f_code: DFF<Bits<2>>,
    f_tag: DFF<Bits<8>>,
    // Execute stage.
    x_valid: DFF<Bit>,
    x_host: DFF<Bit>,
    x_write: DFF<Bit>,
    x_on_ring: DFF<Bit>,
    x_mapped: DFF<Bit>,
    x_ring: DFF<Bits<8>>,
    x_reg: DFF<Bits<10>>,
    x_data: DFF<Bits<32>>,
    x_strb: DFF<Bits<4>>,
    x_code: DFF<Bits<2>>,
    x_tag: DFF<Bits<8>>,
    x_base: DFF<Bits<64>>,
    x_control: DFF<Bits<32>>,
    x_state: DFF<Bits<33>>,
    // Respond stage.
    r_valid: DFF<Bit>,
    r_tag: DFF<Bits<8>>,
    r_ring: DFF<Bits<8>>,
    r_status: DFF<Bits<2>>,
    r_base: DFF<Bits<64>>,
    r_offset: DFF<Bits<32>>,
    r_index: DFF<Bits<16>>,
    r_phase: DFF<Bit>,
    r_function: DFF<Bits<8>>,
    // Outputs.
    out_valid: DFF<Bit>,
    out_tag: DFF<Bits<8>>,
    out_ring: DFF<Bits<8>>,
    out_status: DFF<Bits<2>>,
    out_addr: DFF<Bits<64>>,
    out_index: DFF<Bits<16>>,
    out_phase: DFF<Bit>,
    out_function: DFF<Bits<8>>,
    bvalid: DFF<Bit>,
    bresp: DFF<Bits<2>>,
    rvalid: DFF<Bit>,
    rdata: DFF<Bits<32>>,
    rresp: DFF<Bits<2>>,

    // Issue.
    host_write_req: Signal<Local, Bit>,
    host_req: Signal<Local, Bit>,
    host_dword: Signal<Local, Bits<14>>,
    ring_offset: Signal<Local, Bits<14>>,
    host_in_rings: Signal<Local, Bit>,
    host_ring: Signal<Local, Bits<8>>,
    host_ring_ok: Signal<Local, Bit>,
    host_reg: Signal<Local, Bits<10>>,
    host_mapped: Signal<Local, Bit>,
    host_blocked: Signal<Local, Bit>,
    dev_blocked: Signal<Local, Bit>,
    host_go: Signal<Local, Bit>,
    dev_go: Signal<Local, Bit>,
    // Execute.
    log_size: Signal<Local, Bits<4>>,
    entry_log: Signal<Local, Bits<3>>,
    enabled: Signal<Local, Bit>,
    completion: Signal<Local, Bit>,
    producer: Signal<Local, Bits<16>>,
    consumer: Signal<Local, Bits<16>>,
    armed: Signal<Local, Bit>,
    size: Signal<Local, Bits<17>>,
    fill: Signal<Local, Bits<16>>,
    host_index: Signal<Local, Bits<16>>,
    device_index: Signal<Local, Bits<16>>,
    lane0: Signal<Local, Bits<32>>,
    lane1: Signal<Local, Bits<32>>,
    lane2: Signal<Local, Bits<32>>,
    lane3: Signal<Local, Bits<32>>,
    lanes: Signal<Local, Bits<32>>,
    reg_value: Signal<Local, Bits<32>>,
    merged: Signal<Local, Bits<32>>,
    doorbell: Signal<Local, Bits<16>>,
    doorbell_ok: Signal<Local, Bit>,
    new_producer: Signal<Local, Bits<16>>,
    new_consumer: Signal<Local, Bits<16>>,
    new_armed: Signal<Local, Bit>,
    write_state: Signal<Local, Bit>,
    new_base_lo: Signal<Local, Bits<32>>,
    new_base_hi: Signal<Local, Bits<32>>,
    status: Signal<Local, Bits<2>>,
    entry_index: Signal<Local, Bits<16>>,
    irq_send: Signal<Local, Bit>,
}

fn index_of(register: &Register) -> Constant<Bits<10>> {
    Constant::new(register.index().to_bits())
}

/// The field positions this block's logic is written for, checked against the map.
fn check_map() {
    let expect = [
        (CONTROL_LOG_SIZE, 0, 4),
        (CONTROL_ENTRY_LOG, 4, 3),
        (CONTROL_ENABLE, 8, 1),
        (CONTROL_COMPLETION, 9, 1),
        (CONTROL_FUNCTION, 16, 8),
        (CONTROL_VECTOR, 24, 8),
    ];
    for (field, lsb, width) in expect {
        assert!(field.lsb == lsb && field.width == width, "queue manager logic does not match field {}", field.name);
    }
    assert!(RING_STRIDE == 0x20 && RINGS_BASE % 0x1000 == 0, "queue manager decodes 32-byte ring blocks");
}

impl QueueManager {
    /// A queue manager for `rings` rings (at most 256).
    pub fn new(rings: usize) -> Self {
        assert!((1..=MAX_RINGS).contains(&rings), "1 to {MAX_RINGS} rings, not {rings}");
        check_map();
        Self {
            clk: Default::default(),
            rst: Default::default(),
            s_axil: Default::default(),
            op_valid: Default::default(),
            op_ready: Default::default(),
            op_ring: Default::default(),
            op_code: Default::default(),
            op_tag: Default::default(),
            res_valid: Default::default(),
            res_tag: Default::default(),
            res_ring: Default::default(),
            res_status: Default::default(),
            res_addr: Default::default(),
            res_index: Default::default(),
            res_phase: Default::default(),
            res_function: Default::default(),
            msix_valid: Default::default(),
            msix_ready: Default::default(),
            msix_vector: Default::default(),
            msix_function: Default::default(),
            base_ram: Default::default(),
            control_ram: Default::default(),
            state_ram: Default::default(),
            irq_fifo: IrqFifo::new(FifoFault::None),
            ring_count: Constant::new((rings as u64).to_bits()),
            rings_base: Constant::new((RINGS_BASE as u64 / 4).to_bits()),
            id_value: Constant::new((ID_VALUE as u64).to_bits()),
            version_value: Constant::new((VERSION_VALUE as u64).to_bits()),
            reg_id: index_of(&ID),
            reg_version: index_of(&VERSION),
            reg_ring_count: index_of(&RING_COUNT),
            reg_doorbell_errors: index_of(&DOORBELL_ERRORS),
            reg_op_errors: index_of(&OP_ERRORS),
            reg_irq_drops: index_of(&IRQ_DROPS),
            reg_base_lo: index_of(&RING_BASE_LO),
            reg_base_hi: index_of(&RING_BASE_HI),
            reg_control: index_of(&RING_CONTROL),
            reg_host_index: index_of(&RING_HOST_INDEX),
            reg_device_index: index_of(&RING_DEVICE_INDEX),
            reg_arm: index_of(&RING_ARM),
            one: Constant::new(1.into()),
            clear_active: Default::default(),
            clear_ring: Default::default(),
            host_busy: Default::default(),
            host_first: Default::default(),
            doorbell_errors: Default::default(),
            op_errors: Default::default(),
            irq_drops: Default::default(),
            f_valid: Default::default(),
            f_host: Default::default(),
            f_write: Default::default(),
            f_on_ring: Default::default(),
            f_mapped: Default::default(),
            f_ring: Default::default(),
            f_reg: Default::default(),
            f_data: Default::default(),
            f_strb: Default::default(),
            f_code: Default::default(),
            f_tag: Default::default(),
            x_valid: Default::default(),
            x_host: Default::default(),
            x_write: Default::default(),
            x_on_ring: Default::default(),
            x_mapped: Default::default(),
            x_ring: Default::default(),
            x_reg: Default::default(),
            x_data: Default::default(),
            x_strb: Default::default(),
            x_code: Default::default(),
            x_tag: Default::default(),
            x_base: Default::default(),
            x_control: Default::default(),
            x_state: Default::default(),
            r_valid: Default::default(),
            r_tag: Default::default(),
            r_ring: Default::default(),
            r_status: Default::default(),
            r_base: Default::default(),
            r_offset: Default::default(),
            r_index: Default::default(),
            r_phase: Default::default(),
            r_function: Default::default(),
            out_valid: Default::default(),
            out_tag: Default::default(),
            out_ring: Default::default(),
            out_status: Default::default(),
            out_addr: Default::default(),
            out_index: Default::default(),
            out_phase: Default::default(),
            out_function: Default::default(),
            bvalid: Default::default(),
            bresp: Default::default(),
            rvalid: Default::default(),
            rdata: Default::default(),
            rresp: Default::default(),
            host_write_req: Default::default(),
            host_req: Default::default(),
            host_dword: Default::default(),
            ring_offset: Default::default(),
            host_in_rings: Default::default(),
            host_ring: Default::default(),
            host_ring_ok: Default::default(),
            host_reg: Default::default(),
            host_mapped: Default::default(),
            host_blocked: Default::default(),
            dev_blocked: Default::default(),
            host_go: Default::default(),
            dev_go: Default::default(),
            log_size: Default::default(),
            entry_log: Default::default(),
            enabled: Default::default(),
            completion: Default::default(),
            producer: Default::default(),
            consumer: Default::default(),
            armed: Default::default(),
            size: Default::default(),
            fill: Default::default(),
            host_index: Default::default(),
            device_index: Default::default(),
            lane0: Default::default(),
            lane1: Default::default(),
            lane2: Default::default(),
            lane3: Default::default(),
            lanes: Default::default(),
            reg_value: Default::default(),
            merged: Default::default(),
            doorbell: Default::default(),
            doorbell_ok: Default::default(),
            new_producer: Default::default(),
            new_consumer: Default::default(),
            new_armed: Default::default(),
            write_state: Default::default(),
            new_base_lo: Default::default(),
            new_base_hi: Default::default(),
            status: Default::default(),
            entry_index: Default::default(),
            irq_send: Default::default(),
        }
    }
}

impl Default for QueueManager {
    /// 32 rings: TX and RX submission and completion rings for 8 queues each.
    fn default() -> Self {
        Self::new(32)
    }
}

impl Logic for QueueManager {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clk,
            clear_active,
            clear_ring,
            host_busy,
            host_first,
            doorbell_errors,
            op_errors,
            irq_drops,
            f_valid,
            f_host,
            f_write,
            f_on_ring,
            f_mapped,
            f_ring,
            f_reg,
            f_data,
            f_strb,
            f_code,
            f_tag,
            x_valid,
            x_host,
            x_write,
            x_on_ring,
            x_mapped,
            x_ring,
            x_reg,
            x_data,
            x_strb,
            x_code,
            x_tag,
            x_base,
            x_control,
            x_state,
            r_valid,
            r_tag,
            r_ring,
            r_status,
            r_base,
            r_offset,
            r_index,
            r_phase,
            r_function,
            out_valid,
            out_tag,
            out_ring,
            out_status,
            out_addr,
            out_index,
            out_phase,
            out_function,
            bvalid,
            bresp,
            rvalid,
            rdata,
            rresp
        );
        self.irq_fifo.clk.next = self.clk.val();
        self.irq_fifo.rst.next = self.rst.val();
        self.base_ram.read_clock.next = self.clk.val();
        self.base_ram.write_clock.next = self.clk.val();
        self.control_ram.read_clock.next = self.clk.val();
        self.control_ram.write_clock.next = self.clk.val();
        self.state_ram.read_clock.next = self.clk.val();
        self.state_ram.write_clock.next = self.clk.val();

        // ---- Issue: one register access (one at a time) or one engine operation.
        self.host_write_req.next = self.s_axil.awvalid.val() & self.s_axil.wvalid.val();
        self.host_req.next = (self.host_write_req.val() | self.s_axil.arvalid.val()) & !self.host_busy.q.val();
        // Registers are dwords: address bits 1:0 are not decoded.
        self.host_dword.next = self.s_axil.araddr.val().get_bits::<14>(2);
        if self.host_write_req.val() {
            self.host_dword.next = self.s_axil.awaddr.val().get_bits::<14>(2);
        }
        self.ring_offset.next = self.host_dword.val() - self.rings_base.val();
        self.host_in_rings.next = self.host_dword.val() >= self.rings_base.val();
        self.host_ring.next = self.ring_offset.val().get_bits::<8>(3);
        self.host_ring_ok.next = (self.ring_offset.val().get_bits::<3>(11) == 0)
            & (bit_cast::<16, 8>(self.host_ring.val()) < self.ring_count.val());
        if self.host_in_rings.val() {
            self.host_reg.next = bit_cast::<10, 3>(self.ring_offset.val().get_bits::<3>(0));
            self.host_mapped.next = self.host_ring_ok.val() & (self.ring_offset.val().get_bits::<3>(0) <= 5);
        } else {
            self.host_reg.next = self.host_dword.val().get_bits::<10>(0);
            self.host_mapped.next = self.host_dword.val().get_bits::<10>(0) <= 5;
        }
        // A ring in fetch or execute has its state in flight: wait for the write-back.
        self.host_blocked.next = self.host_in_rings.val()
            & ((self.f_valid.q.val() & self.f_on_ring.q.val() & (self.f_ring.q.val() == self.host_ring.val()))
                | (self.x_valid.q.val() & self.x_on_ring.q.val() & (self.x_ring.q.val() == self.host_ring.val())));
        self.dev_blocked.next =
            (self.f_valid.q.val() & self.f_on_ring.q.val() & (self.f_ring.q.val() == self.op_ring.val()))
                | (self.x_valid.q.val() & self.x_on_ring.q.val() & (self.x_ring.q.val() == self.op_ring.val()));
        self.host_go.next = self.host_req.val()
            & !self.host_blocked.val()
            & !self.clear_active.q.val()
            & (self.host_first.q.val() | !self.op_valid.val() | self.dev_blocked.val());
        self.dev_go.next =
            self.op_valid.val() & !self.dev_blocked.val() & !self.clear_active.q.val() & !self.host_go.val();
        self.s_axil.awready.next = self.host_go.val() & self.host_write_req.val();
        self.s_axil.wready.next = self.host_go.val() & self.host_write_req.val();
        self.s_axil.arready.next = self.host_go.val() & !self.host_write_req.val();
        self.op_ready.next = self.dev_go.val();
        if self.host_go.val() {
            self.host_first.d.next = false;
            self.host_busy.d.next = true;
        } else if self.dev_go.val() {
            self.host_first.d.next = true;
        }
        self.base_ram.read_address.next = self.op_ring.val();
        self.control_ram.read_address.next = self.op_ring.val();
        self.state_ram.read_address.next = self.op_ring.val();
        if self.host_go.val() {
            self.base_ram.read_address.next = self.host_ring.val();
            self.control_ram.read_address.next = self.host_ring.val();
            self.state_ram.read_address.next = self.host_ring.val();
        }
        self.f_valid.d.next = self.host_go.val() | self.dev_go.val();
        self.f_host.d.next = self.host_go.val();
        self.f_write.d.next = self.host_write_req.val();
        self.f_on_ring.d.next = true;
        self.f_mapped.d.next = true;
        self.f_ring.d.next = self.op_ring.val();
        self.f_reg.d.next = 0.into();
        if self.host_go.val() {
            self.f_on_ring.d.next = self.host_in_rings.val();
            self.f_mapped.d.next = self.host_mapped.val();
            self.f_ring.d.next = self.host_ring.val();
            self.f_reg.d.next = self.host_reg.val();
        }
        self.f_data.d.next = self.s_axil.wdata.val();
        self.f_strb.d.next = self.s_axil.wstrb.val();
        self.f_code.d.next = self.op_code.val();
        self.f_tag.d.next = self.op_tag.val();

        // ---- Fetch: register the ring's state.
        self.x_valid.d.next = self.f_valid.q.val();
        self.x_host.d.next = self.f_host.q.val();
        self.x_write.d.next = self.f_write.q.val();
        self.x_on_ring.d.next = self.f_on_ring.q.val();
        self.x_mapped.d.next = self.f_mapped.q.val();
        self.x_ring.d.next = self.f_ring.q.val();
        self.x_reg.d.next = self.f_reg.q.val();
        self.x_data.d.next = self.f_data.q.val();
        self.x_strb.d.next = self.f_strb.q.val();
        self.x_code.d.next = self.f_code.q.val();
        self.x_tag.d.next = self.f_tag.q.val();
        self.x_base.d.next = self.base_ram.read_data.val();
        self.x_control.d.next = self.control_ram.read_data.val();
        self.x_state.d.next = self.state_ram.read_data.val();

        // ---- Execute.
        self.log_size.next = self.x_control.q.val().get_bits::<4>(0);
        self.entry_log.next = self.x_control.q.val().get_bits::<3>(4);
        self.enabled.next = self.x_control.q.val().get_bit(8);
        self.completion.next = self.x_control.q.val().get_bit(9);
        self.producer.next = self.x_state.q.val().get_bits::<16>(0);
        self.consumer.next = self.x_state.q.val().get_bits::<16>(16);
        self.armed.next = self.x_state.q.val().get_bit(32);
        self.size.next = self.one.val() << bit_cast::<17, 4>(self.log_size.val());
        self.fill.next = self.producer.val() - self.consumer.val();
        self.host_index.next = self.producer.val();
        self.device_index.next = self.consumer.val();
        if self.completion.val() {
            self.host_index.next = self.consumer.val();
            self.device_index.next = self.producer.val();
        }
        // The addressed register's current value: the read data, and what a write merges into.
        self.reg_value.next = 0.into();
        if self.x_on_ring.q.val() {
            if self.x_reg.q.val() == self.reg_base_lo.val() {
                self.reg_value.next = self.x_base.q.val().get_bits::<32>(0);
            }
            if self.x_reg.q.val() == self.reg_base_hi.val() {
                self.reg_value.next = self.x_base.q.val().get_bits::<32>(32);
            }
            if self.x_reg.q.val() == self.reg_control.val() {
                self.reg_value.next = self.x_control.q.val();
            }
            if self.x_reg.q.val() == self.reg_host_index.val() {
                self.reg_value.next = bit_cast::<32, 16>(self.host_index.val());
            }
            if self.x_reg.q.val() == self.reg_device_index.val() {
                self.reg_value.next = bit_cast::<32, 16>(self.device_index.val());
            }
            if self.x_reg.q.val() == self.reg_arm.val() {
                self.reg_value.next = bit_cast::<32, 1>(self.armed.val().into());
            }
        } else {
            if self.x_reg.q.val() == self.reg_id.val() {
                self.reg_value.next = self.id_value.val();
            }
            if self.x_reg.q.val() == self.reg_version.val() {
                self.reg_value.next = self.version_value.val();
            }
            if self.x_reg.q.val() == self.reg_ring_count.val() {
                self.reg_value.next = bit_cast::<32, 16>(self.ring_count.val());
            }
            if self.x_reg.q.val() == self.reg_doorbell_errors.val() {
                self.reg_value.next = self.doorbell_errors.q.val();
            }
            if self.x_reg.q.val() == self.reg_op_errors.val() {
                self.reg_value.next = self.op_errors.q.val();
            }
            if self.x_reg.q.val() == self.reg_irq_drops.val() {
                self.reg_value.next = self.irq_drops.q.val();
            }
        }
        self.lane0.next = 0.into();
        self.lane1.next = 0.into();
        self.lane2.next = 0.into();
        self.lane3.next = 0.into();
        if self.x_strb.q.val().get_bit(0) {
            self.lane0.next = 0x0000_00FF.into();
        }
        if self.x_strb.q.val().get_bit(1) {
            self.lane1.next = 0x0000_FF00.into();
        }
        if self.x_strb.q.val().get_bit(2) {
            self.lane2.next = 0x00FF_0000.into();
        }
        if self.x_strb.q.val().get_bit(3) {
            self.lane3.next = 0xFF00_0000_u64.into();
        }
        self.lanes.next = self.lane0.val() | self.lane1.val() | self.lane2.val() | self.lane3.val();
        self.merged.next = (self.reg_value.val() & !self.lanes.val()) | (self.x_data.q.val() & self.lanes.val());
        // A doorbell may move the host's index up to a full ring past the device's
        // (submission), or up to the device's index (completion: nothing unproduced consumed).
        self.doorbell.next = self.merged.val().get_bits::<16>(0);
        self.doorbell_ok.next =
            self.enabled.val() & (bit_cast::<17, 16>(self.doorbell.val() - self.consumer.val()) <= self.size.val());
        if self.completion.val() {
            self.doorbell_ok.next =
                self.enabled.val() & ((self.doorbell.val() - self.consumer.val()) <= self.fill.val());
        }

        // Writes and engine operations.
        self.new_producer.next = self.producer.val();
        self.new_consumer.next = self.consumer.val();
        self.new_armed.next = self.armed.val();
        self.write_state.next = false;
        self.new_base_lo.next = self.x_base.q.val().get_bits::<32>(0);
        self.new_base_hi.next = self.x_base.q.val().get_bits::<32>(32);
        self.base_ram.write_enable.next = false;
        self.control_ram.write_enable.next = false;
        self.status.next = 0.into();
        self.entry_index.next = self.producer.val();
        self.irq_send.next = false;
        if self.x_valid.q.val()
            & self.x_host.q.val()
            & self.x_write.q.val()
            & self.x_mapped.q.val()
            & self.x_on_ring.q.val()
        {
            if self.x_reg.q.val() == self.reg_base_lo.val() {
                self.new_base_lo.next = self.merged.val();
                self.base_ram.write_enable.next = true;
            }
            if self.x_reg.q.val() == self.reg_base_hi.val() {
                self.new_base_hi.next = self.merged.val();
                self.base_ram.write_enable.next = true;
            }
            if self.x_reg.q.val() == self.reg_control.val() {
                self.control_ram.write_enable.next = true;
                self.new_producer.next = 0.into();
                self.new_consumer.next = 0.into();
                self.new_armed.next = false;
                self.write_state.next = true;
            }
            if self.x_reg.q.val() == self.reg_host_index.val() {
                if self.doorbell_ok.val() {
                    self.write_state.next = true;
                    if self.completion.val() {
                        self.new_consumer.next = self.doorbell.val();
                    } else {
                        self.new_producer.next = self.doorbell.val();
                    }
                } else if self.doorbell_errors.q.val() != 0xFFFF_FFFF_u64 {
                    self.doorbell_errors.d.next = self.doorbell_errors.q.val() + 1;
                }
            }
            if self.x_reg.q.val() == self.reg_arm.val() {
                self.new_armed.next = self.merged.val().get_bit(0);
                self.write_state.next = true;
            }
        }
        // Operation and status codes are literals here (rust-hdl would print a constant's
        // name into the Verilog): they are the OP_* and STATUS_* values above.
        if self.x_valid.q.val() & !self.x_host.q.val() {
            if !self.enabled.val() {
                self.status.next = 2.into();
            } else if self.x_code.q.val() == 0 {
                if self.completion.val() {
                    self.status.next = 3.into();
                } else if self.fill.val() == 0 {
                    self.status.next = 1.into();
                } else {
                    self.entry_index.next = self.consumer.val();
                    self.new_consumer.next = self.consumer.val() + 1;
                    self.write_state.next = true;
                }
            } else if self.x_code.q.val() == 1 {
                if !self.completion.val() {
                    self.status.next = 3.into();
                } else if bit_cast::<17, 16>(self.fill.val()) == self.size.val() {
                    self.status.next = 1.into();
                } else {
                    self.new_producer.next = self.producer.val() + 1;
                    self.write_state.next = true;
                }
            } else if self.x_code.q.val() == 2 {
                if !self.completion.val() {
                    self.status.next = 3.into();
                } else if !self.armed.val() {
                    self.status.next = 1.into();
                } else if !self.irq_fifo.s_axis.tready.val() {
                    self.status.next = 1.into();
                    if self.irq_drops.q.val() != 0xFFFF_FFFF_u64 {
                        self.irq_drops.d.next = self.irq_drops.q.val() + 1;
                    }
                } else {
                    self.irq_send.next = true;
                    self.new_armed.next = false;
                    self.write_state.next = true;
                }
            } else {
                self.status.next = 3.into();
            }
            if (self.status.val() == 2) | (self.status.val() == 3) {
                if self.op_errors.q.val() != 0xFFFF_FFFF_u64 {
                    self.op_errors.d.next = self.op_errors.q.val() + 1;
                }
            }
        }
        self.state_ram.write_enable.next = self.write_state.val();
        self.base_ram.write_address.next = self.x_ring.q.val();
        self.control_ram.write_address.next = self.x_ring.q.val();
        self.state_ram.write_address.next = self.x_ring.q.val();
        self.base_ram.write_data.next =
            bit_cast::<64, 32>(self.new_base_lo.val()) | (bit_cast::<64, 32>(self.new_base_hi.val()) << 32);
        self.control_ram.write_data.next = self.merged.val();
        self.state_ram.write_data.next = bit_cast::<33, 16>(self.new_producer.val())
            | (bit_cast::<33, 16>(self.new_consumer.val()) << 16)
            | (bit_cast::<33, 1>(self.new_armed.val().into()) << 32);
        self.irq_fifo.s_axis.tvalid.next = self.irq_send.val();
        self.irq_fifo.s_axis.tdata.next = bit_cast::<16, 8>(self.x_control.q.val().get_bits::<8>(24))
            | (bit_cast::<16, 8>(self.x_control.q.val().get_bits::<8>(16)) << 8);
        self.irq_fifo.s_axis.tkeep.next = 3.into();
        self.irq_fifo.s_axis.tlast.next = true;
        self.irq_fifo.s_axis.tuser.next = 0.into();

        // Register responses.
        if self.x_valid.q.val() & self.x_host.q.val() {
            if self.x_write.q.val() {
                self.bvalid.d.next = true;
                self.bresp.d.next = 0.into();
                if !self.x_mapped.q.val() {
                    self.bresp.d.next = 3.into();
                }
            } else {
                self.rvalid.d.next = true;
                self.rdata.d.next = self.reg_value.val();
                self.rresp.d.next = 0.into();
                if !self.x_mapped.q.val() {
                    self.rdata.d.next = 0.into();
                    self.rresp.d.next = 3.into();
                }
            }
        }
        if self.bvalid.q.val() & self.s_axil.bready.val() {
            self.bvalid.d.next = false;
            self.host_busy.d.next = false;
        }
        if self.rvalid.q.val() & self.s_axil.rready.val() {
            self.rvalid.d.next = false;
            self.host_busy.d.next = false;
        }
        self.s_axil.bvalid.next = self.bvalid.q.val();
        self.s_axil.bresp.next = self.bresp.q.val();
        self.s_axil.rvalid.next = self.rvalid.q.val();
        self.s_axil.rdata.next = self.rdata.q.val();
        self.s_axil.rresp.next = self.rresp.q.val();

        // ---- Respond: the entry's address.
        self.r_valid.d.next = self.x_valid.q.val() & !self.x_host.q.val();
        self.r_tag.d.next = self.x_tag.q.val();
        self.r_ring.d.next = self.x_ring.q.val();
        self.r_status.d.next = self.status.val();
        self.r_base.d.next = self.x_base.q.val();
        self.r_offset.d.next = bit_cast::<32, 16>(self.entry_index.val() & (self.size.val().get_bits::<16>(0) - 1))
            << bit_cast::<32, 3>(self.entry_log.val());
        self.r_index.d.next = self.entry_index.val();
        self.r_phase.d.next = !(bit_cast::<17, 16>(self.entry_index.val()) & self.size.val()).any();
        self.r_function.d.next = self.x_control.q.val().get_bits::<8>(16);
        self.out_valid.d.next = self.r_valid.q.val();
        self.out_tag.d.next = self.r_tag.q.val();
        self.out_ring.d.next = self.r_ring.q.val();
        self.out_status.d.next = self.r_status.q.val();
        self.out_addr.d.next = self.r_base.q.val() + bit_cast::<64, 32>(self.r_offset.q.val());
        self.out_index.d.next = self.r_index.q.val();
        self.out_phase.d.next = self.r_phase.q.val();
        self.out_function.d.next = self.r_function.q.val();
        self.res_valid.next = self.out_valid.q.val();
        self.res_tag.next = self.out_tag.q.val();
        self.res_ring.next = self.out_ring.q.val();
        self.res_status.next = self.out_status.q.val();
        self.res_addr.next = self.out_addr.q.val();
        self.res_index.next = self.out_index.q.val();
        self.res_phase.next = self.out_phase.q.val();
        self.res_function.next = self.out_function.q.val();

        // Interrupts.
        self.irq_fifo.m_axis.tready.next = self.msix_ready.val();
        self.msix_valid.next = self.irq_fifo.m_axis.tvalid.val();
        self.msix_vector.next = self.irq_fifo.m_axis.tdata.val().get_bits::<8>(0);
        self.msix_function.next = self.irq_fifo.m_axis.tdata.val().get_bits::<8>(8);

        // ---- Reset: clear every ring slot, one per cycle, before accepting anything.
        if self.clear_active.q.val() {
            self.base_ram.write_enable.next = true;
            self.control_ram.write_enable.next = true;
            self.state_ram.write_enable.next = true;
            self.base_ram.write_address.next = self.clear_ring.q.val();
            self.control_ram.write_address.next = self.clear_ring.q.val();
            self.state_ram.write_address.next = self.clear_ring.q.val();
            self.base_ram.write_data.next = 0.into();
            self.control_ram.write_data.next = 0.into();
            self.state_ram.write_data.next = 0.into();
            self.clear_ring.d.next = self.clear_ring.q.val() + 1;
            if self.clear_ring.q.val() == 255 {
                self.clear_active.d.next = false;
            }
        }
        if self.rst.val() {
            self.clear_active.d.next = true;
            self.clear_ring.d.next = 0.into();
            self.host_busy.d.next = false;
            self.host_first.d.next = false;
            self.doorbell_errors.d.next = 0.into();
            self.op_errors.d.next = 0.into();
            self.irq_drops.d.next = 0.into();
            self.f_valid.d.next = false;
            self.x_valid.d.next = false;
            self.r_valid.d.next = false;
            self.out_valid.d.next = false;
            self.bvalid.d.next = false;
            self.rvalid.d.next = false;
        }
    }
}

crate::native_ports!(
    impl[] QueueManager;
    clk, rst, s_axil.awaddr, s_axil.awprot, s_axil.awvalid, s_axil.awready, s_axil.wdata, s_axil.wstrb, s_axil.wvalid, s_axil.wready, s_axil.bresp, s_axil.bvalid, s_axil.bready, s_axil.araddr, s_axil.arprot, s_axil.arvalid, s_axil.arready, s_axil.rdata, s_axil.rresp, s_axil.rvalid, s_axil.rready, op_valid, op_ready, op_ring, op_code, op_tag, res_valid, res_tag, res_ring, res_status, res_addr, res_index, res_phase, res_function, msix_valid, msix_ready, msix_vector, msix_function,
);
