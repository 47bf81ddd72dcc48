//! Plans and their indicators, reported values and their approval, the PAR index and directives
//! (issue #8).
//!
//! Access: the plan list and plan pages are public (a province's plans and their progress are
//! public documents); the reported values behind them with their submitters, the PAR index, the
//! directives and the steering report are for signed-in officers (every role but citizens).
//! A reported value is entered by an officer of the indicator's responsible unit (or a province
//! administrator) and counts once approved by a leader of that unit or a province administrator
//! who is not its submitter. Imports are for province administrators.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::StatusCode;
use chrono::{NaiveDate, TimeZone};
use motcua_domain::index::{IndexTable, Period};
use motcua_domain::plans::{
    self, compare_par, completion_by_unit, directive_state, metric_value, system_metric, Directive, DirectiveState,
    ParComparison, Plan, PlanIndicatorRow, PlanPeriod, PlanSection, PlansBundle, SourceRef, UnitCompletion,
    ValueSource,
};
use motcua_domain::roles::Role;
use motcua_store::plans::{ApprovalError, NewValue, ReportedValue};
use motcua_store::User;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::{Caller, MaybeCaller};
use crate::error::{ApiError, ApiResult, Json, Path, Query};
use crate::state::AppState;

/// Longest evidence reference or note.
const MAX_TEXT: usize = 1000;

pub(crate) fn require_officer(user: &User) -> ApiResult<()> {
    if user.role.is_officer() {
        Ok(())
    } else {
        Err(ApiError::Forbidden(
            "steering data is shown to officers and leaders".into(),
        ))
    }
}

pub(crate) fn parse_period(text: &str) -> ApiResult<PlanPeriod> {
    PlanPeriod::parse(text).map_err(|e| ApiError::invalid("period", e.to_string()))
}

pub(crate) fn period_days(period: PlanPeriod) -> ApiResult<Period> {
    period.days().map_err(|e| ApiError::invalid("period", e.to_string()))
}

/// Today in Vietnam by the engine's clock.
pub(crate) fn today(state: &AppState) -> NaiveDate {
    let now = state.engine().now();
    motcua_domain::calendar::vietnam()
        .from_utc_datetime(&now.naive_utc())
        .date_naive()
}

pub(crate) fn index_query(unit: &str, days: Period) -> String {
    format!("GET /api/v1/index?unit={unit}&from={}&to={}", days.from, days.to)
}

