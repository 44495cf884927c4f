//! What the RX engine must do with a frame, written from the RSS specification (Toeplitz
//! hash), the IPv4 header (RFC 791) and the ENA formats, plus ferronic's documented
//! classification contract (`docs/blocks/rx.md`): which queue, which completion fields, how
//! the frame splits over the host's buffers.
use super::ena::{L3_PROTO_IPV4, L4_PROTO_TCP, L4_PROTO_UDP};
use crate::models::rss::RssTable;

/// Microsoft's default RSS key, as printed in the RSS specification.
pub const RSS_KEY: [u8; 40] = [
    0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0, 0xd0, 0xca, 0x2b,
    0xcb, 0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30, 0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac,
    0x01, 0xfa,
];

/// The Toeplitz hash of `input` under `key`: for every set input bit (most significant bit
/// of the first byte first), XOR in the 32 key bits that start at that bit's position.
pub fn toeplitz(key: &[u8], input: &[u8]) -> u32 {
    let key_bit = |i: usize| (key[i / 8] >> (7 - i % 8)) & 1;
    let mut hash = 0u32;
    for (i, byte) in input.iter().enumerate() {
        for b in 0..8 {
            if byte >> (7 - b) & 1 != 0 {
                let start = 8 * i + b;
                let window = (0..32).fold(0u32, |w, k| w << 1 | key_bit(start + k) as u32);
                hash ^= window;
            }
        }
    }
    hash
}

/// Queues the RX engine steers over (through the RSS indirection table, `models::rss`).
pub const RX_QUEUES: usize = 8;
/// Longest frame the RX engine takes.
pub const MAX_RX_FRAME_BYTES: usize = 9600;

/// What the parser finds in a frame.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RxClass {
    pub l3_proto: u8,
    pub l4_proto: u8,
    pub ipv4_frag: bool,
    pub hash: u32,
}

impl RxClass {
    /// The queue the indirection table `rss` steers the frame to.
    pub fn queue(&self, rss: &RssTable) -> usize {
        rss.queue(self.hash)
    }
}

/// Classifies a frame: IPv4 (no VLAN tag) frames longer than 40 bytes get the L3 index and a
/// hash of their addresses; unfragmented TCP/UDP also the L4 index, and with no IPv4 options
/// the hash covers the ports too.
pub fn classify(frame: &[u8]) -> RxClass {
    let ipv4 = frame.len() > 40 && frame[12..14] == [0x08, 0x00] && frame[14] >> 4 == 4 && frame[14] & 0xF >= 5;
    if !ipv4 {
        return RxClass::default();
    }
    let fragment = (u16::from_be_bytes([frame[20], frame[21]]) & 0x3FFF) != 0;
    let protocol = frame[23];
    let mut class = RxClass { l3_proto: L3_PROTO_IPV4, ipv4_frag: fragment, ..Default::default() };
    let addresses = &frame[26..34];
    class.hash = toeplitz(&RSS_KEY, addresses);
    if !fragment && (protocol == 6 || protocol == 17) {
        class.l4_proto = if protocol == 6 { L4_PROTO_TCP } else { L4_PROTO_UDP };
        if frame[14] & 0xF == 5 {
            class.hash = toeplitz(&RSS_KEY, &frame[26..38]);
        }
    }
    class
}

/// Bytes of the buffer an RX descriptor's `length` describes (0 means 65536).
pub fn buffer_bytes(length: u16) -> usize {
    if length == 0 {
        65536
    } else {
        length as usize
    }
}

/// The bytes of that buffer the engine fills: whole 8-byte words.
pub fn usable_bytes(length: u16) -> usize {
    buffer_bytes(length) & !7
}

/// How a frame lands in the buffers of a ring.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Split {
    /// Bytes written into each buffer used, in ring order.
    pub used: Vec<usize>,
    /// The frame fit (false: cut short, the rest dropped).
    pub complete: bool,
    /// Buffers taken from the ring: the ones used, and an unusable one the frame stopped at.
    pub taken: usize,
}

