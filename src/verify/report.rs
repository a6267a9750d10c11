//! What [`super::verify_pdf`] returns: one report per file, one per signature, and the
//! problems found, each with a stable snake_case code (the API and the audit reports key on
//! it) and a human message.

use schemars::JsonSchema;
use serde::Serialize;

use super::revocation_report::RevocationReport;

/// One `%%EOF`-terminated revision of the file (ISO 32000 §7.5.6), in file order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema, utoipa::ToSchema)]
pub struct RevisionInfo {
    pub index: usize,
    /// Offset of the `%%EOF` marker.
    pub eof_offset: u64,
    /// Offset just after the marker and its optional end-of-line: where the next revision
    /// begins.
    pub end_offset: u64,
}

/// What part of the file a signature's byte ranges cover.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Coverage {
    /// The ranges reach the last byte of the file.
    EntireFile,
    /// The ranges end where a revision ends; later revisions were diffed against it.
    EntireRevision,
    /// The ranges end elsewhere: the signature does not vouch for a whole document.
    Partial,
    /// `/ByteRange` is missing or malformed.
    Unknown,
}

/// What changed after a signature's revision (pyHanko's levels, minus the LTA and
/// annotation levels).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, JsonSchema, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ModificationLevel {
    None,
    /// Only what an approval signature permits: signing, filling pre-existing fields, new
    /// signed signature fields, DSS and metadata updates.
    FormFilling,
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema, utoipa::ToSchema)]
pub struct Problem {
    /// A stable snake_case code (the list is `verify::PROBLEM_CODES`). Every code makes the
    /// signature `invalid` except `revocation_unknown`, which makes it `indeterminate`;
    /// `certificate_revoked` means revoked before the claimed signing time or for a
    /// compromise.
    pub code: &'static str,
    pub message: String,
}

impl Problem {
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

/// Problem codes that leave a signature INDETERMINATE rather than INVALID: nothing shows it
/// is wrong, but a check could not be completed (an auditor must not read it as valid).
pub const INDETERMINATE_CODES: &[&str] = &["revocation_unknown"];

/// The overall answer, in the terms of ETSI EN 319 102-1: `valid` (every check passed),
/// `invalid` (a check failed: tampering, untrusted, expired, revoked…) or `indeterminate`
/// (every check that could be made passed, but one could not be made — today only
/// revocation status that could not be obtained, code `revocation_unknown`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Indication {
    Valid,
    Invalid,
    Indeterminate,
}

/// Every problem code this module emits, for documentation and the API contract.
pub const PROBLEM_CODES: &[&str] = &[
    // file level
    "unreadable_pdf",
    "encrypted_pdf",
    "no_signatures",
    "too_many_signatures",
    "revision_malformed",
    "data_after_last_revision",
    // signature structure
    "signature_dictionary_missing",
    "byte_range_malformed",
    "contents_not_in_gap",
    "contents_trailing_data",
    "overlapping_ranges",
    "coverage_partial",
    "unsupported_sub_filter",
    "signature_dictionary_changed",
    "signature_removed",
    // CMS and integrity
    "not_cms",
    "several_signer_infos",
    "cms_content_type",
    "digest_algorithm_unsupported",
    "digest_mismatch",
    "signature_algorithm_unsupported",
    "signature_invalid",
    "ess_missing",
    "ess_mismatch",
    // certificates
    "untrusted_chain",
    "certificate_expired",
    "certificate_not_yet_valid",
    "signing_time_missing",
    "key_usage",
    // revocation (see `RevocationReport`)
    "certificate_revoked",
    "revocation_unknown",
    // modifications
    "modified_after_signing",
];

#[derive(Debug, Clone, Serialize, JsonSchema, utoipa::ToSchema)]
pub struct SignatureReport {
    /// Fully qualified field name (`parent.child`), as a viewer shows it.
    pub field_name: String,
    /// From the CMS signer certificate only, never from `/Name` or the appearance.
    pub signer_subject: Option<String>,
    pub signer_certificate_sha256: Option<String>,
    pub signer_certificate_pem: Option<String>,
    /// The signature dictionary's `/M`, ISO 8601 (claimed, not proven: no timestamp).
    pub claimed_signing_time: Option<String>,
    pub sub_filter: Option<String>,
    pub byte_range: Option<[u64; 4]>,
    /// The revision the ranges end with (see [`PdfReport::revisions`]).
    pub revision_index: Option<usize>,
    pub coverage: Coverage,
    /// The message digest over the byte ranges matches the CMS messageDigest attribute.
    pub integrity: bool,
    /// The signature value verifies over the signed attributes with the signer's key.
    pub signature_value_ok: bool,
    /// The ESS signing-certificate(-v2) attribute names the signer certificate.
    pub signing_certificate_attribute_ok: bool,
    /// The signer chains to one of the trust anchors (time aside).
    pub trusted: bool,
    /// Every certificate of the chain was within its validity period at the claimed
    /// signing time.
    pub certificate_valid_at_signing_time: bool,
    /// digitalSignature or nonRepudiation (or no key-usage extension).
    pub key_usage_ok: bool,
    pub modification_level: ModificationLevel,
    /// Objects changed after the signed revision that no rule permits, e.g.
    /// `"12 0 R (page content)"`.
    pub modified_objects: Vec<String>,
    /// Revocation status of the signer's chain at the claimed signing time.
    pub revocation: RevocationReport,
    pub problems: Vec<Problem>,
    /// `indication == valid`.
    pub valid: bool,
    pub indication: Indication,
}

