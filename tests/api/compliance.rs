//! `GET /api/compliance`: issued documents re-validated with the two-layer policy, exempt
//! state secrets counted apart, failures itemised with their reasons and report links.

use bytes::Bytes;
use chrono::{TimeZone, Utc};
use serde_json::{json, Value};
use uuid::Uuid;
use vanthu::db::{DocumentFileRecord, DocumentRecord, FileKind};
use vanthu::domain::DocumentStatus;

use crate::helpers::*;
use crate::workflow::{draft, post, sign_and_issue};

/// A document recorded as issued whose stored file has only the personal signature, as an
/// import from an older system might: it must show up as a failure.
async fn insert_half_signed(app: &TestApp, template_id: &str) -> Uuid {
    let template: DocumentRecord = app
        .services
        .store
        .get_document(template_id.parse().unwrap())
        .await
        .unwrap();
    let layer1 = {
        let id = draft(app, "tests/fixtures/pdf/ke-hoach.pdf").await;
        let signed: Value = post(
            app,
            &app.token("signer"),
            &format!("/api/documents/{id}/personal-signature"),
            json!({}),
        )
        .await
        .json()
        .await
        .unwrap();
        app.get(
            &app.token("staff"),
            &format!("/api/documents/{}/file", signed["id"].as_str().unwrap()),
        )
        .await
        .bytes()
        .await
        .unwrap()
    };
    insert_issued_file(app, template, layer1.to_vec(), 77, "KH-UBND", 20).await
}

/// Records `bytes` as the issued file of a new document (`template`'s metadata) numbered
/// `ordinal`/`notation` and issued on January `day`, 2027: an import from another system,
/// bypassing the workflow.
pub(crate) async fn insert_issued_file(
    app: &TestApp,
    template: DocumentRecord,
    bytes: Vec<u8>,
    ordinal: i64,
    notation: &str,
    day: u32,
) -> Uuid {
    let layer1 = bytes;
    let stored = app
        .services
        .blobs
        .put_blob(Bytes::from(layer1.clone()))
        .await
        .unwrap();
    let id = Uuid::now_v7();
    let record = DocumentRecord {
        id,
        status: DocumentStatus::Issued,
        ordinal: Some(ordinal),
        notation: Some(notation.into()),
        issued_at: Some(Utc.with_ymd_and_hms(2027, 1, day, 3, 0, 0).unwrap()),
        ..template
    };
    let file = DocumentFileRecord {
        id: Uuid::now_v7(),
        document_id: id,
        kind: FileKind::Issued,
        sha256: stored.hash.to_hex(),
        size_bytes: layer1.len() as i64,
        media_type: "application/pdf".into(),
        original_filename: None,
        created_at: Utc::now(),
    };
    let event = vanthu::db::AuditEventRecord {
        seq: 0,
        id: Uuid::now_v7(),
        occurred_at: Utc::now(),
        actor_user_id: None,
        action: "document.imported".into(),
        document_id: Some(id),
        details_json: "{}".into(),
        prev_hash: None,
        hash: None,
    };
    app.services
        .store
        .insert_document(&record, Some(&file), &event)
        .await
        .unwrap();
    id
}

