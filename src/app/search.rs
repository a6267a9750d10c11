//! Full-text search of the archive. The index is derived: each node feeds its own index from
//! the database's search outbox (documents whose searchable state changed), keeps its place in
//! a checkpoint file beside the index, and can rebuild everything from the database. Documents
//! whose exemption rule forbids circulation (state secrets) are never sent to the index.

use std::path::PathBuf;

use search_index::{IndexedDocument, SearchRequest, SearchResults};
use uuid::Uuid;

use super::documents::require;
use super::{AppError, AppResult, Services};
use crate::db::{DbError, DocumentRecord, UserRecord};
use crate::domain::{Action, DocumentNumber, DocumentStatus};

/// Entries re-read behind the checkpoint: on PostgreSQL, transactions may commit out of
/// sequence order, so an entry can appear after a later one was seen. Re-indexing is idempotent.
const OUTBOX_OVERLAP: i64 = 200;
const OUTBOX_BATCH: i64 = 500;

impl Services {
    fn checkpoint_path(&self) -> PathBuf {
        self.index.directory().join("outbox-checkpoint")
    }

    fn read_checkpoint(&self) -> i64 {
        std::fs::read_to_string(self.checkpoint_path())
            .ok()
            .and_then(|t| t.trim().parse().ok())
            .unwrap_or(0)
    }

    /// Indexes what the outbox holds past this node's checkpoint. Returns the documents handled.
    pub async fn index_pending(&self) -> AppResult<usize> {
        let checkpoint = self.read_checkpoint();
        let entries = self
            .store
            .search_outbox_after((checkpoint - OUTBOX_OVERLAP).max(0), OUTBOX_BATCH)
            .await?;
        let Some(last) = entries.last().map(|(seq, _)| *seq) else {
            return Ok(0);
        };
        let mut ids: Vec<Uuid> = entries.into_iter().map(|(_, id)| id).collect();
        ids.sort_unstable();
        ids.dedup();
        let handled = self.index_documents(&ids).await?;
        if last > checkpoint {
            std::fs::write(self.checkpoint_path(), last.to_string())
                .map_err(|e| AppError::Internal(format!("search checkpoint: {e}")))?;
        }
        Ok(handled)
    }

    /// Rebuilds the whole index from the database; `progress` gets the documents done so far.
    pub async fn rebuild_index(
        &self,
        progress: impl Fn(usize, usize) + Send + Sync,
    ) -> AppResult<usize> {
        let ids = self.store.all_document_ids().await?;
        let head = self
            .store
            .search_outbox_after(0, i64::MAX)
            .await?
            .last()
            .map(|(seq, _)| *seq)
            .unwrap_or(0);
        let mut documents = Vec::with_capacity(ids.len());
        for (done, id) in ids.iter().enumerate() {
            if let Some(document) = self.indexed_document(*id).await? {
                documents.push(document);
            }
            progress(done + 1, ids.len());
        }
        let index = self.index.clone();
        let count = crate::blocking::run(move || index.rebuild(documents.into_iter(), &mut |_| {}))
            .await?
            .map_err(|e| AppError::Internal(format!("search index: {e}")))?;
        std::fs::write(self.checkpoint_path(), head.to_string())
            .map_err(|e| AppError::Internal(format!("search checkpoint: {e}")))?;
        Ok(count as usize)
    }

    async fn index_documents(&self, ids: &[Uuid]) -> AppResult<usize> {
        let mut upserts = Vec::new();
        let mut deletes = Vec::new();
        for id in ids {
            match self.indexed_document(*id).await? {
                Some(document) => upserts.push(document),
                None => deletes.push(id.to_string()),
            }
        }
        let handled = upserts.len() + deletes.len();
        let index = self.index.clone();
        crate::blocking::run(move || -> Result<(), search_index::IndexError> {
            if !deletes.is_empty() {
                index.delete(&deletes)?;
            }
            if !upserts.is_empty() {
                index.upsert(upserts)?;
            }
            Ok(())
        })
        .await?
        .map_err(|e| AppError::Internal(format!("search index: {e}")))?;
        Ok(handled)
    }

    /// The document as the index holds it, or `None` when it must not be searchable.
    async fn indexed_document(&self, id: Uuid) -> AppResult<Option<IndexedDocument>> {
        let record = match self.store.get_document(id).await {
            Ok(record) => record,
            Err(DbError::NotFound) => return Ok(None),
            Err(other) => return Err(other.into()),
        };
        let circulates = record
            .exemption_rule_id
            .as_deref()
            .and_then(|rule| self.rules.rule(rule))
            .map(|r| r.decision.circulates)
            .unwrap_or(!record.confidentiality.is_state_secret());
        if !circulates || record.confidentiality.is_state_secret() {
            return Ok(None);
        }
        let extracted = match self.store.current_file(id).await? {
            Some(file) => {
                let bytes = self.read_blob(&file.sha256).await?;
                crate::blocking::run(move || crate::pdf::extract(&bytes)).await?
            }
            None => crate::pdf::ExtractedText::default(),
        };
        Ok(Some(self.to_indexed(record, extracted).await?))
    }

    async fn to_indexed(
        &self,
        record: DocumentRecord,
        extracted: crate::pdf::ExtractedText,
    ) -> AppResult<IndexedDocument> {
        let agency = self.store.get_agency(record.agency_id).await?;
        let unit = self
            .store
            .list_units(agency.id)
            .await?
            .into_iter()
            .find(|u| u.id == record.unit_id)
            .map(|u| u.abbreviation)
            .unwrap_or_default();
        let signer = match record.signer_user_id {
            Some(id) => self.store.get_user(id).await.ok().map(|u| u.display_name),
            None => None,
        };
        let number = match (record.ordinal, &record.notation) {
            (Some(ordinal), Some(notation)) => {
                Some(DocumentNumber::from_register(ordinal, notation.clone()).to_string())
            }
            _ => None,
        };
        let signature_state = match record.status {
            DocumentStatus::Issued | DocumentStatus::Revoked => "two_layer",
            DocumentStatus::SignedPersonal => "personal",
            _ => "unsigned",
        };
        Ok(IndexedDocument {
            id: record.id.to_string(),
            organ_id: agency.organ_id,
            unit,
            document_type: record.document_type.code().to_owned(),
            type_name: record.document_type.name_vi().to_owned(),
            number,
            subject: record.subject,
            body: extracted.text,
            signer,
            issue_date: record.issued_at.map(|t| {
                t.with_timezone(&crate::domain::vietnam_offset())
                    .date_naive()
            }),
            status: record.status.as_str().to_owned(),
            signature_state: signature_state.to_owned(),
            revision: u64::try_from(record.updated_at.timestamp_micros()).unwrap_or_default(),
            confidential: false,
            scan: extracted.scan,
        })
    }

    /// Searches what the caller may see: their own agency, never a state secret.
    pub async fn search(
        &self,
        actor: &UserRecord,
        mut request: SearchRequest,
    ) -> AppResult<SearchResults> {
        require(actor, Action::ReadDocuments)?;
        let agency = self.store.get_agency(actor.agency_id).await?;
        request.allowed_agencies = vec![agency.organ_id];
        request.page_size = request.page_size.clamp(1, 100);
        let index = self.index.clone();
        crate::blocking::run(move || index.search(&request))
            .await?
            .map_err(|e| AppError::BadRequest(format!("search: {e}")))
    }
}
