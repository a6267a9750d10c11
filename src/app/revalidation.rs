//! Scheduled re-validation: every issued document's stored file is checked again (signatures,
//! chain, revocation as configured, two-layer policy) and the result kept per document. A
//! changed verdict — typically a certificate revoked since issuing — is written to the audit
//! log, so auditors see when and why a document stopped being compliant.

use chrono::Utc;
use serde::Serialize;
use serde_json::json;

use super::documents::audit_event;
use super::{AppResult, Services};
use crate::db::{DocumentRecord, VerificationResultRecord};

#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct RevalidationSummary {
    pub checked: u64,
    /// Documents whose verdict differs from the previous run's (or is a first failure).
    pub changed: u64,
    pub compliant: u64,
    pub non_compliant: u64,
    pub exempt: u64,
}

impl Services {
    pub async fn revalidate_documents(&self) -> AppResult<RevalidationSummary> {
        let mut summary = RevalidationSummary::default();
        for document in self.store.all_issued_documents().await? {
            if document.copy_of.is_some() {
                continue;
            }
            let result = self.revalidate(&document).await?;
            summary.checked += 1;
            match result.verdict.as_str() {
                "compliant" => summary.compliant += 1,
                "exempt" => summary.exempt += 1,
                _ => summary.non_compliant += 1,
            }
            let previous = self.store.verification_result(document.id).await?;
            let changed = match &previous {
                Some(previous) => previous.verdict != result.verdict,
                None => result.verdict == "non_compliant",
            };
            let event = changed.then(|| {
                audit_event(
                    None,
                    "document.revalidated",
                    Some(document.id),
                    json!({
                        "from": previous.as_ref().map(|p| p.verdict.clone()),
                        "to": result.verdict,
                        "reasons": serde_json::from_str::<serde_json::Value>(&result.reasons_json)
                            .unwrap_or_default(),
                    }),
                )
            });
            summary.changed += u64::from(changed);
            self.store
                .record_verification(&result, event.as_ref())
                .await?;
        }
        Ok(summary)
    }

    async fn revalidate(&self, document: &DocumentRecord) -> AppResult<VerificationResultRecord> {
        let file = self.store.current_file(document.id).await?;
        let (valid, reasons, verdict) = if self.exempting_rule(document).is_some() {
            (true, Vec::new(), "exempt")
        } else {
            let (valid, reasons) = self.compliance_failures(document).await?;
            let verdict = if reasons.is_empty() {
                "compliant"
            } else {
                "non_compliant"
            };
            (valid, reasons, verdict)
        };
        Ok(VerificationResultRecord {
            document_id: document.id,
            file_sha256: file.map(|f| f.sha256).unwrap_or_default(),
            checked_at: Utc::now(),
            valid,
            verdict: verdict.to_owned(),
            reasons_json: serde_json::to_string(&reasons).unwrap_or_else(|_| "[]".into()),
        })
    }
}
