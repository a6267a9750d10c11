//! Our own PDF signature validator: every signature of a file checked for structure
//! (ByteRange, the `/Contents` gap), integrity (message digest, signature value, ESS
//! signing-certificate), coverage (whole file or a whole revision), certificates (chain to
//! the configured roots, validity at the claimed signing time, key usage, revocation by OCSP
//! or CRL) and, for
//! signatures over an earlier revision, what changed since (modification analysis). It
//! answers the attack classes of the research note (USF, ISA, SWA, shadow attacks, EAA,
//! SSA) fail-closed: a check that cannot be made counts as failed.
//!
//! Synchronous and bounded: callers run it through [`crate::blocking::run`]. In the `online`
//! revocation mode it may block on HTTP fetches (short timeout, size cap, a few per chain).
//! Hostile input yields problems in the report, never a panic; `Err` means "not a PDF".

mod chain;
mod cms_check;
mod der;
mod diff;
mod diff_rules;
mod digests;
mod fields;
mod objects;
pub mod plain;
pub mod policy;
mod report;
mod revisions;
mod revocation;
mod revocation_fetch;
mod revocation_report;
mod revocation_sources;
mod signature;
mod structure;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_attacks;
#[cfg(test)]
mod tests_certificates;
#[cfg(test)]
mod tests_revocation;
#[cfg(test)]
mod tests_revocation_pki;
#[cfg(test)]
mod tests_samples;

use chrono::{DateTime, Utc};
use lopdf::Document;

pub use chain::TrustAnchors;
pub use report::{
    Coverage, Indication, ModificationLevel, PdfReport, Problem, RevisionInfo, SignatureReport,
    INDETERMINATE_CODES, PROBLEM_CODES,
};
pub use revocation::{RevocationOptions, DEFAULT_TIMEOUT as DEFAULT_REVOCATION_TIMEOUT};
pub use revocation_fetch::{RevocationCache, RevocationError};
pub use revocation_report::{
    CertificateRevocation, CertificateStatus, EvidenceKind, EvidenceOrigin, RevocationEvidence,
    RevocationMode, RevocationReason, RevocationReport, RevocationStatus,
};

use digests::RangeDigests;
use fields::FieldInfo;
use revisions::Loader;
use structure::ByteRange;

/// Signatures analysed per file (bounded work); more is reported as a problem.
const MAX_SIGNATURES: usize = 32;
/// Earlier revisions searched for signatures the final document no longer shows.
const MAX_SCANNED_REVISIONS: usize = 16;
const ADBE_DETACHED: &str = "adbe.pkcs7.detached";
const CADES_DETACHED: &str = "ETSI.CAdES.detached";

#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error("the file is not a PDF (no %PDF- header in its first 1024 bytes)")]
    NotPdf,
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: {reason}")]
    Certificate { path: String, reason: String },
}

#[derive(Debug, Clone, Default)]
pub struct VerifyOptions {
    pub trust: TrustAnchors,
    /// Validation time: used as the signing time when a signature claims none, and the time
    /// revocation evidence must be fresh at. `None` = now.
    pub at: Option<DateTime<Utc>>,
    /// Revocation checking (default: online with a private in-memory cache; share one
    /// [`RevocationCache`] between validations through this field's `Arc`).
    pub revocation: RevocationOptions,
}

/// What every signature check shares.
struct Context<'a> {
    bytes: &'a [u8],
    options: &'a VerifyOptions,
    revisions: &'a [RevisionInfo],
    last: &'a Document,
    /// Non-blank bytes follow the last `%%EOF`.
    trailing_data: bool,
    /// Where `%PDF-` starts: lopdf counts offsets from there.
    header_offset: usize,
    /// Hash states shared by the signatures' digests and the file's SHA-256.
    digests: RangeDigests<'a>,
    /// [`structure::first_signature_name`]: no revision ending before it shows a signature.
    first_signature_name: usize,
}

