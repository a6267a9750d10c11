//! Health, readiness and metrics: the only routes without authentication.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use serde::Serialize;

use super::AppState;
use crate::storage::StorageCapabilities;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Health {
    pub status: &'static str,
    pub version: &'static str,
}

#[utoipa::path(get, path = "/healthz", tag = "operations", responses((status = 200, body = Health)))]
pub async fn healthz() -> Json<Health> {
    Json(Health {
        status: "ok",
        version: env!("CARGO_PKG_VERSION"),
    })
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Readiness {
    pub ready: bool,
    pub database: ComponentStatus,
    pub storage: StorageCapabilities,
    pub search_index: ComponentStatus,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ComponentStatus {
    pub ok: bool,
    pub backend: String,
    pub error: Option<String>,
}

/// Ready when the database answers and the object store passed its start-up probe (re-run
/// here when it had failed, so a bucket that comes up later makes the node ready).
#[utoipa::path(get, path = "/readyz", tag = "operations", responses((status = 200, body = Readiness), (status = 503, body = Readiness)))]
pub async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    let database = match state.services.store.ping().await {
        Ok(()) => ComponentStatus {
            ok: true,
            backend: state.services.store.backend_name().into(),
            error: None,
        },
        Err(error) => ComponentStatus {
            ok: false,
            backend: state.services.store.backend_name().into(),
            error: Some(error.to_string()),
        },
    };
    let mut storage = state.storage_capabilities.read().await.clone();
    if !storage.is_ready() {
        storage = state.services.blobs.probe().await;
        *state.storage_capabilities.write().await = storage.clone();
    }
    let search_index = ComponentStatus {
        ok: true,
        backend: state.index_description.to_string(),
        error: None,
    };
    let ready = database.ok && storage.is_ready() && search_index.ok;
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        status,
        Json(Readiness {
            ready,
            database,
            storage,
            search_index,
        }),
    )
}

/// Prometheus text exposition.
pub async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(),
    )
}
