//! The queue manager's contract as the register map (`docs/registers.md`) states it: rings
//! with free-running 16-bit indices, doorbells checked against the ring, engine operations
//! take/post/notify, one interrupt per arming. Written from the map, not from the RTL.
use ferronic_hdl::regs::nic::*;
use std::collections::VecDeque;

use crate::bfm::axi4::{DECERR, OKAY};

/// Engine operations (`op_code`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Take = 0,
    Post = 1,
    Notify = 2,
    /// Not an operation: answered as the wrong kind.
    Invalid = 3,
}

/// `res_status`.
pub const STATUS_OK: u8 = 0;
pub const STATUS_NONE: u8 = 1;
pub const STATUS_DISABLED: u8 = 2;
pub const STATUS_WRONG_KIND: u8 = 3;

/// An operation's answer. `addr`, `index`, `phase` and `function` mean something only
/// with `STATUS_OK` on a take or post.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OpResult {
    pub status: u8,
    pub addr: u64,
    pub index: u16,
    pub phase: bool,
    pub function: u8,
}

#[derive(Clone, Copy, Debug, Default)]
struct Ring {
    base: u64,
    control: u32,
    producer: u16,
    consumer: u16,
    armed: bool,
}

impl Ring {
    fn size(&self) -> u32 {
        1 << CONTROL_LOG_SIZE.get(self.control)
    }
    fn enabled(&self) -> bool {
        CONTROL_ENABLE.get(self.control) != 0
    }
    fn completion(&self) -> bool {
        CONTROL_COMPLETION.get(self.control) != 0
    }
    fn fill(&self) -> u32 {
        self.producer.wrapping_sub(self.consumer) as u32
    }
    fn host_index(&self) -> u16 {
        if self.completion() {
            self.consumer
        } else {
            self.producer
        }
    }
    fn device_index(&self) -> u16 {
        if self.completion() {
            self.producer
        } else {
            self.consumer
        }
    }
    fn entry(&self, index: u16) -> OpResult {
        let size = self.size();
        OpResult {
            status: STATUS_OK,
            addr: self.base.wrapping_add(((index as u64) & (size as u64 - 1)) << CONTROL_ENTRY_LOG.get(self.control)),
            index,
            // 1 on the first pass (index / size even), flipping on every wrap.
            phase: (index as u32 / size) % 2 == 0,
            function: CONTROL_FUNCTION.get(self.control) as u8,
        }
    }
}

fn refused(status: u8) -> OpResult {
    OpResult { status, addr: 0, index: 0, phase: false, function: 0 }
}

/// The queue manager as a host driver and the engines see it.
#[derive(Clone, Debug)]
pub struct QueueModel {
    rings: Vec<Ring>,
    pub doorbell_errors: u32,
    pub op_errors: u32,
    pub irq_drops: u32,
    /// Interrupts sent and not yet taken from `msix_`: (vector, function).
    pub interrupts: VecDeque<(u8, u8)>,
    /// How many interrupts the hardware can hold before `msix_` takes them.
    pub irq_capacity: usize,
}

/// Where a BAR0 address lands.
enum Target {
    Global(u32),
    Ring(usize, u32),
    Unmapped,
}

impl QueueModel {
    pub fn new(rings: usize) -> Self {
        Self {
            rings: vec![Ring::default(); rings],
            doorbell_errors: 0,
            op_errors: 0,
            irq_drops: 0,
            interrupts: VecDeque::new(),
            irq_capacity: 256,
        }
    }

    fn decode(&self, addr: u32) -> Target {
        let addr = addr & 0xFFFC;
        if addr < RINGS_BASE {
            // Only the queue manager's own group: in the NIC the BAR0 split sends the RDMA
            // group elsewhere, and the queue manager alone answers it as unmapped.
            if GLOBALS.registers.iter().any(|r| r.offset == addr) {
                Target::Global(addr)
            } else {
                Target::Unmapped
            }
        } else {
            let ring = ((addr - RINGS_BASE) / RING_STRIDE) as usize;
            let offset = (addr - RINGS_BASE) % RING_STRIDE;
            if ring < self.rings.len() && RINGS.registers.iter().any(|r| r.offset == offset) {
                Target::Ring(ring, offset)
            } else {
                Target::Unmapped
            }
        }
    }

