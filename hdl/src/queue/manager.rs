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
//! * capture: a register access is taken from `s_axil_` and its address decoded; an
//!   engine operation is taken from `op_*`;
//! * issue: choose (a waiting register access first) and register the chosen operation;
//! * fetch: the registered ring number addresses the three state RAMs;
//! * read: the RAM outputs arrive and are registered with no logic in between (on ECP5 that
//!   register is the RAM's own output register: a bare block RAM's clock-to-output is most
//!   of a cycle at 150 MHz);
//! * copy: registered once more in fabric (the route out of a block RAM is long);
//! * decode: derive fill level, flags, entry offsets and phases, the merged register write;
//! * evaluate: how far a doorbell moves the host's index;
//! * execute: decide, queue an interrupt;
//! * write-back: the new state goes into the RAMs from registers;
//! * respond: add the entry offset to the base; the response is on `res_*` the cycle after.
//!
//! An operation on a ring that is between fetch and execute waits (no forwarding needed), so
//! operations on different rings flow one per cycle and operations on one ring one per seven
//! cycles. After `rst` a sweep clears all 256 ring slots (256 cycles) before anything
//! is accepted.
use crate::block_ram::BlockRam;
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
pub const OP_LATENCY: u64 = 9;

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
    /// The ring's entry size (control `entry_log`): the TX engine reads 7 (128-byte
    /// entries) on a TX submission ring as an LLQ queue.
    pub res_entry_log: Signal<Out, Bits<3>>,
    // Interrupt requests.
    pub msix_valid: Signal<Out, Bit>,
    pub msix_ready: Signal<In, Bit>,
    pub msix_vector: Signal<Out, Bits<8>>,
    pub msix_function: Signal<Out, Bits<8>>,
    /// A doorbell moved a submission ring's producer index: a hint for the engines, sent
    /// when the new index is in the ring state (a take issued after it sees the entries).
    pub doorbell_valid: Signal<Out, Bit>,
    pub doorbell_ring: Signal<Out, Bits<8>>,
    rung: DFF<Bit>,
    rung_ring: DFF<Bits<8>>,
    /// The host wrote a ring's base or control (so reset it): engines that keep entries
    /// taken from the ring throw them away. Same ring number as `doorbell_ring`.
    pub ring_reset_valid: Signal<Out, Bit>,
    ring_reset: DFF<Bit>,

    // Ring state. No cycle reads a ring it writes: the hazard rule below guarantees it.
    base_ram: BlockRam<64, 8>,
    control_ram: BlockRam<32, 8>,
    /// producer 15:0, consumer 31:16, armed 32.
    state_ram: BlockRam<33, 8>,
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
    all_ones: Constant<Bits<16>>,

    clear_active: DFF<Bit>,
    clear_ring: DFF<Bits<8>>,
    /// A register access is captured, in the pipeline or waiting for its response.
    host_busy: DFF<Bit>,
    doorbell_errors: DFF<Bits<32>>,
    op_errors: DFF<Bits<32>>,
    irq_drops: DFF<Bits<32>>,

    // The captured, decoded register access.
    h_valid: DFF<Bit>,
    h_write: DFF<Bit>,
    h_on_ring: DFF<Bit>,
    h_mapped: DFF<Bit>,
    h_ring: DFF<Bits<8>>,
    h_sel: DFF<Bits<12>>,
    h_data: DFF<Bits<32>>,
    h_strb: DFF<Bits<4>>,
    // The engine operation taken from `op_*`, and whether each candidate must wait.
    o_valid: DFF<Bit>,
    o_ring: DFF<Bits<8>>,
    o_code: DFF<Bits<2>>,
    o_tag: DFF<Bits<8>>,
    o_blocked: DFF<Bit>,
    // Fetch stage: the chosen operation, its ring number about to address the RAMs.
    f_valid: DFF<Bit>,
    f_host: DFF<Bit>,
    f_write: DFF<Bit>,
    f_on_ring: DFF<Bit>,
    f_mapped: DFF<Bit>,
    f_ring: DFF<Bits<8>>,
    f_sel: DFF<Bits<12>>,
    f_data: DFF<Bits<32>>,
    f_strb: DFF<Bits<4>>,
    f_code: DFF<Bits<2>>,
    f_tag: DFF<Bits<8>>,
    // Read stage: the RAMs are read at the registered ring number.
    g_valid: DFF<Bit>,
    g_host: DFF<Bit>,
    g_write: DFF<Bit>,
    g_on_ring: DFF<Bit>,
    g_mapped: DFF<Bit>,
    g_ring: DFF<Bits<8>>,
    g_sel: DFF<Bits<12>>,
    g_data: DFF<Bits<32>>,
    g_strb: DFF<Bits<4>>,
    g_code: DFF<Bits<2>>,
    g_tag: DFF<Bits<8>>,
    // Decode stage: the ring's state, registered straight from the RAMs.
    d_valid: DFF<Bit>,
    d_host: DFF<Bit>,
    d_write: DFF<Bit>,
    d_on_ring: DFF<Bit>,
    d_mapped: DFF<Bit>,
    d_ring: DFF<Bits<8>>,
    d_sel: DFF<Bits<12>>,
    d_data: DFF<Bits<32>>,
    d_strb: DFF<Bits<4>>,
    d_code: DFF<Bits<2>>,
    d_tag: DFF<Bits<8>>,
    d_base: DFF<Bits<64>>,
    d_control: DFF<Bits<32>>,
    d_state: DFF<Bits<33>>,
    // Copy stage: the same, in fabric.
    c_valid: DFF<Bit>,
    c_host: DFF<Bit>,
    c_write: DFF<Bit>,
    c_on_ring: DFF<Bit>,
    c_mapped: DFF<Bit>,
    c_ring: DFF<Bits<8>>,
    c_sel: DFF<Bits<12>>,
    c_data: DFF<Bits<32>>,
    c_strb: DFF<Bits<4>>,
    c_code: DFF<Bits<2>>,
    c_tag: DFF<Bits<8>>,
    c_base: DFF<Bits<64>>,
    c_control: DFF<Bits<32>>,
    c_state: DFF<Bits<33>>,
    // Evaluate stage: everything derived from the state.
    e_valid: DFF<Bit>,
    e_host: DFF<Bit>,
    e_write: DFF<Bit>,
    e_on_ring: DFF<Bit>,
    e_mapped: DFF<Bit>,
    e_ring: DFF<Bits<8>>,
    e_code: DFF<Bits<2>>,
    e_tag: DFF<Bits<8>>,
    e_base: DFF<Bits<64>>,
    e_function: DFF<Bits<8>>,
    e_vector: DFF<Bits<8>>,
    e_enabled: DFF<Bit>,
    e_completion: DFF<Bit>,
    e_armed: DFF<Bit>,
    e_empty: DFF<Bit>,
    e_full: DFF<Bit>,
    e_size: DFF<Bits<17>>,
    e_fill: DFF<Bits<16>>,
    e_producer: DFF<Bits<16>>,
    e_consumer: DFF<Bits<16>>,
    e_take_slot: DFF<Bits<16>>,
    e_post_slot: DFF<Bits<16>>,
    e_entry_log: DFF<Bits<3>>,
    e_take_phase: DFF<Bit>,
    e_post_phase: DFF<Bit>,
    e_is_base_lo: DFF<Bit>,
    e_is_base_hi: DFF<Bit>,
    e_is_control: DFF<Bit>,
    e_is_host_index: DFF<Bit>,
    e_is_arm: DFF<Bit>,
    e_reg_value: DFF<Bits<32>>,
    e_merged: DFF<Bits<32>>,
    // Execute stage: ready for the decision.
    x_valid: DFF<Bit>,
    x_host: DFF<Bit>,
    x_write: DFF<Bit>,
    x_on_ring: DFF<Bit>,
    x_mapped: DFF<Bit>,
    x_ring: DFF<Bits<8>>,
    x_code: DFF<Bits<2>>,
    x_tag: DFF<Bits<8>>,
    x_base: DFF<Bits<64>>,
    x_function: DFF<Bits<8>>,
    x_entry_log: DFF<Bits<3>>,
    x_vector: DFF<Bits<8>>,
    x_enabled: DFF<Bit>,
    x_completion: DFF<Bit>,
    x_armed: DFF<Bit>,
    x_empty: DFF<Bit>,
    x_full: DFF<Bit>,
    x_producer: DFF<Bits<16>>,
    x_consumer: DFF<Bits<16>>,
    x_take_offset: DFF<Bits<32>>,
    x_post_offset: DFF<Bits<32>>,
    x_take_phase: DFF<Bit>,
    x_post_phase: DFF<Bit>,
    x_is_base_lo: DFF<Bit>,
    x_is_base_hi: DFF<Bit>,
    x_is_control: DFF<Bit>,
    x_is_host_index: DFF<Bit>,
    x_is_arm: DFF<Bit>,
    x_reg_value: DFF<Bits<32>>,
    x_merged: DFF<Bits<32>>,
    /// A register write to a ring's registers.
    x_ring_write: DFF<Bit>,
    x_producer_next: DFF<Bits<16>>,
    x_consumer_next: DFF<Bits<16>>,
    x_ahead: DFF<Bits<16>>,
    x_size: DFF<Bits<17>>,
    x_fill: DFF<Bits<16>>,
    // Write-back stage.
    w_base_we: DFF<Bit>,
    w_control_we: DFF<Bit>,
    w_state_we: DFF<Bit>,
    w_ring: DFF<Bits<8>>,
    w_base_data: DFF<Bits<64>>,
    w_control_data: DFF<Bits<32>>,
    w_state_data: DFF<Bits<33>>,
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
    r_entry_log: DFF<Bits<3>>,
    // Outputs.
    out_valid: DFF<Bit>,
    out_tag: DFF<Bits<8>>,
    out_ring: DFF<Bits<8>>,
    out_status: DFF<Bits<2>>,
    out_addr: DFF<Bits<64>>,
    out_index: DFF<Bits<16>>,
    out_phase: DFF<Bit>,
    out_function: DFF<Bits<8>>,
    out_entry_log: DFF<Bits<3>>,
    bvalid: DFF<Bit>,
    bresp: DFF<Bits<2>>,
    rvalid: DFF<Bit>,
    rdata: DFF<Bits<32>>,
    rresp: DFF<Bits<2>>,

    // Capture.
    host_write_req: Signal<Local, Bit>,
    host_capture: Signal<Local, Bit>,
    host_dword: Signal<Local, Bits<14>>,
    ring_offset: Signal<Local, Bits<14>>,
    host_in_rings: Signal<Local, Bit>,
    host_ring: Signal<Local, Bits<8>>,
    host_ring_ok: Signal<Local, Bit>,
    ring_reg: Signal<Local, Bits<10>>,
    global_reg: Signal<Local, Bits<10>>,
    sel: Signal<Local, Bits<12>>,
    // Issue.
    o_capture: Signal<Local, Bit>,
    drained: Signal<Local, Bit>,
    held_in_flight: Signal<Local, Bit>,
    new_in_flight: Signal<Local, Bit>,
    host_go: Signal<Local, Bit>,
    dev_go: Signal<Local, Bit>,
    // Decode.
    log_size: Signal<Local, Bits<4>>,
    entry_log: Signal<Local, Bits<3>>,
    completion: Signal<Local, Bit>,
    producer: Signal<Local, Bits<16>>,
    consumer: Signal<Local, Bits<16>>,
    size: Signal<Local, Bits<17>>,
    mask: Signal<Local, Bits<16>>,
    fill: Signal<Local, Bits<16>>,
    host_index: Signal<Local, Bits<16>>,
    device_index: Signal<Local, Bits<16>>,
    lane0: Signal<Local, Bits<32>>,
    lane1: Signal<Local, Bits<32>>,
    lane2: Signal<Local, Bits<32>>,
    lane3: Signal<Local, Bits<32>>,
    lanes: Signal<Local, Bits<32>>,
    value_base_lo: Signal<Local, Bits<32>>,
    value_base_hi: Signal<Local, Bits<32>>,
    value_control: Signal<Local, Bits<32>>,
    value_host_index: Signal<Local, Bits<32>>,
    value_device_index: Signal<Local, Bits<32>>,
    value_arm: Signal<Local, Bits<32>>,
    value_id: Signal<Local, Bits<32>>,
    value_version: Signal<Local, Bits<32>>,
    value_ring_count: Signal<Local, Bits<32>>,
    value_doorbell_errors: Signal<Local, Bits<32>>,
    value_op_errors: Signal<Local, Bits<32>>,
    value_irq_drops: Signal<Local, Bits<32>>,
    reg_value: Signal<Local, Bits<32>>,
    merged: Signal<Local, Bits<32>>,
    // Execute.
    doorbell_ok: Signal<Local, Bit>,
    new_producer: Signal<Local, Bits<16>>,
    new_consumer: Signal<Local, Bits<16>>,
    new_armed: Signal<Local, Bit>,
    write_state: Signal<Local, Bit>,
    status: Signal<Local, Bits<2>>,
    is_take: Signal<Local, Bit>,
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
            res_entry_log: Default::default(),
            x_entry_log: Default::default(),
            r_entry_log: Default::default(),
            out_entry_log: Default::default(),
            msix_valid: Default::default(),
            msix_ready: Default::default(),
            msix_vector: Default::default(),
            msix_function: Default::default(),
            doorbell_valid: Default::default(),
            doorbell_ring: Default::default(),
            rung: Default::default(),
            ring_reset_valid: Default::default(),
            ring_reset: Default::default(),
            rung_ring: Default::default(),
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
            all_ones: Constant::new(0xFFFF.into()),
            clear_active: Default::default(),
            clear_ring: Default::default(),
            host_busy: Default::default(),
            doorbell_errors: Default::default(),
            op_errors: Default::default(),
            irq_drops: Default::default(),
            h_valid: Default::default(),
            h_write: Default::default(),
            h_on_ring: Default::default(),
            h_mapped: Default::default(),
            h_ring: Default::default(),
            h_sel: Default::default(),
            h_data: Default::default(),
            h_strb: Default::default(),
            o_valid: Default::default(),
            o_ring: Default::default(),
            o_code: Default::default(),
            o_tag: Default::default(),
            o_blocked: Default::default(),
            f_valid: Default::default(),
            f_host: Default::default(),
            f_write: Default::default(),
            f_on_ring: Default::default(),
            f_mapped: Default::default(),
            f_ring: Default::default(),
            f_sel: Default::default(),
            f_data: Default::default(),
            f_strb: Default::default(),
            f_code: Default::default(),
            f_tag: Default::default(),
            g_valid: Default::default(),
            g_host: Default::default(),
            g_write: Default::default(),
            g_on_ring: Default::default(),
            g_mapped: Default::default(),
            g_ring: Default::default(),
            g_sel: Default::default(),
            g_data: Default::default(),
            g_strb: Default::default(),
            g_code: Default::default(),
            g_tag: Default::default(),
            d_valid: Default::default(),
            d_host: Default::default(),
            d_write: Default::default(),
            d_on_ring: Default::default(),
            d_mapped: Default::default(),
            d_ring: Default::default(),
            d_sel: Default::default(),
            d_data: Default::default(),
            d_strb: Default::default(),
            d_code: Default::default(),
            d_tag: Default::default(),
            d_base: Default::default(),
            d_control: Default::default(),
            d_state: Default::default(),
            c_valid: Default::default(),
            c_host: Default::default(),
            c_write: Default::default(),
            c_on_ring: Default::default(),
            c_mapped: Default::default(),
            c_ring: Default::default(),
            c_sel: Default::default(),
            c_data: Default::default(),
            c_strb: Default::default(),
            c_code: Default::default(),
            c_tag: Default::default(),
            c_base: Default::default(),
            c_control: Default::default(),
            c_state: Default::default(),
            e_valid: Default::default(),
            e_host: Default::default(),
            e_write: Default::default(),
            e_on_ring: Default::default(),
            e_mapped: Default::default(),
            e_ring: Default::default(),
            e_code: Default::default(),
            e_tag: Default::default(),
            e_base: Default::default(),
            e_function: Default::default(),
            e_vector: Default::default(),
            e_enabled: Default::default(),
            e_completion: Default::default(),
            e_armed: Default::default(),
            e_empty: Default::default(),
            e_full: Default::default(),
            e_size: Default::default(),
            e_fill: Default::default(),
            e_producer: Default::default(),
            e_consumer: Default::default(),
            e_take_slot: Default::default(),
            e_post_slot: Default::default(),
            e_entry_log: Default::default(),
            e_take_phase: Default::default(),
            e_post_phase: Default::default(),
            e_is_base_lo: Default::default(),
            e_is_base_hi: Default::default(),
            e_is_control: Default::default(),
            e_is_host_index: Default::default(),
            e_is_arm: Default::default(),
            e_reg_value: Default::default(),
            e_merged: Default::default(),
            x_valid: Default::default(),
            x_host: Default::default(),
            x_write: Default::default(),
            x_on_ring: Default::default(),
            x_mapped: Default::default(),
            x_ring: Default::default(),
            x_code: Default::default(),
            x_tag: Default::default(),
            x_base: Default::default(),
            x_function: Default::default(),
            x_vector: Default::default(),
            x_enabled: Default::default(),
            x_completion: Default::default(),
            x_armed: Default::default(),
            x_empty: Default::default(),
            x_full: Default::default(),
            x_producer: Default::default(),
            x_consumer: Default::default(),
            x_take_offset: Default::default(),
            x_post_offset: Default::default(),
            x_take_phase: Default::default(),
            x_post_phase: Default::default(),
            x_is_base_lo: Default::default(),
            x_is_base_hi: Default::default(),
            x_is_control: Default::default(),
            x_is_host_index: Default::default(),
            x_is_arm: Default::default(),
            x_reg_value: Default::default(),
            x_merged: Default::default(),
            x_ring_write: Default::default(),
            x_producer_next: Default::default(),
            x_consumer_next: Default::default(),
            x_ahead: Default::default(),
            x_size: Default::default(),
            x_fill: Default::default(),
            w_base_we: Default::default(),
            w_control_we: Default::default(),
            w_state_we: Default::default(),
            w_ring: Default::default(),
            w_base_data: Default::default(),
            w_control_data: Default::default(),
            w_state_data: Default::default(),
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
            host_capture: Default::default(),
            host_dword: Default::default(),
            ring_offset: Default::default(),
            host_in_rings: Default::default(),
            host_ring: Default::default(),
            host_ring_ok: Default::default(),
            ring_reg: Default::default(),
            global_reg: Default::default(),
            sel: Default::default(),
            o_capture: Default::default(),
            drained: Default::default(),
            held_in_flight: Default::default(),
            new_in_flight: Default::default(),
            host_go: Default::default(),
            dev_go: Default::default(),
            log_size: Default::default(),
            entry_log: Default::default(),
            completion: Default::default(),
            producer: Default::default(),
            consumer: Default::default(),
            size: Default::default(),
            mask: Default::default(),
            fill: Default::default(),
            host_index: Default::default(),
            device_index: Default::default(),
            lane0: Default::default(),
            lane1: Default::default(),
            lane2: Default::default(),
            lane3: Default::default(),
            lanes: Default::default(),
            value_base_lo: Default::default(),
            value_base_hi: Default::default(),
            value_control: Default::default(),
            value_host_index: Default::default(),
            value_device_index: Default::default(),
            value_arm: Default::default(),
            value_id: Default::default(),
            value_version: Default::default(),
            value_ring_count: Default::default(),
            value_doorbell_errors: Default::default(),
            value_op_errors: Default::default(),
            value_irq_drops: Default::default(),
            reg_value: Default::default(),
            merged: Default::default(),
            doorbell_ok: Default::default(),
            new_producer: Default::default(),
            new_consumer: Default::default(),
            new_armed: Default::default(),
            write_state: Default::default(),
            status: Default::default(),
            is_take: Default::default(),
            irq_send: Default::default(),
        }
    }
}

