//! RoCEv2 from the wire up, in plain Rust, written from the InfiniBand Architecture spec
//! (vol. 1: BTH 9.2, RETH 9.3.3, ImmDt 9.3.6, opcodes 9.2.1; Annex A17 for RoCEv2 and its
//! ICRC) and from the transaction-table contract of `docs/` (issue 5): the packet builder
//! and parser the RDMA tests feed the RTL with, and the placement model its scoreboard
//! compares host memory and completions against.
use crate::bfm::SparseMemory;
use std::collections::BTreeMap;

pub const ROCE_UDP_PORT: u16 = 4791;
use crate::models::ethernet::ipv4_checksum;
pub use crate::models::ethernet::ETHERTYPE_IPV4;
/// PSNs are 24-bit.
pub const PSN_MASK: u32 = 0x00FF_FFFF;

/// Reliable-connection opcodes (IBA 9.2.1, the RC group's low five bits).
pub mod opcode {
    pub const SEND_FIRST: u8 = 0x00;
    pub const SEND_LAST_IMM: u8 = 0x03;
    pub const SEND_ONLY: u8 = 0x04;
    pub const SEND_ONLY_IMM: u8 = 0x05;
    pub const WRITE_FIRST: u8 = 0x06;
    pub const WRITE_MIDDLE: u8 = 0x07;
    pub const WRITE_LAST: u8 = 0x08;
    pub const WRITE_LAST_IMM: u8 = 0x09;
    pub const WRITE_ONLY: u8 = 0x0A;
    pub const WRITE_ONLY_IMM: u8 = 0x0B;
    pub const READ_REQUEST: u8 = 0x0C;
    pub const ACK: u8 = 0x11;
}

/// Base Transport Header, 12 bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bth {
    pub opcode: u8,
    pub solicited: bool,
    pub pad_count: u8,
    pub pkey: u16,
    pub dest_qp: u32,
    pub ack_req: bool,
    pub psn: u32,
}

/// RDMA Extended Transport Header, 16 bytes: on WRITE First and Only.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reth {
    pub va: u64,
    pub rkey: u32,
    pub dma_len: u32,
}

/// One RoCEv2 packet over IPv4.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RocePacket {
    pub src_mac: [u8; 6],
    pub dst_mac: [u8; 6],
    pub src_ip: [u8; 4],
    pub dst_ip: [u8; 4],
    pub src_port: u16,
    pub bth: Bth,
    pub reth: Option<Reth>,
    pub imm: Option<u32>,
    pub payload: Vec<u8>,
}

pub fn has_reth(opcode: u8) -> bool {
    matches!(opcode, opcode::WRITE_FIRST | opcode::WRITE_ONLY | opcode::WRITE_ONLY_IMM | opcode::READ_REQUEST)
}

/// ImmDt follows the BTH (and the RETH) on SEND and RDMA WRITE Last / Only with immediate
/// (IBA 9.2.1, 9.3.6).
pub fn has_imm(opcode: u8) -> bool {
    matches!(opcode, opcode::SEND_LAST_IMM | opcode::SEND_ONLY_IMM | opcode::WRITE_LAST_IMM | opcode::WRITE_ONLY_IMM)
}

/// CRC-32 as Ethernet computes it (reflected 0x04C11DB7), continuing from `state`
/// (the running register, before the final inversion).
pub fn crc32_update(mut state: u32, bytes: &[u8]) -> u32 {
    for &b in bytes {
        state ^= b as u32;
        for _ in 0..8 {
            state = if state & 1 != 0 { (state >> 1) ^ 0xEDB8_8320 } else { state >> 1 };
        }
    }
    state
}

const ETH: usize = 14;
const IP: usize = 20;
const UDP: usize = 8;
const BTH: usize = 12;

/// The invariant CRC of a RoCEv2 frame (Ethernet header first, ICRC last), IBA Annex A17:
/// CRC-32 over 64 bits of ones standing for the absent LRH, then the IPv4 header with TOS,
/// TTL and header checksum all ones, the UDP header with its checksum all ones, the BTH
/// with its reserved byte before DestQP all ones, then everything up to the ICRC.
pub fn icrc(frame_without_icrc: &[u8]) -> u32 {
    let mut masked = frame_without_icrc[ETH..].to_vec();
    masked[1] = 0xFF; // TOS (DSCP, ECN)
    masked[8] = 0xFF; // TTL
    masked[10] = 0xFF; // header checksum
    masked[11] = 0xFF;
    masked[IP + 6] = 0xFF; // UDP checksum
    masked[IP + 7] = 0xFF;
    masked[IP + UDP + 4] = 0xFF; // BTH reserved byte (FECN, BECN, resv6)
    let state = crc32_update(0xFFFF_FFFF, &[0xFF; 8]);
    !crc32_update(state, &masked)
}

