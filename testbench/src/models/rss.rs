//! The RSS indirection table as the register map describes it (`regs::nic::RSS`): 128
//! entries, each the RX queue (3 bits) of the frames whose hash has the entry's number in its
//! low 7 bits; entry `n` is `n` mod 8 after reset (the ENA driver's default over 8 queues).
use crate::bfm::axi4::{DECERR, OKAY};
use ferronic_hdl::regs::nic::{RSS, RSS_END, RSS_ENTRIES};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RssTable {
    queues: Vec<u8>,
}

impl Default for RssTable {
    fn default() -> Self {
        Self { queues: (0..RSS_ENTRIES).map(|n| (n % 8) as u8).collect() }
    }
}

/// The entry a BAR0 offset in the table's region names, if it names one.
fn decode(offset: u64) -> Option<usize> {
    if !(RSS.base as u64..RSS_END as u64).contains(&offset) {
        return None;
    }
    let entry = ((offset - RSS.base as u64) / RSS.stride as u64) as usize;
    (entry < RSS_ENTRIES as usize).then_some(entry)
}

impl RssTable {
    /// A table from 128 queues (each taken mod 8, as the 3-bit field keeps them).
    pub fn from_queues(queues: &[u8]) -> Self {
        assert_eq!(queues.len(), RSS_ENTRIES as usize);
        Self { queues: queues.iter().map(|q| q % 8).collect() }
    }

    /// The RX queue of a frame with RSS hash `hash`.
    pub fn queue(&self, hash: u32) -> usize {
        self.queues[(hash % RSS_ENTRIES) as usize] as usize
    }

    pub fn entries(&self) -> &[u8] {
        &self.queues
    }

    /// A register write at BAR0 `offset`: its response. Only byte 0 holds a field.
    pub fn write(&mut self, offset: u64, data: u32, strb: u8) -> u8 {
        let Some(entry) = decode(offset) else { return DECERR };
        if strb & 1 != 0 {
            self.queues[entry] = (data & 7) as u8;
        }
        OKAY
    }

    /// A register read at BAR0 `offset`: data and response (0 with DECERR off the table).
    pub fn read(&self, offset: u64) -> (u32, u8) {
        match decode(offset) {
            Some(entry) => (self.queues[entry] as u32, OKAY),
            None => (0, DECERR),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferronic_hdl::regs::nic::RSS_BASE;

    #[test]
    fn the_reset_table_is_hash_mod_8() {
        let t = RssTable::default();
        for hash in [0u32, 7, 8, 13, 127, 128, 0xDEAD_BEEF] {
            assert_eq!(t.queue(hash), (hash % 8) as usize);
        }
    }

    #[test]
    fn an_entry_takes_bits_2_0_of_byte_0_only() {
        let mut t = RssTable::default();
        let entry_9 = RSS_BASE as u64 + 9 * 4;
        assert_eq!(t.write(entry_9, 0xFFFF_FF05, 0b1110), OKAY);
        assert_eq!(t.read(entry_9), (1, OKAY), "no strobe for byte 0: unchanged");
        assert_eq!(t.write(entry_9, 0xFFFF_FF0E, 0b0001), OKAY);
        assert_eq!(t.read(entry_9), (6, OKAY));
        assert_eq!(t.queue(128 + 9), 6);
        assert_eq!(t.write(RSS_BASE as u64 + 128 * 4, 1, 0xF), DECERR);
        assert_eq!(t.read(RSS_BASE as u64 + 0x7FC), (0, DECERR));
        assert_eq!(t.read(RSS_BASE as u64 - 4), (0, DECERR));
    }
}
