//! A plain-language summary of a validation (and policy) report, in Vietnamese and English,
//! for an auditor who is not a PKI specialist: one verdict line, then one line per signature
//! saying who signed and what is wrong in everyday words, then the policy's failed checks.

use schemars::JsonSchema;
use serde::Serialize;

use super::policy::{PolicyReport, PolicyVerdict};
use super::report::{PdfReport, Problem};

#[derive(Debug, Clone, Serialize, JsonSchema, utoipa::ToSchema)]
pub struct PlainSummary {
    /// Tóm tắt bằng tiếng Việt.
    pub vi: Vec<String>,
    pub en: Vec<String>,
}

/// Everyday words for the problem codes an auditor meets most; other codes fall back to the
/// validator's own message.
fn explain(problem: &Problem) -> (String, String) {
    let (vi, en) = match problem.code {
        "modified_after_signing" => (
            "tệp đã bị sửa đổi sau khi ký",
            "the file was changed after it was signed",
        ),
        "digest_mismatch" => (
            "nội dung đã ký không còn nguyên vẹn",
            "the signed content is no longer intact",
        ),
        "signature_invalid" => (
            "giá trị chữ ký không đúng",
            "the signature value does not verify",
        ),
        "untrusted_chain" => (
            "chứng thư số không thuộc tổ chức cung cấp dịch vụ tin cậy",
            "the certificate does not come from a trusted provider",
        ),
        "certificate_expired" | "certificate_not_yet_valid" => (
            "chứng thư số hết hạn hoặc chưa có hiệu lực tại thời điểm ký",
            "the certificate was not valid when the file was signed",
        ),
        "certificate_revoked" => ("chứng thư số đã bị thu hồi", "the certificate was revoked"),
        "revocation_unknown" => (
            "không kiểm tra được tình trạng thu hồi của chứng thư số",
            "whether the certificate was revoked could not be checked",
        ),
        "byte_range_malformed" | "contents_not_in_gap" | "overlapping_ranges" => (
            "vùng dữ liệu được ký bị giả mạo",
            "the signed byte range was tampered with",
        ),
        "coverage_partial" => (
            "chữ ký không bao trùm toàn bộ phiên bản tài liệu",
            "the signature does not cover its whole revision",
        ),
        "data_after_last_revision" => (
            "có dữ liệu được thêm vào cuối tệp sau khi ký",
            "data was appended after the last signed revision",
        ),
        "signature_removed" => (
            "một chữ ký đã có trước đây đã bị gỡ khỏi tệp",
            "a signature the file once carried was removed",
        ),
        "no_signatures" => (
            "tệp không có chữ ký số",
            "the file has no digital signature",
        ),
        "key_usage" => (
            "chứng thư số không được phép dùng để ký",
            "the certificate may not be used for signing",
        ),
        _ => return (problem.message.clone(), problem.message.clone()),
    };
    (vi.to_owned(), en.to_owned())
}

pub fn summarise(report: &PdfReport, policy: Option<&PolicyReport>) -> PlainSummary {
    let mut summary = PlainSummary {
        vi: Vec::new(),
        en: Vec::new(),
    };
    let count = report.signatures.len();
    if report.valid {
        summary
            .vi
            .push(format!("Tệp có {count} chữ ký số, tất cả đều hợp lệ."));
        summary.en.push(format!(
            "The file has {count} digital signature(s), all valid."
        ));
    } else {
        summary
            .vi
            .push(format!("Tệp KHÔNG hợp lệ ({count} chữ ký số)."));
        summary
            .en
            .push(format!("The file is NOT valid ({count} signature(s))."));
    }
    for (index, signature) in report.signatures.iter().enumerate() {
        let who = signature
            .signer_subject
            .as_deref()
            .unwrap_or("không rõ / unknown");
        let time = signature.claimed_signing_time.as_deref().unwrap_or("?");
        if signature.valid {
            summary.vi.push(format!(
                "Chữ ký {}: {who}, ký lúc {time} — hợp lệ.",
                index + 1
            ));
            summary.en.push(format!(
                "Signature {}: {who}, signed at {time} — valid.",
                index + 1
            ));
            continue;
        }
        let (vi, en): (Vec<String>, Vec<String>) = signature.problems.iter().map(explain).unzip();
        summary.vi.push(format!(
            "Chữ ký {}: {who} — không hợp lệ: {}.",
            index + 1,
            vi.join("; ")
        ));
        summary.en.push(format!(
            "Signature {}: {who} — not valid: {}.",
            index + 1,
            en.join("; ")
        ));
    }
    for problem in &report.problems {
        let (vi, en) = explain(problem);
        summary.vi.push(format!("Tệp: {vi}."));
        summary.en.push(format!("File: {en}."));
    }
    if let Some(policy) = policy {
        match policy.verdict {
            PolicyVerdict::Compliant => {
                summary.vi.push("Đạt yêu cầu ký số hai lớp (cá nhân trước, cơ quan sau; số và ngày khớp sổ đăng ký).".into());
                summary.en.push("Meets the two-layer rule (personal first, then agency; number and date match the register).".into());
            }
            PolicyVerdict::Exempt => {
                summary
                    .vi
                    .push("Văn bản thuộc diện miễn ký số hai lớp (văn bản mật).".into());
                summary
                    .en
                    .push("The document is exempt from the two-layer rule (state secret).".into());
            }
            PolicyVerdict::NonCompliant => {
                summary.vi.push(format!(
                    "Không đạt yêu cầu ký số hai lớp: {}.",
                    policy.failures(true).join("; ")
                ));
                summary.en.push(format!(
                    "Does not meet the two-layer rule: {}.",
                    policy.failures(false).join("; ")
                ));
            }
        }
    }
    summary
}
