//! What an AXI4-Stream FIFO of depth D must do, from the AXI4-Stream spec and the block's
//! contract (docs/blocks/stream_fifo.md): beats leave in the order they were accepted,
//! none lost or repeated; it accepts whenever it holds fewer than D beats; `occupancy` is
//! the number of beats accepted and not yet taken.
use crate::bfm::AxisBeat;
use std::collections::VecDeque;

#[derive(Clone, Debug)]
pub struct StreamFifoModel {
    depth: usize,
    held: VecDeque<AxisBeat>,
}

impl StreamFifoModel {
    pub fn new(depth: usize) -> Self {
        Self { depth, held: VecDeque::with_capacity(depth) }
    }
    /// Whether the FIFO must accept a beat offered now (`s_axis_tready`).
    pub fn ready(&self) -> bool {
        self.held.len() < self.depth
    }
    /// A beat was accepted at an edge.
    pub fn accept(&mut self, beat: AxisBeat) {
        assert!(self.ready(), "model: beat accepted while full");
        self.held.push_back(beat);
    }
    /// A beat was taken from the output at an edge: the one the FIFO must have shown.
    pub fn take(&mut self) -> Option<AxisBeat> {
        self.held.pop_front()
    }
    pub fn occupancy(&self) -> usize {
        self.held.len()
    }
}
