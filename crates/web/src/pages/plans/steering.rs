//! The PAR index (`/dieu-hanh/cai-cach-hanh-chinh`), directives (`/dieu-hanh/chi-dao`, with
//! progress reports of the assignee units) and the bottlenecks of a period
//! (`/dieu-hanh/diem-nghen`, from the steering report itself).

use askama::Template;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::Datelike;
use motcua_domain::plans::{
    completion_by_unit, directive_state, BottleneckKind, Directive, DirectiveState, DirectiveStatus, PlanPeriod,
};
use serde::Deserialize;

use super::{api_error_page, figure, period_label, require_steering, unit_name};
use crate::api::plans::{may_report, par_view, report_progress, today, ProgressInput};
use crate::error::ApiError;
use crate::pages::{clean, error_page, redirect, render, Ctx, Lang, Layout};
use crate::state::AppState;

#[derive(Deserialize, Default)]
pub struct ParQuery {
    /// The year shown (default: the latest scored year), compared with the year before.
    pub nam: Option<String>,
}

/// One node of the criteria tree with its scores.
pub struct ParRow {
    pub id: String,
    pub name: String,
    pub depth: usize,
    pub max: String,
    pub self_assessed: String,
    pub current: String,
    pub current_raw: String,
    pub previous: String,
    pub change: String,
    pub change_raw: String,
    pub lost: bool,
    pub gained: bool,
    pub evidence: String,
    pub evidence_href: Option<String>,
}

#[derive(Template)]
#[template(path = "dieu_hanh/par.html")]
struct ParPage {
    l: Layout,
    found: bool,
    name: String,
    sample: bool,
    year: i32,
    previous_year: Option<i32>,
    years: Vec<(i32, bool)>,
    total: String,
    previous_total: String,
    max: String,
    rows: Vec<ParRow>,
    lost: Vec<ParRow>,
}

fn opt(x: Option<f64>, lang: Lang) -> String {
    x.map_or_else(|| lang.t("kh.no_data").to_string(), |v| figure(v, lang))
}

fn par_row(n: &motcua_domain::plans::ParNodeChange, lang: Lang) -> ParRow {
    ParRow {
        id: n.id.clone(),
        name: match lang {
            Lang::En if !n.name_en.is_empty() => n.name_en.clone(),
            _ => n.name.clone(),
        },
        depth: n.depth,
        max: figure(n.max, lang),
        self_assessed: opt(n.current_self_assessed, lang),
        current: opt(n.current, lang),
        current_raw: n.current.map(|v| v.to_string()).unwrap_or_default(),
        previous: opt(n.previous, lang),
        change: n.change.map_or_else(String::new, |c| {
            let s = figure(c, lang);
            if c > 0.0 {
                format!("+{s}")
            } else {
                s
            }
        }),
        change_raw: n.change.map(|v| v.to_string()).unwrap_or_default(),
        lost: n.change.is_some_and(|c| c < 0.0),
        gained: n.change.is_some_and(|c| c > 0.0),
        evidence_href: super::evidence_href(&n.evidence).map(str::to_string),
        evidence: n.evidence.clone(),
    }
}

