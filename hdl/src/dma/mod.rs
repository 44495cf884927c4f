//! DMA engines between host memory (`m_axi_`) and streams.
pub mod read;
pub mod write;