/// The NIC's rings: TX and RX submission and completion rings for 8 queues each (rings
/// `4q` to `4q + 3`), then `RDMA_COMPLETION_RINGS` more for the RDMA completion queues.
pub const RDMA_COMPLETION_RINGS: usize = 8;
pub const NIC_RINGS: usize = 4 * crate::tx::TX_QUEUES + RDMA_COMPLETION_RINGS;

impl Default for QueueManager {
    /// The NIC's build: `NIC_RINGS` (40) rings.
    fn default() -> Self {
        Self::new(NIC_RINGS)
    }
}

impl Logic for QueueManager {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clk,
            clear_active,
            rung,
            rung_ring,
            ring_reset,
            clear_ring,
            host_busy,
            doorbell_errors,
            op_errors,
            irq_drops,
            h_valid,
            h_write,
            h_on_ring,
            h_mapped,
            h_ring,
            h_sel,
            h_data,
            h_strb,
            o_valid,
            o_ring,
            o_code,
            o_tag,
            o_blocked,
            f_valid,
            f_host,
            f_write,
            f_on_ring,
            f_mapped,
            f_ring,
            f_sel,
            f_data,
            f_strb,
            f_code,
            f_tag,
            g_valid,
            g_host,
            g_write,
            g_on_ring,
            g_mapped,
            g_ring,
            g_sel,
            g_data,
            g_strb,
            g_code,
            g_tag,
            d_valid,
            d_host,
            d_write,
            d_on_ring,
            d_mapped,
            d_ring,
            d_sel,
            d_data,
            d_strb,
            d_code,
            d_tag,
            d_base,
            d_control,
            d_state,
            c_valid,
            c_host,
            c_write,
            c_on_ring,
            c_mapped,
            c_ring,
            c_sel,
            c_data,
            c_strb,
            c_code,
            c_tag,
            c_base,
            c_control,
            c_state,
            e_valid,
            e_host,
            e_write,
            e_on_ring,
            e_mapped,
            e_ring,
            e_code,
            e_tag,
            e_base,
            e_function,
            e_vector,
            e_enabled,
            e_completion,
            e_armed,
            e_empty,
            e_full,
            e_size,
            e_fill,
            e_producer,
            e_consumer,
            e_take_slot,
            e_post_slot,
            e_entry_log,
            e_take_phase,
            e_post_phase,
            e_is_base_lo,
            e_is_base_hi,
            e_is_control,
            e_is_host_index,
            e_is_arm,
            e_reg_value,
            e_merged,
            x_valid,
            x_host,
            x_write,
            x_on_ring,
            x_mapped,
            x_ring,
            x_code,
            x_tag,
            x_base,
            x_function,
            x_entry_log,
            x_vector,
            x_enabled,
            x_completion,
            x_armed,
            x_empty,
            x_full,
            x_producer,
            x_consumer,
            x_take_offset,
            x_post_offset,
            x_take_phase,
            x_post_phase,
            x_is_base_lo,
            x_is_base_hi,
            x_is_control,
            x_is_host_index,
            x_is_arm,
            x_reg_value,
            x_merged,
            x_ring_write,
            x_producer_next,
            x_consumer_next,
            x_ahead,
            x_size,
            x_fill,
            w_base_we,
            w_control_we,
            w_state_we,
            w_ring,
            w_base_data,
            w_control_data,
            w_state_data,
            r_valid,
            r_tag,
            r_ring,
            r_status,
            r_base,
            r_offset,
            r_index,
            r_phase,
            r_function,
            r_entry_log,
            out_valid,
            out_tag,
            out_ring,
            out_status,
            out_addr,
            out_index,
            out_phase,
            out_function,
            out_entry_log,
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

