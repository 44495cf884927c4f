//! RoCEv2 parser: passes the receive stream through unchanged and, with each frame's
//! `tlast` beat, says what the frame is — RoCEv2 with a good invariant CRC, a bad ICRC, a
//! RoCEv2 frame cut short, or other traffic — and gives the headers the transaction table
//! needs: BTH (opcode, SE, pad count, destination QP, AckReq, PSN), RETH (VA, R_Key, DMA
//! length), immediate data, and where the payload is in the frame.
//!
//! Frames are Ethernet II / IPv4 without options / UDP to port 4791 / BTH ... / ICRC, no
//! FCS, 8 bytes per beat from byte 0 up (`tkeep` short only on `tlast`). Byte offsets in the
//! frame: IPv4 total length 16-17, protocol 23, UDP destination port 36-37, BTH 42-53, RETH
//! or immediate data from 54, the ICRC at 14 + IPv4 length - 4 (bytes past the IPv4 packet
//! are Ethernet padding and ignored).
//!
//! The ICRC (IBA Annex A17) is CRC-32 over 8 bytes of ones standing for the absent LRH, then
//! the IPv4 packet up to the ICRC with TOS, TTL, IPv4 checksum, UDP checksum and the BTH
//! byte after P_Key taken as all ones. It is computed beat by beat as the frame streams,
//! so no frame is stored here; the stream is delayed by one register stage.
//!
//! Outcome (`meta_kind`, in the order checked): other traffic (shorter than 42 bytes, not
//! IPv4 without options, not UDP to 4791: the normal RX path's), truncated (the frame is
//! shorter than its IPv4 length, or the IPv4 length leaves no room for the BTH, the RETH or
//! immediate data the opcode implies, the pad and the ICRC), bad ICRC, RoCEv2. The MAC's
//! error flag (`tuser`) passes through untouched. The `meta_*` fields are valid while the
//! frame's `tlast` beat is on `m_axis_`; header fields the opcode does not carry are
//! don't-care.
use crate::bus::{AxisSink, AxisSource};
use rust_hdl::prelude::*;

/// `meta_kind`: not RoCEv2, for the normal RX path.
pub const KIND_OTHER: u64 = 0;
/// `meta_kind`: RoCEv2 with a good ICRC.
pub const KIND_ROCE: u64 = 1;
/// `meta_kind`: RoCEv2 whose ICRC does not match: drop.
pub const KIND_BAD_ICRC: u64 = 2;
/// `meta_kind`: RoCEv2 cut short: drop.
pub const KIND_TRUNCATED: u64 = 3;

/// The CRC register after the 8 bytes of ones that stand for the LRH (reflected CRC-32,
/// polynomial 0xEDB88320, register starting at all ones).
const fn crc_after_lrh() -> u32 {
    let mut state = 0xFFFF_FFFFu32;
    let mut byte = 0;
    while byte < 8 {
        state ^= 0xFF;
        let mut bit = 0;
        while bit < 8 {
            state = if state & 1 != 0 { (state >> 1) ^ 0xEDB8_8320 } else { state >> 1 };
            bit += 1;
        }
        byte += 1;
    }
    state
}

#[derive(LogicBlock)]
pub struct RoceParser {
    pub clk: Signal<In, Clock>,
    pub rst: Signal<In, Bit>,
    pub s_axis: AxisSink<64, 8, 1>,
    pub m_axis: AxisSource<64, 8, 1>,
    pub meta_kind: Signal<Out, Bits<2>>,
    pub meta_opcode: Signal<Out, Bits<8>>,
    pub meta_solicited: Signal<Out, Bit>,
    pub meta_pad: Signal<Out, Bits<2>>,
    pub meta_dest_qp: Signal<Out, Bits<24>>,
    pub meta_ack_req: Signal<Out, Bit>,
    pub meta_psn: Signal<Out, Bits<24>>,
    pub meta_va: Signal<Out, Bits<64>>,
    pub meta_rkey: Signal<Out, Bits<32>>,
    pub meta_dma_length: Signal<Out, Bits<32>>,
    pub meta_imm: Signal<Out, Bits<32>>,
    /// Where the payload starts in the frame, and its length (pad and ICRC excluded).
    pub meta_payload_offset: Signal<Out, Bits<8>>,
    pub meta_payload_length: Signal<Out, Bits<16>>,
    /// Frames of each kind that left (saturating).
    pub roce_frames: Signal<Out, Bits<32>>,
    pub icrc_errors: Signal<Out, Bits<32>>,
    pub truncated_frames: Signal<Out, Bits<32>>,

