//! Administration at `/can-bo/quan-tri` (issue #6 items 7 and 8): accounts and roles, the
//! procedures the province offers with their local fees, workflows, the per-year calendar, the
//! units of both eras, and the audit viewer.
//!
//! The province administrator sees everything; a unit administrator manages only the accounts of
//! their own unit and may look at the units. Every change is recorded in the audit log.

pub mod audit;
pub mod calendar;
pub mod organisation;
pub mod procedures;
pub mod text;
pub mod units;
pub mod users;
pub mod workflow;

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use motcua_domain::roles::Role;
use motcua_store::User;

use super::mine::require_sign_in;
use super::{error_page, render, Ctx, Lang, Layout};
use crate::state::AppState;

pub use text::{EN, VI};

/// The administration routes (mounted at the root).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/can-bo/quan-tri", get(home))
        .route("/can-bo/quan-tri/nguoi-dung", get(users::list).post(users::create))
        .route(
            "/can-bo/quan-tri/nguoi-dung/{username}",
            get(users::edit).post(users::change),
        )
        .route("/can-bo/quan-tri/thu-tuc", get(procedures::list))
        .route(
            "/can-bo/quan-tri/thu-tuc/{code}",
            get(procedures::edit).post(procedures::save),
        )
        .route(
            "/can-bo/quan-tri/quy-trinh/{code}",
            get(workflow::edit).post(workflow::save),
        )
        .route("/can-bo/quan-tri/lich", get(calendar::page).post(calendar::save))
        .route("/can-bo/quan-tri/don-vi", get(units::page))
        .route(
            "/can-bo/quan-tri/don-vi/co-quan/{code}",
            get(organisation::edit).post(organisation::save),
        )
        .route("/can-bo/quan-tri/nhat-ky", get(audit::page))
}

/// What an administrator may manage.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scope {
    Province,
    /// A unit administrator: the accounts of this organisation only.
    Unit(String),
}

/// A signed-in administrator, with what the administration header shows.
pub struct Admin {
    pub user: User,
    pub scope: Scope,
    pub role_name: &'static str,
    pub scope_name: String,
    pub csrf: String,
}

impl Admin {
    pub fn is_province(&self) -> bool {
        self.scope == Scope::Province
    }

    /// May this administrator manage an account of `unit`?
    pub fn manages(&self, unit: Option<&str>) -> bool {
        match &self.scope {
            Scope::Province => true,
            Scope::Unit(own) => unit == Some(own.as_str()),
        }
    }
}

/// The administrator of the request, the sign-in redirect for a visitor, or the 403 page.
#[allow(clippy::result_large_err)]
pub fn require_admin(state: &AppState, ctx: &Ctx) -> Result<Admin, Response> {
    let session = require_sign_in(ctx)?;
    let user = &session.user;
    let scope = match (user.role, &user.unit_code) {
        (Role::ProvinceAdmin, _) => Scope::Province,
        (Role::UnitAdmin, Some(unit)) => Scope::Unit(unit.clone()),
        _ => return Err(error_page(ctx.lang, StatusCode::FORBIDDEN, None)),
    };
    let scope_name = match &scope {
        Scope::Province => ctx.lang.t("adm.scope.province").to_string(),
        Scope::Unit(code) => unit_name(state, code, ctx.lang),
    };
    Ok(Admin {
        user: user.clone(),
        scope,
        role_name: super::backoffice::role_name(user.role, ctx.lang),
        scope_name,
        csrf: session.csrf.clone(),
    })
}

/// Only the province administrator (catalogue, workflows, calendar, audit log).
#[allow(clippy::result_large_err)]
pub fn require_province_admin(state: &AppState, ctx: &Ctx) -> Result<Admin, Response> {
    let admin = require_admin(state, ctx)?;
    if !admin.is_province() {
        return Err(error_page(ctx.lang, StatusCode::FORBIDDEN, None));
    }
    Ok(admin)
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

/// One field's error, shown in the summary and beside the field.
#[derive(Debug)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

/// The message of `field` among `errors`.
pub fn error_for<'a>(errors: &'a [FieldError], field: &str) -> Option<&'a str> {
    errors.iter().find(|e| e.field == field).map(|e| e.message.as_str())
}

