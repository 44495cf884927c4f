//! The top-level port list of a block, read from the block itself.
//!
//! rust-hdl names a port in interface `s_axis`, field `tdata`, as `s_axis$tdata`. The
//! exported wrapper and the simulators use the flat name `s_axis_tdata`. Both come from
//! one walk over the block (rust-hdl's `Probe` visitor), so they cannot drift apart.
use rust_hdl::core::atom::{Atom, AtomKind};
use rust_hdl::prelude::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PortDir {
    Input,
    Output,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PortSpec {
    /// Flat, conventional name: `clk`, `s_axis_tdata`.
    pub name: String,
    /// rust-hdl's name for it in the generated core module: `s_axis$tdata`.
    pub core_name: String,
    pub width: usize,
    pub dir: PortDir,
}

#[derive(Default)]
struct PortCollector {
    depth: usize,
    namespace: Vec<String>,
    ports: Vec<PortSpec>,
}

impl Probe for PortCollector {
    fn visit_start_scope(&mut self, _name: &str, _node: &dyn Block) {
        self.depth += 1;
    }
    fn visit_start_namespace(&mut self, name: &str, _node: &dyn Block) {
        self.namespace.push(name.to_string());
    }
    fn visit_atom(&mut self, name: &str, signal: &dyn Atom) {
        // Depth 1 is the top module itself; deeper atoms belong to submodules.
        if self.depth != 1 {
            return;
        }
        let dir = match signal.kind() {
            AtomKind::InputParameter => PortDir::Input,
            AtomKind::OutputParameter | AtomKind::OutputPassthrough => PortDir::Output,
            _ => return,
        };
        let mut path = self.namespace.clone();
        path.push(name.to_string());
        self.ports.push(PortSpec { name: path.join("_"), core_name: path.join("$"), width: signal.bits(), dir });
    }
    fn visit_end_namespace(&mut self, _name: &str, _node: &dyn Block) {
        self.namespace.pop();
    }
    fn visit_end_scope(&mut self, _name: &str, _node: &dyn Block) {
        self.depth -= 1;
    }
}

/// The ports of `block` as a top level, in declaration order.
pub fn top_ports<B: Block>(block: &B) -> Vec<PortSpec> {
    let mut collector = PortCollector::default();
    block.accept("top", &mut collector);
    collector.ports
}

/// A value that a simulator can put on or read off a port of at most 64 bits.
pub trait PortValue: Synth {
    fn from_u64(value: u64) -> Self;
    fn to_u64(&self) -> u64;
}

impl<const N: usize> PortValue for Bits<N> {
    fn from_u64(value: u64) -> Self {
        let masked = if N >= 64 { value } else { value & ((1u64 << N) - 1) };
        masked.to_bits()
    }
    fn to_u64(&self) -> u64 {
        Bits::<N>::to_u64(*self)
    }
}

impl PortValue for bool {
    fn from_u64(value: u64) -> Self {
        value & 1 != 0
    }
    fn to_u64(&self) -> u64 {
        *self as u64
    }
}

impl PortValue for Clock {
    fn from_u64(value: u64) -> Self {
        Clock { clk: value & 1 != 0 }
    }
    fn to_u64(&self) -> u64 {
        self.clk as u64
    }
}

/// Port access by index for rust-hdl's own model: what the native simulator backend
/// drives. Implement it with [`native_ports!`], which lists the top-level signals; a test
/// per block checks that list against [`top_ports`].
pub trait NativePorts: Block {
    /// Flat names in the order `set_port`/`get_port` index them.
    fn native_port_names() -> &'static [&'static str];
    fn set_port(&mut self, index: usize, value: u64);
    fn get_port(&self, index: usize) -> u64;
}

/// `native_ports!(impl[const N: usize] Type<N>; clk, rst, s_axis.tdata, ...)`; the
/// bracket holds the generics (empty for a concrete type).
#[macro_export]
macro_rules! native_ports {
    (impl[$($generics:tt)*] $ty:ty; $($first:ident $(. $rest:ident)*),+ $(,)?) => {
        impl<$($generics)*> $crate::ports::NativePorts for $ty {
            fn native_port_names() -> &'static [&'static str] {
                &[$(concat!(stringify!($first) $(, "_", stringify!($rest))*)),+]
            }
            #[allow(unused_assignments)]
            fn set_port(&mut self, index: usize, value: u64) {
                use $crate::ports::PortValue;
                let mut i = 0usize;
                $(
                    if index == i {
                        self.$first$(.$rest)*.next = PortValue::from_u64(value);
                        return;
                    }
                    i += 1;
                )+
                panic!("port index {index} out of range");
            }
            #[allow(unused_assignments)]
            fn get_port(&self, index: usize) -> u64 {
                use $crate::ports::PortValue;
                let mut i = 0usize;
                $(
                    if index == i {
                        return PortValue::to_u64(&self.$first$(.$rest)*.val());
                    }
                    i += 1;
                )+
                panic!("port index {index} out of range");
            }
        }
    };
}