    // The output stage: the beat taken last, until the sink takes it.
    out_valid: DFF<Bit>,
    out_data: DFF<Bits<64>>,
    out_keep: DFF<Bits<8>>,
    out_last: DFF<Bit>,
    out_user: DFF<Bits<1>>,
    take: Signal<Local, Bit>,

    /// Index of the next beat of the frame (saturating).
    beat: DFF<Bits<11>>,
    /// Bytes in the frame, set with its last beat.
    frame_bytes: DFF<Bits<16>>,
    keep_count: Signal<Local, Bits<4>>,
    // Headers, captured from their beats; multi-byte fields in wire order from bit 0 up.
    ipv4_ok: DFF<Bit>,
    ip_length: DFF<Bits<16>>,
    udp_ok: DFF<Bit>,
    port_ok: DFF<Bit>,
    opcode: DFF<Bits<8>>,
    solicited: DFF<Bit>,
    pad: DFF<Bits<2>>,
    qp_wire_high: DFF<Bits<8>>,
    qp_wire_low: DFF<Bits<16>>,
    ack_req: DFF<Bit>,
    psn_wire: DFF<Bits<24>>,
    /// Bytes 54-55, 56-61, 62-63, 64-65, 66-69, 70-71, 72-73.
    bytes_54: DFF<Bits<16>>,
    bytes_56: DFF<Bits<48>>,
    bytes_62: DFF<Bits<16>>,
    bytes_64: DFF<Bits<16>>,
    bytes_66: DFF<Bits<32>>,
    bytes_70: DFF<Bits<16>>,
    bytes_72: DFF<Bits<16>>,

    // The ICRC.
    crc: DFF<Bits<32>>,
    /// Bytes from the start of this beat to the ICRC, plus 8 (0 once well past it): the
    /// lanes below it - 8 are covered, lanes from it - 8 on hold the ICRC.
    to_icrc: DFF<Bits<16>>,
    icrc_0: DFF<Bits<8>>,
    icrc_1: DFF<Bits<8>>,
    icrc_2: DFF<Bits<8>>,
    icrc_3: DFF<Bits<8>>,
    crc_lanes: Signal<Local, Bits<8>>,
    crc_ones: Signal<Local, Bits<8>>,
    crc_work: Signal<Local, Bits<32>>,
    lane_mark: Signal<Local, Bits<16>>,
    lane_bit: Signal<Local, Bits<8>>,
    icrc_mark: Signal<Local, Bits<16>>,
    crc_polynomial: Constant<Bits<32>>,
    crc_seed: Constant<Bits<32>>,
    kind_other: Constant<Bits<2>>,
    kind_roce: Constant<Bits<2>>,
    kind_bad_icrc: Constant<Bits<2>>,
    kind_truncated: Constant<Bits<2>>,

    // The verdict, from the registers, while the last beat is on the output.
    reth: Signal<Local, Bit>,
    imm: Signal<Local, Bit>,
    extension: Signal<Local, Bits<16>>,
    kind: Signal<Local, Bits<2>>,
    va_wire: Signal<Local, Bits<64>>,
    imm_wire: Signal<Local, Bits<32>>,
    rkey_wire: Signal<Local, Bits<32>>,
    roce_count: DFF<Bits<32>>,
    icrc_count: DFF<Bits<32>>,
    truncated_count: DFF<Bits<32>>,
}

