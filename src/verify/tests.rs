//! Our own two-layer file, and USF-style damage to its signature dictionaries (patched in
//! place, lengths kept, so the cross-reference offsets stay right).

use std::sync::OnceLock;

use chrono::{FixedOffset, Utc};

use super::*;
use crate::domain::DocumentNumber;
use crate::signing::demo_pki::{self, LeafSubject};
use crate::signing::engine::{self, LayoutOverride, SigningKey};
use crate::signing::font::FontProgram;
use crate::signing::images;

pub(super) struct Fixture {
    _dir: tempfile::TempDir,
    pub anchors: TrustAnchors,
    pub personal: SigningKey,
    pub organization: SigningKey,
    pub layer1: Vec<u8>,
    pub layer2: Vec<u8>,
}

pub(super) const PERSONAL: &str = "Sig1_CaNhan";
pub(super) const AGENCY: &str = "Sig2_CoQuan";

/// One PKI and one two-layer file for the whole test binary (key generation is slow).
pub(super) fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let leaf = |stem: &str, name: &str| LeafSubject {
            file_stem: stem.into(),
            common_name: name.into(),
            organization: "Ủy ban nhân dân tỉnh Bình An".into(),
            organizational_unit: None,
            title: None,
        };
        let pki = demo_pki::generate(
            dir.path(),
            "pass",
            &[
                leaf("person", "Nguyễn Văn An"),
                leaf("organization", "Ủy ban nhân dân tỉnh Bình An"),
            ],
        )
        .unwrap();
        let personal = SigningKey::from_pkcs12_file(&pki.leaves[0].pkcs12_path, "pass").unwrap();
        let organization =
            SigningKey::from_pkcs12_file(&pki.leaves[1].pkcs12_path, "pass").unwrap();
        let anchors = TrustAnchors::from_pem_files(&[pki.chain_pem_path.as_path()]).unwrap();
        assert_eq!((anchors.roots.len(), anchors.intermediates.len()), (1, 1));

        let input = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/pdf/quyet-dinh.pdf"
        ))
        .unwrap();
        let (layer1, layer2) = two_layers(&input, &personal, &organization).unwrap();
        Fixture {
            _dir: dir,
            anchors,
            personal,
            organization,
            layer1,
            layer2,
        }
    })
}

/// Layer 1 then layer 2 over `input`, signed now.
pub(super) fn two_layers(
    input: &[u8],
    personal: &SigningKey,
    organization: &SigningKey,
) -> Result<(Vec<u8>, Vec<u8>), engine::SigningError> {
    let now = Utc::now().with_timezone(&FixedOffset::east_opt(7 * 3600).unwrap());
    let signature_png = images::demo_signature_png("Nguyễn Văn An").unwrap();
    let seal_png = images::demo_seal_png(
        "ỦY BAN NHÂN DÂN TỈNH BÌNH AN",
        images::system_bold_serif().as_deref(),
    )
    .unwrap();
    let layer1 = engine::sign_personal(
        input,
        personal,
        &signature_png,
        &LayoutOverride::default(),
        now,
        "Ký duyệt",
    )?;
    let font = FontProgram::system_serif().expect("a serif font with Vietnamese glyphs");
    let number = DocumentNumber::parse("5/QĐ-UBND").unwrap();
    let layer2 = engine::sign_agency(
        layer1.as_slice(),
        organization,
        &number,
        now.date_naive(),
        &seal_png,
        &font,
        now,
        "Bình An",
    )?;
    Ok((layer1, layer2))
}

/// One corpus file per structural feature (tests/fixtures/pdf/README.md): stream xref and
/// object streams, linearized (also with object streams), PDF/A with XMP, PDF 2.0,
/// already annotated, a form with a field of its own, earlier incremental updates (table
/// and stream). The version-only variants are left to the signing oracle tests.
const CORPUS: [&str; 10] = [
    "cong-van.pdf",
    "quyet-dinh.objstm.pdf",
    "quyet-dinh.linearized.pdf",
    "ke-hoach.objstm-linearized.pdf",
    "bao-cao.pdfa2b.pdf",
    "ke-hoach.pdf20.pdf",
    "ke-hoach.annotated.pdf",
    "thong-bao.form-field.pdf",
    "bao-cao.incremental.pdf",
    "bao-cao.incremental-xrefstream.pdf",
];

