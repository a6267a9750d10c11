//! Configuration, layered: built-in defaults → a TOML file → `VANTHU_*` environment variables
//! (nested keys joined by `__`, e.g. `VANTHU_STORAGE__S3__BUCKET`) → command-line flags.
//! Secrets (database password, S3 keys, key passphrases) may be given inline or as `*_file`
//! paths. Nothing here is global: [`Settings::load`] returns a value that is passed down.

mod resolve;
mod secret;

use std::path::{Path, PathBuf};

use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use serde::{Deserialize, Serialize};

pub use resolve::{
    ConfigProblem, DatabaseTarget, ResolvedSettings, S3Target, StorageTarget, VerifyTarget,
};
pub use secret::Secret;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Folder for everything a node keeps locally: SQLite file, local objects, index, demo PKI.
    pub data_dir: PathBuf,
    /// Create the demo agency, users and PKI when the database is empty.
    pub demo_data: bool,
    /// Exemption rules (JSON, schemas/json/exemption-rules.v1.schema.json); default: built in.
    pub rules_file: Option<PathBuf>,
    pub server: ServerSettings,
    pub log: LogSettings,
    pub database: DatabaseSettings,
    pub storage: StorageSettings,
    pub search: SearchSettings,
    pub pki: PkiSettings,
    pub verify: VerifySettings,
}

/// The signature validator (`vanthu verify`, `POST /api/verify`, the layer-1 check before
/// issuing).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct VerifySettings {
    /// `online` (cache and local files, then the certificates' OCSP responders and CRL
    /// distribution points), `offline` (cache and local files only, never the network) or
    /// `off`. Default `online`: a revoked signer must not pass unnoticed, and where the
    /// network is unreachable the verdict is `indeterminate` (`revocation_unknown`), never
    /// `valid`.
    pub revocation: crate::verify::RevocationMode,
    /// Where fetched CRLs and OCSP responses are kept until their nextUpdate; defaults to
    /// `<data_dir>/revocation-cache`.
    pub cache_dir: Option<PathBuf>,
    /// Per HTTP exchange with a responder or distribution point.
    pub timeout_secs: u64,
    /// CRLs (DER or PEM) supplied by the operator, e.g. copied onto an offline machine.
    pub crl_files: Vec<PathBuf>,
    /// DER OCSP responses supplied by the operator.
    pub ocsp_files: Vec<PathBuf>,
}

