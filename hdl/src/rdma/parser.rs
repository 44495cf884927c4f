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
//! so no frame is stored here; the stream is delayed by two register stages (the beat's
//! half of the CRC step is worked out in the first, the register's in the second). To keep
//! the per-beat step one XOR network over a whole beat (no byte-by-byte chain):
//! * the CRC runs on through the ICRC itself: a good packet then leaves the CRC register at
//!   the fixed residue 0xDEBB20E3, so the ICRC bytes need not be found and kept;
//! * lanes outside the packet enter as zero bytes: the register then ends as the residue
//!   advanced over that many zero bytes, a constant, as a RoCEv2 packet is a whole number
//!   of 4-byte words (an IPv4 length that is not is malformed) and so always ends 2 or 6
//!   bytes into a beat;
//! * the IPv4 header starts 6 bytes into beat 1: the register starts from the LRH value
//!   taken back over 6 zero bytes, so beat 1's zeroed lanes 0-5 bring it to that value.
//! * the step is linear: lanes taken as ones enter as zeros and their share, a constant
//!   per beat, is added; the lanes taken from the data are decoded a beat ahead.
//!
//! Outcome (`meta_kind`, in the order checked): other traffic (shorter than 42 bytes, not
//! IPv4 without options, not UDP to 4791: the normal RX path's), truncated (the frame is
//! shorter than its IPv4 length, or the IPv4 length leaves no room for the BTH, the RETH or
//! immediate data the opcode implies, the pad and the ICRC), bad ICRC, RoCEv2. The MAC's
//! error flag (`tuser`) passes through, and a bad-ICRC or cut-short frame gets `tuser` on
//! its last beat, so the RX path behind drops it. The `meta_*` fields are valid while the
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

/// Reflected CRC-32 (polynomial 0xEDB88320), the register before the final inversion.
const POLYNOMIAL: u32 = 0xEDB8_8320;
/// The register after a message and its own CRC (inverted, least significant byte first).
const RESIDUE: u32 = 0xDEBB_20E3;

/// The register after `bits` bits of `data` (least significant first).
pub(crate) const fn crc_bits(mut state: u32, data: u64, bits: u32) -> u32 {
    let mut i = 0;
    while i < bits {
        let feedback = (state ^ (data >> i) as u32) & 1;
        state >>= 1;
        if feedback != 0 {
            state ^= POLYNOMIAL;
        }
        i += 1;
    }
    state
}

/// The register `bytes` zero bytes earlier (one bit step undone at a time: a step that fed
/// back left bit 31 set, as the polynomial has it).
const fn crc_back_over_zeros(mut state: u32, bytes: u32) -> u32 {
    let mut i = 0;
    while i < 8 * bytes {
        state = if state >> 31 != 0 { ((state ^ POLYNOMIAL) << 1) | 1 } else { state << 1 };
        i += 1;
    }
    state
}

/// The register to start a frame from: after the 8 bytes of ones for the LRH, taken back
/// over the 6 zero bytes beat 1 brings before the IPv4 header.
const CRC_START: u32 = crc_back_over_zeros(crc_bits(0xFFFF_FFFF, u64::MAX, 64), 6);
/// The register of a good packet that ends 6 bytes into a beat (2 zero bytes after it) and
/// 2 bytes into a beat (6 zero bytes after it).
const CRC_GOOD_ENDING_AT_6: u32 = crc_bits(RESIDUE, 0, 16);
const CRC_GOOD_ENDING_AT_2: u32 = crc_bits(RESIDUE, 0, 48);

/// The share of a beat's CRC step of lanes taken as all ones (`lanes`: one bit per lane):
/// the step is linear, so those lanes enter as zeros and this is added.
fn crc_ones_share(lanes: u8) -> u64 {
    let data = (0..8).filter(|l| lanes >> l & 1 != 0).fold(0u64, |d, l| d | 0xFF << (8 * l));
    crc_bits(0, data, 64) as u64
}

