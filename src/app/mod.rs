//! Use-cases: what a clerk, signer, staff member, auditor or admin can do, written against
//! our own types. They orchestrate the metadata store, object storage and PDF checks; they do
//! not know HTTP, SQL or any storage client library.

pub mod bootstrap;
mod documents;
mod metadata;
mod users;
mod views;

use std::sync::Arc;
use std::time::Duration;

use crate::db::{DbError, SharedStore};
use crate::pdf::PdfRejection;
use crate::storage::{BlobStore, StorageError};

pub use documents::{DocumentListQuery, DocumentUpload};
pub use metadata::{draft_metadata_schema, DraftMetadata, Recipient};
pub use users::{NewUserRequest, TokenCreated};
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
    #[error("internal: {0}")]
    Internal(String),
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
}

/// The use-cases with their dependencies. Cheap to clone.
#[derive(Clone)]
pub struct Services {
    pub store: SharedStore,
    pub blobs: BlobStore,
    pub limits: Arc<Limits>,
}

impl Services {
    pub fn new(store: SharedStore, blobs: BlobStore, limits: Limits) -> Self {
        Self {
            store,
            blobs,
            limits: Arc::new(limits),
        }
    }
}