/// The rows of a plan for a period: targets, measured or approved values, forecasts, statuses.
/// `table` is the province's QĐ 766 table of the period (computed when `None` and needed).
pub(crate) async fn plan_section(
    state: &AppState,
    plan: &Plan,
    period: PlanPeriod,
    table: Option<&IndexTable>,
) -> ApiResult<PlanSection> {
    let days = period_days(period)?;
    let progress = period.progress(today(state));
    let key = period.to_string();
    let province = state.engine().province_code();
    let computed;
    let table = match table {
        Some(t) => Some(t),
        None if plan.indicators.iter().any(|i| i.source == ValueSource::System) => {
            computed = state.engine().index_table(None, days).await?;
            Some(&computed)
        }
        None => None,
    };
    let approved = state.store().approved_values(&plan.id, &key).await?;
    let mut rows = Vec::with_capacity(plan.indicators.len());
    for ind in &plan.indicators {
        let (actual, numerator, denominator, value_id, source_ref) = match ind.source {
            ValueSource::System => {
                let metric = ind.metric.as_deref().and_then(system_metric);
                let measured = metric.zip(table).and_then(|(m, t)| metric_value(m, t));
                let fragment = metric
                    .and_then(|m| m.index_indicator)
                    .map_or("total".to_string(), str::to_string);
                (
                    measured.as_ref().map(|m| m.value),
                    measured.as_ref().and_then(|m| m.numerator),
                    measured.as_ref().and_then(|m| m.denominator),
                    None,
                    SourceRef {
                        query: format!("{}#{fragment}", index_query(&province, days)),
                        period: key.clone(),
                        unit: Some(province.clone()),
                    },
                )
            }
            ValueSource::Reported => {
                let v = approved.get(&ind.id);
                (
                    v.map(|v| v.value),
                    None,
                    None,
                    v.map(|v| v.id),
                    SourceRef {
                        query: format!(
                            "GET /api/v1/plans/{}/indicators/{}/values?period={key}{}",
                            plan.id,
                            ind.id,
                            v.map_or(String::new(), |v| format!("#{}", v.id))
                        ),
                        period: key.clone(),
                        unit: Some(ind.responsible_unit.clone()),
                    },
                )
            }
        };
        let target = ind.targets.get(&key).copied();
        rows.push(PlanIndicatorRow {
            id: ind.id.clone(),
            name: ind.name.clone(),
            name_en: ind.name_en.clone(),
            unit_of_measure: ind.unit_of_measure.clone(),
            direction: ind.direction,
            source: ind.source,
            metric: ind.metric.clone(),
            responsible_unit: ind.responsible_unit.clone(),
            targets: ind.targets.clone(),
            target,
            actual,
            forecast: actual.map(|v| (plans::forecast(ind.aggregation, v, progress) * 100.0).round() / 100.0),
            status: target.map(|t| plans::status(ind.direction, ind.aggregation, t, actual, progress)),
            numerator,
            denominator,
            value_id,
            source_ref,
        });
    }
    Ok(PlanSection {
        id: plan.id.clone(),
        name: plan.name.clone(),
        name_en: plan.name_en.clone(),
        year: plan.year,
        document: plan.document.clone(),
        sample: plan.sample,
        period: key,
        elapsed: (progress.elapsed * 10_000.0).round() / 10_000.0,
        status_counts: PlanSection::count_statuses(&rows),
        indicators: rows,
    })
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeriodQuery {
    /// `2024`, `2024-Q1` or `2024-03`; default: the running quarter of the plan's year, else
    /// the whole year.
    pub period: Option<String>,
}

/// Every plan with its indicators for the period.
#[derive(Serialize, ToSchema)]
pub struct PlanList {
    pub plans: Vec<PlanSection>,
}

fn period_for(plan: &Plan, asked: Option<&str>, today: NaiveDate) -> ApiResult<PlanPeriod> {
    match asked.map(str::trim).filter(|s| !s.is_empty()) {
        Some(text) => parse_period(text),
        None => Ok(plan.default_period(today)),
    }
}

/// Plans with indicators, targets, measured values and statuses (public).
#[utoipa::path(get, path = "/api/v1/plans", tag = "plans", params(PeriodQuery),
    responses((status = 200, body = PlanList), (status = 422, body = crate::error::ErrorBody)))]
pub async fn list(State(state): State<AppState>, Query(q): Query<PeriodQuery>) -> ApiResult<Json<PlanList>> {
    let today = today(&state);
    let mut tables: BTreeMap<PlanPeriod, IndexTable> = BTreeMap::new();
    let mut sections = Vec::new();
    for plan in state.store().plans().await? {
        let period = period_for(&plan, q.period.as_deref(), today)?;
        if !tables.contains_key(&period) && plan.indicators.iter().any(|i| i.source == ValueSource::System) {
            let table = state.engine().index_table(None, period_days(period)?).await?;
            tables.insert(period, table);
        }
        sections.push(plan_section(&state, &plan, period, tables.get(&period)).await?);
    }
    Ok(Json(PlanList { plans: sections }))
}

/// A plan for a period; officers also get the values entered for it (pending ones too).
#[derive(Serialize, ToSchema)]
pub struct PlanDetail {
    #[serde(flatten)]
    pub plan: PlanSection,
    /// Every period the plan sets a target for.
    pub periods: Vec<String>,
    /// Values entered for the period, newest first (officers only).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<Object>>)]
    pub values: Option<Vec<ReportedValue>>,
}

/// One plan with indicators for `?period=` (public; entered values for officers).
#[utoipa::path(get, path = "/api/v1/plans/{id}", tag = "plans",
    params(("id" = String, Path, description = "Plan id, e.g. cds-2024"), PeriodQuery),
    responses((status = 200, body = PlanDetail), (status = 404, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody)))]
pub async fn detail(
    State(state): State<AppState>,
    MaybeCaller(caller): MaybeCaller,
    Path(id): Path<String>,
    Query(q): Query<PeriodQuery>,
) -> ApiResult<Json<PlanDetail>> {
    let plan = load_plan(&state, &id).await?;
    let period = period_for(&plan, q.period.as_deref(), today(&state))?;
    let section = plan_section(&state, &plan, period, None).await?;
    let mut periods: Vec<PlanPeriod> = plan
        .indicators
        .iter()
        .flat_map(|i| i.targets.keys())
        .filter_map(|k| PlanPeriod::parse(k).ok())
        .collect();
    periods.sort();
    periods.dedup();
    let values = match caller {
        Some(user) if user.role.is_officer() => {
            Some(state.store().values(&plan.id, None, Some(&period.to_string())).await?)
        }
        _ => None,
    };
    Ok(Json(PlanDetail {
        plan: section,
        periods: periods.iter().map(ToString::to_string).collect(),
        values,
    }))
}

