//! One conformance suite for the metadata store, run against SQLite and against a real
//! PostgreSQL server. Each check gets a fresh, empty store.

use chrono::{Duration, Utc};
use uuid::Uuid;
use vanthu::db::*;
use vanthu::domain::{Confidentiality, DocumentStatus, DocumentType, Role, Urgency};

use crate::helpers::fresh_postgres_database;

pub(crate) async fn sqlite_store() -> (SharedStore, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("conformance.db"), 4)
        .await
        .unwrap();
    store.migrate().await.unwrap();
    (std::sync::Arc::new(store), dir)
}

pub(crate) async fn postgres_store() -> Option<SharedStore> {
    let url = fresh_postgres_database().await?;
    let store = PostgresStore::open(&url, 4).await.unwrap();
    store.migrate().await.unwrap();
    // Migrating twice is a no-op (nodes restart, several nodes start together).
    store.migrate().await.unwrap();
    Some(std::sync::Arc::new(store))
}

#[tokio::test]
async fn sqlite_passes_the_conformance_suite() {
    let (store, _dir) = sqlite_store().await;
    assert_eq!(store.backend_name(), "sqlite");
    run_suite(store).await;
}

#[tokio::test]
async fn postgres_passes_the_conformance_suite() {
    let Some(store) = postgres_store().await else {
        return;
    };
    assert_eq!(store.backend_name(), "postgres");
    run_suite(store).await;
}

async fn run_suite(store: SharedStore) {
    store.ping().await.unwrap();
    let (agency, unit) = agencies_and_units(&store).await;
    let clerk = users(&store, &agency, &unit).await;
    tokens(&store, &clerk).await;
    certificates_and_signers(&store, &agency, &clerk).await;
    documents(&store, &agency, &unit, &clerk).await;
}

pub(crate) fn agency(organ_id: &str) -> AgencyRecord {
    AgencyRecord {
        id: Uuid::now_v7(),
        organ_id: organ_id.into(),
        name: "Ủy ban nhân dân tỉnh Thử".into(),
        abbreviation: "UBND".into(),
        seal_image_sha256: None,
        created_at: now(),
    }
}

/// Timestamps rounded to microseconds: PostgreSQL's precision.
pub(crate) fn now() -> chrono::DateTime<Utc> {
    let t = Utc::now();
    chrono::DateTime::from_timestamp_micros(t.timestamp_micros()).unwrap()
}

async fn agencies_and_units(store: &SharedStore) -> (AgencyRecord, UnitRecord) {
    let a = agency("000.00.00.T01");
    store.insert_agency(&a).await.unwrap();
    assert!(matches!(
        store.insert_agency(&agency("000.00.00.T01")).await,
        Err(DbError::Conflict(_))
    ));
    assert_eq!(
        store
            .find_agency_by_organ_id("000.00.00.T01")
            .await
            .unwrap(),
        Some(a.clone())
    );
    assert_eq!(
        store
            .find_agency_by_organ_id("000.00.00.T02")
            .await
            .unwrap(),
        None
    );
    assert_eq!(store.get_agency(a.id).await.unwrap(), a);
    assert!(matches!(
        store.get_agency(Uuid::now_v7()).await,
        Err(DbError::NotFound)
    ));

    let vx = UnitRecord {
        id: Uuid::now_v7(),
        agency_id: a.id,
        abbreviation: "VX".into(),
        name: "Phòng Văn hóa - Xã hội".into(),
        created_at: now(),
    };
    let kt = UnitRecord {
        id: Uuid::now_v7(),
        agency_id: a.id,
        abbreviation: "KT".into(),
        name: "Phòng Kinh tế".into(),
        created_at: now(),
    };
    store.insert_unit(&vx).await.unwrap();
    store.insert_unit(&kt).await.unwrap();
    let duplicate = UnitRecord {
        id: Uuid::now_v7(),
        ..vx.clone()
    };
    assert!(matches!(
        store.insert_unit(&duplicate).await,
        Err(DbError::Conflict(_))
    ));
    let names: Vec<_> = store
        .list_units(a.id)
        .await
        .unwrap()
        .into_iter()
        .map(|u| u.abbreviation)
        .collect();
    assert_eq!(names, ["KT", "VX"]);
    assert_eq!(store.find_unit(a.id, "VX").await.unwrap(), Some(vx.clone()));
    (a, vx)
}

pub(crate) fn user(
    username: &str,
    role: Role,
    agency: &AgencyRecord,
    unit: &UnitRecord,
) -> UserRecord {
    UserRecord {
        id: Uuid::now_v7(),
        username: username.into(),
        display_name: "Lê Thị Hoa".into(),
        password_hash: Some("$argon2id$placeholder".into()),
        role,
        clearance: Confidentiality::Mat,
        agency_id: agency.id,
        unit_id: Some(unit.id),
        active: true,
        created_at: now(),
    }
}

