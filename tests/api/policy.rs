//! The two-layer policy check in verification reports: an issued document is compliant; a
//! file whose agency signature comes first, or whose number is not the registered one, is not,
//! with the failed checks named in Vietnamese and English.

use serde_json::Value;
use vanthu::signing::engine::{self, LayoutOverride, SigningKey};
use vanthu::signing::font::FontProgram;
use vanthu::signing::images;

use crate::helpers::*;
use crate::workflow::{draft, sign_and_issue};

async fn verify_upload(app: &TestApp, pdf: Vec<u8>) -> Value {
    let response = app
        .client
        .post(app.url("/api/verify"))
        .bearer_auth(app.token("auditor"))
        .header("content-type", "application/pdf")
        .body(pdf)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    response.json().await.unwrap()
}

fn failed_checks(report: &Value) -> Vec<String> {
    report["policy"]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["passed"] == false)
        .map(|c| c["code"].as_str().unwrap().to_owned())
        .collect()
}

fn key(app: &TestApp, path: &std::path::Path) -> SigningKey {
    let passphrase = std::fs::read_to_string(&app.credentials.pki.passphrase_file).unwrap();
    SigningKey::from_pkcs12_file(path, passphrase.trim()).unwrap()
}

#[tokio::test]
async fn an_issued_document_is_compliant_and_its_copy_of_the_file_too() {
    let app = spawn_app().await;
    let id = draft(&app, "tests/fixtures/pdf/quyet-dinh.pdf").await;
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
    assert_eq!(report["valid"], true);
    assert_eq!(report["policy"]["verdict"], "compliant", "{report:#}");
    assert_eq!(report["policy"]["checks"].as_array().unwrap().len(), 8);
    assert_eq!(report["policy"]["shown"]["ordinal"], 1);
    assert_eq!(report["policy"]["shown"]["date"], "2027-01-05");
    let summary_vi = report["summary"]["vi"].to_string();
    assert!(
        summary_vi.contains("Đạt yêu cầu ký số hai lớp"),
        "{summary_vi}"
    );

    // The same bytes sent by an auditor: the agency is found from the certificate and the
    // register entry from the number and date the file shows.
    let pdf = app
        .get(&app.token("staff"), &format!("/api/documents/{id}/file"))
        .await
        .bytes()
        .await
        .unwrap()
        .to_vec();
    let uploaded = verify_upload(&app, pdf).await;
    assert_eq!(uploaded["policy"]["verdict"], "compliant", "{uploaded:#}");
    assert_eq!(
        uploaded["policy"]["organ_id"],
        app.credentials.agency.organ_id.as_str()
    );
}

#[tokio::test]
async fn wrong_layer_order_and_an_unregistered_number_are_non_compliant() {
    let app = spawn_app().await;
    let pki = &app.credentials.pki;
    let organization = key(&app, &pki.organization_pkcs12);
    let personal = key(&app, pki.signers.values().next().unwrap());
    let font = FontProgram::system_serif().unwrap();
    let now = chrono::Utc::now().with_timezone(&vanthu::domain::vietnam_offset());
    let number = vanthu::domain::DocumentNumber::parse("9/QĐ-UBND").unwrap();

    // Agency signature first (as an attachment stamp), personal signature after it.
    let agency_first = engine::sign_attachment(
        fixture("tests/fixtures/pdf/quyet-dinh.pdf"),
        &organization,
        &number,
        &font,
        now,
    )
    .unwrap();
    let signature_png = images::demo_signature_png("Nguyễn Văn Thử").unwrap();
    let reversed = engine::sign_personal(
        agency_first,
        &personal,
        &signature_png,
        &LayoutOverride::default(),
        now,
        "Ký sau",
    )
    .unwrap();
    let report = verify_upload(&app, reversed).await;
    assert_eq!(report["policy"]["verdict"], "non_compliant", "{report:#}");
    let failed = failed_checks(&report);
    for code in ["personal_before_agency", "agency_covers_whole_file"] {
        assert!(failed.iter().any(|c| c == code), "{code} in {failed:?}");
    }
    let summary_en = report["summary"]["en"].to_string();
    assert!(
        summary_en.contains("Does not meet the two-layer rule"),
        "{summary_en}"
    );

    // Right order, right certificates, but a number the register never gave out.
    let layer1 = engine::sign_personal(
        fixture("tests/fixtures/pdf/quyet-dinh.pdf"),
        &personal,
        &signature_png,
        &LayoutOverride::default(),
        now,
        "Ký duyệt",
    )
    .unwrap();
    let seal = images::demo_seal_png("UBND", None).unwrap();
    let unregistered = engine::sign_agency(
        layer1,
        &organization,
        &number,
        now.date_naive(),
        &seal,
        &font,
        now,
        "Bình An",
    )
    .unwrap();
    let report = verify_upload(&app, unregistered).await;
    assert_eq!(report["valid"], true, "the signatures themselves are fine");
    assert_eq!(report["policy"]["verdict"], "non_compliant");
    assert_eq!(
        failed_checks(&report),
        ["number_matches_register", "date_matches_register"]
    );
}

#[tokio::test]
async fn an_agency_signature_by_a_certificate_not_registered_for_the_agency_fails_the_policy() {
    let app = spawn_app().await;
    let template = draft(&app, "tests/fixtures/pdf/quyet-dinh.pdf").await;
    let template = app
        .services
        .store
        .get_document(template.parse().unwrap())
        .await
        .unwrap();
    let pki = &app.credentials.pki;
    let personal = key(&app, &pki.signers["chutich"]);
    // A trusted certificate that is not the agency's registered organization certificate
    // (here another person's), applying "the agency signature" with seal, number and date.
    let impostor = key(&app, &pki.signers["phochutich"]);
    let font = FontProgram::system_serif().unwrap();
    let now = chrono::Utc::now().with_timezone(&vanthu::domain::vietnam_offset());
    let number = vanthu::domain::DocumentNumber::parse("12/QĐ-UBND").unwrap();
    let date = chrono::NaiveDate::from_ymd_opt(2027, 1, 12).unwrap();
    let layer1 = engine::sign_personal(
        fixture("tests/fixtures/pdf/quyet-dinh.pdf"),
        &personal,
        &images::demo_signature_png("Chủ tịch").unwrap(),
        &LayoutOverride::default(),
        now,
        "Ký duyệt",
    )
    .unwrap();
    let seal = images::demo_seal_png("UBND", None).unwrap();
    let signed = engine::sign_agency(
        layer1, &impostor, &number, date, &seal, &font, now, "Bình An",
    )
    .unwrap();
    let id = crate::compliance::insert_issued_file(&app, template, signed, 12, "QĐ-UBND", 12).await;
    let report: Value = app
        .get(
            &app.token("auditor"),
            &format!("/api/documents/{id}/verification"),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(report["valid"], true, "both signatures verify: {report:#}");
    assert_eq!(report["policy"]["verdict"], "non_compliant");
    let failed = failed_checks(&report);
    assert!(
        failed.iter().any(|c| c == "agency_certificate_registered"),
        "{failed:?}"
    );
    assert!(
        !failed
            .iter()
            .any(|c| c == "number_matches_register" || c == "date_matches_register"),
        "number and date are as registered: {failed:?}"
    );
}
