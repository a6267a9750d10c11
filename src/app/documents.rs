//! Registering drafts and reading documents back. Visibility is decided here once: a user
//! sees documents of their own agency whose confidentiality their clearance covers; anything
//! else is reported as not found, so its existence does not leak.

use bytes::Bytes;
use chrono::Utc;
use serde_json::json;
use uuid::Uuid;

use super::metadata::parse_draft_metadata;
use super::views::{DocumentList, DocumentView};
use super::{AppError, AppResult, DraftMetadata, Services};
use crate::db::{
    AgencyRecord, AuditEventRecord, DbError, DocumentFileRecord, DocumentFilter, DocumentRecord,
    FileKind, Relation, RelationKind, Revocation, UnitRecord, UserRecord,
};
use crate::domain::exemption::{FilePolicy, SummaryPolicy};
use crate::domain::{Action, AgencyId, DocumentStatus, LanguageCode, Role, Subject};
use crate::pdf;
use crate::storage::ContentHash;

/// A draft as received: the metadata JSON text and, unless confidential, the PDF.
pub struct DocumentUpload {
    pub metadata_json: String,
    pub file: Option<Bytes>,
    pub file_name: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct DocumentListQuery {
    pub status: Option<DocumentStatus>,
    pub limit: Option<u32>,
    pub offset: Option<u32>,
}

pub(super) fn require(actor: &UserRecord, action: Action) -> AppResult<()> {
    if actor.role.may(action) {
        Ok(())
    } else {
        Err(AppError::Forbidden(format!(
            "the {} role may not do this ({action:?})",
            actor.role
        )))
    }
}

pub(super) fn audit_event(
    actor: Option<&UserRecord>,
    action: &str,
    document_id: Option<Uuid>,
    details: serde_json::Value,
) -> AuditEventRecord {
    // Microsecond precision: what both databases store, so the chain hash recomputes exactly.
    let now = Utc::now();
    let occurred_at =
        chrono::DateTime::from_timestamp_micros(now.timestamp_micros()).unwrap_or(now);
    AuditEventRecord {
        seq: 0,
        id: Uuid::now_v7(),
        occurred_at,
        actor_user_id: actor.map(|a| a.id),
        action: action.to_owned(),
        document_id,
        details_json: details.to_string(),
        prev_hash: None,
        hash: None,
    }
}

impl Services {
    pub async fn register_draft(
        &self,
        actor: &UserRecord,
        upload: DocumentUpload,
    ) -> AppResult<DocumentView> {
        require(actor, Action::RegisterDraft)?;
        let metadata = parse_draft_metadata(&upload.metadata_json)?;
        let agency = self
            .issuing_agency(actor, metadata.organ_id.as_deref())
            .await?;
        let unit = self
            .store
            .find_unit(agency.id, &metadata.unit)
            .await?
            .ok_or_else(|| {
                AppError::UnknownUnit(format!(
                    "the agency {} has no drafting unit '{}'",
                    agency.organ_id, metadata.unit
                ))
            })?;
        let signer_user_id = self
            .resolve_signer(&agency, metadata.signer.as_deref())
            .await?;
        if !actor.clearance.covers(metadata.confidentiality) {
            return Err(AppError::Forbidden(format!(
                "your clearance does not cover {} documents",
                metadata.confidentiality.label_vi()
            )));
        }
        let rule = self
            .rules
            .decide(
                metadata.confidentiality,
                metadata.document_type,
                &agency.organ_id,
            )
            .ok_or_else(|| AppError::Internal("no exemption rule matches".into()))?;
        let (rule_id, file_policy) = (rule.rule_id.to_owned(), rule.decision.file);
        let withhold_summary = match rule.decision.summary {
            SummaryPolicy::Keep => false,
            SummaryPolicy::Withhold => true,
            SummaryPolicy::WithholdUnlessApproved => !metadata.summary_approved,
        };
        let document_id = Uuid::now_v7();
        let (file, page_amount) = match (file_policy, upload.file) {
            (FilePolicy::Refused, Some(_)) => {
                return Err(AppError::ConfidentialFileRefused(format!(
                    "rule '{rule_id}': this document is registered as a stub only ({}); its file must not be uploaded to a networked system",
                    metadata.confidentiality.label_vi()
                )))
            }
            (FilePolicy::Refused, None) => (None, None),
            (FilePolicy::Required, None) => {
                return Err(AppError::BadRequest(
                    "the multipart part 'file' (the PDF) is required".to_owned(),
                ))
            }
            (FilePolicy::Required, Some(bytes)) => {
                let (record, pages) = self
                    .store_checked_pdf(document_id, bytes, upload.file_name)
                    .await?;
                (Some(record), Some(pages))
            }
        };
        let mut record = draft_record(
            document_id,
            actor,
            &agency,
            &unit,
            &metadata,
            signer_user_id,
            page_amount,
        )?;
        if file_policy == FilePolicy::Refused {
            record.status = DocumentStatus::RegisteredStub;
        }
        if let Some(related) = &metadata.related_document {
            record.related = Some(self.relation_to(actor, related).await?);
        }
        record.exemption_rule_id = Some(rule_id.clone());
        if withhold_summary {
            record.subject = WITHHELD_SUMMARY.to_owned();
            record.summary_withheld = true;
        }
        let event = audit_event(
            Some(actor),
            "document.registered",
            Some(document_id),
            json!({
                "status": record.status.as_str(),
                "confidentiality": record.confidentiality.as_str(),
                "exemption_rule": rule_id,
                "file_sha256": file.as_ref().map(|f| f.sha256.clone()),
            }),
        );
        self.store
            .insert_document(&record, file.as_ref(), &event)
            .await?;
        Ok(DocumentView::build(record, &agency, Some(&unit), file))
    }

