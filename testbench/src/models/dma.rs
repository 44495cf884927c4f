//! What a DMA read must deliver, from the AXI4 spec and the engine's contract: the bytes
//! of [addr, addr + len) in order, in ceil(len / 8) beats with `tkeep` marking the last
//! beat's bytes, and an error flag when any burst covering the transfer — that is, any
//! byte of the 8-byte-aligned span — answered SLVERR or DECERR.
use crate::bfm::axi4::ErrorRange;
use crate::bfm::SparseMemory;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReadRequest {
    pub addr: u64,
    /// 1..=65536 bytes.
    pub len: u32,
    pub tag: u8,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReadResult {
    pub tag: u8,
    pub error: bool,
    /// The bytes read; meaningless when `error` is set.
    pub data: Vec<u8>,
}

pub fn expected_read(memory: &SparseMemory, errors: &[ErrorRange], request: &ReadRequest) -> ReadResult {
    let span = (request.addr & !7)..(request.addr + request.len as u64).div_ceil(8) * 8;
    let error = errors.iter().any(|e| e.range.start < span.end && span.start < e.range.end);
    ReadResult { tag: request.tag, error, data: memory.read(request.addr, request.len as usize) }
}

/// The `tkeep` of beat `index` of a `len`-byte transfer.
pub fn beat_keep(len: u32, index: usize) -> u64 {
    let beats = (len as usize).div_ceil(8);
    let bytes = if index + 1 < beats { 8 } else { len as usize - 8 * (beats - 1) };
    (1u64 << bytes) - 1
}