/// `GET /dieu-hanh/cai-cach-hanh-chinh?nam=2023`: the PAR-index criteria of a year with the
/// previous year's scores; criteria that lost points are flagged and listed.
pub async fn par(State(state): State<AppState>, ctx: Ctx, q: Result<Query<ParQuery>, QueryRejection>) -> Response {
    if let Err(r) = require_steering(&ctx) {
        return r;
    }
    let lang = ctx.lang;
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let year = match q.nam.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(text) => match text.parse::<i32>() {
            Ok(y) => Some(y),
            Err(_) => return error_page(lang, StatusCode::NOT_FOUND, None),
        },
    };
    let view = match par_view(&state, None, year).await {
        Ok(v) => v,
        Err(e) => return api_error_page(lang, e),
    };
    let title = lang.t("kh.par.title");
    let page = match view {
        None if year.is_some() => return error_page(lang, StatusCode::NOT_FOUND, None),
        None => ParPage {
            l: Layout::new(&ctx, title, "/dieu-hanh"),
            found: false,
            name: String::new(),
            sample: false,
            year: 0,
            previous_year: None,
            years: Vec::new(),
            total: String::new(),
            previous_total: String::new(),
            max: String::new(),
            rows: Vec::new(),
            lost: Vec::new(),
        },
        Some(v) => {
            let c = &v.comparison;
            ParPage {
                l: Layout::new(&ctx, format!("{title} {}", c.year), "/dieu-hanh"),
                found: true,
                name: v.name.clone(),
                sample: v.sample,
                year: c.year,
                previous_year: c.previous_year,
                years: v.years.iter().map(|y| (*y, *y == c.year)).collect(),
                total: opt(c.total, lang),
                previous_total: opt(c.previous_total, lang),
                max: figure(c.max, lang),
                rows: c.nodes.iter().map(|n| par_row(n, lang)).collect(),
                lost: c.lost.iter().map(|n| par_row(n, lang)).collect(),
            }
        }
    };
    render(&ctx, StatusCode::OK, &page)
}

#[derive(Deserialize, Default)]
pub struct DirectivesQuery {
    /// Only directives assigned to this organisation code.
    pub unit: Option<String>,
}

/// A directive as the lists show it.
#[derive(Clone)]
pub struct DirectiveLine {
    pub id: String,
    pub document: String,
    pub title: String,
    pub issuer: String,
    pub assignees: Vec<(String, String)>,
    pub deadline: String,
    pub completed: String,
    pub state: &'static str,
    pub state_label: &'static str,
}

/// Completion of one unit.
pub struct UnitLine {
    pub code: String,
    pub name: String,
    pub assigned: u32,
    pub on_time: u32,
    pub late: u32,
    pub overdue: u32,
    pub due_soon: u32,
    pub open: u32,
    pub rate: String,
    pub rate_raw: String,
}

fn state_key(s: DirectiveState) -> &'static str {
    match s {
        DirectiveState::CompletedOnTime => "kh.dir.state.completed_on_time",
        DirectiveState::CompletedLate => "kh.dir.state.completed_late",
        DirectiveState::Overdue => "kh.dir.state.overdue",
        DirectiveState::DueSoon => "kh.dir.state.due_soon",
        DirectiveState::Open => "kh.dir.state.open",
    }
}

