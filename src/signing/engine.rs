//! The two-layer signing engine: the library API the workflow, the HTTP API and the CLI call.
//! Layer 1 puts the competent person's signature into the draft (and pre-creates what layer 2
//! fills); layer 2 signs with the agency's organization certificate, writing the number and
//! date. Everything here is synchronous and CPU-bound: callers run it through
//! `blocking::run`.

use std::path::Path;

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate};
use openssl::pkcs12::Pkcs12;
use openssl::pkey::{PKey, Private};
use openssl::x509::X509;

use super::cms;
use super::font::FontProgram;
use super::images::{self, PdfImage};
use super::layers::{self, IssueTexts};
use super::layout::{self, FieldPlan};
use super::pdf_update::{PdfSignError, Placement, PreparedPdf, SignatureInfo};
use crate::domain::DocumentNumber;

#[derive(Debug, thiserror::Error)]
pub enum SigningError {
    #[error(transparent)]
    Pdf(#[from] PdfSignError),
    #[error("CMS: {0}")]
    Cms(#[from] cms::CmsError),
    #[error("the key file cannot be opened: {0}")]
    Key(String),
    #[error("image: {0}")]
    Image(#[from] images::ImageError),
    #[error("{0}")]
    Layout(#[from] layout::LayoutError),
    #[error("the page text cannot be read to place the signature: {0}")]
    TextLayout(String),
    #[error("the external signature does not match: {0}")]
    ExternalMismatch(String),
}

/// A server-held key with its certificate and chain (issuing CA first, root last).
pub struct SigningKey {
    pub key: PKey<Private>,
    pub certificate: X509,
    pub chain: Vec<X509>,
}

impl SigningKey {
    pub fn from_pkcs12(der: &[u8], passphrase: &str) -> Result<Self, SigningError> {
        let parsed = Pkcs12::from_der(der)
            .and_then(|p| p.parse2(passphrase))
            .map_err(|e| {
                SigningError::Key(format!("not a PKCS#12 file or wrong passphrase ({e})"))
            })?;
        let key = parsed
            .pkey
            .ok_or_else(|| SigningError::Key("the PKCS#12 file holds no private key".into()))?;
        let certificate = parsed
            .cert
            .ok_or_else(|| SigningError::Key("the PKCS#12 file holds no certificate".into()))?;
        let chain = parsed
            .ca
            .map(|stack| stack.into_iter().collect())
            .unwrap_or_default();
        Ok(Self {
            key,
            certificate,
            chain,
        })
    }

    pub fn from_pkcs12_file(path: &Path, passphrase: &str) -> Result<Self, SigningError> {
        let der = std::fs::read(path)
            .map_err(|e| SigningError::Key(format!("{}: {e}", path.display())))?;
        Self::from_pkcs12(&der, passphrase)
    }
}

/// Reservation for `/Contents`: the exact size of this signer's CMS (measured with a dry run
/// over a dummy digest) plus slack for ECDSA's variable-length signature values.
fn reservation(
    certificate: &X509,
    chain: &[X509],
    signature_len: usize,
) -> Result<usize, SigningError> {
    let attributes = cms::signed_attributes(&[0u8; 32], certificate)?;
    let algorithm = cms::algorithm_for(certificate)?;
    let dummy = vec![0x5Au8; signature_len];
    Ok(cms::assemble(&attributes, &dummy, certificate, chain, algorithm)?.len() + 32)
}

fn signature_len(key: &PKey<Private>) -> usize {
    // RSA: the modulus size; ECDSA: the largest DER encoding for the curve.
    key.rsa()
        .map(|rsa| rsa.size() as usize)
        .unwrap_or_else(|_| key.size())
}

/// Positions given by the caller; each one wins over what the page's text suggests.
#[derive(Debug, Clone, Default)]
pub struct LayoutOverride {
    /// The area between the title and the name where the signature image is centred.
    pub signature_area: Option<Placement>,
    pub number: Option<Placement>,
    pub day: Option<Placement>,
    pub month: Option<Placement>,
}

/// Finds where to draw from the page's text (the "Số:" label, the date line, the signer
/// block), then applies the caller's overrides. A page without a text layer (a scan) needs
/// at least `signature_area`.
pub fn plan_layout(
    input: &[u8],
    signature_image: &PdfImage,
    overrides: &LayoutOverride,
) -> Result<FieldPlan, SigningError> {
    let aspect = signature_image.width as f32 / signature_image.height.max(1) as f32;
    let landmarks = crate::pdf::limits::load(input, crate::pdf::MAX_DECOMPRESSED_STREAM)
        .map_err(|e| SigningError::TextLayout(e.to_string()))
        .and_then(|document| {
            crate::pdf::text_layout::find_landmarks(&document)
                .map_err(|e| SigningError::TextLayout(e.to_string()))
        });
    let mut plan = match (&landmarks, overrides.signature_area) {
        (_, Some(area)) => {
            let signature = Placement {
                page: area.page,
                rect: layout::fit_image(area.rect, aspect),
            };
            let mut plan = FieldPlan {
                signature,
                seal: Placement {
                    page: area.page,
                    rect: layout::seal_over_left_third(signature.rect),
                },
                number: None,
                number_is_ordinal_only: false,
                day: None,
                month: None,
                year: None,
            };
            if let Ok(found) = &landmarks {
                if let Ok(from_text) =
                    layout::plan_from_landmarks(&layout::without_signer_block(found, area), aspect)
                {
                    plan.number = from_text.number;
                    plan.number_is_ordinal_only = from_text.number_is_ordinal_only;
                    plan.day = from_text.day;
                    plan.month = from_text.month;
                    plan.year = from_text.year;
                }
            }
            plan
        }
        (Ok(found), None) => layout::plan_from_landmarks(found, aspect)?,
        (Err(error), None) => {
            return Err(SigningError::TextLayout(format!(
                "{error}; give the signature position explicitly"
            )))
        }
    };
    let slot = |placement: Placement| layout::TextSlot {
        placement,
        font_size: ((placement.rect[3] - placement.rect[1]) / 1.3).clamp(6.0, 20.0),
    };
    if let Some(placement) = overrides.number {
        plan.number = Some(slot(placement));
    }
    if let Some(placement) = overrides.day {
        plan.day = Some(slot(placement));
    }
    if let Some(placement) = overrides.month {
        plan.month = Some(slot(placement));
    }
    Ok(plan)
}

/// Layer 1 with a server-held key. `signature_png` is the signer's blue signature image.
pub fn sign_personal(
    input: &[u8],
    key: &SigningKey,
    signature_png: &[u8],
    overrides: &LayoutOverride,
    time: DateTime<FixedOffset>,
    reason: &str,
) -> Result<Vec<u8>, SigningError> {
    let image = images::decode_png(signature_png)?;
    let plan = plan_layout(input, &image, overrides)?;
    let info = SignatureInfo {
        signing_time: time,
        reason: reason.into(),
        location: String::new(),
        reserved_bytes: reservation(&key.certificate, &key.chain, signature_len(&key.key))?,
    };
    let prepared = layers::prepare_personal(input, &plan, &image, &info)?;
    complete_with_key(prepared, key)
}

/// What layer 2 writes, from the register's number and the issue date.
pub fn issue_texts(number: &DocumentNumber, date: NaiveDate, ordinal_only: bool) -> IssueTexts {
    let ordinal = format!("{:02}", number.ordinal);
    IssueTexts {
        number: if ordinal_only {
            ordinal
        } else {
            number.to_string()
        },
        day: layout::day_text(date),
        month: layout::month_text(date),
        year: date.year().to_string(),
    }
}

/// Layer 2 with the agency's server-held key.
#[allow(
    clippy::too_many_arguments,
    reason = "each input is a distinct fact of the issuance"
)]
pub fn sign_agency(
    input: &[u8],
    key: &SigningKey,
    number: &DocumentNumber,
    date: NaiveDate,
    seal_png: &[u8],
    font: &FontProgram,
    time: DateTime<FixedOffset>,
    location: &str,
) -> Result<Vec<u8>, SigningError> {
    let seal = images::decode_png(seal_png)?;
    let ordinal_only = draft_prints_notation(input, number);
    let texts = issue_texts(number, date, ordinal_only);
    let reason = format!(
        "Phát hành văn bản số {number} ngày {}",
        date.format("%d/%m/%Y")
    );
    let info = SignatureInfo {
        signing_time: time,
        reason,
        location: location.into(),
        reserved_bytes: reservation(&key.certificate, &key.chain, signature_len(&key.key))?,
    };
    let fallback = fallback_seal(input)?;
    let prepared = layers::prepare_agency(input, &texts, &seal, font, fallback, &info)?;
    complete_with_key(prepared, key)
}

/// Whether the page already prints "/<notation>" right after the number blank, in which case
/// only the ordinal is written.
fn draft_prints_notation(input: &[u8], number: &DocumentNumber) -> bool {
    let Ok(document) = crate::pdf::limits::load(input, crate::pdf::MAX_DECOMPRESSED_STREAM) else {
        return false;
    };
    let Ok(lines) = crate::pdf::text_layout::page_lines(&document, 1) else {
        return false;
    };
    let notation = search_index::fold_diacritics(&format!("/{}", number.notation))
        .to_lowercase()
        .replace(' ', "");
    lines.iter().any(|line| {
        search_index::fold_diacritics(&line.text)
            .to_lowercase()
            .replace(' ', "")
            .contains(&notation)
    })
}

fn fallback_seal(input: &[u8]) -> Result<Placement, SigningError> {
    let pages = page_count(input)?;
    let signature = [340.0, 120.0, 500.0, 184.0];
    Ok(Placement {
        page: pages,
        rect: layout::seal_over_left_third(signature),
    })
}

/// An attachment issued as a separate file: agency signature without image, top-right of page
/// 1, naming the main document and the signing time (ISO 8601, +07:00).
pub fn sign_attachment(
    input: &[u8],
    key: &SigningKey,
    main_number: &DocumentNumber,
    font: &FontProgram,
    time: DateTime<FixedOffset>,
) -> Result<Vec<u8>, SigningError> {
    let first = format!("Kèm theo văn bản số {main_number}");
    let second = format!("Thời gian ký: {}", time.format("%Y-%m-%dT%H:%M:%S%:z"));
    let info = SignatureInfo {
        signing_time: time,
        reason: first.clone(),
        location: String::new(),
        reserved_bytes: reservation(&key.certificate, &key.chain, signature_len(&key.key))?,
    };
    let prepared = layers::prepare_attachment(input, &[&first, &second], font, &info)?;
    complete_with_key(prepared, key)
}

fn complete_with_key(prepared: PreparedPdf, key: &SigningKey) -> Result<Vec<u8>, SigningError> {
    let digest = prepared.byte_range_digest();
    let cms = cms::sign_detached(&digest, &key.key, &key.certificate, &key.chain)?;
    Ok(prepared.embed(&cms)?)
}

/// Layer 1 for a signer whose key stays on their token: everything but the signature value.
pub struct ExternalSigning {
    pub prepared: PreparedPdf,
    /// DER SignedAttributes (SET): what the token must sign (SHA-256 + RSA/ECDSA).
    pub signed_attributes: Vec<u8>,
    pub certificate: X509,
    pub chain: Vec<X509>,
}

impl ExternalSigning {
    /// SHA-256 of the signed attributes, for tokens that sign a prehashed digest.
    pub fn digest_to_sign(&self) -> [u8; 32] {
        use sha2::Digest;
        sha2::Sha256::digest(&self.signed_attributes).into()
    }
}

/// What the signer's software sends back.
pub enum ExternalSignature {
    /// A raw RSA PKCS#1 v1.5 or ECDSA signature over the signed attributes.
    Raw(Vec<u8>),
    /// A complete CMS SignedData made by the token's middleware over our byte ranges.
    Cms(Vec<u8>),
}

pub fn prepare_personal_external(
    input: &[u8],
    certificate: X509,
    chain: Vec<X509>,
    signature_png: &[u8],
    overrides: &LayoutOverride,
    time: DateTime<FixedOffset>,
    reason: &str,
) -> Result<ExternalSigning, SigningError> {
    let image = images::decode_png(signature_png)?;
    let plan = plan_layout(input, &image, overrides)?;
    let public_size = certificate.public_key().map(|k| k.size()).unwrap_or(512);
    // Room for a CMS made by the signer's own middleware too (it may add attributes).
    let reserved = reservation(&certificate, &chain, public_size)?.max(8192) + 4096;
    let info = SignatureInfo {
        signing_time: time,
        reason: reason.into(),
        location: String::new(),
        reserved_bytes: reserved,
    };
    let prepared = layers::prepare_personal(input, &plan, &image, &info)?;
    let signed_attributes = cms::signed_attributes(&prepared.byte_range_digest(), &certificate)?;
    Ok(ExternalSigning {
        prepared,
        signed_attributes,
        certificate,
        chain,
    })
}

/// Verifies what the signer sent against what was prepared, then embeds it. A signature by
/// another key, over other bytes, or a CMS for another document is refused.
pub fn complete_personal_external(
    session: ExternalSigning,
    signature: ExternalSignature,
) -> Result<Vec<u8>, SigningError> {
    let cms_der = match signature {
        ExternalSignature::Raw(value) => {
            cms::verify_raw_signature(&session.signed_attributes, &value, &session.certificate)
                .map_err(|e| {
                    SigningError::ExternalMismatch(format!(
                        "the signature does not verify with the signer's certificate ({e})"
                    ))
                })?;
            let algorithm = cms::algorithm_for(&session.certificate)?;
            cms::assemble(
                &session.signed_attributes,
                &value,
                &session.certificate,
                &session.chain,
                algorithm,
            )?
        }
        ExternalSignature::Cms(der) => {
            let parsed = cms::parse_signed_data(&der).map_err(|e| {
                SigningError::ExternalMismatch(format!("not a CMS SignedData ({e})"))
            })?;
            let expected = session.prepared.byte_range_digest();
            if parsed.message_digest.as_deref() != Some(expected.as_slice()) {
                return Err(SigningError::ExternalMismatch(
                    "the CMS signs other bytes than the prepared document".into(),
                ));
            }
            if parsed.signer.to_der().ok() != session.certificate.to_der().ok() {
                return Err(SigningError::ExternalMismatch(
                    "the CMS is signed by another certificate than the one prepared".into(),
                ));
            }
            cms::verify_raw_signature(
                &parsed.signed_attributes_der,
                &parsed.signature,
                &parsed.signer,
            )
            .map_err(|e| {
                SigningError::ExternalMismatch(format!("the CMS signature value is invalid ({e})"))
            })?;
            der
        }
    };
    Ok(session.prepared.embed(&cms_der)?)
}

/// The number of pages.
pub fn page_count(input: &[u8]) -> Result<u32, SigningError> {
    let facts = crate::pdf::inspect(input).map_err(|e| PdfSignError::Unreadable(e.to_string()))?;
    Ok(facts.page_count)
}
