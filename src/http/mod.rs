//! The HTTP API (axum). This module is the only one that knows axum: handlers parse the
//! request into our types, call one use-case, and render its result or error. Authentication
//! is the [`extract::Caller`] extractor; role checks live in the use-cases (`Role::may`).

mod accounts;
mod compliance;
mod documents;
pub mod error;
mod extract;
mod health;
pub mod openapi;
mod register;
mod search;
mod verification;
mod workflow;

use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use tokio::sync::RwLock;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::app::Services;
use crate::storage::StorageCapabilities;
use error::{ApiError, ErrorCode};

#[derive(Clone)]
pub struct AppState {
    pub services: Services,
    pub storage_capabilities: Arc<RwLock<StorageCapabilities>>,
    pub index_description: Arc<str>,
    pub metrics: PrometheusHandle,
    pub max_upload_bytes: u64,
}

pub fn router(state: AppState, request_timeout: Duration) -> Router {
    let body_limit = usize::try_from(state.max_upload_bytes).unwrap_or(usize::MAX);
    Router::new()
        .route(
            "/api/documents",
            post(documents::register_draft).get(documents::list_documents),
        )
        .route("/api/documents/{id}", get(documents::get_document))
        .route(
            "/api/documents/{id}/file",
            get(documents::download_document_file),
        )
        .route("/api/documents/{id}/signer", post(workflow::assign_signer))
        .route(
            "/api/documents/{id}/personal-signature",
            post(workflow::sign_personal),
        )
        .route(
            "/api/documents/{id}/personal-signature/prepare",
            post(workflow::prepare_personal),
        )
        .route(
            "/api/signing-sessions/{id}/complete",
            post(workflow::complete_personal),
        )
        .route("/api/documents/{id}/issue", post(workflow::issue))
        .route("/api/documents/{id}/revoke", post(workflow::revoke))
        .route("/api/documents/{id}/related", get(workflow::related))
        .route(
            "/api/documents/{id}/copies",
            post(workflow::make_copy).get(workflow::copies),
        )
        .route(
            "/api/audit-log/verification",
            get(workflow::verify_audit_log),
        )
        .route("/api/exemption-rules", get(workflow::exemption_rules))
        .route("/api/register", get(register::export))
        .route("/api/compliance", get(compliance::compliance))
        .route("/api/search", get(search::search))
        .route("/api/verify", post(verification::verify_upload))
        .route(
            "/api/verifications",
            get(verification::list_stored_verifications),
        )
        .route(
            "/api/verifications/{id}",
            get(verification::stored_verification),
        )
        .route(
            "/api/verifications/{id}/file",
            get(verification::stored_verification_file),
        )
        .route(
            "/api/documents/{id}/verification",
            get(verification::verify_document),
        )
        .route("/api/auth/login", post(accounts::login))
        .route("/api/auth/logout", post(accounts::logout))
        .route("/api/me", get(accounts::me))
        .route(
            "/api/users",
            get(accounts::list_users).post(accounts::create_user),
        )
        .route("/api/openapi.json", get(serve_openapi))
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(health::metrics))
        .route_layer(middleware::from_fn(record_metrics))
        .fallback(unknown_route)
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            request_timeout,
        ))
        .layer(CatchPanicLayer::custom(|_| {
            ApiError::internal("a request handler panicked").into_response()
        }))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|request: &Request| {
                    tracing::info_span!(
                        "request",
                        method = %request.method(),
                        path = %request.uri().path(),
                        user.id = tracing::field::Empty,
                    )
                })
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .with_state(state)
}

async fn serve_openapi() -> impl IntoResponse {
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        openapi::openapi_json(),
    )
}

async fn unknown_route() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, ErrorCode::NotFound, "no such route")
}

async fn record_metrics(request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".to_owned());
    let method = request.method().to_string();
    let started = Instant::now();
    let response = next.run(request).await;
    let labels = [
        ("method", method),
        ("route", route),
        ("status", response.status().as_u16().to_string()),
    ];
    metrics::counter!("vanthu_http_requests_total", &labels).increment(1);
    metrics::histogram!("vanthu_http_request_duration_seconds", &labels)
        .record(started.elapsed().as_secs_f64());
    response
}

/// The process-wide Prometheus recorder. Metrics are process-global by nature; every
/// `Application` in the process (several in tests) shares this one.
pub fn prometheus_handle() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new().build_recorder();
            let handle = recorder.handle();
            // Fails only if another recorder is installed; the handle still renders ours.
            let _ = metrics::set_global_recorder(recorder);
            handle
        })
        .clone()
}
