//! One signature, checked: its dictionary and `/ByteRange`, the gap, the CMS, the
//! certificates and, for a signature over an earlier revision, what changed since.

use chrono::Utc;
use lopdf::{Document, Object, ObjectId};

use super::fields::{self, FieldInfo};
use super::report::{Coverage, ModificationLevel, SignatureReport};
use super::revisions::{self, Loader};
use super::structure::{self, ByteRange};
use super::{chain, cms_check, diff, objects, revocation, Context, ADBE_DETACHED, CADES_DETACHED};

fn name_of(dictionary: &lopdf::Dictionary, key: &[u8]) -> Option<String> {
    match dictionary.get(key) {
        Ok(Object::Name(name)) => Some(String::from_utf8_lossy(name).into_owned()),
        _ => None,
    }
}

/// A signature checked up to its modification analysis ([`finish`]), which needs the
/// signed revision parsed: the checks here need only the file's bytes and `view`, so they
/// run while the signed revisions load.
pub(super) struct Checked {
    pub report: SignatureReport,
    pub range: Option<ByteRange>,
    container: Option<ObjectId>,
}

/// Runs the modification analysis of a checked signature.
pub(super) fn finish(
    context: &Context<'_>,
    loader: &mut Loader<'_>,
    checked: Checked,
) -> (SignatureReport, Option<ByteRange>) {
    let Checked {
        mut report,
        range,
        container,
    } = checked;
    if let (Some(range), Some(container)) = (&range, container) {
        modifications(context, loader, container, range, &mut report);
    }
    (report, range)
}

