//! Rows as the rest of the service sees them. Enumerations are already parsed into domain
//! types; a stored value that does not parse is reported as [`super::DbError::Corrupt`].

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use crate::domain::{Confidentiality, DocumentStatus, DocumentType, Role, Urgency};

#[derive(Debug, Clone, PartialEq)]
pub struct AgencyRecord {
    pub id: Uuid,
    pub organ_id: String,
    pub name: String,
    pub abbreviation: String,
    /// The seal image (red, transparent PNG) in object storage.
    pub seal_image_sha256: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct UnitRecord {
    pub id: Uuid,
    pub agency_id: Uuid,
    pub abbreviation: String,
    pub name: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct UserRecord {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    pub password_hash: Option<String>,
    pub role: Role,
    pub clearance: Confidentiality,
    pub agency_id: Uuid,
    pub unit_id: Option<Uuid>,
    pub active: bool,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// Created by an admin or `vanthu token create`; lives until revoked or expired.
    Api,
    /// Created by a password login; expires after the configured hours.
    Session,
}

impl TokenKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenKind::Api => "api",
            TokenKind::Session => "session",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct TokenRecord {
    pub id: Uuid,
    pub user_id: Uuid,
    pub kind: TokenKind,
    pub name: String,
    pub token_hash: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CertificatePurpose {
    Personal,
    Organization,
}

impl CertificatePurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            CertificatePurpose::Personal => "personal",
            CertificatePurpose::Organization => "organization",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct CertificateRecord {
    pub id: Uuid,
    pub agency_id: Uuid,
    pub purpose: CertificatePurpose,
    pub subject: String,
    pub issuer: String,
    pub serial_hex: String,
    pub sha256_fingerprint: String,
    pub pem: String,
    pub not_before: DateTime<Utc>,
    pub not_after: DateTime<Utc>,
    /// Server-held key: PKCS#12 path relative to the PKI dir. `None`: the signer holds the key.
    pub pkcs12_path: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SignerRecord {
    pub id: Uuid,
    pub user_id: Uuid,
    pub certificate_id: Uuid,
    pub position: String,
    pub authority_mark: Option<String>,
    /// The handwritten signature image (blue, transparent PNG) in object storage.
    pub signature_image_sha256: Option<String>,
    pub active: bool,
    pub created_at: DateTime<Utc>,
}

/// A signer joined with the user and certificate it maps.
#[derive(Debug, Clone, PartialEq)]
pub struct SignerView {
    pub signer_id: Uuid,
    pub user_id: Uuid,
    pub username: String,
    pub display_name: String,
    pub position: String,
    pub authority_mark: Option<String>,
    pub certificate_id: Uuid,
    pub certificate_subject: String,
    pub certificate_fingerprint: String,
    pub signature_image_sha256: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DocumentRecord {
    pub id: Uuid,
    pub agency_id: Uuid,
    pub unit_id: Uuid,
    pub document_type: DocumentType,
    pub confidentiality: Confidentiality,
    pub urgency: Urgency,
    pub status: DocumentStatus,
    pub subject: String,
    pub language: String,
    pub page_amount: Option<i64>,
    pub description: Option<String>,
    /// JSON array of `{organ_id, organ_name}`.
    pub recipients_json: String,
    pub issued_amount: Option<i64>,
    pub due_date: Option<NaiveDate>,
    pub signer_user_id: Option<Uuid>,
    pub ordinal: Option<i64>,
    pub notation: Option<String>,
    pub issued_at: Option<DateTime<Utc>>,
    pub created_by: Uuid,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The exemption rule that decided how the document is handled.
    pub exemption_rule_id: Option<String>,
    /// The trích yếu was not stored (TUYỆT MẬT without the classifier's approval).
    pub summary_withheld: bool,
    pub revocation: Option<Revocation>,
    /// The original this document corrects or replaces.
    pub related: Option<Relation>,
    /// Numbered in the per-type legal normative sequence (`15/2026/QĐ-UBND`).
    pub legal_normative: bool,
    /// This document is a copy (bản sao) of another.
    pub copy_of: Option<CopyOf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CopyOf {
    pub original_id: Uuid,
    pub kind: crate::domain::CopyKind,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Revocation {
    pub at: DateTime<Utc>,
    pub by: Uuid,
    pub reason: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RelationKind {
    /// Đính chính: a correction letter for the original.
    Correction,
    /// A document issued in place of the original.
    Replacement,
}

impl RelationKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RelationKind::Correction => "correction",
            RelationKind::Replacement => "replacement",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Relation {
    pub document_id: Uuid,
    pub kind: RelationKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Draft,
    SignedPersonal,
    Issued,
}

impl FileKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FileKind::Draft => "draft",
            FileKind::SignedPersonal => "signed_personal",
            FileKind::Issued => "issued",
        }
    }

    /// Later steps supersede earlier ones as "the current file".
    pub fn rank(self) -> u8 {
        match self {
            FileKind::Draft => 0,
            FileKind::SignedPersonal => 1,
            FileKind::Issued => 2,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct DocumentFileRecord {
    pub id: Uuid,
    pub document_id: Uuid,
    pub kind: FileKind,
    /// Lower-case hex SHA-256 of the bytes; also names the object in storage.
    pub sha256: String,
    pub size_bytes: i64,
    pub media_type: String,
    pub original_filename: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AuditEventRecord {
    /// Position in the log, assigned by the database (0 before the event is written).
    pub seq: i64,
    pub id: Uuid,
    pub occurred_at: DateTime<Utc>,
    pub actor_user_id: Option<Uuid>,
    /// A stable dotted name such as `document.registered` or `document.file_read`.
    pub action: String,
    pub document_id: Option<Uuid>,
    /// JSON object with the event's particulars (never document contents or secrets).
    pub details_json: String,
    /// Chain hashes, set by the database when the event is written (see `crate::audit`).
    pub prev_hash: Option<String>,
    pub hash: Option<String>,
}

pub(crate) fn parse_stored<T: std::str::FromStr>(
    column: &str,
    raw: &str,
) -> Result<T, super::DbError> {
    raw.parse()
        .map_err(|_| super::DbError::Corrupt(format!("{column} = '{raw}'")))
}

pub(crate) fn parse_token_kind(raw: &str) -> Result<TokenKind, super::DbError> {
    match raw {
        "api" => Ok(TokenKind::Api),
        "session" => Ok(TokenKind::Session),
        other => Err(super::DbError::Corrupt(format!(
            "api_tokens.kind = '{other}'"
        ))),
    }
}

pub(crate) fn parse_file_kind(raw: &str) -> Result<FileKind, super::DbError> {
    match raw {
        "draft" => Ok(FileKind::Draft),
        "signed_personal" => Ok(FileKind::SignedPersonal),
        "issued" => Ok(FileKind::Issued),
        other => Err(super::DbError::Corrupt(format!(
            "document_files.kind = '{other}'"
        ))),
    }
}

/// A prepared layer-1 signature waiting for the signer's token (two-step flow).
#[derive(Debug, Clone, PartialEq)]
pub struct SigningSessionRecord {
    pub id: Uuid,
    pub document_id: Uuid,
    pub user_id: Uuid,
    pub certificate_id: Uuid,
    pub prepared_sha256: String,
    pub contents_start: i64,
    pub contents_end: i64,
    pub signed_attributes_hex: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
}

/// Which outgoing register (sổ đăng ký văn bản đi) a number comes from: one sequence per
/// agency, calendar year (Vietnam time) and sequence kind; legal normative documents have one
/// sequence per document type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterKey {
    pub agency_id: Uuid,
    pub year: i32,
    pub sequence_kind: SequenceKind,
    /// Empty unless the sequence kind is per type.
    pub document_type: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SequenceKind {
    Regular,
    Confidential,
    LegalNormative,
    Copy,
}

impl SequenceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SequenceKind::Regular => "regular",
            SequenceKind::Confidential => "confidential",
            SequenceKind::LegalNormative => "legal_normative",
            SequenceKind::Copy => "copy",
        }
    }
}

/// What an issuance writes once its number is known.
#[derive(Debug, Clone, PartialEq)]
pub struct IssuedDocument {
    pub status: DocumentStatus,
    pub notation: String,
    pub issued_at: DateTime<Utc>,
    /// The issued file; `None` for a confidential register stub.
    pub file: Option<DocumentFileRecord>,
    pub event: AuditEventRecord,
}

/// The latest re-validation of an issued document's file.
#[derive(Debug, Clone, PartialEq)]
pub struct VerificationResultRecord {
    pub document_id: Uuid,
    pub file_sha256: String,
    pub checked_at: DateTime<Utc>,
    pub valid: bool,
    /// compliant, non_compliant or exempt.
    pub verdict: String,
    /// JSON array of plain-language reasons.
    pub reasons_json: String,
}

/// An uploaded file's verification kept at the auditor's request: the file is the blob
/// `file_sha256`; `view_json` is the response as it was then.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredVerificationRecord {
    pub id: Uuid,
    pub file_sha256: String,
    pub file_size: i64,
    pub valid: bool,
    /// valid, invalid or indeterminate.
    pub indication: String,
    pub view_json: String,
    pub stored_by: Uuid,
    pub stored_at: DateTime<Utc>,
}
