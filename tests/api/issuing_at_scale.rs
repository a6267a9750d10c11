//! Gapless numbering for real: 50 concurrent issuances over two `serve` processes on one
//! PostgreSQL database (and over one process on SQLite), and SIGKILL at random points while
//! issuing, after which every number is used once, every issued file exists and validates,
//! and no record points to a missing object.

use std::path::Path;
use std::time::Duration;

use serde_json::{json, Value};

use crate::cli::{vanthu, ServeProcess};
use crate::helpers::*;

struct Client {
    http: reqwest::Client,
    clerk: String,
    signer: String,
}

impl Client {
    fn new(credentials: &Value) -> Self {
        Self {
            http: reqwest::Client::new(),
            clerk: credentials["tokens"]["clerk"].as_str().unwrap().into(),
            signer: credentials["tokens"]["signer"].as_str().unwrap().into(),
        }
    }

    /// A draft assigned to the chairman, signed with his server-held key.
    async fn signed_draft(&self, base: &str, file: &str) -> String {
        let metadata = json!({"unit": "VX", "document_type": "quyet_dinh", "subject": "Về việc thử tải", "signer": "chutich"}).to_string();
        let created = upload_to(
            &self.http,
            &format!("{base}/api/documents"),
            &self.clerk,
            &metadata,
            Some(fixture(file)),
        )
        .await;
        assert_eq!(created.status().as_u16(), 201);
        let id = created.json::<Value>().await.unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let signed = self
            .http
            .post(format!("{base}/api/documents/{id}/personal-signature"))
            .bearer_auth(&self.signer)
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(
            signed.status().as_u16(),
            200,
            "{}",
            signed.text().await.unwrap()
        );
        id
    }

    async fn issue(&self, base: &str, id: &str) -> Result<String, String> {
        let response = self
            .http
            .post(format!("{base}/api/documents/{id}/issue"))
            .bearer_auth(&self.clerk)
            .json(&json!({"issue_date": "2027-02-01"}))
            .send()
            .await
            .map_err(|e| e.to_string())?;
        let status = response.status();
        let body: Value = response.json().await.map_err(|e| e.to_string())?;
        if status.is_success() {
            Ok(body["number"].as_str().unwrap().to_owned())
        } else {
            Err(body.to_string())
        }
    }
}

