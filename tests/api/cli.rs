//! The `vanthu` binary as an operator uses it: init, serve, check-config, user, token.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use crate::helpers::*;

pub fn vanthu() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_vanthu"));
    // Keep the harness's own variables (VANTHU_TEST_*) but nothing else that could reconfigure
    // the child by accident.
    for (key, _) in std::env::vars() {
        if key.starts_with("VANTHU_") && !key.starts_with("VANTHU_TEST_") {
            command.env_remove(key);
        }
    }
    command.env("VANTHU_LOG__FORMAT", "text");
    command
}

/// The child's log, appended to `<data dir>/serve.log` for post-mortems.
fn log_file(data_dir: &Path) -> Stdio {
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(data_dir.join("serve.log"))
        .map(Stdio::from)
        .unwrap_or_else(|_| Stdio::null())
}

/// A running `vanthu serve`, killed when dropped.
pub struct ServeProcess {
    child: Child,
    pub base_url: String,
}

impl ServeProcess {
    pub fn start(data_dir: &Path, env: &[(String, String)]) -> ServeProcess {
        let mut command = vanthu();
        command
            .args(["serve", "--data-dir"])
            .arg(data_dir)
            .args(["--listen", "127.0.0.1:0"])
            .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .stdout(Stdio::piped())
            .stderr(log_file(data_dir));
        let mut child = command.spawn().expect("vanthu serve starts");
        let stdout = child.stdout.take().unwrap();
        let mut lines = BufReader::new(stdout).lines();
        let base_url = loop {
            let line = lines
                .next()
                .expect("serve printed its address before exiting")
                .unwrap();
            if let Some(url) = line.strip_prefix("vanthu listening on ") {
                break url.trim().to_owned();
            }
        };
        // Keep draining stdout so the child never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        ServeProcess { child, base_url }
    }
}

impl Drop for ServeProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn init_json(data_dir: &Path) -> serde_json::Value {
    let output = vanthu()
        .args(["init", "--json", "--data-dir"])
        .arg(data_dir)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("init --json prints JSON")
}

#[tokio::test]
async fn init_json_prints_credentials_for_every_role_and_is_repeatable() {
    let dir = tempfile::tempdir().unwrap();
    let first = init_json(dir.path());
    for role in ["clerk", "signer", "staff", "auditor", "admin"] {
        assert!(
            first["tokens"][role].as_str().unwrap().starts_with("vt_"),
            "{role}"
        );
    }
    assert_eq!(first["agency"]["organ_id"].as_str().unwrap().len(), 13);
    assert!(Path::new(first["pki"]["root_ca"].as_str().unwrap()).exists());
    assert!(dir.path().join("vanthu.db").exists());
    assert!(dir.path().join("index").is_dir());
    let second = init_json(dir.path());
    assert_eq!(first["tokens"], second["tokens"]);
}

#[tokio::test]
async fn serve_on_embedded_defaults_round_trips_a_pdf() {
    let dir = tempfile::tempdir().unwrap();
    let credentials = init_json(dir.path());
    let server = ServeProcess::start(dir.path(), &[]);
    let client = reqwest::Client::new();
    let health = client
        .get(format!("{}/healthz", server.base_url))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status().as_u16(), 200);
    let clerk = credentials["tokens"]["clerk"].as_str().unwrap();
    let pdf = fixture(QUYET_DINH);
    let created = upload_to(
        &client,
        &format!("{}/api/documents", server.base_url),
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
    let download = client
        .get(format!("{}/api/documents/{id}/file", server.base_url))
        .bearer_auth(clerk)
        .send()
        .await
        .unwrap();
    assert_eq!(download.bytes().await.unwrap().as_ref(), pdf.as_slice());
}

#[test]
fn check_config_lists_every_problem() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("vanthu.toml");
    std::fs::write(&config, "[server]\nlisten = \"nowhere\"\n[storage]\nbackend = \"s3\"\n[database]\nurl = \"mysql://x\"\n").unwrap();
    let output = vanthu()
        .args(["check-config", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    for key in [
        "server.listen",
        "database.url",
        "storage.s3.endpoint",
        "storage.s3.bucket",
    ] {
        assert!(stderr.contains(key), "{key} missing from:\n{stderr}");
    }

    std::fs::write(
        &config,
        "[server]\nlisten = \"127.0.0.1:9000\"\nunknown_key = 1\n",
    )
    .unwrap();
    let output = vanthu()
        .args(["check-config", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("unknown_key"));

    let output = vanthu()
        .args(["check-config", "--data-dir"])
        .arg(dir.path())
        .env("VANTHU_SERVER__LISTEN", "0.0.0.0:8443")
        .output()
        .unwrap();
    assert!(output.status.success());
    assert!(
        String::from_utf8_lossy(&output.stdout).contains("0.0.0.0:8443"),
        "env overrides defaults"
    );
}

#[tokio::test]
async fn users_and_tokens_made_on_the_command_line_work_over_http() {
    let dir = tempfile::tempdir().unwrap();
    init_json(dir.path());
    let password_file = dir.path().join("pw");
    std::fs::write(&password_file, "mật-khẩu-đủ-dài\n").unwrap();
    let added = vanthu()
        .args([
            "user",
            "add",
            "--username",
            "thu.ky",
            "--display-name",
            "Thư ký",
            "--role",
            "staff",
            "--unit",
            "TH",
            "--password-file",
        ])
        .arg(&password_file)
        .arg("--data-dir")
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
    let listed = vanthu()
        .args(["user", "list", "--json", "--data-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    let users: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    assert!(users
        .as_array()
        .unwrap()
        .iter()
        .any(|u| u["username"] == "thu.ky" && u["role"] == "staff"));
    let role = vanthu()
        .args([
            "user",
            "set-role",
            "--username",
            "thu.ky",
            "--role",
            "auditor",
            "--data-dir",
        ])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(role.status.success());
    let token = vanthu()
        .args([
            "token",
            "create",
            "--username",
            "thu.ky",
            "--json",
            "--data-dir",
        ])
        .arg(dir.path())
        .output()
        .unwrap();
    let token: serde_json::Value = serde_json::from_slice(&token.stdout).unwrap();

    let server = ServeProcess::start(dir.path(), &[]);
    let client = reqwest::Client::new();
    let me: serde_json::Value = client
        .get(format!("{}/api/me", server.base_url))
        .bearer_auth(token["token"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["role"], "auditor");
    let login = client
        .post(format!("{}/api/auth/login", server.base_url))
        .json(&serde_json::json!({"username": "thu.ky", "password": "mật-khẩu-đủ-dài"}))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status().as_u16(), 200);

    let revoke = vanthu()
        .args([
            "token",
            "revoke",
            "--id",
            token["id"].as_str().unwrap(),
            "--data-dir",
        ])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(revoke.status.success());
    let after = client
        .get(format!("{}/api/me", server.base_url))
        .bearer_auth(token["token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(after.status().as_u16(), 401);
}
