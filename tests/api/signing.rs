//! The two-layer signing engine checked by independent oracles: pyHanko (with its
//! modification analysis), poppler's pdfsig (NSS, with the demo root as trust anchor) and
//! `qpdf --check`, on PDFs we did not write.

use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::DateTime;
use vanthu::domain::DocumentNumber;
use vanthu::signing::demo_pki::{self, LeafSubject};
use vanthu::signing::engine::{self, LayoutOverride, SigningKey};
use vanthu::signing::font::FontProgram;
use vanthu::signing::images;

use crate::helpers::fixture;

pub(crate) struct Pki {
    _dir: tempfile::TempDir,
    pub root: PathBuf,
    pub issuing: PathBuf,
    pub personal: SigningKey,
    pub organization: SigningKey,
    nss_dir: PathBuf,
}

pub(crate) fn pki() -> Pki {
    let dir = tempfile::tempdir().unwrap();
    let leaf = |stem: &str, name: &str| LeafSubject {
        file_stem: stem.into(),
        common_name: name.into(),
        organization: "Ủy ban nhân dân tỉnh Bình An".into(),
        organizational_unit: None,
        title: None,
    };
    let generated = demo_pki::generate(
        dir.path(),
        "pass",
        &[
            leaf("person", "Nguyễn Văn An"),
            leaf("organization", "Ủy ban nhân dân tỉnh Bình An"),
        ],
    )
    .unwrap();
    let personal = SigningKey::from_pkcs12_file(&generated.leaves[0].pkcs12_path, "pass").unwrap();
    let organization =
        SigningKey::from_pkcs12_file(&generated.leaves[1].pkcs12_path, "pass").unwrap();
    let nss_dir = dir.path().join("nssdb");
    if which("certutil") {
        std::fs::create_dir_all(&nss_dir).unwrap();
        run(Command::new("certutil")
            .args(["-N", "--empty-password", "-d"])
            .arg(format!("sql:{}", nss_dir.display())));
        run(Command::new("certutil")
            .args(["-A", "-n", "vanthu demo root", "-t", "C,C,C", "-d"])
            .arg(format!("sql:{}", nss_dir.display()))
            .arg("-i")
            .arg(&generated.root_pem_path));
    }
    Pki {
        root: generated.root_pem_path,
        issuing: generated.issuing_pem_path,
        personal,
        organization,
        nss_dir,
        _dir: dir,
    }
}

pub(crate) fn which(tool: &str) -> bool {
    Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {tool}"))
        .output()
        .is_ok_and(|o| o.status.success())
}

pub(crate) fn run(command: &mut Command) -> String {
    let output = command.output().expect("tool runs");
    assert!(
        output.status.success(),
        "{command:?}: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The oracles are required when the harness says so (scripts/test.sh, CI).
pub(crate) fn oracles_available() -> bool {
    let present = which("pdfsig")
        && which("qpdf")
        && which("certutil")
        && Command::new("python3")
            .args(["-c", "import pyhanko.sign"])
            .output()
            .is_ok_and(|o| o.status.success());
    if !present && std::env::var("VANTHU_TEST_REQUIRE_SERVICES").is_ok_and(|v| v == "1") {
        panic!("pyHanko, pdfsig, qpdf and certutil are required (VANTHU_TEST_REQUIRE_SERVICES=1)");
    }
    if !present {
        eprintln!("SKIPPED: signature oracles not installed; run scripts/test.sh");
    }
    present
}

pub(crate) fn demo_images() -> (Vec<u8>, Vec<u8>) {
    let signature = images::demo_signature_png("Nguyễn Văn An").unwrap();
    let seal = images::demo_seal_png(
        "ỦY BAN NHÂN DÂN TỈNH BÌNH AN",
        images::system_bold_serif().as_deref(),
    )
    .unwrap();
    (signature, seal)
}

pub(crate) fn issue_date() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2027, 1, 5).unwrap()
}

pub(crate) fn number() -> DocumentNumber {
    DocumentNumber::parse("5/QĐ-UBND").unwrap()
}

