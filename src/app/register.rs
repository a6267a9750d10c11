//! The outgoing register (sổ đăng ký văn bản đi) for a period: every issued document of the
//! caller's agency with the statutory columns, as JSON, CSV, XLSX or PDF. Documents whose
//! exemption rule forbids circulation (state secrets) never appear in an export.

use chrono::{NaiveDate, TimeZone, Utc};
use serde::Deserialize;

use super::documents::require;
use super::{AppError, AppResult, Recipient, Services};
use crate::db::{DocumentRecord, UserRecord};
use crate::domain::{Action, DocumentNumber};
use crate::register_export::{self, RegisterHeader, RegisterRow};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum RegisterFormat {
    Json,
    Csv,
    Xlsx,
    Pdf,
}

pub struct RegisterExport {
    pub bytes: Vec<u8>,
    pub content_type: &'static str,
    pub file_name: String,
}

impl Services {
    pub async fn register_rows(
        &self,
        actor: &UserRecord,
        from: NaiveDate,
        to: NaiveDate,
    ) -> AppResult<(RegisterHeader, Vec<RegisterRow>)> {
        require(actor, Action::ReadRegister)?;
        if from > to {
            return Err(AppError::BadRequest("'from' must not be after 'to'".into()));
        }
        let agency = self.store.get_agency(actor.agency_id).await?;
        let offset = crate::domain::vietnam_offset();
        let start = offset
            .from_local_datetime(&from.and_hms_opt(0, 0, 0).unwrap_or_default())
            .single()
            .map(|t| t.with_timezone(&Utc));
        let end = offset
            .from_local_datetime(
                &to.succ_opt()
                    .unwrap_or(to)
                    .and_hms_opt(0, 0, 0)
                    .unwrap_or_default(),
            )
            .single()
            .map(|t| t.with_timezone(&Utc));
        let (Some(start), Some(end)) = (start, end) else {
            return Err(AppError::BadRequest(
                "the period is not a valid date range".into(),
            ));
        };
        let units = self.store.list_units(agency.id).await?;
        let mut rows = Vec::new();
        for document in self.store.issued_between(agency.id, start, end).await? {
            if !self.circulates(&document) {
                continue;
            }
            rows.push(self.register_row(&document, &units).await?);
        }
        let header = RegisterHeader {
            organ_id: agency.organ_id.clone(),
            agency_name: agency.name.clone(),
            title: "SỔ ĐĂNG KÝ VĂN BẢN ĐI".into(),
            period: format!(
                "Từ ngày {} đến ngày {}",
                from.format("%d/%m/%Y"),
                to.format("%d/%m/%Y")
            ),
        };
        Ok((header, rows))
    }

    pub async fn export_register(
        &self,
        actor: &UserRecord,
        from: NaiveDate,
        to: NaiveDate,
        format: RegisterFormat,
    ) -> AppResult<RegisterExport> {
        let (header, rows) = self.register_rows(actor, from, to).await?;
        let stem = format!(
            "so-van-ban-di_{}_{}",
            from.format("%Y%m%d"),
            to.format("%Y%m%d")
        );
        let event = super::documents::audit_event(
            Some(actor),
            "register.exported",
            None,
            serde_json::json!({"from": from, "to": to, "rows": rows.len(), "format": format!("{format:?}")}),
        );
        self.store.append_audit_event(&event).await?;
        let font = self.font.clone();
        let export = crate::blocking::run(move || -> AppResult<RegisterExport> {
            Ok(match format {
                RegisterFormat::Json => RegisterExport {
                    bytes: serde_json::to_vec_pretty(&rows)
                        .map_err(|e| AppError::Internal(e.to_string()))?,
                    content_type: "application/json",
                    file_name: format!("{stem}.json"),
                },
                RegisterFormat::Csv => RegisterExport {
                    bytes: register_export::to_csv(&header, &rows).into_bytes(),
                    content_type: "text/csv; charset=utf-8",
                    file_name: format!("{stem}.csv"),
                },
                RegisterFormat::Xlsx => RegisterExport {
                    bytes: register_export::to_xlsx(&header, &rows)
                        .map_err(|e| AppError::Internal(e.to_string()))?,
                    content_type:
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    file_name: format!("{stem}.xlsx"),
                },
                RegisterFormat::Pdf => {
                    let font = font.ok_or_else(|| {
                        AppError::Internal(
                            "no serif font with Vietnamese glyphs is installed".into(),
                        )
                    })?;
                    RegisterExport {
                        bytes: register_export::to_pdf(&header, &rows, &font)
                            .map_err(|e| AppError::Internal(e.to_string()))?,
                        content_type: "application/pdf",
                        file_name: format!("{stem}.pdf"),
                    }
                }
            })
        })
        .await??;
        Ok(export)
    }

    /// Whether the document's exemption rule lets it into exports.
    pub(super) fn circulates(&self, document: &DocumentRecord) -> bool {
        match document
            .exemption_rule_id
            .as_deref()
            .and_then(|id| self.rules.rule(id))
        {
            Some(rule) => rule.decision.circulates,
            None => !document.confidentiality.is_state_secret(),
        }
    }

    async fn register_row(
        &self,
        document: &DocumentRecord,
        units: &[crate::db::UnitRecord],
    ) -> AppResult<RegisterRow> {
        let issued_on = document
            .issued_at
            .map(|t| {
                t.with_timezone(&crate::domain::vietnam_offset())
                    .date_naive()
            })
            .unwrap_or_default();
        let number = match (document.ordinal, &document.notation) {
            (Some(ordinal), Some(notation)) => {
                DocumentNumber::from_register(ordinal, notation.clone()).to_string()
            }
            _ => String::new(),
        };
        let signer = match document.signer_user_id {
            Some(id) => self
                .store
                .get_user(id)
                .await
                .map(|u| u.display_name)
                .unwrap_or_default(),
            None => String::new(),
        };
        let recipients: Vec<Recipient> =
            serde_json::from_str(&document.recipients_json).unwrap_or_default();
        let unit = units
            .iter()
            .find(|u| u.id == document.unit_id)
            .map(|u| u.name.clone())
            .unwrap_or_default();
        let mut notes = Vec::new();
        if let Some(revocation) = &document.revocation {
            notes.push(format!(
                "Đã thu hồi ngày {}: {}",
                revocation
                    .at
                    .with_timezone(&crate::domain::vietnam_offset())
                    .format("%d/%m/%Y"),
                revocation.reason
            ));
        }
        if let Some(related) = &document.related {
            let original = self.store.get_document(related.document_id).await?;
            let original_number = super::views::number_of(&original)
                .unwrap_or_else(|| related.document_id.to_string());
            let verb = match related.kind {
                crate::db::RelationKind::Correction => "Đính chính",
                crate::db::RelationKind::Replacement => "Thay thế",
            };
            notes.push(format!("{verb} văn bản số {original_number}"));
        }
        Ok(RegisterRow {
            number,
            issued_on,
            type_name: document.document_type.name_vi().to_owned(),
            subject: document.subject.clone(),
            signer,
            recipients: recipients.into_iter().map(|r| r.organ_name).collect(),
            file_unit: format!("Văn thư; {unit}"),
            copies: document.issued_amount,
            sent_on: Some(issued_on),
            receipt: String::new(),
            notes: notes.join("; "),
        })
    }
}
