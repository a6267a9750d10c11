//! Getting revocation data: plain-HTTP fetches (short timeout, size cap) and the cache that
//! keeps CRLs and OCSP responses until their nextUpdate, in memory and optionally in a
//! directory so a restarted or offline node can reuse them.
//!
//! The cache stores the raw DER only, never a verdict: whatever comes out of it (or out of a
//! cache directory someone could write to) is parsed and signature-checked again on every use.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

/// Largest CRL accepted (national CAs publish CRLs of a few MiB).
pub(super) const MAX_CRL_BYTES: u64 = 16 * 1024 * 1024;
/// Largest OCSP response accepted (one status, a responder certificate or two).
pub(super) const MAX_OCSP_BYTES: u64 = 64 * 1024;
/// Entries kept in memory; past it expired entries are dropped, then new ones are not kept.
const MAX_MEMORY_ENTRIES: usize = 4096;
/// A URL that just failed is not asked again for this long, so a dead responder costs one
/// timeout per minute instead of one per certificate per validation.
const FAILURE_BACKOFF: chrono::Duration = chrono::Duration::seconds(60);

#[derive(Debug, thiserror::Error)]
pub enum RevocationError {
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: {reason}")]
    Unusable { path: String, reason: String },
}

struct Entry {
    der: Arc<Vec<u8>>,
    expires: DateTime<Utc>,
}

/// Revocation data shared by every validation of a process (put it in an `Arc`).
#[derive(Default)]
pub struct RevocationCache {
    entries: Mutex<HashMap<String, Entry>>,
    failures: Mutex<HashMap<String, DateTime<Utc>>>,
    dir: Option<PathBuf>,
    pub(super) local_crls: Vec<Vec<u8>>,
    pub(super) local_ocsp: Vec<Vec<u8>>,
}

impl std::fmt::Debug for RevocationCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RevocationCache")
            .field("dir", &self.dir)
            .field("local_crls", &self.local_crls.len())
            .field("local_ocsp", &self.local_ocsp.len())
            .finish()
    }
}

impl RevocationCache {
    pub fn in_memory() -> Self {
        Self::default()
    }

    /// Also persists every accepted CRL and OCSP response under `dir` (created on the first
    /// write, so a validation that fetches nothing leaves no trace), and reads them back.
    pub fn with_dir(dir: &Path) -> Self {
        Self {
            dir: Some(dir.to_owned()),
            ..Self::default()
        }
    }

    /// A CRL (DER or PEM) supplied by the operator: used in every mode but `off`, for the
    /// certificates of the CA that signed it, while it is fresh.
    pub fn add_crl_file(&mut self, path: &Path) -> Result<(), RevocationError> {
        let bytes = read_capped(path, MAX_CRL_BYTES)?;
        let der = super::revocation_sources::crl_der(&bytes).ok_or_else(|| {
            RevocationError::Unusable {
                path: path.display().to_string(),
                reason: "not a CRL (DER or PEM)".into(),
            }
        })?;
        self.local_crls.push(der);
        Ok(())
    }

    /// A DER OCSP response supplied by the operator (e.g. fetched on a connected machine).
    pub fn add_ocsp_file(&mut self, path: &Path) -> Result<(), RevocationError> {
        let der = read_capped(path, MAX_OCSP_BYTES)?;
        if openssl::ocsp::OcspResponse::from_der(&der).is_err() {
            return Err(RevocationError::Unusable {
                path: path.display().to_string(),
                reason: "not a DER OCSP response".into(),
            });
        }
        self.local_ocsp.push(der);
        Ok(())
    }

    /// Cached bytes for `key` not known to be past their nextUpdate at `now`.
    pub(super) fn get(&self, key: &str, now: DateTime<Utc>) -> Option<Arc<Vec<u8>>> {
        if let Ok(mut entries) = self.entries.lock() {
            match entries.get(key) {
                Some(entry) if entry.expires >= now => return Some(entry.der.clone()),
                Some(_) => {
                    entries.remove(key);
                }
                None => {}
            }
        }
        // The file's freshness is judged by the caller after parsing it.
        let path = self.dir.as_ref()?.join(file_name(key));
        let limit = if key.starts_with("crl ") {
            MAX_CRL_BYTES
        } else {
            MAX_OCSP_BYTES
        };
        read_capped(&path, limit).ok().map(Arc::new)
    }

