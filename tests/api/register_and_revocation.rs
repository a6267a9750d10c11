//! The outgoing register export, revocation (thu hồi) and corrections (đính chính).

use serde_json::{json, Value};

use crate::helpers::*;
use crate::workflow::{draft, post, sign_and_issue};

#[tokio::test]
async fn the_register_lists_issued_documents_with_statutory_columns_in_every_format() {
    let app = spawn_app().await;
    let first = draft(&app, "tests/fixtures/pdf/quyet-dinh.pdf").await;
    sign_and_issue(&app, &first).await;
    let second = draft(&app, "tests/fixtures/pdf/cong-van.pdf").await;
    sign_and_issue(&app, &second).await;
    // A confidential stub issued the same day must not appear in any export.
    let metadata = json!({"unit": "NC", "document_type": "quyet_dinh", "subject": "Văn bản MẬT không xuất", "confidentiality": "mat"}).to_string();
    let stub: Value = app
        .upload(&app.token("clerk"), &metadata, None)
        .await
        .json()
        .await
        .unwrap();
    post(
        &app,
        &app.token("clerk"),
        &format!("/api/documents/{}/issue", stub["id"].as_str().unwrap()),
        json!({"issue_date": "2027-01-05"}),
    )
    .await;

    // sign_and_issue issues on 2027-01-05.
    let period = "from=2027-01-01&to=2027-01-31";
    let outside: Value = app
        .get(
            &app.token("auditor"),
            "/api/register?from=2027-02-01&to=2027-02-28",
        )
        .await
        .json()
        .await
        .unwrap();
    assert!(outside.as_array().unwrap().is_empty());
    let rows: Value = app
        .get(&app.token("auditor"), &format!("/api/register?{period}"))
        .await
        .json()
        .await
        .unwrap();
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(rows[0]["number"], "01/QĐ-UBND");
    assert_eq!(rows[1]["number"], "02/QĐ-UBND");
    assert_eq!(rows[0]["signer"], "Nguyễn Văn An");
    assert!(!serde_json::to_string(rows)
        .unwrap()
        .contains("MẬT không xuất"));

    let csv = app
        .get(
            &app.token("clerk"),
            &format!("/api/register?{period}&format=csv"),
        )
        .await;
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    let csv = csv.text().await.unwrap();
    assert!(
        csv.contains("01/QĐ-UBND") && csv.contains("02/QĐ-UBND") && !csv.contains("MẬT không xuất")
    );
    let xlsx = app
        .get(
            &app.token("clerk"),
            &format!("/api/register?{period}&format=xlsx"),
        )
        .await
        .bytes()
        .await
        .unwrap();
    assert!(xlsx.starts_with(b"PK"));
    let pdf = app
        .get(
            &app.token("clerk"),
            &format!("/api/register?{period}&format=pdf"),
        )
        .await
        .bytes()
        .await
        .unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    if crate::signing::which("pdftotext") {
        let dir = tempfile::tempdir().unwrap();
        let path = crate::signing::write_temp(dir.path(), "register.pdf", &pdf);
        let text = crate::signing::run(
            std::process::Command::new("pdftotext")
                .arg("-layout")
                .arg(&path)
                .arg("-"),
        );
        assert!(
            text.contains("SỔ ĐĂNG KÝ VĂN BẢN ĐI") && text.contains("01/QĐ-UBND"),
            "{text}"
        );
    }
    for role in ["staff", "signer", "admin"] {
        let (status, code, _) = error_of(
            app.get(&app.token(role), &format!("/api/register?{period}"))
                .await,
        )
        .await;
        assert_eq!((status, code.as_str()), (403, "forbidden"), "{role}");
    }
    let (status, _, _) = error_of(
        app.get(
            &app.token("clerk"),
            "/api/register?from=2027-02-01&to=2027-01-01",
        )
        .await,
    )
    .await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn a_revoked_document_is_frozen_kept_and_marked_with_reason_and_actor() {
    let app = spawn_app().await;
    let id = draft(&app, "tests/fixtures/pdf/quyet-dinh.pdf").await;
    let revoke_path = format!("/api/documents/{id}/revoke");
    let (status, code, _) = error_of(
        post(
            &app,
            &app.token("clerk"),
            &revoke_path,
            json!({"reason": "nhầm"}),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, code.as_str()),
        (409, "conflict"),
        "a draft cannot be revoked"
    );
    sign_and_issue(&app, &id).await;
    let issued_pdf = app
        .get(&app.token("staff"), &format!("/api/documents/{id}/file"))
        .await
        .bytes()
        .await
        .unwrap();
    let (status, code, _) = error_of(
        post(
            &app,
            &app.token("staff"),
            &revoke_path,
            json!({"reason": "sai"}),
        )
        .await,
    )
    .await;
    assert_eq!((status, code.as_str()), (403, "forbidden"));
    let (status, code, _) = error_of(
        post(
            &app,
            &app.token("clerk"),
            &revoke_path,
            json!({"reason": "  "}),
        )
        .await,
    )
    .await;
    assert_eq!((status, code.as_str()), (422, "invalid_metadata"));
    let revoked: Value = post(
        &app,
        &app.token("clerk"),
        &revoke_path,
        json!({"reason": "Ban hành sai thẩm quyền"}),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(revoked["status"], "revoked");
    assert_eq!(revoked["revocation"]["reason"], "Ban hành sai thẩm quyền");
    let clerk = app
        .services
        .store
        .find_user_by_username("vanthu")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(revoked["revocation"]["by"], clerk.id.to_string());
    assert_eq!(
        revoked["number"], "01/QĐ-UBND",
        "the number stays with the revoked document"
    );
    // Never deleted: the issued file is still there, byte for byte.
    let still = app
        .get(&app.token("staff"), &format!("/api/documents/{id}/file"))
        .await
        .bytes()
        .await
        .unwrap();
    assert_eq!(still, issued_pdf);
    let (status, _, _) = error_of(
        post(
            &app,
            &app.token("clerk"),
            &revoke_path,
            json!({"reason": "lần nữa"}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 409, "revoked once");
}

#[tokio::test]
async fn a_correction_letter_references_the_original() {
    let app = spawn_app().await;
    let original = draft(&app, "tests/fixtures/pdf/quyet-dinh.pdf").await;
    // Only an issued document can be corrected.
    let metadata = |id: &str| {
        json!({"unit": "VX", "document_type": "cong_van", "subject": "V/v đính chính Quyết định số 01/QĐ-UBND", "signer": "chutich",
        "related_document": {"document_id": id, "relation": "correction"}}).to_string()
    };
    let (status, code, _) = error_of(
        app.upload(
            &app.token("clerk"),
            &metadata(&original),
            Some(fixture("tests/fixtures/pdf/cong-van.pdf")),
        )
        .await,
    )
    .await;
    assert_eq!((status, code.as_str()), (422, "invalid_metadata"));
    sign_and_issue(&app, &original).await;
    let correction: Value = app
        .upload(
            &app.token("clerk"),
            &metadata(&original),
            Some(fixture("tests/fixtures/pdf/cong-van.pdf")),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(correction["related"]["document_id"], original.as_str());
    assert_eq!(correction["related"]["relation"], "correction");
    let id = correction["id"].as_str().unwrap();
    let issued = sign_and_issue(&app, id).await;
    assert_eq!(
        issued["number"], "02/UBND-VX",
        "one sequence per agency and year; công văn notation: agency-unit"
    );
    let related: Value = app
        .get(
            &app.token("staff"),
            &format!("/api/documents/{original}/related"),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(related[0]["id"], id);
}