/// One beat's CRC step as XOR masks: register bit k becomes the parity of the register
/// masked by `state_masks` bits 32k.. and of the beat masked by `data_masks` bits 64k...
fn crc_step_masks() -> (Bits<1024>, Bits<2048>) {
    let mut state_masks = Bits::<1024>::default();
    let mut data_masks = Bits::<2048>::default();
    for k in 0..32 {
        let state_mask = (0..32).filter(|j| crc_bits(1 << j, 0, 64) >> k & 1 != 0).fold(0u64, |m, j| m | 1 << j);
        let data_mask = (0..64).filter(|i| crc_bits(0, 1 << i, 64) >> k & 1 != 0).fold(0u64, |m, i| m | 1 << i);
        state_masks.set_bits::<32>(32 * k, state_mask.to_bits());
        data_masks.set_bits::<64>(64 * k, data_mask.to_bits());
    }
    (state_masks, data_masks)
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
    /// The addresses an acknowledgement goes back to (as numbers: `0x0200_0000_0001` is
    /// 02:00:00:00:00:01, `0x0A00_0001` is 10.0.0.1), the UDP source port and the P_Key.
    pub meta_dst_mac: Signal<Out, Bits<48>>,
    pub meta_src_mac: Signal<Out, Bits<48>>,
    pub meta_src_ip: Signal<Out, Bits<32>>,
    pub meta_dst_ip: Signal<Out, Bits<32>>,
    pub meta_src_port: Signal<Out, Bits<16>>,
    pub meta_pkey: Signal<Out, Bits<16>>,
    /// Frames of each kind that left (saturating).
    pub roce_frames: Signal<Out, Bits<32>>,
    pub icrc_errors: Signal<Out, Bits<32>>,
    pub truncated_frames: Signal<Out, Bits<32>>,

    // The input stage: a beat taken, with the beat's share of the CRC step worked out (the
    // data half of the XOR network), and what the CRC does with it.
    in_valid: DFF<Bit>,
    in_data: DFF<Bits<64>>,
    in_keep: DFF<Bits<8>>,
    in_last: DFF<Bit>,
    in_user: DFF<Bits<1>>,
    in_crc_data: DFF<Bits<32>>,
    in_crc_start: DFF<Bit>,
    in_crc_step: DFF<Bit>,
    advance: Signal<Local, Bit>,
    // The output stage: the beat from the input stage, until the sink takes it. The CRC
    // register takes the beat's step as the beat enters this stage.
    out_valid: DFF<Bit>,
    out_data: DFF<Bits<64>>,
    out_keep: DFF<Bits<8>>,
    out_last: DFF<Bit>,
    out_user: DFF<Bits<1>>,
    take: Signal<Local, Bit>,

    /// The next beat of the frame, decoded for the beats that carry headers (bit k: beat k,
    /// for 0-9), and "beat 3 or later": registers, so no compare sits in front of the CRC.
    at_beat: DFF<Bits<10>>,
    past_beat_2: DFF<Bit>,
    /// Lanes of the next beat (from beat 3) inside the IPv4 packet, decoded ahead.
    end_lanes: DFF<Bits<8>>,
    to_end_next: Signal<Local, Bits<16>>,
    /// With the last beat: shorter than 42 bytes (the headers that tell RoCEv2 from other
    /// traffic), shorter than the IPv4 packet says.
    frame_tiny: DFF<Bit>,
    frame_short: DFF<Bit>,
    /// The same for the beat in the input stage: the next frame's last beat may be taken
    /// while this frame's waits in the output stage, so they move on with their beat.
    in_frame_tiny: DFF<Bit>,
    in_frame_short: DFF<Bit>,
    // Headers, captured from their beats; multi-byte fields in wire order from bit 0 up.
    ipv4_ok: DFF<Bit>,
    /// The IPv4 length is 8k + 4 bytes (bit 2): the packet then ends 2 bytes into a beat,
    /// else 6, which decides the CRC register a good packet leaves.
    ends_2_into_beat: DFF<Bit>,
    ip_length_in: Signal<Local, Bits<16>>,
    /// The IPv4 length is too short for IPv4 + UDP + BTH + ICRC or not a whole number of
    /// 4-byte words.
    ip_malformed: DFF<Bit>,
    /// From the opcode (beat 5): RETH and immediate data present, no room for them and the
    /// pad in the IPv4 length, and where the payload is.
    has_reth: DFF<Bit>,
    room_short: DFF<Bit>,
    /// The IPv4 length less IPv4, UDP, BTH and ICRC (beat 2), and the opcode's RETH and
    /// immediate bytes plus the pad (beat 5): their compare and difference are made at beat
    /// 6, each step a register apart. A frame that ends before beat 6 is cut short anyway.
    ip_room: DFF<Bits<16>>,
    extension_and_pad: DFF<Bits<16>>,
    payload_offset: DFF<Bits<8>>,
    payload_length: DFF<Bits<16>>,
    opcode_in: Signal<Local, Bits<8>>,
    pad_in: Signal<Local, Bits<16>>,
    udp_ok: DFF<Bit>,
    port_ok: DFF<Bit>,
    opcode: DFF<Bits<8>>,
    solicited: DFF<Bit>,
    pad: DFF<Bits<2>>,
    qp_wire_high: DFF<Bits<8>>,
    qp_wire_low: DFF<Bits<16>>,
    ack_req: DFF<Bit>,
    psn_wire: DFF<Bits<24>>,
    /// Beat 0 and bytes 8-11 as offered, and the address fields in wire order (the
    /// field's first byte in bits 7:0); see the update.
    beat_0: DFF<Bits<64>>,
    beat_1_low: DFF<Bits<32>>,
    dst_mac_wire: DFF<Bits<48>>,
    src_mac_wire: DFF<Bits<48>>,
    src_ip_wire: DFF<Bits<32>>,
    dst_ip_wire: DFF<Bits<32>>,
    src_port_wire: DFF<Bits<16>>,
    pkey_wire: DFF<Bits<16>>,
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
    /// Bytes from the start of this beat (from beat 3) to the end of the IPv4 packet,
    /// down to 0.
    to_end: DFF<Bits<16>>,
    /// This beat's lanes the CRC takes from the data (in the packet, not taken as ones),
    /// and the share of its lanes taken as ones: decoded a beat ahead, so the CRC step
    /// starts from registers.
    data_lanes: DFF<Bits<8>>,
    ones_share: DFF<Bits<32>>,
    next_end_lanes: Signal<Local, Bits<8>>,
    ones_share_beat_1: Constant<Bits<32>>,
    ones_share_beat_2: Constant<Bits<32>>,
    ones_share_beat_3: Constant<Bits<32>>,
    ones_share_beat_5: Constant<Bits<32>>,
    /// The beat as the CRC takes it: its data lanes, the rest zero.
    crc_data: Signal<Local, Bits<64>>,
    crc_lane_mask: Signal<Local, Bits<64>>,
    byte_mask: Signal<Local, Bits<64>>,
    crc_work: Signal<Local, Bits<32>>,
    crc_data_part: Signal<Local, Bits<32>>,
    crc_out_bit: Signal<Local, Bits<32>>,
    crc_state_masks: Constant<Bits<1024>>,
    crc_data_masks: Constant<Bits<2048>>,
    crc_start: Constant<Bits<32>>,
    crc_good_ending_at_6: Constant<Bits<32>>,
    crc_good_ending_at_2: Constant<Bits<32>>,
    all_lanes: Constant<Bits<8>>,
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
    /// The kind of the frame whose last beat left, registered for the counters (the
    /// verdict's compares are the block's longest path: the counters' enables wait a cycle).
    left_roce: DFF<Bit>,
    left_bad_icrc: DFF<Bit>,
    left_truncated: DFF<Bit>,
    roce_count: DFF<Bits<32>>,
    icrc_count: DFF<Bits<32>>,
    truncated_count: DFF<Bits<32>>,
}

