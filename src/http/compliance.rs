//! `GET /api/compliance`: the two-layer compliance rate of the caller's agency for a period,
//! grouped, with itemised failures; JSON, CSV (the groups) or XLSX (groups and failures).

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::NaiveDate;
use serde::Deserialize;

use super::error::{ApiError, ErrorBody};
use super::extract::Caller;
use super::AppState;
use crate::app::{ComplianceQuery, GroupBy};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ComplianceFormat {
    #[default]
    Json,
    Csv,
    Xlsx,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ComplianceParams {
    /// OrganId; only the caller's own agency is allowed (the default).
    agency: Option<String>,
    /// Abbreviation of one drafting unit.
    unit: Option<String>,
    /// First issue date, YYYY-MM-DD (Vietnam time).
    from: NaiveDate,
    /// Last issue date, YYYY-MM-DD (inclusive).
    to: NaiveDate,
    /// unit (default), signer or month
    group_by: Option<GroupBy>,
    /// json (default), csv or xlsx
    format: Option<ComplianceFormat>,
}

#[utoipa::path(
    get, path = "/api/compliance", tag = "verification", params(ComplianceParams),
    responses(
        (status = 200, description = "required, exempt, compliant and rate per group and in total, with itemised failures (JSON), or the CSV/XLSX file", body = crate::app::ComplianceReport),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)
    ),
    security(("bearer" = []))
)]
pub async fn compliance(
    State(state): State<AppState>,
    caller: Caller,
    params: Result<Query<ComplianceParams>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(params) = params.map_err(|r| ApiError::bad_request(r.body_text()))?;
    let query = ComplianceQuery {
        agency: params.agency,
        unit: params.unit,
        from: params.from,
        to: params.to,
        group_by: params.group_by.unwrap_or_default(),
    };
    let report = state.services.compliance(&caller.user, &query).await?;
    let name = format!("tuan-thu-{}-{}-{}", report.organ_id, query.from, query.to);
    let (bytes, content_type, extension) = match params.format.unwrap_or_default() {
        ComplianceFormat::Json => return Ok(Json(report).into_response()),
        ComplianceFormat::Csv => {
            let tables = report.tables();
            let csv = crate::register_export::table_to_csv(&tables[0]);
            (csv.into_bytes(), "text/csv; charset=utf-8", "csv")
        }
        ComplianceFormat::Xlsx => {
            let tables = report.tables();
            let bytes =
                crate::blocking::run(move || crate::register_export::tables_to_xlsx(&tables))
                    .await
                    .map_err(crate::app::AppError::from)?
                    .map_err(|e| crate::app::AppError::Internal(format!("compliance XLSX: {e}")))?;
            (
                bytes,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "xlsx",
            )
        }
    };
    let mut response = (StatusCode::OK, bytes).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(value) =
        HeaderValue::from_str(&format!("attachment; filename=\"{name}.{extension}\""))
    {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}
