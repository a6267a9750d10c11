//! `GET /api/search`: full-text search of the archive the caller may see.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::Json;
use chrono::NaiveDate;
use serde::Deserialize;

use super::error::{ApiError, ErrorBody};
use super::extract::Caller;
use super::AppState;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SearchParams {
    /// What the user typed: Vietnamese with or without diacritics, or a number such as 15/QĐ-UBND.
    q: Option<String>,
    /// Document type code, e.g. quyet_dinh.
    r#type: Option<String>,
    /// OrganId of the issuing agency; only agencies the caller may see return hits.
    agency: Option<String>,
    unit: Option<String>,
    signer: Option<String>,
    status: Option<String>,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    /// relevance (default), newest or oldest
    sort: Option<String>,
    page: Option<u32>,
    page_size: Option<u32>,
    /// true: only scans (files without a text layer, found by their metadata only); false:
    /// only documents with a text layer.
    scan: Option<bool>,
    /// true: count every match and compute the facets over all of them. By default, past
    /// 20,000 matches `total` and the facets are estimated (`total_is_exact` and
    /// `facets_exact` are then false); the hits are exact either way.
    exact_counts: Option<bool>,
}

#[utoipa::path(
    get, path = "/api/search", tag = "search", params(SearchParams),
    responses((status = 200, description = "hits with highlighted snippets (each with `scan`: no text layer), facet counts and the total; `total_is_exact`/`facets_exact` say whether the counts are exact or estimated from a sample", body = Object), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("bearer" = []))
)]
pub async fn search(
    State(state): State<AppState>,
    caller: Caller,
    params: Result<Query<SearchParams>, QueryRejection>,
) -> Result<Json<search_index::SearchResults>, ApiError> {
    let Query(params) = params.map_err(|r| ApiError::bad_request(r.body_text()))?;
    let sort = match params.sort.as_deref() {
        None | Some("relevance") => search_index::SortOrder::Relevance,
        Some("newest") => search_index::SortOrder::Newest,
        Some("oldest") => search_index::SortOrder::Oldest,
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "sort '{other}' is not relevance, newest or oldest"
            )))
        }
    };
    let request = search_index::SearchRequest {
        text: params.q.unwrap_or_default(),
        allowed_agencies: Vec::new(),
        document_type: params.r#type,
        organ_id: params.agency.filter(|a| !a.trim().is_empty()),
        unit: params.unit,
        signer: params.signer,
        status: params.status,
        from: params.from,
        to: params.to,
        sort,
        page: params.page.unwrap_or(1),
        page_size: params.page_size.unwrap_or(20),
        scan: params.scan,
        exact_counts: params.exact_counts.unwrap_or(false),
    };
    Ok(Json(state.services.search(&caller.user, request).await?))
}
