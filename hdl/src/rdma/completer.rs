//! The RDMA completer: writes the receive path's message completions and failure records
//! into host completion rings, the way the engines write theirs.
//!
//! A record's completion queue is a queue manager ring number: the host sets that ring up
//! as a completion ring of 16-byte entries (`control.completion` 1, `entry_log` 4) and
//! names it in the transaction's `cq`. One record at a time:
//!
//! 1. *post* on ring `cq` (the queue manager's operation port): the entry's address, its
//!    phase and the ring's owning function;
//! 2. the entry's 16 bytes checked against that function's DMA window (`window_*`, four
//!    cycles, as the engines check theirs);
//! 3. the entry written through the DMA write engine (one 16-byte write), and its answer
//!    awaited;
//! 4. *notify* on the ring (the queue manager raises the ring's MSI-X if it is armed), so an
//!    interrupt never comes before its entry.
//!
//! A record that cannot be written is counted in `lost` and goes no further: a `cq` past the
//! rings (255 at most), a ring that refuses the post (off, full, not a completion ring, or
//! absent), a ring whose entries are not 16 bytes (an entry must not spill into the next),
//! an entry outside the function's window, or an error answer on the write (which is still
//! notified: the entry may be partly in memory, and the host's handler finds nothing new).
//!
//! The entry (little-endian, `ENTRY_*` below):
//!
//! | bytes | completion | failure record |
//! |---|---|---|
//! | 0-3 | QP 23:0, immediate present 24, failed 25 = 0, phase 31 | QP 23:0, failed 25 = 1, phase 31 |
//! | 4-7 | message length in bytes | PSN of the packet whose write failed |
//! | 8-11 | immediate data (0 without) | 0 |
//! | 12-15 | 0 | 0 |
//!
//! The phase bit follows the rings' convention: 1 on the first pass, flipped on every wrap.
use rust_hdl::prelude::*;

/// Operation tags of the completer's post and notify, and the tag of its writes. Bits 6:5
/// set mark the completer's own (the NIC routes answers by them).
pub const TAG_POST: u64 = 0x60;
pub const TAG_NOTIFY: u64 = 0x61;
pub const TAG_WRITE: u64 = 0x60;

/// log2 of the entry size a completion ring must have.
pub const ENTRY_LOG: u64 = 4;

#[derive(Copy, Clone, PartialEq, Eq, Debug, LogicState)]
pub enum CompleterState {
    /// Waiting for a record.
    Idle,
    /// The post on the record's ring, and its answer.
    Post,
    WaitPost,
    /// The entry's bytes against the ring function's window.
    Window,
    /// The entry's write: descriptor, two data beats, the answer.
    Descriptor,
    Data,
    WaitWrite,
    /// The notify on the ring, and its answer.
    Notify,
    WaitNotify,
}

