//! Conformance suite for the workflow part of the store (layer-1 transitions, signing
//! sessions, gapless numbering), on SQLite and on a real PostgreSQL server.

use std::sync::Arc;

use chrono::Duration;
use futures::FutureExt;
use uuid::Uuid;
use vanthu::db::*;
use vanthu::domain::{Confidentiality, DocumentStatus, Role};

use crate::metadata_store::{agency, document, event, now, postgres_store, sqlite_store, user};

#[tokio::test]
async fn sqlite_passes_the_workflow_suite() {
    let (store, _dir) = sqlite_store().await;
    run_suite(store).await;
}

#[tokio::test]
async fn postgres_passes_the_workflow_suite() {
    let Some(store) = postgres_store().await else {
        return;
    };
    run_suite(store).await;
}

struct World {
    agency: AgencyRecord,
    unit: UnitRecord,
    clerk: UserRecord,
}

async fn world(store: &SharedStore) -> World {
    let agency = agency("000.00.00.W01");
    store.insert_agency(&agency).await.unwrap();
    let unit = UnitRecord {
        id: Uuid::now_v7(),
        agency_id: agency.id,
        abbreviation: "VP".into(),
        name: "Văn phòng".into(),
        created_at: now(),
    };
    store.insert_unit(&unit).await.unwrap();
    let clerk = user("vanthu", Role::Clerk, &agency, &unit);
    store.insert_user(&clerk).await.unwrap();
    World {
        agency,
        unit,
        clerk,
    }
}

fn file(document_id: Uuid, kind: FileKind) -> DocumentFileRecord {
    DocumentFileRecord {
        id: Uuid::now_v7(),
        document_id,
        kind,
        sha256: format!("{:064x}", document_id.as_u128()),
        size_bytes: 10,
        media_type: "application/pdf".into(),
        original_filename: None,
        created_at: now(),
    }
}

async fn signed_document(store: &SharedStore, w: &World) -> DocumentRecord {
    let draft = document(&w.agency, &w.unit, &w.clerk, Confidentiality::None);
    store
        .insert_document(
            &draft,
            Some(&file(draft.id, FileKind::Draft)),
            &event(draft.id, "document.registered"),
        )
        .await
        .unwrap();
    store
        .record_layer_one(
            draft.id,
            &file(draft.id, FileKind::SignedPersonal),
            &event(draft.id, "document.signed_personal"),
        )
        .await
        .unwrap();
    store.get_document(draft.id).await.unwrap()
}

fn register(w: &World, year: i32) -> RegisterKey {
    RegisterKey {
        agency_id: w.agency.id,
        year,
        sequence_kind: SequenceKind::Regular,
        document_type: String::new(),
    }
}

fn issued(document_id: Uuid, number: i64) -> IssuedDocument {
    IssuedDocument {
        status: DocumentStatus::Issued,
        notation: "QĐ-UBND".into(),
        issued_at: now(),
        file: Some(file(document_id, FileKind::Issued)),
        event: AuditEventRecord {
            details_json: format!("{{\"number\":{number}}}"),
            ..event(document_id, "document.issued")
        },
    }
}

async fn issue(store: &SharedStore, register: &RegisterKey, document_id: Uuid) -> DbResult<i64> {
    let mut build =
        move |number: i64| async move { Ok::<_, BuildError>(issued(document_id, number)) }.boxed();
    store
        .issue_with_next_number(register, document_id, &mut build)
        .await
        .map(|(n, _)| n)
}

async fn run_suite(store: SharedStore) {
    let w = world(&store).await;
    layer_one_transitions(&store, &w).await;
    sessions(&store, &w).await;
    numbering(&store, &w).await;
    concurrent_numbering(&store, &w).await;
    copies(&store, &w).await;
}