    /// Checks the PDF off the runtime under a time limit, then stores it. The object is in
    /// storage before any row points to it.
    async fn store_checked_pdf(
        &self,
        document_id: Uuid,
        bytes: Bytes,
        file_name: Option<String>,
    ) -> AppResult<(DocumentFileRecord, i64)> {
        let limit = self.limits.pdf_parse_timeout;
        let for_check = bytes.clone();
        let facts = tokio::time::timeout(
            limit,
            crate::blocking::run(move || pdf::inspect(&for_check)),
        )
        .await
        .map_err(|_| AppError::PdfTimeout(limit))???;
        let stored = self.blobs.put_blob(bytes).await?;
        let record = DocumentFileRecord {
            id: Uuid::now_v7(),
            document_id,
            kind: FileKind::Draft,
            sha256: stored.hash.to_hex(),
            size_bytes: i64::try_from(stored.size).unwrap_or(i64::MAX),
            media_type: "application/pdf".to_owned(),
            original_filename: file_name.map(|n| sanitize_file_name(&n)),
            created_at: Utc::now(),
        };
        Ok((record, i64::from(facts.page_count)))
    }

    async fn issuing_agency(
        &self,
        actor: &UserRecord,
        organ_id: Option<&str>,
    ) -> AppResult<AgencyRecord> {
        let own = self.store.get_agency(actor.agency_id).await?;
        let Some(requested) = organ_id else {
            return Ok(own);
        };
        let requested =
            AgencyId::parse(requested).map_err(|e| AppError::InvalidMetadata(e.to_string()))?;
        if requested.as_str() == own.organ_id {
            return Ok(own);
        }
        match self
            .store
            .find_agency_by_organ_id(requested.as_str())
            .await?
        {
            None => Err(AppError::UnknownAgency(format!(
                "no agency has the identifier {requested}"
            ))),
            Some(_) => Err(AppError::Forbidden(format!(
                "you may register drafts only for your own agency {}",
                own.organ_id
            ))),
        }
    }

    async fn resolve_signer(
        &self,
        agency: &AgencyRecord,
        username: Option<&str>,
    ) -> AppResult<Option<Uuid>> {
        let Some(username) = username else {
            return Ok(None);
        };
        let user = self.store.find_user_by_username(username).await?;
        match user {
            Some(user)
                if user.role == Role::Signer && user.agency_id == agency.id && user.active =>
            {
                Ok(Some(user.id))
            }
            _ => Err(AppError::InvalidMetadata(format!(
                "/signer: '{username}' is not an active signer of {}",
                agency.organ_id
            ))),
        }
    }