impl RocePacket {
    /// The frame as it goes on the wire (no Ethernet FCS): headers, payload, pad, ICRC.
    pub fn encode(&self) -> Vec<u8> {
        let pad = (4 - self.payload.len() % 4) % 4;
        let mut transport = Vec::new();
        let b = &self.bth;
        transport.push(b.opcode);
        transport.push(((b.solicited as u8) << 7) | ((pad as u8 & 3) << 4));
        transport.extend_from_slice(&b.pkey.to_be_bytes());
        transport.extend_from_slice(&(b.dest_qp & PSN_MASK).to_be_bytes());
        transport.extend_from_slice(&(((b.ack_req as u32) << 31) | (b.psn & PSN_MASK)).to_be_bytes());
        if let Some(r) = self.reth {
            transport.extend_from_slice(&r.va.to_be_bytes());
            transport.extend_from_slice(&r.rkey.to_be_bytes());
            transport.extend_from_slice(&r.dma_len.to_be_bytes());
        }
        if let Some(imm) = self.imm {
            transport.extend_from_slice(&imm.to_be_bytes());
        }
        transport.extend_from_slice(&self.payload);
        transport.extend(std::iter::repeat_n(0u8, pad));
        let udp_len = (UDP + transport.len() + 4) as u16;
        let mut frame = Vec::new();
        frame.extend_from_slice(&self.dst_mac);
        frame.extend_from_slice(&self.src_mac);
        frame.extend_from_slice(&ETHERTYPE_IPV4.to_be_bytes());
        let mut ip = vec![0x45, 0x00];
        ip.extend_from_slice(&(IP as u16 + udp_len).to_be_bytes());
        ip.extend_from_slice(&[0, 0, 0x40, 0x00, 64, 17, 0, 0]); // id 0, DF, TTL 64, UDP
        ip.extend_from_slice(&self.src_ip);
        ip.extend_from_slice(&self.dst_ip);
        let checksum = ipv4_checksum(&ip);
        ip[10..12].copy_from_slice(&checksum.to_be_bytes());
        frame.extend_from_slice(&ip);
        frame.extend_from_slice(&self.src_port.to_be_bytes());
        frame.extend_from_slice(&ROCE_UDP_PORT.to_be_bytes());
        frame.extend_from_slice(&udp_len.to_be_bytes());
        frame.extend_from_slice(&[0, 0]); // no UDP checksum (allowed over IPv4)
        frame.extend_from_slice(&transport);
        let crc = icrc(&frame);
        frame.extend_from_slice(&crc.to_le_bytes());
        frame
    }
}

/// AETH syndrome of a positive acknowledgement that grants no end-to-end credit: credit
/// count 31, "invalid" (IBA 9.7.5.1), what a responder without flow control sends.
pub const SYNDROME_ACK: u8 = 0x1F;

/// An RC Acknowledge (IBA 9.7.5): BTH opcode 0x11, then the ACK Extended Transport Header,
/// syndrome 8 | MSN 24. AckReq, SE and the pad are 0.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ack {
    pub src_mac: [u8; 6],
    pub dst_mac: [u8; 6],
    pub src_ip: [u8; 4],
    pub dst_ip: [u8; 4],
    pub src_port: u16,
    pub pkey: u16,
    /// The requester's QP.
    pub dest_qp: u32,
    /// The PSN acknowledged.
    pub psn: u32,
    pub syndrome: u8,
    pub msn: u32,
}

