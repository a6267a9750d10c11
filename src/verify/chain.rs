//! Trust anchors and the signer's certificate: path to a root (OpenSSL's X509StoreContext,
//! purpose "any": S/MIME purpose would reject document-signing-only certificates), validity
//! at the claimed signing time, and key usage. The verified path goes on to revocation
//! checking (`revocation.rs`).

use std::path::Path;

use chrono::{DateTime, Utc};
use openssl::asn1::Asn1Time;
use openssl::stack::Stack;
use openssl::x509::store::X509StoreBuilder;
use openssl::x509::verify::X509VerifyFlags;
use openssl::x509::{X509KeyUsage, X509PurposeId, X509Ref, X509StoreContext, X509};

use super::report::SignatureReport;
use super::VerifyError;

/// Most certificates a chain may pull from the CMS and the options (bounded work).
const MAX_UNTRUSTED: usize = 64;

/// The roots a signer must chain to, and intermediates that help build the path.
#[derive(Clone, Default)]
pub struct TrustAnchors {
    pub roots: Vec<X509>,
    pub intermediates: Vec<X509>,
}

impl std::fmt::Debug for TrustAnchors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TrustAnchors")
            .field("roots", &self.roots.len())
            .field("intermediates", &self.intermediates.len())
            .finish()
    }
}

impl TrustAnchors {
    /// Reads every PEM certificate of every file. Self-signed certificates become roots;
    /// the others intermediates (so `chain.pem`, intermediate + root, works as is).
    pub fn from_pem_files(paths: &[&Path]) -> Result<Self, VerifyError> {
        let mut anchors = Self::default();
        for path in paths {
            let pem = std::fs::read(path).map_err(|source| VerifyError::Io {
                path: path.display().to_string(),
                source,
            })?;
            let certificates =
                X509::stack_from_pem(&pem).map_err(|e| VerifyError::Certificate {
                    path: path.display().to_string(),
                    reason: e.to_string(),
                })?;
            if certificates.is_empty() {
                return Err(VerifyError::Certificate {
                    path: path.display().to_string(),
                    reason: "no PEM certificate in the file".into(),
                });
            }
            for certificate in certificates {
                if is_self_signed(&certificate) {
                    anchors.roots.push(certificate);
                } else {
                    anchors.intermediates.push(certificate);
                }
            }
        }
        Ok(anchors)
    }
}

fn is_self_signed(certificate: &X509Ref) -> bool {
    let same_name = matches!(
        certificate
            .subject_name()
            .try_cmp(certificate.issuer_name()),
        Ok(std::cmp::Ordering::Equal)
    );
    same_name
        && certificate
            .public_key()
            .and_then(|key| certificate.verify(&key))
            .unwrap_or(false)
}

/// Fills `trusted`, `certificate_valid_at_signing_time` and `key_usage_ok`; returns the
/// verified path signer → anchor when there is one.
pub(super) fn check(
    signer: &X509Ref,
    embedded: &[X509],
    anchors: &TrustAnchors,
    signing_time: DateTime<Utc>,
    report: &mut SignatureReport,
) -> Option<Vec<X509>> {
    let (chain, trusted) = match build_chain(signer, embedded, anchors) {
        Ok(chain) => {
            report.trusted = true;
            (chain, true)
        }
        Err(reason) => {
            report.problem(
                "untrusted_chain",
                format!("the signer does not chain to a trust anchor: {reason}"),
            );
            // Time is still judged on the signer's own certificate.
            (vec![signer.to_owned()], false)
        }
    };
    check_validity(&chain, signing_time, report);
    check_key_usage(signer, report);
    trusted.then_some(chain)
}

/// The verified path signer → root, with the time check left to [`check_validity`] so
/// trust and time are reported apart.
fn build_chain(
    signer: &X509Ref,
    embedded: &[X509],
    anchors: &TrustAnchors,
) -> Result<Vec<X509>, String> {
    if anchors.roots.is_empty() {
        return Err("no trust anchor is configured".into());
    }
    let error = |e: openssl::error::ErrorStack| e.to_string();
    let mut store = X509StoreBuilder::new().map_err(error)?;
    for root in &anchors.roots {
        store.add_cert(root.clone()).map_err(error)?;
    }
    store
        .set_flags(X509VerifyFlags::NO_CHECK_TIME)
        .map_err(error)?;
    store.set_purpose(X509PurposeId::ANY).map_err(error)?;
    let store = store.build();
    let mut untrusted = Stack::new().map_err(error)?;
    for certificate in embedded
        .iter()
        .chain(&anchors.intermediates)
        .take(MAX_UNTRUSTED)
    {
        untrusted.push(certificate.clone()).map_err(error)?;
    }
    let mut context = X509StoreContext::new().map_err(error)?;
    context
        .init(&store, signer, &untrusted, |ctx| {
            let ok = ctx.verify_cert()?;
            let chain = ctx
                .chain()
                .map(|chain| chain.iter().map(|c| c.to_owned()).collect::<Vec<_>>())
                .unwrap_or_default();
            Ok((ok, ctx.error().error_string().to_string(), chain))
        })
        .map_err(error)
        .and_then(|(ok, reason, chain)| if ok { Ok(chain) } else { Err(reason) })
}

fn check_validity(chain: &[X509], signing_time: DateTime<Utc>, report: &mut SignatureReport) {
    let Ok(at) = Asn1Time::from_unix(signing_time.timestamp()) else {
        report.problem(
            "certificate_expired",
            "the signing time cannot be represented",
        );
        return;
    };
    let mut valid = true;
    for certificate in chain {
        let subject = crate::signing::demo_pki::name_to_string(certificate.subject_name());
        let before = certificate
            .not_before()
            .compare(&at)
            .map(|o| o.is_le())
            .unwrap_or(false);
        let after = certificate
            .not_after()
            .compare(&at)
            .map(|o| o.is_ge())
            .unwrap_or(false);
        if !before {
            valid = false;
            report.problem(
                "certificate_not_yet_valid",
                format!(
                    "{subject} was not yet valid at the claimed signing time {}",
                    signing_time.to_rfc3339()
                ),
            );
        }
        if !after {
            valid = false;
            report.problem(
                "certificate_expired",
                format!(
                    "{subject} had expired at the claimed signing time {}",
                    signing_time.to_rfc3339()
                ),
            );
        }
    }
    report.certificate_valid_at_signing_time = valid;
}

/// RFC 5280: no key-usage extension means any usage.
fn check_key_usage(signer: &X509Ref, report: &mut SignatureReport) {
    let ok = match signer.key_usage() {
        None => true,
        Some(usage) => {
            usage.intersects(X509KeyUsage::DIGITAL_SIGNATURE | X509KeyUsage::NON_REPUDIATION)
        }
    };
    report.key_usage_ok = ok;
    if !ok {
        report.problem(
            "key_usage",
            "the signer certificate allows neither digitalSignature nor nonRepudiation",
        );
    }
}
