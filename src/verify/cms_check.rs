//! The CMS SignedData in `/Contents`: one SignerInfo, detached id-data content, messageDigest
//! over the byte ranges, signature value over the signed attributes, and the ESS
//! signing-certificate(-v2) binding the signer certificate.

use openssl::hash::{DigestBytes, MessageDigest};
use openssl::pkey::Id;
use openssl::sign::Verifier;
use openssl::x509::{X509Ref, X509};

use super::der::{self, oids, Element, Reader};
use super::report::SignatureReport;
use crate::signing::cms::{self, CmsError, ParsedSignedData};

/// What the CMS checks found; `None` from [`check`] means the container is unusable.
pub(super) struct CmsOutcome {
    pub signer: X509,
    pub certificates: Vec<X509>,
    /// The signing-time signed attribute, if any (PAdES forbids it; adbe signatures carry it).
    pub signing_time: Option<chrono::DateTime<chrono::Utc>>,
}

#[derive(Clone, Copy)]
enum Digest {
    Sha256,
    Sha384,
    Sha512,
}

impl Digest {
    fn from_oid(oid: &[u8]) -> Option<Self> {
        match oid {
            oids::SHA256 => Some(Self::Sha256),
            oids::SHA384 => Some(Self::Sha384),
            oids::SHA512 => Some(Self::Sha512),
            _ => None,
        }
    }

    fn message_digest(self) -> MessageDigest {
        match self {
            Self::Sha256 => MessageDigest::sha256(),
            Self::Sha384 => MessageDigest::sha384(),
            Self::Sha512 => MessageDigest::sha512(),
        }
    }
}

/// The key type a signature algorithm needs and the hash it names (`None`: the SignerInfo's
/// digest algorithm, as with plain rsaEncryption).
fn signature_algorithm(oid: &[u8]) -> Option<(Id, Option<Digest>)> {
    Some(match oid {
        oids::RSA_ENCRYPTION => (Id::RSA, None),
        oids::SHA256_WITH_RSA => (Id::RSA, Some(Digest::Sha256)),
        oids::SHA384_WITH_RSA => (Id::RSA, Some(Digest::Sha384)),
        oids::SHA512_WITH_RSA => (Id::RSA, Some(Digest::Sha512)),
        oids::EC_PUBLIC_KEY => (Id::EC, None),
        oids::ECDSA_WITH_SHA256 => (Id::EC, Some(Digest::Sha256)),
        oids::ECDSA_WITH_SHA384 => (Id::EC, Some(Digest::Sha384)),
        oids::ECDSA_WITH_SHA512 => (Id::EC, Some(Digest::Sha512)),
        _ => return None,
    })
}

/// The fields of the (only) SignerInfo that `parse_signed_data` does not return.
struct SignerInfoExtras<'a> {
    encapsulated_type: &'a [u8],
    has_econtent: bool,
    digest_oid: &'a [u8],
    signature_oid: &'a [u8],
}

fn signer_info_extras(content_info: &[u8]) -> Result<SignerInfoExtras<'_>, der::DerError> {
    let outer = Reader::new(content_info).expect(der::SEQUENCE)?;
    let mut fields = outer.reader();
    fields.expect(der::OID)?;
    let explicit = fields.expect(der::CONTEXT_0)?;
    let signed_data = explicit.reader().expect(der::SEQUENCE)?;
    let mut fields = signed_data.reader();
    fields.expect(der::INTEGER)?;
    let digest_algorithms = fields.expect(der::SET)?;
    let mut listed_digests = Vec::new();
    let mut algorithms = digest_algorithms.reader();
    while !algorithms.is_empty() {
        listed_digests.push(der::algorithm_oid(&algorithms.expect(der::SEQUENCE)?)?);
    }
    let encapsulated = fields.expect(der::SEQUENCE)?;
    let mut encap_fields = encapsulated.reader();
    let encapsulated_type = encap_fields.expect(der::OID)?.content;
    let has_econtent = !encap_fields.is_empty();
    fields.optional(der::CONTEXT_0)?;
    fields.optional(der::CONTEXT_1)?;
    let signer_infos = fields.expect(der::SET)?;
    let signer_info = signer_infos.reader().expect(der::SEQUENCE)?;
    let mut fields = signer_info.reader();
    fields.expect(der::INTEGER)?;
    fields.element()?;
    let digest_oid = der::algorithm_oid(&fields.expect(der::SEQUENCE)?)?;
    fields.optional(der::CONTEXT_0)?;
    let signature_oid = der::algorithm_oid(&fields.expect(der::SEQUENCE)?)?;
    if !listed_digests.contains(&digest_oid) {
        return Err(der::DerError(
            "SignedData.digestAlgorithms does not list the signer's digest algorithm",
        ));
    }
    Ok(SignerInfoExtras {
        encapsulated_type,
        has_econtent,
        digest_oid,
        signature_oid,
    })
}