/// A copy's row, number, file and event land together; a failed copy leaves no row and no
/// used number.
async fn copies(store: &SharedStore, w: &World) {
    let original = signed_document(store, w).await;
    issue(store, &register(w, 2031), original.id).await.unwrap();
    let copies_register = RegisterKey {
        sequence_kind: SequenceKind::Copy,
        ..register(w, 2031)
    };
    let copy_of = |kind| DocumentRecord {
        id: Uuid::now_v7(),
        copy_of: Some(CopyOf {
            original_id: original.id,
            kind,
        }),
        ..store_original(&original)
    };
    let failed = copy_of(vanthu::domain::CopyKind::SaoY);
    let mut failing =
        |_: i64| async { Err::<IssuedDocument, BuildError>("signing failed".into()) }.boxed();
    assert!(store
        .issue_copy_with_next_number(&copies_register, &failed, &mut failing)
        .await
        .is_err());
    assert!(matches!(
        store.get_document(failed.id).await,
        Err(DbError::NotFound)
    ));

    let copy = copy_of(vanthu::domain::CopyKind::TrichSao);
    let copy_id = copy.id;
    let mut build =
        move |number: i64| async move { Ok::<_, BuildError>(issued(copy_id, number)) }.boxed();
    let (number, _) = store
        .issue_copy_with_next_number(&copies_register, &copy, &mut build)
        .await
        .unwrap();
    assert_eq!(number, 1, "the failed copy used no number");
    let stored = store.get_document(copy_id).await.unwrap();
    assert_eq!(stored.status, DocumentStatus::Issued);
    assert_eq!(stored.ordinal, Some(1));
    assert_eq!(stored.copy_of, copy.copy_of);
    assert_eq!(
        store.current_file(copy_id).await.unwrap().unwrap().kind,
        FileKind::Issued
    );
    let listed = store.copies_of(original.id).await.unwrap();
    assert_eq!(listed.iter().map(|d| d.id).collect::<Vec<_>>(), [copy_id]);

    // Re-validation results: one row per document, replaced by the next run.
    let mut result = VerificationResultRecord {
        document_id: original.id,
        file_sha256: "ab".repeat(32),
        checked_at: now(),
        valid: true,
        verdict: "compliant".into(),
        reasons_json: "[]".into(),
    };
    store.record_verification(&result, None).await.unwrap();
    result.verdict = "non_compliant".into();
    result.reasons_json = r#"["chứng thư số đã bị thu hồi"]"#.into();
    let change = event(original.id, "document.revalidated");
    store
        .record_verification(&result, Some(&change))
        .await
        .unwrap();
    let stored = store
        .verification_result(original.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.verdict, "non_compliant");
    assert_eq!(stored.reasons_json, result.reasons_json);
    assert!(store
        .all_issued_documents()
        .await
        .unwrap()
        .iter()
        .any(|d| d.id == copy_id));
}

fn store_original(original: &DocumentRecord) -> DocumentRecord {
    DocumentRecord {
        status: DocumentStatus::Issued,
        ordinal: None,
        notation: None,
        issued_at: None,
        ..original.clone()
    }
}

async fn layer_one_transitions(store: &SharedStore, w: &World) {
    let doc = signed_document(store, w).await;
    assert_eq!(doc.status, DocumentStatus::SignedPersonal);
    assert_eq!(
        store.current_file(doc.id).await.unwrap().unwrap().kind,
        FileKind::SignedPersonal
    );
    // A second layer 1 on the same document is refused and writes nothing.
    let again = store
        .record_layer_one(
            doc.id,
            &file(doc.id, FileKind::SignedPersonal),
            &event(doc.id, "again"),
        )
        .await;
    assert!(matches!(again, Err(DbError::Conflict(_))));
    assert_eq!(
        store.list_audit_events(Some(doc.id)).await.unwrap().len(),
        2
    );
    let signer = user("chutich", Role::Signer, &w.agency, &w.unit);
    store.insert_user(&signer).await.unwrap();
    assert!(matches!(
        store
            .assign_signer(doc.id, signer.id, &event(doc.id, "assign"))
            .await,
        Err(DbError::Conflict(_))
    ));
}