impl Ack {
    /// The acknowledgement as a packet: the AETH is the first (and only) thing after the
    /// BTH, so it travels as the payload of an opcode that has neither RETH nor ImmDt; its
    /// 4 bytes need no pad.
    pub fn packet(&self) -> RocePacket {
        let aeth = ((self.syndrome as u32) << 24) | (self.msn & PSN_MASK);
        RocePacket {
            src_mac: self.src_mac,
            dst_mac: self.dst_mac,
            src_ip: self.src_ip,
            dst_ip: self.dst_ip,
            src_port: self.src_port,
            bth: Bth {
                opcode: opcode::ACK,
                solicited: false,
                pad_count: 0,
                pkey: self.pkey,
                dest_qp: self.dest_qp,
                ack_req: false,
                psn: self.psn,
            },
            reth: None,
            imm: None,
            payload: aeth.to_be_bytes().to_vec(),
        }
    }
    pub fn encode(&self) -> Vec<u8> {
        self.packet().encode()
    }
}

/// Why a frame is not a RoCEv2 packet the table can look at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NotRoce {
    /// Not IPv4/UDP to port 4791: the normal RX path's.
    OtherTraffic,
    /// Shorter than its headers say, or not a whole number of 4-byte words.
    Truncated,
    /// The invariant CRC does not match: dropped and counted.
    BadIcrc,
}

/// Parses a frame (no FCS) into a packet, checking lengths and the ICRC.
pub fn decode(frame: &[u8]) -> Result<RocePacket, NotRoce> {
    if frame.len() < ETH + IP + UDP
        || u16::from_be_bytes([frame[12], frame[13]]) != ETHERTYPE_IPV4
        || frame[ETH] != 0x45
        || frame[ETH + 9] != 17
        || u16::from_be_bytes([frame[ETH + IP + 2], frame[ETH + IP + 3]]) != ROCE_UDP_PORT
    {
        return Err(NotRoce::OtherTraffic);
    }
    let ip_len = u16::from_be_bytes([frame[ETH + 2], frame[ETH + 3]]) as usize;
    // IBA packets are whole 4-byte words (the pad makes them so), and so is the IPv4
    // packet around one: any other length is malformed.
    if frame.len() < ETH + ip_len || ip_len < IP + UDP + BTH + 4 || ip_len % 4 != 0 {
        return Err(NotRoce::Truncated);
    }
    let frame = &frame[..ETH + ip_len];
    let t = &frame[ETH + IP + UDP..frame.len() - 4];
    let op = t[0];
    let extra = if has_reth(op) { 16 } else { 0 } + if has_imm(op) { 4 } else { 0 };
    let pad = ((t[1] >> 4) & 3) as usize;
    if t.len() < BTH + extra + pad {
        return Err(NotRoce::Truncated);
    }
    let carried = u32::from_le_bytes(frame[frame.len() - 4..].try_into().expect("4 bytes"));
    if carried != icrc(&frame[..frame.len() - 4]) {
        return Err(NotRoce::BadIcrc);
    }
    let word = |at: usize| u32::from_be_bytes(t[at..at + 4].try_into().expect("4 bytes"));
    let bth = Bth {
        opcode: op,
        solicited: t[1] & 0x80 != 0,
        pad_count: pad as u8,
        pkey: u16::from_be_bytes([t[2], t[3]]),
        dest_qp: word(4) & PSN_MASK,
        ack_req: word(8) >> 31 != 0,
        psn: word(8) & PSN_MASK,
    };
    let mut at = BTH;
    let reth = has_reth(op).then(|| {
        let r = Reth {
            va: u64::from_be_bytes(t[at..at + 8].try_into().expect("8 bytes")),
            rkey: word(at + 8),
            dma_len: word(at + 12),
        };
        at += 16;
        r
    });
    let imm = has_imm(op).then(|| {
        at += 4;
        word(at - 4)
    });
    Ok(RocePacket {
        dst_mac: frame[0..6].try_into().expect("6 bytes"),
        src_mac: frame[6..12].try_into().expect("6 bytes"),
        src_ip: frame[ETH + 12..ETH + 16].try_into().expect("4 bytes"),
        dst_ip: frame[ETH + 16..ETH + 20].try_into().expect("4 bytes"),
        src_port: u16::from_be_bytes([frame[ETH + IP], frame[ETH + IP + 1]]),
        bth,
        reth,
        imm,
        payload: t[at..t.len() - pad].to_vec(),
    })
}

