//! Plans at `/dieu-hanh/ke-hoach`: the list, a plan's indicators for a period, and an
//! indicator's page where the responsible unit enters values with evidence and an approver
//! approves them.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use motcua_domain::plans::{system_metric, Plan, PlanIndicatorRow, PlanPeriod, PlanSection, ValueSource};
use motcua_store::plans::ReportedValue;
use motcua_store::User;
use serde::Deserialize;

use super::{
    api_error_page, dashboard_query, evidence_href, figure, parse_figure, period_label, require_steering, status_code,
    status_key, unit_name,
};
use crate::api::plans::{
    approve as approve_value, enter_value, load_plan, may_approve, may_enter, plan_section, today, ValueInput,
};
use crate::error::ApiError;
use crate::pages::{clean, datetime_ms, error_page, redirect, render, Ctx, Lang, Layout};
use crate::state::AppState;

/// Indicators of the QĐ 766 index whose lost points the dashboards list dossier by dossier.
const LISTED: [&str; 3] = ["2.1", "3.3", "4.2"];

#[derive(Deserialize, Default)]
pub struct PlanQuery {
    /// `2024-Q1`, `2024` or `2024-03`; default: the running quarter of the plan's year, else
    /// the whole year.
    pub period: Option<String>,
    /// What was just done (`nhap`: a value entered, `duyet`: approved), for the confirmation.
    pub xong: Option<String>,
}

