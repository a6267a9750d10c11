//! What the API returns. Views are built from records by the use-cases, never by handlers.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use uuid::Uuid;

use super::Recipient;
use crate::db::{AgencyRecord, DocumentFileRecord, DocumentRecord, UnitRecord, UserRecord};
use crate::domain::{
    Confidentiality, CopyKind, DocumentNumber, DocumentStatus, DocumentType, Role, Urgency,
};

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DocumentFileView {
    /// Lower-case hex SHA-256 of the stored bytes.
    pub sha256: String,
    pub size_bytes: i64,
    pub media_type: String,
    pub original_filename: Option<String>,
    pub kind: String,
    /// Path of the download endpoint.
    pub download_path: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DocumentView {
    pub id: Uuid,
    /// OrganId of the issuing agency.
    pub organ_id: String,
    pub organ_name: String,
    /// Abbreviation of the drafting unit.
    pub unit: String,
    pub unit_name: String,
    pub document_type: DocumentType,
    /// Vietnamese name of the type (TypeName).
    pub type_name: String,
    pub confidentiality: Confidentiality,
    pub urgency: Urgency,
    pub status: DocumentStatus,
    pub subject: String,
    pub language: String,
    pub page_amount: Option<i64>,
    pub description: Option<String>,
    pub recipients: Vec<Recipient>,
    pub issued_amount: Option<i64>,
    pub due_date: Option<NaiveDate>,
    pub signer_user_id: Option<Uuid>,
    /// Số và ký hiệu once issued, e.g. 05/QĐ-UBND.
    pub number: Option<String>,
    pub issued_at: Option<DateTime<Utc>>,
    pub created_by: Uuid,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The current file; absent for confidential register stubs.
    pub file: Option<DocumentFileView>,
    /// The exemption rule that decided how the document is handled.
    pub exemption_rule_id: Option<String>,
    pub summary_withheld: bool,
    pub revocation: Option<RevocationView>,
    /// The original this document corrects or replaces.
    pub related: Option<RelatedView>,
    /// Numbered in the legal normative sequence of its type.
    pub legal_normative: bool,
    /// Set when this document is a copy (bản sao) of another.
    pub copy_of: Option<CopyOfView>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CopyOfView {
    /// The original document.
    pub document_id: Uuid,
    pub kind: CopyKind,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RevocationView {
    pub at: DateTime<Utc>,
    pub by: Uuid,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RelatedView {
    pub document_id: Uuid,
    /// correction or replacement
    pub relation: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DocumentList {
    pub items: Vec<DocumentView>,
    pub limit: u32,
    pub offset: u32,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UserView {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub clearance: Confidentiality,
    pub organ_id: String,
    pub unit: Option<String>,
    pub active: bool,
}

impl DocumentView {
    pub(super) fn build(
        document: DocumentRecord,
        agency: &AgencyRecord,
        unit: Option<&UnitRecord>,
        file: Option<DocumentFileRecord>,
    ) -> Self {
        let number = number_of(&document);
        let recipients = serde_json::from_str(&document.recipients_json).unwrap_or_default();
        let file = file.map(|f| DocumentFileView {
            download_path: format!("/api/documents/{}/file", document.id),
            sha256: f.sha256,
            size_bytes: f.size_bytes,
            media_type: f.media_type,
            original_filename: f.original_filename,
            kind: f.kind.as_str().to_owned(),
        });
        Self {
            id: document.id,
            organ_id: agency.organ_id.clone(),
            organ_name: agency.name.clone(),
            unit: unit.map(|u| u.abbreviation.clone()).unwrap_or_default(),
            unit_name: unit.map(|u| u.name.clone()).unwrap_or_default(),
            type_name: document.document_type.name_vi().to_owned(),
            document_type: document.document_type,
            confidentiality: document.confidentiality,
            urgency: document.urgency,
            status: document.status,
            subject: document.subject,
            language: document.language,
            page_amount: document.page_amount,
            description: document.description,
            recipients,
            issued_amount: document.issued_amount,
            due_date: document.due_date,
            signer_user_id: document.signer_user_id,
            number,
            issued_at: document.issued_at,
            created_by: document.created_by,
            created_at: document.created_at,
            updated_at: document.updated_at,
            file,
            exemption_rule_id: document.exemption_rule_id,
            summary_withheld: document.summary_withheld,
            revocation: document.revocation.map(|r| RevocationView {
                at: r.at,
                by: r.by,
                reason: r.reason,
            }),
            related: document.related.map(|r| RelatedView {
                document_id: r.document_id,
                relation: r.kind.as_str().to_owned(),
            }),
            legal_normative: document.legal_normative,
            copy_of: document.copy_of.map(|c| CopyOfView {
                document_id: c.original_id,
                kind: c.kind,
            }),
        }
    }
}

/// Số và ký hiệu as printed ("05/QĐ-UBND") once the document has a number.
pub(super) fn number_of(document: &DocumentRecord) -> Option<String> {
    match (document.ordinal, &document.notation) {
        (Some(ordinal), Some(notation)) => {
            Some(DocumentNumber::from_register(ordinal, notation.clone()).to_string())
        }
        _ => None,
    }
}

impl UserView {
    pub(super) fn build(
        user: &UserRecord,
        agency: &AgencyRecord,
        unit: Option<&UnitRecord>,
    ) -> Self {
        Self {
            id: user.id,
            username: user.username.clone(),
            display_name: user.display_name.clone(),
            role: user.role,
            clearance: user.clearance,
            organ_id: agency.organ_id.clone(),
            unit: unit.map(|u| u.abbreviation.clone()),
            active: user.active,
        }
    }
}
