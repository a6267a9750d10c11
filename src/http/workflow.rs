//! The signing and issuing steps: assign the signer, layer 1 (server key, or prepare/complete
//! for a signer-held token), and issue (number + layer 2).

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use bytes::Bytes;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use uuid::Uuid;

use super::error::{ApiError, ErrorBody, ErrorCode};
use super::extract::Caller;
use super::AppState;
use crate::app::{
    CompleteSigningRequest, CopyRequest, DocumentView, IssueRequest, IssuedView, PlacementRequest,
    SigningSessionView,
};

/// A JSON body that may be empty (then the type's default).
fn optional_json<T: DeserializeOwned + Default>(body: &Bytes) -> Result<T, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request(format!("the JSON body is invalid: {e}")))
}

fn id_of(id: Result<Path<Uuid>, PathRejection>, what: &str) -> Result<Uuid, ApiError> {
    id.map(|Path(id)| id).map_err(|_| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            ErrorCode::NotFound,
            format!("{what} not found (the id is not a UUID)"),
        )
    })
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignSignerRequest {
    /// Username of the competent person (role signer) of the document's agency.
    pub username: String,
}

#[utoipa::path(
    post, path = "/api/documents/{id}/signer", tag = "workflow", request_body = AssignSignerRequest,
    params(("id" = Uuid, Path, description = "document id")),
    responses((status = 200, body = DocumentView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []))
)]
pub async fn assign_signer(
    State(state): State<AppState>,
    caller: Caller,
    id: Result<Path<Uuid>, PathRejection>,
    body: Bytes,
) -> Result<Json<DocumentView>, ApiError> {
    let id = id_of(id, "document")?;
    let request: AssignSignerRequest = serde_json::from_slice(&body)
        .map_err(|e| ApiError::bad_request(format!("expected {{\"username\": …}}: {e}")))?;
    Ok(Json(
        state
            .services
            .assign_signer(&caller.user, id, &request.username)
            .await?,
    ))
}

#[utoipa::path(
    post, path = "/api/documents/{id}/personal-signature", tag = "workflow", request_body(content = PlacementRequest, description = "optional; empty body = positions found on the page"),
    params(("id" = Uuid, Path, description = "document id")),
    responses((status = 200, description = "layer 1 applied with the signer's server-held key", body = DocumentView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []))
)]
pub async fn sign_personal(
    State(state): State<AppState>,
    caller: Caller,
    id: Result<Path<Uuid>, PathRejection>,
    body: Bytes,
) -> Result<Json<DocumentView>, ApiError> {
    let id = id_of(id, "document")?;
    let placement: PlacementRequest = optional_json(&body)?;
    Ok(Json(
        state
            .services
            .sign_personal(&caller.user, id, placement)
            .await?,
    ))
}

#[utoipa::path(
    post, path = "/api/documents/{id}/personal-signature/prepare", tag = "workflow", request_body(content = PlacementRequest, description = "optional"),
    params(("id" = Uuid, Path, description = "document id")),
    responses((status = 201, description = "what the signer's token must sign, and the session to complete", body = SigningSessionView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []))
)]
pub async fn prepare_personal(
    State(state): State<AppState>,
    caller: Caller,
    id: Result<Path<Uuid>, PathRejection>,
    body: Bytes,
) -> Result<(StatusCode, Json<SigningSessionView>), ApiError> {
    let id = id_of(id, "document")?;
    let placement: PlacementRequest = optional_json(&body)?;
    Ok((
        StatusCode::CREATED,
        Json(
            state
                .services
                .prepare_personal_signature(&caller.user, id, placement)
                .await?,
        ),
    ))
}

#[utoipa::path(
    post, path = "/api/signing-sessions/{id}/complete", tag = "workflow", request_body = CompleteSigningRequest,
    params(("id" = Uuid, Path, description = "signing session id")),
    responses((status = 200, body = DocumentView), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 410, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []))
)]
pub async fn complete_personal(
    State(state): State<AppState>,
    caller: Caller,
    id: Result<Path<Uuid>, PathRejection>,
    body: Bytes,
) -> Result<Json<DocumentView>, ApiError> {
    let id = id_of(id, "signing session")?;
    let request: CompleteSigningRequest = serde_json::from_slice(&body).map_err(|e| {
        ApiError::bad_request(format!(
            "expected {{\"signature\": base64}} or {{\"cms\": base64}}: {e}"
        ))
    })?;
    Ok(Json(
        state
            .services
            .complete_personal_signature(&caller.user, id, request)
            .await?,
    ))
}