#[test]
fn two_layers_are_valid_across_the_corpus() {
    let fixture = fixture();
    for name in CORPUS {
        let path = format!("{}/tests/fixtures/pdf/{name}", env!("CARGO_MANIFEST_DIR"));
        let input = std::fs::read(&path).unwrap();
        let (layer1, layer2) = two_layers(&input, &fixture.personal, &fixture.organization)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        for (layer, bytes) in [("layer 1", &layer1), ("layer 2", &layer2)] {
            let report = verify(bytes);
            assert!(report.valid, "{name} {layer}: {report:#?}");
        }
        let report = verify(&layer2);
        let personal = signature(&report, PERSONAL);
        assert_eq!(personal.coverage, Coverage::EntireRevision, "{name}");
        assert_eq!(
            personal.modification_level,
            ModificationLevel::FormFilling,
            "{name}"
        );
    }
}

pub(super) fn verify(bytes: &[u8]) -> PdfReport {
    let options = VerifyOptions {
        trust: fixture().anchors.clone(),
        at: None,
        ..Default::default()
    };
    verify_pdf(bytes, &options).expect("a PDF")
}

pub(super) fn signature<'a>(report: &'a PdfReport, field: &str) -> &'a SignatureReport {
    report
        .signatures
        .iter()
        .find(|s| s.field_name == field)
        .unwrap_or_else(|| panic!("no signature {field}: {report:#?}"))
}

pub(super) fn codes(signature: &SignatureReport) -> Vec<&'static str> {
    signature.problems.iter().map(|p| p.code).collect()
}

pub(super) fn find_from(haystack: &[u8], needle: &[u8], from: usize) -> usize {
    structure::find(haystack, needle, from)
        .unwrap_or_else(|| panic!("{:?} not found", String::from_utf8_lossy(needle)))
}

/// Offset of the `/ByteRange [...]` value of the signature added after `from`, and its
/// width (up to the closing bracket and the padding spaces that follow it).
pub(super) fn byte_range_at(bytes: &[u8], from: usize) -> (usize, usize, [u64; 4]) {
    let key = find_from(bytes, b"/ByteRange", from);
    let open = find_from(bytes, b"[", key);
    let close = find_from(bytes, b"]", open);
    let mut end = close + 1;
    while bytes[end] == b' ' {
        end += 1;
    }
    let text = String::from_utf8_lossy(&bytes[open + 1..close]).into_owned();
    let values: Vec<u64> = text
        .split_whitespace()
        .map(|v| v.parse().unwrap())
        .collect();
    (open, end - open, values.try_into().unwrap())
}

/// Writes `text` padded with spaces over `[at, at + width)`.
pub(super) fn patch(bytes: &mut [u8], at: usize, width: usize, text: &str) {
    assert!(text.len() <= width, "{text} wider than {width}");
    let padded = format!("{text:<width$}");
    bytes[at..at + width].copy_from_slice(padded.as_bytes());
}

#[test]
fn our_two_layer_file_is_valid_with_form_filling_after_layer_one() {
    let fixture = fixture();
    let report = verify(&fixture.layer2);
    assert!(report.valid, "{report:#?}");
    assert_eq!(report.signatures.len(), 2);
    let personal = signature(&report, PERSONAL);
    assert_eq!(personal.coverage, Coverage::EntireRevision);
    assert_eq!(
        personal.modification_level,
        ModificationLevel::FormFilling,
        "{personal:#?}"
    );
    assert!(
        personal.valid
            && personal.trusted
            && personal.integrity
            && personal.signing_certificate_attribute_ok
    );
    assert!(personal
        .signer_subject
        .as_deref()
        .unwrap()
        .contains("CN=Nguyễn Văn An"));
    assert_eq!(personal.revision_index, Some(report.revisions.len() - 2));
    assert_eq!(personal.sub_filter.as_deref(), Some("ETSI.CAdES.detached"));
    let agency = signature(&report, AGENCY);
    assert_eq!(agency.coverage, Coverage::EntireFile);
    assert_eq!(agency.modification_level, ModificationLevel::None);
    assert!(agency.valid, "{agency:#?}");
    assert!(agency.claimed_signing_time.is_some() && agency.signer_certificate_pem.is_some());
    assert_eq!(report.signatures[0].field_name, PERSONAL, "earliest first");
    assert_eq!(report.file_size, fixture.layer2.len() as u64);
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["signatures"][0]["coverage"], "entire_revision");

    let layer1_only = verify(&fixture.layer1);
    assert!(layer1_only.valid, "{layer1_only:#?}");
    assert_eq!(
        signature(&layer1_only, PERSONAL).coverage,
        Coverage::EntireFile
    );
}

