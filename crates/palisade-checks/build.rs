//! Registers every `src/rules/*.rs` file as a check, so adding a check is adding one file
//! (no shared list to edit). Each rule file defines `pub static CHECK: &dyn crate::Check`.
use std::{env, fs, path::PathBuf};

fn main() {
    let dir =
        PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("set by cargo")).join("src/rules");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut names: Vec<String> = fs::read_dir(&dir)
        .expect("src/rules exists")
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            name.strip_suffix(".rs").map(String::from)
        })
        .filter(|n| n != "mod")
        .collect();
    names.sort();
    let mut out = String::new();
    for n in &names {
        out.push_str(&format!(
            "#[path = {:?}]\npub mod {n};\n",
            dir.join(format!("{n}.rs")).display().to_string()
        ));
    }
    out.push_str("/// Every built-in check, sorted by file name.\npub static ALL: &[&dyn crate::Check] = &[\n");
    for n in &names {
        out.push_str(&format!("    {n}::CHECK,\n"));
    }
    out.push_str("];\n");
    let dest = PathBuf::from(env::var("OUT_DIR").expect("set by cargo")).join("rules.rs");
    fs::write(dest, out).expect("write rules.rs");
}
