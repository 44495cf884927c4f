//! RDMA offload: RoCEv2 WRITE payload placed straight into host memory through a table of
//! the transactions in flight, with everything else handed to software.
//!
//! Built so far: [`parser::RoceParser`], which recognizes RoCEv2 frames on the receive
//! stream at line rate, checks their invariant CRC and extracts the headers the
//! transaction table looks up by; [`table::TransactionTable`], which finds the transaction
//! of a (QP, PSN) and holds what placing its payload needs; [`decide::PacketDecider`],
//! which keeps the QPs' receive windows and the messages' progress and decides for each
//! packet: place it (where), drop it, or hand it to software (why); [`steer::FrameSteer`],
//! which carries a verdict out on the stored frame; and [`receive::RdmaReceive`], the
//! receive path that wires them together with a frame store, the DMA write engine and the
//! completion poster; [`registers::RdmaRegisters`], the host's BAR0 interface to it; and
//! [`completer::RdmaCompleter`], which writes the completions into host completion rings;
//! and [`ack::RdmaAck`], which builds RoCEv2 acknowledgements for the TX stream.
//! Next (issue 5): the receive path asking for ACKs, and the NIC sending them.
pub mod ack;
pub mod completer;
pub mod decide;
pub mod parser;
pub mod receive;
pub mod registers;
pub mod steer;
pub mod table;

/// UDP destination port of RoCEv2.
pub const ROCE_UDP_PORT: u16 = 4791;
