//! Reading one OCSP response or CRL about one certificate: parse, check its signature against
//! the certificate's issuer (or, for OCSP, a responder the issuer delegated), check that it is
//! fresh at the validation time, and say what it states. Anything short of that is `Err`:
//! the evidence is not used.

use chrono::{DateTime, NaiveDateTime, Utc};
use openssl::hash::MessageDigest;
use openssl::ocsp::{
    OcspCertId, OcspCertStatus, OcspFlag, OcspRequest, OcspResponse, OcspResponseStatus,
};
use openssl::stack::Stack;
use openssl::x509::store::X509StoreBuilder;
use openssl::x509::verify::X509VerifyFlags;
use openssl::x509::{CrlStatus, ReasonCode, X509Crl, X509KeyUsage, X509Ref};

use super::der;
use super::revocation_report::RevocationReason;

/// Clock skew tolerated between us and the CA.
const SKEW: chrono::Duration = chrono::Duration::minutes(5);
/// Evidence without a nextUpdate is used for this long after its thisUpdate.
const MAX_AGE_WITHOUT_NEXT_UPDATE: chrono::Duration = chrono::Duration::hours(24);

/// What a piece of evidence says about the certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Finding {
    Good,
    Revoked {
        at: DateTime<Utc>,
        reason: Option<RevocationReason>,
    },
    /// The responder does not know the certificate (OCSP "unknown").
    Unknown,
}

#[derive(Debug, Clone)]
pub(super) struct Evaluated {
    pub finding: Finding,
    pub this_update: DateTime<Utc>,
    pub next_update: Option<DateTime<Utc>>,
    /// When the responder signed (OCSP only).
    pub produced_at: Option<DateTime<Utc>>,
}

impl Evaluated {
    /// Until when the evidence may be reused.
    pub fn expires(&self) -> DateTime<Utc> {
        self.next_update
            .unwrap_or(self.this_update + MAX_AGE_WITHOUT_NEXT_UPDATE)
    }
}

/// `ASN1_TIME_print`'s form, e.g. `Nov 22 18:39:04 2026 GMT` (seconds may carry a fraction).
pub(super) fn asn1_to_utc(printed: &str) -> Option<DateTime<Utc>> {
    NaiveDateTime::parse_from_str(printed, "%b %e %H:%M:%S%.f %Y GMT")
        .ok()
        .map(|t| t.and_utc())
}