/// The packets of one RDMA WRITE of `data` to `va`, split at `mtu`, PSNs from `first_psn`.
pub fn write_message(
    template: &RocePacket,
    first_psn: u32,
    va: u64,
    rkey: u32,
    mtu: usize,
    data: &[u8],
    imm: Option<u32>,
) -> Vec<RocePacket> {
    let chunks: Vec<&[u8]> = if data.is_empty() { vec![&[][..]] } else { data.chunks(mtu).collect() };
    let n = chunks.len();
    chunks
        .into_iter()
        .enumerate()
        .map(|(i, chunk)| {
            let (first, last) = (i == 0, i + 1 == n);
            let opcode = match (first, last, imm.is_some()) {
                (true, true, false) => opcode::WRITE_ONLY,
                (true, true, true) => opcode::WRITE_ONLY_IMM,
                (true, false, _) => opcode::WRITE_FIRST,
                (false, true, false) => opcode::WRITE_LAST,
                (false, true, true) => opcode::WRITE_LAST_IMM,
                (false, false, _) => opcode::WRITE_MIDDLE,
            };
            let mut p = template.clone();
            p.bth = Bth { opcode, psn: (first_psn + i as u32) & PSN_MASK, ack_req: last, ..template.bth };
            p.reth = first.then_some(Reth { va, rkey, dma_len: data.len() as u32 });
            p.imm = if last { imm } else { None };
            p.payload = chunk.to_vec();
            p
        })
        .collect()
}

/// A transaction the host installs: one RDMA WRITE message it expects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Transaction {
    pub qp: u32,
    pub first_psn: u32,
    pub packets: u32,
    pub va: u64,
    /// The message length (RETH DMA Length is 32 bits).
    pub length: u32,
    pub rkey: u32,
    /// Path MTU in bytes: 256, 512, 1024, 2048 or 4096.
    pub mtu: u32,
    pub cq: u16,
    pub function: u8,
}

/// The IBA path MTU code of an MTU in bytes (IBA 7.7.1, `enum ibv_mtu`: 1 = 256 B up to
/// 5 = 4096 B); None for any other size.
pub fn path_mtu_code(mtu: u32) -> Option<u8> {
    (1..=5u8).find(|&code| 128 << code == mtu)
}

/// Ways per row of the transaction table.
pub const TABLE_WAYS: usize = 4;
/// The longest transaction, in packets: a PSN range must be less than half the PSN space
/// to tell ahead from behind.
pub const MAX_TRANSACTION_PACKETS: u32 = 1 << 23;

/// Why the table refused an install.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InstallError {
    /// No packets, more than `MAX_TRANSACTION_PACKETS`, or an MTU with no path MTU code.
    Invalid,
    /// An installed transaction of the same QP shares a PSN with it.
    Overlaps,
    /// The QP's row has no free way.
    Full,
}

/// The transaction table as the hardware arranges it (docs/blocks/rdma_table.md): entries
/// in rows of `TABLE_WAYS` ways; a transaction of QP `q` lives in row `q mod rows`, in the
/// lowest free way; entry number = row × ways + way. Installed transactions of one QP never
/// share a PSN, so a (QP, PSN) finds at most one.
#[derive(Clone, Debug)]
pub struct TransactionTable {
    slots: Vec<Option<Transaction>>,
}

/// Whether PSN ranges [a, a + a_packets) and [b, b + b_packets) share a PSN.
fn ranges_overlap(a: u32, a_packets: u32, b: u32, b_packets: u32) -> bool {
    psn_diff(b, a) < a_packets || psn_diff(a, b) < b_packets
}

impl TransactionTable {
    /// A table of `entries` entries: a power of two, at least one row.
    pub fn new(entries: usize) -> Self {
        assert!(entries.is_power_of_two() && entries >= TABLE_WAYS, "{entries} entries is not whole rows");
        Self { slots: vec![None; entries] }
    }

    pub fn rows(&self) -> usize {
        self.slots.len() / TABLE_WAYS
    }

    fn row_slots(&self, qp: u32) -> std::ops::Range<usize> {
        let row = (qp & PSN_MASK) as usize % self.rows();
        row * TABLE_WAYS..(row + 1) * TABLE_WAYS
    }