/// The digest of a signature's signed byte ranges with the algorithm its SignerInfo names.
pub(super) type SignedBytesDigest<'a> =
    &'a dyn Fn(MessageDigest) -> Result<DigestBytes, openssl::error::ErrorStack>;

/// Checks `contents` (the decoded /Contents, zero padding included) against the digest of
/// its signed byte ranges. Fills `integrity`, `signature_value_ok`, `signing_certificate_attribute_ok`, the
/// signer fields and the problems of `report`.
pub(super) fn check(
    contents: &[u8],
    signed_bytes: Option<SignedBytesDigest<'_>>,
    ess_required: bool,
    report: &mut SignatureReport,
) -> Option<CmsOutcome> {
    if contents.first() != Some(&der::SEQUENCE) {
        report.problem("not_cms", "/Contents does not hold a DER SEQUENCE");
        return None;
    }
    // DER, or BER with indefinite lengths (as some signers write), made DER.
    let (der_bytes, length) = if contents.get(1) == Some(&0x80) {
        match der::ber_to_der(contents) {
            Ok((normalised, used)) => (std::borrow::Cow::Owned(normalised), used),
            Err(error) => {
                report.problem("not_cms", format!("/Contents is not BER: {}", error.0));
                return None;
            }
        }
    } else {
        match der::outer_length(contents) {
            Ok(length) => (std::borrow::Cow::Borrowed(&contents[..length]), length),
            Err(error) => {
                report.problem("not_cms", format!("/Contents is not DER: {}", error.0));
                return None;
            }
        }
    };
    let der_bytes: &[u8] = &der_bytes;
    let padding = &contents[length..];
    if padding.iter().any(|&b| b != 0) {
        report.problem(
            "contents_trailing_data",
            "/Contents carries non-zero bytes after the CMS structure",
        );
    }
    let parsed = match cms::parse_signed_data(der_bytes) {
        Ok(parsed) => parsed,
        Err(CmsError::SignerCount(count)) if count > 1 => {
            report.problem(
                "several_signer_infos",
                format!("the CMS has {count} SignerInfos; exactly one is required"),
            );
            return None;
        }
        Err(error) => {
            report.problem("not_cms", format!("not a usable CMS SignedData: {error}"));
            return None;
        }
    };
    let extras = match signer_info_extras(der_bytes) {
        Ok(extras) => extras,
        Err(error) => {
            report.problem("not_cms", format!("malformed SignerInfo: {}", error.0));
            return None;
        }
    };
    fill_signer(report, &parsed.signer);
    if extras.encapsulated_type != oids::DATA || extras.has_econtent {
        report.problem(
            "cms_content_type",
            "the CMS must be detached with content type id-data",
        );
    }
    let attributes = inspect_attributes(&parsed.signed_attributes_der);
    if attributes.content_type.as_deref() != Some(oids::DATA) {
        report.problem(
            "cms_content_type",
            "the content-type signed attribute is missing or not id-data",
        );
    }
    if let Some(signed_bytes) = signed_bytes {
        check_digest(&parsed, &extras, signed_bytes, report);
    }
    check_signature_value(&parsed, &extras, report);
    check_ess(&attributes, &parsed.signer, ess_required, report);
    Some(CmsOutcome {
        signer: parsed.signer,
        certificates: parsed.certificates,
        signing_time: attributes.signing_time,
    })
}

