//! Turns raw [`Settings`] into [`ResolvedSettings`]: paths made concrete, secrets read from
//! their files, and every problem collected (not just the first) so `vanthu check-config`
//! can explain them all at once.

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use std::time::Duration;

use super::{LogFormat, Secret, Settings, StorageBackend};
use crate::verify::{RevocationError, RevocationMode, RevocationOptions};

#[derive(Debug, Clone)]
pub struct ResolvedSettings {
    pub data_dir: PathBuf,
    pub demo_data: bool,
    pub rules_file: Option<PathBuf>,
    pub listen: SocketAddr,
    pub max_upload_bytes: u64,
    pub request_timeout_secs: u64,
    pub session_hours: u32,
    pub pdf_parse_timeout_secs: u64,
    pub signing_session_seconds: u32,
    pub audit_checkpoint_secs: u64,
    pub revalidation_interval_secs: u64,
    pub log_format: LogFormat,
    pub log_level: String,
    pub database: DatabaseTarget,
    pub database_max_connections: u32,
    pub storage: StorageTarget,
    pub index_dir: PathBuf,
    pub pki_dir: PathBuf,
    pub pki_passphrase_file: Option<PathBuf>,
    pub verify: VerifyTarget,
}

/// `[verify]`, checked: the mode, a concrete cache dir and files that exist.
#[derive(Debug, Clone)]
pub struct VerifyTarget {
    pub revocation: RevocationMode,
    pub cache_dir: PathBuf,
    pub timeout: Duration,
    pub crl_files: Vec<PathBuf>,
    pub ocsp_files: Vec<PathBuf>,
}

impl VerifyTarget {
    /// Loads the local files into a fresh cache shared by every validation of the process.
    pub fn revocation_options(&self) -> Result<RevocationOptions, RevocationError> {
        RevocationOptions::load(
            self.revocation,
            self.timeout,
            Some(&self.cache_dir),
            &self.crl_files,
            &self.ocsp_files,
        )
    }
}

#[derive(Clone)]
pub enum DatabaseTarget {
    Sqlite { path: PathBuf },
    Postgres { url: Secret },
}

impl fmt::Debug for DatabaseTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe())
    }
}

impl DatabaseTarget {
    /// A description safe for logs: the PostgreSQL password is replaced by `***`.
    pub fn describe(&self) -> String {
        match self {
            DatabaseTarget::Sqlite { path } => format!("sqlite {}", path.display()),
            DatabaseTarget::Postgres { url } => match url::Url::parse(url.expose()) {
                Ok(mut parsed) => {
                    if parsed.password().is_some() {
                        let _ = parsed.set_password(Some("***"));
                    }
                    format!("postgres {parsed}")
                }
                Err(_) => "postgres <unparseable url>".to_owned(),
            },
        }
    }
}

#[derive(Debug, Clone)]
pub enum StorageTarget {
    Local { root: PathBuf },
    S3(S3Target),
}

#[derive(Debug, Clone)]
pub struct S3Target {
    pub endpoint: String,
    pub bucket: String,
    pub region: String,
    pub path_style: bool,
    pub allow_http: bool,
    pub access_key_id: Secret,
    pub secret_access_key: Secret,
    pub prefix: String,
}

/// One thing wrong with the configuration, naming the key to fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigProblem {
    pub key: &'static str,
    pub message: String,
}

impl fmt::Display for ConfigProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.key, self.message)
    }
}

#[derive(Default)]
struct Problems(Vec<ConfigProblem>);

impl Problems {
    fn add(&mut self, key: &'static str, message: impl Into<String>) {
        self.0.push(ConfigProblem {
            key,
            message: message.into(),
        });
    }

    /// Inline value or file contents (trailing newline trimmed); both given is a problem.
    fn secret(
        &mut self,
        key: &'static str,
        inline: &Option<Secret>,
        file: &Option<PathBuf>,
    ) -> Option<Secret> {
        match (inline, file) {
            (Some(_), Some(_)) => {
                self.add(key, "give either the value or the _file, not both");
                None
            }
            (Some(value), None) => Some(value.clone()),
            (None, Some(path)) => match std::fs::read_to_string(path) {
                Ok(text) => Some(Secret::new(text.trim_end_matches(['\n', '\r']))),
                Err(error) => {
                    self.add(key, format!("cannot read {}: {error}", path.display()));
                    None
                }
            },
            (None, None) => None,
        }
    }
}

