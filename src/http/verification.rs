//! `POST /api/verify` (any PDF, nothing stored) and `GET /api/documents/{id}/verification`.

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use bytes::Bytes;
use uuid::Uuid;

use super::error::{ApiError, ErrorBody, ErrorCode};
use super::extract::Caller;
use super::AppState;

#[utoipa::path(
    post, path = "/api/verify", tag = "verification",
    request_body(content = Vec<u8>, content_type = "application/pdf", description = "the PDF to check; it is not stored"),
    responses((status = 200, description = "the validation report, the two-layer policy check and a plain summary", body = crate::app::VerificationView), (status = 401, body = ErrorBody), (status = 413, body = ErrorBody), (status = 415, body = ErrorBody)),
    security(("bearer" = []))
)]
pub async fn verify_upload(
    State(state): State<AppState>,
    caller: Caller,
    body: Bytes,
) -> Result<Json<crate::app::VerificationView>, ApiError> {
    if body.is_empty() {
        return Err(ApiError::bad_request(
            "send the PDF as the request body (Content-Type: application/pdf)",
        ));
    }
    Ok(Json(
        state.services.verify_upload(&caller.user, body).await?,
    ))
}

#[utoipa::path(
    get, path = "/api/documents/{id}/verification", tag = "verification",
    params(("id" = Uuid, Path, description = "document id")),
    responses((status = 200, description = "the validation report of the document's current file, its two-layer policy check and a plain summary", body = crate::app::VerificationView), (status = 404, body = ErrorBody)),
    security(("bearer" = []))
)]
pub async fn verify_document(
    State(state): State<AppState>,
    caller: Caller,
    id: Result<Path<Uuid>, PathRejection>,
) -> Result<Json<crate::app::VerificationView>, ApiError> {
    let id = id.map(|Path(id)| id).map_err(|_| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            ErrorCode::NotFound,
            "document not found (the id is not a UUID)",
        )
    })?;
    Ok(Json(
        state.services.verify_document(&caller.user, id).await?,
    ))
}
