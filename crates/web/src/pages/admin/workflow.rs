//! `/can-bo/quan-tri/quy-trinh/{code}`: form-based editing of a procedure's workflow: steps with
//! who acts, the time quota, the next steps and the actions allowed. Without `?don_vi=` the form
//! edits the province-wide default; with `?don_vi=CODE` it edits that competent unit's override
//! (the engine's `workflow_for` prefers it for the unit's new dossiers). The province
//! administrator edits the default and any unit's override; a unit administrator only their own
//! unit's. An override can be removed, which puts the unit back on the default. The workflow is
//! checked by `Workflow::validate` — the check the engine applies — and on any error nothing is
//! saved. Dossiers already accepted keep the workflow copied into their start event.

use askama::Template;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Form;
use motcua_domain::catalog::Channel;
use motcua_domain::dossier::{legal_time_for, Action, Step, Workflow, WorkflowError};
use motcua_domain::roles::Role;
use motcua_engine::FALLBACK_LEGAL_TIME;

use motcua_store::Organisation;
use serde::Deserialize;

use super::{audit_change, failed, require_admin, Admin, FieldError, Scope};
use crate::pages::backoffice::role_name;
use crate::pages::{clean, error_page, redirect, render, Ctx, Lang, Layout};
use crate::state::AppState;

/// Empty rows offered for new steps.
const BLANK_ROWS: usize = 2;
/// Most steps a workflow may have.
const MAX_STEPS: usize = 20;
/// Roles that act at a step inside the competent unit.
const STEP_ROLES: [Role; 3] = [Role::Specialist, Role::Leader, Role::CounterOfficer];

fn step_actions() -> impl Iterator<Item = Action> {
    Action::ALL.into_iter().filter(|a| a.is_step_action())
}

fn action_name(a: Action, lang: Lang) -> &'static str {
    match lang {
        Lang::Vi => a.name_vi(),
        Lang::En => lang.t(match a {
            Action::RequestSupplement => "bo.action.request_supplement",
            Action::RequestPayment => "bo.action.request_payment",
            Action::Extend => "bo.action.extend",
            Action::Transfer => "bo.action.transfer",
            Action::Approve => "bo.action.approve",
            Action::Stop => "bo.action.stop",
            Action::Finish => "bo.action.finish",
            _ => "bo.action.forward",
        }),
    }
}

pub struct ActionBox {
    pub value: &'static str,
    pub label: &'static str,
    pub checked: bool,
}

pub struct RoleOption {
    pub value: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

/// One row of the form (an existing step, or a blank one for a new step).
pub struct StepRow {
    pub index: usize,
    pub id: String,
    pub name: String,
    pub name_en: String,
    pub roles: Vec<RoleOption>,
    pub minutes: String,
    pub next: String,
    pub actions: Vec<ActionBox>,
}

pub struct UnitOption {
    pub code: String,
    pub name: String,
    pub selected: bool,
}

/// Which workflow new dossiers follow at the unit shown.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum InForce {
    /// The unit's own override.
    Unit,
    /// The province-wide workflow set by an administrator.
    Province,
    /// The built-in default.
    Builtin,
}

impl InForce {
    pub fn as_str(&self) -> &'static str {
        match self {
            InForce::Unit => "unit",
            InForce::Province => "province",
            InForce::Builtin => "builtin",
        }
    }
}

#[derive(Template)]
#[template(path = "quan_tri/workflow.html")]
struct WorkflowPage {
    l: Layout,
    a: Admin,
    code: String,
    name: String,
    budget_minutes: u32,
    /// The unit whose override is edited; empty for the province-wide default.
    unit: String,
    unit_name: String,
    /// Competent units to choose from (province administrator only).
    units: Vec<UnitOption>,
    in_force: InForce,
    /// A workflow is stored for exactly this scope (so it can be removed).
    configured: bool,
    rows: Vec<StepRow>,
    errors: Vec<FieldError>,
    /// `1` saved, `2` removed.
    done: u8,
}

fn page_url(code: &str, unit: &str) -> String {
    let base = format!("/can-bo/quan-tri/quy-trinh/{}", urlencoding::encode(code));
    if unit.is_empty() {
        base
    } else {
        format!("{base}?don_vi={}", urlencoding::encode(unit))
    }
}

