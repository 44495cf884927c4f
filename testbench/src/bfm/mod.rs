//! Bus functional models: each drives or watches one bus of a simulated block by its port
//! prefix (`s_axis`, `m_axi`, ...), the way cocotbext-axi binds to a Verilog top level.
pub mod axi4;
pub mod axil;
pub mod axis;
pub mod channel;
pub mod memory;
pub mod pattern;
pub mod window_lookup;

pub use axi4::{Axi4Master, Axi4Memory, Axi4MemoryConfig, Axi4Monitor, ErrorRange};
pub use axil::{AxilMaster, AxilMemory, AxilMonitor};
pub use axis::{AxisBeat, AxisMonitor, AxisSink, AxisSource, FrameCollector};
pub use memory::SparseMemory;
pub use pattern::Pattern;