pub(crate) async fn load_plan(state: &AppState, id: &str) -> ApiResult<Plan> {
    state
        .store()
        .plan(id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no plan {id:?}")))
}

/// A reported value as entered.
#[derive(Deserialize, ToSchema)]
pub struct ValueInput {
    /// `2024-Q1`, `2024` or `2024-03`, within the plan's year.
    pub period: String,
    pub value: f64,
    /// Evidence: a document reference (`"Báo cáo số 12/BC-STTTT"`) or a URL.
    pub evidence_ref: String,
    #[serde(default)]
    pub note: String,
}

/// A recorded value.
#[derive(Serialize, ToSchema)]
#[serde(transparent)]
#[schema(value_type = Object)]
pub struct ValueView(pub ReportedValue);

#[derive(Serialize, ToSchema)]
pub struct ValueList {
    #[schema(value_type = Vec<Object>)]
    pub values: Vec<ReportedValue>,
}

fn text_field(field: &str, text: &str, required: bool) -> ApiResult<String> {
    let text = text.trim();
    if required && text.is_empty() {
        return Err(ApiError::invalid(field, "required"));
    }
    if text.chars().count() > MAX_TEXT {
        return Err(ApiError::invalid(field, format!("at most {MAX_TEXT} characters")));
    }
    Ok(text.to_string())
}

/// Enters a value of a reported indicator (an officer of the responsible unit, or a province
/// administrator); it counts once approved by someone else.
#[utoipa::path(post, path = "/api/v1/plans/{id}/indicators/{indicator}/values", tag = "plans",
    request_body = ValueInput, security(("bearer" = [])),
    params(("id" = String, Path, description = "Plan id"), ("indicator" = String, Path, description = "Indicator id")),
    responses((status = 201, body = ValueView), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn submit_value(
    State(state): State<AppState>,
    Caller(user): Caller,
    Path((id, indicator)): Path<(String, String)>,
    Json(input): Json<ValueInput>,
) -> ApiResult<(StatusCode, Json<ValueView>)> {
    let stored = enter_value(&state, &user, &id, &indicator, &input).await?;
    Ok((StatusCode::CREATED, Json(ValueView(stored))))
}

/// Whether `user` may enter values of an indicator that `responsible_unit` answers for.
pub(crate) fn may_enter(user: &User, responsible_unit: &str) -> bool {
    user.role == Role::ProvinceAdmin
        || (user.role.is_officer()
            && user.role != Role::LeadershipViewer
            && user.unit_code.as_deref() == Some(responsible_unit))
}

/// Whether `user` may approve values of an indicator that `responsible_unit` answers for
/// (their own values excepted).
pub(crate) fn may_approve(user: &User, responsible_unit: &str) -> bool {
    user.role == Role::ProvinceAdmin
        || (user.role == Role::Leader && user.unit_code.as_deref() == Some(responsible_unit))
}

/// Validates and records a reported value for `user`: the one code path of the API and the
/// pages.
pub(crate) async fn enter_value(
    state: &AppState,
    user: &User,
    plan_id: &str,
    indicator: &str,
    input: &ValueInput,
) -> ApiResult<ReportedValue> {
    let plan = load_plan(state, plan_id).await?;
    let ind = plan
        .indicator(indicator)
        .ok_or_else(|| ApiError::NotFound(format!("no indicator {indicator:?} in plan {plan_id}")))?;
    if !may_enter(user, &ind.responsible_unit) {
        return Err(ApiError::Forbidden(format!(
            "values of {indicator} are entered by officers of {}",
            ind.responsible_unit
        )));
    }
    if ind.source == ValueSource::System {
        return Err(ApiError::invalid(
            "indicator",
            "this indicator is measured by motcua from its dossiers; it takes no entered values",
        ));
    }
    let period = parse_period(&input.period)?;
    if period.year() != plan.year {
        return Err(ApiError::invalid("period", format!("the plan covers {}", plan.year)));
    }
    if !input.value.is_finite() {
        return Err(ApiError::invalid("value", "not a number"));
    }
    let evidence_ref = text_field("evidence_ref", &input.evidence_ref, true)?;
    let note = text_field("note", &input.note, false)?;
    let key = period.to_string();
    let value_id = state
        .store()
        .submit_value(&NewValue {
            plan_id: &plan.id,
            indicator_id: &ind.id,
            period: &key,
            value: input.value,
            evidence_ref: &evidence_ref,
            note: &note,
            submitted_by: &user.username,
        })
        .await?;
    state
        .store()
        .value(value_id)
        .await?
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("value {value_id} vanished")))
}