#[derive(LogicBlock)]
pub struct RdmaCompleter {
    pub clk: Signal<In, Clock>,
    pub rst: Signal<In, Bit>,
    /// A message completed (`rdma::receive`'s `cpl_*`).
    pub cpl_valid: Signal<In, Bit>,
    pub cpl_ready: Signal<Out, Bit>,
    pub cpl_cq: Signal<In, Bits<16>>,
    pub cpl_qp: Signal<In, Bits<24>>,
    pub cpl_length: Signal<In, Bits<32>>,
    pub cpl_has_imm: Signal<In, Bit>,
    pub cpl_imm: Signal<In, Bits<32>>,
    /// A placement write failed (`rdma::receive`'s `fail_*`).
    pub fail_valid: Signal<In, Bit>,
    pub fail_ready: Signal<Out, Bit>,
    pub fail_cq: Signal<In, Bits<16>>,
    pub fail_qp: Signal<In, Bits<24>>,
    pub fail_psn: Signal<In, Bits<24>>,
    /// The queue manager's operation port; `res_valid` only for the completer's answers.
    pub op_valid: Signal<Out, Bit>,
    pub op_ready: Signal<In, Bit>,
    pub op_ring: Signal<Out, Bits<8>>,
    pub op_code: Signal<Out, Bits<2>>,
    pub op_tag: Signal<Out, Bits<8>>,
    pub res_valid: Signal<In, Bit>,
    pub res_status: Signal<In, Bits<2>>,
    pub res_addr: Signal<In, Bits<64>>,
    pub res_phase: Signal<In, Bit>,
    pub res_entry_log: Signal<In, Bits<3>>,
    pub res_function: Signal<In, Bits<8>>,
    /// The DMA window of `window_function`, the cycle after.
    pub window_function: Signal<Out, Bits<8>>,
    pub window_base: Signal<In, Bits<64>>,
    pub window_limit: Signal<In, Bits<64>>,
    /// The DMA write engine: descriptor, data, and (only the completer's) answers.
    pub wr_desc_valid: Signal<Out, Bit>,
    pub wr_desc_ready: Signal<In, Bit>,
    pub wr_desc_addr: Signal<Out, Bits<64>>,
    pub wr_desc_len: Signal<Out, Bits<16>>,
    pub wr_desc_tag: Signal<Out, Bits<8>>,
    pub wr_data_tdata: Signal<Out, Bits<64>>,
    pub wr_data_tvalid: Signal<Out, Bit>,
    pub wr_data_tready: Signal<In, Bit>,
    pub wr_data_tlast: Signal<Out, Bit>,
    pub wr_status_valid: Signal<In, Bit>,
    pub wr_status_error: Signal<In, Bit>,
    /// Records not written (saturating).
    pub lost: Signal<Out, Bits<32>>,

    state: DFF<CompleterState>,
    /// The record in hand: its ring, first dword without the phase, second dword, immediate.
    ring: DFF<Bits<8>>,
    word0: DFF<Bits<32>>,
    word1: DFF<Bits<32>>,
    immediate: DFF<Bits<32>>,
    /// The post's answer: the entry's address and phase, the ring's function.
    entry_addr: DFF<Bits<64>>,
    phase: DFF<Bit>,
    ring_function: DFF<Bits<8>>,
    /// Window check: the step, the entry's last byte, the three compares (each registered
    /// on its own: one 64-bit carry chain per cycle).
    check_step: DFF<Bits<2>>,
    entry_last: DFF<Bits<64>>,
    below_base: DFF<Bit>,
    above_limit: DFF<Bit>,
    wraps: DFF<Bit>,
    /// The second data beat is next.
    second_beat: DFF<Bit>,
    count_lost: Signal<Local, Bit>,
    lost_count: DFF<Bits<32>>,
    tag_post: Constant<Bits<8>>,
    tag_notify: Constant<Bits<8>>,
    tag_write: Constant<Bits<8>>,
    entry_log: Constant<Bits<3>>,
}

impl Default for RdmaCompleter {
    fn default() -> Self {
        Self {
            clk: Default::default(),
            rst: Default::default(),
            cpl_valid: Default::default(),
            cpl_ready: Default::default(),
            cpl_cq: Default::default(),
            cpl_qp: Default::default(),
            cpl_length: Default::default(),
            cpl_has_imm: Default::default(),
            cpl_imm: Default::default(),
            fail_valid: Default::default(),
            fail_ready: Default::default(),
            fail_cq: Default::default(),
            fail_qp: Default::default(),
            fail_psn: Default::default(),
            op_valid: Default::default(),
            op_ready: Default::default(),
            op_ring: Default::default(),
            op_code: Default::default(),
            op_tag: Default::default(),
            res_valid: Default::default(),
            res_status: Default::default(),
            res_addr: Default::default(),
            res_phase: Default::default(),
            res_entry_log: Default::default(),
            res_function: Default::default(),
            window_function: Default::default(),
            window_base: Default::default(),
            window_limit: Default::default(),
            wr_desc_valid: Default::default(),
            wr_desc_ready: Default::default(),
            wr_desc_addr: Default::default(),
            wr_desc_len: Default::default(),
            wr_desc_tag: Default::default(),
            wr_data_tdata: Default::default(),
            wr_data_tvalid: Default::default(),
            wr_data_tready: Default::default(),
            wr_data_tlast: Default::default(),
            wr_status_valid: Default::default(),
            wr_status_error: Default::default(),
            lost: Default::default(),
            state: Default::default(),
            ring: Default::default(),
            word0: Default::default(),
            word1: Default::default(),
            immediate: Default::default(),
            entry_addr: Default::default(),
            phase: Default::default(),
            ring_function: Default::default(),
            check_step: Default::default(),
            entry_last: Default::default(),
            below_base: Default::default(),
            above_limit: Default::default(),
            wraps: Default::default(),
            second_beat: Default::default(),
            count_lost: Default::default(),
            lost_count: Default::default(),
            tag_post: Constant::new(TAG_POST.to_bits()),
            tag_notify: Constant::new(TAG_NOTIFY.to_bits()),
            tag_write: Constant::new(TAG_WRITE.to_bits()),
            entry_log: Constant::new(ENTRY_LOG.to_bits()),
        }
    }
}