async fn users(store: &SharedStore, agency: &AgencyRecord, unit: &UnitRecord) -> UserRecord {
    let clerk = user("vanthu", Role::Clerk, agency, unit);
    store.insert_user(&clerk).await.unwrap();
    let same_name = user("vanthu", Role::Staff, agency, unit);
    assert!(matches!(
        store.insert_user(&same_name).await,
        Err(DbError::Conflict(_))
    ));
    assert_eq!(
        store.find_user_by_username("vanthu").await.unwrap(),
        Some(clerk.clone())
    );
    assert_eq!(store.get_user(clerk.id).await.unwrap(), clerk);
    store.set_user_role(clerk.id, Role::Auditor).await.unwrap();
    assert_eq!(store.get_user(clerk.id).await.unwrap().role, Role::Auditor);
    store.set_user_role(clerk.id, Role::Clerk).await.unwrap();
    store
        .set_user_password_hash(clerk.id, "$argon2id$new")
        .await
        .unwrap();
    assert_eq!(
        store
            .get_user(clerk.id)
            .await
            .unwrap()
            .password_hash
            .as_deref(),
        Some("$argon2id$new")
    );
    assert!(matches!(
        store.set_user_role(Uuid::now_v7(), Role::Admin).await,
        Err(DbError::NotFound)
    ));
    store
        .insert_user(&user("chuyenvien", Role::Staff, agency, unit))
        .await
        .unwrap();
    let listed: Vec<_> = store
        .list_users()
        .await
        .unwrap()
        .into_iter()
        .map(|u| u.username)
        .collect();
    assert_eq!(listed, ["chuyenvien", "vanthu"]);
    store.get_user(clerk.id).await.unwrap()
}

async fn tokens(store: &SharedStore, clerk: &UserRecord) {
    let live = TokenRecord {
        id: Uuid::now_v7(),
        user_id: clerk.id,
        kind: TokenKind::Api,
        name: "ci".into(),
        token_hash: "hash-live".into(),
        created_at: now(),
        expires_at: Some(now() + Duration::hours(1)),
        revoked_at: None,
    };
    let expired = TokenRecord {
        id: Uuid::now_v7(),
        token_hash: "hash-expired".into(),
        expires_at: Some(now() - Duration::seconds(1)),
        kind: TokenKind::Session,
        ..live.clone()
    };
    store.insert_token(&live).await.unwrap();
    store.insert_token(&expired).await.unwrap();
    assert!(matches!(
        store
            .insert_token(&TokenRecord {
                id: Uuid::now_v7(),
                ..live.clone()
            })
            .await,
        Err(DbError::Conflict(_))
    ));
    let (found, owner) = store
        .find_live_token("hash-live", Utc::now())
        .await
        .unwrap()
        .unwrap();
    assert_eq!((found.id, owner.id), (live.id, clerk.id));
    assert!(store
        .find_live_token("hash-expired", Utc::now())
        .await
        .unwrap()
        .is_none());
    assert!(store
        .find_live_token("hash-unknown", Utc::now())
        .await
        .unwrap()
        .is_none());
    store.revoke_token(live.id, Utc::now()).await.unwrap();
    assert!(store
        .find_live_token("hash-live", Utc::now())
        .await
        .unwrap()
        .is_none());
    assert!(matches!(
        store.revoke_token(live.id, Utc::now()).await,
        Err(DbError::NotFound)
    ));
    assert_eq!(store.list_tokens(clerk.id).await.unwrap().len(), 2);
}

async fn certificates_and_signers(store: &SharedStore, agency: &AgencyRecord, person: &UserRecord) {
    let certificate = CertificateRecord {
        id: Uuid::now_v7(),
        agency_id: agency.id,
        purpose: CertificatePurpose::Personal,
        subject: "CN=Nguyễn Văn An, O=Ủy ban nhân dân tỉnh Thử, C=VN".into(),
        issuer: "CN=Test CA".into(),
        serial_hex: "01ab".into(),
        sha256_fingerprint: "f".repeat(64),
        pem: "-----BEGIN CERTIFICATE-----".into(),
        not_before: now(),
        not_after: now() + Duration::days(365),
        pkcs12_path: None,
        created_at: now(),
    };
    store.insert_certificate(&certificate).await.unwrap();
    assert!(matches!(
        store
            .insert_certificate(&CertificateRecord {
                id: Uuid::now_v7(),
                ..certificate.clone()
            })
            .await,
        Err(DbError::Conflict(_))
    ));
    let signer = SignerRecord {
        id: Uuid::now_v7(),
        user_id: person.id,
        certificate_id: certificate.id,
        position: "Chủ tịch".into(),
        authority_mark: Some("TM.".into()),
        signature_image_sha256: None,
        active: true,
        created_at: now(),
    };
    store.insert_signer(&signer).await.unwrap();
    let signers = store.list_signers(agency.id).await.unwrap();
    assert_eq!(signers.len(), 1);
    assert_eq!(signers[0].position, "Chủ tịch");
    assert_eq!(signers[0].certificate_subject, certificate.subject);
}

