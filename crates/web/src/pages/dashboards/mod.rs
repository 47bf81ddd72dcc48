//! The leadership dashboards at `/dieu-hanh` (issue #7): the QĐ 766 index of the province, of a
//! department or commune, the ranking of units, the dossiers behind every lost point and the
//! Đề án 06 targets.
//!
//! Every figure of the index comes from [`Engine::index_table`](motcua_engine::Engine::index_table),
//! the same source as `GET /api/v1/index`. Only leaders, leadership viewers and administrators
//! see these pages, and they show dossier codes and procedures, never personal data.

pub mod chart;
pub mod export;
pub mod old_units;
pub mod period;
pub mod text;
pub mod views;

use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use motcua_domain::roles::Role;
use motcua_store::User;

use super::mine::require_sign_in;
use super::{error_page, Ctx, Lang};
use crate::state::AppState;

pub use text::{EN, VI};

/// The dashboards' routes (mounted at the root).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/dieu-hanh", get(views::overview))
        .route("/dieu-hanh/xep-hang", get(views::ranking))
        .route("/dieu-hanh/don-vi/{code}", get(views::unit))
        .route("/dieu-hanh/chi-so/{id}", get(views::indicator))
        .route("/dieu-hanh/tim-don-vi", get(views::search_units))
}

/// Roles that may read the dashboards.
pub fn may_view(role: Role) -> bool {
    matches!(
        role,
        Role::Leader | Role::LeadershipViewer | Role::UnitAdmin | Role::ProvinceAdmin
    )
}

/// The signed-in reader, the sign-in redirect for a visitor, or the 403 page for anyone else.
// The error is the response to send as is, returned once per request.
#[allow(clippy::result_large_err)]
pub fn require_reader(ctx: &Ctx) -> Result<User, Response> {
    let session = require_sign_in(ctx)?;
    if may_view(session.user.role) {
        Ok(session.user.clone())
    } else {
        Err(error_page(ctx.lang, StatusCode::FORBIDDEN, None))
    }
}

/// A number with 2 decimals, with the decimal comma in Vietnamese.
pub fn num(x: f64, lang: Lang) -> String {
    let s = format!("{x:.2}");
    match lang {
        Lang::Vi => s.replace('.', ","),
        Lang::En => s,
    }
}

/// A ratio as a percentage with 1 decimal.
pub fn percent(ratio: f64, lang: Lang) -> String {
    let s = format!("{:.1} %", ratio * 100.0);
    match lang {
        Lang::Vi => s.replace('.', ","),
        Lang::En => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn dashboard_catalogues_match_and_are_namespaced() {
        let keys = |t: &[(&'static str, &str)]| t.iter().map(|(k, _)| *k).collect::<BTreeSet<_>>();
        assert_eq!(keys(VI).len(), VI.len(), "a Vietnamese key is repeated");
        assert_eq!(keys(VI), keys(EN));
        for (k, v) in VI.iter().chain(EN) {
            assert!(k.starts_with("dh."), "{k} is outside the dashboards' namespace");
            assert_eq!(motcua_domain::text::nfc(v), *v, "{k} is not NFC");
        }
    }

    #[test]
    fn only_leaders_viewers_and_admins_read_the_dashboards() {
        assert!(may_view(Role::Leader) && may_view(Role::LeadershipViewer) && may_view(Role::ProvinceAdmin));
        assert!(!may_view(Role::Citizen) && !may_view(Role::Specialist) && !may_view(Role::CounterOfficer));
    }

    #[test]
    fn numbers_use_the_decimal_comma_in_vietnamese() {
        assert_eq!(num(12.5, Lang::Vi), "12,50");
        assert_eq!(num(12.5, Lang::En), "12.50");
        assert_eq!(percent(0.5, Lang::Vi), "50,0 %");
    }
}
