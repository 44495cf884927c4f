//! What the stream packer must do (docs/blocks/stream_packer.md), from its contract: each
//! input beat contributes the bytes its `tkeep` marks from bit 0 up to the first zero; the
//! bytes of a frame (up to an input `tlast`) leave as full 8-byte beats, the last one
//! marked `tlast` with `tkeep` covering what is left. An input error (`tuser`) flags the
//! output beat leaving when that input is taken (or the next to leave) and every beat after
//! it to `tlast`. A frame of no bytes leaves nothing.
use crate::bfm::axis::frame_to_beats;
use crate::bfm::AxisBeat;

/// Bytes an input beat contributes: the ones of `keep` from bit 0 up.
pub fn valid_bytes(keep: u64) -> usize {
    (keep & 0xFF).trailing_ones() as usize
}

/// Whether an input beat breaks the `tkeep` rule (counted in `keep_errors`).
pub fn breaks_keep_rule(keep: u64) -> bool {
    let n = valid_bytes(keep);
    keep & 0xFF != (1u64 << n) - 1
}

/// The beats the packer must send for `input`; input after the last `tlast` stays held.
pub fn pack(input: &[AxisBeat]) -> Vec<AxisBeat> {
    let mut out = Vec::new();
    let mut bytes = Vec::new();
    let mut first_error: Option<usize> = None;
    for beat in input {
        if beat.user & 1 != 0 && first_error.is_none() {
            // The output beat the hardware sends next holds the byte before this input's
            // first one (a full beat waits for the next input).
            first_error = Some(bytes.len().saturating_sub(1) / 8);
        }
        let n = valid_bytes(beat.keep);
        bytes.extend_from_slice(&beat.data.to_le_bytes()[..n]);
        if beat.last {
            for (k, mut b) in frame_to_beats(&bytes, 8, 0).into_iter().enumerate() {
                b.user = first_error.is_some_and(|e| k >= e) as u64;
                out.push(b);
            }
            bytes.clear();
            first_error = None;
        }
    }
    out
}