impl SignatureReport {
    pub(crate) fn new(field_name: String) -> Self {
        Self {
            field_name,
            signer_subject: None,
            signer_certificate_sha256: None,
            signer_certificate_pem: None,
            claimed_signing_time: None,
            sub_filter: None,
            byte_range: None,
            revision_index: None,
            coverage: Coverage::Unknown,
            integrity: false,
            signature_value_ok: false,
            signing_certificate_attribute_ok: false,
            trusted: false,
            certificate_valid_at_signing_time: false,
            key_usage_ok: false,
            modification_level: ModificationLevel::Other,
            modified_objects: Vec::new(),
            revocation: RevocationReport::not_checked(),
            problems: Vec::new(),
            valid: false,
            indication: Indication::Invalid,
        }
    }

    pub(crate) fn problem(&mut self, code: &'static str, message: impl Into<String>) {
        let message = message.into();
        if !self
            .problems
            .iter()
            .any(|p| p.code == code && p.message == message)
        {
            self.problems.push(Problem::new(code, message));
        }
    }

    #[cfg(test)]
    pub(crate) fn has_problem(&self, code: &str) -> bool {
        self.problems.iter().any(|p| p.code == code)
    }

    /// Valid only when every check passed and no problem was recorded; indeterminate when
    /// the only problems are checks that could not be made.
    pub(crate) fn conclude(&mut self) {
        let checks_passed = matches!(
            self.coverage,
            Coverage::EntireFile | Coverage::EntireRevision
        ) && self.integrity
            && self.signature_value_ok
            && self.signing_certificate_attribute_ok
            && self.trusted
            && self.certificate_valid_at_signing_time
            && self.key_usage_ok
            && self.modification_level != ModificationLevel::Other;
        self.indication = if !checks_passed {
            Indication::Invalid
        } else if self.problems.is_empty() {
            Indication::Valid
        } else if self
            .problems
            .iter()
            .all(|p| INDETERMINATE_CODES.contains(&p.code))
        {
            Indication::Indeterminate
        } else {
            Indication::Invalid
        };
        self.valid = self.indication == Indication::Valid;
    }
}

#[derive(Debug, Clone, Serialize, JsonSchema, utoipa::ToSchema)]
pub struct PdfReport {
    pub file_sha256: String,
    pub file_size: u64,
    pub revisions: Vec<RevisionInfo>,
    /// In the order of the signed revisions (earliest first).
    pub signatures: Vec<SignatureReport>,
    /// At least one signature, every signature valid and no file-level problem.
    pub valid: bool,
    /// `invalid` when a file-level problem exists or any signature is invalid; otherwise
    /// `indeterminate` when any signature is; otherwise `valid`.
    pub indication: Indication,
    pub problems: Vec<Problem>,
}

impl PdfReport {
    pub(crate) fn conclude(&mut self) {
        let worst = |wanted: Indication| self.signatures.iter().any(|s| s.indication == wanted);
        self.indication = if self.signatures.is_empty()
            || !self.problems.is_empty()
            || worst(Indication::Invalid)
        {
            Indication::Invalid
        } else if worst(Indication::Indeterminate) {
            Indication::Indeterminate
        } else {
            Indication::Valid
        };
        self.valid = self.indication == Indication::Valid;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_and_coverage_serialise_in_snake_case() {
        let json =
            serde_json::to_string(&(Coverage::EntireRevision, ModificationLevel::FormFilling))
                .unwrap();
        assert_eq!(json, r#"["entire_revision","form_filling"]"#);
    }

    #[test]
    fn a_report_with_a_problem_is_not_valid() {
        let mut report = SignatureReport::new("Sig".into());
        report.coverage = Coverage::EntireFile;
        report.integrity = true;
        report.signature_value_ok = true;
        report.signing_certificate_attribute_ok = true;
        report.trusted = true;
        report.certificate_valid_at_signing_time = true;
        report.key_usage_ok = true;
        report.modification_level = ModificationLevel::None;
        report.conclude();
        assert!(report.valid);
        report.problem("key_usage", "x");
        report.conclude();
        assert!(!report.valid);
    }

    #[test]
    fn the_report_has_a_json_schema() {
        let schema = serde_json::to_value(schemars::schema_for!(PdfReport)).unwrap();
        assert!(
            schema.to_string().contains("modification_level"),
            "{schema}"
        );
    }

    #[test]
    fn codes_are_unique_snake_case() {
        let mut seen = std::collections::BTreeSet::new();
        for code in PROBLEM_CODES {
            assert!(
                code.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
                "{code}"
            );
            assert!(seen.insert(code), "{code} twice");
        }
    }
}
