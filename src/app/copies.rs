//! Copies (bản sao, Decree 30/2020 Art. 25–27): a clerk makes a SAO Y, SAO LỤC or TRÍCH SAO
//! of an issued document. The copy is a document of its own, numbered in the agency's copies
//! sequence (`05/SY-UBND`, one sequence per agency and year for all three forms), whose file
//! is the original's issued file plus one more agency signature stating the copy's form,
//! number and date. Row, number, file and audit event are written in one transaction, as for
//! issuing.

use std::sync::Arc;

use chrono::{Datelike, NaiveDate, Utc};
use futures::FutureExt;
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use super::documents::{audit_event, require};
use super::issuing::{issue_instant, store_issued_file, with_actor, Builder, IssuedView};
use super::signing::{conflict_as_state, vietnam_now};
use super::{AppError, AppResult, DocumentView, Services};
use crate::db::{
    CopyOf, DbError, DocumentRecord, FileKind, IssuedDocument, RegisterKey, SequenceKind,
    UserRecord,
};
use crate::domain::{Action, CopyKind, DocumentNumber, DocumentStatus};
use crate::signing::engine;
use crate::storage::BlobStore;

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CopyRequest {
    /// sao_y (SY), sao_luc (SL) or trich_sao (TrS).
    pub kind: CopyKind,
    /// Date of the copy (YYYY-MM-DD); default: today in Vietnam. The number comes from that
    /// year's copies sequence.
    pub copy_date: Option<NaiveDate>,
    /// Place name written before the date, e.g. "Bình An".
    pub location: Option<String>,
}

impl Services {
    pub async fn copy_document(
        &self,
        actor: &UserRecord,
        original_id: Uuid,
        request: CopyRequest,
    ) -> AppResult<IssuedView> {
        require(actor, Action::IssueDocument)?;
        let original = self.visible_document(actor, original_id).await?;
        match original.status {
            DocumentStatus::Issued => {}
            DocumentStatus::Revoked => {
                return Err(AppError::Conflict(
                    "the document was revoked (thu hồi); a revoked document is not copied".into(),
                ))
            }
            other => {
                return Err(AppError::Conflict(format!(
                    "the document is {}: only an issued document is copied",
                    other.as_str()
                )))
            }
        }
        if !self.circulates(&original) {
            return Err(AppError::Conflict(
                "the document is exempt from electronic circulation; copies are made on paper"
                    .into(),
            ));
        }
        let agency = self.store.get_agency(actor.agency_id).await?;
        let date = request
            .copy_date
            .unwrap_or_else(|| vietnam_now().date_naive());
        let register = RegisterKey {
            agency_id: agency.id,
            year: date.year(),
            sequence_kind: SequenceKind::Copy,
            document_type: String::new(),
        };
        let copy = copy_record(actor, &original, request.kind);
        let context = Arc::new(CopyContext {
            services_blobs: self.blobs.clone(),
            keys: self.keys.clone(),
            key_path: self.organization_key_path(agency.id).await?,
            font: self.font.clone().ok_or_else(|| {
                AppError::Internal(
                    "no serif font with Vietnamese glyphs is installed (fonts-liberation2)".into(),
                )
            })?,
            original: self.issued_file_bytes(original.id).await?,
            original_number: super::views::number_of(&original).unwrap_or_default(),
            kind: request.kind,
            notation: request.kind.notation(&agency.abbreviation),
            date,
            location: request.location.unwrap_or_default(),
            copy_id: copy.id,
            original_id: original.id,
            actor_id: actor.id,
        });
        let mut build: Builder = Box::new(move |ordinal: i64| {
            let context = context.clone();
            async move {
                context
                    .make(ordinal)
                    .await
                    .map_err(|e| Box::new(e) as crate::db::BuildError)
            }
            .boxed()
        });
        let gate = self.issue_gate.clone();
        let _turn = gate.lock().await;
        let (ordinal, issued) = self
            .store
            .issue_copy_with_next_number(&register, &copy, &mut build)
            .await
            .map_err(|error| match error {
                DbError::Aborted(cause) => match cause.downcast::<AppError>() {
                    Ok(app) => *app,
                    Err(other) => AppError::Internal(other.to_string()),
                },
                other => conflict_as_state(other),
            })?;
        let number = DocumentNumber::from_register(ordinal, issued.notation);
        Ok(IssuedView {
            document: self.document_view(copy.id).await?,
            number: number.to_string(),
            warnings: Vec::new(),
        })
    }