pub(crate) fn two_layers_with(
    input: &[u8],
    pki: &Pki,
    overrides: &LayoutOverride,
) -> (Vec<u8>, Vec<u8>) {
    let (signature, seal) = demo_images();
    let time = DateTime::parse_from_rfc3339("2027-01-05T09:30:00+07:00").unwrap();
    let layer1 = engine::sign_personal(
        input,
        &pki.personal,
        &signature,
        overrides,
        time,
        "Ký duyệt văn bản",
    )
    .unwrap();
    assert!(layer1.starts_with(input), "layer 1 appends only");
    let later = DateTime::parse_from_rfc3339("2027-01-05T10:00:00+07:00").unwrap();
    let font = FontProgram::system_serif()
        .expect("a serif font with Vietnamese glyphs (fonts-liberation2)");
    let layer2 = engine::sign_agency(
        layer1.as_slice(),
        &pki.organization,
        &number(),
        issue_date(),
        &seal,
        &font,
        later,
        "Bình An",
    )
    .unwrap();
    assert!(layer2.starts_with(&layer1), "layer 2 appends only");
    (layer1, layer2)
}

pub(crate) fn two_layers(input: &[u8], pki: &Pki) -> (Vec<u8>, Vec<u8>) {
    two_layers_with(input, pki, &LayoutOverride::default())
}

pub(crate) fn write_temp(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

pub(crate) fn pyhanko(path: &Path, pki: &Pki) -> Vec<serde_json::Value> {
    pyhanko_with(path, &pki.root, &pki.issuing)
}

pub(crate) fn pyhanko_with(path: &Path, root: &Path, issuing: &Path) -> Vec<serde_json::Value> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oracles/pyhanko_validate.py");
    let out = run(Command::new("python3")
        .arg(script)
        .arg(path)
        .arg(root)
        .arg(issuing));
    serde_json::from_str(out.trim()).unwrap_or_else(|e| panic!("pyHanko output {out}: {e}"))
}