    fn current(&self, target: &Target) -> u32 {
        match *target {
            Target::Global(offset) => match offset {
                o if o == ID.offset => ID_VALUE,
                o if o == VERSION.offset => VERSION_VALUE,
                o if o == RING_COUNT.offset => self.rings.len() as u32,
                o if o == DOORBELL_ERRORS.offset => self.doorbell_errors,
                o if o == OP_ERRORS.offset => self.op_errors,
                o if o == IRQ_DROPS.offset => self.irq_drops,
                _ => unreachable!("decode admits only mapped offsets"),
            },
            Target::Ring(n, offset) => {
                let r = &self.rings[n];
                match offset {
                    o if o == RING_BASE_LO.offset => r.base as u32,
                    o if o == RING_BASE_HI.offset => (r.base >> 32) as u32,
                    o if o == RING_CONTROL.offset => r.control,
                    o if o == RING_HOST_INDEX.offset => r.host_index() as u32,
                    o if o == RING_DEVICE_INDEX.offset => r.device_index() as u32,
                    o if o == RING_ARM.offset => r.armed as u32,
                    _ => unreachable!("decode admits only mapped offsets"),
                }
            }
            Target::Unmapped => 0,
        }
    }

    /// A register read: (data, response).
    pub fn read(&self, addr: u32) -> (u32, u8) {
        let target = self.decode(addr);
        let resp = if matches!(target, Target::Unmapped) { DECERR } else { OKAY };
        (self.current(&target), resp)
    }

    /// A register write with byte strobes; returns the response.
    pub fn write(&mut self, addr: u32, data: u32, strb: u8) -> u8 {
        let target = self.decode(addr);
        let lanes = (0..4).filter(|b| strb >> b & 1 != 0).fold(0u32, |m, b| m | 0xFF << (8 * b));
        let merged = (self.current(&target) & !lanes) | (data & lanes);
        match target {
            Target::Unmapped => return DECERR,
            Target::Global(_) => {} // all read-only
            Target::Ring(n, offset) => {
                let r = &mut self.rings[n];
                match offset {
                    o if o == RING_BASE_LO.offset => r.base = (r.base & !0xFFFF_FFFF) | merged as u64,
                    o if o == RING_BASE_HI.offset => r.base = (r.base & 0xFFFF_FFFF) | (merged as u64) << 32,
                    o if o == RING_CONTROL.offset => {
                        r.control = merged;
                        r.producer = 0;
                        r.consumer = 0;
                        r.armed = false;
                    }
                    o if o == RING_HOST_INDEX.offset => {
                        let new = merged as u16;
                        let ahead = new.wrapping_sub(r.consumer) as u32;
                        let ok = r.enabled() && if r.completion() { ahead <= r.fill() } else { ahead <= r.size() };
                        if !ok {
                            self.doorbell_errors = self.doorbell_errors.saturating_add(1);
                        } else if r.completion() {
                            r.consumer = new;
                        } else {
                            r.producer = new;
                        }
                    }
                    o if o == RING_ARM.offset => r.armed = merged & 1 != 0,
                    _ => {} // device_index: read-only
                }
            }
        }
        OKAY
    }

    /// An engine operation on `ring` (any 8-bit number: rings beyond the build are disabled).
    pub fn op(&mut self, ring: u8, op: Op) -> OpResult {
        let mut none = Ring::default();
        let r = self.rings.get_mut(ring as usize).unwrap_or(&mut none);
        let result = if !r.enabled() {
            refused(STATUS_DISABLED)
        } else {
            match op {
                Op::Take if r.completion() => refused(STATUS_WRONG_KIND),
                Op::Take if r.fill() == 0 => refused(STATUS_NONE),
                Op::Take => {
                    let entry = r.entry(r.consumer);
                    r.consumer = r.consumer.wrapping_add(1);
                    entry
                }
                Op::Post if !r.completion() => refused(STATUS_WRONG_KIND),
                Op::Post if r.fill() == r.size() => refused(STATUS_NONE),
                Op::Post => {
                    let entry = r.entry(r.producer);
                    r.producer = r.producer.wrapping_add(1);
                    entry
                }
                Op::Notify if !r.completion() => refused(STATUS_WRONG_KIND),
                Op::Notify if !r.armed => refused(STATUS_NONE),
                Op::Notify if self.interrupts.len() >= self.irq_capacity => {
                    self.irq_drops = self.irq_drops.saturating_add(1);
                    refused(STATUS_NONE)
                }
                Op::Notify => {
                    r.armed = false;
                    let vector = CONTROL_VECTOR.get(r.control) as u8;
                    let function = CONTROL_FUNCTION.get(r.control) as u8;
                    self.interrupts.push_back((vector, function));
                    refused(STATUS_OK)
                }
                Op::Invalid => refused(STATUS_WRONG_KIND),
            }
        };
        if result.status == STATUS_DISABLED || result.status == STATUS_WRONG_KIND {
            self.op_errors = self.op_errors.saturating_add(1);
        }
        result
    }
}
