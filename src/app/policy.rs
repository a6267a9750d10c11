//! Facts from the registry for the two-layer policy check (`verify::policy`): which
//! certificates are the issuing agency's organization certificate and its authorised
//! signers', what the outgoing register says of the number and date, and whether the rule set
//! exempts the document.

use chrono::{NaiveDate, TimeZone, Utc};
use serde::Serialize;
use uuid::Uuid;

use super::{AppResult, Services};
use crate::db::{CertificatePurpose, DocumentRecord};
use crate::verify::plain::PlainSummary;
use crate::verify::policy::{PolicyFacts, PolicyReport, RegisterEntry, ShownIssue};
use crate::verify::PdfReport;

/// What the verification endpoints return: the validator's report, the two-layer policy
/// check against the registry (when the issuing agency is known) and a plain summary.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct VerificationView {
    #[serde(flatten)]
    pub report: PdfReport,
    /// Absent when the file's agency signature is by no certificate registered here.
    pub policy: Option<PolicyReport>,
    pub summary: PlainSummary,
    /// Present when the upload was kept (`POST /api/verify?store=true`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stored: Option<StoredVerificationView>,
}

/// Where a kept verification and its file can be read again.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StoredVerificationView {
    pub id: uuid::Uuid,
    pub stored_at: chrono::DateTime<chrono::Utc>,
    /// `GET` this for the answer as it was given.
    pub view_url: String,
    /// `GET` this for the PDF that was checked.
    pub file_url: String,
}

impl VerificationView {
    pub fn new(report: PdfReport, policy: Option<PolicyReport>) -> Self {
        let summary = crate::verify::plain::summarise(&report, policy.as_ref());
        Self {
            report,
            policy,
            summary,
            stored: None,
        }
    }
}

impl Services {
    /// Facts for a stored document: its agency, its register entry, its exemption.
    pub(super) async fn policy_facts_for_document(
        &self,
        document: &DocumentRecord,
    ) -> AppResult<PolicyFacts> {
        let mut facts = self.agency_policy_facts(document.agency_id).await?;
        facts.register = register_entry(document);
        facts.exempt_by_rule = self.exempting_rule(document);
        Ok(facts)
    }

    /// Facts for a file from anywhere: the agency is the one whose registered organization
    /// certificate signed it; the register entry is found by the number and
    /// date the file shows. `None` when no registered agency signed it.
    pub(super) async fn policy_facts_for_file(
        &self,
        report: &PdfReport,
        shown: &ShownIssue,
    ) -> AppResult<Option<PolicyFacts>> {
        // The latest signature by a registered organization certificate names the agency,
        // so a file whose layers are in the wrong order is still judged (and fails).
        let mut organization = None;
        for signature in report.signatures.iter().rev() {
            let Some(fingerprint) = &signature.signer_certificate_sha256 else {
                continue;
            };
            let found = self
                .store
                .find_certificate_by_fingerprint(fingerprint)
                .await?;
            if let Some(certificate) =
                found.filter(|c| c.purpose == CertificatePurpose::Organization)
            {
                organization = Some(certificate);
                break;
            }
        }
        let Some(certificate) = organization else {
            return Ok(None);
        };
        let mut facts = self.agency_policy_facts(certificate.agency_id).await?;
        if let Some(document) = self
            .registered_document(certificate.agency_id, shown)
            .await?
        {
            facts.register = register_entry(&document);
            facts.exempt_by_rule = self.exempting_rule(&document);
        }
        Ok(Some(facts))
    }

    async fn agency_policy_facts(&self, agency_id: Uuid) -> AppResult<PolicyFacts> {
        let agency = self.store.get_agency(agency_id).await?;
        let organization = self.store.organization_certificate(agency_id).await?;
        let signers = self.store.list_signers(agency_id).await?;
        Ok(PolicyFacts {
            organ_id: Some(agency.organ_id),
            organization_certificates: organization
                .map(|c| c.sha256_fingerprint)
                .into_iter()
                .collect(),
            authorised_signers: signers
                .into_iter()
                .map(|s| s.certificate_fingerprint)
                .collect(),
            register: None,
            exempt_by_rule: None,
        })
    }

    /// The issued document of the agency with the shown number: by number and notation when
    /// the file prints the notation, else by ordinal among that day's issues.
    async fn registered_document(
        &self,
        agency_id: Uuid,
        shown: &ShownIssue,
    ) -> AppResult<Option<DocumentRecord>> {
        let Some(ordinal) = shown.ordinal else {
            return Ok(None);
        };
        if let Some(notation) = &shown.notation {
            let ids = self
                .store
                .documents_with_number(agency_id, i64::from(ordinal), notation)
                .await?;
            return match ids.first() {
                Some(id) => Ok(Some(self.store.get_document(*id).await?)),
                None => Ok(None),
            };
        }
        let Some(date) = shown.date else {
            return Ok(None);
        };
        let (start, end) = vietnam_day(date);
        let issued = self.store.issued_between(agency_id, start, end).await?;
        Ok(issued
            .into_iter()
            .find(|d| d.ordinal == Some(i64::from(ordinal)) && d.copy_of.is_none()))
    }

    pub(super) fn exempting_rule(&self, document: &DocumentRecord) -> Option<String> {
        let rule = document
            .exemption_rule_id
            .as_deref()
            .and_then(|id| self.rules.rule(id))?;
        rule.decision.exempt_from_two_layer.then(|| rule.id.clone())
    }

    /// Validation plus policy for bytes whose document may or may not be known.
    pub(super) async fn verification_view(
        &self,
        bytes: &[u8],
        report: PdfReport,
        document: Option<&DocumentRecord>,
    ) -> AppResult<VerificationView> {
        let pdf = bytes.to_vec();
        let shown = crate::blocking::run(move || crate::verify::policy::shown_issue(&pdf)).await?;
        let facts = match document {
            Some(document) => Some(self.policy_facts_for_document(document).await?),
            None => self.policy_facts_for_file(&report, &shown).await?,
        };
        let policy = facts.map(|facts| crate::verify::policy::judge(&shown, &report, &facts));
        Ok(VerificationView::new(report, policy))
    }
}

fn register_entry(document: &DocumentRecord) -> Option<RegisterEntry> {
    let ordinal = u32::try_from(document.ordinal?).ok()?;
    let date = document
        .issued_at?
        .with_timezone(&crate::domain::vietnam_offset())
        .date_naive();
    Some(RegisterEntry {
        ordinal,
        notation: document.notation.clone()?,
        date,
    })
}

/// The UTC instants bounding a calendar day in Vietnam.
pub(super) fn vietnam_day(date: NaiveDate) -> (chrono::DateTime<Utc>, chrono::DateTime<Utc>) {
    let offset = crate::domain::vietnam_offset();
    let at = |day: NaiveDate| {
        offset
            .from_local_datetime(&day.and_hms_opt(0, 0, 0).unwrap_or_default())
            .single()
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_else(Utc::now)
    };
    (at(date), at(date.succ_opt().unwrap_or(date)))
}
