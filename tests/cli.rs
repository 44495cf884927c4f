//! The command-line tool: works, and fails with a clear message and a non-zero exit on bad
//! input or a missing tool, never a panic.
use std::process::Command;

fn ferronic() -> Command {
    Command::new(env!("CARGO_BIN_EXE_ferronic"))
}

fn temp(name: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("ferronic-cli-{name}-{}", std::process::id()))
}

#[test]
fn export_and_lint_pass() {
    let out = temp("export");
    let status = ferronic().args(["lint", "--out"]).arg(&out).output().unwrap();
    assert!(status.status.success(), "{}", String::from_utf8_lossy(&status.stdout));
    assert!(out.join("ferronic_stream_fifo.v").exists() && out.join("filelist.f").exists());
    let _ = std::fs::remove_dir_all(out);
}

fn assert_clean_failure(args: &[&str], env: Option<(&str, &str)>, needle: &str) {
    let mut cmd = ferronic();
    cmd.args(args);
    if let Some((k, v)) = env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_ne!(out.status.code(), Some(0), "{args:?} succeeded");
    assert!(!stderr.contains("panicked"), "{args:?} panicked: {stderr}");
    assert!(stderr.contains(needle), "{args:?}: expected {needle:?} in: {stderr}");
}

#[test]
fn bad_arguments_fail_clearly() {
    assert_clean_failure(&["synth", "--block", "nope"], None, "unknown block");
    assert_clean_failure(&["synth", "--block", "stream_fifo", "--device", "virtex7"], None, "unknown device");
    assert_clean_failure(&["formal", "--block", "nope"], None, "no formal properties");
    assert_clean_failure(&["bench", "--scale", "many"], None, "invalid value");
    assert_clean_failure(&["frobnicate"], None, "unrecognized subcommand");
}

#[test]
fn a_missing_tool_is_named_with_the_fix() {
    let out = temp("notools");
    let out = out.to_str().unwrap();
    assert_clean_failure(&["formal", "--out", out], Some(("FERRONIC_VENV", "/nonexistent")), "scripts/setup");
    assert_clean_failure(
        &["synth", "--block", "stream_fifo", "--out", out],
        Some(("FERRONIC_VENV", "/nonexistent")),
        "scripts/setup",
    );
}