    /// Installs `t`; the entry number it took, or why not (checked in this order).
    pub fn install(&mut self, t: Transaction) -> Result<usize, InstallError> {
        assert!(t.qp <= PSN_MASK && t.first_psn <= PSN_MASK, "QP numbers and PSNs are 24-bit");
        if t.packets == 0 || t.packets > MAX_TRANSACTION_PACKETS || path_mtu_code(t.mtu).is_none() {
            return Err(InstallError::Invalid);
        }
        let slots = self.row_slots(t.qp);
        let clash = |u: &Transaction| u.qp == t.qp && ranges_overlap(t.first_psn, t.packets, u.first_psn, u.packets);
        if self.slots[slots.clone()].iter().flatten().any(clash) {
            return Err(InstallError::Overlaps);
        }
        let free = slots.into_iter().find(|&i| self.slots[i].is_none()).ok_or(InstallError::Full)?;
        self.slots[free] = Some(t);
        Ok(free)
    }

    /// Retires the transaction of `qp` starting at `first_psn`: the entry it held, if any.
    pub fn retire(&mut self, qp: u32, first_psn: u32) -> Option<usize> {
        let found =
            self.row_slots(qp).find(|&i| matches!(self.slots[i], Some(t) if t.qp == qp && t.first_psn == first_psn))?;
        self.slots[found] = None;
        Some(found)
    }

    /// The entry whose transaction covers `psn` of `qp`.
    pub fn lookup(&self, qp: u32, psn: u32) -> Option<(usize, Transaction)> {
        self.row_slots(qp)
            .filter_map(|i| self.slots[i].map(|t| (i, t)))
            .find(|(_, t)| t.qp == qp && psn_diff(psn, t.first_psn) < t.packets)
    }

    /// Frees entry `index` (its message completed).
    pub fn remove(&mut self, index: usize) {
        self.slots[index] = None;
    }

    /// Entries in use.
    pub fn len(&self) -> usize {
        self.slots.iter().flatten().count()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Why a packet went to software.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FallbackReason {
    UnknownQp,
    NoTransaction,
    OutOfWindow,
    NotOffloaded,
    RkeyMismatch,
    OutOfBounds,
    BadLength,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Written to host memory at `addr`, for the transaction owned by PCIe `function`.
    Placed { addr: u64, len: usize, function: u8 },
    /// Already placed: dropped.
    Duplicate,
    /// Delivered whole to software; `placed_before`: some of its data was written before
    /// the card gave up on it (an error response on the placement write). The model places
    /// packets whole, so it reports false; the RTL sets it after a failed placement write.
    Fallback { reason: FallbackReason, placed_before: bool },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Completion {
    pub cq: u16,
    pub qp: u32,
    pub length: u32,
    pub imm: Option<u32>,
}

/// An entry of an RDMA completion ring, as the host reads it (16 bytes, little-endian; the
/// format in docs/rdma.md): a message completion, or a failure record (`failed`: a
/// placement write of the packet `psn` failed).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CqEntry {
    pub qp: u32,
    pub failed: bool,
    pub phase: bool,
    /// Completion: the message length; failure record: the PSN.
    pub length_or_psn: u32,
    pub imm: Option<u32>,
    /// Bytes 12-15 (zero) and the reserved bits 30:26 of the first dword.
    pub reserved: u64,
}

impl CqEntry {
    pub fn from_bytes(b: &[u8]) -> Self {
        let dword = |i: usize| u32::from_le_bytes(b[4 * i..4 * i + 4].try_into().unwrap());
        let first = dword(0);
        Self {
            qp: first & 0xFF_FFFF,
            failed: first >> 25 & 1 != 0,
            phase: first >> 31 != 0,
            length_or_psn: dword(1),
            imm: (first >> 24 & 1 != 0).then(|| dword(2)),
            reserved: (first >> 26 & 0x1F) as u64 | (dword(3) as u64) << 8,
        }
    }

    /// What this entry reports, found on ring `cq`.
    pub fn record(&self, cq: u16) -> CqRecord {
        if self.failed {
            CqRecord::WriteFailed { cq, qp: self.qp, psn: self.length_or_psn }
        } else {
            CqRecord::Completion(Completion { cq, qp: self.qp, length: self.length_or_psn, imm: self.imm })
        }
    }
}

/// What an RDMA completion ring entry reports: a message completed, or a placement write
/// of packet `psn` failed (software owns the message from there).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CqRecord {
    Completion(Completion),
    WriteFailed { cq: u16, qp: u32, psn: u32 },
}

impl CqRecord {
    /// The completion queue (ring) it goes to.
    pub fn cq(&self) -> u16 {
        match self {
            CqRecord::Completion(c) => c.cq,
            CqRecord::WriteFailed { cq, .. } => *cq,
        }
    }
}

/// Per-QP receive window: the PSN at its start and which of the next `window` PSNs
/// arrived; and for its acknowledgements, the requester's QP and the messages completed
/// since the QP was opened (the MSN, 24 bits).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct QpWindow {
    pub qp: u32,
    pub base: u32,
    pub arrived: u64,
    pub remote_qp: u32,
    pub msn: u32,
}

