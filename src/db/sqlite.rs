//! The embedded backend: one SQLite file in the data dir, in WAL mode so readers never wait
//! for the writer, with a busy timeout so concurrent writers queue instead of failing.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;

static MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("schemas/sql/sqlite");

pub struct SqliteStore {
    pool: SqlitePool,
}

impl SqliteStore {
    pub async fn open(path: &Path, max_connections: u32) -> DbResult<Self> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(sqlx::Error::Io)?;
        }
        let options = SqliteConnectOptions::from_str("sqlite://")?
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(60));
        let pool = SqlitePoolOptions::new()
            .max_connections(max_connections)
            .connect_with(options)
            .await?;
        Ok(Self { pool })
    }

    /// `BEGIN IMMEDIATE` takes the write lock at once, so two writers never deadlock
    /// upgrading a read lock.
    async fn begin_write(&self) -> Result<sqlx::Transaction<'_, sqlx::Sqlite>, sqlx::Error> {
        self.pool.begin_with("BEGIN IMMEDIATE").await
    }

    async fn run_migrations(&self) -> DbResult<()> {
        MIGRATIONS.run(&self.pool).await?;
        Ok(())
    }
}

super::sql_audit::impl_audit_chain!(sqlx::sqlite::SqliteRow, "");
super::sql_audit::impl_search_outbox!(sqlx::sqlite::SqliteRow);
super::sql_store::impl_metadata_store!(SqliteStore, sqlx::sqlite::SqliteRow, "sqlite");
super::sql_workflow::impl_workflow_store!(SqliteStore, sqlx::sqlite::SqliteRow, "");