/// The values entered for an indicator (officers), newest first.
#[utoipa::path(get, path = "/api/v1/plans/{id}/indicators/{indicator}/values", tag = "plans",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Plan id"), ("indicator" = String, Path, description = "Indicator id"),
        PeriodQuery),
    responses((status = 200, body = ValueList), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody)))]
pub async fn values(
    State(state): State<AppState>,
    Caller(user): Caller,
    Path((id, indicator)): Path<(String, String)>,
    Query(q): Query<PeriodQuery>,
) -> ApiResult<Json<ValueList>> {
    require_officer(&user)?;
    let plan = load_plan(&state, &id).await?;
    if plan.indicator(&indicator).is_none() {
        return Err(ApiError::NotFound(format!("no indicator {indicator:?} in plan {id}")));
    }
    let period = q
        .period
        .as_deref()
        .map(parse_period)
        .transpose()?
        .map(|p| p.to_string());
    Ok(Json(ValueList {
        values: state.store().values(&id, Some(&indicator), period.as_deref()).await?,
    }))
}

/// Approves an entered value: a leader of the responsible unit or a province administrator,
/// never its submitter.
#[utoipa::path(post, path = "/api/v1/plans/{id}/indicators/{indicator}/values/{value_id}/approve", tag = "plans",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Plan id"), ("indicator" = String, Path, description = "Indicator id"),
        ("value_id" = i64, Path, description = "Value id")),
    responses((status = 200, body = ValueView), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)))]
pub async fn approve_value(
    State(state): State<AppState>,
    Caller(user): Caller,
    Path((id, indicator, value_id)): Path<(String, String, i64)>,
) -> ApiResult<Json<ValueView>> {
    approve(&state, &user, &id, &indicator, value_id)
        .await
        .map(|v| Json(ValueView(v)))
}

/// Approves a value on behalf of `user`: the one code path of the API and the pages.
pub(crate) async fn approve(
    state: &AppState,
    user: &User,
    plan_id: &str,
    indicator: &str,
    value_id: i64,
) -> ApiResult<ReportedValue> {
    let plan = load_plan(state, plan_id).await?;
    let ind = plan
        .indicator(indicator)
        .ok_or_else(|| ApiError::NotFound(format!("no indicator {indicator:?} in plan {plan_id}")))?;
    let value = state
        .store()
        .value(value_id)
        .await?
        .filter(|v| v.plan_id == plan.id && v.indicator_id == ind.id)
        .ok_or_else(|| ApiError::NotFound(format!("no value {value_id} of {plan_id}/{indicator}")))?;
    if !may_approve(user, &ind.responsible_unit) {
        return Err(ApiError::Forbidden(format!(
            "values of {indicator} are approved by a leader of {} or a province administrator",
            ind.responsible_unit
        )));
    }
    if value.submitted_by == user.username {
        return Err(ApiError::Forbidden(
            "a value must be approved by someone other than its submitter".into(),
        ));
    }
    match state.store().approve_value(value_id, &user.username).await? {
        Ok(v) => Ok(v),
        Err(ApprovalError::NotFound) => Err(ApiError::NotFound(format!("no value {value_id}"))),
        Err(ApprovalError::OwnValue) => Err(ApiError::Forbidden(ApprovalError::OwnValue.to_string())),
        Err(ApprovalError::AlreadyApproved) => Err(ApiError::Conflict(ApprovalError::AlreadyApproved.to_string())),
    }
}

/// What an import wrote.
#[derive(Serialize, ToSchema)]
#[serde(transparent)]
#[schema(value_type = Object)]
pub struct ImportSummary(pub motcua_store::plans::BundleImport);

