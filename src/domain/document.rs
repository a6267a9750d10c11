use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::ParseError;

/// Độ mật. Ordered: a user's clearance covers every level up to and including its own.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Confidentiality {
    /// Not a state secret.
    None,
    /// MẬT
    Mat,
    /// TỐI MẬT
    ToiMat,
    /// TUYỆT MẬT
    TuyetMat,
}

impl Confidentiality {
    pub const ALL: [Confidentiality; 4] = [Self::None, Self::Mat, Self::ToiMat, Self::TuyetMat];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Mat => "mat",
            Self::ToiMat => "toi_mat",
            Self::TuyetMat => "tuyet_mat",
        }
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            Self::None => "Thường",
            Self::Mat => "MẬT",
            Self::ToiMat => "TỐI MẬT",
            Self::TuyetMat => "TUYỆT MẬT",
        }
    }

    pub fn is_state_secret(self) -> bool {
        self != Self::None
    }

    /// Whether a user holding `self` as clearance may see a document marked `level`.
    pub fn covers(self, level: Confidentiality) -> bool {
        self >= level
    }
}

impl FromStr for Confidentiality {
    type Err = ParseError;
    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|c| c.as_str() == raw)
            .ok_or_else(|| {
                ParseError::new(
                    "confidentiality",
                    format!("'{raw}' is not one of none, mat, toi_mat, tuyet_mat"),
                )
            })
    }
}

/// Độ khẩn.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Default,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    #[default]
    Normal,
    /// KHẨN
    Khan,
    /// THƯỢNG KHẨN
    ThuongKhan,
    /// HỎA TỐC
    HoaToc,
}

impl Urgency {
    pub const ALL: [Urgency; 4] = [Self::Normal, Self::Khan, Self::ThuongKhan, Self::HoaToc];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Normal => "normal",
            Self::Khan => "khan",
            Self::ThuongKhan => "thuong_khan",
            Self::HoaToc => "hoa_toc",
        }
    }
}

impl FromStr for Urgency {
    type Err = ParseError;
    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|u| u.as_str() == raw)
            .ok_or_else(|| ParseError::new("urgency", format!("unknown urgency '{raw}'")))
    }
}

/// Where a document is in its lifecycle (domain.md §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DocumentStatus {
    Draft,
    SignedPersonal,
    Issued,
    Revoked,
    /// A confidential document kept only as a register entry, never as a file.
    RegisteredStub,
}

impl DocumentStatus {
    const ALL: [DocumentStatus; 5] = [
        Self::Draft,
        Self::SignedPersonal,
        Self::Issued,
        Self::Revoked,
        Self::RegisteredStub,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::SignedPersonal => "signed_personal",
            Self::Issued => "issued",
            Self::Revoked => "revoked",
            Self::RegisteredStub => "registered_stub",
        }
    }
}

impl FromStr for DocumentStatus {
    type Err = ParseError;
    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == raw)
            .ok_or_else(|| ParseError::new("status", format!("unknown status '{raw}'")))
    }
}

/// Trích yếu: the one-line summary, at most 500 characters (App. VI), never blank.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject(String);

impl Subject {
    pub const MAX_CHARS: usize = 500;

    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        let normalized = search_index::normalize_nfc(raw.trim());
        if normalized.is_empty() {
            return Err(ParseError::new("subject", "must not be empty"));
        }
        let length = normalized.chars().count();
        if length > Self::MAX_CHARS {
            return Err(ParseError::new(
                "subject",
                format!(
                    "has {length} characters; at most {} are allowed",
                    Self::MAX_CHARS
                ),
            ));
        }
        Ok(Self(normalized))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An ISO 639-1 language code, `vi` for nearly every document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LanguageCode(String);

impl LanguageCode {
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        if raw.len() == 2 && raw.bytes().all(|b| b.is_ascii_lowercase()) {
            Ok(Self(raw.to_owned()))
        } else {
            Err(ParseError::new(
                "language",
                format!("'{raw}' is not a two-letter language code like vi"),
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Số và ký hiệu: `15/QĐ-UBND`, `05/UBND-VX`. Numbers below 10 are written with a leading
/// zero (App. I §II.3).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DocumentNumber {
    pub ordinal: u32,
    pub notation: String,
}

impl DocumentNumber {
    /// A number as the register stores it (a positive ordinal and the notation).
    pub fn from_register(ordinal: i64, notation: impl Into<String>) -> Self {
        Self {
            ordinal: u32::try_from(ordinal).unwrap_or(u32::MAX),
            notation: notation.into(),
        }
    }

    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        let error = |why: &str| ParseError::new("number", format!("'{raw}': {why}"));
        let (ordinal, notation) = raw
            .split_once('/')
            .ok_or_else(|| error("expected number/notation such as 15/QĐ-UBND"))?;
        if ordinal.is_empty() || !ordinal.bytes().all(|b| b.is_ascii_digit()) {
            return Err(error("the number must be digits"));
        }
        let ordinal: u32 = ordinal
            .parse()
            .map_err(|_| error("the number is too large"))?;
        if ordinal == 0 {
            return Err(error("numbers start at 1"));
        }
        let groups_ok = notation
            .split('-')
            .all(|g| !g.is_empty() && g.chars().all(|c| c.is_alphanumeric() || c == '/'));
        if notation.is_empty() || notation.contains(' ') || !groups_ok {
            return Err(error(
                "the notation must be groups joined by '-' without spaces",
            ));
        }
        Ok(Self {
            ordinal,
            notation: notation.to_owned(),
        })
    }
}

impl fmt::Display for DocumentNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}/{}", self.ordinal, self.notation)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clearance_covers_lower_levels_only() {
        assert!(Confidentiality::ToiMat.covers(Confidentiality::Mat));
        assert!(Confidentiality::None.covers(Confidentiality::None));
        assert!(!Confidentiality::Mat.covers(Confidentiality::TuyetMat));
    }

    #[test]
    fn document_numbers_print_with_a_leading_zero_below_ten() {
        let number = DocumentNumber::parse("5/QĐ-UBND").unwrap();
        assert_eq!(number.to_string(), "05/QĐ-UBND");
        assert_eq!(DocumentNumber::parse("101/2015/QH13").unwrap().ordinal, 101);
        for bad in ["QĐ-UBND", "0/QĐ", "15/", "15/QĐ UBND", "x/QĐ"] {
            assert!(DocumentNumber::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn subjects_are_trimmed_normalised_and_bounded() {
        assert_eq!(Subject::parse("  Về việc ").unwrap().as_str(), "Về việc");
        assert!(Subject::parse("   ").is_err());
        assert!(Subject::parse(&"a".repeat(501)).is_err());
        assert!(Subject::parse(&"ệ".repeat(500)).is_ok());
    }
}