fn check_freshness(
    this_update: Option<DateTime<Utc>>,
    next_update: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<(DateTime<Utc>, Option<DateTime<Utc>>), String> {
    let this_update = this_update.ok_or("its thisUpdate cannot be read")?;
    if this_update > now + SKEW {
        return Err(format!(
            "its thisUpdate {} is in the future",
            this_update.to_rfc3339()
        ));
    }
    let expires = next_update.unwrap_or(this_update + MAX_AGE_WITHOUT_NEXT_UPDATE);
    if expires + SKEW < now {
        return Err(format!("stale: valid until {}", expires.to_rfc3339()));
    }
    Ok((this_update, next_update))
}

/// The DER form of a CRL given as DER or PEM (operators download either).
pub(super) fn crl_der(bytes: &[u8]) -> Option<Vec<u8>> {
    X509Crl::from_der(bytes)
        .or_else(|_| X509Crl::from_pem(bytes))
        .and_then(|crl| crl.to_der())
        .ok()
}

/// The certificate's identity in OCSP: SHA-1 hashes of the issuer's name and key, as every
/// responder expects (RFC 6960 §4.1.1; SHA-1 is only an identifier here).
pub(super) fn ocsp_request(subject: &X509Ref, issuer: &X509Ref) -> Result<Vec<u8>, String> {
    let error = |e: openssl::error::ErrorStack| format!("cannot build the OCSP request: {e}");
    let id = OcspCertId::from_cert(MessageDigest::sha1(), subject, issuer).map_err(error)?;
    let mut request = OcspRequest::new().map_err(error)?;
    // No nonce: responders that pre-produce responses ignore it, and a response without one
    // can be cached and reused offline; freshness comes from thisUpdate/nextUpdate instead.
    request.add_id(id).map_err(error)?;
    request.to_der().map_err(error)
}

pub(super) fn evaluate_ocsp(
    der: &[u8],
    subject: &X509Ref,
    issuer: &X509Ref,
    now: DateTime<Utc>,
) -> Result<Evaluated, String> {
    let response = OcspResponse::from_der(der).map_err(|_| "not an OCSP response")?;
    if response.status() != OcspResponseStatus::SUCCESSFUL {
        return Err(format!(
            "the responder refused (OCSPResponseStatus {})",
            response.status().as_raw()
        ));
    }
    let basic = response.basic().map_err(|_| "not a basic OCSP response")?;
    let error = |e: openssl::error::ErrorStack| e.to_string();
    // The only trust anchor is the issuer itself (PARTIAL_CHAIN: it may be an intermediate):
    // OCSP_basic_verify then accepts the issuer as signer, or a responder certificate that
    // the issuer signed and gave the OCSPSigning extended key usage — nothing else.
    let mut store = X509StoreBuilder::new().map_err(error)?;
    store.add_cert(issuer.to_owned()).map_err(error)?;
    store
        .set_flags(X509VerifyFlags::PARTIAL_CHAIN)
        .map_err(error)?;
    let store = store.build();
    let mut certificates = Stack::new().map_err(error)?;
    certificates.push(issuer.to_owned()).map_err(error)?;
    basic
        .verify(&certificates, &store, OcspFlag::empty())
        .map_err(|_| {
            "the response is not signed by the issuer or a responder it delegated".to_owned()
        })?;
    let id = OcspCertId::from_cert(MessageDigest::sha1(), subject, issuer).map_err(error)?;
    let status = basic
        .find_status(&id)
        .ok_or("the response does not cover this certificate")?;
    let (this_update, next_update) = check_freshness(
        asn1_to_utc(&status.this_update.to_string()),
        status
            .next_update()
            .and_then(|t| asn1_to_utc(&t.to_string())),
        now,
    )?;
    let finding = match status.status {
        OcspCertStatus::GOOD => Finding::Good,
        OcspCertStatus::REVOKED => Finding::Revoked {
            at: status
                .revocation_time
                .and_then(|t| asn1_to_utc(&t.to_string()))
                .ok_or("the revocation time cannot be read")?,
            reason: RevocationReason::from_code(status.reason.as_raw().into()),
        },
        _ => Finding::Unknown,
    };
    Ok(Evaluated {
        finding,
        this_update,
        next_update,
        produced_at: ocsp_produced_at(der),
    })
}

/// producedAt (RFC 6960 §4.2.1), which the openssl crate does not expose: OCSPResponse →
/// responseBytes → BasicOCSPResponse → tbsResponseData, after the optional version and the
/// responderID. Only read from a response whose signature already verified.
fn ocsp_produced_at(response: &[u8]) -> Option<DateTime<Utc>> {
    let mut fields = der::single(response, der::SEQUENCE).ok()?.reader();
    fields.expect(0x0A).ok()?; // responseStatus
    let wrapped = fields.expect(der::CONTEXT_0).ok()?;
    let mut bytes = wrapped.reader().expect(der::SEQUENCE).ok()?.reader();
    bytes.expect(der::OID).ok()?;
    let basic = bytes.expect(der::OCTET_STRING).ok()?.content;
    let mut basic = der::single(basic, der::SEQUENCE).ok()?.reader();
    let mut data = basic.expect(der::SEQUENCE).ok()?.reader();
    data.optional(der::CONTEXT_0).ok()?;
    data.element().ok()?; // responderID, [1] byName or [2] byKey
    der::parse_time(&data.expect(der::GENERALIZED_TIME).ok()?)
}

/// Whether an OCSP response carries a status for the certificate (before any signature
/// check: local responses are matched this way).
pub(super) fn ocsp_covers(der: &[u8], subject: &X509Ref, issuer: &X509Ref) -> bool {
    let Ok(id) = OcspCertId::from_cert(MessageDigest::sha1(), subject, issuer) else {
        return false;
    };
    OcspResponse::from_der(der)
        .and_then(|response| response.basic())
        .is_ok_and(|basic| basic.find_status(&id).is_some())
}

/// Whether the CRL claims to be about the certificate's issuer (cheap, before any signature
/// check: local CRLs are matched this way).
pub(super) fn crl_is_from(der: &[u8], subject: &X509Ref) -> bool {
    X509Crl::from_der(der).is_ok_and(|crl| {
        matches!(
            crl.issuer_name().try_cmp(subject.issuer_name()),
            Ok(std::cmp::Ordering::Equal)
        )
    })
}

pub(super) fn evaluate_crl(
    der: &[u8],
    subject: &X509Ref,
    issuer: &X509Ref,
    now: DateTime<Utc>,
) -> Result<Evaluated, String> {
    let crl = X509Crl::from_der(der).map_err(|_| "not a DER CRL")?;
    if !matches!(
        crl.issuer_name().try_cmp(issuer.subject_name()),
        Ok(std::cmp::Ordering::Equal)
    ) {
        return Err("the CRL is issued by another CA".into());
    }
    if issuer
        .key_usage()
        .is_some_and(|usage| !usage.contains(X509KeyUsage::CRL_SIGN))
    {
        return Err("the issuer's key usage does not allow signing CRLs".into());
    }
    let key = issuer
        .public_key()
        .map_err(|e| format!("the issuer's key cannot be read: {e}"))?;
    if !crl.verify(&key).unwrap_or(false) {
        return Err("the CRL's signature does not verify with the issuer's key".into());
    }
    let (this_update, next_update) = check_freshness(
        asn1_to_utc(&crl.last_update().to_string()),
        crl.next_update().and_then(|t| asn1_to_utc(&t.to_string())),
        now,
    )?;
    let finding = match crl.get_by_serial(subject.serial_number()) {
        CrlStatus::NotRevoked | CrlStatus::RemoveFromCrl(_) => Finding::Good,
        CrlStatus::Revoked(entry) => Finding::Revoked {
            at: asn1_to_utc(&entry.revocation_date().to_string())
                .ok_or("the revocation date cannot be read")?,
            reason: entry
                .extension::<ReasonCode>()
                .ok()
                .flatten()
                .and_then(|(_, code)| code.get_i64().ok())
                .and_then(RevocationReason::from_code),
        },
    };
    Ok(Evaluated {
        finding,
        this_update,
        next_update,
        produced_at: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printed_asn1_times_parse() {
        let t = asn1_to_utc("Nov  2 08:09:04 2026 GMT").unwrap();
        assert_eq!(t.to_rfc3339(), "2026-11-02T08:09:04+00:00");
        let t = asn1_to_utc("Nov 22 18:39:04.5 2026 GMT").unwrap();
        assert_eq!(t.timestamp(), 1_795_372_744);
        assert!(asn1_to_utc("bad").is_none());
    }

    #[test]
    fn freshness_needs_a_current_window() {
        let now = Utc::now();
        let hour = chrono::Duration::hours(1);
        assert!(check_freshness(Some(now - hour), Some(now + hour), now).is_ok());
        assert!(check_freshness(Some(now - hour * 3), Some(now - hour * 2), now).is_err());
        assert!(check_freshness(Some(now + hour * 2), None, now).is_err());
        assert!(check_freshness(Some(now - hour * 2), None, now).is_ok());
        assert!(check_freshness(Some(now - hour * 48), None, now).is_err());
        assert!(check_freshness(None, Some(now + hour), now).is_err());
    }
}