impl Default for RoceParser {
    fn default() -> Self {
        let (state_masks, data_masks) = crc_step_masks();
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
            meta_dst_mac: Default::default(),
            meta_src_mac: Default::default(),
            meta_src_ip: Default::default(),
            meta_dst_ip: Default::default(),
            meta_src_port: Default::default(),
            meta_pkey: Default::default(),
            roce_frames: Default::default(),
            icrc_errors: Default::default(),
            truncated_frames: Default::default(),
            in_valid: Default::default(),
            in_data: Default::default(),
            in_keep: Default::default(),
            in_last: Default::default(),
            in_user: Default::default(),
            in_crc_data: Default::default(),
            in_crc_start: Default::default(),
            in_crc_step: Default::default(),
            advance: Default::default(),
            out_valid: Default::default(),
            out_data: Default::default(),
            out_keep: Default::default(),
            out_last: Default::default(),
            out_user: Default::default(),
            take: Default::default(),
            at_beat: Default::default(),
            past_beat_2: Default::default(),
            end_lanes: Default::default(),
            to_end_next: Default::default(),
            frame_tiny: Default::default(),
            frame_short: Default::default(),
            in_frame_tiny: Default::default(),
            in_frame_short: Default::default(),
            ipv4_ok: Default::default(),
            ends_2_into_beat: Default::default(),
            ip_length_in: Default::default(),
            ip_malformed: Default::default(),
            has_reth: Default::default(),
            room_short: Default::default(),
            ip_room: Default::default(),
            extension_and_pad: Default::default(),
            payload_offset: Default::default(),
            payload_length: Default::default(),
            opcode_in: Default::default(),
            pad_in: Default::default(),
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
            beat_0: Default::default(),
            beat_1_low: Default::default(),
            dst_mac_wire: Default::default(),
            src_mac_wire: Default::default(),
            src_ip_wire: Default::default(),
            dst_ip_wire: Default::default(),
            src_port_wire: Default::default(),
            pkey_wire: Default::default(),
            crc: Default::default(),
            to_end: Default::default(),
            data_lanes: Default::default(),
            ones_share: Default::default(),
            next_end_lanes: Default::default(),
            // TOS (beat 1 lane 7); TTL (beat 2 lane 6); IPv4 checksum (beat 3 lanes 0-1);
            // UDP checksum and the BTH byte after P_Key (beat 5 lanes 0-1 and 6).
            ones_share_beat_1: Constant::new(crc_ones_share(0x80).to_bits()),
            ones_share_beat_2: Constant::new(crc_ones_share(0x40).to_bits()),
            ones_share_beat_3: Constant::new(crc_ones_share(0x03).to_bits()),
            ones_share_beat_5: Constant::new(crc_ones_share(0x43).to_bits()),
            crc_data: Default::default(),
            crc_lane_mask: Default::default(),
            byte_mask: Default::default(),
            crc_work: Default::default(),
            crc_data_part: Default::default(),
            crc_out_bit: Default::default(),
            crc_state_masks: Constant::new(state_masks),
            crc_data_masks: Constant::new(data_masks),
            crc_start: Constant::new((CRC_START as u64).to_bits()),
            crc_good_ending_at_6: Constant::new((CRC_GOOD_ENDING_AT_6 as u64).to_bits()),
            crc_good_ending_at_2: Constant::new((CRC_GOOD_ENDING_AT_2 as u64).to_bits()),
            all_lanes: Constant::new(0xFF_u64.to_bits()),
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
            left_roce: Default::default(),
            left_bad_icrc: Default::default(),
            left_truncated: Default::default(),
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
            in_valid,
            in_data,
            in_keep,
            in_last,
            in_user,
            in_crc_data,
            data_lanes,
            ones_share,
            in_crc_start,
            in_crc_step,
            out_valid,
            out_data,
            out_keep,
            out_last,
            out_user,
            at_beat,
            past_beat_2,
            end_lanes,
            frame_tiny,
            frame_short,
            in_frame_tiny,
            in_frame_short,
            ipv4_ok,
            ends_2_into_beat,
            ip_malformed,
            has_reth,
            room_short,
            ip_room,
            extension_and_pad,
            payload_offset,
            payload_length,
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
            beat_0,
            beat_1_low,
            dst_mac_wire,
            src_mac_wire,
            src_ip_wire,
            dst_ip_wire,
            src_port_wire,
            pkey_wire,
            crc,
            to_end,
            left_roce,
            left_bad_icrc,
            left_truncated,
            roce_count,
            icrc_count,
            truncated_count
        );

