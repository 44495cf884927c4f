//! Exported Verilog is fit to drop into a real design: flat conventional ports, module
//! names that cannot collide, and a port list that matches the native simulator's.
use ferronic_hdl::export::{export_block, shipped_blocks, write_export};
use ferronic_hdl::ports::{top_ports, NativePorts, PortDir};
use ferronic_hdl::stream_fifo::{StreamFifo, StreamFifo64x16};

#[test]
fn the_fifo_wrapper_has_flat_axi_stream_ports() {
    let block = export_block("stream_fifo", &mut StreamFifo64x16::default()).unwrap();
    let names: Vec<&str> = block.ports.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "clk",
            "rst",
            "s_axis_tdata",
            "s_axis_tkeep",
            "s_axis_tvalid",
            "s_axis_tready",
            "s_axis_tlast",
            "s_axis_tuser",
            "m_axis_tdata",
            "m_axis_tkeep",
            "m_axis_tvalid",
            "m_axis_tready",
            "m_axis_tlast",
            "m_axis_tuser",
            "occupancy"
        ]
    );
    let width = |n: &str| block.ports.iter().find(|p| p.name == n).unwrap().width;
    assert_eq!((width("s_axis_tdata"), width("s_axis_tkeep"), width("occupancy")), (64, 8, 5));
    let dir = |n: &str| block.ports.iter().find(|p| p.name == n).unwrap().dir;
    assert_eq!(dir("s_axis_tready"), PortDir::Output);
    assert_eq!(dir("m_axis_tready"), PortDir::Input);
    let header = block.verilog.split(");").next().unwrap();
    assert!(header.contains("module ferronic_stream_fifo ("), "{header}");
    assert!(!header.contains('$'), "a top-level port contains '$':\n{header}");
}

#[test]
fn every_module_is_prefixed_so_blocks_compile_together() {
    let a = export_block("stream_fifo", &mut StreamFifo64x16::default()).unwrap();
    let b = export_block("narrow_fifo", &mut StreamFifo::<8, 1, 1, 2, 3>::default()).unwrap();
    for block in [&a, &b] {
        let prefix = format!("ferronic_{}", block.name);
        for line in block.verilog.lines().filter(|l| l.starts_with("module ")) {
            let name = line["module ".len()..].split(|c: char| c == '(' || c == ' ').next().unwrap();
            assert!(name.starts_with(&prefix), "module {name} lacks the prefix {prefix}");
            assert!(!name.contains('$'), "module name {name} contains '$'");
        }
    }
    let a_modules: Vec<&str> = a.verilog.lines().filter(|l| l.starts_with("module ")).collect();
    assert!(b.verilog.lines().filter(|l| l.starts_with("module ")).all(|m| !a_modules.contains(&m)));
}

#[test]
fn export_writes_one_file_per_block_and_a_filelist() {
    let dir = std::env::temp_dir().join(format!("ferronic-export-{}", std::process::id()));
    let blocks = shipped_blocks().unwrap();
    let files = write_export(&dir, &blocks).unwrap();
    assert_eq!(files.len(), blocks.len());
    let list = std::fs::read_to_string(dir.join("filelist.f")).unwrap();
    for b in &blocks {
        assert!(list.lines().any(|l| l == b.file_name()));
        assert!(dir.join(b.file_name()).exists());
    }
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_bad_block_name_is_refused() {
    assert!(export_block("Bad-Name", &mut StreamFifo64x16::default()).is_err());
}

#[test]
fn native_port_list_matches_the_block() {
    let mut fifo = StreamFifo64x16::default();
    use ferronic_hdl::rust_hdl::prelude::Block;
    fifo.connect_all();
    let found: Vec<String> = top_ports(&fifo).into_iter().map(|p| p.name).collect();
    let mut listed: Vec<String> = StreamFifo64x16::native_port_names().iter().map(|s| s.to_string()).collect();
    let mut found_sorted = found.clone();
    found_sorted.sort();
    listed.sort();
    assert_eq!(found_sorted, listed);
}

#[test]
#[should_panic(expected = "byte lanes")]
fn a_keep_width_that_does_not_match_the_data_is_refused() {
    let _ = StreamFifo::<64, 4, 1, 4, 5>::default();
}
