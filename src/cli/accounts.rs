//! `vanthu user …` and `vanthu token …`: the operator's tools on the server itself.

use std::path::PathBuf;

use anyhow::Context;
use clap::Subcommand;
use uuid::Uuid;

use crate::app::{NewUserRequest, Services};
use crate::config::ResolvedSettings;
use crate::domain::{Confidentiality, Role};

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a user; prints the initial password (generated unless given).
    Add {
        #[arg(long)]
        username: String,
        #[arg(long)]
        display_name: String,
        #[arg(long, value_parser = parse_role)]
        role: Role,
        #[arg(long, value_parser = parse_clearance, default_value = "none")]
        clearance: Confidentiality,
        /// Agency identifier (defaults to the only agency).
        #[arg(long)]
        organ_id: Option<String>,
        #[arg(long)]
        unit: Option<String>,
        /// Read the initial password from this file instead of generating one.
        #[arg(long)]
        password_file: Option<PathBuf>,
    },
    /// List users.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Change a user's role.
    SetRole {
        #[arg(long)]
        username: String,
        #[arg(long, value_parser = parse_role)]
        role: Role,
    },
    /// Set a user's password from a file (or VANTHU_NEW_PASSWORD).
    SetPassword {
        #[arg(long)]
        username: String,
        #[arg(long)]
        password_file: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create an API token for a user and print it (shown once).
    Create {
        #[arg(long)]
        username: String,
        #[arg(long, default_value = "cli")]
        name: String,
        /// Expire after this many days (default: never).
        #[arg(long)]
        expires_days: Option<u32>,
        #[arg(long)]
        json: bool,
    },
    /// Revoke a token by id.
    Revoke {
        #[arg(long)]
        id: Uuid,
    },
}

fn parse_role(raw: &str) -> Result<Role, String> {
    raw.parse()
        .map_err(|e: crate::domain::ParseError| e.to_string())
}

fn parse_clearance(raw: &str) -> Result<Confidentiality, String> {
    raw.parse()
        .map_err(|e: crate::domain::ParseError| e.to_string())
}

async fn services(settings: &ResolvedSettings) -> anyhow::Result<Services> {
    Ok(crate::startup::open_backends(settings).await?.services)
}

pub async fn run_user(command: UserCommand, settings: &ResolvedSettings) -> anyhow::Result<()> {
    let services = services(settings).await?;
    match command {
        UserCommand::Add {
            username,
            display_name,
            role,
            clearance,
            organ_id,
            unit,
            password_file,
        } => {
            let password = password_file.map(read_secret_file).transpose()?;
            let request = NewUserRequest {
                username,
                display_name,
                role,
                clearance,
                organ_id,
                unit,
                password,
            };
            let (user, password) = services.create_user(request).await?;
            println!(
                "created {} ({}) with password: {password}",
                user.username, user.role
            );
        }
        UserCommand::List { json } => {
            let users = services.list_users().await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&users)?);
            } else {
                for user in users {
                    println!(
                        "{:<14} {:<8} {:<10} {:<14} {}",
                        user.username,
                        user.role.as_str(),
                        user.clearance.as_str(),
                        user.organ_id,
                        user.display_name
                    );
                }
            }
        }
        UserCommand::SetRole { username, role } => {
            services.set_user_role(&username, role).await?;
            println!("{username} is now {role}");
        }
        UserCommand::SetPassword {
            username,
            password_file,
        } => {
            let password = match password_file {
                Some(path) => read_secret_file(path)?,
                None => std::env::var("VANTHU_NEW_PASSWORD")
                    .context("give --password-file or set VANTHU_NEW_PASSWORD")?,
            };
            services.set_user_password(&username, &password).await?;
            println!("password of {username} changed");
        }
    }
    Ok(())
}

pub async fn run_token(command: TokenCommand, settings: &ResolvedSettings) -> anyhow::Result<()> {
    let services = services(settings).await?;
    match command {
        TokenCommand::Create {
            username,
            name,
            expires_days,
            json,
        } => {
            let created = services
                .create_api_token(&username, &name, expires_days)
                .await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&created)?);
            } else {
                println!("token {} for {}: {}", created.id, username, created.token);
            }
        }
        TokenCommand::Revoke { id } => {
            services.revoke_token(id).await?;
            println!("token {id} revoked");
        }
    }
    Ok(())
}

fn read_secret_file(path: PathBuf) -> anyhow::Result<String> {
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    Ok(text.trim_end_matches(['\n', '\r']).to_owned())
}