        // ---- Capture: take one register access at a time and decode its address.
        self.host_write_req.next = self.s_axil.awvalid.val() & self.s_axil.wvalid.val();
        self.host_capture.next = !self.host_busy.q.val() & (self.host_write_req.val() | self.s_axil.arvalid.val());
        self.s_axil.awready.next = self.host_capture.val() & self.host_write_req.val();
        self.s_axil.wready.next = self.host_capture.val() & self.host_write_req.val();
        self.s_axil.arready.next = self.host_capture.val() & !self.host_write_req.val();
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
        // The register as a one-hot select, so later stages need no comparisons: bits 0-5
        // the ring registers, 6-11 the global ones (base_lo, base_hi, control, host_index, device_index, arm; id, version, ring_count,
        // doorbell_errors, op_errors, irq_drops).
        self.ring_reg.next = bit_cast::<10, 3>(self.ring_offset.val().get_bits::<3>(0));
        self.global_reg.next = self.host_dword.val().get_bits::<10>(0);
        self.sel.next = 0.into();
        if self.host_in_rings.val() & self.host_ring_ok.val() {
            self.sel.next = bit_cast::<12, 1>((self.ring_reg.val() == self.reg_base_lo.val()).into())
                | (bit_cast::<12, 1>((self.ring_reg.val() == self.reg_base_hi.val()).into()) << 1)
                | (bit_cast::<12, 1>((self.ring_reg.val() == self.reg_control.val()).into()) << 2)
                | (bit_cast::<12, 1>((self.ring_reg.val() == self.reg_host_index.val()).into()) << 3)
                | (bit_cast::<12, 1>((self.ring_reg.val() == self.reg_device_index.val()).into()) << 4)
                | (bit_cast::<12, 1>((self.ring_reg.val() == self.reg_arm.val()).into()) << 5);
        }
        if !self.host_in_rings.val() {
            self.sel.next = (bit_cast::<12, 1>((self.global_reg.val() == self.reg_id.val()).into()) << 6)
                | (bit_cast::<12, 1>((self.global_reg.val() == self.reg_version.val()).into()) << 7)
                | (bit_cast::<12, 1>((self.global_reg.val() == self.reg_ring_count.val()).into()) << 8)
                | (bit_cast::<12, 1>((self.global_reg.val() == self.reg_doorbell_errors.val()).into()) << 9)
                | (bit_cast::<12, 1>((self.global_reg.val() == self.reg_op_errors.val()).into()) << 10)
                | (bit_cast::<12, 1>((self.global_reg.val() == self.reg_irq_drops.val()).into()) << 11);
        }
        if self.host_capture.val() {
            self.host_busy.d.next = true;
            self.h_valid.d.next = true;
            self.h_write.d.next = self.host_write_req.val();
            self.h_on_ring.d.next = self.host_in_rings.val();
            self.h_ring.d.next = self.host_ring.val();
            self.h_data.d.next = self.s_axil.wdata.val();
            self.h_strb.d.next = self.s_axil.wstrb.val();
            self.h_sel.d.next = self.sel.val();
            self.h_mapped.d.next = self.sel.val().any();
        }

