//! Numbers and notations of the outgoing register (Decree 30/2020 Art. 15 and App. I; the Law
//! on Promulgation of Legal Documents for legal normative documents). Which sequence a number
//! comes from decides how its notation is written:
//!
//! - regular and confidential: `15/QĐ-UBND`; công văn: `05/UBND-VX` (agency-drafting unit);
//! - legal normative, one sequence per type: the year goes between number and notation,
//!   `15/2026/QĐ-UBND`;
//! - copies (bản sao), one sequence for SY, SL and TrS: `05/SY-UBND`.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::{DocumentType, ParseError};

/// The notation after "NN/" for a regular or confidential number.
pub fn notation(document_type: DocumentType, agency: &str, unit: &str) -> String {
    match document_type.abbreviation() {
        Some(abbreviation) => format!("{abbreviation}-{agency}"),
        None => format!("{agency}-{unit}"),
    }
}

/// Types an agency of the administration issues as legal normative documents (nghị quyết of
/// a people's council, quyết định of a people's committee, chỉ thị under the earlier law).
pub fn may_be_legal_normative(document_type: DocumentType) -> bool {
    matches!(
        document_type,
        DocumentType::NghiQuyet | DocumentType::QuyetDinh | DocumentType::ChiThi
    )
}

/// The notation of a legal normative document: `2026/QĐ-UBND`.
pub fn legal_normative_notation(document_type: DocumentType, year: i32, agency: &str) -> String {
    let abbreviation = document_type.abbreviation().unwrap_or("VB");
    format!("{year}/{abbreviation}-{agency}")
}

/// The three forms of copy (Decree 30/2020 Art. 25): a true copy of the whole document, a copy
/// made from a copy, and an extract.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum CopyKind {
    /// Sao y (SY).
    SaoY,
    /// Sao lục (SL).
    SaoLuc,
    /// Trích sao (TrS).
    TrichSao,
}

impl CopyKind {
    pub const ALL: &'static [CopyKind] = &[CopyKind::SaoY, CopyKind::SaoLuc, CopyKind::TrichSao];

    /// The abbreviation in the copy's notation and the value stored in the database.
    pub fn abbreviation(self) -> &'static str {
        match self {
            CopyKind::SaoY => "SY",
            CopyKind::SaoLuc => "SL",
            CopyKind::TrichSao => "TrS",
        }
    }

    /// The heading printed on the copy.
    pub fn title(self) -> &'static str {
        match self {
            CopyKind::SaoY => "SAO Y",
            CopyKind::SaoLuc => "SAO LỤC",
            CopyKind::TrichSao => "TRÍCH SAO",
        }
    }

    pub fn from_abbreviation(raw: &str) -> Result<Self, ParseError> {
        Self::ALL
            .iter()
            .copied()
            .find(|kind| kind.abbreviation() == raw)
            .ok_or_else(|| ParseError::new("copy_kind", format!("'{raw}' is not SY, SL or TrS")))
    }

    /// The copy's notation: `SY-UBND`.
    pub fn notation(self, agency: &str) -> String {
        format!("{}-{agency}", self.abbreviation())
    }
}

impl fmt::Display for CopyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.abbreviation())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::DocumentNumber;

    #[test]
    fn notations_follow_decree_30() {
        assert_eq!(notation(DocumentType::QuyetDinh, "UBND", "VX"), "QĐ-UBND");
        assert_eq!(notation(DocumentType::KeHoach, "SNV", "VP"), "KH-SNV");
        assert_eq!(notation(DocumentType::CongVan, "UBND", "VX"), "UBND-VX");
    }

    #[test]
    fn legal_normative_numbers_carry_the_year_and_parse_back() {
        let notation = legal_normative_notation(DocumentType::QuyetDinh, 2026, "UBND");
        let number = DocumentNumber {
            ordinal: 7,
            notation,
        };
        assert_eq!(number.to_string(), "07/2026/QĐ-UBND");
        assert_eq!(DocumentNumber::parse(&number.to_string()).unwrap(), number);
        assert!(may_be_legal_normative(DocumentType::NghiQuyet));
        assert!(!may_be_legal_normative(DocumentType::CongVan));
        assert!(!may_be_legal_normative(DocumentType::KeHoach));
    }

    #[test]
    fn copy_kinds_round_trip_and_write_their_notation() {
        for kind in CopyKind::ALL {
            assert_eq!(
                CopyKind::from_abbreviation(kind.abbreviation()).unwrap(),
                *kind
            );
        }
        assert_eq!(CopyKind::TrichSao.notation("UBND"), "TrS-UBND");
        let number = DocumentNumber::parse("3/SY-UBND").unwrap();
        assert_eq!(number.to_string(), "03/SY-UBND");
        assert!(CopyKind::from_abbreviation("BS").is_err());
    }
}
