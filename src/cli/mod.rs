//! The `vanthu` command line. Commands load the layered configuration, then call the same
//! startup and use-case code as the HTTP API. Errors are `anyhow` here, at the edge.

mod accounts;
mod audit;
mod documents;
mod logging;
mod pdf;
mod verify;

use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};

use crate::config::{CommandLineOverrides, ResolvedSettings, Settings};
use crate::startup::{open_backends, Application};

#[derive(Debug, Parser)]
#[command(
    name = "vanthu",
    version,
    about = "Issue, archive and audit two-layer signed outgoing documents"
)]
pub struct Cli {
    /// TOML configuration file (also VANTHU_CONFIG).
    #[arg(long, global = true, env = "VANTHU_CONFIG")]
    config: Option<PathBuf>,
    /// Data directory (SQLite file, local objects, index, demo PKI); overrides data_dir.
    #[arg(long, global = true)]
    data_dir: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the HTTP service (initialises an empty data dir on first start).
    Serve {
        /// Address to listen on, e.g. 127.0.0.1:8080 (port 0 picks a free port).
        #[arg(long)]
        listen: Option<String>,
    },
    /// Initialise the data dir and database (demo agency, users, PKI) and print the credentials.
    Init {
        /// Print the credentials as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Apply database migrations and exit.
    Migrate,
    /// Load the configuration and explain every problem found.
    CheckConfig,
    /// Manage users.
    #[command(subcommand)]
    User(accounts::UserCommand),
    /// Manage API tokens.
    #[command(subcommand)]
    Token(accounts::TokenCommand),
    /// Rebuild this node's search index from the database.
    Reindex,
    /// Search the archive as a user.
    Search {
        #[arg(long = "as", value_name = "USERNAME")]
        username: String,
        /// The query (Vietnamese with or without diacritics, or a number like 15/QĐ-UBND).
        query: String,
        #[arg(long)]
        json: bool,
    },
    /// Verify the signatures of PDF files (exit 0 valid, 1 invalid, 2 error).
    Verify(verify::VerifyArgs),
    /// Validate a whole archive exported from another system, optionally against its register.
    Audit(audit::AuditArgs),
    /// Re-validate every issued document now (what the server does on its schedule).
    Revalidate,
    /// Every workflow step on documents, acting as a named user.
    #[command(subcommand)]
    Doc(documents::DocCommand),
    /// The outgoing register.
    #[command(subcommand)]
    Register(documents::RegisterCommand),
    /// Check or checkpoint the tamper-evident audit log.
    #[command(subcommand)]
    AuditLog(AuditLogCommand),
    /// Sign PDF files offline with the two-layer engine.
    #[command(subcommand)]
    Pdf(pdf::PdfCommand),
    /// Write the generated contracts (OpenAPI, JSON Schemas) into a schemas/ directory.
    #[command(hide = true)]
    WriteSchemas {
        #[arg(long, default_value = "schemas")]
        out: PathBuf,
    },
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let listen = match &cli.command {
        Command::Serve { listen } => listen.clone(),
        _ => None,
    };
    let overrides = CommandLineOverrides {
        data_dir: cli.data_dir.clone(),
        listen,
    };
    let settings =
        Settings::load(cli.config.as_deref(), &overrides).map_err(|e| anyhow::anyhow!("{e}"))?;
    match cli.command {
        Command::CheckConfig => check_config(&settings),
        Command::WriteSchemas { out } => write_schemas(&out),
        Command::Pdf(command) => pdf::run(command),
        Command::Verify(args) => verify::run(args, &settings),
        Command::Audit(args) => audit::run(args, &settings),
        command => {
            let resolved = resolve(&settings)?;
            logging::init(&resolved, matches!(command, Command::Serve { .. }))?;
            run_with(command, resolved).await
        }
    }
}

async fn run_with(command: Command, settings: ResolvedSettings) -> anyhow::Result<()> {
    match command {
        Command::Serve { .. } => serve(settings).await,
        Command::Init { json } => init(settings, json).await,
        Command::Migrate => {
            crate::db::connect(&settings)
                .await
                .context("migration failed")?;
            println!("database is up to date ({})", settings.database.describe());
            Ok(())
        }
        Command::AuditLog(command) => audit_log(command, &settings).await,
        Command::Revalidate => {
            let services = open_backends(&settings).await?.services;
            let summary = services.revalidate_documents().await?;
            println!("{}", serde_json::to_string_pretty(&summary)?);
            Ok(())
        }
        Command::Reindex => {
            let services = open_backends(&settings).await?.services;
            let done = services
                .rebuild_index(|done, total| {
                    if done % 100 == 0 || done == total {
                        eprint!("\rreindexing {done}/{total}");
                    }
                })
                .await?;
            eprintln!();
            println!("search index rebuilt: {done} documents indexed");
            Ok(())
        }
        Command::Search {
            username,
            query,
            json,
        } => search(&settings, &username, query, json).await,
        Command::Doc(command) => documents::run_doc(command, &settings).await,
        Command::Register(command) => documents::run_register(command, &settings).await,
        Command::User(command) => accounts::run_user(command, &settings).await,
        Command::Token(command) => accounts::run_token(command, &settings).await,
        Command::CheckConfig
        | Command::WriteSchemas { .. }
        | Command::Pdf(_)
        | Command::Verify(_)
        | Command::Audit(_) => {
            unreachable!("handled before resolving")
        }
    }
}

#[derive(Debug, Subcommand)]
enum AuditLogCommand {
    /// Recompute the hash chain and compare it with the checkpoints; exit 1 when broken.
    Verify {
        #[arg(long)]
        json: bool,
    },
    /// Write the current chain head to object storage now.
    Checkpoint,
}

async fn audit_log(command: AuditLogCommand, settings: &ResolvedSettings) -> anyhow::Result<()> {
    let services = open_backends(settings).await?.services;
    match command {
        AuditLogCommand::Checkpoint => {
            match services.checkpoint_audit_chain().await? {
                Some(checkpoint) => println!(
                    "checkpoint written at event seq {} ({})",
                    checkpoint.seq, checkpoint.hash
                ),
                None => println!("the audit log is empty"),
            }
            Ok(())
        }
        AuditLogCommand::Verify { json } => {
            let report = services.verify_audit_log(None).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else if report.is_intact() {
                println!(
                    "audit log intact: {} events, {} checkpoints",
                    report.events_checked, report.checkpoints_checked
                );
            } else {
                println!(
                    "audit log TAMPERED: {} problem(s) in {} events",
                    report.problems.len(),
                    report.events_checked
                );
                for problem in &report.problems {
                    println!(
                        "  seq {}: [{}] {}",
                        problem.seq, problem.kind, problem.message
                    );
                }
            }
            if !report.is_intact() {
                std::process::exit(1);
            }
            Ok(())
        }
    }
}

async fn search(
    settings: &ResolvedSettings,
    username: &str,
    query: String,
    json: bool,
) -> anyhow::Result<()> {
    let services = open_backends(settings).await?.services;
    services.index_pending().await?;
    let user = services
        .store
        .find_user_by_username(username)
        .await?
        .filter(|u| u.active)
        .with_context(|| format!("no active user '{username}'"))?;
    let request = search_index::SearchRequest {
        text: query,
        page: 1,
        page_size: 20,
        ..Default::default()
    };
    let results = services.search(&user, request).await?;
    if json {
        println!("{}", serde_json::to_string_pretty(&results)?);
        return Ok(());
    }
    let about = if results.total_is_exact { "" } else { "about " };
    println!("{about}{} result(s)", results.total);
    for hit in &results.hits {
        println!(
            "{:<14} {}{}  {}",
            hit.number.as_deref().unwrap_or("(chưa số)"),
            hit.subject,
            if hit.scan { " [scan]" } else { "" },
            hit.id
        );
    }
    Ok(())
}

fn resolve(settings: &Settings) -> anyhow::Result<ResolvedSettings> {
    settings.resolve().map_err(|problems| {
        let list: Vec<String> = problems.iter().map(|p| format!("  - {p}")).collect();
        anyhow::anyhow!(
            "the configuration has {} problem(s):\n{}\n(run `vanthu check-config` for details)",
            problems.len(),
            list.join("\n")
        )
    })
}

async fn serve(settings: ResolvedSettings) -> anyhow::Result<()> {
    let application = Application::build(settings.clone()).await?;
    if application.created_demo_data() {
        if let Some(credentials) = application.demo_credentials() {
            print_credentials_table(credentials);
        }
    }
    tracing::info!(address = %application.local_addr(), database = %settings.database.describe(), "listening");
    // A plain line on stdout too, so scripts started with --listen ...:0 can find the port.
    println!("vanthu listening on http://{}", application.local_addr());
    application.run_until_stopped().await
}

async fn init(settings: ResolvedSettings, json: bool) -> anyhow::Result<()> {
    let backends = open_backends(&settings).await?;
    let credentials = match backends.bootstrap {
        crate::app::bootstrap::BootstrapOutcome::Created(c) => Some(*c),
        crate::app::bootstrap::BootstrapOutcome::AlreadyInitialized(c) => c.map(|c| *c),
    };
    let Some(credentials) = credentials else {
        anyhow::bail!(
            "the database is already initialised and this data dir holds no demo credentials"
        );
    };
    if json {
        println!("{}", serde_json::to_string_pretty(&credentials)?);
    } else {
        print_credentials_table(&credentials);
    }
    Ok(())
}

fn print_credentials_table(credentials: &crate::app::bootstrap::DemoCredentials) {
    println!(
        "Demo agency: {} ({}, {})",
        credentials.agency.name, credentials.agency.organ_id, credentials.agency.abbreviation
    );
    println!(
        "{:<12} {:<8} {:<22} {:<22} token",
        "username", "role", "name", "password"
    );
    for user in &credentials.users {
        println!(
            "{:<12} {:<8} {:<22} {:<22} {}",
            user.username,
            user.role.as_str(),
            user.display_name,
            user.password,
            user.token
        );
    }
    println!(
        "Demo PKI root (trust anchor): {}",
        credentials.pki.root_ca.display()
    );
}

fn check_config(settings: &Settings) -> anyhow::Result<()> {
    match settings.resolve() {
        Ok(resolved) => {
            println!("configuration is valid");
            println!("  data dir : {}", resolved.data_dir.display());
            println!("  listen   : {}", resolved.listen);
            println!("  database : {}", resolved.database.describe());
            println!("  storage  : {:?}", resolved.storage);
            println!("  index    : {}", resolved.index_dir.display());
            println!(
                "  revocation: {:?} (cache {})",
                resolved.verify.revocation,
                resolved.verify.cache_dir.display()
            );
            Ok(())
        }
        Err(problems) => {
            eprintln!("the configuration has {} problem(s):", problems.len());
            for problem in &problems {
                eprintln!("  - {problem}");
            }
            anyhow::bail!("invalid configuration")
        }
    }
}

fn write_schemas(out: &std::path::Path) -> anyhow::Result<()> {
    for (relative, content) in generated_schema_files() {
        let path = out.join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&path, content)
            .with_context(|| format!("cannot write {}", path.display()))?;
        println!("wrote {}", path.display());
    }
    Ok(())
}

/// Every generated contract with its path under `schemas/`. The drift test compares these
/// with the committed files.
pub fn generated_schema_files() -> Vec<(&'static str, String)> {
    let metadata_schema = serde_json::to_string_pretty(&crate::app::draft_metadata_schema())
        .unwrap_or_default()
        + "\n";
    vec![
        (
            "openapi/vanthu.v1.json",
            crate::http::openapi::openapi_json(),
        ),
        ("json/draft-metadata.v1.schema.json", metadata_schema),
        (
            "json/exemption-rules.v1.schema.json",
            pretty(&crate::app::exemption::exemption_rules_schema()),
        ),
        (
            "examples/exemption-rules.default.json",
            pretty(&crate::app::exemption::default_rules_json()),
        ),
        (
            "json/validation-report.v1.schema.json",
            pretty(
                &serde_json::to_value(schemars::schema_for!(crate::verify::PdfReport))
                    .unwrap_or_default(),
            ),
        ),
    ]
}

fn pretty(value: &serde_json::Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_default() + "\n"
}
