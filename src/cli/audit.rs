//! `vanthu audit DIR [--registry CSV]`: validates a whole archive exported from another system
//! (every PDF under DIR) with our validator, and, when the system's outgoing register is given
//! as CSV, the two-layer policy of each file against it; a progress bar on stderr, then a
//! summary table (or JSON). Exit status: 0 all valid (and compliant when a registry is given),
//! 1 otherwise, 2 when the archive or the registry cannot be read.

use std::collections::HashMap;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use chrono::NaiveDate;
use serde::Serialize;

use crate::verify::policy::{judge, shown_issue, PolicyFacts, PolicyVerdict, RegisterEntry};
use crate::verify::{verify_pdf, VerifyOptions};

/// Files looked at per archive (bounded work on a hostile tree).
const MAX_FILES: usize = 1_000_000;

#[derive(Debug, clap::Args)]
pub struct AuditArgs {
    /// The archive: every *.pdf under it, recursively.
    dir: PathBuf,
    /// The archive's outgoing register as CSV with a heading row: `file` (path relative to
    /// DIR), `number` (05/QĐ-UBND), `date` (dd/mm/yyyy or YYYY-MM-DD) and optionally
    /// `confidentiality` (mat, toi_mat, tuyet_mat: exempt from the two-layer rule).
    #[arg(long)]
    registry: Option<PathBuf>,
    /// The agency's organization certificate(s), PEM: the agency signature must be by one.
    /// Without it, the last signature is taken as the agency's.
    #[arg(long)]
    organization: Vec<PathBuf>,
    /// Trust anchors, as for `vanthu verify`.
    #[arg(long)]
    trust: Vec<PathBuf>,
    /// Revocation checking: online, offline or off (default: the `[verify]` configuration).
    #[arg(long, value_parser = super::verify::parse_revocation_mode)]
    revocation: Option<crate::verify::RevocationMode>,
    /// CRL files (DER or PEM) for offline revocation checking.
    #[arg(long)]
    crl: Vec<PathBuf>,
    /// Print JSON instead of the table.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Serialize)]
struct FileResult {
    file: String,
    signatures: usize,
    valid: bool,
    /// compliant, non_compliant, exempt; absent without a registry.
    two_layer: Option<PolicyVerdict>,
    reasons: Vec<String>,
}

#[derive(Debug, Default, Serialize)]
struct Totals {
    files: usize,
    valid: usize,
    invalid: usize,
    errors: usize,
    required: usize,
    exempt: usize,
    compliant: usize,
}

pub fn run(args: AuditArgs, settings: &crate::config::Settings) -> anyhow::Result<()> {
    let options = super::verify::verify_options(settings, &args.trust, args.revocation, &args.crl)?;
    let registry = match &args.registry {
        Some(path) => Some(read_registry(path)?),
        None => None,
    };
    let organization = fingerprints(&args.organization)?;
    let mut files = Vec::new();
    collect_pdfs(&args.dir, &mut files)
        .with_context(|| format!("cannot read {}", args.dir.display()))?;
    files.sort();
    let mut progress = Progress::new(files.len());
    let mut results = Vec::new();
    let mut totals = Totals::default();
    for path in &files {
        let relative = path
            .strip_prefix(&args.dir)
            .unwrap_or(path)
            .to_string_lossy()
            .replace('\\', "/");
        progress.step(&relative);
        let result = audit_file(path, &relative, &options, registry.as_ref(), &organization);
        count(&mut totals, &result);
        results.push(result);
    }
    progress.finish();
    if args.json {
        let output = serde_json::json!({"files": results, "totals": totals});
        println!("{}", serde_json::to_string_pretty(&output)?);
    } else {
        print_table(&args.dir, &results, &totals, registry.is_some());
    }
    let compliant = registry.is_none() || totals.compliant == totals.required;
    if totals.errors > 0 || totals.invalid > 0 || !compliant {
        std::process::exit(1);
    }
    Ok(())
}

fn audit_file(
    path: &Path,
    relative: &str,
    options: &VerifyOptions,
    registry: Option<&HashMap<String, RegistryRow>>,
    organization: &[String],
) -> FileResult {
    let mut result = FileResult {
        file: relative.to_owned(),
        signatures: 0,
        valid: false,
        two_layer: None,
        reasons: Vec::new(),
    };
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(error) => {
            result.reasons.push(format!("cannot read: {error}"));
            return result;
        }
    };
    let report = match verify_pdf(&bytes, options) {
        Ok(report) => report,
        Err(error) => {
            result.reasons.push(error.to_string());
            return result;
        }
    };
    result.signatures = report.signatures.len();
    result.valid = report.valid;
    let summary = crate::verify::plain::summarise(&report, None);
    if !report.valid {
        result.reasons.extend(summary.vi.iter().skip(1).cloned());
    }
    if let Some(registry) = registry {
        let row = registry.get(relative);
        let fingerprints: Vec<String> = report
            .signatures
            .iter()
            .filter_map(|s| s.signer_certificate_sha256.clone())
            .collect();
        let agency = if organization.is_empty() {
            fingerprints.last().cloned().into_iter().collect()
        } else {
            organization.to_vec()
        };
        let facts = PolicyFacts {
            organ_id: None,
            authorised_signers: fingerprints
                .iter()
                .filter(|f| !agency.contains(f))
                .cloned()
                .collect(),
            organization_certificates: agency,
            register: row.map(|r| r.entry.clone()),
            exempt_by_rule: row.filter(|r| r.exempt).map(|_| "registry".to_owned()),
        };
        let policy = judge(&shown_issue(&bytes), &report, &facts);
        if policy.verdict == PolicyVerdict::NonCompliant {
            result.reasons.extend(policy.failures(true));
        }
        result.two_layer = Some(policy.verdict);
    }
    result
}