        // ---- Issue: the register access or the engine operation. A ring between fetch and
        // execute has its state in flight: its write-back (at the end of write-back) would
        // come after this operation's read (at the end of fetch). Engine operations check the
        // ring, worked out a cycle ahead from what the stages will hold then; a register
        // access to a ring waits for the pipeline to drain (and holds engine operations back
        // meanwhile): accesses are rare, and the choice stays a few gates on registers.
        self.drained.next = !(self.f_valid.q.val()
            | self.g_valid.q.val()
            | self.d_valid.q.val()
            | self.c_valid.q.val()
            | self.e_valid.q.val()
            | self.x_valid.q.val());
        self.host_go.next =
            self.h_valid.q.val() & (!self.h_on_ring.q.val() | self.drained.val()) & !self.clear_active.q.val();
        self.dev_go.next =
            self.o_valid.q.val() & !self.o_blocked.q.val() & !self.clear_active.q.val() & !self.h_valid.q.val();
        // Take the next engine operation into the register (while the one there issues).
        self.op_ready.next = !self.o_valid.q.val() | self.dev_go.val();
        self.o_capture.next = self.op_valid.val() & self.op_ready.val();
        if self.o_capture.val() {
            self.o_valid.d.next = true;
            self.o_ring.d.next = self.op_ring.val();
            self.o_code.d.next = self.op_code.val();
            self.o_tag.d.next = self.op_tag.val();
        } else if self.dev_go.val() {
            self.o_valid.d.next = false;
        }

