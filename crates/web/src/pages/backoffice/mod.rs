//! The back office at `/can-bo`: officers' queues, the dossier page with the actions the state
//! machine allows now, the control sheet (form 06) and counter intake.
//!
//! Every page requires an officer of a unit (counter officer, specialist, leader, unit admin);
//! personal data is shown only where [`Engine::may_view_full`] allows it.

pub mod dossier;
pub mod inbox;
pub mod intake;
pub mod pakn;
pub mod text;

use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use motcua_domain::dossier::{Actor, DossierState, Status};
use motcua_domain::roles::Role;
use motcua_engine::Engine;
use motcua_store::User;

use super::mine::require_sign_in;
use super::{error_page, Ctx, Lang};
use crate::state::AppState;

pub use text::{EN, VI};

/// The back office's routes (mounted at the root).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/can-bo", get(inbox::page))
        .route("/can-bo/tim-kiem", post(inbox::search))
        .route("/can-bo/ho-so/{code}", get(dossier::page))
        .route("/can-bo/ho-so/{code}/xu-ly", post(dossier::act))
        .route("/can-bo/ho-so/{code}/phieu-kiem-soat", get(dossier::control_sheet))
        .route("/can-bo/ho-so/{code}/tai-lieu/{seq}", get(dossier::document))
        .route(
            "/can-bo/tiep-nhan",
            get(intake::form)
                .post(intake::submit)
                .layer(axum::extract::DefaultBodyLimit::max(intake::MAX_FORM_BYTES)),
        )
        .route("/can-bo/tiep-nhan/bien-nhan/{code}", get(intake::receipt))
        .route("/can-bo/phan-anh", get(pakn::list))
        .route("/can-bo/phan-anh/{code}", get(pakn::page))
        .route("/can-bo/phan-anh/{code}/chuyen", post(pakn::transfer))
        .route("/can-bo/phan-anh/{code}/tra-loi", post(pakn::answer))
        .route("/can-bo/phan-anh/{code}/cong-khai", post(pakn::publish))
}

/// A signed-in officer of a unit, with what the back-office header shows.
pub struct Officer {
    pub user: User,
    pub unit: String,
    pub unit_name: String,
    pub role_name: &'static str,
    pub csrf: String,
}

impl Officer {
    pub fn is_counter(&self) -> bool {
        self.user.role == Role::CounterOfficer
    }

    /// Unit and province administrators reach the administration pages.
    pub fn is_admin(&self) -> bool {
        matches!(self.user.role, Role::UnitAdmin | Role::ProvinceAdmin)
    }

    pub fn actor(&self) -> Actor {
        Actor {
            username: self.user.username.clone(),
            role: self.user.role,
            unit: self.user.unit_code.clone(),
        }
    }
}

/// Roles that work in the back office of a unit.
fn is_back_office(role: Role) -> bool {
    matches!(
        role,
        Role::CounterOfficer | Role::Specialist | Role::Leader | Role::UnitAdmin
    )
}

/// The officer of the request, the sign-in redirect for a visitor, or the 403 page for anyone else.
// The error is the response to send as is, returned once per request.
#[allow(clippy::result_large_err)]
pub fn require_officer(state: &AppState, ctx: &Ctx) -> Result<Officer, Response> {
    let session = require_sign_in(ctx)?;
    let user = &session.user;
    let unit = match (&user.unit_code, is_back_office(user.role)) {
        (Some(u), true) => u.clone(),
        _ => return Err(error_page(ctx.lang, StatusCode::FORBIDDEN, None)),
    };
    let unit_name = state
        .engine()
        .organisation(&unit)
        .map(|o| match ctx.lang {
            Lang::En if !o.name_en.is_empty() => o.name_en,
            _ => o.name,
        })
        .unwrap_or_else(|| unit.clone());
    Ok(Officer {
        user: user.clone(),
        unit,
        unit_name,
        role_name: role_name(user.role, ctx.lang),
        csrf: session.csrf.clone(),
    })
}

pub fn role_name(role: Role, lang: Lang) -> &'static str {
    match lang {
        Lang::Vi => role.name_vi(),
        Lang::En => lang.t(match role {
            Role::Citizen => "bo.role.citizen",
            Role::CounterOfficer => "bo.role.counter_officer",
            Role::Specialist => "bo.role.specialist",
            Role::Leader => "bo.role.leader",
            Role::UnitAdmin => "bo.role.unit_admin",
            Role::ProvinceAdmin => "bo.role.province_admin",
            Role::LeadershipViewer => "bo.role.leadership_viewer",
        }),
    }
}

pub fn status_name(status: Status, lang: Lang) -> &'static str {
    match lang {
        Lang::Vi => status.name_vi(),
        Lang::En => status.name_en(),
    }
}

/// May this officer open the dossier page: the competent or receiving unit (the trail), or
/// anyone who may see the full record (a counter officer while the dossier is at the counter).
pub fn may_open(user: &User, state: &DossierState) -> bool {
    Engine::may_view_events(user, state) || Engine::may_view_full(user, state)
}

/// The name of a step of the dossier's current workflow, in the page's language.
pub fn step_name(state: &DossierState, step: Option<&str>, lang: Lang) -> String {
    let Some(id) = step else {
        return String::new();
    };
    state
        .workflow
        .as_ref()
        .and_then(|w| w.step(id))
        .map(|s| match lang {
            Lang::Vi => s.name.clone(),
            Lang::En => s.name_en.clone(),
        })
        .unwrap_or_else(|| id.to_string())
}

/// "còn X ngày Y giờ" / "quá X ngày Y giờ" from now to `due` on the work calendar.
pub fn time_left(state: &AppState, due: chrono::DateTime<chrono::FixedOffset>, lang: Lang) -> (String, bool) {
    let engine = state.engine();
    match engine.calendar().time_left(engine.now(), due) {
        Ok(left) => (
            match lang {
                Lang::Vi => left.vi(),
                Lang::En => left.en(),
            },
            left.overdue,
        ),
        Err(_) => (String::new(), false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn keys(table: &[(&'static str, &str)]) -> BTreeSet<&'static str> {
        table.iter().map(|(k, _)| *k).collect()
    }

    #[test]
    fn back_office_catalogues_match_and_are_nfc() {
        assert_eq!(keys(VI).len(), VI.len(), "a Vietnamese key is repeated");
        assert_eq!(keys(EN).len(), EN.len(), "an English key is repeated");
        assert_eq!(keys(VI), keys(EN));
        for (k, v) in VI.iter().chain(EN) {
            assert!(k.starts_with("bo."), "{k} is outside the back office's namespace");
            assert!(!v.trim().is_empty(), "{k}");
            assert_eq!(motcua_domain::text::nfc(v), *v, "{k} is not NFC");
        }
        assert_eq!(Lang::Vi.t("bo.title"), "Xử lý hồ sơ");
    }

    #[test]
    fn only_unit_officers_work_here() {
        assert!(is_back_office(Role::CounterOfficer) && is_back_office(Role::Leader));
        assert!(!is_back_office(Role::Citizen) && !is_back_office(Role::LeadershipViewer));
    }
}
