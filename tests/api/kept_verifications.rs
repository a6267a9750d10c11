//! `POST /api/verify` stores nothing unless asked; with `?store=true` the file and the answer
//! are kept and read back byte-identical, on the embedded defaults and on PostgreSQL + Garage.

use serde_json::Value;

use crate::helpers::*;
use crate::workflow::{draft, sign_and_issue};

async fn post_verify(app: &TestApp, role: &str, query: &str, pdf: &[u8]) -> reqwest::Response {
    app.client
        .post(app.url(&format!("/api/verify{query}")))
        .bearer_auth(app.token(role))
        .header("content-type", "application/pdf")
        .body(pdf.to_vec())
        .send()
        .await
        .unwrap()
}

async fn kept_verifications_round_trip(app: &TestApp) {
    let id = draft(app, "tests/fixtures/pdf/cong-van.pdf").await;
    sign_and_issue(app, &id).await;
    let auditor = app.token("auditor");
    let pdf = app
        .get(&auditor, &format!("/api/documents/{id}/file"))
        .await
        .bytes()
        .await
        .unwrap()
        .to_vec();

    // Not asked: nothing kept, no reference in the answer.
    let plain: Value = post_verify(app, "auditor", "", &pdf)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(plain["valid"], true, "{plain:#}");
    assert!(plain.get("stored").is_none(), "{plain:#}");
    let explicit: Value = post_verify(app, "auditor", "?store=false", &pdf)
        .await
        .json()
        .await
        .unwrap();
    assert!(explicit.get("stored").is_none());

    // Asked: the answer names where it is kept, and both read back.
    let kept: Value = post_verify(app, "auditor", "?store=true", &pdf)
        .await
        .json()
        .await
        .unwrap();
    let stored = &kept["stored"];
    let view_url = stored["view_url"].as_str().expect("view_url");
    let file_url = stored["file_url"].as_str().expect("file_url");
    assert_eq!(
        view_url,
        format!("/api/verifications/{}", stored["id"].as_str().unwrap())
    );
    let again: Value = app.get(&auditor, view_url).await.json().await.unwrap();
    assert_eq!(again, kept, "the kept answer is the one given");
    let file = app.get(&auditor, file_url).await;
    assert_eq!(file.status().as_u16(), 200);
    assert_eq!(
        file.headers()["content-type"].to_str().unwrap(),
        "application/pdf"
    );
    assert_eq!(file.bytes().await.unwrap().to_vec(), pdf);

    // Kept verifications answer every reader role but need a caller; unknown ids are 404.
    let staff = app.get(&app.token("staff"), view_url).await;
    assert_eq!(staff.status().as_u16(), 200);
    let anonymous = app.client.get(app.url(view_url)).send().await.unwrap();
    assert_eq!(anonymous.status().as_u16(), 401);
    let unknown = app
        .get(
            &auditor,
            &format!("/api/verifications/{}", uuid::Uuid::new_v4()),
        )
        .await;
    assert_eq!(error_of(unknown).await.1, "not_found");
    let not_uuid = app.get(&auditor, "/api/verifications/abc/file").await;
    assert_eq!(error_of(not_uuid).await.0, 404);
    let typo = post_verify(app, "auditor", "?stor=true", &pdf).await;
    assert_eq!(error_of(typo).await.0, 400);

    // The list of the period names the kept one (and only kept ones), newest first.
    let second: Value = post_verify(app, "auditor", "?store=true", b"%PDF-1.7\nnot really")
        .await
        .json()
        .await
        .unwrap();
    let listed: Value = app
        .get(&auditor, "/api/verifications")
        .await
        .json()
        .await
        .unwrap();
    let items = listed["items"].as_array().expect("items");
    let ids: Vec<&str> = items.iter().map(|i| i["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        [
            second["stored"]["id"].as_str().unwrap(),
            stored["id"].as_str().unwrap()
        ],
        "{listed:#}"
    );
    assert_eq!(items[1]["file_sha256"], kept["file_sha256"]);
    assert_eq!(items[1]["valid"], true);
    assert_eq!(items[0]["indication"], second["indication"]);
    assert_eq!(items[1]["view_url"], view_url);
    assert_eq!(listed["truncated"], false);
    let past: Value = app
        .get(&auditor, "/api/verifications?from=2020-01-01&to=2020-01-31")
        .await
        .json()
        .await
        .unwrap();
    assert!(past["items"].as_array().unwrap().is_empty());
    let backwards = app
        .get(&auditor, "/api/verifications?from=2020-02-01&to=2020-01-31")
        .await;
    assert_eq!(error_of(backwards).await.1, "bad_request");
}

#[tokio::test]
async fn uploads_are_kept_only_when_asked_on_the_embedded_defaults() {
    let app = spawn_app().await;
    kept_verifications_round_trip(&app).await;
}

#[tokio::test]
async fn uploads_are_kept_only_when_asked_on_postgres_and_garage() {
    let (Some(database_url), Some(s3)) = (fresh_postgres_database().await, s3_target()) else {
        return;
    };
    let (mut settings, temp) = embedded_settings();
    settings.database.url = Some(database_url);
    let mut resolved = settings.resolve().unwrap();
    resolved.storage = s3_storage(s3);
    let app = spawn_with(resolved, Some(temp)).await;
    kept_verifications_round_trip(&app).await;
}
