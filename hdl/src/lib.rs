//! ferronic's RTL: bus interfaces, blocks and their Verilog export.
pub mod axi_write_mux;
pub mod axil_register_port;
pub mod axil_slice;
pub mod axil_split;
pub mod block_ram;
pub mod bus;
pub mod bus_loopback;
pub mod cfgspace;
pub mod dma;
pub mod export;
pub mod frame_arbiter;
pub mod frame_fifo;
pub mod llq;
pub mod nic;
pub mod ports;
pub mod queue;
pub mod rdma;
pub mod regs;
pub mod rss;
pub mod rx;
pub mod stream_fifo;
pub mod stream_packer;
pub mod stream_slice;
pub mod tx;
pub mod windows;

pub use rust_hdl;
