//! Login, logout, the caller's profile and admin user management.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};

use super::error::{ApiError, ErrorBody};
use super::extract::{ApiJson, Caller};
use super::AppState;
use crate::app::{NewUserRequest, TokenCreated, UserView};

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

#[utoipa::path(
    post, path = "/api/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, description = "a session token", body = TokenCreated), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody))
)]
pub async fn login(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<LoginRequest>,
) -> Result<Json<TokenCreated>, ApiError> {
    Ok(Json(
        state
            .services
            .login(&request.username, &request.password)
            .await?,
    ))
}

#[utoipa::path(
    post, path = "/api/auth/logout", tag = "auth",
    responses((status = 204, description = "the presented token is revoked"), (status = 401, body = ErrorBody)),
    security(("bearer" = []))
)]
pub async fn logout(State(state): State<AppState>, caller: Caller) -> Result<StatusCode, ApiError> {
    state.services.logout(&caller.token).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    get, path = "/api/me", tag = "auth",
    responses((status = 200, body = UserView), (status = 401, body = ErrorBody)),
    security(("bearer" = []))
)]
pub async fn me(State(state): State<AppState>, caller: Caller) -> Result<Json<UserView>, ApiError> {
    Ok(Json(state.services.user_view(&caller.user).await?))
}

#[utoipa::path(
    get, path = "/api/users", tag = "users",
    responses((status = 200, body = Vec<UserView>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = []))
)]
pub async fn list_users(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<UserView>>, ApiError> {
    Ok(Json(state.services.list_users_as(&caller.user).await?))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct UserCreated {
    pub user: UserView,
    /// The initial password (generated when none was given). Shown once.
    pub password: String,
}

#[utoipa::path(
    post, path = "/api/users", tag = "users", request_body = NewUserRequest,
    responses(
        (status = 201, body = UserCreated), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)
    ),
    security(("bearer" = []))
)]
pub async fn create_user(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(request): ApiJson<NewUserRequest>,
) -> Result<(StatusCode, Json<UserCreated>), ApiError> {
    let (user, password) = state.services.create_user_as(&caller.user, request).await?;
    Ok((StatusCode::CREATED, Json(UserCreated { user, password })))
}
