//! The metadata store: the source of truth for agencies, users, documents and audit events.
//! One trait, [`MetadataStore`], two implementations — SQLite (embedded default) and
//! PostgreSQL (multi-node) — chosen from the configured URL in [`connect`]. This module is the
//! only one that knows sqlx; the rest of the code sees our record types.

mod postgres;
mod records;
mod sql_audit;
mod sql_store;
mod sql_workflow;
mod sqlite;

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::config::{DatabaseTarget, ResolvedSettings};
use crate::domain::{Confidentiality, DocumentStatus, Role};

pub use postgres::PostgresStore;
pub use records::*;
pub use sqlite::SqliteStore;

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("not found")]
    NotFound,
    #[error("already exists: {0}")]
    Conflict(String),
    #[error("stored value is not valid: {0}")]
    Corrupt(String),
    #[error("database error: {0}")]
    Backend(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    /// The caller's step inside a transaction failed; nothing was committed.
    #[error("{0}")]
    Aborted(BuildError),
}

/// An error from the caller's work inside a store transaction (e.g. signing the issued PDF).
pub type BuildError = Box<dyn std::error::Error + Send + Sync>;

impl DbError {
    pub(crate) fn from_sqlx(error: sqlx::Error, what: &str) -> DbError {
        match &error {
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                DbError::Conflict(what.to_owned())
            }
            sqlx::Error::RowNotFound => DbError::NotFound,
            _ => DbError::Backend(error),
        }
    }
}

pub type DbResult<T> = Result<T, DbError>;

/// Which documents a listing may return. Agency scope and clearance are part of the query,
/// so a row the caller may not see never leaves the database.
#[derive(Debug, Clone)]
pub struct DocumentFilter {
    pub agency_id: Uuid,
    pub max_confidentiality: Confidentiality,
    pub status: Option<DocumentStatus>,
    pub limit: u32,
    pub offset: u32,
}

#[async_trait]
pub trait MetadataStore: Send + Sync {
    /// `sqlite` or `postgres`.
    fn backend_name(&self) -> &'static str;
    async fn migrate(&self) -> DbResult<()>;
    async fn ping(&self) -> DbResult<()>;

    async fn insert_agency(&self, agency: &AgencyRecord) -> DbResult<()>;
    async fn find_agency_by_organ_id(&self, organ_id: &str) -> DbResult<Option<AgencyRecord>>;
    async fn get_agency(&self, id: Uuid) -> DbResult<AgencyRecord>;
    async fn list_agencies(&self) -> DbResult<Vec<AgencyRecord>>;

    async fn insert_unit(&self, unit: &UnitRecord) -> DbResult<()>;
    async fn find_unit(&self, agency_id: Uuid, abbreviation: &str) -> DbResult<Option<UnitRecord>>;
    async fn list_units(&self, agency_id: Uuid) -> DbResult<Vec<UnitRecord>>;

    async fn insert_user(&self, user: &UserRecord) -> DbResult<()>;
    async fn find_user_by_username(&self, username: &str) -> DbResult<Option<UserRecord>>;
    async fn get_user(&self, id: Uuid) -> DbResult<UserRecord>;
    async fn list_users(&self) -> DbResult<Vec<UserRecord>>;
    async fn set_user_role(&self, id: Uuid, role: Role) -> DbResult<()>;
    async fn set_user_password_hash(&self, id: Uuid, password_hash: &str) -> DbResult<()>;

