//! The OpenAPI 3.1 document, generated from the handlers' annotations. It is served at
//! `/api/openapi.json` and committed as `schemas/openapi/vanthu.v1.json`; a test fails when
//! the two drift apart.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::{accounts, compliance, documents, health, register, search, verification, workflow};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "vanthu",
        description = "Issues, archives and audits two-layer digitally signed outgoing documents (văn bản đi). Errors are `{code, message}` with a code from ErrorCode.",
    ),
    paths(
        health::healthz, health::readyz,
        accounts::login, accounts::logout, accounts::me, accounts::list_users, accounts::create_user,
        documents::register_draft, documents::list_documents, documents::get_document, documents::download_document_file,
        workflow::assign_signer, workflow::sign_personal, workflow::prepare_personal, workflow::complete_personal, workflow::issue, workflow::verify_audit_log, workflow::exemption_rules, workflow::revoke, workflow::related, workflow::make_copy, workflow::copies, register::export, compliance::compliance, verification::verify_upload, verification::list_stored_verifications, verification::stored_verification, verification::stored_verification_file, verification::verify_document, search::search,
    ),
    components(schemas(super::error::ErrorCode, crate::app::DraftMetadata)),
    modifiers(&BearerAuth),
    tags(
        (name = "documents", description = "Outgoing documents"),
        (name = "workflow", description = "Personal signature, numbering and agency signature"),
        (name = "auth", description = "Login and the caller's profile"),
        (name = "users", description = "User management (admin)"),
        (name = "audit", description = "Tamper-evident audit log and exemption rules"),
        (name = "register", description = "The outgoing register (sổ đăng ký văn bản đi)"),
        (name = "verification", description = "Signature verification for auditors"),
        (name = "search", description = "Vietnamese full-text search of the archive"),
        (name = "operations", description = "Health and readiness"),
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The document as pretty JSON with a trailing newline (the committed file's exact form).
pub fn openapi_json() -> String {
    let mut doc = ApiDoc::openapi();
    doc.info.version = env!("CARGO_PKG_VERSION").to_owned();
    let mut text = doc.to_pretty_json().unwrap_or_default();
    text.push('\n');
    text
}