/// One choice of the period picker.
pub struct PeriodOption {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// A status count of a plan.
pub struct Count {
    pub code: &'static str,
    pub label: &'static str,
    pub count: u32,
}

/// One indicator of a plan, as the page shows it.
pub struct Row {
    pub id: String,
    pub name: String,
    pub uom: String,
    pub target: String,
    pub target_raw: String,
    pub actual: String,
    pub actual_raw: String,
    pub forecast: String,
    pub status_code: &'static str,
    pub status: &'static str,
    pub system: bool,
    /// Numerator / denominator behind a system value.
    pub counts: String,
    pub unit_code: String,
    pub unit: String,
    /// The page behind the figure: the dashboards for a system value, the evidence or the
    /// indicator's values for a reported one.
    pub evidence_href: String,
    pub evidence_text: String,
    pub detail_href: String,
}

fn no_data(lang: Lang) -> String {
    lang.t("kh.no_data").to_string()
}

/// The periods a plan sets targets for, in order, with the plan's year.
fn plan_periods(plan: &Plan) -> Vec<PlanPeriod> {
    let mut periods: Vec<PlanPeriod> = plan
        .indicators
        .iter()
        .flat_map(|i| i.targets.keys())
        .filter_map(|k| PlanPeriod::parse(k).ok())
        .chain([PlanPeriod::Year(plan.year)])
        .collect();
    periods.sort();
    periods.dedup();
    periods
}

fn period_options(periods: &[PlanPeriod], selected: PlanPeriod, lang: Lang) -> Vec<PeriodOption> {
    let mut list: Vec<PlanPeriod> = periods.to_vec();
    if !list.contains(&selected) {
        list.push(selected);
        list.sort();
    }
    list.into_iter()
        .map(|p| PeriodOption {
            value: p.to_string(),
            label: period_label(p, lang),
            selected: p == selected,
        })
        .collect()
}

/// The period asked for, or the plan's default with the error flag for a bad one.
fn period_of(state: &AppState, plan: &Plan, asked: Option<&str>) -> (PlanPeriod, bool) {
    let fallback = plan.default_period(today(state));
    match asked.map(str::trim).filter(|s| !s.is_empty()) {
        None => (fallback, false),
        Some(text) => match PlanPeriod::parse(text) {
            Ok(p) => (p, false),
            Err(_) => (fallback, true),
        },
    }
}

fn detail_href(plan_id: &str, indicator: &str, period: &str) -> String {
    format!(
        "/dieu-hanh/ke-hoach/{}/chi-tieu/{}?period={period}",
        urlencoding::encode(plan_id),
        urlencoding::encode(indicator)
    )
}

fn row(
    state: &AppState,
    plan_id: &str,
    r: &PlanIndicatorRow,
    period: PlanPeriod,
    approved: &BTreeMap<String, ReportedValue>,
    lang: Lang,
) -> Row {
    let key = period.to_string();
    let detail = detail_href(plan_id, &r.id, &key);
    let system = r.source == ValueSource::System;
    let (evidence_href, evidence_text) = if system {
        let listed = r
            .metric
            .as_deref()
            .and_then(system_metric)
            .and_then(|m| m.index_indicator)
            .filter(|i| LISTED.contains(i));
        let href = match listed {
            Some(i) => format!("/dieu-hanh/chi-so/{i}?{}", dashboard_query(period)),
            None => format!("/dieu-hanh?{}", dashboard_query(period)),
        };
        (href, lang.t("kh.evidence.dashboard").to_string())
    } else {
        match approved.get(&r.id) {
            Some(v) => (
                evidence_href(&v.evidence_ref).map_or_else(|| detail.clone(), str::to_string),
                v.evidence_ref.clone(),
            ),
            None => (detail.clone(), lang.t("kh.evidence.none").to_string()),
        }
    };
    Row {
        id: r.id.clone(),
        name: match lang {
            Lang::En if !r.name_en.is_empty() => r.name_en.clone(),
            _ => r.name.clone(),
        },
        uom: r.unit_of_measure.clone(),
        target: r.target.map_or_else(|| no_data(lang), |t| figure(t, lang)),
        target_raw: r.target.map(|t| t.to_string()).unwrap_or_default(),
        actual: r.actual.map_or_else(|| no_data(lang), |v| figure(v, lang)),
        actual_raw: r.actual.map(|v| v.to_string()).unwrap_or_default(),
        forecast: r.forecast.map_or_else(|| no_data(lang), |v| figure(v, lang)),
        status_code: status_code(r.status),
        status: lang.t(status_key(r.status)),
        system,
        counts: match (r.numerator, r.denominator) {
            (Some(n), Some(d)) => format!("{n}/{d}"),
            _ => String::new(),
        },
        unit_code: r.responsible_unit.clone(),
        unit: unit_name(state, &r.responsible_unit, lang),
        evidence_href,
        evidence_text,
        detail_href: detail,
    }
}

fn counts(section: &PlanSection, lang: Lang) -> Vec<Count> {
    ["achieved", "on_track", "at_risk", "missed", "no_target"]
        .into_iter()
        .filter_map(|code| {
            let count = section.status_counts.get(code).copied().unwrap_or(0);
            (count > 0).then(|| Count {
                code,
                label: lang.t(match code {
                    "achieved" => "kh.status.achieved",
                    "on_track" => "kh.status.on_track",
                    "at_risk" => "kh.status.at_risk",
                    "missed" => "kh.status.missed",
                    _ => "kh.status.no_target",
                }),
                count,
            })
        })
        .collect()
}

fn plan_name(section_name: &str, section_name_en: &str, lang: Lang) -> String {
    match lang {
        Lang::En if !section_name_en.is_empty() => section_name_en.to_string(),
        _ => section_name.to_string(),
    }
}

/// One plan of the list.
pub struct PlanCard {
    pub id: String,
    pub name: String,
    pub year: i32,
    pub sample: bool,
    pub document: String,
    pub period: String,
    pub period_label: String,
    pub indicators: usize,
    pub counts: Vec<Count>,
}

#[derive(Template)]
#[template(path = "dieu_hanh/plans.html")]
struct ListPage {
    l: Layout,
    plans: Vec<PlanCard>,
}

/// `GET /dieu-hanh/ke-hoach`: every plan with its statuses for its default period.
pub async fn list(State(state): State<AppState>, ctx: Ctx) -> Response {
    if let Err(r) = require_steering(&ctx) {
        return r;
    }
    let lang = ctx.lang;
    let plans = match state.store().plans().await {
        Ok(p) => p,
        Err(e) => return api_error_page(lang, e.into()),
    };
    let mut cards = Vec::new();
    for plan in plans {
        let period = plan.default_period(today(&state));
        let section = match plan_section(&state, &plan, period, None).await {
            Ok(s) => s,
            Err(e) => return api_error_page(lang, e),
        };
        cards.push(PlanCard {
            name: plan_name(&plan.name, &plan.name_en, lang),
            year: plan.year,
            sample: plan.sample,
            document: plan.document.clone(),
            period: period.to_string(),
            period_label: period_label(period, lang),
            indicators: section.indicators.len(),
            counts: counts(&section, lang),
            id: plan.id,
        });
    }
    let page = ListPage {
        l: Layout::new(&ctx, lang.t("kh.plans.title"), "/dieu-hanh"),
        plans: cards,
    };
    render(&ctx, StatusCode::OK, &page)
}

#[derive(Template)]
#[template(path = "dieu_hanh/plan.html")]
struct PlanPage {
    l: Layout,
    id: String,
    name: String,
    sample: bool,
    document: String,
    period: String,
    period_label: String,
    period_error: bool,
    periods: Vec<PeriodOption>,
    elapsed: String,
    counts: Vec<Count>,
    rows: Vec<Row>,
}

/// `GET /dieu-hanh/ke-hoach/{id}?period=2024-Q1`: the indicators of a plan for a period.
pub async fn page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    q: Result<Query<PlanQuery>, QueryRejection>,
) -> Response {
    if let Err(r) = require_steering(&ctx) {
        return r;
    }
    let lang = ctx.lang;
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let plan = match load_plan(&state, &id).await {
        Ok(p) => p,
        Err(e) => return api_error_page(lang, e),
    };
    let (period, period_error) = period_of(&state, &plan, q.period.as_deref());
    let section = match plan_section(&state, &plan, period, None).await {
        Ok(s) => s,
        Err(e) => return api_error_page(lang, e),
    };
    let approved = match state.store().approved_values(&plan.id, &period.to_string()).await {
        Ok(a) => a,
        Err(e) => return api_error_page(lang, e.into()),
    };
    let rows = section
        .indicators
        .iter()
        .map(|r| row(&state, &plan.id, r, period, &approved, lang))
        .collect();
    let name = plan_name(&plan.name, &plan.name_en, lang);
    let page = PlanPage {
        l: Layout::new(&ctx, format!("{name} – {}", period_label(period, lang)), "/dieu-hanh"),
        id: plan.id.clone(),
        name,
        sample: plan.sample,
        document: plan.document.clone(),
        period: period.to_string(),
        period_label: period_label(period, lang),
        period_error,
        periods: period_options(&plan_periods(&plan), period, lang),
        elapsed: format!("{:.0} %", section.elapsed * 100.0),
        counts: counts(&section, lang),
        rows,
    };
    render(&ctx, StatusCode::OK, &page)
}

