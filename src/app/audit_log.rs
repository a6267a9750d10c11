//! The audit log's checkpoints and verification (see `crate::audit` for the chain itself).

use super::documents::require;
use super::{AppResult, Services};
use crate::audit::{self, ChainReport, Checkpoint};
use crate::db::UserRecord;
use crate::domain::Action;
use crate::storage::StorageKey;

impl Services {
    /// Writes the current chain head to object storage (once per head). Returns it.
    pub async fn checkpoint_audit_chain(&self) -> AppResult<Option<Checkpoint>> {
        let (seq, hash) = self.store.audit_chain_head().await?;
        if seq == 0 {
            return Ok(None);
        }
        let checkpoint = Checkpoint {
            seq,
            hash: hash.clone(),
            written_at: chrono::Utc::now(),
        };
        let value = serde_json::to_value(&checkpoint)
            .map_err(|e| super::AppError::Internal(e.to_string()))?;
        self.blobs
            .put_once_json(&StorageKey::AuditCheckpoint { seq, hash }, &value)
            .await?;
        Ok(Some(checkpoint))
    }

    /// Recomputes the whole chain and compares it with every checkpoint. `None` actor: the
    /// operator on the server (CLI).
    pub async fn verify_audit_log(&self, actor: Option<&UserRecord>) -> AppResult<ChainReport> {
        if let Some(actor) = actor {
            require(actor, Action::VerifyAuditLog)?;
        }
        let events = self.store.list_audit_events(None).await?;
        let checkpoints: Vec<Checkpoint> = self
            .blobs
            .list_json(&StorageKey::checkpoint_prefix())
            .await?
            .into_iter()
            .filter_map(|value| serde_json::from_value(value).ok())
            .collect();
        Ok(crate::blocking::run(move || audit::verify_chain(&events, &checkpoints)).await?)
    }
}
