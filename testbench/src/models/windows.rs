//! The DMA windows as the register map describes them (`regs::nic::WINDOWS`): per PCIe
//! function an inclusive range [base, limit] of host memory its queues may reach; all of
//! memory after reset; no window (nothing reachable) for a function past the table.
use crate::bfm::axi4::{DECERR, OKAY};
use crate::bfm::axil::strobe_mask;
use ferronic_hdl::regs::nic::{WINDOWS, WINDOWS_END, WINDOW_FUNCTIONS};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WindowTable {
    /// {base, limit} per function.
    windows: Vec<(u64, u64)>,
}

impl Default for WindowTable {
    fn default() -> Self {
        Self { windows: vec![(0, u64::MAX); WINDOW_FUNCTIONS as usize] }
    }
}

/// Which function and which dword (0 base_lo, 1 base_hi, 2 limit_lo, 3 limit_hi) a BAR0
/// offset in the windows' region names, if it names one.
fn decode(offset: u64) -> Option<(usize, usize)> {
    let region = WINDOWS.base as u64..WINDOWS_END as u64;
    if !region.contains(&offset) {
        return None;
    }
    let function = ((offset - WINDOWS.base as u64) / WINDOWS.stride as u64) as usize;
    let dword = ((offset % WINDOWS.stride as u64) / 4) as usize;
    (function < WINDOW_FUNCTIONS as usize).then_some((function, dword))
}

impl WindowTable {
    /// The window of `function`: [base, limit]; (all ones, 0), empty, past the table.
    pub fn window(&self, function: usize) -> (u64, u64) {
        self.windows.get(function).copied().unwrap_or((u64::MAX, 0))
    }

    pub fn set(&mut self, function: usize, base: u64, limit: u64) {
        self.windows[function] = (base, limit);
    }

    /// Whether `len` bytes (at least 1) from `addr` lie inside `function`'s window.
    pub fn allows(&self, function: usize, addr: u64, len: u64) -> bool {
        let (base, limit) = self.window(function);
        match addr.checked_add(len.max(1) - 1) {
            Some(last) => addr >= base && last <= limit,
            None => false,
        }
    }

    fn dword(&self, function: usize, dword: usize) -> u32 {
        let (base, limit) = self.windows[function];
        let value = if dword < 2 { base } else { limit };
        (value >> (32 * (dword % 2))) as u32
    }

    /// A register write at BAR0 `offset`: its response.
    pub fn write(&mut self, offset: u64, data: u32, strb: u8) -> u8 {
        let Some((function, dword)) = decode(offset) else { return DECERR };
        let mask = strobe_mask(strb);
        let merged = (self.dword(function, dword) & !mask) | (data & mask);
        let shift = 32 * (dword % 2);
        let (base, limit) = &mut self.windows[function];
        let target = if dword < 2 { base } else { limit };
        *target = (*target & !(0xFFFF_FFFFu64 << shift)) | (merged as u64) << shift;
        OKAY
    }

    /// A register read at BAR0 `offset`: data and response (0 with DECERR off the table).
    pub fn read(&self, offset: u64) -> (u32, u8) {
        match decode(offset) {
            Some((function, dword)) => (self.dword(function, dword), OKAY),
            None => (0, DECERR),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferronic_hdl::regs::nic::WINDOWS_BASE;

    #[test]
    fn a_window_holds_its_ends_and_nothing_past_them() {
        let mut t = WindowTable::default();
        assert!(t.allows(5, u64::MAX, 1), "after reset every window is all of memory");
        t.set(5, 0x1000, 0x1FFF);
        assert!(t.allows(5, 0x1000, 0x1000));
        assert!(!t.allows(5, 0x1000, 0x1001));
        assert!(!t.allows(5, 0xFFF, 2));
        assert!(!t.allows(5, u64::MAX, 2), "a range that wraps is outside");
        assert!(!t.allows(WINDOW_FUNCTIONS as usize, 0, 1), "past the table: no window");
    }

    #[test]
    fn registers_write_the_dwords_of_base_and_limit_under_their_strobes() {
        let mut t = WindowTable::default();
        let limit_hi = WINDOWS_BASE as u64 + 3 * 16 + 0xC;
        assert_eq!(t.write(limit_hi, 0x1234_5678, 0b0011), OKAY);
        assert_eq!(t.window(3), (0, 0xFFFF_5678_FFFF_FFFF));
        assert_eq!(t.read(limit_hi), (0xFFFF_5678, OKAY));
        assert_eq!(t.write(WINDOWS_BASE as u64 + 3 * 16 + 4, 0xAB, 0xF), OKAY);
        assert_eq!(t.window(3).0, 0xAB_0000_0000);
        assert_eq!(t.write(WINDOWS_BASE as u64 + 32 * 16, 1, 0xF), DECERR);
        assert_eq!(t.read(WINDOWS_BASE as u64 + 32 * 16), (0, DECERR));
    }
}
