//! AXI4-Stream (`tdata tkeep tvalid tready tlast tuser`).
use rust_hdl::prelude::*;

/// The sending end of a stream (a block's `m_axis_*` port).
#[derive(Clone, Debug, Default, LogicInterface)]
#[join = "AxisSink"]
pub struct AxisSource<const DATA: usize, const KEEP: usize, const USER: usize> {
    pub tdata: Signal<Out, Bits<DATA>>,
    pub tkeep: Signal<Out, Bits<KEEP>>,
    pub tvalid: Signal<Out, Bit>,
    pub tready: Signal<In, Bit>,
    pub tlast: Signal<Out, Bit>,
    pub tuser: Signal<Out, Bits<USER>>,
}

/// The receiving end of a stream (a block's `s_axis_*` port).
#[derive(Clone, Debug, Default, LogicInterface)]
#[join = "AxisSource"]
pub struct AxisSink<const DATA: usize, const KEEP: usize, const USER: usize> {
    pub tdata: Signal<In, Bits<DATA>>,
    pub tkeep: Signal<In, Bits<KEEP>>,
    pub tvalid: Signal<In, Bit>,
    pub tready: Signal<Out, Bit>,
    pub tlast: Signal<In, Bit>,
    pub tuser: Signal<In, Bits<USER>>,
}