impl Default for RoceParser {
    fn default() -> Self {
        Self {
            clk: Default::default(),
            rst: Default::default(),
            s_axis: Default::default(),
            m_axis: Default::default(),
            meta_kind: Default::default(),
            meta_opcode: Default::default(),
            meta_solicited: Default::default(),
            meta_pad: Default::default(),
            meta_dest_qp: Default::default(),
            meta_ack_req: Default::default(),
            meta_psn: Default::default(),
            meta_va: Default::default(),
            meta_rkey: Default::default(),
            meta_dma_length: Default::default(),
            meta_imm: Default::default(),
            meta_payload_offset: Default::default(),
            meta_payload_length: Default::default(),
            roce_frames: Default::default(),
            icrc_errors: Default::default(),
            truncated_frames: Default::default(),
            out_valid: Default::default(),
            out_data: Default::default(),
            out_keep: Default::default(),
            out_last: Default::default(),
            out_user: Default::default(),
            take: Default::default(),
            beat: Default::default(),
            frame_bytes: Default::default(),
            keep_count: Default::default(),
            ipv4_ok: Default::default(),
            ip_length: Default::default(),
            udp_ok: Default::default(),
            port_ok: Default::default(),
            opcode: Default::default(),
            solicited: Default::default(),
            pad: Default::default(),
            qp_wire_high: Default::default(),
            qp_wire_low: Default::default(),
            ack_req: Default::default(),
            psn_wire: Default::default(),
            bytes_54: Default::default(),
            bytes_56: Default::default(),
            bytes_62: Default::default(),
            bytes_64: Default::default(),
            bytes_66: Default::default(),
            bytes_70: Default::default(),
            bytes_72: Default::default(),
            crc: Default::default(),
            to_icrc: Default::default(),
            icrc_0: Default::default(),
            icrc_1: Default::default(),
            icrc_2: Default::default(),
            icrc_3: Default::default(),
            crc_lanes: Default::default(),
            crc_ones: Default::default(),
            crc_work: Default::default(),
            lane_mark: Default::default(),
            lane_bit: Default::default(),
            icrc_mark: Default::default(),
            crc_polynomial: Constant::new(0xEDB8_8320_u64.to_bits()),
            crc_seed: Constant::new((crc_after_lrh() as u64).to_bits()),
            kind_other: Constant::new(KIND_OTHER.to_bits()),
            kind_roce: Constant::new(KIND_ROCE.to_bits()),
            kind_bad_icrc: Constant::new(KIND_BAD_ICRC.to_bits()),
            kind_truncated: Constant::new(KIND_TRUNCATED.to_bits()),
            reth: Default::default(),
            imm: Default::default(),
            extension: Default::default(),
            kind: Default::default(),
            va_wire: Default::default(),
            imm_wire: Default::default(),
            rkey_wire: Default::default(),
            roce_count: Default::default(),
            icrc_count: Default::default(),
            truncated_count: Default::default(),
        }
    }
}

