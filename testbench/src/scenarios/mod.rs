//! Scenarios: a block, its models and its reference model wired into one runnable test,
//! shared by the tests, the benchmarks and the command-line demo.
pub mod axi_write_mux;
pub mod axil_split;
pub mod bus_loopback;
pub mod cfgspace;
pub mod dma_read;
pub mod dma_write;
pub mod frame_fifo;
pub mod llq;
pub mod nic_rx;
pub mod nic_tx;
pub mod queue;
pub mod rdma_decide;
pub mod rdma_receive;
pub mod rdma_registers;
pub mod rdma_steer;
pub mod rdma_table;
pub mod roce_parser;
pub mod stream_fifo;
pub mod stream_packer;
pub mod stream_slice;

use anyhow::Result;
use ferronic_sim::Simulator;

/// Which simulator a scenario runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Verilator,
    RustHdl,
}

impl Backend {
    pub const ALL: [Backend; 2] = [Backend::Verilator, Backend::RustHdl];
    pub fn name(self) -> &'static str {
        match self {
            Backend::Verilator => "verilator",
            Backend::RustHdl => "rust-hdl",
        }
    }
}

/// A boxed simulator of any backend.
pub type BoxedSim = Box<dyn Simulator>;

/// Result type of a scenario builder.
pub type SimResult = Result<BoxedSim>;
