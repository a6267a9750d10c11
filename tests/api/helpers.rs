//! Shared test harness: every test builds the service through `Application::build`, exactly
//! as `main` does, on port 0 with temporary directories. Real-backend tests (PostgreSQL,
//! Garage over HTTP) read their endpoints from `VANTHU_TEST_*` variables set by
//! `scripts/test.sh`; without them those tests say they are skipped, unless
//! `VANTHU_TEST_REQUIRE_SERVICES=1`, which turns a missing service into a failure (CI).

use std::path::{Path, PathBuf};

use tempfile::TempDir;
use vanthu::app::bootstrap::DemoCredentials;
use vanthu::app::Services;
use vanthu::config::{ResolvedSettings, S3Target, Secret, Settings, StorageTarget};
use vanthu::startup::Application;

pub const QUYET_DINH: &str = "tests/fixtures/pdf/quyet-dinh.pdf";

pub fn fixture(relative: &str) -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)).expect("fixture exists")
}

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub credentials: DemoCredentials,
    pub services: Services,
    pub data_dir: PathBuf,
    demo_blob_count: usize,
    _temp: Option<TempDir>,
}

/// Settings for a fresh embedded node (SQLite, local objects) in a new temporary directory.
pub fn embedded_settings() -> (Settings, TempDir) {
    let temp = tempfile::tempdir().expect("temp dir");
    let mut settings = Settings {
        data_dir: temp.path().to_path_buf(),
        ..Settings::default()
    };
    settings.server.listen = "127.0.0.1:0".into();
    (settings, temp)
}

pub async fn spawn_app() -> TestApp {
    let (settings, temp) = embedded_settings();
    spawn_with(settings.resolve().expect("valid settings"), Some(temp)).await
}

pub async fn spawn_with(settings: ResolvedSettings, temp: Option<TempDir>) -> TestApp {
    let data_dir = settings.data_dir.clone();
    let application = Application::build(settings)
        .await
        .expect("application builds");
    let address = format!("http://{}", application.local_addr());
    let credentials = application
        .demo_credentials()
        .cloned()
        .expect("demo credentials");
    let services = application.services().clone();
    tokio::spawn(application.run_until(std::future::pending()));
    let demo_blob_count = services.blobs.list_blobs().await.expect("list blobs").len();
    TestApp {
        address,
        client: reqwest::Client::new(),
        credentials,
        services,
        data_dir,
        demo_blob_count,
        _temp: temp,
    }
}

impl TestApp {
    pub fn token(&self, role: &str) -> String {
        self.credentials
            .tokens
            .get(role)
            .cloned()
            .unwrap_or_else(|| panic!("no demo {role}"))
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn upload(
        &self,
        token: &str,
        metadata: &str,
        file: Option<Vec<u8>>,
    ) -> reqwest::Response {
        upload_to(
            &self.client,
            &self.url("/api/documents"),
            token,
            metadata,
            file,
        )
        .await
    }

    pub async fn get(&self, token: &str, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .expect("request sent")
    }

    pub async fn document_count(&self) -> i64 {
        self.services.store.count_documents().await.expect("count")
    }

    /// Stored blobs besides the demo signature and seal images made at start-up.
    pub async fn blob_count(&self) -> usize {
        self.all_blob_count().await - self.demo_blob_count
    }

    pub async fn all_blob_count(&self) -> usize {
        self.services
            .blobs
            .list_blobs()
            .await
            .expect("list blobs")
            .len()
    }
}

pub async fn upload_to(
    client: &reqwest::Client,
    url: &str,
    token: &str,
    metadata: &str,
    file: Option<Vec<u8>>,
) -> reqwest::Response {
    let mut form = reqwest::multipart::Form::new().text("metadata", metadata.to_owned());
    if let Some(bytes) = file {
        let part = reqwest::multipart::Part::bytes(bytes)
            .file_name("Quyết định.pdf")
            .mime_str("application/pdf")
            .expect("mime");
        form = form.part("file", part);
    }
    client
        .post(url)
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .expect("request sent")
}

pub fn draft_metadata(unit: &str) -> String {
    serde_json::json!({
        "unit": unit,
        "document_type": "quyet_dinh",
        "subject": "Về việc phê duyệt Kế hoạch cải cách hành chính năm 2027",
        "urgency": "khan",
        "recipients": [{"organ_id": "000.00.00.G22", "organ_name": "Bộ Nội vụ"}],
        "signer": "chutich",
        "due_date": "2027-01-15"
    })
    .to_string()
}

/// An error body: `(status, code)`.
pub async fn error_of(response: reqwest::Response) -> (u16, String, String) {
    let status = response.status().as_u16();
    let body: serde_json::Value = response.json().await.expect("JSON error envelope");
    let code = body["code"].as_str().expect("code").to_owned();
    let message = body["message"].as_str().expect("message").to_owned();
    assert!(!message.is_empty(), "error messages must not be empty");
    (status, code, message)
}

fn require_services() -> bool {
    std::env::var("VANTHU_TEST_REQUIRE_SERVICES").is_ok_and(|v| v == "1")
}

fn missing<T>(what: &str, variable: &str) -> Option<T> {
    if require_services() {
        panic!("{what} is required (VANTHU_TEST_REQUIRE_SERVICES=1) but {variable} is not set");
    }
    eprintln!("SKIPPED: {what} not configured ({variable} unset); run scripts/test.sh");
    None
}

/// A fresh, empty PostgreSQL database for one test, as a connection URL.
pub async fn fresh_postgres_database() -> Option<String> {
    let Ok(admin_url) = std::env::var("VANTHU_TEST_POSTGRES_URL") else {
        return missing("PostgreSQL", "VANTHU_TEST_POSTGRES_URL");
    };
    use sqlx::Connection;
    let mut connection = sqlx::PgConnection::connect(&admin_url)
        .await
        .expect("connect to the test PostgreSQL");
    let name = format!("vanthu_test_{}", uuid::Uuid::new_v4().simple());
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut connection)
        .await
        .expect("create database");
    let mut url = url::Url::parse(&admin_url).expect("valid URL");
    url.set_path(&format!("/{name}"));
    Some(url.to_string())
}