/// How a frame of `frame_len` bytes lands in buffers of the given usable sizes, in ring
/// order: each takes at most what is left. A buffer of usable size 0 (shorter than 8 bytes,
/// or whose descriptor could not be read) is taken but ends the frame there, as a dry ring
/// does.
pub fn split(frame_len: usize, usable: &[usize]) -> Split {
    let mut used = Vec::new();
    let mut left = frame_len;
    let mut taken = 0;
    for &size in usable {
        if left == 0 {
            break;
        }
        taken += 1;
        if size == 0 {
            break;
        }
        let take = left.min(size);
        used.push(take);
        left -= take;
    }
    Split { used, complete: left == 0, taken }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The RSS specification's verification table (IPv4): source address and port,
    /// destination address and port, the hash of the addresses, the hash with the ports.
    #[test]
    fn toeplitz_matches_the_rss_specification_examples() {
        let table: [([u8; 4], u16, [u8; 4], u16, u32, u32); 5] = [
            ([66, 9, 149, 187], 2794, [161, 142, 100, 80], 1766, 0x323e8fc2, 0x51ccc178),
            ([199, 92, 111, 2], 14230, [65, 69, 140, 83], 4739, 0xd718262a, 0xc626b0ea),
            ([24, 19, 198, 95], 12898, [12, 22, 207, 184], 38024, 0xd2d0a5de, 0x5c2b394a),
            ([38, 27, 205, 30], 48228, [209, 142, 163, 6], 2217, 0x82989176, 0xafc7327f),
            ([153, 39, 163, 191], 44251, [202, 188, 127, 2], 1303, 0x5d1809c5, 0x10e828a2),
        ];
        for (src, sport, dst, dport, ip_hash, tcp_hash) in table {
            let mut input = [src, dst].concat();
            assert_eq!(toeplitz(&RSS_KEY, &input), ip_hash);
            input.extend_from_slice(&sport.to_be_bytes());
            input.extend_from_slice(&dport.to_be_bytes());
            assert_eq!(toeplitz(&RSS_KEY, &input), tcp_hash);
        }
    }

    fn ipv4_frame(ihl: u8, flags_fragment: u16, protocol: u8, len: usize) -> Vec<u8> {
        let mut f = vec![0u8; len];
        f[12..14].copy_from_slice(&[0x08, 0x00]);
        f[14] = 0x40 | ihl;
        f[20..22].copy_from_slice(&flags_fragment.to_be_bytes());
        f[23] = protocol;
        f[26..30].copy_from_slice(&[66, 9, 149, 187]);
        f[30..34].copy_from_slice(&[161, 142, 100, 80]);
        f[34..36].copy_from_slice(&2794u16.to_be_bytes());
        f[36..38].copy_from_slice(&1766u16.to_be_bytes());
        f
    }

    #[test]
    fn classification_follows_the_ipv4_header() {
        let tcp = classify(&ipv4_frame(5, 0x4000, 6, 64));
        assert_eq!(tcp, RxClass { l3_proto: 8, l4_proto: 12, ipv4_frag: false, hash: 0x51ccc178 });
        assert_eq!(tcp.queue(&RssTable::default()), 0x51ccc178 % 8, "the reset table is hash mod 8");
        // Options move the ports: addresses only. A fragment: no L4, addresses only.
        assert_eq!(classify(&ipv4_frame(6, 0, 17, 64)).hash, 0x323e8fc2);
        assert_eq!(classify(&ipv4_frame(6, 0, 17, 64)).l4_proto, 13);
        let fragment = classify(&ipv4_frame(5, 0x2000, 17, 64));
        assert_eq!(fragment, RxClass { l3_proto: 8, l4_proto: 0, ipv4_frag: true, hash: 0x323e8fc2 });
        assert!(classify(&ipv4_frame(5, 0x0001, 6, 64)).ipv4_frag);
        // Not IPv4, or too short to look at: nothing.
        let mut arp = ipv4_frame(5, 0, 6, 64);
        arp[12..14].copy_from_slice(&[0x08, 0x06]);
        assert_eq!(classify(&arp), RxClass::default());
        assert_eq!(classify(&ipv4_frame(5, 0, 6, 40)), RxClass::default());
        assert_eq!(classify(&ipv4_frame(4, 0, 6, 64)), RxClass::default());
    }

    #[test]
    fn frames_split_over_buffers_in_whole_words() {
        let sizes = |lengths: &[u16]| lengths.iter().map(|&n| usable_bytes(n)).collect::<Vec<_>>();
        let s = |used: Vec<usize>, complete, taken| Split { used, complete, taken };
        assert_eq!(split(1500, &sizes(&[2048, 2048])), s(vec![1500], true, 1));
        assert_eq!(split(1500, &sizes(&[1000, 1000])), s(vec![1000, 500], true, 2));
        assert_eq!(split(1500, &sizes(&[1001, 1000])), s(vec![1000, 500], true, 2));
        assert_eq!(split(1500, &sizes(&[512, 512])), s(vec![512, 512], false, 2));
        assert_eq!(split(100, &sizes(&[0])), s(vec![100], true, 1));
        // A buffer under a word is taken and ends the frame.
        assert_eq!(split(100, &sizes(&[64, 7, 64])), s(vec![64], false, 2));
        assert_eq!(split(100, &sizes(&[])), s(vec![], false, 0));
    }
}