/// `view` is the document the field was found in: the final one, or an earlier revision
/// for a signature the final document no longer shows.
pub(super) fn check_signature(
    context: &Context<'_>,
    view: &Document,
    field: &FieldInfo,
) -> Checked {
    let mut report = SignatureReport::new(field.name.clone());
    let Some(value) = fields::signature_value(view, field) else {
        report.problem(
            "signature_dictionary_missing",
            "the field's /V is not a signature dictionary",
        );
        return Checked {
            report,
            range: None,
            container: None,
        };
    };
    let (container, dictionary) = (value.container, value.dictionary);
    report.sub_filter = name_of(dictionary, b"SubFilter");
    let kind = name_of(dictionary, b"Type");
    match (kind.as_deref(), report.sub_filter.as_deref()) {
        (None | Some("Sig"), Some(ADBE_DETACHED | CADES_DETACHED)) => {}
        _ => report.problem(
            "unsupported_sub_filter",
            format!("/Type {:?} /SubFilter {:?}: only adbe.pkcs7.detached and ETSI.CAdES.detached signatures are supported", kind, report.sub_filter),
        ),
    }
    let claimed = match dictionary.get(b"M") {
        Ok(object) => fields::text(object).and_then(|t| fields::parse_pdf_date(&t)),
        Err(_) => None,
    };
    report.claimed_signing_time = claimed.map(|t| t.to_rfc3339());

    let file_len = context.bytes.len() as u64;
    let range =
        structure::parse_byte_range(dictionary.get(b"ByteRange").ok(), file_len, &mut report);
    let contents = match dictionary.get(b"Contents") {
        Ok(Object::String(bytes, _)) if !bytes.is_empty() => Some(bytes.as_slice()),
        _ => {
            report.problem("not_cms", "/Contents is missing, empty or not a string");
            None
        }
    };
    if let Some(range) = &range {
        structure::check_gap(context.bytes, range, contents, &mut report);
        gap_inside_container(context, view, container, range, &mut report);
        let (coverage, index) = structure::coverage(range, file_len, context.revisions);
        report.coverage = coverage;
        report.revision_index = index;
        if coverage == Coverage::Partial {
            report.problem(
                "coverage_partial",
                "the signed ranges end neither at the end of the file nor at the end of a revision",
            );
        }
    }

    let signed_bytes = range.map(|r| {
        let (b, c) = r.gap();
        move |digest| {
            context
                .digests
                .signed_ranges(digest, b, (c, r.end() as usize))
        }
    });
    let cms = contents.and_then(|contents| {
        let ess_required = report.sub_filter.as_deref() == Some(CADES_DETACHED);
        let digest = signed_bytes
            .as_ref()
            .map(|f| f as cms_check::SignedBytesDigest<'_>);
        cms_check::check(contents, digest, ess_required, &mut report)
    });
    if let Some(cms) = &cms {
        let time = claimed
            .map(|t| t.with_timezone(&Utc))
            .or(cms.signing_time)
            .unwrap_or_else(|| {
                report.problem(
                    "signing_time_missing",
                    "the signature claims no signing time (/M)",
                );
                context.options.at.unwrap_or_else(Utc::now)
            });
        let chain = chain::check(
            &cms.signer,
            &cms.certificates,
            &context.options.trust,
            time,
            &mut report,
        );
        report.revocation.mode = context.options.revocation.mode;
        if let Some(chain) = chain {
            let now = context.options.at.unwrap_or_else(Utc::now);
            revocation::check(&chain, time, now, &context.options.revocation, &mut report);
        }
    }
    Checked {
        report,
        range,
        container: Some(container),
    }
}

/// The gap must lie inside the object that holds the signature dictionary, so the
/// `/Contents` hashed around is the one this dictionary declares.
fn gap_inside_container(
    context: &Context<'_>,
    view: &Document,
    container: ObjectId,
    range: &ByteRange,
    report: &mut SignatureReport,
) {
    let (b, c) = range.gap();
    let start = match view.reference_table.get(container.0) {
        Some(lopdf::xref::XrefEntry::Normal { offset, .. }) => {
            (*offset as usize).saturating_add(context.header_offset)
        }
        _ => {
            report.problem(
                "contents_not_in_gap",
                "the signature dictionary is not a plain indirect object",
            );
            return;
        }
    };
    let bytes = context.bytes;
    let first_end = structure::find(bytes, b"endobj", start);
    let inside = start < b && first_end.is_some_and(|end| end >= c);
    if !inside {
        report.problem(
            "contents_not_in_gap",
            "the unsigned gap is not inside the signature dictionary's object",
        );
    }
}

fn modifications(
    context: &Context<'_>,
    loader: &mut Loader<'_>,
    container: lopdf::ObjectId,
    range: &ByteRange,
    report: &mut SignatureReport,
) {
    match report.coverage {
        Coverage::EntireFile => {
            report.modification_level = ModificationLevel::None;
            return;
        }
        Coverage::EntireRevision => {}
        Coverage::Partial | Coverage::Unknown => return,
    }
    let end = range.end();
    let Some(signed) = loader.load(end as usize) else {
        report
            .modified_objects
            .push("the signed revision does not load on its own".into());
        report.problem(
            "modified_after_signing",
            "the signed revision cannot be compared with the final document",
        );
        return;
    };
    if signed.xref_recovery == Some(lopdf::xref::XrefRecovery::Reconstructed) {
        report
            .modified_objects
            .push("the signed revision's cross-reference data is damaged".into());
        report.modification_level = ModificationLevel::Other;
        report.problem("modified_after_signing", "the signed revision's cross-reference data had to be rebuilt; what was signed is ambiguous");
        return;
    }
    let same_dictionary = match (
        signed.objects.get(&container),
        context.last.objects.get(&container),
    ) {
        (Some(a), Some(b)) => objects::same(a, b),
        _ => false,
    };
    if !same_dictionary {
        report.problem(
            "signature_dictionary_changed",
            "the signature dictionary differs from the one in its signed revision",
        );
    }
    let outcome = diff::analyse(&signed, context.last);
    let mut offending = revisions::check_updates(loader, context.revisions, end);
    if context.trailing_data {
        offending.push("data after the last %%EOF".into());
    }
    let level = if offending.is_empty() {
        outcome.level
    } else {
        ModificationLevel::Other
    };
    offending.extend(outcome.offending);
    report.modification_level = level;
    if level == ModificationLevel::Other {
        report.problem(
            "modified_after_signing",
            format!(
                "{} change(s) after the signed revision are not permitted: {}",
                offending.len(),
                offending
                    .iter()
                    .take(5)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
        );
    }
    report.modified_objects = offending;
}
