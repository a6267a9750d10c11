//! `POST /api/verify` (any PDF; nothing stored unless `?store=true`), the kept verifications
//! (`GET /api/verifications/{id}` and `…/file`) and `GET /api/documents/{id}/verification`.

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use bytes::Bytes;
use uuid::Uuid;

use super::error::{ApiError, ErrorBody, ErrorCode};
use super::extract::Caller;
use super::AppState;

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct VerifyParams {
    /// Keep the file and this answer (retrievable at the `stored` URLs); default false:
    /// nothing is stored.
    store: Option<bool>,
}

#[utoipa::path(
    post, path = "/api/verify", tag = "verification", params(VerifyParams),
    request_body(content = Vec<u8>, content_type = "application/pdf", description = "the PDF to check; stored only with ?store=true"),
    responses((status = 200, description = "the validation report, the two-layer policy check and a plain summary (with `stored` when kept)", body = crate::app::VerificationView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 413, body = ErrorBody), (status = 415, body = ErrorBody)),
    security(("bearer" = []))
)]
pub async fn verify_upload(
    State(state): State<AppState>,
    caller: Caller,
    params: Result<Query<VerifyParams>, QueryRejection>,
    body: Bytes,
) -> Result<Json<crate::app::VerificationView>, ApiError> {
    let Query(params) = params.map_err(|r| ApiError::bad_request(r.body_text()))?;
    if body.is_empty() {
        return Err(ApiError::bad_request(
            "send the PDF as the request body (Content-Type: application/pdf)",
        ));
    }
    let store = params.store.unwrap_or(false);
    Ok(Json(
        state
            .services
            .verify_upload(&caller.user, body, store)
            .await?,
    ))
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    /// First day (Vietnam time, inclusive); default: 30 days before `to`.
    from: Option<chrono::NaiveDate>,
    /// Last day (Vietnam time, inclusive); default: today.
    to: Option<chrono::NaiveDate>,
}

#[utoipa::path(
    get, path = "/api/verifications", tag = "verification", params(ListParams),
    responses((status = 200, description = "the kept verifications of the period, newest first", body = crate::app::StoredVerificationList), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = []))
)]
pub async fn list_stored_verifications(
    State(state): State<AppState>,
    caller: Caller,
    params: Result<Query<ListParams>, QueryRejection>,
) -> Result<Json<crate::app::StoredVerificationList>, ApiError> {
    let Query(params) = params.map_err(|r| ApiError::bad_request(r.body_text()))?;
    Ok(Json(
        state
            .services
            .list_stored_verifications(&caller.user, params.from, params.to)
            .await?,
    ))
}

#[utoipa::path(
    get, path = "/api/verifications/{id}", tag = "verification",
    params(("id" = Uuid, Path, description = "the kept verification's id")),
    responses((status = 200, description = "the answer as it was given when the file was kept", body = crate::app::VerificationView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []))
)]
pub async fn stored_verification(
    State(state): State<AppState>,
    caller: Caller,
    id: Result<Path<Uuid>, PathRejection>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let id = verification_id(id)?;
    Ok(Json(
        state.services.stored_verification(&caller.user, id).await?,
    ))
}

#[utoipa::path(
    get, path = "/api/verifications/{id}/file", tag = "verification",
    params(("id" = Uuid, Path, description = "the kept verification's id")),
    responses((status = 200, description = "the PDF that was checked, byte-identical", content_type = "application/pdf", body = Vec<u8>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []))
)]
pub async fn stored_verification_file(
    State(state): State<AppState>,
    caller: Caller,
    id: Result<Path<Uuid>, PathRejection>,
) -> Result<Response, ApiError> {
    let id = verification_id(id)?;
    let bytes = state
        .services
        .stored_verification_file(&caller.user, id)
        .await?;
    let mut response = (StatusCode::OK, bytes).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/pdf"),
    );
    Ok(response)
}

fn verification_id(id: Result<Path<Uuid>, PathRejection>) -> Result<Uuid, ApiError> {
    id.map(|Path(id)| id).map_err(|_| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            ErrorCode::NotFound,
            "verification not found (the id is not a UUID)",
        )
    })
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