fn fill_signer(report: &mut SignatureReport, signer: &X509Ref) {
    report.signer_subject = Some(crate::signing::demo_pki::name_to_string(
        signer.subject_name(),
    ));
    report.signer_certificate_sha256 = signer.digest(MessageDigest::sha256()).ok().map(hex::encode);
    report.signer_certificate_pem = signer
        .to_pem()
        .ok()
        .map(|pem| String::from_utf8_lossy(&pem).into_owned());
}

fn check_digest(
    parsed: &ParsedSignedData,
    extras: &SignerInfoExtras<'_>,
    signed_bytes: SignedBytesDigest<'_>,
    report: &mut SignatureReport,
) {
    let Some(digest) = Digest::from_oid(extras.digest_oid) else {
        let name = if extras.digest_oid == oids::SHA1 {
            "SHA-1"
        } else {
            "an unknown algorithm"
        };
        report.problem(
            "digest_algorithm_unsupported",
            format!("the SignerInfo digests with {name}; SHA-256, SHA-384 or SHA-512 is required"),
        );
        return;
    };
    let Some(expected) = parsed.message_digest.as_deref() else {
        report.problem("digest_mismatch", "the CMS has no message-digest attribute");
        return;
    };
    let computed = signed_bytes(digest.message_digest());
    match computed {
        Ok(value) if value.as_ref() == expected => report.integrity = true,
        Ok(_) => report.problem(
            "digest_mismatch",
            "the digest of the signed byte ranges differs from the message-digest attribute",
        ),
        Err(error) => report.problem("digest_mismatch", format!("hashing failed: {error}")),
    }
}

fn check_signature_value(
    parsed: &ParsedSignedData,
    extras: &SignerInfoExtras<'_>,
    report: &mut SignatureReport,
) {
    let Some((key_type, named_digest)) = signature_algorithm(extras.signature_oid) else {
        report.problem(
            "signature_algorithm_unsupported",
            "the signature algorithm is not RSA PKCS#1 v1.5 or ECDSA with SHA-2",
        );
        return;
    };
    let Some(digest) = named_digest.or_else(|| Digest::from_oid(extras.digest_oid)) else {
        report.problem(
            "signature_algorithm_unsupported",
            "the signature's hash algorithm is not SHA-256, SHA-384 or SHA-512",
        );
        return;
    };
    let key = match parsed.signer.public_key() {
        Ok(key) if key.id() == key_type => key,
        _ => {
            report.problem(
                "signature_invalid",
                "the signer certificate's key does not match the signature algorithm",
            );
            return;
        }
    };
    let verified = match digest {
        Digest::Sha256 => cms::verify_raw_signature(
            &parsed.signed_attributes_der,
            &parsed.signature,
            &parsed.signer,
        )
        .is_ok(),
        other => Verifier::new(other.message_digest(), &key)
            .and_then(|mut verifier| {
                verifier.verify_oneshot(&parsed.signature, &parsed.signed_attributes_der)
            })
            .unwrap_or(false),
    };
    if verified {
        report.signature_value_ok = true;
    } else {
        report.problem(
            "signature_invalid",
            "the signature value does not verify with the signer certificate's key",
        );
    }
}

#[derive(Default)]
struct Attributes<'a> {
    content_type: Option<Vec<u8>>,
    signing_time: Option<chrono::DateTime<chrono::Utc>>,
    /// (is v2, attribute value SET content) for every ESS signing-certificate attribute.
    ess: Vec<(bool, &'a [u8])>,
}

fn inspect_attributes(set: &[u8]) -> Attributes<'_> {
    let mut found = Attributes::default();
    let Ok(set) = Reader::new(set).expect(der::SET) else {
        return found;
    };
    let mut reader = set.reader();
    while let Ok(attribute) = reader.expect(der::SEQUENCE) {
        let mut fields = attribute.reader();
        let (Ok(kind), Ok(values)) = (fields.expect(der::OID), fields.expect(der::SET)) else {
            continue;
        };
        let first = values.reader().element().ok();
        match kind.content {
            oids::CONTENT_TYPE => {
                found.content_type = first
                    .filter(|e| e.tag == der::OID)
                    .map(|e| e.content.to_vec())
            }
            oids::SIGNING_TIME => found.signing_time = first.and_then(|e| der::parse_time(&e)),
            oids::SIGNING_CERTIFICATE_V2 => found.ess.push((true, values.content)),
            oids::SIGNING_CERTIFICATE => found.ess.push((false, values.content)),
            _ => {}
        }
    }
    found
}

