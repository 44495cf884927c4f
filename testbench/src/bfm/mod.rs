//! Bus functional models: each drives or watches one bus of a simulated block by its port
//! prefix (`s_axis`, `m_axi`, ...), the way cocotbext-axi binds to a Verilog top level.
pub mod axis;
pub mod pattern;

pub use axis::{AxisBeat, AxisMonitor, AxisSink, AxisSource};
pub use pattern::Pattern;