/// An acknowledgement the responder owes (IBA 9.7.5.1, coalesced as issue 5 says): after a
/// packet that completes its message, and after a packet that asks for one (AckReq) and is
/// placed or dropped as a duplicate (its ACK may have been lost). Cumulative: `psn` is the
/// last PSN before the window's start, every PSN up to it has arrived; `msn` counts the
/// QP's completed messages. Packets handed to software are software's to acknowledge.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AckDue {
    pub qp: u32,
    pub remote_qp: u32,
    pub psn: u32,
    pub msn: u32,
}

impl AckDue {
    /// The acknowledgement frame for the packet `p` that made it owed: back to where `p`
    /// came from (MACs and IPv4 addresses swapped), from `p`'s UDP source port (the flow's
    /// entropy, so the ACK hashes as its flow does), with its P_Key, to the requester's QP.
    pub fn answering(&self, p: &RocePacket) -> Ack {
        Ack {
            src_mac: p.dst_mac,
            dst_mac: p.src_mac,
            src_ip: p.dst_ip,
            dst_ip: p.src_ip,
            src_port: p.src_port,
            pkey: p.bth.pkey,
            dest_qp: self.remote_qp,
            psn: self.psn,
            syndrome: SYNDROME_ACK,
            msn: self.msn,
        }
    }
}

/// Why the card refused to open a QP.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpenError {
    /// The QP's context slot (QP number mod slots) holds another open QP.
    SlotBusy,
}

/// Progress of the message of one table entry.
#[derive(Clone, Copy, Debug, Default)]
struct MessageProgress {
    placed: u32,
    imm: Option<u32>,
}

/// The card's view: open QPs with their receive windows, installed transactions, host
/// memory and the completions posted. QP contexts are direct-mapped: QP `q` uses slot
/// `q mod qp_slots` (docs/blocks/rdma_decide.md).
#[derive(Clone, Debug)]
pub struct PlacementModel {
    pub window: u32,
    pub table: TransactionTable,
    progress: BTreeMap<usize, MessageProgress>,
    qps: Vec<Option<QpWindow>>,
    pub memory: SparseMemory,
    pub completions: Vec<Completion>,
    pub acks: Vec<AckDue>,
}

/// `a - b` in 24-bit PSN space.
fn psn_diff(a: u32, b: u32) -> u32 {
    a.wrapping_sub(b) & PSN_MASK
}

impl PlacementModel {
    /// A card with a table of `entries` entries, `qp_slots` QP contexts and a receive
    /// window of `window` PSNs.
    pub fn new(entries: usize, qp_slots: usize, window: u32) -> Self {
        assert!(window <= 64, "the window bitmap is 64 PSNs");
        Self {
            window,
            table: TransactionTable::new(entries),
            progress: BTreeMap::new(),
            qps: vec![None; qp_slots],
            memory: SparseMemory::new(),
            completions: Vec::new(),
            acks: Vec::new(),
        }
    }

    fn qp_slot(&self, qp: u32) -> usize {
        (qp & PSN_MASK) as usize % self.qps.len()
    }

    /// Opens `qp` to receive from `expected_psn` (its window starts there, empty; no
    /// message completed) from the requester's QP `remote_qp`. Opening an open QP starts it
    /// again.
    pub fn open_qp(&mut self, qp: u32, expected_psn: u32, remote_qp: u32) -> Result<(), OpenError> {
        let slot = self.qp_slot(qp);
        if matches!(self.qps[slot], Some(w) if w.qp != qp) {
            return Err(OpenError::SlotBusy);
        }
        let base = expected_psn & PSN_MASK;
        self.qps[slot] = Some(QpWindow { qp, base, arrived: 0, remote_qp: remote_qp & PSN_MASK, msn: 0 });
        Ok(())
    }