fn check_ess(
    attributes: &Attributes<'_>,
    signer: &X509Ref,
    required: bool,
    report: &mut SignatureReport,
) {
    match attributes.ess.as_slice() {
        [] if required => report.problem(
            "ess_missing",
            "no ESS signing-certificate-v2 attribute (PAdES requires it)",
        ),
        // adbe.pkcs7.detached signatures predate CAdES; nothing binds the certificate but
        // nothing claims to either.
        [] => report.signing_certificate_attribute_ok = true,
        [(v2, values)] => match ess_matches(*v2, values, signer) {
            Ok(true) => report.signing_certificate_attribute_ok = true,
            Ok(false) => report.problem(
                "ess_mismatch",
                "the ESS signing-certificate attribute names another certificate than the signer",
            ),
            Err(error) => report.problem(
                "ess_mismatch",
                format!("malformed ESS signing-certificate attribute: {}", error.0),
            ),
        },
        _ => report.problem(
            "ess_mismatch",
            "more than one ESS signing-certificate attribute",
        ),
    }
}

/// RFC 2634 / RFC 5035: the first ESSCertID(v2) must hash the signer certificate and, when
/// it carries issuerSerial, name the signer's issuer and serial number.
fn ess_matches(v2: bool, values: &[u8], signer: &X509Ref) -> Result<bool, der::DerError> {
    let mut values = Reader::new(values);
    let signing_certificate = values.expect(der::SEQUENCE)?;
    if !values.is_empty() {
        return Err(der::DerError("more than one attribute value"));
    }
    let certs = signing_certificate.reader().expect(der::SEQUENCE)?;
    let cert_id = certs.reader().expect(der::SEQUENCE)?;
    let mut fields = cert_id.reader();
    let digest = if !v2 {
        MessageDigest::sha1()
    } else if fields.peek_tag() == Some(der::SEQUENCE) {
        let algorithm = fields.expect(der::SEQUENCE)?;
        match Digest::from_oid(der::algorithm_oid(&algorithm)?) {
            Some(digest) => digest.message_digest(),
            None => return Err(der::DerError("unsupported certificate hash algorithm")),
        }
    } else {
        MessageDigest::sha256()
    };
    let hash = fields.expect(der::OCTET_STRING)?;
    let actual = signer
        .digest(digest)
        .map_err(|_| der::DerError("cannot hash the signer certificate"))?;
    if hash.content != actual.as_ref() {
        return Ok(false);
    }
    match fields.optional(der::SEQUENCE)? {
        Some(issuer_serial) => issuer_serial_matches(&issuer_serial, signer),
        None => Ok(true),
    }
}

fn issuer_serial_matches(
    issuer_serial: &Element<'_>,
    signer: &X509Ref,
) -> Result<bool, der::DerError> {
    let mut fields = issuer_serial.reader();
    let names = fields.expect(der::SEQUENCE)?;
    let serial = fields.expect(der::INTEGER)?;
    let expected_serial = signer
        .serial_number()
        .to_bn()
        .map(|bn| bn.to_vec())
        .map_err(|_| der::DerError("unreadable serial"))?;
    if der::integer_magnitude(serial.content) != expected_serial.as_slice() {
        return Ok(false);
    }
    let issuer = signer
        .issuer_name()
        .to_der()
        .map_err(|_| der::DerError("unreadable issuer"))?;
    let mut names = names.reader();
    while !names.is_empty() {
        let name = names.element()?;
        if name.tag == der::DIRECTORY_NAME && name.content == issuer.as_slice() {
            return Ok(true);
        }
    }
    Ok(false)
}
