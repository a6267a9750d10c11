//! Appending to the audit log's hash chain, for both backends. Always inside the caller's
//! write transaction: the chain head row is locked (`FOR UPDATE` on PostgreSQL; SQLite's
//! `BEGIN IMMEDIATE` already serialises writers), so events chain in commit order.

macro_rules! impl_audit_chain {
    ($row:ty, $for_update:literal) => {
        async fn append_event_in(
            tx: &mut sqlx::Transaction<'_, <$row as sqlx::Row>::Database>,
            event: &$crate::db::AuditEventRecord,
        ) -> $crate::db::DbResult<()> {
            let head = sqlx::query(concat!("SELECT last_hash FROM audit_chain_head WHERE id = 1", $for_update))
                .fetch_one(&mut **tx)
                .await?;
            let prev: String = head.try_get("last_hash")?;
            let hash = $crate::audit::event_hash(&prev, event);
            let inserted = sqlx::query(
                "INSERT INTO audit_events (id, occurred_at, actor_user_id, action, document_id, details, prev_hash, hash) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING seq",
            )
            .bind(event.id).bind(event.occurred_at).bind(event.actor_user_id).bind(&event.action)
            .bind(event.document_id).bind(&event.details_json).bind(&prev).bind(&hash)
            .fetch_one(&mut **tx)
            .await?;
            let seq: i64 = inserted.try_get("seq")?;
            sqlx::query("UPDATE audit_chain_head SET last_seq = $1, last_hash = $2 WHERE id = 1")
                .bind(seq).bind(&hash)
                .execute(&mut **tx)
                .await?;
            Ok(())
        }
    };
}

pub(crate) use impl_audit_chain;

/// Queues a document for the search indexers, inside the caller's transaction.
macro_rules! impl_search_outbox {
    ($row:ty) => {
        async fn enqueue_for_search(
            tx: &mut sqlx::Transaction<'_, <$row as sqlx::Row>::Database>,
            document_id: uuid::Uuid,
        ) -> $crate::db::DbResult<()> {
            sqlx::query("INSERT INTO search_outbox (document_id, enqueued_at) VALUES ($1, $2)")
                .bind(document_id)
                .bind(chrono::Utc::now())
                .execute(&mut **tx)
                .await?;
            Ok(())
        }

        /// Inserts a document row inside the caller's transaction (drafts, stubs and copies).
        async fn insert_document_in(
            tx: &mut sqlx::Transaction<'_, <$row as sqlx::Row>::Database>,
            d: &$crate::db::DocumentRecord,
        ) -> $crate::db::DbResult<()> {
            sqlx::query("INSERT INTO documents (id, agency_id, unit_id, document_type, confidentiality, urgency, status, subject, \
                    language, page_amount, description, recipients, issued_amount, due_date, signer_user_id, ordinal, notation, \
                    issued_at, created_by, created_at, updated_at, exemption_rule_id, summary_withheld, related_document_id, relation, \
                    legal_normative, copy_of, copy_kind) \
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, \
                    $26, $27, $28)")
                .bind(d.id).bind(d.agency_id).bind(d.unit_id).bind(d.document_type.code())
                .bind(d.confidentiality.as_str()).bind(d.urgency.as_str()).bind(d.status.as_str())
                .bind(&d.subject).bind(&d.language).bind(d.page_amount).bind(&d.description)
                .bind(&d.recipients_json).bind(d.issued_amount).bind(d.due_date).bind(d.signer_user_id)
                .bind(d.ordinal).bind(&d.notation).bind(d.issued_at).bind(d.created_by)
                .bind(d.created_at).bind(d.updated_at).bind(&d.exemption_rule_id).bind(d.summary_withheld)
                .bind(d.related.map(|r| r.document_id)).bind(d.related.map(|r| r.kind.as_str()))
                .bind(d.legal_normative).bind(d.copy_of.map(|c| c.original_id)).bind(d.copy_of.map(|c| c.kind.abbreviation()))
                .execute(&mut **tx).await
                .map_err(|e| $crate::db::DbError::from_sqlx(e, "a document with this id"))?;
            Ok(())
        }
    };
}

pub(crate) use impl_search_outbox;
