//! The RoCEv2 acknowledgement sender: one request in, one ACK frame out.
//!
//! A request names everything the frame carries that is not fixed: the Ethernet and IPv4
//! addresses, the UDP source port, the P_Key, the requester's QP (the ACK's destination),
//! the PSN acknowledged, the AETH syndrome and the MSN. The frame (62 bytes, 8 beats, the
//! last with 6 bytes) is Ethernet II, IPv4 (no options, ID 0, DF, TTL 64, TOS 0), UDP to
//! port 4791 (checksum 0, allowed over IPv4), BTH (opcode 0x11 RC Acknowledge, SE, M, pad,
//! TVer 0, AckReq 0), AETH (syndrome 8 | MSN 24), ICRC. No FCS: the MAC adds it.
//!
//! The IPv4 checksum and the ICRC are the only computed bytes. The ICRC's masked fields
//! (TOS, TTL, the checksums, the BTH's reserved byte) enter it as ones whatever they hold,
//! and the Ethernet header does not enter it at all, so over one ACK it is an affine
//! function of the 176 request bits it covers: each ICRC bit is a constant XOR the parity
//! of those bits under a mask, both worked out here when the block is built, from the
//! frame's layout and the CRC (IBA Annex A17).
//!
//! Timing: the request is taken in `Idle`; the ICRC's parities (in two halves, then
//! together) and the IPv4 checksum (one carry chain per cycle) take three cycles, the
//! frame is complete the next, and then its 8 beats go out: 13 cycles per ACK without
//! backpressure.
use super::parser::crc_bits;
use crate::bus::AxisSource;
use rust_hdl::prelude::*;

/// AETH syndrome of a positive acknowledgement without end-to-end credit (IBA 9.7.5.1:
/// ACK, credit count 31 = invalid).
pub const SYNDROME_ACK: u64 = 0x1F;
/// BTH opcode of an RC Acknowledge.
pub const OPCODE_ACK: u8 = 0x11;
/// The frame on the wire: Ethernet 14, IPv4 20, UDP 8, BTH 12, AETH 4, ICRC 4.
pub const ACK_FRAME_BYTES: usize = 62;

const IPV4_AT: usize = 14;
const ICRC_AT: usize = 58;
/// The frame is kept as one 512-bit number, wire byte 0 most significant (two bytes of
/// zeros after the ICRC): a field `len` bytes long at byte `at` sits at bit
/// `512 - 8 * (at + len)`.
const fn field_shift(at: usize, len: usize) -> usize {
    512 - 8 * (at + len)
}

/// One acknowledgement's variable fields, as numbers (wire order is most significant
/// byte first, except the ICRC's).
#[derive(Clone, Copy, Default)]
struct AckFields {
    dst_mac: u64,
    src_mac: u64,
    src_ip: u32,
    dst_ip: u32,
    src_port: u16,
    pkey: u16,
    dest_qp: u32,
    psn: u32,
    syndrome: u8,
    msn: u32,
}

/// The frame's bytes with the IPv4 checksum and the ICRC left zero.
fn frame_without_checks(f: &AckFields) -> [u8; 64] {
    let mut b = [0u8; 64];
    b[0..6].copy_from_slice(&f.dst_mac.to_be_bytes()[2..]);
    b[6..12].copy_from_slice(&f.src_mac.to_be_bytes()[2..]);
    b[12..14].copy_from_slice(&0x0800u16.to_be_bytes());
    let ip_length = (ACK_FRAME_BYTES - IPV4_AT) as u16;
    b[14..24].copy_from_slice(&[0x45, 0x00, (ip_length >> 8) as u8, ip_length as u8, 0, 0, 0x40, 0x00, 64, 17]);
    b[26..30].copy_from_slice(&f.src_ip.to_be_bytes());
    b[30..34].copy_from_slice(&f.dst_ip.to_be_bytes());
    b[34..36].copy_from_slice(&f.src_port.to_be_bytes());
    b[36..38].copy_from_slice(&super::ROCE_UDP_PORT.to_be_bytes());
    b[38..40].copy_from_slice(&((ip_length - 20) as u16).to_be_bytes());
    b[42] = OPCODE_ACK;
    b[44..46].copy_from_slice(&f.pkey.to_be_bytes());
    b[47..50].copy_from_slice(&f.dest_qp.to_be_bytes()[1..]);
    b[51..54].copy_from_slice(&f.psn.to_be_bytes()[1..]);
    b[54] = f.syndrome;
    b[55..58].copy_from_slice(&f.msn.to_be_bytes()[1..]);
    b
}

