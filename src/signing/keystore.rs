//! Server-held keys: PKCS#12 files in the PKI dir, protected by one passphrase read from a
//! file. Certificates name their key file (`certificates.pkcs12_path`); the CA certificates in
//! `chain.pem` complete chains for signers whose key is on their own token.

use std::path::{Component, Path, PathBuf};

use openssl::x509::X509;

use super::engine::{SigningError, SigningKey};

pub struct KeyStore {
    dir: PathBuf,
    passphrase_file: PathBuf,
}

impl KeyStore {
    /// `passphrase_file` defaults to `<dir>/passphrase` (written by the demo PKI).
    pub fn new(dir: PathBuf, passphrase_file: Option<PathBuf>) -> Self {
        let passphrase_file = passphrase_file.unwrap_or_else(|| dir.join("passphrase"));
        Self {
            dir,
            passphrase_file,
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Loads the key at `relative` (a plain file name or relative path inside the PKI dir).
    pub fn load(&self, relative: &str) -> Result<SigningKey, SigningError> {
        let path = Path::new(relative);
        let inside = path.components().all(|c| matches!(c, Component::Normal(_)));
        if !inside {
            return Err(SigningError::Key(format!(
                "key path '{relative}' must stay inside the PKI dir"
            )));
        }
        let passphrase = std::fs::read_to_string(&self.passphrase_file).map_err(|e| {
            SigningError::Key(format!(
                "cannot read the PKCS#12 passphrase file {}: {e}",
                self.passphrase_file.display()
            ))
        })?;
        SigningKey::from_pkcs12_file(
            &self.dir.join(path),
            passphrase.trim_end_matches(['\n', '\r']),
        )
    }

    /// The CA certificates of `chain.pem` (issuing CA first), empty when absent.
    pub fn ca_chain(&self) -> Vec<X509> {
        std::fs::read(self.dir.join("chain.pem"))
            .ok()
            .and_then(|pem| X509::stack_from_pem(&pem).ok())
            .unwrap_or_default()
    }

    /// The root certificates the node trusts for its own signers (`root-ca.pem`).
    pub fn trust_roots(&self) -> Vec<X509> {
        std::fs::read(self.dir.join("root-ca.pem"))
            .ok()
            .and_then(|pem| X509::stack_from_pem(&pem).ok())
            .unwrap_or_default()
    }
}

/// Parses a PEM certificate stored in the database.
pub fn certificate_from_pem(pem: &str) -> Result<X509, SigningError> {
    X509::from_pem(pem.as_bytes())
        .map_err(|e| SigningError::Key(format!("stored certificate is not PEM: {e}")))
}

/// Lower-case hex SHA-256 of a certificate's DER: the fingerprint the database records.
pub fn fingerprint(certificate: &X509) -> Option<String> {
    certificate
        .digest(openssl::hash::MessageDigest::sha256())
        .ok()
        .map(hex::encode)
}

/// Fingerprints of every certificate in a PEM file (a bundle may hold several).
pub fn fingerprints_in_pem(pem: &[u8]) -> Result<Vec<String>, SigningError> {
    let certificates = X509::stack_from_pem(pem)
        .map_err(|e| SigningError::Key(format!("not a PEM certificate file: {e}")))?;
    if certificates.is_empty() {
        return Err(SigningError::Key("no PEM certificate in the file".into()));
    }
    Ok(certificates.iter().filter_map(fingerprint).collect())
}