/// A value entered for the indicator, as the page lists it.
pub struct ValueRow {
    pub id: i64,
    pub period: String,
    pub value: String,
    pub value_raw: String,
    pub evidence: String,
    pub evidence_href: Option<String>,
    pub note: String,
    pub submitted_by: String,
    pub submitted_at: String,
    pub approved_by: Option<String>,
    pub approved_at: String,
    /// The reader may approve it (pending, not their own, their unit's leader or an admin).
    pub can_approve: bool,
    /// Pending and entered by the reader: someone else must approve it.
    pub own_pending: bool,
}

/// What the unit typed (kept when the form comes back with errors).
#[derive(Default)]
pub struct EntryForm {
    pub period: String,
    pub value: String,
    pub evidence_ref: String,
    pub note: String,
}

pub struct FieldError {
    pub field: &'static str,
    pub message: &'static str,
}

#[derive(Template)]
#[template(path = "dieu_hanh/plan_indicator.html")]
struct IndicatorPage {
    l: Layout,
    csrf: String,
    plan_id: String,
    plan_name: String,
    sample: bool,
    period: String,
    period_label: String,
    row: Row,
    targets: Vec<(String, String)>,
    values: Vec<ValueRow>,
    may_enter: bool,
    entry_periods: Vec<PeriodOption>,
    form: EntryForm,
    errors: Vec<FieldError>,
    done: Option<&'static str>,
}

impl IndicatorPage {
    fn error_for(&self, field: &str) -> Option<&'static str> {
        self.errors.iter().find(|e| e.field == field).map(|e| e.message)
    }
}

/// What the indicator page shows besides the data: the form as typed, errors, a confirmation.
struct Extra {
    form: Option<EntryForm>,
    errors: Vec<FieldError>,
    done: Option<&'static str>,
    status: StatusCode,
}

