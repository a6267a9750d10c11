//! Wall time of the two-layer signing engine, in process, with everything that does not depend
//! on the document (keys, PNGs, the font) prepared once, as a server holds them.
//!
//! Groups: `layer1` (`sign_personal`), `layer2` (`sign_agency` on a fixed layer-1 output) and
//! `document` (both, one after the other), each for a ~100 KB text document
//! (`benches/inputs/ke-hoach-thong-bao.pdf`, see benches/README.md) and the ~5 MB scan
//! (`tests/fixtures/pdf/van-ban-scan.pdf`, explicit signature area on page 2).
//! Throughput is the input size, so criterion's MB/s shows how the time scales with size.
//!
//! `VANTHU_BENCH_SCALING=1` adds the group `scaling`: the whole document on 1, 2, 5 and 10
//! concatenated copies of the scan (made here with qpdf into a temporary directory, not
//! committed), for the "linear in file size" target.
//!
//! Run: `cargo bench --bench signing -- --warm-up-time 1 --measurement-time 5`.
//! `VANTHU_BENCH_EXPORT_IMAGES=DIR` only writes the PNGs used here (for benches/pyhanko_sign.py).

/// The allocator the `vanthu` binary uses (src/main.rs).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::{DateTime, FixedOffset, NaiveDate};
use criterion::{criterion_group, BenchmarkId, Criterion, Throughput};
use vanthu::domain::DocumentNumber;
use vanthu::signing::demo_pki::{self, LeafSubject};
use vanthu::signing::engine::{sign_agency, sign_personal, LayoutOverride, SigningKey};
use vanthu::signing::font::FontProgram;
use vanthu::signing::images::{demo_seal_png, demo_signature_png, system_bold_serif};
use vanthu::signing::pdf_update::Placement;

struct Fixture {
    _dir: tempfile::TempDir,
    personal: SigningKey,
    organization: SigningKey,
    signature_png: Vec<u8>,
    seal_png: Vec<u8>,
    font: FontProgram,
    number: DocumentNumber,
    date: NaiveDate,
    time_one: DateTime<FixedOffset>,
    time_two: DateTime<FixedOffset>,
}

struct Input {
    label: String,
    bytes: Vec<u8>,
    overrides: LayoutOverride,
}

fn manifest(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().expect("temporary directory");
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
    .expect("demo PKI");
    let personal = SigningKey::from_pkcs12_file(&pki.leaves[0].pkcs12_path, "pass").unwrap();
    let organization = SigningKey::from_pkcs12_file(&pki.leaves[1].pkcs12_path, "pass").unwrap();
    Fixture {
        _dir: dir,
        personal,
        organization,
        signature_png: demo_signature_png("Nguyễn Văn An").unwrap(),
        seal_png: demo_seal_png(
            "ỦY BAN NHÂN DÂN TỈNH BÌNH AN",
            system_bold_serif().as_deref(),
        )
        .unwrap(),
        font: FontProgram::system_serif().expect("a serif font with Vietnamese glyphs"),
        number: DocumentNumber::parse("5/QĐ-UBND").unwrap(),
        date: NaiveDate::from_ymd_opt(2027, 1, 5).unwrap(),
        time_one: DateTime::parse_from_rfc3339("2027-01-05T09:30:00+07:00").unwrap(),
        time_two: DateTime::parse_from_rfc3339("2027-01-05T10:00:00+07:00").unwrap(),
    }
}