        // Two register stages: a beat moves on when the stage ahead is empty or being
        // emptied; a beat is taken when the input stage is empty or moving on.
        self.advance.next = self.in_valid.q.val() & (!self.out_valid.q.val() | self.m_axis.tready.val());
        self.s_axis.tready.next = !self.in_valid.q.val() | self.advance.val();
        self.take.next = self.s_axis.tvalid.val() & (!self.in_valid.q.val() | self.advance.val());
        self.m_axis.tvalid.next = self.out_valid.q.val();
        self.m_axis.tdata.next = self.out_data.q.val();
        self.m_axis.tkeep.next = self.out_keep.q.val();
        self.m_axis.tlast.next = self.out_last.q.val();
        if self.m_axis.tready.val() {
            self.out_valid.d.next = false;
        }
        if self.advance.val() {
            self.in_valid.d.next = false;
        }

        // The beat as the CRC takes it: its data lanes (decoded a beat ahead), the rest zero.
        self.crc_lane_mask.next = 0.into();
        self.byte_mask.next = 0xFF.into();
        for lane in 0..8 {
            if self.data_lanes.q.val().get_bit(lane) {
                self.crc_lane_mask.next = self.crc_lane_mask.val() | self.byte_mask.val();
            }
            self.byte_mask.next = self.byte_mask.val() << 8;
        }
        self.crc_data.next = self.s_axis.tdata.val() & self.crc_lane_mask.val();
        // The beat's step: each register bit a parity of register bits and beat bits. The
        // beat's half is worked out as the beat is taken, the register's as it moves on.
        self.crc_data_part.next = self.ones_share.q.val();
        self.crc_work.next = self.in_crc_data.q.val();
        self.crc_out_bit.next = 1.into();
        for k in 0..32 {
            if (self.crc_data.val() & self.crc_data_masks.val().get_bits::<64>(64 * k)).xor() {
                self.crc_data_part.next = self.crc_data_part.val() ^ self.crc_out_bit.val();
            }
            if (self.crc.q.val() & self.crc_state_masks.val().get_bits::<32>(32 * k)).xor() {
                self.crc_work.next = self.crc_work.val() ^ self.crc_out_bit.val();
            }
            self.crc_out_bit.next = self.crc_out_bit.val() << 1;
        }

        // Header fields as they pass, for the checks that are made as they are captured
        // (so the verdict at the end is a few gates from registers).
        self.ip_length_in.next = (bit_cast::<16, 8>(self.s_axis.tdata.val().get_bits::<8>(0)) << 8)
            | bit_cast::<16, 8>(self.s_axis.tdata.val().get_bits::<8>(8));
        self.opcode_in.next = self.s_axis.tdata.val().get_bits::<8>(16);
        self.pad_in.next = bit_cast::<16, 2>(self.s_axis.tdata.val().get_bits::<2>(28));
        // RETH: WRITE First, Only, Only with immediate, READ request; immediate data: SEND
        // and WRITE Last and Only with immediate.
        self.reth.next = (self.opcode_in.val() == 0x06)
            | (self.opcode_in.val() == 0x0A)
            | (self.opcode_in.val() == 0x0B)
            | (self.opcode_in.val() == 0x0C);
        self.imm.next = (self.opcode_in.val() == 0x03)
            | (self.opcode_in.val() == 0x05)
            | (self.opcode_in.val() == 0x09)
            | (self.opcode_in.val() == 0x0B);
        self.extension.next = 0.into();
        if self.reth.val() {
            self.extension.next = 16.into();
        }
        if self.imm.val() {
            self.extension.next = self.extension.val() + 4;
        }