#[tokio::test]
async fn compliance_counts_required_exempt_and_compliant_and_itemises_failures() {
    let app = spawn_app().await;
    let good = draft(&app, "tests/fixtures/pdf/quyet-dinh.pdf").await;
    sign_and_issue(&app, &good).await;
    let stub: Value = app
        .upload(
            &app.token("clerk"),
            &json!({"unit": "NC", "document_type": "quyet_dinh", "subject": "Nội dung mật", "confidentiality": "mat"}).to_string(),
            None,
        )
        .await
        .json()
        .await
        .unwrap();
    let stub_id = stub["id"].as_str().unwrap();
    let stub_issued = post(
        &app,
        &app.token("clerk"),
        &format!("/api/documents/{stub_id}/issue"),
        json!({"issue_date": "2027-01-06"}),
    )
    .await;
    assert_eq!(stub_issued.status().as_u16(), 200);
    let bad = insert_half_signed(&app, &good).await;

    let report: Value = app
        .get(
            &app.token("clerk"),
            "/api/compliance?from=2027-01-01&to=2027-01-31&group_by=month",
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(report["total"]["required"], 2, "{report:#}");
    assert_eq!(report["total"]["compliant"], 1, "{report:#}");
    assert_eq!(
        report["total"]["exempt"], 1,
        "the clerk's clearance covers MẬT"
    );
    assert_eq!(report["total"]["rate"], 0.5);
    assert_eq!(report["groups"][0]["key"], "2027-01");
    let failures = report["failures"].as_array().unwrap();
    assert_eq!(failures.len(), 1);
    assert_eq!(failures[0]["document_id"], bad.to_string());
    assert_eq!(failures[0]["number"], "77/KH-UBND");
    let reasons = failures[0]["reasons"].to_string();
    assert!(
        reasons.contains("cơ quan"),
        "names the missing agency signature: {reasons}"
    );
    assert_eq!(
        failures[0]["report_path"],
        format!("/api/documents/{bad}/verification")
    );

    // The auditor (clearance none) sees no count of state secrets.
    let auditor: Value = app
        .get(
            &app.token("auditor"),
            "/api/compliance?from=2027-01-01&to=2027-01-31",
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(auditor["total"]["exempt"], 0);
    assert_eq!(auditor["total"]["required"], 2);

    let csv = app
        .get(
            &app.token("auditor"),
            "/api/compliance?from=2027-01-01&to=2027-01-31&format=csv",
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(csv.contains("Tổng cộng,2,0,1,50.0%"), "{csv}");
    let xlsx = app
        .get(
            &app.token("auditor"),
            "/api/compliance?from=2027-01-01&to=2027-01-31&format=xlsx",
        )
        .await
        .bytes()
        .await
        .unwrap();
    assert!(xlsx.starts_with(b"PK"), "an XLSX (zip) file");

    let (status, code, _) = error_of(
        app.get(
            &app.token("staff"),
            "/api/compliance?from=2027-01-01&to=2027-01-31",
        )
        .await,
    )
    .await;
    assert_eq!((status, code.as_str()), (403, "forbidden"));
    let (status, code, _) = error_of(
        app.get(
            &app.token("auditor"),
            "/api/compliance?from=2027-01-01&to=2027-01-31&agency=000.00.00.X99",
        )
        .await,
    )
    .await;
    assert_eq!((status, code.as_str()), (403, "forbidden"));
}

#[tokio::test]
async fn scheduled_revalidation_records_verdicts_and_audits_changes() {
    let app = spawn_app().await;
    let good = draft(&app, "tests/fixtures/pdf/quyet-dinh.pdf").await;
    sign_and_issue(&app, &good).await;
    let bad = insert_half_signed(&app, &good).await;
    let good: Uuid = good.parse().unwrap();
    // A stale earlier result, as if the good document had failed before (say its certificate
    // was unreachable for a revocation check): the new verdict differs and is audited.
    app.services
        .store
        .record_verification(
            &vanthu::db::VerificationResultRecord {
                document_id: good,
                file_sha256: String::new(),
                checked_at: Utc::now(),
                valid: false,
                verdict: "non_compliant".into(),
                reasons_json: "[]".into(),
            },
            None,
        )
        .await
        .unwrap();

    let first = app.services.revalidate_documents().await.unwrap();
    assert_eq!(
        (first.checked, first.compliant, first.non_compliant),
        (2, 1, 1)
    );
    assert_eq!(
        first.changed, 2,
        "good: non_compliant → compliant; bad: first failure"
    );
    let stored = app
        .services
        .store
        .verification_result(bad)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.verdict, "non_compliant");
    assert!(
        !stored.valid || stored.reasons_json.contains("cơ quan"),
        "{stored:?}"
    );
    let good_result = app
        .services
        .store
        .verification_result(good)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(good_result.verdict, "compliant");
    let events = app
        .services
        .store
        .list_audit_events(Some(good))
        .await
        .unwrap();
    let change = events
        .iter()
        .find(|e| e.action == "document.revalidated")
        .expect("the change is audited");
    assert!(
        change.details_json.contains("\"from\":\"non_compliant\""),
        "{}",
        change.details_json
    );

    let second = app.services.revalidate_documents().await.unwrap();
    assert_eq!(second.changed, 0, "nothing changed since the last run");
}
