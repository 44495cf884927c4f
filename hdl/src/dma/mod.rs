//! DMA engines between host memory (`m_axi_`) and streams.
pub mod bursts;
pub mod read;
pub mod write;
