//! The register map: its generated documentation is the committed one, its C header
//! compiles and agrees with its JSON description, and the map itself is well formed.
use ferronic_hdl::regs::nic::NIC;
use ferronic_hdl::regs::{generated_files, Register};
use std::collections::HashSet;
use std::path::Path;
use std::process::Command;

fn workspace() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap()
}

#[test]
fn committed_register_docs_are_what_the_map_generates() {
    let committed = std::fs::read_to_string(workspace().join("docs/registers.md")).unwrap();
    assert!(
        committed == NIC.markdown(),
        "docs/registers.md is stale: run `ferronic regs --out build/regs` and copy registers.md"
    );
}

fn check_block(registers: &[Register], what: &str) {
    let mut offsets = HashSet::new();
    for r in registers {
        assert!(r.offset % 4 == 0, "{what} {}: offset {:#x} not dword aligned", r.name, r.offset);
        assert!(offsets.insert(r.offset), "{what} {}: offset {:#x} used twice", r.name, r.offset);
        let mut used = 0u32;
        for f in r.fields {
            assert!(f.width >= 1 && f.lsb + f.width <= 32, "{what} {}.{} does not fit 32 bits", r.name, f.name);
            assert!(used & f.mask() == 0, "{what} {}.{} overlaps another field", r.name, f.name);
            used |= f.mask();
        }
    }
}

#[test]
fn the_map_is_well_formed() {
    let mut singles = HashSet::new();
    for g in NIC.groups {
        check_block(g.registers, g.name);
        for r in g.registers {
            assert!(singles.insert(r.offset), "{} {}: offset {:#x} in another group too", g.name, r.name, r.offset);
        }
    }
    let globals_end = singles.iter().map(|offset| offset + 4).max().unwrap();
    for a in NIC.arrays {
        check_block(a.registers, a.name);
        let span = a.registers.iter().map(|r| r.offset + 4).max().unwrap();
        assert!(span <= a.stride, "{}: registers run past the stride", a.name);
        assert!(a.base >= globals_end, "{}: array overlaps the global registers", a.name);
    }
}

/// The header, compiled with assertions made from the JSON description: two generators of
/// one source must agree, and the header must be valid C.
#[test]
fn c_header_compiles_and_matches_the_json() {
    let dir = workspace().join("target/regs-test");
    std::fs::create_dir_all(&dir).unwrap();
    for (name, text) in generated_files(&NIC) {
        std::fs::write(dir.join(name), text).unwrap();
    }
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("ferronic_regs.json")).unwrap()).unwrap();
    let mut checks = String::from("#include \"ferronic_regs.h\"\n");
    fn assert_reg(checks: &mut String, prefix: &str, r: &serde_json::Value) {
        let name = format!("{prefix}_{}", r["name"].as_str().unwrap().to_uppercase());
        *checks += &format!("_Static_assert({name} == {}u, \"{name}\");\n", r["offset"]);
        for f in r["fields"].as_array().unwrap() {
            let field = format!("{name}_{}", f["name"].as_str().unwrap().to_uppercase());
            let (lsb, width) = (f["lsb"].as_u64().unwrap(), f["width"].as_u64().unwrap());
            let mask = ((1u64 << width) - 1) << lsb;
            *checks += &format!("_Static_assert({field}_SHIFT == {lsb}, \"{field}\");\n");
            *checks += &format!("_Static_assert({field}_MASK == {mask:#x}u, \"{field}\");\n");
        }
    }
    for g in json["groups"].as_array().unwrap() {
        for r in g["registers"].as_array().unwrap() {
            assert_reg(&mut checks, "FERRONIC", r);
        }
    }
    for a in json["arrays"].as_array().unwrap() {
        let prefix = format!("FERRONIC_{}", a["name"].as_str().unwrap().to_uppercase());
        checks += &format!("_Static_assert({prefix}_BASE == {}u, \"base\");\n", a["base"]);
        checks += &format!(
            "_Static_assert({prefix}(2, 4) == {}u, \"element\");\n",
            a["base"].as_u64().unwrap() + 2 * a["stride"].as_u64().unwrap() + 4
        );
        for r in a["registers"].as_array().unwrap() {
            assert_reg(&mut checks, &prefix, r);
        }
    }
    checks += "int main(void) { return 0; }\n";
    std::fs::write(dir.join("check.c"), checks).unwrap();
    let output = Command::new("cc")
        .args(["-std=c11", "-Wall", "-Wextra", "-Werror", "-o", "check", "check.c"])
        .current_dir(&dir)
        .output()
        .expect("a C compiler (cc) is installed by scripts/setup");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
}
