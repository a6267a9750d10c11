//! Revocation checking of a trusted chain: for each certificate but the trust anchor, OCSP
//! first (the certificate's AIA responder), then CRLs (its distribution points), each looked
//! for in the cache, in the operator's local files and — in `online` mode only — on the
//! network. The claimed signing time is the reference (see [`judge`]).
//!
//! A certificate whose status cannot be obtained makes the signature INDETERMINATE
//! (`revocation_unknown`), never valid; a revoked one makes it INVALID
//! (`certificate_revoked`). Bounded: a few URLs per certificate, a short timeout and a size
//! cap per fetch, and a one-minute back-off for a URL that just failed.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use openssl::hash::MessageDigest;
use openssl::x509::{X509Ref, X509};

use super::report::SignatureReport;
use super::revocation_fetch::{self, Request, RevocationCache, RevocationError};
use super::revocation_report::{
    CertificateRevocation, CertificateStatus, EvidenceKind, EvidenceOrigin, RevocationEvidence,
    RevocationMode, RevocationReport, RevocationStatus,
};
use super::revocation_sources::{self as sources, Evaluated, Finding};

pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);
const MAX_OCSP_URLS: usize = 2;
const MAX_CRL_URLS: usize = 3;
/// Certificates checked per chain (bounded work; real chains have two or three).
const MAX_CHECKED: usize = 8;

/// How revocation is checked; cheap to clone (the cache is shared).
#[derive(Debug, Clone)]
pub struct RevocationOptions {
    pub mode: RevocationMode,
    /// Per HTTP exchange, connection included.
    pub timeout: Duration,
    pub cache: Arc<RevocationCache>,
}

impl Default for RevocationOptions {
    fn default() -> Self {
        Self {
            mode: RevocationMode::default(),
            timeout: DEFAULT_TIMEOUT,
            cache: Arc::new(RevocationCache::in_memory()),
        }
    }
}

impl RevocationOptions {
    pub fn off() -> Self {
        Self {
            mode: RevocationMode::Off,
            ..Self::default()
        }
    }

    /// Options with a fresh cache (persisted under `cache_dir` when given) holding the
    /// operator's CRL and OCSP response files; a file that cannot be read or parsed is an
    /// error, so a misconfigured offline node fails at start rather than at each validation.
    pub fn load(
        mode: RevocationMode,
        timeout: Duration,
        cache_dir: Option<&Path>,
        crl_files: &[PathBuf],
        ocsp_files: &[PathBuf],
    ) -> Result<Self, RevocationError> {
        let mut cache = match cache_dir {
            Some(dir) => RevocationCache::with_dir(dir),
            None => RevocationCache::in_memory(),
        };
        for file in crl_files {
            cache.add_crl_file(file)?;
        }
        for file in ocsp_files {
            cache.add_ocsp_file(file)?;
        }
        Ok(Self {
            mode,
            timeout,
            cache: Arc::new(cache),
        })
    }
}

/// `chain` is the verified path signer → trust anchor; `now` is the validation time that
/// evidence must be fresh at.
pub(super) fn check(
    chain: &[X509],
    signing_time: DateTime<Utc>,
    now: DateTime<Utc>,
    options: &RevocationOptions,
    report: &mut SignatureReport,
) {
    let mut outcome = RevocationReport {
        mode: options.mode,
        status: RevocationStatus::NotChecked,
        certificates: Vec::new(),
    };
    if options.mode == RevocationMode::Off {
        report.revocation = outcome;
        return;
    }
    for pair in chain.windows(2).take(MAX_CHECKED) {
        let lookup = Lookup {
            subject: &pair[0],
            issuer: &pair[1],
            now,
            options,
            attempts: Vec::new(),
        };
        outcome
            .certificates
            .push(lookup.run(signing_time, options.mode));
    }
    let any = |status| outcome.certificates.iter().any(|c| c.status == status);
    outcome.status = if any(CertificateStatus::Revoked) {
        RevocationStatus::Revoked
    } else if any(CertificateStatus::Unknown) {
        RevocationStatus::Unknown
    } else {
        RevocationStatus::Good
    };
    for certificate in &outcome.certificates {
        add_problem(certificate, signing_time, options.mode, report);
    }
    report.revocation = outcome;
}

fn add_problem(
    certificate: &CertificateRevocation,
    signing_time: DateTime<Utc>,
    mode: RevocationMode,
    report: &mut SignatureReport,
) {
    let who = format!("{} (serial {})", certificate.subject, certificate.serial);
    match certificate.status {
        CertificateStatus::Revoked => {
            let reason = certificate
                .reason
                .and_then(|r| serde_json::to_value(r).ok())
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_else(|| "none given".into());
            report.problem(
                "certificate_revoked",
                format!(
                    "{who} was revoked at {} (reason: {reason}); the claimed signing time is {}",
                    certificate.revoked_at.as_deref().unwrap_or("?"),
                    signing_time.to_rfc3339()
                ),
            );
        }
        CertificateStatus::Unknown => {
            let offline = if mode == RevocationMode::Offline {
                " (offline mode: nothing is fetched)"
            } else {
                ""
            };
            report.problem(
                "revocation_unknown",
                format!(
                    "the revocation status of {who} could not be determined{offline}: {}",
                    certificate.attempts.join("; ")
                ),
            );
        }
        _ => {}
    }
}

