//! `vanthu doc …` and `vanthu register export`: every workflow step from the server's command
//! line, acting as a named user (`--as`). The same use-cases as the HTTP API run, with the
//! same role checks, and the audit log records that user as the actor.

use std::path::PathBuf;

use anyhow::Context;
use bytes::Bytes;
use chrono::NaiveDate;
use clap::Subcommand;
use uuid::Uuid;

use crate::app::{
    CopyRequest, DocumentListQuery, DocumentUpload, IssueRequest, PlacementRequest, RegisterFormat,
    Services,
};
use crate::config::ResolvedSettings;
use crate::db::UserRecord;
use crate::domain::CopyKind;

#[derive(Debug, clap::Args)]
pub struct Actor {
    /// The user to act as (their role and clearance apply).
    #[arg(long = "as", value_name = "USERNAME")]
    username: String,
}

#[derive(Debug, Subcommand)]
pub enum DocCommand {
    /// Register a draft: metadata JSON (a file or inline) and the PDF (none for a confidential stub).
    Create {
        #[command(flatten)]
        actor: Actor,
        #[arg(long)]
        metadata: String,
        #[arg(long)]
        file: Option<PathBuf>,
    },
    /// Assign the competent person who signs the draft.
    AssignSigner {
        #[command(flatten)]
        actor: Actor,
        #[arg(long)]
        id: Uuid,
        #[arg(long)]
        signer: String,
    },
    /// Layer 1 with the signer's server-held key.
    SignPersonal {
        #[command(flatten)]
        actor: Actor,
        #[arg(long)]
        id: Uuid,
    },
    /// Take the next number and apply the agency signature.
    Issue {
        #[command(flatten)]
        actor: Actor,
        #[arg(long)]
        id: Uuid,
        /// Issue date YYYY-MM-DD (default: today in Vietnam).
        #[arg(long)]
        date: Option<NaiveDate>,
    },
    /// Make a copy (bản sao) of an issued document, numbered in the copies sequence.
    Copy {
        #[command(flatten)]
        actor: Actor,
        /// The issued original.
        #[arg(long)]
        id: Uuid,
        /// sao-y (SY), sao-luc (SL) or trich-sao (TrS).
        #[arg(long, value_parser = parse_copy_kind)]
        kind: CopyKind,
        /// Date of the copy YYYY-MM-DD (default: today in Vietnam).
        #[arg(long)]
        date: Option<NaiveDate>,
        /// Place name written before the date.
        #[arg(long)]
        location: Option<String>,
    },
    /// Revoke (thu hồi) an issued document.
    Revoke {
        #[command(flatten)]
        actor: Actor,
        #[arg(long)]
        id: Uuid,
        #[arg(long)]
        reason: String,
    },
    /// Show one document (JSON).
    Show {
        #[command(flatten)]
        actor: Actor,
        #[arg(long)]
        id: Uuid,
    },
    /// List the documents the user may see (JSON).
    List {
        #[command(flatten)]
        actor: Actor,
    },
    /// Save the current file of a document.
    Download {
        #[command(flatten)]
        actor: Actor,
        #[arg(long)]
        id: Uuid,
        #[arg(long)]
        output: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum RegisterCommand {
    /// Export the outgoing register for a period.
    Export {
        #[command(flatten)]
        actor: Actor,
        #[arg(long)]
        from: NaiveDate,
        #[arg(long)]
        to: NaiveDate,
        /// json, csv, xlsx or pdf
        #[arg(long, default_value = "csv", value_parser = parse_format)]
        format: RegisterFormat,
        #[arg(long)]
        output: PathBuf,
    },
}

fn parse_format(raw: &str) -> Result<RegisterFormat, String> {
    serde_json::from_value(serde_json::Value::String(raw.to_owned()))
        .map_err(|_| format!("'{raw}' is not one of json, csv, xlsx, pdf"))
}

async fn context(
    settings: &ResolvedSettings,
    actor: &Actor,
) -> anyhow::Result<(Services, UserRecord)> {
    let services = crate::startup::open_backends(settings).await?.services;
    let user = services
        .store
        .find_user_by_username(&actor.username)
        .await?
        .filter(|u| u.active)
        .with_context(|| format!("no active user '{}'", actor.username))?;
    Ok((services, user))
}

fn print(value: &impl serde::Serialize) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}

pub async fn run_doc(command: DocCommand, settings: &ResolvedSettings) -> anyhow::Result<()> {
    match command {
        DocCommand::Create {
            actor,
            metadata,
            file,
        } => {
            let (services, user) = context(settings, &actor).await?;
            let metadata_json = if metadata.trim_start().starts_with('{') {
                metadata
            } else {
                std::fs::read_to_string(&metadata)
                    .with_context(|| format!("cannot read {metadata}"))?
            };
            let (file, file_name) = match file {
                Some(path) => (
                    Some(Bytes::from(std::fs::read(&path).with_context(|| {
                        format!("cannot read {}", path.display())
                    })?)),
                    path.file_name().map(|n| n.to_string_lossy().into_owned()),
                ),
                None => (None, None),
            };
            print(
                &services
                    .register_draft(
                        &user,
                        DocumentUpload {
                            metadata_json,
                            file,
                            file_name,
                        },
                    )
                    .await?,
            )
        }
        DocCommand::AssignSigner { actor, id, signer } => {
            let (services, user) = context(settings, &actor).await?;
            print(&services.assign_signer(&user, id, &signer).await?)
        }
        DocCommand::SignPersonal { actor, id } => {
            let (services, user) = context(settings, &actor).await?;
            print(
                &services
                    .sign_personal(&user, id, PlacementRequest::default())
                    .await?,
            )
        }
        DocCommand::Issue { actor, id, date } => {
            let (services, user) = context(settings, &actor).await?;
            print(
                &services
                    .issue_document(
                        &user,
                        id,
                        IssueRequest {
                            issue_date: date,
                            location: None,
                        },
                    )
                    .await?,
            )
        }
        DocCommand::Copy {
            actor,
            id,
            kind,
            date,
            location,
        } => {
            let (services, user) = context(settings, &actor).await?;
            let request = CopyRequest {
                kind,
                copy_date: date,
                location,
            };
            print(&services.copy_document(&user, id, request).await?)
        }
        DocCommand::Revoke { actor, id, reason } => {
            let (services, user) = context(settings, &actor).await?;
            print(&services.revoke_document(&user, id, &reason).await?)
        }
        DocCommand::Show { actor, id } => {
            let (services, user) = context(settings, &actor).await?;
            print(&services.get_document(&user, id).await?)
        }
        DocCommand::List { actor } => {
            let (services, user) = context(settings, &actor).await?;
            print(
                &services
                    .list_documents(&user, DocumentListQuery::default())
                    .await?,
            )
        }
        DocCommand::Download { actor, id, output } => {
            let (services, user) = context(settings, &actor).await?;
            let (bytes, _) = services.read_document_file(&user, id).await?;
            std::fs::write(&output, &bytes)
                .with_context(|| format!("cannot write {}", output.display()))?;
            println!("wrote {} ({} bytes)", output.display(), bytes.len());
            Ok(())
        }
    }
}

pub async fn run_register(
    command: RegisterCommand,
    settings: &ResolvedSettings,
) -> anyhow::Result<()> {
    let RegisterCommand::Export {
        actor,
        from,
        to,
        format,
        output,
    } = command;
    let (services, user) = context(settings, &actor).await?;
    let export = services.export_register(&user, from, to, format).await?;
    std::fs::write(&output, &export.bytes)
        .with_context(|| format!("cannot write {}", output.display()))?;
    println!("wrote {} ({} bytes)", output.display(), export.bytes.len());
    Ok(())
}

/// Accepts the API's names (sao_y), their dashed form (sao-y) and the abbreviations (SY).
fn parse_copy_kind(raw: &str) -> Result<CopyKind, String> {
    let wire = raw.replace('-', "_");
    serde_json::from_value(serde_json::Value::String(wire))
        .or_else(|_| CopyKind::from_abbreviation(raw).map_err(|e| e.to_string()))
        .map_err(|_| format!("'{raw}': expected sao-y, sao-luc or trich-sao (SY, SL, TrS)"))
}
