//! The multi-node backend: several `vanthu serve` processes share one PostgreSQL database.

use std::time::Duration;

use sqlx::postgres::PgPoolOptions;
use sqlx::PgPool;

static MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("schemas/sql/postgres");

pub struct PostgresStore {
    pool: PgPool,
}

impl PostgresStore {
    pub async fn open(url: &str, max_connections: u32) -> DbResult<Self> {
        let pool = PgPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(Duration::from_secs(60))
            .connect(url)
            .await?;
        Ok(Self { pool })
    }

    async fn begin_write(&self) -> Result<sqlx::Transaction<'_, sqlx::Postgres>, sqlx::Error> {
        self.pool.begin().await
    }

    async fn run_migrations(&self) -> DbResult<()> {
        // Migrations take an advisory lock, so nodes starting together migrate once.
        MIGRATIONS.run(&self.pool).await?;
        Ok(())
    }
}

super::sql_audit::impl_audit_chain!(sqlx::postgres::PgRow, " FOR UPDATE");
super::sql_audit::impl_search_outbox!(sqlx::postgres::PgRow);
super::sql_store::impl_metadata_store!(PostgresStore, sqlx::postgres::PgRow, "postgres");
super::sql_workflow::impl_workflow_store!(PostgresStore, sqlx::postgres::PgRow, " FOR UPDATE");
