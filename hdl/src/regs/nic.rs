//! BAR0 of the ferronic NIC: identification, error counters, the RDMA receive path's
//! command registers and counters (0x800-0xFFF), one register block per ring
//! (submission or completion queue) of the queue manager (from 0x1000), and the DMA window
//! of each PCIe function (0x3000-0x37FF).
use super::{Access::*, Field, Register, RegisterArray, RegisterGroup, RegisterMap};

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

pub const WINDOW_BASE_LO: Register = Register {
    name: "base_lo",
    offset: 0x0,
    reset: 0,
    doc: "First host address the function may reach by DMA, bits 31:0",
    fields: &[field("addr", 0, 32, Rw, "first byte of the window")],
};
pub const WINDOW_BASE_HI: Register = Register {
    name: "base_hi",
    offset: 0x4,
    reset: 0,
    doc: "First host address the function may reach by DMA, bits 63:32",
    fields: &[field("addr", 0, 32, Rw, "first byte of the window")],
};
pub const WINDOW_LIMIT_LO: Register = Register {
    name: "limit_lo",
    offset: 0x8,
    reset: 0xFFFF_FFFF,
    doc: "Last host address the function may reach by DMA (inclusive), bits 31:0",
    fields: &[field("addr", 0, 32, Rw, "last byte of the window")],
};
pub const WINDOW_LIMIT_HI: Register = Register {
    name: "limit_hi",
    offset: 0xC,
    reset: 0xFFFF_FFFF,
    doc: "Last host address the function may reach by DMA (inclusive), bits 63:32",
    fields: &[field("addr", 0, 32, Rw, "last byte of the window")],
};

/// Where the DMA windows start, how far apart, and how many functions have one.
pub const WINDOWS_BASE: u32 = 0x3000;
pub const WINDOW_STRIDE: u32 = 0x10;
pub const WINDOW_FUNCTIONS: u32 = 32;
/// BAR0 offsets from `WINDOWS_BASE` up to here go to the DMA windows (2 KiB, a region of
/// the BAR0 split).
pub const WINDOWS_END: u32 = 0x3800;
const _: () = assert!(WINDOWS_BASE + WINDOW_FUNCTIONS * WINDOW_STRIDE <= WINDOWS_END);
const _: () = assert!(RINGS_BASE + 256 * RING_STRIDE <= WINDOWS_BASE);

pub const WINDOWS: RegisterArray = RegisterArray {
    name: "window",
    base: WINDOWS_BASE,
    stride: WINDOW_STRIDE,
    count_doc: "`n` < 32, the PCIe function (0 = PF, n = VF n)",
    doc: "The host memory each function's queues may reach by DMA: [base, limit], both \
          inclusive. Every DMA the engines make for a ring owned by function `n` (the ring's \
          `control.function`) must lie inside window `n`, or it is not made (see each engine \
          for the outcome). After reset every window is all of memory; a function numbered \
          32 or more has no window and reaches nothing. A window with limit < base is empty.",
    registers: &[WINDOW_BASE_LO, WINDOW_BASE_HI, WINDOW_LIMIT_LO, WINDOW_LIMIT_HI],
};

pub const RSS_QUEUE: Register = Register {
    name: "queue",
    offset: 0x0,
    reset: 0,
    doc: "RX queue of the frames whose RSS hash has `n` in its low 7 bits; after reset entry \
          `n` holds `n` mod 8 (0 is entry 0's)",
    fields: &[field("queue", 0, 3, Rw, "RX queue 0..7")],
};

/// The RSS indirection table: where it starts, its entries (one dword each).
pub const RSS_BASE: u32 = 0x3800;
pub const RSS_ENTRIES: u32 = 128;
/// BAR0 offsets from `RSS_BASE` up to here go to the table (2 KiB, a region of the BAR0
/// split; entries past the 128th are unmapped).
pub const RSS_END: u32 = 0x4000;
const _: () = assert!(WINDOWS_END == RSS_BASE && RSS_BASE + RSS_ENTRIES * 4 <= RSS_END);

pub const RSS: RegisterArray = RegisterArray {
    name: "rss",
    base: RSS_BASE,
    stride: 4,
    count_doc: "`n` < 128, the low 7 bits of a frame's RSS hash",
    doc: "The RSS indirection table: the RX engine steers a frame to queue `rss[hash mod 128]`, \
          where `hash` is the Toeplitz hash it reports in the frame's completions. After reset \
          entry `n` holds `n` mod 8, the table the ENA driver sets by default over 8 queues \
          (`ethtool_rxfh_indir_default`), so a host that never writes it gets hash mod 8. \
          A frame already waiting when its entry is written may go to either queue.",
    registers: &[RSS_QUEUE],
};

