//! Issuing (layer 2): only after a valid personal signature by a certificate mapped to an
//! authorised signer of the issuing agency, a clerk of that agency takes the next number from
//! the outgoing register, writes number and date into the PDF, applies the agency signature
//! and stores the final file — in one transaction: if any step fails, the number is not used.
//! Confidential documents are numbered in their own sequence and never get a file.

use std::sync::Arc;

use bytes::Bytes;
use chrono::{Datelike, NaiveDate, Utc};
use futures::FutureExt;
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use super::documents::{audit_event, require};
use super::signing::{conflict_as_state, vietnam_now};
use super::{AppError, AppResult, DocumentView, Services};
use crate::db::{
    AgencyRecord, BuildError, DbError, DocumentFileRecord, DocumentRecord, FileKind,
    IssuedDocument, RegisterKey, SequenceKind, UserRecord,
};
use crate::domain::exemption::{FilePolicy, Sequence};
use crate::domain::{Action, DocumentNumber, DocumentStatus};
use crate::signing::engine;
use crate::storage::BlobStore;

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IssueRequest {
    /// Issue date (YYYY-MM-DD); default: today in Vietnam. The number comes from that year's register.
    pub issue_date: Option<NaiveDate>,
    /// Place name written before the date in the signature's location, e.g. "Bình An".
    pub location: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct IssuedView {
    pub document: DocumentView,
    /// Số và ký hiệu, e.g. 05/QĐ-UBND.
    pub number: String,
    /// Other documents of the agency with the same number and notation (the register must warn).
    pub warnings: Vec<String>,
}

impl Services {
    pub async fn issue_document(
        &self,
        actor: &UserRecord,
        document_id: Uuid,
        request: IssueRequest,
    ) -> AppResult<IssuedView> {
        require(actor, Action::IssueDocument)?;
        let document = self.visible_document(actor, document_id).await?;
        let agency = self.store.get_agency(document.agency_id).await?;
        let unit = self
            .store
            .list_units(agency.id)
            .await?
            .into_iter()
            .find(|u| u.id == document.unit_id)
            .ok_or(AppError::NotFound("unit"))?;
        let date = request
            .issue_date
            .unwrap_or_else(|| vietnam_now().date_naive());
        let mut notation = crate::domain::notation(
            document.document_type,
            &agency.abbreviation,
            &unit.abbreviation,
        );
        let rule = document
            .exemption_rule_id
            .as_deref()
            .and_then(|id| self.rules.rule(id))
            .map(|rule| &rule.decision);
        let decided = self.rules.decide(
            document.confidentiality,
            document.document_type,
            &agency.organ_id,
        );
        let decision = rule
            .or(decided.map(|d| d.decision))
            .ok_or_else(|| AppError::Internal("no exemption rule matches".into()))?;
        let secret = decision.file == FilePolicy::Refused;
        let confidential_sequence = decision.sequence == Sequence::Confidential;
        let mut register = RegisterKey {
            agency_id: agency.id,
            year: date.year(),
            sequence_kind: if confidential_sequence {
                SequenceKind::Confidential
            } else {
                SequenceKind::Regular
            },
            document_type: String::new(),
        };
        // A state secret stays in the confidential sequence even when it is legal normative:
        // its number must not reveal it in the public per-type sequence.
        if document.legal_normative && !confidential_sequence {
            register.sequence_kind = SequenceKind::LegalNormative;
            register.document_type = document.document_type.code().to_owned();
            notation = crate::domain::legal_normative_notation(
                document.document_type,
                date.year(),
                &agency.abbreviation,
            );
        }
        let mut build = if secret {
            self.stub_builder(actor, &document, notation.clone(), date)?
        } else {
            self.signed_builder(
                actor,
                &document,
                &agency,
                notation.clone(),
                date,
                request.location.unwrap_or_default(),
            )
            .await?
        };
        let gate = self.issue_gate.clone();
        let _turn = gate.lock().await;
        let (ordinal, _) = self
            .store
            .issue_with_next_number(&register, document_id, &mut build)
            .await
            .map_err(|error| match error {
                DbError::Aborted(cause) => match cause.downcast::<AppError>() {
                    Ok(app) => *app,
                    Err(other) => AppError::Internal(other.to_string()),
                },
                other => conflict_as_state(other),
            })?;
        let number = DocumentNumber::from_register(ordinal, notation.clone());
        let duplicates = self
            .store
            .documents_with_number(agency.id, ordinal, &notation)
            .await?;
        let warnings = duplicates
            .into_iter()
            .filter(|id| *id != document_id)
            .map(|id| format!("document {id} of this agency already has the number {number}"))
            .collect();
        Ok(IssuedView {
            document: self.document_view(document_id).await?,
            number: number.to_string(),
            warnings,
        })
    }

    fn stub_builder(
        &self,
        actor: &UserRecord,
        document: &DocumentRecord,
        notation: String,
        date: NaiveDate,
    ) -> AppResult<Builder> {
        if document.status != DocumentStatus::RegisteredStub {
            return Err(AppError::Conflict(
                "a register stub is numbered without signing; this document is not a stub".into(),
            ));
        }
        let (actor_id, document_id) = (actor.id, document.id);
        Ok(Box::new(move |ordinal: i64| {
            let notation = notation.clone();
            async move {
                let event = audit_event(
                    None,
                    "document.registered_confidential",
                    Some(document_id),
                    json!({"ordinal": ordinal, "notation": notation}),
                );
                Ok(IssuedDocument {
                    status: DocumentStatus::RegisteredStub,
                    notation,
                    issued_at: issue_instant(date),
                    file: None,
                    event: with_actor(event, actor_id),
                })
            }
            .boxed()
        }))
    }

    async fn signed_builder(
        &self,
        actor: &UserRecord,
        document: &DocumentRecord,
        agency: &AgencyRecord,
        notation: String,
        date: NaiveDate,
        location: String,
    ) -> AppResult<Builder> {
        if document.status != DocumentStatus::SignedPersonal {
            return Err(AppError::Conflict(format!(
                "the document is {}: the personal signature must come first",
                document.status.as_str()
            )));
        }
        let file = self
            .store
            .current_file(document.id)
            .await?
            .ok_or(AppError::NotFound("signed file"))?;
        let signed = self.read_blob(&file.sha256).await?;
        self.check_layer_one(&signed, agency).await?;
        let certificate = self
            .store
            .organization_certificate(agency.id)
            .await?
            .ok_or_else(|| {
                AppError::Conflict("the agency has no organization certificate".into())
            })?;
        let key_path = certificate.pkcs12_path.clone().ok_or_else(|| {
            AppError::Conflict("the agency's key is not held by this server".into())
        })?;
        let seal_hash = agency
            .seal_image_sha256
            .clone()
            .ok_or_else(|| AppError::Conflict("the agency has no seal image".into()))?;
        let seal = self.read_blob(&seal_hash).await?;
        let font = self.font.clone().ok_or_else(|| {
            AppError::Internal(
                "no serif font with Vietnamese glyphs is installed (fonts-liberation2)".into(),
            )
        })?;
        let context = Arc::new(SignContext {
            keys: self.keys.clone(),
            blobs: self.blobs.clone(),
            key_path,
            seal,
            font,
            signed,
            notation,
            date,
            location,
            document_id: document.id,
            actor_id: actor.id,
            certificate: certificate.sha256_fingerprint,
        });
        Ok(Box::new(move |ordinal: i64| {
            let context = context.clone();
            async move {
                context
                    .issue(ordinal)
                    .await
                    .map_err(|e| Box::new(e) as BuildError)
            }
            .boxed()
        }))
    }
}

pub(super) type Builder = Box<
    dyn FnMut(i64) -> futures::future::BoxFuture<'static, Result<IssuedDocument, BuildError>>
        + Send,
>;

struct SignContext {
    keys: Arc<crate::signing::keystore::KeyStore>,
    blobs: BlobStore,
    key_path: String,
    seal: Vec<u8>,
    font: Arc<crate::signing::font::FontProgram>,
    signed: Vec<u8>,
    notation: String,
    date: NaiveDate,
    location: String,
    document_id: Uuid,
    actor_id: Uuid,
    certificate: String,
}

impl SignContext {
    async fn issue(self: Arc<Self>, ordinal: i64) -> Result<IssuedDocument, AppError> {
        let number = DocumentNumber::from_register(ordinal, self.notation.clone());
        let this = self.clone();
        let for_signing = number.clone();
        let issued = crate::blocking::run(move || {
            let key = this.keys.load(&this.key_path)?;
            engine::sign_agency(
                this.signed.to_vec(),
                &key,
                &for_signing,
                this.date,
                &this.seal,
                &this.font,
                vietnam_now(),
                &this.location,
            )
        })
        .await??;
        let file = store_issued_file(&self.blobs, self.document_id, issued).await?;
        let event = audit_event(
            None,
            "document.issued",
            Some(self.document_id),
            json!({"number": number.to_string(), "sha256": file.sha256, "certificate": self.certificate}),
        );
        Ok(IssuedDocument {
            status: DocumentStatus::Issued,
            notation: self.notation.clone(),
            issued_at: issue_instant(self.date),
            file: Some(file),
            event: with_actor(event, self.actor_id),
        })
    }
}

/// Stores an agency-signed PDF (write-once, content-addressed) and describes it as the
/// document's issued file; the row is written by the caller's transaction.
pub(super) async fn store_issued_file(
    blobs: &BlobStore,
    document_id: Uuid,
    pdf: Vec<u8>,
) -> Result<DocumentFileRecord, AppError> {
    let stored = blobs.put_blob(Bytes::from(pdf)).await?;
    Ok(DocumentFileRecord {
        id: Uuid::now_v7(),
        document_id,
        kind: FileKind::Issued,
        sha256: stored.hash.to_hex(),
        size_bytes: i64::try_from(stored.size).unwrap_or(i64::MAX),
        media_type: "application/pdf".into(),
        original_filename: None,
        created_at: Utc::now(),
    })
}

/// The issue date (ngày ban hành) at the current Vietnam time of day: the register and the
/// reports group documents by this date.
pub(super) fn issue_instant(date: NaiveDate) -> chrono::DateTime<Utc> {
    use chrono::TimeZone;
    let now = vietnam_now();
    crate::domain::vietnam_offset()
        .from_local_datetime(&date.and_time(now.time()))
        .single()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(Utc::now)
}

pub(super) fn with_actor(
    mut event: crate::db::AuditEventRecord,
    actor: Uuid,
) -> crate::db::AuditEventRecord {
    event.actor_user_id = Some(actor);
    event
}

/// Ký hiệu (Decree 30 App. I §II.3): `<type>-<agency>` (QĐ-UBND); for công văn and thư công,
/// which have no type abbreviation, `<agency>-<drafting unit>` (UBND-VX).
impl Services {
    /// Layer 1 must be a valid signature (integrity, trusted chain, only permitted changes
    /// since) by a personal certificate registered to an active signer of the agency.
    pub(super) async fn check_layer_one(
        &self,
        signed: &[u8],
        agency: &AgencyRecord,
    ) -> AppResult<()> {
        let bytes = signed.to_vec();
        let trust = crate::verify::TrustAnchors {
            roots: self.keys.trust_roots(),
            intermediates: self.keys.ca_chain(),
        };
        let revocation = self.revocation.clone();
        let report = crate::blocking::run(move || {
            let options = crate::verify::VerifyOptions {
                trust,
                at: None,
                revocation,
            };
            crate::verify::verify_pdf(&bytes, &options)
        })
        .await?
        .map_err(|e| {
            AppError::PersonalSignatureInvalid(format!("the signed file cannot be verified: {e}"))
        })?;
        let first = report.signatures.first().ok_or_else(|| {
            AppError::PersonalSignatureInvalid("the file carries no personal signature".into())
        })?;
        if !first.valid {
            let reasons: Vec<String> = first.problems.iter().map(|p| p.message.clone()).collect();
            return Err(AppError::PersonalSignatureInvalid(format!(
                "the personal signature is not valid: {}",
                reasons.join("; ")
            )));
        }
        let fingerprint = first.signer_certificate_sha256.clone().unwrap_or_default();
        let certificate = self
            .store
            .find_certificate_by_fingerprint(&fingerprint)
            .await?;
        let authorised = match certificate {
            Some(certificate)
                if certificate.agency_id == agency.id
                    && certificate.purpose == crate::db::CertificatePurpose::Personal =>
            {
                self.store
                    .list_signers(agency.id)
                    .await?
                    .iter()
                    .any(|s| s.certificate_id == certificate.id)
            }
            _ => false,
        };
        if !authorised {
            return Err(AppError::PersonalSignatureInvalid(format!(
                "the personal signature's certificate is not mapped to an authorised signer of {}",
                agency.organ_id
            )));
        }
        Ok(())
    }
}