/// Records an administrative change (or a read of the log) and waits until it is committed, so
/// the change and its record are both visible when the next page loads.
pub async fn audit_change(state: &AppState, admin: &Admin, action: &str, target: &str, details: serde_json::Value) {
    let engine = state.engine();
    engine.audit_event(&admin.user.username, action, target, details).await;
    if let Err(e) = engine.audit().flush().await {
        tracing::error!(error = %e, "audit entry of an administrative change not confirmed");
    }
}

/// The 500 page for an internal error.
pub fn failed(lang: Lang, e: impl Into<anyhow::Error>) -> Response {
    error_page(lang, StatusCode::INTERNAL_SERVER_ERROR, Some(e.into()))
}

pub struct Section {
    pub href: &'static str,
    pub title: &'static str,
    pub body: &'static str,
}

#[derive(Template)]
#[template(path = "quan_tri/home.html")]
struct HomePage {
    l: Layout,
    a: Admin,
    sections: Vec<Section>,
}

/// `GET /can-bo/quan-tri`: the sections this administrator may open.
pub async fn home(State(state): State<AppState>, ctx: Ctx) -> Response {
    let admin = match require_admin(&state, &ctx) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let lang = ctx.lang;
    let all = [
        (
            "/can-bo/quan-tri/nguoi-dung",
            "adm.users.title",
            "adm.users.about",
            false,
        ),
        ("/can-bo/quan-tri/thu-tuc", "adm.procs.title", "adm.procs.about", true),
        ("/can-bo/quan-tri/lich", "adm.cal.title", "adm.cal.about", true),
        ("/can-bo/quan-tri/don-vi", "adm.units.title", "adm.units.about", false),
        ("/can-bo/quan-tri/nhat-ky", "adm.audit.title", "adm.audit.about", true),
    ];
    let sections = all
        .into_iter()
        .filter(|(_, _, _, province_only)| admin.is_province() || !province_only)
        .map(|(href, title, body, _)| Section {
            href,
            title: lang.t(title),
            body: lang.t(body),
        })
        .collect();
    let page = HomePage {
        l: Layout::new(&ctx, lang.t("adm.title"), "/can-bo"),
        a: admin,
        sections,
    };
    render(&ctx, StatusCode::OK, &page)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn keys(table: &[(&'static str, &str)]) -> BTreeSet<&'static str> {
        table.iter().map(|(k, _)| *k).collect()
    }

    #[test]
    fn admin_catalogues_match_and_are_nfc() {
        assert_eq!(keys(VI).len(), VI.len(), "a Vietnamese key is repeated");
        assert_eq!(keys(EN).len(), EN.len(), "an English key is repeated");
        assert_eq!(keys(VI), keys(EN));
        for (k, v) in VI.iter().chain(EN) {
            assert!(k.starts_with("adm."), "{k} is outside the administration's namespace");
            assert!(!v.trim().is_empty(), "{k}");
            assert_eq!(motcua_domain::text::nfc(v), *v, "{k} is not NFC");
        }
    }

    #[test]
    fn a_unit_admin_manages_only_their_unit() {
        let user = User {
            username: "qt".into(),
            full_name: "Q".into(),
            role: Role::UnitAdmin,
            unit_code: Some("23575".into()),
            eid_level: 0,
            personal_id: None,
        };
        let a = Admin {
            user,
            scope: Scope::Unit("23575".into()),
            role_name: "",
            scope_name: String::new(),
            csrf: String::new(),
        };
        assert!(a.manages(Some("23575")));
        assert!(!a.manages(Some("21583")) && !a.manages(None));
    }
}
