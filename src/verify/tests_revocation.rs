//! Revocation checking against real parts on loopback: an `openssl ocsp` responder process
//! and CRLs over HTTP, for PDFs signed by our engine two days ago.

use std::collections::HashMap;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use openssl::pkey::{PKey, Private};
use openssl::x509::X509;

use super::tests::{codes, signature, PERSONAL};
use super::tests_revocation_pki::*;
use super::*;
use crate::signing::engine::SigningKey;

const GOOD: u32 = 0x1001;
const REVOKED_BEFORE: u32 = 0x1002;
const REVOKED_AFTER: u32 = 0x1003;
const COMPROMISED_AFTER: u32 = 0x1004;

/// Where a signer certificate's AIA points.
#[derive(Clone, Copy)]
enum Ocsp {
    Live,
    None,
}

struct Setup {
    dir: tempfile::TempDir,
    root: X509,
    intermediate: X509,
    intermediate_key: PKey<Private>,
    signer_key: PKey<Private>,
    ocsp_port: u16,
    http_port: u16,
    signed_at: DateTime<Utc>,
    http: Option<FileServer>,
    responder: Option<Responder>,
}

impl Setup {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let http_port = listener.local_addr().unwrap().port();
        let ocsp_port = free_port();
        let crl_url = |name: &str| format!("http://127.0.0.1:{http_port}/{name}");
        let (root_key, intermediate_key, responder_key) = (key(), key(), key());
        let ca = Profile {
            ca: true,
            ..Profile::default()
        };
        let root = certificate("Revocation Test Root", 1, &root_key, None, ca);
        let root_crl_url = crl_url("root.crl");
        let intermediate = certificate(
            "Revocation Test CA",
            2,
            &intermediate_key,
            Some((&root, &root_key)),
            Profile {
                ca: true,
                crl_url: Some(&root_crl_url),
                ..Profile::default()
            },
        );
        let responder = certificate(
            "Revocation Test OCSP Responder",
            3,
            &responder_key,
            Some((&intermediate, &intermediate_key)),
            Profile {
                ocsp_signing: true,
                ..Profile::default()
            },
        );
        let path = dir.path();
        write_pem(path, "intermediate.pem", &intermediate.to_pem().unwrap());
        write_pem(path, "responder.pem", &responder.to_pem().unwrap());
        write_pem(
            path,
            "responder.key",
            &responder_key.private_key_to_pem_pkcs8().unwrap(),
        );
        let now = Utc::now().timestamp();
        let index: String = [
            index_line(GOOD, None),
            index_line(REVOKED_BEFORE, Some((now - 3 * DAY, "superseded"))),
            index_line(REVOKED_AFTER, Some((now - DAY, "superseded"))),
            index_line(COMPROMISED_AFTER, Some((now - DAY, "keyCompromise"))),
        ]
        .concat();
        std::fs::write(path.join("index.txt"), index).unwrap();
        let root_crl = crl(&root, &root_key, &[]);
        let intermediate_crl = crl(
            &intermediate,
            &intermediate_key,
            &[
                (REVOKED_BEFORE, now - 3 * DAY),
                (REVOKED_AFTER, now - DAY),
                (COMPROMISED_AFTER, now - DAY),
            ],
        );
        std::fs::write(path.join("root.crl"), &root_crl).unwrap();
        std::fs::write(path.join("intermediate.crl"), &intermediate_crl).unwrap();
        let files = HashMap::from([
            ("root.crl".to_owned(), root_crl),
            ("intermediate.crl".to_owned(), intermediate_crl),
        ]);
        let http = FileServer::start(listener, files);
        let responder = Responder::start(path, ocsp_port);
        Self {
            root,
            intermediate,
            intermediate_key,
            signer_key: key(),
            ocsp_port,
            http_port,
            signed_at: Utc::now() - chrono::Duration::days(2),
            http: Some(http),
            responder: Some(responder),
            dir,
        }
    }

    fn signer(&self, serial: u32, ocsp: Ocsp, with_crl: bool) -> SigningKey {
        let ocsp_url = format!("http://127.0.0.1:{}", self.ocsp_port);
        let crl_url = format!("http://127.0.0.1:{}/intermediate.crl", self.http_port);
        let certificate = certificate(
            &format!("Signer {serial}"),
            serial,
            &self.signer_key,
            Some((&self.intermediate, &self.intermediate_key)),
            Profile {
                ocsp_url: matches!(ocsp, Ocsp::Live).then_some(ocsp_url.as_str()),
                crl_url: with_crl.then_some(crl_url.as_str()),
                ..Profile::default()
            },
        );
        SigningKey {
            key: self.signer_key.clone(),
            certificate,
            chain: vec![self.intermediate.clone(), self.root.clone()],
        }
    }

    fn pdf(&self, serial: u32, ocsp: Ocsp, with_crl: bool) -> Vec<u8> {
        signed_pdf(&self.signer(serial, ocsp, with_crl), self.signed_at)
    }

    fn options(&self, revocation: RevocationOptions) -> VerifyOptions {
        VerifyOptions {
            trust: TrustAnchors {
                roots: vec![self.root.clone()],
                intermediates: Vec::new(),
            },
            at: None,
            revocation,
        }
    }

    fn http_requests(&self) -> usize {
        self.http
            .as_ref()
            .map_or(0, |h| h.requests.load(Ordering::SeqCst))
    }

    fn file(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

/// The signer's and the intermediate's outcomes.
fn outcomes(signature: &SignatureReport) -> (&CertificateRevocation, &CertificateRevocation) {
    let certificates = &signature.revocation.certificates;
    assert_eq!(certificates.len(), 2, "{signature:#?}");
    (&certificates[0], &certificates[1])
}

fn evidence(outcome: &CertificateRevocation) -> (EvidenceKind, EvidenceOrigin) {
    let evidence = outcome.evidence.as_ref().expect("decided by evidence");
    (evidence.kind, evidence.origin)
}

#[test]
fn a_good_signer_is_decided_by_ocsp_then_reused_from_the_cache_offline() {
    if !openssl_available() {
        return;
    }
    let mut setup = Setup::new();
    let pdf = setup.pdf(GOOD, Ocsp::Live, true);
    let cache_dir = setup.file("cache");
    let cache = Arc::new(RevocationCache::with_dir(&cache_dir));
    let report = verify_pdf(&pdf, &setup.options(online(cache.clone()))).unwrap();
    let personal = signature(&report, PERSONAL);
    assert!(report.valid, "{personal:#?}");
    assert_eq!(report.indication, Indication::Valid);
    assert_eq!(personal.revocation.status, RevocationStatus::Good);
    let (signer, intermediate) = outcomes(personal);
    assert_eq!(signer.status, CertificateStatus::Good);
    assert_eq!(
        evidence(signer),
        (EvidenceKind::Ocsp, EvidenceOrigin::Network)
    );
    let ocsp = signer.evidence.as_ref().unwrap();
    assert_eq!(
        ocsp.url.as_deref(),
        Some(format!("http://127.0.0.1:{}", setup.ocsp_port).as_str())
    );
    assert!(
        ocsp.this_update.is_some() && ocsp.next_update.is_some() && ocsp.produced_at.is_some(),
        "-nmin 60: {ocsp:#?}"
    );
    assert_eq!(
        evidence(intermediate),
        (EvidenceKind::Crl, EvidenceOrigin::Network)
    );
    assert_eq!(setup.http_requests(), 1, "root.crl once");

    // No network from here on: the responder process and the CRL server are gone.
    setup.responder = None;
    setup.http = None;
    let report = verify_pdf(&pdf, &setup.options(offline(cache))).unwrap();
    let (signer, intermediate) = outcomes(signature(&report, PERSONAL));
    assert!(report.valid, "{report:#?}");
    assert_eq!(
        evidence(signer),
        (EvidenceKind::Ocsp, EvidenceOrigin::Cache)
    );
    assert_eq!(
        evidence(intermediate),
        (EvidenceKind::Crl, EvidenceOrigin::Cache)
    );

    // A restarted node reads the cache directory.
    let restarted = Arc::new(RevocationCache::with_dir(&cache_dir));
    let report = verify_pdf(&pdf, &setup.options(offline(restarted))).unwrap();
    assert!(report.valid, "{report:#?}");
    let (signer, _) = outcomes(signature(&report, PERSONAL));
    assert_eq!(
        evidence(signer),
        (EvidenceKind::Ocsp, EvidenceOrigin::Cache)
    );
}

#[test]
fn revoked_before_the_signing_time_is_invalid_and_after_it_depends_on_the_reason() {
    if !openssl_available() {
        return;
    }
    let setup = Setup::new();
    let cache = fresh();
    let verify = |serial| {
        let pdf = setup.pdf(serial, Ocsp::Live, true);
        verify_pdf(&pdf, &setup.options(online(cache.clone()))).unwrap()
    };

    let report = verify(REVOKED_BEFORE);
    let personal = signature(&report, PERSONAL);
    assert_eq!(codes(personal), ["certificate_revoked"], "{personal:#?}");
    assert_eq!(personal.indication, Indication::Invalid);
    assert_eq!(report.indication, Indication::Invalid);
    assert_eq!(personal.revocation.status, RevocationStatus::Revoked);
    let (signer, _) = outcomes(personal);
    assert_eq!(signer.status, CertificateStatus::Revoked);
    assert_eq!(signer.reason, Some(RevocationReason::Superseded));
    assert!(signer.revoked_at.is_some());
    assert_eq!(evidence(signer).0, EvidenceKind::Ocsp);

    let report = verify(REVOKED_AFTER);
    let personal = signature(&report, PERSONAL);
    assert!(report.valid, "superseded after signing: {personal:#?}");
    let (signer, _) = outcomes(personal);
    assert_eq!(signer.status, CertificateStatus::RevokedAfterSigning);
    assert_eq!(signer.reason, Some(RevocationReason::Superseded));

    let report = verify(COMPROMISED_AFTER);
    let personal = signature(&report, PERSONAL);
    assert_eq!(codes(personal), ["certificate_revoked"], "{personal:#?}");
    let (signer, _) = outcomes(personal);
    assert_eq!(signer.reason, Some(RevocationReason::KeyCompromise));
}

#[test]
fn a_dead_responder_is_indeterminate_without_a_crl_and_falls_back_to_it_with_one() {
    if !openssl_available() {
        return;
    }
    let mut setup = Setup::new();
    setup.responder = None;
    let report = verify_pdf(
        &setup.pdf(GOOD, Ocsp::Live, false),
        &setup.options(online(fresh())),
    )
    .unwrap();
    let personal = signature(&report, PERSONAL);
    assert_eq!(codes(personal), ["revocation_unknown"], "{personal:#?}");
    assert_eq!(personal.indication, Indication::Indeterminate);
    assert!(!personal.valid && !report.valid);
    assert_eq!(report.indication, Indication::Indeterminate);
    let (signer, _) = outcomes(personal);
    assert_eq!(signer.status, CertificateStatus::Unknown);
    assert!(
        signer
            .attempts
            .iter()
            .any(|a| a.starts_with("OCSP http://127.0.0.1")),
        "{signer:#?}"
    );

    let cache = fresh();
    let report = verify_pdf(
        &setup.pdf(GOOD, Ocsp::Live, true),
        &setup.options(online(cache.clone())),
    )
    .unwrap();
    assert!(report.valid, "{report:#?}");
    let (signer, _) = outcomes(signature(&report, PERSONAL));
    assert_eq!(
        evidence(signer),
        (EvidenceKind::Crl, EvidenceOrigin::Network)
    );
    let report = verify_pdf(
        &setup.pdf(REVOKED_BEFORE, Ocsp::Live, true),
        &setup.options(online(cache)),
    )
    .unwrap();
    let personal = signature(&report, PERSONAL);
    assert_eq!(codes(personal), ["certificate_revoked"], "{personal:#?}");
    let (signer, _) = outcomes(personal);
    assert_eq!(evidence(signer), (EvidenceKind::Crl, EvidenceOrigin::Cache));
}

#[test]
fn offline_decides_from_local_crl_files_and_never_touches_the_network() {
    if !openssl_available() {
        return;
    }
    let mut setup = Setup::new();
    setup.responder = None;
    let crls = [setup.file("intermediate.crl"), setup.file("root.crl")];
    let options = RevocationOptions::load(
        RevocationMode::Offline,
        Duration::from_secs(3),
        None,
        &crls,
        &[],
    )
    .unwrap();
    let report = verify_pdf(
        &setup.pdf(GOOD, Ocsp::Live, true),
        &setup.options(options.clone()),
    )
    .unwrap();
    assert!(report.valid, "{report:#?}");
    let (signer, intermediate) = outcomes(signature(&report, PERSONAL));
    assert_eq!(
        evidence(signer),
        (EvidenceKind::Crl, EvidenceOrigin::LocalFile)
    );
    assert_eq!(
        evidence(intermediate),
        (EvidenceKind::Crl, EvidenceOrigin::LocalFile)
    );
    let report = verify_pdf(
        &setup.pdf(REVOKED_BEFORE, Ocsp::Live, true),
        &setup.options(options),
    )
    .unwrap();
    assert_eq!(codes(signature(&report, PERSONAL)), ["certificate_revoked"]);
    assert_eq!(setup.http_requests(), 0, "offline fetches nothing");
}

#[test]
fn offline_with_nothing_cached_is_indeterminate() {
    if !openssl_available() {
        return;
    }
    let setup = Setup::new();
    let report = verify_pdf(
        &setup.pdf(GOOD, Ocsp::Live, true),
        &setup.options(offline(fresh())),
    )
    .unwrap();
    let personal = signature(&report, PERSONAL);
    // One problem per certificate left undecided: the signer and the intermediate.
    assert_eq!(
        codes(personal),
        ["revocation_unknown", "revocation_unknown"],
        "{personal:#?}"
    );
    assert_eq!(report.indication, Indication::Indeterminate);
    assert!(personal.problems[0].message.contains("offline mode"));
    assert_eq!(setup.http_requests(), 0, "offline fetches nothing");
}

#[test]
fn mode_off_and_certificates_without_sources_are_reported_as_such() {
    if !openssl_available() {
        return;
    }
    let setup = Setup::new();
    let report = verify_pdf(
        &setup.pdf(REVOKED_BEFORE, Ocsp::Live, true),
        &setup.options(RevocationOptions::off()),
    )
    .unwrap();
    let personal = signature(&report, PERSONAL);
    assert!(report.valid, "off checks nothing: {personal:#?}");
    assert_eq!(personal.revocation.status, RevocationStatus::NotChecked);
    assert_eq!(personal.revocation.mode, RevocationMode::Off);

    let report = verify_pdf(
        &setup.pdf(GOOD, Ocsp::None, false),
        &setup.options(online(fresh())),
    )
    .unwrap();
    assert!(report.valid, "{report:#?}");
    let (signer, _) = outcomes(signature(&report, PERSONAL));
    assert_eq!(signer.status, CertificateStatus::NoSource);
}

#[test]
fn a_tampered_ocsp_response_is_not_accepted() {
    if !openssl_available() {
        return;
    }
    let setup = Setup::new();
    let signer = setup.signer(GOOD, Ocsp::Live, false);
    write_pem(
        setup.dir.path(),
        "signer.pem",
        &signer.certificate.to_pem().unwrap(),
    );
    let status = Command::new("openssl")
        .current_dir(setup.dir.path())
        .args([
            "ocsp",
            "-issuer",
            "intermediate.pem",
            "-cert",
            "signer.pem",
            "-no_nonce",
            "-noverify",
            "-respout",
            "good.der",
            "-url",
        ])
        .arg(format!("http://127.0.0.1:{}", setup.ocsp_port))
        .output()
        .unwrap();
    assert!(status.status.success(), "{status:?}");
    let good = std::fs::read(setup.file("good.der")).unwrap();
    std::fs::write(setup.file("tampered.der"), tamper(&good)).unwrap();
    let pdf = signed_pdf(&signer, setup.signed_at);
    let local = |response: &str| {
        let options = RevocationOptions::load(
            RevocationMode::Offline,
            Duration::from_secs(3),
            None,
            &[setup.file("root.crl")],
            &[setup.file(response)],
        )
        .unwrap();
        verify_pdf(&pdf, &setup.options(options)).unwrap()
    };

    let report = local("good.der");
    assert!(report.valid, "the control passes: {report:#?}");
    let (signer, _) = outcomes(signature(&report, PERSONAL));
    assert_eq!(
        evidence(signer),
        (EvidenceKind::Ocsp, EvidenceOrigin::LocalFile)
    );

    let report = local("tampered.der");
    let personal = signature(&report, PERSONAL);
    assert_eq!(codes(personal), ["revocation_unknown"], "{personal:#?}");
    let (signer, _) = outcomes(personal);
    assert!(
        signer
            .attempts
            .iter()
            .any(|a| a.contains("not signed by the issuer")),
        "{signer:#?}"
    );
}