/// The ICRC as its four wire bytes read as a number (byte 58 most significant): CRC-32
/// over 8 bytes of ones for the absent LRH, then the frame from the IPv4 header to the
/// ICRC with TOS, TTL, both checksums and the BTH's reserved byte taken as ones, inverted,
/// least significant byte first on the wire.
fn wire_icrc(frame: &[u8; 64]) -> u32 {
    let mut masked = frame[IPV4_AT..ICRC_AT].to_vec();
    for at in [1, 8, 10, 11, 20 + 6, 20 + 7, 20 + 8 + 4] {
        masked[at] = 0xFF;
    }
    let mut state = crc_bits(0xFFFF_FFFF, u64::MAX, 64);
    for byte in masked {
        state = crc_bits(state, byte as u64, 8);
    }
    (!state).swap_bytes()
}

/// The request bits the ICRC covers, as the block gathers them (least significant first):
/// source IP 32, destination IP 32, UDP source port 16, P_Key 16, QP 24, PSN 24,
/// syndrome 8, MSN 24.
const ICRC_INPUTS: usize = 176;

fn fields_with_icrc_input(bit: usize) -> AckFields {
    let mut f = AckFields::default();
    match bit {
        0..=31 => f.src_ip = 1 << bit,
        32..=63 => f.dst_ip = 1 << (bit - 32),
        64..=79 => f.src_port = 1 << (bit - 64),
        80..=95 => f.pkey = 1 << (bit - 80),
        96..=119 => f.dest_qp = 1 << (bit - 96),
        120..=143 => f.psn = 1 << (bit - 120),
        144..=151 => f.syndrome = 1 << (bit - 144),
        _ => f.msn = 1 << (bit - 152),
    }
    f
}

/// The ICRC of the all-zero request, and per ICRC bit k the mask (bits 176k..) of the
/// inputs whose parity it adds.
fn icrc_affine_map() -> (u32, Bits<5632>) {
    let zero = wire_icrc(&frame_without_checks(&AckFields::default()));
    let columns: Vec<u32> =
        (0..ICRC_INPUTS).map(|i| wire_icrc(&frame_without_checks(&fields_with_icrc_input(i))) ^ zero).collect();
    let mut masks = Bits::<5632>::default();
    for k in 0..32 {
        for (i, column) in columns.iter().enumerate() {
            if column >> k & 1 != 0 {
                masks = masks.replace_bit(ICRC_INPUTS * k + i, true);
            }
        }
    }
    (zero, masks)
}

fn bytes_to_bits(bytes: &[u8; 64]) -> Bits<512> {
    let mut bits = Bits::<512>::default();
    for (at, byte) in bytes.iter().enumerate() {
        bits.set_bits::<8>(field_shift(at, 1), (*byte as u64).to_bits());
    }
    bits
}

/// The IPv4 header's constant 16-bit words, summed (version/IHL/TOS, total length, ID,
/// flags, TTL/protocol).
fn ipv4_constant_sum() -> u64 {
    let b = frame_without_checks(&AckFields::default());
    (IPV4_AT..IPV4_AT + 20).step_by(2).map(|at| u16::from_be_bytes([b[at], b[at + 1]]) as u64).sum()
}

#[derive(Copy, Clone, PartialEq, Eq, Debug, LogicState)]
pub enum AckState {
    /// Waiting for a request.
    Idle,
    /// The ICRC's half parities and the IPv4 addresses' pair sums are registered.
    Checks,
    /// The ICRC, and the IPv4 header's one's-complement sum; then the sum's first fold.
    Sum,
    Fold,
    /// The checksum (second fold, inverted) is registered.
    Finish,
    /// The frame's beats go out.
    Send,
}

#[derive(LogicBlock)]
pub struct RdmaAck {
    pub clk: Signal<In, Clock>,
    pub rst: Signal<In, Bit>,
    /// One acknowledgement to send.
    pub req_valid: Signal<In, Bit>,
    pub req_ready: Signal<Out, Bit>,
    pub req_dst_mac: Signal<In, Bits<48>>,
    pub req_src_mac: Signal<In, Bits<48>>,
    pub req_src_ip: Signal<In, Bits<32>>,
    pub req_dst_ip: Signal<In, Bits<32>>,
    pub req_src_port: Signal<In, Bits<16>>,
    pub req_pkey: Signal<In, Bits<16>>,
    /// The requester's QP: the BTH's destination QP.
    pub req_dest_qp: Signal<In, Bits<24>>,
    /// The last PSN acknowledged.
    pub req_psn: Signal<In, Bits<24>>,
    pub req_syndrome: Signal<In, Bits<8>>,
    pub req_msn: Signal<In, Bits<24>>,
    /// The ACK frames, 8 bytes per beat from byte 0; `tuser` always 0 (no frame is bad).
    pub m_axis: AxisSource<64, 8, 1>,
    /// ACK frames sent (saturating).
    pub sent: Signal<Out, Bits<32>>,