impl Settings {
    pub fn resolve(&self) -> Result<ResolvedSettings, Vec<ConfigProblem>> {
        let mut problems = Problems::default();
        let data_dir = self.data_dir.clone();
        let listen = self.server.listen.parse().unwrap_or_else(|_| {
            problems.add(
                "server.listen",
                format!(
                    "'{}' is not an address like 127.0.0.1:8080",
                    self.server.listen
                ),
            );
            SocketAddr::from(([127, 0, 0, 1], 0))
        });
        if self.server.max_upload_bytes < 1024 {
            problems.add("server.max_upload_bytes", "must be at least 1024 bytes");
        }
        if self.server.session_hours == 0 {
            problems.add("server.session_hours", "must be at least 1");
        }
        let database = self.resolve_database(&mut problems);
        let verify = self.resolve_verify(&mut problems);
        let storage = self.resolve_storage(&mut problems);
        let pki_dir = self.pki.dir.clone().unwrap_or_else(|| data_dir.join("pki"));
        if let Some(file) = &self.rules_file {
            if let Err(error) = crate::app::exemption::load_rules(Some(file)) {
                problems.add("rules_file", error.to_string());
            }
        }
        if let Some(file) = &self.pki.passphrase_file {
            if !file.exists() {
                problems.add(
                    "pki.passphrase_file",
                    format!("{} does not exist", file.display()),
                );
            }
        }
        if !problems.0.is_empty() {
            return Err(problems.0);
        }
        Ok(ResolvedSettings {
            index_dir: self
                .search
                .index_dir
                .clone()
                .unwrap_or_else(|| data_dir.join("index")),
            listen,
            max_upload_bytes: self.server.max_upload_bytes,
            request_timeout_secs: self.server.request_timeout_secs.max(1),
            session_hours: self.server.session_hours,
            pdf_parse_timeout_secs: self.server.pdf_parse_timeout_secs.max(1),
            signing_session_seconds: self.server.signing_session_seconds.max(1),
            audit_checkpoint_secs: self.server.audit_checkpoint_secs.max(1),
            revalidation_interval_secs: self.server.revalidation_interval_secs,
            log_format: self.log.format,
            log_level: self.log.level.clone(),
            database,
            database_max_connections: self.database.max_connections.unwrap_or(10).max(1),
            storage,
            pki_dir,
            pki_passphrase_file: self.pki.passphrase_file.clone(),
            verify,
            demo_data: self.demo_data,
            rules_file: self.rules_file.clone(),
            data_dir,
        })
    }

    /// `[verify]` alone, for `vanthu verify`, which needs no database or storage.
    pub fn resolve_verify_only(&self) -> Result<VerifyTarget, Vec<ConfigProblem>> {
        let mut problems = Problems::default();
        let verify = self.resolve_verify(&mut problems);
        if problems.0.is_empty() {
            Ok(verify)
        } else {
            Err(problems.0)
        }
    }

    fn resolve_verify(&self, problems: &mut Problems) -> VerifyTarget {
        let settings = &self.verify;
        if !(1..=60).contains(&settings.timeout_secs) {
            problems.add("verify.timeout_secs", "must be between 1 and 60");
        }
        for file in settings.crl_files.iter().chain(&settings.ocsp_files) {
            if !file.is_file() {
                let key = if settings.crl_files.contains(file) {
                    "verify.crl_files"
                } else {
                    "verify.ocsp_files"
                };
                problems.add(key, format!("{} does not exist", file.display()));
            }
        }
        VerifyTarget {
            revocation: settings.revocation,
            cache_dir: settings
                .cache_dir
                .clone()
                .unwrap_or_else(|| self.data_dir.join("revocation-cache")),
            timeout: Duration::from_secs(settings.timeout_secs.clamp(1, 60)),
            crl_files: settings.crl_files.clone(),
            ocsp_files: settings.ocsp_files.clone(),
        }
    }

    fn resolve_database(&self, problems: &mut Problems) -> DatabaseTarget {
        let password = problems.secret(
            "database.password",
            &self.database.password,
            &self.database.password_file,
        );
        let default_sqlite = DatabaseTarget::Sqlite {
            path: self.data_dir.join("vanthu.db"),
        };
        let Some(raw) = self.database.url.as_deref().filter(|u| !u.is_empty()) else {
            return default_sqlite;
        };
        if let Some(path) = raw.strip_prefix("sqlite://") {
            return DatabaseTarget::Sqlite {
                path: PathBuf::from(path),
            };
        }
        if !(raw.starts_with("postgres://") || raw.starts_with("postgresql://")) {
            problems.add(
                "database.url",
                "must start with sqlite:// or postgres:// (the password may be redacted here)",
            );
            return default_sqlite;
        }
        let Ok(mut url) = url::Url::parse(raw) else {
            problems.add("database.url", "is not a valid postgres:// URL");
            return default_sqlite;
        };
        if let Some(password) = password {
            if url.set_password(Some(password.expose())).is_err() {
                problems.add("database.password", "cannot be put into this URL");
            }
        }
        DatabaseTarget::Postgres {
            url: Secret::new(url.to_string()),
        }
    }

