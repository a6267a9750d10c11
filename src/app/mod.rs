//! Use-cases: what a clerk, signer, staff member, auditor or admin can do, written against
//! our own types. They orchestrate the metadata store, object storage and PDF checks; they do
//! not know HTTP, SQL or any storage client library.

mod audit_log;
pub mod bootstrap;
mod compliance;
mod copies;
mod documents;
pub mod exemption;
mod issuing;
mod metadata;
mod policy;
mod register;
mod revalidation;
mod search;
mod signing;
mod users;
mod verification;
mod views;

use std::sync::Arc;
use std::time::Duration;

use crate::db::{DbError, SharedStore};
use crate::domain::exemption::RuleSet;
use crate::pdf::PdfRejection;
use crate::signing::font::FontProgram;
use crate::signing::keystore::KeyStore;
use crate::storage::{BlobStore, StorageError};

pub use compliance::{ComplianceQuery, ComplianceReport, GroupBy};
pub use copies::CopyRequest;
pub use documents::{DocumentListQuery, DocumentUpload};
pub use issuing::{IssueRequest, IssuedView};
pub use metadata::{
    draft_metadata_schema, DraftMetadata, Recipient, RelatedDocument, RelationChoice,
};
pub use policy::{StoredVerificationView, VerificationView};
pub use register::{RegisterExport, RegisterFormat};
pub use revalidation::RevalidationSummary;
pub use signing::{CompleteSigningRequest, PlacementRequest, SigningSessionView};
pub use users::{NewUserRequest, TokenCreated};
pub use verification::{StoredVerificationList, StoredVerificationSummary};
pub use views::{DocumentFileView, DocumentList, DocumentView, UserView};

/// Everything a use-case can fail with. The HTTP layer maps each variant to one stable code.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    BadRequest(String),
    #[error("authentication required: {0}")]
    Unauthenticated(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    InvalidMetadata(String),
    #[error("{0}")]
    UnknownAgency(String),
    #[error("{0}")]
    UnknownUnit(String),
    #[error("{0}")]
    ConfidentialFileRefused(String),
    #[error(transparent)]
    InvalidPdf(#[from] PdfRejection),
    #[error("the PDF took longer than {0:?} to check")]
    PdfTimeout(Duration),
    #[error("storage: {0}")]
    Storage(#[from] StorageError),
    #[error("database: {0}")]
    Database(DbError),
    #[error("{0}")]
    SessionExpired(String),
    #[error("{0}")]
    SignatureMismatch(String),
    /// The page's text did not say where to sign; the caller must give a position.
    #[error("{0}")]
    LayoutNotFound(String),
    /// Layer 1 is missing, invalid, or not by an authorised signer of the agency.
    #[error("{0}")]
    PersonalSignatureInvalid(String),
    #[error("internal: {0}")]
    Internal(String),
}

impl From<crate::signing::engine::SigningError> for AppError {
    fn from(error: crate::signing::engine::SigningError) -> Self {
        use crate::signing::engine::SigningError as E;
        match error {
            E::ExternalMismatch(message) => AppError::SignatureMismatch(message),
            E::Layout(e) => AppError::LayoutNotFound(e.to_string()),
            E::TextLayout(message) => AppError::LayoutNotFound(message),
            E::Pdf(e) => AppError::InvalidPdf(crate::pdf::PdfRejection::Unparseable(e.to_string())),
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl From<DbError> for AppError {
    fn from(error: DbError) -> Self {
        match error {
            DbError::Conflict(what) => AppError::Conflict(format!("{what} already exists")),
            other => AppError::Database(other),
        }
    }
}

impl From<crate::blocking::BlockingError> for AppError {
    fn from(error: crate::blocking::BlockingError) -> Self {
        AppError::Internal(error.to_string())
    }
}

pub type AppResult<T> = Result<T, AppError>;

/// Limits the use-cases enforce.
#[derive(Debug, Clone)]
pub struct Limits {
    pub pdf_parse_timeout: Duration,
    pub session_hours: u32,
    /// How long a prepared signer-held signature waits for its completion.
    pub signing_session: chrono::Duration,
}

/// The use-cases with their dependencies. Cheap to clone.
#[derive(Clone)]
pub struct Services {
    pub store: SharedStore,
    pub blobs: BlobStore,
    pub limits: Arc<Limits>,
    pub keys: Arc<KeyStore>,
    /// The serif font for numbers and dates; `None` when the system has none (issuing then
    /// fails with a clear error).
    pub font: Option<Arc<FontProgram>>,
    /// The exemption rules in force (loaded at start).
    pub rules: Arc<RuleSet>,
    /// This node's search index (derived from the database).
    pub index: Arc<search_index::ArchiveIndex>,
    /// Revocation checking for every validation of this node (`[verify]`), its cache shared.
    pub revocation: crate::verify::RevocationOptions,
    /// Issuances of this node queue here rather than each holding a database connection while
    /// waiting for the register lock (which still orders issuances across nodes).
    issue_gate: Arc<tokio::sync::Mutex<()>>,
}

impl Services {
    pub fn new(
        store: SharedStore,
        blobs: BlobStore,
        limits: Limits,
        keys: KeyStore,
        font: Option<FontProgram>,
        rules: RuleSet,
        index: Arc<search_index::ArchiveIndex>,
    ) -> Self {
        Self {
            store,
            blobs,
            limits: Arc::new(limits),
            keys: Arc::new(keys),
            font: font.map(Arc::new),
            rules: Arc::new(rules),
            index,
            revocation: crate::verify::RevocationOptions::default(),
            issue_gate: Arc::new(tokio::sync::Mutex::new(())),
        }
    }

    /// Replaces the default revocation checking (online, in-memory cache).
    pub fn with_revocation(mut self, revocation: crate::verify::RevocationOptions) -> Self {
        self.revocation = revocation;
        self
    }
}