#[derive(Deserialize, Default)]
pub struct WorkflowQuery {
    pub don_vi: Option<String>,
    pub xong: Option<String>,
}

/// The unit whose workflow the request edits (none: the province-wide default), or the error
/// page: 403 for a unit administrator asking for the default or another unit, 404 for a unit
/// that does not exist or is not competent for the procedure. With `default_own`, no unit means
/// the unit administrator's own (opening the page); a form always names its scope.
#[allow(clippy::result_large_err)]
fn scope_unit(
    state: &AppState,
    admin: &Admin,
    lang: Lang,
    levels: &[motcua_domain::catalog::Level],
    asked: Option<&str>,
    default_own: bool,
) -> Result<Option<Organisation>, Response> {
    let asked = asked.map(str::trim).filter(|s| !s.is_empty());
    let code = match (&admin.scope, asked) {
        (Scope::Province, None) => return Ok(None),
        (Scope::Province, Some(code)) => code.to_string(),
        (Scope::Unit(own), None) if default_own => own.clone(),
        (Scope::Unit(own), Some(code)) if code == own => own.clone(),
        (Scope::Unit(_), _) => return Err(error_page(lang, StatusCode::FORBIDDEN, None)),
    };
    let engine = state.engine();
    match engine.organisation(&code) {
        Some(org) if engine.is_competent(&org, levels) => Ok(Some(org)),
        _ => Err(error_page(lang, StatusCode::NOT_FOUND, None)),
    }
}

fn row(index: usize, s: Option<&Step>, raw: Option<&RawStep>, lang: Lang) -> StepRow {
    let role = raw
        .map(|r| r.role.clone())
        .or_else(|| s.map(|s| s.role.as_str().to_string()))
        .unwrap_or_default();
    let checked = |a: Action| match (raw, s) {
        (Some(r), _) => r.actions.iter().any(|x| x == a.as_str()),
        (None, Some(s)) => s.actions.contains(&a),
        _ => false,
    };
    StepRow {
        index,
        id: raw
            .map(|r| r.id.clone())
            .or_else(|| s.map(|s| s.id.clone()))
            .unwrap_or_default(),
        name: raw
            .map(|r| r.name.clone())
            .or_else(|| s.map(|s| s.name.clone()))
            .unwrap_or_default(),
        name_en: raw
            .map(|r| r.name_en.clone())
            .or_else(|| s.map(|s| s.name_en.clone()))
            .unwrap_or_default(),
        roles: STEP_ROLES
            .iter()
            .map(|r| RoleOption {
                value: r.as_str(),
                label: role_name(*r, lang),
                selected: r.as_str() == role,
            })
            .collect(),
        minutes: raw
            .map(|r| r.minutes.clone())
            .or_else(|| s.map(|s| s.quota_minutes.to_string()))
            .unwrap_or_default(),
        next: raw
            .map(|r| r.next.clone())
            .or_else(|| s.map(|s| s.next.join(", ")))
            .unwrap_or_default(),
        actions: step_actions()
            .map(|a| ActionBox {
                value: a.as_str(),
                label: action_name(a, lang),
                checked: checked(a),
            })
            .collect(),
    }
}

/// A step as typed.
#[derive(Default, Clone)]
pub struct RawStep {
    pub id: String,
    pub name: String,
    pub name_en: String,
    pub role: String,
    pub minutes: String,
    pub next: String,
    pub actions: Vec<String>,
}

/// Groups the form's `field{i}` pairs into steps, in row order.
fn raw_steps(pairs: &[(String, String)]) -> Vec<RawStep> {
    let mut rows: Vec<RawStep> = Vec::new();
    for (key, value) in pairs {
        let split = key.find(|c: char| c.is_ascii_digit()).unwrap_or(key.len());
        let (field, index) = key.split_at(split);
        let Ok(i) = index.parse::<usize>() else { continue };
        if i >= MAX_STEPS + BLANK_ROWS {
            continue;
        }
        if rows.len() <= i {
            rows.resize(i + 1, RawStep::default());
        }
        let r = &mut rows[i];
        let v = clean(value);
        match field {
            "id" => r.id = v,
            "name" => r.name = v,
            "name_en" => r.name_en = v,
            "role" => r.role = v,
            "minutes" => r.minutes = v,
            "next" => r.next = v,
            "action" => r.actions.push(v),
            _ => {}
        }
    }
    rows
}

