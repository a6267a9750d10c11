//! The multi-node deployment for real: PostgreSQL and Garage over HTTP, first through
//! `Application::build` in-process, then as two `vanthu serve` processes sharing them.

use crate::cli::ServeProcess;
use crate::helpers::*;

#[tokio::test]
async fn postgres_and_garage_serve_the_whole_draft_flow() {
    let (Some(database_url), Some(s3)) = (fresh_postgres_database().await, s3_target()) else {
        return;
    };
    let (mut settings, temp) = embedded_settings();
    settings.database.url = Some(database_url);
    let mut resolved = settings.resolve().unwrap();
    resolved.storage = s3_storage(s3);
    let app = spawn_with(resolved, Some(temp)).await;
    let ready: serde_json::Value = app
        .client
        .get(app.url("/readyz"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ready["database"]["backend"], "postgres");
    assert!(ready["storage"]["backend"]
        .as_str()
        .unwrap()
        .starts_with("s3 "));
    assert_eq!(ready["ready"], true, "{ready}");

    let pdf = fixture(QUYET_DINH);
    let created = app
        .upload(
            &app.token("clerk"),
            &draft_metadata("VX"),
            Some(pdf.clone()),
        )
        .await;
    assert_eq!(created.status().as_u16(), 201);
    let id = created.json::<serde_json::Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let download = app
        .get(&app.token("staff"), &format!("/api/documents/{id}/file"))
        .await;
    assert_eq!(download.bytes().await.unwrap().as_ref(), pdf.as_slice());
    let (status, code, _) = error_of(
        app.upload(
            &app.token("clerk"),
            &draft_metadata("VX"),
            Some(fixture("tests/fixtures/pdf/quyet-dinh.encrypted.pdf")),
        )
        .await,
    )
    .await;
    assert_eq!((status, code.as_str()), (422, "encrypted_pdf"));
    assert_eq!(app.document_count().await, 1);
    assert_eq!(app.blob_count().await, 1);
}

#[tokio::test]
async fn two_serve_processes_share_postgres_and_garage() {
    let (Some(database_url), Some(s3)) = (fresh_postgres_database().await, s3_target()) else {
        return;
    };
    let env = shared_backend_env(&database_url, &s3);
    let (first_dir, second_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    // The first node initialises the shared database and holds the demo credentials.
    let output = crate::cli::vanthu()
        .args(["init", "--json", "--data-dir"])
        .arg(first_dir.path())
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let credentials: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let first = ServeProcess::start(first_dir.path(), &env);
    let second = ServeProcess::start(second_dir.path(), &env);
    let client = reqwest::Client::new();
    let clerk = credentials["tokens"]["clerk"].as_str().unwrap();
    let staff = credentials["tokens"]["staff"].as_str().unwrap();

    let pdf = fixture("tests/fixtures/pdf/cong-van.pdf");
    let created = upload_to(
        &client,
        &format!("{}/api/documents", first.base_url),
        clerk,
        &draft_metadata("VX"),
        Some(pdf.clone()),
    )
    .await;
    assert_eq!(created.status().as_u16(), 201);
    let id = created.json::<serde_json::Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // The second node sees the document and serves its bytes from the shared bucket.
    let list: serde_json::Value = client
        .get(format!("{}/api/documents", second.base_url))
        .bearer_auth(staff)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(list["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["id"] == id.as_str()));
    let download = client
        .get(format!("{}/api/documents/{id}/file", second.base_url))
        .bearer_auth(staff)
        .send()
        .await
        .unwrap();
    assert_eq!(download.bytes().await.unwrap().as_ref(), pdf.as_slice());

    // And the other way round.
    let created = upload_to(
        &client,
        &format!("{}/api/documents", second.base_url),
        clerk,
        &draft_metadata("KT"),
        Some(fixture(QUYET_DINH)),
    )
    .await;
    let id = created.json::<serde_json::Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let detail = client
        .get(format!("{}/api/documents/{id}", first.base_url))
        .bearer_auth(staff)
        .send()
        .await
        .unwrap();
    assert_eq!(detail.status().as_u16(), 200);
}
