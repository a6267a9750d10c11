//! PAdES baseline B-B signature containers (SubFilter `ETSI.CAdES.detached`): the CMS
//! SignedData that goes into a PDF signature's /Contents. We write the DER ourselves because
//! OpenSSL's CMS API always adds a signing-time attribute, which PAdES forbids (the time
//! belongs in the signature dictionary's /M); OpenSSL only makes and checks raw signatures.
//!
//! Everything is synchronous and CPU-bound; callers run it through [`crate::blocking::run`].

use openssl::hash::MessageDigest;
use openssl::pkey::{Id, PKeyRef, Private};
use openssl::sign::{Signer, Verifier};
use openssl::x509::{X509Ref, X509};
use sha2::{Digest, Sha256};

use super::der::{self, Element, Reader};

const ID_SIGNED_DATA: &[u32] = &[1, 2, 840, 113_549, 1, 7, 2];
const ID_DATA: &[u32] = &[1, 2, 840, 113_549, 1, 7, 1];
const ID_CONTENT_TYPE: &[u32] = &[1, 2, 840, 113_549, 1, 9, 3];
const ID_MESSAGE_DIGEST: &[u32] = &[1, 2, 840, 113_549, 1, 9, 4];
const ID_SIGNING_TIME: &[u32] = &[1, 2, 840, 113_549, 1, 9, 5];
const ID_SIGNING_CERTIFICATE_V2: &[u32] = &[1, 2, 840, 113_549, 1, 9, 16, 2, 47];
const ID_SHA256: &[u32] = &[2, 16, 840, 1, 101, 3, 4, 2, 1];
const SHA256_WITH_RSA: &[u32] = &[1, 2, 840, 113_549, 1, 1, 11];
const ECDSA_WITH_SHA256: &[u32] = &[1, 2, 840, 10_045, 4, 3, 2];
/// GeneralName's directoryName: [4], explicit because Name is a CHOICE.
const DIRECTORY_NAME: u8 = 0xA4;
/// SignerIdentifier's subjectKeyIdentifier: [0] IMPLICIT OCTET STRING (primitive).
const SUBJECT_KEY_IDENTIFIER: u8 = 0x80;