fn workflow_error(e: &WorkflowError, lang: Lang) -> String {
    let t = |k: &str| lang.t(k);
    match e {
        WorkflowError::NoSteps => t("adm.wf.err.no_steps").into(),
        WorkflowError::DuplicateStep(id) => format!("{} {id}", t("adm.wf.err.duplicate")),
        WorkflowError::UnknownNext { step, next } => format!("{} {step}: {next}", t("adm.wf.err.unknown_next")),
        WorkflowError::Unreachable(ids) => format!("{} {}", t("adm.wf.err.unreachable"), ids.join(", ")),
        WorkflowError::NoFinish => t("adm.wf.err.no_finish").into(),
        WorkflowError::BadRole { step, .. } => format!("{} {step}", t("adm.wf.err.role")),
        WorkflowError::OverLegalTime { total, legal } => {
            format!("{} {total} > {legal}", t("adm.wf.err.over_time"))
        }
        WorkflowError::Cycle(id) => format!("{} {id}", t("adm.wf.err.cycle")),
        WorkflowError::NotAStepAction { step, action } => format!("{} {step}: {action}", t("adm.wf.err.action")),
    }
}

/// Builds the workflow from the typed steps (blank rows skipped) and validates it.
fn build(
    code: &str,
    legal: motcua_domain::dossier::LegalTime,
    raw: &[RawStep],
    lang: Lang,
) -> Result<Workflow, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut steps = Vec::new();
    for (i, r) in raw.iter().enumerate() {
        if r.id.is_empty() && r.name.is_empty() && r.minutes.is_empty() {
            continue;
        }
        let at = |key: &str| format!("{} {}: {}", lang.t("adm.wf.step"), i + 1, lang.t(key));
        let id_ok = (1..=40).contains(&r.id.len())
            && r.id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !id_ok {
            errors.push(FieldError {
                field: format!("id{i}"),
                message: at("adm.wf.err.id"),
            });
        }
        if r.name.is_empty() || r.name.chars().count() > 100 || r.name_en.chars().count() > 100 {
            errors.push(FieldError {
                field: format!("name{i}"),
                message: at("adm.wf.err.name"),
            });
        }
        let role = STEP_ROLES.into_iter().find(|x| x.as_str() == r.role);
        if role.is_none() {
            errors.push(FieldError {
                field: format!("role{i}"),
                message: at("adm.wf.err.role_missing"),
            });
        }
        let minutes = r.minutes.parse::<u32>().ok().filter(|m| (1..=250 * 480).contains(m));
        if minutes.is_none() {
            errors.push(FieldError {
                field: format!("minutes{i}"),
                message: at("adm.wf.err.minutes"),
            });
        }
        let mut actions = Vec::new();
        for a in &r.actions {
            match Action::parse(a) {
                Some(a) => actions.push(a),
                None => errors.push(FieldError {
                    field: format!("id{i}"),
                    message: at("adm.wf.err.unknown_action"),
                }),
            }
        }
        if let (true, Some(role), Some(minutes)) = (id_ok, role, minutes) {
            steps.push(Step {
                id: r.id.clone(),
                name: r.name.clone(),
                name_en: if r.name_en.is_empty() {
                    r.name.clone()
                } else {
                    r.name_en.clone()
                },
                role,
                quota_minutes: minutes,
                next: r
                    .next
                    .split([',', ' '])
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect(),
                actions,
            });
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let workflow = Workflow {
        procedure: code.to_string(),
        unit: None,
        legal_time: legal,
        steps,
    };
    workflow.validate().map_err(|e| {
        vec![FieldError {
            field: "id0".into(),
            message: workflow_error(&e, lang),
        }]
    })?;
    Ok(workflow)
}

#[allow(clippy::too_many_arguments)]
async fn workflow_page(
    state: &AppState,
    ctx: &Ctx,
    admin: Admin,
    code: &str,
    unit: Option<&Organisation>,
    raw: Option<Vec<RawStep>>,
    errors: Vec<FieldError>,
    done: u8,
    status: StatusCode,
) -> Response {
    let lang = ctx.lang;
    let catalog = state.catalog();
    let Some(p) = catalog.get(code) else {
        return error_page(lang, StatusCode::NOT_FOUND, None);
    };
    let legal = legal_time_for(p, Channel::Counter, FALLBACK_LEGAL_TIME);
    let engine = state.engine();
    let unit_code = unit.map(|u| u.code.as_str()).unwrap_or("");
    let configured = engine.configured_workflow(code, unit_code).is_some();
    let in_force = if unit.is_some() && configured {
        InForce::Unit
    } else if engine.configured_workflow(code, "").is_some() {
        InForce::Province
    } else {
        InForce::Builtin
    };
    // The form starts from what is in force there, so an override starts as a copy.
    let current = match engine.workflow_for(code, unit_code, legal).await {
        Ok(w) => w,
        Err(e) => return failed(lang, anyhow::anyhow!("{e}")),
    };
    let rows = match &raw {
        Some(raw) => (0..raw.len().max(1)).map(|i| row(i, None, raw.get(i), lang)).collect(),
        None => (0..current.steps.len() + BLANK_ROWS)
            .map(|i| row(i, current.steps.get(i), None, lang))
            .collect(),
    };
    let units = if admin.is_province() {
        engine
            .competent_units(&p.level)
            .into_iter()
            .map(|o| UnitOption {
                selected: o.code == unit_code,
                name: super::unit_name(state, &o.code, lang),
                code: o.code,
            })
            .collect()
    } else {
        Vec::new()
    };
    let page = WorkflowPage {
        l: Layout::new(ctx, format!("{} {code}", lang.t("adm.wf.title")), "/can-bo"),
        a: admin,
        code: p.code.clone(),
        name: p.name.clone(),
        budget_minutes: legal.budget_minutes(),
        unit: unit_code.to_string(),
        unit_name: unit.map(|u| super::unit_name(state, &u.code, lang)).unwrap_or_default(),
        units,
        in_force,
        configured,
        rows,
        errors,
        done,
    };
    render(ctx, status, &page)
}

/// `GET /can-bo/quan-tri/quy-trinh/{code}[?don_vi=UNIT]`: the workflow in force, as a form.
pub async fn edit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    query: Result<Query<WorkflowQuery>, QueryRejection>,
) -> Response {
    let admin = match require_admin(&state, &ctx) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let lang = ctx.lang;
    let Ok(Query(q)) = query else {
        return error_page(lang, StatusCode::BAD_REQUEST, None);
    };
    let code = code.trim();
    let levels = match state.catalog().get(code) {
        Some(p) => p.level.clone(),
        None => return error_page(lang, StatusCode::NOT_FOUND, None),
    };
    let unit = match scope_unit(&state, &admin, lang, &levels, q.don_vi.as_deref(), true) {
        Ok(u) => u,
        Err(r) => return r,
    };
    let done = match q.xong.as_deref() {
        Some("1") => 1,
        Some("2") => 2,
        _ => 0,
    };
    workflow_page(
        &state,
        &ctx,
        admin,
        code,
        unit.as_ref(),
        None,
        Vec::new(),
        done,
        StatusCode::OK,
    )
    .await
}