pub fn verify_pdf(bytes: &[u8], options: &VerifyOptions) -> Result<PdfReport, VerifyError> {
    let head = &bytes[..bytes.len().min(1024)];
    let header_offset = structure::find(head, b"%PDF-", 0).ok_or(VerifyError::NotPdf)?;
    let revisions = structure::revisions(bytes);
    let mut report = PdfReport {
        file_sha256: String::new(),
        file_size: bytes.len() as u64,
        revisions: revisions.clone(),
        signatures: Vec::new(),
        valid: false,
        indication: Indication::Invalid,
        problems: Vec::new(),
    };
    let mut loader = Loader::new(bytes, header_offset);
    // While the final revision parses: the SHA-256 of the file, keeping the state at each
    // revision end (every signature's digest continues from one), and the scan for the
    // first signature name.
    let mut revision_ends: Vec<usize> = revisions.iter().map(|r| r.end_offset as usize).collect();
    revision_ends.push(bytes.len());
    let (mut prefix_states, mut first_name) = (Vec::new(), None);
    let last = rayon::in_place_scope(|scope| {
        scope.spawn(|_| prefix_states = digests::sha256_prefix_states(bytes, &revision_ends));
        scope.spawn(|_| first_name = structure::first_signature_name(bytes));
        loader.load(bytes.len())
    });
    let digests = RangeDigests::new(bytes, prefix_states);
    let Some(last) = last else {
        report
            .problems
            .push(Problem::new("unreadable_pdf", "the PDF cannot be parsed"));
        report.file_sha256 = file_sha256(&digests);
        return Ok(report);
    };
    let trailing_data = file_problems(bytes, &revisions, &last, &mut report.problems);
    let context = Context {
        bytes,
        options,
        revisions: &revisions,
        last: &last,
        trailing_data,
        header_offset,
        digests,
        first_signature_name: first_name.unwrap_or(usize::MAX),
    };

    let mut signed: Vec<FieldInfo> = fields::fields(&last)
        .into_iter()
        .filter(|f| f.is_signature() && f.value.is_some())
        .collect();
    if signed.is_empty() {
        report.problems.push(Problem::new(
            "no_signatures",
            "the PDF has no signed signature field",
        ));
    }
    if signed.len() > MAX_SIGNATURES {
        report.problems.push(Problem::new(
            "too_many_signatures",
            format!(
                "{} signatures; only the first {MAX_SIGNATURES} were checked",
                signed.len()
            ),
        ));
        signed.truncate(MAX_SIGNATURES);
    }
    // In file order, so each signature's digest continues the hash state of the one before.
    signed.sort_by_key(|field| gap_start(&last, field));
    let signed_revisions = signed_revision_ends(&last, &signed, &revisions, bytes.len());
    // The signatures' byte-level and cryptographic checks are independent: in parallel.
    let checked: Vec<signature::Checked> = loader.load_while(&signed_revisions, || {
        use rayon::prelude::*;
        let last: &Document = &last;
        signed
            .par_iter()
            .map(|field| signature::check_signature(&context, last, field))
            .collect()
    });
    let mut checked: Vec<(SignatureReport, Option<ByteRange>)> = checked
        .into_iter()
        .map(|checked| signature::finish(&context, &mut loader, checked))
        .collect();
    vanished_signatures(&context, &mut loader, &mut checked);

    let ranges: Vec<Option<ByteRange>> = checked.iter().map(|(_, range)| *range).collect();
    for (i, j) in structure::collisions(&ranges) {
        let message = format!(
            "the byte ranges of '{}' and '{}' collide",
            checked[i].0.field_name, checked[j].0.field_name
        );
        checked[i].0.problem("overlapping_ranges", message.clone());
        checked[j].0.problem("overlapping_ranges", message);
    }
    checked.sort_by_key(|(_, range)| range.map_or(u64::MAX, |r| r.end()));
    report.file_sha256 = file_sha256(&context.digests);
    report.signatures = checked
        .into_iter()
        .map(|(mut signature, _)| {
            signature.conclude();
            signature
        })
        .collect();
    report.conclude();
    Ok(report)
}

/// Fuzzing entry point (not part of the API): runs the CMS checks on `contents` as if it
/// were a signature's decoded `/Contents` over two fixed byte ranges. Returns the number of
/// problems found; it must never panic, whatever the input.
#[doc(hidden)]
pub fn fuzz_parse_cms(contents: &[u8]) -> usize {
    let mut report = SignatureReport::new("fuzz".into());
    let signed = |digest| {
        let mut hasher = openssl::hash::Hasher::new(digest)?;
        hasher.update(b"%PDF-1.7 first range")?;
        hasher.update(b"second range %%EOF")?;
        hasher.finish()
    };
    let outcome = cms_check::check(contents, Some(&signed), true, &mut report);
    let _ = crate::signing::cms::parse_signed_data(contents);
    report.problems.len() + usize::from(outcome.is_some())
}

fn file_sha256(digests: &RangeDigests<'_>) -> String {
    digests.file_sha256().map(hex::encode).unwrap_or_default()
}

