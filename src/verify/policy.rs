//! The two-layer policy (domain.md §3, §6): a file is compliant when the competent person's
//! personal signature comes first, by a certificate mapped to an authorised signer of the
//! issuing agency, and the agency's signature comes after it, by the organization certificate
//! registered for that agency, covering the whole file, with the number and date it shows
//! matching the outgoing register. Confidential documents exempted by the rule set are not
//! required to carry it. This module judges a validation report against facts from the
//! registry; gathering those facts (database, rule set) is the caller's job.

use chrono::NaiveDate;
use lopdf::{Document, Object};
use schemars::JsonSchema;
use serde::Serialize;

use super::report::{Coverage, PdfReport};

/// What the registry says about the issuing agency and the document.
#[derive(Debug, Clone, Default)]
pub struct PolicyFacts {
    /// OrganId of the issuing agency, when known.
    pub organ_id: Option<String>,
    /// SHA-256 fingerprints (lower-case hex) of the agency's registered organization
    /// certificates.
    pub organization_certificates: Vec<String>,
    /// SHA-256 fingerprints of personal certificates mapped to the agency's authorised signers.
    pub authorised_signers: Vec<String>,
    /// The register entry: ordinal, notation and issue date. `None` when the file's number is
    /// not in the register.
    pub register: Option<RegisterEntry>,
    /// The exemption rule that exempts the document from the two-layer signature.
    pub exempt_by_rule: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterEntry {
    pub ordinal: u32,
    pub notation: String,
    pub date: NaiveDate,
}

/// Number and date as the file shows them (the issue fields layer 2 fills, or the page text).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, JsonSchema, utoipa::ToSchema)]
pub struct ShownIssue {
    pub ordinal: Option<u32>,
    /// The notation after the number when the file prints it there, e.g. `QĐ-UBND`.
    pub notation: Option<String>,
    pub date: Option<NaiveDate>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PolicyVerdict {
    /// Both layers present, in order, by the right certificates, number and date as registered.
    Compliant,
    NonCompliant,
    /// Exempt from the two-layer signature by the rule set (state secrets).
    Exempt,
}

#[derive(Debug, Clone, Serialize, JsonSchema, utoipa::ToSchema)]
pub struct PolicyCheck {
    /// Stable code, see [`POLICY_CHECKS`].
    pub code: &'static str,
    pub passed: bool,
    /// What was found, in English.
    pub message: String,
    /// What was found, in Vietnamese, for the auditor.
    pub message_vi: String,
}

#[derive(Debug, Clone, Serialize, JsonSchema, utoipa::ToSchema)]
pub struct PolicyReport {
    pub verdict: PolicyVerdict,
    pub organ_id: Option<String>,
    pub exempt_by_rule: Option<String>,
    pub shown: ShownIssue,
    pub checks: Vec<PolicyCheck>,
}

/// Every policy check code, in the order they are reported.
pub const POLICY_CHECKS: &[&str] = &[
    "personal_signature_present",
    "personal_signer_authorised",
    "agency_signature_present",
    "agency_certificate_registered",
    "personal_before_agency",
    "agency_covers_whole_file",
    "number_matches_register",
    "date_matches_register",
];

impl PolicyReport {
    /// The failed checks' messages, one per line (for itemised compliance failures).
    pub fn failures(&self, vietnamese: bool) -> Vec<String> {
        self.checks
            .iter()
            .filter(|c| !c.passed)
            .map(|c| {
                if vietnamese {
                    c.message_vi.clone()
                } else {
                    c.message.clone()
                }
            })
            .collect()
    }
}

/// Judges `report` (of the file whose bytes are `pdf`) against the registry's facts.
pub fn evaluate(pdf: &[u8], report: &PdfReport, facts: &PolicyFacts) -> PolicyReport {
    judge(&shown_issue(pdf), report, facts)
}

/// As [`evaluate`], with the number and date the file shows already read.
pub fn judge(shown: &ShownIssue, report: &PdfReport, facts: &PolicyFacts) -> PolicyReport {
    let shown = shown.clone();
    let mut policy = PolicyReport {
        verdict: PolicyVerdict::NonCompliant,
        organ_id: facts.organ_id.clone(),
        exempt_by_rule: facts.exempt_by_rule.clone(),
        shown: shown.clone(),
        checks: Vec::new(),
    };
    if facts.exempt_by_rule.is_some() {
        policy.verdict = PolicyVerdict::Exempt;
        return policy;
    }
    let fingerprint = |index: usize| {
        report.signatures[index]
            .signer_certificate_sha256
            .clone()
            .unwrap_or_default()
    };
    let valid_by = |set: &[String]| {
        (0..report.signatures.len())
            .filter(|&i| report.signatures[i].valid && set.contains(&fingerprint(i)))
            .collect::<Vec<_>>()
    };
    let personal = valid_by(&facts.authorised_signers);
    let agency = valid_by(&facts.organization_certificates);
    // A valid signature that is not the agency's: the competent person's, whoever it is.
    let any_personal_valid =
        (0..report.signatures.len()).any(|i| report.signatures[i].valid && !agency.contains(&i));
    let agency_present =
        report.signatures.len() >= 2 && report.signatures.last().is_some_and(|s| s.valid);
    let mut check = |code: &'static str, passed: bool, en: String, vi: String| {
        policy.checks.push(PolicyCheck {
            code,
            passed,
            message: en,
            message_vi: vi,
        })
    };
    let first_personal = personal.first().copied();
    check(
        "personal_signature_present",
        any_personal_valid,
        if any_personal_valid {
            "the file carries a valid personal signature".into()
        } else {
            "no valid personal signature".into()
        },
        if any_personal_valid {
            "có chữ ký số cá nhân hợp lệ".into()
        } else {
            "không có chữ ký số cá nhân hợp lệ".into()
        },
    );
    check(
        "personal_signer_authorised",
        first_personal.is_some(),
        match first_personal {
            Some(i) => format!("signed by {}, an authorised signer", subject(report, i)),
            None => {
                "no valid signature by a certificate mapped to an authorised signer of the agency"
                    .into()
            }
        },
        match first_personal {
            Some(i) => format!("người ký {} có thẩm quyền ký", subject(report, i)),
            None => {
                "chữ ký cá nhân không thuộc người có thẩm quyền ký đã đăng ký của cơ quan".into()
            }
        },
    );
    let last_agency = agency.last().copied();
    check(
        "agency_signature_present",
        agency_present,
        if agency_present {
            "a valid second signature (the agency's) closes the file".into()
        } else {
            "no valid agency signature after the personal one".into()
        },
        if agency_present {
            "có chữ ký số hợp lệ của cơ quan sau chữ ký cá nhân".into()
        } else {
            "không có chữ ký số hợp lệ của cơ quan sau chữ ký cá nhân".into()
        },
    );
    check(
        "agency_certificate_registered",
        last_agency.is_some(),
        match last_agency {
            Some(_) => {
                "the agency signature uses the organization certificate registered for the agency"
                    .into()
            }
            None => {
                "no signature by the organization certificate registered for the issuing agency"
                    .into()
            }
        },
        match last_agency {
            Some(_) => {
                "chữ ký cơ quan dùng chứng thư số tổ chức đã đăng ký của cơ quan ban hành".into()
            }
            None => {
                "không có chữ ký bằng chứng thư số tổ chức đã đăng ký của cơ quan ban hành".into()
            }
        },
    );
    let ordered = matches!((first_personal, last_agency), (Some(p), Some(a)) if revision(report, p) < revision(report, a));
    check(
        "personal_before_agency",
        ordered,
        if ordered {
            "the personal signature was applied before the agency signature".into()
        } else {
            "the personal signature does not precede the agency signature".into()
        },
        if ordered {
            "chữ ký cá nhân được ký trước chữ ký cơ quan".into()
        } else {
            "chữ ký cá nhân không được ký trước chữ ký cơ quan (sai trình tự)".into()
        },
    );
    let whole = last_agency.is_some_and(|a| report.signatures[a].coverage == Coverage::EntireFile);
    check(
        "agency_covers_whole_file",
        whole,
        if whole {
            "the agency signature covers the whole file".into()
        } else {
            "the agency signature does not cover the whole file".into()
        },
        if whole {
            "chữ ký cơ quan bao trùm toàn bộ tệp".into()
        } else {
            "chữ ký cơ quan không bao trùm toàn bộ tệp (có nội dung thêm sau khi ký)".into()
        },
    );
    let (number_ok, number_en, number_vi) = number_check(&shown, facts.register.as_ref());
    check("number_matches_register", number_ok, number_en, number_vi);
    let (date_ok, date_en, date_vi) = date_check(&shown, facts.register.as_ref());
    check("date_matches_register", date_ok, date_en, date_vi);
    if policy.checks.iter().all(|c| c.passed) {
        policy.verdict = PolicyVerdict::Compliant;
    }
    policy
}

fn subject(report: &PdfReport, index: usize) -> String {
    report.signatures[index]
        .signer_subject
        .clone()
        .unwrap_or_else(|| "?".into())
}

fn revision(report: &PdfReport, index: usize) -> usize {
    report.signatures[index]
        .revision_index
        .unwrap_or(usize::MAX)
}

fn number_check(shown: &ShownIssue, register: Option<&RegisterEntry>) -> (bool, String, String) {
    let Some(entry) = register else {
        return (
            false,
            "the number shown is not in the outgoing register".into(),
            "số văn bản trên tệp không có trong sổ đăng ký văn bản đi".into(),
        );
    };
    let registered = format!("{:02}/{}", entry.ordinal, entry.notation);
    let same_ordinal = shown.ordinal == Some(entry.ordinal);
    let same_notation = shown.notation.as_ref().is_none_or(|n| n == &entry.notation);
    if same_ordinal && same_notation {
        (
            true,
            format!("the number matches the register ({registered})"),
            format!("số văn bản khớp sổ đăng ký ({registered})"),
        )
    } else {
        let shown_text = match (shown.ordinal, &shown.notation) {
            (Some(o), Some(n)) => format!("{o:02}/{n}"),
            (Some(o), None) => format!("{o:02}"),
            _ => "no number".into(),
        };
        (
            false,
            format!("the file shows {shown_text}, the register says {registered}"),
            format!("tệp ghi số {shown_text}, sổ đăng ký ghi {registered}"),
        )
    }
}

fn date_check(shown: &ShownIssue, register: Option<&RegisterEntry>) -> (bool, String, String) {
    let Some(entry) = register else {
        return (
            false,
            "no register entry to compare the date with".into(),
            "không có mục trong sổ đăng ký để đối chiếu ngày".into(),
        );
    };
    let registered = entry.date.format("%d/%m/%Y");
    match shown.date {
        Some(date) if date == entry.date => (
            true,
            format!("the date matches the register ({registered})"),
            format!("ngày ban hành khớp sổ đăng ký ({registered})"),
        ),
        Some(date) => (
            false,
            format!(
                "the file shows {}, the register says {registered}",
                date.format("%d/%m/%Y")
            ),
            format!(
                "tệp ghi ngày {}, sổ đăng ký ghi {registered}",
                date.format("%d/%m/%Y")
            ),
        ),
        None => (
            false,
            "the file shows no issue date".into(),
            "tệp không thể hiện ngày ban hành".into(),
        ),
    }
}

/// Number and date from the issue fields (SoVanBan, NgayBanHanh_*), else from page 1's text
/// ("Số: 05/QĐ-UBND", "ngày 05 tháng 01 năm 2027").
pub fn shown_issue(pdf: &[u8]) -> ShownIssue {
    let Ok(document) = crate::pdf::limits::load(pdf, crate::pdf::MAX_DECOMPRESSED_STREAM) else {
        return ShownIssue::default();
    };
    let mut shown = ShownIssue::default();
    if let Some(number) = field_text(&document, "SoVanBan") {
        let (ordinal, notation) = split_number(&number);
        shown.ordinal = ordinal;
        shown.notation = notation;
    }
    let day = field_text(&document, "NgayBanHanh_Ngay").and_then(|d| d.trim().parse().ok());
    let month = field_text(&document, "NgayBanHanh_Thang").and_then(|m| m.trim().parse().ok());
    let year = field_text(&document, "NgayBanHanh_Nam").and_then(|y| y.trim().parse().ok());
    if let (Some(day), Some(month)) = (day, month) {
        let year = year.or_else(|| page_text_year(&document));
        shown.date = year.and_then(|y| NaiveDate::from_ymd_opt(y, month, day));
    }
    if shown.ordinal.is_none() || shown.date.is_none() {
        let text = crate::pdf::text_layout::page_lines(&document, 1)
            .map(|lines| {
                lines
                    .iter()
                    .map(|l| l.text.clone())
                    .collect::<Vec<_>>()
                    .join("\n")
            })
            .unwrap_or_default();
        let from_text = issue_from_text(&text);
        shown.ordinal = shown.ordinal.or(from_text.ordinal);
        shown.notation = shown.notation.or(from_text.notation);
        shown.date = shown.date.or(from_text.date);
    }
    shown
}

fn page_text_year(document: &Document) -> Option<i32> {
    let lines = crate::pdf::text_layout::page_lines(document, 1).ok()?;
    lines.iter().find_map(|line| {
        let folded = search_index::fold_diacritics(&line.text).to_lowercase();
        let at = folded.find("nam ")?;
        folded[at + 4..].trim().get(..4)?.parse().ok()
    })
}

fn split_number(text: &str) -> (Option<u32>, Option<String>) {
    let text: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let (ordinal, notation) = match text.split_once('/') {
        Some((o, n)) => (o, Some(n.to_owned()).filter(|n| !n.is_empty())),
        None => (text.as_str(), None),
    };
    (ordinal.parse().ok().filter(|&o: &u32| o > 0), notation)
}

/// "Số: 05/QĐ-UBND" and "ngày 05 tháng 01 năm 2027" in the page text (diacritics optional).
pub fn issue_from_text(text: &str) -> ShownIssue {
    let mut shown = ShownIssue::default();
    for line in text.lines() {
        let folded = search_index::fold_diacritics(line).to_lowercase();
        if shown.ordinal.is_none() {
            if let Some(at) = folded.find("so:") {
                let rest: String = line
                    .chars()
                    .skip(folded[..at].chars().count() + 3)
                    .collect();
                let token = rest.split_whitespace().next().unwrap_or("");
                let (ordinal, notation) = split_number(token);
                shown.ordinal = ordinal;
                shown.notation = notation;
            }
        }
        if shown.date.is_none() {
            shown.date = date_in(&folded);
        }
    }
    shown
}

fn date_in(folded: &str) -> Option<NaiveDate> {
    let words: Vec<&str> = folded
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty())
        .collect();
    let at = words.iter().position(|w| *w == "ngay")?;
    let number = |i: usize| words.get(i).and_then(|w| w.parse::<u32>().ok());
    if words.get(at + 2) != Some(&"thang") || words.get(at + 4) != Some(&"nam") {
        return None;
    }
    NaiveDate::from_ymd_opt(number(at + 5)? as i32, number(at + 3)?, number(at + 1)?)
}