#[utoipa::path(
    post, path = "/api/documents/{id}/issue", tag = "workflow", request_body(content = IssueRequest, description = "optional"),
    params(("id" = Uuid, Path, description = "document id")),
    responses((status = 200, description = "numbered, agency-signed and stored", body = IssuedView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []))
)]
pub async fn issue(
    State(state): State<AppState>,
    caller: Caller,
    id: Result<Path<Uuid>, PathRejection>,
    body: Bytes,
) -> Result<Json<IssuedView>, ApiError> {
    let id = id_of(id, "document")?;
    let request: IssueRequest = optional_json(&body)?;
    let issued = state
        .services
        .issue_document(&caller.user, id, request)
        .await?;
    tracing::info!(document.id = %id, number = %issued.number, "document issued");
    Ok(Json(issued))
}

#[utoipa::path(
    get, path = "/api/audit-log/verification", tag = "audit",
    responses((status = 200, description = "the hash chain recomputed and compared with the checkpoints", body = Object), (status = 403, body = ErrorBody)),
    security(("bearer" = []))
)]
pub async fn verify_audit_log(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<crate::audit::ChainReport>, ApiError> {
    Ok(Json(
        state.services.verify_audit_log(Some(&caller.user)).await?,
    ))
}

#[utoipa::path(
    get, path = "/api/exemption-rules", tag = "audit",
    responses((status = 200, description = "the confidential-document exemption rules in force, first match decides", body = crate::domain::exemption::RuleSet), (status = 403, body = ErrorBody)),
    security(("bearer" = []))
)]
pub async fn exemption_rules(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<crate::domain::exemption::RuleSet>, ApiError> {
    Ok(Json(state.services.exemption_rules(&caller.user)?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevokeRequest {
    /// Why the document is revoked (thu hồi); kept with the document.
    pub reason: String,
}

#[utoipa::path(
    post, path = "/api/documents/{id}/revoke", tag = "workflow", request_body = RevokeRequest,
    params(("id" = Uuid, Path, description = "document id")),
    responses((status = 200, body = DocumentView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []))
)]
pub async fn revoke(
    State(state): State<AppState>,
    caller: Caller,
    id: Result<Path<Uuid>, PathRejection>,
    body: Bytes,
) -> Result<Json<DocumentView>, ApiError> {
    let id = id_of(id, "document")?;
    let request: RevokeRequest = serde_json::from_slice(&body)
        .map_err(|e| ApiError::bad_request(format!("expected {{\"reason\": …}}: {e}")))?;
    Ok(Json(
        state
            .services
            .revoke_document(&caller.user, id, &request.reason)
            .await?,
    ))
}

#[utoipa::path(
    get, path = "/api/documents/{id}/related", tag = "documents",
    params(("id" = Uuid, Path, description = "document id")),
    responses((status = 200, description = "corrections and replacements of the document", body = Vec<DocumentView>), (status = 404, body = ErrorBody)),
    security(("bearer" = []))
)]
pub async fn related(
    State(state): State<AppState>,
    caller: Caller,
    id: Result<Path<Uuid>, PathRejection>,
) -> Result<Json<Vec<DocumentView>>, ApiError> {
    let id = id_of(id, "document")?;
    Ok(Json(
        state.services.related_documents(&caller.user, id).await?,
    ))
}

#[utoipa::path(
    post, path = "/api/documents/{id}/copies", tag = "workflow", request_body = CopyRequest,
    params(("id" = Uuid, Path, description = "the issued original")),
    responses((status = 201, description = "the copy (bản sao): numbered in the copies sequence, agency-signed and stored", body = IssuedView), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("bearer" = []))
)]
pub async fn make_copy(
    State(state): State<AppState>,
    caller: Caller,
    id: Result<Path<Uuid>, PathRejection>,
    body: Bytes,
) -> Result<(StatusCode, Json<IssuedView>), ApiError> {
    let id = id_of(id, "document")?;
    let request: CopyRequest = serde_json::from_slice(&body).map_err(|e| {
        ApiError::bad_request(format!(
            "expected {{\"kind\": \"sao_y\" | \"sao_luc\" | \"trich_sao\", …}}: {e}"
        ))
    })?;
    let copy = state
        .services
        .copy_document(&caller.user, id, request)
        .await?;
    tracing::info!(document.id = %id, number = %copy.number, "document copied");
    Ok((StatusCode::CREATED, Json(copy)))
}

#[utoipa::path(
    get, path = "/api/documents/{id}/copies", tag = "documents",
    params(("id" = Uuid, Path, description = "document id")),
    responses((status = 200, description = "copies made of the document, oldest first", body = Vec<DocumentView>), (status = 404, body = ErrorBody)),
    security(("bearer" = []))
)]
pub async fn copies(
    State(state): State<AppState>,
    caller: Caller,
    id: Result<Path<Uuid>, PathRejection>,
) -> Result<Json<Vec<DocumentView>>, ApiError> {
    let id = id_of(id, "document")?;
    Ok(Json(state.services.copies_of(&caller.user, id).await?))
}
