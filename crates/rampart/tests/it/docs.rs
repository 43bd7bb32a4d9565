//! Every Rust module of the workspace opens with a `//!` doc comment saying what it is for: the
//! code map (`docs/ARCHITECTURE.md`) points at files, and a file must explain itself once opened.

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
