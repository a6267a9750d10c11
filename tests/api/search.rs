//! Archive search through the API: Vietnamese with or without diacritics, document numbers,
//! permission scope, and state secrets never indexed.

use serde_json::{json, Value};

use crate::helpers::*;
use crate::workflow::{draft, sign_and_issue};

async fn indexed(app: &TestApp) {
    app.services.index_pending().await.unwrap();
}

async fn search(app: &TestApp, role: &str, query: &str) -> Value {
    let url = format!(
        "/api/search?q={}",
        url::form_urlencoded::byte_serialize(query.as_bytes()).collect::<String>()
    );
    let response = app.get(&app.token(role), &url).await;
    assert_eq!(response.status().as_u16(), 200);
    response.json().await.unwrap()
}

#[tokio::test]
async fn staff_find_documents_with_or_without_diacritics_and_by_number() {
    let app = spawn_app().await;
    let id = draft(&app, "tests/fixtures/pdf/quyet-dinh.pdf").await;
    sign_and_issue(&app, &id).await;
    let secret = json!({"unit": "NC", "document_type": "quyet_dinh", "subject": "Kế hoạch cải cách hành chính MẬT", "confidentiality": "mat"}).to_string();
    let stub: Value = app
        .upload(&app.token("clerk"), &secret, None)
        .await
        .json()
        .await
        .unwrap();
    indexed(&app).await;

    for query in [
        "Kế hoạch năm 2027",
        "ke hoach nam 2027",
        "01/QĐ-UBND",
        "so 01 qd ubnd",
        "Số: 01/QĐ-UBND",
    ] {
        let results = search(&app, "staff", query).await;
        let ids: Vec<&str> = results["hits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["id"].as_str().unwrap())
            .collect();
        assert_eq!(
            ids.first().copied(),
            Some(id.as_str()),
            "'{query}': {results}"
        );
    }
    // The agency filter: the caller's own agency finds it, another agency finds nothing.
    for (agency, expected) in [
        (app.credentials.agency.organ_id.as_str(), 1),
        ("000.00.00.X99", 0),
    ] {
        let url = format!("/api/search?q=ke+hoach+nam+2027&agency={agency}");
        let results: Value = app
            .get(&app.token("staff"), &url)
            .await
            .json()
            .await
            .unwrap();
        let hits = results["hits"].as_array().unwrap();
        assert_eq!(
            hits.iter().filter(|h| h["id"] == id.as_str()).count(),
            expected,
            "agency={agency}: {results}"
        );
    }
    // The body text of the PDF is searchable too (a phrase from the decision's first article).
    let results = search(&app, "staff", "chinh quyen dien tu").await;
    assert!(
        results["hits"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["id"] == id.as_str()),
        "{results}"
    );
    // A state secret never reaches the index, whoever searches.
    for role in ["clerk", "signer", "staff", "auditor"] {
        let results = search(&app, role, "cai cach hanh chinh MAT").await;
        assert!(
            !results.to_string().contains(stub["id"].as_str().unwrap()),
            "{role}: {results}"
        );
    }
    let (status, code, _) =
        error_of(app.get(&app.token("admin"), "/api/search?q=ke+hoach").await).await;
    assert_eq!((status, code.as_str()), (403, "forbidden"));
}

#[tokio::test]
async fn the_index_is_rebuilt_from_the_database() {
    let app = spawn_app().await;
    let id = draft(&app, "tests/fixtures/pdf/ke-hoach.pdf").await;
    sign_and_issue(&app, &id).await;
    let rebuilt = app.services.rebuild_index(|_, _| {}).await.unwrap();
    assert_eq!(rebuilt, 1);
    let results = search(&app, "auditor", "ke hoach").await;
    assert_eq!(results["total"], 1, "{results}");
}

#[tokio::test]
async fn scans_are_flagged_in_hits_and_can_be_filtered() {
    let app = spawn_app().await;
    let scan = draft(&app, "tests/fixtures/pdf/van-ban-scan.pdf").await;
    let typed = draft(&app, "tests/fixtures/pdf/quyet-dinh.pdf").await;
    indexed(&app).await;

    let flags = |results: &Value| -> Vec<(String, bool)> {
        let mut flags: Vec<(String, bool)> = results["hits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| {
                (
                    h["id"].as_str().unwrap().to_owned(),
                    h["scan"].as_bool().unwrap(),
                )
            })
            .collect();
        flags.sort();
        flags
    };
    // Both are found by their metadata; only the typed one has body text.
    let results = search(&app, "clerk", "ke hoach nam 2027").await;
    let mut expected = vec![(scan.clone(), true), (typed.clone(), false)];
    expected.sort();
    assert_eq!(flags(&results), expected, "{results}");
    assert_eq!(results["total_is_exact"], true, "{results}");
    assert_eq!(results["facets_exact"], true, "{results}");
    let body = search(&app, "clerk", "chinh quyen dien tu").await;
    assert_eq!(flags(&body), [(typed.clone(), false)], "{body}");

    for (filter, expected) in [("true", (scan, true)), ("false", (typed, false))] {
        let response = app
            .get(
                &app.token("clerk"),
                &format!("/api/search?q=ke+hoach&scan={filter}"),
            )
            .await;
        assert_eq!(response.status().as_u16(), 200);
        let results: Value = response.json().await.unwrap();
        assert_eq!(flags(&results), vec![expected], "scan={filter}: {results}");
    }
}
