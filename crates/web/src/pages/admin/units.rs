//! `/can-bo/quan-tri/don-vi`: the organisations that receive and decide dossiers (their display
//! fields editable by the province administrator, `organisation.rs`), and the province's
//! communes and wards since 01-07-2025, each with the pre-2025 units it was formed from (the
//! merge mapping statistics use). The administrative units are national reference data loaded
//! from `data/units` by `motcua import`: view only.

use std::collections::HashMap;

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use motcua_domain::text::fold;
use motcua_domain::units::{AdminUnit, Coverage, UnitLevel};
use serde::Deserialize;

use super::{failed, require_admin, Admin};
use crate::pages::{clean, error_page, render, Ctx, Layout};
use crate::state::AppState;

pub struct Former {
    pub code: String,
    pub name: String,
    pub partial: bool,
}

pub struct Row {
    pub code: String,
    pub name: String,
    pub kind: String,
    pub formers: Vec<Former>,
}

pub struct OrgRow {
    pub code: String,
    pub name: String,
    pub kind: &'static str,
}

#[derive(Deserialize, Default)]
pub struct UnitsQuery {
    pub q: Option<String>,
}

#[derive(Template)]
#[template(path = "quan_tri/units.html")]
struct UnitsPage {
    l: Layout,
    a: Admin,
    q: String,
    province: String,
    organisations: Vec<OrgRow>,
    rows: Vec<Row>,
}

/// `GET /can-bo/quan-tri/don-vi?q=…`: for every administrator.
pub async fn page(
    State(state): State<AppState>,
    ctx: Ctx,
    query: Result<Query<UnitsQuery>, QueryRejection>,
) -> Response {
    let admin = match require_admin(&state, &ctx) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let lang = ctx.lang;
    let Ok(Query(query)) = query else {
        return error_page(lang, StatusCode::BAD_REQUEST, None);
    };
    let q: String = clean(query.q.as_deref().unwrap_or("")).chars().take(100).collect();
    let needle = fold(&q);
    let (units, merges) = match (state.store().units().await, state.store().unit_merges().await) {
        (Ok(u), Ok(m)) => (u, m),
        (Err(e), _) | (_, Err(e)) => return failed(lang, e),
    };
    let province_code = state.engine().province_code();
    let current = |u: &AdminUnit| u.valid_to.is_none();
    let province = units
        .iter()
        .find(|u| u.code == province_code && u.level == UnitLevel::Province && current(u))
        .map(|u| u.name.clone())
        .unwrap_or_default();
    // Pre-2025 units by (code, level): codes were reused in 2025, so the level and era tell them apart.
    let former: HashMap<(&str, UnitLevel), &AdminUnit> = units
        .iter()
        .filter(|u| !current(u))
        .map(|u| ((u.code.as_str(), u.level), u))
        .collect();
    let mut formers: HashMap<&str, Vec<Former>> = HashMap::new();
    for m in merges.iter().filter(|m| m.new_level == UnitLevel::Commune) {
        let name = former
            .get(&(m.old_code.as_str(), m.old_level))
            .map(|u| u.name.clone())
            .unwrap_or_default();
        formers.entry(m.new_code.as_str()).or_default().push(Former {
            code: m.old_code.clone(),
            name,
            partial: m.coverage == Coverage::Partial,
        });
    }
    let mut rows: Vec<Row> = units
        .iter()
        .filter(|u| current(u) && u.level == UnitLevel::Commune)
        .filter(|u| u.parent_code.as_deref() == Some(province_code.as_str()))
        .map(|u| Row {
            code: u.code.clone(),
            name: u.name.clone(),
            kind: u.kind.clone(),
            formers: formers.remove(u.code.as_str()).unwrap_or_default(),
        })
        .filter(|r| {
            needle.is_empty()
                || r.code == q
                || fold(&r.name).contains(&needle)
                || r.formers.iter().any(|f| f.code == q || fold(&f.name).contains(&needle))
        })
        .collect();
    rows.sort_by(|a, b| a.code.cmp(&b.code));
    let organisations = match state.store().organisations().await {
        Ok(orgs) => orgs
            .into_iter()
            .filter(|o| {
                needle.is_empty()
                    || o.code == q
                    || fold(&o.name).contains(&needle)
                    || fold(&o.name_en).contains(&needle)
            })
            .map(|o| OrgRow {
                name: match lang {
                    crate::pages::Lang::En if !o.name_en.is_empty() => o.name_en,
                    _ => o.name,
                },
                kind: lang.t(match o.kind.as_str() {
                    "service_centre" => "adm.org.kind.service_centre",
                    "department" => "adm.org.kind.department",
                    _ => "adm.org.kind.people_committee",
                }),
                code: o.code,
            })
            .collect(),
        Err(e) => return failed(lang, e),
    };
    let page = UnitsPage {
        l: Layout::new(&ctx, lang.t("adm.units.title"), "/can-bo"),
        a: admin,
        q,
        province,
        organisations,
        rows,
    };
    render(&ctx, StatusCode::OK, &page)
}