fn count(totals: &mut Totals, result: &FileResult) {
    totals.files += 1;
    match (result.signatures, result.valid) {
        (_, true) => totals.valid += 1,
        (0, false) if result.two_layer.is_none() && !result.reasons.is_empty() => {
            totals.invalid += 1
        }
        _ => totals.invalid += 1,
    }
    match result.two_layer {
        Some(PolicyVerdict::Exempt) => totals.exempt += 1,
        Some(PolicyVerdict::Compliant) => {
            totals.required += 1;
            totals.compliant += 1;
        }
        Some(PolicyVerdict::NonCompliant) => totals.required += 1,
        None => {}
    }
}

fn print_table(dir: &Path, results: &[FileResult], totals: &Totals, with_policy: bool) {
    println!("Kiểm tra kho lưu trữ / Archive audit: {}", dir.display());
    println!(
        "{:<48} {:>5} {:<14} {:<14} Lý do / Reasons",
        "Tệp / File", "Ký", "Hợp lệ/Valid", "Hai lớp"
    );
    for result in results {
        let valid = if result.valid {
            "có / yes"
        } else {
            "KHÔNG / NO"
        };
        let policy = match result.two_layer {
            Some(PolicyVerdict::Compliant) => "đạt / ok",
            Some(PolicyVerdict::NonCompliant) => "KHÔNG ĐẠT",
            Some(PolicyVerdict::Exempt) => "miễn / exempt",
            None => "-",
        };
        let name: String = result.file.chars().take(48).collect();
        println!(
            "{name:<48} {:>5} {valid:<14} {policy:<14} {}",
            result.signatures,
            result.reasons.join("; ")
        );
    }
    println!(
        "Tổng / Total: {} tệp / files, {} hợp lệ / valid, {} không hợp lệ / invalid",
        totals.files, totals.valid, totals.invalid
    );
    if with_policy {
        let rate = if totals.required == 0 {
            100.0
        } else {
            totals.compliant as f64 * 100.0 / totals.required as f64
        };
        println!(
            "Hai lớp / Two-layer: {} / {} đạt / compliant ({rate:.1}%), {} miễn / exempt",
            totals.compliant, totals.required, totals.exempt
        );
    }
}

fn collect_pdfs(dir: &Path, files: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if files.len() >= MAX_FILES {
            return Ok(());
        }
        // Symlinks are not followed: an archive must not lead the audit elsewhere (or loop).
        let meta = std::fs::symlink_metadata(&path)?;
        if meta.is_dir() {
            collect_pdfs(&path, files)?;
        } else if meta.is_file()
            && path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("pdf"))
        {
            files.push(path);
        }
    }
    Ok(())
}

struct RegistryRow {
    entry: RegisterEntry,
    exempt: bool,
}

