//! cocotb's ideas in Rust: async tests over simulated time, bus functional models that
//! drive and watch a [`ferronic_sim::Simulator`], reference models written from the specs,
//! and scoreboards that compare the two.
//!
//! ```text
//! cycle n:  [drive phase]  tasks resumed by `rising_edge()` read post-edge state, set inputs
//!           [sample phase] tasks resumed by `read_only()` see settled values, as the edge will;
//!                          inputs set here take effect right after the edge
//!           ---- rising edge of clk ----> cycle n+1
//! ```
pub mod bench;
pub mod bfm;
pub mod driver;
pub mod models;
pub mod pcap;
pub mod scenarios;
pub mod scoreboard;
pub mod tb;

pub use tb::{JoinHandle, Tb, TbConfig};