    state: DFF<AckState>,
    /// The request's MAC addresses (destination 95:48, source 47:0); the rest of it is in
    /// `icrc_inputs`.
    macs: DFF<Bits<96>>,
    checksum: DFF<Bits<16>>,
    icrc_inputs: DFF<Bits<176>>,
    source_sum: DFF<Bits<17>>,
    destination_sum: DFF<Bits<17>>,
    ipv4_sum: DFF<Bits<19>>,
    ipv4_fold: DFF<Bits<17>>,
    icrc_first_half: DFF<Bits<32>>,
    icrc_second_half: DFF<Bits<32>>,
    icrc: DFF<Bits<32>>,
    beat: DFF<Bits<3>>,
    sent_count: DFF<Bits<32>>,
    ipv4_checksum: Signal<Local, Bits<16>>,
    /// The whole frame, wire byte 0 most significant: wiring from the registers above (no
    /// field overlaps another or the template's constants); and the 8 bytes of the beat.
    frame: Signal<Local, Bits<512>>,
    beat_word: Signal<Local, Bits<64>>,
    icrc_first_parities: Signal<Local, Bits<32>>,
    icrc_second_parities: Signal<Local, Bits<32>>,
    icrc_bit: Signal<Local, Bits<32>>,
    template: Constant<Bits<512>>,
    icrc_zero: Constant<Bits<32>>,
    icrc_masks: Constant<Bits<5632>>,
    ipv4_constant: Constant<Bits<19>>,
}

impl Default for RdmaAck {
    fn default() -> Self {
        let (icrc_zero, icrc_masks) = icrc_affine_map();
        Self {
            clk: Default::default(),
            rst: Default::default(),
            req_valid: Default::default(),
            req_ready: Default::default(),
            req_dst_mac: Default::default(),
            req_src_mac: Default::default(),
            req_src_ip: Default::default(),
            req_dst_ip: Default::default(),
            req_src_port: Default::default(),
            req_pkey: Default::default(),
            req_dest_qp: Default::default(),
            req_psn: Default::default(),
            req_syndrome: Default::default(),
            req_msn: Default::default(),
            m_axis: Default::default(),
            sent: Default::default(),
            state: Default::default(),
            macs: Default::default(),
            checksum: Default::default(),
            frame: Default::default(),
            beat_word: Default::default(),
            icrc_inputs: Default::default(),
            source_sum: Default::default(),
            destination_sum: Default::default(),
            ipv4_sum: Default::default(),
            icrc: Default::default(),
            beat: Default::default(),
            sent_count: Default::default(),
            ipv4_fold: Default::default(),
            ipv4_checksum: Default::default(),
            icrc_first_half: Default::default(),
            icrc_second_half: Default::default(),
            icrc_first_parities: Default::default(),
            icrc_second_parities: Default::default(),
            icrc_bit: Default::default(),
            template: Constant::new(bytes_to_bits(&frame_without_checks(&AckFields::default()))),
            icrc_zero: Constant::new((icrc_zero as u64).to_bits()),
            icrc_masks: Constant::new(icrc_masks),
            ipv4_constant: Constant::new(ipv4_constant_sum().to_bits()),
        }
    }
}

