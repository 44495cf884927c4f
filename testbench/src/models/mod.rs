//! Reference models, written from the formats and specs, never from the RTL.
pub mod cfgspace;
pub mod dma;
pub mod ena;
pub mod ethernet;
pub mod queue;
pub mod rdma;
pub mod rss;
pub mod rx;
pub mod stream_fifo;
pub mod stream_packer;
pub mod windows;