/// The value of the text field `name` (its `/V`), decoded.
fn field_text(document: &Document, name: &str) -> Option<String> {
    document.objects.values().find_map(|object| {
        let dict = object.as_dict().ok()?;
        let title = dict.get(b"T").ok()?.as_str().ok()?;
        if title != name.as_bytes() {
            return None;
        }
        let value = dict.get(b"V").ok()?;
        let value = match value {
            Object::Reference(id) => document.get_object(*id).ok()?,
            other => other,
        };
        lopdf::decode_text_string(value).ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_dates_are_read_from_page_text_with_or_without_diacritics() {
        let shown = issue_from_text(
            "UBND TỈNH BÌNH AN\nSố: 15/QĐ-UBND   Bình An, ngày 05 tháng 01 năm 2027\n",
        );
        assert_eq!(shown.ordinal, Some(15));
        assert_eq!(shown.notation.as_deref(), Some("QĐ-UBND"));
        assert_eq!(shown.date, NaiveDate::from_ymd_opt(2027, 1, 5));
        let folded = issue_from_text("So: 7/2026/QD-UBND\nBinh An, ngay 9 thang 12 nam 2026");
        assert_eq!(folded.ordinal, Some(7));
        assert_eq!(folded.date, NaiveDate::from_ymd_opt(2026, 12, 9));
        let blank = issue_from_text("Số:      /QĐ-UBND  Bình An, ngày     tháng     năm 2027");
        assert_eq!(blank.ordinal, None);
        assert_eq!(blank.date, None);
    }

    #[test]
    fn number_and_date_checks_compare_with_the_register() {
        let entry = RegisterEntry {
            ordinal: 5,
            notation: "QĐ-UBND".into(),
            date: NaiveDate::from_ymd_opt(2027, 1, 5).unwrap(),
        };
        let shown = ShownIssue {
            ordinal: Some(5),
            notation: None,
            date: entry.date.into(),
        };
        assert!(number_check(&shown, Some(&entry)).0);
        assert!(date_check(&shown, Some(&entry)).0);
        let wrong = ShownIssue {
            ordinal: Some(6),
            notation: Some("QĐ-UBND".into()),
            date: NaiveDate::from_ymd_opt(2027, 1, 6),
        };
        assert!(!number_check(&wrong, Some(&entry)).0);
        assert!(!date_check(&wrong, Some(&entry)).0);
        assert!(!number_check(&shown, None).0);
    }

    #[test]
    fn an_exempt_document_is_exempt_whatever_it_carries() {
        let report = PdfReport {
            file_sha256: String::new(),
            file_size: 0,
            revisions: Vec::new(),
            signatures: Vec::new(),
            valid: false,
            indication: super::super::report::Indication::Invalid,
            problems: Vec::new(),
        };
        let facts = PolicyFacts {
            exempt_by_rule: Some("state-secret".into()),
            ..PolicyFacts::default()
        };
        assert_eq!(
            evaluate(b"", &report, &facts).verdict,
            PolicyVerdict::Exempt
        );
        let not_exempt = evaluate(b"", &report, &PolicyFacts::default());
        assert_eq!(not_exempt.verdict, PolicyVerdict::NonCompliant);
        assert_eq!(not_exempt.checks.len(), POLICY_CHECKS.len());
        assert!(not_exempt
            .checks
            .iter()
            .zip(POLICY_CHECKS)
            .all(|(c, code)| c.code == *code));
    }
}