fn read_registry(path: &Path) -> anyhow::Result<HashMap<String, RegistryRow>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the registry {}", path.display()))?;
    let mut records = parse_csv(text.trim_start_matches('\u{feff}')).into_iter();
    let headings: Vec<String> = records
        .next()
        .unwrap_or_default()
        .into_iter()
        .map(|h| h.trim().to_lowercase())
        .collect();
    let column = |name: &str| headings.iter().position(|h| h == name);
    let (Some(file), Some(number), Some(date)) = (column("file"), column("number"), column("date"))
    else {
        anyhow::bail!(
            "{}: the heading row needs file, number and date",
            path.display()
        );
    };
    let confidentiality = column("confidentiality");
    let mut rows = HashMap::new();
    for (line, record) in records.enumerate() {
        let cell = |i: usize| record.get(i).map(|c| c.trim()).unwrap_or("");
        let at = || format!("{} record {}", path.display(), line + 2);
        let parsed = crate::domain::DocumentNumber::parse(cell(number))
            .map_err(|e| anyhow::anyhow!("{}: {e}", at()))?;
        let date = parse_date(cell(date)).with_context(at)?;
        let exempt = confidentiality
            .map(|i| {
                !matches!(
                    cell(i).to_lowercase().as_str(),
                    "" | "none" | "khong" | "không"
                )
            })
            .unwrap_or(false);
        let entry = RegisterEntry {
            ordinal: parsed.ordinal,
            notation: parsed.notation,
            date,
        };
        rows.insert(cell(file).replace('\\', "/"), RegistryRow { entry, exempt });
    }
    Ok(rows)
}

fn parse_date(raw: &str) -> anyhow::Result<NaiveDate> {
    NaiveDate::parse_from_str(raw, "%d/%m/%Y")
        .or_else(|_| NaiveDate::parse_from_str(raw, "%Y-%m-%d"))
        .map_err(|_| anyhow::anyhow!("'{raw}' is not a date (dd/mm/yyyy or YYYY-MM-DD)"))
}

/// RFC 4180 records: quoted fields may hold commas, doubled quotes and line breaks.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') if field.is_empty() => quoted = true,
            (false, ',') => record.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            (false, c) => field.push(c),
        }
    }
    if !field.is_empty() || !record.is_empty() {
        record.push(field);
        records.push(record);
    }
    records.retain(|r| r.iter().any(|f| !f.trim().is_empty()));
    records
}

fn fingerprints(paths: &[PathBuf]) -> anyhow::Result<Vec<String>> {
    let mut out = Vec::new();
    for path in paths {
        let pem = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        out.extend(
            crate::signing::keystore::fingerprints_in_pem(&pem)
                .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?,
        );
    }
    Ok(out)
}

/// A one-line bar on a terminal (`[#####     ] 12/50 name`), a line every 5% otherwise.
struct Progress {
    total: usize,
    done: usize,
    terminal: bool,
}

impl Progress {
    fn new(total: usize) -> Self {
        Self {
            total,
            done: 0,
            terminal: std::io::stderr().is_terminal(),
        }
    }

    fn step(&mut self, name: &str) {
        self.done += 1;
        let mut err = std::io::stderr();
        if self.terminal {
            let width = 30;
            let filled = self.done * width / self.total.max(1);
            let name: String = name.chars().take(40).collect();
            let _ = write!(
                err,
                "\r[{}{}] {}/{} {name:<40}",
                "#".repeat(filled),
                " ".repeat(width - filled),
                self.done,
                self.total
            );
            let _ = err.flush();
        } else if self.done == self.total || self.done % (self.total / 20).max(1) == 0 {
            let _ = writeln!(err, "audit: {}/{} files", self.done, self.total);
        }
    }

    fn finish(&self) {
        if self.terminal {
            let _ = writeln!(std::io::stderr());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_records_keep_quoted_commas_quotes_and_line_breaks() {
        let records =
            parse_csv("file,number\r\n\"a, b.pdf\",\"05/QĐ-UBND\"\n\"say \"\"hi\"\"\",x\n\n");
        assert_eq!(records.len(), 3);
        assert_eq!(records[1], ["a, b.pdf", "05/QĐ-UBND"]);
        assert_eq!(records[2][0], "say \"hi\"");
    }

    #[test]
    fn dates_read_in_both_forms() {
        assert_eq!(
            parse_date("05/01/2027").unwrap(),
            NaiveDate::from_ymd_opt(2027, 1, 5).unwrap()
        );
        assert_eq!(
            parse_date("2027-01-05").unwrap(),
            NaiveDate::from_ymd_opt(2027, 1, 5).unwrap()
        );
        assert!(parse_date("5 Jan").is_err());
    }
}