fn date(d: chrono::NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

fn line(state: &AppState, d: &Directive, as_of: chrono::NaiveDate, lang: Lang) -> DirectiveLine {
    let s = directive_state(d, as_of);
    DirectiveLine {
        id: d.id.clone(),
        document: d.document.clone(),
        title: d.title.clone(),
        issuer: d.issuer.clone(),
        assignees: d
            .assignees
            .iter()
            .map(|a| (a.clone(), unit_name(state, a, lang)))
            .collect(),
        deadline: date(d.deadline),
        completed: d.completed_at.map(date).unwrap_or_default(),
        state: s.as_str(),
        state_label: lang.t(state_key(s)),
    }
}

#[derive(Template)]
#[template(path = "dieu_hanh/directives.html")]
struct DirectivesPage {
    l: Layout,
    as_of: String,
    as_of_raw: String,
    unit: Option<(String, String)>,
    overdue: Vec<DirectiveLine>,
    due_soon: Vec<DirectiveLine>,
    all: Vec<DirectiveLine>,
    units: Vec<UnitLine>,
}

/// `GET /dieu-hanh/chi-dao[?unit=]`: directives today: overdue and due-soon lists, every
/// directive, completion on time per unit.
pub async fn directives(
    State(state): State<AppState>,
    ctx: Ctx,
    q: Result<Query<DirectivesQuery>, QueryRejection>,
) -> Response {
    if let Err(r) = require_steering(&ctx) {
        return r;
    }
    let lang = ctx.lang;
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let unit = q.unit.as_deref().map(str::trim).filter(|u| !u.is_empty());
    if unit.is_some_and(|u| state.engine().organisation(u).is_none()) {
        return error_page(lang, StatusCode::NOT_FOUND, None);
    }
    let as_of = today(&state);
    let issued: Vec<Directive> = match state.store().directives().await {
        Ok(all) => all.into_iter().filter(|d| d.issued_on <= as_of).collect(),
        Err(e) => return api_error_page(lang, e.into()),
    };
    let units = completion_by_unit(&issued, as_of)
        .into_iter()
        .filter(|c| unit.is_none_or(|u| c.unit == u))
        .map(|c| UnitLine {
            name: unit_name(&state, &c.unit, lang),
            assigned: c.assigned,
            on_time: c.completed_on_time,
            late: c.completed_late,
            overdue: c.overdue,
            due_soon: c.due_soon,
            open: c.open,
            rate: c.on_time_rate.map_or_else(
                || lang.t("kh.no_data").to_string(),
                |r| format!("{} %", figure(r, lang)),
            ),
            rate_raw: c.on_time_rate.map(|r| r.to_string()).unwrap_or_default(),
            code: c.unit,
        })
        .collect();
    let all: Vec<DirectiveLine> = issued
        .iter()
        .filter(|d| unit.is_none_or(|u| d.assignees.iter().any(|a| a == u)))
        .map(|d| line(&state, d, as_of, lang))
        .collect();
    let pick = |wanted: &str| -> Vec<DirectiveLine> { all.iter().filter(|l| l.state == wanted).cloned().collect() };
    let page = DirectivesPage {
        l: Layout::new(&ctx, lang.t("kh.dir.title"), "/dieu-hanh"),
        as_of: date(as_of),
        as_of_raw: as_of.to_string(),
        unit: unit.map(|u| (u.to_string(), unit_name(&state, u, lang))),
        overdue: pick("overdue"),
        due_soon: pick("due_soon"),
        all,
        units,
    };
    render(&ctx, StatusCode::OK, &page)
}

/// A progress report as listed.
pub struct ReportLine {
    pub on: String,
    pub unit: String,
    pub note: String,
    pub evidence: String,
    pub evidence_href: Option<String>,
}

/// What the unit typed (kept when the form comes back with errors).
#[derive(Default)]
pub struct ProgressForm {
    pub note: String,
    pub evidence_ref: String,
    pub done: bool,
}

pub struct FieldError {
    pub field: &'static str,
    pub message: &'static str,
}

#[derive(Template)]
#[template(path = "dieu_hanh/directive.html")]
struct DirectivePage {
    l: Layout,
    csrf: String,
    d: DirectiveLine,
    status: &'static str,
    sample: bool,
    issued: String,
    reports: Vec<ReportLine>,
    may_report: bool,
    completed: bool,
    form: ProgressForm,
    errors: Vec<FieldError>,
    done: bool,
}

impl DirectivePage {
    fn error_for(&self, field: &str) -> Option<&'static str> {
        self.errors.iter().find(|e| e.field == field).map(|e| e.message)
    }
}

#[derive(Deserialize, Default)]
pub struct DoneQuery {
    pub xong: Option<String>,
}

