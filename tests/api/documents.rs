//! Registering drafts and reading them back through the API.

use crate::helpers::*;

#[tokio::test]
async fn a_clerk_uploads_a_draft_and_downloads_it_byte_identical() {
    let app = spawn_app().await;
    let pdf = fixture(QUYET_DINH);
    let response = app
        .upload(
            &app.token("clerk"),
            &draft_metadata("VX"),
            Some(pdf.clone()),
        )
        .await;
    assert_eq!(response.status().as_u16(), 201);
    let created: serde_json::Value = response.json().await.unwrap();
    assert_eq!(created["status"], "draft");
    assert_eq!(created["organ_id"], app.credentials.agency.organ_id);
    assert_eq!(created["unit"], "VX");
    assert_eq!(created["type_name"], "Quyết định");
    assert_eq!(created["page_amount"], 1);
    assert_eq!(created["urgency"], "khan");
    assert_eq!(created["recipients"][0]["organ_name"], "Bộ Nội vụ");
    assert_eq!(created["file"]["size_bytes"], pdf.len());
    let id = created["id"].as_str().unwrap().to_owned();

    let download = app
        .get(&app.token("staff"), &format!("/api/documents/{id}/file"))
        .await;
    assert_eq!(download.status().as_u16(), 200);
    assert_eq!(download.headers()["content-type"], "application/pdf");
    assert!(download.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains("filename*=UTF-8''Quy%E1%BA%BFt"));
    assert_eq!(download.bytes().await.unwrap().as_ref(), pdf.as_slice());

    let detail: serde_json::Value = app
        .get(&app.token("auditor"), &format!("/api/documents/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        detail["subject"],
        "Về việc phê duyệt Kế hoạch cải cách hành chính năm 2027"
    );
    let list: serde_json::Value = app
        .get(&app.token("signer"), "/api/documents")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    assert_eq!(list["items"][0]["id"], id.as_str());
}

#[tokio::test]
async fn registration_reads_and_downloads_are_audit_events() {
    let app = spawn_app().await;
    let response = app
        .upload(
            &app.token("clerk"),
            &draft_metadata("VX"),
            Some(fixture(QUYET_DINH)),
        )
        .await;
    let id: uuid::Uuid = response.json::<serde_json::Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    app.get(&app.token("staff"), &format!("/api/documents/{id}"))
        .await;
    app.get(&app.token("staff"), &format!("/api/documents/{id}/file"))
        .await;
    let events = app
        .services
        .store
        .list_audit_events(Some(id))
        .await
        .unwrap();
    let actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        ["document.registered", "document.read", "document.file_read"]
    );
    let staff = app
        .services
        .store
        .find_user_by_username("chuyenvien")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(events[2].actor_user_id, Some(staff.id));
}

#[tokio::test]
async fn pdfs_with_object_streams_or_linearization_are_accepted() {
    let app = spawn_app().await;
    for file in [
        "tests/fixtures/pdf/quyet-dinh.objstm.pdf",
        "tests/fixtures/pdf/quyet-dinh.linearized.pdf",
        "tests/fixtures/pdf/cong-van.pdf",
    ] {
        let response = app
            .upload(
                &app.token("clerk"),
                &draft_metadata("TH"),
                Some(fixture(file)),
            )
            .await;
        assert_eq!(response.status().as_u16(), 201, "{file}");
    }
    assert_eq!(app.document_count().await, 3);
}

#[tokio::test]
async fn the_same_file_twice_is_stored_once() {
    let app = spawn_app().await;
    for _ in 0..2 {
        let response = app
            .upload(
                &app.token("clerk"),
                &draft_metadata("VX"),
                Some(fixture(QUYET_DINH)),
            )
            .await;
        assert_eq!(response.status().as_u16(), 201);
    }
    assert_eq!(app.document_count().await, 2);
    assert_eq!(
        app.blob_count().await,
        1,
        "content-addressed blobs are written once"
    );
}

