//! Ethernet II / IPv4 / UDP frames, from IEEE 802.3, RFC 791 and RFC 768: what test traffic
//! and `ferronic sim` put on the wire (no FCS: the MAC adds it).

pub const ETHERTYPE_IPV4: u16 = 0x0800;
pub const ETH_HEADER: usize = 14;
pub const IPV4_HEADER: usize = 20;
pub const UDP_HEADER: usize = 8;

/// The IPv4 header checksum (RFC 791): one's complement of the one's-complement sum of the
/// header's 16-bit words, the checksum field taken as 0.
pub fn ipv4_checksum(header: &[u8]) -> u16 {
    let mut sum: u32 = header.chunks(2).map(|w| u16::from_be_bytes([w[0], w[1]]) as u32).sum();
    while sum > 0xFFFF {
        sum = (sum & 0xFFFF) + (sum >> 16);
    }
    !(sum as u16)
}

/// Addresses of a UDP flow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UdpFlow {
    pub dst_mac: [u8; 6],
    pub src_mac: [u8; 6],
    pub src_ip: [u8; 4],
    pub dst_ip: [u8; 4],
    pub src_port: u16,
    pub dst_port: u16,
}

/// Ethernet + IPv4 (no options, DF, TTL 64) + UDP (no checksum, allowed over IPv4) headers
/// for `udp_payload_len` bytes of UDP payload.
pub fn udp_headers(flow: &UdpFlow, udp_payload_len: usize) -> Vec<u8> {
    let udp_len = (UDP_HEADER + udp_payload_len) as u16;
    let mut frame = Vec::with_capacity(ETH_HEADER + IPV4_HEADER + UDP_HEADER);
    frame.extend_from_slice(&flow.dst_mac);
    frame.extend_from_slice(&flow.src_mac);
    frame.extend_from_slice(&ETHERTYPE_IPV4.to_be_bytes());
    let mut ip = vec![0x45, 0x00];
    ip.extend_from_slice(&(IPV4_HEADER as u16 + udp_len).to_be_bytes());
    ip.extend_from_slice(&[0, 0, 0x40, 0x00, 64, 17, 0, 0]);
    ip.extend_from_slice(&flow.src_ip);
    ip.extend_from_slice(&flow.dst_ip);
    let checksum = ipv4_checksum(&ip);
    ip[10..12].copy_from_slice(&checksum.to_be_bytes());
    frame.extend_from_slice(&ip);
    frame.extend_from_slice(&flow.src_port.to_be_bytes());
    frame.extend_from_slice(&flow.dst_port.to_be_bytes());
    frame.extend_from_slice(&udp_len.to_be_bytes());
    frame.extend_from_slice(&[0, 0]);
    frame
}

/// A big-endian field (a MAC or IPv4 address, a port) as the number a block's port carries:
/// `[2, 0, 0, 0, 0, 1]` is `0x0200_0000_0001`.
pub fn be_number(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0, |v, &b| v << 8 | b as u64)
}

/// A whole UDP frame.
pub fn udp_frame(flow: &UdpFlow, payload: &[u8]) -> Vec<u8> {
    let mut frame = udp_headers(flow, payload.len());
    frame.extend_from_slice(payload);
    frame
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The worked example of RFC 1071 section 3 style: a header whose checksum is known
    /// (from the Wikipedia IPv4 header checksum example: 0xB861).
    #[test]
    fn ipv4_checksum_matches_a_known_header() {
        let header = [
            0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11, 0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8,
            0x00, 0xc7,
        ];
        assert_eq!(ipv4_checksum(&header), 0xB861);
    }

    #[test]
    fn a_udp_frame_has_its_lengths_right() {
        let flow = UdpFlow {
            dst_mac: [2, 0, 0, 0, 0, 1],
            src_mac: [2, 0, 0, 0, 0, 2],
            src_ip: [10, 0, 0, 1],
            dst_ip: [10, 0, 0, 2],
            src_port: 1000,
            dst_port: 2000,
        };
        let frame = udp_frame(&flow, &[7; 100]);
        assert_eq!(frame.len(), 14 + 20 + 8 + 100);
        assert_eq!(u16::from_be_bytes([frame[16], frame[17]]), 128); // IPv4 total length
        assert_eq!(u16::from_be_bytes([frame[38], frame[39]]), 108); // UDP length
        assert_eq!(ipv4_checksum(&frame[14..34]), 0); // a valid header sums to 0xFFFF
    }
}