/// `POST /can-bo/quan-tri/quy-trinh/{code}`: validates and saves (or, with `xoa`, removes the
/// workflow stored for the scope), or shows every problem. The scope is the form's `don_vi`.
pub async fn save(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let admin = match require_admin(&state, &ctx) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let lang = ctx.lang;
    let Ok(Form(pairs)) = form else {
        return error_page(lang, StatusCode::BAD_REQUEST, None);
    };
    let field = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    if !ctx.csrf_ok(field("csrf").unwrap_or("")) {
        return error_page(lang, StatusCode::FORBIDDEN, None);
    }
    let code = code.trim().to_string();
    let (legal, levels) = {
        let catalog = state.catalog();
        let Some(p) = catalog.get(&code) else {
            return error_page(lang, StatusCode::NOT_FOUND, None);
        };
        (
            legal_time_for(p, Channel::Counter, FALLBACK_LEGAL_TIME),
            p.level.clone(),
        )
    };
    let unit = match scope_unit(&state, &admin, lang, &levels, field("don_vi"), false) {
        Ok(u) => u,
        Err(r) => return r,
    };
    let unit_code = unit.as_ref().map(|u| u.code.clone()).unwrap_or_default();
    let scope_json = if unit_code.is_empty() {
        serde_json::Value::Null
    } else {
        serde_json::Value::String(unit_code.clone())
    };
    if field("xoa").is_some() {
        match state.engine().remove_workflow(&code, &unit_code).await {
            Ok(true) => {}
            Ok(false) => return error_page(lang, StatusCode::NOT_FOUND, None),
            Err(e) => return failed(lang, anyhow::anyhow!("{e}")),
        }
        audit_change(
            &state,
            &admin,
            "admin.workflow.remove",
            &code,
            serde_json::json!({ "unit": scope_json }),
        )
        .await;
        let url = page_url(&code, &unit_code);
        let sep = if unit_code.is_empty() { '?' } else { '&' };
        return redirect(&format!("{url}{sep}xong=2"), ctx.cookies());
    }
    let raw = raw_steps(&pairs);
    let workflow = match build(&code, legal, &raw, lang) {
        Ok(mut w) => {
            w.unit = unit.as_ref().map(|u| u.code.clone());
            w
        }
        Err(errors) => {
            return workflow_page(
                &state,
                &ctx,
                admin,
                &code,
                unit.as_ref(),
                Some(raw),
                errors,
                0,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    };
    if let Err(e) = state.engine().put_workflow(&workflow, &admin.user.username).await {
        return failed(lang, anyhow::anyhow!("{e}"));
    }
    audit_change(
        &state,
        &admin,
        "admin.workflow.set",
        &code,
        serde_json::json!({
            "unit": scope_json,
            "steps": workflow.steps.iter().map(|s| s.id.clone()).collect::<Vec<_>>(),
            "minutes": workflow.steps.iter().map(|s| s.quota_minutes).sum::<u32>(),
        }),
    )
    .await;
    let url = page_url(&code, &unit_code);
    let sep = if unit_code.is_empty() { '?' } else { '&' };
    redirect(&format!("{url}{sep}xong=1"), ctx.cookies())
}

#[cfg(test)]
mod tests {
    use super::*;
    use motcua_domain::dossier::{default_workflow, LegalTime};

    fn pairs_of(w: &Workflow) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for (i, s) in w.steps.iter().enumerate() {
            out.push((format!("id{i}"), s.id.clone()));
            out.push((format!("name{i}"), s.name.clone()));
            out.push((format!("name_en{i}"), s.name_en.clone()));
            out.push((format!("role{i}"), s.role.as_str().into()));
            out.push((format!("minutes{i}"), s.quota_minutes.to_string()));
            out.push((format!("next{i}"), s.next.join(", ")));
            for a in &s.actions {
                out.push((format!("action{i}"), a.as_str().into()));
            }
        }
        out
    }

    #[test]
    fn the_form_round_trips_the_default_workflow() {
        let legal = LegalTime::WorkingMinutes(5 * 480);
        let w = default_workflow("1.001193", legal);
        let built = build("1.001193", legal, &raw_steps(&pairs_of(&w)), Lang::Vi).unwrap();
        assert_eq!(built, w);
    }

    #[test]
    fn the_engine_validation_refuses_a_workflow_over_the_legal_time() {
        let legal = LegalTime::WorkingMinutes(480);
        let mut w = default_workflow("1.001193", LegalTime::WorkingMinutes(5 * 480));
        w.legal_time = legal;
        let errors = build("1.001193", legal, &raw_steps(&pairs_of(&w)), Lang::En).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert!(errors[0].message.contains("2400 > 480"), "{}", errors[0].message);
    }
}