        // Whether the operation in the register next cycle must wait, worked out for both
        // candidates (the one held, a new one) and chosen last: the compares do not wait for
        // the issue decision.
        self.held_in_flight.next =
            (self.f_valid.q.val() & self.f_on_ring.q.val() & (self.f_ring.q.val() == self.o_ring.q.val()))
                | (self.g_valid.q.val() & self.g_on_ring.q.val() & (self.g_ring.q.val() == self.o_ring.q.val()))
                | (self.d_valid.q.val() & self.d_on_ring.q.val() & (self.d_ring.q.val() == self.o_ring.q.val()))
                | (self.c_valid.q.val() & self.c_on_ring.q.val() & (self.c_ring.q.val() == self.o_ring.q.val()))
                | (self.e_valid.q.val() & self.e_on_ring.q.val() & (self.e_ring.q.val() == self.o_ring.q.val()));
        self.new_in_flight.next =
            (self.f_valid.q.val() & self.f_on_ring.q.val() & (self.f_ring.q.val() == self.op_ring.val()))
                | (self.g_valid.q.val() & self.g_on_ring.q.val() & (self.g_ring.q.val() == self.op_ring.val()))
                | (self.d_valid.q.val() & self.d_on_ring.q.val() & (self.d_ring.q.val() == self.op_ring.val()))
                | (self.c_valid.q.val() & self.c_on_ring.q.val() & (self.c_ring.q.val() == self.op_ring.val()))
                | (self.e_valid.q.val() & self.e_on_ring.q.val() & (self.e_ring.q.val() == self.op_ring.val()));
        self.o_blocked.d.next = self.held_in_flight.val()
            | (self.host_go.val() & self.h_on_ring.q.val() & (self.h_ring.q.val() == self.o_ring.q.val()));
        if self.o_capture.val() {
            self.o_blocked.d.next = self.new_in_flight.val()
                | (self.host_go.val() & self.h_on_ring.q.val() & (self.h_ring.q.val() == self.op_ring.val()))
                | (self.dev_go.val() & (self.o_ring.q.val() == self.op_ring.val()));
        }
        if self.host_go.val() {
            self.h_valid.d.next = false;
        }
        self.f_valid.d.next = self.host_go.val() | self.dev_go.val();
        self.f_host.d.next = self.host_go.val();
        self.f_write.d.next = false;
        self.f_on_ring.d.next = true;
        self.f_mapped.d.next = true;
        self.f_ring.d.next = self.o_ring.q.val();
        self.f_sel.d.next = 0.into();
        if self.host_go.val() {
            self.f_write.d.next = self.h_write.q.val();
            self.f_on_ring.d.next = self.h_on_ring.q.val();
            self.f_mapped.d.next = self.h_mapped.q.val();
            self.f_ring.d.next = self.h_ring.q.val();
            self.f_sel.d.next = self.h_sel.q.val();
        }
        self.f_data.d.next = self.h_data.q.val();
        self.f_strb.d.next = self.h_strb.q.val();
        self.f_code.d.next = self.o_code.q.val();
        self.f_tag.d.next = self.o_tag.q.val();

        // ---- Fetch: address the RAMs from a register.
        self.base_ram.read_address.next = self.f_ring.q.val();
        self.control_ram.read_address.next = self.f_ring.q.val();
        self.state_ram.read_address.next = self.f_ring.q.val();
        self.g_valid.d.next = self.f_valid.q.val();
        self.g_host.d.next = self.f_host.q.val();
        self.g_write.d.next = self.f_write.q.val();
        self.g_on_ring.d.next = self.f_on_ring.q.val();
        self.g_mapped.d.next = self.f_mapped.q.val();
        self.g_ring.d.next = self.f_ring.q.val();
        self.g_sel.d.next = self.f_sel.q.val();
        self.g_data.d.next = self.f_data.q.val();
        self.g_strb.d.next = self.f_strb.q.val();
        self.g_code.d.next = self.f_code.q.val();
        self.g_tag.d.next = self.f_tag.q.val();

        // ---- Read: register the RAM outputs, with nothing in between.
        self.d_valid.d.next = self.g_valid.q.val();
        self.d_host.d.next = self.g_host.q.val();
        self.d_write.d.next = self.g_write.q.val();
        self.d_on_ring.d.next = self.g_on_ring.q.val();
        self.d_mapped.d.next = self.g_mapped.q.val();
        self.d_ring.d.next = self.g_ring.q.val();
        self.d_sel.d.next = self.g_sel.q.val();
        self.d_data.d.next = self.g_data.q.val();
        self.d_strb.d.next = self.g_strb.q.val();
        self.d_code.d.next = self.g_code.q.val();
        self.d_tag.d.next = self.g_tag.q.val();
        self.d_base.d.next = self.base_ram.read_data.val();
        self.d_control.d.next = self.control_ram.read_data.val();
        self.d_state.d.next = self.state_ram.read_data.val();