    /// Keeps bytes that were parsed, signature-checked and found fresh.
    pub(super) fn put(&self, key: &str, der: Vec<u8>, expires: DateTime<Utc>, now: DateTime<Utc>) {
        if let Some(dir) = &self.dir {
            // Write then rename, so a reader never sees half a file.
            let path = dir.join(file_name(key));
            let temporary = path.with_extension(format!("tmp{}", std::process::id()));
            let written = std::fs::create_dir_all(dir)
                .and_then(|()| std::fs::write(&temporary, &der))
                .and_then(|()| std::fs::rename(&temporary, &path));
            if let Err(error) = written {
                let _ = std::fs::remove_file(&temporary);
                tracing::warn!(%error, path = %path.display(), "cannot persist revocation data");
            }
        }
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        if entries.len() >= MAX_MEMORY_ENTRIES {
            entries.retain(|_, entry| entry.expires >= now);
        }
        if entries.len() < MAX_MEMORY_ENTRIES {
            entries.insert(
                key.to_owned(),
                Entry {
                    der: Arc::new(der),
                    expires,
                },
            );
        }
    }

    fn recently_failed(&self, url: &str, now: DateTime<Utc>) -> bool {
        self.failures
            .lock()
            .ok()
            .and_then(|failures| failures.get(url).copied())
            .is_some_and(|at| now - at < FAILURE_BACKOFF)
    }

    fn record_failure(&self, url: &str, now: DateTime<Utc>) {
        if let Ok(mut failures) = self.failures.lock() {
            if failures.len() >= MAX_MEMORY_ENTRIES {
                failures.clear();
            }
            failures.insert(url.to_owned(), now);
        }
    }
}

fn file_name(key: &str) -> String {
    let kind = if key.starts_with("crl ") {
        "crl"
    } else {
        "ocsp"
    };
    format!("{kind}-{}.der", hex::encode(Sha256::digest(key.as_bytes())))
}

fn read_capped(path: &Path, limit: u64) -> Result<Vec<u8>, RevocationError> {
    let io = |source| RevocationError::Io {
        path: path.display().to_string(),
        source,
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let mut bytes = Vec::new();
    file.take(limit + 1).read_to_end(&mut bytes).map_err(io)?;
    if bytes.len() as u64 > limit {
        return Err(RevocationError::Unusable {
            path: path.display().to_string(),
            reason: format!("larger than {limit} bytes"),
        });
    }
    Ok(bytes)
}

/// What to send.
pub(super) enum Request<'a> {
    /// GET a CRL.
    Crl,
    /// POST a DER OCSPRequest (RFC 6960 appendix A).
    Ocsp(&'a [u8]),
}

/// One HTTP exchange. Only `http:` URLs: RFC 5280 and 6960 publish revocation data over
/// plain HTTP (it is signed), and HTTPS would need revocation checking of its own.
pub(super) fn fetch(
    cache: &RevocationCache,
    url: &str,
    request: Request<'_>,
    timeout: Duration,
    now: DateTime<Utc>,
) -> Result<Vec<u8>, String> {
    match url::Url::parse(url) {
        Ok(parsed) if parsed.scheme() == "http" => {}
        Ok(parsed) => return Err(format!("the {} scheme is not fetched", parsed.scheme())),
        Err(error) => return Err(format!("not a URL: {error}")),
    }
    if cache.recently_failed(url, now) {
        return Err("skipped: the same URL failed less than a minute ago".into());
    }
    let result = exchange(url, request, timeout);
    if result.is_err() {
        cache.record_failure(url, now);
    }
    result
}

fn exchange(url: &str, request: Request<'_>, timeout: Duration) -> Result<Vec<u8>, String> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        .http_status_as_error(false)
        .max_redirects(2)
        .build()
        .into();
    let (response, limit) = match request {
        Request::Crl => (agent.get(url).call(), MAX_CRL_BYTES),
        Request::Ocsp(body) => (
            agent
                .post(url)
                .header("Content-Type", "application/ocsp-request")
                .send(body),
            MAX_OCSP_BYTES,
        ),
    };
    let mut response = response.map_err(|e| format!("request failed: {e}"))?;
    let status = response.status();
    if !status.is_success() {
        return Err(format!("HTTP status {}", status.as_u16()));
    }
    response
        .body_mut()
        .with_config()
        .limit(limit)
        .read_to_vec()
        .map_err(|e| format!("reading the body failed (limit {limit} bytes): {e}"))
}