impl Default for VerifySettings {
    fn default() -> Self {
        Self {
            revocation: crate::verify::RevocationMode::Online,
            cache_dir: None,
            timeout_secs: crate::verify::DEFAULT_REVOCATION_TIMEOUT.as_secs(),
            crl_files: Vec::new(),
            ocsp_files: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServerSettings {
    pub listen: String,
    /// Largest accepted request body (a PDF upload with its metadata), in bytes.
    pub max_upload_bytes: u64,
    pub request_timeout_secs: u64,
    /// How long a password login stays valid.
    pub session_hours: u32,
    /// Longest time a single PDF may take to parse before the upload is refused.
    pub pdf_parse_timeout_secs: u64,
    /// How long a prepared signer-held signature (prepare/complete) stays open, in seconds.
    pub signing_session_seconds: u32,
    /// How often the audit chain's head is checkpointed to object storage, in seconds.
    pub audit_checkpoint_secs: u64,
    /// How often every issued document is re-validated (revocations change verdicts), in
    /// seconds; 0 turns the schedule off (`vanthu revalidate` still works).
    pub revalidation_interval_secs: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Json,
    Text,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LogSettings {
    pub format: LogFormat,
    /// A tracing filter such as `info` or `vanthu=debug,tower_http=info`.
    pub level: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DatabaseSettings {
    /// `sqlite:///path/file.db` or `postgres://user@host:5432/db`; empty means SQLite in the
    /// data dir.
    pub url: Option<String>,
    pub password: Option<Secret>,
    pub password_file: Option<PathBuf>,
    pub max_connections: Option<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StorageBackend {
    #[default]
    Local,
    S3,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StorageSettings {
    pub backend: StorageBackend,
    /// Folder of the local object store; defaults to `<data_dir>/objects`.
    pub local_path: Option<PathBuf>,
    pub s3: S3Settings,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct S3Settings {
    pub endpoint: Option<String>,
    pub bucket: Option<String>,
    pub region: String,
    /// Path-style URLs (`http://host/bucket/key`), which Garage and MinIO expect.
    pub path_style: bool,
    /// Permit plain HTTP endpoints (loopback test servers, private networks).
    pub allow_http: bool,
    pub access_key_id: Option<Secret>,
    pub access_key_id_file: Option<PathBuf>,
    pub secret_access_key: Option<Secret>,
    pub secret_access_key_file: Option<PathBuf>,
    /// Key prefix inside the bucket, so several environments can share one bucket.
    pub prefix: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SearchSettings {
    /// Defaults to `<data_dir>/index`.
    pub index_dir: Option<PathBuf>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PkiSettings {
    /// Defaults to `<data_dir>/pki`.
    pub dir: Option<PathBuf>,
    /// Passphrase of the PKCS#12 key files; defaults to the generated `<pki dir>/passphrase`.
    pub passphrase_file: Option<PathBuf>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            data_dir: PathBuf::from("vanthu-data"),
            demo_data: true,
            rules_file: None,
            server: ServerSettings::default(),
            log: LogSettings::default(),
            database: DatabaseSettings::default(),
            storage: StorageSettings::default(),
            search: SearchSettings::default(),
            pki: PkiSettings::default(),
            verify: VerifySettings::default(),
        }
    }
}

impl Default for ServerSettings {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:8080".to_owned(),
            max_upload_bytes: 50 * 1024 * 1024,
            request_timeout_secs: 120,
            session_hours: 12,
            pdf_parse_timeout_secs: 20,
            signing_session_seconds: 300,
            audit_checkpoint_secs: 300,
            revalidation_interval_secs: 86_400,
        }
    }
}

impl Default for LogSettings {
    fn default() -> Self {
        Self {
            format: LogFormat::Json,
            level: "info".to_owned(),
        }
    }
}

impl Default for S3Settings {
    fn default() -> Self {
        Self {
            endpoint: None,
            bucket: None,
            region: "us-east-1".to_owned(),
            path_style: true,
            allow_http: false,
            access_key_id: None,
            access_key_id_file: None,
            secret_access_key: None,
            secret_access_key_file: None,
            prefix: String::new(),
        }
    }
}

/// Values given on the command line; they win over every other layer.
#[derive(Debug, Clone, Default)]
pub struct CommandLineOverrides {
    pub data_dir: Option<PathBuf>,
    pub listen: Option<String>,
}

impl Settings {
    /// Reads the layers. `config_file` must exist when given.
    pub fn load(
        config_file: Option<&Path>,
        overrides: &CommandLineOverrides,
    ) -> Result<Settings, Box<figment::Error>> {
        let mut figment = Figment::from(Serialized::defaults(Settings::default()));
        if let Some(path) = config_file {
            if !path.exists() {
                return Err(Box::new(figment::Error::from(format!(
                    "configuration file {} does not exist",
                    path.display()
                ))));
            }
            figment = figment.merge(Toml::file_exact(path));
        }
        figment = figment.merge(environment_layer());
        if let Some(dir) = &overrides.data_dir {
            figment = figment.merge(Serialized::default("data_dir", dir));
        }
        if let Some(listen) = &overrides.listen {
            figment = figment.merge(Serialized::default("server.listen", listen));
        }
        figment.extract().map_err(Box::new)
    }
}

/// `VANTHU_*` variables, except the ones that configure the CLI itself (`VANTHU_CONFIG`) or
/// the test harness (`VANTHU_TEST_*`).
fn environment_layer() -> Env {
    Env::prefixed("VANTHU_")
        .filter(|key| {
            // figment hands keys over in their original case.
            let key = key.as_str().to_ascii_lowercase();
            key != "config" && !key.starts_with("test_")
        })
        .split("__")
}