/// Where a signed field's unsigned gap starts (`u64::MAX` when it has no usable range).
fn gap_start(document: &Document, field: &FieldInfo) -> u64 {
    fields::signature_value(document, field)
        .and_then(|value| structure::byte_range_values(value.dictionary))
        .map_or(u64::MAX, |values| values[1])
}

/// The revisions the modification analysis of these signatures will parse: each
/// signature's signed revision and every later one but the last.
fn signed_revision_ends(
    document: &Document,
    signed: &[FieldInfo],
    revisions: &[RevisionInfo],
    file_len: usize,
) -> Vec<usize> {
    let earliest = signed
        .iter()
        .filter_map(|field| {
            let value = fields::signature_value(document, field)?;
            let [_, _, c, d] = structure::byte_range_values(value.dictionary)?;
            let end = c.checked_add(d)?;
            structure::revision_ending_at(revisions, end).map(|_| end as usize)
        })
        .min();
    let Some(earliest) = earliest else {
        return Vec::new();
    };
    revisions
        .iter()
        .map(|r| r.end_offset as usize)
        .filter(|&end| end >= earliest && end < file_len)
        .chain(std::iter::once(earliest).filter(|&end| end < file_len))
        .take(revisions::MAX_UPDATES_AFTER_SIGNATURE)
        .collect()
}

/// Signatures that an earlier revision shows but the final document does not (a later
/// update dropped the field, replaced its value or rewound the `/Prev` chain): each is
/// checked in the revision that shows it and reported as removed.
fn vanished_signatures(
    context: &Context<'_>,
    loader: &mut Loader<'_>,
    checked: &mut Vec<(SignatureReport, Option<ByteRange>)>,
) {
    let mut seen: Vec<[u64; 4]> = checked.iter().filter_map(|(r, _)| r.byte_range).collect();
    // Revisions that end before the first `/ByteRange` (or object stream) cannot show a
    // signature: they are not parsed at all (an unsigned original is most of a file).
    let first_name = context.first_signature_name;
    let earlier = context
        .revisions
        .iter()
        .rev()
        .filter(|r| (r.end_offset as usize) < context.bytes.len())
        .filter(|r| (r.end_offset as usize) > first_name)
        .take(MAX_SCANNED_REVISIONS);
    for revision in earlier {
        let Some(view) = loader.load(revision.end_offset as usize) else {
            continue;
        };
        if view.xref_recovery == Some(lopdf::xref::XrefRecovery::Reconstructed) {
            continue;
        }
        for field in fields::fields(&view) {
            if checked.len() >= MAX_SIGNATURES {
                return;
            }
            let Some(value) = fields::signature_value(&view, &field) else {
                continue;
            };
            let Some(range) = structure::byte_range_values(value.dictionary) else {
                continue;
            };
            if seen.contains(&range) {
                continue;
            }
            seen.push(range);
            let pending = signature::check_signature(context, &view, &field);
            let (mut found, range) = signature::finish(context, loader, pending);
            found.problem(
                "signature_removed",
                format!(
                    "revision {} shows this signature but the final document does not",
                    revision.index
                ),
            );
            checked.push((found, range));
        }
    }
}

/// File-level problems; returns whether non-blank data follows the last `%%EOF`.
fn file_problems(
    bytes: &[u8],
    revisions: &[RevisionInfo],
    last: &Document,
    problems: &mut Vec<Problem>,
) -> bool {
    if last.trailer.has(b"Encrypt") || last.encryption_state.is_some() {
        problems.push(Problem::new(
            "encrypted_pdf",
            "encrypted PDFs are not supported by the validator",
        ));
    }
    if last.xref_recovery.is_some() {
        problems.push(Problem::new(
            "revision_malformed",
            "the last revision's cross-reference data is damaged (it had to be repaired)",
        ));
    }
    let tail_start = revisions.last().map_or(0, |r| r.end_offset as usize);
    let blank = |b: &u8| b.is_ascii_whitespace() || *b == 0;
    let trailing = !bytes
        .get(tail_start..)
        .unwrap_or_default()
        .iter()
        .all(blank);
    if revisions.is_empty() {
        problems.push(Problem::new(
            "revision_malformed",
            "the file has no %%EOF marker",
        ));
    } else if trailing {
        problems.push(Problem::new(
            "data_after_last_revision",
            format!("data follows the last %%EOF (from offset {tail_start})"),
        ));
    }
    trailing
}