/// The RDMA receive path's registers: a command (fields, then the op written into
/// `rdma_cmd_issue`), its result, and the path's counters. Contiguous dwords from
/// `RDMA_BASE`, in the order of the `RDMA` group (the block decodes them by that index).
pub const RDMA_BASE: u32 = 0x800;
/// BAR0 offsets from `RDMA_BASE` up to here go to the RDMA block (the rest to the queue manager).
pub const RDMA_WINDOW_END: u32 = 0x1000;

const fn rdma_register(
    index: u32,
    name: &'static str,
    reset: u32,
    doc: &'static str,
    fields: &'static [Field],
) -> Register {
    Register { name, offset: RDMA_BASE + 4 * index, reset, doc, fields }
}

pub const RDMA_CMD_QP: Register =
    rdma_register(0, "rdma_cmd_qp", 0, "RDMA command: queue pair", &[field("qp", 0, 24, Rw, "destination QP number")]);
pub const RDMA_CMD_PSN: Register = rdma_register(
    1,
    "rdma_cmd_psn",
    0,
    "RDMA command: PSN",
    &[field(
        "psn",
        0,
        24,
        Rw,
        "install, retire: the transaction's first PSN; open QP: the PSN the receive window starts at",
    )],
);
pub const RDMA_CMD_PACKETS: Register = rdma_register(
    2,
    "rdma_cmd_packets",
    0,
    "RDMA command: packets of the transaction (install); the requester's QP, where the QP's ACKs go (open)",
    &[field("packets", 0, 24, Rw, "install: number of packets (PSNs) of the message; open: the requester's QP")],
);
pub const RDMA_CMD_VA_LO: Register = rdma_register(
    3,
    "rdma_cmd_va_lo",
    0,
    "RDMA command: region start, bits 31:0 (install)",
    &[field("va", 0, 32, Rw, "virtual address (the RETH's)")],
);
pub const RDMA_CMD_VA_HI: Register = rdma_register(
    4,
    "rdma_cmd_va_hi",
    0,
    "RDMA command: region start, bits 63:32 (install)",
    &[field("va", 0, 32, Rw, "virtual address (the RETH's)")],
);
pub const RDMA_CMD_LENGTH: Register = rdma_register(
    5,
    "rdma_cmd_length",
    0,
    "RDMA command: message length in bytes (install)",
    &[field("length", 0, 32, Rw, "bytes")],
);
pub const RDMA_CMD_RKEY: Register = rdma_register(
    6,
    "rdma_cmd_rkey",
    0,
    "RDMA command: R_Key (install)",
    &[field("rkey", 0, 32, Rw, "the RETH's R_Key must match")],
);
pub const RDMA_PARAMS_PATH_MTU: Field = field("path_mtu", 0, 3, Rw, "IBA path MTU code: 1 = 256 B ... 5 = 4096 B");
pub const RDMA_PARAMS_FUNCTION: Field = field("function", 8, 8, Rw, "owning PCIe function");
pub const RDMA_PARAMS_CQ: Field = field("cq", 16, 16, Rw, "completion queue of the message");
pub const RDMA_CMD_PARAMS: Register = rdma_register(
    7,
    "rdma_cmd_params",
    0,
    "RDMA command: path MTU, function, completion queue (install)",
    &[RDMA_PARAMS_PATH_MTU, RDMA_PARAMS_FUNCTION, RDMA_PARAMS_CQ],
);
pub const RDMA_CMD_ISSUE: Register = rdma_register(
    8,
    "rdma_cmd_issue",
    0,
    "RDMA command: writing the op (byte 0) issues the command with the fields above; reads give the \
     last op. Refused with SLVERR (and counted in `rdma_cmd_refused`) while a command is busy",
    &[field("op", 0, 2, Rw, "0 install, 1 retire, 2 open QP, 3 close QP")],
);
pub const RDMA_RESULT_BUSY: Field = field("busy", 0, 1, Ro, "the command is not answered yet");
pub const RDMA_RESULT_STATUS: Field =
    field("status", 1, 3, Ro, "0 OK, 1 row full, 2 PSNs overlap, 3 not found, 4 invalid, 5 QP slot in use (open QP)");
pub const RDMA_RESULT_ENTRY: Field = field("entry", 16, 12, Ro, "install, retire: the table entry");
pub const RDMA_CMD_RESULT: Register = rdma_register(
    9,
    "rdma_cmd_result",
    0,
    "RDMA command: the answer to the last command",
    &[RDMA_RESULT_BUSY, RDMA_RESULT_STATUS, RDMA_RESULT_ENTRY],
);
const COUNTER_FIELDS: &[Field] = &[field("count", 0, 32, Ro, "saturating counter")];
const fn rdma_counter(index: u32, name: &'static str, doc: &'static str) -> Register {
    rdma_register(index, name, 0, doc, COUNTER_FIELDS)
}
pub const RDMA_CMD_REFUSED: Register =
    rdma_counter(10, "rdma_cmd_refused", "Commands issued while one was busy (refused)");