/// A revoked certificate still vouches for a signature made before its revocation — unless
/// the reason is a compromise, since whoever held the key could have claimed any `/M`.
fn judge(finding: &Finding, signing_time: DateTime<Utc>) -> CertificateStatus {
    match finding {
        Finding::Good => CertificateStatus::Good,
        Finding::Revoked { at, reason } => {
            if reason.is_some_and(|r| r.is_compromise()) || *at <= signing_time {
                CertificateStatus::Revoked
            } else {
                CertificateStatus::RevokedAfterSigning
            }
        }
        Finding::Unknown => CertificateStatus::Unknown,
    }
}

struct Decision {
    evaluated: Evaluated,
    evidence: RevocationEvidence,
}

struct Lookup<'a> {
    subject: &'a X509Ref,
    issuer: &'a X509Ref,
    now: DateTime<Utc>,
    options: &'a RevocationOptions,
    attempts: Vec<String>,
}

impl<'a> Lookup<'a> {
    fn run(mut self, signing_time: DateTime<Utc>, mode: RevocationMode) -> CertificateRevocation {
        let ocsp = ocsp_urls(self.subject);
        let crl = crl_urls(self.subject);
        let (local_ocsp, local_crl) = self.local_candidates();
        let mut decision = self
            .ask_cache(&ocsp, &crl)
            .or_else(|| self.ask_local_files(&local_ocsp, &local_crl));
        if decision.is_none() && mode == RevocationMode::Online {
            decision = self.ask_network(&ocsp, &crl);
        }
        let no_source =
            ocsp.is_empty() && crl.is_empty() && local_ocsp.is_empty() && local_crl.is_empty();
        let mut result = CertificateRevocation {
            subject: crate::signing::demo_pki::name_to_string(self.subject.subject_name()),
            serial: serial_hex(self.subject),
            status: if no_source {
                CertificateStatus::NoSource
            } else {
                CertificateStatus::Unknown
            },
            revoked_at: None,
            reason: None,
            evidence: None,
            attempts: Vec::new(),
        };
        if let Some(decision) = decision {
            result.status = judge(&decision.evaluated.finding, signing_time);
            if let Finding::Revoked { at, reason } = decision.evaluated.finding {
                result.revoked_at = Some(at.to_rfc3339());
                result.reason = reason;
            }
            result.evidence = Some(decision.evidence);
        } else if mode == RevocationMode::Offline && !no_source {
            for url in ocsp.iter().chain(&crl) {
                self.attempts.push(format!("{url}: not in the cache"));
            }
        }
        result.attempts = self.attempts;
        result
    }

    /// Local files about this certificate: OCSP responses that carry its status, CRLs of its
    /// issuer.
    fn local_candidates(&self) -> (Vec<&'a [u8]>, Vec<&'a [u8]>) {
        let options: &'a RevocationOptions = self.options;
        let (subject, issuer) = (self.subject, self.issuer);
        let cache: &'a RevocationCache = &options.cache;
        let ocsp = cache
            .local_ocsp
            .iter()
            .map(Vec::as_slice)
            .filter(|der| sources::ocsp_covers(der, subject, issuer))
            .collect();
        let crl = cache
            .local_crls
            .iter()
            .map(Vec::as_slice)
            .filter(|der| sources::crl_is_from(der, subject))
            .collect();
        (ocsp, crl)
    }

    fn ocsp_key(&self, url: &str) -> String {
        let issuer = self
            .issuer
            .digest(MessageDigest::sha256())
            .map(|d| hex::encode(&*d))
            .unwrap_or_default();
        format!("ocsp {url} {issuer} {}", serial_hex(self.subject))
    }

    fn ask_cache(&mut self, ocsp: &[String], crl: &[String]) -> Option<Decision> {
        let cache = self.options.cache.clone();
        for url in ocsp {
            if let Some(der) = cache.get(&self.ocsp_key(url), self.now) {
                let found =
                    self.try_evidence(EvidenceKind::Ocsp, EvidenceOrigin::Cache, Some(url), &der);
                if found.is_some() {
                    return found;
                }
            }
        }
        for url in crl {
            if let Some(der) = cache.get(&format!("crl {url}"), self.now) {
                let found =
                    self.try_evidence(EvidenceKind::Crl, EvidenceOrigin::Cache, Some(url), &der);
                if found.is_some() {
                    return found;
                }
            }
        }
        None
    }