#[test]
fn not_a_pdf_is_the_only_error() {
    let options = VerifyOptions::default();
    assert!(matches!(
        verify_pdf(b"hello", &options),
        Err(VerifyError::NotPdf)
    ));
    assert!(matches!(
        verify_pdf(b"", &options),
        Err(VerifyError::NotPdf)
    ));
    let garbage = verify_pdf(b"%PDF-1.7\n(((((\n%%EOF\n", &options).unwrap();
    assert!(!garbage.valid);
    let unsigned = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/pdf/quyet-dinh.pdf"
    ))
    .unwrap();
    let report = verify_pdf(&unsigned, &options).unwrap();
    assert!(!report.valid && report.signatures.is_empty());
    assert_eq!(report.problems[0].code, "no_signatures");
}

#[test]
fn a_changed_byte_of_page_content_breaks_both_digests() {
    let mut bytes = fixture().layer2.clone();
    let stream = find_from(&bytes, b"stream", 0);
    bytes[stream + 20] ^= 0x01;
    let report = verify(&bytes);
    assert!(!report.valid);
    for field in [PERSONAL, AGENCY] {
        let signature = signature(&report, field);
        assert!(!signature.integrity && !signature.valid);
        assert!(
            codes(signature).contains(&"digest_mismatch"),
            "{signature:#?}"
        );
    }
}

#[test]
fn malformed_byte_ranges_are_reported() {
    let original = &fixture().layer2;
    let from = fixture().layer1.len();
    let (at, width, [_, b, c, d]) = byte_range_at(original, from);
    let cases: Vec<(&str, String)> = vec![
        ("3 entries", format!("[0 {b} {c}]")),
        ("negative", format!("[0 -{b} {c} {d}]")),
        ("first not 0", format!("[1 {b} {c} {d}]")),
        ("beyond EOF", format!("[0 {b} {c} {}]", d + 10)),
        ("not an integer", format!("[0 {b}.5 {c} {d}]")),
    ];
    for (case, text) in cases {
        let mut bytes = original.clone();
        patch(&mut bytes, at, width, &text);
        let report = verify(&bytes);
        let agency = signature(&report, AGENCY);
        assert!(
            codes(agency).contains(&"byte_range_malformed"),
            "{case}: {agency:#?}"
        );
        assert!(!agency.valid && !report.valid, "{case}");
    }

    let mut bytes = original.clone();
    patch(&mut bytes, at, width, &format!("[0 {} {c} {d}]", b - 1));
    let agency_report = verify(&bytes);
    let agency = signature(&agency_report, AGENCY);
    assert!(
        codes(agency).contains(&"contents_not_in_gap"),
        "{agency:#?}"
    );

    let mut bytes = original.clone();
    let key = find_from(&bytes, b"/ByteRange", from);
    bytes[key + 9] = b'X';
    let report = verify(&bytes);
    let agency = signature(&report, AGENCY);
    assert!(
        codes(agency).contains(&"byte_range_malformed"),
        "missing: {agency:#?}"
    );
    assert_eq!(agency.coverage, Coverage::Unknown);
}

#[test]
fn contents_that_are_not_cms_are_reported() {
    let original = &fixture().layer2;
    let (_, _, [_, b, c, _]) = byte_range_at(original, fixture().layer1.len());
    let (b, c) = (b as usize, c as usize);
    let hex_len = c - b - 2;
    let mut garbage = String::new();
    while garbage.len() < hex_len {
        garbage.push_str("DEADBEEF30");
    }
    let cases = [
        ("zeros", format!("<{}>", "0".repeat(hex_len))),
        ("garbage", format!("<{}>", &garbage[..hex_len])),
        (
            "sequence header only",
            format!("<3082FFFF{}>", "0".repeat(hex_len - 8)),
        ),
        ("empty", format!("<>{}", " ".repeat(hex_len))),
    ];
    for (case, text) in cases {
        let mut bytes = original.clone();
        bytes[b..c].copy_from_slice(text.as_bytes());
        let report = verify(&bytes);
        let agency = signature(&report, AGENCY);
        assert!(codes(agency).contains(&"not_cms"), "{case}: {agency:#?}");
        assert!(!agency.valid && agency.signer_subject.is_none(), "{case}");
        // Layer 1 still verifies; its revision was not touched.
        assert!(signature(&report, PERSONAL).integrity, "{case}");
    }
}

