//! The compliance measure (domain.md §6): of the documents an agency issued in a period, how
//! many carry a valid two-layer signature, excepting those the rule set exempts (state
//! secrets), per unit, signer or month, with every failure itemised and linked to its report.
//!
//! Each stored file is re-validated when the report is asked for, so a certificate revoked
//! since issuing changes the verdict at once; nothing is cached between reports.

use std::collections::BTreeMap;

use chrono::{NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::documents::require;
use super::policy::VerificationView;
use super::{AppError, AppResult, Services};
use crate::db::{DocumentFilter, DocumentRecord, UserRecord};
use crate::domain::{Action, DocumentStatus};
use crate::verify::policy::PolicyVerdict;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum GroupBy {
    #[default]
    Unit,
    Signer,
    Month,
}

#[derive(Debug, Clone, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ComplianceQuery {
    /// OrganId; default and only allowed value: the caller's agency.
    pub agency: Option<String>,
    /// Abbreviation of one drafting unit.
    pub unit: Option<String>,
    /// First issue date (YYYY-MM-DD), inclusive.
    pub from: NaiveDate,
    /// Last issue date (YYYY-MM-DD), inclusive.
    pub to: NaiveDate,
    #[serde(default)]
    pub group_by: GroupBy,
}

#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct ComplianceCounts {
    /// Issued documents that must carry the two-layer signature.
    pub required: u64,
    /// Documents exempted by the rule set (counted only within the caller's clearance).
    pub exempt: u64,
    pub compliant: u64,
    /// compliant / required; 1.0 when nothing was required.
    pub rate: f64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ComplianceGroup {
    /// Unit abbreviation, signer name, or YYYY-MM.
    pub key: String,
    #[serde(flatten)]
    pub counts: ComplianceCounts,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ComplianceFailure {
    pub document_id: Uuid,
    pub number: String,
    pub issued_on: NaiveDate,
    pub unit: String,
    pub signer: String,
    /// Why, in Vietnamese (policy checks and signature problems).
    pub reasons: Vec<String>,
    /// Where the full validation report is.
    pub report_path: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ComplianceReport {
    pub organ_id: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub group_by: GroupBy,
    pub total: ComplianceCounts,
    pub groups: Vec<ComplianceGroup>,
    pub failures: Vec<ComplianceFailure>,
}

impl Services {
    pub async fn compliance(
        &self,
        actor: &UserRecord,
        query: &ComplianceQuery,
    ) -> AppResult<ComplianceReport> {
        require(actor, Action::ReadRegister)?;
        let agency = self.store.get_agency(actor.agency_id).await?;
        if query
            .agency
            .as_deref()
            .is_some_and(|a| a != agency.organ_id)
        {
            return Err(AppError::Forbidden(
                "compliance is reported for your own agency only".into(),
            ));
        }
        if query.from > query.to {
            return Err(AppError::BadRequest("'from' must not be after 'to'".into()));
        }
        let (start, _) = super::policy::vietnam_day(query.from);
        let (_, end) = super::policy::vietnam_day(query.to);
        let units = self.store.list_units(agency.id).await?;
        let unit_name = |id: Uuid| {
            units
                .iter()
                .find(|u| u.id == id)
                .map(|u| u.abbreviation.clone())
                .unwrap_or_default()
        };
        let mut documents: Vec<DocumentRecord> = self
            .store
            .issued_between(agency.id, start, end)
            .await?
            .into_iter()
            .filter(|d| d.copy_of.is_none())
            .collect();
        documents.extend(self.exempt_stubs(actor, start, end).await?);
        let mut total = ComplianceCounts::default();
        let mut groups: BTreeMap<String, ComplianceCounts> = BTreeMap::new();
        let mut failures = Vec::new();
        for document in documents {
            let unit = unit_name(document.unit_id);
            if query.unit.as_deref().is_some_and(|u| u != unit) {
                continue;
            }
            let signer = self.signer_name(document.signer_user_id).await;
            let issued_on = document
                .issued_at
                .map(|t| {
                    t.with_timezone(&crate::domain::vietnam_offset())
                        .date_naive()
                })
                .unwrap_or(query.from);
            let key = match query.group_by {
                GroupBy::Unit => unit.clone(),
                GroupBy::Signer => signer.clone(),
                GroupBy::Month => issued_on.format("%Y-%m").to_string(),
            };
            let group = groups.entry(key).or_default();
            if self.exempting_rule(&document).is_some() {
                total.exempt += 1;
                group.exempt += 1;
                continue;
            }
            total.required += 1;
            group.required += 1;
            let (_, reasons) = self.compliance_failures(&document).await?;
            if reasons.is_empty() {
                total.compliant += 1;
                group.compliant += 1;
            } else {
                failures.push(ComplianceFailure {
                    document_id: document.id,
                    number: super::views::number_of(&document).unwrap_or_default(),
                    issued_on,
                    unit,
                    signer,
                    reasons,
                    report_path: format!("/api/documents/{}/verification", document.id),
                });
            }
        }
        total.rate = rate(&total);
        let groups = groups
            .into_iter()
            .map(|(key, mut counts)| {
                counts.rate = rate(&counts);
                ComplianceGroup { key, counts }
            })
            .collect();
        Ok(ComplianceReport {
            organ_id: agency.organ_id,
            from: query.from,
            to: query.to,
            group_by: query.group_by,
            total,
            groups,
            failures,
        })
    }

    /// Register stubs the caller's clearance covers, issued in the period.
    async fn exempt_stubs(
        &self,
        actor: &UserRecord,
        start: chrono::DateTime<Utc>,
        end: chrono::DateTime<Utc>,
    ) -> AppResult<Vec<DocumentRecord>> {
        let filter = DocumentFilter {
            agency_id: actor.agency_id,
            max_confidentiality: actor.clearance,
            status: Some(DocumentStatus::RegisteredStub),
            limit: u32::MAX,
            offset: 0,
        };
        let stubs = self.store.list_documents(&filter).await?;
        // The store already limits them to the caller's clearance.
        Ok(stubs
            .into_iter()
            .filter(|d| d.issued_at.is_some_and(|t| t >= start && t < end))
            .collect())
    }

    /// Whether the stored file's signatures are valid, and the reasons it is not compliant
    /// (empty when it is).
    pub(super) async fn compliance_failures(
        &self,
        document: &DocumentRecord,
    ) -> AppResult<(bool, Vec<String>)> {
        let Some(file) = self.store.current_file(document.id).await? else {
            return Ok((false, vec!["không có tệp văn bản điện tử đã ký".into()]));
        };
        let bytes = self.read_blob(&file.sha256).await?;
        let options = self.verify_options();
        let input = bytes.clone();
        let report = crate::blocking::run(move || crate::verify::verify_pdf(&input, &options))
            .await?
            .map_err(|e| AppError::Internal(format!("stored file does not verify: {e}")))?;
        let view: VerificationView = self
            .verification_view(&bytes, report, Some(document))
            .await?;
        let mut reasons: Vec<String> = Vec::new();
        if !view.report.valid {
            reasons.extend(
                view.summary
                    .vi
                    .iter()
                    .skip(1)
                    .filter(|l| l.contains("không"))
                    .cloned(),
            );
        }
        if let Some(policy) = &view.policy {
            if policy.verdict == PolicyVerdict::NonCompliant {
                reasons.extend(policy.failures(true));
            }
        }
        if reasons.is_empty() && !view.report.valid {
            reasons.push("chữ ký số không hợp lệ".into());
        }
        Ok((view.report.valid, reasons))
    }

    async fn signer_name(&self, user: Option<Uuid>) -> String {
        match user {
            Some(id) => self
                .store
                .get_user(id)
                .await
                .map(|u| u.display_name)
                .unwrap_or_default(),
            None => String::new(),
        }
    }
}

fn rate(counts: &ComplianceCounts) -> f64 {
    if counts.required == 0 {
        1.0
    } else {
        counts.compliant as f64 / counts.required as f64
    }
}

impl ComplianceReport {
    /// The groups and the failures as two tables, for CSV (groups only) and XLSX.
    pub fn tables(&self) -> Vec<crate::register_export::Table> {
        let counts = |c: &ComplianceCounts| {
            vec![
                c.required.to_string(),
                c.exempt.to_string(),
                c.compliant.to_string(),
                format!("{:.1}%", c.rate * 100.0),
            ]
        };
        let mut group_rows: Vec<Vec<String>> = self
            .groups
            .iter()
            .map(|g| [vec![g.key.clone()], counts(&g.counts)].concat())
            .collect();
        group_rows.push([vec!["Tổng cộng".to_owned()], counts(&self.total)].concat());
        let failure_rows = self
            .failures
            .iter()
            .map(|f| {
                vec![
                    f.number.clone(),
                    f.issued_on.format("%d/%m/%Y").to_string(),
                    f.unit.clone(),
                    f.signer.clone(),
                    f.reasons.join("; "),
                    f.report_path.clone(),
                ]
            })
            .collect();
        let strings = |names: &[&str]| names.iter().map(|n| (*n).to_owned()).collect();
        vec![
            crate::register_export::Table {
                name: "Tỷ lệ tuân thủ".into(),
                headings: strings(&["Nhóm", "Phải ký hai lớp", "Được miễn", "Đạt", "Tỷ lệ"]),
                rows: group_rows,
            },
            crate::register_export::Table {
                name: "Văn bản không đạt".into(),
                headings: strings(&[
                    "Số, ký hiệu",
                    "Ngày",
                    "Đơn vị",
                    "Người ký",
                    "Lý do",
                    "Báo cáo",
                ]),
                rows: failure_rows,
            },
        ]
    }
}