impl Logic for RdmaAck {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clk,
            state,
            macs,
            checksum,
            icrc_inputs,
            source_sum,
            destination_sum,
            ipv4_sum,
            ipv4_fold,
            icrc_first_half,
            icrc_second_half,
            icrc,
            beat,
            sent_count
        );
        self.req_ready.next = false;

        // The ICRC's parities over the gathered inputs, each half registered on its own (one
        // parity tree of 176 inputs is five LUT levels), then the halves and the constant.
        self.icrc_first_parities.next = 0.into();
        self.icrc_second_parities.next = 0.into();
        self.icrc_bit.next = 1.into();
        for k in 0..32 {
            if (self.icrc_inputs.q.val().get_bits::<88>(0) & self.icrc_masks.val().get_bits::<88>(176 * k)).xor() {
                self.icrc_first_parities.next = self.icrc_first_parities.val() ^ self.icrc_bit.val();
            }
            if (self.icrc_inputs.q.val().get_bits::<88>(88) & self.icrc_masks.val().get_bits::<88>(176 * k + 88)).xor()
            {
                self.icrc_second_parities.next = self.icrc_second_parities.val() ^ self.icrc_bit.val();
            }
            self.icrc_bit.next = self.icrc_bit.val() << 1;
        }
        self.icrc_first_half.d.next = self.icrc_first_parities.val();
        self.icrc_second_half.d.next = self.icrc_second_parities.val();
        self.icrc.d.next = self.icrc_zero.val() ^ self.icrc_first_half.q.val() ^ self.icrc_second_half.q.val();
        // The IPv4 checksum: the header's 16-bit words summed (the constant ones summed when
        // the block is built), the carries folded back in twice (the sum is at most 19
        // bits), inverted. One carry chain per cycle, from the addresses in `icrc_inputs`.
        self.source_sum.d.next = bit_cast::<17, 16>(self.icrc_inputs.q.val().get_bits::<16>(16))
            + bit_cast::<17, 16>(self.icrc_inputs.q.val().get_bits::<16>(0));
        self.destination_sum.d.next = bit_cast::<17, 16>(self.icrc_inputs.q.val().get_bits::<16>(48))
            + bit_cast::<17, 16>(self.icrc_inputs.q.val().get_bits::<16>(32));
        self.ipv4_sum.d.next = self.ipv4_constant.val()
            + bit_cast::<19, 17>(self.source_sum.q.val())
            + bit_cast::<19, 17>(self.destination_sum.q.val());
        self.ipv4_fold.d.next = bit_cast::<17, 16>(self.ipv4_sum.q.val().get_bits::<16>(0))
            + bit_cast::<17, 3>(self.ipv4_sum.q.val().get_bits::<3>(16));
        self.ipv4_checksum.next =
            !(self.ipv4_fold.q.val().get_bits::<16>(0) + bit_cast::<16, 1>(self.ipv4_fold.q.val().get_bits::<1>(16)));

        self.checksum.d.next = self.ipv4_checksum.val();
        self.frame.next = self.template.val()
            | (bit_cast::<512, 96>(self.macs.q.val()) << 416)
            | (bit_cast::<512, 16>(self.checksum.q.val()) << 304)
            | (bit_cast::<512, 32>(self.icrc_inputs.q.val().get_bits::<32>(0)) << 272)
            | (bit_cast::<512, 32>(self.icrc_inputs.q.val().get_bits::<32>(32)) << 240)
            | (bit_cast::<512, 16>(self.icrc_inputs.q.val().get_bits::<16>(64)) << 224)
            | (bit_cast::<512, 16>(self.icrc_inputs.q.val().get_bits::<16>(80)) << 144)
            | (bit_cast::<512, 24>(self.icrc_inputs.q.val().get_bits::<24>(96)) << 112)
            | (bit_cast::<512, 24>(self.icrc_inputs.q.val().get_bits::<24>(120)) << 80)
            | (bit_cast::<512, 8>(self.icrc_inputs.q.val().get_bits::<8>(144)) << 72)
            | (bit_cast::<512, 24>(self.icrc_inputs.q.val().get_bits::<24>(152)) << 48)
            | (bit_cast::<512, 32>(self.icrc.q.val()) << 16);
        self.beat_word.next = self.frame.val().get_bits::<64>(448);
        if self.beat.q.val() == 1 {
            self.beat_word.next = self.frame.val().get_bits::<64>(384);
        }
        if self.beat.q.val() == 2 {
            self.beat_word.next = self.frame.val().get_bits::<64>(320);
        }
        if self.beat.q.val() == 3 {
            self.beat_word.next = self.frame.val().get_bits::<64>(256);
        }
        if self.beat.q.val() == 4 {
            self.beat_word.next = self.frame.val().get_bits::<64>(192);
        }
        if self.beat.q.val() == 5 {
            self.beat_word.next = self.frame.val().get_bits::<64>(128);
        }
        if self.beat.q.val() == 6 {
            self.beat_word.next = self.frame.val().get_bits::<64>(64);
        }
        if self.beat.q.val() == 7 {
            self.beat_word.next = self.frame.val().get_bits::<64>(0);
        }
        // The beat on the stream: the frame's 8 bytes at the beat, wire byte 0 in lane 0.
        self.m_axis.tdata.next = bit_cast::<64, 8>(self.beat_word.val().get_bits::<8>(56))
            | (bit_cast::<64, 8>(self.beat_word.val().get_bits::<8>(48)) << 8)
            | (bit_cast::<64, 8>(self.beat_word.val().get_bits::<8>(40)) << 16)
            | (bit_cast::<64, 8>(self.beat_word.val().get_bits::<8>(32)) << 24)
            | (bit_cast::<64, 8>(self.beat_word.val().get_bits::<8>(24)) << 32)
            | (bit_cast::<64, 8>(self.beat_word.val().get_bits::<8>(16)) << 40)
            | (bit_cast::<64, 8>(self.beat_word.val().get_bits::<8>(8)) << 48)
            | (bit_cast::<64, 8>(self.beat_word.val().get_bits::<8>(0)) << 56);
        self.m_axis.tvalid.next = false;
        self.m_axis.tlast.next = self.beat.q.val() == 7;
        self.m_axis.tkeep.next = 0xFF.into();
        if self.beat.q.val() == 7 {
            self.m_axis.tkeep.next = 0x3F.into();
        }
        self.m_axis.tuser.next = 0.into();

        match self.state.q.val() {
            AckState::Idle => {
                self.req_ready.next = true;
                self.macs.d.next =
                    (bit_cast::<96, 48>(self.req_dst_mac.val()) << 48) | bit_cast::<96, 48>(self.req_src_mac.val());
                self.icrc_inputs.d.next = bit_cast::<176, 32>(self.req_src_ip.val())
                    | (bit_cast::<176, 32>(self.req_dst_ip.val()) << 32)
                    | (bit_cast::<176, 16>(self.req_src_port.val()) << 64)
                    | (bit_cast::<176, 16>(self.req_pkey.val()) << 80)
                    | (bit_cast::<176, 24>(self.req_dest_qp.val()) << 96)
                    | (bit_cast::<176, 24>(self.req_psn.val()) << 120)
                    | (bit_cast::<176, 8>(self.req_syndrome.val()) << 144)
                    | (bit_cast::<176, 24>(self.req_msn.val()) << 152);
                if self.req_valid.val() {
                    self.state.d.next = AckState::Checks;
                }
            }
            AckState::Checks => {
                self.state.d.next = AckState::Sum;
            }
            AckState::Sum => {
                self.state.d.next = AckState::Fold;
            }
            AckState::Fold => {
                self.state.d.next = AckState::Finish;
            }
            AckState::Finish => {
                self.beat.d.next = 0.into();
                self.state.d.next = AckState::Send;
            }
            AckState::Send => {
                self.m_axis.tvalid.next = true;
                if self.m_axis.tready.val() {
                    self.beat.d.next = self.beat.q.val() + 1;
                    if self.beat.q.val() == 7 {
                        self.state.d.next = AckState::Idle;
                        if self.sent_count.q.val() != 0xFFFF_FFFF_u64 {
                            self.sent_count.d.next = self.sent_count.q.val() + 1;
                        }
                    }
                }
            }
        }
        self.sent.next = self.sent_count.q.val();
        if self.rst.val() {
            self.state.d.next = AckState::Idle;
            self.beat.d.next = 0.into();
            self.sent_count.d.next = 0.into();
        }
    }
}