impl Logic for RdmaCompleter {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clk,
            state,
            ring,
            word0,
            word1,
            immediate,
            entry_addr,
            phase,
            ring_function,
            check_step,
            entry_last,
            below_base,
            above_limit,
            wraps,
            second_beat,
            lost_count
        );
        self.cpl_ready.next = false;
        self.fail_ready.next = false;
        self.op_valid.next = false;
        self.op_ring.next = self.ring.q.val();
        self.op_code.next = 1.into();
        self.op_tag.next = self.tag_post.val();
        self.window_function.next = self.ring_function.q.val();
        self.wr_desc_valid.next = false;
        self.wr_desc_addr.next = self.entry_addr.q.val();
        self.wr_desc_len.next = 16.into();
        self.wr_desc_tag.next = self.tag_write.val();
        self.wr_data_tvalid.next = false;
        self.wr_data_tlast.next = self.second_beat.q.val();
        self.wr_data_tdata.next = bit_cast::<64, 32>(self.word0.q.val())
            | (bit_cast::<64, 1>(self.phase.q.val().into()) << 31)
            | (bit_cast::<64, 32>(self.word1.q.val()) << 32);
        if self.second_beat.q.val() {
            self.wr_data_tdata.next = bit_cast::<64, 32>(self.immediate.q.val());
        }
        self.count_lost.next = false;

        match self.state.q.val() {
            CompleterState::Idle => {
                // Records come one at a time (the receive path shows one or the other).
                if self.cpl_valid.val() {
                    self.cpl_ready.next = true;
                    self.ring.d.next = self.cpl_cq.val().get_bits::<8>(0);
                    self.word0.d.next = bit_cast::<32, 24>(self.cpl_qp.val())
                        | (bit_cast::<32, 1>(self.cpl_has_imm.val().into()) << 24);
                    self.word1.d.next = self.cpl_length.val();
                    self.immediate.d.next = 0.into();
                    if self.cpl_has_imm.val() {
                        self.immediate.d.next = self.cpl_imm.val();
                    }
                    if self.cpl_cq.val().get_bits::<8>(8).any() {
                        self.count_lost.next = true;
                    } else {
                        self.state.d.next = CompleterState::Post;
                    }
                } else if self.fail_valid.val() {
                    self.fail_ready.next = true;
                    self.ring.d.next = self.fail_cq.val().get_bits::<8>(0);
                    self.word0.d.next = bit_cast::<32, 24>(self.fail_qp.val()) | 0x0200_0000;
                    self.word1.d.next = bit_cast::<32, 24>(self.fail_psn.val());
                    self.immediate.d.next = 0.into();
                    if self.fail_cq.val().get_bits::<8>(8).any() {
                        self.count_lost.next = true;
                    } else {
                        self.state.d.next = CompleterState::Post;
                    }
                }
            }
            CompleterState::Post => {
                self.op_valid.next = true;
                if self.op_ready.val() {
                    self.state.d.next = CompleterState::WaitPost;
                }
            }
            CompleterState::WaitPost => {
                if self.res_valid.val() {
                    self.entry_addr.d.next = self.res_addr.val();
                    self.phase.d.next = self.res_phase.val();
                    self.ring_function.d.next = self.res_function.val();
                    self.check_step.d.next = 0.into();
                    if (self.res_status.val() == 0) & (self.res_entry_log.val() == self.entry_log.val()) {
                        self.state.d.next = CompleterState::Window;
                    } else {
                        // Not posted, or posted on a ring whose entries the 16 bytes would
                        // overrun: the index it took stays unwritten, as for a failed write.
                        self.count_lost.next = true;
                        self.state.d.next = CompleterState::Idle;
                    }
                }
            }
            CompleterState::Window => {
                // Step 0: the function goes out; 1: the window comes back and the entry's
                // last byte is ready; 2: the compares are registered; 3: decide.
                self.check_step.d.next = self.check_step.q.val() + 1;
                self.entry_last.d.next = self.entry_addr.q.val() + 15;
                self.below_base.d.next = self.entry_addr.q.val() < self.window_base.val();
                self.above_limit.d.next = self.entry_last.q.val() > self.window_limit.val();
                self.wraps.d.next = self.entry_last.q.val() < self.entry_addr.q.val();
                if self.check_step.q.val() == 3 {
                    if self.below_base.q.val() | self.above_limit.q.val() | self.wraps.q.val() {
                        self.count_lost.next = true;
                        self.state.d.next = CompleterState::Idle;
                    } else {
                        self.state.d.next = CompleterState::Descriptor;
                    }
                }
            }
            CompleterState::Descriptor => {
                self.wr_desc_valid.next = true;
                if self.wr_desc_ready.val() {
                    self.second_beat.d.next = false;
                    self.state.d.next = CompleterState::Data;
                }
            }
            CompleterState::Data => {
                self.wr_data_tvalid.next = true;
                if self.wr_data_tready.val() {
                    self.second_beat.d.next = true;
                    if self.second_beat.q.val() {
                        self.second_beat.d.next = false;
                        self.state.d.next = CompleterState::WaitWrite;
                    }
                }
            }
            CompleterState::WaitWrite => {
                if self.wr_status_valid.val() {
                    if self.wr_status_error.val() {
                        self.count_lost.next = true;
                    }
                    self.state.d.next = CompleterState::Notify;
                }
            }
            CompleterState::Notify => {
                self.op_valid.next = true;
                self.op_code.next = 2.into();
                self.op_tag.next = self.tag_notify.val();
                if self.op_ready.val() {
                    self.state.d.next = CompleterState::WaitNotify;
                }
            }
            CompleterState::WaitNotify => {
                if self.res_valid.val() {
                    self.state.d.next = CompleterState::Idle;
                }
            }
        }

        if self.count_lost.val() & (self.lost_count.q.val() != 0xFFFF_FFFF_u64) {
            self.lost_count.d.next = self.lost_count.q.val() + 1;
        }
        self.lost.next = self.lost_count.q.val();
        if self.rst.val() {
            self.state.d.next = CompleterState::Idle;
            self.second_beat.d.next = false;
            self.lost_count.d.next = 0.into();
        }
    }
}

crate::native_ports!(
    impl[] RdmaCompleter;
    clk, rst, cpl_valid, cpl_ready, cpl_cq, cpl_qp, cpl_length, cpl_has_imm, cpl_imm, fail_valid, fail_ready, fail_cq, fail_qp, fail_psn, op_valid, op_ready, op_ring, op_code, op_tag, res_valid, res_status, res_addr, res_phase, res_entry_log, res_function, window_function, window_base, window_limit, wr_desc_valid, wr_desc_ready, wr_desc_addr, wr_desc_len, wr_desc_tag, wr_data_tdata, wr_data_tvalid, wr_data_tready, wr_data_tlast, wr_status_valid, wr_status_error, lost,
);