        self.to_end_next.next = self.to_end.q.val();
        self.next_end_lanes.next = self.end_lanes.q.val();
        if self.advance.val() {
            self.out_valid.d.next = true;
            self.out_data.d.next = self.in_data.q.val();
            self.out_keep.d.next = self.in_keep.q.val();
            self.out_last.d.next = self.in_last.q.val();
            self.out_user.d.next = self.in_user.q.val();
            if self.in_last.q.val() {
                self.frame_tiny.d.next = self.in_frame_tiny.q.val();
                self.frame_short.d.next = self.in_frame_short.q.val();
            }
            if self.in_crc_start.q.val() {
                self.crc.d.next = self.crc_start.val();
            } else if self.in_crc_step.q.val() {
                self.crc.d.next = self.crc_work.val();
            }
        }
        if self.take.val() {
            self.in_valid.d.next = true;
            self.in_data.d.next = self.s_axis.tdata.val();
            self.in_keep.d.next = self.s_axis.tkeep.val();
            self.in_last.d.next = self.s_axis.tlast.val();
            self.in_user.d.next = self.s_axis.tuser.val();
            self.in_crc_data.d.next = self.crc_data_part.val();
            self.in_crc_start.d.next = self.at_beat.q.val().get_bit(0);
            self.in_crc_step.d.next = self.data_lanes.q.val() != 0;
            self.at_beat.d.next = self.at_beat.q.val() << 1;
            if self.at_beat.q.val().get_bit(2) {
                self.past_beat_2.d.next = true;
            }
            if self.s_axis.tlast.val() {
                self.at_beat.d.next = 1.into();
                self.past_beat_2.d.next = false;
                // Shorter than 42 bytes: ends before beat 5, or in it before lane 2.
                self.in_frame_tiny.d.next = !self.past_beat_2.q.val()
                    | self.at_beat.q.val().get_bit(3)
                    | self.at_beat.q.val().get_bit(4)
                    | (self.at_beat.q.val().get_bit(5) & !self.s_axis.tkeep.val().get_bit(1));
                // Shorter than the IPv4 packet: it goes on past this beat (more than 8 bytes
                // to its end), or this beat lacks one of its lanes in it (bit tests only).
                self.in_frame_short.d.next = (self.to_end.q.val().get_bits::<12>(4) != 0)
                    | (self.to_end.q.val().get_bit(3) & (self.to_end.q.val().get_bits::<3>(0) != 0))
                    | ((self.end_lanes.q.val() & !self.s_axis.tkeep.val()) != 0);
            }
            // The headers, from the beats that carry them.
            if self.at_beat.q.val().get_bit(1) {
                self.ipv4_ok.d.next = self.s_axis.tdata.val().get_bits::<24>(32) == 0x45_00_08;
            }
            if self.at_beat.q.val().get_bit(2) {
                self.ends_2_into_beat.d.next = self.ip_length_in.val().get_bit(2);
                self.ip_room.d.next = self.ip_length_in.val() - 44;
                // IPv4 20 + UDP 8 + BTH 12 + ICRC 4, in 4-byte words.
                self.ip_malformed.d.next =
                    (self.ip_length_in.val() < 44) | (self.ip_length_in.val().get_bits::<2>(0) != 0);
                self.udp_ok.d.next = self.s_axis.tdata.val().get_bits::<8>(56) == 17;
                // The end of the IPv4 packet from beat 3's first byte: 14 + length - 24.
                self.to_end_next.next = self.ip_length_in.val() - 10;
                // Beat 3 lies wholly inside any IPv4 length that is not malformed (44 up).
                self.next_end_lanes.next = 0xFF.into();
            }
            // The next beat's lanes from this beat's distance to the end (bit tests, not
            // compares: they sit in front of the CRC): 16 or more, all; 8-15, below the
            // distance - 8; else none.
            if self.past_beat_2.q.val() {
                self.to_end_next.next = 0.into();
                if self.to_end.q.val().get_bits::<13>(3) != 0 {
                    self.to_end_next.next = self.to_end.q.val() - 8;
                }
                self.next_end_lanes.next = 0.into();
                if self.to_end.q.val().get_bits::<12>(4) != 0 {
                    self.next_end_lanes.next = 0xFF.into();
                } else if self.to_end.q.val().get_bit(3) {
                    self.next_end_lanes.next =
                        !(self.all_lanes.val() << bit_cast::<8, 3>(self.to_end.q.val().get_bits::<3>(0)));
                }
            }
            self.to_end.d.next = self.to_end_next.val();
            self.end_lanes.d.next = self.next_end_lanes.val();
            // The next beat's lanes for the CRC. Beat 1: the IPv4 header starts at lane 6,
            // TOS (lane 7) is taken as ones. Beats 2-5 lie inside any packet that is not
            // malformed; TTL, the IPv4 checksum, the UDP checksum and the BTH byte after
            // P_Key are taken as ones. From beat 6 on, the lanes inside the packet.
            self.data_lanes.d.next = self.next_end_lanes.val();
            self.ones_share.d.next = 0.into();
            if self.at_beat.q.val().get_bit(0) {
                self.data_lanes.d.next = 0x40.into();
                self.ones_share.d.next = self.ones_share_beat_1.val();
            }
            if self.at_beat.q.val().get_bit(1) {
                self.data_lanes.d.next = 0xBF.into();
                self.ones_share.d.next = self.ones_share_beat_2.val();
            }
            if self.at_beat.q.val().get_bit(2) {
                self.data_lanes.d.next = 0xFC.into();
                self.ones_share.d.next = self.ones_share_beat_3.val();
            }
            if self.at_beat.q.val().get_bit(3) {
                self.data_lanes.d.next = 0xFF.into();
            }
            if self.at_beat.q.val().get_bit(4) {
                self.data_lanes.d.next = 0xBC.into();
                self.ones_share.d.next = self.ones_share_beat_5.val();
            }
            if self.s_axis.tlast.val() {
                // Beat 0 of the next frame: the register starts afresh.
                self.data_lanes.d.next = 0.into();
                self.ones_share.d.next = 0.into();
            }
            if self.at_beat.q.val().get_bit(4) {
                // 4791 = 0x12B7, big-endian in lanes 4-5.
                self.port_ok.d.next = self.s_axis.tdata.val().get_bits::<16>(32) == 0xB7_12;
            }
            if self.at_beat.q.val().get_bit(5) {
                self.opcode.d.next = self.opcode_in.val();
                self.has_reth.d.next = self.reth.val();
                self.extension_and_pad.d.next = self.extension.val() + self.pad_in.val();
                self.payload_offset.d.next = bit_cast::<8, 16>(self.extension.val() + 54);
                self.solicited.d.next = self.s_axis.tdata.val().get_bit(31);
                self.pad.d.next = self.s_axis.tdata.val().get_bits::<2>(28);
                self.qp_wire_high.d.next = self.s_axis.tdata.val().get_bits::<8>(56);
            }
            if self.at_beat.q.val().get_bit(6) {
                self.room_short.d.next = self.ip_room.q.val() < self.extension_and_pad.q.val();
                self.payload_length.d.next = self.ip_room.q.val() - self.extension_and_pad.q.val();
                self.qp_wire_low.d.next = self.s_axis.tdata.val().get_bits::<16>(0);
                self.ack_req.d.next = self.s_axis.tdata.val().get_bit(23);
                self.psn_wire.d.next = self.s_axis.tdata.val().get_bits::<24>(24);
                self.bytes_54.d.next = self.s_axis.tdata.val().get_bits::<16>(48);
            }
            if self.at_beat.q.val().get_bit(7) {
                self.bytes_56.d.next = self.s_axis.tdata.val().get_bits::<48>(0);
                self.bytes_62.d.next = self.s_axis.tdata.val().get_bits::<16>(48);
            }
            if self.at_beat.q.val().get_bit(8) {
                self.bytes_64.d.next = self.s_axis.tdata.val().get_bits::<16>(0);
                self.bytes_66.d.next = self.s_axis.tdata.val().get_bits::<32>(16);
                self.bytes_70.d.next = self.s_axis.tdata.val().get_bits::<16>(48);
            }
            if self.at_beat.q.val().get_bit(9) {
                self.bytes_72.d.next = self.s_axis.tdata.val().get_bits::<16>(0);
            }
        }

