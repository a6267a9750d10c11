//! Every committed fuzzing input (`fuzz/corpus/<target>/` and `fuzz/regressions/<target>/`)
//! run through the same entry points as the fuzz targets in `fuzz/fuzz_targets/`, on stable
//! Rust, so a regression fails `cargo test` without nightly or cargo-fuzz. Each input must
//! finish without a panic and within a generous time bound. The `incremental_sign` corpus
//! needs the test PKI and runs in `verify::tests::incremental_sign_corpus`.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Far above what any input needs in a debug build; a hang shows up as a failure.
const PER_INPUT: Duration = Duration::from_secs(20);

fn inputs(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut found = Vec::new();
    for kind in ["corpus", "regressions"] {
        let Ok(entries) = std::fs::read_dir(root.join(kind).join(target)) else {
            continue;
        };
        for entry in entries.filter_map(Result::ok) {
            let path = entry.path();
            if path.is_file() && path.file_name().is_some_and(|n| n != "README.md") {
                let bytes = std::fs::read(&path).unwrap();
                found.push((path, bytes));
            }
        }
    }
    found.sort();
    found
}

pub(crate) fn run_all(target: &str, each: impl Fn(&[u8])) -> usize {
    let inputs = inputs(target);
    for (path, bytes) in &inputs {
        let started = Instant::now();
        each(bytes);
        let took = started.elapsed();
        assert!(took < PER_INPUT, "{} took {took:?}", path.display());
    }
    inputs.len()
}

#[test]
fn verify_pdf_corpus() {
    let options = crate::verify::VerifyOptions::default();
    let count = run_all("verify_pdf", |bytes| {
        let _ = crate::verify::verify_pdf(bytes, &options);
    });
    eprintln!("verify_pdf: {count} inputs");
}

#[test]
fn cms_corpus() {
    let count = run_all("cms", |bytes| {
        crate::verify::fuzz_parse_cms(bytes);
    });
    eprintln!("cms: {count} inputs");
}

#[test]
fn extract_text_corpus() {
    let count = run_all("extract_text", |bytes| {
        let _ = crate::pdf::inspect(bytes);
        let _ = crate::pdf::extract_text(bytes);
    });
    eprintln!("extract_text: {count} inputs");
}

#[test]
fn cmap_corpus() {
    let count = run_all("cmap", |bytes| {
        crate::pdf::fuzz_parse_cmap(bytes);
    });
    eprintln!("cmap: {count} inputs");
}
