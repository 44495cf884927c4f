//! BAR0 of the ferronic NIC: identification, error counters, and one register block per
//! ring (submission or completion queue) of the queue manager.
use super::{Access::*, Field, Register, RegisterArray, RegisterMap};

const fn field(name: &'static str, lsb: u32, width: u32, access: super::Access, doc: &'static str) -> Field {
    Field { name, lsb, width, access, doc }
}

/// "FNIC" in ASCII.
pub const ID_VALUE: u32 = 0x464E_4943;
/// Major 0, minor 1.
pub const VERSION_VALUE: u32 = 0x0000_0001;

pub const ID: Register = Register {
    name: "id",
    offset: 0x000,
    reset: ID_VALUE,
    doc: "Identification: \"FNIC\"",
    fields: &[field("value", 0, 32, Ro, "0x464e4943")],
};
pub const VERSION: Register = Register {
    name: "version",
    offset: 0x004,
    reset: VERSION_VALUE,
    doc: "Register-map version",
    fields: &[field("minor", 0, 16, Ro, "minor version"), field("major", 16, 16, Ro, "major version")],
};
pub const RING_COUNT: Register = Register {
    name: "ring_count",
    offset: 0x008,
    reset: 0,
    doc: "Rings in this build (reset value: the build's)",
    fields: &[field("count", 0, 16, Ro, "number of ring register blocks")],
};
pub const DOORBELL_ERRORS: Register = Register {
    name: "doorbell_errors",
    offset: 0x00C,
    reset: 0,
    doc: "Doorbells refused: ring disabled, or an index beyond the ring",
    fields: &[field("count", 0, 32, Ro, "saturating counter")],
};
pub const OP_ERRORS: Register = Register {
    name: "op_errors",
    offset: 0x010,
    reset: 0,
    doc: "Engine operations refused: ring disabled, or the wrong kind of ring",
    fields: &[field("count", 0, 32, Ro, "saturating counter")],
};
pub const IRQ_DROPS: Register = Register {
    name: "irq_drops",
    offset: 0x014,
    reset: 0,
    doc: "Interrupts not queued because the interrupt queue was full (the ring stays armed)",
    fields: &[field("count", 0, 32, Ro, "saturating counter")],
};

pub const RING_BASE_LO: Register = Register {
    name: "base_lo",
    offset: 0x00,
    reset: 0,
    doc: "Ring base address, bits 31:0",
    fields: &[field("addr", 0, 32, Rw, "host address of entry 0")],
};
pub const RING_BASE_HI: Register = Register {
    name: "base_hi",
    offset: 0x04,
    reset: 0,
    doc: "Ring base address, bits 63:32",
    fields: &[field("addr", 0, 32, Rw, "host address of entry 0")],
};
pub const CONTROL_LOG_SIZE: Field = field("log_size", 0, 4, Rw, "log2 of the number of entries (0..15)");
pub const CONTROL_ENTRY_LOG: Field =
    field("entry_log", 4, 3, Rw, "log2 of the entry size in bytes (3: 8 B, 4: 16 B; 7 on a TX submission ring: an LLQ queue, 128-byte entries in BAR2)");
pub const CONTROL_ENABLE: Field = field("enable", 8, 1, Rw, "the ring is in use");
pub const CONTROL_COMPLETION: Field =
    field("completion", 9, 1, Rw, "0: submission ring (host produces), 1: completion ring (device produces)");
pub const CONTROL_FUNCTION: Field = field("function", 16, 8, Rw, "owning PCIe function (0 = PF, n = VF n)");
pub const CONTROL_VECTOR: Field = field("vector", 24, 8, Rw, "MSI-X vector of a completion ring");
pub const RING_CONTROL: Register = Register {
    name: "control",
    offset: 0x08,
    reset: 0,
    doc: "Ring set-up. Any write resets both indices to 0 and disarms the interrupt",
    fields: &[
        CONTROL_LOG_SIZE,
        CONTROL_ENTRY_LOG,
        CONTROL_ENABLE,
        CONTROL_COMPLETION,
        CONTROL_FUNCTION,
        CONTROL_VECTOR,
    ],
};
pub const RING_HOST_INDEX: Register = Register {
    name: "host_index",
    offset: 0x0C,
    reset: 0,
    doc: "Doorbell: the host's free-running index (submission: producer/tail; completion: \
          consumer/head). Refused and counted when the ring is disabled or the index is \
          beyond the ring",
    fields: &[field("index", 0, 16, Rw, "free-running index (entry = index mod size)")],
};
pub const RING_DEVICE_INDEX: Register = Register {
    name: "device_index",
    offset: 0x10,
    reset: 0,
    doc: "The device's free-running index (submission: consumer/head; completion: producer/tail)",
    fields: &[field("index", 0, 16, Ro, "free-running index")],
};
pub const RING_ARM: Register = Register {
    name: "arm",
    offset: 0x14,
    reset: 0,
    doc: "Interrupt arm (unmask): the next completion notified on this ring sends one MSI-X \
          message and disarms it",
    fields: &[field("armed", 0, 1, Rw, "1: armed")],
};

/// Where the ring blocks start and how far apart they are.
pub const RINGS_BASE: u32 = 0x1000;
pub const RING_STRIDE: u32 = 0x20;

pub const RINGS: RegisterArray = RegisterArray {
    name: "ring",
    base: RINGS_BASE,
    stride: RING_STRIDE,
    count_doc: "`n` < `ring_count`",
    doc: "One block per ring of the queue manager. Indices are free-running 16-bit counters; \
          entry `i` of a ring lives at `base + (i mod size) << entry_log`. A completion entry's \
          phase bit is 1 on the first pass through the ring and flips on every wrap.",
    registers: &[RING_BASE_LO, RING_BASE_HI, RING_CONTROL, RING_HOST_INDEX, RING_DEVICE_INDEX, RING_ARM],
};

pub const NIC: RegisterMap = RegisterMap {
    name: "ferronic",
    doc: "BAR0, 32-bit registers on `s_axil_` (AXI4-Lite). Reads of unmapped addresses return 0 \
          with DECERR; writes to them and to read-only fields are ignored (writes to unmapped \
          addresses answer DECERR). Byte strobes apply.",
    registers: &[ID, VERSION, RING_COUNT, DOORBELL_ERRORS, OP_ERRORS, IRQ_DROPS],
    arrays: &[RINGS],
};
