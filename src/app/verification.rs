//! Verifying signatures for auditors: any uploaded PDF (nothing stored), or a stored
//! document's current file. Trust anchors are the node's configured roots and CA chain.

use bytes::Bytes;
use uuid::Uuid;

use super::documents::{audit_event, require};
use super::{AppError, AppResult, Services, StoredVerificationView, VerificationView};
use crate::db::{StoredVerificationRecord, UserRecord};
use crate::domain::Action;
use crate::verify::{TrustAnchors, VerifyOptions};

/// Most kept verifications one list answers (`truncated` says when there were more).
const MAX_LISTED_VERIFICATIONS: usize = 1000;

/// Kept verifications of a period, newest first.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct StoredVerificationList {
    pub from: chrono::NaiveDate,
    pub to: chrono::NaiveDate,
    pub items: Vec<StoredVerificationSummary>,
    /// More were kept in the period than one list holds; narrow the period.
    pub truncated: bool,
}

/// One kept verification, without its report.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct StoredVerificationSummary {
    pub id: Uuid,
    pub file_sha256: String,
    pub file_size: i64,
    pub valid: bool,
    /// valid, invalid or indeterminate.
    pub indication: String,
    /// The user who asked to keep it.
    pub stored_by: Uuid,
    pub stored_at: chrono::DateTime<chrono::Utc>,
    pub view_url: String,
    pub file_url: String,
}

impl Services {
    fn trust_anchors(&self) -> TrustAnchors {
        TrustAnchors {
            roots: self.keys.trust_roots(),
            intermediates: self.keys.ca_chain(),
        }
    }

    /// The node's trust anchors and configured revocation checking (shared cache).
    pub(super) fn verify_options(&self) -> VerifyOptions {
        VerifyOptions {
            trust: self.trust_anchors(),
            at: None,
            revocation: self.revocation.clone(),
        }
    }

    /// Checks any PDF, and the two-layer policy when an agency registered here signed it.
    /// Nothing is stored unless `store`: then the file (a write-once blob) and this answer
    /// are kept, retrievable at `/api/verifications/{id}` and `…/file`.
    pub async fn verify_upload(
        &self,
        actor: &UserRecord,
        bytes: Bytes,
        store: bool,
    ) -> AppResult<VerificationView> {
        require(actor, Action::ReadDocuments)?;
        let options = self.verify_options();
        let limit = self.limits.pdf_parse_timeout * 3;
        let input = bytes.clone();
        let report = tokio::time::timeout(
            limit,
            crate::blocking::run(move || crate::verify::verify_pdf(&input, &options)),
        )
        .await
        .map_err(|_| AppError::PdfTimeout(limit))??
        .map_err(|_| AppError::InvalidPdf(crate::pdf::PdfRejection::NotPdf))?;
        let event = audit_event(
            Some(actor),
            "file.verified",
            None,
            serde_json::json!({"sha256": report.file_sha256, "valid": report.valid}),
        );
        self.store.append_audit_event(&event).await?;
        let mut view = self.verification_view(&bytes, report, None).await?;
        if store {
            self.keep_verification(actor, bytes, &mut view).await?;
        }
        Ok(view)
    }

    /// Stores the file as a blob, then the answer (with its own reference) and an audit
    /// event in one transaction. A failure after the blob leaves only an unreferenced,
    /// content-addressed blob: no row points at a missing file.
    async fn keep_verification(
        &self,
        actor: &UserRecord,
        bytes: Bytes,
        view: &mut VerificationView,
    ) -> AppResult<()> {
        let blob = self.blobs.put_blob(bytes).await?;
        let id = Uuid::new_v4();
        let stored = StoredVerificationView {
            id,
            stored_at: chrono::Utc::now(),
            view_url: format!("/api/verifications/{id}"),
            file_url: format!("/api/verifications/{id}/file"),
        };
        view.stored = Some(stored.clone());
        let indication = serde_json::to_value(view.report.indication)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        let record = StoredVerificationRecord {
            id,
            file_sha256: blob.hash.to_hex(),
            file_size: blob.size as i64,
            valid: view.report.valid,
            indication,
            view_json: serde_json::to_string(view)
                .map_err(|e| AppError::Internal(format!("verification view: {e}")))?,
            stored_by: actor.id,
            stored_at: stored.stored_at,
        };
        let event = audit_event(
            Some(actor),
            "file.verification_stored",
            None,
            serde_json::json!({"verification_id": id, "sha256": record.file_sha256, "valid": record.valid}),
        );
        self.store.store_verification(&record, &event).await?;
        Ok(())
    }