    pub async fn list_documents(
        &self,
        actor: &UserRecord,
        query: DocumentListQuery,
    ) -> AppResult<DocumentList> {
        require(actor, Action::ReadDocuments)?;
        let limit = query.limit.unwrap_or(50).clamp(1, 200);
        let offset = query.offset.unwrap_or(0);
        let filter = DocumentFilter {
            agency_id: actor.agency_id,
            max_confidentiality: actor.clearance,
            status: query.status,
            limit,
            offset,
        };
        let records = self.store.list_documents(&filter).await?;
        let agency = self.store.get_agency(actor.agency_id).await?;
        let units = self.store.list_units(agency.id).await?;
        let mut items = Vec::with_capacity(records.len());
        for record in records {
            let file = self.store.current_file(record.id).await?;
            let unit = units.iter().find(|u| u.id == record.unit_id);
            items.push(DocumentView::build(record, &agency, unit, file));
        }
        let event = audit_event(
            Some(actor),
            "documents.listed",
            None,
            json!({"returned": items.len(), "offset": offset}),
        );
        self.store.append_audit_event(&event).await?;
        Ok(DocumentList {
            items,
            limit,
            offset,
        })
    }

    pub async fn get_document(&self, actor: &UserRecord, id: Uuid) -> AppResult<DocumentView> {
        require(actor, Action::ReadDocuments)?;
        let record = self.visible_document(actor, id).await?;
        let agency = self.store.get_agency(record.agency_id).await?;
        let unit = self.unit_of(&record).await?;
        let file = self.store.current_file(id).await?;
        let event = audit_event(Some(actor), "document.read", Some(id), json!({}));
        self.store.append_audit_event(&event).await?;
        Ok(DocumentView::build(record, &agency, unit.as_ref(), file))
    }

    /// The current file's bytes, verified against their hash, with its record.
    pub async fn read_document_file(
        &self,
        actor: &UserRecord,
        id: Uuid,
    ) -> AppResult<(Bytes, DocumentFileRecord)> {
        require(actor, Action::DownloadDocumentFile)?;
        self.visible_document(actor, id).await?;
        let file = self
            .store
            .current_file(id)
            .await?
            .ok_or(AppError::NotFound("file"))?;
        let hash = ContentHash::parse_hex(&file.sha256).ok_or_else(|| {
            AppError::Internal(format!("stored hash '{}' is not hex", file.sha256))
        })?;
        let bytes = self.blobs.get_blob(&hash).await?;
        let event = audit_event(
            Some(actor),
            "document.file_read",
            Some(id),
            json!({"sha256": file.sha256, "kind": file.kind.as_str()}),
        );
        self.store.append_audit_event(&event).await?;
        Ok((bytes, file))
    }

    pub(super) async fn visible_document(
        &self,
        actor: &UserRecord,
        id: Uuid,
    ) -> AppResult<DocumentRecord> {
        let record = match self.store.get_document(id).await {
            Ok(record) => record,
            Err(DbError::NotFound) => return Err(AppError::NotFound("document")),
            Err(other) => return Err(other.into()),
        };
        let visible =
            record.agency_id == actor.agency_id && actor.clearance.covers(record.confidentiality);
        if !visible {
            return Err(AppError::NotFound("document"));
        }
        Ok(record)
    }

    /// A correction or replacement must point at an issued (or revoked) document the clerk
    /// can see.
    async fn relation_to(
        &self,
        actor: &UserRecord,
        related: &super::metadata::RelatedDocument,
    ) -> AppResult<Relation> {
        let original = self
            .visible_document(actor, related.document_id)
            .await
            .map_err(|_| {
                AppError::InvalidMetadata(format!(
                    "/related_document/document_id: no document {} is visible to you",
                    related.document_id
                ))
            })?;
        if !matches!(
            original.status,
            DocumentStatus::Issued | DocumentStatus::Revoked
        ) {
            return Err(AppError::InvalidMetadata(
                "/related_document: only an issued document can be corrected or replaced".into(),
            ));
        }
        let kind = match related.relation {
            super::metadata::RelationChoice::Correction => RelationKind::Correction,
            super::metadata::RelationChoice::Replacement => RelationKind::Replacement,
        };
        Ok(Relation {
            document_id: original.id,
            kind,
        })
    }

    /// Thu hồi: the issued document is frozen and marked revoked with the reason and the actor.
    pub async fn revoke_document(
        &self,
        actor: &UserRecord,
        id: Uuid,
        reason: &str,
    ) -> AppResult<DocumentView> {
        require(actor, Action::RevokeDocument)?;
        self.visible_document(actor, id).await?;
        let reason = reason.trim();
        if reason.is_empty() || reason.chars().count() > 1000 {
            return Err(AppError::InvalidMetadata(
                "reason: give the reason for the revocation (1 to 1000 characters)".into(),
            ));
        }
        let revocation = Revocation {
            at: Utc::now(),
            by: actor.id,
            reason: reason.to_owned(),
        };
        let event = audit_event(
            Some(actor),
            "document.revoked",
            Some(id),
            json!({"reason": reason}),
        );
        self.store
            .revoke_document(id, &revocation, &event)
            .await
            .map_err(|e| match e {
                DbError::Conflict(_) => {
                    AppError::Conflict("only an issued document can be revoked".into())
                }
                other => other.into(),
            })?;
        self.document_view(id).await
    }