pub const RDMA_ROCE_FRAMES: Register = rdma_counter(11, "rdma_roce_frames", "RoCEv2 frames received");
pub const RDMA_ICRC_ERRORS: Register = rdma_counter(12, "rdma_icrc_errors", "RoCEv2 frames dropped for a bad ICRC");
pub const RDMA_TRUNCATED: Register = rdma_counter(13, "rdma_truncated", "RoCEv2 frames dropped as cut short");
pub const RDMA_PLACED: Register = rdma_counter(14, "rdma_placed", "Packets placed in host memory");
pub const RDMA_DUPLICATES: Register = rdma_counter(15, "rdma_duplicates", "Packets dropped as duplicates");
pub const RDMA_SOFTWARE: Register =
    rdma_counter(16, "rdma_software", "RoCEv2 packets handed to software (the reason is in the RX completion)");
pub const RDMA_MAC_ERRORS: Register =
    rdma_counter(17, "rdma_mac_errors", "RoCEv2 frames the MAC flagged bad (dropped)");
pub const RDMA_WRITE_ERRORS: Register =
    rdma_counter(18, "rdma_write_errors", "Placement writes answered SLVERR/DECERR");
pub const RDMA_ENTRIES: Register =
    rdma_register(19, "rdma_entries", 0, "Transactions installed", &[field("count", 0, 13, Ro, "entries in use")]);
pub const RDMA_WINDOW_ERRORS: Register = rdma_counter(
    20,
    "rdma_window_errors",
    "Placements refused for lying outside their function's DMA window (each also in rdma_write_errors)",
);
pub const RDMA_CQ_LOST: Register = rdma_counter(
    21,
    "rdma_cq_lost",
    "Message completions and failure records not written into their completion ring (no such ring, ring off or \
     full, entries not 16 bytes, outside the ring function's DMA window, or the write answered with an error)",
);
pub const RDMA_ACKS_SENT: Register =
    rdma_counter(22, "rdma_acks_sent", "RoCEv2 acknowledgements sent (on m_axis_tx, between the TX engine's frames)");
pub const RDMA_ACK_DROPS: Register = rdma_counter(
    23,
    "rdma_ack_drops",
    "Acknowledgements dropped because sixteen were waiting for m_axis_tx (a later one covers their PSNs)",
);
/// The queue manager's global registers (its rings are the `RINGS` array).
pub const GLOBALS: RegisterGroup = RegisterGroup {
    name: "global",
    title: "Global registers",
    doc: "Identification and the queue manager's error counters.",
    registers: &[ID, VERSION, RING_COUNT, DOORBELL_ERRORS, OP_ERRORS, IRQ_DROPS],
};

/// The RDMA receive path's block, in dword order from `RDMA_BASE` (the block decodes them by
/// that index).
pub const RDMA: RegisterGroup = RegisterGroup {
    name: "rdma",
    title: "RDMA receive path registers",
    doc: "From `0x0800` (BAR0 0x800-0xFFF goes to this block): a transaction-table command \
          (write its fields, then its op into `rdma_cmd_issue`; poll `rdma_cmd_result` until \
          not busy), and the RDMA path's counters.",
    registers: &[
        RDMA_CMD_QP,
        RDMA_CMD_PSN,
        RDMA_CMD_PACKETS,
        RDMA_CMD_VA_LO,
        RDMA_CMD_VA_HI,
        RDMA_CMD_LENGTH,
        RDMA_CMD_RKEY,
        RDMA_CMD_PARAMS,
        RDMA_CMD_ISSUE,
        RDMA_CMD_RESULT,
        RDMA_CMD_REFUSED,
        RDMA_ROCE_FRAMES,
        RDMA_ICRC_ERRORS,
        RDMA_TRUNCATED,
        RDMA_PLACED,
        RDMA_DUPLICATES,
        RDMA_SOFTWARE,
        RDMA_MAC_ERRORS,
        RDMA_WRITE_ERRORS,
        RDMA_ENTRIES,
        RDMA_WINDOW_ERRORS,
        RDMA_CQ_LOST,
        RDMA_ACKS_SENT,
        RDMA_ACK_DROPS,
    ],
};

pub const NIC: RegisterMap = RegisterMap {
    name: "ferronic",
    doc: "BAR0, 32-bit registers on `s_axil_` (AXI4-Lite). Reads of unmapped addresses return 0 \
          with DECERR; writes to them and to read-only fields are ignored (writes to unmapped \
          addresses answer DECERR). Byte strobes apply.",
    groups: &[GLOBALS, RDMA],
    arrays: &[RINGS, WINDOWS, RSS],
};
