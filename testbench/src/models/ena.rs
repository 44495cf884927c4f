//! The ENA data-plane formats, from the Linux driver's `ena_eth_io_defs.h`
//! (`drivers/net/ethernet/amazon/ena/`), written from the field tables, not from the RTL.

/// An ENA TX descriptor (`struct ena_eth_io_tx_desc`), 16 bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TxDescriptor {
    /// Bytes at `buffer` (`length`, 15:0 of `len_ctrl`).
    pub length: u16,
    /// The driver's packet id: 6 high bits in `len_ctrl` 21:16, 10 low in `meta_ctrl` 31:22.
    pub req_id: u16,
    pub phase: bool,
    pub first: bool,
    pub last: bool,
    pub comp_req: bool,
    /// 48-bit buffer address (`buff_addr_lo`, `buff_addr_hi_hdr_sz` 15:0).
    pub buffer: u64,
    /// Bytes pushed into the LLQ entry's header area (`buff_addr_hi_hdr_sz` 31:24).
    pub header_length: u8,
}

impl TxDescriptor {
    pub fn to_bytes(&self) -> [u8; 16] {
        let len_ctrl = self.length as u32
            | ((self.req_id as u32 >> 10) & 0x3F) << 16
            | (self.phase as u32) << 24
            | (self.first as u32) << 26
            | (self.last as u32) << 27
            | (self.comp_req as u32) << 28;
        let meta_ctrl = (self.req_id as u32 & 0x3FF) << 22;
        let addr_lo = self.buffer as u32;
        let addr_hi_hdr = ((self.buffer >> 32) as u32 & 0xFFFF) | (self.header_length as u32) << 24;
        let mut bytes = [0u8; 16];
        for (i, word) in [len_ctrl, meta_ctrl, addr_lo, addr_hi_hdr].into_iter().enumerate() {
            bytes[4 * i..4 * i + 4].copy_from_slice(&word.to_le_bytes());
        }
        bytes
    }
}

/// An ENA TX completion (`struct ena_eth_io_tx_cdesc`), 8 bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TxCompletion {
    pub req_id: u16,
    pub status: u8,
    /// `flags` bit 0.
    pub phase: bool,
    pub sub_qid: u16,
    /// The submission ring's head after this packet.
    pub sq_head_idx: u16,
}

impl TxCompletion {
    pub fn from_bytes(b: &[u8]) -> Self {
        Self {
            req_id: u16::from_le_bytes([b[0], b[1]]),
            status: b[2],
            phase: b[3] & 1 != 0,
            sub_qid: u16::from_le_bytes([b[4], b[5]]),
            sq_head_idx: u16::from_le_bytes([b[6], b[7]]),
        }
    }
}

/// LLQ entry layout (ENA's default 128-byte entries): two descriptor slots, then the header.
pub const LLQ_ENTRY_BYTES: usize = 128;
pub const LLQ_HEADER_OFFSET: usize = 32;
pub const LLQ_HEADER_BYTES: usize = 96;
/// Entries per queue in ferronic's BAR2 (docs/blocks/llq.md).
pub const LLQ_ENTRIES: usize = 16;

/// An LLQ entry: the descriptor in slot 0, the header from byte 32.
pub fn llq_entry(descriptor: &TxDescriptor, header: &[u8]) -> Vec<u8> {
    assert!(header.len() <= LLQ_HEADER_BYTES, "an LLQ header holds at most 96 bytes");
    let mut entry = vec![0u8; LLQ_ENTRY_BYTES];
    entry[..16].copy_from_slice(&descriptor.to_bytes());
    entry[LLQ_HEADER_OFFSET..LLQ_HEADER_OFFSET + header.len()].copy_from_slice(header);
    entry
}

/// TX completion status values of ferronic's TX engine (docs/blocks/tx.md).
pub const TX_STATUS_OK: u8 = 0;
pub const TX_STATUS_MALFORMED: u8 = 1;
pub const TX_STATUS_DMA_ERROR: u8 = 2;
/// ferronic's choice: the req_id of a completion for a descriptor that could not be read
/// (ENA req_ids index the driver's packet table, far below it); sq_head_idx says where.
pub const TX_REQ_ID_UNREADABLE: u16 = 0xFFFF;

/// An ENA RX descriptor (`struct ena_eth_io_rx_desc`), 16 bytes: one host buffer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RxDescriptor {
    /// Buffer bytes; 0 means 65536.
    pub length: u16,
    pub phase: bool,
    pub first: bool,
    pub last: bool,
    pub comp_req: bool,
    pub req_id: u16,
    /// 48-bit buffer address (`buff_addr_lo`, `buff_addr_hi`).
    pub buffer: u64,
}

impl RxDescriptor {
    pub fn to_bytes(&self) -> [u8; 16] {
        let ctrl = self.phase as u8 | (self.first as u8) << 2 | (self.last as u8) << 3 | (self.comp_req as u8) << 4;
        let mut b = [0u8; 16];
        b[0..2].copy_from_slice(&self.length.to_le_bytes());
        b[3] = ctrl;
        b[4..6].copy_from_slice(&self.req_id.to_le_bytes());
        b[8..12].copy_from_slice(&(self.buffer as u32).to_le_bytes());
        b[12..14].copy_from_slice(&((self.buffer >> 32) as u16).to_le_bytes());
        b
    }
}

