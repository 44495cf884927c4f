//! FPGA and formal flows over the pinned open tools (yowasp Yosys, nextpnr, SymbiYosys).
pub mod formal;
pub mod outreg;
pub mod synth;
pub mod tools;
