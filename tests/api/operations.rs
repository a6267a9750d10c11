//! Health, readiness, metrics and error envelopes for unknown routes.

use crate::helpers::*;

#[tokio::test]
async fn health_needs_no_token_and_readiness_reports_every_backend() {
    let app = spawn_app().await;
    let health: serde_json::Value = app
        .client
        .get(app.url("/healthz"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health["status"], "ok");
    let ready = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status().as_u16(), 200);
    let ready: serde_json::Value = ready.json().await.unwrap();
    assert_eq!(ready["ready"], true);
    assert_eq!(ready["database"]["backend"], "sqlite");
    assert_eq!(ready["storage"]["writable"], true);
    assert_eq!(ready["storage"]["readable"], true);
    assert!(ready["storage"]["backend"]
        .as_str()
        .unwrap()
        .starts_with("local "));
}

#[tokio::test]
async fn metrics_count_requests_by_route_and_status() {
    let app = spawn_app().await;
    app.get(&app.token("staff"), "/api/documents").await;
    let text = app
        .client
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(text.contains("vanthu_http_requests_total"), "{text}");
    assert!(text.contains("route=\"/api/documents\""), "{text}");
}

#[tokio::test]
async fn unknown_routes_and_ids_use_the_error_envelope() {
    let app = spawn_app().await;
    let (status, code, _) = error_of(app.get(&app.token("staff"), "/api/nothing-here").await).await;
    assert_eq!((status, code.as_str()), (404, "not_found"));
    let (status, code, _) = error_of(
        app.get(&app.token("staff"), "/api/documents/not-a-uuid")
            .await,
    )
    .await;
    assert_eq!((status, code.as_str()), (404, "not_found"));
    let missing = format!("/api/documents/{}", uuid::Uuid::now_v7());
    let (status, code, _) = error_of(app.get(&app.token("staff"), &missing).await).await;
    assert_eq!((status, code.as_str()), (404, "not_found"));
}
