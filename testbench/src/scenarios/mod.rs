//! Scenarios: a block, its models and its reference model wired into one runnable test,
//! shared by the tests, the benchmarks and the command-line demo.
pub mod axi_write_mux;
pub mod axil_split;
pub mod bus_loopback;
pub mod cfgspace;
pub mod completion_poster;
pub mod dma_read;
pub mod dma_write;
pub mod frame_arbiter;
pub mod frame_fifo;
pub mod llq;
pub mod nic_rx;
pub mod nic_tx;
pub mod queue;
pub mod rdma_ack;
pub mod rdma_completer;
pub mod rdma_decide;
pub mod rdma_receive;
pub mod rdma_registers;
pub mod rdma_steer;
pub mod rdma_table;
pub mod roce_parser;
pub mod rss_table;
pub mod short_queue;
pub mod stream_fifo;
pub mod stream_packer;
pub mod stream_slice;
pub mod windows;

use anyhow::Result;
use ferronic_hdl::export::export_block;
use ferronic_hdl::rust_hdl::core::prelude::Block;
use ferronic_sim::verilator::VerilatedModel;
use ferronic_sim::Simulator;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

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

pub use ferronic_hdl::export::on_big_stack;

/// A fresh Verilator instance of a block, whose model is exported and built at most once
/// per process for each `name` and `configuration`. Writing a large block's Verilog takes
/// rust-hdl seconds (the NIC: about 9 s), and the cache under `target/verilated` is keyed by
/// that Verilog, so without this every test case would pay the export again. `configuration`
/// must tell apart every variant `make` can build under one name ("" for a block that has
/// one); `make` runs only when the model is not yet known.
pub fn verilated<B: Block>(name: &str, configuration: &str, make: impl FnOnce() -> B + Send) -> Result<BoxedSim> {
    type Models = Mutex<HashMap<String, Arc<Mutex<Option<Arc<VerilatedModel>>>>>>;
    static MODELS: OnceLock<Models> = OnceLock::new();
    let slot = {
        let mut models = MODELS.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner());
        models.entry(format!("{name}\n{configuration}")).or_default().clone()
    };
    // Held while building, so a second thread asking for the same model waits for it
    // instead of exporting it too; other models build meanwhile.
    let mut model = slot.lock().unwrap_or_else(|e| e.into_inner());
    if model.is_none() {
        let exported = on_big_stack(|| export_block(name, &mut make()))?;
        *model = Some(VerilatedModel::build(&exported)?);
    }
    let model = model.as_ref().expect("set just above");
    Ok(Box::new(model.instantiate()?))
}
