//! The OpenAPI 3.1 description of `/api/v1`, generated from the handlers. The committed copy
//! (`docs/openapi.json`) must equal it; a test fails on drift.

use axum::response::IntoResponse;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::api;

#[derive(OpenApi)]
#[openapi(
    info(title = "motcua API", description = "One-stop e-government platform: catalogue, calendar, identifiers, dossiers."),
    paths(
        api::calendar::year, api::calendar::due, api::calendar::lunar,
        api::ids::check,
        api::catalog::list, api::catalog::detail,
        api::dossiers::submit, api::dossiers::get, api::dossiers::act, api::dossiers::events, api::dossiers::deadlines,
        api::documents::upload, api::documents::list, api::documents::download,
        api::forms::form, api::forms::register,
        api::index::index,
        api::plans::list, api::plans::detail, api::plans::submit_value, api::plans::values,
        api::plans::approve_value, api::plans::import, api::plans::par_index, api::plans::directives,
        api::plans::directive_progress,
        api::steering::steering,
        api::units::list, api::units::organisations,
        api::assistant::ask,
        api::auth::token, api::auth::me,
        api::population::lookup,
        api::inbox::inbox, api::inbox::claim, api::inbox::assign,
        api::audit::list,
    ),
    modifiers(&BearerAuth),
    tags(
        (name = "calendar", description = "Working-time and lunar calendar"),
        (name = "identifiers", description = "Personal identification numbers"),
        (name = "catalogue", description = "Administrative procedures"),
        (name = "dossiers", description = "Dossier intake, views, actions and audit trail"),
        (name = "forms", description = "Printed forms (TT 03/2025 01–06, PDF) and the register 07 (Excel)"),
        (name = "index", description = "QĐ 766 service-quality index"),
        (name = "plans", description = "Plans, PAR index, directives and the steering report"),
        (name = "units", description = "Administrative units and organisations"),
        (name = "assistant", description = "Virtual assistant for citizens"),
        (name = "auth", description = "Tokens for API clients"),
        (name = "population", description = "Population registry look-ups (Đề án 06)"),
        (name = "inbox", description = "Officers' queues, claim and assignment"),
        (name = "audit", description = "The tamper-evident audit log"),
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

/// The description as pretty JSON, exactly as committed in docs/openapi.json.
pub fn document() -> String {
    let mut text = ApiDoc::openapi().to_pretty_json().unwrap_or_else(|_| "{}".into());
    text.push('\n');
    text
}

pub async fn serve() -> impl IntoResponse {
    static DOC: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        DOC.get_or_init(document).clone(),
    )
}
