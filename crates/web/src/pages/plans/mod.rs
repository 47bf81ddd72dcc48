//! The steering pages at `/dieu-hanh` (issue #8): plans and their indicators, reported values
//! and their approval, the PAR index, directives with progress reports, and the bottlenecks of a
//! period with the steering report.
//!
//! Every figure comes from the same functions as the API (`api::plans`, `api::steering`), and
//! every write goes through the API's own validation and store calls. The pages are for
//! officers (every role but citizens), as the steering data of the API; who may enter, approve
//! or report is decided by the API's rules.

pub mod plan;
pub mod steering;
pub mod text;

use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use motcua_domain::plans::{PlanPeriod, Status};
use motcua_store::User;

use super::mine::require_sign_in;
use super::{error_page, Ctx, Lang};
use crate::error::ApiError;
use crate::state::AppState;

pub use text::{EN, VI};

/// The steering pages' routes (mounted at the root).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/dieu-hanh/ke-hoach", get(plan::list))
        .route("/dieu-hanh/ke-hoach/{id}", get(plan::page))
        .route("/dieu-hanh/ke-hoach/{id}/chi-tieu/{indicator}", get(plan::indicator))
        .route(
            "/dieu-hanh/ke-hoach/{id}/chi-tieu/{indicator}/so-lieu",
            post(plan::enter),
        )
        .route(
            "/dieu-hanh/ke-hoach/{id}/chi-tieu/{indicator}/so-lieu/{value_id}/duyet",
            post(plan::approve),
        )
        .route("/dieu-hanh/cai-cach-hanh-chinh", get(steering::par))
        .route("/dieu-hanh/chi-dao", get(steering::directives))
        .route("/dieu-hanh/chi-dao/{id}", get(steering::directive))
        .route("/dieu-hanh/chi-dao/{id}/tien-do", post(steering::progress))
        .route("/dieu-hanh/diem-nghen", get(steering::bottlenecks))
}

/// The signed-in officer with the session's CSRF token, the sign-in redirect for a visitor, or
/// the 403 page for a citizen.
// The error is the response to send as is, returned once per request.
#[allow(clippy::result_large_err)]
pub fn require_steering(ctx: &Ctx) -> Result<(User, String), Response> {
    let session = require_sign_in(ctx)?;
    if session.user.role.is_officer() {
        Ok((session.user.clone(), session.csrf.clone()))
    } else {
        Err(error_page(ctx.lang, StatusCode::FORBIDDEN, None))
    }
}

/// The page for an API error that is not a field error.
pub fn api_error_page(lang: Lang, e: ApiError) -> Response {
    match e {
        ApiError::NotFound(_) => error_page(lang, StatusCode::NOT_FOUND, None),
        ApiError::Forbidden(_) | ApiError::Unauthorized => error_page(lang, StatusCode::FORBIDDEN, None),
        ApiError::BadRequest(_) | ApiError::Invalid { .. } => error_page(lang, StatusCode::BAD_REQUEST, None),
        ApiError::Internal(e) => error_page(lang, StatusCode::INTERNAL_SERVER_ERROR, Some(e)),
        other => error_page(
            lang,
            StatusCode::INTERNAL_SERVER_ERROR,
            Some(anyhow::anyhow!(other.to_string())),
        ),
    }
}

/// A figure as read: at most 2 decimals, no trailing zeros, the decimal comma in Vietnamese.
pub fn figure(x: f64, lang: Lang) -> String {
    let s = format!("{x:.2}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    match lang {
        Lang::Vi => s.replace('.', ","),
        Lang::En => s,
    }
}

/// A figure typed in a form: the decimal comma or point, no thousands separators.
pub fn parse_figure(text: &str) -> Option<f64> {
    let t = text.trim().replace(',', ".");
    if t.is_empty() || t.matches('.').count() > 1 {
        return None;
    }
    t.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// The status's message key (`kh.status.missed`, …) and CSS modifier.
pub fn status_key(status: Option<Status>) -> &'static str {
    match status {
        Some(Status::Achieved) => "kh.status.achieved",
        Some(Status::OnTrack) => "kh.status.on_track",
        Some(Status::AtRisk) => "kh.status.at_risk",
        Some(Status::Missed) => "kh.status.missed",
        None => "kh.status.no_target",
    }
}

