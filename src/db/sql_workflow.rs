//! The SQL of the signing and issuing workflow, written once for both backends (see
//! `sql_store.rs`). Numbering happens inside one write transaction that also stores the
//! issued document: the register row is locked (`FOR UPDATE` on PostgreSQL; SQLite's
//! `BEGIN IMMEDIATE` takes the database write lock), the caller builds the issued file with
//! the number, and everything commits together — or nothing does, and the number is not used.

macro_rules! impl_workflow_store {
    ($store:ty, $row:ty, $for_update:literal) => {
        fn stored_verification_from_row(row: &$row) -> DbResult<StoredVerificationRecord> {
            Ok(StoredVerificationRecord {
                id: row.try_get("id")?,
                file_sha256: row.try_get("file_sha256")?,
                file_size: row.try_get("file_size")?,
                valid: row.try_get("valid")?,
                indication: row.try_get("indication")?,
                view_json: row.try_get("view")?,
                stored_by: row.try_get("stored_by")?,
                stored_at: row.try_get("stored_at")?,
            })
        }

        fn certificate_from_row(row: &$row) -> DbResult<CertificateRecord> {
            let purpose = match row.try_get::<&str, _>("purpose")? {
                "personal" => CertificatePurpose::Personal,
                "organization" => CertificatePurpose::Organization,
                other => return Err(DbError::Corrupt(format!("certificates.purpose = '{other}'"))),
            };
            Ok(CertificateRecord {
                id: row.try_get("id")?,
                agency_id: row.try_get("agency_id")?,
                purpose,
                subject: row.try_get("subject")?,
                issuer: row.try_get("issuer")?,
                serial_hex: row.try_get("serial_hex")?,
                sha256_fingerprint: row.try_get("sha256_fingerprint")?,
                pem: row.try_get("pem")?,
                not_before: row.try_get("not_before")?,
                not_after: row.try_get("not_after")?,
                pkcs12_path: row.try_get("pkcs12_path")?,
                created_at: row.try_get("created_at")?,
            })
        }

        fn signer_from_row(row: &$row) -> DbResult<SignerRecord> {
            Ok(SignerRecord {
                id: row.try_get("id")?,
                user_id: row.try_get("user_id")?,
                certificate_id: row.try_get("certificate_id")?,
                position: row.try_get("position")?,
                authority_mark: row.try_get("authority_mark")?,
                signature_image_sha256: row.try_get("signature_image_sha256")?,
                active: row.try_get("active")?,
                created_at: row.try_get("created_at")?,
            })
        }

        fn session_from_row(row: &$row) -> DbResult<SigningSessionRecord> {
            Ok(SigningSessionRecord {
                id: row.try_get("id")?,
                document_id: row.try_get("document_id")?,
                user_id: row.try_get("user_id")?,
                certificate_id: row.try_get("certificate_id")?,
                prepared_sha256: row.try_get("prepared_sha256")?,
                contents_start: row.try_get("contents_start")?,
                contents_end: row.try_get("contents_end")?,
                signed_attributes_hex: row.try_get("signed_attributes")?,
                created_at: row.try_get("created_at")?,
                expires_at: row.try_get("expires_at")?,
                completed_at: row.try_get("completed_at")?,
            })
        }

        const INSERT_FILE: &str = "INSERT INTO document_files (id, document_id, kind, sha256, size_bytes, media_type, original_filename, created_at) \
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";

        /// The draft → signed_personal transition with its file and event, inside `tx`.
        async fn layer_one_in(
            tx: &mut sqlx::Transaction<'_, <$row as sqlx::Row>::Database>,
            document_id: uuid::Uuid,
            file: &DocumentFileRecord,
            event: &AuditEventRecord,
        ) -> DbResult<()> {
            let moved = sqlx::query("UPDATE documents SET status = 'signed_personal', updated_at = $1 WHERE id = $2 AND status = 'draft'")
                .bind(file.created_at).bind(document_id).execute(&mut **tx).await?;
            if moved.rows_affected() != 1 {
                return Err(DbError::Conflict("the document is no longer a draft; a personal signature".into()));
            }
            sqlx::query(INSERT_FILE)
                .bind(file.id).bind(file.document_id).bind(file.kind.as_str()).bind(&file.sha256)
                .bind(file.size_bytes).bind(&file.media_type).bind(&file.original_filename).bind(file.created_at)
                .execute(&mut **tx).await
                .map_err(|e| DbError::from_sqlx(e, "a personally signed file for the document"))?;
            append_event_in(tx, event).await?;
            enqueue_for_search(tx, document_id).await?;
            Ok(())
        }

        /// Takes the next number of `register`, lets `build` make the issued document and moves
        /// `document_id` to it, inside `tx`: any failure drops the transaction, so the number is
        /// not consumed.
        async fn issue_in(
            tx: &mut sqlx::Transaction<'_, <$row as sqlx::Row>::Database>,
            register: &RegisterKey,
            document_id: uuid::Uuid,
            build: &mut (dyn FnMut(i64) -> futures::future::BoxFuture<'static, Result<IssuedDocument, $crate::db::BuildError>> + Send),
        ) -> DbResult<(i64, IssuedDocument)> {
            sqlx::query("INSERT INTO registers (id, agency_id, year, sequence_kind, document_type, last_number, created_at) \
                    VALUES ($1, $2, $3, $4, $5, 0, $6) ON CONFLICT (agency_id, year, sequence_kind, document_type) DO NOTHING")
                .bind(uuid::Uuid::now_v7()).bind(register.agency_id).bind(i64::from(register.year))
                .bind(register.sequence_kind.as_str()).bind(&register.document_type).bind(chrono::Utc::now())
                .execute(&mut **tx).await?;
            let row = sqlx::query(concat!("SELECT id, last_number FROM registers WHERE agency_id = $1 AND year = $2 \
                    AND sequence_kind = $3 AND document_type = $4", $for_update))
                .bind(register.agency_id).bind(i64::from(register.year)).bind(register.sequence_kind.as_str()).bind(&register.document_type)
                .fetch_one(&mut **tx).await?;
            let register_id: uuid::Uuid = row.try_get("id")?;
            let next: i64 = row.try_get::<i64, _>("last_number")? + 1;
            // Any failure from here on drops the transaction: the number is not consumed.
            let issued = build(next).await.map_err(DbError::Aborted)?;
            sqlx::query("UPDATE registers SET last_number = $1 WHERE id = $2").bind(next).bind(register_id).execute(&mut **tx).await?;
            let moved = sqlx::query("UPDATE documents SET status = $1, register_id = $2, ordinal = $3, notation = $4, issued_at = $5, updated_at = $5 \
                    WHERE id = $6 AND status IN ('signed_personal', 'registered_stub') AND ordinal IS NULL")
                .bind(issued.status.as_str()).bind(register_id).bind(next).bind(&issued.notation).bind(issued.issued_at).bind(document_id)
                .execute(&mut **tx).await?;
            if moved.rows_affected() != 1 {
                return Err(DbError::Conflict("the document was issued or changed meanwhile; an issuance".into()));
            }
            if let Some(file) = &issued.file {
                sqlx::query(INSERT_FILE)
                    .bind(file.id).bind(file.document_id).bind(file.kind.as_str()).bind(&file.sha256)
                    .bind(file.size_bytes).bind(&file.media_type).bind(&file.original_filename).bind(file.created_at)
                    .execute(&mut **tx).await
                    .map_err(|e| DbError::from_sqlx(e, "an issued file for the document"))?;
            }
            let event = &issued.event;
            append_event_in(tx, event).await?;
            enqueue_for_search(tx, document_id).await?;
            Ok((next, issued))
        }

        #[async_trait::async_trait]
        impl $crate::db::WorkflowStore for $store {
            async fn get_certificate(&self, id: uuid::Uuid) -> DbResult<CertificateRecord> {
                let row = sqlx::query("SELECT * FROM certificates WHERE id = $1").bind(id).fetch_optional(&self.pool).await?;
                row.as_ref().map(certificate_from_row).transpose()?.ok_or(DbError::NotFound)
            }

            async fn find_certificate_by_fingerprint(&self, fingerprint: &str) -> DbResult<Option<CertificateRecord>> {
                let row = sqlx::query("SELECT * FROM certificates WHERE sha256_fingerprint = $1").bind(fingerprint).fetch_optional(&self.pool).await?;
                row.as_ref().map(certificate_from_row).transpose()
            }

            async fn organization_certificate(&self, agency_id: uuid::Uuid) -> DbResult<Option<CertificateRecord>> {
                let row = sqlx::query("SELECT * FROM certificates WHERE agency_id = $1 AND purpose = 'organization' ORDER BY created_at DESC LIMIT 1")
                    .bind(agency_id).fetch_optional(&self.pool).await?;
                row.as_ref().map(certificate_from_row).transpose()
            }

            async fn signer_for_user(&self, user_id: uuid::Uuid) -> DbResult<Option<SignerRecord>> {
                let row = sqlx::query("SELECT * FROM signers WHERE user_id = $1 AND active ORDER BY created_at DESC LIMIT 1")
                    .bind(user_id).fetch_optional(&self.pool).await?;
                row.as_ref().map(signer_from_row).transpose()
            }

            async fn set_agency_seal(&self, agency_id: uuid::Uuid, sha256: &str) -> DbResult<()> {
                let done = sqlx::query("UPDATE agencies SET seal_image_sha256 = $1 WHERE id = $2").bind(sha256).bind(agency_id).execute(&self.pool).await?;
                if done.rows_affected() == 0 { return Err(DbError::NotFound); }
                Ok(())
            }

            async fn set_signer_image(&self, signer_id: uuid::Uuid, sha256: &str) -> DbResult<()> {
                let done = sqlx::query("UPDATE signers SET signature_image_sha256 = $1 WHERE id = $2").bind(sha256).bind(signer_id).execute(&self.pool).await?;
                if done.rows_affected() == 0 { return Err(DbError::NotFound); }
                Ok(())
            }

            async fn assign_signer(&self, document_id: uuid::Uuid, signer_user_id: uuid::Uuid, event: &AuditEventRecord) -> DbResult<()> {
                let mut tx = self.begin_write().await?;
                let done = sqlx::query("UPDATE documents SET signer_user_id = $1, updated_at = $2 WHERE id = $3 AND status = 'draft'")
                    .bind(signer_user_id).bind(event.occurred_at).bind(document_id).execute(&mut *tx).await?;
                if done.rows_affected() != 1 {
                    return Err(DbError::Conflict("the document is no longer a draft; a signer assignment".into()));
                }
                append_event_in(&mut tx, event).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn record_layer_one(&self, document_id: uuid::Uuid, file: &DocumentFileRecord, event: &AuditEventRecord) -> DbResult<()> {
                let mut tx = self.begin_write().await?;
                layer_one_in(&mut tx, document_id, file, event).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn insert_signing_session(&self, s: &SigningSessionRecord) -> DbResult<()> {
                sqlx::query("INSERT INTO signing_sessions (id, document_id, user_id, certificate_id, prepared_sha256, contents_start, contents_end, \
                        signed_attributes, created_at, expires_at, completed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)")
                    .bind(s.id).bind(s.document_id).bind(s.user_id).bind(s.certificate_id).bind(&s.prepared_sha256)
                    .bind(s.contents_start).bind(s.contents_end).bind(&s.signed_attributes_hex).bind(s.created_at)
                    .bind(s.expires_at).bind(s.completed_at)
                    .execute(&self.pool).await?;
                Ok(())
            }

            async fn get_signing_session(&self, id: uuid::Uuid) -> DbResult<SigningSessionRecord> {
                let row = sqlx::query("SELECT * FROM signing_sessions WHERE id = $1").bind(id).fetch_optional(&self.pool).await?;
                row.as_ref().map(session_from_row).transpose()?.ok_or(DbError::NotFound)
            }

            async fn complete_signing_session(&self, id: uuid::Uuid, file: &DocumentFileRecord, event: &AuditEventRecord) -> DbResult<()> {
                let mut tx = self.begin_write().await?;
                let closed = sqlx::query("UPDATE signing_sessions SET completed_at = $1 WHERE id = $2 AND completed_at IS NULL")
                    .bind(file.created_at).bind(id).execute(&mut *tx).await?;
                if closed.rows_affected() != 1 {
                    return Err(DbError::Conflict("the signing session was already completed; a completion".into()));
                }
                layer_one_in(&mut tx, file.document_id, file, event).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn revoke_document(&self, document_id: uuid::Uuid, revocation: &Revocation, event: &AuditEventRecord) -> DbResult<()> {
                let mut tx = self.begin_write().await?;
                let done = sqlx::query("UPDATE documents SET status = 'revoked', revoked_at = $1, revoked_by = $2, revocation_reason = $3, updated_at = $1 \
                        WHERE id = $4 AND status = 'issued'")
                    .bind(revocation.at).bind(revocation.by).bind(&revocation.reason).bind(document_id)
                    .execute(&mut *tx).await?;
                if done.rows_affected() != 1 {
                    return Err(DbError::Conflict("only an issued document can be revoked; a revocation".into()));
                }
                append_event_in(&mut tx, event).await?;
                enqueue_for_search(&mut tx, document_id).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn issued_between(&self, agency_id: uuid::Uuid, from: chrono::DateTime<chrono::Utc>, to: chrono::DateTime<chrono::Utc>) -> DbResult<Vec<DocumentRecord>> {
                let rows = sqlx::query("SELECT * FROM documents WHERE agency_id = $1 AND issued_at IS NOT NULL AND issued_at >= $2 AND issued_at < $3 \
                        AND status IN ('issued', 'revoked') ORDER BY issued_at, ordinal")
                    .bind(agency_id).bind(from).bind(to).fetch_all(&self.pool).await?;
                rows.iter().map(document_from_row).collect()
            }

            async fn all_issued_documents(&self) -> DbResult<Vec<DocumentRecord>> {
                let rows = sqlx::query("SELECT * FROM documents WHERE status IN ('issued', 'revoked') ORDER BY issued_at")
                    .fetch_all(&self.pool).await?;
                rows.iter().map(document_from_row).collect()
            }

            async fn verification_result(&self, document_id: uuid::Uuid) -> DbResult<Option<VerificationResultRecord>> {
                let row = sqlx::query("SELECT * FROM verification_results WHERE document_id = $1")
                    .bind(document_id).fetch_optional(&self.pool).await?;
                row.map(|row| Ok(VerificationResultRecord {
                    document_id: row.try_get("document_id")?,
                    file_sha256: row.try_get("file_sha256")?,
                    checked_at: row.try_get("checked_at")?,
                    valid: row.try_get("valid")?,
                    verdict: row.try_get("verdict")?,
                    reasons_json: row.try_get("reasons")?,
                })).transpose()
            }

            async fn record_verification(&self, r: &VerificationResultRecord, event: Option<&AuditEventRecord>) -> DbResult<()> {
                let mut tx = self.begin_write().await?;
                sqlx::query("INSERT INTO verification_results (document_id, file_sha256, checked_at, valid, verdict, reasons) \
                        VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (document_id) DO UPDATE SET file_sha256 = excluded.file_sha256, \
                        checked_at = excluded.checked_at, valid = excluded.valid, verdict = excluded.verdict, reasons = excluded.reasons")
                    .bind(r.document_id).bind(&r.file_sha256).bind(r.checked_at).bind(r.valid).bind(&r.verdict).bind(&r.reasons_json)
                    .execute(&mut *tx).await?;
                if let Some(event) = event {
                    append_event_in(&mut tx, event).await?;
                }
                tx.commit().await?;
                Ok(())
            }

            async fn store_verification(&self, r: &StoredVerificationRecord, event: &AuditEventRecord) -> DbResult<()> {
                let mut tx = self.begin_write().await?;
                sqlx::query("INSERT INTO stored_verifications (id, file_sha256, file_size, valid, indication, view, stored_by, stored_at) \
                        VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
                    .bind(r.id).bind(&r.file_sha256).bind(r.file_size).bind(r.valid).bind(&r.indication)
                    .bind(&r.view_json).bind(r.stored_by).bind(r.stored_at)
                    .execute(&mut *tx).await?;
                append_event_in(&mut tx, event).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn stored_verification(&self, id: uuid::Uuid) -> DbResult<Option<StoredVerificationRecord>> {
                let row = sqlx::query("SELECT * FROM stored_verifications WHERE id = $1")
                    .bind(id).fetch_optional(&self.pool).await?;
                row.map(|row| stored_verification_from_row(&row)).transpose()
            }

            async fn stored_verifications_between(&self, start: chrono::DateTime<chrono::Utc>, end: chrono::DateTime<chrono::Utc>, limit: i64) -> DbResult<Vec<StoredVerificationRecord>> {
                let rows = sqlx::query("SELECT id, file_sha256, file_size, valid, indication, '' AS view, stored_by, stored_at \
                        FROM stored_verifications WHERE stored_at >= $1 AND stored_at < $2 ORDER BY stored_at DESC LIMIT $3")
                    .bind(start).bind(end).bind(limit).fetch_all(&self.pool).await?;
                rows.iter().map(stored_verification_from_row).collect()
            }

            async fn copies_of(&self, original_id: uuid::Uuid) -> DbResult<Vec<DocumentRecord>> {
                let rows = sqlx::query("SELECT * FROM documents WHERE copy_of = $1 ORDER BY created_at").bind(original_id).fetch_all(&self.pool).await?;
                rows.iter().map(document_from_row).collect()
            }

            async fn related_documents(&self, document_id: uuid::Uuid) -> DbResult<Vec<DocumentRecord>> {
                let rows = sqlx::query("SELECT * FROM documents WHERE related_document_id = $1 ORDER BY created_at").bind(document_id).fetch_all(&self.pool).await?;
                rows.iter().map(document_from_row).collect()
            }

            async fn documents_with_number(&self, agency_id: uuid::Uuid, ordinal: i64, notation: &str) -> DbResult<Vec<uuid::Uuid>> {
                let rows = sqlx::query("SELECT id FROM documents WHERE agency_id = $1 AND ordinal = $2 AND notation = $3 ORDER BY created_at")
                    .bind(agency_id).bind(ordinal).bind(notation).fetch_all(&self.pool).await?;
                rows.iter().map(|row| Ok(row.try_get("id")?)).collect()
            }

            async fn issue_with_next_number(
                &self,
                register: &RegisterKey,
                document_id: uuid::Uuid,
                build: &mut (dyn FnMut(i64) -> futures::future::BoxFuture<'static, Result<IssuedDocument, $crate::db::BuildError>> + Send),
            ) -> DbResult<(i64, IssuedDocument)> {
                let mut tx = self.begin_write().await?;
                let issued = issue_in(&mut tx, register, document_id, build).await?;
                tx.commit().await?;
                Ok(issued)
            }

            async fn issue_copy_with_next_number(
                &self,
                register: &RegisterKey,
                copy: &DocumentRecord,
                build: &mut (dyn FnMut(i64) -> futures::future::BoxFuture<'static, Result<IssuedDocument, $crate::db::BuildError>> + Send),
            ) -> DbResult<(i64, IssuedDocument)> {
                let mut tx = self.begin_write().await?;
                // The copy's row is inserted ready for numbering and becomes `issued` in the same
                // transaction; no other connection ever sees it unnumbered.
                let pending = DocumentRecord {
                    status: $crate::domain::DocumentStatus::SignedPersonal,
                    ordinal: None,
                    notation: None,
                    issued_at: None,
                    ..copy.clone()
                };
                insert_document_in(&mut tx, &pending).await?;
                let issued = issue_in(&mut tx, register, copy.id, build).await?;
                tx.commit().await?;
                Ok(issued)
            }
        }
    };
}

pub(crate) use impl_workflow_store;