/// A bundle: `{note, plans, par_trees, par_years, directives, reported_values}` (the format of
/// `data/plans/*.json`).
#[derive(Deserialize, ToSchema)]
#[serde(transparent)]
#[schema(value_type = Object)]
pub struct BundleInput(pub PlansBundle);

/// Imports plans, PAR trees and scores, directives and reported values (province
/// administrators). The whole bundle is validated first: any error writes nothing.
#[utoipa::path(post, path = "/api/v1/plans/import", tag = "plans", request_body = BundleInput,
    security(("bearer" = [])),
    responses((status = 200, body = ImportSummary), (status = 403, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody)))]
pub async fn import(
    State(state): State<AppState>,
    Caller(user): Caller,
    Json(BundleInput(bundle)): Json<BundleInput>,
) -> ApiResult<Json<ImportSummary>> {
    if user.role != Role::ProvinceAdmin {
        return Err(ApiError::Forbidden(
            "plans are imported by province administrators".into(),
        ));
    }
    if let Err(errors) = bundle.validate() {
        return Err(ApiError::Invalid {
            message: errors.join("; "),
            fields: errors
                .iter()
                .enumerate()
                .map(|(i, e)| (format!("error{}", i + 1), e.clone()))
                .collect(),
        });
    }
    let done = state.store().import_plans_bundle(&bundle, &user.username).await?;
    Ok(Json(ImportSummary(done)))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ParQuery {
    /// The year to show (default: the latest scored year), compared with the year before.
    pub year: Option<i32>,
    /// The tree version (default: the latest).
    pub version: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ParView {
    pub version: String,
    pub name: String,
    pub sample: bool,
    /// Every scored year of the tree.
    pub years: Vec<i32>,
    pub comparison: ParComparison,
}

/// The PAR-index criteria of a year with the previous year's scores and the criteria that lost
/// points (officers).
#[utoipa::path(get, path = "/api/v1/par-index", tag = "plans", params(ParQuery), security(("bearer" = [])),
    responses((status = 200, body = ParView), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody)))]
pub async fn par_index(
    State(state): State<AppState>,
    Caller(user): Caller,
    Query(q): Query<ParQuery>,
) -> ApiResult<Json<ParView>> {
    require_officer(&user)?;
    par_view(&state, q.version.as_deref(), q.year)
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::NotFound("no PAR-index scores for that version and year".into()))
}

/// The comparison for `year` (default: the latest scored year not after `year`).
pub(crate) async fn par_view(state: &AppState, version: Option<&str>, year: Option<i32>) -> ApiResult<Option<ParView>> {
    let trees = state.store().par_trees().await?;
    let tree = match version {
        Some(v) => trees.into_iter().find(|t| t.version == v),
        None => trees.into_iter().last(),
    };
    let Some(tree) = tree else { return Ok(None) };
    let years = state.store().par_years(&tree.version).await?;
    let Some(pos) = (match year {
        Some(y) => years.iter().position(|s| s.year == y),
        None => years.len().checked_sub(1),
    }) else {
        return Ok(None);
    };
    let previous = pos.checked_sub(1).map(|p| &years[p]);
    let comparison = compare_par(&tree, &years[pos], previous);
    Ok(Some(ParView {
        version: tree.version.clone(),
        name: tree.name.clone(),
        sample: tree.sample,
        years: years.iter().map(|y| y.year).collect(),
        comparison,
    }))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DirectiveQuery {
    /// `overdue`, `due_soon`, `open`, `completed_on_time`, `completed_late`; default all.
    pub status: Option<String>,
    /// Only directives assigned to this organisation code.
    pub unit: Option<String>,
    /// The day states are computed for, YYYY-MM-DD (default today).
    pub as_of: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct DirectiveItem {
    #[serde(flatten)]
    pub directive: Directive,
    pub state: DirectiveState,
}

#[derive(Serialize, ToSchema)]
pub struct DirectiveList {
    pub as_of: NaiveDate,
    pub items: Vec<DirectiveItem>,
    /// Completion per assignee unit over every directive issued by `as_of`.
    pub by_unit: Vec<UnitCompletion>,
}

/// Directives with their state on a day, optionally only overdue or due-soon ones (officers).
#[utoipa::path(get, path = "/api/v1/directives", tag = "plans", params(DirectiveQuery), security(("bearer" = [])),
    responses((status = 200, body = DirectiveList), (status = 403, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody)))]