#[allow(clippy::too_many_arguments)]
async fn directive_page(
    state: &AppState,
    ctx: &Ctx,
    user: &motcua_store::User,
    csrf: String,
    id: &str,
    form: ProgressForm,
    errors: Vec<FieldError>,
    done: bool,
    status: StatusCode,
) -> Response {
    let lang = ctx.lang;
    let d = match state.store().directives().await {
        Ok(all) => all.into_iter().find(|d| d.id == id),
        Err(e) => return api_error_page(lang, e.into()),
    };
    let Some(d) = d else {
        return error_page(lang, StatusCode::NOT_FOUND, None);
    };
    let as_of = today(state);
    let page = DirectivePage {
        l: Layout::new(ctx, d.title.clone(), "/dieu-hanh"),
        csrf,
        status: lang.t(match d.status {
            DirectiveStatus::Open => "kh.dir.status.open",
            DirectiveStatus::InProgress => "kh.dir.status.in_progress",
            DirectiveStatus::Completed => "kh.dir.status.completed",
        }),
        sample: d.sample,
        issued: date(d.issued_on),
        reports: d
            .progress
            .iter()
            .rev()
            .map(|r| ReportLine {
                on: date(r.on),
                unit: unit_name(state, &r.unit, lang),
                note: r.note.clone(),
                evidence_href: super::evidence_href(&r.evidence_ref).map(str::to_string),
                evidence: r.evidence_ref.clone(),
            })
            .collect(),
        may_report: may_report(user, &d),
        completed: d.status == DirectiveStatus::Completed,
        d: line(state, &d, as_of, lang),
        form,
        errors,
        done,
    };
    render(ctx, status, &page)
}

/// `GET /dieu-hanh/chi-dao/{id}`: a directive with its progress reports and, for its assignee
/// units, the form to report progress or completion.
pub async fn directive(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    q: Result<Query<DoneQuery>, QueryRejection>,
) -> Response {
    let (user, csrf) = match require_steering(&ctx) {
        Ok(u) => u,
        Err(r) => return r,
    };
    let done = q.is_ok_and(|Query(q)| q.xong.as_deref() == Some("bao-cao"));
    directive_page(
        &state,
        &ctx,
        &user,
        csrf,
        &id,
        ProgressForm::default(),
        Vec::new(),
        done,
        StatusCode::OK,
    )
    .await
}

/// `POST /dieu-hanh/chi-dao/{id}/tien-do`: a progress report through the API's own validation
/// and store call.
pub async fn progress(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
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
    let get = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    };
    if !ctx.csrf_ok(get("csrf")) {
        return error_page(lang, StatusCode::FORBIDDEN, None);
    }
    let typed = ProgressForm {
        note: clean(get("note")),
        evidence_ref: clean(get("evidence_ref")),
        done: get("done") == "1",
    };
    let input = ProgressInput {
        note: typed.note.clone(),
        evidence_ref: typed.evidence_ref.clone(),
        done: typed.done,
    };
    match report_progress(&state, &user, &id, &input).await {
        Ok(_) => redirect(
            &format!("/dieu-hanh/chi-dao/{}?xong=bao-cao", urlencoding::encode(&id)),
            Vec::new(),
        ),
        Err(e @ (ApiError::Invalid { .. } | ApiError::Conflict(_))) => {
            let errors = match e {
                ApiError::Invalid { fields, .. } => fields
                    .keys()
                    .map(|k| match k.as_str() {
                        "evidence_ref" => FieldError {
                            field: "evidence_ref",
                            message: lang.t("kh.error.evidence_long"),
                        },
                        _ => FieldError {
                            field: "note",
                            message: lang.t("kh.error.progress_note"),
                        },
                    })
                    .collect(),
                _ => vec![FieldError {
                    field: "done",
                    message: lang.t("kh.error.already_completed"),
                }],
            };
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            directive_page(&state, &ctx, &user, csrf, &id, typed, errors, false, status).await
        }
        Err(e) => api_error_page(lang, e),
    }
}

#[derive(Deserialize, Default)]
pub struct PeriodQuery {
    pub period: Option<String>,
}

/// One bottleneck.
pub struct BottleneckLine {
    pub rank: usize,
    pub kind: &'static str,
    pub kind_label: &'static str,
    pub subject_id: String,
    pub subject: String,
    pub severity: String,
    pub severity_raw: String,
    pub detail: String,
    /// The page that shows the figure; `source` is the API query behind it.
    pub href: String,
    pub source: String,
}

#[derive(Template)]
#[template(path = "dieu_hanh/bottlenecks.html")]
struct BottlenecksPage {
    l: Layout,
    period: String,
    period_label: String,
    period_error: bool,
    typed: String,
    sample: bool,
    rows: Vec<BottleneckLine>,
}

