//! `ferronic bench`: simulation speed as a table or JSON.
use anyhow::Result;
use ferronic_testbench::bench::{fifo_benchmarks, Measurement};
use serde_json::json;

fn rate(all: &[Measurement], name: &str, backend: &str) -> f64 {
    all.iter().find(|m| m.name == name && m.backend == backend).map(|m| m.cycles_per_second()).unwrap_or(f64::NAN)
}

/// `quick`: every workload an eighth of its size (a check that each benchmark runs and
/// reports, as the CLI's test makes; its figures are rougher).
pub fn run(as_json: bool, scale: u64, quick: bool) -> Result<()> {
    let all = fifo_benchmarks(scale.max(1))?;
    let share: usize = if quick { 8 } else { 1 };
    let frames = 64 / share;
    let sizes = [64u32, 512, 4096, 65536];
    let dma: Vec<(u32, f64)> = sizes
        .iter()
        .map(|&len| {
            Ok((
                len,
                ferronic_testbench::bench::dma_read_utilization(
                    len,
                    ((256 * 1024 / len as u64).clamp(4, 64) / share as u64).max(1),
                    200,
                )?,
            ))
        })
        .collect::<Result<_>>()?;
    let dma_write: Vec<(u32, f64)> = sizes
        .iter()
        .map(|&len| {
            let count = ((256 * 1024 / len as u64).clamp(4, 64) / share as u64).max(1);
            Ok((len, ferronic_testbench::bench::dma_write_utilization(len, count, 200)?))
        })
        .collect::<Result<_>>()?;
    let queue_spread = ferronic_testbench::bench::queue_operation_rate(8, 2000 / share as u64)?;
    let queue_one_ring = ferronic_testbench::bench::queue_operation_rate(1, 2000 / share as u64)?;
    let mut tx = Vec::new();
    for llq in [false, true] {
        for bytes in [64usize, 1500] {
            tx.push((llq, bytes, ferronic_testbench::bench::tx_line_utilization(bytes, frames, llq, 200)?));
        }
    }
    let rx: Vec<(usize, f64)> = [64usize, 1500]
        .into_iter()
        .map(|bytes| Ok((bytes, ferronic_testbench::bench::rx_line_utilization(bytes, frames, 200)?)))
        .collect::<Result<_>>()?;
    let roce: Vec<(usize, f64)> = [64usize, 1024, 4096]
        .into_iter()
        .map(|payload| Ok((payload, ferronic_testbench::bench::roce_parser_line_rate(payload, frames)?)))
        .collect::<Result<_>>()?;
    let table: Vec<(usize, usize, f64)> = [(256usize, 0usize), (256, 16), (4096, 0)]
        .into_iter()
        .map(|(entries, per_command)| {
            let rate = ferronic_testbench::bench::rdma_table_lookup_rate(entries, 4000 / share, per_command)?;
            Ok((entries, per_command, rate))
        })
        .collect::<Result<_>>()?;
    let decide_packets = 512 / share;
    let decide_cycles = ferronic_testbench::bench::rdma_decide_cycles_per_packet(decide_packets)?;
    let placement: Vec<(usize, f64)> = [(256usize, 64 / share), (1024, 32 / share), (4096, 32 / share)]
        .into_iter()
        .map(|(mtu, packets)| Ok((mtu, ferronic_testbench::bench::rdma_placement_bus_share(mtu, packets)?)))
        .collect::<Result<_>>()?;
    let tx_latency_regular = ferronic_testbench::bench::tx_doorbell_latency(false, 200)?;
    let tx_latency_llq = ferronic_testbench::bench::tx_doorbell_latency(true, 200)?;
    let verilator_vs_rusthdl =
        rate(&all, "fifo testbench+models", "verilator") / rate(&all, "fifo testbench+models", "rust-hdl");
    let raw_vs_rusthdl = rate(&all, "fifo raw loop", "verilator") / rate(&all, "fifo raw loop", "rust-hdl");
    let free_vs_rusthdl = rate(&all, "fifo free run", "verilator") / rate(&all, "fifo free run", "rust-hdl");
    let free_vs_threaded =
        rate(&all, "fifo free run", "verilator") / rate(&all, "fifo free run (rust-hdl Simulation)", "rust-hdl");
    let framework_overhead =
        rate(&all, "fifo raw loop", "verilator") / rate(&all, "fifo testbench+models", "verilator");
    if as_json {
        let rows: Vec<_> = all
            .iter()
            .map(|m| json!({"name": m.name, "backend": m.backend, "cycles": m.cycles, "seconds": m.seconds, "cycles_per_second": m.cycles_per_second()}))
            .collect();
        let doc = json!({
            "measurements": rows,
            "ratios": {
                "verilator_over_rust_hdl_free_run": free_vs_rusthdl,
                "verilator_over_rust_hdl_simulation_free_run": free_vs_threaded,
                "verilator_over_rust_hdl_raw": raw_vs_rusthdl,
                "verilator_over_rust_hdl_testbench": verilator_vs_rusthdl,
                "framework_overhead_verilator": framework_overhead,
            },
            "dma_read_r_utilization_latency_200": dma.iter().map(|(len, u)| json!({"bytes": len, "utilization": u})).collect::<Vec<_>>(),
            "dma_write_w_utilization_latency_200": dma_write.iter().map(|(len, u)| json!({"bytes": len, "utilization": u})).collect::<Vec<_>>(),
            "tx_line_utilization_latency_200": tx.iter().map(|(llq, bytes, u)| json!({"llq": llq, "bytes": bytes, "utilization": u})).collect::<Vec<_>>(),
            "rx_line_utilization_latency_200": rx.iter().map(|(bytes, u)| json!({"bytes": bytes, "utilization": u})).collect::<Vec<_>>(),
            "roce_parser_line_rate": roce.iter().map(|(payload, r)| json!({"payload_bytes": payload, "beats_per_cycle": r})).collect::<Vec<_>>(),
            "rdma_decide_cycles_per_packet": decide_cycles,
            "rdma_placement_w_utilization_latency_200": placement.iter().map(|(mtu, u)| json!({"mtu": mtu, "utilization": u})).collect::<Vec<_>>(),
            "rdma_table_lookup_rate": table.iter().map(|(entries, per_command, r)| json!({"entries": entries, "lookups_per_command": per_command, "lookups_per_cycle": r})).collect::<Vec<_>>(),
            "tx_doorbell_latency_cycles_latency_200_256_bytes": {
                "regular": {"first_byte": tx_latency_regular.0, "last_byte": tx_latency_regular.1},
                "llq": {"first_byte": tx_latency_llq.0, "last_byte": tx_latency_llq.1},
            },
            "queue_manager": {
                "operations_per_cycle_8_rings": queue_spread.0,
                "operations_per_cycle_1_ring": queue_one_ring.0,
                "operation_latency_cycles": queue_spread.1,
            },
        });
        println!("{}", serde_json::to_string_pretty(&doc)?);
    } else {
        println!("{:<38} {:<10} {:>10} {:>9} {:>14}", "benchmark", "backend", "cycles", "seconds", "cycles/s");
        for m in &all {
            println!(
                "{:<38} {:<10} {:>10} {:>9.3} {:>14.0}",
                m.name,
                m.backend,
                m.cycles,
                m.seconds,
                m.cycles_per_second()
            );
        }
        println!("verilator / rust-hdl (free run):        {free_vs_rusthdl:.1}x");
        println!("verilator / rust-hdl Simulation (free run): {free_vs_threaded:.0}x");
        println!("verilator / rust-hdl (raw test loop):   {raw_vs_rusthdl:.1}x");
        println!("verilator / rust-hdl (testbench):       {verilator_vs_rusthdl:.1}x");
        println!("framework overhead on verilator (tb/raw): {framework_overhead:.2}x");
        for (len, u) in &dma {
            println!("dma read, {len:>6} B transfers, 200-cycle memory: R busy {:.1}% of cycles", u * 100.0);
        }
        for (len, u) in &dma_write {
            println!("dma write, {len:>6} B transfers, 200-cycle memory: W busy {:.1}% of cycles", u * 100.0);
        }
        println!("queue manager, takes round robin over 8 rings: {:.3} per cycle", queue_spread.0);
        println!("queue manager, takes on 1 ring:                 {:.3} per cycle", queue_one_ring.0);
        println!("queue manager, operation latency:               {} cycles", queue_spread.1);
        for (llq, bytes, u) in &tx {
            let kind = if *llq { "LLQ" } else { "regular" };
            println!(
                "tx, {bytes:>5} B packets over 8 {kind:<7} queues, 200-cycle memory: m_axis_tx busy {:.1}%",
                u * 100.0
            );
        }
        for (bytes, u) in &rx {
            println!(
                "rx, {bytes:>5} B frames over 8 queues back to back, 200-cycle memory: {:.1}% of line rate",
                u * 100.0
            );
        }
        for (payload, r) in &roce {
            println!("roce parser, RDMA WRITE packets of {payload:>4} B back to back: {:.1}% of line rate", r * 100.0);
        }
        for (entries, per_command, r) in &table {
            let mix = if *per_command == 0 {
                "lookups only".to_string()
            } else {
                format!("a command every {per_command} lookups")
            };
            println!("rdma table, {entries:>4} entries, {mix}: {r:.3} lookups per cycle");
        }
        println!(
            "rdma placement decision, a {decide_packets}-packet WRITE message back to back: {decide_cycles:.1} cycles per packet"
        );
        for (mtu, u) in &placement {
            println!(
                "rdma receive path, WRITE packets of {mtu:>4} B back to back, 200-cycle memory: {:.1}% of the DMA write bus",
                u * 100.0
            );
        }
        println!(
            "tx, 256 B packet, 200-cycle memory, doorbell to first / last byte: regular {} / {} cycles, LLQ {} / {} cycles",
            tx_latency_regular.0, tx_latency_regular.1, tx_latency_llq.0, tx_latency_llq.1
        );
    }
    Ok(())
}