impl Logic for RoceParser {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clk,
            out_valid,
            out_data,
            out_keep,
            out_last,
            out_user,
            beat,
            frame_bytes,
            ipv4_ok,
            ip_length,
            udp_ok,
            port_ok,
            opcode,
            solicited,
            pad,
            qp_wire_high,
            qp_wire_low,
            ack_req,
            psn_wire,
            bytes_54,
            bytes_56,
            bytes_62,
            bytes_64,
            bytes_66,
            bytes_70,
            bytes_72,
            crc,
            to_icrc,
            icrc_0,
            icrc_1,
            icrc_2,
            icrc_3,
            roce_count,
            icrc_count,
            truncated_count
        );

        // One register stage: a beat is taken when the stage is empty or being emptied.
        self.s_axis.tready.next = !self.out_valid.q.val() | self.m_axis.tready.val();
        self.take.next = self.s_axis.tvalid.val() & (!self.out_valid.q.val() | self.m_axis.tready.val());
        self.m_axis.tvalid.next = self.out_valid.q.val();
        self.m_axis.tdata.next = self.out_data.q.val();
        self.m_axis.tkeep.next = self.out_keep.q.val();
        self.m_axis.tlast.next = self.out_last.q.val();
        self.m_axis.tuser.next = self.out_user.q.val();
        if self.m_axis.tready.val() {
            self.out_valid.d.next = false;
        }

        // Bytes in this beat (`tkeep` runs from bit 0 up).
        self.keep_count.next = 0.into();
        for lane in 0..8 {
            if self.s_axis.tkeep.val().get_bit(lane) {
                self.keep_count.next = self.keep_count.val() + 1;
            }
        }

        // The ICRC's share of this beat: which lanes it covers and which count as ones.
        // Beat 1 starts the IPv4 header at lane 6 (TOS at 7); beat 2 is all IPv4 (TTL at
        // lane 6); then the IPv4 length decides where the ICRC is.
        self.crc_lanes.next = 0.into();
        self.crc_ones.next = 0.into();
        if self.beat.q.val() == 1 {
            self.crc_lanes.next = 0xC0.into();
            self.crc_ones.next = 0x80.into();
        }
        if self.beat.q.val() == 2 {
            self.crc_lanes.next = 0xFF.into();
            self.crc_ones.next = 0x40.into();
        }
        // `lane_mark` is lane + 8 and `lane_bit` lane's bit as the loops unroll.
        self.lane_mark.next = 8.into();
        self.lane_bit.next = 1.into();
        for _lane in 0..8 {
            if (self.beat.q.val() >= 3) & (self.to_icrc.q.val() > self.lane_mark.val()) {
                self.crc_lanes.next = self.crc_lanes.val() | self.lane_bit.val();
            }
            self.lane_mark.next = self.lane_mark.val() + 1;
            self.lane_bit.next = self.lane_bit.val() << 1;
        }
        if self.beat.q.val() == 3 {
            // IPv4 header checksum.
            self.crc_ones.next = 0x03.into();
        }
        if self.beat.q.val() == 5 {
            // UDP checksum, and the BTH byte after P_Key.
            self.crc_ones.next = 0x43.into();
        }
        self.crc_work.next = self.crc.q.val();
        if self.beat.q.val() == 0 {
            self.crc_work.next = self.crc_seed.val();
        }
        for lane in 0..8 {
            if self.crc_lanes.val().get_bit(lane) {
                for bit in 0..8 {
                    if self.crc_work.val().get_bit(0)
                        ^ (self.s_axis.tdata.val().get_bit(lane * 8 + bit) | self.crc_ones.val().get_bit(lane))
                    {
                        self.crc_work.next = (self.crc_work.val() >> 1) ^ self.crc_polynomial.val();
                    } else {
                        self.crc_work.next = self.crc_work.val() >> 1;
                    }
                }
            }
        }

        self.icrc_mark.next = 8.into();
        if self.take.val() {
            self.out_valid.d.next = true;
            self.out_data.d.next = self.s_axis.tdata.val();
            self.out_keep.d.next = self.s_axis.tkeep.val();
            self.out_last.d.next = self.s_axis.tlast.val();
            self.out_user.d.next = self.s_axis.tuser.val();
            self.crc.d.next = self.crc_work.val();
            if self.s_axis.tlast.val() {
                self.beat.d.next = 0.into();
                self.frame_bytes.d.next =
                    (bit_cast::<16, 11>(self.beat.q.val()) << 3) + bit_cast::<16, 4>(self.keep_count.val());
            } else if self.beat.q.val() != 0x7FF {
                self.beat.d.next = self.beat.q.val() + 1;
            }
            // The headers, from the beats that carry them.
            if self.beat.q.val() == 1 {
                self.ipv4_ok.d.next = self.s_axis.tdata.val().get_bits::<24>(32) == 0x45_00_08;
            }
            if self.beat.q.val() == 2 {
                self.ip_length.d.next = (bit_cast::<16, 8>(self.s_axis.tdata.val().get_bits::<8>(0)) << 8)
                    | bit_cast::<16, 8>(self.s_axis.tdata.val().get_bits::<8>(8));
                self.udp_ok.d.next = self.s_axis.tdata.val().get_bits::<8>(56) == 17;
                // Where the ICRC starts, counted from beat 3's first byte, plus 8:
                // 14 + length - 4 - 24 + 8.
                self.to_icrc.d.next = ((bit_cast::<16, 8>(self.s_axis.tdata.val().get_bits::<8>(0)) << 8)
                    | bit_cast::<16, 8>(self.s_axis.tdata.val().get_bits::<8>(8)))
                    - 6;
            }
            if self.beat.q.val() >= 3 {
                if self.to_icrc.q.val() >= 8 {
                    self.to_icrc.d.next = self.to_icrc.q.val() - 8;
                } else {
                    self.to_icrc.d.next = 0.into();
                }
                // ICRC byte j sits in lane to_icrc - 8 + j.
                for lane in 0..8 {
                    if self.to_icrc.q.val() == self.icrc_mark.val() {
                        self.icrc_0.d.next = self.s_axis.tdata.val().get_bits::<8>(lane * 8);
                    }
                    if self.to_icrc.q.val() == self.icrc_mark.val() - 1 {
                        self.icrc_1.d.next = self.s_axis.tdata.val().get_bits::<8>(lane * 8);
                    }
                    if self.to_icrc.q.val() == self.icrc_mark.val() - 2 {
                        self.icrc_2.d.next = self.s_axis.tdata.val().get_bits::<8>(lane * 8);
                    }
                    if self.to_icrc.q.val() == self.icrc_mark.val() - 3 {
                        self.icrc_3.d.next = self.s_axis.tdata.val().get_bits::<8>(lane * 8);
                    }
                    self.icrc_mark.next = self.icrc_mark.val() + 1;
                }
            }
            if self.beat.q.val() == 4 {
                // 4791 = 0x12B7, big-endian in lanes 4-5.
                self.port_ok.d.next = self.s_axis.tdata.val().get_bits::<16>(32) == 0xB7_12;
            }
            if self.beat.q.val() == 5 {
                self.opcode.d.next = self.s_axis.tdata.val().get_bits::<8>(16);
                self.solicited.d.next = self.s_axis.tdata.val().get_bit(31);
                self.pad.d.next = self.s_axis.tdata.val().get_bits::<2>(28);
                self.qp_wire_high.d.next = self.s_axis.tdata.val().get_bits::<8>(56);
            }
            if self.beat.q.val() == 6 {
                self.qp_wire_low.d.next = self.s_axis.tdata.val().get_bits::<16>(0);
                self.ack_req.d.next = self.s_axis.tdata.val().get_bit(23);
                self.psn_wire.d.next = self.s_axis.tdata.val().get_bits::<24>(24);
                self.bytes_54.d.next = self.s_axis.tdata.val().get_bits::<16>(48);
            }
            if self.beat.q.val() == 7 {
                self.bytes_56.d.next = self.s_axis.tdata.val().get_bits::<48>(0);
                self.bytes_62.d.next = self.s_axis.tdata.val().get_bits::<16>(48);
            }
            if self.beat.q.val() == 8 {
                self.bytes_64.d.next = self.s_axis.tdata.val().get_bits::<16>(0);
                self.bytes_66.d.next = self.s_axis.tdata.val().get_bits::<32>(16);
                self.bytes_70.d.next = self.s_axis.tdata.val().get_bits::<16>(48);
            }
            if self.beat.q.val() == 9 {
                self.bytes_72.d.next = self.s_axis.tdata.val().get_bits::<16>(0);
            }
        }

        // The verdict. RETH: WRITE First, Only, Only with immediate, READ request;
        // immediate data: WRITE Last and Only with immediate.
        self.reth.next = (self.opcode.q.val() == 0x06)
            | (self.opcode.q.val() == 0x0A)
            | (self.opcode.q.val() == 0x0B)
            | (self.opcode.q.val() == 0x0C);
        self.imm.next = (self.opcode.q.val() == 0x09) | (self.opcode.q.val() == 0x0B);
        self.extension.next = 0.into();
        if self.reth.val() {
            self.extension.next = 16.into();
        }
        if self.imm.val() {
            self.extension.next = self.extension.val() + 4;
        }
        self.kind.next = self.kind_roce.val();
        if (bit_cast::<32, 8>(self.icrc_3.q.val()) << 24
            | bit_cast::<32, 8>(self.icrc_2.q.val()) << 16
            | bit_cast::<32, 8>(self.icrc_1.q.val()) << 8
            | bit_cast::<32, 8>(self.icrc_0.q.val()))
            != !self.crc.q.val()
        {
            self.kind.next = self.kind_bad_icrc.val();
        }
        // IPv4 length: IPv4 20 + UDP 8 + BTH 12 + RETH / immediate + pad + ICRC 4.
        if (bit_cast::<17, 16>(self.frame_bytes.q.val())
            < bit_cast::<17, 16>(self.ip_length.q.val()) + 14)
            | (self.ip_length.q.val() < 44)
            | (self.ip_length.q.val() - 44 < self.extension.val() + bit_cast::<16, 2>(self.pad.q.val()))
        {
            self.kind.next = self.kind_truncated.val();
        }
        if (self.frame_bytes.q.val() < 42) | !self.ipv4_ok.q.val() | !self.udp_ok.q.val() | !self.port_ok.q.val() {
            self.kind.next = self.kind_other.val();
        }
        self.meta_kind.next = self.kind.val();
        self.meta_opcode.next = self.opcode.q.val();
        self.meta_solicited.next = self.solicited.q.val();
        self.meta_pad.next = self.pad.q.val();
        self.meta_ack_req.next = self.ack_req.q.val();
        self.meta_dest_qp.next = (bit_cast::<24, 8>(self.qp_wire_high.q.val()) << 16)
            | (bit_cast::<24, 8>(self.qp_wire_low.q.val().get_bits::<8>(0)) << 8)
            | bit_cast::<24, 8>(self.qp_wire_low.q.val().get_bits::<8>(8));
        // Multi-byte fields are big-endian on the wire.
        self.meta_psn.next = (bit_cast::<24, 8>(self.psn_wire.q.val().get_bits::<8>(0)) << 16)
            | (bit_cast::<24, 8>(self.psn_wire.q.val().get_bits::<8>(8)) << 8)
            | bit_cast::<24, 8>(self.psn_wire.q.val().get_bits::<8>(16));
        self.va_wire.next = bit_cast::<64, 16>(self.bytes_54.q.val()) | (bit_cast::<64, 48>(self.bytes_56.q.val()) << 16);
        self.meta_va.next = (bit_cast::<64, 8>(self.va_wire.val().get_bits::<8>(0)) << 56)
            | (bit_cast::<64, 8>(self.va_wire.val().get_bits::<8>(8)) << 48)
            | (bit_cast::<64, 8>(self.va_wire.val().get_bits::<8>(16)) << 40)
            | (bit_cast::<64, 8>(self.va_wire.val().get_bits::<8>(24)) << 32)
            | (bit_cast::<64, 8>(self.va_wire.val().get_bits::<8>(32)) << 24)
            | (bit_cast::<64, 8>(self.va_wire.val().get_bits::<8>(40)) << 16)
            | (bit_cast::<64, 8>(self.va_wire.val().get_bits::<8>(48)) << 8)
            | bit_cast::<64, 8>(self.va_wire.val().get_bits::<8>(56));
        self.rkey_wire.next = bit_cast::<32, 16>(self.bytes_62.q.val()) | (bit_cast::<32, 16>(self.bytes_64.q.val()) << 16);
        self.meta_rkey.next = (bit_cast::<32, 8>(self.rkey_wire.val().get_bits::<8>(0)) << 24)
            | (bit_cast::<32, 8>(self.rkey_wire.val().get_bits::<8>(8)) << 16)
            | (bit_cast::<32, 8>(self.rkey_wire.val().get_bits::<8>(16)) << 8)
            | bit_cast::<32, 8>(self.rkey_wire.val().get_bits::<8>(24));
        self.meta_dma_length.next = (bit_cast::<32, 8>(self.bytes_66.q.val().get_bits::<8>(0)) << 24)
            | (bit_cast::<32, 8>(self.bytes_66.q.val().get_bits::<8>(8)) << 16)
            | (bit_cast::<32, 8>(self.bytes_66.q.val().get_bits::<8>(16)) << 8)
            | bit_cast::<32, 8>(self.bytes_66.q.val().get_bits::<8>(24));
        // Immediate data follows the RETH when there is one, else the BTH.
        self.imm_wire.next =
            bit_cast::<32, 16>(self.bytes_54.q.val()) | (bit_cast::<32, 16>(self.bytes_56.q.val().get_bits::<16>(0)) << 16);
        if self.reth.val() {
            self.imm_wire.next =
                bit_cast::<32, 16>(self.bytes_70.q.val()) | (bit_cast::<32, 16>(self.bytes_72.q.val()) << 16);
        }
        self.meta_imm.next = (bit_cast::<32, 8>(self.imm_wire.val().get_bits::<8>(0)) << 24)
            | (bit_cast::<32, 8>(self.imm_wire.val().get_bits::<8>(8)) << 16)
            | (bit_cast::<32, 8>(self.imm_wire.val().get_bits::<8>(16)) << 8)
            | bit_cast::<32, 8>(self.imm_wire.val().get_bits::<8>(24));
        self.meta_payload_offset.next = bit_cast::<8, 16>(self.extension.val() + 54);
        self.meta_payload_length.next =
            self.ip_length.q.val() - 44 - self.extension.val() - bit_cast::<16, 2>(self.pad.q.val());

        // Count each frame as its last beat leaves.
        if self.out_valid.q.val() & self.out_last.q.val() & self.m_axis.tready.val() {
            if (self.kind.val() == self.kind_roce.val()) & (self.roce_count.q.val() != 0xFFFF_FFFF_u64) {
                self.roce_count.d.next = self.roce_count.q.val() + 1;
            }
            if (self.kind.val() == self.kind_bad_icrc.val()) & (self.icrc_count.q.val() != 0xFFFF_FFFF_u64) {
                self.icrc_count.d.next = self.icrc_count.q.val() + 1;
            }
            if (self.kind.val() == self.kind_truncated.val()) & (self.truncated_count.q.val() != 0xFFFF_FFFF_u64) {
                self.truncated_count.d.next = self.truncated_count.q.val() + 1;
            }
        }
        self.roce_frames.next = self.roce_count.q.val();
        self.icrc_errors.next = self.icrc_count.q.val();
        self.truncated_frames.next = self.truncated_count.q.val();

        if self.rst.val() {
            self.out_valid.d.next = false;
            self.beat.d.next = 0.into();
            self.roce_count.d.next = 0.into();
            self.icrc_count.d.next = 0.into();
            self.truncated_count.d.next = 0.into();
        }
    }
}

crate::native_ports!(
    impl[] RoceParser;
    clk, rst, s_axis.tdata, s_axis.tkeep, s_axis.tvalid, s_axis.tready, s_axis.tlast, s_axis.tuser,
    m_axis.tdata, m_axis.tkeep, m_axis.tvalid, m_axis.tready, m_axis.tlast, m_axis.tuser,
    meta_kind, meta_opcode, meta_solicited, meta_pad, meta_dest_qp, meta_ack_req, meta_psn, meta_va,
    meta_rkey, meta_dma_length, meta_imm, meta_payload_offset, meta_payload_length,
    roce_frames, icrc_errors, truncated_frames,
);