/// The page behind a bottleneck's figure.
fn bottleneck_href(kind: BottleneckKind, subject_id: &str, period: PlanPeriod, par_year: Option<i32>) -> String {
    match kind {
        BottleneckKind::PlanIndicator => {
            let (plan, indicator) = subject_id.split_once('/').unwrap_or((subject_id, ""));
            format!(
                "/dieu-hanh/ke-hoach/{}/chi-tieu/{}?period={period}",
                urlencoding::encode(plan),
                urlencoding::encode(indicator)
            )
        }
        BottleneckKind::IndexUnit => format!(
            "/dieu-hanh/don-vi/{}?{}",
            urlencoding::encode(subject_id),
            super::dashboard_query(period)
        ),
        BottleneckKind::ParCriterion => format!(
            "/dieu-hanh/cai-cach-hanh-chinh?nam={}#tc-{}",
            par_year.unwrap_or(period.year()),
            urlencoding::encode(subject_id)
        ),
        BottleneckKind::DirectiveUnit => format!("/dieu-hanh/chi-dao?unit={}", urlencoding::encode(subject_id)),
    }
}

/// `GET /dieu-hanh/diem-nghen?period=2024-Q1`: what pulls the province down most, from the
/// steering report of the period, each with the page behind its figure.
pub async fn bottlenecks(
    State(state): State<AppState>,
    ctx: Ctx,
    q: Result<Query<PeriodQuery>, QueryRejection>,
) -> Response {
    if let Err(r) = require_steering(&ctx) {
        return r;
    }
    let lang = ctx.lang;
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let typed = q.period.as_deref().map(str::trim).unwrap_or("").to_string();
    let now = today(&state);
    let running = PlanPeriod::Quarter(now.year(), (now.month() - 1) / 3 + 1);
    let (period, period_error) = if typed.is_empty() {
        (running, false)
    } else {
        match PlanPeriod::parse(&typed) {
            Ok(p) if p.days().is_ok() => (p, false),
            _ => (running, true),
        }
    };
    let report = match crate::api::steering::build(&state, period).await {
        Ok(r) => r,
        Err(e) => return api_error_page(lang, e),
    };
    let par_year = report.par.as_ref().map(|p| p.comparison.year);
    let rows = report
        .bottlenecks
        .iter()
        .enumerate()
        .map(|(i, b)| BottleneckLine {
            rank: i + 1,
            kind: match b.kind {
                BottleneckKind::PlanIndicator => "plan_indicator",
                BottleneckKind::IndexUnit => "index_unit",
                BottleneckKind::ParCriterion => "par_criterion",
                BottleneckKind::DirectiveUnit => "directive_unit",
            },
            kind_label: lang.t(match b.kind {
                BottleneckKind::PlanIndicator => "kh.bn.kind.plan",
                BottleneckKind::IndexUnit => "kh.bn.kind.index",
                BottleneckKind::ParCriterion => "kh.bn.kind.par",
                BottleneckKind::DirectiveUnit => "kh.bn.kind.directive",
            }),
            subject_id: b.subject_id.clone(),
            subject: b.subject.clone(),
            severity: format!("{} %", figure(b.severity * 100.0, lang)),
            severity_raw: b.severity.to_string(),
            detail: match lang {
                Lang::Vi => b.detail.clone(),
                Lang::En => b.detail_en.clone(),
            },
            href: bottleneck_href(b.kind, &b.subject_id, period, par_year),
            source: b.evidence.query.clone(),
        })
        .collect();
    let page = BottlenecksPage {
        l: Layout::new(
            &ctx,
            format!("{} – {}", lang.t("kh.bn.title"), period_label(period, lang)),
            "/dieu-hanh",
        ),
        period: period.to_string(),
        period_label: period_label(period, lang),
        period_error,
        typed: if period_error { typed } else { period.to_string() },
        sample: report.contains_sample_data,
        rows,
    };
    render(&ctx, StatusCode::OK, &page)
}