        // ---- Copy: the RAM words, now in the RAMs' output registers (see `block_ram`), are
        // registered once more in fabric, since the route out of a block RAM is long.
        self.c_valid.d.next = self.d_valid.q.val();
        self.c_host.d.next = self.d_host.q.val();
        self.c_write.d.next = self.d_write.q.val();
        self.c_on_ring.d.next = self.d_on_ring.q.val();
        self.c_mapped.d.next = self.d_mapped.q.val();
        self.c_ring.d.next = self.d_ring.q.val();
        self.c_sel.d.next = self.d_sel.q.val();
        self.c_data.d.next = self.d_data.q.val();
        self.c_strb.d.next = self.d_strb.q.val();
        self.c_code.d.next = self.d_code.q.val();
        self.c_tag.d.next = self.d_tag.q.val();
        self.c_base.d.next = self.d_base.q.val();
        self.c_control.d.next = self.d_control.q.val();
        self.c_state.d.next = self.d_state.q.val();

        // ---- Decode: derive everything the decision needs from the ring's state.
        self.log_size.next = self.c_control.q.val().get_bits::<4>(0);
        self.entry_log.next = self.c_control.q.val().get_bits::<3>(4);
        self.completion.next = self.c_control.q.val().get_bit(9);
        self.producer.next = self.c_state.q.val().get_bits::<16>(0);
        self.consumer.next = self.c_state.q.val().get_bits::<16>(16);
        self.size.next = self.one.val() << bit_cast::<17, 4>(self.log_size.val());
        // size - 1 without a carry chain.
        self.mask.next = !(self.all_ones.val() << bit_cast::<16, 4>(self.log_size.val()));
        self.fill.next = self.producer.val() - self.consumer.val();
        self.host_index.next = self.producer.val();
        self.device_index.next = self.consumer.val();
        if self.completion.val() {
            self.host_index.next = self.consumer.val();
            self.device_index.next = self.producer.val();
        }
        // The addressed register's current value, an AND-OR of one-hot terms (not a priority
        // chain): the read data, and what a write merges into.
        self.value_base_lo.next = 0.into();
        if self.c_sel.q.val().get_bit(0) {
            self.value_base_lo.next = self.c_base.q.val().get_bits::<32>(0);
        }
        self.value_base_hi.next = 0.into();
        if self.c_sel.q.val().get_bit(1) {
            self.value_base_hi.next = self.c_base.q.val().get_bits::<32>(32);
        }
        self.value_control.next = 0.into();
        if self.c_sel.q.val().get_bit(2) {
            self.value_control.next = self.c_control.q.val();
        }
        self.value_host_index.next = 0.into();
        if self.c_sel.q.val().get_bit(3) {
            self.value_host_index.next = bit_cast::<32, 16>(self.host_index.val());
        }
        self.value_device_index.next = 0.into();
        if self.c_sel.q.val().get_bit(4) {
            self.value_device_index.next = bit_cast::<32, 16>(self.device_index.val());
        }
        self.value_arm.next = 0.into();
        if self.c_sel.q.val().get_bit(5) {
            self.value_arm.next = bit_cast::<32, 1>(self.c_state.q.val().get_bit(32).into());
        }
        self.value_id.next = 0.into();
        if self.c_sel.q.val().get_bit(6) {
            self.value_id.next = self.id_value.val();
        }
        self.value_version.next = 0.into();
        if self.c_sel.q.val().get_bit(7) {
            self.value_version.next = self.version_value.val();
        }
        self.value_ring_count.next = 0.into();
        if self.c_sel.q.val().get_bit(8) {
            self.value_ring_count.next = bit_cast::<32, 16>(self.ring_count.val());
        }
        self.value_doorbell_errors.next = 0.into();
        if self.c_sel.q.val().get_bit(9) {
            self.value_doorbell_errors.next = self.doorbell_errors.q.val();
        }
        self.value_op_errors.next = 0.into();
        if self.c_sel.q.val().get_bit(10) {
            self.value_op_errors.next = self.op_errors.q.val();
        }
        self.value_irq_drops.next = 0.into();
        if self.c_sel.q.val().get_bit(11) {
            self.value_irq_drops.next = self.irq_drops.q.val();
        }
        self.reg_value.next = self.value_base_lo.val()
            | self.value_base_hi.val()
            | self.value_control.val()
            | self.value_host_index.val()
            | self.value_device_index.val()
            | self.value_arm.val()
            | self.value_id.val()
            | self.value_version.val()
            | self.value_ring_count.val()
            | self.value_doorbell_errors.val()
            | self.value_op_errors.val()
            | self.value_irq_drops.val();
        self.lane0.next = 0.into();
        self.lane1.next = 0.into();
        self.lane2.next = 0.into();
        self.lane3.next = 0.into();
        if self.c_strb.q.val().get_bit(0) {
            self.lane0.next = 0x0000_00FF.into();
        }
        if self.c_strb.q.val().get_bit(1) {
            self.lane1.next = 0x0000_FF00.into();
        }
        if self.c_strb.q.val().get_bit(2) {
            self.lane2.next = 0x00FF_0000.into();
        }
        if self.c_strb.q.val().get_bit(3) {
            self.lane3.next = 0xFF00_0000_u64.into();
        }
        self.lanes.next = self.lane0.val() | self.lane1.val() | self.lane2.val() | self.lane3.val();
        self.merged.next = (self.reg_value.val() & !self.lanes.val()) | (self.c_data.q.val() & self.lanes.val());
        self.e_valid.d.next = self.c_valid.q.val();
        self.e_host.d.next = self.c_host.q.val();
        self.e_write.d.next = self.c_write.q.val();
        self.e_on_ring.d.next = self.c_on_ring.q.val();
        self.e_mapped.d.next = self.c_mapped.q.val();
        self.e_ring.d.next = self.c_ring.q.val();
        self.e_code.d.next = self.c_code.q.val();
        self.e_tag.d.next = self.c_tag.q.val();
        self.e_base.d.next = self.c_base.q.val();
        self.e_function.d.next = self.c_control.q.val().get_bits::<8>(16);
        self.e_vector.d.next = self.c_control.q.val().get_bits::<8>(24);
        self.e_enabled.d.next = self.c_control.q.val().get_bit(8);
        self.e_completion.d.next = self.completion.val();
        self.e_armed.d.next = self.c_state.q.val().get_bit(32);
        self.e_empty.d.next = self.fill.val() == 0;
        self.e_full.d.next = bit_cast::<17, 16>(self.fill.val()) == self.size.val();
        self.e_size.d.next = self.size.val();
        self.e_fill.d.next = self.fill.val();
        self.e_producer.d.next = self.producer.val();
        self.e_consumer.d.next = self.consumer.val();
        // Entry slots now, byte offsets in the next stage (a mask and a shift in one cycle
        // would be too long).
        self.e_take_slot.d.next = self.consumer.val() & self.mask.val();
        self.e_post_slot.d.next = self.producer.val() & self.mask.val();
        self.e_entry_log.d.next = self.entry_log.val();
        // Phase 1 on the first pass: the index's bit `log_size` is clear.
        self.e_take_phase.d.next = !(bit_cast::<17, 16>(self.consumer.val()) & self.size.val()).any();
        self.e_post_phase.d.next = !(bit_cast::<17, 16>(self.producer.val()) & self.size.val()).any();
        self.e_is_base_lo.d.next = self.c_sel.q.val().get_bit(0);
        self.e_is_base_hi.d.next = self.c_sel.q.val().get_bit(1);
        self.e_is_control.d.next = self.c_sel.q.val().get_bit(2);
        self.e_is_host_index.d.next = self.c_sel.q.val().get_bit(3);
        self.e_is_arm.d.next = self.c_sel.q.val().get_bit(5);
        self.e_reg_value.d.next = self.reg_value.val();
        self.e_merged.d.next = self.merged.val();

