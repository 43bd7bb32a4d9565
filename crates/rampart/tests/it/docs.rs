//! Guard rails over the source tree. Every Rust module opens with a `//!` doc comment saying
//! what it is for (the code map, `docs/ARCHITECTURE.md`, points at files, and a file must
//! explain itself once opened), and every library crate denies `unwrap`/`expect`.

use std::path::{Path, PathBuf};

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("workspace root")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if path.is_dir() {
            if name != "target" && name != "node_modules" && !name.starts_with('.') {
                rust_files(&path, out);
            }
        } else if name.ends_with(".rs") {
            out.push(path);
        }
    }
}

/// The first line that is not blank is a `//!` line.
fn opens_with_module_doc(text: &str) -> bool {
    text.lines()
        .find(|l| !l.trim().is_empty())
        .is_some_and(|l| l.trim_start().starts_with("//!"))
}

#[test]
fn every_module_has_a_module_doc() {
    let root = workspace_root();
    let mut files = Vec::new();
    for dir in ["crates", "bench"] {
        rust_files(&root.join(dir), &mut files);
    }
    assert!(
        files.len() > 100,
        "found only {} Rust files under {}",
        files.len(),
        root.display()
    );
    let missing: Vec<String> = files
        .iter()
        .filter(|f| {
            let text = std::fs::read_to_string(f).unwrap_or_default();
            !opens_with_module_doc(&text)
        })
        .map(|f| f.strip_prefix(&root).unwrap_or(f).display().to_string())
        .collect();
    assert!(
        missing.is_empty(),
        "modules without a `//!` doc comment as their first line:\n{}",
        missing.join("\n")
    );
}

#[test]
fn the_doc_rule_recognises_what_it_must() {
    assert!(opens_with_module_doc("\n//! What this is.\nfn f() {}\n"));
    assert!(!opens_with_module_doc("/// An item doc.\nfn f() {}\n"));
    assert!(!opens_with_module_doc("use std::fmt;\n//! late\n"));
    assert!(!opens_with_module_doc(""));
}

/// Library code returns errors instead of panicking: every library crate but the test
/// fixtures (`rampart-testkit`, `rampart-testbed`) denies `unwrap`/`expect` outside tests
/// (`clippy.toml` allows them in tests), so `cargo clippy -D warnings` in CI enforces it.
#[test]
fn every_library_denies_unwrap_and_expect() {
    let root = workspace_root();
    let mut libs = 0;
    let mut missing = Vec::new();
    for entry in std::fs::read_dir(root.join("crates"))
        .expect("crates/")
        .flatten()
    {
        let name = entry.file_name().to_string_lossy().to_string();
        let lib = entry.path().join("src/lib.rs");
        if !lib.is_file() || name == "rampart-testkit" || name == "rampart-testbed" {
            continue;
        }
        libs += 1;
        let text = std::fs::read_to_string(&lib).unwrap_or_default();
        if !text.contains("#![deny(clippy::unwrap_used, clippy::expect_used)]") {
            missing.push(name);
        }
    }
    assert!(libs >= 14, "found only {libs} library crates");
    assert!(
        missing.is_empty(),
        "library crates without #![deny(clippy::unwrap_used, clippy::expect_used)]: {missing:?}"
    );
}