async fn sessions(store: &SharedStore, w: &World) {
    let draft = document(&w.agency, &w.unit, &w.clerk, Confidentiality::None);
    store
        .insert_document(
            &draft,
            Some(&file(draft.id, FileKind::Draft)),
            &event(draft.id, "document.registered"),
        )
        .await
        .unwrap();
    let certificate = CertificateRecord {
        id: Uuid::now_v7(),
        agency_id: w.agency.id,
        purpose: CertificatePurpose::Personal,
        subject: "CN=Token".into(),
        issuer: "CN=CA".into(),
        serial_hex: "02".into(),
        sha256_fingerprint: "e".repeat(64),
        pem: "pem".into(),
        not_before: now(),
        not_after: now() + Duration::days(30),
        pkcs12_path: None,
        created_at: now(),
    };
    store.insert_certificate(&certificate).await.unwrap();
    let session = SigningSessionRecord {
        id: Uuid::now_v7(),
        document_id: draft.id,
        user_id: w.clerk.id,
        certificate_id: certificate.id,
        prepared_sha256: "a".repeat(64),
        contents_start: 100,
        contents_end: 200,
        signed_attributes_hex: "3100".into(),
        created_at: now(),
        expires_at: now() + Duration::minutes(5),
        completed_at: None,
    };
    store.insert_signing_session(&session).await.unwrap();
    assert_eq!(
        store.get_signing_session(session.id).await.unwrap(),
        session
    );
    assert_eq!(
        store
            .get_certificate(certificate.id)
            .await
            .unwrap()
            .pkcs12_path,
        None
    );
    store
        .complete_signing_session(
            session.id,
            &file(draft.id, FileKind::SignedPersonal),
            &event(draft.id, "document.signed_personal"),
        )
        .await
        .unwrap();
    assert!(store
        .get_signing_session(session.id)
        .await
        .unwrap()
        .completed_at
        .is_some());
    let twice = store
        .complete_signing_session(
            session.id,
            &file(draft.id, FileKind::SignedPersonal),
            &event(draft.id, "again"),
        )
        .await;
    assert!(matches!(twice, Err(DbError::Conflict(_))));
    assert_eq!(
        store.get_document(draft.id).await.unwrap().status,
        DocumentStatus::SignedPersonal
    );
}

async fn numbering(store: &SharedStore, w: &World) {
    let year = register(w, 2027);
    let first = signed_document(store, w).await;
    assert_eq!(issue(store, &year, first.id).await.unwrap(), 1);
    let issued_first = store.get_document(first.id).await.unwrap();
    assert_eq!(
        (
            issued_first.status,
            issued_first.ordinal,
            issued_first.notation.as_deref()
        ),
        (DocumentStatus::Issued, Some(1), Some("QĐ-UBND"))
    );
    assert_eq!(
        store.current_file(first.id).await.unwrap().unwrap().kind,
        FileKind::Issued
    );

    // Issuing the same document twice conflicts and does not consume a number.
    assert!(matches!(
        issue(store, &year, first.id).await,
        Err(DbError::Conflict(_))
    ));
    // A failing build step rolls back: the number is not consumed, nothing is written.
    let second = signed_document(store, w).await;
    let mut failing =
        |_: i64| async { Err::<IssuedDocument, BuildError>("signing failed".into()) }.boxed();
    assert!(matches!(
        store
            .issue_with_next_number(&year, second.id, &mut failing)
            .await,
        Err(DbError::Aborted(_))
    ));
    assert_eq!(
        store.get_document(second.id).await.unwrap().status,
        DocumentStatus::SignedPersonal
    );
    assert_eq!(
        issue(store, &year, second.id).await.unwrap(),
        2,
        "no gap after a failure"
    );
    // Another year starts again at 1; a draft (not yet signed) cannot be issued.
    let third = signed_document(store, w).await;
    assert_eq!(issue(store, &register(w, 2028), third.id).await.unwrap(), 1);
    let draft = document(&w.agency, &w.unit, &w.clerk, Confidentiality::None);
    store
        .insert_document(&draft, None, &event(draft.id, "document.registered"))
        .await
        .unwrap();
    assert!(matches!(
        issue(store, &year, draft.id).await,
        Err(DbError::Conflict(_))
    ));
    let fourth = signed_document(store, w).await;
    assert_eq!(issue(store, &year, fourth.id).await.unwrap(), 3);
}

async fn concurrent_numbering(store: &SharedStore, w: &World) {
    let register = Arc::new(RegisterKey {
        agency_id: w.agency.id,
        year: 2030,
        sequence_kind: SequenceKind::Regular,
        document_type: String::new(),
    });
    let mut documents = Vec::new();
    for _ in 0..20 {
        documents.push(signed_document(store, w).await.id);
    }
    let tasks: Vec<_> = documents
        .into_iter()
        .map(|id| {
            let (store, register) = (store.clone(), register.clone());
            tokio::spawn(async move { issue(&store, &register, id).await.unwrap() })
        })
        .collect();
    let mut numbers: Vec<i64> = futures::future::join_all(tasks)
        .await
        .into_iter()
        .map(|r| r.unwrap())
        .collect();
    numbers.sort_unstable();
    assert_eq!(
        numbers,
        (1..=20).collect::<Vec<_>>(),
        "gapless and unique under concurrency"
    );
}
