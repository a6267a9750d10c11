//! The revocation part of a signature's report: which mode ran, what each certificate of the
//! chain turned out to be, and which piece of evidence (OCSP response or CRL, fetched, cached
//! or supplied as a file) decided it, so an auditor can trace the verdict.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// How the validator obtains revocation status.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum RevocationMode {
    /// Cache and local files first, then the certificates' OCSP responders and CRL
    /// distribution points over HTTP.
    #[default]
    Online,
    /// Only the cache (memory and cache directory) and locally supplied CRL / OCSP files;
    /// never the network.
    Offline,
    /// No revocation checking: the report says `not_checked` and the verdict ignores it.
    Off,
}

impl std::str::FromStr for RevocationMode {
    type Err = String;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        match value {
            "online" => Ok(Self::Online),
            "offline" => Ok(Self::Offline),
            "off" => Ok(Self::Off),
            other => Err(format!(
                "'{other}' is not a revocation mode (online, offline or off)"
            )),
        }
    }
}

/// The signature-level outcome: the worst over the chain's certificates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RevocationStatus {
    /// No certificate was revoked before the signing time (or for key compromise), and every
    /// certificate that names a revocation source was decided by one.
    Good,
    /// A certificate was revoked before the claimed signing time, or for a compromise reason
    /// (problem `certificate_revoked`, indication `invalid`).
    Revoked,
    /// The status of a certificate could not be obtained (problem `revocation_unknown`,
    /// indication `indeterminate`).
    Unknown,
    /// Mode `off`, or the chain was not trusted so there was no issuer to ask.
    NotChecked,
}

/// One certificate's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CertificateStatus {
    Good,
    Revoked,
    /// Revoked after the claimed signing time for a reason other than a compromise: still
    /// good for this signature.
    RevokedAfterSigning,
    Unknown,
    /// The certificate names no OCSP responder and no CRL distribution point, and no local
    /// CRL of its issuer was supplied: there is nothing to check against (RFC 5280 leaves
    /// this to the relying party; a private PKI such as the demo one does this).
    NoSource,
}

/// CRLReason (RFC 5280 §5.3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RevocationReason {
    Unspecified,
    KeyCompromise,
    CaCompromise,
    AffiliationChanged,
    Superseded,
    CessationOfOperation,
    CertificateHold,
    RemoveFromCrl,
    PrivilegeWithdrawn,
    AaCompromise,
}

impl RevocationReason {
    pub(crate) fn from_code(code: i64) -> Option<Self> {
        Some(match code {
            0 => Self::Unspecified,
            1 => Self::KeyCompromise,
            2 => Self::CaCompromise,
            3 => Self::AffiliationChanged,
            4 => Self::Superseded,
            5 => Self::CessationOfOperation,
            6 => Self::CertificateHold,
            8 => Self::RemoveFromCrl,
            9 => Self::PrivilegeWithdrawn,
            10 => Self::AaCompromise,
            _ => return None,
        })
    }

    /// A compromised key could have made the signature at any time, whatever `/M` claims
    /// (the signing time is not proven by a timestamp), so these revoke every signature.
    pub(crate) fn is_compromise(self) -> bool {
        matches!(
            self,
            Self::KeyCompromise | Self::CaCompromise | Self::AaCompromise
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceKind {
    Ocsp,
    Crl,
}

/// Where the deciding evidence came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceOrigin {
    /// Fetched from `url` during this validation.
    Network,
    /// Fetched from `url` earlier and reused until its nextUpdate (memory or cache directory).
    Cache,
    /// A CRL or OCSP response file the operator supplied (`verify.crl_files`,
    /// `verify.ocsp_files`).
    LocalFile,
}

/// The OCSP response or CRL that decided a certificate's status. Its signature was checked
/// against the issuer (or a responder the issuer delegated) and it was fresh at the
/// validation time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema, utoipa::ToSchema)]
pub struct RevocationEvidence {
    pub kind: EvidenceKind,
    pub origin: EvidenceOrigin,
    /// The responder or distribution point; `None` for a local file.
    pub url: Option<String>,
    /// ISO 8601.
    pub this_update: Option<String>,
    /// ISO 8601; the evidence is not used after it.
    pub next_update: Option<String>,
    /// ISO 8601, when the OCSP responder signed the response (`None` for a CRL).
    pub produced_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema, utoipa::ToSchema)]
pub struct CertificateRevocation {
    pub subject: String,
    /// Serial number, upper-case hex.
    pub serial: String,
    pub status: CertificateStatus,
    /// ISO 8601, when revoked.
    pub revoked_at: Option<String>,
    pub reason: Option<RevocationReason>,
    pub evidence: Option<RevocationEvidence>,
    /// Sources tried that did not decide, and why (responder unreachable, signature does not
    /// verify, stale…).
    pub attempts: Vec<String>,
}

/// Revocation checking of the chain signer → last intermediate (the trust anchor itself is
/// not checked: it is trusted by configuration). The claimed signing time is the reference:
/// revoked before it, or for a compromise reason at any time, is `revoked`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema, utoipa::ToSchema)]
pub struct RevocationReport {
    pub mode: RevocationMode,
    pub status: RevocationStatus,
    pub certificates: Vec<CertificateRevocation>,
}

impl RevocationReport {
    pub(crate) fn not_checked() -> Self {
        Self {
            mode: RevocationMode::Off,
            status: RevocationStatus::NotChecked,
            certificates: Vec::new(),
        }
    }
}