#[allow(clippy::too_many_arguments)]
async fn indicator_page(
    state: &AppState,
    ctx: &Ctx,
    user: &User,
    csrf: String,
    plan_id: &str,
    indicator: &str,
    asked: Option<&str>,
    extra: Extra,
) -> Response {
    let lang = ctx.lang;
    let plan = match load_plan(state, plan_id).await {
        Ok(p) => p,
        Err(e) => return api_error_page(lang, e),
    };
    let Some(ind) = plan.indicator(indicator).cloned() else {
        return error_page(lang, StatusCode::NOT_FOUND, None);
    };
    let (period, _) = period_of(state, &plan, asked);
    let section = match plan_section(state, &plan, period, None).await {
        Ok(s) => s,
        Err(e) => return api_error_page(lang, e),
    };
    let approved = match state.store().approved_values(&plan.id, &period.to_string()).await {
        Ok(a) => a,
        Err(e) => return api_error_page(lang, e.into()),
    };
    let Some(r) = section.indicators.iter().find(|r| r.id == ind.id) else {
        return error_page(lang, StatusCode::NOT_FOUND, None);
    };
    let row = row(state, &plan.id, r, period, &approved, lang);
    let stored = match state.store().values(&plan.id, Some(&ind.id), None).await {
        Ok(v) => v,
        Err(e) => return api_error_page(lang, e.into()),
    };
    let approver = may_approve(user, &ind.responsible_unit);
    let values = stored
        .into_iter()
        .map(|v| {
            let pending = v.approved_by.is_none();
            let own = v.submitted_by == user.username;
            ValueRow {
                id: v.id,
                period: PlanPeriod::parse(&v.period).map_or_else(|_| v.period.clone(), |p| period_label(p, lang)),
                value: figure(v.value, lang),
                value_raw: v.value.to_string(),
                evidence_href: evidence_href(&v.evidence_ref).map(str::to_string),
                evidence: v.evidence_ref,
                note: v.note,
                submitted_by: v.submitted_by,
                submitted_at: datetime_ms(v.submitted_at),
                approved_at: v.approved_at.map(datetime_ms).unwrap_or_default(),
                approved_by: v.approved_by,
                can_approve: pending && approver && !own,
                own_pending: pending && own,
            }
        })
        .collect();
    let targets = ind
        .targets
        .iter()
        .map(|(k, t)| {
            let label = PlanPeriod::parse(k).map_or_else(|_| k.clone(), |p| period_label(p, lang));
            (label, figure(*t, lang))
        })
        .collect();
    let may_enter = ind.source == ValueSource::Reported && may_enter(user, &ind.responsible_unit);
    let form = extra.form.unwrap_or_else(|| EntryForm {
        period: period.to_string(),
        ..EntryForm::default()
    });
    let entry_periods = plan_periods(&plan)
        .into_iter()
        .map(|p| PeriodOption {
            selected: p.to_string() == form.period,
            value: p.to_string(),
            label: period_label(p, lang),
        })
        .collect();
    let page = IndicatorPage {
        l: Layout::new(
            ctx,
            format!("{} – {}", row.name, period_label(period, lang)),
            "/dieu-hanh",
        ),
        csrf,
        plan_id: plan.id.clone(),
        plan_name: plan_name(&plan.name, &plan.name_en, lang),
        sample: plan.sample,
        period: period.to_string(),
        period_label: period_label(period, lang),
        row,
        targets,
        values,
        may_enter,
        entry_periods,
        form,
        errors: extra.errors,
        done: extra.done,
    };
    render(ctx, extra.status, &page)
}

/// `GET /dieu-hanh/ke-hoach/{id}/chi-tieu/{indicator}?period=`: an indicator with its values,
/// the entry form for its unit and the approval buttons for its approvers.
pub async fn indicator(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, indicator)): Path<(String, String)>,
    q: Result<Query<PlanQuery>, QueryRejection>,
) -> Response {
    let (user, csrf) = match require_steering(&ctx) {
        Ok(u) => u,
        Err(r) => return r,
    };
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let done = match q.xong.as_deref() {
        Some("nhap") => Some("kh.done.entered"),
        Some("duyet") => Some("kh.done.approved"),
        _ => None,
    };
    let extra = Extra {
        form: None,
        errors: Vec::new(),
        done,
        status: StatusCode::OK,
    };
    indicator_page(&state, &ctx, &user, csrf, &id, &indicator, q.period.as_deref(), extra).await
}