        // ---- Evaluate: how far a doorbell moves the host's index; pass the rest on.
        self.x_ring_write.d.next = self.e_valid.q.val()
            & self.e_host.q.val()
            & self.e_write.q.val()
            & self.e_mapped.q.val()
            & self.e_on_ring.q.val();
        self.x_ahead.d.next = self.e_merged.q.val().get_bits::<16>(0) - self.e_consumer.q.val();
        self.x_size.d.next = self.e_size.q.val();
        self.x_fill.d.next = self.e_fill.q.val();
        self.x_valid.d.next = self.e_valid.q.val();
        self.x_host.d.next = self.e_host.q.val();
        self.x_write.d.next = self.e_write.q.val();
        self.x_on_ring.d.next = self.e_on_ring.q.val();
        self.x_mapped.d.next = self.e_mapped.q.val();
        self.x_ring.d.next = self.e_ring.q.val();
        self.x_code.d.next = self.e_code.q.val();
        self.x_tag.d.next = self.e_tag.q.val();
        self.x_base.d.next = self.e_base.q.val();
        self.x_function.d.next = self.e_function.q.val();
        self.x_entry_log.d.next = self.e_entry_log.q.val();
        self.x_vector.d.next = self.e_vector.q.val();
        self.x_enabled.d.next = self.e_enabled.q.val();
        self.x_completion.d.next = self.e_completion.q.val();
        self.x_armed.d.next = self.e_armed.q.val();
        self.x_empty.d.next = self.e_empty.q.val();
        self.x_full.d.next = self.e_full.q.val();
        self.x_producer.d.next = self.e_producer.q.val();
        self.x_consumer.d.next = self.e_consumer.q.val();
        // The indices a take or post moves to, ready before the decision.
        self.x_producer_next.d.next = self.e_producer.q.val() + 1;
        self.x_consumer_next.d.next = self.e_consumer.q.val() + 1;
        self.x_take_offset.d.next =
            bit_cast::<32, 16>(self.e_take_slot.q.val()) << bit_cast::<32, 3>(self.e_entry_log.q.val());
        self.x_post_offset.d.next =
            bit_cast::<32, 16>(self.e_post_slot.q.val()) << bit_cast::<32, 3>(self.e_entry_log.q.val());
        self.x_take_phase.d.next = self.e_take_phase.q.val();
        self.x_post_phase.d.next = self.e_post_phase.q.val();
        self.x_is_base_lo.d.next = self.e_is_base_lo.q.val();
        self.x_is_base_hi.d.next = self.e_is_base_hi.q.val();
        self.x_is_control.d.next = self.e_is_control.q.val();
        self.x_is_host_index.d.next = self.e_is_host_index.q.val();
        self.x_is_arm.d.next = self.e_is_arm.q.val();
        self.x_reg_value.d.next = self.e_reg_value.q.val();
        self.x_merged.d.next = self.e_merged.q.val();

