//! The one error type of the HTTP API. Every failure leaves as `{"code", "message"}` with a
//! code from the small closed set in [`ErrorCode`]. Client errors carry a message the user can
//! act on; server errors are logged here, once, with their detail, and the client only learns
//! that something failed.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;

use crate::app::AppError;
use crate::pdf::PdfRejection;

/// The stable machine codes. Adding one is an API change: update the OpenAPI document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    BadRequest,
    Unauthenticated,
    Forbidden,
    NotFound,
    Conflict,
    PayloadTooLarge,
    NotPdf,
    InvalidPdf,
    EncryptedPdf,
    InvalidMetadata,
    UnknownAgency,
    UnknownUnit,
    ConfidentialFileRefused,
    SessionExpired,
    SignatureMismatch,
    LayoutNotFound,
    PersonalSignatureInvalid,
    Internal,
    Unavailable,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub code: ErrorCode,
    pub message: String,
}

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: ErrorCode,
    pub message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, ErrorCode::BadRequest, message)
    }

    pub fn too_large(limit: u64) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::PayloadTooLarge,
            format!("the request is larger than the {limit}-byte limit"),
        )
    }

    /// A server-side failure: the detail goes to the log, the client gets a generic message.
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        tracing::error!(error = %detail, "request failed");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::Internal,
            "internal error; the incident was logged",
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            code: self.code,
            message: self.message,
        };
        (self.status, Json(body)).into_response()
    }
}

impl From<AppError> for ApiError {
    fn from(error: AppError) -> Self {
        use ErrorCode as C;
        use StatusCode as S;
        let message = error.to_string();
        match error {
            AppError::BadRequest(_) => Self::new(S::BAD_REQUEST, C::BadRequest, message),
            AppError::Unauthenticated(_) => Self::new(S::UNAUTHORIZED, C::Unauthenticated, message),
            AppError::Forbidden(_) => Self::new(S::FORBIDDEN, C::Forbidden, message),
            AppError::NotFound(_) => Self::new(S::NOT_FOUND, C::NotFound, message),
            AppError::Conflict(_) => Self::new(S::CONFLICT, C::Conflict, message),
            AppError::InvalidMetadata(_) => {
                Self::new(S::UNPROCESSABLE_ENTITY, C::InvalidMetadata, message)
            }
            AppError::UnknownAgency(_) => {
                Self::new(S::UNPROCESSABLE_ENTITY, C::UnknownAgency, message)
            }
            AppError::UnknownUnit(_) => Self::new(S::UNPROCESSABLE_ENTITY, C::UnknownUnit, message),
            AppError::ConfidentialFileRefused(_) => {
                Self::new(S::UNPROCESSABLE_ENTITY, C::ConfidentialFileRefused, message)
            }
            AppError::SessionExpired(_) => Self::new(S::GONE, C::SessionExpired, message),
            AppError::SignatureMismatch(_) => {
                Self::new(S::UNPROCESSABLE_ENTITY, C::SignatureMismatch, message)
            }
            AppError::LayoutNotFound(_) => {
                Self::new(S::UNPROCESSABLE_ENTITY, C::LayoutNotFound, message)
            }
            AppError::PersonalSignatureInvalid(_) => Self::new(
                S::UNPROCESSABLE_ENTITY,
                C::PersonalSignatureInvalid,
                message,
            ),
            AppError::InvalidPdf(PdfRejection::NotPdf) => {
                Self::new(S::UNSUPPORTED_MEDIA_TYPE, C::NotPdf, message)
            }
            AppError::InvalidPdf(PdfRejection::Encrypted) => {
                Self::new(S::UNPROCESSABLE_ENTITY, C::EncryptedPdf, message)
            }
            AppError::InvalidPdf(_) | AppError::PdfTimeout(_) => {
                Self::new(S::UNPROCESSABLE_ENTITY, C::InvalidPdf, message)
            }
            AppError::Storage(_) | AppError::Database(_) | AppError::Internal(_) => {
                Self::internal(message)
            }
        }
    }
}