/// The test bucket on the S3 server, under a prefix of its own so tests do not see each
/// other's objects.
pub fn s3_target() -> Option<S3Target> {
    let get = |name: &str| std::env::var(name).ok();
    let Some(endpoint) = get("VANTHU_TEST_S3_ENDPOINT") else {
        return missing("S3 (Garage)", "VANTHU_TEST_S3_ENDPOINT");
    };
    Some(S3Target {
        endpoint,
        bucket: get("VANTHU_TEST_S3_BUCKET").expect("VANTHU_TEST_S3_BUCKET"),
        region: get("VANTHU_TEST_S3_REGION").unwrap_or_else(|| "garage".into()),
        path_style: true,
        allow_http: true,
        access_key_id: Secret::new(
            get("VANTHU_TEST_S3_ACCESS_KEY_ID").expect("VANTHU_TEST_S3_ACCESS_KEY_ID"),
        ),
        secret_access_key: Secret::new(
            get("VANTHU_TEST_S3_SECRET_ACCESS_KEY").expect("VANTHU_TEST_S3_SECRET_ACCESS_KEY"),
        ),
        prefix: format!("test-{}", uuid::Uuid::new_v4().simple()),
    })
}

/// Environment variables that configure a `vanthu` child process for PostgreSQL + S3.
pub fn shared_backend_env(database_url: &str, s3: &S3Target) -> Vec<(String, String)> {
    vec![
        ("VANTHU_DATABASE__URL".into(), database_url.into()),
        ("VANTHU_STORAGE__BACKEND".into(), "s3".into()),
        ("VANTHU_STORAGE__S3__ENDPOINT".into(), s3.endpoint.clone()),
        ("VANTHU_STORAGE__S3__BUCKET".into(), s3.bucket.clone()),
        ("VANTHU_STORAGE__S3__REGION".into(), s3.region.clone()),
        ("VANTHU_STORAGE__S3__ALLOW_HTTP".into(), "true".into()),
        ("VANTHU_STORAGE__S3__PATH_STYLE".into(), "true".into()),
        (
            "VANTHU_STORAGE__S3__ACCESS_KEY_ID".into(),
            s3.access_key_id.expose().into(),
        ),
        (
            "VANTHU_STORAGE__S3__SECRET_ACCESS_KEY".into(),
            s3.secret_access_key.expose().into(),
        ),
        ("VANTHU_STORAGE__S3__PREFIX".into(), s3.prefix.clone()),
    ]
}

pub fn s3_storage(s3: S3Target) -> StorageTarget {
    StorageTarget::S3(s3)
}
