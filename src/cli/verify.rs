//! `vanthu verify FILE… [--json] [--trust PEM…]`: our validator on files, no server needed.
//! Exit status: 0 when every file is valid, 1 when any is not, 2 on an error (unreadable file,
//! not a PDF).

use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::verify::{verify_pdf, PdfReport, TrustAnchors, VerifyOptions};

#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    /// PDF files to check.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Print the JSON report (schemas/json/validation-report.v1.schema.json).
    #[arg(long)]
    json: bool,
    /// PEM files with trust anchors (self-signed roots) and intermediates. Default: the demo
    /// PKI of the data dir, when there is one.
    #[arg(long)]
    trust: Vec<PathBuf>,
}

pub fn run(args: VerifyArgs, data_dir: &Path) -> anyhow::Result<()> {
    let trust = trust_anchors(&args.trust, data_dir)?;
    let options = VerifyOptions { trust, at: None };
    let mut all_valid = true;
    let mut reports = Vec::new();
    for file in &args.files {
        let bytes =
            std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
        let report = verify_pdf(&bytes, &options).with_context(|| format!("{}", file.display()))?;
        all_valid &= report.valid;
        if !args.json {
            print_summary(file, &report);
        }
        reports.push((file.display().to_string(), report));
    }
    if args.json {
        let values: Vec<serde_json::Value> = reports
            .iter()
            .map(|(file, report)| {
                let mut value = serde_json::to_value(report).unwrap_or_default();
                if let Some(object) = value.as_object_mut() {
                    object.insert("file".into(), serde_json::Value::String(file.clone()));
                }
                value
            })
            .collect();
        let output = if values.len() == 1 {
            values[0].clone()
        } else {
            serde_json::Value::Array(values)
        };
        println!("{}", serde_json::to_string_pretty(&output)?);
    }
    if !all_valid {
        std::process::exit(1);
    }
    Ok(())
}

pub(super) fn trust_anchors(given: &[PathBuf], data_dir: &Path) -> anyhow::Result<TrustAnchors> {
    if !given.is_empty() {
        let paths: Vec<&Path> = given.iter().map(PathBuf::as_path).collect();
        return Ok(TrustAnchors::from_pem_files(&paths)?);
    }
    let demo: Vec<PathBuf> = ["pki/root-ca.pem", "pki/issuing-ca.pem"]
        .iter()
        .map(|p| data_dir.join(p))
        .filter(|p| p.exists())
        .collect();
    let paths: Vec<&Path> = demo.iter().map(PathBuf::as_path).collect();
    if paths.is_empty() {
        return Ok(TrustAnchors::default());
    }
    Ok(TrustAnchors::from_pem_files(&paths)?)
}

/// A plain-language summary, Vietnamese then English, one line per signature.
fn print_summary(file: &Path, report: &PdfReport) {
    let verdict = if report.valid {
        "HỢP LỆ / VALID"
    } else {
        "KHÔNG HỢP LỆ / NOT VALID"
    };
    println!(
        "{}: {verdict} — {} chữ ký / signature(s)",
        file.display(),
        report.signatures.len()
    );
    for (index, signature) in report.signatures.iter().enumerate() {
        let who = signature.signer_subject.as_deref().unwrap_or("?");
        let state = if signature.valid {
            "hợp lệ / valid"
        } else {
            "không hợp lệ / not valid"
        };
        println!(
            "  {}. {} [{}]: {state}",
            index + 1,
            signature.field_name,
            who
        );
        for problem in &signature.problems {
            println!("     - {}: {}", problem.code, problem.message);
        }
    }
    for problem in &report.problems {
        println!("  - {}: {}", problem.code, problem.message);
    }
}
