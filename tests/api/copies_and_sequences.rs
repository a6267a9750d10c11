//! The register's other sequences: legal normative documents numbered per type with the year
//! in the notation, and copies (SY/SL/TrS) numbered in the agency's copies sequence, each
//! copy an agency-signed file that keeps the original's two signatures valid.

use serde_json::{json, Value};

use crate::helpers::*;
use crate::workflow::{post, sign_and_issue};

/// The value of the form field named `name` (UTF-16 or PDFDocEncoding text string).
fn field_value(pdf: &[u8], name: &str) -> Option<String> {
    let document = lopdf::Document::load_mem(pdf).unwrap();
    let field = find_field(&document, name)?;
    let value = field.get(b"V").ok()?.as_str().ok()?;
    Some(lopdf::decode_text_string(&lopdf::Object::string_literal(value)).unwrap_or_default())
}

/// The content stream of the field's normal appearance, decompressed.
fn field_appearance_text(pdf: &[u8], name: &str) -> String {
    let document = lopdf::Document::load_mem(pdf).unwrap();
    let field = find_field(&document, name).expect("the field exists");
    let appearance = field
        .get(b"AP")
        .and_then(lopdf::Object::as_dict)
        .and_then(|ap| ap.get(b"N"))
        .and_then(lopdf::Object::as_reference)
        .expect("a normal appearance");
    let stream = document
        .get_object(appearance)
        .unwrap()
        .as_stream()
        .unwrap();
    let content = stream
        .decompressed_content()
        .unwrap_or_else(|_| stream.content.clone());
    String::from_utf8_lossy(&content).into_owned()
}

fn find_field<'a>(document: &'a lopdf::Document, name: &str) -> Option<&'a lopdf::Dictionary> {
    document.objects.values().find_map(|object| {
        let dict = object.as_dict().ok()?;
        let title = dict.get(b"T").ok()?.as_str().ok()?;
        (title == name.as_bytes()).then_some(dict)
    })
}