fn field<'a>(fields: &'a [(String, String)], name: &str) -> &'a str {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}

/// The message of an API field error, in the page's catalogue.
fn field_message(field: &str) -> (&'static str, &'static str) {
    match field {
        "period" => ("period", "kh.error.period"),
        "value" => ("value", "kh.error.value"),
        "evidence_ref" => ("evidence_ref", "kh.error.evidence"),
        "note" => ("note", "kh.error.note"),
        _ => ("value", "kh.error.system"),
    }
}

/// `POST /dieu-hanh/ke-hoach/{id}/chi-tieu/{indicator}/so-lieu`: enters a value through the
/// API's own validation and store call.
pub async fn enter(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, indicator)): Path<(String, String)>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let lang = ctx.lang;
    let (user, csrf) = match require_steering(&ctx) {
        Ok(u) => u,
        Err(r) => return r,
    };
    let Ok(Form(fields)) = form else {
        return error_page(lang, StatusCode::BAD_REQUEST, None);
    };
    if !ctx.csrf_ok(field(&fields, "csrf")) {
        return error_page(lang, StatusCode::FORBIDDEN, None);
    }
    let typed = EntryForm {
        period: clean(field(&fields, "period")),
        value: clean(field(&fields, "value")),
        evidence_ref: clean(field(&fields, "evidence_ref")),
        note: clean(field(&fields, "note")),
    };
    let result = match parse_figure(&typed.value) {
        None => Err(ApiError::invalid("value", "not a number")),
        Some(value) => {
            let input = ValueInput {
                period: typed.period.clone(),
                value,
                evidence_ref: typed.evidence_ref.clone(),
                note: typed.note.clone(),
            };
            enter_value(&state, &user, &id, &indicator, &input).await
        }
    };
    match result {
        Ok(v) => redirect(
            &format!("{}&xong=nhap", detail_href(&id, &indicator, &v.period)),
            Vec::new(),
        ),
        Err(ApiError::Invalid { fields: errors, .. }) => {
            let errors = errors
                .keys()
                .map(|k| {
                    let (field, key) = field_message(k);
                    FieldError {
                        field,
                        message: lang.t(key),
                    }
                })
                .collect();
            let asked = typed.period.clone();
            let extra = Extra {
                form: Some(typed),
                errors,
                done: None,
                status: StatusCode::UNPROCESSABLE_ENTITY,
            };
            indicator_page(&state, &ctx, &user, csrf, &id, &indicator, Some(&asked), extra).await
        }
        Err(e) => api_error_page(lang, e),
    }
}

/// `POST /dieu-hanh/ke-hoach/{id}/chi-tieu/{indicator}/so-lieu/{value_id}/duyet`: approves a
/// value through the API's own checks (never the submitter's own).
pub async fn approve(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, indicator, value_id)): Path<(String, String, i64)>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let lang = ctx.lang;
    let (user, csrf) = match require_steering(&ctx) {
        Ok(u) => u,
        Err(r) => return r,
    };
    let Ok(Form(fields)) = form else {
        return error_page(lang, StatusCode::BAD_REQUEST, None);
    };
    if !ctx.csrf_ok(field(&fields, "csrf")) {
        return error_page(lang, StatusCode::FORBIDDEN, None);
    }
    match approve_value(&state, &user, &id, &indicator, value_id).await {
        Ok(v) => redirect(
            &format!("{}&xong=duyet", detail_href(&id, &indicator, &v.period)),
            Vec::new(),
        ),
        Err(ApiError::Conflict(_)) => {
            let extra = Extra {
                form: None,
                errors: vec![FieldError {
                    field: "values",
                    message: lang.t("kh.error.already_approved"),
                }],
                done: None,
                status: StatusCode::CONFLICT,
            };
            indicator_page(&state, &ctx, &user, csrf, &id, &indicator, None, extra).await
        }
        Err(e) => api_error_page(lang, e),
    }
}