    fn resolve_storage(&self, problems: &mut Problems) -> StorageTarget {
        let s3 = &self.storage.s3;
        let key_id = problems.secret(
            "storage.s3.access_key_id",
            &s3.access_key_id,
            &s3.access_key_id_file,
        );
        let secret = problems.secret(
            "storage.s3.secret_access_key",
            &s3.secret_access_key,
            &s3.secret_access_key_file,
        );
        let local = StorageTarget::Local {
            root: self
                .storage
                .local_path
                .clone()
                .unwrap_or_else(|| self.data_dir.join("objects")),
        };
        if self.storage.backend == StorageBackend::Local {
            return local;
        }
        let endpoint = require(problems, "storage.s3.endpoint", &s3.endpoint);
        let bucket = require(problems, "storage.s3.bucket", &s3.bucket);
        if key_id.is_none() {
            problems.add(
                "storage.s3.access_key_id",
                "is required for the s3 backend (or _file)",
            );
        }
        if secret.is_none() {
            problems.add(
                "storage.s3.secret_access_key",
                "is required for the s3 backend (or _file)",
            );
        }
        if let Some(endpoint) = &endpoint {
            if endpoint.starts_with("http://") && !s3.allow_http {
                problems.add(
                    "storage.s3.allow_http",
                    "the endpoint is plain http: set allow_http = true to accept that",
                );
            } else if !endpoint.starts_with("http://") && !endpoint.starts_with("https://") {
                problems.add("storage.s3.endpoint", "must start with http:// or https://");
            }
        }
        match (endpoint, bucket, key_id, secret) {
            (Some(endpoint), Some(bucket), Some(access_key_id), Some(secret_access_key)) => {
                StorageTarget::S3(S3Target {
                    endpoint,
                    bucket,
                    region: s3.region.clone(),
                    path_style: s3.path_style,
                    allow_http: s3.allow_http,
                    access_key_id,
                    secret_access_key,
                    prefix: s3.prefix.trim_matches('/').to_owned(),
                })
            }
            _ => local,
        }
    }
}

fn require(problems: &mut Problems, key: &'static str, value: &Option<String>) -> Option<String> {
    match value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
        Some(v) => Some(v.to_owned()),
        None => {
            problems.add(key, "is required for the s3 backend");
            None
        }
    }
}

impl ResolvedSettings {
    pub fn is_embedded(&self) -> bool {
        matches!(self.database, DatabaseTarget::Sqlite { .. })
    }

    pub fn sqlite_path(&self) -> Option<&Path> {
        match &self.database {
            DatabaseTarget::Sqlite { path } => Some(path),
            DatabaseTarget::Postgres { .. } => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_resolve_to_embedded_backends_inside_the_data_dir() {
        let resolved = Settings::default().resolve().unwrap();
        assert!(
            matches!(resolved.database, DatabaseTarget::Sqlite { ref path } if path.ends_with("vanthu.db"))
        );
        assert!(
            matches!(resolved.storage, StorageTarget::Local { ref root } if root.ends_with("objects"))
        );
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let mut settings = Settings::default();
        settings.server.listen = "not an address".into();
        settings.database.url = Some("mysql://x".into());
        settings.storage.backend = StorageBackend::S3;
        settings.storage.s3.endpoint = Some("http://127.0.0.1:3900".into());
        let problems = settings.resolve().unwrap_err();
        let keys: Vec<_> = problems.iter().map(|p| p.key).collect();
        for expected in [
            "server.listen",
            "database.url",
            "storage.s3.bucket",
            "storage.s3.access_key_id",
            "storage.s3.secret_access_key",
            "storage.s3.allow_http",
        ] {
            assert!(keys.contains(&expected), "missing {expected} in {keys:?}");
        }
    }

    #[test]
    fn verify_defaults_to_online_with_a_cache_in_the_data_dir() {
        let resolved = Settings::default().resolve().unwrap();
        assert_eq!(resolved.verify.revocation, RevocationMode::Online);
        assert!(resolved.verify.cache_dir.ends_with("revocation-cache"));
        let mut settings = Settings::default();
        settings.verify.timeout_secs = 0;
        settings.verify.crl_files = vec![PathBuf::from("/nonexistent/x.crl")];
        let keys: Vec<_> = settings
            .resolve_verify_only()
            .unwrap_err()
            .iter()
            .map(|p| p.key)
            .collect();
        assert_eq!(keys, ["verify.timeout_secs", "verify.crl_files"]);
        let parsed: Settings =
            toml::from_str("[verify]\nrevocation = \"offline\"\ncrl_files = []\n").unwrap();
        assert_eq!(parsed.verify.revocation, RevocationMode::Offline);
    }

    #[test]
    fn secrets_come_from_files_and_never_print() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("pw");
        std::fs::write(&file, "s3cr3t\n").unwrap();
        let mut settings = Settings::default();
        settings.database.url = Some("postgres://vanthu@db:5432/vanthu".into());
        settings.database.password_file = Some(file);
        let resolved = settings.resolve().unwrap();
        let DatabaseTarget::Postgres { url } = &resolved.database else {
            panic!()
        };
        assert!(url.expose().contains("s3cr3t"));
        assert!(!format!("{:?}", resolved.database).contains("s3cr3t"));
        assert!(resolved.database.describe().contains("***"));
    }
}