async fn draft_with(app: &TestApp, metadata: Value) -> String {
    let response = app
        .upload(
            &app.token("clerk"),
            &metadata.to_string(),
            Some(fixture("tests/fixtures/pdf/quyet-dinh.pdf")),
        )
        .await;
    assert_eq!(response.status().as_u16(), 201);
    response.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn metadata(document_type: &str, legal_normative: bool) -> Value {
    json!({
        "unit": "VX",
        "document_type": document_type,
        "subject": "Ban hành Quy định quản lý trật tự xây dựng trên địa bàn tỉnh",
        "signer": "chutich",
        "legal_normative": legal_normative,
    })
}

#[tokio::test]
async fn legal_normative_documents_have_their_own_per_type_sequence_with_the_year() {
    let app = spawn_app().await;
    let regular = draft_with(&app, metadata("quyet_dinh", false)).await;
    let normative_qd = draft_with(&app, metadata("quyet_dinh", true)).await;
    let normative_qd_2 = draft_with(&app, metadata("quyet_dinh", true)).await;
    let normative_nq = draft_with(&app, metadata("nghi_quyet", true)).await;

    let first = sign_and_issue(&app, &regular).await;
    assert_eq!(first["number"], "01/QĐ-UBND");
    let normative = sign_and_issue(&app, &normative_qd).await;
    assert_eq!(normative["number"], "01/2027/QĐ-UBND");
    assert_eq!(normative["document"]["legal_normative"], true);
    let second = sign_and_issue(&app, &normative_qd_2).await;
    assert_eq!(
        second["number"], "02/2027/QĐ-UBND",
        "same type: the sequence continues"
    );
    let resolution = sign_and_issue(&app, &normative_nq).await;
    assert_eq!(
        resolution["number"], "01/2027/NQ-UBND",
        "another type: its own sequence"
    );

    // The number printed into the PDF is the whole legal normative number.
    let pdf = app
        .get(
            &app.token("staff"),
            &format!("/api/documents/{normative_qd}/file"),
        )
        .await
        .bytes()
        .await
        .unwrap();
    assert_eq!(
        field_value(&pdf, "SoVanBan").as_deref(),
        Some("01/2027/QĐ-UBND")
    );

    // Only types issued as legal normative documents may be marked so.
    let response = app
        .upload(
            &app.token("clerk"),
            &metadata("ke_hoach", true).to_string(),
            Some(fixture("tests/fixtures/pdf/ke-hoach.pdf")),
        )
        .await;
    let (status, code, message) = error_of(response).await;
    assert_eq!(
        (status, code.as_str()),
        (422, "invalid_metadata"),
        "{message}"
    );
    assert!(message.contains("legal_normative"), "{message}");
}

#[tokio::test]
async fn a_copy_is_numbered_in_the_copies_sequence_and_keeps_the_original_signatures_valid() {
    let app = spawn_app().await;
    let id = draft_with(&app, metadata("quyet_dinh", false)).await;
    let issued = sign_and_issue(&app, &id).await;
    assert_eq!(issued["number"], "01/QĐ-UBND");
    let clerk = app.token("clerk");

    let copy = post(
        &app,
        &clerk,
        &format!("/api/documents/{id}/copies"),
        json!({"kind": "sao_y", "copy_date": "2027-02-01", "location": "Bình An"}),
    )
    .await;
    assert_eq!(
        copy.status().as_u16(),
        201,
        "{}",
        copy.text().await.unwrap()
    );
    let copy: Value = copy.json().await.unwrap();
    assert_eq!(copy["number"], "01/SY-UBND");
    assert_eq!(copy["document"]["copy_of"]["document_id"], id.as_str());
    assert_eq!(copy["document"]["copy_of"]["kind"], "sao_y");
    assert_eq!(copy["document"]["status"], "issued");
    let second = post(
        &app,
        &clerk,
        &format!("/api/documents/{id}/copies"),
        json!({"kind": "trich_sao", "copy_date": "2027-02-02"}),
    )
    .await
    .json::<Value>()
    .await
    .unwrap();
    assert_eq!(
        second["number"], "02/TrS-UBND",
        "SY, SL and TrS share one copies sequence"
    );
    // The regular sequence is untouched by copies.
    let next = draft_with(&app, metadata("quyet_dinh", false)).await;
    assert_eq!(sign_and_issue(&app, &next).await["number"], "02/QĐ-UBND");

    let listed: Value = app
        .get(&app.token("staff"), &format!("/api/documents/{id}/copies"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 2);

    let copy_id = copy["document"]["id"].as_str().unwrap();
    let original = app
        .get(&app.token("staff"), &format!("/api/documents/{id}/file"))
        .await
        .bytes()
        .await
        .unwrap();
    let pdf = app
        .get(
            &app.token("staff"),
            &format!("/api/documents/{copy_id}/file"),
        )
        .await
        .bytes()
        .await
        .unwrap();
    assert!(pdf.starts_with(&original), "the original's bytes are kept");
    let trust = vanthu::verify::TrustAnchors::from_pem_files(&[
        app.credentials.pki.root_ca.as_path(),
        app.credentials.pki.issuing_ca.as_path(),
    ])
    .unwrap();
    let report = vanthu::verify::verify_pdf(
        &pdf,
        &vanthu::verify::VerifyOptions {
            trust,
            ..Default::default()
        },
    )
    .unwrap();
    assert!(
        report.valid,
        "{}",
        serde_json::to_string_pretty(&report).unwrap()
    );
    assert_eq!(report.signatures.len(), 3);
    let stamp = field_appearance_text(&pdf, "Sig3_BanSao");
    assert!(
        stamp.contains("Tj") || stamp.contains("TJ"),
        "the copy's stamp draws text: {stamp}"
    );
    if crate::signing::oracles_available() {
        let dir = tempfile::tempdir().unwrap();
        let path = crate::signing::write_temp(dir.path(), "copy.pdf", &pdf);
        let results = crate::signing::pyhanko_with(
            &path,
            &app.credentials.pki.root_ca,
            &app.credentials.pki.issuing_ca,
        );
        assert_eq!(results.len(), 3, "{results:?}");
        assert!(
            results.iter().all(|s| s["bottom_line"] == true),
            "{results:?}"
        );
    }
}

#[tokio::test]
async fn copies_are_refused_for_drafts_revoked_documents_and_other_roles() {
    let app = spawn_app().await;
    let draft = draft_with(&app, metadata("quyet_dinh", false)).await;
    let clerk = app.token("clerk");
    let body = json!({"kind": "sao_luc"});
    let (status, code, _) = error_of(
        post(
            &app,
            &clerk,
            &format!("/api/documents/{draft}/copies"),
            body.clone(),
        )
        .await,
    )
    .await;
    assert_eq!((status, code.as_str()), (409, "conflict"));

    sign_and_issue(&app, &draft).await;
    let (status, code, _) = error_of(
        post(
            &app,
            &app.token("staff"),
            &format!("/api/documents/{draft}/copies"),
            body.clone(),
        )
        .await,
    )
    .await;
    assert_eq!((status, code.as_str()), (403, "forbidden"));
    let (status, code, _) = error_of(
        post(
            &app,
            &clerk,
            &format!("/api/documents/{draft}/copies"),
            json!({"kind": "photocopy"}),
        )
        .await,
    )
    .await;
    assert_eq!((status, code.as_str()), (400, "bad_request"));

    let revoked = post(
        &app,
        &clerk,
        &format!("/api/documents/{draft}/revoke"),
        json!({"reason": "Ban hành sai thẩm quyền"}),
    )
    .await;
    assert_eq!(revoked.status().as_u16(), 200);
    let (status, code, message) = error_of(
        post(
            &app,
            &clerk,
            &format!("/api/documents/{draft}/copies"),
            body,
        )
        .await,
    )
    .await;
    assert_eq!((status, code.as_str()), (409, "conflict"), "{message}");
    assert!(message.contains("revoked"), "{message}");
    // A refused copy consumed no number: the first copy made later is still 01.
    let other = draft_with(&app, metadata("quyet_dinh", false)).await;
    sign_and_issue(&app, &other).await;
    let copy: Value = post(
        &app,
        &clerk,
        &format!("/api/documents/{other}/copies"),
        json!({"kind": "sao_y"}),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(copy["number"], "01/SY-UBND");
}