    /// The acknowledgement of `qp`'s window as it stands.
    fn ack_due(&self, qp: u32) -> AckDue {
        let w = self.window_of(qp).expect("acknowledged QPs are open");
        AckDue { qp, remote_qp: w.remote_qp, psn: w.base.wrapping_sub(1) & PSN_MASK, msn: w.msn }
    }

    /// Closes `qp`; false if it is not open. Its transactions stay until retired.
    pub fn close_qp(&mut self, qp: u32) -> bool {
        let slot = self.qp_slot(qp);
        let open = matches!(self.qps[slot], Some(w) if w.qp == qp);
        if open {
            self.qps[slot] = None;
        }
        open
    }

    /// The window of `qp`, if open.
    pub fn window_of(&self, qp: u32) -> Option<QpWindow> {
        self.qps[self.qp_slot(qp)].filter(|w| w.qp == qp)
    }

    /// Installs a transaction in the table.
    pub fn install(&mut self, t: Transaction) -> Result<usize, InstallError> {
        let entry = self.table.install(t)?;
        self.progress.insert(entry, MessageProgress::default());
        Ok(entry)
    }

    /// Retires the transaction of `qp` starting at `first_psn`: the entry it held, if any.
    pub fn retire(&mut self, qp: u32, first_psn: u32) -> Option<usize> {
        let entry = self.table.retire(qp, first_psn)?;
        self.progress.remove(&entry);
        Some(entry)
    }

    pub fn receive(&mut self, p: &RocePacket) -> Outcome {
        let (qp, psn) = (p.bth.dest_qp, p.bth.psn);
        let fallback = |reason, placed_before| Outcome::Fallback { reason, placed_before };
        if !(opcode::WRITE_FIRST..=opcode::WRITE_ONLY_IMM).contains(&p.bth.opcode) {
            return fallback(FallbackReason::NotOffloaded, false);
        }
        let Some(window) = self.window_of(qp) else {
            return fallback(FallbackReason::UnknownQp, false);
        };
        let offset = psn_diff(psn, window.base);
        // Arrived already: behind the window (it only moves past PSNs that arrived) or
        // recorded in it. Dropped, whether or not its transaction is still installed.
        if offset >= 1 << 23 || (offset < self.window && window.arrived >> offset & 1 != 0) {
            if p.bth.ack_req {
                self.acks.push(self.ack_due(qp));
            }
            return Outcome::Duplicate;
        }
        let Some((entry, t)) = self.table.lookup(qp, psn) else {
            return fallback(FallbackReason::NoTransaction, false);
        };
        if offset >= self.window {
            return fallback(FallbackReason::OutOfWindow, false);
        }
        let index = psn_diff(psn, t.first_psn) as u64;
        let addr = match p.reth {
            Some(r) if r.rkey != t.rkey => return fallback(FallbackReason::RkeyMismatch, false),
            Some(r) => r.va,
            None => t.va + index * t.mtu as u64,
        };
        let last = index + 1 == t.packets as u64;
        let len = p.payload.len() as u64;
        // Every packet but the last carries exactly one MTU.
        if len > t.mtu as u64 || (!last && len != t.mtu as u64) {
            return fallback(FallbackReason::BadLength, false);
        }
        // In 128 bits: a region may end at 2^64.
        if addr < t.va || addr as u128 + len as u128 > t.va as u128 + t.length as u128 {
            return fallback(FallbackReason::OutOfBounds, false);
        }
        self.memory.write(addr, &p.payload);
        // Record the arrival and slide the window over what is complete at its start.
        let slot = self.qp_slot(qp);
        let w = self.qps[slot].as_mut().expect("looked up above");
        w.arrived |= 1 << offset;
        while w.arrived & 1 != 0 {
            w.arrived >>= 1;
            w.base = (w.base + 1) & PSN_MASK;
        }
        let progress = self.progress.get_mut(&entry).expect("an entry in use counts its packets");
        progress.placed += 1;
        progress.imm = p.imm.or(progress.imm);
        let complete = progress.placed == t.packets;
        if complete {
            self.completions.push(Completion { cq: t.cq, qp, length: t.length, imm: progress.imm });
            self.table.remove(entry);
            self.progress.remove(&entry);
            w.msn = (w.msn + 1) & PSN_MASK;
        }
        if complete || p.bth.ack_req {
            self.acks.push(self.ack_due(qp));
        }
        Outcome::Placed { addr, len: len as usize, function: t.function }
    }
}
