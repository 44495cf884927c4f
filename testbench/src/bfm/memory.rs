//! Sparse byte-addressed memory: the host memory behind the AXI4 memory model, and the
//! reference the tests compare it with. Unwritten bytes read as zero.
use std::collections::HashMap;

const PAGE: u64 = 4096;

#[derive(Clone, Debug, Default)]
pub struct SparseMemory {
    pages: HashMap<u64, Box<[u8; PAGE as usize]>>,
}

impl SparseMemory {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn read_byte(&self, addr: u64) -> u8 {
        self.pages.get(&(addr / PAGE)).map_or(0, |p| p[(addr % PAGE) as usize])
    }
    pub fn write_byte(&mut self, addr: u64, value: u8) {
        self.pages.entry(addr / PAGE).or_insert_with(|| Box::new([0; PAGE as usize]))[(addr % PAGE) as usize] = value;
    }
    pub fn read(&self, addr: u64, len: usize) -> Vec<u8> {
        (0..len as u64).map(|i| self.read_byte(addr.wrapping_add(i))).collect()
    }
    pub fn write(&mut self, addr: u64, data: &[u8]) {
        for (i, &b) in data.iter().enumerate() {
            self.write_byte(addr.wrapping_add(i as u64), b);
        }
    }
}
