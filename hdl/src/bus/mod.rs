//! Bus interfaces shared by every ferronic block.
//!
//! Each bus is a pair of rust-hdl interfaces (the two ends of one link) with the AMBA
//! signal names in lower case, so that the exported flat port of field `tdata` in an
//! interface named `m_axis_tx` is `m_axis_tx_tdata`: the prefix convention that
//! cocotbext-axi and every Verilog user bind by.
//!
//! Widths are const generics: `DATA` bits of data, `KEEP`/`STRB` = `DATA / 8` byte lanes.
//! Stable Rust cannot compute `DATA / 8` in a type, so callers give both; the
//! `check_*_widths` helpers refuse inconsistent pairs at construction time.

pub mod axi4;
pub mod axil;
pub mod axis;

pub use axi4::{Axi4Master, Axi4ReadMaster, Axi4ReadSlave, Axi4Slave, Axi4WriteMaster, Axi4WriteSlave};
pub use axil::{AxilMaster, AxilSlave};
pub use axis::{AxisSink, AxisSource};

/// Panics at construction (never in the generated logic) when a byte-lane width does not
/// match its data width: a block built with such a bus could not be bound to a real one.
pub fn check_lane_width(data_bits: usize, lane_bits: usize) {
    assert!(
        data_bits % 8 == 0 && data_bits / 8 == lane_bits,
        "bus width mismatch: {data_bits} data bits need {} byte lanes, got {lane_bits}",
        data_bits / 8
    );
}