/// An ENA RX completion (`struct ena_eth_io_rx_cdesc_base` + hash, sub_qid), 16 bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RxCompletion {
    pub l3_proto: u8,
    pub l4_proto: u8,
    pub ipv4_frag: bool,
    /// ferronic's extension in reserved status bits 19:17: why the RDMA receive path handed
    /// a RoCEv2 packet to software (the decider's `REASON_*`), 0 for any other frame.
    pub rdma_reason: u8,
    pub phase: bool,
    pub first: bool,
    pub last: bool,
    pub length: u16,
    pub req_id: u16,
    pub hash: u32,
    pub sub_qid: u16,
}

impl RxCompletion {
    pub fn from_bytes(b: &[u8]) -> Self {
        let status = u32::from_le_bytes(b[0..4].try_into().unwrap());
        Self {
            l3_proto: (status & 0x1F) as u8,
            l4_proto: (status >> 8 & 0x1F) as u8,
            ipv4_frag: status >> 15 & 1 != 0,
            rdma_reason: (status >> 17 & 7) as u8,
            phase: status >> 24 & 1 != 0,
            first: status >> 26 & 1 != 0,
            last: status >> 27 & 1 != 0,
            length: u16::from_le_bytes([b[4], b[5]]),
            req_id: u16::from_le_bytes([b[6], b[7]]),
            hash: u32::from_le_bytes(b[8..12].try_into().unwrap()),
            sub_qid: u16::from_le_bytes([b[12], b[13]]),
        }
    }
}

/// ENA protocol indexes (`enum ena_eth_io_l3_proto_index`, `ena_eth_io_l4_proto_index`).
pub const L3_PROTO_IPV4: u8 = 8;
pub const L4_PROTO_TCP: u8 = 12;
pub const L4_PROTO_UDP: u8 = 13;

#[cfg(test)]
mod tests {
    use super::*;

    /// Field positions from `ena_eth_io_defs.h`: length 15:0, req_id_hi 21:16, phase 24,
    /// first 26, last 27, comp_req 28; req_id_lo 31:22 of meta_ctrl; addr_hi 15:0 and
    /// header_length 31:24 of the fourth word.
    #[test]
    fn tx_descriptor_fields_sit_where_the_linux_header_puts_them() {
        let d = TxDescriptor {
            length: 0x1234,
            req_id: 0xFFFF,
            phase: true,
            first: true,
            last: false,
            comp_req: true,
            buffer: 0xABCD_1122_3344,
            header_length: 42,
        };
        let b = d.to_bytes();
        let word = |i: usize| u32::from_le_bytes(b[4 * i..4 * i + 4].try_into().unwrap());
        assert_eq!(word(0), 0x1234 | 0x3F << 16 | 1 << 24 | 1 << 26 | 1 << 28);
        assert_eq!(word(1), 0x3FF << 22);
        assert_eq!(word(2), 0x1122_3344);
        assert_eq!(word(3), 0xABCD | 42 << 24);
    }

    #[test]
    fn tx_completion_reads_its_fields_little_endian() {
        let c = TxCompletion::from_bytes(&[0x34, 0x12, 2, 1, 5, 0, 0x10, 0x00]);
        assert_eq!(c, TxCompletion { req_id: 0x1234, status: 2, phase: true, sub_qid: 5, sq_head_idx: 16 });
    }

    /// `ena_eth_io_rx_desc`: length u16, reserved u8, ctrl u8 (phase 0, first 2, last 3,
    /// comp_req 4), req_id u16, reserved u16, buff_addr_lo u32, buff_addr_hi u16.
    #[test]
    fn rx_descriptor_fields_sit_where_the_linux_header_puts_them() {
        let d = RxDescriptor {
            length: 0x0800,
            phase: true,
            first: true,
            last: true,
            comp_req: true,
            req_id: 0xBEEF,
            buffer: 0x1234_8765_4321,
        };
        assert_eq!(d.to_bytes(), [0x00, 0x08, 0, 0x1D, 0xEF, 0xBE, 0, 0, 0x21, 0x43, 0x65, 0x87, 0x34, 0x12, 0, 0]);
    }

    /// `ena_eth_io_rx_cdesc_base.status`: l3_proto_idx 4:0, l4_proto_idx 12:8, ipv4_frag 15,
    /// phase 24, first 26, last 27; then length, req_id, hash, sub_qid. ferronic's RDMA
    /// reason sits in the reserved bits 19:17 (16, `l4_csum_checked`, stays clear).
    #[test]
    fn rx_completion_reads_the_linux_status_bits() {
        let status: u32 = 8 | 13 << 8 | 1 << 15 | 5 << 17 | 1 << 24 | 1 << 27;
        let mut b = status.to_le_bytes().to_vec();
        b.extend_from_slice(&[0xDC, 0x05, 0x07, 0x00, 0x78, 0x56, 0x34, 0x12, 3, 0, 0, 0]);
        let c = RxCompletion::from_bytes(&b);
        assert_eq!(
            c,
            RxCompletion {
                l3_proto: 8,
                l4_proto: 13,
                ipv4_frag: true,
                rdma_reason: 5,
                phase: true,
                first: false,
                last: true,
                length: 1500,
                req_id: 7,
                hash: 0x1234_5678,
                sub_qid: 3
            }
        );
    }
}