pub(crate) fn document(
    agency: &AgencyRecord,
    unit: &UnitRecord,
    clerk: &UserRecord,
    level: Confidentiality,
) -> DocumentRecord {
    DocumentRecord {
        id: Uuid::now_v7(),
        agency_id: agency.id,
        unit_id: unit.id,
        document_type: DocumentType::QuyetDinh,
        confidentiality: level,
        urgency: Urgency::HoaToc,
        status: DocumentStatus::Draft,
        subject: "Về việc thử nghiệm".into(),
        language: "vi".into(),
        page_amount: Some(2),
        description: None,
        recipients_json: "[]".into(),
        issued_amount: Some(3),
        due_date: chrono::NaiveDate::from_ymd_opt(2027, 1, 5),
        signer_user_id: None,
        ordinal: None,
        notation: None,
        issued_at: None,
        created_by: clerk.id,
        created_at: now(),
        updated_at: now(),
        exemption_rule_id: Some("regular".into()),
        summary_withheld: false,
        revocation: None,
        related: None,
        legal_normative: true,
        copy_of: None,
    }
}

pub(crate) fn event(document_id: Uuid, action: &str) -> AuditEventRecord {
    AuditEventRecord {
        seq: 0,
        prev_hash: None,
        hash: None,
        id: Uuid::now_v7(),
        occurred_at: now(),
        actor_user_id: None,
        action: action.into(),
        document_id: Some(document_id),
        details_json: "{}".into(),
    }
}

async fn documents(
    store: &SharedStore,
    agency: &AgencyRecord,
    unit: &UnitRecord,
    clerk: &UserRecord,
) {
    let open = document(agency, unit, clerk, Confidentiality::None);
    let file = DocumentFileRecord {
        id: Uuid::now_v7(),
        document_id: open.id,
        kind: FileKind::Draft,
        sha256: "a".repeat(64),
        size_bytes: 1234,
        media_type: "application/pdf".into(),
        original_filename: Some("Quyết định.pdf".into()),
        created_at: now(),
    };
    store
        .insert_document(&open, Some(&file), &event(open.id, "document.registered"))
        .await
        .unwrap();
    assert_eq!(store.get_document(open.id).await.unwrap(), open);
    assert_eq!(
        store.current_file(open.id).await.unwrap(),
        Some(file.clone())
    );

    // The insert is atomic: a failing file row leaves no document and no audit event.
    let broken = document(agency, unit, clerk, Confidentiality::None);
    let clashing_file = DocumentFileRecord {
        document_id: broken.id,
        ..file.clone()
    };
    assert!(matches!(
        store
            .insert_document(
                &broken,
                Some(&clashing_file),
                &event(broken.id, "document.registered")
            )
            .await,
        Err(DbError::Conflict(_))
    ));
    assert!(matches!(
        store.get_document(broken.id).await,
        Err(DbError::NotFound)
    ));
    assert!(store
        .list_audit_events(Some(broken.id))
        .await
        .unwrap()
        .is_empty());

    let secret = document(agency, unit, clerk, Confidentiality::ToiMat);
    store
        .insert_document(&secret, None, &event(secret.id, "document.registered"))
        .await
        .unwrap();
    assert_eq!(store.count_documents().await.unwrap(), 2);
    let filter = |level, status| DocumentFilter {
        agency_id: agency.id,
        max_confidentiality: level,
        status,
        limit: 10,
        offset: 0,
    };
    let ids = |docs: Vec<DocumentRecord>| docs.into_iter().map(|d| d.id).collect::<Vec<_>>();
    assert_eq!(
        ids(store
            .list_documents(&filter(Confidentiality::None, None))
            .await
            .unwrap()),
        [open.id]
    );
    assert_eq!(
        ids(store
            .list_documents(&filter(Confidentiality::Mat, None))
            .await
            .unwrap()),
        [open.id]
    );
    assert_eq!(
        ids(store
            .list_documents(&filter(Confidentiality::TuyetMat, None))
            .await
            .unwrap()),
        [secret.id, open.id]
    );
    assert!(store
        .list_documents(&filter(
            Confidentiality::TuyetMat,
            Some(DocumentStatus::Issued)
        ))
        .await
        .unwrap()
        .is_empty());
    let other_agency = DocumentFilter {
        agency_id: Uuid::now_v7(),
        ..filter(Confidentiality::TuyetMat, None)
    };
    assert!(store
        .list_documents(&other_agency)
        .await
        .unwrap()
        .is_empty());
    let second_page = DocumentFilter {
        limit: 1,
        offset: 1,
        ..filter(Confidentiality::TuyetMat, None)
    };
    assert_eq!(
        ids(store.list_documents(&second_page).await.unwrap()),
        [open.id]
    );

    store
        .append_audit_event(&event(open.id, "document.read"))
        .await
        .unwrap();
    let actions: Vec<_> = store
        .list_audit_events(Some(open.id))
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(actions, ["document.registered", "document.read"]);
    assert_eq!(store.list_audit_events(None).await.unwrap().len(), 3);
}
