//! Our verdict agrees with pyHanko's on files pyHanko signed (another system's signatures,
//! pyHanko's own incremental writer and appearance streams), on several corpus variants, and
//! both reject the same files once a signed byte is changed.

use std::path::Path;
use std::process::Command;

use crate::helpers::*;
use crate::signing::{oracles_available, pyhanko_with, write_temp};

fn pyhanko_sign(app: &TestApp, input: &Path, output: &Path) {
    let pki = &app.credentials.pki;
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oracles/pyhanko_sign.py");
    let result = Command::new("python3")
        .arg(script)
        .arg(input)
        .arg(output)
        .arg(pki.signers.values().next().unwrap())
        .arg(&pki.organization_pkcs12)
        .arg(&pki.passphrase_file)
        .output()
        .unwrap();
    assert!(
        result.status.success(),
        "pyHanko signing failed: {}",
        String::from_utf8_lossy(&result.stderr)
    );
}

#[tokio::test]
async fn our_verdicts_agree_with_pyhanko_on_pyhanko_signed_files() {
    if !oracles_available() {
        return;
    }
    let app = spawn_app().await;
    let pki = &app.credentials.pki;
    let trust = vanthu::verify::TrustAnchors::from_pem_files(&[
        pki.root_ca.as_path(),
        pki.issuing_ca.as_path(),
    ])
    .unwrap();
    let options = vanthu::verify::VerifyOptions {
        trust,
        ..Default::default()
    };
    let dir = tempfile::tempdir().unwrap();
    for fixture_path in [
        "tests/fixtures/pdf/quyet-dinh.pdf",
        "tests/fixtures/pdf/quyet-dinh.objstm.pdf",
        "tests/fixtures/pdf/ke-hoach.objstm-linearized.pdf",
        "tests/fixtures/pdf/ke-hoach.pdf20.pdf",
        "tests/fixtures/pdf/ke-hoach.annotated.pdf",
    ] {
        let name = Path::new(fixture_path)
            .file_name()
            .unwrap()
            .to_string_lossy()
            .to_string();
        let input = write_temp(dir.path(), &format!("in-{name}"), &fixture(fixture_path));
        let signed = dir.path().join(format!("pyhanko-{name}"));
        pyhanko_sign(&app, &input, &signed);
        let bytes = std::fs::read(&signed).unwrap();

        let ours = vanthu::verify::verify_pdf(&bytes, &options).unwrap();
        let theirs = pyhanko_with(&signed, &pki.root_ca, &pki.issuing_ca);
        assert_eq!(ours.signatures.len(), 2, "{name}");
        assert_eq!(theirs.len(), 2, "{name}: {theirs:?}");
        for (our, their) in ours.signatures.iter().zip(&theirs) {
            assert_eq!(
                our.valid,
                their["bottom_line"] == true,
                "{name} {}: ours {:?} vs pyHanko {their}",
                our.field_name,
                our.problems
            );
        }
        assert!(
            ours.valid,
            "{name}: {}",
            serde_json::to_string_pretty(&ours).unwrap()
        );

        // One byte of the first revision's signed content changed: both say not valid.
        let mut tampered = bytes.clone();
        let at = tampered.len() / 4;
        tampered[at] = if tampered[at] == b'0' { b'1' } else { b'0' };
        let tampered_path = write_temp(dir.path(), &format!("tampered-{name}"), &tampered);
        let ours = vanthu::verify::verify_pdf(&tampered, &options).unwrap();
        assert!(!ours.valid, "{name}: tampered file accepted");
        let theirs = std::panic::catch_unwind(|| {
            pyhanko_with(&tampered_path, &pki.root_ca, &pki.issuing_ca)
        });
        if let Ok(theirs) = theirs {
            assert!(
                theirs.iter().any(|s| s["bottom_line"] == false) || theirs.len() < 2,
                "{name}: pyHanko accepted the tampered file: {theirs:?}"
            );
        }
    }
}