#[test]
fn the_demo_runs_on_both_backends() {
    let out = ferronic().args(["demo", "--beats", "300"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("verilator") && stdout.contains("rust-hdl") && stdout.contains("matched"), "{stdout}");
}

#[test]
fn bench_json_reports_every_measurement_and_ratio() {
    // At an eighth of the size: this checks the report, not the figures.
    let out = ferronic().args(["bench", "--json", "--quick"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows = doc["measurements"].as_array().unwrap();
    assert_eq!(rows.len(), 7);
    for row in rows {
        assert!(row["cycles_per_second"].as_f64().unwrap() > 0.0, "{row}");
    }
    // Verilator must beat rust-hdl's model on the same work.
    assert!(doc["ratios"]["verilator_over_rust_hdl_free_run"].as_f64().unwrap() > 1.0);
    // The RoCEv2 parser keeps line rate (a benchmark figure, bounded only loosely here).
    let roce = doc["roce_parser_line_rate"].as_array().unwrap();
    assert_eq!(roce.len(), 3);
    for row in roce {
        assert!(row["beats_per_cycle"].as_f64().unwrap() > 0.9, "{row}");
    }
    // The transaction table takes lookups back to back (loosely bounded, as above).
    let table = doc["rdma_table_lookup_rate"].as_array().unwrap();
    assert_eq!(table.len(), 3);
    for row in table {
        assert!(row["lookups_per_cycle"].as_f64().unwrap() > 0.5, "{row}");
    }
    assert!(doc["rdma_decide_cycles_per_packet"].as_f64().unwrap() > 1.0);
    for p in doc["rdma_placement_w_utilization_latency_200"].as_array().unwrap() {
        let u = p["utilization"].as_f64().unwrap();
        assert!(u > 0.1 && u <= 1.0, "{p}");
    }
}

fn lspci(file: &std::path::Path) -> String {
    let out = Command::new("lspci").arg("-F").arg(file).arg("-vvv").output().expect("lspci from scripts/setup");
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The emulator's own read-back of every function (not the profile's image) decodes in
/// lspci with every capability of every shipped profile.
#[test]
fn cfgspace_dumps_of_every_shipped_profile_decode_in_lspci() {
    let cases: [(&str, u16, &[&str]); 3] = [
        (
            "ferronic-nic",
            3,
            &[
                "01:00.0 Ethernet controller",
                "Power Management version 3",
                "MSI-X: Enable- Count=9",
                "Express (v2) Endpoint",
                "Single Root I/O Virtualization (SR-IOV)",
                // The OS enabled 3 VFs with memory space: the dump shows it.
                "IOVCtl:\tEnable+ Migration- Interrupt- MSE+",
                "Number of VFs: 3",
                "Alternative Routing-ID Interpretation (ARI)",
                "01:00.3 Ethernet controller",
                "MSI-X: Enable- Count=3",
            ],
        ),
        (
            "nvme",
            0,
            &["Non-Volatile memory controller", "NVM Express", "MSI-X: Enable- Count=65", "Express (v2) Endpoint"],
        ),
        (
            "virtio-net",
            0,
            &["VirtIO: CommonCfg", "VirtIO: Notify", "VirtIO: ISR", "VirtIO: DeviceCfg", "MSI-X: Enable- Count=4"],
        ),
    ];
    for (profile, vfs, wants) in cases {
        let file = temp(&format!("dump-{profile}"));
        let out = ferronic()
            .args(["cfgspace", "--profile", profile, "--vfs", &vfs.to_string(), "--out"])
            .arg(&file)
            .output()
            .unwrap();
        assert!(out.status.success(), "{profile}: {}", String::from_utf8_lossy(&out.stderr));
        let text = lspci(&file);
        for want in wants {
            assert!(text.contains(want), "{profile}: lspci lacks {want:?}:\n{text}");
        }
        assert_eq!(text.matches("\n0").count() + 1, 1 + vfs as usize, "{profile}: {text}");
        let _ = std::fs::remove_file(file);
    }
}

#[test]
fn cfgspace_refuses_impossible_requests() {
    assert_clean_failure(&["cfgspace", "--profile", "nvme", "--vfs", "1"], None, "no SR-IOV");
    assert_clean_failure(&["cfgspace", "--profile", "ferronic-nic", "--vfs", "17"], None, "offers 16 VFs");
    assert_clean_failure(&["cfgspace", "--profile", "no-such"], None, "shipped profiles are");
}

/// `ferronic sim` sends frames made elsewhere (a pcap file written here from the format,
/// as scapy's wrpcap would) through the NIC's TX path, and tcpdump decodes what it wrote.
#[test]
fn sim_sends_frames_from_a_pcap_and_tcpdump_reads_what_it_transmitted() {
    use ferronic_testbench::models::ethernet::{udp_frame, UdpFlow};
    use ferronic_testbench::pcap::{write, PcapFrame};
    let flow = UdpFlow {
        dst_mac: [0x02, 0, 0, 0, 0, 0xBB],
        src_mac: [0x02, 0, 0, 0, 0, 0xAA],
        src_ip: [192, 168, 7, 1],
        dst_ip: [192, 168, 7, 2],
        src_port: 4000,
        dst_port: 5000,
    };
    let sizes = [1usize, 18, 100, 1472, 3000, 8000];
    let frames: Vec<PcapFrame> =
        sizes.iter().map(|&n| PcapFrame { time_ns: 0, data: udp_frame(&flow, &vec![0x5A; n]) }).collect();
    let (input, output) = (temp("send.pcap"), temp("tx.pcap"));
    write(&input, &frames).unwrap();
    let out =
        ferronic().args(["sim", "--queues", "3", "--send"]).arg(&input).arg("--tx-pcap").arg(&output).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let decoded = Command::new("tcpdump")
        .arg("-r")
        .arg(&output)
        .args(["-nn", "-e"])
        .output()
        .expect("tcpdump from scripts/setup");
    assert!(decoded.status.success(), "{}", String::from_utf8_lossy(&decoded.stderr));
    let text = String::from_utf8_lossy(&decoded.stdout);
    for n in sizes {
        let line = format!("192.168.7.1.4000 > 192.168.7.2.5000: UDP, length {n}");
        assert_eq!(text.lines().filter(|l| l.ends_with(&line)).count(), 1, "{line:?} not once in:\n{text}");
    }
    assert!(text.contains("02:00:00:00:00:aa > 02:00:00:00:00:bb, ethertype IPv4"), "{text}");
    let _ = (std::fs::remove_file(input), std::fs::remove_file(output));
}

/// The last value a VCD gives the first signal declared as `name` (the top level's port),
/// or None if there is no such signal or it never gets a value.
fn last_vcd_value(vcd: &str, name: &str) -> Option<u64> {
    let id = vcd.lines().find_map(|line| {
        let t: Vec<&str> = line.split_whitespace().collect();
        (t.first() == Some(&"$var") && t.get(4) == Some(&name)).then(|| t[3].to_string())
    })?;
    let body = &vcd[vcd.find("$enddefinitions")?..];
    body.lines().rev().find_map(|line| {
        let (value, code) = match line.strip_prefix('b') {
            Some(rest) => rest.split_once(' ')?,
            None => line.split_at_checked(1)?,
        };
        (code == id).then(|| u64::from_str_radix(value, 2).ok()).flatten()
    })
}

/// `ferronic sim --rx-pcap` receives frames made elsewhere; what the host got (checked
/// against the RX model inside) comes back out with `--received`, and tcpdump reads it.
/// With `--waves` the run's waveform is kept: its `rx_packets` ends at the frames received.
#[test]
fn sim_receives_frames_from_a_pcap_and_tcpdump_reads_what_the_host_got() {
    use ferronic_testbench::models::ethernet::{udp_frame, UdpFlow};
    use ferronic_testbench::pcap::{write, PcapFrame};
    let sizes = [1usize, 18, 100, 1472, 3000, 8000];
    let frames: Vec<PcapFrame> = sizes
        .iter()
        .map(|&n| {
            let flow = UdpFlow {
                dst_mac: [0x02, 0, 0, 0, 0, 0xBB],
                src_mac: [0x02, 0, 0, 0, 0, 0xAA],
                src_ip: [192, 168, 7, 1],
                dst_ip: [192, 168, 7, 2],
                // High ports, so tcpdump decodes every frame as plain UDP.
                src_port: 40000 + n as u16,
                dst_port: 50000,
            };
            PcapFrame { time_ns: 0, data: udp_frame(&flow, &vec![0x5A; n]) }
        })
        .collect();
    let (input, output, waves) = (temp("arrive.pcap"), temp("received.pcap"), temp("waves"));
    write(&input, &frames).unwrap();
    let out = ferronic()
        .args(["sim", "--rx-pcap"])
        .arg(&input)
        .arg("--received")
        .arg(&output)
        .arg("--waves")
        .arg(&waves)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let vcd = std::fs::read_to_string(waves.join("rx.vcd")).expect("the waveform of the run");
    assert_eq!(last_vcd_value(&vcd, "rx_packets"), Some(sizes.len() as u64), "rx_packets in the waveform");
    let _ = std::fs::remove_dir_all(&waves);
    let decoded = Command::new("tcpdump").arg("-r").arg(&output).args(["-nn"]).output().expect("tcpdump");
    assert!(decoded.status.success(), "{}", String::from_utf8_lossy(&decoded.stderr));
    let text = String::from_utf8_lossy(&decoded.stdout);
    for n in sizes {
        let line = format!("192.168.7.1.{} > 192.168.7.2.50000: UDP, length {n}", 40000 + n);
        assert_eq!(text.lines().filter(|l| l.ends_with(&line)).count(), 1, "{line:?} not once in:\n{text}");
    }
    let _ = (std::fs::remove_file(input), std::fs::remove_file(output));
}

#[test]
fn sim_refuses_what_it_cannot_send() {
    let bad = temp("bad.pcap");
    std::fs::write(&bad, b"not a capture at all").unwrap();
    let out = temp("unused.pcap");
    let (bad, out) = (bad.to_str().unwrap(), out.to_str().unwrap());
    assert_clean_failure(&["sim", "--send", bad, "--tx-pcap", out], None, "not a pcap file");
    assert_clean_failure(&["sim", "--queues", "9", "--tx-pcap", out], None, "--queues must be 1 to 8");
    assert_clean_failure(&["sim", "--send", "/nonexistent.pcap", "--tx-pcap", out], None, "reading /nonexistent.pcap");
    assert_clean_failure(&["sim"], None, "nothing to simulate");
    assert_clean_failure(&["sim", "--received", out], None, "--received needs --rx-pcap");
    assert_clean_failure(&["sim", "--rx-pcap", bad], None, "not a pcap file");
    let no_folder = format!("{bad}/waves");
    assert_clean_failure(&["sim", "--tx-pcap", out, "--waves", &no_folder], None, "for the waveform");
    let _ = std::fs::remove_file(bad);
}

#[test]
fn rdma_places_a_message_from_a_pcap_and_reports_what_became_of_each_frame() {
    use ferronic_testbench::models::ethernet::{udp_frame, UdpFlow};
    use ferronic_testbench::models::rdma::{opcode, write_message, Bth, RocePacket};
    use ferronic_testbench::pcap::{write, PcapFrame};
    let template = RocePacket {
        src_mac: [2, 0, 0, 0, 0, 1],
        dst_mac: [2, 0, 0, 0, 0, 2],
        src_ip: [10, 0, 0, 1],
        dst_ip: [10, 0, 0, 2],
        src_port: 0xC000,
        bth: Bth { opcode: 0, solicited: false, pad_count: 0, pkey: 0xFFFF, dest_qp: 0x12, ack_req: false, psn: 0 },
        reth: None,
        imm: None,
        payload: vec![],
    };
    let data: Vec<u8> = (0..10_000u32).map(|i| (i * 7 + 3) as u8).collect();
    let message = write_message(&template, 100, 0x10_0000, 0x77, 4096, &data, Some(0xCAFE_F00D));
    assert_eq!(message.len(), 3);
    // The second transaction's region answers writes with SLVERR.
    let failing = write_message(&template, 103, 0x20_0000, 0x77, 4096, &[1, 2, 3, 4], None);
    let mut send = template.clone();
    send.bth.opcode = opcode::SEND_ONLY;
    send.bth.psn = 104;
    send.payload = vec![9; 40];
    let flow = UdpFlow {
        dst_mac: [2, 0, 0, 0, 0, 2],
        src_mac: [2, 0, 0, 0, 0, 1],
        src_ip: [10, 0, 0, 1],
        dst_ip: [10, 0, 0, 2],
        src_port: 5000,
        dst_port: 6000,
    };
    // Last first, a duplicate, then the rest; the failing write, a SEND, plain UDP.
    let frames: Vec<Vec<u8>> = vec![
        message[2].encode(),
        message[0].encode(),
        message[0].encode(),
        message[1].encode(),
        failing[0].encode(),
        send.encode(),
        udp_frame(&flow, &[0x42; 30]),
    ];
    let (setup, input, dump, report) = (temp("setup.toml"), temp("rdma.pcap"), temp("memory.bin"), temp("report.json"));
    let acks = temp("acks.pcap");
    std::fs::write(
        &setup,
        "[[qp]]\nqp = 0x12\npsn = 100\nremote_qp = 0x34\n\n\
         [[transaction]]\nqp = 0x12\nfirst_psn = 100\nva = 0x100000\nlength = 10000\nrkey = 0x77\nmtu = 4096\ncq = 3\n\n\
         [[transaction]]\nqp = 0x12\nfirst_psn = 103\nva = 0x200000\nlength = 4\nrkey = 0x77\nmtu = 4096\n\n\
         [memory]\nlatency = 50\n[[memory.error]]\nstart = 0x200000\nend = 0x201000\nresp = \"slverr\"\n",
    )
    .unwrap();
    write(&input, &frames.into_iter().map(|data| PcapFrame { time_ns: 0, data }).collect::<Vec<_>>()).unwrap();
    let out = ferronic()
        .args(["rdma", "--setup"])
        .arg(&setup)
        .arg("--rx-pcap")
        .arg(&input)
        .arg("--memory-dump")
        .arg(&dump)
        .arg("--report")
        .arg(&report)
        .arg("--ack-pcap")
        .arg(&acks)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let memory = std::fs::read(&dump).unwrap();
    assert_eq!(memory.len(), 10_004);
    assert!(memory[..10_000] == data[..], "the message is not in host memory as sent");
    let doc: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(doc["commands"], serde_json::json!(["ok", "ok", "ok"]));
    let outcomes: Vec<(String, String)> = doc["frames"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["outcome"].as_str().unwrap().into(), f["reason"].as_str().unwrap_or("").into()))
        .collect();
    let want = [
        ("placed", ""),
        ("placed", ""),
        ("dropped", "duplicate"),
        ("placed", ""),
        ("write_failed", ""),
        ("software", "not_offloaded"),
        ("software", "not_roce"),
    ];
    assert_eq!(outcomes, want.map(|(o, r)| (o.to_string(), r.to_string())));
    assert_eq!(doc["frames"][0]["address"], "0x102000");
    let completions = doc["completions"].as_array().unwrap();
    assert_eq!(completions.len(), 1, "{doc}");
    assert_eq!(completions[0]["length"], 10_000);
    assert_eq!(completions[0]["cq"], 3);
    assert_eq!(completions[0]["imm"], "0xcafef00d");
    assert_eq!(doc["write_failures"], serde_json::json!([{"cq": 0, "qp": "0x12", "psn": 103}]));
    assert_eq!(doc["counters"]["write_errors"], 1);
    // Acknowledgements (cumulative: the PSN before the first not yet arrived): the Last
    // asks for one on arrival, with PSNs 100 and 101 still missing (PSN 99, no message
    // done); the message completes with PSN 101 (102, MSN 1); the lone packet at 103
    // completes the second and asks too (103, MSN 2). None for the duplicate (it does not
    // ask), the SEND (software's) or plain UDP.
    let want_acks = [(99u32, 0u32), (102, 1), (103, 2)];
    let sent: Vec<(u64, u64)> = doc["acks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["psn"].as_u64().unwrap(), a["msn"].as_u64().unwrap()))
        .collect();
    assert_eq!(sent, want_acks.map(|(p, m)| (p as u64, m as u64)), "{doc}");
    let frames = ferronic_testbench::pcap::read(&acks).unwrap();
    assert_eq!(frames.len(), 3);
    for (frame, (psn, msn)) in frames.iter().zip(want_acks) {
        let d = &frame.data;
        assert_eq!(d.len(), 62, "Ethernet 14 + IPv4 20 + UDP 8 + BTH 12 + AETH 4 + ICRC 4");
        assert_eq!((&d[0..6], &d[6..12]), (&[2, 0, 0, 0, 0, 1][..], &[2, 0, 0, 0, 0, 2][..]), "MACs swapped");
        assert_eq!((&d[26..30], &d[30..34]), (&[10, 0, 0, 2][..], &[10, 0, 0, 1][..]), "IPv4 addresses swapped");
        assert_eq!(u16::from_be_bytes([d[36], d[37]]), 4791, "RoCEv2's UDP port");
        assert_eq!(d[42], 0x11, "BTH opcode: RC Acknowledge");
        assert_eq!(&d[47..50], &[0, 0, 0x34], "to the requester's QP");
        assert_eq!(u32::from_be_bytes([0, d[51], d[52], d[53]]), psn);
        assert_eq!(u32::from_be_bytes([d[54], d[55], d[56], d[57]]), 0x1F00_0000 | msn, "AETH: ACK, MSN");
    }
    for f in [setup, input, dump, report, acks] {
        let _ = std::fs::remove_file(f);
    }
}

#[test]
fn rdma_refuses_a_bad_setup_clearly() {
    let capture = temp("one.pcap");
    ferronic_testbench::pcap::write(&capture, &[ferronic_testbench::pcap::PcapFrame { time_ns: 0, data: vec![0; 60] }])
        .unwrap();
    let setup = temp("bad-setup.toml");
    let dump = temp("unused.bin");
    let (c, s, d) = (capture.to_str().unwrap(), setup.to_str().unwrap(), dump.to_str().unwrap());
    let args = ["rdma", "--setup", s, "--rx-pcap", c, "--memory-dump", d];
    let cases = [
        ("[[transaction]]\nqp = 1\nfirst_psn = 0\nva = 0\nlength = 8\nrkey = 1\nmtu = 1000\n", "MTU 1000 is not"),
        ("[[qp]]\nqp = 1\npsn = 0\ncolour = 3\n", "unknown field"),
        (
            "[[transaction]]\nqp = 1\nfirst_psn = 0\nva = 0\nlength = 8\nrkey = 1\nmtu = 256\nfunction = 40\n",
            "function 40 has no DMA window",
        ),
        ("[[qp]]\nqp = 0x1000000\npsn = 0\nremote_qp = 1\n", "is not 24 bits"),
        ("[[qp]]\nqp = 1\npsn = 0\n", "missing field `remote_qp`"),
        ("[[qp]]\nqp = 1\npsn = 0\nremote_qp = 0x1000000\n", "remote QP 0x1000000 is not 24 bits"),
        ("[memory]\n[[memory.error]]\nstart = 8\nend = 8\nresp = \"slverr\"\n", "is not below end"),
        ("[memory]\n[[memory.error]]\nstart = 0\nend = 8\nresp = \"oops\"\n", "is not \"slverr\""),
    ];
    for (text, needle) in cases {
        std::fs::write(&setup, text).unwrap();
        assert_clean_failure(&args, None, needle);
    }
    assert_clean_failure(
        &["rdma", "--setup", "/nonexistent.toml", "--rx-pcap", c, "--memory-dump", d],
        None,
        "reading the setup",
    );
    std::fs::write(&setup, "").unwrap();
    std::fs::write(&capture, b"garbage").unwrap();
    assert_clean_failure(&args, None, "not a pcap file");
    let _ = (std::fs::remove_file(capture), std::fs::remove_file(setup));
}
