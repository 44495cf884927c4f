//! Folds registered block-RAM outputs into the ECP5 block RAM's own output register.
//!
//! A `DP16KD` without its output register (`REGMODE="NOREG"`) has a 5.6-5.8 ns
//! clock-to-output, which alone leaves no room for routing at 150 MHz. With
//! `REGMODE="OUTREG"` the RAM holds the read data in a register inside the block one cycle
//! later — the same cycle in which a flip-flop after the RAM would hold it. Yosys 0.70's
//! ECP5 memory mapping never uses that register, so blocks register their RAM outputs in
//! fabric (with nothing in between) and this pass, run on Yosys's JSON netlist before
//! nextpnr, moves those flip-flops into the RAM:
//!
//! for each `DP16KD` whose two ports share one clock, when every used data output of a
//! port drives exactly one `TRELLIS_FF` and nothing else, and those flip-flops are clocked by
//! that clock, have no set/reset and one common clock enable (or none), the port gets
//! `REGMODE_x="OUTREG"`, its output clock enable `OCEx` becomes the flip-flops' enable,
//! its outputs take over the flip-flops' output nets, and the flip-flops are removed.
//! Behavior is cycle for cycle the same (Lattice TN1264, "EBR output register").
use serde_json::Value;
use std::collections::{HashMap, HashSet};

/// A bit of the netlist: a net number, or a constant ("0", "1", "x").
fn bit_key(bit: &Value) -> String {
    bit.to_string()
}

/// Yosys writes string parameters that look like bit strings with a trailing space.
fn param(cell: &Value, name: &str) -> String {
    cell["parameters"][name].as_str().unwrap_or("").trim_end().to_string()
}

fn single(cell: &Value, port: &str) -> Option<Value> {
    let bits = cell["connections"][port].as_array()?;
    (bits.len() == 1).then(|| bits[0].clone())
}

/// What the pass did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Folded {
    /// RAM ports now using their output register.
    pub ports: usize,
    /// Flip-flops removed.
    pub flip_flops: usize,
}

/// Folds what it can in every module of `netlist`.
pub fn fold_ram_output_registers(netlist: &mut Value) -> Folded {
    let mut folded = Folded::default();
    if let Some(modules) = netlist["modules"].as_object_mut() {
        for module in modules.values_mut() {
            let f = fold_module(module);
            folded.ports += f.ports;
            folded.flip_flops += f.flip_flops;
        }
    }
    folded
}

fn fold_module(module: &mut Value) -> Folded {
    let Some(cells) = module["cells"].as_object() else { return Folded::default() };
    // Who reads each net (cell, port), over every cell input.
    let mut readers: HashMap<String, Vec<(String, String)>> = HashMap::new();
    for (name, cell) in cells {
        let dirs = &cell["port_directions"];
        if let Some(conns) = cell["connections"].as_object() {
            for (port, bits) in conns {
                if dirs[port].as_str() == Some("output") {
                    continue;
                }
                for bit in bits.as_array().into_iter().flatten() {
                    readers.entry(bit_key(bit)).or_default().push((name.clone(), port.clone()));
                }
            }
        }
    }
    // Nets that leave the module through its ports count as extra readers.
    let mut exported = HashSet::new();
    if let Some(ports) = module["ports"].as_object() {
        for port in ports.values() {
            for bit in port["bits"].as_array().into_iter().flatten() {
                exported.insert(bit_key(bit));
            }
        }
    }

    // Plan every fold first, then edit.
    struct Fold {
        ram: String,
        side: char,
        enable: Value,
        /// (output pin, the flip-flop it replaces, that flip-flop's output bit)
        pins: Vec<(String, String, Value)>,
    }
    let mut plans = Vec::new();
    for (name, cell) in cells {
        if cell["type"] != "DP16KD" {
            continue;
        }
        let (Some(clka), Some(clkb)) = (single(cell, "CLKA"), single(cell, "CLKB")) else { continue };
        if clka != clkb {
            continue;
        }
        for side in ['A', 'B'] {
            if param(cell, &format!("REGMODE_{side}")) != "NOREG" {
                continue;
            }
            let mut pins = Vec::new();
            let mut enable: Option<Value> = None;
            let mut ok = true;
            for i in 0..18 {
                let pin = format!("DO{side}{i}");
                let Some(bit) = single(cell, &pin) else { continue };
                let key = bit_key(&bit);
                let users = readers.get(&key).cloned().unwrap_or_default();
                if users.is_empty() && !exported.contains(&key) {
                    continue; // an unused output
                }
                let [(ff_name, ff_port)] = users.as_slice() else {
                    ok = false;
                    break;
                };
                let ff = &cells[ff_name];
                let this_enable = match param(ff, "CEMUX").as_str() {
                    "1" => Value::String("1".into()),
                    "CE" => single(ff, "CE").unwrap_or(Value::Null),
                    _ => Value::Null,
                };
                let plain = ff["type"] == "TRELLIS_FF"
                    && ff_port == "DI"
                    && !exported.contains(&key)
                    && param(ff, "CLKMUX") == "CLK"
                    && single(ff, "CLK").as_ref() == Some(&clka)
                    && single(ff, "LSR").is_some_and(|b| b == "0")
                    && !this_enable.is_null()
                    && enable.as_ref().is_none_or(|e| *e == this_enable);
                let Some(q) = single(ff, "Q").filter(|_| plain) else {
                    ok = false;
                    break;
                };
                enable = Some(this_enable);
                pins.push((pin, ff_name.clone(), q));
            }
            if ok && !pins.is_empty() {
                plans.push(Fold { ram: name.clone(), side, enable: enable.unwrap_or(Value::Null), pins });
            }
        }
    }

    let cells = module["cells"].as_object_mut().expect("checked above");
    let mut folded = Folded::default();
    for plan in &plans {
        folded.ports += 1;
        folded.flip_flops += plan.pins.len();
        let ram = cells.get_mut(&plan.ram).expect("planned from this module");
        ram["parameters"][format!("REGMODE_{}", plan.side)] = Value::String("OUTREG".into());
        ram["connections"][format!("OCE{}", plan.side)] = Value::Array(vec![plan.enable.clone()]);
        for (pin, _, q) in &plan.pins {
            ram["connections"][pin] = Value::Array(vec![q.clone()]);
        }
        for (_, ff, _) in &plan.pins {
            cells.remove(ff);
        }
    }
    folded
}
