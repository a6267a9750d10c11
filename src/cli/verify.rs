//! `vanthu verify FILE… [--json] [--trust PEM…] [--revocation MODE] [--crl FILE…]`: our
//! validator on files, no server needed. Revocation checking follows `[verify]` of the
//! configuration unless the flags say otherwise.
//! Exit status (a contract scripts rely on): 0 when every file is valid, 1 when any is not
//! valid — invalid, or indeterminate because revocation status could not be obtained (the
//! report's `indication` tells the two apart) — 2 on an error (unreadable file, not a PDF, bad
//! configuration).

use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::config::Settings;
use crate::verify::{
    verify_pdf, Indication, PdfReport, RevocationMode, TrustAnchors, VerifyOptions,
};

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
    /// Revocation checking: online (fetch OCSP/CRLs as needed, using the cache), offline
    /// (cache and local files only) or off. Default: `verify.revocation` of the configuration
    /// (online).
    #[arg(long, value_parser = parse_revocation_mode)]
    revocation: Option<RevocationMode>,
    /// CRL files (DER or PEM) to use besides `verify.crl_files`.
    #[arg(long)]
    crl: Vec<PathBuf>,
}

/// Trust anchors from `--trust` (or the data dir's demo PKI) and revocation checking from
/// `[verify]`, overridden by the flags.
pub(super) fn verify_options(
    settings: &Settings,
    trust: &[PathBuf],
    revocation: Option<RevocationMode>,
    crl: &[PathBuf],
) -> anyhow::Result<VerifyOptions> {
    let trust = trust_anchors(trust, &settings.data_dir)?;
    let mut target = settings.resolve_verify_only().map_err(|problems| {
        let list: Vec<String> = problems.iter().map(ToString::to_string).collect();
        anyhow::anyhow!("invalid [verify] configuration: {}", list.join("; "))
    })?;
    if let Some(mode) = revocation {
        target.revocation = mode;
    }
    target.crl_files.extend(crl.iter().cloned());
    let revocation = target
        .revocation_options()
        .context("cannot load the CRL / OCSP files")?;
    Ok(VerifyOptions {
        trust,
        at: None,
        revocation,
    })
}

pub(super) fn parse_revocation_mode(value: &str) -> Result<RevocationMode, String> {
    value.parse()
}

pub fn run(args: VerifyArgs, settings: &Settings) -> anyhow::Result<()> {
    let options = verify_options(settings, &args.trust, args.revocation, &args.crl)?;
    let mut all_valid = true;
    let mut any_invalid = false;
    let mut reports = Vec::new();
    for file in &args.files {
        let bytes =
            std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
        let report = verify_pdf(&bytes, &options).with_context(|| format!("{}", file.display()))?;
        all_valid &= report.valid;
        any_invalid |= report.indication == Indication::Invalid;
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
    // Indeterminate is "not shown valid": exit 1 like invalid, as the contract says.
    if any_invalid || !all_valid {
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
    let verdict = indication_text(report.indication);
    println!(
        "{}: {verdict} — {} chữ ký / signature(s)",
        file.display(),
        report.signatures.len()
    );
    for (index, signature) in report.signatures.iter().enumerate() {
        let who = signature.signer_subject.as_deref().unwrap_or("?");
        let state = indication_text(signature.indication);
        println!(
            "  {}. {} [{}]: {state}",
            index + 1,
            signature.field_name,
            who
        );
        if let Some(line) = revocation_line(signature) {
            println!("     {line}");
        }
        for problem in &signature.problems {
            println!("     - {}: {}", problem.code, problem.message);
        }
    }
    for problem in &report.problems {
        println!("  - {}: {}", problem.code, problem.message);
    }
}

fn indication_text(indication: Indication) -> &'static str {
    match indication {
        Indication::Valid => "HỢP LỆ / VALID",
        Indication::Invalid => "KHÔNG HỢP LỆ / NOT VALID",
        Indication::Indeterminate => {
            "CHƯA XÁC ĐỊNH / INDETERMINATE (không kiểm tra được thu hồi / revocation unknown)"
        }
    }
}

/// Which evidence decided the signer certificate's revocation status.
fn revocation_line(signature: &crate::verify::SignatureReport) -> Option<String> {
    let signer = signature.revocation.certificates.first()?;
    let evidence = signer.evidence.as_ref()?;
    Some(format!(
        "revocation: {:?} by {:?} ({:?}{}), thisUpdate {}",
        signer.status,
        evidence.kind,
        evidence.origin,
        evidence
            .url
            .as_deref()
            .map(|u| format!(" {u}"))
            .unwrap_or_default(),
        evidence.this_update.as_deref().unwrap_or("?")
    ))
}