        // The addresses an ACK goes back to, captured while a beat is offered, taken this
        // cycle or not (it stays the same until taken): the handshake does not gate these
        // flip-flops. Beat 0 and the first half of beat 1 are kept aside and copied into
        // the MAC addresses at beat 2, as beats 0 and 1 of the next frame can be offered
        // while this frame's last beat, with its headers, waits at the output; beat 2
        // cannot (taking beat 1 moved beat 0 on, so the last beat had left).
        if self.s_axis.tvalid.val() {
            if self.at_beat.q.val().get_bit(0) {
                self.beat_0.d.next = self.s_axis.tdata.val();
            }
            if self.at_beat.q.val().get_bit(1) {
                self.beat_1_low.d.next = self.s_axis.tdata.val().get_bits::<32>(0);
            }
            if self.at_beat.q.val().get_bit(2) {
                // Bytes 0-5 and 6-11.
                self.dst_mac_wire.d.next = self.beat_0.q.val().get_bits::<48>(0);
                self.src_mac_wire.d.next = bit_cast::<48, 16>(self.beat_0.q.val().get_bits::<16>(48))
                    | (bit_cast::<48, 32>(self.beat_1_low.q.val()) << 16);
            }
            if self.at_beat.q.val().get_bit(3) {
                // Bytes 26-29, and 30-31 of 30-33.
                self.src_ip_wire.d.next = self.s_axis.tdata.val().get_bits::<32>(16);
                self.dst_ip_wire.d.next = bit_cast::<32, 16>(self.s_axis.tdata.val().get_bits::<16>(48));
            }
            if self.at_beat.q.val().get_bit(4) {
                // Bytes 32-33, 34-35.
                self.dst_ip_wire.d.next =
                    self.dst_ip_wire.q.val() | (bit_cast::<32, 16>(self.s_axis.tdata.val().get_bits::<16>(0)) << 16);
                self.src_port_wire.d.next = self.s_axis.tdata.val().get_bits::<16>(16);
            }
            if self.at_beat.q.val().get_bit(5) {
                // Bytes 44-45.
                self.pkey_wire.d.next = self.s_axis.tdata.val().get_bits::<16>(32);
            }
        }

