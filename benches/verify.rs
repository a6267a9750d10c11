//! Wall time of our validator on two-layer files, every check on (structure, digest,
//! signature value, ESS, chain to the trust anchors, validity at the signing time, key
//! usage, modification analysis), in process: a ~100 KB text document and the ~5 MB scan,
//! both signed with both layers here (demo PKI). Revocation is not part of the loop: it is
//! network I/O answered from the cache after the first call, and offline in this bench.
//!
//! Run: `cargo bench --bench verify -- --warm-up-time 1 --measurement-time 5`.
//! `VANTHU_BENCH_EXPORT_VERIFY=DIR` only writes the signed files and the trust PEMs into DIR
//! (for the pyHanko and pdfsig baselines, benches/pyhanko_verify.py) and measures nothing.

/// The allocator the `vanthu` binary uses (src/main.rs).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate};
use criterion::{criterion_group, BenchmarkId, Criterion, Throughput};
use vanthu::domain::DocumentNumber;
use vanthu::signing::demo_pki::{self, LeafSubject};
use vanthu::signing::engine::{sign_agency, sign_personal, LayoutOverride, SigningKey};
use vanthu::signing::font::FontProgram;
use vanthu::signing::images::{demo_seal_png, demo_signature_png};
use vanthu::signing::pdf_update::Placement;
use vanthu::verify::{verify_pdf, TrustAnchors, VerifyOptions};

fn manifest(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

struct Signed {
    label: &'static str,
    bytes: Vec<u8>,
}

fn signed_inputs(dir: &Path) -> (Vec<Signed>, TrustAnchors) {
    let leaf = |stem: &str, name: &str| LeafSubject {
        file_stem: stem.into(),
        common_name: name.into(),
        organization: "Ủy ban nhân dân tỉnh Bình An".into(),
        organizational_unit: None,
        title: None,
    };
    let pki = demo_pki::generate(
        dir,
        "pass",
        &[
            leaf("person", "Nguyễn Văn An"),
            leaf("organization", "Ủy ban nhân dân tỉnh Bình An"),
        ],
    )
    .expect("demo PKI");
    let personal = SigningKey::from_pkcs12_file(&pki.leaves[0].pkcs12_path, "pass").unwrap();
    let organization = SigningKey::from_pkcs12_file(&pki.leaves[1].pkcs12_path, "pass").unwrap();
    let font = FontProgram::system_serif().expect("a serif font with Vietnamese glyphs");
    let signature = demo_signature_png("Nguyễn Văn An").unwrap();
    let seal = demo_seal_png("UBND TỈNH BÌNH AN", None).unwrap();
    let one = DateTime::parse_from_rfc3339("2027-01-05T09:30:00+07:00").unwrap();
    let two = DateTime::parse_from_rfc3339("2027-01-05T10:00:00+07:00").unwrap();
    let number = DocumentNumber::parse("5/QĐ-UBND").unwrap();
    let date = NaiveDate::from_ymd_opt(2027, 1, 5).unwrap();
    let scan_area = LayoutOverride {
        signature_area: Some(Placement {
            page: 2,
            rect: [330.0, 150.0, 520.0, 230.0],
        }),
        ..Default::default()
    };
    let inputs = [
        (
            "text-100KB",
            "benches/inputs/ke-hoach-thong-bao.pdf",
            LayoutOverride::default(),
        ),
        ("scan-5MB", "tests/fixtures/pdf/van-ban-scan.pdf", scan_area),
    ];
    let signed = inputs
        .into_iter()
        .map(|(label, path, layout)| {
            let input = std::fs::read(manifest(path)).unwrap();
            let layer1 =
                sign_personal(input, &personal, &signature, &layout, one, "Ký duyệt").unwrap();
            let bytes = sign_agency(
                layer1,
                &organization,
                &number,
                date,
                &seal,
                &font,
                two,
                "Bình An",
            )
            .unwrap();
            Signed { label, bytes }
        })
        .collect();
    let trust = TrustAnchors::from_pem_files(&[
        pki.root_pem_path.as_path(),
        pki.issuing_pem_path.as_path(),
    ])
    .unwrap();
    (signed, trust)
}

fn verify_two_layer(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let (signed, trust) = signed_inputs(dir.path());
    if let Ok(out) = std::env::var("VANTHU_BENCH_EXPORT_VERIFY") {
        let out = PathBuf::from(out);
        std::fs::create_dir_all(&out).unwrap();
        for input in &signed {
            std::fs::write(out.join(format!("{}.pdf", input.label)), &input.bytes).unwrap();
        }
        for name in ["root-ca.pem", "issuing-ca.pem"] {
            std::fs::copy(dir.path().join(name), out.join(name)).unwrap();
        }
        eprintln!(
            "wrote the signed files and trust PEMs into {}",
            out.display()
        );
        return;
    }
    let options = VerifyOptions {
        trust,
        ..VerifyOptions::default()
    };
    for input in &signed {
        let report = verify_pdf(&input.bytes, &options).unwrap();
        assert!(
            report.valid && report.signatures.len() == 2,
            "{}",
            input.label
        );
    }
    let mut group = c.benchmark_group("verify");
    for input in &signed {
        group.throughput(Throughput::Bytes(input.bytes.len() as u64));
        group.bench_with_input(
            BenchmarkId::from_parameter(input.label),
            input,
            |b, input| b.iter(|| verify_pdf(&input.bytes, &options).unwrap()),
        );
    }
    group.finish();
}

criterion_group!(benches, verify_two_layer);

fn main() {
    benches();
    criterion::Criterion::default()
        .configure_from_args()
        .final_summary();
}
