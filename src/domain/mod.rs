//! The business vocabulary: agencies, documents, users and what each role may do. Every type
//! here is parsed at the edge (HTTP, CLI, database rows) and trusted inside. No I/O here.

mod agency;
mod document;
mod document_type;
pub mod exemption;
mod numbering;
mod user;

pub use agency::{Abbreviation, AgencyId};
pub use document::{
    Confidentiality, DocumentNumber, DocumentStatus, LanguageCode, Subject, Urgency,
};
pub use document_type::DocumentType;
pub use numbering::{legal_normative_notation, may_be_legal_normative, notation, CopyKind};
pub use user::{Action, Role, Username};

/// Vietnam's time zone: UTC+07:00 all year (no daylight saving). Registers, issue dates and
/// signing times are in this zone.
pub fn vietnam_offset() -> chrono::FixedOffset {
    chrono::FixedOffset::east_opt(7 * 3600).expect("+07:00 is a valid offset")
}

/// A value that failed to parse, with a message a clerk can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct ParseError {
    pub field: &'static str,
    pub message: String,
}

impl ParseError {
    pub fn new(field: &'static str, message: impl Into<String>) -> Self {
        Self {
            field,
            message: message.into(),
        }
    }
}