    /// Corrections and replacements of a document.
    pub async fn related_documents(
        &self,
        actor: &UserRecord,
        id: Uuid,
    ) -> AppResult<Vec<DocumentView>> {
        require(actor, Action::ReadDocuments)?;
        self.visible_document(actor, id).await?;
        let mut views = Vec::new();
        for record in self.store.related_documents(id).await? {
            if actor.clearance.covers(record.confidentiality) {
                views.push(self.document_view(record.id).await?);
            }
        }
        Ok(views)
    }

    /// The document as the API shows it, without recording a read.
    pub(super) async fn document_view(&self, id: Uuid) -> AppResult<DocumentView> {
        let record = self.store.get_document(id).await?;
        let agency = self.store.get_agency(record.agency_id).await?;
        let unit = self.unit_of(&record).await?;
        let file = self.store.current_file(id).await?;
        Ok(DocumentView::build(record, &agency, unit.as_ref(), file))
    }

    async fn unit_of(&self, record: &DocumentRecord) -> AppResult<Option<UnitRecord>> {
        let units = self.store.list_units(record.agency_id).await?;
        Ok(units.into_iter().find(|u| u.id == record.unit_id))
    }
}

fn draft_record(
    id: Uuid,
    actor: &UserRecord,
    agency: &AgencyRecord,
    unit: &UnitRecord,
    metadata: &DraftMetadata,
    signer_user_id: Option<Uuid>,
    page_amount: Option<i64>,
) -> AppResult<DocumentRecord> {
    let invalid = |e: crate::domain::ParseError| AppError::InvalidMetadata(format!("/{e}"));
    let subject = Subject::parse(&metadata.subject).map_err(invalid)?;
    let language =
        LanguageCode::parse(metadata.language.as_deref().unwrap_or("vi")).map_err(invalid)?;
    for recipient in &metadata.recipients {
        if let Some(organ_id) = &recipient.organ_id {
            AgencyId::parse(organ_id).map_err(invalid)?;
        }
    }
    if metadata.legal_normative && !crate::domain::may_be_legal_normative(metadata.document_type) {
        return Err(AppError::InvalidMetadata(format!(
            "/legal_normative: a {} is not issued as a legal normative document \
             (only nghị quyết, quyết định and chỉ thị)",
            metadata.document_type.name_vi()
        )));
    }
    let now = Utc::now();
    let status = DocumentStatus::Draft;
    Ok(DocumentRecord {
        id,
        agency_id: agency.id,
        unit_id: unit.id,
        document_type: metadata.document_type,
        confidentiality: metadata.confidentiality,
        urgency: metadata.urgency,
        status,
        subject: subject.as_str().to_owned(),
        language: language.as_str().to_owned(),
        page_amount,
        description: metadata.description.clone(),
        recipients_json: serde_json::to_string(&metadata.recipients)
            .unwrap_or_else(|_| "[]".into()),
        issued_amount: metadata.issued_amount.map(i64::from),
        due_date: metadata.due_date,
        signer_user_id,
        ordinal: None,
        notation: None,
        issued_at: None,
        created_by: actor.id,
        created_at: now,
        updated_at: now,
        exemption_rule_id: None,
        summary_withheld: false,
        revocation: None,
        related: None,
        legal_normative: metadata.legal_normative,
        copy_of: None,
    })
}

/// What is stored instead of a withheld TUYỆT MẬT summary.
pub const WITHHELD_SUMMARY: &str =
    "(Trích yếu không lưu trên hệ thống theo quy định bảo vệ bí mật nhà nước)";

/// Keeps the last path component and drops control characters, so a client-supplied name is
/// safe to echo in a Content-Disposition header.
fn sanitize_file_name(raw: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or(raw);
    let cleaned: String = last
        .chars()
        .filter(|c| !c.is_control() && *c != '"')
        .take(200)
        .collect();
    if cleaned.is_empty() {
        "document.pdf".to_owned()
    } else {
        cleaned
    }
}
