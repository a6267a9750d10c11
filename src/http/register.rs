//! `GET /api/register`: the outgoing register for a period, in the format asked for.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::Deserialize;

use super::error::{ApiError, ErrorBody};
use super::extract::Caller;
use super::AppState;
use crate::app::RegisterFormat;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct RegisterParams {
    /// First issue date, YYYY-MM-DD (Vietnam time).
    from: NaiveDate,
    /// Last issue date, YYYY-MM-DD (inclusive).
    to: NaiveDate,
    /// json (default), csv, xlsx or pdf
    format: Option<RegisterFormat>,
}

#[utoipa::path(
    get, path = "/api/register", tag = "register", params(RegisterParams),
    responses(
        (status = 200, description = "the register's rows (JSON) or the CSV/XLSX/PDF file"),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)
    ),
    security(("bearer" = []))
)]
pub async fn export(
    State(state): State<AppState>,
    caller: Caller,
    params: Result<Query<RegisterParams>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(params) = params.map_err(|r| ApiError::bad_request(r.body_text()))?;
    let format = params.format.unwrap_or(RegisterFormat::Json);
    let export = state
        .services
        .export_register(&caller.user, params.from, params.to, format)
        .await?;
    let mut response = (StatusCode::OK, export.bytes).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(export.content_type),
    );
    if format != RegisterFormat::Json {
        if let Ok(value) =
            HeaderValue::from_str(&format!("attachment; filename=\"{}\"", export.file_name))
        {
            headers.insert(header::CONTENT_DISPOSITION, value);
        }
    }
    Ok(response)
}
