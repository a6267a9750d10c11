//! Verification for auditors over HTTP and on the command line, and the whole workflow from
//! the command line (`vanthu doc … --as USER`).

use serde_json::Value;

use crate::cli::vanthu;
use crate::helpers::*;
use crate::workflow::{draft, sign_and_issue};

#[tokio::test]
async fn auditors_verify_any_pdf_and_stored_documents() {
    let app = spawn_app().await;
    let id = draft(&app, "tests/fixtures/pdf/ke-hoach.pdf").await;
    sign_and_issue(&app, &id).await;
    let report: Value = app
        .get(
            &app.token("auditor"),
            &format!("/api/documents/{id}/verification"),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(report["valid"], true, "{report}");
    assert_eq!(report["signatures"].as_array().unwrap().len(), 2);

    let pdf = app
        .get(&app.token("auditor"), &format!("/api/documents/{id}/file"))
        .await
        .bytes()
        .await
        .unwrap()
        .to_vec();
    let post = |body: Vec<u8>| {
        app.client
            .post(app.url("/api/verify"))
            .bearer_auth(app.token("auditor"))
            .header("content-type", "application/pdf")
            .body(body)
            .send()
    };
    let report: Value = post(pdf.clone()).await.unwrap().json().await.unwrap();
    assert_eq!(report["valid"], true);
    let mut tampered = pdf.clone();
    let at = tampered.windows(6).position(|w| w == b"stream").unwrap() + 30;
    tampered[at] ^= 0x20;
    let report: Value = post(tampered).await.unwrap().json().await.unwrap();
    assert_eq!(report["valid"], false);
    let (status, code, _) = error_of(post(b"not a pdf at all".to_vec()).await.unwrap()).await;
    assert_eq!((status, code.as_str()), (415, "not_pdf"));
    assert_eq!(app.document_count().await, 1, "verification stores nothing");
}

#[tokio::test]
async fn the_whole_workflow_runs_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let init = vanthu()
        .args(["init", "--json", "--data-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(init.status.success());
    let run = |args: &[&str]| {
        let output = vanthu()
            .args(args)
            .arg("--data-dir")
            .arg(dir.path())
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_slice::<Value>(&output.stdout).unwrap_or(Value::Null)
    };
    let pdf =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/pdf/thong-bao.pdf");
    let metadata =
        r#"{"unit":"TH","document_type":"thong_bao","subject":"Thông báo lịch làm việc"}"#;
    let created = run(&[
        "doc",
        "create",
        "--as",
        "vanthu",
        "--metadata",
        metadata,
        "--file",
        pdf.to_str().unwrap(),
    ]);
    let id = created["id"].as_str().unwrap().to_owned();
    run(&[
        "doc",
        "assign-signer",
        "--as",
        "vanthu",
        "--id",
        &id,
        "--signer",
        "phochutich",
    ]);
    let signed = run(&["doc", "sign-personal", "--as", "phochutich", "--id", &id]);
    assert_eq!(signed["status"], "signed_personal");
    let issued = run(&[
        "doc",
        "issue",
        "--as",
        "vanthu",
        "--id",
        &id,
        "--date",
        "2027-02-02",
    ]);
    assert_eq!(issued["number"], "01/TB-UBND");
    let out = dir.path().join("issued.pdf");
    let output = vanthu()
        .args([
            "doc",
            "download",
            "--as",
            "chuyenvien",
            "--id",
            &id,
            "--output",
        ])
        .arg(&out)
        .arg("--data-dir")
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(output.status.success());

    // vanthu verify: 0 valid, 1 invalid or indeterminate, 2 error.
    let root = dir.path().join("pki/root-ca.pem");
    let issuing = dir.path().join("pki/issuing-ca.pem");
    let verify = vanthu()
        .args(["verify", "--json", "--trust"])
        .arg(&root)
        .arg("--trust")
        .arg(&issuing)
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(
        verify.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&verify.stdout)
    );
    let report: Value = serde_json::from_slice(&verify.stdout).unwrap();
    assert_eq!(report["valid"], true);
    assert_eq!(report["indication"], "valid");
    // The demo PKI publishes no OCSP responder or CRL: online mode has nothing to ask.
    let revocation = &report["signatures"][0]["revocation"];
    assert_eq!(revocation["mode"], "online", "{revocation}");
    assert_eq!(revocation["certificates"][0]["status"], "no_source");
    let verify = vanthu()
        .args(["verify", "--json", "--revocation", "off", "--trust"])
        .arg(&root)
        .arg("--trust")
        .arg(&issuing)
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(verify.status.code(), Some(0));
    let report: Value = serde_json::from_slice(&verify.stdout).unwrap();
    assert_eq!(
        report["signatures"][0]["revocation"]["status"],
        "not_checked"
    );
    let unknown_mode = vanthu()
        .args(["verify", "--revocation", "sometimes"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(unknown_mode.status.code(), Some(2));
    let mut bytes = std::fs::read(&out).unwrap();
    let at = bytes.windows(6).position(|w| w == b"stream").unwrap() + 30;
    bytes[at] ^= 0x20;
    let tampered = dir.path().join("tampered.pdf");
    std::fs::write(&tampered, &bytes).unwrap();
    let verify = vanthu()
        .args(["verify", "--trust"])
        .arg(&root)
        .arg(&tampered)
        .output()
        .unwrap();
    assert_eq!(verify.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&verify.stdout).contains("KHÔNG HỢP LỆ / NOT VALID"));
    let text = dir.path().join("text.pdf");
    std::fs::write(&text, b"hello").unwrap();
    assert_eq!(
        vanthu()
            .args(["verify"])
            .arg(&text)
            .output()
            .unwrap()
            .status
            .code(),
        Some(2)
    );

    // A role that may not issue is refused on the command line too.
    let output = vanthu()
        .args([
            "doc",
            "revoke",
            "--as",
            "chuyenvien",
            "--id",
            &id,
            "--reason",
            "x",
            "--data-dir",
        ])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("may not"));
    let register = dir.path().join("register.csv");
    let output = vanthu()
        .args([
            "register",
            "export",
            "--as",
            "kiemtoan",
            "--from",
            "2027-02-01",
            "--to",
            "2027-02-28",
            "--format",
            "csv",
            "--output",
        ])
        .arg(&register)
        .arg("--data-dir")
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(std::fs::read_to_string(&register)
        .unwrap()
        .contains("01/TB-UBND"));
}