        // The verdict, from registers.
        self.kind.next = self.kind_roce.val();
        if self.ends_2_into_beat.q.val() {
            if self.crc.q.val() != self.crc_good_ending_at_2.val() {
                self.kind.next = self.kind_bad_icrc.val();
            }
        } else if self.crc.q.val() != self.crc_good_ending_at_6.val() {
            self.kind.next = self.kind_bad_icrc.val();
        }
        // Cut short, or an IPv4 length with no room for the headers, pad and ICRC.
        if self.frame_short.q.val() | self.ip_malformed.q.val() | self.room_short.q.val() {
            self.kind.next = self.kind_truncated.val();
        }
        if self.frame_tiny.q.val() | !self.ipv4_ok.q.val() | !self.udp_ok.q.val() | !self.port_ok.q.val() {
            self.kind.next = self.kind_other.val();
        }
        self.meta_kind.next = self.kind.val();
        // A frame to drop (bad ICRC, cut short) leaves flagged on its last beat, as a MAC
        // flags a bad FCS: the RX path behind drops it.
        self.m_axis.tuser.next = self.out_user.q.val();
        if self.out_last.q.val()
            & ((self.kind.val() == self.kind_bad_icrc.val()) | (self.kind.val() == self.kind_truncated.val()))
        {
            self.m_axis.tuser.next = 1.into();
        }
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
        self.va_wire.next =
            bit_cast::<64, 16>(self.bytes_54.q.val()) | (bit_cast::<64, 48>(self.bytes_56.q.val()) << 16);
        self.meta_va.next = (bit_cast::<64, 8>(self.va_wire.val().get_bits::<8>(0)) << 56)
            | (bit_cast::<64, 8>(self.va_wire.val().get_bits::<8>(8)) << 48)
            | (bit_cast::<64, 8>(self.va_wire.val().get_bits::<8>(16)) << 40)
            | (bit_cast::<64, 8>(self.va_wire.val().get_bits::<8>(24)) << 32)
            | (bit_cast::<64, 8>(self.va_wire.val().get_bits::<8>(32)) << 24)
            | (bit_cast::<64, 8>(self.va_wire.val().get_bits::<8>(40)) << 16)
            | (bit_cast::<64, 8>(self.va_wire.val().get_bits::<8>(48)) << 8)
            | bit_cast::<64, 8>(self.va_wire.val().get_bits::<8>(56));
        self.rkey_wire.next =
            bit_cast::<32, 16>(self.bytes_62.q.val()) | (bit_cast::<32, 16>(self.bytes_64.q.val()) << 16);
        self.meta_rkey.next = (bit_cast::<32, 8>(self.rkey_wire.val().get_bits::<8>(0)) << 24)
            | (bit_cast::<32, 8>(self.rkey_wire.val().get_bits::<8>(8)) << 16)
            | (bit_cast::<32, 8>(self.rkey_wire.val().get_bits::<8>(16)) << 8)
            | bit_cast::<32, 8>(self.rkey_wire.val().get_bits::<8>(24));
        self.meta_dma_length.next = (bit_cast::<32, 8>(self.bytes_66.q.val().get_bits::<8>(0)) << 24)
            | (bit_cast::<32, 8>(self.bytes_66.q.val().get_bits::<8>(8)) << 16)
            | (bit_cast::<32, 8>(self.bytes_66.q.val().get_bits::<8>(16)) << 8)
            | bit_cast::<32, 8>(self.bytes_66.q.val().get_bits::<8>(24));
        // Immediate data follows the RETH when there is one, else the BTH.
        self.imm_wire.next = bit_cast::<32, 16>(self.bytes_54.q.val())
            | (bit_cast::<32, 16>(self.bytes_56.q.val().get_bits::<16>(0)) << 16);
        if self.has_reth.q.val() {
            self.imm_wire.next =
                bit_cast::<32, 16>(self.bytes_70.q.val()) | (bit_cast::<32, 16>(self.bytes_72.q.val()) << 16);
        }
        self.meta_imm.next = (bit_cast::<32, 8>(self.imm_wire.val().get_bits::<8>(0)) << 24)
            | (bit_cast::<32, 8>(self.imm_wire.val().get_bits::<8>(8)) << 16)
            | (bit_cast::<32, 8>(self.imm_wire.val().get_bits::<8>(16)) << 8)
            | bit_cast::<32, 8>(self.imm_wire.val().get_bits::<8>(24));
        self.meta_payload_offset.next = self.payload_offset.q.val();
        self.meta_payload_length.next = self.payload_length.q.val();
        self.meta_dst_mac.next = (bit_cast::<48, 8>(self.dst_mac_wire.q.val().get_bits::<8>(0)) << 40)
            | (bit_cast::<48, 8>(self.dst_mac_wire.q.val().get_bits::<8>(8)) << 32)
            | (bit_cast::<48, 8>(self.dst_mac_wire.q.val().get_bits::<8>(16)) << 24)
            | (bit_cast::<48, 8>(self.dst_mac_wire.q.val().get_bits::<8>(24)) << 16)
            | (bit_cast::<48, 8>(self.dst_mac_wire.q.val().get_bits::<8>(32)) << 8)
            | bit_cast::<48, 8>(self.dst_mac_wire.q.val().get_bits::<8>(40));
        self.meta_src_mac.next = (bit_cast::<48, 8>(self.src_mac_wire.q.val().get_bits::<8>(0)) << 40)
            | (bit_cast::<48, 8>(self.src_mac_wire.q.val().get_bits::<8>(8)) << 32)
            | (bit_cast::<48, 8>(self.src_mac_wire.q.val().get_bits::<8>(16)) << 24)
            | (bit_cast::<48, 8>(self.src_mac_wire.q.val().get_bits::<8>(24)) << 16)
            | (bit_cast::<48, 8>(self.src_mac_wire.q.val().get_bits::<8>(32)) << 8)
            | bit_cast::<48, 8>(self.src_mac_wire.q.val().get_bits::<8>(40));
        self.meta_src_ip.next = (bit_cast::<32, 8>(self.src_ip_wire.q.val().get_bits::<8>(0)) << 24)
            | (bit_cast::<32, 8>(self.src_ip_wire.q.val().get_bits::<8>(8)) << 16)
            | (bit_cast::<32, 8>(self.src_ip_wire.q.val().get_bits::<8>(16)) << 8)
            | bit_cast::<32, 8>(self.src_ip_wire.q.val().get_bits::<8>(24));
        self.meta_dst_ip.next = (bit_cast::<32, 8>(self.dst_ip_wire.q.val().get_bits::<8>(0)) << 24)
            | (bit_cast::<32, 8>(self.dst_ip_wire.q.val().get_bits::<8>(8)) << 16)
            | (bit_cast::<32, 8>(self.dst_ip_wire.q.val().get_bits::<8>(16)) << 8)
            | bit_cast::<32, 8>(self.dst_ip_wire.q.val().get_bits::<8>(24));
        self.meta_src_port.next = (bit_cast::<16, 8>(self.src_port_wire.q.val().get_bits::<8>(0)) << 8)
            | bit_cast::<16, 8>(self.src_port_wire.q.val().get_bits::<8>(8));
        self.meta_pkey.next = (bit_cast::<16, 8>(self.pkey_wire.q.val().get_bits::<8>(0)) << 8)
            | bit_cast::<16, 8>(self.pkey_wire.q.val().get_bits::<8>(8));

