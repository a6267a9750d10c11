//! `/api/documents`: register drafts, list, read and download.

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use bytes::Bytes;
use serde::Deserialize;
use uuid::Uuid;

use super::error::{ApiError, ErrorBody};
use super::extract::Caller;
use super::AppState;
use crate::app::{DocumentList, DocumentListQuery, DocumentUpload, DocumentView};
use crate::domain::DocumentStatus;

/// The multipart form of `POST /api/documents` (for the OpenAPI document).
#[derive(utoipa::ToSchema)]
#[allow(dead_code, reason = "describes the multipart body for OpenAPI only")]
pub struct DraftUploadForm {
    /// JSON text matching schemas/json/draft-metadata.v1.schema.json.
    metadata: String,
    /// The draft PDF. Required unless the document is confidential (then refused).
    #[schema(format = Binary, content_media_type = "application/pdf")]
    file: Option<Vec<u8>>,
}

#[utoipa::path(
    post, path = "/api/documents", tag = "documents",
    request_body(content = DraftUploadForm, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "draft registered", body = DocumentView),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn register_draft(
    State(state): State<AppState>,
    caller: Caller,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<(StatusCode, Json<DocumentView>), ApiError> {
    let multipart = multipart.map_err(|r| {
        ApiError::bad_request(format!(
            "expected a multipart/form-data body: {}",
            r.body_text()
        ))
    })?;
    let upload = read_upload(multipart, state.max_upload_bytes).await?;
    let view = state.services.register_draft(&caller.user, upload).await?;
    tracing::info!(document.id = %view.id, status = ?view.status, "draft registered");
    Ok((StatusCode::CREATED, Json(view)))
}

async fn read_upload(mut multipart: Multipart, limit: u64) -> Result<DocumentUpload, ApiError> {
    let multipart_error = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::too_large(limit)
        } else {
            ApiError::bad_request(format!(
                "the multipart body is malformed: {}",
                e.body_text()
            ))
        }
    };
    let mut metadata: Option<String> = None;
    let mut file: Option<(Bytes, Option<String>)> = None;
    while let Some(field) = multipart.next_field().await.map_err(multipart_error)? {
        let name = field.name().unwrap_or_default().to_owned();
        match name.as_str() {
            "metadata" if metadata.is_none() => {
                metadata = Some(field.text().await.map_err(multipart_error)?)
            }
            "file" if file.is_none() => {
                let file_name = field.file_name().map(str::to_owned);
                file = Some((field.bytes().await.map_err(multipart_error)?, file_name));
            }
            "metadata" | "file" => {
                return Err(ApiError::bad_request(format!(
                    "the part '{name}' appears twice"
                )))
            }
            other => {
                return Err(ApiError::bad_request(format!(
                    "unexpected part '{other}'; send 'metadata' and 'file'"
                )))
            }
        }
    }
    let metadata_json = metadata.ok_or_else(|| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            super::error::ErrorCode::InvalidMetadata,
            "the multipart part 'metadata' (JSON) is required",
        )
    })?;
    let (file, file_name) = match file {
        Some((bytes, name)) => (Some(bytes), name),
        None => (None, None),
    };
    Ok(DocumentUpload {
        metadata_json,
        file,
        file_name,
    })
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    /// draft, signed_personal, issued, revoked or registered_stub
    status: Option<String>,
    /// 1-200, default 50
    limit: Option<u32>,
    offset: Option<u32>,
}

#[utoipa::path(
    get, path = "/api/documents", tag = "documents", params(ListParams),
    responses((status = 200, body = DocumentList), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = []))
)]
pub async fn list_documents(
    State(state): State<AppState>,
    caller: Caller,
    params: Result<Query<ListParams>, QueryRejection>,
) -> Result<Json<DocumentList>, ApiError> {
    let Query(params) = params.map_err(|r| ApiError::bad_request(r.body_text()))?;
    let status = params
        .status
        .as_deref()
        .map(str::parse::<DocumentStatus>)
        .transpose()
        .map_err(|e| ApiError::bad_request(e.to_string()))?;
    let query = DocumentListQuery {
        status,
        limit: params.limit,
        offset: params.offset,
    };
    Ok(Json(
        state.services.list_documents(&caller.user, query).await?,
    ))
}

#[utoipa::path(
    get, path = "/api/documents/{id}", tag = "documents",
    params(("id" = Uuid, Path, description = "document id")),
    responses((status = 200, body = DocumentView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []))
)]
pub async fn get_document(
    State(state): State<AppState>,
    caller: Caller,
    id: Result<Path<Uuid>, PathRejection>,
) -> Result<Json<DocumentView>, ApiError> {
    let id = document_id(id)?;
    Ok(Json(state.services.get_document(&caller.user, id).await?))
}

#[utoipa::path(
    get, path = "/api/documents/{id}/file", tag = "documents",
    params(("id" = Uuid, Path, description = "document id")),
    responses(
        (status = 200, description = "the stored PDF, byte-identical", content_type = "application/pdf", body = Vec<u8>),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)
    ),
    security(("bearer" = []))
)]
pub async fn download_document_file(
    State(state): State<AppState>,
    caller: Caller,
    id: Result<Path<Uuid>, PathRejection>,
) -> Result<Response, ApiError> {
    let id = document_id(id)?;
    let (bytes, file) = state.services.read_document_file(&caller.user, id).await?;
    let file_name = file
        .original_filename
        .unwrap_or_else(|| format!("{id}.pdf"));
    let disposition = format!(
        "attachment; filename=\"{}\"; filename*=UTF-8''{}",
        file_name.replace(|c: char| !c.is_ascii() || c == '"', "_"),
        percent_encode(&file_name)
    );
    let mut response = (StatusCode::OK, bytes).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/pdf"),
    );
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    if let Ok(value) = HeaderValue::from_str(&format!("\"sha256-{}\"", file.sha256)) {
        headers.insert(header::ETAG, value);
    }
    Ok(response)
}

fn document_id(id: Result<Path<Uuid>, PathRejection>) -> Result<Uuid, ApiError> {
    id.map(|Path(id)| id).map_err(|_| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            super::error::ErrorCode::NotFound,
            "document not found (the id is not a UUID)",
        )
    })
}

/// RFC 5987 encoding for the `filename*` parameter.
fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'.' | b'-' | b'_' => (b as char).to_string(),
            other => format!("%{other:02X}"),
        })
        .collect()
}