#[tokio::test]
async fn confidential_documents_are_stubs_visible_only_with_clearance() {
    let app = spawn_app().await;
    let metadata = serde_json::json!({"unit": "NC", "document_type": "cong_van", "subject": "Nội dung mật", "confidentiality": "mat"}).to_string();
    let response = app.upload(&app.token("clerk"), &metadata, None).await;
    assert_eq!(response.status().as_u16(), 201);
    let stub: serde_json::Value = response.json().await.unwrap();
    assert_eq!(stub["status"], "registered_stub");
    assert!(stub["file"].is_null());
    let id = stub["id"].as_str().unwrap();
    assert_eq!(app.blob_count().await, 0);

    // The staff member has no clearance: the stub does not exist for them.
    let staff = app.token("staff");
    assert_eq!(
        app.get(&staff, &format!("/api/documents/{id}"))
            .await
            .status()
            .as_u16(),
        404
    );
    let list: serde_json::Value = app
        .get(&staff, "/api/documents")
        .await
        .json()
        .await
        .unwrap();
    assert!(list["items"].as_array().unwrap().is_empty());
    // The chairman's clearance covers it.
    assert_eq!(
        app.get(&app.token("signer"), &format!("/api/documents/{id}"))
            .await
            .status()
            .as_u16(),
        200
    );
    assert_eq!(
        app.get(&app.token("signer"), &format!("/api/documents/{id}/file"))
            .await
            .status()
            .as_u16(),
        404
    );
}

#[tokio::test]
async fn listing_filters_by_status_and_pages() {
    let app = spawn_app().await;
    for _ in 0..3 {
        app.upload(
            &app.token("clerk"),
            &draft_metadata("VX"),
            Some(fixture(QUYET_DINH)),
        )
        .await;
    }
    let staff = app.token("staff");
    let page: serde_json::Value = app
        .get(&staff, "/api/documents?limit=2&offset=0")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    let rest: serde_json::Value = app
        .get(&staff, "/api/documents?limit=2&offset=2")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(rest["items"].as_array().unwrap().len(), 1);
    let issued: serde_json::Value = app
        .get(&staff, "/api/documents?status=issued")
        .await
        .json()
        .await
        .unwrap();
    assert!(issued["items"].as_array().unwrap().is_empty());
    let (status, code, _) = error_of(app.get(&staff, "/api/documents?status=bogus").await).await;
    assert_eq!((status, code.as_str()), (400, "bad_request"));
}

#[tokio::test]
async fn documents_of_another_agency_are_invisible() {
    let app = spawn_app().await;
    let response = app
        .upload(
            &app.token("clerk"),
            &draft_metadata("VX"),
            Some(fixture(QUYET_DINH)),
        )
        .await;
    let id = response.json::<serde_json::Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // A second agency with its own staff member.
    let store = &app.services.store;
    let other = vanthu::db::AgencyRecord {
        id: uuid::Uuid::now_v7(),
        organ_id: "000.00.00.G22".into(),
        name: "Bộ Nội vụ".into(),
        abbreviation: "BNV".into(),
        seal_image_sha256: None,
        created_at: chrono::Utc::now(),
    };
    store.insert_agency(&other).await.unwrap();
    let request = vanthu::app::NewUserRequest {
        username: "nhanvien.bnv".into(),
        display_name: "Nhân viên Bộ Nội vụ".into(),
        role: vanthu::domain::Role::Staff,
        clearance: vanthu::domain::Confidentiality::TuyetMat,
        organ_id: Some("000.00.00.G22".into()),
        unit: None,
        password: None,
    };
    app.services.create_user(request).await.unwrap();
    let token = app
        .services
        .create_api_token("nhanvien.bnv", "test", None)
        .await
        .unwrap()
        .token;
    assert_eq!(
        app.get(&token, &format!("/api/documents/{id}"))
            .await
            .status()
            .as_u16(),
        404
    );
    assert_eq!(
        app.get(&token, &format!("/api/documents/{id}/file"))
            .await
            .status()
            .as_u16(),
        404
    );
    let list: serde_json::Value = app
        .get(&token, "/api/documents")
        .await
        .json()
        .await
        .unwrap();
    assert!(list["items"].as_array().unwrap().is_empty());
}
