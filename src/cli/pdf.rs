//! `vanthu pdf sign-personal`, `sign-agency` and `sign-attachment`: the signing engine on
//! files, for offline use and for checking a layout before wiring it into the workflow.

use std::path::{Path, PathBuf};

use anyhow::Context;
use chrono::{FixedOffset, NaiveDate, Utc};
use clap::Subcommand;

use crate::domain::DocumentNumber;
use crate::signing::engine::{self, LayoutOverride, SigningKey};
use crate::signing::font::FontProgram;
use crate::signing::images;
use crate::signing::pdf_update::Placement;

#[derive(Debug, Subcommand)]
#[expect(
    clippy::enum_variant_names,
    reason = "the variants are the CLI's sign-* command names"
)]
pub enum PdfCommand {
    /// Layer 1: the competent person's signature (also pre-creates the fields layer 2 fills).
    SignPersonal {
        #[command(flatten)]
        files: FileArgs,
        /// The signer's signature image (blue, transparent PNG); default: a demo signature.
        #[arg(long)]
        signature_image: Option<PathBuf>,
        /// Area for the signature "x1,y1,x2,y2" in points (default: found from the page's text).
        #[arg(long, value_parser = parse_rect)]
        signature_area: Option<[f32; 4]>,
        /// Page of --signature-area (default: the last page).
        #[arg(long)]
        page: Option<u32>,
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
        /// The agency's seal image (red, transparent PNG); default: a demo seal.
        #[arg(long)]
        seal_image: Option<PathBuf>,
        #[arg(long, default_value = "")]
        location: String,
    },
    /// An attachment issued as a separate file: agency signature without image, top-right.
    SignAttachment {
        #[command(flatten)]
        files: FileArgs,
        /// Number and notation of the main document.
        #[arg(long)]
        main_number: String,
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
            signature_image,
            signature_area,
            page,
            reason,
        } => {
            let (input, key) = load(&files)?;
            let png = match signature_image {
                Some(path) => read(&path)?,
                None => images::demo_signature_png(&common_name(&key))?,
            };
            let mut overrides = LayoutOverride::default();
            if let Some(rect) = signature_area {
                let page = match page {
                    Some(page) => page,
                    None => engine::page_count(&input)?,
                };
                overrides.signature_area = Some(Placement { page, rect });
            }
            let signed =
                engine::sign_personal(input, &key, &png, &overrides, vietnam_now(), &reason)?;
            write(&files, &signed)
        }
        PdfCommand::SignAgency {
            files,
            number,
            date,
            seal_image,
            location,
        } => {
            let number = DocumentNumber::parse(&number).map_err(|e| anyhow::anyhow!("{e}"))?;
            let (input, key) = load(&files)?;
            let font = FontProgram::system_serif()?;
            let png = match seal_image {
                Some(path) => read(&path)?,
                None => images::demo_seal_png(
                    &common_name(&key).to_uppercase(),
                    images::system_bold_serif().as_deref(),
                )?,
            };
            let now = vietnam_now();
            let date = date.unwrap_or_else(|| now.date_naive());
            let signed =
                engine::sign_agency(input, &key, &number, date, &png, &font, now, &location)?;
            write(&files, &signed)
        }
        PdfCommand::SignAttachment { files, main_number } => {
            let number = DocumentNumber::parse(&main_number).map_err(|e| anyhow::anyhow!("{e}"))?;
            let (input, key) = load(&files)?;
            let font = FontProgram::system_serif()?;
            let signed = engine::sign_attachment(input, &key, &number, &font, vietnam_now())?;
            write(&files, &signed)
        }
    }
}

fn common_name(key: &SigningKey) -> String {
    crate::signing::demo_pki::common_name(&key.certificate).unwrap_or_else(|| "Người ký".to_owned())
}

fn read(path: &Path) -> anyhow::Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))
}

fn load(files: &FileArgs) -> anyhow::Result<(Vec<u8>, SigningKey)> {
    let input = read(&files.input)?;
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