pub async fn directives(
    State(state): State<AppState>,
    Caller(user): Caller,
    Query(q): Query<DirectiveQuery>,
) -> ApiResult<Json<DirectiveList>> {
    require_officer(&user)?;
    let wanted = match q
        .status
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty() && *s != "all")
    {
        None => None,
        Some(s) => Some(
            serde_json::from_value::<DirectiveState>(serde_json::Value::String(s.to_string())).map_err(|_| {
                ApiError::invalid(
                    "status",
                    "one of overdue, due_soon, open, completed_on_time, completed_late, all",
                )
            })?,
        ),
    };
    let as_of = match q.as_of.as_deref() {
        Some(text) => text
            .trim()
            .parse()
            .map_err(|_| ApiError::invalid("as_of", format!("{text:?} is not a date YYYY-MM-DD")))?,
        None => today(&state),
    };
    let issued: Vec<Directive> = state
        .store()
        .directives()
        .await?
        .into_iter()
        .filter(|d| d.issued_on <= as_of)
        .collect();
    let by_unit = completion_by_unit(&issued, as_of);
    let items = issued
        .into_iter()
        .filter(|d| q.unit.as_deref().is_none_or(|u| d.assignees.iter().any(|a| a == u)))
        .map(|d| DirectiveItem {
            state: directive_state(&d, as_of),
            directive: d,
        })
        .filter(|i| wanted.is_none_or(|w| i.state == w))
        .collect();
    Ok(Json(DirectiveList { as_of, items, by_unit }))
}

/// A progress report of an assignee unit.
#[derive(Deserialize, ToSchema)]
pub struct ProgressInput {
    /// What was done.
    pub note: String,
    /// Evidence: a document reference or a URL (optional).
    #[serde(default)]
    pub evidence_ref: String,
    /// The directive is carried out: it is marked completed today.
    #[serde(default)]
    pub done: bool,
}

/// Whether `user` reports on a directive: an officer (not a viewer) of an assignee unit.
pub(crate) fn may_report(user: &User, d: &Directive) -> bool {
    user.role.is_officer()
        && user.role != Role::LeadershipViewer
        && user
            .unit_code
            .as_deref()
            .is_some_and(|u| d.assignees.iter().any(|a| a == u))
}

/// Validates and records a progress report of `user`'s unit: the one code path of the API and
/// the pages. Returns the directive as stored afterwards.
pub(crate) async fn report_progress(
    state: &AppState,
    user: &User,
    id: &str,
    input: &ProgressInput,
) -> ApiResult<Directive> {
    let find = |all: Vec<Directive>| all.into_iter().find(|d| d.id == id);
    let d =
        find(state.store().directives().await?).ok_or_else(|| ApiError::NotFound(format!("no directive {id:?}")))?;
    if !may_report(user, &d) {
        return Err(ApiError::Forbidden(
            "progress is reported by officers of the directive's assignee units".into(),
        ));
    }
    let note = text_field("note", &input.note, true)?;
    let evidence_ref = text_field("evidence_ref", &input.evidence_ref, false)?;
    if input.done && d.status == motcua_domain::plans::DirectiveStatus::Completed {
        return Err(ApiError::Conflict("the directive is already completed".into()));
    }
    let on = today(state);
    let report = motcua_domain::plans::ProgressReport {
        on,
        unit: user.unit_code.clone().unwrap_or_default(),
        note,
        evidence_ref,
    };
    if !state
        .store()
        .add_directive_progress(&d.id, &report, input.done.then_some(on))
        .await?
    {
        return Err(ApiError::NotFound(format!("no directive {id:?}")));
    }
    find(state.store().directives().await?)
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("directive {id} vanished")))
}

/// Adds a progress report of the caller's unit to a directive, optionally marking it done
/// (officers of an assignee unit).
#[utoipa::path(post, path = "/api/v1/directives/{id}/progress", tag = "plans", request_body = ProgressInput,
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Directive id")),
    responses((status = 201, body = DirectiveItem), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody)))]
pub async fn directive_progress(
    State(state): State<AppState>,
    Caller(user): Caller,
    Path(id): Path<String>,
    Json(input): Json<ProgressInput>,
) -> ApiResult<(StatusCode, Json<DirectiveItem>)> {
    let d = report_progress(&state, &user, &id, &input).await?;
    Ok((
        StatusCode::CREATED,
        Json(DirectiveItem {
            state: directive_state(&d, today(&state)),
            directive: d,
        }),
    ))
}