        // ---- Execute: decide, write the state back, queue the interrupt.
        // A doorbell may move the host's index up to a full ring past the device's
        // (submission), or up to the device's index (completion: nothing unproduced consumed).
        self.doorbell_ok.next =
            self.x_enabled.q.val() & (bit_cast::<17, 16>(self.x_ahead.q.val()) <= self.x_size.q.val());
        if self.x_completion.q.val() {
            self.doorbell_ok.next = self.x_enabled.q.val() & (self.x_ahead.q.val() <= self.x_fill.q.val());
        }
        self.new_producer.next = self.x_producer.q.val();
        self.rung.d.next = false;
        self.rung_ring.d.next = self.x_ring.q.val();
        self.ring_reset.d.next = self.x_ring_write.q.val()
            & (self.x_is_base_lo.q.val() | self.x_is_base_hi.q.val() | self.x_is_control.q.val());
        self.new_consumer.next = self.x_consumer.q.val();
        self.new_armed.next = self.x_armed.q.val();
        self.write_state.next = false;
        self.w_base_we.d.next = false;
        self.w_control_we.d.next = false;
        self.status.next = 0.into();
        self.is_take.next = self.x_code.q.val() == 0;
        self.irq_send.next = false;
        if self.x_ring_write.q.val() {
            if self.x_is_base_lo.q.val() | self.x_is_base_hi.q.val() {
                self.w_base_we.d.next = true;
            }
            if self.x_is_control.q.val() {
                self.w_control_we.d.next = true;
                self.new_producer.next = 0.into();
                self.new_consumer.next = 0.into();
                self.new_armed.next = false;
                self.write_state.next = true;
            }
            if self.x_is_host_index.q.val() {
                if self.doorbell_ok.val() {
                    self.write_state.next = true;
                    self.rung.d.next = !self.x_completion.q.val();
                    if self.x_completion.q.val() {
                        self.new_consumer.next = self.x_merged.q.val().get_bits::<16>(0);
                    } else {
                        self.new_producer.next = self.x_merged.q.val().get_bits::<16>(0);
                    }
                } else if self.doorbell_errors.q.val() != 0xFFFF_FFFF_u64 {
                    self.doorbell_errors.d.next = self.doorbell_errors.q.val() + 1;
                }
            }
            if self.x_is_arm.q.val() {
                self.new_armed.next = self.x_merged.q.val().get_bit(0);
                self.write_state.next = true;
            }
        }
        // Operation and status codes are literals here (rust-hdl would print a constant's
        // name into the Verilog): they are the OP_* and STATUS_* values above.
        if self.x_valid.q.val() & !self.x_host.q.val() {
            if !self.x_enabled.q.val() {
                self.status.next = 2.into();
            } else if self.x_code.q.val() == 0 {
                if self.x_completion.q.val() {
                    self.status.next = 3.into();
                } else if self.x_empty.q.val() {
                    self.status.next = 1.into();
                } else {
                    self.new_consumer.next = self.x_consumer_next.q.val();
                    self.write_state.next = true;
                }
            } else if self.x_code.q.val() == 1 {
                if !self.x_completion.q.val() {
                    self.status.next = 3.into();
                } else if self.x_full.q.val() {
                    self.status.next = 1.into();
                } else {
                    self.new_producer.next = self.x_producer_next.q.val();
                    self.write_state.next = true;
                }
            } else if self.x_code.q.val() == 2 {
                if !self.x_completion.q.val() {
                    self.status.next = 3.into();
                } else if !self.x_armed.q.val() {
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
            if self.status.val().get_bit(1) & (self.op_errors.q.val() != 0xFFFF_FFFF_u64) {
                self.op_errors.d.next = self.op_errors.q.val() + 1;
            }
        }
        self.w_state_we.d.next = self.write_state.val();
        self.w_ring.d.next = self.x_ring.q.val();
        if self.x_is_base_lo.q.val() {
            self.w_base_data.d.next =
                (self.x_base.q.val() & 0xFFFF_FFFF_0000_0000_u64) | bit_cast::<64, 32>(self.x_merged.q.val());
        } else {
            self.w_base_data.d.next =
                (self.x_base.q.val() & 0xFFFF_FFFF_u64) | (bit_cast::<64, 32>(self.x_merged.q.val()) << 32);
        }
        self.w_control_data.d.next = self.x_merged.q.val();
        self.w_state_data.d.next = bit_cast::<33, 16>(self.new_producer.val())
            | (bit_cast::<33, 16>(self.new_consumer.val()) << 16)
            | (bit_cast::<33, 1>(self.new_armed.val().into()) << 32);
        self.irq_fifo.s_axis.tvalid.next = self.irq_send.val();
        self.irq_fifo.s_axis.tdata.next =
            bit_cast::<16, 8>(self.x_vector.q.val()) | (bit_cast::<16, 8>(self.x_function.q.val()) << 8);
        self.irq_fifo.s_axis.tkeep.next = 3.into();
        self.irq_fifo.s_axis.tlast.next = true;
        self.irq_fifo.s_axis.tuser.next = 0.into();

        // Register responses, held until taken; then the next access may be captured.
        if self.x_valid.q.val() & self.x_host.q.val() {
            if self.x_write.q.val() {
                self.bvalid.d.next = true;
                self.bresp.d.next = 0.into();
                if !self.x_mapped.q.val() {
                    self.bresp.d.next = 3.into();
                }
            } else {
                self.rvalid.d.next = true;
                self.rdata.d.next = self.x_reg_value.q.val();
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
        self.r_function.d.next = self.x_function.q.val();
        self.r_entry_log.d.next = self.x_entry_log.q.val();
        self.r_offset.d.next = self.x_post_offset.q.val();
        self.r_index.d.next = self.x_producer.q.val();
        self.r_phase.d.next = self.x_post_phase.q.val();
        if self.is_take.val() {
            self.r_offset.d.next = self.x_take_offset.q.val();
            self.r_index.d.next = self.x_consumer.q.val();
            self.r_phase.d.next = self.x_take_phase.q.val();
        }
        self.out_valid.d.next = self.r_valid.q.val();
        self.out_tag.d.next = self.r_tag.q.val();
        self.out_ring.d.next = self.r_ring.q.val();
        self.out_status.d.next = self.r_status.q.val();
        self.out_addr.d.next = self.r_base.q.val() + bit_cast::<64, 32>(self.r_offset.q.val());
        self.out_index.d.next = self.r_index.q.val();
        self.out_phase.d.next = self.r_phase.q.val();
        self.out_function.d.next = self.r_function.q.val();
        self.out_entry_log.d.next = self.r_entry_log.q.val();
        self.res_valid.next = self.out_valid.q.val();
        self.res_tag.next = self.out_tag.q.val();
        self.res_ring.next = self.out_ring.q.val();
        self.res_status.next = self.out_status.q.val();
        self.res_addr.next = self.out_addr.q.val();
        self.res_index.next = self.out_index.q.val();
        self.res_phase.next = self.out_phase.q.val();
        self.res_function.next = self.out_function.q.val();
        self.res_entry_log.next = self.out_entry_log.q.val();

        // Interrupts.
        self.irq_fifo.m_axis.tready.next = self.msix_ready.val();
        self.msix_valid.next = self.irq_fifo.m_axis.tvalid.val();
        self.msix_vector.next = self.irq_fifo.m_axis.tdata.val().get_bits::<8>(0);
        self.msix_function.next = self.irq_fifo.m_axis.tdata.val().get_bits::<8>(8);
        self.doorbell_valid.next = self.rung.q.val();
        self.doorbell_ring.next = self.rung_ring.q.val();
        self.ring_reset_valid.next = self.ring_reset.q.val();

        // ---- Write back, from registers (the route into a block RAM is long too).
        self.base_ram.write_enable.next = self.w_base_we.q.val();
        self.control_ram.write_enable.next = self.w_control_we.q.val();
        self.state_ram.write_enable.next = self.w_state_we.q.val();
        self.base_ram.write_address.next = self.w_ring.q.val();
        self.control_ram.write_address.next = self.w_ring.q.val();
        self.state_ram.write_address.next = self.w_ring.q.val();
        self.base_ram.write_data.next = self.w_base_data.q.val();
        self.control_ram.write_data.next = self.w_control_data.q.val();
        self.state_ram.write_data.next = self.w_state_data.q.val();

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
            self.rung.d.next = false;
            self.ring_reset.d.next = false;
            self.clear_ring.d.next = 0.into();
            self.host_busy.d.next = false;
            self.doorbell_errors.d.next = 0.into();
            self.op_errors.d.next = 0.into();
            self.irq_drops.d.next = 0.into();
            self.h_valid.d.next = false;
            self.o_valid.d.next = false;
            self.f_valid.d.next = false;
            self.g_valid.d.next = false;
            self.d_valid.d.next = false;
            self.c_valid.d.next = false;
            self.e_valid.d.next = false;
            self.x_valid.d.next = false;
            self.x_ring_write.d.next = false;
            self.r_valid.d.next = false;
            self.out_valid.d.next = false;
            self.bvalid.d.next = false;
            self.rvalid.d.next = false;
        }
    }
}

crate::native_ports!(
    impl[] QueueManager;
    clk, rst, s_axil.awaddr, s_axil.awprot, s_axil.awvalid, s_axil.awready, s_axil.wdata, s_axil.wstrb, s_axil.wvalid, s_axil.wready, s_axil.bresp, s_axil.bvalid, s_axil.bready, s_axil.araddr, s_axil.arprot, s_axil.arvalid, s_axil.arready, s_axil.rdata, s_axil.rresp, s_axil.rvalid, s_axil.rready, op_valid, op_ready, op_ring, op_code, op_tag, res_valid, res_tag, res_ring, res_status, res_addr, res_index, res_phase, res_function, res_entry_log, msix_valid, msix_ready, msix_vector, msix_function, doorbell_valid, doorbell_ring, ring_reset_valid,
);
