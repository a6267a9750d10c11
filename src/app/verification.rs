//! Verifying signatures for auditors: any uploaded PDF (nothing stored), or a stored
//! document's current file. Trust anchors are the node's configured roots and CA chain.

use bytes::Bytes;
use uuid::Uuid;

use super::documents::{audit_event, require};
use super::{AppError, AppResult, Services, VerificationView};
use crate::db::UserRecord;
use crate::domain::Action;
use crate::verify::{TrustAnchors, VerifyOptions};

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

    /// Checks any PDF, and the two-layer policy when an agency registered here signed it;
    /// the file is not stored.
    pub async fn verify_upload(
        &self,
        actor: &UserRecord,
        bytes: Bytes,
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
        self.verification_view(&bytes, report, None).await
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