    /// Copies made of a document the caller can see, oldest first.
    pub async fn copies_of(
        &self,
        actor: &UserRecord,
        original_id: Uuid,
    ) -> AppResult<Vec<DocumentView>> {
        self.visible_document(actor, original_id).await?;
        let mut views = Vec::new();
        for copy in self.store.copies_of(original_id).await? {
            if self.visible_document(actor, copy.id).await.is_ok() {
                views.push(self.document_view(copy.id).await?);
            }
        }
        Ok(views)
    }

    async fn issued_file_bytes(&self, document_id: Uuid) -> AppResult<Vec<u8>> {
        let file = self
            .store
            .current_file(document_id)
            .await?
            .filter(|file| file.kind == FileKind::Issued)
            .ok_or(AppError::NotFound("issued file"))?;
        self.read_blob(&file.sha256).await
    }

    pub(super) async fn organization_key_path(&self, agency_id: Uuid) -> AppResult<String> {
        let certificate = self
            .store
            .organization_certificate(agency_id)
            .await?
            .ok_or_else(|| {
                AppError::Conflict("the agency has no organization certificate".into())
            })?;
        certificate
            .pkcs12_path
            .ok_or_else(|| AppError::Conflict("the agency's key is not held by this server".into()))
    }
}

/// The copy's row: the original's metadata, in the copying agency, pointing at the original.
fn copy_record(actor: &UserRecord, original: &DocumentRecord, kind: CopyKind) -> DocumentRecord {
    let now = Utc::now();
    DocumentRecord {
        id: Uuid::now_v7(),
        agency_id: actor.agency_id,
        status: DocumentStatus::Issued,
        signer_user_id: None,
        ordinal: None,
        notation: None,
        issued_at: None,
        created_by: actor.id,
        created_at: now,
        updated_at: now,
        revocation: None,
        related: None,
        legal_normative: false,
        copy_of: Some(CopyOf {
            original_id: original.id,
            kind,
        }),
        ..original.clone()
    }
}

struct CopyContext {
    services_blobs: BlobStore,
    keys: Arc<crate::signing::keystore::KeyStore>,
    key_path: String,
    font: Arc<crate::signing::font::FontProgram>,
    original: Vec<u8>,
    original_number: String,
    kind: CopyKind,
    notation: String,
    date: NaiveDate,
    location: String,
    copy_id: Uuid,
    original_id: Uuid,
    actor_id: Uuid,
}

impl CopyContext {
    async fn make(self: Arc<Self>, ordinal: i64) -> Result<IssuedDocument, AppError> {
        let number = DocumentNumber::from_register(ordinal, self.notation.clone());
        let this = self.clone();
        let for_signing = number.clone();
        let signed = crate::blocking::run(move || {
            let key = this.keys.load(&this.key_path)?;
            engine::sign_copy(
                this.original.clone(),
                &key,
                this.kind,
                &for_signing,
                this.date,
                &this.location,
                &this.font,
                vietnam_now(),
            )
        })
        .await??;
        let file = store_issued_file(&self.services_blobs, self.copy_id, signed).await?;
        let event = audit_event(
            None,
            "document.copied",
            Some(self.copy_id),
            json!({
                "number": number.to_string(),
                "kind": self.kind.abbreviation(),
                "original_id": self.original_id,
                "original_number": self.original_number,
                "sha256": file.sha256,
            }),
        );
        Ok(IssuedDocument {
            status: DocumentStatus::Issued,
            notation: self.notation.clone(),
            issued_at: issue_instant(self.date),
            file: Some(file),
            event: with_actor(event, self.actor_id),
        })
    }
}