fn scan_override(page: u32) -> LayoutOverride {
    LayoutOverride {
        signature_area: Some(Placement {
            page,
            rect: [330.0, 150.0, 520.0, 230.0],
        }),
        ..Default::default()
    }
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn label(bytes: &[u8]) -> String {
    if bytes.len() >= 1_000_000 {
        format!("{:.1}MB", bytes.len() as f64 / 1_000_000.0)
    } else {
        format!("{}KB", bytes.len() / 1000)
    }
}

fn inputs() -> Vec<Input> {
    let small = read(&manifest("benches/inputs/ke-hoach-thong-bao.pdf"));
    let scan = read(&manifest("tests/fixtures/pdf/van-ban-scan.pdf"));
    vec![
        Input {
            label: format!("text-{}", label(&small)),
            bytes: small,
            overrides: LayoutOverride::default(),
        },
        Input {
            label: format!("scan-{}", label(&scan)),
            bytes: scan,
            overrides: scan_override(2),
        },
    ]
}

fn layer_one(f: &Fixture, input: &Input) -> Vec<u8> {
    sign_personal(
        input.bytes.as_slice(),
        &f.personal,
        &f.signature_png,
        &input.overrides,
        f.time_one,
        "Ký duyệt văn bản",
    )
    .expect("layer 1")
}

fn layer_two(f: &Fixture, layer1: &[u8]) -> Vec<u8> {
    sign_agency(
        layer1,
        &f.organization,
        &f.number,
        f.date,
        &f.seal_png,
        &f.font,
        f.time_two,
        "Bình An",
    )
    .expect("layer 2")
}

fn per_layer_and_document(c: &mut Criterion) {
    let f = fixture();
    let inputs = inputs();
    let layer1_outputs: Vec<Vec<u8>> = inputs.iter().map(|input| layer_one(&f, input)).collect();
    for (input, layer1) in inputs.iter().zip(&layer1_outputs) {
        let layer2 = layer_two(&f, layer1);
        assert!(layer1.starts_with(&input.bytes) && layer2.starts_with(layer1));
        eprintln!(
            "{}: input {} B, after layer 1 {} B, after layer 2 {} B",
            input.label,
            input.bytes.len(),
            layer1.len(),
            layer2.len()
        );
    }

    let mut group = c.benchmark_group("layer1");
    for input in &inputs {
        group.throughput(Throughput::Bytes(input.bytes.len() as u64));
        group.bench_with_input(
            BenchmarkId::from_parameter(&input.label),
            input,
            |b, input| b.iter(|| layer_one(&f, input)),
        );
    }
    group.finish();

    let mut group = c.benchmark_group("layer2");
    for (input, layer1) in inputs.iter().zip(&layer1_outputs) {
        group.throughput(Throughput::Bytes(layer1.len() as u64));
        group.bench_with_input(
            BenchmarkId::from_parameter(&input.label),
            layer1,
            |b, layer1| b.iter(|| layer_two(&f, layer1)),
        );
    }
    group.finish();

    let mut group = c.benchmark_group("document");
    for input in &inputs {
        group.throughput(Throughput::Bytes(input.bytes.len() as u64));
        group.bench_with_input(
            BenchmarkId::from_parameter(&input.label),
            input,
            |b, input| b.iter(|| layer_two(&f, &layer_one(&f, input))),
        );
    }
    group.finish();
}

/// `copies` copies of the scan in one file. qpdf shares the objects of a file named twice,
/// so each copy is read from its own path.
fn concatenated_scan(dir: &Path, copies: usize) -> Vec<u8> {
    let scan = manifest("tests/fixtures/pdf/van-ban-scan.pdf");
    let mut command = Command::new("qpdf");
    command.args(["--empty", "--pages"]);
    for i in 0..copies {
        let copy = dir.join(format!("scan-{i}.pdf"));
        if !copy.exists() {
            std::fs::copy(&scan, &copy).unwrap();
        }
        command.arg(copy);
    }
    let output = dir.join(format!("scan-x{copies}.pdf"));
    command.arg("--").arg(&output);
    let status = command.status().expect("qpdf runs");
    assert!(status.success(), "{command:?}");
    read(&output)
}

fn scaling(c: &mut Criterion) {
    if std::env::var("VANTHU_BENCH_SCALING").as_deref() != Ok("1") {
        return;
    }
    let f = fixture();
    let dir = tempfile::tempdir().unwrap();
    let mut group = c.benchmark_group("scaling");
    group.sample_size(10);
    for copies in [1usize, 2, 5, 10] {
        let bytes = concatenated_scan(dir.path(), copies);
        let input = Input {
            label: format!("scan-x{copies}-{}", label(&bytes)),
            overrides: scan_override(2 * copies as u32),
            bytes,
        };
        group.throughput(Throughput::Bytes(input.bytes.len() as u64));
        group.bench_with_input(
            BenchmarkId::from_parameter(&input.label),
            &input,
            |b, input| b.iter(|| layer_two(&f, &layer_one(&f, input))),
        );
    }
    group.finish();
}

/// `VANTHU_BENCH_EXPORT_IMAGES=DIR` writes the signature and seal PNGs the bench signs with
/// (and the pyHanko baseline must use) into DIR and measures nothing.
fn export_images(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    let f = fixture();
    std::fs::write(dir.join("signature.png"), &f.signature_png).unwrap();
    std::fs::write(dir.join("seal.png"), &f.seal_png).unwrap();
    eprintln!("wrote {0}/signature.png and {0}/seal.png", dir.display());
}

criterion_group!(benches, per_layer_and_document, scaling);

fn main() {
    if let Some(dir) = std::env::var_os("VANTHU_BENCH_EXPORT_IMAGES") {
        export_images(Path::new(&dir));
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