/// The status as a stable code for markup (`achieved`, …, `no_target`).
pub fn status_code(status: Option<Status>) -> &'static str {
    status.map_or("no_target", Status::as_str)
}

/// The dashboards' query (`ky=quy&nam=2024&quy=1`) of a plan period, for links to the figures
/// behind system values.
pub fn dashboard_query(period: PlanPeriod) -> String {
    match period {
        PlanPeriod::Year(y) => format!("ky=nam&nam={y}"),
        PlanPeriod::Quarter(y, q) => format!("ky=quy&nam={y}&quy={q}"),
        PlanPeriod::Month(y, m) => format!("ky=thang&nam={y}&thang={m}"),
    }
}

/// A period as readers write it (`Quý 1/2024`, `Q1 2024`).
pub fn period_label(period: PlanPeriod, lang: Lang) -> String {
    match (period, lang) {
        (PlanPeriod::Year(y), Lang::Vi) => format!("Năm {y}"),
        (PlanPeriod::Year(y), Lang::En) => format!("Year {y}"),
        (PlanPeriod::Quarter(y, q), Lang::Vi) => format!("Quý {q}/{y}"),
        (PlanPeriod::Quarter(y, q), Lang::En) => format!("Q{q} {y}"),
        (PlanPeriod::Month(y, m), Lang::Vi) => format!("Tháng {m}/{y}"),
        (PlanPeriod::Month(y, m), Lang::En) => format!("{y}-{m:02}"),
    }
}

/// An organisation's name in the page's language, else its code.
pub fn unit_name(state: &AppState, code: &str, lang: Lang) -> String {
    state
        .engine()
        .organisation(code)
        .map(|o| match lang {
            Lang::En if !o.name_en.is_empty() => o.name_en,
            _ => o.name,
        })
        .unwrap_or_else(|| code.to_string())
}

/// Evidence that is a web address becomes a link; anything else is a document reference.
pub fn evidence_href(evidence: &str) -> Option<&str> {
    let e = evidence.trim();
    (e.starts_with("https://") || e.starts_with("http://")).then_some(e)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn catalogues_match_and_are_namespaced() {
        let keys = |t: &[(&'static str, &str)]| t.iter().map(|(k, _)| *k).collect::<BTreeSet<_>>();
        assert_eq!(keys(VI).len(), VI.len(), "a Vietnamese key is repeated");
        assert_eq!(keys(EN).len(), EN.len(), "an English key is repeated");
        assert_eq!(keys(VI), keys(EN));
        for (k, v) in VI.iter().chain(EN) {
            assert!(k.starts_with("kh."), "{k} is outside the steering pages' namespace");
            assert_eq!(motcua_domain::text::nfc(v), *v, "{k} is not NFC");
        }
    }

    #[test]
    fn figures_read_and_parse_in_both_languages() {
        assert_eq!(figure(41.5, Lang::Vi), "41,5");
        assert_eq!(figure(41.5, Lang::En), "41.5");
        assert_eq!(figure(620.0, Lang::Vi), "620");
        assert_eq!(figure(86.444, Lang::En), "86.44");
        assert_eq!(parse_figure(" 41,5 "), Some(41.5));
        assert_eq!(parse_figure("41.5"), Some(41.5));
        assert_eq!(parse_figure("1.234,5"), None);
        assert_eq!(parse_figure("abc"), None);
        assert_eq!(parse_figure(""), None);
        assert_eq!(parse_figure("NaN"), None);
    }

    #[test]
    fn periods_map_to_the_dashboards_query() {
        assert_eq!(dashboard_query(PlanPeriod::Quarter(2024, 1)), "ky=quy&nam=2024&quy=1");
        assert_eq!(dashboard_query(PlanPeriod::Year(2024)), "ky=nam&nam=2024");
        assert_eq!(period_label(PlanPeriod::Quarter(2024, 1), Lang::Vi), "Quý 1/2024");
    }

    #[test]
    fn only_web_addresses_are_linked_as_evidence() {
        assert_eq!(evidence_href(" https://x.gov.vn/a "), Some("https://x.gov.vn/a"));
        assert_eq!(evidence_href("javascript:alert(1)"), None);
        assert_eq!(evidence_href("Báo cáo 12/BC"), None);
    }
}
