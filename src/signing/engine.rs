//! The two-layer signing engine: the library API the workflow and the CLI call. Layer 1 puts
//! the competent person's signature into the draft (and pre-creates the agency's field); layer
//! 2 signs that field with the agency's organization certificate. Everything here is
//! synchronous and CPU-bound: callers run it through `blocking::run`.

use std::path::Path;

use chrono::{DateTime, FixedOffset};
use openssl::pkcs12::Pkcs12;
use openssl::pkey::{PKey, Private};
use openssl::x509::X509;

use super::cms;
use super::pdf_update::{self, PdfSignError, Placement, PreparedPdf, SignatureInfo};

#[derive(Debug, thiserror::Error)]
pub enum SigningError {
    #[error(transparent)]
    Pdf(#[from] PdfSignError),
    #[error("CMS: {0}")]
    Cms(#[from] cms::CmsError),
    #[error("the key file cannot be opened: {0}")]
    Key(String),
}

/// A server-held key with its certificate and chain (issuing CA first, root last).
pub struct SigningKey {
    pub key: PKey<Private>,
    pub certificate: X509,
    pub chain: Vec<X509>,
}

impl SigningKey {
    pub fn from_pkcs12(der: &[u8], passphrase: &str) -> Result<Self, SigningError> {
        let parsed = Pkcs12::from_der(der)
            .and_then(|p| p.parse2(passphrase))
            .map_err(|e| {
                SigningError::Key(format!("not a PKCS#12 file or wrong passphrase ({e})"))
            })?;
        let key = parsed
            .pkey
            .ok_or_else(|| SigningError::Key("the PKCS#12 file holds no private key".into()))?;
        let certificate = parsed
            .cert
            .ok_or_else(|| SigningError::Key("the PKCS#12 file holds no certificate".into()))?;
        let chain = parsed
            .ca
            .map(|stack| stack.into_iter().collect())
            .unwrap_or_default();
        Ok(Self {
            key,
            certificate,
            chain,
        })
    }

    pub fn from_pkcs12_file(path: &Path, passphrase: &str) -> Result<Self, SigningError> {
        let der = std::fs::read(path)
            .map_err(|e| SigningError::Key(format!("{}: {e}", path.display())))?;
        Self::from_pkcs12(&der, passphrase)
    }

    /// Exact size of the CMS this key produces, plus slack for ECDSA's variable length.
    fn cms_size(&self) -> Result<usize, SigningError> {
        Ok(cms::sign_detached(&[0u8; 32], &self.key, &self.certificate, &self.chain)?.len() + 64)
    }
}

/// Where the two widgets go. Defaults: bottom of the last page, in the signer block column.
#[derive(Debug, Clone, Copy)]
pub struct Layout {
    pub personal: Placement,
    pub agency: Placement,
}

impl Layout {
    pub fn default_for_page(page: u32) -> Self {
        Self {
            personal: Placement {
                page,
                rect: [340.0, 120.0, 520.0, 200.0],
            },
            agency: Placement {
                page,
                rect: [300.0, 110.0, 400.0, 210.0],
            },
        }
    }
}

/// Layer 1 with a server-held key.
pub fn sign_personal(
    input: &[u8],
    key: &SigningKey,
    layout: Layout,
    time: DateTime<FixedOffset>,
    reason: &str,
) -> Result<Vec<u8>, SigningError> {
    let info = SignatureInfo {
        signing_time: time,
        reason: reason.into(),
        location: String::new(),
        reserved_bytes: key.cms_size()?,
    };
    let prepared = pdf_update::prepare_personal(input, layout.personal, layout.agency, &info)?;
    complete_with_key(prepared, key)
}

/// Layer 2 with the agency's server-held key.
pub fn sign_agency(
    input: &[u8],
    key: &SigningKey,
    fallback: Placement,
    time: DateTime<FixedOffset>,
    reason: &str,
    location: &str,
) -> Result<Vec<u8>, SigningError> {
    let info = SignatureInfo {
        signing_time: time,
        reason: reason.into(),
        location: location.into(),
        reserved_bytes: key.cms_size()?,
    };
    let prepared = pdf_update::prepare_agency(input, fallback, &info)?;
    complete_with_key(prepared, key)
}

fn complete_with_key(prepared: PreparedPdf, key: &SigningKey) -> Result<Vec<u8>, SigningError> {
    let digest = prepared.byte_range_digest();
    let cms = cms::sign_detached(&digest, &key.key, &key.certificate, &key.chain)?;
    Ok(prepared.embed(&cms)?)
}

/// The number of pages, for choosing the default layout.
pub fn page_count(input: &[u8]) -> Result<u32, SigningError> {
    let facts = crate::pdf::inspect(input).map_err(|e| PdfSignError::Unreadable(e.to_string()))?;
    Ok(facts.page_count)
}
