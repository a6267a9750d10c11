//! The public shadow-attack samples (RUB-NDS/pdf-attacker, read from `../shared/attacks`
//! when present, never copied into the repository), and hostile input that must not panic.

use std::path::PathBuf;

use super::tests::{codes, fixture, verify};
use super::*;

fn samples() -> Option<Vec<(String, Vec<u8>)>> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/attacks/rub-pdf-attacker");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!("SKIPPED: {} not present", dir.display());
        return None;
    };
    let mut files: Vec<(String, Vec<u8>)> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "pdf"))
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    files.sort();
    Some(files)
}

/// Structural problems that reject a file without a modification analysis.
const STRUCTURAL: &[&str] = &[
    "byte_range_malformed",
    "contents_not_in_gap",
    "coverage_partial",
    "signature_dictionary_changed",
    "digest_mismatch",
];

#[test]
fn shadow_attack_samples() {
    let Some(samples) = samples() else { return };
    let options = VerifyOptions::default();
    let (mut signed, mut manipulated) = (0, 0);
    for (name, bytes) in &samples {
        let report = verify_pdf(bytes, &options).unwrap();
        if name.contains("__3_") {
            signed += 1;
            assert_eq!(report.signatures.len(), 1, "{name}");
            let signature = &report.signatures[0];
            assert!(
                signature.integrity && signature.signature_value_ok,
                "{name}: {signature:#?}"
            );
            assert_eq!(signature.coverage, Coverage::EntireFile, "{name}");
            assert_eq!(
                signature.modification_level,
                ModificationLevel::None,
                "{name}"
            );
            assert!(!signature.trusted && !signature.valid, "{name}");
            assert_eq!(
                codes(signature),
                ["untrusted_chain"],
                "{name}: only trust fails: {signature:#?}"
            );
        } else if name.contains("__4_") {
            manipulated += 1;
            assert!(!report.valid, "{name}");
            for signature in &report.signatures {
                let codes = codes(signature);
                let rejected = codes.contains(&"modified_after_signing")
                    || codes.iter().any(|c| STRUCTURAL.contains(c));
                assert!(rejected && !signature.valid, "{name}: {signature:#?}");
                eprintln!(
                    "{name}: {:?} {:?} {:?}",
                    signature.coverage, signature.modification_level, signature.modified_objects
                );
            }
            assert!(
                !report.signatures.is_empty() || !report.problems.is_empty(),
                "{name}"
            );
        } else {
            assert!(!report.valid, "{name}: unsigned");
        }
    }
    assert_eq!((signed, manipulated), (4, 5));
}

/// Truncations and byte flips of a signed file: a report (or "not a PDF"), never a panic,
/// and never a valid verdict for damaged signed bytes. Flips inside a `/Contents` gap may
/// hit unsigned parts of the CMS (other certificates, unsigned attributes) and keep the
/// signature valid, so there only the absence of a panic is checked.
const FLIP_ROUNDS: usize = 150;

#[test]
fn damaged_files_never_panic_nor_pass() {
    let original = &fixture().layer2;
    let len = original.len();
    // Only the last signature's gap is outside every signed range.
    let last = verify(original)
        .signatures
        .last()
        .and_then(|s| s.byte_range)
        .unwrap();
    let in_gap = |at: usize| (last[1] as usize..last[2] as usize).contains(&at);
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for step in 0..40 {
        let cut = (next() as usize) % len;
        let report = verify(&original[..cut]);
        assert!(!report.valid, "truncated at {cut} (step {step})");
    }
    for step in 0..FLIP_ROUNDS {
        let mut bytes = original.clone();
        let flips = 1 + (next() % 4) as usize;
        for _ in 0..flips {
            let at = (next() as usize) % len;
            bytes[at] = (next() & 0xff) as u8;
        }
        // Hex digits in the unsigned /Contents gap may change case without changing value.
        let same_value = bytes
            .iter()
            .zip(original.iter())
            .all(|(a, b)| a == b || a.is_ascii_hexdigit() && a.eq_ignore_ascii_case(b));
        if same_value {
            continue;
        }
        let changed: Vec<(usize, u8, u8)> = (0..len)
            .filter(|&i| bytes[i] != original[i])
            .map(|i| (i, original[i], bytes[i]))
            .collect();
        let signed_bytes_changed = changed.iter().any(|&(i, _, _)| !in_gap(i));
        if let Ok(report) = verify_pdf(
            &bytes,
            &VerifyOptions {
                trust: fixture().anchors.clone(),
                at: None,
                ..Default::default()
            },
        ) {
            assert!(
                !signed_bytes_changed || !report.valid,
                "step {step}, changed {changed:?}: {report:#?}"
            );
        }
    }
}

#[test]
fn hostile_small_files_never_panic() {
    let options = VerifyOptions::default();
    let bodies: &[&[u8]] = &[
        b"%PDF-1.7\n1 0 obj<</Type/Catalog/AcroForm<</Fields[2 0 R]>>>>endobj\n2 0 obj<</FT/Sig/T(a)/V<</ByteRange[0 1 2]/Contents<00>>>>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF",
        b"%PDF-1.7\n1 0 obj<</Type/Catalog/AcroForm<</Fields[2 0 R 2 0 R]>>>>endobj\n2 0 obj<</Kids[2 0 R]/T(a)>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF",
        b"%PDF-1.7\n1 0 obj<</Type/Catalog/AcroForm<</Fields[2 0 R]>>>>endobj\n2 0 obj<</FT/Sig/T(a)/V 3 0 R>>endobj\n3 0 obj<</Type/Sig/SubFilter/adbe.pkcs7.detached/ByteRange[0 99999999999999999 -1 18446744073709551615]/Contents<3080>>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF",
        b"%PDF-1.7\n1 0 obj<</Type/Catalog/AcroForm<</Fields[2 0 R]>>>>endobj\n2 0 obj<</FT/Sig/T(a)/V 3 0 R>>endobj\n3 0 obj<</Type/Sig/SubFilter/ETSI.CAdES.detached/ByteRange[0 150 160 10]/Contents<30820000>/M(D:99999999999999+99'99')>>endobj\ntrailer<</Root 1 0 R>>\nstartxref\n0\n%%EOF%%EOF%%EOF",
        b"%PDF-",
        b"%PDF-1.7\n%%EOF\n%%EOF\r\n%%EOF",
    ];
    for body in bodies {
        let report = verify_pdf(body, &options).unwrap();
        assert!(!report.valid, "{}", String::from_utf8_lossy(body));
    }
}
