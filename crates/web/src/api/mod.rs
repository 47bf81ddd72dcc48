//! The `/api/v1` routes.

pub mod assistant;
pub mod audit;
pub mod auth;
pub mod calendar;
pub mod catalog;
pub mod documents;
pub mod dossiers;
pub mod forms;
pub mod ids;
pub mod inbox;
pub mod index;
pub mod plans;
pub mod population;
pub mod steering;
pub mod units;

use axum::routing::{get, post};
use axum::Router;

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(crate::openapi::serve))
        .route("/calendar/due", get(calendar::due))
        .route("/calendar/{year}", get(calendar::year))
        .route("/lunar/{date}", get(calendar::lunar))
        .route("/personal-ids/check", post(ids::check))
        .route("/procedures", get(catalog::list))
        .route("/procedures/{code}", get(catalog::detail))
        .route("/dossiers", post(dossiers::submit))
        .route("/dossiers/{code}", get(dossiers::get))
        .route("/dossiers/{code}/actions", post(dossiers::act))
        .route("/dossiers/{code}/events", get(dossiers::events))
        .route("/dossiers/{code}/claim", post(inbox::claim))
        .route("/dossiers/{code}/assign", post(inbox::assign))
        .route("/inbox", get(inbox::inbox))
        .route("/population/lookup", post(population::lookup))
        .route("/audit", get(audit::list))
        .route(
            "/dossiers/{code}/documents",
            get(documents::list)
                .post(documents::upload)
                .layer(axum::extract::DefaultBodyLimit::max(
                    motcua_engine::documents::MAX_DOCUMENT_BYTES + 1024,
                )),
        )
        .route("/dossiers/{code}/documents/{seq}", get(documents::download))
        .route("/dossiers/{code}/forms/{file}", get(forms::form))
        .route("/registers/{file}", get(forms::register))
        .route("/deadlines", get(dossiers::deadlines))
        .route("/index", get(index::index))
        .route("/plans", get(plans::list))
        .route("/plans/import", post(plans::import))
        .route("/plans/{id}", get(plans::detail))
        .route(
            "/plans/{id}/indicators/{indicator}/values",
            get(plans::values).post(plans::submit_value),
        )
        .route(
            "/plans/{id}/indicators/{indicator}/values/{value_id}/approve",
            post(plans::approve_value),
        )
        .route("/par-index", get(plans::par_index))
        .route("/directives", get(plans::directives))
        .route("/directives/{id}/progress", post(plans::directive_progress))
        .route("/reports/{report}", get(steering::steering))
        .route("/units", get(units::list))
        .route("/organisations", get(units::organisations))
        .route("/assistant/ask", post(assistant::ask))
        .route("/auth/token", post(auth::token))
        .route("/auth/me", get(auth::me))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
}

async fn not_found(uri: axum::http::Uri) -> crate::error::ApiError {
    crate::error::ApiError::NotFound(format!("no route {}", uri.path()))
}

async fn method_not_allowed() -> axum::response::Response {
    use axum::response::IntoResponse;
    let mut response = crate::error::ApiError::BadRequest("method not allowed on this route".into()).into_response();
    *response.status_mut() = axum::http::StatusCode::METHOD_NOT_ALLOWED;
    response
}
