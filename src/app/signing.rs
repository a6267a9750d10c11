//! Layer 1 in the workflow: a clerk assigns the competent person; that person signs, with a
//! server-held key (one call) or with their own token (prepare, then complete within the
//! session's lifetime). Every step is role-checked and recorded in the audit log; the signed
//! file is stored write-once before the database moves the document to `signed_personal`.

use base64::Engine as _;
use bytes::Bytes;
use chrono::Utc;
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use super::documents::{audit_event, require};
use super::{AppError, AppResult, DocumentView, Services};
use crate::db::{
    DbError, DocumentFileRecord, DocumentRecord, FileKind, SigningSessionRecord, UserRecord,
};
use crate::domain::{Action, DocumentStatus, Role};
use crate::signing::engine::{self, ExternalSignature, ExternalSigning, LayoutOverride};
use crate::signing::keystore;
use crate::signing::pdf_update::{Placement, PreparedPdf};
use crate::storage::ContentHash;

/// Optional positions a signer may give instead of the ones found on the page.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlacementRequest {
    /// Page (1-based) of `signature_area`; default: the last page.
    pub page: Option<u32>,
    /// `[x1, y1, x2, y2]` in PDF points: where the signature image is centred.
    pub signature_area: Option<[f32; 4]>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SigningSessionView {
    pub id: Uuid,
    pub document_id: Uuid,
    /// Base64 DER of the CMS signed attributes: sign these bytes with SHA-256 and the key
    /// (RSA PKCS#1 v1.5 or ECDSA).
    pub signed_attributes: String,
    /// Hex SHA-256 of `signed_attributes`, for tokens that sign a prehashed digest.
    pub digest_to_sign: String,
    /// Hex SHA-256 of the PDF's byte ranges (the CMS message-digest).
    pub document_digest: String,
    pub certificate_sha256: String,
    pub expires_at: chrono::DateTime<Utc>,
}

/// What the signer's software returns: a raw signature value over `signed_attributes`, or a
/// whole CMS SignedData it built itself over the document digest.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CompleteSigningRequest {
    /// Base64 raw signature over the signed attributes.
    pub signature: Option<String>,
    /// Base64 DER CMS SignedData (detached) over the document's byte ranges.
    pub cms: Option<String>,
}

impl Services {
    pub async fn assign_signer(
        &self,
        actor: &UserRecord,
        document_id: Uuid,
        username: &str,
    ) -> AppResult<DocumentView> {
        require(actor, Action::AssignSigner)?;
        let document = self.visible_document(actor, document_id).await?;
        let signer = self
            .store
            .find_user_by_username(username)
            .await?
            .filter(|u| u.active && u.role == Role::Signer && u.agency_id == document.agency_id);
        let Some(signer) = signer else {
            return Err(AppError::InvalidMetadata(format!(
                "'{username}' is not an active signer of the document's agency"
            )));
        };
        let event = audit_event(
            Some(actor),
            "document.signer_assigned",
            Some(document_id),
            json!({"signer": signer.username}),
        );
        self.store
            .assign_signer(document_id, signer.id, &event)
            .await
            .map_err(conflict_as_state)?;
        self.document_view(document_id).await
    }

    /// Layer 1 with the signer's server-held key.
    pub async fn sign_personal(
        &self,
        actor: &UserRecord,
        document_id: Uuid,
        placement: PlacementRequest,
    ) -> AppResult<DocumentView> {
        let (document, draft) = self.draft_for_signer(actor, document_id).await?;
        let signer = self.store.signer_for_user(actor.id).await?.ok_or_else(|| {
            AppError::Forbidden("you are not registered as a signer with a certificate".into())
        })?;
        let certificate = self.store.get_certificate(signer.certificate_id).await?;
        let Some(key_path) = certificate.pkcs12_path.clone() else {
            return Err(AppError::Conflict(
                "your key is on your own token: use the prepare/complete signing flow".into(),
            ));
        };
        let image = self
            .signature_image(signer.signature_image_sha256.as_deref())
            .await?;
        let overrides = overrides(&placement, &draft)?;
        let keys = self.keys.clone();
        let reason = format!("Ký duyệt: {}", document.subject);
        let signed = crate::blocking::run(move || {
            let key = keys.load(&key_path)?;
            engine::sign_personal(draft, &key, &image, &overrides, vietnam_now(), &reason)
        })
        .await??;
        let file = self
            .store_file(document_id, FileKind::SignedPersonal, signed)
            .await?;
        let event = audit_event(
            Some(actor),
            "document.signed_personal",
            Some(document_id),
            json!({"sha256": file.sha256, "certificate": certificate.sha256_fingerprint, "mode": "server_key"}),
        );
        self.store
            .record_layer_one(document_id, &file, &event)
            .await
            .map_err(conflict_as_state)?;
        self.document_view(document_id).await
    }

