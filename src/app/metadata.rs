//! The metadata a clerk sends with a draft. Its JSON Schema is generated from this type,
//! committed under `schemas/json/`, and every upload is validated against the committed
//! copy before it is deserialised, so the contract clients read is the one enforced.

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{AppError, AppResult};
use crate::domain::{Confidentiality, DocumentType, Urgency};

/// Metadata of a draft outgoing document (văn bản đi), named after the statutory fields of
/// Decree 30/2020 App. VI where one exists.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "vanthu draft document metadata, version 1")]
pub struct DraftMetadata {
    /// OrganId of the issuing agency (13 characters, e.g. 000.00.00.G22). Defaults to the
    /// clerk's own agency; another agency is refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(
        length(equal = 13),
        regex(pattern = r"^[0-9]{3}\.[0-9]{2}\.[0-9]{2}\.[A-Z0-9]{3}$")
    )]
    pub organ_id: Option<String>,
    /// Abbreviation of the drafting unit inside the agency, e.g. VX.
    #[schemars(length(min = 1, max = 12))]
    pub unit: String,
    /// Document type (TypeName), e.g. quyet_dinh, cong_van.
    pub document_type: DocumentType,
    /// Trích yếu (Subject), at most 500 characters.
    #[schemars(length(min = 1, max = 500))]
    pub subject: String,
    /// Độ mật. Anything but none is a state secret: registered as a stub, never with a file.
    #[serde(default = "default_confidentiality")]
    pub confidentiality: Confidentiality,
    /// Độ khẩn (Priority).
    #[serde(default)]
    pub urgency: Urgency,
    /// ISO 639-1 code (Language); defaults to vi.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^[a-z]{2}$"))]
    pub language: Option<String>,
    /// Free-text description (Description).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 2000))]
    pub description: Option<String>,
    /// Nơi nhận (To).
    #[serde(default)]
    #[schemars(length(max = 500))]
    pub recipients: Vec<Recipient>,
    /// Number of copies issued (IssuedAmount).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 100000))]
    pub issued_amount: Option<u32>,
    /// Deadline for handling (DueDate), YYYY-MM-DD.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_date: Option<NaiveDate>,
    /// For TUYỆT MẬT documents: the classifier approved keeping the summary; without it the
    /// summary is not stored.
    #[serde(default)]
    pub summary_approved: bool,
    /// A legal normative document (văn bản quy phạm pháp luật): numbered in the agency's
    /// per-type legal normative sequence with the year in the notation (15/2026/QĐ-UBND).
    /// Only nghị quyết, quyết định and chỉ thị.
    #[serde(default)]
    pub legal_normative: bool,
    /// The issued document this one corrects (đính chính) or replaces.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub related_document: Option<RelatedDocument>,
    /// Username of the competent person who will sign first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signer: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, utoipa::ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RelatedDocument {
    pub document_id: uuid::Uuid,
    pub relation: RelationChoice,
}

#[derive(
    Debug, Clone, Copy, Serialize, Deserialize, JsonSchema, utoipa::ToSchema, PartialEq, Eq,
)]
#[serde(rename_all = "snake_case")]
pub enum RelationChoice {
    /// Đính chính: a letter correcting the original.
    Correction,
    /// A new document issued in place of the original.
    Replacement,
}

fn default_confidentiality() -> Confidentiality {
    Confidentiality::None
}

/// A recipient agency (To).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, utoipa::ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Recipient {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^[0-9]{3}\.[0-9]{2}\.[0-9]{2}\.[A-Z0-9]{3}$"))]
    pub organ_id: Option<String>,
    #[schemars(length(min = 1, max = 300))]
    pub organ_name: String,
}

/// The JSON Schema generated from [`DraftMetadata`] (what `schemas/json/` must contain).
pub fn draft_metadata_schema() -> serde_json::Value {
    let schema = schemars::schema_for!(DraftMetadata);
    serde_json::to_value(schema).unwrap_or_default()
}

/// The committed schema file the service validates against.
const COMMITTED_SCHEMA: &str = include_str!("../../schemas/json/draft-metadata.v1.schema.json");

/// Validates raw JSON text against the committed schema, then deserialises it. Messages name
/// the offending field (`/subject: …`).
pub fn parse_draft_metadata(raw: &str) -> AppResult<DraftMetadata> {
    let instance: serde_json::Value = serde_json::from_str(raw)
        .map_err(|e| AppError::InvalidMetadata(format!("metadata is not valid JSON: {e}")))?;
    let schema: serde_json::Value = serde_json::from_str(COMMITTED_SCHEMA)
        .map_err(|e| AppError::Internal(format!("committed metadata schema is invalid: {e}")))?;
    let validator = jsonschema::validator_for(&schema)
        .map_err(|e| AppError::Internal(format!("committed metadata schema is invalid: {e}")))?;
    let problems: Vec<String> = validator
        .iter_errors(&instance)
        .take(10)
        .map(|error| {
            let path = error.instance_path.to_string();
            let path = if path.is_empty() {
                "/".to_owned()
            } else {
                path
            };
            format!("{path}: {error}")
        })
        .collect();
    if !problems.is_empty() {
        return Err(AppError::InvalidMetadata(format!(
            "metadata does not match the schema: {}",
            problems.join("; ")
        )));
    }
    serde_json::from_value(instance)
        .map_err(|e| AppError::InvalidMetadata(format!("metadata is not valid: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_complete_example_parses() {
        let raw = r#"{"unit":"VX","document_type":"quyet_dinh","subject":"Về việc phê duyệt kế hoạch",
            "recipients":[{"organ_name":"Sở Nội vụ"}],"due_date":"2027-01-15"}"#;
        let parsed = parse_draft_metadata(raw).unwrap();
        assert_eq!(parsed.document_type, DocumentType::QuyetDinh);
        assert_eq!(parsed.confidentiality, Confidentiality::None);
    }

    #[test]
    fn schema_violations_name_the_field() {
        let error =
            parse_draft_metadata(r#"{"unit":"VX","document_type":"quyet_dinh","subject":""}"#)
                .unwrap_err();
        assert!(error.to_string().contains("/subject"), "{error}");
        let error = parse_draft_metadata(r#"{"unit":"VX","document_type":"memo","subject":"x"}"#)
            .unwrap_err();
        assert!(error.to_string().contains("/document_type"), "{error}");
        let error = parse_draft_metadata(
            r#"{"unit":"VX","document_type":"quyet_dinh","subject":"x","colour":"red"}"#,
        )
        .unwrap_err();
        assert!(matches!(error, AppError::InvalidMetadata(_)));
    }
}