fn init(dir: &Path, env: &[(String, String)]) -> Value {
    let output = vanthu()
        .args(["init", "--json", "--data-dir"])
        .arg(dir)
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

fn expected(count: usize) -> Vec<String> {
    (1..=count).map(|n| format!("{n:02}/QĐ-UBND")).collect()
}

async fn issue_all_concurrently(
    client: &std::sync::Arc<Client>,
    bases: &[String],
    ids: &[String],
) -> Vec<String> {
    let tasks: Vec<_> = ids
        .iter()
        .enumerate()
        .map(|(index, id)| {
            let (client, base, id) = (
                client.clone(),
                bases[index % bases.len()].clone(),
                id.clone(),
            );
            tokio::spawn(async move { client.issue(&base, &id).await.unwrap() })
        })
        .collect();
    let mut numbers: Vec<String> = futures::future::join_all(tasks)
        .await
        .into_iter()
        .map(|r| r.unwrap())
        .collect();
    numbers.sort();
    numbers
}

#[tokio::test]
async fn fifty_concurrent_issuances_over_two_processes_on_postgres_take_1_to_50() {
    let (Some(database_url), Some(s3)) = (fresh_postgres_database().await, s3_target()) else {
        return;
    };
    let (first_dir, second_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let mut env = shared_backend_env(&database_url, &s3);
    // Every node signs with the same keys: they share the PKI directory.
    env.push((
        "VANTHU_PKI__DIR".into(),
        first_dir.path().join("pki").display().to_string(),
    ));
    let credentials = init(first_dir.path(), &env);
    let (first, second) = (
        ServeProcess::start(first_dir.path(), &env),
        ServeProcess::start(second_dir.path(), &env),
    );
    let client = std::sync::Arc::new(Client::new(&credentials));
    let mut ids = Vec::new();
    for index in 0..50 {
        let base = if index % 2 == 0 {
            &first.base_url
        } else {
            &second.base_url
        };
        ids.push(
            client
                .signed_draft(base, "tests/fixtures/pdf/cong-van.pdf")
                .await,
        );
    }
    let numbers = issue_all_concurrently(
        &client,
        &[first.base_url.clone(), second.base_url.clone()],
        &ids,
    )
    .await;
    assert_eq!(numbers, expected(50));
}

#[tokio::test]
async fn fifty_concurrent_issuances_on_sqlite_take_1_to_50() {
    let dir = tempfile::tempdir().unwrap();
    let credentials = init(dir.path(), &[]);
    let server = ServeProcess::start(dir.path(), &[]);
    let client = std::sync::Arc::new(Client::new(&credentials));
    let mut ids = Vec::new();
    for _ in 0..50 {
        ids.push(
            client
                .signed_draft(&server.base_url, "tests/fixtures/pdf/cong-van.pdf")
                .await,
        );
    }
    let numbers =
        issue_all_concurrently(&client, std::slice::from_ref(&server.base_url), &ids).await;
    assert_eq!(numbers, expected(50));
}

#[tokio::test]
async fn sigkill_while_issuing_leaves_no_gap_no_duplicate_and_no_dangling_file() {
    let dir = tempfile::tempdir().unwrap();
    let credentials = init(dir.path(), &[]);
    let client = std::sync::Arc::new(Client::new(&credentials));
    let ids: Vec<String> = {
        let server = ServeProcess::start(dir.path(), &[]);
        let mut ids = Vec::new();
        for _ in 0..24 {
            ids.push(
                client
                    .signed_draft(&server.base_url, "tests/fixtures/pdf/quyet-dinh.pdf")
                    .await,
            );
        }
        ids
    };
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64;
    eprintln!("crash test seed {seed}");
    let mut state = seed | 1;
    let mut random = move |bound: u64| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state % bound
    };
    for _round in 0..8 {
        let server = ServeProcess::start(dir.path(), &[]);
        for id in &ids {
            let (client, base, id) = (client.clone(), server.base_url.clone(), id.clone());
            // Fire and forget: the process may die under the request.
            tokio::spawn(async move {
                let _ = client.issue(&base, &id).await;
            });
        }
        tokio::time::sleep(Duration::from_millis(20 + random(400))).await;
        drop(server); // SIGKILL
    }
    // Finish what is left on a healthy server.
    let server = ServeProcess::start(dir.path(), &[]);
    for id in &ids {
        let _ = client.issue(&server.base_url, id).await;
    }
    drop(server);

    let store = vanthu::db::SqliteStore::open(&dir.path().join("vanthu.db"), 2)
        .await
        .unwrap();
    use vanthu::db::MetadataStore;
    store.migrate().await.unwrap();
    let blobs = vanthu::storage::BlobStore::from_target(&vanthu::config::StorageTarget::Local {
        root: dir.path().join("objects"),
    })
    .unwrap();
    let trust = vanthu::verify::TrustAnchors::from_pem_files(&[
        dir.path().join("pki/root-ca.pem").as_path(),
        dir.path().join("pki/issuing-ca.pem").as_path(),
    ])
    .unwrap();
    let mut ordinals = Vec::new();
    for id in &ids {
        let document = store.get_document(id.parse().unwrap()).await.unwrap();
        assert_eq!(
            document.status,
            vanthu::domain::DocumentStatus::Issued,
            "every document ends issued"
        );
        ordinals.push(document.ordinal.unwrap());
        let file = store
            .current_file(document.id)
            .await
            .unwrap()
            .expect("issued file row");
        let hash = vanthu::storage::ContentHash::parse_hex(&file.sha256).unwrap();
        let bytes = blobs
            .get_blob(&hash)
            .await
            .expect("the issued file exists in storage");
        let report = vanthu::verify::verify_pdf(
            &bytes,
            &vanthu::verify::VerifyOptions {
                trust: trust.clone(),
                at: None,
                ..Default::default()
            },
        )
        .unwrap();
        assert!(report.valid, "issued file of {id} validates");
    }
    ordinals.sort_unstable();
    assert_eq!(
        ordinals,
        (1..=24).collect::<Vec<i64>>(),
        "no gap, no duplicate (seed {seed})"
    );
}
