//! `vanthu audit DIR --registry CSV`: an archive exported from another system, checked file by
//! file, with the two-layer policy against that system's register.

use serde_json::Value;

use crate::cli::vanthu;
use crate::helpers::*;
use crate::workflow::{draft, sign_and_issue};

#[tokio::test]
async fn an_archive_is_audited_against_its_register_with_a_summary() {
    let app = spawn_app().await;
    let issued_id = draft(&app, "tests/fixtures/pdf/quyet-dinh.pdf").await;
    let issued = sign_and_issue(&app, &issued_id).await;
    assert_eq!(issued["number"], "01/QĐ-UBND");
    let issued_pdf = app
        .get(
            &app.token("staff"),
            &format!("/api/documents/{issued_id}/file"),
        )
        .await
        .bytes()
        .await
        .unwrap();
    let archive = tempfile::tempdir().unwrap();
    let nested = archive.path().join("2027/01");
    std::fs::create_dir_all(&nested).unwrap();
    std::fs::write(nested.join("qd-01.pdf"), &issued_pdf).unwrap();
    // The same file claimed under another number in the register: non-compliant.
    std::fs::write(nested.join("qd-02.pdf"), &issued_pdf).unwrap();
    // Unsigned, but registered as a state secret: exempt from the two-layer rule, still invalid
    // as a signed file (it carries no signature).
    std::fs::write(
        archive.path().join("mat.pdf"),
        fixture("tests/fixtures/pdf/cong-van.pdf"),
    )
    .unwrap();
    let registry = archive.path().join("so-van-ban-di.csv");
    std::fs::write(
        &registry,
        "\u{feff}file,number,date,confidentiality\r\n\
         2027/01/qd-01.pdf,01/QĐ-UBND,05/01/2027,\r\n\
         2027/01/qd-02.pdf,02/QĐ-UBND,05/01/2027,\r\n\
         mat.pdf,01/UBND-NC,06/01/2027,mat\r\n",
    )
    .unwrap();
    let pki = &app.credentials.pki;
    let output = vanthu()
        .arg("audit")
        .arg(archive.path())
        .arg("--registry")
        .arg(&registry)
        .arg("--trust")
        .arg(&pki.root_ca)
        .arg("--trust")
        .arg(&pki.issuing_ca)
        .arg("--json")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "some files fail");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("audit: 3/3 files"), "progress: {stderr}");
    let result: Value = serde_json::from_slice(&output.stdout).unwrap();
    let files = result["files"].as_array().unwrap();
    let by_name = |name: &str| {
        files
            .iter()
            .find(|f| f["file"] == name)
            .unwrap_or_else(|| panic!("{name} in {files:?}"))
    };
    assert_eq!(by_name("2027/01/qd-01.pdf")["two_layer"], "compliant");
    assert_eq!(by_name("2027/01/qd-01.pdf")["valid"], true);
    let wrong = by_name("2027/01/qd-02.pdf");
    assert_eq!(wrong["two_layer"], "non_compliant");
    assert!(
        wrong["reasons"].to_string().contains("sổ đăng ký"),
        "{wrong}"
    );
    assert_eq!(by_name("mat.pdf")["two_layer"], "exempt");
    assert_eq!(result["totals"]["required"], 2);
    assert_eq!(result["totals"]["compliant"], 1);
    assert_eq!(result["totals"]["exempt"], 1);

    // The table form for a person, and an unreadable registry is an error (exit 2).
    let table = vanthu()
        .arg("audit")
        .arg(archive.path())
        .arg("--registry")
        .arg(&registry)
        .arg("--trust")
        .arg(&pki.root_ca)
        .arg("--trust")
        .arg(&pki.issuing_ca)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(text.contains("Hai lớp / Two-layer: 1 / 2"), "{text}");
    let missing = vanthu()
        .arg("audit")
        .arg(archive.path())
        .arg("--registry")
        .arg(archive.path().join("nope.csv"))
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
}