#[derive(Debug, thiserror::Error)]
pub enum CmsError {
    #[error("openssl: {0}")]
    OpenSsl(#[from] openssl::error::ErrorStack),
    #[error("the signer's key type is not supported (only RSA and EC keys can sign)")]
    UnsupportedKey,
    #[error("the private key does not belong to the signer certificate")]
    KeyMismatch,
    #[error("the signature does not verify with the signer certificate's public key")]
    InvalidSignature,
    #[error("malformed CMS signature: {0}")]
    Malformed(&'static str),
    #[error("the CMS signature has {0} signers; exactly one is required")]
    SignerCount(usize),
    #[error("the CMS signature has no signed attributes")]
    MissingSignedAttributes,
    #[error("the CMS signature does not embed its signer's certificate")]
    SignerCertificateNotFound,
}

impl From<der::DerError> for CmsError {
    fn from(error: der::DerError) -> Self {
        CmsError::Malformed(error.0)
    }
}

/// The signature algorithm, always with SHA-256; fixed by the signer's public key type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureAlgorithm {
    RsaPkcs1Sha256,
    EcdsaSha256,
}

impl SignatureAlgorithm {
    /// RFC 4055 wants NULL parameters for sha256WithRSAEncryption; RFC 5758 forbids any
    /// for ecdsa-with-SHA256.
    fn identifier(self) -> Vec<u8> {
        match self {
            Self::RsaPkcs1Sha256 => der::sequence(&[&der::oid(SHA256_WITH_RSA), &der::null()]),
            Self::EcdsaSha256 => der::sequence(&[&der::oid(ECDSA_WITH_SHA256)]),
        }
    }
}

/// What [`parse_signed_data`] extracts from a signature made elsewhere.
#[derive(Debug, Clone)]
pub struct ParsedSignedData {
    /// The signed attributes re-tagged as a SET (0x31): the bytes the signature covers.
    pub signed_attributes_der: Vec<u8>,
    pub signature: Vec<u8>,
    /// The message-digest attribute's value, if present.
    pub message_digest: Option<Vec<u8>>,
    /// PAdES forbids a signing-time attribute; callers decide what to do with one.
    pub has_signing_time: bool,
    pub signer: X509,
    /// Every embedded X.509 certificate (other certificate choices are skipped), signer included.
    pub certificates: Vec<X509>,
}

pub fn algorithm_for(cert: &X509Ref) -> Result<SignatureAlgorithm, CmsError> {
    match cert.public_key()?.id() {
        Id::RSA => Ok(SignatureAlgorithm::RsaPkcs1Sha256),
        Id::EC => Ok(SignatureAlgorithm::EcdsaSha256),
        _ => Err(CmsError::UnsupportedKey),
    }
}

/// DER of the SignedAttributes as a SET (tag 0x31): what gets signed. content-type,
/// message-digest and signing-certificate-v2 (which PAdES B-B requires, binding the signer
/// certificate so it cannot be substituted); deliberately no signing-time.
pub fn signed_attributes(content_digest: &[u8; 32], signer: &X509Ref) -> Result<Vec<u8>, CmsError> {
    Ok(der::set_of(vec![
        attribute(ID_CONTENT_TYPE, der::oid(ID_DATA)),
        attribute(ID_MESSAGE_DIGEST, der::octet_string(content_digest)),
        attribute(ID_SIGNING_CERTIFICATE_V2, signing_certificate_v2(signer)?),
    ]))
}

fn attribute(kind: &[u32], value: Vec<u8>) -> Vec<u8> {
    der::sequence(&[&der::oid(kind), &der::set_of(vec![value])])
}

/// RFC 5035 SigningCertificateV2 with one ESSCertIDv2. hashAlgorithm is omitted: sha256 is
/// its DEFAULT, and DER forbids encoding a default value.
fn signing_certificate_v2(signer: &X509Ref) -> Result<Vec<u8>, CmsError> {
    let cert_hash = Sha256::digest(signer.to_der()?);
    let general_names =
        der::sequence(&[&der::tlv(DIRECTORY_NAME, &signer.issuer_name().to_der()?)]);
    let issuer_serial = der::sequence(&[&general_names, &serial_number(signer)?]);
    let ess_cert_id = der::sequence(&[&der::octet_string(&cert_hash), &issuer_serial]);
    Ok(der::sequence(&[&der::sequence(&[&ess_cert_id])]))
}

fn serial_number(cert: &X509Ref) -> Result<Vec<u8>, CmsError> {
    Ok(der::unsigned_integer(
        &cert.serial_number().to_bn()?.to_vec(),
    ))
}

/// ContentInfo(SignedData) around an existing signature over `signed_attributes_der`.
/// Detached: the PDF byte ranges are not embedded. Certificates are the signer plus `chain`,
/// each once, in the sorted order DER requires of a SET OF.
pub fn assemble(
    signed_attributes_der: &[u8],
    signature: &[u8],
    signer: &X509Ref,
    chain: &[X509],
    algorithm: SignatureAlgorithm,
) -> Result<Vec<u8>, CmsError> {
    let attributes = der::single(signed_attributes_der, der::SET)?;
    let version = der::unsigned_integer(&[1]);
    let sha256 = der::sequence(&[&der::oid(ID_SHA256)]);
    let issuer_and_serial =
        der::sequence(&[&signer.issuer_name().to_der()?, &serial_number(signer)?]);
    let signer_info = der::sequence(&[
        &version,
        &issuer_and_serial,
        &sha256,
        &der::tlv(der::CONTEXT_0, attributes.content),
        &algorithm.identifier(),
        &der::octet_string(signature),
    ]);
    let signed_data = der::sequence(&[
        &version,
        &der::set_of(vec![sha256.clone()]),
        &der::sequence(&[&der::oid(ID_DATA)]),
        &certificate_set(signer, chain)?,
        &der::set_of(vec![signer_info]),
    ]);
    Ok(der::sequence(&[
        &der::oid(ID_SIGNED_DATA),
        &der::tlv(der::CONTEXT_0, &signed_data),
    ]))
}

/// `certificates [0] IMPLICIT CertificateSet`, duplicates dropped.
fn certificate_set(signer: &X509Ref, chain: &[X509]) -> Result<Vec<u8>, CmsError> {
    let mut certificates = vec![signer.to_der()?];
    for cert in chain {
        let encoded = cert.to_der()?;
        if !certificates.contains(&encoded) {
            certificates.push(encoded);
        }
    }
    Ok(der::tagged_set_of(der::CONTEXT_0, certificates))
}

/// Signs with a key the server holds. Refuses a key that does not match `signer`, which
/// would otherwise produce a signature no validator accepts.
pub fn sign_detached(
    content_digest: &[u8; 32],
    key: &PKeyRef<Private>,
    signer: &X509Ref,
    chain: &[X509],
) -> Result<Vec<u8>, CmsError> {
    let algorithm = algorithm_for(signer)?;
    if !signer.public_key()?.public_eq(key) {
        return Err(CmsError::KeyMismatch);
    }
    let attributes = signed_attributes(content_digest, signer)?;
    let signature = raw_signature(&attributes, key)?;
    assemble(&attributes, &signature, signer, chain, algorithm)
}

/// SHA-256 then PKCS#1 v1.5 (OpenSSL's RSA default) or ECDSA as a DER ECDSA-Sig-Value.
fn raw_signature(message: &[u8], key: &PKeyRef<Private>) -> Result<Vec<u8>, CmsError> {
    let mut signer = Signer::new(MessageDigest::sha256(), key)?;
    Ok(signer.sign_oneshot_to_vec(message)?)
}

/// For signer-held keys: checks a signature returned by the signer's device before it is
/// embedded. OpenSSL reports some malformed signatures (e.g. a broken ECDSA-Sig-Value) as
/// errors rather than mismatches; both mean the signature is not valid.
pub fn verify_raw_signature(
    signed_attributes_der: &[u8],
    signature: &[u8],
    signer: &X509Ref,
) -> Result<(), CmsError> {
    algorithm_for(signer)?;
    let key = signer.public_key()?;
    let mut verifier = Verifier::new(MessageDigest::sha256(), &key)?;
    match verifier.verify_oneshot(signature, signed_attributes_der) {
        Ok(true) => Ok(()),
        _ => Err(CmsError::InvalidSignature),
    }
}

/// Reads a ContentInfo(SignedData) made elsewhere (a token's middleware). Strict DER, no
/// trailing bytes (trim a PDF /Contents' zero padding first), exactly one SignerInfo with
/// signed attributes, and the signer's certificate embedded. Checks no signature.
pub fn parse_signed_data(input: &[u8]) -> Result<ParsedSignedData, CmsError> {
    let content_info = der::single(input, der::SEQUENCE)?;
    let mut fields = content_info.reader();
    if fields.expect(der::OID)?.encoded != der::oid(ID_SIGNED_DATA) {
        return Err(CmsError::Malformed("content type is not signedData"));
    }
    let explicit = fields.expect(der::CONTEXT_0)?;
    fields.finish()?;

    let signed_data = der::single(explicit.content, der::SEQUENCE)?;
    let mut fields = signed_data.reader();
    fields.expect(der::INTEGER)?;
    fields.expect(der::SET)?;
    fields.expect(der::SEQUENCE)?;
    let certificates = match fields.optional(der::CONTEXT_0)? {
        Some(set) => parse_certificates(set.content)?,
        None => Vec::new(),
    };
    fields.optional(der::CONTEXT_1)?;
    let signer_infos = fields.expect(der::SET)?;
    fields.finish()?;
    parse_signer_info(only_element(signer_infos)?, certificates)
}

fn parse_certificates(content: &[u8]) -> Result<Vec<X509>, CmsError> {
    let mut reader = Reader::new(content);
    let mut certificates = Vec::new();
    while !reader.is_empty() {
        let element = reader.element()?;
        if element.tag == der::SEQUENCE {
            let parsed = super::certificate_cache::certificate_from_der(element.encoded);
            let unparsable = CmsError::Malformed("an embedded certificate cannot be parsed");
            certificates.push(parsed.map_err(|_| unparsable)?);
        }
    }
    Ok(certificates)
}

fn only_element(set: Element<'_>) -> Result<Element<'_>, CmsError> {
    let mut reader = set.reader();
    let mut elements = Vec::new();
    while !reader.is_empty() {
        elements.push(reader.expect(der::SEQUENCE)?);
    }
    match elements.as_slice() {
        [only] => Ok(*only),
        _ => Err(CmsError::SignerCount(elements.len())),
    }
}

fn parse_signer_info(
    signer_info: Element<'_>,
    certificates: Vec<X509>,
) -> Result<ParsedSignedData, CmsError> {
    let mut fields = signer_info.reader();
    fields.expect(der::INTEGER)?;
    let sid = fields.element()?;
    fields.expect(der::SEQUENCE)?;
    let attributes = fields
        .optional(der::CONTEXT_0)?
        .ok_or(CmsError::MissingSignedAttributes)?;
    fields.expect(der::SEQUENCE)?;
    let signature = fields.expect(der::OCTET_STRING)?;
    fields.optional(der::CONTEXT_1)?;
    fields.finish()?;

    let (message_digest, has_signing_time) = inspect_attributes(attributes.content)?;
    let signer = find_signer(sid, &certificates)?;
    Ok(ParsedSignedData {
        signed_attributes_der: der::tlv(der::SET, attributes.content),
        signature: signature.content.to_vec(),
        message_digest,
        has_signing_time,
        signer,
        certificates,
    })
}

/// The message-digest value (RFC 5652 allows only one) and whether signing-time is present.
fn inspect_attributes(content: &[u8]) -> Result<(Option<Vec<u8>>, bool), CmsError> {
    let (message_digest_oid, signing_time_oid) =
        (der::oid(ID_MESSAGE_DIGEST), der::oid(ID_SIGNING_TIME));
    let mut reader = Reader::new(content);
    let mut digest = None;
    let mut has_signing_time = false;
    while !reader.is_empty() {
        let mut fields = reader.expect(der::SEQUENCE)?.reader();
        let kind = fields.expect(der::OID)?;
        let values = fields.expect(der::SET)?;
        fields.finish()?;
        if kind.encoded == signing_time_oid {
            has_signing_time = true;
        } else if kind.encoded == message_digest_oid {
            if digest.is_some() {
                return Err(CmsError::Malformed(
                    "more than one message-digest attribute",
                ));
            }
            digest = Some(
                der::single(values.content, der::OCTET_STRING)?
                    .content
                    .to_vec(),
            );
        }
    }
    Ok((digest, has_signing_time))
}

/// The certificate `sid` names: IssuerAndSerialNumber or [0] SubjectKeyIdentifier.
fn find_signer(sid: Element<'_>, certificates: &[X509]) -> Result<X509, CmsError> {
    for cert in certificates {
        if identifies(sid, cert)? {
            return Ok(cert.clone());
        }
    }
    Err(CmsError::SignerCertificateNotFound)
}

fn identifies(sid: Element<'_>, cert: &X509Ref) -> Result<bool, CmsError> {
    match sid.tag {
        der::SEQUENCE => {
            let mut fields = sid.reader();
            let issuer = fields.expect(der::SEQUENCE)?;
            let serial = fields.expect(der::INTEGER)?;
            fields.finish()?;
            let magnitude = serial.content.iter().skip_while(|&&b| b == 0);
            Ok(issuer.encoded == cert.issuer_name().to_der()?.as_slice()
                && magnitude.eq(cert.serial_number().to_bn()?.to_vec().iter()))
        }
        SUBJECT_KEY_IDENTIFIER => {
            Ok(cert.subject_key_id().map(|id| id.as_slice()) == Some(sid.content))
        }
        _ => Err(CmsError::Malformed("unknown signer identifier")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use openssl::asn1::{Asn1Time, Asn1Type};
    use openssl::bn::BigNum;
    use openssl::cms::{CMSOptions, CmsContentInfo};
    use openssl::ec::{EcGroup, EcKey};
    use openssl::nid::Nid;
    use openssl::pkey::PKey;
    use openssl::rsa::Rsa;
    use openssl::stack::Stack;
    use openssl::x509::extension::{BasicConstraints, KeyUsage, SubjectKeyIdentifier};
    use openssl::x509::store::{X509Store, X509StoreBuilder};
    use openssl::x509::{X509Builder, X509NameBuilder};

    const DOCUMENT: &[u8] = b"%PDF-1.7 byte ranges of a document";

    struct Pki {
        root: X509,
        signer: X509,
        key: PKey<Private>,
    }

    fn rsa() -> PKey<Private> {
        PKey::from_rsa(Rsa::generate(2048).unwrap()).unwrap()
    }

    fn p256() -> PKey<Private> {
        let group = EcGroup::from_curve_name(Nid::X9_62_PRIME256V1).unwrap();
        PKey::from_ec_key(EcKey::generate(&group).unwrap()).unwrap()
    }

    fn builder(cn: &str, serial: u32, issuer: Option<&X509>, key: &PKey<Private>) -> X509Builder {
        let mut name = X509NameBuilder::new().unwrap();
        name.append_entry_by_text_with_type("C", "VN", Asn1Type::PRINTABLESTRING)
            .unwrap();
        name.append_entry_by_text_with_type("CN", cn, Asn1Type::UTF8STRING)
            .unwrap();
        let name = name.build();
        let mut builder = X509::builder().unwrap();
        builder.set_version(2).unwrap();
        let serial = BigNum::from_u32(serial).unwrap().to_asn1_integer().unwrap();
        builder.set_serial_number(&serial).unwrap();
        builder.set_subject_name(&name).unwrap();
        builder
            .set_issuer_name(issuer.map_or(&name, |ca| ca.subject_name()))
            .unwrap();
        builder.set_pubkey(key).unwrap();
        let yesterday = chrono::Utc::now().timestamp() - 86_400;
        builder
            .set_not_before(&Asn1Time::from_unix(yesterday).unwrap())
            .unwrap();
        builder
            .set_not_after(&Asn1Time::days_from_now(30).unwrap())
            .unwrap();
        builder
    }

    /// A throwaway root and a leaf with a Vietnamese name; the serial has its high bit set
    /// to exercise the positive-INTEGER padding.
    fn pki(leaf_key: PKey<Private>) -> Pki {
        let root_key = rsa();
        let mut root = builder("Gốc thử nghiệm", 1, None, &root_key);
        root.append_extension(BasicConstraints::new().critical().ca().build().unwrap())
            .unwrap();
        let usage = KeyUsage::new().critical().key_cert_sign().build().unwrap();
        root.append_extension(usage).unwrap();
        root.sign(&root_key, MessageDigest::sha256()).unwrap();
        let root = root.build();

        let mut leaf = builder("Nguyễn Văn An", 0x8000_0001, Some(&root), &leaf_key);
        let usage = KeyUsage::new()
            .critical()
            .digital_signature()
            .non_repudiation()
            .build()
            .unwrap();
        leaf.append_extension(usage).unwrap();
        let ski = SubjectKeyIdentifier::new()
            .build(&leaf.x509v3_context(Some(&root), None))
            .unwrap();
        leaf.append_extension(ski).unwrap();
        leaf.sign(&root_key, MessageDigest::sha256()).unwrap();
        Pki {
            root,
            signer: leaf.build(),
            key: leaf_key,
        }
    }

    fn store(root: &X509) -> X509Store {
        let mut store = X509StoreBuilder::new().unwrap();
        store.add_cert(root.clone()).unwrap();
        store.build()
    }

    fn openssl_verifies(der: &[u8], pki: &Pki, data: &[u8]) -> bool {
        let mut certs = Stack::new().unwrap();
        certs.push(pki.signer.clone()).unwrap();
        let mut cms = CmsContentInfo::from_der(der).unwrap();
        let store = store(&pki.root);
        cms.verify(
            Some(&certs),
            Some(&store),
            Some(data),
            None,
            CMSOptions::BINARY,
        )
        .is_ok()
    }

    fn digest(data: &[u8]) -> [u8; 32] {
        Sha256::digest(data).into()
    }

    fn check_sign_detached(pki: &Pki, expected: SignatureAlgorithm) {
        assert_eq!(algorithm_for(&pki.signer).unwrap(), expected);
        let chain = [pki.root.clone(), pki.signer.clone()];
        let der = sign_detached(&digest(DOCUMENT), &pki.key, &pki.signer, &chain).unwrap();

        assert!(
            openssl_verifies(&der, pki, DOCUMENT),
            "openssl rejects our CMS"
        );
        assert!(!openssl_verifies(&der, pki, b"%PDF-1.7 altered"));

        let parsed = parse_signed_data(&der).unwrap();
        assert!(!parsed.has_signing_time);
        assert_eq!(
            parsed.message_digest.as_deref(),
            Some(&digest(DOCUMENT)[..])
        );
        assert_eq!(
            parsed.signer.to_der().unwrap(),
            pki.signer.to_der().unwrap()
        );
        assert_eq!(parsed.certificates.len(), 2, "signer and root, each once");
        let attributes = signed_attributes(&digest(DOCUMENT), &pki.signer).unwrap();
        assert_eq!(parsed.signed_attributes_der, attributes);
        verify_raw_signature(&attributes, &parsed.signature, &pki.signer).unwrap();
        check_with_openssl_cli(&der);
    }

    /// The command-line dump names every attribute; skipped where `openssl` is not installed.
    fn check_with_openssl_cli(der: &[u8]) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("signature.p7s");
        std::fs::write(&path, der).unwrap();
        let output = std::process::Command::new("openssl")
            .args(["cms", "-cmsout", "-print", "-inform", "DER", "-in"])
            .arg(&path)
            .output();
        let Ok(output) = output else {
            eprintln!("openssl not on PATH; skipping the command-line check");
            return;
        };
        assert!(output.status.success(), "{output:?}");
        let text = String::from_utf8_lossy(&output.stdout);
        assert!(text.contains("signingCertificateV2"), "{text}");
        assert!(!text.contains("signingTime"), "{text}");
    }

    #[test]
    fn rsa_signature_verifies_with_openssl() {
        check_sign_detached(&pki(rsa()), SignatureAlgorithm::RsaPkcs1Sha256);
    }

    #[test]
    fn ecdsa_signature_verifies_with_openssl() {
        check_sign_detached(&pki(p256()), SignatureAlgorithm::EcdsaSha256);
    }

    #[test]
    fn raw_signature_check_rejects_a_flipped_byte() {
        for pki in [pki(rsa()), pki(p256())] {
            let attributes = signed_attributes(&digest(DOCUMENT), &pki.signer).unwrap();
            let mut signature = raw_signature(&attributes, &pki.key).unwrap();
            verify_raw_signature(&attributes, &signature, &pki.signer).unwrap();
            let last = signature.len() - 1;
            signature[last] ^= 0x01;
            let result = verify_raw_signature(&attributes, &signature, &pki.signer);
            assert!(matches!(result, Err(CmsError::InvalidSignature)));
        }
    }

    #[test]
    fn sign_detached_refuses_a_foreign_key() {
        let pki = pki(rsa());
        let result = sign_detached(&[0; 32], &rsa(), &pki.signer, &[]);
        assert!(matches!(result, Err(CmsError::KeyMismatch)));
    }

    /// A CMS from OpenSSL's own API (which adds signing-time) parses, and its signature
    /// checks out over the re-tagged attributes.
    #[test]
    fn parses_signed_data_made_by_openssl() {
        let pki = pki(rsa());
        let flags = CMSOptions::DETACHED | CMSOptions::BINARY;
        let cms = CmsContentInfo::sign(
            Some(&pki.signer),
            Some(&pki.key),
            None,
            Some(DOCUMENT),
            flags,
        )
        .unwrap();
        let parsed = parse_signed_data(&cms.to_der().unwrap()).unwrap();
        assert!(parsed.has_signing_time);
        assert_eq!(
            parsed.message_digest.as_deref(),
            Some(&digest(DOCUMENT)[..])
        );
        verify_raw_signature(
            &parsed.signed_attributes_der,
            &parsed.signature,
            &parsed.signer,
        )
        .unwrap();
    }

    #[test]
    fn parse_rejects_damaged_input_without_panicking() {
        let pki = pki(p256());
        let der = sign_detached(&digest(DOCUMENT), &pki.key, &pki.signer, &[]).unwrap();
        for len in 0..der.len() {
            assert!(parse_signed_data(&der[..len]).is_err(), "prefix {len}");
        }
        let mut padded = der.clone();
        padded.push(0);
        assert!(parse_signed_data(&padded).is_err());
        for index in 0..der.len() {
            let mut mutated = der.clone();
            mutated[index] ^= 0xff;
            let _ = parse_signed_data(&mutated);
        }
        for round in 0..2_000 {
            let mut random = vec![0u8; round % 300];
            openssl::rand::rand_bytes(&mut random).unwrap();
            if let Some(first) = random.first_mut() {
                *first = 0x30;
            }
            assert!(parse_signed_data(&random).is_err());
        }
    }
}
