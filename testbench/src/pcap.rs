//! pcap files (the classic libpcap format, LINKTYPE_ETHERNET), so frames can be made with
//! scapy and read with tshark or Wireshark.
use anyhow::{bail, ensure, Context, Result};
use std::path::Path;

const MAGIC_MICROSECONDS: u32 = 0xA1B2_C3D4;
const MAGIC_NANOSECONDS: u32 = 0xA1B2_3C4D;
const LINKTYPE_ETHERNET: u32 = 1;
const SNAPLEN: u32 = 65535;

/// A frame and when it was on the wire, in nanoseconds from the start of the run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PcapFrame {
    pub time_ns: u64,
    pub data: Vec<u8>,
}

/// The bytes of a pcap file (nanosecond timestamps) holding `frames`.
pub fn encode(frames: &[PcapFrame]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&MAGIC_NANOSECONDS.to_le_bytes());
    out.extend_from_slice(&2u16.to_le_bytes());
    out.extend_from_slice(&4u16.to_le_bytes());
    for word in [0u32, 0, SNAPLEN, LINKTYPE_ETHERNET] {
        out.extend_from_slice(&word.to_le_bytes());
    }
    for f in frames {
        let len = f.data.len() as u32;
        for word in [(f.time_ns / 1_000_000_000) as u32, (f.time_ns % 1_000_000_000) as u32, len, len] {
            out.extend_from_slice(&word.to_le_bytes());
        }
        out.extend_from_slice(&f.data);
    }
    out
}

pub fn write(path: &Path, frames: &[PcapFrame]) -> Result<()> {
    std::fs::write(path, encode(frames)).with_context(|| format!("writing {}", path.display()))
}

/// The frames of a pcap file: either byte order, micro- or nanosecond timestamps; only
/// Ethernet captures; truncated records are refused.
pub fn decode(bytes: &[u8]) -> Result<Vec<PcapFrame>> {
    ensure!(bytes.len() >= 24, "not a pcap file: {} bytes, shorter than its header", bytes.len());
    let magic_le = u32::from_le_bytes(bytes[0..4].try_into().unwrap());
    let magic_be = u32::from_be_bytes(bytes[0..4].try_into().unwrap());
    let (little, nanos) = match (magic_le, magic_be) {
        (MAGIC_MICROSECONDS, _) => (true, false),
        (MAGIC_NANOSECONDS, _) => (true, true),
        (_, MAGIC_MICROSECONDS) => (false, false),
        (_, MAGIC_NANOSECONDS) => (false, true),
        _ => bail!("not a pcap file (magic {magic_le:#010x}; pcapng is not supported: save as pcap)"),
    };
    let word = |at: usize| {
        let b: [u8; 4] = bytes[at..at + 4].try_into().unwrap();
        if little {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        }
    };
    let linktype = word(20);
    ensure!(linktype == LINKTYPE_ETHERNET, "pcap link type {linktype}, expected 1 (Ethernet)");
    let mut frames = Vec::new();
    let mut at = 24;
    while at < bytes.len() {
        ensure!(at + 16 <= bytes.len(), "pcap record {} is cut short in its header", frames.len());
        let (seconds, fraction, captured, original) = (word(at), word(at + 4), word(at + 8) as usize, word(at + 12));
        ensure!(
            captured as u32 == original,
            "pcap record {}: {captured} of {original} bytes captured (a truncated frame cannot be sent)",
            frames.len()
        );
        ensure!(at + 16 + captured <= bytes.len(), "pcap record {} is cut short in its data", frames.len());
        let time_ns = seconds as u64 * 1_000_000_000 + fraction as u64 * if nanos { 1 } else { 1000 };
        frames.push(PcapFrame { time_ns, data: bytes[at + 16..at + 16 + captured].to_vec() });
        at += 16 + captured;
    }
    Ok(frames)
}

pub fn read(path: &Path) -> Result<Vec<PcapFrame>> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    decode(&bytes).with_context(|| format!("in {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A microsecond, little-endian file written by hand from the format's field table.
    #[test]
    fn reads_a_classic_microsecond_file() {
        let mut file = Vec::new();
        file.extend_from_slice(&0xA1B2_C3D4u32.to_le_bytes());
        file.extend_from_slice(&[2, 0, 4, 0]);
        for w in [0u32, 0, 65535, 1, 3, 250, 4, 4] {
            file.extend_from_slice(&w.to_le_bytes());
        }
        file.extend_from_slice(&[1, 2, 3, 4]);
        let frames = decode(&file).unwrap();
        assert_eq!(frames, vec![PcapFrame { time_ns: 3_000_250_000, data: vec![1, 2, 3, 4] }]);
    }

    #[test]
    fn writes_what_it_reads() {
        let frames = vec![
            PcapFrame { time_ns: 5, data: vec![0xAA; 60] },
            PcapFrame { time_ns: 1_500_000_007, data: vec![0x55; 1514] },
        ];
        assert_eq!(decode(&encode(&frames)).unwrap(), frames);
    }

    #[test]
    fn refuses_what_it_cannot_send() {
        let good = encode(&[PcapFrame { time_ns: 0, data: vec![1; 20] }]);
        assert!(format!("{:#}", decode(&good[..30]).unwrap_err()).contains("cut short"));
        let mut other_link = good.clone();
        other_link[20] = 101;
        assert!(format!("{:#}", decode(&other_link).unwrap_err()).contains("link type"));
        assert!(format!("{:#}", decode(&[0x0A, 0x0D, 0x0D, 0x0A, 0, 0, 0, 0]).unwrap_err()).contains("not a pcap"));
        let mut truncated = good.clone();
        truncated[32] = 10; // captured 10 of 20
        assert!(format!("{:#}", decode(&truncated).unwrap_err()).contains("truncated"));
    }
}