crate::native_ports!(
    impl[] RdmaAck;
    clk, rst, req_valid, req_ready, req_dst_mac, req_src_mac, req_src_ip, req_dst_ip, req_src_port, req_pkey, req_dest_qp, req_psn, req_syndrome, req_msn,
    m_axis.tdata, m_axis.tkeep, m_axis.tvalid, m_axis.tready, m_axis.tlast, m_axis.tuser, sent,
);

#[cfg(test)]
mod tests {
    use super::*;

    /// The layout's offsets agree with the shifts the update uses.
    #[test]
    fn field_shifts_match_the_layout() {
        assert_eq!(field_shift(0, 6), 464);
        assert_eq!(field_shift(6, 6), 416);
        assert_eq!(field_shift(24, 2), 304);
        assert_eq!(field_shift(26, 4), 272);
        assert_eq!(field_shift(30, 4), 240);
        assert_eq!(field_shift(34, 2), 224);
        assert_eq!(field_shift(44, 2), 144);
        assert_eq!(field_shift(47, 3), 112);
        assert_eq!(field_shift(51, 3), 80);
        assert_eq!(field_shift(54, 1), 72);
        assert_eq!(field_shift(55, 3), 48);
        assert_eq!(field_shift(ICRC_AT, 4), 16);
    }
}
