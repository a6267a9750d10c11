//! Our text extraction (`vanthu::pdf::extract`) against poppler's `pdftotext` on every fixture
//! under `tests/fixtures/pdf/` that has a text layer.
//!
//! The measure, on both sides after Unicode NFC:
//!
//! * **characters**: the multisets of non-white-space characters (every letter with its
//!   diacritics, digit and punctuation mark; white space, including U+00A0 and form feeds, is
//!   dropped). Agreement = |ours ∩ poppler| / max(|ours|, |poppler|): a character missing,
//!   added or decoded wrongly (say `ệ` read as `ê`) costs one. Order does not count, because
//!   the order of two blocks on the same line (the two header columns of Decree 30) is a
//!   layout choice on which the two tools may differ and which the index does not depend on.
//!   The corpus figure sums the intersections and the maxima over all files.
//! * **words**: the same over the multisets of white-space-separated words, so two words glued
//!   together or one word split in two also cost.
//!
//! Both must reach 99 % over the corpus. Per-file figures are printed (`--nocapture`), with,
//! for information only, an order-sensitive figure: 1 − Levenshtein / max length over the
//! characters with white space collapsed, which also counts the order in which blocks come out.
//!
//! Without `pdftotext` the test is skipped, unless `VANTHU_TEST_REQUIRE_SERVICES` is set (CI
//! installs poppler-utils and sets it), in which case it fails.

use std::collections::HashMap;
use std::hash::Hash;
use std::path::{Path, PathBuf};
use std::process::Command;

const MIN_AGREEMENT: f64 = 0.99;
/// A file whose `pdftotext` output has fewer letters and digits than this has no text layer.
const MIN_TEXT_CHARS: usize = 16;

fn normalize(text: &str) -> String {
    search_index::normalize_nfc(text)
}

fn multiset<T: Eq + Hash>(items: impl Iterator<Item = T>) -> HashMap<T, usize> {
    let mut counts = HashMap::new();
    for item in items {
        *counts.entry(item).or_insert(0) += 1;
    }
    counts
}

/// (common, max(|ours|, |reference|))
fn agreement<T: Eq + Hash>(
    ours: impl Iterator<Item = T>,
    reference: impl Iterator<Item = T>,
) -> (usize, usize) {
    let ours = multiset(ours);
    let reference = multiset(reference);
    let common = ours
        .iter()
        .map(|(item, n)| (*n).min(reference.get(item).copied().unwrap_or(0)))
        .sum();
    let total = |m: &HashMap<T, usize>| m.values().sum::<usize>();
    (common, total(&ours).max(total(&reference)))
}

fn chars(text: &str) -> impl Iterator<Item = char> + '_ {
    text.chars().filter(|c| !c.is_whitespace())
}

fn words(text: &str) -> impl Iterator<Item = &str> + '_ {
    text.split(char::is_whitespace).filter(|w| !w.is_empty())
}

/// 1 − Levenshtein(a, b) / max(|a|, |b|), in characters.
fn ordered_agreement(a: &str, b: &str) -> f64 {
    let a: Vec<char> = a
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .collect();
    let b: Vec<char> = b
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .collect();
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        current[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        std::mem::swap(&mut previous, &mut current);
    }
    1.0 - previous[b.len()] as f64 / a.len().max(b.len()) as f64
}

fn ratio((common, total): (usize, usize)) -> f64 {
    if total == 0 {
        1.0
    } else {
        common as f64 / total as f64
    }
}

/// `pdftotext`'s text of `path`, `None` when it cannot read the file (a password), or an error
/// when the program is not installed.
fn pdftotext(path: &Path) -> std::io::Result<Option<String>> {
    let output = Command::new("pdftotext")
        .args(["-q", "-enc", "UTF-8"])
        .arg(path)
        .arg("-")
        .output()?;
    Ok(output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).into_owned()))
}

fn fixtures() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/pdf");
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "pdf"))
        .collect();
    files.sort();
    files
}

#[test]
fn extraction_agrees_with_pdftotext_on_every_fixture_with_a_text_layer() {
    let probe = Command::new("pdftotext").arg("-v").output();
    if probe.is_err() {
        if std::env::var_os("VANTHU_TEST_REQUIRE_SERVICES").is_some() {
            panic!("pdftotext (poppler-utils) is required (VANTHU_TEST_REQUIRE_SERVICES is set) but is not installed");
        }
        eprintln!("SKIPPED: pdftotext not installed (apt-get install poppler-utils)");
        return;
    }

    let mut char_sum = (0, 0);
    let mut word_sum = (0, 0);
    let mut measured = 0;
    println!(
        "{:<40} {:>8} {:>8} {:>9} {:>8} {:>8}",
        "file", "ref chr", "our chr", "chars", "words", "ordered"
    );
    for path in fixtures() {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let bytes = std::fs::read(&path).unwrap();
        let Some(reference) = pdftotext(&path).unwrap() else {
            println!("{name:<40} skipped: pdftotext cannot open it (password)");
            continue;
        };
        let reference = normalize(&reference);
        if reference.chars().filter(|c| c.is_alphanumeric()).count() < MIN_TEXT_CHARS {
            println!("{name:<40} skipped: no text layer");
            continue;
        }
        let ours = normalize(&vanthu::pdf::extract(&bytes).text);
        let c = agreement(chars(&ours), chars(&reference));
        let w = agreement(words(&ours), words(&reference));
        println!(
            "{name:<40} {:>8} {:>8} {:>8.2}% {:>7.2}% {:>7.2}%",
            chars(&reference).count(),
            chars(&ours).count(),
            100.0 * ratio(c),
            100.0 * ratio(w),
            100.0 * ordered_agreement(&ours, &reference)
        );
        char_sum = (char_sum.0 + c.0, char_sum.1 + c.1);
        word_sum = (word_sum.0 + w.0, word_sum.1 + w.1);
        measured += 1;
    }
    println!(
        "{:<40} {:>8} {:>8} {:>8.2}% {:>7.2}%",
        format!("corpus ({measured} files)"),
        "",
        "",
        100.0 * ratio(char_sum),
        100.0 * ratio(word_sum)
    );
    assert!(measured >= 15, "only {measured} fixtures with a text layer");
    assert!(
        ratio(char_sum) >= MIN_AGREEMENT,
        "character agreement {:.4} < {MIN_AGREEMENT}",
        ratio(char_sum)
    );
    assert!(
        ratio(word_sum) >= MIN_AGREEMENT,
        "word agreement {:.4} < {MIN_AGREEMENT}",
        ratio(word_sum)
    );
}

#[test]
fn the_scan_fixture_has_no_text_layer_and_is_flagged() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/pdf/van-ban-scan.pdf");
    let extracted = vanthu::pdf::extract(&std::fs::read(path).unwrap());
    assert!(extracted.scan, "{extracted:?}");
    assert_eq!(extracted.text_pages, 0);
}