    fn ask_local_files(&mut self, ocsp: &[&[u8]], crl: &[&[u8]]) -> Option<Decision> {
        let candidates = ocsp
            .iter()
            .map(|der| (EvidenceKind::Ocsp, *der))
            .chain(crl.iter().map(|der| (EvidenceKind::Crl, *der)));
        for (kind, der) in candidates {
            let found = self.try_evidence(kind, EvidenceOrigin::LocalFile, None, der);
            if found.is_some() {
                return found;
            }
        }
        None
    }

    fn ask_network(&mut self, ocsp: &[String], crl: &[String]) -> Option<Decision> {
        let options = self.options;
        if !ocsp.is_empty() {
            match sources::ocsp_request(self.subject, self.issuer) {
                Ok(request) => {
                    for url in ocsp {
                        let key = self.ocsp_key(url);
                        let fetched = revocation_fetch::fetch(
                            &options.cache,
                            url,
                            Request::Ocsp(&request),
                            options.timeout,
                            self.now,
                        );
                        if let Some(found) = self.fetched(EvidenceKind::Ocsp, url, &key, fetched) {
                            return Some(found);
                        }
                    }
                }
                Err(error) => self.attempts.push(error),
            }
        }
        for url in crl {
            let key = format!("crl {url}");
            let fetched = revocation_fetch::fetch(
                &options.cache,
                url,
                Request::Crl,
                options.timeout,
                self.now,
            );
            if let Some(found) = self.fetched(EvidenceKind::Crl, url, &key, fetched) {
                return Some(found);
            }
        }
        None
    }

    fn fetched(
        &mut self,
        kind: EvidenceKind,
        url: &str,
        key: &str,
        fetched: Result<Vec<u8>, String>,
    ) -> Option<Decision> {
        let der = match fetched {
            Ok(der) => der,
            Err(error) => {
                self.attempts
                    .push(format!("{} {url}: {error}", label(kind)));
                return None;
            }
        };
        let found = self.try_evidence(kind, EvidenceOrigin::Network, Some(url), &der)?;
        // Only evidence that verified and decided is kept.
        self.options
            .cache
            .put(key, der, found.evaluated.expires(), self.now);
        Some(found)
    }

    /// Evidence that verifies and decides (good or revoked), or `None` with the reason noted.
    fn try_evidence(
        &mut self,
        kind: EvidenceKind,
        origin: EvidenceOrigin,
        url: Option<&str>,
        der: &[u8],
    ) -> Option<Decision> {
        let evaluated = match kind {
            EvidenceKind::Ocsp => sources::evaluate_ocsp(der, self.subject, self.issuer, self.now),
            EvidenceKind::Crl => sources::evaluate_crl(der, self.subject, self.issuer, self.now),
        };
        let from = match (origin, url) {
            (EvidenceOrigin::LocalFile, _) | (_, None) => format!("local {} file", label(kind)),
            (EvidenceOrigin::Cache, Some(url)) => format!("cached {} {url}", label(kind)),
            (EvidenceOrigin::Network, Some(url)) => format!("{} {url}", label(kind)),
        };
        match evaluated {
            Ok(evaluated) if evaluated.finding == Finding::Unknown => {
                self.attempts.push(format!(
                    "{from}: the responder does not know the certificate"
                ));
                None
            }
            Ok(evaluated) => Some(Decision {
                evidence: RevocationEvidence {
                    kind,
                    origin,
                    url: url.map(str::to_owned),
                    this_update: Some(evaluated.this_update.to_rfc3339()),
                    next_update: evaluated.next_update.map(|t| t.to_rfc3339()),
                    produced_at: evaluated.produced_at.map(|t| t.to_rfc3339()),
                },
                evaluated,
            }),
            Err(error) => {
                self.attempts.push(format!("{from}: {error}"));
                None
            }
        }
    }
}

fn label(kind: EvidenceKind) -> &'static str {
    match kind {
        EvidenceKind::Ocsp => "OCSP",
        EvidenceKind::Crl => "CRL",
    }
}

fn serial_hex(certificate: &X509Ref) -> String {
    certificate
        .serial_number()
        .to_bn()
        .and_then(|bn| bn.to_hex_str().map(|s| s.to_string()))
        .unwrap_or_default()
}

fn ocsp_urls(certificate: &X509Ref) -> Vec<String> {
    certificate
        .ocsp_responders()
        .map(|urls| urls.iter().map(|u| u.to_string()).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .take(MAX_OCSP_URLS)
        .collect()
}

/// The URIs of the distribution points' full names (LDAP and others are skipped at fetch).
fn crl_urls(certificate: &X509Ref) -> Vec<String> {
    let Some(points) = certificate.crl_distribution_points() else {
        return Vec::new();
    };
    points
        .iter()
        .filter_map(|point| point.distpoint()?.fullname())
        .flat_map(|names| names.iter().filter_map(|n| n.uri().map(str::to_owned)))
        .take(MAX_CRL_URLS)
        .collect()
}
