//! Signer certificates that must fail: wrong key usage, expired at the signing time; and a
//! signature dictionary rewritten after signing.

use chrono::{FixedOffset, Utc};
use lopdf::{Document, IncrementalDocument};
use openssl::asn1::Asn1Time;
use openssl::bn::BigNum;
use openssl::hash::MessageDigest;
use openssl::pkey::{PKey, Private};
use openssl::rsa::Rsa;
use openssl::x509::extension::{BasicConstraints, KeyUsage};
use openssl::x509::{X509Builder, X509NameBuilder, X509};

use super::tests::{codes, find_from, fixture, signature, verify, PERSONAL};
use super::*;
use crate::signing::engine::{self, LayoutOverride, SigningKey};
use crate::signing::images;

fn key() -> PKey<Private> {
    PKey::from_rsa(Rsa::generate(2048).unwrap()).unwrap()
}

fn certificate(
    cn: &str,
    serial: u32,
    key: &PKey<Private>,
    issuer: Option<(&X509, &PKey<Private>)>,
    days: (i64, i64),
    usage: KeyUsage,
) -> X509 {
    let mut name = X509NameBuilder::new().unwrap();
    name.append_entry_by_text("CN", cn).unwrap();
    let name = name.build();
    let mut builder = X509Builder::new().unwrap();
    builder.set_version(2).unwrap();
    builder
        .set_serial_number(&BigNum::from_u32(serial).unwrap().to_asn1_integer().unwrap())
        .unwrap();
    builder.set_subject_name(&name).unwrap();
    builder
        .set_issuer_name(issuer.map_or(&name, |(ca, _)| ca.subject_name()))
        .unwrap();
    builder.set_pubkey(key).unwrap();
    let now = Utc::now().timestamp();
    builder
        .set_not_before(&Asn1Time::from_unix(now + days.0 * 86_400).unwrap())
        .unwrap();
    builder
        .set_not_after(&Asn1Time::from_unix(now + days.1 * 86_400).unwrap())
        .unwrap();
    let mut usage = usage;
    builder
        .append_extension(usage.critical().build().unwrap())
        .unwrap();
    if issuer.is_none() {
        builder
            .append_extension(BasicConstraints::new().critical().ca().build().unwrap())
            .unwrap();
    }
    builder
        .sign(issuer.map_or(key, |(_, k)| k), MessageDigest::sha256())
        .unwrap();
    builder.build()
}

/// Layer 1 signed by a leaf of a throwaway root, verified against that root.
fn signed_by(days: (i64, i64), usage: KeyUsage) -> (PdfReport, X509) {
    let root_key = key();
    let mut ca_usage = KeyUsage::new();
    ca_usage.key_cert_sign().crl_sign();
    let root = certificate("Test Root", 1, &root_key, None, (-30, 30), ca_usage);
    let leaf_key = key();
    let leaf = certificate(
        "Test Signer",
        2,
        &leaf_key,
        Some((&root, &root_key)),
        days,
        usage,
    );
    let signer = SigningKey {
        key: leaf_key,
        certificate: leaf,
        chain: vec![root.clone()],
    };
    let input = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/pdf/quyet-dinh.pdf"
    ))
    .unwrap();
    let now = Utc::now().with_timezone(&FixedOffset::east_opt(7 * 3600).unwrap());
    let png = images::demo_signature_png("Test").unwrap();
    let signed = engine::sign_personal(
        input.as_slice(),
        &signer,
        &png,
        &LayoutOverride::default(),
        now,
        "test",
    )
    .unwrap();
    let options = VerifyOptions {
        trust: TrustAnchors {
            roots: vec![root.clone()],
            intermediates: Vec::new(),
        },
        at: None,
        ..Default::default()
    };
    (verify_pdf(&signed, &options).unwrap(), root)
}

#[test]
fn a_signer_without_a_signing_key_usage_is_rejected() {
    let mut usage = KeyUsage::new();
    usage.key_encipherment();
    let (report, _) = signed_by((-1, 30), usage);
    let personal = signature(&report, PERSONAL);
    assert!(
        personal.trusted && personal.integrity && !personal.key_usage_ok && !personal.valid,
        "{personal:#?}"
    );
    assert_eq!(codes(personal), ["key_usage"]);
}

#[test]
fn a_signer_expired_at_the_signing_time_is_rejected() {
    let mut usage = KeyUsage::new();
    usage.non_repudiation();
    let (report, _) = signed_by((-10, -1), usage);
    let personal = signature(&report, PERSONAL);
    assert!(
        personal.trusted && personal.key_usage_ok && !personal.certificate_valid_at_signing_time,
        "{personal:#?}"
    );
    assert_eq!(codes(personal), ["certificate_expired"]);
    let mut usage = KeyUsage::new();
    usage.digital_signature();
    let (report, _) = signed_by((-1, 30), usage);
    assert!(report.valid, "the control passes: {report:#?}");
}

/// A later revision rewrites layer 1's signature dictionary (a new /Reason, same
/// /Contents and /ByteRange): the spoofed dictionary is reported, and the gap no longer
/// lies inside the dictionary the document now shows.
#[test]
fn a_rewritten_signature_dictionary_is_reported() {
    let layer2 = &fixture().layer2;
    let previous = Document::load_mem(layer2).unwrap();
    let field = fields::fields(&previous)
        .into_iter()
        .find(|f| f.name == PERSONAL)
        .unwrap();
    let value = field.value.unwrap().as_reference().unwrap();
    let mut doc = IncrementalDocument::create_from(layer2.clone(), previous);
    doc.opt_clone_object_to_new_document(value).unwrap();
    doc.new_document
        .get_dictionary_mut(value)
        .unwrap()
        .set("Reason", lopdf::Object::string_literal("Forged reason"));
    let mut attacked = Vec::new();
    doc.save_to(&mut attacked).unwrap();
    let _ = find_from(&attacked, b"Forged reason", layer2.len());
    let report = verify(&attacked);
    let personal = signature(&report, PERSONAL);
    let found = codes(personal);
    for code in [
        "signature_dictionary_changed",
        "contents_not_in_gap",
        "modified_after_signing",
    ] {
        assert!(found.contains(&code), "{code}: {personal:#?}");
    }
    assert!(personal.integrity && !personal.valid);
}