    /// Step 1 of signing with a signer-held key.
    pub async fn prepare_personal_signature(
        &self,
        actor: &UserRecord,
        document_id: Uuid,
        placement: PlacementRequest,
    ) -> AppResult<SigningSessionView> {
        let (_, draft) = self.draft_for_signer(actor, document_id).await?;
        let signer = self.store.signer_for_user(actor.id).await?.ok_or_else(|| {
            AppError::Forbidden("you are not registered as a signer with a certificate".into())
        })?;
        let certificate = self.store.get_certificate(signer.certificate_id).await?;
        let image = self
            .signature_image(signer.signature_image_sha256.as_deref())
            .await?;
        let overrides = overrides(&placement, &draft)?;
        let pem = certificate.pem.clone();
        let chain = self.keys.ca_chain();
        let prepared = crate::blocking::run(move || {
            let leaf = keystore::certificate_from_pem(&pem)?;
            engine::prepare_personal_external(
                draft,
                leaf,
                chain,
                &image,
                &overrides,
                vietnam_now(),
                "Ký duyệt văn bản",
            )
        })
        .await??;
        let (start, end) = prepared.prepared.contents_span();
        let document_digest = hex::encode(prepared.prepared.byte_range_digest());
        let digest_to_sign = hex::encode(prepared.digest_to_sign());
        let stored = self
            .blobs
            .put_blob(Bytes::from(prepared.prepared.bytes().to_vec()))
            .await?;
        let now = Utc::now();
        let session = SigningSessionRecord {
            id: Uuid::now_v7(),
            document_id,
            user_id: actor.id,
            certificate_id: certificate.id,
            prepared_sha256: stored.hash.to_hex(),
            contents_start: start as i64,
            contents_end: end as i64,
            signed_attributes_hex: hex::encode(&prepared.signed_attributes),
            created_at: now,
            expires_at: now + self.limits.signing_session,
            completed_at: None,
        };
        self.store.insert_signing_session(&session).await?;
        let event = audit_event(
            Some(actor),
            "document.signing_prepared",
            Some(document_id),
            json!({"session": session.id}),
        );
        self.store.append_audit_event(&event).await?;
        Ok(SigningSessionView {
            id: session.id,
            document_id,
            signed_attributes: base64::engine::general_purpose::STANDARD
                .encode(&prepared.signed_attributes),
            digest_to_sign,
            document_digest,
            certificate_sha256: certificate.sha256_fingerprint,
            expires_at: session.expires_at,
        })
    }

    /// Step 2: verifies what the token produced, embeds it, and records layer 1.
    pub async fn complete_personal_signature(
        &self,
        actor: &UserRecord,
        session_id: Uuid,
        request: CompleteSigningRequest,
    ) -> AppResult<DocumentView> {
        require(actor, Action::SignPersonal)?;
        let session = match self.store.get_signing_session(session_id).await {
            Ok(session) if session.user_id == actor.id => session,
            Ok(_) | Err(DbError::NotFound) => return Err(AppError::NotFound("signing session")),
            Err(other) => return Err(other.into()),
        };
        if session.completed_at.is_some() {
            return Err(AppError::Conflict(
                "this signing session is already completed".into(),
            ));
        }
        if session.expires_at <= Utc::now() {
            return Err(AppError::SessionExpired(format!(
                "the signing session expired at {}; prepare again",
                session.expires_at
            )));
        }
        let signature = decode_external(&request)?;
        let certificate = self.store.get_certificate(session.certificate_id).await?;
        let prepared_hash = ContentHash::parse_hex(&session.prepared_sha256)
            .ok_or_else(|| AppError::Internal("stored session hash is not hex".into()))?;
        let prepared_bytes = self.blobs.get_blob(&prepared_hash).await?.to_vec();
        let chain = self.keys.ca_chain();
        let (start, end) = (
            session.contents_start as usize,
            session.contents_end as usize,
        );
        let attributes = hex::decode(&session.signed_attributes_hex)
            .map_err(|e| AppError::Internal(e.to_string()))?;
        let signed = crate::blocking::run(move || {
            let prepared = PreparedPdf::from_parts(prepared_bytes, start, end)?;
            let certificate = keystore::certificate_from_pem(&certificate.pem)?;
            engine::complete_personal_external(
                ExternalSigning {
                    prepared,
                    signed_attributes: attributes,
                    certificate,
                    chain,
                },
                signature,
            )
        })
        .await??;
        let file = self
            .store_file(session.document_id, FileKind::SignedPersonal, signed)
            .await?;
        let event = audit_event(
            Some(actor),
            "document.signed_personal",
            Some(session.document_id),
            json!({"sha256": file.sha256, "session": session.id, "mode": "signer_token"}),
        );
        self.store
            .complete_signing_session(session.id, &file, &event)
            .await
            .map_err(conflict_as_state)?;
        self.document_view(session.document_id).await
    }