    /// A kept verification, as it was answered when stored.
    pub async fn stored_verification(
        &self,
        actor: &UserRecord,
        id: Uuid,
    ) -> AppResult<serde_json::Value> {
        let record = self.stored_verification_record(actor, id).await?;
        serde_json::from_str(&record.view_json)
            .map_err(|e| AppError::Internal(format!("stored verification {id}: {e}")))
    }

    /// The file a kept verification checked.
    pub async fn stored_verification_file(
        &self,
        actor: &UserRecord,
        id: Uuid,
    ) -> AppResult<Vec<u8>> {
        let record = self.stored_verification_record(actor, id).await?;
        self.read_blob(&record.file_sha256).await
    }

    /// Kept verifications stored between two Vietnamese calendar days (inclusive), newest
    /// first; by default the last 30 days.
    pub async fn list_stored_verifications(
        &self,
        actor: &UserRecord,
        from: Option<chrono::NaiveDate>,
        to: Option<chrono::NaiveDate>,
    ) -> AppResult<StoredVerificationList> {
        require(actor, Action::ReadDocuments)?;
        let to = to.unwrap_or_else(|| super::signing::vietnam_now().date_naive());
        let from = from.unwrap_or(to - chrono::Days::new(30));
        if from > to {
            return Err(AppError::BadRequest("'from' must not be after 'to'".into()));
        }
        let (start, _) = super::policy::vietnam_day(from);
        let (_, end) = super::policy::vietnam_day(to);
        let limit = MAX_LISTED_VERIFICATIONS;
        let mut records = self
            .store
            .stored_verifications_between(start, end, limit as i64 + 1)
            .await?;
        let truncated = records.len() > limit;
        records.truncate(limit);
        let items = records
            .into_iter()
            .map(|record| StoredVerificationSummary {
                view_url: format!("/api/verifications/{}", record.id),
                file_url: format!("/api/verifications/{}/file", record.id),
                id: record.id,
                file_sha256: record.file_sha256,
                file_size: record.file_size,
                valid: record.valid,
                indication: record.indication,
                stored_by: record.stored_by,
                stored_at: record.stored_at,
            })
            .collect();
        Ok(StoredVerificationList {
            from,
            to,
            items,
            truncated,
        })
    }

    async fn stored_verification_record(
        &self,
        actor: &UserRecord,
        id: Uuid,
    ) -> AppResult<StoredVerificationRecord> {
        require(actor, Action::ReadDocuments)?;
        self.store
            .stored_verification(id)
            .await?
            .ok_or(AppError::NotFound("verification"))
    }

    /// Verifies a stored document's current file, and its two-layer policy.
    pub async fn verify_document(
        &self,
        actor: &UserRecord,
        id: Uuid,
    ) -> AppResult<VerificationView> {
        require(actor, Action::ReadDocuments)?;
        let document = self.visible_document(actor, id).await?;
        let file = self
            .store
            .current_file(id)
            .await?
            .ok_or(AppError::NotFound("file"))?;
        let bytes = self.read_blob(&file.sha256).await?;
        let options = self.verify_options();
        let input = bytes.clone();
        let report = crate::blocking::run(move || crate::verify::verify_pdf(&input, &options))
            .await?
            .map_err(|e| AppError::Internal(format!("stored file does not verify: {e}")))?;
        let event = audit_event(
            Some(actor),
            "document.verified",
            Some(id),
            serde_json::json!({"valid": report.valid}),
        );
        self.store.append_audit_event(&event).await?;
        self.verification_view(&bytes, report, Some(&document))
            .await
    }
}