    async fn insert_token(&self, token: &TokenRecord) -> DbResult<()>;
    /// The token with this hash if it is neither revoked nor expired at `now`, with its user.
    async fn find_live_token(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> DbResult<Option<(TokenRecord, UserRecord)>>;
    async fn list_tokens(&self, user_id: Uuid) -> DbResult<Vec<TokenRecord>>;
    async fn revoke_token(&self, id: Uuid, at: DateTime<Utc>) -> DbResult<()>;

    async fn insert_certificate(&self, certificate: &CertificateRecord) -> DbResult<()>;
    async fn insert_signer(&self, signer: &SignerRecord) -> DbResult<()>;
    async fn list_signers(&self, agency_id: Uuid) -> DbResult<Vec<SignerView>>;

    /// Inserts the document, its file row (if any) and the audit event in one transaction.
    async fn insert_document(
        &self,
        document: &DocumentRecord,
        file: Option<&DocumentFileRecord>,
        event: &AuditEventRecord,
    ) -> DbResult<()>;
    async fn get_document(&self, id: Uuid) -> DbResult<DocumentRecord>;
    async fn list_documents(&self, filter: &DocumentFilter) -> DbResult<Vec<DocumentRecord>>;
    async fn count_documents(&self) -> DbResult<i64>;
    async fn current_file(&self, document_id: Uuid) -> DbResult<Option<DocumentFileRecord>>;

    async fn append_audit_event(&self, event: &AuditEventRecord) -> DbResult<()>;
    /// Search outbox entries after `seq`: `(seq, document id)`, oldest first.
    async fn search_outbox_after(&self, seq: i64, limit: i64) -> DbResult<Vec<(i64, Uuid)>>;
    /// Every document id (for rebuilding the search index).
    async fn all_document_ids(&self) -> DbResult<Vec<Uuid>>;
    /// `(last sequence number, last hash)` of the audit chain.
    async fn audit_chain_head(&self) -> DbResult<(i64, String)>;
    async fn list_audit_events(&self, document_id: Option<Uuid>)
        -> DbResult<Vec<AuditEventRecord>>;
}

/// The signing and issuing workflow's persistence. See `sql_workflow.rs`.
#[async_trait]
pub trait WorkflowStore: Send + Sync {
    async fn get_certificate(&self, id: Uuid) -> DbResult<CertificateRecord>;
    async fn find_certificate_by_fingerprint(
        &self,
        fingerprint: &str,
    ) -> DbResult<Option<CertificateRecord>>;
    /// The newest organization certificate registered for the agency.
    async fn organization_certificate(
        &self,
        agency_id: Uuid,
    ) -> DbResult<Option<CertificateRecord>>;
    async fn signer_for_user(&self, user_id: Uuid) -> DbResult<Option<SignerRecord>>;
    async fn set_agency_seal(&self, agency_id: Uuid, sha256: &str) -> DbResult<()>;
    async fn set_signer_image(&self, signer_id: Uuid, sha256: &str) -> DbResult<()>;
    /// Only while the document is a draft.
    async fn assign_signer(
        &self,
        document_id: Uuid,
        signer_user_id: Uuid,
        event: &AuditEventRecord,
    ) -> DbResult<()>;
    /// draft → signed_personal, with the signed file and the event, atomically.
    async fn record_layer_one(
        &self,
        document_id: Uuid,
        file: &DocumentFileRecord,
        event: &AuditEventRecord,
    ) -> DbResult<()>;
    async fn insert_signing_session(&self, session: &SigningSessionRecord) -> DbResult<()>;
    async fn get_signing_session(&self, id: Uuid) -> DbResult<SigningSessionRecord>;
    /// Closes the session and records layer 1 in one transaction; a second completion conflicts.
    async fn complete_signing_session(
        &self,
        id: Uuid,
        file: &DocumentFileRecord,
        event: &AuditEventRecord,
    ) -> DbResult<()>;
    /// issued → revoked, with the reason and the actor, and the event; nothing is deleted.
    async fn revoke_document(
        &self,
        document_id: Uuid,
        revocation: &Revocation,
        event: &AuditEventRecord,
    ) -> DbResult<()>;
    /// Issued (or later revoked) documents of the agency issued in `[from, to)`, by number.
    async fn issued_between(
        &self,
        agency_id: Uuid,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> DbResult<Vec<DocumentRecord>>;
    /// Documents that correct or replace `document_id`.
    async fn related_documents(&self, document_id: Uuid) -> DbResult<Vec<DocumentRecord>>;
    /// Documents of the agency carrying this number and notation (duplicates must be warned).
    async fn documents_with_number(
        &self,
        agency_id: Uuid,
        ordinal: i64,
        notation: &str,
    ) -> DbResult<Vec<Uuid>>;
    /// Takes the next number of `register` and lets `build` produce the issued document with it,
    /// all in one transaction (see `sql_workflow.rs`). Returns the number used.
    async fn issue_with_next_number(
        &self,
        register: &RegisterKey,
        document_id: Uuid,
        build: &mut (dyn FnMut(
            i64,
        )
            -> futures::future::BoxFuture<'static, Result<IssuedDocument, BuildError>>
                  + Send),
    ) -> DbResult<(i64, IssuedDocument)>;
    /// Inserts `copy` (a bản sao of an issued document) and numbers it like
    /// [`issue_with_next_number`](Self::issue_with_next_number), in one transaction: a failed
    /// copy leaves neither a row nor a used number.
    async fn issue_copy_with_next_number(
        &self,
        register: &RegisterKey,
        copy: &DocumentRecord,
        build: &mut (dyn FnMut(
            i64,
        )
            -> futures::future::BoxFuture<'static, Result<IssuedDocument, BuildError>>
                  + Send),
    ) -> DbResult<(i64, IssuedDocument)>;
    /// Copies made of `original_id`, oldest first.
    async fn copies_of(&self, original_id: Uuid) -> DbResult<Vec<DocumentRecord>>;
    /// Issued (and revoked) documents of every agency, for scheduled re-validation.
    async fn all_issued_documents(&self) -> DbResult<Vec<DocumentRecord>>;
    async fn verification_result(
        &self,
        document_id: Uuid,
    ) -> DbResult<Option<VerificationResultRecord>>;
    /// Stores the latest result; `event` (a changed verdict) is appended in the same
    /// transaction.
    async fn record_verification(
        &self,
        result: &VerificationResultRecord,
        event: Option<&AuditEventRecord>,
    ) -> DbResult<()>;
    /// Keeps an uploaded file's verification; `event` is appended in the same transaction.
    async fn store_verification(
        &self,
        record: &StoredVerificationRecord,
        event: &AuditEventRecord,
    ) -> DbResult<()>;
    async fn stored_verification(&self, id: Uuid) -> DbResult<Option<StoredVerificationRecord>>;
    /// Kept verifications stored in `[start, end)`, newest first, at most `limit`; their
    /// `view_json` is left empty (the list does not carry whole reports).
    async fn stored_verifications_between(
        &self,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        limit: i64,
    ) -> DbResult<Vec<StoredVerificationRecord>>;
}

/// Everything the service persists in SQL.
pub trait Store: MetadataStore + WorkflowStore {}
impl<T: MetadataStore + WorkflowStore> Store for T {}

pub type SharedStore = Arc<dyn Store>;

/// Opens the store the settings name and brings its schema up to date.
pub async fn connect(settings: &ResolvedSettings) -> DbResult<SharedStore> {
    let store: SharedStore = match &settings.database {
        DatabaseTarget::Sqlite { path } => {
            Arc::new(SqliteStore::open(path, settings.database_max_connections).await?)
        }
        DatabaseTarget::Postgres { url } => {
            Arc::new(PostgresStore::open(url.expose(), settings.database_max_connections).await?)
        }
    };
    store.migrate().await?;
    Ok(store)
}
