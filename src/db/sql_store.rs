//! The SQL shared by both backends, written once. The macro expands the same statements for a
//! concrete sqlx database type, so each backend gets a fully typed implementation without a
//! copy of the queries. Both dialects accept `$N` placeholders; where they truly differ (DDL,
//! connection setup) the code lives in `sqlite.rs` / `postgres.rs`.

macro_rules! impl_metadata_store {
    ($store:ty, $row:ty, $name:literal) => {
        use sqlx::Row as _;
        use $crate::db::records::*;
        use $crate::db::{DbError, DbResult, DocumentFilter, MetadataStore};

        fn agency_from_row(row: &$row) -> DbResult<AgencyRecord> {
            Ok(AgencyRecord {
                id: row.try_get("id")?,
                organ_id: row.try_get("organ_id")?,
                name: row.try_get("name")?,
                abbreviation: row.try_get("abbreviation")?,
                seal_image_sha256: row.try_get("seal_image_sha256")?,
                created_at: row.try_get("created_at")?,
            })
        }

        fn unit_from_row(row: &$row) -> DbResult<UnitRecord> {
            Ok(UnitRecord {
                id: row.try_get("id")?,
                agency_id: row.try_get("agency_id")?,
                abbreviation: row.try_get("abbreviation")?,
                name: row.try_get("name")?,
                created_at: row.try_get("created_at")?,
            })
        }

        fn user_from_row(row: &$row) -> DbResult<UserRecord> {
            Ok(UserRecord {
                id: row.try_get("id")?,
                username: row.try_get("username")?,
                display_name: row.try_get("display_name")?,
                password_hash: row.try_get("password_hash")?,
                role: parse_stored("users.role", row.try_get::<&str, _>("role")?)?,
                clearance: parse_stored("users.clearance", row.try_get::<&str, _>("clearance")?)?,
                agency_id: row.try_get("agency_id")?,
                unit_id: row.try_get("unit_id")?,
                active: row.try_get("active")?,
                created_at: row.try_get("created_at")?,
            })
        }

        fn token_from_row(row: &$row) -> DbResult<TokenRecord> {
            Ok(TokenRecord {
                id: row.try_get("id")?,
                user_id: row.try_get("user_id")?,
                kind: parse_token_kind(row.try_get::<&str, _>("kind")?)?,
                name: row.try_get("name")?,
                token_hash: row.try_get("token_hash")?,
                created_at: row.try_get("created_at")?,
                expires_at: row.try_get("expires_at")?,
                revoked_at: row.try_get("revoked_at")?,
            })
        }

        fn document_from_row(row: &$row) -> DbResult<DocumentRecord> {
            Ok(DocumentRecord {
                id: row.try_get("id")?,
                agency_id: row.try_get("agency_id")?,
                unit_id: row.try_get("unit_id")?,
                document_type: parse_stored("documents.document_type", row.try_get::<&str, _>("document_type")?)?,
                confidentiality: parse_stored("documents.confidentiality", row.try_get::<&str, _>("confidentiality")?)?,
                urgency: parse_stored("documents.urgency", row.try_get::<&str, _>("urgency")?)?,
                status: parse_stored("documents.status", row.try_get::<&str, _>("status")?)?,
                subject: row.try_get("subject")?,
                language: row.try_get("language")?,
                page_amount: row.try_get("page_amount")?,
                description: row.try_get("description")?,
                recipients_json: row.try_get("recipients")?,
                issued_amount: row.try_get("issued_amount")?,
                due_date: row.try_get("due_date")?,
                signer_user_id: row.try_get("signer_user_id")?,
                ordinal: row.try_get("ordinal")?,
                notation: row.try_get("notation")?,
                issued_at: row.try_get("issued_at")?,
                created_by: row.try_get("created_by")?,
                created_at: row.try_get("created_at")?,
                updated_at: row.try_get("updated_at")?,
                exemption_rule_id: row.try_get("exemption_rule_id")?,
                summary_withheld: row.try_get("summary_withheld")?,
                revocation: match (row.try_get("revoked_at")?, row.try_get("revoked_by")?) {
                    (Some(at), Some(by)) => Some(Revocation { at, by, reason: row.try_get::<Option<String>, _>("revocation_reason")?.unwrap_or_default() }),
                    _ => None,
                },
                related: match (row.try_get::<Option<uuid::Uuid>, _>("related_document_id")?, row.try_get::<Option<&str>, _>("relation")?) {
                    (Some(document_id), Some("correction")) => Some(Relation { document_id, kind: RelationKind::Correction }),
                    (Some(document_id), Some("replacement")) => Some(Relation { document_id, kind: RelationKind::Replacement }),
                    _ => None,
                },
                legal_normative: row.try_get("legal_normative")?,
                copy_of: match (row.try_get::<Option<uuid::Uuid>, _>("copy_of")?, row.try_get::<Option<&str>, _>("copy_kind")?) {
                    (Some(original_id), Some(kind)) => Some(CopyOf {
                        original_id,
                        kind: crate::domain::CopyKind::from_abbreviation(kind)
                            .map_err(|e| DbError::Corrupt(format!("documents.copy_kind: {e}")))?,
                    }),
                    _ => None,
                },
            })
        }

        fn file_from_row(row: &$row) -> DbResult<DocumentFileRecord> {
            Ok(DocumentFileRecord {
                id: row.try_get("id")?,
                document_id: row.try_get("document_id")?,
                kind: parse_file_kind(row.try_get::<&str, _>("kind")?)?,
                sha256: row.try_get("sha256")?,
                size_bytes: row.try_get("size_bytes")?,
                media_type: row.try_get("media_type")?,
                original_filename: row.try_get("original_filename")?,
                created_at: row.try_get("created_at")?,
            })
        }

        fn event_from_row(row: &$row) -> DbResult<AuditEventRecord> {
            Ok(AuditEventRecord {
                seq: row.try_get("seq")?,
                prev_hash: row.try_get("prev_hash")?,
                hash: row.try_get("hash")?,
                id: row.try_get("id")?,
                occurred_at: row.try_get("occurred_at")?,
                actor_user_id: row.try_get("actor_user_id")?,
                action: row.try_get("action")?,
                document_id: row.try_get("document_id")?,
                details_json: row.try_get("details")?,
            })
        }

        fn collect<T>(rows: Vec<$row>, map: fn(&$row) -> DbResult<T>) -> DbResult<Vec<T>> {
            rows.iter().map(map).collect()
        }


        #[async_trait::async_trait]
        impl MetadataStore for $store {
            fn backend_name(&self) -> &'static str {
                $name
            }

            async fn migrate(&self) -> DbResult<()> {
                self.run_migrations().await
            }

            async fn ping(&self) -> DbResult<()> {
                sqlx::query("SELECT 1").execute(&self.pool).await?;
                Ok(())
            }

            async fn insert_agency(&self, a: &AgencyRecord) -> DbResult<()> {
                sqlx::query("INSERT INTO agencies (id, organ_id, name, abbreviation, seal_image_sha256, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
                    .bind(a.id).bind(&a.organ_id).bind(&a.name).bind(&a.abbreviation).bind(&a.seal_image_sha256).bind(a.created_at)
                    .execute(&self.pool).await
                    .map_err(|e| DbError::from_sqlx(e, "an agency with this organ_id"))?;
                Ok(())
            }

            async fn find_agency_by_organ_id(&self, organ_id: &str) -> DbResult<Option<AgencyRecord>> {
                let row = sqlx::query("SELECT * FROM agencies WHERE organ_id = $1")
                    .bind(organ_id).fetch_optional(&self.pool).await?;
                row.as_ref().map(agency_from_row).transpose()
            }

            async fn get_agency(&self, id: uuid::Uuid) -> DbResult<AgencyRecord> {
                let row = sqlx::query("SELECT * FROM agencies WHERE id = $1")
                    .bind(id).fetch_optional(&self.pool).await?;
                row.as_ref().map(agency_from_row).transpose()?.ok_or(DbError::NotFound)
            }

            async fn list_agencies(&self) -> DbResult<Vec<AgencyRecord>> {
                let rows = sqlx::query("SELECT * FROM agencies ORDER BY organ_id").fetch_all(&self.pool).await?;
                collect(rows, agency_from_row)
            }

            async fn insert_unit(&self, u: &UnitRecord) -> DbResult<()> {
                sqlx::query("INSERT INTO units (id, agency_id, abbreviation, name, created_at) VALUES ($1, $2, $3, $4, $5)")
                    .bind(u.id).bind(u.agency_id).bind(&u.abbreviation).bind(&u.name).bind(u.created_at)
                    .execute(&self.pool).await
                    .map_err(|e| DbError::from_sqlx(e, "a unit with this abbreviation in the agency"))?;
                Ok(())
            }

            async fn find_unit(&self, agency_id: uuid::Uuid, abbreviation: &str) -> DbResult<Option<UnitRecord>> {
                let row = sqlx::query("SELECT * FROM units WHERE agency_id = $1 AND abbreviation = $2")
                    .bind(agency_id).bind(abbreviation).fetch_optional(&self.pool).await?;
                row.as_ref().map(unit_from_row).transpose()
            }

            async fn list_units(&self, agency_id: uuid::Uuid) -> DbResult<Vec<UnitRecord>> {
                let rows = sqlx::query("SELECT * FROM units WHERE agency_id = $1 ORDER BY abbreviation")
                    .bind(agency_id).fetch_all(&self.pool).await?;
                collect(rows, unit_from_row)
            }

            async fn insert_user(&self, u: &UserRecord) -> DbResult<()> {
                sqlx::query("INSERT INTO users (id, username, display_name, password_hash, role, clearance, agency_id, unit_id, active, created_at) \
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)")
                    .bind(u.id).bind(&u.username).bind(&u.display_name).bind(&u.password_hash)
                    .bind(u.role.as_str()).bind(u.clearance.as_str()).bind(u.agency_id).bind(u.unit_id)
                    .bind(u.active).bind(u.created_at)
                    .execute(&self.pool).await
                    .map_err(|e| DbError::from_sqlx(e, "a user with this username"))?;
                Ok(())
            }

            async fn find_user_by_username(&self, username: &str) -> DbResult<Option<UserRecord>> {
                let row = sqlx::query("SELECT * FROM users WHERE username = $1")
                    .bind(username).fetch_optional(&self.pool).await?;
                row.as_ref().map(user_from_row).transpose()
            }

            async fn get_user(&self, id: uuid::Uuid) -> DbResult<UserRecord> {
                let row = sqlx::query("SELECT * FROM users WHERE id = $1").bind(id).fetch_optional(&self.pool).await?;
                row.as_ref().map(user_from_row).transpose()?.ok_or(DbError::NotFound)
            }

            async fn list_users(&self) -> DbResult<Vec<UserRecord>> {
                let rows = sqlx::query("SELECT * FROM users ORDER BY username").fetch_all(&self.pool).await?;
                collect(rows, user_from_row)
            }

            async fn set_user_role(&self, id: uuid::Uuid, role: crate::domain::Role) -> DbResult<()> {
                let done = sqlx::query("UPDATE users SET role = $1 WHERE id = $2")
                    .bind(role.as_str()).bind(id).execute(&self.pool).await?;
                if done.rows_affected() == 0 { return Err(DbError::NotFound); }
                Ok(())
            }

            async fn set_user_password_hash(&self, id: uuid::Uuid, hash: &str) -> DbResult<()> {
                let done = sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
                    .bind(hash).bind(id).execute(&self.pool).await?;
                if done.rows_affected() == 0 { return Err(DbError::NotFound); }
                Ok(())
            }

            async fn insert_token(&self, t: &TokenRecord) -> DbResult<()> {
                sqlx::query("INSERT INTO api_tokens (id, user_id, kind, name, token_hash, created_at, expires_at, revoked_at) \
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
                    .bind(t.id).bind(t.user_id).bind(t.kind.as_str()).bind(&t.name).bind(&t.token_hash)
                    .bind(t.created_at).bind(t.expires_at).bind(t.revoked_at)
                    .execute(&self.pool).await
                    .map_err(|e| DbError::from_sqlx(e, "a token with this hash"))?;
                Ok(())
            }

            async fn find_live_token(
                &self,
                token_hash: &str,
                now: chrono::DateTime<chrono::Utc>,
            ) -> DbResult<Option<(TokenRecord, UserRecord)>> {
                let row = sqlx::query("SELECT * FROM api_tokens WHERE token_hash = $1")
                    .bind(token_hash).fetch_optional(&self.pool).await?;
                let Some(token) = row.as_ref().map(token_from_row).transpose()? else { return Ok(None) };
                // Expiry is compared here rather than in SQL so both dialects agree exactly.
                let live = token.revoked_at.is_none() && token.expires_at.is_none_or(|at| at > now);
                if !live { return Ok(None); }
                let user = self.get_user(token.user_id).await?;
                Ok(user.active.then_some((token, user)))
            }

            async fn list_tokens(&self, user_id: uuid::Uuid) -> DbResult<Vec<TokenRecord>> {
                let rows = sqlx::query("SELECT * FROM api_tokens WHERE user_id = $1 ORDER BY created_at")
                    .bind(user_id).fetch_all(&self.pool).await?;
                collect(rows, token_from_row)
            }

            async fn revoke_token(&self, id: uuid::Uuid, at: chrono::DateTime<chrono::Utc>) -> DbResult<()> {
                let done = sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
                    .bind(at).bind(id).execute(&self.pool).await?;
                if done.rows_affected() == 0 { return Err(DbError::NotFound); }
                Ok(())
            }

            async fn insert_certificate(&self, c: &CertificateRecord) -> DbResult<()> {
                sqlx::query("INSERT INTO certificates (id, agency_id, purpose, subject, issuer, serial_hex, sha256_fingerprint, pem, not_before, not_after, created_at, pkcs12_path) \
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)")
                    .bind(c.id).bind(c.agency_id).bind(c.purpose.as_str()).bind(&c.subject).bind(&c.issuer)
                    .bind(&c.serial_hex).bind(&c.sha256_fingerprint).bind(&c.pem).bind(c.not_before)
                    .bind(c.not_after).bind(c.created_at).bind(&c.pkcs12_path)
                    .execute(&self.pool).await
                    .map_err(|e| DbError::from_sqlx(e, "a certificate with this fingerprint"))?;
                Ok(())
            }

            async fn insert_signer(&self, s: &SignerRecord) -> DbResult<()> {
                sqlx::query("INSERT INTO signers (id, user_id, certificate_id, position, authority_mark, active, created_at, signature_image_sha256) \
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
                    .bind(s.id).bind(s.user_id).bind(s.certificate_id).bind(&s.position)
                    .bind(&s.authority_mark).bind(s.active).bind(s.created_at).bind(&s.signature_image_sha256)
                    .execute(&self.pool).await
                    .map_err(|e| DbError::from_sqlx(e, "this user is already mapped to this certificate"))?;
                Ok(())
            }

            async fn list_signers(&self, agency_id: uuid::Uuid) -> DbResult<Vec<SignerView>> {
                let rows = sqlx::query("SELECT s.id AS signer_id, u.id AS user_id, u.username, u.display_name, s.position, \
                        s.authority_mark, s.signature_image_sha256, c.id AS certificate_id, c.subject, c.sha256_fingerprint \
                        FROM signers s JOIN users u ON u.id = s.user_id JOIN certificates c ON c.id = s.certificate_id \
                        WHERE u.agency_id = $1 AND s.active ORDER BY u.username")
                    .bind(agency_id).fetch_all(&self.pool).await?;
                rows.iter().map(|row| Ok(SignerView {
                    signer_id: row.try_get("signer_id")?,
                    user_id: row.try_get("user_id")?,
                    username: row.try_get("username")?,
                    display_name: row.try_get("display_name")?,
                    position: row.try_get("position")?,
                    authority_mark: row.try_get("authority_mark")?,
                    certificate_id: row.try_get("certificate_id")?,
                    certificate_subject: row.try_get("subject")?,
                    certificate_fingerprint: row.try_get("sha256_fingerprint")?,
                    signature_image_sha256: row.try_get("signature_image_sha256")?,
                })).collect()
            }

            async fn insert_document(
                &self,
                d: &DocumentRecord,
                file: Option<&DocumentFileRecord>,
                event: &AuditEventRecord,
            ) -> DbResult<()> {
                let mut tx = self.begin_write().await?;
                insert_document_in(&mut tx, d).await?;
                if let Some(f) = file {
                    sqlx::query("INSERT INTO document_files (id, document_id, kind, sha256, size_bytes, media_type, original_filename, created_at) \
                                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
                        .bind(f.id).bind(f.document_id).bind(f.kind.as_str()).bind(&f.sha256)
                        .bind(f.size_bytes).bind(&f.media_type).bind(&f.original_filename).bind(f.created_at)
                        .execute(&mut *tx).await
                        .map_err(|e| DbError::from_sqlx(e, "a file of this kind for the document"))?;
                }
                append_event_in(&mut tx, event).await?;
                enqueue_for_search(&mut tx, d.id).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn get_document(&self, id: uuid::Uuid) -> DbResult<DocumentRecord> {
                let row = sqlx::query("SELECT * FROM documents WHERE id = $1").bind(id).fetch_optional(&self.pool).await?;
                row.as_ref().map(document_from_row).transpose()?.ok_or(DbError::NotFound)
            }

            async fn list_documents(&self, f: &DocumentFilter) -> DbResult<Vec<DocumentRecord>> {
                // Always four level placeholders: uncovered levels repeat 'none', which keeps the
                // statement text fixed (and cacheable) whatever the caller's clearance.
                let covered: Vec<&str> = crate::domain::Confidentiality::ALL
                    .iter()
                    .map(|level| if f.max_confidentiality.covers(*level) { level.as_str() } else { "none" })
                    .collect();
                let rows = sqlx::query("SELECT * FROM documents WHERE agency_id = $1 \
                        AND confidentiality IN ($2, $3, $4, $5) AND ($6 IS NULL OR status = $6) \
                        ORDER BY created_at DESC, id DESC LIMIT $7 OFFSET $8")
                    .bind(f.agency_id).bind(covered[0]).bind(covered[1]).bind(covered[2]).bind(covered[3])
                    .bind(f.status.map(|s| s.as_str())).bind(i64::from(f.limit)).bind(i64::from(f.offset))
                    .fetch_all(&self.pool).await?;
                collect(rows, document_from_row)
            }

            async fn count_documents(&self) -> DbResult<i64> {
                let row = sqlx::query("SELECT COUNT(*) AS n FROM documents").fetch_one(&self.pool).await?;
                Ok(row.try_get("n")?)
            }

            async fn current_file(&self, document_id: uuid::Uuid) -> DbResult<Option<DocumentFileRecord>> {
                let rows = sqlx::query("SELECT * FROM document_files WHERE document_id = $1")
                    .bind(document_id).fetch_all(&self.pool).await?;
                let files = collect(rows, file_from_row)?;
                Ok(files.into_iter().max_by_key(|f| f.kind.rank()))
            }

            async fn append_audit_event(&self, e: &AuditEventRecord) -> DbResult<()> {
                let mut tx = self.begin_write().await?;
                append_event_in(&mut tx, e).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn search_outbox_after(&self, seq: i64, limit: i64) -> DbResult<Vec<(i64, uuid::Uuid)>> {
                let rows = sqlx::query("SELECT seq, document_id FROM search_outbox WHERE seq > $1 ORDER BY seq LIMIT $2")
                    .bind(seq).bind(limit).fetch_all(&self.pool).await?;
                rows.iter().map(|row| Ok((row.try_get("seq")?, row.try_get("document_id")?))).collect()
            }

            async fn all_document_ids(&self) -> DbResult<Vec<uuid::Uuid>> {
                let rows = sqlx::query("SELECT id FROM documents ORDER BY created_at").fetch_all(&self.pool).await?;
                rows.iter().map(|row| Ok(row.try_get("id")?)).collect()
            }

            async fn audit_chain_head(&self) -> DbResult<(i64, String)> {
                let row = sqlx::query("SELECT last_seq, last_hash FROM audit_chain_head WHERE id = 1").fetch_one(&self.pool).await?;
                Ok((row.try_get("last_seq")?, row.try_get("last_hash")?))
            }

            async fn list_audit_events(&self, document_id: Option<uuid::Uuid>) -> DbResult<Vec<AuditEventRecord>> {
                let rows = match document_id {
                    Some(id) => sqlx::query("SELECT * FROM audit_events WHERE document_id = $1 ORDER BY seq")
                        .bind(id).fetch_all(&self.pool).await?,
                    None => sqlx::query("SELECT * FROM audit_events ORDER BY seq").fetch_all(&self.pool).await?,
                };
                collect(rows, event_from_row)
            }
        }
    };
}

pub(crate) use impl_metadata_store;