pub(crate) fn pdfsig(path: &Path, pki: &Pki) -> String {
    let output = Command::new("pdfsig")
        .arg("-nssdir")
        .arg(format!("sql:{}", pki.nss_dir.display()))
        .arg(path)
        .output()
        .unwrap();
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Every text-bearing file of the corpus (see tests/fixtures/pdf/README.md).
pub(crate) const CORPUS: [&str; 17] = [
    "tests/fixtures/pdf/quyet-dinh.pdf",
    "tests/fixtures/pdf/cong-van.pdf",
    "tests/fixtures/pdf/quyet-dinh.objstm.pdf",
    "tests/fixtures/pdf/quyet-dinh.linearized.pdf",
    "tests/fixtures/pdf/ke-hoach.pdf",
    "tests/fixtures/pdf/thong-bao.pdf",
    "tests/fixtures/pdf/bao-cao.pdf",
    "tests/fixtures/pdf/bao-cao.pdfa2b.pdf",
    "tests/fixtures/pdf/ke-hoach.pdf14.pdf",
    "tests/fixtures/pdf/ke-hoach.pdf15.pdf",
    "tests/fixtures/pdf/ke-hoach.pdf17.pdf",
    "tests/fixtures/pdf/ke-hoach.pdf20.pdf",
    "tests/fixtures/pdf/ke-hoach.objstm-linearized.pdf",
    "tests/fixtures/pdf/ke-hoach.annotated.pdf",
    "tests/fixtures/pdf/thong-bao.form-field.pdf",
    "tests/fixtures/pdf/bao-cao.incremental.pdf",
    "tests/fixtures/pdf/bao-cao.incremental-xrefstream.pdf",
];

#[test]
fn both_layers_validate_in_pyhanko_pdfsig_and_qpdf_on_the_corpus() {
    if !oracles_available() {
        return;
    }
    let pki = pki();
    let dir = tempfile::tempdir().unwrap();
    for file in CORPUS {
        let (layer1, layer2) = two_layers(&fixture(file), &pki);
        let name = Path::new(file)
            .file_stem()
            .unwrap()
            .to_string_lossy()
            .to_string();
        let path1 = write_temp(dir.path(), &format!("{name}.l1.pdf"), &layer1);
        let path2 = write_temp(dir.path(), &format!("{name}.l2.pdf"), &layer2);

        let first = pyhanko(&path1, &pki);
        assert_eq!(first.len(), 1, "{file}: {first:?}");
        assert_eq!(first[0]["field"], "Sig1_CaNhan");
        assert_eq!(first[0]["bottom_line"], true, "{file} layer 1: {first:?}");
        assert_eq!(first[0]["coverage"], "ENTIRE_FILE");

        let both = pyhanko(&path2, &pki);
        assert_eq!(both.len(), 2, "{file}: {both:?}");
        let personal = both.iter().find(|s| s["field"] == "Sig1_CaNhan").unwrap();
        let agency = both.iter().find(|s| s["field"] == "Sig2_CoQuan").unwrap();
        assert_eq!(
            (personal["intact"].as_bool(), personal["trusted"].as_bool()),
            (Some(true), Some(true)),
            "{file}: {personal}"
        );
        assert!(
            matches!(
                personal["modification_level"].as_str(),
                Some("NONE" | "LTA_UPDATES" | "FORM_FILLING")
            ),
            "{file}: {personal}"
        );
        assert_eq!(
            personal["coverage"], "ENTIRE_REVISION",
            "{file}: {personal}"
        );
        assert_eq!(personal["bottom_line"], true, "{file}: {personal}");
        assert_eq!(agency["coverage"], "ENTIRE_FILE", "{file}: {agency}");
        assert_eq!(agency["bottom_line"], true, "{file}: {agency}");
        assert!(personal["signer"]
            .as_str()
            .unwrap()
            .contains("Nguyễn Văn An"));

        let report = pdfsig(&path2, &pki);
        assert_eq!(
            report
                .matches("Signature Validation: Signature is Valid.")
                .count(),
            2,
            "{file}:\n{report}"
        );
        assert_eq!(
            report
                .matches("Certificate Validation: Certificate is Trusted.")
                .count(),
            2,
            "{file}:\n{report}"
        );
        run(Command::new("qpdf").arg("--check").arg(&path2));
    }
}

#[test]
fn a_byte_changed_after_signing_breaks_both_oracles() {
    if !oracles_available() {
        return;
    }
    let pki = pki();
    let dir = tempfile::tempdir().unwrap();
    let (_, mut layer2) = two_layers(&fixture("tests/fixtures/pdf/quyet-dinh.pdf"), &pki);
    // Change a byte of the original content stream area (inside both signed ranges).
    let position = layer2.windows(6).position(|w| w == b"stream").unwrap() + 20;
    layer2[position] ^= 0x01;
    let path = write_temp(dir.path(), "tampered.pdf", &layer2);
    let results = pyhanko(&path, &pki);
    assert!(results.iter().all(|s| s["intact"] == false), "{results:?}");
    let report = pdfsig(&path, &pki);
    assert!(
        !report.contains("Signature Validation: Signature is Valid."),
        "{report}"
    );
}

#[test]
fn layer_2_requires_layer_1_and_each_layer_signs_once() {
    let pki = pki();
    let (signature, seal) = demo_images();
    let font = FontProgram::system_serif().unwrap();
    let draft = fixture("tests/fixtures/pdf/quyet-dinh.pdf");
    let time = DateTime::parse_from_rfc3339("2027-01-05T09:30:00+07:00").unwrap();
    let error = engine::sign_agency(
        draft.as_slice(),
        &pki.organization,
        &number(),
        issue_date(),
        &seal,
        &font,
        time,
        "",
    )
    .unwrap_err();
    assert!(
        error.to_string().contains("layer 1 must come first"),
        "{error}"
    );
    let (layer1, layer2) = two_layers(&draft, &pki);
    assert!(engine::sign_personal(
        layer1.as_slice(),
        &pki.personal,
        &signature,
        &LayoutOverride::default(),
        time,
        "again"
    )
    .is_err());
    assert!(engine::sign_agency(
        layer2.as_slice(),
        &pki.organization,
        &number(),
        issue_date(),
        &seal,
        &font,
        time,
        ""
    )
    .is_err());
    let encrypted = fixture("tests/fixtures/pdf/quyet-dinh.encrypted.pdf");
    assert!(engine::sign_personal(
        encrypted.as_slice(),
        &pki.personal,
        &signature,
        &LayoutOverride::default(),
        time,
        "x"
    )
    .is_err());
    // A scan has no text to place the signature by: it needs an explicit area.
    let scan = fixture("tests/fixtures/pdf/van-ban-scan.pdf");
    let error = engine::sign_personal(
        scan.as_slice(),
        &pki.personal,
        &signature,
        &LayoutOverride::default(),
        time,
        "x",
    )
    .unwrap_err();
    assert!(error.to_string().contains("explicitly"), "{error}");
}