    /// The draft's bytes, after checking that `actor` is its assigned signer.
    async fn draft_for_signer(
        &self,
        actor: &UserRecord,
        document_id: Uuid,
    ) -> AppResult<(DocumentRecord, Vec<u8>)> {
        require(actor, Action::SignPersonal)?;
        let document = self.visible_document(actor, document_id).await?;
        if document.status != DocumentStatus::Draft {
            return Err(AppError::Conflict(format!(
                "the document is {}, not a draft",
                document.status.as_str()
            )));
        }
        if document.signer_user_id != Some(actor.id) {
            return Err(AppError::Forbidden(
                "this draft is not assigned to you for signature".into(),
            ));
        }
        let file = self
            .store
            .current_file(document_id)
            .await?
            .ok_or(AppError::NotFound("draft file"))?;
        let bytes = self.read_blob(&file.sha256).await?;
        Ok((document, bytes))
    }

    async fn signature_image(&self, sha256: Option<&str>) -> AppResult<Vec<u8>> {
        let sha256 = sha256.ok_or_else(|| {
            AppError::Conflict("no signature image is registered for this signer".into())
        })?;
        self.read_blob(sha256).await
    }

    pub(super) async fn read_blob(&self, sha256: &str) -> AppResult<Vec<u8>> {
        let hash = ContentHash::parse_hex(sha256)
            .ok_or_else(|| AppError::Internal(format!("stored hash '{sha256}' is not hex")))?;
        Ok(self.blobs.get_blob(&hash).await?.to_vec())
    }

    pub(super) async fn store_file(
        &self,
        document_id: Uuid,
        kind: FileKind,
        bytes: Vec<u8>,
    ) -> AppResult<DocumentFileRecord> {
        let stored = self.blobs.put_blob(Bytes::from(bytes)).await?;
        Ok(DocumentFileRecord {
            id: Uuid::now_v7(),
            document_id,
            kind,
            sha256: stored.hash.to_hex(),
            size_bytes: i64::try_from(stored.size).unwrap_or(i64::MAX),
            media_type: "application/pdf".into(),
            original_filename: None,
            created_at: Utc::now(),
        })
    }
}

fn decode_external(request: &CompleteSigningRequest) -> AppResult<ExternalSignature> {
    let decode = |field: &str, text: &str| {
        base64::engine::general_purpose::STANDARD
            .decode(text.trim())
            .map_err(|e| AppError::BadRequest(format!("{field} is not base64: {e}")))
    };
    match (&request.signature, &request.cms) {
        (Some(signature), None) => Ok(ExternalSignature::Raw(decode("signature", signature)?)),
        (None, Some(cms)) => Ok(ExternalSignature::Cms(decode("cms", cms)?)),
        _ => Err(AppError::BadRequest(
            "send exactly one of 'signature' and 'cms'".into(),
        )),
    }
}

fn overrides(placement: &PlacementRequest, draft: &[u8]) -> AppResult<LayoutOverride> {
    let Some(rect) = placement.signature_area else {
        return Ok(LayoutOverride::default());
    };
    if !rect.iter().all(|v| v.is_finite()) || rect[0] >= rect[2] || rect[1] >= rect[3] {
        return Err(AppError::BadRequest(
            "signature_area must be [x1, y1, x2, y2] with x1 < x2 and y1 < y2".into(),
        ));
    }
    let page = match placement.page {
        Some(page) => page,
        None => crate::pdf::inspect(draft)
            .map(|f| f.page_count)
            .map_err(AppError::InvalidPdf)?,
    };
    Ok(LayoutOverride {
        signature_area: Some(Placement { page, rect }),
        ..Default::default()
    })
}

pub(super) fn conflict_as_state(error: DbError) -> AppError {
    match error {
        DbError::Conflict(what) => AppError::Conflict(format!(
            "{what} was refused: the document changed meanwhile"
        )),
        other => other.into(),
    }
}

pub(super) fn vietnam_now() -> chrono::DateTime<chrono::FixedOffset> {
    Utc::now().with_timezone(&crate::domain::vietnam_offset())
}