#[test]
fn a_foreign_root_is_not_trusted() {
    let other = tempfile::tempdir().unwrap();
    let pki = demo_pki::generate(other.path(), "x", &[]).unwrap();
    let options = VerifyOptions {
        trust: TrustAnchors::from_pem_files(&[pki.root_pem_path.as_path()]).unwrap(),
        at: None,
        ..Default::default()
    };
    let report = verify_pdf(&fixture().layer2, &options).unwrap();
    assert!(!report.valid);
    for signature in &report.signatures {
        assert!(
            signature.integrity
                && signature.signature_value_ok
                && !signature.trusted
                && !signature.valid
        );
        assert_eq!(codes(signature), ["untrusted_chain"], "{signature:#?}");
    }
    let none = verify_pdf(&fixture().layer2, &VerifyOptions::default()).unwrap();
    assert!(none.signatures.iter().all(|s| !s.trusted && !s.valid));
}

#[test]
fn certificates_are_judged_at_the_claimed_signing_time() {
    let fixture = fixture();
    let mut bytes = fixture.layer2.clone();
    // Move layer 2's /M far into the past, before the certificates existed (the digest
    // breaks too, but the time check is reported on its own).
    let m = find_from(&bytes, b"/M", fixture.layer1.len());
    let open = find_from(&bytes, b"(D:", m);
    bytes[open + 3..open + 7].copy_from_slice(b"1999");
    let report = verify(&bytes);
    let agency = signature(&report, AGENCY);
    assert!(!agency.certificate_valid_at_signing_time, "{agency:#?}");
    assert!(codes(agency).contains(&"certificate_not_yet_valid"));
    assert!(agency.trusted, "trust is reported apart from time");
}

#[test]
fn trust_anchor_files_must_hold_certificates() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("empty.pem");
    std::fs::write(&path, b"not a certificate").unwrap();
    assert!(TrustAnchors::from_pem_files(&[path.as_path()]).is_err());
    assert!(matches!(
        TrustAnchors::from_pem_files(&[dir.path().join("missing.pem").as_path()]),
        Err(VerifyError::Io { .. })
    ));
}

/// Writes fuzzing seeds (not a check): our two-layer file, its layer-1 prefix and the DER of
/// each signature's `/Contents`, into `$VANTHU_FUZZ_SEEDS`. Run with
/// `VANTHU_FUZZ_SEEDS=/tmp/seeds cargo test --lib write_fuzz_seeds -- --ignored`.
#[test]
#[ignore = "writes fuzzing seeds; run by hand (see fuzz/README.md)"]
fn write_fuzz_seeds() {
    let Some(dir) = std::env::var_os("VANTHU_FUZZ_SEEDS") else {
        eprintln!("VANTHU_FUZZ_SEEDS not set");
        return;
    };
    let dir = std::path::PathBuf::from(dir);
    std::fs::create_dir_all(&dir).unwrap();
    let fixture = fixture();
    std::fs::write(dir.join("layer1.pdf"), &fixture.layer1).unwrap();
    std::fs::write(dir.join("layer2.pdf"), &fixture.layer2).unwrap();
    let mut from = 0;
    let mut index = 0;
    while let Some(at) = structure::find(&fixture.layer2, b"/Contents<", from) {
        let start = at + b"/Contents<".len();
        let end = find_from(&fixture.layer2, b">", start);
        from = end;
        let Ok(decoded) = hex::decode(&fixture.layer2[start..end]) else {
            continue;
        };
        let Ok(length) = der::outer_length(&decoded) else {
            continue;
        };
        std::fs::write(dir.join(format!("cms-{index}.der")), &decoded[..length]).unwrap();
        index += 1;
    }
    assert!(index >= 2, "two signatures expected, found {index}");
}

/// The `incremental_sign` fuzz corpus (see `crate::fuzz_corpus_tests`): signing arbitrary
/// input returns `Err` or a file, never panics.
#[test]
fn incremental_sign_corpus() {
    let fixture = fixture();
    let png = images::demo_signature_png("Fuzz").unwrap();
    let time = chrono::DateTime::parse_from_rfc3339("2026-01-05T09:30:00+07:00").unwrap();
    let overrides = LayoutOverride {
        signature_area: Some(crate::signing::pdf_update::Placement {
            page: 1,
            rect: [300.0, 100.0, 500.0, 180.0],
        }),
        ..LayoutOverride::default()
    };
    let count = crate::fuzz_corpus_tests::run_all("incremental_sign", |bytes| {
        for overrides in [&LayoutOverride::default(), &overrides] {
            let _ = engine::sign_personal(bytes, &fixture.personal, &png, overrides, time, "fuzz");
        }
    });
    eprintln!("incremental_sign: {count} inputs");
}