        // Count each frame as its last beat leaves.
        self.left_roce.d.next = false;
        self.left_bad_icrc.d.next = false;
        self.left_truncated.d.next = false;
        if self.out_valid.q.val() & self.out_last.q.val() & self.m_axis.tready.val() {
            self.left_roce.d.next = self.kind.val() == self.kind_roce.val();
            self.left_bad_icrc.d.next = self.kind.val() == self.kind_bad_icrc.val();
            self.left_truncated.d.next = self.kind.val() == self.kind_truncated.val();
        }
        if self.left_roce.q.val() & (self.roce_count.q.val() != 0xFFFF_FFFF_u64) {
            self.roce_count.d.next = self.roce_count.q.val() + 1;
        }
        if self.left_bad_icrc.q.val() & (self.icrc_count.q.val() != 0xFFFF_FFFF_u64) {
            self.icrc_count.d.next = self.icrc_count.q.val() + 1;
        }
        if self.left_truncated.q.val() & (self.truncated_count.q.val() != 0xFFFF_FFFF_u64) {
            self.truncated_count.d.next = self.truncated_count.q.val() + 1;
        }
        self.roce_frames.next = self.roce_count.q.val();
        self.icrc_errors.next = self.icrc_count.q.val();
        self.truncated_frames.next = self.truncated_count.q.val();

        if self.rst.val() {
            self.data_lanes.d.next = 0.into();
            self.ones_share.d.next = 0.into();
            self.in_valid.d.next = false;
            self.out_valid.d.next = false;
            self.at_beat.d.next = 1.into();
            self.past_beat_2.d.next = false;
            self.left_roce.d.next = false;
            self.left_bad_icrc.d.next = false;
            self.left_truncated.d.next = false;
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
    meta_dst_mac, meta_src_mac, meta_src_ip, meta_dst_ip, meta_src_port, meta_pkey,
    roce_frames, icrc_errors, truncated_frames,
);
