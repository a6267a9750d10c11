//! The audit log's hash chain. Each event's hash covers its content and the previous event's
//! hash, so editing, deleting, inserting or reordering events breaks the chain at that place.
//! Checkpoints of the chain head, written to object storage, also catch a rewritten tail.
//! Pure functions: the database and storage code call them.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::db::AuditEventRecord;

/// The "previous hash" of the first event.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// SHA-256 over the previous hash and the event's fields, one per line, in a fixed order.
/// Times are written with microsecond precision, what both databases store.
pub fn event_hash(prev_hash: &str, event: &AuditEventRecord) -> String {
    let optional =
        |value: Option<uuid::Uuid>| value.map(|v| v.to_string()).unwrap_or_else(|| "-".into());
    let canonical = format!(
        "{prev_hash}\n{}\n{}\n{}\n{}\n{}\n{}",
        event.id,
        event.occurred_at.format("%Y-%m-%dT%H:%M:%S%.6fZ"),
        optional(event.actor_user_id),
        event.action,
        optional(event.document_id),
        event.details_json
    );
    hex::encode(Sha256::digest(canonical.as_bytes()))
}

/// A recorded chain head.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    pub seq: i64,
    pub hash: String,
    pub written_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChainProblem {
    /// Sequence number of the event where the problem shows.
    pub seq: i64,
    /// `edited`, `link_broken`, `checkpoint_mismatch`, `unchained`.
    pub kind: &'static str,
    pub message: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ChainReport {
    pub events_checked: usize,
    pub checkpoints_checked: usize,
    pub problems: Vec<ChainProblem>,
}

impl ChainReport {
    pub fn is_intact(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Walks `events` (in sequence order) and the checkpoints and says where the chain breaks.
pub fn verify_chain(events: &[AuditEventRecord], checkpoints: &[Checkpoint]) -> ChainReport {
    let mut problems = Vec::new();
    let mut expected_prev = GENESIS.to_owned();
    let known: std::collections::HashMap<&str, i64> = events
        .iter()
        .filter_map(|e| e.hash.as_deref().map(|h| (h, e.seq)))
        .collect();
    for event in events {
        let (Some(prev), Some(hash)) = (event.prev_hash.as_deref(), event.hash.as_deref()) else {
            problems.push(ChainProblem {
                seq: event.seq,
                kind: "unchained",
                message: format!(
                    "event {} (seq {}) carries no chain hash: it was inserted outside the service",
                    event.id, event.seq
                ),
            });
            continue;
        };
        if prev != expected_prev {
            let why = match known.get(prev) {
                Some(other) => format!("it follows event seq {other} in the chain: events were reordered or one was inserted"),
                None if prev == GENESIS => "it claims to be the first event: events before it were inserted or it was moved".into(),
                None => "the event it follows no longer exists: an event was deleted".into(),
            };
            problems.push(ChainProblem {
                seq: event.seq,
                kind: "link_broken",
                message: format!("the chain breaks before event seq {}: {why}", event.seq),
            });
        }
        if event_hash(prev, event) != hash {
            problems.push(ChainProblem {
                seq: event.seq,
                kind: "edited",
                message: format!(
                    "event seq {} ({}) was edited after it was written",
                    event.seq, event.action
                ),
            });
        }
        expected_prev = hash.to_owned();
    }
    for checkpoint in checkpoints {
        let recorded = events.iter().find(|e| e.seq == checkpoint.seq);
        if recorded.and_then(|e| e.hash.as_deref()) != Some(checkpoint.hash.as_str()) {
            problems.push(ChainProblem {
                seq: checkpoint.seq,
                kind: "checkpoint_mismatch",
                message: format!("the checkpoint of {} records event seq {} with another hash: the log was rewritten after it", checkpoint.written_at, checkpoint.seq),
            });
        }
    }
    ChainReport {
        events_checked: events.len(),
        checkpoints_checked: checkpoints.len(),
        problems,
    }
}
