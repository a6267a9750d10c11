//! `vanthu pdf sign-personal` and `vanthu pdf sign-agency`: the signing engine on files, for
//! offline use and for checking a layout before wiring it into the workflow.

use std::path::PathBuf;

use anyhow::Context;
use chrono::{FixedOffset, NaiveDate, Utc};
use clap::Subcommand;

use crate::signing::engine::{self, Layout, SigningKey};
use crate::signing::pdf_update::Placement;

#[derive(Debug, Subcommand)]
pub enum PdfCommand {
    /// Layer 1: the competent person's signature (also pre-creates the agency's field).
    SignPersonal {
        #[command(flatten)]
        files: FileArgs,
        /// Page for both widgets (default: the last page).
        #[arg(long)]
        page: Option<u32>,
        /// Personal widget rectangle "x1,y1,x2,y2" in points.
        #[arg(long, value_parser = parse_rect)]
        rect: Option<[f32; 4]>,
        /// Agency widget rectangle "x1,y1,x2,y2" in points.
        #[arg(long, value_parser = parse_rect)]
        agency_rect: Option<[f32; 4]>,
        #[arg(long, default_value = "Ký duyệt văn bản")]
        reason: String,
    },
    /// Layer 2: the agency's signature with the document's number and date.
    SignAgency {
        #[command(flatten)]
        files: FileArgs,
        /// Number and notation, e.g. 05/QĐ-UBND.
        #[arg(long)]
        number: String,
        /// Issue date YYYY-MM-DD (default: today in Vietnam).
        #[arg(long)]
        date: Option<NaiveDate>,
        #[arg(long, default_value = "")]
        location: String,
    },
}

#[derive(Debug, clap::Args)]
pub struct FileArgs {
    #[arg(long)]
    input: PathBuf,
    #[arg(long)]
    output: PathBuf,
    /// PKCS#12 file with the key, its certificate and chain.
    #[arg(long)]
    pkcs12: PathBuf,
    /// File holding the PKCS#12 passphrase.
    #[arg(long)]
    passphrase_file: PathBuf,
}

fn parse_rect(raw: &str) -> Result<[f32; 4], String> {
    let values: Vec<f32> = raw
        .split(',')
        .map(|v| v.trim().parse::<f32>())
        .collect::<Result<_, _>>()
        .map_err(|e| e.to_string())?;
    values
        .try_into()
        .map_err(|_| "expected four numbers x1,y1,x2,y2".to_owned())
}

fn vietnam_now() -> chrono::DateTime<FixedOffset> {
    Utc::now().with_timezone(&crate::domain::vietnam_offset())
}

pub fn run(command: PdfCommand) -> anyhow::Result<()> {
    match command {
        PdfCommand::SignPersonal {
            files,
            page,
            rect,
            agency_rect,
            reason,
        } => {
            let (input, key) = load(&files)?;
            let page = match page {
                Some(page) => page,
                None => engine::page_count(&input)?,
            };
            let mut layout = Layout::default_for_page(page);
            if let Some(rect) = rect {
                layout.personal = Placement { page, rect };
            }
            if let Some(rect) = agency_rect {
                layout.agency = Placement { page, rect };
            }
            let signed = engine::sign_personal(&input, &key, layout, vietnam_now(), &reason)?;
            write(&files, &signed)
        }
        PdfCommand::SignAgency {
            files,
            number,
            date,
            location,
        } => {
            let number = crate::domain::DocumentNumber::parse(&number)
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            let (input, key) = load(&files)?;
            let now = vietnam_now();
            let date = date.unwrap_or_else(|| now.date_naive());
            let reason = format!(
                "Phát hành văn bản số {number} ngày {}",
                date.format("%d/%m/%Y")
            );
            let fallback = Layout::default_for_page(engine::page_count(&input)?).agency;
            let signed = engine::sign_agency(&input, &key, fallback, now, &reason, &location)?;
            write(&files, &signed)
        }
    }
}

fn load(files: &FileArgs) -> anyhow::Result<(Vec<u8>, SigningKey)> {
    let input = std::fs::read(&files.input)
        .with_context(|| format!("cannot read {}", files.input.display()))?;
    let passphrase = std::fs::read_to_string(&files.passphrase_file)
        .with_context(|| format!("cannot read {}", files.passphrase_file.display()))?;
    let key =
        SigningKey::from_pkcs12_file(&files.pkcs12, passphrase.trim_end_matches(['\n', '\r']))?;
    Ok((input, key))
}

fn write(files: &FileArgs, bytes: &[u8]) -> anyhow::Result<()> {
    std::fs::write(&files.output, bytes)
        .with_context(|| format!("cannot write {}", files.output.display()))?;
    println!("wrote {} ({} bytes)", files.output.display(), bytes.len());
    Ok(())
}
