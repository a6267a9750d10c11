//! The layer-1 signing engine (text layout, incremental update writer, CMS) on arbitrary
//! input with the demo PKI's key: it must return `Err` for what it cannot sign, never panic.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use vanthu::signing::demo_pki::{self, LeafSubject};
use vanthu::signing::engine::{self, LayoutOverride, SigningKey};
use vanthu::signing::pdf_update::Placement;

struct Fixture {
    key: SigningKey,
    png: Vec<u8>,
    _dir: tempfile::TempDir,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir");
        let leaf = LeafSubject {
            file_stem: "signer-fuzz".into(),
            common_name: "Nguyễn Văn Fuzz".into(),
            organization: "Vanthu Fuzz".into(),
            organizational_unit: None,
            title: None,
        };
        let pki = demo_pki::generate(dir.path(), "fuzz", &[leaf]).expect("demo PKI");
        let key = SigningKey::from_pkcs12_file(&pki.leaves[0].pkcs12_path, "fuzz").expect("key");
        let png = vanthu::signing::images::demo_signature_png("Fuzz").expect("png");
        Fixture {
            key,
            png,
            _dir: dir,
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let fixture = fixture();
    let time = chrono::DateTime::parse_from_rfc3339("2026-01-05T09:30:00+07:00").unwrap();
    // First with the layout read from the page's text, then with an explicit position (which
    // reaches the update writer even for pages without text).
    let _ = engine::sign_personal(
        data,
        &fixture.key,
        &fixture.png,
        &LayoutOverride::default(),
        time,
        "fuzz",
    );
    let overrides = LayoutOverride {
        signature_area: Some(Placement {
            page: 1,
            rect: [300.0, 100.0, 500.0, 180.0],
        }),
        ..LayoutOverride::default()
    };
    let _ = engine::sign_personal(data, &fixture.key, &fixture.png, &overrides, time, "fuzz");
});
